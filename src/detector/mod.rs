//! The grooming-risk detector: per-message stage signals and per-conversation risk.
//!
//! Two small trained heads sit on top of the frozen sentence encoder:
//!
//! 1. the **stage head** reads a message's embedding, its similarity to the exemplar banks
//!    ([`exemplars`]) and, when the heads have one, its words and word pairs ([`lexical`]), and
//!    gives an independent probability per grooming stage (multi-label), and
//!    one more, the grooming cue: whether the message reads like the suspect's move in a
//!    grooming conversation (trained on conversation labels; see [`crate::features`]);
//! 2. the **conversation head** reads, for each participant of a window, features computed from
//!    those per-message probabilities only ([`features`]) and gives a logit that the participant is
//!    grooming another; a Platt scale fitted on out-of-fold training scores turns it into `risk`.
//!
//! Only those ten probabilities are kept per message, so re-scoring a window never re-encodes text.
//! Artifacts live in `models/heads/<encoder id>/` and are produced by [`crate::train::train`]; this
//! module only runs them.

pub mod exemplars;
pub mod features;
pub mod lexical;
pub mod mlp;

#[cfg(test)]
mod real_tests;

use crate::event::{Stage, NUM_STAGES};
use crate::model::{Encoder, ModelError};
use crate::window::ConversationWindow;
use exemplars::{EncodedBanks, ExemplarBanks, NUM_SIGNALS};
use features::{sender_features, sender_indices, MsgView, CONV_FEATURE_NAMES, NUM_CONV_FEATURES};
use mlp::{sigmoid, Mlp, SplitHead};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Version of the heads' on-disk format and feature layout; bump when either changes.
/// 2: context features of the conversation head (reciprocity, stage-mass share, answers in kind).
/// 3: the stage head's tenth output, the grooming cue, and the conversation head's cue features.
pub const HEADS_FORMAT: u32 = 3;
/// Outputs of the stage head: one probability per stage, then the grooming cue.
pub const STAGE_OUTPUTS: usize = NUM_STAGES + 1;
/// Product version prefix of [`Detector::version`].
pub const DETECTOR_VERSION: &str = "jaga-0.1";
/// Stage probability a message needs to be cited as evidence.
pub const EVIDENCE_MIN: f32 = 0.3;
/// Most evidence messages per score.
pub const MAX_EVIDENCE: usize = 5;

/// Per-message features live in [`crate::features`] so the window store does not depend on the
/// detector; re-exported here where the detector's callers have always found them.
pub use crate::features::MessageFeatures;

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

