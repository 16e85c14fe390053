//! Training the stage and conversation heads on labelled (synthetic) conversations.
//!
//! The sentence encoder is frozen, so the only expensive step is encoding each distinct normalised
//! text once; embeddings are cached on disk keyed by encoder id and the text's sha256, which makes
//! retraining after a change of heads or exemplars take seconds.
//!
//! Steps: encode → stage head (multi-label, per message) with two-fold cross-fitting so the
//! conversation head learns from the *out-of-fold* stage probabilities it will meet on unseen text
//! → conversation head on every prefix of every conversation → Platt scaling fitted on whole
//! generator families held out from both heads → artifacts and held-out metrics.
//!
//! Everything is deterministic for a seed: weights are initialised, shuffled and dropped out from
//! one `ChaCha8Rng`, never from candle's global generator.

use super::exemplars::{encode_texts, BankKind, ExemplarBanks, NUM_SIGNALS};
use super::features::{sender_features, MsgView, CONV_FEATURE_NAMES, NUM_CONV_FEATURES};
use super::mlp::{sigmoid, Mlp};
use super::{
    best_sender, heads_dir, sanitise_id, stage_input, stage_input_layout, stage_probs, Detector, DetectorError,
    HeadsMeta, MessageFeatures, HEADS_FORMAT,
};
use crate::dataset::LabelledConversation;
use crate::event::{Stage, NUM_STAGES};
use crate::message::{parse_timestamp, AgeBand};
use crate::model::Encoder;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Risk at or above which a conversation counts as flagged (the default profile's `alert`).
pub const DEFAULT_ALERT_THRESHOLD: f32 = 0.6;

/// Conversation-head targets for the suspect at the onset message and the next ones (then 1).
/// One worrying message is weak evidence (a family surprise also says "don't tell dad"); the
/// ramp asks the head to be sure only once the pattern continues, trading a message or two of
/// warning latency for fewer false alerts.
const ONSET_RAMP: [f32; 0] = [];

/// Messages a conversation needs before it can be flagged (the default profile's `min_messages`).
pub const MIN_MESSAGES: usize = 3;

/// What [`train`] needs besides the data.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub seed: u64,
    /// Passes over the training rows for each head.
    pub epochs: usize,
    /// Generator families kept out of both heads and used for Platt scaling and the metrics.
    /// Empty: a deterministic quarter of the families (by seed).
    pub holdout_families: Vec<String>,
    /// Models directory to write: `heads/<encoder id>/` (and `exemplars/` when it is not already
    /// the exemplar directory).
    pub out_dir: PathBuf,
    pub exemplars_dir: PathBuf,
    /// Where to cache embeddings between runs; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    pub alert_threshold: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            seed: 7,
            epochs: 30,
            holdout_families: Vec::new(),
            out_dir: PathBuf::from("models"),
            exemplars_dir: PathBuf::from("models/exemplars"),
            cache_dir: None,
            alert_threshold: DEFAULT_ALERT_THRESHOLD,
        }
    }
}

/// Conversation-level metrics at one alert threshold.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvalMetrics {
    pub conversations: usize,
    pub grooming: usize,
    pub benign: usize,
    pub true_alerts: usize,
    pub false_alerts: usize,
    pub precision: f64,
    pub recall: f64,
    pub f0_5: f64,
    /// Average precision of the conversations' maximum risk.
    pub auc_pr: f64,
    pub hard_negatives: usize,
    pub hard_negative_false_alert_rate: f64,
    /// Flagged grooming conversations: messages from onset to the first alert.
    pub median_latency_messages: Option<f64>,
}

/// Metrics overall and per language.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvalReport {
    pub threshold: f32,
    pub overall: EvalMetrics,
    pub by_language: BTreeMap<String, EvalMetrics>,
}

/// What [`train`] did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub heads_dir: PathBuf,
    pub version: String,
    pub distinct_texts: usize,
    pub encoded: usize,
    pub cache_hits: usize,
    pub train_conversations: usize,
    pub holdout_conversations: usize,
    pub holdout_families: Vec<String>,
    pub platt_a: f32,
    pub platt_b: f32,
    /// Per held-out family: (conversations, flagged at the alert threshold).
    pub holdout_by_family: BTreeMap<String, (usize, usize)>,
    /// Per stage, on held-out messages: (precision, recall) at probability 0.5.
    pub stage_precision_recall: BTreeMap<String, (f64, f64)>,
    pub holdout: EvalReport,
}

