use super::*;
use crate::event::{Level, NUM_STAGES};
use chrono::TimeZone;
use rand::{Rng, SeedableRng};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

/// Wall clock far after every test timestamp, so nothing counts as "in the future".
fn now() -> DateTime<Utc> {
    t(100_000_000)
}

fn msg(id: &str, at: i64, source: Option<(i32, i64)>) -> WindowMessage {
    WindowMessage {
        message_id: id.to_string(),
        sender_id: "u1".to_string(),
        sent_at: t(at),
        age_band: None,
        features: MessageFeatures::from_probs([0.1; NUM_STAGES]),
        excerpt: None,
        source: source.map(|(partition, offset)| SourcePos { partition, offset }),
    }
}

fn cfg(max_messages: usize, ttl_secs: u64) -> WindowConfig {
    WindowConfig { max_messages, idle_ttl_secs: ttl_secs, ..WindowConfig::default() }
}

fn store(max_messages: usize, ttl_secs: u64) -> WindowStore {
    WindowStore::new(cfg(max_messages, ttl_secs), false)
}

fn ids(c: &LiveConversation) -> Vec<String> {
    c.messages().map(|m| m.message_id.to_string()).collect()
}

const P: i32 = NO_PARTITION;

#[test]
fn window_keeps_last_n_messages_and_counts_all() {
    let mut s = store(3, 3600);
    for i in 0..5 {
        s.push("c1", msg(&format!("m{i}"), i, None), now());
    }
    let w = s.get(P, "c1").unwrap();
    assert_eq!(ids(w), ["m2", "m3", "m4"]);
    assert_eq!(w.total_seen(), 5);
    assert_eq!(w.last_active(), t(4));
    assert_eq!(s.len(), 1);
}

#[test]
fn late_message_does_not_move_last_active_back() {
    let mut s = store(10, 3600);
    s.push("c1", msg("m1", 100, None), now());
    s.push("c1", msg("m0", 50, None), now());
    assert_eq!(s.get(P, "c1").unwrap().last_active(), t(100));
}

#[test]
fn an_idle_conversation_starts_afresh_at_its_next_message() {
    let mut s = store(10, 100);
    s.push("a", msg("a1", 0, None), now()).policy_mut().messages_since_event = 7;
    // Exactly at the TTL is not yet "longer than".
    let w = s.push("a", msg("a2", 100, None), now());
    assert_eq!(w.total_seen(), 2);
    let w = s.push("a", msg("a3", 201, None), now());
    assert_eq!(w.total_seen(), 1, "idle for 101 s > 100 s: a new conversation");
    assert_eq!(ids(w), ["a3"]);
    assert_eq!(w.policy(), &PolicyState::default(), "policy state goes with the window");
    assert_eq!(s.stats().expired_idle, 1);
}

#[test]
fn expiry_follows_the_partitions_watermark_not_the_conversations_own_clock() {
    let mut s = store(10, 100);
    s.push("a", msg("a1", 0, Some((0, 0))), now());
    // Another conversation on the same partition moves event time on.
    s.push("b", msg("b1", 150, Some((0, 1))), now());
    // A message of "a" stamped just after its last one still finds it idle: the partition is at 150.
    let w = s.push("a", msg("a2", 60, Some((0, 2))), now());
    assert_eq!(w.total_seen(), 1);
    // A third conversation on another partition does not age partition 0.
    s.push("c", msg("c1", 140, Some((0, 3))), now());
    s.push("x", msg("x1", 10_000, Some((1, 0))), now());
    assert_eq!(s.push("c", msg("c2", 141, Some((0, 4))), now()).total_seen(), 2);
    assert_eq!(s.watermark(0), Some(t(150)));
    assert_eq!(s.watermark(1), Some(t(10_000)));
}

