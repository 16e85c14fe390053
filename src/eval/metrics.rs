//! Conversation-level metrics (docs/contracts.md §5), pure functions of [`ConvResult`]s.
//!
//! Definitions, written down because a number is only trustworthy when its definition is:
//!
//! - **flagged**: an event of level `alert` or higher fired in the conversation (a `watch` alone
//!   does not flag). Grooming conversations are the positives.
//! - **precision / recall / F1 / F0.5**: over flagged vs grooming. F0.5 weighs precision twice as
//!   much as recall, the moderator-workload view.
//! - **auc_pr**: *average precision* over the conversations ranked by their max risk, the step-wise
//!   area `Σ (R_k − R_{k−1}) · P_k` over distinct score thresholds (ties form one step, so the order
//!   within a tie cannot flatter the model). No interpolation.
//! - **false_alerts_per_1k_benign**: 1000 × flagged benign / benign.
//! - **hard_negative_false_alert_rate**: flagged hard negatives / hard negatives (benign
//!   conversations that share surface signals with grooming).
//! - **median_latency_messages**: over flagged grooming conversations, first alert index − onset
//!   (0 = at the onset message; negative = before it). Median of an even count is the mean of the
//!   two middle values.
//! - **latency_weighted_f1** (latency-weighted F1 of early-risk / early sexual-predator detection
//!   research): `F1 × speed`, `speed = 1 − median over true positives of penalty(k)`, where `k` is
//!   the number of the conversation's messages read up to and including the first alert, counted
//!   from the start of the conversation (1 = alerted on the first message), and
//!   `penalty(k) = −1 + 2 / (1 + e^(−p (k − 1)))`, `p = ln 3 / (k_half − 1)`. So penalty(1) = 0 (no
//!   delay cost), penalty(k_half) = 0.5, penalty → 1 as k grows; `k_half` defaults to 10 messages.
//!
//! Undefined values are `None` (JSON `null`), never NaN: precision with nothing flagged, recall with
//! no grooming conversation, latency and speed with no true positive, rates with an empty
//! denominator. When F1 is 0 the latency-weighted F1 is 0 whatever the speed.
//!
//! `by_language` has the same keys as the top level for each of en / id / mixed that occurs in the
//! data; a language absent from the data is omitted rather than reported as nulls. `by_stage`
//! compares each stage label with the final suspect's stage maximum (predicted when ≥ 0.5) over
//! all conversations, flagged or not.

use super::driver::ConvResult;
use super::EvalError;
use crate::dataset::Language;
use crate::event::Stage;
use crate::policy::{Profile, Thresholds};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Default `k_half` of the latency penalty: an alert after 10 messages costs half the credit.
pub const DEFAULT_K_HALF: f64 = 10.0;
/// A stage counts as predicted when the suspect's stage maximum reaches this.
pub const STAGE_PREDICTED_AT: f32 = 0.5;

/// Metrics of one set of conversations (the whole file or one language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetMetrics {
    pub conversations: usize,
    pub grooming: usize,
    pub benign: usize,
    pub hard_negatives: usize,
    pub flagged: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub f0_5: Option<f64>,
    pub auc_pr: Option<f64>,
    pub false_alerts_per_1k_benign: Option<f64>,
    pub hard_negative_false_alert_rate: Option<f64>,
    pub median_latency_messages: Option<f64>,
    /// `1 − median penalty` over true positives (see the module docs).
    pub speed: Option<f64>,
    pub latency_weighted_f1: Option<f64>,
}

/// Stage-level agreement between labels and the suspect's stage maxima.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageMetrics {
    /// Conversations labelled with the stage.
    pub support: usize,
    /// Conversations where the stage was predicted.
    pub predicted: usize,
    pub true_positives: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

/// The evaluation result `jaga eval --json` prints (every key of docs/contracts.md §5, plus `by_stage`,
/// `k_half` and `thresholds`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    #[serde(flatten)]
    pub overall: SetMetrics,
    pub by_language: BTreeMap<Language, SetMetrics>,
    pub by_stage: BTreeMap<Stage, StageMetrics>,
    pub model_version: String,
    /// The profile id (`name@vN`).
    pub profile: String,
    pub k_half: f64,
    pub thresholds: Thresholds,
}

