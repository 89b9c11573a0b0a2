//! Checking an edit schema (`EditRootJson`, spec §5) and validating values against it.
//!
//! Both entry points work on plain [`serde_json::Value`]s, so they run on whatever a caller
//! sent, before anything is deserialized into typed structs:
//!
//! - [`check_schema`]: the structural rules whose breach makes a schema unusable (a `type`
//!   outside the §5.3 matrix or paired with the wrong `extend_edit:field_type`, bad boxes,
//!   `extend_edit:*` keys inside conditions, patterns that do not compile, ...). Every finding
//!   is a pointer into the schema; together they become an `INVALID_OPTIONS` failure.
//! - [`validate_values`]: the values of the fields against the schema: types, enums, lengths,
//!   table rows, `required`, and the root conditional keywords (`if`/`then`/`else`,
//!   `dependentRequired`, `allOf`, `anyOf`, `oneOf`, `not`) with JSON Schema 2020-12 semantics.
//!   Every finding is a pointer into the values; together they become a
//!   `SCHEMA_VALIDATION_ERROR`.
//!
//! # Semantics
//!
//! - **Blank values.** A JSON `null` and an absent key mean the same thing, "left blank", for
//!   object members at every level (top-level values, table cells, nested objects). Values
//!   are validated with those nulls removed: `required` needs a non-null value, a null is
//!   never type-checked, and a null whose key names no property is ignored like an absent
//!   key. A `null` array item (a table row) is a blank row: it counts for `minItems` and
//!   `maxItems` and `contains` sees it, but no `items` schema applies to it. An empty string
//!   `""` is a value, as in JSON Schema: use `minLength` to require text.
//! - **Keys that name no property.** A non-null value whose key is not in `properties` (at
//!   the root, in a table row, in an object field) is always a violation, whatever
//!   `additionalProperties` says: it names no field, so it cannot be placed. The message
//!   suggests the closest property name.
//! - **Conditions** follow JSON Schema 2020-12 to the letter, including its best-known
//!   surprise: `"if": {"properties": {"x": {"const": "a"}}}` also holds when `x` is blank
//!   (add `"required": ["x"]` to the `if` to avoid it). Messages say which case applied
//!   ("is required when /x is blank (if/then)").
//! - **Field-level JSON Schema keywords** (`const`, `pattern`, `minimum`, `maxLength`,
//!   `minItems`, `contains`, ...) are enforced on fields too, not only inside conditions: the
//!   edit schema is a JSON Schema, and a caller who writes `pattern` on a field expects it to
//!   hold. Other unknown non-`extend_edit` keys on a field are tolerated, as in the SDK.
//! - **Conditional clauses are strict**: a key that is not a clause keyword (or an annotation
//!   such as `description`) is reported rather than silently ignored, since ignoring a rule
//!   would let values through that the caller meant to refuse.
//! - **Order and duplicates.** Violations come in schema order (the crate keeps JSON object
//!   order), each (path, message) pair once.
//! - [`validate_values`] assumes [`check_schema`] found nothing; on an unchecked schema it
//!   ignores malformed parts and never panics. Nesting is bounded by [`MAX_DEPTH`] in both.

// Keyword dispatch is `match key { "x" => if bad { report } }`: a match guard instead would
// let a well-formed keyword fall through to the catch-all arms ("unknown keyword").
#![allow(
    clippy::collapsible_match,
    reason = "a failing guard would fall through to the unknown-keyword arms"
)]

use std::collections::{HashMap, HashSet};

use regex::Regex;
use serde_json::{Map, Value};

use crate::Violation;

/// How deeply schema nodes (fields, rows, clauses, conditions) may nest. Deeper schemas are
/// reported by [`check_schema`] instead of being walked.
pub const MAX_DEPTH: usize = 32;

/// Compiled size limit for a `pattern` (bytes of program and of lazy DFA cache).
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Recursion bound for value comparisons and null stripping (serde_json parses at most 128).
const VALUE_DEPTH: usize = 128;

/// Longest description of a condition quoted in a message.
const DESCRIPTION_CHARS: usize = 300;

const FIELD_TYPE: &str = "extend_edit:field_type";
const TEXT_OPTIONS: &str = "extend_edit:text_edit_options";

/// `extend_edit:field_type` values (SDK `EditJsonExtendEditFieldType`).
const FIELD_TYPES: [&str; 8] = [
    "text",
    "checkbox",
    "radio",
    "dropdown",
    "optionList",
    "signature",
    "table",
    "unknown",
];

/// Every `extend_edit:*` key of a field (SDK `EditJson`).
const EXTEND_KEYS: [&str; 10] = [
    "extend_edit:field_type",
    "extend_edit:value",
    "extend_edit:bbox",
    "extend_edit:bboxes",
    "extend_edit:page_index",
    "extend_edit:text_edit_options",
    "extend_edit:image",
    "extend_edit:column_width",
    "extend_edit:row_heights",
    "extend_edit:source_acroform",
];

/// Keywords that belong to the root and to clauses only.
const CONDITIONAL_KEYWORDS: [&str; 8] = [
    "dependentRequired",
    "if",
    "then",
    "else",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
];

/// Keys without effect that may appear anywhere.
const ANNOTATIONS: [&str; 5] = ["description", "title", "$comment", "examples", "default"];

const CLAUSE_KEYWORDS: &str =
    "properties, required, dependentRequired, if, then, else, allOf, anyOf, oneOf, not";

const CONDITION_KEYWORDS: &str = "type, enum, const, pattern, minimum, maximum, \
    exclusiveMinimum, exclusiveMaximum, minLength, maxLength, items, properties, required, \
    additionalProperties, contains, minItems, maxItems, minContains, maxContains";

const EDIT_TYPES: &str = "[\"string\", \"null\"], [\"number\", \"null\"], \
    [\"integer\", \"null\"], [\"boolean\", \"null\"], \"array\" or \"object\"";

// ---------------------------------------------------------------------------------------
// check_schema
// ---------------------------------------------------------------------------------------

