//! Fields detected on flat pages ([`formsmith_detect::detect_fields`]) as schema properties
//! placed by `extend_edit:bbox` and `extend_edit:page_index` only: filling draws into them
//! with stamps, like a caller's bbox schema.
//!
//! Detection runs on the pages without a native widget (every page of a flat PDF), unless
//! the caller asks for native fields only (`nativeFieldsOnly`).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use formsmith_detect::{DetectOptions, FieldKind as Detected};
use formsmith_engine::{Form, PageGeometry};

use crate::facts::PropertyFacts;
use crate::fieldmodel::Semantic;
use crate::keys::KeyAllocator;
use crate::model::{EditJson, EditRootJson, FieldKind, TextEditOptions};
pub use formsmith_detect::{DetectedField, FieldKind as DetectedKind, PageFields as PageDetection};

/// The fields detected on some pages of a PDF.
#[derive(Debug, Clone, Default)]
pub struct FlatFields {
    /// The pages read, in page order, with what was found on each.
    pub pages: Vec<PageDetection>,
    /// Time spent detecting.
    pub elapsed: Duration,
    /// Pages that could not be read (fully), image-only pages, limits reached.
    pub warnings: Vec<String>,
}

impl FlatFields {
    /// Number of fields found.
    pub fn count(&self) -> usize {
        self.pages.iter().map(|p| p.fields.len()).sum()
    }
}

/// The zero-based pages of `form` that no native widget is on.
pub fn pages_without_widgets(form: &Form) -> Vec<usize> {
    let with: BTreeSet<usize> = form
        .fields()
        .iter()
        .flat_map(|f| f.widgets.iter().filter_map(|w| w.page))
        .collect();
    (0..form.page_count())
        .filter(|p| !with.contains(p))
        .collect()
}

/// Detects the fields of `pages` (all pages with `None`) of `pdf`, opened as `form`.
pub fn detect(
    pdf: &[u8],
    pages: Option<&[usize]>,
    password: Option<&str>,
) -> Result<FlatFields, formsmith_page::Error> {
    let started = Instant::now();
    let mut options = DetectOptions::default();
    options.text.password = password.map(str::to_string);
    let pages = formsmith_detect::detect_fields(pdf, pages, &options)?;
    let mut warnings = Vec::new();
    for p in &pages {
        let n = p.page + 1;
        if p.image_only {
            warnings.push(format!(
                "page {n} is a scanned image: its fields cannot be detected without OCR"
            ));
        }
        if p.truncated {
            warnings.push(format!(
                "page {n} draws more than detection reads: some fields may be missing"
            ));
        }
        if let Some(w) = p.warnings.iter().find(|w| w.is_failure()) {
            warnings.push(format!("page {n}: {w}"));
        }
    }
    Ok(FlatFields {
        pages,
        elapsed: started.elapsed(),
        warnings,
    })
}

/// On a document with native fields, a page without widgets keeps what detection found
/// only when it reads like a form page: at least this many fields…
const MIN_FIELDS_ON_EXTRA_PAGE: usize = 3;
/// …and at most this many printed words per field. Form pages measured in the corpus run
/// 8–30 words per detected field; pages of instructions (the W-9's pages 2–6, where rules
/// in running text look like entry lines) run 100–1,300.
const MAX_WORDS_PER_FIELD: usize = 60;

