//! Boxes closed by lines: which are inputs, comb rows, check boxes or choice cells, and
//! which hold printed content.

use super::candidate::{
    Candidate, Page, area, center_inside, inset, intersection, is_filler, is_no_entry,
};
use super::lines::Cell;
use super::{FieldKind, FieldSource};
use formsmith_page::graphics::{Bx, PageGraphics};

/// Smallest side of a text input box (points).
pub(crate) const MIN_INPUT_H: f32 = 8.0;
const MIN_INPUT_W: f32 = 12.0;
/// Tallest box taken as an input (taller ones are page frames or panels).
const MAX_INPUT_H: f32 = 320.0;
/// Check box sides (points) and how square they must be.
pub(crate) const MIN_CHECK: f32 = 4.5;
const MAX_CHECK: f32 = 20.0;
const CHECK_ASPECT: f32 = 1.3;
/// Comb cells: at most this wide and tall, at least this many in a row.
const MAX_COMB_CELL: f32 = 30.0;
const MAX_COMB_HEIGHT: f32 = 30.0;
const MIN_COMB_CELLS: usize = 3;
/// Choice cells ("circle one: 1 2 3 4"): at most this big.
const MAX_CHOICE_CELL: f32 = 80.0;
/// Height given to an input in a row closed only by implied walls.
const OPEN_ROW_H: f32 = 14.0;
/// An empty box at most this wide and at least this tall is a column of amounts: the entry
/// is its last row.
const NARROW_COLUMN: f32 = 120.0;
const TALL_COLUMN: f32 = 30.0;
const COLUMN_ROW_H: f32 = 14.0;
/// Stacked empty rows of one column (ruled lines for a long answer) become one input.
const MIN_STACK: usize = 3;
/// A phrase this close left of a row labels it (the row is a field of its own).
const ROW_LABEL_GAP: f32 = 60.0;
/// Backgrounds at most this light are shading (not input space); lighter tints are panels.
const SHADED: f32 = 0.88;
/// Edges of neighbouring boxes this close (points) are shared.
const SHARED: f32 = 2.0;

/// What the box stage found.
pub(crate) struct BoxStage {
    pub candidates: Vec<Candidate>,
    /// Per horizontal line: the length used as the top or bottom of a box.
    pub edge_use: Vec<f32>,
}

/// An input area in a box.
#[derive(Debug, Clone)]
struct Entry {
    rect: Bx,
    cell: Cell,
    label: Option<String>,
    /// An empty box with drawn sides (no caption, no implied wall).
    plain: bool,
    /// An empty box (no caption): rows of them may be merged.
    blank: bool,
}

/// Whether shading or hatching covers most of the box.
pub(crate) fn shaded(g: &PageGraphics, r: &Bx) -> bool {
    let a = area(r);
    let hatched = g
        .slants
        .iter()
        .filter(|p| p[0] > r[0] && p[0] < r[2] && p[1] > r[1] && p[1] < r[3])
        .take(3)
        .count()
        >= 3;
    // The last fill drawn over most of the box is its background (a white entry area may
    // be painted over a tinted panel).
    let background = g
        .fills
        .iter()
        .rev()
        .find(|f| intersection(&f.rect, r) >= 0.6 * a);
    hatched || background.is_some_and(|f| f.lightness <= SHADED)
}

fn width(b: &Bx) -> f32 {
    b[2] - b[0]
}

fn height(b: &Bx) -> f32 {
    b[3] - b[1]
}

fn same_band(a: &Bx, b: &Bx) -> bool {
    (a[1] - b[1]).abs() < 1.5 && (a[3] - b[3]).abs() < 1.5
}

