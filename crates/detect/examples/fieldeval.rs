//! Prints the field detection evaluation (README table): precision, recall and F1 per type
//! over the fillable corpus forms with their AcroForm removed, and milliseconds per page.
//!
//!     cargo run --release -p formsmith-detect --example fieldeval [-- --forms] [--runs N] [--misses FILE]
//!
//! `--runs N` evaluates N times and reports the median time per page (the scores do not
//! change between runs).
//! `--set train` (or `all`) evaluates the forms of `corpus/train` (or both folders) instead
//! of `corpus/fillable`.
//! `--forms` adds one line per form; `--only NAME` evaluates only forms whose name contains NAME; `--misses NAME` prints the unmatched widgets and
//! detections of the forms whose file name contains NAME.

#[path = "../tests/eval/mod.rs"]
mod eval;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let per_form = args.iter().any(|a| a == "--forms");
    let misses = args
        .iter()
        .position(|a| a == "--misses")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let set = args
        .iter()
        .position(|a| a == "--set")
        .and_then(|i| args.get(i + 1))
        .map_or("fillable", String::as_str);
    let paths = match set {
        "all" => [eval::pdfs("fillable"), eval::pdfs("train")].concat(),
        other => eval::pdfs(other),
    };
    let mut results = Vec::new();
    for path in &paths {
        if let Some(o) = &only
            && !path.to_string_lossy().contains(o.as_str())
        {
            continue;
        }
        let r = eval::evaluate(path);
        if let Some(e) = &r.error {
            eprintln!("{}: {e}", r.file);
        }
        if per_form {
            let s = &r.scores;
            println!(
                "{:40} pages {:2}  text {:3}/{:3}/{:3}  check {:3}/{:3}/{:3}  sig {}/{}/{}  {:6.1} ms/page",
                r.file,
                r.pages,
                s[0].tp,
                s[0].tp + s[0].fp,
                s[0].tp + s[0].fn_,
                s[1].tp,
                s[1].tp + s[1].fp,
                s[1].tp + s[1].fn_,
                s[2].tp,
                s[2].tp + s[2].fp,
                s[2].tp + s[2].fn_,
                r.elapsed.as_secs_f64() * 1000.0 / r.pages.max(1) as f64
            );
        }
        if let Some(m) = &misses
            && r.file.contains(m.as_str())
        {
            for line in &r.misses {
                println!("  {} {line}", r.file);
            }
        }
        results.push(r);
    }
    if args.iter().any(|a| a == "--sources") {
        let mut all: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for r in &results {
            for (k, v) in &r.by_source {
                let e = all.entry(k.clone()).or_default();
                e.0 += v.0;
                e.1 += v.1;
            }
        }
        for (k, (tp, fp)) in all {
            println!("{k:30} matched {tp:5} unmatched {fp:5}");
        }
    }
    let widgets: usize = results.iter().map(|r| r.widgets).sum();
    let printed: usize = results.iter().map(|r| r.printed_widgets).sum();
    println!("All {widgets} scored widgets:\n");
    print!("{}", eval::table(&results, false));
    println!(
        "\nThe {printed} widgets whose place the page content draws (a box, a rule, a box glyph, a white area on a tint):\n"
    );
    print!("{}", eval::table(&results, true));
    let (pages, time) = eval::timing(&results);
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut per_page = vec![time.as_secs_f64() * 1000.0 / pages.max(1) as f64];
    let mut slowest = results
        .iter()
        .map(|r| r.slowest_page)
        .max()
        .unwrap_or_default();
    for _ in 1..runs {
        let again: Vec<eval::FormResult> = paths
            .iter()
            .filter(|p| results.iter().any(|r| p.ends_with(&r.file)))
            .map(|p| eval::evaluate(p))
            .collect();
        let (_, t) = eval::timing(&again);
        per_page.push(t.as_secs_f64() * 1000.0 / pages.max(1) as f64);
        slowest = slowest.max(
            again
                .iter()
                .map(|r| r.slowest_page)
                .max()
                .unwrap_or_default(),
        );
    }
    per_page.sort_by(f64::total_cmp);
    println!(
        "\n{} forms, {} pages: {:.2} ms per page (detection only, one core; median of {} runs); slowest page {:.1} ms",
        results.len(),
        pages,
        per_page[per_page.len() / 2],
        runs,
        slowest.as_secs_f64() * 1000.0
    );
}
