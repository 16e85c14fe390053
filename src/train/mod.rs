//! Training the detector's two heads (`jaga train`): the only place that fits anything.
//!
//! [`crate::detector`] runs the heads; this module produces them, deterministically for a seed,
//! from labelled conversations (the project's synthetic ones, with per-message stage labels) and
//! real benign chat as background ([`background`]). The sentence encoder is frozen, so each
//! distinct normalised text is encoded once and cached on disk ([`cache`]); a retrain after a
//! change of heads, features or data costs seconds per thousand conversations, not an encoding.
//!
//! ```text
//! labelled ──split by family──▶ training families ─┐            held-out families ──┐
//! background ─fixed split by record number─▶ train ─┤            validation part ───┤
//!                                                   ▼                               │
//!        K cross-fitting folds (families; background by record number;              │
//!        optionally the stage head's templated messages by template)                │
//!   stage member S_k without fold k ─▶ out-of-fold stage probabilities ─▶ conv member C_k
//!   out-of-fold scores: family fold k through the live Engine, with C_k and each    │
//!   message's out-of-fold stage probabilities ─▶ Platt ─▶ profiles                  │
//!   shipped heads = average of the K members (the scale the out-of-fold scores had)   │
//!        write heads + meta, reload ─▶ live Engine on the held-out sets ◀───────────┘
//! ```
//!
//! - **Stage head**: one row per message: labelled messages with their stage labels, every
//!   background message with all-zero targets (a real sentence is almost never a grooming move),
//!   and the exemplar phrases with leave-one-out signals. Optionally
//!   ([`TrainOptions::stage_folds_by_phrasing`]), a message that names its phrasing group
//!   (`message_groups`: the generator's template) is cross-fitted by that group instead of its
//!   family, since the generator's training families share templates: the member that scores it
//!   out of fold then never saw a variant of its phrasing.
//! - **Conversation head**: one row per (prefix, participant) of every training conversation,
//!   background ones as negatives for every participant, target 1 for the suspect from the
//!   labelled onset on. Its inputs are the stage probabilities *out of fold*, i.e. from a stage
//!   member that never saw the message's phrasing (or, without one, its family), and exactly as
//!   the live window stores them (through [`crate::detector::stage_features`]), so it learns from
//!   the imperfect values it will meet.
//! - **Calibration and thresholds** come from out-of-fold scores: each training conversation is
//!   streamed through the live [`Engine`] (same windowing, scoring, policy) with the conversation
//!   member that never saw its family and each message's out-of-fold stage probabilities
//!   ([`Engine::process_features`]; with family folds alone this is exactly the engine built
//!   from that fold's two members), the Platt scale is fitted on their highest eligible logits,
//!   and [`profiles`] chooses each shipped profile's thresholds from the same scores.
//! - **The shipped heads** are the average of the fold members ([`fit::average`], exact: one MLP
//!   whose logit is the members' mean). A head refitted on all the data would score on another
//!   scale than the out-of-fold scores the Platt scale and the thresholds were chosen on; with
//!   two folds that mismatch moved held-out recall by up to 60 points between seeds, the average
//!   keeps it within a few. The heads stay tiny next to the encoder (one forward pass per message
//!   either way).
//! - **Bags**: each fold member is itself the average of `bags` nets fitted on the same rows from
//!   different initialisations and shuffles. The default profile's threshold has to stay above
//!   (all but about one per 1,000 of) the out-of-fold scores of the real benign conversations, and
//!   with one net per fold the highest of them is one net's noisiest score: over seeds 7, 8 and 9
//!   it put the threshold at 0.68, 0.86 and 0.83 and held-out F0.5 at 0.80, 0.58 and 0.65. Three
//!   nets per member gave 0.79, 0.79 and 0.76.
//! - **Measurement**: the final heads are written, reloaded from disk, and the held-out families
//!   (clean and with every message obfuscated) and the background's validation part are streamed
//!   through the live [`Engine`] with the chosen default profile; the figures come from
//!   [`crate::eval`], the same code as `jaga eval`. Nothing is fitted on these sets.

pub mod background;
pub mod cache;
pub mod clauses;
pub mod fit;
pub mod profiles;

#[cfg(test)]
mod tests;

