//! The work of each run kind, as plain synchronous functions over bytes (called by the
//! workers on blocking threads, behind `catch_unwind`): edit, and form detection (also
//! behind the deprecated schema generation endpoint). Failures carry their API reason.

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::{EditContext, EditOutcome, EditRequest, InstructionResolver, SchemaOptions};
use serde_json::{Map, Value, json};

use crate::errors::Code;

/// A run failure: reason and message.
#[derive(Debug, Clone)]
pub struct Failure {
    /// `failureReason`.
    pub code: Code,
    /// `failureMessage`.
    pub message: String,
}

impl Failure {
    /// A failure with this reason.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// INTERNAL_ERROR.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::InternalError, message)
    }
}

impl From<formsmith_schema::Error> for Failure {
    fn from(e: formsmith_schema::Error) -> Self {
        Self::new(Code::from_reason(e.reason()), e.to_string())
    }
}

impl From<formsmith_engine::Error> for Failure {
    fn from(e: formsmith_engine::Error) -> Self {
        Self::new(Code::from_reason(e.reason()), e.to_string())
    }
}

/// Runs `f`, turning a panic into INTERNAL_ERROR: bad input never takes a worker down.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            tracing::error!("processing panicked: {text}");
            Err(Failure::internal(format!(
                "processing stopped on an internal error (panic: {text})"
            )))
        }
    }
}

impl From<formsmith_parse::Error> for Failure {
    fn from(e: formsmith_parse::Error) -> Self {
        Self::new(Code::from_wire(e.reason()), e.to_string())
    }
}

