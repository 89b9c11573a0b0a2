//! Field detection measured on real forms: every fillable corpus form loses its AcroForm and
//! its widget annotations (in memory, with lopdf; the page content, with its printed boxes,
//! stays), detection runs on what is left, and the detected fields are matched against the
//! removed widgets' rectangles.
//!
//! Matching: same page, same type, intersection over union ≥ 0.5, greedily by IoU. Types:
//! text, checkbox (radio buttons count as check boxes), signature. Widgets of combo and list
//! boxes and push buttons are not scored: a detection on one is neither right nor wrong.
//! Widgets that are hidden, off the page or smaller than 2 points are left out.
//!
//! `formsmith detect --eval` scores one form this way; the corpus evaluations
//! (`tests/fields_eval.rs`, `examples/fieldeval.rs`, `examples/train_scorer.rs`) run it over
//! folders.

use std::path::Path;
use std::time::Duration;

use crate::{DetectOptions, FieldKind, detect_fields};
use formsmith_engine::{FieldType, Form, OpenOptions};
use formsmith_page::page_marks;
use lopdf::{Document, Object};

/// The scored types, in table order.
pub const KINDS: [FieldKind; 3] = [FieldKind::Text, FieldKind::Checkbox, FieldKind::Signature];

/// A removed widget: the truth.
#[derive(Debug, Clone)]
pub struct Truth {
    /// Zero-based page index.
    pub page: usize,
    /// The widget's /Rect (user space).
    pub rect: [f32; 4],
    /// `None`: not scored (choice boxes, push buttons).
    pub kind: Option<FieldKind>,
    /// The field's full name.
    pub name: String,
}

/// Counts of one type.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Detections matched to a widget.
    pub tp: usize,
    /// Detections matched to none.
    pub fp: usize,
    /// Widgets no detection matched.
    pub fn_: usize,
}

