//! The learned check on every candidate: how likely a person filling the page sees a field
//! where the rules found one.
//!
//! The rules ([`super::find`]) propose candidates from what is drawn; this scorer weighs each
//! against what it looks like and what surrounds it (size and shape, the rule that made it,
//! label distances on each side, words inside and near, siblings of the same size and
//! alignment) with gradient-boosted trees trained on the corpus's fillable forms with their
//! widgets removed (`examples/train_scorer.rs`, which writes [`super::score_model`]).
//! Page-wide statistics (word, line and fill counts, position on the page) are left out on
//! purpose: they told the training forms apart rather than fields from non-fields, and
//! held-out F1 was higher without them. Inference is a few hundred comparisons per
//! candidate.

use super::candidate::{Candidate, Page, area, intersection};
use super::score_model::{BASE, NODES, TREES};
use super::trees::tree_output;
use super::{FieldKind, FieldSource};

/// Names of the features, in vector order (the training script prints them).
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "kind_text",
    "kind_checkbox",
    "kind_signature",
    "source_box",
    "source_comb",
    "source_underline",
    "source_square",
    "source_glyph",
    "width",
    "height",
    "aspect",
    "has_label",
    "label_chars",
    "label_words",
    "label_digits",
    "gap_left",
    "gap_right",
    "gap_above",
    "gap_below",
    "words_inside",
    "word_cover",
    "words_near",
    "same_size",
    "same_left",
    "same_row",
    "same_kind_row",
    "comb_cells",
    "lines_inside",
    "fill_lightness",
    "nearest_candidate",
];

/// Pages with fewer candidates keep them all: the scorer's strongest evidence is a field's
/// siblings. Held-out F1 with this guard is within 0.001 of scoring every page
/// (`MIN_PAGE=8` in the training example).
pub(crate) const MIN_CANDIDATES_TO_JUDGE: usize = 8;

/// Length of a feature vector.
pub const FEATURES: usize = 30;

/// The trees' estimate (0..1) for one feature vector; a model without trees says 1.
pub(crate) fn confidence(x: &[f32; FEATURES]) -> f32 {
    if TREES.is_empty() {
        return 1.0;
    }
    let mut sum = BASE;
    for &root in TREES {
        sum += tree_output(NODES, root as usize, x);
    }
    1.0 / (1.0 + (-sum).exp())
}

/// The feature vector of candidate `i` among the page's final candidates.
pub(crate) fn features(page: &Page<'_>, all: &[Candidate], i: usize) -> [f32; FEATURES] {
    let c = &all[i];
    let r = &c.rect;
    let (w, h) = ((r[2] - r[0]).max(0.0), (r[3] - r[1]).max(0.0));
    let one = |b: bool| if b { 1.0 } else { 0.0 };
    let label = c.label.as_deref().unwrap_or("");
    let g = page.graphics;

    let inside = page.words.touching(r);
    let word_area: f32 = inside
        .iter()
        .map(|&k| intersection(&page.words.words[k].rect, r))
        .sum();
    let around = [r[0] - 36.0, r[1] - 24.0, r[2] + 36.0, r[3] + 24.0];
    let near = page.words.touching(&around).len() as f32;
    let gaps = page.labels.gaps(r);

    let close = |a: f32, b: f32, tol: f32| (a - b).abs() <= tol;
    let mut same_size = 0.0;
    let mut same_left = 0.0;
    let mut same_row = 0.0;
    let mut same_kind_row = 0.0;
    let mut nearest = 999.0f32;
    for (j, o) in all.iter().enumerate() {
        if j == i {
            continue;
        }
        let q = &o.rect;
        if o.kind == c.kind && close(q[2] - q[0], w, 1.0) && close(q[3] - q[1], h, 1.0) {
            same_size += 1.0;
        }
        if close(q[0], r[0], 2.0) {
            same_left += 1.0;
        }
        if close(q[1], r[1], 4.0) || close(q[3], r[3], 4.0) {
            same_row += 1.0;
            if o.kind == c.kind {
                same_kind_row += 1.0;
            }
        }
        let dx = (q[0] - r[2]).max(r[0] - q[2]).max(0.0);
        let dy = (q[1] - r[3]).max(r[1] - q[3]).max(0.0);
        nearest = nearest.min(dx.max(dy));
    }

    // Rules running across the inside (a grid, or a box holding other rows).
    let lines_inside = g
        .segs
        .iter()
        .filter(|s| {
            if s.horizontal {
                s.at > r[1] + 2.0 && s.at < r[3] - 2.0 && s.lo < r[2] && s.hi > r[0]
            } else {
                s.at > r[0] + 2.0 && s.at < r[2] - 2.0 && s.lo < r[3] && s.hi > r[1]
            }
        })
        .count() as f32;
    // The lightest fill under the candidate's centre (1: plain paper).
    let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    let fill_lightness = g
        .fills
        .iter()
        .filter(|f| f.rect[0] <= cx && f.rect[2] >= cx && f.rect[1] <= cy && f.rect[3] >= cy)
        .map(|f| f.lightness)
        .fold(1.0f32, f32::min);

    [
        one(c.kind == FieldKind::Text),
        one(c.kind == FieldKind::Checkbox),
        one(c.kind == FieldKind::Signature),
        one(c.source == FieldSource::Box),
        one(c.source == FieldSource::Comb),
        one(c.source == FieldSource::Underline),
        one(c.source == FieldSource::Square),
        one(c.source == FieldSource::Glyph),
        w,
        h,
        w / h.max(0.5),
        one(!label.is_empty()),
        label.chars().count() as f32,
        label.split_whitespace().count() as f32,
        label.chars().filter(char::is_ascii_digit).count() as f32,
        gaps[0],
        gaps[1],
        gaps[2],
        gaps[3],
        inside.len() as f32,
        word_area / area(r).max(1.0),
        near,
        same_size,
        same_left,
        same_row,
        same_kind_row,
        c.comb.unwrap_or(0) as f32,
        lines_inside,
        fill_lightness,
        nearest,
    ]
}
