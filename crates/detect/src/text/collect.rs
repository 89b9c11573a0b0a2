//! Runs one page through hayro's interpreter and collects its glyphs in user space.
//!
//! hayro reports glyph runs through its `Device` trait; this device keeps, per glyph, the
//! Unicode text, the baseline origin and direction, the advance and the effective font
//! size, all in the page's default user space (the context starts from the identity, so
//! neither the CropBox offset nor /Rotate is applied).

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::time::{Duration, Instant};

use hayro_font::{FontCache, FontGlyph, GlyphIdentifier};
use hayro_interpret::font::{Glyph, GlyphRun};
use hayro_interpret::hayro_cmap::{BfString, CMap, CMapName, CidFamily, WritingMode};
use hayro_interpret::kurbo::{Affine, BezPath, Point};
use hayro_interpret::{
    BlendMode, CacheKey, ClipPath, Device, DrawMode, DrawProps, Image, ImageDrawProps,
    InterpreterSettings, SoftMask,
};
use hayro_syntax::object::dict::keys::{
    BASE_FONT, CIDSYSTEMINFO, CONTENTS, DESCENDANT_FONTS, ENCODING, FILTER, FONT_DESC, FONT_WEIGHT,
    ORDERING, REGISTRY, RESOURCES, SUBTYPE, TO_UNICODE,
};
use hayro_syntax::object::{Array, Dict, Name, Object, Stream};
use hayro_syntax::page::{Page, Resources};

use super::TextWarning;

/// Glyph space units per em in hayro's glyph transforms.
const UNITS_PER_EM: f64 = 1000.0;
/// Top and bottom of a glyph's box, in em above the baseline. Fonts' own ascent and descent
/// vary (0.7..0.95, -0.2..-0.3); a fixed box keeps words of one size the same height, which
/// is what line grouping and box comparison need.
const ASCENT: f64 = 0.8;
const DESCENT: f64 = -0.2;
/// Form XObjects followed when scanning a page's resources (fonts, stream sizes): deeper or
/// more means a hostile file, and the page is refused rather than scanned without end.
const MAX_SCANNED_XOBJECTS: usize = 10_000;
const MAX_XOBJECT_DEPTH: usize = 32;
/// Characters kept from one glyph's Unicode mapping (ligatures need three).
const MAX_CHARS_PER_GLYPH: usize = 16;
/// Device calls between two looks at the clock (reading it costs more than a call).
const CLOCK_EVERY: u64 = 256;

/// One glyph as drawn on the page, in user space.
#[derive(Debug, Clone)]
pub(crate) struct RawGlyph {
    /// The glyph's text in [`PageGlyphs::text`].
    pub text: Range<u32>,
    /// Baseline origin.
    pub origin: [f32; 2],
    /// Unit vector along the baseline, in reading direction.
    pub dir: [f32; 2],
    /// Advance along `dir`, in points.
    pub advance: f32,
    /// Effective font size (the em height in user space).
    pub size: f32,
    /// Axis-aligned box of the glyph's em box (descent to ascent, origin to advance).
    pub bbox: [f32; 4],
    /// Drawn in a bold font, or filled and stroked.
    pub bold: bool,
    /// A space (or other whitespace / control) glyph: separates words, is not kept.
    pub space: bool,
}

/// Everything collected from one page.
#[derive(Debug, Default)]
pub(crate) struct PageGlyphs {
    /// The text of all glyphs, one after the other.
    pub text: String,
    /// Glyphs in content-stream order.
    pub glyphs: Vec<RawGlyph>,
    /// Recoverable problems met on the page.
    pub warnings: Vec<TextWarning>,
}

/// Work bounds for one page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageLimits {
    pub max_ops: u64,
    pub max_glyphs: usize,
    pub max_stream_bytes: u64,
    pub max_time: Option<Duration>,
}

/// Why interpretation was stopped early; thrown with `resume_unwind` from inside the device
/// (hayro has no cancellation hook) and caught around the page.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Abort {
    Ops,
    Glyphs,
    Time,
}

