//! Stamps: text, check marks and images drawn at boxes the caller gives, for PDFs (or areas
//! of a page) without form fields.
//!
//! Each stamp becomes a form XObject the size of its box, drawn from a content stream
//! appended to the page (the page's own content wrapped in q/Q first, as flattening does).
//! Text is laid out by the same code as text field appearances, in the same fonts; check
//! marks are the ZapfDingbats mark check boxes get; images are placed like signature images.
//! On a page with /Rotate the content is turned so it reads upright as the page is shown.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Document, Object, ObjectId, dictionary};

use crate::appearance::{self, Painter, WidgetLook};
use crate::da::DefaultAppearance;
use crate::error::{Error, Result};
use crate::font::{FontSet, Standard14};
use crate::image::Image;
use crate::pdfutil::fmt_num;

/// Something to draw at a box on a page (user space), for PDFs or areas without form fields.
///
/// Used with [`crate::Form::stamp`].
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    /// Zero-based page index.
    pub page: usize,
    /// The box in PDF user space: `[x0, y0, x1, y1]` with `x0 < x1` and `y0 < y1` (points,
    /// origin at the page's lower-left corner before /Rotate, as widget /Rect values are).
    /// Convert public top-left coordinates with [`crate::PageGeometry::to_user`].
    pub rect: [f32; 4],
    /// What to draw.
    pub content: StampContent,
    /// How to draw it (text size, colour, opacity, font, comb cells, wrapping, alignment).
    pub style: TextStyle,
}

/// What a [`Stamp`] draws.
#[derive(Debug, Clone, PartialEq)]
pub enum StampContent {
    /// Text, laid out as a text field would show it (see [`TextStyle`]). Empty text draws
    /// nothing.
    Text(String),
    /// A check mark (ZapfDingbats ✔, as check boxes draw it) centred in the box, sized to it
    /// unless [`TextStyle::font_size`] is given; in the style's colour and opacity (font and
    /// alignment do not apply).
    Check,
    /// A PNG (alpha kept as a soft mask) or JPEG (passed through), the bytes
    /// [`crate::FieldValue::Image`] carries: fitted into the box, aspect ratio kept, centred,
    /// at the style's opacity (size, colour, font and alignment do not apply).
    Image(Vec<u8>),
}

/// How a [`Stamp`] is drawn. The default: automatic size, black, opaque, the default font,
/// one line, left-aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct TextStyle {
    /// Font size in points; `None` fits the text to the box (a single line is shrunk until
    /// it fits, multiline text starts at 12 pt and shrinks until every line fits, comb text
    /// fills its cells). A given size is still shrunk when the text would not fit.
    pub font_size: Option<f32>,
    /// Colour as 0–255 RGB.
    pub color: [u8; 3],
    /// 0 (invisible) to 1 (opaque); below 1 the stamp is drawn through an /ExtGState.
    pub opacity: f32,
    /// Font family: Helvetica, Arial, sans(-serif) → Helvetica; Times, serif → Times-Roman;
    /// Courier, mono(space) → Courier; anything else (or `None`) → the default, Helvetica.
    /// Regular weight only. As for fields, text the standard font cannot encode (beyond
    /// WinAnsi) is drawn in the embedded DejaVu Sans or Noto Sans CJK subset instead.
    pub font: Option<String>,
    /// Spread the text over this many equal cells, one character centred in each (like a
    /// comb field). Text longer than the cells is refused; cannot be combined with
    /// `multiline`.
    pub comb_cells: Option<u32>,
    /// Wrap words over several lines (newlines kept); otherwise newlines become spaces.
    pub multiline: bool,
    /// 0 left, 1 centre, 2 right.
    pub align: u8,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            font_size: None,
            color: [0, 0, 0],
            opacity: 1.0,
            font: None,
            comb_cells: None,
            multiline: false,
            align: 0,
        }
    }
}

/// A checked stamp, ready to draw.
pub(crate) struct Planned {
    page: usize,
    rect: [f32; 4],
    content: Content,
    da: DefaultAppearance,
    opacity: f32,
    align: u8,
}

