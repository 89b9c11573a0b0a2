//! # formsmith-parse
//!
//! Turns a document into the Extend ParseRun output (spec §6): chunks of markdown, each
//! with typed blocks (text, heading, table, key-value, …) located on 1-based pages in
//! points with a top-left origin.
//!
//! The pipeline: [`convert::sniff`] the input (office files go through LibreOffice,
//! images through OCR), read each page's positioned words ([`formsmith_page`]) and thin
//! marks (for ruled tables), the form's field values ([`formsmith_engine`]); then per page
//! ruled tables, reading order by recursive XY-cut (columns one after the other),
//! paragraphs, headings by size and weight against the body text, list items, and
//! document-wide running heads, feet and page numbers; then chunking.
//!
//! Plain synchronous library: bytes in, structs out. The server and the CLI call [`parse`].
#![deny(missing_docs)]

mod chunk;
mod config;
pub mod convert;
mod error;
mod layout;
mod output;
mod page_in;
mod pdf;
mod tables;

pub use config::{
    Chunking, Enrichment, PageRange, ParseConfig, ParseLimits, ParseOutcome, ParseRequest,
    TableFormat, Target,
};
pub use error::{Error, Result};
pub use output::{Block, BoundingBox, Chunk, ParseOutput, Point};

/// Whether this build can OCR scanned pages and images.
pub fn ocr_available() -> bool {
    pdf::OCR_BUILT
}

/// Parses `bytes` (a PDF, an image, or an office file) into chunks and blocks.
pub fn parse(bytes: &[u8], request: &ParseRequest<'_>) -> Result<ParseOutcome> {
    use convert::InputKind;
    match convert::sniff(bytes, request.file_name) {
        InputKind::Pdf | InputKind::Unknown => pdf::parse_pdf(bytes, request, Vec::new()),
        InputKind::Image(_) => pdf::parse_image(bytes, request),
        InputKind::Office(_) | InputKind::Html | InputKind::Text => {
            let options = convert::ConvertOptions {
                timeout: request.config.limits.conversion_timeout,
                ..convert::ConvertOptions::default()
            };
            let converted = convert::convert_to_pdf(bytes, request.file_name, &options)?;
            let note = "converted to PDF with LibreOffice before parsing".to_string();
            pdf::parse_pdf(&converted, request, vec![note])
        }
    }
}
