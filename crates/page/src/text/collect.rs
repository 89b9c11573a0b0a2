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
    BASE_FONT, CIDSYSTEMINFO, CONTENTS, DECODE_PARMS, DESCENDANT_FONTS, ENCODING, FILTER,
    FONT_DESC, FONT_WEIGHT, ORDERING, REGISTRY, RESOURCES, SUBTYPE, TO_UNICODE,
};
use hayro_syntax::object::{Array, Dict, Name, Object, Stream};
use hayro_syntax::page::{Page, Resources};

use crate::warning::TextWarning;

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
/// Longest string or array a content stream may hold. hayro materializes all glyphs of one
/// text operator at once (about 90 bytes each), so one 64 MB string would cost gigabytes;
/// real TJ arrays stay within a few kilobytes.
pub(crate) const MAX_OPERAND_BYTES: u64 = 1 << 20;
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

/// The fonts a page can use, and whether its content streams are safe to run.
pub(crate) struct PageScan<'a> {
    pub fonts: Vec<Dict<'a>>,
    /// Why the page must not be interpreted: a stream inflates beyond the limit, one text
    /// operand is too long, or the XObject tree is too big.
    pub refused: Option<TextWarning>,
    /// Decoded bytes measured: the page's content and the form XObjects it reaches (each
    /// counted per page, as the interpreter decodes them again for each page), up to the
    /// point of a refusal. What the document-wide budget counts.
    pub decoded: u64,
}

/// What a stream costs to interpret: its decoded size and its longest string or array.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StreamCost {
    bytes: u64,
    longest_operand: u64,
}

/// Walks the page's content streams and the form XObjects its resources reach.
///
/// hayro inflates every content stream it runs in full, without a size limit, and gathers
/// all glyphs of one text operator (a string, or a TJ array) before showing them: a
/// decompression bomb, or one gigantic string, would cost gigabytes before our device sees
/// a glyph. Reading each stream once beforehand (inflating into a counter and a small
/// lexer, without keeping the data) bounds both.
///
/// `costs` remembers form XObjects across the pages of a document, so resources shared by
/// every page are measured once.
pub(crate) fn scan_page<'a>(
    page: &Page<'a>,
    max_stream_bytes: u64,
    costs: &mut HashMap<u128, StreamCost>,
) -> PageScan<'a> {
    let mut scan = PageScan {
        fonts: Vec::new(),
        refused: None,
        decoded: 0,
    };
    let too_large = Some(TextWarning::StreamTooLarge {
        limit: max_stream_bytes,
    });
    let too_long = Some(TextWarning::OperandTooLarge {
        limit: MAX_OPERAND_BYTES,
    });
    let raw = page.raw();
    let contents: Vec<Stream<'a>> = if let Some(stream) = raw.get::<Stream<'a>>(CONTENTS) {
        vec![stream]
    } else if let Some(array) = raw.get::<Array<'a>>(CONTENTS) {
        array.iter::<Stream<'a>>().collect()
    } else {
        Vec::new()
    };
    // hayro joins the page's streams into one, so one lexer reads them all in a row.
    let mut lexer = OperandLexer::default();
    let mut total = 0u64;
    for stream in &contents {
        total = total.saturating_add(measure(stream, max_stream_bytes, &mut lexer));
        lexer.feed(b" ");
        scan.decoded = total;
        if total > max_stream_bytes {
            scan.refused = too_large;
            return scan;
        }
    }
    if lexer.longest > MAX_OPERAND_BYTES {
        scan.refused = too_long;
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
                scan.refused = too_large;
                return scan;
            }
            let cost = *costs.entry(stream.cache_key()).or_insert_with(|| {
                let mut lexer = OperandLexer::default();
                let bytes = measure(&stream, max_stream_bytes, &mut lexer);
                StreamCost {
                    bytes,
                    longest_operand: lexer.longest,
                }
            });
            scan.decoded = scan.decoded.saturating_add(cost.bytes);
            if cost.bytes > max_stream_bytes {
                scan.refused = too_large;
                return scan;
            }
            if cost.longest_operand > MAX_OPERAND_BYTES {
                scan.refused = too_long;
                return scan;
            }
            if let Some(inner) = dict.get::<Dict<'a>>(RESOURCES) {
                stack.push((Resources::new(inner), depth + 1));
            }
        }
    }
    scan
}