/// What a glyph run's font says beyond its glyphs.
#[derive(Debug, Default)]
pub(crate) struct FontInfo {
    /// The font's name or weight says bold.
    pub bold: bool,
    /// For CID fonts of a known Adobe collection without a ToUnicode map: the way from
    /// character code to Unicode through the collection's UCS2 map (as poppler does).
    pub cid_unicode: Option<CidUnicode>,
}

/// Character code -> CID (the font's encoding CMap; `None` for Identity) -> Unicode.
#[derive(Debug)]
pub(crate) struct CidUnicode {
    encoding: Option<CMap>,
    ucs2: Rc<CMap>,
}

impl CidUnicode {
    fn lookup(&self, code: u32) -> Option<BfString> {
        let cid = match &self.encoding {
            None => code,
            Some(cmap) => {
                let len = if code <= 0xFF {
                    1
                } else if code <= 0xFFFF {
                    2
                } else {
                    4
                };
                cmap.lookup_cid_code(code, len)
                    .or_else(|| cmap.lookup_cid_code(code, 2))?
            }
        };
        self.ucs2.lookup_bf_string(cid)
    }
}

/// Bold detection needs the font's name, which hayro does not expose per glyph. The glyph's
/// identifier (font program + glyph id) is public and comparable, so each font dictionary of
/// the page is loaded once more through hayro-font's own cache and matched by identifier.
pub(crate) struct FontNames<'a> {
    cache: FontCache<'a>,
    settings: InterpreterSettings,
    /// Font dictionaries of the current page, not loaded yet (loaded at the first miss).
    pending: Vec<Dict<'a>>,
    /// Loaded fonts of the current page and what their dictionaries say.
    candidates: Vec<(hayro_font::Font<'a>, Rc<FontInfo>)>,
    /// Per glyph identifier (content hashes, stable per file): the font's information.
    known: HashMap<GlyphIdentifier, Rc<FontInfo>>,
    /// Per font dictionary, so each is read once.
    dict_info: HashMap<u128, Rc<FontInfo>>,
    /// Parsed UCS2 maps per character collection.
    ucs2: HashMap<&'static str, Option<Rc<CMap>>>,
}

impl<'a> FontNames<'a> {
    pub(crate) fn new(settings: InterpreterSettings) -> Self {
        Self {
            cache: FontCache::new(),
            settings,
            pending: Vec::new(),
            candidates: Vec::new(),
            known: HashMap::new(),
            dict_info: HashMap::new(),
            ucs2: HashMap::new(),
        }
    }

    /// Starts a page: its font dictionaries become the candidates.
    pub(crate) fn set_page_fonts(&mut self, fonts: Vec<Dict<'a>>) {
        self.pending = fonts;
        self.candidates.clear();
    }

    fn info(&mut self, glyph: &Glyph<'_>) -> Rc<FontInfo> {
        let Glyph::Outline(outline) = glyph else {
            // Type3 glyphs are small programs; a name says little about them.
            return Rc::default();
        };
        let id = outline.identifier();
        if let Some(info) = self.known.get(&id) {
            return info.clone();
        }
        for dict in std::mem::take(&mut self.pending) {
            let key = dict.cache_key();
            let info = match self.dict_info.get(&key) {
                Some(info) => info.clone(),
                None => {
                    let info = Rc::new(self.read_font_dict(&dict));
                    self.dict_info.insert(key, info.clone());
                    info
                }
            };
            if let Some(font) = self.cache.font(
                &dict,
                &self.settings.font_resolver,
                &self.settings.cmap_resolver,
            ) {
                self.candidates.push((font, info));
            }
        }
        let found = self.candidates.iter().find_map(|(font, info)| {
            match font.glyph(outline.glyph_id(), outline.char_code()) {
                FontGlyph::Outline(candidate) if candidate.identifier() == id => Some(info.clone()),
                _ => None,
            }
        });
        // Not among the page's fonts: the embedded program's own name and weight.
        let info = found.unwrap_or_else(|| {
            Rc::new(FontInfo {
                bold: outline.font_data().is_some_and(|data| {
                    data.weight.is_some_and(|w| w >= 600)
                        || data.postscript_name.as_deref().is_some_and(name_is_bold)
                }),
                cid_unicode: None,
            })
        });
        self.known.insert(id, info.clone());
        info
    }

