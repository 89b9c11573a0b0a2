//! OpenAPI operations and schemas of the webhook routes, and the document's `webhooks`
//! section (the events we send, with their signature headers).

use serde_json::{Map, Value, json};

use super::model::{EMITTED_EVENTS, ENDPOINT_EVENTS, SUBSCRIPTION_EVENTS};

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn operation(
    id: &str,
    summary: &str,
    params: Vec<Value>,
    body: Option<Value>,
    success: Value,
    errors: &[u16],
) -> Value {
    let mut responses: Map<String, Value> = errors
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!({ "$ref": format!("#/components/responses/Error{c}") }),
            )
        })
        .collect();
    responses.insert(
        "200".into(),
        json!({ "description": "OK", "content": { "application/json": { "schema": success } } }),
    );
    let mut o = json!({
        "operationId": id,
        "tags": ["Webhooks"],
        "summary": summary,
        "parameters": params,
        "responses": responses,
    });
    if let Some(b) = body {
        o["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": b } } });
    }
    o
}

fn ws() -> Value {
    json!({ "$ref": "#/components/parameters/WorkspaceId" })
}

fn id(description: &str) -> Vec<Value> {
    vec![
        json!({ "name": "id", "in": "path", "required": true, "description": description, "schema": { "type": "string" } }),
        ws(),
    ]
}

fn paging() -> Vec<Value> {
    vec![
        json!({ "name": "sortDir", "in": "query", "schema": { "type": "string", "enum": ["asc", "desc"], "default": "desc" } }),
        json!({ "name": "nextPageToken", "in": "query", "schema": { "type": "string" } }),
        json!({ "name": "maxPageSize", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 20 }, "description": "At most 100 items are returned per page." }),
        ws(),
    ]
}

const WRITE_ERRORS: &[u16] = &[400, 401, 404, 413, 429, 500];
const READ_ERRORS: &[u16] = &[400, 401, 404, 429, 500];

/// One operation per route.
pub mod op {
    use super::*;

    /// `GET /webhook_endpoints`.
    pub fn endpoint_list() -> Value {
        let mut params = vec![
            json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["enabled", "disabled"] } }),
        ];
        params.extend(paging());
        operation(
            "listWebhookEndpoints",
            "List webhook endpoints, newest first by default.",
            params,
            None,
            r("WebhookEndpointList"),
            READ_ERRORS,
        )
    }
    /// `POST /webhook_endpoints`.
    pub fn endpoint_create() -> Value {
        operation(
            "createWebhookEndpoint",
            "Create a webhook endpoint; the response carries its signingSecret (wss_…), shown only once.",
            vec![ws()],
            Some(r("WebhookEndpointCreateRequest")),
            r("WebhookEndpointCreate"),
            WRITE_ERRORS,
        )
    }
    /// `GET /webhook_endpoints/{id}`.
    pub fn endpoint_get() -> Value {
        operation(
            "getWebhookEndpoint",
            "Get a webhook endpoint.",
            id("Webhook endpoint id (wh_…)"),
            None,
            r("WebhookEndpoint"),
            READ_ERRORS,
        )
    }
    /// `POST /webhook_endpoints/{id}`.
    pub fn endpoint_update() -> Value {
        operation(
            "updateWebhookEndpoint",
            "Update a webhook endpoint (only the fields given; apiVersion cannot change).",
            id("Webhook endpoint id (wh_…)"),
            Some(r("WebhookEndpointUpdateRequest")),
            r("WebhookEndpoint"),
            WRITE_ERRORS,
        )
    }
    /// `DELETE /webhook_endpoints/{id}`.
    pub fn endpoint_delete() -> Value {
        operation(
            "deleteWebhookEndpoint",
            "Delete a webhook endpoint, its subscriptions and its pending deliveries.",
            id("Webhook endpoint id (wh_…)"),
            None,
            r("DeleteResponse"),
            READ_ERRORS,
        )
    }
    /// `GET /webhook_subscriptions`.
    pub fn subscription_list() -> Value {
        let mut params = vec![
            json!({ "name": "webhookEndpointId", "in": "query", "schema": { "type": "string" } }),
            json!({ "name": "resourceId", "in": "query", "schema": { "type": "string" } }),
        ];
        params.extend(paging());
        operation(
            "listWebhookSubscriptions",
            "List resource-scoped webhook subscriptions.",
            params,
            None,
            r("WebhookSubscriptionList"),
            READ_ERRORS,
        )
    }
    /// `POST /webhook_subscriptions`.
    pub fn subscription_create() -> Value {
        operation(
            "createWebhookSubscription",
            "Subscribe an endpoint to a resource's events (creating it again for the same endpoint and resource updates it).",
            vec![ws()],
            Some(r("WebhookSubscriptionCreateRequest")),
            r("WebhookSubscription"),
            WRITE_ERRORS,
        )
    }
    /// `GET /webhook_subscriptions/{id}`.
    pub fn subscription_get() -> Value {
        operation(
            "getWebhookSubscription",
            "Get a webhook subscription.",
            id("Webhook subscription id (whes_…)"),
            None,
            r("WebhookSubscription"),
            READ_ERRORS,
        )
    }
    /// `POST /webhook_subscriptions/{id}`.
    pub fn subscription_update() -> Value {
        operation(
            "updateWebhookSubscription",
            "Set a webhook subscription's enabledEvents.",
            id("Webhook subscription id (whes_…)"),
            Some(r("WebhookSubscriptionUpdateRequest")),
            r("WebhookSubscription"),
            WRITE_ERRORS,
        )
    }
    /// `DELETE /webhook_subscriptions/{id}`.
    pub fn subscription_delete() -> Value {
        operation(
            "deleteWebhookSubscription",
            "Delete a webhook subscription.",
            id("Webhook subscription id (whes_…)"),
            None,
            r("DeleteResponse"),
            READ_ERRORS,
        )
    }
    /// `GET /webhook_payloads/{token}`.
    pub fn payload() -> Value {
        let mut o = operation(
            "getWebhookPayload",
            "The full payload of a webhook delivered as a signed_data_url (HMAC-signed link, 1 hour; no API key).",
            vec![
                json!({ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }),
            ],
            None,
            json!({ "type": "object", "description": "The event's payload (an EditRun or FormDetectionRun)." }),
            &[404, 500],
        );
        o["security"] = json!([]);
        o
    }
}

