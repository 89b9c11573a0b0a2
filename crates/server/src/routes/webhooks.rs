//! Webhook endpoints and subscriptions (spec §9.5), scoped to the caller's workspace, and
//! the signed payload links of large deliveries (§9.4). See `crate::webhooks`.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::query::{ApiQuery, list_body};
use crate::api::{JsonBody, ListQuery};
use crate::auth::Auth;
use crate::clock::{now_ms, now_secs};
use crate::errors::{ApiError, ApiResult};
use crate::ids::new_id;
use crate::state::Shared;
use crate::store::{Page, SortBy};
use crate::webhooks::model::{
    self, ENDPOINT_EVENTS, EndpointCreate, EndpointListQuery, EndpointUpdate, SubscriptionCreate,
    SubscriptionListQuery, SubscriptionUpdate,
};
use crate::webhooks::store::{self as wstore, EndpointRow, SubscriptionRow};
use crate::webhooks::{ENDPOINT_PREFIX, SUBSCRIPTION_PREFIX, event_of_token, new_secret};

fn required<T>(value: Option<T>, key: &str) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::invalid(format!("`{key}` is required")))
}

fn page_of(
    sort_dir: &Option<String>,
    token: &Option<String>,
    size: &Option<String>,
) -> ApiResult<Page> {
    ListQuery {
        sort_dir: sort_dir.clone(),
        next_page_token: token.clone(),
        max_page_size: size.clone(),
        ..Default::default()
    }
    .page(SortBy::CreatedAt)
}

async fn endpoint_of(state: &Shared, auth: &Auth, id: &str) -> ApiResult<EndpointRow> {
    wstore::get_endpoint(state.store.pool(), &auth.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("webhook endpoint {id}")))
}

/// `GET /webhook_endpoints`: filter `status`; `sortDir` (default `desc`), paging.
pub async fn endpoint_list(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(q): ApiQuery<EndpointListQuery>,
) -> ApiResult<Json<Value>> {
    let page = page_of(&q.sort_dir, &q.next_page_token, &q.max_page_size)?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(model::check_status(s)?),
        None => None,
    };
    let rows = wstore::list_endpoints(
        state.store.pool(),
        &auth.workspace_id,
        status.as_deref(),
        &page,
    )
    .await?;
    Ok(Json(list_body(
        &page,
        rows,
        |e| (e.created_ms, e.id.clone()),
        model::endpoint_json,
    )))
}

/// `POST /webhook_endpoints`: the endpoint with its `signingSecret` (shown only here).
pub async fn endpoint_create(
    State(state): State<Shared>,
    auth: Auth,
    JsonBody(body): JsonBody<EndpointCreate>,
) -> ApiResult<Json<Value>> {
    let url =
        model::check_url_resolved(&required(body.url, "url")?, state.config.allow_private_urls)
            .await?;
    let name = model::check_name(&required(body.name, "name")?)?;
    let events = model::check_events(
        "enabledEvents",
        &required(body.enabled_events, "enabledEvents")?,
        ENDPOINT_EVENTS,
    )?;
    let api_version = model::check_api_version(&required(body.api_version, "apiVersion")?)?;
    let status = model::check_status(body.status.as_deref().unwrap_or("enabled"))?;
    let advanced_options = body.advanced_options.map(|a| a.validate()).transpose()?;
    let now = now_ms();
    let row = EndpointRow {
        id: new_id(ENDPOINT_PREFIX),
        workspace_id: auth.workspace_id,
        url,
        name,
        status,
        enabled_events: events,
        api_version,
        advanced_options,
        signing_secret: new_secret(),
        created_ms: now,
        updated_ms: now,
    };
    // Stored sealed; shown in plain text this once.
    let stored = EndpointRow {
        signing_secret: state
            .store
            .secrets()
            .seal(&wstore::secret_context(&row.id), &row.signing_secret)
            .map_err(ApiError::internal)?,
        ..row.clone()
    };
    wstore::insert_endpoint(state.store.pool(), &stored).await?;
    Ok(Json(model::endpoint_create_json(&row)))
}

/// `GET /webhook_endpoints/{id}` (no signing secret).
pub async fn endpoint_get(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(model::endpoint_json(
        &endpoint_of(&state, &auth, &id).await?,
    )))
}

/// `POST /webhook_endpoints/{id}`: changes the fields given; `apiVersion` is fixed.
pub async fn endpoint_update(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EndpointUpdate>,
) -> ApiResult<Json<Value>> {
    let mut row = endpoint_of(&state, &auth, &id).await?;
    if body.api_version.is_some() {
        return Err(ApiError::invalid(
            "apiVersion cannot be changed after creation; create a new endpoint",
        ));
    }
    if let Some(url) = body.url {
        row.url = model::check_url_resolved(&url, state.config.allow_private_urls).await?;
    }
    if let Some(name) = body.name {
        row.name = model::check_name(&name)?;
    }
    if let Some(status) = body.status {
        row.status = model::check_status(&status)?;
    }
    if let Some(events) = body.enabled_events {
        row.enabled_events = model::check_events("enabledEvents", &events, ENDPOINT_EVENTS)?;
    }
    if let Some(options) = body.advanced_options {
        row.advanced_options = options.map(|a| a.validate()).transpose()?;
    }
    row.updated_ms = now_ms();
    let saved = wstore::update_endpoint(state.store.pool(), &row)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("webhook endpoint {id}")))?;
    Ok(Json(model::endpoint_json(&saved)))
}