    fn read_font_dict(&mut self, dict: &Dict<'_>) -> FontInfo {
        let descendant = dict
            .get::<Array<'_>>(DESCENDANT_FONTS)
            .and_then(|a| a.iter::<Dict<'_>>().next());
        let descriptor = dict.get::<Dict<'_>>(FONT_DESC).or_else(|| {
            descendant
                .as_ref()
                .and_then(|d| d.get::<Dict<'_>>(FONT_DESC))
        });
        let bold = dict
            .get::<Name<'_>>(BASE_FONT)
            .is_some_and(|n| name_is_bold(n.as_str()))
            || descriptor
                .and_then(|d| d.get::<f32>(FONT_WEIGHT))
                .is_some_and(|w| w >= 600.0);
        let cid_unicode = if dict.contains_key(TO_UNICODE) {
            None
        } else {
            descendant.and_then(|d| self.cid_unicode(dict, &d))
        };
        FontInfo { bold, cid_unicode }
    }

    fn cid_unicode(&mut self, dict: &Dict<'_>, descendant: &Dict<'_>) -> Option<CidUnicode> {
        let info = descendant.get::<Dict<'_>>(CIDSYSTEMINFO)?;
        let registry = info.get::<hayro_syntax::object::String<'_>>(REGISTRY)?;
        let ordering = info.get::<hayro_syntax::object::String<'_>>(ORDERING)?;
        let family = CidFamily::from_registry_ordering(&registry, &ordering);
        let key = match family {
            CidFamily::AdobeJapan1 => "Japan1",
            CidFamily::AdobeGB1 => "GB1",
            CidFamily::AdobeCNS1 => "CNS1",
            CidFamily::AdobeKorea1 => "Korea1",
            _ => return None,
        };
        let name = family.ucs2_cmap()?;
        let resolver = self.settings.cmap_resolver.clone();
        let ucs2 = self
            .ucs2
            .entry(key)
            .or_insert_with(|| {
                let data = resolver(name)?;
                let inner = resolver.clone();
                CMap::parse(data, move |n| inner(n)).map(Rc::new)
            })
            .clone()?;
        let encoding = match dict.get::<Object<'_>>(ENCODING)? {
            Object::Name(n) => match CMapName::from_bytes(&n) {
                CMapName::IdentityH | CMapName::IdentityV => None,
                other => {
                    let data = resolver(other)?;
                    let inner = resolver.clone();
                    Some(CMap::parse(data, move |n| inner(n))?)
                }
            },
            Object::Stream(s) => {
                let data = s.decoded_data().ok()?;
                let inner = resolver.clone();
                Some(CMap::parse(&data, move |n| inner(n))?)
            }
            _ => return None,
        };
        Some(CidUnicode { encoding, ucs2 })
    }
}

