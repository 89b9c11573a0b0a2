//! Fill benchmark: open + fill every field + save, in-process, on the big corpus forms.
//!
//! ```text
//! cargo bench -p formsmith-engine --bench fill -- [FORM...] [--iters N] [--warmup N]
//!     [--values values.json] [--flatten | --plain] [--json] [--no-check] [--out-dir DIR]
//! ```
//!
//! `--bench fill` runs with mimalloc as the global allocator (as the `formsmith` CLI does);
//! `--bench fill-sysalloc` is the same bench on the system allocator (what a library user gets
//! without choosing one).
//!
//! * FORM: PDF paths (relative ones from the current directory when they exist there, else from
//!   the workspace root, since cargo runs benches in crates/engine); default: the big forms of
//!   `../shared/corpus/fillable` (200+ fields; `FORMSMITH_CORPUS` names another folder).
//! * Values: every fillable field set the way `shared/peers/mkvalues.py` sets it (text
//!   "Sample 123", or digits up to /MaxLen; check box on; radio: first on-state; choice: last
//!   option), or read from a mkvalues.py JSON file (`--values`, one form only) so that the
//!   peers and Formsmith fill exactly the same values.
//! * Modes: without `--flatten`/`--plain` each form is timed both without and with flatten.
//! * Each (form, mode) runs in a fresh child process (this binary re-executed with
//!   `FORMSMITH_BENCH_CHILD=1`) so that its peak RSS (VmHWM) is its own. The child prints one
//!   JSON line; the parent prints those lines, then a table (`--json`: the lines only).
//! * Outside the timed loop, the output of one fill is checked: every widget of a filled field
//!   has a normal appearance (and an /AS naming one of its states for buttons); after flatten,
//!   no widget and no /AcroForm remain.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use formsmith_engine::{
    FieldType, FieldValue, FillOptions, Form, OpenOptions, SaveOptions, Values,
};
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde_json::{Value as Json, json};

const CHILD_ENV: &str = "FORMSMITH_BENCH_CHILD";

/// The forms of the issue: IRS 1040-class, 200+ fields.
const DEFAULT_FORMS: &[&str] = &[
    "irs-f1040-prefilled.pdf",
    "irs-f1040-2025-xfa.pdf",
    "gov-form-1087-xfa-hybrid.pdf",
    "or-40-p-2021.pdf",
    "uscis-i485-xfa-aes128.pdf",
    "comb-fields-728.pdf",
];

#[derive(Debug, Clone)]
struct Args {
    forms: Vec<PathBuf>,
    iters: usize,
    warmup: usize,
    values: Option<PathBuf>,
    modes: Vec<bool>,
    json_only: bool,
    check: bool,
    out_dir: Option<PathBuf>,
}

fn usage() -> ! {
    print_usage();
    std::process::exit(2)
}

fn print_usage() {
    eprintln!(
        "usage: cargo bench -p formsmith-engine --bench fill -- [FORM...] [--iters N] [--warmup N] \
         [--values values.json] [--flatten | --plain] [--json] [--no-check] [--out-dir DIR]"
    );
}

