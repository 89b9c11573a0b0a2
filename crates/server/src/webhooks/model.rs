//! The management API's request bodies (strict: unknown keys are a 400, spec §9.5), their
//! validation, and the response objects `webhook_endpoint` and `webhook_subscription`.

use std::collections::BTreeMap;

use axum::http::{HeaderName, HeaderValue};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::store::{EndpointRow, SubscriptionRow};
use crate::clock::rfc3339;
use crate::errors::ApiError;

/// API versions an endpoint may name (the payload shapes this server produces).
pub const API_VERSIONS: &[&str] = &["2026-02-09"];

/// Global event types an endpoint may enable (the SDK's `WebhookEndpointEventType`).
/// Formsmith emits the edit, form detection and parse ones; the others are accepted so a
/// configuration written for Extend loads unchanged, and simply never fire.
pub const ENDPOINT_EVENTS: &[&str] = &[
    "edit_run.processed",
    "edit_run.failed",
    "form_detection_run.processed",
    "form_detection_run.failed",
    "parse_run.processed",
    "parse_run.failed",
    "extract_run.processed",
    "extract_run.failed",
    "classify_run.processed",
    "classify_run.failed",
    "split_run.processed",
    "split_run.failed",
    "batch_processor_run.processed",
    "batch_processor_run.failed",
    "batch_parse_run.processed",
    "batch_parse_run.failed",
    "extractor.created",
    "extractor.updated",
    "extractor.deleted",
    "extractor.draft.updated",
    "extractor.version.published",
    "classifier.created",
    "classifier.updated",
    "classifier.deleted",
    "classifier.draft.updated",
    "classifier.version.published",
    "splitter.created",
    "splitter.updated",
    "splitter.deleted",
    "splitter.draft.updated",
    "splitter.version.published",
    "workflow.created",
    "workflow.deployed",
    "workflow.deleted",
];

/// The events Formsmith emits (one per terminal run, from the outbox).
pub const EMITTED_EVENTS: &[&str] = &[
    "edit_run.processed",
    "edit_run.failed",
    "form_detection_run.processed",
    "form_detection_run.failed",
    "parse_run.processed",
    "parse_run.failed",
    "batch_parse_run.processed",
];

/// Resource types of subscriptions and the events each allows (the SDK's
/// `WebhookSubscriptionEventType` documentation).
pub const SUBSCRIPTION_EVENTS: &[(&str, &[&str])] = &[
    (
        "extractor",
        &[
            "extract_run.processed",
            "extract_run.failed",
            "batch_processor_run.processed",
            "batch_processor_run.failed",
        ],
    ),
    (
        "classifier",
        &[
            "classify_run.processed",
            "classify_run.failed",
            "batch_processor_run.processed",
            "batch_processor_run.failed",
        ],
    ),
    (
        "splitter",
        &[
            "split_run.processed",
            "split_run.failed",
            "batch_processor_run.processed",
            "batch_processor_run.failed",
        ],
    ),
    (
        "workflow",
        &[
            "workflow_run.completed",
            "workflow_run.failed",
            "workflow_run.needs_review",
            "workflow_run.rejected",
            "workflow_run.cancelled",
            "workflow_run.step_run.processed",
        ],
    ),
];

/// Payloads larger than this go by signed URL when an endpoint asks for `format: "url"`
/// without a `urlThresholdBytes` (spec §9.4: Extend's constant is unknown; ours).
pub const DEFAULT_URL_THRESHOLD_BYTES: u64 = 256 * 1024;

const MAX_URL_LEN: usize = 2048;
const MAX_NAME_LEN: usize = 255;
const MAX_HEADERS: usize = 20;
const MAX_HEADER_BYTES: usize = 8 * 1024;
const MAX_RESOURCE_ID_LEN: usize = 255;

/// Header names a caller may not set on deliveries: ours, and the ones HTTP owns.
fn reserved_header(name: &str) -> bool {
    name.starts_with("x-extend-")
        || name.starts_with("proxy-")
        || matches!(
            name,
            "content-type"
                | "content-length"
                | "content-encoding"
                | "host"
                | "transfer-encoding"
                | "connection"
                | "keep-alive"
                | "te"
                | "trailer"
                | "upgrade"
                | "expect"
        )
}

