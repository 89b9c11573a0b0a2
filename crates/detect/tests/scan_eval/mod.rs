//! Field detection and OCR measured on the scanned corpus pages, against their twins.
//!
//! Each scan was made from a fillable form (MANIFEST.tsv): the twin's widget rectangles are
//! the truth and the twin's text layer the truth of OCR. The derived scans were rendered,
//! turned 0.6° clockwise about their centre on a canvas grown to hold the turn, and wrapped
//! at their resolution: a twin point lands at its turned place about the scan's centre
//! ([`Placement::Turned`]). The VA 0730b scan is a real scan of a printout, placed by a fit
//! of OCR'd words onto the twin's words (per axis scale and offset, [`Placement::Fitted`]).
//!
//! Matching: same page, same type, IoU ≥ 0.5 (and, since scans are skewed and blurred,
//! also ≥ 0.3), greedily by IoU; types and left-out widgets as in `tests/eval`.
#![allow(dead_code)]

#[path = "../eval/mod.rs"]
mod eval;

use std::path::Path;
use std::time::Duration;

use formsmith_detect::{DetectOptions, FieldKind, detect_fields};
use formsmith_page::ocr;
use formsmith_page::{TextOptions, Word, extract_text};

pub use eval::{KINDS, Score};

/// One scanned file and its twin.
pub struct Case {
    pub scan: &'static str,
    pub twin: &'static str,
    /// Scan page -> twin page.
    pub pages: &'static [(usize, usize)],
    /// Degrees the derived scan was turned (clockwise); `None`: a real scan, fitted.
    pub turned: Option<f32>,
}

pub const CASES: [Case; 3] = [
    Case {
        scan: "flat/irs-f1040-scanned-150dpi.pdf",
        twin: "fillable/irs-f1040-prefilled.pdf",
        pages: &[(0, 0), (1, 1)],
        turned: Some(0.6),
    },
    Case {
        scan: "flat/illinois-bill-of-sale-scanned.pdf",
        twin: "fillable/illinois-gun-bill-of-sale.pdf",
        pages: &[(0, 0)],
        turned: Some(0.6),
    },
    Case {
        scan: "flat/va-0730b-scanned-filled.pdf",
        twin: "fillable/va-0730b-xfa.pdf",
        pages: &[(0, 0)],
        turned: None,
    },
];

/// How a twin point maps onto the scan page (user space, y up).
#[derive(Debug, Clone, Copy)]
pub enum Placement {
    Turned {
        twin: (f32, f32),
        scan: (f32, f32),
        degrees: f32,
    },
    Fitted {
        /// x' = a x + b, y' = c y + d.
        a: f32,
        b: f32,
        c: f32,
        d: f32,
    },
}

impl Placement {
    pub fn point(&self, (x, y): (f32, f32)) -> (f32, f32) {
        match *self {
            Placement::Turned {
                twin,
                scan,
                degrees,
            } => {
                let (dx, dy) = (x - twin.0 / 2.0, y - twin.1 / 2.0);
                let (s, c) = degrees.to_radians().sin_cos();
                (
                    dx * c + dy * s + scan.0 / 2.0,
                    -dx * s + dy * c + scan.1 / 2.0,
                )
            }
            Placement::Fitted { a, b, c, d } => (a * x + b, c * y + d),
        }
    }

    /// A twin rectangle on the scan: its centre moved, its size scaled.
    pub fn rect(&self, r: &[f32; 4]) -> [f32; 4] {
        let (cx, cy) = self.point(((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0));
        let (sx, sy) = match *self {
            Placement::Turned { .. } => (1.0, 1.0),
            Placement::Fitted { a, c, .. } => (a.abs(), c.abs()),
        };
        let (hw, hh) = ((r[2] - r[0]) / 2.0 * sx, (r[3] - r[1]) / 2.0 * sy);
        [cx - hw, cy - hh, cx + hw, cy + hh]
    }
}

pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn center(r: &[f32; 4]) -> (f32, f32) {
    ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0)
}

/// Least-squares fit of OCR'd words onto twin words whose text is unique on both pages.
pub fn fit(twin: &[Word], found: &[Word]) -> Option<Placement> {
    use std::collections::HashMap;
    let mut count: HashMap<String, (usize, usize)> = HashMap::new();
    for w in twin {
        count.entry(norm(&w.text)).or_default().0 += 1;
    }
    for w in found {
        count.entry(norm(&w.text)).or_default().1 += 1;
    }
    let mut pairs = Vec::new();
    for t in twin {
        let key = norm(&t.text);
        if key.chars().count() < 4 || count.get(&key) != Some(&(1, 1)) {
            continue;
        }
        if let Some(f) = found.iter().find(|f| norm(&f.text) == key) {
            pairs.push((center(&t.rect), center(&f.rect)));
        }
    }
    if pairs.len() < 6 {
        return None;
    }
    let line = |xs: Vec<(f32, f32)>| -> (f32, f32) {
        let n = xs.len() as f32;
        let (mx, my) = (
            xs.iter().map(|p| p.0).sum::<f32>() / n,
            xs.iter().map(|p| p.1).sum::<f32>() / n,
        );
        let sxy: f32 = xs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f32 = xs.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
        let a = if sxx > 0.0 { sxy / sxx } else { 1.0 };
        (a, my - a * mx)
    };
    let (a, b) = line(pairs.iter().map(|(t, f)| (t.0, f.0)).collect());
    let (c, d) = line(pairs.iter().map(|(t, f)| (t.1, f.1)).collect());
    Some(Placement::Fitted { a, b, c, d })
}

