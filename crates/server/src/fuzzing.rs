//! Entry points for the fuzz targets in `fuzz/api` (not part of the API; hidden from docs).
//!
//! The JSON request bodies of edit, form-detection and parse runs go through
//! [`crate::api::parse_json`] and then the same checks the route handlers make before a run
//! is queued (file input shape, engine version, effective configs, ParseConfig). Multipart
//! uploads are read by axum's `Multipart` extractor inside the upload handler, which needs
//! the server state; they are not reachable from here.

use serde_json::Value;

use crate::api::{DetectBody, EditBody, EditConfigIn, parse_json};

/// Parses `bytes` as each run request body and applies the handlers' checks; never panics
/// on any input (what the fuzz target asserts).
pub fn request_json(bytes: &[u8]) {
    if let Ok(body) = parse_json::<EditBody>(bytes) {
        if let Some(file) = &body.file {
            let _ = file.resolve();
        }
        let config = body.config.unwrap_or_default();
        let _ = crate::api::effective_edit_config(&config);
        let over = config.clone().over(EditConfigIn::default());
        let _ = crate::api::effective_edit_config(&over);
        let _ = EditConfigIn::default().over(config);
    }
    if let Ok(body) = parse_json::<DetectBody>(bytes) {
        if let Some(file) = &body.file {
            let _ = file.resolve();
        }
        let _ = crate::api::effective_detect_config(&body.config.unwrap_or_default());
    }
    // Parse runs: the body's `config` (or the batch's) through ParseConfig, as the handlers do.
    if let Ok(body) = parse_json::<Value>(bytes) {
        let config = body.get("config").unwrap_or(&Value::Null);
        if let Ok(c) = formsmith_parse::ParseConfig::from_json(config) {
            let echoed = c.to_json();
            // The echoed config is accepted again as it is.
            if let Err(e) = formsmith_parse::ParseConfig::from_json(&echoed) {
                panic!("an effective parse config is refused when sent back: {e}");
            }
        }
        if let Some(file) = body.get("file")
            && let Ok(input) = serde_json::from_value::<crate::api::FileInput>(file.clone())
        {
            let _ = input.resolve();
        }
    }
}
