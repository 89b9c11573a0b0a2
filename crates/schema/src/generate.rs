//! Generate an edit schema from a form's native fields: one property per fillable field,
//! readable keys from labels, placement in public coordinates, options and constraints.

use crate::native::{is_option_group, primary_widget, radio_options};
use std::collections::HashMap;

use formsmith_engine::{Field, FieldType, Form, PageGeometry, Widget};
use indexmap::IndexMap;

use crate::facts::PropertyFacts;
use crate::fieldmodel::{self, FieldInfo, FieldModel, Semantic};
use crate::keys::{KeyAllocator, key_text, snake_case};
use crate::labels::{LabelSource, PrintedLabels};
use crate::model::{
    EditJson, EditRootJson, FieldKind, OptionMapping, SourceAcroForm, TextEditOptions,
};

/// Choices of schema generation (`advancedOptions` of the API).
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// One enum property per radio group (`radioEnumsEnabled`) instead of one boolean per option.
    pub radio_enums: bool,
}

/// Builds the schema of `form`'s native fields. Read-only fields, push buttons and fields
/// no viewer shows (every widget hidden) are left out; every other field appears exactly
/// once (a radio group once per option when `radio_enums` is off). Labels, keys and
/// descriptions come from the field model ([`fieldmodel`]).
pub fn generate(form: &Form, labels: &dyn LabelSource, options: &GenerateOptions) -> EditRootJson {
    generate_with_facts(form, labels, options).0
}