use crate::dataset::{DatasetError, LabelledConversation, Language};
use crate::detector::exemplars::{BankKind, EncodedBanks, ExemplarBanks, NUM_SIGNALS};
use crate::detector::features::{sender_features, sender_indices, MsgView, CONV_FEATURE_NAMES, NUM_CONV_FEATURES};
use crate::detector::mlp::Mlp;
use crate::detector::{
    heads_dir, stage_features, stage_input, stage_input_layout, Detector, DetectorError, HeadsMeta, MessageFeatures,
    HEADS_FORMAT, STAGE_OUTPUTS,
};
use crate::engine::{Engine, EngineOptions};
use crate::eval::{score_conversations, score_with_features, ConvResult, EvalError, EvalReport, DEFAULT_K_HALF};
use crate::event::{Stage, NUM_STAGES};
use crate::message::{parse_timestamp, AgeBand};
use crate::model::{Encoder, ModelError};
use crate::policy::{PolicyError, Profile};
use crate::window::WindowConfig;
use background::{cross_fit_fold, part_of, Part};
use cache::{EmbeddingCache, EnsureStats};
use fit::{average, fit_bagged, fit_platt, MlpTrain, Rows};
use indicatif::ProgressBar;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{0}")]
    Detector(#[from] DetectorError),
    #[error("encoder: {0}")]
    Model(#[from] ModelError),
    #[error("evaluating: {0}")]
    Eval(#[from] EvalError),
    #[error("{0}")]
    Dataset(#[from] DatasetError),
    #[error("threshold profile: {0}")]
    Profile(#[from] PolicyError),
    #[error("I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid training input: {0}")]
    Invalid(String),
    #[error("fitting a head: {0}")]
    Fit(String),
}

impl From<candle_core::Error> for TrainError {
    fn from(e: candle_core::Error) -> Self {
        TrainError::Fit(e.to_string())
    }
}

/// Weight of an exemplar phrase relative to a generated message: the banks are small but varied.
const BANK_ROW_WEIGHT: f32 = 3.0;
/// Mixed into the run's seed for the obfuscated stage-head copies, so they draw apart from the
/// rest of the run.
const OBFUSCATED_COPY_SEED: u64 = 0x0bf5_ca7e;
/// Most a risk can be pushed towards 0 or 1 before its logit is taken (f32 saturates near 1e-7).
const RISK_CLAMP: f32 = 1e-6;

/// What [`train`] needs besides the data.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub seed: u64,
    /// Passes over the training rows for each head.
    pub epochs: usize,
    /// Cross-fitting folds (at least 2): each head is the average of this many members, each
    /// fitted without one fold, which scores that fold out of fold.
    pub folds: usize,
    /// Generator families kept out of both heads and measured on. Empty: the generator's own
    /// held-out families present in the data (`synth::heldout_families`), else a seeded quarter
    /// of the grooming families and a seeded quarter of the benign ones.
    pub holdout_families: Vec<String>,
    /// Models directory to write: `heads/<encoder id>/`, `profiles/` (and `exemplars/` when it is
    /// not already the exemplar directory).
    pub out_dir: PathBuf,
    pub exemplars_dir: PathBuf,
    /// Where to cache embeddings between runs; `None` keeps them in memory only.
    pub cache_dir: Option<PathBuf>,
    /// Stage-head weight of one background message, relative to a labelled message.
    pub background_stage_weight: f32,
    /// Conversation-head weight of one background row, relative to a labelled one (before the
    /// two classes are balanced).
    pub background_conv_weight: f32,
    /// Probability with which a labelled message's stage evidence is hidden in an extra copy of
    /// each labelled conversation the conversation head learns from (0: no copy).
    ///
    /// Why: the out-of-fold stage probabilities the conversation head learns from come from
    /// templates the stage head has seen in other families, so they find most of a groomer's
    /// stages; on phrasings nobody wrote into the generator it finds about half. A head that only
    /// ever saw complete arcs waits for three or four stages that never all show. The copy, in
    /// which each message's stages are lost with this probability, teaches it that a partial
    /// arc is still an arc. Original and copy weigh half each, so the labelled data weighs what
    /// it did against the background. On the shipped data it made the head alert on partial
    /// benign arcs as readily (held-out F0.5 0.752 against 0.831, `models/MODEL_CARD.md`), so it
    /// is off by default.
    pub conv_evidence_dropout: f64,
    /// Share of labelled messages that the stage head also learns from in an obfuscated copy
    /// (leetspeak, look-alike letters, spaced-out words, as `jaga synth --obfuscate-all`),
    /// normalised as the live path does, with the original's labels and fold.
    ///
    /// Why: the normaliser undoes most obfuscation but not all of it, and what it leaves moves the
    /// embedding. A head that never saw such a message scores it lower, and the loss shows up as
    /// recall under obfuscation. See the model card for the values tried.
    pub stage_obfuscated_copies: f64,
    /// Extra weight of each real background message on the stage head's cue output alone, on top
    /// of [`Self::background_stage_weight`].
    ///
    /// Why: the cue learns "the suspect's message in a grooming arc" from synthetic conversations
    /// only, and its false hits are in real chat (without this weight one translated persona
    /// chat's out-of-fold score held the default threshold up). The same extra weight on the
    /// stage outputs as well cut held-out recall to about half (model card), so it goes to the
    /// cue alone.
    pub background_cue_weight: f32,
    /// Also write every training conversation's out-of-fold eligible max risk here (JSON Lines:
    /// id, background, grooming, language, risk): the scores the profiles' thresholds are
    /// chosen on, for whoever wants to try another rule.
    pub out_of_fold_scores: Option<PathBuf>,
    /// Dropout on the stage head's input (embedding and exemplar signals) while it is fitted: the
    /// higher, the less it can lean on the few dimensions that pick out one template.
    pub stage_input_dropout: f64,
    /// Weight of a stage-head positive target (a stage a message expresses) relative to a
    /// negative one.
    pub stage_positive_weight: f32,
    /// Hidden units of the conversation head.
    pub conv_hidden: usize,
    /// Independently initialised nets averaged (exactly, [`fit::average`]) into each fold's member
    /// of both heads: one net's scores move with its initialisation and shuffling enough to move
    /// the thresholds chosen on them; the mean of several moves less.
    pub bags: usize,
    /// Write the re-chosen threshold profiles into `out_dir/profiles/` (the shipped ones would
    /// otherwise keep thresholds chosen for other heads).
    pub write_profiles: bool,
    /// The live windowing the evaluation runs with.
    pub window: WindowConfig,
    /// Seed of the obfuscation of the held-out conversations (see [`obfuscate_conversation`]).
    pub obfuscation_seed: u64,
    /// Also run the clause-scoring experiment ([`clauses`]): encodes the clauses of long
    /// held-out and validation messages separately (minutes), measurement only.
    pub clause_experiment: bool,
    /// Cross-fit the stage head by phrasing: a message with a phrasing group
    /// ([`LabelledConversation::message_groups`], the generator's template) goes to the fold its
    /// group hashes to, so the member that scores it out of fold saw no variant of its template.
    /// Off (the default): every message goes by its conversation's family fold.
    ///
    /// Why: the generator's training families share their templates, so by family alone the
    /// member scoring a message had learnt other variants of the same template from other
    /// families, and the conversation head learns from, and the thresholds are chosen on, stage
    /// probabilities better than unseen phrasings give: out-of-fold recall at the default 0.86
    /// where held-out recall is 0.72 (heads `89e4acb9`); by phrasing 0.77 against 0.78. Why
    /// off: held-out F0.5 rose with it on one data draw (mean of three seeds 0.908 → 0.926, five
    /// bags 0.930) and fell slightly on another (0.867 → 0.863, five bags), with more hard
    /// negatives and real chat closer to the threshold (model card, "Phrasing folds").
    pub stage_folds_by_phrasing: bool,
    /// Buckets of the stage head's lexical channel ([`crate::detector::lexical`]: the message's
    /// words and word pairs, hashed); 0 turns it off.
    ///
    /// Why on: over two data draws and three seeds, held-out F0.5 rose from 0.887 to 0.911 on
    /// average (five runs of six gained, one tied), at the same precision, with real chat further
    /// from the thresholds; scaled up (× 5, × 28) or combined with phrasing folds it did no
    /// better (model card, "Lexical channel").
    pub lexical_buckets: usize,
    /// Progress bars for the evaluation passes.
    pub quiet: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            seed: 7,
            epochs: 12,
            folds: 4,
            holdout_families: Vec::new(),
            out_dir: PathBuf::from("models"),
            exemplars_dir: PathBuf::from("models/exemplars"),
            cache_dir: None,
            background_stage_weight: 0.5,
            background_conv_weight: 1.0,
            conv_evidence_dropout: 0.0,
            stage_obfuscated_copies: 0.5,
            background_cue_weight: 1.5,
            out_of_fold_scores: None,
            stage_input_dropout: 0.2,
            stage_positive_weight: 1.0,
            conv_hidden: 32,
            bags: 3,
            write_profiles: true,
            window: WindowConfig::default(),
            obfuscation_seed: DEFAULT_OBFUSCATION_SEED,
            clause_experiment: false,
            stage_folds_by_phrasing: false,
            lexical_buckets: crate::detector::lexical::DEFAULT_LEXICAL_BUCKETS,
            quiet: true,
        }
    }
}

/// Seed of the held-out obfuscation unless told otherwise (also `jaga synth --obfuscate-all`'s).
pub const DEFAULT_OBFUSCATION_SEED: u64 = 11;

/// How much data went where.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataCounts {
    pub labelled_conversations: usize,
    pub labelled_train: usize,
    pub labelled_holdout: usize,
    pub holdout_families: Vec<String>,
    pub background_train_conversations: usize,
    pub background_train_messages: usize,
    pub background_validation_conversations: usize,
    pub stage_rows: usize,
    pub conv_rows: usize,
}

