//! What the field model knows of each generated property, handed from generation to the
//! steps that reshape a schema (conditions, detected fields, generation instructions).

use crate::fieldmodel::semantic::Semantic;

/// What the field model knows of one generated property, for the steps that reshape a
/// generated schema (they must not guess it back from descriptions).
#[derive(Debug, Clone)]
pub struct PropertyFacts {
    /// The property's key in the schema.
    pub key: String,
    /// The caption a person reads for it (for one option of a group: the option's caption).
    pub label: String,
    /// The question or group heading it answers (check boxes, radio options).
    pub question: Option<String>,
    /// Its semantic type.
    pub semantic: Semantic,
    /// Whose it is (`spouse`, `preparer`…).
    pub entity: Option<String>,
    /// The section heading above it.
    pub section: Option<String>,
    /// The native field it fills (none for a detected box).
    pub native_name: Option<String>,
}