/// [`generate`], with what the field model knows of every property (label, semantic type,
/// entity, place) for the steps that reshape a generated schema.
pub(crate) fn generate_with_facts(
    form: &Form,
    labels: &dyn LabelSource,
    options: &GenerateOptions,
) -> (EditRootJson, Vec<PropertyFacts>) {
    let mut facts = Vec::new();
    let empty = PrintedLabels::default();
    let model = fieldmodel::build(form, labels.printed().unwrap_or(&empty));
    let base_keys = model_keys(form, &model);
    let mut keys = KeyAllocator::default();
    let mut properties = IndexMap::new();
    let mut required = Vec::new();
    let geometry = |page: usize| form.page_geometry(page).unwrap_or(PageGeometry::LETTER);
    let mut shared_tooltips: HashMap<&str, usize> = HashMap::new();
    for info in model.fields.iter().filter(|i| i.fillable) {
        if let Some(t) = info.tooltip.as_deref() {
            *shared_tooltips.entry(t).or_default() += 1;
        }
    }
    for (index, field) in form.fields().iter().enumerate() {
        let (Some(info), Some(Some(base_key))) = (model.fields.get(index), base_keys.get(index)) else {
            continue;
        };
        if !info.fillable {
            continue;
        }
        let label = info.label.clone().unwrap_or_else(|| humanize(field.short_name()));
        // A "Yes" or "No" box says which question it answers: "Violent toward police?: No".
        let label = match &info.question {
            Some(question) if field.kind == FieldType::Checkbox && fieldmodel::is_answer_word(&label) => {
                format!("{}: {label}", question.trim_end_matches([':', ' ']))
            }
            _ => label,
        };
        // A field of someone other than the form's main subject says whose it is when its
        // label does not: "First name (dependent)" is not the filer's first name.
        let label = match model.qualifying_entity(info) {
            Some(entity) => format!("{label} ({})", entity.replace('_', " ")),
            None => label,
        };
        // The description leads with the form author's own words for the field (its tooltip)
        // where they are meaningful: they are what the form means, and often say more than
        // the caption ("Name of Doctor" for "Name of physician or other health care
        // professional"); the printed caption follows in the model's sentence.
        let printed = info.label.clone();
        // A tooltip of many words is an instruction ("NOTE TO ALL APPLICANTS: If you do not
        // completely fill out…"), not a name for the field: the caption leads then.
        let tooltip = info.tooltip.as_ref().filter(|t| t.split_whitespace().count() <= 14 || info.label.is_none());
        // A tooltip many fields share is their section's name ("Information About the
        // Person for Whom You Are Filing" on every box of a USCIS part), not this box's:
        // the printed caption leads and the section follows as context. (A shared tooltip
        // that names a kind of value, "Social Security Number" over boxes whose printed
        // captions are a neighbour's words, is still the label.)
        let section_tooltip = tooltip.filter(|t| {
            info.label.is_some()
                && shared_tooltips.get(t.as_str()).is_some_and(|n| *n >= 3)
                && fieldmodel::semantic::from_words(&fieldmodel::semantic::normalize(t)).is_none()
        });
        let label = match (section_tooltip, tooltip) {
            (Some(section), _) => format!("{label}, in \"{section}\""),
            (None, Some(tooltip)) => match model.qualifying_entity(info) {
                Some(entity) if !tooltip.to_lowercase().contains(&entity.replace('_', " ")) => {
                    format!("{tooltip} ({})", entity.replace('_', " "))
                }
                _ => tooltip.clone(),
            },
            (None, None) => label,
        };
        let printed = printed.filter(|p| !label.starts_with(p.as_str()));
        let is_required = field.has_flag("Required");
        match field.kind {
            _ if is_option_group(field) && !options.radio_enums => {
                let (kind, wire) = if field.kind == FieldType::Radio {
                    (FieldKind::Radio, "radio")
                } else {
                    (FieldKind::Checkbox, "checkbox")
                };
                for (option, widget) in radio_options(field) {
                    let option_label = labels
                        .option_label(widget)
                        .or_else(|| meaningful(&decode_name(&option.label)))
                        .unwrap_or_else(|| decode_name(&option.export));
                    let key = keys.allocate(&format!("{base_key} {option_label}"));
                    let mut node = placed(Some(widget), &geometry);
                    facts.push(PropertyFacts {
                        key: key.clone(),
                        label: option_label.clone(),
                        question: Some(label.clone()),
                        semantic: info.semantic,
                        entity: info.entity.clone(),
                        section: info.section.clone(),
                        native_name: Some(field.name.clone()),
                    });
                    node.kind = Some(EditJson::nullable("boolean"));
                    node.field_type = Some(kind);
                    node.description = Some(format!(
                        "{label}: {option_label}. true selects this option of the group (only one option of the group can be selected)."
                    ));
                    node.source_acroform = Some(SourceAcroForm {
                        field_name: field.name.clone(),
                        field_type: wire.into(),
                        option_map: None,
                        option_value: Some(option.export.clone()),
                    });
                    properties.insert(key, node);
                }
            }
            _ => {
                let key = keys.allocate(base_key);
                let mut node = property(
                    field,
                    primary_widget(form, field),
                    &label,
                    labels,
                    &geometry,
                );
                node.description = node.description.map(|d| describe(&d, info, printed.as_deref()));
                facts.push(PropertyFacts {
                    key: key.clone(),
                    label: info.label.clone().unwrap_or_else(|| label.clone()),
                    question: info.question.clone(),
                    semantic: info.semantic,
                    entity: info.entity.clone(),
                    section: info.section.clone(),
                    native_name: Some(field.name.clone()),
                });
                if is_required {
                    required.push(key.clone());
                }
                properties.insert(key, node);
            }
        }
    }
    let schema = EditRootJson {
        kind: "object".into(),
        properties,
        required: (!required.is_empty()).then_some(required),
        additional_properties: Some(false),
        rules: IndexMap::new(),
    };
    (schema, facts)
}

/// What the model adds to a description: the kind of value, whose it is, which part.
fn describe(description: &str, info: &FieldInfo, printed: Option<&str>) -> String {
    let mut sentence = String::new();
    if !matches!(info.semantic, Semantic::Text | Semantic::Choice | Semantic::YesNo) {
        sentence.push_str(info.semantic.describe());
    }
    if let Some(qualifier) = &info.qualifier {
        sentence.push_str(&format!(" ({qualifier})"));
    }
    if let Some(entity) = &info.entity {
        sentence.push_str(&format!(" of the {}", entity.replace('_', " ")));
    }
    if let Some(part) = info.part {
        sentence.push_str(&format!("; box {} of {} holding one value", part.index, part.count));
    }
    if let Some(printed) = printed {
        sentence.push_str(&format!("; printed as \"{printed}\""));
    }
    let sentence = sentence.trim().trim_start_matches("; ");
    if sentence.is_empty() {
        description.to_string()
    } else {
        format!("{description}. Expects {sentence}.")
    }
}

