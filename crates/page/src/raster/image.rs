//! Grayscale rasters: decoded scans (PNG, JPEG, TIFF) and rendered PDF pages, with limits
//! checked before anything large is allocated.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use hayro::hayro_interpret::InterpreterSettings;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use hayro_syntax::page::Page;

use crate::error::{Error, Result};
use crate::graphics::DisplayFrame;

/// An 8-bit grayscale raster (0 black .. 255 white), rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` samples, row-major.
    pub data: Vec<u8>,
}

impl Gray {
    /// A raster of one colour.
    pub fn filled(width: u32, height: u32, value: u8) -> Self {
        Gray {
            width,
            height,
            data: vec![value; width as usize * height as usize],
        }
    }

    /// The sample at (x, y); white outside the raster.
    pub fn get(&self, x: i64, y: i64) -> u8 {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return 255;
        }
        self.data
            .get(y as usize * self.width as usize + x as usize)
            .copied()
            .unwrap_or(255)
    }

    /// Number of pixels.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// One picture of an image file, with its resolution when the file says it.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The pixels, in gray.
    pub gray: Gray,
    /// Pixels per inch (x, y) from the file's metadata (PNG pHYs, JPEG JFIF, TIFF
    /// XResolution), when present and plausible.
    pub dpi: Option<(f32, f32)>,
}

/// Image files we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// TIFF (little or big endian), possibly with several pages.
    Tiff,
}

/// What kind of image the bytes are, by their magic number.
pub fn image_kind(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(ImageKind::Tiff)
    } else {
        None
    }
}

/// Resolutions outside this range (pixels per inch) are taken as missing metadata.
const DPI_RANGE: std::ops::RangeInclusive<f32> = 30.0..=2400.0;
/// Pages of a TIFF file read at most (bounds work on hostile files).
pub const MAX_TIFF_PAGES: usize = 500;

fn plausible(dpi: (f32, f32)) -> Option<(f32, f32)> {
    (DPI_RANGE.contains(&dpi.0) && DPI_RANGE.contains(&dpi.1)).then_some(dpi)
}

fn too_large(width: u64, height: u64, max_pixels: u64) -> Error {
    Error::TooLarge(format!(
        "the image is {width} x {height} pixels, more than the limit of {max_pixels} pixels"
    ))
}

/// Decodes every picture of a PNG, JPEG or TIFF file to gray. Dimensions are checked
/// against `max_pixels` (per picture) before the pixels are decoded.
pub fn decode_image(bytes: &[u8], max_pixels: u64) -> Result<Vec<Decoded>> {
    let kind = image_kind(bytes)
        .ok_or_else(|| Error::NotPdf("not a PNG, JPEG or TIFF image (nor a PDF)".into()))?;
    // Decoders can panic on malformed data; a panic is a corrupt file, never a crash.
    catch_unwind(AssertUnwindSafe(|| match kind {
        ImageKind::Png | ImageKind::Jpeg => decode_single(bytes, kind, max_pixels).map(|d| vec![d]),
        ImageKind::Tiff => decode_tiff(bytes, max_pixels),
    }))
    .map_err(|_| Error::CorruptImage("the image decoder failed".into()))?
}

fn decode_single(bytes: &[u8], kind: ImageKind, max_pixels: u64) -> Result<Decoded> {
    let format = match kind {
        ImageKind::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::Jpeg,
    };
    // Our own look at the header: the decoders want more of the file before they tell.
    let header = match kind {
        ImageKind::Png => png_dimensions(bytes),
        _ => jpeg_dimensions(bytes),
    };
    if let Some((w, h)) = header
        && u64::from(w) * u64::from(h) > max_pixels
    {
        return Err(too_large(w.into(), h.into(), max_pixels));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    // Four bytes a pixel at most while decoding (RGBA), plus slack for the decoder.
    limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(16 << 20));
    reader.limits(limits.clone());
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| Error::CorruptImage(format!("bad header: {e}")))?;
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(too_large(w.into(), h.into(), max_pixels));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(w.into(), h.into(), max_pixels),
        other => Error::CorruptImage(other.to_string()),
    })?;
    let luma = img.to_luma8();
    let dpi = match kind {
        ImageKind::Png => png_dpi(bytes),
        _ => jpeg_dpi(bytes),
    };
    Ok(Decoded {
        gray: Gray {
            width: luma.width(),
            height: luma.height(),
            data: luma.into_raw(),
        },
        dpi: dpi.and_then(plausible),
    })
}

