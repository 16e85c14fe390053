//! Everything Kafka: client settings, the consumer-group callbacks, error classification, and the
//! edges of the live processor — [`source`] (input topic → batches), [`sink`] (risk events,
//! dead letters and state records → broker), [`state`] (the changelog topic) and [`verdicts`]
//! (reviewers' verdicts, a side input with its own consumer group).

pub mod offsets;
pub mod sink;
pub mod source;
pub mod state;
pub mod verdicts;

use crate::config::KafkaConfig;
use crate::engine::Input;
use crate::message::BadRecordReason;
use crate::metrics::Metrics;
use crate::pipeline::ErrorKind;
use crate::window::SourcePos;
use offsets::OffsetTracker;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, ClientContext, Statistics, TopicPartitionList};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Dead-letter header names. DLQ consumers match on them; keep them stable.
pub mod dlq_headers {
    /// Stable machine-readable reason code (see `BadRecordReason::code`).
    pub const REASON: &str = "jaga.dlq.reason";
    /// Human-readable reason; never contains message text or any value from the record.
    pub const DETAIL: &str = "jaga.dlq.detail";
    pub const SOURCE_TOPIC: &str = "jaga.dlq.source.topic";
    pub const SOURCE_PARTITION: &str = "jaga.dlq.source.partition";
    pub const SOURCE_OFFSET: &str = "jaga.dlq.source.offset";
    /// Present when the value was cut: the original value's size in bytes. The source headers
    /// point at the original record.
    pub const TRUNCATED: &str = "jaga.dlq.truncated";
}

/// An input record as read, kept until everything it caused is acknowledged: its bytes are what a
/// dead-letter copy carries.
#[derive(Debug, Clone, Default)]
pub struct RawRecord {
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// One input record on its way through the pipeline.
#[derive(Debug)]
pub struct Item {
    pub pos: SourcePos,
    /// The assignment generation it was read under (see [`offsets`]).
    pub generation: u64,
    pub raw: RawRecord,
    /// The decoded message (taken by the inference thread), or why the record is bad.
    pub body: Result<Option<Input>, BadRecordReason>,
}

fn apply(cfg: &mut ClientConfig, map: &std::collections::BTreeMap<String, String>) {
    for (k, v) in map {
        cfg.set(k, v);
    }
}

/// Consumer settings: jaga stores and commits offsets itself (at-least-once), uses the
/// cooperative-sticky assignor so a rebalance only moves the partitions it must, and starts a new
/// group at the earliest offset so no message published before the first start is skipped.
pub fn consumer_config(k: &KafkaConfig) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &k.brokers)
        .set("group.id", &k.group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("partition.assignment.strategy", "cooperative-sticky")
        .set("statistics.interval.ms", "5000")
        .set("session.timeout.ms", "30000");
    apply(&mut c, &k.librdkafka);
    apply(&mut c, &k.consumer);
    c
}

/// Settings of the consumer that reads the state topic on assignment and of the metadata client:
/// the user's connection settings, no group membership, no commits, and end-of-partition events.
pub fn reader_config(k: &KafkaConfig) -> ClientConfig {
    let mut c = consumer_config(k);
    c.remove("group.instance.id")
        .set("group.id", format!("{}.state-reader", k.group_id))
        .set("enable.partition.eof", "true")
        .set("statistics.interval.ms", "0");
    c
}

/// Producer settings: idempotent (no duplicates from internal retries, order kept per partition),
/// acknowledged by all in-sync replicas.
pub fn producer_config(k: &KafkaConfig) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &k.brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("message.timeout.ms", "120000");
    apply(&mut c, &k.librdkafka);
    apply(&mut c, &k.producer);
    c
}

/// The error code inside a client error, when it has one.
pub fn error_code(e: &KafkaError) -> Option<RDKafkaErrorCode> {
    match e {
        KafkaError::AdminOp(c)
        | KafkaError::ConsumerCommit(c)
        | KafkaError::ConsumerQueueClose(c)
        | KafkaError::Flush(c)
        | KafkaError::Global(c)
        | KafkaError::GroupListFetch(c)
        | KafkaError::MessageConsumption(c)
        | KafkaError::MessageConsumptionFatal(c)
        | KafkaError::MessageProduction(c)
        | KafkaError::MetadataFetch(c)
        | KafkaError::OffsetFetch(c)
        | KafkaError::Rebalance(c)
        | KafkaError::SetPartitionOffset(c)
        | KafkaError::StoreOffset(c)
        | KafkaError::MockCluster(c) => Some(*c),
        KafkaError::Transaction(e) => Some(e.code()),
        _ => None,
    }
}