/// Classifies the boxes of a page.
pub(crate) fn boxes(page: &Page<'_>, cells: &[Cell], h_lines: usize) -> BoxStage {
    let g = page.graphics;
    let mut edge_use = vec![0.0f32; h_lines];
    let mut empty: Vec<Cell> = Vec::new();
    let mut tokens: Vec<(Cell, String)> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    for cell in cells {
        let r = cell.rect;
        let (w, ht) = (width(&r), height(&r));
        if w < MIN_CHECK || ht < MIN_CHECK {
            continue;
        }
        for idx in [cell.top, cell.bottom] {
            if let Some(u) = edge_use.get_mut(idx) {
                *u += w;
            }
        }
        if shaded(g, &r) {
            continue;
        }
        let printed: Vec<usize> = page
            .words
            .touching(&inset(&r, 0.5))
            .into_iter()
            .filter(|&i| {
                let word = &page.words.words[i];
                center_inside(&word.rect, &r) && !is_filler(&word.text)
            })
            .collect();
        if printed.is_empty() && !cell.open {
            empty.push(*cell);
            continue;
        }
        if let [only] = printed.as_slice() {
            let t = page.words.words[*only].text.trim();
            if t.chars().count() <= 2
                && t.chars().all(char::is_alphanumeric)
                && w <= MAX_CHOICE_CELL
                && ht <= MAX_CHOICE_CELL
            {
                tokens.push((*cell, t.to_string()));
                continue;
            }
        }
        if w < MIN_INPUT_W || !(MIN_INPUT_H..=MAX_INPUT_H).contains(&ht) {
            continue;
        }
        if let Some(e) = box_input(page, cell, &printed) {
            entries.push(e);
        }
    }

    let mut out: Vec<Candidate> = Vec::new();
    let mut taken = vec![false; empty.len()];
    id_groups(page, &empty, &mut taken, &mut out);
    combs(page, &empty, &mut taken, &mut out);
    for (i, cell) in empty.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let r = cell.rect;
        let (w, ht) = (width(&r), height(&r));
        let square = w <= MAX_CHECK && ht <= MAX_CHECK && w.max(ht) <= CHECK_ASPECT * w.min(ht);
        if square {
            out.push(Candidate {
                kind: FieldKind::Checkbox,
                rect: r,
                label: page.labels.for_checkbox(&r),
                comb: None,
                source: FieldSource::Square,
            });
        } else if w >= MIN_INPUT_W
            && (MIN_INPUT_H..=MAX_INPUT_H).contains(&ht)
            && let Some(e) = box_input(page, cell, &[])
        {
            entries.push(e);
        }
    }
    choices(page, &tokens, &mut out);
    white_areas(page, &mut out);
    drop_headings(&mut entries, &empty);
    column_ends(page, cells, &mut entries);
    let entries = stacks(page, cells, entries);
    out.extend(entries.into_iter().map(|e| Candidate {
        kind: FieldKind::Text,
        rect: e.rect,
        label: e.label,
        comb: None,
        source: FieldSource::Box,
    }));
    BoxStage {
        candidates: out,
        edge_use,
    }
}

/// The input of a box: all of it when empty; the space under a caption printed in its top
/// part; nothing when printed text fills it.
fn box_input(page: &Page<'_>, cell: &Cell, printed: &[usize]) -> Option<Entry> {
    let r = cell.rect;
    let ht = height(&r);
    let mut input = r;
    let mut caption: Option<String> = None;
    if !printed.is_empty() {
        let words: Vec<&formsmith_page::read::PlacedWord> =
            printed.iter().map(|&i| &page.words.words[i]).collect();
        let text_bottom = words.iter().map(|w| w.rect[3]).fold(f32::MIN, f32::max);
        let below = r[3] - text_bottom;
        let size = words.iter().map(|w| w.size).fold(0.0f32, f32::max);
        // A caption: the text sits in the top of the box and leaves a line of space below.
        if below >= (1.1 * size).max(MIN_INPUT_H + 1.0) && text_bottom - r[1] <= 0.6 * ht + 4.0 {
            input = [r[0], text_bottom + 0.5, r[2], r[3]];
            caption = page.labels.caption(&words);
        } else {
            return None;
        }
    }
    if cell.open {
        // An implied side: the input is the space just above the lower rule.
        let top = (input[3] - OPEN_ROW_H.max(ht.min(2.0 * OPEN_ROW_H))).max(input[1]);
        input[1] = top;
    }
    if height(&input) < MIN_INPUT_H {
        return None;
    }
    let blank = caption.is_none();
    let plain = blank && !cell.open;
    let label = caption.or_else(|| page.labels.for_text(&input));
    if label.as_deref().is_some_and(is_no_entry) {
        return None;
    }
    Some(Entry {
        rect: input,
        cell: *cell,
        label,
        plain,
        blank,
    })
}

