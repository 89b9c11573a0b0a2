//! Micro-benchmark of edit-schema validation: `check_schema` and `validate_values` on
//! schemas of the sizes callers send (the spec's example, a 300-field form, one with 60
//! conditional rules), with values that pass and values that break rules (messages cost).
//!
//!     cargo bench -p formsmith-schema --bench validate [-- --iters N]
//!
//! Prints the median µs per call of 15 batches (each `iters` calls, after a warm-up batch);
//! `validate_values` both on a schema it has seen (the same form filled again) and on one it
//! has not.

use std::hint::black_box;
use std::time::Instant;

use formsmith_schema::validate::{check_schema, validate_values};
use serde_json::{Map, Value, json};

fn example() -> (Value, Value) {
    let schema = json!({
      "type": "object",
      "properties": {
        "first_name": { "type": ["string","null"], "extend_edit:field_type": "text" },
        "ssn": { "type": ["string","null"], "extend_edit:field_type": "text",
          "extend_edit:text_edit_options": {"combing": true, "maxLength": 9} },
        "filing_status": { "enum": ["single","married_joint","married_separate"], "extend_edit:field_type": "radio" },
        "spouse_name": { "type": ["string","null"], "extend_edit:field_type": "text" },
        "is_veteran": { "type": ["boolean","null"], "extend_edit:field_type": "checkbox" },
        "dependents": { "type": "array", "extend_edit:field_type": "table", "maxItems": 4,
          "items": { "type": "object", "properties": {
            "name": { "type": ["string","null"], "extend_edit:field_type": "text" },
            "age":  { "type": ["integer","null"], "extend_edit:field_type": "text" } } } }
      },
      "if": { "properties": { "filing_status": { "const": "married_joint" } } },
      "then": { "required": ["spouse_name"] },
      "dependentRequired": { "is_veteran": ["dependents"] }
    });
    let values = json!({"first_name": "Jordan", "ssn": "123456789", "filing_status": "married_joint",
        "spouse_name": "Sam", "is_veteran": true, "dependents": [{"name": "Ada", "age": 7}, null]});
    (schema, values)
}

/// A form of `n` fields (text with maxLength and patterns, check boxes, radio enums,
/// numbers, one table) and values for all of them.
fn big_form(n: usize, rules: usize) -> (Value, Value) {
    let mut props = Map::new();
    let mut values = Map::new();
    for i in 0..n {
        let key = format!("field_{i}");
        match i % 5 {
            0 => {
                props.insert(key.clone(), json!({"type": ["string", "null"], "extend_edit:field_type": "text",
                    "extend_edit:text_edit_options": {"maxLength": 40}}));
                values.insert(key, json!(format!("Sample {i}")));
            }
            1 => {
                props.insert(key.clone(), json!({"type": ["boolean", "null"], "extend_edit:field_type": "checkbox"}));
                values.insert(key, json!(i % 2 == 0));
            }
            2 => {
                props.insert(key.clone(), json!({"enum": ["a", "b", "c", null], "extend_edit:field_type": "radio"}));
                values.insert(key, json!("b"));
            }
            3 => {
                props.insert(key.clone(), json!({"type": ["number", "null"], "minimum": 0, "extend_edit:field_type": "text"}));
                values.insert(key, json!(i as f64 * 1.5));
            }
            _ => {
                props.insert(key.clone(), json!({"type": ["string", "null"], "pattern": "^[0-9]{3}-[0-9]{2}$",
                    "extend_edit:field_type": "text"}));
                values.insert(key, json!("123-45"));
            }
        }
    }
    props.insert("rows".into(), json!({"type": "array", "extend_edit:field_type": "table", "maxItems": 10,
        "items": {"type": "object", "properties": {
            "name": {"type": ["string", "null"], "extend_edit:field_type": "text"},
            "amount": {"type": ["number", "null"], "extend_edit:field_type": "text"}}}}));
    values.insert("rows".into(), json!([{"name": "x", "amount": 1}, {"name": "y", "amount": 2}, null]));
    let mut schema = json!({"type": "object", "properties": props});
    let mut all_of = Vec::new();
    for r in 0..rules {
        let (a, b) = (format!("field_{}", (r * 5 + 2) % n), format!("field_{}", (r * 5) % n));
        all_of.push(match r % 4 {
            0 => json!({"if": {"properties": {a.clone(): {"const": "b"}}, "required": [a]}, "then": {"required": [b]}}),
            1 => json!({"dependentRequired": {a: [b]}}),
            2 => json!({"anyOf": [{"required": [a]}, {"required": [b]}]}),
            _ => json!({"not": {"required": [format!("missing_{r}")]}}),
        });
    }
    if !all_of.is_empty() {
        schema["allOf"] = Value::Array(all_of);
    }
    (schema, Value::Object(values))
}

/// Values that break rules: wrong types, a bad enum, a too-long text, an unknown key.
fn broken(values: &Value) -> Value {
    let mut v = values.clone();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("field_0".into(), json!("x".repeat(60)));
        obj.insert("field_1".into(), json!("yes"));
        obj.insert("field_2".into(), json!("z"));
        obj.insert("field_4".into(), json!("12345"));
        obj.insert("fild_5".into(), json!("typo"));
    }
    v
}

fn time(iters: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters {
        f();
    }
    let mut batches: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / iters as f64
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[batches.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let iters = args
        .iter()
        .position(|a| a == "--iters")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let (ex_schema, ex_values) = example();
    let (big_schema, big_values) = big_form(300, 0);
    let (rules_schema, rules_values) = big_form(300, 60);
    let cases: Vec<(&str, &Value, Value)> = vec![
        ("spec example, valid", &ex_schema, ex_values.clone()),
        ("300 fields, valid", &big_schema, big_values.clone()),
        ("300 fields, 5 violations", &big_schema, broken(&big_values)),
        ("300 fields + 60 rules, valid", &rules_schema, rules_values.clone()),
        ("300 fields + 60 rules, 5 violations", &rules_schema, broken(&rules_values)),
    ];
    println!("| case | violations | check_schema µs | validate_values µs, schema seen before | validate_values µs, new schema |");
    println!("|---|---:|---:|---:|---:|");
    for (name, schema, values) in &cases {
        let values = values.as_object().cloned().unwrap_or_default();
        let found = validate_values(schema, &values).len();
        let check = time(iters, || {
            black_box(check_schema(black_box(schema)));
        });
        let validate = time(iters, || {
            black_box(validate_values(black_box(schema), black_box(&values)));
        });
        // A schema not validated before: its description changes every call.
        let mut fresh = (*schema).clone();
        let mut n = 0u64;
        let cold = time(iters, || {
            n += 1;
            fresh["description"] = Value::String(n.to_string());
            black_box(validate_values(black_box(&fresh), black_box(&values)));
        });
        println!("| {name} | {found} | {check:.1} | {validate:.1} | {cold:.1} |");
    }
}
