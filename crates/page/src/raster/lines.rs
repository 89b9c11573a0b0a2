//! Lines, boxes and check boxes on a gray raster, as the vector path records them: rules
//! and box edges become straight segments, small square outlines become four edges (like
//! a stroked square), thick dark bars become dark fills.
//!
//! Steps, each linear in the pixels: a global (Otsu) threshold; the skew angle from the
//! long horizontal ink runs (projection profiles over ±3°); runs of ink at least
//! [`MIN_RUN`] long along rows (horizontal) and columns (vertical) of the deskewed ink,
//! grouped into connected pieces through adjacent rows (run-length union-find); square
//! outlines from the connected components of all ink.

use super::Gray;
use crate::graphics::{Bx, Fill, PageGraphics, Seg};

/// Shortest ink run (points) kept as part of a line: longer than the strokes of text.
const MIN_RUN: f32 = 7.0;
/// Gaps (points) inside a run that are bridged (scanner noise, JPEG artefacts).
const RUN_GAP: f32 = 0.6;
/// Thickest line (points); thicker pieces are dark bars.
const MAX_LINE: f32 = 3.0;
/// Shortest line (points) kept.
const MIN_LINE: f32 = 9.0;
/// Check box sides (points).
const MIN_BOX: f32 = 5.0;
const MAX_BOX: f32 = 20.0;
/// Skew angles tried (degrees either side of level).
const MAX_SKEW: f32 = 3.0;
/// Runs kept per page before the rest is ignored (bounds memory on noise).
const MAX_RUNS: usize = 3_000_000;
/// Runs of all ink (any length) beyond which a page is noise and no squares are sought.
const MAX_SPECK_RUNS: usize = 1_000_000;
/// Lines kept per page (a real form has hundreds; noise can make tens of thousands).
const MAX_LINES: usize = 20_000;

/// What the raster of one page shows, in points of the deskewed page (top-left origin).
#[derive(Debug, Clone, Default)]
pub(crate) struct RasterPage {
    pub graphics: PageGraphics,
    /// The page's skew (degrees, clockwise as displayed); the graphics are rotated back by
    /// it about the raster's centre.
    pub skew: f32,
    /// Small square outlines (check boxes), not yet in `graphics` (see [`add_squares`]).
    pub squares: Vec<Bx>,
}

/// Adds square outlines to the graphics as the four edges a stroked square gives.
pub(crate) fn add_squares(graphics: &mut PageGraphics, squares: &[Bx]) {
    for b in squares {
        for (horizontal, at, lo, hi) in [
            (true, b[1], b[0], b[2]),
            (true, b[3], b[0], b[2]),
            (false, b[0], b[1], b[3]),
            (false, b[2], b[1], b[3]),
        ] {
            graphics.segs.push(Seg {
                horizontal,
                at,
                lo,
                hi,
                width: 0.6,
                glyph: false,
            });
        }
    }
}

