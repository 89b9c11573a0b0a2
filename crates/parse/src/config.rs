//! ParseConfig (spec §6.4): read from the request's JSON, echoed back with our defaults.
//!
//! Every key we act on is checked (type and range) and an error names its full path, e.g.
//! `config.chunkingStrategy.options.maxCharacters must be a positive integer`. Keys we
//! accept but do not act on are checked for being of the documented JSON type; switches
//! for work we do not do (figure summaries, agentic corrections, barcodes, formulas,
//! tracked changes, engine variants) are echoed with the value we work as, so the echo is
//! the effective config (spec §13.8), and listed in `not_applied`.

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::output::ParseOutput;

/// Output format of the chunk contents (`target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Logical reading order, real markdown (the default).
    Markdown,
    /// Layout-preserving text with whitespace.
    Spatial,
}

/// How the document is cut into chunks (`chunkingStrategy.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunking {
    /// One chunk per page (the default).
    Page,
    /// One chunk for the whole document.
    Document,
    /// One chunk per heading and what follows it (markdown only).
    Section,
}

/// How tables are written in chunk and block contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Markdown pipe tables (the default).
    Markdown,
    /// HTML `<table>`.
    Html,
}

/// How page numbers are marked in chunk contents (`advancedOptions.enrichmentFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrichment {
    /// `<page_number>1</page_number>` (the default).
    Xml,
    /// `[page_number: 1]`.
    Bracket,
}

/// A 1-based inclusive page range (`advancedOptions.pageRanges[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRange {
    /// First page, 1-based.
    pub start: usize,
    /// Last page, 1-based, inclusive.
    pub end: usize,
}

/// Bounds on the work one parse may cost. Not part of the API's config (never echoed).
#[derive(Debug, Clone)]
pub struct ParseLimits {
    /// Pages parsed at most (after `pageRanges`); a longer selection is refused.
    pub max_pages: usize,
    /// Characters of output text kept per page; the rest of a page is dropped with a warning.
    pub max_chars_per_page: usize,
    /// Wall-clock time for the whole parse; pages after it are left empty with a warning.
    pub max_total_time: std::time::Duration,
    /// Wall-clock time an office conversion may take.
    pub conversion_timeout: std::time::Duration,
    /// Text extraction limits per page and for the whole document (decoded bytes,
    /// operations, glyphs, time); defaults from `formsmith_engine::Limits`.
    pub text: formsmith_page::TextOptions,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_pages: 2_000,
            max_chars_per_page: 200_000,
            max_total_time: std::time::Duration::from_secs(600),
            conversion_timeout: std::time::Duration::from_secs(120),
            text: formsmith_page::TextOptions::default(),
        }
    }
}

/// The effective parse configuration.
#[derive(Debug, Clone)]
pub struct ParseConfig {
    /// `target`: `markdown` (default) or `spatial`.
    pub target: String,
    /// `chunkingStrategy.type`: `page` (default), `document` or `section`.
    pub chunking: String,
    /// `chunkingStrategy.options.minCharacters`.
    pub min_characters: Option<usize>,
    /// `chunkingStrategy.options.maxCharacters`.
    pub max_characters: Option<usize>,
    /// `advancedOptions.pageRanges`, merged and sorted; empty = every page.
    pub page_ranges: Vec<PageRange>,
    /// `blockOptions.tables.targetFormat`.
    pub table_format: TableFormat,
    /// `blockOptions.tables.cellBlocksEnabled`: tables get `table_cell` child blocks.
    pub cell_blocks: bool,
    /// `blockOptions.keyValue.blankFieldFormattingEnabled`: keep blank form fields.
    pub blank_fields: bool,
    /// `advancedOptions.returnOcr.words`: word-level OCR in `output.ocr`.
    pub return_ocr_words: bool,
    /// `advancedOptions.enrichmentFormat`.
    pub enrichment: Enrichment,
    /// `advancedOptions.verticalGroupingThreshold` (spatial only), 0.1–5.0.
    pub vertical_grouping: f64,
    /// Bounds on the work (not echoed).
    pub limits: ParseLimits,
    /// Options the request turned on that this server does not carry out (config paths);
    /// the echo shows them off.
    pub not_applied: Vec<String>,
    /// The request's JSON with defaults filled in, echoed as the run's `config`.
    raw: Map<String, Value>,
}

impl Default for ParseConfig {
    fn default() -> Self {
        // `null` is always valid; the fallback only satisfies the type checker.
        Self::from_json(&Value::Null).unwrap_or_else(|_| Self::base())
    }
}

fn bad(path: &str, what: &str, got: &Value) -> Error {
    Error::InvalidConfig(format!("config.{path} {what}, not {got}"))
}

/// Checks that `obj[key]` (if present and not null) is an object; returns it.
fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(bad(path, "must be an object", other)),
    }
}

