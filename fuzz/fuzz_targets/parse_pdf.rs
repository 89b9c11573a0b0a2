//! formsmith-parse on PDF bytes (this package builds it without the `ocr` feature, so
//! scanned pages come back with a warning instead of running tesseract).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Only PDFs: other inputs would go to LibreOffice (a child process) or the image path.
    if !data.starts_with(b"%PDF") {
        return;
    }
    let mut config = formsmith_parse::ParseConfig::default();
    config.limits.max_pages = 20;
    config.limits.max_total_time = std::time::Duration::from_secs(4);
    config.limits.text = formsmith_fuzz::text_options();
    // Both chunkings and the spatial target, chosen by the input's last byte.
    let last = data.last().copied().unwrap_or(0);
    if last & 1 == 1 {
        config.target = "spatial".into();
    }
    if last & 2 == 2 {
        // `section` chunks only markdown (the config refuses section + spatial).
        config.chunking = if last & 1 == 1 { "document" } else { "section" }.into();
    }
    config.cell_blocks = last & 4 == 4;
    config.blank_fields = last & 8 == 8;
    let request = formsmith_parse::ParseRequest {
        config,
        password: None,
        file_name: Some("input.pdf"),
    };
    let _ = formsmith_parse::parse(data, &request);
});
