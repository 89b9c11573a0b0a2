//! Durability: runs accepted before a stop are finished after a restart; a run a dead
//! process had claimed is re-queued, and one that keeps taking the server down is failed
//! after `max_attempts` — none stays PROCESSING. Every terminal run has its outbox event.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start_with, temp_dir};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_finishes_or_fails_every_accepted_run() {
    let dir = temp_dir("recovery");
    // First life: accepts runs, processes none.
    let t = start_with(dir.clone(), |c| c.no_workers = true).await;
    let file = t.upload("fillable/irs-fw9-2024.pdf").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (s, run) = t
            .json(t.post("/edit_runs", &json!({"file": {"id": file}})))
            .await;
        assert_eq!(s, 200, "{run}");
        assert_eq!(run["status"], "PROCESSING");
        ids.push(run["id"].as_str().unwrap().to_string());
    }
    let (_, health) = t.json(t.get("/healthz")).await;
    assert_eq!(health["queueDepth"], 3);
    // A worker of this process "dies" holding runs: claim the first run three times (as
    // three crashed starts would), and the second once.
    let store = t.server.store().clone();
    let no_events = |_: &formsmith_server::store::RunRow,
                     _: Option<&formsmith_server::store::FileRow>| {
        ("unused".to_string(), Value::Null)
    };
    for _ in 0..3 {
        let claimed = store.claim_next().await.unwrap().unwrap();
        assert_eq!(claimed.id, ids[0]);
        let (requeued, failed) = store.recover(100, &no_events).await.unwrap();
        assert_eq!((requeued.len(), failed.len()), (1, 0));
    }
    let first = store.claim_next().await.unwrap().unwrap();
    assert_eq!((first.id.as_str(), first.attempts), (ids[0].as_str(), 4));
    let second = store.claim_next().await.unwrap().unwrap();
    assert_eq!((second.id.as_str(), second.attempts), (ids[1].as_str(), 1));
    t.server.shutdown().await;

    // Second life, with workers: the over-attempted run fails, the others finish.
    let t = start_with(dir, |c| c.max_attempts = 3).await;
    let r0 = t.wait_run(&format!("/edit_runs/{}", ids[0])).await;
    assert_eq!(r0["status"], "FAILED");
    assert_eq!(r0["failureReason"], "INTERNAL_ERROR");
    for id in &ids[1..] {
        let r = t.wait_run(&format!("/edit_runs/{id}")).await;
        assert_eq!(r["status"], "PROCESSED", "{r}");
    }
    let (_, list) = t.json(t.get("/edit_runs?status=PROCESSING")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "none stuck");

    // The outbox holds one event per terminal run, typed by outcome, payload = the run.
    let events = t.server.store().events_after(None, 100).await.unwrap();
    assert_eq!(events.len(), 3);
    for (event_id, kind, object_id, payload) in &events {
        assert!(event_id.starts_with("evt_"));
        assert_eq!(payload["id"], object_id.as_str());
        let expected = if *object_id == ids[0] {
            "edit_run.failed"
        } else {
            "edit_run.processed"
        };
        assert_eq!(kind, expected);
        assert_eq!(payload["object"], "edit_run");
    }
    t.server.shutdown().await;
}
