//! The live processor: Kafka in, risk events out, at least once.
//!
//! ```text
//!  consumer task ──batches──▶ inference thread ──outcomes (FIFO)──▶ sink task ──▶ producer
//!       │  bad records ─────────────────────────────────────────────────────────▶ DLQ topic
//!       ▲                                                             │ acks
//!       └──────────── offset tracker ◀── done (partition, offset) ◀───┘
//! ```
//!
//! * The consumer task never runs the model: batches go to a dedicated OS thread over a bounded
//!   channel, so a slow model pauses consumption (back-pressure) instead of blocking the executor.
//! * The sink task takes results in batch order, so events of one conversation reach the broker in
//!   the order they were decided.
//! * An offset becomes committable only when everything its record caused has been acknowledged,
//!   and no earlier than the oldest message a live window still holds (see [`crate::kafka::offsets`]).

use crate::config::Config;
use crate::engine::{Engine, Input, Outcome};
use crate::kafka::offsets::OffsetTracker;
use crate::kafka::{consumer_config, dlq_headers_for, producer_config, JagaContext, RebalanceEvent};
use crate::message::decode;
use crate::metrics::Metrics;
use crate::model::ModelError;
use crate::window::SourcePos;
use futures::future::join_all;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Header, Message, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Errors that stop the live processor.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("Kafka: {0}")]
    Kafka(#[from] KafkaError),
    #[error("the model failed: {0}")]
    Model(#[from] ModelError),
    #[error("a record could not be delivered to topic {topic}: {error}; stopping without committing its offset so it is reprocessed after restart")]
    Delivery { topic: String, error: KafkaError },
    #[error("the inference thread stopped unexpectedly")]
    EngineGone,
    #[error("metrics listener on {addr}: {source}")]
    Listener { addr: String, source: std::io::Error },
}

/// A batch for the inference thread.
struct Job {
    seq: u64,
    inputs: Vec<Input>,
    reply: oneshot::Sender<Result<JobResult, ModelError>>,
}

enum Command {
    Score(Job),
    Revoke(Vec<i32>),
}

/// What the inference thread returns for a batch.
struct JobResult {
    seq: u64,
    /// Positions of every input of the batch (scored or skipped) — all become done together.
    positions: Vec<SourcePos>,
    outcomes: Vec<Outcome>,
    /// Per partition seen in the batch: the lowest offset live windows still hold.
    horizons: Vec<(i32, Option<i64>)>,
}

/// Messages from the sink back to the consumer task.
enum Done {
    Offsets { positions: Vec<SourcePos>, horizons: Vec<(u64, i32, Option<i64>)> },
    Fatal(PipelineError),
}

/// Runs the engine on its own thread. Inputs from partitions no longer owned are skipped: they
/// were revoked while queued, and their new owner will process them.
fn spawn_engine_thread(
    mut engine: Engine,
    capacity: usize,
    owned: Arc<Mutex<HashSet<i32>>>,
    metrics: Metrics,
) -> (mpsc::Sender<Command>, std::thread::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<Command>(capacity);
    let handle = std::thread::Builder::new()
        .name("jaga-inference".into())
        .spawn(move || {
            while let Some(cmd) = rx.blocking_recv() {
                match cmd {
                    Command::Revoke(parts) => {
                        for p in parts {
                            let n = engine.revoke_partition(p);
                            metrics.revoked_conversations.inc_by(n as u64);
                        }
                    }
                    Command::Score(job) => {
                        let positions: Vec<SourcePos> = job.inputs.iter().filter_map(|i| i.source).collect();
                        let owned_now = owned.lock().map(|o| o.clone()).unwrap_or_default();
                        let kept: Vec<Input> = job
                            .inputs
                            .into_iter()
                            .filter(|i| i.source.is_none_or(|s| owned_now.contains(&s.partition)))
                            .collect();
                        let result = engine.process(&kept).map(|outcomes| {
                            let mut parts: Vec<i32> = positions.iter().map(|p| p.partition).collect();
                            parts.sort_unstable();
                            parts.dedup();
                            let horizons = parts.into_iter().map(|p| (p, engine.horizon(p))).collect();
                            JobResult { seq: job.seq, positions, outcomes, horizons }
                        });
                        // The receiver is gone only when the pipeline is shutting down.
                        let _ = job.reply.send(result);
                    }
                }
            }
        })
        .expect("spawning a thread only fails when the OS is out of resources");
    (tx, handle)
}

/// Enqueues a record, waiting while librdkafka's local queue is full.
async fn enqueue(
    producer: &FutureProducer,
    topic: &str,
    key: &[u8],
    payload: &[u8],
    headers: OwnedHeaders,
) -> Result<DeliveryFuture, KafkaError> {
    loop {
        let record = FutureRecord::to(topic).key(key).payload(payload).headers(headers.clone());
        match producer.send_result(record) {
            Ok(f) => return Ok(f),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err((e, _)) => return Err(e),
        }
    }
}

/// Awaits every delivery; the first failure is returned.
async fn await_deliveries(
    futures: Vec<(String, DeliveryFuture)>,
    metrics: &Metrics,
    started: Instant,
) -> Result<usize, PipelineError> {
    let n = futures.len();
    let (topics, futs): (Vec<String>, Vec<DeliveryFuture>) = futures.into_iter().unzip();
    for (topic, result) in topics.into_iter().zip(join_all(futs).await) {
        match result {
            Ok(Ok(_)) => metrics.stage_latency.with_label_values(&["produce"]).observe(started.elapsed().as_secs_f64()),
            Ok(Err((error, _))) => {
                metrics.produce_errors.inc();
                return Err(PipelineError::Delivery { topic, error });
            }
            Err(_) => return Err(PipelineError::Delivery { topic, error: KafkaError::Canceled }),
        }
    }
    Ok(n)
}

/// Takes batch results in order, produces their events, and reports offsets done once acked.
async fn sink_task(
    mut results: mpsc::Receiver<oneshot::Receiver<Result<JobResult, ModelError>>>,
    producer: FutureProducer,
    topic: String,
    metrics: Metrics,
    done: mpsc::UnboundedSender<Done>,
) {
    let mut acks = tokio::task::JoinSet::new();
    while let Some(pending) = results.recv().await {
        let result = match pending.await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                let _ = done.send(Done::Fatal(e.into()));
                break;
            }
            Err(_) => {
                let _ = done.send(Done::Fatal(PipelineError::EngineGone));
                break;
            }
        };
        let started = Instant::now();
        let mut deliveries = Vec::new();
        let mut failed = None;
        for event in result.outcomes.iter().filter_map(|o| o.event.as_ref()) {
            let payload = match serde_json::to_vec(event) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "Cannot serialise a risk event.");
                    continue;
                }
            };
            let headers = OwnedHeaders::new()
                .insert(Header { key: "content-type", value: Some("application/json") })
                .insert(Header { key: "jaga.schema_version", value: Some("1") });
            match enqueue(&producer, &topic, event.conversation_id.as_bytes(), &payload, headers).await {
                Ok(f) => deliveries.push((topic.clone(), f)),
                Err(error) => {
                    failed = Some(PipelineError::Delivery { topic: topic.clone(), error });
                    break;
                }
            }
        }
        if let Some(e) = failed {
            metrics.produce_errors.inc();
            let _ = done.send(Done::Fatal(e));
            break;
        }
        let horizons = result.horizons.iter().map(|&(p, h)| (result.seq, p, h)).collect();
        let (metrics, done) = (metrics.clone(), done.clone());
        let positions = result.positions;
        acks.spawn(async move {
            match await_deliveries(deliveries, &metrics, started).await {
                Ok(n) => {
                    metrics.events_produced.inc_by(n as u64);
                    let _ = done.send(Done::Offsets { positions, horizons });
                }
                Err(e) => {
                    let _ = done.send(Done::Fatal(e));
                }
            }
        });
        // Reap finished acknowledgement tasks so the set stays small.
        while acks.try_join_next().is_some() {}
    }
    while acks.join_next().await.is_some() {}
}