#[test]
fn clocks_in_the_future_or_far_past_affect_only_their_own_conversation() {
    let mut s = WindowStore::new(WindowConfig { max_clock_skew_secs: 300, ..cfg(10, 3600) }, false);
    let wall = t(10_000);
    s.push("a", msg("a1", 9_000, Some((0, 0))), wall);
    // 9999-12-31 on the same partition: not trusted, the watermark stays.
    let mut future = msg("f1", 0, Some((0, 1)));
    future.sent_at = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
    let f = s.push("f", future.clone(), wall);
    assert_eq!(f.last_active(), t(9_000), "a future clock counts as the partition's event time");
    assert_eq!(s.watermark(0), Some(t(9_000)));
    // The original sent_at is kept for the detector.
    let w = s.get(0, "f").unwrap().to_window();
    assert_eq!(w.messages[0].sent_at, future.sent_at);
    // A far-past clock: likewise.
    let past = msg("p1", -1_000_000, Some((0, 2)));
    assert_eq!(s.push("p", past, wall).last_active(), t(9_000));
    // Just within the skew is trusted and moves the watermark.
    s.push("b", msg("b1", 10_200, Some((0, 3))), wall);
    assert_eq!(s.watermark(0), Some(t(10_200)));
    assert_eq!(s.push("a", msg("a2", 9_100, Some((0, 4))), wall).total_seen(), 2, "\"a\" was not aged out");
    let stats = s.stats();
    assert_eq!((stats.clamped_future, stats.clamped_past), (1, 1));
    assert_eq!(stats.expired_idle, 0);
}

#[test]
fn sweeping_idle_conversations_changes_no_outcome() {
    // Two stores see the same random stream; one also sweeps at random points. Every window the
    // detector would see after a push must be the same.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut plain = store(4, 600);
    let mut swept = store(4, 600);
    let mut clock = 0i64;
    for i in 0..5_000 {
        clock += rng.random_range(0..120);
        let late = rng.random_range(0..700);
        let at = if rng.random_bool(0.1) { clock - late } else { clock };
        let conv = format!("c{}", rng.random_range(0..40));
        let part = rng.random_range(0..3);
        let m = msg(&format!("m{i}"), at, Some((part, i)));
        let a = plain.push(&conv, m.clone(), now()).to_window();
        let b = swept.push(&conv, m, now()).to_window();
        assert_eq!(a.messages, b.messages, "message {i}");
        assert_eq!(a.total_seen, b.total_seen, "message {i}");
        if rng.random_bool(0.05) {
            swept.expire_idle();
        }
    }
    assert!(swept.stats().expired_idle > 0, "the test stream has idle gaps");
    assert!(swept.len() <= plain.len());
}

#[test]
fn the_budget_evicts_the_least_recently_touched() {
    let mut s = WindowStore::new(WindowConfig { max_state_bytes: 1024 * 1024, ..cfg(10, 3600) }, false);
    let mut i = 0;
    while s.stats().evicted_budget == 0 {
        s.push(&format!("c{i}"), msg("m", i, None), now());
        // Keep touching c0, so it is never the least recently touched.
        s.push("c0", msg(&format!("k{i}"), i, None), now());
        s.enforce_budget();
        i += 1;
        assert!(i < 100_000, "the budget is never reached");
    }
    assert!(s.approx_bytes() <= 1024 * 1024);
    assert!(s.get(P, "c0").is_some(), "the most recently touched survives");
    assert!(s.get(P, "c1").is_none(), "the least recently touched went first");
}

#[test]
fn the_per_conversation_cap_drops_the_oldest_messages() {
    let mut s = WindowStore::new(WindowConfig { max_conversation_bytes: 4096, ..cfg(50, 3600) }, false);
    for i in 0..50 {
        let mut m = msg(&format!("{i:0>200}"), i, None);
        m.sender_id = format!("sender-{i}");
        s.push("big", m, now());
    }
    let w = s.get(P, "big").unwrap();
    assert!(w.len() < 50 && w.len() > 1, "{}", w.len());
    assert!(w.footprint() <= 4096);
    assert_eq!(ids(w).last().unwrap(), &format!("{:0>200}", 49));
    assert!(s.stats().trimmed_messages > 0);
    assert!(w.senders().len() <= w.len() + 1, "the sender table follows the window");
}

#[test]
fn sender_table_compaction_keeps_every_message_with_its_sender() {
    let mut s = store(3, 3600);
    for i in 0..20 {
        let mut m = msg(&format!("m{i}"), i, None);
        m.sender_id = format!("u{}", i % 5);
        s.push("g", m, now());
    }
    let w = s.get(P, "g").unwrap().to_window();
    let got: Vec<(String, String)> = w.messages.iter().map(|m| (m.message_id.clone(), m.sender_id.clone())).collect();
    assert_eq!(got, [("m17".into(), "u2".into()), ("m18".into(), "u3".into()), ("m19".into(), "u4".into())]);
}

