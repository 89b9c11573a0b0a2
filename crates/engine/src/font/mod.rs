//! Fonts for appearance streams.
//!
//! A field value is drawn in the form's own font (the /DA font, from /DR /Font) when that font can
//! encode every character of it; otherwise in an embedded subset of a Unicode fallback font:
//!
//! 1. DejaVu Sans (bundled by the `dejavu` crate) when it covers every char: Latin, Greek, Cyrillic...
//! 2. else Noto Sans CJK, face 0, when a file from [`CJK_FONT_PATHS`] exists and covers every char;
//! 3. else DejaVu Sans, drawing .notdef (an empty box) for the chars it lacks.
//!
//! Each fallback face is embedded at most once per document (one subset, shared by every appearance
//! stream) as a CID-keyed Type0 font with a ToUnicode CMap, so text extraction gives the value back.
//! The choice depends only on the text and on whether the CJK file exists; output is deterministic.
//!
//! Control chars (newlines, tabs) are ignored: they never force a fallback, encode to nothing and
//! have no width. Callers split lines themselves. One glyph per char: no shaping, no kerning.
//! If two different chars share one fallback glyph, the ToUnicode entry gives the first one used.

mod embedded;
mod simple;
#[rustfmt::skip]
mod standard_metrics;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use lopdf::{Dictionary, Document, Object, ObjectId};

pub(crate) use embedded::CJK_FONT_PATHS;
use embedded::UniFont;
use simple::SimpleFont;
pub(crate) use simple::Standard14;

use crate::error::Result;

/// A font picked by [`FontSet::pick`], valid for the [`FontSet`] that returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FontId(u32);

/// Which fallback face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Face {
    DejaVu,
    Cjk,
}

enum Entry {
    Simple {
        font: Box<SimpleFont>,
        res_name: Vec<u8>,
        /// The /DR entry, or our standard font dict once it is needed (added lazily).
        object: Option<Object>,
        std: Option<Standard14>,
    },
    Uni(Face),
}

/// Per-document font registry used while generating appearances.
pub(crate) struct FontSet {
    /// The /DR /Font entries, by resource name.
    dr: BTreeMap<Vec<u8>, Object>,
    /// DA font name -> the simple font it means, or `None` when it never encodes text.
    by_da: BTreeMap<Vec<u8>, Option<FontId>>,
    /// DA font name -> ZapfDingbats font, for check marks.
    symbols: BTreeMap<Vec<u8>, FontId>,
    entries: Vec<Entry>,
    /// Standard font dicts we added, shared by every entry drawing that font.
    std_dicts: BTreeMap<Standard14, ObjectId>,
    dejavu: Option<UniFont>,
    dejavu_tried: bool,
    cjk: Option<UniFont>,
    cjk_tried: bool,
    /// Overrides [`CJK_FONT_PATHS`].
    cjk_paths: Option<Vec<(PathBuf, u32)>>,
    dejavu_id: Option<FontId>,
    cjk_id: Option<FontId>,
    /// Ids of objects added so far (standard font dicts).
    created: Vec<ObjectId>,
}

impl FontSet {
    /// `dr_fonts`: the /DR /Font dictionary of the AcroForm (resolved), if any.
    pub fn new(_doc: &lopdf::Document, dr_fonts: Option<&lopdf::Dictionary>) -> Self {
        let dr = dr_fonts
            .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        FontSet {
            dr,
            by_da: BTreeMap::new(),
            symbols: BTreeMap::new(),
            entries: Vec::new(),
            std_dicts: BTreeMap::new(),
            dejavu: None,
            dejavu_tried: false,
            cjk: None,
            cjk_tried: false,
            cjk_paths: None,
            dejavu_id: None,
            cjk_id: None,
            created: Vec::new(),
        }
    }

    /// Look for the CJK fallback font in `paths` (file, face index in a collection) instead of
    /// [`CJK_FONT_PATHS`]; an empty list disables the CJK fallback.
    #[allow(dead_code)]
    pub fn with_fallback_font_paths(mut self, paths: Vec<(PathBuf, u32)>) -> Self {
        self.cjk_paths = Some(paths);
        self
    }

    /// Pick the font to draw `text` with: the DA font when it can encode every char of `text`, else
    /// a fallback Unicode font. A DA name missing from /DR that names a standard font (`Helv`, `HeBo`,
    /// `TiRo`, `Cour`, `Arial,Bold`, `TimesNewRoman`...) means that font; any other missing name
    /// (or an empty one) means Helvetica, as viewers do.
    pub fn pick(&mut self, doc: &mut lopdf::Document, da_font: &[u8], text: &str) -> FontId {
        let da: &[u8] = if da_font.is_empty() { b"Helv" } else { da_font };
        let slot = match self.by_da.get(da) {
            Some(&slot) => slot,
            None => {
                let slot = self.resolve(doc, da);
                self.by_da.insert(da.to_vec(), slot);
                slot
            }
        };
        if let Some(id) = slot
            && let Some(Entry::Simple { font, .. }) = self.entries.get(id.0 as usize)
            && font.can_encode(text)
        {
            self.materialize(doc, id);
            return id;
        }
        self.fallback(doc, text)
    }

