//! An edit, end to end and without I/O: open the PDF, take the caller's schema or generate
//! one, decide values (`extend_edit:value` first, then instructions), validate them, write
//! native fields through the engine and draw bbox-only properties, save, and report
//! `filledValues` and the run metrics.

use std::time::Instant;

use formsmith_engine::{
    DisplayBox, FieldType, FieldValue, FillOptions, Form, OpenOptions, PageGeometry, SaveOptions,
    Stamp, StampContent, TextStyle,
};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result, Violation};
use crate::build::{SchemaOptions, build_schema};
use crate::instructions::InstructionResolver;
use crate::labels::LabelSource;
use crate::model::{EditJson, EditRootJson, FieldKind, ValueKind};
use crate::validate::{check_schema, validate_values};

/// What to do (the parts of the API's EditConfig that matter here).
#[derive(Debug, Clone, Default)]
pub struct EditRequest {
    /// The caller's schema as JSON (checked before use); `None` generates one from the form.
    pub schema: Option<Value>,
    /// Plain-language values and rules for properties without `extend_edit:value`.
    pub instructions: Option<String>,
    /// Bake values into the pages and remove the form.
    pub flatten: bool,
    /// How a schema is generated when none is given: radio enums, the fields detected on
    /// pages without native widgets (`detect_flat_pages`: the API's `nativeFieldsOnly:
    /// false`, off by default here; see [`crate::detected`]), conditional rules and
    /// generation instructions.
    pub generation: SchemaOptions,
    /// Password of an encrypted PDF.
    pub password: Option<String>,
}

/// Builds the printed-label index of a form: (PDF bytes, the opened form, its password).
/// [`crate::printed_labels`] is the real one; tests may pass [`crate::NoLabels`] instead.
pub type LabelFinder = dyn Fn(&[u8], &Form, Option<&str>) -> Box<dyn LabelSource>;

/// What the caller supplies that needs the outside world.
pub struct EditContext<'a> {
    /// Turns instructions into values.
    pub resolver: &'a dyn InstructionResolver,
    /// Reads an `image_url` (PNG or JPEG bytes); the error text is shown to the caller.
    pub load_image: &'a dyn Fn(&str) -> std::result::Result<Vec<u8>, String>,
    /// Printed labels of the form's pages, for generated schemas (built lazily: only
    /// needed when no schema is given).
    pub labels: &'a LabelFinder,
}

/// The run metrics of the API (`EditRunMetrics`), all integers.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EditMetrics {
    /// Wall time of the whole edit.
    pub processing_time_ms: u64,
    /// Pages in the PDF.
    pub page_count: u64,
    /// Properties in the final schema.
    pub field_count: u64,
    /// Fields found in the PDF (native fields, and detected areas on flat pages).
    pub fields_detected_count: u64,
    /// Properties with a place on a page (bbox or bboxes).
    pub fields_annotated_count: u64,
    /// Reading fields (and page text for labels).
    pub field_detection_time_ms: u64,
    /// Building the annotated schema.
    pub field_annotation_time_ms: u64,
    /// Deciding, validating and writing values, and saving.
    pub field_filling_time_ms: u64,
}

/// The result of an edit.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    /// The edited PDF.
    pub pdf: Vec<u8>,
    /// Property key -> value written.
    pub filled_values: Map<String, Value>,
    /// The schema used (the caller's, or the generated one).
    pub schema: EditRootJson,
    /// Run metrics.
    pub metrics: EditMetrics,
    /// Non-fatal notes: instructions not placed, properties that could not be put anywhere.
    pub warnings: Vec<String>,
    /// Property key -> where its filled value came from: `extend_edit:value`, or the words of
    /// the instructions / the record path the resolver read it from.
    pub sources: std::collections::BTreeMap<String, String>,
}

fn ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Reads a caller's schema: structural check, then the typed form.
pub fn parse_schema(schema: &Value) -> Result<EditRootJson> {
    let violations = check_schema(schema);
    if !violations.is_empty() {
        return Err(Error::InvalidOptions(violations));
    }
    serde_json::from_value(schema.clone())
        .map_err(|e| Error::invalid("", format!("schema does not match EditRootJson: {e}")))
}