/// False alerts on real benign chat: conversations long enough to alert, and how many did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FalseAlerts {
    pub conversations: usize,
    pub flagged: usize,
    pub per_1k: Option<f64>,
}

/// What [`train`] did and measured (also written as `report.json` next to the heads).
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// Where the heads went (not in `report.json`, which sits there).
    #[serde(skip)]
    pub heads_dir: PathBuf,
    pub version: String,
    pub seed: u64,
    pub data: DataCounts,
    /// Embeddings: distinct texts, found in the cache, encoded now (not in `report.json`).
    #[serde(skip)]
    pub encoding: EnsureStats,
    pub platt_a: f32,
    pub platt_b: f32,
    /// The chosen thresholds of every shipped profile, on out-of-fold scores.
    pub profiles: Vec<profiles::Choice>,
    /// Held-out families at the chosen default profile (live engine, `jaga eval` metrics).
    pub holdout: Option<EvalReport>,
    /// The same conversations with every message obfuscated.
    pub holdout_obfuscated: Option<EvalReport>,
    /// Recall clean minus recall obfuscated, in points (positive = obfuscation costs recall).
    pub obfuscation_recall_drop_points: Option<f64>,
    /// Per held-out family: (conversations, flagged).
    pub holdout_by_family: BTreeMap<String, (usize, usize)>,
    /// Per stage, on held-out labelled messages: (precision, recall) of probability ≥ 0.5.
    pub holdout_stage_precision_recall: BTreeMap<String, PrecisionRecall>,
    /// The background's validation part at the chosen default profile, by language.
    pub background_validation: BTreeMap<Language, FalseAlerts>,
    /// The same out of fold on the training part (what the thresholds were chosen on).
    pub background_train_out_of_fold: BTreeMap<Language, FalseAlerts>,
    /// The highest-risk background conversations (id, eligible max risk), validation part and
    /// out of fold: how close real chat comes to the alert threshold.
    pub background_validation_top: Vec<(String, f32)>,
    pub background_train_out_of_fold_top: Vec<(String, f32)>,
    /// The riskiest real benign training conversation below the default's `alert`, out of fold,
    /// and what the default's rule chooses without it.
    pub default_alert_nearest_background: Option<profiles::NearestBackground>,
    /// Per training family, out of fold at the chosen default profile: (conversations, flagged).
    pub train_out_of_fold_by_family: BTreeMap<String, (usize, usize)>,
    pub clause_experiment: Option<clauses::ClauseReport>,
}

/// Precision and recall (`None` when undefined).
pub type PrecisionRecall = (Option<f64>, Option<f64>);

/// One conversation the heads learn from, wherever it came from.
struct Unit<'a> {
    conv: &'a LabelledConversation,
    /// Normalised texts, one per message.
    texts: Vec<String>,
    fold: usize,
    /// Stage-head fold of each message: its phrasing group's (see
    /// [`TrainOptions::stage_folds_by_phrasing`]) or else `fold`.
    stage_folds: Vec<usize>,
    background: bool,
}

