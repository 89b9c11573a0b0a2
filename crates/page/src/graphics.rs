//! What a page draws, reduced to what field detection looks at: straight horizontal and
//! vertical strokes (rules, box edges, thin filled rectangles, runs of `_` glyphs), filled
//! rectangles (shading, white entry areas), small closed outlines (rounded or round boxes,
//! box glyphs such as ☐ or ZapfDingbats squares) and image areas.
//!
//! Everything is recorded in the *display frame* of the page: points from the top-left
//! corner of the page as shown (CropBox, after /Rotate), y growing downwards, so "left of"
//! and "above" mean what they mean on screen. [`DisplayFrame`] is built from the engine's
//! [`PageGeometry`], and results go back to user space through its `to_user`.

use formsmith_engine::PageGeometry;
use hayro_interpret::font::{Glyph, GlyphRun};
use hayro_interpret::kurbo::{Affine, BezPath, PathEl, Point, Shape};
use hayro_interpret::{DrawMode, DrawProps, Paint};
use hayro_syntax::page::{Page, Rotation};

use crate::text::observe::PageObserver;

/// A box in the display frame: left, top, right, bottom (top < bottom).
pub type Bx = [f32; 4];

/// Items kept per page before the rest is ignored (bounds memory on hostile pages).
const MAX_SEGMENTS: usize = 60_000;
const MAX_FILLS: usize = 20_000;
const MAX_FRAMES: usize = 20_000;
const MAX_IMAGES: usize = 2_000;
const MAX_SLANTS: usize = 50_000;
/// Edges closer to axis-parallel than this (points over their length) count as straight.
const AXIS_TOLERANCE: f64 = 0.6;
/// Filled rectangles this thin (points) are rules, not areas.
const THIN_FILL: f64 = 3.0;
/// Strokes lighter than this (0 black .. 1 white) are not seen as lines.
const MAX_LINE_LIGHTNESS: f32 = 0.9;
/// Closed outlines at most this big (points) are kept as possible check boxes.
const MAX_FRAME_SIDE: f64 = 28.0;
const MIN_FRAME_SIDE: f64 = 3.5;
/// Glyph space units per em in hayro's glyph transforms.
const UNITS_PER_EM: f64 = 1000.0;

/// A straight horizontal or vertical line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    /// Horizontal (along x) or vertical (along y).
    pub horizontal: bool,
    /// y of a horizontal line, x of a vertical one.
    pub at: f32,
    /// Start along the line.
    pub lo: f32,
    /// End along the line (lo < hi).
    pub hi: f32,
    /// Thickness.
    pub width: f32,
    /// Drawn with `_` glyphs (typed underlines) rather than paths.
    pub glyph: bool,
}

impl Seg {
    /// Length along the line.
    pub fn len(&self) -> f32 {
        self.hi - self.lo
    }
}

/// A filled rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fill {
    /// The filled area.
    pub rect: Bx,
    /// 0 black .. 1 white (alpha blended over white).
    pub lightness: f32,
}

/// Where a small closed outline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameSource {
    /// A stroked closed path with curves (rounded box, circle).
    Path,
    /// A box glyph (☐, ❏, ZapfDingbats / Wingdings squares).
    Glyph,
}

/// A small closed outline: a possible check box or radio button.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Its bounding box.
    pub rect: Bx,
    /// What drew it.
    pub source: FrameSource,
}

/// Everything recorded on one page.
#[derive(Debug, Clone, Default)]
pub struct PageGraphics {
    /// Straight horizontal and vertical lines.
    pub segs: Vec<Seg>,
    /// Filled rectangles.
    pub fills: Vec<Fill>,
    /// Small closed outlines and box glyphs.
    pub frames: Vec<Frame>,
    /// Areas covered by images.
    pub images: Vec<Bx>,
    /// Midpoints of slanted straight strokes (hatching marks areas not to fill).
    pub slants: Vec<[f32; 2]>,
    /// Paths that drew glyph-like shapes (many curved subpaths): text drawn as outlines.
    pub outlined_glyph_paths: usize,
    /// Some items were not kept (a limit was reached).
    pub truncated: bool,
    /// Small dark filled curved shapes (bullets, dots): a round outline around one is a
    /// marked symbol (◉), not an empty box.
    pub dark_shapes: Vec<Bx>,
    /// Samples (width x height) of the largest image drawn: what rendering the page would
    /// decode at once.
    pub largest_image: u64,
}

