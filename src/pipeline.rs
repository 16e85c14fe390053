//! The live processor: Kafka in, risk events out, at least once, with conversation state that
//! survives crashes and rebalances.
//!
//! ```text
//!  kafka::source ──batches──▶ inference thread ──results (in order)──▶ kafka::sink
//!   (consumer,  ◀─restored──  (crate::inference:                       1. risk events + dead letters, acked
//!    batching,     state       Engine, changelog                        2. then the batch's state records, acked
//!    pause)                    changes per batch)                       3. then its offsets are done
//!      ▲  kafka::state reads the changelog on assignment                      │
//!      └──────────── offset tracker (generations per assignment) ◀────────────┘
//! ```
//!
//! Reviewers' verdicts come in on their own consumer ([`crate::kafka::verdicts`]), a side input
//! that touches no conversation state; the sink tells the verdict tracker each event's level.
//!
//! This module only wires the edges together and owns the one error type. Why the order above
//! loses nothing across `kill -9`, rebalances and broker failures is argued in
//! `docs/operations.md` ("Delivery guarantees").

use crate::config::Config;
use crate::engine::Engine;
use crate::http::Health;
use crate::kafka::offsets::OffsetTracker;
use crate::kafka::{classify, consumer_config, producer_config, sink, source, state, verdicts, JagaContext};
use crate::metrics::Metrics;
use crate::model::ModelError;
use crate::verdicts::VerdictTracker;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::producer::FutureProducer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How an error is handled (`jaga_errors_total{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Retrying cannot help (credentials, authorisation, configuration, a broken model): log one
    /// clear line and exit non-zero without committing past unfinished work.
    Fatal,
    /// Transient (brokers down, leaders moving, timeouts): back off and retry, consumption paused
    /// and `/readyz` 503 meanwhile.
    Retriable,
    /// Only this record is affected (too large for the broker, the encoder fails on it): it goes
    /// to the dead-letter topic and processing goes on.
    PerRecord,
}

impl ErrorKind {
    /// The `kind` label of `jaga_errors_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Fatal => "fatal",
            ErrorKind::Retriable => "retriable",
            ErrorKind::PerRecord => "per_record",
        }
    }
}

/// Errors of the live processor.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("Kafka ({context}): {error}")]
    Kafka { context: &'static str, error: KafkaError },
    #[error("a record could not be delivered to topic {topic}: {error}; stopping without committing its offset so it is reprocessed after restart")]
    Delivery { topic: String, error: KafkaError },
    #[error("topic {topic} ({role}) does not exist: create it, or point {setting} at the right topic (jaga creates only its state topic)")]
    MissingTopic { topic: String, role: &'static str, setting: &'static str },
    #[error("state topic {topic}: {message}")]
    StateTopic { topic: String, message: String },
    #[error("the model failed: {0}")]
    Model(#[from] ModelError),
    #[error("the inference thread stopped unexpectedly")]
    EngineGone,
    #[error("metrics listener on {addr}: {source}")]
    Listener { addr: String, source: std::io::Error },
    #[error("shutting down before the work was finished")]
    ShuttingDown,
}

impl PipelineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            PipelineError::Kafka { error, .. } | PipelineError::Delivery { error, .. } => classify(error),
            PipelineError::ShuttingDown => ErrorKind::Retriable,
            _ => ErrorKind::Fatal,
        }
    }

    pub(crate) fn kafka(context: &'static str) -> impl FnOnce(KafkaError) -> PipelineError {
        move |error| PipelineError::Kafka { context, error }
    }
}

/// How long a revocation waits for the lost partitions' in-flight records (their state must be
/// written before the next owner restores it), and how long shutdown waits for in-flight work.
const REVOKE_DRAIN: Duration = Duration::from_secs(15);
const SHUTDOWN_DRAIN: Duration = Duration::from_secs(60);

/// Runs the live processor until SIGTERM/SIGINT (drain and commit) or a fatal error.
pub async fn run(cfg: Config, engine: Engine, metrics: Metrics) -> Result<(), PipelineError> {
    let result = run_inner(cfg, engine, metrics.clone()).await;
    if let Err(e) = &result {
        metrics.errors.with_label_values(&[ErrorKind::Fatal.as_str()]).inc();
        tracing::error!(error = %e, "Stopping on a fatal error.");
    }
    result
}

