//! The Kafka edges: client configuration, the consumer context (rebalances, statistics) and the
//! shapes of the records jaga writes (risk events, dead-letter records).

pub mod offsets;

use crate::config::KafkaConfig;
use crate::message::BadRecordReason;
use crate::metrics::Metrics;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::{ClientConfig, ClientContext, Statistics};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Dead-letter header names. DLQ consumers match on them; keep them stable.
pub mod dlq_headers {
    /// Stable machine-readable reason code (see `BadRecordReason::code`).
    pub const REASON: &str = "jaga.dlq.reason";
    /// Human-readable reason; never contains message text.
    pub const DETAIL: &str = "jaga.dlq.detail";
    pub const SOURCE_TOPIC: &str = "jaga.dlq.source.topic";
    pub const SOURCE_PARTITION: &str = "jaga.dlq.source.partition";
    pub const SOURCE_OFFSET: &str = "jaga.dlq.source.offset";
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

/// A rebalance the pipeline must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebalanceEvent {
    Assigned(Vec<i32>),
    Revoked(Vec<i32>),
}

/// Consumer context: forwards rebalances to the pipeline, keeps the set of owned partitions, and
/// turns librdkafka statistics into the consumer-lag gauge.
pub struct JagaContext {
    pub topic: String,
    pub metrics: Metrics,
    /// Partitions currently owned. Read by the inference thread so it skips records of a
    /// partition revoked while they were queued (the new owner will process them).
    pub owned: Arc<Mutex<HashSet<i32>>>,
    pub rebalances: tokio::sync::mpsc::UnboundedSender<RebalanceEvent>,
    /// Shared with the pipeline: on revocation, what is done is committed before letting go.
    pub tracker: Arc<Mutex<offsets::OffsetTracker>>,
}

impl ClientContext for JagaContext {
    fn stats(&self, statistics: Statistics) {
        if let Some(topic) = statistics.topics.get(&self.topic) {
            for (id, p) in &topic.partitions {
                if *id >= 0 && p.consumer_lag >= 0 {
                    self.metrics.consumer_lag.with_label_values(&[&id.to_string()]).set(p.consumer_lag);
                }
            }
        }
    }
}

impl JagaContext {
    fn partitions(&self, tpl: &rdkafka::TopicPartitionList) -> Vec<i32> {
        tpl.elements().iter().filter(|e| e.topic() == self.topic).map(|e| e.partition()).collect()
    }
}

impl ConsumerContext for JagaContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            let parts = self.partitions(tpl);
            // Commit what is done for the partitions we are losing, then forget them: results
            // still in flight for them will be ignored, and the new owner re-reads from here.
            if let Ok(mut tracker) = self.tracker.lock() {
                let mut commit = rdkafka::TopicPartitionList::new();
                for &p in &parts {
                    if let Some(o) = tracker.committable(p) {
                        let _ = commit.add_partition_offset(&self.topic, p, rdkafka::Offset::Offset(o));
                    }
                    tracker.revoke(p);
                }
                if commit.count() > 0 {
                    if let Err(error) = consumer.commit(&commit, rdkafka::consumer::CommitMode::Sync) {
                        tracing::warn!(%error, "Commit on revocation failed; the new owner may reprocess some records.");
                    }
                }
            }
            if let Ok(mut owned) = self.owned.lock() {
                for p in &parts {
                    owned.remove(p);
                    let _ = self.metrics.consumer_lag.remove_label_values(&[&p.to_string()]);
                }
            }
            tracing::info!(?parts, "Partitions revoked.");
            let _ = self.rebalances.send(RebalanceEvent::Revoked(parts));
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let parts = self.partitions(tpl);
                if let Ok(mut owned) = self.owned.lock() {
                    owned.extend(parts.iter().copied());
                }
                tracing::info!(?parts, "Partitions assigned.");
                let _ = self.rebalances.send(RebalanceEvent::Assigned(parts));
            }
            Rebalance::Error(error) => tracing::warn!(%error, "Rebalance error."),
            Rebalance::Revoke(_) => {}
        }
    }
}

/// Headers of a dead-letter record: the reason and where the record came from, followed by the
/// original record's headers (so a DLQ consumer has everything needed to re-drive it).
pub fn dlq_headers_for(
    reason: &BadRecordReason,
    topic: &str,
    partition: i32,
    offset: i64,
    original: Option<&rdkafka::message::BorrowedHeaders>,
) -> OwnedHeaders {
    let detail = reason.to_string();
    let (p, o) = (partition.to_string(), offset.to_string());
    let mut h = OwnedHeaders::new()
        .insert(Header { key: dlq_headers::REASON, value: Some(reason.code()) })
        .insert(Header { key: dlq_headers::DETAIL, value: Some(detail.as_str()) })
        .insert(Header { key: dlq_headers::SOURCE_TOPIC, value: Some(topic) })
        .insert(Header { key: dlq_headers::SOURCE_PARTITION, value: Some(p.as_str()) })
        .insert(Header { key: dlq_headers::SOURCE_OFFSET, value: Some(o.as_str()) });
    if let Some(orig) = original {
        for hdr in orig.iter() {
            h = h.insert(Header { key: hdr.key, value: hdr.value });
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_settings_pass_through_but_cannot_weaken_offsets() {
        let mut k = KafkaConfig::default();
        k.librdkafka.insert("security.protocol".into(), "sasl_ssl".into());
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
    }

    #[test]
    fn dlq_headers_name_the_reason_and_source() {
        let h = dlq_headers_for(&BadRecordReason::NotJson("eof".into()), "chat.messages", 2, 41, None);
        let get = |key: &str| {
            h.iter().find(|x| x.key == key).and_then(|x| x.value).map(|v| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(get(dlq_headers::REASON).as_deref(), Some("not_json"));
        assert_eq!(get(dlq_headers::SOURCE_PARTITION).as_deref(), Some("2"));
        assert_eq!(get(dlq_headers::SOURCE_OFFSET).as_deref(), Some("41"));
        assert!(get(dlq_headers::DETAIL).unwrap().contains("not JSON"));
    }
}
