//! `check_schema` and `validate_values`, table-driven: each case is a schema, values (or
//! none for a schema check) and the exact list of (path, message substring) expected, in
//! order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use formsmith_schema::validate::{MAX_DEPTH, check_schema, validate_values};
use serde_json::{Map, Value, json};

/// The example schema of spec §5.7, verbatim.
const EXAMPLE: &str = r#"{
  "type": "object",
  "properties": {
    "first_name": { "type": ["string","null"], "extend_edit:field_type": "text",
      "extend_edit:page_index": 0, "extend_edit:bbox": {"left": 72, "top": 140, "right": 260, "bottom": 156},
      "extend_edit:value": "Jordan" },
    "ssn": { "type": ["string","null"], "extend_edit:field_type": "text",
      "extend_edit:text_edit_options": {"combing": true, "maxLength": 9, "fontSize": 10} },
    "filing_status": { "enum": ["single","married_joint","married_separate"],
      "extend_edit:field_type": "radio", "extend_edit:bboxes": [{"left":1,"top":2,"right":3,"bottom":4},{"left":5,"top":2,"right":7,"bottom":4},{"left":9,"top":2,"right":11,"bottom":4}] },
    "spouse_name": { "type": ["string","null"], "extend_edit:field_type": "text" },
    "is_veteran": { "type": ["boolean","null"], "extend_edit:field_type": "checkbox" },
    "dependents": { "type": "array", "extend_edit:field_type": "table", "maxItems": 4,
      "extend_edit:row_heights": [0.25,0.25,0.25,0.25],
      "items": { "type": "object", "properties": {
        "name": { "type": ["string","null"], "extend_edit:field_type": "text", "extend_edit:column_width": 60 },
        "age":  { "type": ["integer","null"], "extend_edit:field_type": "text", "extend_edit:column_width": 40 } } } },
    "signature": { "type": ["string","null"], "extend_edit:field_type": "signature",
      "extend_edit:image": {"image_url": "https://example.com/sig.png"} }
  },
  "if": { "properties": { "filing_status": { "const": "married_joint" } } },
  "then": { "required": ["spouse_name"] },
  "dependentRequired": { "is_veteran": ["dependents"] }
}"#;

/// Five plain fields for the conditional cases: a/b/c/d strings, n a number, i an integer,
/// list an array of strings, flag a boolean, choice an enum.
fn fields() -> Value {
    json!({
        "a": {"type": ["string", "null"], "extend_edit:field_type": "text"},
        "b": {"type": ["string", "null"], "extend_edit:field_type": "text"},
        "c": {"type": ["string", "null"], "extend_edit:field_type": "text"},
        "d": {"type": ["string", "null"], "extend_edit:field_type": "text"},
        "n": {"type": ["number", "null"], "extend_edit:field_type": "text"},
        "i": {"type": ["integer", "null"], "extend_edit:field_type": "text"},
        "flag": {"type": ["boolean", "null"], "extend_edit:field_type": "checkbox"},
        "choice": {"enum": ["x", "y", "z"], "extend_edit:field_type": "dropdown"},
        "list": {"type": "array", "extend_edit:field_type": "text"},
        "rows": {"type": "array", "extend_edit:field_type": "table",
            "items": {"type": "object", "properties": {
                "k": {"type": ["string", "null"], "extend_edit:field_type": "text"},
                "v": {"type": ["number", "null"], "extend_edit:field_type": "text"}}}}
    })
}

/// The fields above plus root-level rules (`extra` is merged into the root).
fn with_rules(extra: Value) -> Value {
    let mut root = json!({"type": "object", "properties": fields()});
    for (k, v) in extra.as_object().unwrap() {
        root[k] = v.clone();
    }
    root
}

struct Case {
    name: &'static str,
    schema: Value,
    /// `None`: a `check_schema` case; `Some`: a `validate_values` case (whose schema must
    /// itself pass `check_schema`).
    values: Option<Value>,
    expect: Vec<(&'static str, &'static str)>,
}

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

