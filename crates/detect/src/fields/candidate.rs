//! What the finder's rules share: the page as they see it (graphics, words by row, labels)
//! and the candidates they make, with the box geometry they all measure with.

use formsmith_page::graphics::{Bx, PageGraphics};
use formsmith_page::read::PlacedWord;

use super::labels::Labels;

/// What a detected field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text (one line, several lines, or comb cells).
    Text,
    /// A check box (or a radio button: one box to mark).
    Checkbox,
    /// A signature area.
    Signature,
}

impl FieldKind {
    /// The name used in edit schemas (`extend_edit:field_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Checkbox => "checkbox",
            Self::Signature => "signature",
        }
    }
}

/// What on the page made the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldSource {
    /// An empty box closed by lines (or the space under a caption inside one).
    Box,
    /// A row of equal cells (or a box divided by ticks).
    Comb,
    /// A rule (or a run of underscores) with free space above it.
    Underline,
    /// A small square or round outline.
    Square,
    /// A box glyph (☐, ❏, ZapfDingbats or Wingdings squares).
    Glyph,
}

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