/// What to do about a client error: stop (credentials, authorisation, configuration — no retry
/// fixes them), dead-letter the one record (it is too large or malformed for the broker), or back
/// off and retry (everything else: brokers down, leaders moving, timeouts).
pub fn classify(e: &KafkaError) -> ErrorKind {
    match e {
        KafkaError::ClientConfig(..)
        | KafkaError::ClientCreation(_)
        | KafkaError::AdminOpCreation(_)
        | KafkaError::Subscription(_)
        | KafkaError::Nul(_)
        | KafkaError::MessageConsumptionFatal(_) => ErrorKind::Fatal,
        other => error_code(other).map_or(ErrorKind::Retriable, classify_code),
    }
}

/// [`classify`] for an error code.
pub fn classify_code(code: RDKafkaErrorCode) -> ErrorKind {
    use RDKafkaErrorCode as C;
    match code {
        C::SaslAuthenticationFailed
        | C::Authentication
        | C::UnsupportedSASLMechanism
        | C::IllegalSASLState
        | C::TopicAuthorizationFailed
        | C::GroupAuthorizationFailed
        | C::ClusterAuthorizationFailed
        | C::TransactionalIdAuthorizationFailed
        | C::DelegationTokenAuthorizationFailed
        | C::Fatal
        | C::Fenced
        | C::InvalidConfig
        | C::InvalidRequiredAcks
        | C::InvalidTopic
        | C::InvalidReplicationFactor
        | C::UnsupportedVersion => ErrorKind::Fatal,
        C::MessageSizeTooLarge
        | C::InvalidMessageSize
        | C::MessageBatchTooLarge
        | C::InvalidRecord
        | C::InvalidMessage
        | C::InvalidTimestamp
        | C::BadMessage => ErrorKind::PerRecord,
        _ => ErrorKind::Retriable,
    }
}

/// A rebalance problem the consumer loop must stop on.
#[derive(Debug)]
pub enum RebalanceEvent {
    /// A newly assigned partition's state could not be restored for a reason no retry fixes.
    RestoreFailed(crate::pipeline::PipelineError),
}

/// Consumer context: keeps the offset tracker's assignment generations, lets in-flight work of a
/// revoked partition finish and commits it before letting go, restores a newly assigned
/// partition's state before any of its records can be read, and turns librdkafka statistics into
/// the read-lag gauge.
///
/// Both rebalance callbacks run inside the consumer's poll, so while they block no record is
/// read: that is what orders "drop the state" and "install the state" before the partition's
/// records, without pausing the consumer (which also needs no resume to go wrong).
pub struct JagaContext {
    pub kafka: KafkaConfig,
    pub metrics: Metrics,
    pub rebalances: tokio::sync::mpsc::UnboundedSender<RebalanceEvent>,
    pub tracker: Arc<Mutex<OffsetTracker>>,
    /// Commands to the inference thread (restore, revoke), in order with the batches.
    pub engine: tokio::sync::mpsc::UnboundedSender<crate::inference::Command>,
    pub health: crate::http::Health,
    /// Set on shutdown: a restore that keeps failing stops retrying.
    pub stopping: Arc<std::sync::atomic::AtomicBool>,
    /// How long a revocation waits for the partitions' in-flight records to be done.
    pub revoke_drain: Duration,
}

impl ClientContext for JagaContext {
    fn stats(&self, statistics: Statistics) {
        let Some(topic) = statistics.topics.get(&self.kafka.input_topic) else { return };
        let owned = self.tracker.lock().map(|t| t.partitions()).unwrap_or_default();
        for (id, p) in &topic.partitions {
            if *id < 0 || !owned.contains(id) || p.hi_offset < 0 {
                continue;
            }
            // Read lag: what is on the broker and not read yet. Before the first read, the
            // position is the committed offset.
            let position = if p.app_offset >= 0 { p.app_offset } else { p.committed_offset };
            if position >= 0 {
                self.metrics.consumer_lag.with_label_values(&[&id.to_string()]).set((p.hi_offset - position).max(0));
            }
        }
    }
}

impl JagaContext {
    fn partitions(&self, tpl: &TopicPartitionList) -> Vec<i32> {
        tpl.elements().iter().filter(|e| e.topic() == self.kafka.input_topic).map(|e| e.partition()).collect()
    }

