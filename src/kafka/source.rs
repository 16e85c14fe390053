//! The input edge: the consumer loop. Reads records, decodes them (bad ones keep their reason and
//! travel on to the dead-letter topic), batches them for the inference thread, commits done
//! offsets, and drains on shutdown. State restores and revocations happen in the consumer's
//! rebalance callbacks ([`crate::kafka::JagaContext`]).
//!
//! Back-pressure: when the pipeline holds as many batches as it may and the next one is full, the
//! loop stops reading until a batch finishes (`jaga_paused` 1). librdkafka keeps at most its
//! prefetch queue (`queued.max.messages.kbytes`) meanwhile. A stop longer than
//! `max.poll.interval.ms` (a broker outage the sink is retrying through) makes librdkafka leave the
//! group; reading again rejoins it and restores the state of whatever it is assigned, so nothing
//! is lost, only rebalanced.

use crate::config::Config;
use crate::engine::Input;
use crate::http::Health;
use crate::inference::{Batch, Command, Reply};
use crate::kafka::offsets::OffsetTracker;
use crate::kafka::sink::Done;
use crate::kafka::{classify, owned_headers, Item, JagaContext, RawRecord, RebalanceEvent};
use crate::message::{decode, Limits};
use crate::metrics::Metrics;
use crate::pipeline::{ErrorKind, PipelineError};
use crate::window::SourcePos;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The consumer loop and what it talks to (see [`crate::pipeline::run`]).
pub struct Source {
    pub consumer: StreamConsumer<JagaContext>,
    pub cfg: Arc<Config>,
    pub metrics: Metrics,
    pub tracker: Arc<Mutex<OffsetTracker>>,
    pub health: Health,
    pub engine_tx: mpsc::UnboundedSender<Command>,
    pub results_tx: mpsc::UnboundedSender<Reply>,
    pub done_rx: mpsc::UnboundedReceiver<Done>,
    pub rebalance_rx: mpsc::UnboundedReceiver<RebalanceEvent>,
    /// Becomes true on SIGTERM/SIGINT.
    pub stop: watch::Receiver<bool>,
    /// Set when shutdown stops waiting: the sink's retries end.
    pub abort: watch::Sender<bool>,
    pub sink_task: JoinHandle<()>,
    /// How long shutdown waits for in-flight work.
    pub drain: Duration,
}

struct Loop {
    batch: Vec<Item>,
    /// When the current batch must be flushed even if not full.
    deadline: Option<Instant>,
    /// Batches handed to the inference thread and not finished by the sink.
    inflight: usize,
    seq: u64,
}

impl Source {
    /// Runs until shutdown (then drains: finishes in-flight work, commits) or a fatal error.
    pub async fn run(mut self) -> Result<(), PipelineError> {
        let p = &self.cfg.pipeline;
        let limits = Limits { max_record_bytes: p.max_record_bytes, max_id_bytes: p.max_id_bytes };
        let (max_batch, linger) = (p.max_batch, Duration::from_millis(p.batch_linger_ms));
        let max_inflight = p.queue_batches + 1;
        let mut commit_tick = tokio::time::interval(Duration::from_millis(self.cfg.kafka.commit_interval_ms.max(100)));
        let mut l = Loop { batch: Vec::with_capacity(max_batch), deadline: None, inflight: 0, seq: 0 };
        let mut fatal: Option<PipelineError> = None;
        let mut stop = self.stop.clone();
        loop {
            let due = l.batch.len() >= max_batch || l.deadline.is_some_and(|d| Instant::now() >= d);
            if due && l.inflight < max_inflight {
                if let Err(e) = self.flush(&mut l) {
                    fatal = Some(e);
                    break;
                }
            }
            // At the in-flight limit with the next batch full: read nothing until a batch finishes.
            let reading = !(l.inflight >= max_inflight && l.batch.len() >= max_batch);
            self.metrics.paused.set(i64::from(!reading));
            self.metrics.inflight_messages.set(self.tracker.lock().map(|t| t.inflight()).unwrap_or(0) as i64);
            let linger_until = l.deadline.filter(|_| l.inflight < max_inflight);

            tokio::select! {
                biased;
                _ = stop.changed() => break,
                Some(done) = self.done_rx.recv() => match done {
                    Done::Batch { .. } => l.inflight = l.inflight.saturating_sub(1),
                    Done::Fatal(e) => {
                        fatal = Some(e);
                        break;
                    }
                },
                Some(RebalanceEvent::RestoreFailed(e)) = self.rebalance_rx.recv() => {
                    fatal = Some(e);
                    break;
                }
                _ = commit_tick.tick() => self.commit(CommitMode::Async),
                _ = sleep_until(linger_until), if linger_until.is_some() => {}
                msg = self.consumer.recv(), if reading => match msg {
                    Ok(m) => self.read(&mut l, &m, &limits, linger),
                    Err(error) => {
                        let kind = classify(&error);
                        self.metrics.errors.with_label_values(&[kind.as_str()]).inc();
                        if kind == ErrorKind::Fatal {
                            fatal = Some(PipelineError::Kafka { context: "consuming", error });
                            break;
                        }
                        tracing::warn!(%error, "Consumer error; librdkafka retries.");
                    }
                },
            }
        }

        self.health.set_draining();
        if fatal.is_none() {
            // What was read but not yet handed over is scored and delivered too.
            if let Err(e) = self.flush(&mut l) {
                fatal = Some(e);
            }
        }
        self.finish(fatal).await
    }