/// Runs one edit.
pub fn edit(pdf: &[u8], request: &EditRequest, context: &EditContext<'_>) -> Result<EditOutcome> {
    let started = Instant::now();
    let mut form = Form::open(
        pdf,
        &OpenOptions {
            password: request.password.clone(),
            ..OpenOptions::default()
        },
    )?;
    let mut metrics = EditMetrics {
        page_count: form.page_count() as u64,
        ..EditMetrics::default()
    };
    let detected = form
        .fields()
        .iter()
        .filter(|f| crate::native::is_fillable(f))
        .count() as u64;
    metrics.fields_detected_count = detected;
    let mut detection_warnings: Vec<String> = Vec::new();

    let schema = match &request.schema {
        Some(raw) => {
            metrics.field_detection_time_ms = ms(started);
            let schema = parse_schema(raw)?;
            if schema.properties.is_empty() {
                return Err(Error::EmptySchema(
                    "the schema has no properties: nothing to fill".into(),
                ));
            }
            schema
        }
        None => {
            let labels = (context.labels)(pdf, &form, request.password.as_deref());
            let labelled = ms(started);
            let built = build_schema(
                pdf,
                &form,
                request.password.as_deref(),
                labels.as_ref(),
                &request.generation,
            );
            // Detection: the label index and the flat pages' boxes; annotation: the rest.
            let detection_ms = labelled.saturating_add(u64::try_from(built.detection_time.as_millis()).unwrap_or(u64::MAX));
            metrics.field_detection_time_ms = detection_ms;
            metrics.field_annotation_time_ms = ms(started).saturating_sub(detection_ms);
            metrics.fields_detected_count += built.detected_count as u64;
            detection_warnings.extend(built.warnings);
            let schema = built.schema;
            if schema.properties.is_empty() {
                return Err(Error::EmptySchema(
                    "no schema was given and no fillable fields were found in this PDF".into(),
                ));
            }
            schema
        }
    };
    metrics.field_count = schema.properties.len() as u64;
    metrics.fields_annotated_count = schema
        .properties
        .values()
        .filter(|p| p.bbox.is_some() || p.bboxes.is_some())
        .count() as u64;

    let filling = Instant::now();
    let mut warnings = detection_warnings;
    let mut sources = std::collections::BTreeMap::new();
    let values = decide_values(
        &schema,
        request.instructions.as_deref(),
        context.resolver,
        &mut warnings,
        &mut sources,
    )?;
    let mut schema_json =
        serde_json::to_value(&schema).map_err(|e| Error::invalid("", e.to_string()))?;
    // A schema Formsmith generated marks the form's required fields; a request that does not
    // mention them fills what it knows and hears which are missing. A caller's own schema
    // keeps its `required` (the run fails, as the API says).
    if request.schema.is_none()
        && let Some(required) = schema_json.as_object_mut().and_then(|o| o.remove("required"))
    {
        let missing: Vec<&str> = required
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|key| !values.contains_key(*key))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "the form marks {} field(s) as required that the request does not fill: {}",
                missing.len(),
                missing.join(", ")
            ));
        }
    }
    let violations = validate_values(&schema_json, &values);
    if !violations.is_empty() {
        return Err(Error::SchemaValidation(violations));
    }
    let plan = plan(&form, &schema, &values, context, &mut warnings)?;
    if !plan.native.is_empty() {
        form.fill(&plan.native, &FillOptions::default())?;
    }
    if !plan.stamps.is_empty() {
        form.stamp(&plan.stamps)?;
    }
    let out = form.save(&SaveOptions {
        flatten: request.flatten,
        ..SaveOptions::default()
    })?;
    metrics.field_filling_time_ms = ms(filling);
    metrics.processing_time_ms = ms(started);
    sources.retain(|key, _| plan.filled.contains_key(key));
    Ok(EditOutcome {
        pdf: out,
        sources,
        filled_values: plan.filled,
        schema,
        metrics,
        warnings,
    })
}

