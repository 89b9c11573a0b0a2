//! The form model: fields (fully qualified names, inherited attributes, options, flags)
//! and their widgets, read from /AcroForm /Fields and, for widgets no field tree reaches,
//! from the pages' /Annots (as pdf.js and qpdf do).

use std::collections::{BTreeSet, HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

use crate::limits::Limits;
use crate::pdfutil::{self, get, get_array, get_dict, get_int, get_name, get_text};

/// The kind of a field, as `formsmith fields --json` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Text field (/FT /Tx).
    Text,
    /// Check box (/FT /Btn, neither Radio nor Pushbutton).
    Checkbox,
    /// Radio button group (/FT /Btn with Radio).
    Radio,
    /// Combo box (/FT /Ch with Combo).
    Combo,
    /// List box (/FT /Ch without Combo).
    List,
    /// Signature field (/FT /Sig).
    Signature,
    /// Push button (/FT /Btn with Pushbutton): holds no value.
    Button,
}

/// Field flag bits (/Ff), by the names of ISO 32000 table 226/228/230/232.
pub(crate) mod ff {
    pub const READ_ONLY: u32 = 1 << 0;
    pub const REQUIRED: u32 = 1 << 1;
    pub const NO_EXPORT: u32 = 1 << 2;
    pub const MULTILINE: u32 = 1 << 12;
    pub const PASSWORD: u32 = 1 << 13;
    pub const NO_TOGGLE_TO_OFF: u32 = 1 << 14;
    pub const RADIO: u32 = 1 << 15;
    pub const PUSHBUTTON: u32 = 1 << 16;
    pub const COMBO: u32 = 1 << 17;
    pub const EDIT: u32 = 1 << 18;
    pub const SORT: u32 = 1 << 19;
    pub const FILE_SELECT: u32 = 1 << 20;
    pub const MULTI_SELECT: u32 = 1 << 21;
    pub const DO_NOT_SPELL_CHECK: u32 = 1 << 22;
    pub const DO_NOT_SCROLL: u32 = 1 << 23;
    pub const COMB: u32 = 1 << 24;
    pub const RICH_TEXT: u32 = 1 << 25;
    pub const RADIOS_IN_UNISON: u32 = 1 << 25;
    pub const COMMIT_ON_SEL_CHANGE: u32 = 1 << 26;
}

fn flag_names(kind: FieldType, flags: u32) -> Vec<&'static str> {
    let mut names = Vec::new();
    let mut add = |bit: u32, name: &'static str| {
        if flags & bit != 0 {
            names.push(name);
        }
    };
    add(ff::READ_ONLY, "ReadOnly");
    add(ff::REQUIRED, "Required");
    add(ff::NO_EXPORT, "NoExport");
    match kind {
        FieldType::Text => {
            add(ff::MULTILINE, "Multiline");
            add(ff::PASSWORD, "Password");
            add(ff::FILE_SELECT, "FileSelect");
            add(ff::DO_NOT_SPELL_CHECK, "DoNotSpellCheck");
            add(ff::DO_NOT_SCROLL, "DoNotScroll");
            add(ff::COMB, "Comb");
            add(ff::RICH_TEXT, "RichText");
        }
        FieldType::Checkbox | FieldType::Radio | FieldType::Button => {
            add(ff::NO_TOGGLE_TO_OFF, "NoToggleToOff");
            add(ff::RADIO, "Radio");
            add(ff::PUSHBUTTON, "Pushbutton");
            add(ff::RADIOS_IN_UNISON, "RadiosInUnison");
        }
        FieldType::Combo | FieldType::List => {
            add(ff::COMBO, "Combo");
            add(ff::EDIT, "Edit");
            add(ff::SORT, "Sort");
            add(ff::MULTI_SELECT, "MultiSelect");
            add(ff::DO_NOT_SPELL_CHECK, "DoNotSpellCheck");
            add(ff::COMMIT_ON_SEL_CHANGE, "CommitOnSelChange");
        }
        FieldType::Signature => {}
    }
    names
}

