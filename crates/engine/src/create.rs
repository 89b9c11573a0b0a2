//! New form fields on a PDF — a flat PDF made fillable: text fields (comb, multiline),
//! check boxes with on and off appearances, and signature fields, one widget each at a
//! caller's box. Written like a fill: an incremental update (earlier bytes intact),
//! encrypted like the input.

use std::collections::{BTreeSet, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

use crate::document::{self, OpenOptions};
use crate::error::{Error, Result};
use crate::pdfutil::{self, fmt_num, text_string};

/// What a new field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewFieldKind {
    /// A text field.
    Text,
    /// A check box (on state `Yes`).
    Checkbox,
    /// A signature field.
    Signature,
}

/// A field to create: one widget at `rect` on `page`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewField {
    /// The field's name (/T): unique in the form, no periods.
    pub name: String,
    /// What it takes.
    pub kind: NewFieldKind,
    /// Zero-based page index.
    pub page: usize,
    /// The widget's box (x0, y0, x1, y1) in the page's user space.
    pub rect: [f32; 4],
    /// What a viewer shows when the pointer rests on it (/TU), e.g. the printed label.
    pub tooltip: Option<String>,
    /// Text fields: the most characters (/MaxLen); with `comb`, the number of cells.
    pub max_len: Option<u32>,
    /// Text fields: one character per cell (needs `max_len`).
    pub comb: bool,
    /// Text fields: several lines.
    pub multiline: bool,
}

/// Field flags (/Ff) of text fields.
const MULTILINE: i64 = 1 << 12;
const COMB: i64 = 1 << 24;
const DO_NOT_SCROLL: i64 = 1 << 23;
/// Annotation flag Print.
const PRINT: i64 = 4;

/// Adds `fields` to the PDF (creating its /AcroForm if it has none) and returns the new
/// file. Every field is checked first: a name that is empty, has a period or is already
/// used, a page out of range or an empty box is [`Error::BadValues`] and nothing is
/// written.
pub fn add_fields(pdf: &[u8], fields: &[NewField], options: &OpenOptions) -> Result<Vec<u8>> {
    let mut loaded = document::load(pdf, options)?;
    let model = crate::model::read_form(&loaded.doc, &options.limits);
    let mut names: HashSet<String> = model.fields.iter().map(|f| f.name.clone()).collect();
    for (i, f) in fields.iter().enumerate() {
        let bad = |why: String| Error::BadValues(format!("new field {i} ({:?}): {why}", f.name));
        if f.name.is_empty() || f.name.contains('.') {
            return Err(bad("a name must be non-empty and without periods".into()));
        }
        if !names.insert(f.name.clone()) {
            return Err(bad("the name is already used".into()));
        }
        if f.page >= model.pages.len() {
            return Err(bad(format!(
                "page {} does not exist (the PDF has {} pages)",
                f.page,
                model.pages.len()
            )));
        }
        let [x0, y0, x1, y1] = f.rect;
        if !f.rect.iter().all(|v| v.is_finite()) || x1 - x0 < 1.0 || y1 - y0 < 1.0 {
            return Err(bad(format!("empty or invalid box {:?}", f.rect)));
        }
    }
    if fields.is_empty() {
        return Ok(loaded.original);
    }
    let doc = &mut loaded.doc;
    let mut dirty: BTreeSet<ObjectId> = BTreeSet::new();
    let helv = add(
        doc,
        &mut dirty,
        dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        },
    );
    let zadb = add(
        doc,
        &mut dirty,
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "ZapfDingbats" },
    );
    let mut created: Vec<ObjectId> = Vec::with_capacity(fields.len());
    for f in fields {
        let page_id = model.pages[f.page];
        let rotate = crate::page::page_geometry(doc, page_id).rotate;
        let widget = widget(doc, &mut dirty, f, page_id, rotate, zadb);
        let id = add(doc, &mut dirty, widget);
        append_annot(doc, &mut dirty, page_id, id)?;
        created.push(id);
    }
    register(doc, &mut dirty, &created, helv, zadb)?;
    document::save(loaded, &dirty, false)
}

