//! The live processor against a real Kafka-protocol broker.

use crate::broker::Broker;
use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// The demo stream copied `copies` times under new conversation ids (one conversation stays on one
/// partition; copies spread over partitions), written to `dir`.
fn stream_copies(dir: &Path, copies: usize) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo().join("samples/demo.messages.jsonl")).unwrap();
    let mut out = String::new();
    for c in 0..copies {
        for line in text.lines() {
            let mut v: Value = serde_json::from_str(line).unwrap();
            for field in ["conversation_id", "message_id"] {
                let s = v[field].as_str().unwrap().to_owned();
                v[field] = Value::String(format!("c{c}-{s}"));
            }
            out.push_str(&v.to_string());
            out.push('\n');
        }
    }
    let path = dir.join(format!("stream-{copies}.jsonl"));
    std::fs::write(&path, out).unwrap();
    path
}

fn wait_for_events(brokers: &str, topic: &str, parts: i32, want: &BTreeSet<String>, limit: Duration) -> Vec<Record> {
    consume_until(brokers, topic, parts, limit, |recs| {
        let got: BTreeSet<String> =
            recs.iter().filter_map(|r| r.json()["event_id"].as_str().map(str::to_owned)).collect();
        want.is_subset(&got)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn produced_stream_yields_schema_valid_events_and_bad_records_reach_the_dlq() {
    let Some(broker) = Broker::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 2).await;
    let stream = stream_copies(dir.path(), 1);
    let expected = replay_events(&stream);
    assert!(expected.iter().any(|e| e["level"] != "watch"), "the demo stream must raise alerts");
    let want = event_ids(&expected);

    // Bad records first: they must not stop the good ones behind them.
    let p = producer(&broker.addr);
    produce(&p, &t.input, Some(b"bad-1"), b"{not json").await;
    produce(
        &p,
        &t.input,
        Some(b"bad-2"),
        br#"{"message_id":"x","conversation_id":"bad-2","sent_at":"2026-01-01T00:00:00Z","text":"hi"}"#,
    )
    .await;
    produce(&p, &t.input, Some(b"bad-3"), b"\xff\xfe\xfd").await;
    let n = produce_file(&broker.addr, &t.input, &stream).await;

    let run = start_jaga(&broker.addr, &t, dir.path(), &[]);
    let records = wait_for_events(&broker.addr, &t.output, 2, &want, Duration::from_secs(180));
    let events: Vec<Value> = records.iter().map(Record::json).collect();
    let got = event_ids(&events);
    assert_eq!(got, want, "Kafka run and replay must decide the same events\nlog:\n{}", run.log_text());
    for (r, e) in records.iter().zip(&events) {
        assert_valid_event(e);
        assert_eq!(r.key.as_deref(), e["conversation_id"].as_str().map(str::as_bytes), "key = conversation id");
    }

    let dlq = consume_until(&broker.addr, &t.dlq, 2, Duration::from_secs(60), |r| r.len() >= 3);
    assert_eq!(dlq.len(), 3, "every bad record is dead-lettered exactly once");
    let by_key = |k: &[u8]| dlq.iter().find(|r| r.key.as_deref() == Some(k)).expect("DLQ record").clone();
    let r1 = by_key(b"bad-1");
    assert_eq!(r1.payload, b"{not json", "original bytes are kept");
    assert_eq!(r1.header("jaga.dlq.reason"), Some("not_json"));
    assert_eq!(r1.header("jaga.dlq.source.topic"), Some(t.input.as_str()));
    assert!(r1.header("jaga.dlq.source.offset").is_some() && r1.header("jaga.dlq.source.partition").is_some());
    assert_eq!(by_key(b"bad-2").header("jaga.dlq.reason"), Some("missing_field"));
    assert!(by_key(b"bad-2").header("jaga.dlq.detail").unwrap().contains("sender_id"));
    assert_eq!(by_key(b"bad-3").header("jaga.dlq.reason"), Some("invalid_utf8"));

    // Metrics tell the same story.
    let page = run.metrics().expect("metrics endpoint");
    assert_eq!(metric_sum(&page, "jaga_records_consumed_total"), (n + 3) as f64);
    assert_eq!(metric_sum(&page, "jaga_bad_records_total"), 3.0);
    assert!(page.contains("jaga_model_info{"));
    assert!(!page.contains("u_rk7"), "metrics must not carry user ids");

    let status = run.terminate();
    assert!(status.success(), "clean shutdown on SIGTERM");
}
