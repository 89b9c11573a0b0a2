//! The rule resolver over a test set (`tests/instructions/cases.json`): instructions for
//! corpus forms, whose schemas are generated exactly as the product does (printed labels,
//! default options unless a case asks for radio enums), and for synthetic schemas.
//!
//! Expectations name the native field (`extend_edit:source_acroform.fieldName`, plus the
//! option's export value for one radio option as a boolean), so label improvements that
//! rename keys do not break the set; synthetic schemas name keys. Precision must be 1.0:
//! any value the resolver produces that a case does not expect fails the test. Recall over
//! the whole set is printed and must stay at or above [`RECALL_FLOOR`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::{
    EditRootJson, GenerateOptions, InstructionResolver, RuleResolver, generate, printed_labels,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const CASES: &str = include_str!("instructions/cases.json");

/// Recall reached when the set was written: 157 of 163 expected values (0.963) over 100
/// cases. The floor leaves room for label changes of generated schemas, never for wrong
/// fills (precision is asserted to be exactly 1.0).
const RECALL_FLOOR: f64 = 0.90;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    schemas: HashMap<String, Value>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// A PDF in `../shared/corpus/fillable`.
    #[serde(default)]
    form: Option<String>,
    /// Or a synthetic schema of `schemas`.
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    radio_enums: bool,
    instructions: String,
    #[serde(default)]
    expect: Vec<Expect>,
    /// `true`: a warning is expected (something left blank); `false`: none; absent: not checked.
    #[serde(default)]
    warns: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// Native field name (corpus forms).
    #[serde(default)]
    field: Option<String>,
    /// Export value of the radio option (one boolean property per option).
    #[serde(default)]
    option: Option<String>,
    /// Property key (synthetic schemas).
    #[serde(default)]
    key: Option<String>,
    value: Value,
}