    /// Like [`FontSet::pick`], for values no single font covers (say Polish and Japanese in one
    /// field): splits `text` into byte ranges, each drawn in one font, in order. It is one run, the
    /// font `pick` gives, whenever that font covers all of `text`; otherwise DejaVu and the CJK font
    /// alternate, and chars both have (spaces, digits, punctuation) stay in the current run.
    #[allow(dead_code)]
    pub fn pick_runs(
        &mut self,
        doc: &mut lopdf::Document,
        da_font: &[u8],
        text: &str,
    ) -> Vec<(FontId, Range<usize>)> {
        let first = self.pick(doc, da_font, text);
        let single = vec![(first, 0..text.len())];
        if self
            .entries
            .get(first.0 as usize)
            .is_some_and(|e| matches!(e, Entry::Simple { .. }))
        {
            return single;
        }
        let (Some(dejavu), Some(cjk)) = (&self.dejavu, &self.cjk) else {
            return single;
        };
        let mut runs: Vec<(Face, Range<usize>)> = Vec::new();
        let mut current: Option<Face> = None;
        let mut start = 0;
        for (i, c) in text.char_indices() {
            let face = match (
                dejavu.covers(c.encode_utf8(&mut [0; 4])),
                cjk.covers(c.encode_utf8(&mut [0; 4])),
            ) {
                (true, false) => Face::DejaVu,
                (false, true) => Face::Cjk,
                _ => continue, // both or neither: whatever font is current
            };
            match current {
                Some(cur) if cur != face => {
                    runs.push((cur, start..i));
                    start = i;
                    current = Some(face);
                }
                Some(_) => {}
                None => current = Some(face),
            }
        }
        runs.push((current.unwrap_or(Face::DejaVu), start..text.len()));
        let mut out = Vec::with_capacity(runs.len());
        for (face, range) in runs {
            match self.uni_id(doc, face) {
                Some(id) => out.push((id, range)),
                None => return single,
            }
        }
        out
    }

