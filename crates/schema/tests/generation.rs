//! Generation the caller steers: conditional rules read from real forms
//! (`conditionalGenerationEnabled`) tie the right boxes and fail an edit that breaks them;
//! generation instructions (`schemaGenerationInstructions`) drop pages, signature blocks
//! and parties and rewrite keys, on real forms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::{
    BuiltSchema, EditContext, EditRequest, FieldKind, NoResolver, RuleResolver, SchemaOptions, build_schema, edit,
    printed_labels,
};
use serde_json::Value;

fn train(name: &str) -> std::path::PathBuf {
    common::corpus().join("train").join(name)
}

fn built(path: &std::path::Path, options: &SchemaOptions) -> BuiltSchema {
    let bytes = std::fs::read(path).unwrap();
    let form = Form::open(&bytes, &OpenOptions::default()).unwrap();
    let labels = printed_labels(&bytes, &form, None);
    build_schema(&bytes, &form, None, labels.as_ref(), options)
}

fn conditional() -> SchemaOptions {
    let mut options = SchemaOptions { conditional_rules: true, ..SchemaOptions::default() };
    options.generate.radio_enums = true;
    options
}

/// (dependent, control, value) of every rule.
fn ties(schema: &formsmith_schema::EditRootJson) -> Vec<(String, String, Value)> {
    let rules = schema.rules.get("allOf").and_then(Value::as_array).cloned().unwrap_or_default();
    rules
        .iter()
        .map(|r| {
            let (control, cond) = r["if"]["properties"].as_object().unwrap().iter().next().unwrap();
            let dependent = r["then"]["required"][0].as_str().unwrap().to_string();
            (dependent, control.clone(), cond["const"].clone())
        })
        .collect()
}

fn description<'a>(schema: &'a formsmith_schema::EditRootJson, key: &str) -> &'a str {
    schema.properties[key].description.as_deref().unwrap_or("")
}

#[test]
fn if_yes_lines_are_tied_to_their_own_questions_yes() {
    // Four "If yes" lines under four questions whose Yes boxes stand taller than their row.
    let b = built(&train("codeforamerica__michigan-benefits__DHS_1426_step_2_additional_member.pdf"), &conditional());
    let found = ties(&b.schema);
    assert_eq!(found.len(), b.rule_count);
    let pairs: Vec<(String, String)> = found
        .iter()
        .map(|(d, c, _)| (description(&b.schema, d).to_string(), description(&b.schema, c).to_string()))
        .collect();
    let expect = [
        ("If YES, Spouse name", "Are you married?"),
        ("If yes, name of spouse", "a. Will PERSON 2 file jointly"),
        ("If yes, list name(s) of dependents", "b. Will PERSON 2 claim any dependents"),
        ("If yes, please list the name of the tax filer", "c. Will PERSON 2 be claimed as a dependent"),
    ];
    for (dependent, question) in expect {
        assert!(
            pairs.iter().any(|(d, c)| d.starts_with(dependent) && c.starts_with(question)),
            "{dependent} <- {question} not in {pairs:#?}"
        );
    }
    assert_eq!(pairs.len(), expect.len(), "{pairs:#?}");
    // The dependent says when it applies.
    let (dependent, control, _) = &found[0];
    assert!(description(&b.schema, dependent).contains(&format!("Required when the answer is yes ({control} is true)")));

    // The same row wins over the row above: "5. …disaster area? Yes No If yes, where?".
    let b = built(&train("codeforamerica__vita-min__f13614c-TY2023.pdf"), &conditional());
    let where_ = ties(&b.schema).into_iter().find(|(d, _, _)| description(&b.schema, d).starts_with("If yes, where"));
    let (_, control, _) = where_.expect("If yes, where? is tied");
    assert!(description(&b.schema, &control).starts_with("Did you live in an area that was declared a Federal disaster"));

    // A radio group as one enum: the rule names the option ("If yes, who?" is the yes box's
    // own caption on the Michigan application).
    let b = built(&train("codeforamerica__michigan-benefits__AssistanceApplication.pdf"), &conditional());
    let enum_ties: Vec<_> = ties(&b.schema).into_iter().filter(|(_, _, v)| v.is_string()).collect();
    assert!(enum_ties.len() >= 8, "{enum_ties:?}");
    for (_, control, value) in &enum_ties {
        let options = b.schema.properties[control].options.clone().unwrap_or_default();
        assert!(options.iter().any(|o| Some(o.as_str()) == value.as_str()), "{control}: {value} not in {options:?}");
    }
    // Off by default: no rules.
    let plain = built(&train("codeforamerica__michigan-benefits__AssistanceApplication.pdf"), &SchemaOptions::default());
    assert!(plain.schema.rules.is_empty() && plain.rule_count == 0);
}