fn boolean(obj: Option<&Map<String, Value>>, key: &str, path: &str) -> Result<Option<bool>> {
    match obj.and_then(|o| o.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(bad(path, "must be a boolean", other)),
    }
}

fn string<'a>(obj: Option<&'a Map<String, Value>>, key: &str, path: &str) -> Result<Option<&'a str>> {
    match obj.and_then(|o| o.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(bad(path, "must be a string", other)),
    }
}

fn one_of<'a>(
    obj: Option<&'a Map<String, Value>>,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>> {
    match obj.and_then(|o| o.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s)),
        Some(other) => Err(bad(path, &format!("must be one of {}", allowed.join(", ")), other)),
    }
}

fn count(obj: Option<&Map<String, Value>>, key: &str, path: &str) -> Result<Option<usize>> {
    match obj.and_then(|o| o.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
            _ => Err(bad(path, "must be a positive integer", v)),
        },
    }
}

/// Sets `obj.a.b…` to `value` unless already set, creating objects on the way.
fn default_at(obj: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = obj;
    for key in parents {
        let entry = cur.entry(key.to_string()).or_insert_with(|| json!({}));
        if entry.is_null() {
            *entry = json!({});
        }
        match entry {
            Value::Object(m) => cur = m,
            _ => return,
        }
    }
    let slot = cur.entry(last.to_string()).or_insert(Value::Null);
    if slot.is_null() {
        *slot = value;
    }
}

/// Options this server accepts but does not carry out, with the value it works as: figure
/// summaries and clipping, chart extraction, agentic (model) corrections, barcode reading,
/// LaTeX formulas, tracked-change markup, converting images to PDF (and its quality, left
/// out of the echo), and engine variants (one engine runs). Each one the request turned on
/// is set to its effective value in the echo; returns their paths.
fn switch_off_unsupported(raw: &mut Map<String, Value>) -> Vec<String> {
    const OFF: [&[&str]; 10] = [
        &["blockOptions", "figures", "enabled"],
        &["blockOptions", "figures", "figureImageClippingEnabled"],
        &["blockOptions", "figures", "advancedChartExtractionEnabled"],
        &["blockOptions", "tables", "agentic", "enabled"],
        &["blockOptions", "text", "agentic", "enabled"],
        &["blockOptions", "barcodes", "readingEnabled"],
        &["blockOptions", "barcodes", "imageClippingEnabled"],
        &["blockOptions", "formulas", "enabled"],
        &["advancedOptions", "formattingDetection"],
        // Images are read by OCR as they are (their words have page boxes already); office
        // files and HTML are always converted.
        &["advancedOptions", "alwaysConvertToPdf"],
    ];
    let mut turned_off = Vec::new();
    for path in OFF {
        let Some((last, parents)) = path.split_last() else { continue };
        let mut cur = Some(&mut *raw);
        for key in parents {
            cur = cur.and_then(|m| m.get_mut(*key)).and_then(Value::as_object_mut);
        }
        let Some(parent) = cur else { continue };
        let asked = match parent.get(*last) {
            Some(Value::Bool(on)) => *on,
            Some(Value::Array(items)) => !items.is_empty(),
            _ => false,
        };
        if asked {
            let off = if *last == "formattingDetection" { json!([]) } else { json!(false) };
            parent.insert(last.to_string(), off);
            turned_off.push(path.join("."));
        }
    }
    // No image is converted, so no conversion quality applies.
    if let Some(Value::Object(advanced)) = raw.get_mut("advancedOptions")
        && advanced.remove("imageConversionQuality").is_some_and(|q| !q.is_null())
    {
        turned_off.push("advancedOptions.imageConversionQuality".into());
    }
    if let Some(engine) = raw.get("engine").and_then(Value::as_str)
        && engine != "parse_performance"
    {
        turned_off.push(format!("engine ({engine})"));
        raw.insert("engine".into(), json!("parse_performance"));
    }
    turned_off
}

impl ParseConfig {
    fn base() -> Self {
        Self {
            target: "markdown".into(),
            chunking: "page".into(),
            min_characters: None,
            max_characters: None,
            page_ranges: Vec::new(),
            table_format: TableFormat::Markdown,
            cell_blocks: false,
            blank_fields: false,
            return_ocr_words: false,
            enrichment: Enrichment::Xml,
            vertical_grouping: 1.0,
            limits: ParseLimits::default(),
            not_applied: Vec::new(),
            raw: Map::new(),
        }
    }

    /// The `target` as an enum.
    pub fn target_kind(&self) -> Target {
        if self.target == "spatial" {
            Target::Spatial
        } else {
            Target::Markdown
        }
    }

    /// The chunking strategy as an enum.
    pub fn chunking_kind(&self) -> Chunking {
        match self.chunking.as_str() {
            "document" => Chunking::Document,
            "section" => Chunking::Section,
            _ => Chunking::Page,
        }
    }

