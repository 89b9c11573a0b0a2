//! The webhook management API (spec §9.5) on loopback: strict bodies, paging, updates,
//! resource-scoped subscriptions (creating one again updates it), and workspace scoping.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestServer, start};
use formsmith_server::DEFAULT_ORGANIZATION;
use serde_json::{Value, json};

async fn create_endpoint(t: &TestServer, body: Value) -> Value {
    let (s, e) = t.json(t.post("/webhook_endpoints", &body)).await;
    assert_eq!(s, 200, "{e}");
    e
}

// ---- management ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn management_is_strict_paged_and_workspace_scoped() {
    let t = start(|_| {}).await;
    let ok = json!({"url": "https://hooks.example.com/a", "name": "a", "apiVersion": "2026-02-09",
                    "enabledEvents": ["edit_run.processed"]});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    for (body, needle) in [
        (with("apiVersion", Value::Null), "apiVersion"),
        (with("url", Value::Null), "url"),
        (with("name", Value::Null), "name"),
        (with("enabledEvents", Value::Null), "enabledEvents"),
        (with("bogus", json!(1)), "bogus"),
        (with("url", json!("ftp://hooks.example.com/a")), "http"),
        (with("url", json!("not a url")), "url"),
        (
            with("enabledEvents", json!(["edit_run.done"])),
            "edit_run.done",
        ),
        (with("apiVersion", json!("1999-01-01")), "apiVersion"),
        (with("status", json!("paused")), "status"),
        (with("name", json!("  ")), "name"),
        (
            with(
                "advancedOptions",
                json!({"headers": {"X-Extend-Request-Signature": "x"}}),
            ),
            "X-Extend-Request-Signature",
        ),
        (
            with("advancedOptions", json!({"payload": {"format": "xml"}})),
            "format",
        ),
    ] {
        let (s, e) = t.json(t.post("/webhook_endpoints", &body)).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("INVALID_REQUEST")),
            "{body}: {e}"
        );
        assert!(
            e["message"].as_str().unwrap().contains(needle),
            "{needle}: {e}"
        );
        assert!(e["requestId"].as_str().unwrap().starts_with("req_"));
    }

    // Create three; get; list with paging and the status filter.
    let a = create_endpoint(&t, ok.clone()).await;
    let b = create_endpoint(&t, with("name", json!("b"))).await;
    let c = create_endpoint(
        &t,
        json!({"url": "http://hooks.example.com/c", "name": "c", "apiVersion": "2026-02-09",
               "enabledEvents": [], "status": "disabled"}),
    )
    .await;
    assert_eq!(c["status"], "disabled");
    assert_eq!(c["enabledEvents"], json!([]));
    assert_ne!(a["signingSecret"], b["signingSecret"]);
    let a_id = a["id"].as_str().unwrap();
    let (s, got) = t.json(t.get(&format!("/webhook_endpoints/{a_id}"))).await;
    assert_eq!(s, 200);
    assert!(
        got.get("signingSecret").is_none(),
        "the secret is shown once: {got}"
    );
    let mut expected = a.clone();
    expected.as_object_mut().unwrap().remove("signingSecret");
    assert_eq!(got, expected);
    assert!(got["advancedOptions"].is_null() && got["createdAt"].is_string());

    let (_, page1) = t
        .json(t.get("/webhook_endpoints?maxPageSize=2&sortDir=asc"))
        .await;
    assert_eq!(page1["object"], "list");
    let ids: Vec<&Value> = page1["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, vec![&a["id"], &b["id"]]);
    let token = page1["nextPageToken"].as_str().unwrap();
    let (_, page2) = t
        .json(t.get(&format!(
            "/webhook_endpoints?maxPageSize=2&sortDir=asc&nextPageToken={token}"
        )))
        .await;
    assert_eq!(page2["data"][0]["id"], c["id"]);
    assert!(page2.get("nextPageToken").is_none());
    let (_, disabled) = t.json(t.get("/webhook_endpoints?status=disabled")).await;
    assert_eq!(disabled["data"].as_array().unwrap().len(), 1);
    assert_eq!(disabled["data"][0]["id"], c["id"]);
    let (s, _) = t.json(t.get("/webhook_endpoints?status=paused")).await;
    assert_eq!(s, 400);

    // Update: only the fields given; options set and cleared; apiVersion fixed.
    let path = format!("/webhook_endpoints/{a_id}");
    let (s, u) = t
        .json(t.post(
            &path,
            &json!({"name": "renamed", "status": "disabled",
                    "enabledEvents": ["edit_run.failed", "form_detection_run.failed"],
                    "advancedOptions": {"headers": {"X-Team": "forms"}}}),
        ))
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["name"], "renamed");
    assert_eq!(u["status"], "disabled");
    assert_eq!(u["url"], a["url"]);
    assert_eq!(
        u["enabledEvents"],
        json!(["edit_run.failed", "form_detection_run.failed"])
    );
    assert_eq!(
        u["advancedOptions"],
        json!({"headers": {"X-Team": "forms"}})
    );
    let (_, u) = t
        .json(t.post(&path, &json!({"advancedOptions": null})))
        .await;
    assert!(u["advancedOptions"].is_null(), "{u}");
    assert_eq!(u["name"], "renamed");
    for (body, needle) in [
        (json!({"apiVersion": "2026-02-09"}), "apiVersion"),
        (json!({"signingSecret": "wss_mine"}), "signingSecret"),
        (json!({"url": "gopher://x"}), "http"),
    ] {
        let (s, e) = t.json(t.post(&path, &body)).await;
        assert_eq!(s, 400, "{body}: {e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }

    // Subscriptions: create, create again (update), strict events per resource type.
    let sub_body = json!({"webhookEndpointId": a_id, "resourceType": "workflow",
                          "resourceId": "workflow_1", "enabledEvents": ["workflow_run.completed"]});
    let (s, sub) = t.json(t.post("/webhook_subscriptions", &sub_body)).await;
    assert_eq!(s, 200, "{sub}");
    assert!(sub["id"].as_str().unwrap().starts_with("whes_"));
    assert_eq!(sub["object"], "webhook_subscription");
    assert_eq!(sub["webhookEndpointId"], a_id);
    let mut again = sub_body.clone();
    again["enabledEvents"] = json!(["workflow_run.failed", "workflow_run.completed"]);
    let (_, sub2) = t.json(t.post("/webhook_subscriptions", &again)).await;
    assert_eq!(sub2["id"], sub["id"], "same endpoint and resource: updated");
    assert_eq!(
        sub2["enabledEvents"],
        json!(["workflow_run.failed", "workflow_run.completed"])
    );
    let (s, other_sub) = t
        .json(t.post(
            "/webhook_subscriptions",
            &json!({"webhookEndpointId": b["id"], "resourceType": "extractor",
                    "resourceId": "ex_1", "enabledEvents": ["extract_run.processed"]}),
        ))
        .await;
    assert_eq!(s, 200, "{other_sub}");
    for (body, needle) in [
        (
            json!({"webhookEndpointId": a_id, "resourceType": "workflow", "resourceId": "w",
                   "enabledEvents": ["edit_run.processed"]}),
            "edit_run.processed",
        ),
        (
            json!({"webhookEndpointId": a_id, "resourceType": "edit_run", "resourceId": "w",
                   "enabledEvents": []}),
            "resourceType",
        ),
        (
            json!({"webhookEndpointId": a_id, "resourceType": "workflow", "enabledEvents": []}),
            "resourceId",
        ),
        (
            json!({"webhookEndpointId": a_id, "resourceType": "workflow", "resourceId": "w",
                   "enabledEvents": [], "extra": true}),
            "extra",
        ),
    ] {
        let (s, e) = t.json(t.post("/webhook_subscriptions", &body)).await;
        assert_eq!(s, 400, "{body}: {e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }
    let (s, _) = t
        .json(t.post(
            "/webhook_subscriptions",
            &json!({"webhookEndpointId": "wh_nope", "resourceType": "workflow",
                    "resourceId": "w", "enabledEvents": []}),
        ))
        .await;
    assert_eq!(s, 404);
    let (_, all) = t.json(t.get("/webhook_subscriptions")).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let (_, by_endpoint) = t
        .json(t.get(&format!("/webhook_subscriptions?webhookEndpointId={a_id}")))
        .await;
    assert_eq!(by_endpoint["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_endpoint["data"][0]["id"], sub["id"]);
    let (_, by_resource) = t
        .json(t.get("/webhook_subscriptions?resourceId=ex_1"))
        .await;
    assert_eq!(by_resource["data"][0]["id"], other_sub["id"]);
    let sub_path = format!("/webhook_subscriptions/{}", sub["id"].as_str().unwrap());
    let (s, upd) = t
        .json(t.post(
            &sub_path,
            &json!({"enabledEvents": ["workflow_run.rejected"]}),
        ))
        .await;
    assert_eq!(s, 200, "{upd}");
    assert_eq!(upd["enabledEvents"], json!(["workflow_run.rejected"]));
    let (s, _) = t
        .json(t.post(&sub_path, &json!({"enabledEvents": ["extract_run.failed"]})))
        .await;
    assert_eq!(s, 400, "events of another resource type");
    let (_, got) = t.json(t.get(&sub_path)).await;
    assert_eq!(got, upd);

    // Another workspace sees none of it.
    let other = t
        .server
        .store()
        .create_key(Some("ws_other"), DEFAULT_ORGANIZATION)
        .await
        .unwrap();
    let req = |method: reqwest::Method, path: &str| {
        t.http
            .request(method, format!("{}{path}", t.url))
            .bearer_auth(&other)
    };
    use reqwest::Method;
    let (s, _) = t.json(req(Method::GET, &path)).await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(req(Method::POST, &path).json(&json!({"name": "mine"})))
        .await;
    assert_eq!(s, 404);
    let (s, _) = t.json(req(Method::DELETE, &path)).await;
    assert_eq!(s, 404);
    let (s, _) = t.json(req(Method::GET, &sub_path)).await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(req(Method::POST, &sub_path).json(&json!({"enabledEvents": []})))
        .await;
    assert_eq!(s, 404);
    let (_, list) = t.json(req(Method::GET, "/webhook_endpoints")).await;
    assert_eq!(list["data"], json!([]));
    let (_, list) = t.json(req(Method::GET, "/webhook_subscriptions")).await;
    assert_eq!(list["data"], json!([]));
    let (s, _) = t
        .json(req(Method::POST, "/webhook_subscriptions").json(&sub_body))
        .await;
    assert_eq!(s, 404, "another workspace's endpoint");
    let (_, still) = t.json(t.get(&path)).await;
    assert_eq!(still["name"], "renamed");

    // Delete: a subscription; then an endpoint, with its subscriptions.
    let other_sub_path = format!(
        "/webhook_subscriptions/{}",
        other_sub["id"].as_str().unwrap()
    );
    let (s, d) = t.json(t.delete(&other_sub_path)).await;
    assert_eq!((s, &d["id"]), (200, &other_sub["id"]));
    let (s, _) = t.json(t.get(&other_sub_path)).await;
    assert_eq!(s, 404);
    let (s, d) = t.json(t.delete(&path)).await;
    assert_eq!((s, d["id"].as_str()), (200, Some(a_id)));
    let (s, _) = t.json(t.get(&path)).await;
    assert_eq!(s, 404);
    let (s, _) = t.json(t.get(&sub_path)).await;
    assert_eq!(s, 404, "subscriptions go with their endpoint");
    let (s, _) = t.json(t.delete(&path)).await;
    assert_eq!(s, 404);
    let (_, list) = t.json(t.get("/webhook_endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    // The OpenAPI document lists the routes.
    let (_, doc) = t.json(t.http.get(format!("{}/openapi.json", t.url))).await;
    for (path, method) in [
        ("/webhook_endpoints", "get"),
        ("/webhook_endpoints", "post"),
        ("/webhook_endpoints/{id}", "get"),
        ("/webhook_endpoints/{id}", "post"),
        ("/webhook_endpoints/{id}", "delete"),
        ("/webhook_subscriptions", "get"),
        ("/webhook_subscriptions", "post"),
        ("/webhook_subscriptions/{id}", "get"),
        ("/webhook_subscriptions/{id}", "post"),
        ("/webhook_subscriptions/{id}", "delete"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    assert!(doc["components"]["schemas"]["WebhookEndpointCreate"].is_object());
    t.server.shutdown().await;
}
