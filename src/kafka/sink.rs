//! Everything jaga writes: risk events, dead-letter copies and state changelog records, in the
//! order that loses nothing.
//!
//! Batch results arrive in the order they were read. For each batch:
//!
//! 1. its risk events and dead-letter copies are enqueued at once (stage 1, so the next batch's
//!    events can be in flight while this one finishes);
//! 2. every one of them is acknowledged — retried while the error is retriable, replaced by a
//!    dead-letter copy (an event) or a truncated copy (a dead letter) when only that record is
//!    the problem;
//! 3. only then are the batch's state records written, conversations first and partition
//!    metadata last, each group acknowledged before the next: a state record says "these inputs
//!    are applied", so it must never reach the broker before what those inputs caused;
//! 4. then the batch's offsets are done and may be committed.
//!
//! Batches finish strictly in order (stage 2), so the state records of one conversation are never
//! reordered.

use crate::config::Config;
use crate::http::{Health, RetryGuard};
use crate::inference::{BatchResult, ItemOutcome, Reply};
use crate::kafka::offsets::OffsetTracker;
use crate::kafka::state::GROUP_HEADER;
use crate::kafka::{classify, dlq_headers_for, Item};
use crate::message::BadRecordReason;
use crate::metrics::Metrics;
use crate::pipeline::{ErrorKind, PipelineError};
use crate::window::StateChange;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// What the sink tells the source.
#[derive(Debug)]
pub enum Done {
    /// Batch `seq` is finished: its offsets are done.
    Batch { seq: u64 },
    /// The sink stopped.
    Fatal(PipelineError),
}

/// A record to produce, kept so it can be sent again.
#[derive(Debug, Clone)]
struct OutRecord {
    topic: String,
    partition: Option<i32>,
    key: Vec<u8>,
    /// `None` is a tombstone.
    payload: Option<Vec<u8>>,
    headers: OwnedHeaders,
}

#[derive(Debug, Clone)]
enum Kind {
    Event {
        item: usize,
    },
    /// `bare`: the fallback copy without value and original headers.
    DeadLetter {
        item: usize,
        reason: BadRecordReason,
        bare: bool,
    },
    State,
}

/// A record in flight (or that failed to enqueue).
struct Pending {
    record: OutRecord,
    kind: Kind,
    sent: Result<DeliveryFuture, KafkaError>,
}

/// See the module docs.
pub struct Sink {
    pub producer: FutureProducer,
    pub cfg: Arc<Config>,
    pub metrics: Metrics,
    pub tracker: Arc<Mutex<OffsetTracker>>,
    pub health: Health,
    /// Set when shutdown gives up waiting: retries stop.
    pub abort: watch::Receiver<bool>,
    /// Told every event's level, so a verdict on it counts for that level.
    pub verdicts: Option<Arc<Mutex<crate::verdicts::VerdictTracker>>>,
}

