//! Offline experiment: does scoring a long message clause by clause keep it from diluting a stage?
//!
//! A message that says three things ("nice game today, you're really good for your age, add me on
//! the other app so we can talk privately") gets one embedding, and the one worrying clause can be
//! averaged away by the harmless ones. The alternative measured here: split long messages into
//! clauses ([`split_clauses`]), score each clause with the same stage head, and store per stage the
//! strongest of the whole message and its clauses.
//!
//! This is **measurement only, never the live path**: it encodes every clause separately, which
//! the live path may not (the encoding cost per message must not grow). If it helps, the encoder
//! can pool clause spans out of the message's single forward pass instead. Both arms are scored
//! by the live engine through [`crate::engine::Engine::process_features`], which takes the stored
//! features as given (same window, scoring and policy); a test checks that the whole-message arm
//! reproduces `jaga eval` exactly, so the two arms differ only in the features.

use super::cache::EmbeddingCache;
use super::{false_alerts, FalseAlerts, TrainError};
use crate::dataset::{LabelledConversation, Language};
use crate::detector::{Detector, MessageFeatures};
use crate::eval::{score_with_features, EvalReport, DEFAULT_K_HALF};
use crate::event::NUM_STAGES;
use crate::model::Encoder;
use crate::normalize::normalize;
use crate::policy::Profile;
use crate::window::WindowConfig;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Messages shorter than this (in words) are never split.
pub const MIN_SPLIT_WORDS: usize = 8;
/// A clause shorter than this (in words) is merged into its neighbour.
pub const MIN_CLAUSE_WORDS: usize = 3;

/// Clauses of a normalised message: sentences (split after `.`, `!`, `?` or `;`), and within a
/// sentence at commas and the conjunctions "but" / "tapi" / "terus", with pieces under
/// [`MIN_CLAUSE_WORDS`] words merged into the previous one. Empty when the message has a single
/// clause (or fewer than [`MIN_SPLIT_WORDS`] words).
pub fn split_clauses(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < MIN_SPLIT_WORDS {
        return Vec::new();
    }
    let mut pieces: Vec<Vec<&str>> = vec![Vec::new()];
    for w in &words {
        let conjunction = matches!(*w, "but" | "tapi" | "terus");
        if conjunction && pieces.last().is_some_and(|p| !p.is_empty()) {
            pieces.push(Vec::new());
        }
        if let Some(p) = pieces.last_mut() {
            p.push(w);
        }
        let boundary = w.ends_with(['.', '!', '?', ';', ',']) && w.chars().count() > 1;
        if boundary {
            pieces.push(Vec::new());
        }
    }
    let mut merged: Vec<Vec<&str>> = Vec::new();
    for p in pieces.into_iter().filter(|p| !p.is_empty()) {
        match merged.last_mut() {
            Some(last) if p.len() < MIN_CLAUSE_WORDS || last.len() < MIN_CLAUSE_WORDS => last.extend(p),
            _ => merged.push(p),
        }
    }
    if merged.len() < 2 {
        return Vec::new();
    }
    merged.into_iter().map(|p| p.join(" ")).collect()
}

/// One arm of the experiment on one set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arm {
    pub report: Option<EvalReport>,
    /// For the background: false alerts by language.
    pub false_alerts: BTreeMap<Language, FalseAlerts>,
    /// Messages whose strongest stored stage probability is ≥ 0.5, of all messages (on real chat
    /// every one is a false stage hit).
    pub stage_messages: (usize, usize),
    /// Of the messages labelled with stages, the share whose labelled stages all reach 0.5.
    pub labelled_stage_recall: Option<f64>,
    /// Highest eligible max risk of a benign conversation.
    pub top_benign_risk: Option<f32>,
}

/// Whole-message against clause-max scoring at the default profile, on the held-out families,
/// on the same conversations with each run of consecutive messages by one sender merged into one
/// long message (how people who write fewer, longer messages chat), and on the background's
/// validation part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseReport {
    /// Messages that were split, of all messages, per set.
    pub holdout_messages_split: (usize, usize),
    pub merged_messages_split: (usize, usize),
    pub validation_messages_split: (usize, usize),
    /// Texts encoded for the experiment (not already cached).
    pub texts_encoded: usize,
    pub holdout_whole: Arm,
    pub holdout_clauses: Arm,
    pub merged_whole: Arm,
    pub merged_clauses: Arm,
    pub validation_whole: Arm,
    pub validation_clauses: Arm,
}