/// The key text of every field of `form` (same order as `form.fields()`), before keys are
/// made unique: the label's words, or the semantic type's where the label is long or
/// missing; fields that would share a key are told apart by their qualifier or entity
/// (`mailing_address_zip_code`, `spouse_ssn`) where those differ; parts get `part_k`.
/// `None` for fields that are not in a schema.
pub fn model_keys(form: &Form, model: &FieldModel) -> Vec<Option<String>> {
    let mut bases: Vec<Option<String>> = form
        .fields()
        .iter()
        .zip(&model.fields)
        .map(|(field, info)| {
            if !info.fillable {
                return None;
            }
            // A label in a script keys cannot spell (CJK) gives no key words.
            let from_label = info
                .label
                .as_deref()
                .map(|l| snake_case(key_text(l)))
                .filter(|k| k != "field");
            let label_words = from_label.as_deref().map_or(0, |k| k.split('_').count());
            let semantic_key = info.semantic.key_words().map(str::to_string);
            let base = match (from_label, semantic_key) {
                (Some(_), Some(s)) if label_words > 6 => s,
                (Some(l), _) => l,
                (None, Some(s)) => s,
                // Nothing says what the field is: a key that says so, never a generator's
                // name such as `f1_07` or `undefined_3`.
                (None, None) => match fieldmodel::junk::name_words(field.short_name()) {
                    Some(words) => snake_case(&words),
                    None => unlabelled_key(field),
                },
            };
            Some(match model.qualifying_entity(info) {
                Some(entity) => format!("{entity}_{base}"),
                None => base,
            })
        })
        .collect();
    // Qualify keys that collide.
    let mut by_key: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for (i, base) in bases.iter().enumerate() {
        if let Some(b) = base {
            by_key.entry(b.clone()).or_default().push(i);
        }
    }
    for (base, members) in by_key {
        if members.len() < 2 {
            continue;
        }
        let distinct = |pick: &dyn Fn(&FieldInfo) -> Option<&String>| {
            let values: std::collections::HashSet<Option<&String>> =
                members.iter().filter_map(|&i| model.fields.get(i)).map(pick).collect();
            values.len() > 1
        };
        let by_qualifier = distinct(&|f: &FieldInfo| f.qualifier.as_ref());
        let by_entity = distinct(&|f: &FieldInfo| f.entity.as_ref());
        for &i in &members {
            let Some(info) = model.fields.get(i) else { continue };
            let mut prefix: Vec<&str> = Vec::new();
            if by_entity && let Some(e) = &info.entity {
                prefix.push(e);
            }
            if by_qualifier && let Some(q) = &info.qualifier {
                prefix.push(q);
                if is_address_part(info.semantic) && !base.contains("address") {
                    prefix.push("address");
                }
            }
            if !prefix.is_empty()
                && let Some(slot) = bases.get_mut(i)
            {
                *slot = Some(format!("{}_{base}", prefix.join("_")));
            }
        }
    }
    for (slot, info) in bases.iter_mut().zip(&model.fields) {
        if let (Some(base), Some(part)) = (slot.as_mut(), info.part) {
            base.push_str(&format!("_part_{}", part.index));
        }
    }
    bases
}

/// `unlabelled_text_page_2` (made unique by the allocator): no label, no meaningful name.
fn unlabelled_key(field: &Field) -> String {
    let kind = match field.kind {
        FieldType::Text => "text",
        FieldType::Checkbox => "checkbox",
        FieldType::Radio => "choice",
        FieldType::Combo | FieldType::List => "list",
        FieldType::Signature => "signature",
        FieldType::Button => "button",
    };
    match field.widgets.iter().find_map(|w| w.page) {
        Some(page) => format!("unlabelled_{kind}_page_{}", page + 1),
        None => format!("unlabelled_{kind}"),
    }
}

fn is_address_part(semantic: Semantic) -> bool {
    matches!(
        semantic,
        Semantic::StreetAddress
            | Semantic::AddressLine2
            | Semantic::AddressLevel1
            | Semantic::AddressLevel2
            | Semantic::PostalCode
            | Semantic::Country
            | Semantic::County
    )
}

