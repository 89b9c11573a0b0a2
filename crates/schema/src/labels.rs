//! Printed labels of fields: the text a person reads next to a box ("Your first name and
//! middle initial" above it, "Single" right of a check box). Works on positioned words of the
//! page content in public (displayed, top-left) coordinates, so "left" and "above" mean what
//! they mean on screen, also on rotated pages.

use formsmith_engine::{DisplayBox, FieldType, PageGeometry, Widget};

/// Where a field's human label comes from.
pub trait LabelSource {
    /// The label of a field whose first widget is `widget`.
    fn label(&self, kind: FieldType, widget: &Widget) -> Option<String>;
    /// The label of one option (a radio button or check box), usually printed right of it.
    fn option_label(&self, widget: &Widget) -> Option<String>;
    /// The heading of a group of options whose first box is `widget` ("Filing Status"):
    /// usually left of the first box, else above it.
    fn group_label(&self, widget: &Widget) -> Option<String> {
        self.label(FieldType::Text, widget)
    }
    /// The printed text itself, for the field model; `None` when none was read.
    fn printed(&self) -> Option<&PrintedLabels> {
        None
    }
}

/// No printed text known: labels come from tooltips and names only.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLabels;

impl LabelSource for NoLabels {
    fn label(&self, _: FieldType, _: &Widget) -> Option<String> {
        None
    }
    fn option_label(&self, _: &Widget) -> Option<String> {
        None
    }
}

/// One printed word: text and its box in PDF user space.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedWord {
    /// The word.
    pub text: String,
    /// (x0, y0, x1, y1) in the page's user space.
    pub rect: [f32; 4],
    /// Effective font size in points.
    pub font_size: f32,
}

/// A run of words on one line with no wide gap: the unit a label is made of.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub(crate) text: String,
    pub(crate) bbox: DisplayBox,
    /// Largest font size of its words, in points.
    pub(crate) size: f64,
}

/// The printed phrases around one box, by side, each with its distance in points: what the
/// field model chooses a label from.
#[derive(Debug, Clone, Default)]
pub struct Around {
    /// Nearest phrase left of the box on its row (a bare line number takes its line's words).
    pub left: Option<(String, f64)>,
    /// The label block just above the box (or printed inside its top).
    pub above: Option<(String, f64)>,
    /// The phrase just under the box (forms that print the caption under the line).
    pub below: Option<(String, f64)>,
    /// Nearest phrase right of the box on its row (check box captions).
    pub right: Option<(String, f64)>,
}

/// Labels found in the printed words of each page.
#[derive(Debug, Default)]
pub struct PrintedLabels {
    /// Per page: its geometry and its phrases in display coordinates.
    pages: Vec<(PageGeometry, Vec<Phrase>)>,
    /// Per page: the body text size (the median phrase size), what headings stand out from.
    body_sizes: Vec<f64>,
}

/// How far (points) a label may be from its box.
const MAX_LEFT_GAP: f64 = 160.0;
const MAX_ABOVE_GAP: f64 = 24.0;
const MAX_RIGHT_GAP: f64 = 120.0;
/// How far left the words of a numbered line may start from its amount box.
const MAX_LINE_LABEL_GAP: f64 = 480.0;
/// Words per page considered for labels (bounds the phrase grouping on hostile pages).
const MAX_WORDS_PER_PAGE: usize = 20_000;

impl PrintedLabels {
    /// Builds the index from each page's geometry and words (`pages[i]` is page i).
    pub fn new(pages: Vec<(PageGeometry, Vec<PrintedWord>)>) -> Self {
        let pages: Vec<(PageGeometry, Vec<Phrase>)> = pages
            .into_iter()
            .map(|(geometry, mut words)| {
                words.truncate(MAX_WORDS_PER_PAGE);
                (geometry, phrases(&geometry, words))
            })
            .collect();
        let body_sizes = pages.iter().map(|(_, phrases)| body_size(phrases)).collect();
        PrintedLabels { pages, body_sizes }
    }

    /// The phrases of the widget's page and the widget's box as displayed.
    fn context(&self, widget: &Widget) -> Option<(&[Phrase], DisplayBox)> {
        let (geometry, phrases) = self.pages.get(widget.page?)?;
        Some((phrases.as_slice(), geometry.to_display(widget.rect)))
    }

    /// The phrases of page `page` in display coordinates.
    pub(crate) fn page_phrases(&self, page: usize) -> &[Phrase] {
        self.pages.get(page).map_or(&[], |(_, phrases)| phrases.as_slice())
    }

