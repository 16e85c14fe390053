//! Hostile input and failing brokers: a poison-pill storm, dead-letter copies the producer
//! rejects, SIGTERM with work in flight, and (on librdkafka's mock cluster) a broker outage.

use crate::broker::Broker;
use crate::support::*;
use chrono::{TimeZone, Utc};
use rdkafka::mocking::{MockCluster, MockCoordinator};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).unwrap()
}

fn ids(records: &[Record]) -> BTreeSet<String> {
    records.iter().filter_map(|r| r.json()["event_id"].as_str().map(str::to_owned)).collect()
}

/// The bad record number `i` of the storm, and the reason it must be dead-lettered with. None of
/// the reasons may quote the marker.
fn poison(i: usize) -> (Vec<u8>, &'static str) {
    let good = |extra: &str| {
        format!(
            r#"{{"message_id":"p{i}","conversation_id":"poison-{}","sender_id":"u","sent_at":"2026-07-01T08:00:00Z","text":"SECRET-MARKER"{extra}}}"#,
            i % 50
        )
    };
    match i % 7 {
        0 => (b"{SECRET-MARKER not json".to_vec(), "not_json"),
        1 => (b"\xff\xfeSECRET-MARKER".to_vec(), "invalid_utf8"),
        2 => (br#"{"message_id":"x","text":"SECRET-MARKER"}"#.to_vec(), "missing_field"),
        3 => (good(r#","recipient_ids":"SECRET-MARKER""#).into_bytes(), "wrong_type"),
        4 => (
            good("").replace(&format!("\"p{i}\""), &format!("\"{}\"", "SECRET-MARKER".repeat(30))).into_bytes(),
            "id_too_long",
        ),
        5 => (good("").replace("2026-07-01T08:00:00Z", "SECRET-MARKER").into_bytes(), "invalid_timestamp"),
        _ => (br#"["SECRET-MARKER"]"#.to_vec(), "not_an_object"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_pill_storm_is_dead_lettered_with_bounded_memory_and_stops_nothing() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 3).await;
    let config = hashing_config(dir.path(), SMALL_WINDOW);
    let lines = synthetic_stream(20, 43, "storm-", start());
    let want = event_ids(&replay_with(&config, &write_lines(dir.path(), "good.jsonl", &lines)));

    const BAD: usize = 10_000;
    let producer = producer(&broker.addr);
    let mut expected_reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let sends: Vec<_> = (0..BAD)
        .map(|i| {
            let (payload, reason) = poison(i);
            *expected_reasons.entry(reason).or_default() += 1;
            let (producer, topic) = (producer.clone(), t.input.clone());
            async move {
                let key = format!("poison-{}", i % 50);
                producer
                    .send(
                        rdkafka::producer::FutureRecord::to(&topic).key(key.as_bytes()).payload(&payload),
                        Duration::from_secs(60),
                    )
                    .await
                    .map_err(|(e, _)| e)
                    .expect("produce a poison pill");
            }
        })
        .collect();
    // The good stream is interleaved with the storm.
    let mut sends = sends.into_iter();
    futures::future::join_all(sends.by_ref().take(BAD / 2)).await;
    produce_lines(&producer, &t.input, &lines[..lines.len() / 2]).await;
    futures::future::join_all(sends).await;
    produce_lines(&producer, &t.input, &lines[lines.len() / 2..]).await;

    let run = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", config.to_str().unwrap()]);
    let dlq = consume_until(&broker.addr, &t.dlq, 3, Duration::from_secs(240), |r| r.len() >= BAD);
    let events = consume_until(&broker.addr, &t.output, 3, Duration::from_secs(60), |r| want.is_subset(&ids(r)));
    assert_eq!(ids(&events), want, "the good conversations are scored as if the storm never happened");
    assert_eq!(dlq.len(), BAD, "every bad record is dead-lettered once");
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &dlq {
        let reason = r.header("jaga.dlq.reason").expect("reason header");
        *reasons.entry(expected_reasons.keys().find(|k| **k == reason).copied().unwrap_or("other")).or_default() += 1;
        assert!(!r.header("jaga.dlq.detail").unwrap_or_default().contains("SECRET"), "a detail quotes the record");
    }
    assert_eq!(reasons, expected_reasons);
    assert!(!run.log_text().contains("SECRET"), "a log line quotes a record");
    let page = run.metrics().unwrap();
    assert_eq!(metric_sum(&page, "jaga_bad_records_total"), BAD as f64);
    // The storm is streamed through, not held: a few in-flight batches and librdkafka's prefetch.
    let peak = run.peak_rss().unwrap_or(0);
    assert!(peak < 400 << 20, "peak RSS {} MB during the storm", peak >> 20);
    assert!(run.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_copy_the_producer_rejects_is_truncated_and_processing_goes_on() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 1).await;
    // The producer takes at most 200 kB: a 300 kB record's copy (cut to 256 KiB) is rejected.
    let config =
        hashing_config(dir.path(), &format!("[kafka.producer]\n\"message.max.bytes\" = \"200000\"\n\n{SMALL_WINDOW}"));
    let lines = synthetic_stream(6, 47, "big-", start());
    let want = event_ids(&replay_with(&config, &write_lines(dir.path(), "good.jsonl", &lines)));
    let producer = producer(&broker.addr);
    let big = |n: usize| {
        format!(
            r#"{{"message_id":"big","conversation_id":"big","sender_id":"u","sent_at":"2026-07-01T08:00:00Z","text":"{}"}}"#,
            "x".repeat(n)
        )
    };
    for (key, size) in [("fits", 150_000), ("rejected", 300_000), ("huge", 700_000)] {
        produce(&producer, &t.input, Some(key.as_bytes()), big(size).as_bytes()).await;
    }
    produce_lines(&producer, &t.input, &lines).await;

    let run = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", config.to_str().unwrap()]);
    let events = consume_until(&broker.addr, &t.output, 1, Duration::from_secs(120), |r| want.is_subset(&ids(r)));
    assert_eq!(ids(&events), want, "records after the oversized ones are processed:\n{}", run.log_text());
    let dlq = consume_until(&broker.addr, &t.dlq, 1, Duration::from_secs(60), |r| r.len() >= 3);
    let by_key = |k: &str| {
        dlq.iter()
            .find(|r| r.key.as_deref() == Some(k.as_bytes()))
            .unwrap_or_else(|| panic!("no DLQ copy of {k}"))
            .clone()
    };
    let fits = by_key("fits");
    assert_eq!(fits.payload.len(), big(150_000).len(), "a copy the producer takes is kept whole");
    assert_eq!(fits.header("jaga.dlq.truncated"), None);
    for (key, size) in [("rejected", 300_000), ("huge", 700_000)] {
        let r = by_key(key);
        assert_eq!(r.header("jaga.dlq.reason"), Some("too_large"));
        assert!(r.payload.is_empty(), "{key}: the rejected copy goes without its value");
        assert_eq!(r.header("jaga.dlq.truncated"), Some(big(size).len().to_string().as_str()));
        assert_eq!(r.header("jaga.dlq.source.topic"), Some(t.input.as_str()), "{key}: the copy points at the original");
        assert!(r.header("jaga.dlq.source.offset").is_some());
    }
    let page = run.metrics().unwrap();
    assert_eq!(metric_sum(&page, "jaga_dlq_truncated_total"), 2.0);
    assert!(page.contains("jaga_errors_total{kind=\"per_record\"} 2"), "{page}");
    assert_eq!(metric_sum(&page, "jaga_errors_total{kind=\"fatal\"}"), 0.0);
    assert!(run.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_delivers_and_commits_in_flight_work() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 2).await;
    // Long linger and big batches, so SIGTERM finds a batch being filled and batches in flight.
    let config = hashing_config(
        dir.path(),
        &format!("[pipeline]\nmax_batch = 256\nbatch_linger_ms = 2000\n\n[kafka]\ncommit_interval_ms = 60000\n\n{SMALL_WINDOW}"),
    );
    let lines = synthetic_stream(40, 53, "term-", start());
    let events = replay_with(&config, &write_lines(dir.path(), "stream.jsonl", &lines));
    let producer = producer(&broker.addr);
    let positions = produce_lines(&producer, &t.input, &lines).await;
    let at: BTreeMap<&str, (i32, i64)> =
        lines.iter().zip(&positions).map(|(l, &p)| (l["message_id"].as_str().unwrap(), p)).collect();

    let args = ["--config", config.to_str().unwrap(), "--log-format", "json"];
    let run = start_jaga_with(&broker.addr, &t, dir.path(), &[], &args);
    wait_for_metric(&run, Duration::from_secs(120), "records read", |p| {
        metric_sum(p, "jaga_records_consumed_total") >= 1.0
    })
    .await;
    let status = run.terminate_with_log();
    assert!(status.0.success(), "SIGTERM exits 0:\n{}", status.1);
    let consumed: u64 = status
        .1
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["fields"]["message"] == "Stopped.")
        .and_then(|l| l["fields"]["consumed"].as_u64())
        .unwrap_or_else(|| panic!("no Stopped line:\n{}", status.1));
    assert!(consumed > 0);
    let committed = committed(&broker.addr, &t.group, &t.input, 2);
    let total: i64 = committed.iter().map(|c| c.unwrap_or(0)).sum();
    assert_eq!(total, consumed as i64, "everything read was finished and committed: {committed:?}");
    // Every event of a committed record was delivered.
    let due: BTreeSet<String> = events
        .iter()
        .filter(|e| {
            let (p, o) = at[e["trigger_message_id"].as_str().unwrap()];
            committed[p as usize].is_some_and(|c| o < c)
        })
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect();
    let got = ids(&consume_until(&broker.addr, &t.output, 2, Duration::from_secs(30), |r| due.is_subset(&ids(r))));
    let missing: Vec<_> = due.difference(&got).collect();
    assert!(missing.is_empty(), "committed but never delivered: {missing:?}");
}

/// The broker that leads the output topic goes away: deliveries fail, jaga retries with
/// readiness down and commits nothing past the unacknowledged events; when it is back, every
/// event arrives and readiness recovers, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_outage_is_retried_with_readiness_down_then_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockCluster::new(2).expect("librdkafka mock cluster");
    let brokers = mock.bootstrap_servers();
    let t = Topics::new();
    for topic in [&t.input, &t.dlq, &t.state, &t.output] {
        mock.create_topic(topic, 2, 1).unwrap();
    }
    for p in 0..2 {
        for topic in [&t.input, &t.dlq, &t.state] {
            mock.partition_leader(topic, p, Some(1)).unwrap();
        }
        mock.partition_leader(&t.output, p, Some(2)).unwrap();
    }
    mock.coordinator(MockCoordinator::Group(t.group.clone()), 1).unwrap();
    let config = hashing_config(dir.path(), SMALL_WINDOW);
    let lines = synthetic_stream(20, 59, "mock-", start());
    let events = replay_with(&config, &write_lines(dir.path(), "stream.jsonl", &lines));
    let want = event_ids(&events);

    // Deliveries give up after 3 s instead of 2 minutes, so the outage reaches jaga quickly.
    let env = [("JAGA_RDKAFKA_MESSAGE_TIMEOUT_MS", "3000")];
    let run = start_jaga_with(&brokers, &t, dir.path(), &env, &["--config", config.to_str().unwrap()]);
    let started = Instant::now();
    while run.readyz() != Some(200) {
        assert!(started.elapsed() < Duration::from_secs(90), "never ready:\n{}", run.log_text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    mock.broker_down(2).unwrap();
    let producer = producer(&brokers);
    let positions = produce_lines(&producer, &t.input, &lines).await;
    let started = Instant::now();
    while run.readyz() != Some(503) {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "readiness stayed up during the outage:\n{}",
            run.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = run.metrics().unwrap();
    assert!(metric_sum(&page, "jaga_errors_total{kind=\"retriable\"}") >= 1.0, "{page}\n{}", run.log_text());
    assert_eq!(metric_sum(&page, "jaga_events_produced_total"), 0.0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    // Nothing past the first record whose event is not acknowledged is committed.
    let first_trigger: BTreeMap<i32, i64> = events.iter().fold(BTreeMap::new(), |mut m, e| {
        let i = lines.iter().position(|l| l["message_id"] == e["trigger_message_id"]).unwrap();
        let (p, o) = positions[i];
        let slot = m.entry(p).or_insert(o);
        *slot = (*slot).min(o);
        m
    });
    let c = committed(&brokers, &t.group, &t.input, 2);
    for (p, first) in &first_trigger {
        assert!(
            c[*p as usize].is_none_or(|c| c <= *first),
            "partition {p} committed {c:?} past unacknowledged offset {first}"
        );
    }

    mock.broker_up(2).unwrap();
    let got = ids(&consume_until(&brokers, &t.output, 2, Duration::from_secs(120), |r| want.is_subset(&ids(r))));
    assert_eq!(got, want, "every event arrives once the broker is back:\n{}", run.log_text());
    let started = Instant::now();
    while run.readyz() != Some(200) {
        assert!(started.elapsed() < Duration::from_secs(60), "readiness never recovered:\n{}", run.log_text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(run.terminate().success());
}
