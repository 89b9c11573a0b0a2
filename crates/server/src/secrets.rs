//! Secrets at rest: file passwords (`files.password`), run inputs (`runs.input`: URLs with
//! their presigned query strings and passwords) and webhook signing secrets are stored
//! sealed with XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`).
//!
//! A sealed value is `enc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id
//! (8 hex digits of a SHA-256 of the key) says which key sealed it, so keys can rotate:
//! new values are sealed under the current key, and any listed old key still opens values
//! sealed under it until they are sealed again (at every start, or `rotate_secrets`).
//! The associated data binds a value to its column and row, so a sealed value copied into
//! another row does not open.
//!
//! Keys: `FORMSMITH_SECRET_KEY` (32 bytes as base64 or hex) is the current key when set;
//! otherwise a key derived from `<data_dir>/secret.key` (32 random bytes, 0600, also the
//! download-link key; the derivation keeps the two uses apart). The data-dir key is always
//! accepted for opening, and so are the keys of `FORMSMITH_SECRET_KEY_OLD` (comma-separated).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Prefix of every sealed value.
pub const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 24;

/// Why a secret could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The key text is not 32 bytes of base64 or hex.
    #[error("{0}: expected 32 bytes as base64 or hex (e.g. `openssl rand -base64 32`)")]
    BadKey(&'static str),
    /// Sealed under a key id that no configured key has.
    #[error("secret sealed with key {0}, which is not configured (set it in FORMSMITH_SECRET_KEY_OLD)")]
    UnknownKey(String),
    /// The value is damaged, or belongs to another row.
    #[error("sealed secret does not open (damaged, or not this row's)")]
    Corrupt,
}

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"formsmith secret key id\0");
        h.update(bytes);
        let id = crate::ids::hex(&h.finalize()[..4]);
        Self {
            id,
            cipher: XChaCha20Poly1305::new(bytes.into()),
        }
    }
}

/// The keys in force: one to seal, any to open.
pub struct Secrets {
    current: Key,
    old: Vec<Key>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("current", &self.current.id)
            .field("old", &self.old.iter().map(|k| &k.id).collect::<Vec<_>>())
            .finish()
    }
}

/// 32 key bytes from base64 (standard or URL-safe, padded or not) or 64 hex digits.
pub fn parse_key(text: &str, what: &'static str) -> Result<[u8; 32], SecretError> {
    let t = text.trim();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&t[2 * i..2 * i + 2], 16)
                .map_err(|_| SecretError::BadKey(what))?;
        }
        return Ok(out);
    }
    [STANDARD.decode(t), URL_SAFE.decode(t), URL_SAFE_NO_PAD.decode(t)]
        .into_iter()
        .flatten()
        .find_map(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
        .ok_or(SecretError::BadKey(what))
}

/// The at-rest key derived from the data dir's `secret.key` (created when missing).
fn data_dir_key(data_dir: &Path) -> std::io::Result<[u8; 32]> {
    let file = crate::presign::load_or_create_secret(data_dir)?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&file).map_err(std::io::Error::other)?;
    mac.update(b"formsmith secrets at rest v1");
    Ok(mac.finalize().into_bytes().into())
}

impl Secrets {
    /// Keys from the configuration: `current` (FORMSMITH_SECRET_KEY) or the data-dir key,
    /// plus `old` keys to open values sealed before a rotation.
    pub fn load(
        data_dir: &Path,
        current: Option<&str>,
        old: &[String],
    ) -> Result<Self, std::io::Error> {
        let invalid = |e: SecretError| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let dir_key = Key::new(&data_dir_key(data_dir)?);
        let mut keys = Vec::new();
        if let Some(text) = current.filter(|t| !t.trim().is_empty()) {
            keys.push(Key::new(
                &parse_key(text, "FORMSMITH_SECRET_KEY").map_err(invalid)?,
            ));
            keys.push(dir_key);
        } else {
            keys.push(dir_key);
        }
        for text in old.iter().filter(|t| !t.trim().is_empty()) {
            keys.push(Key::new(
                &parse_key(text, "FORMSMITH_SECRET_KEY_OLD").map_err(invalid)?,
            ));
        }
        let mut keys = keys.into_iter();
        let current = keys
            .next()
            .ok_or_else(|| std::io::Error::other("no secret key"))?;
        Ok(Self {
            old: keys.filter(|k| k.id != current.id).collect(),
            current,
        })
    }

    /// Keys given directly (tests).
    #[cfg(test)]
    pub fn from_keys(current: [u8; 32], old: &[[u8; 32]]) -> Self {
        Self {
            current: Key::new(&current),
            old: old.iter().map(Key::new).collect(),
        }
    }

    /// The id of the key new values are sealed with.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` for `context` (column and row, e.g. `files.password:file_…`).
    pub fn seal(&self, context: &str, plain: &str) -> Result<String, SecretError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Corrupt)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}:{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(blob)
        ))
    }

    /// Opens a stored value. Text without the prefix is a value stored before sealing
    /// existed: returned as it is (the start-up migration seals it).
    pub fn open(&self, context: &str, stored: &str) -> Result<String, SecretError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let (id, body) = rest.split_once(':').ok_or(SecretError::Corrupt)?;
        let key = std::iter::once(&self.current)
            .chain(&self.old)
            .find(|k| k.id == id)
            .ok_or_else(|| SecretError::UnknownKey(id.to_string()))?;
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SecretError::Corrupt)?;
        if blob.len() < NONCE_LEN {
            return Err(SecretError::Corrupt);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let plain = key
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Corrupt)?;
        String::from_utf8(plain).map_err(|_| SecretError::Corrupt)
    }

    /// Whether a stored value should be sealed again: plain text, or another key's.
    pub fn needs_reseal(&self, stored: &str) -> bool {
        match stored.strip_prefix(PREFIX) {
            None => true,
            Some(rest) => rest.split_once(':').map(|(id, _)| id) != Some(self.current.id.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_rotate() {
        let old = Secrets::from_keys([1; 32], &[]);
        let sealed = old.seal("files.password:file_a", "hunter2").expect("seal");
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("hunter2"));
        assert_eq!(old.open("files.password:file_a", &sealed).expect("open"), "hunter2");
        assert!(old.open("files.password:file_b", &sealed).is_err(), "other row");
        assert!(!old.needs_reseal(&sealed));
        assert!(old.needs_reseal("hunter2"));
        assert_eq!(old.open("x", "plain").expect("legacy"), "plain");

        let new = Secrets::from_keys([2; 32], &[[1; 32]]);
        assert!(new.needs_reseal(&sealed));
        assert_eq!(new.open("files.password:file_a", &sealed).expect("old key"), "hunter2");
        let resealed = new.seal("files.password:file_a", "hunter2").expect("seal");
        assert!(resealed.contains(new.current_id()));
        let without_old = Secrets::from_keys([2; 32], &[]);
        assert!(matches!(
            without_old.open("files.password:file_a", &sealed),
            Err(SecretError::UnknownKey(_))
        ));
    }

    #[test]
    fn key_text() {
        let hex = "00".repeat(31) + "ff";
        assert_eq!(parse_key(&hex, "k").expect("hex")[31], 0xff);
        let b64 = STANDARD.encode([7u8; 32]);
        assert_eq!(parse_key(&b64, "k").expect("b64"), [7u8; 32]);
        assert!(parse_key("short", "k").is_err());
    }
}