/// Errors loading, running or training the detector.
#[derive(Debug, thiserror::Error)]
pub enum DetectorError {
    #[error("I/O on {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("exemplar bank {file}: {message}")]
    Exemplars { file: String, message: String },
    #[error("no trained heads for encoder `{encoder_id}` in {dir} (run `jaga train` for this encoder)")]
    HeadsMissing { encoder_id: String, dir: String },
    #[error("heads were trained for encoder `{found}`, but the loaded encoder is `{expected}`")]
    EncoderMismatch { expected: String, found: String },
    #[error("heads do not match this build's feature layout: {0} (retrain with `jaga train`)")]
    LayoutMismatch(String),
    #[error("heads are corrupt: {0}")]
    Corrupt(String),
    #[error("encoder: {0}")]
    Model(#[from] ModelError),
}

/// `meta.json` next to the heads: what they were trained for and how well they did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadsMeta {
    pub format: u32,
    pub encoder_id: String,
    pub embedding_dim: usize,
    /// Stage head input, in order: `embedding[dim]`, one exemplar signal per stage, `benign_top_k`,
    /// then `lexical[n]` when the head has a lexical channel.
    pub stage_input: Vec<String>,
    /// Buckets of the stage head's lexical channel ([`lexical`]); 0 (and absent from older
    /// `meta.json` files): none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lexical_buckets: usize,
    pub stage_output: Vec<String>,
    pub conv_features: Vec<String>,
    pub platt_a: f32,
    pub platt_b: f32,
    pub seed: u64,
    /// sha256 over the training conversations as read.
    pub data_hash: String,
    pub train_conversations: usize,
    pub holdout_families: Vec<String>,
    /// Held-out metrics at training time (see [`crate::train::TrainReport`]).
    pub metrics: serde_json::Value,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Directory-safe form of an encoder id (`multilingual-e5-small@q4` → `multilingual-e5-small_q4`).
pub fn sanitise_id(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect()
}

/// Where the heads for `encoder_id` live under a models directory.
pub fn heads_dir(models_dir: &Path, encoder_id: &str) -> PathBuf {
    models_dir.join("heads").join(sanitise_id(encoder_id))
}

/// Stage-head input names for an embedding width and lexical bucket count (the layout recorded
/// in `meta.json`).
pub fn stage_input_layout(dim: usize, lexical_buckets: usize) -> Vec<String> {
    let mut v = vec![format!("embedding[{dim}]")];
    v.extend(Stage::ALL.iter().map(|s| format!("exemplar_signal.{s}")));
    v.push("benign_top_k".into());
    if lexical_buckets > 0 {
        v.push(format!("lexical[{lexical_buckets}]"));
    }
    v
}

/// The detector (exemplar banks + trained heads).
pub struct Detector {
    version: String,
    meta: HeadsMeta,
    banks: EncodedBanks,
    /// Laid out for the live path; the same logits as the `Mlp` it was loaded from.
    stage_head: SplitHead,
    conv_head: Mlp,
}

impl Detector {
    /// Loads the exemplar banks (`models_dir/exemplars`) and the heads trained for this encoder
    /// (`models_dir/heads/<encoder id>`), and encodes the banks once.
    pub fn load(models_dir: &Path, encoder: &dyn Encoder) -> Result<Detector, DetectorError> {
        let id = encoder.info().id.clone();
        let dir = heads_dir(models_dir, &id);
        let read = |name: &str| -> Result<Vec<u8>, DetectorError> {
            let p = dir.join(name);
            std::fs::read(&p).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    DetectorError::HeadsMissing { encoder_id: id.clone(), dir: dir.display().to_string() }
                }
                _ => DetectorError::Io { path: p.display().to_string(), source: e },
            })
        };
        let meta_bytes = read("meta.json")?;
        let stage_bytes = read("stage_head.safetensors")?;
        let conv_bytes = read("conv_head.safetensors")?;
        let banks = ExemplarBanks::load_dir(&models_dir.join("exemplars"))?;
        Self::from_bytes(&meta_bytes, &stage_bytes, &conv_bytes, &banks, encoder)
    }

    /// A detector from the bytes of the three head files and the banks, exactly as [`Detector::load`]
    /// would build it from disk (same checks, same version digest); training uses it to score
    /// heads it has not written yet.
    pub fn from_bytes(
        meta_bytes: &[u8],
        stage_bytes: &[u8],
        conv_bytes: &[u8],
        banks: &ExemplarBanks,
        encoder: &dyn Encoder,
    ) -> Result<Detector, DetectorError> {
        let meta: HeadsMeta =
            serde_json::from_slice(meta_bytes).map_err(|e| DetectorError::Corrupt(format!("meta.json: {e}")))?;
        let mut hasher = Sha256::new();
        for (name, bytes) in [("meta.json", meta_bytes), ("stage_head", stage_bytes), ("conv_head", conv_bytes)]
            .into_iter()
            .chain(banks.files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
        {
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        let digest = hex::encode(hasher.finalize());
        let stage_head = Mlp::from_safetensors(stage_bytes, "stage_head.safetensors")?;
        let conv_head = Mlp::from_safetensors(conv_bytes, "conv_head.safetensors")?;
        let encoded = banks.encode(encoder)?;
        Self::from_parts(meta, encoded, stage_head, conv_head, encoder, &digest[..8])
    }

    /// Assembles a detector, checking that every part fits the encoder and this build's layout.
    fn from_parts(
        meta: HeadsMeta,
        banks: EncodedBanks,
        stage_head: Mlp,
        conv_head: Mlp,
        encoder: &dyn Encoder,
        digest8: &str,
    ) -> Result<Detector, DetectorError> {
        let info = encoder.info();
        if meta.encoder_id != info.id {
            return Err(DetectorError::EncoderMismatch { expected: info.id.clone(), found: meta.encoder_id });
        }
        if meta.format != HEADS_FORMAT {
            return Err(DetectorError::LayoutMismatch(format!("format {} (expected {HEADS_FORMAT})", meta.format)));
        }
        if meta.embedding_dim != info.dim || meta.stage_input != stage_input_layout(info.dim, meta.lexical_buckets) {
            return Err(DetectorError::LayoutMismatch("stage head input".into()));
        }
        if meta.conv_features != CONV_FEATURE_NAMES {
            return Err(DetectorError::LayoutMismatch("conversation features".into()));
        }
        let dense = info.dim + NUM_SIGNALS;
        if stage_head.input != dense + meta.lexical_buckets || stage_head.output != STAGE_OUTPUTS {
            return Err(DetectorError::LayoutMismatch("stage head shape".into()));
        }
        let Some(stage_head) = SplitHead::new(&stage_head, dense) else {
            return Err(DetectorError::LayoutMismatch("the stage head standardises its lexical columns".into()));
        };
        if conv_head.input != NUM_CONV_FEATURES || conv_head.output != 1 {
            return Err(DetectorError::LayoutMismatch("conversation head shape".into()));
        }
        let version = format!("{DETECTOR_VERSION}+{}+{digest8}", info.id);
        Ok(Detector { version, meta, banks, stage_head, conv_head })
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// What the heads were trained for, with their training-time metrics.
    pub fn meta(&self) -> &HeadsMeta {
        &self.meta
    }

    /// Per-message features for a batch of normalised texts and their embeddings (one each).
    /// Panics when the two differ in length (a caller's bug).
    pub fn message_features(&self, texts: &[&str], embeddings: &[Vec<f32>]) -> Vec<MessageFeatures> {
        assert_eq!(texts.len(), embeddings.len(), "message_features needs one embedding per text");
        // All similarities of the batch in one matrix product (see `EncodedBanks::signals_batch`,
        // bit-identical to one `signals` call per embedding).
        let signals = self.banks.signals_batch(embeddings);
        embeddings
            .iter()
            .zip(signals)
            .zip(texts)
            .map(|((e, sig), t)| {
                let lex = lexical::lexical_features(t, self.meta.lexical_buckets);
                probabilities(&self.stage_head.forward(&input_row(e, &sig), &lex))
            })
            .collect()
    }

    /// Scores a conversation window; `None` when the window is empty.
    pub fn score(&self, window: &ConversationWindow) -> Option<ConversationScore> {
        let (index, senders) = sender_indices(window.messages.iter().map(|m| m.sender_id.as_str()));
        let views: Vec<MsgView> = window
            .messages
            .iter()
            .zip(index)
            .map(|(m, sender)| MsgView::new(sender, m.sent_at.timestamp(), m.age_band, m.features))
            .collect();
        self.score_views(&views, &senders)
    }

    /// Scores a window given as message views, oldest first; `senders[v.sender]` names the sender
    /// of view `v`, numbered in order of first appearance in the window. This is what the live
    /// window store calls, without building an owned [`ConversationWindow`].
    pub fn score_views(&self, views: &[MsgView], senders: &[&str]) -> Option<ConversationScore> {
        let (idx, risk) = best_sender(&self.conv_head, self.meta.platt_a, self.meta.platt_b, views, true)?;
        Some(explain(views, idx, risk, senders.get(idx)?.to_string()))
    }
}

/// What the window keeps for one normalised text and its embedding under a stage head with
/// `lexical_buckets` lexical columns: the live path's per-message step
/// ([`Detector::message_features`] runs it batched), also what training feeds the conversation
/// head, so both see exactly the same stored values.
pub fn stage_features(
    banks: &EncodedBanks,
    head: &Mlp,
    lexical_buckets: usize,
    text: &str,
    emb: &[f32],
) -> MessageFeatures {
    features_of(head, &stage_input(banks, emb), &lexical::lexical_features(text, lexical_buckets))
}

/// The dense part of the stage head's input row: embedding ⊕ exemplar signals (the lexical
/// channel, when there is one, follows as sparse columns).
pub fn stage_input(banks: &EncodedBanks, emb: &[f32]) -> Vec<f32> {
    input_row(emb, &banks.signals(emb))
}

fn input_row(emb: &[f32], signals: &[f32; NUM_SIGNALS]) -> Vec<f32> {
    let mut x = Vec::with_capacity(emb.len() + NUM_SIGNALS);
    x.extend_from_slice(emb);
    x.extend_from_slice(signals);
    x
}

/// The stage head's probabilities for one input row (dense part and lexical columns), at the
/// window's stored precision.
fn features_of(head: &Mlp, x: &[f32], lexical: &[(u32, f32)]) -> MessageFeatures {
    probabilities(&head.forward_sparse(x, lexical))
}

/// The stage head's logits as the window stores them.
fn probabilities(logits: &[f32]) -> MessageFeatures {
    MessageFeatures::new(std::array::from_fn(|i| sigmoid(logits[i])), sigmoid(logits[NUM_STAGES]))
}

/// The highest-risk participant of a window and their calibrated risk; ties go to the earlier one.
fn best_sender(conv: &Mlp, a: f32, b: f32, views: &[MsgView], use_age: bool) -> Option<(usize, f32)> {
    let n_senders = views.iter().map(|v| v.sender + 1).max()?;
    let mut best: Option<(usize, f32)> = None;
    for s in 0..n_senders {
        let z = conv.forward(&sender_features(views, s, use_age))[0];
        let risk = sigmoid(a * z + b);
        if best.is_none_or(|(_, r)| risk > r) {
            best = Some((s, risk));
        }
    }
    best
}

/// The suspect's per-stage maxima and their strongest messages.
fn explain(views: &[MsgView], suspect: usize, risk: f32, suspect_id: String) -> ConversationScore {
    let mut stages = [0.0f32; NUM_STAGES];
    let mut evidence = Vec::new();
    for (index, v) in views.iter().enumerate().filter(|(_, v)| v.sender == suspect) {
        for (s, p) in stages.iter_mut().zip(&v.stages) {
            *s = s.max(*p);
        }
        let (stage, score) = crate::features::strongest(&v.stages);
        if score >= EVIDENCE_MIN {
            evidence.push(EvidenceRef { index, stage, score });
        }
    }
    evidence.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.index.cmp(&y.index)));
    evidence.truncate(MAX_EVIDENCE);
    ConversationScore { suspect: suspect_id, risk, stages, evidence }
}

