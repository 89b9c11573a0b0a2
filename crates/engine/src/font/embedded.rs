//! The fallback Unicode fonts: DejaVu Sans (bundled) and Noto Sans CJK (from the system), embedded
//! as subset CID-keyed Type0 fonts with a ToUnicode CMap.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::string::StringId;
use skrifa::{FontRef, GlyphId, MetadataProvider, Tag};
use subsetter::GlyphRemapper;

use crate::error::{Error, Result};

/// Where the CJK fallback is looked for, in this order; the first file that parses wins. Face 0 of
/// the upstream Noto Sans CJK collection is "Noto Sans CJK JP"; every face of it covers CJK unified
/// ideographs, kana and hangul (only the preferred regional glyph forms differ).
pub(crate) const CJK_FONT_PATHS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0), // Debian, Ubuntu: fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 0),      // Arch: noto-fonts-cjk
    (
        "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
        0,
    ), // Fedora
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        0,
    ), // older Fedora
];

/// Font files bigger than this are not fallback fonts (Noto Serif CJK, the biggest, is 27 MB).
const MAX_FONT_FILE: u64 = 64 << 20;

/// Font files read so far, kept for the life of the process: reading Noto CJK costs ~20 MB and
/// milliseconds, so it happens once, and `'static` data lets parsed fonts borrow it freely.
static FILE_CACHE: Mutex<BTreeMap<PathBuf, Option<&'static [u8]>>> = Mutex::new(BTreeMap::new());

/// Read (once per process) a font file.
pub(crate) fn load_file(path: &Path) -> Option<&'static [u8]> {
    let mut cache = FILE_CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(data) = cache.get(path) {
        return *data;
    }
    let data = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file() && m.len() <= MAX_FONT_FILE)
        .and_then(|_| std::fs::read(path).ok())
        .map(|bytes| &*Box::leak(bytes.into_boxed_slice()));
    cache.insert(path.to_path_buf(), data);
    data
}

/// One fallback face, and the glyphs used from it so far in this document.
pub(crate) struct UniFont {
    data: &'static [u8],
    index: u32,
    charmap: Charmap<'static>,
    glyphs: GlyphMetrics<'static>,
    glyph_count: u32,
    /// Font units -> 1000 units.
    scale: f32,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    cap_height: f32,
    italic_angle: f32,
    bbox: [i64; 4],
    cff: bool,
    ps_name: String,
    remapper: GlyphRemapper,
    /// Per subset GID (= CID): the first char drawn with it, for the ToUnicode CMap.
    chars: Vec<Option<char>>,
    /// Where the Type0 font goes, reserved when the face is first picked.
    pub(crate) type0: Option<ObjectId>,
    pub(crate) res_name: Vec<u8>,
}

impl UniFont {
    /// Parse a face; `None` if it is no usable TrueType/CFF font with a Unicode cmap.
    pub(crate) fn load(data: &'static [u8], index: u32) -> Option<Self> {
        let font = FontRef::from_index(data, index).ok()?;
        let charmap = font.charmap();
        if !charmap.has_map() {
            return None;
        }
        let cff = if font.table_data(Tag::new(b"glyf")).is_some() {
            false
        } else if font.table_data(Tag::new(b"CFF ")).is_some() {
            true
        } else {
            return None; // CFF2 and bitmap-only fonts are not subsettable.
        };
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        if metrics.units_per_em == 0 {
            return None;
        }
        let scale = 1000.0 / f32::from(metrics.units_per_em);
        let (mut ascent, mut descent) = (
            metrics.ascent * scale / 1000.0,
            metrics.descent * scale / 1000.0,
        );
        if !(ascent > 0.0 && ascent < 3.0 && descent <= 0.0 && descent > -3.0) {
            (ascent, descent) = (0.75, -0.25);
        }
        let bbox = metrics.bounds.map_or([0, -250, 1000, 750], |b| {
            [b.x_min, b.y_min, b.x_max, b.y_max].map(|v| (v * scale).round() as i64)
        });
        let ps_name: String = font
            .localized_strings(StringId::POSTSCRIPT_NAME)
            .english_or_first()
            .map(|s| {
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .take(60)
                    .collect()
            })
            .filter(|s: &String| !s.is_empty())
            .unwrap_or_else(|| "FormsmithFallback".to_owned());
        Some(UniFont {
            data,
            index,
            glyphs: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            charmap,
            glyph_count: metrics.glyph_count,
            scale,
            ascent,
            descent,
            cap_height: metrics.cap_height.map_or(ascent * 1000.0, |c| c * scale),
            italic_angle: metrics.italic_angle,
            bbox,
            cff,
            ps_name,
            remapper: GlyphRemapper::new(),
            chars: vec![None], // CID 0 is .notdef and maps to no text
            type0: None,
            res_name: Vec::new(),
        })
    }