/// The pHYs chunk of a PNG (pixels per metre), before the image data.
fn png_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    let mut at = 8usize;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let name = bytes.get(at + 4..at + 8)?;
        if name == b"pHYs" {
            let body = bytes.get(at + 8..at + 8 + 9)?;
            let x = u32::from_be_bytes(body.get(0..4)?.try_into().ok()?);
            let y = u32::from_be_bytes(body.get(4..8)?.try_into().ok()?);
            // Unit 1 is the metre; 0 is an aspect ratio only.
            return (body[8] == 1).then_some((x as f32 * 0.0254, y as f32 * 0.0254));
        }
        if name == b"IDAT" || name == b"IEND" {
            return None;
        }
        at = at.checked_add(12)?.checked_add(len)?;
    }
    None
}

/// The size in a PNG's IHDR chunk (always the first).
fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// The size in a JPEG's first frame header (SOFn), walking the marker segments.
fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2usize;
    for _ in 0..1_000 {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if sof {
            let h = u16::from_be_bytes([*bytes.get(at + 5)?, *bytes.get(at + 6)?]);
            let w = u16::from_be_bytes([*bytes.get(at + 7)?, *bytes.get(at + 8)?]);
            return Some((w.into(), h.into()));
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        at = at.checked_add(2)?.checked_add(len)?;
    }
    None
}

/// The density of a JPEG's JFIF APP0 segment.
fn jpeg_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    let app0 = bytes.get(2..20)?;
    if app0[0] != 0xFF || app0[1] != 0xE0 || &app0[4..9] != b"JFIF\0" {
        return None;
    }
    let unit = app0[11];
    let x = f32::from(u16::from_be_bytes([app0[12], app0[13]]));
    let y = f32::from(u16::from_be_bytes([app0[14], app0[15]]));
    match unit {
        1 => Some((x, y)),
        2 => Some((x * 2.54, y * 2.54)),
        _ => None,
    }
}

fn decode_tiff(bytes: &[u8], max_pixels: u64) -> Result<Vec<Decoded>> {
    use tiff::decoder::{Decoder, DecodingResult, Limits};
    use tiff::tags::Tag;
    let corrupt = |e: tiff::TiffError| Error::CorruptImage(format!("TIFF: {e}"));
    let mut limits = Limits::default();
    limits.decoding_buffer_size =
        usize::try_from(max_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
    let mut decoder = Decoder::new(Cursor::new(bytes))
        .map_err(corrupt)?
        .with_limits(limits);
    let mut out = Vec::new();
    loop {
        if out.len() >= MAX_TIFF_PAGES {
            return Err(Error::TooLarge(format!(
                "the TIFF file has more than {MAX_TIFF_PAGES} pages"
            )));
        }
        let (w, h) = decoder.dimensions().map_err(corrupt)?;
        if u64::from(w) * u64::from(h) > max_pixels {
            return Err(too_large(w.into(), h.into(), max_pixels));
        }
        let color = decoder.colortype().map_err(corrupt)?;
        let white_is_zero = decoder
            .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
            .ok()
            .flatten()
            == Some(0);
        let dpi = tiff_dpi(&mut decoder);
        let data = decoder.read_image().map_err(|e| match e {
            tiff::TiffError::LimitsExceeded => too_large(w.into(), h.into(), max_pixels),
            other => corrupt(other),
        })?;
        let n = w as usize * h as usize;
        let mut gray = match (color, data) {
            (tiff::ColorType::Gray(1), DecodingResult::U8(v)) => {
                // Rows of packed bits, each padded to a whole byte; 1 is white.
                let row = (w as usize).div_ceil(8);
                let mut g = Vec::with_capacity(n);
                for y in 0..h as usize {
                    for x in 0..w as usize {
                        let byte = v.get(y * row + x / 8).copied().unwrap_or(0xFF);
                        g.push(if byte & (0x80 >> (x % 8)) != 0 {
                            255
                        } else {
                            0
                        });
                    }
                }
                g
            }
            (tiff::ColorType::Gray(8), DecodingResult::U8(v)) => v,
            (tiff::ColorType::Gray(16), DecodingResult::U16(v)) => {
                v.iter().map(|s| (s >> 8) as u8).collect()
            }
            (tiff::ColorType::GrayA(8), DecodingResult::U8(v)) => {
                v.chunks_exact(2).map(|p| p[0]).collect()
            }
            (tiff::ColorType::RGB(8), DecodingResult::U8(v)) => {
                v.chunks_exact(3).map(luma).collect()
            }
            (tiff::ColorType::RGBA(8), DecodingResult::U8(v)) => {
                v.chunks_exact(4).map(luma).collect()
            }
            (c, _) => {
                return Err(Error::NotPdf(format!(
                    "TIFF pixels of type {c:?} are not supported"
                )));
            }
        };
        if white_is_zero {
            for s in &mut gray {
                *s = 255 - *s;
            }
        }
        gray.resize(n, 255);
        out.push(Decoded {
            gray: Gray {
                width: w,
                height: h,
                data: gray,
            },
            dpi: dpi.and_then(plausible),
        });
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(corrupt)?;
    }
    Ok(out)
}

fn luma(p: &[u8]) -> u8 {
    let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
    (0.299 * r + 0.587 * g + 0.114 * b)
        .round()
        .clamp(0.0, 255.0) as u8
}

fn tiff_dpi<R: std::io::Read + std::io::Seek>(
    decoder: &mut tiff::decoder::Decoder<R>,
) -> Option<(f32, f32)> {
    use tiff::decoder::ifd::Value;
    use tiff::tags::Tag;
    let rational = |v: Value| match v {
        Value::Rational(n, d) if d != 0 => Some(n as f32 / d as f32),
        Value::Short(s) => Some(f32::from(s)),
        Value::Unsigned(u) => Some(u as f32),
        _ => None,
    };
    let x = rational(decoder.find_tag(Tag::XResolution).ok()??)?;
    let y = decoder
        .find_tag(Tag::YResolution)
        .ok()
        .flatten()
        .and_then(rational)
        .unwrap_or(x);
    // ResolutionUnit: 2 inch (the default), 3 centimetre, 1 none.
    match decoder
        .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2)
    {
        2 => Some((x, y)),
        3 => Some((x * 2.54, y * 2.54)),
        _ => None,
    }
}