    /// Reads a ParseConfig; `null`/absent means all defaults. Errors name the bad key.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut raw = match value {
            Value::Null => Map::new(),
            Value::Object(m) => m.clone(),
            other => {
                return Err(Error::InvalidConfig(format!(
                    "config must be an object, not {other}"
                )));
            }
        };
        let mut c = Self::base();
        let root = Some(&raw);
        if let Some(t) = one_of(root, "target", "target", &["markdown", "spatial"])? {
            c.target = t.to_string();
        }
        one_of(
            root,
            "engine",
            "engine",
            &["parse_performance", "parse_light", "parse_auto"],
        )?;
        string(root, "engineVersion", "engineVersion")?;

        let strategy = object(&raw, "chunkingStrategy", "chunkingStrategy")?;
        if let Some(t) = one_of(
            strategy,
            "type",
            "chunkingStrategy.type",
            &["page", "document", "section"],
        )? {
            c.chunking = t.to_string();
        }
        let options = match strategy {
            Some(s) => object(s, "options", "chunkingStrategy.options")?,
            None => None,
        };
        c.min_characters = count(options, "minCharacters", "chunkingStrategy.options.minCharacters")?;
        c.max_characters = count(options, "maxCharacters", "chunkingStrategy.options.maxCharacters")?;
        if let (Some(min), Some(max)) = (c.min_characters, c.max_characters)
            && min > max
        {
            return Err(Error::InvalidConfig(format!(
                "config.chunkingStrategy.options.minCharacters ({min}) must not exceed maxCharacters ({max})"
            )));
        }
        if c.chunking == "section" && c.target == "spatial" {
            return Err(Error::InvalidConfig(
                "config.chunkingStrategy.type \"section\" needs target \"markdown\" (spatial output is chunked by page or document)".into(),
            ));
        }

        let blocks = object(&raw, "blockOptions", "blockOptions")?;
        let sub = |name: &str| -> Result<Option<&Map<String, Value>>> {
            match blocks {
                Some(b) => object(b, name, &format!("blockOptions.{name}")),
                None => Ok(None),
            }
        };
        let figures = sub("figures")?;
        for key in [
            "enabled",
            "figureImageClippingEnabled",
            "advancedChartExtractionEnabled",
        ] {
            boolean(figures, key, &format!("blockOptions.figures.{key}"))?;
        }
        string(figures, "customInstructions", "blockOptions.figures.customInstructions")?;
        let tables = sub("tables")?;
        for key in ["enabled", "tableHeaderContinuationEnabled", "cellBlocksEnabled"] {
            boolean(tables, key, &format!("blockOptions.tables.{key}"))?;
        }
        if one_of(
            tables,
            "targetFormat",
            "blockOptions.tables.targetFormat",
            &["markdown", "html"],
        )? == Some("html")
        {
            c.table_format = TableFormat::Html;
        }
        c.cell_blocks =
            boolean(tables, "cellBlocksEnabled", "blockOptions.tables.cellBlocksEnabled")?
                .unwrap_or(false);
        let text = sub("text")?;
        boolean(text, "signatureDetectionEnabled", "blockOptions.text.signatureDetectionEnabled")?;
        let key_value = sub("keyValue")?;
        c.blank_fields = boolean(
            key_value,
            "blankFieldFormattingEnabled",
            "blockOptions.keyValue.blankFieldFormattingEnabled",
        )?
        .unwrap_or(false);
        let barcodes = sub("barcodes")?;
        for key in ["readingEnabled", "imageClippingEnabled"] {
            boolean(barcodes, key, &format!("blockOptions.barcodes.{key}"))?;
        }
        boolean(sub("formulas")?, "enabled", "blockOptions.formulas.enabled")?;

        let advanced = object(&raw, "advancedOptions", "advancedOptions")?;
        for key in [
            "pageRotationEnabled",
            "excelSkipHiddenContent",
            "excelUseRawCellValues",
            "excelSkipCalculation",
            "excelIncludeCellMetadata",
            "excelIncludeCellFormatting",
            "alwaysConvertToPdf",
        ] {
            boolean(advanced, key, &format!("advancedOptions.{key}"))?;
        }
        one_of(
            advanced,
            "excelParsingMode",
            "advancedOptions.excelParsingMode",
            &["basic", "advanced"],
        )?;
        one_of(
            advanced,
            "imageConversionQuality",
            "advancedOptions.imageConversionQuality",
            &["high", "medium", "low"],
        )?;
        if one_of(
            advanced,
            "enrichmentFormat",
            "advancedOptions.enrichmentFormat",
            &["xml", "bracket"],
        )? == Some("bracket")
        {
            c.enrichment = Enrichment::Bracket;
        }
        match advanced.and_then(|a| a.get("verticalGroupingThreshold")) {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_f64() {
                Some(t) if (0.1..=5.0).contains(&t) => c.vertical_grouping = t,
                _ => {
                    return Err(bad(
                        "advancedOptions.verticalGroupingThreshold",
                        "must be a number from 0.1 to 5.0",
                        v,
                    ));
                }
            },
        }
        let return_ocr = match advanced {
            Some(a) => object(a, "returnOcr", "advancedOptions.returnOcr")?,
            None => None,
        };
        c.return_ocr_words =
            boolean(return_ocr, "words", "advancedOptions.returnOcr.words")?.unwrap_or(false);
        c.page_ranges = page_ranges(advanced.and_then(|a| a.get("pageRanges")))?;

        raw.insert("target".into(), json!(c.target));
        default_at(&mut raw, &["engine"], json!("parse_performance"));
        default_at(&mut raw, &["engineVersion"], json!("latest"));
        default_at(&mut raw, &["chunkingStrategy", "type"], json!(c.chunking));
        if let Some(Value::Object(s)) = raw.get_mut("chunkingStrategy") {
            s.insert("type".into(), json!(c.chunking));
        }
        default_at(
            &mut raw,
            &["blockOptions", "tables", "targetFormat"],
            json!("markdown"),
        );
        default_at(
            &mut raw,
            &["blockOptions", "tables", "cellBlocksEnabled"],
            json!(false),
        );
        default_at(
            &mut raw,
            &["blockOptions", "keyValue", "blankFieldFormattingEnabled"],
            json!(false),
        );
        // The echo is the effective config: what this server does not do is echoed off
        // (whatever was asked), and the asked-for paths are kept to say so.
        c.not_applied = switch_off_unsupported(&mut raw);
        default_at(&mut raw, &["blockOptions", "figures", "enabled"], json!(false));
        default_at(&mut raw, &["advancedOptions", "returnOcr", "words"], json!(false));
        default_at(&mut raw, &["advancedOptions", "enrichmentFormat"], json!("xml"));
        if c.target == "spatial" {
            default_at(
                &mut raw,
                &["advancedOptions", "verticalGroupingThreshold"],
                json!(1.0),
            );
        }
        c.raw = raw;
        Ok(c)
    }

    /// The effective config as the run's `config`.
    pub fn to_json(&self) -> Value {
        Value::Object(self.raw.clone())
    }
}

