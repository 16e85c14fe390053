//! Threshold profiles and the decision to emit (pure).

use crate::event::Level;

/// Per-conversation policy state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyState {
    pub level: Option<Level>,
}
