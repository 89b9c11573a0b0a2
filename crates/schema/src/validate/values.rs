//! `validate_values`: values against an edit schema. The JSON Schema 2020-12 semantics (which
//! keyword holds, which branch of a condition applies, which alternatives match) are the
//! `jsonschema` crate's; what is ours is the edit schema's own rules on top, and the
//! messages:
//!
//! - before validation, null object members are removed (blank = absent), and each node that
//!   places values (the root, table rows, object fields) gets `additionalProperties: false`
//!   (a key that names no field cannot be placed, whatever the caller wrote) and its
//!   `extend_edit:text_edit_options.maxLength` as a `maxLength`;
//! - errors on a `null` table row are dropped (a blank row is checked by nothing but
//!   `minItems`, `maxItems` and `contains`); a value of the wrong type gets that one
//!   message, not one per keyword of its field;
//! - each error is phrased from the keyword that failed, the schema node around it and the
//!   value, and says which case of a condition applied ("is required when /x is blank
//!   (if/then)"), which alternatives failed and why, or how many items matched `contains`.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, PatternOptions, ValidationError, Validator};
use serde_json::{Map, Value, json};

use super::terms::*;
use crate::Violation;

/// Values (property key -> value; a JSON null or an absent key both mean "left blank")
/// against the schema, as pointers into the values object (`/spouse_name`,
/// `/dependents/1/age`, `""` for the root). Empty means the values satisfy every rule.
pub fn validate_values(schema: &Value, values: &Map<String, Value>) -> Vec<Violation> {
    if !schema.is_object() {
        return vec![violation("", "the schema is not a JSON object")];
    }
    let compiled = match compiled(schema) {
        Ok(c) => c,
        Err(message) => return vec![violation("", message)],
    };
    let instance = Value::Object(strip_nulls_map(values, 0));
    let errors: Vec<ValidationError<'_>> = compiled.validator.iter_errors(&instance).collect();
    let context = Context {
        schema: &compiled.schema,
        instance: &instance,
    };
    let mut out = context.translate(&errors, 0);
    if compiled.too_deep {
        out.push(violation(
            "",
            format!("the schema nests deeper than {MAX_DEPTH} levels; deeper rules were not checked"),
        ));
    }
    dedupe(out)
}

/// A schema made ready for validation (see the module notes) and its validator.
struct Compiled {
    schema: Value,
    validator: Validator,
    too_deep: bool,
}

/// Schemas validated lately, most recent first: a caller fills the same form (template)
/// again and again, and building a validator costs several times what validating does.
static RECENT: LazyLock<Mutex<Recent>> = LazyLock::new(Mutex::default);
/// (the schema's hash, what it compiled to).
type Recent = Vec<(u64, Arc<Compiled>)>;
/// How many compiled schemas are kept.
const RECENT_SCHEMAS: usize = 32;
/// Larger schemas (JSON values in them) are compiled each time rather than kept, so the
/// cache stays within a few tens of megabytes.
const MAX_CACHED_VALUES: usize = 20_000;
/// The schema hash's keys, drawn per process: nobody can make two schemas collide.
static HASH_KEYS: LazyLock<RandomState> = LazyLock::new(RandomState::new);

fn compiled(schema: &Value) -> Result<Arc<Compiled>, String> {
    let mut hasher = HASH_KEYS.build_hasher();
    let size = hash_json(schema, &mut hasher, 0);
    let key = hasher.finish();
    let recent = || RECENT.lock().unwrap_or_else(PoisonError::into_inner);
    {
        let mut list = recent();
        if let Some(i) = list.iter().position(|(k, _)| *k == key) {
            let hit = list.remove(i);
            let compiled = hit.1.clone();
            list.insert(0, hit);
            return Ok(compiled);
        }
    }
    let mut too_deep = false;
    let prepared = prepare(schema, true, 0, &mut too_deep);
    let validator = build(&prepared).map_err(|e| format!("the schema cannot be applied: {e}"))?;
    let made = Arc::new(Compiled {
        schema: prepared,
        validator,
        too_deep,
    });
    if size <= MAX_CACHED_VALUES {
        let mut list = recent();
        list.insert(0, (key, made.clone()));
        list.truncate(RECENT_SCHEMAS);
    }
    Ok(made)
}

