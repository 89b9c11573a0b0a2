//! Load test on loopback (bounded in count and time; never part of CI).
//!
//! The server runs in a child process (this binary re-executed with `--child`), so its
//! peak RSS is its own. Two modes:
//!
//! * `sync` (default): `--clients` concurrent clients send `POST /edit` (the 2010 IRS 1040,
//!   every plain text field and check box pinned) for `--seconds`; prints requests/s,
//!   p50/p99 latency, errors and the server's peak RSS.
//! * `async`: `--runs` edit runs created by `--clients` clients through `POST /edit_runs`,
//!   then polled until each ends. With `--kill`, the server is killed (SIGKILL) when half
//!   the runs are created and restarted on the same data dir; every run must still end
//!   (PROCESSED or FAILED), none stuck. Prints runs/s, creation latency and the counts.
//!
//! ```text
//!     cargo run --release -p formsmith-server --example load -- --clients 16 --seconds 20
//!     cargo run --release -p formsmith-server --example load -- --mode async --runs 500 --clients 16 --kill
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::RwLock;

const KEY: &str = "sk_load_test_key";

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        return child(PathBuf::from(&args[2]), PathBuf::from(&args[3]));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(parent(args));
}

/// The server process: listens on 127.0.0.1:0, writes its port to `port_file`.
fn child(data_dir: PathBuf, port_file: PathBuf) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut config = formsmith_server::Config::new(&data_dir);
        config.api_key = Some(KEY.into());
        config.rate_limit = 0.0;
        config.allow_private_urls = true;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = formsmith_server::start_on(listener, config).await.unwrap();
        std::fs::write(&port_file, server.addr().port().to_string()).unwrap();
        server.run_until_signal().await;
    });
}

struct ChildServer {
    child: Child,
    url: String,
}

