//! Page layout: reading order (recursive XY-cut that reads columns one after the other),
//! paragraphs, headings from font size and weight relative to the body text, list items,
//! and the running heads and feet of a document.
//!
//! Everything here is in the display frame: points from the top-left corner of the page
//! as shown, y growing downwards.

use std::collections::HashMap;

use crate::page_in::{Bx, PageIn, TLine};
use crate::tables::Table;

/// The role of a line at the page's top or bottom edge, decided over the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    Header,
    Footer,
    PageNumber,
}

/// What a laid-out item is.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Text,
    /// A heading of this markdown level (1 = `#`).
    Heading(usize),
    /// A list item (its content carries the marker).
    ListItem,
    Table(Box<Table>),
    KeyValue,
    Edge(Edge),
}

/// One laid-out item of a page, in reading order.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub kind: Kind,
    /// Plain text (headings without `#`, list items with their marker).
    pub text: String,
    pub bbox: Bx,
    /// Words of the item (for OCR confidences).
    pub words: Vec<usize>,
}

/// Document-wide text statistics: body size and heading levels.
#[derive(Debug, Clone, Default)]
pub(crate) struct Styles {
    pub body: f64,
    /// Heading sizes, largest first (rounded to 0.5 pt).
    pub heading_sizes: Vec<f64>,
}

fn round_half(v: f64) -> f64 {
    (v * 2.0).round() / 2.0
}

impl Styles {
    /// The body size is the size most characters are set in; larger sizes that are used
    /// on short lines only are heading sizes.
    pub fn of(pages: &[PageIn]) -> Styles {
        let mut chars: HashMap<i64, usize> = HashMap::new();
        for p in pages {
            for w in &p.words {
                *chars.entry((round_half(w.size) * 2.0) as i64).or_default() += w.text.chars().count();
            }
        }
        let body = chars
            .iter()
            .max_by_key(|(size, n)| (**n, -**size))
            .map_or(10.0, |(s, _)| *s as f64 / 2.0)
            .max(1.0);
        let mut sizes: Vec<f64> = chars
            .keys()
            .map(|s| *s as f64 / 2.0)
            .filter(|s| *s >= body * HEADING_RATIO)
            .collect();
        sizes.sort_by(|a, b| b.total_cmp(a));
        Styles {
            body,
            heading_sizes: sizes,
        }
    }

    /// The heading level of a paragraph of `size` (bold or not), if it is a heading.
    fn level(&self, size: f64, bold: bool) -> Option<usize> {
        let s = round_half(size);
        if s >= self.body * HEADING_RATIO {
            let rank = self.heading_sizes.iter().position(|h| *h <= s + 0.01).unwrap_or(0);
            Some((rank + 1).min(3))
        } else if bold && s >= self.body * 0.95 {
            Some((self.heading_sizes.len() + 1).clamp(2, 4))
        } else {
            None
        }
    }
}

/// Text this much larger than the body is a heading.
const HEADING_RATIO: f64 = 1.15;
/// Longest paragraph (characters) that can be a heading.
const MAX_HEADING_CHARS: usize = 160;
/// Units per page beyond which reading order falls back to the extractor's (top to
/// bottom, left to right): XY-cut is quadratic in the worst case.
const MAX_XYCUT_UNITS: usize = 4_000;

/// Text of a line.
pub(crate) fn line_text(page: &PageIn, line: &TLine) -> String {
    let parts: Vec<&str> = line.words.iter().filter_map(|&i| page.words.get(i)).map(|w| w.text.as_str()).collect();
    parts.join(" ")
}

