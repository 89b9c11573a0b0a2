//! One error enum for the engine. Each variant maps to exactly one API failure reason
//! (spec §4.6), so the server and the CLI never have to guess.

use std::fmt;

/// The API failure reason an [`Error`] maps to (the `failureReason` / error `code` strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureReason {
    /// The bytes are not a PDF (an image, an office file, plain text).
    FileTypeNotSupported,
    /// The file is larger than the configured limit.
    FileSizeTooLarge,
    /// The PDF is damaged beyond recovery, or breaks a safety limit while being read.
    CorruptFile,
    /// The PDF needs a user password (or a certificate) that was not given.
    PasswordProtectedFile,
    /// The request asks for something the form cannot take (unknown field, bad value).
    InvalidOptions,
    /// Nothing to fill: no fields and no values.
    EmptySchema,
    /// A value breaks the form's own constraints (options, MaxLen, read-only).
    SchemaValidationError,
    /// Finding fillable areas on a page failed.
    FieldDetectionError,
    /// A bug or an environment problem on our side.
    InternalError,
}

impl FailureReason {
    /// The wire name, e.g. `CORRUPT_FILE`.
    pub fn code(self) -> &'static str {
        match self {
            Self::FileTypeNotSupported => "FILE_TYPE_NOT_SUPPORTED",
            Self::FileSizeTooLarge => "FILE_SIZE_TOO_LARGE",
            Self::CorruptFile => "CORRUPT_FILE",
            Self::PasswordProtectedFile => "PASSWORD_PROTECTED_FILE",
            Self::InvalidOptions => "INVALID_OPTIONS",
            Self::EmptySchema => "EMPTY_SCHEMA",
            Self::SchemaValidationError => "SCHEMA_VALIDATION_ERROR",
            Self::FieldDetectionError => "FIELD_DETECTION_ERROR",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Everything that can go wrong opening, filling or saving a form.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a PDF.
    #[error("file type not supported: {0}")]
    NotPdf(String),
    /// An XFA-only (dynamic) form: its fields exist only in the XFA stream.
    #[error(
        "file type not supported: this is a dynamic XFA form with no AcroForm widgets; only AcroForm (and hybrid XFA) forms can be filled. Re-save it as a static/AcroForm PDF first"
    )]
    XfaOnly,
    /// The input is larger than [`crate::Limits::max_input_bytes`].
    #[error("file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Input size in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The PDF cannot be read.
    #[error("corrupt PDF: {0}")]
    Corrupt(String),
    /// A safety limit was hit while reading the PDF.
    #[error("PDF exceeds the {limit} limit ({detail})")]
    LimitExceeded {
        /// Which limit (its name in [`crate::Limits`]).
        limit: &'static str,
        /// What was found.
        detail: String,
    },
    /// The PDF needs a password that was not given, or the given one is wrong.
    #[error("{0}")]
    Password(String),
    /// A value names a field the form does not have.
    #[error("unknown field {name:?}{}", suggestion_text(.suggestions))]
    UnknownField {
        /// The name as given.
        name: String,
        /// The closest real field names.
        suggestions: Vec<String>,
    },
    /// A value cannot be written to its field.
    #[error("field {field:?}: {reason}")]
    InvalidValue {
        /// Fully qualified field name.
        field: String,
        /// Why, for a person.
        reason: String,
    },
    /// The form has no fields at all.
    #[error("no fillable fields found in this PDF")]
    NoFields,
    /// The values file (JSON or XFDF) cannot be read.
    #[error("bad values: {0}")]
    BadValues(String),
    /// A file named as input cannot be read (missing, a directory, no permission): a bad
    /// argument, not a corrupt file.
    #[error("{0}")]
    Unreadable(String),
    /// An internal failure (a bug, or writing failed).
    #[error("internal error: {0}")]
    Internal(String),
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            suggestions
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

impl Error {
    /// The API failure reason this error is reported as.
    pub fn reason(&self) -> FailureReason {
        match self {
            Self::NotPdf(_) | Self::XfaOnly => FailureReason::FileTypeNotSupported,
            Self::TooLarge { .. } => FailureReason::FileSizeTooLarge,
            Self::Corrupt(_) | Self::LimitExceeded { .. } => FailureReason::CorruptFile,
            Self::Password(_) => FailureReason::PasswordProtectedFile,
            Self::UnknownField { .. } | Self::BadValues(_) | Self::Unreadable(_) => {
                FailureReason::InvalidOptions
            }
            Self::InvalidValue { .. } => FailureReason::SchemaValidationError,
            Self::NoFields => FailureReason::EmptySchema,
            Self::Internal(_) => FailureReason::InternalError,
        }
    }
}

/// Engine result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