/// `advancedOptions.payload`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayloadOptions {
    /// `json` (inline) or `url` (large payloads by signed URL).
    pub format: String,
    /// Size above which `url` applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_threshold_bytes: Option<u64>,
}

/// `advancedOptions` of an endpoint.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvancedOptions {
    /// Headers added to every delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Payload delivery format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<PayloadOptions>,
}

impl AdvancedOptions {
    /// Checks headers and payload options; returns the stored JSON.
    pub fn validate(self) -> Result<Value, ApiError> {
        if let Some(headers) = &self.headers {
            if headers.len() > MAX_HEADERS {
                return Err(ApiError::invalid(format!(
                    "advancedOptions.headers: at most {MAX_HEADERS} headers"
                )));
            }
            let mut total = 0;
            for (name, value) in headers {
                total += name.len() + value.len();
                let lower = name.to_ascii_lowercase();
                if HeaderName::from_bytes(lower.as_bytes()).is_err() {
                    return Err(ApiError::invalid(format!(
                        "advancedOptions.headers: {name:?} is not a valid header name"
                    )));
                }
                if reserved_header(&lower) {
                    return Err(ApiError::invalid(format!(
                        "advancedOptions.headers: {name:?} is set by the server and cannot be overridden"
                    )));
                }
                if HeaderValue::from_str(value).is_err() {
                    return Err(ApiError::invalid(format!(
                        "advancedOptions.headers.{name}: not a valid header value"
                    )));
                }
            }
            if total > MAX_HEADER_BYTES {
                return Err(ApiError::invalid(format!(
                    "advancedOptions.headers: at most {MAX_HEADER_BYTES} bytes of names and values"
                )));
            }
        }
        if let Some(p) = &self.payload
            && !matches!(p.format.as_str(), "json" | "url")
        {
            return Err(ApiError::invalid(format!(
                "advancedOptions.payload.format must be \"json\" or \"url\", not {:?}",
                p.format
            )));
        }
        serde_json::to_value(&self).map_err(ApiError::internal)
    }
}

/// `Some(None)` for an explicit `null`, `None` when the key is absent.
fn explicit<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Body of `POST /webhook_endpoints`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointCreate {
    /// Target URL (required).
    pub url: Option<String>,
    /// Name (required).
    pub name: Option<String>,
    /// Global event types (required; `[]` allowed).
    pub enabled_events: Option<Vec<String>>,
    /// Payload version (required, no default).
    pub api_version: Option<String>,
    /// `enabled` (default) or `disabled`.
    pub status: Option<String>,
    /// Headers and payload format.
    pub advanced_options: Option<AdvancedOptions>,
}

/// Body of `POST /webhook_endpoints/{id}` (any subset).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointUpdate {
    /// New URL.
    pub url: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New status.
    pub status: Option<String>,
    /// New event types.
    pub enabled_events: Option<Vec<String>>,
    /// New options (`null` clears them).
    #[serde(default, deserialize_with = "explicit")]
    pub advanced_options: Option<Option<AdvancedOptions>>,
    /// Refused: fixed at creation.
    #[serde(default, deserialize_with = "explicit")]
    pub api_version: Option<Option<Value>>,
}

/// Body of `POST /webhook_subscriptions`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionCreate {
    /// The endpoint (`wh_…`).
    pub webhook_endpoint_id: Option<String>,
    /// `extractor`, `classifier`, `splitter` or `workflow`.
    pub resource_type: Option<String>,
    /// The resource's id.
    pub resource_id: Option<String>,
    /// Events valid for the resource type.
    pub enabled_events: Option<Vec<String>>,
}

/// Body of `POST /webhook_subscriptions/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionUpdate {
    /// New events.
    pub enabled_events: Option<Vec<String>>,
}

