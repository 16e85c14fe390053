//! Choosing thresholds for a target precision or recall (`jaga tune`).
//!
//! The sweep works on each conversation's *eligible max risk*: the highest risk over messages with
//! index ≥ `min_messages − 1`, because the policy never emits before `min_messages` messages and
//! emits an alert on the first eligible message whose risk reaches the alert threshold. A
//! conversation is predicted flagged at threshold `t` when its eligible max risk is ≥ `t`. (The
//! policy's hysteresis can keep a level that was reached before `min_messages` while risk sits
//! within `hysteresis` below the threshold; the sweep ignores that corner, so it is exact for the
//! common case and conservative otherwise.)
//!
//! Candidate thresholds are the observed eligible max risks (every distinct operating point),
//! limited to a range that leaves room for `watch` below and `critical` above.
//!
//! - **alert**: for a precision target, among candidates with precision ≥ target the one with the
//!   best recall (ties: better precision, then the higher threshold, which alerts less); for a
//!   recall target, among candidates with recall ≥ target the one with the best precision (ties:
//!   better recall, then the higher threshold).
//! - **watch**: an early, informational level that should catch about half of what `alert` misses:
//!   the highest candidate below `alert` whose recall ≥ `1 − (1 − recall_alert) / 2`; when none
//!   does (or recall at alert is already 1), `alert − 0.15`. Kept in
//!   `[max(alert / 2, hysteresis + 0.01), alert − 0.01]`: every level can be left, and a watch far
//!   below alert would fire on most benign chats and stop meaning anything.
//! - **critical**: "review first". When `alert` is below 0.95 precision, the lowest candidate above
//!   `alert` reaching precision ≥ 0.95; otherwise (or when none reaches it) `alert + 0.15`. Kept in
//!   `[alert + 0.01, 0.99]`.

use super::driver::ConvResult;
use super::metrics::f_beta;
use super::EvalError;
use crate::policy::{Profile, Provenance, Thresholds};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Precision `critical` aims for.
pub const CRITICAL_PRECISION: f64 = 0.95;
/// Distance of the fallback watch / critical thresholds from alert.
pub const LEVEL_GAP: f32 = 0.15;

/// What to tune for, at the `alert` level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Precision at least this, with the best recall.
    Precision(f32),
    /// Recall at least this, with the best precision.
    Recall(f32),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Precision(p) => write!(f, "precision >= {p}"),
            Target::Recall(r) => write!(f, "recall >= {r}"),
        }
    }
}

/// Precision and recall of flagging at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OperatingPoint {
    pub threshold: f32,
    pub flagged: usize,
    pub true_positives: usize,
    /// `None` when nothing is flagged.
    pub precision: Option<f64>,
    pub recall: f64,
    pub f0_5: Option<f64>,
}

/// The tuned profile and the operating points behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOutcome {
    /// `base` with new thresholds, version + 1 and provenance.
    pub profile: Profile,
    pub watch: OperatingPoint,
    pub alert: OperatingPoint,
    pub critical: OperatingPoint,
    /// Every candidate operating point, highest threshold first.
    pub curve: Vec<OperatingPoint>,
}

/// Flags and scores of the tuning set: eligible max risk (None = never scored) and label.
fn eligible(results: &[ConvResult], min_messages: u32) -> Vec<(Option<f32>, bool)> {
    let from = (min_messages as usize).saturating_sub(1);
    results.iter().map(|r| (r.max_risk_from(from), r.is_grooming())).collect()
}

fn point(scored: &[(Option<f32>, bool)], threshold: f32) -> OperatingPoint {
    let positives = scored.iter().filter(|(_, g)| *g).count();
    let flagged: Vec<bool> = scored.iter().filter(|(s, _)| s.is_some_and(|s| s >= threshold)).map(|p| p.1).collect();
    let tp = flagged.iter().filter(|g| **g).count();
    let precision = (!flagged.is_empty()).then(|| tp as f64 / flagged.len() as f64);
    let recall = if positives > 0 { tp as f64 / positives as f64 } else { 0.0 };
    OperatingPoint {
        threshold,
        flagged: flagged.len(),
        true_positives: tp,
        precision,
        recall,
        f0_5: f_beta(precision, Some(recall), 0.5),
    }
}

/// Tunes `base`'s thresholds on `results` for `target`; see the module docs for the rules.
/// `data_sha256` and `model_version` go into the profile's provenance (see [`super::data_sha256`]).
pub fn tune(
    results: &[ConvResult],
    base: &Profile,
    target: Target,
    data_sha256: &str,
    model_version: &str,
) -> Result<TuneOutcome, EvalError> {
    tune_at(results, base, target, data_sha256, model_version, Utc::now())
}

