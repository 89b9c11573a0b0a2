//! Trains the caption scorer (`src/fieldmodel/caption.rs`): a linear model, softmax over one
//! box's caption candidates plus "nothing printed", on the **dev** forms of the field-model
//! truth set (`tests/fieldmodel/truth/`). A candidate is right when its words match the
//! truth label as the field-model score counts it; "nothing printed" is right when the
//! tooltip or name (what the model falls back to) matches, or the truth has no label.
//!
//!     cargo run --release -p formsmith-schema --example train_captions [-- --held-out] [--write]
//!
//! Prints the choice accuracy by five folds over the dev forms (each fold scored by weights
//! trained on the others), and with `--held-out` (or `--write`) the held-out forms' accuracy under weights trained on all dev forms — those forms are only
//! scored. `--write` writes those weights to `src/fieldmodel/caption_weights.rs`.
//! Deterministic: full-batch gradient descent from zero.

#![allow(clippy::unwrap_used)] // a training script: a missing truth file should stop it loudly

#[path = "../tests/fieldmodel/score.rs"]
mod score;

use std::path::Path;

use formsmith_engine::{FieldType, Form, OpenOptions};
use formsmith_schema::fieldmodel::caption::{Candidate, FEATURES, Side};
use formsmith_schema::fieldmodel::{self, junk, tooltip_caption};
use serde_json::Value;

const FOLDS: usize = 5;
const STEPS: usize = 3000;
const RATE: f64 = 0.5;
const L2: f64 = 1e-3;

/// One box: its candidates' features and which are right.
struct Box_ {
    form: usize,
    xs: Vec<Vec<f64>>,
    right: Vec<bool>,
}

fn load(truth_dir: &Path, corpus: &Path, split: &str) -> Vec<Box_> {
    let mut files: Vec<_> = std::fs::read_dir(truth_dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut out = Vec::new();
    let mut form_index = 0;
    let mut eligible = 0;
    let (mut rules_right, mut rules_right_all) = (0, 0);
    for file in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        if score::split_of(&stem) != split {
            continue;
        }
        let truth: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let Ok(bytes) = std::fs::read(corpus.join(truth["form"].as_str().unwrap_or_default())) else { continue };
        let Ok(form) = Form::open(&bytes, &OpenOptions::default()) else { continue };
        let printed = formsmith_schema::page_text(&bytes, &form, None);
        let (model, candidates) = fieldmodel::caption_candidates(&form, &printed);
        for t in truth["fields"].as_array().into_iter().flatten() {
            let name = t["name"].as_str().unwrap_or_default();
            let Some(field) = form.fields().iter().find(|f| f.name == name) else { continue };
            // Option groups are labelled by their question, not by one caption.
            if field.kind == FieldType::Radio || (field.kind == FieldType::Checkbox && field.widgets.len() > 1) {
                continue;
            }
            let Some((_, cands)) = candidates.iter().find(|(n, _)| n == name) else { continue };
            let truth_label = t["label"].as_str();
            let fallback = field
                .tooltip
                .as_deref()
                .filter(|t| !junk::is_junk(t) && !t.contains("[0]"))
                .map(tooltip_caption)
                .or_else(|| junk::name_words(field.short_name()));
            let right: Vec<bool> = cands
                .iter()
                .map(|c: &Candidate| match c.side {
                    Side::Nothing => truth_label.is_none() || score::labels_match(truth_label, fallback.as_deref()),
                    _ => score::labels_match(truth_label, Some(&c.text)),
                })
                .collect();
            eligible += 1;
            let rules_label = model.fields.iter().find(|f| f.name == name).and_then(|f| f.label.clone());
            let rules_ok = score::labels_match(truth_label, rules_label.as_deref()) || (truth_label.is_none() && rules_label.is_none());
            rules_right_all += usize::from(rules_ok);
            if !right.iter().any(|r| *r) {
                if std::env::var_os("CAPTIONS_SHOW").is_some() && split == "dev" {
                    println!("NO CANDIDATE {stem} {name}: truth {truth_label:?} fallback {fallback:?}");
                    for c in cands.iter().filter(|c| c.side != Side::Nothing) {
                        println!("      {:?} {:.0} {:?}", c.side, c.gap, c.text);
                    }
                }
                continue;
            }
            rules_right += usize::from(rules_ok);
            out.push(Box_ { form: form_index, xs: cands.iter().map(|c| c.features.clone()).collect(), right });
        }
        form_index += 1;
    }
    println!("{split}: {} of {eligible} boxes have a right candidate (the ceiling)", out.len());
    println!("{split}: the rules label {rules_right} of those right, {rules_right_all} of all {eligible}");
    out
}

