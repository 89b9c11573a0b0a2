//! From lines, boxes, outlines and words to candidate fields, in the display frame.

use super::boxes::{self, MIN_CHECK};
use super::graphics::{Bx, FrameSource, PageGraphics};
use super::labels::Labels;
use super::lines::{self, Line};
use super::rules;
use super::{FieldKind, FieldSource, PlacedWord};

/// A candidate field in the display frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub kind: FieldKind,
    pub rect: Bx,
    pub label: Option<String>,
    pub comb: Option<u32>,
    pub source: FieldSource,
}

pub(crate) fn area(b: &Bx) -> f32 {
    (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0)
}

pub(crate) fn intersection(a: &Bx, b: &Bx) -> f32 {
    let w = a[2].min(b[2]) - a[0].max(b[0]);
    let h = a[3].min(b[3]) - a[1].max(b[1]);
    if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
}

pub(crate) fn iou(a: &Bx, b: &Bx) -> f32 {
    let i = intersection(a, b);
    let u = area(a) + area(b) - i;
    if u <= 0.0 { 0.0 } else { i / u }
}

pub(crate) fn inset(b: &Bx, d: f32) -> Bx {
    [b[0] + d, b[1] + d, b[2] - d, b[3] - d]
}

pub(crate) fn center_inside(inner: &Bx, outer: &Bx) -> bool {
    let (cx, cy) = ((inner[0] + inner[2]) / 2.0, (inner[1] + inner[3]) / 2.0);
    cx > outer[0] && cx < outer[2] && cy > outer[1] && cy < outer[3]
}

/// Words that do not make a box "printed": currency and unit signs, bullets, leaders.
pub(crate) fn is_filler(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(
            c,
            '$' | '€'
                | '£'
                | '%'
                | '.'
                | ','
                | '_'
                | '…'
                | '-'
                | '/'
                | ':'
                | '('
                | ')'
                | '+'
                | '='
                | '×'
                | '*'
        )
    })
}

/// Words with their index, bucketed by rows of the page for quick lookups.
pub(crate) struct WordIndex<'w> {
    pub words: &'w [PlacedWord],
    rows: Vec<Vec<usize>>,
}

const ROW: f32 = 24.0;

impl<'w> WordIndex<'w> {
    pub fn new(words: &'w [PlacedWord], height: f32) -> Self {
        let n = ((height / ROW).ceil().max(1.0) as usize).min(10_000) + 1;
        let mut rows = vec![Vec::new(); n];
        for (i, w) in words.iter().enumerate() {
            let a = ((w.rect[1] / ROW).floor().max(0.0) as usize).min(n - 1);
            let b = ((w.rect[3] / ROW).floor().max(0.0) as usize).min(n - 1);
            for row in rows.iter_mut().take(b + 1).skip(a) {
                row.push(i);
            }
        }
        WordIndex { words, rows }
    }

