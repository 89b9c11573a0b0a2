//! The routes, in one table: method, path, whether it is part of the versioned and
//! authenticated API, its OpenAPI operation, and its handler. The router and the OpenAPI
//! document are both built from this table, so a route cannot be served undocumented.

mod files;
mod parse;
mod query;
mod runs;
mod webhooks;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use serde_json::{Value, json};

use crate::errors::{ApiError, REQUEST_ID};
use crate::ids::{new_id, prefix};
use crate::openapi::{RouteDef, op};
use crate::state::Shared;
use crate::webhooks::openapi::op as wh;

/// The API version this server speaks (and assumes when the header is absent).
pub const API_VERSION: &str = "2026-02-09";
/// Request header naming the API version.
pub const VERSION_HEADER: &str = "x-extend-api-version";
/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-extend-request-id";

/// The table (definitions with their handlers).
pub fn table() -> Vec<(RouteDef, MethodRouter<Shared>)> {
    fn r(
        method: &'static str,
        path: &'static str,
        api: bool,
        operation: Value,
        handler: MethodRouter<Shared>,
    ) -> (RouteDef, MethodRouter<Shared>) {
        (
            RouteDef {
                method,
                path,
                api,
                operation,
            },
            handler,
        )
    }
    vec![
        r(
            "POST",
            "/edit",
            true,
            op::edit_sync(),
            post(runs::edit_sync),
        ),
        r(
            "POST",
            "/edit_runs",
            true,
            op::edit_create(),
            post(runs::edit_create),
        ),
        r(
            "GET",
            "/edit_runs",
            true,
            op::edit_list(),
            get(runs::edit_list),
        ),
        r(
            "GET",
            "/edit_runs/{id}",
            true,
            op::edit_get(),
            get(runs::edit_get),
        ),
        r(
            "DELETE",
            "/edit_runs/{id}",
            true,
            op::edit_delete(),
            delete(runs::edit_delete),
        ),
        r(
            "GET",
            "/edit_templates",
            true,
            op::template_list(),
            get(runs::template_list),
        ),
        r(
            "GET",
            "/edit_templates/{id}",
            true,
            op::template_get(),
            get(runs::template_get),
        ),
        r(
            "POST",
            "/detect_form",
            true,
            op::detect_sync(),
            post(runs::detect_sync),
        ),
        r(
            "POST",
            "/form_detection_runs",
            true,
            op::detect_create(),
            post(runs::detect_create),
        ),
        r(
            "GET",
            "/form_detection_runs/{id}",
            true,
            op::detect_get(),
            get(runs::detect_get),
        ),
        r(
            "POST",
            "/edit_schemas/generate",
            true,
            op::schema_generate(),
            post(runs::schema_generate),
        ),
        r(
            "POST",
            "/parse",
            true,
            op::parse_sync(),
            post(parse::parse_sync),
        ),
        r(
            "POST",
            "/parse_runs",
            true,
            op::parse_create(),
            post(parse::create),
        ),
        r(
            "GET",
            "/parse_runs",
            true,
            op::parse_list(),
            get(parse::list),
        ),
        r(
            "POST",
            "/parse_runs/batch",
            true,
            op::parse_batch(),
            post(parse::create_batch),
        ),
        r(
            "GET",
            "/parse_runs/{id}",
            true,
            op::parse_get(),
            get(parse::get),
        ),
        r(
            "DELETE",
            "/parse_runs/{id}",
            true,
            op::parse_delete(),
            delete(parse::delete),
        ),
        r(
            "POST",
            "/parse_runs/{id}/cancel",
            true,
            op::parse_cancel(),
            post(parse::cancel),
        ),
        r(
            "GET",
            "/batch_runs/{id}",
            true,
            op::batch_get(),
            get(parse::batch_get),
        ),
        r(
            "POST",
            "/files/upload",
            true,
            op::file_upload(),
            post(files::upload).layer(DefaultBodyLimit::disable()),
        ),
        r("GET", "/files", true, op::file_list(), get(files::list)),
        r("GET", "/files/{id}", true, op::file_get(), get(files::get)),
        r(
            "DELETE",
            "/files/{id}",
            true,
            op::file_delete(),
            delete(files::delete),
        ),
        r(
            "GET",
            "/webhook_endpoints",
            true,
            wh::endpoint_list(),
            get(webhooks::endpoint_list),
        ),
        r(
            "POST",
            "/webhook_endpoints",
            true,
            wh::endpoint_create(),
            post(webhooks::endpoint_create),
        ),
        r(
            "GET",
            "/webhook_endpoints/{id}",
            true,
            wh::endpoint_get(),
            get(webhooks::endpoint_get),
        ),
        r(
            "POST",
            "/webhook_endpoints/{id}",
            true,
            wh::endpoint_update(),
            post(webhooks::endpoint_update),
        ),
        r(
            "DELETE",
            "/webhook_endpoints/{id}",
            true,
            wh::endpoint_delete(),
            delete(webhooks::endpoint_delete),
        ),
        r(
            "GET",
            "/webhook_subscriptions",
            true,
            wh::subscription_list(),
            get(webhooks::subscription_list),
        ),
        r(
            "POST",
            "/webhook_subscriptions",
            true,
            wh::subscription_create(),
            post(webhooks::subscription_create),
        ),
        r(
            "GET",
            "/webhook_subscriptions/{id}",
            true,
            wh::subscription_get(),
            get(webhooks::subscription_get),
        ),
        r(
            "POST",
            "/webhook_subscriptions/{id}",
            true,
            wh::subscription_update(),
            post(webhooks::subscription_update),
        ),
        r(
            "DELETE",
            "/webhook_subscriptions/{id}",
            true,
            wh::subscription_delete(),
            delete(webhooks::subscription_delete),
        ),
        r(
            "GET",
            "/webhook_payloads/{token}",
            false,
            wh::payload(),
            get(webhooks::payload),
        ),
        r(
            "GET",
            "/download/{token}",
            false,
            op::download(),
            get(files::download),
        ),
        r("GET", "/healthz", false, op::healthz(), get(healthz)),
        r("GET", "/metrics", false, op::metrics(), get(metrics)),
        r("GET", "/openapi.json", false, op::openapi(), get(openapi)),
    ]
}

