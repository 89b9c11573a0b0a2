//! Open with the engine's Form API, list fields, fill every field with a value derived from
//! the input, save (incremental or full rewrite, flattened or not), reopen the output.
#![no_main]

use formsmith_engine::{FieldType, FieldValue, FillOptions, Form, SaveOptions};
use libfuzzer_sys::fuzz_target;

/// Texts of every script the fonts handle, controls, PDF string delimiters, long lines.
const TEXTS: &[&str] = &[
    "",
    "Jordan Avery",
    "123-45-6789",
    "line one\nline two\r\nline three\rfour",
    "(paren) \\backslash) <hex> [arr] /name %comment",
    "Ünïcödé — “quotes” €",
    "日本語のテキスト 한국어 中文",
    "\u{1F600}\u{200D}\u{0301}\u{FEFF}",
    "\0\u{1}\u{7}\u{1b}\t\u{7f}",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
];

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fuzz_target!(|data: &[u8]| {
    let options = formsmith_fuzz::open_options();
    let Ok(mut form) = Form::open(data, &options) else {
        return;
    };
    // The choice of values and save mode comes from the input's tail (mutations there
    // change the values, mutations elsewhere the document).
    let tail = &data[data.len().saturating_sub(16)..];
    let mut h = fnv(tail);
    let mut next = || {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        h
    };
    let snippet: String = String::from_utf8_lossy(tail).into_owned();
    let mut values = Vec::new();
    for field in form.fields().iter().take(500) {
        let r = next();
        let text = if r % 11 == 10 {
            snippet.clone()
        } else {
            TEXTS[(r % 11) as usize % TEXTS.len()].to_string()
        };
        let pick = |list: &[String]| list.get((r >> 8) as usize % list.len().max(1)).cloned();
        let value = match field.kind {
            FieldType::Button | FieldType::Signature => continue,
            _ if r % 17 == 0 => FieldValue::Clear,
            FieldType::Text => FieldValue::Text(text),
            FieldType::Checkbox => match r % 3 {
                0 => FieldValue::Bool(true),
                1 => FieldValue::Bool(false),
                _ => FieldValue::Text(pick(&field.on_states).unwrap_or(text)),
            },
            FieldType::Radio => {
                FieldValue::Text(pick(&field.options).or_else(|| pick(&field.on_states)).unwrap_or(text))
            }
            FieldType::Combo => FieldValue::Text(if r % 4 == 0 { text } else { pick(&field.options).unwrap_or(text) }),
            FieldType::List => {
                if r % 2 == 0 {
                    FieldValue::Choices(field.options.iter().take(3).cloned().collect())
                } else {
                    FieldValue::Text(pick(&field.options).unwrap_or(text))
                }
            }
        };
        values.push((field.name.clone(), value));
    }
    // Refused values (read-only, not an option) are fine: the fill changes nothing then.
    let _ = form.fill(&values, &FillOptions { truncate: true });
    let r = next();
    let save = SaveOptions {
        flatten: r & 1 == 1,
        full_rewrite: r & 2 == 2,
    };
    let Ok(out) = form.save(&save) else {
        return;
    };
    if let Ok(again) = Form::open(&out, &options) {
        let _ = again.fields().len();
    }
});