#[test]
fn revoking_a_partition_drops_only_its_state_and_writes_no_tombstones() {
    let mut s = store(10, 3600);
    s.track_changes();
    s.push("a", msg("a1", 1, Some((0, 10))), now());
    s.push("b", msg("b1", 2, Some((1, 20))), now());
    s.take_changes();
    assert_eq!(s.remove_partition(0), 1);
    assert!(s.get(0, "a").is_none() && s.get(1, "b").is_some());
    assert_eq!(s.stats().revoked, 1);
    assert!(s.take_changes().is_empty(), "the state now belongs to the next owner");
    assert_eq!(s.watermark(0), None);
}

#[test]
fn approx_bytes_grows_and_shrinks_to_zero() {
    let mut s = store(3, 100);
    assert_eq!(s.approx_bytes(), 0);
    s.push("a", msg("a1", 0, None), now());
    let one = s.approx_bytes();
    assert!(one > 0);
    s.push("b", msg("b1", 50, None), now());
    assert!(s.approx_bytes() > one);
    s.push("b", msg("b2", 201, None), now());
    s.expire_idle();
    assert!(s.get(P, "a").is_none());
    s.push("c", msg("c1", 1000, None), now());
    s.expire_idle();
    assert_eq!(s.len(), 1);
    s.clear();
    assert_eq!(s.approx_bytes(), 0);
    assert!(s.is_empty());
}

/// Every state of `a`'s partitions equals `b`'s.
fn assert_same_state(a: &WindowStore, b: &WindowStore, partitions: &[i32], convs: &[&str]) {
    for &p in partitions {
        assert_eq!(a.watermark(p), b.watermark(p), "watermark of {p}");
        for c in convs {
            let (x, y) = (a.get(p, c).map(|w| w.to_window()), b.get(p, c).map(|w| w.to_window()));
            assert_eq!(x.is_some(), y.is_some(), "{c} on {p}");
            if let (Some(x), Some(y)) = (x, y) {
                assert_eq!(x.messages, y.messages);
                assert_eq!((x.total_seen, x.last_active, &x.policy), (y.total_seen, y.last_active, &y.policy));
            }
            assert_eq!(
                a.get(p, c).and_then(LiveConversation::last_offset),
                b.get(p, c).and_then(LiveConversation::last_offset)
            );
        }
    }
}

/// Applies changes to a changelog "topic": per partition, records in order.
fn append(log: &mut HashMap<i32, Vec<codec::OwnedRecord>>, changes: Vec<StateChange>) {
    for c in changes {
        log.entry(c.partition).or_default().push((c.key, c.value));
    }
}

fn restore_from(log: &HashMap<i32, Vec<codec::OwnedRecord>>, cfg: WindowConfig, excerpts: bool) -> WindowStore {
    let mut s = WindowStore::new(cfg, excerpts);
    s.track_changes();
    for (&p, records) in log {
        let stats = s.restore_partition(p, records.iter().map(|(k, v)| (k.as_slice(), v.as_deref())));
        assert_eq!(stats.corrupt, 0);
    }
    s
}

#[test]
fn the_changelog_rebuilds_exactly_the_same_state() {
    let config = cfg(4, 600);
    let mut live = WindowStore::new(config.clone(), true);
    live.track_changes();
    let mut log = HashMap::new();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut clock = 0;
    let convs: Vec<String> = (0..12).map(|i| format!("conv-{i}")).collect();
    for i in 0..600i64 {
        clock += rng.random_range(0..100);
        let c = &convs[rng.random_range(0..convs.len())];
        let part = (c.len() % 2) as i32 + i32::from(c.ends_with('3'));
        let mut m = msg(&format!("m{i}"), clock, Some((part, i)));
        m.sender_id = format!("u{}", rng.random_range(0..3));
        m.excerpt = Some(format!("excerpt {i}"));
        m.age_band = [None, Some(AgeBand::From13To15), Some(AgeBand::Adult)][rng.random_range(0..3)];
        m.features = MessageFeatures::new(std::array::from_fn(|_| rng.random()), rng.random());
        let w = live.push(c, m, now());
        w.policy_mut().level = Some(Level::Alert);
        w.policy_mut().messages_since_event = i as u64;
        if i % 50 == 0 {
            live.expire_idle();
        }
        if i % 7 == 0 {
            append(&mut log, live.take_changes());
        }
    }
    append(&mut log, live.take_changes());
    let restored = restore_from(&log, config, true);
    let names: Vec<&str> = convs.iter().map(String::as_str).collect();
    assert_same_state(&live, &restored, &[0, 1, 2], &names);
    assert_eq!(restored.len(), live.len());
    // And both go on identically.
    let mut a = live;
    let mut b = restored;
    for (i, c) in names.iter().enumerate() {
        let m = msg(&format!("after{i}"), clock + 10, Some((0, 1_000 + i as i64)));
        assert_eq!(a.push(c, m.clone(), now()).to_window().messages, b.push(c, m, now()).to_window().messages);
    }
}