fn union(a: Bx, b: Bx) -> Bx {
    [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
}

fn words_box(page: &PageIn, words: &[usize]) -> Bx {
    words
        .iter()
        .filter_map(|&i| page.words.get(i))
        .map(|w| w.bbox)
        .reduce(union)
        .unwrap_or([0.0; 4])
}

/// A page number as printed: `7`, `- 7 -`, `Page 7`, `Page 7 of 9`, `7/9`, `vii`.
pub(crate) fn is_page_number(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let t = t.trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c.is_whitespace());
    let t = t.strip_prefix("page").map_or(t, str::trim_start);
    let t = t.strip_prefix("p.").map_or(t, str::trim_start);
    if t.is_empty() {
        return false;
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    if digits(t) {
        return true;
    }
    if let Some((a, b)) = t.split_once(" of ").or_else(|| t.split_once('/')) {
        return digits(a.trim()) && digits(b.trim());
    }
    t.len() <= 6 && t.chars().all(|c| "ivxlc".contains(c))
}

/// Text with digits masked: running heads that carry the page number compare equal.
fn edge_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c.to_ascii_lowercase() })
        .collect()
}

/// Share of the page height, from the top or the bottom, where running heads and feet are.
const EDGE_BAND: f64 = 0.09;

/// Marks the lines of each page that are running heads, feet or page numbers: lines in
/// the top or bottom band whose text (digits masked) recurs on at least two pages and on
/// a third of the pages, and page-number-looking lines in those bands.
pub(crate) fn edges(pages: &[PageIn]) -> Vec<HashMap<usize, Edge>> {
    let mut seen: HashMap<(bool, String), usize> = HashMap::new();
    let zone = |p: &PageIn, b: &Bx| -> Option<bool> {
        if b[3] <= p.height * EDGE_BAND {
            Some(true)
        } else if b[1] >= p.height * (1.0 - EDGE_BAND) {
            Some(false)
        } else {
            None
        }
    };
    for p in pages {
        let mut keys: Vec<(bool, String)> = Vec::new();
        for l in &p.lines {
            let b = words_box(p, &l.words);
            if let Some(top) = zone(p, &b) {
                keys.push((top, edge_key(&line_text(p, l))));
            }
        }
        keys.sort();
        keys.dedup();
        for k in keys {
            *seen.entry(k).or_default() += 1;
        }
    }
    let need = 2.max(pages.len().div_ceil(3));
    pages
        .iter()
        .map(|p| {
            let mut marks = HashMap::new();
            for (i, l) in p.lines.iter().enumerate() {
                let b = words_box(p, &l.words);
                let Some(top) = zone(p, &b) else {
                    continue;
                };
                let text = line_text(p, l);
                if is_page_number(&text) {
                    marks.insert(i, Edge::PageNumber);
                } else if pages.len() >= 2
                    && seen.get(&(top, edge_key(&text))).copied().unwrap_or(0) >= need
                {
                    marks.insert(i, if top { Edge::Header } else { Edge::Footer });
                }
            }
            marks
        })
        .collect()
}

/// One thing to order on a page.
#[derive(Debug, Clone)]
enum Unit {
    Line(usize),
    Table(usize),
    KeyValue(usize),
}

/// Reading order of boxes: recursive XY-cut. A region is cut into horizontal bands at
/// the y gaps no box crosses; consecutive bands that together keep a column gutter (an x
/// gap no box crosses, narrow against the columns beside it) are read as columns, one
/// after the other; within a single band, boxes go left to right.
/// `idx` top to bottom, and left to right within a line: boxes whose vertical centres are
/// close (within half the smaller height) share a line. Lines are formed first, in order of
/// centre, so the order is total (a pairwise "same line" comparator is not transitive, and
/// `sort_by` panics on such a comparator).
fn lines_in_order(boxes: &[Bx], mut idx: Vec<usize>) -> Vec<usize> {
    let centre = |k: usize| (boxes[k][1] + boxes[k][3]) / 2.0;
    let height = |k: usize| (boxes[k][3] - boxes[k][1]).max(1.0);
    idx.sort_by(|&a, &b| centre(a).total_cmp(&centre(b)).then(a.cmp(&b)));
    let mut out = Vec::with_capacity(idx.len());
    let mut line: Vec<usize> = Vec::new();
    // The line's first box: later boxes join while their centre stays close to it.
    let mut head = 0usize;
    for k in idx {
        let joins = !line.is_empty()
            && (centre(k) - centre(head)).abs() < 0.5 * height(k).min(height(head));
        if !joins {
            line.sort_by(|&a, &b| boxes[a][0].total_cmp(&boxes[b][0]).then(a.cmp(&b)));
            out.append(&mut line);
            head = k;
        }
        line.push(k);
    }
    line.sort_by(|&a, &b| boxes[a][0].total_cmp(&boxes[b][0]).then(a.cmp(&b)));
    out.append(&mut line);
    out
}