/// The whole application.
pub fn router(state: Shared) -> Router {
    let mut api = Router::new();
    let mut system = Router::new();
    // One method router per path (the table lists methods one by one), so a known path
    // asked with another method answers the JSON error body (axum's own 405 has none).
    let mut paths: Vec<(&'static str, bool, MethodRouter<Shared>)> = Vec::new();
    for (def, handler) in table() {
        match paths.iter().position(|(path, _, _)| *path == def.path) {
            Some(i) => {
                let (path, api, merged) = paths.swap_remove(i);
                paths.push((path, api, merged.merge(handler)));
            }
            None => paths.push((def.path, def.api, handler)),
        }
    }
    for (path, is_api, handler) in paths {
        let handler = handler.fallback(method_not_allowed);
        if is_api {
            api = api.route(path, handler);
        } else {
            system = system.route(path, handler);
        }
    }
    let api = api.layer(middleware::from_fn(check_version));
    api.merge(system)
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            request_context,
        ))
        .with_state(state)
}

/// Gives every request an id (header, error bodies, logs), counts and logs it.
async fn request_context(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let id = new_id(prefix::REQUEST);
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let secs = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.request(&method, &route, status, secs);
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status,
        ms = (secs * 1000.0) as u64,
        "request"
    );
    response
}

/// `x-extend-api-version`: absent means 2026-02-09; any other value is a 400.
async fn check_version(req: Request, next: Next) -> Response {
    if let Some(v) = req.headers().get(VERSION_HEADER) {
        let given = v.to_str().unwrap_or("").trim();
        if given != API_VERSION {
            return ApiError::invalid(format!(
                "unsupported {VERSION_HEADER} {given:?}; this server implements {API_VERSION}"
            ))
            .into_response();
        }
    }
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from_static(API_VERSION));
    response
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        crate::errors::Code::MethodNotAllowed,
        format!("{} is not a method of {}", req.method(), req.uri().path()),
    )
}

async fn fallback(req: Request) -> ApiError {
    ApiError::not_found(format!("route {} {}", req.method(), req.uri().path()))
}

async fn healthz(State(state): State<Shared>) -> Response {
    match state.store.queued_count().await {
        Ok(queued) => axum::Json(json!({
            "status": "ok",
            "queueDepth": queued,
            "workers": state.workers,
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        Err(e) => ApiError::internal(format!("health check: {e}")).into_response(),
    }
}

async fn metrics(State(state): State<Shared>) -> Response {
    let runs = match state.store.run_counts().await {
        Ok(r) => r,
        Err(e) => return ApiError::internal(format!("metrics: {e}")).into_response(),
    };
    let text = state
        .metrics
        .render(&runs, state.queue.depth(), state.workers);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn openapi() -> axum::Json<Value> {
    let defs: Vec<RouteDef> = table().into_iter().map(|(d, _)| d).collect();
    axum::Json(crate::openapi::document(&defs))
}