/// Pinned values (`extend_edit:value`), then the resolver's values for the rest. Nulls mean
/// "leave blank" and are dropped. Signature images (`extend_edit:image`) are not values: the
/// plan places them, and `filledValues` reports them as `{"image_url": ...}`.
fn decide_values(
    schema: &EditRootJson,
    instructions: Option<&str>,
    resolver: &dyn InstructionResolver,
    warnings: &mut Vec<String>,
    sources: &mut std::collections::BTreeMap<String, String>,
) -> Result<Map<String, Value>> {
    let mut pinned = Map::new();
    for (key, property) in &schema.properties {
        if let Some(value) = property.value.as_ref().filter(|v| !v.is_null()) {
            pinned.insert(key.clone(), value.clone());
            sources.insert(key.clone(), "extend_edit:value".into());
        }
    }
    let mut values = Map::new();
    if let Some(text) = instructions.filter(|t| !t.trim().is_empty()) {
        let resolution = resolver.resolve(schema, text, &pinned);
        if let Some(failure) = resolution.failure {
            return Err(Error::Resolver(failure));
        }
        warnings.extend(resolution.warnings);
        for (key, value) in resolution.values {
            if !value.is_null()
                && !pinned.contains_key(&key)
                && schema.properties.contains_key(&key)
            {
                if let Some(source) = resolution.sources.get(&key) {
                    sources.insert(key.clone(), format!("instructions: {source}"));
                }
                values.insert(key, value);
            }
        }
    }
    // Schema order, pinned values winning.
    let mut ordered = Map::new();
    for key in schema.properties.keys() {
        if let Some(v) = pinned.get(key).or_else(|| values.get(key)) {
            ordered.insert(key.clone(), v.clone());
        }
    }
    Ok(ordered)
}

/// What will be written: engine values for native fields, stamps for the rest.
struct Plan {
    native: Vec<(String, FieldValue)>,
    stamps: Vec<Stamp>,
    filled: Map<String, Value>,
}

