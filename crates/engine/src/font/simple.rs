//! Simple (one-byte) fonts: the form's own /DR fonts and the standard 14.
//!
//! A font is reduced once to a Unicode -> code map plus a width per code, so the hot path
//! (checking, encoding and measuring field values) is table lookups only.

use lopdf::{Dictionary, Document, Object};

use super::standard_metrics as m;

/// The standard 14 fonts (PDF 32000-1 §9.6.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Standard14 {
    Helvetica,
    HelveticaBold,
    HelveticaOblique,
    HelveticaBoldOblique,
    TimesRoman,
    TimesBold,
    TimesItalic,
    TimesBoldItalic,
    Courier,
    CourierBold,
    CourierOblique,
    CourierBoldOblique,
    Symbol,
    ZapfDingbats,
}

impl Standard14 {
    pub(crate) fn base_font(self) -> &'static str {
        match self {
            Self::Helvetica => "Helvetica",
            Self::HelveticaBold => "Helvetica-Bold",
            Self::HelveticaOblique => "Helvetica-Oblique",
            Self::HelveticaBoldOblique => "Helvetica-BoldOblique",
            Self::TimesRoman => "Times-Roman",
            Self::TimesBold => "Times-Bold",
            Self::TimesItalic => "Times-Italic",
            Self::TimesBoldItalic => "Times-BoldItalic",
            Self::Courier => "Courier",
            Self::CourierBold => "Courier-Bold",
            Self::CourierOblique => "Courier-Oblique",
            Self::CourierBoldOblique => "Courier-BoldOblique",
            Self::Symbol => "Symbol",
            Self::ZapfDingbats => "ZapfDingbats",
        }
    }

    pub(crate) fn is_symbolic(self) -> bool {
        matches!(self, Self::Symbol | Self::ZapfDingbats)
    }

    /// Widths parallel to [`m::LATIN`] and (ascent, descent); `None` for the symbolic fonts.
    fn latin_metrics(self) -> Option<(&'static [u16; m::LATIN_LEN], (i16, i16))> {
        Some(match self {
            // Obliques have exactly the upright's widths.
            Self::Helvetica | Self::HelveticaOblique => (&m::HELVETICA, m::HELVETICA_ASC_DESC),
            Self::HelveticaBold | Self::HelveticaBoldOblique => {
                (&m::HELVETICA_BOLD, m::HELVETICA_BOLD_ASC_DESC)
            }
            Self::TimesRoman => (&m::TIMES_ROMAN, m::TIMES_ROMAN_ASC_DESC),
            Self::TimesBold => (&m::TIMES_BOLD, m::TIMES_BOLD_ASC_DESC),
            Self::TimesItalic => (&m::TIMES_ITALIC, m::TIMES_ITALIC_ASC_DESC),
            Self::TimesBoldItalic => (&m::TIMES_BOLD_ITALIC, m::TIMES_BOLD_ITALIC_ASC_DESC),
            Self::Courier | Self::CourierOblique => (&m::COURIER, m::COURIER_ASC_DESC),
            Self::CourierBold | Self::CourierBoldOblique => {
                (&m::COURIER_BOLD, m::COURIER_BOLD_ASC_DESC)
            }
            Self::Symbol | Self::ZapfDingbats => return None,
        })
    }

    /// Width in 1000 units of the glyph drawing `unicode`, if the font has one.
    pub(crate) fn latin_width(self, unicode: u32) -> Option<u16> {
        let (widths, _) = self.latin_metrics()?;
        let u = u16::try_from(unicode).ok()?;
        let i = m::LATIN.binary_search(&u).ok()?;
        widths.get(i).copied()
    }

    /// Map a DA resource name (`Helv`) or a BaseFont-like name (`Arial,Bold`, `ABCDEF+TimesNewRomanPSMT`)
    /// to the standard font it means. Names of other families give `None`.
    pub(crate) fn from_name(name: &[u8]) -> Option<Self> {
        // Acrobat's default resource names.
        match name {
            b"Helv" => return Some(Self::Helvetica),
            b"HeBo" => return Some(Self::HelveticaBold),
            b"HeOb" => return Some(Self::HelveticaOblique),
            b"HeBO" => return Some(Self::HelveticaBoldOblique),
            b"TiRo" => return Some(Self::TimesRoman),
            b"TiBo" => return Some(Self::TimesBold),
            b"TiIt" => return Some(Self::TimesItalic),
            b"TiBI" => return Some(Self::TimesBoldItalic),
            b"Cour" => return Some(Self::Courier),
            b"CoBo" => return Some(Self::CourierBold),
            b"CoOb" => return Some(Self::CourierOblique),
            b"CoBO" => return Some(Self::CourierBoldOblique),
            b"Symb" => return Some(Self::Symbol),
            b"ZaDb" => return Some(Self::ZapfDingbats),
            _ => {}
        }
        let name = strip_subset_tag(name);
        if name.len() > 64 {
            return None;
        }
        // Case, spaces and separators vary between producers: "Times New Roman,Bold", "TimesNewRomanPS-BoldMT".
        let mut norm = [0u8; 64];
        let mut n = 0;
        for &b in name {
            if b.is_ascii_alphanumeric() {
                norm[n] = b.to_ascii_lowercase();
                n += 1;
            }
        }
        let norm = &norm[..n];
        let has = |s: &[u8]| norm.windows(s.len()).any(|w| w == s);
        if has(b"narrow") || has(b"condensed") || has(b"black") || has(b"light") {
            return None; // Different widths from the standard font; let the caller fall back.
        }
        let bold = has(b"bold") || has(b"heavy") || has(b"demi");
        let italic = has(b"italic") || has(b"oblique");
        if norm.starts_with(b"helvetica")
            || norm.starts_with(b"arial")
            || norm.starts_with(b"liberationsans")
        {
            Some(match (bold, italic) {
                (false, false) => Self::Helvetica,
                (true, false) => Self::HelveticaBold,
                (false, true) => Self::HelveticaOblique,
                (true, true) => Self::HelveticaBoldOblique,
            })
        } else if norm.starts_with(b"times") || norm.starts_with(b"liberationserif") {
            Some(match (bold, italic) {
                (false, false) => Self::TimesRoman,
                (true, false) => Self::TimesBold,
                (false, true) => Self::TimesItalic,
                (true, true) => Self::TimesBoldItalic,
            })
        } else if norm.starts_with(b"courier") || norm.starts_with(b"liberationmono") {
            Some(match (bold, italic) {
                (false, false) => Self::Courier,
                (true, false) => Self::CourierBold,
                (false, true) => Self::CourierOblique,
                (true, true) => Self::CourierBoldOblique,
            })
        } else if norm.starts_with(b"symbol") {
            Some(Self::Symbol)
        } else if norm.starts_with(b"zapfdingbats") || norm == b"dingbats" {
            Some(Self::ZapfDingbats)
        } else {
            None
        }
    }
}