/// Detection on the pages of `form` without native widgets; a PDF detection cannot read
/// gives no fields and a warning. When the document has native fields, a page without
/// widgets must clearly be a form page ([`MIN_FIELDS_ON_EXTRA_PAGE`],
/// [`MAX_WORDS_PER_FIELD`]): the printed instructions of a fillable form are not fields.
pub fn detect_flat_pages(pdf: &[u8], form: &Form, password: Option<&str>) -> FlatFields {
    let pages = pages_without_widgets(form);
    if pages.is_empty() {
        return FlatFields::default();
    }
    let started = Instant::now();
    let mut found = detect(pdf, Some(&pages), password).unwrap_or_else(|e| FlatFields {
        pages: Vec::new(),
        elapsed: started.elapsed(),
        warnings: vec![format!("field detection failed: {e}")],
    });
    if form.fields().is_empty() {
        return found;
    }
    let text_options = formsmith_page::TextOptions {
        password: password.map(str::to_string),
        ..formsmith_page::TextOptions::default()
    };
    let words: std::collections::HashMap<usize, usize> =
        formsmith_page::extract_text(pdf, Some(&pages), &text_options)
            .map(|texts| texts.into_iter().map(|t| (t.page, t.words.len())).collect())
            .unwrap_or_default();
    for page in &mut found.pages {
        let n = page.fields.len();
        if n == 0 {
            continue;
        }
        let page_words = words.get(&page.page).copied().unwrap_or(0);
        let form_like = n >= MIN_FIELDS_ON_EXTRA_PAGE && page_words <= n * MAX_WORDS_PER_FIELD;
        if !form_like {
            found.warnings.push(format!(
                "page {}: {n} possible field(s) among {page_words} printed words left out: the document's own fields are on other pages and this page reads as text",
                page.page + 1
            ));
            page.fields.clear();
        }
    }
    found
}

/// Adds the detected fields to `schema` as bbox-only properties, after its own, with keys
/// unique among all of them.
pub fn add_detected(schema: &mut EditRootJson, form: &Form, fields: &FlatFields) {
    add_detected_with_facts(schema, form, fields);
}

/// [`add_detected`], with the facts of the properties it adds: the label's semantic type
/// and party read from its words (a detected box has no name or tooltip).
pub(crate) fn add_detected_with_facts(
    schema: &mut EditRootJson,
    form: &Form,
    fields: &FlatFields,
) -> Vec<PropertyFacts> {
    let mut facts = Vec::new();
    let mut keys = KeyAllocator::default();
    for key in schema.properties.keys() {
        keys.claim(key.clone());
    }
    for page in &fields.pages {
        let geometry = form
            .page_geometry(page.page)
            .unwrap_or(PageGeometry::LETTER);
        for (i, field) in page.fields.iter().enumerate() {
            let label = field.label.clone().unwrap_or_else(|| {
                format!(
                    "{} field {} on page {}",
                    kind_name(field.kind),
                    i + 1,
                    page.page + 1
                )
            });
            let key = keys.allocate(&label);
            let normalized = crate::fieldmodel::semantic::normalize(&label);
            facts.push(PropertyFacts {
                key: key.clone(),
                semantic: match field.kind {
                    Detected::Signature => Semantic::Signature,
                    Detected::Checkbox => Semantic::Choice,
                    _ => crate::fieldmodel::semantic::from_words(&normalized).unwrap_or(Semantic::Text),
                },
                entity: crate::fieldmodel::entity_in(&label).map(str::to_string),
                label: field.label.clone().unwrap_or_default(),
                question: None,
                section: None,
                native_name: None,
            });
            schema
                .properties
                .insert(key, property(field, &label, page.page, geometry));
        }
    }
    facts
}

/// A schema of the detected fields alone (`formsmith detect --json`, the annotated schema
/// of a form detection run on a flat PDF).
pub fn detected_schema(form: &Form, fields: &FlatFields) -> EditRootJson {
    let mut schema = EditRootJson {
        kind: "object".into(),
        additional_properties: Some(false),
        ..EditRootJson::default()
    };
    add_detected(&mut schema, form, fields);
    schema
}

fn kind_name(kind: Detected) -> &'static str {
    match kind {
        Detected::Checkbox => "check box",
        Detected::Signature => "signature",
        _ => "text",
    }
}

