//! Streams labelled conversations through the live [`Engine`] and records what happened to each
//! message, so every metric afterwards is a pure function of plain data.

use super::EvalError;
use crate::dataset::{Label, LabelledConversation, Language};
use crate::detector::MessageFeatures;
use crate::engine::{Engine, Input, Outcome};
use crate::event::{Level, Stage};
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most evidence messages kept per conversation for the report.
pub const MAX_EVIDENCE: usize = 3;

/// One event the engine emitted while reading a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// 0-based index of the message whose arrival triggered the event.
    pub index: usize,
    pub level: Level,
    pub event_id: String,
}

/// One message that drove the score, with its text (kept for the HTML report only; risk events
/// themselves carry no text unless excerpts are configured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// 0-based index of the message in the conversation (not in the sliding window).
    pub index: usize,
    pub stage: Stage,
    pub score: f32,
    pub text: String,
}

/// What the engine did with one labelled conversation: the label side and the prediction side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvResult {
    pub id: String,
    pub language: Language,
    pub label: Label,
    pub hard_negative: bool,
    /// 0-based index of the first worrying message (grooming only).
    pub onset: Option<usize>,
    /// The labelled groomer.
    pub suspect: Option<String>,
    /// The labelled stages.
    pub stages: Vec<Stage>,
    /// Calibrated risk after each message (`None` where the detector gave no score).
    pub risk: Vec<Option<f32>>,
    /// The detector's suspect after each message.
    pub predicted_suspect: Vec<Option<String>>,
    /// The policy level after each message (with hysteresis).
    pub levels: Vec<Option<Level>>,
    /// Events in the order they fired.
    pub events: Vec<EventRecord>,
    /// Highest risk over the conversation; 0 when no message was scored.
    pub max_risk: f32,
    /// Per stage, the highest score the final suspect's messages reached over the conversation.
    pub stage_max: BTreeMap<Stage, f32>,
    /// Strongest evidence, best first: at the first alert when the conversation was flagged
    /// (why it alerted), otherwise at its highest-risk message (what came closest).
    pub evidence: Vec<EvidenceItem>,
}

impl ConvResult {
    pub fn is_grooming(&self) -> bool {
        self.label == Label::Grooming
    }

    /// Index of the first event of level `alert` or higher: what flags a conversation for review.
    pub fn first_alert(&self) -> Option<usize> {
        self.events.iter().find(|e| e.level >= Level::Alert).map(|e| e.index)
    }

    /// An `alert` or `critical` event fired (a `watch` alone does not flag, docs/contracts.md §5).
    pub fn flagged(&self) -> bool {
        self.first_alert().is_some()
    }

    /// Messages from the onset to the first alert: 0 at the onset message, negative before it.
    /// `None` unless this is a flagged grooming conversation.
    pub fn latency(&self) -> Option<i64> {
        let onset = self.onset.filter(|_| self.is_grooming())?;
        Some(self.first_alert()? as i64 - onset as i64)
    }

    /// Highest risk over messages with index ≥ `from`, `None` when none was scored. With
    /// `from = min_messages - 1` this is the quantity the policy's first alert crossing depends on.
    pub fn max_risk_from(&self, from: usize) -> Option<f32> {
        self.risk.iter().skip(from).flatten().copied().filter(|r| !r.is_nan()).reduce(f32::max)
    }
}

/// Scores every conversation, in order, through `engine` and records the outcome of each message.
///
/// Each conversation goes to [`Engine::process`] as one batch: the engine walks a batch message by
/// message in arrival order (window, score, policy after each), so this is the live behaviour, with
/// one batched encoder pass per conversation. State is forgotten between conversations so two that
/// share an id (or a sender) cannot influence each other. `progress` advances by one per
/// conversation and is cleared at the end.
pub fn score_conversations(
    engine: &mut Engine,
    convs: &[LabelledConversation],
    progress: &ProgressBar,
) -> Result<Vec<ConvResult>, EvalError> {
    let window = engine.window_max_messages();
    let mut results = Vec::with_capacity(convs.len());
    for conv in convs {
        engine.forget_all();
        let inputs = engine_inputs(conv)?;
        let outcomes =
            engine.process(&inputs).map_err(|source| EvalError::Model { id: conv.conversation_id.clone(), source })?;
        if outcomes.len() != inputs.len() {
            return Err(bad_conversation(
                conv,
                format!("the engine returned {} outcomes for {} messages", outcomes.len(), inputs.len()),
            ));
        }
        results.push(conv_result(conv, &outcomes, window));
        progress.inc(1);
    }
    engine.forget_all();
    progress.finish_and_clear();
    Ok(results)
}

