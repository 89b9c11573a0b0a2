//! Arbitrary UTF-8 instructions against a fixed schema (generated from the corpus's
//! irs-fw9-2024.pdf, fuzz/fixtures/fw9-schema.json) with the offline RuleResolver.
#![no_main]

use std::sync::LazyLock;

use formsmith_schema::{EditRootJson, InstructionResolver, RuleResolver};
use libfuzzer_sys::fuzz_target;
use serde_json::Map;

static SCHEMA: LazyLock<EditRootJson> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../fixtures/fw9-schema.json")).expect("fixture schema")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let resolution = RuleResolver::default().resolve(&SCHEMA, text, &Map::new());
    // Every value placed is for a property of the schema.
    for key in resolution.values.keys() {
        assert!(SCHEMA.properties.contains_key(key), "value for unknown key {key:?}");
    }
});
