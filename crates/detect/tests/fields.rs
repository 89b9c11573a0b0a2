//! Field detection on pages made here (each drawing one kind of field the way forms do) and
//! on the corpus (flat forms, damaged files, hostile pages): what is found, where, with
//! which label, and that hostile pages stay bounded.

use std::time::{Duration, Instant};

use formsmith_detect::{
    DetectOptions, DetectedField, FieldKind, FieldSource, PageFields, TextOptions, detect_fields,
};

// The corpus and poppler helpers are the page crate's (text tests live there).
#[path = "../../page/tests/common/mod.rs"]
mod common;
mod eval;

/// A one-page PDF (612 × 792, or `media` and `rotate`) drawing `content`, with Helvetica as
/// F1 and ZapfDingbats as F2.
fn page_with(content: &str, media: [i64; 4], rotate: i64) -> Vec<u8> {
    use lopdf::{Document, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let helvetica = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let dingbats = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "ZapfDingbats",
    });
    let contents = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    common::one_page_pdf(
        doc,
        media,
        rotate,
        contents,
        dictionary! { "Font" => dictionary! { "F1" => helvetica, "F2" => dingbats } },
    )
}

fn letter(content: &str) -> Vec<u8> {
    page_with(content, [0, 0, 612, 792], 0)
}

fn detect(pdf: &[u8]) -> PageFields {
    let mut pages = detect_fields(pdf, None, &DetectOptions::default()).expect("detects");
    assert_eq!(pages.len(), 1);
    pages.remove(0)
}

/// Text at (x, y) in 10 pt Helvetica.
fn text(x: f32, y: f32, s: &str) -> String {
    format!("BT /F1 10 Tf {x} {y} Td ({s}) Tj ET\n")
}

fn near(a: [f32; 4], b: [f32; 4], tolerance: f32) -> bool {
    a.iter()
        .zip(b.iter())
        .all(|(x, y)| (x - y).abs() <= tolerance)
}

fn only(page: &PageFields) -> &DetectedField {
    assert_eq!(page.fields.len(), 1, "{:#?}", page.fields);
    &page.fields[0]
}

#[test]
fn an_empty_box_is_a_text_input_labelled_by_the_words_left_of_it() {
    let content = text(72.0, 704.0, "Last name") + "0.5 w 140 700 200 18 re S\n";
    let page = detect(&letter(&content));
    let f = only(&page);
    assert_eq!((f.kind, f.source), (FieldKind::Text, FieldSource::Box));
    assert!(
        near(f.rect, [140.0, 700.0, 340.0, 718.0], 1.0),
        "{:?}",
        f.rect
    );
    assert_eq!(f.label.as_deref(), Some("Last name"));
    assert!(!f.multiline && f.comb.is_none());
}

#[test]
fn a_caption_inside_a_box_labels_the_space_below_it() {
    // A box 30 pt tall with a 6 pt caption in its top-left corner (IRS style).
    let content =
        "0.5 w 72 660 300 30 re S\nBT /F1 6 Tf 74 683 Td (Your first name and initial) Tj ET\n";
    let page = detect(&letter(content));
    let f = only(&page);
    assert_eq!(f.label.as_deref(), Some("Your first name and initial"));
    assert!(
        f.rect[3] < 683.0 && f.rect[3] > 680.0 && (f.rect[1] - 660.0).abs() < 1.0,
        "{:?}",
        f.rect
    );
}

#[test]
fn a_box_that_holds_printed_text_is_not_an_input() {
    let content = "0.5 w 72 600 200 16 re S\n".to_string()
        + &text(76.0, 604.0, "Total income from all sources listed")
        + "0.5 w 72 600 200 16 re S\n";
    let page = detect(&letter(&content));
    assert!(page.fields.is_empty(), "{:#?}", page.fields);
}

