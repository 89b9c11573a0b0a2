//! Lines and boxes: merging the recorded strokes into lines, and finding the smallest boxes
//! they close.

use std::collections::HashMap;

use formsmith_page::graphics::{Bx, Seg};

/// Lines whose positions differ by less than this (points) are one line.
const SAME_LINE: f32 = 0.9;
/// Pieces of one line with gaps up to this (points) are joined.
const JOIN_GAP: f32 = 1.6;
/// How far (points) a line may stop short of another and still meet it.
const MEET: f32 = 2.0;
/// Shortest line considered.
const MIN_LINE: f32 = 3.0;
/// Rule ends this close (points) along x on two rules above each other close a row.
const ALIGNED_ENDS: f32 = 3.0;
/// Highest row closed by aligned rule ends.
const MAX_OPEN_ROW: f32 = 60.0;
/// Shortest rules whose aligned ends close a row (shorter ones are boxes of their own).
const MIN_ROW_RULE: f32 = 100.0;
/// Intersections and boxes kept per page (bound the work on hostile grids).
const MAX_CROSSINGS: usize = 200_000;
const MAX_CELLS: usize = 5_000;

/// A merged straight line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Line {
    pub at: f32,
    pub lo: f32,
    pub hi: f32,
    pub width: f32,
    /// Made only of `_` glyphs.
    pub glyph: bool,
    /// Not drawn: a wall implied by two rules whose ends are aligned.
    pub virtual_wall: bool,
}

impl Line {
    pub fn len(&self) -> f32 {
        self.hi - self.lo
    }
}

/// Merges the horizontal (or vertical) segments into lines.
pub(crate) fn merge(segs: &[Seg], horizontal: bool) -> Vec<Line> {
    let mut s: Vec<&Seg> = segs
        .iter()
        .filter(|s| s.horizontal == horizontal && s.len() >= 0.5)
        .collect();
    s.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.lo.total_cmp(&b.lo)));
    // Cluster by position, then join overlapping pieces within each cluster.
    let mut out: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let start = s[i].at;
        let mut j = i;
        while j < s.len() && s[j].at - start <= SAME_LINE {
            j += 1;
        }
        let mut group: Vec<&Seg> = s[i..j].to_vec();
        group.sort_by(|a, b| a.lo.total_cmp(&b.lo));
        let mut current: Option<(Line, f32, f32)> = None; // line, sum of at*len, sum len
        for g in group {
            match &mut current {
                Some((line, sum, total)) if g.lo <= line.hi + JOIN_GAP => {
                    line.hi = line.hi.max(g.hi);
                    line.width = line.width.max(g.width);
                    line.glyph &= g.glyph;
                    *sum += g.at * g.len();
                    *total += g.len();
                }
                _ => {
                    if let Some((mut line, sum, total)) = current.take() {
                        if total > 0.0 {
                            line.at = sum / total;
                        }
                        out.push(line);
                    }
                    current = Some((
                        Line {
                            at: g.at,
                            lo: g.lo,
                            hi: g.hi,
                            width: g.width,
                            glyph: g.glyph,
                            virtual_wall: false,
                        },
                        g.at * g.len(),
                        g.len(),
                    ));
                }
            }
        }
        if let Some((mut line, sum, total)) = current.take() {
            if total > 0.0 {
                line.at = sum / total;
            }
            out.push(line);
        }
        i = j;
    }
    out.retain(|l| l.len() >= MIN_LINE);
    out
}

/// Walls implied by rows of rules: two horizontal rules, one under the other with nothing
/// between, whose left (or right) ends line up close the row on that side (the bracket or
/// margin that visually closes it is often a curve or missing).
pub(crate) fn implied_walls(h: &[Line], v: &[Line]) -> Vec<Line> {
    let mut out = Vec::new();
    // Sorted by position: for each rule, the rules below it whose span overlaps.
    for (i, a) in h.iter().enumerate() {
        if a.glyph || a.len() < MIN_ROW_RULE {
            continue;
        }
        // The next rule below overlapping a's start (and, separately, its end).
        for left in [true, false] {
            let x = if left { a.lo } else { a.hi };
            let below = h[i + 1..]
                .iter()
                .filter(|b| {
                    b.at > a.at + 4.0
                        && b.at - a.at <= MAX_OPEN_ROW
                        && !b.glyph
                        && b.len() >= MIN_ROW_RULE
                })
                .find(|b| b.lo - ALIGNED_ENDS <= x && x <= b.hi + ALIGNED_ENDS);
            let Some(b) = below else { continue };
            let bx = if left { b.lo } else { b.hi };
            if (bx - x).abs() > ALIGNED_ENDS {
                continue;
            }
            let wall_x = if left { x.max(bx) } else { x.min(bx) };
            // Already closed by a drawn wall.
            let closed = v.iter().any(|w| {
                (w.at - wall_x).abs() <= MEET + 1.0 && w.lo <= a.at + MEET && w.hi >= b.at - MEET
            });
            if !closed {
                out.push(Line {
                    at: wall_x,
                    lo: a.at,
                    hi: b.at,
                    width: 0.0,
                    glyph: false,
                    virtual_wall: true,
                });
            }
        }
    }
    out
}

