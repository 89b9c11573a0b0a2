//! `image_url` values that carry their bytes (`data:` URLs); fetching other URLs is the
//! caller's job (the server downloads with limits, the CLI reads files).

use base64::Engine as _;

/// Largest data: URL accepted (encoded characters): a signature image, not a photo album.
const MAX_DATA_URL_LEN: usize = 16 * 1024 * 1024;

/// Decodes `data:image/png;base64,...` (or JPEG). `None` when `url` is not a data: URL;
/// `Some(Err)` when it is one but malformed, too large, or not PNG/JPEG.
pub fn decode_data_url(url: &str) -> Option<Result<Vec<u8>, String>> {
    let rest = url.strip_prefix("data:")?;
    Some(decode(rest))
}

fn decode(rest: &str) -> Result<Vec<u8>, String> {
    if rest.len() > MAX_DATA_URL_LEN {
        return Err(format!(
            "data: URL is larger than {MAX_DATA_URL_LEN} characters"
        ));
    }
    let (meta, payload) = rest.split_once(',').ok_or("data: URL without a comma")?;
    if !meta.ends_with(";base64") {
        return Err("data: URL must be base64-encoded (data:image/png;base64,...)".into());
    }
    let mime = meta.trim_end_matches(";base64");
    if !matches!(mime, "image/png" | "image/jpeg" | "image/jpg") {
        return Err(format!(
            "only PNG and JPEG images are supported, not {mime:?}"
        ));
    }
    let cleaned: String = payload
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|e| format!("bad base64 in data: URL: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls() {
        assert_eq!(decode_data_url("https://x/y.png"), None);
        assert_eq!(
            decode_data_url("data:image/png;base64,iVBO"),
            Some(Ok(vec![0x89, 0x50, 0x4e]))
        );
        assert!(matches!(
            decode_data_url("data:text/plain;base64,aGk="),
            Some(Err(_))
        ));
        assert!(matches!(
            decode_data_url("data:image/png,raw"),
            Some(Err(_))
        ));
    }
}