#[test]
fn a_rule_after_a_label_is_an_input_on_the_line() {
    let content = text(72.0, 600.0, "City") + "0.5 w 100 598 m 300 598 l S\n";
    let page = detect(&letter(&content));
    let f = only(&page);
    assert_eq!(
        (f.kind, f.source),
        (FieldKind::Text, FieldSource::Underline)
    );
    assert_eq!(f.label.as_deref(), Some("City"));
    assert!(f.rect[0] >= 100.0 && f.rect[2] <= 300.0 && f.rect[2] > 290.0);
    assert!(
        // From just under the rule to about two lines of the label's type above it.
        (f.rect[1] - 596.5).abs() < 1.0 && (f.rect[3] - 616.0).abs() < 1.5,
        "{:?}",
        f.rect
    );
}

#[test]
fn typed_underscores_are_blanks() {
    let content = text(72.0, 600.0, "Date: ____________________, 20____");
    let page = detect(&letter(&content));
    assert_eq!(page.fields.len(), 2, "{:#?}", page.fields);
    assert_eq!(page.fields[0].label.as_deref(), Some("Date"));
    assert!(
        page.fields
            .iter()
            .all(|f| f.source == FieldSource::Underline)
    );
    // The year's blank starts after the printed "20".
    assert!(page.fields[1].rect[0] > page.fields[0].rect[2] + 10.0);
}

#[test]
fn a_row_of_equal_boxes_is_one_comb_input() {
    let mut content = text(72.0, 504.0, "Social security number");
    for i in 0..9 {
        content += &format!("0.5 w {} 500 14 16 re S\n", 200 + 14 * i);
    }
    let page = detect(&letter(&content));
    let f = only(&page);
    assert_eq!((f.kind, f.comb), (FieldKind::Text, Some(9)));
    assert!(
        near(f.rect, [200.0, 500.0, 326.0, 516.0], 1.0),
        "{:?}",
        f.rect
    );
    assert_eq!(f.label.as_deref(), Some("Social security number"));
}

#[test]
fn boxes_of_three_two_and_four_are_one_social_security_number() {
    let mut content = text(72.0, 504.0, "SSN");
    for (x, w) in [(200, 30), (230, 20), (250, 40)] {
        content += &format!("0.5 w {x} 500 {w} 14 re S\n");
    }
    let page = detect(&letter(&content));
    let f = only(&page);
    assert_eq!(f.kind, FieldKind::Text);
    assert!(
        near(f.rect, [200.0, 500.0, 290.0, 514.0], 1.0),
        "{:?}",
        f.rect
    );
}

#[test]
fn small_squares_and_round_outlines_are_check_boxes_captioned_on_their_right() {
    let circle = "0.5 w 205 455 m 205 457.8 202.8 460 200 460 c 197.2 460 195 457.8 195 455 c \
                  195 452.2 197.2 450 200 450 c 202.8 450 205 452.2 205 455 c S\n";
    let content = "0.5 w 72 500 9 9 re S\n".to_string()
        + &text(86.0, 501.0, "Single")
        + circle
        + &text(210.0, 451.0, "Married");
    let page = detect(&letter(&content));
    assert_eq!(page.fields.len(), 2, "{:#?}", page.fields);
    let single = &page.fields[0];
    assert_eq!(
        (single.kind, single.label.as_deref()),
        (FieldKind::Checkbox, Some("Single"))
    );
    assert!(
        near(single.rect, [72.0, 500.0, 81.0, 509.0], 0.8),
        "{:?}",
        single.rect
    );
    let married = &page.fields[1];
    assert_eq!(
        (married.kind, married.label.as_deref()),
        (FieldKind::Checkbox, Some("Married"))
    );
}

#[test]
fn box_glyphs_are_check_boxes() {
    // ZapfDingbats "q" is ❑, a square drawn as a glyph, as word processors print them.
    let content = "BT /F2 10 Tf 72 600 Td (q) Tj ET\n".to_string() + &text(86.0, 600.0, "Yes");
    let page = detect(&letter(&content));
    let f = only(&page);
    assert_eq!(
        (f.kind, f.source),
        (FieldKind::Checkbox, FieldSource::Glyph),
        "{f:?}"
    );
    assert_eq!(f.label.as_deref(), Some("Yes"), "{f:?}");
}

