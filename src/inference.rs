//! The inference thread: the [`Engine`] on a dedicated OS thread, fed commands in order.
//!
//! The consumer task never runs the model: batches come here over a channel, so a slow model
//! backs up into the consumer's in-flight limit (which pauses consumption) instead of blocking the
//! async executor. Commands are handled strictly in order, which is what makes a partition's state
//! restore land before any of its records are scored, and a revocation drop its state before the
//! partition can be assigned again.

use crate::engine::{Engine, Input, Processed};
use crate::event::RiskEvent;
use crate::kafka::offsets::OffsetTracker;
use crate::kafka::Item;
use crate::message::BadRecordReason;
use crate::metrics::Metrics;
use crate::pipeline::PipelineError;
use crate::window::codec::OwnedRecord;
use crate::window::StateChange;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// A batch of input records, numbered in the order they were read.
#[derive(Debug)]
pub struct Batch {
    pub seq: u64,
    pub items: Vec<Item>,
}

/// What became of one record of a batch.
#[derive(Debug)]
pub enum ItemOutcome {
    /// Scored; the event it triggered, if any.
    Scored(Option<Box<RiskEvent>>),
    /// Already in the restored state.
    Skipped,
    /// Goes to the dead-letter topic.
    DeadLetter(BadRecordReason),
    /// Its partition was revoked (or reassigned) while it was queued: the owner reprocesses it.
    Stale,
}

/// A processed batch: outcomes aligned with `items`, and the state changelog records it caused,
/// each with the assignment generation of its partition when it was processed (`None`: not owned).
#[derive(Debug)]
pub struct BatchResult {
    pub seq: u64,
    pub items: Vec<Item>,
    pub outcomes: Vec<ItemOutcome>,
    pub changes: Vec<(StateChange, Option<u64>)>,
}

pub type Reply = oneshot::Receiver<Result<BatchResult, PipelineError>>;

/// Work for the inference thread.
pub enum Command {
    Score {
        batch: Batch,
        reply: oneshot::Sender<Result<BatchResult, PipelineError>>,
    },
    /// Install a partition's state read from the changelog (deduplicated: latest value per key).
    Restore {
        partition: i32,
        generation: u64,
        records: Vec<OwnedRecord>,
    },
    /// Drop the state of revoked partitions.
    Revoke(Vec<i32>),
}

/// Starts the thread; it ends when the command channel closes.
pub fn spawn(
    mut engine: Engine,
    tracker: Arc<Mutex<OffsetTracker>>,
    metrics: Metrics,
) -> (mpsc::UnboundedSender<Command>, std::thread::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
    let handle = std::thread::Builder::new()
        .name("jaga-inference".into())
        .spawn(move || {
            while let Some(cmd) = rx.blocking_recv() {
                match cmd {
                    Command::Revoke(parts) => {
                        for p in parts {
                            engine.revoke_partition(p);
                        }
                    }
                    Command::Restore { partition, generation, records } => {
                        let current = tracker.lock().map(|t| t.is_current(partition, generation)).unwrap_or(false);
                        if !current {
                            continue;
                        }
                        let t = Instant::now();
                        let stats = engine
                            .restore_partition(partition, records.iter().map(|(k, v)| (k.as_slice(), v.as_deref())));
                        metrics.state_restore_seconds.observe(t.elapsed().as_secs_f64());
                        metrics.state_restored_conversations.inc_by(stats.conversations as u64);
                        metrics.state_corrupt_records.inc_by(stats.corrupt as u64);
                        if stats.corrupt > 0 {
                            tracing::warn!(partition, corrupt = stats.corrupt, "Skipped undecodable state records.");
                        }
                        tracing::info!(
                            partition,
                            conversations = stats.conversations,
                            records = stats.records,
                            evicted = stats.evicted,
                            ms = t.elapsed().as_millis() as u64,
                            "State restored."
                        );
                    }
                    Command::Score { batch, reply } => {
                        // The receiver is gone only when the pipeline is shutting down.
                        let _ = reply.send(score(&mut engine, &tracker, batch));
                    }
                }
            }
        })
        .expect("spawning a thread only fails when the OS is out of resources");
    (tx, handle)
}

fn score(engine: &mut Engine, tracker: &Mutex<OffsetTracker>, mut batch: Batch) -> Result<BatchResult, PipelineError> {
    let current: Vec<bool> = {
        let t = tracker.lock().map_err(|_| PipelineError::EngineGone)?;
        batch.items.iter().map(|i| t.is_current(i.pos.partition, i.generation)).collect()
    };
    // Records of partitions no longer owned are left to their new owner.
    let mut inputs: Vec<Input> = Vec::new();
    let mut slots: Vec<usize> = Vec::new();
    for (i, item) in batch.items.iter_mut().enumerate() {
        if current[i] {
            if let Ok(body) = &mut item.body {
                if let Some(input) = body.take() {
                    inputs.push(input);
                    slots.push(i);
                }
            }
        }
    }
    let processed = engine.process_batch(&inputs)?;
    let mut outcomes: Vec<ItemOutcome> = batch
        .items
        .iter()
        .zip(&current)
        .map(|(item, &cur)| match (&item.body, cur) {
            (_, false) => ItemOutcome::Stale,
            (Err(reason), true) => ItemOutcome::DeadLetter(reason.clone()),
            (Ok(_), true) => ItemOutcome::Skipped,
        })
        .collect();
    for (slot, p) in slots.into_iter().zip(processed) {
        outcomes[slot] = match p {
            Processed::Scored(o) => ItemOutcome::Scored(o.event.map(Box::new)),
            Processed::Skipped | Processed::Duplicate => ItemOutcome::Skipped,
            Processed::Failed(why) => {
                tracing::warn!(
                    partition = batch.items[slot].pos.partition,
                    offset = batch.items[slot].pos.offset,
                    reason = %why,
                    "The encoder failed on one record; it goes to the dead-letter topic."
                );
                ItemOutcome::DeadLetter(BadRecordReason::InferenceFailed)
            }
        };
    }
    let changes = engine.take_changes();
    let changes = {
        let t = tracker.lock().map_err(|_| PipelineError::EngineGone)?;
        changes.into_iter().map(|c| (c.clone(), t.generation(c.partition))).collect()
    };
    Ok(BatchResult { seq: batch.seq, items: batch.items, outcomes, changes })
}