    /// The body text size of page `page` in points (10 when it has no text).
    pub(crate) fn page_body_size(&self, page: usize) -> f64 {
        self.body_sizes.get(page).copied().unwrap_or(10.0)
    }

    /// The printed phrases on each side of `widget`.
    pub fn around(&self, widget: &Widget) -> Around {
        let Some((phrases, target)) = self.context(widget) else {
            return Around::default();
        };
        Around {
            left: left_of_scored(phrases, &target),
            above: above_scored(phrases, &target),
            below: below_scored(phrases, &target),
            right: right_of_scored(phrases, &target),
        }
    }
}

impl LabelSource for PrintedLabels {
    fn label(&self, kind: FieldType, widget: &Widget) -> Option<String> {
        let (phrases, target) = self.context(widget)?;
        if matches!(kind, FieldType::Checkbox | FieldType::Radio) {
            // A caption right of the box, unless all that is there is the next line number.
            return right_of(phrases, &target)
                .filter(|t| !is_line_number(t))
                .or_else(|| left_of(phrases, &target))
                .or_else(|| above(phrases, &target));
        }
        let left = left_of_scored(phrases, &target);
        let up = above_scored(phrases, &target);
        match (left, up) {
            (Some((l, ls)), Some((u, us))) => Some(if us <= ls { u } else { l }),
            (Some((l, _)), None) => Some(l),
            (None, Some((u, _))) => Some(u),
            (None, None) => None,
        }
    }

    fn option_label(&self, widget: &Widget) -> Option<String> {
        let (phrases, target) = self.context(widget)?;
        right_of(phrases, &target)
    }

    fn group_label(&self, widget: &Widget) -> Option<String> {
        let (phrases, target) = self.context(widget)?;
        left_of(phrases, &target).or_else(|| above(phrases, &target))
    }

    fn printed(&self) -> Option<&PrintedLabels> {
        Some(self)
    }
}

fn vertical_overlap(a: &DisplayBox, b: &DisplayBox) -> f64 {
    (a.bottom.min(b.bottom) - a.top.max(b.top)).max(0.0)
}

pub(crate) fn horizontal_overlap(a: &DisplayBox, b: &DisplayBox) -> f64 {
    (a.right.min(b.right) - a.left.max(b.left)).max(0.0)
}

pub(crate) fn same_row(phrase: &DisplayBox, target: &DisplayBox) -> bool {
    let height = (phrase.bottom - phrase.top)
        .min(target.bottom - target.top)
        .max(1.0);
    vertical_overlap(phrase, target) >= 0.4 * height
}

/// The nearest phrase right of a box on its row (check box and radio captions).
fn right_of(phrases: &[Phrase], target: &DisplayBox) -> Option<String> {
    right_of_scored(phrases, target).map(|(text, _)| text)
}

fn right_of_scored(phrases: &[Phrase], target: &DisplayBox) -> Option<(String, f64)> {
    phrases
        .iter()
        .filter(|p| same_row(&p.bbox, target) && p.bbox.left >= target.right - 2.0)
        .map(|p| (p, p.bbox.left - target.right))
        .filter(|(_, gap)| *gap <= MAX_RIGHT_GAP)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, gap)| (p.text.clone(), gap))
}

/// How far under a box (points) a caption printed below it may start.
const MAX_BELOW_GAP: f64 = 14.0;

/// The phrase printed just under a box, starting within it horizontally: captions of
/// forms that print `nom`, `prénom`, `code postal` under each entry line.
fn below_scored(phrases: &[Phrase], target: &DisplayBox) -> Option<(String, f64)> {
    let height = (target.bottom - target.top).max(1.0);
    phrases
        .iter()
        .filter(|p| {
            let starts_under = p.bbox.left >= target.left - 4.0 && p.bbox.left < target.right - 2.0;
            let gap = p.bbox.top - target.bottom;
            starts_under && gap >= -0.35 * height.min(12.0) && gap <= MAX_BELOW_GAP
        })
        .map(|p| (p, (p.bbox.top - target.bottom).max(0.0) + 0.05 * (p.bbox.left - target.left).abs()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, score)| (p.text.clone(), score))
}

fn left_of(phrases: &[Phrase], target: &DisplayBox) -> Option<String> {
    left_of_scored(phrases, target).map(|(text, _)| text)
}