/// Streams `conv` through `engine` with the given stored features (one per message) in place of
/// the engine's own ([`Engine::process_features`]): same window, scoring and policy as
/// [`score_conversations`], for features computed elsewhere (out-of-fold stage heads at training
/// time, clause scoring).
pub fn score_with_features(
    engine: &mut Engine,
    conv: &LabelledConversation,
    features: Vec<MessageFeatures>,
) -> Result<ConvResult, EvalError> {
    let inputs = engine_inputs(conv)?;
    if features.len() != inputs.len() {
        return Err(bad_conversation(conv, format!("{} feature sets for {} messages", features.len(), inputs.len())));
    }
    engine.forget_all();
    let outcomes = engine.process_features(&inputs, features);
    engine.forget_all();
    Ok(conv_result(conv, &outcomes, engine.window_max_messages()))
}

/// `conv` checked and turned into the engine's inputs, as a platform would have sent its
/// messages (no source offsets: nothing is deduplicated).
fn engine_inputs(conv: &LabelledConversation) -> Result<Vec<Input>, EvalError> {
    conv.validate().map_err(|r| bad_conversation(conv, r))?;
    let messages = conv.to_chat_messages().map_err(|r| bad_conversation(conv, r))?;
    Ok(messages.into_iter().map(|message| Input { message, source: None }).collect())
}

fn bad_conversation(conv: &LabelledConversation, reason: String) -> EvalError {
    EvalError::BadConversation { id: conv.conversation_id.clone(), reason }
}

