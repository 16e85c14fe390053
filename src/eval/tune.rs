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
//!
//! # From reviewers' verdicts
//! [`tune_from_verdicts`] works on events that trust-and-safety reviewed (`jaga tune --events
//! --verdicts`). Its unit is the *reviewed event*: at threshold `t`, the events whose `risk_score`
//! is ≥ `t` are the ones a reviewer would still see at that level, and their precision is
//! `confirmed / (confirmed + false_alarm)` (`unclear` verdicts decide nothing). What the data
//! cannot say is said too:
//!
//! - Only emitted events are ever reviewed, so nothing is known below the lowest reviewed risk,
//!   and recall cannot be measured at all (it needs the grooming nobody flagged): the profile's
//!   provenance records no recall, and a threshold at the lowest reviewed risk is reported as such.
//! - Small samples: a threshold is only chosen where at least `min_support` decisive verdicts lie
//!   at or above it, and every level is reported with its support, the number of conversations
//!   behind it and a 95 % Wilson interval of its precision.
//! - **alert**: the lowest candidate with precision ≥ target and enough support (the most reviews
//!   that still meet the target). **critical**: the lowest candidate above alert with precision ≥
//!   0.95 and enough support, else `alert + 0.15` (reported as not measured). **watch**: keeps the
//!   base profile's distance below alert (reviews of watch events rarely exist), within the same
//!   bounds as above.
//! - Thresholds only mean something for one model: events from several model versions are refused.

use super::driver::ConvResult;
use super::metrics::f_beta;
use super::EvalError;
use crate::policy::{Profile, Provenance, Thresholds, VerdictProvenance};
use crate::verdicts::{ReviewedEvent, VerdictKind};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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

/// Flags and scores of the tuning set: eligible max risk (None = never scored) and label. Also
/// what `jaga train` chooses its profiles on ([`crate::train::profiles`]).
pub(crate) fn eligible(results: &[ConvResult], min_messages: u32) -> Vec<(Option<f32>, bool)> {
    let from = (min_messages as usize).saturating_sub(1);
    results.iter().map(|r| (r.max_risk_from(from), r.is_grooming())).collect()
}

/// Precision, recall and F0.5 of flagging every conversation whose eligible max risk reaches
/// `threshold`.
pub(crate) fn point(scored: &[(Option<f32>, bool)], threshold: f32) -> OperatingPoint {
    let positives = scored.iter().filter(|(_, g)| *g).count();
    let (mut flagged, mut tp) = (0usize, 0usize);
    for (_, grooming) in scored.iter().filter(|(s, _)| s.is_some_and(|s| s >= threshold)) {
        flagged += 1;
        tp += usize::from(*grooming);
    }
    let precision = (flagged > 0).then(|| tp as f64 / flagged as f64);
    let recall = if positives > 0 { tp as f64 / positives as f64 } else { 0.0 };
    OperatingPoint {
        threshold,
        flagged,
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
        achieved_recall: Some(alert.recall as f32),
        verdicts: None,
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

/// Precision among the reviewed events at or above one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReviewedPoint {
    pub threshold: f32,
    /// Decisive verdicts (confirmed or false alarm) on events with risk ≥ threshold.
    pub support: usize,
    pub confirmed: usize,
    /// Distinct conversations among those events (several events of one conversation are not
    /// independent evidence).
    pub conversations: usize,
    /// `None` without support.
    pub precision: Option<f64>,
    /// 95 % Wilson score interval of the precision.
    pub precision_low95: Option<f64>,
    pub precision_high95: Option<f64>,
}

/// How a verdict-tuned threshold was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdBasis {
    /// Chosen from reviewed events meeting the target with enough support.
    Measured,
    /// Set at a fixed distance from alert: the verdicts do not support a measured choice.
    Distance,
}

/// The verdict-tuned profile and the evidence behind each threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictTuneOutcome {
    pub profile: Profile,
    pub watch: ReviewedPoint,
    pub alert: ReviewedPoint,
    pub critical: ReviewedPoint,
    pub watch_basis: ThresholdBasis,
    pub critical_basis: ThresholdBasis,
    /// Decisive reviewed events, and reviewed events whose verdict was `unclear`.
    pub decisive: usize,
    pub unclear: usize,
    /// Things the reader must know about these thresholds.
    pub warnings: Vec<String>,
    /// Every candidate, highest threshold first.
    pub curve: Vec<ReviewedPoint>,
}