/// A message's normalised text and its clauses.
type Split = Vec<(String, Vec<String>)>;

/// What the experiment scores with.
pub struct Experiment<'a> {
    pub profile: &'a Profile,
    pub window: &'a WindowConfig,
}

impl Experiment<'_> {
    /// Runs both arms with the heads in `models_dir` (encodes the texts not cached yet).
    pub fn run(
        &self,
        models_dir: &Path,
        encoder: &dyn Encoder,
        cache: &mut EmbeddingCache,
        holdout: &[LabelledConversation],
        validation: &[LabelledConversation],
    ) -> Result<ClauseReport, TrainError> {
        let merged: Vec<LabelledConversation> = holdout.iter().map(merge_runs).collect();
        let split = |convs: &[LabelledConversation]| -> Vec<Split> {
            convs
                .iter()
                .map(|c| {
                    c.messages
                        .iter()
                        .map(|m| {
                            let t = normalize(&m.text);
                            let clauses = split_clauses(&t);
                            (t, clauses)
                        })
                        .collect()
                })
                .collect()
        };
        let (hold, merg, val) = (split(holdout), split(&merged), split(validation));
        let all = || hold.iter().chain(&merg).chain(&val).flatten();
        let stats =
            cache.ensure(encoder, all().flat_map(|(t, cl)| std::iter::once(t).chain(cl)).map(String::as_str))?;
        let mut engine =
            super::engine_for(Detector::load(models_dir, &cache.encoder())?, cache, self.profile, self.window);
        let count = |set: &[Split]| {
            let msgs = set.iter().flatten();
            (msgs.clone().filter(|(_, c)| !c.is_empty()).count(), msgs.count())
        };
        let mut arm = |convs: &[LabelledConversation], texts: &[Split], clauses: bool| {
            let mut results = Vec::with_capacity(convs.len());
            let (mut stage_msgs, mut msgs, mut labelled, mut found) = (0, 0, 0, 0);
            for (c, split) in convs.iter().zip(texts) {
                let feats = split
                    .iter()
                    .map(|(t, cl)| features(engine.detector(), cache, t, if clauses { cl } else { &[] }))
                    .collect::<Result<Vec<_>, _>>()?;
                for (i, f) in feats.iter().enumerate() {
                    msgs += 1;
                    let probs = f.probs();
                    stage_msgs += usize::from(probs.iter().any(|p| *p >= 0.5));
                    let labels = c.message_stages.as_ref().and_then(|l| l.get(i)).filter(|l| !l.is_empty());
                    if let Some(l) = labels {
                        labelled += 1;
                        found += usize::from(l.iter().all(|s| probs[s.index()] >= 0.5));
                    }
                }
                results.push(score_with_features(&mut engine, c, feats)?);
            }
            let report = (!results.is_empty())
                .then(|| EvalReport::compute(&results, self.profile, engine.model_version(), DEFAULT_K_HALF))
                .transpose()?;
            let min = self.profile.min_messages as usize;
            let top_benign_risk =
                results.iter().filter(|r| !r.is_grooming()).filter_map(|r| r.max_risk_from(min - 1)).reduce(f32::max);
            Ok::<_, TrainError>(Arm {
                report,
                false_alerts: false_alerts(&results, min),
                stage_messages: (stage_msgs, msgs),
                labelled_stage_recall: (labelled > 0).then(|| found as f64 / labelled as f64),
                top_benign_risk,
            })
        };
        Ok(ClauseReport {
            holdout_messages_split: count(&hold),
            merged_messages_split: count(&merg),
            validation_messages_split: count(&val),
            texts_encoded: stats.encoded,
            holdout_whole: arm(holdout, &hold, false)?,
            holdout_clauses: arm(holdout, &hold, true)?,
            merged_whole: arm(&merged, &merg, false)?,
            merged_clauses: arm(&merged, &merg, true)?,
            validation_whole: arm(validation, &val, false)?,
            validation_clauses: arm(validation, &val, true)?,
        })
    }
}

