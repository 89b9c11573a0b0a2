//! `validate_values`: values against an edit schema, with JSON Schema 2020-12 semantics.

// Keyword dispatch is `match key { "x" => if bad { report } }`: a match guard instead would
// let a well-formed keyword fall through to the catch-all arms ("unknown keyword").
#![allow(
    clippy::collapsible_match,
    reason = "a failing guard would fall through to the unknown-keyword arms"
)]

use std::collections::HashMap;

use regex::Regex;
use serde_json::{Map, Value};

use super::terms::*;
use crate::Violation;


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