/// A box closed by lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cell {
    pub rect: Bx,
    /// Indices into the horizontal lines of its top and bottom edge.
    pub top: usize,
    pub bottom: usize,
    /// A side is an implied wall, not a drawn line.
    pub open: bool,
}

/// The smallest boxes closed by the lines: for each crossing taken as a top-left corner,
/// the nearest crossing below and right of it whose edges connect.
pub(crate) fn cells(h: &[Line], v: &[Line]) -> (Vec<Cell>, bool) {
    // Crossings, found by sweeping the vertical lines sorted by x.
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].at.total_cmp(&v[b].at));
    let xs: Vec<f32> = order.iter().map(|&i| v[i].at).collect();
    let mut crossings: Vec<(f32, f32, usize, usize)> = Vec::new(); // x, y, h, v
    let mut truncated = false;
    'outer: for (hi, hl) in h.iter().enumerate() {
        let start = xs.partition_point(|&x| x < hl.lo - MEET);
        for k in start..xs.len() {
            if xs[k] > hl.hi + MEET {
                break;
            }
            let vi = order[k];
            let vl = &v[vi];
            if vl.lo - MEET <= hl.at && hl.at <= vl.hi + MEET {
                if crossings.len() >= MAX_CROSSINGS {
                    truncated = true;
                    break 'outer;
                }
                crossings.push((vl.at, hl.at, hi, vi));
            }
        }
    }
    let mut on_h: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut on_v: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut at: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, c) in crossings.iter().enumerate() {
        on_h.entry(c.2).or_default().push(i);
        on_v.entry(c.3).or_default().push(i);
        at.insert((c.2, c.3), i);
    }
    for list in on_h.values_mut() {
        list.sort_by(|&a, &b| crossings[a].0.total_cmp(&crossings[b].0));
    }
    for list in on_v.values_mut() {
        list.sort_by(|&a, &b| crossings[a].1.total_cmp(&crossings[b].1));
    }
    let mut out = Vec::new();
    let empty = Vec::new();
    for &(x, y, hi, vi) in &crossings {
        let rights = on_h.get(&hi).unwrap_or(&empty);
        let belows = on_v.get(&vi).unwrap_or(&empty);
        let mut found = None;
        'search: for &b in belows {
            let (_, by, bh, _) = crossings[b];
            if by < y + 1.0 {
                continue;
            }
            for &r in rights {
                let (rx, _, _, rv) = crossings[r];
                if rx < x + 1.0 {
                    continue;
                }
                if at.contains_key(&(bh, rv)) {
                    found = Some((rx, by, bh, rv));
                    break 'search;
                }
            }
        }
        if out.len() >= MAX_CELLS {
            truncated = true;
            break;
        }
        if let Some((rx, by, bh, rv)) = found {
            let open = v[vi].virtual_wall || v[rv].virtual_wall;
            out.push(Cell {
                rect: [x, y, rx, by],
                top: hi,
                bottom: bh,
                open,
            });
        }
    }
    // The same box can be found from two corners of a double line: keep one.
    out.sort_by(|a, b| {
        a.rect[1]
            .total_cmp(&b.rect[1])
            .then(a.rect[0].total_cmp(&b.rect[0]))
    });
    out.dedup_by(|a, b| {
        a.rect
            .iter()
            .zip(b.rect.iter())
            .all(|(p, q)| (p - q).abs() < 1.0)
    });
    (out, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(horizontal: bool, at: f32, lo: f32, hi: f32) -> Seg {
        Seg {
            horizontal,
            at,
            lo,
            hi,
            width: 0.5,
            glyph: false,
        }
    }

    #[test]
    fn pieces_of_a_line_are_joined() {
        let segs = [
            seg(true, 100.0, 10.0, 50.0),
            seg(true, 100.3, 50.5, 90.0),
            seg(true, 100.0, 10.0, 50.0),
            seg(true, 120.0, 10.0, 90.0),
        ];
        let lines = merge(&segs, true);
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].lo, lines[0].hi), (10.0, 90.0));
    }

    #[test]
    fn a_grid_gives_its_cells() {
        let mut segs = Vec::new();
        for y in [0.0, 20.0, 40.0] {
            segs.push(seg(true, y, 0.0, 100.0));
        }
        for x in [0.0, 50.0, 100.0] {
            segs.push(seg(false, x, 0.0, 40.0));
        }
        let h = merge(&segs, true);
        let v = merge(&segs, false);
        let (cells, _) = cells(&h, &v);
        assert_eq!(cells.len(), 4);
        assert_eq!(cells[0].rect, [0.0, 0.0, 50.0, 20.0]);
        assert_eq!(cells[3].rect, [50.0, 20.0, 100.0, 40.0]);
    }

    #[test]
    fn aligned_rule_ends_close_a_row() {
        let segs = [seg(true, 0.0, 10.0, 200.0), seg(true, 24.0, 11.0, 201.0)];
        let h = merge(&segs, true);
        let mut v = merge(&segs, false);
        v.extend(implied_walls(&h, &v));
        let (cells, _) = cells(&h, &v);
        assert_eq!(cells.len(), 1);
        assert!(cells[0].open);
        assert_eq!(cells[0].rect[0], 11.0);
    }
}
