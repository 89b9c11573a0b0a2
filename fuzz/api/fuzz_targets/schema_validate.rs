//! Arbitrary JSON as an edit schema -> check_schema; then values -> validate_values.
//! Input: schema JSON, optionally a NUL byte and values JSON (a NUL never occurs in JSON
//! text). Without values, the schema document itself is validated as values too.
#![no_main]

use formsmith_schema::validate::{check_schema, validate_values};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let (schema_bytes, values_bytes) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(schema) = serde_json::from_slice::<Value>(schema_bytes) else {
        return;
    };
    let problems = check_schema(&schema);
    let values: Map<String, Value> = match values_bytes {
        Some(b) => match serde_json::from_slice::<Value>(b) {
            Ok(Value::Object(m)) => m,
            _ => return,
        },
        None => match &schema {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        },
    };
    // Values are only validated against schemas that pass (what the API does), but the
    // validator must not panic on any schema either.
    let _ = validate_values(&schema, &values);
    if problems.is_empty() {
        // A schema that passes deserialises as the typed model the edit path uses.
        let _ = serde_json::from_value::<formsmith_schema::EditRootJson>(schema);
    }
});
