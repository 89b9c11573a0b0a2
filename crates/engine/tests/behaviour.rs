//! Behaviour users rely on: Unicode values round-trip through other readers, output is
//! deterministic, bad values are refused with names, incremental saves keep the original.

mod common;

use common::*;
use formsmith_engine::{
    Error, FailureReason, FieldValue, FillOptions, Form, OpenOptions, SaveOptions,
};

const UNICODE: &str = "Žilina Łódź Ünï Ωμέγα Москва 東京";

fn open(rel: &str) -> (Vec<u8>, Form) {
    let bytes = std::fs::read(corpus().join(rel)).expect("corpus file");
    let form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
    (bytes, form)
}

#[test]
fn unicode_value_renders_and_extracts_in_poppler_and_mupdf() {
    for flatten in [false, true] {
        let (_, mut form) = open("fillable/textfields-alignment.pdf");
        let name = form
            .fields()
            .iter()
            .find(|f| f.max_len.is_none() && !f.flags.contains(&"Multiline"))
            .expect("a plain text field")
            .name
            .clone();
        form.fill(
            &[(name, FieldValue::Text(UNICODE.into()))],
            &FillOptions::default(),
        )
        .expect("fills");
        let file = temp_pdf(
            &form
                .save(&SaveOptions {
                    flatten,
                    ..Default::default()
                })
                .expect("saves"),
            "uni",
        );
        let text = tool("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains(UNICODE),
            "pdftotext lost the value (flatten={flatten}): {text}"
        );
        let fonts = tool("pdffonts").arg(&file).output().expect("pdffonts");
        let fonts = String::from_utf8_lossy(&fonts.stdout);
        assert!(fonts.contains("CID"), "no embedded CID font: {fonts}");
        let mu = tool("mutool")
            .args(["draw", "-q", "-F", "txt", "-o", "-"])
            .arg(&file)
            .output()
            .expect("mutool");
        let mu = String::from_utf8_lossy(&mu.stdout);
        assert!(
            mu.contains("Москва") && mu.contains("東京") && mu.contains("Ωμέγα"),
            "MuPDF lost the value: {mu}"
        );
        let _ = std::fs::remove_file(&file);
    }
}

#[test]
fn same_input_gives_same_bytes() {
    let run = || {
        let (_, mut form) = open("fillable/irs-f1040-prefilled.pdf");
        let values = values_for(form.fields(), true);
        form.fill(&values, &FillOptions::default()).expect("fills");
        form.save(&SaveOptions::default()).expect("saves")
    };
    assert_eq!(run(), run());
}

#[test]
fn incremental_save_keeps_the_original_bytes_and_signatures_prefix() {
    for rel in [
        "fillable/irs-fw4-usage-rights-ur3.pdf",
        "fillable/all-types-with-signature.pdf",
        "fillable/irs-f1040-aes256-owner-only.pdf",
    ] {
        let (bytes, mut form) = open(rel);
        let values = values_for(form.fields(), true);
        form.fill(&values, &FillOptions::default()).expect("fills");
        let out = form.save(&SaveOptions::default()).expect("saves");
        assert!(
            out.len() > bytes.len() && out.starts_with(&bytes),
            "{rel}: original bytes not kept"
        );
    }
}

#[test]
fn bad_values_are_refused_with_the_field_named() {
    let (_, mut form) = open("fillable/irs-f1040-prefilled.pdf");
    let fields = form.fields().to_vec();
    let text = fields
        .iter()
        .find(|f| f.max_len.is_none() && f.kind == formsmith_engine::FieldType::Text)
        .expect("text field");
    // A misspelt name suggests the real one.
    let typo = text.name.replacen("Page1", "Paeg1", 1);
    match form.fill(
        &[(typo, FieldValue::Text("x".into()))],
        &FillOptions::default(),
    ) {
        Err(Error::UnknownField { suggestions, .. }) => {
            assert!(suggestions.contains(&text.name), "{suggestions:?}")
        }
        other => panic!("expected UnknownField, got {other:?}"),
    }
    let limited = fields
        .iter()
        .find(|f| f.max_len.is_some_and(|m| m > 0))
        .expect("MaxLen field");
    let long = "9".repeat(limited.max_len.unwrap_or(1) as usize + 3);
    let err = form
        .fill(
            &[(limited.name.clone(), FieldValue::Text(long.clone()))],
            &FillOptions::default(),
        )
        .expect_err("too long");
    assert_eq!(err.reason(), FailureReason::SchemaValidationError);
    assert!(
        err.to_string().contains(&limited.name) && err.to_string().contains("MaxLen"),
        "{err}"
    );
    let report = form
        .fill(
            &[(limited.name.clone(), FieldValue::Text(long))],
            &FillOptions { truncate: true },
        )
        .expect("truncates");
    assert_eq!(report.warnings.len(), 1);
    let check = fields
        .iter()
        .find(|f| f.kind == formsmith_engine::FieldType::Checkbox)
        .expect("check box");
    let err = form
        .fill(
            &[(check.name.clone(), FieldValue::Text("Maybe".into()))],
            &FillOptions::default(),
        )
        .expect_err("not a state");
    assert!(err.to_string().contains(&check.name));
}

