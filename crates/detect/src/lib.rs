//! # formsmith-detect
//!
//! Reads what is printed on PDF pages, for finding fillable areas on flat forms.
//!
//! - [`text`]: words and lines with boxes in PDF user space, from the page content only
//!   (never annotation appearances), through hayro's content-stream interpreter.
//! - [`fields`]: fillable areas of flat (vector) pages — text inputs (boxes, rules, table
//!   cells), comb inputs, check boxes (squares, circles, box glyphs) and signature areas,
//!   each with its printed label — read in the same interpreter pass as the text; on
//!   scanned pages (with the `ocr` feature) from the pixels and OCR'd labels.
//! - [`ocr`]: words and lines of scanned pages and images through tesseract (feature
//!   `ocr`), in the same shapes and coordinates as [`text`].
//! - [`raster`]: images and rendered pages as gray pixels, and the lines and boxes on them.
//! - [`evaluate`]: detection scored on a fillable form (its widgets removed and used as
//!   truth), as `formsmith detect --eval` and the corpus benchmarks run it.
//!
//! Plain synchronous library: bytes in, structs out; no files, no network. Hostile input
//! costs bounded time and memory per page and per document (see [`TextOptions`], whose
//! defaults are `formsmith_engine::Limits`): pages are read one at a time and their decoded
//! content is not kept, and a document over its budget fails with
//! [`Error::LimitExceeded`]. Nothing panics out.
#![deny(missing_docs)]

mod error;
pub mod evaluate;
pub mod fields;
pub mod ocr;
pub mod raster;
pub mod text;

pub use error::{Error, Result};
pub use fields::{
    DetectOptions, DetectedField, FieldKind, FieldSource, PageFields, detect_fields, page_marks,
    text_and_marks,
};
#[doc(hidden)]
pub use fields::{FEATURE_NAMES, FEATURES, detect_fields_with_features};
pub use text::{Line, PageText, TextOptions, TextWarning, Word, extract_text};