    /// Waits (bounded) until no record of `parts` is in flight, so their events and state records
    /// are written before the next owner restores the state.
    fn drain(&self, parts: &[i32]) {
        let deadline = Instant::now() + self.revoke_drain;
        loop {
            let pending: usize =
                self.tracker.lock().map(|t| parts.iter().map(|&p| t.pending(p)).sum()).unwrap_or_default();
            if pending == 0 {
                return;
            }
            if Instant::now() >= deadline {
                tracing::warn!(
                    pending,
                    ?parts,
                    "Revocation did not wait for every in-flight record; the next owner reprocesses them."
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Reads a partition's state, retrying what a retry can fix (until shutdown).
    fn read_state(
        &self,
        partition: i32,
    ) -> Result<Vec<crate::window::codec::OwnedRecord>, crate::pipeline::PipelineError> {
        let mut backoff = Duration::from_millis(500);
        loop {
            match state::read_partition(&self.kafka, partition, &self.metrics) {
                Ok(records) => return Ok(records),
                Err(e) if e.kind() == ErrorKind::Fatal => return Err(e),
                Err(e) => {
                    if self.stopping.load(std::sync::atomic::Ordering::Relaxed) {
                        return Err(crate::pipeline::PipelineError::ShuttingDown);
                    }
                    self.metrics.errors.with_label_values(&[ErrorKind::Retriable.as_str()]).inc();
                    tracing::warn!(error = %e, partition, "Restoring state failed; retrying.");
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}

impl ConsumerContext for JagaContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(tpl) = rebalance else { return };
        let parts = self.partitions(tpl);
        // A lost assignment (session expired) already belongs to someone else: nothing to wait for
        // or commit.
        if !consumer.assignment_lost() {
            self.drain(&parts);
            let mut commit = TopicPartitionList::new();
            if let Ok(t) = self.tracker.lock() {
                for &p in &parts {
                    if let Some(o) = t.committable(p) {
                        let _ = commit.add_partition_offset(&self.kafka.input_topic, p, rdkafka::Offset::Offset(o));
                    }
                }
            }
            if commit.count() > 0 {
                if let Err(error) = consumer.commit(&commit, rdkafka::consumer::CommitMode::Sync) {
                    tracing::warn!(%error, "Commit on revocation failed; the next owner may reprocess some records.");
                }
            }
        }
        if let Ok(mut t) = self.tracker.lock() {
            for &p in &parts {
                t.revoke(p);
            }
        }
        for p in &parts {
            let _ = self.metrics.consumer_lag.remove_label_values(&[&p.to_string()]);
        }
        let _ = self.engine.send(crate::inference::Command::Revoke(parts.clone()));
        tracing::info!(?parts, "Partitions revoked.");
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let parts = self.partitions(tpl);
                if parts.is_empty() {
                    // Part of the group, with nothing (new) to restore.
                    self.health.set_consuming(true);
                    return;
                }
                let assigned: Vec<(i32, u64)> = match self.tracker.lock() {
                    Ok(mut t) => parts.iter().map(|&p| (p, t.assign(p))).collect(),
                    Err(_) => return,
                };
                tracing::info!(?parts, "Partitions assigned; restoring their state.");
                self.health.set_restoring(parts.len());
                let started = Instant::now();
                for (partition, generation) in assigned {
                    match self.read_state(partition) {
                        Ok(records) => {
                            let _ =
                                self.engine.send(crate::inference::Command::Restore { partition, generation, records });
                        }
                        Err(e) => {
                            let _ = self.rebalances.send(RebalanceEvent::RestoreFailed(e));
                            break;
                        }
                    }
                }
                self.health.set_restoring(0);
                self.health.set_consuming(true);
                tracing::info!(?parts, ms = started.elapsed().as_millis() as u64, "State read; consuming.");
            }
            Rebalance::Error(error) => tracing::warn!(%error, "Rebalance error."),
            Rebalance::Revoke(_) => {}
        }
    }
}

/// Headers of a dead-letter record: the reason and where the record came from (and, when the
/// value was cut, its original size), followed by the original record's headers so a DLQ consumer
/// has everything needed to re-drive it.
pub fn dlq_headers_for(
    reason: &BadRecordReason,
    topic: &str,
    pos: SourcePos,
    original: &[(String, Option<Vec<u8>>)],
    truncated_from: Option<usize>,
) -> OwnedHeaders {
    dlq_headers_with(reason.code(), &reason.to_string(), topic, pos, original, truncated_from)
}

/// [`dlq_headers_for`] with the reason given as its code and detail, for records that are not
/// chat messages (bad verdicts carry a [`crate::verdicts::BadVerdictReason`]); the source topic
/// header tells a DLQ consumer which kind it holds.
pub fn dlq_headers_with(
    code: &str,
    detail: &str,
    topic: &str,
    pos: SourcePos,
    original: &[(String, Option<Vec<u8>>)],
    truncated_from: Option<usize>,
) -> OwnedHeaders {
    let (p, o) = (pos.partition.to_string(), pos.offset.to_string());
    let mut h = OwnedHeaders::new()
        .insert(Header { key: dlq_headers::REASON, value: Some(code) })
        .insert(Header { key: dlq_headers::DETAIL, value: Some(detail) })
        .insert(Header { key: dlq_headers::SOURCE_TOPIC, value: Some(topic) })
        .insert(Header { key: dlq_headers::SOURCE_PARTITION, value: Some(p.as_str()) })
        .insert(Header { key: dlq_headers::SOURCE_OFFSET, value: Some(o.as_str()) });
    if let Some(size) = truncated_from {
        let size = size.to_string();
        h = h.insert(Header { key: dlq_headers::TRUNCATED, value: Some(size.as_str()) });
    }
    for (key, value) in original {
        h = h.insert(Header { key, value: value.as_deref() });
    }
    h
}

/// The headers of a consumed record, owned.
pub fn owned_headers(headers: Option<&rdkafka::message::BorrowedHeaders>) -> Vec<(String, Option<Vec<u8>>)> {
    headers.map(|h| h.iter().map(|x| (x.key.to_owned(), x.value.map(<[u8]>::to_vec))).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_settings_pass_through_but_cannot_weaken_offsets() {
        let mut k = KafkaConfig::default();
        k.librdkafka.insert("security.protocol".into(), "sasl_ssl".into());
        k.librdkafka.insert("group.instance.id".into(), "jaga-0".into());
        k.consumer.insert("fetch.min.bytes".into(), "1".into());
        let c = consumer_config(&k);
        assert_eq!(c.get("security.protocol"), Some("sasl_ssl"));
        assert_eq!(c.get("fetch.min.bytes"), Some("1"));
        assert_eq!(c.get("enable.auto.offset.store"), Some("false"));
        assert_eq!(c.get("partition.assignment.strategy"), Some("cooperative-sticky"));
        let p = producer_config(&k);
        assert_eq!(p.get("enable.idempotence"), Some("true"));
        assert_eq!(p.get("security.protocol"), Some("sasl_ssl"));
        assert_eq!(p.get("fetch.min.bytes"), None);
        let r = reader_config(&k);
        assert_eq!(r.get("security.protocol"), Some("sasl_ssl"), "the state reader connects like the consumer");
        assert_eq!(r.get("group.instance.id"), None, "but never takes the group member's identity");
        assert_eq!(r.get("enable.partition.eof"), Some("true"));
    }

    #[test]
    fn dlq_headers_name_the_reason_and_source() {
        let original = vec![("trace-id".to_string(), Some(b"abc".to_vec()))];
        let pos = SourcePos { partition: 2, offset: 41 };
        let h =
            dlq_headers_for(&BadRecordReason::NotJson { line: 1, column: 2 }, "chat.messages", pos, &original, Some(9));
        let get = |key: &str| {
            h.iter().find(|x| x.key == key).and_then(|x| x.value).map(|v| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(get(dlq_headers::REASON).as_deref(), Some("not_json"));
        assert_eq!(get(dlq_headers::SOURCE_PARTITION).as_deref(), Some("2"));
        assert_eq!(get(dlq_headers::SOURCE_OFFSET).as_deref(), Some("41"));
        assert_eq!(get(dlq_headers::TRUNCATED).as_deref(), Some("9"));
        assert_eq!(get("trace-id").as_deref(), Some("abc"));
        assert!(get(dlq_headers::DETAIL).unwrap().contains("not JSON"));
    }

    #[test]
    fn errors_are_classified_by_what_fixes_them() {
        use RDKafkaErrorCode as C;
        let p = |c| classify(&KafkaError::MessageProduction(c));
        assert_eq!(p(C::TopicAuthorizationFailed), ErrorKind::Fatal);
        assert_eq!(p(C::SaslAuthenticationFailed), ErrorKind::Fatal);
        assert_eq!(p(C::MessageSizeTooLarge), ErrorKind::PerRecord);
        assert_eq!(p(C::MessageTimedOut), ErrorKind::Retriable);
        assert_eq!(p(C::NotLeaderForPartition), ErrorKind::Retriable);
        assert_eq!(p(C::UnknownTopicOrPartition), ErrorKind::Retriable);
        assert_eq!(classify(&KafkaError::Canceled), ErrorKind::Retriable);
        assert_eq!(classify(&KafkaError::ClientCreation("x".into())), ErrorKind::Fatal);
        assert_eq!(classify(&KafkaError::MessageConsumption(C::BrokerTransportFailure)), ErrorKind::Retriable);
    }
}