fn softmax(w: &[f64], xs: &[Vec<f64>]) -> Vec<f64> {
    let s: Vec<f64> = xs.iter().map(|x| x.iter().zip(w).map(|(a, b)| a * b).sum()).collect();
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = s.iter().map(|v| (v - max).exp()).collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|v| v / total).collect()
}

fn train(boxes: &[&Box_]) -> Vec<f64> {
    let mut w = vec![0.0; FEATURES];
    let n = boxes.len().max(1) as f64;
    for _ in 0..STEPS {
        let mut grad: Vec<f64> = w.iter().map(|v| L2 * v).collect();
        for b in boxes {
            let p = softmax(&w, &b.xs);
            let pos: f64 = p.iter().zip(&b.right).filter(|(_, r)| **r).map(|(p, _)| p).sum();
            for (i, x) in b.xs.iter().enumerate() {
                let q = if b.right[i] { p[i] / pos.max(1e-12) } else { 0.0 };
                for (g, xv) in grad.iter_mut().zip(x) {
                    *g += (p[i] - q) * xv / n;
                }
            }
        }
        for (wv, g) in w.iter_mut().zip(&grad) {
            *wv -= RATE * g;
        }
    }
    w
}

fn accuracy(w: &[f64], boxes: &[&Box_]) -> f64 {
    let right = boxes
        .iter()
        .filter(|b| {
            let p = softmax(w, &b.xs);
            let best = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
            b.right[best]
        })
        .count();
    right as f64 / boxes.len().max(1) as f64
}

fn main() {
    let write = std::env::args().any(|a| a == "--write");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let truth = root.join("tests/fieldmodel/truth");
    let corpus = root.join("../../../shared/corpus");
    let dev = load(&truth, &corpus, "dev");
    let forms = dev.iter().map(|b| b.form).max().map_or(0, |m| m + 1);
    println!("dev: {} boxes with a right candidate, {forms} forms", dev.len());
    let mut right = 0.0;
    for fold in 0..FOLDS {
        let train_set: Vec<&Box_> = dev.iter().filter(|b| b.form % FOLDS != fold).collect();
        let test_set: Vec<&Box_> = dev.iter().filter(|b| b.form % FOLDS == fold).collect();
        let w = train(&train_set);
        right += accuracy(&w, &test_set) * test_set.len() as f64;
    }
    println!("dev five-fold choice accuracy: {:.3}", right / dev.len().max(1) as f64);
    let all: Vec<&Box_> = dev.iter().collect();
    let w = train(&all);
    println!("dev training accuracy: {:.3}", accuracy(&w, &all));
    if !std::env::args().any(|a| a == "--held-out") && !write {
        return;
    }
    let held = load(&truth, &corpus, "held-out");
    let held_refs: Vec<&Box_> = held.iter().collect();
    println!("held-out choice accuracy: {:.3} ({} boxes)", accuracy(&w, &held_refs), held.len());
    if write {
        let body: Vec<String> = w.iter().map(|v| format!("    {v:.6},")).collect();
        let text = format!(
            "//! Weights of the caption scorer (`caption.rs`), written by\n//! `cargo run --release -p formsmith-schema --example train_captions -- --write`\n//! (trained on the dev forms of the field-model truth set).\n\npub const WEIGHTS: &[f64] = &[\n{}\n];\n",
            body.join("\n")
        );
        std::fs::write(root.join("src/fieldmodel/caption_weights.rs"), text).unwrap();
        println!("wrote src/fieldmodel/caption_weights.rs");
    }
}
