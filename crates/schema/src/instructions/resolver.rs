//! The seam every resolver implements, and what it gives back.

use serde_json::{Map, Value};

use crate::model::EditRootJson;

/// Values read from instructions, and what could not be placed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolution {
    /// Property key -> value, for properties the instructions give a value to.
    pub values: Map<String, Value>,
    /// What was understood but not placed with confidence (left blank), for a person.
    pub warnings: Vec<String>,
    /// Property key -> where its value came from: the request's words ("Name: Jordan
    /// Avery", a sentence) or a record path ("record person.dob").
    pub sources: std::collections::BTreeMap<String, String>,
    /// Set when the resolver could not do its work at all (a language model that stayed
    /// unreachable or kept answering nonsense): the run fails with this message rather than
    /// filling a form with half the answers.
    pub failure: Option<String>,
}

/// Turns instructions into property values.
pub trait InstructionResolver: Send + Sync {
    /// Values for `schema`'s properties that `instructions` ask for. `pinned` holds the values
    /// already fixed by `extend_edit:value` (they win; a resolver may use them as context).
    fn resolve(
        &self,
        schema: &EditRootJson,
        instructions: &str,
        pinned: &Map<String, Value>,
    ) -> Resolution;
}

/// A resolver that understands nothing: every instruction is reported back unplaced.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoResolver;

impl InstructionResolver for NoResolver {
    fn resolve(&self, _: &EditRootJson, instructions: &str, _: &Map<String, Value>) -> Resolution {
        let mut resolution = Resolution::default();
        if !instructions.trim().is_empty() {
            resolution
                .warnings
                .push("instructions were given but no instruction resolver is configured".into());
        }
        resolution
    }
}
