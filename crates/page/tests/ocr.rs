//! OCR of scanned pages and images (feature `ocr`), and the scanned-page check: against
//! the scans' vector twins (their text layer is the truth), and on hostile images.
//!
//! The scanned corpus files are rasterized copies of vector twins (MANIFEST.tsv). The scans
//! were rotated 0.6° about their centre with the canvas grown to hold the rotation, so the
//! twin's coordinates are shifted by half the size difference (the content stays centred).

#![cfg_attr(not(feature = "ocr"), allow(dead_code, unused_imports))]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use formsmith_page::ocr::{self, OcrOptions};
use formsmith_page::{Error, TextOptions, extract_text};

use common::{corpus_path as corpus, read_corpus as read};

/// Normalized word text for matching: alphanumerics only, lower case.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn center(r: &[f32; 4]) -> (f32, f32) {
    ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0)
}

/// Where a point of the twin page lands on its scan: the scans were made by rotating the
/// twin's raster clockwise by `degrees` about its centre (ImageMagick `-rotate`), on a canvas
/// grown to hold it, so the centres coincide.
#[derive(Debug, Clone, Copy)]
struct Placement {
    twin_size: (f32, f32),
    scan_size: (f32, f32),
    degrees: f32,
}

impl Placement {
    fn map(&self, (x, y): (f32, f32)) -> (f32, f32) {
        let (dx, dy) = (x - self.twin_size.0 / 2.0, y - self.twin_size.1 / 2.0);
        let (s, c) = self.degrees.to_radians().sin_cos();
        // Clockwise as displayed is clockwise in y-up user space too.
        let (rx, ry) = (dx * c + dy * s, -dx * s + dy * c);
        (rx + self.scan_size.0 / 2.0, ry + self.scan_size.1 / 2.0)
    }
}

/// Share of the twin's words (two or more alphanumerics) that OCR found with the same text
/// within `tolerance` points of the twin's place on the scan.
fn word_recall(
    twin: &[formsmith_page::Word],
    found: &[formsmith_page::Word],
    placement: Placement,
    tolerance: f32,
) -> (usize, usize) {
    let mut total = 0;
    let mut matched = 0;
    for t in twin {
        let key = norm(&t.text);
        if key.chars().count() < 2 {
            continue;
        }
        total += 1;
        let (tx, ty) = placement.map(center(&t.rect));
        if found.iter().any(|f| {
            let (fx, fy) = center(&f.rect);
            norm(&f.text) == key && (fx - tx).abs() <= tolerance && (fy - ty).abs() <= tolerance
        }) {
            matched += 1;
        }
    }
    (matched, total)
}

