//! Secrets at rest: no file password, URL input secret or webhook signing secret in the raw
//! bytes of the database or its WAL; private file modes; key rotation; plain rows from
//! before sealing are sealed at start.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{KEY, corpus, start, start_with, temp_dir};
use formsmith_server::config::SecretText;
use serde_json::{Value, json};

const PASSWORD: &str = "userpw";
const QUERY_SECRET: &str = "QuErYsIgNaTuRe0123456789";

fn raw(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["formsmith.db", "formsmith.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Raw column values, read past the server.
async fn column(dir: &Path, sql: &str) -> Vec<String> {
    use sqlx::Connection;
    let url = format!("sqlite://{}", dir.join("formsmith.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

fn key_id(sealed: &str) -> &str {
    sealed
        .strip_prefix("enc:v1:")
        .and_then(|r| r.split(':').next())
        .unwrap_or_else(|| panic!("not sealed: {sealed}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plain_secret_in_the_database_and_private_modes() {
    let t = start(|_| {}).await;
    // Upload with a password.
    let r = t
        .upload_as(KEY, &corpus("broken/user-password-required.pdf"), Some(PASSWORD))
        .await;
    assert_eq!(r.status(), 200);
    let file: Value = r.json().await.unwrap();
    let file_id = file["id"].as_str().unwrap().to_string();
    let (_, file) = t.json(t.get(&format!("/files/{file_id}"))).await;
    // A URL input with a presigned-style query and a password: the run works.
    let url = format!(
        "{}?X-Amz-Signature={QUERY_SECRET}",
        file["presignedUrl"].as_str().unwrap()
    );
    let (s, run) = t
        .json(t.post(
            "/detect_form",
            &json!({"file": {"url": url, "settings": {"password": PASSWORD}}}),
        ))
        .await;
    assert_eq!(s, 200, "{run}");
    // The stored password still opens the file for runs by id.
    let (s, run) = t
        .json(t.post("/detect_form", &json!({"file": {"id": file_id}})))
        .await;
    assert_eq!(s, 200, "{run}");
    // A webhook endpoint: its secret is shown once.
    let (s, ep) = t
        .json(t.post(
            "/webhook_endpoints",
            &json!({"url": "https://hooks.example.com/x", "name": "n",
                    "apiVersion": "2026-02-09", "enabledEvents": ["edit_run.processed"]}),
        ))
        .await;
    assert_eq!(s, 200, "{ep}");
    let secret = ep["signingSecret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("wss_"));

    let bytes = raw(&t.dir);
    assert!(!bytes.is_empty());
    assert!(!contains(&bytes, PASSWORD), "a password is stored in plain text");
    assert!(!contains(&bytes, QUERY_SECRET), "a URL query is stored in plain text");
    assert!(!contains(&bytes, &secret), "the signing secret is stored in plain text");
    assert!(contains(&bytes, "enc:v1:"), "nothing sealed?");

    #[cfg(unix)]
    {
        assert_eq!(mode(&t.dir), 0o700, "data dir");
        assert_eq!(mode(&t.dir.join("blobs")), 0o700, "blobs dir");
        for name in ["formsmith.db", "formsmith.db-wal", "formsmith.db-shm", "secret.key"] {
            assert_eq!(mode(&t.dir.join(name)), 0o600, "{name}");
        }
        let blob = t.dir.join("blobs").join(&file_id);
        assert_eq!(mode(&blob), 0o600, "blob");
    }
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_and_plain_rows_are_sealed_at_start() {
    let a = "A".repeat(43) + "="; // 32 bytes of base64
    let b = "42".repeat(32); // 32 bytes of hex
    let c = "Cw".repeat(21) + "A="; // another 32 bytes
    let dir = temp_dir("rotate");
    let t = start_with(dir.clone(), |cfg| cfg.secret_key = Some(SecretText(a.clone()))).await;
    let r = t
        .upload_as(KEY, &corpus("broken/user-password-required.pdf"), Some(PASSWORD))
        .await;
    assert_eq!(r.status(), 200);
    let first: Value = r.json().await.unwrap();
    let first = first["id"].as_str().unwrap().to_string();
    t.server.shutdown().await;
    let sealed_a = column(&dir, "SELECT password FROM files").await;
    let id_a = key_id(&sealed_a[0]).to_string();

    // A row from before sealing: plain text.
    column(&dir, "UPDATE files SET password = 'plainpw' RETURNING id").await;

    // New key B, A listed as old: everything is sealed again under B at start.
    let t = start_with(dir.clone(), |cfg| {
        cfg.secret_key = Some(SecretText(b.clone()));
        cfg.secret_key_old = vec![SecretText(a.clone())];
    })
    .await;
    let f = t.server.store().get_file_any(&first).await.unwrap().unwrap();
    assert_eq!(f.password.as_deref(), Some("plainpw"), "the plain row opens");
    let r = t
        .upload_as(KEY, &corpus("broken/user-password-required.pdf"), Some(PASSWORD))
        .await;
    assert_eq!(r.status(), 200);
    t.server.shutdown().await;
    let sealed = column(&dir, "SELECT password FROM files").await;
    assert_eq!(sealed.len(), 2);
    let id_b = key_id(&sealed[0]).to_string();
    assert_ne!(id_a, id_b);
    assert!(sealed.iter().all(|s| key_id(s) == id_b), "{sealed:?}");
    assert!(!contains(&raw(&dir), "plainpw"), "the plain value is left in the file");

    // Back to A with B old (a rollback): old key B opens, values move to A.
    let t = start_with(dir.clone(), |cfg| {
        cfg.secret_key = Some(SecretText(a.clone()));
        cfg.secret_key_old = vec![SecretText(b.clone())];
    })
    .await;
    let f = t.server.store().get_file_any(&first).await.unwrap().unwrap();
    assert_eq!(f.password.as_deref(), Some("plainpw"));
    t.server.shutdown().await;
    let sealed = column(&dir, "SELECT password FROM files").await;
    assert!(sealed.iter().all(|s| key_id(s) == id_a), "{sealed:?}");

    // A key that cannot open what is stored: the server refuses to start.
    let mut cfg = common::config(&dir);
    cfg.secret_key = Some(SecretText(c));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = formsmith_server::start_on(listener, cfg)
        .await
        .err()
        .expect("starts with an unknown key");
    assert!(err.to_string().contains("not configured"), "{err}");
    // A malformed key is refused too.
    let mut cfg = common::config(&dir);
    cfg.secret_key = Some(SecretText("short".into()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    assert!(formsmith_server::start_on(listener, cfg).await.is_err());
}
