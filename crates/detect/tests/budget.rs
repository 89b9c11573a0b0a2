//! The document budget of the text pass (`TextOptions::max_document_*`, defaults from
//! `formsmith_engine::Limits`): hostile documents fail fast with LimitExceeded
//! (CORRUPT_FILE), and pages read in several runs (the reader reopens the document to free
//! decoded content) come back complete and in order.

use std::io::Write;
use std::time::{Duration, Instant};

use formsmith_detect::{DetectOptions, Error, TextOptions, detect_fields};
use formsmith_engine::FailureReason;
use formsmith_page::{extract_text, text_and_marks};

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("in memory");
    z.finish().expect("in memory")
}

/// `contents.len()` pages, page i drawing flate content `contents[i]`.
fn pdf(contents: &[Vec<u8>]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), Vec::new()];
    let mut kids = Vec::new();
    for content in contents {
        let z = deflate(content);
        let mut s =
            format!("<< /Filter /FlateDecode /Length {} >>\nstream\n", z.len()).into_bytes();
        s.extend_from_slice(&z);
        s.extend_from_slice(b"\nendstream");
        objects.push(s);
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
                objects.len()
            )
            .into_bytes(),
        );
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Count {} /Kids [{}] >>",
        kids.len(),
        kids.join(" ")
    )
    .into_bytes();
    let mut out = b"%PDF-1.7\n".to_vec();
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

/// A page showing `word` and a rule, padded with spaces to `size` bytes.
fn page(word: &str, size: usize) -> Vec<u8> {
    let mut c =
        format!("BT /F1 12 Tf 72 700 Td ({word}) Tj ET 72 650 m 300 650 l S\n").into_bytes();
    c.resize(size, b' ');
    c
}

fn is_limit(e: &Error, name: &str) -> bool {
    matches!(e, Error::LimitExceeded { limit, .. } if *limit == name)
        && e.reason() == FailureReason::CorruptFile
}

#[test]
fn pages_over_the_decoded_bytes_budget_fail_fast() {
    // 100 pages of 60 MiB (6 GB decoded; 6 MB of file): the budget (512 MiB) stops the
    // pass after 9 pages instead of holding them all.
    let bomb = pdf(&vec![page("x", 60 << 20); 100]);
    let started = Instant::now();
    let err = extract_text(&bomb, None, &TextOptions::default()).expect_err("over budget");
    assert!(is_limit(&err, "max_total_decoded_bytes"), "{err}");
    let err = text_and_marks(&bomb, None, &TextOptions::default()).expect_err("over budget");
    assert!(is_limit(&err, "max_total_decoded_bytes"), "{err}");
    let err = detect_fields(&bomb, None, &DetectOptions::default()).expect_err("over budget");
    assert!(is_limit(&err, "max_total_decoded_bytes"), "{err}");
    // Generous for a debug build on a shared machine; the release build takes about 2 s.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );

    // The same pages within the budget are read.
    let roomy = TextOptions {
        max_document_bytes: 8 << 30,
        ..TextOptions::default()
    };
    let few = pdf(&vec![page("x", 60 << 20); 2]);
    assert_eq!(extract_text(&few, None, &roomy).expect("reads").len(), 2);
    let tight = TextOptions {
        max_document_bytes: 100 << 20,
        ..TextOptions::default()
    };
    let err = extract_text(&few, None, &tight).expect_err("over a tight budget");
    assert!(is_limit(&err, "max_total_decoded_bytes"), "{err}");
}

#[test]
fn operations_glyphs_and_time_have_document_bounds() {
    let doc = pdf(&(0..20)
        .map(|i| page(&format!("word{i}"), 100))
        .collect::<Vec<_>>());
    assert_eq!(
        extract_text(&doc, None, &TextOptions::default())
            .expect("reads")
            .len(),
        20
    );
    // Each page draws a glyph run of 5 glyphs and a path: 20 pages pass 50 operations and
    // 50 glyphs, though no page reaches the page bounds.
    let ops = TextOptions {
        max_document_ops: 50,
        ..TextOptions::default()
    };
    let err = extract_text(&doc, None, &ops).expect_err("over the operations");
    assert!(is_limit(&err, "max_total_operations"), "{err}");
    let glyphs = TextOptions {
        max_document_glyphs: 50,
        ..TextOptions::default()
    };
    let err = extract_text(&doc, None, &glyphs).expect_err("over the glyphs");
    assert!(is_limit(&err, "max_total_glyphs"), "{err}");
    let time = TextOptions {
        max_document_time: Some(Duration::ZERO),
        ..TextOptions::default()
    };
    let err = extract_text(&doc, None, &time).expect_err("over the time");
    assert!(is_limit(&err, "max_total_time"), "{err}");
}

#[test]
fn pages_read_in_several_runs_are_complete_and_in_order() {
    // 12 pages of 6 MiB: more decoded content than one open holds (32 MiB), so the reader
    // reopens the document on the way; every page's word and rule must still be there.
    let contents: Vec<Vec<u8>> = (0..12)
        .map(|i| page(&format!("page{i}"), 6 << 20))
        .collect();
    let doc = pdf(&contents);
    let texts = extract_text(&doc, None, &TextOptions::default()).expect("reads");
    let words: Vec<String> = texts
        .iter()
        .map(|t| {
            t.words
                .iter()
                .map(|w| w.text.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let expected: Vec<String> = (0..12).map(|i| format!("page{i}")).collect();
    assert_eq!(words, expected);
    let order: Vec<usize> = texts.iter().map(|t| t.page).collect();
    assert_eq!(order, (0..12).collect::<Vec<_>>());

    // Pages asked out of order, through the marks pass.
    let asked = [11, 0, 5, 6, 1, 10, 2];
    let marked = text_and_marks(&doc, Some(&asked), &TextOptions::default()).expect("reads");
    for ((text, marks), &page) in marked.iter().zip(&asked) {
        assert_eq!(text.page, page);
        assert_eq!(
            text.words.first().map(|w| w.text.as_str()),
            Some(format!("page{page}").as_str())
        );
        assert!(!marks.is_empty(), "page {page}: the rule is a mark");
    }
}
