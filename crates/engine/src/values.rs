//! Values to write: from a JSON object (field name -> value) or an XFDF document.

use quick_xml::events::Event;
use serde_json::Value as Json;

use crate::error::{Error, Result};

/// A value for one field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text field, combo box, radio group (export value or label), single-select list,
    /// or a check box's on-state name.
    Text(String),
    /// Check box on (true) or off (false).
    Bool(bool),
    /// Selected options of a list box (several when MultiSelect).
    Choices(Vec<String>),
    /// An image (PNG or JPEG bytes) for a signature field.
    Image(Vec<u8>),
    /// Clear the field.
    Clear,
}

/// Field values in the order given (the order only matters for error messages).
pub type Values = Vec<(String, FieldValue)>;

/// Parses a JSON object mapping fully qualified field names to values:
/// string, bool, number, array of strings, null, or `{"image": "path"}` for signatures.
/// `load_image` reads an image path (the engine does no I/O itself).
pub fn values_from_json(
    json: &Json,
    load_image: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<Values> {
    let Json::Object(map) = json else {
        return Err(Error::BadValues(
            "expected a JSON object mapping field names to values".into(),
        ));
    };
    let mut out = Values::with_capacity(map.len());
    for (name, v) in map {
        let value = match v {
            Json::String(s) => FieldValue::Text(s.clone()),
            Json::Bool(b) => FieldValue::Bool(*b),
            Json::Number(n) => FieldValue::Text(n.to_string()),
            Json::Null => FieldValue::Clear,
            Json::Array(items) => FieldValue::Choices(
                items
                    .iter()
                    .map(|i| match i {
                        Json::String(s) => Ok(s.clone()),
                        Json::Number(n) => Ok(n.to_string()),
                        _ => Err(Error::BadValues(format!(
                            "field {name:?}: list values must be strings"
                        ))),
                    })
                    .collect::<Result<_>>()?,
            ),
            Json::Object(o) => match o.get("image") {
                Some(Json::String(path)) => FieldValue::Image(load_image(path)?),
                _ => {
                    return Err(Error::BadValues(format!(
                        "field {name:?}: an object value must be {{\"image\": \"path/to/image.png\"}}"
                    )));
                }
            },
        };
        out.push((name.clone(), value));
    }
    Ok(out)
}

/// Most nesting followed in an XFDF document.
const MAX_XFDF_DEPTH: usize = 64;

/// Parses XFDF (`<xfdf><fields><field name="a"><value>..</value></field>..`), nested
/// `<field>` elements giving dotted names. Several `<value>`s make a multi-select value.
pub fn values_from_xfdf(xml: &[u8]) -> Result<Values> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut names: Vec<String> = Vec::new();
    // Per open <field>: collected values.
    let mut collected: Vec<Vec<String>> = Vec::new();
    let mut in_value = false;
    let mut text = String::new();
    let mut out = Values::new();
    let mut buf = Vec::new();
    let bad = |e: &dyn std::fmt::Display| Error::BadValues(format!("XFDF: {e}"));
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| bad(&e))? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"field" => {
                    if names.len() >= MAX_XFDF_DEPTH {
                        return Err(bad(&"fields nested too deeply"));
                    }
                    let mut name = None;
                    for a in e.attributes().flatten() {
                        if a.key.local_name().as_ref() == b"name" {
                            name = Some(a.unescape_value().map_err(|e| bad(&e))?.into_owned());
                        }
                    }
                    names.push(name.ok_or_else(|| bad(&"<field> without a name attribute"))?);
                    collected.push(Vec::new());
                }
                b"value" => {
                    in_value = true;
                    text.clear();
                }
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == b"value" => {
                if let Some(c) = collected.last_mut() {
                    c.push(String::new());
                }
            }
            Event::Text(t) if in_value => {
                text.push_str(&t.decode().map_err(|e| bad(&e))?);
            }
            Event::GeneralRef(r) if in_value => {
                let name = r.decode().map_err(|e| bad(&e))?;
                let resolved = match name.as_ref() {
                    "amp" => "&".to_string(),
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    other => other
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| other.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32)
                        .map(String::from)
                        .ok_or_else(|| bad(&format!("unknown entity &{other};")))?,
                };
                text.push_str(&resolved);
            }
            Event::CData(t) if in_value => text.push_str(&String::from_utf8_lossy(&t)),
            Event::End(e) => match e.local_name().as_ref() {
                b"value" => {
                    in_value = false;
                    if let Some(c) = collected.last_mut() {
                        c.push(std::mem::take(&mut text));
                    }
                }
                b"field" => {
                    let values = collected.pop().unwrap_or_default();
                    let name = names.join(".");
                    names.pop();
                    match values.len() {
                        0 => {}
                        1 => out.push((
                            name,
                            FieldValue::Text(values.into_iter().next().unwrap_or_default()),
                        )),
                        _ => out.push((name, FieldValue::Choices(values))),
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if out.is_empty() {
        return Err(Error::BadValues(
            "XFDF has no <field> with a <value>".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xfdf_nested_and_multi() {
        let x = br#"<?xml version="1.0"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>
            <field name="a"><field name="b"><value>x &amp; y</value></field></field>
            <field name="list"><value>one</value><value>two</value></field></fields></xfdf>"#;
        let v = values_from_xfdf(x).expect("parses");
        assert_eq!(v[0], ("a.b".into(), FieldValue::Text("x & y".into())));
        assert_eq!(
            v[1],
            (
                "list".into(),
                FieldValue::Choices(vec!["one".into(), "two".into()])
            )
        );
    }

    #[test]
    fn json_kinds() {
        let j: Json = serde_json::json!({"t": "hi", "c": true, "n": 12, "l": ["a"], "z": null});
        let v = values_from_json(&j, &|_| Ok(vec![])).expect("parses");
        assert_eq!(v.len(), 5);
        assert!(values_from_json(&serde_json::json!([1]), &|_| Ok(vec![])).is_err());
    }
}
