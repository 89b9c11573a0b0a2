//! Positioned text of PDF pages: words and lines with boxes in PDF user space.
//!
//! Only the page's content stream and the XObjects it draws are read — never annotation
//! appearances — so the values of a filled AcroForm are not mistaken for printed labels.
//! Boxes are in the page's *default user space* (no CropBox shift, no /Rotate applied), the
//! space of an AcroForm widget's /Rect, so words and widgets compare directly.
//!
//! What counts as text: every glyph with a Unicode value (ToUnicode map, glyph name, or for
//! CID fonts of the Adobe Japan/GB/CNS/Korea collections without a ToUnicode map their
//! UCS2 map, as poppler does) whose box touches the visible page (CropBox ∩ MediaBox).
//! Invisible text (render mode 3, the text layer of OCR'd scans) counts; glyphs without a
//! Unicode value are left out and counted in a warning.
//!
//! Hostile files: hayro can panic, so each page runs behind `catch_unwind`; a page that
//! fails, or breaks a limit of [`TextOptions`], comes back with what was read before the
//! failure and a [`TextWarning`] (or, with [`TextOptions::fail_on_page_error`], as
//! [`Error::Page`]). Work is counted in drawing operations, which every glyph, path, image
//! and form XObject passes through; a content stream that draws nothing costs time in
//! proportion to its size, which [`TextOptions::max_stream_bytes`] bounds.

use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hayro_interpret::kurbo::{Affine, Rect};
use hayro_interpret::{
    Context, InterpreterCache, InterpreterSettings, InterpreterWarning, RenderContent,
    interpret_page,
};
use hayro_syntax::{DecryptionError, LoadPdfError, Pdf};

use crate::error::{Error, Result};

mod collect;
mod layout;
pub(crate) mod observe;

use collect::{Abort, Collector, FontNames, PageLimits};

/// How text is extracted, and the bounds on the work one page may cost.
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// Password for encrypted files. Files encrypted with an empty user password (most
    /// "owner-password only" forms) open without one.
    pub password: Option<String>,
    /// Drawing operations (each glyph, path, image, clip and form XObject counts one)
    /// interpreted per page before the page is cut short. Bounds the time a hostile page
    /// can take, e.g. XObjects that draw each other exponentially often.
    pub max_ops_per_page: u64,
    /// Glyphs kept per page before the page is cut short. Bounds memory.
    pub max_glyphs_per_page: usize,
    /// Largest decoded size of a page's content streams together, and of each form XObject
    /// it uses, in bytes. A larger page is not interpreted (a decompression bomb).
    pub max_stream_bytes: u64,
    /// Wall-clock time one page may take; `None` for no limit. Checked between drawing
    /// operations, so a limit only triggers on pathological pages.
    pub max_page_time: Option<Duration>,
    /// Horizontal gap, in em of the font size, above which two glyphs belong to different
    /// words even without a space glyph between them. Producers that place words with TJ
    /// offsets instead of spaces leave 0.2 em or more; letter tracking and kerning stay
    /// well below (poppler uses 0.1, which splits some tracked words).
    pub word_gap: f32,
    /// Turn a page's failure (interpreter panic, limit) into [`Error::Page`] instead of a
    /// warning on that page.
    pub fail_on_page_error: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        Self {
            password: None,
            max_ops_per_page: 2_000_000,
            max_glyphs_per_page: 200_000,
            max_stream_bytes: 64 << 20,
            max_page_time: Some(Duration::from_secs(10)),
            word_gap: 0.15,
            fail_on_page_error: false,
        }
    }
}

/// A word: glyphs on one baseline without a space or a wide gap between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word's text, with Latin ligatures (ﬁ, ﬂ, …) spelled out.
    pub text: String,
    /// Box (x0, y0, x1, y1) in the page's default user space: from the first glyph's origin
    /// to the last one's advance, 0.2 em below to 0.8 em above the baseline (the union of
    /// the rotated glyph boxes for rotated text).
    pub rect: [f32; 4],
    /// The effective font size in user space (the em height after all transforms), in points.
    pub font_size: f32,
    /// Most glyphs come from a bold font (by name: Bold, Black, Heavy, Semibold, Demi; or
    /// /FontWeight ≥ 600) or are filled and stroked (render mode 2), or the word is drawn
    /// twice over itself.
    pub bold: bool,
}

/// A line: words of one baseline and direction, without a gap wide enough to be a column
/// break (2 em) between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The words' texts joined by single spaces.
    pub text: String,
    /// The union of the words' boxes, in user space.
    pub rect: [f32; 4],
    /// The line's words, as indices into [`PageText::words`].
    pub words: std::ops::Range<usize>,
}

