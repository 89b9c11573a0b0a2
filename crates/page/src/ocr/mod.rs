//! OCR of scanned pages and images: words and lines with boxes in PDF user space, like
//! [`crate::extract_text`] gives for pages with a text layer.
//!
//! Built on Debian's libtesseract (feature `ocr`), loaded with dlopen on the first page that
//! needs it (`formsmith-tesseract`): nothing to build against; `libtesseract5`,
//! `tesseract-ocr-eng` and other `tesseract-ocr-LANG` packages at run time. Without the
//! feature every entry point fails with [`Error::Ocr`] ("built without the ocr feature");
//! with it but without the library or the language data, with an [`Error::Ocr`] naming the
//! packages to install. Run the process with `OMP_THREAD_LIMIT=1` (the CLI sets it for the
//! commands that may OCR): tesseract's OpenMP threads only slow it down on shared cores.
//!
//! Bounds: rasters are at most [`OcrOptions::max_pixels`] (PDF pages are rendered at a lower
//! resolution to fit; images above it are refused with [`Error::TooLarge`] before their
//! pixels are decoded), and each page may take [`OcrOptions::timeout`].

mod engine;

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::graphics::DisplayFrame;
use crate::raster;
use crate::read::each_page;
use crate::text::{Line, TextOptions, Word};

pub use crate::read::{
    MAX_SCANNED_LINES, MAX_SCANNED_WORDS, ScanCheck, page_is_scanned, scanned_pages,
};
pub use engine::{AVAILABLE, Layout};
pub(crate) use engine::{Engine, RawWord};

/// How pages and images are read by OCR.
#[derive(Debug, Clone)]
pub struct OcrOptions {
    /// Tesseract language(s): `eng` (the default), `rus`, `eng+rus`, … Each needs its
    /// Debian package `tesseract-ocr-LANG`.
    pub language: String,
    /// Resolution PDF pages are rendered at for OCR (pixels per inch).
    pub dpi: f32,
    /// Largest raster read, in pixels: PDF pages are rendered at a lower resolution to fit;
    /// larger images are refused. Bounds memory (tesseract needs several bytes a pixel).
    /// Default `formsmith_engine::Limits::max_render_pixels`.
    pub max_pixels: u64,
    /// Largest image (in samples) a PDF page may draw to be rendered: the renderer decodes
    /// each image whole, whatever resolution the page is rendered at. Pages beyond it fail
    /// with [`Error::TooLarge`] before any pixel is decoded. Default
    /// `formsmith_engine::Limits::max_image_pixels`.
    pub max_image_pixels: u64,
    /// Wall-clock time OCR of one page may take; `None` for no limit.
    pub timeout: Option<Duration>,
    /// Password for encrypted PDFs (the empty user password is always tried).
    pub password: Option<String>,
    /// How tesseract finds the text on the page.
    pub layout: Layout,
}

impl Default for OcrOptions {
    fn default() -> Self {
        // The pixel bounds are formsmith_engine::Limits' (documented there).
        let limits = formsmith_engine::Limits::default();
        Self {
            language: "eng".into(),
            dpi: 300.0,
            max_pixels: limits.max_render_pixels,
            max_image_pixels: limits.max_image_pixels,
            timeout: Some(Duration::from_secs(60)),
            password: None,
            layout: Layout::Auto,
        }
    }
}

/// The text OCR read on one page (or one picture of an image file).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OcrPage {
    /// Zero-based page index (the picture's index for multi-page TIFF files).
    pub page: usize,
    /// Page width in points: the MediaBox width for PDF pages; for images, pixels at the
    /// image's resolution (72 dpi when the file does not say, i.e. 1 px = 1 pt).
    pub width: f32,
    /// Page height in points (see `width`).
    pub height: f32,
    /// Words in reading order with boxes in PDF user space (y up; for images, origin at the
    /// bottom-left corner of the picture, as if it were a PDF page of `width` x `height`).
    /// The box is the ink of the word as tesseract found it; `font_size` is the height of
    /// its line; `bold` is never set.
    pub words: Vec<Word>,
    /// Lines as tesseract grouped the words; their ranges cover `words` in order.
    pub lines: Vec<Line>,
    /// Tesseract's confidence per word (0..1), parallel to `words`.
    pub confidence: Vec<f32>,
}