impl Score {
    /// Adds another score's counts.
    pub fn add(&mut self, o: &Score) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
    /// Matched over detected (0 when nothing was detected).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Matched over widgets (0 when there are none).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The result of one form.
#[derive(Debug, Clone, Default)]
pub struct FormResult {
    /// The file's name.
    pub file: String,
    /// Its page count.
    pub pages: usize,
    /// Per type, in [`KINDS`] order.
    pub scores: [Score; 3],
    /// The same, counting only widgets whose place the page content draws (see
    /// [`printed`]).
    pub printed: [Score; 3],
    /// Scored widgets, and those whose place the page draws.
    pub widgets: usize,
    /// Scored widgets whose place the page draws.
    pub printed_widgets: usize,
    /// Detection time, all pages.
    pub elapsed: Duration,
    /// The slowest page's detection time.
    pub slowest_page: Duration,
    /// Detections on unscored widgets (choice boxes, buttons).
    pub ignored: usize,
    /// What went wrong, if the form could not be evaluated.
    pub error: Option<String>,
    /// Unmatched truths and detections (for looking at mistakes).
    pub misses: Vec<String>,
    /// Per detection source: (matched, unmatched) detections.
    pub by_source: std::collections::BTreeMap<String, (usize, usize)>,
    /// Per page read: its widgets and detections and which matched, for drawing
    /// ([`overlay_png`]).
    pub details: Vec<PageDetail>,
}

/// One page of an evaluation, for drawing: every scored widget (box, matched, drawn by the
/// page) and every detection (box, matched), in PDF user space.
#[derive(Debug, Clone, Default)]
pub struct PageDetail {
    /// Zero-based page.
    pub page: usize,
    /// (box, matched by a detection, drawn by the page) of each scored widget.
    pub truths: Vec<([f32; 4], bool, bool)>,
    /// (box, matched a widget) of each detection.
    pub detections: Vec<([f32; 4], bool)>,
}

fn kind_index(k: FieldKind) -> usize {
    KINDS.iter().position(|x| *x == k).unwrap_or(0)
}

/// The widgets of a form, as truth.
pub fn truth(bytes: &[u8]) -> Result<(Vec<Truth>, usize), String> {
    let form = Form::open(bytes, &OpenOptions::default()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for field in form.fields() {
        let kind = match field.kind {
            FieldType::Text => Some(FieldKind::Text),
            FieldType::Checkbox | FieldType::Radio => Some(FieldKind::Checkbox),
            FieldType::Signature => Some(FieldKind::Signature),
            _ => None,
        };
        for w in &field.widgets {
            let Some(page) = w.page else { continue };
            let Some(geometry) = form.page_geometry(page) else {
                continue;
            };
            let r = w.rect;
            let c = geometry.crop_box;
            let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
            let on_page = cx >= c[0] && cx <= c[2] && cy >= c[1] && cy <= c[3];
            if w.hidden || !on_page || r[2] - r[0] < 2.0 || r[3] - r[1] < 2.0 {
                continue;
            }
            out.push(Truth {
                page,
                rect: r,
                kind,
                name: field.name.clone(),
            });
        }
    }
    Ok((out, form.page_count()))
}

/// The form without its AcroForm and widget annotations (decrypted; page content kept).
pub fn strip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| e.to_string())?;
    if let Ok(Object::Reference(id)) = doc.trailer.get(b"Encrypt").cloned() {
        doc.objects.remove(&id);
    }
    doc.trailer.remove(b"Encrypt");
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    if let Ok(catalog) = doc.get_dictionary_mut(root) {
        catalog.remove(b"AcroForm");
    }
    let pages: Vec<_> = doc.get_pages().into_values().collect();
    for page in pages {
        let annots = match doc
            .get_dictionary(page)
            .ok()
            .and_then(|d| d.get(b"Annots").ok())
        {
            Some(Object::Array(a)) => a.clone(),
            Some(Object::Reference(id)) => match doc.get_object(*id) {
                Ok(Object::Array(a)) => a.clone(),
                _ => continue,
            },
            _ => continue,
        };
        let kept: Vec<Object> = annots
            .into_iter()
            .filter(|a| {
                let dict = match a {
                    Object::Reference(id) => doc.get_dictionary(*id).ok(),
                    Object::Dictionary(d) => Some(d),
                    _ => None,
                };
                !dict.is_some_and(|d| {
                    d.get(b"Subtype")
                        .and_then(Object::as_name)
                        .is_ok_and(|n| n == b"Widget")
                })
            })
            .collect();
        if let Ok(d) = doc.get_dictionary_mut(page) {
            d.set("Annots", Object::Array(kept));
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Intersection over union of two boxes (the detector's own measure).
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    crate::fields::candidate::iou(a, b)
}

/// Evaluates one fillable form read from `path`.
pub fn evaluate(path: &Path) -> FormResult {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    match std::fs::read(path) {
        Ok(bytes) => evaluate_pdf(&file, &bytes, &DetectOptions::default()),
        Err(e) => FormResult {
            file,
            error: Some(e.to_string()),
            ..FormResult::default()
        },
    }
}

/// Evaluates one fillable form: its widgets are the truth, detection runs on a copy
/// without them (`options` as given), and each detection is matched to a widget.
pub fn evaluate_pdf(file: &str, bytes: &[u8], options: &DetectOptions) -> FormResult {
    let mut result = FormResult {
        file: file.to_string(),
        ..FormResult::default()
    };
    let (truths, pages) = match truth(bytes) {
        Ok(t) => t,
        Err(e) => {
            result.error = Some(format!("open: {e}"));
            return result;
        }
    };
    result.pages = pages;
    let stripped = match strip(bytes) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("strip: {e}"));
            return result;
        }
    };
    let detected = match detect_fields(&stripped, None, options) {
        Ok(d) => d,
        Err(e) => {
            result.error = Some(format!("detect: {e}"));
            return result;
        }
    };
    let marks = page_marks(&stripped, None, &options.text).unwrap_or_default();
    let no_marks = Vec::new();
    for page in &detected {
        result.elapsed += page.elapsed;
        result.slowest_page = result.slowest_page.max(page.elapsed);
        let page_truth: Vec<&Truth> = truths.iter().filter(|t| t.page == page.page).collect();
        let page_marks = marks.get(page.page).unwrap_or(&no_marks);
        let shown: Vec<bool> = page_truth
            .iter()
            .map(|t| printed(&t.rect, page_marks))
            .collect();
        for (t, s) in page_truth.iter().zip(&shown) {
            if t.kind.is_some() {
                result.widgets += 1;
                result.printed_widgets += usize::from(*s);
            }
        }
        let detections: Vec<(FieldKind, [f32; 4])> =
            page.fields.iter().map(|d| (d.kind, d.rect)).collect();
        let m = match_page(&detections, &page_truth, &shown);
        for k in 0..3 {
            result.scores[k].add(&m.scores[k]);
            result.printed[k].add(&m.printed[k]);
        }
        result.ignored += m.ignored;
        let (d_used, t_used) = (m.detection_matched, m.truth_matched);
        result.details.push(PageDetail {
            page: page.page,
            truths: page_truth
                .iter()
                .enumerate()
                .filter(|(_, t)| t.kind.is_some())
                .map(|(ti, t)| (t.rect, t_used[ti], shown[ti]))
                .collect(),
            detections: page
                .fields
                .iter()
                .zip(&d_used)
                .map(|(d, used)| (d.rect, *used))
                .collect(),
        });
        for (di, d) in page.fields.iter().enumerate() {
            let tally = result
                .by_source
                .entry(format!("{:?} {:?}", d.kind, d.source))
                .or_default();
            if d_used[di] {
                tally.0 += 1;
            } else {
                tally.1 += 1;
            }
            if !d_used[di] {
                result.misses.push(format!(
                    "p{} FP {:?} {:?} {:?} {:?}",
                    page.page,
                    d.kind,
                    d.source,
                    d.rect.map(|v| v.round()),
                    d.label
                ));
            }
        }
        for (ti, t) in page_truth.iter().enumerate() {
            if let (false, Some(k)) = (t_used[ti], t.kind) {
                result.misses.push(format!(
                    "p{} FN{} {:?} {:?} {}",
                    page.page,
                    if shown[ti] { "" } else { "-unprinted" },
                    k,
                    t.rect.map(|v| v.round()),
                    t.name
                ));
            }
        }
    }
    result
}