fn corpus_form(name: &str) -> String {
    format!(
        "{}/../../../shared/corpus/fillable/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The schema the product generates for a corpus form.
fn form_schema(name: &str, radio_enums: bool) -> EditRootJson {
    let bytes = std::fs::read(corpus_form(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let form =
        Form::open(&bytes, &OpenOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let labels = printed_labels(&bytes, &form, None);
    generate(&form, labels.as_ref(), &GenerateOptions { radio_enums })
}

fn pinned_of(schema: &EditRootJson) -> Map<String, Value> {
    schema
        .properties
        .iter()
        .filter_map(|(k, p)| {
            p.value
                .clone()
                .filter(|v| !v.is_null())
                .map(|v| (k.clone(), v))
        })
        .collect()
}

fn key_of(schema: &EditRootJson, expect: &Expect) -> Result<String, String> {
    if let Some(key) = &expect.key {
        return if schema.properties.contains_key(key) {
            Ok(key.clone())
        } else {
            Err(format!("no key {key}"))
        };
    }
    let field = expect
        .field
        .as_deref()
        .ok_or("an expectation needs field or key")?;
    let found: Vec<&String> = schema
        .properties
        .iter()
        .filter(|(_, p)| {
            p.source_acroform.as_ref().is_some_and(|s| {
                s.field_name == field
                    && (expect.option.is_none() || s.option_value == expect.option)
            })
        })
        .map(|(k, _)| k)
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!("no property fills {field} {:?}", expect.option)),
        _ => Err(format!(
            "several properties fill {field} {:?}: give the option",
            expect.option
        )),
    }
}

#[test]
fn the_rule_resolver_fills_only_what_it_is_sure_of() {
    let file: CaseFile = serde_json::from_str(CASES).expect("cases.json parses");
    let mut schemas: HashMap<(String, bool), EditRootJson> = HashMap::new();
    let resolver = RuleResolver::default();
    let (mut expected, mut found, mut wrong) = (0usize, 0usize, Vec::new());
    let mut failures = Vec::new();
    let mut forms = std::collections::BTreeSet::new();
    for case in &file.cases {
        let schema = match (&case.form, &case.schema) {
            (Some(form), None) => {
                forms.insert(form.clone());
                schemas
                    .entry((form.clone(), case.radio_enums))
                    .or_insert_with(|| form_schema(form, case.radio_enums))
                    .clone()
            }
            (None, Some(name)) => serde_json::from_value(file.schemas[name].clone())
                .unwrap_or_else(|e| panic!("{}: schema {name}: {e}", case.name)),
            _ => panic!("{}: give form or schema", case.name),
        };
        let pinned = pinned_of(&schema);
        let resolution = resolver.resolve(&schema, &case.instructions, &pinned);
        // Deterministic: the same answer twice.
        assert_eq!(
            resolution,
            resolver.resolve(&schema, &case.instructions, &pinned),
            "{}",
            case.name
        );

        let mut want: Map<String, Value> = Map::new();
        for e in &case.expect {
            match key_of(&schema, e) {
                Ok(key) => {
                    want.insert(key, e.value.clone());
                }
                Err(why) => failures.push(format!("{}: {why}", case.name)),
            }
        }
        expected += want.len();
        for (key, value) in &resolution.values {
            match want.get(key) {
                Some(v) if v == value => found += 1,
                Some(v) => wrong.push(format!("{}: {key} = {value}, expected {v}", case.name)),
                None => wrong.push(format!("{}: {key} = {value} was not asked for", case.name)),
            }
            if pinned.contains_key(key) {
                wrong.push(format!("{}: pinned {key} overwritten", case.name));
            }
        }
        let missed: Vec<&String> = want
            .keys()
            .filter(|k| !resolution.values.contains_key(*k))
            .collect();
        if !missed.is_empty() {
            println!(
                "{}: missed {missed:?}; warnings {:?}",
                case.name, resolution.warnings
            );
        }
        match case.warns {
            Some(true) if resolution.warnings.is_empty() => {
                failures.push(format!("{}: expected a warning", case.name))
            }
            Some(false) if !resolution.warnings.is_empty() => failures.push(format!(
                "{}: unexpected warnings {:?}",
                case.name, resolution.warnings
            )),
            _ => {}
        }
        for w in &resolution.warnings {
            println!("  [{}] {w}", case.name);
        }
    }
    let recall = found as f64 / expected.max(1) as f64;
    println!(
        "instruction test set: {} cases over {} corpus forms and {} synthetic schemas; {found}/{expected} expected values filled (recall {recall:.3}); {} wrong fills (precision {})",
        file.cases.len(),
        forms.len(),
        file.schemas.len(),
        wrong.len(),
        if wrong.is_empty() {
            "1.000".to_string()
        } else {
            format!("{:.3}", found as f64 / (found + wrong.len()) as f64)
        }
    );
    assert!(
        wrong.is_empty(),
        "wrong fills (precision must be 1.0):\n{}",
        wrong.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        file.cases.len() >= 30 && forms.len() >= 4,
        "the set needs at least 30 cases over at least 4 forms"
    );
    assert!(
        recall >= RECALL_FLOOR,
        "recall {recall:.3} fell below {RECALL_FLOOR}"
    );
}

fn small_schema() -> EditRootJson {
    serde_json::from_value(json!({
        "type": "object",
        "properties": {
            "first_name": { "type": ["string", "null"], "description": "First name", "extend_edit:field_type": "text" },
            "last_name": { "type": ["string", "null"], "description": "Last name", "extend_edit:field_type": "text" },
            "notes": { "type": ["string", "null"], "description": "Notes", "extend_edit:field_type": "text" }
        }
    }))
    .unwrap()
}

#[test]
fn long_instructions_are_cut_with_a_warning() {
    let schema = small_schema();
    let mut text = String::from("First name: Jordan\n");
    while text.len() < 70 * 1024 {
        text.push_str("this line says nothing useful at all, and it keeps going; ");
    }
    text.push_str("\nLast name: Avery");
    let started = Instant::now();
    let resolution = RuleResolver::default().resolve(&schema, &text, &Map::new());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(resolution.values.get("first_name"), Some(&json!("Jordan")));
    assert!(
        !resolution.values.contains_key("last_name"),
        "text after 64 KiB is not read"
    );
    assert!(
        resolution.warnings.iter().any(|w| w.contains("64 KiB")),
        "{:?}",
        resolution.warnings.first()
    );
}

#[test]
fn hostile_text_costs_bounded_time() {
    let schema = small_schema();
    let resolver = RuleResolver::default();
    for text in [
        "{".repeat(60_000),
        "\"".repeat(60_000),
        "'a ".repeat(20_000),
        " and ".repeat(12_000),
        "notes: ".repeat(9_000),
        "set a to b as c for d in e with f ".repeat(1_800),
        "```json\n{\"notes\": 1}\n```".repeat(2_000),
        format!("Notes: {}", "x".repeat(60_000)),
    ] {
        let started = Instant::now();
        let resolution = resolver.resolve(&schema, &text, &Map::new());
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?} on {:?}",
            started.elapsed(),
            &text[..20]
        );
        for (key, value) in &resolution.values {
            assert!(schema.properties.contains_key(key) && !value.is_null());
        }
    }
}

#[test]
fn a_big_form_and_long_instructions_cost_bounded_time() {
    // 591 properties; 60 KiB of clauses, each looked up against all of them.
    let schema = form_schema("uscis-i485-xfa-aes128.pdf", false);
    let lines = [
        "Family name: Avery",
        "Given name: Jordan",
        "check the box for Yes",
        "Date of birth: 01/02/1990",
        "A-Number: 123456789",
        "Mailing address: 1 Main St, Springfield, IL 62701",
        "Set the spouse's given name to Sam and family name to Lee",
        "leave the rest blank",
    ];
    let mut text = String::new();
    while text.len() < 60 * 1024 {
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
    }
    let started = Instant::now();
    let resolution = RuleResolver::default().resolve(&schema, &text, &Map::new());
    let elapsed = started.elapsed();
    println!(
        "{} bytes of instructions on {} properties: {elapsed:?}",
        text.len(),
        schema.properties.len()
    );
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    for (key, value) in &resolution.values {
        assert!(schema.properties.contains_key(key) && !value.is_null());
    }
}

#[test]
fn pinned_values_are_never_overwritten_and_not_reported() {
    let schema = small_schema();
    let pinned: Map<String, Value> = [("first_name".to_string(), json!("Pat"))]
        .into_iter()
        .collect();
    let resolution =
        RuleResolver::default().resolve(&schema, "First name: Jordan; last name: Avery", &pinned);
    assert_eq!(resolution.values.get("first_name"), None);
    assert_eq!(resolution.values.get("last_name"), Some(&json!("Avery")));
    assert!(resolution.warnings.is_empty(), "{:?}", resolution.warnings);
}