/// One choice of a combo/list box or radio group: the value stored and the label shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldOption {
    /// What is written to /V.
    pub export: String,
    /// What the user sees.
    pub label: String,
}

/// One widget annotation (the visible box) of a field.
#[derive(Debug, Clone, Serialize)]
pub struct Widget {
    /// Zero-based page index, when the widget is on a page.
    pub page: Option<usize>,
    /// /Rect in PDF user space, normalised.
    pub rect: [f32; 4],
    /// The appearance state that means "on" for this widget (buttons only).
    #[serde(rename = "onState", skip_serializing_if = "Option::is_none")]
    pub on_state: Option<String>,
    /// /MK /R rotation in degrees (0, 90, 180, 270).
    pub rotation: i32,
    /// The annotation flags hide it (Hidden or NoView): it is filled but never drawn.
    pub hidden: bool,
    #[serde(skip)]
    pub(crate) id: ObjectId,
}

/// A terminal form field with everything needed to fill it.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Fully qualified name: partial names of the ancestors joined by ".".
    pub name: String,
    /// The field kind.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Current value (/V): a string, an array of strings (multi-select list), or null.
    pub value: serde_json::Value,
    /// Default value (/DV).
    #[serde(rename = "defaultValue")]
    pub default_value: serde_json::Value,
    /// Export values of the options (combo/list /Opt, radio states or /Opt).
    pub options: Vec<String>,
    /// The options as (export value, label) pairs.
    #[serde(rename = "optionPairs")]
    pub option_pairs: Vec<FieldOption>,
    /// Flag names set in /Ff.
    pub flags: Vec<&'static str>,
    /// /MaxLen of text fields.
    #[serde(rename = "maxLen")]
    pub max_len: Option<u32>,
    /// /TU, the user-facing name.
    pub tooltip: Option<String>,
    /// The JavaScript of the field's format action (/AA /F), else of its keystroke action
    /// (/AA /K): Acrobat's formats (`AFDate_FormatEx("mm/dd/yyyy")`, `AFNumber_Format(2, …)`,
    /// `AFSpecial_Format(3)`) say what the field holds.
    #[serde(rename = "formatScript", skip_serializing_if = "Option::is_none")]
    pub format_script: Option<String>,
    /// /Q alignment: 0 left, 1 centre, 2 right.
    pub quadding: u8,
    /// /DA default appearance (inherited from the AcroForm dictionary).
    pub da: Option<String>,
    /// On-state names of check boxes and radio buttons.
    #[serde(rename = "onStates")]
    pub on_states: Vec<String>,
    /// The visible boxes.
    pub widgets: Vec<Widget>,
    #[serde(skip)]
    pub(crate) id: ObjectId,
    #[serde(skip)]
    pub(crate) ff: u32,
    /// Reached only through a page's /Annots, not /AcroForm /Fields (still filled).
    pub orphan: bool,
    /// /Opt of a button field: export value per widget, by widget order.
    #[serde(skip)]
    pub(crate) button_opt: Vec<String>,
}

impl Field {
    pub(crate) fn has(&self, flag: u32) -> bool {
        self.ff & flag != 0
    }

    /// Whether the flag with this name (as listed in [`Field::flags`]) is set.
    pub fn has_flag(&self, name: &str) -> bool {
        self.flags.contains(&name)
    }

    /// The fixed font size of the field's /DA, or `None` when it sizes text automatically (0).
    pub fn fixed_font_size(&self) -> Option<f32> {
        let size = crate::da::parse_da(self.da.as_deref()).size;
        (size > 0.0).then_some(size)
    }

    /// The last partial name without XFA-style `[0]` indices (`f1_04` of `topmostSubform[0].Page1[0].f1_04[0]`).
    pub fn short_name(&self) -> &str {
        let last = self.name.rsplit('.').next().unwrap_or(&self.name);
        match last.find('[') {
            Some(i) if i > 0 && last.ends_with(']') => &last[..i],
            _ => last,
        }
    }
}

