//! Bold and font size on a page made here: standard fonts by name, fill+stroke rendering,
//! sizes through the CTM, and where the boxes land.

mod common;

use formsmith_page::{TextOptions, Word, extract_text};
use lopdf::{Document, Stream, dictionary};

/// A one-page PDF (US Letter) with the given content and fonts F1..Fn (non-embedded).
fn pdf(content: &str, fonts: &[(&str, &str)]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let mut font_dict = lopdf::Dictionary::new();
    for (i, (subtype, name)) in fonts.iter().enumerate() {
        let id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => *subtype, "BaseFont" => *name,
            "Encoding" => "WinAnsiEncoding",
        });
        font_dict.set(format!("F{}", i + 1), id);
    }
    let content = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    common::one_page_pdf(
        doc,
        common::LETTER,
        0,
        content,
        dictionary! { "Font" => font_dict },
    )
}

fn words(bytes: &[u8]) -> Vec<Word> {
    let mut pages = extract_text(bytes, None, &TextOptions::default()).expect("opens");
    assert!(pages[0].warnings.is_empty(), "{:?}", pages[0].warnings);
    pages.remove(0).words
}

fn word<'a>(words: &'a [Word], text: &str) -> &'a Word {
    words
        .iter()
        .find(|w| w.text == text)
        .unwrap_or_else(|| panic!("{text} not in {words:?}"))
}

#[test]
fn bold_comes_from_the_font_name_or_fill_and_stroke() {
    let content = "BT /F1 12 Tf 72 700 Td (Regular) Tj ET \
                   BT /F2 12 Tf 72 680 Td (Heavy) Tj ET \
                   BT /F1 12 Tf 2 Tr 72 660 Td (Stroked) Tj 0 Tr ET \
                   BT /F3 12 Tf 72 640 Td (Arial) Tj ET \
                   BT /F4 12 Tf 72 620 Td (Times) Tj ET";
    let bytes = pdf(
        content,
        &[
            ("Type1", "Helvetica"),
            ("Type1", "Helvetica-Bold"),
            ("TrueType", "Arial,Bold"),
            ("Type1", "Times-Roman"),
        ],
    );
    let words = words(&bytes);
    assert!(!word(&words, "Regular").bold);
    assert!(word(&words, "Heavy").bold);
    assert!(word(&words, "Stroked").bold);
    assert!(word(&words, "Arial").bold);
    assert!(!word(&words, "Times").bold);
    // Fill then stroke draws each glyph twice; the word is there once.
    assert_eq!(words.iter().filter(|w| w.text == "Stroked").count(), 1);
}

#[test]
fn sizes_and_boxes_are_in_user_space_after_the_ctm() {
    // 20 pt text under a half-scale CTM is 10 pt text at half the coordinates.
    let content = "q 0.5 0 0 0.5 0 0 cm BT /F1 20 Tf 144 1200 Td (Half) Tj ET Q \
                   BT /F1 10 Tf 50 Tz 300 600 Td (Narrow) Tj ET";
    let bytes = pdf(content, &[("Type1", "Helvetica")]);
    let words = words(&bytes);
    let half = word(&words, "Half");
    assert!((half.font_size - 10.0).abs() < 0.01, "{half:?}");
    assert!((half.rect[0] - 72.0).abs() < 0.01, "{half:?}");
    // Baseline at 600: the box runs from 0.2 em below to 0.8 em above it.
    assert!((half.rect[1] - 598.0).abs() < 0.01 && (half.rect[3] - 608.0).abs() < 0.01);
    // Helvetica "Half": H 722 + a 556 + l 222 + f 278 = 1778/1000 em.
    assert!((half.rect[2] - (72.0 + 17.78)).abs() < 0.05, "{half:?}");
    // Horizontal scaling narrows the word, not the font size.
    let narrow = word(&words, "Narrow");
    assert!((narrow.font_size - 10.0).abs() < 0.01, "{narrow:?}");
    let full_width = 10.0 * (722.0 + 556.0 + 333.0 + 333.0 + 556.0 + 722.0) / 1000.0;
    assert!(
        (narrow.rect[2] - narrow.rect[0] - full_width / 2.0).abs() < 0.1,
        "{narrow:?}"
    );
}