/// Feeds a stream's decoded data to `lexer` and returns its decoded size; stops counting
/// past `limit`. A plain FlateDecode stream (what bombs use) is inflated in chunks, never
/// held whole; other filter chains are decoded by hayro once their Flate stage (if any)
/// has been measured.
fn measure(stream: &Stream<'_>, limit: u64, lexer: &mut OperandLexer) -> u64 {
    use std::io::Read;
    let dict = stream.dict();
    let filters: Vec<Name<'_>> = match dict.get::<Name<'_>>(FILTER) {
        Some(name) => vec![name],
        None => dict
            .get::<Array<'_>>(FILTER)
            .map(|a| a.iter::<Name<'_>>().collect())
            .unwrap_or_default(),
    };
    let is_flate = |n: &Name<'_>| matches!(&**n, b"FlateDecode" | b"Fl");
    let raw = stream.raw_data();
    if filters.is_empty() {
        lexer.feed(&raw);
        return raw.len() as u64;
    }
    let inflate = |lexer: &mut OperandLexer, feed: bool| -> u64 {
        let count = |reader: &mut dyn Read, lexer: &mut OperandLexer| -> u64 {
            let mut buf = [0u8; 16 * 1024];
            let mut total = 0u64;
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return total,
                    Ok(n) => {
                        total += n as u64;
                        if feed {
                            lexer.feed(buf.get(..n).unwrap_or_default());
                        }
                        if total > limit {
                            return total;
                        }
                    }
                }
            }
        };
        let zlib = count(&mut flate2::read::ZlibDecoder::new(raw.as_ref()), lexer);
        if zlib > 0 {
            return zlib;
        }
        // Streams without the zlib header: hayro retries them as raw deflate, so do we.
        count(&mut flate2::read::DeflateDecoder::new(raw.as_ref()), lexer)
    };
    let plain_flate =
        filters.len() == 1 && is_flate(&filters[0]) && !dict.contains_key(DECODE_PARMS);
    if plain_flate {
        return inflate(lexer, true);
    }
    if filters.first().is_some_and(is_flate) {
        let inflated = inflate(lexer, false);
        if inflated > limit {
            return inflated;
        }
    }
    // Other chains (ASCII85, hex, run length, LZW, predictors) are rare in content streams
    // and expand little: decode them the way hayro will.
    match stream.decoded() {
        Ok(data) => {
            lexer.feed(&data);
            data.len() as u64
        }
        Err(_) => 0,
    }
}

