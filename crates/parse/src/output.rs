//! The ParseRun output objects (spec §6.6), serialized with the API's names.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{ParseOutcome, ParseRequest, Result};

/// `output`: the chunks.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ParseOutput {
    /// The chunks, in document order.
    pub chunks: Vec<Chunk>,
    /// Word-level OCR, when asked for (`advancedOptions.returnOcr.words`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr: Option<Value>,
}

/// One chunk.
#[derive(Debug, Clone, Serialize)]
pub struct Chunk {
    /// Always `"chunk"`.
    pub object: &'static str,
    /// `page`, `document` or `section`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The chunk's text in the target format.
    pub content: String,
    /// `{pageRange: {start, end}, minOcrConfidence, avgOcrConfidence}`.
    pub metadata: Value,
    /// The chunk's blocks.
    pub blocks: Vec<Block>,
}

/// One block.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    /// Always `"block"`.
    pub object: &'static str,
    /// `block_…`, a deterministic hash of the content and place.
    pub id: String,
    /// `text`, `heading`, `table`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The block's text in the target format.
    pub content: String,
    /// Type-specific details (`{}` when none).
    pub details: Map<String, Value>,
    /// `{page: {number, width, height}}`.
    pub metadata: Value,
    /// Four corners, clockwise from the top left.
    pub polygon: Vec<Point>,
    /// The block's box.
    #[serde(rename = "boundingBox")]
    pub bounding_box: BoundingBox,
}

/// A point in page points, top-left origin.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Point {
    /// From the left edge.
    pub x: f64,
    /// From the top edge.
    pub y: f64,
}

/// A box in page points, top-left origin.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BoundingBox {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

/// Placeholder until the layout analysis lands: one text block per line, page chunks.
pub(crate) fn parse_stub(bytes: &[u8], request: &ParseRequest<'_>) -> Result<ParseOutcome> {
    let options = formsmith_detect::TextOptions {
        password: request.password.map(str::to_string),
        ..Default::default()
    };
    let pages = formsmith_detect::extract_text(bytes, None, &options)?;
    let mut chunks = Vec::new();
    for page in &pages {
        let number = page.page + 1;
        let text: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        chunks.push(Chunk {
            object: "chunk",
            kind: "page".into(),
            content: text.join("\n"),
            metadata: serde_json::json!({"pageRange": {"start": number, "end": number}}),
            blocks: Vec::new(),
        });
    }
    Ok(ParseOutcome {
        page_count: pages.len(),
        output: ParseOutput { chunks, ocr: None },
        warnings: Vec::new(),
    })
}
