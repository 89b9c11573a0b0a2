//! The crate's one error type; each variant is one parse failure reason of the API (§6.5).

/// A failed parse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The config is malformed (`INVALID_CONFIG_OPTIONS`); the message names the key.
    #[error("{0}")]
    InvalidConfig(String),
    /// The input could not be read as a document (PDF errors keep the engine's reason).
    #[error(transparent)]
    Engine(#[from] formsmith_engine::Error),
    /// Reading a page failed.
    #[error(transparent)]
    Page(#[from] formsmith_page::Error),
    /// An input type we do not parse.
    #[error("{0}")]
    FileTypeNotSupported(String),
    /// Office/HTML conversion to PDF failed or is unavailable.
    #[error("{0}")]
    ConversionFailed(String),
    /// OCR failed or is unavailable.
    #[error("{0}")]
    Ocr(String),
    /// The input exceeds a limit (pages, bytes) (`FILE_SIZE_TOO_LARGE`).
    #[error("{0}")]
    TooLarge(String),
    /// Chunking failed.
    #[error("{0}")]
    Chunking(String),
}

impl Error {
    /// The API failure reason, e.g. `CORRUPT_FILE`, `OCR_ERROR`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidConfig(_) => "INVALID_CONFIG_OPTIONS",
            Self::Engine(e) => parse_reason(e.reason().code()),
            Self::Page(e) if e.is_ocr() => "OCR_ERROR",
            Self::Page(e) => parse_reason(e.reason().code()),
            Self::TooLarge(_) => "FILE_SIZE_TOO_LARGE",
            Self::FileTypeNotSupported(_) => "FILE_TYPE_NOT_SUPPORTED",
            Self::ConversionFailed(_) => "FAILED_TO_CONVERT_TO_PDF",
            Self::Ocr(_) => "OCR_ERROR",
            Self::Chunking(_) => "CHUNKING_ERROR",
        }
    }
}

/// The parse API's name for a reason shared with the edit API.
fn parse_reason(code: &'static str) -> &'static str {
    match code {
        // Edit's INVALID_OPTIONS (a page out of range) is parse's INVALID_CONFIG_OPTIONS.
        "INVALID_OPTIONS" => "INVALID_CONFIG_OPTIONS",
        // Reading a page failed where detection would have: an internal failure here.
        "FIELD_DETECTION_ERROR" | "EMPTY_SCHEMA" | "SCHEMA_VALIDATION_ERROR" => "INTERNAL_ERROR",
        other => other,
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