/// How one page's detections meet its widgets.
pub struct PageMatch {
    /// Per type, over all widgets.
    pub scores: [Score; 3],
    /// Per type, over the widgets the page draws (see [`printed`]).
    pub printed: [Score; 3],
    /// Detections on unscored widgets (choice boxes, buttons).
    pub ignored: usize,
    /// Per detection: matched to a widget.
    pub detection_matched: Vec<bool>,
    /// Per widget: matched by a detection.
    pub truth_matched: Vec<bool>,
}

/// Matches one page's detections (type and box) to its widgets: same type, IoU ≥ 0.5,
/// greedily by IoU. A detection matching a widget the page does not draw counts on
/// neither side of the drawn-only scores.
pub fn match_page(
    detections: &[(FieldKind, [f32; 4])],
    truths: &[&Truth],
    shown: &[bool],
) -> PageMatch {
    let mut m = PageMatch {
        scores: [Score::default(); 3],
        printed: [Score::default(); 3],
        ignored: 0,
        detection_matched: vec![false; detections.len()],
        truth_matched: vec![false; truths.len()],
    };
    // Candidate pairs, best IoU first.
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (di, (kind, rect)) in detections.iter().enumerate() {
        for (ti, t) in truths.iter().enumerate() {
            let v = iou(rect, &t.rect);
            if v >= 0.5 && (t.kind.is_none() || t.kind == Some(*kind)) {
                pairs.push((v, di, ti));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, di, ti) in pairs {
        if m.detection_matched[di] || m.truth_matched[ti] {
            continue;
        }
        m.detection_matched[di] = true;
        m.truth_matched[ti] = true;
        match truths[ti].kind {
            Some(k) => {
                m.scores[kind_index(k)].tp += 1;
                if shown[ti] {
                    m.printed[kind_index(k)].tp += 1;
                }
            }
            None => m.ignored += 1,
        }
    }
    for (di, (kind, _)) in detections.iter().enumerate() {
        if !m.detection_matched[di] {
            m.scores[kind_index(*kind)].fp += 1;
            m.printed[kind_index(*kind)].fp += 1;
        }
    }
    for (ti, t) in truths.iter().enumerate() {
        if let (false, Some(k)) = (m.truth_matched[ti], t.kind) {
            m.scores[kind_index(k)].fn_ += 1;
            if shown[ti] {
                m.printed[kind_index(k)].fn_ += 1;
            }
        }
    }
    m
}

/// Whether the page content draws the widget's place: a line along its bottom or top edge
/// (half its width or more, within 4 points), lines along both its sides, or an outline,
/// box glyph or white area on a tinted background over it. Widgets drawn only by their own appearance fail this: once the
/// widget is gone, nothing on the page shows a field there.
pub fn printed(rect: &[f32; 4], marks: &[[f32; 4]]) -> bool {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let near = |a: f32, lo: f32, hi: f32| a >= lo - 4.0 && a <= hi + 4.0;
    let along_x = |y: f32| {
        marks.iter().any(|m| {
            m[3] - m[1] <= 4.0
                && near(y, m[1], m[3])
                && (m[2].min(rect[2]) - m[0].max(rect[0])) >= 0.5 * w
        })
    };
    let along_y = |x: f32| {
        marks.iter().any(|m| {
            m[2] - m[0] <= 4.0
                && near(x, m[0], m[2])
                && (m[3].min(rect[3]) - m[1].max(rect[1])) >= 0.5 * h
        })
    };
    let outline = marks
        .iter()
        .any(|m| m[2] - m[0] > 4.0 && m[3] - m[1] > 4.0 && iou(m, rect) >= 0.3);
    along_x(rect[1]) || along_x(rect[3]) || (along_y(rect[0]) && along_y(rect[2])) || outline
}

/// The page as a PNG at `dpi` with the evaluation drawn over it: widgets a detection
/// matched in green, widgets it missed in red (dashed where the page draws nothing there),
/// detections that matched nothing in blue. `pdf` is the file the detection read (the
/// stripped form: no widget appearances in the way).
pub fn overlay_png(pdf: &[u8], detail: &PageDetail, dpi: f32) -> crate::Result<Vec<u8>> {
    let (gray, scale, frame) =
        formsmith_page::raster::render_pdf_page(pdf, detail.page, dpi, 25_000_000)?;
    let (w, h) = (gray.width, gray.height);
    // Gray page, lightened so the boxes stand out.
    let mut rgb: Vec<u8> = gray
        .data
        .iter()
        .flat_map(|&v| {
            let l = 128 + v / 2;
            [l, l, l]
        })
        .collect();
    let mut rect = |r: &[f32; 4], color: [u8; 3], dashed: bool, thickness: i64| {
        let b = frame.to_display(*r).map(|v| (v * scale).round() as i64);
        let mut put = |x: i64, y: i64, along: i64| {
            if dashed && (along / 4) % 2 == 1 {
                return;
            }
            if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                let at = ((y as u32 * w + x as u32) * 3) as usize;
                if let Some(px) = rgb.get_mut(at..at + 3) {
                    px.copy_from_slice(&color);
                }
            }
        };
        for t in 0..thickness {
            for x in b[0]..=b[2] {
                put(x, b[1] + t, x);
                put(x, b[3] - t, x);
            }
            for y in b[1]..=b[3] {
                put(b[0] + t, y, y);
                put(b[2] - t, y, y);
            }
        }
    };
    for (r, matched, shown) in &detail.truths {
        let color = if *matched { [0, 160, 0] } else { [220, 0, 0] };
        rect(r, color, !shown, 2);
    }
    for (r, matched) in &detail.detections {
        if !matched {
            rect(r, [0, 80, 255], false, 1);
        }
    }
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(encoder, &rgb, w, h, image::ExtendedColorType::Rgb8)
        .map_err(|e| crate::Error::Corrupt(format!("the overlay could not be encoded: {e}")))?;
    Ok(out)
}
