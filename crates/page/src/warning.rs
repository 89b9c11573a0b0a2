//! What can go wrong on one page without failing the document.

use std::fmt;

/// A recoverable problem on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextWarning {
    /// The PDF interpreter failed on the page (the file is damaged or hostile).
    InterpreterFailed,
    /// The page draws more than [`TextOptions::max_ops_per_page`] operations.
    TooManyOperations {
        /// The limit that was reached.
        limit: u64,
    },
    /// The page has more than [`TextOptions::max_glyphs_per_page`] glyphs.
    TooManyGlyphs {
        /// The limit that was reached.
        limit: usize,
    },
    /// A content stream or form XObject inflates beyond [`TextOptions::max_stream_bytes`];
    /// the page was not interpreted.
    StreamTooLarge {
        /// The limit that was exceeded.
        limit: u64,
    },
    /// A string or array in the page's content is longer than `limit` bytes (one text
    /// operator showing that many glyphs would exhaust memory); the page was not
    /// interpreted.
    OperandTooLarge {
        /// The limit that was exceeded.
        limit: u64,
    },
    /// The page took longer than [`TextOptions::max_page_time`].
    TimedOut,
    /// Fonts that could not be loaded; their text was measured with a substitute, so its
    /// boxes may be off.
    UnsupportedFonts {
        /// How many font loads failed.
        count: usize,
    },
    /// Glyphs without a Unicode mapping (no ToUnicode entry, no known glyph name); they
    /// are left out of the text.
    UnmappedGlyphs {
        /// How many glyphs were left out.
        count: usize,
    },
    /// A scanned page could not be read from its pixels (OCR unavailable or failed, the
    /// page too large to render); it has no detected fields.
    ScanNotRead {
        /// What went wrong.
        reason: String,
    },
}

impl TextWarning {
    /// Whether the page's text is incomplete because of this problem (a failure or a
    /// limit), rather than merely imprecise.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::InterpreterFailed
                | Self::TooManyOperations { .. }
                | Self::TooManyGlyphs { .. }
                | Self::StreamTooLarge { .. }
                | Self::OperandTooLarge { .. }
                | Self::TimedOut
        )
    }
}

impl fmt::Display for TextWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InterpreterFailed => f.write_str("the PDF interpreter failed on this page"),
            Self::TooManyOperations { limit } => {
                write!(
                    f,
                    "more than {limit} drawing operations; the rest was skipped"
                )
            }
            Self::TooManyGlyphs { limit } => {
                write!(f, "more than {limit} glyphs; the rest was skipped")
            }
            Self::StreamTooLarge { limit } => {
                write!(
                    f,
                    "a content stream inflates beyond {limit} bytes; page skipped"
                )
            }
            Self::OperandTooLarge { limit } => {
                write!(
                    f,
                    "a string or array is longer than {limit} bytes; page skipped"
                )
            }
            Self::TimedOut => f.write_str("the page took too long; the rest was skipped"),
            Self::UnsupportedFonts { count } => write!(f, "{count} fonts could not be loaded"),
            Self::ScanNotRead { reason } => {
                write!(f, "the scanned page could not be read: {reason}")
            }
            Self::UnmappedGlyphs { count } => {
                write!(
                    f,
                    "{count} glyphs have no Unicode mapping and were left out"
                )
            }
        }
    }
}
