//! Shared helpers for the corpus tests: the manifest, values for every field, and the
//! independent judges (qpdf, poppler's pdftotext/pdftoppm, mutool).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use formsmith_engine::{Field, FieldType, FieldValue};

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// (file, set, notes) rows of MANIFEST.tsv.
pub fn manifest(set: &str) -> Vec<(PathBuf, String)> {
    let text = std::fs::read_to_string(corpus().join("MANIFEST.tsv"))
        .expect("corpus MANIFEST.tsv is readable");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() > 9 && cols[1] == set)
                .then(|| (corpus().join(cols[0]), cols[9].to_string()))
        })
        .collect()
}

/// A type-appropriate value for every fillable field; every fifth free-text field gets
/// non-ASCII text. `on` picks check boxes/radios on (true) or off (false).
pub fn values_for(fields: &[Field], on: bool) -> Vec<(String, FieldValue)> {
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if f.flags.contains(&"ReadOnly") {
            continue;
        }
        let v = match f.kind {
            FieldType::Text => match f.max_len {
                Some(n) if n > 0 => {
                    FieldValue::Text("1234567890".repeat(10).chars().take(n as usize).collect())
                }
                Some(_) => continue,
                None if i % 5 == 0 => FieldValue::Text("Žilina Łódź".into()),
                None => FieldValue::Text(format!("Sample {i}")),
            },
            FieldType::Checkbox if !f.on_states.is_empty() => FieldValue::Bool(on),
            FieldType::Radio if f.options.iter().any(|o| !o.is_empty()) => {
                if on {
                    FieldValue::Text(
                        f.options
                            .iter()
                            .find(|o| !o.is_empty())
                            .cloned()
                            .unwrap_or_default(),
                    )
                } else if f.flags.contains(&"NoToggleToOff") {
                    continue;
                } else {
                    FieldValue::Clear
                }
            }
            FieldType::Combo | FieldType::List if !f.options.is_empty() => {
                FieldValue::Text(f.options[f.options.len() - 1].clone())
            }
            _ => continue,
        };
        out.push((f.name.clone(), v));
    }
    out
}

pub fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("-v").output();
    assert!(
        probe.is_ok(),
        "{name} is not installed: run .ci/run (apt: poppler-utils qpdf mupdf-tools)"
    );
    Command::new(name)
}

pub fn temp_pdf(bytes: &[u8], tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("formsmith-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{}-{}-{tag}.pdf", std::process::id(), unique()));
    std::fs::write(&path, bytes).expect("write temp pdf");
    path
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// qpdf --check: (exit code, number of WARNING lines).
pub fn qpdf_check(path: &Path) -> (i32, usize, String) {
    let out = tool("qpdf")
        .arg("--check")
        .arg(path)
        .output()
        .expect("qpdf runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let warnings = text.lines().filter(|l| l.contains("WARNING")).count();
    (out.status.code().unwrap_or(-1), warnings, text)
}

/// One word of `pdftotext -bbox`: page index, box in top-left coordinates, text.
pub struct Word {
    pub page: usize,
    pub bbox: [f32; 4],
    pub text: String,
}

pub fn pdftotext_words(path: &Path) -> (Vec<(f32, f32)>, Vec<Word>) {
    let out = tool("pdftotext")
        .arg("-bbox")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let html = String::from_utf8_lossy(&out.stdout);
    let mut pages = Vec::new();
    let mut words = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("<page ") {
            pages.push((attr(rest, "width"), attr(rest, "height")));
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let text = rest
                .split_once('>')
                .map(|(_, t)| t.trim_end_matches("</word>"))
                .unwrap_or("");
            words.push(Word {
                page: pages.len().saturating_sub(1),
                bbox: [
                    attr(rest, "xMin"),
                    attr(rest, "yMin"),
                    attr(rest, "xMax"),
                    attr(rest, "yMax"),
                ],
                text: unescape(text),
            });
        }
    }
    (pages, words)
}