async fn run_inner(cfg: Config, engine: Engine, metrics: Metrics) -> Result<(), PipelineError> {
    let cfg = Arc::new(cfg);
    let k = &cfg.kafka;
    let health = Health::new(metrics.clone());
    metrics.state_budget_bytes.set(i64::try_from(cfg.window.max_state_bytes).unwrap_or(i64::MAX));
    if !cfg.metrics.addr.is_empty() {
        crate::http::spawn(&cfg.metrics.addr, metrics.clone(), health.clone())?;
    }
    let (stop_tx, stop) = watch::channel(false);
    let stopping = Arc::new(AtomicBool::new(false));
    let flag = stopping.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("Shutdown requested; draining.");
        flag.store(true, Ordering::Relaxed);
        let _ = stop_tx.send(true);
    });

    let Some(partitions) = state::prepare_topics(k, &metrics, stop.clone()).await? else {
        return Ok(());
    };
    tracing::info!(
        brokers = %k.brokers, input = %k.input_topic, output = %k.output_topic, dlq = %k.dlq_topic,
        state = %k.state_topic, verdicts = %k.verdicts_topic, partitions, group = %k.group_id, "Topics checked; consuming."
    );

    let tracker = Arc::new(Mutex::new(OffsetTracker::new()));
    let (engine_tx, engine_thread) = crate::inference::spawn(engine.with_changelog(), tracker.clone(), metrics.clone());
    let (rebalance_tx, rebalance_rx) = mpsc::unbounded_channel();
    let context = JagaContext {
        kafka: k.clone(),
        metrics: metrics.clone(),
        rebalances: rebalance_tx,
        tracker: tracker.clone(),
        engine: engine_tx.clone(),
        health: health.clone(),
        stopping,
        revoke_drain: REVOKE_DRAIN,
    };
    let consumer: StreamConsumer<JagaContext> =
        consumer_config(k).create_with_context(context).map_err(PipelineError::kafka("creating the consumer"))?;
    let producer: FutureProducer =
        producer_config(k).create().map_err(PipelineError::kafka("creating the producer"))?;
    consumer.subscribe(&[&k.input_topic]).map_err(PipelineError::kafka("subscribing"))?;

    let (results_tx, results_rx) = mpsc::unbounded_channel();
    let (done_tx, done_rx) = mpsc::unbounded_channel();
    let (abort_tx, abort_rx) = watch::channel(false);
    let tracker_cfg = cfg.verdicts.tracker();
    let verdict_tracker = Arc::new(Mutex::new(VerdictTracker::new(tracker_cfg).with_metrics(metrics.clone())));
    let (verdicts_stop_tx, verdicts_stop) = watch::channel(false);
    let verdicts_task = (!k.verdicts_topic.is_empty()).then(|| {
        let source = verdicts::VerdictSource {
            cfg: cfg.clone(),
            metrics: metrics.clone(),
            tracker: verdict_tracker.clone(),
            producer: producer.clone(),
            stop: verdicts_stop,
        };
        let done = done_tx.clone();
        tokio::spawn(async move {
            if let Err(e) = source.run().await {
                // Stops the processor like any fatal error (the source drains and exits).
                let _ = done.send(sink::Done::Fatal(e));
            }
        })
    });
    let sink = sink::Sink {
        verdicts: verdicts_task.as_ref().map(|_| verdict_tracker.clone()),
        producer,
        cfg: cfg.clone(),
        metrics: metrics.clone(),
        tracker: tracker.clone(),
        health: health.clone(),
        abort: abort_rx,
    };
    let sink_task = tokio::spawn(sink.run(results_rx, done_tx));

    let source = source::Source {
        consumer,
        cfg: cfg.clone(),
        metrics: metrics.clone(),
        tracker,
        health,
        engine_tx,
        results_tx,
        done_rx,
        rebalance_rx,
        stop,
        abort: abort_tx,
        sink_task,
        drain: SHUTDOWN_DRAIN,
    };
    let result = source.run().await;
    let _ = verdicts_stop_tx.send(true);
    if let Some(task) = verdicts_task {
        if tokio::time::timeout(Duration::from_secs(10), task).await.is_err() {
            tracing::warn!("The verdicts consumer did not stop in time; some verdicts will be read again.");
        }
    }
    // The source and the consumer (with its context) dropped the command channel: the inference
    // thread ends after its queue.
    let _ = tokio::task::spawn_blocking(move || engine_thread.join()).await;
    tracing::info!(
        consumed = metrics.records_consumed.get(),
        events = metrics.events_produced.get(),
        dlq = metrics.dlq_records.get(),
        state_records = metrics.state_records_written.get(),
        "Stopped."
    );
    result
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
