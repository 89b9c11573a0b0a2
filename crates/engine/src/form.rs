//! The public entry point: open a PDF form, read its fields, fill them, save it.

use std::collections::BTreeSet;

use lopdf::{Object, ObjectId};

use crate::appearance::Painter;
use crate::document::{self, LoadedPdf, OpenOptions};
use crate::error::{Error, Result};
use crate::font::FontSet;
use crate::image::Image;
use crate::model::{self, Field, FieldType, FormModel, ff};
use crate::pdfutil::{self, get, get_dict};
use crate::values::FieldValue;

/// How values are written.
#[derive(Debug, Clone, Default)]
pub struct FillOptions {
    /// Cut text longer than a field's MaxLen instead of refusing it.
    pub truncate: bool,
}

/// How the result is written.
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    /// Draw every widget into its page and remove the form (fields, widgets, /AcroForm, /XFA).
    pub flatten: bool,
    /// Rewrite the whole file instead of appending an incremental update.
    pub full_rewrite: bool,
}

/// What a fill did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FillReport {
    /// Field name -> value written, in the order given.
    #[serde(rename = "filledValues")]
    pub filled: Vec<(String, serde_json::Value)>,
    /// Non-fatal notes (e.g. truncated text).
    pub warnings: Vec<String>,
}

/// An open PDF form.
pub struct Form {
    pdf: LoadedPdf,
    model: FormModel,
    dirty: BTreeSet<ObjectId>,
    fonts: Option<FontSet>,
    need_appearances_was_set: bool,
    xfa_removed: bool,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("fields", &self.model.fields.len())
            .finish_non_exhaustive()
    }
}

impl Form {
    /// Opens a PDF. Fails with the error a caller should report (see [`Error::reason`]).
    pub fn open(bytes: &[u8], options: &OpenOptions) -> Result<Form> {
        let pdf = document::load(bytes, options)?;
        let model = model::read_form(&pdf.doc, &options.limits);
        let need_appearances_was_set = acroform(&pdf.doc)
            .and_then(|af| get(&pdf.doc, af, b"NeedAppearances"))
            .is_some_and(|o| matches!(o, Object::Boolean(true)));
        let form = Form {
            pdf,
            model,
            dirty: BTreeSet::new(),
            fonts: None,
            need_appearances_was_set,
            xfa_removed: false,
        };
        if form.is_xfa_only() {
            return Err(Error::XfaOnly);
        }
        Ok(form)
    }

    /// A dynamic XFA form: XFA present (or NeedsRendering) and not one AcroForm widget.
    fn is_xfa_only(&self) -> bool {
        let needs_rendering = self
            .pdf
            .doc
            .catalog()
            .ok()
            .and_then(|c| get(&self.pdf.doc, c, b"NeedsRendering"))
            .is_some_and(|o| matches!(o, Object::Boolean(true)));
        (self.model.has_xfa || needs_rendering)
            && self.model.fields.iter().all(|f| f.widgets.is_empty())
    }

    /// Every terminal field, in document order.
    pub fn fields(&self) -> &[Field] {
        &self.model.fields
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.model.pages.len()
    }

    /// The visible box and rotation of page `index` (zero-based), or `None` past the last page.
    pub fn page_geometry(&self, index: usize) -> Option<crate::page::PageGeometry> {
        let page = *self.model.pages.get(index)?;
        Some(crate::page::page_geometry(&self.pdf.doc, page))
    }

    /// Whether the input was encrypted (the output is re-encrypted the same way).
    pub fn was_encrypted(&self) -> bool {
        self.pdf.was_encrypted()
    }

    /// Non-fatal notes from reading the form.
    pub fn warnings(&self) -> &[String] {
        &self.model.warnings
    }

    /// Writes `values` into the form and generates appearances for every filled widget.
    /// Every value is checked before anything is written, so a refused fill changes nothing.
    pub fn fill(
        &mut self,
        values: &[(String, FieldValue)],
        options: &FillOptions,
    ) -> Result<FillReport> {
        if self.model.fields.is_empty() {
            return Err(Error::NoFields);
        }
        let mut plan = Vec::with_capacity(values.len());
        let mut report = FillReport::default();
        for (name, value) in values {
            let index = self.find(name)?;
            let planned = plan_value(
                &self.model.fields[index],
                value,
                options,
                &mut report.warnings,
            )?;
            report.filled.push((name.clone(), planned.json()));
            plan.push((index, planned));
        }
        for (index, planned) in plan {
            self.apply(index, planned)?;
        }
        Ok(report)
    }