#[test]
fn applied_records_are_recognised_by_partition_and_by_conversation() {
    let mut live = store(10, 3600);
    live.track_changes();
    let mut log = HashMap::new();
    live.push("a", msg("a1", 1, Some((0, 5))), now());
    live.push("b", msg("b1", 2, Some((0, 6))), now());
    append(&mut log, live.take_changes());
    // A batch whose conversation records landed but whose metadata record did not (a crash
    // between the two): "a" was written with offset 7, the partition still says 6.
    live.push("a", msg("a2", 3, Some((0, 7))), now());
    let changes: Vec<StateChange> = live.take_changes().into_iter().filter(|c| !c.meta).collect();
    append(&mut log, changes);
    let s = restore_from(&log, cfg(10, 3600), false);
    let pos = |offset| SourcePos { partition: 0, offset };
    assert_eq!(s.applied("b", pos(6)), Applied::Partition);
    assert_eq!(s.applied("a", pos(7)), Applied::Conversation);
    assert_eq!(s.applied("b", pos(8)), Applied::No);
    assert_eq!(s.applied("new", pos(7)), Applied::No);
    assert_eq!(s.applied("a", SourcePos { partition: 1, offset: 0 }), Applied::No);
}

#[test]
fn expiry_and_eviction_write_tombstones_and_metadata_comes_last() {
    let mut s = store(10, 100);
    s.track_changes();
    s.push("a", msg("a1", 0, Some((2, 0))), now());
    s.push("b", msg("b1", 500, Some((2, 1))), now());
    s.expire_idle();
    let changes = s.take_changes();
    let a_key = codec::conversation_key("a");
    assert!(changes.iter().any(|c| c.key == a_key && c.value.is_none()), "a tombstone for the expired one");
    assert!(changes.iter().any(|c| c.key == codec::conversation_key("b") && c.value.is_some()));
    assert!(changes.last().unwrap().meta, "partition metadata after the conversations");
    assert!(changes.iter().filter(|c| c.meta).all(|c| c.partition == 2));
    assert!(s.take_changes().is_empty(), "changes are taken once");
}

