//! One resource budget per document (`formsmith_engine::Limits`), end to end: hostile PDFs
//! built here (never committed) go through `formsmith detect`, `parse`, `schema` and
//! `fill` as child processes, and each must finish or fail within a time bound with
//! CORRUPT_FILE (or succeed) while its peak RSS (VmHWM, polled from /proc) stays bounded.
//!
//! Before the budget, 100 pages of 60 MiB content streams (a 6 MB file) drove `detect` to
//! 6.5 GB: every page's decoded content stayed in memory for the whole page loop.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Peak RSS allowed for any one command, in MiB, beside 10 × the input: the target is
/// about 10 × input + 100 MB; generous for a shared CI machine, far below the gigabytes of
/// the unbudgeted reader.
const MAX_RSS_MIB: u64 = 300;
/// Wall time allowed for any one command (2 shared cores, debug or release build).
const MAX_TIME: Duration = Duration::from_secs(60);

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("in memory");
    z.finish().expect("in memory")
}

/// A PDF of `objects` (object n is `objects[n - 1]`), catalog 1, page tree 2.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

fn page(contents: &str, resources: &str) -> Vec<u8> {
    format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} /Resources << {resources} >> >>"
    )
    .into_bytes()
}

/// `pages` pages, each with its own flate content stream inflating to `content`, and a
/// form: one text field `name` on the first page (object 3), so fills go all the way.
fn pages_of(content: &[u8], pages: usize) -> Vec<u8> {
    let z = deflate(content);
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] /DA (/Helv 10 Tf 0 g) >> >>"
            .to_vec(),
        Vec::new(),
        Vec::new(),
    ];
    let mut kids = Vec::new();
    for i in 0..pages {
        objects.push(stream("/Filter /FlateDecode", &z));
        let contents = format!("{} 0 R", objects.len());
        let mut p = page(&contents, "");
        if i == 0 {
            p.truncate(p.len() - 2);
            p.extend_from_slice(b" /Annots [3 0 R] >>");
            objects[2] = format!(
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [100 700 300 720] /P {} 0 R >>",
                objects.len() + 1
            )
            .into_bytes();
        }
        objects.push(p);
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Count {pages} /Kids [{}] >>",
        kids.join(" ")
    )
    .into_bytes();
    pdf(&objects)
}

/// `pages` pages drawing one shared flate content stream inflating to `content`.
fn shared_pages(content: &[u8], pages: usize) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(),
        stream("/Filter /FlateDecode", &deflate(content)),
    ];
    let mut kids = Vec::new();
    for _ in 0..pages {
        objects.push(page("3 0 R", ""));
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Count {pages} /Kids [{}] >>",
        kids.join(" ")
    )
    .into_bytes();
    pdf(&objects)
}

/// One page drawing a `side` × `side` gray image (flate, all white) over the whole page.
fn huge_image(side: usize) -> Vec<u8> {
    let samples = vec![255u8; side * side];
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        page("4 0 R", "/XObject << /Im 5 0 R >>"),
        stream("", b"q 612 0 0 792 0 0 cm /Im Do Q"),
        stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
            ),
            &deflate(&samples),
        ),
    ];
    pdf(&objects)
}

/// One page whose /Annots lists `count` tiny objects.
fn many_objects(count: usize) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        Vec::new(),
        stream(
            "",
            b"BT /F1 12 Tf 72 700 Td (Name) Tj ET 150 698 m 400 698 l S",
        ),
    ];
    let first = objects.len() + 1;
    for i in 0..count {
        objects.push(
            format!("<< /Type /Annot /Subtype /Text /Rect [0 0 {} 1] >>", i % 7).into_bytes(),
        );
    }
    let annots: Vec<String> = (first..first + count).map(|n| format!("{n} 0 R")).collect();
    objects[2] = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [{}] >>",
        annots.join(" ")
    )
    .into_bytes();
    pdf(&objects)
}

/// `streams` object streams each inflating to `size` bytes (the page objects live in the
/// first one, so every reader must decode it; the others are padded with whitespace).
fn object_stream_bomb(streams: usize, size: usize) -> Vec<u8> {
    // Objects 1 (catalog), 2 (pages), 3 (page) in object stream 5; content 4 plain.
    let members = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
    ];
    let mut header = String::new();
    let mut at = 0;
    for (i, m) in members.iter().enumerate() {
        header.push_str(&format!("{} {at} ", i + 1));
        at += m.len() + 1;
    }
    let header = header.as_str();
    let mut first = format!("{header}{}", members.join(" ")).into_bytes();
    first.resize(size, b' ');
    let padding = deflate(&vec![b' '; size]);
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![0usize; 5 + streams];
    offsets[4] = out.len();
    out.extend_from_slice(b"4 0 obj\n");
    out.extend_from_slice(&stream("", b"BT /F1 12 Tf 72 700 Td (x) Tj ET"));
    out.extend_from_slice(b"\nendobj\n");
    for s in 0..streams {
        let number = 5 + s;
        offsets[number] = out.len();
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        let data = if s == 0 {
            deflate(&first)
        } else {
            padding.clone()
        };
        let dict = format!(
            "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
            if s == 0 { 3 } else { 0 },
            if s == 0 { header.len() } else { 0 }
        );
        out.extend_from_slice(&stream(&dict, &data));
        out.extend_from_slice(b"\nendobj\n");
    }
    // A cross-reference stream: type 2 entries for 1..3 in stream 5.
    let xref_number = 5 + streams;
    let mut rows = Vec::new();
    let row = |t: u8, a: usize, b: u16| {
        let mut r = vec![t];
        r.extend_from_slice(&(a as u32).to_be_bytes());
        r.extend_from_slice(&b.to_be_bytes());
        r
    };
    rows.extend(row(0, 0, 65535));
    for i in 0..3u16 {
        rows.extend(row(2, 5, i));
    }
    for &offset in offsets.get(4..xref_number).unwrap_or_default() {
        rows.extend(row(1, offset, 0));
    }
    let xref_at = out.len();
    rows.extend(row(1, xref_at, 0));
    out.extend_from_slice(format!("{xref_number} 0 obj\n").as_bytes());
    out.extend_from_slice(&stream(
        &format!(
            "/Type /XRef /Size {} /W [1 4 2] /Root 1 0 R",
            xref_number + 1
        ),
        &rows,
    ));
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

struct Run {
    ok: bool,
    stderr: String,
    peak_mib: u64,
    elapsed: Duration,
}

/// Peak resident set (VmHWM) of a running process, in KiB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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
