//! One interpreter pass over a page gives both what it says (the text collector's words)
//! and what it draws (the [`graphics`](crate::graphics) recorder): the input of field
//! detection, of the scanned-page check and of parse's ruled tables.

use std::time::{Duration, Instant};

use crate::error::Result;
use crate::graphics::{Bx, DisplayFrame, GraphicsRecorder, PageGraphics};
use crate::text::{PageText, TextOptions};
use crate::warning::TextWarning;

/// What a page draws that detection reads, in user space: straight lines (as thin boxes,
/// from paths and from runs of `_`), small outlines and box glyphs, and white areas on a
/// tinted background. One list per page
/// asked, in order. For judging detection: a widget whose place shows none of these marks
/// was drawn only by its own appearance, and a flat copy of the page shows no field there.
pub fn page_marks(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
) -> Result<Vec<Vec<[f32; 4]>>> {
    Ok(text_and_marks(pdf, pages, options)?
        .into_iter()
        .map(|(_, marks)| marks)
        .collect())
}

/// Each page's text (as [`crate::extract_text`] gives it) with its marks (as [`page_marks`]
/// gives them), read in one interpreter pass: for callers that need both (parse reads ruled
/// tables from the marks).
pub fn text_and_marks(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
) -> Result<Vec<(PageText, Vec<[f32; 4]>)>> {
    let mut out = Vec::new();
    let mut recorder = GraphicsRecorder::default();
    // A page's graphics become its marks as soon as it is read, and are dropped.
    crate::text::extract_observed(pdf, pages, options, &mut recorder, &mut |text, recorder| {
        let Some((_, frame, graphics)) = recorder.pages.pop() else {
            return Ok(());
        };
        let lines = graphics.segs.iter().map(|s| {
            let half = s.width.max(0.5) / 2.0;
            if s.horizontal {
                [s.lo, s.at - half, s.hi, s.at + half]
            } else {
                [s.at - half, s.lo, s.at + half, s.hi]
            }
        });
        let marks = lines
            .chain(graphics.frames.iter().map(|f| f.rect))
            .chain(graphics.white_areas())
            .map(|b| frame.to_user(b))
            .collect();
        out.push((text, marks));
        Ok(())
    })?;
    Ok(out)
}

/// A page that is one picture: images cover most of it, and it has (almost) neither text
/// nor lines.
pub fn is_image_only(input: &PageInput) -> bool {
    scan_check(0, input).scanned
}

/// How scanned a read page looks.
pub fn scan_check(page: usize, input: &PageInput) -> ScanCheck {
    let (width, height) = input.frame.size();
    let page_area = (width * height).max(1.0);
    let covered: f32 = input
        .graphics
        .images
        .iter()
        .map(|b| (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0))
        .sum();
    let coverage = (covered / page_area).clamp(0.0, 1.0);
    ScanCheck {
        page,
        scanned: input.words.len() <= MAX_SCANNED_WORDS
            && input.graphics.segs.len() <= MAX_SCANNED_LINES
            && coverage >= 0.5,
        words: input.words.len(),
        image_coverage: coverage,
    }
}

/// One page as the finder sees it: display frame, graphics and words.
pub struct PageInput {
    /// How the page is displayed.
    pub frame: DisplayFrame,
    /// What it draws.
    pub graphics: PageGraphics,
    /// Words in the display frame, in reading order.
    pub words: Vec<PlacedWord>,
}

/// A word in the display frame.
#[derive(Debug, Clone)]
pub struct PlacedWord {
    /// The word.
    pub text: String,
    /// Its box in the display frame.
    pub rect: Bx,
    /// Its font size (points).
    pub size: f32,
}

/// One page read: its index, what the finder sees, the text pass's warnings and the time
/// reading it took.
pub type ReadPage = (usize, PageInput, Vec<TextWarning>, Duration);

/// Reads pages and their drawing in one pass, handing each page to `f` as soon as it is
/// read (its graphics are dropped after `f`: one page's drawing is held at a time).
pub fn each_page(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
    f: &mut dyn FnMut(ReadPage) -> Result<()>,
) -> Result<()> {
    let mut recorder = GraphicsRecorder::default();
    let mut last = Instant::now();
    crate::text::extract_observed(pdf, pages, options, &mut recorder, &mut |text, recorder| {
        // begin_page pushed this page's graphics; nothing else is on the recorder.
        let Some((index, frame, graphics)) = recorder.pages.pop() else {
            return Ok(());
        };
        debug_assert_eq!(text.page, index);
        let PageText {
            page,
            words,
            warnings,
            ..
        } = text;
        let words = words
            .into_iter()
            .map(|w| PlacedWord {
                rect: frame.to_display(w.rect),
                text: w.text,
                size: w.font_size,
            })
            .collect();
        let read_time = last.elapsed();
        f((
            page,
            PageInput {
                frame,
                graphics,
                words,
            },
            warnings,
            read_time,
        ))?;
        last = Instant::now();
        Ok(())
    })
}

/// Whether a page looks scanned, and what that was decided from.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanCheck {
    /// Zero-based page index.
    pub page: usize,
    /// The page is one picture: (almost) no text, (almost) no drawn lines, and images cover
    /// at least half of it. Such pages need OCR for their text.
    pub scanned: bool,
    /// Words in the page's text layer (invisible OCR text counts).
    pub words: usize,
    /// Share of the page (0..1) covered by images (sum of their boxes, capped at 1).
    pub image_coverage: f32,
}

/// Words a scanned page may have in a text layer (a stamp, a page number) and still count
/// as scanned.
pub const MAX_SCANNED_WORDS: usize = 3;
/// Straight lines a scanned page may draw (a frame around the picture) and still count as
/// scanned.
pub const MAX_SCANNED_LINES: usize = 8;

/// Tells which of `pages` (zero-based; `None` for all) are scans ([`page_is_scanned`] for
/// each), reading each page once through the text pass and its observer. Works without
/// the `ocr` feature.
pub fn scanned_pages(
    pdf: &[u8],
    pages: Option<&[usize]>,
    options: &TextOptions,
) -> Result<Vec<ScanCheck>> {
    let mut out = Vec::new();
    each_page(pdf, pages, options, &mut |(page, input, _, _)| {
        out.push(scan_check(page, &input));
        Ok(())
    })?;
    Ok(out)
}

/// Whether page `page` (zero-based) of a PDF is a scan; see [`scanned_pages`].
pub fn page_is_scanned(pdf: &[u8], page: usize, options: &TextOptions) -> Result<bool> {
    Ok(scanned_pages(pdf, Some(&[page]), options)?
        .first()
        .is_some_and(|c| c.scanned))
}
