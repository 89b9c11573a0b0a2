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
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hayro_interpret::kurbo::{Affine, Rect};
use hayro_interpret::{
    Context, InterpreterCache, InterpreterSettings, InterpreterWarning, RenderContent,
    interpret_page,
};
use hayro_syntax::{DecryptionError, LoadPdfError, Pdf, PdfData};

use crate::error::{Error, Result};
use crate::warning::TextWarning;
pub use layout::{Line, Word};

mod collect;
mod layout;
pub(crate) mod observe;

use collect::{Abort, Collector, FontNames, PageLimits};

/// How text is extracted, and the bounds on the work one page, and the whole document,
/// may cost. The bounds default to [`formsmith_engine::Limits`] (the one place their
/// defaults are documented); [`TextOptions::from_limits`] takes them from other limits.
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
    /// Decoded bytes (page content and the form XObjects each page draws) for all pages of
    /// one call together; past it the call fails with [`Error::LimitExceeded`].
    pub max_document_bytes: u64,
    /// Drawing operations for all pages of one call together ([`Error::LimitExceeded`]).
    pub max_document_ops: u64,
    /// Glyphs kept for all pages of one call together ([`Error::LimitExceeded`]).
    pub max_document_glyphs: u64,
    /// Wall-clock time for all pages of one call together ([`Error::LimitExceeded`]);
    /// `None` for no limit.
    pub max_document_time: Option<Duration>,
    /// Horizontal gap, in em of the font size, above which two glyphs belong to different
    /// words even without a space glyph between them. Producers that place words with TJ
    /// offsets instead of spaces leave 0.2 em or more; letter tracking and kerning stay
    /// well below (poppler uses 0.1, which splits some tracked words).
    pub word_gap: f32,
    /// Turn a page's failure (interpreter panic, limit) into [`Error::Page`] instead of a
    /// warning on that page.
    pub fail_on_page_error: bool,
}

impl TextOptions {
    /// The default options with the bounds of `limits`.
    pub fn from_limits(limits: &formsmith_engine::Limits) -> Self {
        Self {
            password: None,
            max_ops_per_page: limits.max_page_operations,
            max_glyphs_per_page: limits.max_page_glyphs,
            max_stream_bytes: limits.max_page_content_bytes,
            max_page_time: Some(limits.max_page_time),
            max_document_bytes: limits.max_total_decoded_bytes,
            max_document_ops: limits.max_total_operations,
            max_document_glyphs: limits.max_total_glyphs,
            max_document_time: Some(limits.max_total_time),
            word_gap: 0.15,
            fail_on_page_error: false,
        }
    }
}

