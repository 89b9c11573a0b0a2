//! Ruled tables: horizontal and vertical rules that cross each other make a grid; the
//! words inside it are assigned to cells by their centres. Cells without a rule between
//! them in a row are one cell spanning columns (HTML `colspan`). Rows and columns that
//! stay empty are dropped; a grid of fewer than 2×2 filled cells is not a table.

use crate::page_in::{Bx, TWord};

/// Rules thicker than this (points) are areas, not lines.
const MAX_RULE_WIDTH: f64 = 3.5;
/// Shortest rule considered (points); shorter strokes are ticks and glyph parts.
const MIN_RULE_LENGTH: f64 = 6.0;
/// Rules meeting within this distance (points) touch.
const TOUCH: f64 = 2.5;
/// Rule positions closer than this (points) are one grid line (double rules, strokes).
const SAME_LINE: f64 = 2.5;
/// Rules per page beyond which table finding is skipped (bounded work on hostile pages).
const MAX_RULES: usize = 6_000;

/// A table found on a page.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Display-frame box.
    pub bbox: Bx,
    /// Cell texts, row-major; a spanned cell's text sits in its first column.
    pub cells: Vec<Vec<String>>,
    /// Column span per cell (≥ 1 where a cell starts, 0 where a span covers it).
    pub spans: Vec<Vec<usize>>,
    /// Cell boxes (display frame), row-major.
    pub boxes: Vec<Vec<Bx>>,
    /// Indices of the words placed in the table.
    pub words: Vec<usize>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.cells.len()
    }
    pub fn columns(&self) -> usize {
        self.cells.first().map_or(0, Vec::len)
    }
}

#[derive(Debug, Clone, Copy)]
struct Rule {
    horizontal: bool,
    at: f64,
    lo: f64,
    hi: f64,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra] = rb;
    }
}

fn touches(a: &Rule, b: &Rule) -> bool {
    if a.horizontal == b.horizontal {
        (a.at - b.at).abs() <= SAME_LINE / 2.0 && a.lo <= b.hi + TOUCH && b.lo <= a.hi + TOUCH
    } else {
        let (h, v) = if a.horizontal { (a, b) } else { (b, a) };
        v.at >= h.lo - TOUCH && v.at <= h.hi + TOUCH && h.at >= v.lo - TOUCH && h.at <= v.hi + TOUCH
    }
}

/// Positions clustered into grid lines (sorted, each the mean of its members).
fn cluster(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, usize)> = Vec::new();
    for v in values {
        match out.last_mut() {
            Some((sum, n)) if v - *sum / *n as f64 <= SAME_LINE => {
                *sum += v;
                *n += 1;
            }
            _ => out.push((v, 1)),
        }
    }
    out.into_iter().map(|(s, n)| s / n as f64).collect()
}