/// The nearest phrase left of a box on its row; a bare line number ("1a", "12") takes the
/// phrase before it too, as forms print "Wages . . . . 1a [box]".
fn left_of_scored(phrases: &[Phrase], target: &DisplayBox) -> Option<(String, f64)> {
    let mut row: Vec<(&Phrase, f64)> = phrases
        .iter()
        .filter(|p| same_row(&p.bbox, target) && p.bbox.right <= target.left + 2.0)
        .map(|p| (p, target.left - p.bbox.right))
        .filter(|(_, gap)| *gap <= MAX_LINE_LABEL_GAP)
        .collect();
    row.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (nearest, gap) = *row.first()?;
    if gap > MAX_LEFT_GAP {
        return None;
    }
    let mut text = nearest.text.clone();
    // Amount columns: "Taxable interest . . . . 8a [box]": the words sit far left of the number.
    if is_line_number(&text)
        && let Some((before, _)) = row.iter().skip(1).find(|(p, _)| !is_line_number(&p.text))
    {
        text = format!("{} {}", before.text, text);
    }
    Some((text, gap))
}

fn above(phrases: &[Phrase], target: &DisplayBox) -> Option<String> {
    above_scored(phrases, target).map(|(text, _)| text)
}

/// The nearest phrase just above a box that starts over it (labels printed over entry lines),
/// or printed inside the top of the box itself.
fn above_scored(phrases: &[Phrase], target: &DisplayBox) -> Option<(String, f64)> {
    phrases
        .iter()
        .filter(|p| {
            let starts_over = p.bbox.left >= target.left - 6.0 && p.bbox.left < target.right;
            let overlaps = horizontal_overlap(&p.bbox, target)
                > 0.5 * (p.bbox.right - p.bbox.left).min(target.right - target.left);
            let above = p.bbox.bottom <= target.top + 0.5 * (target.bottom - target.top).min(6.0);
            (starts_over || overlaps) && above && target.top - p.bbox.bottom <= MAX_ABOVE_GAP
        })
        .map(|p| {
            (
                p,
                (target.top - p.bbox.bottom).max(0.0) + 0.1 * (p.bbox.left - target.left).abs(),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, score)| (label_block(phrases, p), score))
}

/// Most lines in a printed label block above a box that are joined into its label.
const MAX_BLOCK_LINES: usize = 4;

/// The whole label printed above a box: `nearest` is its last line; lines directly above it
/// (tight line spacing, same column) are prepended, and a bare line number ("2") takes the
/// words right of it ("2 Business name...").
pub(crate) fn label_block(phrases: &[Phrase], nearest: &Phrase) -> String {
    let mut lines = vec![with_following(phrases, nearest)];
    let mut current = nearest;
    for _ in 1..MAX_BLOCK_LINES {
        // Only a continuation line (lower-case or punctuation first) belongs to a label
        // above it; a capitalised or numbered line starts its own label.
        let continues = current
            .text
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || matches!(c, '(' | ',' | ';' | '&'));
        if !continues {
            break;
        }
        let height = (current.bbox.bottom - current.bbox.top).max(1.0);
        let line_above = phrases
            .iter()
            .filter(|p| {
                let gap = current.bbox.top - p.bbox.bottom;
                let aligned = (p.bbox.left - current.bbox.left).abs() < 12.0
                    || horizontal_overlap(&p.bbox, &current.bbox)
                        > 0.5 * (current.bbox.right - current.bbox.left);
                let same_size = (p.bbox.bottom - p.bbox.top - height).abs() < 0.35 * height;
                gap > -0.2 * height
                    && gap < 0.6 * height
                    && aligned
                    && same_size
                    && !std::ptr::eq(*p, current)
            })
            .min_by(|a, b| {
                (current.bbox.top - a.bbox.bottom).total_cmp(&(current.bbox.top - b.bbox.bottom))
            });
        let Some(line) = line_above else { break };
        lines.push(with_following(phrases, line));
        current = line;
    }
    lines.reverse();
    lines.join(" ")
}

/// A bare line number joined with the phrase right of it on its line.
fn with_following(phrases: &[Phrase], phrase: &Phrase) -> String {
    if !is_line_number(&phrase.text) {
        return phrase.text.clone();
    }
    let height = (phrase.bbox.bottom - phrase.bbox.top).max(1.0);
    phrases
        .iter()
        .filter(|p| same_row(&p.bbox, &phrase.bbox) && p.bbox.left >= phrase.bbox.right - 1.0)
        .filter(|p| p.bbox.left - phrase.bbox.right < 4.0 * height)
        .min_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left))
        .map(|next| format!("{} {}", phrase.text, next.text))
        .unwrap_or_else(|| phrase.text.clone())
}

