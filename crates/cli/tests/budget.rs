//! One resource budget per document (`formsmith_engine::Limits`), end to end: hostile PDFs
//! built here (never committed) go through `formsmith detect`, `parse`, `schema` and
//! `fill` as child processes, and each must finish or fail within a time bound with
//! CORRUPT_FILE (or succeed) while its peak RSS (VmHWM, polled from /proc) stays bounded.
//!
//! Before the budget, 100 pages of 60 MiB content streams (a 6 MB file) drove `detect` to
//! 6.5 GB: every page's decoded content stayed in memory for the whole page loop.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod hostile;
use hostile::{huge_image, many_objects, object_stream_bomb, pages_of, shared_pages};

/// Peak RSS allowed for any one command, in MiB, beside 10 × the input: the target is
/// about 10 × input + 100 MB; generous for a shared CI machine, far below the gigabytes of
/// the unbudgeted reader.
const MAX_RSS_MIB: u64 = 300;
/// Wall time allowed for any one command (2 shared cores, debug or release build).
const MAX_TIME: Duration = Duration::from_secs(60);

struct Run {
    ok: bool,
    stderr: String,
    peak_mib: u64,
    elapsed: Duration,
}

/// Peak resident set (VmHWM) of a running process, in KiB.
fn vm_hwm(pid: u32) -> Option<u64> {
    hostile::status_kib(pid, "VmHWM:")
}

/// Runs `formsmith args...`, polling its peak RSS until it exits; killed past twice
/// [`MAX_TIME`].
fn run(args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_formsmith"))
        .args(args)
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("formsmith runs");
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > 2 * MAX_TIME {
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    Run {
        ok: status.success(),
        stderr,
        peak_mib: peak / 1024,
        elapsed: started.elapsed(),
    }
}

impl Run {
    /// The `error: CODE: message` line (notes and warnings may come before it), else the
    /// first line.
    fn error(&self) -> &str {
        let mut lines = self.stderr.lines();
        self.stderr
            .lines()
            .find(|l| l.starts_with("error: "))
            .or_else(|| lines.next())
            .unwrap_or("")
    }
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("formsmith-budget-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Runs the four commands on `file`; each must succeed or fail with one of `codes`, in
/// bounded time and memory.
fn check_all(file: &Path, codes: &[&str]) {
    let d = file.parent().expect("in a dir");
    let values = d.join("values.json");
    std::fs::write(&values, r#"{"name": "Jordan"}"#).expect("values");
    let out = d.join("out.pdf");
    let (f, v, o) = (
        file.to_str().expect("utf-8 path"),
        values.to_str().expect("utf-8 path"),
        out.to_str().expect("utf-8 path"),
    );
    let commands: [&[&str]; 5] = [
        &["detect", f, "--json"],
        &["parse", f],
        &["schema", f],
        &["fill", f, "--values", v, "-o", o],
        &["fill", f, "--values", v, "-o", o, "--flatten"],
    ];
    let size_mib = std::fs::metadata(file).expect("file").len() >> 20;
    let max_rss = 10 * size_mib + MAX_RSS_MIB;
    for args in commands {
        let r = run(args);
        eprintln!(
            "{:?} on {} ({size_mib} MiB): ok {} in {:.1} s, peak {} MiB: {}",
            args[0],
            file.display(),
            r.ok,
            r.elapsed.as_secs_f32(),
            r.peak_mib,
            r.error()
        );
        assert!(
            r.ok || codes
                .iter()
                .any(|c| r.error().starts_with(&format!("error: {c}: "))),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.elapsed < MAX_TIME, "{args:?} took {:?}", r.elapsed);
        assert!(
            r.peak_mib < max_rss,
            "{args:?} peaked at {} MiB (bound {max_rss} MiB)",
            r.peak_mib
        );
    }
}

#[test]
fn hundred_pages_of_60_mib_content_fail_fast_in_bounded_memory() {
    let d = dir("pages");
    let file = d.join("pages.pdf");
    std::fs::write(&file, pages_of(&vec![b' '; 60 << 20], 100)).expect("write");
    // Filling and flattening never decode page content: they succeed.
    check_all(&file, &["CORRUPT_FILE"]);
    let out = d.join("out.pdf");
    let filled = run(&[
        "fill",
        file.to_str().expect("utf-8"),
        "--values",
        d.join("values.json").to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--flatten",
    ]);
    assert!(filled.ok, "{}", filled.stderr);
    // The budget is what stops detection: the error names it.
    let r = run(&["detect", file.to_str().expect("utf-8"), "--json"]);
    assert!(
        r.error().starts_with("error: CORRUPT_FILE: ")
            && r.error().contains("max_total_decoded_bytes"),
        "{}",
        r.stderr
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn many_pages_sharing_one_huge_stream_fail_fast_in_bounded_memory() {
    let d = dir("shared");
    let file = d.join("shared.pdf");
    std::fs::write(&file, shared_pages(&vec![b' '; 60 << 20], 1000)).expect("write");
    check_all(&file, &["CORRUPT_FILE", "EMPTY_SCHEMA"]);
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn many_pages_of_many_operations_fail_fast_in_bounded_memory() {
    // 2.5 million short paths per page (over the page bound), on 40 pages sharing them.
    let content = b"0 0 m 1 1 l S\n".repeat(2_500_000);
    let d = dir("ops");
    let file = d.join("ops.pdf");
    std::fs::write(&file, shared_pages(&content, 40)).expect("write");
    check_all(&file, &["CORRUPT_FILE", "EMPTY_SCHEMA"]);
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn object_streams_inflating_past_the_budget_fail_fast_in_bounded_memory() {
    let d = dir("objstm");
    let file = d.join("objstm.pdf");
    std::fs::write(&file, object_stream_bomb(20, 60 << 20)).expect("write");
    // A fill reads only the object stream holding the page (no fields: EMPTY_SCHEMA); the
    // readers that would decode them all refuse the file up front.
    check_all(&file, &["CORRUPT_FILE", "EMPTY_SCHEMA"]);
    let r = run(&["schema", file.to_str().expect("utf-8")]);
    assert!(r.stderr.contains("max_total_decoded_bytes"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_huge_image_and_many_tiny_objects_stay_bounded() {
    let d = dir("misc");
    let image = d.join("image.pdf");
    // 400 million samples: over the OCR image bound, refused before it is decoded.
    std::fs::write(&image, huge_image(20_000)).expect("write");
    check_all(
        &image,
        &["CORRUPT_FILE", "EMPTY_SCHEMA", "FILE_SIZE_TOO_LARGE"],
    );
    let tiny = d.join("tiny.pdf");
    // 100,000 annotations (10 MiB): the engine's object model costs about 1.7 KiB each.
    std::fs::write(&tiny, many_objects(100_000)).expect("write");
    check_all(&tiny, &["CORRUPT_FILE", "EMPTY_SCHEMA"]);
    let _ = std::fs::remove_dir_all(d);
}