/// Feeds a JSON value to `h` by its content, each value tagged with its kind (`5` is not
/// `"5"`) and objects in their key order; returns how many values it holds.
fn hash_json(v: &Value, h: &mut impl Hasher, depth: usize) -> usize {
    match v {
        _ if depth > VALUE_DEPTH => h.write_u8(0),
        Value::Null => h.write_u8(1),
        Value::Bool(b) => h.write_u8(2 + u8::from(*b)),
        Value::Number(n) => {
            h.write_u8(4);
            n.to_string().hash(h);
        }
        Value::String(s) => {
            h.write_u8(5);
            s.hash(h);
        }
        Value::Array(items) => {
            h.write_u8(6);
            h.write_usize(items.len());
            return 1 + items.iter().map(|x| hash_json(x, h, depth + 1)).sum::<usize>();
        }
        Value::Object(map) => {
            h.write_u8(7);
            h.write_usize(map.len());
            return 1 + map.iter().map(|(k, x)| { k.hash(h); hash_json(x, h, depth + 1) }).sum::<usize>();
        }
    }
    1
}

/// Patterns run on the `regex` crate (linear time, as `check_schema` compiles them), with
/// the same size bounds; nothing is fetched (`$ref` to another document fails the build).
fn build(schema: &Value) -> Result<Validator, ValidationError<'static>> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_pattern_options(
            PatternOptions::regex().size_limit(PATTERN_SIZE_LIMIT).dfa_size_limit(PATTERN_SIZE_LIMIT),
        )
        .build(schema)
}

/// Marks a node that places values and lists its properties (its unknown keys cannot be
/// placed); an unknown keyword to JSON Schema, so it constrains nothing.
const PLACE_MARK: &str = "formsmith:places";

/// The schema as it is validated (see the module notes); `place`: the node places values.
fn prepare(node: &Value, place: bool, depth: usize, too_deep: &mut bool) -> Value {
    let Some(map) = node.as_object() else {
        return node.clone();
    };
    if depth > MAX_DEPTH {
        *too_deep = true;
        return Value::Bool(true);
    }
    let mut out = Map::with_capacity(map.len() + 2);
    for (k, v) in map {
        // What constrains no value is not compiled: placement keys and annotations.
        if k.starts_with("extend_edit:") || ANNOTATIONS.contains(&k.as_str()) {
            continue;
        }
        let sub = match k.as_str() {
            "properties" | "patternProperties" | "$defs" | "dependentSchemas" => match v.as_object() {
                Some(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, s)| (name.clone(), prepare(s, place && k == "properties", depth + 1, too_deep)))
                        .collect(),
                ),
                None => v.clone(),
            },
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => match v.as_array() {
                Some(subs) => Value::Array(subs.iter().map(|s| prepare(s, false, depth + 1, too_deep)).collect()),
                None => v.clone(),
            },
            "items" => prepare(v, place, depth + 1, too_deep),
            "not" | "if" | "then" | "else" | "contains" | "additionalProperties" | "propertyNames" => {
                prepare(v, false, depth + 1, too_deep)
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), sub);
    }
    if place {
        if out.get("properties").is_some_and(Value::is_object) {
            out.insert("additionalProperties".into(), Value::Bool(false));
            out.insert(PLACE_MARK.into(), Value::Bool(true));
        }
        if let Some(bound) = map.get(TEXT_OPTIONS).and_then(|o| o.get("maxLength")).and_then(as_count) {
            let rule = json!({"maxLength": bound});
            match out.get_mut("allOf").and_then(Value::as_array_mut) {
                Some(all) => all.push(rule),
                None => {
                    out.insert("allOf".into(), json!([rule]));
                }
            }
        }
    }
    Value::Object(out)
}

/// What the messages are read from.
struct Context<'a> {
    schema: &'a Value,
    instance: &'a Value,
}

