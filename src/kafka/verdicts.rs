//! The verdicts side input (`kafka.verdicts_topic`): reviewers' decisions on risk events feed the
//! live precision tracker ([`crate::verdicts::VerdictTracker`]).
//!
//! Verdicts are not conversation input: they change no conversation state, are not
//! co-partitioned with anything and are never written to the changelog. So they get their own
//! consumer in their own group, `<kafka.group_id>.verdicts`, apart from the input's group and its
//! rebalance callbacks: a rebalance of one never waits for, restores or revokes anything of the
//! other, and the input's offset tracker (with its generations) never sees a verdict offset.
//! Replicas share the verdict partitions like they share the input's, so the counters summed over
//! replicas count every verdict once; each replica's precision gauge is over its share
//! (docs/reviewer-loop.md says how to read it across replicas).
//!
//! Delivery: at least once. Records are handled one at a time, in order; a record's offset is
//! stored only once it is taken into account or its dead-letter copy is acknowledged, and stored
//! offsets are committed every `kafka.commit_interval_ms` and on shutdown. A redelivered verdict
//! changes nothing (the tracker ignores an identical decision), so a crash between handling and
//! committing cannot skew precision. No record can stall a partition: a bad one is dead-lettered
//! with its reason (`jaga.dlq.reason`, source topic = the verdicts topic), one whose copy the
//! broker rejects is sent again without its value, and one whose bare copy is rejected too is
//! logged (position only) and skipped.

use crate::config::{Config, KafkaConfig};
use crate::kafka::{classify, consumer_config, dlq_headers_with, error_code, owned_headers};
use crate::metrics::Metrics;
use crate::pipeline::{ErrorKind, PipelineError};
use crate::verdicts::{handle_record, VerdictTracker};
use crate::window::SourcePos;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The verdict consumer's group: the input's group with `.verdicts` appended.
pub fn group_id(k: &KafkaConfig) -> String {
    format!("{}.verdicts", k.group_id)
}

/// The input consumer's settings (offsets stored and committed by jaga, earliest for a new group)
/// in the verdicts group, without statistics (the read-lag gauge is the input's).
pub fn consumer_config_for_verdicts(k: &KafkaConfig) -> ClientConfig {
    let mut c = consumer_config(k);
    c.set("group.id", group_id(k)).set("statistics.interval.ms", "0");
    c
}

/// The verdict loop and what it talks to (see [`crate::pipeline::run`]).
pub struct VerdictSource {
    pub cfg: Arc<Config>,
    pub metrics: Metrics,
    pub tracker: Arc<Mutex<VerdictTracker>>,
    pub producer: FutureProducer,
    /// Becomes true when the processor stops: commit and return.
    pub stop: watch::Receiver<bool>,
}

/// What became of one verdict record.
enum Handled {
    /// Taken into account, or its dead-letter copy acknowledged (or given up on): store its offset.
    Done,
    /// Stopping while the dead-letter copy was still being retried: do not store the offset.
    Stopped,
}

impl VerdictSource {
    /// Runs until `stop`, committing what was handled; returns an error only for what no retry
    /// fixes (authorisation, configuration), which stops the processor like any fatal error.
    pub async fn run(self) -> Result<(), PipelineError> {
        let k = &self.cfg.kafka;
        let consumer: StreamConsumer =
            consumer_config_for_verdicts(k).create().map_err(PipelineError::kafka("creating the verdicts consumer"))?;
        consumer.subscribe(&[&k.verdicts_topic]).map_err(PipelineError::kafka("subscribing to verdicts"))?;
        tracing::info!(topic = %k.verdicts_topic, group = %group_id(k), "Reading reviewers' verdicts.");
        let mut tick = tokio::time::interval(Duration::from_millis(k.commit_interval_ms.max(100)));
        let mut stored = false;
        let mut told_missing = false;
        let mut stop = self.stop.clone();
        loop {
            tokio::select! {
                biased;
                _ = stop.changed() => break,
                _ = tick.tick() => {
                    if let Ok(mut t) = self.tracker.lock() {
                        t.expire(chrono::Utc::now());
                    }
                    if std::mem::take(&mut stored) {
                        if let Err(error) = consumer.commit_consumer_state(CommitMode::Async) {
                            tracing::warn!(%error, "Committing verdict offsets failed; will retry.");
                            stored = true;
                        }
                    }
                }
                msg = consumer.recv() => match msg {
                    Ok(m) => match self.handle(&m).await? {
                        Handled::Done => {
                            if let Err(error) = consumer.store_offset_from_message(&m) {
                                // Revoked meanwhile: the partition's next owner reads it again.
                                tracing::debug!(%error, "Verdict offset not stored.");
                            }
                            stored = true;
                        }
                        Handled::Stopped => break,
                    },
                    Err(error) => {
                        let kind = classify(&error);
                        if kind == ErrorKind::Fatal {
                            return Err(PipelineError::Kafka { context: "consuming verdicts", error });
                        }
                        if is_missing_topic(&error) {
                            // Once: librdkafka repeats it on every metadata refresh until the
                            // topic exists, then consumes it.
                            if !std::mem::replace(&mut told_missing, true) {
                                tracing::warn!(topic = %k.verdicts_topic, "The verdicts topic does not exist yet; precision metrics stay empty until it is created.");
                            }
                        } else {
                            self.metrics.errors.with_label_values(&[kind.as_str()]).inc();
                            tracing::warn!(%error, "Verdicts consumer error; librdkafka retries.");
                        }
                    }
                },
            }
        }
        if let Err(error) = consumer.commit_consumer_state(CommitMode::Sync) {
            // Nothing stored since the last commit, or the broker is gone: verdicts are re-read.
            tracing::debug!(%error, "Final verdict commit did not go through.");
        }
        Ok(())
    }

