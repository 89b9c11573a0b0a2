//! Generated schemas over the whole fillable corpus: keys, coverage of every native field,
//! placement checked by poppler, the SDK's own model as the judge of the shape, and the
//! round trip schema values -> fill -> values read back == filledValues.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use formsmith_engine::{FieldType, Form, OpenOptions};
use formsmith_schema::{
    EditContext, EditRequest, EditRootJson, GenerateOptions, NoResolver, edit, generate,
    printed_labels,
};
use serde_json::{Value, json};

fn open(path: &std::path::Path) -> Option<(Vec<u8>, Form)> {
    let bytes = std::fs::read(path).unwrap();
    match Form::open(&bytes, &OpenOptions::default()) {
        Ok(form) => Some((bytes, form)),
        // XFA-only forms are refused by the engine (FILE_TYPE_NOT_SUPPORTED) by design.
        Err(e) => {
            assert_eq!(
                e.reason().code(),
                "FILE_TYPE_NOT_SUPPORTED",
                "{}: {e}",
                path.display()
            );
            None
        }
    }
}

fn distinct_states(field: &formsmith_engine::Field) -> usize {
    let mut states: Vec<&String> = field
        .widgets
        .iter()
        .filter_map(|w| w.on_state.as_ref())
        .filter(|s| !s.is_empty())
        .collect();
    states.sort();
    states.dedup();
    states.len()
}

fn schema_of(bytes: &[u8], form: &Form, radio_enums: bool) -> EditRootJson {
    let labels = printed_labels(bytes, form, None);
    generate(form, labels.as_ref(), &GenerateOptions { radio_enums })
}

