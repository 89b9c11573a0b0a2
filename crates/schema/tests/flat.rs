//! A flat PDF (printed boxes, no fields) filled from a caller-written bbox schema: poppler
//! finds each text inside its box, check marks, tables and a signature image show up as ink.
//! The boxes are the widget rects of the fillable twin of the same form (corpus MANIFEST:
//! "truth = widget rects of fillable/irs-f1040-prefilled.pdf").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use base64::Engine as _;
use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::{
    EditContext, EditRequest, GenerateOptions, NoLabels, NoResolver, edit, generate, images,
};
use serde_json::{Value, json};

fn context() -> EditContext<'static> {
    EditContext {
        resolver: &NoResolver,
        load_image: &|url| {
            images::decode_data_url(url).unwrap_or_else(|| Err("not a data: URL".into()))
        },
        labels: &|_, _, _| Box::new(NoLabels),
    }
}

/// A 60x20 opaque dark PNG as a data: URL.
fn signature_png() -> String {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, 60, 20);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[20u8; 60 * 20 * 3]).unwrap();
    }
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Dark pixels inside `bbox` (points, top-left) of page `page`, rendered at 72 dpi.
fn ink(pdf: &std::path::Path, page: usize, bbox: [f64; 4]) -> usize {
    let prefix = common::temp_path("render");
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "72",
            "-gray",
            "-f",
            &(page + 1).to_string(),
            "-l",
            &(page + 1).to_string(),
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    let dir = prefix.parent().unwrap();
    let stem = prefix.file_name().unwrap().to_string_lossy().to_string();
    let file = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&stem))
        .expect("rendered page");
    let data = std::fs::read(&file).unwrap();
    // PGM (P5): header "P5\n<w> <h>\n255\n" then bytes.
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..pos]).to_string());
    }
    pos += 1;
    let width: usize = fields[1].parse().unwrap();
    let height: usize = fields[2].parse().unwrap();
    let pixels = &data[pos..];
    let mut dark = 0;
    for y in (bbox[1].max(0.0) as usize)..(bbox[3].ceil() as usize).min(height) {
        for x in (bbox[0].max(0.0) as usize)..(bbox[2].ceil() as usize).min(width) {
            if pixels[y * width + x] < 128 {
                dark += 1;
            }
        }
    }
    std::fs::remove_file(file).ok();
    dark
}

