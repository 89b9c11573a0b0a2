//! Shared helpers: the corpus, PDFs built in tests, pdftotext as the judge.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// The shared corpus, read in place.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Rows of MANIFEST.tsv as (file, set, notes).
pub fn manifest() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("corpus manifest");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Some((c.first()?.to_string(), c.get(1)?.to_string(), c.get(9)?.to_string()))
        })
        .collect()
}

/// What a test page draws.
pub enum Mark {
    /// Text at (x, y) (baseline, PDF user space) in Helvetica of `size`, bold or not.
    Text(f64, f64, f64, bool, &'static str),
    /// An owned text.
    Owned(f64, f64, f64, bool, String),
    /// A stroked line from (x0, y0) to (x1, y1).
    Line(f64, f64, f64, f64),
}

/// A PDF with one letter-size page per entry.
pub fn make_pdf(pages: Vec<Vec<Mark>>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids = Vec::new();
    for marks in pages {
        let mut ops = Vec::new();
        for m in marks {
            let (x, y, size, b, text) = match m {
                Mark::Text(x, y, s, b, t) => (x, y, s, b, t.to_string()),
                Mark::Owned(x, y, s, b, t) => (x, y, s, b, t),
                Mark::Line(x0, y0, x1, y1) => {
                    ops.push(Operation::new("w", vec![0.8.into()]));
                    ops.push(Operation::new("m", vec![x0.into(), y0.into()]));
                    ops.push(Operation::new("l", vec![x1.into(), y1.into()]));
                    ops.push(Operation::new("S", vec![]));
                    continue;
                }
            };
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec![(if b { "F2" } else { "F1" }).into(), size.into()]));
            ops.push(Operation::new("Td", vec![x.into(), y.into()]));
            // WinAnsi bytes: characters up to U+00FF as themselves (U+0095 is the bullet).
            let bytes: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
            ops.push(Operation::new("Tj", vec![Object::String(bytes, lopdf::StringFormat::Literal)]));
            ops.push(Operation::new("ET", vec![]));
        }
        let content = Content { operations: ops };
        let stream = doc.add_object(Stream::new(dictionary! {}, content.encode().expect("encode content")));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Contents" => stream, "Resources" => resources,
        });
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save test pdf");
    out
}

/// `pdftotext` of a file (pages `first..=last` when given).
pub fn pdftotext(path: &Path, range: Option<(usize, usize)>) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some((f, l)) = range {
        cmd.args(["-f", &f.to_string(), "-l", &l.to_string()]);
    }
    let out = cmd.arg(path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `pdftotext` of the page content only: a copy without annotations (widget appearances
/// are read as key_value blocks from the form's values, not as page text).
pub fn pdftotext_page_content(path: &Path) -> String {
    let Ok(mut doc) = Document::load(path) else {
        return pdftotext(path, None);
    };
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
    for id in pages {
        if let Ok(page) = doc.get_object_mut(id).and_then(Object::as_dict_mut) {
            page.remove(b"Annots");
        }
    }
    let tmp = std::env::temp_dir().join(format!(
        "parse-test-{}-{}.pdf",
        std::process::id(),
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    if doc.save(&tmp).is_err() {
        return pdftotext(path, None);
    }
    let text = pdftotext(&tmp, None);
    let _ = std::fs::remove_file(&tmp);
    text
}

fn counts(s: &str) -> HashMap<char, usize> {
    let mut m = HashMap::new();
    for c in s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase) {
        *m.entry(c).or_default() += 1;
    }
    m
}

/// Share of `reference`'s non-whitespace characters (a multiset, case folded: small-caps
/// fonts map to either case) found in `ours`.
pub fn recall(reference: &str, ours: &str) -> f64 {
    let (r, o) = (counts(reference), counts(ours));
    let total: usize = r.values().sum();
    if total == 0 {
        return 1.0;
    }
    let hit: usize = r.iter().map(|(c, n)| (*n).min(o.get(c).copied().unwrap_or(0))).sum();
    hit as f64 / total as f64
}

/// Whether pdftotext's text is glyph codes rather than text (fonts without a Unicode
/// mapping): control characters in it.
pub fn garbled(reference: &str) -> bool {
    let total = reference.chars().filter(|c| !c.is_whitespace()).count().max(1);
    let control = reference.chars().filter(|c| c.is_control() && !c.is_whitespace()).count();
    control * 200 > total
}

/// Parses with a config given as JSON.
pub fn parse_with(bytes: &[u8], config: serde_json::Value) -> formsmith_parse::Result<formsmith_parse::ParseOutcome> {
    let config = formsmith_parse::ParseConfig::from_json(&config)?;
    formsmith_parse::parse(
        bytes,
        &formsmith_parse::ParseRequest {
            config,
            ..Default::default()
        },
    )
}

/// All chunk contents joined.
pub fn all_text(out: &formsmith_parse::ParseOutcome) -> String {
    out.output.chunks.iter().map(|c| c.content.as_str()).collect::<Vec<_>>().join("\n")
}