enum Content {
    Text {
        shown: String,
        comb_cells: Option<usize>,
        multiline: bool,
    },
    Check,
    Image(Image),
}

/// Checks every stamp before anything is drawn. Errors are [`Error::InvalidValue`] (reason
/// SCHEMA_VALIDATION_ERROR) naming the stamp as `stamp[i]`.
pub(crate) fn plan(stamps: &[Stamp], page_count: usize) -> Result<Vec<Planned>> {
    stamps
        .iter()
        .enumerate()
        .map(|(i, s)| plan_one(i, s, page_count))
        .collect()
}

fn plan_one(index: usize, stamp: &Stamp, page_count: usize) -> Result<Planned> {
    let label = format!("stamp[{index}]");
    let invalid = |reason: String| Error::InvalidValue {
        field: label.clone(),
        reason,
    };
    if stamp.page >= page_count {
        return Err(invalid(format!(
            "page {} does not exist: the PDF has {page_count} page{} (pages are zero-based)",
            stamp.page,
            if page_count == 1 { "" } else { "s" }
        )));
    }
    let [x0, y0, x1, y1] = stamp.rect;
    if stamp.rect.iter().any(|v| !v.is_finite()) {
        return Err(invalid(format!(
            "the box {:?} has a coordinate that is not a finite number",
            stamp.rect
        )));
    }
    if x1 <= x0 || y1 <= y0 {
        return Err(invalid(format!(
            "the box {:?} is empty: it needs x0 < x1 and y0 < y1 ([x0, y0, x1, y1] in user space)",
            stamp.rect
        )));
    }
    let style = &stamp.style;
    if let Some(size) = style.font_size
        && !(size.is_finite() && size > 0.0)
    {
        return Err(invalid(format!(
            "font size {size} is not a positive number (leave it out to fit the box)"
        )));
    }
    if !(style.opacity.is_finite() && (0.0..=1.0).contains(&style.opacity)) {
        return Err(invalid(format!(
            "opacity {} is outside 0..=1",
            style.opacity
        )));
    }
    if style.align > 2 {
        return Err(invalid(format!(
            "align {} is not 0 (left), 1 (centre) or 2 (right)",
            style.align
        )));
    }
    let content = match &stamp.content {
        StampContent::Text(text) => {
            let comb_cells = match style.comb_cells {
                None => None,
                Some(0) => return Err(invalid("comb_cells must be at least 1".into())),
                Some(_) if style.multiline => {
                    return Err(invalid(
                        "comb_cells and multiline cannot be combined".into(),
                    ));
                }
                Some(n) => Some(n as usize),
            };
            let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
            let shown = if style.multiline {
                normalised
            } else {
                normalised.replace('\n', " ")
            };
            if let Some(cells) = comb_cells {
                let n = shown.chars().count();
                if n > cells {
                    return Err(invalid(format!(
                        "{n} characters do not fit in {cells} comb cells"
                    )));
                }
            }
            Content::Text {
                shown,
                comb_cells,
                multiline: style.multiline,
            }
        }
        StampContent::Check => Content::Check,
        StampContent::Image(bytes) => Content::Image(Image::decode(&label, bytes)?),
    };
    let [r, g, b] = style.color.map(|c| fmt_num(f32::from(c) / 255.0));
    Ok(Planned {
        page: stamp.page,
        rect: stamp.rect,
        content,
        da: DefaultAppearance {
            font: family_font(style.font.as_deref()).to_vec(),
            size: style.font_size.unwrap_or(0.0),
            color: format!("{r} {g} {b} rg"),
        },
        opacity: style.opacity,
        align: style.align,
    })
}

