//! Server configuration: one struct, read from flags and `FORMSMITH_*` environment variables
//! (flags win), every default documented here and in `formsmith serve --help`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything `formsmith serve` can be told.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "FORMSMITH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory of the database (formsmith.db), the stored files (blobs/) and the signing
    /// secret of download links (secret.key). Created when missing.
    #[arg(long, env = "FORMSMITH_DATA_DIR", default_value = "./formsmith-data")]
    pub data_dir: PathBuf,

    /// Largest upload, and largest file downloaded from a URL input, in bytes (50 MiB).
    #[arg(long, env = "FORMSMITH_MAX_UPLOAD_BYTES", default_value_t = 50 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Largest JSON request body in bytes (32 MiB: schemas may carry data: URL images).
    #[arg(long, env = "FORMSMITH_MAX_JSON_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_json_bytes: u64,

    /// Most values (objects, arrays, scalars) in a JSON body, counted before it is parsed
    /// (then 413 PAYLOAD_TOO_LARGE).
    #[arg(long, env = "FORMSMITH_MAX_JSON_ELEMENTS", default_value_t = 250_000)]
    pub max_json_elements: u64,

    /// Deepest nesting of a JSON body (then 413 PAYLOAD_TOO_LARGE).
    #[arg(long, env = "FORMSMITH_MAX_JSON_DEPTH", default_value_t = 64)]
    pub max_json_depth: u64,

    /// Runs processed at once; 0 = one per CPU core.
    #[arg(long, env = "FORMSMITH_WORKERS", default_value_t = 0)]
    pub workers: usize,

    /// Accepted runs waiting for a worker; one more answers 429 with Retry-After.
    #[arg(long, env = "FORMSMITH_QUEUE_DEPTH", default_value_t = 1024)]
    pub queue_depth: usize,

    /// Requests per second allowed per API key (token bucket); 0 = no limit.
    #[arg(long, env = "FORMSMITH_RATE_LIMIT", default_value_t = 50.0)]
    pub rate_limit: f64,

    /// Bucket size of the per-key rate limit (requests allowed in a burst).
    #[arg(long, env = "FORMSMITH_RATE_BURST", default_value_t = 100.0)]
    pub rate_burst: f64,

    /// Allow URL inputs, image URLs and webhook targets on private, loopback and link-local
    /// addresses (refused by default: a server must not reach its own network for a caller).
    #[arg(long, env = "FORMSMITH_ALLOW_PRIVATE_URLS", default_value_t = false)]
    pub allow_private_urls: bool,

    /// Time limit of one URL download, in seconds.
    #[arg(long, env = "FORMSMITH_DOWNLOAD_TIMEOUT_SECS", default_value_t = 30)]
    pub download_timeout_secs: u64,

    /// How long a synchronous endpoint (/edit, /detect_form, /edit_schemas/generate) waits
    /// for its run, in seconds (the API's 5 minutes).
    #[arg(long, env = "FORMSMITH_SYNC_TIMEOUT_SECS", default_value_t = 300)]
    pub sync_timeout_secs: u64,

    /// Times a run is started before a run interrupted by crashes is failed (INTERNAL_ERROR).
    #[arg(long, env = "FORMSMITH_MAX_ATTEMPTS", default_value_t = 3)]
    pub max_attempts: u32,

    /// Base URL of this server as clients reach it, used in presigned download URLs
    /// (default: the Host header of the request, else the listening address).
    #[arg(long, env = "FORMSMITH_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// An API key to accept for the default workspace (`ws_default`), created at start.
    #[arg(long, env = "FORMSMITH_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// Start without workers: runs are accepted and stay queued (tests, maintenance).
    #[arg(long, hide = true, default_value_t = false)]
    pub no_workers: bool,

    /// Attempts to deliver a webhook event to an endpoint before the delivery fails.
    #[arg(long, env = "FORMSMITH_WEBHOOK_MAX_ATTEMPTS", default_value_t = 8)]
    pub webhook_max_attempts: u32,

    /// Wait after the first failed webhook attempt, in ms; tripled after each further one
    /// (jittered ±20%). With the defaults: 1m, 3m, 9m, 27m, 81m, 4h, 12h (~18 h in all).
    #[arg(
        long,
        env = "FORMSMITH_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 60_000
    )]
    pub webhook_retry_base_ms: u64,

    /// Longest wait between two webhook attempts, in ms (12 hours).
    #[arg(long, env = "FORMSMITH_WEBHOOK_RETRY_MAX_MS", default_value_t = 12 * 3_600_000)]
    pub webhook_retry_max_ms: u64,

    /// Time limit of one webhook attempt (connect, send, answer), in seconds.
    #[arg(long, env = "FORMSMITH_WEBHOOK_TIMEOUT_SECS", default_value_t = 30)]
    pub webhook_timeout_secs: u64,

    /// How often the webhook deliverer looks for new events and due retries, in ms.
    #[arg(long, env = "FORMSMITH_WEBHOOK_POLL_MS", default_value_t = 1000)]
    pub webhook_poll_ms: u64,

    /// Webhook attempts in flight at once.
    #[arg(long, env = "FORMSMITH_WEBHOOK_CONCURRENCY", default_value_t = 8)]
    pub webhook_concurrency: usize,

    /// Connections served at once; further sockets wait in the listen backlog, unread.
    #[arg(long, env = "FORMSMITH_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Seconds a client has to send a request's headers, counted from when the connection
    /// is ready for a request (new, or after the previous response); then it is closed.
    #[arg(long, env = "FORMSMITH_HEADER_READ_TIMEOUT_SECS", default_value_t = 30)]
    pub header_read_timeout_secs: u64,

    /// Seconds a connection may sit idle (no request in progress, no byte moving) before it
    /// is closed.
    #[arg(long, env = "FORMSMITH_KEEP_ALIVE_TIMEOUT_SECS", default_value_t = 15)]
    pub keep_alive_timeout_secs: u64,

    /// Longest wait, in seconds, for the next piece of a request body (then 408).
    #[arg(long, env = "FORMSMITH_BODY_READ_TIMEOUT_SECS", default_value_t = 30)]
    pub body_read_timeout_secs: u64,

    /// Longest time, in seconds, to receive a whole request body (then 408). 600 s lets a
    /// 50 MiB upload through at about 85 KB/s.
    #[arg(long, env = "FORMSMITH_BODY_TIMEOUT_SECS", default_value_t = 600)]
    pub body_timeout_secs: u64,

    /// Deadline of one edit run, download and conversion included, in seconds (0 = none);
    /// past it the run fails with reason TIMEOUT.
    #[arg(long, env = "FORMSMITH_EDIT_RUN_TIMEOUT_SECS", default_value_t = 600)]
    pub edit_run_timeout_secs: u64,

    /// Deadline of one form detection run (also `/edit_schemas/generate`), in seconds
    /// (0 = none); past it the run fails with reason TIMEOUT.
    #[arg(long, env = "FORMSMITH_DETECT_RUN_TIMEOUT_SECS", default_value_t = 600)]
    pub detect_run_timeout_secs: u64,

    /// Failed authentications allowed per client IP per second (token bucket; 0 = no
    /// limit). Past it, every request of that IP that needs a key answers 429.
    #[arg(long, env = "FORMSMITH_AUTH_FAIL_RATE", default_value_t = 1.0)]
    pub auth_fail_rate: f64,

    /// Bucket size of the failed-authentication limit (failures allowed in a burst).
    #[arg(long, env = "FORMSMITH_AUTH_FAIL_BURST", default_value_t = 20.0)]
    pub auth_fail_burst: f64,

    /// Key that seals secrets at rest (file passwords, URL inputs, webhook signing
    /// secrets): 32 bytes as base64 or hex. Default: derived from `<data-dir>/secret.key`.
    #[arg(long, env = "FORMSMITH_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<SecretText>,

    /// Earlier keys (comma-separated), still accepted to open values sealed under them;
    /// values are sealed again under the current key at start.
    #[arg(
        long,
        env = "FORMSMITH_SECRET_KEY_OLD",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub secret_key_old: Vec<SecretText>,

    /// A language model for edit runs' instructions (off unless --llm-url is given).
    #[command(flatten)]
    pub llm: formsmith_llm::LlmArgs,
}

