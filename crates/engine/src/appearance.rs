//! Appearance streams (/AP /N) for filled widgets, so a value shows in every viewer without
//! NeedAppearances: text (single line, multiline with wrap, comb, password), choice boxes,
//! check boxes and radio buttons, and images for signatures.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

use crate::da::{DefaultAppearance, parse_da};
use crate::font::{FontId, FontSet};
use crate::model::{Field, FieldType, Widget, ff};
use crate::pdfutil::{self, fmt_num, get, get_array, get_dict, get_number, get_text};

/// Smallest font size we shrink text to before letting it clip.
const MIN_FONT_SIZE: f32 = 4.0;
/// Font size used when auto-sizing multiline text starts.
const MULTILINE_AUTO_START: f32 = 12.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.15;
/// Highlight of selected list rows (the colour Acrobat uses).
const LIST_HIGHLIGHT: &str = "0.6 0.757 0.855 rg";

/// Box geometry and styling of one widget, read from its dictionary (or, for a stamp, made
/// with [`WidgetLook::plain`]).
pub(crate) struct WidgetLook {
    /// Width and height of the appearance box (swapped for 90/270 rotation).
    w: f32,
    h: f32,
    rotation: i32,
    border_width: f32,
    border_color: Option<String>,
    background: Option<String>,
    da: DefaultAppearance,
    quadding: u8,
}

fn color_op(doc: &Document, arr: Option<&Vec<Object>>, stroke: bool) -> Option<String> {
    let arr = arr?;
    let nums: Vec<f32> = arr
        .iter()
        .filter_map(|o| pdfutil::number(pdfutil::resolve(doc, o)))
        .collect();
    let nums_s: Vec<String> = nums.iter().map(|n| fmt_num(*n)).collect();
    let op = match (nums.len(), stroke) {
        (1, false) => "g",
        (1, true) => "G",
        (3, false) => "rg",
        (3, true) => "RG",
        (4, false) => "k",
        (4, true) => "K",
        _ => return None, // empty array means transparent
    };
    Some(format!("{} {}", nums_s.join(" "), op))
}

impl WidgetLook {
    /// A box without border or background: `rect` in user space, its content turned by
    /// `rotation` (0, 90, 180, 270; counter-clockwise, as /MK /R) so it reads upright there.
    pub(crate) fn plain(
        rect: [f32; 4],
        rotation: i32,
        da: DefaultAppearance,
        quadding: u8,
    ) -> WidgetLook {
        let (w, h) = box_size(rect, rotation);
        WidgetLook {
            w,
            h,
            rotation,
            border_width: 0.0,
            border_color: None,
            background: None,
            da,
            quadding,
        }
    }
}

/// Width and height of the appearance box of `rect` (swapped for 90/270 rotation).
fn box_size(rect: [f32; 4], rotation: i32) -> (f32, f32) {
    let [x0, y0, x1, y1] = rect;
    let (w, h) = (x1 - x0, y1 - y0);
    if rotation % 180 != 0 { (h, w) } else { (w, h) }
}

fn look(doc: &Document, field: &Field, widget: &Widget, wd: &Dictionary) -> WidgetLook {
    let (w, h) = box_size(widget.rect, widget.rotation);
    let mk = get_dict(doc, wd, b"MK");
    let border_color = mk.and_then(|mk| color_op(doc, get_array(doc, mk, b"BC"), true));
    let background = mk.and_then(|mk| color_op(doc, get_array(doc, mk, b"BG"), false));
    let border_width = get_dict(doc, wd, b"BS")
        .and_then(|bs| get_number(doc, bs, b"W"))
        .or_else(|| {
            get_array(doc, wd, b"Border")
                .and_then(|b| b.get(2))
                .and_then(pdfutil::number)
        })
        .unwrap_or(if border_color.is_some() { 1.0 } else { 0.0 })
        .clamp(0.0, w.min(h) / 4.0);
    // A widget may override the field's DA and Q.
    let da_text = get_text(doc, wd, b"DA").or_else(|| field.da.clone());
    let quadding = pdfutil::get_int(doc, wd, b"Q")
        .map(|q| q.clamp(0, 2) as u8)
        .unwrap_or(field.quadding);
    WidgetLook {
        w: w.max(0.0),
        h: h.max(0.0),
        rotation: widget.rotation,
        border_width: if border_color.is_some() {
            border_width
        } else {
            0.0
        },
        border_color,
        background,
        da: parse_da(da_text.as_deref()),
        quadding,
    }
}