pub(crate) fn reading_order(boxes: &[Bx], page_width: f64, gutter: f64) -> Vec<usize> {
    let idx: Vec<usize> = (0..boxes.len()).collect();
    if boxes.len() > MAX_XYCUT_UNITS {
        let mut idx = idx;
        idx.sort_by(|&a, &b| boxes[a][1].total_cmp(&boxes[b][1]).then(boxes[a][0].total_cmp(&boxes[b][0])));
        return idx;
    }
    let mut out = Vec::with_capacity(boxes.len());
    let cut = XyCut {
        boxes,
        min_column: page_width * 0.12,
        gutter,
    };
    cut.order(idx, &mut out, 0);
    out
}

struct XyCut<'a> {
    boxes: &'a [Bx],
    min_column: f64,
    gutter: f64,
}

impl XyCut<'_> {
    /// Groups chained by overlap along y (`vertical`) or x, in order; a gap of at least
    /// `gap` separates groups.
    fn split(&self, mut idx: Vec<usize>, along_y: bool, gap: f64) -> Vec<Vec<usize>> {
        let (lo, hi) = if along_y { (1, 3) } else { (0, 2) };
        idx.sort_by(|&a, &b| self.boxes[a][lo].total_cmp(&self.boxes[b][lo]));
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut end = f64::NEG_INFINITY;
        for i in idx {
            let b = self.boxes[i];
            // Boxes touching by a hair (rounding, descenders) are not separated by a gap.
            let tol = if along_y { 0.25 * (b[3] - b[1]).min(4.0) } else { 0.0 };
            match groups.last_mut() {
                Some(g) if b[lo] < end + gap - tol || (gap <= 0.0 && b[lo] < end - tol) => {
                    g.push(i);
                    end = end.max(b[hi]);
                }
                _ => {
                    groups.push(vec![i]);
                    end = b[hi];
                }
            }
        }
        groups
    }

    /// Column groups of `idx` if they are real columns: at least two, each wide against
    /// the page and the gutters beside it.
    fn columns(&self, idx: &[usize]) -> Option<Vec<Vec<usize>>> {
        let groups = self.split(idx.to_vec(), false, self.gutter);
        if groups.len() < 2 {
            return None;
        }
        let extent = |g: &Vec<usize>| {
            g.iter().map(|&i| self.boxes[i]).fold([f64::INFINITY, f64::NEG_INFINITY], |e, b| [e[0].min(b[0]), e[1].max(b[2])])
        };
        let ext: Vec<[f64; 2]> = groups.iter().map(extent).collect();
        for (k, e) in ext.iter().enumerate() {
            let width = e[1] - e[0];
            let left_gap = if k > 0 { e[0] - ext[k - 1][1] } else { 0.0 };
            let right_gap = ext.get(k + 1).map_or(0.0, |n| n[0] - e[1]);
            if width < self.min_column || width < 1.5 * left_gap.max(right_gap) {
                return None;
            }
        }
        Some(groups)
    }

    fn order(&self, idx: Vec<usize>, out: &mut Vec<usize>, depth: usize) {
        if idx.len() <= 1 || depth > 64 {
            let mut idx = idx;
            idx.sort_by(|&a, &b| self.boxes[a][1].total_cmp(&self.boxes[b][1]));
            out.extend(idx);
            return;
        }
        let bands = self.split(idx.clone(), true, 0.0);
        if bands.len() == 1 {
            let groups = self.split(idx, false, 0.0);
            if groups.len() == 1 {
                let g = groups.into_iter().flatten().collect::<Vec<_>>();
                out.extend(lines_in_order(self.boxes, g));
            } else {
                for g in groups {
                    self.order(g, out, depth + 1);
                }
            }
            return;
        }
        // Greedily join consecutive bands while they keep a common column gutter.
        let mut run: Vec<usize> = Vec::new();
        let mut run_bands = 0;
        let flush = |run: &mut Vec<usize>, run_bands: &mut usize, out: &mut Vec<usize>| {
            if run.is_empty() {
                return;
            }
            let members = std::mem::take(run);
            if *run_bands > 1
                && let Some(cols) = self.columns(&members)
            {
                for c in cols {
                    self.order(c, out, depth + 1);
                }
            } else if *run_bands > 1 {
                // Cannot happen (a run only grows while it has columns); read in bands.
                for b in self.split(members, true, 0.0) {
                    self.order(b, out, depth + 1);
                }
            } else {
                self.order(members, out, depth + 1);
            }
            *run_bands = 0;
        };
        for band in bands {
            if run.is_empty() {
                run = band;
                run_bands = 1;
                continue;
            }
            let mut joined = run.clone();
            joined.extend(&band);
            if self.columns(&joined).is_some() {
                run = joined;
                run_bands += 1;
            } else {
                flush(&mut run, &mut run_bands, out);
                run = band;
                run_bands = 1;
            }
        }
        flush(&mut run, &mut run_bands, out);
    }
}

