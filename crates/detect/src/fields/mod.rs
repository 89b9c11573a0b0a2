//! Fillable areas of flat (vector) pages: text inputs, comb inputs, check boxes and
//! signature areas, each with the printed label a person reads next to it.
//!
//! One interpreter pass per page reads both the text (with its limits) and the drawing
//! (`formsmith_page::graphics`: rules, box edges, filled areas, box glyphs). The
//! finder then works in the page's display frame (top-left origin, as shown):
//!
//! - **boxes**: the smallest rectangles closed by horizontal and vertical lines; an empty one
//!   is a text input (a box holding printed text is a label or a table heading, unless the
//!   text is a caption in its top edge, as in "label-in-box" forms, where the input is the
//!   space below it);
//! - **combs**: rows of three or more equal small boxes side by side, or a box divided by
//!   ticks rising from its bottom edge: one text input with `comb` cells;
//! - **check boxes**: small squares (lines, rounded outlines, circles) and box glyphs
//!   (☐, ❏, ZapfDingbats and Wingdings squares);
//! - **underlines**: rules (paths, or runs of `_`) with free space above them: a text input
//!   on the rule, from the end of the label printed on it to the rule's end;
//! - **signatures**: inputs whose label says "signature" or "sign here".
//!
//! Boxes are returned in user space, like widget rectangles.

mod boxes;
pub(crate) mod candidate;
mod find;
mod labels;
mod lines;
mod rules;
mod score;
mod score_model;
mod trees;

use std::time::{Duration, Instant};

pub use candidate::{FieldKind, FieldSource};
use formsmith_page::graphics::Bx;
use formsmith_page::ocr::{self, Layout, OcrOptions};
use formsmith_page::read::{PageInput, each_page, is_image_only};
use formsmith_page::scan::ScanReader;
use formsmith_page::{Error, Result, TextOptions, TextWarning};

/// How fields are detected.
#[derive(Debug, Clone)]
pub struct DetectOptions {
    /// Text extraction and its limits (password, operations, glyphs, time per page); the
    /// same limits bound the drawing operations read for detection.
    pub text: TextOptions,
    /// Fields kept per page (the first ones in reading order); bounds the output of hostile
    /// pages.
    pub max_fields_per_page: usize,
    /// Read scanned pages (one image covering the page) from their pixels: OCR for the
    /// labels, lines and boxes found on the raster. Needs the `ocr` feature; without it (or
    /// with this off) such pages come back `image_only` with no fields.
    pub scanned_pages: bool,
    /// How scanned pages are rendered and read (resolution, pixel limit, language, time);
    /// by default tesseract's sparse text mode, which finds more of a form's scattered labels.
    pub ocr: OcrOptions,
    /// Scanned pages read from their pixels per call (each costs seconds of OCR); later
    /// ones come back without fields and with a [`TextWarning::ScanNotRead`].
    pub max_scanned_pages: usize,
    /// Candidates the learned scorer rates below this (0..1) are left out, on pages with at
    /// least 8 candidates (fewer leave it nothing to compare with); 0 keeps every candidate
    /// the rules find. The default is the threshold the model was trained for.
    pub min_confidence: f32,
}

impl Default for DetectOptions {
    fn default() -> Self {
        Self {
            text: TextOptions::default(),
            max_fields_per_page: 2_000,
            scanned_pages: true,
            ocr: OcrOptions {
                layout: Layout::Sparse,
                ..OcrOptions::default()
            },
            max_scanned_pages: 100,
            min_confidence: score_model::THRESHOLD,
        }
    }
}

/// A detected fillable area.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedField {
    /// What it takes.
    pub kind: FieldKind,
    /// Its box (x0, y0, x1, y1) in the page's user space, like a widget's /Rect.
    pub rect: [f32; 4],
    /// The printed label a person reads for it (left of it, above it, below a signature
    /// line, or right of a check box), cleaned of leaders and colons.
    pub label: Option<String>,
    /// For comb inputs: the number of cells (one character each).
    pub comb: Option<u32>,
    /// The box is tall enough for several lines of text.
    pub multiline: bool,
    /// What made it.
    pub source: FieldSource,
    /// Found on a scanned page (from its pixels and OCR'd words) rather than from drawing
    /// operations: the box is as precise as the scan.
    pub from_scan: bool,
    /// The learned scorer's estimate (0..1) that a person sees a field here.
    pub confidence: f32,
}

/// The fields of one page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageFields {
    /// Zero-based page index.
    pub page: usize,
    /// Fields in reading order (top to bottom, left to right, as displayed).
    pub fields: Vec<DetectedField>,
    /// The page is one image (a scan). Its fields were read from the pixels when
    /// `scan_skew` is set; otherwise (no `ocr` feature, or scanned pages turned off, or OCR
    /// failed: see the warnings) it has none.
    pub image_only: bool,
    /// For a scanned page read from its pixels: its skew in degrees (clockwise as
    /// displayed), which the fields' boxes follow.
    pub scan_skew: Option<f32>,
    /// The page draws more than detection reads (a limit on lines, boxes or fields was
    /// reached): fields may be missing.
    pub truncated: bool,
    /// Problems met reading the page (failures and limits cut it short).
    pub warnings: Vec<TextWarning>,
    /// Time spent on the page (reading and finding).
    pub elapsed: Duration,
}

/// Boxes at least this tall (points) take several lines of text.
const MULTILINE_HEIGHT: f32 = 30.0;

