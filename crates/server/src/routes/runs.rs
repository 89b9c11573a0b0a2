//! Edit and form detection endpoints (spec §4): sync and async creation, get, list, delete,
//! templates, and the deprecated schema generation.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::query::{ApiQuery, BaseUrl, cut_page, list_json};
use crate::api::{
    DetectBody, EditBody, EditConfigIn, JsonBody, ListQuery, effective_detect_config,
    effective_edit_config,
};
use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::ids::RunKind;
use crate::render;
use crate::state::Shared;
use crate::store::{Page, RunFilter, RunRow, SortBy};
use crate::worker;

/// A run as the API shows it, with fresh presigned URLs.
async fn show(state: &Shared, base: &str, run: &RunRow) -> ApiResult<Value> {
    let file = match &run.file_id {
        Some(id) => state.store.get_file(&run.workspace_id, id).await?,
        None => None,
    };
    let presign = |fid: &str| state.presigned_url(base, fid, &run.workspace_id);
    Ok(render::run_json(run, file.as_ref(), Some(&presign)))
}

async fn accept_edit(
    state: &Shared,
    auth: &Auth,
    body: EditBody,
    wait: bool,
) -> ApiResult<(RunRow, Option<tokio::sync::oneshot::Receiver<()>>)> {
    let request_config = body.config.unwrap_or_default();
    let (input, config) = match (body.file, body.template_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "give either `file` or `templateId`, not both",
            ));
        }
        (None, None) => return Err(ApiError::invalid("`file` (or `templateId`) is required")),
        (Some(file), None) => (file.resolve()?, request_config),
        (None, Some(template_id)) => {
            let t = state
                .store
                .get_template(&auth.workspace_id, &template_id)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("edit template {template_id}")))?;
            let saved: EditConfigIn = serde_json::from_value(t.config).unwrap_or_default();
            (
                crate::api::InputRef::Id(t.file_id),
                request_config.over(saved),
            )
        }
    };
    let asked = config.advanced_options.clone().unwrap_or_default();
    log_not_applied(crate::api::not_applied_edit_options(
        asked.table_parsing_enabled,
    ));
    let config = effective_edit_config(&config)?;
    worker::accept(
        state,
        &auth.workspace_id,
        RunKind::Edit,
        input,
        config,
        wait,
    )
    .await
}

/// Options asked for that this server does not carry out: the run's echo shows them off;
/// the log says they were asked.
fn log_not_applied(paths: Vec<&'static str>) {
    if !paths.is_empty() {
        tracing::info!(options = ?paths, "options not carried out by this server (echoed off)");
    }
}

async fn accept_detect(
    state: &Shared,
    auth: &Auth,
    body: DetectBody,
    wait: bool,
) -> ApiResult<(RunRow, Option<tokio::sync::oneshot::Receiver<()>>)> {
    let input = body
        .file
        .ok_or_else(|| ApiError::invalid("`file` is required"))?
        .resolve()?;
    let asked = body.config.unwrap_or_default();
    let options = asked.advanced_options.clone().unwrap_or_default();
    log_not_applied(crate::api::not_applied_edit_options(
        options.table_parsing_enabled,
    ));
    let config = effective_detect_config(&asked)?;
    worker::accept(
        state,
        &auth.workspace_id,
        RunKind::FormDetection,
        input,
        config,
        wait,
    )
    .await
}

/// `POST /edit`: waits for the run; a failed run is the mapped HTTP error.
pub async fn edit_sync(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<EditBody>,
) -> ApiResult<Json<Value>> {
    let (run, rx) = accept_edit(&state, &auth, body, true).await?;
    let done = worker::wait_terminal(&state, RunKind::Edit, &run, rx).await?;
    if done.status == "FAILED" {
        return Err(worker::failure_error(&done));
    }
    Ok(Json(show(&state, &base, &done).await?))
}

/// `POST /edit_runs`: answers at once with the PROCESSING run.
pub async fn edit_create(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<EditBody>,
) -> ApiResult<Json<Value>> {
    let (run, _) = accept_edit(&state, &auth, body, false).await?;
    Ok(Json(show(&state, &base, &run).await?))
}