/// The user space -> display frame mapping of one page, from the engine's geometry.
#[derive(Debug, Clone, Copy)]
pub struct DisplayFrame {
    /// The page's boxes and rotation.
    pub geometry: PageGeometry,
    affine: Affine,
}

impl DisplayFrame {
    /// The mapping of a page with this geometry.
    pub fn new(geometry: PageGeometry) -> Self {
        let [x0, y0, x1, y1] = geometry.crop_box.map(f64::from);
        // x' = a x + c y + e, y' = b x + d y + f: PageGeometry::to_display, as a matrix.
        let affine = match geometry.rotate {
            90 => Affine::new([0.0, 1.0, 1.0, 0.0, -y0, -x0]),
            180 => Affine::new([-1.0, 0.0, 0.0, 1.0, x1, -y0]),
            270 => Affine::new([0.0, -1.0, -1.0, 0.0, y1, x1]),
            _ => Affine::new([1.0, 0.0, 0.0, -1.0, -x0, y1]),
        };
        DisplayFrame { geometry, affine }
    }

    /// The frame of a hayro page (its visible box and rotation).
    pub fn of_page(page: &Page<'_>) -> Self {
        let media = page.media_box();
        let crop = page.intersected_crop_box();
        let rect = |r: hayro_syntax::object::Rect| {
            [
                r.x0.min(r.x1) as f32,
                r.y0.min(r.y1) as f32,
                r.x0.max(r.x1) as f32,
                r.y0.max(r.y1) as f32,
            ]
        };
        let media_box = rect(media);
        let crop_box = if crop.width().abs() > 0.0 && crop.height().abs() > 0.0 {
            rect(crop)
        } else {
            media_box
        };
        let rotate = match page.rotation() {
            Rotation::None => 0,
            Rotation::Horizontal => 90,
            Rotation::Flipped => 180,
            Rotation::FlippedHorizontal => 270,
        };
        Self::new(PageGeometry {
            media_box,
            crop_box,
            rotate,
        })
    }

    /// Width and height of the displayed page.
    pub fn size(self) -> (f32, f32) {
        let (w, h) = self.geometry.display_size();
        (w as f32, h as f32)
    }

    /// A user-space box in the display frame.
    pub fn to_display(self, rect: [f32; 4]) -> Bx {
        let d = self.geometry.to_display(rect);
        [d.left as f32, d.top as f32, d.right as f32, d.bottom as f32]
    }

    /// A display-frame box back in user space.
    pub fn to_user(self, b: Bx) -> [f32; 4] {
        self.geometry.to_user(&formsmith_engine::DisplayBox {
            left: f64::from(b[0]),
            top: f64::from(b[1]),
            right: f64::from(b[2]),
            bottom: f64::from(b[3]),
        })
    }
}

/// Records the graphics of the pages of one extraction pass, page by page.
#[derive(Default)]
pub(crate) struct GraphicsRecorder {
    /// Per page asked, in order: its index, frame and graphics.
    pub pages: Vec<(usize, DisplayFrame, PageGraphics)>,
}

impl GraphicsRecorder {
    fn current(&mut self) -> Option<(&DisplayFrame, &mut PageGraphics)> {
        self.pages.last_mut().map(|(_, f, g)| (&*f, g))
    }
}

