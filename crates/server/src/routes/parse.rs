//! Parse endpoints (spec §6): sync and async parse, batches, get (inline or `outputUrl`),
//! list, delete and cancel — on the same run table, queue and workers as edit runs.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest;

use super::query::{ApiQuery, BaseUrl};
use crate::api::{FileInput, InputRef, JsonBody, ListQuery};
use crate::auth::Auth;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult, Code};
use crate::ids::RunKind;
use crate::ids::hex;
use crate::ids::{new_id, prefix};
use crate::render;
use crate::state::Shared;
use crate::store::{BatchRow, FileRow, RunFilter, RunRow, SortBy};
use crate::worker;

/// Largest `metadata` object (spec §2.5).
const MAX_METADATA_BYTES: usize = 10 * 1024;
/// Most inputs of one batch (spec §6.2).
const MAX_BATCH_INPUTS: usize = 1000;

/// Body of `POST /parse` and `POST /parse_runs`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseBody {
    /// The document.
    pub file: Option<FileInput>,
    /// ParseConfig.
    pub config: Option<Value>,
    /// Echoed in the run and its webhook.
    pub metadata: Option<Value>,
    /// `{mode}`; accepted, and `zero` honoured as "keep nothing we need not keep" is not
    /// built yet, so only `workspace_default` is accepted.
    pub data_retention: Option<Value>,
}

/// One input of a batch.
#[derive(Debug, Default, Deserialize)]
pub struct BatchInput {
    /// FileFromUrl, FileFromId or FileFromText.
    pub file: Option<FileInput>,
    /// Per-input metadata.
    pub metadata: Option<Value>,
}

/// Body of `POST /parse_runs/batch`.
#[derive(Debug, Default, Deserialize)]
pub struct BatchBody {
    /// 1..=1000 inputs.
    pub inputs: Option<Vec<BatchInput>>,
    /// ParseConfig shared by every run.
    pub config: Option<Value>,
    /// Lower runs earlier.
    pub priority: Option<i64>,
}

/// `responseType` of GET and sync parse.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseQuery {
    /// `json` (default) or `url`.
    pub response_type: Option<String>,
}

impl ResponseQuery {
    fn wants_url(&self) -> ApiResult<bool> {
        match self.response_type.as_deref() {
            None | Some("") | Some("json") => Ok(false),
            Some("url") => Ok(true),
            Some(other) => Err(ApiError::invalid(format!(
                "responseType must be json or url, not {other:?}"
            ))),
        }
    }
}

/// The effective config, or 400 INVALID_CONFIG_OPTIONS naming the bad key.
fn effective_config(config: Option<&Value>) -> ApiResult<Value> {
    let parsed = formsmith_parse::ParseConfig::from_json(config.unwrap_or(&Value::Null))
        .map_err(|e| ApiError::new(Code::InvalidConfigOptions, e.to_string()))?;
    if !parsed.not_applied.is_empty() {
        tracing::info!(options = ?parsed.not_applied, "parse options not carried out by this server (echoed off)");
    }
    Ok(parsed.to_json())
}

fn checked_metadata(metadata: Option<Value>, path: &str) -> ApiResult<Option<Value>> {
    match metadata {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            let size = Value::Object(m.clone()).to_string().len();
            if size > MAX_METADATA_BYTES {
                return Err(ApiError::invalid(format!(
                    "{path} is {size} bytes; at most {MAX_METADATA_BYTES} are accepted"
                )));
            }
            Ok(Some(Value::Object(m)))
        }
        Some(_) => Err(ApiError::invalid(format!("{path} must be a JSON object"))),
    }
}

fn check_retention(retention: Option<&Value>) -> ApiResult<()> {
    match retention.and_then(|r| r.get("mode")) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(m)) if m == "workspace_default" => Ok(()),
        Some(Value::String(m)) if m == "zero" => Err(ApiError::invalid(
            "dataRetention.mode \"zero\" is not available on this server: runs are kept until deleted (DELETE /parse_runs/{id})",
        )),
        Some(other) => Err(ApiError::invalid(format!(
            "dataRetention.mode must be workspace_default or zero, not {other}"
        ))),
    }
}

/// A run as the API shows it: inline output, or a presigned `outputUrl` (15 minutes).
async fn show(state: &Shared, base: &str, run: &RunRow, url: bool) -> ApiResult<Value> {
    let file = match &run.file_id {
        Some(id) => state.store.get_file(&run.workspace_id, id).await?,
        None => None,
    };
    let output_url = (url && run.status == "PROCESSED")
        .then(|| state.presigned_url(base, &run.id, &run.workspace_id));
    let mut v = render::parse_run_json(run, file.as_ref(), output_url);
    if url && run.status != "PROCESSED" {
        v["output"] = Value::Null;
    }
    Ok(v)
}