/// Where an error sits: the keyword that failed, the node holding it, and the conditions
/// (`then` / `else` branches) it was reached through, innermost last.
struct Site<'a> {
    keyword: String,
    node: &'a Map<String, Value>,
    /// Pointer of `node` in the schema.
    node_at: String,
    /// Its place in schema order: the position of each key and item along the schema path
    /// (and of the row, for a table's rows), so messages come in the order the schema lists
    /// its rules.
    order: Vec<usize>,
    /// (the node holding `if`, the pointer of its value, whether `then` applied), from
    /// `from` on.
    branches: Vec<(&'a Map<String, Value>, String, bool)>,
}

impl<'a> Context<'a> {
    /// Messages of `errors` (all reached from the same place), conditions taken from schema
    /// depth `from` on (an alternative's errors are phrased within their alternative).
    fn translate(&self, errors: &[ValidationError<'_>], from: usize) -> Vec<Violation> {
        let sited: Vec<(&ValidationError<'_>, Site<'a>)> = errors
            .iter()
            .filter(|e| !e.instance().is_null())
            .filter_map(|e| {
                let site = self.site(e, from)?;
                Some((e, site))
            })
            .collect();
        let mut sited = sited;
        sited.sort_by(|a, b| a.1.order.cmp(&b.1.order));
        // A value of the wrong type gets that one message from its node.
        let mistyped: Vec<(String, String)> = sited
            .iter()
            .filter(|(e, _)| matches!(e.kind(), ValidationErrorKind::Type { .. }))
            .map(|(e, s)| (s.node_at.clone(), e.instance_path().as_str().to_owned()))
            .collect();
        let mut required_seen: HashMap<(String, String, String), usize> = HashMap::new();
        let mut out = Vec::new();
        for (e, site) in &sited {
            let path = e.instance_path().as_str();
            let shadowed = mistyped.iter().any(|(node, at)| {
                !matches!(e.kind(), ValidationErrorKind::Type { .. })
                    && (site.node_at == *node || site.node_at.starts_with(&format!("{node}/")))
                    && (path == at || path.starts_with(&format!("{at}/")))
            });
            if shadowed {
                continue;
            }
            for mut v in self.phrase(e, site, &mut required_seen) {
                for (node, value_at, then) in site.branches.iter().rev() {
                    v.message = self.with_condition(v.message, node, value_at, *then);
                }
                out.push(v);
            }
        }
        out
    }

    /// "… when /x is \"a\" (if/then)" / "… unless … (if/else)".
    fn with_condition(&self, message: String, node: &Map<String, Value>, value_at: &str, then: bool) -> String {
        let Some(condition) = node.get("if") else {
            return message;
        };
        let (word, rule) = if then { ("when", "if/then") } else { ("unless", "if/else") };
        let value = then.then(|| self.instance.pointer(value_at)).flatten();
        match describe_clause(condition, value, value_at, 0) {
            Some(what) => format!("{message} {word} {what} ({rule})"),
            None => format!("{message} ({rule})"),
        }
    }

    /// Walks the error's schema path: the failing keyword, its node, and the branches taken.
    fn site(&self, e: &ValidationError<'_>, from: usize) -> Option<Site<'a>> {
        let instance: Vec<String> = e.instance_path().segments().map(|s| segment(&s)).collect();
        let mut node = self.schema.as_object()?;
        let (mut node_at, mut consumed) = (String::new(), 0usize);
        let mut branches = Vec::new();
        let mut segments = e.schema_path().segments().map(|s| segment(&s)).enumerate().peekable();
        let value_at = |n: usize| instance[..n.min(instance.len())].iter().fold(String::new(), |p, s| child(&p, s));
        let mut order = Vec::new();
        while let Some((depth, keyword)) = segments.next() {
            order.push(node.keys().position(|k| *k == keyword).unwrap_or(usize::MAX));
            let next: Option<&'a Value> = match keyword.as_str() {
                "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                    let (_, name) = segments.next()?;
                    consumed += usize::from(keyword == "properties" || keyword == "patternProperties");
                    let names = node.get(&keyword)?.as_object()?;
                    order.push(names.keys().position(|k| *k == name).unwrap_or(usize::MAX));
                    let n = names.get(&name)?;
                    node_at = child(&child(&node_at, &keyword), &name);
                    Some(n)
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" if segments.peek().is_some() => {
                    let (_, i) = segments.next()?;
                    consumed += usize::from(keyword == "prefixItems");
                    let i: usize = i.parse().ok()?;
                    order.push(i);
                    let n = node.get(&keyword)?.get(i)?;
                    node_at = index(&child(&node_at, &keyword), i);
                    Some(n)
                }
                "then" | "else" if segments.peek().is_some() => {
                    if depth >= from {
                        branches.push((node, value_at(consumed), keyword == "then"));
                    }
                    node_at = child(&node_at, &keyword);
                    node.get(&keyword)
                }
                "items" | "contains" | "additionalProperties" | "not" | "if" | "propertyNames"
                    if segments.peek().is_some() =>
                {
                    if keyword == "items" {
                        // Rows in order, each with all its messages.
                        order.push(instance.get(consumed).and_then(|i| i.parse().ok()).unwrap_or(0));
                    }
                    consumed += usize::from(matches!(keyword.as_str(), "items" | "contains" | "additionalProperties"));
                    node_at = child(&node_at, &keyword);
                    node.get(&keyword)
                }
                _ => {
                    if let ValidationErrorKind::Required { property } = e.kind()
                        && keyword == "required"
                    {
                        let listed = node.get("required").and_then(Value::as_array);
                        order.push(listed.and_then(|l| l.iter().position(|x| x == property)).unwrap_or(0));
                    }
                    return Some(Site {
                        keyword,
                        node,
                        node_at,
                        order,
                        branches,
                    });
                }
            };
            node = next?.as_object()?;
        }
        None
    }

