//! Presigned download links: `GET /download/{token}` where the token carries the file id,
//! its workspace and an expiry (15 minutes), signed with HMAC-SHA256 under a secret kept in
//! `<data_dir>/secret.key` (32 random bytes, made at first start, mode 0600).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::random_bytes;

/// Lifetime of a presigned URL (spec §2.3, §11).
pub const PRESIGN_TTL_SECS: i64 = 15 * 60;

/// The 32 random bytes of `<data_dir>/secret.key` (0600), created when missing or damaged.
/// Download links are signed with them, and the at-rest key is derived from them unless
/// `FORMSMITH_SECRET_KEY` is set.
pub fn load_or_create_secret(data_dir: &Path) -> std::io::Result<[u8; 32]> {
    let path = data_dir.join("secret.key");
    if let Ok(bytes) = std::fs::read(&path)
        && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        crate::blobs::private_file_if_exists(&path)?;
        return Ok(key);
    }
    let mut key = [0u8; 32];
    random_bytes(&mut key);
    let temp = data_dir.join("secret.key.tmp");
    {
        use std::io::Write;
        let mut f = crate::blobs::private_create().open(&temp)?;
        f.write_all(&key)?;
        f.sync_all()?;
    }
    std::fs::rename(&temp, &path)?;
    Ok(key)
}

/// Signs and checks download tokens.
#[derive(Clone)]
pub struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// Loads the secret of `data_dir`, creating it (write, sync, rename) when missing.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Self> {
        Ok(Self {
            key: load_or_create_secret(data_dir)?,
        })
    }

    /// A signer with a fixed key (tests).
    #[cfg(test)]
    pub fn from_key(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length; 32 bytes cannot fail.
        Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    /// A token for `file_id` of `workspace_id`, valid until `expires` (Unix seconds).
    pub fn sign(&self, file_id: &str, workspace_id: &str, expires: i64) -> String {
        let payload = format!("{file_id}.{workspace_id}.{expires}");
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let tag = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Checks a token at time `now`: (file id, workspace id) when the signature holds and
    /// it has not expired.
    pub fn verify(&self, token: &str, now: i64) -> Option<(String, String)> {
        let (payload_b64, tag_b64) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload_b64).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag_b64).ok()?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).ok()?; // constant time
        let text = String::from_utf8(payload).ok()?;
        let mut parts = text.splitn(3, '.');
        let (file, ws, expires) = (parts.next()?, parts.next()?, parts.next()?);
        let expires: i64 = expires.parse().ok()?;
        (now <= expires).then(|| (file.to_string(), ws.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_expire_tamper() {
        let s = Signer::from_key([7; 32]);
        let t = s.sign("file_abc", "ws_1", 1000);
        assert_eq!(s.verify(&t, 999), Some(("file_abc".into(), "ws_1".into())));
        assert_eq!(s.verify(&t, 1000), Some(("file_abc".into(), "ws_1".into())));
        assert_eq!(s.verify(&t, 1001), None, "expired");
        let other = Signer::from_key([8; 32]);
        assert_eq!(other.verify(&t, 0), None, "other secret");
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("file_xyz.ws_1.99999"),
            t.split_once('.').map(|p| p.1).unwrap_or_default()
        );
        assert_eq!(s.verify(&forged, 0), None, "payload swapped");
        assert_eq!(s.verify("garbage", 0), None);
    }
}
