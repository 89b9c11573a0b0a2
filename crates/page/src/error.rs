//! The crate's one error type, mapped onto the API failure reasons of the engine.

use formsmith_engine::FailureReason;

/// Why text (or, later, fields) could not be extracted from a PDF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are another kind of file (an image, an archive, an office document).
    #[error("not a PDF: {0}")]
    NotPdf(String),
    /// The bytes are not a readable PDF: no usable cross-reference data or page tree, or
    /// broken encryption data.
    #[error("cannot read the PDF: {0}")]
    Corrupt(String),
    /// The PDF is encrypted and neither the empty user password nor the given one opens it
    /// (or it uses an encryption scheme we cannot decrypt, such as certificates).
    #[error("the PDF is password protected: {0}")]
    Password(String),
    /// A requested page index is not in the document.
    #[error("page {page} does not exist (the document has {count} pages)")]
    PageOutOfRange {
        /// The zero-based index that was asked for.
        page: usize,
        /// The number of pages in the document.
        count: usize,
    },
    /// A page could not be interpreted (only with [`TextOptions::fail_on_page_error`]; by
    /// default the page is returned empty, with the problem in its warnings).
    ///
    /// [`TextOptions::fail_on_page_error`]: crate::TextOptions::fail_on_page_error
    #[error("page {page}: {problem}")]
    Page {
        /// The zero-based page index.
        page: usize,
        /// What went wrong.
        problem: crate::warning::TextWarning,
    },
    /// The pages together exceed a document bound of [`TextOptions`] (decoded bytes,
    /// operations, glyphs, time; defaults in `formsmith_engine::Limits`): reported as
    /// CORRUPT_FILE, like the engine's `LimitExceeded`.
    ///
    /// [`TextOptions`]: crate::TextOptions
    #[error("a safety limit was hit ({limit}): {detail}")]
    LimitExceeded {
        /// The limit's name in `formsmith_engine::Limits`.
        limit: &'static str,
        /// What exceeded it.
        detail: String,
    },
    /// An image file (PNG, JPEG, TIFF) that cannot be decoded.
    #[error("cannot read the image: {0}")]
    CorruptImage(String),
    /// An image (or a page to render) is larger than the pixel limit, or a file has more
    /// pages than read at most.
    #[error("too large: {0}")]
    TooLarge(String),
    /// OCR could not run: the crate was built without the `ocr` feature, tesseract or its
    /// language data is missing, or recognition failed or timed out. Reported as
    /// FIELD_DETECTION_ERROR by detection; parse reports it as its own OCR failure (see
    /// [`Error::is_ocr`]).
    #[error("OCR failed: {0}")]
    Ocr(String),
}

impl Error {
    /// The API failure reason this error is reported as.
    pub fn reason(&self) -> FailureReason {
        match self {
            Self::NotPdf(_) => FailureReason::FileTypeNotSupported,
            Self::Corrupt(_) => FailureReason::CorruptFile,
            Self::Password(_) => FailureReason::PasswordProtectedFile,
            Self::PageOutOfRange { .. } => FailureReason::InvalidOptions,
            Self::Page { .. } => FailureReason::FieldDetectionError,
            Self::LimitExceeded { .. } => FailureReason::CorruptFile,
            Self::CorruptImage(_) => FailureReason::CorruptFile,
            Self::TooLarge(_) => FailureReason::FileSizeTooLarge,
            Self::Ocr(_) => FailureReason::FieldDetectionError,
        }
    }

    /// Whether this is an OCR failure ([`Error::Ocr`]), which callers with an OCR failure
    /// reason of their own (parse's OCR_ERROR) report as such.
    pub fn is_ocr(&self) -> bool {
        matches!(self, Self::Ocr(_))
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