/// Otsu's threshold of a gray raster: the level that best splits ink from paper.
pub(crate) fn otsu(gray: &Gray) -> u8 {
    let mut hist = [0u64; 256];
    for &v in &gray.data {
        hist[usize::from(v)] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0u64, 0f64, -1f64, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c;
        if w0 == 0 {
            continue;
        }
        let w1 = total - w0;
        if w1 == 0 {
            break;
        }
        sum0 += t as f64 * c as f64;
        let (m0, m1) = (sum0 / w0 as f64, (sum_all - sum0) / w1 as f64);
        let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// A binary raster: `true` is ink.
pub(crate) struct Ink {
    pub width: usize,
    pub height: usize,
    pub data: Vec<bool>,
}

impl Ink {
    fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.data[y * self.width + x]
    }
}

/// Runs of ink along rows (`horizontal`) or columns: per line, (start, end) exclusive.
fn runs(ink: &Ink, horizontal: bool, min_len: usize, gap: usize) -> Vec<Vec<(u32, u32)>> {
    let (lines, along) = if horizontal {
        (ink.height, ink.width)
    } else {
        (ink.width, ink.height)
    };
    let mut out = vec![Vec::new(); lines];
    let mut kept = 0usize;
    for (l, line_runs) in out.iter_mut().enumerate() {
        let at = |i: usize| {
            if horizontal {
                ink.data[l * ink.width + i]
            } else {
                ink.data[i * ink.width + l]
            }
        };
        let mut i = 0;
        while i < along {
            if !at(i) {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            let mut j = i;
            // Extend through gaps up to `gap` pixels.
            while j < along {
                if at(j) {
                    end = j + 1;
                    j += 1;
                } else if j - end < gap {
                    j += 1;
                } else {
                    break;
                }
            }
            if end - start >= min_len {
                if kept >= MAX_RUNS {
                    return out;
                }
                line_runs.push((start as u32, end as u32));
                kept += 1;
            }
            i = j.max(end).max(i + 1);
        }
    }
    out
}

/// Union-find over run indices.
struct Sets(Vec<u32>);

impl Sets {
    fn find(&mut self, mut i: u32) -> u32 {
        while self.0[i as usize] != i {
            let parent = self.0[self.0[i as usize] as usize];
            self.0[i as usize] = parent;
            i = parent;
        }
        i
    }
    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b) as usize] = a.min(b);
        }
    }
}

/// A connected group of runs: its extent across lines and along them, and its ink.
#[derive(Debug, Clone, Copy)]
struct Piece {
    line0: u32,
    line1: u32,
    lo: u32,
    hi: u32,
    ink: u64,
}

