//! Parse speed and text recall against `pdftotext`, per document.
//!
//! `cargo run --release -p formsmith-parse --example parsebench -- [--runs N] [--dump] [FILES…]`
//! Without files: every vector PDF of the corpus's fillable/ and flat/ sets (MANIFEST.tsv).
//! Recall: the share of `pdftotext`'s non-whitespace characters (as a multiset, case
//! folded) found in the chunks' contents, against the whole file and against a copy without
//! annotations (page content only: field values are widget appearances). `--dump` prints the first document's JSON output instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Vector PDFs of fillable/ and flat/ (image-only pages have no text to compare).
fn default_files() -> Vec<PathBuf> {
    let root = corpus();
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).unwrap_or_default();
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let (file, set, notes) = (cols.first()?, cols.get(1)?, cols.get(9)?);
            let vector = *set == "fillable" || (*set == "flat" && !notes.contains("image-only"));
            vector.then(|| root.join(file))
        })
        .collect()
}

fn counts(s: &str) -> HashMap<char, usize> {
    let mut m = HashMap::new();
    // Case folded: small-caps fonts map their glyphs to either case.
    for c in s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase) {
        *m.entry(c).or_default() += 1;
    }
    m
}

/// Share of `reference`'s characters found in `ours` (multiset intersection).
fn recall(reference: &str, ours: &str) -> f64 {
    let (r, o) = (counts(reference), counts(ours));
    let total: usize = r.values().sum();
    if total == 0 {
        return 1.0;
    }
    let hit: usize = r.iter().map(|(c, n)| (*n).min(o.get(c).copied().unwrap_or(0))).sum();
    hit as f64 / total as f64
}

/// `pdftotext` of the file, and of a copy without annotations (widget appearances are
/// not page content: field values come as key_value blocks instead).
fn pdftotext(file: &Path) -> (String, String) {
    let run = |path: &Path| {
        Command::new("pdftotext")
            .arg(path)
            .arg("-")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let full = run(file);
    let stripped = lopdf::Document::load(file).ok().and_then(|mut doc| {
        let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
        for id in pages {
            if let Ok(page) = doc.get_object_mut(id).and_then(lopdf::Object::as_dict_mut) {
                page.remove(b"Annots");
            }
        }
        let tmp = std::env::temp_dir().join(format!("parsebench-{}.pdf", std::process::id()));
        doc.save(&tmp).ok()?;
        let text = run(&tmp);
        let _ = std::fs::remove_file(&tmp);
        Some(text)
    });
    let stripped = stripped.unwrap_or_else(|| full.clone());
    (full, stripped)
}

fn main() {
    let mut runs = 1usize;
    let mut dump = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(1).max(1),
            "--dump" => dump = true,
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        files = default_files();
    }
    let request = formsmith_parse::ParseRequest::default();
    if dump {
        let Some(file) = files.first() else { return };
        let bytes = std::fs::read(file).unwrap_or_default();
        match formsmith_parse::parse(&bytes, &request) {
            Ok(out) => {
                for c in &out.output.chunks {
                    println!("===== chunk {} =====\n{}", c.metadata["pageRange"], c.content);
                }
                for w in &out.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Err(e) => println!("error {}: {e}", e.reason()),
        }
        return;
    }
    println!("| document | pages | ms/run | pages/s | recall vs pdftotext | recall vs pdftotext, page content only |");
    println!("|---|---:|---:|---:|---:|---:|");
    let (mut all_pages, mut all_secs, mut recalls) = (0usize, 0f64, Vec::new());
    let mut page_recalls = Vec::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else { continue };
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let started = Instant::now();
        let mut outcome = None;
        for _ in 0..runs {
            outcome = Some(formsmith_parse::parse(&bytes, &request));
        }
        let secs = started.elapsed().as_secs_f64() / runs as f64;
        let out = match outcome {
            Some(Ok(o)) => o,
            Some(Err(e)) => {
                println!("| {name} | - | - | - | error {} |", e.reason());
                continue;
            }
            None => continue,
        };
        let ours: String = out.output.chunks.iter().map(|c| c.content.as_str()).collect::<Vec<_>>().join("\n");
        let (reference, page_only) = pdftotext(file);
        let r = recall(&reference, &ours);
        let rp = recall(&page_only, &ours);
        recalls.push(r);
        page_recalls.push(rp);
        all_pages += out.page_count;
        all_secs += secs;
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.4} | {:.4} |",
            out.page_count,
            secs * 1000.0,
            out.page_count as f64 / secs.max(1e-9),
            r,
            rp
        );
    }
    let mean = recalls.iter().sum::<f64>() / recalls.len().max(1) as f64;
    let min = recalls.iter().copied().fold(1.0, f64::min);
    let pmean = page_recalls.iter().sum::<f64>() / page_recalls.len().max(1) as f64;
    let pmin = page_recalls.iter().copied().fold(1.0, f64::min);
    println!(
        "| **all ({} documents)** | {all_pages} | {:.0} | {:.1} | mean {mean:.4}, min {min:.4} | mean {pmean:.4}, min {pmin:.4} |",
        recalls.len(),
        all_secs * 1000.0,
        all_pages as f64 / all_secs.max(1e-9)
    );
}
