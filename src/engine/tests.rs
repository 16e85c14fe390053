//! Engine tests on the `hashing` encoder with trained test heads: determinism across batch
//! boundaries, crashes (restore from the changelog with partial writes), clock skew, and records
//! the encoder fails on.

use super::*;
use crate::dataset::synth::{generate, SynthOptions};
use crate::message::AgeBand;
use crate::model::{EncoderInfo, HashingEncoder, TokenBatch};
use crate::testutil::{hashing_engine, hashing_models};
use crate::window::codec::OwnedRecord;
use crate::window::StateChange;
use chrono::TimeZone;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeSet, HashMap};

const PARTITIONS: i32 = 3;

fn opts() -> EngineOptions {
    // A small window and TTL so windows slide and conversations expire within the test stream.
    EngineOptions {
        window: WindowConfig { max_messages: 8, idle_ttl_secs: 3600, ..WindowConfig::default() },
        ..EngineOptions::default()
    }
}

/// A fixed clock, so `emitted_at` and the "future" bound do not depend on when the test runs.
fn engine() -> Engine {
    let clock: Clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
    hashing_engine(opts()).with_clock(clock)
}

/// Synthetic conversations as one interleaved stream: conversation k starts 2 minutes after k-1,
/// messages a minute apart, and every third conversation pauses for four hours (past the one-hour
/// TTL) after its eighth message. Partition by conversation, offsets per partition.
fn stream(conversations: usize, seed: u64) -> Vec<Input> {
    let convs = generate(&SynthOptions { seed, conversations, ..Default::default() });
    let t0 = Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap();
    let mut timed = Vec::new();
    for (k, c) in convs.iter().enumerate() {
        let mut at = t0 + chrono::Duration::minutes(2 * k as i64);
        for (i, mut m) in c.to_chat_messages().unwrap().into_iter().enumerate() {
            if k % 3 == 0 && i == 8 {
                at += chrono::Duration::hours(4);
            }
            m.sent_at = at;
            at += chrono::Duration::minutes(1);
            timed.push(m);
        }
    }
    timed.sort_by_key(|m| m.sent_at);
    let mut next = [0i64; PARTITIONS as usize];
    timed
        .into_iter()
        .map(|message| {
            let p = partition_of(&message.conversation_id);
            let offset = next[p as usize];
            next[p as usize] += 1;
            Input { message, source: Some(SourcePos { partition: p, offset }) }
        })
        .collect()
}

/// Numbers the inputs' offsets afresh per partition, in order (after records were inserted).
fn renumber(inputs: &mut [Input]) {
    let mut next = [0i64; PARTITIONS as usize];
    for i in inputs {
        if let Some(s) = &mut i.source {
            s.offset = next[s.partition as usize];
            next[s.partition as usize] += 1;
        }
    }
}

fn partition_of(conversation_id: &str) -> i32 {
    (conversation_id.bytes().map(u32::from).sum::<u32>() % PARTITIONS as u32) as i32
}

fn event_ids(processed: &[Processed]) -> Vec<String> {
    processed
        .iter()
        .filter_map(|p| match p {
            Processed::Scored(o) => o.event.as_ref().map(|e| e.event_id.clone()),
            _ => None,
        })
        .collect()
}

/// Event ids of an uninterrupted run in batches of `batch`.
fn uninterrupted(inputs: &[Input], batch: usize) -> Vec<String> {
    let mut e = engine();
    inputs.chunks(batch).flat_map(|c| event_ids(&e.process_batch(c).unwrap())).collect()
}

#[test]
fn batch_boundaries_change_no_event() {
    let inputs = stream(60, 11);
    let whole = uninterrupted(&inputs, inputs.len());
    assert!(whole.len() >= 10, "the stream raises events ({})", whole.len());
    let mut e = engine();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut got = Vec::new();
    let mut rest = &inputs[..];
    while !rest.is_empty() {
        let n = rng.random_range(1..=40).min(rest.len());
        got.extend(event_ids(&e.process_batch(&rest[..n]).unwrap()));
        rest = &rest[n..];
    }
    assert_eq!(got, whole);
    let stats = e.windows().stats();
    assert!(stats.expired_idle > 0, "conversations expired in the stream");
}