/// Connected pieces of runs: runs on adjacent lines that overlap (or touch diagonally)
/// belong together.
fn pieces(by_line: &[Vec<(u32, u32)>]) -> Vec<Piece> {
    let mut offsets = Vec::with_capacity(by_line.len() + 1);
    let mut n = 0u32;
    for l in by_line {
        offsets.push(n);
        n += l.len() as u32;
    }
    offsets.push(n);
    let mut sets = Sets((0..n).collect());
    for l in 1..by_line.len() {
        let (prev, cur) = (&by_line[l - 1], &by_line[l]);
        let (mut i, mut j) = (0, 0);
        while i < prev.len() && j < cur.len() {
            let (a, b) = (prev[i], cur[j]);
            if a.0 <= b.1 && b.0 <= a.1 {
                sets.union(offsets[l - 1] + i as u32, offsets[l] + j as u32);
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    let mut by_root: std::collections::HashMap<u32, Piece> = std::collections::HashMap::new();
    for (l, line) in by_line.iter().enumerate() {
        for (k, &(lo, hi)) in line.iter().enumerate() {
            let root = sets.find(offsets[l] + k as u32);
            let p = by_root.entry(root).or_insert(Piece {
                line0: l as u32,
                line1: l as u32,
                lo,
                hi,
                ink: 0,
            });
            p.line1 = p.line1.max(l as u32);
            p.lo = p.lo.min(lo);
            p.hi = p.hi.max(hi);
            p.ink += u64::from(hi - lo);
        }
    }
    let mut out: Vec<Piece> = by_root.into_values().collect();
    out.sort_by_key(|p| (p.line0, p.lo));
    out
}

/// The skew (degrees, clockwise as displayed) that makes the long horizontal runs level:
/// the angle whose projection of run midpoints onto the vertical is most peaked.
fn estimate_skew(ink: &Ink, scale: f32) -> f32 {
    let min_len = ((MIN_RUN * scale) as usize).max(8);
    let rows = runs(ink, true, min_len, 0);
    let mut samples: Vec<(f32, f32, f32)> = Vec::new();
    for (y, line) in rows.iter().enumerate() {
        for &(a, b) in line {
            // Points every few pixels along the run: at a wrong angle a long run spreads
            // over several bins by itself.
            let mut x = a;
            while x < b && samples.len() < 400_000 {
                samples.push((x as f32 + 2.0, y as f32, 4.0));
                x += 4;
            }
        }
    }
    if samples.len() < 20 {
        return 0.0;
    }
    let height = ink.height as f32;
    let width = ink.width as f32;
    let score = |deg: f32| -> f64 {
        let t = deg.to_radians().tan();
        // y of each sample once the page is turned back by `deg` (about the left edge).
        let span = height + width * t.abs() * 2.0 + 2.0;
        let mut bins = vec![0f64; span as usize + 1];
        let base = width * t.abs() + 1.0;
        for &(x, y, w) in &samples {
            let level = y - x * t + base;
            if let Some(b) = bins.get_mut(level as usize) {
                *b += f64::from(w);
            }
        }
        bins.iter().map(|b| b * b).sum()
    };
    let mut best = (0.0f32, score(0.0));
    let search = |lo: f32, hi: f32, step: f32, best: &mut (f32, f64)| {
        let mut a = lo;
        while a <= hi + 1e-6 {
            let s = score(a);
            if s > best.1 {
                *best = (a, s);
            }
            a += step;
        }
    };
    search(-MAX_SKEW, MAX_SKEW, 0.1, &mut best);
    let coarse = best.0;
    search(coarse - 0.1, coarse + 0.1, 0.02, &mut best);
    // Positive tangent: lines fall to the right in the raster (y grows downwards), i.e. the
    // page is turned clockwise as displayed.
    best.0
}

/// The ink of `gray` turned by `-degrees` about its centre (nearest neighbour).
fn deskew(gray: &Gray, threshold: u8, degrees: f32) -> Ink {
    let (w, h) = (gray.width as usize, gray.height as usize);
    let mut data = vec![false; w * h];
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    for y in 0..h {
        let dy = y as f32 - cy;
        for x in 0..w {
            let dx = x as f32 - cx;
            // The source pixel: the destination turned forward by `degrees`.
            let sx = cx + dx * c - dy * s;
            let sy = cy + dx * s + dy * c;
            let v = gray.get(sx.round() as i64, sy.round() as i64);
            data[y * w + x] = v < threshold;
        }
    }
    Ink {
        width: w,
        height: h,
        data,
    }
}

/// Reads the lines, square outlines and dark bars of a page raster; `scale` is pixels per
/// point.
pub(crate) fn read_raster(gray: &Gray, scale: f32) -> RasterPage {
    let threshold = otsu(gray).clamp(60, 200);
    let plain = Ink {
        width: gray.width as usize,
        height: gray.height as usize,
        data: gray.data.iter().map(|&v| v < threshold).collect(),
    };
    let skew = estimate_skew(&plain, scale);
    let ink = if skew.abs() >= 0.05 {
        drop(plain);
        deskew(gray, threshold, skew)
    } else {
        plain
    };
    let mut graphics = PageGraphics::default();
    let px = |v: u32| v as f32 / scale;
    let min_run = ((MIN_RUN * scale).round() as usize).max(4);
    let gap = ((RUN_GAP * scale).round() as usize).max(1);
    for horizontal in [true, false] {
        for p in pieces(&runs(&ink, horizontal, min_run, gap)) {
            let thick = px(p.line1 + 1 - p.line0);
            let (lo, hi) = (px(p.lo), px(p.hi));
            if hi - lo < MIN_LINE {
                continue;
            }
            let at = (px(p.line0) + px(p.line1 + 1)) / 2.0;
            if graphics.segs.len() >= MAX_LINES {
                graphics.truncated = true;
                break;
            }
            if thick <= MAX_LINE {
                graphics.segs.push(Seg {
                    horizontal,
                    at,
                    lo,
                    hi,
                    width: thick,
                    glyph: false,
                });
            } else if horizontal
                && thick <= 40.0
                && p.ink as f32 >= 0.8 * ((p.hi - p.lo) as f32) * (p.line1 + 1 - p.line0) as f32
            {
                // A solid dark bar (a heading band): shading, not an input.
                graphics.fills.push(Fill {
                    rect: [lo, px(p.line0), hi, px(p.line1 + 1)],
                    lightness: 0.0,
                });
            }
        }
    }
    let squares = squares(&ink, scale);
    RasterPage {
        graphics,
        skew,
        squares,
    }
}

/// Small square outlines (check boxes): connected ink whose box is square, between
/// [`MIN_BOX`] and [`MAX_BOX`] points, inked along all four sides and mostly empty inside.
/// Boxes in points (left, top, right, bottom), along the middle of the outline.
fn squares(ink: &Ink, scale: f32) -> Vec<Bx> {
    let all = runs(ink, true, 1, 1);
    // A page of noise (millions of specks) has no check boxes worth the memory.
    if all.iter().map(Vec::len).sum::<usize>() >= MAX_SPECK_RUNS {
        return Vec::new();
    }
    let (lo_px, hi_px) = ((MIN_BOX * scale) as u32, (MAX_BOX * scale).ceil() as u32);
    let mut out = Vec::new();
    for p in pieces(&all) {
        let (w, h) = (p.hi - p.lo, p.line1 + 1 - p.line0);
        if w < lo_px || h < lo_px || w > hi_px || h > hi_px || w.max(h) * 4 > w.min(h) * 5 {
            continue;
        }
        let (x0, y0, x1, y1) = (
            p.lo as usize,
            p.line0 as usize,
            p.hi as usize,
            (p.line1 + 1) as usize,
        );
        let band = ((w.min(h) as f32 * 0.18).round() as usize).max(2);
        let covered = |horizontal: bool, from: usize, to: usize| -> f32 {
            let (a, b) = if horizontal { (x0, x1) } else { (y0, y1) };
            let hits = (a..b)
                .filter(|&i| {
                    (from..to).any(|j| {
                        if horizontal {
                            ink.get(i, j)
                        } else {
                            ink.get(j, i)
                        }
                    })
                })
                .count();
            hits as f32 / (b - a).max(1) as f32
        };
        let sides = [
            covered(true, y0, y0 + band),
            covered(true, y1.saturating_sub(band), y1),
            covered(false, x0, x0 + band),
            covered(false, x1.saturating_sub(band), x1),
        ];
        if sides.iter().any(|&s| s < 0.85) {
            continue;
        }
        // Square corners: ink near each corner of the box (letters such as O, D or Q, and
        // round outlines, leave them empty).
        let corner = |cx: usize, cy: usize| {
            let xs = cx.saturating_sub(band / 2)..(cx + band / 2 + 1);
            xs.clone()
                .any(|x| (cy.saturating_sub(band / 2)..(cy + band / 2 + 1)).any(|y| ink.get(x, y)))
        };
        let (xr, yb) = (x1.saturating_sub(1), y1.saturating_sub(1));
        if !(corner(x0, y0) && corner(xr, y0) && corner(x0, yb) && corner(xr, yb)) {
            continue;
        }
        // Inside (past the sides' bands): mostly paper (a tick or a cross may be there).
        let (ix0, iy0, ix1, iy1) = (
            x0 + band + 1,
            y0 + band + 1,
            x1.saturating_sub(band + 1),
            y1.saturating_sub(band + 1),
        );
        if ix1 <= ix0 || iy1 <= iy0 {
            continue;
        }
        let inside = (iy0..iy1)
            .map(|y| (ix0..ix1).filter(|&x| ink.get(x, y)).count())
            .sum::<usize>() as f32
            / ((ix1 - ix0) * (iy1 - iy0)) as f32;
        if inside > 0.35 {
            continue;
        }
        let half = 0.5;
        out.push([
            x0 as f32 / scale + half,
            y0 as f32 / scale + half,
            x1 as f32 / scale - half,
            y1 as f32 / scale - half,
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic page at 4 px/pt: a box 100x20 pt, a rule, a check box, some "text".
    fn page(skew_deg: f32) -> Gray {
        let scale = 4.0f32;
        let (w, h) = (300u32 * 4, 200u32 * 4);
        let mut g = Gray::filled(w, h, 250);
        let mut rect = |x0: f32, y0: f32, x1: f32, y1: f32| {
            for y in (y0 * scale) as u32..(y1 * scale) as u32 {
                for x in (x0 * scale) as u32..(x1 * scale) as u32 {
                    g.data[(y * w + x) as usize] = 10;
                }
            }
        };
        // Box: 20..120 x 30..50, lines 1 pt.
        rect(20.0, 30.0, 120.0, 31.0);
        rect(20.0, 49.0, 120.0, 50.0);
        rect(20.0, 30.0, 21.0, 50.0);
        rect(119.0, 30.0, 120.0, 50.0);
        // Rule at y 100 from 150 to 280.
        rect(150.0, 100.0, 280.0, 100.8);
        // Check box 10 pt at (30, 120).
        rect(30.0, 120.0, 40.0, 120.8);
        rect(30.0, 129.2, 40.0, 130.0);
        rect(30.0, 120.0, 30.8, 130.0);
        rect(39.2, 120.0, 40.0, 130.0);
        // "Text": short strokes.
        for i in 0..20 {
            let x = 60.0 + i as f32 * 4.0;
            rect(x, 150.0, x + 0.8, 157.0);
            rect(x, 150.0, x + 2.5, 150.8);
        }
        if skew_deg == 0.0 {
            return g;
        }
        // Turn the page clockwise by skew_deg about its centre.
        let (s, c) = skew_deg.to_radians().sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let mut out = Gray::filled(w, h, 250);
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                let (sx, sy) = (cx + dx * c + dy * s, cy - dx * s + dy * c);
                out.data[(y * w + x) as usize] = g.get(sx.round() as i64, sy.round() as i64);
            }
        }
        out
    }

    fn check(r: &RasterPage) {
        let mut g = r.graphics.clone();
        add_squares(&mut g, &r.squares);
        let g = &g;
        let long_h: Vec<&Seg> = g
            .segs
            .iter()
            .filter(|s| s.horizontal && s.len() > 50.0)
            .collect();
        assert_eq!(long_h.len(), 3, "{:?}", g.segs);
        assert!(g.segs.len() <= 16, "{:?}", g.segs);
        assert!(
            long_h
                .iter()
                .any(|s| (s.at - 100.4).abs() < 1.0 && (s.lo - 150.0).abs() < 1.5)
        );
        let verticals = g
            .segs
            .iter()
            .filter(|s| !s.horizontal && s.len() > 15.0)
            .count();
        assert_eq!(verticals, 2, "{:?}", g.segs);
        // The check box: four short edges around (30..40, 120..130).
        // (Each side may come twice: as a line and as a side of the square.)
        let small = g
            .segs
            .iter()
            .filter(|s| s.len() < 12.0 && s.lo > 25.0 && s.lo < 125.0);
        let sides = [(true, 120.4), (true, 129.6), (false, 30.4), (false, 39.6)];
        for s in small {
            assert!(
                sides
                    .iter()
                    .any(|&(h, at)| h == s.horizontal && (s.at - at).abs() < 0.8),
                "{s:?}"
            );
        }
    }

    #[test]
    fn level_page() {
        let r = read_raster(&page(0.0), 4.0);
        assert!(r.skew.abs() < 0.05, "{}", r.skew);
        check(&r);
    }

    #[test]
    fn skewed_page_is_levelled() {
        let r = read_raster(&page(0.6), 4.0);
        assert!((r.skew - 0.6).abs() < 0.06, "skew {}", r.skew);
        check(&r);
    }

    #[test]
    fn a_page_of_noise_stays_bounded() {
        // Salt and pepper over 4 million pixels: millions of one-pixel runs.
        let mut g = Gray::filled(2000, 2000, 255);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for v in &mut g.data {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if state.is_multiple_of(2) {
                *v = 0;
            }
        }
        let started = std::time::Instant::now();
        let r = read_raster(&g, 4.0);
        assert!(r.squares.is_empty());
        assert!(
            r.graphics.segs.len() <= MAX_LINES,
            "{}",
            r.graphics.segs.len()
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut g = Gray::filled(10, 10, 240);
        for v in g.data.iter_mut().take(30) {
            *v = 20;
        }
        let t = otsu(&g);
        assert!((20..240).contains(&t), "{t}");
    }
}