#[test]
fn an_edit_that_answers_yes_without_the_explanation_fails_validation() {
    let path = train("codeforamerica__michigan-benefits__DHS_1426_step_2_additional_member.pdf");
    let bytes = std::fs::read(&path).unwrap();
    let b = built(&path, &conditional());
    let (dependent, control, _) = ties(&b.schema).into_iter().next().expect("a rule");
    let context = EditContext { resolver: &NoResolver, load_image: &|_| Err("no images".into()), labels: &printed_labels };
    let mut schema = serde_json::to_value(&b.schema).unwrap();
    schema["properties"][&control]["extend_edit:value"] = Value::Bool(true);
    let request = EditRequest { schema: Some(schema.clone()), ..EditRequest::default() };
    let err = edit(&bytes, &request, &context).expect_err("yes without the dependent breaks the rule");
    assert_eq!(err.reason().code(), "SCHEMA_VALIDATION_ERROR", "{err}");
    assert!(err.to_string().contains(&dependent), "{err}");
    schema["properties"][&dependent]["extend_edit:value"] = Value::String("Ada Lovelace".into());
    let request = EditRequest { schema: Some(schema), ..EditRequest::default() };
    let outcome = edit(&bytes, &request, &context).expect("the rule holds");
    assert_eq!(outcome.filled_values[&dependent], "Ada Lovelace");

    // A generated schema with rules (no schema given): instructions that tick the box and
    // give no name fail the same way.
    let mut request = EditRequest { generation: conditional(), ..EditRequest::default() };
    request.instructions = Some("Are you married? Yes".into());
    let rules = RuleResolver::default();
    let context = EditContext { resolver: &rules, ..context };
    match edit(&bytes, &request, &context) {
        Err(e) => assert_eq!(e.reason().code(), "SCHEMA_VALIDATION_ERROR", "{e}"),
        Ok(outcome) => panic!("no rule applied: {:?}", outcome.filled_values),
    }
}

