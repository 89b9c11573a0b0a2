//! Stamps: text, check marks and images drawn at caller-given boxes on PDFs without form
//! fields, judged by poppler (pdftotext -bbox finds each word inside its box, as displayed;
//! pdftoppm shows marks), qpdf --check, and byte-for-byte determinism.

mod common;

use std::path::Path;

use common::*;
use formsmith_engine::{
    Error, FailureReason, FieldValue, FillOptions, Form, OpenOptions, SaveOptions, Stamp,
    StampContent, TextStyle,
};

const UNICODE: &str = "Łódź Ωμέγα Москва 東京";

const F1040: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/flat/irs-f1040-flat-vector.pdf"
);
const SF424: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/flat/sf424-page2-flat-vector.pdf"
);

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(page: usize, rect: [f32; 4], value: &str, style: TextStyle) -> Stamp {
    Stamp {
        page,
        rect,
        content: StampContent::Text(value.into()),
        style,
    }
}

/// How a stamp's text is checked: word by word, or (comb) the characters in order.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Words,
    Comb,
}

/// Ten-odd text stamps per flat form, at boxes where the fillable original has its fields and
/// the flat copy prints nothing (checked by [`assert_blank`]): plain, non-Latin, comb,
/// multiline, fonts, alignment, colour with opacity, fixed size.
fn text_stamps(path: &str) -> Vec<(Stamp, Expect)> {
    let d = TextStyle::default;
    let w = Expect::Words;
    if path == F1040 {
        vec![
            (
                text(0, [108.0, 624.0, 453.6, 638.4], "Jordan Example", d()),
                w,
            ),
            (
                text(
                    0,
                    [460.8, 672.0, 576.0, 686.2],
                    "123456789",
                    TextStyle {
                        comb_cells: Some(9),
                        ..d()
                    },
                ),
                Expect::Comb,
            ),
            (text(0, [108.0, 504.4, 237.8, 516.0], UNICODE, d()), w),
            (
                text(
                    0,
                    [108.0, 492.4, 237.8, 504.4],
                    "Times Dependent",
                    TextStyle {
                        font: Some("Times New Roman".into()),
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    0,
                    [108.0, 480.4, 237.8, 492.4],
                    "Courier Kid",
                    TextStyle {
                        font: Some("Courier".into()),
                        align: 2,
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    0,
                    [482.4, 444.0, 554.4, 456.0],
                    "1,234",
                    TextStyle { align: 2, ..d() },
                ),
                w,
            ),
            (
                text(
                    0,
                    [482.4, 432.0, 554.4, 444.0],
                    "Red half",
                    TextStyle {
                        color: [200, 0, 0],
                        opacity: 0.5,
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    1,
                    [144.0, 168.0, 273.6, 192.0],
                    "First line\nsecond line wraps here",
                    TextStyle {
                        multiline: true,
                        ..d()
                    },
                ),
                w,
            ),
            (text(1, [158.4, 60.0, 396.0, 72.0], "Preparer Name", d()), w),
            (
                text(
                    1,
                    [324.0, 120.0, 460.8, 134.0],
                    "Fixed size",
                    TextStyle {
                        font_size: Some(9.0),
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    1,
                    [460.8, 120.0, 576.0, 134.0],
                    "Centred",
                    TextStyle { align: 1, ..d() },
                ),
                w,
            ),
        ]
    } else {
        vec![
            (
                text(0, [35.3, 603.4, 271.1, 614.3], "Other Applicant", d()),
                w,
            ),
            (
                text(
                    0,
                    [34.7, 488.6, 517.1, 509.2],
                    "Program Title",
                    TextStyle {
                        font: Some("serif".into()),
                        align: 1,
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    0,
                    [34.7, 343.5, 348.3, 355.5],
                    "ABC123",
                    TextStyle {
                        comb_cells: Some(12),
                        ..d()
                    },
                ),
                Expect::Comb,
            ),
            (
                text(
                    0,
                    [34.8, 275.0, 517.2, 324.2],
                    "Line one\nLine two Москва\nLine three",
                    TextStyle {
                        multiline: true,
                        font_size: Some(10.0),
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    0,
                    [35.2, 198.9, 517.6, 250.2],
                    "The quick brown fox jumps over the lazy dog and keeps running across \
                     the whole form until the line has to wrap onto another line",
                    TextStyle {
                        multiline: true,
                        ..d()
                    },
                ),
                w,
            ),
            (text(0, [33.7, 155.0, 270.0, 174.7], UNICODE, d()), w),
            (
                text(
                    0,
                    [280.0, 155.0, 516.2, 174.7],
                    "Mono area",
                    TextStyle {
                        font: Some("monospace".into()),
                        align: 2,
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(
                    0,
                    [33.7, 131.9, 270.0, 150.0],
                    "Blue half",
                    TextStyle {
                        color: [0, 0, 255],
                        opacity: 0.5,
                        ..d()
                    },
                ),
                w,
            ),
            (
                text(0, [280.0, 131.9, 516.2, 150.0], "Small box 東京", d()),
                w,
            ),
        ]
    }
}

/// Precondition: the original prints nothing in `rect`, so every word found there is ours.
fn assert_blank(original: &Path, page: usize, rect: [f32; 4]) {
    let geometry = page_geometry(original);
    let b = displayed(&geometry[page], rect);
    let (_, words) = pdftotext_words(original);
    let there: Vec<&str> = words
        .iter()
        .filter(|w| {
            w.page == page
                && w.bbox[2] > b[0]
                && w.bbox[0] < b[2]
                && w.bbox[3] > b[1]
                && w.bbox[1] < b[3]
        })
        .map(|w| w.text.as_str())
        .collect();
    assert!(
        there.is_empty(),
        "{}: box {rect:?} on page {page} is not blank: {there:?}",
        original.display()
    );
}

/// A user-space rectangle in pdftotext's coordinates (top-left origin of the page as
/// displayed), worked out here from the media box and /Rotate (clockwise).
fn displayed(g: &PageBox, r: [f32; 4]) -> [f32; 4] {
    let [mx0, my0, mx1, my1] = g.media;
    let point = |x: f32, y: f32| -> (f32, f32) {
        match g.rotate {
            90 => (y - my0, x - mx0),
            180 => (mx1 - x, y - my0),
            270 => (my1 - y, mx1 - x),
            _ => (x - mx0, my1 - y),
        }
    };
    let (ax, ay) = point(r[0], r[1]);
    let (bx, by) = point(r[2], r[3]);
    [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
}

fn inside(word: &Word, b: [f32; 4]) -> bool {
    // Horizontal extent from the glyph advances; the vertical one from the font's ascent and
    // descent, which may reach a little past a box the text fills.
    let (tx, ty) = (1.0, 3.0);
    word.bbox[0] >= b[0] - tx
        && word.bbox[2] <= b[2] + tx
        && word.bbox[1] >= b[1] - ty
        && word.bbox[3] <= b[3] + ty
}

/// Every word of each stamp's text is a pdftotext word inside the stamp's box; comb text
/// reads back in order from the box.
fn assert_stamps_extract(path: &Path, stamps: &[(Stamp, Expect)], what: &str) {
    let geometry = page_geometry(path);
    let (_, words) = pdftotext_words(path);
    for (stamp, expect) in stamps {
        let StampContent::Text(value) = &stamp.content else {
            continue;
        };
        let b = displayed(&geometry[stamp.page], stamp.rect);
        let on_page: Vec<&Word> = words.iter().filter(|w| w.page == stamp.page).collect();
        match expect {
            Expect::Words => {
                for token in value.split_whitespace() {
                    assert!(
                        on_page.iter().any(|w| w.text == token && inside(w, b)),
                        "{what}: {token:?} of {value:?} not found inside {b:?}; words near: {:?}",
                        on_page
                            .iter()
                            .filter(|w| inside(
                                w,
                                [b[0] - 20.0, b[1] - 20.0, b[2] + 20.0, b[3] + 20.0]
                            ))
                            .map(|w| (&w.text, w.bbox))
                            .collect::<Vec<_>>()
                    );
                }
            }
            Expect::Comb => {
                let mut hits: Vec<&&Word> = on_page
                    .iter()
                    .filter(|w| {
                        let (cx, cy) =
                            ((w.bbox[0] + w.bbox[2]) / 2.0, (w.bbox[1] + w.bbox[3]) / 2.0);
                        cx > b[0] && cx < b[2] && cy > b[1] && cy < b[3]
                    })
                    .collect();
                hits.sort_by(|a, c| a.bbox[0].total_cmp(&c.bbox[0]));
                assert!(
                    hits.iter().all(|w| inside(w, b)),
                    "{what}: comb text leaves its box"
                );
                let got: String = hits.iter().map(|w| w.text.as_str()).collect();
                assert_eq!(&got, value, "{what}: comb text inside {b:?}");
            }
        }
    }
}

fn save(form: Form, flatten: bool, full_rewrite: bool) -> Vec<u8> {
    form.save(&SaveOptions {
        flatten,
        full_rewrite,
    })
    .expect("saves")
}

fn assert_qpdf_clean(path: &Path, what: &str) {
    let (code, warnings, out) = qpdf_check(path);
    assert!(code == 0 && warnings == 0, "{what}: qpdf --check: {out}");
}

#[test]
fn text_stamps_on_flat_forms_extract_inside_their_boxes() {
    for path in [F1040, SF424] {
        let original = read(path);
        let stamps = text_stamps(path);
        for (stamp, _) in &stamps {
            assert_blank(Path::new(path), stamp.page, stamp.rect);
        }
        let only: Vec<Stamp> = stamps.iter().map(|(s, _)| s.clone()).collect();
        for (flatten, full_rewrite) in [(false, false), (false, true), (true, false)] {
            let what = format!("{path} flatten={flatten} full_rewrite={full_rewrite}");
            let run = || {
                let mut form = Form::open(&original, &OpenOptions::default()).expect("opens");
                assert!(form.fields().is_empty(), "{path} has no fields");
                form.stamp(&only).expect("stamps");
                save(form, flatten, full_rewrite)
            };
            let out = run();
            assert_eq!(out, run(), "{what}: same input, different bytes");
            if !flatten && !full_rewrite {
                assert!(
                    out.starts_with(&original),
                    "{what}: incremental save lost the original bytes"
                );
            }
            let file = temp_pdf(&out, "stamp");
            assert_qpdf_clean(&file, &what);
            assert_stamps_extract(&file, &stamps, &what);
            if !flatten && !full_rewrite {
                let fonts = tool("pdffonts").arg(&file).output().expect("pdffonts");
                let fonts = String::from_utf8_lossy(&fonts.stdout);
                for want in ["Helvetica", "Times-Roman", "Courier", "CID"] {
                    assert!(fonts.contains(want), "{what}: no {want} font: {fonts}");
                }
            }
            let _ = std::fs::remove_file(&file);
        }
    }
}

/// A copy of the one-page SF-424 with /Rotate set on its page (by lopdf, not the engine).
fn rotated_copy(rotate: i64) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&read(SF424)).expect("lopdf opens");
    let page = *doc.get_pages().values().next().expect("a page");
    doc.get_dictionary_mut(page)
        .expect("page dict")
        .set("Rotate", rotate);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf saves");
    out
}

#[test]
fn stamps_read_upright_on_rotated_pages() {
    // User-space boxes that are wide as the page is displayed: a wide one at /Rotate 180,
    // a tall one at 90 and 270; and a smaller second box.
    let wide = [35.2, 198.9, 517.6, 250.2];
    let tall = [540.0, 300.0, 570.0, 700.0];
    let second = [300.0, 200.0, 420.0, 250.0];
    for rect in [wide, tall, second] {
        assert_blank(Path::new(SF424), 0, rect);
    }
    for rotate in [90, 180, 270] {
        let bytes = rotated_copy(rotate);
        let stamps = [
            text(
                0,
                if rotate == 180 { wide } else { tall },
                "Upright Rotated Text",
                TextStyle::default(),
            ),
            text(0, second, "Second Москва", TextStyle::default()),
        ];
        for flatten in [false, true] {
            let mut form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
            assert_eq!(form.page_geometry(0).map(|g| g.rotate), Some(rotate as i32));
            form.stamp(&stamps).expect("stamps");
            let out = save(form, flatten, false);
            let file = temp_pdf(&out, "rot");
            let what = format!("/Rotate {rotate} flatten={flatten}");
            assert_qpdf_clean(&file, &what);
            let geometry = page_geometry(&file);
            assert_eq!(geometry[0].rotate, rotate);
            let (_, words) = pdftotext_words(&file);
            for stamp in &stamps {
                let StampContent::Text(value) = &stamp.content else {
                    continue;
                };
                let b = displayed(&geometry[0], stamp.rect);
                let found: Vec<&Word> = value
                    .split_whitespace()
                    .map(|token| {
                        words
                            .iter()
                            .find(|w| w.text == token && inside(w, b))
                            .unwrap_or_else(|| {
                                panic!("{what}: {token:?} not inside {b:?} as displayed")
                            })
                    })
                    .collect();
                // Upright: each word wider than tall, on one line, left to right.
                for pair in found.windows(2) {
                    let (a, c) = (pair[0], pair[1]);
                    assert!(
                        a.bbox[2] <= c.bbox[0] + 0.5,
                        "{what}: {:?} is not left of {:?}",
                        a.text,
                        c.text
                    );
                    assert!(
                        (a.bbox[1] - c.bbox[1]).abs() < 1.0,
                        "{what}: {:?} and {:?} are not on one line",
                        a.text,
                        c.text
                    );
                }
                for w in &found {
                    let (width, height) = (w.bbox[2] - w.bbox[0], w.bbox[3] - w.bbox[1]);
                    assert!(
                        width > height,
                        "{what}: {:?} runs vertically ({width} x {height})",
                        w.text
                    );
                }
            }
            // `pdftotext -layout` shows the stamp as one horizontal line of text.
            let layout = tool("pdftotext")
                .args(["-layout"])
                .arg(&file)
                .arg("-")
                .output()
                .expect("pdftotext");
            assert!(
                String::from_utf8_lossy(&layout.stdout).contains("Upright Rotated Text"),
                "{what}: not one horizontal line"
            );
            let _ = std::fs::remove_file(&file);
        }
    }
}

/// The page's own content may leave a scaled CTM and an open `q` behind; the stamp must
/// still land in its box (the existing content is wrapped in q/Q).
#[test]
fn dangling_page_state_does_not_move_stamps() {
    let mut doc = lopdf::Document::load_mem(&read(SF424)).expect("lopdf opens");
    let page = *doc.get_pages().values().next().expect("a page");
    let junk = doc.add_object(lopdf::Stream::new(
        lopdf::Dictionary::new(),
        b"q 0.5 0 0 0.5 200 100 cm".to_vec(),
    ));
    let contents = doc
        .get_dictionary(page)
        .and_then(|d| d.get(b"Contents"))
        .cloned()
        .expect("page contents");
    let mut items = match contents {
        lopdf::Object::Array(a) => a,
        other => vec![other],
    };
    items.push(lopdf::Object::Reference(junk));
    doc.get_dictionary_mut(page)
        .expect("page dict")
        .set("Contents", items);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("lopdf saves");

    let rect = [35.3, 603.4, 271.1, 614.3];
    let stamps = [(
        text(0, rect, "Still Here", TextStyle::default()),
        Expect::Words,
    )];
    let mut form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
    form.stamp(&[stamps[0].0.clone()]).expect("stamps");
    let file = temp_pdf(&save(form, false, false), "dangling");
    assert_stamps_extract(&file, &stamps, "dangling cm");
    let _ = std::fs::remove_file(&file);
}

fn png(width: u32, height: u32, color: png::ColorType, pixels: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png header");
        w.write_image_data(pixels).expect("png data");
    }
    bytes
}

#[test]
fn check_and_image_stamps_change_the_pixels_of_their_boxes() {
    let original = read(F1040);
    // Blank field areas of the flat 1040 (the rules between rows stay under the marks).
    let check_box = [500.0, 324.0, 524.0, 348.0];
    let faint_box = [526.0, 324.0, 550.0, 348.0];
    let image_box = [367.2, 96.0, 439.2, 132.0];
    for rect in [check_box, faint_box, image_box] {
        assert_blank(Path::new(F1040), 0, rect);
    }
    // An RGBA image: opaque black left half, transparent right half (a soft mask).
    let mut rgba = Vec::new();
    for _y in 0..10 {
        for x in 0..40 {
            rgba.extend_from_slice(if x < 20 {
                &[0, 0, 0, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let stamps = [
        Stamp {
            page: 0,
            rect: check_box,
            content: StampContent::Check,
            style: TextStyle::default(),
        },
        Stamp {
            page: 0,
            rect: image_box,
            content: StampContent::Image(png(40, 10, png::ColorType::Rgba, &rgba)),
            style: TextStyle::default(),
        },
        Stamp {
            page: 0,
            rect: faint_box,
            content: StampContent::Check,
            style: TextStyle {
                opacity: 0.3,
                ..TextStyle::default()
            },
        },
    ];
    let before = temp_pdf(&original, "marks-before");
    let base = render_gray(&before);
    for flatten in [false, true] {
        let mut form = Form::open(&original, &OpenOptions::default()).expect("opens");
        form.stamp(&stamps).expect("stamps");
        let file = temp_pdf(&save(form, flatten, false), "marks");
        assert_qpdf_clean(&file, "marks");
        let g = &page_geometry(&file)[0];
        let h = g.media[3] - g.media[1];
        let after = render_gray(&file);
        let check = changed_pixels(&base[0], &after[0], h, check_box);
        assert!(
            check > 40,
            "flatten={flatten}: check mark changed {check} pixels"
        );
        // The image: its opaque half is ink, its transparent half shows the page.
        let [x0, y0, x1, y1] = image_box;
        let (iw, ih) = (x1 - x0, y1 - y0);
        // 40x10 fitted into the box: its full width, a quarter of that high, centred.
        let dh = iw / 4.0;
        let (dy0, dy1) = (y0 + (ih - dh) / 2.0, y0 + (ih + dh) / 2.0);
        let left = [x0, dy0, x0 + iw / 2.0, dy1];
        // (2 points off the middle, where anti-aliasing blends the halves.)
        let right = [x0 + iw / 2.0 + 2.0, dy0, x1, dy1];
        let dark_left = ink(&after[0], h, left);
        let new_right = changed_pixels(&base[0], &after[0], h, right);
        let area = (iw / 2.0 - 2.0) * (dh - 2.0);
        assert!(
            dark_left as f32 > area * 0.9,
            "flatten={flatten}: image ink {dark_left} of {area}"
        );
        assert!(
            new_right < 20,
            "flatten={flatten}: transparent half covers the page ({new_right} pixels)"
        );
        // 30% opacity: the mark shows, but nothing in it is dark.
        let faint = changed_pixels(&base[0], &after[0], h, faint_box);
        let dark = ink(&after[0], h, faint_box)
            - ink(&base[0], h, faint_box).min(ink(&after[0], h, faint_box));
        assert!(faint > 20, "flatten={flatten}: faint mark invisible");
        assert_eq!(dark, 0, "flatten={flatten}: a 30% mark drew dark pixels");
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_file(&before);
}

#[test]
fn stamps_and_fill_in_one_session() {
    let path = corpus().join("fillable/sf424-page2.pdf");
    let original = std::fs::read(&path).expect("corpus file");
    let stamped_box = [34.7, 343.5, 348.3, 355.5];
    assert_blank(&path, 0, stamped_box);
    for flatten in [false, true] {
        let mut form = Form::open(&original, &OpenOptions::default()).expect("opens");
        form.fill(
            &[(
                "FederalAgencyName".into(),
                FieldValue::Text("Filled Agency".into()),
            )],
            &FillOptions::default(),
        )
        .expect("fills");
        form.stamp(&[text(0, stamped_box, "Stamped Москва", TextStyle::default())])
            .expect("stamps");
        let out = save(form, flatten, false);
        if !flatten {
            assert!(out.starts_with(&original), "incremental save");
        }
        let file = temp_pdf(&out, "fill-stamp");
        assert_qpdf_clean(&file, "fill+stamp");
        let what = format!("fill+stamp flatten={flatten}");
        let field_box = [35.6, 565.1, 509.8, 578.6];
        assert_stamps_extract(
            &file,
            &[
                (
                    text(0, stamped_box, "Stamped Москва", TextStyle::default()),
                    Expect::Words,
                ),
                // The filled field, judged the same way.
                (
                    text(0, field_box, "Filled Agency", TextStyle::default()),
                    Expect::Words,
                ),
            ],
            &what,
        );
        let reopened = Form::open(&out, &OpenOptions::default()).expect("reopens");
        assert_eq!(reopened.fields().is_empty(), flatten, "flatten={flatten}");
        let _ = std::fs::remove_file(&file);
    }
}

#[test]
fn encrypted_flat_pdf_stays_encrypted_with_stamps() {
    let dir = std::env::temp_dir().join("formsmith-tests");
    std::fs::create_dir_all(&dir).expect("dir");
    let enc = dir.join(format!("stamp-enc-{}.pdf", std::process::id()));
    let st = tool("qpdf")
        .args(["--encrypt", "", "owner-secret", "256", "--"])
        .arg(SF424)
        .arg(&enc)
        .output()
        .expect("qpdf runs");
    assert!(
        st.status.code().is_some_and(|c| c == 0 || c == 3),
        "qpdf --encrypt: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let bytes = std::fs::read(&enc).expect("encrypted file");
    let stamps = [(
        text(
            0,
            [35.3, 603.4, 271.1, 614.3],
            "Secret Ωμέγα",
            TextStyle::default(),
        ),
        Expect::Words,
    )];
    for flatten in [false, true] {
        let what = format!("encrypted flatten={flatten}");
        let mut form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
        assert!(form.was_encrypted());
        let check = Stamp {
            page: 0,
            rect: [34.7, 343.5, 46.7, 355.5],
            content: StampContent::Check,
            style: TextStyle::default(),
        };
        form.stamp(&[stamps[0].0.clone(), check]).expect("stamps");
        let file = temp_pdf(&save(form, flatten, false), "stamp-enc-out");
        assert_qpdf_clean(&file, &what);
        let (_, _, report) = qpdf_check(&file);
        assert!(
            report.contains("R = 6"),
            "{what}: not AES-256 encrypted: {report}"
        );
        // Readable only if our new streams were encrypted like the rest.
        assert_stamps_extract(&file, &stamps, &what);
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_file(&enc);
}

#[test]
fn bad_stamps_are_refused_and_change_nothing() {
    let original = read(SF424);
    let good = text(0, [35.6, 565.1, 509.8, 578.6], "Fine", TextStyle::default());
    let bad_style = |style: TextStyle| Stamp {
        style,
        ..good.clone()
    };
    let cases: Vec<(Stamp, &str)> = vec![
        (
            Stamp {
                page: 1,
                ..good.clone()
            },
            "page 1 does not exist",
        ),
        (
            Stamp {
                rect: [100.0, 100.0, 100.0, 120.0],
                ..good.clone()
            },
            "is empty",
        ),
        (
            Stamp {
                rect: [200.0, 100.0, 100.0, 120.0],
                ..good.clone()
            },
            "is empty",
        ),
        (
            Stamp {
                rect: [100.0, f32::NAN, 200.0, 120.0],
                ..good.clone()
            },
            "not a finite number",
        ),
        (
            Stamp {
                rect: [100.0, 100.0, f32::INFINITY, 120.0],
                ..good.clone()
            },
            "not a finite number",
        ),
        (
            bad_style(TextStyle {
                font_size: Some(0.0),
                ..TextStyle::default()
            }),
            "font size",
        ),
        (
            bad_style(TextStyle {
                font_size: Some(f32::NAN),
                ..TextStyle::default()
            }),
            "font size",
        ),
        (
            bad_style(TextStyle {
                opacity: 1.5,
                ..TextStyle::default()
            }),
            "opacity",
        ),
        (
            bad_style(TextStyle {
                align: 3,
                ..TextStyle::default()
            }),
            "align",
        ),
        (
            Stamp {
                content: StampContent::Text("1234567".into()),
                style: TextStyle {
                    comb_cells: Some(6),
                    ..TextStyle::default()
                },
                ..good.clone()
            },
            "do not fit in 6 comb cells",
        ),
        (
            bad_style(TextStyle {
                comb_cells: Some(4),
                multiline: true,
                ..TextStyle::default()
            }),
            "cannot be combined",
        ),
        (
            Stamp {
                content: StampContent::Image(b"GIF89a not supported".to_vec()),
                ..good.clone()
            },
            "PNG or JPEG",
        ),
    ];
    for (bad, want) in cases {
        let mut form = Form::open(&original, &OpenOptions::default()).expect("opens");
        // The bad stamp comes second: the good one before it must not be drawn either.
        let err = form
            .stamp(&[good.clone(), bad.clone()])
            .expect_err("refused");
        assert!(
            matches!(err, Error::InvalidValue { .. }),
            "{want}: unexpected variant {err:?}"
        );
        assert_eq!(err.reason(), FailureReason::SchemaValidationError);
        let msg = err.to_string();
        assert!(
            msg.contains("stamp[1]") && msg.contains(want),
            "{want}: message {msg:?}"
        );
        assert_eq!(
            save(form, false, false),
            original,
            "{want}: a refused stamp changed the file"
        );
    }
}
