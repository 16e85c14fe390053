//! The grooming-risk detector: per-message stage signals and per-conversation risk.
//!
//! INTERFACE (other modules depend on these names; the implementation fills them in).

use crate::event::{Stage, NUM_STAGES};
use crate::window::ConversationWindow;

/// What the window keeps per message: small, so thousands of live conversations fit in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageFeatures {
    /// Per-stage probability that this message expresses the stage, 0..1.
    pub stages: [f32; NUM_STAGES],
}

/// One message that drove a conversation's score.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRef {
    /// Index into the window's messages.
    pub index: usize,
    pub stage: Stage,
    pub score: f32,
}

/// The detector's verdict on a conversation window.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationScore {
    pub suspect: String,
    /// Calibrated 0..1.
    pub risk: f32,
    pub stages: [f32; NUM_STAGES],
    pub evidence: Vec<EvidenceRef>,
}

/// The detector (exemplar banks + trained heads).
pub struct Detector {
    version: String,
}

impl Detector {
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Per-message features for a batch of embeddings (one per normalised text).
    pub fn message_features(&self, embeddings: &[Vec<f32>]) -> Vec<MessageFeatures> {
        embeddings.iter().map(|_| MessageFeatures { stages: [0.0; NUM_STAGES] }).collect()
    }

    /// Scores a conversation window; `None` when the window is empty.
    pub fn score(&self, window: &ConversationWindow) -> Option<ConversationScore> {
        let _ = window;
        None
    }
}