impl Default for TextOptions {
    fn default() -> Self {
        Self::from_limits(&formsmith_engine::Limits::default())
    }
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

/// Extracts positioned words and lines from `pages` (zero-based; `None` for every page),
/// in the order asked.
///
/// Fails when the file cannot be opened ([`Error::Corrupt`], [`Error::Password`]) or a
/// page index is out of range; a page that cannot be read is returned with warnings, or
/// fails with [`Error::Page`] when [`TextOptions::fail_on_page_error`] is set. The pages
/// together exceeding a document bound of [`TextOptions`] fail with
/// [`Error::LimitExceeded`].
pub fn extract_text(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
) -> Result<Vec<PageText>> {
    let mut out = Vec::new();
    extract_observed(
        pdf,
        pages,
        options,
        &mut observe::NoObserver,
        &mut |text, _| {
            out.push(text);
            Ok(())
        },
    )?;
    Ok(out)
}

/// Decoded page content one opened document may hold before it is opened afresh. hayro
/// keeps each page's decoded content for as long as its document lives, so a document is
/// read in runs of pages, each run from a fresh open, and the content of earlier runs is
/// freed: memory stays near this plus one page, whatever the page count. Real documents
/// (a few hundred KiB per page) are read in one run.
const MAX_HELD_CONTENT: u64 = 32 << 20;

/// [`extract_text`], with `observer` seeing each page's drawing (paths, glyph runs, images)
/// in the same interpreter pass, under the same limits, and `sink` taking each page's text
/// (and the observer, to take that page's observations) as soon as the page is read, so
/// that callers keep only what they derive from a page, one page at a time.
pub(crate) fn extract_observed<O: observe::PageObserver>(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
    observer: &mut O,
    sink: &mut dyn FnMut(PageText, &mut O) -> Result<()>,
) -> Result<()> {
    let first = open_pdf(pdf, options.password.as_deref(), options.max_document_bytes)?;
    let count = first.pages().len();
    let selected = select_pages(pages, count)?;
    let data = first.data().clone();
    let mut budget = Budget::new(options);
    let mut doc = Some(first);
    let mut next = 0;
    while next < selected.len() {
        let current = match doc.take() {
            Some(doc) => doc,
            None => open_data(data.clone(), options.password.as_deref())?,
        };
        next = read_run(
            &current,
            &selected,
            next,
            options,
            &mut budget,
            observer,
            sink,
        )?;
    }
    Ok(())
}

/// What the pages of one call have cost so far, against the document bounds.
struct Budget<'o> {
    options: &'o TextOptions,
    bytes: u64,
    ops: u64,
    glyphs: u64,
    started: Instant,
}

impl<'o> Budget<'o> {
    fn new(options: &'o TextOptions) -> Self {
        Self {
            options,
            bytes: 0,
            ops: 0,
            glyphs: 0,
            started: Instant::now(),
        }
    }

    fn exceeded(limit: &'static str, detail: String) -> Error {
        Error::LimitExceeded { limit, detail }
    }