impl Sink {
    /// Runs until `results` closes (shutdown) or a fatal error, which is reported on `done`.
    pub async fn run(self, mut results: mpsc::UnboundedReceiver<Reply>, done: mpsc::UnboundedSender<Done>) {
        let this = Arc::new(self);
        let (finish_tx, finish_rx) = mpsc::channel::<(BatchResult, Vec<Pending>, Instant)>(4);
        let finisher = tokio::spawn(this.clone().finish_batches(finish_rx, done.clone()));
        while let Some(reply) = results.recv().await {
            let result = match reply.await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => {
                    let _ = done.send(Done::Fatal(e));
                    break;
                }
                Err(_) => {
                    let _ = done.send(Done::Fatal(PipelineError::EngineGone));
                    break;
                }
            };
            let started = Instant::now();
            let pending = this.send_outputs(&result).await;
            if finish_tx.send((result, pending, started)).await.is_err() {
                break; // the finisher stopped on a fatal error
            }
        }
        drop(finish_tx);
        let _ = finisher.await;
    }

    /// Stage 1: enqueues a batch's events and dead-letter copies.
    async fn send_outputs(&self, result: &BatchResult) -> Vec<Pending> {
        let mut out = Vec::new();
        for (i, (item, outcome)) in result.items.iter().zip(&result.outcomes).enumerate() {
            let (record, kind) = match outcome {
                ItemOutcome::Scored(Some(event)) => match serde_json::to_vec(event) {
                    Ok(payload) => {
                        if let Some(t) = &self.verdicts {
                            if let Ok(mut t) = t.lock() {
                                t.remember(&event.event_id, event.level);
                            }
                        }
                        (self.event_record(&event.conversation_id, payload), Kind::Event { item: i })
                    }
                    Err(e) => {
                        tracing::error!(error = %e, partition = item.pos.partition, offset = item.pos.offset, "Cannot serialise a risk event; the record goes to the dead-letter topic.");
                        self.count(ErrorKind::PerRecord);
                        let reason = BadRecordReason::EventNotSerialisable;
                        (self.dlq_record(item, &reason, false), Kind::DeadLetter { item: i, reason, bare: false })
                    }
                },
                ItemOutcome::DeadLetter(reason) => (
                    self.dlq_record(item, reason, false),
                    Kind::DeadLetter { item: i, reason: reason.clone(), bare: false },
                ),
                ItemOutcome::Scored(None) | ItemOutcome::Skipped | ItemOutcome::Stale => continue,
            };
            let sent = self.enqueue(&record).await;
            out.push(Pending { record, kind, sent });
        }
        out
    }

    /// Stage 2: finishes batches in order.
    async fn finish_batches(
        self: Arc<Self>,
        mut rx: mpsc::Receiver<(BatchResult, Vec<Pending>, Instant)>,
        done: mpsc::UnboundedSender<Done>,
    ) {
        while let Some((result, pending, started)) = rx.recv().await {
            match self.finish(result, pending, started).await {
                Ok(seq) => {
                    let _ = done.send(Done::Batch { seq });
                }
                Err(e) => {
                    let _ = done.send(Done::Fatal(e));
                    return;
                }
            }
        }
    }

    async fn finish(&self, result: BatchResult, pending: Vec<Pending>, started: Instant) -> Result<u64, PipelineError> {
        let had_outputs = !pending.is_empty();
        for p in pending {
            self.deliver(p, &result.items).await?;
        }
        if had_outputs {
            self.metrics.stage_latency.with_label_values(&["produce"]).observe(started.elapsed().as_secs_f64());
        }
        self.write_state(result.changes).await?;
        if let Ok(mut t) = self.tracker.lock() {
            for item in &result.items {
                t.complete(item.pos.partition, item.generation, item.pos.offset);
            }
        }
        Ok(result.seq)
    }

    /// Writes a batch's state records of partitions still owned under the same assignment:
    /// conversations, acknowledged, then partition metadata, acknowledged.
    async fn write_state(&self, changes: Vec<(StateChange, Option<u64>)>) -> Result<(), PipelineError> {
        let owned: Vec<StateChange> = {
            let t = self.tracker.lock().map_err(|_| PipelineError::EngineGone)?;
            changes
                .into_iter()
                .filter(|(c, g)| g.is_some_and(|g| t.is_current(c.partition, g)))
                .map(|(c, _)| c)
                .collect()
        };
        let (meta, conversations): (Vec<StateChange>, Vec<StateChange>) = owned.into_iter().partition(|c| c.meta);
        let group = self.cfg.kafka.group_id.as_str();
        for changes in [conversations, meta] {
            let mut pending = Vec::with_capacity(changes.len());
            for c in changes {
                let record = OutRecord {
                    topic: self.cfg.kafka.state_topic.clone(),
                    partition: Some(c.partition),
                    key: c.key,
                    payload: c.value,
                    headers: OwnedHeaders::new().insert(Header { key: GROUP_HEADER, value: Some(group) }),
                };
                let sent = self.enqueue(&record).await;
                pending.push(Pending { record, kind: Kind::State, sent });
            }
            for p in pending {
                self.deliver(p, &[]).await?;
            }
        }
        Ok(())
    }

    /// Waits until `p` is acknowledged, retrying retriable errors with back-off (readiness down
    /// meanwhile) and replacing a record the broker will not take by its fallback.
    async fn deliver(&self, mut p: Pending, items: &[Item]) -> Result<(), PipelineError> {
        let mut backoff = Duration::from_millis(100);
        let mut retrying: Option<RetryGuard> = None;
        let mut abort = self.abort.clone();
        loop {
            let sent = std::mem::replace(&mut p.sent, Err(KafkaError::Canceled));
            let result = match sent {
                Ok(f) => match f.await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err((e, _))) => Err(e),
                    Err(_) => Err(KafkaError::Canceled),
                },
                Err(e) => Err(e),
            };
            let error = match result {
                Ok(()) => {
                    self.acknowledged(&p.kind, &p.record);
                    if retrying.is_some() {
                        tracing::info!(topic = %p.record.topic, "Delivered after retrying.");
                    }
                    return Ok(());
                }
                Err(e) => e,
            };
            self.metrics.produce_errors.inc();
            let kind = classify(&error);
            self.count(kind);
            match kind {
                ErrorKind::Fatal => return Err(PipelineError::Delivery { topic: p.record.topic, error }),
                ErrorKind::PerRecord => {
                    let (record, kind) = self.fallback(&p, &error, items)?;
                    p = Pending { sent: self.enqueue(&record).await, record, kind };
                }
                ErrorKind::Retriable => {
                    retrying.get_or_insert_with(|| self.health.retrying());
                    tracing::warn!(topic = %p.record.topic, %error, retry_in_ms = backoff.as_millis() as u64, "Delivery failed; retrying (consumption pauses meanwhile).");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = abort.wait_for(|a| *a) => return Err(PipelineError::ShuttingDown),
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    p.sent = self.enqueue(&p.record).await;
                }
            }
        }
    }

    /// What to send instead of a record the broker rejects for itself: a dead-letter copy of the
    /// input for an event, an empty-valued copy for a dead letter.
    fn fallback(&self, p: &Pending, error: &KafkaError, items: &[Item]) -> Result<(OutRecord, Kind), PipelineError> {
        let size = p.record.payload.as_ref().map_or(0, Vec::len);
        match &p.kind {
            Kind::Event { item } => {
                let it = items.get(*item).ok_or(PipelineError::EngineGone)?;
                tracing::error!(%error, size, partition = it.pos.partition, offset = it.pos.offset, "A risk event was rejected by the producer; its input record goes to the dead-letter topic instead.");
                let reason = BadRecordReason::EventTooLarge { size };
                Ok((self.dlq_record(it, &reason, false), Kind::DeadLetter { item: *item, reason, bare: false }))
            }
            Kind::DeadLetter { item, reason, bare: false } => {
                let it = items.get(*item).ok_or(PipelineError::EngineGone)?;
                tracing::warn!(%error, size, partition = it.pos.partition, offset = it.pos.offset, "A dead-letter copy was rejected; sending it without its value (jaga.dlq.truncated).");
                Ok((self.dlq_record(it, reason, true), Kind::DeadLetter { item: *item, reason: reason.clone(), bare: true }))
            }
            Kind::DeadLetter { bare: true, .. } => {
                Err(PipelineError::Delivery { topic: p.record.topic.clone(), error: error.clone() })
            }
            Kind::State => Err(PipelineError::StateTopic {
                topic: p.record.topic.clone(),
                message: format!(
                    "a state record of {size} bytes was rejected ({error}): lower window.max_conversation_bytes or raise the topic's max.message.bytes"
                ),
            }),
        }
    }

    fn acknowledged(&self, kind: &Kind, record: &OutRecord) {
        match kind {
            Kind::Event { .. } => self.metrics.events_produced.inc(),
            Kind::DeadLetter { .. } => {
                self.metrics.dlq_records.inc();
                if has_header(&record.headers, crate::kafka::dlq_headers::TRUNCATED) {
                    self.metrics.dlq_truncated.inc();
                }
            }
            Kind::State => self.metrics.state_records_written.inc(),
        }
    }

    fn count(&self, kind: ErrorKind) {
        self.metrics.errors.with_label_values(&[kind.as_str()]).inc();
    }

    fn event_record(&self, conversation_id: &str, payload: Vec<u8>) -> OutRecord {
        OutRecord {
            topic: self.cfg.kafka.output_topic.clone(),
            partition: None,
            key: conversation_id.as_bytes().to_vec(),
            payload: Some(payload),
            headers: OwnedHeaders::new()
                .insert(Header { key: "content-type", value: Some("application/json") })
                .insert(Header { key: "jaga.schema_version", value: Some("1") }),
        }
    }

    /// The dead-letter copy of an input record: its key and value (cut to
    /// `pipeline.dlq_max_payload_bytes`, or dropped with `bare`), the reason and source headers,
    /// and its own headers (not with `bare`, in case they are what the broker rejects).
    fn dlq_record(&self, item: &Item, reason: &BadRecordReason, bare: bool) -> OutRecord {
        let limit = if bare { 0 } else { self.cfg.pipeline.dlq_max_payload_bytes };
        let (payload, truncated_from) = match item.raw.payload.as_deref() {
            Some(v) if v.len() > limit => (Some(v[..limit].to_vec()), Some(v.len())),
            Some(v) => (Some(v.to_vec()), None),
            None => (None, None),
        };
        let original: &[(String, Option<Vec<u8>>)] = if bare { &[] } else { &item.raw.headers };
        OutRecord {
            topic: self.cfg.kafka.dlq_topic.clone(),
            partition: None,
            key: item.raw.key.clone().unwrap_or_default(),
            // A dead letter must not read as a tombstone, even when the value is gone.
            payload: Some(payload.unwrap_or_default()),
            headers: dlq_headers_for(reason, &self.cfg.kafka.input_topic, item.pos, original, truncated_from),
        }
    }

    /// Enqueues a record, waiting while librdkafka's local queue is full.
    async fn enqueue(&self, r: &OutRecord) -> Result<DeliveryFuture, KafkaError> {
        loop {
            let mut record = FutureRecord::<[u8], [u8]>::to(&r.topic).key(&r.key[..]).headers(r.headers.clone());
            if let Some(p) = &r.payload {
                record = record.payload(&p[..]);
            }
            if let Some(p) = r.partition {
                record = record.partition(p);
            }
            match self.producer.send_result(record) {
                Ok(f) => return Ok(f),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }
}

fn has_header(h: &OwnedHeaders, key: &str) -> bool {
    use rdkafka::message::Headers;
    h.iter().any(|x| x.key == key)
}
