//! jaga — a stream processor that scores chat conversations for grooming risk.
//!
//! # How a message flows
//!
//! ```text
//! source (Kafka | file) ─▶ message::decode ─▶ normalize ─▶ model::Encoder (batched, once per message)
//!        │ bad record                                            │ embedding (+ the text's words)
//!        ▼                                                       ▼
//!   dead-letter topic                        detector::Detector::message_features (stage signals)
//!                                                                │
//!                                   window::WindowStore (last N messages per conversation, per partition)
//!                                                                │
//!                                  detector::Detector::score (risk, stages, suspect, evidence)
//!                                                                │
//!                                  policy (profile thresholds, hysteresis, cooldown, event id)
//!                                                                │
//!                                        sink (Kafka moderation topic | stdout) + metrics
//! ```
//!
//! [`engine::Engine`] is the synchronous heart that `run`, `replay` and `eval` share, so what the
//! evaluation measures is exactly what production does. [`pipeline`] wires it to Kafka: the
//! consumer loop ([`kafka::source`]), a dedicated inference thread ([`inference`]), the producer side
//! ([`kafka::sink`]) and the compacted state changelog ([`kafka::state`]) that lets a restarted or
//! rebalanced consumer continue every conversation exactly where it was. [`train`] is the offline
//! side: it fits the detector's heads and chooses the shipped threshold profiles.

pub mod cli;
pub mod config;
pub mod dataset;
pub mod detector;
pub mod engine;
pub mod eval;
pub mod event;
pub mod explain;
pub mod features;
pub mod http;
pub mod inference;
pub mod kafka;
pub mod message;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod policy;
#[cfg(test)]
pub(crate) mod testutil;
pub mod train;
pub mod verdicts;
pub mod window;
