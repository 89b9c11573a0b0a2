//! Helpers of the schema tests: corpus paths, poppler's `pdftotext -bbox` as the judge of
//! where text landed (displayed-page coordinates, like our bboxes), and the SDK's Python.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

pub fn fillable() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus().join("fillable"))
        .expect("corpus/fillable is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    files
}

pub fn temp_path(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join("formsmith-schema-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!(
        "{}-{}-{tag}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// One word of `pdftotext -bbox`: zero-based page, box (left, top, right, bottom) in points
/// from the top-left corner of the page as displayed.
#[derive(Debug, Clone)]
pub struct Word {
    pub page: usize,
    pub bbox: [f64; 4],
    pub text: String,
}

pub fn pdftotext_words(path: &Path) -> Vec<Word> {
    let out = Command::new("pdftotext")
        // Our boxes are relative to the CropBox (what viewers show); poppler's default is the MediaBox.
        .args(["-bbox", "-cropbox"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt install poppler-utils; .ci/run does)");
    let html = String::from_utf8_lossy(&out.stdout);
    let mut page = 0usize;
    let mut seen_page = false;
    let mut words = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            if seen_page {
                page += 1;
            }
            seen_page = true;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let text = rest
                .split_once('>')
                .map(|(_, t)| t.trim_end_matches("</word>"))
                .unwrap_or("");
            words.push(Word {
                page,
                bbox: [
                    attr(rest, "xMin"),
                    attr(rest, "yMin"),
                    attr(rest, "xMax"),
                    attr(rest, "yMax"),
                ],
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            });
        }
    }
    words
}

fn attr(s: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    s.split_once(&key)
        .and_then(|(_, r)| r.split_once('"'))
        .and_then(|(v, _)| v.parse().ok())
        .unwrap_or(0.0)
}

/// Text of the words whose centre lies inside `bbox` (displayed coordinates), concatenated
/// without spaces.
pub fn text_in_box(words: &[Word], page: usize, bbox: [f64; 4]) -> String {
    words
        .iter()
        .filter(|w| w.page == page)
        .filter(|w| {
            let cx = (w.bbox[0] + w.bbox[2]) / 2.0;
            let cy = (w.bbox[1] + w.bbox[3]) / 2.0;
            cx >= bbox[0] - 1.0 && cx <= bbox[2] + 1.0 && cy >= bbox[1] - 1.0 && cy <= bbox[3] + 1.0
        })
        .map(|w| w.text.as_str())
        .collect()
}

/// The venv Python with the official SDK (made by .ci/run).
pub fn sdk_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run .ci/run (it makes the venv with the pinned extend-ai SDK)",
        python.display()
    );
    python
}

/// Runs the SDK's EditRootJson model over schema files; panics with its report on failure.
pub fn sdk_check_schemas(files: &[PathBuf]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk_schema_check.py");
    let out = Command::new(sdk_python())
        .arg(script)
        .args(files)
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the SDK refused schemas:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len(),
        "{report}"
    );
}
