//! Damaged, broken, encrypted and hostile input: errors with the right failure reason,
//! warnings with partial results, never a panic, bounded time.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{CORPUS, pdfs};
use formsmith_engine::FailureReason;
use formsmith_page::{Error, TextOptions, TextWarning, extract_text};

fn read(file: &str) -> Vec<u8> {
    std::fs::read(Path::new(CORPUS).join(file)).expect("corpus file")
}

#[test]
fn damaged_and_broken_files_never_panic() {
    for set in ["damaged", "broken"] {
        for path in pdfs(set) {
            let bytes = std::fs::read(&path).expect("corpus file");
            let start = Instant::now();
            let result = extract_text(&bytes, None, &TextOptions::default());
            let elapsed = start.elapsed();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            match &result {
                Ok(pages) => {
                    let words: usize = pages.iter().map(|p| p.words.len()).sum();
                    let warnings: Vec<_> = pages.iter().flat_map(|p| &p.warnings).collect();
                    println!(
                        "{set}/{name}: {} pages, {words} words, {warnings:?} ({elapsed:?})",
                        pages.len()
                    );
                }
                Err(e) => println!("{set}/{name}: {} {e} ({elapsed:?})", e.reason()),
            }
            assert!(
                elapsed < Duration::from_secs(20),
                "{set}/{name} took {elapsed:?}"
            );
        }
    }
}

#[test]
fn broken_files_fail_with_their_reason() {
    let reason = |file: &str| {
        extract_text(&read(file), None, &TextOptions::default())
            .err()
            .map(|e| e.reason())
    };
    assert_eq!(reason("broken/empty.pdf"), Some(FailureReason::CorruptFile));
    assert_eq!(
        reason("broken/png-named-pdf.pdf"),
        Some(FailureReason::FileTypeNotSupported)
    );
    assert_eq!(
        reason("broken/garbage-with-header.pdf"),
        Some(FailureReason::CorruptFile)
    );
    for file in [
        "broken/user-password-required.pdf",
        "broken/user-password-aes256-pdfbox.pdf",
        "broken/pubsec-certificate-encrypted.pdf",
    ] {
        assert_eq!(
            reason(file),
            Some(FailureReason::PasswordProtectedFile),
            "{file}"
        );
    }
}

#[test]
fn user_password_opens_the_file() {
    let options = TextOptions {
        password: Some("userpw".into()),
        ..TextOptions::default()
    };
    let locked = extract_text(&read("broken/user-password-required.pdf"), None, &options)
        .expect("the user password opens it");
    let words: usize = locked.iter().map(|p| p.words.len()).sum();
    assert!(words > 1000, "{words} words");
}

/// Forms encrypted with an empty user password read like their unencrypted twins.
#[test]
fn empty_user_password_files_are_decrypted() {
    let options = TextOptions::default();
    for (encrypted, plain) in [
        (
            "fillable/irs-f1040-aes256-owner-only.pdf",
            Some("fillable/irs-f1040-prefilled.pdf"),
        ),
        (
            "fillable/sf424-rc4-128-owner-only.pdf",
            Some("fillable/sf424-page2.pdf"),
        ),
        (
            "fillable/openoffice-aes128-owner-only.pdf",
            Some("fillable/openoffice-form.pdf"),
        ),
        ("fillable/uscis-i485-xfa-aes128.pdf", None),
        ("fillable/gov-form-1087-xfa-hybrid.pdf", None),
        ("damaged/qpdf__qpdf_qtest_qpdf_leading-junk.pdf", None),
    ] {
        let pages = extract_text(&read(encrypted), None, &options).expect(encrypted);
        let words: Vec<_> = pages.iter().flat_map(|p| &p.words).collect();
        assert!(words.len() > 10, "{encrypted}: {} words", words.len());
        assert!(
            pages
                .iter()
                .all(|p| p.warnings.iter().all(|w| !w.is_failure())),
            "{encrypted}: {:?}",
            pages.iter().map(|p| &p.warnings).collect::<Vec<_>>()
        );
        if let Some(plain) = plain {
            let twin = extract_text(&read(plain), None, &options).expect(plain);
            let twin_words: Vec<_> = twin.iter().flat_map(|p| &p.words).collect();
            assert_eq!(words, twin_words, "{encrypted} differs from {plain}");
        }
    }
}

#[test]
fn decompression_bomb_is_refused_not_inflated() {
    let start = Instant::now();
    let pages = extract_text(
        &read("damaged/flate-bomb-1gib.pdf"),
        None,
        &TextOptions::default(),
    )
    .expect("the file opens");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(
        pages[0].warnings,
        vec![TextWarning::StreamTooLarge { limit: 64 << 20 }]
    );
    assert!(pages[0].words.is_empty());
}

