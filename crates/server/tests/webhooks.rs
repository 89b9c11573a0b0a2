//! Webhooks end to end on loopback: a receiver in the test (axum) gets `edit_run.processed`,
//! `edit_run.failed` and `form_detection_run.processed` events, checks every signature with
//! its own HMAC-SHA256 (spec §9.3, written here from the spec, not the server's code), sees
//! retries with growing waits after answering 500, large payloads as signed URLs (§9.4);
//! deliveries survive restarts (an unrouted event, and an attempt in flight when the server
//! stopped) and arrive once; the management API (§9.5) is strict and workspace-scoped;
//! private targets are refused unless allowed.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::{TestServer, start, start_with, temp_dir};
use formsmith_server::{Config, DEFAULT_ORGANIZATION};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// ---- an independent verifier (spec §9.3) ------------------------------------------------

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Checks a delivery as the SDKs do: timestamp at most 300 s old and at most 60 s ahead,
/// signature = lowercase hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body).
fn verify(secret: &str, hit: &Hit) -> Result<(), String> {
    let timestamp = hit
        .header("x-extend-request-timestamp")
        .ok_or("no timestamp header")?;
    let signature = hit
        .header("x-extend-request-signature")
        .ok_or("no signature header")?;
    let ts: i64 = timestamp.parse().map_err(|_| "timestamp not an integer")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if now - ts > 300 || ts - now > 60 {
        return Err(format!("timestamp {ts} out of tolerance (now {now})"));
    }
    let expected = hmac_sha256(
        secret.as_bytes(),
        format!("v0:{timestamp}:{}", hit.body).as_bytes(),
    );
    let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
    if hex == signature {
        Ok(())
    } else {
        Err("signature mismatch".into())
    }
}

#[test]
fn the_independent_hmac_matches_rfc_4231() {
    // RFC 4231 test case 2.
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

// ---- a loopback receiver ------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Hit {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
    /// The status answered (0: never answered).
    answered: u16,
    at: Instant,
}

