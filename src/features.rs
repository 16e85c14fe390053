//! What a conversation window keeps per message: the detector's nine stage probabilities and its
//! grooming-cue probability, each quantised to one byte.
//!
//! The cue is the stage head's tenth output: how much a message reads like a move of the suspect
//! in a grooming conversation, learned from conversation labels rather than stage labels. It
//! carries what the nine stages cannot (who is speaking to whom, in what register), and only the
//! conversation head reads it; events and explanations cite stages.
//!
//! Windows are the only memory that grows with traffic and every message of every window is also
//! written to the state changelog, so the per-message signal is stored in 10 bytes instead of 40:
//! a probability `p` in 0..1 is kept as `round(p × 255)`, a step of 1/255 ≈ 0.004 — far below
//! anything the conversation head or the evidence threshold can tell apart. The rounding is part
//! of the model: training must read the probabilities through [`MessageFeatures::probs`] of
//! [`MessageFeatures::from_probs`] (or [`quantise`]) so the heads see exactly what the live path
//! sees.

use crate::event::{Stage, NUM_STAGES};

/// Quantisation steps of one probability (`u8::MAX`): 0 is 0.0 and 255 is 1.0.
const LEVELS: f32 = u8::MAX as f32;

/// Bytes of one message's stored features: the stages, then the cue.
pub const STORED_BYTES: usize = NUM_STAGES + 1;

/// Per-message stage and cue probabilities, one byte each (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MessageFeatures {
    q: [u8; NUM_STAGES],
    cue: u8,
}

impl MessageFeatures {
    /// Quantises per-stage probabilities and the cue (clamped to 0..1; NaN counts as 0).
    pub fn new(probs: [f32; NUM_STAGES], cue: f32) -> Self {
        MessageFeatures { q: probs.map(quantise_one), cue: quantise_one(cue) }
    }

    /// Stage probabilities with cue 0 (for callers that have no cue, such as tests and
    /// [`quantise`]).
    pub fn from_probs(probs: [f32; NUM_STAGES]) -> Self {
        Self::new(probs, 0.0)
    }

    /// The stored form, for the state changelog.
    pub fn to_bytes(self) -> [u8; STORED_BYTES] {
        std::array::from_fn(|i| if i < NUM_STAGES { self.q[i] } else { self.cue })
    }

    /// Rebuilds features from [`Self::to_bytes`].
    pub fn from_bytes(b: [u8; STORED_BYTES]) -> Self {
        MessageFeatures { q: std::array::from_fn(|i| b[i]), cue: b[NUM_STAGES] }
    }

    /// Rebuilds features from the stage bytes alone (state format 1, before the cue): cue 0.
    pub fn from_stage_bytes(q: [u8; NUM_STAGES]) -> Self {
        MessageFeatures { q, cue: 0 }
    }

    /// The per-stage probabilities as the detector reads them (already rounded).
    pub fn probs(&self) -> [f32; NUM_STAGES] {
        self.q.map(|b| f32::from(b) / LEVELS)
    }

    /// The grooming-cue probability as the conversation head reads it (already rounded).
    pub fn cue(&self) -> f32 {
        f32::from(self.cue) / LEVELS
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

/// The stage probabilities the live path stores for `probs`: what training must feed the heads.
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
        let f = MessageFeatures::new([-1.0, 2.0, f32::NAN, 0.0, 1.0, 0.5, 0.25, 0.75, 0.1], 2.0);
        let p = f.probs();
        assert_eq!((p[0], p[1], p[2], p[3], p[4], f.cue()), (0.0, 1.0, 0.0, 0.0, 1.0, 1.0));
        assert_eq!(MessageFeatures::from_bytes(f.to_bytes()), f);
        assert_eq!(MessageFeatures::new([0.0; NUM_STAGES], f32::NAN).cue(), 0.0);
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
