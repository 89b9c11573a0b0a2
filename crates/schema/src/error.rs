//! One error enum for the schema layer; each variant maps to one API failure reason.

use formsmith_engine::FailureReason;

/// One rule a value (or the schema itself) breaks, at a JSON path such as `/spouse_name`
/// or `/dependents/0/age` (JSON Pointer into the values object).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// JSON Pointer to the offending value (or schema node), `""` for the root.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

fn list(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that can go wrong generating, validating or filling from a schema.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The PDF could not be opened, filled or saved.
    #[error(transparent)]
    Engine(#[from] formsmith_engine::Error),
    /// The schema or the options are malformed (wrong type/field_type pair, bad bbox, ...).
    #[error("invalid schema or options: {}", list(.0))]
    InvalidOptions(Vec<Violation>),
    /// No schema was given and no field was found, or the schema has no properties.
    #[error("{0}")]
    EmptySchema(String),
    /// The values break the schema (types, enums, maxLength, conditional rules).
    #[error("values do not satisfy the schema: {}", list(.0))]
    SchemaValidation(Vec<Violation>),
    /// The instruction resolver failed (a language model that did not answer usefully).
    #[error("the instructions could not be resolved: {0}")]
    Resolver(String),
}

impl Error {
    /// The API failure reason this error is reported as.
    pub fn reason(&self) -> FailureReason {
        match self {
            Self::Engine(e) => e.reason(),
            Self::InvalidOptions(_) => FailureReason::InvalidOptions,
            Self::EmptySchema(_) => FailureReason::EmptySchema,
            Self::SchemaValidation(_) => FailureReason::SchemaValidationError,
            Self::Resolver(_) => FailureReason::InternalError,
        }
    }

    /// Shorthand for a single-violation [`Error::InvalidOptions`].
    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidOptions(vec![Violation {
            path: path.into(),
            message: message.into(),
        }])
    }
}

/// Schema result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