/// Identification numbers split into boxes by their groups: a social security number as
/// three boxes of 3, 2 and 4 digits, an employer number as boxes of 2 and 7. One input each.
fn id_groups(page: &Page<'_>, empty: &[Cell], taken: &mut [bool], out: &mut Vec<Candidate>) {
    const PATTERNS: [&[f32]; 2] = [&[3.0, 2.0, 4.0], &[2.0, 7.0]];
    let mut order: Vec<usize> = (0..empty.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (empty[a].rect, empty[b].rect);
        ra[1]
            .round()
            .total_cmp(&rb[1].round())
            .then(ra[0].total_cmp(&rb[0]))
    });
    for (k, &start) in order.iter().enumerate() {
        if taken[start] {
            continue;
        }
        for pattern in PATTERNS {
            // The boxes right after `start`, each sharing the previous one's right edge.
            let mut run = vec![start];
            let mut last = empty[start].rect;
            for &j in &order[k + 1..] {
                if run.len() == pattern.len() {
                    break;
                }
                let r = empty[j].rect;
                if !taken[j] && same_band(&r, &last) && (r[0] - last[2]).abs() <= SHARED {
                    run.push(j);
                    last = r;
                }
            }
            if run.len() != pattern.len() {
                continue;
            }
            let widths: Vec<f32> = run.iter().map(|&i| width(&empty[i].rect)).collect();
            let total: f32 = widths.iter().sum();
            let parts: f32 = pattern.iter().sum();
            let fits = total <= 140.0
                && height(&last) <= 30.0
                && widths
                    .iter()
                    .zip(pattern.iter())
                    .all(|(w, p)| (w / total - p / parts).abs() <= 0.06);
            if !fits {
                continue;
            }
            for &i in &run {
                taken[i] = true;
            }
            let first = empty[start].rect;
            let rect = [first[0], first[1], last[2], last[3]];
            out.push(Candidate {
                kind: FieldKind::Text,
                rect,
                label: page.labels.for_text(&rect),
                comb: None,
                source: FieldSource::Box,
            });
            break;
        }
    }
}

/// Rows of equal small boxes are comb inputs (separators such as "/" may sit between groups
/// of cells).
fn combs(page: &Page<'_>, empty: &[Cell], taken: &mut [bool], out: &mut Vec<Candidate>) {
    let small = |c: &Cell| width(&c.rect) <= MAX_COMB_CELL && height(&c.rect) <= MAX_COMB_HEIGHT;
    let mut order: Vec<usize> = (0..empty.len()).filter(|&i| small(&empty[i])).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (empty[a].rect, empty[b].rect);
        ra[1]
            .round()
            .total_cmp(&rb[1].round())
            .then(ra[0].total_cmp(&rb[0]))
    });
    for (k, &i) in order.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let mut row = vec![i];
        let mut last = empty[i].rect;
        let cell_w = width(&last);
        let mut gaps = 0;
        for &j in &order[k + 1..] {
            if taken[j] {
                continue;
            }
            let r = empty[j].rect;
            if !same_band(&r, &last) {
                continue;
            }
            let gap = r[0] - last[2];
            let similar = (width(&r) - cell_w).abs() <= 0.25 * cell_w.max(1.0);
            let adjacent = gap.abs() < 2.5;
            let separated = gap > 0.0
                && gap <= 1.6 * cell_w
                && page
                    .words
                    .touching(&[last[2] + 0.5, last[1] + 0.5, r[0] - 0.5, r[3] - 0.5])
                    .iter()
                    .all(|&w| is_filler(&page.words.words[w].text));
            if similar && (adjacent || separated) {
                gaps += usize::from(!adjacent);
                row.push(j);
                last = r;
            } else if r[0] > last[2] + 2.5 {
                break;
            }
        }
        if row.len() >= MIN_COMB_CELLS || (row.len() == 2 && gaps == 0) {
            for &j in &row {
                taken[j] = true;
            }
            let first = empty[i].rect;
            let rect = [first[0], first[1], last[2], last[3]];
            out.push(Candidate {
                kind: FieldKind::Text,
                rect,
                label: page.labels.for_text(&rect),
                comb: Some(row.len() as u32),
                source: FieldSource::Comb,
            });
        }
    }
}

