//! The state changelog topic (`kafka.state_topic`): checked or created at start-up, read back on
//! partition assignment.
//!
//! The topic is compacted and **co-partitioned with the input**: the state of a conversation read
//! from input partition p lives in changelog partition p, so the owner of an input partition
//! restores exactly that partition's state, and a partition count that differs from the input's is
//! a fatal configuration error. Records are keyed as [`crate::window::codec`] describes and carry
//! the consumer group in a header, so two groups pointed at one state topic are caught instead of
//! silently overwriting each other's state.

use crate::config::KafkaConfig;
use crate::kafka::{classify, reader_config};
use crate::metrics::Metrics;
use crate::pipeline::{ErrorKind, PipelineError};
use crate::window::codec::OwnedRecord;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Header naming the consumer group that wrote a state record.
pub const GROUP_HEADER: &str = "jaga.state.group";

/// A restore gives up (and is retried) when no record arrives for this long.
const RESTORE_IDLE: Duration = Duration::from_secs(30);
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks that the input, output and dead-letter topics exist (and warns when the verdicts topic
/// does not), and creates the state topic if it is missing (compacted, as many partitions as the input). Returns the input's partition count,
/// or `None` when shutdown was requested while the brokers were still unreachable.
///
/// Missing topics and authorisation failures are fatal: no retry fixes them, and failing at
/// start-up names the topic in one log line instead of dead-lettering into the void later.
/// Unreachable brokers are retried (readiness stays down).
pub async fn prepare_topics(
    k: &KafkaConfig,
    metrics: &Metrics,
    mut stop: watch::Receiver<bool>,
) -> Result<Option<i32>, PipelineError> {
    let mut backoff = Duration::from_millis(200);
    loop {
        match check_topics(k).await {
            Ok(n) => return Ok(Some(n)),
            Err(e) if e.kind() == ErrorKind::Retriable => {
                metrics.errors.with_label_values(&[ErrorKind::Retriable.as_str()]).inc();
                tracing::warn!(error = %e, "Cannot check the topics yet; retrying.");
            }
            Err(e) => return Err(e),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return Ok(None),
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn check_topics(k: &KafkaConfig) -> Result<i32, PipelineError> {
    let cfg = k.clone();
    let counts = tokio::task::spawn_blocking(move || -> Result<Vec<Option<i32>>, PipelineError> {
        let client: BaseConsumer =
            reader_config(&cfg).create().map_err(PipelineError::kafka("creating a metadata client"))?;
        let verdicts = (!cfg.verdicts_topic.is_empty()).then_some(&cfg.verdicts_topic);
        [&cfg.input_topic, &cfg.output_topic, &cfg.dlq_topic, &cfg.state_topic]
            .into_iter()
            .chain(verdicts)
            .map(|t| partition_count(&client, t))
            .collect()
    })
    .await
    .map_err(|_| PipelineError::EngineGone)??;
    let missing = |topic: &str, role, setting| PipelineError::MissingTopic { topic: topic.to_owned(), role, setting };
    let input = counts[0].ok_or_else(|| missing(&k.input_topic, "input", "kafka.input_topic"))?;
    counts[1].ok_or_else(|| missing(&k.output_topic, "risk events", "kafka.output_topic"))?;
    counts[2].ok_or_else(|| missing(&k.dlq_topic, "dead letters", "kafka.dlq_topic"))?;
    match counts[3] {
        Some(n) if n == input => {}
        Some(n) => {
            return Err(PipelineError::StateTopic {
                topic: k.state_topic.clone(),
                message: format!(
                "has {n} partitions but the input topic {} has {input}: the state of input partition p lives in state \
                     partition p, so they must match (delete the state topic to let jaga recreate it, or set \
                     kafka.state_topic to a new name; conversations then start afresh)",
                k.input_topic
            ),
            })
        }
        None => create_state_topic(k, input).await?,
    }
    // A side input: without it jaga still does its job, and it subscribes anyway, so the topic is
    // read as soon as it is created. One clear line instead of a refusal to start.
    if counts.len() > 4 && counts[4].is_none() {
        tracing::warn!(
            topic = %k.verdicts_topic,
            "The verdicts topic (kafka.verdicts_topic) does not exist: verdict metrics stay empty until it is \
             created; set kafka.verdicts_topic = \"\" to run without reviewer verdicts."
        );
    }
    warn_unless_compacted(k).await;
    Ok(input)
}

/// Partitions of `topic`, `None` when it does not exist.
fn partition_count(client: &BaseConsumer, topic: &str) -> Result<Option<i32>, PipelineError> {
    let md = client.fetch_metadata(Some(topic), METADATA_TIMEOUT).map_err(PipelineError::kafka("fetching metadata"))?;
    let Some(t) = md.topics().iter().find(|t| t.name() == topic) else {
        return Ok(None);
    };
    match t.error() {
        None if !t.partitions().is_empty() => Ok(Some(t.partitions().len() as i32)),
        None => Ok(None),
        Some(e) => match RDKafkaErrorCode::from(e) {
            RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic => Ok(None),
            code => {
                Err(PipelineError::Kafka { context: "fetching topic metadata", error: KafkaError::MetadataFetch(code) })
            }
        },
    }
}

async fn create_state_topic(k: &KafkaConfig, partitions: i32) -> Result<(), PipelineError> {
    let admin: AdminClient<DefaultClientContext> =
        super::producer_config(k).create().map_err(PipelineError::kafka("creating an admin client"))?;
    let topic = NewTopic::new(&k.state_topic, partitions, TopicReplication::Fixed(k.state_replication_factor))
        .set("cleanup.policy", "compact");
    let results = admin
        .create_topics(&[topic], &AdminOptions::new().operation_timeout(Some(METADATA_TIMEOUT)))
        .await
        .map_err(PipelineError::kafka("creating the state topic"))?;
    for r in results {
        match r {
            Ok(_) => tracing::info!(topic = %k.state_topic, partitions, "Created the state topic (compacted)."),
            // Another replica created it first.
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => {
                return Err(PipelineError::Kafka {
                    context: "creating the state topic",
                    error: KafkaError::AdminOp(code),
                })
            }
        }
    }
    Ok(())
}

/// Logs loudly when the state topic is not compacted (its old records would be deleted by
/// retention, and conversations older than that would restore incomplete). Brokers that cannot
/// describe configs are left alone.
async fn warn_unless_compacted(k: &KafkaConfig) {
    let Ok(admin) = super::producer_config(k).create::<AdminClient<DefaultClientContext>>() else { return };
    // Best effort (some brokers cannot describe configs): do not hold start-up for long.
    let opts = AdminOptions::new().request_timeout(Some(Duration::from_secs(3)));
    let Ok(results) = admin.describe_configs(&[ResourceSpecifier::Topic(&k.state_topic)], &opts).await else {
        return;
    };
    for r in results.into_iter().flatten() {
        if let Some(policy) = r.get("cleanup.policy").and_then(|e| e.value.clone()) {
            if !policy.contains("compact") {
                tracing::error!(
                    topic = %k.state_topic, policy,
                    "The state topic is not compacted: state older than its retention will be lost. Set cleanup.policy=compact."
                );
            }
        }
    }
}

/// Reads changelog partition `partition` from its start to its end, keeping the latest value per
/// key (a tombstone as `None`), and reports its progress to `metrics`
/// (`jaga_state_restore_remaining_records`, `jaga_state_restored_records_total`). Blocking: run it
/// on a blocking thread.
pub fn read_partition(k: &KafkaConfig, partition: i32, metrics: &Metrics) -> Result<Vec<OwnedRecord>, PipelineError> {
    let topic = &k.state_topic;
    let consumer: BaseConsumer =
        reader_config(k).create().map_err(PipelineError::kafka("creating the state reader"))?;
    let (low, high) = consumer
        .fetch_watermarks(topic, partition, METADATA_TIMEOUT)
        .map_err(PipelineError::kafka("reading the state topic's offsets"))?;
    let mut latest: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::new();
    if high <= low {
        return Ok(Vec::new());
    }
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition, Offset::Beginning)
        .map_err(PipelineError::kafka("assigning the state partition"))?;
    consumer.assign(&tpl).map_err(PipelineError::kafka("assigning the state partition"))?;
    let remaining = metrics.state_restore_remaining.with_label_values(&[&partition.to_string()]);
    remaining.set(high - low);
    let mut last_progress = Instant::now();
    loop {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                last_progress = Instant::now();
                let offset = m.offset();
                let group = m
                    .headers()
                    .and_then(|h| h.iter().find(|x| x.key == GROUP_HEADER))
                    .and_then(|x| x.value)
                    .map(|v| String::from_utf8_lossy(v).into_owned());
                if let Some(other) = group.filter(|g| *g != k.group_id) {
                    return Err(PipelineError::StateTopic {
                        topic: topic.clone(),
                        message: format!(
                            "holds state written by consumer group {other:?}, not {:?}: each group needs its own \
                             kafka.state_topic",
                            k.group_id
                        ),
                    });
                }
                if let Some(key) = m.key() {
                    latest.insert(key.to_vec(), m.payload().map(<[u8]>::to_vec));
                }
                metrics.state_restored_records.inc();
                remaining.set((high - 1 - offset).max(0));
                if offset >= high - 1 {
                    break;
                }
            }
            Some(Err(KafkaError::PartitionEOF(_))) => {
                remaining.set(0);
                break;
            }
            Some(Err(e)) if classify(&e) == ErrorKind::Fatal => {
                return Err(PipelineError::Kafka { context: "reading the state topic", error: e });
            }
            Some(Err(e)) => tracing::warn!(error = %e, partition, "Error reading the state topic; retrying."),
            None => {}
        }
        if last_progress.elapsed() > RESTORE_IDLE {
            return Err(PipelineError::Kafka {
                context: "reading the state topic (no progress)",
                error: KafkaError::MessageConsumption(RDKafkaErrorCode::OperationTimedOut),
            });
        }
    }
    Ok(latest.into_iter().collect())
}