#[test]
fn glyph_and_operation_limits_cut_pages_short() {
    let bytes = read("fillable/irs-f1040-prefilled.pdf");
    let options = TextOptions {
        max_glyphs_per_page: 100,
        ..TextOptions::default()
    };
    let pages = extract_text(&bytes, Some(&[0]), &options).expect("opens");
    assert_eq!(
        pages[0].warnings,
        vec![TextWarning::TooManyGlyphs { limit: 100 }]
    );
    let letters: usize = pages[0].words.iter().map(|w| w.text.chars().count()).sum();
    assert!(letters > 0 && letters <= 100, "{letters} letters kept");

    let options = TextOptions {
        max_ops_per_page: 50,
        ..TextOptions::default()
    };
    let pages = extract_text(&bytes, Some(&[0]), &options).expect("opens");
    assert_eq!(
        pages[0].warnings,
        vec![TextWarning::TooManyOperations { limit: 50 }]
    );

    let options = TextOptions {
        max_ops_per_page: 50,
        fail_on_page_error: true,
        ..TextOptions::default()
    };
    let err = extract_text(&bytes, Some(&[0]), &options).expect_err("strict mode fails");
    assert!(matches!(err, Error::Page { page: 0, .. }), "{err}");
    assert_eq!(err.reason(), FailureReason::FieldDetectionError);
}

#[test]
fn pages_are_returned_in_the_order_asked_and_checked() {
    let bytes = read("fillable/irs-f1040-prefilled.pdf");
    let options = TextOptions::default();
    let pages = extract_text(&bytes, Some(&[1, 0]), &options).expect("opens");
    assert_eq!(pages.iter().map(|p| p.page).collect::<Vec<_>>(), vec![1, 0]);
    let err = extract_text(&bytes, Some(&[0, 2]), &options).expect_err("no page 2");
    assert!(matches!(err, Error::PageOutOfRange { page: 2, count: 2 }));
    assert_eq!(err.reason(), FailureReason::InvalidOptions);
}

/// A one-page PDF whose content is the given streams (FlateDecode), with font F1.
fn page_with_contents(streams: &[Vec<u8>]) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    use std::io::Write;
    let mut doc = Document::with_version("1.7");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let contents: Vec<Object> = streams
        .iter()
        .map(|data| {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            z.write_all(data).expect("deflates");
            let packed = z.finish().expect("deflates");
            doc.add_object(Stream::new(
                dictionary! { "Filter" => "FlateDecode" },
                packed,
            ))
            .into()
        })
        .collect();
    common::one_page_pdf(
        doc,
        common::LETTER,
        0,
        contents,
        dictionary! { "Font" => dictionary! { "F1" => font } },
    )
}

/// hayro builds every glyph of one text operator before showing any: a 3 MB string (a few
/// kilobytes deflated) would cost hundreds of megabytes, so the page is refused unread,
/// also when the string is split across the page's content streams.
#[test]
fn a_gigantic_string_is_refused_before_interpretation() {
    let huge = [
        b"BT /F1 10 Tf 72 700 Td (".to_vec(),
        vec![b'A'; 3 << 20],
        b") Tj ET".to_vec(),
    ];
    let small = page_with_contents(&[b"BT /F1 10 Tf 72 700 Td (fine) Tj ET".to_vec()]);
    for (name, bytes) in [
        ("one stream", page_with_contents(&[huge.concat()])),
        ("three streams", page_with_contents(&huge)),
    ] {
        let start = Instant::now();
        let pages = extract_text(&bytes, None, &TextOptions::default()).expect("opens");
        assert_eq!(
            pages[0].warnings,
            vec![TextWarning::OperandTooLarge { limit: 1 << 20 }],
            "{name}"
        );
        assert!(start.elapsed() < Duration::from_secs(5), "{name}");
    }
    let pages = extract_text(&small, None, &TextOptions::default()).expect("opens");
    assert_eq!(pages[0].words.len(), 1);
}

/// A form XObject that draws the next one ten times, eight levels deep: 10^8 drawings if
/// nothing stops it. The operation limit does.
#[test]
fn exponential_xobject_nesting_is_bounded() {
    use lopdf::{Document, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut inner = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        },
        b"BT /F1 10 Tf 100 100 Td (deep) Tj ET".to_vec(),
    ));
    for _ in 0..8 {
        inner = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "X" => inner } },
            },
            b"/X Do ".repeat(10),
        ));
    }
    let content = doc.add_object(Stream::new(dictionary! {}, b"/X Do".to_vec()));
    let bytes = common::one_page_pdf(
        doc,
        common::LETTER,
        0,
        content,
        dictionary! { "XObject" => dictionary! { "X" => inner } },
    );

    let start = Instant::now();
    let options = TextOptions {
        max_ops_per_page: 200_000,
        ..TextOptions::default()
    };
    let result = extract_text(&bytes, None, &options).expect("opens");
    let elapsed = start.elapsed();
    println!("nested XObjects: {:?} in {elapsed:?}", result[0].warnings);
    assert!(
        result[0]
            .warnings
            .iter()
            .any(|w| matches!(w, TextWarning::TooManyOperations { .. })),
        "{:?}",
        result[0].warnings
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    assert!(result[0].words.iter().all(|w| w.text == "deep"));
}