    async fn handle(&self, m: &BorrowedMessage<'_>) -> Result<Handled, PipelineError> {
        let max = self.cfg.pipeline.max_record_bytes;
        let outcome = match self.tracker.lock() {
            Ok(mut t) => handle_record(&mut t, m.payload(), max, chrono::Utc::now()),
            Err(_) => return Err(PipelineError::EngineGone),
        };
        let reason = match outcome {
            Ok(observed) => {
                tracing::debug!(level = %observed.level(), "Verdict taken into account.");
                return Ok(Handled::Done);
            }
            Err(reason) => reason,
        };
        let pos = SourcePos { partition: m.partition(), offset: m.offset() };
        tracing::warn!(reason = reason.code(), detail = %reason, partition = pos.partition, offset = pos.offset, "Bad verdict; it goes to the dead-letter topic.");
        self.dead_letter(m, pos, reason.code(), &reason.to_string()).await
    }

    /// Sends the dead-letter copy of a bad verdict and waits for it: retriable errors are retried
    /// with back-off until stop, a copy the broker rejects is sent once more without its value and
    /// original headers, and a bare copy rejected too is given up on (logged, offset stored).
    async fn dead_letter(
        &self,
        m: &BorrowedMessage<'_>,
        pos: SourcePos,
        code: &str,
        detail: &str,
    ) -> Result<Handled, PipelineError> {
        let k = &self.cfg.kafka;
        let original = owned_headers(m.headers());
        let key = m.key().unwrap_or_default();
        let limit = self.cfg.pipeline.dlq_max_payload_bytes;
        let value = m.payload().unwrap_or_default();
        let mut bare = false;
        let mut backoff = Duration::from_millis(100);
        let mut stop = self.stop.clone();
        loop {
            let (payload, truncated_from) = match (bare, value.len() > limit) {
                (true, _) => (&value[..0], (!value.is_empty()).then_some(value.len())),
                (false, true) => (&value[..limit], Some(value.len())),
                (false, false) => (value, None),
            };
            let kept: &[(String, Option<Vec<u8>>)] = if bare { &[] } else { &original };
            let headers = dlq_headers_with(code, detail, &k.verdicts_topic, pos, kept, truncated_from);
            let record = FutureRecord::<[u8], [u8]>::to(&k.dlq_topic).key(key).payload(payload).headers(headers);
            let error = match self.producer.send(record, Duration::from_secs(0)).await {
                Ok(_) => {
                    self.metrics.dlq_records.inc();
                    if truncated_from.is_some() {
                        self.metrics.dlq_truncated.inc();
                    }
                    return Ok(Handled::Done);
                }
                Err((e, _)) => e,
            };
            self.metrics.produce_errors.inc();
            // A full local queue is retriable too (the zero queue timeout never blocks the loop).
            let kind = classify(&error);
            self.metrics.errors.with_label_values(&[kind.as_str()]).inc();
            match kind {
                ErrorKind::Fatal => return Err(PipelineError::Delivery { topic: k.dlq_topic.clone(), error }),
                ErrorKind::PerRecord if !bare => {
                    tracing::warn!(%error, partition = pos.partition, offset = pos.offset, "The dead-letter copy of a verdict was rejected; sending it without its value.");
                    bare = true;
                }
                ErrorKind::PerRecord => {
                    tracing::error!(%error, partition = pos.partition, offset = pos.offset, "Even the bare dead-letter copy of a verdict was rejected; skipping the verdict.");
                    return Ok(Handled::Done);
                }
                ErrorKind::Retriable => {
                    tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "Dead-lettering a verdict failed; retrying.");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stop.wait_for(|s| *s) => return Ok(Handled::Stopped),
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}

/// The error librdkafka reports for a subscribed topic that does not exist.
fn is_missing_topic(e: &KafkaError) -> bool {
    matches!(error_code(e), Some(RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_have_their_own_group_and_keep_the_offset_guarantees() {
        let k = KafkaConfig { group_id: "mod".into(), ..Default::default() };
        let c = consumer_config_for_verdicts(&k);
        assert_eq!(c.get("group.id"), Some("mod.verdicts"));
        assert_eq!(c.get("enable.auto.offset.store"), Some("false"));
        assert_eq!(c.get("enable.auto.commit"), Some("false"));
        assert_eq!(c.get("auto.offset.reset"), Some("earliest"));
        assert!(is_missing_topic(&KafkaError::MessageConsumption(RDKafkaErrorCode::UnknownTopicOrPartition)));
        assert!(!is_missing_topic(&KafkaError::MessageConsumption(RDKafkaErrorCode::BrokerTransportFailure)));
    }
}
