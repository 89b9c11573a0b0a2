//! The language-model resolver against a scripted OpenAI-compatible server on loopback:
//! good answers, malformed JSON, made-up keys, bad values, timeouts, 429/5xx, servers
//! without JSON Schema output, refusals. No network.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use formsmith_llm::{LlmConfig, LlmMode, LlmResolver};
use formsmith_schema::{EditRootJson, InstructionResolver};
use serde_json::{Map, Value, json};

/// One scripted reply: status, extra headers, body, and a delay before answering.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

fn answer(content: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![],
        body: json!({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}).to_string(),
        delay: Duration::ZERO,
    }
}

fn status(code: u16, body: &str) -> Reply {
    Reply { status: code, headers: vec![], body: body.to_string(), delay: Duration::ZERO }
}

/// A server that answers each request with the next reply, recording what it was sent.
struct Scripted {
    url: String,
    requests: Arc<Mutex<Vec<(String, Value)>>>,
}

fn serve(script: Vec<Reply>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        let mut script = script.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock().unwrap().push((head, serde_json::from_slice(&body).unwrap_or(Value::Null)));
            let reply = script.next().unwrap_or_else(|| status(500, "script exhausted"));
            std::thread::sleep(reply.delay);
            let mut out = format!("HTTP/1.1 {} X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n", reply.status, reply.body.len());
            for (k, v) in &reply.headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&reply.body);
            let _ = stream.write_all(out.as_bytes());
        }
    });
    Scripted { url, requests }
}

fn resolver(url: &str, mode: LlmMode) -> LlmResolver {
    LlmResolver::new(LlmConfig {
        base_url: url.to_string(),
        model: "test-model".into(),
        api_key: Some("sk-test".into()),
        timeout: Duration::from_millis(1500),
        retries: 2,
        mode,
    })
}

fn schema() -> EditRootJson {
    serde_json::from_value(json!({
        "type": "object",
        "properties": {
            "first_name": {"type": ["string", "null"], "description": "Expects the applicant's first name.", "extend_edit:field_type": "text"},
            "last_name": {"type": ["string", "null"], "description": "Expects the applicant's last name.", "extend_edit:field_type": "text"},
            "ssn": {"type": ["string", "null"], "description": "Expects the applicant's social security number.", "extend_edit:field_type": "text", "extend_edit:text_edit_options": {"maxLength": 9}},
            "us_citizen": {"type": ["boolean", "null"], "description": "Expects whether the applicant is a U.S. citizen.", "extend_edit:field_type": "checkbox"},
            "marital_status": {"enum": ["Single", "Married"], "description": "Expects the applicant's marital status.", "extend_edit:field_type": "dropdown"}
        }
    }))
    .unwrap()
}

const REQUEST: &str = "I'm Rosa Castillo, SSN 412-55-0987, married, and yes I'm a US citizen. My dog is Max.";

#[test]
fn a_good_answer_is_checked_and_shaped_like_a_record() {
    let server = serve(vec![answer(
        r#"{"first_name": "Rosa", "last_name": "Castillo", "ssn": "412-55-0987", "us_citizen": true, "marital_status": "Married", "pet": "Max"}"#,
    )]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert_eq!(r.failure, None, "{r:?}");
    assert_eq!(r.values["first_name"], "Rosa");
    assert_eq!(r.values["last_name"], "Castillo");
    // Into nine cells: the dashes go, as the offline resolver does for a user's record.
    assert_eq!(r.values["ssn"], "412550987");
    assert_eq!(r.values["us_citizen"], true);
    assert_eq!(r.values["marital_status"], "Married");
    assert_eq!(r.sources.get("ssn").map(String::as_str), Some("language model test-model"));
    assert!(r.warnings.iter().any(|w| w.contains("pet")), "{:?}", r.warnings);
    assert!(r.warnings.iter().any(|w| w.contains("test-model")), "{:?}", r.warnings);
    // What was sent: the model, the key, the field model, the request, a JSON Schema format.
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.len(), 1);
    let (head, body) = &requests[0];
    assert!(head.starts_with("POST /v1/chat/completions"), "{head}");
    assert!(head.to_lowercase().contains("authorization: bearer sk-test"), "{head}");
    assert_eq!(body["model"], "test-model");
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("applicant's social security number") && user.contains(REQUEST), "{user}");
    assert_eq!(body["response_format"]["type"], "json_schema");
    let props = &body["response_format"]["json_schema"]["schema"]["properties"];
    assert_eq!(props["marital_status"]["enum"], json!(["Single", "Married", null]));
}