/// A bare line or item number: "7", "1a", "12.", "4(a)", "(4b)", "5b)".
fn is_line_number(text: &str) -> bool {
    let t = text.trim_end_matches(['.', ':', ')']).trim_start_matches('(');
    let t: String = t.chars().filter(|c| !matches!(c, '(' | ')')).collect();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = t.len() - digits;
    (1..=3).contains(&digits) && rest <= 1 && t.chars().skip(digits).all(|c| c.is_ascii_lowercase())
}

/// The median phrase size (10 points for a page without text).
fn body_size(phrases: &[Phrase]) -> f64 {
    let mut sizes: Vec<f64> = phrases.iter().map(|p| p.size).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.get(sizes.len() / 2).copied().unwrap_or(10.0)
}

/// Groups words into phrases: same baseline, gaps under one em. Dot leaders are dropped.
fn phrases(geometry: &PageGeometry, words: Vec<PrintedWord>) -> Vec<Phrase> {
    let mut boxes: Vec<(String, DisplayBox, f64)> = words
        .into_iter()
        .filter_map(|w| {
            let text = w.text.trim().to_string();
            let leader = text
                .chars()
                .all(|c| matches!(c, '.' | '…' | '_' | '-' | ' '));
            (!text.is_empty() && !leader).then(|| {
                (
                    text,
                    geometry.to_display(w.rect),
                    f64::from(w.font_size.max(1.0)),
                )
            })
        })
        .collect();
    boxes.sort_by(|a, b| {
        a.1.top
            .total_cmp(&b.1.top)
            .then(a.1.left.total_cmp(&b.1.left))
    });
    let mut out: Vec<Phrase> = Vec::new();
    let mut used = vec![false; boxes.len()];
    // Box glyphs (☐ in running text) are boxes, not words: they end a phrase and make none.
    let is_glyph_box = |t: &str| t.chars().all(|c| matches!(c, '☐' | '☑' | '☒' | '□' | '■' | '○' | '●' | '◯' | '❏' | '❑' | '▢' | '¨' | '\u{f06f}' | '\u{f0a8}'));
    for (i, slot) in used.iter_mut().enumerate() {
        if boxes[i].0.chars().all(|c| !c.is_alphanumeric()) && is_glyph_box(&boxes[i].0) {
            *slot = true;
        }
    }
    for i in 0..boxes.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let (text, bbox, size) = &boxes[i];
        let mut phrase = Phrase {
            text: text.clone(),
            bbox: *bbox,
            size: *size,
        };
        let em = *size;
        // Extend rightwards with the next word on the same baseline.
        loop {
            let next = (0..boxes.len())
                .filter(|&j| !used[j] || is_glyph_box(&boxes[j].0))
                .filter(|&j| {
                    let b = &boxes[j].1;
                    let same_line = (b.bottom - phrase.bbox.bottom).abs() < 0.35 * em;
                    let gap = b.left - phrase.bbox.right;
                    same_line && gap > -0.3 * em && gap < 1.0 * em
                })
                .min_by(|&a, &b| boxes[a].1.left.total_cmp(&boxes[b].1.left));
            let Some(j) = next else { break };
            if is_glyph_box(&boxes[j].0) && !boxes[j].0.chars().any(char::is_alphanumeric) {
                break;
            }
            used[j] = true;
            let b = boxes[j].1;
            phrase.size = phrase.size.max(boxes[j].2);
            phrase.text.push(' ');
            phrase.text.push_str(&boxes[j].0);
            phrase.bbox = DisplayBox {
                left: phrase.bbox.left.min(b.left),
                top: phrase.bbox.top.min(b.top),
                right: phrase.bbox.right.max(b.right),
                bottom: phrase.bbox.bottom.max(b.bottom),
            };
        }
        phrase.text = clean_label(&phrase.text);
        if phrase.text.chars().any(char::is_alphanumeric) {
            out.push(phrase);
        }
    }
    out
}

/// Trims dot leaders, trailing colons and bullets from a printed label.
fn clean_label(text: &str) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| matches!(c, '.' | '…' | '_')))
        .collect();
    let joined = words.join(" ");
    joined
        .trim_matches(|c: char| matches!(c, ':' | '.' | '…' | '_' | '▶' | '►' | '•' | ' '))
        .to_string()
}
