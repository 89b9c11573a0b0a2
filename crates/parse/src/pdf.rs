//! One document, end to end: pages read, laid out, turned into blocks and chunks.

use std::collections::HashMap;
use std::time::Instant;

use formsmith_page::{PageText, TextOptions};
use formsmith_engine::{FailureReason, FieldType, Form, OpenOptions, PageGeometry};
use serde_json::{Map, Value, json};

use crate::chunk::{self, Conf, PageOut, Piece};
use crate::config::{Enrichment, TableFormat, Target};
use crate::error::{Error, Result};
use crate::layout::{self, Edge, Item, Kind};
use crate::page_in::{Bx, KeyValue, PageIn, TLine, TWord};
use crate::output::{Block, PageRef, ParseOutput};
use crate::tables;
use crate::{ParseOutcome, ParseRequest};

/// Whether OCR is compiled in (this crate's feature, or another crate's through detect).
pub(crate) const OCR_BUILT: bool = formsmith_page::ocr::AVAILABLE;

/// Words a page may have and still be checked for being a scan (a stamp, a page number).
const SCAN_MAX_WORDS: usize = 3;

fn display(geometry: PageGeometry, rect: [f32; 4]) -> Bx {
    let d = geometry.to_display(rect);
    [d.left, d.top, d.right, d.bottom]
}

/// A page's words and lines from the text pass, in the display frame, bounded to
/// `max_chars` characters.
fn page_in(text: &PageText, geometry: PageGeometry, max_chars: usize, warnings: &mut Vec<String>, number: usize) -> PageIn {
    let mut chars = 0usize;
    let mut words = Vec::with_capacity(text.words.len());
    for w in &text.words {
        chars += w.text.chars().count();
        if chars > max_chars {
            warnings.push(format!("page {number}: more than {max_chars} characters; the rest was left out"));
            break;
        }
        words.push(TWord {
            text: w.text.clone(),
            bbox: display(geometry, w.rect),
            size: f64::from(w.font_size),
            bold: w.bold,
            conf: None,
        });
    }
    page_of(geometry, words, &text.lines)
}

/// Layout input of a page: its words (display frame) and the text pass's lines over them.
fn page_of(geometry: PageGeometry, words: Vec<TWord>, lines: &[formsmith_page::Line]) -> PageIn {
    let (width, height) = geometry.display_size();
    let lines = lines
        .iter()
        .map(|l| TLine {
            words: l.words.clone().filter(|&i| i < words.len()).collect(),
        })
        .filter(|l| !l.words.is_empty())
        .collect();
    PageIn {
        width,
        height,
        words,
        lines,
        rules: Vec::new(),
        key_values: Vec::new(),
    }
}

