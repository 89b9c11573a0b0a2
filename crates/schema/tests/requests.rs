//! The request benchmark (`tests/requests/`, format and scoring in its README): requests
//! written the way people write them (prose, records with their own keys, `label: value`
//! lines; four languages) for corpus forms, resolved by the offline resolver against the
//! schema the product generates. Prints recall and precision per split, style and language
//! (the README's table) and holds floors on the held-out forms.
//!
//!     cargo test -p formsmith-schema --test requests -- --nocapture
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fieldmodel/score.rs"]
mod score;

use std::collections::BTreeMap;
use std::time::Instant;

use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::{
    EditRootJson, GenerateOptions, InstructionResolver, RuleResolver, generate, printed_labels,
};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Held-out floors, a little under the measured 0.241 / 0.824 (README "Instructions as
/// people write them"): below these the resolver got worse on forms it was not tuned on.
const HELD_OUT_RECALL_FLOOR: f64 = 0.25;
const HELD_OUT_PRECISION_FLOOR: f64 = 0.83;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormCases {
    form: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    style: String,
    language: String,
    request: String,
    expect: Vec<Expect>,
    #[serde(default)]
    blank: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    field: String,
    value: Value,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    cases: usize,
    expected: usize,
    right: usize,
    filled: usize,
    blank_violated: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.cases += other.cases;
        self.expected += other.expected;
        self.right += other.right;
        self.filled += other.filled;
        self.blank_violated += other.blank_violated;
    }
    fn recall(&self) -> f64 {
        self.right as f64 / self.expected.max(1) as f64
    }
    fn precision(&self) -> f64 {
        if self.filled == 0 { 1.0 } else { self.right as f64 / self.filled as f64 }
    }
}