    /// A ZapfDingbats font for check boxes and radio buttons: the /DR font named `da_font` if it is
    /// ZapfDingbats, else the standard one. Its "text" is the codes as chars (`"4"` = check mark,
    /// `"l"` = filled circle, `"8"` = cross, `"u"` = diamond, `"n"` = square).
    #[allow(dead_code)]
    pub fn zapf_dingbats(&mut self, doc: &mut lopdf::Document, da_font: &[u8]) -> FontId {
        let da: &[u8] = if da_font.is_empty() { b"ZaDb" } else { da_font };
        if let Some(&id) = self.symbols.get(da) {
            return id;
        }
        let font = Box::new(SimpleFont::standard(Standard14::ZapfDingbats));
        let from_dr = self.dr.get(da).filter(|obj| {
            let base = doc
                .dereference(obj)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok())
                .and_then(|d| d.get(b"BaseFont").ok())
                .and_then(|b| b.as_name().ok());
            base.and_then(Standard14::from_name) == Some(Standard14::ZapfDingbats)
        });
        let id = match from_dr {
            Some(obj) => {
                let object = Some(obj.clone());
                self.push(Entry::Simple {
                    font,
                    res_name: da.to_vec(),
                    object,
                    std: None,
                })
            }
            None => {
                let res_name = if self.dr.contains_key(da) {
                    self.unique_name("FsZaDb")
                } else {
                    da.to_vec()
                };
                self.push_standard(doc, font, res_name, Standard14::ZapfDingbats)
            }
        };
        self.symbols.insert(da.to_vec(), id);
        id
    }

    /// Encode `text` as the bytes of a string operand for Tj in `font`: 1-byte codes for simple
    /// fonts, 2-byte CIDs for the fallback fonts (chars they lack become CID 0, .notdef).
    /// Records the glyphs used for the subset.
    pub fn encode(&mut self, font: FontId, text: &str) -> Vec<u8> {
        match self.entries.get(font.0 as usize) {
            Some(Entry::Simple { font, .. }) => font.encode(text),
            Some(&Entry::Uni(face)) => self
                .uni_mut(face)
                .map(|f| f.encode(text))
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// Advance width of `text` at font size 1.
    pub fn width(&self, font: FontId, text: &str) -> f32 {
        let w = match self.entries.get(font.0 as usize) {
            Some(Entry::Simple { font, .. }) => font.width(text),
            Some(&Entry::Uni(face)) => self.uni(face).map_or(0.0, |f| f.width(text)),
            None => 0.0,
        };
        w / 1000.0
    }

    /// Ascent at font size 1.
    pub fn ascent(&self, font: FontId) -> f32 {
        match self.entries.get(font.0 as usize) {
            Some(Entry::Simple { font, .. }) => font.ascent,
            Some(&Entry::Uni(face)) => self.uni(face).map_or(0.75, |f| f.ascent),
            None => 0.75,
        }
    }

    /// Descent at font size 1 (negative).
    pub fn descent(&self, font: FontId) -> f32 {
        match self.entries.get(font.0 as usize) {
            Some(Entry::Simple { font, .. }) => font.descent,
            Some(&Entry::Uni(face)) => self.uni(face).map_or(-0.25, |f| f.descent),
            None => -0.25,
        }
    }

    /// The name for the appearance stream's /Resources /Font dict, and the object to put there.
    pub fn resource(&self, font: FontId) -> (Vec<u8>, lopdf::Object) {
        match self.entries.get(font.0 as usize) {
            Some(Entry::Simple {
                res_name,
                object: Some(object),
                ..
            }) => (res_name.clone(), object.clone()),
            Some(Entry::Simple {
                res_name,
                object: None,
                std,
                ..
            }) => {
                // Only when no object id could be allocated: a direct dict is valid too.
                let std = std.unwrap_or(Standard14::Helvetica);
                (
                    res_name.clone(),
                    Object::Dictionary(standard_font_dict(std)),
                )
            }
            Some(&Entry::Uni(face)) => match self.uni(face) {
                Some(UniFont {
                    res_name,
                    type0: Some(id),
                    ..
                }) => (res_name.clone(), Object::Reference(*id)),
                _ => (
                    b"Helv".to_vec(),
                    Object::Dictionary(standard_font_dict(Standard14::Helvetica)),
                ),
            },
            None => (
                b"Helv".to_vec(),
                Object::Dictionary(standard_font_dict(Standard14::Helvetica)),
            ),
        }
    }

    /// Write the fallback font subsets into `doc` at the ids reserved by [`FontSet::pick`].
    /// Returns the ids of every object this set created or wrote, sorted.
    pub fn finish(self, doc: &mut lopdf::Document) -> Result<Vec<ObjectId>> {
        let mut ids = self.created;
        for font in [&self.dejavu, &self.cjk].into_iter().flatten() {
            if let Some(type0) = font.type0 {
                ids.extend(font.write(doc, type0)?);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    fn push(&mut self, entry: Entry) -> FontId {
        self.entries.push(entry);
        FontId(self.entries.len().saturating_sub(1) as u32)
    }

    /// Registers a standard-14 font not in /DR and writes its font dictionary.
    fn push_standard(
        &mut self,
        doc: &mut Document,
        font: Box<SimpleFont>,
        res_name: Vec<u8>,
        std: Standard14,
    ) -> FontId {
        let id = self.push(Entry::Simple {
            font,
            res_name,
            object: None,
            std: Some(std),
        });
        self.materialize(doc, id);
        id
    }

    /// The simple font a DA name means, or `None` when it can never encode text.
    fn resolve(&mut self, doc: &Document, da: &[u8]) -> Option<FontId> {
        // (A broken /DR entry is ignored: the name alone decides.)
        if let Some(obj) = self.dr.get(da)
            && let Some(dict) = doc
                .dereference(obj)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok())
        {
            let font = SimpleFont::from_dict(doc, dict).filter(|f| f.text_ok)?;
            let object = Some(obj.clone());
            return Some(self.push(Entry::Simple {
                font: Box::new(font),
                res_name: da.to_vec(),
                object,
                std: None,
            }));
        }
        let std = Standard14::from_name(da).unwrap_or(Standard14::Helvetica);
        if std.is_symbolic() {
            return None;
        }
        let font = Box::new(SimpleFont::standard(std));
        // A name present in /DR (but broken) must not be reused for a different font.
        let res_name = if self.dr.contains_key(da) {
            self.unique_name("FsStd")
        } else {
            da.to_vec()
        };
        Some(self.push(Entry::Simple {
            font,
            res_name,
            object: None,
            std: Some(std),
        }))
    }

    /// Add the standard font dict for an entry that needs one, once per document.
    fn materialize(&mut self, doc: &mut Document, id: FontId) {
        let Some(Entry::Simple {
            object: None,
            std: Some(std),
            ..
        }) = self.entries.get(id.0 as usize)
        else {
            return;
        };
        let std = *std;
        let obj_id = match self.std_dicts.get(&std) {
            Some(&obj_id) => obj_id,
            None => {
                // Id exhaustion (a hostile max object number) leaves the entry as a direct dict.
                let Ok(obj_id) = doc.try_add_object(Object::Dictionary(standard_font_dict(std)))
                else {
                    return;
                };
                self.created.push(obj_id);
                self.std_dicts.insert(std, obj_id);
                obj_id
            }
        };
        if let Some(Entry::Simple { object, .. }) = self.entries.get_mut(id.0 as usize) {
            *object = Some(Object::Reference(obj_id));
        }
    }

    fn fallback(&mut self, doc: &mut Document, text: &str) -> FontId {
        self.load_dejavu();
        if !self.dejavu.as_ref().is_some_and(|f| f.covers(text)) {
            self.load_cjk();
            if self.cjk.as_ref().is_some_and(|f| f.covers(text))
                && let Some(id) = self.uni_id(doc, Face::Cjk)
            {
                return id;
            }
        }
        if let Some(id) = self.uni_id(doc, Face::DejaVu) {
            return id;
        }
        // DejaVu unusable or no object id left: Helvetica, dropping the chars it cannot encode.
        let res_name = self.unique_name("FsHelv");
        let font = Box::new(SimpleFont::standard(Standard14::Helvetica));
        self.push_standard(doc, font, res_name, Standard14::Helvetica)
    }

    fn load_dejavu(&mut self) {
        if !self.dejavu_tried {
            self.dejavu_tried = true;
            self.dejavu = UniFont::load(dejavu::sans::regular(), 0);
        }
    }

    fn load_cjk(&mut self) {
        if self.cjk_tried {
            return;
        }
        self.cjk_tried = true;
        let defaults: Vec<(PathBuf, u32)>;
        let paths = match &self.cjk_paths {
            Some(p) => p.as_slice(),
            None => {
                defaults = CJK_FONT_PATHS
                    .iter()
                    .map(|&(p, i)| (PathBuf::from(p), i))
                    .collect();
                &defaults
            }
        };
        self.cjk = paths.iter().find_map(|(path, index)| {
            embedded::load_file(path).and_then(|data| UniFont::load(data, *index))
        });
    }

    /// The FontId of a fallback face, reserving its Type0 object id on first use.
    fn uni_id(&mut self, doc: &mut Document, face: Face) -> Option<FontId> {
        let existing = match face {
            Face::DejaVu => self.dejavu_id,
            Face::Cjk => self.cjk_id,
        };
        if existing.is_some() {
            return existing;
        }
        self.uni(face)?;
        let type0 = doc.try_new_object_id().ok()?;
        let res_name = self.unique_name(match face {
            Face::DejaVu => "FsUni",
            Face::Cjk => "FsCjk",
        });
        let font = self.uni_mut(face)?;
        font.type0 = Some(type0);
        font.res_name = res_name;
        let id = self.push(Entry::Uni(face));
        match face {
            Face::DejaVu => self.dejavu_id = Some(id),
            Face::Cjk => self.cjk_id = Some(id),
        }
        Some(id)
    }

    fn uni(&self, face: Face) -> Option<&UniFont> {
        match face {
            Face::DejaVu => self.dejavu.as_ref(),
            Face::Cjk => self.cjk.as_ref(),
        }
    }

    fn uni_mut(&mut self, face: Face) -> Option<&mut UniFont> {
        match face {
            Face::DejaVu => self.dejavu.as_mut(),
            Face::Cjk => self.cjk.as_mut(),
        }
    }

    /// `base` + the first number giving a name in neither /DR nor our own entries.
    fn unique_name(&self, base: &str) -> Vec<u8> {
        let taken = |name: &[u8]| {
            self.dr.contains_key(name)
                || self.entries.iter().any(|e| match e {
                    Entry::Simple { res_name, .. } => res_name == name,
                    Entry::Uni(face) => self.uni(*face).is_some_and(|f| f.res_name == name),
                })
        };
        (0u32..)
            .map(|n| format!("{base}{n}").into_bytes())
            .find(|name| !taken(name))
            .unwrap_or_else(|| base.as_bytes().to_vec())
    }
}

/// `/Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding` (no /Encoding for
/// the symbolic fonts, which use their built-in one).
fn standard_font_dict(std: Standard14) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Font".to_vec()));
    d.set("Subtype", Object::Name(b"Type1".to_vec()));
    d.set(
        "BaseFont",
        Object::Name(std.base_font().as_bytes().to_vec()),
    );
    if !std.is_symbolic() {
        d.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    }
    d
}

#[cfg(test)]
mod tests;