/// Query of `GET /webhook_endpoints`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointListQuery {
    /// `enabled` | `disabled`.
    pub status: Option<String>,
    /// `asc` | `desc`.
    pub sort_dir: Option<String>,
    /// Cursor.
    pub next_page_token: Option<String>,
    /// Page size.
    pub max_page_size: Option<String>,
}

/// Query of `GET /webhook_subscriptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionListQuery {
    /// Only this endpoint's.
    pub webhook_endpoint_id: Option<String>,
    /// Only this resource's.
    pub resource_id: Option<String>,
    /// `asc` | `desc`.
    pub sort_dir: Option<String>,
    /// Cursor.
    pub next_page_token: Option<String>,
    /// Page size.
    pub max_page_size: Option<String>,
}

/// Why a URL cannot be a webhook target, if it cannot: http(s) with a host, at most 2048
/// characters, and — unless private addresses are allowed — not an IP literal of a
/// private, loopback or link-local network (host names are checked at each delivery,
/// when they are resolved).
pub fn check_url(url: &str, allow_private: bool) -> Result<String, ApiError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(ApiError::invalid("url must not be empty"));
    }
    if url.len() > MAX_URL_LEN {
        return Err(ApiError::invalid(format!(
            "url is longer than {MAX_URL_LEN} characters"
        )));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ApiError::invalid(format!("url is not a valid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ApiError::invalid(format!(
            "url must be an http or https URL, not {}:",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::invalid("url has no host"));
    }
    if !allow_private && let Some(why) = crate::download::literal_refused(&parsed) {
        return Err(ApiError::invalid(format!(
            "url: {why} (webhook targets must be public unless the server allows private URLs)"
        )));
    }
    Ok(url.to_string())
}

/// [`check_url`], then, unless private targets are allowed, the host's addresses as it
/// resolves now (creation and update: `localhost` and names of private addresses are
/// refused there, not only at delivery).
pub async fn check_url_resolved(url: &str, allow_private: bool) -> Result<String, ApiError> {
    let url = check_url(url, allow_private)?;
    if !allow_private {
        let parsed = reqwest::Url::parse(&url)
            .map_err(|e| ApiError::invalid(format!("url is not a valid URL: {e}")))?;
        crate::download::check_host(&parsed).await.map_err(|why| {
            ApiError::invalid(format!(
                "url: {why} (webhook targets must be public unless the server allows private URLs)"
            ))
        })?;
    }
    Ok(url)
}

/// A non-empty name of at most 255 characters.
pub fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(ApiError::invalid(format!(
            "name is longer than {MAX_NAME_LEN} characters"
        )));
    }
    Ok(name.to_string())
}

/// `enabled` or `disabled`.
pub fn check_status(status: &str) -> Result<String, ApiError> {
    match status {
        "enabled" | "disabled" => Ok(status.to_string()),
        other => Err(ApiError::invalid(format!(
            "status must be \"enabled\" or \"disabled\", not {other:?}"
        ))),
    }
}

/// Known event types from `allowed`, duplicates dropped, order kept.
pub fn check_events(
    field: &str,
    events: &[String],
    allowed: &[&str],
) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(events.len());
    for e in events {
        if !allowed.contains(&e.as_str()) {
            return Err(ApiError::invalid(format!(
                "{field}: {e:?} is not an event type allowed here; allowed: {}",
                allowed.join(", ")
            )));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

/// A supported `apiVersion`.
pub fn check_api_version(v: &str) -> Result<String, ApiError> {
    if API_VERSIONS.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(ApiError::invalid(format!(
            "apiVersion {v:?} is not supported; webhook payloads are produced in {}",
            API_VERSIONS.join(", ")
        )))
    }
}

/// The events a resource type allows.
pub fn subscription_events(resource_type: &str) -> Result<&'static [&'static str], ApiError> {
    SUBSCRIPTION_EVENTS
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, e)| *e)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "resourceType must be one of extractor, classifier, splitter, workflow, not {resource_type:?}"
            ))
        })
}

/// A resource id: non-empty, at most 255 characters.
pub fn check_resource_id(id: &str) -> Result<String, ApiError> {
    let id = id.trim();
    if id.is_empty() || id.len() > MAX_RESOURCE_ID_LEN {
        return Err(ApiError::invalid(format!(
            "resourceId must be 1 to {MAX_RESOURCE_ID_LEN} characters"
        )));
    }
    Ok(id.to_string())
}

