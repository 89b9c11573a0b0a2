//! # formsmith-parse
//!
//! Turns a document into the Extend ParseRun output (spec §6): chunks of markdown, each
//! with typed blocks (text, heading, table, key-value, …) located on 1-based pages in
//! points with a top-left origin.
//!
//! Plain synchronous library: bytes in, structs out. The server and the CLI call [`parse`].
#![deny(missing_docs)]

mod config;
mod error;
mod output;

pub use config::ParseConfig;
pub use error::{Error, Result};
pub use output::{Block, BoundingBox, Chunk, ParseOutput, Point};

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

/// Parses `bytes` (a PDF, an image, or an office file) into chunks and blocks.
pub fn parse(bytes: &[u8], request: &ParseRequest<'_>) -> Result<ParseOutcome> {
    output::parse_stub(bytes, request)
}