/// Trains both heads, fits the calibration, chooses the profiles, writes the artifacts and
/// measures the result (see the module docs).
pub fn train(
    labelled: &[LabelledConversation],
    background: &[LabelledConversation],
    encoder: &dyn Encoder,
    opts: &TrainOptions,
) -> Result<TrainReport, TrainError> {
    if labelled.is_empty() {
        return Err(TrainError::Invalid("no labelled training conversations".into()));
    }
    for (name, p) in [
        ("conversation-head evidence dropout", opts.conv_evidence_dropout),
        ("stage-head input dropout", opts.stage_input_dropout),
        ("share of obfuscated stage-head copies", opts.stage_obfuscated_copies),
    ] {
        if !(0.0..1.0).contains(&p) {
            return Err(TrainError::Invalid(format!("{name} must be in [0, 1), got {p}")));
        }
    }
    if !(opts.stage_positive_weight.is_finite() && opts.stage_positive_weight > 0.0) {
        return Err(TrainError::Invalid(format!(
            "the stage-head positive weight must be a positive number, got {}",
            opts.stage_positive_weight
        )));
    }
    for (name, w) in [
        ("background stage weight", opts.background_stage_weight),
        ("background conversation weight", opts.background_conv_weight),
        ("background cue weight", opts.background_cue_weight),
    ] {
        if !(w.is_finite() && w >= 0.0) {
            return Err(TrainError::Invalid(format!("the {name} must be a number ≥ 0, got {w}")));
        }
    }
    if opts.bags == 0 {
        return Err(TrainError::Invalid("each fold member needs at least one bag".into()));
    }
    if opts.conv_hidden == 0 {
        return Err(TrainError::Invalid("the conversation head needs at least one hidden unit".into()));
    }
    for c in labelled.iter().chain(background) {
        c.validate().map_err(|m| TrainError::Invalid(format!("{}: {m}", c.conversation_id)))?;
    }
    if let Some(c) = background.iter().find(|c| c.is_grooming()) {
        return Err(TrainError::Invalid(format!("background conversation {} is labelled grooming", c.conversation_id)));
    }
    let info = encoder.info().clone();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let profiles_dir = opts.out_dir.join("profiles");
    let bases: Vec<Profile> =
        profiles::RULES.iter().map(|r| Profile::load(r.name, &profiles_dir)).collect::<Result<_, _>>()?;

    // 1. Splits: labelled by family, background by record number (fixed).
    let families: Vec<String> = labelled.iter().map(family_of).collect();
    let generator_holdout: BTreeSet<String> = crate::dataset::synth::heldout_families()
        .into_iter()
        .filter(|f| families.iter().any(|g| g == f))
        .map(String::from)
        .collect();
    let holdout: BTreeSet<String> = if opts.holdout_families.is_empty() && !generator_holdout.is_empty() {
        // The generator's own held-out families: they draw on template pools no other family
        // uses, so what they measure is generalisation to unseen phrasings, not recall of
        // templates seen in training.
        generator_holdout
    } else if opts.holdout_families.is_empty() {
        // Data from elsewhere: a quarter of the grooming families and a quarter of the benign ones, so both labels
        // are measured; at least one of each while another is left to train on.
        let mut out = BTreeSet::new();
        for grooming in [true, false] {
            let mut fams: Vec<String> = labelled
                .iter()
                .zip(&families)
                .filter(|(c, _)| c.is_grooming() == grooming)
                .map(|(_, f)| f.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            fams.shuffle(&mut rng);
            let n = (fams.len() / 4).max(1).min(fams.len().saturating_sub(1));
            out.extend(fams.into_iter().take(n));
        }
        out
    } else {
        let known: BTreeSet<&String> = families.iter().collect();
        if let Some(f) = opts.holdout_families.iter().find(|f| !known.contains(f)) {
            return Err(TrainError::Invalid(format!("held-out family {f:?} does not occur in the labelled data")));
        }
        opts.holdout_families.iter().cloned().collect()
    };
    let train_l: Vec<usize> = (0..labelled.len()).filter(|&i| !holdout.contains(&families[i])).collect();
    let hold_l: Vec<usize> = (0..labelled.len()).filter(|&i| holdout.contains(&families[i])).collect();
    if train_l.is_empty() {
        return Err(TrainError::Invalid("every labelled conversation is in a held-out family".into()));
    }
    let train_b: Vec<&LabelledConversation> =
        background.iter().filter(|c| part_of(&c.conversation_id) == Part::Train).collect();
    let val_b: Vec<&LabelledConversation> =
        background.iter().filter(|c| part_of(&c.conversation_id) == Part::Validation).collect();

    // 2. Cross-fitting folds: families take turns within each label, so every fold sees both
    //    labels; background records go by their number, so pairs stay together.
    let k_folds = opts.folds.max(2);
    let fam_fold = family_folds(labelled, &families, &train_l, k_folds);
    let norm = |c: &LabelledConversation| -> Vec<String> {
        c.messages.iter().map(|m| crate::normalize::normalize(&m.text)).collect()
    };
    let mut units: Vec<Unit> = train_l
        .iter()
        .map(|&i| {
            let c = &labelled[i];
            let fold = fam_fold[families[i].as_str()];
            Unit {
                conv: c,
                texts: norm(c),
                fold,
                stage_folds: stage_folds(c, fold, k_folds, opts.stage_folds_by_phrasing),
                background: false,
            }
        })
        .collect();
    units.extend(train_b.iter().map(|c| {
        let fold = cross_fit_fold(&c.conversation_id, k_folds);
        Unit { conv: c, texts: norm(c), fold, stage_folds: vec![fold; c.messages.len()], background: true }
    }));
    let holdout_convs: Vec<LabelledConversation> = hold_l.iter().map(|&i| labelled[i].clone()).collect();
    let obfuscated: Vec<LabelledConversation> = hold_l
        .iter()
        .map(|&i| {
            let mut c = labelled[i].clone();
            obfuscate_conversation(&mut c, opts.obfuscation_seed, i as u64);
            c
        })
        .collect();
    let validation: Vec<LabelledConversation> = val_b.iter().map(|c| (*c).clone()).collect();

    // 3. Encode every distinct normalised text once: training units, measured sets, bank phrases.
    let banks = ExemplarBanks::load_dir(&opts.exemplars_dir)?;
    let bank_texts: Vec<String> =
        banks.stages.iter().flatten().chain(&banks.benign).map(|p| crate::normalize::normalize(p)).collect();
    // Obfuscated copies of labelled messages for the stage head: same labels, same fold (see
    // `TrainOptions::stage_obfuscated_copies`). Their own seed, so turning them on or off leaves
    // every other draw of the run as it was.
    let p_copy = opts.stage_obfuscated_copies;
    let mut copy_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ OBFUSCATED_COPY_SEED);
    let obfuscated_copies: Vec<Vec<(usize, String)>> = units
        .iter()
        .map(|u| {
            if u.background || u.conv.message_stages.is_none() || p_copy <= 0.0 {
                return Vec::new();
            }
            let mut out = Vec::new();
            for (i, (m, t)) in u.conv.messages.iter().zip(&u.texts).enumerate() {
                if copy_rng.random_bool(p_copy) {
                    let o = crate::normalize::normalize(&crate::dataset::synth::obfuscate(&m.text, &mut copy_rng));
                    // A copy the normaliser fully undoes would only double the original.
                    if &o != t {
                        out.push((i, o));
                    }
                }
            }
            out
        })
        .collect();
    let measured_texts: Vec<String> =
        holdout_convs.iter().chain(&obfuscated).chain(&validation).flat_map(norm).collect();
    let mut cache = EmbeddingCache::open(opts.cache_dir.as_deref(), &info)?;
    let encoding = cache.ensure(
        encoder,
        units
            .iter()
            .flat_map(|u| u.texts.iter())
            .chain(obfuscated_copies.iter().flatten().map(|(_, t)| t))
            .chain(&measured_texts)
            .chain(&bank_texts)
            .map(String::as_str),
    )?;
    tracing::info!(distinct = encoding.distinct, encoded = encoding.encoded, "embeddings ready");
    let cached = cache.encoder();
    let encoded_banks = banks.encode(&cached)?;

    // 4. Stage head: one member per fold; the shipped head is their average (see fit::average).
    let emb =
        |t: &str| cache.get(t).ok_or_else(|| TrainError::Invalid("an embedding is missing from the cache".into()));
    let lexical = |t: &str| crate::detector::lexical::lexical_features(t, opts.lexical_buckets);
    let mut stage_rows = Rows::with_sparse(info.dim + NUM_SIGNALS, opts.lexical_buckets, STAGE_OUTPUTS);
    let mut fold_stage_rows: Vec<Vec<usize>> = vec![Vec::new(); k_folds];
    let mut background_messages = 0;
    for (u, copies) in units.iter().zip(&obfuscated_copies) {
        let labels: Vec<[f32; STAGE_OUTPUTS]> = match (&u.conv.message_stages, u.background) {
            (_, true) => vec![[0.0; STAGE_OUTPUTS]; u.texts.len()],
            (Some(ms), false) => ms
                .iter()
                .enumerate()
                .map(|(m, l)| {
                    std::array::from_fn(|i| match Stage::ALL.get(i) {
                        Some(stage) => f32::from(u8::from(l.contains(stage))),
                        None => f32::from(u8::from(is_cue(u.conv, m))),
                    })
                })
                .collect(),
            // Labelled conversations without per-message labels only feed the conversation head.
            (None, false) => continue,
        };
        let w = if u.background { opts.background_stage_weight } else { 1.0 };
        background_messages += if u.background { u.texts.len() } else { 0 };
        // Each message's input once: real chat is pushed twice (its exemplar signals are the
        // costly part of an input).
        let inputs: Vec<(Vec<f32>, crate::detector::lexical::LexicalFeatures)> = u
            .texts
            .iter()
            .map(|t| Ok((stage_input(&encoded_banks, emb(t)?), lexical(t))))
            .collect::<Result<_, TrainError>>()?;
        for (((x, lex), y), &f) in inputs.iter().zip(&labels).zip(&u.stage_folds) {
            fold_stage_rows[f].push(stage_rows.push_sparse(x, lex, y, w));
        }
        // Real chat once more for the cue alone (see `TrainOptions::background_cue_weight`).
        if u.background && opts.background_cue_weight > 0.0 {
            let mut y = [fit::NO_TARGET; STAGE_OUTPUTS];
            y[NUM_STAGES] = 0.0;
            for (x, lex) in &inputs {
                fold_stage_rows[u.fold].push(stage_rows.push_sparse(x, lex, &y, opts.background_cue_weight));
            }
        }
        for (i, t) in copies {
            let r = stage_rows.push_sparse(&stage_input(&encoded_banks, emb(t)?), &lexical(t), &labels[*i], w);
            fold_stage_rows[u.stage_folds[*i]].push(r);
        }
    }
    let bank_rows = push_bank_rows(&mut stage_rows, &banks, &encoded_banks, opts.lexical_buckets);
    if fold_stage_rows.iter().all(Vec::is_empty) {
        return Err(TrainError::Invalid("no labelled conversation carries per-message stage labels".into()));
    }
    let stage_cfg = MlpTrain {
        hidden: 64,
        epochs: opts.epochs,
        lr: 2e-3,
        weight_decay: 1e-2,
        batch: 128,
        in_dropout: opts.stage_input_dropout,
        hid_dropout: 0.2,
        pos_weight: opts.stage_positive_weight,
    };
    let mut stage_fold: Vec<Mlp> = Vec::with_capacity(k_folds);
    for k in 0..k_folds {
        let mut rows = all_but(&fold_stage_rows, k);
        rows.extend(bank_rows.iter().copied());
        stage_fold.push(fit_bagged(&stage_rows, &rows, &stage_cfg, opts.bags, &mut rng)?);
    }
    let stage_head = average(&stage_fold)?;
    let n_stage_rows = stage_rows.len();
    drop(stage_rows);

    // 5. Out-of-fold stage probabilities, as the live window stores them: each message from the
    //    member that did not learn its fold.
    let oof: Vec<Vec<MessageFeatures>> = units
        .iter()
        .map(|u| {
            u.texts
                .iter()
                .zip(&u.stage_folds)
                .map(|(t, &f)| Ok(stage_features(&encoded_banks, &stage_fold[f], opts.lexical_buckets, t, emb(t)?)))
                .collect()
        })
        .collect::<Result<_, TrainError>>()?;

    // 6. Conversation head on every (prefix, participant); age bands hidden at random.
    let mut conv_rows = Rows::new(NUM_CONV_FEATURES, 1);
    let mut fold_conv_rows: Vec<Vec<usize>> = vec![Vec::new(); k_folds];
    for (u, stages) in units.iter().zip(&oof) {
        let use_age = rng.random_bool(0.5);
        let augment = !u.background && opts.conv_evidence_dropout > 0.0;
        let w = match (u.background, augment) {
            (true, _) => opts.background_conv_weight,
            (false, true) => 0.5,
            (false, false) => 1.0,
        };
        for (x, y) in prefix_rows(u.conv, stages, use_age, opts.window.max_messages) {
            fold_conv_rows[u.fold].push(conv_rows.push(&x, &[y], w));
        }
        if augment {
            let partial: Vec<MessageFeatures> = stages
                .iter()
                .map(|p| if rng.random_bool(opts.conv_evidence_dropout) { MessageFeatures::default() } else { *p })
                .collect();
            for (x, y) in prefix_rows(u.conv, &partial, use_age, opts.window.max_messages) {
                fold_conv_rows[u.fold].push(conv_rows.push(&x, &[y], w));
            }
        }
    }
    balance_classes(&mut conv_rows);
    let conv_cfg = MlpTrain {
        hidden: opts.conv_hidden,
        epochs: opts.epochs,
        lr: 2e-3,
        weight_decay: 1e-2,
        batch: 256,
        in_dropout: 0.1,
        hid_dropout: 0.1,
        pos_weight: 1.0,
    };
    let mut conv_fold: Vec<Mlp> = Vec::with_capacity(k_folds);
    for k in 0..k_folds {
        conv_fold.push(fit_bagged(&conv_rows, &all_but(&fold_conv_rows, k), &conv_cfg, opts.bags, &mut rng)?);
    }
    let conv_head = average(&conv_fold)?;
    let n_conv_rows = conv_rows.len();
    drop(conv_rows);

    // 7. Out-of-fold scores through the live engine: the members that never saw fold k score its
    //    conversations. First uncalibrated, for the Platt scale, then calibrated, for the profiles.
    let layout = MetaLayout {
        info: &info,
        seed: opts.seed,
        holdout: &holdout,
        train_conversations: units.len(),
        lexical_buckets: opts.lexical_buckets,
    };
    let default_base = &bases[0];
    let min_messages = default_base.min_messages as usize;
    //    The stage probabilities are the out-of-fold ones above (step 5), streamed through the
    //    engine in place of its own (`Engine::process_features`); the conversation member is the
    //    one that never saw the conversation's family.
    let oof_pass = |a: f32, b: f32| -> Result<Vec<ConvResult>, TrainError> {
        let mut out = Vec::new();
        for j in 0..k_folds {
            let meta = layout.meta(a, b, serde_json::Value::Null);
            let det = detector_from(&meta, &stage_fold[j], &conv_fold[j], &banks, &cached)?;
            let mut engine = engine_for(det, &cache, default_base, &opts.window);
            let fold: Vec<usize> = (0..units.len())
                .filter(|&i| units[i].fold == j && units[i].conv.messages.len() >= min_messages)
                .collect();
            let bar = progress(fold.len(), opts.quiet, "out of fold");
            for i in fold {
                out.push(score_with_features(&mut engine, units[i].conv, oof[i].clone())?);
                bar.inc(1);
            }
            bar.finish_and_clear();
        }
        Ok(out)
    };
    let raw = oof_pass(1.0, 0.0)?;
    let (zs, ys): (Vec<f32>, Vec<bool>) =
        raw.iter().filter_map(|r| r.max_risk_from(min_messages - 1).map(|risk| (logit(risk), r.is_grooming()))).unzip();
    let (platt_a, platt_b) = if zs.is_empty() { (1.0, 0.0) } else { fit_platt(&zs, &ys, &vec![1.0; zs.len()]) };
    let oof_results = oof_pass(platt_a, platt_b)?;
    let background_ids: BTreeSet<&str> = train_b.iter().map(|c| c.conversation_id.as_str()).collect();
    let (oof_bg, oof_syn): (Vec<ConvResult>, Vec<ConvResult>) =
        oof_results.into_iter().partition(|r| background_ids.contains(r.id.as_str()));
    if let Some(path) = &opts.out_of_fold_scores {
        write_out_of_fold(path, &oof_syn, &oof_bg, min_messages)?;
    }
    let choices = profiles::choose_all(&bases, &oof_syn, &oof_bg);
    let nearest = profiles::nearest_background(&choices[0], &bases[0], &oof_syn, &oof_bg, None, None);
    let by_id: HashMap<&str, &str> =
        train_l.iter().map(|&i| (labelled[i].conversation_id.as_str(), families[i].as_str())).collect();

    // 8. Artifacts: heads and meta, then reload them from disk like `jaga run` would.
    let meta_info = serde_json::json!({
        "calibration": "Platt scale on out-of-fold eligible max logits of the training conversations",
        "profiles": &choices,
    });
    let mut meta = layout.meta(platt_a, platt_b, meta_info);
    meta.data_hash = data_hash(labelled, background)?;
    let dir = heads_dir(&opts.out_dir, &info.id);
    write_file(&dir.join("stage_head.safetensors"), &stage_head.to_safetensors()?)?;
    write_file(&dir.join("conv_head.safetensors"), &conv_head.to_safetensors()?)?;
    write_file(&dir.join("meta.json"), &to_json(&meta)?)?;
    let out_ex = opts.out_dir.join("exemplars");
    if !same_dir(&out_ex, &opts.exemplars_dir) {
        for (name, bytes) in &banks.files {
            write_file(&out_ex.join(name), bytes)?;
        }
    }
    let det = Detector::load(&opts.out_dir, &cached)?;
    let version = det.version().to_string();
    let created = creation_time();
    let chosen: Vec<Profile> =
        bases.iter().zip(&choices).map(|(b, c)| profiles::apply(b, c, &version, &meta.data_hash, &created)).collect();
    for p in &chosen {
        p.validate()?;
    }
    if opts.write_profiles {
        for (p, base) in chosen.iter().zip(&bases) {
            if p != base {
                write_file(&profiles_dir.join(format!("{}.toml", p.name)), p.to_toml_string().as_bytes())?;
            }
        }
    } else {
        tracing::warn!("profiles not written: the shipped thresholds were chosen for other heads");
    }
    let default_profile = &chosen[0];

    // 9. Measurement on what no head and no threshold saw.
    let stage_pr = stage_precision_recall(&det, &holdout_convs, &cache)?;
    let mut engine = engine_for(det, &cache, default_profile, &opts.window);
    let eval = |engine: &mut Engine, convs: &[LabelledConversation], what: &str| -> Result<_, TrainError> {
        let results = score_conversations(engine, convs, &progress(convs.len(), opts.quiet, what))?;
        let report = (!results.is_empty())
            .then(|| EvalReport::compute(&results, default_profile, &version, DEFAULT_K_HALF))
            .transpose()?;
        Ok((results, report))
    };
    let (hold_results, holdout_report) = eval(&mut engine, &holdout_convs, "held out")?;
    let (_, obf_report) = eval(&mut engine, &obfuscated, "obfuscated")?;
    let (val_results, _) = eval(&mut engine, &validation, "validation")?;
    let holdout_by_family =
        by_family(hold_results.iter().zip(&hold_l).map(|(r, &i)| (families[i].as_str(), r.flagged())));
    let recall_drop = match (&holdout_report, &obf_report) {
        (Some(c), Some(o)) => c.overall.recall.zip(o.overall.recall).map(|(c, o)| 100.0 * (c - o)),
        _ => None,
    };
    // The engine and the cached encoder share the cache's map; let go of them so the experiment
    // can add its clause embeddings without copying it.
    drop(engine);
    drop(cached);
    let clause_experiment = if opts.clause_experiment {
        let exp = clauses::Experiment { profile: default_profile, window: &opts.window };
        Some(exp.run(&opts.out_dir, encoder, &mut cache, &holdout_convs, &validation)?)
    } else {
        None
    };
    let report = TrainReport {
        heads_dir: dir.clone(),
        version,
        seed: opts.seed,
        data: DataCounts {
            labelled_conversations: labelled.len(),
            labelled_train: train_l.len(),
            labelled_holdout: hold_l.len(),
            holdout_families: holdout.iter().cloned().collect(),
            background_train_conversations: train_b.len(),
            background_train_messages: background_messages,
            background_validation_conversations: val_b.len(),
            stage_rows: n_stage_rows,
            conv_rows: n_conv_rows,
        },
        encoding,
        platt_a,
        platt_b,
        profiles: choices,
        holdout: holdout_report,
        holdout_obfuscated: obf_report,
        obfuscation_recall_drop_points: recall_drop,
        holdout_by_family,
        holdout_stage_precision_recall: stage_pr,
        background_validation: false_alerts(&val_results, min_messages),
        background_train_out_of_fold: predicted_false_alerts(&oof_bg, default_profile),
        background_validation_top: top_risks(&val_results, min_messages),
        background_train_out_of_fold_top: top_risks(&oof_bg, min_messages),
        default_alert_nearest_background: nearest,
        train_out_of_fold_by_family: oof_by_family(&oof_syn, &by_id, default_profile),
        clause_experiment,
    };
    write_file(&dir.join("report.json"), &to_json(&report)?)?;
    Ok(report)
}