/// `WebhookEndpoint`.
pub fn endpoint_json(e: &EndpointRow) -> Value {
    json!({
        "object": "webhook_endpoint",
        "id": e.id,
        "url": e.url,
        "name": e.name,
        "status": e.status,
        "enabledEvents": e.enabled_events,
        "apiVersion": e.api_version,
        "advancedOptions": e.advanced_options,
        "createdAt": rfc3339(e.created_ms),
    })
}

/// `WebhookEndpointCreate`: the endpoint and its signing secret (shown this once).
pub fn endpoint_create_json(e: &EndpointRow) -> Value {
    let mut v = endpoint_json(e);
    v["signingSecret"] = json!(e.signing_secret);
    v
}

/// `WebhookSubscription`.
pub fn subscription_json(s: &SubscriptionRow) -> Value {
    json!({
        "object": "webhook_subscription",
        "id": s.id,
        "webhookEndpointId": s.webhook_endpoint_id,
        "resourceType": s.resource_type,
        "resourceId": s.resource_id,
        "enabledEvents": s.enabled_events,
        "createdAt": rfc3339(s.created_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_json;

    #[test]
    fn bodies_are_strict() {
        let e = parse_json::<EndpointCreate>(br#"{"url": "https://x.test", "bogus": 1}"#)
            .expect_err("unknown key");
        assert!(e.message.contains("bogus"), "{}", e.message);
        let u = parse_json::<EndpointUpdate>(br#"{"advancedOptions": null}"#).expect("null");
        assert!(matches!(u.advanced_options, Some(None)));
        let u = parse_json::<EndpointUpdate>(br#"{"name": "n"}"#).expect("absent");
        assert!(u.advanced_options.is_none() && u.api_version.is_none());
        let u = parse_json::<EndpointUpdate>(br#"{"apiVersion": "2026-02-09"}"#).expect("given");
        assert!(u.api_version.is_some());
        let e = parse_json::<EndpointCreate>(
            br#"{"advancedOptions": {"payload": {"format": "url", "extra": 1}}}"#,
        )
        .expect_err("nested unknown key");
        assert!(
            e.message.contains("advancedOptions.payload"),
            "{}",
            e.message
        );
    }

    #[test]
    fn urls_names_events_headers() {
        assert!(check_url("https://hooks.example.com/x", false).is_ok());
        assert!(check_url("ftp://hooks.example.com/x", false).is_err());
        assert!(check_url("not a url", false).is_err());
        let refused = check_url("http://127.0.0.1:9/x", false).expect_err("loopback");
        assert!(refused.message.contains("refused"), "{}", refused.message);
        assert!(check_url("http://[::1]:9/x", false).is_err());
        assert!(check_url("http://10.0.0.8/x", false).is_err());
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_name("  ").is_err());
        assert_eq!(
            check_events(
                "enabledEvents",
                &["edit_run.failed".into(), "edit_run.failed".into()],
                ENDPOINT_EVENTS
            )
            .expect("known"),
            vec!["edit_run.failed".to_string()]
        );
        assert!(check_events("enabledEvents", &["edit_run.done".into()], ENDPOINT_EVENTS).is_err());
        assert!(check_api_version("2025-04-21").is_err());
        let bad = |h: &str| AdvancedOptions {
            headers: Some([(h.to_string(), "v".to_string())].into()),
            payload: None,
        };
        assert!(bad("X-Team").validate().is_ok());
        assert!(bad("X-Extend-Request-Signature").validate().is_err());
        assert!(bad("Content-Type").validate().is_err());
        assert!(bad("bad header").validate().is_err());
        let url = AdvancedOptions {
            headers: None,
            payload: Some(PayloadOptions {
                format: "xml".into(),
                url_threshold_bytes: None,
            }),
        };
        assert!(url.validate().is_err());
        assert!(subscription_events("workflow").is_ok());
        assert!(subscription_events("edit_run").is_err());
    }
}