#[test]
fn corrupt_records_are_errors_never_panics() {
    let mut s = store(10, 3600);
    s.track_changes();
    let mut m = msg("m1", 1, Some((0, 1)));
    m.excerpt = Some("x".into());
    s.push("conv", m, now());
    let changes = s.take_changes();
    let value = changes.iter().find(|c| !c.meta).and_then(|c| c.value.clone()).unwrap();
    let key = codec::conversation_key("conv");
    assert!(codec::decode_record(&key, Some(&value)).is_ok());
    for cut in 0..value.len() {
        assert!(codec::decode_record(&key, Some(&value[..cut])).is_err(), "cut at {cut}");
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for _ in 0..2_000 {
        let mut v = value.clone();
        let i = rng.random_range(0..v.len());
        v[i] = rng.random();
        let _ = codec::decode_record(&key, Some(&v));
    }
    assert!(codec::decode_record(b"zzz", Some(&value)).is_err());
    assert!(codec::decode_record(&[b'c', 0xff], None).is_err(), "ids are UTF-8");
    let mut wrong = value.clone();
    wrong[0] = 99;
    assert_eq!(codec::decode_record(&key, Some(&wrong)), Err(codec::CodecError::Format(99)));
    let s2 = {
        let mut s2 = store(10, 3600);
        let stats = s2.restore_partition(0, [(key.as_slice(), Some(&value[..3])), (b"p".as_slice(), Some(&[1u8][..]))]);
        assert_eq!(stats.corrupt, 2);
        s2
    };
    assert!(s2.is_empty());
}

#[test]
fn a_record_written_before_the_cue_is_restored_with_cue_zero() {
    let mut s = store(10, 3600);
    s.track_changes();
    let mut m = msg("m1", 1, Some((0, 1)));
    m.features = MessageFeatures::new([0.2; NUM_STAGES], 0.9);
    s.push("conv", m, now());
    let value = s.take_changes().into_iter().find(|c| !c.meta).and_then(|c| c.value).unwrap();
    let key = codec::conversation_key("conv");
    // Format 1 is format 2 without the cue byte, which ends this one-message record.
    let mut old = value.clone();
    old[0] = codec::FORMAT_BEFORE_CUE;
    old.pop();
    let restored = |v: &[u8]| match codec::decode_record(&key, Some(v)).unwrap() {
        codec::Record::Conversation(_, Some(c)) => c.messages().next().unwrap().features,
        other => panic!("{other:?}"),
    };
    let (new_f, old_f) = (restored(&value), restored(&old));
    assert!((new_f.cue() - 0.9).abs() < 0.01);
    assert_eq!(old_f.cue(), 0.0);
    assert_eq!(old_f.probs(), new_f.probs());
    // A format-1 record that still carries the extra byte is malformed, not misread.
    let mut long = value;
    long[0] = codec::FORMAT_BEFORE_CUE;
    assert!(codec::decode_record(&key, Some(&long)).is_err());
}

#[test]
fn config_parses_with_defaults_and_rejects_unusable_values() {
    let cfg: WindowConfig = toml::from_str("max_messages = 20\nidle_ttl_secs = 60").unwrap();
    assert_eq!(cfg.max_messages, 20);
    assert_eq!(cfg.idle_ttl_secs, 60);
    assert_eq!(cfg.max_state_bytes, WindowConfig::default().max_state_bytes);
    assert!(toml::from_str::<WindowConfig>("max_msgs = 20").is_err());
    assert!(WindowConfig::default().validate().is_ok());
    let e = WindowConfig { max_messages: 0, ..WindowConfig::default() }.validate().unwrap_err();
    assert_eq!(e.field, "max_messages");
    assert!(e.to_string().starts_with("window.max_messages"), "{e}");
    let e = WindowConfig { max_conversation_bytes: 2_000_000, max_state_bytes: 10_000_000, ..WindowConfig::default() };
    assert_eq!(e.validate().unwrap_err().field, "max_conversation_bytes");
    assert!(WindowConfig { idle_ttl_secs: 0, ..WindowConfig::default() }.validate().is_err());
}

/// Memory with 100,000 live conversations of 10 messages each (issue 9's target), without the
/// model: accounted bytes and the process's resident memory before and after.
///
/// `cargo test --release --lib window::tests::measure_state_memory -- --ignored --nocapture`
#[test]
#[ignore = "a measurement (about 1 GB of memory at peak in the old layout), run by hand"]
fn measure_state_memory() {
    let convs: usize = std::env::var("JAGA_MEASURE_CONVERSATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let per: usize = std::env::var("JAGA_MEASURE_MESSAGES").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let before = rss_bytes();
    let mut s = WindowStore::new(WindowConfig { max_state_bytes: 8 << 30, ..WindowConfig::default() }, false);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for round in 0..per {
        for c in 0..convs {
            // Realistic ids: a UUID-like conversation id, 20-byte message ids, two senders.
            let id = format!("conv-{c:08}-4f1c-9d2e-{:012}", c * 7919);
            let mut m = msg(
                &format!("msg-{c:08}-{round:04}-abcd"),
                (round * 60) as i64,
                Some(((c % 6) as i32, (round * convs + c) as i64)),
            );
            m.sender_id = format!("user-{:010}", (c * 2 + round % 2) % 1_000_000);
            m.features = MessageFeatures::from_probs(std::array::from_fn(|_| rng.random()));
            s.push(&id, m, now());
        }
    }
    s.enforce_budget();
    let after = rss_bytes();
    println!(
        "{convs} conversations x {per} messages: accounted {:.1} MB, RSS {:.1} MB -> {:.1} MB (+{:.1} MB)",
        s.approx_bytes() as f64 / 1e6,
        before as f64 / 1e6,
        after as f64 / 1e6,
        (after.saturating_sub(before)) as f64 / 1e6
    );
    assert_eq!(s.len(), convs);
}

/// Resident set size of this process (Linux), 0 elsewhere.
pub(crate) fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
