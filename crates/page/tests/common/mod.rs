//! Shared helpers: the corpus, and poppler (`pdftotext -bbox`, `pdfinfo -box`) as the
//! independent judge of where words are.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use formsmith_page::PageText;

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// A corpus file's path (`rel` below the corpus folder).
pub fn corpus_path(rel: &str) -> PathBuf {
    Path::new(CORPUS).join(rel)
}

/// A corpus file's bytes.
pub fn read_corpus(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The PDFs of one corpus folder, sorted by name.
pub fn pdfs(set: &str) -> Vec<PathBuf> {
    let dir = Path::new(CORPUS).join(set);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    files
}

/// How a page is displayed: its CropBox (user space) and /Rotate, as poppler reads them.
#[derive(Debug, Clone, Copy)]
pub struct Display {
    pub crop: [f64; 4],
    pub rotate: i32,
}

impl Display {
    /// A point of pdftotext's output (top-left origin of the displayed page) in user space.
    pub fn to_user(self, dx: f64, dy: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.crop;
        match self.rotate {
            90 => (dy + x0, dx + y0),
            180 => (x1 - dx, dy + y0),
            270 => (x1 - dy, y1 - dx),
            _ => (dx + x0, y1 - dy),
        }
    }
}

/// Per page (zero-based) CropBox and rotation, from `pdfinfo -box`.
pub fn display_boxes(path: &Path) -> Vec<Display> {
    let out = Command::new("pdfinfo")
        .args(["-box", "-f", "1", "-l", "100000"])
        .arg(path)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut pages: Vec<Display> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Page") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let Some(n) = parts.next().and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        if n == 0 {
            continue;
        }
        while pages.len() < n {
            pages.push(Display {
                crop: [0.0, 0.0, 612.0, 792.0],
                rotate: 0,
            });
        }
        let page = &mut pages[n - 1];
        match parts.next() {
            Some("CropBox:") => {
                let v: Vec<f64> = parts.filter_map(|x| x.parse().ok()).collect();
                if v.len() == 4 {
                    page.crop = [v[0], v[1], v[2], v[3]];
                }
            }
            Some("rot:") => {
                page.rotate = parts.next().and_then(|r| r.parse().ok()).unwrap_or(0);
            }
            _ => {}
        }
    }
    pages
}

/// One word as pdftotext sees it, with its centre in user space.
#[derive(Debug, Clone)]
pub struct JudgeWord {
    pub text: String,
    pub centre: (f64, f64),
}

/// `pdftotext -bbox` words per page of `path`, centres converted into user space with the
/// page boxes of `geometry_from` (the same file, or the original of a copy).
pub fn pdftotext_words(path: &Path, geometry_from: &Path) -> Vec<Vec<JudgeWord>> {
    let displays = display_boxes(geometry_from);
    let out = Command::new("pdftotext")
        .args(["-bbox", "-cropbox", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut pages: Vec<Vec<JudgeWord>> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Vec::new());
            continue;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let Some((attrs, tail)) = rest.split_once('>') else {
            continue;
        };
        let Some(word) = tail.strip_suffix("</word>") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            attrs
                .split_whitespace()
                .find_map(|a| a.strip_prefix(name))
                .and_then(|v| {
                    v.trim_start_matches("=\"")
                        .trim_end_matches('"')
                        .parse()
                        .ok()
                })
                .unwrap_or(0.0)
        };
        let (cx, cy) = (
            (attr("xMin") + attr("xMax")) / 2.0,
            (attr("yMin") + attr("yMax")) / 2.0,
        );
        let index = pages.len().saturating_sub(1);
        let display = displays.get(index).copied().unwrap_or(Display {
            crop: [0.0, 0.0, 612.0, 792.0],
            rotate: 0,
        });
        if let Some(page) = pages.last_mut() {
            page.push(JudgeWord {
                text: unescape(word),
                centre: display.to_user(cx, cy),
            });
        }
    }
    pages
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Text compared without the differences that say nothing about position: ligatures,
/// typographic quotes and dashes, letter case.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            '\u{2018}' | '\u{2019}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{00AD}' | '\u{2212}' => {
                out.push('-')
            }
            c if c.is_whitespace() || c.is_control() => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Whether pdftotext needs poppler-data (CID-to-Unicode tables, predefined CMaps) to read
