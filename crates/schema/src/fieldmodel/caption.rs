//! Which printed phrase is a box's caption, chosen by a small learned scorer.
//!
//! Every phrase a person might read as the caption (a few nearest on each side of the box:
//! left on its row, the label block above, the line under it, right of it, printed inside
//! it) becomes a candidate described by geometry and wording features: side, distance in
//! ems, alignment, whether another box sits between or lies nearer the phrase, font size
//! against the page's body text, capitals, a leading lower-case word, whether the words name
//! a kind of value and whether it agrees with the field's name. A linear model over those
//! features (softmax over one box's candidates plus "no printed caption") picks one. It is
//! trained on the dev forms of the field-model truth set only
//! (`cargo run --release -p formsmith-schema --example train_captions -- --write`), and
//! ships as the weights in `caption_weights.rs`: nothing is loaded at run time.

use formsmith_engine::{DisplayBox, FieldType};
use serde::Serialize;

use super::caption_weights::WEIGHTS;
use super::semantic;
use crate::labels::{Phrase, horizontal_overlap as h_overlap, same_row};

/// Where a field's label came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LabelOrigin {
    /// Printed left of the box.
    PrintedLeft,
    /// Printed above the box (or inside its top).
    PrintedAbove,
    /// Printed under the box.
    PrintedBelow,
    /// Printed right of the box (check box and radio captions).
    PrintedRight,
    /// The field's tooltip (/TU).
    Tooltip,
    /// The field's name, split into words.
    Name,
    /// The caption of the first box of the value it continues (SSN box 3 of 3).
    FirstBox,
    /// Nothing meaningful: the label is missing.
    None,
}

/// A caption without the marks forms print before it: required-field stars, bullets, and
/// line or item numbers ("* 10. Name of Federal Agency" -> "Name of Federal Agency").
pub(crate) fn strip_line_marks(text: &str) -> String {
    static MARKS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(\s*([*•▶►]|[0-9]{1,3}[a-z]?[.)]|\([0-9a-z]{1,3}\)))+\s*")
            .expect("valid regex")
    });
    let text = MARKS.replace(text, "").trim().to_string();
    // A section letter before a capitalised caption ("A Your first name").
    let mut words = text.splitn(2, ' ');
    match (words.next(), words.next()) {
        (Some(letter), Some(rest))
            if letter.len() == 1
                && letter.chars().all(|c| c.is_ascii_uppercase())
                && letter != "I"
                && rest.chars().next().is_some_and(char::is_uppercase) =>
        {
            rest.to_string()
        }
        _ => text,
    }
}

/// Side of the box a candidate is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Left of the box on its row.
    Left,
    /// Just above the box (the whole label block).
    Above,
    /// Just under the box.
    Below,
    /// Right of the box on its row.
    Right,
    /// Printed inside the box.
    Inside,
    /// No printed caption: the tooltip or the field's name is used.
    Nothing,
}

/// One phrase that may be a box's caption, with what the scorer weighs.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The caption's words.
    pub text: String,
    /// Where it is printed.
    pub side: Side,
    /// Distance from the box in points (gap on its side).
    pub gap: f64,
    /// What the scorer weighs (see `features`).
    pub features: Vec<f64>,
}

/// Number of features per candidate (the length of [`WEIGHTS`]).
pub const FEATURES: usize = 49;

/// What the scorer knows about the box beyond the page.
pub struct Target<'a> {
    /// The box as displayed.
    pub bbox: DisplayBox,
    /// The field's kind.
    pub kind: FieldType,
    /// Other widgets' boxes on the same page (any field).
    pub others: &'a [DisplayBox],
    /// The page prints captions under its entry lines.
    pub below_page: bool,
    /// Kind of value the field's own name says it holds.
    pub name_kind: Option<semantic::Semantic>,
    /// The field has a tooltip / a name that reads as words (not generator junk).
    pub has_tooltip: bool,
    /// See `has_tooltip`.
    pub has_name: bool,
    /// The tooltip's and the name's words (normalized), which a caption often shares.
    pub tooltip_words: Vec<String>,
    /// See `tooltip_words`.
    pub name_words: Vec<String>,
}

/// Share of `text`'s words found in `words` (0 when either is empty).
fn shared(text: &str, words: &[String]) -> f64 {
    let own: Vec<String> = semantic::normalize(text).split_whitespace().filter(|w| w.len() > 1).map(str::to_string).collect();
    if own.is_empty() || words.is_empty() {
        return 0.0;
    }
    own.iter().filter(|w| words.contains(w)).count() as f64 / own.len() as f64
}