/// Whether a font name announces a bold weight ("Arial-BoldMT", "Foo,Bold", "X-Semibold").
pub(crate) fn name_is_bold(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["bold", "black", "heavy", "semibold", "demi"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The fonts a page can use, and whether its content streams stay inside the size limit.
pub(crate) struct PageScan<'a> {
    pub fonts: Vec<Dict<'a>>,
    /// Set when a content stream inflates beyond the limit, or the XObject tree is too big.
    pub too_large: bool,
}

/// Walks the page's content streams and the form XObjects its resources reach.
///
/// hayro inflates every content stream it runs in full, without a size limit; checking the
/// decoded size first (inflating into a counter) keeps a decompression bomb from costing
/// gigabytes. Only FlateDecode as the first filter is measured: it is what bombs use.
///
/// `sizes` remembers decoded sizes per stream across the pages of a document, so resources
/// shared by every page are measured once.
pub(crate) fn scan_page<'a>(
    page: &Page<'a>,
    max_stream_bytes: u64,
    sizes: &mut HashMap<u128, u64>,
) -> PageScan<'a> {
    let mut scan = PageScan {
        fonts: Vec::new(),
        too_large: false,
    };
    let raw = page.raw();
    let contents: Vec<Stream<'a>> = if let Some(stream) = raw.get::<Stream<'a>>(CONTENTS) {
        vec![stream]
    } else if let Some(array) = raw.get::<Array<'a>>(CONTENTS) {
        array.iter::<Stream<'a>>().collect()
    } else {
        Vec::new()
    };
    let mut total = 0u64;
    for stream in &contents {
        total = total.saturating_add(measured(stream, max_stream_bytes, sizes));
    }
    if total > max_stream_bytes {
        scan.too_large = true;
        return scan;
    }
    let mut seen_fonts = std::collections::HashSet::new();
    let mut seen_xobjects = std::collections::HashSet::new();
    let mut stack: Vec<(Resources<'a>, usize)> = vec![(page.resources().clone(), 0)];
    while let Some((resources, depth)) = stack.pop() {
        for name in resources.fonts.keys() {
            if let Some(font) = resources.fonts.get::<Dict<'a>>(&*name)
                && seen_fonts.insert(font.cache_key())
            {
                scan.fonts.push(font);
            }
        }
        for name in resources.x_objects.keys() {
            let Some(stream) = resources.x_objects.get::<Stream<'a>>(&*name) else {
                continue;
            };
            let dict = stream.dict();
            if dict.get::<Name<'_>>(SUBTYPE).as_deref() != Some(b"Form".as_slice()) {
                continue;
            }
            if !seen_xobjects.insert(stream.cache_key()) {
                continue;
            }
            if seen_xobjects.len() > MAX_SCANNED_XOBJECTS || depth >= MAX_XOBJECT_DEPTH {
                scan.too_large = true;
                return scan;
            }
            if measured(&stream, max_stream_bytes, sizes) > max_stream_bytes {
                scan.too_large = true;
                return scan;
            }
            if let Some(inner) = dict.get::<Dict<'a>>(RESOURCES) {
                stack.push((Resources::new(inner), depth + 1));
            }
        }
    }
    scan
}

fn measured(stream: &Stream<'_>, limit: u64, sizes: &mut HashMap<u128, u64>) -> u64 {
    *sizes
        .entry(stream.cache_key())
        .or_insert_with(|| decoded_size(stream, limit))
}

/// Decoded size of a stream, counted up to `limit + 1` bytes without keeping the data.
fn decoded_size(stream: &Stream<'_>, limit: u64) -> u64 {
    use std::io::Read;
    let dict = stream.dict();
    let first = dict.get::<Name<'_>>(FILTER).or_else(|| {
        dict.get::<Array<'_>>(FILTER)
            .and_then(|a| a.iter::<Name<'_>>().next())
    });
    let raw = stream.raw_data();
    if !first.is_some_and(|n| matches!(&*n, b"FlateDecode" | b"Fl")) {
        // Other filters expand little (ASCII hex/85, run length) or are rare (LZW).
        return raw.len() as u64;
    }
    let count = |reader: &mut dyn Read| -> u64 {
        let mut buf = [0u8; 16 * 1024];
        let mut total = 0u64;
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => return total,
                Ok(n) => {
                    total += n as u64;
                    if total > limit {
                        return total;
                    }
                }
            }
        }
    };
    let zlib = count(&mut flate2::read::ZlibDecoder::new(raw.as_ref()));
    if zlib > 0 {
        return zlib;
    }
    // Streams without the zlib header: hayro retries them as raw deflate, so do we.
    count(&mut flate2::read::DeflateDecoder::new(raw.as_ref()))
}

