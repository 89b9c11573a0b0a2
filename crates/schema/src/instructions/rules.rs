//! The deterministic, offline instruction resolver (being written).

use serde_json::{Map, Value};

use super::{InstructionResolver, NoResolver, Resolution};
use crate::model::EditRootJson;

/// Reads common phrasings ("First name: Jordan", "check the box for U.S. citizen") and maps
/// them to properties by label similarity; never guesses.
#[derive(Debug, Default, Clone)]
pub struct RuleResolver {}

impl InstructionResolver for RuleResolver {
    fn resolve(
        &self,
        schema: &EditRootJson,
        instructions: &str,
        pinned: &Map<String, Value>,
    ) -> Resolution {
        NoResolver.resolve(schema, instructions, pinned)
    }
}