/// The text of one page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageText {
    /// Zero-based page index.
    pub page: usize,
    /// Words in reading order: lines top to bottom, words left to right, each in the text's
    /// own direction; the page's main direction first, then other directions.
    pub words: Vec<Word>,
    /// Lines in reading order; their word ranges cover `words` in order.
    pub lines: Vec<Line>,
    /// Problems met on the page. With a failure or a limit, the words are those read
    /// before it.
    pub warnings: Vec<TextWarning>,
}

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

/// Extracts positioned words and lines from `pages` (zero-based; `None` for every page),
/// in the order asked.
///
/// Fails when the file cannot be opened ([`Error::Corrupt`], [`Error::Password`]) or a
/// page index is out of range; a page that cannot be read is returned with warnings, or
/// fails with [`Error::Page`] when [`TextOptions::fail_on_page_error`] is set.
pub fn extract_text(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
) -> Result<Vec<PageText>> {
    extract_observed(pdf, pages, options, &mut observe::NoObserver)
}

/// [`extract_text`], with `observer` seeing each page's drawing (paths, glyph runs, images)
/// in the same interpreter pass, under the same limits.
pub(crate) fn extract_observed(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
    observer: &mut dyn observe::PageObserver,
) -> Result<Vec<PageText>> {
    let doc = open_pdf(pdf, options.password.as_deref())?;
    let count = doc.pages().len();
    let selected = select_pages(pages, count)?;

    let unsupported = Arc::new(AtomicUsize::new(0));
    let sink_count = unsupported.clone();
    let settings = InterpreterSettings {
        warning_sink: Arc::new(move |w| {
            if matches!(w, InterpreterWarning::UnsupportedFont) {
                sink_count.fetch_add(1, Ordering::Relaxed);
            }
        }),
        // Page content only: annotation appearances (filled form values) are not labels.
        render_content: RenderContent::PAGE,
        ..InterpreterSettings::default()
    };
    let limits = PageLimits {
        max_ops: options.max_ops_per_page,
        max_glyphs: options.max_glyphs_per_page,
        max_stream_bytes: options.max_stream_bytes,
        max_time: options.max_page_time,
    };

    let mut cache = InterpreterCache::new();
    let mut fonts = FontNames::new(settings.clone());
    let mut costs = HashMap::new();
    let mut out = Vec::with_capacity(selected.len());
    for index in selected {
        let Some(page) = doc.pages().get(index) else {
            return Err(Error::PageOutOfRange { page: index, count });
        };
        observer.begin_page(index, page);
        let before = unsupported.load(Ordering::Relaxed);
        let mut glyphs = collect::PageGlyphs::default();
        let mut unmapped = 0;
        let mut failed = false;
        match guarded(&limits, || {
            collect::scan_page(page, limits.max_stream_bytes, &mut costs)
        }) {
            Err(warning) => {
                failed = true;
                glyphs.warnings.push(warning);
            }
            Ok(collect::PageScan {
                refused: Some(warning),
                ..
            }) => glyphs.warnings.push(warning),
            Ok(scan) => {
                fonts.set_page_fonts(scan.fonts);
                let visible = visible_box(page);
                let bbox = Rect::new(visible[0], visible[1], visible[2], visible[3]);
                let mut context =
                    Context::new(Affine::IDENTITY, bbox, &cache, doc.xref(), settings.clone());
                let mut collector = Collector::new(&mut fonts, limits, visible);
                let run = guarded(&limits, || {
                    let mut device = observe::Observed {
                        collector: &mut collector,
                        observer: &mut *observer,
                    };
                    interpret_page(page, &mut context, &mut device);
                });
                unmapped = collector.unmapped();
                glyphs = collector.out;
                if let Err(warning) = run {
                    failed = warning == TextWarning::InterpreterFailed;
                    glyphs.warnings.push(warning);
                }
            }
        }
        if failed {
            // A panic may leave hayro's caches half-filled: start afresh for the next page.
            cache = InterpreterCache::new();
            fonts = FontNames::new(settings.clone());
        }
        let new_unsupported = unsupported.load(Ordering::Relaxed).saturating_sub(before);
        if new_unsupported > 0 {
            glyphs.warnings.push(TextWarning::UnsupportedFonts {
                count: new_unsupported,
            });
        }
        if unmapped > 0 {
            glyphs
                .warnings
                .push(TextWarning::UnmappedGlyphs { count: unmapped });
        }
        if options.fail_on_page_error
            && let Some(problem) = glyphs.warnings.iter().find(|w| w.is_failure())
        {
            return Err(Error::Page {
                page: index,
                problem: problem.clone(),
            });
        }
        let (words, lines) = layout::layout(&glyphs, options.word_gap);
        out.push(PageText {
            page: index,
            words,
            lines,
            warnings: glyphs.warnings,
        });
    }
    Ok(out)
}

