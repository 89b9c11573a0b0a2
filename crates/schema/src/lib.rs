//! # formsmith-schema
//!
//! The edit schema of the Extend API (`EditRootJson`: a JSON Schema subset with
//! `extend_edit:*` placement keywords): generate one from a form, validate values against it
//! (types, enums, lengths and the root conditional keywords), resolve plain-language
//! instructions into values, and fill a PDF from it, reporting `filledValues` and metrics.
//!
//! Plain synchronous library: bytes and JSON in, bytes and JSON out; no network, no files.
#![deny(missing_docs)]

mod error;
pub mod validate;

pub use error::{Error, Result, Violation};
