//! Field detection measured on the corpus: `formsmith_detect::evaluate` (one form: widgets
//! removed, detection matched to them) over folders, with the tables the README prints.
//!
//! Shared by the tests (`tests/fields_eval.rs`, which asserts floors) and the examples that
//! print the README tables (`examples/fieldeval.rs`, `examples/train_scorer.rs`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use formsmith_detect::evaluate::*;

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The fillable corpus forms, sorted.
pub fn fillable() -> Vec<PathBuf> {
    pdfs("fillable")
}

/// The PDFs of one corpus folder, sorted by name.
pub fn pdfs(set: &str) -> Vec<PathBuf> {
    let dir = Path::new(CORPUS).join(set);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Totals per type over forms (all widgets, or only those the pages draw).
pub fn totals(results: &[FormResult], printed_only: bool) -> [Score; 3] {
    let mut t = [Score::default(); 3];
    for r in results {
        let scores = if printed_only { &r.printed } else { &r.scores };
        for (i, s) in scores.iter().enumerate() {
            t[i].add(s);
        }
    }
    t
}

/// The table of results: per type precision, recall, F1 and counts.
pub fn table(results: &[FormResult], printed_only: bool) -> String {
    let t = totals(results, printed_only);
    let mut out = String::from(
        "| type | precision | recall | F1 | matched | detected | widgets |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for (k, s) in KINDS.iter().zip(t.iter()) {
        out.push_str(&format!(
            "| {} | {:.3} | {:.3} | {:.3} | {} | {} | {} |\n",
            k.as_str(),
            s.precision(),
            s.recall(),
            s.f1(),
            s.tp,
            s.tp + s.fp,
            s.tp + s.fn_
        ));
    }
    out
}

/// Total pages and time.
pub fn timing(results: &[FormResult]) -> (usize, Duration) {
    results.iter().fold((0, Duration::ZERO), |(p, d), r| {
        (p + r.pages, d + r.elapsed)
    })
}
