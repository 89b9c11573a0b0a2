//! The official SDKs against a real server on loopback: `tests/sdk/test_*.py` with pytest
//! from the Python SDK's venv (`.venv`, made by `.ci/run`), and `tests/sdk-ts/*.test.mjs`
//! with Node's test runner and the TypeScript SDK (`npm ci` there, done by `.ci/run`).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{KEY, corpus, start};
use formsmith_server::DEFAULT_ORGANIZATION;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_drives_the_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        // CI always has it (.ci/run makes it); say loudly when a developer does not.
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: run .ci/run (or python3 -m venv .venv && .venv/bin/pip install extend-ai==1.20.0 pytest)",
            python.display()
        );
        eprintln!("SKIPPED: no {}", python.display());
        return;
    }
    let max_upload = 2 * 1024 * 1024;
    let t = start(|c| c.max_upload_bytes = max_upload).await;
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk");
    let mut cmd = std::process::Command::new(&python);
    cmd.args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(&tests)
        .env("FORMSMITH_MAX_UPLOAD", max_upload.to_string());
    // Exit 5 = no tests collected: a failure here (the file must be found and run).
    let stdout = run_client(&t, cmd, "pytest").await;
    assert!(stdout.contains(" passed"), "pytest ran no test");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_typescript_sdk_drives_the_server() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk-ts");
    let installed = tests.join("node_modules/extend-ai/package.json").exists();
    let node = std::process::Command::new("node").arg("--version").output();
    if !installed || node.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the TypeScript SDK is not installed: run .ci/run (or npm ci in {})",
            tests.display()
        );
        eprintln!(
            "SKIPPED: no Node.js or no node_modules in {}",
            tests.display()
        );
        return;
    }
    let t = start(|_| {}).await;
    let mut cmd = std::process::Command::new("node");
    cmd.arg("--test").current_dir(&tests);
    let stdout = run_client(&t, cmd, "node --test").await;
    // Node's runner prints "# pass N": at least one test must have run.
    let passed = stdout
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    assert!(passed > 0, "node ran no test");
    t.server.shutdown().await;
}

/// Runs an SDK test client against the server with its environment (server URL, a key of
/// the default workspace and one of another, the corpus); prints and returns its output,
/// failing when the client does.
async fn run_client(t: &common::TestServer, mut cmd: std::process::Command, what: &str) -> String {
    let other = t
        .server
        .store()
        .create_key(Some("ws_other"), DEFAULT_ORGANIZATION)
        .await
        .unwrap();
    cmd.env("FORMSMITH_URL", &t.url)
        .env("FORMSMITH_KEY", KEY)
        .env("FORMSMITH_OTHER_KEY", &other)
        .env("FORMSMITH_CORPUS", corpus(""))
        .env_remove("EXTEND_API_KEY");
    // The server runs on this runtime: wait for the client on a blocking thread.
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(
        output.status.success(),
        "{what} failed ({:?})",
        output.status.code()
    );
    stdout
}