/// Largest side hayro's renderer takes (its canvas dimensions are 16-bit).
const MAX_SIDE: f32 = 65_535.0;

/// Renders a page in gray at `dpi`, reduced as needed to stay within `max_pixels`.
/// Returns the raster and the scale used (pixels per point). The raster covers the page
/// as displayed (CropBox, after /Rotate), top-left first.
pub(crate) fn render_page(page: &Page<'_>, dpi: f32, max_pixels: u64) -> Result<(Gray, f32)> {
    let (w, h) = page.render_dimensions();
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return Err(Error::Corrupt("the page has no size".into()));
    }
    let mut scale = (dpi / 72.0).clamp(0.05, 100.0);
    let fit = ((max_pixels as f64) / (f64::from(w) * f64::from(h))).sqrt() as f32;
    scale = scale.min(fit).min(MAX_SIDE / w).min(MAX_SIDE / h);
    if (w * scale) < 1.0 || (h * scale) < 1.0 {
        return Err(Error::TooLarge(format!(
            "the page ({w} x {h} pt) cannot be rendered within {max_pixels} pixels"
        )));
    }
    let settings = InterpreterSettings::default();
    let pixmap = catch_unwind(AssertUnwindSafe(|| {
        let cache = RenderCache::new();
        hayro::render(
            page,
            &cache,
            &settings,
            &RenderSettings::default(),
            &PixmapSettings {
                x_scale: scale,
                y_scale: scale,
                bg_color: WHITE,
            },
        )
    }))
    .map_err(|_| Error::Corrupt("the PDF renderer failed on the page".into()))?;
    let (pw, ph) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // Premultiplied over an opaque white background: alpha is 255, so the colour is final.
    let data = pixmap
        .data_as_u8_slice()
        .chunks_exact(4)
        .map(luma)
        .collect();
    Ok((
        Gray {
            width: pw,
            height: ph,
            data,
        },
        scale,
    ))
}

/// Page `index` (zero-based) of `pdf` rendered in gray at `dpi` (less where it would pass
/// `max_pixels`), with its display frame and the pixels per point: for drawing over a page.
pub fn render_pdf_page(
    pdf: &[u8],
    index: usize,
    dpi: f32,
    max_pixels: u64,
) -> Result<(Gray, f32, DisplayFrame)> {
    let doc = crate::text::open_data(std::sync::Arc::new(pdf.to_vec()).into(), None)?;
    let count = doc.pages().len();
    let page = doc
        .pages()
        .get(index)
        .ok_or(Error::PageOutOfRange { page: index, count })?;
    let frame = DisplayFrame::of_page(page);
    let (gray, scale) = render_page(page, dpi, max_pixels)?;
    Ok((gray, scale, frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_magic() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n...."), Some(ImageKind::Png));
        assert_eq!(image_kind(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageKind::Jpeg));
        assert_eq!(image_kind(b"II*\0...."), Some(ImageKind::Tiff));
        assert_eq!(image_kind(b"%PDF-1.7"), None);
    }

    #[test]
    fn jfif_density() {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        j.extend_from_slice(b"JFIF\0");
        j.extend_from_slice(&[1, 1, 1, 0, 200, 0, 200, 0, 0]);
        assert_eq!(jpeg_dpi(&j), Some((200.0, 200.0)));
    }

    #[test]
    fn huge_png_header_fails_before_decoding() {
        // A valid PNG header claiming 100000 x 100000 pixels, with no image data.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        let err = decode_image(&png, 50_000_000).expect_err("too large");
        assert!(matches!(err, Error::TooLarge(_)), "{err}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
}