/// OCRs `pages` of a PDF (zero-based; `None` for every page), in the order asked: each page
/// is rendered in gray at [`OcrOptions::dpi`] (less when it would exceed
/// [`OcrOptions::max_pixels`]) and read by tesseract, whatever text layer it has.
///
/// Fails like [`crate::extract_text`] when the file cannot be opened or a page is out of
/// range; with [`Error::Page`] when a page breaks the limits of [`TextOptions`] (it is not
/// rendered), [`Error::TooLarge`] when it draws an image over
/// [`OcrOptions::max_image_pixels`], [`Error::Ocr`] when OCR is not available or fails or
/// times out.
pub fn ocr_pdf(pdf: &[u8], pages: Option<&[usize]>, options: &OcrOptions) -> Result<Vec<OcrPage>> {
    let doc = crate::text::open_pdf(
        pdf,
        options.password.as_deref(),
        TextOptions::default().max_document_bytes,
    )?;
    let count = doc.pages().len();
    let selected = crate::text::select_pages(pages, count)?;
    // The images each page would decode to be rendered, from a drawing pass that decodes
    // none of them: a page with a huge image is refused before its pixels are allocated.
    let text = TextOptions {
        password: options.password.clone(),
        ..TextOptions::default()
    };
    each_page(pdf, Some(&selected), &text, &mut |(
        page,
        input,
        warnings,
        _,
    )| {
        check_images(page, input.graphics.largest_image, options.max_image_pixels)?;
        // The renderer has no operation or time limits of its own: a page that broke the
        // text pass's limits (or crashed it) is not rendered.
        if let Some(problem) = warnings.into_iter().find(|w| w.is_failure()) {
            return Err(Error::Page { page, problem });
        }
        Ok(())
    })?;
    let data = doc.data().clone();
    drop(doc);
    let mut engine = Engine::new(&options.language, options.layout, options.timeout)?;
    let mut out = Vec::with_capacity(selected.len());
    for index in selected {
        // A fresh open per page: hayro keeps a page's decoded content as long as its
        // document lives, and rendering is slow enough that opening again costs nothing.
        let doc = crate::text::open_data(data.clone(), options.password.as_deref())?;
        let page = doc
            .pages()
            .get(index)
            .ok_or(Error::PageOutOfRange { page: index, count })?;
        let frame = DisplayFrame::of_page(page);
        let (gray, scale) = raster::render_page(page, options.dpi, options.max_pixels)?;
        let words = engine.recognize(Arc::new(gray), Some(scale * 72.0))?;
        let media = frame.geometry.media_box;
        let to_user = |r: [f32; 4]| frame.to_user(r.map(|v| v / scale));
        out.push(build_page(
            index,
            media[2] - media[0],
            media[3] - media[1],
            &words,
            to_user,
        ));
    }
    Ok(out)
}