/// The property of one detected field.
fn property(field: &DetectedField, label: &str, page: usize, geometry: PageGeometry) -> EditJson {
    // Points to the hundredth: detection is not more precise than that.
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let b = geometry.to_display(field.rect);
    let mut node = EditJson {
        page_index: u32::try_from(page).ok(),
        bbox: Some(formsmith_engine::DisplayBox {
            left: round(b.left),
            top: round(b.top),
            right: round(b.right),
            bottom: round(b.bottom),
        }),
        ..EditJson::default()
    };
    let mut notes: Vec<String> = Vec::new();
    match field.kind {
        Detected::Checkbox => {
            node.kind = Some(EditJson::nullable("boolean"));
            node.field_type = Some(FieldKind::Checkbox);
            notes.push("true checks the box".into());
        }
        Detected::Signature => {
            node.kind = Some(EditJson::nullable("string"));
            node.field_type = Some(FieldKind::Signature);
            notes.push("a name to write, or an image via extend_edit:image".into());
        }
        _ => {
            node.kind = Some(EditJson::nullable("string"));
            node.field_type = Some(FieldKind::Text);
            let mut options = TextEditOptions::default();
            if let Some(cells) = field.comb {
                options.combing = Some(true);
                options.max_length = Some(cells);
                notes.push(format!("{cells} characters, one per box"));
            }
            if field.multiline {
                options.multi_line = Some(true);
                notes.push("may span several lines".into());
            }
            if options != TextEditOptions::default() {
                node.text_edit_options = Some(options);
            }
        }
    }
    node.description = Some(if notes.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({})", notes.join("; "))
    });
    node
}

