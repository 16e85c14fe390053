//! Conversation state across crashes, rebalances, lost input and skewed clocks, against a real
//! broker. Every test compares the live processor's event ids with an uninterrupted
//! `jaga replay` of the same stream and configuration (`hashing` encoder, test heads, windows of
//! 8 messages and a one-hour TTL, so windows slide and expire).

use crate::broker::Broker;
use crate::support::*;
use chrono::{TimeZone, Utc};
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap()
}

/// The events `lines` must produce, checking that the stream really slides and expires windows.
fn expected_events(config: &Path, dir: &Path, lines: &[Value]) -> Vec<Value> {
    let file = write_lines(dir, &format!("{}.jsonl", unique("stream")), lines);
    let events = replay_with(config, &file);
    let index: BTreeMap<&str, usize> = {
        let mut per_conv: BTreeMap<&str, usize> = BTreeMap::new();
        let mut idx = BTreeMap::new();
        for l in lines {
            let c = l["conversation_id"].as_str().unwrap();
            let n = per_conv.entry(c).or_default();
            idx.insert(l["message_id"].as_str().unwrap(), *n);
            *n += 1;
        }
        idx
    };
    let first_index = |e: &Value| index.get(e["window"]["first_message_id"].as_str().unwrap()).copied();
    assert!(
        events.iter().any(|e| e["window"]["count"] == 8 && first_index(e).is_some_and(|i| i > 0)),
        "no event from a window that slid"
    );
    assert!(
        events.iter().any(|e| first_index(e) == Some(8) && e["window"]["count"].as_u64() < Some(8)),
        "no event from a conversation that expired and started afresh"
    );
    events
}

fn got_ids(records: &[Record]) -> BTreeSet<String> {
    records.iter().filter_map(|r| r.json()["event_id"].as_str().map(str::to_owned)).collect()
}

fn wait_for_ids(brokers: &str, topic: &str, parts: i32, want: &BTreeSet<String>, limit: Duration) -> BTreeSet<String> {
    got_ids(&consume_until(brokers, topic, parts, limit, |recs| want.is_subset(&got_ids(recs))))
}