/// `DELETE /webhook_endpoints/{id}`: with its subscriptions and pending deliveries.
pub async fn endpoint_delete(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if !wstore::delete_endpoint(state.store.pool(), &auth.workspace_id, &id).await? {
        return Err(ApiError::not_found(format!("webhook endpoint {id}")));
    }
    Ok(Json(json!({ "id": id })))
}

/// `GET /webhook_subscriptions`: filters `webhookEndpointId`, `resourceId`; paging.
pub async fn subscription_list(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(q): ApiQuery<SubscriptionListQuery>,
) -> ApiResult<Json<Value>> {
    let page = page_of(&q.sort_dir, &q.next_page_token, &q.max_page_size)?;
    let rows = wstore::list_subscriptions(
        state.store.pool(),
        &auth.workspace_id,
        q.webhook_endpoint_id.as_deref().filter(|s| !s.is_empty()),
        q.resource_id.as_deref().filter(|s| !s.is_empty()),
        &page,
    )
    .await?;
    Ok(Json(list_body(
        &page,
        rows,
        |s| (s.created_ms, s.id.clone()),
        model::subscription_json,
    )))
}

/// `POST /webhook_subscriptions`: creates, or updates the endpoint's subscription to the
/// same resource.
pub async fn subscription_create(
    State(state): State<Shared>,
    auth: Auth,
    JsonBody(body): JsonBody<SubscriptionCreate>,
) -> ApiResult<Json<Value>> {
    let endpoint_id = required(body.webhook_endpoint_id, "webhookEndpointId")?;
    let resource_type = required(body.resource_type, "resourceType")?;
    let allowed = model::subscription_events(&resource_type)?;
    let resource_id = model::check_resource_id(&required(body.resource_id, "resourceId")?)?;
    let events = model::check_events(
        "enabledEvents",
        &required(body.enabled_events, "enabledEvents")?,
        allowed,
    )?;
    let endpoint = endpoint_of(&state, &auth, &endpoint_id).await?;
    let now = now_ms();
    let row = SubscriptionRow {
        id: new_id(SUBSCRIPTION_PREFIX),
        workspace_id: auth.workspace_id,
        webhook_endpoint_id: endpoint.id,
        resource_type,
        resource_id,
        enabled_events: events,
        created_ms: now,
        updated_ms: now,
    };
    let saved = wstore::upsert_subscription(state.store.pool(), &row).await?;
    Ok(Json(model::subscription_json(&saved)))
}

/// `GET /webhook_subscriptions/{id}`.
pub async fn subscription_get(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let s = wstore::get_subscription(state.store.pool(), &auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("webhook subscription {id}")))?;
    Ok(Json(model::subscription_json(&s)))
}

/// `POST /webhook_subscriptions/{id}`: sets `enabledEvents`.
pub async fn subscription_update(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SubscriptionUpdate>,
) -> ApiResult<Json<Value>> {
    let pool = state.store.pool();
    let current = wstore::get_subscription(pool, &auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("webhook subscription {id}")))?;
    let Some(events) = body.enabled_events else {
        return Ok(Json(model::subscription_json(&current)));
    };
    let events = model::check_events(
        "enabledEvents",
        &events,
        model::subscription_events(&current.resource_type)?,
    )?;
    let saved = wstore::update_subscription(pool, &auth.workspace_id, &id, &events, now_ms())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("webhook subscription {id}")))?;
    Ok(Json(model::subscription_json(&saved)))
}

/// `DELETE /webhook_subscriptions/{id}`.
pub async fn subscription_delete(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if !wstore::delete_subscription(state.store.pool(), &auth.workspace_id, &id).await? {
        return Err(ApiError::not_found(format!("webhook subscription {id}")));
    }
    Ok(Json(json!({ "id": id })))
}

/// `GET /webhook_payloads/{token}`: the full payload of a delivery sent as a signed URL
/// (no API key; the signature is the key; 1 hour).
pub async fn payload(
    State(state): State<Shared>,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    let gone = || ApiError::not_found("webhook payload link (invalid or expired)");
    let (subject, workspace_id) = state.signer.verify(&token, now_secs()).ok_or_else(gone)?;
    let event_id = event_of_token(&subject).ok_or_else(gone)?;
    let event = wstore::get_event(state.store.pool(), event_id)
        .await?
        .filter(|e| e.workspace_id == workspace_id)
        .ok_or_else(gone)?;
    Ok(Json(crate::webhooks::payload_json(&state, &event)))
}