/// The form's values on page `index` as key-value items ("Label: value").
fn key_values(form: &Form, index: usize, geometry: PageGeometry, blank: bool) -> Vec<KeyValue> {
    let mut out = Vec::new();
    for f in form.fields() {
        if f.kind == FieldType::Button {
            continue;
        }
        let on_page: Vec<_> = f.widgets.iter().filter(|w| w.page == Some(index) && !w.hidden).collect();
        let Some(first) = on_page.first() else {
            continue;
        };
        let text_value = match &f.value {
            Value::String(s) => s.trim().to_string(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| {
                    f.option_pairs
                        .iter()
                        .find(|o| o.export == s)
                        .map_or(s, |o| o.label.as_str())
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let (value, widget) = match f.kind {
            FieldType::Checkbox => {
                let on = !text_value.is_empty() && text_value != "Off";
                (if on { "[x]".to_string() } else { String::new() }, *first)
            }
            FieldType::Radio => {
                if text_value.is_empty() || text_value == "Off" {
                    (String::new(), *first)
                } else {
                    let w = on_page
                        .iter()
                        .find(|w| w.on_state.as_deref() == Some(text_value.as_str()))
                        .copied()
                        .unwrap_or(*first);
                    (text_value.clone(), w)
                }
            }
            FieldType::Signature => (
                if f.value.is_null() { String::new() } else { "[signed]".into() },
                *first,
            ),
            _ if f.has_flag("Password") && !text_value.is_empty() => ("••••••".into(), *first),
            FieldType::Combo | FieldType::List => {
                let label = f
                    .option_pairs
                    .iter()
                    .find(|o| o.export == text_value)
                    .map_or(text_value.clone(), |o| o.label.clone());
                (label, *first)
            }
            _ => (text_value.clone(), *first),
        };
        let value = if value.is_empty() {
            if !blank {
                continue;
            }
            if matches!(f.kind, FieldType::Checkbox | FieldType::Radio) {
                "[ ]".to_string()
            } else {
                "____".to_string()
            }
        } else {
            value
        };
        let label = f
            .tooltip
            .as_deref()
            .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or_else(|| f.short_name())
            .chars()
            .take(200)
            .collect::<String>();
        let value = value.replace(['\r', '\n'], " ");
        out.push(KeyValue {
            content: format!("{label}: {value}"),
            bbox: display(geometry, widget.rect),
        });
    }
    out
}

/// Parses a PDF; `warnings` carries notes from before (a conversion).
pub(crate) fn parse_pdf(bytes: &[u8], request: &ParseRequest<'_>, mut warnings: Vec<String>) -> Result<ParseOutcome> {
    let config = &request.config;
    let started = Instant::now();
    let password = request.password.map(str::to_string);
    let text_options = TextOptions {
        password: password.clone(),
        ..config.limits.text.clone()
    };
    let form = match Form::open(
        bytes,
        &OpenOptions {
            password: password.clone(),
            ..OpenOptions::default()
        },
    ) {
        Ok(f) => Some(f),
        Err(e) if matches!(e.reason(), FailureReason::PasswordProtectedFile | FailureReason::FileTypeNotSupported) => {
            return Err(e.into());
        }
        Err(_) => None,
    };
    // Markdown looks for ruled tables: the thin marks come from the same interpreter pass
    // as the text (reading the pages twice cost about as much again).
    let with_marks = config.target_kind() == Target::Markdown;
    let read = |pages: Option<&[usize]>| -> Result<Vec<(PageText, Vec<[f32; 4]>)>> {
        Ok(if with_marks {
            formsmith_page::text_and_marks(bytes, pages, &text_options)?
        } else {
            formsmith_page::extract_text(bytes, pages, &text_options)?
                .into_iter()
                .map(|t| (t, Vec::new()))
                .collect()
        })
    };
    let (selected, mut read_pages) = match &form {
        Some(f) => {
            let selected = config.selected_pages(f.page_count())?;
            check_pages(selected.len(), config.limits.max_pages)?;
            let texts = read(Some(&selected))?;
            (selected, texts)
        }
        None => {
            // The object layer could not be read (or the form is XFA-only): the text pass
            // decides whether the file can be read at all.
            let all = read(None)?;
            let selected = config.selected_pages(all.len())?;
            check_pages(selected.len(), config.limits.max_pages)?;
            let keep: std::collections::HashSet<usize> = selected.iter().copied().collect();
            (selected, all.into_iter().filter(|(t, _)| keep.contains(&t.page)).collect())
        }
    };
    if read_pages.is_empty() && selected.is_empty() {
        return Err(Error::Engine(formsmith_engine::Error::Corrupt("the document has no pages".into())));
    }
    if form.is_none() && !read_pages.is_empty() {
        warnings.push("the PDF's object layer could not be read: no form values, page boxes assume US Letter".into());
    }
    read_pages.sort_by_key(|(t, _)| selected.iter().position(|&p| p == t.page));
    let (texts, marks): (Vec<PageText>, Vec<Vec<[f32; 4]>>) = read_pages.into_iter().unzip();
    let geometry = |index: usize| form.as_ref().and_then(|f| f.page_geometry(index)).unwrap_or(PageGeometry::LETTER);

    let mut pages: Vec<PageIn> = Vec::with_capacity(texts.len());
    let mut scan_candidates = Vec::new();
    for (k, text) in texts.iter().enumerate() {
        let number = k + 1;
        for w in &text.warnings {
            warnings.push(format!("page {number}: {w}"));
        }
        let g = geometry(text.page);
        let mut p = page_in(text, g, config.limits.max_chars_per_page, &mut warnings, number);
        if let Some(f) = &form {
            p.key_values = key_values(f, text.page, g, config.blank_fields);
        }
        if text.words.len() <= SCAN_MAX_WORDS {
            scan_candidates.push(k);
        }
        pages.push(p);
    }

    // Thin marks for ruled tables, on pages with enough text to hold a table.
    if with_marks && started.elapsed() < config.limits.max_total_time {
        for ((text, marks), p) in texts.iter().zip(marks).zip(pages.iter_mut()) {
            if text.words.len() >= 4 {
                let g = geometry(text.page);
                p.rules = marks.into_iter().map(|m| display(g, m)).collect();
            }
        }
    }

    let ocr_pages = scanned_pages(bytes, &texts, &scan_candidates, &text_options, &mut warnings);
    apply_ocr(bytes, request, &texts, &ocr_pages, &mut pages, &mut warnings, &geometry)?;
    finish(pages, request, warnings)
}

/// Lays out the pages and chunks them.
fn finish(pages: Vec<PageIn>, request: &ParseRequest<'_>, warnings: Vec<String>) -> Result<ParseOutcome> {
    let config = &request.config;
    let mut ocr_words: Vec<Value> = Vec::new();
    let styles = layout::Styles::of(&pages);
    let edges = layout::edges(&pages);
    let spatial = config.target_kind() == Target::Spatial;
    let mut outs = Vec::with_capacity(pages.len());
    for (k, page) in pages.iter().enumerate() {
        let number = k + 1;
        if config.return_ocr_words {
            ocr_word_values(page, number, &mut ocr_words);
        }
        let pref = PageRef {
            number,
            width: page.width,
            height: page.height,
        };
        let found = if spatial { Vec::new() } else { tables::find_tables(&page.rules, &page.words) };
        let empty = HashMap::new();
        let items = layout::layout_page(page, found, edges.get(k).unwrap_or(&empty), &styles);
        let pieces: Vec<Piece> = items.into_iter().map(|item| piece(item, page, pref, request)).collect();
        let conf = Conf::of(page.words.iter().filter_map(|w| w.conf));
        let content = if spatial {
            layout::spatial_text(page, config.vertical_grouping)
        } else {
            pieces.iter().map(|p| p.block.content.as_str()).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("\n\n")
        };
        outs.push(PageOut {
            number,
            pieces,
            content,
            conf,
        });
    }
    let page_count = outs.len();
    let chunks = chunk::chunks(outs, config.chunking_kind(), spatial, config.min_characters, config.max_characters);
    let ocr = config.return_ocr_words.then(|| json!({"words": ocr_words}));
    Ok(ParseOutcome {
        output: ParseOutput { chunks, ocr },
        page_count,
        warnings,
    })
}

fn check_pages(n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::TooLarge(format!("{n} pages selected; at most {max} are parsed in one run")));
    }
    Ok(())
}

/// Which of the candidate pages (positions in `texts`) are scans: one picture, no text.
fn scanned_pages(
    bytes: &[u8],
    texts: &[PageText],
    candidates: &[usize],
    options: &TextOptions,
    warnings: &mut Vec<String>,
) -> Vec<usize> {
    if candidates.is_empty() {
        return Vec::new();
    }
    let indices: Vec<usize> = candidates.iter().filter_map(|&k| texts.get(k).map(|t| t.page)).collect();
    match formsmith_page::ocr::scanned_pages(bytes, Some(&indices), options) {
        Ok(found) => candidates
            .iter()
            .zip(found)
            .filter(|(_, f)| f.scanned)
            .map(|(&k, _)| k)
            .collect(),
        Err(e) => {
            warnings.push(format!("pages without text were not checked for scans: {e}"));
            Vec::new()
        }
    }
}

fn ocr_options(request: &ParseRequest<'_>) -> formsmith_page::ocr::OcrOptions {
    formsmith_page::ocr::OcrOptions {
        password: request.password.map(str::to_string),
        ..formsmith_page::ocr::OcrOptions::default()
    }
}

/// An OCR'd page as layout input: words in the display frame with their confidences.
fn ocr_page_in(page: &formsmith_page::ocr::OcrPage, geometry: PageGeometry) -> PageIn {
    let words: Vec<TWord> = page
        .words
        .iter()
        .enumerate()
        .map(|(i, w)| TWord {
            text: w.text.clone(),
            bbox: display(geometry, w.rect),
            size: f64::from(w.font_size),
            bold: false,
            conf: Some(page.confidence.get(i).copied().unwrap_or(0.0).clamp(0.0, 1.0)),
        })
        .collect();
    page_of(geometry, words, &page.lines)
}

/// `output.ocr.words` entries of a page.
fn ocr_word_values(page: &PageIn, number: usize, out: &mut Vec<Value>) {
    for w in &page.words {
        out.push(json!({
            "content": w.text,
            "boundingBox": {"left": r2(w.bbox[0]), "top": r2(w.bbox[1]), "right": r2(w.bbox[2]), "bottom": r2(w.bbox[3])},
            "confidence": crate::output::r4(f64::from(w.conf.unwrap_or(0.0))),
            "pageNumber": number,
        }));
    }
}

fn r2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Reads scanned pages by OCR (when built in); otherwise warns and leaves them empty.
fn apply_ocr(
    bytes: &[u8],
    request: &ParseRequest<'_>,
    texts: &[PageText],
    ocr_pages: &[usize],
    pages: &mut [PageIn],
    warnings: &mut Vec<String>,
    geometry: &dyn Fn(usize) -> PageGeometry,
) -> Result<()> {
    if ocr_pages.is_empty() {
        return Ok(());
    }
    if !OCR_BUILT {
        for &k in ocr_pages {
            warnings.push(format!(
                "page {}: a scanned page without a text layer; OCR is not available in this build, so it is left empty",
                k + 1
            ));
        }
        return Ok(());
    }
    let indices: Vec<usize> = ocr_pages.iter().filter_map(|&k| texts.get(k).map(|t| t.page)).collect();
    let read = formsmith_page::ocr::ocr_pdf(bytes, Some(&indices), &ocr_options(request))?;
    for (&k, page) in ocr_pages.iter().zip(read) {
        if let Some(p) = pages.get_mut(k) {
            let mut fresh = ocr_page_in(&page, geometry(page.page));
            fresh.key_values = std::mem::take(&mut p.key_values);
            *p = fresh;
        }
    }
    Ok(())
}

/// Parses an image file (PNG, JPEG, TIFF) by OCR.
pub(crate) fn parse_image(bytes: &[u8], request: &ParseRequest<'_>) -> Result<ParseOutcome> {
    if !OCR_BUILT {
        return Err(Error::Ocr(
            "images are read by OCR, which is not available: this build has no OCR (the `ocr` feature with tesseract is not built or installed)".into(),
        ));
    }
    let pictures = formsmith_page::ocr::ocr_image(bytes, &ocr_options(request)).map_err(|e| match e {
        // Undecodable or oversized images keep their own reasons; OCR failures are OCR's.
        formsmith_page::Error::Ocr(m) => Error::Ocr(m),
        other => Error::Page(other),
    })?;
    let selected = request.config.selected_pages(pictures.len())?;
    check_pages(selected.len(), request.config.limits.max_pages)?;
    let mut pages = Vec::with_capacity(selected.len());
    for index in selected {
        let Some(p) = pictures.get(index) else { continue };
        let frame = [0.0, 0.0, p.width.max(1.0), p.height.max(1.0)];
        let geometry = PageGeometry {
            media_box: frame,
            crop_box: frame,
            rotate: 0,
        };
        pages.push(ocr_page_in(p, geometry));
    }
    finish(pages, request, Vec::new())
}

/// The block of a laid-out item.
fn piece(item: Item, page: &PageIn, pref: PageRef, request: &ParseRequest<'_>) -> Piece {
    let config = &request.config;
    let conf = Conf::of(item.words.iter().filter_map(|&i| page.words.get(i)).filter_map(|w| w.conf));
    let mut details = Map::new();
    let (kind, content) = match &item.kind {
        Kind::Text | Kind::ListItem => ("text", item.text.clone()),
        Kind::Heading(level) => (
            if *level <= 1 { "heading" } else { "section_heading" },
            format!("{} {}", "#".repeat((*level).max(1)), item.text),
        ),
        Kind::KeyValue => {
            details.insert("type".into(), json!("key_value_details"));
            ("key_value", item.text.clone())
        }
        Kind::Edge(Edge::Header) => ("header", item.text.clone()),
        Kind::Edge(Edge::Footer) => ("footer", item.text.clone()),
        Kind::Edge(Edge::PageNumber) => (
            "page_number",
            match config.enrichment {
                Enrichment::Xml => format!("<page_number>{}</page_number>", item.text),
                Enrichment::Bracket => format!("[page_number: {}]", item.text),
            },
        ),
        Kind::Table(t) => {
            details.insert("type".into(), json!("table_details"));
            details.insert("rowCount".into(), json!(t.rows()));
            details.insert("columnCount".into(), json!(t.columns()));
            let content = match config.table_format {
                TableFormat::Markdown => tables::markdown(t),
                TableFormat::Html => tables::html(t),
            };
            ("table", content)
        }
    };
    let mut block = Block::new(kind, content, details, pref, item.bbox).with_confidence(conf.stats());
    if let (Kind::Table(t), true) = (&item.kind, config.cell_blocks) {
        let mut children = Vec::new();
        for (i, (row, boxes)) in t.cells.iter().zip(&t.boxes).enumerate() {
            for (j, (cell, bx)) in row.iter().zip(boxes).enumerate() {
                if t.spans.get(i).and_then(|s| s.get(j)).copied().unwrap_or(1) == 0 {
                    continue;
                }
                let mut d = Map::new();
                d.insert("type".into(), json!("table_cell_details"));
                d.insert("rowIndex".into(), json!(i));
                d.insert("columnIndex".into(), json!(j));
                let mut cell_block = Block::new("table_cell", cell.clone(), d, pref, *bx);
                cell_block.parent_block_id = Some(block.id.clone());
                children.push(cell_block);
            }
        }
        block.children = Some(children);
    }
    Piece {
        page: pref.number,
        block,
        conf,
    }
}