fn rotation_matrix(look: &WidgetLook) -> Object {
    // Rotate the appearance so its content reads upright inside the rotated box; the
    // viewer maps the transformed /BBox onto /Rect, so the translation keeps it at the origin.
    let (w, h) = (look.w, look.h);
    let m: [f32; 6] = match look.rotation {
        90 => [0.0, 1.0, -1.0, 0.0, h, 0.0],
        180 => [-1.0, 0.0, 0.0, -1.0, w, h],
        270 => [0.0, -1.0, 1.0, 0.0, 0.0, w],
        _ => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    };
    Object::Array(m.iter().map(|v| Object::Real(*v)).collect())
}

/// Background and border, drawn under the value.
fn frame(look: &WidgetLook, out: &mut String) {
    let (w, h) = (fmt_num(look.w), fmt_num(look.h));
    if let Some(bg) = &look.background {
        out.push_str(&format!("{bg}\n0 0 {w} {h} re f\n"));
    }
    if let (Some(bc), true) = (&look.border_color, look.border_width > 0.0) {
        let bw = look.border_width;
        out.push_str(&format!(
            "{bc}\n{} w\n{} {} {} {} re S\n",
            fmt_num(bw),
            fmt_num(bw / 2.0),
            fmt_num(bw / 2.0),
            fmt_num(look.w - bw),
            fmt_num(look.h - bw)
        ));
    }
}

/// Frame, then the marked-content section viewers replace while editing, clipped to the
/// inside of the border. Closed by `Q EMC`.
fn open_variable_text(look: &WidgetLook, out: &mut String) {
    frame(look, out);
    let bw = look.border_width;
    out.push_str(&format!(
        "/Tx BMC\nq\n{} {} {} {} re W n\n",
        fmt_num(bw),
        fmt_num(bw),
        fmt_num((look.w - 2.0 * bw).max(0.0)),
        fmt_num((look.h - 2.0 * bw).max(0.0))
    ));
}

/// Everything appearance generation needs from the document being filled.
pub(crate) struct Painter<'a> {
    pub doc: &'a mut Document,
    pub fonts: &'a mut FontSet,
    /// Objects created or changed (for the incremental update).
    pub dirty: &'a mut std::collections::BTreeSet<ObjectId>,
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2 + 2);
    s.push('<');
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s.push('>');
    s
}

/// A value laid out for drawing: each character with the font that draws it and its
/// advance at size 1. Mixed scripts (Latin + CJK, say) take several fonts.
struct Shaped {
    chars: Vec<(char, FontId, f32)>,
}

impl Shaped {
    fn width(&self, range: std::ops::Range<usize>) -> f32 {
        self.chars[range].iter().map(|c| c.2).sum()
    }

    /// Greedy word wrap to `max_width` at `size`: line ranges (newlines kept; a word wider
    /// than the line is broken by characters).
    fn wrap(&self, size: f32, max_width: f32) -> Vec<std::ops::Range<usize>> {
        let mut lines = Vec::new();
        let n = self.chars.len();
        let mut start = 0;
        while start <= n {
            // The paragraph ends at the next newline (or the end).
            let end = (start..n).find(|&i| self.chars[i].0 == '\n').unwrap_or(n);
            let mut line_start = start;
            let mut last_break: Option<usize> = None;
            let mut i = start;
            while i < end {
                if self.chars[i].0 == ' ' {
                    last_break = Some(i);
                }
                if self.width(line_start..i + 1) * size > max_width && i > line_start {
                    match last_break.filter(|b| *b > line_start) {
                        Some(b) => {
                            lines.push(line_start..b);
                            line_start = b + 1;
                        }
                        None => {
                            lines.push(line_start..i);
                            line_start = i;
                        }
                    }
                    last_break = None;
                    continue;
                }
                i += 1;
            }
            lines.push(line_start..end);
            start = end + 1;
        }
        lines
    }
}

