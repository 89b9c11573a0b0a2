//! The shared state of a running server, and the small in-memory parts of it: the key
//! cache, the per-key rate limiter, and the queue's counters and waiters. Everything that
//! must survive a restart lives in the store.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, oneshot};

use crate::blobs::Blobs;
use crate::config::Config;
use crate::download::Downloader;
use crate::errors::ApiError;
use crate::metrics::Metrics;
use crate::presign::{PRESIGN_TTL_SECS, Signer};
use crate::store::{KeyRecord, Store};

/// Shared state handle.
pub type Shared = Arc<AppState>;

/// Everything handlers and workers share.
pub struct AppState {
    /// The configuration in force.
    pub config: Config,
    /// The durable store.
    pub store: Store,
    /// The file store.
    pub blobs: Blobs,
    /// URL fetching with limits.
    pub downloader: Downloader,
    /// Download-link signer.
    pub signer: Signer,
    /// Queue counters and waiters.
    pub queue: Queue,
    /// Prometheus counters.
    pub metrics: Metrics,
    /// Per-key token buckets.
    pub limiter: RateLimiter,
    /// Per-client-IP token buckets of failed authentications.
    pub auth_failures: RateLimiter,
    /// Recently seen keys.
    pub keys: KeyCache,
    /// The address the server listens on.
    pub bound: SocketAddr,
    /// Workers started.
    pub workers: usize,
    /// Turns edit runs' instructions into values: offline, or a configured language model.
    pub resolver: Arc<dyn formsmith_schema::InstructionResolver>,
}

impl AppState {
    /// The base URL clients reach us at: the configured public URL, else the request's
    /// Host header (when it looks like a host), else the listening address.
    pub fn base_url(&self, host: Option<&str>) -> String {
        if let Some(url) = &self.config.public_url {
            return url.trim_end_matches('/').to_string();
        }
        match host.filter(|h| {
            !h.is_empty()
                && h.len() < 256
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        }) {
            Some(h) => format!("http://{h}"),
            None => format!("http://{}", self.bound),
        }
    }

    /// A fresh presigned URL for a file (15 minutes).
    pub fn presigned_url(&self, base: &str, file_id: &str, workspace_id: &str) -> String {
        let expires = crate::clock::now_secs() + PRESIGN_TTL_SECS;
        format!(
            "{base}/download/{}",
            self.signer.sign(file_id, workspace_id, expires)
        )
    }
}

/// Positive key lookups, kept a minute so a request does not always read the database.
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (KeyRecord, Instant)>>,
}

const KEY_CACHE_TTL: Duration = Duration::from_secs(60);

impl KeyCache {
    /// The cached record of a key hash.
    pub fn get(&self, hash: &str) -> Option<KeyRecord> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < KEY_CACHE_TTL)
            .map(|(k, _)| k.clone())
    }

    /// Remembers a record.
    pub fn put(&self, hash: String, key: KeyRecord) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < KEY_CACHE_TTL);
            }
            entries.insert(hash, (key, Instant::now()));
        }
    }
}

/// A token bucket per API key: `rate` tokens a second, at most `burst` saved.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter; `rate <= 0` lets everything through.
    pub fn new(rate: f64, burst: f64) -> Self {
        Self {
            rate,
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`, or tells how many seconds until one is there.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.take(key, true)
    }

    /// Whether `key` has a token, without taking it.
    pub fn peek(&self, key: &str) -> Result<(), u64> {
        self.take(key, false)
    }

    fn take(&self, key: &str, consume: bool) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        if buckets.len() > 100_000 {
            // Bounded memory: full buckets carry no information.
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (t, at)| *t + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, last) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            if consume {
                *tokens -= 1.0;
            }
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// The in-memory side of the run queue: how many runs wait (bounded), a wake-up for idle
/// workers, and the synchronous requests waiting for their run to end.
pub struct Queue {
    depth: AtomicI64,
    capacity: i64,
    /// Wakes one idle worker per accepted run.
    pub notify: Notify,
    waiters: Mutex<HashMap<String, Vec<oneshot::Sender<()>>>>,
}

impl Queue {
    /// A queue holding at most `capacity` waiting runs.
    pub fn new(capacity: usize) -> Self {
        Self {
            depth: AtomicI64::new(0),
            capacity: i64::try_from(capacity).unwrap_or(i64::MAX),
            notify: Notify::new(),
            waiters: Mutex::new(HashMap::new()),
        }
    }

    /// Runs waiting for a worker.
    pub fn depth(&self) -> i64 {
        self.depth.load(Ordering::SeqCst)
    }

    /// Sets the count (at start, from the store).
    pub fn set_depth(&self, n: i64) {
        self.depth.store(n, Ordering::SeqCst);
    }

    /// Reserves a place for a new run, or answers 429 when the queue is full.
    pub fn reserve(&self) -> Result<(), ApiError> {
        let capacity = self.capacity;
        self.depth
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| {
                (d < capacity).then_some(d + 1)
            })
            .map(|_| ())
            .map_err(|d| {
                ApiError::too_many(
                    format!("the run queue is full ({d} runs waiting); retry later"),
                    2,
                )
            })
    }

    /// Gives back a reservation whose run was not stored.
    pub fn release(&self) {
        self.depth.fetch_sub(1, Ordering::SeqCst);
    }

    /// Reserves `n` places at once (a batch is accepted whole or not at all).
    pub fn reserve_many(&self, n: i64) -> Result<(), ApiError> {
        let capacity = self.capacity;
        self.depth
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| {
                (d + n <= capacity).then_some(d + n)
            })
            .map(|_| ())
            .map_err(|d| {
                ApiError::too_many(
                    format!(
                        "the run queue cannot take {n} more runs ({d} waiting, room for {}); retry later",
                        capacity - d
                    ),
                    2,
                )
            })
    }

    /// Gives back `n` reservations.
    pub fn release_many(&self, n: i64) {
        self.depth.fetch_sub(n, Ordering::SeqCst);
    }

    /// A worker took a run.
    pub fn claimed(&self) {
        let _ = self
            .depth
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| Some((d - 1).max(0)));
    }

    /// Wakes a worker for a newly stored run.
    pub fn pushed(&self) {
        self.notify.notify_one();
    }

    /// Registers interest in the end of run `id` (before the run is stored, so the end
    /// cannot be missed).
    pub fn subscribe(&self, id: &str) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiters.lock() {
            w.entry(id.to_string()).or_default().push(tx);
        }
        rx
    }

    /// Drops the waiters of `id` (the run was not stored, or the request gave up).
    pub fn unsubscribe(&self, id: &str) {
        if let Ok(mut w) = self.waiters.lock() {
            w.remove(id);
        }
    }

    /// Tells the waiters of `id` that it ended.
    pub fn finished(&self, id: &str) {
        let senders = self.waiters.lock().ok().and_then(|mut w| w.remove(id));
        for tx in senders.into_iter().flatten() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_bucket() {
        let l = RateLimiter::new(1.0, 2.0);
        assert!(l.check("k").is_ok());
        assert!(l.check("k").is_ok());
        assert_eq!(l.check("k"), Err(1));
        assert!(l.check("other").is_ok());
        assert!(RateLimiter::new(0.0, 1.0).check("k").is_ok());
    }

    #[test]
    fn queue_bounds() {
        let q = Queue::new(2);
        assert!(q.reserve().is_ok());
        assert!(q.reserve().is_ok());
        let full = q.reserve().expect_err("full");
        assert_eq!(full.retry_after, Some(2));
        q.claimed();
        assert!(q.reserve().is_ok());
        assert_eq!(q.depth(), 2);
    }
}