/// Finds the longest string or array in content-stream bytes: an upper bound on the glyphs
/// one text operator (Tj, TJ, ', ") can show. Knows strings (nesting, escapes), hex
/// strings, dictionaries, comments and inline image data; nothing else.
#[derive(Debug, Default)]
struct OperandLexer {
    state: LexState,
    /// Depth of `[` outside strings.
    arrays: u32,
    /// Length of the string or array being read.
    current: u64,
    longest: u64,
    /// The regular token being read (its first two bytes) and its length, to spot `ID`.
    token: [u8; 2],
    token_len: usize,
    /// The last three bytes inside inline image data, to spot `EI`.
    tail: [u8; 3],
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum LexState {
    #[default]
    Normal,
    Comment,
    Str {
        depth: u32,
        escaped: bool,
    },
    /// After `<`: a hex string, or a dictionary if the next byte is `<` too.
    Angle,
    Hex,
    InlineImage,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl OperandLexer {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            LexState::Comment => {
                if b == b'\r' || b == b'\n' {
                    self.state = LexState::Normal;
                }
                return;
            }
            LexState::InlineImage => {
                self.tail = [self.tail[1], self.tail[2], b];
                if is_white(self.tail[0]) && self.tail[1] == b'E' && self.tail[2] == b'I' {
                    self.state = LexState::Normal;
                    self.token_len = 0;
                }
                return;
            }
            LexState::Str { depth, escaped } => {
                self.grow();
                self.state = if escaped {
                    LexState::Str {
                        depth,
                        escaped: false,
                    }
                } else {
                    match b {
                        b'\\' => LexState::Str {
                            depth,
                            escaped: true,
                        },
                        b'(' => LexState::Str {
                            depth: depth.saturating_add(1),
                            escaped: false,
                        },
                        b')' if depth <= 1 => LexState::Normal,
                        b')' => LexState::Str {
                            depth: depth - 1,
                            escaped: false,
                        },
                        _ => LexState::Str { depth, escaped },
                    }
                };
                self.settle();
                return;
            }
            LexState::Hex => {
                self.grow();
                if b == b'>' {
                    self.state = LexState::Normal;
                    self.settle();
                }
                return;
            }
            LexState::Angle => {
                if b == b'<' {
                    // A dictionary: its contents are read as normal tokens.
                    self.state = LexState::Normal;
                    return;
                }
                self.state = LexState::Hex;
                if self.arrays == 0 {
                    // The `<` itself, not counted yet outside an array.
                    self.grow();
                }
                self.byte(b);
                return;
            }
            LexState::Normal => {}
        }
        if self.arrays > 0 {
            self.grow();
        }
        if is_white(b) || is_delimiter(b) {
            if self.token_len == 2 && self.token == *b"ID" && is_white(b) {
                self.state = LexState::InlineImage;
                self.tail = [b, 0, 0];
                self.token_len = 0;
                return;
            }
            self.token_len = 0;
        } else {
            if let Some(slot) = self.token.get_mut(self.token_len) {
                *slot = b;
            }
            self.token_len = self.token_len.saturating_add(1);
        }
        match b {
            b'%' => self.state = LexState::Comment,
            b'(' => {
                self.state = LexState::Str {
                    depth: 1,
                    escaped: false,
                };
                if self.arrays == 0 {
                    self.grow();
                }
            }
            b'<' => self.state = LexState::Angle,
            b'[' => {
                if self.arrays == 0 {
                    self.grow();
                }
                self.arrays = self.arrays.saturating_add(1);
            }
            b']' => {
                self.arrays = self.arrays.saturating_sub(1);
                self.settle();
            }
            _ => {}
        }
    }

    fn grow(&mut self) {
        self.current += 1;
        self.longest = self.longest.max(self.current);
    }

    /// Back outside any string and array: the next operand starts from zero.
    fn settle(&mut self) {
        if self.arrays == 0 && self.state == LexState::Normal {
            self.current = 0;
        }
    }
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

    /// Drawing operations counted so far on this page.
    pub(crate) fn ops(&self) -> u64 {
        self.ops
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

#[cfg(test)]
mod tests {
    use super::*;

    fn longest(content: &[u8]) -> u64 {
        let mut lexer = OperandLexer::default();
        lexer.feed(content);
        lexer.longest
    }

    #[test]
    fn lexer_measures_strings_and_arrays() {
        assert_eq!(longest(b"BT (abc) Tj ET"), 5);
        assert_eq!(longest(b"[(ab) -250 (cd)] TJ (x) Tj"), 16);
        // Escaped and nested parentheses stay inside the string.
        assert_eq!(longest(br"(a\)b(c)d) Tj"), 10);
        assert_eq!(longest(b"<41424344> Tj"), 10);
        // Dictionaries, names and numbers are not operands that show glyphs.
        assert_eq!(longest(b"/P << /MCID 12 /Alt (x) >> BDC"), 3);
        assert_eq!(longest(b"% a comment (never closed\n(ab) Tj"), 4);
    }

    #[test]
    fn lexer_skips_inline_image_data() {
        let mut content = b"q BI /W 4 /H 1 /BPC 8 /CS /G ID ".to_vec();
        content.extend_from_slice(b"((((<[[[");
        content.extend_from_slice(b" EI Q (ok) Tj");
        assert_eq!(longest(&content), 4);
    }

    #[test]
    fn lexer_state_carries_across_chunks() {
        let mut lexer = OperandLexer::default();
        lexer.feed(b"(abc");
        lexer.feed(b"def) Tj");
        assert_eq!(lexer.longest, 8);
    }
}