/// Attributes a field inherits from its ancestors (ISO 32000 12.7.4.1).
#[derive(Clone, Default)]
struct Inherited {
    ft: Option<Vec<u8>>,
    ff: Option<u32>,
    v: Option<Object>,
    dv: Option<Object>,
    da: Option<String>,
    q: Option<u8>,
    max_len: Option<u32>,
    opt: Option<Object>,
}

impl Inherited {
    fn absorb(&mut self, doc: &Document, d: &Dictionary) {
        if let Some(ft) = get_name(doc, d, b"FT") {
            self.ft = Some(ft.to_vec());
        }
        if let Some(ff) = get_int(doc, d, b"Ff") {
            self.ff = Some(ff as u32);
        }
        if let Some(v) = get(doc, d, b"V") {
            self.v = Some(v.clone());
        }
        if let Some(dv) = get(doc, d, b"DV") {
            self.dv = Some(dv.clone());
        }
        if let Some(da) = get_text(doc, d, b"DA") {
            self.da = Some(da);
        }
        if let Some(q) = get_int(doc, d, b"Q") {
            self.q = Some(q.clamp(0, 2) as u8);
        }
        if let Some(m) = get_int(doc, d, b"MaxLen") {
            self.max_len = u32::try_from(m).ok();
        }
        if let Some(opt) = get(doc, d, b"Opt") {
            self.opt = Some(opt.clone());
        }
    }
}

/// What reading the form found.
pub(crate) struct FormModel {
    pub fields: Vec<Field>,
    /// The /AcroForm dictionary's object id, when it is an indirect object.
    pub acroform_id: Option<ObjectId>,
    /// Page object ids by index.
    pub pages: Vec<ObjectId>,
    /// Whether the AcroForm carries /XFA.
    pub has_xfa: bool,
    /// Non-fatal oddities found while reading.
    pub warnings: Vec<String>,
}

