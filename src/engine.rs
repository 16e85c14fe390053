//! The synchronous scoring core shared by `run`, `replay`, `eval` and `tune`.
//!
//! One call to [`Engine::process_batch`] takes a batch of messages in arrival order (possibly from
//! many conversations and partitions), normalises them, encodes every message that still needs it
//! exactly once in one batched forward pass, then walks the batch in order: append to the
//! conversation's window, score the window, ask the policy whether to emit. Keeping this free of
//! any runtime is what lets the evaluation measure exactly what production does, and lets the live
//! processor run it on a dedicated thread.
//!
//! Everything an outcome depends on is a function of the input sequence of its partition: windows,
//! idle expiry (against the partition's event-time watermark, see [`crate::window`]), policy state.
//! Batch boundaries and restarts change nothing: after a restart the live processor restores the
//! state from the changelog ([`Engine::restore_partition`]) and the engine skips the records that
//! state already includes.

use crate::detector::features::MsgView;
use crate::detector::{ConversationScore, Detector};
use crate::event::{Evidence, Level, RiskEvent, Stage, WindowInfo, SCHEMA_VERSION};
use crate::features::MessageFeatures;
use crate::message::ChatMessage;
use crate::metrics::Metrics;
use crate::model::{Encoder, ModelError};
use crate::normalize::{excerpt, normalize};
use crate::policy::{decide, event_id, Profile};
use crate::window::{
    Applied, LiveConversation, RestoreStats, SourcePos, StateChange, StoreStats, WindowConfig, WindowMessage,
    WindowStore, NO_PARTITION,
};
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Records in a row the encoder may fail on, one by one, before the engine concludes that the
/// model is broken rather than the records.
pub const MAX_FAILURES_IN_A_ROW: usize = 32;

/// How the engine shapes events.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Include short excerpts of the original text in evidence. Off by default: events travel to
    /// other systems and should not copy chat text unless a platform decides they may.
    pub excerpts: bool,
    /// Maximum characters of an excerpt.
    pub excerpt_chars: usize,
    pub window: WindowConfig,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions { excerpts: false, excerpt_chars: 120, window: WindowConfig::default() }
    }
}

/// A message to score and where it came from.
#[derive(Debug, Clone)]
pub struct Input {
    pub message: ChatMessage,
    pub source: Option<SourcePos>,
}

/// What happened to one message.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub conversation_id: String,
    pub message_id: String,
    /// The conversation's calibrated risk after this message.
    pub score: Option<ConversationScore>,
    /// The conversation's level after this message (with hysteresis), if any.
    pub level: Option<Level>,
    /// The event this message triggered, if any.
    pub event: Option<RiskEvent>,
}

/// What [`Engine::process_batch`] did with one input.
#[derive(Debug, Clone)]
pub enum Processed {
    Scored(Box<Outcome>),
    /// Already in the state restored after a restart: nothing to do again.
    Skipped,
    /// Its conversation's window already holds a message with this `message_id` (a redelivery
    /// at another offset): the contract makes `message_id` the idempotency key, so it is not
    /// counted twice.
    Duplicate,
    /// The encoder failed on this record alone (it goes to the dead-letter topic); the message
    /// never reached a window.
    Failed(String),
}

/// Source of wall-clock time (`emitted_at`, and spotting `sent_at`s in the future); injectable so
/// tests are deterministic.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The scoring core. Not `Sync`: it lives on one thread.
pub struct Engine {
    encoder: Box<dyn Encoder>,
    detector: Detector,
    windows: WindowStore,
    profile: Profile,
    profile_id: String,
    opts: EngineOptions,
    metrics: Option<Metrics>,
    clock: Clock,
    /// Store counters already reported to the metrics.
    reported: StoreStats,
    /// Embedding-cache (hits, misses) already reported to the metrics.
    reported_cache: (u64, u64),
    failures_in_a_row: usize,
}