    /// The font's glyph for `c`; 0 (.notdef) when it has none.
    fn glyph(&self, c: char) -> u16 {
        self.charmap
            .map(c)
            .map(GlyphId::to_u32)
            .filter(|&g| g < self.glyph_count)
            .and_then(|g| u16::try_from(g).ok())
            .unwrap_or(0)
    }

    /// Whether the font has a glyph for every char of `text` (control chars aside).
    pub(crate) fn covers(&self, text: &str) -> bool {
        text.chars().all(|c| c.is_control() || self.glyph(c) != 0)
    }

    fn advance(&self, gid: u16) -> f32 {
        self.glyphs
            .advance_width(GlyphId::new(u32::from(gid)))
            .map_or(0.0, |w| w * self.scale)
    }

    /// Width in 1000 units (one glyph per char, no kerning).
    pub(crate) fn width(&self, text: &str) -> f32 {
        text.chars()
            .filter(|c| !c.is_control())
            .map(|c| self.advance(self.glyph(c)))
            .sum()
    }

    /// 2-byte CIDs (= subset GIDs) for `text`; records the glyphs for the subset.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars().filter(|c| !c.is_control()) {
            let gid = self.glyph(c);
            let cid = if gid == 0 {
                0
            } else if let Some(cid) = self.remapper.get(gid) {
                cid
            } else if self.remapper.num_gids() < u16::MAX {
                // (The remapper panics past u16::MAX glyphs; a font has fewer, but stay safe.)
                self.remapper.remap(gid)
            } else {
                0
            };
            let slot = usize::from(cid);
            if slot >= self.chars.len() {
                self.chars.resize(slot + 1, None);
            }
            if let Some(first) = self.chars.get_mut(slot).filter(|_| cid != 0) {
                first.get_or_insert(c);
            }
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }

    /// Write the subset font (FontFile2/3, FontDescriptor, CIDFont, ToUnicode) and the Type0 font at
    /// `type0`. Returns the ids written.
    pub(crate) fn write(&self, doc: &mut Document, type0: ObjectId) -> Result<Vec<ObjectId>> {
        let font_data = subsetter::subset(self.data, self.index, &self.remapper).map_err(|e| {
            Error::Internal(format!("subsetting fallback font {}: {e}", self.ps_name))
        })?;
        let base_font = format!("{}+{}", self.subset_tag(), self.ps_name);
        let mut ids = Vec::with_capacity(5);
        let mut add = |doc: &mut Document, obj: Object| -> Result<ObjectId> {
            let id = doc
                .try_add_object(obj)
                .map_err(|e| Error::Internal(format!("adding font object: {e}")))?;
            ids.push(id);
            Ok(id)
        };

        let mut file_dict = Dictionary::new();
        if self.cff {
            file_dict.set("Subtype", Object::Name(b"OpenType".to_vec()));
        } else {
            file_dict.set("Length1", Object::Integer(font_data.len() as i64));
        }
        let file = add(doc, Object::Stream(flate_stream(file_dict, &font_data)?))?;

        let mut desc = Dictionary::new();
        desc.set("Type", Object::Name(b"FontDescriptor".to_vec()));
        desc.set("FontName", Object::Name(base_font.clone().into_bytes()));
        desc.set("Flags", Object::Integer(4)); // symbolic: glyphs outside the standard Latin set
        desc.set(
            "FontBBox",
            Object::Array(self.bbox.iter().map(|&v| Object::Integer(v)).collect()),
        );
        desc.set("ItalicAngle", number(self.italic_angle));
        desc.set("Ascent", number((self.ascent * 1000.0).round()));
        desc.set("Descent", number((self.descent * 1000.0).round()));
        desc.set("CapHeight", number(self.cap_height.round()));
        desc.set("StemV", Object::Integer(80)); // required; no font records it, viewers ignore it
        desc.set(
            if self.cff { "FontFile3" } else { "FontFile2" },
            Object::Reference(file),
        );
        let desc = add(doc, Object::Dictionary(desc))?;

        // CIDs are the subset GIDs 0..n, so one /W run covers them all, in the font's exact advances.
        let widths: Vec<Object> = self
            .remapper
            .remapped_gids()
            .map(|g| number(self.advance(g)))
            .collect();
        let mut cid = Dictionary::new();
        cid.set("Type", Object::Name(b"Font".to_vec()));
        cid.set(
            "Subtype",
            Object::Name(if self.cff {
                b"CIDFontType0".to_vec()
            } else {
                b"CIDFontType2".to_vec()
            }),
        );
        cid.set("BaseFont", Object::Name(base_font.clone().into_bytes()));
        let mut info = Dictionary::new();
        info.set(
            "Registry",
            Object::String(b"Adobe".to_vec(), StringFormat::Literal),
        );
        info.set(
            "Ordering",
            Object::String(b"Identity".to_vec(), StringFormat::Literal),
        );
        info.set("Supplement", Object::Integer(0));
        cid.set("CIDSystemInfo", Object::Dictionary(info));
        cid.set("FontDescriptor", Object::Reference(desc));
        cid.set(
            "W",
            Object::Array(vec![Object::Integer(0), Object::Array(widths)]),
        );
        if !self.cff {
            cid.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
        }
        let cid = add(doc, Object::Dictionary(cid))?;

        let to_unicode = add(
            doc,
            Object::Stream(flate_stream(Dictionary::new(), &self.to_unicode_cmap())?),
        )?;

        let mut t0 = Dictionary::new();
        t0.set("Type", Object::Name(b"Font".to_vec()));
        t0.set("Subtype", Object::Name(b"Type0".to_vec()));
        // For a CIDFontType0 the Type0 name is the CIDFont's plus the CMap's (PDF 32000-1 §9.7.6.1).
        let t0_name = if self.cff {
            format!("{base_font}-Identity-H")
        } else {
            base_font
        };
        t0.set("BaseFont", Object::Name(t0_name.into_bytes()));
        t0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
        t0.set(
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid)]),
        );
        t0.set("ToUnicode", Object::Reference(to_unicode));
        doc.objects.insert(type0, Object::Dictionary(t0));
        ids.push(type0);
        Ok(ids)
    }

    /// Six capitals derived from the glyph set, so equal subsets get equal names (deterministic).
    fn subset_tag(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self
            .ps_name
            .bytes()
            .chain(self.remapper.remapped_gids().flat_map(u16::to_be_bytes))
        {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        (0..6)
            .map(|_| {
                let c = char::from(b'A' + (h % 26) as u8);
                h /= 26;
                c
            })
            .collect()
    }

    fn to_unicode_cmap(&self) -> Vec<u8> {
        let mut entries = Vec::new();
        for (cid, c) in self.chars.iter().enumerate() {
            if let Some(c) = c {
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                entries.push(format!("<{cid:04X}> <{hex}>\n"));
            }
        }
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        // At most 100 entries per block (PDF 32000-1 §9.10.3).
        for block in entries.chunks(100) {
            out.push_str(&format!("{} beginbfchar\n", block.len()));
            block.iter().for_each(|e| out.push_str(e));
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out.into_bytes()
    }
}

/// Integer when whole (as most font widths are), else a real.
fn number(v: f32) -> Object {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        Object::Integer(v as i64)
    } else {
        Object::Real(v)
    }
}

fn flate_stream(mut dict: Dictionary, data: &[u8]) -> Result<Stream> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)
        .map_err(|e| Error::Internal(format!("compressing font stream: {e}")))?;
    let compressed = enc
        .finish()
        .map_err(|e| Error::Internal(format!("compressing font stream: {e}")))?;
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    Ok(Stream::new(dict, compressed))
}
