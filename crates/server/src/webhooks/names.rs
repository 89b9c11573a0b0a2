//! Webhook object id prefixes, the signature headers, and the tokens of payload links.

/// Id prefix of endpoints.
pub const ENDPOINT_PREFIX: &str = "wh";
/// Id prefix of subscriptions (the SDK's examples: `whes_…`).
pub const SUBSCRIPTION_PREFIX: &str = "whes";
/// Id prefix of delivery rows (internal).
pub const DELIVERY_PREFIX: &str = "whd";
/// Prefix of signing secrets.
pub const SECRET_PREFIX: &str = "wss";
/// Header carrying the Unix time of the attempt.
pub const TIMESTAMP_HEADER: &str = "x-extend-request-timestamp";
/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-extend-request-signature";
/// Lifetime of a signed payload URL (spec §9.4: 1 hour).
pub const PAYLOAD_TTL_SECS: i64 = 3600;

/// A new signing secret: `wss_` + 40 base62 characters (about 238 bits).
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}_{}", crate::ids::random_base62(40))
}

/// What a signed payload URL signs in place of a file id (so a payload token is never a
/// download token, nor the reverse).
pub fn payload_token(event_id: &str) -> String {
    format!("webhook-payload:{event_id}")
}

/// The event id of a verified payload token's subject.
pub fn event_of_token(subject: &str) -> Option<&str> {
    subject.strip_prefix("webhook-payload:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens() {
        let s = new_secret();
        assert!(s.starts_with("wss_") && s.len() == 44, "{s}");
        assert_ne!(s, new_secret());
        assert_eq!(event_of_token(&payload_token("evt_1")), Some("evt_1"));
        assert_eq!(event_of_token("file_1"), None);
    }
}