#[test]
fn choices_and_multiselect_lists_write_values_and_indices() {
    let (_, mut form) = open("fillable/openoffice-form.pdf");
    let list = form
        .fields()
        .iter()
        .find(|f| f.flags.contains(&"MultiSelect"))
        .expect("multi-select list")
        .clone();
    let picks: Vec<String> = list.options.iter().take(2).cloned().collect();
    form.fill(
        &[(list.name.clone(), FieldValue::Choices(picks.clone()))],
        &FillOptions::default(),
    )
    .expect("fills");
    let out = form.save(&SaveOptions::default()).expect("saves");
    let again = Form::open(&out, &OpenOptions::default()).expect("reopens");
    let f = again
        .fields()
        .iter()
        .find(|f| f.name == list.name)
        .expect("list");
    assert_eq!(f.value, serde_json::json!(picks));
    let combo = again
        .fields()
        .iter()
        .find(|f| f.kind == formsmith_engine::FieldType::Combo && !f.flags.contains(&"Edit"))
        .expect("combo")
        .clone();
    let mut again = again;
    let err = again
        .fill(
            &[(combo.name.clone(), FieldValue::Text("not an option".into()))],
            &FillOptions::default(),
        )
        .expect_err("refused");
    assert!(err.to_string().contains("not one of the options"), "{err}");
}

#[test]
fn signature_image_is_drawn_inside_the_widget() {
    let (bytes, mut form) = open("fillable/all-types-with-signature.pdf");
    let sig = form
        .fields()
        .iter()
        .find(|f| f.kind == formsmith_engine::FieldType::Signature)
        .expect("signature field")
        .clone();
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, 40, 10);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png header");
        w.write_image_data(&vec![0u8; 40 * 10 * 3])
            .expect("png data");
    }
    form.fill(
        &[(sig.name.clone(), FieldValue::Image(png_bytes))],
        &FillOptions::default(),
    )
    .expect("fills");
    let out = temp_pdf(
        &form
            .save(&SaveOptions {
                flatten: true,
                ..Default::default()
            })
            .expect("saves"),
        "sig",
    );
    let before = temp_pdf(&bytes, "sig-before");
    let g = &page_geometry(&out)[sig.widgets[0].page.unwrap_or(0)];
    let m = g.media;
    let w = sig.widgets[0].rect;
    let rect = [w[0] - m[0], w[1] - m[1], w[2] - m[0], w[3] - m[1]];
    let p = sig.widgets[0].page.unwrap_or(0);
    let (a, b) = (&render_gray(&out)[p], &render_gray(&before)[p]);
    assert!(
        ink(a, m[3] - m[1], rect) > ink(b, m[3] - m[1], rect) + 20,
        "no signature ink"
    );
}

