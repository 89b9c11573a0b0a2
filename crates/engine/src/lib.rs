//! # formsmith-engine
//!
//! Fill PDF AcroForms correctly: read every field (including widgets that only pages
//! reference), write values of every field type, generate appearance streams so each value
//! shows in every viewer without `NeedAppearances`, embed a Unicode font subset when the
//! form's own font cannot encode a value, drop stale XFA, flatten, and save as an
//! incremental update (earlier revisions and signatures intact) re-encrypted like the input.
//!
//! PDFs without fields (or areas a form has no field for) are filled with [`Form::stamp`]:
//! text, check marks and images drawn at boxes the caller gives, in the same fonts and
//! layout as field appearances, upright on rotated pages.
//!
//! Bytes in, bytes out: no file or network I/O, no threads. Hostile input is bounded by
//! [`Limits`] and fails with an [`Error`] whose [`Error::reason`] is the API failure reason.
//!
//! Non-goals: XFA-only (dynamic) forms (they fail with FILE_TYPE_NOT_SUPPORTED), JavaScript
//! calculation/format actions (values are written as given), digital signing.
//!
//! ```no_run
//! use formsmith_engine::{FieldValue, FillOptions, Form, OpenOptions, SaveOptions};
//! let bytes = std::fs::read("form.pdf").unwrap();
//! let mut form = Form::open(&bytes, &OpenOptions::default()).unwrap();
//! form.fill(&[("f1_01".into(), FieldValue::Text("Jordan".into()))], &FillOptions::default()).unwrap();
//! let out = form.save(&SaveOptions { flatten: true, ..Default::default() }).unwrap();
//! # drop(out);
//! ```
#![deny(missing_docs)]

mod appearance;
mod create;
mod da;
mod document;
mod error;
mod flatten;
pub(crate) mod font;
mod form;
mod image;
mod limits;
mod model;
mod page;
mod partial;
mod pdfutil;
mod stamp;
mod update;
mod values;

pub use create::{NewField, NewFieldKind, add_fields};
pub use document::{OpenOptions, check_object_streams, sniff_non_pdf};
pub use error::{Error, FailureReason, Result};
pub use form::{FillOptions, FillReport, Form, SaveOptions};
pub use limits::Limits;
pub use model::{Field, FieldOption, FieldType, Widget};
pub use page::{DisplayBox, PageGeometry};
pub use stamp::{Stamp, StampContent, TextStyle};
pub use values::{FieldValue, Values, values_from_json, values_from_xfdf};