fn schemas() -> Value {
    let time = json!({ "type": "string", "format": "date-time" });
    let endpoint_events =
        json!({ "type": "array", "items": { "type": "string", "enum": ENDPOINT_EVENTS } });
    let sub_events: Vec<&str> = {
        let mut all: Vec<&str> = SUBSCRIPTION_EVENTS
            .iter()
            .flat_map(|(_, e)| e.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    };
    let sub_events = json!({ "type": "array", "items": { "type": "string", "enum": sub_events } });
    let resource_type =
        json!({ "type": "string", "enum": ["extractor", "classifier", "splitter", "workflow"] });
    let endpoint_props = json!({
        "object": { "const": "webhook_endpoint" }, "id": { "type": "string" },
        "url": { "type": "string", "format": "uri" }, "name": { "type": "string" },
        "status": { "type": "string", "enum": ["enabled", "disabled"] },
        "enabledEvents": endpoint_events, "apiVersion": { "type": "string" },
        "advancedOptions": { "oneOf": [r("WebhookAdvancedOptions"), { "type": "null" }] },
        "createdAt": time });
    let mut create_props = endpoint_props.clone();
    create_props["signingSecret"] =
        json!({ "type": "string", "description": "wss_…; returned only by create." });
    let required = [
        "object",
        "id",
        "url",
        "name",
        "status",
        "enabledEvents",
        "apiVersion",
        "createdAt",
    ];
    let create_required = [required.as_slice(), &["signingSecret"]].concat();
    json!({
        "WebhookAdvancedOptions": { "type": "object", "additionalProperties": false, "properties": {
            "headers": { "type": "object", "additionalProperties": { "type": "string" },
                "description": "Headers added to every delivery (not x-extend-*, content-type or hop-by-hop headers); at most 20." },
            "payload": { "type": "object", "additionalProperties": false, "required": ["format"], "properties": {
                "format": { "type": "string", "enum": ["json", "url"] },
                "urlThresholdBytes": { "type": "integer", "minimum": 0, "description": "With format url: envelopes larger than this (default 262144) carry a signed_data_url payload." } } } } },
        "WebhookEndpoint": { "type": "object", "required": required, "properties": endpoint_props },
        "WebhookEndpointCreate": { "type": "object", "required": create_required, "properties": create_props },
        "WebhookEndpointList": { "type": "object", "required": ["object", "data"], "properties": {
            "object": { "const": "list" }, "data": { "type": "array", "items": r("WebhookEndpoint") },
            "nextPageToken": { "type": "string" } } },
        "WebhookEndpointCreateRequest": { "type": "object", "additionalProperties": false,
            "required": ["url", "name", "enabledEvents", "apiVersion"], "properties": {
            "url": { "type": "string", "format": "uri", "description": "http or https; private, loopback and link-local addresses are refused unless the server allows private URLs." },
            "name": { "type": "string", "maxLength": 255 }, "enabledEvents": endpoint_events,
            "apiVersion": { "type": "string", "enum": super::model::API_VERSIONS },
            "status": { "type": "string", "enum": ["enabled", "disabled"], "default": "enabled" },
            "advancedOptions": r("WebhookAdvancedOptions") } },
        "WebhookEndpointUpdateRequest": { "type": "object", "additionalProperties": false, "properties": {
            "url": { "type": "string", "format": "uri" }, "name": { "type": "string", "maxLength": 255 },
            "status": { "type": "string", "enum": ["enabled", "disabled"] }, "enabledEvents": endpoint_events,
            "advancedOptions": { "oneOf": [r("WebhookAdvancedOptions"), { "type": "null" }] } } },
        "WebhookSubscription": { "type": "object",
            "required": ["object", "id", "webhookEndpointId", "resourceType", "resourceId", "enabledEvents", "createdAt"],
            "properties": {
            "object": { "const": "webhook_subscription" }, "id": { "type": "string" },
            "webhookEndpointId": { "type": "string" }, "resourceType": resource_type,
            "resourceId": { "type": "string" }, "enabledEvents": sub_events, "createdAt": time } },
        "WebhookSubscriptionList": { "type": "object", "required": ["object", "data"], "properties": {
            "object": { "const": "list" }, "data": { "type": "array", "items": r("WebhookSubscription") },
            "nextPageToken": { "type": "string" } } },
        "WebhookSubscriptionCreateRequest": { "type": "object", "additionalProperties": false,
            "required": ["webhookEndpointId", "resourceType", "resourceId", "enabledEvents"], "properties": {
            "webhookEndpointId": { "type": "string" }, "resourceType": resource_type,
            "resourceId": { "type": "string", "maxLength": 255 }, "enabledEvents": sub_events } },
        "WebhookSubscriptionUpdateRequest": { "type": "object", "additionalProperties": false, "properties": {
            "enabledEvents": sub_events } },
        "SignedDataUrl": { "type": "object", "required": ["object", "id", "data"], "properties": {
            "object": { "const": "signed_data_url" }, "id": { "type": "string", "description": "The run id." },
            "data": { "type": "string", "format": "uri", "description": "GET returns the full payload; expires after 1 hour." } } },
    })
}

/// Adds the webhook schemas and the `webhooks` section (one entry per emitted event).
pub fn extend(doc: &mut Value) {
    if let (Some(target), Value::Object(ours)) = (
        doc.pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut),
        schemas(),
    ) {
        target.extend(ours);
    }
    let mut hooks = Map::new();
    for event in EMITTED_EVENTS {
        let payload = if event.starts_with("edit_run.") {
            r("EditRun")
        } else {
            r("FormDetectionRun")
        };
        hooks.insert(
            (*event).to_string(),
            json!({ "post": {
                "operationId": format!("webhook_{}", event.replace('.', "_")),
                "summary": format!("{event}: sent to endpoints enabling it when a run ends. Retried with backoff until a 2xx (8 attempts over about 18 hours by default); the same eventId on every attempt."),
                "parameters": [
                    { "name": "x-extend-request-timestamp", "in": "header", "required": true, "schema": { "type": "string" },
                      "description": "Unix seconds of this attempt." },
                    { "name": "x-extend-request-signature", "in": "header", "required": true, "schema": { "type": "string" },
                      "description": "Lowercase hex HMAC-SHA256, keyed with the endpoint's signing secret (wss_…), of `v0:<timestamp>:<raw body>`." } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["eventId", "eventType", "payload"], "properties": {
                        "eventId": { "type": "string", "description": "evt_…; the same on every attempt (deduplicate with it)." },
                        "eventType": { "const": event },
                        "payload": { "oneOf": [payload, r("SignedDataUrl")] } } } } } },
                "responses": { "200": { "description": "Any 2xx acknowledges the event; anything else (or no answer within 30 s) is retried." } } } }),
        );
    }
    doc["webhooks"] = Value::Object(hooks);
}