/// The parts of `meta.json` that do not depend on the fitted numbers.
struct MetaLayout<'a> {
    info: &'a crate::model::EncoderInfo,
    seed: u64,
    holdout: &'a BTreeSet<String>,
    train_conversations: usize,
    lexical_buckets: usize,
}

impl MetaLayout<'_> {
    fn meta(&self, platt_a: f32, platt_b: f32, metrics: serde_json::Value) -> HeadsMeta {
        HeadsMeta {
            format: HEADS_FORMAT,
            encoder_id: self.info.id.clone(),
            embedding_dim: self.info.dim,
            stage_input: stage_input_layout(self.info.dim, self.lexical_buckets),
            lexical_buckets: self.lexical_buckets,
            stage_output: Stage::ALL.iter().map(|s| s.as_str()).chain(["cue"]).map(String::from).collect(),
            conv_features: CONV_FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
            platt_a,
            platt_b,
            seed: self.seed,
            data_hash: String::new(),
            train_conversations: self.train_conversations,
            holdout_families: self.holdout.iter().cloned().collect(),
            metrics,
        }
    }
}

/// A detector from heads in memory, through the same checks as loading them from disk.
fn detector_from(
    meta: &HeadsMeta,
    stage: &Mlp,
    conv: &Mlp,
    banks: &ExemplarBanks,
    encoder: &dyn Encoder,
) -> Result<Detector, TrainError> {
    Ok(Detector::from_bytes(&to_json(meta)?, &stage.to_safetensors()?, &conv.to_safetensors()?, banks, encoder)?)
}