/// The value of a choice token: a number, or a letter's place in the alphabet.
fn token_value(t: &str) -> Option<i64> {
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => Some(i64::from(c.to_ascii_uppercase() as u8)),
        _ => None,
    }
}

/// Rows of small boxes each printed with the next number or letter ("1 2 3 4 5"): choices
/// marked in their box, one check box each.
fn choices(page: &Page<'_>, tokens: &[(Cell, String)], out: &mut Vec<Candidate>) {
    let mut order: Vec<usize> = (0..tokens.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (tokens[a].0.rect, tokens[b].0.rect);
        ra[1]
            .round()
            .total_cmp(&rb[1].round())
            .then(ra[0].total_cmp(&rb[0]))
    });
    let mut taken = vec![false; tokens.len()];
    for (k, &i) in order.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let Some(mut value) = token_value(&tokens[i].1) else {
            continue;
        };
        let mut row = vec![i];
        let mut last = tokens[i].0.rect;
        for &j in &order[k + 1..] {
            let r = tokens[j].0.rect;
            if taken[j] || !same_band(&r, &last) {
                continue;
            }
            let gap = r[0] - last[2];
            let next = token_value(&tokens[j].1) == Some(value + 1);
            let similar = (width(&r) - width(&last)).abs() <= 0.3 * width(&last);
            if next && similar && (-SHARED..=0.6 * width(&last)).contains(&gap) {
                row.push(j);
                last = r;
                value += 1;
            } else if gap > 0.6 * width(&last) {
                break;
            }
        }
        if row.len() < 3 {
            continue;
        }
        for &j in &row {
            taken[j] = true;
            let r = tokens[j].0.rect;
            let row_label = page.labels.for_text(&tokens[row[0]].0.rect);
            out.push(Candidate {
                kind: FieldKind::Checkbox,
                rect: r,
                label: Some(match row_label {
                    Some(l) => format!("{l}: {}", tokens[j].1),
                    None => tokens[j].1.clone(),
                }),
                comb: None,
                source: FieldSource::Square,
            });
        }
    }
}

/// White areas painted on a tinted background (modern tax forms draw entries that way,
/// often without a line around them): empty ones are inputs — check boxes when small and
/// square.
fn white_areas(page: &Page<'_>, out: &mut Vec<Candidate>) {
    for r in page.graphics.white_areas() {
        let (w, ht) = (width(&r), height(&r));
        if w < MIN_CHECK || !(MIN_CHECK..=60.0).contains(&ht) || w > 0.9 * page.size.0 {
            continue;
        }
        let printed = page.words.touching(&inset(&r, 0.5)).into_iter().any(|k| {
            let word = &page.words.words[k];
            center_inside(&word.rect, &r) && !is_filler(&word.text)
        });
        if printed {
            continue;
        }
        let square = w <= MAX_CHECK && ht <= MAX_CHECK && w.max(ht) <= CHECK_ASPECT * w.min(ht);
        if square {
            out.push(Candidate {
                kind: FieldKind::Checkbox,
                rect: r,
                label: page.labels.for_checkbox(&r),
                comb: None,
                source: FieldSource::Square,
            });
        } else if w >= MIN_INPUT_W && ht >= MIN_INPUT_H {
            out.push(Candidate {
                kind: FieldKind::Text,
                rect: r,
                label: page.labels.for_text(&r),
                comb: None,
                source: FieldSource::Box,
            });
        }
    }
}