/// The resource name of the standard font a family name means (see [`TextStyle::font`]);
/// [`FontSet::pick`] reads these names as the standard fonts.
fn family_font(family: Option<&str>) -> &'static [u8] {
    const HELVETICA: &[u8] = b"Helv";
    const TIMES: &[u8] = b"TiRo";
    const COURIER: &[u8] = b"Cour";
    let Some(family) = family else {
        return HELVETICA;
    };
    if let Some(std) = Standard14::from_name(family.as_bytes()) {
        let base = std.base_font();
        if base.starts_with("Times") {
            return TIMES;
        }
        if base.starts_with("Courier") {
            return COURIER;
        }
        return HELVETICA;
    }
    let norm: String = family
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if norm.contains("mono") || norm.contains("courier") {
        COURIER
    } else if norm.contains("sans") {
        HELVETICA
    } else if norm.contains("serif") || norm.contains("times") {
        TIMES
    } else {
        HELVETICA
    }
}

/// Draws checked stamps: one form XObject each, drawn on its page above the existing
/// content. Every object created or changed goes into `dirty`.
pub(crate) fn draw(
    doc: &mut Document,
    fonts: &mut FontSet,
    dirty: &mut BTreeSet<ObjectId>,
    pages: &[ObjectId],
    planned: Vec<Planned>,
) -> Result<()> {
    let mut per_page: BTreeMap<usize, Vec<(ObjectId, [f32; 4])>> = BTreeMap::new();
    for stamp in planned {
        let Some(&page_id) = pages.get(stamp.page) else {
            return Err(Error::Internal(format!(
                "page {} has no page object",
                stamp.page
            )));
        };
        let rotation = crate::page::page_geometry(doc, page_id).rotate;
        let Planned {
            page,
            rect,
            content,
            da,
            opacity,
            align,
        } = stamp;
        let look = WidgetLook::plain(rect, rotation, da, align);
        let mut painter = Painter {
            doc: &mut *doc,
            fonts: &mut *fonts,
            dirty: &mut *dirty,
        };
        let (body, mut resources) = match &content {
            Content::Text { shown, .. } if shown.is_empty() => continue,
            Content::Text {
                shown,
                comb_cells,
                multiline,
            } => painter.text_content(&look, shown, *comb_cells, *multiline),
            Content::Check => {
                let font = painter.fonts.zapf_dingbats(painter.doc, b"ZaDb");
                let (name, object) = painter.fonts.resource(font);
                let body = appearance::dingbat(&look, &String::from_utf8_lossy(&name), '4');
                (
                    body,
                    dictionary! { "Font" => dictionary! { name => object } },
                )
            }
            Content::Image(image) => painter.image_content(&look, image),
        };
        let mut content_ops = String::with_capacity(body.len() + 16);
        if opacity < 1.0 {
            resources.set(
                "ExtGState",
                dictionary! { "FsGS0" => transparency(opacity) },
            );
            content_ops.push_str("/FsGS0 gs\n");
        }
        content_ops.push_str(&body);
        let xobject = painter.form_xobject(&look, resources, content_ops);
        per_page.entry(page).or_default().push((xobject, rect));
    }
    for (page, items) in per_page {
        let Some(&page_id) = pages.get(page) else {
            continue;
        };
        let created = crate::flatten::draw_on_page(doc, page_id, &items);
        dirty.extend(created);
        dirty.insert(page_id);
    }
    Ok(())
}

/// A graphics state drawing fills, strokes and images at `opacity`.
fn transparency(opacity: f32) -> Dictionary {
    dictionary! {
        "Type" => "ExtGState",
        "ca" => Object::Real(opacity),
        "CA" => Object::Real(opacity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_map_to_standard_fonts() {
        for (family, want) in [
            (None, b"Helv".as_slice()),
            (Some("Helvetica"), b"Helv"),
            (Some("Arial"), b"Helv"),
            (Some("sans-serif"), b"Helv"),
            (Some("Times New Roman"), b"TiRo"),
            (Some("serif"), b"TiRo"),
            (Some("Courier New"), b"Cour"),
            (Some("monospace"), b"Cour"),
            (Some("DejaVu Sans Mono"), b"Cour"),
            (Some("Garamond"), b"Helv"),
            (Some(""), b"Helv"),
        ] {
            assert_eq!(family_font(family), want, "{family:?}");
        }
    }
}