    fn add_bytes(&mut self, bytes: u64) -> Result<()> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.options.max_document_bytes {
            return Err(Self::exceeded(
                "max_total_decoded_bytes",
                format!(
                    "the pages decode to more than {} bytes (possible decompression bomb)",
                    self.options.max_document_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Time left for the document; `None` for no bound.
    fn time_left(&self) -> Result<Option<Duration>> {
        let Some(max) = self.options.max_document_time else {
            return Ok(None);
        };
        match max.checked_sub(self.started.elapsed()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(self.timed_out()),
        }
    }

    fn timed_out(&self) -> Error {
        let max = self.options.max_document_time.unwrap_or_default();
        Self::exceeded(
            "max_total_time",
            format!("reading the pages took more than {} s", max.as_secs_f32()),
        )
    }

    /// The bounds of the next page: the page limits, lowered to what the document has left.
    fn page_limits(&self) -> Result<PageLimits> {
        let o = self.options;
        let time_left = self.time_left()?;
        Ok(PageLimits {
            max_ops: o
                .max_ops_per_page
                .min(o.max_document_ops.saturating_sub(self.ops)),
            max_glyphs: o.max_glyphs_per_page.min(
                usize::try_from(o.max_document_glyphs.saturating_sub(self.glyphs))
                    .unwrap_or(usize::MAX),
            ),
            max_stream_bytes: o.max_stream_bytes,
            max_time: match (o.max_page_time, time_left) {
                (Some(page), Some(left)) => Some(page.min(left)),
                (page, left) => page.or(left),
            },
        })
    }

    /// Counts a read page; a page cut short by a limit that was the document's (what the
    /// document had left, below the page limit) fails the call.
    fn add_page(&mut self, ops: u64, glyphs: usize, warnings: &[TextWarning]) -> Result<()> {
        let o = self.options;
        let ops_left = o.max_document_ops.saturating_sub(self.ops);
        let glyphs_left = o.max_document_glyphs.saturating_sub(self.glyphs);
        self.ops = self.ops.saturating_add(ops);
        self.glyphs = self.glyphs.saturating_add(glyphs as u64);
        for w in warnings {
            match w {
                TextWarning::TooManyOperations { .. } if ops_left < o.max_ops_per_page => {
                    return Err(Self::exceeded(
                        "max_total_operations",
                        format!("the pages draw more than {} operations", o.max_document_ops),
                    ));
                }
                TextWarning::TooManyGlyphs { .. } if glyphs_left < o.max_glyphs_per_page as u64 => {
                    return Err(Self::exceeded(
                        "max_total_glyphs",
                        format!("the pages show more than {} glyphs", o.max_document_glyphs),
                    ));
                }
                TextWarning::TimedOut if self.time_left().is_err() => {
                    return Err(self.timed_out());
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Reads `selected[next..]` from `doc` until its held content passes [`MAX_HELD_CONTENT`];
/// returns where the next run starts.
fn read_run<O: observe::PageObserver>(
    doc: &Pdf,
    selected: &[usize],
    mut next: usize,
    options: &TextOptions,
    budget: &mut Budget<'_>,
    observer: &mut O,
    sink: &mut dyn FnMut(PageText, &mut O) -> Result<()>,
) -> Result<usize> {
    let count = doc.pages().len();
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

    let mut cache = InterpreterCache::new();
    let mut fonts = FontNames::new(settings.clone());
    let mut costs = HashMap::new();
    let mut held = 0u64;
    while let Some(&index) = selected.get(next) {
        if held > MAX_HELD_CONTENT {
            break;
        }
        let Some(page) = doc.pages().get(index) else {
            return Err(Error::PageOutOfRange { page: index, count });
        };
        let limits = budget.page_limits()?;
        observer.begin_page(index, page);
        let before = unsupported.load(Ordering::Relaxed);
        let mut glyphs = collect::PageGlyphs::default();
        let mut unmapped = 0;
        let mut ops = 0;
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
                decoded,
                ..
            }) => {
                budget.add_bytes(decoded)?;
                glyphs.warnings.push(warning);
            }
            Ok(scan) => {
                // Counted before the interpreter decodes the page again, so a document
                // over its budget stops here.
                budget.add_bytes(scan.decoded)?;
                held = held.saturating_add(scan.decoded);
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
                ops = collector.ops();
                glyphs = collector.out;
                if let Err(warning) = run {
                    failed = warning == TextWarning::InterpreterFailed;
                    glyphs.warnings.push(warning);
                }
            }
        }
        budget.add_page(ops, glyphs.glyphs.len(), &glyphs.warnings)?;
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
        sink(
            PageText {
                page: index,
                words,
                lines,
                warnings: glyphs.warnings,
            },
            observer,
        )?;
        next += 1;
    }
    Ok(next)
}

/// Opens a PDF with hayro (the empty user password, or `password`), failing like
/// [`extract_text`] on other file types, damage and encryption.
///
/// Object streams that together inflate past `max_decoded` bytes fail with
/// [`Error::LimitExceeded`] before hayro reads one: it keeps every object stream it
/// decodes for as long as the document lives.
pub(crate) fn open_pdf(pdf: &[u8], password: Option<&str>, max_decoded: u64) -> Result<Pdf> {
    sniff(pdf)?;
    let limits = formsmith_engine::Limits {
        max_total_decoded_bytes: max_decoded,
        ..formsmith_engine::Limits::default()
    };
    formsmith_engine::check_object_streams(pdf, &limits).map_err(|e| match e {
        formsmith_engine::Error::LimitExceeded { limit, detail } => {
            Error::LimitExceeded { limit, detail }
        }
        other => Error::Corrupt(other.to_string()),
    })?;
    open_data(Arc::new(pdf.to_vec()).into(), password)
}

/// Opens bytes already checked by [`open_pdf`] (shared, not copied): a fresh document
/// whose pages hold no decoded content yet.
pub(crate) fn open_data(data: PdfData, password: Option<&str>) -> Result<Pdf> {
    let password = password.unwrap_or("");
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
