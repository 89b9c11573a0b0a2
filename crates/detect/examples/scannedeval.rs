//! Prints the scanned-page evaluation (crates/detect/SCANNED.md): detection on the scanned
//! corpus pages matched against their twins' widgets (IoU ≥ 0.5 and ≥ 0.3), per type
//! precision, recall and F1, time per page, and OCR word recall against the twins' text.
//!
//!     OMP_THREAD_LIMIT=1 cargo run --release -p formsmith-detect --example scannedeval [-- --misses]

#[path = "../tests/scan_eval/mod.rs"]
mod scan_eval;

use scan_eval::{CASES, KINDS, PageResult, totals};

fn main() {
    let misses = std::env::args().any(|a| a == "--misses");
    let mut all: Vec<PageResult> = Vec::new();
    println!(
        "| file | page | skew ° | text 0.5 (tp/det/truth) | check 0.5 | text 0.3 | check 0.3 | OCR words | ms |"
    );
    println!("|---|---:|---:|---|---|---|---|---:|---:|");
    for case in &CASES {
        match scan_eval::evaluate(case) {
            Ok(pages) => {
                for r in pages {
                    let f =
                        |s: &scan_eval::Score| format!("{}/{}/{}", s.tp, s.tp + s.fp, s.tp + s.fn_);
                    println!(
                        "| {} | {} | {:.2} | {} | {} | {} | {} | {}/{} ({:.3}) | {:.0} |",
                        r.file,
                        r.page + 1,
                        r.skew.unwrap_or(f32::NAN),
                        f(&r.at50[0]),
                        f(&r.at50[1]),
                        f(&r.at30[0]),
                        f(&r.at30[1]),
                        r.words_read,
                        r.words,
                        r.words_read as f64 / r.words.max(1) as f64,
                        r.detect_time.as_secs_f64() * 1000.0
                    );
                    if misses {
                        for m in &r.misses {
                            eprintln!("  {} p{} {m}", r.file, r.page + 1);
                        }
                    }
                    all.push(r);
                }
            }
            Err(e) => eprintln!("{}: {e}", case.scan),
        }
    }
    for (name, at30) in [("IoU ≥ 0.5", false), ("IoU ≥ 0.3", true)] {
        println!("\n{name}:\n");
        println!(
            "| type | precision | recall | F1 | matched | detected | widgets |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        for (k, s) in KINDS.iter().zip(totals(&all, at30).iter()) {
            println!(
                "| {} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
                k.as_str(),
                s.precision(),
                s.recall(),
                s.f1(),
                s.tp,
                s.tp + s.fp,
                s.tp + s.fn_
            );
        }
    }
    let words: usize = all.iter().map(|r| r.words).sum();
    let read: usize = all.iter().map(|r| r.words_read).sum();
    let ms: f64 = all
        .iter()
        .map(|r| r.detect_time.as_secs_f64() * 1000.0)
        .sum();
    println!(
        "\nOCR word recall {read}/{words} = {:.3}; detection {:.0} ms per scanned page (render, OCR, raster, finder; one core)",
        read as f64 / words.max(1) as f64,
        ms / all.len().max(1) as f64
    );
}
