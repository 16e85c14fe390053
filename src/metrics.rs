//! Every Prometheus metric jaga exports, defined in one place.
//!
//! Names follow `jaga_<what>_<unit>[_total]`. Labels only ever take a handful of values (stage,
//! level, reason, partition): never a user, conversation or message id, and never text.

use crate::event::Level;
use crate::message::BadRecordReason;
use crate::verdicts::{BadVerdictReason, VerdictKind, VerdictLevel};
use prometheus::{
    Encoder as _, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// Pipeline stages with their own latency histogram.
pub const STAGES: [&str; 5] = ["normalize", "tokenize", "encode", "score", "produce"];

/// Handles to every metric. Cheap to clone (each handle is an `Arc` inside).
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub records_consumed: IntCounter,
    pub bad_records: IntCounterVec,
    pub dlq_records: IntCounter,
    pub events: IntCounterVec,
    pub events_produced: IntCounter,
    pub produce_errors: IntCounter,
    pub stage_latency: HistogramVec,
    pub batch_size: Histogram,
    pub consumer_lag: IntGaugeVec,
    pub live_conversations: IntGauge,
    pub live_conversations_bytes: IntGauge,
    pub inflight_messages: IntGauge,
    pub offsets_committed: IntCounter,
    pub revoked_conversations: IntCounter,
    pub model_info: IntGaugeVec,
    /// Reviewer verdicts (see [`crate::verdicts`]).
    pub verdicts: IntCounterVec,
    pub bad_verdicts: IntCounterVec,
    pub verdict_precision: GaugeVec,
    pub verdict_window_decisive: IntGaugeVec,
    pub errors: IntCounterVec,
    pub unknown_age_bands: IntCounter,
    pub clamped_timestamps: IntCounterVec,
    pub conversations_evicted: IntCounterVec,
    pub trimmed_messages: IntCounter,
    /// Embedding-cache lookups answered without the encoder, and those that needed it.
    pub embedding_cache_hits: IntCounter,
    pub embedding_cache_misses: IntCounter,
    pub embedding_cache_bytes: IntGauge,
    pub skipped_records: IntCounter,
    pub duplicate_messages: IntCounter,
    pub dlq_truncated: IntCounter,
    pub state_records_written: IntCounter,
    pub state_restored_conversations: IntCounter,
    pub state_corrupt_records: IntCounter,
    pub state_restore_seconds: Histogram,
    /// Changelog records read while restoring, and what is left of the partition being read: the
    /// restore's progress, which can take minutes for a big partition (readiness waits on it).
    pub state_restored_records: IntCounter,
    pub state_restore_remaining: IntGaugeVec,
    /// `window.max_state_bytes`, so a dashboard shows live state against its budget.
    pub state_budget_bytes: IntGauge,
    pub ready: IntGauge,
    pub paused: IntGauge,
}

