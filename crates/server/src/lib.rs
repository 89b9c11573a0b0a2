//! # formsmith-server
//!
//! The HTTP service of Formsmith: Extend's Edit API (spec `extend-api.md`, version
//! 2026-02-09) on embedded defaults — a SQLite run store (WAL), a local-directory file
//! store, and an in-process worker pool — so the official SDKs work unchanged against it.
//!
//! Scope: files, edit runs (sync and async), form detection runs, the deprecated schema
//! generation, edit templates (read), webhooks, health, Prometheus metrics and an OpenAPI
//! document. Runs that end write an event to the `events` outbox table in the same
//! transaction; the webhook deliverer (`webhooks`) turns it into signed, retried deliveries.
//!
//! Modules, one per concern: [`config`] (flags and env), `store` (SQLite, embedded
//! migrations), `blobs` (files on disk, atomic writes), `auth` (API keys, workspaces), `errors`
//! (the one code-to-HTTP table), `ids`, `routes` (the route table), `worker` (queue and
//! workers, the same for every run kind), `jobs` (the work of each kind), `download` (URL
//! inputs with limits and address checks), `presign` (download links), `webhooks`
//! (endpoints, subscriptions, delivery), `metrics`, `openapi`.
#![deny(missing_docs)]
#![recursion_limit = "512"]

mod api;
mod auth;
mod blobs;
mod clock;
pub mod config;
mod download;
mod errors;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
mod jobs;
mod metrics;
mod openapi;
mod presign;
mod render;
mod routes;
mod secrets;
mod serve;
mod state;
pub mod store;
mod webhooks;
mod worker;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::Config;
pub use store::{DEFAULT_ORGANIZATION, DEFAULT_WORKSPACE, Store, TemplateRow};

use crate::blobs::Blobs;
use crate::download::Downloader;
use crate::presign::Signer;
use crate::state::{AppState, KeyCache, Queue, RateLimiter};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The data directory (files, secret) is unusable.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A flag is inconsistent (e.g. --llm-url without --llm-model).
    #[error("configuration: {0}")]
    Config(String),
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    state: state::Shared,
    shutdown: watch::Sender<bool>,
    http: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The store (tests, operators).
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Stops accepting requests, lets running runs finish (up to 30 s; unfinished ones
    /// are re-queued at the next start) and closes the store.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(30), self.http).await;
        for w in self.workers {
            let _ = tokio::time::timeout(Duration::from_secs(30), w).await;
        }
        self.state.store.close().await;
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down.
    pub async fn run_until_signal(self) {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Binds `config.listen` and starts.
pub async fn start(config: Config) -> Result<Server, StartError> {
    let listener = TcpListener::bind(config.listen).await?;
    start_on(listener, config).await
}

/// Starts on a bound listener: opens the store, recovers runs a previous process left
/// PROCESSING, seeds `config.api_key`, removes unreferenced blobs, starts the workers and
/// the HTTP server.
pub async fn start_on(listener: TcpListener, config: Config) -> Result<Server, StartError> {
    let addr = listener.local_addr()?;
    blobs::private_dir(&config.data_dir)?;
    let secrets = config.secrets()?;
    let store = Store::open_with(&config.data_dir, Arc::new(secrets)).await?;
    let resealed = store.reseal_secrets().await?;
    if resealed > 0 {
        tracing::info!(
            resealed,
            key_id = store.secrets().current_id(),
            "secrets at rest sealed under the current key"
        );
    }
    store
        .ensure_workspace(DEFAULT_WORKSPACE, DEFAULT_ORGANIZATION)
        .await?;
    if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
        store
            .insert_key(key, Some(DEFAULT_WORKSPACE), DEFAULT_ORGANIZATION)
            .await?;
    }
    let blobs = Blobs::open(&config.data_dir)?;
    let known = store.all_file_ids().await?.into_iter().collect();
    let swept = blobs.sweep(&known)?;
    if swept > 0 {
        tracing::warn!(
            swept,
            "removed blobs without a file record (left by a crash)"
        );
    }
    let signer = Signer::load_or_create(&config.data_dir)?;
    let workers = config.worker_count();
    let resolver: Arc<dyn formsmith_schema::InstructionResolver> = Arc::from(config.llm.resolver().map_err(StartError::Config)?);
    let state = Arc::new(AppState {
        resolver,
        downloader: Downloader::new(
            config.max_upload_bytes,
            Duration::from_secs(config.download_timeout_secs.max(1)),
            config.allow_private_urls,
        ),
        limiter: RateLimiter::new(config.rate_limit, config.rate_burst),
        auth_failures: RateLimiter::new(config.auth_fail_rate, config.auth_fail_burst),
        queue: Queue::new(config.queue_depth),
        metrics: metrics::Metrics::default(),
        keys: KeyCache::default(),
        store,
        blobs,
        signer,
        bound: addr,
        workers,
        config,
    });
    worker::recover(&state).await?;
    webhooks::recover(&state).await?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut worker_handles = worker::spawn_workers(&state, workers, shutdown_rx.clone());
    worker_handles.push(webhooks::spawn(&state, shutdown_rx.clone()));
    let app = routes::router(Arc::clone(&state));
    let rx = shutdown_rx;
    let limits = state.config.limits();
    let http = tokio::spawn(serve::serve(listener, app, limits, rx));
    tracing::info!(%addr, workers, data_dir = %state.config.data_dir.display(), "formsmith server listening");
    Ok(Server {
        addr,
        state,
        shutdown,
        http,
        workers: worker_handles,
    })
}

/// Seals again, under the current key, every stored secret that is in plain text or under
/// an older key, without serving (`serve` does the same at every start). Returns
/// how many values were sealed again.
pub async fn rotate_secrets(config: &Config) -> Result<usize, StartError> {
    let store = Store::open_with(&config.data_dir, Arc::new(config.secrets()?)).await?;
    let n = store.reseal_secrets().await;
    store.close().await;
    Ok(n?)
}

/// Structured logs to stderr (`RUST_LOG` filters; default `info`). Safe to call twice.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Creates an API key in the store of `data_dir` (creating the workspace if needed) and
/// returns it: a workspace key, or with `organization` a key for every workspace of the
/// default organization (requests name one with `x-extend-workspace-id`).
pub async fn create_key(
    data_dir: &std::path::Path,
    workspace: Option<&str>,
    organization: bool,
) -> Result<String, StartError> {
    let store = Store::open(data_dir).await?;
    store
        .ensure_workspace(DEFAULT_WORKSPACE, DEFAULT_ORGANIZATION)
        .await?;
    let key = if organization {
        if let Some(ws) = workspace {
            store.ensure_workspace(ws, DEFAULT_ORGANIZATION).await?;
        }
        store.create_key(None, DEFAULT_ORGANIZATION).await?
    } else {
        store
            .create_key(
                Some(workspace.unwrap_or(DEFAULT_WORKSPACE)),
                DEFAULT_ORGANIZATION,
            )
            .await?
    };
    store.close().await;
    Ok(key)
}