async fn get_run(
    state: &Shared,
    auth: &Auth,
    base: &str,
    kind: RunKind,
    id: &str,
) -> ApiResult<Json<Value>> {
    let run = state
        .store
        .get_run(&auth.workspace_id, kind.object(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{} {id}", kind.noun())))?;
    Ok(Json(show(state, base, &run).await?))
}

/// `GET /edit_runs/{id}`.
pub async fn edit_get(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    get_run(&state, &auth, &base, RunKind::Edit, &id).await
}

/// `DELETE /edit_runs/{id}`: the run and its output file.
pub async fn edit_delete(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    delete_run(&state, &auth.workspace_id, RunKind::Edit, &id).await
}

/// Deletes a run of `kind` and the files it produced; a run still waiting leaves the queue.
pub(super) async fn delete_run(
    state: &Shared,
    workspace_id: &str,
    kind: RunKind,
    id: &str,
) -> ApiResult<Json<Value>> {
    let (run, files) = state
        .store
        .delete_run(workspace_id, kind.object(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{} {id}", kind.noun())))?;
    if !run.is_terminal() && run.claimed_ms.is_none() {
        state.queue.claimed(); // it leaves the queue unclaimed
    }
    for f in files {
        state.blobs.delete(&f.id)?;
    }
    Ok(Json(json!({ "id": run.id })))
}

/// `GET /edit_runs`: filters `status`, `source`, `fileNameContains`; `sortBy`
/// (default `updatedAt`), `sortDir` (default `desc`), `nextPageToken`, `maxPageSize`.
pub async fn edit_list(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(SortBy::UpdatedAt)?;
    if let Some(s) = q.status.as_deref()
        && !matches!(s, "PROCESSING" | "PROCESSED" | "FAILED")
    {
        return Err(ApiError::invalid(format!(
            "status must be PROCESSING, PROCESSED or FAILED, not {s:?}"
        )));
    }
    let filter = RunFilter {
        status: q.status.clone().filter(|s| !s.is_empty()),
        source: q.source.clone().filter(|s| !s.is_empty()),
        file_name_contains: q.file_name_contains.clone().filter(|s| !s.is_empty()),
        batch_id: None,
    };
    list_page(&state, &auth.workspace_id, RunKind::Edit, &filter, &page).await
}

/// One page of a workspace's runs of `kind` as a list object (`{object, data,
/// nextPageToken?}`), summaries with their input files.
pub(super) async fn list_page(
    state: &Shared,
    workspace_id: &str,
    kind: RunKind,
    filter: &RunFilter,
    page: &Page,
) -> ApiResult<Json<Value>> {
    let mut rows = state
        .store
        .list_runs(workspace_id, kind.object(), filter, page)
        .await?;
    let more = cut_page(page, &mut rows);
    let mut data = Vec::with_capacity(rows.len());
    for run in &rows {
        let file = match &run.file_id {
            Some(id) => state.store.get_file(&run.workspace_id, id).await?,
            None => None,
        };
        data.push(render::run_summary_json(run, file.as_ref()));
    }
    let next = rows
        .last()
        .filter(|_| more)
        .map(|r| (page.sort_value(r.created_ms, r.updated_ms), r.id.as_str()));
    Ok(Json(list_json(page, data, next)))
}

/// `GET /edit_templates`: `nameContains` (case-insensitive), `sortBy` (default
/// `updatedAt`), `sortDir` (default `desc`), `nextPageToken`, `maxPageSize`; summaries (the
/// full template, with its config, from `GET /edit_templates/{id}`).
pub async fn template_list(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(SortBy::UpdatedAt)?;
    let name = q.name_contains.as_deref().filter(|n| !n.is_empty());
    let mut rows = state
        .store
        .list_templates(&auth.workspace_id, name, &page)
        .await?;
    let more = cut_page(&page, &mut rows);
    let mut data = Vec::with_capacity(rows.len());
    for t in &rows {
        let file = state.store.get_file(&auth.workspace_id, &t.file_id).await?;
        data.push(json!({
            "object": "edit_template",
            "id": t.id,
            "name": t.name,
            "description": t.description,
            "file": template_file_json(t, file.as_ref()),
            "createdAt": crate::clock::rfc3339(t.created_ms),
            "updatedAt": crate::clock::rfc3339(t.updated_ms),
        }));
    }
    let next = rows
        .last()
        .filter(|_| more)
        .map(|t| (page.sort_value(t.created_ms, t.updated_ms), t.id.as_str()));
    Ok(Json(list_json(&page, data, next)))
}

/// A template's file summary; a file deleted since still shows its id.
fn template_file_json(t: &crate::TemplateRow, file: Option<&crate::store::FileRow>) -> Value {
    match file {
        Some(f) => render::file_summary(f),
        None => json!({ "object": "file", "id": t.file_id, "name": "", "type": null,
                        "parentFileId": null, "metadata": {},
                        "createdAt": crate::clock::rfc3339(t.created_ms),
                        "updatedAt": crate::clock::rfc3339(t.updated_ms) }),
    }
}

/// `GET /edit_templates/{id}`.
pub async fn template_get(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let t = state
        .store
        .get_template(&auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("edit template {id}")))?;
    let file = state.store.get_file(&auth.workspace_id, &t.file_id).await?;
    let file_json = template_file_json(&t, file.as_ref());
    Ok(Json(json!({
        "object": "edit_template",
        "id": t.id,
        "name": t.name,
        "description": t.description,
        "file": file_json,
        "config": t.config,
        "schemaConfig": t.schema_config,
        "createdAt": crate::clock::rfc3339(t.created_ms),
        "updatedAt": crate::clock::rfc3339(t.updated_ms),
    })))
}

/// `POST /detect_form`: waits for the form detection run.
pub async fn detect_sync(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<DetectBody>,
) -> ApiResult<Json<Value>> {
    let (run, rx) = accept_detect(&state, &auth, body, true).await?;
    let done = worker::wait_terminal(&state, RunKind::FormDetection, &run, rx).await?;
    if done.status == "FAILED" {
        return Err(worker::failure_error(&done));
    }
    Ok(Json(show(&state, &base, &done).await?))
}

/// `POST /form_detection_runs`.
pub async fn detect_create(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<DetectBody>,
) -> ApiResult<Json<Value>> {
    let (run, _) = accept_detect(&state, &auth, body, false).await?;
    Ok(Json(show(&state, &base, &run).await?))
}

/// `GET /form_detection_runs/{id}`.
pub async fn detect_get(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    get_run(&state, &auth, &base, RunKind::FormDetection, &id).await
}

/// `POST /edit_schemas/generate` (deprecated): a form detection run, waited for; the body
/// is its output (`EditSchemaGenerationResponse`).
pub async fn schema_generate(
    State(state): State<Shared>,
    auth: Auth,
    JsonBody(body): JsonBody<DetectBody>,
) -> ApiResult<Json<Value>> {
    let (run, rx) = accept_detect(&state, &auth, body, true).await?;
    let done = worker::wait_terminal(&state, RunKind::FormDetection, &run, rx).await?;
    if done.status == "FAILED" {
        return Err(worker::failure_error(&done));
    }
    Ok(Json(done.output.unwrap_or(Value::Null)))
}