    /// The message(s) of one error.
    fn phrase(
        &self,
        e: &ValidationError<'_>,
        site: &Site<'a>,
        required_seen: &mut HashMap<(String, String, String), usize>,
    ) -> Vec<Violation> {
        let path = e.instance_path().as_str();
        let value = e.instance();
        let kw = site.node.get(&site.keyword);
        let one = |message: String| vec![violation(path, message)];
        match e.kind() {
            ValidationErrorKind::Type { .. } => {
                one(type_mismatch(kw.unwrap_or(&Value::Null), value).unwrap_or_else(|| e.to_string()))
            }
            ValidationErrorKind::Enum { options } => {
                one(format!("must be one of {}", list_values(options.as_array().map(Vec::as_slice).unwrap_or_default())))
            }
            ValidationErrorKind::Constant { expected_value } => one(format!("must be {}", short(expected_value))),
            ValidationErrorKind::Pattern { pattern } => one(format!("must match the pattern {pattern}")),
            ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MaxLength { limit } => {
                let len = value.as_str().map_or(0, |t| t.chars().count() as u64);
                let chars = plural(len, "character");
                let rule = if matches!(e.kind(), ValidationErrorKind::MinLength { .. }) { "fewer than minLength" } else { "more than maxLength" };
                one(format!("has {chars}, {rule} {limit}"))
            }
            ValidationErrorKind::MinItems { limit } | ValidationErrorKind::MaxItems { limit } => {
                let len = value.as_array().map_or(0, |a| a.len() as u64);
                let n = plural(len, "item");
                let rule = if matches!(e.kind(), ValidationErrorKind::MinItems { .. }) { "fewer than minItems" } else { "more than maxItems" };
                one(format!("has {n}, {rule} {limit}"))
            }
            ValidationErrorKind::Minimum { .. }
            | ValidationErrorKind::Maximum { .. }
            | ValidationErrorKind::ExclusiveMinimum { .. }
            | ValidationErrorKind::ExclusiveMaximum { .. } => {
                let rule = match site.keyword.as_str() {
                    "minimum" => "less than minimum",
                    "maximum" => "more than maximum",
                    "exclusiveMinimum" => "not more than exclusiveMinimum",
                    _ => "not less than exclusiveMaximum",
                };
                one(format!("is {value}, {rule} {}", kw.unwrap_or(&Value::Null)))
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let at = child(path, name);
                if site.keyword != "dependentRequired" {
                    return vec![violation(&at, "is required")];
                }
                // One error per (filled-in trigger, missing name), in the rule's order.
                let key = (site.node_at.clone(), path.to_owned(), name.to_owned());
                let nth = required_seen.entry(key).or_insert(0);
                let filled = value.as_object();
                let trigger = kw
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(t, names)| {
                        filled.is_some_and(|o| o.contains_key(*t))
                            && names.as_array().is_some_and(|n| n.iter().any(|x| x == name))
                    })
                    .map(|(t, _)| t)
                    .nth(*nth);
                *nth += 1;
                match trigger {
                    Some(t) => vec![violation(&at, format!("is required when {} is filled in (dependentRequired)", child(path, t)))],
                    None => vec![violation(&at, "is required (dependentRequired)")],
                }
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let props = site.node.get("properties").and_then(Value::as_object);
                unexpected
                    .iter()
                    .map(|name| {
                        let message = match props {
                            Some(props) if site.node.contains_key(PLACE_MARK) => unplaceable(path, name, props),
                            _ => "is not allowed (additionalProperties is false)".to_owned(),
                        };
                        violation(&child(path, name), message)
                    })
                    .collect()
            }
            ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
                let keyword = site.keyword.as_str();
                let need = if keyword == "oneOf" { "exactly one must match" } else { "at least one must match" };
                let depth = e.schema_path().segments().count() + 1;
                let why: Vec<String> = context
                    .iter()
                    .enumerate()
                    .filter_map(|(i, errors)| {
                        let failures = self.translate(errors, depth);
                        let first = failures.first()?;
                        let more = match failures.len() - 1 {
                            0 => String::new(),
                            m => format!(" (and {m} more)"),
                        };
                        Some(format!("{}) {first}{more}", i + 1))
                    })
                    .collect();
                one(format!("matches none of the {} {keyword} alternatives; {need}: {}", context.len(), why.join("; ")))
            }
            ValidationErrorKind::OneOfMultipleValid { context } => {
                let which: Vec<String> =
                    context.iter().enumerate().filter(|(_, errors)| errors.is_empty()).map(|(i, _)| (i + 1).to_string()).collect();
                one(format!(
                    "matches {} of the {} oneOf alternatives ({}); exactly one must match",
                    which.len(),
                    context.len(),
                    which.join(", ")
                ))
            }
            ValidationErrorKind::Not { schema } => {
                let what = describe_clause(schema, None, path, 0).unwrap_or_else(|| "an empty clause, which always holds".to_owned());
                one(format!("matches the \"not\" clause ({what}), which must not hold"))
            }
            ValidationErrorKind::Contains => self.contains(site, value, path),
            _ => one(e.to_string()),
        }
    }

    /// `contains` with its `minContains` / `maxContains`: how many items matched.
    fn contains(&self, site: &Site<'a>, value: &Value, path: &str) -> Vec<Violation> {
        let condition = site.node.get("contains").unwrap_or(&Value::Bool(true));
        let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let count = build(condition).map_or(0, |v| items.iter().filter(|i| v.is_valid(i)).count()) as u64;
        let min = site.node.get("minContains").and_then(as_count).unwrap_or(1);
        let max = site.node.get("maxContains").and_then(as_count);
        let what = describe_condition(condition, 0);
        let mut out = Vec::new();
        if count < min {
            out.push(violation(
                path,
                if count == 0 {
                    format!("has no item that {what} (contains)")
                } else {
                    format!("has {count} matching {}, fewer than minContains {min} (contains: {what})", if count == 1 { "item" } else { "items" })
                },
            ));
        }
        if let Some(max) = max.filter(|&m| count > m) {
            out.push(violation(path, format!("has {count} matching items, more than maxContains {max} (contains: {what})")));
        }
        out
    }
}

fn segment(s: &LocationSegment<'_>) -> String {
    match s {
        LocationSegment::Property(p) => p.to_string(),
        LocationSegment::Index(i) => i.to_string(),
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