fn is_widget(d: &Dictionary) -> bool {
    matches!(d.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Widget")
}

pub(crate) fn read_form(doc: &Document, limits: &Limits) -> FormModel {
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let mut widget_pages = HashMap::new();
    let mut page_widgets: Vec<ObjectId> = Vec::new();
    for (index, page_id) in pages.iter().enumerate() {
        let Some(page) = pdfutil::dict_of(doc, *page_id) else {
            continue;
        };
        let Some(annots) = get_array(doc, page, b"Annots") else {
            continue;
        };
        for a in annots {
            let Object::Reference(id) = a else { continue };
            if let Some(d) = pdfutil::dict_of(doc, *id)
                && is_widget(d)
            {
                widget_pages.entry(*id).or_insert(index);
                page_widgets.push(*id);
            }
        }
    }

    let mut reader = Reader {
        doc,
        limits,
        fields: Vec::new(),
        claimed: HashSet::new(),
        seen_fields: HashSet::new(),
        widget_pages: &widget_pages,
        pages: &pages,
        warnings: Vec::new(),
    };

    let catalog = doc.catalog().ok();
    let acroform_ref = catalog.and_then(|c| c.get(b"AcroForm").ok());
    let acroform_id = match acroform_ref {
        Some(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    let acroform = acroform_ref
        .map(|o| pdfutil::resolve(doc, o))
        .and_then(|o| o.as_dict().ok());
    let mut root = Inherited::default();
    let mut has_xfa = false;
    if let Some(af) = acroform {
        root.da = get_text(doc, af, b"DA");
        root.q = get_int(doc, af, b"Q").map(|q| q.clamp(0, 2) as u8);
        has_xfa = get(doc, af, b"XFA").is_some();
        if let Some(fields) = get_array(doc, af, b"Fields") {
            for f in fields {
                if let Object::Reference(id) = f {
                    reader.visit(*id, "", &root, 0, false);
                }
            }
        }
    }

    // Widgets on pages that no field tree reached: find their terminal field through /Parent.
    for wid in page_widgets {
        if reader.claimed.contains(&wid) {
            continue;
        }
        let Some(w) = pdfutil::dict_of(doc, wid) else {
            continue;
        };
        let field_id = if w.get(b"T").is_ok() {
            wid
        } else {
            match w.get(b"Parent") {
                Ok(Object::Reference(p)) => *p,
                _ => wid,
            }
        };
        let (prefix, inherited) = reader.ancestry(field_id, &root);
        reader.visit(field_id, &prefix, &inherited, 0, true);
    }

    let Reader {
        mut fields,
        warnings,
        ..
    } = reader;
    disambiguate_names(&mut fields);
    FormModel {
        fields,
        acroform_id,
        pages,
        has_xfa,
        warnings,
    }
}

struct Reader<'a> {
    doc: &'a Document,
    limits: &'a Limits,
    fields: Vec<Field>,
    claimed: HashSet<ObjectId>,
    seen_fields: HashSet<ObjectId>,
    widget_pages: &'a HashMap<ObjectId, usize>,
    pages: &'a [ObjectId],
    warnings: Vec<String>,
}

impl Reader<'_> {
    /// The name prefix and inherited attributes of a field reached from below.
    fn ancestry(&self, field_id: ObjectId, root: &Inherited) -> (String, Inherited) {
        let mut chain = Vec::new();
        let mut seen = BTreeSet::new();
        let mut cur = pdfutil::dict_of(self.doc, field_id).and_then(|d| match d.get(b"Parent") {
            Ok(Object::Reference(p)) => Some(*p),
            _ => None,
        });
        while let Some(id) = cur {
            if !seen.insert(id) || chain.len() >= self.limits.max_field_depth {
                break;
            }
            let Some(d) = pdfutil::dict_of(self.doc, id) else {
                break;
            };
            chain.push(d);
            cur = match d.get(b"Parent") {
                Ok(Object::Reference(p)) => Some(*p),
                _ => None,
            };
        }
        let mut inherited = root.clone();
        let mut names = Vec::new();
        for d in chain.iter().rev() {
            inherited.absorb(self.doc, d);
            if let Some(t) = get_text(self.doc, d, b"T") {
                names.push(t);
            }
        }
        (names.join("."), inherited)
    }

    fn visit(
        &mut self,
        id: ObjectId,
        parent_name: &str,
        inherited: &Inherited,
        depth: usize,
        orphan: bool,
    ) {
        if depth > self.limits.max_field_depth {
            self.warnings.push(format!(
                "field tree deeper than {} levels; rest ignored",
                self.limits.max_field_depth
            ));
            return;
        }
        if self.fields.len() >= self.limits.max_fields || !self.seen_fields.insert(id) {
            return;
        }
        let doc = self.doc;
        let Some(d) = pdfutil::dict_of(doc, id) else {
            return;
        };
        let partial = get_text(doc, d, b"T");
        let name = match (&partial, parent_name.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{parent_name}.{p}"),
            (None, _) => parent_name.to_owned(),
        };
        let mut inh = inherited.clone();
        inh.absorb(doc, d);

        let kids: Vec<ObjectId> = get_array(doc, d, b"Kids")
            .map(|a| a.iter().filter_map(|k| k.as_reference().ok()).collect())
            .unwrap_or_default();
        let (field_kids, widget_kids): (Vec<ObjectId>, Vec<ObjectId>) =
            kids.into_iter().partition(|k| {
                pdfutil::dict_of(doc, *k).is_some_and(|kd| {
                    kd.get(b"T").is_ok() || (!is_widget(kd) && kd.get(b"Kids").is_ok())
                })
            });
        for k in &field_kids {
            self.visit(*k, &name, &inh, depth + 1, orphan);
        }
        let mut widget_ids = widget_kids;
        if is_widget(d)
            || (widget_ids.is_empty() && field_kids.is_empty() && d.get(b"Rect").is_ok())
        {
            widget_ids.insert(0, id);
        }
        if widget_ids.is_empty() && !field_kids.is_empty() {
            return; // a pure parent node
        }
        if inh.ft.is_none() {
            return; // not a field (e.g. a stray widget of another annotation kind)
        }
        self.push_field(id, name, &inh, widget_ids, orphan);
    }

    fn push_field(
        &mut self,
        id: ObjectId,
        name: String,
        inh: &Inherited,
        widget_ids: Vec<ObjectId>,
        orphan: bool,
    ) {
        let doc = self.doc;
        let d = pdfutil::dict_of(doc, id);
        let ff = inh.ff.unwrap_or(0);
        let kind = match inh.ft.as_deref() {
            Some(b"Tx") => FieldType::Text,
            Some(b"Ch") if ff & ff::COMBO != 0 => FieldType::Combo,
            Some(b"Ch") => FieldType::List,
            Some(b"Sig") => FieldType::Signature,
            Some(b"Btn") if ff & ff::PUSHBUTTON != 0 => FieldType::Button,
            Some(b"Btn") if ff & ff::RADIO != 0 => FieldType::Radio,
            Some(b"Btn") => FieldType::Checkbox,
            _ => return,
        };

        let mut widgets = Vec::with_capacity(widget_ids.len());
        for wid in widget_ids {
            self.claimed.insert(wid);
            let Some(w) = pdfutil::dict_of(doc, wid) else {
                continue;
            };
            let Some(rect) = w.get(b"Rect").ok().and_then(|r| pdfutil::rect(doc, r)) else {
                continue;
            };
            let page = self.widget_pages.get(&wid).copied().or_else(|| {
                let p = w.get(b"P").ok()?.as_reference().ok()?;
                self.pages.iter().position(|x| *x == p)
            });
            let rotation = get_dict(doc, w, b"MK")
                .and_then(|mk| get_int(doc, mk, b"R"))
                .map(|r| (r.rem_euclid(360) / 90 * 90) as i32)
                .or_else(|| appearance_rotation(doc, w))
                .unwrap_or(0);
            let on_state = if matches!(kind, FieldType::Checkbox | FieldType::Radio) {
                on_state(doc, w)
            } else {
                None
            };
            let hidden = get_int(doc, w, b"F").is_some_and(|f| f & (2 | 32) != 0);
            widgets.push(Widget {
                page,
                rect,
                on_state,
                rotation,
                hidden,
                id: wid,
            });
        }

        let mut option_pairs = Vec::new();
        let mut button_opt = Vec::new();
        match kind {
            FieldType::Combo | FieldType::List => {
                if let Some(Object::Array(items)) = inh.opt.as_ref() {
                    for item in items {
                        match pdfutil::resolve(doc, item) {
                            Object::Array(pair) if pair.len() >= 2 => {
                                let e = pdfutil::text(pdfutil::resolve(doc, &pair[0]))
                                    .unwrap_or_default();
                                let l = pdfutil::text(pdfutil::resolve(doc, &pair[1]))
                                    .unwrap_or_default();
                                option_pairs.push(FieldOption {
                                    export: e,
                                    label: l,
                                });
                            }
                            other => {
                                if let Some(s) = pdfutil::text(other) {
                                    option_pairs.push(FieldOption {
                                        export: s.clone(),
                                        label: s,
                                    });
                                }
                            }
                        }
                    }
                }
            }
            FieldType::Checkbox | FieldType::Radio => {
                if let Some(Object::Array(items)) = inh.opt.as_ref() {
                    button_opt = items
                        .iter()
                        .filter_map(|o| pdfutil::text(pdfutil::resolve(doc, o)))
                        .collect();
                }
                for (i, w) in widgets.iter().enumerate() {
                    let Some(state) = &w.on_state else { continue };
                    let export = button_opt.get(i).cloned().unwrap_or_else(|| state.clone());
                    if !option_pairs
                        .iter()
                        .any(|o: &FieldOption| o.export == export)
                    {
                        option_pairs.push(FieldOption {
                            export,
                            label: state.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
        let mut on_states: Vec<String> = Vec::new();
        for w in &widgets {
            if let Some(s) = &w.on_state
                && !on_states.contains(s)
            {
                on_states.push(s.clone());
            }
        }

        let field = Field {
            name,
            kind,
            value: value_json(inh.v.as_ref()),
            default_value: value_json(inh.dv.as_ref()),
            options: option_pairs.iter().map(|o| o.export.clone()).collect(),
            option_pairs,
            flags: flag_names(kind, ff),
            max_len: if kind == FieldType::Text {
                inh.max_len
            } else {
                None
            },
            tooltip: d.and_then(|d| get_text(doc, d, b"TU")),
            format_script: d.and_then(|d| {
                pdfutil::action_script(doc, d, b"F")
                    .or_else(|| pdfutil::action_script(doc, d, b"K"))
            }),
            quadding: inh.q.unwrap_or(0),
            da: inh.da.clone(),
            on_states,
            widgets,
            id,
            ff,
            orphan,
            button_opt,
        };
        self.fields.push(field);
    }
}

/// The name of the widget's "on" appearance state: any /AP /N (or /D) key but Off.
pub(crate) fn on_state(doc: &Document, w: &Dictionary) -> Option<String> {
    let ap = get_dict(doc, w, b"AP")?;
    for key in [b"N".as_slice(), b"D"] {
        if let Some(states) = get(doc, ap, key).and_then(|o| o.as_dict().ok())
            && let Some((k, _)) = states.iter().find(|(k, _)| k.as_slice() != b"Off")
        {
            return Some(pdfutil::name_text(k));
        }
    }
    None
}

fn value_json(v: Option<&Object>) -> serde_json::Value {
    match v {
        None => serde_json::Value::Null,
        Some(Object::Array(items)) => serde_json::Value::Array(
            items
                .iter()
                .filter_map(pdfutil::text)
                .map(serde_json::Value::String)
                .collect(),
        ),
        Some(o) => pdfutil::text(o).map_or(serde_json::Value::Null, serde_json::Value::String),
    }
}

/// Distinct fields can share a name (widgets with equal /T on pages and no field tree, as in
/// forms saved without /AcroForm). All but the one with the lowest object number get "#2",
/// "#3"... by object number, so every field is addressable and keeps its name across saves.
fn disambiguate_names(fields: &mut [Field]) {
    let mut by_name: HashMap<String, Vec<(ObjectId, usize)>> = HashMap::new();
    for (i, f) in fields.iter().enumerate() {
        by_name.entry(f.name.clone()).or_default().push((f.id, i));
    }
    for (name, mut group) in by_name {
        if group.len() < 2 {
            continue;
        }
        group.sort_unstable();
        for (rank, (_, i)) in group.into_iter().enumerate().skip(1) {
            fields[i].name = format!("{name}#{}", rank + 1);
        }
    }
}

/// The rotation an existing normal appearance applies through its /Matrix. Some writers
/// (LibreOffice) rotate widgets that way without /MK /R; keeping it keeps text upright.
fn appearance_rotation(doc: &Document, w: &Dictionary) -> Option<i32> {
    let ap = get_dict(doc, w, b"AP")?;
    let Object::Stream(s) = get(doc, ap, b"N")? else {
        return None;
    };
    match pdfutil::get_matrix(doc, &s.dict, b"Matrix")? {
        [a, b, c, d, _, _] if a.abs() < 1e-3 && d.abs() < 1e-3 && b > 0.5 && c < -0.5 => Some(90),
        [a, b, c, d, _, _] if b.abs() < 1e-3 && c.abs() < 1e-3 && a < -0.5 && d < -0.5 => Some(180),
        [a, b, c, d, _, _] if a.abs() < 1e-3 && d.abs() < 1e-3 && b < -0.5 && c > 0.5 => Some(270),
        _ => None,
    }
}
