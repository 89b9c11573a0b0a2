//! Prometheus text exposition (`GET /metrics`): requests by route and status, request
//! durations, runs by kind and status (from the store), runs finished and their duration,
//! queue depth and workers, webhook deliveries by outcome and pending.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// Counters kept in memory (reset at restart, as Prometheus expects).
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    request_seconds: Mutex<BTreeMap<String, (f64, u64)>>,
    runs_accepted: Mutex<BTreeMap<String, u64>>,
    runs_finished: Mutex<BTreeMap<(String, String), (f64, u64)>>,
    webhook_attempts: Mutex<BTreeMap<String, u64>>,
    webhook_pending: AtomicI64,
}

fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Counts a served request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.into(), route.into(), status)).or_default() += 1;
        }
        if let Ok(mut m) = self.request_seconds.lock() {
            let e = m.entry(route.into()).or_default();
            e.0 += seconds;
            e.1 += 1;
        }
    }

    /// Counts an accepted run.
    pub fn run_accepted(&self, kind: &str) {
        if let Ok(mut m) = self.runs_accepted.lock() {
            *m.entry(kind.into()).or_default() += 1;
        }
    }

    /// Counts a finished run.
    pub fn run_finished(&self, kind: &str, status: &str, seconds: f64) {
        if let Ok(mut m) = self.runs_finished.lock() {
            let e = m.entry((kind.into(), status.into())).or_default();
            e.0 += seconds;
            e.1 += 1;
        }
    }

    /// Counts a webhook attempt by outcome: `succeeded`, `retried` (failed, another attempt
    /// scheduled), `failed` (failed, no attempt left), `cancelled` (endpoint disabled or gone).
    pub fn webhook_delivery(&self, outcome: &str) {
        if let Ok(mut m) = self.webhook_attempts.lock() {
            *m.entry(outcome.into()).or_default() += 1;
        }
    }

    /// Sets the number of webhook deliveries waiting.
    pub fn set_webhook_pending(&self, n: i64) {
        self.webhook_pending.store(n, Ordering::Relaxed);
    }

    /// The exposition text; `runs` are (kind, status, count) from the store.
    pub fn render(
        &self,
        runs: &[(String, String, i64)],
        queue_depth: i64,
        workers: usize,
    ) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP formsmith_http_requests_total HTTP requests served."
        );
        let _ = writeln!(out, "# TYPE formsmith_http_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "formsmith_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    label(method),
                    label(route)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP formsmith_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(
            out,
            "# TYPE formsmith_http_request_duration_seconds summary"
        );
        if let Ok(m) = self.request_seconds.lock() {
            for (route, (sum, count)) in m.iter() {
                let r = label(route);
                let _ = writeln!(
                    out,
                    "formsmith_http_request_duration_seconds_sum{{route=\"{r}\"}} {sum}"
                );
                let _ = writeln!(
                    out,
                    "formsmith_http_request_duration_seconds_count{{route=\"{r}\"}} {count}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP formsmith_runs Runs in the store by kind and status."
        );
        let _ = writeln!(out, "# TYPE formsmith_runs gauge");
        for (kind, status, n) in runs {
            let _ = writeln!(
                out,
                "formsmith_runs{{kind=\"{}\",status=\"{}\"}} {n}",
                label(kind),
                label(status)
            );
        }
        let _ = writeln!(
            out,
            "# HELP formsmith_runs_accepted_total Runs accepted since start."
        );
        let _ = writeln!(out, "# TYPE formsmith_runs_accepted_total counter");
        if let Ok(m) = self.runs_accepted.lock() {
            for (kind, n) in m.iter() {
                let _ = writeln!(
                    out,
                    "formsmith_runs_accepted_total{{kind=\"{}\"}} {n}",
                    label(kind)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP formsmith_run_duration_seconds Processing time of finished runs."
        );
        let _ = writeln!(out, "# TYPE formsmith_run_duration_seconds summary");
        if let Ok(m) = self.runs_finished.lock() {
            for ((kind, status), (sum, count)) in m.iter() {
                let (k, s) = (label(kind), label(status));
                let _ = writeln!(
                    out,
                    "formsmith_run_duration_seconds_sum{{kind=\"{k}\",status=\"{s}\"}} {sum}"
                );
                let _ = writeln!(
                    out,
                    "formsmith_run_duration_seconds_count{{kind=\"{k}\",status=\"{s}\"}} {count}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP formsmith_queue_depth Runs accepted and waiting for a worker."
        );
        let _ = writeln!(out, "# TYPE formsmith_queue_depth gauge");
        let _ = writeln!(out, "formsmith_queue_depth {queue_depth}");
        let _ = writeln!(out, "# HELP formsmith_workers Workers processing runs.");
        let _ = writeln!(out, "# TYPE formsmith_workers gauge");
        let _ = writeln!(out, "formsmith_workers {workers}");
        let _ = writeln!(
            out,
            "# HELP formsmith_webhook_deliveries_total Webhook delivery attempts by outcome."
        );
        let _ = writeln!(out, "# TYPE formsmith_webhook_deliveries_total counter");
        if let Ok(m) = self.webhook_attempts.lock() {
            for (outcome, n) in m.iter() {
                let _ = writeln!(
                    out,
                    "formsmith_webhook_deliveries_total{{outcome=\"{}\"}} {n}",
                    label(outcome)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP formsmith_webhook_deliveries_pending Webhook deliveries waiting for an attempt."
        );
        let _ = writeln!(out, "# TYPE formsmith_webhook_deliveries_pending gauge");
        let _ = writeln!(
            out,
            "formsmith_webhook_deliveries_pending {}",
            self.webhook_pending.load(Ordering::Relaxed)
        );
        out
    }
}