async fn accept(
    state: &Shared,
    auth: &Auth,
    body: ParseBody,
    wait: bool,
) -> ApiResult<(RunRow, Option<tokio::sync::oneshot::Receiver<()>>)> {
    let input = body
        .file
        .ok_or_else(|| ApiError::invalid("`file` is required"))?
        .resolve()?;
    let config = effective_config(body.config.as_ref())?;
    let metadata = checked_metadata(body.metadata, "metadata")?;
    check_retention(body.data_retention.as_ref())?;
    let mut run = worker::new_run(state, &auth.workspace_id, RunKind::Parse, input, config).await?;
    run.metadata = metadata;
    worker::enqueue(state, run, wait).await
}

/// `POST /parse`: waits for the run; a failed run is the mapped HTTP error.
pub async fn parse_sync(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    ApiQuery(q): ApiQuery<ResponseQuery>,
    JsonBody(body): JsonBody<ParseBody>,
) -> ApiResult<Json<Value>> {
    let url = q.wants_url()?;
    let (run, rx) = accept(&state, &auth, body, true).await?;
    let done = worker::wait_terminal(&state, RunKind::Parse, &run, rx).await?;
    if done.status == "FAILED" {
        return Err(worker::failure_error(&done));
    }
    Ok(Json(show(&state, &base, &done, url).await?))
}

/// `POST /parse_runs`: answers at once with the PROCESSING run.
pub async fn create(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<ParseBody>,
) -> ApiResult<Json<Value>> {
    let (run, _) = accept(&state, &auth, body, false).await?;
    Ok(Json(show(&state, &base, &run, false).await?))
}

/// Stores a FileFromText input as a TXT file of the workspace.
async fn store_text(state: &Shared, workspace_id: &str, file: &FileInput) -> ApiResult<String> {
    let text = match &file.text {
        Some(Value::String(t)) => t.clone(),
        _ => return Err(ApiError::invalid("file.text must be a string")),
    };
    let name = file
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "text.txt".into());
    let bytes = text.into_bytes();
    if bytes.len() as u64 > state.config.max_upload_bytes {
        return Err(ApiError::new(
            Code::FileSizeTooLarge,
            format!(
                "file.text is {} bytes; the limit is {}",
                bytes.len(),
                state.config.max_upload_bytes
            ),
        ));
    }
    let now = now_ms();
    let row = FileRow {
        id: new_id(prefix::FILE),
        workspace_id: workspace_id.into(),
        name,
        file_type: Some("TXT".into()),
        page_count: None,
        size_bytes: bytes.len() as i64,
        sha256: hex(&sha2::Sha256::digest(&bytes)),
        password: None,
        owner_run_id: None,
        created_ms: now,
        updated_ms: now,
    };
    let (blobs, id) = (state.blobs.clone(), row.id.clone());
    tokio::task::spawn_blocking(move || blobs.put(&id, &bytes))
        .await
        .map_err(ApiError::internal)??;
    if let Err(e) = state.store.insert_file(&row).await {
        let _ = state.blobs.delete(&row.id);
        return Err(e.into());
    }
    Ok(row.id)
}

/// `POST /parse_runs/batch`: every input becomes a PENDING parse run of one new batch,
/// stored in one transaction (all or nothing) before the answer.
pub async fn create_batch(
    State(state): State<Shared>,
    auth: Auth,
    JsonBody(body): JsonBody<BatchBody>,
) -> ApiResult<Json<Value>> {
    let inputs = body
        .inputs
        .ok_or_else(|| ApiError::invalid("`inputs` is required"))?;
    if inputs.is_empty() || inputs.len() > MAX_BATCH_INPUTS {
        return Err(ApiError::invalid(format!(
            "inputs must hold 1 to {MAX_BATCH_INPUTS} items, not {}",
            inputs.len()
        )));
    }
    let config = effective_config(body.config.as_ref())?;
    let priority = body.priority.unwrap_or(50).clamp(1, 100);
    // Check every input before storing anything (text files included).
    let mut resolved = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let file = input
            .file
            .ok_or_else(|| ApiError::invalid(format!("inputs[{i}].file is required")))?;
        let metadata = checked_metadata(input.metadata, &format!("inputs[{i}].metadata"))?;
        let reference = if file.text.is_some() {
            None
        } else {
            Some(
                file.resolve()
                    .map_err(|e| ApiError::invalid(format!("inputs[{i}]: {}", e.message)))?,
            )
        };
        resolved.push((file, reference, metadata));
    }
    let batch_id = new_id(prefix::PARSE_BATCH);
    let mut runs = Vec::with_capacity(resolved.len());
    for (file, reference, metadata) in resolved {
        let reference = match reference {
            Some(r) => r,
            None => InputRef::Id(store_text(&state, &auth.workspace_id, &file).await?),
        };
        let mut run = worker::new_run(
            &state,
            &auth.workspace_id,
            RunKind::Parse,
            reference,
            config.clone(),
        )
        .await?;
        run.status = "PENDING".into();
        run.batch_id = Some(batch_id.clone());
        run.metadata = metadata;
        run.priority = priority;
        run.source = "BATCH_PARSER_RUN".into();
        runs.push(run);
    }
    let now = now_ms();
    let batch = BatchRow {
        id: batch_id,
        workspace_id: auth.workspace_id.clone(),
        kind: RunKind::Parse.object().into(),
        status: "PENDING".into(),
        run_count: runs.len() as i64,
        created_ms: now,
        updated_ms: now,
    };
    worker::enqueue_batch(&state, &batch, &runs).await?;
    Ok(Json(batch.to_json()))
}