/// Key text from the configuration; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(..)")
    }
}

impl std::str::FromStr for SecretText {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl Config {
    /// The defaults, with `data_dir` in place (tests and embedding).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            max_upload_bytes: 50 * 1024 * 1024,
            max_json_bytes: 32 * 1024 * 1024,
            max_json_elements: 250_000,
            max_json_depth: 64,
            workers: 0,
            queue_depth: 1024,
            rate_limit: 50.0,
            rate_burst: 100.0,
            allow_private_urls: false,
            download_timeout_secs: 30,
            sync_timeout_secs: 300,
            max_attempts: 3,
            public_url: None,
            api_key: None,
            no_workers: false,
            webhook_max_attempts: 8,
            webhook_retry_base_ms: 60_000,
            webhook_retry_max_ms: 12 * 3_600_000,
            webhook_timeout_secs: 30,
            webhook_poll_ms: 1000,
            webhook_concurrency: 8,
            max_connections: 1024,
            header_read_timeout_secs: 30,
            keep_alive_timeout_secs: 15,
            body_read_timeout_secs: 30,
            body_timeout_secs: 600,
            edit_run_timeout_secs: 600,
            detect_run_timeout_secs: 600,
            auth_fail_rate: 1.0,
            auth_fail_burst: 20.0,
            secret_key: None,
            secret_key_old: Vec::new(),
            llm: formsmith_llm::LlmArgs::default(),
        }
    }

    /// The deadline of a run of `kind`, if it has one.
    pub(crate) fn run_deadline(&self, kind: crate::ids::RunKind) -> Option<std::time::Duration> {
        let secs = match kind {
            crate::ids::RunKind::Edit => self.edit_run_timeout_secs,
            crate::ids::RunKind::FormDetection => self.detect_run_timeout_secs,
            crate::ids::RunKind::Parse => 0,
        };
        (secs > 0).then(|| std::time::Duration::from_secs(secs))
    }

    /// The at-rest keys: the current one and those still accepted for opening.
    pub(crate) fn secrets(&self) -> std::io::Result<crate::secrets::Secrets> {
        let old: Vec<String> = self.secret_key_old.iter().map(|k| k.0.clone()).collect();
        crate::secrets::Secrets::load(
            &self.data_dir,
            self.secret_key.as_ref().map(|k| k.0.as_str()),
            &old,
        )
    }

    /// The connection limits of the accept loop (zero seconds count as one).
    pub(crate) fn limits(&self) -> crate::serve::Limits {
        let secs = |s: u64| std::time::Duration::from_secs(s.max(1));
        crate::serve::Limits {
            max_connections: self.max_connections.max(1),
            header_read_timeout: secs(self.header_read_timeout_secs),
            keep_alive_timeout: secs(self.keep_alive_timeout_secs),
            body_read_timeout: secs(self.body_read_timeout_secs),
            body_timeout: secs(self.body_timeout_secs),
        }
    }

    /// Worker count after applying the `0 = cores` rule.
    pub fn worker_count(&self) -> usize {
        if self.no_workers {
            0
        } else if self.workers == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            self.workers
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn flag_defaults_match_new() {
        let parsed = Cli::parse_from(["x"]).config;
        let new = Config::new("./formsmith-data");
        assert_eq!(format!("{parsed:?}"), format!("{new:?}"));
    }
}