    /// Indices of words whose box meets `b`.
    pub fn touching(&self, b: &Bx) -> Vec<usize> {
        let n = self.rows.len();
        let a = ((b[1] / ROW).floor().max(0.0) as usize).min(n - 1);
        let z = ((b[3] / ROW).floor().max(0.0) as usize).min(n - 1);
        let mut out: Vec<usize> = Vec::new();
        for row in self.rows.iter().take(z + 1).skip(a) {
            for &i in row {
                let r = &self.words[i].rect;
                if r[0] < b[2] && r[2] > b[0] && r[1] < b[3] && r[3] > b[1] {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Everything the finder needs about one page.
pub(crate) struct Page<'a> {
    pub size: (f32, f32),
    pub graphics: &'a PageGraphics,
    pub words: WordIndex<'a>,
    pub labels: Labels,
}

/// Outlines and rules looked at per page, and candidates kept before the final checks
/// (bound the work on hostile pages).
const MAX_FRAMES: usize = 3_000;
const MAX_RULES: usize = 5_000;
const MAX_CANDIDATES: usize = 8_000;

/// Finds the candidate fields of a page; `true` when a limit cut the search short.
pub(crate) fn find(page: &Page<'_>) -> (Vec<Candidate>, bool) {
    let g = page.graphics;
    let h = lines::merge(&g.segs, true);
    let mut v = lines::merge(&g.segs, false);
    let drawn_v = v.len();
    v.extend(lines::implied_walls(&h, &v[..drawn_v]));
    let (cells, mut truncated) = lines::cells(&h, &v);
    truncated |= g.truncated || g.frames.len() > MAX_FRAMES || h.len() > MAX_RULES;
    let stage = boxes::boxes(page, &cells, h.len());
    let mut out = stage.candidates;

    // Round and rounded outlines, box glyphs.
    for f in g.frames.iter().take(MAX_FRAMES) {
        let r = f.rect;
        let (w, ht) = (r[2] - r[0], r[3] - r[1]);
        if w < MIN_CHECK || ht < MIN_CHECK {
            continue;
        }
        if out.iter().any(|c| iou(&c.rect, &r) > 0.3) {
            continue;
        }
        // A dark dot or a character in a round outline makes a symbol (◉, ①), not an empty
        // box; box glyphs are characters themselves.
        if g.dark_shapes.iter().any(|d| center_inside(d, &r)) {
            continue;
        }
        if f.source == FrameSource::Path
            && page
                .words
                .touching(&r)
                .iter()
                .any(|&k| center_inside(&page.words.words[k].rect, &r))
        {
            continue;
        }
        out.push(Candidate {
            kind: FieldKind::Checkbox,
            rect: r,
            label: page.labels.for_checkbox(&r),
            comb: None,
            source: if f.source == FrameSource::Glyph {
                FieldSource::Glyph
            } else {
                FieldSource::Square
            },
        });
    }

    // Underlines: rules that are not box edges.
    for (i, line) in h.iter().enumerate().take(MAX_RULES) {
        if out.len() >= MAX_CANDIDATES {
            truncated = true;
            break;
        }
        if stage.edge_use[i] >= 0.5 * line.len() {
            continue;
        }
        rules::underline_inputs(page, line, &h, &mut out);
    }

    if out.len() > MAX_CANDIDATES {
        out.truncate(MAX_CANDIDATES);
        truncated = true;
    }
    // Text inputs that hold a check box or overlap a better candidate are dropped.
    let checks: Vec<Bx> = out
        .iter()
        .filter(|c| c.kind == FieldKind::Checkbox)
        .map(|c| c.rect)
        .collect();
    out.retain(|c| {
        c.kind == FieldKind::Checkbox
            || !checks
                .iter()
                .any(|k| intersection(k, &c.rect) > 0.5 * area(k))
    });
    // Panels headed "For Official Use Only" (and the like) are not for the filler.
    for panel in no_entry_panels(page, &h, &v[..drawn_v]) {
        out.retain(|c| !center_inside(&c.rect, &panel));
    }
    // Only what a viewer shows: marks outside the visible page are printer's marks.
    let visible = [0.0, 0.0, page.size.0, page.size.1];
    out.retain(|c| intersection(&c.rect, &visible) >= 0.8 * area(&c.rect));
    dedupe(&mut out);
    for c in &mut out {
        if c.kind == FieldKind::Text && is_signature(c.label.as_deref()) {
            c.kind = FieldKind::Signature;
        }
    }
    reading_order(&mut out);
    (out, truncated)
}

/// Top to bottom, and left to right within a row (tops within a few points).
fn reading_order(out: &mut [Candidate]) {
    out.sort_by(|a, b| a.rect[1].total_cmp(&b.rect[1]));
    let mut start = 0;
    while start < out.len() {
        let top = out[start].rect[1];
        let end = out[start..]
            .iter()
            .position(|c| c.rect[1] - top > 4.0)
            .map_or(out.len(), |n| start + n);
        out[start..end].sort_by(|a, b| a.rect[0].total_cmp(&b.rect[0]));
        start = end;
    }
}

/// Keeps the first of candidates that overlap much (boxes come before outlines and rules).
fn dedupe(out: &mut Vec<Candidate>) {
    let mut kept: Vec<Candidate> = Vec::with_capacity(out.len());
    for c in out.drain(..) {
        let clash = kept.iter().any(|k| {
            let i = intersection(&k.rect, &c.rect);
            i > 0.5 * area(&c.rect).min(area(&k.rect))
        });
        if !clash {
            kept.push(c);
        }
    }
    *out = kept;
}

/// Boxes headed by a no-entry phrase ("For USCIS Use Only"): from the rule just above the
/// phrase down to the next rule with the same ends.
fn no_entry_panels(page: &Page<'_>, h: &[Line], v: &[Line]) -> Vec<Bx> {
    let mut out = Vec::new();
    for phrase in page.labels.phrases_where(is_no_entry) {
        let cx = (phrase[0] + phrase[2]) / 2.0;
        let width = phrase[2] - phrase[0];
        let top = h
            .iter()
            .filter(|l| {
                l.at <= phrase[1] + 1.0
                    && phrase[1] - l.at <= 24.0
                    && l.lo <= cx
                    && l.hi >= cx
                    && l.len() >= 1.5 * width
            })
            .max_by(|a, b| a.at.total_cmp(&b.at));
        let Some(top) = top else { continue };
        // The lowest rule with the same ends that walls at both ends reach: the box's bottom.
        let wall = |x: f32, to: f32| {
            v.iter()
                .any(|w| (w.at - x).abs() <= 3.0 && w.lo <= top.at + 3.0 && w.hi >= to - 3.0)
        };
        let bottom = h
            .iter()
            .filter(|l| {
                l.at > phrase[3]
                    && (l.lo - top.lo).abs() <= 4.0
                    && (l.hi - top.hi).abs() <= 4.0
                    && wall(top.lo, l.at)
                    && wall(top.hi, l.at)
            })
            .max_by(|a, b| a.at.total_cmp(&b.at));
        if let Some(bottom) = bottom {
            out.push([top.lo, top.at, top.hi, bottom.at]);
        }
    }
    out
}

/// Labels of areas a filler must leave alone.
pub(crate) fn is_no_entry(label: &str) -> bool {
    let l = label.to_lowercase();
    [
        "do not write",
        "do not use",
        "use only",
        "official use",
        "office use",
        "for irs use",
        "agency use",
        "barcode",
        "bar code",
        "do not staple",
        "leave blank",
    ]
    .iter()
    .any(|p| l.contains(p))
}

/// Labels that name a signature line.
fn is_signature(label: Option<&str>) -> bool {
    let Some(label) = label else { return false };
    let l = label.to_lowercase();
    (l.contains("signature") || l.contains("sign here") || l.starts_with("signed"))
        && !l.contains("date")
}