/// Reads, checks, merges and sorts `advancedOptions.pageRanges`.
fn page_ranges(value: Option<&Value>) -> Result<Vec<PageRange>> {
    let list = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(bad("advancedOptions.pageRanges", "must be an array", other));
        }
    };
    let mut ranges = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let path = format!("advancedOptions.pageRanges[{i}]");
        let Value::Object(m) = item else {
            return Err(bad(&path, "must be an object {start, end}", item));
        };
        let start = count(Some(m), "start", &format!("{path}.start"))?;
        let end = count(Some(m), "end", &format!("{path}.end"))?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(Error::InvalidConfig(format!(
                "config.{path} needs both start and end (1-based page numbers)"
            )));
        };
        if start > end {
            return Err(Error::InvalidConfig(format!(
                "config.{path}.start ({start}) must not exceed end ({end})"
            )));
        }
        ranges.push(PageRange { start, end });
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<PageRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end.saturating_add(1) => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    Ok(merged)
}

impl ParseConfig {
    /// The zero-based pages selected from a document of `count` pages, in order.
    /// Fails when the ranges select no page of the document.
    pub fn selected_pages(&self, count: usize) -> Result<Vec<usize>> {
        if self.page_ranges.is_empty() {
            return Ok((0..count).collect());
        }
        let pages: Vec<usize> = self
            .page_ranges
            .iter()
            .flat_map(|r| (r.start..=r.end.min(count)).map(|p| p - 1))
            .collect();
        if pages.is_empty() {
            return Err(Error::InvalidConfig(format!(
                "config.advancedOptions.pageRanges selects no page of this {count}-page document"
            )));
        }
        Ok(pages)
    }
}

/// What a parse needs beside the bytes.
#[derive(Debug, Clone, Default)]
pub struct ParseRequest<'a> {
    /// The effective configuration (see [`ParseConfig::from_json`]).
    pub config: ParseConfig,
    /// The user password of an encrypted PDF.
    pub password: Option<&'a str>,
    /// The file's name, when known (helps tell office formats apart).
    pub file_name: Option<&'a str>,
}

/// A finished parse.
#[derive(Debug, Clone)]
pub struct ParseOutcome {
    /// The run's `output`.
    pub output: ParseOutput,
    /// Pages parsed (after `pageRanges`).
    pub page_count: usize,
    /// What was skipped or degraded, for people.
    pub warnings: Vec<String>,
}
