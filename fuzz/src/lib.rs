//! Shared settings of the PDF fuzz targets: limits tight enough that every input finishes
//! well inside libFuzzer's `-timeout` and `-rss_limit_mb`; an input that does not is a bug
//! (a path the limits do not bound).

use std::time::Duration;

/// Engine limits for fuzzing: the defaults scaled down (same shape as production).
pub fn limits() -> formsmith_engine::Limits {
    let mut l = formsmith_engine::Limits::default();
    l.max_input_bytes = 4 << 20;
    l.max_decompressed_bytes = 16 << 20;
    l.max_page_content_bytes = 8 << 20;
    l.max_total_decoded_bytes = 64 << 20;
    l.max_objects = 200_000;
    l.max_pages = 500;
    l.max_fields = 5_000;
    l.max_page_operations = 200_000;
    l.max_total_operations = 1_000_000;
    l.max_page_glyphs = 20_000;
    l.max_total_glyphs = 200_000;
    l.max_image_pixels = 4_000_000;
    l.max_page_time = Duration::from_secs(1);
    l.max_total_time = Duration::from_secs(3);
    l
}

/// Open options with [`limits`].
pub fn open_options() -> formsmith_engine::OpenOptions {
    formsmith_engine::OpenOptions {
        limits: limits(),
        ..Default::default()
    }
}

/// Text options with [`limits`].
pub fn text_options() -> formsmith_page::TextOptions {
    formsmith_page::TextOptions::from_limits(&limits())
}
