//! Webhooks (spec §9): endpoint and subscription management. The endpoints' signing
//! secrets sign deliveries of the run events the workers write to the `events` outbox.
//!
//! **Management** (`routes/webhooks.rs`, §9.5): `/webhook_endpoints` and
//! `/webhook_subscriptions` CRUD (update is `POST /{id}`), scoped to the caller's workspace
//! (another workspace's objects are 404). Bodies are strict (unknown keys are a 400).
//! An endpoint has a `url` (http/https; IP literals of private networks refused unless
//! `--allow-private-urls`), `name`, `enabledEvents` (global event types), `apiVersion`
//! (required, fixed at creation; `2026-02-09`), `status` and `advancedOptions`
//! (`headers` added to deliveries, `payload` format). Its signing secret (`wss_` + 40
//! base62 characters) is made by the server and shown once, in the create response.
//! Subscriptions are resource-scoped (extractor, classifier, splitter, workflow) and
//! creating one again for the same endpoint and resource updates it; Formsmith has no such
//! resources, so they are stored and served but produce no deliveries.

pub mod model;
pub mod openapi;
pub mod store;

/// Id prefix of endpoints.
pub const ENDPOINT_PREFIX: &str = "wh";
/// Id prefix of subscriptions (the SDK's examples: `whes_…`).
pub const SUBSCRIPTION_PREFIX: &str = "whes";
/// Prefix of signing secrets.
pub const SECRET_PREFIX: &str = "wss";

/// A new signing secret: `wss_` + 40 base62 characters (about 238 bits).
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}_{}", crate::ids::random_base62(40))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets() {
        let s = new_secret();
        assert!(s.starts_with("wss_") && s.len() == 44, "{s}");
        assert_ne!(s, new_secret());
    }
}
