//! JSON objects pasted into instructions: in a ```json fence or inline among prose.

use serde_json::{Map, Value};

/// Left where an object was taken out, so the words around it ("Fill from") are known
/// to be about it.
pub(super) const MARKER: char = '\u{1}';

/// Most `{` positions tried as the start of an inline object (bounds the work on text full
/// of braces).
const MAX_ATTEMPTS: usize = 32;

/// The JSON objects found in `text`, and the text without them.
pub(super) fn take_objects(text: &str) -> (Vec<Map<String, Value>>, String) {
    let mut objects = Vec::new();
    let mut rest = String::with_capacity(text.len());
    let mut remaining = text;
    // Fenced blocks first: ```json ... ``` (or a bare ``` fence holding an object).
    while let Some(start) = remaining.find("```") {
        let after_fence = &remaining[start + 3..];
        let body_start = after_fence.find('\n').map(|n| n + 1).unwrap_or(0);
        let info = after_fence[..body_start].trim();
        let Some(end) = after_fence[body_start..].find("```") else {
            break;
        };
        let body = &after_fence[body_start..body_start + end];
        let body = if body_start == 0 {
            body.trim_start_matches("json")
        } else {
            body
        };
        match serde_json::from_str::<Value>(body.trim()) {
            Ok(Value::Object(map))
                if info.is_empty() || info.eq_ignore_ascii_case("json") || body_start == 0 =>
            {
                objects.push(map);
                rest.push_str(&remaining[..start]);
                rest.push('\n');
                rest.push(MARKER);
                rest.push('\n');
            }
            _ => rest.push_str(&remaining[..start + 3 + body_start + end + 3]),
        }
        remaining = &after_fence[body_start + end + 3..];
    }
    rest.push_str(remaining);

    // Inline objects: the first `{` that starts a complete JSON object.
    let text = rest;
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    let mut attempts = 0;
    while let Some(offset) = text[cursor..].find('{') {
        let start = cursor + offset;
        attempts += 1;
        if attempts > MAX_ATTEMPTS {
            break;
        }
        let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(Value::Object(map))) => {
                let end = start + stream.byte_offset();
                objects.push(map);
                out.push_str(&text[cursor..start]);
                out.push(MARKER);
                cursor = end;
            }
            _ => {
                out.push_str(&text[cursor..start + 1]);
                cursor = start + 1;
            }
        }
    }
    out.push_str(&text[cursor..]);
    (objects, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fenced_and_inline_objects() {
        let (objects, rest) =
            take_objects("Use these:\n```json\n{\"a\": 1}\n```\nthen {\"b\": \"x, y\"} and sign.");
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0]["a"], 1);
        assert_eq!(objects[1]["b"], "x, y");
        assert!(rest.contains("Use these:") && rest.contains("and sign.") && !rest.contains('{'));
        assert_eq!(rest.matches(MARKER).count(), 2);
        let (objects, rest) = take_objects("not json {here");
        assert!(objects.is_empty());
        assert_eq!(rest, "not json {here");
    }
}
