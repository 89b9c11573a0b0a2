//! Every fillable form in the corpus: fill every field, save (incremental and flattened),
//! and let independent tools judge the result. Every broken/damaged file fails as its
//! manifest note says, without a panic.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::*;
use formsmith_engine::{
    FailureReason, FieldType, FieldValue, FillOptions, Form, OpenOptions, SaveOptions,
};

/// Flattened output may grow by this factor plus the embedded font subsets (a Unicode
/// subset is a few KB; this allowance covers DejaVu and CJK subsets together).
const FLATTEN_GROWTH: f64 = 1.2;
const FLATTEN_SLACK_BYTES: u64 = 40_000;

struct Outcome {
    failures: Vec<String>,
}

impl Outcome {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(what());
        }
    }
}

fn fill(bytes: &[u8], values: &[(String, FieldValue)], flatten: bool) -> Vec<u8> {
    let mut form = Form::open(bytes, &OpenOptions::default()).expect("opens");
    form.fill(values, &FillOptions::default()).expect("fills");
    form.save(&SaveOptions {
        flatten,
        ..Default::default()
    })
    .expect("saves")
}

#[test]
fn every_fillable_form_fills_and_shows_its_values() {
    let forms = manifest("fillable");
    assert!(
        forms.len() >= 50,
        "corpus missing: {} fillable forms",
        forms.len()
    );
    let mut out = Outcome {
        failures: Vec::new(),
    };
    for (path, _) in &forms {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = std::fs::read(path).expect("corpus file");
        let form =
            Form::open(&bytes, &OpenOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let fields = form.fields().to_vec();
        let values = values_for(&fields, true);
        assert!(!values.is_empty(), "{name}: nothing to fill");
        let (_, orig_warnings, _) = qpdf_check(path);

        for flatten in [false, true] {
            let tag = if flatten { "flat" } else { "inc" };
            let filled = fill(&bytes, &values, flatten);
            let file = temp_pdf(&filled, tag);
            let (code, warnings, text) = qpdf_check(&file);
            out.check(code != 2 && warnings <= orig_warnings, || {
                format!("{name} [{tag}]: qpdf --check exit {code}, {warnings} warnings (input had {orig_warnings}): {}", text.lines().take(4).collect::<Vec<_>>().join(" | "))
            });
            if !flatten {
                // Incremental update: the original bytes are kept as they were.
                out.check(
                    filled.starts_with(&bytes[..bytes.len().min(4096)])
                        || filled.windows(5).position(|w| w == b"%PDF-") != Some(0)
                        || !bytes.starts_with(b"%PDF"),
                    || format!("{name}: output does not keep the original bytes"),
                );
                // Reopen (our reader) and read every value back.
                let again = Form::open(&filled, &OpenOptions::default()).expect("reopens");
                for (fname, v) in &values {
                    let Some(f) = again.fields().iter().find(|f| &f.name == fname) else {
                        out.failures.push(format!("{name}: field {fname} vanished"));
                        continue;
                    };
                    let got = &f.value;
                    let ok = match (f.kind, v) {
                        (FieldType::Text, FieldValue::Text(t)) => got.as_str() == Some(t.as_str()),
                        (FieldType::Checkbox, FieldValue::Bool(true)) => got
                            .as_str()
                            .is_some_and(|s| f.on_states.iter().any(|o| o == s)),
                        (FieldType::Radio, FieldValue::Text(_)) => {
                            got.as_str().is_some_and(|s| s != "Off")
                        }
                        (FieldType::Combo | FieldType::List, FieldValue::Text(t)) => {
                            got.as_str() == Some(t.as_str())
                        }
                        _ => true,
                    };
                    out.check(ok, || {
                        format!("{name}: {fname} reads back {got} after writing {v:?}")
                    });
                }
                // No dangling NeedAppearances/XFA after a fill.
                let doc = lopdf::Document::load_mem(&filled).expect("lopdf reopens");
                let af = doc
                    .catalog()
                    .ok()
                    .and_then(|c| c.get(b"AcroForm").ok())
                    .and_then(|o| doc.dereference(o).ok())
                    .and_then(|(_, o)| o.as_dict().ok().cloned());
                if let Some(af) = af {
                    out.check(af.get(b"XFA").is_err(), || {
                        format!("{name}: /XFA left in the filled form")
                    });
                }
            } else {
                out.check(
                    Form::open(&filled, &OpenOptions::default())
                        .map(|f| f.fields().is_empty())
                        .unwrap_or(true),
                    || format!("{name}: flattened output still has fields"),
                );
                let limit = (bytes.len() as f64 * FLATTEN_GROWTH) as u64 + FLATTEN_SLACK_BYTES;
                out.check(filled.len() as u64 <= limit, || {
                    format!("{name}: flattened size {} > limit {limit}", filled.len())
                });
            }
            // pdftotext finds each text value inside its widget.
            let (pages, words) = pdftotext_words(&file);
            let geometry = page_geometry(&file);
            for f in fields
                .iter()
                .filter(|f| f.kind == FieldType::Text && !f.flags.contains(&"Password"))
            {
                let Some((_, FieldValue::Text(t))) = values.iter().find(|(n, _)| n == &f.name)
                else {
                    continue;
                };
                // The first widget that a viewer can show: not hidden, and on its page (a
                // multi-page field in checkbox-choice-heavy-286 has widgets off the page).
                let on_page = |w: &&formsmith_engine::Widget| {
                    w.page.and_then(|p| geometry.get(p)).is_some_and(|g| {
                        w.rect[1] >= g.media[1]
                            && w.rect[3] <= g.media[3]
                            && w.rect[0] >= g.media[0]
                            && w.rect[2] <= g.media[2]
                    })
                };
                let Some(w) = f.widgets.iter().filter(|w| !w.hidden).find(on_page) else {
                    continue;
                };
                let Some(page) = w.page else { continue };
                let Some(media) = geometry.get(page).map(|g| g.media) else {
                    continue;
                };
                let got = text_in_rect(&pages, &words, page, media, w.rect);
                out.check(chars_present(t, &got), || {
                    format!(
                        "{name} [{tag}]: {:?} not found in widget of {} (found {got:?})",
                        t, f.name
                    )
                });
            }
            let _ = std::fs::remove_file(&file);
        }
    }
    assert!(
        out.failures.is_empty(),
        "{} failures:\n{}",
        out.failures.len(),
        out.failures.join("\n")
    );
}

/// Buttons whose on/off renders look the same in poppler for reasons of the form itself,
/// not of the fill (investigated; see the closing note of issue 2): the form's own "on"
/// appearance draws nothing poppler shows, or poppler skips the widget unflattened.
const KNOWN_INVISIBLE_IN_POPPLER: &[(&str, &str)] = &[
    ("checkbox-choice-heavy-286.pdf", "Check Box50"),
    ("fancy-fields.pdf", "Is Your Power Level Over 9000? 💪"),
    ("multiline-paragraph-sejda.pdf", "checkbox"),
    ("multiline-paragraph-sejda.pdf", "radio"),
];

#[test]
fn checked_buttons_visibly_mark_their_widgets() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, _) in manifest("fillable") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = std::fs::read(&path).expect("corpus file");
        let form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
        let fields = form.fields().to_vec();
        let buttons: Vec<_> = fields
            .iter()
            .filter(|f| matches!(f.kind, FieldType::Checkbox | FieldType::Radio))
            .collect();
        if buttons.is_empty() {
            continue;
        }
        let only = |on: bool| -> Vec<(String, FieldValue)> {
            values_for(&fields, on)
                .into_iter()
                .filter(|(n, _)| buttons.iter().any(|b| &b.name == n))
                .collect()
        };
        for flatten in [false, true] {
            let on_file = temp_pdf(&fill(&bytes, &only(true), flatten), "on");
            let off_file = temp_pdf(&fill(&bytes, &only(false), flatten), "off");
            let geometry = page_geometry(&on_file);
            let (on_pages, off_pages) = (render_gray(&on_file), render_gray(&off_file));
            for f in &buttons {
                if KNOWN_INVISIBLE_IN_POPPLER.contains(&(name.as_str(), f.name.as_str())) {
                    continue;
                }
                if f.flags.contains(&"ReadOnly")
                    || (f.kind == FieldType::Radio && f.flags.contains(&"NoToggleToOff"))
                {
                    continue;
                }
                // The widget that the "on" value selects: the first one with the first on-state.
                let Some(w) = f.widgets.iter().find(|w| w.on_state.is_some()) else {
                    continue;
                };
                let Some(p) = w.page else { continue };
                let Some(g) = geometry.get(p) else { continue };
                if g.rotate != 0 {
                    continue; // pixel mapping below assumes an unrotated page
                }
                let m = g.media;
                let rect = [
                    w.rect[0] - m[0],
                    w.rect[1] - m[1],
                    w.rect[2] - m[0],
                    w.rect[3] - m[1],
                ];
                let page_h = m[3] - m[1];
                let marked = changed_pixels(&on_pages[p], &off_pages[p], page_h, rect);
                let dark = (
                    ink(&on_pages[p], page_h, rect),
                    ink(&off_pages[p], page_h, rect),
                );
                checked += 1;
                if marked < 3 {
                    failures.push(format!("{name} [{}]: {} on looks the same as off ({marked} pixels differ; dark pixels on/off {dark:?})", if flatten { "flat" } else { "inc" }, f.name));
                }
            }
            let _ = std::fs::remove_file(&on_file);
            let _ = std::fs::remove_file(&off_file);
        }
    }
    assert!(checked > 500, "only {checked} button widgets checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn broken_files_fail_with_their_manifest_reason() {
    for (path, note) in manifest("broken") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = std::fs::read(&path).expect("corpus file");
        let result = catch_unwind(AssertUnwindSafe(|| {
            Form::open(&bytes, &OpenOptions::default())
        }));
        let err = match result {
            Err(_) => panic!("{name}: panicked"),
            Ok(Ok(_)) => panic!("{name}: opened, but the manifest says: {note}"),
            Ok(Err(e)) => e,
        };
        let code = err.reason().code();
        // The note says "... expect CODE [or CODE] ...; other facts".
        let expectation = note
            .split_once("expect ")
            .map(|(_, r)| r.split(';').next().unwrap_or(r))
            .unwrap_or("");
        let expected: Vec<&str> = [
            "CORRUPT_FILE",
            "FILE_TYPE_NOT_SUPPORTED",
            "PASSWORD_PROTECTED_FILE",
        ]
        .into_iter()
        .filter(|c| expectation.contains(c))
        .collect();
        assert!(
            !expected.is_empty(),
            "{name}: manifest note names no reason: {note}"
        );
        assert!(
            expected.contains(&code),
            "{name}: got {code} ({err}), manifest: {note}"
        );
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn user_password_file_opens_with_its_password_and_refuses_a_wrong_one() {
    let bytes =
        std::fs::read(corpus().join("broken/user-password-required.pdf")).expect("corpus file");
    let wrong = Form::open(
        &bytes,
        &OpenOptions {
            password: Some("nope".into()),
            ..Default::default()
        },
    )
    .expect_err("wrong password");
    assert_eq!(wrong.reason(), FailureReason::PasswordProtectedFile);
    let mut form = Form::open(
        &bytes,
        &OpenOptions {
            password: Some("userpw".into()),
            ..Default::default()
        },
    )
    .expect("opens with userpw");
    assert!(form.was_encrypted());
    let values = values_for(form.fields(), true);
    form.fill(&values, &FillOptions::default()).expect("fills");
    let out = form.save(&SaveOptions::default()).expect("saves");
    // Still encrypted: no password, no entry.
    assert_eq!(
        Form::open(&out, &OpenOptions::default())
            .expect_err("re-encrypted")
            .reason(),
        FailureReason::PasswordProtectedFile
    );
    let again = Form::open(
        &out,
        &OpenOptions {
            password: Some("userpw".into()),
            ..Default::default()
        },
    )
    .expect("reopens");
    let (n, v) = &values[0];
    let f = again.fields().iter().find(|f| &f.name == n).expect("field");
    if let FieldValue::Text(t) = v {
        assert_eq!(f.value.as_str(), Some(t.as_str()));
    }
}

#[test]
fn damaged_files_open_or_fail_as_corrupt_and_never_panic() {
    let mut opened = 0;
    for (path, _) in manifest("damaged") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = std::fs::read(&path).expect("corpus file");
        let result = catch_unwind(AssertUnwindSafe(
            || -> Result<Vec<u8>, formsmith_engine::Error> {
                let mut form = Form::open(&bytes, &OpenOptions::default())?;
                let values = values_for(form.fields(), true);
                if !values.is_empty() {
                    form.fill(&values, &FillOptions::default())?;
                }
                form.save(&SaveOptions {
                    flatten: true,
                    ..Default::default()
                })
            },
        ));
        match result {
            Err(_) => panic!("{name}: panicked"),
            Ok(Ok(out)) => {
                opened += 1;
                let file = temp_pdf(&out, "damaged");
                let (code, _, text) = qpdf_check(&file);
                assert_ne!(
                    code, 2,
                    "{name}: recovered output fails qpdf --check: {text}"
                );
                let _ = std::fs::remove_file(&file);
            }
            Ok(Err(e)) => assert_eq!(e.reason(), FailureReason::CorruptFile, "{name}: {e}"),
        }
    }
    assert!(opened >= 8, "only {opened} damaged files recovered");
}

#[test]
fn partial_and_full_loading_read_the_same_form() {
    for (path, _) in manifest("fillable").into_iter().chain(manifest("damaged")) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = std::fs::read(&path).expect("corpus file");
        let full = Form::open(
            &bytes,
            &OpenOptions {
                parse_everything: true,
                ..Default::default()
            },
        );
        let partial = Form::open(&bytes, &OpenOptions::default());
        match (full, partial) {
            (Ok(full), Ok(partial)) => {
                let a = serde_json::to_value(full.fields()).expect("json");
                let b = serde_json::to_value(partial.fields()).expect("json");
                assert_eq!(a, b, "{name}: the two loaders disagree on the fields");
                assert_eq!(full.page_count(), partial.page_count(), "{name}");
            }
            (Err(a), Err(b)) => assert_eq!(a.reason(), b.reason(), "{name}"),
            (a, b) => panic!(
                "{name}: full load {:?} vs partial {:?}",
                a.map(|_| ()),
                b.map(|_| ())
            ),
        }
    }
}
