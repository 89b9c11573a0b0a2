//! Small, panic-free helpers over lopdf objects: resolving references, typed lookups,
//! text strings. Every lookup tolerates wrong types by returning `None`.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Longest chain of references followed when resolving one object (guards cycles).
const MAX_REF_CHAIN: usize = 16;

pub(crate) fn resolve<'a>(doc: &'a Document, mut obj: &'a Object) -> &'a Object {
    for _ in 0..MAX_REF_CHAIN {
        match obj {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(next) => obj = next,
                None => return &Object::Null,
            },
            _ => return obj,
        }
    }
    &Object::Null
}

pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key)
        .ok()
        .map(|o| resolve(doc, o))
        .filter(|o| !matches!(o, Object::Null))
}

pub(crate) fn get_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Vec<Object>> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

pub(crate) fn get_name<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub(crate) fn get_number(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f32> {
    number(get(doc, dict, key)?)
}

pub(crate) fn number(obj: &Object) -> Option<f32> {
    match obj {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

pub(crate) fn get_int(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<i64> {
    match get(doc, dict, key)? {
        Object::Integer(i) => Some(*i),
        Object::Real(r) if r.is_finite() => Some(*r as i64),
        _ => None,
    }
}

pub(crate) fn dict_of(doc: &Document, id: ObjectId) -> Option<&Dictionary> {
    match doc.objects.get(&id)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn dict_of_mut(doc: &mut Document, id: ObjectId) -> Option<&mut Dictionary> {
    match doc.objects.get_mut(&id)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&mut s.dict),
        _ => None,
    }
}

/// A text string (PDFDocEncoding, UTF-16BE or UTF-8 with BOM) or a name, as Rust text.
pub(crate) fn text(obj: &Object) -> Option<String> {
    match obj {
        Object::String(..) => lopdf::decode_text_string(obj).ok().or_else(|| {
            obj.as_str()
                .ok()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        }),
        Object::Name(n) => Some(name_text(n)),
        _ => None,
    }
}

pub(crate) fn get_text(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    text(get(doc, dict, key)?)
}

/// Longest action script read: format scripts are one call (`AFDate_FormatEx("mm/dd/yyyy");`);
/// a longer one is a program, not a format, and is not needed whole.
const MAX_SCRIPT_BYTES: u64 = 16 * 1024;

/// The JavaScript of the additional action `trigger` (`F` format, `K` keystroke…) in
/// `dict`'s /AA: a /JS text string, or a stream (raw or Flate, read up to 16 KiB).
pub(crate) fn action_script(doc: &Document, dict: &Dictionary, trigger: &[u8]) -> Option<String> {
    use std::io::Read;
    let action = get_dict(doc, get_dict(doc, dict, b"AA")?, trigger)?;
    if get_name(doc, action, b"S") != Some(b"JavaScript".as_slice()) {
        return None;
    }
    let bytes = match get(doc, action, b"JS")? {
        Object::Stream(stream) => {
            let flate = matches!(stream.dict.get(b"Filter").map(|f| resolve(doc, f)), Ok(Object::Name(n)) if n == b"FlateDecode");
            let mut out = Vec::new();
            if flate {
                let reader = flate2::read::ZlibDecoder::new(stream.content.as_slice());
                reader.take(MAX_SCRIPT_BYTES).read_to_end(&mut out).ok()?;
            } else if stream.dict.get(b"Filter").is_err() {
                out = stream
                    .content
                    .iter()
                    .take(MAX_SCRIPT_BYTES as usize)
                    .copied()
                    .collect();
            } else {
                return None;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        other => text(other)?,
    };
    let bytes: String = bytes.chars().take(MAX_SCRIPT_BYTES as usize).collect();
    Some(bytes).filter(|s| !s.trim().is_empty())
}

/// Names are bytes; real forms put UTF-8 (and sometimes Latin-1) in them.
pub(crate) fn name_text(name: &[u8]) -> String {
    match std::str::from_utf8(name) {
        Ok(s) => s.to_owned(),
        Err(_) => name.iter().map(|&b| b as char).collect(),
    }
}

/// A PDF text string for `s`: literal PDFDocEncoding when ASCII, else UTF-16BE with BOM.
pub(crate) fn text_string(s: &str) -> Object {
    lopdf::text_string(s)
}

/// A normalised rectangle (x0 <= x1, y0 <= y1) from a 4-number array.
pub(crate) fn rect(doc: &Document, obj: &Object) -> Option<[f32; 4]> {
    let Object::Array(a) = resolve(doc, obj) else {
        return None;
    };
    if a.len() != 4 {
        return None;
    }
    let mut n = [0f32; 4];
    for (slot, o) in n.iter_mut().zip(a) {
        *slot = number(resolve(doc, o))?;
    }
    Some([
        n[0].min(n[2]),
        n[1].min(n[3]),
        n[0].max(n[2]),
        n[1].max(n[3]),
    ])
}

/// A 6-number transformation matrix at `key` (e.g. a form XObject's /Matrix).
pub(crate) fn get_matrix(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<[f32; 6]> {
    let a = get_array(doc, dict, key)?;
    if a.len() != 6 {
        return None;
    }
    let mut m = [0f32; 6];
    for (slot, o) in m.iter_mut().zip(a) {
        *slot = number(resolve(doc, o))?;
    }
    Some(m)
}

/// Compresses `data` for a FlateDecode stream.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    // Level 6 costs twice level 1's time for a few percent on form data.
    let mut enc = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 3 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Formats a number for a content stream: at most 3 decimals, no exponent, no "-0".
pub(crate) fn fmt_num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let milli = (f64::from(v) * 1000.0).round() as i64;
    if milli == 0 {
        return "0".into();
    }
    let (sign, abs) = if milli < 0 {
        ("-", -milli)
    } else {
        ("", milli)
    };
    let (int, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_format_compactly() {
        use super::fmt_num;
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(-0.0004), "0");
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(1.5), "1.5");
        assert_eq!(fmt_num(-2.125), "-2.125");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(f32::NAN), "0");
    }
}