/// `pdftoppm -png` of one page (1-based) at `dpi`, in a temporary file.
fn png_of_page(rel: &str, page: u32, dpi: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("formsmith-scanned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let stem = dir.join(format!("{}-{page}-{dpi}", norm(rel)));
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-png",
            "-singlefile",
            "-r",
            &dpi.to_string(),
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(corpus(rel))
        .arg(&stem)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    stem.with_extension("png")
}

#[test]
fn scanned_1040_is_recognized_as_scanned() {
    let checks = ocr::scanned_pages(
        &read("flat/irs-f1040-scanned-150dpi.pdf"),
        None,
        &TextOptions::default(),
    )
    .expect("reads");
    assert_eq!(checks.len(), 2);
    assert!(
        checks.iter().all(|c| c.scanned && c.image_coverage > 0.95),
        "{checks:?}"
    );
    let vector = ocr::scanned_pages(
        &read("flat/irs-f1040-flat-vector.pdf"),
        None,
        &TextOptions::default(),
    )
    .expect("reads");
    assert!(
        vector.iter().all(|c| !c.scanned && c.words > 100),
        "{vector:?}"
    );
    assert!(
        ocr::page_is_scanned(
            &read("flat/va-0730b-scanned-filled.pdf"),
            0,
            &TextOptions::default()
        )
        .expect("reads")
    );
}

#[test]
fn hostile_image_header_fails_cleanly_and_fast() {
    // A JPEG whose frame header claims 60000 x 60000 pixels (3.6 gigapixels), then nothing.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    jpeg.extend_from_slice(b"JFIF\0\x01\x01\x01\x00\x48\x00\x48\x00\x00");
    jpeg.extend_from_slice(&[
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x01, 0x01, 0x11, 0x00,
    ]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let started = Instant::now();
    let err = ocr::ocr_image(&jpeg, &OcrOptions::default()).expect_err("refused");
    assert!(matches!(err, Error::TooLarge(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Not an image at all.
    let err =
        ocr::ocr_image(b"plain text, not a picture", &OcrOptions::default()).expect_err("refused");
    assert!(matches!(err, Error::NotPdf(_)), "{err}");
    // A truncated PNG: its header, then nothing.
    let png =
        std::fs::read(png_of_page("flat/illinois-bill-of-sale-scanned.pdf", 1, 50)).expect("png");
    let err =
        ocr::ocr_image(&png[..200.min(png.len())], &OcrOptions::default()).expect_err("refused");
    assert!(matches!(err, Error::CorruptImage(_)), "{err}");
}

#[cfg(not(feature = "ocr"))]
#[test]
fn without_the_feature_ocr_says_so() {
    let err = ocr::ocr_pdf(
        &read("flat/irs-f1040-scanned-150dpi.pdf"),
        Some(&[0]),
        &OcrOptions::default(),
    )
    .expect_err("no OCR");
    assert!(err.is_ocr(), "{err}");
    assert!(
        err.to_string().contains("built without the ocr feature"),
        "{err}"
    );
    assert_eq!(
        err.reason(),
        formsmith_engine::FailureReason::FieldDetectionError
    );
}

#[cfg(feature = "ocr")]
mod with_ocr {
    use super::*;

    #[test]
    fn ocr_of_the_scanned_1040_finds_the_twin_words_in_place() {
        let scan = read("flat/irs-f1040-scanned-150dpi.pdf");
        let started = Instant::now();
        let pages = ocr::ocr_pdf(&scan, Some(&[0]), &OcrOptions::default()).expect("ocr");
        let took = started.elapsed();
        let page = &pages[0];
        assert_eq!(page.page, 0);
        assert_eq!(page.words.len(), page.confidence.len());
        let twin = extract_text(
            &read("flat/irs-f1040-flat-vector.pdf"),
            Some(&[0]),
            &TextOptions::default(),
        )
        .expect("twin text");
        // The scan page is the twin rotated on a canvas grown to hold it: centred.
        let offset = ((page.width - 612.0) / 2.0, (page.height - 792.0) / 2.0);
        assert!(offset.0 > 0.0 && offset.0 < 10.0, "{offset:?}");
        let placement = Placement {
            twin_size: (612.0, 792.0),
            scan_size: (page.width, page.height),
            degrees: 0.6,
        };
        assert!(page.words.iter().any(|w| w.text == "1040"), "no 1040 read");
        for known in [
            "Form",
            "Individual",
            "Income",
            "Tax",
            "Return",
            "Department",
        ] {
            let truth = twin[0]
                .words
                .iter()
                .find(|w| w.text == known)
                .expect("twin has it");
            let b = placement.map(center(&truth.rect));
            let near = page.words.iter().filter(|w| w.text == known).any(|w| {
                let a = center(&w.rect);
                (a.0 - b.0).abs() < 6.0 && (a.1 - b.1).abs() < 6.0
            });
            assert!(near, "OCR has no {known} near the twin's {:?}", truth.rect);
        }
        let (matched, total) = word_recall(&twin[0].words, &page.words, placement, 4.0);
        let recall = matched as f32 / total as f32;
        let loose = word_recall(&twin[0].words, &page.words, placement, 1000.0);
        eprintln!("anywhere on the page: {loose:?}");
        if std::env::var_os("SCANNED_DEBUG").is_some() {
            for t in &twin[0].words {
                let (tx, ty) = placement.map(center(&t.rect));
                if let Some(f) = page
                    .words
                    .iter()
                    .filter(|f| norm(&f.text) == norm(&t.text))
                    .min_by(|a, b| {
                        let da = (center(&a.rect).0 - tx).abs() + (center(&a.rect).1 - ty).abs();
                        let db = (center(&b.rect).0 - tx).abs() + (center(&b.rect).1 - ty).abs();
                        da.total_cmp(&db)
                    })
                {
                    eprintln!(
                        "{:>12} twin ({tx:6.1},{ty:6.1}) ocr d=({:5.1},{:5.1}) h {:.1}/{:.1}",
                        t.text,
                        center(&f.rect).0 - tx,
                        center(&f.rect).1 - ty,
                        t.rect[3] - t.rect[1],
                        f.rect[3] - f.rect[1]
                    );
                }
            }
        }
        eprintln!("scanned 1040 p1: OCR word recall {matched}/{total} = {recall:.3} in {took:?}");
        // Measured 0.69 (150 dpi JPEG at quality 70, skewed); most misses are small words
        // run into dot leaders.
        assert!(recall >= 0.62, "recall {recall}");
        // Lines cover the words in order.
        let mut next = 0;
        for line in &page.lines {
            assert_eq!(line.words.start, next);
            next = line.words.end;
        }
        assert_eq!(next, page.words.len());
    }

    #[test]
    fn ocr_image_of_a_rendered_page_uses_its_resolution() {
        // pdftoppm writes the resolution into the PNG (pHYs): points come out as on the page.
        let png = std::fs::read(png_of_page(
            "flat/illinois-bill-of-sale-flat-vector.pdf",
            1,
            200,
        ))
        .expect("png");
        let pages = ocr::ocr_image(&png, &OcrOptions::default()).expect("ocr");
        assert_eq!(pages.len(), 1);
        let page = &pages[0];
        let twin = extract_text(
            &read("flat/illinois-bill-of-sale-flat-vector.pdf"),
            Some(&[0]),
            &TextOptions::default(),
        )
        .expect("twin");
        assert!(
            (page.width - 612.0).abs() < 2.0 && (page.height - 792.0).abs() < 2.0,
            "{} x {}",
            page.width,
            page.height
        );
        let (matched, total) = word_recall(
            &twin[0].words,
            &page.words,
            Placement {
                twin_size: (612.0, 792.0),
                scan_size: (612.0, 792.0),
                degrees: 0.0,
            },
            4.0,
        );
        let recall = matched as f32 / total as f32;
        eprintln!("bill of sale PNG: OCR word recall {matched}/{total} = {recall:.3}");
        assert!(recall >= 0.85, "recall {recall}");
    }

    #[test]
    fn multi_page_tiff_gives_one_page_each_at_its_resolution() {
        use tiff::encoder::{Rational, TiffEncoder, colortype};
        use tiff::tags::ResolutionUnit;
        // Two pages: the bill of sale rendered by pdftoppm at 150 dpi, and the same at 100 dpi.
        let mut file = std::io::Cursor::new(Vec::new());
        {
            let mut encoder = TiffEncoder::new(&mut file).expect("encoder");
            for dpi in [150u32, 100] {
                let png = std::fs::read(png_of_page(
                    "flat/illinois-bill-of-sale-flat-vector.pdf",
                    1,
                    dpi,
                ))
                .expect("png");
                let decoded =
                    formsmith_page::raster::decode_image(&png, 50_000_000).expect("decodes");
                let gray = &decoded[0].gray;
                let mut image = encoder
                    .new_image::<colortype::Gray8>(gray.width, gray.height)
                    .expect("image");
                image.resolution(ResolutionUnit::Inch, Rational { n: dpi, d: 1 });
                image.write_data(&gray.data).expect("written");
            }
        }
        let pages = ocr::ocr_image(file.get_ref(), &OcrOptions::default()).expect("ocr");
        assert_eq!(pages.len(), 2);
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(page.page, i);
            assert!(
                (page.width - 612.0).abs() < 2.0 && (page.height - 792.0).abs() < 2.0,
                "{} x {}",
                page.width,
                page.height
            );
            let bill = page
                .words
                .iter()
                .find(|w| w.text == "BILL")
                .expect("title read");
            // The title sits near the top of the page (y up).
            assert!(bill.rect[1] > 700.0, "{:?}", bill.rect);
        }
    }

    #[test]
    fn pages_are_rendered_within_the_pixel_limit() {
        // One million pixels for a 622 x 800 pt page: about 115 dpi instead of 300.
        let options = OcrOptions {
            max_pixels: 1_000_000,
            ..OcrOptions::default()
        };
        let pages = ocr::ocr_pdf(
            &read("flat/illinois-bill-of-sale-scanned.pdf"),
            None,
            &options,
        )
        .expect("ocr");
        let words = &pages[0].words;
        assert!(words.len() > 50, "{}", words.len());
        // Same coordinates as at full resolution: the title stays near the top.
        let sale = words.iter().find(|w| w.text == "SALE").expect("title read");
        assert!(
            sale.rect[1] > 700.0 && sale.rect[3] < 800.0,
            "{:?}",
            sale.rect
        );
    }

    #[test]
    fn missing_language_data_names_the_package() {
        let options = OcrOptions {
            language: "zzz".into(),
            ..OcrOptions::default()
        };
        let err = ocr::ocr_pdf(
            &read("flat/irs-f1040-scanned-150dpi.pdf"),
            Some(&[0]),
            &options,
        )
        .expect_err("no zzz");
        assert!(err.is_ocr());
        assert!(err.to_string().contains("tesseract-ocr-zzz"), "{err}");
    }

    #[test]
    fn a_page_that_takes_too_long_times_out() {
        let options = OcrOptions {
            timeout: Some(Duration::from_millis(1)),
            ..OcrOptions::default()
        };
        let started = Instant::now();
        let err = ocr::ocr_pdf(
            &read("flat/irs-f1040-scanned-150dpi.pdf"),
            Some(&[0]),
            &options,
        )
        .expect_err("timeout");
        assert!(
            err.is_ocr() && err.to_string().contains("longer than"),
            "{err}"
        );
        // Rendering is not under the OCR timeout; recognition is abandoned at once.
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}