#[test]
fn a_caller_bbox_schema_fills_a_flat_pdf_where_it_says() {
    let fillable =
        std::fs::read(common::corpus().join("fillable/irs-f1040-prefilled.pdf")).unwrap();
    let flat_path = common::corpus().join("flat/irs-f1040-flat-vector.pdf");
    let flat = std::fs::read(&flat_path).unwrap();
    let twin = Form::open(&fillable, &OpenOptions::default()).unwrap();
    let native = generate(&twin, &NoLabels, &GenerateOptions::default());

    // Text boxes and check boxes of the twin, as a caller would write them: bbox + page only.
    let mut properties = serde_json::Map::new();
    let mut texts = Vec::new();
    let mut checks = Vec::new();
    for (i, (_, p)) in native.properties.iter().enumerate() {
        let (Some(bbox), Some(page)) = (p.bbox, p.page_index) else {
            continue;
        };
        let is_text = p.field_type == Some(formsmith_schema::FieldKind::Text);
        let is_check = p.field_type == Some(formsmith_schema::FieldKind::Checkbox);
        let wide = bbox.right - bbox.left > 60.0 && bbox.bottom - bbox.top > 8.0;
        if is_text && wide && texts.len() < 25 && i % 3 == 0 {
            let key = format!("text_{i}");
            let value = format!("V{i}k");
            properties.insert(key.clone(), json!({
                "type": ["string", "null"], "extend_edit:field_type": "text",
                "extend_edit:page_index": page, "extend_edit:bbox": bbox, "extend_edit:value": value,
            }));
            texts.push((key, value, page as usize, bbox));
        } else if is_check && checks.len() < 6 {
            let key = format!("check_{i}");
            properties.insert(key.clone(), json!({
                "type": ["boolean", "null"], "extend_edit:field_type": "checkbox",
                "extend_edit:page_index": page, "extend_edit:bbox": bbox, "extend_edit:value": true,
            }));
            checks.push((page as usize, bbox));
        }
    }
    assert!(
        texts.len() >= 15 && checks.len() >= 4,
        "{} texts, {} checks",
        texts.len(),
        checks.len()
    );

    // Comb, multiline, styled text, a table and a signature image, in open areas of page 2.
    let extra = json!({
        "ssn_comb": { "type": ["string", "null"], "extend_edit:field_type": "text", "extend_edit:page_index": 1,
            "extend_edit:bbox": {"left": 40, "top": 700, "right": 220, "bottom": 716},
            "extend_edit:text_edit_options": {"combing": true, "maxLength": 9, "fontSize": 10},
            "extend_edit:value": "123456789" },
        "notes": { "type": ["string", "null"], "extend_edit:field_type": "text", "extend_edit:page_index": 1,
            "extend_edit:bbox": {"left": 300, "top": 690, "right": 560, "bottom": 740},
            "extend_edit:text_edit_options": {"multiLine": true, "fontSize": 9, "color": [200, 0, 0]},
            "extend_edit:value": "Alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike" },
        "dependents": { "type": "array", "extend_edit:field_type": "table", "maxItems": 3,
            "extend_edit:page_index": 1, "extend_edit:bbox": {"left": 40, "top": 620, "right": 300, "bottom": 680},
            "extend_edit:row_heights": [0.34, 0.33, 0.33],
            "items": { "type": "object", "properties": {
                "name": { "type": ["string", "null"], "extend_edit:field_type": "text", "extend_edit:column_width": 70 },
                "age": { "type": ["integer", "null"], "extend_edit:field_type": "text", "extend_edit:column_width": 30 } } },
            "extend_edit:value": [{"name": "Rowone", "age": 7}, {"name": "Rowtwo", "age": 11}] },
        "signature": { "type": ["string", "null"], "extend_edit:field_type": "signature", "extend_edit:page_index": 1,
            "extend_edit:bbox": {"left": 320, "top": 620, "right": 440, "bottom": 660},
            "extend_edit:image": {"image_url": signature_png()} }
    });
    for (k, v) in extra.as_object().unwrap() {
        properties.insert(k.clone(), v.clone());
    }
    let schema = json!({ "type": "object", "properties": properties });

    let original_ink_sig = ink(&flat_path, 1, [320.0, 620.0, 440.0, 660.0]);
    for flatten in [false, true] {
        let request = EditRequest {
            schema: Some(schema.clone()),
            flatten,
            ..EditRequest::default()
        };
        let outcome = edit(&flat, &request, &context()).unwrap();
        assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
        assert_eq!(outcome.filled_values.len(), properties.len());
        assert_eq!(
            outcome.metrics.fields_annotated_count,
            properties.len() as u64
        );
        let out = common::temp_path(&format!("flat-{flatten}.pdf"));
        std::fs::write(&out, &outcome.pdf).unwrap();
        let qpdf = Command::new("qpdf")
            .arg("--check")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            qpdf.status.success(),
            "{}",
            String::from_utf8_lossy(&qpdf.stdout)
        );
        let words = common::pdftotext_words(&out);
        for (key, value, page, bbox) in &texts {
            let got = common::text_in_box(
                &words,
                *page,
                [bbox.left, bbox.top, bbox.right, bbox.bottom],
            );
            assert!(
                got.contains(value.as_str()),
                "{key}: {value:?} not in {bbox:?} (found {got:?})"
            );
        }
        let comb = common::text_in_box(&words, 1, [40.0, 700.0, 220.0, 716.0]);
        assert_eq!(
            comb.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>(),
            "123456789",
            "{comb}"
        );
        let notes = common::text_in_box(&words, 1, [300.0, 690.0, 560.0, 740.0]);
        for w in ["Alpha", "golf", "mike"] {
            assert!(notes.contains(w), "{w} not in the multiline box: {notes}");
        }
        let rows = common::text_in_box(&words, 1, [40.0, 620.0, 300.0, 680.0]);
        for w in ["Rowone", "7", "Rowtwo", "11"] {
            assert!(rows.contains(w), "{w} not in the table: {rows}");
        }
        // Row 1 above row 2, name left of age.
        let find = |t: &str| {
            words
                .iter()
                .find(|w| w.page == 1 && w.text == t)
                .map(|w| w.bbox)
                .unwrap()
        };
        assert!(find("Rowone")[3] <= find("Rowtwo")[1] + 1.0);
        assert!(find("Rowone")[2] <= find("7")[0]);
        for (page, bbox) in &checks {
            let before = ink(
                &flat_path,
                *page,
                [bbox.left, bbox.top, bbox.right, bbox.bottom],
            );
            let after = ink(&out, *page, [bbox.left, bbox.top, bbox.right, bbox.bottom]);
            assert!(
                after > before + 3,
                "check mark at {bbox:?} not visible ({before} -> {after} dark pixels)"
            );
        }
        let sig = ink(&out, 1, [320.0, 620.0, 440.0, 660.0]);
        assert!(
            sig > original_ink_sig + 500,
            "signature image not visible ({original_ink_sig} -> {sig})"
        );
    }
}

#[test]
fn bbox_properties_on_a_missing_page_are_invalid_options() {
    let flat = std::fs::read(common::corpus().join("flat/sf424-page2-flat-vector.pdf")).unwrap();
    let schema = json!({ "type": "object", "properties": { "x": {
        "type": ["string", "null"], "extend_edit:field_type": "text", "extend_edit:page_index": 5,
        "extend_edit:bbox": {"left": 1, "top": 1, "right": 50, "bottom": 12}, "extend_edit:value": "hi" } } });
    let err = edit(
        &flat,
        &EditRequest {
            schema: Some(schema),
            ..EditRequest::default()
        },
        &context(),
    )
    .unwrap_err();
    assert_eq!(err.reason().code(), "INVALID_OPTIONS");
    assert!(err.to_string().contains("page 5 does not exist"), "{err}");
    let empty = json!({ "type": "object", "properties": {} });
    let err = edit(
        &flat,
        &EditRequest {
            schema: Some(empty),
            ..EditRequest::default()
        },
        &context(),
    )
    .unwrap_err();
    assert_eq!(err.reason().code(), "EMPTY_SCHEMA");
    let err = edit(&flat, &EditRequest::default(), &context()).unwrap_err();
    assert_eq!(err.reason().code(), "EMPTY_SCHEMA", "{err}");
    let _: Value = json!(null);
}