/// "ABCDEF+Name" -> "Name".
fn strip_subset_tag(name: &[u8]) -> &[u8] {
    match name {
        [a, b, c, d, e, f, b'+', rest @ ..]
            if [a, b, c, d, e, f].iter().all(|x| x.is_ascii_uppercase()) =>
        {
            rest
        }
        _ => name,
    }
}

fn has_subset_tag(name: &[u8]) -> bool {
    strip_subset_tag(name).len() != name.len()
}

/// A one-byte font reduced to what appearance generation needs.
pub(crate) struct SimpleFont {
    /// Code for each ASCII char, valid where the bit in `ascii_ok` is set.
    ascii: [u8; 128],
    ascii_ok: u128,
    /// Non-ASCII chars the font can draw, sorted by char.
    other: Vec<(char, u8)>,
    /// Widths in 1000 units by code.
    widths: [f32; 256],
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    /// False for symbolic fonts: usable only for their own codes (check marks), never for text.
    pub(crate) text_ok: bool,
}

impl SimpleFont {
    /// Build from code -> Unicode (0 = none) and a width per code (0 = cannot draw).
    fn build(
        code_to_uni: &[u32; 256],
        widths: [f32; 256],
        ascent: f32,
        descent: f32,
        text_ok: bool,
    ) -> Self {
        let mut font = SimpleFont {
            ascii: [0; 128],
            ascii_ok: 0,
            other: Vec::new(),
            widths,
            ascent,
            descent,
            text_ok,
        };
        // Lowest code wins when several codes draw the same char: deterministic.
        for (code, &u) in code_to_uni.iter().enumerate() {
            let w = widths[code];
            if u == 0 || w.is_nan() || w <= 0.0 {
                continue;
            }
            let code = code as u8;
            if u < 128 {
                if font.ascii_ok & (1u128 << u) == 0 {
                    font.ascii[u as usize] = code;
                    font.ascii_ok |= 1u128 << u;
                }
            } else if let Some(c) = char::from_u32(u) {
                font.other.push((c, code));
            }
        }
        font.other.sort_by_key(|&(c, _)| c);
        font.other.dedup_by_key(|&mut (c, _)| c); // keeps the first, i.e. the lowest code
        font
    }

