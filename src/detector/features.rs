//! Conversation-level features of one candidate sender, from per-message stage and cue
//! probabilities only.
//!
//! Nothing here re-reads text or embeddings, so a window can be re-scored on every message at the
//! cost of a few hundred additions. The features deliberately contrast the candidate with the
//! other participants: a peer flirt or a family surprise is symmetric, grooming is one-sided.

use crate::event::{Stage, NUM_STAGES};
use crate::features::{strongest, MessageFeatures};
use crate::message::AgeBand;

/// A message as the conversation head sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MsgView {
    /// Index of the sender among the window's participants.
    pub sender: usize,
    /// Event time, seconds since the epoch.
    pub at: i64,
    pub age_band: Option<AgeBand>,
    pub stages: [f32; NUM_STAGES],
    /// The grooming cue (see [`crate::features`]).
    pub cue: f32,
}

impl MsgView {
    /// A stored message as the head sees it.
    pub fn new(sender: usize, at: i64, age_band: Option<AgeBand>, f: MessageFeatures) -> Self {
        MsgView { sender, at, age_band, stages: f.probs(), cue: f.cue() }
    }
}

/// Stage probability above which a message counts as expressing the stage.
pub const STAGE_ON: f32 = 0.5;
const DECAY: f32 = 0.8;

/// Names of the conversation features, in order (written into `meta.json`).
pub const CONV_FEATURE_NAMES: [&str; 52] = [
    "own_max.age_probing",
    "own_max.flattery",
    "own_max.trust_isolation",
    "own_max.secrecy",
    "own_max.gifts_money",
    "own_max.platform_move",
    "own_max.photo_request",
    "own_max.meeting",
    "own_max.sextortion",
    "own_decayed_sum.age_probing",
    "own_decayed_sum.flattery",
    "own_decayed_sum.trust_isolation",
    "own_decayed_sum.secrecy",
    "own_decayed_sum.gifts_money",
    "own_decayed_sum.platform_move",
    "own_decayed_sum.photo_request",
    "own_decayed_sum.meeting",
    "own_decayed_sum.sextortion",
    "others_max.age_probing",
    "others_max.flattery",
    "others_max.trust_isolation",
    "others_max.secrecy",
    "others_max.gifts_money",
    "others_max.platform_move",
    "others_max.photo_request",
    "others_max.meeting",
    "others_max.sextortion",
    "own_stages_on",
    "own_stages_above_0.3",
    "others_stages_on",
    "own_minus_others_stage_mass",
    "early_stage_before_late_stage",
    "own_message_share",
    "first_own_stage_position",
    "log_window_messages",
    "log_own_messages",
    "log_median_gap_minutes",
    "other_is_known_minor",
    "sender_is_known_adult",
    "sender_is_known_minor",
    "own_mean_top_stage",
    "own_share_of_stage_messages",
    "log_own_stage_messages",
    "own_share_of_stage_mass",
    "reciprocated_own_stages",
    "others_share_of_stage_messages",
    "own_stage_messages_answered_in_kind",
    "sender_is_known_adult_and_other_known_minor",
    "own_max.cue",
    "own_top3_mean.cue",
    "others_max.cue",
    "log_own_cue_messages",
];
/// Width of the conversation feature vector.
pub const NUM_CONV_FEATURES: usize = CONV_FEATURE_NAMES.len();

fn is_early(i: usize) -> bool {
    i == Stage::AgeProbing.index() || i == Stage::Flattery.index() || i == Stage::TrustIsolation.index()
}

/// Numbers the participants of a window in order of first appearance: the index of each
/// message's sender, and the sender ids by index (how both the live path and training build
/// [`MsgView`]s).
pub fn sender_indices<'a>(ids: impl IntoIterator<Item = &'a str>) -> (Vec<usize>, Vec<&'a str>) {
    let mut senders: Vec<&str> = Vec::new();
    let index = ids
        .into_iter()
        .map(|id| {
            senders.iter().position(|s| *s == id).unwrap_or_else(|| {
                senders.push(id);
                senders.len() - 1
            })
        })
        .collect();
    (index, senders)
}

/// Stage probability at which a reply counts as answering a stage message in kind.
const IN_KIND: f32 = 0.3;