/// Lightness of a paint (0 black, 1 white), alpha blended over white; patterns count as
/// mid grey.
fn lightness(paint: &Paint<'_>) -> f32 {
    match paint {
        Paint::Color(c) => {
            let [r, g, b, a] = c.to_rgba().components();
            let l = 0.299 * r + 0.587 * g + 0.114 * b;
            let a = a.clamp(0.0, 1.0);
            (l * a + (1.0 - a)).clamp(0.0, 1.0)
        }
        Paint::Pattern(_) => 0.5,
    }
}

/// How much a transform scales lengths (geometric mean of its axes).
fn scale(t: &Affine) -> f64 {
    t.determinant().abs().sqrt()
}

/// One subpath, in the display frame.
struct Sub {
    points: Vec<Point>,
    curved: bool,
    closed: bool,
}

fn subpaths(path: &BezPath, m: Affine) -> Vec<Sub> {
    let mut out: Vec<Sub> = Vec::new();
    for el in path.elements() {
        match *el {
            PathEl::MoveTo(p) => out.push(Sub {
                points: vec![m * p],
                curved: false,
                closed: false,
            }),
            PathEl::LineTo(p) => {
                if let Some(s) = out.last_mut() {
                    s.points.push(m * p);
                }
            }
            PathEl::QuadTo(_, p) | PathEl::CurveTo(_, _, p) => {
                if let Some(s) = out.last_mut() {
                    s.points.push(m * p);
                    s.curved = true;
                }
            }
            PathEl::ClosePath => {
                if let Some(s) = out.last_mut() {
                    s.closed = true;
                }
            }
        }
    }
    for s in &mut out {
        if let (Some(first), Some(last)) = (s.points.first(), s.points.last())
            && s.points.len() > 2
            && (first.x - last.x).abs() < 0.01
            && (first.y - last.y).abs() < 0.01
        {
            s.closed = true;
        }
    }
    out
}

fn bounds(points: &[Point]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points {
        b = [b[0].min(p.x), b[1].min(p.y), b[2].max(p.x), b[3].max(p.y)];
    }
    b
}

/// The subpath as an axis-parallel rectangle, if it is one.
/// An unknown glyph counts only as a hollow square: a rectangle inside a straight-edged
/// outline that nearly fills it (□, or ❑ ❒ with their drop shadow, as symbol fonts draw
/// them under private-use codes).
fn is_hollow_square(subs: &[Sub]) -> bool {
    let [a, b] = subs else { return false };
    // Straight edges along the axes, but for short bevels (a shadow's corners).
    let rectilinear = |s: &Sub| {
        let b = bounds(&s.points);
        let bevel = 0.25 * (b[2] - b[0]).max(b[3] - b[1]);
        !s.curved
            && s.points.len() >= 4
            && s.points.len() <= 12
            && s.points.windows(2).all(|w| {
                let (dx, dy) = ((w[0].x - w[1].x).abs(), (w[0].y - w[1].y).abs());
                dx < AXIS_TOLERANCE || dy < AXIS_TOLERANCE || dx.max(dy) <= bevel
            })
    };
    if !rectilinear(a) || !rectilinear(b) {
        return false;
    }
    let (outer, inner) = {
        let (ba, bb) = (bounds(&a.points), bounds(&b.points));
        if (ba[2] - ba[0]) * (ba[3] - ba[1]) >= (bb[2] - bb[0]) * (bb[3] - bb[1]) {
            (ba, b)
        } else {
            (bb, a)
        }
    };
    let Some(hole) = as_rect(inner) else {
        return false;
    };
    let inside = hole[0] >= outer[0] - 0.01
        && hole[1] >= outer[1] - 0.01
        && hole[2] <= outer[2] + 0.01
        && hole[3] <= outer[3] + 0.01;
    let fills = (hole[2] - hole[0]) >= 0.6 * (outer[2] - outer[0])
        && (hole[3] - hole[1]) >= 0.6 * (outer[3] - outer[1]);
    inside && fills
}

