//! Rules with free space above them: inputs on a line ("Name ________"), typed blanks
//! (runs of `_`), and signature lines.

use super::boxes::MIN_INPUT_H;
use super::candidate::{Candidate, Page, is_filler};
use super::labels::Side;
use super::lines::Line;
use super::{FieldKind, FieldSource};
use formsmith_page::graphics::Bx;

/// Shortest rule taken as an underline input (points); typed `_` runs may be shorter.
const MIN_RULE: f32 = 24.0;
const MIN_GLYPH_RULE: f32 = 14.0;
/// Tallest input on a rule (when nothing above limits it), the shortest, and its height in
/// lines of the text written on the rule.
const RULE_MAX_H: f32 = 22.0;
const RULE_MIN_H: f32 = 12.0;
const RULE_LINES: f32 = 1.8;
/// How far an input on a rule reaches below it (descenders sit on the line).
const RULE_BELOW: f32 = 1.5;
/// A rule input at least this share of the page width is a separator unless labelled on
/// its line.
const ACROSS_PAGE: f32 = 0.6;

/// The inputs on one rule: the stretches of it not covered by words sitting on it, each as
/// tall as the free space above (at most a line of handwriting).
pub(crate) fn underline_inputs(page: &Page<'_>, line: &Line, h: &[Line], out: &mut Vec<Candidate>) {
    let min_len = if line.glyph { MIN_GLYPH_RULE } else { MIN_RULE };
    if line.len() < min_len {
        return;
    }
    let y = line.at;
    // Words on the rule (their bottoms close to it): they cut it into stretches.
    let band = [line.lo - 1.0, y - 40.0, line.hi + 1.0, y + 3.0];
    let near = page.words.touching(&band);
    let mut on_rule: Vec<Bx> = Vec::new();
    let mut above_words: Vec<Bx> = Vec::new();
    for &i in &near {
        let w = &page.words.words[i];
        if is_filler(&w.text) && w.text.contains('_') {
            continue;
        }
        let r = w.rect;
        let mid = (r[1] + r[3]) / 2.0;
        if mid > y + 1.0 {
            continue;
        }
        if r[3] >= y - 0.35 * w.size.max(4.0) - 1.5 {
            // "20____" or "$______": only the printed part blocks the rule.
            let chars: Vec<char> = w.text.chars().collect();
            match (
                chars.iter().position(|&c| c == '_'),
                chars.iter().rposition(|&c| c == '_'),
            ) {
                (Some(first), Some(last)) => {
                    let n = chars.len() as f32;
                    let width = r[2] - r[0];
                    if first > 0 {
                        on_rule.push([r[0], r[1], r[0] + width * first as f32 / n, r[3]]);
                    }
                    let after = chars.len() - 1 - last;
                    if after > 0 {
                        on_rule.push([r[2] - width * after as f32 / n, r[1], r[2], r[3]]);
                    }
                }
                _ => on_rule.push(r),
            }
        } else {
            above_words.push(r);
        }
    }
    on_rule.sort_by(|a, b| a[0].total_cmp(&b[0]));
    // Text written on a drawn rule for much of its length makes it a baseline rule: only
    // the blanks between its words ("beginning ____, ending ____") are inputs.
    let covered: f32 = on_rule
        .iter()
        .map(|r| (r[2].min(line.hi) - r[0].max(line.lo)).max(0.0))
        .sum();
    let interior_only = !line.glyph && covered >= 0.4 * line.len();
    // Stretches of the rule between the words, and whether words bound them on both sides.
    let mut stretches: Vec<(f32, f32, bool)> = Vec::new();
    let mut x = line.lo;
    let mut after_word = false;
    for r in &on_rule {
        if r[0] > x {
            stretches.push((x, r[0], after_word));
        }
        if r[2] > x {
            x = r[2];
            after_word = true;
        }
    }
    if line.hi > x {
        stretches.push((x, line.hi, false));
    }
    for (a, b, interior) in stretches {
        if interior_only && !interior {
            continue;
        }
        let (a, b) = (a + 1.0, b - 1.0);
        if b - a < min_len {
            continue;
        }
        // As tall as about two lines of the text written on the rule before it (forms size
        // their blanks to their own type), else the full height; then up to the nearest
        // word or rule above.
        let written = page
            .words
            .touching(&[a - 40.0, y - 30.0, a + 2.0, y + 3.0])
            .into_iter()
            .map(|k| &page.words.words[k])
            .filter(|w| {
                let r = w.rect;
                r[2] <= a + 2.0 && r[3] <= y + 3.0 && r[3] >= y - 0.35 * w.size.max(4.0) - 1.5
            })
            .max_by(|p, q| p.rect[2].total_cmp(&q.rect[2]))
            .map(|w| w.rect[3] - w.rect[1]);
        let tall = written.map_or(RULE_MAX_H, |h| {
            (RULE_LINES * h).clamp(RULE_MIN_H, RULE_MAX_H)
        });
        let mut top = y - tall;
        for r in &above_words {
            if r[0] < b && r[2] > a && r[3] > top {
                top = r[3] + 1.0;
            }
        }
        // The rules are sorted by position: only those just above this one matter.
        let from = h.partition_point(|l| l.at <= top);
        let to = h.partition_point(|l| l.at < y - 1.0);
        for other in h.get(from..to).unwrap_or_default() {
            if other.lo < b && other.hi > a {
                let overlap = other.hi.min(b) - other.lo.max(a);
                if overlap > 0.3 * (b - a) {
                    top = other.at + 1.0;
                }
            }
        }
        let rect = [a, top, b, y + RULE_BELOW];
        if rect[3] - rect[1] < MIN_INPUT_H {
            continue;
        }
        // A blank is read with the words on its line; a rule across the page with nothing
        // on it is a separator (section rules, headers, footers).
        let label = page.labels.for_rule(&rect, y);
        let across = b - a >= ACROSS_PAGE * page.size.0;
        let accepted = match &label {
            Some((_, Side::Left)) => true,
            Some((_, _)) => !across || line.glyph,
            None => line.glyph,
        };
        if !accepted {
            continue;
        }
        out.push(Candidate {
            kind: FieldKind::Text,
            rect,
            label: label.map(|(text, _)| text),
            comb: None,
            source: FieldSource::Underline,
        });
    }
}
