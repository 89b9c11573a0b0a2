//! From lines, boxes, outlines and words to candidate fields, in the display frame.

use formsmith_page::graphics::{Bx, FrameSource};

use super::boxes::{self, MIN_CHECK};
use super::candidate::{
    Candidate, FieldKind, FieldSource, Page, area, center_inside, intersection, iou, is_no_entry,
};
use super::lines::{self, Line};
use super::rules;

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

/// Labels that name a signature line.
fn is_signature(label: Option<&str>) -> bool {
    let Some(label) = label else { return false };
    let l = label.to_lowercase();
    (l.contains("signature") || l.contains("sign here") || l.starts_with("signed"))
        && !l.contains("date")
}
