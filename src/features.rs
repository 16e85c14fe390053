//! What a conversation window keeps per message: the detector's nine stage probabilities, each
//! quantised to one byte.
//!
//! Windows are the only memory that grows with traffic and every message of every window is also
//! written to the state changelog, so the per-message signal is stored in 9 bytes instead of 36:
//! a probability `p` in 0..1 is kept as `round(p × 255)`, a step of 1/255 ≈ 0.004 — far below
//! anything the conversation head or the evidence threshold can tell apart. The rounding is part
//! of the model: training must read the probabilities through [`MessageFeatures::probs`] of
//! [`MessageFeatures::from_probs`] (or [`quantise`]) so the heads see exactly what the live path
//! sees.

use crate::event::{Stage, NUM_STAGES};

/// Quantisation steps of one probability (`u8::MAX`): 0 is 0.0 and 255 is 1.0.
const LEVELS: f32 = u8::MAX as f32;

/// Per-message stage probabilities, one byte each (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MessageFeatures {
    q: [u8; NUM_STAGES],
}

impl MessageFeatures {
    /// Quantises per-stage probabilities (clamped to 0..1; NaN counts as 0).
    pub fn from_probs(probs: [f32; NUM_STAGES]) -> Self {
        MessageFeatures { q: probs.map(quantise_one) }
    }

    /// The stored form, for the state changelog.
    pub fn to_bytes(self) -> [u8; NUM_STAGES] {
        self.q
    }

    /// Rebuilds features from [`Self::to_bytes`].
    pub fn from_bytes(q: [u8; NUM_STAGES]) -> Self {
        MessageFeatures { q }
    }

    /// The per-stage probabilities as the detector reads them (already rounded).
    pub fn probs(&self) -> [f32; NUM_STAGES] {
        self.q.map(|b| f32::from(b) / LEVELS)
    }

    /// The stage this message most supports, with its (rounded) probability; ties go to the
    /// earlier stage.
    pub fn top_stage(&self) -> (Stage, f32) {
        strongest(&self.probs())
    }
}

/// The strongest stage of per-stage probabilities, with its probability; ties go to the earlier
/// stage.
pub fn strongest(probs: &[f32; NUM_STAGES]) -> (Stage, f32) {
    let mut best = (Stage::ALL[0], probs[0]);
    for s in Stage::ALL.into_iter().skip(1) {
        if probs[s.index()] > best.1 {
            best = (s, probs[s.index()]);
        }
    }
    best
}

/// The probabilities the live path stores for `probs`: what training must feed the heads.
pub fn quantise(probs: [f32; NUM_STAGES]) -> [f32; NUM_STAGES] {
    MessageFeatures::from_probs(probs).probs()
}

fn quantise_one(p: f32) -> u8 {
    if p.is_nan() {
        return 0;
    }
    // In range after the clamp, so the cast neither wraps nor saturates unexpectedly.
    (p.clamp(0.0, 1.0) * LEVELS).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_within_half_a_step_and_idempotent() {
        for i in 0..=1000 {
            let p = i as f32 / 1000.0;
            let q = quantise([p; NUM_STAGES])[0];
            assert!((q - p).abs() <= 0.5 / LEVELS + 1e-6, "{p} -> {q}");
            assert_eq!(quantise([q; NUM_STAGES])[0], q, "re-quantising changes nothing");
        }
    }

    #[test]
    fn out_of_range_and_nan_are_clamped() {
        let f = MessageFeatures::from_probs([-1.0, 2.0, f32::NAN, 0.0, 1.0, 0.5, 0.25, 0.75, 0.1]);
        let p = f.probs();
        assert_eq!((p[0], p[1], p[2], p[3], p[4]), (0.0, 1.0, 0.0, 0.0, 1.0));
        assert_eq!(MessageFeatures::from_bytes(f.to_bytes()), f);
    }

    #[test]
    fn top_stage_prefers_the_highest_then_the_earliest() {
        let mut probs = [0.1; NUM_STAGES];
        probs[Stage::Secrecy.index()] = 0.8;
        probs[Stage::Meeting.index()] = 0.8;
        let (stage, p) = MessageFeatures::from_probs(probs).top_stage();
        assert_eq!(stage, Stage::Secrecy);
        assert!((p - 0.8).abs() < 0.01);
    }
}