/// Form fields to create for the detected fields (`formsmith detect --make-fillable`),
/// named like the keys of `schema` = [`detected_schema`] of the same detection (which lists
/// the fields in the same order), with the printed label as tooltip.
pub fn new_fields(schema: &EditRootJson, fields: &FlatFields) -> Vec<formsmith_engine::NewField> {
    use formsmith_engine::{NewField, NewFieldKind};
    let detected = fields
        .pages
        .iter()
        .flat_map(|p| p.fields.iter().map(move |f| (p.page, f)));
    schema
        .properties
        .keys()
        .zip(detected)
        .map(|(key, (page, f))| NewField {
            name: key.clone(),
            kind: match f.kind {
                Detected::Checkbox => NewFieldKind::Checkbox,
                Detected::Signature => NewFieldKind::Signature,
                _ => NewFieldKind::Text,
            },
            page,
            rect: f.rect,
            tooltip: f.label.clone(),
            max_len: f.comb,
            comb: f.comb.is_some(),
            multiline: f.multiline,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{EditContext, EditRequest, NoLabels, NoResolver, edit, validate::check_schema};
    use formsmith_engine::OpenOptions;

    fn corpus(file: &str) -> Vec<u8> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/");
        std::fs::read(format!("{root}{file}")).expect("corpus file")
    }

    fn context() -> EditContext<'static> {
        EditContext {
            resolver: &NoResolver,
            load_image: &|_| Err("no images here".into()),
            labels: &|_, _, _| Box::new(NoLabels),
        }
    }

    /// Words poppler reads on page 1, with their boxes in top-left points.
    fn words(pdf: &[u8]) -> Vec<(String, [f64; 4])> {
        let path = std::env::temp_dir().join(format!(
            "formsmith-schema-detected-{}.pdf",
            std::process::id()
        ));
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-bbox", "-f", "1", "-l", "1"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) runs");
        let _ = std::fs::remove_file(&path);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.trim_start().starts_with("<word"))
            .map(|line| {
                let attr = |name: &str| -> f64 {
                    line.split(&format!("{name}=\""))
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0.0)
                };
                let text = line
                    .split('>')
                    .nth(1)
                    .and_then(|r| r.split('<').next())
                    .unwrap_or_default()
                    .to_string();
                (
                    text,
                    [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")],
                )
            })
            .collect()
    }

    #[test]
    fn a_flat_pdf_gets_a_schema_of_detected_fields_counted_in_the_metrics() {
        let flat = corpus("flat/illinois-bill-of-sale-flat-vector.pdf");
        let request = EditRequest {
            generation: crate::SchemaOptions {
                detect_flat_pages: true,
                ..Default::default()
            },
            ..EditRequest::default()
        };
        let outcome = edit(&flat, &request, &context()).unwrap();
        let n = outcome.schema.properties.len() as u64;
        assert!(n >= 25, "{n} properties");
        assert_eq!(outcome.metrics.fields_detected_count, n);
        assert_eq!(outcome.metrics.fields_annotated_count, n);
        assert_eq!(outcome.metrics.field_count, n);
        assert!(outcome.filled_values.is_empty());
        let json = serde_json::to_value(&outcome.schema).unwrap();
        assert!(check_schema(&json).is_empty(), "{:?}", check_schema(&json));
        let kinds: Vec<FieldKind> = outcome
            .schema
            .properties
            .values()
            .filter_map(|p| p.field_type)
            .collect();
        assert!(kinds.contains(&FieldKind::Checkbox) && kinds.contains(&FieldKind::Signature));
        assert!(outcome.schema.properties.contains_key("buyers_name"));

        // Without detection (nativeFieldsOnly) a flat PDF has nothing to fill.
        let err = edit(&flat, &EditRequest::default(), &context()).unwrap_err();
        assert_eq!(err.reason().code(), "EMPTY_SCHEMA");
    }

    #[test]
    fn values_for_detected_fields_are_drawn_in_their_boxes() {
        let flat = corpus("flat/illinois-bill-of-sale-flat-vector.pdf");
        let form = Form::open(&flat, &OpenOptions::default()).unwrap();
        let found = detect_flat_pages(&flat, &form, None);
        let mut schema = detected_schema(&form, &found);
        let name = schema
            .properties
            .get_mut("buyers_name")
            .expect("a name blank");
        name.value = Some(serde_json::json!("Avery"));
        let bbox = name.bbox.unwrap();
        let check_key = schema
            .properties
            .iter()
            .find(|(_, p)| p.field_type == Some(FieldKind::Checkbox) && p.page_index == Some(0))
            .map(|(k, _)| k.clone())
            .unwrap();
        schema.properties.get_mut(&check_key).unwrap().value = Some(serde_json::json!(true));
        let request = EditRequest {
            schema: Some(serde_json::to_value(&schema).unwrap()),
            ..EditRequest::default()
        };
        let outcome = edit(&flat, &request, &context()).unwrap();
        assert_eq!(outcome.filled_values.len(), 2);
        let placed = words(&outcome.pdf).into_iter().any(|(t, b)| {
            let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            t == "Avery" && cx > bbox.left && cx < bbox.right && cy > bbox.top && cy < bbox.bottom
        });
        assert!(placed, "Avery not drawn inside {bbox:?}");
    }

    #[test]
    fn instruction_pages_of_a_fillable_form_give_no_phantom_fields() {
        // The W-9: native fields on page 1, five pages of printed instructions after it.
        let pdf = corpus("fillable/irs-fw9-2024.pdf");
        let form = Form::open(&pdf, &OpenOptions::default()).unwrap();
        assert_eq!(pages_without_widgets(&form), vec![1, 2, 3, 4, 5]);
        let found = detect_flat_pages(&pdf, &form, None);
        assert_eq!(found.count(), 0, "{:?}", found.warnings);
        assert!(found.warnings.iter().any(|w| w.contains("reads as text")), "{:?}", found.warnings);
        // Detection itself still sees the rules there (the gate is what removes them).
        assert!(detect(&pdf, Some(&[3]), None).unwrap().count() > 0);
    }

    #[test]
    fn detected_keys_never_clash_with_native_ones_and_pages_with_widgets_are_skipped() {
        let pdf = corpus("fillable/sf424-page2.pdf");
        let form = Form::open(&pdf, &OpenOptions::default()).unwrap();
        assert!(pages_without_widgets(&form).is_empty());
        assert_eq!(detect_flat_pages(&pdf, &form, None).count(), 0);
        // Detection asked for explicitly finds the printed boxes; keys stay unique.
        let found = detect(&pdf, None, None).unwrap();
        assert!(found.count() > 5);
        let labels = NoLabels;
        let mut schema = crate::generate(&form, &labels, &Default::default());
        let native = schema.properties.len();
        add_detected(&mut schema, &form, &found);
        assert_eq!(schema.properties.len(), native + found.count());
        let fields = new_fields(&detected_schema(&form, &found), &found);
        assert_eq!(fields.len(), found.count());
    }
}