/// Turns one conversation's outcomes (one per message, in order) into a [`ConvResult`].
/// `window` is the engine's window length, to map the detector's window-relative evidence indices
/// back to conversation indices (the whole conversation is one batch, so nothing is evicted
/// mid-way and the window after message `i` holds messages `i + 1 - min(i + 1, window) ..= i`).
pub fn conv_result(conv: &LabelledConversation, outcomes: &[Outcome], window: usize) -> ConvResult {
    let risk: Vec<Option<f32>> = outcomes.iter().map(|o| o.score.as_ref().map(|s| s.risk)).collect();
    let predicted_suspect = outcomes.iter().map(|o| o.score.as_ref().map(|s| s.suspect.clone())).collect();
    let levels = outcomes.iter().map(|o| o.level).collect();
    let events: Vec<EventRecord> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(index, o)| {
            o.event.as_ref().map(|e| EventRecord { index, level: e.level, event_id: e.event_id.clone() })
        })
        .collect();
    let max_risk = risk.iter().flatten().copied().filter(|r| !r.is_nan()).fold(0.0f32, f32::max);

    let final_suspect = outcomes.iter().rev().find_map(|o| o.score.as_ref().map(|s| s.suspect.as_str()));
    let mut stage_max: BTreeMap<Stage, f32> = Stage::ALL.into_iter().map(|s| (s, 0.0)).collect();
    for score in outcomes.iter().filter_map(|o| o.score.as_ref()) {
        if Some(score.suspect.as_str()) != final_suspect {
            continue;
        }
        for s in Stage::ALL {
            let v = score.stages[s.index()];
            if let Some(m) = stage_max.get_mut(&s) {
                *m = m.max(v);
            }
        }
    }

    // Evidence at the first alert when flagged, else at the (first) highest-risk message.
    let first_alert = events.iter().find(|e| e.level >= Level::Alert).map(|e| e.index);
    let at = first_alert.or_else(|| {
        risk.iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, r)))
            .fold(None, |best: Option<(usize, f32)>, (i, r)| match best {
                Some((_, b)) if b >= r => best,
                _ => Some((i, r)),
            })
            .map(|(i, _)| i)
    });
    let evidence = at
        .and_then(|i| {
            let score = outcomes.get(i)?.score.as_ref()?;
            let offset = (i + 1).saturating_sub(window.max(1));
            Some(
                score
                    .evidence
                    .iter()
                    .filter_map(|e| {
                        let index = offset + e.index;
                        let text = conv.messages.get(index)?.text.clone();
                        Some(EvidenceItem { index, stage: e.stage, score: e.score, text })
                    })
                    .take(MAX_EVIDENCE)
                    .collect(),
            )
        })
        .unwrap_or_default();

    ConvResult {
        id: conv.conversation_id.clone(),
        language: conv.language,
        label: conv.label,
        hard_negative: conv.hard_negative,
        onset: conv.onset,
        suspect: conv.suspect.clone(),
        stages: conv.stages.clone(),
        risk,
        predicted_suspect,
        levels,
        events,
        max_risk,
        stage_max,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::LabelledMessage;
    use crate::detector::{ConversationScore, EvidenceRef};
    use crate::event::{RiskEvent, WindowInfo, NUM_STAGES};

    fn conv(n: usize) -> LabelledConversation {
        LabelledConversation {
            conversation_id: "c1".into(),
            language: Language::En,
            label: Label::Grooming,
            onset: Some(1),
            suspect: Some("u_a".into()),
            stages: vec![Stage::Secrecy],
            hard_negative: false,
            messages: (0..n)
                .map(|i| LabelledMessage {
                    sender_id: if i % 2 == 0 { "u_a".into() } else { "u_b".into() },
                    sent_at: format!("2026-03-01T10:{i:02}:00Z"),
                    text: format!("message {i}"),
                    sender_age_band: None,
                })
                .collect(),
            family: None,
            message_stages: None,
            message_groups: None,
        }
    }

    fn event(level: Level) -> RiskEvent {
        RiskEvent {
            schema_version: 1,
            event_id: format!("e-{level}"),
            conversation_id: "c1".into(),
            suspect_sender_id: "u_a".into(),
            risk_score: 0.0,
            level,
            stages: BTreeMap::new(),
            evidence: Vec::new(),
            window: WindowInfo { first_message_id: String::new(), last_message_id: String::new(), count: 0 },
            trigger_message_id: String::new(),
            model_version: "m".into(),
            profile: "p".into(),
            previous_level: None,
            emitted_at: String::new(),
        }
    }

    fn outcome(risk: f32, suspect: &str, secrecy: f32, evidence: Vec<EvidenceRef>, ev: Option<Level>) -> Outcome {
        let mut stages = [0.0; NUM_STAGES];
        stages[Stage::Secrecy.index()] = secrecy;
        Outcome {
            conversation_id: "c1".into(),
            message_id: String::new(),
            score: Some(ConversationScore { suspect: suspect.into(), risk, stages, evidence }),
            level: None,
            event: ev.map(event),
        }
    }

    #[test]
    fn records_events_maxima_and_maps_window_evidence_to_conversation_indices() {
        let c = conv(5);
        let ev = |index, score| EvidenceRef { index, stage: Stage::Secrecy, score };
        let outcomes = vec![
            outcome(0.1, "u_b", 0.9, vec![], None), // another suspect's stage score is ignored
            outcome(0.2, "u_a", 0.4, vec![], Some(Level::Watch)),
            outcome(0.7, "u_a", 0.6, vec![ev(1, 0.6), ev(0, 0.4)], Some(Level::Alert)),
            outcome(0.9, "u_a", 0.5, vec![], None),
            outcome(0.3, "u_a", 0.5, vec![], None),
        ];
        // Window of 2: after message 2 the window holds messages 1 and 2.
        let r = conv_result(&c, &outcomes, 2);
        assert_eq!(r.events.len(), 2);
        assert_eq!(r.first_alert(), Some(2));
        assert!(r.flagged());
        assert_eq!(r.latency(), Some(1));
        assert_eq!(r.max_risk, 0.9);
        assert_eq!(r.stage_max[&Stage::Secrecy], 0.6);
        assert_eq!(r.evidence.len(), 2);
        assert_eq!((r.evidence[0].index, r.evidence[0].text.as_str()), (2, "message 2"));
        assert_eq!(r.evidence[1].index, 1);
        assert_eq!(r.max_risk_from(4), Some(0.3));
        assert_eq!(r.max_risk_from(9), None);
    }

    #[test]
    fn unflagged_conversations_keep_evidence_from_their_highest_risk_message() {
        let c = conv(3);
        let ev = |index| EvidenceRef { index, stage: Stage::Secrecy, score: 0.5 };
        let outcomes = vec![
            outcome(0.2, "u_a", 0.1, vec![ev(0)], Some(Level::Watch)),
            outcome(0.5, "u_a", 0.1, vec![ev(1)], None),
            outcome(0.4, "u_a", 0.1, vec![ev(2)], None),
        ];
        let r = conv_result(&c, &outcomes, 50);
        assert!(!r.flagged(), "watch alone does not flag");
        assert_eq!(r.latency(), None);
        assert_eq!(r.evidence.iter().map(|e| e.index).collect::<Vec<_>>(), vec![1]);
    }
}