impl Painter<'_> {
    fn add_stream(&mut self, dict: Dictionary, content: Vec<u8>) -> ObjectId {
        let mut stream = Stream::new(dict, content);
        // Setting up a deflate stream costs more than a typical appearance (a few hundred
        // bytes) saves; only large ones (long lists, long text) are compressed.
        if stream.content.len() > 4096 {
            let _ = stream.compress();
        }
        let id = self.doc.add_object(Object::Stream(stream));
        self.dirty.insert(id);
        id
    }

    fn set_normal_appearance(&mut self, widget_id: ObjectId, ap_stream: ObjectId) {
        if let Some(wd) = pdfutil::dict_of_mut(self.doc, widget_id) {
            wd.set("AP", dictionary! { "N" => Object::Reference(ap_stream) });
            self.dirty.insert(widget_id);
        }
    }

    /// A form XObject of the look's box (rotated by its /Matrix) holding `content`.
    pub(crate) fn form_xobject(
        &mut self,
        look: &WidgetLook,
        resources: Dictionary,
        content: String,
    ) -> ObjectId {
        let dict = dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "FormType" => 1,
            "BBox" => vec![0.into(), 0.into(), Object::Real(look.w), Object::Real(look.h)],
            "Matrix" => rotation_matrix(look),
            "Resources" => resources,
        };
        self.add_stream(dict, content.into_bytes())
    }

    fn shape(&mut self, da_font: &[u8], text: &str) -> Shaped {
        let runs = self.fonts.pick_runs(self.doc, da_font, text);
        let mut chars = Vec::with_capacity(text.len());
        for (font, range) in runs {
            for c in text[range].chars() {
                let w = if c == '\n' {
                    0.0
                } else {
                    self.fonts.width(font, c.encode_utf8(&mut [0; 4]))
                };
                chars.push((c, font, w));
            }
        }
        Shaped { chars }
    }

    /// Text operators for `range` of `shaped`: one `Tf`/`Tj` pair per font run. Records the
    /// fonts used in `used` for the resource dictionary.
    fn show(
        &mut self,
        shaped: &Shaped,
        range: std::ops::Range<usize>,
        size: f32,
        used: &mut Vec<(Vec<u8>, Object)>,
    ) -> String {
        let mut out = String::new();
        let mut i = range.start;
        while i < range.end {
            let font = shaped.chars[i].1;
            let mut j = i;
            let mut text = String::new();
            while j < range.end && shaped.chars[j].1 == font {
                text.push(shaped.chars[j].0);
                j += 1;
            }
            let (name, obj) = self.fonts.resource(font);
            let bytes = self.fonts.encode(font, &text);
            out.push_str(&format!(
                "/{} {} Tf {} Tj\n",
                String::from_utf8_lossy(&name),
                fmt_num(size),
                hex(&bytes)
            ));
            if !used.iter().any(|(n, _)| *n == name) {
                used.push((name, obj));
            }
            i = j;
        }
        out
    }

    /// Text fields and combo boxes: draws `text` per the field's flags.
    pub fn text(&mut self, field: &Field, widget: &Widget, text: &str) {
        let Some(wd) = pdfutil::dict_of(self.doc, widget.id) else {
            return;
        };
        let look = look(self.doc, field, widget, wd);
        let shown: String = if field.has(ff::PASSWORD) && field.kind == FieldType::Text {
            "\u{2022}".repeat(text.chars().count())
        } else {
            text.replace("\r\n", "\n").replace('\r', "\n")
        };
        let comb_cells = match (field.kind, field.max_len) {
            (FieldType::Text, Some(n))
                if n > 0 && field.has(ff::COMB) && !field.has(ff::MULTILINE | ff::PASSWORD) =>
            {
                Some(n as usize)
            }
            _ => None,
        };
        let multiline =
            field.kind == FieldType::Text && field.has(ff::MULTILINE) && comb_cells.is_none();
        let (out, resources) = self.text_content(&look, &shown, comb_cells, multiline);
        let ap = self.form_xobject(&look, resources, out);
        self.set_normal_appearance(widget.id, ap);
    }

    /// The content and resources of a text appearance: `shown` (newlines as `\n`) in one
    /// line shrunk to fit, wrapped over several lines (`multiline`), or one character per
    /// cell (`comb_cells`), in the look's DA font, size (0 = auto) and colour.
    pub(crate) fn text_content(
        &mut self,
        look: &WidgetLook,
        shown: &str,
        comb_cells: Option<usize>,
        multiline: bool,
    ) -> (String, Dictionary) {
        let shaped = self.shape(&look.da.font, shown);
        // Vertical metrics from the font the value starts in (the form's own, usually).
        let first_font = shaped
            .chars
            .first()
            .map_or_else(|| self.fonts.pick(self.doc, &look.da.font, ""), |c| c.1);
        let (asc, desc) = (
            self.fonts.ascent(first_font),
            self.fonts.descent(first_font),
        );
        let line_units = (asc - desc).max(0.5);
        let bw = look.border_width;
        let pad = if bw > 1.0 { 2.0 * bw } else { 2.0 };
        let inner_w = (look.w - 2.0 * bw - 2.0 * pad).max(1.0);
        let inner_h = (look.h - 2.0 * bw).max(1.0);
        let mut used: Vec<(Vec<u8>, Object)> = Vec::new();

        let mut out = String::with_capacity(256);
        open_variable_text(look, &mut out);
        let multiline = multiline && comb_cells.is_none();
        let n = shaped.chars.len();

        if n > 0 {
            out.push_str(&format!("BT\n{}\n", look.da.color));
            if let Some(cells) = comb_cells {
                // One character centred in each of MaxLen equal cells.
                let cell_w = look.w / cells as f32;
                let widest = shaped.chars.iter().map(|c| c.2).fold(0.0, f32::max);
                let mut size = look.da.size;
                if size <= 0.0 {
                    size = (inner_h / line_units * 0.8).min(if widest > 0.0 {
                        cell_w * 0.9 / widest
                    } else {
                        inner_h
                    });
                }
                size = size.max(MIN_FONT_SIZE);
                let y = (look.h - line_units * size) / 2.0 - desc * size;
                let mut prev_x = 0.0;
                for i in 0..n.min(cells) {
                    let x = i as f32 * cell_w + (cell_w - shaped.chars[i].2 * size) / 2.0;
                    if i == 0 {
                        out.push_str(&format!("{} {} Td\n", fmt_num(x), fmt_num(y)));
                    } else {
                        out.push_str(&format!("{} 0 Td\n", fmt_num(x - prev_x)));
                    }
                    prev_x = x;
                    let ops = self.show(&shaped, i..i + 1, size, &mut used);
                    out.push_str(&ops);
                }
            } else if multiline {
                let mut size = if look.da.size > 0.0 {
                    look.da.size
                } else {
                    MULTILINE_AUTO_START
                };
                let mut lines = shaped.wrap(size, inner_w);
                // Shrink until every line fits the box (auto size, or a fixed size that overflows).
                while size > MIN_FONT_SIZE && lines.len() as f32 * size * LEADING > inner_h - 2.0 {
                    size = (size - 0.5).max(MIN_FONT_SIZE);
                    lines = shaped.wrap(size, inner_w);
                }
                let leading = size * LEADING;
                let top = look.h - bw - pad - asc * size;
                let mut prev = (0.0f32, 0.0f32);
                for (i, line) in lines.into_iter().enumerate() {
                    let x = bw
                        + align_x(
                            look.quadding,
                            pad,
                            inner_w,
                            shaped.width(line.clone()) * size,
                        );
                    let y = top - i as f32 * leading;
                    out.push_str(&format!(
                        "{} {} Td\n",
                        fmt_num(x - prev.0),
                        fmt_num(y - prev.1)
                    ));
                    let ops = self.show(&shaped, line, size, &mut used);
                    out.push_str(&ops);
                    prev = (x, y);
                }
            } else {
                let text_w1 = shaped.width(0..n);
                let mut size = look.da.size;
                if size <= 0.0 {
                    size = ((inner_h - 2.0).max(1.0) / line_units)
                        .min(look.h * 0.75)
                        .max(MIN_FONT_SIZE);
                }
                // Text taller or wider than the box is shrunk so the whole value stays visible.
                if line_units * size > inner_h {
                    size = (inner_h / line_units).max(MIN_FONT_SIZE);
                }
                if text_w1 * size > inner_w && text_w1 > 0.0 {
                    size = (inner_w / text_w1).max(MIN_FONT_SIZE);
                }
                let x = bw + align_x(look.quadding, pad, inner_w, text_w1 * size);
                let y = (look.h - line_units * size) / 2.0 - desc * size;
                out.push_str(&format!("{} {} Td\n", fmt_num(x), fmt_num(y)));
                let ops = self.show(&shaped, 0..n, size, &mut used);
                out.push_str(&ops);
            }
            out.push_str("ET\n");
        }
        out.push_str("Q\nEMC\n");
        let mut font_dict = Dictionary::new();
        for (name, obj) in used {
            font_dict.set(name, obj);
        }
        (out, dictionary! { "Font" => font_dict })
    }

    /// List boxes: every option as a row, selected rows highlighted.
    pub fn list(&mut self, field: &Field, widget: &Widget, selected: &[usize], top_index: usize) {
        let Some(wd) = pdfutil::dict_of(self.doc, widget.id) else {
            return;
        };
        let look = look(self.doc, field, widget, wd);
        let all_labels: String = field
            .option_pairs
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let font = self.fonts.pick(self.doc, &look.da.font, &all_labels);
        let (asc, desc) = (self.fonts.ascent(font), self.fonts.descent(font));
        let size = if look.da.size > 0.0 {
            look.da.size
        } else {
            MULTILINE_AUTO_START
        };
        let row_h = size * LEADING.max(asc - desc);
        let bw = look.border_width;
        let pad = if bw > 1.0 { 2.0 * bw } else { 2.0 };
        let (res_name, res_obj) = self.fonts.resource(font);
        let name = String::from_utf8_lossy(&res_name).into_owned();

        let mut out = String::with_capacity(512);
        open_variable_text(&look, &mut out);
        let top = look.h - bw;
        for (row, index) in (top_index..field.option_pairs.len()).enumerate() {
            let y_top = top - row as f32 * row_h;
            if y_top < 0.0 {
                break;
            }
            if selected.contains(&index) {
                out.push_str(&format!(
                    "{LIST_HIGHLIGHT}\n{} {} {} {} re f\n",
                    fmt_num(bw),
                    fmt_num(y_top - row_h),
                    fmt_num(look.w - 2.0 * bw),
                    fmt_num(row_h)
                ));
            }
            let label = &field.option_pairs[index].label;
            let bytes = self.fonts.encode(font, label);
            let baseline = y_top - (row_h - (asc - desc) * size) / 2.0 - asc * size;
            out.push_str(&format!(
                "BT\n/{name} {} Tf\n{}\n{} {} Td\n{} Tj\nET\n",
                fmt_num(size),
                look.da.color,
                fmt_num(pad),
                fmt_num(baseline),
                hex(&bytes)
            ));
        }
        out.push_str("Q\nEMC\n");
        let resources = dictionary! { "Font" => dictionary! { res_name => res_obj } };
        let ap = self.form_xobject(&look, resources, out);
        self.set_normal_appearance(widget.id, ap);
    }

    /// Check boxes and radio buttons: make sure the widget has a drawable "on" appearance
    /// named `state` (creating one from /MK /CA when missing or broken) and an Off one.
    /// `regenerate` replaces even a well-formed appearance (the form asked viewers to
    /// rebuild appearances through NeedAppearances, so its own may not render everywhere).
    pub fn ensure_button_states(
        &mut self,
        field: &Field,
        widget: &Widget,
        state: &str,
        regenerate: bool,
    ) {
        let Some(wd) = pdfutil::dict_of(self.doc, widget.id) else {
            return;
        };
        let normal = get_dict(self.doc, wd, b"AP").and_then(|ap| get(self.doc, ap, b"N"));
        let has_stream = |key: &[u8]| match normal {
            Some(Object::Dictionary(states)) => {
                matches!(
                    states.get(key).map(|o| pdfutil::resolve(self.doc, o)),
                    Ok(Object::Stream(_))
                )
            }
            _ => false,
        };
        if !regenerate && has_stream(state.as_bytes()) && has_stream(b"Off") {
            return;
        }
        let look = look(self.doc, field, widget, wd);
        let mk = get_dict(self.doc, wd, b"MK");
        let caption = mk
            .and_then(|mk| get_text(self.doc, mk, b"CA"))
            .filter(|c| !c.is_empty());
        let glyph = caption.unwrap_or_else(|| {
            if field.kind == FieldType::Radio {
                "l".into()
            } else {
                "4".into()
            }
        });
        let glyph = glyph.chars().next().unwrap_or('4');
        let mut on = String::new();
        frame(&look, &mut on);
        let mut off = on.clone();
        on.push_str(&dingbat(&look, "ZaDb", glyph));
        off.push('\n');
        let zadb = self.doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "ZapfDingbats",
        });
        self.dirty.insert(zadb);
        let resources = dictionary! { "Font" => dictionary! { "ZaDb" => Object::Reference(zadb) } };
        let on_id = self.form_xobject(&look, resources.clone(), on);
        let off_id = self.form_xobject(&look, resources, off);
        if let Some(wd) = pdfutil::dict_of_mut(self.doc, widget.id) {
            let mut states = Dictionary::new();
            states.set(state.as_bytes().to_vec(), Object::Reference(on_id));
            states.set("Off", Object::Reference(off_id));
            wd.set("AP", dictionary! { "N" => states });
            self.dirty.insert(widget.id);
        }
    }

    /// Signature fields: the image drawn inside the box, aspect ratio kept, centred.
    pub fn image(&mut self, field: &Field, widget: &Widget, image: &crate::image::Image) {
        let Some(wd) = pdfutil::dict_of(self.doc, widget.id) else {
            return;
        };
        let look = look(self.doc, field, widget, wd);
        let mut out = String::new();
        frame(&look, &mut out);
        let (ops, resources) = self.image_content(&look, image);
        out.push_str(&ops);
        let ap = self.form_xobject(&look, resources, out);
        self.set_normal_appearance(widget.id, ap);
    }

    /// Adds `image` to the document; the content drawing it inside the look's box (aspect
    /// ratio kept, centred) and the resources naming it.
    pub(crate) fn image_content(
        &mut self,
        look: &WidgetLook,
        image: &crate::image::Image,
    ) -> (String, Dictionary) {
        let image_id = image.add_to(self.doc, self.dirty);
        let scale = (look.w / image.width as f32).min(look.h / image.height as f32);
        let (dw, dh) = (image.width as f32 * scale, image.height as f32 * scale);
        let (x, y) = ((look.w - dw) / 2.0, (look.h - dh) / 2.0);
        let ops = format!(
            "q\n{} 0 0 {} {} {} cm\n/Im0 Do\nQ\n",
            fmt_num(dw),
            fmt_num(dh),
            fmt_num(x),
            fmt_num(y)
        );
        let resources =
            dictionary! { "XObject" => dictionary! { "Im0" => Object::Reference(image_id) } };
        (ops, resources)
    }
}