fn spawn_server(data_dir: &Path) -> ChildServer {
    let port_file = data_dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    #[allow(clippy::zombie_processes)] // killed and waited for by the caller
    let child = Command::new(std::env::current_exe().unwrap())
        .arg("--child")
        .arg(data_dir)
        .arg(&port_file)
        .spawn()
        .unwrap();
    for _ in 0..500 {
        if let Ok(p) = std::fs::read_to_string(&port_file)
            && !p.is_empty()
        {
            return ChildServer {
                child,
                url: format!("http://127.0.0.1:{p}"),
            };
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server did not start");
}

fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Uploads the 1040 and builds a schema pinning every plain text field and check box.
async fn prepare(http: &reqwest::Client, url: &str) -> (String, Value, usize) {
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/fillable/irs-f1040-prefilled.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("irs-f1040-prefilled.pdf"),
    );
    let f: Value = http
        .post(format!("{url}/files/upload"))
        .bearer_auth(KEY)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file_id = f["id"].as_str().unwrap().to_string();
    let det: Value = http
        .post(format!("{url}/detect_form"))
        .bearer_auth(KEY)
        .json(&json!({"file": {"id": file_id}, "config": {"advancedOptions": {"radioEnumsEnabled": true}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut schema = det["output"]["schema"].clone();
    let mut pinned = 0;
    for (_, p) in schema["properties"].as_object_mut().unwrap().iter_mut() {
        let value = match p["extend_edit:field_type"].as_str() {
            Some("text") => {
                let max = p["extend_edit:text_edit_options"]["maxLength"]
                    .as_u64()
                    .unwrap_or(10) as usize;
                json!("Sample 123".chars().take(max.min(10)).collect::<String>())
            }
            Some("checkbox") => json!(true),
            _ => continue,
        };
        p["extend_edit:value"] = value;
        pinned += 1;
    }
    (file_id, schema, pinned)
}

async fn parent(args: Vec<String>) {
    let mode = arg(&args, "--mode", "sync");
    let clients: usize = arg(&args, "--clients", "16").parse().unwrap();
    let seconds: u64 = arg(&args, "--seconds", "20").parse().unwrap();
    let runs: usize = arg(&args, "--runs", "500").parse().unwrap();
    let kill = args.iter().any(|a| a == "--kill");
    let dir = std::env::temp_dir().join(format!("formsmith-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = spawn_server(&dir);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let (file_id, schema, pinned) = prepare(&http, &server.url).await;
    let body = Arc::new(json!({"file": {"id": file_id}, "config": {"schema": schema}}));
    println!(
        "server pid {} at {}; {} cores; form irs-f1040-prefilled.pdf, {pinned} values pinned",
        server.child.id(),
        server.url,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    if mode == "sync" {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (http, url, body) = (http.clone(), server.url.clone(), Arc::clone(&body));
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0usize;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let r = http
                        .post(format!("{url}/edit"))
                        .bearer_auth(KEY)
                        .json(&*body)
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 200 => {
                            let v: Value = r.json().await.unwrap_or(Value::Null);
                            if v["status"] == "PROCESSED" {
                                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                            } else {
                                errors += 1;
                            }
                        }
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            }));
        }
        let mut lat = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.unwrap();
            lat.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "sync /edit: {clients} clients, {elapsed:.1} s: {} edits ({errors} errors), {:.1} requests/s, latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server peak RSS {:.1} MB",
            lat.len(),
            lat.len() as f64 / elapsed,
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            lat.last().copied().unwrap_or(f64::NAN),
            peak_rss_mb(server.child.id())
        );
    } else {
        let url = Arc::new(RwLock::new(server.url.clone()));
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (http, url, body, next) = (
                http.clone(),
                Arc::clone(&url),
                Arc::clone(&body),
                Arc::clone(&next),
            );
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                let mut lat = Vec::new();
                let mut retries = 0usize;
                while next.fetch_add(1, Ordering::SeqCst) < runs {
                    loop {
                        let base = url.read().await.clone();
                        let t = Instant::now();
                        let r = http
                            .post(format!("{base}/edit_runs"))
                            .bearer_auth(KEY)
                            .json(&*body)
                            .send()
                            .await;
                        if let Ok(r) = r
                            && r.status() == 200
                            && let Ok(v) = r.json::<Value>().await
                        {
                            ids.push(v["id"].as_str().unwrap_or_default().to_string());
                            lat.push(t.elapsed().as_secs_f64() * 1000.0);
                            break;
                        }
                        retries += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                (ids, lat, retries)
            }));
        }
        let mut killed_rss = None;
        if kill {
            while next.load(Ordering::SeqCst) < runs / 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            killed_rss = Some(peak_rss_mb(server.child.id()));
            server.child.kill().unwrap(); // SIGKILL
            server.child.wait().unwrap();
            println!(
                "killed the server (SIGKILL) after ~{} runs were requested; restarting",
                runs / 2
            );
            server = spawn_server(&dir);
            *url.write().await = server.url.clone();
        }
        let mut ids = Vec::new();
        let mut lat = Vec::new();
        let mut retries = 0;
        for t in tasks {
            let (i, l, r) = t.await.unwrap();
            ids.extend(i);
            lat.extend(l);
            retries += r;
        }
        let created = started.elapsed().as_secs_f64();
        let base = url.read().await.clone();
        let (mut processed, mut failed, mut stuck) = (0, 0, 0);
        let poll_deadline = Instant::now() + Duration::from_secs(600);
        for id in &ids {
            loop {
                let v: Value = match http
                    .get(format!("{base}/edit_runs/{id}"))
                    .bearer_auth(KEY)
                    .send()
                    .await
                {
                    Ok(r) => r.json().await.unwrap_or(Value::Null),
                    Err(_) => Value::Null,
                };
                match v["status"].as_str() {
                    Some("PROCESSED") => processed += 1,
                    Some("FAILED") => failed += 1,
                    _ if Instant::now() > poll_deadline => stuck += 1,
                    _ => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                }
                break;
            }
        }
        let total = started.elapsed().as_secs_f64();
        // Runs the server holds (accepted), counted through the list endpoint.
        let mut stored = 0;
        let mut token: Option<String> = None;
        loop {
            let q = token
                .as_ref()
                .map(|t| format!("&nextPageToken={t}"))
                .unwrap_or_default();
            let v: Value = http
                .get(format!("{base}/edit_runs?maxPageSize=100{q}"))
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            stored += v["data"].as_array().map(Vec::len).unwrap_or(0);
            match v["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "async /edit_runs: {} runs acknowledged by {clients} clients in {created:.1} s ({retries} retried requests), all ended after {total:.1} s: {:.1} runs/s; PROCESSED {processed}, FAILED {failed}, stuck {stuck}; runs stored {stored} (acknowledged {}, so {} accepted without an answer reaching the client); create latency p50 {:.1} ms, p99 {:.1} ms; server peak RSS {:.1} MB{}",
            ids.len(),
            ids.len() as f64 / total,
            ids.len(),
            stored.saturating_sub(ids.len()),
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            peak_rss_mb(server.child.id()),
            killed_rss
                .map(|r| format!(" (before the kill: {r:.1} MB)"))
                .unwrap_or_default()
        );
        assert_eq!(stuck, 0, "runs stuck in PROCESSING");
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