fn as_rect(s: &Sub) -> Option<[f64; 4]> {
    if s.curved {
        return None;
    }
    let mut pts = s.points.clone();
    if pts.len() >= 2 {
        let (first, last) = (pts[0], pts[pts.len() - 1]);
        if (first.x - last.x).abs() < 0.01 && (first.y - last.y).abs() < 0.01 {
            pts.pop();
        }
    }
    if pts.len() != 4 {
        return None;
    }
    let b = bounds(&pts);
    let on_corner = pts.iter().all(|p| {
        ((p.x - b[0]).abs() < AXIS_TOLERANCE || (p.x - b[2]).abs() < AXIS_TOLERANCE)
            && ((p.y - b[1]).abs() < AXIS_TOLERANCE || (p.y - b[3]).abs() < AXIS_TOLERANCE)
    });
    let edges_straight = (0..4).all(|i| {
        let (a, c) = (pts[i], pts[(i + 1) % 4]);
        (a.x - c.x).abs() < AXIS_TOLERANCE || (a.y - c.y).abs() < AXIS_TOLERANCE
    });
    (on_corner && edges_straight).then_some(b)
}

fn finite(b: &[f64; 4]) -> bool {
    b.iter().all(|v| v.is_finite() && v.abs() < 1e6)
}

impl PageGraphics {
    /// White areas painted on a tinted background (each over the last fill under it that
    /// is darker): entries of forms drawn on a coloured page.
    pub fn white_areas(&self) -> Vec<Bx> {
        const WHITE: f32 = 0.97;
        const TINT: f32 = 0.96;
        const MAX_WHITE_AREAS: usize = 2_000;
        const LOOK_BACK: usize = 2_000;
        let fills = &self.fills;
        let area = |b: &Bx| (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0);
        let overlap = |a: &Bx, b: &Bx| {
            let w = a[2].min(b[2]) - a[0].max(b[0]);
            let h = a[3].min(b[3]) - a[1].max(b[1]);
            if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
        };
        fills
            .iter()
            .enumerate()
            .filter(|(_, f)| f.lightness >= WHITE)
            .take(MAX_WHITE_AREAS)
            .filter(|(i, f)| {
                let a = area(&f.rect);
                fills[i.saturating_sub(LOOK_BACK)..*i]
                    .iter()
                    .rev()
                    .find(|b| overlap(&b.rect, &f.rect) >= 0.9 * a)
                    .is_some_and(|b| b.lightness < TINT)
            })
            .map(|(_, f)| f.rect)
            .collect()
    }

    fn push_seg(&mut self, seg: Seg) {
        if !(seg.at.is_finite() && seg.lo.is_finite() && seg.hi.is_finite()) || seg.hi <= seg.lo {
            return;
        }
        if self.segs.len() >= MAX_SEGMENTS {
            self.truncated = true;
            return;
        }
        self.segs.push(seg);
    }

    fn push_frame(&mut self, frame: Frame) {
        if self.frames.len() >= MAX_FRAMES {
            self.truncated = true;
            return;
        }
        self.frames.push(frame);
    }

    /// A filled axis-parallel rectangle: a rule when thin, else an area.
    fn fill_rect(&mut self, b: [f64; 4], lightness: f32) {
        let (w, h) = (b[2] - b[0], b[3] - b[1]);
        if w <= THIN_FILL && h <= THIN_FILL {
            return;
        }
        if h <= THIN_FILL && w >= 2.0 * h {
            if lightness <= MAX_LINE_LIGHTNESS {
                self.push_seg(Seg {
                    horizontal: true,
                    at: ((b[1] + b[3]) / 2.0) as f32,
                    lo: b[0] as f32,
                    hi: b[2] as f32,
                    width: h as f32,
                    glyph: false,
                });
            }
        } else if w <= THIN_FILL && h >= 2.0 * w {
            if lightness <= MAX_LINE_LIGHTNESS {
                self.push_seg(Seg {
                    horizontal: false,
                    at: ((b[0] + b[2]) / 2.0) as f32,
                    lo: b[1] as f32,
                    hi: b[3] as f32,
                    width: w as f32,
                    glyph: false,
                });
            }
        } else if self.fills.len() < MAX_FILLS {
            self.fills.push(Fill {
                rect: b.map(|v| v as f32),
                lightness,
            });
        } else {
            self.truncated = true;
        }
    }