fn values_case(
    name: &'static str,
    schema: Value,
    values: Value,
    expect: &[(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        schema,
        values: Some(values),
        expect: expect.to_vec(),
    }
}

fn schema_case(name: &'static str, schema: Value, expect: &[(&'static str, &'static str)]) -> Case {
    Case {
        name,
        schema,
        values: None,
        expect: expect.to_vec(),
    }
}

/// One string field `f` with the given definition.
fn one(field: Value) -> Value {
    json!({"type": "object", "properties": {"f": field}})
}

/// `depth` nested `not` clauses around an empty clause.
fn nested_nots(depth: usize) -> Value {
    let mut clause = json!({});
    for _ in 0..depth {
        clause = json!({ "not": clause });
    }
    clause
}

fn cases() -> Vec<Case> {
    let married = json!({"first_name": "Jordan", "ssn": "123456789", "filing_status": "married_joint",
        "spouse_name": "Sam", "is_veteran": true, "dependents": [{"name": "Ada", "age": 7}, {"name": "Bo", "age": null}],
        "signature": "Jordan Doe"});
    let mut too_deep = with_rules(json!({}));
    too_deep["not"] = nested_nots(MAX_DEPTH + 5);
    // Fields sit at odd depths (1, 3, ...), rows at even ones: depth 33 is the 17th field.
    let deep_table_path: &'static str = Box::leak(
        format!(
            "/properties/f{}",
            "/items/properties/t".repeat((MAX_DEPTH - 1) / 2 + 1)
        )
        .into_boxed_str(),
    );
    let too_deep_path: &'static str =
        Box::leak(format!("/not{}", "/not".repeat(MAX_DEPTH)).into_boxed_str());

    vec![
        // ---- spec §5.7 example: every rule passing and failing ---------------------------
        values_case(
            "example: all filled, married, veteran with dependents",
            example(),
            married.clone(),
            &[],
        ),
        values_case(
            "example: single, no spouse, not a veteran",
            example(),
            json!({"filing_status": "single", "spouse_name": null, "is_veteran": false, "dependents": []}),
            &[],
        ),
        values_case(
            "example: married without spouse (if/then)",
            example(),
            json!({"filing_status": "married_joint", "spouse_name": null}),
            &[(
                "/spouse_name",
                "is required when /filing_status is \"married_joint\" (if/then)",
            )],
        ),
        values_case(
            "example: blank status makes the if hold (2020-12 semantics)",
            example(),
            json!({}),
            &[(
                "/spouse_name",
                "is required when /filing_status is blank (if/then)",
            )],
        ),
        values_case(
            "example: veteran without dependents (dependentRequired)",
            example(),
            json!({"filing_status": "single", "is_veteran": true}),
            &[(
                "/dependents",
                "is required when /is_veteran is filled in (dependentRequired)",
            )],
        ),
        values_case(
            "example: ssn longer than text_edit_options.maxLength",
            example(),
            json!({"filing_status": "single", "ssn": "1234567890AB"}),
            &[("/ssn", "has 12 characters, more than maxLength 9")],
        ),
        values_case(
            "example: status outside the enum",
            example(),
            json!({"filing_status": "widowed", "spouse_name": "x"}),
            &[(
                "/filing_status",
                "must be one of \"single\", \"married_joint\", \"married_separate\"",
            )],
        ),
        values_case(
            "example: five dependents, maxItems 4",
            example(),
            json!({"filing_status": "single", "dependents": [{}, {}, {}, {}, {"name": "E"}]}),
            &[("/dependents", "has 5 items, more than maxItems 4")],
        ),
        values_case(
            "example: row cells of the wrong type; null row is blank",
            example(),
            json!({"filing_status": "single", "dependents": [{"name": "A", "age": "seven"}, null, {"name": 3, "age": 2.5}, {"age": 4.0}]}),
            &[
                (
                    "/dependents/0/age",
                    "must be an integer (a whole number), not \"seven\"",
                ),
                ("/dependents/2/name", "must be a string, not 3"),
                (
                    "/dependents/2/age",
                    "must be an integer (a whole number), not 2.5",
                ),
            ],
        ),
        values_case(
            "example: row that is not an object, and a cell naming no column",
            example(),
            json!({"filing_status": "single", "dependents": ["Ada", {"nmae": "Bo"}]}),
            &[
                ("/dependents/0", "must be an object, not \"Ada\""),
                (
                    "/dependents/1/nmae",
                    "cannot be placed (did you mean \"name\"?)",
                ),
            ],
        ),
        values_case(
            "example: top-level types, schema order, unknown key last",
            example(),
            json!({"spouse_nam": "x", "is_veteran": "yes", "first_name": 42, "filing_status": "single", "dependents": {}, "signature": null}),
            &[
                ("/first_name", "must be a string, not 42"),
                ("/is_veteran", "must be true or false, not \"yes\""),
                ("/dependents", "must be an array, not an object"),
                (
                    "/spouse_nam",
                    "is not a property of the schema, so it cannot be placed (did you mean \"spouse_name\"?)",
                ),
            ],
        ),
        values_case(
            "unknown key with a null value is blank, not an error",
            example(),
            json!({"filing_status": "single", "nickname": null}),
            &[],
        ),
        values_case(
            "unknown key is refused even with additionalProperties true",
            with_rules(json!({"additionalProperties": true})),
            json!({"zzz": 1}),
            &[(
                "/zzz",
                "is not a property of the schema, so it cannot be placed",
            )],
        ),
        values_case(
            "number accepts integers, integer accepts whole floats",
            with_rules(json!({})),
            json!({"n": 3, "i": 4.0, "list": ["one", 2]}),
            &[],
        ),
        values_case(
            "number refuses a numeric string, integer refuses a fraction",
            with_rules(json!({})),
            json!({"n": "3", "i": 4.5, "choice": 1, "flag": 0}),
            &[
                ("/n", "must be a number, not \"3\""),
                ("/i", "must be an integer (a whole number), not 4.5"),
                ("/flag", "must be true or false, not 0"),
                ("/choice", "must be one of \"x\", \"y\", \"z\""),
            ],
        ),
        // ---- root required, additionalProperties ----------------------------------------
        values_case(
            "root required: null counts as missing",
            with_rules(json!({"required": ["a", "b", "c"]})),
            json!({"a": "x", "b": null}),
            &[("/b", "is required"), ("/c", "is required")],
        ),
        values_case(
            "root required: empty string is a value",
            with_rules(json!({"required": ["a"]})),
            json!({"a": ""}),
            &[],
        ),
        // ---- dependentRequired ------------------------------------------------------------
        values_case(
            "dependentRequired at the root: trigger blank, nothing required",
            with_rules(json!({"dependentRequired": {"a": ["b", "c"]}})),
            json!({"a": null, "d": "x"}),
            &[],
        ),
        values_case(
            "dependentRequired at the root: trigger filled",
            with_rules(json!({"dependentRequired": {"a": ["b", "c"]}})),
            json!({"a": "x", "c": "y"}),
            &[("/b", "is required when /a is filled in (dependentRequired)")],
        ),
        values_case(
            "dependentRequired inside a clause (allOf)",
            with_rules(json!({"allOf": [{"dependentRequired": {"flag": ["a"]}}]})),
            json!({"flag": false}),
            &[(
                "/a",
                "is required when /flag is filled in (dependentRequired)",
            )],
        ),
        values_case(
            "dependentRequired inside then",
            with_rules(
                json!({"if": {"properties": {"choice": {"const": "y"}}, "required": ["choice"]},
                "then": {"dependentRequired": {"a": ["b"]}}}),
            ),
            json!({"choice": "y", "a": "1"}),
            &[(
                "/b",
                "is required when /a is filled in (dependentRequired) when /choice is \"y\" (if/then)",
            )],
        ),
        // ---- if / then / else ---------------------------------------------------------------
        values_case(
            "if/then with required in the if: blank trigger does not fire",
            with_rules(
                json!({"if": {"properties": {"a": {"const": "yes"}}, "required": ["a"]},
                "then": {"required": ["b"]}}),
            ),
            json!({}),
            &[],
        ),
        values_case(
            "if/else: else applies when the if fails",
            with_rules(
                json!({"if": {"properties": {"a": {"const": "yes"}}, "required": ["a"]},
                "then": {"required": ["b"]}, "else": {"required": ["c"]}}),
            ),
            json!({"a": "no"}),
            &[("/c", "is required unless /a is \"yes\" (if/else)")],
        ),
        values_case(
            "if/then: then constrains values, not only presence",
            with_rules(
                json!({"if": {"properties": {"flag": {"const": true}}, "required": ["flag"]},
                "then": {"properties": {"n": {"minimum": 18}}, "required": ["n"]}}),
            ),
            json!({"flag": true, "n": 17}),
            &[(
                "/n",
                "is 17, less than minimum 18 when /flag is true (if/then)",
            )],
        ),
        values_case(
            "SDK-style allOf of if/then: two rules fail",
            with_rules(json!({"allOf": [
                {"if": {"properties": {"choice": {"const": "x"}}, "required": ["choice"]}, "then": {"required": ["a"]}},
                {"if": {"properties": {"choice": {"enum": ["x", "y"]}}, "required": ["choice"]}, "then": {"required": ["b"]}},
                {"if": {"properties": {"choice": {"const": "z"}}, "required": ["choice"]}, "then": {"required": ["c"]}}
            ]})),
            json!({"choice": "x"}),
            &[
                ("/a", "is required when /choice is \"x\" (if/then)"),
                (
                    "/b",
                    "is required when /choice is one of \"x\", \"y\" (if/then)",
                ),
            ],
        ),
        values_case(
            "SDK-style allOf of if/then: all satisfied",
            with_rules(json!({"allOf": [
                {"if": {"properties": {"choice": {"const": "x"}}, "required": ["choice"]}, "then": {"required": ["a"]}},
                {"if": {"properties": {"choice": {"const": "z"}}, "required": ["choice"]}, "then": {"required": ["c"]}}
            ]})),
            json!({"choice": "x", "a": "ok"}),
            &[],
        ),
        values_case(
            "nested clauses: if inside then",
            with_rules(json!({
                "if": {"required": ["a"]},
                "then": {"if": {"properties": {"b": {"const": "deep"}}, "required": ["b"]}, "then": {"required": ["c"]}}})),
            json!({"a": "1", "b": "deep"}),
            &[(
                "/c",
                "is required when /b is \"deep\" (if/then) when /a is filled in (if/then)",
            )],
        ),
        values_case(
            "identical rules report once",
            with_rules(
                json!({"required": ["a"], "allOf": [{"required": ["a"]}, {"required": ["a"]}]}),
            ),
            json!({}),
            &[("/a", "is required")],
        ),
        // ---- anyOf / oneOf / not --------------------------------------------------------------
        values_case(
            "anyOf: none matches",
            with_rules(json!({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]})),
            json!({"c": "x"}),
            &[(
                "",
                "matches none of the 2 anyOf alternatives; at least one must match: 1) /a: is required; 2) /b: is required",
            )],
        ),
        values_case(
            "anyOf: one matches",
            with_rules(json!({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]})),
            json!({"b": "x"}),
            &[],
        ),
        values_case(
            "oneOf: two match",
            with_rules(
                json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}, {"required": ["c"]}]}),
            ),
            json!({"a": "x", "c": "z"}),
            &[(
                "",
                "matches 2 of the 3 oneOf alternatives (1, 3); exactly one must match",
            )],
        ),
        values_case(
            "oneOf: none matches",
            with_rules(
                json!({"oneOf": [{"properties": {"n": {"maximum": 1}}, "required": ["n"]}, {"required": ["b"]}]}),
            ),
            json!({"n": 5}),
            &[(
                "",
                "matches none of the 2 oneOf alternatives; exactly one must match: 1) /n: is 5, more than maximum 1; 2) /b: is required",
            )],
        ),
        values_case(
            "oneOf: exactly one",
            with_rules(json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]})),
            json!({"a": "x"}),
            &[],
        ),
        values_case(
            "not: the forbidden combination",
            with_rules(json!({"not": {"required": ["a", "b"]}})),
            json!({"a": "x", "b": "y"}),
            &[(
                "",
                "matches the \"not\" clause (/a is filled in and /b is filled in), which must not hold",
            )],
        ),
        values_case(
            "not: allowed",
            with_rules(json!({"not": {"required": ["a", "b"]}})),
            json!({"a": "x"}),
            &[],
        ),
        // ---- condition keywords -------------------------------------------------------------
        values_case(
            "pattern in a clause: fails and passes",
            with_rules(
                json!({"allOf": [{"properties": {"a": {"pattern": "^\\d{3}-\\d{2}$"}, "b": {"pattern": "^[A-Z]"}}}]}),
            ),
            json!({"a": "12-345", "b": "Bob"}),
            &[("/a", "must match the pattern ^\\d{3}-\\d{2}$")],
        ),
        values_case(
            "pattern is a search, not anchored; non-strings are ignored",
            with_rules(
                json!({"allOf": [{"properties": {"a": {"pattern": "b+"}, "n": {"pattern": "^x$"}}}]}),
            ),
            json!({"a": "abbc", "n": 4}),
            &[],
        ),
        values_case(
            "pattern on a field is enforced too",
            one(
                json!({"type": ["string", "null"], "extend_edit:field_type": "text", "pattern": "^[0-9]{5}$"}),
            ),
            json!({"f": "1234"}),
            &[("/f", "must match the pattern ^[0-9]{5}$")],
        ),
        values_case(
            "number bounds: minimum, maximum, exclusive",
            with_rules(json!({"allOf": [{"properties": {
                "n": {"exclusiveMinimum": 0, "maximum": 100},
                "i": {"minimum": 1, "exclusiveMaximum": 10}}}]})),
            json!({"n": 0, "i": 10}),
            &[
                ("/n", "is 0, not more than exclusiveMinimum 0"),
                ("/i", "is 10, not less than exclusiveMaximum 10"),
            ],
        ),
        values_case(
            "number bounds: edges inclusive pass",
            with_rules(json!({"allOf": [{"properties": {
                "n": {"minimum": 0.5, "maximum": 100},
                "i": {"exclusiveMinimum": 1, "exclusiveMaximum": 10}}}]})),
            json!({"n": 100.0, "i": 9}),
            &[],
        ),
        values_case(
            "number bounds: maximum and minimum fail",
            with_rules(
                json!({"allOf": [{"properties": {"n": {"maximum": 100}, "i": {"minimum": -3}}}]}),
            ),
            json!({"n": 100.5, "i": -4}),
            &[
                ("/n", "is 100.5, more than maximum 100"),
                ("/i", "is -4, less than minimum -3"),
            ],
        ),
        values_case(
            "minLength/maxLength count characters, not bytes",
            with_rules(
                json!({"allOf": [{"properties": {"a": {"minLength": 5}, "b": {"maxLength": 3}, "c": {"maxLength": 5, "minLength": 5}}}]}),
            ),
            json!({"a": "ab", "b": "naïve", "c": "héllo"}),
            &[
                ("/a", "has 2 characters, fewer than minLength 5"),
                ("/b", "has 5 characters, more than maxLength 3"),
            ],
        ),
        values_case(
            "type in a condition: simple and nullable tuple",
            with_rules(
                json!({"allOf": [{"properties": {"list": {"type": "array"}, "n": {"type": ["integer", "null"]}, "a": {"type": "null"}}}]}),
            ),
            json!({"list": [], "n": 1.5, "a": "x"}),
            &[
                ("/n", "must be an integer (a whole number), not 1.5"),
                ("/a", "must be blank (null), not \"x\""),
            ],
        ),
        values_case(
            "enum and const in conditions compare numbers by value",
            with_rules(
                json!({"allOf": [{"properties": {"n": {"enum": [1, 2, 3.5]}, "i": {"const": 2}, "a": {"enum": ["p", "q"]}}}]}),
            ),
            json!({"n": 1.0, "i": 2.0, "a": "r"}),
            &[("/a", "must be one of \"p\", \"q\"")],
        ),
        values_case(
            "const mismatch",
            with_rules(json!({"allOf": [{"properties": {"flag": {"const": true}}}]})),
            json!({"flag": false}),
            &[("/flag", "must be true")],
        ),
        values_case(
            "arrays: minItems, maxItems, contains",
            with_rules(
                json!({"allOf": [{"properties": {"list": {"minItems": 3, "maxItems": 5, "contains": {"const": "urgent"}}}}]}),
            ),
            json!({"list": ["a", "b"]}),
            &[
                ("/list", "has 2 items, fewer than minItems 3"),
                ("/list", "has no item that is \"urgent\" (contains)"),
            ],
        ),
        values_case(
            "arrays: minContains and maxContains",
            with_rules(json!({"allOf": [
                {"properties": {"list": {"contains": {"pattern": "^x"}, "minContains": 2}}},
                {"properties": {"rows": {"contains": {"properties": {"v": {"minimum": 10}}, "required": ["v"]}, "maxContains": 1}}}
            ]})),
            json!({"list": ["x1", "y"], "rows": [{"v": 10}, {"v": 11}, {"v": 1}]}),
            &[
                (
                    "/list",
                    "has 1 matching item, fewer than minContains 2 (contains: matches the pattern ^x)",
                ),
                (
                    "/rows",
                    "has 2 matching items, more than maxContains 1 (contains: matches its nested conditions)",
                ),
            ],
        ),
        values_case(
            "arrays: contains satisfied",
            with_rules(
                json!({"allOf": [{"properties": {"list": {"contains": {"const": "b"}, "maxItems": 2}}}]}),
            ),
            json!({"list": ["a", "b"]}),
            &[],
        ),
        values_case(
            "items in a condition: row properties, required, additionalProperties",
            with_rules(
                json!({"allOf": [{"properties": {"rows": {"items": {"type": "object",
                "properties": {"k": {"type": "string"}, "v": {"minimum": 0}}, "required": ["k"], "additionalProperties": false}}}}]}),
            ),
            json!({"rows": [{"k": "a", "v": 1}, {"v": -1}, null, {"k": "b", "extra": "z"}]}),
            &[
                (
                    "/rows/3/extra",
                    "is not a property of this row or object, so it cannot be placed",
                ),
                ("/rows/1/v", "is -1, less than minimum 0"),
                ("/rows/1/k", "is required"),
                (
                    "/rows/3/extra",
                    "is not allowed (additionalProperties is false)",
                ),
            ],
        ),
        values_case(
            "nested properties and additionalProperties in a condition on an object field",
            json!({"type": "object", "properties": {
                "sig": {"type": "object", "extend_edit:field_type": "signature", "properties": {
                    "name": {"type": ["string", "null"], "extend_edit:field_type": "text"},
                    "date": {"type": ["string", "null"], "extend_edit:field_type": "text"}}}},
                "allOf": [{"properties": {"sig": {"properties": {"date": {"pattern": "^\\d{4}-"}}, "required": ["name"]}}}]}),
            json!({"sig": {"date": "May 1", "nmae": "x"}}),
            &[
                (
                    "/sig/nmae",
                    "is not a property of this row or object, so it cannot be placed (did you mean \"name\"?)",
                ),
                ("/sig/date", "must match the pattern ^\\d{4}-"),
                ("/sig/name", "is required"),
            ],
        ),
        values_case(
            "every JSON Schema keyword of a field holds (multipleOf, uniqueItems)",
            json!({"type": "object", "properties": {
                "n": {"type": ["number", "null"], "extend_edit:field_type": "text", "multipleOf": 5},
                "tags": {"type": "array", "extend_edit:field_type": "table", "uniqueItems": true,
                    "items": {"type": "object", "properties": {"t": {"type": ["string", "null"], "extend_edit:field_type": "text"}}}}}}),
            json!({"n": 7, "tags": [{"t": "a"}, {"t": "a"}]}),
            &[("/n", "is not a multiple of 5"), ("/tags", "non-unique")],
        ),
        values_case(
            "text_edit_options.maxLength and a field maxLength saying the same report once",
            one(
                json!({"type": ["string", "null"], "extend_edit:field_type": "text", "maxLength": 3,
                "extend_edit:text_edit_options": {"maxLength": 3}}),
            ),
            json!({"f": "abcd"}),
            &[("/f", "has 4 characters, more than maxLength 3")],
        ),
        values_case(
            "pointer escaping of keys with / and ~",
            json!({"type": "object", "properties": {"a/b~c": {"type": ["integer", "null"], "extend_edit:field_type": "text"}}}),
            json!({"a/b~c": "x"}),
            &[("/a~1b~0c", "must be an integer")],
        ),
        // ---- check_schema ----------------------------------------------------------------------
        schema_case("schema: the spec example is valid", example(), &[]),
        schema_case(
            "schema: the rules fixture is valid",
            with_rules(json!({})),
            &[],
        ),
        schema_case(
            "schema: not an object / wrong root type / no properties",
            json!({"type": "array"}),
            &[
                ("/type", "must be \"object\""),
                ("/properties", "is missing"),
            ],
        ),
        schema_case(
            "schema: a string is no schema",
            json!("x"),
            &[("", "must be a JSON object")],
        ),
        schema_case(
            "schema: bare primitive types",
            json!({"type": "object", "properties": {
                "s": {"type": "string", "extend_edit:field_type": "text"},
                "b": {"type": "boolean"},
                "z": {"type": ["date", "null"]},
                "t": {"type": ["array", "null"]},
                "none": {"description": "what am I"}}}),
            &[
                (
                    "/properties/s/type",
                    "bare \"string\" is not accepted: primitive types are nullable, use [\"string\", \"null\"]",
                ),
                ("/properties/b/type", "use [\"boolean\", \"null\"]"),
                ("/properties/z/type", "is not a field type"),
                ("/properties/t/type", "array fields are written \"array\""),
                ("/properties/none", "has neither \"type\" nor \"enum\""),
            ],
        ),
        schema_case(
            "schema: wrong type/field_type pairs",
            json!({"type": "object", "properties": {
                "s": {"type": ["string", "null"], "extend_edit:field_type": "checkbox"},
                "n": {"type": ["number", "null"], "extend_edit:field_type": "signature"},
                "b": {"type": ["boolean", "null"], "extend_edit:field_type": "text"},
                "arr": {"type": "array", "extend_edit:field_type": "radio"},
                "o": {"type": "object", "extend_edit:field_type": "table"},
                "e": {"enum": ["a"], "extend_edit:field_type": "text"},
                "u": {"type": ["integer", "null"], "extend_edit:field_type": "unknown"},
                "bad": {"type": ["string", "null"], "extend_edit:field_type": "textbox"}}}),
            &[
                (
                    "/properties/s/extend_edit:field_type",
                    "\"checkbox\" does not go with type [\"string\", \"null\"]; allowed: \"text\", \"signature\"",
                ),
                ("/properties/n/extend_edit:field_type", "allowed: \"text\""),
                (
                    "/properties/b/extend_edit:field_type",
                    "allowed: \"checkbox\", \"radio\"",
                ),
                (
                    "/properties/arr/extend_edit:field_type",
                    "allowed: \"text\", \"table\"",
                ),
                (
                    "/properties/o/extend_edit:field_type",
                    "allowed: \"signature\"",
                ),
                (
                    "/properties/e/extend_edit:field_type",
                    "does not go with an enum field (no type); allowed: \"radio\", \"optionList\", \"dropdown\"",
                ),
                (
                    "/properties/bad/extend_edit:field_type",
                    "must be one of \"text\", \"checkbox\"",
                ),
            ],
        ),
        schema_case(
            "schema: enums: empty, non-string, repeated, with a type",
            json!({"type": "object", "properties": {
                "e1": {"enum": [], "extend_edit:field_type": "radio"},
                "e2": {"enum": ["a", 1, "a"], "extend_edit:field_type": "dropdown"},
                "e3": {"type": ["string", "null"], "enum": ["a"], "extend_edit:field_type": "optionList"}}}),
            &[
                ("/properties/e1/enum", "must list at least one option"),
                ("/properties/e2/enum/1", "must be a string, not 1"),
                ("/properties/e2/enum/2", "repeats the option \"a\""),
                ("/properties/e3/type", "an enum field takes no \"type\""),
            ],
        ),
        schema_case(
            "schema: extend_edit keys inside conditions, at any depth",
            with_rules(json!({
                "if": {"properties": {"a": {"const": "x", "extend_edit:bbox": {"left": 0, "top": 0, "right": 1, "bottom": 1}}}},
                "then": {"required": ["b"], "extend_edit:page_index": 0},
                "allOf": [{"anyOf": [{"properties": {"rows": {"items": {"properties": {"k": {"extend_edit:field_type": "text"}}}}}}]}]})),
            &[
                (
                    "/if/properties/a/extend_edit:bbox",
                    "extend_edit keywords are not allowed inside conditions",
                ),
                (
                    "/then/extend_edit:page_index",
                    "extend_edit keywords are not allowed inside conditions",
                ),
                (
                    "/allOf/0/anyOf/0/properties/rows/items/properties/k/extend_edit:field_type",
                    "not allowed inside conditions",
                ),
            ],
        ),
        schema_case(
            "schema: bboxes length differs from enum",
            one(
                json!({"enum": ["a", "b", "c"], "extend_edit:field_type": "radio",
                "extend_edit:bboxes": [{"left": 1, "top": 1, "right": 2, "bottom": 2}, {"left": 3, "top": 1, "right": 4, "bottom": 2}]}),
            ),
            &[(
                "/properties/f/extend_edit:bboxes",
                "has 2 boxes but enum has 3 values",
            )],
        ),
        schema_case(
            "schema: bad bboxes",
            json!({"type": "object", "properties": {
                "f": {"type": ["string", "null"], "extend_edit:field_type": "text",
                    "extend_edit:bbox": {"left": 10, "top": 5, "right": 10, "bottom": 4}},
                "g": {"type": ["string", "null"], "extend_edit:field_type": "text",
                    "extend_edit:bbox": {"left": -1, "top": "5", "right": 10}},
                "h": {"enum": ["a"], "extend_edit:field_type": "radio", "extend_edit:bboxes": [[1, 2, 3, 4]]}}}),
            &[
                (
                    "/properties/f/extend_edit:bbox",
                    "left (10) must be less than right (10)",
                ),
                (
                    "/properties/f/extend_edit:bbox",
                    "top (5) must be less than bottom (4)",
                ),
                (
                    "/properties/g/extend_edit:bbox/left",
                    "is -1; box edges are never negative",
                ),
                (
                    "/properties/g/extend_edit:bbox/top",
                    "must be a number, not \"5\"",
                ),
                ("/properties/g/extend_edit:bbox/bottom", "is missing"),
                (
                    "/properties/h/extend_edit:bboxes/0",
                    "must be an object {left, top, right, bottom}",
                ),
            ],
        ),
        schema_case(
            "schema: too deep",
            too_deep,
            &[(too_deep_path, "nests deeper than 32 levels")],
        ),
        schema_case(
            "schema: too deep through table rows",
            {
                let mut field =
                    json!({"type": ["string", "null"], "extend_edit:field_type": "text"});
                for _ in 0..20 {
                    field = json!({"type": "array", "extend_edit:field_type": "table",
                        "items": {"type": "object", "properties": {"t": field}}});
                }
                one(field)
            },
            &[(deep_table_path, "nests deeper than 32 levels")],
        ),
        schema_case(
            "schema: page_index, text options, image, row heights, column width",
            json!({"type": "object", "properties": {
                "f": {"type": ["string", "null"], "extend_edit:field_type": "text", "extend_edit:page_index": -1,
                    "extend_edit:text_edit_options": {"fontSize": 0, "color": [300, 0, 0], "fontColor": [0, 0], "opacity": 2,
                        "font": 3, "combing": "yes", "maxLength": 0, "multiLine": true, "letterSpacing": 1}},
                "g": {"type": ["string", "null"], "extend_edit:field_type": "signature", "extend_edit:page_index": 1.5,
                    "extend_edit:image": {"url": "x"}},
                "t": {"type": "array", "extend_edit:field_type": "table", "extend_edit:row_heights": [0.5, 0, "x"],
                    "items": {"type": "object", "properties": {
                        "c": {"type": ["string", "null"], "extend_edit:field_type": "text", "extend_edit:column_width": 150}}}}}}),
            &[
                (
                    "/properties/f/extend_edit:page_index",
                    "must be a non-negative integer (zero-based page index), not -1",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/fontSize",
                    "must be a positive number",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/color",
                    "must be three integers 0-255",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/fontColor",
                    "must be three integers 0-255",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/opacity",
                    "must be a number from 0 to 1",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/font",
                    "must be a string",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/combing",
                    "must be true or false",
                ),
                (
                    "/properties/f/extend_edit:text_edit_options/maxLength",
                    "must be a positive integer",
                ),
                ("/properties/g/extend_edit:page_index", "not 1.5"),
                ("/properties/g/extend_edit:image", "needs \"image_url\""),
                (
                    "/properties/t/extend_edit:row_heights/1",
                    "must be a positive number, not 0",
                ),
                (
                    "/properties/t/extend_edit:row_heights/2",
                    "must be a positive number, not \"x\"",
                ),
                (
                    "/properties/t/items/properties/c/extend_edit:column_width",
                    "at most 100, not 150",
                ),
            ],
        ),
        schema_case(
            "schema: items and tables",
            json!({"type": "object", "properties": {
                "t1": {"type": "array", "extend_edit:field_type": "table"},
                "t2": {"type": "array", "extend_edit:field_type": "table", "items": {"type": "array", "properties": {}}},
                "t3": {"type": "array", "extend_edit:field_type": "table", "maxItems": -2,
                    "items": {"type": "object", "required": ["x"]}},
                "t4": {"type": "array", "extend_edit:field_type": "table", "items": "row"},
                "t5": {"type": "array", "extend_edit:field_type": "table",
                    "items": {"properties": {"c": {"type": "integer"}}, "required": ["c", "d"]}}}}),
            &[
                (
                    "/properties/t1/items",
                    "is missing: a table needs \"items\"",
                ),
                ("/properties/t2/items/type", "must be \"object\""),
                (
                    "/properties/t3/maxItems",
                    "must be a non-negative integer, not -2",
                ),
                ("/properties/t3/items", "has no \"properties\""),
                ("/properties/t4/items", "must be an object"),
                (
                    "/properties/t5/items/properties/c/type",
                    "use [\"integer\", \"null\"]",
                ),
                (
                    "/properties/t5/items/required/1",
                    "\"d\" is not a column of this table",
                ),
            ],
        ),
        schema_case(
            "schema: required, dependentRequired and clause properties name real properties",
            with_rules(json!({"required": ["a", "bee"],
                "dependentRequired": {"flg": ["a"], "flag": ["zzz"]},
                "if": {"properties": {"chioce": {"const": "x"}}, "required": ["qqq"]},
                "then": {"required": ["a"]}})),
            &[
                ("/required/1", "\"bee\" is not a property of the schema"),
                (
                    "/dependentRequired/flg",
                    "\"flg\" is not a top-level property (did you mean \"flag\"?)",
                ),
                (
                    "/dependentRequired/flag/0",
                    "\"zzz\" is not a top-level property",
                ),
                (
                    "/if/properties/chioce",
                    "is not a top-level property (conditions name the schema's properties) (did you mean \"choice\"?)",
                ),
                ("/if/required/0", "\"qqq\" is not a top-level property"),
            ],
        ),
        schema_case(
            "schema: invalid pattern, bad condition keywords, unsupported clause keys",
            with_rules(json!({"allOf": [
                {"properties": {"a": {"pattern": "(unclosed", "minLength": -1, "maximum": "10", "format": "email"}}},
                {"const": 1},
                {"properties": {"b": {"pattern": "(?=lookahead)"}}}
            ], "oneOf": []})),
            &[
                (
                    "/allOf/0/properties/a/pattern",
                    "is not a valid regular expression: unclosed group",
                ),
                (
                    "/allOf/0/properties/a/minLength",
                    "must be a non-negative integer",
                ),
                ("/allOf/0/properties/a/maximum", "must be a number"),
                (
                    "/allOf/0/properties/a/format",
                    "\"format\" is not a supported condition keyword",
                ),
                (
                    "/allOf/1/const",
                    "\"const\" is not supported in a conditional clause",
                ),
                (
                    "/allOf/2/properties/b/pattern",
                    "is not a valid regular expression",
                ),
                ("/oneOf", "must list at least one clause"),
            ],
        ),
        schema_case(
            "schema: conditional keywords on a field, then without if, unknown extend key",
            json!({"type": "object", "properties": {
                "f": {"type": ["string", "null"], "extend_edit:field_type": "text",
                    "if": {"required": ["f"]}, "extend_edit:pageindex": 0, "x-custom": {"anything": true}}},
                "then": {"required": ["f"]}}),
            &[
                (
                    "/properties/f/if",
                    "conditional keywords are only allowed at the root",
                ),
                (
                    "/properties/f/extend_edit:pageindex",
                    "is not an extend_edit keyword (did you mean \"extend_edit:page_index\"?)",
                ),
                (
                    "/then",
                    "\"then\" without \"if\" beside it is never applied",
                ),
            ],
        ),
        schema_case(
            "schema: source_acroform",
            json!({"type": "object", "properties": {
                "ok": {"type": ["string", "null"], "extend_edit:field_type": "text",
                    "extend_edit:source_acroform": {"fieldName": "f1_01[0]", "fieldType": "text"}},
                "bad": {"enum": ["a"], "extend_edit:field_type": "radio",
                    "extend_edit:source_acroform": {"fieldType": 3,
                        "optionMap": [{"schemaValue": "a", "exportValue": "1"}]}}}}),
            &[
                (
                    "/properties/bad/extend_edit:source_acroform",
                    "needs \"fieldName\"",
                ),
                (
                    "/properties/bad/extend_edit:source_acroform/fieldType",
                    "must be a string",
                ),
                (
                    "/properties/bad/extend_edit:source_acroform/optionMap/0",
                    "needs \"displayValue\"",
                ),
            ],
        ),
        schema_case(
            "schema: field-level constraints and annotations are fine",
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "W-9", "type": "object",
                "properties": {"zip": {"type": ["string", "null"], "extend_edit:field_type": "text",
                    "description": "ZIP", "pattern": "^\\d{5}$", "minLength": 5, "format": "postal",
                    "extend:descriptions": ["ignored without enum"]}},
                "allOf": [{"description": "zip needs digits", "properties": {"zip": {"type": ["string", "null"], "description": "d"}}}]}),
            &[],
        ),
    ]
}