/// A PDF name's `#xx` escapes decoded (`m#c3#a4nnlich` -> `männlich`), for labels only: the
/// state name itself stays the option's identity.
fn decode_name(name: &str) -> String {
    if !name.contains('#') {
        return name.to_string();
    }
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'#', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The field's label: tooltip, else the printed label next to `widget`, else its name.
pub fn field_label(field: &Field, widget: Option<&Widget>, labels: &dyn LabelSource) -> String {
    if let Some(tooltip) = field.tooltip.as_deref().and_then(meaningful) {
        return tooltip;
    }
    // A group's options carry their own captions (right of each box); the group's label is
    // the heading left of or above its first box ("Filing Status").
    let label = |w: &Widget| {
        if is_option_group(field) {
            labels.group_label(w)
        } else {
            labels.label(field.kind, w)
        }
    };
    if let Some(label) = widget.and_then(label) {
        return label;
    }
    humanize(field.short_name())
}

/// A label worth showing: trimmed, not empty, not a bare number or XFA-style path.
fn meaningful(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let useful = text.chars().any(char::is_alphabetic) && !text.contains("[0]");
    useful.then_some(text)
}

/// `first_name` / `FirstName` / `f1_04` -> "first name" / "First Name" / "f1 04".
fn humanize(name: &str) -> String {
    let key = snake_case(name);
    key.replace('_', " ")
}

/// The node of a non-radio-option property (everything but booleans per radio option).
fn property(
    field: &Field,
    widget: Option<&Widget>,
    label: &str,
    labels: &dyn LabelSource,
    geometry: &dyn Fn(usize) -> PageGeometry,
) -> EditJson {
    let mut node = placed(widget, geometry);
    let mut notes: Vec<String> = Vec::new();
    match field.kind {
        FieldType::Text => {
            node.kind = Some(EditJson::nullable("string"));
            node.field_type = Some(FieldKind::Text);
            let comb = field.has_flag("Comb") && field.max_len.is_some();
            let multi_line = field.has_flag("Multiline");
            let options = TextEditOptions {
                font_size: field.fixed_font_size().map(f64::from),
                combing: comb.then_some(true),
                max_length: field.max_len,
                multi_line: multi_line.then_some(true),
                ..TextEditOptions::default()
            };
            // The layout the form's own date script writes: the instructions write dates so.
            if let Some(fieldmodel::format::FieldFormat::Date { layout: Some(layout) }) =
                field.format_script.as_deref().and_then(fieldmodel::format::parse)
            {
                notes.push(format!("a date written {layout}"));
            }
            if let Some(max) = field.max_len {
                notes.push(if comb {
                    format!("{max} characters, one per box")
                } else {
                    format!("at most {max} characters")
                });
            }
            if multi_line {
                notes.push("may span several lines".into());
            }
            if field.has_flag("Password") {
                notes.push("shown as bullets".into());
            }
            if options != TextEditOptions::default() {
                node.text_edit_options = Some(options);
            }
            node.source_acroform = Some(source(field, "text", None));
        }
        FieldType::Checkbox if !is_option_group(field) => {
            node.kind = Some(EditJson::nullable("boolean"));
            node.field_type = Some(FieldKind::Checkbox);
            notes.push("true checks the box".into());
            node.source_acroform = Some(source(field, "checkbox", None));
        }
        // Check boxes whose widgets have different on-states behave as a radio group.
        FieldType::Radio | FieldType::Checkbox => {
            let wire = if field.kind == FieldType::Radio {
                "radio"
            } else {
                "checkbox"
            };
            let choices: Vec<(String, String, Option<&Widget>)> = radio_options(field)
                .into_iter()
                .map(|(option, widget)| {
                    let shown = labels
                        .option_label(widget)
                        .or_else(|| meaningful(&decode_name(&option.label)))
                        .unwrap_or_else(|| decode_name(&option.export));
                    (option.export.clone(), shown, Some(widget))
                })
                .collect();
            enum_node(&mut node, field, FieldKind::Radio, wire, &choices, geometry);
            notes.push("choose one option".into());
        }
        FieldType::Combo | FieldType::List => {
            let choices: Vec<(String, String, Option<&Widget>)> = field
                .option_pairs
                .iter()
                .filter(|o| !o.export.is_empty())
                .map(|o| {
                    (
                        o.export.clone(),
                        if o.label.trim().is_empty() {
                            o.export.clone()
                        } else {
                            o.label.clone()
                        },
                        None,
                    )
                })
                .collect();
            let (kind, wire) = if field.kind == FieldType::Combo {
                (FieldKind::Dropdown, "dropdown")
            } else {
                (FieldKind::OptionList, "optionList")
            };
            if choices.is_empty() {
                // A choice field with no options can only take free text.
                node.kind = Some(EditJson::nullable("string"));
                node.field_type = Some(FieldKind::Text);
                node.source_acroform = Some(source(field, wire, None));
            } else {
                enum_node(&mut node, field, kind, wire, &choices, geometry);
            }
            if field.has_flag("Edit") {
                notes.push("the form also accepts other text".into());
            }
        }
        FieldType::Signature => {
            node.kind = Some(EditJson::nullable("string"));
            node.field_type = Some(FieldKind::Signature);
            notes.push("a name to write, or an image via extend_edit:image".into());
            node.source_acroform = Some(source(field, "signature", None));
        }
        FieldType::Button => {}
    }
    if field.has_flag("Required") {
        notes.push("required".into());
    }
    node.description = Some(if notes.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({})", notes.join("; "))
    });
    node
}