/// Structural check of a caller's schema: everything that makes it unusable, as pointers
/// into the schema (`/properties/ssn/extend_edit:field_type`, `/if/properties/x`). Empty
/// means fine. An empty `properties` object is not reported here (that is `EMPTY_SCHEMA`).
pub fn check_schema(schema: &Value) -> Vec<Violation> {
    let Some(root) = schema.as_object() else {
        return vec![violation(
            "",
            format!("the schema must be a JSON object, not {}", shown(schema)),
        )];
    };
    let top = root.get("properties").and_then(Value::as_object);
    let mut c = Checker {
        top,
        out: Vec::new(),
        too_deep: false,
    };
    if let Some(t) = root.get("type")
        && t.as_str() != Some("object")
    {
        c.push("/type", format!("must be \"object\", not {}", short(t)));
    }
    match root.get("properties") {
        None => c.push(
            "/properties",
            "is missing: the schema needs \"properties\", one entry per field",
        ),
        Some(p) if !p.is_object() => c.push(
            "/properties",
            "must be an object mapping field names to field definitions",
        ),
        Some(_) => {}
    }
    for (k, v) in root {
        let p = child("", k);
        match k.as_str() {
            "type" => {}
            "properties" => {
                if let Some(fields) = v.as_object() {
                    for (name, field) in fields {
                        c.edit_json(field, &child(&p, name), 1);
                    }
                }
            }
            "required" => c.names(v, &p, top, "a property of the schema"),
            "additionalProperties" => c.boolean(v, &p),
            "dependentRequired" => c.dependent_required(v, &p),
            "if" | "not" => c.clause(v, &p, 1),
            "then" | "else" => {
                c.needs_if(root, k, &p);
                c.clause(v, &p, 1);
            }
            "allOf" | "anyOf" | "oneOf" => c.clauses(v, &p, 1),
            _ if k.starts_with("extend_edit:") => c.push(
                &p,
                "extend_edit keywords belong on fields (inside \"properties\"), not on the root",
            ),
            _ => {}
        }
    }
    dedupe(c.out)
}

struct Checker<'a> {
    /// The root `properties`: the names clauses and `required` may use.
    top: Option<&'a Map<String, Value>>,
    out: Vec<Violation>,
    too_deep: bool,
}

/// The value shape a field's `type` (or `enum`) selects (spec §5.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Enum,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::String => "type [\"string\", \"null\"]",
            Kind::Number => "type [\"number\", \"null\"]",
            Kind::Integer => "type [\"integer\", \"null\"]",
            Kind::Boolean => "type [\"boolean\", \"null\"]",
            Kind::Array => "type \"array\"",
            Kind::Object => "type \"object\"",
            Kind::Enum => "an enum field (no type)",
        }
    }

    fn field_types(self) -> &'static [&'static str] {
        match self {
            Kind::String => &["text", "signature"],
            Kind::Number | Kind::Integer => &["text"],
            Kind::Boolean => &["checkbox", "radio"],
            Kind::Array => &["text", "table"],
            Kind::Object => &["signature"],
            Kind::Enum => &["radio", "optionList", "dropdown"],
        }
    }
}

/// Parses a field's `type` per the §5.3 matrix; the error is the message.
fn edit_type(t: &Value) -> Result<Kind, String> {
    match t {
        Value::String(s) => match s.as_str() {
            "array" => Ok(Kind::Array),
            "object" => Ok(Kind::Object),
            "string" | "number" | "integer" | "boolean" => Err(format!(
                "bare \"{s}\" is not accepted: primitive types are nullable, use [\"{s}\", \"null\"]"
            )),
            _ => Err(format!(
                "{} is not a field type; use {EDIT_TYPES}",
                short(t)
            )),
        },
        Value::Array(items) => {
            let names: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let kind = match names.as_deref() {
                Some([t, "null"] | ["null", t]) => match *t {
                    "string" => Some(Kind::String),
                    "number" => Some(Kind::Number),
                    "integer" => Some(Kind::Integer),
                    "boolean" => Some(Kind::Boolean),
                    "array" | "object" => {
                        return Err(format!(
                            "{t} fields are written \"{t}\", not as a nullable tuple"
                        ));
                    }
                    _ => None,
                },
                _ => None,
            };
            kind.ok_or_else(|| format!("{} is not a field type; use {EDIT_TYPES}", short(t)))
        }
        _ => Err(format!(
            "{} is not a field type; use {EDIT_TYPES}",
            short(t)
        )),
    }
}