/// Opens a PDF with hayro (the empty user password, or `password`), failing like
/// [`extract_text`] on other file types, damage and encryption.
pub(crate) fn open_pdf(pdf: &[u8], password: Option<&str>) -> Result<Pdf> {
    sniff(pdf)?;
    let password = password.unwrap_or("");
    let data = pdf.to_vec();
    catch_unwind(AssertUnwindSafe(|| Pdf::new_with_password(data, password)))
        .map_err(|_| Error::Corrupt("the PDF parser failed".into()))?
        .map_err(load_error)
}

/// The pages asked (`None`: all of `count`), or the first one out of range.
pub(crate) fn select_pages(pages: Option<&[usize]>, count: usize) -> Result<Vec<usize>> {
    match pages {
        Some(list) => {
            if let Some(&page) = list.iter().find(|&&p| p >= count) {
                return Err(Error::PageOutOfRange { page, count });
            }
            Ok(list.to_vec())
        }
        None => Ok((0..count).collect()),
    }
}

/// Runs hayro code: a panic becomes [`TextWarning::InterpreterFailed`], and an [`Abort`]
/// thrown by the collector the warning of the limit it hit.
fn guarded<T>(limits: &PageLimits, f: impl FnOnce() -> T) -> Result<T, TextWarning> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| match payload.downcast_ref::<Abort>() {
        Some(Abort::Ops) => TextWarning::TooManyOperations {
            limit: limits.max_ops,
        },
        Some(Abort::Glyphs) => TextWarning::TooManyGlyphs {
            limit: limits.max_glyphs,
        },
        Some(Abort::Time) => TextWarning::TimedOut,
        None => TextWarning::InterpreterFailed,
    })
}

/// The visible part of the page in user space (CropBox ∩ MediaBox); glyphs outside it are
/// dropped, as viewers do not show them.
fn visible_box(page: &hayro_syntax::page::Page<'_>) -> [f64; 4] {
    let b = page.intersected_crop_box();
    if b.width() > 0.0 && b.height() > 0.0 {
        [b.x0, b.y0, b.x1, b.y1]
    } else {
        [f64::MIN, f64::MIN, f64::MAX, f64::MAX]
    }
}

/// Where the PDF header may start (viewers accept junk before it).
const HEADER_WINDOW: usize = 1024;

/// Tells other file types and empty input apart from damaged PDFs before parsing.
fn sniff(bytes: &[u8]) -> Result<()> {
    if bytes.is_empty() {
        return Err(Error::Corrupt("the file is empty (0 bytes)".into()));
    }
    let window = bytes.get(..bytes.len().min(HEADER_WINDOW)).unwrap_or(bytes);
    if window.windows(5).any(|w| w == b"%PDF-") {
        return Ok(());
    }
    // The engine's table of other formats, so both crates name a wrong file the same way.
    Err(match formsmith_engine::sniff_non_pdf(bytes) {
        Some(kind) => Error::NotPdf(format!("the file is {kind}")),
        None => Error::Corrupt(format!(
            "no %PDF- header in the first {HEADER_WINDOW} bytes"
        )),
    })
}

fn load_error(e: LoadPdfError) -> Error {
    match e {
        LoadPdfError::Decryption(DecryptionError::PasswordProtected) => {
            Error::Password("the password is missing or wrong".into())
        }
        LoadPdfError::Decryption(DecryptionError::UnsupportedAlgorithm) => {
            Error::Password("the encryption scheme is not supported (certificate?)".into())
        }
        LoadPdfError::Decryption(other) => {
            Error::Corrupt(format!("broken encryption data ({other:?})"))
        }
        LoadPdfError::Invalid => Error::Corrupt("no readable cross-reference or page tree".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> PageLimits {
        PageLimits {
            max_ops: 7,
            max_glyphs: 9,
            max_stream_bytes: 1,
            max_time: None,
        }
    }

    #[test]
    fn panics_and_aborts_become_warnings() {
        assert_eq!(guarded(&limits(), || 5), Ok(5));
        let failed = guarded(&limits(), || -> u8 { panic!("hayro fell over") });
        assert_eq!(failed, Err(TextWarning::InterpreterFailed));
        let ops = guarded(&limits(), || -> u8 {
            std::panic::resume_unwind(Box::new(Abort::Ops))
        });
        assert_eq!(ops, Err(TextWarning::TooManyOperations { limit: 7 }));
        let glyphs = guarded(&limits(), || -> u8 {
            std::panic::resume_unwind(Box::new(Abort::Glyphs))
        });
        assert_eq!(glyphs, Err(TextWarning::TooManyGlyphs { limit: 9 }));
    }
}