/// `penalty(k) = −1 + 2 / (1 + e^(−p (k − 1)))` with `p = ln 3 / (k_half − 1)`: 0 at k = 1, 0.5 at
/// `k_half`, approaching 1 for late alerts. `k_half` must be > 1.
pub fn latency_penalty(k: f64, k_half: f64) -> f64 {
    let p = 3f64.ln() / (k_half - 1.0);
    -1.0 + 2.0 / (1.0 + (-p * (k - 1.0)).exp())
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// F-beta from precision and recall; 0 when both are 0, `None` when either is undefined.
pub fn f_beta(precision: Option<f64>, recall: Option<f64>, beta: f64) -> Option<f64> {
    let (p, r) = (precision?, recall?);
    let b2 = beta * beta;
    let den = b2 * p + r;
    Some(if den > 0.0 { (1.0 + b2) * p * r / den } else { 0.0 })
}

/// Median; the mean of the two middle values for an even count; `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Average precision of `(score, is_positive)` pairs ranked by score, ties as one step; `None`
/// without positives.
pub fn average_precision(scored: &[(f32, bool)]) -> Option<f64> {
    let positives = scored.iter().filter(|(_, p)| *p).count();
    if positives == 0 {
        return None;
    }
    let mut ranked = scored.to_vec();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut fp, mut prev_recall, mut ap) = (0usize, 0usize, 0.0f64, 0.0f64);
    let mut i = 0;
    while i < ranked.len() {
        let score = ranked[i].0;
        while i < ranked.len() && ranked[i].0.total_cmp(&score).is_eq() {
            if ranked[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let recall = tp as f64 / positives as f64;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += (recall - prev_recall) * precision;
        prev_recall = recall;
    }
    Some(ap)
}

/// Precision and recall of "score ≥ t" for every distinct score `t`, highest first:
/// `(t, precision, recall)`. Used for the report's PR curve.
pub fn pr_curve(scored: &[(f32, bool)]) -> Vec<(f32, f64, f64)> {
    let positives = scored.iter().filter(|(_, p)| *p).count();
    let mut ranked = scored.to_vec();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut fp, mut out, mut i) = (0usize, 0usize, Vec::new(), 0);
    while i < ranked.len() {
        let score = ranked[i].0;
        while i < ranked.len() && ranked[i].0.total_cmp(&score).is_eq() {
            if ranked[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let recall = if positives > 0 { tp as f64 / positives as f64 } else { 0.0 };
        out.push((score, tp as f64 / (tp + fp) as f64, recall));
    }
    out
}

impl SetMetrics {
    /// Metrics of `results`; `k_half` must be > 1 (checked by [`EvalReport::compute`]).
    pub fn compute(results: &[ConvResult], k_half: f64) -> SetMetrics {
        let grooming = results.iter().filter(|r| r.is_grooming()).count();
        let benign = results.len() - grooming;
        let hard: Vec<&ConvResult> = results.iter().filter(|r| !r.is_grooming() && r.hard_negative).collect();
        let flagged = results.iter().filter(|r| r.flagged()).count();
        let tps: Vec<&ConvResult> = results.iter().filter(|r| r.is_grooming() && r.flagged()).collect();
        let tp = tps.len();
        let fp = flagged - tp;

        let precision = ratio(tp, flagged);
        let recall = ratio(tp, grooming);
        let f1 = f_beta(precision, recall, 1.0);
        let f0_5 = f_beta(precision, recall, 0.5);
        let scored: Vec<(f32, bool)> = results.iter().map(|r| (r.max_risk, r.is_grooming())).collect();

        let latencies: Vec<f64> = tps.iter().filter_map(|r| r.latency()).map(|l| l as f64).collect();
        let penalties: Vec<f64> =
            tps.iter().filter_map(|r| r.first_alert()).map(|i| latency_penalty((i + 1) as f64, k_half)).collect();
        let speed = median(&penalties).map(|m| 1.0 - m);
        let latency_weighted_f1 = match (f1, speed) {
            (Some(0.0), _) => Some(0.0),
            (Some(f), Some(s)) => Some(f * s),
            _ => None,
        };

        SetMetrics {
            conversations: results.len(),
            grooming,
            benign,
            hard_negatives: hard.len(),
            flagged,
            true_positives: tp,
            false_positives: fp,
            false_negatives: grooming - tp,
            precision,
            recall,
            f1,
            f0_5,
            auc_pr: average_precision(&scored),
            false_alerts_per_1k_benign: ratio(fp, benign).map(|x| 1000.0 * x),
            hard_negative_false_alert_rate: ratio(hard.iter().filter(|r| r.flagged()).count(), hard.len()),
            median_latency_messages: median(&latencies),
            speed,
            latency_weighted_f1,
        }
    }
}

impl StageMetrics {
    pub fn compute(results: &[ConvResult], stage: Stage) -> StageMetrics {
        let labelled = |r: &ConvResult| r.stages.contains(&stage);
        let predicted = |r: &ConvResult| r.stage_max.get(&stage).is_some_and(|&m| m >= STAGE_PREDICTED_AT);
        let support = results.iter().filter(|r| labelled(r)).count();
        let n_pred = results.iter().filter(|r| predicted(r)).count();
        let tp = results.iter().filter(|r| labelled(r) && predicted(r)).count();
        let (precision, recall) = (ratio(tp, n_pred), ratio(tp, support));
        StageMetrics {
            support,
            predicted: n_pred,
            true_positives: tp,
            precision,
            recall,
            f1: f_beta(precision, recall, 1.0),
        }
    }
}

impl EvalReport {
    /// Computes every metric; `profile` gives the id and thresholds recorded with the numbers.
    pub fn compute(
        results: &[ConvResult],
        profile: &Profile,
        model_version: &str,
        k_half: f64,
    ) -> Result<EvalReport, EvalError> {
        if !(k_half.is_finite() && k_half > 1.0) {
            return Err(EvalError::Options(format!("k_half must be a number greater than 1, got {k_half}")));
        }
        let by_language = Language::ALL
            .into_iter()
            .filter_map(|lang| {
                let subset: Vec<ConvResult> = results.iter().filter(|r| r.language == lang).cloned().collect();
                (!subset.is_empty()).then(|| (lang, SetMetrics::compute(&subset, k_half)))
            })
            .collect();
        let by_stage = Stage::ALL.into_iter().map(|s| (s, StageMetrics::compute(results, s))).collect();
        Ok(EvalReport {
            overall: SetMetrics::compute(results, k_half),
            by_language,
            by_stage,
            model_version: model_version.to_string(),
            profile: profile.id(),
            k_half,
            thresholds: profile.thresholds,
        })
    }

    /// A readable, aligned text table: overall and per language side by side, then per stage.
    pub fn to_table(&self) -> String {
        let mut cols: Vec<(&str, &SetMetrics)> = vec![("overall", &self.overall)];
        cols.extend(self.by_language.iter().map(|(l, m)| (l.as_str(), m)));
        let mut out = String::new();
        let t = &self.thresholds;
        let _ = writeln!(out, "model    {}", self.model_version);
        let _ = writeln!(
            out,
            "profile  {}  (watch {:.3}, alert {:.3}, critical {:.3})  k_half {}",
            self.profile, t.watch, t.alert, t.critical, self.k_half
        );
        let _ = writeln!(out);
        let _ = write!(out, "{:<32}", "");
        for (name, _) in &cols {
            let _ = write!(out, "{name:>10}");
        }
        let _ = writeln!(out);
        for (label, f) in metric_rows() {
            let _ = write!(out, "{label:<32}");
            for (_, m) in &cols {
                let _ = write!(out, "{:>10}", f(m));
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<18}{:>9}{:>11}{:>11}{:>9}{:>8}",
            "stage", "support", "predicted", "precision", "recall", "f1"
        );
        for (stage, m) in &self.by_stage {
            let _ = writeln!(
                out,
                "{:<18}{:>9}{:>11}{:>11}{:>9}{:>8}",
                stage.as_str(),
                m.support,
                m.predicted,
                num(m.precision, 3),
                num(m.recall, 3),
                num(m.f1, 3)
            );
        }
        out
    }
}

/// A row of the metrics table: its label and how to format it.
pub(crate) type Row = (&'static str, fn(&SetMetrics) -> String);

/// The rows of the metrics table, shared by the text table and the HTML report.
pub(crate) fn metric_rows() -> [Row; 18] {
    [
        ("conversations", |m| m.conversations.to_string()),
        ("grooming", |m| m.grooming.to_string()),
        ("benign", |m| m.benign.to_string()),
        ("  of which hard negatives", |m| m.hard_negatives.to_string()),
        ("flagged (alert or higher)", |m| m.flagged.to_string()),
        ("true positives", |m| m.true_positives.to_string()),
        ("false positives", |m| m.false_positives.to_string()),
        ("false negatives (misses)", |m| m.false_negatives.to_string()),
        ("precision", |m| num(m.precision, 3)),
        ("recall", |m| num(m.recall, 3)),
        ("f1", |m| num(m.f1, 3)),
        ("f0.5", |m| num(m.f0_5, 3)),
        ("auc_pr (average precision)", |m| num(m.auc_pr, 3)),
        ("false alerts per 1k benign", |m| num(m.false_alerts_per_1k_benign, 1)),
        ("hard-negative false alert rate", |m| num(m.hard_negative_false_alert_rate, 3)),
        ("median latency (messages)", |m| num(m.median_latency_messages, 1)),
        ("speed (1 - median penalty)", |m| num(m.speed, 3)),
        ("latency-weighted f1", |m| num(m.latency_weighted_f1, 3)),
    ]
}

/// `-` for an undefined value, else fixed decimals.
pub(crate) fn num(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) => format!("{x:.decimals$}"),
        None => "-".to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dataset::Label;
    use crate::eval::driver::EventRecord;
    use crate::event::Level;

    /// A conversation result with `n` messages; `alert_at` puts an alert event at that index.
    pub(crate) fn result(id: &str, grooming: bool, max_risk: f32, alert_at: Option<usize>) -> ConvResult {
        let n = 20;
        let mut risk = vec![Some(0.0f32); n];
        risk[n - 1] = Some(max_risk);
        ConvResult {
            id: id.into(),
            language: Language::En,
            label: if grooming { Label::Grooming } else { Label::Benign },
            hard_negative: false,
            onset: grooming.then_some(4),
            suspect: grooming.then(|| "u_a".to_string()),
            stages: Vec::new(),
            risk,
            predicted_suspect: vec![Some("u_a".into()); n],
            levels: vec![None; n],
            events: alert_at
                .map(|index| vec![EventRecord { index, level: Level::Alert, event_id: format!("{id}-e") }])
                .unwrap_or_default(),
            max_risk,
            stage_max: Stage::ALL.into_iter().map(|s| (s, 0.0)).collect(),
            evidence: Vec::new(),
        }
    }

    pub(crate) fn profile() -> Profile {
        crate::testutil::test_profile()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn precision_recall_and_f_scores_on_a_hand_computed_case() {
        // 4 grooming (3 flagged), 6 benign (1 flagged): P = 3/4, R = 3/4.
        let rs = vec![
            result("g1", true, 0.9, Some(4)),
            result("g2", true, 0.8, Some(6)),
            result("g3", true, 0.7, Some(2)),
            result("g4", true, 0.2, None),
            result("b1", false, 0.75, Some(3)),
            result("b2", false, 0.1, None),
            result("b3", false, 0.1, None),
            result("b4", false, 0.1, None),
            result("b5", false, 0.1, None),
            result("b6", false, 0.1, None),
        ];
        let m = SetMetrics::compute(&rs, DEFAULT_K_HALF);
        assert_eq!((m.true_positives, m.false_positives, m.false_negatives), (3, 1, 1));
        assert!(close(m.precision, 0.75) && close(m.recall, 0.75));
        assert!(close(m.f1, 0.75) && close(m.f0_5, 0.75));
        assert!(close(m.false_alerts_per_1k_benign, 1000.0 / 6.0));
        // latencies: 4-4=0, 6-4=2, 2-4=-2 -> median 0.
        assert_eq!(m.median_latency_messages, Some(0.0));

        // Unequal P and R: P = 1/2, R = 1 -> F1 = 2/3, F0.5 = 1.25*0.5/(0.25*0.5+1) = 5/9.
        let rs = vec![result("g", true, 0.9, Some(5)), result("b", false, 0.9, Some(5))];
        let m = SetMetrics::compute(&rs, DEFAULT_K_HALF);
        assert!(close(m.f1, 2.0 / 3.0));
        assert!(close(m.f0_5, 5.0 / 9.0));
    }

    #[test]
    fn average_precision_on_a_tiny_ranked_list_and_with_ties() {
        // P N P N: AP = 0.5*1 + 0.5*(2/3) = 5/6.
        let ranked = [(0.9, true), (0.8, false), (0.7, true), (0.6, false)];
        assert!(close(average_precision(&ranked), 5.0 / 6.0));
        // A tie between the positive and the negative is one step: AP = 1 * 1/2.
        assert!(close(average_precision(&[(0.5, false), (0.5, true)]), 0.5));
        assert!(close(average_precision(&[(0.5, true), (0.5, false)]), 0.5));
        assert_eq!(average_precision(&[(0.5, false)]), None);
        let curve = pr_curve(&ranked);
        assert_eq!(curve.len(), 4);
        assert!((curve[2].1 - 2.0 / 3.0).abs() < 1e-9 && curve[2].2 == 1.0);
    }

    #[test]
    fn median_latency_handles_negative_values_and_even_counts() {
        assert_eq!(median(&[-3.0, 5.0, -1.0]), Some(-1.0));
        assert_eq!(median(&[-3.0, -1.0, 2.0, 8.0]), Some(0.5));
        assert_eq!(median(&[]), None);
        let rs = vec![result("g1", true, 0.9, Some(1)), result("g2", true, 0.9, Some(2))];
        // onset 4: latencies -3 and -2.
        assert_eq!(SetMetrics::compute(&rs, DEFAULT_K_HALF).median_latency_messages, Some(-2.5));
    }

    #[test]
    fn latency_penalty_is_zero_at_the_first_message_half_at_k_half_and_tends_to_one() {
        assert!(latency_penalty(1.0, 10.0).abs() < 1e-12);
        assert!((latency_penalty(10.0, 10.0) - 0.5).abs() < 1e-12);
        assert!((latency_penalty(5.0, 5.0) - 0.5).abs() < 1e-12);
        assert!(latency_penalty(1000.0, 10.0) > 0.999_999);
        assert!(latency_penalty(4.0, 10.0) < latency_penalty(5.0, 10.0));
    }

    #[test]
    fn latency_weighted_f1_is_f1_times_speed() {
        // Both grooming flagged at index 9 (k = 10 = k_half): penalty 0.5, speed 0.5, F1 = 1.
        let rs = vec![result("g1", true, 0.9, Some(9)), result("g2", true, 0.9, Some(9))];
        let m = SetMetrics::compute(&rs, 10.0);
        assert!(close(m.f1, 1.0) && close(m.speed, 0.5) && close(m.latency_weighted_f1, 0.5));
        // Alert on the first message: no penalty.
        let m = SetMetrics::compute(&[result("g", true, 0.9, Some(0))], 10.0);
        assert!(close(m.latency_weighted_f1, 1.0));
        // Median of penalties over three TPs at k = 1, 10, 1000: median is 0.5.
        let rs = vec![
            result("g1", true, 0.9, Some(0)),
            result("g2", true, 0.9, Some(9)),
            result("g3", true, 0.9, Some(999)),
            result("g4", true, 0.1, None),
        ];
        let m = SetMetrics::compute(&rs, 10.0);
        assert!(close(m.speed, 0.5) && close(m.latency_weighted_f1, 0.5 * (2.0 * 0.75 / 1.75)));
    }

    #[test]
    fn undefined_values_are_null_in_json_never_nan() {
        // Nothing flagged, no hard negatives: precision, latency, speed undefined.
        let rs = vec![result("g", true, 0.3, None), result("b", false, 0.2, None)];
        let report = EvalReport::compute(&rs, &profile(), "m-1", DEFAULT_K_HALF).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        for key in ["precision", "f1", "f0_5", "median_latency_messages", "latency_weighted_f1"] {
            assert!(json[key].is_null(), "{key} should be null");
        }
        assert!(json["hard_negative_false_alert_rate"].is_null());
        assert_eq!(json["recall"], 0.0);
        assert!(!serde_json::to_string(&report).unwrap().contains("NaN"));
        // No data at all still serialises.
        let empty = EvalReport::compute(&[], &profile(), "m-1", DEFAULT_K_HALF).unwrap();
        assert!(serde_json::to_value(&empty).unwrap()["auc_pr"].is_null());
        // Only benign flagged: F1 is 0, so latency-weighted F1 is 0 although speed is undefined.
        let m = SetMetrics::compute(&[result("g", true, 0.1, None), result("b", false, 0.9, Some(3))], 10.0);
        assert_eq!((m.f1, m.speed, m.latency_weighted_f1), (Some(0.0), None, Some(0.0)));
    }

    #[test]
    fn report_has_every_contract_key_and_splits_by_language() {
        let mut rs = vec![
            result("g1", true, 0.9, Some(4)),
            result("b1", false, 0.1, None),
            result("g2", true, 0.8, None),
            result("b2", false, 0.7, Some(5)),
        ];
        rs[2].language = Language::Mixed;
        rs[3].language = Language::Mixed;
        rs[3].hard_negative = true;
        let report = EvalReport::compute(&rs, &profile(), "m-1", DEFAULT_K_HALF).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        for key in [
            "conversations",
            "grooming",
            "benign",
            "precision",
            "recall",
            "f1",
            "f0_5",
            "auc_pr",
            "false_alerts_per_1k_benign",
            "hard_negative_false_alert_rate",
            "median_latency_messages",
            "latency_weighted_f1",
            "by_language",
            "model_version",
            "profile",
            "by_stage",
            "k_half",
            "thresholds",
        ] {
            assert!(json.get(key).is_some(), "missing key {key}");
        }
        assert_eq!(json["profile"], "default@v1");
        let langs = json["by_language"].as_object().unwrap();
        assert_eq!(langs.keys().collect::<Vec<_>>(), vec!["en", "mixed"], "absent languages are omitted");
        assert_eq!(langs["en"]["precision"], 1.0);
        assert_eq!(langs["mixed"]["precision"], 0.0);
        assert_eq!(langs["mixed"]["hard_negative_false_alert_rate"], 1.0);
        assert!(langs["mixed"].get("f0_5").is_some());
        assert_eq!(json["by_stage"].as_object().unwrap().len(), 9);
        assert_eq!(json["thresholds"]["alert"].as_f64().map(|x| x as f32), Some(report.thresholds.alert));
        assert!(EvalReport::compute(&rs, &profile(), "m", 1.0).is_err());

        let table = report.to_table();
        assert!(table.contains("precision") && table.contains("mixed") && table.contains("age_probing"));
        assert!(table.lines().any(|l| l.starts_with("precision") && l.contains("0.500") && l.contains("1.000")));
    }

    #[test]
    fn stage_metrics_compare_labels_with_suspect_stage_maxima() {
        let mut a = result("g1", true, 0.9, Some(4));
        a.stages = vec![Stage::Secrecy, Stage::Meeting];
        a.stage_max.insert(Stage::Secrecy, 0.8);
        a.stage_max.insert(Stage::Meeting, 0.2);
        let mut b = result("b1", false, 0.1, None);
        b.stage_max.insert(Stage::Secrecy, 0.5); // predicted at exactly 0.5: a false positive
        let s = StageMetrics::compute(&[a.clone(), b.clone()], Stage::Secrecy);
        assert_eq!((s.support, s.predicted, s.true_positives), (1, 2, 1));
        assert_eq!((s.precision, s.recall), (Some(0.5), Some(1.0)));
        let m = StageMetrics::compute(&[a, b], Stage::Meeting);
        assert_eq!((m.precision, m.recall, m.f1), (None, Some(0.0), None));
    }
}
