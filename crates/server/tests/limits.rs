//! Connection limits on a real server over raw TCP: half-sent headers and bodies are cut
//! after their timeouts, idle keep-alive connections are closed, and connections over the
//! cap are not served while those under it are. Bounds are generous (shared 2-core CI):
//! each test checks that the cut comes neither too early nor far too late.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{KEY, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until EOF (or an error such as a reset), at most `limit`; returns what was read and
/// how long it took, or None if the connection was still open at `limit`.
async fn read_to_close(s: &mut TcpStream, limit: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((String::from_utf8_lossy(&out).into_owned(), started.elapsed()));
            }
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads one response head (up to the blank line) within `limit`.
async fn read_head(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 1];
    while !out.ends_with(b"\r\n\r\n") {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(1)) => out.push(buf[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Reads a whole `/healthz` response (head and its Content-Length body).
async fn read_response(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let head = read_head(s, limit).await?;
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    tokio::time::timeout(limit, s.read_exact(&mut body))
        .await
        .ok()?
        .ok()?;
    Some(head)
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_are_cut() {
    let t = start(|c| {
        c.header_read_timeout_secs = 2;
        c.keep_alive_timeout_secs = 120;
    })
    .await;
    let addr = t.server.addr();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        .await
        .unwrap();
    let (text, took) = read_to_close(&mut s, Duration::from_secs(30))
        .await
        .expect("a half-sent header must be cut");
    assert!(took >= Duration::from_millis(1500), "cut too early: {took:?}");
    assert!(took < Duration::from_secs(20), "cut too late: {took:?}");
    assert!(!text.contains("200 OK"), "{text}");
    // A whole request on another connection is served.
    let mut ok = TcpStream::connect(addr).await.unwrap();
    ok.write_all(HEALTHZ).await.unwrap();
    let head = read_response(&mut ok, Duration::from_secs(10)).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() {
    let t = start(|c| {
        c.keep_alive_timeout_secs = 2;
        c.header_read_timeout_secs = 120;
    })
    .await;
    let mut s = TcpStream::connect(t.server.addr()).await.unwrap();
    s.write_all(HEALTHZ).await.unwrap();
    let head = read_response(&mut s, Duration::from_secs(10)).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let (_, took) = read_to_close(&mut s, Duration::from_secs(30))
        .await
        .expect("an idle keep-alive connection must be closed");
    assert!(took >= Duration::from_millis(1500), "closed too early: {took:?}");
    assert!(took < Duration::from_secs(20), "closed too late: {took:?}");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_are_cut_with_408() {
    // Gap between reads: a body that stops arriving.
    let t = start(|c| {
        c.body_read_timeout_secs = 2;
        c.keep_alive_timeout_secs = 120;
        c.header_read_timeout_secs = 120;
    })
    .await;
    let mut s = TcpStream::connect(t.server.addr()).await.unwrap();
    let head = format!(
        "POST /edit HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"file\": "
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let (text, took) = read_to_close(&mut s, Duration::from_secs(30))
        .await
        .expect("a stalled body must be cut");
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("REQUEST_TIMEOUT"), "{text}");
    assert!(took >= Duration::from_millis(1500), "cut too early: {took:?}");
    assert!(took < Duration::from_secs(20), "cut too late: {took:?}");
    t.server.shutdown().await;

    // Whole-body deadline: an upload that drips a byte every 200 ms never stalls long
    // enough for the gap timer, but is cut at the overall deadline.
    let t = start(|c| {
        c.body_read_timeout_secs = 60;
        c.body_timeout_secs = 3;
        c.keep_alive_timeout_secs = 120;
        c.header_read_timeout_secs = 120;
    })
    .await;
    let mut s = TcpStream::connect(t.server.addr()).await.unwrap();
    let head = format!(
        "POST /files/upload HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (mut rd, mut wr) = s.into_split();
    let drip = tokio::spawn(async move {
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if wr.write_all(b"x").await.is_err() {
                break;
            }
        }
    });
    let mut out = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), rd.read_to_end(&mut out)).await;
    let took = started.elapsed();
    drip.abort();
    assert!(closed.is_ok(), "a dripping upload must be cut");
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(took >= Duration::from_millis(2500), "cut too early: {took:?}");
    assert!(took < Duration::from_secs(20), "cut too late: {took:?}");
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait() {
    let t = start(|c| {
        c.max_connections = 2;
        c.keep_alive_timeout_secs = 120;
        c.header_read_timeout_secs = 120;
    })
    .await;
    let addr = t.server.addr();
    let mut a = TcpStream::connect(addr).await.unwrap();
    let mut b = TcpStream::connect(addr).await.unwrap();
    for s in [&mut a, &mut b] {
        s.write_all(HEALTHZ).await.unwrap();
        let head = read_response(s, Duration::from_secs(10)).await.unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }
    // A third: its socket connects (the kernel's backlog) but it is not served.
    let mut c = TcpStream::connect(addr).await.unwrap();
    c.write_all(HEALTHZ).await.unwrap();
    assert!(
        read_head(&mut c, Duration::from_millis(1500)).await.is_none(),
        "the connection over the cap was served"
    );
    // The two under the cap still are.
    a.write_all(HEALTHZ).await.unwrap();
    let head = read_response(&mut a, Duration::from_secs(10)).await.unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // One closes: the waiting one gets its turn.
    drop(a);
    let head = read_response(&mut c, Duration::from_secs(15))
        .await
        .expect("served once a place is free");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    drop(b);
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_keys_draws_429() {
    let t = start(|c| {
        c.auth_fail_rate = 1.0;
        c.auth_fail_burst = 20.0;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..200 {
        let r = t
            .http
            .get(format!("{}/files", t.url))
            .bearer_auth(format!("sk_wrong_{i}"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["code"], "RATE_LIMIT_EXCEEDED", "{body}");
        }
    }
    let unauthorized = statuses.iter().filter(|&&s| s == 401).count();
    let limited = statuses.iter().filter(|&&s| s == 429).count();
    // The burst (20) plus what refills while the loop runs (1/s).
    assert!((20..=40).contains(&unauthorized), "{unauthorized} 401s");
    assert_eq!(unauthorized + limited, 200, "{statuses:?}");
    // While over its budget, the address cannot try a key at all.
    let r = t.get("/files").send().await.unwrap();
    assert_eq!(r.status(), 429);
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_past_their_deadline_fail_with_timeout() {
    // An input URL whose server accepts and never answers: the run cannot end by itself
    // before the 60 s download limit.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = hang.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((s, _)) = hang.accept().await {
            sockets.push(s);
        }
    });
    let t = start(|c| {
        c.edit_run_timeout_secs = 2;
        c.detect_run_timeout_secs = 2;
        c.download_timeout_secs = 60;
    })
    .await;
    let url = format!("http://127.0.0.1:{port}/slow.pdf");
    for (create, get) in [("/edit_runs", "/edit_runs"), ("/form_detection_runs", "/form_detection_runs")] {
        let started = Instant::now();
        let (s, run) = t
            .json(t.post(create, &serde_json::json!({"file": {"url": url}})))
            .await;
        assert_eq!(s, 200, "{run}");
        let id = run["id"].as_str().unwrap();
        let mut done = serde_json::Value::Null;
        for _ in 0..300 {
            let (_, v) = t.json(t.get(&format!("{get}/{id}"))).await;
            if v["status"] != "PROCESSING" {
                done = v;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let took = started.elapsed();
        assert_eq!(done["status"], "FAILED", "{create}: {done}");
        assert_eq!(done["failureReason"], "TIMEOUT", "{done}");
        assert!(
            done["failureMessage"].as_str().unwrap().contains("deadline of 2 s"),
            "{done}"
        );
        assert!(took >= Duration::from_millis(1500), "failed too early: {took:?}");
        assert!(took < Duration::from_secs(25), "failed too late: {took:?}");
    }
    held.abort();
    t.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_json_bodies_are_refused_before_parsing() {
    let t = start(|_| {}).await;
    let big = |file_id: &str| {
        let mut body = format!(
            "{{\"file\":{{\"id\":\"{file_id}\"}},\"config\":{{\"schema\":{{\"type\":\"object\",\"properties\":{{"
        );
        for i in 0..1_000_000 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&format!("\"k{i}\":1"));
        }
        body.push_str("}}}}");
        body
    };
    let send = |body: String| {
        t.http
            .post(format!("{}/edit", t.url))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    // An unknown file: 404 from a probe that builds nothing.
    let r = send(big("file_unknown")).await.unwrap();
    assert_eq!(r.status(), 404);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("file_unknown"), "{v}");
    // A real file: refused by the element count before the parse.
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let r = send(big(&file)).await.unwrap();
    assert_eq!(r.status(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("values"), "{v}");
    // Too deep.
    let deep = format!("{{\"file\":{{\"id\":\"{file}\"}},\"x\":{}{}}}", "[".repeat(100), "]".repeat(100));
    let r = send(deep).await.unwrap();
    assert_eq!(r.status(), 413);
    t.server.shutdown().await;
}