/// Error kinds of `jaga_errors_total` (see `crate::pipeline::ErrorKind`).
pub const ERROR_KINDS: [&str; 3] = ["fatal", "retriable", "per_record"];

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique metric");
            c
        };
        let records_consumed = counter("jaga_records_consumed_total", "Input records read from the source.");
        let dlq_records = counter("jaga_dlq_records_total", "Bad records written to the dead-letter topic.");
        let events_produced =
            counter("jaga_events_produced_total", "Risk events acknowledged by the broker (or written to stdout).");
        let produce_errors = counter("jaga_produce_errors_total", "Failed attempts to produce an event or DLQ record.");
        let offsets_committed = counter("jaga_offsets_committed_total", "Offset commits that succeeded.");
        let revoked_conversations = counter(
            "jaga_revoked_conversations_total",
            "Conversation windows dropped because their partition was revoked.",
        );
        let unknown_age_bands = counter(
            "jaga_unknown_age_bands_total",
            "Messages whose sender_age_band was outside the contract and was read as unknown.",
        );
        let trimmed_messages = counter(
            "jaga_trimmed_messages_total",
            "Messages dropped from a window to keep it within window.max_conversation_bytes.",
        );
        let embedding_cache_hits = counter(
            "jaga_embedding_cache_hits_total",
            "Messages whose normalised text was in the embedding cache (model.embedding_cache_mb); no encoder pass.",
        );
        let embedding_cache_misses =
            counter("jaga_embedding_cache_misses_total", "Messages the embedding cache did not hold; encoded.");
        let embedding_cache_bytes =
            IntGauge::new("jaga_embedding_cache_bytes", "Memory held by the embedding cache.").expect("valid metric");
        registry.register(Box::new(embedding_cache_bytes.clone())).expect("unique metric");
        let skipped_records = counter(
            "jaga_skipped_records_total",
            "Input records skipped because the restored state already included them (re-read after a restart).",
        );
        let duplicate_messages = counter(
            "jaga_duplicate_messages_total",
            "Input records whose message_id their conversation's window already held (a redelivery at another offset); not counted again.",
        );
        let dlq_truncated = counter(
            "jaga_dlq_truncated_total",
            "Dead-letter copies whose value was cut to fit (jaga.dlq.truncated header).",
        );
        let state_records_written =
            counter("jaga_state_records_written_total", "Changelog records acknowledged (values and tombstones).");
        let state_restored_conversations = counter(
            "jaga_state_restored_conversations_total",
            "Conversations restored from the changelog on partition assignment.",
        );
        let state_restored_records =
            counter("jaga_state_restored_records_total", "Changelog records read while restoring partition state.");
        let state_restore_remaining = IntGaugeVec::new(
            Opts::new(
                "jaga_state_restore_remaining_records",
                "Changelog records left to read in the partition being restored; 0 once it is read.",
            ),
            &["partition"],
        )
        .expect("valid metric");
        registry.register(Box::new(state_restore_remaining.clone())).expect("unique metric");
        let state_budget_bytes = IntGauge::new(
            "jaga_state_budget_bytes",
            "The memory budget for conversation state (window.max_state_bytes), in bytes.",
        )
        .expect("valid metric");
        registry.register(Box::new(state_budget_bytes.clone())).expect("unique metric");
        let state_corrupt_records = counter(
            "jaga_state_corrupt_records_total",
            "Changelog records that could not be decoded during a restore (skipped).",
        );

        let bad_records = IntCounterVec::new(
            Opts::new("jaga_bad_records_total", "Records rejected, by reason (they go to the dead-letter topic)."),
            &["reason"],
        )
        .expect("valid metric");
        let events = IntCounterVec::new(Opts::new("jaga_events_total", "Risk events decided, by level."), &["level"])
            .expect("valid metric");
        let stage_latency = HistogramVec::new(
            HistogramOpts::new(
                "jaga_stage_latency_seconds",
                "Time spent per pipeline stage, per batch (produce: per event).",
            )
            .buckets(vec![0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["stage"],
        )
        .expect("valid metric");
        let batch_size = Histogram::with_opts(
            HistogramOpts::new("jaga_batch_size_messages", "Messages per encoder batch.")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        )
        .expect("valid metric");
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                "jaga_consumer_lag_messages",
                "Read lag per partition: the high watermark minus the next offset jaga will read (not the committed offset).",
            ),
            &["partition"],
        )
        .expect("valid metric");
        let live_conversations =
            IntGauge::new("jaga_live_conversations", "Conversations with live window state.").expect("valid metric");
        let live_conversations_bytes =
            IntGauge::new("jaga_live_conversations_bytes", "Approximate memory held by live conversation windows.")
                .expect("valid metric");
        let inflight_messages = IntGauge::new(
            "jaga_inflight_messages",
            "Messages read but whose offsets cannot be stored yet (being scored or their events unacknowledged).",
        )
        .expect("valid metric");
        let errors = IntCounterVec::new(
            Opts::new(
                "jaga_errors_total",
                "Errors by kind: fatal (the process stops), retriable (backed off and retried, consumption paused), per_record (that record went to the dead-letter topic).",
            ),
            &["kind"],
        )
        .expect("valid metric");
        let clamped_timestamps = IntCounterVec::new(
            Opts::new(
                "jaga_clamped_timestamps_total",
                "sent_at values not trusted for expiry and recency: future (ahead of the wall clock by more than window.max_clock_skew_secs) or past (behind the partition watermark by more than window.idle_ttl_secs).",
            ),
            &["direction"],
        )
        .expect("valid metric");
        let conversations_evicted = IntCounterVec::new(
            Opts::new(
                "jaga_conversations_evicted_total",
                "Conversations dropped: idle (longer than window.idle_ttl_secs) or budget (window.max_state_bytes reached).",
            ),
            &["cause"],
        )
        .expect("valid metric");
        let state_restore_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "jaga_state_restore_seconds",
                "Time to restore one partition's state from the changelog.",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0]),
        )
        .expect("valid metric");
        let ready =
            IntGauge::new("jaga_ready", "1 while /readyz answers 200: consuming, not restoring, retrying or draining.")
                .expect("valid metric");
        let paused = IntGauge::new(
            "jaga_paused",
            "1 while consumption is paused (in-flight work at its limit, or retrying a broker error).",
        )
        .expect("valid metric");
        let model_info = IntGaugeVec::new(
            Opts::new("jaga_model_info", "Always 1; labels name the model version and threshold profile in use."),
            &["model_version", "profile"],
        )
        .expect("valid metric");
        let verdicts = IntCounterVec::new(
            Opts::new("jaga_verdicts_total", "Reviewer verdicts taken into account, by event level and verdict."),
            &["level", "verdict"],
        )
        .expect("valid metric");
        let bad_verdicts = IntCounterVec::new(
            Opts::new(
                "jaga_bad_verdicts_total",
                "Verdict records rejected, by reason (they go to the dead-letter topic).",
            ),
            &["reason"],
        )
        .expect("valid metric");
        let verdict_precision = GaugeVec::new(
            Opts::new(
                "jaga_verdict_precision_ratio",
                "Confirmed / (confirmed + false alarm) over the sliding verdict window, per level; absent without verdicts.",
            ),
            &["level"],
        )
        .expect("valid metric");
        let verdict_window_decisive = IntGaugeVec::new(
            Opts::new(
                "jaga_verdict_window_decisive",
                "Confirmed and false-alarm verdicts in the sliding window, per level: what the precision gauge rests on.",
            ),
            &["level"],
        )
        .expect("valid metric");
        registry.register(Box::new(verdict_precision.clone())).expect("unique metric");
        registry.register(Box::new(verdict_window_decisive.clone())).expect("unique metric");
        for c in [&bad_records, &events, &verdicts, &bad_verdicts, &errors, &clamped_timestamps, &conversations_evicted]
        {
            registry.register(Box::new(c.clone())).expect("unique metric");
        }
        registry.register(Box::new(stage_latency.clone())).expect("unique metric");
        registry.register(Box::new(batch_size.clone())).expect("unique metric");
        registry.register(Box::new(consumer_lag.clone())).expect("unique metric");
        registry.register(Box::new(live_conversations.clone())).expect("unique metric");
        registry.register(Box::new(live_conversations_bytes.clone())).expect("unique metric");
        registry.register(Box::new(inflight_messages.clone())).expect("unique metric");
        registry.register(Box::new(model_info.clone())).expect("unique metric");
        for g in [&ready, &paused] {
            registry.register(Box::new(g.clone())).expect("unique metric");
        }
        registry.register(Box::new(state_restore_seconds.clone())).expect("unique metric");
        #[cfg(target_os = "linux")]
        {
            // Process CPU/memory/fd metrics; failure to register them is not worth failing start-up.
            let _ = registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()));
        }

        // Pre-create the label values so dashboards see zeros instead of missing series.
        for code in BadRecordReason::CODES {
            bad_records.with_label_values(&[code]);
        }
        for level in Level::ALL {
            events.with_label_values(&[level.as_str()]);
        }
        for stage in STAGES {
            stage_latency.with_label_values(&[stage]);
        }
        for level in VerdictLevel::ALL {
            verdict_window_decisive.with_label_values(&[level.as_str()]);
            for kind in VerdictKind::ALL {
                verdicts.with_label_values(&[level.as_str(), kind.as_str()]);
            }
        }
        for code in BadVerdictReason::CODES {
            bad_verdicts.with_label_values(&[code]);
        }
        for kind in ERROR_KINDS {
            errors.with_label_values(&[kind]);
        }
        for direction in ["future", "past"] {
            clamped_timestamps.with_label_values(&[direction]);
        }
        for cause in ["idle", "budget"] {
            conversations_evicted.with_label_values(&[cause]);
        }

        Metrics {
            registry,
            records_consumed,
            bad_records,
            dlq_records,
            events,
            events_produced,
            produce_errors,
            stage_latency,
            batch_size,
            consumer_lag,
            live_conversations,
            live_conversations_bytes,
            inflight_messages,
            offsets_committed,
            revoked_conversations,
            model_info,
            verdicts,
            bad_verdicts,
            verdict_precision,
            verdict_window_decisive,
            errors,
            unknown_age_bands,
            clamped_timestamps,
            conversations_evicted,
            trimmed_messages,
            embedding_cache_hits,
            embedding_cache_misses,
            embedding_cache_bytes,
            skipped_records,
            duplicate_messages,
            dlq_truncated,
            state_records_written,
            state_restored_conversations,
            state_corrupt_records,
            state_restore_seconds,
            state_restored_records,
            state_restore_remaining,
            state_budget_bytes,
            ready,
            paused,
        }
    }

    /// Sets the single `jaga_model_info` series.
    pub fn set_model_info(&self, model_version: &str, profile: &str) {
        self.model_info.reset();
        self.model_info.with_label_values(&[model_version, profile]).set(1);
    }

    /// Renders the registry in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_pre_created_series_and_model_info() {
        let m = Metrics::new();
        m.set_model_info("jaga-test", "default@v1");
        m.bad_records.with_label_values(&["not_json"]).inc();
        let text = m.render();
        assert!(text.contains(r#"jaga_bad_records_total{reason="not_json"} 1"#), "{text}");
        assert!(text.contains(r#"jaga_bad_records_total{reason="too_large"} 0"#));
        assert!(text.contains(r#"jaga_events_total{level="critical"} 0"#));
        assert!(text.contains(r#"jaga_model_info{model_version="jaga-test",profile="default@v1"} 1"#));
        assert!(text.contains(r#"jaga_stage_latency_seconds_count{stage="encode"} 0"#));
        assert!(text.contains(r#"jaga_errors_total{kind="retriable"} 0"#));
        assert!(text.contains(r#"jaga_clamped_timestamps_total{direction="future"} 0"#));
        assert!(text.contains(r#"jaga_conversations_evicted_total{cause="budget"} 0"#));
    }
}