fn parse_args() -> Args {
    let mut args = Args {
        forms: Vec::new(),
        iters: 30,
        warmup: 3,
        values: None,
        modes: vec![false, true],
        json_only: false,
        check: true,
        out_dir: None,
    };
    let mut it = std::env::args().skip(1);
    let number = |v: Option<String>| {
        v.and_then(|s| s.parse::<usize>().ok())
            .unwrap_or_else(|| usage())
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            // cargo bench appends --bench to every bench binary's arguments.
            "--bench" => {}
            "--iters" | "-n" => args.iters = number(it.next()).max(1),
            "--warmup" => args.warmup = number(it.next()),
            "--values" => {
                args.values = Some(it.next().map(PathBuf::from).unwrap_or_else(|| usage()))
            }
            "--flatten" => args.modes = vec![true],
            "--plain" => args.modes = vec![false],
            "--json" => args.json_only = true,
            "--no-check" => args.check = false,
            "--out-dir" => {
                args.out_dir = Some(it.next().map(PathBuf::from).unwrap_or_else(|| usage()))
            }
            "-h" | "--help" => {
                print_usage();
                std::process::exit(0)
            }
            s if s.starts_with('-') => {
                eprintln!("unknown option {s}");
                usage()
            }
            s => args.forms.push(PathBuf::from(s)),
        }
    }
    // cargo runs a bench in its package directory (crates/engine): relative paths that do not
    // exist there are taken from the workspace root, where `cargo bench` is usually typed.
    args.forms = args.forms.iter().map(|p| resolve_path(p)).collect();
    args.values = args.values.as_deref().map(resolve_path);
    args.out_dir = args.out_dir.as_deref().map(|p| {
        if p.is_absolute() {
            p.to_owned()
        } else {
            workspace_root().join(p)
        }
    });
    if args.forms.is_empty() {
        let dir = std::env::var_os("FORMSMITH_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("../shared/corpus/fillable"));
        for f in DEFAULT_FORMS {
            let p = dir.join(f);
            if p.exists() {
                args.forms.push(p);
            } else {
                eprintln!("skipping {}: not found", p.display());
            }
        }
    }
    if args.values.is_some() && args.forms.len() != 1 {
        eprintln!("--values belongs to one form; give exactly one FORM with it");
        usage()
    }
    args
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn resolve_path(p: &Path) -> PathBuf {
    if p.is_absolute() || p.exists() {
        return std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    }
    workspace_root().join(p)
}

/// The bench's entry point; `alloc` names the global allocator of the calling binary.
pub fn main(alloc: &str) {
    let args = parse_args();
    if std::env::var_os(CHILD_ENV).is_some() {
        // One (form, mode) per process: its VmHWM is this fill's peak.
        let form = &args.forms[0];
        let line = bench_one(form, args.modes[0], &args, alloc);
        println!("{line}");
        return;
    }
    let exe = std::env::current_exe().expect("current exe");
    let mut rows = Vec::new();
    for form in &args.forms {
        for &flatten in &args.modes {
            let mut cmd = Command::new(&exe);
            cmd.env(CHILD_ENV, "1")
                .arg(form)
                .args([
                    "--iters",
                    &args.iters.to_string(),
                    "--warmup",
                    &args.warmup.to_string(),
                ])
                .arg(if flatten { "--flatten" } else { "--plain" });
            if let Some(v) = &args.values {
                cmd.arg("--values").arg(v);
            }
            if !args.check {
                cmd.arg("--no-check");
            }
            if let Some(d) = &args.out_dir {
                cmd.arg("--out-dir").arg(d);
            }
            let out = cmd.output().expect("run child");
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().rev().find(|l| l.starts_with('{')).map(str::to_owned).unwrap_or_else(|| {
                json!({"tool": "formsmith", "form": file_name(form), "flatten": flatten, "error":
                    format!("child failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim())})
                .to_string()
            });
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
            println!("{line}");
            rows.push(serde_json::from_str::<Json>(&line).unwrap_or(Json::Null));
        }
    }
    if !args.json_only {
        print_table(&rows);
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Times open + fill + save of one form and returns its JSON line.
fn bench_one(path: &Path, flatten: bool, args: &Args, alloc: &str) -> String {
    let name = file_name(path);
    let fail = |what: &str, e: String| {
        json!({"tool": "formsmith", "form": name, "flatten": flatten, "error": format!("{what}: {e}")}).to_string()
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail("read", e.to_string()),
    };
    let form = match Form::open(&bytes, &OpenOptions::default()) {
        Ok(f) => f,
        Err(e) => return fail("open", e.to_string()),
    };
    let field_count = form.fields().len();
    let (values, skipped) = match &args.values {
        Some(v) => match values_from_mkvalues(v, &form) {
            Ok(x) => x,
            Err(e) => return fail("values", e),
        },
        None => (values_for_all(&form), Vec::new()),
    };
    drop(form);
    let save_options = SaveOptions {
        flatten,
        full_rewrite: false,
    };
    // mkvalues.py reads fields through pypdf, which drops /MaxLen: its text values can be longer
    // than a field allows, and the peers write them anyway. Formsmith refuses such a value
    // unless asked to truncate, so a --values run truncates (reported as "truncated").
    let fill_options = FillOptions {
        truncate: args.values.is_some(),
    };

    let truncated = std::cell::Cell::new(0usize);
    let run = |timings: Option<&mut Vec<[f64; 3]>>| -> Result<Vec<u8>, String> {
        let t0 = Instant::now();
        let mut form =
            Form::open(&bytes, &OpenOptions::default()).map_err(|e| format!("open: {e}"))?;
        let t1 = Instant::now();
        let report = form
            .fill(&values, &fill_options)
            .map_err(|e| format!("fill: {e}"))?;
        truncated.set(report.warnings.len());
        let t2 = Instant::now();
        let out = form.save(&save_options).map_err(|e| format!("save: {e}"))?;
        let t3 = Instant::now();
        if let Some(t) = timings {
            let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
            t.push([ms(t0, t1), ms(t1, t2), ms(t2, t3)]);
        }
        Ok(out)
    };

    let first_start = Instant::now();
    let out = match run(None) {
        Ok(o) => o,
        Err(e) => return fail("first fill", e),
    };
    let first_ms = first_start.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..args.warmup {
        if let Err(e) = run(None) {
            return fail("warm-up", e);
        }
    }
    let mut timings = Vec::with_capacity(args.iters);
    for _ in 0..args.iters {
        if let Err(e) = run(Some(&mut timings)) {
            return fail("fill", e);
        }
    }
    let peak_rss_kb = vm_hwm_kb();
    if let Some(dir) = &args.out_dir {
        let stem = name.trim_end_matches(".pdf");
        let p = dir.join(format!(
            "{stem}-{}.pdf",
            if flatten { "flatten" } else { "plain" }
        ));
        if let Err(e) = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&p, &out)) {
            eprintln!("cannot write {}: {e}", p.display());
        }
    }

    let total: Vec<f64> = timings.iter().map(|t| t[0] + t[1] + t[2]).collect();
    let part = |i: usize| median(&timings.iter().map(|t| t[i]).collect::<Vec<_>>());
    let check = if args.check {
        check_output(&out, &values, flatten)
    } else {
        json!(null)
    };
    let file_mb = bytes.len() as f64 / (1024.0 * 1024.0);
    let peak_mb = peak_rss_kb.map(|k| k as f64 / 1024.0);
    let budget_mb = 3.0 * file_mb + 30.0;
    json!({
        "tool": "formsmith",
        "allocator": alloc,
        "form": name,
        "flatten": flatten,
        "fields": field_count,
        "values": values.len(),
        "values_skipped": skipped,
        "fill_warnings": truncated.get(),
        "iters": args.iters,
        "first_ms": round(first_ms, 2),
        "median_ms": round(median(&total), 2),
        "p90_ms": round(percentile(&total, 0.9), 2),
        "min_ms": round(total.iter().cloned().fold(f64::INFINITY, f64::min), 2),
        "open_ms": round(part(0), 2),
        "fill_ms": round(part(1), 2),
        "save_ms": round(part(2), 2),
        "fills_per_s": round(1000.0 / median(&total), 1),
        "peak_rss_mb": peak_mb.map(|m| round(m, 1)),
        "file_kb": bytes.len() / 1024,
        "out_kb": out.len() / 1024,
        "rss_budget_mb": round(budget_mb, 1),
        "rss_ok": peak_mb.map(|m| m < budget_mb),
        "check": check,
    })
    .to_string()
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

fn median(xs: &[f64]) -> f64 {
    let v = sorted(xs);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Nearest-rank percentile.
fn percentile(xs: &[f64], p: f64) -> f64 {
    let v = sorted(xs);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Peak resident set size of this process (Linux /proc/self/status VmHWM), in KiB.
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A field the peers fill and the engine accepts: not read-only, not a push button or signature.
fn fillable(f: &formsmith_engine::Field) -> bool {
    !f.flags.contains(&"ReadOnly") && !matches!(f.kind, FieldType::Button | FieldType::Signature)
}

/// Every fillable field set as mkvalues.py sets it.
fn values_for_all(form: &Form) -> Values {
    let mut out = Vec::new();
    for f in form.fields().iter().filter(|f| fillable(f)) {
        let v = match f.kind {
            FieldType::Text => match f.max_len {
                Some(ml) if ml > 0 => {
                    FieldValue::Text("1234567890".repeat(10).chars().take(ml as usize).collect())
                }
                _ => FieldValue::Text("Sample 123".into()),
            },
            FieldType::Checkbox if !f.on_states.is_empty() => FieldValue::Bool(true),
            FieldType::Radio => match f.on_states.first() {
                Some(s) => FieldValue::Text(s.clone()),
                None => continue,
            },
            FieldType::Combo | FieldType::List => match f.options.last() {
                Some(o) if f.flags.contains(&"MultiSelect") => FieldValue::Choices(vec![o.clone()]),
                Some(o) => FieldValue::Text(o.clone()),
                None => continue,
            },
            _ => continue,
        };
        out.push((f.name.clone(), v));
    }
    out
}

/// Values from a mkvalues.py file ({name: {type, value, ...}}), less the names the engine
/// would refuse (unknown or read-only fields: the peers set those silently); the skipped names
/// are returned too.
fn values_from_mkvalues(path: &Path, form: &Form) -> Result<(Values, Vec<String>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Json::Object(map) = json else {
        return Err("expected a JSON object".into());
    };
    let fields: HashMap<&str, &formsmith_engine::Field> =
        form.fields().iter().map(|f| (f.name.as_str(), f)).collect();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (name, spec) in map {
        let field = match fields.get(name.as_str()) {
            Some(f) if fillable(f) => f,
            Some(f) => {
                skipped.push(format!(
                    "{name} ({})",
                    if f.flags.contains(&"ReadOnly") {
                        "read-only"
                    } else {
                        "no value"
                    }
                ));
                continue;
            }
            None => {
                skipped.push(format!("{name} (unknown to formsmith)"));
                continue;
            }
        };
        let ty = spec.get("type").and_then(Json::as_str).unwrap_or("");
        let value = spec.get("value");
        let v = match (ty, value) {
            ("checkbox", _) => FieldValue::Bool(true),
            ("text" | "radio", Some(Json::String(s))) => FieldValue::Text(s.clone()),
            ("choice", Some(Json::String(s))) => {
                if spec.get("multi").and_then(Json::as_bool).unwrap_or(false)
                    || field.flags.contains(&"MultiSelect")
                {
                    FieldValue::Choices(vec![s.clone()])
                } else {
                    FieldValue::Text(s.clone())
                }
            }
            (_, Some(Json::String(s))) => FieldValue::Text(s.clone()),
            _ => {
                skipped.push(format!("{name} (unreadable value)"));
                continue;
            }
        };
        out.push((name, v));
    }
    Ok((out, skipped))
}

// ---- output check (outside the timed loop) ----

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match o {
        Object::Dictionary(d) => Some(d),
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        _ => None,
    }
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn text_of(o: &Object) -> Option<String> {
    match o {
        Object::String(bytes, _) => {
            if bytes.starts_with(&[0xFE, 0xFF]) {
                let u: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .filter(|c| c.len() == 2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                Some(String::from_utf16_lossy(&u))
            } else {
                Some(bytes.iter().map(|&b| b as char).collect())
            }
        }
        _ => None,
    }
}

/// Fully qualified name of a widget/field dictionary by its /Parent chain.
fn full_name(doc: &Document, d: &Dictionary) -> String {
    let mut parts = Vec::new();
    let mut cur = Some(d);
    for _ in 0..64 {
        let Some(c) = cur else { break };
        if let Some(t) = c.get(b"T").ok().and_then(text_of) {
            parts.push(t);
        }
        cur = c.get(b"Parent").ok().and_then(|p| dict(doc, p));
    }
    parts.reverse();
    parts.join(".")
}

/// Checks one output: every widget of a filled field has a normal appearance that draws
/// something (buttons: /AS is one of its /N states); flattened: no widgets, no /AcroForm.
fn check_output(out: &[u8], values: &[(String, FieldValue)], flatten: bool) -> Json {
    let doc = match Document::load_mem(out) {
        Ok(d) => d,
        Err(e) => return json!({"error": format!("lopdf cannot read the output: {e}")}),
    };
    if doc.is_encrypted() {
        return json!({"skipped": "encrypted output"});
    }
    let filled: BTreeSet<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
    let mut widgets = 0usize;
    let mut checked = 0usize;
    let mut missing: Vec<String> = Vec::new();
    let mut seen: BTreeSet<ObjectId> = BTreeSet::new();
    for (_, page_id) in doc.get_pages() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let Some(annots) = page.get(b"Annots").ok().map(|a| resolve(&doc, a)) else {
            continue;
        };
        let Object::Array(annots) = annots else {
            continue;
        };
        for a in annots {
            let Object::Reference(id) = a else { continue };
            if !seen.insert(*id) {
                continue;
            }
            let Ok(w) = doc.get_dictionary(*id) else {
                continue;
            };
            if w.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) != Some(b"Widget") {
                continue;
            }
            widgets += 1;
            let name = full_name(&doc, w);
            if !filled.contains(name.as_str()) {
                continue;
            }
            checked += 1;
            if !widget_has_appearance(&doc, w) && missing.len() < 20 {
                missing.push(name);
            }
        }
    }
    if flatten {
        let acroform = doc
            .catalog()
            .ok()
            .and_then(|c| c.get(b"AcroForm").ok())
            .is_some();
        return json!({"widgets_left": widgets, "acroform_left": acroform, "ok": widgets == 0 && !acroform});
    }
    json!({"widgets": widgets, "filled_widgets": checked, "without_appearance": missing.len(), "first_missing": missing,
           "ok": missing.is_empty() && checked > 0})
}

fn widget_has_appearance(doc: &Document, w: &Dictionary) -> bool {
    let Some(ap) = w.get(b"AP").ok().and_then(|a| dict(doc, a)) else {
        return false;
    };
    let Some(n) = ap.get(b"N").ok().map(|n| resolve(doc, n)) else {
        return false;
    };
    match n {
        Object::Stream(s) => {
            // A text widget's appearance: it must show text (Tj/TJ/'/") or draw something.
            let content = s
                .decompressed_content()
                .unwrap_or_else(|_| s.content.clone());
            !content.is_empty()
        }
        Object::Dictionary(states) => {
            // A button: /AS names one of the states (an on-state, or Off for a radio kid not chosen).
            // An /Off without an /Off appearance draws nothing, which is what Off means (many
            // forms ship radio kids whose /N holds only their on-state).
            match w.get(b"AS").ok().and_then(|a| a.as_name().ok()) {
                Some(as_) => states.has(as_) || as_ == b"Off",
                None => false,
            }
        }
        _ => false,
    }
}

// ---- the table ----

fn print_table(rows: &[Json]) {
    println!();
    println!(
        "{:<32} {:>5} {:>6} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>6}",
        "form",
        "flat",
        "values",
        "skipped",
        "median_ms",
        "p90_ms",
        "open_ms",
        "fill_ms",
        "save_ms",
        "rss_MB",
        "out_KB",
        "budgetMB",
        "check"
    );
    for r in rows {
        let s = |k: &str| {
            r.get(k)
                .map(|v| {
                    if v.is_null() {
                        "-".to_string()
                    } else {
                        v.to_string().trim_matches('"').to_string()
                    }
                })
                .unwrap_or_else(|| "-".into())
        };
        if let Some(e) = r.get("error") {
            println!("{:<32} {:>5} ERROR {}", s("form"), s("flatten"), e);
            continue;
        }
        let skipped = r
            .get("values_skipped")
            .and_then(Json::as_array)
            .map_or(0, Vec::len);
        let check = match r.get("check").and_then(|c| c.get("ok")) {
            Some(Json::Bool(true)) => "ok",
            Some(Json::Bool(false)) => "FAIL",
            _ => "-",
        };
        println!(
            "{:<32} {:>5} {:>6} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>6}",
            s("form"),
            s("flatten"),
            s("values"),
            skipped,
            s("median_ms"),
            s("p90_ms"),
            s("open_ms"),
            s("fill_ms"),
            s("save_ms"),
            s("peak_rss_mb"),
            s("out_kb"),
            s("rss_budget_mb"),
            check
        );
    }
}