/// A changelog topic: per partition, records in log order.
#[derive(Default)]
struct Log(HashMap<i32, Vec<OwnedRecord>>);

impl Log {
    fn append(&mut self, changes: impl IntoIterator<Item = StateChange>) {
        for c in changes {
            self.0.entry(c.partition).or_default().push((c.key, c.value));
        }
    }

    fn restore_into(&self, engine: &mut Engine) {
        for p in 0..PARTITIONS {
            let records = self.0.get(&p).map(Vec::as_slice).unwrap_or_default();
            engine.restore_partition(p, records.iter().map(|(k, v)| (k.as_slice(), v.as_deref())));
        }
    }
}

/// Processes `inputs` as the live pipeline would, crashing `crashes` times at random points. At a
/// crash the batch in progress may have delivered its events or not, and written any subset of its
/// conversation records but not its partition metadata; the committed offsets lag behind what is
/// done. The restart restores from the changelog and re-reads from the committed offsets.
fn with_crashes(inputs: &[Input], crashes: usize, seed: u64) -> (BTreeSet<String>, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut log = Log::default();
    let mut delivered = BTreeSet::new();
    let mut committed = [0i64; PARTITIONS as usize];
    let mut crashes_left = crashes;
    let mut skipped = 0;
    'run: loop {
        let mut e = engine().with_changelog();
        log.restore_into(&mut e);
        let todo: Vec<&Input> =
            inputs.iter().filter(|i| i.source.is_some_and(|s| s.offset >= committed[s.partition as usize])).collect();
        let mut done_upto: Vec<[i64; PARTITIONS as usize]> = Vec::new();
        let mut rest = &todo[..];
        let mut progress = committed;
        while !rest.is_empty() {
            let n = rng.random_range(1..=25).min(rest.len());
            let batch: Vec<Input> = rest[..n].iter().map(|i| (*i).clone()).collect();
            rest = &rest[n..];
            let processed = e.process_batch(&batch).unwrap();
            skipped += processed.iter().filter(|p| matches!(p, Processed::Skipped)).count();
            let events = event_ids(&processed);
            let changes = e.take_changes();
            let crash = crashes_left > 0 && rng.random_bool(0.15);
            if crash {
                crashes_left -= 1;
                // Events first (the sink's order): delivered or not.
                if rng.random_bool(0.5) {
                    delivered.extend(events);
                    let partial: Vec<StateChange> =
                        changes.into_iter().filter(|c| !c.meta && rng.random_bool(0.5)).collect();
                    log.append(partial);
                }
                // Commits lag: roll back to what was done a few batches ago.
                let back = rng.random_range(0..=done_upto.len().min(3));
                committed = if back == 0 { progress } else { done_upto[done_upto.len() - back] };
                continue 'run;
            }
            delivered.extend(events);
            log.append(changes);
            for i in &batch {
                if let Some(s) = i.source {
                    progress[s.partition as usize] = progress[s.partition as usize].max(s.offset + 1);
                }
            }
            done_upto.push(progress);
        }
        assert_eq!(crashes_left, 0, "every crash happened (stream long enough)");
        return (delivered, skipped);
    }
}

#[test]
fn crashes_and_restores_lose_no_event_and_invent_none() {
    let inputs = stream(90, 21);
    let want: BTreeSet<String> = uninterrupted(&inputs, 64).into_iter().collect();
    assert!(want.len() >= 15, "{} events", want.len());
    for seed in 0..4 {
        let (got, skipped) = with_crashes(&inputs, 12, seed);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(missing.is_empty(), "seed {seed}: {} events lost: {missing:?}", missing.len());
        assert!(extra.is_empty(), "seed {seed}: {} events no uninterrupted run decides: {extra:?}", extra.len());
        assert!(skipped > 0, "seed {seed}: re-read records were recognised as applied");
    }
}

