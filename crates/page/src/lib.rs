//! # formsmith-page
//!
//! What a PDF page says and draws, read once through hayro's content-stream interpreter:
//! the input of field detection (`formsmith-detect`) and of parsing (`formsmith-parse`).
//!
//! - [`text`]: words and lines with boxes in PDF user space, from the page content only
//!   (never annotation appearances).
//! - [`graphics`]: the drawing reduced to strokes, fills, small outlines, box glyphs and
//!   images, in the page's display frame (top-left origin, as shown).
//! - [`read`]: one interpreter pass giving both, page by page ([`read::each_page`]), the
//!   marks of a page, and whether it is a scan.
//! - [`raster`]: images and rendered pages as gray pixels, and the lines and boxes on them.
//! - [`ocr`]: words and lines of scanned pages and images through tesseract (feature
//!   `ocr`), in the same shapes and coordinates as [`text`]; [`scan`] reads a scanned page
//!   as the same input the vector pass gives.
//!
//! Plain synchronous library: bytes in, structs out; no files, no network. Hostile input
//! costs bounded time and memory per page and per document (see [`TextOptions`], whose
//! defaults are `formsmith_engine::Limits`): pages are read one at a time and their decoded
//! content is not kept, and a document over its budget fails with
//! [`Error::LimitExceeded`]. Nothing panics out.
#![deny(missing_docs)]

mod error;
pub mod graphics;
pub mod ocr;
pub mod raster;
pub mod read;
pub mod scan;
pub mod text;
mod warning;

pub use error::{Error, Result};
pub use read::{page_marks, text_and_marks};
pub use text::{Line, PageText, TextOptions, Word, extract_text};
pub use warning::TextWarning;