fn add(doc: &mut Document, dirty: &mut BTreeSet<ObjectId>, dict: Dictionary) -> ObjectId {
    let id = doc.add_object(Object::Dictionary(dict));
    dirty.insert(id);
    id
}

/// The merged field and widget dictionary of one new field.
fn widget(
    doc: &mut Document,
    dirty: &mut BTreeSet<ObjectId>,
    f: &NewField,
    page: ObjectId,
    rotate: i32,
    zadb: ObjectId,
) -> Dictionary {
    let rect: Vec<Object> = f.rect.iter().map(|&v| Object::Real(v)).collect();
    let mut d = dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "T" => text_string(&f.name),
        "Rect" => rect,
        "P" => page,
        "F" => PRINT,
    };
    if let Some(tip) = f.tooltip.as_deref().filter(|t| !t.trim().is_empty()) {
        d.set("TU", text_string(tip));
    }
    let mut mk = Dictionary::new();
    if rotate != 0 {
        // Shown upright on a rotated page.
        mk.set("R", i64::from(rotate));
    }
    match f.kind {
        NewFieldKind::Text => {
            d.set("FT", "Tx");
            d.set("DA", Object::string_literal("/Helv 0 Tf 0 g"));
            let mut flags = 0;
            if f.multiline {
                flags |= MULTILINE;
            }
            if let Some(max) = f.max_len {
                d.set("MaxLen", i64::from(max));
                if f.comb {
                    flags |= COMB | DO_NOT_SCROLL;
                }
            }
            if flags != 0 {
                d.set("Ff", flags);
            }
        }
        NewFieldKind::Signature => {
            d.set("FT", "Sig");
        }
        NewFieldKind::Checkbox => {
            d.set("FT", "Btn");
            d.set("DA", Object::string_literal("/ZaDb 0 Tf 0 g"));
            d.set("V", "Off");
            d.set("AS", "Off");
            mk.set("CA", Object::string_literal("4"));
            let (w, h) = (f.rect[2] - f.rect[0], f.rect[3] - f.rect[1]);
            let resources = dictionary! { "Font" => dictionary! { "ZaDb" => zadb } };
            let on = appearance(doc, dirty, w, h, &check_mark(w, h), resources.clone());
            let off = appearance(doc, dirty, w, h, "", resources);
            d.set(
                "AP",
                dictionary! { "N" => dictionary! { "Yes" => on, "Off" => off } },
            );
        }
    }
    if !mk.is_empty() {
        d.set("MK", mk);
    }
    d
}

/// A ZapfDingbats check mark (✔, glyph "4") centred in a `w` × `h` box.
fn check_mark(w: f32, h: f32) -> String {
    const ADVANCE: f32 = 0.846;
    const HEIGHT: f32 = 0.705;
    let size = (0.8 * h / HEIGHT).min(0.8 * w / ADVANCE).max(1.0);
    let x = (w - ADVANCE * size) / 2.0;
    let y = (h - HEIGHT * size) / 2.0;
    format!(
        "q BT 0 g /ZaDb {} Tf {} {} Td (4) Tj ET Q\n",
        fmt_num(size),
        fmt_num(x),
        fmt_num(y)
    )
}

fn appearance(
    doc: &mut Document,
    dirty: &mut BTreeSet<ObjectId>,
    w: f32,
    h: f32,
    content: &str,
    resources: Dictionary,
) -> ObjectId {
    let dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Form",
        "BBox" => vec![Object::Integer(0), Object::Integer(0), Object::Real(w), Object::Real(h)],
        "Resources" => resources,
    };
    let id = doc.add_object(Stream::new(dict, content.as_bytes().to_vec()));
    dirty.insert(id);
    id
}