/// [`tune`] with an explicit creation time (for reproducible files and tests).
pub fn tune_at(
    results: &[ConvResult],
    base: &Profile,
    target: Target,
    data_sha256: &str,
    model_version: &str,
    now: DateTime<Utc>,
) -> Result<TuneOutcome, EvalError> {
    let goal = match target {
        Target::Precision(v) | Target::Recall(v) => v,
    };
    if !(goal.is_finite() && goal > 0.0 && goal <= 1.0) {
        return Err(EvalError::Tune(format!("the target must be in (0, 1], got {goal}")));
    }
    let scored = eligible(results, base.min_messages);
    let positives = scored.iter().filter(|(_, g)| *g).count();
    if positives == 0 || positives == scored.len() {
        return Err(EvalError::Tune(format!(
            "need both grooming and benign conversations, got {positives} grooming of {}",
            scored.len()
        )));
    }

    // Alert candidates leave room for watch (≥ hysteresis + 0.01, one step below) and critical.
    let lo = (base.hysteresis + 0.03).max(0.03);
    let hi = 0.97f32;
    let mut candidates: Vec<f32> = scored.iter().filter_map(|(s, _)| *s).map(|s| s.clamp(lo, hi)).collect();
    candidates.sort_by(|a, b| b.total_cmp(a));
    candidates.dedup();
    let curve: Vec<OperatingPoint> = candidates.iter().map(|&t| point(&scored, t)).collect();

    let prec = |p: &OperatingPoint| p.precision.unwrap_or(0.0);
    let meets = |p: &OperatingPoint| match target {
        Target::Precision(v) => p.precision.is_some_and(|x| x >= f64::from(v) - 1e-9),
        Target::Recall(v) => p.recall >= f64::from(v) - 1e-9,
    };
    // Primary, secondary, then the higher threshold (curve order) wins ties.
    let key = |p: &OperatingPoint| match target {
        Target::Precision(_) => (p.recall, prec(p)),
        Target::Recall(_) => (prec(p), p.recall),
    };
    let alert = curve
        .iter()
        .filter(|p| meets(p))
        .fold(None::<&OperatingPoint>, |best, p| match best {
            Some(b) if key(b) >= key(p) => Some(b),
            _ => Some(p),
        })
        .copied()
        .ok_or_else(|| unreachable_target(target, &curve))?;

    let a = alert.threshold;
    let miss_goal = 1.0 - (1.0 - alert.recall) / 2.0;
    let watch_floor = (a / 2.0).max(base.hysteresis + 0.01);
    let watch_t = curve
        .iter()
        .find(|p| p.threshold < a && alert.recall < 1.0 && p.recall >= miss_goal - 1e-9)
        .map_or(a - LEVEL_GAP, |p| p.threshold)
        .clamp(watch_floor, a - 0.01);
    let critical_t = if prec(&alert) < CRITICAL_PRECISION {
        curve.iter().rev().find(|p| p.threshold > a && prec(p) >= CRITICAL_PRECISION).map(|p| p.threshold)
    } else {
        None
    }
    .unwrap_or(a + LEVEL_GAP)
    .clamp(a + 0.01, 0.99);

    let mut profile = base.clone();
    profile.version = base.version.saturating_add(1);
    profile.thresholds = Thresholds { watch: watch_t, alert: a, critical: critical_t };
    let achieved_precision = alert.precision.unwrap_or(0.0) as f32;
    profile.description = format!(
        "Tuned by `jaga tune` for {target} at alert on {} conversations (precision {:.3}, recall {:.3}, F0.5 {:.3}); from {}.",
        scored.len(),
        achieved_precision,
        alert.recall,
        alert.f0_5.unwrap_or(0.0),
        base.id()
    );
    profile.provenance = Some(Provenance {
        data_sha256: data_sha256.to_string(),
        model_version: model_version.to_string(),
        created: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        // A recall target sets no precision floor: recorded as 0 and named in the description.
        target_precision: match target {
            Target::Precision(p) => p,
            Target::Recall(_) => 0.0,
        },
        achieved_precision,
        achieved_recall: alert.recall as f32,
    });
    profile.validate()?;
    Ok(TuneOutcome { profile, watch: point(&scored, watch_t), alert, critical: point(&scored, critical_t), curve })
}

