//! Flat PDFs made fillable: detected fields written as AcroForm widgets by the engine
//! (`formsmith_engine::add_fields`), read back as fields, filled, and judged by qpdf and
//! poppler (`pdftotext -bbox`: each value lands inside its field's box).

use std::path::{Path, PathBuf};
use std::process::Command;

use formsmith_detect::{DetectOptions, FieldKind, detect_fields};
use formsmith_engine::{
    FieldType, FieldValue, FillOptions, Form, NewField, NewFieldKind, OpenOptions, SaveOptions,
    add_fields,
};

mod eval;

fn corpus(file: &str) -> Vec<u8> {
    std::fs::read(Path::new(eval::CORPUS).join(file)).expect("corpus file")
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("formsmith-detect-{}-{name}", std::process::id()))
}

/// The detected fields of every page, as new form fields named `f0`, `f1`, ...
fn detected_fields(pdf: &[u8]) -> Vec<NewField> {
    let pages = detect_fields(pdf, None, &DetectOptions::default()).expect("detects");
    let mut out = Vec::new();
    for page in pages {
        for f in page.fields {
            out.push(NewField {
                name: format!("f{}", out.len()),
                kind: match f.kind {
                    FieldKind::Checkbox => NewFieldKind::Checkbox,
                    FieldKind::Signature => NewFieldKind::Signature,
                    _ => NewFieldKind::Text,
                },
                page: page.page,
                rect: f.rect,
                tooltip: f.label,
                max_len: f.comb,
                comb: f.comb.is_some(),
                multiline: f.multiline,
            });
        }
    }
    out
}

/// Words poppler reads on page `page` (1-based), with their boxes in user space (pages
/// here are unrotated and uncropped).
fn words(pdf: &Path, page: usize, height: f64) -> Vec<(String, [f64; 4])> {
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let html = String::from_utf8_lossy(&out.stdout);
    let mut words = Vec::new();
    for line in html.lines().filter(|l| l.trim_start().starts_with("<word")) {
        let attr = |name: &str| -> f64 {
            let key = format!("{name}=\"");
            line.split(&key)
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0)
        };
        let text = line
            .split('>')
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_default()
            .to_string();
        let (x0, y0, x1, y1) = (attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"));
        words.push((text, [x0, height - y1, x1, height - y0]));
    }
    words
}

#[test]
fn a_flat_form_becomes_fillable_and_its_values_land_in_the_boxes() {
    let flat = corpus("flat/illinois-bill-of-sale-flat-vector.pdf");
    let new = detected_fields(&flat);
    assert!(new.len() >= 25, "{} fields", new.len());
    let made = add_fields(&flat, &new, &OpenOptions::default()).expect("adds fields");
    // An incremental update: the original bytes come first, unchanged.
    assert!(made.starts_with(&flat));

    let form = Form::open(&made, &OpenOptions::default()).expect("opens");
    assert_eq!(form.fields().len(), new.len());
    for (field, spec) in form.fields().iter().zip(&new) {
        assert_eq!(field.name, spec.name);
        let kind = match spec.kind {
            NewFieldKind::Checkbox => FieldType::Checkbox,
            NewFieldKind::Signature => FieldType::Signature,
            _ => FieldType::Text,
        };
        assert_eq!(field.kind, kind, "{}", field.name);
        let widget = &field.widgets[0];
        assert_eq!(widget.page, Some(spec.page));
        assert!(
            widget
                .rect
                .iter()
                .zip(spec.rect.iter())
                .all(|(a, b)| (a - b).abs() < 0.01)
        );
        if spec.kind == NewFieldKind::Checkbox {
            assert_eq!(field.on_states, vec!["Yes".to_string()], "{}", field.name);
        }
        assert_eq!(field.tooltip, spec.tooltip);
    }

    // Fill every text field of page 1 with its own name, and check every box.
    let mut form = form;
    let values: Vec<(String, FieldValue)> = new
        .iter()
        .filter(|f| f.page == 0)
        .map(|f| {
            let value = match f.kind {
                NewFieldKind::Checkbox => FieldValue::Bool(true),
                _ => FieldValue::Text(format!("V{}", &f.name[1..])),
            };
            (f.name.clone(), value)
        })
        .collect();
    form.fill(&values, &FillOptions::default()).expect("fills");
    let filled = form.save(&SaveOptions::default()).expect("saves");
    let path = temp("filled.pdf");
    std::fs::write(&path, &filled).expect("writes");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("qpdf runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let words = words(&path, 1, 792.0);
    for spec in new
        .iter()
        .filter(|f| f.page == 0 && f.kind == NewFieldKind::Text)
    {
        let value = format!("V{}", &spec.name[1..]);
        let r = spec.rect.map(f64::from);
        let inside = words.iter().any(|(t, b)| {
            let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            *t == value && cx > r[0] && cx < r[2] && cy > r[1] && cy < r[3]
        });
        assert!(inside, "{value} not inside {r:?}");
    }
    let reopened = Form::open(&filled, &OpenOptions::default()).expect("opens");
    let checked = reopened
        .fields()
        .iter()
        .filter(|f| f.kind == FieldType::Checkbox && f.value == "Yes")
        .count();
    assert_eq!(
        checked,
        new.iter()
            .filter(|f| f.page == 0 && f.kind == NewFieldKind::Checkbox)
            .count()
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn comb_fields_keep_their_cells_and_encrypted_files_stay_encrypted() {
    // The owner-password-only 1040 (AES-256): detection reads it without a password, and
    // the fields are added in an encrypted incremental update.
    let pdf = corpus("fillable/irs-f1040-aes256-owner-only.pdf");
    let pages = detect_fields(&pdf, Some(&[0]), &DetectOptions::default()).expect("detects");
    let comb = NewField {
        name: "detected_comb".into(),
        kind: NewFieldKind::Text,
        page: 0,
        rect: [100.0, 100.0, 226.0, 116.0],
        tooltip: Some("Nine cells".into()),
        max_len: Some(9),
        comb: true,
        multiline: false,
    };
    assert!(!pages[0].fields.is_empty());
    let made = add_fields(&pdf, std::slice::from_ref(&comb), &OpenOptions::default())
        .expect("adds a field");
    assert!(made.starts_with(&pdf));
    let form = Form::open(&made, &OpenOptions::default()).expect("opens");
    assert!(form.was_encrypted());
    let field = form
        .fields()
        .iter()
        .find(|f| f.name == "detected_comb")
        .expect("the new field");
    assert_eq!(field.max_len, Some(9));
    assert!(field.has_flag("Comb"), "{:?}", field.flags);
    // Existing fields are kept.
    assert!(form.fields().len() > 200);

    let clash = add_fields(&made, &[comb], &OpenOptions::default()).expect_err("same name");
    assert_eq!(clash.reason().code(), "INVALID_OPTIONS");
}