/// Whether another box shares the left or right edge of `r` beside it (a table row).
fn has_side_neighbour(cells: &[Cell], r: &Bx) -> bool {
    cells.iter().any(|c| {
        let o = c.rect;
        let overlap = o[3].min(r[3]) - o[1].max(r[1]);
        overlap >= 0.5 * height(r)
            && ((o[2] - r[0]).abs() <= SHARED || (o[0] - r[2]).abs() <= SHARED)
            && o != *r
    })
}

/// A box with a caption whose column continues below it in an empty box is a column
/// heading of a table ("Opening inventory" over its cells), not an input.
fn drop_headings(entries: &mut Vec<Entry>, empty: &[Cell]) {
    let below = |r: &Bx, o: &Bx| {
        (o[1] - r[3]).abs() <= SHARED
            && (o[0] - r[0]).abs() <= SHARED
            && (o[2] - r[2]).abs() <= SHARED
    };
    let plain: Vec<Bx> = entries
        .iter()
        .filter(|e| e.plain)
        .map(|e| e.cell.rect)
        .chain(empty.iter().map(|c| c.rect))
        .collect();
    entries.retain(|e| {
        let captioned = !e.blank && !e.cell.open;
        !(captioned && plain.iter().any(|o| below(&e.cell.rect, o)))
    });
}

/// A tall, narrow, empty box beside a column of row labels is a column of amounts whose
/// entry is its last row (the rows above are left blank): the input is that row.
fn column_ends(page: &Page<'_>, cells: &[Cell], entries: &mut [Entry]) {
    for e in entries.iter_mut() {
        let r = e.rect;
        if !e.plain || width(&r) > NARROW_COLUMN || height(&r) < TALL_COLUMN {
            continue;
        }
        if !has_side_neighbour(cells, &r) {
            continue;
        }
        e.rect = [r[0], r[3] - COLUMN_ROW_H, r[2], r[3]];
        e.plain = false;
        e.blank = false;
        e.label = page.labels.for_text(&e.rect).or(e.label.take());
    }
}

/// Stacks of at least three empty rows of one column, with no box beside them (ruled lines
/// for a long answer), become one input of several lines.
fn stacks(page: &Page<'_>, cells: &[Cell], entries: Vec<Entry>) -> Vec<Entry> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (entries[a].cell.rect, entries[b].cell.rect);
        ra[0]
            .round()
            .total_cmp(&rb[0].round())
            .then(ra[1].total_cmp(&rb[1]))
    });
    let free = |e: &Entry| e.blank && !has_side_neighbour(cells, &e.cell.rect);
    let mut merged = vec![false; entries.len()];
    let mut out = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if merged[i] || !free(&entries[i]) {
            continue;
        }
        let mut run = vec![i];
        let mut last = entries[i].cell.rect;
        for &j in &order[k + 1..] {
            let r = entries[j].cell.rect;
            if (r[0] - last[0]).abs() > 1.5 {
                break;
            }
            if merged[j] || !free(&entries[j]) || page.labels.has_left(&r, ROW_LABEL_GAP) {
                continue;
            }
            let stacked = (r[2] - last[2]).abs() <= 1.5
                && (r[1] - last[3]).abs() <= SHARED
                && (height(&r) - height(&last)).abs() <= 0.3 * height(&last);
            if stacked {
                run.push(j);
                last = r;
            }
        }
        if run.len() >= MIN_STACK {
            for &j in &run {
                merged[j] = true;
            }
            let first = entries[i].clone();
            let rect = [first.cell.rect[0], first.cell.rect[1], last[2], last[3]];
            out.push(Entry {
                rect,
                label: first.label.or_else(|| page.labels.for_text(&rect)),
                cell: first.cell,
                plain: false,
                blank: false,
            });
        }
    }
    out.extend(
        entries
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !merged[*i])
            .map(|(_, e)| e),
    );
    out
}
