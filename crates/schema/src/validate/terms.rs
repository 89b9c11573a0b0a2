//! What both checks share: the edit schema's keywords, limits, and how messages phrase
//! values, types and paths.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex, PoisonError};

use serde_json::{Map, Value};

use crate::Violation;

/// How deeply schema nodes (fields, rows, clauses, conditions) may nest. Deeper schemas are
/// reported by [`check_schema`] instead of being walked.
pub const MAX_DEPTH: usize = 32;

/// Compiled size limit for a `pattern` (bytes of program and of lazy DFA cache).
pub(super) const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Recursion bound for value comparisons and null stripping (serde_json parses at most 128).
pub(super) const VALUE_DEPTH: usize = 128;

/// Longest description of a condition quoted in a message.
pub(super) const DESCRIPTION_CHARS: usize = 300;

pub(super) const FIELD_TYPE: &str = "extend_edit:field_type";
pub(super) const TEXT_OPTIONS: &str = "extend_edit:text_edit_options";

/// `extend_edit:field_type` values (SDK `EditJsonExtendEditFieldType`).
pub(super) const FIELD_TYPES: [&str; 8] = [
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
pub(super) const EXTEND_KEYS: [&str; 10] = [
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
pub(super) const CONDITIONAL_KEYWORDS: [&str; 8] = [
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
pub(super) const ANNOTATIONS: [&str; 5] = ["description", "title", "$comment", "examples", "default"];

pub(super) const CLAUSE_KEYWORDS: &str =
    "properties, required, dependentRequired, if, then, else, allOf, anyOf, oneOf, not";

pub(super) const CONDITION_KEYWORDS: &str = "type, enum, const, pattern, minimum, maximum, \
    exclusiveMinimum, exclusiveMaximum, minLength, maxLength, items, properties, required, \
    additionalProperties, contains, minItems, maxItems, minContains, maxContains";

pub(super) const EDIT_TYPES: &str = "[\"string\", \"null\"], [\"number\", \"null\"], \
    [\"integer\", \"null\"], [\"boolean\", \"null\"], \"array\" or \"object\"";


pub(super) fn violation(path: &str, message: impl Into<String>) -> Violation {
    Violation {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// `base` + `/` + `key` with JSON Pointer escaping (`~` -> `~0`, `/` -> `~1`).
pub(super) fn child(base: &str, key: &str) -> String {
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

pub(super) fn index(base: &str, i: usize) -> String {
    format!("{base}/{i}")
}

/// Keeps the first of each (path, message) pair, in order.
pub(super) fn dedupe(violations: Vec<Violation>) -> Vec<Violation> {
    let mut seen = HashSet::new();
    violations
        .into_iter()
        .filter(|v| seen.insert((v.path.clone(), v.message.clone())))
        .collect()
}

/// Why `pattern` does not compile (with the size bounds the validator uses), or `None`.
/// Patterns repeat across fields and schemas (an SSN's, a date's): each is compiled once,
/// and the answers for the last thousand or so short patterns are kept.
pub(super) fn pattern_problem(pattern: &str) -> Option<String> {
    static SEEN: LazyLock<Mutex<HashMap<String, Option<String>>>> = LazyLock::new(Mutex::default);
    let seen = || SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = seen().get(pattern) {
        return known.clone();
    }
    let problem = regex::RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .err()
        .map(|e| regex_error(&e));
    if pattern.len() <= 1024 {
        let mut seen = seen();
        if seen.len() >= 1024 {
            seen.clear();
        }
        seen.insert(pattern.to_owned(), problem.clone());
    }
    problem
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
pub(super) fn as_count(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f <= 9_007_199_254_740_992.0)
            .map(|f| f as u64)
    })
}

pub(super) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The values with null object members removed, at every level (array items stay).
pub(super) fn strip_nulls_map(map: &Map<String, Value>, depth: usize) -> Map<String, Value> {
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), strip_nulls(v, depth + 1)))
        .collect()
}

pub(super) fn strip_nulls(v: &Value, depth: usize) -> Value {
    match v {
        Value::Object(map) if depth < VALUE_DEPTH => Value::Object(strip_nulls_map(map, depth)),
        Value::Array(items) if depth < VALUE_DEPTH => {
            Value::Array(items.iter().map(|x| strip_nulls(x, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// Compact JSON, cut at 60 characters.
pub(super) fn short(v: &Value) -> String {
    truncate(&v.to_string(), 60)
}

/// A value as it reads in "not ...": scalars as JSON, containers by kind.
pub(super) fn shown(v: &Value) -> String {
    match v {
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => short(other),
    }
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// `"a", "b", "c"`, cut after 10 of more than 12.
pub(super) fn list_values(options: &[Value]) -> String {
    let mut shown: Vec<String> = options.iter().take(12).map(short).collect();
    if options.len() > 12 {
        shown.truncate(10);
        shown.push(format!("… ({} values in all)", options.len()));
    }
    shown.join(", ")
}

pub(super) fn quoted(names: &[&str]) -> String {
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

/// The message for a value whose key names no property, or `None` when the type fits.
pub(super) fn type_mismatch(t: &Value, value: &Value) -> Option<String> {
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

pub(super) fn type_matches(name: &str, value: &Value) -> bool {
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
pub(super) fn type_phrase(names: &[&str]) -> String {
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

pub(super) fn is_integer(v: &Value) -> bool {
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
pub(super) fn unplaceable(path: &str, name: &str, props: &Map<String, Value>) -> String {
    let hint = suggest(name, props.keys().map(String::as_str));
    let whose = if path.is_empty() {
        "the schema"
    } else {
        "this row or object"
    };
    format!("is not a property of {whose}, so it cannot be placed{hint}")
}