    /// Waits for in-flight work (bounded), commits what is done and lets go of the assignment.
    async fn finish(self, mut fatal: Option<PipelineError>) -> Result<(), PipelineError> {
        let Source { consumer, tracker, engine_tx, results_tx, mut done_rx, abort, mut sink_task, drain, .. } = self;
        drop(results_tx);
        drop(engine_tx);
        let wait = if fatal.is_some() { Duration::from_secs(5) } else { drain };
        let deadline = tokio::time::sleep(wait);
        tokio::pin!(deadline);
        let mut aborted = false;
        loop {
            tokio::select! {
                _ = &mut sink_task => break,
                Some(done) = done_rx.recv() => {
                    if let Done::Fatal(e) = done {
                        if !matches!(e, PipelineError::ShuttingDown) {
                            fatal.get_or_insert(e);
                        }
                    }
                }
                _ = &mut deadline, if !aborted => {
                    tracing::error!("Timed out finishing in-flight work; uncommitted records will be reprocessed after restart.");
                    let _ = abort.send(true);
                    aborted = true;
                }
            }
        }
        while let Ok(done) = done_rx.try_recv() {
            if let Done::Fatal(e) = done {
                if !matches!(e, PipelineError::ShuttingDown) {
                    fatal.get_or_insert(e);
                }
            }
        }
        commit_with(&consumer, &tracker, CommitMode::Sync);
        // Everything done is committed: the revocation that closing triggers has nothing to wait for.
        if let Ok(mut t) = tracker.lock() {
            for p in t.partitions() {
                t.revoke(p);
            }
        }
        drop(consumer);
        match fatal {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn read(&self, l: &mut Loop, m: &rdkafka::message::BorrowedMessage<'_>, limits: &Limits, linger: Duration) {
        let pos = SourcePos { partition: m.partition(), offset: m.offset() };
        // A record of a partition no longer assigned: its new owner reads it.
        let Some(generation) = self.tracker.lock().ok().and_then(|t| t.generation(pos.partition)) else {
            return;
        };
        self.metrics.records_consumed.inc();
        let raw = RawRecord {
            key: m.key().map(<[u8]>::to_vec),
            payload: m.payload().map(<[u8]>::to_vec),
            headers: owned_headers(m.headers()),
        };
        let body = match decode(m.payload(), limits) {
            Ok(d) => {
                if d.unknown_age_band {
                    self.metrics.unknown_age_bands.inc();
                }
                Ok(Some(Input { message: d.message, source: Some(pos) }))
            }
            Err(reason) => {
                self.metrics.bad_records.with_label_values(&[reason.code()]).inc();
                tracing::warn!(reason = reason.code(), detail = %reason, partition = pos.partition, offset = pos.offset, "Bad record; it goes to the dead-letter topic.");
                Err(reason)
            }
        };
        if l.batch.is_empty() {
            l.deadline = Some(Instant::now() + linger);
        }
        l.batch.push(Item { pos, generation, raw, body });
    }

    /// Hands the batch to the inference thread (records of partitions revoked meanwhile dropped).
    fn flush(&self, l: &mut Loop) -> Result<(), PipelineError> {
        l.deadline = None;
        {
            let mut t = self.tracker.lock().map_err(|_| PipelineError::EngineGone)?;
            l.batch.retain(|i| t.begin(i.pos.partition, i.generation, i.pos.offset));
        }
        if l.batch.is_empty() {
            return Ok(());
        }
        l.seq += 1;
        let (reply, rx) = oneshot::channel();
        let batch = Batch { seq: l.seq, items: std::mem::take(&mut l.batch) };
        self.engine_tx.send(Command::Score { batch, reply }).map_err(|_| PipelineError::EngineGone)?;
        self.results_tx.send(rx).map_err(|_| PipelineError::EngineGone)?;
        l.inflight += 1;
        Ok(())
    }

    fn commit(&self, mode: CommitMode) {
        commit_with(&self.consumer, &self.tracker, mode);
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Commits every partition's done offsets. A failed commit is retried with the next one.
fn commit_with(consumer: &StreamConsumer<JagaContext>, tracker: &Mutex<OffsetTracker>, mode: CommitMode) {
    let topic = &consumer.context().kafka.input_topic;
    let offsets = match tracker.lock() {
        Ok(mut t) => t.take_committable(),
        Err(_) => return,
    };
    if offsets.is_empty() {
        return;
    }
    let mut tpl = TopicPartitionList::new();
    for &(p, _, o) in &offsets {
        if tpl.add_partition_offset(topic, p, Offset::Offset(o)).is_err() {
            return;
        }
    }
    match consumer.commit(&tpl, mode) {
        Ok(()) => {
            consumer.context().metrics.offsets_committed.inc();
            tracing::debug!(?offsets, "Committed offsets.");
        }
        Err(error) => {
            tracing::warn!(%error, "Offset commit failed; will retry.");
            if let Ok(mut t) = tracker.lock() {
                t.commit_failed(&offsets);
            }
        }
    }
}