#[test]
fn skewed_clocks_change_no_other_conversations_events() {
    let inputs = stream(60, 31);
    let base: BTreeSet<String> = uninterrupted(&inputs, 32).into_iter().collect();
    // A conversation stamped 9999-12-31 and one stamped 1970, in the middle of the stream, on
    // every partition.
    let mut skewed = inputs.clone();
    let mid = skewed.len() / 2;
    let far_future = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
    let far_past = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
    let mut extra = Vec::new();
    for p in 0..PARTITIONS {
        for (tag, at) in [("future", far_future), ("past", far_past)] {
            for i in 0..4 {
                let template = &inputs[mid + i].message;
                let mut m = template.clone();
                m.conversation_id = format!("skew-{tag}-{p}");
                m.message_id = format!("skew-{tag}-{p}-{i}");
                m.sent_at = at;
                extra.push(Input { message: m, source: Some(SourcePos { partition: p, offset: 0 }) });
            }
        }
    }
    skewed.splice(mid..mid, extra);
    renumber(&mut skewed);
    let mut e = engine();
    let mut others = BTreeSet::new();
    for chunk in skewed.chunks(32) {
        for p in e.process_batch(chunk).unwrap() {
            if let Processed::Scored(o) = p {
                if let Some(ev) = o.event.filter(|_| !o.conversation_id.starts_with("skew-")) {
                    others.insert(ev.event_id);
                }
            }
        }
    }
    assert_eq!(others, base, "a skewed clock changed other conversations' events");
    let stats = e.windows().stats();
    assert_eq!(stats.clamped_future, 12);
    assert!(stats.clamped_past >= 12);
}

#[test]
fn records_already_in_the_restored_state_are_skipped() {
    let inputs = stream(20, 41);
    let mut a = engine().with_changelog();
    let mut log = Log::default();
    let half = inputs.len() / 2;
    a.process_batch(&inputs[..half]).unwrap();
    log.append(a.take_changes());
    let mut b = engine().with_changelog();
    log.restore_into(&mut b);
    assert_eq!(b.live_conversations(), a.live_conversations());
    let again = b.process_batch(&inputs[..half]).unwrap();
    assert!(again.iter().all(|p| matches!(p, Processed::Skipped)), "every re-read record is skipped");
    let rest_a = event_ids(&a.process_batch(&inputs[half..]).unwrap());
    let rest_b = event_ids(&b.process_batch(&inputs[half..]).unwrap());
    assert_eq!(rest_a, rest_b, "the restored engine continues exactly as the original");
}

#[test]
fn unknown_age_bands_and_features_survive_the_changelog() {
    let mut inputs = stream(10, 51);
    for (i, input) in inputs.iter_mut().enumerate() {
        input.message.sender_age_band = [None, Some(AgeBand::Unknown), Some(AgeBand::From13To15)][i % 3];
    }
    let mut a = engine().with_changelog();
    a.process_batch(&inputs).unwrap();
    let mut log = Log::default();
    log.append(a.take_changes());
    let mut b = engine();
    log.restore_into(&mut b);
    for p in 0..PARTITIONS {
        for input in &inputs {
            let id = &input.message.conversation_id;
            let (x, y) = (a.windows().get(p, id), b.windows().get(p, id));
            assert_eq!(x.map(|w| w.to_window().messages), y.map(|w| w.to_window().messages));
        }
    }
}

/// An encoder that fails (or panics) on texts containing a marker.
struct Flaky {
    inner: HashingEncoder,
    info: EncoderInfo,
}

impl Encoder for Flaky {
    fn info(&self) -> &EncoderInfo {
        &self.info
    }
    fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError> {
        if texts.iter().any(|t| t.contains("poison")) {
            return Err(ModelError::Tokenizer("cannot tokenize poison".into()));
        }
        if texts.iter().any(|t| t.contains("panic")) {
            panic!("the encoder panics");
        }
        self.inner.tokenize(texts)
    }
    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
        self.inner.embed(batch)
    }
}

