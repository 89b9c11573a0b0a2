//! Plain-language instructions -> values for schema properties.
//!
//! [`InstructionResolver`] is the seam: the built-in rule resolver is deterministic and
//! offline; a language-model resolver (an OpenAI-compatible endpoint) can implement the same
//! trait beside it without callers changing.

pub mod meaning;
pub mod request;
mod resolver;
mod rules;
pub mod shape;

pub use resolver::{InstructionResolver, NoResolver, Resolution};
pub use rules::RuleResolver;