/// Trains both heads, fits the calibration and writes the artifacts (see the module docs).
pub fn train(
    convs: &[LabelledConversation],
    encoder: &dyn Encoder,
    opts: &TrainOptions,
) -> Result<TrainReport, DetectorError> {
    if convs.is_empty() {
        return Err(DetectorError::Training("no training conversations".into()));
    }
    let info = encoder.info().clone();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);

    // 1. Encode every distinct normalised text once (messages and exemplars share the cache).
    let banks = ExemplarBanks::load_dir(&opts.exemplars_dir)?;
    let norm: Vec<Vec<String>> =
        convs.iter().map(|c| c.messages.iter().map(|m| crate::normalize::normalize(&m.text)).collect()).collect();
    let mut cache = EmbeddingCache::open(opts.cache_dir.as_deref(), &info.id, info.dim)?;
    let distinct: BTreeSet<&String> = norm.iter().flatten().collect();
    let distinct: Vec<String> = distinct.into_iter().cloned().collect();
    let hits_before = distinct.iter().filter(|t| cache.get(t).is_some()).count();
    cache.ensure(encoder, &distinct)?;
    let encoded_banks = banks.encode(encoder)?;

    // 2. Per-message stage-head inputs and labels.
    let dim = info.dim;
    let sdim = dim + NUM_SIGNALS;
    let mut msg_x: Vec<Vec<f32>> = Vec::with_capacity(convs.len());
    for texts in &norm {
        let mut rows = Vec::with_capacity(texts.len() * sdim);
        for t in texts {
            let emb = cache.get(t).ok_or_else(|| DetectorError::Training("embedding missing".into()))?;
            rows.extend(stage_input(&encoded_banks, emb));
        }
        msg_x.push(rows);
    }

    // The banks themselves are labelled rows too (leave-one-out signals): hand-written phrasings
    // that widen what the head has seen beyond the generator's templates. Each row once, with
    // all its labels (a multi-label row sits in several banks).
    let mut bank_rows = StageRows::default();
    for (r, row) in banks.rows.iter().enumerate() {
        let Some(slot @ (kind, i)) = banks.first_slot(r) else { continue };
        let emb = match kind {
            BankKind::Stage(s) => &encoded_banks.stages[s.index()][i],
            BankKind::Benign => &encoded_banks.benign[i],
        };
        bank_rows.x.extend_from_slice(emb);
        bank_rows.x.extend(encoded_banks.signals_without(emb, Some(slot)));
        bank_rows.y.extend(Stage::ALL.iter().map(|t| if row.stages.contains(t) { 1.0f32 } else { 0.0 }));
    }

    // 3. Split by family.
    let families: Vec<String> = convs.iter().map(family_of).collect();
    let holdout: BTreeSet<String> = if opts.holdout_families.is_empty() {
        let mut fams: Vec<String> = families.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
        fams.shuffle(&mut rng);
        let n = (fams.len() / 4).max(1).min(fams.len().saturating_sub(1));
        fams.into_iter().take(n).collect()
    } else {
        opts.holdout_families.iter().cloned().collect()
    };
    let is_holdout: Vec<bool> = families.iter().map(|f| holdout.contains(f)).collect();
    let train_idx: Vec<usize> = (0..convs.len()).filter(|&i| !is_holdout[i]).collect();
    let hold_idx: Vec<usize> = (0..convs.len()).filter(|&i| is_holdout[i]).collect();
    if train_idx.is_empty() {
        return Err(DetectorError::Training("every conversation is in a held-out family".into()));
    }

    // 4. Stage head: cross-fitted for the conversation head's inputs, then on all training data.
    let stage_cfg = MlpTrain {
        hidden: 64,
        epochs: opts.epochs,
        lr: 2e-3,
        weight_decay: 1e-2,
        batch: 128,
        in_dropout: 0.2,
        hid_dropout: 0.2,
    };
    // Families alternate between the two folds within each label, so both folds see both labels.
    let mut fam_fold: HashMap<&str, usize> = HashMap::new();
    for grooming in [true, false] {
        let mut fams: Vec<&str> = train_idx
            .iter()
            .filter(|&&i| convs[i].is_grooming() == grooming)
            .map(|&i| families[i].as_str())
            .filter(|f| !fam_fold.contains_key(f))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        fams.sort_by_key(|f| fold_hash(f));
        for (k, f) in fams.into_iter().enumerate() {
            fam_fold.insert(f, k % 2);
        }
    }
    let fold_of = |i: usize| fam_fold.get(families[i].as_str()).copied().unwrap_or(0);
    let mut feats: Vec<Vec<[f32; NUM_STAGES]>> = vec![Vec::new(); convs.len()];
    for fold in 0..2 {
        let fit: Vec<usize> = train_idx.iter().copied().filter(|&i| fold_of(i) != fold).collect();
        let apply: Vec<usize> = train_idx.iter().copied().filter(|&i| fold_of(i) == fold).collect();
        if apply.is_empty() {
            continue;
        }
        // With a single family, both folds are the same: fall back to in-sample predictions.
        let fit = if fit.is_empty() { apply.clone() } else { fit };
        let head = fit_stage_head(convs, &msg_x, &fit, &bank_rows, sdim, &stage_cfg, &mut rng)?;
        for &i in &apply {
            feats[i] = predict_stages(&head, &msg_x[i], sdim);
        }
    }
    let stage_head = fit_stage_head(convs, &msg_x, &train_idx, &bank_rows, sdim, &stage_cfg, &mut rng)?;
    for &i in &hold_idx {
        feats[i] = predict_stages(&stage_head, &msg_x[i], sdim);
    }

    // 5. Conversation head on every prefix; age bands hidden at random.
    let mut cx = Vec::new();
    let mut cy = Vec::new();
    for &i in &train_idx {
        for (row, target) in prefix_rows(&convs[i], &feats[i], Some(&mut rng)) {
            cx.extend_from_slice(&row);
            cy.push(target);
        }
    }
    let pos = cy.iter().filter(|&&y| y > 0.5).count().max(1) as f32;
    let neg = (cy.len() as f32 - pos).max(1.0);
    let cw: Vec<f32> =
        cy.iter().map(|&y| if y > 0.5 { 0.5 * cy.len() as f32 / pos } else { 0.5 * cy.len() as f32 / neg }).collect();
    let conv_cfg = MlpTrain {
        hidden: 32,
        epochs: opts.epochs,
        lr: 2e-3,
        weight_decay: 1e-2,
        batch: 256,
        in_dropout: 0.1,
        hid_dropout: 0.1,
    };
    let conv_head = fit_mlp(&cx, NUM_CONV_FEATURES, &cy, 1, &cw, &conv_cfg, &mut rng)?;

    // 6. Platt scaling on the held-out families, one row per conversation: its highest logit over
    //    the prefixes that can alert, against its label. The policy alerts the first time risk
    //    reaches a threshold, so "risk r" should mean "conversations whose score reaches r are
    //    grooming with probability r" — a per-prefix calibration would be optimistic for benign
    //    conversations, which get a fresh chance to spike at every message.
    let (mut zs, mut ys) = (Vec::new(), Vec::new());
    for &i in &hold_idx {
        let views = views_of(&convs[i], &feats[i]);
        let z = (0..views.len())
            .filter(|end| end + 1 >= MIN_MESSAGES.min(views.len()))
            .filter_map(|end| best_logit(&conv_head, &views[..=end]))
            .fold(f32::NEG_INFINITY, f32::max);
        zs.push(z);
        ys.push(if convs[i].is_grooming() { 1.0 } else { 0.0 });
    }
    let (platt_a, platt_b) = if zs.is_empty() { (1.0, 0.0) } else { fit_platt(&zs, &ys) };

    // 7. Held-out metrics through the same scoring as the live detector.
    let mut per_conv = Vec::new();
    for &i in &hold_idx {
        let risks = prefix_risks(&conv_head, platt_a, platt_b, &convs[i], &feats[i]);
        per_conv.push((&convs[i], risks));
    }
    let holdout_report = metrics(&per_conv, opts.alert_threshold);
    let mut holdout_by_family: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (c, risks) in &per_conv {
        let e = holdout_by_family.entry(family_of(c)).or_default();
        e.0 += 1;
        e.1 += usize::from(risks.iter().enumerate().any(|(i, &r)| i + 1 >= MIN_MESSAGES && r >= opts.alert_threshold));
    }
    let stage_pr = stage_precision_recall(convs, &hold_idx, &feats);

    // 8. Artifacts.
    let meta = HeadsMeta {
        format: HEADS_FORMAT,
        encoder_id: info.id.clone(),
        embedding_dim: dim,
        stage_input: stage_input_layout(dim),
        stage_output: Stage::ALL.iter().map(|s| s.as_str().to_string()).collect(),
        conv_features: CONV_FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
        platt_a,
        platt_b,
        seed: opts.seed,
        data_hash: data_hash(convs)?,
        train_conversations: train_idx.len(),
        holdout_families: holdout.iter().cloned().collect(),
        metrics: serde_json::to_value(&holdout_report).map_err(|e| DetectorError::Training(e.to_string()))?,
    };
    let dir = heads_dir(&opts.out_dir, &info.id);
    write_file(&dir.join("stage_head.safetensors"), &stage_head.to_safetensors()?)?;
    write_file(&dir.join("conv_head.safetensors"), &conv_head.to_safetensors()?)?;
    let meta_json = serde_json::to_vec_pretty(&meta).map_err(|e| DetectorError::Training(e.to_string()))?;
    write_file(&dir.join("meta.json"), &meta_json)?;
    let out_ex = opts.out_dir.join("exemplars");
    if !same_dir(&out_ex, &opts.exemplars_dir) {
        for (name, bytes) in &banks.files {
            write_file(&out_ex.join(name), bytes)?;
        }
    }
    let det = Detector::load(&opts.out_dir, encoder)?;
    Ok(TrainReport {
        heads_dir: dir,
        version: det.version().to_string(),
        distinct_texts: distinct.len(),
        encoded: distinct.len() - hits_before,
        cache_hits: hits_before,
        train_conversations: train_idx.len(),
        holdout_conversations: hold_idx.len(),
        holdout_families: holdout.into_iter().collect(),
        platt_a,
        platt_b,
        holdout_by_family,
        stage_precision_recall: stage_pr,
        holdout: holdout_report,
    })
}

