//! # formsmith-schema
//!
//! The edit schema of the Extend API (`EditRootJson`: a JSON Schema subset with
//! `extend_edit:*` placement keywords): generate one from a form, validate values against it
//! (types, enums, lengths and the root conditional keywords), resolve plain-language
//! instructions into values, and fill a PDF from it, reporting `filledValues` and metrics.
//!
//! Plain synchronous library: bytes and JSON in, bytes and JSON out; no network, no files.
#![deny(missing_docs)]

pub mod build;
pub mod conditions;
pub mod detected;
pub mod fieldmodel;
mod edit;
mod error;
mod facts;
pub mod generate;
pub mod images;
pub mod instructions;
pub mod keys;
pub mod labels;
pub mod model;
pub mod native;
mod printed;
pub mod steer;
pub mod validate;

pub use build::{BuiltSchema, PropertyFacts, SchemaOptions, build_schema};
pub use edit::{
    EditContext, EditMetrics, EditOutcome, EditRequest, LabelFinder, edit, parse_schema,
};
pub use error::{Error, Result, Violation};
pub use generate::{GenerateOptions, generate};
pub use instructions::{InstructionResolver, NoResolver, Resolution, RuleResolver};
pub use labels::{LabelSource, NoLabels, PrintedLabels, PrintedWord};
pub use model::{EditJson, EditRootJson, FieldKind, SourceAcroForm, TextEditOptions, ValueKind};
pub use printed::{page_text, printed_labels};
pub use steer::GenerationInstructions;