fn flag(config: &Value, key: &str, default: bool) -> bool {
    config
        .get("advancedOptions")
        .and_then(|a| a.get(key))
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

fn ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// How a schema is generated, from an effective EditConfig or EditSchemaGenerationConfig
/// (`instructions_key` names the generation instructions in it): radio enums, flat-page
/// detection unless `nativeFieldsOnly`, conditional rules, generation instructions.
fn schema_options(config: &Value, instructions_key: &str) -> SchemaOptions {
    let mut options = SchemaOptions::default();
    options.generate.radio_enums = flag(config, "radioEnumsEnabled", true);
    options.detect_flat_pages = !flag(config, "nativeFieldsOnly", false);
    options.conditional_rules = flag(config, "conditionalGenerationEnabled", false);
    options.instructions = config
        .get(instructions_key)
        .and_then(Value::as_str)
        .map(str::to_string);
    options
}

/// An edit run: `config` is the effective EditConfig.
#[allow(clippy::field_reassign_with_default)] // other fields keep their defaults as the library grows
pub fn edit(
    pdf: &[u8],
    password: Option<String>,
    config: &Value,
    load_image: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    resolver: &dyn InstructionResolver,
) -> Result<EditOutcome, Failure> {
    let mut request = EditRequest::default();
    request.generation = schema_options(config, "schemaGenerationInstructions");
    request.schema = config.get("schema").filter(|s| !s.is_null()).cloned();
    request.instructions = config
        .get("instructions")
        .and_then(Value::as_str)
        .map(str::to_string);
    request.flatten = flag(config, "flattenPdf", true);
    request.password = password;
    let context = EditContext {
        resolver,
        load_image,
        labels: &formsmith_schema::printed_labels,
    };
    Ok(formsmith_schema::edit(pdf, &request, &context)?)
}

/// The output and metrics of a form detection run.
pub struct Detection {
    /// `EditSchemaGenerationResponse`.
    pub output: Value,
    /// `FormDetectionRunMetrics`.
    pub metrics: Value,
    /// Pages (usage).
    pub page_count: u64,
}

/// A form detection run: `config` is the effective EditSchemaGenerationConfig.
#[allow(clippy::field_reassign_with_default)]
pub fn detect(pdf: &[u8], password: Option<String>, config: &Value) -> Result<Detection, Failure> {
    let started = Instant::now();
    let mut open = OpenOptions::default();
    open.password = password.clone();
    let form = Form::open(pdf, &open)?;
    let detected = form
        .fields()
        .iter()
        .filter(|f| formsmith_schema::native::is_fillable(f))
        .count();
    let labels = formsmith_schema::printed_labels(pdf, &form, password.as_deref());
    let labelled = ms(started);
    let built = formsmith_schema::build_schema(
        pdf,
        &form,
        password.as_deref(),
        labels.as_ref(),
        &schema_options(config, "instructions"),
    );
    let detected = detected + built.detected_count;
    let detection_ms = labelled
        .saturating_add(u64::try_from(built.detection_time.as_millis()).unwrap_or(u64::MAX));
    let annotation_ms = ms(started).saturating_sub(detection_ms);
    for warning in &built.warnings {
        tracing::info!("form detection: {warning}");
    }
    let schema = built.schema;
    if schema.properties.is_empty() {
        return Err(Failure::new(
            Code::EmptySchema,
            "no fillable fields were found in this PDF: no AcroForm fields, and no printed boxes, lines or check boxes on its pages",
        ));
    }
    let annotated_count = schema
        .properties
        .values()
        .filter(|p| p.bbox.is_some() || p.bboxes.is_some())
        .count();
    let field_count = schema.properties.len();
    let annotated = serde_json::to_value(&schema)
        .map_err(|e| Failure::internal(format!("schema serialization: {e}")))?;
    let (schema_out, mapping) = match config.get("inputSchema").filter(|s| !s.is_null()) {
        Some(input) => {
            let (mapped, result) = map_input_schema(input, &annotated)?;
            (mapped, result)
        }
        None => (annotated.clone(), Value::Null),
    };
    let page_count = form.page_count() as u64;
    Ok(Detection {
        output: {
            let mut output = json!({
                "schema": schema_out,
                "annotatedSchema": annotated,
                "mappingResult": mapping,
            });
            // An extension (the SDKs keep unknown keys): generation instructions that were
            // not understood, pages that could not be read.
            if !built.warnings.is_empty() {
                output["warnings"] = json!(built.warnings);
            }
            output
        },
        metrics: json!({
            "processingTimeMs": ms(started),
            "pageCount": page_count,
            "fieldCount": field_count,
            "fieldsDetectedCount": detected,
            "fieldsAnnotatedCount": annotated_count,
            "fieldDetectionTimeMs": detection_ms,
            "fieldAnnotationTimeMs": annotation_ms,
        }),
        page_count,
    })
}

/// The output and metrics of a parse run.
pub struct Parsed {
    /// `ParseRunOutput`.
    pub output: Value,
    /// `{processingTimeMs, pageCount}`.
    pub metrics: Value,
    /// Pages (usage).
    pub page_count: u64,
}

/// A parse run: `config` is the effective ParseConfig; `bytes` any supported input (PDF,
/// image, office file — converted by LibreOffice when installed).
pub fn parse(
    bytes: &[u8],
    password: Option<&str>,
    file_name: &str,
    config: &Value,
) -> Result<Parsed, Failure> {
    let started = Instant::now();
    let request = formsmith_parse::ParseRequest {
        config: formsmith_parse::ParseConfig::from_json(config)?,
        password,
        file_name: Some(file_name),
    };
    let outcome = formsmith_parse::parse(bytes, &request)?;
    let output = serde_json::to_value(&outcome.output)
        .map_err(|e| Failure::new(Code::FailedToGenerateTargetFormat, e.to_string()))?;
    let page_count = outcome.page_count as u64;
    Ok(Parsed {
        output,
        metrics: json!({ "processingTimeMs": ms(started), "pageCount": page_count }),
        page_count,
    })
}

/// The PDF an edit or detection run works on: a PDF as it is; office documents, HTML and
/// images converted by LibreOffice first (FAILED_TO_CONVERT_TO_PDF when it is missing or
/// fails). Anything else goes to the engine unchanged, which names what it is.
pub fn as_pdf<'a>(bytes: &'a [u8], file_name: &str) -> Result<Cow<'a, [u8]>, Failure> {
    use formsmith_parse::convert::{ConvertOptions, InputKind, convert_to_pdf, sniff};
    match sniff(bytes, Some(file_name)) {
        InputKind::Office(_) | InputKind::Html | InputKind::Image(_) => Ok(Cow::Owned(
            convert_to_pdf(bytes, Some(file_name), &ConvertOptions::default())?,
        )),
        // Plain text has no page layout to fill (parse reads it; edit and detect cannot).
        InputKind::Text => Err(Failure::new(
            Code::FileTypeNotSupported,
            format!(
                "{file_name} is plain text, which has no form to fill: send a PDF, or an office \
                 document, HTML page or image to convert"
            ),
        )),
        _ => Ok(Cow::Borrowed(bytes)),
    }
}