fn corpus(path: &str) -> String {
    format!("{}/../../../shared/corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// What a person compares: case, spacing and (for digit values) separators do not matter.
fn same_text(filled: &str, expected: &str) -> bool {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if fold(filled) == fold(expected) {
        return true;
    }
    let digits_only = |s: &str| {
        s.chars().any(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || " -/.()+".contains(c))
    };
    // Amounts: "1,420", "$1420" and "1420.00" are one amount.
    let amount = |s: &str| {
        let t: String = s.chars().filter(|c| !matches!(c, '$' | '€' | '£' | ',' | ' ')).collect();
        (t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-'))
            .then(|| t.parse::<f64>().ok())
            .flatten()
    };
    if let (Some(a), Some(b)) = (amount(filled), amount(expected))
        && (a - b).abs() < 0.005
        && (filled.contains(['.', ',', '$']) || expected.contains(['.', ',', '$']))
    {
        return true;
    }
    if digits_only(filled) && digits_only(expected) {
        let d = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        return d(filled) == d(expected);
    }
    false
}

/// The property of `field` (and the one-option boolean of a radio group for `value`).
fn property_of<'a>(schema: &'a EditRootJson, field: &str, value: &Value) -> Option<(&'a String, Value)> {
    let mut candidates = schema.properties.iter().filter(|(_, p)| {
        p.source_acroform.as_ref().is_some_and(|s| s.field_name == field)
    });
    let all: Vec<_> = candidates.by_ref().collect();
    if all.len() == 1 && all[0].1.source_acroform.as_ref().is_some_and(|s| s.option_value.is_none()) {
        return Some((all[0].0, value.clone()));
    }
    // One boolean per radio option: the option whose export value is expected is true.
    let wanted = match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => return all.first().map(|(k, _)| (*k, Value::Bool(true))),
        _ => return None,
    };
    all.iter()
        .find(|(_, p)| p.source_acroform.as_ref().and_then(|s| s.option_value.as_deref()) == Some(wanted.as_str()))
        .map(|(k, _)| (*k, Value::Bool(true)))
}

fn is_right(filled: &Value, expected: &Value) -> bool {
    match (filled, expected) {
        (Value::String(f), Value::String(e)) => same_text(f, e),
        (Value::Number(f), Value::String(e)) => same_text(&f.to_string(), e) || {
            let e = e.replace([',', '$', ' '], "");
            e.parse::<f64>().ok().zip(f.as_f64()).is_some_and(|(a, b)| (a - b).abs() < 0.005)
        },
        (Value::String(f), Value::Number(e)) => same_text(f, &e.to_string()),
        (f, e) => f == e,
    }
}

#[test]
fn requests_as_people_write_them() {
    let dir = format!("{}/tests/requests", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let resolver = RuleResolver::default();
    let verbose = std::env::var_os("REQUESTS_VERBOSE").is_some();
    let only = std::env::var("REQUESTS_ONLY").ok();
    // REQUESTS_SPLIT=dev keeps a tuning session's eyes off the held-out forms' details.
    let only_split = std::env::var("REQUESTS_SPLIT").ok();
    let mut by: BTreeMap<(String, String, String), Tally> = BTreeMap::new();
    let mut per_form: BTreeMap<String, (String, Tally)> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut millis = Vec::new();
    for path in &files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if only.as_deref().is_some_and(|o| !stem.contains(o)) {
            continue;
        }
        let split = score::split_of(&stem);
        if only_split.as_deref().is_some_and(|s| s != split) {
            continue;
        }
        let file: FormCases = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        let bytes = std::fs::read(corpus(&file.form)).unwrap_or_else(|e| panic!("{}: {e}", file.form));
        let form = Form::open(&bytes, &OpenOptions::default()).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let labels = printed_labels(&bytes, &form, None);
        let schema = generate(&form, labels.as_ref(), &GenerateOptions::default());
        if std::env::var_os("REQUESTS_SCHEMA").is_some() {
            for (key, p) in &schema.properties {
                let name = p.source_acroform.as_ref().map(|s| s.field_name.as_str()).unwrap_or("");
                println!("  {key:<45} {name:<40} {}", p.description.as_deref().unwrap_or(""));
            }
        }
        for case in &file.cases {
            let started = Instant::now();
            let resolution = resolver.resolve(&schema, &case.request, &Map::new());
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
            let mut want: BTreeMap<&String, (Value, &str)> = BTreeMap::new();
            for e in &case.expect {
                match property_of(&schema, &e.field, &e.value) {
                    Some((key, v)) => {
                        want.insert(key, (v, e.field.as_str()));
                    }
                    None => problems.push(format!("{stem} / {}: no property for {} = {}", case.name, e.field, e.value)),
                }
            }
            let mut tally = Tally { cases: 1, expected: want.len(), ..Tally::default() };
            let mut lines = Vec::new();
            for (key, value) in &resolution.values {
                let expected = want.get(key);
                // A box left unticked is what blank means; it is neither a fill nor wrong.
                if *value == Value::Bool(false) && expected.is_none() {
                    continue;
                }
                tally.filled += 1;
                match expected {
                    Some((e, _)) if is_right(value, e) => tally.right += 1,
                    Some((e, _)) => lines.push(format!("    WRONG {key} = {value}, expected {e}")),
                    None => {
                        let field = schema.properties[key].source_acroform.as_ref().map(|s| s.field_name.clone());
                        if field.as_ref().is_some_and(|f| case.blank.contains(f)) {
                            tally.blank_violated += 1;
                        }
                        lines.push(format!("    WRONG {key} = {value} was not asked for"));
                    }
                }
            }
            // An expected "false" left blank is right too (blank is unticked).
            for (key, (e, _)) in &want {
                if *e == Value::Bool(false) && !resolution.values.contains_key(*key) {
                    tally.right += 1;
                    tally.filled += 1;
                }
            }
            for (key, (e, field)) in &want {
                if !resolution.values.contains_key(*key) && *e != Value::Bool(false) {
                    lines.push(format!("    missed {key} ({field}) = {e}"));
                }
            }
            if verbose && !lines.is_empty() {
                println!("{stem} / {} [{} {}]", case.name, case.style, case.language);
                for l in &lines {
                    println!("{l}");
                }
                for w in resolution.warnings.iter().take(12) {
                    println!("    warning: {w}");
                }
            }
            by.entry((split.to_string(), case.style.clone(), case.language.clone())).or_default().add(&tally);
            per_form.entry(stem.clone()).or_insert_with(|| (split.to_string(), Tally::default())).1.add(&tally);
        }
    }
    let mut table = BTreeMap::<(String, String), Tally>::new();
    let mut splits = BTreeMap::<String, Tally>::new();
    for ((split, style, language), t) in &by {
        table.entry((split.clone(), format!("style {style}"))).or_default().add(t);
        table.entry((split.clone(), format!("language {language}"))).or_default().add(t);
        splits.entry(split.clone()).or_default().add(t);
    }
    println!("| split | slice | cases | expected | right | filled | recall | precision |");
    println!("|---|---|---|---|---|---|---|---|");
    for ((split, slice), t) in table.iter().chain(splits.iter().map(|(s, t)| ((s.clone(), "all".to_string()), t)).collect::<Vec<_>>().iter().map(|(k, v)| (k, *v))) {
        println!(
            "| {split} | {slice} | {} | {} | {} | {} | {:.3} | {:.3} |",
            t.cases, t.expected, t.right, t.filled, t.recall(), t.precision()
        );
    }
    if verbose {
        for (stem, (split, t)) in &per_form {
            println!("{stem:<90} {split:<8} cases {:>2} recall {:.3} precision {:.3}", t.cases, t.recall(), t.precision());
        }
    }
    millis.sort_by(f64::total_cmp);
    if !millis.is_empty() {
        println!(
            "{} requests, {} forms; resolve time p50 {:.2} ms, p95 {:.2} ms ({} build)",
            millis.len(),
            per_form.len(),
            millis[millis.len() / 2],
            millis[millis.len() * 95 / 100],
            if cfg!(debug_assertions) { "debug" } else { "release" }
        );
    }
    // Expectations the generated schema cannot hold (a field left out of schemas, an option
    // value the form does not have) are not scored; they are listed to be fixed in the set.
    if !problems.is_empty() {
        println!("{} expectations not scored:", problems.len());
        for p in &problems {
            println!("  {p}");
        }
    }
    if let Some(held) = splits.get("held-out") {
        assert!(held.recall() >= HELD_OUT_RECALL_FLOOR, "held-out recall {:.3}", held.recall());
        assert!(held.precision() >= HELD_OUT_PRECISION_FLOOR, "held-out precision {:.3}", held.precision());
    }
}