impl Hit {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inner {
    hits: Vec<Hit>,
    /// Statuses to answer next, by path (then 200).
    script: HashMap<String, VecDeque<u16>>,
    /// Never answer (the request hangs).
    hang: bool,
}

#[derive(Clone, Default)]
struct Receiver {
    inner: Arc<Mutex<Inner>>,
    base: String,
}

async fn receive(
    State(r): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let (status, hang) = {
        let mut inner = r.inner.lock().unwrap();
        let hang = inner.hang;
        let status = if hang {
            0
        } else {
            inner
                .script
                .get_mut(&path)
                .and_then(VecDeque::pop_front)
                .unwrap_or(200)
        };
        inner.hits.push(Hit {
            path,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body,
            answered: status,
            at: Instant::now(),
        });
        (status, hang)
    };
    if hang {
        std::future::pending::<()>().await;
    }
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let r = Receiver {
            inner: Arc::default(),
            base,
        };
        let app = Router::new()
            .route("/{path}", post(receive))
            .with_state(r.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        r
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn hits(&self, path: &str) -> Vec<Hit> {
        let inner = self.inner.lock().unwrap();
        inner
            .hits
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }

    fn script(&self, path: &str, statuses: &[u16]) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .entry(path.to_string())
            .or_default()
            .extend(statuses);
    }

    fn hang(&self, on: bool) {
        self.inner.lock().unwrap().hang = on;
    }

    /// Waits (10 s at most) until `path` has hits satisfying `done`.
    async fn wait(&self, path: &str, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        for _ in 0..400 {
            let hits = self.hits(path);
            if done(&hits) {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "receiver /{path}: condition not met; hits: {:#?}",
            self.hits(path)
        );
    }
}

// ---- helpers ------------------------------------------------------------------------------

/// Fast deliveries: poll every 50 ms, retries after ~100 ms, ~300 ms, ….
fn fast(c: &mut Config) {
    c.webhook_poll_ms = 50;
    c.webhook_retry_base_ms = 100;
    c.webhook_retry_max_ms = 1000;
    c.webhook_max_attempts = 5;
}

async fn create_endpoint(t: &TestServer, body: Value) -> Value {
    let (s, e) = t.json(t.post("/webhook_endpoints", &body)).await;
    assert_eq!(s, 200, "{e}");
    // Lists sort by (creation millisecond, random id): space creations so that creation
    // order is list order, as the paging assertions expect.
    tokio::time::sleep(Duration::from_millis(3)).await;
    e
}

async fn metrics(t: &TestServer) -> String {
    t.http
        .get(format!("{}/metrics", t.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits (10 s at most) until /metrics shows every line.
async fn wait_metrics(t: &TestServer, lines: &[&str]) {
    for _ in 0..200 {
        let text = metrics(t).await;
        if lines.iter().all(|l| text.contains(l)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("metrics never showed {lines:?}:\n{}", metrics(t).await);
}

fn without_presigned(mut run: Value) -> Value {
    if let Some(edited) = run.pointer_mut("/output/editedFile")
        && let Some(o) = edited.as_object_mut()
    {
        o.remove("presignedUrl");
    }
    run
}

// ---- delivery -------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_signed_retried_filtered_and_typed() {
    let rx = Receiver::start().await;
    let t = start(fast).await;

    // /hook: every edit event, answers 500 twice first. /detect: form detection only.
    // /off: disabled. /big: payloads over 100 bytes as signed URLs, with a custom header.
    let hook = create_endpoint(
        &t,
        json!({"url": rx.url("hook"), "name": "edits", "apiVersion": "2026-02-09",
               "enabledEvents": ["edit_run.processed", "edit_run.failed"]}),
    )
    .await;
    assert!(hook["id"].as_str().unwrap().starts_with("wh_"), "{hook}");
    let secret = hook["signingSecret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("wss_") && secret.len() > 20, "{hook}");
    assert_eq!(hook["object"], "webhook_endpoint");
    assert_eq!(hook["status"], "enabled");
    let detect = create_endpoint(
        &t,
        json!({"url": rx.url("detect"), "name": "detections", "apiVersion": "2026-02-09",
               "enabledEvents": ["form_detection_run.processed"]}),
    )
    .await;
    create_endpoint(
        &t,
        json!({"url": rx.url("off"), "name": "off", "apiVersion": "2026-02-09", "status": "disabled",
               "enabledEvents": ["edit_run.processed", "form_detection_run.processed"]}),
    )
    .await;
    let big = create_endpoint(
        &t,
        json!({"url": rx.url("big"), "name": "big", "apiVersion": "2026-02-09",
               "enabledEvents": ["edit_run.processed"],
               "advancedOptions": {"headers": {"X-Team": "forms"},
                                   "payload": {"format": "url", "urlThresholdBytes": 100}}}),
    )
    .await;
    rx.script("hook", &[500, 500]);

    // An edit: edit_run.processed, after two 500s.
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, run) = t
        .json(t.post("/edit", &json!({"file": {"id": file}})))
        .await;
    assert_eq!(s, 200, "{run}");
    let run_id = run["id"].as_str().unwrap().to_string();
    let hits = rx
        .wait("hook", |h| h.iter().any(|h| h.answered == 200))
        .await;
    assert_eq!(
        hits.iter().map(|h| h.answered).collect::<Vec<_>>(),
        vec![500, 500, 200]
    );
    let first = hits[0].json();
    for hit in &hits {
        verify(&secret, hit).unwrap();
        assert_eq!(hit.header("content-type"), Some("application/json"));
        let event = hit.json();
        assert_eq!(
            event["eventId"], first["eventId"],
            "same eventId on retries"
        );
        assert_eq!(event["eventType"], "edit_run.processed");
        assert_eq!(event["payload"]["id"], run_id.as_str());
    }
    assert!(first["eventId"].as_str().unwrap().starts_with("evt_"));
    // Backoff: ~100 ms then ~300 ms (±20%, plus polling).
    let gap1 = hits[1].at - hits[0].at;
    let gap2 = hits[2].at - hits[1].at;
    assert!(gap1 >= Duration::from_millis(75), "{gap1:?}");
    assert!(
        gap2 >= Duration::from_millis(235) && gap2 > gap1,
        "{gap1:?} {gap2:?}"
    );
    // A tampered body or another secret does not verify.
    let mut tampered = hits[2].clone();
    tampered.body = tampered.body.replacen("PROCESSED", "PROCESSEE", 1);
    assert!(verify(&secret, &tampered).is_err());
    assert!(verify("wss_other", &hits[2]).is_err());
    // The payload is the run as GET shows it, with a working presigned URL.
    let (_, got) = t.json(t.get(&format!("/edit_runs/{run_id}"))).await;
    let payload = first["payload"].clone();
    assert_eq!(without_presigned(payload.clone()), without_presigned(got));
    let url = payload["output"]["editedFile"]["presignedUrl"]
        .as_str()
        .unwrap();
    let pdf = t.http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // The large-payload endpoint got a signed URL (and its header), which serves the payload.
    let big_hits = rx.wait("big", |h| !h.is_empty()).await;
    let signed = big_hits[0].json();
    let secret_big = big["signingSecret"].as_str().unwrap();
    verify(secret_big, &big_hits[0]).unwrap();
    assert_eq!(big_hits[0].header("x-team"), Some("forms"));
    assert_eq!(signed["eventId"], first["eventId"]);
    assert_eq!(signed["payload"]["object"], "signed_data_url", "{signed}");
    assert_eq!(signed["payload"]["id"], run_id.as_str());
    let data_url = signed["payload"]["data"].as_str().unwrap();
    let full: Value = reqwest::get(data_url).await.unwrap().json().await.unwrap();
    assert_eq!(without_presigned(full), without_presigned(payload.clone()));
    let (s, _) = t
        .json(
            t.http
                .get(format!("{}/webhook_payloads/forged.token", t.url)),
        )
        .await;
    assert_eq!(s, 404);

    // A corrupt PDF: edit_run.failed (answered 200 at once).
    let bad = t.upload("broken/garbage-with-header.pdf").await;
    let (_, created) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": bad}})))
        .await;
    let failed_id = created["id"].as_str().unwrap().to_string();
    let hits = rx
        .wait("hook", |h| {
            h.iter().any(|h| h.json()["eventType"] == "edit_run.failed")
        })
        .await;
    let failed: Vec<&Hit> = hits
        .iter()
        .filter(|h| h.json()["eventType"] == "edit_run.failed")
        .collect();
    assert_eq!(failed.len(), 1);
    verify(&secret, failed[0]).unwrap();
    let event = failed[0].json();
    assert_eq!(event["payload"]["id"], failed_id.as_str());
    assert_eq!(event["payload"]["status"], "FAILED");
    assert_eq!(event["payload"]["failureReason"], "CORRUPT_FILE");
    assert_ne!(event["eventId"], first["eventId"]);

    // Form detection: only /detect hears of it; the disabled endpoint hears nothing.
    let (s, det) = t
        .json(t.post("/detect_form", &json!({"file": {"id": file}})))
        .await;
    assert_eq!(s, 200, "{det}");
    let hits = rx.wait("detect", |h| !h.is_empty()).await;
    verify(detect["signingSecret"].as_str().unwrap(), &hits[0]).unwrap();
    assert_eq!(hits[0].json()["eventType"], "form_detection_run.processed");
    assert_eq!(hits[0].json()["payload"]["id"], det["id"]);
    assert_eq!(hits[0].json()["payload"]["object"], "form_detection_run");

    wait_metrics(
        &t,
        &[
            "formsmith_webhook_deliveries_total{outcome=\"retried\"} 2",
            "formsmith_webhook_deliveries_total{outcome=\"succeeded\"} 4",
            "formsmith_webhook_deliveries_pending 0",
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.hits("off").is_empty(), "disabled endpoint got events");
    assert_eq!(rx.hits("hook").len(), 4, "no duplicates");
    assert_eq!(rx.hits("detect").len(), 1);
    assert_eq!(rx.hits("big").len(), 1);
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_restarts_and_arrive_once() {
    let rx = Receiver::start().await;
    rx.hang(true);
    let dir = temp_dir("webhook-restart");

    // Life 1: the deliverer looks once an hour, so the run's event stays in the outbox.
    let t = start_with(dir.clone(), |c| {
        fast(c);
        c.webhook_poll_ms = 3_600_000;
    })
    .await;
    let endpoint = create_endpoint(
        &t,
        json!({"url": rx.url("hook"), "name": "restart", "apiVersion": "2026-02-09",
               "enabledEvents": ["edit_run.processed"]}),
    )
    .await;
    let secret = endpoint["signingSecret"].as_str().unwrap().to_string();
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, run) = t
        .json(t.post("/edit", &json!({"file": {"id": file}})))
        .await;
    assert_eq!(s, 200, "{run}");
    t.server.shutdown().await;
    assert!(rx.hits("hook").is_empty());

    // Life 2: the event is routed and sent; the receiver never answers; the server stops
    // with the attempt in flight (it is abandoned after the shutdown grace).
    let t = start_with(dir.clone(), fast).await;
    let hung = rx.wait("hook", |h| h.len() == 1).await;
    verify(&secret, &hung[0]).unwrap();
    let event_id = hung[0].json()["eventId"].clone();
    assert_eq!(hung[0].json()["payload"]["id"], run["id"]);
    t.server.shutdown().await;

    // Life 3: the abandoned attempt is sent again, once, and acknowledged.
    rx.hang(false);
    let t = start_with(dir, fast).await;
    let hits = rx.wait("hook", |h| h.len() >= 2).await;
    wait_metrics(
        &t,
        &[
            "formsmith_webhook_deliveries_total{outcome=\"succeeded\"} 1",
            "formsmith_webhook_deliveries_pending 0",
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits_after = rx.hits("hook");
    assert_eq!(hits_after.len(), 2, "delivered once after the restart");
    assert_eq!(hits[1].answered, 200);
    assert_eq!(hits[1].json()["eventId"], event_id, "same eventId");
    verify(&secret, &hits[1]).unwrap();
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_targets_are_refused_unless_allowed() {
    let rx = Receiver::start().await;
    let t = start(|c| {
        fast(c);
        c.allow_private_urls = false;
        c.webhook_max_attempts = 2;
    })
    .await;
    for url in [
        rx.url("hook"),
        "http://[::1]:9/hook".to_string(),
        "http://10.1.2.3/hook".to_string(),
        "http://169.254.169.254/latest".to_string(),
    ] {
        let (s, e) = t
            .json(t.post(
                "/webhook_endpoints",
                &json!({"url": url, "name": "n", "apiVersion": "2026-02-09", "enabledEvents": []}),
            ))
            .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("INVALID_REQUEST")),
            "{url}: {e}"
        );
        assert!(e["message"].as_str().unwrap().contains("refused"), "{e}");
    }
    // IPv6 literals that embed or reach private IPv4 (IPv4-compatible, Teredo) and
    // site-local ones are refused too.
    for url in [
        "http://[::7f00:1]:9/hook",
        "http://[2001::7f00:1]:9/hook",
        "http://[fec0::1]:9/hook",
    ] {
        let (s, e) = t
            .json(t.post(
                "/webhook_endpoints",
                &json!({"url": url, "name": "n", "apiVersion": "2026-02-09", "enabledEvents": []}),
            ))
            .await;
        assert_eq!(s, 400, "{url}: {e}");
        assert!(e["message"].as_str().unwrap().contains("not allowed"), "{e}");
    }
    // A host name that resolves to loopback is refused at creation, without saying what it
    // resolves to.
    let port = rx.base.rsplit(':').next().unwrap();
    let by_name = json!({"url": format!("http://localhost:{port}/hook"), "name": "n",
                         "apiVersion": "2026-02-09", "enabledEvents": ["edit_run.processed"]});
    let (s, e) = t.json(t.post("/webhook_endpoints", &by_name)).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("INVALID_REQUEST")), "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("not allowed"), "{e}");
    assert!(!message.contains("127.0.0.1") && !message.contains("::1"), "{e}");
    // One created while private targets were allowed is refused when resolved at delivery.
    let dir = t.dir.clone();
    t.server.shutdown().await;
    let t = start_with(dir.clone(), |c| {
        fast(c);
        c.allow_private_urls = true;
    })
    .await;
    create_endpoint(&t, by_name.clone()).await;
    t.server.shutdown().await;
    let t = start_with(dir, |c| {
        fast(c);
        c.allow_private_urls = false;
        c.webhook_max_attempts = 2;
    })
    .await;
    // File inputs by upload still work with private URLs refused.
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, _) = t
        .json(t.post("/edit", &json!({"file": {"id": file}})))
        .await;
    assert_eq!(s, 200);
    wait_metrics(
        &t,
        &[
            "formsmith_webhook_deliveries_total{outcome=\"retried\"} 1",
            "formsmith_webhook_deliveries_total{outcome=\"failed\"} 1",
            "formsmith_webhook_deliveries_pending 0",
        ],
    )
    .await;
    assert!(rx.hits("hook").is_empty(), "a private address was reached");
    t.server.shutdown().await;
}

// ---- management ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn management_is_strict_paged_and_workspace_scoped() {
    let t = start(|_| {}).await;
    let ok = json!({"url": "https://hooks.example.com/a", "name": "a", "apiVersion": "2026-02-09",
                    "enabledEvents": ["edit_run.processed"]});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    for (body, needle) in [
        (with("apiVersion", Value::Null), "apiVersion"),
        (with("url", Value::Null), "url"),
        (with("name", Value::Null), "name"),
        (with("enabledEvents", Value::Null), "enabledEvents"),
        (with("bogus", json!(1)), "bogus"),
        (with("url", json!("ftp://hooks.example.com/a")), "http"),
        (with("url", json!("not a url")), "url"),
        (
            with("enabledEvents", json!(["edit_run.done"])),
            "edit_run.done",
        ),
        (with("apiVersion", json!("1999-01-01")), "apiVersion"),
        (with("status", json!("paused")), "status"),
        (with("name", json!("  ")), "name"),
        (
            with(
                "advancedOptions",
                json!({"headers": {"X-Extend-Request-Signature": "x"}}),
            ),
            "X-Extend-Request-Signature",
        ),
        (
            with("advancedOptions", json!({"payload": {"format": "xml"}})),
            "format",
        ),
    ] {
        let (s, e) = t.json(t.post("/webhook_endpoints", &body)).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("INVALID_REQUEST")),
            "{body}: {e}"
        );
        assert!(
            e["message"].as_str().unwrap().contains(needle),
            "{needle}: {e}"
        );
        assert!(e["requestId"].as_str().unwrap().starts_with("req_"));
    }

    // Create three; get; list with paging and the status filter.
    let a = create_endpoint(&t, ok.clone()).await;
    let b = create_endpoint(&t, with("name", json!("b"))).await;
    let c = create_endpoint(
        &t,
        json!({"url": "http://hooks.example.com/c", "name": "c", "apiVersion": "2026-02-09",
               "enabledEvents": [], "status": "disabled"}),
    )
    .await;
    assert_eq!(c["status"], "disabled");
    assert_eq!(c["enabledEvents"], json!([]));
    assert_ne!(a["signingSecret"], b["signingSecret"]);
    let a_id = a["id"].as_str().unwrap();
    let (s, got) = t.json(t.get(&format!("/webhook_endpoints/{a_id}"))).await;
    assert_eq!(s, 200);
    assert!(
        got.get("signingSecret").is_none(),
        "the secret is shown once: {got}"
    );
    let mut expected = a.clone();
    expected.as_object_mut().unwrap().remove("signingSecret");
    assert_eq!(got, expected);
    assert!(got["advancedOptions"].is_null() && got["createdAt"].is_string());

    let (_, page1) = t
        .json(t.get("/webhook_endpoints?maxPageSize=2&sortDir=asc"))
        .await;
    assert_eq!(page1["object"], "list");
    let ids: Vec<&Value> = page1["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, vec![&a["id"], &b["id"]]);
    let token = page1["nextPageToken"].as_str().unwrap();
    let (_, page2) = t
        .json(t.get(&format!(
            "/webhook_endpoints?maxPageSize=2&sortDir=asc&nextPageToken={token}"
        )))
        .await;
    assert_eq!(page2["data"][0]["id"], c["id"]);
    assert!(page2.get("nextPageToken").is_none());
    let (_, disabled) = t.json(t.get("/webhook_endpoints?status=disabled")).await;
    assert_eq!(disabled["data"].as_array().unwrap().len(), 1);
    assert_eq!(disabled["data"][0]["id"], c["id"]);
    let (s, _) = t.json(t.get("/webhook_endpoints?status=paused")).await;
    assert_eq!(s, 400);

    // Update: only the fields given; options set and cleared; apiVersion fixed.
    let path = format!("/webhook_endpoints/{a_id}");
    let (s, u) = t
        .json(t.post(
            &path,
            &json!({"name": "renamed", "status": "disabled",
                    "enabledEvents": ["edit_run.failed", "form_detection_run.failed"],
                    "advancedOptions": {"headers": {"X-Team": "forms"}}}),
        ))
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["name"], "renamed");
    assert_eq!(u["status"], "disabled");
    assert_eq!(u["url"], a["url"]);
    assert_eq!(
        u["enabledEvents"],
        json!(["edit_run.failed", "form_detection_run.failed"])
    );
    assert_eq!(
        u["advancedOptions"],
        json!({"headers": {"X-Team": "forms"}})
    );
    let (_, u) = t
        .json(t.post(&path, &json!({"advancedOptions": null})))
        .await;
    assert!(u["advancedOptions"].is_null(), "{u}");
    assert_eq!(u["name"], "renamed");
    for (body, needle) in [
        (json!({"apiVersion": "2026-02-09"}), "apiVersion"),
        (json!({"signingSecret": "wss_mine"}), "signingSecret"),
        (json!({"url": "gopher://x"}), "http"),
    ] {
        let (s, e) = t.json(t.post(&path, &body)).await;
        assert_eq!(s, 400, "{body}: {e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }

    // Subscriptions: create, create again (update), strict events per resource type.
    let sub_body = json!({"webhookEndpointId": a_id, "resourceType": "workflow",
                          "resourceId": "workflow_1", "enabledEvents": ["workflow_run.completed"]});
    let (s, sub) = t.json(t.post("/webhook_subscriptions", &sub_body)).await;
    assert_eq!(s, 200, "{sub}");
    assert!(sub["id"].as_str().unwrap().starts_with("whes_"));
    assert_eq!(sub["object"], "webhook_subscription");
    assert_eq!(sub["webhookEndpointId"], a_id);
    let mut again = sub_body.clone();
    again["enabledEvents"] = json!(["workflow_run.failed", "workflow_run.completed"]);
    let (_, sub2) = t.json(t.post("/webhook_subscriptions", &again)).await;
    assert_eq!(sub2["id"], sub["id"], "same endpoint and resource: updated");
    assert_eq!(
        sub2["enabledEvents"],
        json!(["workflow_run.failed", "workflow_run.completed"])
    );
    let (s, other_sub) = t
        .json(t.post(
            "/webhook_subscriptions",
            &json!({"webhookEndpointId": b["id"], "resourceType": "extractor",
                    "resourceId": "ex_1", "enabledEvents": ["extract_run.processed"]}),
        ))
        .await;
    assert_eq!(s, 200, "{other_sub}");
    for (body, needle) in [
        (
            json!({"webhookEndpointId": a_id, "resourceType": "workflow", "resourceId": "w",
                   "enabledEvents": ["edit_run.processed"]}),
            "edit_run.processed",
        ),
        (
            json!({"webhookEndpointId": a_id, "resourceType": "edit_run", "resourceId": "w",
                   "enabledEvents": []}),
            "resourceType",
        ),
        (
            json!({"webhookEndpointId": a_id, "resourceType": "workflow", "enabledEvents": []}),
            "resourceId",
        ),
        (
            json!({"webhookEndpointId": a_id, "resourceType": "workflow", "resourceId": "w",
                   "enabledEvents": [], "extra": true}),
            "extra",
        ),
    ] {
        let (s, e) = t.json(t.post("/webhook_subscriptions", &body)).await;
        assert_eq!(s, 400, "{body}: {e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }
    let (s, _) = t
        .json(t.post(
            "/webhook_subscriptions",
            &json!({"webhookEndpointId": "wh_nope", "resourceType": "workflow",
                    "resourceId": "w", "enabledEvents": []}),
        ))
        .await;
    assert_eq!(s, 404);
    let (_, all) = t.json(t.get("/webhook_subscriptions")).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let (_, by_endpoint) = t
        .json(t.get(&format!("/webhook_subscriptions?webhookEndpointId={a_id}")))
        .await;
    assert_eq!(by_endpoint["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_endpoint["data"][0]["id"], sub["id"]);
    let (_, by_resource) = t
        .json(t.get("/webhook_subscriptions?resourceId=ex_1"))
        .await;
    assert_eq!(by_resource["data"][0]["id"], other_sub["id"]);
    let sub_path = format!("/webhook_subscriptions/{}", sub["id"].as_str().unwrap());
    let (s, upd) = t
        .json(t.post(
            &sub_path,
            &json!({"enabledEvents": ["workflow_run.rejected"]}),
        ))
        .await;
    assert_eq!(s, 200, "{upd}");
    assert_eq!(upd["enabledEvents"], json!(["workflow_run.rejected"]));
    let (s, _) = t
        .json(t.post(&sub_path, &json!({"enabledEvents": ["extract_run.failed"]})))
        .await;
    assert_eq!(s, 400, "events of another resource type");
    let (_, got) = t.json(t.get(&sub_path)).await;
    assert_eq!(got, upd);

    // Another workspace sees none of it.
    let other = t
        .server
        .store()
        .create_key(Some("ws_other"), DEFAULT_ORGANIZATION)
        .await
        .unwrap();
    let req = |method: reqwest::Method, path: &str| {
        t.http
            .request(method, format!("{}{path}", t.url))
            .bearer_auth(&other)
    };
    use reqwest::Method;
    let (s, _) = t.json(req(Method::GET, &path)).await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(req(Method::POST, &path).json(&json!({"name": "mine"})))
        .await;
    assert_eq!(s, 404);
    let (s, _) = t.json(req(Method::DELETE, &path)).await;
    assert_eq!(s, 404);
    let (s, _) = t.json(req(Method::GET, &sub_path)).await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(req(Method::POST, &sub_path).json(&json!({"enabledEvents": []})))
        .await;
    assert_eq!(s, 404);
    let (_, list) = t.json(req(Method::GET, "/webhook_endpoints")).await;
    assert_eq!(list["data"], json!([]));
    let (_, list) = t.json(req(Method::GET, "/webhook_subscriptions")).await;
    assert_eq!(list["data"], json!([]));
    let (s, _) = t
        .json(req(Method::POST, "/webhook_subscriptions").json(&sub_body))
        .await;
    assert_eq!(s, 404, "another workspace's endpoint");
    let (_, still) = t.json(t.get(&path)).await;
    assert_eq!(still["name"], "renamed");

    // Delete: a subscription; then an endpoint, with its subscriptions.
    let other_sub_path = format!(
        "/webhook_subscriptions/{}",
        other_sub["id"].as_str().unwrap()
    );
    let (s, d) = t.json(t.delete(&other_sub_path)).await;
    assert_eq!((s, &d["id"]), (200, &other_sub["id"]));
    let (s, _) = t.json(t.get(&other_sub_path)).await;
    assert_eq!(s, 404);
    let (s, d) = t.json(t.delete(&path)).await;
    assert_eq!((s, d["id"].as_str()), (200, Some(a_id)));
    let (s, _) = t.json(t.get(&path)).await;
    assert_eq!(s, 404);
    let (s, _) = t.json(t.get(&sub_path)).await;
    assert_eq!(s, 404, "subscriptions go with their endpoint");
    let (s, _) = t.json(t.delete(&path)).await;
    assert_eq!(s, 404);
    let (_, list) = t.json(t.get("/webhook_endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    // The OpenAPI document lists the routes and the events sent.
    let (_, doc) = t.json(t.http.get(format!("{}/openapi.json", t.url))).await;
    for (path, method) in [
        ("/webhook_endpoints", "get"),
        ("/webhook_endpoints", "post"),
        ("/webhook_endpoints/{id}", "get"),
        ("/webhook_endpoints/{id}", "post"),
        ("/webhook_endpoints/{id}", "delete"),
        ("/webhook_subscriptions", "get"),
        ("/webhook_subscriptions", "post"),
        ("/webhook_subscriptions/{id}", "get"),
        ("/webhook_subscriptions/{id}", "post"),
        ("/webhook_subscriptions/{id}", "delete"),
        ("/webhook_payloads/{token}", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    assert!(doc["webhooks"]["edit_run.processed"]["post"].is_object());
    assert!(doc["components"]["schemas"]["WebhookEndpointCreate"].is_object());
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parse_events_are_minimal_and_a_batch_announces_its_end_once() {
    let rx = Receiver::start().await;
    let t = start(fast).await;
    let hook = create_endpoint(
        &t,
        json!({"url": rx.url("parse"), "name": "parses", "apiVersion": "2026-02-09",
               "enabledEvents": ["parse_run.processed", "parse_run.failed", "batch_parse_run.processed"]}),
    )
    .await;
    let secret = hook["signingSecret"].as_str().unwrap().to_string();
    let good = t.upload("fillable/irs-fw9-2024.pdf").await;
    let bad = t.upload("broken/garbage-with-header.pdf").await;
    let (s, batch) = t
        .json(t.post(
            "/parse_runs/batch",
            &json!({"inputs": [
                {"file": {"id": good}, "metadata": {"n": 1}},
                {"file": {"id": bad}, "metadata": {"n": 2}}]}),
        ))
        .await;
    assert_eq!(s, 200, "{batch}");
    let batch_id = batch["id"].as_str().unwrap().to_string();
    // Two run events and one batch event.
    let hits = rx
        .wait("parse", |h| {
            h.iter().any(|h| h.json()["eventType"] == "batch_parse_run.processed")
        })
        .await;
    for h in &hits {
        verify(&secret, h).unwrap();
    }
    let events: Vec<Value> = hits.iter().map(Hit::json).collect();
    let of = |kind: &str| {
        events
            .iter()
            .filter(|e| e["eventType"] == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    let processed = of("parse_run.processed");
    let failed = of("parse_run.failed");
    assert_eq!((processed.len(), failed.len()), (1, 1), "{events:#?}");
    // Parse webhooks carry ParseRunStatus, not the run (spec §6.7).
    let p = &processed[0]["payload"];
    assert_eq!(p["object"], "parse_run_status");
    assert_eq!(p["status"], "PROCESSED");
    assert_eq!(p["metadata"], json!({"n": 1}));
    assert!(p.get("output").is_none(), "{p}");
    let f = &failed[0]["payload"];
    assert_eq!(f["failureReason"], "CORRUPT_FILE");
    assert_eq!(f["metadata"], json!({"n": 2}));
    let batch_events = of("batch_parse_run.processed");
    assert_eq!(batch_events.len(), 1);
    let b = &batch_events[0]["payload"];
    assert_eq!(b["object"], "batch_run");
    assert_eq!(b["id"], batch_id.as_str());
    assert_eq!(b["status"], "PROCESSED");
    assert_eq!(b["runCount"], 2);
    // (Arrival order is not asserted: deliveries run concurrently. The batch event is
    // written in the transaction that ends the last run, so both runs are final here.)
    for run in [&p, &f] {
        let id = run["id"].as_str().unwrap();
        let (_, got) = t.json(t.get(&format!("/parse_runs/{id}"))).await;
        assert_eq!(got["batchId"], batch_id.as_str());
        assert!(matches!(got["status"].as_str(), Some("PROCESSED" | "FAILED")));
    }
    let (s, got) = t.json(t.get(&format!("/batch_runs/{batch_id}"))).await;
    assert_eq!((s, got["status"].as_str()), (200, Some("PROCESSED")));
    t.server.shutdown().await;
}