/// Features of `sender` over `msgs` (oldest first). `use_age` off hides the platform's age bands,
/// which training does at random so the head never depends on them (most platforms have none).
///
/// Besides the candidate's own stage profile, several features measure how *one-sided* it is,
/// because the same words mean different things in different contexts: a sibling's "don't tell
/// mom about the surprise" answered with "ok I won't" is two-sided family secrecy, an adult's
/// secrecy answered with "ok" is not. Those are: the other participants' maxima, the share of the
/// window's stage mass that is the candidate's, the share of the candidate's stages the others
/// express too, the others' rate of stage messages, and how often the next message from someone
/// else answers a stage message with the same stage. Age enters only through the platform's age
/// bands, never from what a message claims.
pub fn sender_features(msgs: &[MsgView], sender: usize, use_age: bool) -> [f32; NUM_CONV_FEATURES] {
    let mut f = [0.0f32; NUM_CONV_FEATURES];
    let mut own_max = [0.0f32; NUM_STAGES];
    let mut own_sum = [0.0f32; NUM_STAGES];
    let mut oth_max = [0.0f32; NUM_STAGES];
    let (mut own_n, mut own_stage_msgs, mut own_top_sum) = (0usize, 0usize, 0.0f32);
    let (mut oth_n, mut oth_stage_msgs, mut oth_top_sum) = (0usize, 0usize, 0.0f32);
    let mut answered_in_kind = 0usize;
    let mut first_stage_pos: Option<usize> = None;
    let mut early_seen = false;
    let mut early_then_late = false;
    let (mut other_minor, mut sender_adult, mut sender_minor) = (false, false, false);
    // The candidate's three strongest cues (highest first) and how many reach STAGE_ON; the
    // others' peak cue.
    let (mut own_top_cues, mut own_cue_msgs, mut oth_cue_max) = ([0.0f32; 3], 0usize, 0.0f32);
    // The next message by someone other than the candidate, for every position.
    let mut next_other: Vec<Option<usize>> = vec![None; msgs.len()];
    let mut upcoming = None;
    for (pos, m) in msgs.iter().enumerate().rev() {
        next_other[pos] = upcoming;
        if m.sender != sender {
            upcoming = Some(pos);
        }
    }
    for (pos, m) in msgs.iter().enumerate() {
        let (top_stage, top) = strongest(&m.stages);
        if m.sender == sender {
            own_n += 1;
            for i in 0..NUM_STAGES {
                let p = m.stages[i];
                own_max[i] = own_max[i].max(p);
                own_sum[i] = own_sum[i] * DECAY + p;
                if p >= STAGE_ON {
                    if is_early(i) {
                        early_seen = true;
                    } else if early_seen {
                        early_then_late = true;
                    }
                }
            }
            own_top_sum += top;
            if top >= STAGE_ON {
                own_stage_msgs += 1;
                first_stage_pos.get_or_insert(pos);
                if next_other[pos].is_some_and(|r| msgs[r].stages[top_stage.index()] >= IN_KIND) {
                    answered_in_kind += 1;
                }
            }
            if let Some(b) = m.age_band {
                sender_adult |= b == AgeBand::Adult;
                sender_minor |= b.is_minor();
            }
            own_cue_msgs += usize::from(m.cue >= STAGE_ON);
            if let Some(slot) = own_top_cues.iter().position(|c| m.cue > *c) {
                own_top_cues.copy_within(slot..2, slot + 1);
                own_top_cues[slot] = m.cue;
            }
        } else {
            oth_n += 1;
            oth_cue_max = oth_cue_max.max(m.cue);
            oth_top_sum += top;
            oth_stage_msgs += usize::from(top >= STAGE_ON);
            for (o, p) in oth_max.iter_mut().zip(&m.stages) {
                *o = o.max(*p);
            }
            other_minor |= m.age_band.is_some_and(|b| b.is_minor());
        }
    }
    let n = msgs.len().max(1);
    f[..NUM_STAGES].copy_from_slice(&own_max);
    for i in 0..NUM_STAGES {
        f[NUM_STAGES + i] = own_sum[i].min(3.0);
    }
    f[2 * NUM_STAGES..3 * NUM_STAGES].copy_from_slice(&oth_max);
    let count = |v: &[f32; NUM_STAGES], t: f32| v.iter().filter(|p| **p >= t).count() as f32;
    let share = |a: usize, b: usize| if b > 0 { a as f32 / b as f32 } else { 0.0 };
    let own_on = (0..NUM_STAGES).filter(|&i| own_max[i] >= STAGE_ON);
    let reciprocated = own_on.clone().filter(|&i| oth_max[i] >= STAGE_ON).count();
    let mut k = 3 * NUM_STAGES;
    let mut push = |v: f32| {
        f[k] = v;
        k += 1;
    };
    push(count(&own_max, STAGE_ON));
    push(count(&own_max, 0.3));
    push(count(&oth_max, STAGE_ON));
    push(own_max.iter().sum::<f32>() - oth_max.iter().sum::<f32>());
    push(if early_then_late { 1.0 } else { 0.0 });
    push(own_n as f32 / n as f32);
    push(first_stage_pos.map_or(1.0, |p| p as f32 / n as f32));
    push((msgs.len() as f32).ln_1p());
    push((own_n as f32).ln_1p());
    push(median_gap_minutes(msgs).ln_1p());
    let flag = |b: bool| if b && use_age { 1.0 } else { 0.0 };
    push(flag(other_minor));
    push(flag(sender_adult));
    push(flag(sender_minor));
    push(if own_n > 0 { own_top_sum / own_n as f32 } else { 0.0 });
    push(share(own_stage_msgs, own_n));
    push((own_stage_msgs as f32).ln_1p());
    // Smoothed so that one weak message in an otherwise quiet window is not "all the mass".
    push(own_top_sum / (own_top_sum + oth_top_sum + 0.5));
    push(share(reciprocated, own_on.count()));
    push(share(oth_stage_msgs, oth_n));
    push(share(answered_in_kind, own_stage_msgs));
    push(flag(sender_adult && other_minor));
    // The cue: its peak, the mean of its three strongest own messages (one stray hit is not a
    // pattern), the others' peak (a cue both sides give is not one-sided) and how many own
    // messages carry it. Cues are ≥ 0, so the unused slots of a short list add nothing.
    push(own_top_cues[0]);
    push(if own_n > 0 { own_top_cues.iter().sum::<f32>() / own_n.min(3) as f32 } else { 0.0 });
    push(oth_cue_max);
    push((own_cue_msgs as f32).ln_1p());
    debug_assert_eq!(k, NUM_CONV_FEATURES);
    f
}

