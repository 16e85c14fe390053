//! The synchronous scoring core shared by `run`, `replay`, `eval` and `tune`.
//!
//! One call to [`Engine::process`] takes a batch of messages in arrival order (possibly from many
//! conversations), normalises them, encodes every message exactly once in one batched forward pass,
//! then walks the batch in order: append to the conversation's window, score the window, ask the
//! policy whether to emit. Keeping this free of any runtime is what lets the evaluation measure
//! exactly what production does, and lets the live processor run it on a dedicated thread.

use crate::detector::{ConversationScore, Detector};
use crate::event::{Evidence, Level, RiskEvent, Stage, WindowInfo, SCHEMA_VERSION};
use crate::message::ChatMessage;
use crate::metrics::Metrics;
use crate::model::{Encoder, ModelError};
use crate::normalize::{excerpt, normalize};
use crate::policy::{decide, event_id, Profile};
use crate::window::{SourcePos, WindowConfig, WindowMessage, WindowStore};
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

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

/// A message to score and where it came from (for offset tracking).
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

/// Source of the `emitted_at` time; injectable so tests are deterministic.
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
    /// Latest event time seen, used as "now" for idle eviction so replays are deterministic.
    watermark: Option<DateTime<Utc>>,
}

impl Engine {
    pub fn new(encoder: Box<dyn Encoder>, detector: Detector, profile: Profile, opts: EngineOptions) -> Self {
        let profile_id = profile.id();
        Engine {
            encoder,
            detector,
            windows: WindowStore::new(opts.window.clone()),
            profile,
            profile_id,
            opts,
            metrics: None,
            clock: Arc::new(Utc::now),
            watermark: None,
        }
    }

    /// Records stage latencies, batch sizes and live-state gauges into `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        metrics.set_model_info(self.detector.version(), &self.profile_id);
        self.metrics = Some(metrics);
        self
    }

    /// Replaces the wall clock used for `emitted_at`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
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

    /// Forgets a conversation (eval streams conversations one after another and must not let
    /// state leak between two that happen to share an id).
    pub fn forget_all(&mut self) {
        self.windows = WindowStore::new(self.opts.window.clone());
        self.watermark = None;
    }

    /// Drops all state of conversations read from `partition` (it was revoked from this consumer).
    pub fn revoke_partition(&mut self, partition: i32) -> usize {
        let n = self.windows.remove_partition(partition);
        self.update_gauges();
        n
    }

    /// Lowest offset of `partition` that live windows still need; see [`WindowStore::horizon`].
    pub fn horizon(&self, partition: i32) -> Option<i64> {
        self.windows.horizon(partition)
    }

    /// Scores a batch; outcomes come back in input order, one per input.
    pub fn process(&mut self, inputs: &[Input]) -> Result<Vec<Outcome>, ModelError> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let t = Instant::now();
        let normalized: Vec<String> = inputs.iter().map(|i| normalize(&i.message.text)).collect();
        self.observe("normalize", t);

        let texts: Vec<&str> = normalized.iter().map(String::as_str).collect();
        let (embeddings, tokenize_time, encode_time) = self.encoder.encode_timed(&texts)?;
        if let Some(m) = &self.metrics {
            m.stage_latency.with_label_values(&["tokenize"]).observe(tokenize_time.as_secs_f64());
            m.stage_latency.with_label_values(&["encode"]).observe(encode_time.as_secs_f64());
            m.batch_size.observe(inputs.len() as f64);
        }

        let t = Instant::now();
        let features = self.detector.message_features(&embeddings);
        let mut outcomes = Vec::with_capacity(inputs.len());
        for (input, features) in inputs.iter().zip(features) {
            outcomes.push(self.score_one(input, features));
        }
        if let Some(wm) = self.watermark {
            let evicted = self.windows.evict_idle(wm);
            if evicted > 0 {
                tracing::debug!(evicted, "Evicted idle conversations.");
            }
        }
        self.observe("score", t);
        self.update_gauges();
        Ok(outcomes)
    }

    fn score_one(&mut self, input: &Input, features: crate::detector::MessageFeatures) -> Outcome {
        let msg = &input.message;
        self.watermark = Some(self.watermark.map_or(msg.sent_at, |w| w.max(msg.sent_at)));
        let window_message = WindowMessage {
            message_id: msg.message_id.clone(),
            sender_id: msg.sender_id.clone(),
            sent_at: msg.sent_at,
            age_band: msg.sender_age_band,
            features,
            excerpt: self.opts.excerpts.then(|| excerpt(&msg.text, self.opts.excerpt_chars)),
            source: input.source,
        };
        let window = self.windows.push(&msg.conversation_id, window_message);
        let score = self.detector.score(window);
        let mut outcome = Outcome {
            conversation_id: msg.conversation_id.clone(),
            message_id: msg.message_id.clone(),
            score: score.clone(),
            level: None,
            event: None,
        };
        let Some(score) = score else { return outcome };
        let seen = window.total_seen;
        let decision = decide(&self.profile, &mut window.policy, score.risk, seen);
        outcome.level = self.profile.level_for(score.risk);
        if let Some(decision) = decision {
            let messages = &window.messages;
            let evidence = score
                .evidence
                .iter()
                .filter_map(|e| {
                    let m = messages.get(e.index)?;
                    Some(Evidence {
                        message_id: m.message_id.clone(),
                        stage: e.stage,
                        score: round4(e.score),
                        excerpt: m.excerpt.clone(),
                    })
                })
                .collect();
            let (first, last) = (messages.front(), messages.back());
            let window_info = WindowInfo {
                first_message_id: first.map(|m| m.message_id.clone()).unwrap_or_default(),
                last_message_id: last.map(|m| m.message_id.clone()).unwrap_or_default(),
                count: messages.len(),
            };
            let stages: BTreeMap<Stage, f32> =
                Stage::ALL.into_iter().map(|s| (s, round4(score.stages[s.index()]))).collect();
            let model_version = self.detector.version().to_owned();
            let event = RiskEvent {
                schema_version: SCHEMA_VERSION,
                event_id: event_id(
                    &msg.conversation_id,
                    &msg.message_id,
                    decision.level,
                    &model_version,
                    &self.profile_id,
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
                profile: self.profile_id.clone(),
                previous_level: decision.previous,
                emitted_at: (self.clock)().to_rfc3339_opts(SecondsFormat::Millis, true),
            };
            if let Some(m) = &self.metrics {
                m.events.with_label_values(&[decision.level.as_str()]).inc();
            }
            outcome.event = Some(event);
        }
        outcome
    }

    fn observe(&self, stage: &str, since: Instant) {
        if let Some(m) = &self.metrics {
            m.stage_latency.with_label_values(&[stage]).observe(since.elapsed().as_secs_f64());
        }
    }

    fn update_gauges(&self) {
        if let Some(m) = &self.metrics {
            m.live_conversations.set(self.windows.len() as i64);
            m.live_conversations_bytes.set(self.windows.approx_bytes() as i64);
        }
    }
}

/// Scores are reported to 4 decimals: enough for a reviewer, and it keeps events byte-stable
/// across harmless floating-point noise.
fn round4(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}