/// A list marker at the start of a line: `- ` for bullets, `N. ` for numbers; the rest.
fn list_marker(text: &str) -> Option<(String, &str)> {
    let t = text.trim_start();
    let mut chars = t.chars();
    let first = chars.next()?;
    if "•●▪◦‣∙○■□➢►▶✓✔–*·".contains(first) {
        let rest = chars.as_str().trim_start();
        if !rest.is_empty() {
            return Some(("- ".into(), rest));
        }
        return None;
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() && digits.len() <= 3 {
        let after = &t[digits.len()..];
        if let Some(rest) = after.strip_prefix(". ").or_else(|| after.strip_prefix(") "))
            && !rest.trim().is_empty()
        {
            return Some((format!("{digits}. "), rest.trim_start()));
        }
    }
    None
}

/// Lays out one page: tables, reading order, paragraphs, headings, lists, edges.
pub(crate) fn layout_page(
    page: &PageIn,
    tables: Vec<Table>,
    edges: &HashMap<usize, Edge>,
    styles: &Styles,
) -> Vec<Item> {
    let in_table: std::collections::HashSet<usize> = tables.iter().flat_map(|t| t.words.iter().copied()).collect();
    // Lines minus the words the tables took.
    let lines: Vec<(usize, Vec<usize>)> = page
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.words.iter().copied().filter(|w| !in_table.contains(w)).collect::<Vec<_>>()))
        .filter(|(_, w)| !w.is_empty())
        .collect();

    let mut head = Vec::new();
    let mut foot = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut boxes: Vec<Bx> = Vec::new();
    for (k, (i, words)) in lines.iter().enumerate() {
        let bbox = words_box(page, words);
        if let Some(edge) = edges.get(i) {
            let item = Item {
                kind: Kind::Edge(*edge),
                text: words.iter().filter_map(|&w| page.words.get(w)).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
                bbox,
                words: words.clone(),
            };
            if bbox[1] < page.height / 2.0 {
                head.push(item);
            } else {
                foot.push(item);
            }
            continue;
        }
        units.push(Unit::Line(k));
        boxes.push(bbox);
    }
    for (t, table) in tables.iter().enumerate() {
        units.push(Unit::Table(t));
        boxes.push(table.bbox);
    }
    for (k, kv) in page.key_values.iter().enumerate() {
        units.push(Unit::KeyValue(k));
        boxes.push(kv.bbox);
    }
    let gutter = (styles.body * 0.9).max(4.0);
    let order = reading_order(&boxes, page.width, gutter);

    let mut items = head;
    let mut tables: Vec<Option<Table>> = tables.into_iter().map(Some).collect();
    // The paragraph being built: its lines (indices into `lines`) and box.
    let mut para: Vec<usize> = Vec::new();
    for &u in &order {
        match &units[u] {
            Unit::Line(k) => {
                let Some((_, words)) = lines.get(*k) else { continue };
                let bbox = boxes[u];
                let joins = para.last().is_some_and(|&p| {
                    continues(page, &lines[p].1, words, words_box(page, &lines[p].1), bbox)
                });
                if !joins && !para.is_empty() {
                    items.push(paragraph(page, &lines, &para, styles));
                    para.clear();
                }
                para.push(*k);
            }
            Unit::Table(t) => {
                if !para.is_empty() {
                    items.push(paragraph(page, &lines, &para, styles));
                    para.clear();
                }
                if let Some(table) = tables.get_mut(*t).and_then(Option::take) {
                    items.push(Item {
                        bbox: table.bbox,
                        text: String::new(),
                        words: table.words.clone(),
                        kind: Kind::Table(Box::new(table)),
                    });
                }
            }
            Unit::KeyValue(k) => {
                if !para.is_empty() {
                    items.push(paragraph(page, &lines, &para, styles));
                    para.clear();
                }
                if let Some(kv) = page.key_values.get(*k) {
                    items.push(Item {
                        kind: Kind::KeyValue,
                        text: kv.content.clone(),
                        bbox: kv.bbox,
                        words: Vec::new(),
                    });
                }
            }
        }
    }
    if !para.is_empty() {
        items.push(paragraph(page, &lines, &para, styles));
    }
    items.extend(foot);
    items
}