    /// The straight edges of a stroked subpath.
    fn stroke_edges(&mut self, s: &Sub, width: f32) {
        let n = s.points.len();
        let edges = if s.closed { n } else { n.saturating_sub(1) };
        for i in 0..edges {
            let (a, b) = (s.points[i], s.points[(i + 1) % n]);
            if (a.y - b.y).abs() <= AXIS_TOLERANCE && (a.x - b.x).abs() > AXIS_TOLERANCE {
                self.push_seg(Seg {
                    horizontal: true,
                    at: ((a.y + b.y) / 2.0) as f32,
                    lo: a.x.min(b.x) as f32,
                    hi: a.x.max(b.x) as f32,
                    width,
                    glyph: false,
                });
            } else if (a.x - b.x).abs() <= AXIS_TOLERANCE && (a.y - b.y).abs() > AXIS_TOLERANCE {
                self.push_seg(Seg {
                    horizontal: false,
                    at: ((a.x + b.x) / 2.0) as f32,
                    lo: a.y.min(b.y) as f32,
                    hi: a.y.max(b.y) as f32,
                    width,
                    glyph: false,
                });
            } else if (a.x - b.x).abs() > 2.0 && (a.y - b.y).abs() > 2.0 {
                if self.slants.len() < MAX_SLANTS {
                    self.slants
                        .push([((a.x + b.x) / 2.0) as f32, ((a.y + b.y) / 2.0) as f32]);
                } else {
                    self.truncated = true;
                }
            }
        }
    }
}

impl PageObserver for GraphicsRecorder {
    fn begin_page(&mut self, index: usize, page: &Page<'_>) {
        self.pages
            .push((index, DisplayFrame::of_page(page), PageGraphics::default()));
    }