#[cfg(test)]
pub(crate) mod test_encoder {
    //! A tiny deterministic bag-of-words encoder, so detector tests run without model weights.
    use crate::model::{Encoder, EncoderInfo, ModelError, TokenBatch};
    use sha2::{Digest, Sha256};
    use std::sync::Mutex;

    pub struct WordHashEncoder {
        info: EncoderInfo,
        texts: Mutex<Vec<String>>,
    }

    impl WordHashEncoder {
        pub fn new(id: &str) -> Self {
            WordHashEncoder {
                info: EncoderInfo { id: id.into(), dim: 32, similarity_dim: 32 },
                texts: Mutex::new(Vec::new()),
            }
        }
    }

    impl Encoder for WordHashEncoder {
        fn info(&self) -> &EncoderInfo {
            &self.info
        }
        fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError> {
            // Keep the texts aside; ids are indices into them.
            let mut store = self.texts.lock().map_err(|_| ModelError::Tokenizer("poisoned".into()))?;
            let start = store.len() as u32;
            store.extend(texts.iter().map(|t| t.to_string()));
            let ids: Vec<u32> = (0..texts.len() as u32).map(|i| start + i).collect();
            Ok(TokenBatch { mask: vec![1; ids.len()], ids, batch: texts.len(), seq_len: 1 })
        }
        fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
            let store = self.texts.lock().map_err(|_| ModelError::Inference("poisoned".into()))?;
            Ok(batch
                .ids
                .iter()
                .map(|&i| {
                    let mut v = vec![0.0f32; self.info.dim];
                    for w in store[i as usize].split_whitespace() {
                        let h = Sha256::digest(w.as_bytes());
                        v[h[0] as usize % self.info.dim] += 1.0;
                        v[h[1] as usize % self.info.dim] += if h[2] & 1 == 0 { 0.5 } else { -0.5 };
                    }
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                    v.iter().map(|x| x / n).collect()
                })
                .collect())
        }
    }
}