/// Fills `node` as an enum over `choices` (export value, label, widget): schema values are the
/// labels when they are distinct (people and instructions use labels), else the export values.
fn enum_node(
    node: &mut EditJson,
    field: &Field,
    kind: FieldKind,
    wire: &str,
    choices: &[(String, String, Option<&Widget>)],
    geometry: &dyn Fn(usize) -> PageGeometry,
) {
    // A choice listed twice (same export value) is offered once.
    let mut seen_exports = std::collections::HashSet::new();
    let choices: Vec<&(String, String, Option<&Widget>)> = choices
        .iter()
        .filter(|(export, _, _)| seen_exports.insert(export.as_str()))
        .collect();
    let labels_distinct = {
        let mut seen = std::collections::HashSet::new();
        choices
            .iter()
            .all(|(_, label, _)| !label.trim().is_empty() && seen.insert(label.to_lowercase()))
    };
    let schema_values: Vec<String> = choices
        .iter()
        .map(|(export, label, _)| {
            if labels_distinct {
                label.clone()
            } else {
                export.clone()
            }
        })
        .collect();
    node.options = Some(schema_values.clone());
    node.option_descriptions = Some(choices.iter().map(|(_, label, _)| label.clone()).collect());
    node.field_type = Some(kind);
    if kind == FieldKind::Radio {
        let boxes: Vec<_> = choices
            .iter()
            .filter_map(|(_, _, widget)| {
                let w = (*widget)?;
                Some(geometry(w.page?).to_display(w.rect))
            })
            .collect();
        if boxes.len() == choices.len() {
            node.bboxes = Some(boxes);
        }
    }
    node.source_acroform = Some(source(
        field,
        wire,
        Some(
            choices
                .iter()
                .zip(schema_values)
                .map(|((export, label, _), schema_value)| OptionMapping {
                    schema_value,
                    export_value: export.clone(),
                    display_value: label.clone(),
                })
                .collect(),
        ),
    ));
}

fn source(field: &Field, wire: &str, option_map: Option<Vec<OptionMapping>>) -> SourceAcroForm {
    SourceAcroForm {
        field_name: field.name.clone(),
        field_type: wire.into(),
        option_map,
        option_value: None,
    }
}

/// A node with the page and box of `widget`.
fn placed(widget: Option<&Widget>, geometry: &dyn Fn(usize) -> PageGeometry) -> EditJson {
    let mut node = EditJson::default();
    if let Some(widget) = widget
        && let Some(page) = widget.page
    {
        node.page_index = u32::try_from(page).ok();
        node.bbox = Some(geometry(page).to_display(widget.rect));
    }
    node
}

