//! The run lifecycle, the same for every run kind: accept (the row is committed before the
//! client hears back), wait in the `runs` table, be claimed by one of a bounded set of
//! workers, run on a blocking thread behind `catch_unwind`, and end — output, output file
//! and outbox event in one transaction. At start, runs claimed by a previous process go
//! back to the queue (bounded attempts), so none stays PROCESSING forever.

use std::sync::Arc;
use std::time::{Duration, Instant};

use formsmith_schema::images::decode_data_url;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::api::InputRef;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult, Code};
use crate::ids::{new_id, prefix};
use crate::jobs::{self, Failure};
use crate::render;
use crate::ids::RunKind;
use crate::state::Shared;
use crate::ids::hex;
use crate::store::{BatchRow, FileRow, Outcome, RunRow};

/// Stores a new run of `kind` (status PROCESSING) and wakes a worker. With `wait`, also
/// returns a receiver that fires when the run ends (registered before the run exists).
pub async fn accept(
    state: &Shared,
    workspace_id: &str,
    kind: RunKind,
    input: InputRef,
    config: Value,
    wait: bool,
) -> ApiResult<(RunRow, Option<oneshot::Receiver<()>>)> {
    let run = new_run(state, workspace_id, kind, input, config).await?;
    enqueue(state, run, wait).await
}

/// A new run row of `kind` (PROCESSING, not stored yet) for `input`: a stored file of the
/// workspace (404 otherwise), or a URL whose file id is assigned now and filled at download.
pub async fn new_run(
    state: &Shared,
    workspace_id: &str,
    kind: RunKind,
    input: InputRef,
    config: Value,
) -> ApiResult<RunRow> {
    let (file_id, file_name, input_json) = match input {
        InputRef::Id(id) => {
            let f = state
                .store
                .get_file(workspace_id, &id)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("file {id}")))?;
            (f.id.clone(), f.name, json!({ "fileId": f.id }))
        }
        InputRef::Url {
            url,
            name,
            password,
        } => {
            let id = new_id(prefix::FILE);
            (
                id.clone(),
                name,
                json!({ "url": url, "password": password, "fileId": id }),
            )
        }
    };
    let now = now_ms();
    Ok(RunRow {
        id: new_id(kind.prefix()),
        kind: kind.object().into(),
        workspace_id: workspace_id.into(),
        status: "PROCESSING".into(),
        source: "API".into(),
        file_id: Some(file_id),
        file_name,
        input: input_json,
        config,
        output: None,
        metrics: None,
        usage: None,
        failure_reason: None,
        failure_message: None,
        attempts: 0,
        claimed_ms: None,
        created_ms: now,
        updated_ms: now,
        batch_id: None,
        metadata: None,
        priority: 50,
    })
}

/// Stores `run` in the queue (429 when full) and wakes a worker; see [`accept`].
pub async fn enqueue(
    state: &Shared,
    run: RunRow,
    wait: bool,
) -> ApiResult<(RunRow, Option<oneshot::Receiver<()>>)> {
    state.queue.reserve()?;
    let rx = wait.then(|| state.queue.subscribe(&run.id));
    if let Err(e) = state.store.insert_run(&run).await {
        state.queue.release();
        state.queue.unsubscribe(&run.id);
        return Err(e.into());
    }
    state.queue.pushed();
    state.metrics.run_accepted(&run.kind);
    Ok((run, rx))
}

/// Stores a batch and its PENDING member runs in one transaction (429 when the queue
/// cannot take them all) and wakes the workers.
pub async fn enqueue_batch(state: &Shared, batch: &BatchRow, runs: &[RunRow]) -> ApiResult<()> {
    let n = runs.len() as i64;
    state.queue.reserve_many(n)?;
    if let Err(e) = state.store.insert_batch(batch, runs).await {
        state.queue.release_many(n);
        return Err(e.into());
    }
    for run in runs {
        state.metrics.run_accepted(&run.kind);
        state.queue.pushed();
    }
    Ok(())
}