#[test]
fn table() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = match &case.values {
            None => check_schema(&case.schema),
            Some(values) => {
                let schema_problems = check_schema(&case.schema);
                if !schema_problems.is_empty() {
                    failures.push(format!(
                        "{}: the schema itself fails check_schema: {schema_problems:?}",
                        case.name
                    ));
                    continue;
                }
                let values: &Map<String, Value> = values.as_object().unwrap();
                validate_values(&case.schema, values)
            }
        };
        let matches = got.len() == case.expect.len()
            && got
                .iter()
                .zip(&case.expect)
                .all(|(v, (path, text))| v.path == *path && v.message.contains(text));
        if !matches {
            let got: Vec<String> = got
                .iter()
                .map(|v| format!("  {:?} {:?}", v.path, v.message))
                .collect();
            let want: Vec<String> = case
                .expect
                .iter()
                .map(|(p, m)| format!("  {p:?} ~ {m:?}"))
                .collect();
            failures.push(format!(
                "{}:\n got:\n{}\n want:\n{}",
                case.name,
                got.join("\n"),
                want.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// A schema nobody checked (deep, malformed) never panics `validate_values` and says it
/// stopped.
#[test]
fn unchecked_schemas_do_not_panic() {
    let mut schema = with_rules(json!({}));
    schema["allOf"] = json!([nested_nots(500)]);
    let values = json!({"a": "x"});
    let got = validate_values(&schema, values.as_object().unwrap());
    assert!(
        got.iter()
            .any(|v| v.path.is_empty() && v.message.contains("deeper than 32")),
        "{got:?}"
    );

    for schema in [
        json!(null),
        json!({"properties": 3, "required": "a", "if": [], "then": 1, "allOf": {}, "anyOf": [1, "x"], "not": true}),
        json!({"properties": {"a": {"type": 5, "enum": "x", "pattern": "(", "minLength": -1, "items": 3,
            "extend_edit:text_edit_options": {"maxLength": "9"}}}, "dependentRequired": {"a": "b"}}),
    ] {
        let values = json!({"a": ["x", {"y": null}], "b": null});
        let _ = validate_values(&schema, values.as_object().unwrap());
        let _ = check_schema(&schema);
    }
}

/// Violations serialize as `{path, message}` and display as "path: message".
#[test]
fn violation_shape() {
    let schema = example();
    let got = validate_values(
        &schema,
        json!({"filing_status": 1, "spouse_name": "x"})
            .as_object()
            .unwrap(),
    );
    assert_eq!(got.len(), 1);
    assert_eq!(
        serde_json::to_value(&got[0]).unwrap(),
        json!({"path": "/filing_status", "message": "must be one of \"single\", \"married_joint\", \"married_separate\""})
    );
    let anyof = with_rules(json!({"anyOf": [{"required": ["a"]}]}));
    let got = validate_values(&anyof, &Map::new());
    assert!(
        got[0].to_string().starts_with("/: matches none"),
        "{}",
        got[0]
    );
}

/// Validators are kept per schema: the same schema gives the same findings, and a schema
/// that differs in one bound is not mistaken for it.
#[test]
fn a_changed_schema_is_not_taken_for_one_seen_before() {
    let values = json!({"f": "abcdef"});
    let values = values.as_object().unwrap();
    let short = one(json!({"type": ["string", "null"], "extend_edit:field_type": "text", "maxLength": 3}));
    let long = one(json!({"type": ["string", "null"], "extend_edit:field_type": "text", "maxLength": 30}));
    for _ in 0..2 {
        let got = validate_values(&short, values);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].message.contains("more than maxLength 3"), "{got:?}");
        assert!(validate_values(&long, values).is_empty());
    }
    // The same shape with a number where a string was: not the same schema.
    let number = one(json!({"type": ["string", "null"], "extend_edit:field_type": "text", "const": 5}));
    let text = one(json!({"type": ["string", "null"], "extend_edit:field_type": "text", "const": "5"}));
    let five = json!({"f": "5"});
    assert_eq!(validate_values(&number, five.as_object().unwrap()).len(), 1);
    assert!(validate_values(&text, five.as_object().unwrap()).is_empty());
}
