//! Page content interpretation: detect's text extraction and field detection (lines, boxes,
//! combs, check boxes, labels) on the first pages, with tight limits and no OCR.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = formsmith_fuzz::text_options();
    let pages: &[usize] = &[0, 1];
    // Out-of-range pages are an error, not a crash: ask for the first page only when the
    // document has one page.
    let Ok(words) = formsmith_page::extract_text(data, Some(&pages[..1]), &text) else {
        return;
    };
    let _ = words.iter().map(|p| p.words.len() + p.lines.len()).sum::<usize>();
    let _ = formsmith_page::extract_text(data, Some(pages), &text);
    let options = formsmith_detect::DetectOptions {
        text,
        max_fields_per_page: 500,
        scanned_pages: false,
        max_scanned_pages: 0,
        ..Default::default()
    };
    let _ = formsmith_detect::detect_fields(data, Some(&pages[..1]), &options);
});
