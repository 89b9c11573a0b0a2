//! Input sniffing and office conversion (LibreOffice when installed).

mod common;

use std::path::PathBuf;

use formsmith_parse::convert::{self, ConvertOptions, ImageKind, InputKind, OfficeKind};
use formsmith_parse::{ParseRequest, parse};

/// A minimal .docx-shaped zip: local file headers with the entry names sniffing reads.
fn zip_with(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for name in names {
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0; 4]); // crc
        out.extend_from_slice(&2u32.to_le_bytes()); // compressed size
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"{}");
    }
    out
}

#[test]
fn sniffing_tells_inputs_apart() {
    let png = std::fs::read(common::corpus().join("broken/png-named-pdf.pdf")).expect("corpus");
    assert_eq!(convert::sniff(&png, Some("x.pdf")), InputKind::Image(ImageKind::Png));
    let pdf = std::fs::read(common::corpus().join("fillable/date-fields.pdf")).expect("corpus");
    assert_eq!(convert::sniff(&pdf, None), InputKind::Pdf);
    assert_eq!(convert::sniff(b"\xff\xd8\xff\xe0rest", None), InputKind::Image(ImageKind::Jpeg));
    assert_eq!(convert::sniff(b"II*\0rest", None), InputKind::Image(ImageKind::Tiff));
    assert_eq!(
        convert::sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"]), None),
        InputKind::Office(OfficeKind::Docx)
    );
    assert_eq!(convert::sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"]), None), InputKind::Office(OfficeKind::Xlsx));
    assert_eq!(convert::sniff(&zip_with(&["ppt/presentation.xml"]), None), InputKind::Office(OfficeKind::Pptx));
    let mut odt = zip_with(&["mimetype"]);
    odt.splice(32..34, b"application/vnd.oasis.opendocument.text".iter().copied());
    assert_eq!(convert::sniff(&odt, None), InputKind::Office(OfficeKind::Odt));
    assert_eq!(convert::sniff(b"{\\rtf1 hello}", None), InputKind::Office(OfficeKind::Rtf));
    let ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 more";
    assert_eq!(convert::sniff(ole, Some("a.xls")), InputKind::Office(OfficeKind::Xls));
    assert_eq!(convert::sniff(ole, Some("a.doc")), InputKind::Office(OfficeKind::Doc));
    assert_eq!(convert::sniff(b"<!DOCTYPE html><p>hi", None), InputKind::Html);
    assert_eq!(convert::sniff("plain words, ünïcode".as_bytes(), Some("a.txt")), InputKind::Text);
    assert_eq!(convert::sniff(b"a,b\n1,2\n", Some("t.csv")), InputKind::Office(OfficeKind::Csv));
    assert_eq!(convert::sniff(b"oops\n", None), InputKind::Unknown);
    assert_eq!(convert::sniff(b"<html><p>x</p>", Some("a.pdf")), InputKind::Unknown);
    assert_eq!(convert::sniff(b"\x00\x01\x02binary", None), InputKind::Unknown);
}

#[test]
fn a_missing_libreoffice_fails_the_conversion() {
    let options = ConvertOptions {
        soffice: Some(PathBuf::from("/nonexistent/soffice")),
        ..ConvertOptions::default()
    };
    let err = convert::convert_to_pdf(b"{\\rtf1 Hello}", Some("a.rtf"), &options).expect_err("no soffice");
    assert_eq!(err.reason(), "FAILED_TO_CONVERT_TO_PDF");
    assert!(err.to_string().contains("LibreOffice"), "{err}");
}

/// Runs in a child process with FORMSMITH_SOFFICE set (tests cannot set the variable in
/// their own process: `set_var` is unsafe and the workspace forbids unsafe code).
#[test]
fn soffice_env_child() {
    if std::env::var_os("FORMSMITH_PARSE_CHILD").is_none() {
        return;
    }
    let err = parse(
        b"{\\rtf1 Hello}",
        &ParseRequest {
            file_name: Some("letter.rtf"),
            ..Default::default()
        },
    )
    .expect_err("no soffice at FORMSMITH_SOFFICE");
    assert_eq!(err.reason(), "FAILED_TO_CONVERT_TO_PDF", "{err}");
}

#[test]
fn formsmith_soffice_pointing_nowhere_gives_failed_to_convert() {
    let status = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "soffice_env_child", "--nocapture"])
        .env("FORMSMITH_PARSE_CHILD", "1")
        .env("FORMSMITH_SOFFICE", "/nonexistent/bin/soffice")
        .status()
        .expect("run child");
    assert!(status.success());
}