    fn draw_path(&mut self, path: &BezPath, props: &DrawProps<'_>, mode: &DrawMode) {
        let Some((frame, g)) = self.current() else {
            return;
        };
        let m = frame.affine * props.transform;
        let light = lightness(&props.paint);
        let subs = subpaths(path, m);
        let (fill, stroke) = match mode {
            DrawMode::Fill(_) => (true, None),
            DrawMode::Stroke(s) => (false, Some(s)),
            DrawMode::FillAndStroke(_, s) => (true, Some(s)),
            DrawMode::Invisible => return,
        };
        let curved = subs.iter().filter(|s| s.curved).count();
        if fill && stroke.is_none() && curved >= 2 && subs.len() >= 3 {
            // Letters drawn as outlines (text without a text layer): not lines or boxes.
            g.outlined_glyph_paths += 1;
            return;
        }
        if fill && light <= MAX_LINE_LIGHTNESS {
            for s in subs.iter().filter(|s| s.curved && s.closed) {
                let b = bounds(&s.points);
                if b[2] - b[0] <= MAX_FRAME_SIDE
                    && b[3] - b[1] <= MAX_FRAME_SIDE
                    && finite(&b)
                    && g.dark_shapes.len() < MAX_FRAMES
                {
                    g.dark_shapes.push(b.map(|v| v as f32));
                }
            }
        }
        if fill {
            let rects: Vec<Option<[f64; 4]>> = subs.iter().map(as_rect).collect();
            // A border drawn as a filled ring: an outer and an inner rectangle.
            if let [Some(outer), Some(inner)] = rects.as_slice() {
                let (o, i) = if outer[0] <= inner[0] {
                    (*outer, *inner)
                } else {
                    (*inner, *outer)
                };
                let nested = o[0] <= i[0] && o[1] <= i[1] && o[2] >= i[2] && o[3] >= i[3];
                let border = (i[0] - o[0])
                    .max(o[2] - i[2])
                    .max(i[1] - o[1])
                    .max(o[3] - i[3]);
                if nested && border <= THIN_FILL && finite(&o) && light <= MAX_LINE_LIGHTNESS {
                    let w = border.max(0.3) as f32;
                    let (x0, y0, x1, y1) = (
                        ((o[0] + i[0]) / 2.0) as f32,
                        ((o[1] + i[1]) / 2.0) as f32,
                        ((o[2] + i[2]) / 2.0) as f32,
                        ((o[3] + i[3]) / 2.0) as f32,
                    );
                    for (horizontal, at, lo, hi) in [
                        (true, y0, x0, x1),
                        (true, y1, x0, x1),
                        (false, x0, y0, y1),
                        (false, x1, y0, y1),
                    ] {
                        g.push_seg(Seg {
                            horizontal,
                            at,
                            lo,
                            hi,
                            width: w,
                            glyph: false,
                        });
                    }
                    if stroke.is_none() {
                        return;
                    }
                }
            }
            for r in rects.iter().flatten() {
                if finite(r) {
                    g.fill_rect(*r, light);
                }
            }
        }
        if let Some(sp) = stroke {
            if light > MAX_LINE_LIGHTNESS {
                return;
            }
            let width = (f64::from(sp.line_width) * scale(&props.transform)).max(0.3) as f32;
            for s in &subs {
                if s.curved {
                    let b = bounds(&s.points);
                    let (w, h) = (b[2] - b[0], b[3] - b[1]);
                    let square = w.min(h) >= 0.7 * w.max(h);
                    if s.closed
                        && finite(&b)
                        && square
                        && w.max(h) <= MAX_FRAME_SIDE
                        && w.min(h) >= MIN_FRAME_SIDE
                    {
                        // Curve end points only: the box of a circle drawn with four
                        // Béziers is its extreme points, which is what we need.
                        g.push_frame(Frame {
                            rect: b.map(|v| v as f32),
                            source: FrameSource::Path,
                        });
                    }
                    continue;
                }
                g.stroke_edges(s, width);
            }
        }
    }

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, '_>, props: &DrawProps<'_>, mode: &DrawMode) {
        if matches!(mode, DrawMode::Invisible) {
            return;
        }
        if matches!(mode, DrawMode::Stroke(_)) {
            // The stroke pass of fill+stroke text repeats the fill pass.
            return;
        }
        let Some((frame, g)) = self.current() else {
            return;
        };
        let base = frame.affine * props.transform;
        for glyph in run.glyphs() {
            let unicode = glyph.as_unicode();
            let ch = match &unicode {
                Some(hayro_interpret::hayro_cmap::BfString::Char(c)) => Some(*c),
                Some(hayro_interpret::hayro_cmap::BfString::String(s)) => {
                    let mut chars = s.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => Some(c),
                        _ => None,
                    }
                }
                None => None,
            };
            let kind = match ch {
                Some('_' | '\u{2017}' | '\u{FF3F}') => GlyphKind::Underscore,
                Some(c) if is_box_char(c) => GlyphKind::Box,
                // Symbol fonts without a usable mapping: judge by the outline.
                Some(c) if ('\u{E000}'..='\u{F8FF}').contains(&c) => GlyphKind::MaybeBox,
                None => GlyphKind::MaybeBox,
                _ => continue,
            };
            let Glyph::Outline(outline) = &**glyph else {
                continue;
            };
            let m = base * glyph.transform();
            match kind {
                GlyphKind::Underscore => {
                    let advance = f64::from(outline.advance_width().unwrap_or(500.0));
                    // Along the baseline in display space; only horizontal text makes rules.
                    let a = m * Point::new(0.0, -0.15 * UNITS_PER_EM);
                    let b = m * Point::new(advance, -0.15 * UNITS_PER_EM);
                    if (a.y - b.y).abs() < 0.2 && (b.x - a.x).abs() > 0.5 {
                        g.push_seg(Seg {
                            horizontal: true,
                            at: ((a.y + b.y) / 2.0) as f32,
                            lo: a.x.min(b.x) as f32,
                            hi: a.x.max(b.x) as f32,
                            width: 0.5,
                            glyph: true,
                        });
                    }
                }
                GlyphKind::Box | GlyphKind::MaybeBox => {
                    let path = outline.outline();
                    if path.elements().is_empty() {
                        continue;
                    }
                    let subs = subpaths(&path, m);
                    let b = {
                        let bb = m.transform_rect_bbox(path.bounding_box());
                        [bb.x0, bb.y0, bb.x1, bb.y1]
                    };
                    let (w, h) = (b[2] - b[0], b[3] - b[1]);
                    let square = w.min(h) >= 0.7 * w.max(h);
                    let hollow_square = is_hollow_square(&subs);
                    let ok = match kind {
                        GlyphKind::Box => square,
                        _ => square && hollow_square,
                    };
                    if ok && finite(&b) && w.max(h) <= MAX_FRAME_SIDE * 2.0 && w.min(h) >= 2.0 {
                        // The box to mark is the glyph's cell, not its ink: a box glyph
                        // inked smaller than its em square grows to 0.9 em around its centre.
                        let em =
                            (m * Point::new(0.0, UNITS_PER_EM) - m * Point::new(0.0, 0.0)).hypot();
                        let side = 0.9 * em;
                        let b = if side.is_finite()
                            && w.max(h) < side
                            && side <= MAX_FRAME_SIDE * 2.0
                        {
                            let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                            [
                                cx - side / 2.0,
                                cy - side / 2.0,
                                cx + side / 2.0,
                                cy + side / 2.0,
                            ]
                        } else {
                            b
                        };
                        g.push_frame(Frame {
                            rect: b.map(|v| v as f32),
                            source: FrameSource::Glyph,
                        });
                    }
                }
            }
        }
    }

    fn draw_image(&mut self, transform: Affine, width: u32, height: u32) {
        let Some((frame, g)) = self.current() else {
            return;
        };
        g.largest_image = g.largest_image.max(u64::from(width) * u64::from(height));
        let samples =
            hayro_interpret::kurbo::Rect::new(0.0, 0.0, f64::from(width), f64::from(height));
        let r = (frame.affine * transform) * samples.to_path(0.1);
        let b = r.bounding_box();
        if g.images.len() < MAX_IMAGES {
            g.images
                .push([b.x0 as f32, b.y0 as f32, b.x1 as f32, b.y1 as f32]);
        } else {
            g.truncated = true;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GlyphKind {
    Underscore,
    Box,
    MaybeBox,
}

/// Characters that print an empty (or ticked) box meant to be marked.
pub fn is_box_char(c: char) -> bool {
    matches!(
        c,
        '☐' | '☑' | '☒' | '□' | '▢' | '◻' | '⬜' | '❏' | '❐' | '❑' | '❒' | '⎕' | '▭'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_frame_matches_the_engine_conversion() {
        for rotate in [0, 90, 180, 270] {
            let geometry = PageGeometry {
                media_box: [0.0, 0.0, 700.0, 900.0],
                crop_box: [10.0, 20.0, 610.0, 800.0],
                rotate,
            };
            let frame = DisplayFrame::new(geometry);
            let rect = [100.0f32, 200.0, 180.0, 230.0];
            let d = frame.to_display(rect);
            let p = frame.affine * Point::new(100.0, 200.0);
            let q = frame.affine * Point::new(180.0, 230.0);
            let via_affine = [
                p.x.min(q.x) as f32,
                p.y.min(q.y) as f32,
                p.x.max(q.x) as f32,
                p.y.max(q.y) as f32,
            ];
            for (a, b) in d.iter().zip(via_affine.iter()) {
                assert!(
                    (a - b).abs() < 1e-3,
                    "rotate {rotate}: {d:?} vs {via_affine:?}"
                );
            }
            let back = frame.to_user(d);
            for (a, b) in back.iter().zip(rect.iter()) {
                assert!((a - b).abs() < 1e-3);
            }
        }
    }
}