/// Waits (up to the sync timeout) for a run to end and returns it.
pub async fn wait_terminal(
    state: &Shared,
    kind: RunKind,
    run: &RunRow,
    rx: Option<oneshot::Receiver<()>>,
) -> ApiResult<RunRow> {
    let limit = Duration::from_secs(state.config.sync_timeout_secs);
    if let Some(rx) = rx
        && tokio::time::timeout(limit, rx).await.is_err()
    {
        state.queue.unsubscribe(&run.id);
        return Err(ApiError {
            run_id: Some(run.id.clone()),
            ..ApiError::new(
                Code::Timeout,
                format!(
                    "the {} did not finish within {} seconds; it goes on: fetch it by id",
                    kind.noun(),
                    limit.as_secs()
                ),
            )
        });
    }
    state
        .store
        .get_run(&run.workspace_id, kind.object(), &run.id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{} {}", kind.noun(), run.id)))
}

/// The HTTP error of a failed run (synchronous endpoints).
pub fn failure_error(run: &RunRow) -> ApiError {
    ApiError::new(
        Code::from_wire(run.failure_reason.as_deref().unwrap_or("INTERNAL_ERROR")),
        run.failure_message.clone().unwrap_or_default(),
    )
}

/// Re-queues (or fails) runs a previous process left claimed, and counts the queue.
pub async fn recover(state: &Shared) -> Result<(), sqlx::Error> {
    let (requeued, failed) = state
        .store
        .recover(state.config.max_attempts, &render::event_of)
        .await?;
    if !requeued.is_empty() || !failed.is_empty() {
        tracing::warn!(
            requeued = requeued.len(),
            failed = failed.len(),
            "recovered runs left PROCESSING by a previous process"
        );
    }
    state.queue.set_depth(state.store.queued_count().await?);
    Ok(())
}

/// Starts `n` workers; they stop claiming when `shutdown` turns true.
pub fn spawn_workers(
    state: &Shared,
    n: usize,
    shutdown: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let state = Arc::clone(state);
            let shutdown = shutdown.clone();
            tokio::spawn(async move { worker_loop(state, i, shutdown).await })
        })
        .collect()
}