    fn find(&self, name: &str) -> Result<usize> {
        if let Some(i) = self.model.fields.iter().position(|f| f.name == name) {
            return Ok(i);
        }
        let mut scored: Vec<(f64, &str)> = self
            .model
            .fields
            .iter()
            .map(|f| {
                (
                    strsim::jaro_winkler(&f.name.to_lowercase(), &name.to_lowercase()),
                    f.name.as_str(),
                )
            })
            .filter(|(s, _)| *s > 0.75)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        Err(Error::UnknownField {
            name: name.to_owned(),
            suggestions: scored
                .into_iter()
                .take(3)
                .map(|(_, n)| n.to_owned())
                .collect(),
        })
    }

    fn fonts(&mut self) -> &mut FontSet {
        if self.fonts.is_none() {
            let doc = &self.pdf.doc;
            let dr_fonts = acroform(doc)
                .and_then(|af| get_dict(doc, af, b"DR"))
                .and_then(|dr| get_dict(doc, dr, b"Font"));
            self.fonts = Some(FontSet::new(doc, dr_fonts));
        }
        // Just set above when missing.
        self.fonts.as_mut().unwrap_or_else(|| unreachable!())
    }

    fn apply(&mut self, index: usize, planned: Planned) -> Result<()> {
        let field = self.model.fields[index].clone();
        self.fonts();
        let regenerate_buttons = self.need_appearances_was_set;
        let Form {
            pdf, dirty, fonts, ..
        } = self;
        let Some(fonts) = fonts.as_mut() else {
            return Err(Error::Internal("font registry missing".into()));
        };
        let doc = &mut pdf.doc;
        let set_field = |doc: &mut lopdf::Document,
                         dirty: &mut BTreeSet<ObjectId>,
                         key: &str,
                         v: Option<Object>| {
            if let Some(d) = pdfutil::dict_of_mut(doc, field.id) {
                match v {
                    Some(v) => d.set(key, v),
                    None => {
                        d.remove(key.as_bytes());
                    }
                }
                dirty.insert(field.id);
            }
        };
        match planned {
            Planned::Text(text) => {
                let v = if text.is_empty() {
                    None
                } else {
                    Some(pdfutil::text_string(&text))
                };
                set_field(doc, dirty, "V", v);
                let mut painter = Painter { doc, fonts, dirty };
                for w in &field.widgets {
                    painter.text(&field, w, &text);
                }
            }
            Planned::Choice {
                values,
                indices,
                shown,
            } => {
                let v = match values.len() {
                    0 => None,
                    1 => Some(pdfutil::text_string(&values[0])),
                    _ => Some(Object::Array(
                        values.iter().map(|s| pdfutil::text_string(s)).collect(),
                    )),
                };
                set_field(doc, dirty, "V", v);
                let i = if indices.is_empty() || field.kind == FieldType::Combo {
                    None
                } else {
                    Some(Object::Array(
                        indices.iter().map(|i| Object::Integer(*i as i64)).collect(),
                    ))
                };
                set_field(doc, dirty, "I", i);
                let top = match field.kind {
                    FieldType::List => {
                        let first = indices.first().copied().unwrap_or(0);
                        let top = visible_top(&field, first);
                        set_field(
                            doc,
                            dirty,
                            "TI",
                            if top > 0 {
                                Some(Object::Integer(top as i64))
                            } else {
                                None
                            },
                        );
                        top
                    }
                    _ => 0,
                };
                let mut painter = Painter { doc, fonts, dirty };
                for w in &field.widgets {
                    if field.kind == FieldType::List {
                        painter.list(&field, w, &indices, top);
                    } else {
                        painter.text(&field, w, &shown);
                    }
                }
            }
            Planned::Button { state } => {
                let v = Object::Name(state.clone().unwrap_or_else(|| "Off".into()).into_bytes());
                set_field(doc, dirty, "V", Some(v));
                let mut painter = Painter { doc, fonts, dirty };
                for w in &field.widgets {
                    let on = w.on_state.clone().unwrap_or_else(|| "Yes".into());
                    let this_on = state.as_deref() == Some(on.as_str());
                    if this_on {
                        painter.ensure_button_states(&field, w, &on, regenerate_buttons);
                    }
                    if let Some(wd) = pdfutil::dict_of_mut(painter.doc, w.id) {
                        wd.set(
                            "AS",
                            Object::Name(if this_on {
                                on.into_bytes()
                            } else {
                                b"Off".to_vec()
                            }),
                        );
                        painter.dirty.insert(w.id);
                    }
                }
            }
            Planned::Image(image) => {
                let mut painter = Painter { doc, fonts, dirty };
                for w in &field.widgets {
                    painter.image(&field, w, &image);
                }
            }
        }
        self.mark_form_written();
        Ok(())
    }

