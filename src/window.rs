//! Per-conversation state (pure, no runtime): the last N messages with their features.

use crate::detector::MessageFeatures;
use crate::message::AgeBand;
use crate::policy::PolicyState;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;

/// Where a message came from in Kafka, so offsets can be held back while its window is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourcePos {
    pub partition: i32,
    pub offset: i64,
}

/// One message as the window keeps it (no text unless excerpts are configured).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowMessage {
    pub message_id: String,
    pub sender_id: String,
    pub sent_at: DateTime<Utc>,
    pub age_band: Option<AgeBand>,
    pub features: MessageFeatures,
    /// Short excerpt of the original text, only when `events.excerpts` is on.
    pub excerpt: Option<String>,
    pub source: Option<SourcePos>,
}

/// The live state of one conversation.
#[derive(Debug, Clone)]
pub struct ConversationWindow {
    pub conversation_id: String,
    /// Oldest first; at most `max_messages`.
    pub messages: VecDeque<WindowMessage>,
    /// Messages seen in total, including those that slid out of the window.
    pub total_seen: u64,
    /// Event time of the latest message.
    pub last_active: DateTime<Utc>,
    /// Policy state (last level, cooldown) travels with the window so eviction drops both.
    pub policy: PolicyState,
}
