//! Fields of scanned pages (feature `ocr`): raster detection against the scans' vector
//! twins, bounds, and hostile images. OCR itself is tested in formsmith-page (tests/ocr.rs).
//!
//! The scanned corpus files are rasterized copies of vector twins (MANIFEST.tsv): the twin's
//! text layer and widgets are the truth. The scans were rotated 0.6° about their centre
//! with the canvas grown to hold the rotation, so the twin's coordinates are shifted by half
//! the size difference (the content stays centred).

#![cfg_attr(not(feature = "ocr"), allow(dead_code, unused_imports))]

// The corpus and poppler helpers are the page crate's (text tests live there).
#[path = "../../page/tests/common/mod.rs"]
mod common;
#[cfg(feature = "ocr")]
mod scan_eval;

use std::time::{Duration, Instant};

use formsmith_page::Error;
use formsmith_page::ocr::{self, OcrOptions};

use common::read_corpus as read;

/// A letter page that draws one image of `side` x `side` gray samples over the whole page
/// (the samples themselves: `data`, Flate-compressed).
fn page_with_image(side: u32, data: &[u8]) -> Vec<u8> {
    use lopdf::{Document, Stream, dictionary};
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("deflates");
    let packed = z.finish().expect("deflates");
    let mut doc = Document::with_version("1.7");
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => side, "Height" => side,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "FlateDecode",
        },
        packed,
    ));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"q 612 0 0 792 0 0 cm /Im0 Do Q".to_vec(),
    ));
    common::one_page_pdf(
        doc,
        common::LETTER,
        0,
        content,
        dictionary! { "XObject" => dictionary! { "Im0" => image } },
    )
}

/// A scanned page whose image claims 40000 x 40000 samples (1.6 gigapixels; the file holds
/// a few bytes) is refused before rendering would decode it.
#[test]
fn a_huge_page_image_is_not_rendered() {
    let pdf = page_with_image(40_000, &[255; 1024]);
    let started = Instant::now();
    let pages =
        formsmith_detect::detect_fields(&pdf, None, &formsmith_detect::DetectOptions::default())
            .expect("reads");
    assert!(pages[0].image_only && pages[0].fields.is_empty());
    if ocr::AVAILABLE {
        let warned = pages[0]
            .warnings
            .iter()
            .any(|w| w.to_string().contains("image of 1600000000 pixels"));
        assert!(warned, "{:?}", pages[0].warnings);
    }
    let err = ocr::ocr_pdf(&pdf, None, &OcrOptions::default()).expect_err("refused");
    assert!(matches!(err, Error::TooLarge(_)), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[cfg(not(feature = "ocr"))]
#[test]
fn without_the_feature_scanned_pages_have_no_fields() {
    let pages = formsmith_detect::detect_fields(
        &read("flat/illinois-bill-of-sale-scanned.pdf"),
        None,
        &formsmith_detect::DetectOptions::default(),
    )
    .expect("reads");
    assert!(pages[0].image_only && pages[0].fields.is_empty() && pages[0].scan_skew.is_none());
}

#[cfg(feature = "ocr")]
mod with_ocr {
    use super::*;

    #[test]
    fn raster_detection_on_the_scanned_1040_finds_the_twins_widgets() {
        let pages = scan_eval::evaluate(&scan_eval::CASES[0]).expect("evaluates");
        let text = scan_eval::totals(&pages, false)[0];
        let check = scan_eval::totals(&pages, false)[1];
        eprintln!(
            "scanned 1040: text P {:.3} R {:.3}, check P {:.3} R {:.3}",
            text.precision(),
            text.recall(),
            check.precision(),
            check.recall()
        );
        // Measured: text P 0.66 R 0.57, check boxes P 0.94 R 0.85 (IoU >= 0.5).
        assert!(
            text.recall() >= 0.50 && text.precision() >= 0.58,
            "{text:?}"
        );
        assert!(
            check.recall() >= 0.75 && check.precision() >= 0.85,
            "{check:?}"
        );
        for p in &pages {
            let skew = p.skew.expect("read from pixels");
            assert!((skew - 0.6).abs() < 0.1, "skew {skew}");
        }
    }

    #[test]
    fn scanned_pages_per_call_are_bounded() {
        let options = formsmith_detect::DetectOptions {
            max_scanned_pages: 1,
            ..formsmith_detect::DetectOptions::default()
        };
        let pages = formsmith_detect::detect_fields(
            &read("flat/irs-f1040-scanned-150dpi.pdf"),
            None,
            &options,
        )
        .expect("reads");
        assert!(pages[0].scan_skew.is_some() && !pages[0].fields.is_empty());
        assert!(pages[1].scan_skew.is_none() && pages[1].fields.is_empty());
        assert!(
            pages[1]
                .warnings
                .iter()
                .any(|w| w.to_string().contains("more than 1 scanned pages")),
            "{:?}",
            pages[1].warnings
        );
    }

    #[test]
    fn scanned_fields_are_marked_and_labelled() {
        let pages = formsmith_detect::detect_fields(
            &read("flat/illinois-bill-of-sale-scanned.pdf"),
            None,
            &formsmith_detect::DetectOptions::default(),
        )
        .expect("reads");
        let page = &pages[0];
        assert!(page.image_only && page.scan_skew.is_some(), "{page:?}");
        assert!(page.fields.len() >= 12, "{}", page.fields.len());
        assert!(page.fields.iter().all(|f| f.from_scan));
        let labelled = page.fields.iter().filter(|f| f.label.is_some()).count();
        assert!(
            labelled * 10 >= page.fields.len() * 7,
            "{labelled} of {}",
            page.fields.len()
        );
        // Fields lie on the page.
        for f in &page.fields {
            assert!(
                f.rect[0] >= 0.0 && f.rect[1] >= 0.0 && f.rect[2] <= 625.0 && f.rect[3] <= 805.0,
                "{f:?}"
            );
        }
    }
}
