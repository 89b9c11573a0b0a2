//! Scanned pages: the page is rendered, OCR reads its words and the raster reader its lines
//! and boxes, both in the page's deskewed display frame, so the vector finder runs on them
//! unchanged. Candidates go back to the page as scanned (turned by the skew again).

use std::sync::Arc;

use hayro_syntax::PdfData;

use crate::error::Result;
use crate::graphics::{Bx, DisplayFrame, Seg};
use crate::ocr::{Engine, OcrOptions, is_noise};
use crate::raster::{lines, render_page};
use crate::read::{PageInput, PlacedWord};
use crate::text::TextOptions;

/// OCR words below this confidence are not used as labels (specks, bits of lines).
const MIN_CONFIDENCE: f32 = 0.3;

/// What one scanned page gives the finder, and how to put its boxes back on the page.
pub struct Scanned {
    /// The page as the vector pass would give it, in the deskewed frame.
    pub input: PageInput,
    /// Skew of the page (degrees, clockwise as displayed).
    pub skew: f32,
    /// Centre of the rotation (display points).
    center: (f32, f32),
}

impl Scanned {
    /// A box of the deskewed frame as it sits on the scanned page (its centre turned back
    /// by the skew; the size kept).
    pub fn to_page(&self, b: Bx) -> Bx {
        let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
        let (x, y) = turn(self.center, (cx, cy), self.skew);
        let (hw, hh) = ((b[2] - b[0]) / 2.0, (b[3] - b[1]) / 2.0);
        [x - hw, y - hh, x + hw, y + hh]
    }
}

/// `p` turned by `degrees` (clockwise as displayed, y down) about `c`.
fn turn(c: (f32, f32), p: (f32, f32), degrees: f32) -> (f32, f32) {
    let (s, k) = degrees.to_radians().sin_cos();
    let (dx, dy) = (p.0 - c.0, p.1 - c.1);
    (c.0 + dx * k - dy * s, c.1 + dx * s + dy * k)
}

/// Opens the document and the OCR engine once, for the scanned pages of one call.
pub struct ScanReader {
    /// The file's bytes, shared with each page's open.
    data: PdfData,
    engine: Engine,
}

impl ScanReader {
    /// Opens `pdf` (with the password and size limit of `text`) and the OCR engine.
    pub fn new(pdf: &[u8], text: &TextOptions, ocr: &OcrOptions) -> Result<Self> {
        let doc = crate::text::open_pdf(pdf, text.password.as_deref(), text.max_document_bytes)?;
        let engine = Engine::new(&ocr.language, ocr.layout, ocr.timeout)?;
        Ok(ScanReader {
            data: doc.data().clone(),
            engine,
        })
    }

    /// Reads page `index` from its pixels.
    pub fn read(&mut self, index: usize, text: &TextOptions, ocr: &OcrOptions) -> Result<Scanned> {
        // A fresh open per page: hayro keeps a page's decoded content as long as its
        // document lives; OCR is slow enough that opening again costs nothing.
        let doc = crate::text::open_data(self.data.clone(), text.password.as_deref())?;
        let count = doc.pages().len();
        let page = doc
            .pages()
            .get(index)
            .ok_or(crate::Error::PageOutOfRange { page: index, count })?;
        let frame = DisplayFrame::of_page(page);
        let (gray, scale) = render_page(page, ocr.dpi, ocr.max_pixels)?;
        let gray = Arc::new(gray);
        let raw = self.engine.recognize(gray.clone(), Some(scale * 72.0))?;
        let raster = lines::read_raster(&gray, scale);
        let center = (
            gray.width as f32 / scale / 2.0,
            gray.height as f32 / scale / 2.0,
        );
        let mut words = Vec::with_capacity(raw.len());
        for w in raw {
            if w.confidence < MIN_CONFIDENCE || is_noise(&w.text) {
                continue;
            }
            let r = w.rect.map(|v| v / scale);
            if implausible(&w.text, &r) {
                continue;
            }
            let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
            // Into the deskewed frame: turned back by the skew.
            let (x, y) = turn(center, (cx, cy), -raster.skew);
            let (hw, hh) = ((r[2] - r[0]) / 2.0, (r[3] - r[1]) / 2.0);
            words.push(PlacedWord {
                text: w.text,
                rect: [x - hw, y - hh, x + hw, y + hh],
                // Ink height of a word is about 0.7 em (capitals and ascenders).
                size: (2.0 * hh / 0.7).clamp(4.0, 72.0),
            });
        }
        let words = reading_order(words);
        let mut graphics = raster.graphics;
        // Strokes of letters (bold titles make long ones) are not lines: drop lines that lie
        // inside a word's box.
        graphics.segs.retain(|seg| !inside_a_word(seg, &words));
        lines::add_squares(&mut graphics, &raster.squares);
        Ok(Scanned {
            input: PageInput {
                frame,
                graphics,
                words,
            },
            skew: raster.skew,
            center,
        })
    }
}

/// Reading order, as the text pass gives it: rows top to bottom (a word joins the row whose
/// first word's middle it straddles), each left to right. A total order: sorting with a
/// pairwise "same row" test is not one, and Rust's sort panics on such comparators.
fn reading_order(mut words: Vec<PlacedWord>) -> Vec<PlacedWord> {
    let mid = |w: &PlacedWord| (w.rect[1] + w.rect[3]) / 2.0;
    words.sort_by(|a, b| mid(a).total_cmp(&mid(b)));
    let mut rows: Vec<Vec<PlacedWord>> = Vec::new();
    let mut row_mid = f32::NEG_INFINITY;
    for w in words {
        match rows.last_mut() {
            Some(row) if w.rect[1] <= row_mid && row_mid <= w.rect[3] => row.push(w),
            _ => {
                row_mid = mid(&w);
                rows.push(vec![w]);
            }
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| a.rect[0].total_cmp(&b.rect[0]));
            row
        })
        .collect()
}

/// Whether a line no longer than a letter is tall lies (mostly) inside the box of one
/// OCR'd word.
fn inside_a_word(seg: &Seg, words: &[PlacedWord]) -> bool {
    const MARGIN: f32 = 1.0;
    words.iter().any(|w| {
        // Letter strokes are no longer than the letters are tall.
        if w.text.chars().filter(|c| c.is_alphanumeric()).count() < 2
            || seg.len() > 1.2 * (w.rect[3] - w.rect[1])
        {
            return false;
        }
        let r = [
            w.rect[0] - MARGIN,
            w.rect[1] - MARGIN,
            w.rect[2] + MARGIN,
            w.rect[3] + MARGIN,
        ];
        let (across_lo, across_hi, along_lo, along_hi) = if seg.horizontal {
            (r[1], r[3], r[0], r[2])
        } else {
            (r[0], r[2], r[1], r[3])
        };
        if seg.at < across_lo || seg.at > across_hi {
            return false;
        }
        let overlap = seg.hi.min(along_hi) - seg.lo.max(along_lo);
        overlap >= 0.8 * seg.len()
    })
}

/// A word box far wider than its letters can be: tesseract took box edges and the empty cell
/// beside a small number as part of it ("7" over a whole amount cell). As a label it is
/// garbage, and its box would make the empty cell look printed.
fn implausible(text: &str, r: &Bx) -> bool {
    let chars = text.chars().count() as f32;
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    w > 1.5 * h * (chars + 1.0)
}
