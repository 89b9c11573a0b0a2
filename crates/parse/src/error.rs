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
    Detect(#[from] formsmith_detect::Error),
    /// An input type we do not parse.
    #[error("{0}")]
    FileTypeNotSupported(String),
    /// Office/HTML conversion to PDF failed or is unavailable.
    #[error("{0}")]
    ConversionFailed(String),
    /// OCR failed or is unavailable.
    #[error("{0}")]
    Ocr(String),
    /// Chunking failed.
    #[error("{0}")]
    Chunking(String),
}

impl Error {
    /// The API failure reason, e.g. `CORRUPT_FILE`, `OCR_ERROR`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidConfig(_) => "INVALID_CONFIG_OPTIONS",
            Self::Engine(e) => e.reason().code(),
            Self::Detect(e) => e.reason().code(),
            Self::FileTypeNotSupported(_) => "FILE_TYPE_NOT_SUPPORTED",
            Self::ConversionFailed(_) => "FAILED_TO_CONVERT_TO_PDF",
            Self::Ocr(_) => "OCR_ERROR",
            Self::Chunking(_) => "CHUNKING_ERROR",
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
