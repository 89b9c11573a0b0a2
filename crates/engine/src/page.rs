//! Page geometry and the one conversion between PDF user space and the public coordinates
//! (points, origin at the top-left corner of the page as displayed: CropBox, after /Rotate).

use lopdf::{Document, Object, ObjectId};
use serde::Serialize;

use crate::pdfutil::{dict_of, get, get_int, rect};

/// Depth of /Parent chains followed for inherited page attributes (the page tree is shallow).
const MAX_INHERIT_DEPTH: usize = 32;

/// What a viewer needs to show a page: its visible box and its rotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageGeometry {
    /// /MediaBox in user space, normalised (x0, y0, x1, y1).
    #[serde(rename = "mediaBox")]
    pub media_box: [f32; 4],
    /// /CropBox in user space, clipped to the MediaBox (equals it when absent).
    #[serde(rename = "cropBox")]
    pub crop_box: [f32; 4],
    /// /Rotate normalised to 0, 90, 180 or 270 (clockwise, as the page is displayed).
    pub rotate: i32,
}

/// A rectangle in public coordinates: points from the displayed page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct DisplayBox {
    /// Distance of the left edge from the displayed page's left edge.
    pub left: f64,
    /// Distance of the top edge from the displayed page's top edge.
    pub top: f64,
    /// Distance of the right edge from the displayed page's left edge.
    pub right: f64,
    /// Distance of the bottom edge from the displayed page's top edge.
    pub bottom: f64,
}

impl PageGeometry {
    /// US Letter, unrotated: what a page without a usable /MediaBox is shown as.
    pub const LETTER: PageGeometry = PageGeometry {
        media_box: [0.0, 0.0, 612.0, 792.0],
        crop_box: [0.0, 0.0, 612.0, 792.0],
        rotate: 0,
    };

    /// Width and height of the page as displayed.
    pub fn display_size(self) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.crop_box.map(f64::from);
        if self.rotate % 180 == 0 {
            (x1 - x0, y1 - y0)
        } else {
            (y1 - y0, x1 - x0)
        }
    }

    /// A user-space point as displayed (top-left origin).
    fn to_display_point(self, x: f64, y: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.crop_box.map(f64::from);
        match self.rotate {
            90 => (y - y0, x - x0),
            180 => (x1 - x, y - y0),
            270 => (y1 - y, x1 - x),
            _ => (x - x0, y1 - y),
        }
    }

    /// A displayed point back in user space.
    fn to_user_point(self, dx: f64, dy: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.crop_box.map(f64::from);
        match self.rotate {
            90 => (dy + x0, dx + y0),
            180 => (x1 - dx, dy + y0),
            270 => (x1 - dy, y1 - dx),
            _ => (dx + x0, y1 - dy),
        }
    }

    /// A user-space rectangle (x0, y0, x1, y1) in public coordinates.
    pub fn to_display(self, rect: [f32; 4]) -> DisplayBox {
        let [x0, y0, x1, y1] = rect.map(f64::from);
        let (ax, ay) = self.to_display_point(x0, y0);
        let (bx, by) = self.to_display_point(x1, y1);
        DisplayBox {
            left: ax.min(bx),
            top: ay.min(by),
            right: ax.max(bx),
            bottom: ay.max(by),
        }
    }

    /// A public-coordinate box as a normalised user-space rectangle.
    pub fn to_user(self, bbox: &DisplayBox) -> [f32; 4] {
        let (ax, ay) = self.to_user_point(bbox.left, bbox.top);
        let (bx, by) = self.to_user_point(bbox.right, bbox.bottom);
        [
            ax.min(bx) as f32,
            ay.min(by) as f32,
            ax.max(bx) as f32,
            ay.max(by) as f32,
        ]
    }
}

/// Reads a page's boxes and rotation, following inheritance through /Parent.
pub(crate) fn page_geometry(doc: &Document, page: ObjectId) -> PageGeometry {
    let media = inherited(doc, page, b"MediaBox")
        .and_then(|o| rect(doc, o))
        .filter(|r| r[2] > r[0] && r[3] > r[1]);
    let media_box = media.unwrap_or(PageGeometry::LETTER.media_box);
    let crop_box = inherited(doc, page, b"CropBox")
        .and_then(|o| rect(doc, o))
        .map(|c| {
            [
                c[0].max(media_box[0]),
                c[1].max(media_box[1]),
                c[2].min(media_box[2]),
                c[3].min(media_box[3]),
            ]
        })
        .filter(|c| c[2] > c[0] && c[3] > c[1])
        .unwrap_or(media_box);
    let rotate = inherited_int(doc, page, b"Rotate").unwrap_or(0);
    // Only multiples of 90 are meaningful; viewers round others down, so do we.
    let rotate = (((rotate / 90) * 90) % 360 + 360) % 360;
    PageGeometry {
        media_box,
        crop_box,
        rotate: rotate as i32,
    }
}

fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut dict = dict_of(doc, page)?;
    for _ in 0..MAX_INHERIT_DEPTH {
        if let Some(value) = get(doc, dict, key) {
            return Some(value);
        }
        let parent = match dict.get(b"Parent") {
            Ok(Object::Reference(id)) => *id,
            _ => return None,
        };
        dict = dict_of(doc, parent)?;
    }
    None
}

fn inherited_int(doc: &Document, page: ObjectId, key: &[u8]) -> Option<i64> {
    let mut id = page;
    for _ in 0..MAX_INHERIT_DEPTH {
        let dict = dict_of(doc, id)?;
        if let Some(value) = get_int(doc, dict, key) {
            return Some(value);
        }
        id = match dict.get(b"Parent") {
            Ok(Object::Reference(parent)) => *parent,
            _ => return None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(geometry: PageGeometry) {
        let rect = [100.0, 200.0, 180.0, 215.0];
        let shown = geometry.to_display(rect);
        let back = geometry.to_user(&shown);
        for (a, b) in rect.iter().zip(back.iter()) {
            assert!((a - b).abs() < 1e-3, "{rect:?} -> {shown:?} -> {back:?}");
        }
    }

    #[test]
    fn rotations_and_crops_round_trip_and_land_where_a_viewer_shows_them() {
        for rotate in [0, 90, 180, 270] {
            round_trip(PageGeometry {
                media_box: [0.0, 0.0, 612.0, 792.0],
                crop_box: [10.0, 20.0, 600.0, 780.0],
                rotate,
            });
        }
        let letter = PageGeometry::LETTER;
        let b = letter.to_display([72.0, 700.0, 172.0, 720.0]);
        assert_eq!(
            (b.left, b.top, b.right, b.bottom),
            (72.0, 72.0, 172.0, 92.0)
        );
        // Rotated 90° clockwise: the user-space left edge becomes the top.
        let r90 = PageGeometry {
            rotate: 90,
            ..letter
        };
        assert_eq!(r90.display_size(), (792.0, 612.0));
        let b = r90.to_display([0.0, 0.0, 10.0, 20.0]);
        assert_eq!((b.left, b.top, b.right, b.bottom), (0.0, 0.0, 20.0, 10.0));
        let cropped = PageGeometry {
            crop_box: [50.0, 50.0, 562.0, 742.0],
            ..letter
        };
        let b = cropped.to_display([50.0, 732.0, 60.0, 742.0]);
        assert_eq!((b.left, b.top), (0.0, 0.0));
    }
}