/// Detects the fillable areas of `pages` (zero-based; `None` for every page), in the order
/// asked.
///
/// Fails like [`formsmith_page::extract_text`] when the file cannot be opened or a page index is out
/// of range; a page that cannot be read (fully) comes back with what was found and
/// warnings.
pub fn detect_fields(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &DetectOptions,
) -> Result<Vec<PageFields>> {
    Ok(detect(pdf, pages, options, false)?
        .into_iter()
        .map(|(page, _)| page)
        .collect())
}

/// [`detect_fields`] with every candidate the rules find (whatever `min_confidence` says)
/// and each one's scorer features, in field order: what the scorer is trained on
/// (`examples/train_scorer.rs`).
#[doc(hidden)]
pub fn detect_fields_with_features(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &DetectOptions,
) -> Result<Vec<(PageFields, Vec<[f32; FEATURES]>)>> {
    detect(pdf, pages, options, true)
}

/// The scorer's features and trees, for the training example.
#[doc(hidden)]
pub use score::{FEATURE_NAMES, FEATURES};

fn detect(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &DetectOptions,
    keep_features: bool,
) -> Result<Vec<(PageFields, Vec<[f32; FEATURES]>)>> {
    let mut out = Vec::new();
    let mut scanner: Option<Result<ScanReader>> = None;
    let mut scanned_count = 0usize;
    // Each page is detected as soon as it is read: only its fields are kept.
    each_page(pdf, pages, &options.text, &mut |(
        page,
        input,
        mut warnings,
        read_time,
    )| {
        let started = Instant::now();
        let image_only = is_image_only(&input);
        let mut fields = Vec::new();
        let mut features = keep_features.then(Vec::new);
        let mut truncated = false;
        let mut scan_skew = None;
        if !image_only {
            truncated = find_fields(&input, options, &mut fields, &mut features, |b| b, false);
        } else if options.scanned_pages && ocr::AVAILABLE {
            scanned_count += 1;
            let reader =
                scanner.get_or_insert_with(|| ScanReader::new(pdf, &options.text, &options.ocr));
            let scanned = if scanned_count > options.max_scanned_pages {
                Err(Error::TooLarge(format!(
                    "more than {} scanned pages",
                    options.max_scanned_pages
                )))
            } else {
                Ok(())
            }
            .and_then(|()| {
                ocr::check_images(
                    page,
                    input.graphics.largest_image,
                    options.ocr.max_image_pixels,
                )
            })
            .and_then(|()| match warnings.iter().find(|w| w.is_failure()) {
                // The renderer has no limits of its own: a page that broke the text pass's
                // is not rendered.
                Some(problem) => Err(Error::Page {
                    page,
                    problem: problem.clone(),
                }),
                None => Ok(()),
            })
            .and_then(|()| match reader {
                Ok(reader) => reader.read(page, &options.text, &options.ocr),
                Err(e) => Err(Error::Ocr(e.to_string())),
            });
            match scanned {
                Ok(s) => {
                    truncated = find_fields(
                        &s.input,
                        options,
                        &mut fields,
                        &mut features,
                        |b| s.to_page(b),
                        true,
                    );
                    scan_skew = Some(s.skew);
                }
                Err(e) => warnings.push(TextWarning::ScanNotRead {
                    reason: e.to_string(),
                }),
            }
        }
        out.push((
            PageFields {
                page,
                fields,
                image_only,
                scan_skew,
                truncated,
                warnings,
                elapsed: read_time + started.elapsed(),
            },
            features.unwrap_or_default(),
        ));
        Ok(())
    })?;
    Ok(out)
}

/// Runs the finder on one page and appends the fields the scorer keeps (boxes through
/// `place`, then to user space); with `features`, keeps every candidate and appends its
/// features there. Returns whether fields were cut by a limit.
fn find_fields(
    input: &PageInput,
    options: &DetectOptions,
    fields: &mut Vec<DetectedField>,
    features: &mut Option<Vec<[f32; FEATURES]>>,
    place: impl Fn(Bx) -> Bx,
    from_scan: bool,
) -> bool {
    let (width, height) = input.frame.size();
    let labels = labels::Labels::new(&input.words);
    let finder = candidate::Page {
        size: (width, height),
        graphics: &input.graphics,
        words: candidate::WordIndex::new(&input.words, height),
        labels,
    };
    let (candidates, cut) = find::find(&finder);
    let truncated = cut || candidates.len() > options.max_fields_per_page;
    let candidates: Vec<candidate::Candidate> = candidates
        .into_iter()
        .take(options.max_fields_per_page)
        .collect();
    let scored: Vec<([f32; FEATURES], f32)> = (0..candidates.len())
        .map(|i| {
            let x = score::features(&finder, &candidates, i);
            (x, score::confidence(&x))
        })
        .collect();
    // The scorer leans on a field's siblings (same size, same column, same row); on a page
    // of a few candidates it has none to judge by, and the rules' candidates stand.
    let judged = candidates.len() >= score::MIN_CANDIDATES_TO_JUDGE;
    for (c, (x, confidence)) in candidates.into_iter().zip(scored) {
        match features {
            Some(sink) => sink.push(x),
            None if judged && confidence < options.min_confidence => continue,
            None => {}
        }
        let tall = c.rect[3] - c.rect[1] >= MULTILINE_HEIGHT;
        fields.push(DetectedField {
            kind: c.kind,
            rect: input.frame.to_user(place(c.rect)),
            label: c.label,
            comb: c.comb,
            multiline: tall && c.comb.is_none() && c.kind == FieldKind::Text,
            source: c.source,
            from_scan,
            confidence,
        });
    }
    truncated
}