/// Scores labelled conversations prefix by prefix with a loaded detector (no training, no tuning):
/// a conversation is flagged when its risk reaches `threshold` at any prefix.
pub fn evaluate(
    det: &Detector,
    encoder: &dyn Encoder,
    convs: &[LabelledConversation],
    threshold: f32,
    cache_dir: Option<&Path>,
) -> Result<EvalReport, DetectorError> {
    let info = encoder.info();
    let mut cache = EmbeddingCache::open(cache_dir, &info.id, info.dim)?;
    let norm: Vec<Vec<String>> =
        convs.iter().map(|c| c.messages.iter().map(|m| crate::normalize::normalize(&m.text)).collect()).collect();
    let distinct: Vec<String> = norm.iter().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    cache.ensure(encoder, &distinct)?;
    let mut per_conv = Vec::new();
    for (c, texts) in convs.iter().zip(&norm) {
        let feats: Vec<[f32; NUM_STAGES]> = texts
            .iter()
            .map(|t| {
                let emb = cache.get(t).ok_or_else(|| DetectorError::Training("embedding missing".into()))?;
                Ok(stage_probs(&det.banks, &det.stage_head, emb))
            })
            .collect::<Result<_, DetectorError>>()?;
        let risks = prefix_risks(&det.conv_head, det.meta.platt_a, det.meta.platt_b, c, &feats);
        per_conv.push((c, risks));
    }
    Ok(metrics(&per_conv, threshold))
}

/// Message-level features of a conversation's messages, as the live path computes them.
pub fn conversation_features(
    det: &Detector,
    encoder: &dyn Encoder,
    conv: &LabelledConversation,
) -> Result<Vec<MessageFeatures>, DetectorError> {
    let texts: Vec<String> = conv.messages.iter().map(|m| crate::normalize::normalize(&m.text)).collect();
    Ok(det.message_features(&encode_texts(encoder, &texts)?))
}

fn family_of(c: &LabelledConversation) -> String {
    c.family.clone().unwrap_or_else(|| format!("bucket-{}", fold_hash(&c.conversation_id) % 8))
}

fn fold_hash(s: &str) -> usize {
    let h = Sha256::digest(s.as_bytes());
    usize::from(h[0]) | (usize::from(h[1]) << 8)
}

fn views_of(conv: &LabelledConversation, feats: &[[f32; NUM_STAGES]]) -> Vec<MsgView> {
    let mut senders: Vec<&str> = Vec::new();
    conv.messages
        .iter()
        .zip(feats)
        .map(|(m, f)| {
            let sender = senders.iter().position(|s| *s == m.sender_id).unwrap_or_else(|| {
                senders.push(&m.sender_id);
                senders.len() - 1
            });
            MsgView {
                sender,
                at: parse_timestamp(&m.sent_at).map(|t| t.timestamp()).unwrap_or(0),
                age_band: m.sender_age_band.as_deref().and_then(AgeBand::parse),
                stages: *f,
            }
        })
        .collect()
}