/// Results of one scanned page.
#[derive(Debug, Clone, Default)]
pub struct PageResult {
    pub file: String,
    pub page: usize,
    /// Per type at IoU ≥ 0.5 and at IoU ≥ 0.3.
    pub at50: [Score; 3],
    pub at30: [Score; 3],
    /// Twin words (two or more alphanumerics) and those OCR read at their place.
    pub words: usize,
    pub words_read: usize,
    pub detect_time: Duration,
    pub skew: Option<f32>,
    pub misses: Vec<String>,
}

fn kind_index(k: FieldKind) -> usize {
    KINDS.iter().position(|x| *x == k).unwrap_or(0)
}

/// Greedy matching at `min_iou`.
fn score(
    detected: &[([f32; 4], FieldKind)],
    truth: &[([f32; 4], Option<FieldKind>, String)],
    min_iou: f32,
    misses: Option<&mut Vec<String>>,
) -> [Score; 3] {
    let mut pairs = Vec::new();
    for (di, d) in detected.iter().enumerate() {
        for (ti, t) in truth.iter().enumerate() {
            let v = eval::iou(&d.0, &t.0);
            if v >= min_iou && (t.1.is_none() || t.1 == Some(d.1)) {
                pairs.push((v, di, ti));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut du = vec![false; detected.len()];
    let mut tu = vec![false; truth.len()];
    let mut s = [Score::default(); 3];
    for (_, di, ti) in pairs {
        if du[di] || tu[ti] {
            continue;
        }
        du[di] = true;
        tu[ti] = true;
        if let Some(k) = truth[ti].1 {
            s[kind_index(k)].tp += 1;
        }
    }
    let mut log = Vec::new();
    for (di, d) in detected.iter().enumerate() {
        if !du[di] {
            s[kind_index(d.1)].fp += 1;
            log.push(format!("FP {:?} {:?}", d.1, d.0.map(|v| v.round())));
        }
    }
    for (ti, t) in truth.iter().enumerate() {
        if let (false, Some(k)) = (tu[ti], t.1) {
            s[kind_index(k)].fn_ += 1;
            log.push(format!("FN {:?} {:?} {}", k, t.0.map(|v| v.round()), t.2));
        }
    }
    if let Some(m) = misses {
        *m = log;
    }
    s
}

/// Evaluates one case: detection (timed) and OCR word recall per scan page.
pub fn evaluate(case: &Case) -> Result<Vec<PageResult>, String> {
    let root = Path::new(eval::CORPUS);
    let scan = std::fs::read(root.join(case.scan)).map_err(|e| e.to_string())?;
    let twin = std::fs::read(root.join(case.twin)).map_err(|e| e.to_string())?;
    let (truths, _) = eval::truth(&twin)?;
    let scan_pages: Vec<usize> = case.pages.iter().map(|p| p.0).collect();
    let detected = detect_fields(&scan, Some(&scan_pages), &DetectOptions::default())
        .map_err(|e| e.to_string())?;
    // OCR as detection runs it (sparse text mode).
    let ocr_pages = ocr::ocr_pdf(&scan, Some(&scan_pages), &DetectOptions::default().ocr)
        .map_err(|e| e.to_string())?;
    let twin_pages: Vec<usize> = case.pages.iter().map(|p| p.1).collect();
    let twin_text = extract_text(&twin, Some(&twin_pages), &TextOptions::default())
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (((&(sp, tp), fields), page_ocr), text) in case
        .pages
        .iter()
        .zip(&detected)
        .zip(&ocr_pages)
        .zip(&twin_text)
    {
        let placement = match case.turned {
            Some(degrees) => Placement::Turned {
                twin: (612.0, 792.0),
                scan: (page_ocr.width, page_ocr.height),
                degrees,
            },
            None => fit(&text.words, &page_ocr.words).ok_or("too few words to place the twin")?,
        };
        let truth: Vec<([f32; 4], Option<FieldKind>, String)> = truths
            .iter()
            .filter(|t| t.page == tp)
            .map(|t| (placement.rect(&t.rect), t.kind, t.name.clone()))
            .collect();
        let det: Vec<([f32; 4], FieldKind)> =
            fields.fields.iter().map(|f| (f.rect, f.kind)).collect();
        let mut r = PageResult {
            file: case.scan.trim_start_matches("flat/").to_string(),
            page: sp,
            detect_time: fields.elapsed,
            skew: fields.scan_skew,
            ..PageResult::default()
        };
        r.at50 = score(&det, &truth, 0.5, Some(&mut r.misses));
        r.at30 = score(&det, &truth, 0.3, None);
        for w in &text.words {
            let key = norm(&w.text);
            if key.chars().count() < 2 {
                continue;
            }
            r.words += 1;
            let (tx, ty) = placement.point(center(&w.rect));
            if page_ocr.words.iter().any(|f| {
                let (fx, fy) = center(&f.rect);
                norm(&f.text) == key && (fx - tx).abs() <= 4.0 && (fy - ty).abs() <= 4.0
            }) {
                r.words_read += 1;
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// Totals per type.
pub fn totals(results: &[PageResult], at30: bool) -> [Score; 3] {
    let mut t = [Score::default(); 3];
    for r in results {
        for (i, s) in (if at30 { &r.at30 } else { &r.at50 }).iter().enumerate() {
            t[i].add(s);
        }
    }
    t
}
