//! Scanned pages as pixels: decoding images, rendering PDF pages, and finding the lines,
//! boxes and check boxes printed on them, as the vector path finds them in drawing
//! operations.

mod image;
pub(crate) mod lines;

pub(crate) use image::render_page;
pub use image::{
    Decoded, Gray, ImageKind, MAX_TIFF_PAGES, decode_image, image_kind, render_pdf_page,
};
