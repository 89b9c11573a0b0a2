//! Images for signature fields: PNG (decoded, alpha kept as a soft mask) and JPEG
//! (passed through as DCTDecode after reading its size from the frame header).

use std::collections::BTreeSet;

use lopdf::{Document, Object, ObjectId, Stream, dictionary};

use crate::error::{Error, Result};
use crate::pdfutil::deflate;

/// Largest image accepted, in pixels (keeps a hostile PNG header from allocating gigabytes).
const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// A decoded image ready to embed.
pub(crate) struct Image {
    pub width: u32,
    pub height: u32,
    kind: ImageData,
}

enum ImageData {
    Jpeg {
        bytes: Vec<u8>,
        components: u8,
    },
    Raw {
        pixels: Vec<u8>,
        gray: bool,
        alpha: Option<Vec<u8>>,
    },
}

impl Image {
    pub fn decode(field: &str, bytes: &[u8]) -> Result<Image> {
        let bad = |why: String| Error::InvalidValue {
            field: field.to_owned(),
            reason: why,
        };
        if bytes.starts_with(b"\xff\xd8") {
            let (width, height, components) = jpeg_size(bytes)
                .ok_or_else(|| bad("the JPEG has no readable frame header".into()))?;
            check_size(width, height).map_err(bad)?;
            return Ok(Image {
                width,
                height,
                kind: ImageData::Jpeg {
                    bytes: bytes.to_vec(),
                    components,
                },
            });
        }
        if !bytes.starts_with(b"\x89PNG") {
            return Err(bad("signature images must be PNG or JPEG".into()));
        }
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder
            .read_info()
            .map_err(|e| bad(format!("unreadable PNG: {e}")))?;
        let info = reader.info();
        check_size(info.width, info.height).map_err(bad)?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| bad("PNG too large".into()))?;
        let mut buf = vec![0; size];
        let frame = reader
            .next_frame(&mut buf)
            .map_err(|e| bad(format!("unreadable PNG: {e}")))?;
        let (width, height) = (frame.width, frame.height);
        buf.truncate(frame.buffer_size());
        let (pixels, gray, alpha) = match frame.color_type {
            png::ColorType::Rgb => (buf, false, None),
            png::ColorType::Grayscale => (buf, true, None),
            png::ColorType::Rgba => {
                let mut rgb = Vec::with_capacity(buf.len() / 4 * 3);
                let mut a = Vec::with_capacity(buf.len() / 4);
                for px in buf.chunks_exact(4) {
                    rgb.extend_from_slice(&px[..3]);
                    a.push(px[3]);
                }
                (rgb, false, Some(a))
            }
            png::ColorType::GrayscaleAlpha => {
                let mut g = Vec::with_capacity(buf.len() / 2);
                let mut a = Vec::with_capacity(buf.len() / 2);
                for px in buf.chunks_exact(2) {
                    g.push(px[0]);
                    a.push(px[1]);
                }
                (g, true, Some(a))
            }
            png::ColorType::Indexed => return Err(bad("indexed PNG could not be expanded".into())),
        };
        Ok(Image {
            width,
            height,
            kind: ImageData::Raw {
                pixels,
                gray,
                alpha,
            },
        })
    }

    /// Adds the image XObject (and its soft mask) to `doc`.
    pub fn add_to(&self, doc: &mut Document, dirty: &mut BTreeSet<ObjectId>) -> ObjectId {
        let (w, h) = (i64::from(self.width), i64::from(self.height));
        let stream = match &self.kind {
            ImageData::Jpeg { bytes, components } => Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                    "ColorSpace" => match components { 1 => "DeviceGray", 4 => "DeviceCMYK", _ => "DeviceRGB" },
                    "BitsPerComponent" => 8, "Filter" => "DCTDecode",
                },
                bytes.clone(),
            ),
            ImageData::Raw {
                pixels,
                gray,
                alpha,
            } => {
                let mut dict = dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                    "ColorSpace" => if *gray { "DeviceGray" } else { "DeviceRGB" },
                    "BitsPerComponent" => 8, "Filter" => "FlateDecode",
                };
                if let Some(a) = alpha {
                    let mask = Stream::new(
                        dictionary! {
                            "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "FlateDecode",
                        },
                        deflate(a),
                    );
                    let mask_id = doc.add_object(mask);
                    dirty.insert(mask_id);
                    dict.set("SMask", Object::Reference(mask_id));
                }
                Stream::new(dict, deflate(pixels))
            }
        };
        let id = doc.add_object(stream);
        dirty.insert(id);
        id
    }
}

fn check_size(w: u32, h: u32) -> std::result::Result<(), String> {
    if w == 0 || h == 0 {
        return Err("the image is empty".into());
    }
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(format!(
            "the image is {w}x{h} pixels, over the {MAX_IMAGE_PIXELS}-pixel limit"
        ));
    }
    Ok(())
}

/// Width, height and component count from a JPEG's SOFn segment.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32, u8)> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            let seg = b.get(i + 4..i + 2 + len)?;
            let h = u32::from(u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]));
            let w = u32::from(u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]));
            return Some((w, h, *seg.get(5)?));
        }
        i += 2 + len;
    }
    None
}