fn flaky_engine() -> Engine {
    let inner = HashingEncoder::new();
    let info = inner.info().clone();
    let encoder = Box::new(Flaky { inner, info });
    let detector = Detector::load(hashing_models(), encoder.as_ref()).unwrap();
    Engine::new(encoder, detector, crate::testutil::test_profile(), opts())
}

#[test]
fn a_record_the_encoder_fails_on_fails_alone() {
    let mut inputs = stream(5, 61);
    inputs.truncate(12);
    inputs[3].message.text = "poison pill".into();
    inputs[7].message.text = "make it panic".into();
    let mut e = flaky_engine();
    let out = e.process_batch(&inputs).unwrap();
    assert!(matches!(&out[3], Processed::Failed(why) if why == "the tokenizer failed"), "{:?}", out[3]);
    assert!(matches!(&out[7], Processed::Failed(why) if why == "the encoder panicked"));
    let scored = out.iter().filter(|p| matches!(p, Processed::Scored(_))).count();
    assert_eq!(scored, inputs.len() - 2, "every other record is scored");
    // The failures never reached a window.
    let c = &inputs[3].message.conversation_id;
    let p = inputs[3].source.unwrap().partition;
    let w = e.windows().get(p, c).map(|w| w.to_window());
    assert!(w.is_none_or(|w| w.messages.iter().all(|m| m.message_id != inputs[3].message.message_id)));
}

#[test]
fn an_encoder_that_fails_on_everything_is_an_error() {
    let mut inputs = stream(5, 71);
    inputs.truncate(4);
    for i in &mut inputs {
        i.message.text = "poison".into();
        // Without a source: a failed record with one counts as handled, and is skipped if re-sent.
        i.source = None;
    }
    let mut e = flaky_engine();
    assert!(e.process_batch(&inputs).is_err(), "a batch where every record fails means a broken model");
    let mut e = flaky_engine();
    let mut result = Ok(Vec::new());
    for i in 0..MAX_FAILURES_IN_A_ROW {
        result = e.process_batch(std::slice::from_ref(&inputs[i % inputs.len()]));
        if result.is_err() {
            break;
        }
    }
    assert!(result.is_err(), "{MAX_FAILURES_IN_A_ROW} failures in a row stop the engine");
}

#[test]
fn compact_features_round_like_the_accessor_says() {
    // The engine stores what `MessageFeatures::probs` returns, and the detector reads exactly that.
    let inputs = stream(3, 81);
    let mut e = engine();
    e.process_batch(&inputs).unwrap();
    let c = &inputs[0].message.conversation_id;
    let w = e.windows().get(inputs[0].source.unwrap().partition, c).unwrap();
    for m in w.messages() {
        let p = m.features.probs();
        assert_eq!(crate::features::quantise(p), p);
    }
}

