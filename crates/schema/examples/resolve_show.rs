//! Shows how the offline resolver reads one request against one form: the values it
//! writes (with the key's meaning) and its warnings.
//!
//!     cargo run -p formsmith-schema --example resolve_show -- FORM.pdf|SCHEMA.json "request text"
//!     cargo run -p formsmith-schema --example resolve_show -- FORM.pdf --meanings
#![allow(clippy::unwrap_used, clippy::expect_used)]

use formsmith_engine::{Form, OpenOptions};
use formsmith_schema::instructions::meaning;
use formsmith_schema::{GenerateOptions, InstructionResolver, RuleResolver, generate, printed_labels};
use serde_json::Map;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(request)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: resolve_show FORM.pdf REQUEST");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).expect("read the form");
    // A JSON file is an edit schema as a caller writes it; anything else a PDF form.
    let schema: formsmith_schema::EditRootJson = if path.ends_with(".json") {
        serde_json::from_slice(&bytes).expect("an edit schema")
    } else {
        let form = Form::open(&bytes, &OpenOptions::default()).expect("open the form");
        let labels = printed_labels(&bytes, &form, None);
        generate(&form, labels.as_ref(), &GenerateOptions::default())
    };
    if request == "--meanings" {
        for (key, property) in &schema.properties {
            let m = meaning::of_property(key, property);
            println!("{key:<40} [{} {:?} {:?} {:?}] {}", m.semantic.token(), m.entity, m.qualifier, m.part, m.label);
        }
        return;
    }
    let resolution = RuleResolver::default().resolve(&schema, request, &Map::new());
    for (key, value) in &resolution.values {
        let m = meaning::of_property(key, &schema.properties[key]);
        let field = schema.properties[key].source_acroform.as_ref().map(|s| s.field_name.as_str()).unwrap_or("");
        println!("{key:<40} = {value:<28} {field} [{} {:?} {:?} {:?}]", m.semantic.token(), m.entity, m.qualifier, m.part);
    }
    for warning in &resolution.warnings {
        println!("warning: {warning}");
    }
}