/// The error for a target no threshold meets, naming the best that can be had.
fn unreachable_target(target: Target, curve: &[OperatingPoint]) -> EvalError {
    let best = match target {
        Target::Precision(_) => curve
            .iter()
            .filter(|p| p.precision.is_some())
            .max_by(|a, b| a.precision.unwrap_or(0.0).total_cmp(&b.precision.unwrap_or(0.0)))
            .map(|p| {
                format!(
                    "the best precision on this data is {:.3} (threshold {:.3}, recall {:.3})",
                    p.precision.unwrap_or(0.0),
                    p.threshold,
                    p.recall
                )
            }),
        Target::Recall(_) => curve
            .iter()
            .max_by(|a, b| a.recall.total_cmp(&b.recall))
            .map(|p| format!("the best recall on this data is {:.3} (threshold {:.3})", p.recall, p.threshold)),
    };
    EvalError::Tune(format!(
        "no alert threshold reaches {target}: {}",
        best.unwrap_or_else(|| "no conversation was scored".into())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::tests::{profile, result};

    const SHA: &str = "ab5f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a90";

    /// Grooming at 0.9, 0.8, 0.6, 0.4; benign at 0.7, 0.3, 0.2, 0.1.
    fn set() -> Vec<ConvResult> {
        let mut rs = Vec::new();
        for (i, r) in [0.9, 0.8, 0.6, 0.4].into_iter().enumerate() {
            rs.push(result(&format!("g{i}"), true, r, None));
        }
        for (i, r) in [0.7, 0.3, 0.2, 0.1].into_iter().enumerate() {
            rs.push(result(&format!("b{i}"), false, r, None));
        }
        rs
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn picks_the_best_recall_meeting_a_precision_target() {
        // t=0.9: P1 R.25 · 0.8: P1 R.5 · 0.7: P.67 R.5 · 0.6: P.75 R.75 · 0.4: P.8 R1 · 0.3: P.67
        let out = tune_at(&set(), &profile(), Target::Precision(0.75), SHA, "m-1", now()).unwrap();
        assert_eq!(out.alert.threshold, 0.4);
        assert_eq!((out.alert.precision, out.alert.recall), (Some(0.8), 1.0));

        let out = tune_at(&set(), &profile(), Target::Precision(0.9), SHA, "m-1", now()).unwrap();
        assert_eq!(out.alert.threshold, 0.8, "precision 1 with recall 0.5 beats recall 0.25");
        let t = out.profile.thresholds;
        assert!(t.watch < t.alert && t.alert < t.critical && t.critical < 1.0);
        // Watch halves the misses: recall ≥ 0.75 first reached (from above) at 0.6.
        assert_eq!(t.watch, 0.6);
        // Alert precision is already ≥ 0.95, so critical = alert + 0.15.
        assert!((t.critical - 0.95).abs() < 1e-6);
        assert_eq!(out.profile.version, profile().version + 1);
        let p = out.profile.provenance.as_ref().unwrap();
        assert_eq!((p.target_precision, p.achieved_precision, p.achieved_recall), (0.9, 1.0, 0.5));
        assert_eq!(p.created, "2026-03-01T12:00:00Z");
        assert!(out.profile.description.contains("F0.5"));
        // The written profile parses back equal.
        assert_eq!(Profile::from_toml_str(&out.profile.to_toml_string()).unwrap(), out.profile);
    }

    #[test]
    fn picks_the_best_precision_meeting_a_recall_target_and_sets_critical_by_precision() {
        let out = tune_at(&set(), &profile(), Target::Recall(0.7), SHA, "m-1", now()).unwrap();
        // Recall ≥ 0.7 at 0.6 (P .75) and 0.4 (P .8) and below: 0.4 has the best precision.
        assert_eq!(out.alert.threshold, 0.4);
        // Alert precision 0.8 < 0.95: critical is the lowest threshold above with precision ≥ 0.95.
        assert_eq!(out.profile.thresholds.critical, 0.8);
        assert_eq!(out.profile.provenance.unwrap().target_precision, 0.0);
    }

    #[test]
    fn only_messages_the_policy_may_alert_on_count() {
        // A grooming conversation whose only high risk is at index 0 cannot be alerted with
        // min_messages = 3, so it must not count as caught.
        let mut rs = set();
        rs[0].risk = vec![Some(0.95), Some(0.0), Some(0.0), Some(0.0)];
        let base = profile();
        assert_eq!(base.min_messages, 3);
        // Counting index 0, g0 (0.95) would make precision 1 reachable with recall 0.5 at 0.8.
        let out = tune_at(&rs, &base, Target::Precision(1.0), SHA, "m-1", now()).unwrap();
        assert_eq!((out.alert.threshold, out.alert.recall), (0.8, 0.25));
        assert!(out.curve.iter().all(|p| p.threshold < 0.9));
    }

    #[test]
    fn fails_clearly_when_the_target_cannot_be_met() {
        // The best benign outranks every grooming conversation: precision 1 is impossible.
        let mut rs = set();
        rs[4].risk[19] = Some(0.99);
        let err = tune_at(&rs, &profile(), Target::Precision(1.0), SHA, "m-1", now()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("precision >= 1") && msg.contains("best precision"), "{msg}");
        let only_benign: Vec<ConvResult> = set().into_iter().filter(|r| !r.is_grooming()).collect();
        assert!(tune_at(&only_benign, &profile(), Target::Precision(0.5), SHA, "m", now()).is_err());
        assert!(tune_at(&set(), &profile(), Target::Precision(1.5), SHA, "m", now()).is_err());
    }
}