#[test]
fn a_line_labelled_signature_is_a_signature_area_and_its_date_a_text_input() {
    let content = "0.5 w 72 200 m 300 200 l S 340 200 m 480 200 l S\n".to_string()
        + &text(72.0, 190.0, "Signature of applicant")
        + &text(340.0, 190.0, "Date");
    let page = detect(&letter(&content));
    assert_eq!(page.fields.len(), 2, "{:#?}", page.fields);
    assert_eq!(page.fields[0].kind, FieldKind::Signature);
    assert_eq!(page.fields[1].kind, FieldKind::Text);
    assert_eq!(page.fields[1].label.as_deref(), Some("Date"));
}

#[test]
fn shaded_boxes_and_official_use_panels_are_left_alone() {
    let shaded = "0.6 g 72 600 200 18 re f 0 g 0.5 w 72 600 200 18 re S\n";
    let panel = "0.5 w 72 300 300 100 re S 72 385 m 372 385 l S\n".to_string()
        + &text(150.0, 388.0, "For Official Use Only")
        + "0.5 w 80 340 120 16 re S\n";
    let page = detect(&letter(&(shaded.to_string() + &panel)));
    assert!(page.fields.is_empty(), "{:#?}", page.fields);
}

#[test]
fn boxes_on_rotated_and_cropped_pages_come_back_in_user_space() {
    let content = text(72.0, 704.0, "Last name") + "0.5 w 140 700 200 18 re S\n";
    for rotate in [0, 90, 180, 270] {
        let page = detect(&page_with(&content, [0, 0, 612, 792], rotate));
        let box_field = page
            .fields
            .iter()
            .find(|f| f.source == FieldSource::Box)
            .unwrap_or_else(|| panic!("rotate {rotate}: {:#?}", page.fields));
        assert!(
            near(box_field.rect, [140.0, 700.0, 340.0, 718.0], 1.0),
            "rotate {rotate}: {:?}",
            box_field.rect
        );
    }
    let cropped = page_with(&content, [-50, -50, 700, 900], 0);
    let f = only(&detect(&cropped)).clone();
    assert!(
        near(f.rect, [140.0, 700.0, 340.0, 718.0], 1.0),
        "{:?}",
        f.rect
    );
}

#[test]
fn white_areas_on_a_tinted_page_are_inputs_and_circled_marks_are_not_boxes() {
    // A pale blue page, a white entry area without a line around it, and a ◉ marker (a
    // circle around a dot) such as state forms print next to line numbers.
    let content = "0.85 0.95 1 rg 0 0 612 792 re f\n1 g 150 600 120 14 re f\n0 g\n".to_string()
        + &text(72.0, 603.0, "Wages")
        + "0.5 w 460 507 m 460 509.8 457.8 512 455 512 c 452.2 512 450 509.8 450 507 c \
           450 504.2 452.2 502 455 502 c 457.8 502 460 504.2 460 507 c S\n\
           457 507 m 457 508.1 456.1 509 455 509 c 453.9 509 453 508.1 453 507 c \
           453 505.9 453.9 505 455 505 c 456.1 505 457 505.9 457 507 c f\n";
    let page = detect(&letter(&content));
    let f = only(&page);
    assert_eq!((f.kind, f.source), (FieldKind::Text, FieldSource::Box));
    assert!(
        near(f.rect, [150.0, 600.0, 270.0, 614.0], 0.5),
        "{:?}",
        f.rect
    );
    assert_eq!(f.label.as_deref(), Some("Wages"));
}

#[test]
fn a_tall_empty_box_takes_several_lines() {
    let content = text(72.0, 604.0, "Comments") + "0.5 w 72 500 400 90 re S\n";
    let page = detect(&letter(&content));
    let f = only(&page);
    assert!(f.multiline, "{f:?}");
    assert_eq!(f.label.as_deref(), Some("Comments"));
}

#[test]
fn a_page_that_is_one_picture_is_reported_as_such() {
    // A 1x1 grey image stretched over the page.
    use lopdf::{Document, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![128],
    ));
    let contents = doc.add_object(Stream::new(
        dictionary! {},
        b"q 612 0 0 792 0 0 cm /Im0 Do Q".to_vec(),
    ));
    let bytes = common::one_page_pdf(
        doc,
        common::LETTER,
        0,
        contents,
        dictionary! { "XObject" => dictionary! { "Im0" => image } },
    );
    let page = detect(&bytes);
    assert!(page.image_only && page.fields.is_empty());
}

