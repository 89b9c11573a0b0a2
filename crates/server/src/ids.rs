//! Random, prefixed identifiers (spec §1.7): `file_…`, `edr_…`, `sgr_…`, `pr_…`, `bpar_…`, `edt_…`, `ws_…`,
//! `req_…`, `evt_…`, and API keys `sk_…`. 16 random bytes (22 base62 characters) each.

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Prefixes of the objects we create.
pub mod prefix {
    /// Files (`File.id`).
    pub const FILE: &str = "file";
    /// Edit runs.
    pub const EDIT_RUN: &str = "edr";
    /// Form detection runs.
    pub const FORM_DETECTION_RUN: &str = "sgr";
    /// Parse runs.
    pub const PARSE_RUN: &str = "pr";
    /// Batches of parse runs.
    pub const PARSE_BATCH: &str = "bpar";
    /// Request ids (`x-extend-request-id`).
    pub const REQUEST: &str = "req";
    /// Events of the outbox (the webhook `eventId`).
    pub const EVENT: &str = "evt";
    /// API key records (not the key itself).
    pub const KEY: &str = "key";
    /// API keys as given to users.
    pub const SECRET_KEY: &str = "sk";
}

/// Fills `buf` with random bytes from the operating system.
pub fn random_bytes(buf: &mut [u8]) {
    if getrandom::getrandom(buf).is_err() {
        // The OS generator does not fail on Linux after boot; keep ids unique regardless.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
}

/// Base62 text of `len` random characters (rejection sampling: no modulo bias).
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        random_bytes(&mut buf);
        for &b in &buf {
            // 248 = 62 * 4: values above it would favour the first letters.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    out
}

/// A new id such as `edr_xK9mLPqRtN3vS8wF5hB2cQ`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_base62(22))
}

/// A new API key (`sk_` + 40 base62 characters, about 238 bits).
pub fn new_api_key() -> String {
    format!("{}_{}", prefix::SECRET_KEY, random_base62(40))
}

/// The kinds of runs, each with its id prefix, object name and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// `edit_run` (`edr_`).
    Edit,
    /// `form_detection_run` (`sgr_`).
    FormDetection,
    /// `parse_run` (`pr_`).
    Parse,
}

impl RunKind {
    /// The `object` value and the stored kind.
    pub fn object(self) -> &'static str {
        match self {
            Self::Edit => "edit_run",
            Self::FormDetection => "form_detection_run",
            Self::Parse => "parse_run",
        }
    }

    /// Id prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Edit => prefix::EDIT_RUN,
            Self::FormDetection => prefix::FORM_DETECTION_RUN,
            Self::Parse => prefix::PARSE_RUN,
        }
    }

    /// For messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Edit => "edit run",
            Self::FormDetection => "form detection run",
            Self::Parse => "parse run",
        }
    }

    /// The kind stored as `object`.
    pub fn from_object(object: &str) -> Option<Self> {
        match object {
            "edit_run" => Some(Self::Edit),
            "form_detection_run" => Some(Self::FormDetection),
            "parse_run" => Some(Self::Parse),
            _ => None,
        }
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = new_id(prefix::EDIT_RUN);
        let b = new_id(prefix::EDIT_RUN);
        assert!(a.starts_with("edr_") && a.len() == 26, "{a}");
        assert_ne!(a, b);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(new_api_key().starts_with("sk_"));
    }
}