/// Puts `annot` into the page's /Annots (a direct array, an array object, or a new one).
fn append_annot(
    doc: &mut Document,
    dirty: &mut BTreeSet<ObjectId>,
    page: ObjectId,
    annot: ObjectId,
) -> Result<()> {
    let existing = pdfutil::dict_of(doc, page)
        .ok_or_else(|| Error::Corrupt("a page object is missing".into()))?
        .get(b"Annots")
        .ok()
        .cloned();
    match existing {
        Some(Object::Reference(id)) if matches!(doc.get_object(id), Ok(Object::Array(_))) => {
            if let Ok(Object::Array(a)) = doc.get_object_mut(id) {
                a.push(Object::Reference(annot));
            }
            dirty.insert(id);
        }
        Some(Object::Array(mut a)) => {
            a.push(Object::Reference(annot));
            set_in(doc, page, "Annots", Object::Array(a))?;
            dirty.insert(page);
        }
        _ => {
            set_in(doc, page, "Annots", vec![Object::Reference(annot)].into())?;
            dirty.insert(page);
        }
    }
    Ok(())
}

fn set_in(doc: &mut Document, id: ObjectId, key: &str, value: Object) -> Result<()> {
    pdfutil::dict_of_mut(doc, id)
        .ok_or_else(|| Error::Corrupt(format!("object {} {} is not a dictionary", id.0, id.1)))?
        .set(key, value);
    Ok(())
}

/// Lists the new fields in the catalog's /AcroForm (created when missing), with the default
/// appearance and the fonts it names.
fn register(
    doc: &mut Document,
    dirty: &mut BTreeSet<ObjectId>,
    created: &[ObjectId],
    helv: ObjectId,
    zadb: ObjectId,
) -> Result<()> {
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Error::Corrupt("no document catalog".into()))?;
    let acroform = pdfutil::dict_of(doc, root)
        .ok_or_else(|| Error::Corrupt("no document catalog".into()))?
        .get(b"AcroForm")
        .ok()
        .cloned();
    let (form_id, mut form) = match acroform {
        Some(Object::Reference(id)) => match doc.get_object(id) {
            Ok(Object::Dictionary(d)) => (Some(id), d.clone()),
            _ => (None, Dictionary::new()),
        },
        Some(Object::Dictionary(d)) => (None, d),
        _ => (None, Dictionary::new()),
    };
    let new_refs = created.iter().map(|&id| Object::Reference(id));
    match form.get(b"Fields").ok().cloned() {
        Some(Object::Reference(id)) if matches!(doc.get_object(id), Ok(Object::Array(_))) => {
            if let Ok(Object::Array(a)) = doc.get_object_mut(id) {
                a.extend(new_refs);
            }
            dirty.insert(id);
        }
        Some(Object::Array(mut a)) => {
            a.extend(new_refs);
            form.set("Fields", a);
        }
        _ => form.set("Fields", new_refs.collect::<Vec<_>>()),
    }
    if !form.has(b"DA") {
        form.set("DA", Object::string_literal("/Helv 0 Tf 0 g"));
    }
    // The fonts the fields' /DA name, added to /DR unless it has them.
    let mut dr = match form.get(b"DR") {
        Ok(Object::Dictionary(d)) => d.clone(),
        Ok(Object::Reference(id)) => pdfutil::dict_of(doc, *id).cloned().unwrap_or_default(),
        _ => Dictionary::new(),
    };
    let mut fonts = match dr.get(b"Font") {
        Ok(Object::Dictionary(d)) => d.clone(),
        Ok(Object::Reference(id)) => pdfutil::dict_of(doc, *id).cloned().unwrap_or_default(),
        _ => Dictionary::new(),
    };
    if !fonts.has(b"Helv") {
        fonts.set("Helv", helv);
    }
    if !fonts.has(b"ZaDb") {
        fonts.set("ZaDb", zadb);
    }
    dr.set("Font", fonts);
    form.set("DR", dr);
    match form_id {
        Some(id) => {
            doc.objects.insert(id, Object::Dictionary(form));
            dirty.insert(id);
        }
        None => {
            let id = add(doc, dirty, form);
            set_in(doc, root, "AcroForm", Object::Reference(id))?;
            dirty.insert(root);
        }
    }
    Ok(())
}
