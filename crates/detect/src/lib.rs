//! # formsmith-detect
//!
//! The fillable areas of flat pages, from what `formsmith-page` reads of them.
//!
//! - [`fields`]: fillable areas of flat (vector) pages — text inputs (boxes, rules, table
//!   cells), comb inputs, check boxes (squares, circles, box glyphs) and signature areas,
//!   each with its printed label — from one interpreter pass over the page's text and
//!   drawing; on scanned pages (with the `ocr` feature) from the pixels and OCR'd labels.
//! - [`evaluate`]: detection scored on a fillable form (its widgets removed and used as
//!   truth), as `formsmith detect --eval` and the corpus benchmarks run it.
//!
//! Plain synchronous library: bytes in, structs out; no files, no network; the page
//! reader's limits ([`TextOptions`]) bound each page, and the finder's own bound what it
//! keeps of a page. Nothing panics out.
#![deny(missing_docs)]

pub mod evaluate;
pub mod fields;

pub use fields::{DetectOptions, DetectedField, FieldKind, FieldSource, PageFields, detect_fields};
#[doc(hidden)]
pub use fields::{FEATURE_NAMES, FEATURES, detect_fields_with_features};
// The page reader's types that appear in this crate's API.
pub use formsmith_page::{Error, Result, TextOptions, TextWarning};