fn style(page: &PageIn, words: &[usize]) -> (f64, bool, usize) {
    let mut chars = 0usize;
    let mut size = 0.0;
    let mut bold = 0usize;
    for w in words.iter().filter_map(|&i| page.words.get(i)) {
        let n = w.text.chars().count().max(1);
        chars += n;
        size += w.size * n as f64;
        if w.bold {
            bold += n;
        }
    }
    let size = if chars > 0 { size / chars as f64 } else { 0.0 };
    (size, chars > 0 && bold * 10 >= chars * 8, chars)
}

/// Whether line `next` continues the paragraph whose last line is `prev`: just below it,
/// overlapping it horizontally, in the same size and weight, not a new list item.
fn continues(page: &PageIn, prev: &[usize], next: &[usize], pb: Bx, nb: Bx) -> bool {
    let (ps, pbold, _) = style(page, prev);
    let (ns, nbold, _) = style(page, next);
    let size = ps.max(ns).max(1.0);
    let gap = nb[1] - pb[3];
    let text: String = next.iter().filter_map(|&i| page.words.get(i)).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
    gap > -0.3 * size
        && gap < 0.6 * size
        && nb[0] < pb[2]
        && nb[2] > pb[0]
        && (ps - ns).abs() <= 0.15 * size
        && pbold == nbold
        && list_marker(&text).is_none()
}