#[test]
fn generation_instructions_steer_pages_signatures_parties_and_keys() {
    // Illinois' 1040: two pages, dates of signing, a paid preparer's block.
    let il1040 = common::corpus().join("fillable/il-1040-2021.pdf");
    let options = |text: Option<&str>| SchemaOptions {
        detect_flat_pages: true,
        instructions: text.map(str::to_string),
        ..SchemaOptions::default()
    };
    let full = built(&il1040, &options(None));
    let pages = |b: &BuiltSchema| {
        let mut p: Vec<u32> = b.schema.properties.values().filter_map(|n| n.page_index).collect();
        p.sort_unstable();
        p.dedup();
        p
    };
    assert_eq!(pages(&full), vec![0, 1]);
    let page_one = built(&il1040, &options(Some("Only page 1, please.")));
    assert_eq!(pages(&page_one), vec![0]);
    assert!(page_one.warnings.is_empty(), "{:?}", page_one.warnings);
    let no_last = built(&il1040, &options(Some("skip the last page")));
    assert_eq!(pages(&no_last), vec![0]);
    assert_eq!(no_last.schema.properties.len(), page_one.schema.properties.len());

    // Signature boxes and dates of signing leave; everything else stays.
    let signing = |b: &BuiltSchema| {
        b.schema
            .properties
            .values()
            .filter(|n| {
                n.field_type == Some(FieldKind::Signature)
                    || n.description.as_deref().is_some_and(|d| d.contains("the date of signing"))
            })
            .count()
    };
    let b = built(&il1040, &options(Some("skip the signature block")));
    assert!(signing(&full) > 0, "the form has signing boxes");
    assert_eq!(signing(&b), 0);
    assert_eq!(b.schema.properties.len() + signing(&full), full.schema.properties.len());

    // A party's fields leave: the paid preparer's.
    let preparer = |b: &BuiltSchema| b.schema.properties.keys().filter(|k| k.contains("preparer")).count();
    let b = built(&il1040, &options(Some("leave out the paid preparer section")));
    assert!(preparer(&full) > 0, "the form has preparer fields");
    assert_eq!(preparer(&b), 0);
    assert!(b.schema.properties.len() > full.schema.properties.len() * 3 / 4);

    // The PDF's own names as keys (the W-9's native fields); nothing guessed from a
    // sentence that says nothing known, which comes back as a warning.
    let w9 = common::corpus().join("fillable/irs-fw9-2024.pdf");
    let b = built(&w9, &options(Some("Keep the original PDF field names; make it pretty")));
    let keys: Vec<&String> = b.schema.properties.keys().collect();
    assert!(keys.iter().all(|k| k.starts_with("topmostSubform[0]")), "{keys:?}");
    let not_understood: Vec<&String> = b.warnings.iter().filter(|w| w.starts_with("generation instructions")).collect();
    assert_eq!(not_understood.len(), 1, "{:?}", b.warnings);
    assert!(not_understood[0].contains("\"make it pretty\""));
    let b = built(&w9, &options(Some("camelCase keys, only the native fields")));
    assert!(b.schema.properties.keys().all(|k| !k.contains('_')), "{:?}", b.schema.properties.keys().collect::<Vec<_>>());
    assert!(b.schema.properties.keys().any(|k| k.chars().any(char::is_uppercase)));
    assert!(b.schema.properties.values().all(|n| n.source_acroform.is_some()), "native only");
}

#[test]
fn format_scripts_type_fields_and_give_the_date_layout() {
    let path = train("amsclark__docassemble-BankruptcyClinic__form_b_107.pdf");
    let bytes = std::fs::read(&path).unwrap();
    let form = Form::open(&bytes, &OpenOptions::default()).unwrap();
    let labels = printed_labels(&bytes, &form, None);
    let model = formsmith_schema::fieldmodel::build(&form, labels.printed().unwrap());
    let info = |name: &str| model.get(name).unwrap_or_else(|| panic!("{name}"));
    use formsmith_schema::fieldmodel::{Semantic, format::FieldFormat};
    let signed = info("Date signed Debtor 1");
    assert_eq!(signed.semantic, Semantic::DateSigned);
    assert_eq!(signed.format, Some(FieldFormat::Date { layout: Some("mm/dd/yyyy".into()) }));
    assert_eq!(info("add1_D1_zip").semantic, Semantic::PostalCode);
    // Every field whose script formats a date is typed as a date of some kind.
    let dated = model.fields.iter().filter(|f| matches!(f.format, Some(FieldFormat::Date { .. })));
    for f in dated {
        assert!(
            matches!(f.semantic, Semantic::Date | Semantic::Bday | Semantic::DateSigned),
            "{}: {:?}",
            f.name,
            f.semantic
        );
    }
    // The schema says the layout, and the resolver writes dates in it.
    let schema = built(&path, &SchemaOptions::default()).schema;
    let (key, node) = schema
        .properties
        .iter()
        .find(|(_, n)| n.source_acroform.as_ref().is_some_and(|s| s.field_name == "Date signed Debtor 1"))
        .unwrap();
    assert!(node.description.as_deref().unwrap_or("").contains("a date written mm/dd/yyyy"), "{node:?}");
    use formsmith_schema::InstructionResolver;
    // (The form has sixty boxes labelled "Date": the property alone, as a caller would pick it.)
    let mut one = schema.clone();
    one.properties.retain(|k, _| k == key);
    one.required = None;
    let resolution = RuleResolver::default().resolve(&one, "Date: 5 March 2025", &serde_json::Map::new());
    assert_eq!(resolution.values.get(key).and_then(|v| v.as_str()), Some("03/05/2025"), "{:?}", resolution.warnings);
}
