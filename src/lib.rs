//! jaga — a stream processor that scores chat conversations for grooming risk.
//!
//! # How a message flows
//!
//! ```text
//! source (Kafka | file) ─▶ message::decode ─▶ normalize ─▶ model::Encoder (batched, once per message)
//!        │ bad record                                            │ embedding
//!        ▼                                                       ▼
//!   dead-letter topic                        detector::Detector::message_features (stage signals)
//!                                                                │
//!                                   window::WindowStore (last N messages per conversation)
//!                                                                │
//!                                  detector::Detector::score (risk, stages, suspect, evidence)
//!                                                                │
//!                                  policy (profile thresholds, hysteresis, cooldown, event id)
//!                                                                │
//!                                        sink (Kafka moderation topic | stdout) + metrics
//! ```
//!
//! [`engine::Engine`] is the synchronous heart that `run`, `replay` and `eval` share, so what the
//! evaluation measures is exactly what production does. [`pipeline`] wraps it for Kafka: a
//! dedicated inference thread fed by a bounded channel, at-least-once offset tracking, and drain on
//! shutdown.

pub mod cli;
pub mod config;
pub mod dataset;
pub mod detector;
pub mod engine;
pub mod eval;
pub mod event;
pub mod explain;
pub mod kafka;
pub mod message;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod policy;
pub mod verdicts;
pub mod window;
