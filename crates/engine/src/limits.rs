//! Hard limits that keep hostile input cheap. One struct, documented defaults: the one
//! place the defaults live. formsmith-detect's `TextOptions` (text, marks, field detection,
//! OCR rendering) and formsmith-parse take theirs from it (`TextOptions::from_limits`).

use std::time::Duration;

/// Bounds on what a single document may cost, for every path that decodes one (open,
/// fill, flatten, save; text extraction, marks, field detection, OCR rendering; parse).
///
/// Per-page bounds cut one page short (detect reports it in the page's warnings); the
/// `total` bounds are for the whole document and one operation on it: exceeding one fails
/// the operation with [`crate::Error::LimitExceeded`] (CORRUPT_FILE; detect's
/// `Error::LimitExceeded`, the same reason) or [`crate::Error::TooLarge`]. Decoded page
/// content is held for one page at a time, so memory stays near the per-page bounds
/// whatever the page count.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 100 MiB.
    pub max_input_bytes: usize,
    /// Largest size any one stream may inflate to. Default 64 MiB (a page of a real
    /// form decodes to a few hundred KiB; a bomb is stopped early).
    pub max_decompressed_bytes: usize,
    /// Largest decoded size of one page's content (its content streams together, and each
    /// form XObject it draws). Default 64 MiB; a larger page is not interpreted.
    pub max_page_content_bytes: u64,
    /// Most bytes decoded for the whole document in one operation: page content and the
    /// form XObjects each page draws (counted each time a page draws them), and object
    /// streams. Default 512 MiB.
    pub max_total_decoded_bytes: u64,
    /// Most indirect objects a document may hold. Default 2,000,000; a document is further
    /// held to [`Limits::max_objects_for`] its size.
    pub max_objects: usize,
    /// Most pages. Default 10,000.
    pub max_pages: usize,
    /// Deepest field hierarchy (/Kids nesting) followed. Default 32.
    pub max_field_depth: usize,
    /// Most fields (terminal fields) read. Default 50,000.
    pub max_fields: usize,
    /// Drawing operations (each glyph, path, image, clip and form XObject counts one)
    /// interpreted per page before the page is cut short. Default 2,000,000.
    pub max_page_operations: u64,
    /// Drawing operations for the whole document. Default 20,000,000 (about 4,000 dense
    /// text pages).
    pub max_total_operations: u64,
    /// Glyphs kept per page before the page is cut short. Default 200,000.
    pub max_page_glyphs: usize,
    /// Glyphs kept for the whole document (the words returned are built from them).
    /// Default 5,000,000.
    pub max_total_glyphs: u64,
    /// Largest image (samples, width × height) a page may draw and still be rendered for
    /// OCR; checked from the image's dictionary, before anything is decoded. Default
    /// 100,000,000 (a letter page scanned at 1,000 dpi).
    pub max_image_pixels: u64,
    /// Largest raster a page is rendered to for OCR (pages are rendered at a lower
    /// resolution to fit). Default 25,000,000 (A3 at 300 dpi is 17.5 million).
    pub max_render_pixels: u64,
    /// Wall-clock time one page's interpretation may take. Default 10 s.
    pub max_page_time: Duration,
    /// Wall-clock time for reading the whole document's pages in one operation (text,
    /// marks, field detection; OCR time is bounded by its own timeout per page).
    /// Default 120 s.
    pub max_total_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 100 * 1024 * 1024,
            max_decompressed_bytes: 64 * 1024 * 1024,
            max_page_content_bytes: 64 << 20,
            max_total_decoded_bytes: 512 << 20,
            max_objects: 2_000_000,
            max_pages: 10_000,
            max_field_depth: 32,
            max_fields: 50_000,
            max_page_operations: 2_000_000,
            max_total_operations: 20_000_000,
            max_page_glyphs: 200_000,
            max_total_glyphs: 5_000_000,
            max_image_pixels: 100_000_000,
            max_render_pixels: 25_000_000,
            max_page_time: Duration::from_secs(10),
            max_total_time: Duration::from_secs(120),
        }
    }
}

/// Objects allowed whatever the input's size, and per KiB of input: parsed objects take
/// about 1.7 KiB each, so 60,000 + 6 per KiB keeps a document of tiny objects near
/// 10 x its size + 100 MB. The largest real forms in the corpus (the NJ-1040 with 7,595
/// objects in 1.5 MB, the I-485 with 6,271 in 1.8 MB) use about a tenth of it.
const OBJECTS_BASE: usize = 60_000;
const OBJECTS_PER_KIB: usize = 6;

impl Limits {
    /// The object limit for an input of `input_bytes`: [`Limits::max_objects`], or less for
    /// small inputs (60,000 plus 6 per KiB of input).
    pub fn max_objects_for(&self, input_bytes: usize) -> usize {
        self.max_objects
            .min(OBJECTS_BASE.saturating_add(OBJECTS_PER_KIB.saturating_mul(input_bytes / 1024)))
    }
}