/// Finds the ruled tables of a page from its thin marks (`rules`, display frame) and places
/// `words` in them. Each word goes to at most one table.
pub(crate) fn find_tables(rules: &[Bx], words: &[TWord]) -> Vec<Table> {
    let rules: Vec<Rule> = rules
        .iter()
        .filter_map(|r| {
            let (w, h) = (r[2] - r[0], r[3] - r[1]);
            if h <= MAX_RULE_WIDTH && w >= MIN_RULE_LENGTH.max(2.0 * h) {
                Some(Rule {
                    horizontal: true,
                    at: (r[1] + r[3]) / 2.0,
                    lo: r[0],
                    hi: r[2],
                })
            } else if w <= MAX_RULE_WIDTH && h >= MIN_RULE_LENGTH.max(2.0 * w) {
                Some(Rule {
                    horizontal: false,
                    at: (r[0] + r[2]) / 2.0,
                    lo: r[1],
                    hi: r[3],
                })
            } else {
                None
            }
        })
        .collect();
    if rules.len() < 6 || rules.len() > MAX_RULES {
        return Vec::new();
    }
    let mut parent: Vec<usize> = (0..rules.len()).collect();
    for i in 0..rules.len() {
        for j in i + 1..rules.len() {
            if touches(&rules[i], &rules[j]) {
                union(&mut parent, i, j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..rules.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut taken = vec![false; words.len()];
    let mut tables = Vec::new();
    for members in groups.values() {
        let group: Vec<Rule> = members.iter().map(|&i| rules[i]).collect();
        if let Some(t) = grid_table(&group, words, &mut taken) {
            tables.push(t);
        }
    }
    tables.sort_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    tables
}

fn grid_table(rules: &[Rule], words: &[TWord], taken: &mut [bool]) -> Option<Table> {
    let ys = cluster(rules.iter().filter(|r| r.horizontal).map(|r| r.at).collect());
    let xs = cluster(rules.iter().filter(|r| !r.horizontal).map(|r| r.at).collect());
    if ys.len() < 3 || xs.len() < 3 {
        return None;
    }
    let (x0, x1) = (*xs.first()?, *xs.last()?);
    let (y0, y1) = (*ys.first()?, *ys.last()?);
    let (nr, nc) = (ys.len() - 1, xs.len() - 1);
    // Whether a vertical rule separates columns j-1 and j (at xs[j]) within row i.
    let separated = |i: usize, j: usize| {
        let mid = (ys[i] + ys[i + 1]) / 2.0;
        rules.iter().any(|r| {
            !r.horizontal
                && (r.at - xs[j]).abs() <= SAME_LINE
                && r.lo <= mid
                && r.hi >= mid
        })
    };
    let mut spans = vec![vec![0usize; nc]; nr];
    for (i, row) in spans.iter_mut().enumerate() {
        let mut start = 0;
        for j in 1..=nc {
            if j == nc || separated(i, j) {
                row[start] = j - start;
                start = j;
            }
        }
    }
    let mut cells = vec![vec![String::new(); nc]; nr];
    let mut placed: Vec<usize> = Vec::new();
    let mut cell_words: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); nc]; nr];
    for (k, w) in words.iter().enumerate() {
        if taken.get(k).copied().unwrap_or(true) {
            continue;
        }
        let (cx, cy) = ((w.bbox[0] + w.bbox[2]) / 2.0, (w.bbox[1] + w.bbox[3]) / 2.0);
        if cx < x0 || cx > x1 || cy < y0 || cy > y1 {
            continue;
        }
        let Some(i) = ys.windows(2).position(|p| cy >= p[0] && cy <= p[1]) else {
            continue;
        };
        let Some(mut j) = xs.windows(2).position(|p| cx >= p[0] && cx <= p[1]) else {
            continue;
        };
        // A spanned column's words belong to the cell where the span starts.
        while j > 0 && spans[i][j] == 0 {
            j -= 1;
        }
        cell_words[i][j].push(k);
        placed.push(k);
    }
    for i in 0..nr {
        for j in 0..nc {
            let ids = &mut cell_words[i][j];
            // Reading order inside the cell: lines top to bottom, words left to right.
            ids.sort_by(|&a, &b| {
                let (wa, wb) = (&words[a], &words[b]);
                let same_line = (wa.bbox[1] - wb.bbox[1]).abs() < 0.5 * (wa.bbox[3] - wa.bbox[1]);
                if same_line {
                    wa.bbox[0].total_cmp(&wb.bbox[0])
                } else {
                    wa.bbox[1].total_cmp(&wb.bbox[1])
                }
            });
            let text: Vec<&str> = ids.iter().map(|&k| words[k].text.as_str()).collect();
            cells[i][j] = text.join(" ");
        }
    }
    let mut boxes: Vec<Vec<Bx>> = (0..nr)
        .map(|i| {
            (0..nc)
                .map(|j| {
                    let end = (j + spans[i][j].max(1)).min(nc);
                    [xs[j], ys[i], xs[end], ys[i + 1]]
                })
                .collect()
        })
        .collect();
    // Drop empty rows, then empty columns (shrinking spans that cover them).
    let keep_rows: Vec<usize> = (0..nr).filter(|&i| cells[i].iter().any(|c| !c.is_empty())).collect();
    cells = keep_rows.iter().map(|&i| cells[i].clone()).collect();
    spans = keep_rows.iter().map(|&i| spans[i].clone()).collect();
    boxes = keep_rows.iter().map(|&i| boxes[i].clone()).collect();
    let mut j = 0;
    while j < cells.first().map_or(0, Vec::len) {
        if cells.iter().all(|row| row[j].is_empty()) {
            for (row, (span, bx)) in cells.iter_mut().zip(spans.iter_mut().zip(boxes.iter_mut())) {
                if span[j] == 0 {
                    // Covered by a span starting to the left: that span loses a column.
                    if let Some(s) = (0..j).rev().find(|&s| span[s] > 0) {
                        span[s] = span[s].saturating_sub(1).max(1);
                    }
                } else if span[j] > 1 && j + 1 < span.len() {
                    // A span starting here moves to the next column.
                    span[j + 1] = span[j] - 1;
                    bx[j + 1] = bx[j];
                }
                row.remove(j);
                span.remove(j);
                bx.remove(j);
            }
        } else {
            j += 1;
        }
    }
    let rows = cells.len();
    let cols = cells.first().map_or(0, Vec::len);
    if rows < 2 || cols < 2 {
        return None;
    }
    for &k in &placed {
        if let Some(t) = taken.get_mut(k) {
            *t = true;
        }
    }
    Some(Table {
        bbox: [x0, y0, x1, y1],
        cells,
        spans,
        boxes,
        words: placed,
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The table as a markdown pipe table (first row as the header).
pub(crate) fn markdown(t: &Table) -> String {
    let mut out = String::new();
    for (i, row) in t.cells.iter().enumerate() {
        out.push('|');
        for c in row {
            out.push(' ');
            out.push_str(&md_cell(c));
            out.push_str(" |");
        }
        out.push('\n');
        if i == 0 {
            out.push('|');
            for _ in row {
                out.push_str(" --- |");
            }
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The table as HTML, with `colspan` for spanned cells.
pub(crate) fn html(t: &Table) -> String {
    let mut out = String::from("<table>");
    for (i, (row, spans)) in t.cells.iter().zip(&t.spans).enumerate() {
        out.push_str("<tr>");
        let tag = if i == 0 { "th" } else { "td" };
        for (c, &span) in row.iter().zip(spans) {
            if span == 0 {
                continue;
            }
            if span > 1 {
                out.push_str(&format!("<{tag} colspan=\"{span}\">"));
            } else {
                out.push_str(&format!("<{tag}>"));
            }
            out.push_str(&html_escape(c));
            out.push_str(&format!("</{tag}>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}
