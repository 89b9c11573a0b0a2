//! Helpers of the server tests: a real server on 127.0.0.1:0 with a temporary data dir,
//! corpus paths, and poppler's pdftotext as the judge of filled values.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use formsmith_server::{Config, Server};
use serde_json::{Value, json};

pub fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel)
}

pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "formsmith-server-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub const KEY: &str = "sk_test_default_workspace_key";

pub struct TestServer {
    pub server: Server,
    pub url: String,
    pub dir: PathBuf,
    pub http: reqwest::Client,
}

/// Test defaults: loopback URLs allowed (the tests serve their own files), no rate limit,
/// two workers, the default workspace key `KEY`.
pub fn config(dir: &Path) -> Config {
    let mut c = Config::new(dir);
    c.api_key = Some(KEY.into());
    c.allow_private_urls = true;
    c.rate_limit = 0.0;
    c.workers = 2;
    c
}

pub async fn start_with(dir: PathBuf, tweak: impl FnOnce(&mut Config)) -> TestServer {
    let mut c = config(&dir);
    tweak(&mut c);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = formsmith_server::start_on(listener, c).await.unwrap();
    TestServer {
        url: server.url(),
        server,
        dir,
        http: reqwest::Client::new(),
    }
}

pub async fn start(tweak: impl FnOnce(&mut Config)) -> TestServer {
    start_with(temp_dir("t"), tweak).await
}

impl TestServer {
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(KEY)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .delete(format!("{}{path}", self.url))
            .bearer_auth(KEY)
    }

    pub fn post(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.url))
            .bearer_auth(KEY)
            .json(body)
    }

    pub async fn upload_as(
        &self,
        key: &str,
        path: &Path,
        password: Option<&str>,
    ) -> reqwest::Response {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        if let Some(p) = password {
            form = form.text("password", p.to_string());
        }
        self.http
            .post(format!("{}/files/upload", self.url))
            .bearer_auth(key)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Uploads a corpus file; returns its id.
    pub async fn upload(&self, rel: &str) -> String {
        let r = self.upload_as(KEY, &corpus(rel), None).await;
        assert_eq!(r.status(), 200, "upload {rel}");
        let v: Value = r.json().await.unwrap();
        v["id"].as_str().unwrap().to_string()
    }

    pub async fn json(&self, r: reqwest::RequestBuilder) -> (u16, Value) {
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        (status, v)
    }

    /// Polls a run until it leaves PROCESSING (10 s at most).
    pub async fn wait_run(&self, path: &str) -> Value {
        for _ in 0..200 {
            let (s, v) = self.json(self.get(path)).await;
            assert_eq!(s, 200, "{v}");
            if v["status"] != "PROCESSING" {
                return v;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("run {path} still PROCESSING");
    }

    /// A W-9 schema (detected by the server) with `value` pinned on a plain text field;
    /// returns (schema, key).
    pub async fn w9_schema(&self, file_id: &str, value: &str) -> (Value, String) {
        let (s, run) = self
            .json(self.post("/detect_form", &json!({"file": {"id": file_id}})))
            .await;
        assert_eq!(s, 200, "{run}");
        let mut schema = run["output"]["schema"].clone();
        let key = plain_text_key(&schema);
        schema["properties"][&key]["extend_edit:value"] = json!(value);
        (schema, key)
    }
}

/// A text property without comb or max length (prefers one with "name" in its key).
pub fn plain_text_key(schema: &Value) -> String {
    let props = schema["properties"].as_object().unwrap();
    let plain: Vec<&String> = props
        .iter()
        .filter(|(_, p)| {
            p["extend_edit:field_type"] == "text"
                && p["extend_edit:text_edit_options"]["maxLength"].is_null()
                && p["extend_edit:text_edit_options"]["combing"] != true
                && p["extend_edit:text_edit_options"]["multiLine"] != true
        })
        .map(|(k, _)| k)
        .collect();
    plain
        .iter()
        .find(|k| k.contains("name"))
        .or(plain.first())
        .map(|k| k.to_string())
        .expect("a plain text property")
}

/// pdftotext of a PDF (with a user password when given).
pub fn pdftotext(pdf: &[u8], password: Option<&str>) -> String {
    let path = temp_dir("pdf").join("out.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = std::process::Command::new("pdftotext");
    if let Some(p) = password {
        cmd.args(["-upw", p]);
    }
    let out = cmd
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
