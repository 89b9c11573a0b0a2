//! The ParseRun output objects (spec §6.6), serialized with the API's names.

use serde::Serialize;
use serde_json::{Map, Value, json};

/// `output`: the chunks.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ParseOutput {
    /// The chunks, in document order.
    pub chunks: Vec<Chunk>,
    /// Word-level OCR, when asked for (`advancedOptions.returnOcr.words`):
    /// `{words: [{content, boundingBox, confidence, pageNumber}]}`.
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
    /// The table block a `table_cell` belongs to.
    #[serde(rename = "parentBlockId", skip_serializing_if = "Option::is_none")]
    pub parent_block_id: Option<String>,
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
    /// Child blocks (`table_cell`s of a table when `cellBlocksEnabled`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<Block>>,
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
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
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

impl BoundingBox {
    /// The four corners, clockwise from the top left.
    pub fn polygon(&self) -> Vec<Point> {
        vec![
            Point {
                x: self.left,
                y: self.top,
            },
            Point {
                x: self.right,
                y: self.top,
            },
            Point {
                x: self.right,
                y: self.bottom,
            },
            Point {
                x: self.left,
                y: self.bottom,
            },
        ]
    }
}

/// Where a block sits: its page (1-based, after `pageRanges` renumbering) and size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageRef {
    pub number: usize,
    pub width: f64,
    pub height: f64,
}

/// Rounds to 1/100 pt: stable ids and compact JSON.
fn r2(v: f64) -> f64 {
    if v.is_finite() {
        (v * 100.0).round() / 100.0
    } else {
        0.0
    }
}

/// FNV-1a, 64 bits: a stable hash without a dependency (ids only, not security).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain(&[0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

impl Block {
    /// A block on `page` with its id derived from kind, content, page and box.
    pub(crate) fn new(
        kind: &str,
        content: String,
        details: Map<String, Value>,
        page: PageRef,
        bbox: [f64; 4],
    ) -> Block {
        // Boxes stay on the page: glyph boxes and widgets may reach past its edge.
        let (w, h) = (page.width.max(0.0), page.height.max(0.0));
        let clamp = |v: f64, max: f64| if v.is_finite() { v.clamp(0.0, max) } else { 0.0 };
        let bounding_box = BoundingBox {
            left: r2(clamp(bbox[0].min(bbox[2]), w)),
            top: r2(clamp(bbox[1].min(bbox[3]), h)),
            right: r2(clamp(bbox[2].max(bbox[0]), w)),
            bottom: r2(clamp(bbox[3].max(bbox[1]), h)),
        };
        let place = format!(
            "{}|{}|{}|{}|{}",
            page.number, bounding_box.left, bounding_box.top, bounding_box.right, bounding_box.bottom
        );
        let id = format!(
            "block_{:016x}",
            fnv1a(&[kind.as_bytes(), content.as_bytes(), place.as_bytes()])
        );
        Block {
            object: "block",
            id,
            parent_block_id: None,
            kind: kind.to_string(),
            content,
            details,
            metadata: json!({"page": {"number": page.number, "width": r2(page.width), "height": r2(page.height)}}),
            polygon: bounding_box.polygon(),
            bounding_box,
            children: None,
        }
    }

    /// Adds OCR confidences to the block's metadata.
    pub(crate) fn with_confidence(mut self, conf: Option<(f64, f64)>) -> Block {
        if let (Some((min, avg)), Value::Object(m)) = (conf, &mut self.metadata) {
            m.insert("minOcrConfidence".into(), json!(r4(min)));
            m.insert("avgOcrConfidence".into(), json!(r4(avg)));
        }
        self
    }
}

/// Rounds a confidence to 4 decimals.
pub(crate) fn r4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}