/// A ZapfDingbats `glyph` (`4` = check mark) centred in the look's box, in its DA colour and
/// size (auto: 80% of the box's smaller side), drawn with the font resource `font`.
pub(crate) fn dingbat(look: &WidgetLook, font: &str, glyph: char) -> String {
    // ZapfDingbats advance widths (per 1000) of the glyphs forms use as check marks.
    let glyph_w = match glyph {
        '4' => 0.846,
        'l' => 0.791,
        '8' => 0.838,
        'n' => 0.762,
        'u' => 0.759,
        'H' => 0.816,
        _ => 0.8,
    };
    let size = if look.da.size > 0.0 {
        look.da.size
    } else {
        look.w.min(look.h) * 0.8
    };
    let x = (look.w - glyph_w * size) / 2.0;
    let y = (look.h - 0.7 * size) / 2.0;
    format!(
        "q\nBT\n/{font} {} Tf\n{}\n{} {} Td\n({}) Tj\nET\nQ\n",
        fmt_num(size),
        look.da.color,
        fmt_num(x),
        fmt_num(y),
        escape_literal(glyph)
    )
}

fn align_x(quadding: u8, pad: f32, inner_w: f32, line_w: f32) -> f32 {
    match quadding {
        1 => pad + (inner_w - line_w) / 2.0,
        2 => pad + inner_w - line_w,
        _ => pad,
    }
}

fn escape_literal(c: char) -> String {
    match c {
        '(' | ')' | '\\' => format!("\\{c}"),
        c => c.to_string(),
    }
}
