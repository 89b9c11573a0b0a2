//! Word recall against poppler: every word `pdftotext -bbox -cropbox` finds on a corpus page
//! must be one of ours (or a run of ours on one line) with the same text and a centre within
//! 3 pt, after converting poppler's displayed-page coordinates (CropBox, /Rotate) into user
//! space. pdftotext reads a copy without annotations, since it draws their appearances
//! (filled values) and we leave them out on purpose. Texts are compared without case,
//! whitespace, ligatures and typographic quote/dash variants (see `common::normalize`).
//! Per-file recall is printed, with a few misses for files under 0.99.

mod common;

use common::{
    annotation_rects, needs_poppler_data, page_recall, pdfs, pdftotext_words,
    poppler_data_installed, without_annotations,
};
use formsmith_page::{TextOptions, extract_text};

const MIN_RECALL: f64 = 0.95;
const TOLERANCE_PT: f64 = 3.0;

#[test]
fn word_recall_against_pdftotext() {
    let mut results: Vec<(String, f64, usize)> = Vec::new();
    let mut failures = Vec::new();
    for set in ["fillable", "flat"] {
        for path in pdfs(set) {
            let name = format!(
                "{set}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            if !poppler_data_installed() && needs_poppler_data(&path) {
                println!("{name}: skipped: pdftotext needs poppler-data for its CJK fonts");
                continue;
            }
            let bytes = std::fs::read(&path).expect("corpus file is readable");
            // Judge a copy without annotations; if lopdf cannot make one, judge the file
            // itself and skip words inside annotation rectangles.
            let (judge, skip) = match without_annotations(&bytes, &name) {
                Some(copy) => {
                    let judge = pdftotext_words(&copy, &path);
                    let _ = std::fs::remove_file(&copy);
                    (judge, Vec::new())
                }
                None => {
                    println!("{name}: lopdf cannot rewrite it; skipping annotation areas");
                    (pdftotext_words(&path, &path), annotation_rects(&bytes))
                }
            };
            let ours = match extract_text(&bytes, None, &TextOptions::default()) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let (mut found, mut total) = (0, 0);
            let mut misses = Vec::new();
            for (i, page) in ours.iter().enumerate() {
                let Some(judge_page) = judge.get(i) else {
                    continue;
                };
                let empty = Vec::new();
                let skip_page = skip.get(i).unwrap_or(&empty);
                let (f, t, m) = page_recall(page, judge_page, skip_page, TOLERANCE_PT);
                found += f;
                total += t;
                misses.extend(m.into_iter().map(|m| format!("p{i} {m}")));
            }
            if total == 0 {
                println!("{name}: no text layer (pdftotext finds no words)");
                continue;
            }
            let recall = found as f64 / total as f64;
            println!("{name}: recall {recall:.4} ({found}/{total})");
            if recall < 0.99 {
                for m in misses.iter().take(12) {
                    println!("    miss {m}");
                }
            }
            if recall < MIN_RECALL {
                failures.push(format!("{name}: recall {recall:.4}"));
            }
            results.push((name, recall, total));
        }
    }
    let mut recalls: Vec<f64> = results.iter().map(|r| r.1).collect();
    recalls.sort_by(f64::total_cmp);
    if let (Some(min), Some(median)) = (recalls.first(), recalls.get(recalls.len() / 2)) {
        println!(
            "{} files with text: min recall {min:.4}, median {median:.4}",
            recalls.len()
        );
    }
    assert!(failures.is_empty(), "below {MIN_RECALL}: {failures:#?}");
}
