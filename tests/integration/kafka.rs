//! The live processor against a real Kafka-protocol broker.

use crate::broker::Broker;
use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_are_not_committed_before_events_are_acknowledged() {
    let Some(broker) = Broker::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    // The output topic does not exist yet: events cannot be acknowledged.
    broker.create_topics(&[&t.input, &t.dlq], 1).await;
    // One grooming conversation, then a benign one two days later (so the first conversation's
    // window is evicted and only un-acknowledged events can hold its offsets back).
    let demo = std::fs::read_to_string(repo().join("samples/demo.messages.jsonl")).unwrap();
    let groom: Vec<&str> = demo.lines().filter(|l| l.contains("\"demo-en-groom\"")).collect();
    let mut later: Vec<Value> =
        demo.lines().filter(|l| l.contains("\"demo-en-surprise\"")).map(|l| serde_json::from_str(l).unwrap()).collect();
    for v in &mut later {
        let s = v["sent_at"].as_str().unwrap().replace("2026-05-04", "2026-05-06");
        v["sent_at"] = Value::String(s);
    }
    let p = producer(&broker.addr);
    for l in &groom {
        produce(&p, &t.input, Some(b"demo-en-groom"), l.as_bytes()).await;
    }
    for v in &later {
        produce(&p, &t.input, Some(b"demo-en-surprise"), v.to_string().as_bytes()).await;
    }
    let total = (groom.len() + later.len()) as i64;

    // librdkafka fails a record whose topic stays unknown for `topic.metadata.propagation.max.ms`
    // (30 s by default), and jaga then stops without committing it, as it should. On a loaded
    // machine this test's steps up to creating the topic can take longer than that, so the
    // producer is told to wait for the topic through all of them.
    let patient = [("JAGA_RDKAFKA_TOPIC_METADATA_PROPAGATION_MAX_MS", "300000")];
    let run = start_jaga(&broker.addr, &t, dir.path(), &patient);
    // Wait until everything was read and scored, with the event stuck.
    let start = Instant::now();
    loop {
        let page = run.metrics().unwrap_or_default();
        if metric_sum(&page, "jaga_records_consumed_total") as i64 >= total
            && metric_sum(&page, "jaga_events_total") >= 1.0
        {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "jaga did not process the stream:\n{}", run.log_text());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep(Duration::from_secs(7)).await; // more than one commit interval
    let first_trigger = replay_first_trigger_index(&groom);
    let c = committed(&broker.addr, &t.group, &t.input, 1)[0];
    assert!(
        c.is_none_or(|o| o <= first_trigger),
        "offset {c:?} committed past message {first_trigger} whose event is not acknowledged"
    );

    // Once the topic exists, the event is delivered and the commit moves past the grooming
    // conversation, up to the first message of the benign one: that conversation's window is
    // still live, and a restart must re-read it to rebuild its state (the window horizon).
    broker.create_topics(&[&t.output], 1).await;
    let start = Instant::now();
    loop {
        let c = committed(&broker.addr, &t.group, &t.input, 1)[0];
        if c.is_some_and(|o| o >= groom.len() as i64) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(150), "offsets never committed (at {c:?}):\n{}", run.log_text());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let events = consume_until(&broker.addr, &t.output, 1, Duration::from_secs(30), |r| !r.is_empty());
    assert!(!events.is_empty(), "the held-back event was delivered");
    assert!(run.terminate().success());
}

/// Offset (index) of the first message of `lines` that triggers an event in replay.
fn replay_first_trigger_index(lines: &[&str]) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.jsonl");
    std::fs::write(&f, lines.join("\n")).unwrap();
    let events = replay_events(&f);
    let trigger = events.first().expect("the grooming conversation raises an event")["trigger_message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    lines.iter().position(|l| l.contains(&format!("\"{trigger}\""))).expect("trigger in stream") as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_and_restart_lose_no_event() {
    let Some(broker) = Broker::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 3).await;
    let stream = stream_copies(dir.path(), 8);
    let want = event_ids(&replay_events(&stream));
    produce_file(&broker.addr, &t.input, &stream).await;

    // Static group membership, as a StatefulSet deployment would run it (docs/operations.md): the
    // restarted process takes over its predecessor's place in the group at once instead of waiting
    // out the dead member's session.
    let member = [("JAGA_RDKAFKA_GROUP_INSTANCE_ID", "jaga-0")];
    let first = start_jaga(&broker.addr, &t, dir.path(), &member);
    let start = Instant::now();
    loop {
        let page = first.metrics().unwrap_or_default();
        if metric_sum(&page, "jaga_events_produced_total") >= 3.0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no events before the kill:\n{}", first.log_text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let consumed_before_kill = metric_sum(&first.metrics().unwrap_or_default(), "jaga_records_consumed_total");
    first.kill9();

    let second = start_jaga(&broker.addr, &t, dir.path(), &member);
    let records = wait_for_events(&broker.addr, &t.output, 3, &want, Duration::from_secs(240));
    let got = event_ids(&records.iter().map(Record::json).collect::<Vec<_>>());
    let missing: Vec<&String> = want.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "events lost across kill -9 (killed after {consumed_before_kill} records): {missing:?}\nlog:\n{}",
        second.log_text()
    );
    assert!(second.terminate().success());
}