#[test]
fn xfa_only_forms_are_refused_clearly() {
    // Build a dynamic-XFA-like file: an AcroForm with /XFA and no widgets.
    let mut doc = lopdf::Document::with_version("1.7");
    let pages = doc.new_object_id();
    let page = doc.add_object(lopdf::dictionary! { "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] });
    doc.objects.insert(
        pages,
        lopdf::Object::Dictionary(
            lopdf::dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let xfa = doc.add_object(lopdf::Stream::new(
        lopdf::dictionary! {},
        b"<xdp:xdp/>".to_vec(),
    ));
    let af = doc
        .add_object(lopdf::dictionary! { "Fields" => Vec::<lopdf::Object>::new(), "XFA" => xfa });
    let catalog = doc.add_object(lopdf::dictionary! { "Type" => "Catalog", "Pages" => pages, "AcroForm" => af, "NeedsRendering" => true });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let err = Form::open(&bytes, &OpenOptions::default()).expect_err("refused");
    assert_eq!(err.reason(), FailureReason::FileTypeNotSupported);
    assert!(err.to_string().contains("XFA"));
}

/// hayro (a second, pure-Rust renderer) draws the flattened Unicode value: the field's box
/// changes between an empty and a filled fill.
#[test]
fn unicode_value_renders_in_hayro() {
    let render = |value: &str| {
        let (_, mut form) = open("fillable/textfields-alignment.pdf");
        let field = form
            .fields()
            .iter()
            .find(|f| f.max_len.is_none() && !f.flags.contains(&"Multiline"))
            .expect("text field")
            .clone();
        form.fill(
            &[(field.name.clone(), FieldValue::Text(value.into()))],
            &FillOptions::default(),
        )
        .expect("fills");
        let out = form
            .save(&SaveOptions {
                flatten: true,
                ..Default::default()
            })
            .expect("saves");
        let pdf = hayro::hayro_syntax::Pdf::new(out).expect("hayro opens the output");
        let pages = hayro::render_pdf(
            &pdf,
            1.0,
            Default::default(),
            &Default::default(),
            Some(0..=0),
        )
        .expect("hayro renders");
        let page = &pages[0];
        let (w, h) = (usize::from(page.width()), usize::from(page.height()));
        (field, w, h, page.data_as_u8_slice().to_vec())
    };
    let (field, w, h, filled) = render(UNICODE);
    let (_, _, _, empty) = render("");
    let r = field.widgets[0].rect;
    let mut differ = 0;
    for y in (h as f32 - r[3]).max(0.0) as usize..((h as f32 - r[1]) as usize).min(h) {
        for x in r[0].max(0.0) as usize..(r[2] as usize).min(w) {
            let i = (y * w + x) * 4;
            if filled[i..i + 3]
                .iter()
                .zip(&empty[i..i + 3])
                .any(|(a, b)| a.abs_diff(*b) > 40)
            {
                differ += 1;
            }
        }
    }
    assert!(
        differ > 30,
        "hayro shows nothing new in the field ({differ} pixels differ)"
    );
}

/// Every standard encryption qpdf can write, with an empty user password: the form opens
/// without a password, fills, stays encrypted the same way, and poppler reads the value.
#[test]
fn empty_user_password_encryptions_open_fill_and_stay_encrypted() {
    let src = corpus().join("fillable/libreoffice-form.pdf");
    for (bits, extra) in [
        ("40", vec![]),
        ("128", vec!["--use-aes=n"]),
        ("128", vec!["--use-aes=y"]),
        ("256", vec![]),
    ] {
        let dir = std::env::temp_dir().join("formsmith-tests");
        std::fs::create_dir_all(&dir).expect("dir");
        let enc = dir.join(format!(
            "enc-{}-{bits}-{}.pdf",
            std::process::id(),
            extra.len()
        ));
        let mut cmd = tool("qpdf");
        cmd.arg("--allow-weak-crypto")
            .arg("--encrypt")
            .arg("")
            .arg("owner-secret")
            .arg(bits);
        cmd.args(&extra).arg("--").arg(&src).arg(&enc);
        let st = cmd.output().expect("qpdf runs");
        assert!(
            st.status.code().is_some_and(|c| c == 0 || c == 3),
            "qpdf --encrypt {bits}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        let bytes = std::fs::read(&enc).expect("encrypted file");
        for flatten in [false, true] {
            let mut form = Form::open(&bytes, &OpenOptions::default())
                .unwrap_or_else(|e| panic!("{bits} {extra:?}: {e}"));
            assert!(form.was_encrypted());
            let name = form
                .fields()
                .iter()
                .find(|f| f.kind == formsmith_engine::FieldType::Text)
                .expect("text field")
                .name
                .clone();
            form.fill(
                &[(name, FieldValue::Text("Encrypted Ünï".into()))],
                &FillOptions::default(),
            )
            .expect("fills");
            let out = form
                .save(&SaveOptions {
                    flatten,
                    ..Default::default()
                })
                .expect("saves");
            let file = temp_pdf(&out, "enc-out");
            let (code, _, text) = qpdf_check(&file);
            assert_ne!(code, 2, "{bits} {extra:?} flatten={flatten}: {text}");
            assert!(
                text.contains("R = ") && !text.contains("File is not encrypted"),
                "{bits} {extra:?}: output not encrypted: {text}"
            );
            let t = tool("pdftotext")
                .arg(&file)
                .arg("-")
                .output()
                .expect("pdftotext");
            assert!(
                String::from_utf8_lossy(&t.stdout).contains("Encrypted Ünï"),
                "{bits} {extra:?} flatten={flatten}: value not readable"
            );
            let _ = std::fs::remove_file(&file);
        }
        let _ = std::fs::remove_file(&enc);
    }
}

#[test]
fn multiline_mixed_scripts_wrap_and_extract() {
    let (_, mut form) = open("fillable/pdfbox-multiline-fields.pdf");
    let field = form
        .fields()
        .iter()
        .find(|f| f.flags.contains(&"Multiline"))
        .expect("multiline field")
        .clone();
    let value = "Москва 東京 Ωμέγα\nsecond line Žilina";
    form.fill(
        &[(field.name.clone(), FieldValue::Text(value.into()))],
        &FillOptions::default(),
    )
    .expect("fills");
    let file = temp_pdf(
        &form
            .save(&SaveOptions {
                flatten: true,
                ..Default::default()
            })
            .expect("saves"),
        "ml",
    );
    let (pages, words) = pdftotext_words(&file);
    let w = &field.widgets[0];
    let media = page_geometry(&file)[w.page.unwrap_or(0)].media;
    let got = text_in_rect(&pages, &words, w.page.unwrap_or(0), media, w.rect);
    assert!(
        chars_present(value, &got),
        "multiline value not inside its widget: {got:?}"
    );
    let _ = std::fs::remove_file(&file);
}

/// A one-page form whose widget carries `extra` as the value of an unused key.
fn form_with(extra: &[u8]) -> Vec<u8> {
    let mut x = b"<< /FT /Tx /T (a) /Subtype /Widget /Rect [0 0 50 20] /X ".to_vec();
    x.extend_from_slice(extra);
    x.extend_from_slice(b" >>");
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Annots [4 0 R] >>".to_vec(),
        x,
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn hostile_nesting_and_offsets_never_panic() {
    let deep_array = [vec![b'['; 100_000], vec![b']'; 100_000]].concat();
    let deep_dict = [b"<< /A ".repeat(50_000), b">>".repeat(50_000)].concat();
    let plain = form_with(b"1");
    // A sane file first: the builder is right, so the hostile variants test what they claim.
    let form = Form::open(&plain, &OpenOptions::default()).expect("plain form opens");
    assert_eq!(form.fields().len(), 1);
    let mut wrong_offsets = plain.clone();
    let at = wrong_offsets
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref")
        + 10;
    wrong_offsets.splice(at..at + 3, b"999".iter().copied());
    for (what, bytes) in [
        ("deep arrays", form_with(&deep_array)),
        ("deep dicts", form_with(&deep_dict)),
        ("bad startxref", wrong_offsets),
    ] {
        for everything in [false, true] {
            let opened = std::panic::catch_unwind(|| {
                Form::open(
                    &bytes,
                    &OpenOptions {
                        parse_everything: everything,
                        ..Default::default()
                    },
                )
                .map(|f| f.fields().len())
            });
            match opened {
                Err(_) => panic!("{what}: panicked"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => assert_eq!(e.reason(), FailureReason::CorruptFile, "{what}: {e}"),
            }
        }
    }
}

/// A field's format script (/AA /F, else /AA /K) is read by both loaders: the partial one
/// follows a field's format and keystroke actions and nothing else of /AA.
#[test]
fn format_scripts_are_read_by_both_loaders() {
    let bytes = std::fs::read(
        corpus().join("train/amsclark__docassemble-BankruptcyClinic__form_b_107.pdf"),
    )
    .expect("corpus file");
    for parse_everything in [false, true] {
        let options = OpenOptions {
            parse_everything,
            ..OpenOptions::default()
        };
        let form = Form::open(&bytes, &options).expect("opens");
        let script = |name: &str| {
            form.fields()
                .iter()
                .find(|f| f.name == name)
                .and_then(|f| f.format_script.clone())
        };
        assert_eq!(
            script("Date signed Debtor 1").as_deref(),
            Some(r#"AFDate_FormatEx("mm/dd/yyyy");"#),
            "parse_everything {parse_everything}"
        );
        assert_eq!(
            script("add1_D1_zip").as_deref(),
            Some("AFSpecial_Format(0);")
        );
        let with_scripts = form
            .fields()
            .iter()
            .filter(|f| f.format_script.is_some())
            .count();
        assert!(with_scripts > 100, "{with_scripts}");
    }
}