#[test]
fn values_the_field_cannot_take_are_dropped_and_named() {
    let server = serve(vec![answer(r#"{"marital_status": "Divorced", "first_name": "Rosa", "us_citizen": "perhaps"}"#)]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert_eq!(r.failure, None);
    assert_eq!(r.values.get("first_name"), Some(&json!("Rosa")));
    assert!(!r.values.contains_key("marital_status"), "{:?}", r.values);
    assert!(!r.values.contains_key("us_citizen"), "{:?}", r.values);
    assert!(r.warnings.iter().any(|w| w.starts_with("language model answer:")), "{:?}", r.warnings);
}

#[test]
fn malformed_answers_and_server_errors_are_retried() {
    let server = serve(vec![answer("Sure! {\"first_name\": "), status(503, "overloaded"), answer(r#"{"first_name": "Rosa"}"#)]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert_eq!(r.failure, None, "{r:?}");
    assert_eq!(r.values["first_name"], "Rosa");
    assert_eq!(server.requests.lock().unwrap().len(), 3);
}

#[test]
fn rate_limits_are_waited_out() {
    let mut limited = status(429, r#"{"error": "slow down"}"#);
    limited.headers.push(("Retry-After", "1".into()));
    let server = serve(vec![limited, answer(r#"{"last_name": "Castillo"}"#)]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert_eq!(r.values["last_name"], "Castillo", "{r:?}");
}

#[test]
fn a_server_without_json_schema_output_is_asked_for_a_json_object() {
    let server = serve(vec![
        status(400, r#"{"error": {"message": "response_format json_schema is not supported"}}"#),
        answer(r#"{"first_name": "Rosa"}"#),
    ]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert_eq!(r.values["first_name"], "Rosa", "{r:?}");
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests[1].1["response_format"], json!({"type": "json_object"}));
}

#[test]
fn timeouts_past_the_retries_fail_the_resolution() {
    let slow = || Reply { delay: Duration::from_millis(2500), ..answer(r#"{"first_name": "Rosa"}"#) };
    let server = serve(vec![slow(), slow(), slow()]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    let failure = r.failure.expect("a failure");
    assert!(failure.contains("did not answer within") && failure.contains("3 attempts"), "{failure}");
    assert!(r.values.is_empty());
}

#[test]
fn refusals_and_auth_errors_are_not_retried() {
    let refusal = Reply {
        body: json!({"choices": [{"message": {"role": "assistant", "content": null, "refusal": "I can't help with that."}}]}).to_string(),
        ..answer("")
    };
    let server = serve(vec![refusal]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert!(r.failure.as_deref().is_some_and(|f| f.contains("refused")), "{r:?}");
    assert_eq!(server.requests.lock().unwrap().len(), 1);

    let server = serve(vec![status(401, r#"{"error": "bad key"}"#)]);
    let r = resolver(&server.url, LlmMode::All).resolve(&schema(), REQUEST, &Map::new());
    assert!(r.failure.as_deref().is_some_and(|f| f.contains("401")), "{r:?}");
    assert_eq!(server.requests.lock().unwrap().len(), 1);
}

#[test]
fn an_unreachable_endpoint_fails_with_its_address() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let resolver = LlmResolver::new(LlmConfig {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        model: "m".into(),
        api_key: None,
        timeout: Duration::from_secs(1),
        retries: 0,
        mode: LlmMode::All,
    });
    let r = resolver.resolve(&schema(), REQUEST, &Map::new());
    assert!(r.failure.as_deref().is_some_and(|f| f.contains(&format!("127.0.0.1:{port}"))), "{r:?}");
}

#[test]
fn blanks_mode_asks_only_for_what_the_offline_resolver_left_and_pinned_values_stay() {
    let server = serve(vec![answer(r#"{"us_citizen": true, "first_name": "Someone Else"}"#)]);
    let request = "First name: Rosa\nLast name: Castillo\nShe got married last year and has held a US passport since birth.";
    let mut pinned = Map::new();
    pinned.insert("ssn".into(), json!("999887777"));
    let r = resolver(&server.url, LlmMode::Blanks).resolve(&schema(), request, &pinned);
    assert_eq!(r.failure, None, "{r:?}");
    assert_eq!(r.values["first_name"], "Rosa");
    assert_eq!(r.values["last_name"], "Castillo");
    assert_eq!(r.values["us_citizen"], true);
    assert!(!r.values.contains_key("ssn"));
    // Asked: what neither the offline resolver nor the pin settled.
    let requests = server.requests.lock().unwrap();
    let asked: Vec<&String> = requests[0].1["response_format"]["json_schema"]["schema"]["properties"].as_object().unwrap().keys().collect();
    assert!(asked.contains(&&"us_citizen".to_string()), "{asked:?}");
    assert!(!asked.iter().any(|k| ["first_name", "last_name", "ssn"].contains(&k.as_str())), "{asked:?}");
}
