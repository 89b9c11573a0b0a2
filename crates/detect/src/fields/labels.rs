//! The printed label of a detected field: the phrase a person reads for it — left of a box
//! or above it, on a rule before the blank, under a signature line, right of a check box.

use formsmith_page::graphics::Bx;
use formsmith_page::read::PlacedWord;

/// How far (points) a label may be from its field.
const MAX_LEFT_GAP: f32 = 150.0;
const MAX_ABOVE_GAP: f32 = 16.0;
const MAX_RIGHT_GAP: f32 = 90.0;
const MAX_BELOW_GAP: f32 = 14.0;
/// A blank at least this wide (points) starting a line continues the sentence above it.
const WIDE_BLANK: f32 = 200.0;
/// A label this close (points) left of a rule input is the one written on its line.
const RULE_LABEL_GAP: f32 = 40.0;
/// Words per page grouped into phrases (bounds hostile pages).
const MAX_WORDS: usize = 20_000;
/// The gap reported when no phrase is in reach (beyond every lookup's reach).
pub(crate) const NO_PHRASE: f32 = 999.0;
/// Longest label kept (characters).
const MAX_LABEL: usize = 160;

/// Where a label was found, relative to its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    FarLeft,
    Below,
    Above,
}

/// A run of words on one line with no wide gap.
#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    rect: Bx,
}

/// The phrases of a page, for label lookups, bucketed by rows of the page.
pub(crate) struct Labels {
    phrases: Vec<Phrase>,
    rows: Vec<Vec<usize>>,
}

/// Height of a bucket row (points).
const ROW: f32 = 24.0;
/// Rows kept in the index (pages taller than this many rows share the last one).
const MAX_ROWS: usize = 4_000;

fn row_of(y: f32) -> usize {
    ((y / ROW).floor().max(0.0) as usize).min(MAX_ROWS - 1)
}

fn v_overlap(a: &Bx, b: &Bx) -> f32 {
    (a[3].min(b[3]) - a[1].max(b[1])).max(0.0)
}

fn h_overlap(a: &Bx, b: &Bx) -> f32 {
    (a[2].min(b[2]) - a[0].max(b[0])).max(0.0)
}

fn same_row(p: &Bx, t: &Bx) -> bool {
    let hgt = (p[3] - p[1]).min(t[3] - t[1]).max(1.0);
    v_overlap(p, t) >= 0.4 * hgt
}

/// Trims leaders, colons, arrows and bullets, and caps the length.
pub(crate) fn clean(text: &str) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| matches!(c, '.' | '…' | '_' | '-')))
        .collect();
    let joined = words.join(" ");
    let trimmed = joined.trim_matches(|c: char| {
        matches!(
            c,
            ':' | '.' | '…' | '_' | '▶' | '►' | '•' | ' ' | '$' | '☐' | '□' | '❏' | '(' | '*'
        )
    });
    let mut out: String = trimmed.chars().take(MAX_LABEL).collect();
    if trimmed.chars().count() > MAX_LABEL
        && let Some(cut) = out.rfind(' ')
    {
        out.truncate(cut);
    }
    out
}

/// A phrase that can name a field: two letters or digits, one digit (a line number), or one
/// letter of a script written without spaces (a lone "Y" of a vertical "PRINT CLEARLY" is
/// not a label).
fn useful(text: &str) -> bool {
    let mut alnum = text.chars().filter(|c| c.is_alphanumeric());
    match (alnum.next(), alnum.next()) {
        (Some(_), Some(_)) => true,
        (Some(c), None) => !c.is_ascii_alphabetic(),
        _ => false,
    }
}