fn attr(s: &str, name: &str) -> f32 {
    let key = format!("{name}=\"");
    s.split_once(&key)
        .and_then(|(_, r)| r.split_once('"'))
        .and_then(|(v, _)| v.parse().ok())
        .unwrap_or(0.0)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The characters (spaces dropped) of every word whose centre lies in `rect` (PDF user space).
pub fn text_in_rect(
    pages: &[(f32, f32)],
    words: &[Word],
    page: usize,
    media: [f32; 4],
    rect: [f32; 4],
) -> String {
    let Some(&(_, height)) = pages.get(page) else {
        return String::new();
    };
    let rect = [
        rect[0] - media[0],
        rect[1] - media[1],
        rect[2] - media[0],
        rect[3] - media[1],
    ];
    words
        .iter()
        .filter(|w| w.page == page)
        .filter(|w| {
            let cx = (w.bbox[0] + w.bbox[2]) / 2.0;
            let cy = height - (w.bbox[1] + w.bbox[3]) / 2.0;
            cx >= rect[0] - 1.0 && cx <= rect[2] + 1.0 && cy >= rect[1] - 1.0 && cy <= rect[3] + 1.0
        })
        .map(|w| w.text.as_str())
        .collect()
}

/// True when every character of `want` (spaces ignored) occurs in `got` at least as often.
pub fn chars_present(want: &str, got: &str) -> bool {
    let mut counts: HashMap<char, i32> = HashMap::new();
    for c in got.chars() {
        *counts.entry(c).or_default() += 1;
    }
    want.chars().filter(|c| !c.is_whitespace()).all(|c| {
        let n = counts.entry(c).or_default();
        *n -= 1;
        *n >= 0
    })
}

/// Renders every page to 8-bit gray at 72 dpi: (width, height, pixels) per page.
pub fn render_gray(path: &Path) -> Vec<(usize, usize, Vec<u8>)> {
    // A directory per render: file-name prefixes alone collide between parallel tests.
    let dir = std::env::temp_dir().join("formsmith-tests").join(format!(
        "r{}-{}",
        std::process::id(),
        unique()
    ));
    std::fs::create_dir_all(&dir).expect("render dir");
    let run = tool("pdftoppm")
        .args(["-r", "72", "-gray"])
        .arg(path)
        .arg(dir.join("p"))
        .output()
        .expect("pdftoppm runs");
    assert!(
        run.status.success(),
        "pdftoppm failed on {}",
        path.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("render dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    // pdftoppm zero-pads page numbers to a common width, so a plain sort is page order.
    files.sort();
    let pages = files
        .iter()
        .map(|p| parse_pgm(&std::fs::read(p).expect("pgm")))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    pages
}

fn parse_pgm(data: &[u8]) -> (usize, usize, Vec<u8>) {
    // P5\n<w> <h>\n255\n<pixels>
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    i += 1;
    let w: usize = fields[1].parse().expect("pgm width");
    let h: usize = fields[2].parse().expect("pgm height");
    (w, h, data[i..i + w * h].to_vec())
}

/// Dark pixels inside `rect` (user space, unrotated page of height `page_h` points at 72 dpi).
pub fn ink(page: &(usize, usize, Vec<u8>), page_h: f32, rect: [f32; 4]) -> usize {
    let (w, h, px) = page;
    let x0 = rect[0].max(0.0) as usize + 1;
    let x1 = (rect[2].max(0.0) as usize).min(*w).saturating_sub(1);
    let y0 = ((page_h - rect[3]).max(0.0) as usize + 1).min(*h);
    let y1 = ((page_h - rect[1]).max(0.0) as usize)
        .min(*h)
        .saturating_sub(1);
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if px[y * w + x] < 128 {
                n += 1;
            }
        }
    }
    n
}

/// Per page: media box (pdftoppm and pdftotext -bbox use it), crop box and
/// /Rotate, read with lopdf (a second, independent open).
pub struct PageBox {
    pub media: [f32; 4],
    pub crop: [f32; 4],
    pub rotate: i64,
}

pub fn page_geometry(path: &Path) -> Vec<PageBox> {
    let doc = lopdf::Document::load(path).expect("lopdf reopens the output");
    let lookup = |id: lopdf::ObjectId, key: &[u8]| -> Option<lopdf::Object> {
        let mut cur = Some(id);
        for _ in 0..32 {
            let d = doc.get_dictionary(cur?).ok()?;
            if let Ok(o) = d.get(key) {
                return doc.dereference(o).ok().map(|(_, o)| o.clone());
            }
            cur = d.get(b"Parent").ok().and_then(|p| p.as_reference().ok());
        }
        None
    };
    let boxed = |o: Option<lopdf::Object>| -> Option<[f32; 4]> {
        let a = o?.as_array().ok()?.clone();
        let n: Vec<f32> = a
            .iter()
            .filter_map(|o| doc.dereference(o).ok()?.1.as_float().ok())
            .collect();
        (n.len() == 4).then(|| {
            [
                n[0].min(n[2]),
                n[1].min(n[3]),
                n[0].max(n[2]),
                n[1].max(n[3]),
            ]
        })
    };
    doc.get_pages()
        .values()
        .map(|id| {
            let media = boxed(lookup(*id, b"MediaBox")).unwrap_or([0.0, 0.0, 612.0, 792.0]);
            let crop = boxed(lookup(*id, b"CropBox")).unwrap_or(media);
            let rotate = lookup(*id, b"Rotate")
                .and_then(|r| r.as_i64().ok())
                .unwrap_or(0)
                .rem_euclid(360);
            PageBox {
                media,
                crop,
                rotate,
            }
        })
        .collect()
}

/// Pixels inside `rect` whose gray level differs by more than 40 between two renders: the
/// visible mark a checked button adds (on coloured widgets "dark ink" alone would miss it).
pub fn changed_pixels(
    a: &(usize, usize, Vec<u8>),
    b: &(usize, usize, Vec<u8>),
    page_h: f32,
    rect: [f32; 4],
) -> usize {
    let (w, h, pa) = a;
    let pb = &b.2;
    if pa.len() != pb.len() {
        return usize::MAX;
    }
    let x0 = rect[0].max(0.0) as usize;
    let x1 = (rect[2].max(0.0).ceil() as usize).min(*w);
    let y0 = ((page_h - rect[3]).max(0.0) as usize).min(*h);
    let y1 = ((page_h - rect[1]).max(0.0).ceil() as usize).min(*h);
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if pa[y * w + x].abs_diff(pb[y * w + x]) > 40 {
                n += 1;
            }
        }
    }
    n
}
