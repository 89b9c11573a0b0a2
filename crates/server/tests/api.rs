//! The HTTP API end to end: a real server on loopback, driven over HTTP; filled values
//! judged by poppler's pdftotext.
#![allow(clippy::unwrap_used)]

mod common;

use common::{KEY, corpus, pdftotext, start, temp_dir};
use formsmith_server::{DEFAULT_ORGANIZATION, TemplateRow};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_versions_auth_and_errors() {
    let t = start(|_| {}).await;
    let r = t
        .http
        .get(format!("{}/healthz", t.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["x-extend-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );

    // No key: 401 with the request id in header and body.
    let r = t.http.get(format!("{}/files", t.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let id = r.headers()["x-extend-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "UNAUTHORIZED");
    assert_eq!(body["retryable"], false);
    assert_eq!(body["requestId"], id.as_str());
    // Unknown key.
    let (s, b) = t
        .json(
            t.http
                .get(format!("{}/files", t.url))
                .bearer_auth("sk_nope"),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (401, Some("UNAUTHORIZED")));

    // Versions: absent = 2026-02-09 (echoed), anything else 400.
    let r = t.get("/files").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-extend-api-version"], "2026-02-09");
    let (s, b) = t
        .json(t.get("/files").header("x-extend-api-version", "2026-02-09"))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = t
        .json(t.get("/files").header("x-extend-api-version", "2025-04-21"))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{b}"
    );

    // Unknown route: JSON 404.
    let (s, b) = t.json(t.get("/nope")).await;
    assert_eq!((s, b["code"].as_str()), (404, Some("NOT_FOUND")));
    // A known route with another method: JSON 405, not an empty body.
    let (s, b) = t.json(t.http.patch(format!("{}/edit_runs/nope", t.url)).bearer_auth(KEY)).await;
    assert_eq!((s, b["code"].as_str()), (405, Some("METHOD_NOT_ALLOWED")), "{b}");
    assert!(b["requestId"].as_str().is_some_and(|id| id.starts_with("req_")), "{b}");

    // Malformed bodies: 400 naming the key; unknown keys tolerated.
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, b) = t
        .json(t.post(
            "/edit_runs",
            &json!({"file": {"id": file}, "config": {"advancedOptions": {"flattenPdf": "yes"}}}),
        ))
        .await;
    assert_eq!(s, 400);
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("config.advancedOptions.flattenPdf"),
        "{b}"
    );
    let (s, b) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": file}, "someNewKey": {"x": 1}, "config": {"futureOption": true}})))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = t.json(t.post("/edit_runs", &json!({"config": {}}))).await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = t
        .json(t.post(
            "/edit_runs",
            &json!({"file": {"id": file}, "config": {"engineVersion": "9.9.9"}}),
        ))
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": "file_missing"}})))
        .await;
    assert_eq!((s, b["code"].as_str()), (404, Some("NOT_FOUND")));
    let r = t
        .http
        .post(format!("{}/edit_runs", t.url))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_upload_get_download_list_delete() {
    let t = start(|_| {}).await;
    let original = std::fs::read(corpus("fillable/irs-fw9-2024.pdf")).unwrap();
    let r = t
        .upload_as(KEY, &corpus("fillable/irs-fw9-2024.pdf"), None)
        .await;
    assert_eq!(r.status(), 200);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["object"], "file");
    assert_eq!(f["type"], "PDF");
    assert_eq!(f["metadata"]["pageCount"], 6);
    assert!(f["presignedUrl"].is_null());
    let id = f["id"].as_str().unwrap();
    assert!(id.starts_with("file_"));

    let (s, got) = t.json(t.get(&format!("/files/{id}"))).await;
    assert_eq!(s, 200);
    let url = got["presignedUrl"].as_str().unwrap();
    let bytes = t.http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(
        bytes.as_ref(),
        original.as_slice(),
        "download returns the upload"
    );
    // A tampered link is refused.
    let tampered = format!("{}x", url);
    assert_eq!(t.http.get(&tampered).send().await.unwrap().status(), 404);

    t.upload("fillable/irs-fw4-2025-orphan-widgets.pdf").await;
    let (_, list) = t.json(t.get("/files")).await;
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (_, list) = t.json(t.get("/files?nameContains=fw9")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (_, page1) = t.json(t.get("/files?maxPageSize=1&sortDir=asc")).await;
    assert_eq!(page1["data"][0]["id"], id);
    let token = page1["nextPageToken"].as_str().unwrap();
    let (_, page2) = t
        .json(t.get(&format!(
            "/files?maxPageSize=1&sortDir=asc&nextPageToken={token}"
        )))
        .await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 1);
    assert_ne!(page2["data"][0]["id"], id);
    assert!(page2.get("nextPageToken").is_none());

    let (s, d) = t.json(t.delete(&format!("/files/{id}"))).await;
    assert_eq!((s, d["id"].as_str()), (200, Some(id)));
    let (s, _) = t.json(t.get(&format!("/files/{id}"))).await;
    assert_eq!(s, 404);
    assert_eq!(
        t.http.get(url).send().await.unwrap().status(),
        404,
        "link to a deleted file"
    );
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_upload_is_413() {
    let t = start(|c| c.max_upload_bytes = 10_000).await;
    let r = t
        .upload_as(KEY, &corpus("fillable/irs-fw9-2024.pdf"), None)
        .await;
    assert_eq!(r.status(), 413);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "FILE_SIZE_TOO_LARGE");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_parts_are_bounded() {
    let t = start(|c| c.max_upload_bytes = 200_000).await;
    let w9 = corpus("fillable/irs-fw9-2024.pdf");
    // A password far past any PDF password: refused, not stored.
    let r = t.upload_as(KEY, &w9, Some(&"p".repeat(5_000))).await;
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "INVALID_REQUEST");
    assert!(b["message"].as_str().unwrap().contains("password"), "{b}");
    let (_, listed) = t.json(t.get("/files")).await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(0), "{listed}");
    // A 1 KiB password is taken.
    let r = t.upload_as(KEY, &w9, Some(&"p".repeat(1_000))).await;
    assert_eq!(r.status(), 200);
    // Bytes in parts the route does not read still count against the limit.
    let form = reqwest::multipart::Form::new()
        .part("padding", reqwest::multipart::Part::bytes(vec![b'x'; 400_000]))
        .part("file", reqwest::multipart::Part::bytes(std::fs::read(&w9).unwrap()).file_name("w9.pdf"));
    // Refused without reading it all: the client hears 413 or, when the server closed the
    // connection while the client was still writing, a broken pipe; nothing is stored.
    match t.http.post(format!("{}/files/upload", t.url)).bearer_auth(KEY).multipart(form).send().await {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    let (_, listed) = t.json(t.get("/files")).await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
    // Many parts are refused.
    let mut form = reqwest::multipart::Form::new();
    for i in 0..40 {
        form = form.text(format!("x{i}"), "y");
    }
    let r = t
        .http
        .post(format!("{}/files/upload", t.url))
        .bearer_auth(KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A URL input's password is bounded the same way.
    let (status, body) = t
        .json(t.post(
            "/edit_runs",
            &serde_json::json!({"file": {"url": "https://example.org/a.pdf", "settings": {"password": "p".repeat(5_000)}}}),
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("password"), "{body}");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_sync_async_list_delete() {
    let t = start(|_| {}).await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (schema, key) = t.w9_schema(&file, "Jordan Avery").await;

    // Sync: the finished run, values visible in the output.
    let (s, run) = t
        .json(t.post(
            "/edit",
            &json!({"file": {"id": file}, "config": {"schema": schema}}),
        ))
        .await;
    assert_eq!(s, 200, "{run}");
    assert_eq!(run["object"], "edit_run");
    assert_eq!(run["status"], "PROCESSED");
    assert!(run["id"].as_str().unwrap().starts_with("edr_"));
    assert_eq!(run["file"]["id"], file.as_str());
    assert_eq!(run["output"]["filledValues"][&key], "Jordan Avery");
    assert_eq!(run["config"]["engineVersion"], "1.0.0");
    assert_eq!(run["config"]["advancedOptions"]["flattenPdf"], true);
    assert_eq!(run["config"]["advancedOptions"]["nativeFieldsOnly"], false);
    assert_eq!(run["metrics"]["pageCount"], 6);
    assert_eq!(run["usage"]["credits"], 6);
    assert!(run["failureReason"].is_null());
    let url = run["output"]["editedFile"]["presignedUrl"]
        .as_str()
        .unwrap();
    let pdf = t.http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert!(pdftotext(&pdf, None).contains("Jordan Avery"));

    // Async: PROCESSING at once, then PROCESSED.
    let (s, created) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": file}, "config": {"schema": schema, "advancedOptions": {"flattenPdf": false}}})))
        .await;
    assert_eq!(s, 200, "{created}");
    assert!(matches!(created["status"].as_str(), Some("PROCESSING")));
    assert!(created["output"].is_null());
    let id = created["id"].as_str().unwrap().to_string();
    let done = t.wait_run(&format!("/edit_runs/{id}")).await;
    assert_eq!(done["status"], "PROCESSED", "{done}");
    assert_eq!(done["config"]["advancedOptions"]["flattenPdf"], false);
    let edited_id = done["output"]["editedFile"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, edited) = t.json(t.get(&format!("/files/{edited_id}"))).await;
    assert_eq!(s, 200);
    assert_eq!(edited["name"], "irs-fw9-2024_edited.pdf");

    // List: both runs, newest first; filters and pages.
    let (_, list) = t.json(t.get("/edit_runs")).await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], id.as_str());
    assert!(data[0].get("config").is_none() && data[0].get("output").is_none());
    assert!(data[0]["createdAt"].as_str().unwrap().ends_with('Z'));
    let (_, list) = t.json(t.get("/edit_runs?status=FAILED")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (_, list) = t.json(t.get("/edit_runs?fileNameContains=FW9")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (_, page) = t
        .json(t.get("/edit_runs?maxPageSize=1&sortBy=createdAt"))
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let token = page["nextPageToken"].as_str().unwrap();
    let (_, page2) = t
        .json(t.get(&format!(
            "/edit_runs?maxPageSize=1&sortBy=createdAt&nextPageToken={token}"
        )))
        .await;
    assert_eq!(page2["data"][0]["id"], run["id"]);
    let (s, _) = t.json(t.get("/edit_runs?status=DONE")).await;
    assert_eq!(s, 400);

    // Delete: the run and its output file go; the input stays.
    let (s, d) = t.json(t.delete(&format!("/edit_runs/{id}"))).await;
    assert_eq!((s, d["id"].as_str()), (200, Some(id.as_str())));
    let (s, _) = t.json(t.get(&format!("/edit_runs/{id}"))).await;
    assert_eq!(s, 404);
    let (s, _) = t.json(t.get(&format!("/files/{edited_id}"))).await;
    assert_eq!(s, 404);
    let (s, _) = t.json(t.get(&format!("/files/{file}"))).await;
    assert_eq!(s, 200);
    let (s, _) = t.json(t.delete(&format!("/edit_runs/{id}"))).await;
    assert_eq!(s, 404);
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_corrupt_password_and_urls() {
    let t = start(|_| {}).await;
    // Corrupt: FAILED CORRUPT_FILE (async), 422 CORRUPT_FILE (sync).
    let bad = t.upload("broken/garbage-with-header.pdf").await;
    let (_, created) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": bad}})))
        .await;
    let done = t
        .wait_run(&format!("/edit_runs/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(done["status"], "FAILED");
    assert_eq!(done["failureReason"], "CORRUPT_FILE");
    assert!(done["failureMessage"].as_str().unwrap().len() > 5);
    assert!(done["output"].is_null() && done["metrics"].is_null() && done["usage"].is_null());
    let (s, e) = t.json(t.post("/edit", &json!({"file": {"id": bad}}))).await;
    assert_eq!((s, e["code"].as_str()), (422, Some("CORRUPT_FILE")), "{e}");
    assert!(e["requestId"].as_str().unwrap().starts_with("req_"));
    let (s, e) = t
        .json(t.post("/detect_form", &json!({"file": {"id": bad}})))
        .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("CORRUPT_FILE")), "{e}");

    // Encrypted without the password: PASSWORD_PROTECTED_FILE.
    let locked = t.upload("broken/user-password-required.pdf").await;
    let (s, e) = t
        .json(t.post("/edit", &json!({"file": {"id": locked}})))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("PASSWORD_PROTECTED_FILE")),
        "{e}"
    );

    // The same file by URL (our own presigned link) with settings.password: works.
    let (_, f) = t.json(t.get(&format!("/files/{locked}"))).await;
    let url = f["presignedUrl"].as_str().unwrap().to_string();
    let (s, det) = t
        .json(t.post(
            "/detect_form",
            &json!({"file": {"url": url, "settings": {"password": "userpw"}}}),
        ))
        .await;
    assert_eq!(s, 200, "{det}");
    let mut schema = det["output"]["schema"].clone();
    let key = common::plain_text_key(&schema);
    schema["properties"][&key]["extend_edit:value"] = json!("Quill");
    let (s, run) = t
        .json(t.post("/edit", &json!({"file": {"url": url, "name": "locked-1040.pdf", "settings": {"password": "userpw"}}, "config": {"schema": schema}})))
        .await;
    assert_eq!(s, 200, "{run}");
    assert_eq!(run["file"]["name"], "locked-1040.pdf");
    assert_eq!(run["file"]["type"], "PDF");
    let out = t
        .http
        .get(
            run["output"]["editedFile"]["presignedUrl"]
                .as_str()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdftotext(&out, Some("userpw")).contains("Quill"));

    // A URL that does not answer: UNABLE_TO_DOWNLOAD_FILE.
    let (s, e) = t
        .json(t.post(
            "/edit",
            &json!({"file": {"url": format!("{}/download/nothing", t.url)}}),
        ))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("UNABLE_TO_DOWNLOAD_FILE")),
        "{e}"
    );
    // Not a URL: 400 at creation.
    let (s, _) = t
        .json(t.post("/edit_runs", &json!({"file": {"url": "ftp://x/y.pdf"}})))
        .await;
    assert_eq!(s, 400);
    // A flat PDF: printed boxes are detected (bbox-only properties), unless nativeFieldsOnly.
    let flat = t.upload("flat/sf424-page2-flat-vector.pdf").await;
    let (s, run) = t
        .json(t.post("/detect_form", &json!({"file": {"id": flat}})))
        .await;
    assert_eq!(s, 200, "{run}");
    let properties = run["output"]["schema"]["properties"].as_object().unwrap();
    assert!(properties.len() >= 5, "{run}");
    assert!(
        properties
            .values()
            .all(|p| p["extend_edit:bbox"].is_object() && p["extend_edit:page_index"] == 0)
    );
    assert_eq!(
        run["metrics"]["fieldsDetectedCount"].as_u64(),
        Some(properties.len() as u64)
    );
    let (s, e) = t
        .json(t.post("/detect_form", &json!({"file": {"id": flat}, "config": {"advancedOptions": {"nativeFieldsOnly": true}}})))
        .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("EMPTY_SCHEMA")), "{e}");
    // Empty schema: EMPTY_SCHEMA.
    let w9 = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, e) = t
        .json(t.post("/edit", &json!({"file": {"id": w9}, "config": {"schema": {"type": "object", "properties": {}}}})))
        .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("EMPTY_SCHEMA")), "{e}");
    // A malformed schema: INVALID_OPTIONS (400).
    let (s, e) = t
        .json(t.post("/edit", &json!({"file": {"id": w9}, "config": {"schema": {"type": "object", "properties": {"x": {"type": "string", "extend_edit:field_type": "checkbox"}}}}})))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("INVALID_OPTIONS")),
        "{e}"
    );
    // An object-typed field that is not a signature would fill nothing: INVALID_OPTIONS
    // naming its path.
    let (s, e) = t
        .json(t.post("/edit", &json!({"file": {"id": w9}, "config": {"schema": {"type": "object", "properties": {"name": {"type": "object"}}}}})))
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("INVALID_OPTIONS")), "{e}");
    assert!(e.to_string().contains("/properties/name/type"), "{e}");
    // Plain text has no form: FILE_TYPE_NOT_SUPPORTED, not CORRUPT_FILE.
    let txt = std::env::temp_dir().join(format!("formsmith-notes-{}.txt", std::process::id()));
    std::fs::write(&txt, "Name: Ada Lovelace\nDate: 1843-07-10\n").unwrap();
    let r = t.upload_as(KEY, &txt, None).await;
    let _ = std::fs::remove_file(&txt);
    assert_eq!(r.status(), 200);
    let uploaded: Value = r.json().await.unwrap();
    let (s, e) = t
        .json(t.post("/edit", &json!({"file": {"id": uploaded["id"]}, "config": {"instructions": "Name: Ada"}})))
        .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("FILE_TYPE_NOT_SUPPORTED")), "{e}");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_urls_refused_by_default() {
    let t = start(|c| c.allow_private_urls = false).await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (_, f) = t.json(t.get(&format!("/files/{file}"))).await;
    let url = f["presignedUrl"].as_str().unwrap();
    let (_, created) = t
        .json(t.post("/edit_runs", &json!({"file": {"url": url}})))
        .await;
    let done = t
        .wait_run(&format!("/edit_runs/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(done["status"], "FAILED");
    assert_eq!(done["failureReason"], "UNABLE_TO_DOWNLOAD_FILE");
    assert!(
        done["failureMessage"].as_str().unwrap().contains("refused"),
        "{done}"
    );
    // Same through a host name that resolves to loopback.
    let by_name = url.replace("127.0.0.1", "localhost");
    let (s, e) = t
        .json(t.post("/edit", &json!({"file": {"url": by_name}})))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("UNABLE_TO_DOWNLOAD_FILE")),
        "{e}"
    );
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("not allowed"), "{e}");
    // What the name resolves to is not told.
    assert!(
        !message.contains("127.0.0.1") && !message.contains("::1"),
        "{e}"
    );
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspaces_are_isolated() {
    let t = start(|_| {}).await;
    let store = t.server.store().clone();
    let other = store
        .create_key(Some("ws_other"), DEFAULT_ORGANIZATION)
        .await
        .unwrap();
    let org = store.create_key(None, DEFAULT_ORGANIZATION).await.unwrap();
    let foreign_org = store.create_key(None, "org_else").await.unwrap();

    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (_, run) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": file}})))
        .await;
    let run_id = run["id"].as_str().unwrap();
    t.wait_run(&format!("/edit_runs/{run_id}")).await;

    let as_other = |path: &str| t.http.get(format!("{}{path}", t.url)).bearer_auth(&other);
    let (s, e) = t.json(as_other(&format!("/edit_runs/{run_id}"))).await;
    assert_eq!((s, e["code"].as_str()), (404, Some("NOT_FOUND")));
    let (s, _) = t.json(as_other(&format!("/files/{file}"))).await;
    assert_eq!(s, 404);
    let (_, list) = t.json(as_other("/edit_runs")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (s, _) = t
        .json(
            t.http
                .delete(format!("{}/edit_runs/{run_id}", t.url))
                .bearer_auth(&other),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(
            t.http
                .post(format!("{}/edit_runs", t.url))
                .bearer_auth(&other)
                .json(&json!({"file": {"id": file}})),
        )
        .await;
    assert_eq!(s, 404, "another workspace's file cannot be used");
    // A workspace key naming another workspace: the header is ignored (spec: it is for
    // organization keys); the key still sees only its own workspace.
    let (s, list) = t
        .json(as_other("/files").header("x-extend-workspace-id", "ws_default"))
        .await;
    assert_eq!(s, 200, "{list}");
    assert!(!list.to_string().contains(file.as_str()), "{list}");
    let (s, _) = t
        .json(as_other(&format!("/files/{file}")).header("x-extend-workspace-id", "ws_default"))
        .await;
    assert_eq!(s, 404, "the header never opens another workspace");

    // Organization keys: the header picks the workspace.
    let as_org = |path: &str| t.http.get(format!("{}{path}", t.url)).bearer_auth(&org);
    let (s, e) = t.json(as_org(&format!("/edit_runs/{run_id}"))).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "header required"
    );
    let (s, _) = t
        .json(as_org(&format!("/edit_runs/{run_id}")).header("x-extend-workspace-id", "ws_default"))
        .await;
    assert_eq!(s, 200);
    let (s, _) = t
        .json(as_org(&format!("/edit_runs/{run_id}")).header("x-extend-workspace-id", "ws_other"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(as_org("/files").header("x-extend-workspace-id", "ws_nowhere"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(
            t.http
                .get(format!("{}/files", t.url))
                .bearer_auth(&foreign_org)
                .header("x-extend-workspace-id", "ws_default"),
        )
        .await;
    assert_eq!(s, 404, "another organization's workspace");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_and_full_queue_answer_429() {
    let t = start(|c| {
        c.rate_limit = 1.0;
        c.rate_burst = 2.0;
    })
    .await;
    assert_eq!(t.get("/files").send().await.unwrap().status(), 200);
    assert_eq!(t.get("/files").send().await.unwrap().status(), 200);
    let r = t.get("/files").send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(b["retryable"], true);
    t.server.shutdown().await;

    let t = start(|c| {
        c.no_workers = true;
        c.queue_depth = 1;
    })
    .await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, _) = t
        .json(t.post("/edit_runs", &json!({"file": {"id": file}})))
        .await;
    assert_eq!(s, 200);
    let r = t
        .post("/edit_runs", &json!({"file": {"id": file}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "RATE_LIMIT_EXCEEDED");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_detection_runs_and_schema_generation() {
    let t = start(|_| {}).await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (schema, key) = t.w9_schema(&file, "Template Person").await;
    t.server
        .store()
        .insert_template(&TemplateRow {
            id: "edt_test_w9".into(),
            workspace_id: "ws_default".into(),
            name: "W-9 Template".into(),
            description: None,
            file_id: file.clone(),
            config: json!({"schema": schema, "advancedOptions": {"flattenPdf": true}}),
            schema_config: None,
            created_ms: 1_700_000_000_000,
            updated_ms: 1_700_000_000_000,
        })
        .await
        .unwrap();
    let (s, tpl) = t.json(t.get("/edit_templates/edt_test_w9")).await;
    assert_eq!(s, 200, "{tpl}");
    assert_eq!(tpl["object"], "edit_template");
    assert_eq!(tpl["file"]["id"], file.as_str());
    assert_eq!(tpl["createdAt"], "2023-11-14T22:13:20.000Z");
    // The list: summaries, paged, filtered by name without case; another workspace's never.
    for (i, name) in ["Lease A", "Lease B"].iter().enumerate() {
        t.server
            .store()
            .insert_template(&TemplateRow {
                id: format!("edt_lease_{i}"),
                workspace_id: "ws_default".into(),
                name: (*name).into(),
                description: Some("a lease".into()),
                file_id: file.clone(),
                config: json!({}),
                schema_config: None,
                created_ms: 1_700_000_000_000 + i as i64 + 1,
                updated_ms: 1_700_000_000_000 + i as i64 + 1,
            })
            .await
            .unwrap();
    }
    let (s, list) = t.json(t.get("/edit_templates?maxPageSize=2")).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["object"], "list");
    let ids: Vec<&str> = list["data"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["edt_lease_1", "edt_lease_0"], "newest first");
    assert!(list["data"][0].get("config").is_none(), "summaries carry no config");
    assert_eq!(list["data"][0]["file"]["id"], file.as_str());
    let token = list["nextPageToken"].as_str().expect("a second page").to_string();
    let (_, rest) = t.json(t.get(&format!("/edit_templates?maxPageSize=2&nextPageToken={token}"))).await;
    assert_eq!(rest["data"][0]["id"], "edt_test_w9", "{rest}");
    assert!(rest.get("nextPageToken").is_none(), "{rest}");
    let (_, named) = t.json(t.get("/edit_templates?nameContains=w-9")).await;
    assert_eq!(named["data"].as_array().map(Vec::len), Some(1), "{named}");
    let (s, run) = t
        .json(t.post("/edit", &json!({"templateId": "edt_test_w9", "config": {"advancedOptions": {"flattenPdf": false}}})))
        .await;
    assert_eq!(s, 200, "{run}");
    assert_eq!(
        run["config"]["advancedOptions"]["flattenPdf"], false,
        "request wins"
    );
    assert_eq!(run["output"]["filledValues"][&key], "Template Person");
    let (s, _) = t
        .json(t.post("/edit", &json!({"templateId": "edt_nope"})))
        .await;
    assert_eq!(s, 404);
    let (s, _) = t
        .json(t.post(
            "/edit",
            &json!({"templateId": "edt_test_w9", "file": {"id": file}}),
        ))
        .await;
    assert_eq!(s, 400);

    // Async form detection and the deprecated generation endpoint.
    let (s, created) = t
        .json(t.post("/form_detection_runs", &json!({"file": {"id": file}, "config": {"advancedOptions": {"radioEnumsEnabled": false}}})))
        .await;
    assert_eq!(s, 200, "{created}");
    assert!(created["id"].as_str().unwrap().starts_with("sgr_"));
    let done = t
        .wait_run(&format!(
            "/form_detection_runs/{}",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(done["object"], "form_detection_run");
    assert_eq!(done["status"], "PROCESSED");
    assert_eq!(
        done["config"]["advancedOptions"]["radioEnumsEnabled"],
        false
    );
    assert_eq!(done["metrics"]["pageCount"], 6);
    assert!(done["output"]["mappingResult"].is_null());
    assert_eq!(done["output"]["schema"], done["output"]["annotatedSchema"]);
    let (s, _) = t
        .json(t.get(&format!("/edit_runs/{}", created["id"].as_str().unwrap())))
        .await;
    assert_eq!(s, 404, "a detection run is not an edit run");

    let input = json!({"type": "object", "properties": {key.clone(): {"type": ["string", "null"]}, "not_on_form": {"type": ["string", "null"]}}});
    let (s, generated) = t
        .json(t.post(
            "/edit_schemas/generate",
            &json!({"file": {"id": file}, "config": {"inputSchema": input}}),
        ))
        .await;
    assert_eq!(s, 200, "{generated}");
    assert_eq!(
        generated["mappingResult"]["matches"][0]["formFieldKey"],
        key.as_str()
    );
    assert_eq!(
        generated["mappingResult"]["unmatchedInputPaths"],
        json!(["not_on_form"])
    );
    assert!(generated["schema"]["properties"][&key]["extend_edit:bbox"].is_object());
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route_and_metrics_count() {
    let t = start(|_| {}).await;
    let (s, doc) = t.json(t.http.get(format!("{}/openapi.json", t.url))).await;
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(
                op["operationId"].is_string() && op["responses"]["200"].is_object(),
                "{method} {path}"
            );
            // Every documented route is served (not the fallback).
            let concrete = path.replace("{id}", "x_1").replace("{token}", "x_1");
            let req = t
                .http
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{concrete}", t.url),
                )
                .bearer_auth(KEY)
                .json(&json!({}));
            let (_, body) = t.json(req).await;
            let fallback = body["message"].as_str().unwrap_or("").starts_with("route ");
            assert!(!fallback, "{method} {path} is documented but not served");
        }
    }
    assert_eq!(operations, 38);
    for (method, path) in [
        ("post", "/edit"),
        ("post", "/edit_runs"),
        ("get", "/edit_runs"),
        ("get", "/edit_runs/{id}"),
        ("delete", "/edit_runs/{id}"),
        ("get", "/edit_templates/{id}"),
        ("post", "/detect_form"),
        ("post", "/form_detection_runs"),
        ("get", "/form_detection_runs/{id}"),
        ("post", "/edit_schemas/generate"),
        ("post", "/files/upload"),
        ("get", "/files"),
        ("get", "/files/{id}"),
        ("delete", "/files/{id}"),
        ("post", "/parse"),
        ("post", "/parse_runs"),
        ("get", "/parse_runs"),
        ("post", "/parse_runs/batch"),
        ("get", "/parse_runs/{id}"),
        ("delete", "/parse_runs/{id}"),
        ("post", "/parse_runs/{id}/cancel"),
        ("get", "/batch_runs/{id}"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "spec endpoint {method} {path} documented"
        );
    }
    // Every $ref resolves.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = format!("/{}", part.split('"').next().unwrap());
        assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
    }

    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (s, _) = t
        .json(t.post("/edit", &json!({"file": {"id": file}})))
        .await;
    assert_eq!(s, 200);
    let text = t
        .http
        .get(format!("{}/metrics", t.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "formsmith_http_requests_total{method=\"POST\",route=\"/edit\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("formsmith_runs{kind=\"edit_run\",status=\"PROCESSED\"} 1"),
        "{text}"
    );
    assert!(text.contains("formsmith_queue_depth 0"), "{text}");
    assert!(
        text.contains(
            "formsmith_run_duration_seconds_count{kind=\"edit_run\",status=\"PROCESSED\"} 1"
        ),
        "{text}"
    );
    t.server.shutdown().await;
}

/// LibreOffice present? (CI installs it; a developer without it sees the test skipped.)
fn has_soffice() -> bool {
    std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_inputs_are_converted_for_edits_and_parses() {
    if !has_soffice() {
        eprintln!("SKIPPED: LibreOffice (soffice) is not installed");
        return;
    }
    let t = start(|_| {}).await;
    // A Word document, made here by LibreOffice from plain text.
    let dir = temp_dir("office");
    std::fs::write(
        dir.join("application.txt"),
        "Pet licence application\nApplicant name:\nOwner\n",
    )
    .unwrap();
    let made = std::process::Command::new("soffice")
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}/profile", dir.display()))
        .args(["--convert-to", "docx:MS Word 2007 XML", "--outdir"])
        .arg(&dir)
        .arg(dir.join("application.txt"))
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let path = dir.join("application.docx");
    let r = t.upload_as(KEY, &path, None).await;
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // An edit draws a caller's bbox value onto the converted page.
    let schema = json!({"type": "object", "properties": {"owner": {
        "type": ["string", "null"], "extend_edit:field_type": "text",
        "extend_edit:page_index": 0,
        "extend_edit:bbox": {"left": 200, "top": 300, "right": 500, "bottom": 320},
        "extend_edit:value": "Jordan Avery"}}});
    let (s, run) = t
        .json(t.post("/edit", &json!({"file": {"id": id}, "config": {"schema": schema}})))
        .await;
    assert_eq!(s, 200, "{run}");
    assert_eq!(run["output"]["filledValues"]["owner"], "Jordan Avery");
    assert_eq!(run["output"]["valueSources"]["owner"], "extend_edit:value");
    let url = run["output"]["editedFile"]["presignedUrl"].as_str().unwrap();
    let pdf = t.http.get(url).send().await.unwrap().bytes().await.unwrap();
    let text = pdftotext(&pdf, None);
    assert!(text.contains("Pet licence application"), "{text}");
    assert!(text.contains("Jordan Avery"), "{text}");
    // The edited file is a PDF named after the input.
    let file_id = run["output"]["editedFile"]["id"].as_str().unwrap();
    let (_, file) = t.json(t.get(&format!("/files/{file_id}"))).await;
    assert_eq!(file["name"], "application_edited.pdf");
    // A parse reads the converted document.
    let (s, parsed) = t
        .json(t.post("/parse", &json!({"file": {"id": id}})))
        .await;
    assert_eq!(s, 200, "{parsed}");
    let content = parsed["output"]["chunks"][0]["content"].as_str().unwrap_or("");
    assert!(content.contains("Pet licence application"), "{parsed}");
    // convertToPdf on upload: the document is stored as a PDF; plain text cannot be.
    let upload = |name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        t.http
            .post(format!("{}/files/upload?convertToPdf=true", t.url))
            .bearer_auth(KEY)
            .multipart(form)
    };
    let (s, stored) = t
        .json(upload("application.docx", std::fs::read(&path).unwrap()))
        .await;
    assert_eq!(s, 200, "{stored}");
    assert_eq!(stored["name"], "application.pdf");
    assert_eq!(stored["type"], "PDF");
    assert_eq!(stored["metadata"]["pageCount"], 1, "{stored}");
    let (s, e) = t
        .json(upload("application.txt", b"Applicant name:\n".to_vec()))
        .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("FILE_TYPE_NOT_SUPPORTED")), "{e}");
    t.server.shutdown().await;
}

/// A scripted OpenAI-compatible endpoint on loopback: answers each chat-completions request
/// with the next (status, content) and records the request bodies.
async fn scripted_model(replies: Vec<(u16, String)>) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(replies.into_iter()));
    let (recorder, replies) = (seen.clone(), script.clone());
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (recorder, replies) = (recorder.clone(), replies.clone());
            async move {
                recorder.lock().unwrap().push(body);
                let (status, content) = replies.lock().unwrap().next().unwrap_or((500, String::new()));
                let answer = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]});
                (axum::http::StatusCode::from_u16(status).unwrap(), axum::Json(answer))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instructions_through_a_configured_language_model() {
    // The W-9's plain text key is known only after detection, so the model's answer is
    // scripted from a first server without a model.
    let t = start(|_| {}).await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let (mut schema, key) = t.w9_schema(&file, "unused").await;
    t.server.shutdown().await;
    schema["properties"][&key].as_object_mut().unwrap().remove("extend_edit:value");

    let answer = json!({ &key: "Jordan Avery", "made_up": "x" }).to_string();
    let (url, seen) = scripted_model(vec![(200, answer)]).await;
    let t = start(|c| {
        c.llm.url = Some(url);
        c.llm.model = Some("scripted".into());
        c.llm.retries = 1;
    })
    .await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let request = json!({"file": {"id": file}, "config": {"schema": schema, "instructions": "Fill it in for Jordan Avery.", "flattenPdf": false}});
    // The model's answer lands in the form, checked like a record; a key it made up does not.
    let (s, run) = t.json(t.post("/edit", &request)).await;
    assert_eq!(s, 200, "{run}");
    assert_eq!(run["output"]["filledValues"][&key], "Jordan Avery", "{run}");
    assert!(!run["output"]["filledValues"].as_object().unwrap().contains_key("made_up"));
    // Each value says where it came from; what the model made up is reported.
    assert_eq!(run["output"]["valueSources"][&key], "instructions: language model scripted", "{run}");
    assert!(run["output"]["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("made_up")), "{run}");
    {
        let asked = seen.lock().unwrap();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0]["model"], "scripted");
        assert!(asked[0]["messages"][1]["content"].as_str().unwrap().contains("Fill it in for Jordan Avery."));
    }
    // A model that keeps failing (the script is used up: 500s) fails the run, saying why.
    let (s, body) = t.json(t.post("/edit", &request)).await;
    assert_eq!(s, 500, "{body}");
    assert_eq!(body["code"], "INTERNAL_ERROR");
    assert!(body["message"].as_str().unwrap().contains("language model"), "{body}");
    assert_eq!(seen.lock().unwrap().len(), 3, "one attempt and one retry after the first run");
    t.server.shutdown().await;
}

/// `conditionalGenerationEnabled` and generation instructions are carried out (and echoed
/// as they ran): rules read from the form, pages and keys as asked, not-understood words
/// said back; a caller's own schema turns conditional generation off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_rules_and_generation_instructions() {
    let t = start(|_| {}).await;
    let file = t
        .upload("train/codeforamerica__michigan-benefits__DHS_1426_step_2_additional_member.pdf")
        .await;
    let (s, det) = t
        .json(t.post(
            "/detect_form",
            &json!({"file": {"id": file}, "config": {
                "instructions": "only page 1; skip the signature block; make it sparkle",
                "advancedOptions": {"conditionalGenerationEnabled": true}}}),
        ))
        .await;
    assert_eq!(s, 200, "{det}");
    assert_eq!(det["config"]["advancedOptions"]["conditionalGenerationEnabled"], true);
    let schema = &det["output"]["schema"];
    let rules = schema["allOf"].as_array().cloned().unwrap_or_default();
    assert!(rules.len() >= 4, "{schema}");
    let rule = &rules[0];
    let control = rule["if"]["required"][0].as_str().unwrap();
    let dependent = rule["then"]["required"][0].as_str().unwrap();
    assert!(schema["properties"][control].is_object() && schema["properties"][dependent].is_object());
    for p in schema["properties"].as_object().unwrap().values() {
        assert_eq!(p["extend_edit:page_index"], 0, "only page 1: {p}");
        assert_ne!(p["extend_edit:field_type"], "signature");
    }
    let warnings = det["output"]["warnings"].to_string();
    assert!(warnings.contains("make it sparkle"), "{warnings}");

    // An edit on the generated schema with the rule: yes without the name fails.
    let (s, e) = t
        .json(t.post(
            "/edit",
            &json!({"file": {"id": file}, "config": {"schema": schema, "instructions": "Are you married? Yes"}}),
        ))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["code"], "SCHEMA_VALIDATION_ERROR", "{e}");
    // With a caller's schema, conditional generation has no effect and echoes off.
    let (_, run) = t
        .json(t.post(
            "/edit_runs",
            &json!({"file": {"id": file}, "config": {"schema": {"type": "object", "properties": {dependent: {"type": ["string", "null"], "extend_edit:value": "Ada"}}},
                "advancedOptions": {"conditionalGenerationEnabled": true}}}),
        ))
        .await;
    assert_eq!(run["config"]["advancedOptions"]["conditionalGenerationEnabled"], false, "{run}");
    // schemaGenerationInstructions steer the edit's generated schema.
    let (s, run) = t
        .json(t.post(
            "/edit",
            &json!({"file": {"id": file}, "config": {"schemaGenerationInstructions": "keep the PDF's original field names",
                "instructions": "Are you married? Yes"}}),
        ))
        .await;
    assert_eq!(s, 200, "{run}");
    assert_eq!(run["config"]["schemaGenerationInstructions"], "keep the PDF's original field names");
    let filled = run["output"]["filledValues"].as_object().unwrap();
    assert!(!filled.is_empty(), "{run}");
    let form_names: Vec<String> = {
        let bytes = std::fs::read(common::corpus(
            "train/codeforamerica__michigan-benefits__DHS_1426_step_2_additional_member.pdf",
        ))
        .unwrap();
        let form = formsmith_engine::Form::open(&bytes, &Default::default()).unwrap();
        form.fields().iter().map(|f| f.name.clone()).collect()
    };
    for key in filled.keys() {
        let name = key.split(':').next().unwrap();
        assert!(form_names.iter().any(|n| n == name), "{key} is not a field name");
    }
    t.server.shutdown().await;
}