    /// The code drawing `c`, if any.
    #[inline]
    pub(crate) fn code(&self, c: char) -> Option<u8> {
        let u = c as u32;
        if u < 128 {
            if self.ascii_ok & (1u128 << u) != 0 {
                Some(self.ascii[u as usize])
            } else {
                None
            }
        } else {
            self.other
                .binary_search_by_key(&c, |&(c, _)| c)
                .ok()
                .and_then(|i| self.other.get(i))
                .map(|&(_, b)| b)
        }
    }

    /// Whether every char of `text` (control chars aside) has a code.
    pub(crate) fn can_encode(&self, text: &str) -> bool {
        text.chars()
            .all(|c| c.is_control() || self.code(c).is_some())
    }

    pub(crate) fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        out.extend(text.chars().filter_map(|c| self.code(c)));
        out
    }

    /// Width in 1000 units.
    pub(crate) fn width(&self, text: &str) -> f32 {
        text.chars()
            .filter_map(|c| self.code(c))
            .map(|b| self.widths[b as usize])
            .sum()
    }

    /// A standard font as we write it ourselves: WinAnsiEncoding, or the built-in encoding for the
    /// symbolic ones (ZapfDingbats codes are taken as chars U+0020..U+00FF).
    pub(crate) fn standard(font: Standard14) -> Self {
        match font.latin_metrics() {
            Some((_, (a, d))) => {
                let code_to_uni = table_u32(&m::WIN_ANSI_ENCODING);
                let widths = std::array::from_fn(|code| {
                    font.latin_width(code_to_uni[code]).map_or(0.0, f32::from)
                });
                Self::build(
                    &code_to_uni,
                    widths,
                    f32::from(a) / 1000.0,
                    f32::from(d) / 1000.0,
                    true,
                )
            }
            None => {
                let code_to_uni = std::array::from_fn(|code| code as u32);
                let widths: [f32; 256] = match font {
                    Standard14::ZapfDingbats => {
                        std::array::from_fn(|c| f32::from(m::ZAPF_DINGBATS[c]))
                    }
                    _ => [0.0; 256], // Symbol: no table; never used for text.
                };
                // ZapfDingbats FontBBox: -1 -143 981 820.
                Self::build(&code_to_uni, widths, 0.82, -0.143, false)
            }
        }
    }

    /// Read a /DR font dictionary. `None` when the font cannot be used for text at all
    /// (Type0, Type3, symbolic, embedded subsets, unknown built-in encodings).
    pub(crate) fn from_dict(doc: &Document, dict: &Dictionary) -> Option<Self> {
        let subtype = get_name(doc, dict, b"Subtype")?;
        if !matches!(subtype, b"Type1" | b"MMType1" | b"TrueType") {
            return None;
        }
        let base_font = get_name(doc, dict, b"BaseFont").unwrap_or(b"");
        let std = Standard14::from_name(base_font);
        let descriptor = get_dict(doc, dict, b"FontDescriptor");
        let embedded = descriptor.is_some_and(|d| {
            [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| d.as_hashmap().contains_key(*k))
        });
        // An embedded subset holds only the glyphs its producer needed; other chars would draw blank.
        if embedded && has_subset_tag(base_font) {
            return None;
        }
        let flags = descriptor
            .and_then(|d| get_num(doc, d, b"Flags"))
            .unwrap_or(0.0) as i64;
        let symbolic_flag = flags & 4 != 0 && flags & 32 == 0;
        if std.is_some_and(Standard14::is_symbolic) && !embedded {
            return None;
        }
        // An embedded symbolic TrueType font is drawn through its own cmap; /Encoding is unreliable.
        if embedded && symbolic_flag && subtype == b"TrueType" {
            return None;
        }

        let code_to_uni = encoding(doc, dict, embedded)?;

        let widths_arr = get_array(doc, dict, b"Widths");
        let mut widths = [0.0f32; 256];
        if let Some(arr) = widths_arr {
            let first = get_num(doc, dict, b"FirstChar").unwrap_or(0.0);
            let missing = descriptor
                .and_then(|d| get_num(doc, d, b"MissingWidth"))
                .unwrap_or(0.0);
            for (code, w) in widths.iter_mut().enumerate() {
                let i = code as f32 - first;
                let v = if i >= 0.0 && (i as usize) < arr.len() {
                    arr.get(i as usize).and_then(|o| num(doc, o)).unwrap_or(0.0)
                } else {
                    missing
                };
                *w = if v.is_finite() && v > 0.0 { v } else { 0.0 };
            }
            // A non-embedded font is drawn by the viewer's standard font: it must have the glyph too.
            if let (false, Some(std)) = (embedded, std) {
                for (code, w) in widths.iter_mut().enumerate() {
                    if std.latin_width(code_to_uni[code]).is_none() {
                        *w = 0.0;
                    }
                }
            }
        } else {
            // No /Widths (legal only for the standard 14): the AFM widths. For other fonts the viewer
            // substitutes something Helvetica-like, so those are the best guess.
            let metrics = std.unwrap_or(Standard14::Helvetica);
            for (code, w) in widths.iter_mut().enumerate() {
                *w = metrics
                    .latin_width(code_to_uni[code])
                    .map_or(0.0, f32::from);
            }
        }

        let (mut ascent, mut descent) = std
            .and_then(Standard14::latin_metrics)
            .map_or((0.75, -0.25), |(_, (a, d))| {
                (f32::from(a) / 1000.0, f32::from(d) / 1000.0)
            });
        if let Some(d) = descriptor {
            let a = get_num(doc, d, b"Ascent").unwrap_or(0.0);
            let de = get_num(doc, d, b"Descent").unwrap_or(0.0);
            if a > 0.0 && a < 2000.0 && de.abs() < 1000.0 && de != 0.0 {
                ascent = a / 1000.0;
                descent = -de.abs() / 1000.0;
            }
        }
        Some(Self::build(&code_to_uni, widths, ascent, descent, true))
    }
}