/// The `Device` that collects glyphs.
pub(crate) struct Collector<'f, 'a> {
    pub out: PageGlyphs,
    fonts: &'f mut FontNames<'a>,
    limits: PageLimits,
    /// Glyphs outside this box (CropBox ∩ MediaBox, user space) are not visible and dropped.
    visible: [f64; 4],
    ops: u64,
    /// Operation count at which the clock is read next.
    next_clock: u64,
    started: Instant,
    /// The last filled run: where its glyphs went and where it started, so that the stroke
    /// pass of a fill+stroke run (render mode 2) marks them bold instead of adding copies.
    last_fill: Option<(Range<usize>, usize, Affine)>,
    unmapped: usize,
}

impl<'f, 'a> Collector<'f, 'a> {
    pub(crate) fn new(fonts: &'f mut FontNames<'a>, limits: PageLimits, visible: [f64; 4]) -> Self {
        Self {
            out: PageGlyphs::default(),
            fonts,
            limits,
            visible,
            ops: 0,
            next_clock: CLOCK_EVERY,
            started: Instant::now(),
            last_fill: None,
            unmapped: 0,
        }
    }

    /// Number of glyphs without a Unicode mapping, dropped from the text.
    pub(crate) fn unmapped(&self) -> usize {
        self.unmapped
    }

    fn tick(&mut self) {
        self.ops += 1;
        if self.ops > self.limits.max_ops {
            std::panic::resume_unwind(Box::new(Abort::Ops));
        }
        if self.ops >= self.next_clock {
            self.next_clock = self.ops + CLOCK_EVERY;
            if self
                .limits
                .max_time
                .is_some_and(|max| self.started.elapsed() > max)
            {
                std::panic::resume_unwind(Box::new(Abort::Time));
            }
        }
    }

    fn add_run(&mut self, run: &GlyphRun<'_, '_>, props: &DrawProps<'_>, stroke: bool) {
        let glyphs = run.glyphs();
        let Some(first) = glyphs.first() else {
            return;
        };
        let first_transform = props.transform * first.transform();
        if stroke
            && let Some((range, count, transform)) = &self.last_fill
            && *count == glyphs.len()
            && near(transform, &first_transform)
        {
            for g in &mut self.out.glyphs[range.clone()] {
                g.bold = true;
            }
            self.last_fill = None;
            return;
        }
        let start = self.out.glyphs.len();
        let vertical = run.writing_mode() == WritingMode::Vertical;
        let mut info: Option<Rc<FontInfo>> = None;
        for glyph in glyphs {
            self.ops += 1;
            if self.out.glyphs.len() >= self.limits.max_glyphs {
                std::panic::resume_unwind(Box::new(Abort::Glyphs));
            }
            let info = info.get_or_insert_with(|| self.fonts.info(glyph)).clone();
            let advance = match &**glyph {
                Glyph::Outline(o) => o.advance_width(),
                Glyph::Type3(t) => t.advance_width(),
            }
            .map_or(0.0, f64::from);
            let m = props.transform * glyph.transform();
            self.add_glyph(glyph, m, advance, vertical, &info);
        }
        if stroke {
            self.last_fill = None;
        } else {
            self.last_fill = Some((start..self.out.glyphs.len(), glyphs.len(), first_transform));
        }
    }