/// Most candidates taken per side (nearest first).
const PER_SIDE: usize = 3;
/// Farthest a caption may be on each side, in points.
const MAX_LEFT: f64 = 300.0;
const MAX_ABOVE: f64 = 40.0;
const MAX_BELOW: f64 = 20.0;
const MAX_RIGHT: f64 = 140.0;

/// Gap between two boxes (0 when they touch or overlap).
fn box_distance(a: &DisplayBox, b: &DisplayBox) -> f64 {
    let dx = (a.left - b.right).max(b.left - a.right).max(0.0);
    let dy = (a.top - b.bottom).max(b.top - a.bottom).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

fn is_line_number(text: &str) -> bool {
    let t = text.trim_end_matches(['.', ':', ')']).trim_start_matches('(');
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    (1..=3).contains(&digits) && t.len() - digits <= 1
}

/// The side and gap of `p` relative to `t`, when `p` is where a caption of `t` can be.
fn placement(p: &DisplayBox, t: &DisplayBox) -> Option<(Side, f64)> {
    let inside = p.left >= t.left - 1.0 && p.right <= t.right + 1.0 && p.top >= t.top - 1.0 && p.bottom <= t.bottom + 1.0;
    if inside {
        return Some((Side::Inside, 0.0));
    }
    if same_row(p, t) {
        if p.right <= t.left + 2.0 && t.left - p.right <= MAX_LEFT {
            return Some((Side::Left, (t.left - p.right).max(0.0)));
        }
        if p.left >= t.right - 2.0 && p.left - t.right <= MAX_RIGHT {
            return Some((Side::Right, (p.left - t.right).max(0.0)));
        }
    }
    let over = (p.left >= t.left - 6.0 && p.left < t.right) || h_overlap(p, t) > 0.5 * (p.right - p.left).min(t.right - t.left);
    let height = (t.bottom - t.top).max(1.0);
    if over && p.bottom <= t.top + 0.5 * height.min(6.0) && t.top - p.bottom <= MAX_ABOVE {
        return Some((Side::Above, (t.top - p.bottom).max(0.0)));
    }
    let under = p.left >= t.left - 4.0 && p.left < t.right - 2.0;
    let gap = p.top - t.bottom;
    if under && gap >= -0.35 * height.min(12.0) && gap <= MAX_BELOW {
        return Some((Side::Below, gap.max(0.0)));
    }
    None
}

/// Whether another box lies between the phrase and the target on the candidate's side.
fn blocked(side: Side, p: &DisplayBox, t: &DisplayBox, others: &[DisplayBox]) -> bool {
    others.iter().any(|o| match side {
        Side::Left => same_row(o, t) && o.right <= t.left + 1.0 && o.left >= p.right - 1.0,
        Side::Right => same_row(o, t) && o.left >= t.right - 1.0 && o.right <= p.left + 1.0,
        Side::Above => h_overlap(o, t) > 0.0 && o.top >= p.bottom - 1.0 && o.bottom <= t.top + 1.0,
        Side::Below => h_overlap(o, t) > 0.0 && o.top >= t.bottom - 1.0 && o.bottom <= p.top + 1.0,
        Side::Inside | Side::Nothing => false,
    })
}

/// Whether another box has the phrase as its own caption at a smaller gap (beside it on its
/// row, or just above it).
fn claimed_nearer(p: &DisplayBox, gap: f64, others: &[DisplayBox]) -> bool {
    others.iter().any(|o| match placement(p, o) {
        Some((Side::Left | Side::Right | Side::Above, g)) => g + 0.5 < gap,
        _ => false,
    })
}

/// The candidates of one box, the "nothing printed" one last.
pub(crate) fn candidates(phrases: &[Phrase], body: f64, target: &Target) -> Vec<Candidate> {
    let t = &target.bbox;
    let mut found: Vec<(&Phrase, Side, f64)> = phrases
        .iter()
        .filter_map(|p| placement(&p.bbox, t).map(|(side, gap)| (p, side, gap)))
        .collect();
    found.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut per_side = [0usize; 5];
    let mut out = Vec::new();
    // The nearest phrase on the left and above, with their candidates' text and gap.
    let mut nearest_left: Option<(&Phrase, String, f64)> = None;
    let mut nearest_above: Option<(&Phrase, String, f64)> = None;
    for (overall, (p, side, gap)) in found.into_iter().enumerate() {
        let slot = side as usize;
        if per_side[slot] >= PER_SIDE {
            continue;
        }
        let rank_in_side = per_side[slot];
        per_side[slot] += 1;
        let text = match side {
            Side::Above => crate::labels::label_block(phrases, p),
            Side::Left if is_line_number(&p.text) => {
                // "Wages . . . 1a [box]": the words of the line sit left of its number.
                phrases
                    .iter()
                    .filter(|q| same_row(&q.bbox, t) && q.bbox.right <= p.bbox.left + 1.0 && !is_line_number(&q.text))
                    .max_by(|a, b| a.bbox.right.total_cmp(&b.bbox.right))
                    .map_or_else(|| p.text.clone(), |q| format!("{} {}", q.text, p.text))
            }
            _ => p.text.clone(),
        };
        let features = features(p, &text, side, gap, rank_in_side, overall, body, target);
        match side {
            Side::Left if nearest_left.is_none() => nearest_left = Some((p, text.clone(), gap)),
            Side::Above if nearest_above.is_none() => nearest_above = Some((p, text.clone(), gap)),
            _ => {}
        }
        out.push(Candidate { text, side, gap, features });
    }
    // Captions the phrase grouping split: the words before the nearest phrase on its row
    // ("No. &" + "Street"), a caption running over several lines left of the box, and lines
    // above a caption whatever their case.
    let mut extra: Vec<(String, Side, f64, &Phrase, usize)> = Vec::new();
    if let Some((p, text, gap)) = nearest_left {
        let em = p.size.max(4.0);
        if let Some(q) = phrases
            .iter()
            .filter(|q| same_row(&q.bbox, &p.bbox) && q.bbox.right <= p.bbox.left + 1.0 && p.bbox.left - q.bbox.right < 3.0 * em)
            .max_by(|a, b| a.bbox.right.total_cmp(&b.bbox.right))
        {
            extra.push((format!("{} {text}", q.text), Side::Left, gap, p, 2));
        }
        let block = stacked_block(phrases, p, t, target.others);
        if block.1 > 1 {
            extra.push((block.0, Side::Left, gap, p, 3));
        }
    }
    if let Some((p, text, gap)) = nearest_above {
        let block = stacked_block(phrases, p, &DisplayBox { top: p.bbox.top, bottom: p.bbox.bottom, ..*t }, target.others);
        if block.1 > 1 && block.0 != text {
            extra.push((block.0, Side::Above, gap, p, 4));
        }
    }
    for (text, side, gap, p, composite) in extra {
        if out.iter().any(|c| c.text == text) {
            continue;
        }
        let mut f = features(p, &text, side, gap, 0, 0, body, target);
        f[38 + composite] = 1.0;
        f[43] = (text.split_whitespace().count() as f64).ln_1p();
        out.push(Candidate { text, side, gap, features: f });
    }
    let mut nothing = vec![0.0; FEATURES];
    nothing[35] = 1.0;
    nothing[36] = f64::from(u8::from(target.has_tooltip));
    nothing[37] = f64::from(u8::from(target.has_name));
    nothing[38] = f64::from(u8::from(out.is_empty()));
    out.push(Candidate { text: String::new(), side: Side::Nothing, gap: 0.0, features: nothing });
    out
}

/// The lines of a caption printed over several lines, `p` among them: lines above `p` with
/// the same left edge and tight spacing, and lines under it down to the target's bottom.
/// Returns the joined text, top to bottom, and how many lines it holds.
fn stacked_block(phrases: &[Phrase], p: &Phrase, t: &DisplayBox, others: &[DisplayBox]) -> (String, usize) {
    let em = p.size.max(4.0);
    // A line with a box of its own beside it is that box's caption, not part of this one.
    let captions_another = |q: &Phrase| {
        others.iter().any(|o| same_row(&q.bbox, o) && o.left >= q.bbox.right - 2.0 && o.left - q.bbox.right <= 60.0)
    };
    let aligned = |q: &Phrase| {
        (q.bbox.left - p.bbox.left).abs() < 0.8 * em && (q.size - p.size).abs() < 0.35 * p.size && !captions_another(q)
    };
    let mut lines: Vec<&Phrase> = vec![p];
    let mut current = p;
    for _ in 0..3 {
        let Some(up) = phrases
            .iter()
            .filter(|q| aligned(q) && !std::ptr::eq(*q, current))
            .filter(|q| {
                let gap = current.bbox.top - q.bbox.bottom;
                gap > -0.2 * em && gap < 0.7 * em
            })
            .min_by(|a, b| (current.bbox.top - a.bbox.bottom).total_cmp(&(current.bbox.top - b.bbox.bottom)))
        else {
            break;
        };
        lines.insert(0, up);
        current = up;
    }
    let mut current = p;
    for _ in 0..3 {
        let Some(down) = phrases
            .iter()
            .filter(|q| aligned(q) && !std::ptr::eq(*q, current) && q.bbox.top < t.bottom)
            .filter(|q| {
                let gap = q.bbox.top - current.bbox.bottom;
                gap > -0.2 * em && gap < 0.7 * em
            })
            .min_by(|a, b| a.bbox.top.total_cmp(&b.bbox.top))
        else {
            break;
        };
        lines.push(down);
        current = down;
    }
    let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    (text.join(" "), lines.len())
}

#[allow(clippy::too_many_arguments)]
fn features(p: &Phrase, text: &str, side: Side, gap: f64, rank_in_side: usize, overall: usize, body: f64, target: &Target) -> Vec<f64> {
    let t = &target.bbox;
    let em = p.size.max(4.0);
    let mut f = vec![0.0; FEATURES];
    let side_index = side as usize;
    let is_check = matches!(target.kind, FieldType::Checkbox | FieldType::Radio);
    let gap_em = (gap / em).min(40.0);
    // Side, and a distance slope per side (a left caption may be far, one above may not).
    f[side_index] = 1.0;
    f[5 + side_index] = (1.0 + gap_em).ln();
    // The same for check boxes, whose captions are to their right.
    if is_check {
        f[10 + side_index] = 1.0;
        f[15 + side_index] = (1.0 + gap_em).ln();
    }
    f[20] = rank_in_side as f64;
    f[21] = (1.0 + overall as f64).ln();
    // Alignment: left edges for captions above or below, middles for those on the row.
    f[22] = match side {
        Side::Above | Side::Below => ((p.bbox.left - t.left).abs() / em).min(40.0).ln_1p(),
        _ => (((p.bbox.top + p.bbox.bottom) - (t.top + t.bottom)).abs() / 2.0 / em).min(40.0).ln_1p(),
    };
    f[23] = f64::from(u8::from(blocked(side, &p.bbox, t, target.others)));
    f[24] = f64::from(u8::from(claimed_nearer(&p.bbox, gap, target.others)));
    let nearest_other = target.others.iter().map(|o| box_distance(&p.bbox, o)).fold(f64::INFINITY, f64::min);
    let mine = box_distance(&p.bbox, t);
    f[25] = if nearest_other.is_finite() { ((nearest_other + 1.0) / (mine + 1.0)).ln().clamp(-3.0, 3.0) } else { 3.0 };
    f[26] = (p.size / body.max(1.0)).clamp(0.3, 3.0).ln();
    let words = text.split_whitespace().count();
    f[27] = (words as f64).ln_1p();
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    f[28] = f64::from(u8::from(letters.len() >= 4 && letters.iter().all(|c| c.is_uppercase())));
    f[29] = f64::from(u8::from(text.chars().next().is_some_and(|c| c.is_lowercase() || c == '(')));
    let kind = semantic::from_words(&semantic::normalize(text));
    f[30] = f64::from(u8::from(kind.is_some()));
    f[31] = match (kind, target.name_kind) {
        (Some(a), Some(b)) if a == b => 1.0,
        (Some(a), Some(b)) if semantic::family(a).is_some() && semantic::family(a) == semantic::family(b) => 0.5,
        (Some(_), Some(_)) => -1.0,
        _ => 0.0,
    };
    f[32] = f64::from(u8::from(target.below_page && side == Side::Below));
    let digits = text.chars().filter(char::is_ascii_digit).count();
    f[33] = digits as f64 / text.chars().count().max(1) as f64;
    f[34] = ((t.bottom - t.top) / em).clamp(0.1, 20.0).ln();
    f[39] = f64::from(u8::from(words > 12));
    // The phrase is right beside another box on that box's row: that box's caption.
    f[48] = f64::from(u8::from(
        side != Side::Left
            && target.others.iter().any(|o| matches!(placement(&p.bbox, o), Some((Side::Left, g)) if g <= 30.0)),
    ));
    f[46] = shared(text, &target.tooltip_words);
    f[47] = shared(text, &target.name_words);
    f
}

/// Marks the candidate the hand-written rules chose (`label`, cleaned of line marks),
/// or "nothing printed" when the rules took the tooltip or the name.
pub fn mark_rules_choice(candidates: &mut [Candidate], label: Option<&str>, origin: LabelOrigin) {
    use LabelOrigin as O;
    let printed = matches!(origin, O::PrintedLeft | O::PrintedAbove | O::PrintedBelow | O::PrintedRight);
    for c in candidates.iter_mut() {
        let chosen = match c.side {
            Side::Nothing => !printed,
            _ => printed && label.is_some_and(|l| strip_line_marks(&c.text) == l),
        };
        c.features[if c.side == Side::Nothing { 45 } else { 44 }] = f64::from(u8::from(chosen));
    }
}

/// The scorer's value for one candidate.
pub fn score(candidate: &Candidate) -> f64 {
    candidate.features.iter().zip(WEIGHTS.iter()).map(|(x, w)| x * w).sum()
}

/// The best candidate, or `None` when "nothing printed" wins. (Keeping the rules' choice
/// unless another beat it by a margin was tried: at 1 and 2 log-odds the dev labels fell
/// and the dev requests did not gain.)
pub fn choose(candidates: &[Candidate]) -> Option<&Candidate> {
    candidates
        .iter()
        .max_by(|a, b| score(a).total_cmp(&score(b)))
        .filter(|c| c.side != Side::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(text: &str, left: f64, top: f64, right: f64, bottom: f64) -> Phrase {
        Phrase { text: text.into(), bbox: DisplayBox { left, top, right, bottom }, size: bottom - top }
    }

    fn target<'a>(bbox: DisplayBox, others: &'a [DisplayBox]) -> Target<'a> {
        Target {
            bbox,
            kind: FieldType::Text,
            others,
            below_page: false,
            name_kind: None,
            has_tooltip: false,
            has_name: false,
            tooltip_words: Vec::new(),
            name_words: Vec::new(),
        }
    }

    /// The candidates' texts for a box at `bbox` among `others`.
    fn texts(phrases: &[Phrase], bbox: DisplayBox, others: &[DisplayBox]) -> Vec<String> {
        candidates(phrases, 9.0, &target(bbox, others)).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn the_shipped_weights_cover_every_feature() {
        assert_eq!(WEIGHTS.len(), FEATURES, "retrain: cargo run --release -p formsmith-schema --example train_captions -- --write");
    }

    #[test]
    fn a_caption_beside_the_box_beats_the_heading_over_the_page() {
        let phrases = vec![
            phrase("APPLICATION FOR A PERMIT", 100.0, 40.0, 400.0, 56.0),
            phrase("Family name", 40.0, 102.0, 100.0, 111.0),
        ];
        let bbox = DisplayBox { left: 110.0, top: 98.0, right: 300.0, bottom: 114.0 };
        let candidates = candidates(&phrases, 9.0, &target(bbox, &[]));
        assert_eq!(candidates.last().map(|c| c.side), Some(Side::Nothing));
        assert_eq!(choose(&candidates).map(|c| c.text.as_str()), Some("Family name"));
    }

    #[test]
    fn a_caption_split_by_a_wide_gap_is_also_offered_whole() {
        // "No. &" and "Street" are two phrases (the gap is over one em): the pair is a candidate.
        let phrases = vec![phrase("No. &", 40.0, 102.0, 62.0, 111.0), phrase("Street", 76.0, 102.0, 100.0, 111.0)];
        let bbox = DisplayBox { left: 104.0, top: 98.0, right: 300.0, bottom: 114.0 };
        let texts = texts(&phrases, bbox, &[]);
        assert!(texts.contains(&"No. & Street".to_string()), "{texts:?}");
    }

    #[test]
    fn a_line_beside_another_box_is_not_joined_into_this_caption() {
        // Two stacked captions, each with its box to the right: the upper one belongs to the
        // upper box and is not prepended to the lower caption.
        let phrases = vec![
            phrase("Check here if a corporation", 40.0, 90.0, 160.0, 99.0),
            phrase("Calendar year", 40.0, 100.0, 100.0, 109.0),
        ];
        let upper_box = DisplayBox { left: 170.0, top: 89.0, right: 180.0, bottom: 99.0 };
        let bbox = DisplayBox { left: 110.0, top: 99.0, right: 200.0, bottom: 110.0 };
        let texts = texts(&phrases, bbox, &[upper_box]);
        assert!(!texts.iter().any(|t| t.contains("corporation Calendar")), "{texts:?}");
    }
}
