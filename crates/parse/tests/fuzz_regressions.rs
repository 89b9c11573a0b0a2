//! Inputs found by the fuzz targets (fuzz/README.md) that once crashed a parse.

mod common;

use common::corpus;
use formsmith_parse::{ParseConfig, ParseRequest, parse};

/// fuzz/parse_pdf, seed irs-f1040-aes256-owner-only.pdf with section chunks and blank
/// fields: the reading order's line comparator was not a total order and `sort_by`
/// panicked. (The unit test `layout::fuzz_regressions` pins the boxes.)
#[test]
fn section_chunks_with_blank_fields_of_the_owner_only_1040_do_not_panic() {
    let bytes = std::fs::read(corpus().join("fillable/irs-f1040-aes256-owner-only.pdf"))
        .expect("corpus file");
    for (chunking, blank_fields) in [("section", true), ("section", false), ("page", true)] {
        let mut config = ParseConfig::default();
        config.chunking = chunking.into();
        config.blank_fields = blank_fields;
        let request = ParseRequest { config, password: None, file_name: Some("f1040.pdf") };
        let out = parse(&bytes, &request).unwrap_or_else(|e| panic!("{chunking}/{blank_fields}: {e}"));
        assert!(out.page_count > 0);
    }
}