/// `GET /parse_runs/{id}`.
pub async fn get(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResponseQuery>,
) -> ApiResult<Json<Value>> {
    let url = q.wants_url()?;
    let run = state
        .store
        .get_run(&auth.workspace_id, RunKind::Parse.object(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("parse run {id}")))?;
    Ok(Json(show(&state, &base, &run, url).await?))
}

/// `DELETE /parse_runs/{id}`.
pub async fn delete(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    super::runs::delete_run(&state, &auth.workspace_id, RunKind::Parse, &id).await
}

/// `POST /parse_runs/{id}/cancel`: only while PENDING or PROCESSING; a worker busy with it
/// drops its result.
pub async fn cancel(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    match state
        .store
        .cancel_run(&auth.workspace_id, RunKind::Parse.object(), &id)
        .await?
    {
        None => Err(ApiError::not_found(format!("parse run {id}"))),
        Some(Err(status)) => Err(ApiError::invalid(format!(
            "parse run {id} is {status}; only a PROCESSING run can be cancelled"
        ))),
        Some(Ok(run)) => {
            if run.claimed_ms.is_none() {
                state.queue.claimed(); // it leaves the queue unclaimed
            }
            state.queue.finished(&run.id);
            Ok(Json(show(&state, &base, &run, false).await?))
        }
    }
}

/// `GET /parse_runs`: filters `status`, `batchId` (over `source`), `source`,
/// `fileNameContains`; newest first; `nextPageToken`, `maxPageSize`.
pub async fn list(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ParseListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.list.page(SortBy::CreatedAt)?;
    if let Some(s) = q.list.status.as_deref().filter(|s| !s.is_empty())
        && !matches!(
            s,
            "PENDING" | "PROCESSING" | "PROCESSED" | "FAILED" | "CANCELLED"
        )
    {
        return Err(ApiError::invalid(format!(
            "status must be PENDING, PROCESSING, PROCESSED, FAILED or CANCELLED, not {s:?}"
        )));
    }
    let filter = RunFilter {
        status: q.list.status.clone().filter(|s| !s.is_empty()),
        source: q.list.source.clone().filter(|s| !s.is_empty()),
        file_name_contains: q.list.file_name_contains.clone().filter(|s| !s.is_empty()),
        batch_id: q.batch_id.clone().filter(|s| !s.is_empty()),
    };
    if q.source_id.as_deref().is_some_and(|s| !s.is_empty()) {
        // Runs made here have no source id, so a sourceId filter matches none of them.
        return Ok(Json(json!({ "object": "list", "data": [] })));
    }
    super::runs::list_page(&state, &auth.workspace_id, RunKind::Parse, &filter, &page).await
}

/// `GET /parse_runs` query: the common list keys plus `batchId` and `sourceId`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseListQuery {
    /// Members of one batch.
    pub batch_id: Option<String>,
    /// Accepted; runs here have no source id.
    pub source_id: Option<String>,
    /// The common keys.
    #[serde(flatten)]
    pub list: ListQuery,
}

/// `GET /batch_runs/{id}`.
pub async fn batch_get(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let batch = state
        .store
        .get_batch(&auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("batch run {id}")))?;
    Ok(Json(batch.to_json()))
}

/// The output JSON behind a presigned `outputUrl` (the download route calls this for
/// tokens that name a parse run).
pub async fn output_json(state: &Shared, workspace_id: &str, run_id: &str) -> Option<Value> {
    let run = state
        .store
        .get_run(workspace_id, RunKind::Parse.object(), run_id)
        .await
        .ok()??;
    run.output
}