fn paragraph(page: &PageIn, lines: &[(usize, Vec<usize>)], para: &[usize], styles: &Styles) -> Item {
    let words: Vec<usize> = para.iter().filter_map(|&k| lines.get(k)).flat_map(|(_, w)| w.iter().copied()).collect();
    let texts: Vec<String> = para
        .iter()
        .filter_map(|&k| lines.get(k))
        .map(|(_, w)| w.iter().filter_map(|&i| page.words.get(i)).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "))
        .collect();
    // Hyphenated line ends join without the hyphen only when a lowercase letter follows;
    // otherwise lines join with a space.
    let mut text = String::new();
    for t in &texts {
        let hyphen_join = text.ends_with('-')
            && !text.ends_with(" -")
            && t.chars().next().is_some_and(char::is_lowercase);
        if text.is_empty() || hyphen_join {
            text.push_str(t);
        } else {
            text.push(' ');
            text.push_str(t);
        }
    }
    let bbox = words_box(page, &words);
    let (size, bold, chars) = style(page, &words);
    if let Some((marker, rest)) = list_marker(&text) {
        return Item {
            kind: Kind::ListItem,
            text: format!("{marker}{rest}"),
            bbox,
            words,
        };
    }
    let heading = (chars <= MAX_HEADING_CHARS && para.len() <= 3 && text.chars().any(char::is_alphabetic))
        .then(|| styles.level(size, bold))
        .flatten()
        // A bold line ending like a sentence or a label is emphasis, not a heading.
        .filter(|_| size >= styles.body * HEADING_RATIO || !text.ends_with(['.', ',', ';', ':']));
    Item {
        kind: heading.map_or(Kind::Text, Kind::Heading),
        text,
        bbox,
        words,
    }
}

/// Layout-preserving text of a page: lines placed on a character grid by their x, rows
/// by their y, blank lines for vertical gaps (scaled by `grouping`).
pub(crate) fn spatial_text(page: &PageIn, grouping: f64) -> String {
    let mut rows: Vec<(Bx, String)> = page
        .lines
        .iter()
        .map(|l| (words_box(page, &l.words), line_text(page, l)))
        .chain(page.key_values.iter().map(|kv| (kv.bbox, kv.content.clone())))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut widths: Vec<f64> = page
        .words
        .iter()
        .filter(|w| !w.text.is_empty())
        .map(|w| (w.bbox[2] - w.bbox[0]) / w.text.chars().count() as f64)
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    widths.sort_by(f64::total_cmp);
    let cw = widths.get(widths.len() / 2).copied().unwrap_or(5.0).max(2.0);
    let mut heights: Vec<f64> = rows.iter().map(|(b, _)| b[3] - b[1]).collect();
    heights.sort_by(f64::total_cmp);
    let lh = heights.get(heights.len() / 2).copied().unwrap_or(10.0).max(2.0);
    rows.sort_by(|a, b| ((a.0[1] + a.0[3]) / 2.0).total_cmp(&((b.0[1] + b.0[3]) / 2.0)));
    // Group into visual rows by vertical centre.
    let mut grid: Vec<(Bx, Vec<(Bx, String)>)> = Vec::new();
    for (b, t) in rows {
        let c = (b[1] + b[3]) / 2.0;
        match grid.last_mut() {
            Some((rb, items)) if (c - (rb[1] + rb[3]) / 2.0).abs() < 0.5 * lh => {
                *rb = union(*rb, b);
                items.push((b, t));
            }
            _ => grid.push((b, vec![(b, t)])),
        }
    }
    let mut out = String::new();
    let mut prev_bottom: Option<f64> = None;
    for (rb, mut items) in grid {
        if let Some(pb) = prev_bottom {
            let blank = ((rb[1] - pb) / (lh * grouping)).floor();
            for _ in 0..(blank.clamp(0.0, 2.0) as usize) {
                out.push('\n');
            }
        }
        prev_bottom = Some(rb[3]);
        items.sort_by(|a, b| a.0[0].total_cmp(&b.0[0]));
        let mut line = String::new();
        let mut col = 0usize;
        for (b, t) in items {
            let want = (b[0].max(0.0) / cw).round() as usize;
            let want = want.min(400);
            if col > 0 && want <= col {
                line.push(' ');
                col += 1;
            } else {
                line.extend(std::iter::repeat_n(' ', want - col));
                col = want;
            }
            line.push_str(&t);
            col += t.chars().count();
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod fuzz_regressions {
    use super::*;

    /// Found by fuzz/parse_pdf on the corpus's irs-f1040-aes256-owner-only.pdf: boxes of
    /// mixed heights whose centres chain (a~b, b~c, a<c) made the line comparator
    /// non-transitive, and `sort_by` panicked ("user-provided comparison function does not
    /// correctly implement a total order").
    #[test]
    fn reading_order_of_chained_line_centres_does_not_panic() {
        let mut boxes: Vec<Bx> = Vec::new();
        for i in 0..200 {
            let x = f64::from((i * 37) % 23) * 3.0;
            let y = f64::from(i) * 0.7;
            let h = if i % 3 == 0 { 12.0 } else { 1.5 };
            boxes.push([x, y, x + 10.0, y + h]);
        }
        let order = reading_order(&boxes, 600.0, 0.0);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..boxes.len()).collect::<Vec<_>>(), "every box once");
        // One line, left to right.
        let row: Vec<Bx> = (0..5).map(|i| {
            let x = f64::from(4 - i) * 50.0;
            [x, 100.0, x + 40.0, 110.0]
        }).collect();
        assert_eq!(reading_order(&row, 600.0, 0.0), vec![4, 3, 2, 1, 0]);
    }
}