/// 250 000 tiny boxes (a hostile grid): detection stops at its limits, says so, and stays
/// fast.
#[test]
fn a_page_of_a_quarter_million_boxes_is_bounded() {
    let mut content = String::with_capacity(8 << 20);
    content.push_str("0.2 w\n");
    for i in 0..500 {
        for j in 0..500 {
            content.push_str(&format!("{} {} 1 1 re\n", i, j));
        }
    }
    content.push_str("S\n");
    let start = Instant::now();
    let page = detect(&letter(&content));
    let elapsed = start.elapsed();
    println!(
        "quarter million boxes: {} fields, truncated {}, {elapsed:?}",
        page.fields.len(),
        page.truncated
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    assert!(page.fields.len() <= DetectOptions::default().max_fields_per_page);
}

/// A grid of 300 × 300 lines: 90 000 crossings, each a possible box corner.
#[test]
fn a_dense_grid_is_bounded() {
    let mut content = String::from("0.1 w\n");
    for i in 0..300 {
        let p = 10.0 + i as f32 * 1.9;
        content.push_str(&format!("10 {p} m 600 {p} l {p} 10 m {p} 600 l\n"));
    }
    content.push_str("S\n");
    let start = Instant::now();
    let page = detect(&letter(&content));
    let elapsed = start.elapsed();
    println!("dense grid: {} fields, {elapsed:?}", page.fields.len());
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

/// Form XObjects drawing each other ten times, eight levels deep, each drawing a box: the
/// text pass's operation limit stops the page; what was read is returned.
#[test]
fn exponential_xobject_nesting_is_bounded() {
    use lopdf::{Document, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let mut inner = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
        },
        b"0.5 w 100 100 200 18 re S".to_vec(),
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
    let options = DetectOptions {
        text: TextOptions {
            max_ops_per_page: 200_000,
            ..TextOptions::default()
        },
        ..DetectOptions::default()
    };
    let start = Instant::now();
    let pages = detect_fields(&bytes, None, &options).expect("opens");
    let elapsed = start.elapsed();
    assert!(
        pages[0].warnings.iter().any(|w| w.is_failure()),
        "{:?}",
        pages[0].warnings
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    // The same box drawn over and over is one field.
    assert!(pages[0].fields.len() <= 1, "{:#?}", pages[0].fields);
}

/// Every flat corpus form: no failure; vector pages give fields, scanned pages say they
/// are pictures.
#[test]
fn flat_corpus_forms_are_read_without_failing() {
    let files = eval::pdfs("flat");
    assert!(!files.is_empty(), "the flat corpus is missing");
    for path in files {
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let bytes = std::fs::read(&path).expect("reads");
        let start = Instant::now();
        let pages = detect_fields(&bytes, None, &DetectOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let fields: usize = pages.iter().map(|p| p.fields.len()).sum();
        let pictures = pages.iter().filter(|p| p.image_only).count();
        println!(
            "{name}: {} pages, {fields} fields, {pictures} image-only pages, {:?}",
            pages.len(),
            start.elapsed()
        );
        if name.contains("scanned") {
            assert_eq!(pictures, pages.len(), "{name}");
        } else if name.contains("flat-vector") {
            // A smoke floor: quality is scored against the fillable twins' widgets
            // (fields_eval), where the scorer's cuts are weighed both ways.
            assert!(fields >= 5 * pages.len(), "{name}: {fields} fields");
        }
    }
}

/// Damaged and broken files fail with their reason or give what can be read; never a panic.
#[test]
fn damaged_and_broken_files_never_panic() {
    for set in ["damaged", "broken"] {
        for path in eval::pdfs(set) {
            let bytes = std::fs::read(&path).expect("reads");
            let start = Instant::now();
            let _ = detect_fields(&bytes, None, &DetectOptions::default());
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{}",
                path.display()
            );
        }
    }
}