/// Lowercase letters and digits only: `First Name` ~ `first_name` ~ `firstName`.
fn normalized(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Maps a caller's schema onto the detected one: each top-level input property is matched
/// to a detected property by key (exactly, then ignoring case and punctuation, then by the
/// detected property's description); a match gets the detected placement (`extend_edit:*`
/// keys other than `extend_edit:value`, and `type`/`enum` when the input has neither).
fn map_input_schema(input: &Value, detected: &Value) -> Result<(Value, Value), Failure> {
    let input_props = input
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            Failure::new(
                Code::InvalidOptions,
                "config.inputSchema must be an object schema with `properties`",
            )
        })?;
    let detected_props = detected
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut used: Vec<String> = Vec::new();
    let mut matches = Vec::new();
    let mut unmatched = Vec::new();
    let mut out_props = Map::new();
    for (key, prop) in input_props {
        let n = normalized(key);
        let found = detected_props
            .keys()
            .find(|k| *k == key)
            .or_else(|| {
                detected_props
                    .keys()
                    .find(|k| normalized(k) == n && !used.contains(k))
            })
            .or_else(|| {
                detected_props.iter().find_map(|(k, p)| {
                    let d = p
                        .get("description")
                        .and_then(Value::as_str)
                        .map(normalized)?;
                    (!used.contains(k) && !n.is_empty() && d.starts_with(&n)).then_some(k)
                })
            })
            .cloned();
        let mut merged = prop.clone();
        match found {
            Some(dk) => {
                if let (Some(m), Some(Value::Object(d))) =
                    (merged.as_object_mut(), detected_props.get(&dk))
                {
                    let had_type = m.contains_key("type") || m.contains_key("enum");
                    for (k, v) in d {
                        let placement = k.starts_with("extend_edit:") && k != "extend_edit:value";
                        if placement || (!had_type && (k == "type" || k == "enum")) {
                            m.insert(k.clone(), v.clone());
                        }
                    }
                }
                matches.push(json!({"inputPath": key, "formFieldKey": dk}));
                used.push(dk);
            }
            None => unmatched.push(json!(key)),
        }
        out_props.insert(key.clone(), merged);
    }
    let unused: Vec<Value> = detected_props
        .keys()
        .filter(|k| !used.contains(k))
        .map(|k| json!(k))
        .collect();
    let mut schema = input.clone();
    schema["properties"] = Value::Object(out_props);
    Ok((
        schema,
        json!({
            "matches": matches,
            "unmatchedInputPaths": unmatched,
            "unusedFormFieldKeys": unused,
        }),
    ))
}

/// FileType of stored bytes: by content first (PDF, images), then by the name's extension.
pub fn sniff_type(bytes: &[u8], name: &str) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some("PDF");
    }
    let image_magic: [&[u8]; 7] = [
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"II*\x00",
        b"MM\x00*",
        b"BM",
        b"RIFF",
    ];
    if image_magic.iter().any(|m| head.starts_with(m)) {
        return Some("IMG");
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "pdf" => return None, // named .pdf but not one
        "csv" => "CSV",
        "txt" | "md" => "TXT",
        "docx" | "doc" => "DOCX",
        "xlsx" | "xls" | "ods" => "EXCEL",
        "xml" => "XML",
        "html" | "htm" => "HTML",
        "png" | "jpg" | "jpeg" | "tif" | "tiff" | "gif" | "webp" | "bmp" => "IMG",
        _ => return None,
    })
}

/// Pages of a PDF, when it opens (with its password).
#[allow(clippy::field_reassign_with_default)]
pub fn page_count(bytes: &[u8], password: Option<String>) -> Option<i64> {
    guarded(|| {
        let mut open = OpenOptions::default();
        open.password = password;
        Ok(Form::open(bytes, &open).map(|f| f.page_count() as i64).ok())
    })
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors() {
        let r: Result<(), Failure> = guarded(|| panic!("boom"));
        let f = r.expect_err("failure");
        assert_eq!(f.code, Code::InternalError);
        assert!(f.message.contains("boom"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_type(b"junk%PDF-1.7", "x.bin"), Some("PDF"));
        assert_eq!(sniff_type(b"\x89PNG....", "x.pdf"), Some("IMG"));
        assert_eq!(sniff_type(b"a,b", "x.csv"), Some("CSV"));
        assert_eq!(sniff_type(b"nope", "x.pdf"), None);
    }

    #[test]
    fn mapping_copies_placement() {
        let detected = json!({"type": "object", "properties": {
            "first_name": {"type": ["string", "null"], "extend_edit:field_type": "text",
                           "extend_edit:page_index": 0, "extend_edit:bbox": {"left": 1, "top": 2, "right": 3, "bottom": 4}},
            "other": {"type": ["string", "null"]}}});
        let input = json!({"type": "object", "properties": {
            "FirstName": {"type": ["string", "null"], "extend_edit:value": "Jo"},
            "missing": {"type": ["string", "null"]}}});
        let (schema, result) = map_input_schema(&input, &detected).expect("map");
        assert_eq!(
            schema["properties"]["FirstName"]["extend_edit:page_index"],
            0
        );
        assert_eq!(schema["properties"]["FirstName"]["extend_edit:value"], "Jo");
        assert_eq!(result["matches"][0]["formFieldKey"], "first_name");
        assert_eq!(result["unmatchedInputPaths"], json!(["missing"]));
        assert_eq!(result["unusedFormFieldKeys"], json!(["other"]));
    }
}
