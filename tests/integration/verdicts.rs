//! The reviewer loop on a real broker: events out of `jaga run`, verdicts back in, precision on
//! the metrics page, bad verdicts on the dead-letter topic, verdict offsets committed, and
//! `jaga tune --events --verdicts` writing a profile from the same files.

use crate::broker::Broker;
use crate::support::*;
use chrono::{TimeZone, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

const PARTITIONS: i32 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdict_round_trip_events_verdicts_precision_and_tune() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    let verdicts_topic = format!("{}.verdicts", t.input);
    broker.create_topics(&[&t.input, &t.output, &t.dlq, &verdicts_topic], PARTITIONS).await;
    let config = hashing_config(
        dir.path(),
        &format!("[kafka]\ncommit_interval_ms = 200\n\n[verdicts]\nwindow_verdicts = 5000\n\n{SMALL_WINDOW}"),
    );
    let lines = synthetic_stream(24, 29, "rv-", Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap());
    let want = event_ids(&replay_with(&config, &write_lines(dir.path(), "stream.jsonl", &lines)));
    assert!(want.len() >= 10, "the stream raises only {} events", want.len());

    let run = start_jaga_with(
        &broker.addr,
        &t,
        dir.path(),
        &[],
        &["--config", config.to_str().unwrap(), "--verdicts-topic", &verdicts_topic],
    );
    let producer = producer(&broker.addr);
    produce_lines(&producer, &t.input, &lines).await;

    // The events, read back from the output topic (at least once: one per id kept).
    let records = consume_until(&broker.addr, &t.output, PARTITIONS, Duration::from_secs(180), |recs| {
        want.is_subset(&event_ids(&recs.iter().map(Record::json).collect::<Vec<_>>()))
    });
    let mut events: BTreeMap<String, Value> = BTreeMap::new();
    for r in &records {
        let e = r.json();
        events.insert(e["event_id"].as_str().unwrap().to_owned(), e);
    }
    assert_eq!(events.keys().cloned().collect::<std::collections::BTreeSet<_>>(), want, "{}", run.log_text());

    // Reviewers confirm the riskier half and call the rest false alarms. The verdicts carry no
    // `level`: jaga attributes them from the events it emitted.
    let mut by_risk: Vec<&Value> = events.values().collect();
    by_risk.sort_by(|a, b| b["risk_score"].as_f64().unwrap().total_cmp(&a["risk_score"].as_f64().unwrap()));
    let confirmed_n = by_risk.len() / 2;
    let mut expected: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let mut verdict_lines = Vec::new();
    for (i, e) in by_risk.iter().enumerate() {
        let kind = if i < confirmed_n { "confirmed" } else { "false_alarm" };
        *expected.entry((e["level"].as_str().unwrap().to_owned(), kind)).or_default() += 1;
        verdict_lines.push(serde_json::json!({
            "schema_version": 1, "event_id": e["event_id"], "conversation_id": e["conversation_id"],
            "verdict": kind, "reviewer_id": "queue-7", "decided_at": Utc::now().to_rfc3339(),
        }));
    }
    for v in &verdict_lines {
        let key = v["conversation_id"].as_str().unwrap().as_bytes().to_vec();
        produce(&producer, &verdicts_topic, Some(key.as_slice()), v.to_string().as_bytes()).await;
    }
    let malformed = br#"{"schema_version":1,"event_id":"not-an-event","verdict":"confirmed"}"#;
    produce(&producer, &verdicts_topic, Some(&b"bad"[..]), malformed).await;
    let total_verdicts = verdict_lines.len() + 1;

    wait_for_metric(&run, Duration::from_secs(60), "every verdict counted", |page| {
        metric_sum(page, "jaga_verdicts_total") as usize == verdict_lines.len()
            && metric_sum(page, "jaga_bad_verdicts_total") == 1.0
    })
    .await;
    let page = run.metrics().unwrap();
    eprintln!("verdict metrics:");
    for l in page.lines().filter(|l| {
        l.starts_with("jaga_verdict") || l.starts_with("jaga_bad_verdicts_total{reason=\"invalid_event_id\"}")
    }) {
        eprintln!("  {l}");
    }
    for level in ["watch", "alert", "critical"] {
        let n = |kind: &str| expected.get(&(level.to_owned(), kind)).copied().unwrap_or(0);
        let (c, f) = (n("confirmed"), n("false_alarm"));
        for (kind, count) in [("confirmed", c), ("false_alarm", f)] {
            let series = format!("jaga_verdicts_total{{level=\"{level}\",verdict=\"{kind}\"}}");
            assert_eq!(metric_sum(&page, &series) as usize, count, "{series}");
        }
        let gauge = format!("jaga_verdict_precision_ratio{{level=\"{level}\"}}");
        if c + f == 0 {
            assert!(!page.contains(&gauge), "{gauge} without verdicts");
        } else {
            let want = c as f64 / (c + f) as f64;
            assert!((metric_sum(&page, &gauge) - want).abs() < 1e-9, "{gauge}: want {want}\n{page}");
        }
    }
    assert_eq!(metric_sum(&page, "jaga_verdicts_total{level=\"unknown\",verdict=\"confirmed\"}"), 0.0);
    assert_eq!(metric_sum(&page, "jaga_bad_verdicts_total{reason=\"invalid_event_id\"}"), 1.0);

    // The malformed verdict is on the dead-letter topic with its reason, source and bytes.
    let dlq = consume_until(&broker.addr, &t.dlq, PARTITIONS, Duration::from_secs(60), |recs| {
        recs.iter().any(|r| r.header("jaga.dlq.source.topic") == Some(verdicts_topic.as_str()))
    });
    let bad = dlq
        .iter()
        .find(|r| r.header("jaga.dlq.source.topic") == Some(verdicts_topic.as_str()))
        .expect("the bad verdict on the DLQ");
    assert_eq!(bad.header("jaga.dlq.reason"), Some("invalid_event_id"));
    assert!(bad.header("jaga.dlq.detail").unwrap().contains("event_id"));
    assert!(!bad.header("jaga.dlq.detail").unwrap().contains("not-an-event"), "the detail never quotes the record");
    assert_eq!(bad.payload, malformed.to_vec());

    // Shutdown commits the verdict offsets: nothing is read twice by the next start.
    let (status, log) = run.terminate_with_log();
    assert!(status.success(), "{log}");
    let committed = committed(&broker.addr, &format!("{}.verdicts", t.group), &verdicts_topic, PARTITIONS);
    let sum: i64 = committed.iter().map(|o| o.unwrap_or(0)).sum();
    assert_eq!(sum as usize, total_verdicts, "committed verdict offsets {committed:?}");

    // The same events and verdicts (malformed line included) tune a profile.
    let events_file = write_lines(dir.path(), "events.jsonl", &events.values().cloned().collect::<Vec<_>>());
    let verdicts_file = dir.path().join("verdicts.jsonl");
    let mut text: String = verdict_lines.iter().map(|v| format!("{v}\n")).collect();
    text.push_str(std::str::from_utf8(malformed).unwrap());
    text.push('\n');
    std::fs::write(&verdicts_file, text).unwrap();
    let profile = dir.path().join("reviewed.toml");
    let out = jaga()
        .args(["tune", "--target-precision", "0.9", "--min-support", "3", "--name", "reviewed", "--events"])
        .arg(&events_file)
        .arg("--verdicts")
        .arg(&verdicts_file)
        .arg("--out")
        .arg(&profile)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("jaga tune --verdicts:\n{err}");
    assert!(out.status.success(), "{err}");
    assert!(err.contains("skipped: invalid_event_id"), "{err}");
    let written = std::fs::read_to_string(&profile).unwrap();
    assert!(written.contains("[provenance.verdicts]"), "{written}");
    let model = events.values().next().unwrap()["model_version"].as_str().unwrap().to_owned();
    assert!(written.contains(&format!("model_version = \"{model}\"")), "{written}");
}
