//! Times text extraction: milliseconds per page, median of several runs.
//!
//!     cargo run --release -p formsmith-detect --example texttime -- FILE.pdf [--iters N] [--lines|--words]
//!
//! `--lines` / `--words` print what was extracted (user-space boxes) instead of timing.

use std::time::Instant;

use formsmith_page::{TextOptions, extract_text};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: texttime FILE.pdf [--iters N] [--lines|--words]");
        std::process::exit(2);
    };
    let iters: usize = args
        .iter()
        .position(|a| a == "--iters")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let options = TextOptions::default();
    let pages = match extract_text(&bytes, None, &options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{path}: {} {e}", e.reason());
            std::process::exit(1);
        }
    };
    if args.iter().any(|a| a == "--lines" || a == "--words") {
        let words = args.iter().any(|a| a == "--words");
        for p in &pages {
            println!("== page {} warnings {:?}", p.page, p.warnings);
            for l in &p.lines {
                println!(
                    "{:7.1} {:7.1} {:7.1} {:7.1}  {}",
                    l.rect[0], l.rect[1], l.rect[2], l.rect[3], l.text
                );
                if words {
                    for w in &p.words[l.words.clone()] {
                        println!(
                            "    {:7.1} {:7.1} {:7.1} {:7.1} {:5.1}{} {}",
                            w.rect[0],
                            w.rect[1],
                            w.rect[2],
                            w.rect[3],
                            w.font_size,
                            if w.bold { " B" } else { "  " },
                            w.text
                        );
                    }
                }
            }
        }
        return;
    }
    let mut times = Vec::with_capacity(iters);
    for _ in 0..iters {
        let start = Instant::now();
        let result = extract_text(&bytes, None, &options);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(result.ok());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let n = pages.len().max(1);
    let words: usize = pages.iter().map(|p| p.words.len()).sum();
    println!(
        "{path}: {} pages, {words} words, median {median:.2} ms ({:.2} ms/page), min {:.2} ms",
        pages.len(),
        median / n as f64,
        times[0]
    );
}
