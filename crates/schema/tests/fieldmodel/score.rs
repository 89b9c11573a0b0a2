//! Scoring of the field model against the truth set (shared by the `fieldmodel_eval`
//! example, which prints the tables, and the `fieldmodel` test, which holds the floors).
#![allow(dead_code)]

use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::fieldmodel::{self, FieldInfo, semantic::normalize};
use serde_json::Value;
use std::path::Path;

/// One form's score.
pub struct FormScore {
    pub stem: String,
    pub split: &'static str,
    pub score: Score,
    pub millis: f64,
}

/// Scores every truth file in `truth_dir` (forms under `corpus`); `show` prints the wrong
/// fields of the forms it accepts.
pub fn evaluate(truth_dir: &Path, corpus: &Path, only: Option<&str>, show: &dyn Fn(&str) -> bool) -> Vec<FormScore> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(truth_dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for file in &files {
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if only.is_some_and(|o| o != stem) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let Ok(truth) = serde_json::from_str::<Value>(&text) else {
            eprintln!("{stem}: unreadable truth");
            continue;
        };
        let form_rel = truth["form"].as_str().unwrap_or_default();
        let Ok(bytes) = std::fs::read(corpus.join(form_rel)) else {
            eprintln!("{stem}: {form_rel} not found");
            continue;
        };
        let Ok(form) = Form::open(&bytes, &OpenOptions::default()) else {
            eprintln!("{stem}: cannot open");
            continue;
        };
        let started = std::time::Instant::now();
        let text = formsmith_schema::page_text(&bytes, &form, None);
        let model = fieldmodel::build(&form, &text);
        let keys = formsmith_schema::generate::model_keys(&form, &model);
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let split = split_of(&stem);
        let mut score = Score::default();
        let showing = show(split) || only.is_some();
        if std::env::var_os("FM_ENTITY").is_some() {
            println!("FORM {stem} {split}");
        }
        for t in truth["fields"].as_array().into_iter().flatten() {
            let name = t["name"].as_str().unwrap_or_default();
            let Some((index, info)) = model.fields.iter().enumerate().find(|(_, f)| f.name == name) else {
                score.missing += 1;
                continue;
            };
            let key = keys.get(index).cloned().flatten();
            score.add(t, info, key.as_deref(), showing);
        }
        out.push(FormScore { stem, split, score, millis });
    }
    out
}

/// A fixed split by the form's name: about half the forms are held out.
pub fn split_of(stem: &str) -> &'static str {
    let hash = stem.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    if hash % 2 == 0 { "dev" } else { "held-out" }
}

pub fn ratio(a: usize, b: usize) -> String {
    if b == 0 { "-".into() } else { format!("{:.3}", a as f64 / b as f64) }
}

#[derive(Default)]
pub struct Score {
    pub forms: usize,
    pub fields: usize,
    pub label: usize,
    pub typed: usize,
    pub typed_right: usize,
    pub type_right: usize,
    pub entity: usize,
    pub keyed: usize,
    pub key_readable: usize,
    pub junk_keys: usize,
    pub missing: usize,
}

impl Score {
    pub fn merge(&mut self, o: &Score) {
        self.forms += 1;
        self.fields += o.fields;
        self.label += o.label;
        self.typed += o.typed;
        self.typed_right += o.typed_right;
        self.type_right += o.type_right;
        self.entity += o.entity;
        self.keyed += o.keyed;
        self.key_readable += o.key_readable;
        self.junk_keys += o.junk_keys;
        self.missing += o.missing;
    }

    pub fn add(&mut self, truth: &Value, info: &FieldInfo, key: Option<&str>, show: bool) {
        self.fields += 1;
        let truth_label = truth["label"].as_str();
        // Radio groups are labelled by their question in the truth.
        let label_ok = labels_match(truth_label, info.label.as_deref())
            || (truth_label.is_none() && info.label.is_none());
        let truth_type = truth["type"].as_str().unwrap_or("text");
        let type_ok = truth_type == info.semantic.token();
        let truth_entity = truth["entity"].as_str();
        let entity_ok = truth_entity == info.entity.as_deref();
        self.label += usize::from(label_ok);
        self.type_right += usize::from(type_ok);
        if truth_type != "text" {
            self.typed += 1;
            self.typed_right += usize::from(type_ok);
        }
        self.entity += usize::from(entity_ok);
        if !entity_ok && std::env::var_os("FM_ENTITY").is_some() {
            println!("  ENTITY truth {truth_entity:?} model {:?} | {} | {:?}", info.entity, info.name, info.label);
        }
        if let Some(key) = key {
            self.keyed += 1;
            let readable = key_readable(key, truth_label, truth_type);
            self.key_readable += usize::from(readable);
            let junk = key.starts_with("undefined") || fieldmodel::junk::is_junk(key);
            self.junk_keys += usize::from(junk);
            if junk && std::env::var_os("FM_JUNK").is_some() {
                println!("  JUNK KEY {key} for {} (label {:?})", info.name, info.label);
            }
        }
        if show && !(label_ok && type_ok) {
            println!(
                "  MISS {} | truth: {:?} {truth_type} {truth_entity:?} | model: {:?} ({:?}) {} {:?} q={:?} | key {key:?}",
                info.name,
                truth_label,
                info.label,
                info.label_origin,
                info.semantic.token(),
                info.entity,
                info.question
            );
        }
    }
}

fn tokens(text: &str) -> Vec<String> {
    const STOP: &[&str] = &["the", "of", "and", "or", "a", "an", "your", "if", "any", "to", "for", "in", "de", "la", "le", "el", "der", "die", "und", "et", "y"];
    let norm = normalize(text);
    let words: Vec<String> = norm
        .split_whitespace()
        .filter(|w| !STOP.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    if words.is_empty() { norm.split_whitespace().map(str::to_string).collect() } else { words }
}

/// A label is right when it carries most of the truth's words and not much else: at least
/// 60% of the truth's content words and at least 40% of its own words from the truth.
pub fn labels_match(truth: Option<&str>, predicted: Option<&str>) -> bool {
    let (Some(t), Some(p)) = (truth, predicted) else { return false };
    let (t, p) = (tokens(t), tokens(p));
    if t.is_empty() || p.is_empty() {
        return false;
    }
    let hit_t = t.iter().filter(|w| p.contains(w)).count() as f64 / t.len() as f64;
    let hit_p = p.iter().filter(|w| t.contains(w)).count() as f64 / p.len() as f64;
    hit_t >= 0.6 && hit_p >= 0.4
}

/// A key is readable when it holds one of the label's content words or its type's words.
fn key_readable(key: &str, truth_label: Option<&str>, truth_type: &str) -> bool {
    let key_words: Vec<&str> = key.split('_').collect();
    let label_hit = truth_label.is_some_and(|l| {
        tokens(l).iter().any(|w| {
            let folded: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
            !folded.is_empty() && key_words.iter().any(|k| *k == folded || (folded.len() > 4 && k.starts_with(&folded[..4])))
        })
    });
    let type_words: Vec<&str> = match truth_type {
        "given-name" => vec!["given", "first"],
        "family-name" => vec!["family", "last"],
        "additional-name" => vec!["middle"],
        "postal-code" => vec!["zip", "postal"],
        "address-level2" => vec!["city"],
        "address-level1" => vec!["state"],
        "tel" => vec!["phone", "telephone"],
        "bday" => vec!["birth"],
        "date-signed" => vec!["date"],
        "street-address" => vec!["street", "address"],
        other => vec![other],
    };
    label_hit || type_words.iter().any(|w| key_words.contains(w))
}