#[test]
fn every_native_field_appears_once_with_a_readable_key_inside_its_page() {
    let key_shape = regex::Regex::new("^[a-z][a-z0-9_]*$").unwrap();
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for path in common::fillable() {
        let Some((bytes, form)) = open(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for radio_enums in [false, true] {
            let schema = schema_of(&bytes, &form, radio_enums);
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (key, property) in &schema.properties {
                if !key_shape.is_match(key) {
                    failures.push(format!("{name}: key {key:?} is not snake_case"));
                }
                let source = property
                    .source_acroform
                    .as_ref()
                    .expect("native properties link their field");
                *seen.entry(source.field_name.clone()).or_default() += 1;
                let description = property.description.as_deref().unwrap_or_default();
                if description.trim().is_empty() {
                    failures.push(format!("{name}: {key} has no description"));
                }
                // A single-widget field's bbox is its rect seen from the CropBox's top-left
                // corner (no corpus page is rotated; bboxes_follow_page_rotation covers that).
                let field = form
                    .fields()
                    .iter()
                    .find(|f| f.name == source.field_name)
                    .unwrap();
                if let ([only], Some(b), Some(page)) =
                    (field.widgets.as_slice(), property.bbox, property.page_index)
                {
                    let geometry = form.page_geometry(page as usize).unwrap();
                    assert_eq!(
                        geometry.rotate, 0,
                        "{name}: a rotated page in the corpus; extend this check"
                    );
                    let [cx0, _, _, cy1] = geometry.crop_box.map(f64::from);
                    let [x0, y0, x1, y1] = only.rect.map(f64::from);
                    let expected = [x0 - cx0, cy1 - y1, x1 - cx0, cy1 - y0];
                    let got = [b.left, b.top, b.right, b.bottom];
                    if got.iter().zip(expected).any(|(g, e)| (g - e).abs() > 0.5) {
                        failures.push(format!(
                            "{name}: {key} bbox {got:?}, widget rect gives {expected:?}"
                        ));
                    }
                }
                let boxes = property
                    .bboxes
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .chain(property.bbox);
                for bbox in boxes {
                    let page = property.page_index.expect("placed properties have a page") as usize;
                    let (width, height) = form.page_geometry(page).unwrap().display_size();
                    let field = form
                        .fields()
                        .iter()
                        .find(|f| f.name == source.field_name)
                        .unwrap();
                    // A widget the form itself put outside the visible page is not our error.
                    let widget_visible = field.widgets.iter().any(|w| {
                        let c = form.page_geometry(page).unwrap().crop_box;
                        w.page == Some(page)
                            && w.rect[0] >= c[0] - 1.0
                            && w.rect[2] <= c[2] + 1.0
                            && w.rect[1] >= c[1] - 1.0
                            && w.rect[3] <= c[3] + 1.0
                    });
                    let inside = bbox.left >= -1.0
                        && bbox.top >= -1.0
                        && bbox.right <= width + 1.0
                        && bbox.bottom <= height + 1.0;
                    if widget_visible && !inside {
                        failures.push(format!(
                            "{name}: {key} bbox {bbox:?} outside the {width}x{height} page"
                        ));
                    }
                }
            }
            for field in form.fields() {
                // Push buttons and read-only fields take no value; nor do radio groups and
                // lists without a single option.
                let has_options = field.option_pairs.iter().any(|o| !o.export.is_empty());
                let has_states = field
                    .widgets
                    .iter()
                    .any(|w| w.on_state.as_deref().is_some_and(|s| !s.is_empty()));
                let fillable = !field.flags.contains(&"ReadOnly")
                    && match field.kind {
                        FieldType::Button => false,
                        FieldType::Radio => has_states,
                        FieldType::List => has_options,
                        FieldType::Combo => has_options || field.flags.contains(&"Edit"),
                        _ => true,
                    };
                let expected = match field.kind {
                    _ if !fillable => 0,
                    // Radio groups, and check boxes whose widgets have different on-states (a
                    // group of exclusive boxes), give one boolean per distinct state.
                    FieldType::Radio | FieldType::Checkbox
                        if !radio_enums
                            && (field.kind == FieldType::Radio || distinct_states(field) > 1) =>
                    {
                        distinct_states(field)
                    }
                    _ => 1,
                };
                let got = seen.get(&field.name).copied().unwrap_or(0);
                if got != expected {
                    failures.push(format!(
                        "{name}: field {:?} appears {got} times, expected {expected}",
                        field.name
                    ));
                }
            }
            let file = common::temp_path(&format!("{name}-{radio_enums}.json"));
            std::fs::write(&file, serde_json::to_vec_pretty(&schema).unwrap()).unwrap();
            files.push(file);
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        files.len() > 90,
        "expected the whole corpus, got {} schemas",
        files.len()
    );
    common::sdk_check_schemas(&files);
}

/// A distinct, short token for property `i` that fits `max` characters.
fn token(i: usize, max: Option<u32>) -> String {
    let t = format!("Q{i}x");
    match max {
        Some(m) if (m as usize) < t.len() => "7".repeat(m as usize),
        _ => t,
    }
}

/// Schema with `extend_edit:value` for every property.
fn pinned(schema: &EditRootJson) -> Value {
    let mut raw = serde_json::to_value(schema).unwrap();
    let mut radio_taken = std::collections::HashSet::new();
    let properties = raw["properties"].as_object_mut().unwrap();
    for (i, (_, node)) in properties.iter_mut().enumerate() {
        let max = node["extend_edit:text_edit_options"]["maxLength"]
            .as_u64()
            .map(|m| m as u32);
        let value = if let Some(options) = node["enum"].as_array() {
            options.last().cloned().unwrap_or(Value::Null)
        } else {
            match node["type"][0].as_str() {
                Some("boolean") => {
                    let group = node["extend_edit:source_acroform"]["fieldName"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    let is_option = node["extend_edit:source_acroform"]["optionValue"].is_string();
                    // One option per radio group: the first one seen.
                    json!(!is_option || radio_taken.insert(group))
                }
                Some("string") if node["extend_edit:field_type"] == "signature" => Value::Null,
                Some("string") => json!(token(i, max)),
                _ => Value::Null,
            }
        };
        if !value.is_null() {
            node["extend_edit:value"] = value;
        }
    }
    raw
}

fn context() -> EditContext<'static> {
    EditContext {
        resolver: &NoResolver,
        load_image: &|_| Err("no images in this test".into()),
        labels: &printed_labels,
    }
}

#[test]
fn pinned_values_round_trip_and_land_inside_their_bboxes() {
    let mut failures = Vec::new();
    let mut checked_words = 0;
    for path in common::fillable() {
        let Some((bytes, form)) = open(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // Radio groups as one enum, or one boolean per option: both must round-trip.
        for radio_enums in [true, false] {
            let schema = schema_of(&bytes, &form, radio_enums);
            let request = EditRequest {
                schema: Some(pinned(&schema)),
                ..EditRequest::default()
            };
            let outcome = match edit(&bytes, &request, &context()) {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{name}: edit failed: {e}"));
                    continue;
                }
            };
            let filled = Form::open(&outcome.pdf, &OpenOptions::default()).unwrap();
            let out_path = common::temp_path(&name);
            std::fs::write(&out_path, &outcome.pdf).unwrap();
            let words = common::pdftotext_words(&out_path);
            for (key, value) in &outcome.filled_values {
                let property = &outcome.schema.properties[key];
                let source = property.source_acroform.as_ref().unwrap();
                let field = filled
                    .fields()
                    .iter()
                    .find(|f| f.name == source.field_name)
                    .unwrap();
                let export = |v: &str| {
                    source
                        .option_map
                        .as_ref()
                        .and_then(|m| m.iter().find(|o| o.schema_value == v))
                        .map(|o| o.export_value.clone())
                        .unwrap_or_else(|| v.to_string())
                };
                let ok = match (field.kind, value) {
                    (FieldType::Text, Value::String(s)) => field.value == json!(s),
                    // One option of a check box group: /V holds the chosen on-state.
                    (FieldType::Checkbox, Value::Bool(b)) if source.option_value.is_some() => {
                        !*b || field.value == json!(source.option_value.as_deref().unwrap())
                    }
                    (FieldType::Checkbox, Value::Bool(b)) => {
                        (field.value != json!("Off") && !field.value.is_null()) == *b
                    }
                    (FieldType::Checkbox, Value::String(s)) => field.value == json!(export(s)),
                    // Radio options are identified by their on-state, which /V holds.
                    (FieldType::Radio, Value::Bool(true)) => {
                        field.value == json!(source.option_value.as_deref().unwrap())
                    }
                    (FieldType::Radio, Value::Bool(false)) => true,
                    (FieldType::Radio | FieldType::Combo, Value::String(s)) => {
                        let e = export(s);
                        field.value == json!(e)
                            || field
                                .option_pairs
                                .iter()
                                .any(|o| o.export == e && field.value == json!(o.label))
                    }
                    (FieldType::List, Value::String(s)) => {
                        field.value == json!(export(s)) || field.value == json!([export(s)])
                    }
                    _ => false,
                };
                if !ok {
                    failures.push(format!(
                        "{name}: {key} = {value} but the field holds {}",
                        field.value
                    ));
                }
                // Where it shows: poppler finds the text inside the property's bbox.
                if let (Value::String(s), Some(bbox), Some(page)) =
                    (value, property.bbox, property.page_index)
                    && field.kind == FieldType::Text
                    && s.len() >= 3
                    && !field.flags.contains(&"Password")
                    && !field.widgets.iter().any(|w| w.hidden)
                {
                    // Printed separators inside comb boxes ("/", ",") interleave with the value.
                    let got: String = common::text_in_box(
                        &words,
                        page as usize,
                        [bbox.left, bbox.top, bbox.right, bbox.bottom],
                    )
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                    checked_words += 1;
                    // Comb cells are separate words whose order poppler may shuffle: compare characters.
                    let comb = field.flags.contains(&"Comb");
                    let found = if comb {
                        let mut have: Vec<char> = got.chars().collect();
                        s.chars().all(|c| match have.iter().position(|h| *h == c) {
                            Some(i) => {
                                have.swap_remove(i);
                                true
                            }
                            None => false,
                        })
                    } else {
                        got.contains(s.as_str())
                    };
                    if !found {
                        failures.push(format!(
                        "{name}: {key} = {s:?} not found by pdftotext in {bbox:?} (found {got:?})"
                    ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked_words > 2000,
        "only {checked_words} values were located"
    );
}

/// No corpus form has a rotated page, so qpdf (an independent tool) rotates one: the
/// generated bboxes must be where poppler shows the filled values on the displayed page.
#[test]
fn bboxes_follow_page_rotation() {
    let source = common::corpus().join("fillable/sf424-page2.pdf");
    for rotation in [90, 180, 270] {
        let rotated = common::temp_path(&format!("rotated-{rotation}.pdf"));
        let status = std::process::Command::new("qpdf")
            .arg(format!("--rotate=+{rotation}"))
            .arg(&source)
            .arg(&rotated)
            .status()
            .expect("qpdf runs");
        assert!(
            status.success() || status.code() == Some(3),
            "qpdf failed: {status:?}"
        );
        let (bytes, form) = open(&rotated).expect("opens");
        assert_eq!(form.page_geometry(0).unwrap().rotate, rotation);
        let schema = schema_of(&bytes, &form, false);
        let (width, height) = form.page_geometry(0).unwrap().display_size();
        let request = EditRequest {
            schema: Some(pinned(&schema)),
            ..EditRequest::default()
        };
        let outcome = edit(&bytes, &request, &context()).unwrap();
        let out = common::temp_path(&format!("rotated-{rotation}-filled.pdf"));
        std::fs::write(&out, &outcome.pdf).unwrap();
        let words = common::pdftotext_words(&out);
        // Within 0.5 pt of the widget rect turned as a viewer turns the page (written out
        // here independently of the library's conversion).
        let crop = form.page_geometry(0).unwrap().crop_box.map(f64::from);
        for property in schema.properties.values() {
            let (Some(b), Some(source)) = (property.bbox, &property.source_acroform) else {
                continue;
            };
            let field = form
                .fields()
                .iter()
                .find(|f| f.name == source.field_name)
                .unwrap();
            let [x0, y0, x1, y1] = match field.widgets.as_slice() {
                [only] => only.rect.map(f64::from),
                _ => continue,
            };
            let [cx0, cy0, cx1, cy1] = crop;
            let expected = match rotation {
                90 => [y0 - cy0, x0 - cx0, y1 - cy0, x1 - cx0],
                180 => [cx1 - x1, y0 - cy0, cx1 - x0, y1 - cy0],
                _ => [cy1 - y1, cx1 - x1, cy1 - y0, cx1 - x0],
            };
            let got = [b.left, b.top, b.right, b.bottom];
            for (g, e) in got.iter().zip(expected) {
                assert!(
                    (g - e).abs() <= 0.5,
                    "/Rotate {rotation}: {got:?} vs {expected:?}"
                );
            }
        }
        let mut located = 0;
        for (key, value) in &outcome.filled_values {
            let property = &outcome.schema.properties[key];
            let (Value::String(s), Some(b)) = (value, property.bbox) else {
                continue;
            };
            if property.field_type != Some(formsmith_schema::FieldKind::Text) || s.len() < 3 {
                continue;
            }
            assert!(
                b.right <= width + 0.5 && b.bottom <= height + 0.5,
                "{key} {b:?} outside {width}x{height}"
            );
            let got: String = common::text_in_box(&words, 0, [b.left, b.top, b.right, b.bottom])
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            assert!(
                got.contains(s.as_str()),
                "/Rotate {rotation}: {key} = {s:?} not inside {b:?} (found {got:?})"
            );
            located += 1;
        }
        assert!(
            located >= 8,
            "/Rotate {rotation}: only {located} values located"
        );
    }
}