fn plan(
    form: &Form,
    schema: &EditRootJson,
    values: &Map<String, Value>,
    context: &EditContext<'_>,
    warnings: &mut Vec<String>,
) -> Result<Plan> {
    let mut out = Plan {
        native: Vec::new(),
        stamps: Vec::new(),
        filled: Map::new(),
    };
    // Radio options given as booleans: field -> the option keys set to true.
    let mut radio_choice: IndexMap<String, Vec<(String, String)>> = IndexMap::new();
    let mut violations = Vec::new();
    for (key, value) in values {
        let Some(property) = schema.properties.get(key) else {
            continue;
        };
        let native = property.source_acroform.as_ref().and_then(|s| {
            form.fields()
                .iter()
                .find(|f| f.name == s.field_name)
                .map(|f| (s, f))
        });
        if let Some((source, field)) = native {
            if let Some(option) = &source.option_value {
                if value.as_bool() == Some(true) {
                    radio_choice
                        .entry(field.name.clone())
                        .or_default()
                        .push((key.clone(), option.clone()));
                }
                out.filled.insert(key.clone(), value.clone());
                continue;
            }
            match native_value(field.kind, property, value, context)? {
                NativeValue::Field(v) => out.native.push((field.name.clone(), v)),
                NativeValue::TypedSignature(text) => {
                    // Signature fields take images; a typed name is drawn in the widget's box.
                    if let Some(widget) = field.widgets.iter().find(|w| w.page.is_some())
                        && let Some(page) = widget.page
                    {
                        out.stamps.push(Stamp {
                            page,
                            rect: widget.rect,
                            content: StampContent::Text(text),
                            style: text_style(property),
                        });
                    }
                }
            }
            out.filled.insert(key.clone(), value.clone());
            continue;
        }
        if property.source_acroform.is_some() && property.page_index.is_none() {
            warnings.push(format!(
                "{key}: its form field is not in this PDF and it has no bbox; left out"
            ));
            continue;
        }
        match stamps_for(form, key, property, value, context)? {
            Some(stamps) => {
                out.stamps.extend(stamps);
                out.filled.insert(key.clone(), value.clone());
            }
            None => warnings.push(format!(
                "{key}: no native field and no extend_edit:bbox/page_index to place it; left out"
            )),
        }
    }
    // Signature images of properties without a value.
    for (key, property) in &schema.properties {
        let Some(image) = property
            .image
            .as_ref()
            .filter(|_| !values.contains_key(key))
        else {
            continue;
        };
        let value = serde_json::json!({ "image_url": image.image_url });
        let native = property
            .source_acroform
            .as_ref()
            .and_then(|s| form.fields().iter().find(|f| f.name == s.field_name));
        match native {
            Some(field) if field.kind == FieldType::Signature => {
                if let NativeValue::Field(v) = native_value(field.kind, property, &value, context)?
                {
                    out.native.push((field.name.clone(), v));
                }
            }
            _ => match stamps_for(form, key, property, &value, context)? {
                Some(stamps) => out.stamps.extend(stamps),
                None => {
                    warnings.push(format!("{key}: no signature field and no extend_edit:bbox to place its image; left out"));
                    continue;
                }
            },
        }
        out.filled.insert(key.clone(), value);
    }
    for (field, chosen) in radio_choice {
        match chosen.as_slice() {
            [(_, option)] => out.native.push((field, FieldValue::Text(option.clone()))),
            many => violations.push(Violation {
                path: format!(
                    "/{}",
                    many.first().map(|(k, _)| k.as_str()).unwrap_or_default()
                ),
                message: format!(
                    "only one option of radio group {field:?} can be selected, but {} are true: {}",
                    many.len(),
                    many.iter()
                        .map(|(k, _)| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }
    if !violations.is_empty() {
        return Err(Error::SchemaValidation(violations));
    }
    Ok(out)
}

enum NativeValue {
    Field(FieldValue),
    TypedSignature(String),
}

/// The engine value for a native field.
fn native_value(
    kind: FieldType,
    property: &EditJson,
    value: &Value,
    context: &EditContext<'_>,
) -> Result<NativeValue> {
    let export_of = |schema_value: &str| -> String {
        property
            .source_acroform
            .as_ref()
            .and_then(|s| s.option_map.as_ref())
            .and_then(|m| m.iter().find(|o| o.schema_value == schema_value))
            .map(|o| o.export_value.clone())
            .unwrap_or_else(|| schema_value.to_string())
    };
    Ok(NativeValue::Field(match (kind, value) {
        (FieldType::Signature, Value::String(text)) => {
            return Ok(NativeValue::TypedSignature(text.clone()));
        }
        (FieldType::Signature, Value::Object(o)) => {
            let url = o
                .get("image_url")
                .and_then(Value::as_str)
                .unwrap_or_default();
            FieldValue::Image(load(context, url)?)
        }
        (FieldType::Checkbox, Value::Bool(b)) => FieldValue::Bool(*b),
        // A check box group chosen as an enum: the option's on-state.
        (FieldType::Checkbox, Value::String(s)) => FieldValue::Text(export_of(s)),
        (FieldType::List, Value::String(s)) => FieldValue::Choices(vec![export_of(s)]),
        (FieldType::List, Value::Array(items)) => FieldValue::Choices(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(export_of)
                .collect(),
        ),
        (FieldType::Radio | FieldType::Combo, Value::String(s)) => FieldValue::Text(export_of(s)),
        (_, other) => FieldValue::Text(display_text(property, other)),
    }))
}

fn load(context: &EditContext<'_>, url: &str) -> Result<Vec<u8>> {
    (context.load_image)(url)
        .map_err(|e| Error::invalid("", format!("cannot load image {url:?}: {e}")))
}

/// A value as the text written into a box.
fn display_text(property: &EditJson, value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.into(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let sep = if property
                .text_edit_options
                .as_ref()
                .and_then(|o| o.multi_line)
                == Some(true)
            {
                "\n"
            } else {
                ", "
            };
            items
                .iter()
                .map(|i| display_text(property, i))
                .collect::<Vec<_>>()
                .join(sep)
        }
        Value::Null => String::new(),
        Value::Object(_) => value.to_string(),
    }
}

fn text_style(property: &EditJson) -> TextStyle {
    let mut style = TextStyle::default();
    if let Some(options) = &property.text_edit_options {
        style.font_size = options.font_size.map(|s| s as f32);
        if let Some(c) = options.color.as_ref().or(options.font_color.as_ref())
            && let [r, g, b] = c.as_slice()
        {
            style.color = [*r, *g, *b];
        }
        if let Some(o) = options.opacity {
            style.opacity = o as f32;
        }
        style.font = options.font.clone();
        if options.combing == Some(true) {
            style.comb_cells = options.max_length;
        }
        style.multiline = options.multi_line == Some(true);
    }
    style
}

/// Stamps for a property placed only by bbox and page; `None` when it has no place.
fn stamps_for(
    form: &Form,
    key: &str,
    property: &EditJson,
    value: &Value,
    context: &EditContext<'_>,
) -> Result<Option<Vec<Stamp>>> {
    let Some(page) = property.page_index.map(|p| p as usize) else {
        return Ok(None);
    };
    let geometry: PageGeometry = form.page_geometry(page).ok_or_else(|| {
        Error::invalid(
            format!("/properties/{key}/extend_edit:page_index"),
            format!(
                "page {page} does not exist (the PDF has {} pages)",
                form.page_count()
            ),
        )
    })?;
    let stamp = |bbox: &DisplayBox, content: StampContent| Stamp {
        page,
        rect: geometry.to_user(bbox),
        content,
        style: text_style(property),
    };
    let kind = property.value_kind();
    let field_type = property.field_type;
    let mut stamps = Vec::new();
    match (kind, value) {
        (Some(ValueKind::Enum), Value::String(choice)) => {
            let index = property
                .options
                .as_ref()
                .and_then(|o| o.iter().position(|x| x == choice));
            match (property.bboxes.as_ref(), index) {
                (Some(boxes), Some(i)) if i < boxes.len() => {
                    stamps.push(stamp(&boxes[i], StampContent::Check))
                }
                _ => match &property.bbox {
                    Some(bbox) => stamps.push(stamp(bbox, StampContent::Text(choice.clone()))),
                    None => return Ok(None),
                },
            }
        }
        (Some(ValueKind::Boolean), Value::Bool(on)) => {
            let Some(bbox) = &property.bbox else {
                return Ok(None);
            };
            if *on {
                stamps.push(stamp(bbox, StampContent::Check));
            }
        }
        (_, Value::Object(o)) if field_type == Some(FieldKind::Signature) => {
            let Some(bbox) = &property.bbox else {
                return Ok(None);
            };
            let url = o
                .get("image_url")
                .and_then(Value::as_str)
                .unwrap_or_default();
            stamps.push(stamp(bbox, StampContent::Image(load(context, url)?)));
        }
        (Some(ValueKind::Array), Value::Array(rows))
            if field_type == Some(FieldKind::Table) || property.items.is_some() =>
        {
            let Some(bbox) = &property.bbox else {
                return Ok(None);
            };
            for (cell_box, cell) in table_cells(property, bbox, rows) {
                stamps.push(Stamp {
                    page,
                    rect: geometry.to_user(&cell_box),
                    content: StampContent::Text(cell.0),
                    style: text_style(cell.1),
                });
            }
        }
        (_, other) => {
            let Some(bbox) = &property.bbox else {
                return Ok(None);
            };
            let text = display_text(property, other);
            if !text.is_empty() {
                stamps.push(stamp(bbox, StampContent::Text(text)));
            }
        }
    }
    Ok(Some(stamps))
}

/// One cell to draw: its box, its text, and the column property (for text options).
type TableCell<'a> = (DisplayBox, (String, &'a EditJson));

/// Cells of a table: the bbox split into rows (`row_heights` fractions, else equal rows for
/// `maxItems` or the rows given) and columns (`column_width` percent of each row property,
/// else an equal share of what is left), with the text for each non-empty cell.
fn table_cells<'a>(
    property: &'a EditJson,
    bbox: &DisplayBox,
    rows: &[Value],
) -> Vec<TableCell<'a>> {
    let Some(columns) = property.items.as_ref().and_then(|i| i.properties.as_ref()) else {
        return Vec::new();
    };
    let row_count = property
        .max_items
        .map(|m| m as usize)
        .unwrap_or(rows.len())
        .max(rows.len())
        .max(1);
    let heights: Vec<f64> = match &property.row_heights {
        Some(h) if h.len() >= rows.len() && !h.is_empty() => h.clone(),
        _ => vec![1.0 / row_count as f64; row_count],
    };
    let height_total: f64 = heights.iter().sum::<f64>().max(f64::EPSILON);
    let given: f64 = columns.values().filter_map(|c| c.column_width).sum();
    let unsized_columns = columns
        .values()
        .filter(|c| c.column_width.is_none())
        .count();
    let share = if unsized_columns > 0 {
        ((100.0 - given).max(0.0) / unsized_columns as f64).max(0.0)
    } else {
        0.0
    };
    let width = bbox.right - bbox.left;
    let height = bbox.bottom - bbox.top;
    let mut out = Vec::new();
    let mut top = bbox.top;
    for (row, row_height) in rows.iter().zip(heights.iter()) {
        let bottom = top + height * row_height / height_total;
        let mut left = bbox.left;
        for (name, column) in columns {
            let right = left + width * column.column_width.unwrap_or(share) / 100.0;
            if let Some(cell) = row.get(name).filter(|v| !v.is_null()) {
                let text = display_text(column, cell);
                if !text.is_empty() {
                    out.push((
                        DisplayBox {
                            left,
                            top,
                            right: right.min(bbox.right),
                            bottom,
                        },
                        (text, column),
                    ));
                }
            }
            left = right;
        }
        top = bottom;
    }
    out
}
