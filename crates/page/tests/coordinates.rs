//! Boxes are in default user space: /Rotate and /CropBox change how a page is displayed,
//! not where its words are. Checked by rewriting corpus pages with other rotations and crop
//! boxes (lopdf), comparing with the original, and judging every variant with pdftotext
//! (whose coordinates are those of the displayed page).

mod common;

use std::path::Path;

use common::{CORPUS, page_recall, pdftotext_words, without_annotations};
use formsmith_page::{PageText, TextOptions, Word, extract_text};

/// A copy of `bytes` with every page rotated by `rotate` and, if given, cropped to `crop`.
fn variant(bytes: &[u8], rotate: i64, crop: Option<[f32; 4]>) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(bytes).expect("lopdf reads the corpus file");
    if doc.is_encrypted() {
        doc.decrypt("").expect("empty user password");
    }
    for (_, id) in doc.get_pages() {
        let page = doc.get_dictionary_mut(id).expect("page dictionary");
        page.set("Rotate", rotate);
        if let Some(c) = crop {
            page.set(
                "CropBox",
                c.iter()
                    .map(|&v| lopdf::Object::Real(v))
                    .collect::<Vec<_>>(),
            );
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the variant");
    out
}

fn text_of(bytes: &[u8]) -> Vec<PageText> {
    extract_text(bytes, None, &TextOptions::default()).expect("the variant opens")
}

fn inside(w: &Word, c: [f32; 4]) -> bool {
    w.rect[0] >= c[0] && w.rect[1] >= c[1] && w.rect[2] <= c[2] && w.rect[3] <= c[3]
}

fn overlaps(a: &Word, b: &Word) -> bool {
    a.rect[0] < b.rect[2] && b.rect[0] < a.rect[2] && a.rect[1] < b.rect[3] && b.rect[1] < a.rect[3]
}

/// Recall of our words of `bytes` against pdftotext on the same bytes (annotations removed).
fn judged_recall(bytes: &[u8], tag: &str) -> f64 {
    let dir = std::env::temp_dir();
    let original = dir.join(format!(
        "formsmith-detect-{}-{tag}-full.pdf",
        std::process::id()
    ));
    std::fs::write(&original, bytes).expect("temp file");
    let copy = without_annotations(bytes, tag).expect("lopdf rewrites the variant");
    let judge = pdftotext_words(&copy, &original);
    let ours = text_of(bytes);
    let _ = std::fs::remove_file(&copy);
    let _ = std::fs::remove_file(&original);
    let (mut found, mut total) = (0, 0);
    for (page, judge_page) in ours.iter().zip(&judge) {
        let (f, t, misses) = page_recall(page, judge_page, &[], 3.0);
        found += f;
        total += t;
        for m in misses.iter().take(3) {
            println!("    {tag} miss {m}");
        }
    }
    assert!(total > 0, "{tag}: pdftotext found no words");
    found as f64 / total as f64
}

#[test]
fn rotation_and_crop_box_do_not_move_words() {
    for file in [
        "fillable/sf424-page2.pdf",
        "fillable/irs-f1040-prefilled.pdf",
    ] {
        let bytes = std::fs::read(Path::new(CORPUS).join(file)).expect("corpus file");
        let base = text_of(&variant(&bytes, 0, None));
        for rotate in [90, 180, 270] {
            let rotated = text_of(&variant(&bytes, rotate, None));
            assert_eq!(rotated, base, "{file}: /Rotate {rotate} changed the words");
        }
        let crop = [30.0, 60.0, 560.0, 700.0];
        for rotate in [0, 90, 270] {
            let cropped = text_of(&variant(&bytes, rotate, Some(crop)));
            for (page, original) in cropped.iter().zip(&base) {
                // Glyphs are clipped one by one: a word crossing the crop box's edge loses
                // its outside letters, every other word is unchanged.
                for w in &page.words {
                    let cut = || {
                        original
                            .words
                            .iter()
                            .any(|o| o.text.contains(&w.text) && !inside(o, crop) && overlaps(o, w))
                    };
                    assert!(
                        original.words.contains(w) || cut(),
                        "{file}: cropped word {w:?} is not an original word"
                    );
                }
                for w in original.words.iter().filter(|w| inside(w, crop)) {
                    assert!(
                        page.words.contains(w),
                        "{file}: {w:?} inside the crop box is missing"
                    );
                }
                for w in original.words.iter().filter(|w| {
                    w.rect[2] < crop[0]
                        || w.rect[0] > crop[2]
                        || w.rect[3] < crop[1]
                        || w.rect[1] > crop[3]
                }) {
                    assert!(
                        !page.words.iter().any(|o| o.rect == w.rect),
                        "{file}: {w:?} outside the crop box was kept"
                    );
                }
            }
        }
    }
}

#[test]
fn rotated_and_cropped_pages_agree_with_pdftotext() {
    let file = "fillable/irs-fw4-2025-orphan-widgets.pdf";
    let bytes = std::fs::read(Path::new(CORPUS).join(file)).expect("corpus file");
    for rotate in [0, 90, 180, 270] {
        for crop in [None, Some([25.0, 45.0, 590.0, 760.0])] {
            let tag = format!("r{rotate}-{}", if crop.is_some() { "crop" } else { "full" });
            let recall = judged_recall(&variant(&bytes, rotate, crop), &tag);
            println!("{file} {tag}: recall {recall:.4}");
            assert!(recall >= 0.95, "{file} {tag}: recall {recall:.4}");
        }
    }
}

#[test]
fn annotation_appearances_are_not_read() {
    // The prefilled 1040 shows "foobar" in a text widget's appearance: poppler draws it,
    // we do not (it is a filled value, not a printed label).
    let path = Path::new(CORPUS).join("fillable/irs-f1040-prefilled.pdf");
    let bytes = std::fs::read(&path).expect("corpus file");
    let judge = pdftotext_words(&path, &path);
    assert!(
        judge.iter().flatten().any(|w| w.text == "foobar"),
        "pdftotext shows the filled value"
    );
    let ours = text_of(&bytes);
    assert!(
        !ours
            .iter()
            .flat_map(|p| &p.words)
            .any(|w| w.text.contains("foobar")),
        "a widget's value was read as page text"
    );
}