/// Conversation-head rows `(features, target)` for every (prefix, sender). With `rng`, age bands
/// are hidden for half of the conversations.
fn prefix_rows(
    conv: &LabelledConversation,
    feats: &[[f32; NUM_STAGES]],
    rng: Option<&mut ChaCha8Rng>,
) -> Vec<([f32; NUM_CONV_FEATURES], f32)> {
    let views = views_of(conv, feats);
    let use_age = rng.is_none_or(|r| r.random_bool(0.5));
    let suspect = conv.suspect.as_deref().and_then(|s| conv.messages.iter().find(|m| m.sender_id == s));
    let suspect_idx = suspect.and_then(|m| {
        let mut seen: Vec<&str> = Vec::new();
        for v in &conv.messages {
            if !seen.contains(&v.sender_id.as_str()) {
                seen.push(&v.sender_id);
            }
        }
        seen.iter().position(|s| *s == m.sender_id)
    });
    let mut out = Vec::new();
    for end in 0..views.len() {
        let prefix = &views[..=end];
        let n_senders = prefix.iter().map(|v| v.sender + 1).max().unwrap_or(0);
        let since_onset = conv.onset.filter(|o| conv.is_grooming() && end >= *o).map(|o| end - o);
        for s in 0..n_senders {
            let target = match since_onset {
                Some(k) if Some(s) == suspect_idx => ONSET_RAMP.get(k).copied().unwrap_or(1.0),
                _ => 0.0,
            };
            out.push((sender_features(prefix, s, use_age), target));
        }
    }
    out
}

/// The highest raw conversation-head logit over a window's participants.
fn best_logit(conv_head: &Mlp, views: &[MsgView]) -> Option<f32> {
    let n_senders = views.iter().map(|v| v.sender + 1).max()?;
    (0..n_senders).map(|s| conv_head.forward(&sender_features(views, s, true))[0]).reduce(f32::max)
}

/// Calibrated risk (max over senders) after each message.
fn prefix_risks(conv_head: &Mlp, a: f32, b: f32, conv: &LabelledConversation, feats: &[[f32; NUM_STAGES]]) -> Vec<f32> {
    let views = views_of(conv, feats);
    (0..views.len()).map(|end| best_sender(conv_head, a, b, &views[..=end], true).map_or(0.0, |(_, r)| r)).collect()
}