/// 95 % Wilson score interval of `k` successes in `n` trials; honest at small `n` and at 0 or 1.
pub fn wilson95(k: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + Z * Z / n;
    let centre = (p + Z * Z / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

fn reviewed_point(decisive: &[(f32, bool, &str)], threshold: f32) -> ReviewedPoint {
    let above: Vec<&(f32, bool, &str)> = decisive.iter().filter(|(r, _, _)| *r >= threshold).collect();
    let confirmed = above.iter().filter(|(_, c, _)| *c).count();
    let conversations = above.iter().map(|(_, _, conv)| *conv).collect::<BTreeSet<_>>().len();
    let support = above.len();
    let interval = wilson95(confirmed, support);
    ReviewedPoint {
        threshold,
        support,
        confirmed,
        conversations,
        precision: (support > 0).then(|| confirmed as f64 / support as f64),
        precision_low95: interval.map(|i| i.0),
        precision_high95: interval.map(|i| i.1),
    }
}

/// Re-derives `base`'s thresholds from reviewed events for a precision target at `alert`; see the
/// module docs for the rules. `data_sha256` covers the events and verdicts files.
pub fn tune_from_verdicts(
    reviewed: &[ReviewedEvent],
    base: &Profile,
    target_precision: f32,
    min_support: usize,
    data_sha256: &str,
    now: DateTime<Utc>,
) -> Result<VerdictTuneOutcome, EvalError> {
    if !(target_precision.is_finite() && target_precision > 0.0 && target_precision <= 1.0) {
        return Err(EvalError::Tune(format!("the target must be in (0, 1], got {target_precision}")));
    }
    let min_support = min_support.max(1);
    let models: BTreeSet<&str> = reviewed.iter().map(|r| r.event.model_version.as_str()).collect();
    if models.len() > 1 {
        return Err(EvalError::Tune(format!(
            "the reviewed events come from {} model versions ({}); thresholds only mean something for one \
             model: keep one model's events in the events file",
            models.len(),
            models.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let model_version = models.into_iter().next().unwrap_or_default().to_string();
    let unclear = reviewed.iter().filter(|r| r.verdict == VerdictKind::Unclear).count();
    let decisive: Vec<(f32, bool, &str)> = reviewed
        .iter()
        .filter(|r| r.verdict.is_decisive() && r.event.risk_score.is_finite())
        .map(|r| (r.event.risk_score, r.verdict == VerdictKind::Confirmed, r.event.conversation_id.as_str()))
        .collect();
    if decisive.len() < min_support {
        return Err(EvalError::Tune(format!(
            "only {} reviewed events have a decisive verdict (confirmed or false alarm; {unclear} more are \
             unclear), fewer than the {min_support} needed (--min-support): review more events first",
            decisive.len()
        )));
    }

    let lo = (base.hysteresis + 0.03).max(0.03);
    let hi = 0.97f32;
    let mut candidates: Vec<f32> = decisive.iter().map(|(r, _, _)| r.clamp(lo, hi)).collect();
    candidates.sort_by(|a, b| b.total_cmp(a));
    candidates.dedup();
    let curve: Vec<ReviewedPoint> = candidates.iter().map(|&t| reviewed_point(&decisive, t)).collect();
    let supported = |p: &&ReviewedPoint| p.support >= min_support;
    let meets = |p: &ReviewedPoint, goal: f64| p.precision.is_some_and(|x| x >= goal - 1e-9);

    // Lowest threshold (curve is highest first) meeting the target with enough support.
    let alert =
        curve.iter().filter(supported).rfind(|p| meets(p, f64::from(target_precision))).copied().ok_or_else(|| {
            let best = curve
                .iter()
                .filter(supported)
                .max_by(|a, b| a.precision.unwrap_or(0.0).total_cmp(&b.precision.unwrap_or(0.0)));
            EvalError::Tune(match best {
                Some(p) => format!(
                    "no alert threshold reaches precision >= {target_precision} with at least {min_support} \
                     reviewed events above it: the best is {:.3} at threshold {:.3} ({} reviewed events)",
                    p.precision.unwrap_or(0.0),
                    p.threshold,
                    p.support
                ),
                None => format!("no threshold has {min_support} reviewed events above it"),
            })
        })?;
    let a = alert.threshold;

    let measured_critical = if alert.precision.unwrap_or(0.0) < CRITICAL_PRECISION {
        curve.iter().filter(supported).rfind(|p| p.threshold > a && meets(p, CRITICAL_PRECISION)).map(|p| p.threshold)
    } else {
        None
    };
    let critical_basis = if measured_critical.is_some() { ThresholdBasis::Measured } else { ThresholdBasis::Distance };
    // Rounded like event scores, so the written profile reads as it was meant.
    let round4 = |x: f32| (x * 10_000.0).round() / 10_000.0;
    let critical_t = round4(measured_critical.unwrap_or(a + LEVEL_GAP).clamp(a + 0.01, 0.99));
    let watch_floor = (a / 2.0).max(base.hysteresis + 0.01);
    let base_gap = base.thresholds.alert - base.thresholds.watch;
    let watch_t = round4((a - base_gap).clamp(watch_floor, a - 0.01));

    let alert_p = reviewed_point(&decisive, a);
    let critical = reviewed_point(&decisive, critical_t);
    let watch = reviewed_point(&decisive, watch_t);
    let mut warnings = Vec::new();
    let lowest = decisive.iter().map(|(r, _, _)| *r).fold(f32::INFINITY, f32::min);
    if a <= lowest.clamp(lo, hi) {
        warnings.push(format!(
            "alert sits at the lowest reviewed risk ({lowest:.3}): a lower threshold may meet the target too, but no \
             event below it was ever emitted, so none was reviewed"
        ));
    }
    if critical_basis == ThresholdBasis::Distance && alert.precision.unwrap_or(0.0) < CRITICAL_PRECISION {
        warnings.push(format!(
            "critical is alert + {LEVEL_GAP}: no threshold above alert reaches precision {CRITICAL_PRECISION} with \
             {min_support} reviewed events"
        ));
    }
    if watch.support < min_support {
        warnings.push(format!(
            "watch keeps the base profile's distance below alert; only {} reviewed events lie at or above it",
            watch.support
        ));
    }
    if alert.conversations * 2 <= alert.support {
        warnings.push(format!(
            "the {} reviewed events at alert come from only {} conversations: they are not independent evidence",
            alert.support, alert.conversations
        ));
    }

    let mut profile = base.clone();
    profile.version = base.version.saturating_add(1);
    profile.thresholds = Thresholds { watch: watch_t, alert: a, critical: critical_t };
    let low = alert.precision_low95.unwrap_or(0.0);
    profile.description = format!(
        "Tuned by `jaga tune --verdicts` for precision >= {target_precision} at alert on {} reviewed events \
         (precision {:.3}, 95% interval {:.3}-{:.3}, over {} events in {} conversations; recall not measurable from \
         reviews); from {}.",
        decisive.len(),
        alert.precision.unwrap_or(0.0),
        low,
        alert.precision_high95.unwrap_or(0.0),
        alert.support,
        alert.conversations,
        base.id()
    );
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    profile.provenance = Some(Provenance {
        data_sha256: data_sha256.to_string(),
        model_version,
        created: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        target_precision,
        achieved_precision: alert.precision.unwrap_or(0.0) as f32,
        achieved_recall: None,
        verdicts: Some(VerdictProvenance {
            reviewed_events: count(decisive.len()),
            alert_support: count(alert.support),
            critical_support: count(critical.support),
            alert_precision_low95: low as f32,
        }),
    });
    profile.validate()?;
    Ok(VerdictTuneOutcome {
        profile,
        watch,
        alert: alert_p,
        critical,
        watch_basis: ThresholdBasis::Distance,
        critical_basis,
        decisive: decisive.len(),
        unclear,
        warnings,
        curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::tests::{profile, result};
    use crate::event::Level;
    use crate::verdicts::EventSummary;

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
        assert_eq!((p.target_precision, p.achieved_precision, p.achieved_recall), (0.9, 1.0, Some(0.5)));
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

    fn reviewed(rows: &[(f32, VerdictKind, &str)]) -> Vec<ReviewedEvent> {
        rows.iter()
            .enumerate()
            .map(|(i, (risk, verdict, conv))| ReviewedEvent {
                event: EventSummary {
                    event_id: format!("{i:032x}"),
                    conversation_id: (*conv).into(),
                    risk_score: *risk,
                    level: Level::Alert,
                    model_version: "m-1".into(),
                    profile: "default@v1".into(),
                },
                verdict: *verdict,
            })
            .collect()
    }

    #[test]
    fn wilson_interval_matches_known_values() {
        // 8 of 10: the textbook 95 % Wilson interval is 0.490-0.943.
        let (lo, hi) = wilson95(8, 10).unwrap();
        assert!((lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3, "{lo} {hi}");
        let (lo, hi) = wilson95(5, 5).unwrap();
        assert!(lo > 0.5 && lo < 0.6 && hi == 1.0, "5 of 5 is far from certain: {lo}");
        assert_eq!(wilson95(0, 0), None);
    }

    #[test]
    fn verdict_tuning_picks_the_lowest_supported_threshold_meeting_the_target() {
        use VerdictKind::*;
        // Risk high → low: 0.95 C, 0.9 C, 0.85 C, 0.8 C, 0.75 FA, 0.7 C, 0.65 FA, 0.6 FA, 0.5 U, 0.45 FA
        let rows = [
            (0.95, Confirmed, "c1"),
            (0.9, Confirmed, "c2"),
            (0.85, Confirmed, "c3"),
            (0.8, Confirmed, "c4"),
            (0.75, FalseAlarm, "c5"),
            (0.7, Confirmed, "c6"),
            (0.65, FalseAlarm, "c7"),
            (0.6, FalseAlarm, "c8"),
            (0.5, Unclear, "c9"),
            (0.45, FalseAlarm, "c10"),
        ];
        let r = reviewed(&rows);
        // ≥0.7: 5 C of 6 = 0.833; ≥0.75: 4/5 = 0.8; ≥0.8: 4/4; ≥0.65: 5/7 = 0.714.
        let out = tune_from_verdicts(&r, &profile(), 0.8, 3, SHA, now()).unwrap();
        assert_eq!(out.alert.threshold, 0.7);
        assert_eq!((out.alert.support, out.alert.confirmed, out.alert.conversations), (6, 5, 6));
        assert_eq!((out.decisive, out.unclear), (9, 1));
        // Alert precision 0.833 < 0.95: critical is the lowest threshold with precision ≥ 0.95 and
        // support ≥ 3 — 0.8 (4 of 4).
        assert_eq!((out.profile.thresholds.critical, out.critical_basis), (0.8, ThresholdBasis::Measured));
        // Watch keeps the base distance (0.6 - 0.35 = 0.25) below alert, within [alert/2, alert).
        assert!((out.profile.thresholds.watch - 0.45).abs() < 1e-6, "{}", out.profile.thresholds.watch);
        let p = out.profile.provenance.as_ref().unwrap();
        assert_eq!((p.achieved_recall, p.model_version.as_str()), (None, "m-1"));
        let v = p.verdicts.as_ref().unwrap();
        assert_eq!((v.reviewed_events, v.alert_support, v.critical_support), (9, 6, 4));
        assert!(v.alert_precision_low95 > 0.4 && v.alert_precision_low95 < 0.6, "{}", v.alert_precision_low95);
        assert!(out.profile.description.contains("recall not measurable"));
        assert_eq!(Profile::from_toml_str(&out.profile.to_toml_string()).unwrap(), out.profile);

        // A support floor of 7 rules 0.7 (6 events) out; 0.65 (7 events, 0.714) misses 0.8.
        let err = tune_from_verdicts(&r, &profile(), 0.8, 7, SHA, now()).unwrap_err().to_string();
        assert!(err.contains("best is 0.714") && err.contains("7 reviewed events"), "{err}");
        // Too few decisive verdicts at all.
        let err = tune_from_verdicts(&r, &profile(), 0.8, 10, SHA, now()).unwrap_err().to_string();
        assert!(err.contains("only 9 reviewed events") && err.contains("1 more are unclear"), "{err}");
    }

    #[test]
    fn verdict_tuning_says_what_the_reviews_cannot_show() {
        use VerdictKind::*;
        // Everything reviewed is confirmed, from two conversations only.
        let rows = [(0.8, Confirmed, "c1"), (0.75, Confirmed, "c1"), (0.7, Confirmed, "c2"), (0.66, Confirmed, "c1")];
        let out = tune_from_verdicts(&reviewed(&rows), &profile(), 0.9, 2, SHA, now()).unwrap();
        assert_eq!(out.alert.threshold, 0.66);
        assert_eq!(out.critical_basis, ThresholdBasis::Distance, "precision at alert is already ≥ 0.95");
        let w = out.warnings.join("\n");
        assert!(w.contains("lowest reviewed risk"), "{w}");
        assert!(w.contains("only 2 conversations"), "{w}");

        let mut mixed = reviewed(&rows);
        mixed[0].event.model_version = "m-2".into();
        let err = tune_from_verdicts(&mixed, &profile(), 0.9, 2, SHA, now()).unwrap_err().to_string();
        assert!(err.contains("2 model versions"), "{err}");
    }
}