/// `kill -9` at random moments while the stream is being produced and consumed, restarting at
/// once (static group membership, as a StatefulSet runs it). Returns (kills, missing, extra).
async fn soak(kills: usize, conversations: usize) -> Option<(usize, Vec<String>, Vec<String>)> {
    let broker = Broker::start()?;
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 3).await;
    let extra_cfg = std::env::var("JAGA_SOAK_EXTRA_CONFIG").unwrap_or_default().replace("\\n", "\n");
    // Frequent commits, so restarts begin at many different offsets.
    let config = hashing_config(dir.path(), &format!("[kafka]\ncommit_interval_ms = 200\n\n{SMALL_WINDOW}{extra_cfg}"));
    let cfg = config.to_str().unwrap();
    let lines = synthetic_stream(conversations, 17, "soak-", start());
    let expected = expected_events(&config, dir.path(), &lines);
    let want: BTreeSet<String> = event_ids(&expected);
    assert!(want.len() >= 20, "the soak stream raises {} events", want.len());

    let seed: u64 = std::env::var("JAGA_SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(1)
    });
    eprintln!("soak: {kills} kills, {} messages, {} expected events, seed {seed}", lines.len(), want.len());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let producer = producer(&broker.addr);
    let member = [("JAGA_RDKAFKA_GROUP_INSTANCE_ID", "jaga-soak-0")];
    // One chunk of the stream before each run: every kill lands with records unread or in flight.
    let chunk = lines.len().div_ceil(kills + 1);
    let mut chunks = lines.chunks(chunk);
    let mut last_log = String::new();
    for k in 0..kills {
        let run = start_jaga_with(&broker.addr, &t, dir.path(), &member, &["--config", cfg]);
        // The next chunk arrives while this run works through it; it is killed soon after it has
        // started reading, while records are in flight.
        let chunk: Vec<Value> = chunks.next().map(<[Value]>::to_vec).unwrap_or_default();
        let (p, topic) = (producer.clone(), t.input.clone());
        let producing = tokio::spawn(async move {
            for piece in chunk.chunks(8) {
                produce_lines(&p, &topic, piece).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let started = Instant::now();
        while run.metrics().is_none_or(|p| metric_sum(&p, "jaga_records_consumed_total") < 1.0) {
            assert!(started.elapsed() < Duration::from_secs(90), "run {k} never read:\n{}", run.log_text());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let wait = Duration::from_millis(rng.random_range(0..700));
        tokio::time::sleep(wait).await;
        let page = run.metrics().unwrap_or_default();
        let (read, events) =
            (metric_sum(&page, "jaga_records_consumed_total"), metric_sum(&page, "jaga_events_produced_total"));
        last_log = run.log_text();
        run.kill9();
        eprintln!(
            "soak: kill {} {wait:?} after the first read: {read} records read, {events} events acknowledged",
            k + 1
        );
        if std::env::var_os("JAGA_SOAK_VERBOSE").is_some() {
            eprintln!("{last_log}");
        }
        producing.await.unwrap();
    }
    for c in chunks {
        produce_lines(&producer, &t.input, c).await;
    }
    let run = start_jaga_with(&broker.addr, &t, dir.path(), &member, &["--config", cfg]);
    let got = wait_for_ids(&broker.addr, &t.output, 3, &want, Duration::from_secs(240));
    let missing: Vec<String> = want.difference(&got).cloned().collect();
    let extra: Vec<String> = got.difference(&want).cloned().collect();
    if !extra.is_empty() {
        let out = consume_until(&broker.addr, &t.output, 3, Duration::from_secs(5), |_| false);
        for r in out.iter().map(Record::json).filter(|e| extra.iter().any(|x| e["event_id"] == x.as_str())) {
            eprintln!(
                "soak: extra event {} on {} at {} ({}), window {}",
                r["event_id"], r["conversation_id"], r["trigger_message_id"], r["level"], r["window"]
            );
        }
    }
    if !missing.is_empty() {
        for e in expected.iter().filter(|e| missing.iter().any(|x| e["event_id"] == x.as_str())) {
            eprintln!(
                "soak: missing event {} on {} at {} ({}), window {}",
                e["event_id"], e["conversation_id"], e["trigger_message_id"], e["level"], e["window"]
            );
        }
        let page = run.metrics().unwrap_or_default();
        let jaga_lines: Vec<&str> = page.lines().filter(|l| l.starts_with("jaga_") && !l.contains("_bucket")).collect();
        eprintln!(
            "log of the last killed run:\n{last_log}\nlog of the final run:\n{}\nmetrics:\n{}",
            run.log_text(),
            jaga_lines.join("\n")
        );
    }
    let page = run.metrics().unwrap_or_default();
    assert_eq!(metric_sum(&page, "jaga_dlq_records_total"), 0.0, "no good record is dead-lettered");
    assert!(run.terminate().success());
    Some((kills, missing, extra))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_soak_loses_no_event() {
    let Some((kills, missing, extra)) = soak(5, 60).await else { return };
    eprintln!("soak: {kills} kills, {} missing, {} extra", missing.len(), extra.len());
    assert!(missing.is_empty(), "events lost across {kills} kills: {missing:?}");
    assert!(extra.len() <= kills, "more events than the uninterrupted replay decides: {extra:?}");
}

/// The long variant: `JAGA_SOAK_KILLS=20 cargo test --test integration state::long_kill_9_soak -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long soak (20+ kills, minutes), run by hand"]
async fn long_kill_9_soak() {
    let kills = std::env::var("JAGA_SOAK_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let Some((kills, missing, extra)) = soak(kills, 150).await else { return };
    eprintln!("soak: {kills} kills, {} missing, {} extra", missing.len(), extra.len());
    assert!(missing.is_empty(), "events lost across {kills} kills: {missing:?}");
    assert!(extra.len() <= kills, "more events than the uninterrupted replay decides: {extra:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_with_rebalances_in_the_middle_lose_no_event() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 4).await;
    let config = hashing_config(dir.path(), SMALL_WINDOW);
    let cfg = config.to_str().unwrap();
    let lines = synthetic_stream(60, 23, "reb-", start());
    let want = event_ids(&expected_events(&config, dir.path(), &lines));
    let producer = producer(&broker.addr);
    let third = lines.len() / 3;

    // A alone; B joins (A hands over partitions, B restores their state); A leaves (B takes all).
    produce_lines(&producer, &t.input, &lines[..third]).await;
    let a = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", cfg]);
    wait_for_metric(&a, Duration::from_secs(120), "A reading", |p| metric_sum(p, "jaga_records_consumed_total") >= 1.0)
        .await;
    let b = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", cfg]);
    wait_for_metric(&b, Duration::from_secs(120), "B taking partitions", |p| {
        metric_sum(p, "jaga_state_restore_seconds_count") >= 1.0
    })
    .await;
    produce_lines(&producer, &t.input, &lines[third..2 * third]).await;
    wait_for_metric(&b, Duration::from_secs(120), "B reading", |p| metric_sum(p, "jaga_records_consumed_total") >= 1.0)
        .await;
    assert!(a.terminate().success(), "A leaves cleanly");
    produce_lines(&producer, &t.input, &lines[2 * third..]).await;

    let got = wait_for_ids(&broker.addr, &t.output, 4, &want, Duration::from_secs(240));
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    let page = b.metrics().unwrap_or_default();
    assert!(missing.is_empty(), "events lost across rebalances: {missing:?}\nB:\n{}", b.log_text());
    assert!(extra.len() <= 2, "events no uninterrupted run decides: {extra:?}");
    assert!(
        metric_sum(&page, "jaga_state_restored_conversations_total") > 0.0,
        "B continued conversations A had started (restored from the changelog)"
    );
    assert!(b.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_is_restored_from_the_changelog_after_the_input_is_gone() {
    use rdkafka::admin::{AdminClient, AdminOptions};
    use rdkafka::client::DefaultClientContext;
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 2).await;
    let config = hashing_config(dir.path(), SMALL_WINDOW);
    let cfg = config.to_str().unwrap();
    let lines = synthetic_stream(40, 17, "ret-", start());
    let all = expected_events(&config, dir.path(), &lines);
    let half = lines.len() / 2;
    let second: BTreeSet<&str> = lines[half..].iter().map(|l| l["message_id"].as_str().unwrap()).collect();
    let want: BTreeSet<String> = all
        .iter()
        .filter(|e| second.contains(e["trigger_message_id"].as_str().unwrap()))
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!want.is_empty());

    // Part one: consumed, and committed all the way (no live window holds the commit back).
    let producer = producer(&broker.addr);
    let positions = produce_lines(&producer, &t.input, &lines[..half]).await;
    let run = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", cfg]);
    let mut ends = [0i64; 2];
    for &(p, o) in &positions {
        ends[p as usize] = ends[p as usize].max(o + 1);
    }
    let started = Instant::now();
    loop {
        let c = committed(&broker.addr, &t.group, &t.input, 2);
        if c.iter().zip(ends).all(|(c, e)| c.is_some_and(|c| c == e)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "commits stopped at {c:?} of {ends:?}:\n{}",
            run.log_text()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(run.terminate().success());

    // The input's first part disappears (as retention would drop it): the topic is deleted and
    // recreated, and its offsets are filled with records that hold no conversation.
    let admin: AdminClient<DefaultClientContext> =
        rdkafka::ClientConfig::new().set("bootstrap.servers", &broker.addr).create().unwrap();
    for r in admin.delete_topics(&[&t.input], &AdminOptions::new()).await.unwrap() {
        r.unwrap_or_else(|(t, e)| panic!("deleting {t}: {e}"));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    broker.create_topics(&[&t.input], 2).await;
    for (p, &n) in ends.iter().enumerate() {
        for i in 0..n {
            let filler = serde_json::json!({"message_id": format!("filler-{p}-{i}"), "conversation_id": format!("filler-{p}"),
                "sender_id": "nobody", "sent_at": "2026-06-01T08:00:00Z", "text": "filler"});
            let payload = filler.to_string();
            let rec = rdkafka::producer::FutureRecord::<[u8], [u8]>::to(&t.input)
                .partition(p as i32)
                .payload(payload.as_bytes());
            producer.send(rec, Duration::from_secs(30)).await.map_err(|(e, _)| e).unwrap();
        }
    }
    let positions = produce_lines(&producer, &t.input, &lines[half..]).await;
    assert!(positions.iter().all(|&(p, o)| o >= ends[p as usize]), "part two lands after the fillers");

    let run = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", cfg]);
    let got = wait_for_ids(&broker.addr, &t.output, 2, &want, Duration::from_secs(180));
    let missing: Vec<_> = want.difference(&got).collect();
    assert!(missing.is_empty(), "part two's events need part one's windows: {missing:?}\n{}", run.log_text());
    let page = run.metrics().unwrap_or_default();
    assert!(metric_sum(&page, "jaga_state_restored_conversations_total") > 0.0);
    let fillers_read = metric_sum(&page, "jaga_records_consumed_total") - (lines.len() - half) as f64;
    assert_eq!(
        metric_sum(&page, "jaga_skipped_records_total"),
        fillers_read,
        "every record below the applied offset is skipped, never scored"
    );
    let fillers: Vec<Record> = consume_until(&broker.addr, &t.output, 2, Duration::from_secs(2), |_| false);
    assert!(fillers.iter().all(|r| !r.json()["conversation_id"].as_str().unwrap().starts_with("filler")));
    assert!(run.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_clocks_change_no_other_conversations_events() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 3).await;
    let config = hashing_config(dir.path(), SMALL_WINDOW);
    let lines = synthetic_stream(45, 37, "skew-base-", start());
    let base = event_ids(&expected_events(&config, dir.path(), &lines));

    // A conversation stamped 9999-12-31 and one stamped 1970 (or WIB local time written as UTC,
    // seven hours ahead) in the middle of the stream, copied from real messages, on every partition.
    let mid = lines.len() / 2;
    let mut skewed: Vec<(Option<i32>, Value)> = lines.iter().map(|l| (None, l.clone())).collect();
    let mut extra = Vec::new();
    for p in 0..3 {
        for (tag, at) in [("future", "9999-12-31T23:59:59Z"), ("past", "1970-01-01T00:00:00Z")] {
            for i in 0..6 {
                let mut m = lines[mid + i].clone();
                m["conversation_id"] = Value::String(format!("skewed-{tag}-{p}"));
                m["message_id"] = Value::String(format!("skewed-{tag}-{p}-{i}"));
                m["sent_at"] = Value::String(at.into());
                extra.push((Some(p), m));
            }
        }
    }
    skewed.splice(mid..mid, extra);
    let file = write_lines(dir.path(), "skewed.jsonl", &skewed.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>());
    assert_eq!(ids_without(&replay_with(&config, &file), "skewed-"), base, "replay: skew leaks into others");

    let producer = producer(&broker.addr);
    for (p, v) in &skewed {
        let key = v["conversation_id"].as_str().unwrap().to_owned();
        let payload = v.to_string();
        let mut rec = rdkafka::producer::FutureRecord::to(&t.input).key(key.as_bytes()).payload(payload.as_bytes());
        if let Some(p) = p {
            rec = rec.partition(*p);
        }
        producer.send(rec, Duration::from_secs(30)).await.map_err(|(e, _)| e).unwrap();
    }
    let run = start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", config.to_str().unwrap()]);
    let records = consume_until(&broker.addr, &t.output, 3, Duration::from_secs(180), |recs| {
        base.is_subset(&ids_without(&recs.iter().map(Record::json).collect::<Vec<_>>(), "skewed-"))
    });
    let events: Vec<Value> = records.iter().map(Record::json).collect();
    assert_eq!(ids_without(&events, "skewed-"), base, "run: a skewed clock changed other conversations' events");
    let page = run.metrics().unwrap_or_default();
    for direction in ["future", "past"] {
        let line = format!("jaga_clamped_timestamps_total{{direction=\"{direction}\"}} 18");
        assert!(page.contains(&line), "18 {direction} stamps are clamped:\n{page}");
    }
    assert!(run.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_fails_clearly_on_missing_topics_and_a_mismatched_state_topic() {
    let Some(broker) = Broker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = hashing_config(dir.path(), "");
    let cfg = config.to_str().unwrap();

    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output], 3).await;
    let (status, log) =
        start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", cfg]).wait_exit(Duration::from_secs(60));
    assert!(!status.success());
    assert!(log.contains(&format!("topic {} (dead letters) does not exist", t.dlq)), "{log}");

    let t = Topics::new();
    broker.create_topics(&[&t.input, &t.output, &t.dlq], 3).await;
    broker.create_topics(&[&t.state], 2).await;
    let (status, log) =
        start_jaga_with(&broker.addr, &t, dir.path(), &[], &["--config", cfg]).wait_exit(Duration::from_secs(60));
    assert!(!status.success());
    assert!(log.contains("has 2 partitions but the input topic") && log.contains("has 3"), "{log}");
}
