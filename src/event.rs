//! The risk event (docs/contracts.md §2) and the grooming-stage vocabulary (docs/contracts.md §4).
//!
//! These shapes are read by trust-and-safety tools outside the project: fields may be added, never
//! renamed or dropped without bumping [`SCHEMA_VERSION`]. `schemas/risk-event.schema.json` is the
//! machine-readable twin of this file and the tests validate produced events against it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Version of the risk-event shape written in every event.
pub const SCHEMA_VERSION: u32 = 1;

/// Number of grooming stages, the length of every per-stage score array.
pub const NUM_STAGES: usize = 9;

/// The grooming stages of docs/contracts.md §4, in their fixed order (the index is used in feature arrays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    AgeProbing,
    Flattery,
    TrustIsolation,
    Secrecy,
    GiftsMoney,
    PlatformMove,
    PhotoRequest,
    Meeting,
    Sextortion,
}

impl Stage {
    /// Every stage in index order.
    pub const ALL: [Stage; NUM_STAGES] = [
        Stage::AgeProbing,
        Stage::Flattery,
        Stage::TrustIsolation,
        Stage::Secrecy,
        Stage::GiftsMoney,
        Stage::PlatformMove,
        Stage::PhotoRequest,
        Stage::Meeting,
        Stage::Sextortion,
    ];

    /// The contract name, e.g. `age_probing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::AgeProbing => "age_probing",
            Stage::Flattery => "flattery",
            Stage::TrustIsolation => "trust_isolation",
            Stage::Secrecy => "secrecy",
            Stage::GiftsMoney => "gifts_money",
            Stage::PlatformMove => "platform_move",
            Stage::PhotoRequest => "photo_request",
            Stage::Meeting => "meeting",
            Stage::Sextortion => "sextortion",
        }
    }

    /// Position of this stage in [`Stage::ALL`] and in per-stage arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| format!("unknown grooming stage {s:?}"))
    }
}

/// Alert levels, ordered by severity. `watch` is informational; `alert` and above flag a
/// conversation for review (docs/contracts.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Watch,
    Alert,
    Critical,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Watch, Level::Alert, Level::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Watch => "watch",
            Level::Alert => "alert",
            Level::Critical => "critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message that drove the score, with the stage it most supports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub message_id: String,
    pub stage: Stage,
    /// The message's score for that stage, 0..1.
    pub score: f32,
    /// Short excerpt of the original text; only present when `events.excerpts` is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// The scored window of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    pub first_message_id: String,
    pub last_message_id: String,
    pub count: usize,
}

/// A risk event (docs/contracts.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskEvent {
    pub schema_version: u32,
    pub event_id: String,
    pub conversation_id: String,
    pub suspect_sender_id: String,
    pub risk_score: f32,
    pub level: Level,
    /// Per stage, 0..1, keyed by the stage's contract name.
    pub stages: std::collections::BTreeMap<Stage, f32>,
    pub evidence: Vec<Evidence>,
    pub window: WindowInfo,
    pub trigger_message_id: String,
    pub model_version: String,
    pub profile: String,
    /// The level of the previous event for this conversation, if any (so a reviewer sees a climb).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_level: Option<Level>,
    pub emitted_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip_in_index_order() {
        for (i, st) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(st.index(), i);
            assert_eq!(st.as_str().parse::<Stage>().unwrap(), st);
            assert_eq!(serde_json::to_string(&st).unwrap(), format!("\"{}\"", st.as_str()));
        }
        assert!("grooming".parse::<Stage>().is_err());
    }

    #[test]
    fn levels_are_ordered_by_severity() {
        assert!(Level::Watch < Level::Alert && Level::Alert < Level::Critical);
    }
}
