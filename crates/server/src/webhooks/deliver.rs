//! The deliverer: one background task that routes outbox events into deliveries, claims the
//! due ones, and POSTs each (at most `webhook_concurrency` at once) as a signed §9.1
//! envelope; then records success, a retry time, or failure.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::model::DEFAULT_URL_THRESHOLD_BYTES;
use super::names::{PAYLOAD_TTL_SECS, SIGNATURE_HEADER, TIMESTAMP_HEADER, payload_token};
use super::store::{self, DeliveryRow, EndpointRow, EventRow, Recorded};
use crate::clock::{now_ms, now_secs};
use crate::config::Config;
use crate::download::chain;
use crate::ids::hex;
use crate::state::Shared;

/// How long in-flight attempts may finish once the server stops; the rest stay claimed
/// and are sent again at the next start.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Bytes of a failed answer kept as the delivery's `last_error`.
const ERROR_BODY_BYTES: usize = 512;
/// Events routed per batch, and batches per pass.
const ROUTE_BATCH: i64 = 200;
const ROUTE_PASSES: usize = 10;

/// The signature of a delivery (spec §9.3): lowercase hex HMAC-SHA256, keyed with the
/// signing secret as given (`wss_…`), of `v0:<timestamp>:<raw body>`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Delay before the next attempt after `attempts` failed ones (1-based): `base · 3^(n-1)`,
/// at most `max`, times a jitter factor in [0.8, 1.2) (`jitter` in [0, 1)).
pub fn retry_delay_ms(attempts: u32, base_ms: u64, max_ms: u64, jitter: f64) -> u64 {
    let exp = 3u64.saturating_pow(attempts.saturating_sub(1).min(40));
    let delay = base_ms.saturating_mul(exp).min(max_ms.max(1));
    ((delay as f64) * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))).max(1.0) as u64
}

fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    crate::ids::random_bytes(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// The HTTP client of deliveries: no redirects followed (a 3xx is a failed attempt), no
/// proxies, bounded time, and — unless private URLs are allowed — the downloader's
/// resolver that refuses private, loopback and link-local addresses.
pub fn client(config: &Config) -> reqwest::Client {
    let timeout = Duration::from_secs(config.webhook_timeout_secs.max(1));
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(2)
        .user_agent(concat!("formsmith-webhooks/", env!("CARGO_PKG_VERSION")));
    if !config.allow_private_urls {
        builder = builder.dns_resolver(Arc::new(crate::download::GuardedResolver));
    }
    builder.build().unwrap_or_else(|_| reqwest::Client::new())
}

/// Starts the deliverer; it stops when `shutdown` turns true.
pub fn spawn(state: &Shared, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    let state = Arc::clone(state);
    tokio::spawn(async move { run(state, shutdown).await })
}

async fn run(state: Shared, mut shutdown: watch::Receiver<bool>) {
    let client = client(&state.config);
    let pool = state.store.pool().clone();
    let poll = Duration::from_millis(state.config.webhook_poll_ms.max(10));
    let concurrency = state.config.webhook_concurrency.max(1);
    let lease_ms = i64::try_from(state.config.webhook_timeout_secs.max(1))
        .unwrap_or(i64::MAX / 2_000)
        .saturating_mul(1000)
        .saturating_add(60_000);
    let mut inflight: JoinSet<()> = JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = now_ms();
        // A backlog (after downtime) is routed in batches, a bounded number per pass.
        for _ in 0..ROUTE_PASSES {
            match store::route_events(&pool, now, ROUTE_BATCH).await {
                Ok((events, deliveries)) => {
                    if events > 0 {
                        tracing::debug!(events, deliveries, "webhook events routed");
                    }
                    if (events as i64) < ROUTE_BATCH {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!("routing webhook events: {e}");
                    break;
                }
            }
        }
        while let Some(done) = inflight.try_join_next() {
            if let Err(e) = done {
                tracing::error!("webhook delivery task: {e}");
            }
        }
        let free = concurrency.saturating_sub(inflight.len());
        if free > 0 {
            let limit = i64::try_from(free).unwrap_or(i64::MAX);
            match store::claim_due(&pool, now, now - lease_ms, limit).await {
                Ok(rows) => {
                    for d in rows {
                        let (state, client) = (Arc::clone(&state), client.clone());
                        inflight.spawn(async move { attempt(&state, &client, d).await });
                    }
                }
                Err(e) => tracing::error!("claiming webhook deliveries: {e}"),
            }
        }
        if let Ok(n) = store::pending_count(&pool).await {
            state.metrics.set_webhook_pending(n);
        }
        // Sleep until the next poll, a stop, or a free slot (more may be due).
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
    let drain = async { while inflight.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        tracing::warn!(
            abandoned = inflight.len(),
            "webhook attempts still in flight at shutdown; they are sent again at the next start"
        );
        inflight.abort_all();
    }
}

/// What one attempt came to.
enum Attempt {
    /// 2xx.
    Delivered(u16),
    /// No 2xx: the status if there was an answer, and why.
    Failed(Option<u16>, String),
    /// Not attempted and never will be (endpoint disabled, event gone).
    Dropped(String),
}

async fn attempt(state: &Shared, client: &reqwest::Client, d: DeliveryRow) {
    let pool = state.store.pool();
    let result = send(state, client, &d).await;
    let now = now_ms();
    let max = i64::from(state.config.webhook_max_attempts.max(1));
    let (recorded, status, error) = match &result {
        Attempt::Delivered(s) => (Recorded::Succeeded, Some(*s), None),
        Attempt::Failed(s, why) if d.attempts < max => {
            let delay = retry_delay_ms(
                u32::try_from(d.attempts).unwrap_or(u32::MAX),
                state.config.webhook_retry_base_ms,
                state.config.webhook_retry_max_ms,
                random_unit(),
            );
            let at = now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
            (Recorded::Retry(at), *s, Some(why.as_str()))
        }
        Attempt::Failed(s, why) => (Recorded::Failed, *s, Some(why.as_str())),
        Attempt::Dropped(why) => (Recorded::Failed, None, Some(why.as_str())),
    };
    let outcome = match (&result, recorded) {
        (Attempt::Dropped(_), _) => "cancelled",
        (_, Recorded::Succeeded) => "succeeded",
        (_, Recorded::Retry(_)) => "retried",
        (_, Recorded::Failed) => "failed",
    };
    state.metrics.webhook_delivery(outcome);
    tracing::info!(
        delivery_id = %d.id,
        event_id = %d.event_id,
        endpoint_id = %d.endpoint_id,
        attempt = d.attempts,
        status = status.unwrap_or(0),
        outcome,
        error = error.unwrap_or(""),
        "webhook delivery"
    );
    for tries in 1..=3u64 {
        match store::record(pool, &d.id, recorded, status, error, now).await {
            Ok(()) => return,
            Err(e) => {
                // Left claimed if it never records: the lease runs out and it is sent again.
                tracing::error!(delivery_id = %d.id, "recording a webhook attempt: {e}");
                tokio::time::sleep(Duration::from_millis(200 * tries)).await;
            }
        }
    }
}

/// The payload as delivered: the stored run JSON with fresh presigned URLs (they expire,
/// so the outbox keeps none).
pub fn payload_json(state: &Shared, event: &EventRow) -> Value {
    let mut payload = event.payload.clone();
    if let Some(edited) = payload
        .get_mut("output")
        .and_then(|o| o.get_mut("editedFile"))
        && let Some(id) = edited.get("id").and_then(Value::as_str).map(str::to_string)
    {
        let base = state.base_url(None);
        edited["presignedUrl"] = json!(state.presigned_url(&base, &id, &event.workspace_id));
    }
    payload
}

/// The request body: the §9.1 envelope, or — for an endpoint with `payload.format: "url"`
/// and a body over its threshold — the envelope with a §9.4 `signed_data_url` payload.
pub fn body(state: &Shared, endpoint: &EndpointRow, event: &EventRow) -> String {
    let envelope = |payload: Value| {
        json!({ "eventId": event.id, "eventType": event.event_type, "payload": payload })
            .to_string()
    };
    let full = envelope(payload_json(state, event));
    let payload_opts = endpoint
        .advanced_options
        .as_ref()
        .and_then(|a| a.get("payload"));
    let by_url = payload_opts
        .and_then(|p| p.get("format"))
        .and_then(Value::as_str)
        == Some("url");
    let threshold = payload_opts
        .and_then(|p| p.get("urlThresholdBytes"))
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_URL_THRESHOLD_BYTES);
    if !by_url || full.len() as u64 <= threshold {
        return full;
    }
    let base = state.base_url(None);
    let token = state.signer.sign(
        &payload_token(&event.id),
        &event.workspace_id,
        now_secs() + PAYLOAD_TTL_SECS,
    );
    envelope(json!({
        "object": "signed_data_url",
        "id": event.object_id,
        "data": format!("{base}/webhook_payloads/{token}"),
    }))
}

async fn send(state: &Shared, client: &reqwest::Client, d: &DeliveryRow) -> Attempt {
    let pool = state.store.pool();
    let endpoint = match store::get_endpoint_any(pool, &d.endpoint_id).await {
        Ok(Some(e)) => e,
        Ok(None) => return Attempt::Dropped("the endpoint was deleted".into()),
        Err(e) => return Attempt::Failed(None, format!("database: {e}")),
    };
    if endpoint.status != "enabled" {
        return Attempt::Dropped("the endpoint is disabled".into());
    }
    let event = match store::get_event(pool, &d.event_id).await {
        Ok(Some(e)) => e,
        Ok(None) => return Attempt::Dropped("the event no longer exists".into()),
        Err(e) => return Attempt::Failed(None, format!("database: {e}")),
    };
    // Checked again at each attempt: the URL may have changed since, and the resolver
    // checks host names as they resolve now.
    let url = match super::model::check_url(&endpoint.url, state.config.allow_private_urls) {
        Ok(u) => u,
        Err(e) => return Attempt::Failed(None, e.message),
    };
    let body = body(state, &endpoint, &event);
    let timestamp = now_secs();
    let secret = match state.store.secrets().open(
        &store::secret_context(&endpoint.id),
        &endpoint.signing_secret,
    ) {
        Ok(s) => s,
        Err(e) => return Attempt::Failed(None, format!("signing secret: {e}")),
    };
    let signature = sign(&secret, timestamp, &body);
    let mut request = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature);
    if let Some(headers) = endpoint
        .advanced_options
        .as_ref()
        .and_then(|a| a.get("headers"))
        .and_then(Value::as_object)
    {
        for (name, value) in headers {
            if let Some(v) = value.as_str() {
                request = request.header(name.as_str(), v);
            }
        }
    }
    let mut response = match request.body(body).send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Failed(None, chain(&e)),
    };
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Attempt::Delivered(status);
    }
    // Keep the start of the answer for the record; never read more.
    let mut snippet = Vec::new();
    while snippet.len() < ERROR_BODY_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => snippet.extend_from_slice(&chunk),
            _ => break,
        }
    }
    snippet.truncate(ERROR_BODY_BYTES);
    let text = String::from_utf8_lossy(&snippet);
    Attempt::Failed(
        Some(status),
        format!("answered HTTP {status}: {}", text.trim()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_sdk_algorithm() {
        // Python: hmac.new(b"wss_test", b'v0:1700000000:{"a":1}', hashlib.sha256).hexdigest()
        assert_eq!(
            sign("wss_test", 1_700_000_000, r#"{"a":1}"#),
            "7fdd380a158e728269a758d61dc872912331405048991e36e2900530f78372b3"
        );
        let s = sign("wss_test", 1_700_000_000, r#"{"a":1}"#);
        assert_eq!(s.len(), 64);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(s, sign("wss_test", 1_700_000_001, r#"{"a":1}"#));
        assert_ne!(s, sign("wss_other", 1_700_000_000, r#"{"a":1}"#));
    }

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let base = 60_000;
        let max = 12 * 3_600_000;
        let mid: Vec<u64> = (1..=7).map(|n| retry_delay_ms(n, base, max, 0.5)).collect();
        assert_eq!(
            mid,
            vec![
                60_000, 180_000, 540_000, 1_620_000, 4_860_000, 14_580_000, 43_200_000
            ]
        );
        let total: u64 = mid.iter().sum();
        assert!((17 * 3_600_000..19 * 3_600_000).contains(&total), "{total}");
        assert_eq!(retry_delay_ms(1, base, max, 0.0), 48_000);
        assert_eq!(retry_delay_ms(1, base, max, 1.0), 72_000);
        assert_eq!(retry_delay_ms(200, base, max, 0.5), max);
        let u = random_unit();
        assert!((0.0..1.0).contains(&u));
    }
}
