//! Webhooks (spec §9): endpoint and subscription management, and durable, signed, retried
//! delivery of the run events the workers write to the `events` outbox.
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
//!
//! **Delivery** (`deliver.rs`): one background task.
//! 1. *Routing*: each outbox event not yet routed gets one `webhook_deliveries` row per
//!    enabled endpoint of its workspace that enables its type (and existed when the event
//!    happened), in the transaction that marks the event routed — so an event is routed
//!    exactly once, even across crashes.
//! 2. *Claiming*: due pending rows are claimed (attempt counted) up to
//!    `--webhook-concurrency` at once.
//! 3. *Sending*: `POST <url>` with the §9.1 envelope `{eventId, eventType, payload}` (the
//!    run JSON with fresh presigned URLs), `content-type: application/json`,
//!    `x-extend-request-timestamp` (Unix seconds, taken at each attempt so the receiver's
//!    5-minute tolerance holds on retries) and `x-extend-request-signature` = lowercase hex
//!    HMAC-SHA256(key = the `wss_…` secret as given, `v0:<timestamp>:<raw body>`) — the
//!    SDK verifiers' algorithm (§9.3). Links in payloads (presigned URLs, signed payload
//!    URLs) start with `--public-url`, else the listen address: set it when receivers are
//!    elsewhere. The endpoint's custom headers are added. Success is
//!    any 2xx; redirects are not followed; `--webhook-timeout-secs` (30, as Extend) bounds
//!    each attempt; at most 512 bytes of a failed answer are read (kept as `last_error`).
//! 4. *Retries* (§9.6 is unknown; our policy): after failed attempt n the next one waits
//!    `base · 3^(n-1)` capped at `max`, times a random factor in [0.8, 1.2). Defaults:
//!    8 attempts, base 1 minute, cap 12 hours — delays 1m, 3m, 9m, 27m, 81m, 4h03m, 12h, so
//!    the 8th attempt comes about 18 hours after the first; then the delivery is `failed`.
//!    The same `eventId` on every attempt: receivers dedupe with it.
//! 5. *Restarts*: everything is in the store. Pending deliveries resume; one claimed by a
//!    process that died (or stopped with it in flight beyond a 5 s grace) is released at
//!    the next start and sent again (it failed for good if that was its last attempt), and
//!    a claim older than the timeout plus a minute is taken over. Delivery is at least
//!    once.
//!
//! Deliveries of a deleted endpoint are deleted with it; those of a disabled endpoint are
//! `failed` ("cancelled" in the metrics) when their turn comes. Large payloads (§9.4):
//! with `advancedOptions.payload = {format: "url", urlThresholdBytes?}` an envelope over
//! the threshold (default 256 KiB) carries `{object: "signed_data_url", id, data}` instead,
//! `data` being `GET /webhook_payloads/{token}` on this server, an HMAC-signed link (the
//! download links' key) valid 1 hour that answers the full payload. The target URL is
//! resolved through the URL downloader's guard: private, loopback and link-local addresses
//! are refused unless the config allows private URLs.

mod deliver;
pub mod model;
mod names;
pub mod openapi;
pub mod store;

pub use deliver::{payload_json, spawn};
pub use names::{ENDPOINT_PREFIX, SUBSCRIPTION_PREFIX, event_of_token, new_secret};

use crate::clock::now_ms;
use crate::state::Shared;

/// At start: releases deliveries a previous process left in flight.
pub async fn recover(state: &Shared) -> Result<(), sqlx::Error> {
    let (released, failed) = store::recover(
        state.store.pool(),
        state.config.webhook_max_attempts.max(1),
        now_ms(),
    )
    .await?;
    if released > 0 || failed > 0 {
        tracing::warn!(
            released,
            failed,
            "webhook deliveries left in flight by a previous process"
        );
    }
    Ok(())
}