/// The live engine over cached embeddings.
fn engine_for(det: Detector, cache: &EmbeddingCache, profile: &Profile, window: &WindowConfig) -> Engine {
    let opts = EngineOptions { window: window.clone(), ..EngineOptions::default() };
    Engine::new(Box::new(cache.encoder()), det, profile.clone(), opts)
}

fn progress(len: usize, quiet: bool, what: &str) -> ProgressBar {
    crate::eval::progress_bar(len as u64, quiet, what)
}

/// Whether message `m` of `conv` is a grooming cue: the suspect's, from the labelled onset on, in
/// a grooming conversation. Small talk of the suspect after the onset counts too; the cue learns
/// what the suspect's messages read like, not which stage they express.
fn is_cue(conv: &LabelledConversation, m: usize) -> bool {
    conv.is_grooming()
        && conv.onset.is_some_and(|o| m >= o)
        && conv.suspect.as_deref().is_some_and(|s| conv.messages.get(m).is_some_and(|x| x.sender_id == s))
}

/// One line per training conversation: its out-of-fold eligible max risk (what
/// [`profiles::choose_all`] cuts), and what it is.
fn write_out_of_fold(
    path: &Path,
    synthetic: &[ConvResult],
    background: &[ConvResult],
    min_messages: usize,
) -> Result<(), TrainError> {
    let mut out = String::new();
    for (results, is_background) in [(synthetic, false), (background, true)] {
        for r in results {
            let line = serde_json::json!({
                "id": r.id,
                "background": is_background,
                "grooming": r.is_grooming(),
                "language": r.language.as_str(),
                "risk": r.max_risk_from(min_messages.saturating_sub(1)),
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    write_file(path, out.as_bytes())
}

fn logit(risk: f32) -> f32 {
    let r = risk.clamp(RISK_CLAMP, 1.0 - RISK_CLAMP);
    (r / (1.0 - r)).ln()
}

/// The exemplar phrases as stage-head rows, each once with all its labels (a multi-label row
/// sits in several banks), with leave-one-out signals so a phrase does not find itself; returns
/// their row indices.
fn push_bank_rows(rows: &mut Rows, banks: &ExemplarBanks, encoded: &EncodedBanks, lexical: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for (r, row) in banks.rows.iter().enumerate() {
        let Some(slot @ (kind, i)) = banks.first_slot(r) else { continue };
        let emb = match kind {
            BankKind::Stage(s) => &encoded.stages[s.index()][i],
            BankKind::Benign => &encoded.benign[i],
        };
        let mut x = emb.clone();
        x.extend(encoded.signals_without(emb, Some(slot)));
        // A phrase has no conversation, so it teaches the stages only: its cue target is missing.
        let y: [f32; STAGE_OUTPUTS] = std::array::from_fn(|t| match Stage::ALL.get(t) {
            Some(stage) => f32::from(u8::from(row.stages.contains(stage))),
            None => fit::NO_TARGET,
        });
        let lex = crate::detector::lexical::lexical_features(&crate::normalize::normalize(&row.text), lexical);
        out.push(rows.push_sparse(&x, &lex, &y, BANK_ROW_WEIGHT));
    }
    out
}

fn family_of(c: &LabelledConversation) -> String {
    c.family.clone().unwrap_or_else(|| format!("bucket-{}", fold_hash(&c.conversation_id) % 8))
}

/// A 16-bit seed-free hash of `s` (the low two bytes of [`background::sha256_u64`]).
fn fold_hash(s: &str) -> usize {
    (background::sha256_u64(s.as_bytes()) & 0xffff) as usize
}

/// Rows of every fold but `k`; all rows when that leaves none (a single family, a tiny set), so
/// the member is then fitted in-sample rather than on nothing.
fn all_but(folds: &[Vec<usize>], k: usize) -> Vec<usize> {
    let rows: Vec<usize> =
        folds.iter().enumerate().filter(|(j, _)| *j != k).flat_map(|(_, r)| r.iter().copied()).collect();
    if rows.is_empty() {
        folds.iter().flatten().copied().collect()
    } else {
        rows
    }
}

/// Cross-fitting fold of every training family: grooming families, then benign ones, each
/// ordered by a hash of their name, take turns over the `k` folds, so every fold of two or more
/// holds both labels when there are enough families.
fn family_folds<'a>(
    labelled: &[LabelledConversation],
    families: &'a [String],
    train: &[usize],
    k: usize,
) -> HashMap<&'a str, usize> {
    let mut fold: HashMap<&str, usize> = HashMap::new();
    // One counter over both labels, so the folds end up within one family of each other.
    let mut turn = 0usize;
    for grooming in [true, false] {
        let mut fams: Vec<&str> = train
            .iter()
            .filter(|&&i| labelled[i].is_grooming() == grooming)
            .map(|&i| families[i].as_str())
            .filter(|f| !fold.contains_key(f))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        fams.sort_by_key(|f| fold_hash(f));
        for f in fams {
            fold.insert(f, turn % k);
            turn += 1;
        }
    }
    fold
}

/// Stage-head fold of each message of `c` (see [`TrainOptions::stage_folds_by_phrasing`]): its
/// phrasing group's when it has one and `by_phrasing` holds, else its conversation's `fold`.
fn stage_folds(c: &LabelledConversation, fold: usize, k: usize, by_phrasing: bool) -> Vec<usize> {
    match (&c.message_groups, by_phrasing) {
        (Some(groups), true) => groups.iter().map(|g| g.as_deref().map_or(fold, |g| fold_hash(g) % k)).collect(),
        _ => vec![fold; c.messages.len()],
    }
}

/// The conversation as the conversation head sees it, with `stages` (stored features) per message.
fn views_of(conv: &LabelledConversation, stages: &[MessageFeatures]) -> Vec<MsgView> {
    let (index, _) = sender_indices(conv.messages.iter().map(|m| m.sender_id.as_str()));
    conv.messages
        .iter()
        .zip(stages)
        .zip(index)
        .map(|((m, s), sender)| {
            let at = parse_timestamp(&m.sent_at).map(|t| t.timestamp()).unwrap_or(0);
            MsgView::new(sender, at, m.sender_age_band.as_deref().and_then(AgeBand::parse), *s)
        })
        .collect()
}

/// Conversation-head rows `(features, target)` for every prefix and every participant of the
/// window the live path would hold after it (the last `window` messages). The suspect's target is
/// 1 from the labelled onset on; everyone else's, and every background participant's, is 0.
fn prefix_rows(
    conv: &LabelledConversation,
    stages: &[MessageFeatures],
    use_age: bool,
    window: usize,
) -> Vec<([f32; NUM_CONV_FEATURES], f32)> {
    let views = views_of(conv, stages);
    let (index, senders) = sender_indices(conv.messages.iter().map(|m| m.sender_id.as_str()));
    let suspect =
        conv.suspect.as_deref().filter(|_| conv.is_grooming()).and_then(|s| senders.iter().position(|x| *x == s));
    let mut out = Vec::new();
    for end in 0..views.len() {
        let start = (end + 1).saturating_sub(window.max(1));
        let slice = &views[start..=end];
        let present: BTreeSet<usize> = index[start..=end].iter().copied().collect();
        let after_onset = conv.onset.is_some_and(|o| end >= o);
        for s in present {
            let target = if after_onset && Some(s) == suspect { 1.0 } else { 0.0 };
            out.push((sender_features(slice, s, use_age), target));
        }
    }
    out
}

/// Scales row weights so both classes weigh the same in total.
fn balance_classes(rows: &mut Rows) {
    let (mut pos, mut neg) = (0.0f64, 0.0f64);
    for (y, w) in rows.y.iter().zip(&rows.w) {
        if *y > 0.5 {
            pos += f64::from(*w);
        } else {
            neg += f64::from(*w);
        }
    }
    if pos == 0.0 || neg == 0.0 {
        return;
    }
    let total = pos + neg;
    for (y, w) in rows.y.iter().zip(rows.w.iter_mut()) {
        let class = if *y > 0.5 { pos } else { neg };
        *w = (f64::from(*w) * 0.5 * total / class) as f32;
    }
}

/// Obfuscates every message of `conv` (one technique per message: leetspeak, look-alike letters,
/// zero-width characters or spaced-out words), reproducibly from `seed` and the conversation's
/// position `stream` in its file, to measure what normalisation recovers.
pub fn obfuscate_conversation(conv: &mut LabelledConversation, seed: u64, stream: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    for m in &mut conv.messages {
        m.text = crate::dataset::synth::obfuscate(&m.text, &mut rng);
    }
}

/// Per stage, on held-out messages with stage labels: precision and recall of probability ≥ 0.5.
fn stage_precision_recall(
    det: &Detector,
    convs: &[LabelledConversation],
    cache: &EmbeddingCache,
) -> Result<BTreeMap<String, PrecisionRecall>, TrainError> {
    let mut counts = [(0usize, 0usize, 0usize); NUM_STAGES]; // tp, fp, fn
    for c in convs {
        let Some(labels) = &c.message_stages else { continue };
        for (m, l) in c.messages.iter().zip(labels) {
            let t = crate::normalize::normalize(&m.text);
            let e =
                cache.get(&t).ok_or_else(|| TrainError::Invalid("an embedding is missing from the cache".into()))?;
            let f = det.message_features(&[t.as_str()], &[e.to_vec()]).remove(0).probs();
            for s in Stage::ALL {
                let c = &mut counts[s.index()];
                match (l.contains(&s), f[s.index()] >= 0.5) {
                    (true, true) => c.0 += 1,
                    (false, true) => c.1 += 1,
                    (true, false) => c.2 += 1,
                    _ => {}
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
    Ok(Stage::ALL
        .iter()
        .map(|s| {
            let (tp, fp, fn_) = counts[s.index()];
            (s.as_str().to_string(), (ratio(tp, tp + fp), ratio(tp, tp + fn_)))
        })
        .collect())
}

/// Number of highest-risk conversations [`top_risks`] lists.
const TOP_LISTED: usize = 10;

/// The [`TOP_LISTED`] conversations with the highest eligible max risk.
fn top_risks(results: &[ConvResult], min_messages: usize) -> Vec<(String, f32)> {
    let mut v: Vec<(String, f32)> = results
        .iter()
        .filter_map(|r| r.max_risk_from(min_messages.saturating_sub(1)).map(|m| (r.id.clone(), m)))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(TOP_LISTED);
    v
}

/// Whether `r`'s eligible max risk (messages from `profile.min_messages` on) reaches `profile`'s
/// alert threshold: how the threshold choice counts a flag on out-of-fold scores, which were
/// recorded under the previous profile, so their events do not apply.
fn reaches_alert(r: &ConvResult, profile: &Profile) -> bool {
    let from = (profile.min_messages as usize).saturating_sub(1);
    r.max_risk_from(from).is_some_and(|m| m >= profile.thresholds.alert)
}

/// (conversations, flagged) per family, from `(family, flagged)` pairs.
fn by_family<'a>(flags: impl IntoIterator<Item = (&'a str, bool)>) -> BTreeMap<String, (usize, usize)> {
    let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (family, flagged) in flags {
        let e = out.entry(family.to_string()).or_default();
        e.0 += 1;
        e.1 += usize::from(flagged);
    }
    out
}

/// Out-of-fold (conversations, flagged at `profile`'s alert) per family of the labelled training
/// conversations; `family` maps conversation id to family.
fn oof_by_family(
    results: &[ConvResult],
    family: &HashMap<&str, &str>,
    profile: &Profile,
) -> BTreeMap<String, (usize, usize)> {
    by_family(results.iter().map(|r| (family.get(r.id.as_str()).copied().unwrap_or("?"), reaches_alert(r, profile))))
}

/// False alerts by language over the benign conversations that can alert (at least
/// `min_messages`), a conversation counting as flagged when `flagged` says so.
fn count_false_alerts(
    results: &[ConvResult],
    min_messages: usize,
    flagged: impl Fn(&ConvResult) -> bool,
) -> BTreeMap<Language, FalseAlerts> {
    let mut out: BTreeMap<Language, FalseAlerts> = BTreeMap::new();
    for r in results.iter().filter(|r| !r.is_grooming() && r.risk.len() >= min_messages) {
        let e = out.entry(r.language).or_default();
        e.conversations += 1;
        e.flagged += usize::from(flagged(r));
    }
    for e in out.values_mut() {
        e.per_1k = (e.conversations > 0).then(|| 1000.0 * e.flagged as f64 / e.conversations as f64);
    }
    out
}

/// [`false_alerts`] as the threshold choice counts them ([`reaches_alert`]).
fn predicted_false_alerts(results: &[ConvResult], profile: &Profile) -> BTreeMap<Language, FalseAlerts> {
    count_false_alerts(results, profile.min_messages as usize, |r| reaches_alert(r, profile))
}

/// False alerts by language over the conversations that can alert (at least `min_messages`).
pub fn false_alerts(results: &[ConvResult], min_messages: usize) -> BTreeMap<Language, FalseAlerts> {
    count_false_alerts(results, min_messages, ConvResult::flagged)
}

fn data_hash(labelled: &[LabelledConversation], background: &[LabelledConversation]) -> Result<String, TrainError> {
    let mut h = Sha256::new();
    for c in labelled.iter().chain(background) {
        h.update(serde_json::to_vec(c).map_err(|e| TrainError::Invalid(e.to_string()))?);
        h.update(b"\n");
    }
    Ok(hex::encode(h.finalize()))
}

/// `SOURCE_DATE_EPOCH` (reproducible builds) when set, else now; RFC 3339.
fn creation_time() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_else(chrono::Utc::now);
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, TrainError> {
    serde_json::to_vec_pretty(v).map_err(|e| TrainError::Invalid(format!("serialising: {e}")))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let io = |e: std::io::Error| TrainError::Io { path: path.to_path_buf(), source: e };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