/// RSS of the live processor's engine with the real multilingual model and 100,000 live
/// conversations of 10 messages each (issue 9's target), filled straight into the window store
/// (encoding a million messages would take hours and changes nothing about the state's size).
///
/// `cargo test --lib engine::tests::measure_memory_with_the_real_model -- --ignored --nocapture`
#[test]
#[ignore = "a measurement with the real model weights, run by hand"]
fn measure_memory_with_the_real_model() {
    use crate::model::{load_encoder, EncoderKind, EncoderOptions};
    use crate::window::tests::rss_bytes;
    let before = rss_bytes();
    let encoder = load_encoder(EncoderKind::E5Small, &EncoderOptions::default()).expect("the real encoder is cached");
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let detector = Detector::load(&models, encoder.as_ref()).expect("shipped heads");
    let mut e = Engine::new(encoder, detector, crate::testutil::test_profile(), EngineOptions::default());
    let with_model = rss_bytes();
    let convs: usize = std::env::var("JAGA_MEASURE_CONVERSATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let per: usize = std::env::var("JAGA_MEASURE_MESSAGES").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let t0 = Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    for round in 0..per {
        for c in 0..convs {
            let m = WindowMessage {
                message_id: format!("msg-{c:08}-{round:04}-abcd"),
                sender_id: format!("user-{:010}", (c * 2 + round % 2) % 1_000_000),
                sent_at: t0 + chrono::Duration::minutes(round as i64),
                age_band: None,
                features: MessageFeatures::from_probs(std::array::from_fn(|_| rng.random())),
                excerpt: None,
                source: Some(SourcePos { partition: (c % 6) as i32, offset: (round * convs + c) as i64 }),
            };
            e.windows.push(&format!("conv-{c:08}-4f1c-9d2e-{:012}", c * 7919), m, now);
        }
    }
    e.windows.enforce_budget();
    let after = rss_bytes();
    println!(
        "model: RSS {:.0} MB -> {:.0} MB; {} conversations x {per} messages: accounted {:.1} MB, RSS {:.0} MB (+{:.0} MB)",
        before as f64 / 1e6,
        with_model as f64 / 1e6,
        e.live_conversations(),
        e.windows.approx_bytes() as f64 / 1e6,
        after as f64 / 1e6,
        after.saturating_sub(with_model) as f64 / 1e6
    );
}

#[test]
fn embedding_cache_hits_and_misses_reach_the_metrics() {
    let encoder = Box::new(crate::model::CachingEncoder::new(Box::new(HashingEncoder::new()), 1 << 20));
    let detector = Detector::load(hashing_models(), encoder.as_ref()).unwrap();
    let metrics = crate::metrics::Metrics::new();
    let mut e = Engine::new(encoder, detector, crate::testutil::test_profile(), opts()).with_metrics(metrics.clone());
    let mut inputs = stream(2, 5);
    inputs.truncate(4);
    for i in &mut inputs {
        i.message.text = "same line".into();
    }
    // The first lookup misses; its twin in the same batch and both of the next batch hit. The
    // bank phrases the detector encoded while loading are not counted.
    e.process(&inputs[..2]).unwrap();
    e.process(&inputs[2..]).unwrap();
    assert_eq!((metrics.embedding_cache_hits.get(), metrics.embedding_cache_misses.get()), (3, 1));
    assert!(metrics.embedding_cache_bytes.get() > 0);
}

#[test]
fn a_message_delivered_twice_is_counted_once() {
    // Every fifth record delivered again a few records later at a new offset (an upstream
    // producer's retry), and every seventh twice within one batch: the events are those of the
    // stream delivered once, and each copy is reported as a duplicate.
    let inputs = stream(20, 43);
    let once: BTreeSet<String> = event_ids(&engine().process_batch(&inputs).unwrap()).into_iter().collect();
    assert!(!once.is_empty(), "the test stream raises events");
    let mut doubled: Vec<Input> = Vec::new();
    let mut copies = 0;
    for (i, input) in inputs.iter().enumerate() {
        doubled.push(input.clone());
        if i % 7 == 0 {
            doubled.push(input.clone());
            copies += 1;
        }
        if i >= 3 && (i - 3) % 5 == 0 {
            doubled.push(inputs[i - 3].clone());
            copies += 1;
        }
    }
    renumber(&mut doubled);
    let mut e = engine();
    let mut twice = BTreeSet::new();
    let mut duplicates = 0;
    for chunk in doubled.chunks(16) {
        let out = e.process_batch(chunk).unwrap();
        duplicates += out.iter().filter(|p| matches!(p, Processed::Duplicate)).count();
        twice.extend(event_ids(&out));
    }
    // A copy whose original has already slid out of an 8-message window or expired is new again;
    // in this stream every copy arrives within a few records of its original.
    assert_eq!(twice, once, "a redelivered message changed the events");
    assert_eq!(duplicates, copies);
}