/// OCRs a PNG, JPEG or TIFF image (every picture of a multi-page TIFF, one [`OcrPage`]
/// each). Coordinates are points at the image's resolution from its metadata (PNG pHYs,
/// JPEG JFIF density, TIFF XResolution), else 72 dpi (1 px = 1 pt), with the origin at
/// the bottom-left corner as on a PDF page.
///
/// Fails with [`Error::NotPdf`] for other file types, [`Error::Corrupt`] for undecodable
/// data, [`Error::TooLarge`] for pictures above [`OcrOptions::max_pixels`] (checked from
/// the header, before decoding), [`Error::Ocr`] when OCR is not available or fails.
pub fn ocr_image(bytes: &[u8], options: &OcrOptions) -> Result<Vec<OcrPage>> {
    // The file is checked and decoded first: a wrong or hostile file fails the same way
    // with or without the feature.
    let pictures = raster::decode_image(bytes, options.max_pixels)?;
    let mut engine = Engine::new(&options.language, options.layout, options.timeout)?;
    let mut out = Vec::with_capacity(pictures.len());
    for (index, picture) in pictures.into_iter().enumerate() {
        let (dx, dy) = picture.dpi.unwrap_or((72.0, 72.0));
        let (sx, sy) = (72.0 / dx, 72.0 / dy);
        let (width, height) = (
            picture.gray.width as f32 * sx,
            picture.gray.height as f32 * sy,
        );
        let words = engine.recognize(Arc::new(picture.gray), picture.dpi.map(|d| d.0))?;
        let to_user = |r: [f32; 4]| [r[0] * sx, height - r[3] * sy, r[2] * sx, height - r[1] * sy];
        out.push(build_page(index, width, height, &words, to_user));
    }
    Ok(out)
}

/// Refuses a page whose largest image is beyond what rendering should decode.
pub fn check_images(page: usize, largest: u64, limit: u64) -> Result<()> {
    if largest > limit {
        return Err(Error::TooLarge(format!(
            "page {page} draws an image of {largest} pixels, more than the limit of {limit}"
        )));
    }
    Ok(())
}

/// Words tesseract reports that carry no text: rules and box edges read as `|`, `—`, `_`.
pub(crate) fn is_noise(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric)
        && text.chars().all(|c| {
            matches!(
                c,
                '|' | '_'
                    | '-'
                    | '—'
                    | '–'
                    | '='
                    | '~'
                    | '['
                    | ']'
                    | '‘'
                    | '’'
                    | '\''
                    | '"'
                    | '“'
                    | '”'
                    | '.'
                    | ','
                    | ':'
                    | ';'
                    | '!'
                    | '/'
                    | '\\'
            )
        })
        && text.chars().count() >= 1
        && !matches!(text, "$" | "%")
}

fn build_page(
    index: usize,
    width: f32,
    height: f32,
    raw: &[RawWord],
    to_user: impl Fn([f32; 4]) -> [f32; 4],
) -> OcrPage {
    let mut page = OcrPage {
        page: index,
        width,
        height,
        ..OcrPage::default()
    };
    let mut start = 0;
    while start < raw.len() {
        let key = raw[start].line;
        let end = raw[start..]
            .iter()
            .position(|w| w.line != key)
            .map_or(raw.len(), |n| start + n);
        let members: Vec<&RawWord> = raw[start..end]
            .iter()
            .filter(|w| !is_noise(&w.text))
            .collect();
        start = end;
        if members.is_empty() {
            continue;
        }
        // The line's height in pixels stands for the font size of its words.
        let top = members
            .iter()
            .map(|w| w.rect[1])
            .fold(f32::INFINITY, f32::min);
        let bottom = members
            .iter()
            .map(|w| w.rect[3])
            .fold(f32::NEG_INFINITY, f32::max);
        let probe = to_user([0.0, top, 1.0, bottom]);
        let size = (probe[3] - probe[1]).abs().max(1.0);
        let first = page.words.len();
        let mut rect = [
            f32::INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
        ];
        for w in &members {
            let r = to_user(w.rect);
            let r = [
                r[0].min(r[2]),
                r[1].min(r[3]),
                r[0].max(r[2]),
                r[1].max(r[3]),
            ];
            rect = [
                rect[0].min(r[0]),
                rect[1].min(r[1]),
                rect[2].max(r[2]),
                rect[3].max(r[3]),
            ];
            page.words.push(Word {
                text: w.text.clone(),
                rect: r,
                font_size: size,
                bold: false,
            });
            page.confidence.push(w.confidence);
        }
        let text = members
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        page.lines.push(Line {
            text,
            rect,
            words: first..page.words.len(),
        });
    }
    page
}