/// Readiness as served by `/readyz`.
#[derive(Clone, Default)]
pub struct Health {
    pub ready: Arc<AtomicBool>,
}

/// Serves `/metrics`, `/healthz` and `/readyz` until the process ends.
pub async fn serve_http(addr: &str, metrics: Metrics, health: Health) -> Result<(), PipelineError> {
    use axum::{http::StatusCode, routing::get, Router};
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| PipelineError::Listener { addr: addr.to_owned(), source })?;
    let app = Router::new()
        .route(
            "/metrics",
            get(move || {
                let m = metrics.clone();
                async move { ([("content-type", "text/plain; version=0.0.4")], m.render()) }
            }),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || {
                let ready = health.ready.load(Ordering::Relaxed);
                async move {
                    if ready {
                        (StatusCode::OK, "ready\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                    }
                }
            }),
        );
    tracing::info!(addr, "Serving /metrics, /healthz and /readyz.");
    axum::serve(listener, app).await.map_err(|source| PipelineError::Listener { addr: addr.to_owned(), source })
}

fn commit(
    consumer: &StreamConsumer<JagaContext>,
    tracker: &Mutex<OffsetTracker>,
    topic: &str,
    mode: CommitMode,
    metrics: &Metrics,
) {
    let offsets = match tracker.lock() {
        Ok(mut t) => t.take_committable(),
        Err(_) => return,
    };
    if offsets.is_empty() {
        return;
    }
    let mut tpl = TopicPartitionList::new();
    for &(p, o) in &offsets {
        if tpl.add_partition_offset(topic, p, Offset::Offset(o)).is_err() {
            return;
        }
    }
    match consumer.commit(&tpl, mode) {
        Ok(()) => {
            metrics.offsets_committed.inc();
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

/// Runs the live processor until SIGTERM/SIGINT (drain and commit) or a fatal error.
pub async fn run(cfg: Config, engine: Engine, metrics: Metrics) -> Result<(), PipelineError> {
    let k = &cfg.kafka;
    let health = Health::default();
    if !cfg.metrics.addr.is_empty() {
        let (addr, m, h) = (cfg.metrics.addr.clone(), metrics.clone(), health.clone());
        // Bind before consuming, so a port clash fails start-up loudly.
        let listener_check = std::net::TcpListener::bind(&addr)
            .map_err(|source| PipelineError::Listener { addr: addr.clone(), source })?;
        drop(listener_check);
        tokio::spawn(async move {
            if let Err(e) = serve_http(&addr, m, h).await {
                tracing::error!(error = %e, "Metrics listener stopped.");
            }
        });
    }

    let owned = Arc::new(Mutex::new(HashSet::new()));
    let tracker = Arc::new(Mutex::new(OffsetTracker::new()));
    let (rebalance_tx, mut rebalance_rx) = mpsc::unbounded_channel();
    let context = JagaContext {
        topic: k.input_topic.clone(),
        metrics: metrics.clone(),
        owned: owned.clone(),
        rebalances: rebalance_tx,
        tracker: tracker.clone(),
    };
    let consumer: StreamConsumer<JagaContext> = consumer_config(k).create_with_context(context)?;
    let producer: FutureProducer = producer_config(k).create()?;
    consumer.subscribe(&[&k.input_topic])?;
    tracing::info!(
        brokers = %k.brokers, input = %k.input_topic, output = %k.output_topic, dlq = %k.dlq_topic,
        group = %k.group_id, "Consuming."
    );

    let (engine_tx, engine_thread) =
        spawn_engine_thread(engine, cfg.pipeline.queue_batches, owned.clone(), metrics.clone());
    let (results_tx, results_rx) = mpsc::channel(cfg.pipeline.queue_batches + 1);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let sink =
        tokio::spawn(sink_task(results_rx, producer.clone(), k.output_topic.clone(), metrics.clone(), done_tx.clone()));
    health.ready.store(true, Ordering::Relaxed);

    let mut batch: Vec<Input> = Vec::with_capacity(cfg.pipeline.max_batch);
    let mut batch_started = Instant::now();
    let linger = Duration::from_millis(cfg.pipeline.batch_linger_ms);
    let mut seq: u64 = 0;
    let mut commit_tick = tokio::time::interval(Duration::from_millis(k.commit_interval_ms.max(100)));
    let mut fatal: Option<PipelineError> = None;
    let mut shutdown = Box::pin(shutdown_signal());

    async fn flush(
        batch: &mut Vec<Input>,
        seq: &mut u64,
        engine_tx: &mpsc::Sender<Command>,
        results_tx: &mpsc::Sender<oneshot::Receiver<Result<JobResult, ModelError>>>,
    ) -> Result<(), PipelineError> {
        if batch.is_empty() {
            return Ok(());
        }
        *seq += 1;
        let (reply, rx) = oneshot::channel();
        let job = Job { seq: *seq, inputs: std::mem::take(batch), reply };
        engine_tx.send(Command::Score(job)).await.map_err(|_| PipelineError::EngineGone)?;
        results_tx.send(rx).await.map_err(|_| PipelineError::EngineGone)
    }

    loop {
        let linger_left = linger.saturating_sub(batch_started.elapsed());
        tokio::select! {
            biased;
            _ = &mut shutdown => {
                tracing::info!("Shutdown requested: draining in-flight work.");
                break;
            }
            Some(done) = done_rx.recv() => match done {
                Done::Offsets { positions, horizons } => {
                    if let Ok(mut t) = tracker.lock() {
                        for p in positions { t.complete(p.partition, p.offset); }
                        for (s, p, h) in horizons { t.set_horizon(p, s, h); }
                        metrics.inflight_messages.set(t.inflight() as i64);
                    }
                }
                Done::Fatal(e) => { fatal = Some(e); break; }
            },
            Some(ev) = rebalance_rx.recv() => {
                if let RebalanceEvent::Revoked(parts) = ev {
                    // Records of these partitions still in `batch` belong to the new owner now.
                    batch.retain(|i| i.source.is_none_or(|s| !parts.contains(&s.partition)));
                    if engine_tx.send(Command::Revoke(parts)).await.is_err() { fatal = Some(PipelineError::EngineGone); break; }
                }
            }
            _ = tokio::time::sleep(linger_left), if !batch.is_empty() => {
                if let Err(e) = flush(&mut batch, &mut seq, &engine_tx, &results_tx).await { fatal = Some(e); break; }
            }
            _ = commit_tick.tick() => commit(&consumer, &tracker, &k.input_topic, CommitMode::Async, &metrics),
            received = consumer.recv() => match received {
                Ok(msg) => {
                    metrics.records_consumed.inc();
                    if let Ok(mut t) = tracker.lock() { t.begin(msg.partition(), msg.offset()); }
                    match decode(msg.payload(), cfg.pipeline.max_record_bytes) {
                        Ok(message) => {
                            if batch.is_empty() { batch_started = Instant::now(); }
                            batch.push(Input { message, source: Some(SourcePos { partition: msg.partition(), offset: msg.offset() }) });
                            if batch.len() >= cfg.pipeline.max_batch {
                                if let Err(e) = flush(&mut batch, &mut seq, &engine_tx, &results_tx).await { fatal = Some(e); break; }
                            }
                        }
                        Err(reason) => {
                            metrics.bad_records.with_label_values(&[reason.code()]).inc();
                            tracing::warn!(reason = reason.code(), detail = %reason, partition = msg.partition(), offset = msg.offset(), "Bad record sent to the dead-letter topic.");
                            if let Err(e) = send_to_dlq(&producer, &cfg, &msg, &reason, &metrics, done_tx.clone()).await { fatal = Some(e); break; }
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "Consumer error; retrying.");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            },
        }
    }

    // Drain: score what was read, wait for every acknowledgement, commit, leave the group.
    health.ready.store(false, Ordering::Relaxed);
    if fatal.is_none() {
        if let Err(e) = flush(&mut batch, &mut seq, &engine_tx, &results_tx).await {
            fatal = Some(e);
        }
    }
    drop(results_tx);
    drop(engine_tx);
    drop(done_tx);
    let drain = async {
        let _ = sink.await;
        while let Some(done) = done_rx.recv().await {
            match done {
                Done::Offsets { positions, horizons } => {
                    if let Ok(mut t) = tracker.lock() {
                        for p in positions {
                            t.complete(p.partition, p.offset);
                        }
                        for (s, p, h) in horizons {
                            t.set_horizon(p, s, h);
                        }
                    }
                }
                Done::Fatal(e) => {
                    fatal.get_or_insert(e);
                }
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(60), drain).await.is_err() {
        tracing::error!("Timed out draining in-flight work; uncommitted records will be reprocessed after restart.");
    }
    commit(&consumer, &tracker, &k.input_topic, CommitMode::Sync, &metrics);
    let _ = engine_thread.join();
    tracing::info!(
        consumed = metrics.records_consumed.get(),
        events = metrics.events_produced.get(),
        dlq = metrics.dlq_records.get(),
        "Stopped."
    );
    match fatal {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

async fn send_to_dlq(
    producer: &FutureProducer,
    cfg: &Config,
    msg: &BorrowedMessage<'_>,
    reason: &crate::message::BadRecordReason,
    metrics: &Metrics,
    done: mpsc::UnboundedSender<Done>,
) -> Result<(), PipelineError> {
    let k = &cfg.kafka;
    let headers = dlq_headers_for(reason, msg.topic(), msg.partition(), msg.offset(), msg.headers());
    let key = msg.key().unwrap_or_default();
    let payload = msg.payload().unwrap_or_default();
    let fut = enqueue(producer, &k.dlq_topic, key, payload, headers)
        .await
        .map_err(|error| PipelineError::Delivery { topic: k.dlq_topic.clone(), error })?;
    let pos = SourcePos { partition: msg.partition(), offset: msg.offset() };
    let (topic, metrics) = (k.dlq_topic.clone(), metrics.clone());
    tokio::spawn(async move {
        match await_deliveries(vec![(topic, fut)], &metrics, Instant::now()).await {
            Ok(_) => {
                metrics.dlq_records.inc();
                let _ = done.send(Done::Offsets { positions: vec![pos], horizons: Vec::new() });
            }
            Err(e) => {
                let _ = done.send(Done::Fatal(e));
            }
        }
    });
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