fn table_u32(t: &[u16; 256]) -> [u32; 256] {
    std::array::from_fn(|i| u32::from(t[i]))
}

fn named_encoding(name: &[u8]) -> Option<[u32; 256]> {
    match name {
        b"WinAnsiEncoding" => Some(table_u32(&m::WIN_ANSI_ENCODING)),
        b"StandardEncoding" => Some(table_u32(&m::STANDARD_ENCODING)),
        b"MacRomanEncoding" => Some(table_u32(&m::MAC_ROMAN_ENCODING)),
        _ => None,
    }
}

/// Code -> Unicode for a simple font, or `None` when it cannot be known.
fn encoding(doc: &Document, dict: &Dictionary, embedded: bool) -> Option<[u32; 256]> {
    // Without /Encoding (or /BaseEncoding) a non-embedded font uses StandardEncoding (what viewers
    // do for the standard 14); an embedded one uses the program's own encoding, which we don't read.
    let implicit = || {
        if embedded {
            None
        } else {
            Some(table_u32(&m::STANDARD_ENCODING))
        }
    };
    let Some(enc) = dict.as_hashmap().get(&b"Encoding"[..]) else {
        return implicit();
    };
    let enc = doc.dereference(enc).ok()?.1;
    match enc {
        Object::Name(n) => named_encoding(n),
        Object::Dictionary(e) => {
            let mut table = match get_name(doc, e, b"BaseEncoding") {
                Some(n) => named_encoding(n).or_else(implicit),
                None => implicit(),
            }
            .unwrap_or([0; 256]);
            if let Some(diffs) = get_array(doc, e, b"Differences") {
                let mut code: i64 = -1;
                for item in diffs {
                    match item {
                        Object::Integer(i) => code = *i,
                        Object::Name(n) => {
                            if (0..256).contains(&code) {
                                table[code as usize] = glyph_unicode(n).unwrap_or(0);
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
            Some(table)
        }
        _ => None,
    }
}

/// Unicode for a glyph name: the AGL subset, or `uniXXXX` / `uXXXX[XX]`.
pub(crate) fn glyph_unicode(name: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(name).ok()?;
    if let Ok(i) = m::GLYPH_NAMES.binary_search_by(|&(n, _)| n.cmp(s)) {
        return m::GLYPH_NAMES.get(i).map(|&(_, u)| u32::from(u));
    }
    let hex = |h: &str| {
        if h.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(h, 16).ok()
        } else {
            None
        }
    };
    let u = if let Some(h) = s.strip_prefix("uni").filter(|h| h.len() == 4) {
        hex(h)?
    } else if let Some(h) = s.strip_prefix('u').filter(|h| (4..=6).contains(&h.len())) {
        hex(h)?
    } else {
        return None;
    };
    // Surrogates and controls are no characters to draw.
    char::from_u32(u)
        .filter(|c| !c.is_control())
        .map(|c| c as u32)
}

fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    let o = dict.as_hashmap().get(key)?;
    match doc.dereference(o).ok()?.1 {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    let o = dict.as_hashmap().get(key)?;
    doc.dereference(o).ok()?.1.as_dict().ok()
}

fn get_array<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    let o = dict.as_hashmap().get(key)?;
    doc.dereference(o)
        .ok()?
        .1
        .as_array()
        .ok()
        .map(Vec::as_slice)
}

fn get_num(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f32> {
    num(doc, dict.as_hashmap().get(key)?)
}

fn num(doc: &Document, o: &Object) -> Option<f32> {
    doc.dereference(o)
        .ok()?
        .1
        .as_float()
        .ok()
        .filter(|v| v.is_finite())
}