/// this file: a CID font without a ToUnicode map, or with a predefined encoding CMap.
pub fn needs_poppler_data(path: &Path) -> bool {
    let Ok(out) = Command::new("pdffonts").arg(path).output() else {
        return false;
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter(|l| l.contains("CID"))
        .any(|l| {
            // ... encoding emb sub uni object-number generation
            let cols: Vec<&str> = l.split_whitespace().rev().collect();
            let (uni, encoding) = (cols.get(2), cols.get(5));
            uni == Some(&"no") || !encoding.is_some_and(|e| e.starts_with("Identity"))
        })
}

/// poppler-data is only recommended by poppler-utils, so a minimal install lacks it.
pub fn poppler_data_installed() -> bool {
    Path::new("/usr/share/poppler/cidToUnicode").is_dir()
}

/// A copy of the PDF without annotations (decrypted, rewritten by lopdf), for pdftotext:
/// poppler draws annotation appearances (filled values), which we leave out on purpose.
/// `None` when lopdf cannot rewrite the file.
pub fn without_annotations(bytes: &[u8], tag: &str) -> Option<PathBuf> {
    let mut doc = lopdf::Document::load_mem(bytes).ok()?;
    if doc.is_encrypted() {
        doc.decrypt("").ok()?;
    }
    for (_, id) in doc.get_pages() {
        if let Ok(page) = doc.get_dictionary_mut(id) {
            page.remove(b"Annots");
        }
    }
    let out = std::env::temp_dir().join(format!(
        "formsmith-detect-{}-{}.pdf",
        std::process::id(),
        tag.replace('/', "_")
    ));
    doc.save(&out).ok()?;
    Some(out)
}

/// Rectangles of every annotation of every page (user space), read with lopdf: pdftotext
/// draws annotation appearances (filled values), which we leave out on purpose.
pub fn annotation_rects(bytes: &[u8]) -> Vec<Vec<[f64; 4]>> {
    let Ok(mut doc) = lopdf::Document::load_mem(bytes) else {
        return Vec::new();
    };
    if doc.is_encrypted() {
        let _ = doc.decrypt("");
    }
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let mut rects = Vec::new();
        if let Ok(annots) = doc.get_page_annotations(page_id) {
            for annot in annots {
                let rect = annot
                    .get(b"Rect")
                    .ok()
                    .and_then(|o| match o {
                        lopdf::Object::Reference(id) => doc.get_object(*id).ok(),
                        other => Some(other),
                    })
                    .and_then(|o| o.as_array().ok())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| match v {
                                lopdf::Object::Integer(i) => Some(*i as f64),
                                lopdf::Object::Real(r) => Some(f64::from(*r)),
                                _ => None,
                            })
                            .collect::<Vec<f64>>()
                    });
                if let Some(v) = rect
                    && v.len() == 4
                {
                    rects.push([
                        v[0].min(v[2]),
                        v[1].min(v[3]),
                        v[0].max(v[2]),
                        v[1].max(v[3]),
                    ]);
                }
            }
        }
        out.push(rects);
    }
    out
}

/// Our words and every concatenation of consecutive words of a line (up to 12), by
/// normalized text, with their centres: a pdftotext word is found when one of these has its
/// text and a centre within `tolerance` points.
pub fn our_index(page: &PageText) -> HashMap<String, Vec<(f64, f64)>> {
    let mut index: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    for line in &page.lines {
        let words = &page.words[line.words.clone()];
        for i in 0..words.len() {
            let mut text = String::new();
            let mut rect = words[i].rect.map(f64::from);
            for w in words.iter().skip(i).take(12) {
                text.push_str(&normalize(&w.text));
                let r = w.rect.map(f64::from);
                rect = [
                    rect[0].min(r[0]),
                    rect[1].min(r[1]),
                    rect[2].max(r[2]),
                    rect[3].max(r[3]),
                ];
                index
                    .entry(text.clone())
                    .or_default()
                    .push(((rect[0] + rect[2]) / 2.0, (rect[1] + rect[3]) / 2.0));
            }
        }
    }
    index
}

/// Recall of one page: (found, total, a few misses for the report).
pub fn page_recall(
    ours: &PageText,
    judge: &[JudgeWord],
    skip: &[[f64; 4]],
    tolerance: f64,
) -> (usize, usize, Vec<String>) {
    let index = our_index(ours);
    let (mut found, mut total) = (0, 0);
    let mut misses = Vec::new();
    for w in judge {
        let (x, y) = w.centre;
        if skip
            .iter()
            .any(|r| x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3])
        {
            continue;
        }
        let text = normalize(&w.text);
        if text.is_empty() {
            continue;
        }
        total += 1;
        let hit = index.get(&text).is_some_and(|centres| {
            centres
                .iter()
                .any(|&(cx, cy)| ((cx - x).powi(2) + (cy - y).powi(2)).sqrt() <= tolerance)
        });
        if hit {
            found += 1;
        } else if misses.len() < 8 {
            let near = index
                .iter()
                .flat_map(|(t, cs)| cs.iter().map(move |c| (t, c)))
                .filter(|(_, c)| (c.0 - x).abs() < 30.0 && (c.1 - y).abs() < 4.0)
                .map(|(t, c)| format!("{t}@({:.1},{:.1})", c.0, c.1))
                .take(3)
                .collect::<Vec<_>>()
                .join(" ");
            misses.push(format!("{:?}@({x:.1},{y:.1}) near: {near}", w.text));
        }
    }
    (found, total, misses)
}

/// US Letter, the media box of the pages the tests make.
pub const LETTER: [i64; 4] = [0, 0, 612, 792];

/// Saves `doc` as a one-page PDF: a page of `media` (turned by `rotate` when not 0) that
/// draws `contents` (a stream reference, or an array of them) with `resources`.
pub fn one_page_pdf(
    mut doc: lopdf::Document,
    media: [i64; 4],
    rotate: i64,
    contents: impl Into<lopdf::Object>,
    resources: lopdf::Dictionary,
) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    let pages = doc.new_object_id();
    let mut page = dictionary! {
        "Type" => "Page", "Parent" => pages,
        "MediaBox" => media.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
        "Contents" => contents.into(),
        "Resources" => resources,
    };
    if rotate != 0 {
        page.set("Rotate", rotate);
    }
    let page = doc.add_object(page);
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("saves");
    bytes
}
