//! Flattening: each visible widget's normal appearance is drawn into its page's content,
//! then the widgets, the field tree, /AcroForm and /XFA are removed.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::error::Result;
use crate::model::FormModel;
use crate::pdfutil::{self, fmt_num, get_array, get_dict};

/// Annotation flags (ISO 32000 table 165) that keep a widget out of print/view.
const ANNOT_HIDDEN: i64 = 1 << 1;
const ANNOT_NO_VIEW: i64 = 1 << 5;

pub(crate) fn flatten(doc: &mut Document, model: &FormModel) -> Result<()> {
    let form_widgets: HashSet<ObjectId> = model
        .fields
        .iter()
        .flat_map(|f| f.widgets.iter().map(|w| w.id))
        .collect();
    for page_id in model.pages.clone() {
        flatten_page(doc, page_id, &form_widgets);
    }
    if let Some(root) = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| r.as_reference().ok())
        && let Some(catalog) = pdfutil::dict_of_mut(doc, root)
    {
        catalog.remove(b"AcroForm");
        catalog.remove(b"NeedsRendering");
        // Usage rights signatures refer to the form that no longer exists.
        catalog.remove(b"Perms");
    }
    Ok(())
}

fn flatten_page(doc: &mut Document, page_id: ObjectId, form_widgets: &HashSet<ObjectId>) {
    let Some(page) = pdfutil::dict_of(doc, page_id) else {
        return;
    };
    let Some(annots) = get_array(doc, page, b"Annots").cloned() else {
        return;
    };
    let mut keep = Vec::with_capacity(annots.len());
    let mut appearances: Vec<(ObjectId, [f32; 4])> = Vec::new();
    for a in annots {
        let Object::Reference(id) = a else {
            keep.push(a);
            continue;
        };
        let Some(ad) = pdfutil::dict_of(doc, id) else {
            continue;
        };
        let is_widget = matches!(ad.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Widget");
        if !is_widget && !form_widgets.contains(&id) {
            keep.push(Object::Reference(id));
            continue;
        }
        let flags = pdfutil::get_int(doc, ad, b"F").unwrap_or(0);
        if flags & (ANNOT_HIDDEN | ANNOT_NO_VIEW) != 0 {
            continue;
        }
        let Some(ap_id) = normal_appearance(doc, ad) else {
            continue;
        };
        let Some(rect) = ad.get(b"Rect").ok().and_then(|r| pdfutil::rect(doc, r)) else {
            continue;
        };
        appearances.push((ap_id, rect));
    }
    draw_on_page(doc, page_id, &appearances);
    if let Some(p) = pdfutil::dict_of_mut(doc, page_id) {
        if keep.is_empty() {
            p.remove(b"Annots");
        } else {
            p.set("Annots", Object::Array(keep));
        }
    }
}

/// Draws form XObjects on top of a page's content, each placed so that its transformed
/// /BBox fills its rectangle (as viewers place annotation appearances); the existing content
/// is wrapped in q/Q so a graphics state it leaves behind cannot misplace them. Returns the
/// objects created (the page dictionary changes too: /Contents, and /Resources made direct).
pub(crate) fn draw_on_page(
    doc: &mut Document,
    page_id: ObjectId,
    items: &[(ObjectId, [f32; 4])],
) -> Vec<ObjectId> {
    let mut drawing = String::new();
    let mut xobjects: Vec<(Vec<u8>, ObjectId)> = Vec::new();
    for &(id, rect) in items {
        let Some(Object::Stream(xobject)) = doc.objects.get(&id) else {
            continue;
        };
        let Some(m) = placement(doc, &xobject.dict, rect) else {
            continue;
        };
        let name = format!("FsF{}_{}", id.0, id.1).into_bytes();
        drawing.push_str(&format!(
            "q {} {} {} {} {} {} cm /{} Do Q\n",
            fmt_num(m[0]),
            fmt_num(m[1]),
            fmt_num(m[2]),
            fmt_num(m[3]),
            fmt_num(m[4]),
            fmt_num(m[5]),
            String::from_utf8_lossy(&name)
        ));
        xobjects.push((name, id));
    }

    // Make sure every appearance is a Form XObject with a /Subtype (some writers omit it).
    for (_, id) in &xobjects {
        if let Some(Object::Stream(s)) = doc.objects.get_mut(id) {
            s.dict.set("Type", "XObject");
            s.dict.set("Subtype", "Form");
        }
    }

    let mut created = Vec::new();
    if !drawing.is_empty() {
        let resources = page_resources(doc, page_id);
        let mut xo = match resources
            .get(b"XObject")
            .ok()
            .map(|o| pdfutil::resolve(doc, o))
        {
            Some(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        for (name, id) in &xobjects {
            xo.set(name.clone(), Object::Reference(*id));
        }
        let mut resources = resources;
        resources.set("XObject", xo);
        // Wrap the existing content in q/Q so its graphics state cannot leak into ours.
        let open = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let mut close_content = b"Q\n".to_vec();
        close_content.extend_from_slice(drawing.as_bytes());
        let mut close = Stream::new(Dictionary::new(), close_content);
        let _ = close.compress();
        let close = doc.add_object(close);
        let existing =
            pdfutil::dict_of(doc, page_id).and_then(|p| p.get(b"Contents").ok().cloned());
        let mut contents = vec![Object::Reference(open)];
        match existing.as_ref().map(|o| (o, pdfutil::resolve(doc, o))) {
            Some((_, Object::Array(items))) => contents.extend(items.iter().cloned()),
            Some((o @ Object::Reference(_), _)) => contents.push(o.clone()),
            _ => {}
        }
        contents.push(Object::Reference(close));
        if let Some(p) = pdfutil::dict_of_mut(doc, page_id) {
            p.set("Contents", Object::Array(contents));
            p.set("Resources", resources);
        }
        created.extend([open, close]);
    }
    created
}

/// The page's resources as a direct dictionary (inherited ones copied down), so adding
/// our XObjects never changes what other pages sharing the dictionary see.
fn page_resources(doc: &Document, page_id: ObjectId) -> Dictionary {
    let mut cur = Some(page_id);
    let mut depth = 0;
    while let Some(id) = cur {
        let Some(d) = pdfutil::dict_of(doc, id) else {
            break;
        };
        if let Some(r) = get_dict(doc, d, b"Resources") {
            return r.clone();
        }
        cur = d.get(b"Parent").ok().and_then(|p| p.as_reference().ok());
        depth += 1;
        if depth > 64 {
            break;
        }
    }
    Dictionary::new()
}

/// The widget's normal appearance stream, honouring /AS for state dictionaries.
fn normal_appearance(doc: &Document, ad: &Dictionary) -> Option<ObjectId> {
    let ap = get_dict(doc, ad, b"AP")?;
    match ap.get(b"N").ok()? {
        Object::Reference(id) => match doc.objects.get(id)? {
            Object::Stream(_) => Some(*id),
            Object::Dictionary(states) => state_stream(doc, ad, states),
            _ => None,
        },
        Object::Dictionary(states) => state_stream(doc, ad, states),
        _ => None,
    }
}

fn state_stream(doc: &Document, ad: &Dictionary, states: &Dictionary) -> Option<ObjectId> {
    let state = pdfutil::get_name(doc, ad, b"AS")?;
    match states.get(state).ok()? {
        Object::Reference(id) if matches!(doc.objects.get(id), Some(Object::Stream(_))) => {
            Some(*id)
        }
        _ => None,
    }
}

/// The matrix that draws a form XObject so its transformed /BBox fills `rect`
/// (ISO 32000 12.5.5, the algorithm viewers use for annotation appearances).
fn placement(doc: &Document, ap: &Dictionary, rect: [f32; 4]) -> Option<[f32; 6]> {
    let bbox = ap.get(b"BBox").ok().and_then(|b| pdfutil::rect(doc, b))?;
    let m = pdfutil::get_matrix(doc, ap, b"Matrix").unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    let corners = [
        (bbox[0], bbox[1]),
        (bbox[2], bbox[1]),
        (bbox[0], bbox[3]),
        (bbox[2], bbox[3]),
    ];
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (x, y) in corners {
        let tx = m[0] * x + m[2] * y + m[4];
        let ty = m[1] * x + m[3] * y + m[5];
        x0 = x0.min(tx);
        y0 = y0.min(ty);
        x1 = x1.max(tx);
        y1 = y1.max(ty);
    }
    let (bw, bh) = (x1 - x0, y1 - y0);
    if bw <= 0.0 || bh <= 0.0 {
        return None;
    }
    let sx = (rect[2] - rect[0]) / bw;
    let sy = (rect[3] - rect[1]) / bh;
    // The XObject's own /Matrix is applied by the Do operator; we only map its result.
    Some([sx, 0.0, 0.0, sy, rect[0] - x0 * sx, rect[1] - y0 * sy])
}
