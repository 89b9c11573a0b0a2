//! `check_schema`: the structural rules whose breach makes an edit schema unusable.

// Keyword dispatch is `match key { "x" => if bad { report } }`: a match guard instead would
// let a well-formed keyword fall through to the catch-all arms ("unknown keyword").
#![allow(
    clippy::collapsible_match,
    reason = "a failing guard would fall through to the unknown-keyword arms"
)]

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::terms::*;
use crate::Violation;


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
                    if let Some(problem) = pattern_problem(p) {
                        self.push(ptr, format!("is not a valid regular expression: {problem}"));
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