impl Labels {
    /// Groups the page's words (display frame, reading order) into phrases.
    pub fn new(words: &[PlacedWord]) -> Self {
        let pieces: Vec<PlacedWord> = words
            .iter()
            .take(MAX_WORDS)
            .flat_map(split_blanks)
            .collect();
        let mut sorted: Vec<&PlacedWord> = pieces
            .iter()
            .filter(|w| {
                let t = w.text.trim();
                !t.is_empty() && !t.chars().all(|c| matches!(c, '.' | '…' | '_' | ' '))
            })
            .collect();
        sorted.sort_by(|a, b| {
            a.rect[3]
                .total_cmp(&b.rect[3])
                .then(a.rect[0].total_cmp(&b.rect[0]))
        });
        let mut phrases: Vec<Phrase> = Vec::new();
        // Open phrases per baseline; each word joins the phrase it continues.
        let mut open: Vec<(usize, f32, f32)> = Vec::new(); // phrase, bottom, em
        for w in sorted {
            let em = w.size.max(1.0);
            let joined = open.iter().rev().find(|(p, bottom, pem)| {
                let r = &phrases[*p].rect;
                let gap = w.rect[0] - r[2];
                (w.rect[3] - bottom).abs() < 0.35 * em.min(*pem)
                    && gap > -0.3 * em
                    && gap < 1.0 * em
            });
            match joined {
                Some(&(p, _, _)) => {
                    let phrase = &mut phrases[p];
                    phrase.text.push(' ');
                    phrase.text.push_str(w.text.trim());
                    phrase.rect = [
                        phrase.rect[0].min(w.rect[0]),
                        phrase.rect[1].min(w.rect[1]),
                        phrase.rect[2].max(w.rect[2]),
                        phrase.rect[3].max(w.rect[3]),
                    ];
                }
                None => {
                    phrases.push(Phrase {
                        text: w.text.trim().to_string(),
                        rect: w.rect,
                    });
                    open.push((phrases.len() - 1, w.rect[3], em));
                    // Phrases far above the current baseline are closed.
                    let bottom = w.rect[3];
                    open.retain(|(_, b, e)| bottom - b < 2.0 * e);
                }
            }
        }
        for p in &mut phrases {
            p.text = clean(&p.text);
        }
        phrases.retain(|p| useful(&p.text));
        let mut rows: Vec<Vec<usize>> = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            let (a, b) = (row_of(p.rect[1]), row_of(p.rect[3]));
            if rows.len() <= b {
                rows.resize_with(b + 1, Vec::new);
            }
            for row in rows.iter_mut().take(b + 1).skip(a) {
                row.push(i);
            }
        }
        Labels { phrases, rows }
    }

    /// The phrases whose rows meet `top..bottom` (each once).
    fn near(&self, top: f32, bottom: f32) -> impl Iterator<Item = &Phrase> {
        let (a, b) = (row_of(top), row_of(bottom));
        let mut seen: Vec<usize> = self
            .rows
            .iter()
            .take(b + 1)
            .skip(a)
            .flatten()
            .copied()
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().map(move |i| &self.phrases[i])
    }

    /// The nearest phrase left of `t` on its row.
    fn left(&self, t: &Bx) -> Option<(&Phrase, f32)> {
        self.near(t[1], t[3])
            .filter(|p| same_row(&p.rect, t) && p.rect[2] <= t[0] + 2.0)
            .map(|p| (p, t[0] - p.rect[2]))
            .filter(|(_, gap)| *gap <= MAX_LEFT_GAP)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The nearest phrase right of `t` on its row.
    fn right(&self, t: &Bx) -> Option<(&Phrase, f32)> {
        self.near(t[1], t[3])
            .filter(|p| same_row(&p.rect, t) && p.rect[0] >= t[2] - 2.0)
            .map(|p| (p, p.rect[0] - t[2]))
            .filter(|(_, gap)| *gap <= MAX_RIGHT_GAP)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The nearest phrase just above `t` that starts over it.
    fn above(&self, t: &Bx) -> Option<(&Phrase, f32)> {
        self.near(t[1] - MAX_ABOVE_GAP - 2.0, t[1] + 2.0)
            .filter(|p| {
                let over = (p.rect[0] >= t[0] - 6.0 && p.rect[0] < t[2])
                    || h_overlap(&p.rect, t) > 0.5 * (p.rect[2] - p.rect[0]).min(t[2] - t[0]);
                over && p.rect[3] <= t[1] + 2.0 && t[1] - p.rect[3] <= MAX_ABOVE_GAP
            })
            .map(|p| {
                (
                    p,
                    (t[1] - p.rect[3]).max(0.0) + 0.1 * (p.rect[0] - t[0]).abs(),
                )
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The nearest phrase just below `t` that starts under it.
    fn below(&self, t: &Bx) -> Option<(&Phrase, f32)> {
        self.near(t[3] - 2.0, t[3] + MAX_BELOW_GAP + 2.0)
            .filter(|p| {
                let under = (p.rect[0] >= t[0] - 6.0 && p.rect[0] < t[2])
                    || h_overlap(&p.rect, t) > 0.5 * (p.rect[2] - p.rect[0]).min(t[2] - t[0]);
                under && p.rect[1] >= t[3] - 2.0 && p.rect[1] - t[3] <= MAX_BELOW_GAP
            })
            .map(|p| {
                (
                    p,
                    (p.rect[1] - t[3]).max(0.0) + 0.1 * (p.rect[0] - t[0]).abs(),
                )
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Distances to the nearest phrase left of, right of, above and below `t` (as the
    /// label lookups measure them), [`NO_PHRASE`] where there is none in reach: features
    /// of the field scorer.
    pub fn gaps(&self, t: &Bx) -> [f32; 4] {
        let gap = |found: Option<(&Phrase, f32)>| found.map_or(NO_PHRASE, |(_, g)| g);
        [
            gap(self.left(t)),
            gap(self.right(t)),
            gap(self.above(t)),
            gap(self.below(t)),
        ]
    }

    /// The boxes of the phrases whose text passes `test`.
    pub fn phrases_where(&self, test: impl Fn(&str) -> bool) -> Vec<Bx> {
        self.phrases
            .iter()
            .filter(|p| test(&p.text))
            .map(|p| p.rect)
            .collect()
    }

    /// Whether a phrase sits left of `t` on its row, at most `gap` points away.
    pub fn has_left(&self, t: &Bx, gap: f32) -> bool {
        self.left(t).is_some_and(|(_, g)| g <= gap)
    }

    /// A text box's label: left of it or above it, the closer one.
    pub fn for_text(&self, t: &Bx) -> Option<String> {
        let left = self
            .left(t)
            .map(|(p, gap)| (self.with_line_words(p, t), gap));
        match (left, self.above(t)) {
            (Some((l, lg)), Some((u, ug))) => Some(if ug <= lg { u.text.clone() } else { l }),
            (Some((l, _)), None) => Some(l),
            (None, Some((u, _))) => Some(u.text.clone()),
            (None, None) => None,
        }
    }

    /// A bare line number left of an amount box ("Wages . . . . 7 [box]") takes the words
    /// of its line before it.
    fn with_line_words(&self, p: &Phrase, t: &Bx) -> String {
        if !is_line_number(&p.text) {
            return p.text.clone();
        }
        self.near(t[1], t[3])
            .filter(|q| same_row(&q.rect, &p.rect) && q.rect[2] <= p.rect[0] + 1.0)
            .filter(|q| !is_line_number(&q.text) && p.rect[0] - q.rect[2] <= 400.0)
            .max_by(|a, b| a.rect[2].total_cmp(&b.rect[2]))
            .map(|q| format!("{} {}", q.text, p.text))
            .unwrap_or_else(|| p.text.clone())
    }

    /// A check box's caption: right of it, else left, else above.
    pub fn for_checkbox(&self, t: &Bx) -> Option<String> {
        self.right(t)
            .filter(|(p, _)| !is_line_number(&p.text))
            .or_else(|| self.left(t))
            .or_else(|| self.above(t))
            .map(|(p, _)| p.text.clone())
    }

    /// A rule input's label and where it is: the words on the rule before it (or just left
    /// of where the rule starts), else under the rule (signature lines), else above.
    pub fn for_rule(&self, t: &Bx, rule_y: f32) -> Option<(String, Side)> {
        if let Some((p, gap)) = self.left(t) {
            let side = if gap <= RULE_LABEL_GAP {
                Side::Left
            } else {
                Side::FarLeft
            };
            return Some((p.text.clone(), side));
        }
        let under = [t[0], t[1], t[2], rule_y];
        if let Some((p, _)) = self.below(&under) {
            return Some((p.text.clone(), Side::Below));
        }
        // A blank that starts its own line continues the sentence above it ("with a mailing
        // address of" / "_________________"): the words that end that line name it.
        let sentence_end = self
            .near(t[1] - MAX_ABOVE_GAP - 2.0, t[1] + 2.0)
            .filter(|p| {
                p.rect[3] <= t[1] + 2.0
                    && t[1] - p.rect[3] <= MAX_ABOVE_GAP
                    && p.rect[2] > t[0] + 0.5 * (t[2] - t[0])
                    && p.rect[0] < t[2]
            })
            .max_by(|a, b| a.rect[2].total_cmp(&b.rect[2]));
        if t[2] - t[0] >= WIDE_BLANK
            && let Some(p) = sentence_end
        {
            return Some((p.text.clone(), Side::Above));
        }
        self.above(t).map(|(p, _)| (p.text.clone(), Side::Above))
    }

    /// The caption printed inside the top of a box: its words in reading order.
    pub fn caption(&self, words: &[&PlacedWord]) -> Option<String> {
        let mut sorted: Vec<&&PlacedWord> = words.iter().collect();
        sorted.sort_by(|a, b| {
            let same_line = (a.rect[3] - b.rect[3]).abs() < 0.35 * a.size.max(1.0);
            if same_line {
                a.rect[0].total_cmp(&b.rect[0])
            } else {
                a.rect[3].total_cmp(&b.rect[3])
            }
        });
        let text = clean(
            &sorted
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" "),
        );
        useful(&text).then_some(text)
    }
}

/// The printed parts of a word holding typed blanks ("Date:___,", "20____") or box glyphs
/// ("☐Yes"), each with its share of the word's box (glyphs taken as equally wide): blanks
/// and boxes are not part of a label.
fn split_blanks(w: &PlacedWord) -> Vec<PlacedWord> {
    let chars: Vec<char> = w.text.chars().collect();
    let boxes = chars
        .iter()
        .any(|&c| formsmith_page::graphics::is_box_char(c));
    if !w.text.contains("__") && !boxes {
        return vec![w.clone()];
    }
    let n = chars.len() as f32;
    let width = w.rect[2] - w.rect[0];
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..=chars.len() {
        let blank = chars
            .get(i)
            .is_none_or(|&c| c == '_' || formsmith_page::graphics::is_box_char(c));
        match (start, blank) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                let text: String = chars[s..i].iter().collect();
                if !text.trim().is_empty() {
                    out.push(PlacedWord {
                        text,
                        rect: [
                            w.rect[0] + width * s as f32 / n,
                            w.rect[1],
                            w.rect[0] + width * i as f32 / n,
                            w.rect[3],
                        ],
                        size: w.size,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn is_line_number(text: &str) -> bool {
    let t = text.trim_end_matches('.');
    t.len() <= 3 && t.chars().next().is_some_and(|c| c.is_ascii_digit())
}