impl Engine {
    pub fn new(encoder: Box<dyn Encoder>, detector: Detector, profile: Profile, opts: EngineOptions) -> Self {
        let profile_id = profile.id();
        // Lookups before the engine existed (the exemplar banks, encoded while loading the
        // detector) are not message traffic.
        let reported_cache = encoder
            .cache_stats()
            .map_or((0, 0), |c| (c.hits.load(Ordering::Relaxed), c.misses.load(Ordering::Relaxed)));
        Engine {
            encoder,
            detector,
            windows: WindowStore::new(opts.window.clone(), opts.excerpts),
            profile,
            profile_id,
            opts,
            metrics: None,
            clock: Arc::new(Utc::now),
            reported: StoreStats::default(),
            reported_cache,
            failures_in_a_row: 0,
        }
    }

    /// Records stage latencies, batch sizes and live-state gauges into `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        metrics.set_model_info(self.detector.version(), &self.profile_id);
        self.metrics = Some(metrics);
        self
    }

    /// Replaces the wall clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Remembers every state change for [`Self::take_changes`] (the live processor's changelog).
    pub fn with_changelog(mut self) -> Self {
        self.windows.track_changes();
        self
    }

    /// The detector the engine scores with (offline experiments compute features with it).
    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    pub fn model_version(&self) -> &str {
        self.detector.version()
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn profile_id(&self) -> &str {
        &self.profile_id
    }

    pub fn encoder_id(&self) -> &str {
        &self.encoder.info().id
    }

    /// Counters of the embedding cache in front of the encoder, when there is one.
    pub fn embedding_cache_stats(&self) -> Option<std::sync::Arc<crate::model::CacheStats>> {
        self.encoder.cache_stats()
    }

    /// Messages a conversation window keeps; the detector's evidence indices are relative to it.
    pub fn window_max_messages(&self) -> usize {
        self.opts.window.max_messages
    }

    pub fn live_conversations(&self) -> usize {
        self.windows.len()
    }

    /// The live state (read-only), for tests and measurements.
    pub fn windows(&self) -> &WindowStore {
        &self.windows
    }

    /// Forgets all state (eval streams conversations one after another and must not let state
    /// leak between two that happen to share an id).
    pub fn forget_all(&mut self) {
        self.windows.clear();
    }

    /// Drops all state of `partition` (it was revoked from this consumer).
    pub fn revoke_partition(&mut self, partition: i32) -> usize {
        let n = self.windows.remove_partition(partition);
        self.update_gauges();
        n
    }

    /// Installs `partition`'s state from its changelog records (key, value or tombstone, in log
    /// order). No text is re-encoded: the records hold the per-message features.
    pub fn restore_partition<'a>(
        &mut self,
        partition: i32,
        records: impl IntoIterator<Item = (&'a [u8], Option<&'a [u8]>)>,
    ) -> RestoreStats {
        let stats = self.windows.restore_partition(partition, records);
        self.update_gauges();
        stats
    }

    /// The changelog records for every state change since the last call (see
    /// [`WindowStore::take_changes`]).
    pub fn take_changes(&mut self) -> Vec<StateChange> {
        self.windows.take_changes()
    }

    /// Scores a batch; one outcome per input, in input order. For callers without a dead-letter
    /// path (evaluation, benchmarks): an encoder failure on any record is an error.
    pub fn process(&mut self, inputs: &[Input]) -> Result<Vec<Outcome>, ModelError> {
        self.process_batch(inputs)?
            .into_iter()
            .zip(inputs)
            .map(|(p, input)| match p {
                Processed::Scored(o) => Ok(*o),
                Processed::Skipped | Processed::Duplicate => Ok(Outcome {
                    conversation_id: input.message.conversation_id.clone(),
                    message_id: input.message.message_id.clone(),
                    score: None,
                    level: None,
                    event: None,
                }),
                Processed::Failed(reason) => Err(ModelError::Inference(reason)),
            })
            .collect()
    }

    /// Scores a batch, isolating records the encoder fails on; one result per input, in input
    /// order. Errors only when the encoder fails on every record of a batch of several, or on
    /// [`MAX_FAILURES_IN_A_ROW`] records in a row: then the model, not the input, is broken.
    pub fn process_batch(&mut self, inputs: &[Input]) -> Result<Vec<Processed>, ModelError> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let now = (self.clock)();
        // Frees memory only: these conversations' next message would reset them anyway.
        self.windows.expire_idle();

        let applied: Vec<Applied> = inputs
            .iter()
            .map(|i| i.source.map_or(Applied::No, |pos| self.windows.applied(&i.message.conversation_id, pos)))
            .collect();
        // A message id its window already holds, or one met earlier in this batch, is a
        // redelivery (see `Processed::Duplicate`).
        let mut in_batch: HashSet<(&str, &str)> = HashSet::new();
        let duplicate: Vec<bool> = inputs
            .iter()
            .zip(&applied)
            .map(|(i, a)| {
                let (c, m) = (i.message.conversation_id.as_str(), i.message.message_id.as_str());
                let partition = i.source.map_or(NO_PARTITION, |s| s.partition);
                *a == Applied::No && (self.windows.holds_message(partition, c, m) || !in_batch.insert((c, m)))
            })
            .collect();
        let todo: Vec<usize> = (0..inputs.len()).filter(|&i| applied[i] == Applied::No && !duplicate[i]).collect();
        let features = self.encode(inputs, &todo)?;

        let t = Instant::now();
        let mut features = features.into_iter();
        let mut out = Vec::with_capacity(inputs.len());
        let (mut skipped, mut duplicates) = (0u64, 0u64);
        for ((input, applied), duplicate) in inputs.iter().zip(applied).zip(duplicate) {
            if duplicate {
                duplicates += 1;
                if let Some(pos) = input.source {
                    self.windows.observe(input.message.sent_at, pos, now);
                }
                out.push(Processed::Duplicate);
                continue;
            }
            match applied {
                Applied::Partition => {
                    skipped += 1;
                    out.push(Processed::Skipped);
                }
                Applied::Conversation => {
                    skipped += 1;
                    if let Some(pos) = input.source {
                        self.windows.observe(input.message.sent_at, pos, now);
                    }
                    out.push(Processed::Skipped);
                }
                Applied::No => match features.next() {
                    Some(Ok(f)) => out.push(Processed::Scored(Box::new(self.score_one(input, f, now)))),
                    Some(Err(reason)) => {
                        if let Some(pos) = input.source {
                            self.windows.mark_applied(pos);
                        }
                        out.push(Processed::Failed(reason));
                    }
                    None => out.push(Processed::Failed("no features were computed".into())),
                },
            }
        }
        self.observe("score", t);
        if let Some(m) = &self.metrics {
            m.skipped_records.inc_by(skipped);
            m.duplicate_messages.inc_by(duplicates);
        }
        self.update_gauges();
        Ok(out)
    }

    /// Scores messages whose per-message features were computed elsewhere (an offline experiment
    /// that changes only the features, e.g. clause-level stage scoring), through the same window,
    /// detector and policy as [`Engine::process`]; one outcome per input. Ignores `source`
    /// positions: nothing here is deduplicated against a changelog.
    /// Panics when `features` does not hold exactly one entry per input (a caller's bug).
    pub fn process_features(&mut self, inputs: &[Input], features: Vec<MessageFeatures>) -> Vec<Outcome> {
        assert_eq!(inputs.len(), features.len(), "process_features needs one feature set per input");
        let now = (self.clock)();
        self.windows.expire_idle();
        inputs.iter().zip(features).map(|(input, f)| self.score_one(input, f, now)).collect()
    }

    /// Features of `inputs[todo]`: one batched pass, then record by record if it fails, so one
    /// record the encoder cannot handle (an error or a panic) does not stop the others.
    fn encode(&mut self, inputs: &[Input], todo: &[usize]) -> Result<Vec<Result<MessageFeatures, String>>, ModelError> {
        if todo.is_empty() {
            return Ok(Vec::new());
        }
        let t = Instant::now();
        let normalized: Vec<String> = todo.iter().map(|&i| normalize(&inputs[i].message.text)).collect();
        self.observe("normalize", t);
        let texts: Vec<&str> = normalized.iter().map(String::as_str).collect();
        if let Some(m) = &self.metrics {
            m.batch_size.observe(texts.len() as f64);
        }
        match self.encode_guarded(&texts) {
            Ok(embeddings) => {
                self.failures_in_a_row = 0;
                return Ok(self.detector.message_features(&texts, &embeddings).into_iter().map(Ok).collect());
            }
            Err(e) if texts.len() == 1 => {
                self.failures_in_a_row += 1;
                if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                    return Err(broken(self.failures_in_a_row, &e));
                }
                return Ok(vec![Err(e)]);
            }
            Err(_) => {}
        }
        let mut out = Vec::with_capacity(texts.len());
        let mut last_error = String::new();
        for text in &texts {
            match self.encode_guarded(std::slice::from_ref(text)) {
                Ok(e) => {
                    self.failures_in_a_row = 0;
                    out.extend(self.detector.message_features(std::slice::from_ref(text), &e).into_iter().map(Ok));
                }
                Err(e) => {
                    self.failures_in_a_row += 1;
                    if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                        return Err(broken(self.failures_in_a_row, &e));
                    }
                    last_error.clone_from(&e);
                    out.push(Err(e));
                }
            }
        }
        if out.iter().all(Result::is_err) {
            return Err(ModelError::Inference(format!(
                "the encoder failed on every one of {} records, one by one ({last_error})",
                texts.len()
            )));
        }
        Ok(out)
    }

    /// One encoder call that turns a panic into an error. The message says what failed, never the
    /// text it failed on.
    fn encode_guarded(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let encoder = &self.encoder;
        let result = catch_unwind(AssertUnwindSafe(|| encoder.encode_timed(texts)));
        match result {
            Ok(Ok((embeddings, tokenize_time, encode_time))) => {
                if let Some(m) = &self.metrics {
                    m.stage_latency.with_label_values(&["tokenize"]).observe(tokenize_time.as_secs_f64());
                    m.stage_latency.with_label_values(&["encode"]).observe(encode_time.as_secs_f64());
                }
                if embeddings.len() == texts.len() {
                    Ok(embeddings)
                } else {
                    Err(format!("the encoder returned {} embeddings for {} texts", embeddings.len(), texts.len()))
                }
            }
            Ok(Err(e)) => Err(match e {
                ModelError::Tokenizer(_) => "the tokenizer failed".to_string(),
                ModelError::Inference(_) => "the encoder's forward pass failed".to_string(),
                other => other.to_string(),
            }),
            Err(_) => Err("the encoder panicked".to_string()),
        }
    }

    fn score_one(&mut self, input: &Input, features: MessageFeatures, now: DateTime<Utc>) -> Outcome {
        let msg = &input.message;
        let window_message = WindowMessage {
            message_id: msg.message_id.clone(),
            sender_id: msg.sender_id.clone(),
            sent_at: msg.sent_at,
            age_band: msg.sender_age_band,
            features,
            excerpt: self.opts.excerpts.then(|| excerpt(&msg.text, self.opts.excerpt_chars)),
            source: input.source,
        };
        let Engine { windows, detector, profile, profile_id, metrics, clock, .. } = self;
        let conv = windows.push(&msg.conversation_id, window_message, now);
        let (views, senders) = detector_views(conv);
        let score = detector.score_views(&views, &senders);
        let mut outcome = Outcome {
            conversation_id: msg.conversation_id.clone(),
            message_id: msg.message_id.clone(),
            score: score.clone(),
            level: None,
            event: None,
        };
        if let Some(score) = score {
            let seen = conv.total_seen();
            let decision = decide(profile, conv.policy_mut(), score.risk, seen);
            outcome.level = profile.level_for(score.risk);
            if let Some(decision) = decision {
                let evidence = score
                    .evidence
                    .iter()
                    .filter_map(|e| {
                        Some(Evidence {
                            message_id: conv.message_id(e.index)?.to_owned(),
                            stage: e.stage,
                            score: round4(e.score),
                            excerpt: conv.excerpt(e.index).map(str::to_owned),
                        })
                    })
                    .collect();
                let window_info = WindowInfo {
                    first_message_id: conv.message_id(0).unwrap_or_default().to_owned(),
                    last_message_id: conv.message_id(conv.len().saturating_sub(1)).unwrap_or_default().to_owned(),
                    count: conv.len(),
                };
                let stages: BTreeMap<Stage, f32> =
                    Stage::ALL.into_iter().map(|s| (s, round4(score.stages[s.index()]))).collect();
                let model_version = detector.version().to_owned();
                let event = RiskEvent {
                    schema_version: SCHEMA_VERSION,
                    event_id: event_id(
                        &msg.conversation_id,
                        &msg.message_id,
                        decision.level,
                        &model_version,
                        profile_id,
                    ),
                    conversation_id: msg.conversation_id.clone(),
                    suspect_sender_id: score.suspect.clone(),
                    risk_score: round4(score.risk),
                    level: decision.level,
                    stages,
                    evidence,
                    window: window_info,
                    trigger_message_id: msg.message_id.clone(),
                    model_version,
                    profile: profile_id.clone(),
                    previous_level: decision.previous,
                    emitted_at: (clock)().to_rfc3339_opts(SecondsFormat::Millis, true),
                };
                if let Some(m) = metrics {
                    m.events.with_label_values(&[decision.level.as_str()]).inc();
                }
                outcome.event = Some(event);
            }
        }
        windows.enforce_budget();
        outcome
    }

    fn observe(&self, stage: &str, since: Instant) {
        if let Some(m) = &self.metrics {
            m.stage_latency.with_label_values(&[stage]).observe(since.elapsed().as_secs_f64());
        }
    }

    fn update_gauges(&mut self) {
        let Some(m) = &self.metrics else { return };
        m.live_conversations.set(self.windows.len() as i64);
        m.live_conversations_bytes.set(self.windows.approx_bytes() as i64);
        let (now, was) = (self.windows.stats(), self.reported);
        let delta = |a: u64, b: u64| a.saturating_sub(b);
        m.conversations_evicted.with_label_values(&["idle"]).inc_by(delta(now.expired_idle, was.expired_idle));
        m.conversations_evicted.with_label_values(&["budget"]).inc_by(delta(now.evicted_budget, was.evicted_budget));
        m.revoked_conversations.inc_by(delta(now.revoked, was.revoked));
        m.trimmed_messages.inc_by(delta(now.trimmed_messages, was.trimmed_messages));
        m.clamped_timestamps.with_label_values(&["future"]).inc_by(delta(now.clamped_future, was.clamped_future));
        m.clamped_timestamps.with_label_values(&["past"]).inc_by(delta(now.clamped_past, was.clamped_past));
        self.reported = now;
        if let Some(c) = self.encoder.cache_stats() {
            let (hits, misses) = (c.hits.load(Ordering::Relaxed), c.misses.load(Ordering::Relaxed));
            m.embedding_cache_hits.inc_by(delta(hits, self.reported_cache.0));
            m.embedding_cache_misses.inc_by(delta(misses, self.reported_cache.1));
            m.embedding_cache_bytes.set(c.bytes.load(Ordering::Relaxed) as i64);
            self.reported_cache = (hits, misses);
        }
    }
}

fn broken(n: usize, last: &str) -> ModelError {
    ModelError::Inference(format!(
        "the encoder failed on {n} records in a row ({last}); the model, not the input, is broken"
    ))
}

/// The detector's view of a live window: senders numbered in order of first appearance in the
/// window (as [`Detector::score`] numbers them), with their ids.
fn detector_views(conv: &LiveConversation) -> (Vec<MsgView>, Vec<&str>) {
    let table = conv.senders();
    let mut renumber: Vec<Option<usize>> = vec![None; table.len()];
    let mut names: Vec<&str> = Vec::new();
    let views = conv
        .messages()
        .map(|m| {
            let sender = match renumber.get(m.sender).copied().flatten() {
                Some(s) => s,
                None => {
                    names.push(table.get(m.sender).map_or("", |s| s));
                    if let Some(slot) = renumber.get_mut(m.sender) {
                        *slot = Some(names.len() - 1);
                    }
                    names.len() - 1
                }
            };
            MsgView::new(sender, m.sent_at_secs, m.age_band, m.features)
        })
        .collect();
    (views, names)
}

/// Scores are reported to 4 decimals: enough for a reviewer, and it keeps events byte-stable
/// across harmless floating-point noise.
fn round4(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests;