async fn worker_loop(state: Shared, index: usize, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match state.store.claim_next().await {
            Ok(Some(run)) => {
                state.queue.claimed();
                tracing::debug!(worker = index, run_id = %run.id, attempt = run.attempts, "claimed");
                process(&state, run).await;
            }
            Ok(None) => {
                tokio::select! {
                    _ = state.queue.notify.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(worker = index, "claiming a run failed: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Runs one claimed run to its end and records it.
pub async fn process(state: &Shared, run: RunRow) {
    let started = Instant::now();
    let Some(kind) = RunKind::from_object(&run.kind) else {
        tracing::error!(run_id = %run.id, kind = %run.kind, "unknown run kind");
        return;
    };
    let exec = execute(state, &run, kind);
    tokio::pin!(exec);
    let limit = state.config.run_deadline(kind);
    let (result, timed_out) = match limit {
        Some(limit) => match tokio::time::timeout(limit, &mut exec).await {
            Ok(r) => (r, false),
            Err(_) => (
                Err(Failure {
                    code: Code::Timeout,
                    message: format!(
                        "the {} did not finish within its deadline of {} s",
                        kind.noun(),
                        limit.as_secs()
                    ),
                }),
                true,
            ),
        },
        None => (exec.as_mut().await, false),
    };
    let (outcome, output_blob) = match result {
        Ok(done) => done,
        Err(f) => (
            Outcome::Failed {
                reason: f.code.as_str().into(),
                message: f.message,
            },
            None,
        ),
    };
    let mut tries = 0;
    loop {
        match state
            .store
            .finish_run(&run.id, &outcome, &render::event_of)
            .await
        {
            Ok(Some(done)) => {
                let secs = started.elapsed().as_secs_f64();
                state.metrics.run_finished(&done.kind, &done.status, secs);
                tracing::info!(
                    request_id = "-",
                    run_id = %done.id,
                    status = %done.status,
                    failure_reason = done.failure_reason.as_deref().unwrap_or(""),
                    ms = (secs * 1000.0) as u64,
                    "run finished"
                );
                break;
            }
            Ok(None) => {
                tracing::info!(run_id = %run.id, "run deleted or already final; output dropped");
                drop_blob(state, output_blob.as_deref());
                break;
            }
            Err(e) => {
                tries += 1;
                tracing::error!(run_id = %run.id, "recording the end of the run failed: {e}");
                if tries >= 3 {
                    // Left claimed: the next start re-queues it.
                    drop_blob(state, output_blob.as_deref());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(500 * tries)).await;
            }
        }
    }
    state.queue.finished(&run.id);
    if timed_out {
        // The engine's blocking work cannot be interrupted: the worker waits for it (so no
        // more runs compute at once than there are workers) and drops what it made.
        if let Ok((_, blob)) = exec.await {
            drop_blob(state, blob.as_deref());
        }
        tracing::warn!(run_id = %run.id, "run past its deadline ended; its output was dropped");
    }
}

fn drop_blob(state: &Shared, id: Option<&str>) {
    if let Some(id) = id
        && let Err(e) = state.blobs.delete(id)
    {
        tracing::warn!("removing blob {id}: {e}");
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Name of an edited file: `f1040.pdf` -> `f1040_edited.pdf`, `letter.docx` ->
/// `letter_edited.pdf` (the output is always a PDF).
fn edited_name(name: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.len() <= 5 => stem,
        _ => name,
    };
    format!("{stem}_edited.pdf")
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Failure::internal(format!("worker thread: {e}")))
}

/// Gets the input, runs the job, stores the output blob. Returns the outcome to record and
/// the blob written (removed again if the run cannot be recorded).
async fn execute(
    state: &Shared,
    run: &RunRow,
    kind: RunKind,
) -> Result<(Outcome, Option<String>), Failure> {
    let ws = run.workspace_id.clone();
    let file_id = run
        .file_id
        .clone()
        .ok_or_else(|| Failure::internal("run without an input file"))?;
    let stored = state
        .store
        .get_file(&ws, &file_id)
        .await
        .map_err(|e| Failure::internal(format!("database: {e}")))?;
    let password = match (stored, run.input.get("url").and_then(Value::as_str)) {
        (Some(f), _) => f.password,
        (None, Some(url)) => {
            let (bytes, _) = state
                .downloader
                .fetch(url)
                .await
                .map_err(|e| Failure::new(e.code, e.message))?;
            let password = run
                .input
                .get("password")
                .and_then(Value::as_str)
                .map(str::to_string);
            let now = now_ms();
            let name = run.file_name.clone();
            let (blobs, fid, pw) = (state.blobs.clone(), file_id.clone(), password.clone());
            let file = blocking(move || -> std::io::Result<FileRow> {
                let file = FileRow {
                    id: fid.clone(),
                    workspace_id: ws.clone(),
                    file_type: jobs::sniff_type(&bytes, &name).map(str::to_string),
                    page_count: jobs::page_count(&bytes, pw.clone()),
                    name,
                    size_bytes: bytes.len() as i64,
                    sha256: sha256_hex(&bytes),
                    password: pw,
                    owner_run_id: None,
                    created_ms: now,
                    updated_ms: now,
                };
                blobs.put(&fid, &bytes)?;
                Ok(file)
            })
            .await?
            .map_err(|e| Failure::internal(format!("file store: {e}")))?;
            state
                .store
                .record_input_file(&file)
                .await
                .map_err(|e| Failure::internal(format!("database: {e}")))?;
            password
        }
        (None, None) => {
            return Err(Failure::new(
                Code::UnableToDownloadFile,
                format!("the input file {file_id} no longer exists"),
            ));
        }
    };

    let handle = tokio::runtime::Handle::current();
    let blobs = state.blobs.clone();
    let downloader = state.downloader.clone();
    let resolver = state.resolver.clone();
    let config = run.config.clone();
    let run_id = run.id.clone();
    let ws = run.workspace_id.clone();
    let file_name = run.file_name.clone();
    blocking(move || -> Result<(Outcome, Option<String>), Failure> {
        let pdf = blobs.get(&file_id).map_err(|e| {
            Failure::new(
                Code::UnableToDownloadFile,
                format!("cannot read the input file {file_id}: {e}"),
            )
        })?;
        match kind {
            RunKind::Edit => {
                let load_image = |url: &str| -> Result<Vec<u8>, String> {
                    if let Some(decoded) = decode_data_url(url) {
                        return decoded;
                    }
                    handle
                        .block_on(downloader.fetch(url))
                        .map(|(bytes, _)| bytes)
                        .map_err(|e| e.message)
                };
                let pdf = jobs::as_pdf(&pdf, &file_name)?;
                let outcome =
                    jobs::guarded(|| jobs::edit(&pdf, password.clone(), &config, &load_image, resolver.as_ref()))?;
                for w in &outcome.warnings {
                    tracing::info!(run_id = %run_id, "edit warning: {w}");
                }
                let out_id = new_id(prefix::FILE);
                blobs
                    .put(&out_id, &outcome.pdf)
                    .map_err(|e| Failure::internal(format!("file store: {e}")))?;
                let now = now_ms();
                let pages = outcome.metrics.page_count;
                let file = FileRow {
                    id: out_id.clone(),
                    workspace_id: ws,
                    name: edited_name(&file_name),
                    file_type: Some("PDF".into()),
                    page_count: i64::try_from(pages).ok(),
                    size_bytes: outcome.pdf.len() as i64,
                    sha256: sha256_hex(&outcome.pdf),
                    // The output is encrypted like the input: the same password opens it.
                    password,
                    owner_run_id: Some(run_id.clone()),
                    created_ms: now,
                    updated_ms: now,
                };
                let mut output = json!({ "editedFile": { "id": out_id } });
                if !outcome.filled_values.is_empty() {
                    output["filledValues"] = Value::Object(outcome.filled_values);
                }
                // Beyond the SDK's model (it keeps unknown fields): where each value came
                // from, and what the instructions said that was not placed.
                if !outcome.sources.is_empty() {
                    output["valueSources"] = json!(outcome.sources);
                }
                if !outcome.warnings.is_empty() {
                    output["warnings"] = json!(outcome.warnings);
                }
                let metrics = serde_json::to_value(&outcome.metrics)
                    .map_err(|e| Failure::internal(e.to_string()))?;
                Ok((
                    Outcome::Processed {
                        output,
                        metrics,
                        usage: usage(kind, &run_id, pages),
                        output_file: Some(Box::new(file)),
                    },
                    Some(out_id),
                ))
            }
            RunKind::Parse => {
                let p = jobs::guarded(|| {
                    jobs::parse(&pdf, password.as_deref(), &file_name, &config)
                })?;
                Ok((
                    Outcome::Processed {
                        output: p.output,
                        metrics: p.metrics,
                        usage: usage(kind, &run_id, p.page_count),
                        output_file: None,
                    },
                    None,
                ))
            }
            RunKind::FormDetection => {
                let pdf = jobs::as_pdf(&pdf, &file_name)?;
                let d = jobs::guarded(|| jobs::detect(&pdf, password, &config))?;
                Ok((
                    Outcome::Processed {
                        output: d.output,
                        metrics: d.metrics,
                        usage: usage(kind, &run_id, d.page_count),
                        output_file: None,
                    },
                    None,
                ))
            }
        }
    })
    .await?
}

/// Usage of a self-hosted run: one credit per page (`RunUsage` shape, spec §2.4).
fn usage(kind: RunKind, run_id: &str, pages: u64) -> Value {
    json!({
        "credits": pages,
        "totalCredits": pages,
        "breakdown": [{ "object": kind.object(), "id": run_id, "credits": pages }],
    })
}