fn stage_precision_recall(
    convs: &[LabelledConversation],
    idx: &[usize],
    feats: &[Vec<[f32; NUM_STAGES]>],
) -> BTreeMap<String, (f64, f64)> {
    let mut counts = [(0usize, 0usize, 0usize); NUM_STAGES]; // tp, fp, fn
    for &i in idx {
        let Some(labels) = &convs[i].message_stages else {
            continue;
        };
        for (l, f) in labels.iter().zip(&feats[i]) {
            for s in Stage::ALL {
                let truth = l.contains(&s);
                let pred = f[s.index()] >= 0.5;
                let c = &mut counts[s.index()];
                match (truth, pred) {
                    (true, true) => c.0 += 1,
                    (false, true) => c.1 += 1,
                    (true, false) => c.2 += 1,
                    _ => {}
                }
            }
        }
    }
    Stage::ALL
        .iter()
        .map(|s| {
            let (tp, fp, fn_) = counts[s.index()];
            (s.as_str().to_string(), (ratio(tp, tp + fp), ratio(tp, tp + fn_)))
        })
        .collect()
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Conversation-level metrics from each conversation's per-prefix risks.
fn metrics(per_conv: &[(&LabelledConversation, Vec<f32>)], threshold: f32) -> EvalReport {
    let mut by_language = BTreeMap::new();
    for lang in crate::dataset::Language::ALL {
        let sub: Vec<_> = per_conv.iter().filter(|(c, _)| c.language == lang).cloned().collect();
        if !sub.is_empty() {
            by_language.insert(lang.as_str().to_string(), metrics_of(&sub, threshold));
        }
    }
    EvalReport { threshold, overall: metrics_of(per_conv, threshold), by_language }
}

fn metrics_of(per_conv: &[(&LabelledConversation, Vec<f32>)], threshold: f32) -> EvalMetrics {
    let mut m = EvalMetrics { conversations: per_conv.len(), ..Default::default() };
    let mut latencies = Vec::new();
    let mut scored = Vec::new();
    let mut hn_alerts = 0;
    for (c, risks) in per_conv {
        let max = risks.iter().copied().fold(0.0f32, f32::max);
        // Like the default profile's `min_messages`, nothing fires before the third message.
        let first = risks.iter().enumerate().position(|(i, &r)| i + 1 >= MIN_MESSAGES && r >= threshold);
        scored.push((max, c.is_grooming()));
        if c.is_grooming() {
            m.grooming += 1;
            if let Some(f) = first {
                m.true_alerts += 1;
                latencies.push(f as f64 - c.onset.unwrap_or(0) as f64);
            }
        } else {
            m.benign += 1;
            m.hard_negatives += usize::from(c.hard_negative);
            if first.is_some() {
                m.false_alerts += 1;
                hn_alerts += usize::from(c.hard_negative);
            }
        }
    }
    m.precision = ratio(m.true_alerts, m.true_alerts + m.false_alerts);
    m.recall = ratio(m.true_alerts, m.grooming);
    let (p, r) = (m.precision, m.recall);
    m.f0_5 = if p + r > 0.0 { 1.25 * p * r / (0.25 * p + r) } else { 0.0 };
    m.hard_negative_false_alert_rate = ratio(hn_alerts, m.hard_negatives);
    latencies.sort_by(f64::total_cmp);
    m.median_latency_messages = (!latencies.is_empty()).then(|| latencies[latencies.len() / 2]);
    m.auc_pr = average_precision(&mut scored);
    m
}

/// Average precision (area under the precision-recall curve, step-wise).
fn average_precision(scored: &mut [(f32, bool)]) -> f64 {
    let positives = scored.iter().filter(|s| s.1).count();
    if positives == 0 {
        return 0.0;
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut ap) = (0usize, 0.0f64);
    for (k, (_, pos)) in scored.iter().enumerate() {
        if *pos {
            tp += 1;
            ap += tp as f64 / (k + 1) as f64;
        }
    }
    ap / positives as f64
}

/// Logistic regression of the labels on one logit (damped Newton's method), returns `(a, b)`.
///
/// Targets are smoothed as in Platt's paper (`(N+ + 1) / (N+ + 2)` and `1 / (N- + 2)`) and a weak
/// prior pulls towards `(1, 0)`, so a held-out set the head separates perfectly still gives a
/// finite, sensible scale.
fn fit_platt(z: &[f32], y: &[f32]) -> (f32, f32) {
    const PRIOR: f64 = 1e-3;
    let n_pos = y.iter().filter(|&&v| v > 0.5).count() as f64;
    let n_neg = y.len() as f64 - n_pos;
    let (t_pos, t_neg) = ((n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0));
    let target = |yi: f32| if yi > 0.5 { t_pos } else { t_neg };
    let loss = |a: f64, b: f64| -> f64 {
        let mut l = PRIOR * ((a - 1.0).powi(2) + b * b) * z.len() as f64;
        for (&zi, &yi) in z.iter().zip(y) {
            let u = a * f64::from(zi) + b;
            // log(1 + e^u) - t u, stably.
            l += u.max(0.0) + (-u.abs()).exp().ln_1p() - target(yi) * u;
        }
        l
    };
    let (mut a, mut b) = (1.0f64, 0.0f64);
    let mut current = loss(a, b);
    for _ in 0..100 {
        let n = z.len() as f64;
        let (mut ga, mut gb) = (2.0 * PRIOR * n * (a - 1.0), 2.0 * PRIOR * n * b);
        let (mut haa, mut hab, mut hbb) = (2.0 * PRIOR * n, 0.0, 2.0 * PRIOR * n);
        for (&zi, &yi) in z.iter().zip(y) {
            let zi = f64::from(zi);
            let p = 1.0 / (1.0 + (-(a * zi + b)).exp());
            let d = p - target(yi);
            let w = p * (1.0 - p);
            ga += d * zi;
            gb += d;
            haa += w * zi * zi;
            hab += w * zi;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-6 {
            let (na, nb) = (a - step * da, b - step * db);
            let l = loss(na, nb);
            if l <= current {
                (a, b, current, improved) = (na, nb, l, true);
                break;
            }
            step /= 2.0;
        }
        if !improved || (step * (da.abs() + db.abs())) < 1e-8 {
            break;
        }
    }
    (a as f32, b as f32)
}

fn data_hash(convs: &[LabelledConversation]) -> Result<String, DetectorError> {
    let mut h = Sha256::new();
    for c in convs {
        h.update(serde_json::to_vec(c).map_err(|e| DetectorError::Training(e.to_string()))?);
        h.update(b"\n");
    }
    Ok(hex::encode(h.finalize()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), DetectorError> {
    let io = |e: std::io::Error| DetectorError::Io { path: path.display().to_string(), source: e };
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

// ---------------------------------------------------------------------------------------------
// Heads.

/// Smallest standard deviation a column is scaled by: a feature that barely varies in training
/// must not be blown up into a huge input when it does vary on new data.
const STD_FLOOR: f64 = 0.02;

struct MlpTrain {
    hidden: usize,
    epochs: usize,
    lr: f64,
    weight_decay: f64,
    batch: usize,
    in_dropout: f64,
    hid_dropout: f64,
}

/// Extra labelled stage-head rows (inputs and multi-hot targets, row-major).
#[derive(Default)]
struct StageRows {
    x: Vec<f32>,
    y: Vec<f32>,
}

/// Weight of a bank phrase relative to a generated message: the banks are small but varied.
const BANK_ROW_WEIGHT: f32 = 3.0;

fn fit_stage_head(
    convs: &[LabelledConversation],
    msg_x: &[Vec<f32>],
    idx: &[usize],
    extra: &StageRows,
    sdim: usize,
    cfg: &MlpTrain,
    rng: &mut ChaCha8Rng,
) -> Result<Mlp, DetectorError> {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for &i in idx {
        let Some(labels) = &convs[i].message_stages else {
            continue;
        };
        x.extend_from_slice(&msg_x[i]);
        for l in labels {
            y.extend(Stage::ALL.iter().map(|s| if l.contains(s) { 1.0f32 } else { 0.0 }));
        }
    }
    if y.is_empty() {
        return Err(DetectorError::Training("no conversation carries per-message stage labels".into()));
    }
    let mut w = vec![1.0f32; y.len() / NUM_STAGES];
    x.extend_from_slice(&extra.x);
    y.extend_from_slice(&extra.y);
    w.resize(y.len() / NUM_STAGES, BANK_ROW_WEIGHT);
    fit_mlp(&x, sdim, &y, NUM_STAGES, &w, cfg, rng)
}

fn predict_stages(head: &Mlp, rows: &[f32], sdim: usize) -> Vec<[f32; NUM_STAGES]> {
    rows.chunks_exact(sdim)
        .map(|r| {
            let z = head.forward(r);
            std::array::from_fn(|i| sigmoid(z[i]))
        })
        .collect()
}

/// Trains `in → hidden (ReLU) → out` with independent sigmoid outputs and row weights, AdamW.
fn fit_mlp(
    x: &[f32],
    d: usize,
    y: &[f32],
    o: usize,
    row_w: &[f32],
    cfg: &MlpTrain,
    rng: &mut ChaCha8Rng,
) -> Result<Mlp, DetectorError> {
    let n = x.len() / d;
    if n == 0 || y.len() != n * o || row_w.len() != n {
        return Err(DetectorError::Training("training rows are empty or inconsistent".into()));
    }
    // Standardise columns; the same transform is stored with the head.
    let mut mean = vec![0.0f64; d];
    let mut sq = vec![0.0f64; d];
    for r in x.chunks_exact(d) {
        for (j, v) in r.iter().enumerate() {
            mean[j] += f64::from(*v);
            sq[j] += f64::from(*v) * f64::from(*v);
        }
    }
    let mean: Vec<f32> = mean.iter().map(|m| (m / n as f64) as f32).collect();
    let inv_std: Vec<f32> = sq
        .iter()
        .zip(&mean)
        .map(|(s, m)| {
            let var = (s / n as f64 - f64::from(*m) * f64::from(*m)).max(0.0);
            (1.0 / var.sqrt().max(STD_FLOOR)) as f32
        })
        .collect();
    let xs: Vec<f32> =
        x.chunks_exact(d).flat_map(|r| r.iter().enumerate().map(|(j, v)| (v - mean[j]) * inv_std[j])).collect();

    let dev = Device::Cpu;
    let h = cfg.hidden;
    let mut uniform = |len: usize, fan_in: usize| -> Vec<f32> {
        let b = 1.0 / (fan_in as f32).sqrt();
        (0..len).map(|_| rng.random_range(-b..b)).collect()
    };
    let w1 = Var::from_tensor(&Tensor::from_vec(uniform(h * d, d), (h, d), &dev)?)?;
    let b1 = Var::from_tensor(&Tensor::from_vec(uniform(h, d), h, &dev)?)?;
    let w2 = Var::from_tensor(&Tensor::from_vec(uniform(o * h, h), (o, h), &dev)?)?;
    let b2 = Var::from_tensor(&Tensor::from_vec(vec![0.0f32; o], o, &dev)?)?;
    let params = ParamsAdamW { lr: cfg.lr, weight_decay: cfg.weight_decay, ..Default::default() };
    let mut opt = AdamW::new(vec![w1.clone(), b1.clone(), w2.clone(), b2.clone()], params)?;
    let mut order: Vec<usize> = (0..n).collect();
    for _epoch in 0..cfg.epochs {
        order.shuffle(rng);
        for chunk in order.chunks(cfg.batch) {
            let bs = chunk.len();
            let keep_in = 1.0 - cfg.in_dropout;
            let mut bx = Vec::with_capacity(bs * d);
            let mut by = Vec::with_capacity(bs * o);
            let mut bw = Vec::with_capacity(bs * o);
            for &r in chunk {
                for &v in &xs[r * d..(r + 1) * d] {
                    let keep = cfg.in_dropout == 0.0 || rng.random_bool(keep_in);
                    bx.push(if keep { v / keep_in as f32 } else { 0.0 });
                }
                by.extend_from_slice(&y[r * o..(r + 1) * o]);
                bw.extend(std::iter::repeat_n(row_w[r], o));
            }
            let keep_h = 1.0 - cfg.hid_dropout;
            let hmask: Vec<f32> = (0..bs * h)
                .map(|_| if cfg.hid_dropout == 0.0 || rng.random_bool(keep_h) { 1.0 / keep_h as f32 } else { 0.0 })
                .collect();
            let bx = Tensor::from_vec(bx, (bs, d), &dev)?;
            let by = Tensor::from_vec(by, (bs, o), &dev)?;
            let bw = Tensor::from_vec(bw, (bs, o), &dev)?;
            let hmask = Tensor::from_vec(hmask, (bs, h), &dev)?;
            let hid = bx.matmul(&w1.as_tensor().t()?)?.broadcast_add(b1.as_tensor())?.relu()?.mul(&hmask)?;
            let z = hid.matmul(&w2.as_tensor().t()?)?.broadcast_add(b2.as_tensor())?;
            // Stable BCE with logits: max(z, 0) - z*y + log(1 + exp(-|z|)).
            let loss = ((z.relu()? - z.mul(&by)?)? + z.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?)?;
            let loss = (loss.mul(&bw)?.sum_all()? / bw.sum_all()?.to_scalar::<f32>()? as f64)?;
            opt.backward_step(&loss)?;
        }
    }
    let flat = |v: &Var| -> Result<Vec<f32>, DetectorError> {
        Ok(v.as_tensor().to_dtype(DType::F32)?.flatten_all()?.to_vec1()?)
    };
    Ok(Mlp {
        input: d,
        hidden: h,
        output: o,
        mean,
        inv_std,
        w1: flat(&w1)?,
        b1: flat(&b1)?,
        w2: flat(&w2)?,
        b2: flat(&b2)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Embedding cache.

/// Embeddings by sha256 of the normalised text, appended to one file per encoder.
struct EmbeddingCache {
    path: Option<PathBuf>,
    dim: usize,
    map: HashMap<[u8; 32], Vec<f32>>,
}

impl EmbeddingCache {
    fn open(dir: Option<&Path>, encoder_id: &str, dim: usize) -> Result<Self, DetectorError> {
        let path = dir.map(|d| d.join(format!("embeddings-{}-d{dim}.bin", sanitise_id(encoder_id))));
        let mut map = HashMap::new();
        if let Some(p) = &path {
            match std::fs::read(p) {
                Ok(bytes) => {
                    // A torn last record (interrupted run) is ignored.
                    for rec in bytes.chunks_exact(32 + 4 * dim) {
                        let mut key = [0u8; 32];
                        key.copy_from_slice(&rec[..32]);
                        let v =
                            rec[32..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
                        map.insert(key, v);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(DetectorError::Io { path: p.display().to_string(), source: e }),
            }
        }
        Ok(EmbeddingCache { path, dim, map })
    }

    fn key(text: &str) -> [u8; 32] {
        Sha256::digest(text.as_bytes()).into()
    }

    fn get(&self, text: &str) -> Option<&Vec<f32>> {
        self.map.get(&Self::key(text))
    }

    /// Encodes the texts not cached yet (shortest first, so batches pad little).
    fn ensure(&mut self, encoder: &dyn Encoder, texts: &[String]) -> Result<(), DetectorError> {
        let mut todo: Vec<&String> = texts.iter().filter(|t| !self.map.contains_key(&Self::key(t))).collect();
        todo.sort_by_key(|t| (t.len(), t.as_str()));
        todo.dedup();
        let total = todo.len();
        let mut file = match &self.path {
            Some(p) if total > 0 => {
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| DetectorError::Io { path: parent.display().to_string(), source: e })?;
                }
                Some(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(p)
                        .map_err(|e| DetectorError::Io { path: p.display().to_string(), source: e })?,
                )
            }
            _ => None,
        };
        let started = std::time::Instant::now();
        for (bi, chunk) in todo.chunks(32).enumerate() {
            let refs: Vec<&str> = chunk.iter().map(|s| s.as_str()).collect();
            let embs = encoder.embed(&encoder.tokenize(&refs)?)?;
            let mut buf = Vec::new();
            for (t, e) in chunk.iter().zip(embs) {
                if e.len() != self.dim {
                    return Err(DetectorError::Training("encoder returned the wrong width".into()));
                }
                let k = Self::key(t);
                buf.extend_from_slice(&k);
                buf.extend(e.iter().flat_map(|f| f.to_le_bytes()));
                self.map.insert(k, e);
            }
            if let (Some(f), Some(p)) = (file.as_mut(), &self.path) {
                f.write_all(&buf).map_err(|e| DetectorError::Io { path: p.display().to_string(), source: e })?;
            }
            if bi % 20 == 19 {
                tracing::info!(done = (bi + 1) * 32, total, secs = started.elapsed().as_secs(), "encoding texts");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_encoder::WordHashEncoder;
    use super::*;
    use crate::dataset::{Label, LabelledMessage, Language};
    use crate::window::{ConversationWindow, WindowMessage};

    fn conv(
        id: &str,
        family: &str,
        lines: &[(&str, &str, &[Stage])],
        suspect: Option<(&str, usize)>,
    ) -> LabelledConversation {
        LabelledConversation {
            conversation_id: id.into(),
            language: Language::En,
            label: if suspect.is_some() { Label::Grooming } else { Label::Benign },
            onset: suspect.map(|s| s.1),
            suspect: suspect.map(|s| s.0.to_string()),
            stages: Vec::new(),
            hard_negative: false,
            messages: lines
                .iter()
                .enumerate()
                .map(|(i, (s, t, _))| LabelledMessage {
                    sender_id: s.to_string(),
                    sent_at: format!("2026-03-01T10:{:02}:00Z", i),
                    text: t.to_string(),
                    sender_age_band: None,
                })
                .collect(),
            family: Some(family.into()),
            message_stages: Some(lines.iter().map(|l| l.2.to_vec()).collect()),
        }
    }

    /// A tiny synthetic set: one-sided multi-stage grooming vs ordinary and single-stage chat.
    fn tiny_set() -> Vec<LabelledConversation> {
        use Stage::*;
        let mut out = Vec::new();
        let names = ["ana", "bo", "cy", "di", "ed", "fu"];
        for (k, n) in names.iter().enumerate() {
            let g = format!("g{n}");
            let v = format!("v{n}");
            out.push(conv(
                &format!("groom-{k}"),
                &format!("fam-g{}", k % 3),
                &[
                    (&g, "hey nice game today", &[]),
                    (&v, "thanks it was fun", &[]),
                    (&g, "how old are you exactly", &[AgeProbing]),
                    (&v, "i am thirteen", &[]),
                    (&g, "you are so mature and pretty", &[Flattery]),
                    (&g, "dont tell your parents about us", &[Secrecy]),
                    (&v, "ok", &[]),
                    (&g, "i will send you gift card money", &[GiftsMoney]),
                    (&g, "add me on the other private app", &[PlatformMove]),
                ],
                Some((&g, 2)),
            ));
            out.push(conv(
                &format!("benign-{k}"),
                &format!("fam-b{}", k % 3),
                &[
                    (&g, "did you finish the homework", &[]),
                    (&v, "almost the math part is hard", &[]),
                    (&g, "lets do it together after school", &[]),
                    (&v, "sure see you at the library", &[]),
                    (&g, "bring the notes please", &[]),
                    (&v, "ok cool", &[]),
                ],
                None,
            ));
        }
        out
    }

    fn exemplar_dir(dir: &Path) -> PathBuf {
        let ex = dir.join("exemplars");
        std::fs::create_dir_all(&ex).unwrap();
        let phrases = |s: Stage| match s {
            Stage::AgeProbing => "\"how old are you\", \"what grade are you in\"",
            Stage::Flattery => "\"you are so mature\", \"you are pretty\"",
            Stage::Secrecy => "\"dont tell your parents\", \"keep it secret\"",
            Stage::GiftsMoney => "\"i will send you money\", \"gift card for you\"",
            Stage::PlatformMove => "\"add me on another app\", \"private app\"",
            _ => "\"some unrelated words here\"",
        };
        for s in Stage::ALL {
            std::fs::write(ex.join(format!("{s}.toml")), format!("bank = \"{s}\"\nphrases = [{}]\n", phrases(s)))
                .unwrap();
        }
        std::fs::write(
            ex.join("benign.toml"),
            "bank = \"benign\"\nphrases = [\"homework together\", \"see you at school\"]\n",
        )
        .unwrap();
        ex
    }

    fn train_tiny(out: &Path, seed: u64) -> TrainReport {
        let enc = WordHashEncoder::new("word-hash-test");
        let opts = TrainOptions {
            seed,
            epochs: 60,
            holdout_families: vec!["fam-g0".into(), "fam-b0".into()],
            out_dir: out.to_path_buf(),
            exemplars_dir: exemplar_dir(out),
            cache_dir: Some(out.join("cache")),
            alert_threshold: DEFAULT_ALERT_THRESHOLD,
        };
        train(&tiny_set(), &enc, &opts).unwrap()
    }

    fn window(det: &Detector, enc: &WordHashEncoder, lines: &[(&str, &str)]) -> ConversationWindow {
        let texts: Vec<String> = lines.iter().map(|l| crate::normalize::normalize(l.1)).collect();
        let feats = det.message_features(&encode_texts(enc, &texts).unwrap());
        let t0 = parse_timestamp("2026-03-01T10:00:00Z").unwrap();
        let messages = lines
            .iter()
            .zip(feats)
            .enumerate()
            .map(|(i, ((s, _), features))| WindowMessage {
                message_id: format!("m{i}"),
                sender_id: s.to_string(),
                sent_at: t0 + chrono::Duration::minutes(i as i64),
                age_band: None,
                features,
                excerpt: None,
                source: None,
            })
            .collect();
        ConversationWindow {
            conversation_id: "c".into(),
            messages,
            total_seen: lines.len() as u64,
            last_active: t0,
            policy: Default::default(),
        }
    }

    #[test]
    fn one_sided_multi_stage_grooming_outranks_symmetric_and_single_stage_chat() {
        let dir = tempfile::tempdir().unwrap();
        let report = train_tiny(dir.path(), 3);
        assert!(report.version.starts_with("jaga-0.1+word-hash-test+"));
        let enc = WordHashEncoder::new("word-hash-test");
        let det = Detector::load(dir.path(), &enc).unwrap();
        let one_sided = window(
            &det,
            &enc,
            &[
                ("kid", "hi"),
                ("adult", "how old are you exactly"),
                ("kid", "thirteen"),
                ("adult", "you are so mature and pretty"),
                ("adult", "dont tell your parents about us"),
                ("adult", "add me on the other private app"),
            ],
        );
        let symmetric = window(
            &det,
            &enc,
            &[
                ("a", "you are so mature and pretty"),
                ("b", "you are so mature and pretty"),
                ("a", "did you finish the homework"),
                ("b", "almost the math part is hard"),
            ],
        );
        let single = window(&det, &enc, &[("a", "did you finish the homework"), ("b", "you are so mature and pretty")]);
        let g = det.score(&one_sided).unwrap();
        let s = det.score(&symmetric).unwrap();
        let one = det.score(&single).unwrap();
        assert!(g.risk > s.risk && g.risk > one.risk, "{} vs {} / {}", g.risk, s.risk, one.risk);
        assert_eq!(g.suspect, "adult");
        assert!(!g.evidence.is_empty() && g.evidence.len() <= MAX_EVIDENCE_TEST);
        for e in &g.evidence {
            assert_eq!(one_sided.messages[e.index].sender_id, "adult");
            assert!(e.score >= 0.3);
        }
        assert!(g.evidence.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(g.stages[Stage::Secrecy.index()] > g.stages[Stage::Meeting.index()], "{:?}", g.stages);
    }

    const MAX_EVIDENCE_TEST: usize = super::super::MAX_EVIDENCE;

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let ra = train_tiny(a.path(), 11);
        let rb = train_tiny(b.path(), 11);
        for f in ["stage_head.safetensors", "conv_head.safetensors", "meta.json"] {
            let fa = std::fs::read(ra.heads_dir.join(f)).unwrap();
            let fb = std::fs::read(rb.heads_dir.join(f)).unwrap();
            assert_eq!(fa, fb, "{f} differs");
        }
        assert_eq!(ra.version, rb.version);
        // The second run of the same data hits the embedding cache for every text.
        let again = train_tiny(a.path(), 11);
        assert_eq!(again.encoded, 0);
        assert_eq!(again.cache_hits, again.distinct_texts);
    }

    #[test]
    fn load_rejects_heads_for_another_encoder_or_layout() {
        let dir = tempfile::tempdir().unwrap();
        let r = train_tiny(dir.path(), 5);
        let other = WordHashEncoder::new("other-encoder");
        match Detector::load(dir.path(), &other) {
            Err(DetectorError::HeadsMissing { .. }) => {}
            other => panic!("expected HeadsMissing, got {:?}", other.err()),
        }
        // Heads copied under the other encoder's directory are still refused by their meta.
        let fake = heads_dir(dir.path(), "other-encoder");
        std::fs::create_dir_all(&fake).unwrap();
        for f in ["stage_head.safetensors", "conv_head.safetensors", "meta.json"] {
            std::fs::copy(r.heads_dir.join(f), fake.join(f)).unwrap();
        }
        assert!(matches!(Detector::load(dir.path(), &other), Err(DetectorError::EncoderMismatch { .. })));
        // A changed feature layout is refused.
        let meta_path = r.heads_dir.join("meta.json");
        let mut meta: HeadsMeta = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
        meta.conv_features.pop();
        std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
        let enc = WordHashEncoder::new("word-hash-test");
        assert!(matches!(Detector::load(dir.path(), &enc), Err(DetectorError::LayoutMismatch(_))));
    }

    #[test]
    fn metrics_count_alerts_latency_and_average_precision() {
        let set = tiny_set();
        let per = vec![(&set[0], vec![0.1, 0.2, 0.7, 0.9]), (&set[1], vec![0.1, 0.2, 0.65]), (&set[3], vec![0.7, 0.2])];
        let r = metrics(&per, 0.6);
        assert_eq!(r.overall.true_alerts, 1);
        assert_eq!(r.overall.false_alerts, 1);
        assert_eq!(r.overall.grooming, 1);
        assert!((r.overall.precision - 0.5).abs() < 1e-9);
        assert_eq!(r.overall.median_latency_messages, Some(0.0));
        assert!((r.overall.auc_pr - 1.0).abs() < 1e-9);
    }

    #[test]
    fn platt_recovers_a_known_scale() {
        let z: Vec<f32> = (0..2000).map(|i| (i as f32 - 1000.0) / 200.0).collect();
        // Labels drawn deterministically from sigmoid(2z - 1).
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let y: Vec<f32> =
            z.iter().map(|&v| if rng.random_bool(f64::from(sigmoid(2.0 * v - 1.0))) { 1.0 } else { 0.0 }).collect();
        let (a, b) = fit_platt(&z, &y);
        assert!((a - 2.0).abs() < 0.4 && (b + 1.0).abs() < 0.4, "a={a} b={b}");
    }
}