#[test]
fn office_files_convert_when_libreoffice_is_installed() {
    if convert::find_soffice(&ConvertOptions::default()).is_none() {
        println!("NOTICE: LibreOffice (soffice) is not installed: office conversion not exercised");
        return;
    }
    let rtf = b"{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard Quarterly Zebra Report\\par Second paragraph here.\\par}";
    let out = parse(
        rtf,
        &ParseRequest {
            file_name: Some("report.rtf"),
            ..Default::default()
        },
    )
    .expect("converted and parsed");
    let text = common::all_text(&out);
    assert!(text.contains("Quarterly Zebra Report"), "{text}");
    assert!(out.page_count >= 1);
    let html = b"<!DOCTYPE html><html><body><p>Intro.</p><p>Paragraph Walrus here.</p></body></html>";
    let out = parse(html, &ParseRequest::default()).expect("html converted");
    assert!(common::all_text(&out).contains("Paragraph Walrus here."));
}

/// A loopback listener that counts the connections made to it while it lives.
struct Listener {
    port: u16,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn listener() -> Listener {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = socket.local_addr().expect("address").port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in socket.incoming() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    Listener { port, hits }
}

/// A file outside the cage: stands for another workspace's stored blob.
fn secret_file() -> (std::path::PathBuf, &'static str) {
    let dir = std::env::temp_dir().join(format!("formsmith-cage-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("secret dir");
    let path = dir.join("blob");
    let secret = "SECRETWORKSPACEAPAYLOAD";
    std::fs::write(&path, secret).expect("write secret");
    (path, secret)
}

#[test]
fn the_cage_has_no_network_and_no_view_of_the_servers_files() {
    if convert::find_soffice(&ConvertOptions::default()).is_none() {
        println!("NOTICE: LibreOffice (soffice) is not installed: the cage is not exercised");
        return;
    }
    let Some(python) = ["/usr/bin/python3"].into_iter().map(std::path::PathBuf::from).find(|p| p.exists()) else {
        println!("NOTICE: no /usr/bin/python3 to probe the cage with");
        return;
    };
    let ear = listener();
    let (secret_path, _) = secret_file();
    let job = tempdir("cage-job");
    std::fs::write(job.join("mine.txt"), "visible").expect("job file");
    let probe = format!(
        r#"
import socket, os
out = []
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2); out.append("NET-OPEN")
except OSError as e: out.append("net-closed")
for p in ["{secret}", "/etc/passwd", "/etc/hosts", "/root", "/home", "/work", "/proc/1/root/etc/passwd"]:
    try:
        open(p).read() if not os.path.isdir(p) else os.listdir(p); out.append("READ:" + p)
    except OSError: out.append("hidden")
out.append(open("/job/mine.txt").read())
print(" ".join(out))
"#,
        port = ear.port,
        secret = secret_path.display()
    );
    let output = convert::run_in_cage(&python, &["-c".into(), probe], &job).expect("cage runs");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said} {}", String::from_utf8_lossy(&output.stderr));
    assert!(said.contains("net-closed"), "{said}");
    assert!(!said.contains("NET-OPEN") && !said.contains("READ:"), "the cage leaked: {said}");
    assert!(said.contains("visible"), "the job directory is visible: {said}");
    assert_eq!(ear.hits.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[test]
fn documents_that_reference_outside_content_reach_nothing() {
    if convert::find_soffice(&ConvertOptions::default()).is_none() {
        println!("NOTICE: LibreOffice (soffice) is not installed: office conversion not exercised");
        return;
    }
    let ear = listener();
    let (secret_path, secret) = secret_file();
    // HTML: loads are emptied; the text converts.
    let html = format!(
        r#"<!DOCTYPE html><html><head><link rel="stylesheet" href="http://127.0.0.1:{p}/s.css"></head><body><p>Intro.</p>
<p>Visible Walrus text <img src="http://127.0.0.1:{p}/a.png"> <img src="file://{s}"></p>
<iframe src="file://{s}"></iframe><p style="background:url(http://127.0.0.1:{p}/b.png)">end</p></body></html>"#,
        p = ear.port,
        s = secret_path.display()
    );
    let out = parse(html.as_bytes(), &ParseRequest::default()).expect("html converted");
    let text = common::all_text(&out);
    assert!(text.contains("Visible Walrus text"), "{text}");
    assert!(!text.contains(secret), "{text}");
    // RTF with a field that includes another file: refused, naming the field.
    let rtf = format!(
        r#"{{\rtf1\ansi Hello {{\field{{\*\fldinst {{\rtlch\fcs1 INCLUDETEXT "{}" }}}}{{\fldrslt x}}}}\par}}"#,
        secret_path.display()
    );
    let err = parse(rtf.as_bytes(), &ParseRequest { file_name: Some("a.rtf"), ..Default::default() })
        .expect_err("an INCLUDETEXT field is refused");
    assert_eq!(err.reason(), "FAILED_TO_CONVERT_TO_PDF");
    assert!(err.to_string().contains("INCLUDETEXT"), "{err}");
    assert_eq!(ear.hits.load(std::sync::atomic::Ordering::SeqCst), 0, "a document reached the listener");
}

#[test]
fn html_keeps_its_first_paragraph() {
    if convert::find_soffice(&ConvertOptions::default()).is_none() {
        println!("NOTICE: LibreOffice (soffice) is not installed: HTML conversion not exercised");
        return;
    }
    // LibreOffice's default HTML import (Writer/Web) printed the first paragraph nowhere.
    let html = b"<html><body><p>Visible Okapi text</p><p>end</p></body></html>";
    let out = parse(html, &ParseRequest::default()).expect("html converted");
    let text = common::all_text(&out);
    assert!(text.contains("Visible Okapi text") && text.contains("end"), "{text}");
}

/// Hebrew and Arabic come out in reading order (the page draws them as seen, backwards),
/// word for word as poppler's pdftotext reads the same PDF (its bidi marks aside).
#[test]
fn right_to_left_text_reads_in_logical_order() {
    if convert::find_soffice(&ConvertOptions::default()).is_none() {
        assert!(std::env::var_os("CI").is_none(), "LibreOffice is missing in CI");
        println!("NOTICE: LibreOffice (soffice) is not installed: right-to-left text not exercised");
        return;
    }
    let html = r#"<html><head><meta charset="utf-8"></head><body dir="rtl">
<p>שלום עולם, זה מסמך בעברית עם המספר 2024 בתוכו.</p>
<p>مرحبا بالعالم، هذه وثيقة باللغة العربية.</p>
<p dir="ltr">Plain English line with שלום inside.</p></body></html>"#;
    let pdf = convert::convert_to_pdf(html.as_bytes(), Some("rtl.html"), &ConvertOptions::default()).expect("converted");
    let out = parse(&pdf, &ParseRequest::default()).expect("parsed");
    let text = common::all_text(&out);
    assert!(text.contains("שלום עולם, זה מסמך בעברית עם המספר 2024 בתוכו."), "{text}");
    assert!(text.contains("مرحبا بالعالم، هذه وثيقة باللغة العربية."), "{text}");
    assert!(text.contains("Plain English line with שלום inside."), "{text}");
    // The judge: pdftotext's words for the two right-to-left paragraphs (its bidi control
    // marks read as spaces; its third line is an LTR paragraph inside an RTL page, which it
    // orders as RTL).
    let dir = tempdir("rtl");
    let file = dir.join("rtl.pdf");
    std::fs::write(&file, &pdf).expect("write");
    let judged = std::process::Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext runs");
    let judged: String = String::from_utf8_lossy(&judged.stdout)
        .chars()
        .map(|c| if matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}') { ' ' } else { c })
        .collect();
    let words = |t: &str| t.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string()).filter(|w| !w.is_empty()).collect::<Vec<_>>();
    let (ours, theirs) = (words(&text), words(&judged));
    assert_eq!(ours.get(..15), theirs.get(..15), "ours:\n{text}\npdftotext:\n{judged}");
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("formsmith-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