    /// After any write: drop /XFA (viewers would show the stale XFA data instead of our
    /// values) and NeedAppearances (every value now has an appearance).
    fn mark_form_written(&mut self) {
        if self.xfa_removed {
            return;
        }
        self.xfa_removed = true;
        let doc = &mut self.pdf.doc;
        let target = self
            .model
            .acroform_id
            .or_else(|| doc.trailer.get(b"Root").ok()?.as_reference().ok());
        let Some(id) = target else { return };
        let Some(d) = pdfutil::dict_of_mut(doc, id) else {
            return;
        };
        let af = if Some(id) == self.model.acroform_id {
            Some(d)
        } else {
            match d.get_mut(b"AcroForm") {
                Ok(Object::Dictionary(af)) => Some(af),
                _ => None,
            }
        };
        if let Some(af) = af {
            af.remove(b"XFA");
            af.remove(b"NeedAppearances");
            self.dirty.insert(id);
        }
        if let Some(root) = doc
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|r| r.as_reference().ok())
            && let Some(catalog) = pdfutil::dict_of_mut(doc, root)
            && catalog.remove(b"NeedsRendering").is_some()
        {
            self.dirty.insert(root);
        }
    }

    /// Appearances for values nobody drew: prefilled fields in a form that relied on
    /// NeedAppearances, or widgets without /AP. Done before NeedAppearances is dropped.
    fn complete_appearances(&mut self) -> Result<()> {
        let mut todo = Vec::new();
        for (i, f) in self.model.fields.iter().enumerate() {
            if !matches!(f.kind, FieldType::Text | FieldType::Combo | FieldType::List) {
                continue;
            }
            let has_value = match &f.value {
                serde_json::Value::String(s) => !s.is_empty(),
                serde_json::Value::Array(a) => !a.is_empty(),
                _ => false,
            };
            if !has_value {
                continue;
            }
            let touched = f.widgets.iter().any(|w| self.dirty.contains(&w.id));
            let missing_ap = f.widgets.iter().any(|w| {
                pdfutil::dict_of(&self.pdf.doc, w.id).is_some_and(|wd| {
                    get_dict(&self.pdf.doc, wd, b"AP")
                        .and_then(|ap| get(&self.pdf.doc, ap, b"N"))
                        .is_none()
                })
            });
            if !touched && (self.need_appearances_was_set || missing_ap) {
                todo.push(i);
            }
        }
        for i in todo {
            let field = &self.model.fields[i];
            let value = match &field.value {
                serde_json::Value::Array(a) => FieldValue::Choices(
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect(),
                ),
                serde_json::Value::String(s) => FieldValue::Text(s.clone()),
                _ => continue,
            };
            let mut ignored = Vec::new();
            // A prefilled value the form itself holds may break its own rules; draw it as text then.
            let planned = plan_value(field, &value, &FillOptions { truncate: true }, &mut ignored)
                .unwrap_or_else(|_| Planned::Text(value_text(&value)));
            self.apply(i, planned)?;
        }
        Ok(())
    }

    /// Draws `stamps` (text, check marks, images at boxes in user space) on their pages, for
    /// PDFs or areas without form fields; works on PDFs without an /AcroForm and together
    /// with [`Form::fill`]. Every stamp is checked before anything is drawn: a page out of
    /// range, an empty or non-finite box, a bad size, opacity or alignment, text longer than
    /// its comb cells or an unreadable image is an [`Error::InvalidValue`] naming the stamp
    /// as `stamp[i]` (reason SCHEMA_VALIDATION_ERROR), and nothing changes.
    pub fn stamp(&mut self, stamps: &[crate::stamp::Stamp]) -> Result<()> {
        let planned = crate::stamp::plan(stamps, self.model.pages.len())?;
        if planned.is_empty() {
            return Ok(());
        }
        // The page's content and resources (skipped by partial loading) are rewritten.
        self.pdf.complete()?;
        self.fonts();
        let Form {
            pdf,
            model,
            dirty,
            fonts,
            ..
        } = self;
        let Some(fonts) = fonts.as_mut() else {
            return Err(Error::Internal("font registry missing".into()));
        };
        crate::stamp::draw(&mut pdf.doc, fonts, dirty, &model.pages, planned)
    }

    /// Writes the filled PDF: an incremental update by default (earlier bytes and signatures
    /// intact), re-encrypted when the input was; flattened if asked.
    pub fn save(mut self, options: &SaveOptions) -> Result<Vec<u8>> {
        if !self.dirty.is_empty() || options.flatten {
            self.complete_appearances()?;
            self.mark_form_written();
        }
        if let Some(fonts) = self.fonts.take() {
            let created = fonts.finish(&mut self.pdf.doc)?;
            self.dirty.extend(created);
        }
        if options.flatten || options.full_rewrite {
            self.pdf.complete()?;
        }
        if options.flatten {
            crate::flatten::flatten(&mut self.pdf.doc, &self.model)?;
            return document::save(self.pdf, &self.dirty, true);
        }
        if self.dirty.is_empty() && !options.full_rewrite {
            return Ok(self.pdf.original);
        }
        document::save(self.pdf, &self.dirty, options.full_rewrite)
    }
}