/// `conv` with every run of consecutive messages by one sender merged into one message (texts
/// joined with ". " unless one already ends a sentence, the first message's time, the union of
/// the stage labels); the onset moves to the merged message that holds it.
pub fn merge_runs(conv: &LabelledConversation) -> LabelledConversation {
    let mut out = conv.clone();
    out.messages.clear();
    let mut stages: Vec<Vec<crate::event::Stage>> = Vec::new();
    let mut onset = None;
    for (i, m) in conv.messages.iter().enumerate() {
        let labels = conv.message_stages.as_ref().and_then(|l| l.get(i)).cloned().unwrap_or_default();
        match out.messages.last_mut() {
            Some(last) if last.sender_id == m.sender_id => {
                let sep =
                    if last.text.trim_end().ends_with(['.', '!', '?']) || last.text.is_empty() { " " } else { ". " };
                last.text = format!("{}{sep}{}", last.text.trim_end(), m.text);
                if let Some(s) = stages.last_mut() {
                    for l in labels {
                        if !s.contains(&l) {
                            s.push(l);
                        }
                    }
                }
            }
            _ => {
                out.messages.push(m.clone());
                stages.push(labels);
            }
        }
        if conv.onset == Some(i) {
            onset = Some(out.messages.len() - 1);
        }
    }
    out.onset = onset;
    out.message_stages = conv.message_stages.as_ref().map(|_| stages);
    out
}

/// Stored features of a message: the whole message's, or per stage the strongest of the whole
/// message and its clauses.
fn features(
    det: &Detector,
    cache: &EmbeddingCache,
    text: &str,
    clauses: &[String],
) -> Result<MessageFeatures, TrainError> {
    let emb = |t: &str| {
        cache.get(t).map(<[f32]>::to_vec).ok_or_else(|| TrainError::Invalid("a clause embedding is missing".into()))
    };
    let mut embs = vec![emb(text)?];
    for c in clauses {
        embs.push(emb(c)?);
    }
    let texts: Vec<&str> = std::iter::once(text).chain(clauses.iter().map(String::as_str)).collect();
    let all = det.message_features(&texts, &embs);
    let (mut best, mut cue) = ([0.0f32; NUM_STAGES], 0.0f32);
    for f in &all {
        for (b, p) in best.iter_mut().zip(f.probs()) {
            *b = b.max(p);
        }
        cue = cue.max(f.cue());
    }
    Ok(MessageFeatures::new(best, cue))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_split_into_clauses_and_short_ones_do_not() {
        assert!(split_clauses("how old are you").is_empty());
        assert_eq!(
            split_clauses("nice game today! you are really good for your age, add me on the other app"),
            vec!["nice game today!", "you are really good for your age,", "add me on the other app"]
        );
        // Tiny pieces merge into their neighbour; conjunctions start a clause.
        assert_eq!(
            split_clauses("ok. i finished the homework but the last part was really hard"),
            vec!["ok. i finished the homework", "but the last part was really hard"]
        );
        assert_eq!(
            split_clauses("aku udah sampe rumah tapi jangan bilang siapa siapa ya"),
            vec!["aku udah sampe rumah", "tapi jangan bilang siapa siapa ya"]
        );
        // One sentence without boundaries stays whole.
        assert!(split_clauses("we went to the beach with the whole family last sunday").is_empty());
    }

    #[test]
    fn runs_of_one_sender_merge_and_keep_labels_and_onset() {
        use crate::dataset::{Label, LabelledMessage};
        use crate::event::Stage;
        let msg = |s: &str, t: &str| LabelledMessage {
            sender_id: s.into(),
            sent_at: "2026-03-01T10:00:00Z".into(),
            text: t.into(),
            sender_age_band: None,
        };
        let conv = LabelledConversation {
            conversation_id: "c".into(),
            language: Language::En,
            label: Label::Grooming,
            onset: Some(2),
            suspect: Some("g".into()),
            stages: vec![Stage::Secrecy, Stage::PlatformMove],
            hard_negative: false,
            messages: vec![msg("g", "hi"), msg("k", "hey"), msg("g", "dont tell anyone"), msg("g", "add me elsewhere")],
            family: None,
            message_stages: Some(vec![vec![], vec![], vec![Stage::Secrecy], vec![Stage::PlatformMove]]),
            message_groups: None,
        };
        let m = merge_runs(&conv);
        assert_eq!(m.messages.len(), 3);
        assert_eq!(m.messages[2].text, "dont tell anyone. add me elsewhere");
        assert_eq!(m.onset, Some(2));
        assert_eq!(m.message_stages.as_ref().unwrap()[2], vec![Stage::Secrecy, Stage::PlatformMove]);
        m.validate().unwrap();
    }
}