impl<'a> Checker<'a> {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.out.push(violation(path, message));
    }

    /// Reports (once) and returns true when `depth` is past [`MAX_DEPTH`].
    fn deep(&mut self, ptr: &str, depth: usize) -> bool {
        if depth <= MAX_DEPTH {
            return false;
        }
        if !self.too_deep {
            self.too_deep = true;
            self.push(
                ptr,
                format!("nests deeper than {MAX_DEPTH} levels; not checked further"),
            );
        }
        true
    }

    fn boolean(&mut self, v: &Value, ptr: &str) {
        if !v.is_boolean() {
            self.push(ptr, format!("must be true or false, not {}", shown(v)));
        }
    }

    fn string(&mut self, v: &Value, ptr: &str) {
        if !v.is_string() {
            self.push(ptr, format!("must be a string, not {}", shown(v)));
        }
    }

    fn needs_if(&mut self, node: &Map<String, Value>, k: &str, ptr: &str) {
        if !node.contains_key("if") {
            self.push(
                ptr,
                format!("\"{k}\" without \"if\" beside it is never applied"),
            );
        }
    }

    /// An array of property names; with `known`, each must be one of its keys.
    fn names(&mut self, v: &Value, ptr: &str, known: Option<&Map<String, Value>>, what: &str) {
        let Some(items) = v.as_array() else {
            self.push(
                ptr,
                format!("must be an array of property names, not {}", shown(v)),
            );
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let p = index(ptr, i);
            match item.as_str() {
                None => self.push(
                    &p,
                    format!("must be a property name (a string), not {}", shown(item)),
                ),
                Some(name) => {
                    if let Some(known) = known
                        && !known.contains_key(name)
                    {
                        let hint = suggest(name, known.keys().map(String::as_str));
                        self.push(&p, format!("\"{name}\" is not {what}{hint}"));
                    }
                }
            }
        }
    }

    fn dependent_required(&mut self, v: &Value, ptr: &str) {
        let Some(deps) = v.as_object() else {
            self.push(
                ptr,
                format!(
                    "must be an object mapping a property name to the names it requires, not {}",
                    shown(v)
                ),
            );
            return;
        };
        let top = self.top;
        for (trigger, names) in deps {
            let p = child(ptr, trigger);
            if let Some(top) = top
                && !top.contains_key(trigger)
            {
                let hint = suggest(trigger, top.keys().map(String::as_str));
                self.push(
                    &p,
                    format!("\"{trigger}\" is not a top-level property{hint}"),
                );
            }
            self.names(names, &p, top, "a top-level property");
        }
    }

    fn clauses(&mut self, v: &Value, ptr: &str, depth: usize) {
        match v.as_array() {
            Some(list) if list.is_empty() => {
                self.push(ptr, "must list at least one clause");
            }
            Some(list) => {
                for (i, clause) in list.iter().enumerate() {
                    self.clause(clause, &index(ptr, i), depth);
                }
            }
            None => self.push(
                ptr,
                format!("must be an array of clauses, not {}", shown(v)),
            ),
        }
    }

    /// An `EditConditionalClause`: applies to the root values object.
    fn clause(&mut self, v: &Value, ptr: &str, depth: usize) {
        if self.deep(ptr, depth) {
            return;
        }
        let Some(node) = v.as_object() else {
            self.push(
                ptr,
                format!("must be an object (a conditional clause), not {}", shown(v)),
            );
            return;
        };
        let top = self.top;
        for (k, x) in node {
            let p = child(ptr, k);
            match k.as_str() {
                "properties" => match x.as_object() {
                    Some(conditions) => {
                        for (name, condition) in conditions {
                            let pp = child(&p, name);
                            if let Some(top) = top
                                && !top.contains_key(name)
                            {
                                let hint = suggest(name, top.keys().map(String::as_str));
                                self.push(
                                    &pp,
                                    format!(
                                        "\"{name}\" is not a top-level property (conditions name the schema's properties){hint}"
                                    ),
                                );
                            }
                            self.condition(condition, &pp, depth + 1);
                        }
                    }
                    None => self.push(
                        &p,
                        format!(
                            "must be an object mapping top-level property names to conditions, not {}",
                            shown(x)
                        ),
                    ),
                },
                "required" => self.names(x, &p, top, "a top-level property"),
                "dependentRequired" => self.dependent_required(x, &p),
                "if" | "not" => self.clause(x, &p, depth + 1),
                "then" | "else" => {
                    self.needs_if(node, k, &p);
                    self.clause(x, &p, depth + 1);
                }
                "allOf" | "anyOf" | "oneOf" => self.clauses(x, &p, depth + 1),
                "type" if x.as_str() == Some("object") => {}
                _ if ANNOTATIONS.contains(&k.as_str()) => {}
                _ if k.starts_with("extend_edit:") => {
                    self.push(&p, "extend_edit keywords are not allowed inside conditions");
                }
                _ => self.push(
                    &p,
                    format!("\"{k}\" is not supported in a conditional clause (supported: {CLAUSE_KEYWORDS})"),
                ),
            }
        }
    }

    /// An `EditConditionalProperty`: a condition on one value.
    fn condition(&mut self, v: &Value, ptr: &str, depth: usize) {
        if self.deep(ptr, depth) {
            return;
        }
        let Some(node) = v.as_object() else {
            self.push(
                ptr,
                format!(
                    "must be an object (a condition on a value), not {}",
                    shown(v)
                ),
            );
            return;
        };
        for (k, x) in node {
            let p = child(ptr, k);
            if self.constraint(k, x, &p, depth) {
                continue;
            }
            match k.as_str() {
                "type" => self.json_type(x, &p),
                "enum" => {
                    if !x.is_array() {
                        self.push(&p, format!("must be an array of values, not {}", shown(x)));
                    }
                }
                "items" => self.condition(x, &p, depth + 1),
                "properties" => match x.as_object() {
                    Some(conditions) => {
                        for (name, condition) in conditions {
                            self.condition(condition, &child(&p, name), depth + 1);
                        }
                    }
                    None => self.push(
                        &p,
                        format!("must be an object mapping names to conditions, not {}", shown(x)),
                    ),
                },
                "required" => self.names(x, &p, None, ""),
                "additionalProperties" => self.boolean(x, &p),
                _ if ANNOTATIONS.contains(&k.as_str()) => {}
                _ if k.starts_with("extend_edit:") => {
                    self.push(&p, "extend_edit keywords are not allowed inside conditions");
                }
                _ => self.push(
                    &p,
                    format!("\"{k}\" is not a supported condition keyword (supported: {CONDITION_KEYWORDS})"),
                ),
            }
        }
    }

    /// A plain JSON Schema `type` (conditions): a type name or a non-empty array of them.
    fn json_type(&mut self, v: &Value, ptr: &str) {
        const NAMES: [&str; 7] = [
            "string", "number", "integer", "boolean", "array", "object", "null",
        ];
        let ok = match v {
            Value::String(s) => NAMES.contains(&s.as_str()),
            Value::Array(items) => {
                let mut seen = HashSet::new();
                !items.is_empty()
                    && items.iter().all(|t| {
                        t.as_str()
                            .is_some_and(|s| NAMES.contains(&s) && seen.insert(s))
                    })
            }
            _ => false,
        };
        if !ok {
            self.push(
                ptr,
                format!(
                    "must be one of {} or an array of distinct ones, not {}",
                    quoted(&NAMES),
                    short(v)
                ),
            );
        }
    }

    /// The value keywords shared by fields and conditions; false when `k` is none of them.
    fn constraint(&mut self, k: &str, x: &Value, ptr: &str, depth: usize) -> bool {
        match k {
            "const" => {}
            "pattern" => match x.as_str() {
                Some(p) => {
                    if let Err(e) = compile(p) {
                        self.push(
                            ptr,
                            format!("is not a valid regular expression: {}", regex_error(&e)),
                        );
                    }
                }
                None => self.push(
                    ptr,
                    format!("must be a string (a regular expression), not {}", shown(x)),
                ),
            },
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                if !x.is_number() {
                    self.push(ptr, format!("must be a number, not {}", shown(x)));
                }
            }
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minContains" | "maxContains" => {
                if as_count(x).is_none() {
                    self.push(
                        ptr,
                        format!("must be a non-negative integer, not {}", shown(x)),
                    );
                }
            }
            "contains" => self.condition(x, ptr, depth + 1),
            _ => return false,
        }
        true
    }

    /// Which shape a field's `type`/`enum` selects; reports a bad or missing `type`.
    fn edit_kind(&mut self, node: &Map<String, Value>, ptr: &str) -> Option<Kind> {
        let has_enum = node.contains_key("enum");
        let Some(t) = node.get("type") else {
            if !has_enum {
                self.push(
                    ptr,
                    format!("has neither \"type\" nor \"enum\": every field needs one ({EDIT_TYPES}, or an enum)"),
                );
                return None;
            }
            return Some(Kind::Enum);
        };
        let p = child(ptr, "type");
        match edit_type(t) {
            Err(message) => {
                self.push(&p, message);
                has_enum.then_some(Kind::Enum)
            }
            Ok(_) if has_enum => {
                self.push(
                    &p,
                    "an enum field takes no \"type\" (spec §5.3): remove \"type\", or \"enum\"",
                );
                Some(Kind::Enum)
            }
            Ok(kind) => Some(kind),
        }
    }

    /// An `EditJson` field definition.
    fn edit_json(&mut self, v: &Value, ptr: &str, depth: usize) {
        if self.deep(ptr, depth) {
            return;
        }
        let Some(node) = v.as_object() else {
            self.push(
                ptr,
                format!("must be an object (a field definition), not {}", shown(v)),
            );
            return;
        };
        let kind = self.edit_kind(node, ptr);
        let field_type = node.get(FIELD_TYPE);
        if let Some(ft) = field_type {
            let p = child(ptr, FIELD_TYPE);
            match ft.as_str() {
                Some(s) if FIELD_TYPES.contains(&s) => {
                    if let Some(kind) = kind
                        && s != "unknown"
                        && !kind.field_types().contains(&s)
                    {
                        self.push(
                            &p,
                            format!(
                                "\"{s}\" does not go with {}; allowed: {}",
                                kind.label(),
                                quoted(kind.field_types())
                            ),
                        );
                    }
                }
                _ => self.push(
                    &p,
                    format!("must be one of {}, not {}", quoted(&FIELD_TYPES), short(ft)),
                ),
            }
        }
        // An object value fills only a signature (spec §5.3); without the field type saying
        // so the value would silently fill nothing.
        if kind == Some(Kind::Object) && field_type.is_none() && depth == 1 {
            self.push(
                &child(ptr, "type"),
                "\"object\" fields are signatures (spec §5.3): add \"extend_edit:field_type\": \"signature\", or give the field a value type such as [\"string\", \"null\"]",
            );
        }
        let enum_len = node.get("enum").and_then(Value::as_array).map(Vec::len);
        for (k, x) in node {
            let p = child(ptr, k);
            if self.constraint(k, x, &p, depth) {
                continue;
            }
            match k.as_str() {
                "type" | FIELD_TYPE | "extend_edit:value" => {}
                "description" => self.string(x, &p),
                "enum" => self.enum_values(x, &p),
                "extend:descriptions" => {
                    self.strings(x, &p);
                    if let (Some(n), Some(labels)) = (enum_len, x.as_array())
                        && labels.len() != n
                    {
                        self.push(
                            &p,
                            format!(
                                "has {} labels but enum has {n} values; labels[i] describes enum[i]",
                                labels.len()
                            ),
                        );
                    }
                }
                "extend_edit:bbox" => self.bbox(x, &p),
                "extend_edit:bboxes" => match x.as_array() {
                    Some(boxes) => {
                        for (i, b) in boxes.iter().enumerate() {
                            self.bbox(b, &index(&p, i));
                        }
                        if let Some(n) = enum_len
                            && boxes.len() != n
                        {
                            self.push(
                                &p,
                                format!(
                                    "has {} boxes but enum has {n} values; bboxes[i] is the widget of enum[i]",
                                    boxes.len()
                                ),
                            );
                        }
                    }
                    None => self.push(&p, format!("must be an array of bounding boxes, not {}", shown(x))),
                },
                "extend_edit:page_index" => {
                    if as_count(x).is_none() {
                        self.push(
                            &p,
                            format!("must be a non-negative integer (zero-based page index), not {}", shown(x)),
                        );
                    }
                }
                TEXT_OPTIONS => self.text_options(x, &p),
                "extend_edit:image" => match x.as_object() {
                    Some(image) => match image.get("image_url") {
                        Some(url) => self.string(url, &child(&p, "image_url")),
                        None => self.push(&p, "needs \"image_url\" (a PNG or JPEG URL)"),
                    },
                    None => self.push(&p, format!("must be an object {{\"image_url\": ...}}, not {}", shown(x))),
                },
                "extend_edit:row_heights" => match x.as_array() {
                    Some(heights) => {
                        for (i, h) in heights.iter().enumerate() {
                            if !h.as_f64().is_some_and(|h| h.is_finite() && h > 0.0) {
                                self.push(&index(&p, i), format!("must be a positive number, not {}", shown(h)));
                            }
                        }
                    }
                    None => self.push(&p, format!("must be an array of positive numbers, not {}", shown(x))),
                },
                "extend_edit:column_width" => {
                    if !x.as_f64().is_some_and(|w| w > 0.0 && w <= 100.0) {
                        self.push(
                            &p,
                            format!("must be a percentage greater than 0 and at most 100, not {}", shown(x)),
                        );
                    }
                }
                "extend_edit:source_acroform" => self.source_acroform(x, &p),
                "items" => {
                    if kind == Some(Kind::Array) {
                        self.row_schema(x, &p, depth + 1);
                    }
                }
                "properties" => {
                    if kind == Some(Kind::Object) {
                        self.fields(x, &p, depth + 1);
                    }
                }
                "required" => {
                    let known = match kind {
                        Some(Kind::Object) => node.get("properties").and_then(Value::as_object),
                        _ => None,
                    };
                    self.names(x, &p, known, "a property of this object");
                }
                "additionalProperties" => self.boolean(x, &p),
                _ if CONDITIONAL_KEYWORDS.contains(&k.as_str()) => self.push(
                    &p,
                    "conditional keywords are only allowed at the root of the schema (and inside its clauses)",
                ),
                _ if k.starts_with("extend_edit:") => {
                    let hint = suggest(k, EXTEND_KEYS);
                    self.push(&p, format!("is not an extend_edit keyword{hint}"));
                }
                _ => {}
            }
        }
        if kind == Some(Kind::Array)
            && field_type.and_then(Value::as_str) == Some("table")
            && !node.contains_key("items")
        {
            self.push(
                &child(ptr, "items"),
                "is missing: a table needs \"items\" describing its columns",
            );
        }
    }

    /// A map of field definitions (`properties` of a row or an object field).
    fn fields(&mut self, v: &Value, ptr: &str, depth: usize) {
        match v.as_object() {
            Some(fields) => {
                for (name, field) in fields {
                    self.edit_json(field, &child(ptr, name), depth);
                }
            }
            None => self.push(
                ptr,
                format!(
                    "must be an object mapping names to field definitions, not {}",
                    shown(v)
                ),
            ),
        }
    }

    /// `items` of an array field: an `EditObjectJson` whose properties are the columns.
    fn row_schema(&mut self, v: &Value, ptr: &str, depth: usize) {
        if self.deep(ptr, depth) {
            return;
        }
        let Some(node) = v.as_object() else {
            self.push(
                ptr,
                format!(
                    "must be an object {{\"type\": \"object\", \"properties\": {{...}}}} (the row), not {}",
                    shown(v)
                ),
            );
            return;
        };
        if !node.contains_key("properties") {
            self.push(ptr, "has no \"properties\": a row schema lists its columns");
        }
        for (k, x) in node {
            let p = child(ptr, k);
            match k.as_str() {
                "type" => {
                    if x.as_str() != Some("object") {
                        self.push(&p, format!("must be \"object\", not {}", short(x)));
                    }
                }
                FIELD_TYPE => {
                    if x.as_str() != Some("signature") {
                        self.push(
                            &p,
                            format!("a row schema takes no field_type but \"signature\", not {}", short(x)),
                        );
                    }
                }
                "description" => self.string(x, &p),
                "properties" => self.fields(x, &p, depth + 1),
                "required" => {
                    let known = node.get("properties").and_then(Value::as_object);
                    self.names(x, &p, known, "a column of this table");
                }
                "additionalProperties" => self.boolean(x, &p),
                _ if CONDITIONAL_KEYWORDS.contains(&k.as_str()) => self.push(
                    &p,
                    "conditional keywords are only allowed at the root of the schema (and inside its clauses)",
                ),
                _ => {}
            }
        }
    }

    fn strings(&mut self, v: &Value, ptr: &str) {
        match v.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        self.push(
                            &index(ptr, i),
                            format!("must be a string, not {}", shown(item)),
                        );
                    }
                }
            }
            None => self.push(
                ptr,
                format!("must be an array of strings, not {}", shown(v)),
            ),
        }
    }

    fn enum_values(&mut self, v: &Value, ptr: &str) {
        let Some(options) = v.as_array() else {
            self.push(
                ptr,
                format!("must be an array of strings, not {}", shown(v)),
            );
            return;
        };
        if options.is_empty() {
            self.push(ptr, "must list at least one option");
        }
        let mut seen = HashSet::new();
        for (i, option) in options.iter().enumerate() {
            match option.as_str() {
                None => self.push(
                    &index(ptr, i),
                    format!("must be a string, not {}", shown(option)),
                ),
                Some(s) => {
                    if !seen.insert(s) {
                        self.push(&index(ptr, i), format!("repeats the option \"{s}\""));
                    }
                }
            }
        }
    }

    /// An `EditBoundingBox`: finite, non-negative, left < right, top < bottom.
    fn bbox(&mut self, v: &Value, ptr: &str) {
        let Some(b) = v.as_object() else {
            self.push(
                ptr,
                format!(
                    "must be an object {{left, top, right, bottom}}, not {}",
                    shown(v)
                ),
            );
            return;
        };
        let mut edges = [0.0_f64; 4];
        let mut ok = true;
        for (edge, name) in edges.iter_mut().zip(["left", "top", "right", "bottom"]) {
            let p = child(ptr, name);
            match b.get(name) {
                None => {
                    self.push(&p, "is missing");
                    ok = false;
                }
                Some(x) => match x.as_f64().filter(|f| f.is_finite()) {
                    None => {
                        self.push(&p, format!("must be a number, not {}", shown(x)));
                        ok = false;
                    }
                    Some(f) if f < 0.0 => {
                        self.push(&p, format!("is {x}; box edges are never negative"));
                        ok = false;
                    }
                    Some(f) => *edge = f,
                },
            }
        }
        if ok {
            let [left, top, right, bottom] = edges;
            if left >= right {
                self.push(
                    ptr,
                    format!("left ({left}) must be less than right ({right})"),
                );
            }
            if top >= bottom {
                self.push(
                    ptr,
                    format!("top ({top}) must be less than bottom ({bottom})"),
                );
            }
        }
    }

    /// `EditTextOptions`; unknown keys are tolerated (the SDK allows extra keys).
    fn text_options(&mut self, v: &Value, ptr: &str) {
        let Some(options) = v.as_object() else {
            self.push(ptr, format!("must be an object, not {}", shown(v)));
            return;
        };
        for (k, x) in options {
            let p = child(ptr, k);
            match k.as_str() {
                "fontSize" => {
                    if !x.as_f64().is_some_and(|f| f.is_finite() && f > 0.0) {
                        self.push(
                            &p,
                            format!("must be a positive number (points), not {}", shown(x)),
                        );
                    }
                }
                "color" | "fontColor" => {
                    let rgb = x.as_array().is_some_and(|c| {
                        c.len() == 3 && c.iter().all(|c| c.as_u64().is_some_and(|c| c <= 255))
                    });
                    if !rgb {
                        self.push(
                            &p,
                            format!(
                                "must be three integers 0-255 (red, green, blue), not {}",
                                short(x)
                            ),
                        );
                    }
                }
                "opacity" => {
                    if !x.as_f64().is_some_and(|f| (0.0..=1.0).contains(&f)) {
                        self.push(
                            &p,
                            format!("must be a number from 0 to 1, not {}", shown(x)),
                        );
                    }
                }
                "font" => self.string(x, &p),
                "combing" | "multiLine" => self.boolean(x, &p),
                "maxLength" => {
                    if as_count(x).is_none_or(|n| n == 0) {
                        self.push(&p, format!("must be a positive integer, not {}", shown(x)));
                    }
                }
                _ => {}
            }
        }
    }

    /// `EditSourceAcroForm`: string `fieldName` and `fieldType`, optional options.
    fn source_acroform(&mut self, v: &Value, ptr: &str) {
        let Some(source) = v.as_object() else {
            self.push(ptr, format!("must be an object, not {}", shown(v)));
            return;
        };
        for key in ["fieldName", "fieldType"] {
            match source.get(key) {
                Some(x) => self.string(x, &child(ptr, key)),
                None => self.push(ptr, format!("needs \"{key}\" (a string)")),
            }
        }
        if let Some(x) = source.get("optionValue") {
            self.string(x, &child(ptr, "optionValue"));
        }
        if let Some(x) = source.get("optionMap") {
            let p = child(ptr, "optionMap");
            match x.as_array() {
                Some(options) => {
                    for (i, option) in options.iter().enumerate() {
                        let pi = index(&p, i);
                        for key in ["schemaValue", "exportValue", "displayValue"] {
                            match option.get(key) {
                                Some(s) => self.string(s, &child(&pi, key)),
                                None => self.push(&pi, format!("needs \"{key}\" (a string)")),
                            }
                        }
                    }
                }
                None => self.push(&p, format!("must be an array, not {}", shown(x))),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// validate_values
// ---------------------------------------------------------------------------------------

/// Values (property key -> value; a JSON null or an absent key both mean "left blank")
/// against the schema, as pointers into the values object (`/spouse_name`,
/// `/dependents/1/age`, `""` for the root). Empty means the values satisfy every rule.
pub fn validate_values(schema: &Value, values: &Map<String, Value>) -> Vec<Violation> {
    if !schema.is_object() {
        return vec![violation("", "the schema is not a JSON object")];
    }
    let instance = Value::Object(strip_nulls_map(values, 0));
    let mut eval = Eval {
        regexes: HashMap::new(),
        too_deep: false,
    };
    let mut out = Vec::new();
    eval.eval(schema, &instance, "", Mode::Place, 0, &mut out);
    if eval.too_deep {
        out.push(violation(
            "",
            format!(
                "the schema nests deeper than {MAX_DEPTH} levels; deeper rules were not checked"
            ),
        ));
    }
    dedupe(out)
}

/// Whether a node is a field definition (values are placed) or a condition.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Fields (`EditJson`, rows): every key must name a property; `text_edit_options.maxLength` holds.
    Place,
    /// Conditional clauses and properties: plain JSON Schema.
    Cond,
}

struct Eval<'s> {
    /// Compiled patterns, `None` for patterns that do not compile.
    regexes: HashMap<&'s str, Option<Regex>>,
    too_deep: bool,
}

impl<'s> Eval<'s> {
    fn regex(&mut self, pattern: &'s str) -> Option<&Regex> {
        self.regexes
            .entry(pattern)
            .or_insert_with(|| compile(pattern).ok())
            .as_ref()
    }

    /// Applies one schema node to one value, pushing what fails.
    fn eval(
        &mut self,
        schema: &'s Value,
        value: &Value,
        path: &str,
        mode: Mode,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let Some(node) = schema.as_object() else {
            return;
        };
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        if let Some(message) = node.get("type").and_then(|t| type_mismatch(t, value)) {
            out.push(violation(path, message));
            return;
        }
        for (k, kw) in node {
            match k.as_str() {
                "enum" => {
                    if let Some(options) = kw.as_array()
                        && !options.iter().any(|o| json_eq(o, value, 0))
                    {
                        out.push(violation(
                            path,
                            format!("must be one of {}", list_values(options)),
                        ));
                    }
                }
                "const" => {
                    if !json_eq(kw, value, 0) {
                        out.push(violation(path, format!("must be {}", short(kw))));
                    }
                }
                "pattern" => {
                    if let (Some(pattern), Some(text)) = (kw.as_str(), value.as_str()) {
                        match self.regex(pattern) {
                            Some(re) => {
                                if !re.is_match(text) {
                                    out.push(violation(path, format!("must match the pattern {pattern}")));
                                }
                            }
                            None => out.push(violation(
                                path,
                                format!("cannot be checked: the pattern {pattern} is not a valid regular expression"),
                            )),
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let (Some(bound), Some(text)) = (as_count(kw), value.as_str()) {
                        let len = text.chars().count() as u64;
                        let chars = plural(len, "character");
                        if k == "minLength" && len < bound {
                            out.push(violation(
                                path,
                                format!("has {chars}, fewer than minLength {bound}"),
                            ));
                        } else if k == "maxLength" && len > bound {
                            out.push(violation(
                                path,
                                format!("has {chars}, more than maxLength {bound}"),
                            ));
                        }
                    }
                }
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                    if let (Some(bound), true, Some(x)) =
                        (kw.as_f64(), value.is_number(), value.as_f64())
                    {
                        let broken = match k.as_str() {
                            "minimum" => (x < bound).then_some("less than minimum"),
                            "maximum" => (x > bound).then_some("more than maximum"),
                            "exclusiveMinimum" => {
                                (x <= bound).then_some("not more than exclusiveMinimum")
                            }
                            _ => (x >= bound).then_some("not less than exclusiveMaximum"),
                        };
                        if let Some(rule) = broken {
                            out.push(violation(path, format!("is {value}, {rule} {kw}")));
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let (Some(bound), Some(items)) = (as_count(kw), value.as_array()) {
                        let len = items.len() as u64;
                        let n = plural(len, "item");
                        if k == "minItems" && len < bound {
                            out.push(violation(
                                path,
                                format!("has {n}, fewer than minItems {bound}"),
                            ));
                        } else if k == "maxItems" && len > bound {
                            out.push(violation(
                                path,
                                format!("has {n}, more than maxItems {bound}"),
                            ));
                        }
                    }
                }
                "items" => {
                    if let Some(items) = value.as_array() {
                        for (i, item) in items.iter().enumerate() {
                            if item.is_null() {
                                continue;
                            }
                            self.eval(kw, item, &index(path, i), mode, depth + 1, out);
                        }
                    }
                }
                "contains" => {
                    if let Some(items) = value.as_array() {
                        self.contains(node, kw, items, path, depth, out);
                    }
                }
                "properties" => {
                    if let (Some(props), Some(obj)) = (kw.as_object(), value.as_object()) {
                        for (name, sub) in props {
                            if let Some(x) = obj.get(name) {
                                self.eval(sub, x, &child(path, name), mode, depth + 1, out);
                            }
                        }
                        if mode == Mode::Place {
                            for name in obj.keys().filter(|n| !props.contains_key(*n)) {
                                out.push(violation(
                                    &child(path, name),
                                    unplaceable(path, name, props),
                                ));
                            }
                        }
                    }
                }
                "required" => {
                    if let (Some(names), Some(obj)) = (kw.as_array(), value.as_object()) {
                        for name in names.iter().filter_map(Value::as_str) {
                            if !obj.contains_key(name) {
                                out.push(violation(&child(path, name), "is required"));
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    let covered = mode == Mode::Place && node.contains_key("properties");
                    if kw == &Value::Bool(false)
                        && !covered
                        && let Some(obj) = value.as_object()
                    {
                        let props = node.get("properties").and_then(Value::as_object);
                        for name in obj.keys() {
                            if !props.is_some_and(|p| p.contains_key(name)) {
                                out.push(violation(
                                    &child(path, name),
                                    "is not allowed (additionalProperties is false)",
                                ));
                            }
                        }
                    }
                }
                "dependentRequired" => {
                    if let (Some(deps), Some(obj)) = (kw.as_object(), value.as_object()) {
                        for (trigger, names) in deps {
                            if !obj.contains_key(trigger) {
                                continue;
                            }
                            let names = names.as_array().map(Vec::as_slice).unwrap_or_default();
                            for name in names.iter().filter_map(Value::as_str) {
                                if !obj.contains_key(name) {
                                    out.push(violation(
                                        &child(path, name),
                                        format!(
                                            "is required when {} is filled in (dependentRequired)",
                                            child(path, trigger)
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                }
                "if" => self.if_then_else(node, kw, value, path, depth, out),
                "allOf" => {
                    for sub in kw.as_array().map(Vec::as_slice).unwrap_or_default() {
                        self.eval(sub, value, path, Mode::Cond, depth + 1, out);
                    }
                }
                "anyOf" | "oneOf" => self.alternatives(k, kw, value, path, depth, out),
                "not" => {
                    let mut failures = Vec::new();
                    self.eval(kw, value, path, Mode::Cond, depth + 1, &mut failures);
                    if failures.is_empty() && kw.is_object() {
                        let what = describe_clause(kw, None, path, 0)
                            .unwrap_or_else(|| "an empty clause, which always holds".to_owned());
                        out.push(violation(
                            path,
                            format!("matches the \"not\" clause ({what}), which must not hold"),
                        ));
                    }
                }
                TEXT_OPTIONS if mode == Mode::Place => {
                    if let (Some(bound), Some(text)) =
                        (kw.get("maxLength").and_then(as_count), value.as_str())
                    {
                        let len = text.chars().count() as u64;
                        if len > bound {
                            let chars = plural(len, "character");
                            out.push(violation(
                                path,
                                format!("has {chars}, more than maxLength {bound}"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn if_then_else(
        &mut self,
        node: &'s Map<String, Value>,
        condition: &'s Value,
        value: &Value,
        path: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let (then, otherwise) = (node.get("then"), node.get("else"));
        if then.is_none() && otherwise.is_none() {
            return;
        }
        let mut failures = Vec::new();
        self.eval(condition, value, path, Mode::Cond, depth + 1, &mut failures);
        let holds = failures.is_empty();
        let (branch, word, rule) = if holds {
            (then, "when", "if/then")
        } else {
            (otherwise, "unless", "if/else")
        };
        let Some(branch) = branch else {
            return;
        };
        let mut broken = Vec::new();
        self.eval(branch, value, path, Mode::Cond, depth + 1, &mut broken);
        if broken.is_empty() {
            return;
        }
        let what = describe_clause(condition, holds.then_some(value), path, 0);
        for v in broken {
            let message = match &what {
                Some(what) => format!("{} {word} {what} ({rule})", v.message),
                None => format!("{} ({rule})", v.message),
            };
            out.push(Violation {
                path: v.path,
                message,
            });
        }
    }

    fn alternatives(
        &mut self,
        keyword: &str,
        list: &'s Value,
        value: &Value,
        path: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let Some(subs) = list.as_array().filter(|s| !s.is_empty()) else {
            return;
        };
        let mut matched = Vec::new();
        let mut failed = Vec::new();
        for (i, sub) in subs.iter().enumerate() {
            let mut failures = Vec::new();
            self.eval(sub, value, path, Mode::Cond, depth + 1, &mut failures);
            if failures.is_empty() {
                matched.push(i + 1);
            } else {
                failed.push((i + 1, failures));
            }
        }
        let n = subs.len();
        let need = if keyword == "oneOf" {
            "exactly one must match"
        } else {
            "at least one must match"
        };
        if matched.is_empty() {
            let why: Vec<String> = failed
                .iter()
                .filter_map(|(i, failures)| {
                    let first = failures.first()?;
                    let more = match failures.len() - 1 {
                        0 => String::new(),
                        m => format!(" (and {m} more)"),
                    };
                    Some(format!("{i}) {first}{more}"))
                })
                .collect();
            out.push(violation(
                path,
                format!(
                    "matches none of the {n} {keyword} alternatives; {need}: {}",
                    why.join("; ")
                ),
            ));
        } else if keyword == "oneOf" && matched.len() > 1 {
            let which: Vec<String> = matched.iter().map(ToString::to_string).collect();
            out.push(violation(
                path,
                format!(
                    "matches {} of the {n} oneOf alternatives ({}); {need}",
                    matched.len(),
                    which.join(", ")
                ),
            ));
        }
    }

    fn contains(
        &mut self,
        node: &'s Map<String, Value>,
        condition: &'s Value,
        items: &[Value],
        path: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let mut count = 0_u64;
        for (i, item) in items.iter().enumerate() {
            let mut failures = Vec::new();
            self.eval(
                condition,
                item,
                &index(path, i),
                Mode::Cond,
                depth + 1,
                &mut failures,
            );
            if failures.is_empty() {
                count += 1;
            }
        }
        let min = node.get("minContains").and_then(as_count).unwrap_or(1);
        let max = node.get("maxContains").and_then(as_count);
        let what = describe_condition(condition, 0);
        if count < min {
            let message = if count == 0 {
                format!("has no item that {what} (contains)")
            } else {
                format!(
                    "has {} matching {}, fewer than minContains {min} (contains: {what})",
                    count,
                    if count == 1 { "item" } else { "items" }
                )
            };
            out.push(violation(path, message));
        }
        if let Some(max) = max
            && count > max
        {
            out.push(violation(
                path,
                format!(
                    "has {count} matching items, more than maxContains {max} (contains: {what})"
                ),
            ));
        }
    }
}

/// The message for a value whose key names no property, or `None` when the type fits.
fn type_mismatch(t: &Value, value: &Value) -> Option<String> {
    let names: Vec<&str> = match t {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    if names.is_empty() || names.iter().any(|n| type_matches(n, value)) {
        return None;
    }
    Some(format!(
        "must be {}, not {}",
        type_phrase(&names),
        shown(value)
    ))
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => is_integer(value),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        // An unknown type name (unchecked schema) constrains nothing.
        _ => true,
    }
}

/// "a string", "an integer (a whole number) or blank (null)"; "null" is left out beside
/// other types, since a null never reaches a type check in placed values.
fn type_phrase(names: &[&str]) -> String {
    let shown: Vec<&str> = if names.len() > 1 {
        names.iter().copied().filter(|n| *n != "null").collect()
    } else {
        names.to_vec()
    };
    let phrases: Vec<&str> = shown
        .iter()
        .map(|n| match *n {
            "string" => "a string",
            "number" => "a number",
            "integer" => "an integer (a whole number)",
            "boolean" => "true or false",
            "array" => "an array",
            "object" => "an object",
            "null" => "blank (null)",
            other => other,
        })
        .collect();
    phrases.join(" or ")
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64()
                || n.is_u64()
                || n.as_f64()
                    .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
        }
        _ => false,
    }
}

/// A message for a key that names no property of `props` (so its value cannot be placed).
fn unplaceable(path: &str, name: &str, props: &Map<String, Value>) -> String {
    let hint = suggest(name, props.keys().map(String::as_str));
    let whose = if path.is_empty() {
        "the schema"
    } else {
        "this row or object"
    };
    format!("is not a property of {whose}, so it cannot be placed{hint}")
}

// ---------------------------------------------------------------------------------------
// Describing conditions for messages
// ---------------------------------------------------------------------------------------

/// A clause as a phrase ("/filing_status is \"married_joint\" and /x is filled in"), or
/// `None` when it says nothing. With `instance` (the values the clause held for), a
/// property condition on a blank value reads "is blank", which is why it held.
fn describe_clause(
    clause: &Value,
    instance: Option<&Value>,
    base: &str,
    depth: usize,
) -> Option<String> {
    let node = clause.as_object()?;
    if depth > 4 {
        return Some("a nested condition holds".to_owned());
    }
    let props = node.get("properties").and_then(Value::as_object);
    let mut parts = Vec::new();
    for (k, x) in node {
        match k.as_str() {
            "properties" => {
                for (name, condition) in x.as_object().into_iter().flatten() {
                    let ptr = child(base, name);
                    let blank = instance
                        .and_then(Value::as_object)
                        .is_some_and(|o| !o.contains_key(name));
                    if blank {
                        parts.push(format!("{ptr} is blank"));
                    } else {
                        parts.push(format!(
                            "{ptr} {}",
                            describe_condition(condition, depth + 1)
                        ));
                    }
                }
            }
            "required" => {
                for name in x.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if !props.is_some_and(|p| p.contains_key(name)) {
                        parts.push(format!("{} is filled in", child(base, name)));
                    }
                }
            }
            "dependentRequired" => parts.push("its dependentRequired rules hold".to_owned()),
            "allOf" => {
                for sub in x.as_array().into_iter().flatten() {
                    parts.extend(describe_clause(sub, instance, base, depth + 1));
                }
            }
            "anyOf" | "oneOf" => {
                let each: Vec<String> = x
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|sub| {
                        describe_clause(sub, None, base, depth + 1)
                            .unwrap_or_else(|| "anything".to_owned())
                    })
                    .collect();
                if k == "anyOf" {
                    parts.push(format!("({})", each.join(" or ")));
                } else {
                    parts.push(format!("exactly one of ({})", each.join("; ")));
                }
            }
            "not" => {
                let inner = describe_clause(x, None, base, depth + 1)
                    .unwrap_or_else(|| "anything".to_owned());
                parts.push(format!("not ({inner})"));
            }
            "if" => parts.push("its nested if/then/else holds".to_owned()),
            _ => {}
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(truncate(&parts.join(" and "), DESCRIPTION_CHARS))
    }
}

/// A condition on one value as a predicate ("is \"married_joint\"", "is at least 18").
fn describe_condition(condition: &Value, depth: usize) -> String {
    let Some(node) = condition.as_object() else {
        return "matches".to_owned();
    };
    let mut parts = Vec::new();
    let mut nested = false;
    for (k, x) in node {
        match k.as_str() {
            "const" => parts.push(format!("is {}", short(x))),
            "enum" => {
                if let Some(options) = x.as_array() {
                    parts.push(format!("is one of {}", list_values(options)));
                }
            }
            "type" => {
                let names: Vec<&str> = match x {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if !names.is_empty() {
                    parts.push(format!("is {}", type_phrase(&names)));
                }
            }
            "pattern" => parts.push(format!("matches the pattern {}", x.as_str().unwrap_or("?"))),
            "minimum" => parts.push(format!("is at least {x}")),
            "maximum" => parts.push(format!("is at most {x}")),
            "exclusiveMinimum" => parts.push(format!("is more than {x}")),
            "exclusiveMaximum" => parts.push(format!("is less than {x}")),
            "minLength" => parts.push(format!("has at least {x} characters")),
            "maxLength" => parts.push(format!("has at most {x} characters")),
            "minItems" => parts.push(format!("has at least {x} items")),
            "maxItems" => parts.push(format!("has at most {x} items")),
            "contains" if depth < 4 => {
                parts.push(format!(
                    "contains an item that {}",
                    describe_condition(x, depth + 1)
                ));
            }
            "contains" | "items" | "properties" | "required" | "additionalProperties" => {
                nested = true
            }
            _ => {}
        }
    }
    if nested {
        parts.push("matches its nested conditions".to_owned());
    }
    if parts.is_empty() {
        "is filled in".to_owned()
    } else {
        parts.join(" and ")
    }
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn violation(path: &str, message: impl Into<String>) -> Violation {
    Violation {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// `base` + `/` + `key` with JSON Pointer escaping (`~` -> `~0`, `/` -> `~1`).
fn child(base: &str, key: &str) -> String {
    let mut s = String::with_capacity(base.len() + key.len() + 1);
    s.push_str(base);
    s.push('/');
    for c in key.chars() {
        match c {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
    s
}

fn index(base: &str, i: usize) -> String {
    format!("{base}/{i}")
}

/// Keeps the first of each (path, message) pair, in order.
fn dedupe(violations: Vec<Violation>) -> Vec<Violation> {
    let mut seen = HashSet::new();
    violations
        .into_iter()
        .filter(|v| seen.insert((v.path.clone(), v.message.clone())))
        .collect()
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .build()
}

/// The one meaningful line of a regex error (syntax errors come with a caret diagram).
fn regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("it compiles to more than the {limit}-byte limit")
        }
        other => {
            let text = other.to_string();
            text.lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("invalid")
                .trim_start_matches("error: ")
                .to_owned()
        }
    }
}

/// A count (`maxLength`, `page_index`, ...): a non-negative whole number.
fn as_count(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f <= 9_007_199_254_740_992.0)
            .map(|f| f as u64)
    })
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Equality as JSON Schema defines it: numbers by value (`1 == 1.0`), objects unordered.
fn json_eq(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > VALUE_DEPTH {
        return false;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y, depth + 1))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w, depth + 1)))
        }
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        _ => a == b,
    }
}

/// The values with null object members removed, at every level (array items stay).
fn strip_nulls_map(map: &Map<String, Value>, depth: usize) -> Map<String, Value> {
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), strip_nulls(v, depth + 1)))
        .collect()
}

fn strip_nulls(v: &Value, depth: usize) -> Value {
    match v {
        Value::Object(map) if depth < VALUE_DEPTH => Value::Object(strip_nulls_map(map, depth)),
        Value::Array(items) if depth < VALUE_DEPTH => {
            Value::Array(items.iter().map(|x| strip_nulls(x, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// Compact JSON, cut at 60 characters.
fn short(v: &Value) -> String {
    truncate(&v.to_string(), 60)
}

/// A value as it reads in "not ...": scalars as JSON, containers by kind.
fn shown(v: &Value) -> String {
    match v {
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => short(other),
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// `"a", "b", "c"`, cut after 10 of more than 12.
fn list_values(options: &[Value]) -> String {
    let mut shown: Vec<String> = options.iter().take(12).map(short).collect();
    if options.len() > 12 {
        shown.truncate(10);
        shown.push(format!("… ({} values in all)", options.len()));
    }
    shown.join(", ")
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` (did you mean "x"?)` for the closest candidate, or nothing (also the CLI's batch
/// fill, for its columns).
pub fn suggest<'k>(name: &str, candidates: impl IntoIterator<Item = &'k str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, c)) => format!(" (did you mean \"{c}\"?)"),
        None => String::new(),
    }
}