    fn add_glyph(
        &mut self,
        glyph: &Glyph<'_>,
        m: Affine,
        advance: f64,
        vertical: bool,
        font: &FontInfo,
    ) {
        let [a, b, c, d, e, f] = m.as_coeffs();
        let size = (c * c + d * d).sqrt() * UNITS_PER_EM;
        let along = (a * a + b * b).sqrt();
        if !(size.is_finite() && along.is_finite() && e.is_finite() && f.is_finite())
            || size < 1e-3
            || along < 1e-9
        {
            return;
        }
        // Glyph box in glyph space (1000 units per em): origin to advance, descent to ascent.
        let width = if vertical { UNITS_PER_EM } else { advance };
        let corners = [
            (0.0, DESCENT * UNITS_PER_EM),
            (width, DESCENT * UNITS_PER_EM),
            (0.0, ASCENT * UNITS_PER_EM),
            (width, ASCENT * UNITS_PER_EM),
        ];
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (x, y) in corners {
            let p = m * Point::new(x, y);
            bbox = [
                bbox[0].min(p.x),
                bbox[1].min(p.y),
                bbox[2].max(p.x),
                bbox[3].max(p.y),
            ];
        }
        let v = self.visible;
        if bbox[2] < v[0] || bbox[0] > v[2] || bbox[3] < v[1] || bbox[1] > v[3] {
            return;
        }
        let (dir, advance) = if vertical {
            // Vertical writing advances down the glyph's y axis, one em per glyph.
            let len = size / UNITS_PER_EM;
            ([(-c / len) as f32, (-d / len) as f32], size)
        } else {
            ([(a / along) as f32, (b / along) as f32], advance * along)
        };
        let start = self.out.text.len() as u32;
        let unicode = glyph.as_unicode().or_else(|| {
            font.cid_unicode
                .as_ref()
                .and_then(|c| c.lookup(glyph.char_code()))
        });
        let space = match unicode {
            Some(BfString::Char(ch)) => {
                push_char(&mut self.out.text, ch);
                ch.is_whitespace() || ch.is_control()
            }
            Some(BfString::String(s)) => {
                // A hostile ToUnicode map can give one glyph a whole paragraph.
                s.chars()
                    .take(MAX_CHARS_PER_GLYPH)
                    .for_each(|ch| push_char(&mut self.out.text, ch));
                s.chars().all(|ch| ch.is_whitespace() || ch.is_control())
            }
            None => {
                self.unmapped += 1;
                return;
            }
        };
        let end = self.out.text.len() as u32;
        self.out.glyphs.push(RawGlyph {
            text: start..end,
            origin: [e as f32, f as f32],
            dir,
            advance: advance as f32,
            size: size as f32,
            bbox: bbox.map(|x| x as f32),
            bold: font.bold,
            space,
        });
    }
}

/// Keeps the text clean: controls and U+FFFD become nothing (they name no letter), Latin
/// ligatures become their letters (labels are matched by their spelling), the rest stays.
fn push_char(text: &mut String, ch: char) {
    match ch {
        '\u{FB00}' => text.push_str("ff"),
        '\u{FB01}' => text.push_str("fi"),
        '\u{FB02}' => text.push_str("fl"),
        '\u{FB03}' => text.push_str("ffi"),
        '\u{FB04}' => text.push_str("ffl"),
        '\u{FB05}' | '\u{FB06}' => text.push_str("st"),
        '\u{FFFD}' => {}
        c if c.is_control() => {}
        c => text.push(c),
    }
}

fn near(a: &Affine, b: &Affine) -> bool {
    a.as_coeffs()
        .iter()
        .zip(b.as_coeffs().iter())
        .all(|(x, y)| (x - y).abs() < 1e-3)
}

impl<'a> Device<'a> for Collector<'_, 'a> {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {
        self.tick();
    }

    fn push_clip_path(&mut self, _: &ClipPath) {
        self.tick();
    }

    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {
        self.tick();
    }

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, mode: &DrawMode) {
        self.tick();
        let stroke = matches!(mode, DrawMode::Stroke(_));
        self.add_run(run, &props, stroke);
        if self.ops > self.limits.max_ops {
            std::panic::resume_unwind(Box::new(Abort::Ops));
        }
    }

    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {
        self.tick();
    }

    fn pop_clip(&mut self) {}

    fn pop_transparency_group(&mut self) {}

    fn begin_marked_content(&mut self, _: &[u8], _: Option<&Dict<'_>>) {
        self.tick();
    }
}