fn acroform(doc: &lopdf::Document) -> Option<&lopdf::Dictionary> {
    let catalog = doc.catalog().ok()?;
    get_dict(doc, catalog, b"AcroForm")
}

/// The first list row to show so that row `first` is visible.
fn visible_top(field: &Field, first: usize) -> usize {
    let Some(w) = field.widgets.first() else {
        return 0;
    };
    let h = w.rect[3] - w.rect[1];
    let rows = ((h / 13.8).floor() as usize).max(1);
    if first < rows { 0 } else { first + 1 - rows }
}

/// A checked value, ready to write.
enum Planned {
    Text(String),
    Choice {
        values: Vec<String>,
        indices: Vec<usize>,
        shown: String,
    },
    Button {
        state: Option<String>,
    },
    Image(Image),
}

impl Planned {
    fn json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Planned::Text(t) => J::String(t.clone()),
            Planned::Choice { values, .. } if values.len() == 1 => J::String(values[0].clone()),
            Planned::Choice { values, .. } => {
                J::Array(values.iter().cloned().map(J::String).collect())
            }
            Planned::Button { state } => state.clone().map_or(J::String("Off".into()), J::String),
            Planned::Image(_) => J::String("<image>".into()),
        }
    }
}

fn value_text(v: &FieldValue) -> String {
    match v {
        FieldValue::Text(s) => s.clone(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Choices(c) => c.join(", "),
        FieldValue::Image(_) => String::new(),
        FieldValue::Clear => String::new(),
    }
}

fn plan_value(
    field: &Field,
    value: &FieldValue,
    options: &FillOptions,
    warnings: &mut Vec<String>,
) -> Result<Planned> {
    let invalid = |reason: String| Error::InvalidValue {
        field: field.name.clone(),
        reason,
    };
    if field.has(ff::READ_ONLY) {
        return Err(invalid("the field is read-only".into()));
    }
    match field.kind {
        FieldType::Button => Err(invalid("push buttons hold no value".into())),
        FieldType::Signature => match value {
            FieldValue::Image(bytes) => Ok(Planned::Image(Image::decode(&field.name, bytes)?)),
            _ => Err(invalid(
                "signature fields take {\"image\": \"path/to/signature.png\"}".into(),
            )),
        },
        FieldType::Text => {
            let mut text = match value {
                FieldValue::Text(s) => s.clone(),
                FieldValue::Clear => String::new(),
                FieldValue::Bool(_) | FieldValue::Choices(_) | FieldValue::Image(_) => {
                    return Err(invalid("text fields take a string".into()));
                }
            };
            if !field.has(ff::MULTILINE) {
                text = text.replace(['\r', '\n'], " ");
            }
            if let Some(max) = field.max_len {
                let n = text.chars().count();
                if n > max as usize {
                    if options.truncate {
                        text = text.chars().take(max as usize).collect();
                        warnings.push(format!(
                            "{}: truncated from {n} to {max} characters",
                            field.name
                        ));
                    } else {
                        return Err(invalid(format!(
                            "{n} characters is longer than the field's MaxLen of {max} (use --truncate to cut it)"
                        )));
                    }
                }
            }
            Ok(Planned::Text(text))
        }
        FieldType::Checkbox => {
            let states = &field.on_states;
            let default_on = states.first().cloned().unwrap_or_else(|| "Yes".into());
            let state = match value {
                FieldValue::Bool(true) => Some(default_on),
                FieldValue::Bool(false) | FieldValue::Clear => None,
                FieldValue::Text(s) => match s.as_str() {
                    // An on-state literally named "No" (Yes/No box pairs) is that state.
                    s if s != "Off" && states.iter().any(|st| st == s) => Some(s.to_owned()),
                    "Off" | "" | "false" | "no" | "No" => None,
                    s => Some(match_button(field, s).or_else(|| {
                        matches!(s, "true" | "yes" | "Yes" | "on" | "On" | "X" | "x").then(|| default_on.clone())
                    }).ok_or_else(|| invalid(format!("{s:?} is not an on-state of this check box (it has {states:?}); use true/false")))?),
                },
                _ => return Err(invalid("check boxes take true/false or an on-state name".into())),
            };
            Ok(Planned::Button { state })
        }
        FieldType::Radio => {
            let state = match value {
                FieldValue::Text(s) if s != "Off" && !s.is_empty() => {
                    Some(match_button(field, s).ok_or_else(|| {
                        invalid(format!(
                            "{s:?} is not one of the options {:?}",
                            field.options
                        ))
                    })?)
                }
                FieldValue::Text(_) | FieldValue::Clear | FieldValue::Bool(false) => {
                    if field.has(ff::NO_TOGGLE_TO_OFF)
                        && !field.value.is_null()
                        && field.value != "Off"
                    {
                        return Err(invalid("this radio group cannot be turned off (NoToggleToOff); choose an option".into()));
                    }
                    None
                }
                _ => {
                    return Err(invalid(format!(
                        "radio groups take one of {:?}",
                        field.options
                    )));
                }
            };
            Ok(Planned::Button { state })
        }
        FieldType::Combo | FieldType::List => {
            let wanted: Vec<String> = match value {
                FieldValue::Text(s) if s.is_empty() => Vec::new(),
                FieldValue::Text(s) => vec![s.clone()],
                FieldValue::Choices(c) => c.clone(),
                FieldValue::Clear => Vec::new(),
                _ => {
                    return Err(invalid(
                        "choice fields take a string (or an array for multi-select lists)".into(),
                    ));
                }
            };
            if wanted.len() > 1 && !(field.kind == FieldType::List && field.has(ff::MULTI_SELECT)) {
                return Err(invalid(
                    "only multi-select list boxes take several values".into(),
                ));
            }
            let mut values = Vec::new();
            let mut indices = Vec::new();
            for w in &wanted {
                let hit = field
                    .option_pairs
                    .iter()
                    .position(|o| &o.export == w)
                    .or_else(|| field.option_pairs.iter().position(|o| &o.label == w));
                match hit {
                    Some(i) => {
                        values.push(field.option_pairs[i].export.clone());
                        indices.push(i);
                    }
                    None if field.kind == FieldType::Combo && field.has(ff::EDIT) => {
                        values.push(w.clone())
                    }
                    None => {
                        let labels: Vec<&str> = field
                            .option_pairs
                            .iter()
                            .map(|o| o.label.as_str())
                            .collect();
                        return Err(invalid(format!(
                            "{w:?} is not one of the options {labels:?}"
                        )));
                    }
                }
            }
            indices.sort_unstable();
            let shown = match (values.first(), indices.first()) {
                (Some(_), Some(i)) => field.option_pairs[*i].label.clone(),
                (Some(v), None) => v.clone(),
                _ => String::new(),
            };
            Ok(Planned::Choice {
                values,
                indices,
                shown,
            })
        }
    }
}

/// Finds the on-state a button value names: the state itself, an /Opt export value, or a label.
fn match_button(field: &Field, s: &str) -> Option<String> {
    if field.on_states.iter().any(|st| st == s) {
        return Some(s.to_owned());
    }
    for (i, w) in field.widgets.iter().enumerate() {
        if field.button_opt.get(i).is_some_and(|e| e == s) {
            return w.on_state.clone();
        }
    }
    let lower = s.to_lowercase();
    field
        .on_states
        .iter()
        .find(|st| st.to_lowercase() == lower)
        .cloned()
}