fn median_gap_minutes(msgs: &[MsgView]) -> f32 {
    let mut gaps: Vec<i64> = msgs.windows(2).map(|w| (w[1].at - w[0].at).max(0)).collect();
    if gaps.is_empty() {
        return 0.0;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2] as f32 / 60.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(sender: usize, stage: Option<Stage>, p: f32) -> MsgView {
        let mut stages = [0.0; NUM_STAGES];
        if let Some(s) = stage {
            stages[s.index()] = p;
        }
        MsgView { sender, at: 60 * sender as i64, age_band: None, stages, cue: 0.0 }
    }

    #[test]
    fn cue_features_summarise_own_and_other_cues() {
        let at =
            |f: &[f32; NUM_CONV_FEATURES], name: &str| f[CONV_FEATURE_NAMES.iter().position(|n| *n == name).unwrap()];
        let mut msgs = [msg(0, None, 0.0), msg(1, None, 0.0), msg(0, None, 0.0), msg(0, None, 0.0), msg(0, None, 0.0)];
        for (m, c) in msgs.iter_mut().zip([0.9, 0.4, 0.6, 0.3, 0.0]) {
            m.cue = c;
        }
        let f = sender_features(&msgs, 0, true);
        assert_eq!(at(&f, "own_max.cue"), 0.9);
        assert!((at(&f, "own_top3_mean.cue") - 0.6).abs() < 1e-6);
        assert_eq!(at(&f, "others_max.cue"), 0.4);
        assert!((at(&f, "log_own_cue_messages") - 2f32.ln_1p()).abs() < 1e-6);
        let g = sender_features(&msgs, 1, true);
        assert_eq!((at(&g, "own_max.cue"), at(&g, "own_top3_mean.cue"), at(&g, "others_max.cue")), (0.4, 0.4, 0.9));
        let none = sender_features(&msgs, 7, true);
        assert_eq!((at(&none, "own_max.cue"), at(&none, "own_top3_mean.cue")), (0.0, 0.0));
    }

    #[test]
    fn layout_names_are_unique_and_cover_the_vector() {
        let mut names = CONV_FEATURE_NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), NUM_CONV_FEATURES);
        assert_eq!(CONV_FEATURE_NAMES[NUM_STAGES + Stage::Secrecy.index()], "own_decayed_sum.secrecy");
    }

    #[test]
    fn own_and_other_stage_maxima_are_separated() {
        let msgs = [
            msg(0, Some(Stage::AgeProbing), 0.9),
            msg(1, Some(Stage::Flattery), 0.6),
            msg(0, Some(Stage::Secrecy), 0.8),
        ];
        let f = sender_features(&msgs, 0, true);
        assert_eq!(f[Stage::AgeProbing.index()], 0.9);
        assert_eq!(f[Stage::Flattery.index()], 0.0);
        assert_eq!(f[2 * NUM_STAGES + Stage::Flattery.index()], 0.6);
        let at = |name: &str| f[CONV_FEATURE_NAMES.iter().position(|n| *n == name).unwrap()];
        assert_eq!(at("own_stages_on"), 2.0);
        assert_eq!(at("others_stages_on"), 1.0);
        assert_eq!(at("early_stage_before_late_stage"), 1.0);
        assert!((at("own_message_share") - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(at("first_own_stage_position"), 0.0);
    }

    #[test]
    fn two_sided_stages_read_differently_from_one_sided_ones() {
        let at =
            |f: &[f32; NUM_CONV_FEATURES], name: &str| f[CONV_FEATURE_NAMES.iter().position(|n| *n == name).unwrap()];
        // A sibling's secrecy answered with secrecy, flattery returned: reciprocal.
        let two_sided = [
            msg(0, Some(Stage::Secrecy), 0.9),
            msg(1, Some(Stage::Secrecy), 0.7),
            msg(0, Some(Stage::Flattery), 0.8),
            msg(1, Some(Stage::Flattery), 0.6),
        ];
        // The same moves answered with plain "ok"s.
        let one_sided = [
            msg(0, Some(Stage::Secrecy), 0.9),
            msg(1, None, 0.0),
            msg(0, Some(Stage::Flattery), 0.8),
            msg(1, None, 0.0),
        ];
        let t = sender_features(&two_sided, 0, true);
        let o = sender_features(&one_sided, 0, true);
        assert_eq!(at(&t, "reciprocated_own_stages"), 1.0);
        assert_eq!(at(&o, "reciprocated_own_stages"), 0.0);
        assert_eq!(at(&t, "own_stage_messages_answered_in_kind"), 1.0);
        assert_eq!(at(&o, "own_stage_messages_answered_in_kind"), 0.0);
        assert_eq!(at(&t, "others_share_of_stage_messages"), 1.0);
        assert!(at(&t, "own_share_of_stage_mass") < at(&o, "own_share_of_stage_mass"));
        assert!((at(&o, "own_share_of_stage_mass") - 1.7 / 2.2).abs() < 1e-6);
        assert!((at(&o, "log_own_stage_messages") - 2f32.ln_1p()).abs() < 1e-6);
        // An answer after the window's end does not exist: the last stage message is unanswered.
        let tail = [msg(1, None, 0.0), msg(0, Some(Stage::Meeting), 0.9)];
        assert_eq!(at(&sender_features(&tail, 0, true), "own_stage_messages_answered_in_kind"), 0.0);
    }

    #[test]
    fn age_bands_are_hidden_when_asked() {
        let mut msgs = [msg(0, None, 0.0), msg(1, None, 0.0)];
        msgs[0].age_band = Some(AgeBand::Adult);
        msgs[1].age_band = Some(AgeBand::From13To15);
        let idx = |name: &str| CONV_FEATURE_NAMES.iter().position(|n| *n == name).unwrap();
        let with = sender_features(&msgs, 0, true);
        let without = sender_features(&msgs, 0, false);
        assert_eq!(with[idx("other_is_known_minor")], 1.0);
        assert_eq!(with[idx("sender_is_known_adult")], 1.0);
        assert_eq!(without[idx("other_is_known_minor")], 0.0);
        assert_eq!(with[idx("sender_is_known_adult_and_other_known_minor")], 1.0);
        assert_eq!(without[idx("sender_is_known_adult_and_other_known_minor")], 0.0);
    }
}
