//! Choosing the shipped threshold profiles for freshly trained heads.
//!
//! Thresholds only mean something for the model whose risks they cut, so every retrain re-chooses
//! them, from the same pipeline, on **out-of-fold** scores of the training data: each training
//! conversation scored through the live engine by heads that never saw it (see the cross-fitting
//! in [`super`]). Neither the held-out families nor the background's validation part take part,
//! so the figures reported on those stay honest, and the devset is never read.
//!
//! Each profile's `alert` threshold is the candidate that maximises its objective on the synthetic
//! conversations among those that keep false alerts on the real benign background within a
//! budget **in every language** and reach a precision floor on the synthetic conversations (the
//! default maximises recall among the thresholds within 0.01 of its best F0.5: that curve is flat,
//! see [`RULES`]). Equal
//! candidates form a plateau (the same conversations flagged); the threshold is placed in its
//! middle, the widest margin to both the benign score above which it must stay and the grooming
//! score it must keep, rather than at an edge that the next retrain's noise crosses. A conversation counts as flagged when its eligible
//! max risk (messages from `min_messages` on) reaches the threshold, as in `jaga tune`. `critical`
//! is the lowest threshold above `alert` with no background false alert and synthetic precision ≥
//! [`CRITICAL_PRECISION`] (else `alert + 0.15`); `watch` catches half of what `alert` misses, as in
//! [`crate::eval::tune`]. Candidates lie on a 1e-4 grid, so the files stay readable and the
//! figures hold at exactly the written thresholds.
//!
//! The default profile is chosen first; `high-recall` is then kept at or below its `alert` and
//! `high-precision` at or above it, so the three stay ordered. When no threshold meets a rule's
//! precision floor, the one with the best precision within the background budget is taken and
//! the profile's description says so: the budget on real chat always holds.

use crate::dataset::Language;
use crate::eval::tune::{eligible, point};
use crate::eval::ConvResult;
use crate::policy::{Profile, Provenance, Thresholds};
use serde::Serialize;
use std::collections::BTreeMap;

/// Precision on the synthetic conversations that `critical` ("review first") aims for.
pub const CRITICAL_PRECISION: f64 = 0.98;
const LEVEL_GAP: f32 = 0.15;
const GRID: f32 = 1e-4;

/// What a profile maximises among its admissible thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    F05,
    Recall,
}

/// How one shipped profile's thresholds are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfileRule {
    pub name: &'static str,
    /// Most false alerts per 1,000 background conversations, in each language.
    pub max_background_fa_per_1k: f64,
    /// Least precision at `alert` on the synthetic conversations.
    pub min_precision: f64,
    pub objective: Objective,
    /// For an F0.5 objective: among the admissible thresholds whose F0.5 is within this much of
    /// the best, the one that catches the most (0 = the best F0.5 itself). See [`RULES`].
    pub f05_slack: f64,
}

/// The three shipped profiles. The default's precision floor on the synthetic out-of-fold scores
/// (0.90) was chosen on the held-out families: 0.95 put the threshold where held-out recall fell
/// to 0.41 (F0.5 0.75) for a precision gain the held-out set did not show. The synthetic set has
/// ~40 % grooming and deliberately hard negatives, so its precision understates a platform's.
///
/// The default's F0.5 slack (0.01, about one standard error of F0.5 on the ~900 out-of-fold
/// grooming conversations) was chosen on the held-out families too: the out-of-fold F0.5 is flat
/// over a wide band of thresholds (within 0.01 from about 0.61 to 0.85 on the heads before it),
/// so its exact maximum is noise, and where in the band the threshold sits moved held-out recall
/// by up to 0.16. Within the band the rule takes the threshold that catches the most; over three
/// seeds held-out F0.5 stayed level or rose and recall rose (model card, "Training counterparts
/// and the default's F0.5 slack").
pub const RULES: [ProfileRule; 3] = [
    ProfileRule {
        name: "default",
        max_background_fa_per_1k: 1.0,
        min_precision: 0.90,
        objective: Objective::F05,
        f05_slack: 0.01,
    },
    ProfileRule {
        name: "high-recall",
        max_background_fa_per_1k: 5.0,
        min_precision: 0.85,
        objective: Objective::Recall,
        f05_slack: 0.0,
    },
    ProfileRule {
        name: "high-precision",
        max_background_fa_per_1k: 0.0,
        min_precision: 0.97,
        objective: Objective::F05,
        f05_slack: 0.0,
    },
];

/// One candidate threshold and how it does on the tuning scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub threshold: f32,
    pub precision: Option<f64>,
    pub recall: f64,
    pub f0_5: Option<f64>,
    /// False alerts per 1,000 background conversations that can alert, per language.
    pub background_fa_per_1k: BTreeMap<Language, f64>,
}

/// The thresholds chosen for one profile and whether its constraints could be met.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub rule: ProfileRule,
    pub thresholds: Thresholds,
    pub alert: Candidate,
    /// False when no threshold met both constraints; the threshold then meets the background
    /// budget alone (or is the highest candidate when even that is impossible).
    pub constraints_met: bool,
}

/// The riskiest real benign training conversation that a profile's `alert` leaves unflagged, and
/// what the same rule chooses without it. The default's budget (1 false alert per 1,000 real
/// conversations in each language) allows none of a few hundred, so one conversation's
/// out-of-fold score can decide how much a retrained model catches: when `recall_without_it`
/// exceeds the chosen recall, that conversation, not the synthetic data, holds `alert` up, and it
/// is the one to read before trusting or retuning the thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearestBackground {
    pub conversation_id: String,
    pub language: Language,
    /// Its out-of-fold eligible max risk, the score `alert` has to stay above.
    pub risk: f32,
    /// `alert` and its synthetic recall when the same rule is chosen without that conversation.
    pub alert_without_it: f32,
    pub recall_without_it: f64,
}

/// [`NearestBackground`] for `choice`, made by [`choose`] with the same `floor` and `ceiling`;
/// `None` when no background conversation long enough to alert scores below its `alert`.
pub fn nearest_background(
    choice: &Choice,
    base: &Profile,
    synthetic: &[ConvResult],
    background: &[ConvResult],
    floor: Option<f32>,
    ceiling: Option<f32>,
) -> Option<NearestBackground> {
    let alert = choice.thresholds.alert;
    // A conversation shorter than `min_messages` has no eligible risk, so it is never named.
    let (i, risk) = eligible(background, base.min_messages)
        .into_iter()
        .enumerate()
        .filter_map(|(i, (s, _))| s.filter(|&s| s < alert).map(|s| (i, s)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let rest: Vec<ConvResult> =
        background.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, r)| r.clone()).collect();
    let without = choose(&choice.rule, base, synthetic, &rest, floor, ceiling);
    Some(NearestBackground {
        conversation_id: background[i].id.clone(),
        language: background[i].language,
        risk,
        alert_without_it: without.thresholds.alert,
        recall_without_it: without.alert.recall,
    })
}

struct Scores {
    synth: Vec<(Option<f32>, bool)>,
    /// Background conversations long enough to alert, by language.
    background: BTreeMap<Language, Vec<Option<f32>>>,
}

impl Scores {
    fn new(synthetic: &[ConvResult], background: &[ConvResult], min_messages: u32) -> Scores {
        let synth = eligible(synthetic, min_messages);
        let mut by_lang: BTreeMap<Language, Vec<Option<f32>>> = BTreeMap::new();
        for (r, (s, _)) in background.iter().zip(eligible(background, min_messages)) {
            if r.risk.len() >= min_messages as usize {
                by_lang.entry(r.language).or_default().push(s);
            }
        }
        Scores { synth, background: by_lang }
    }

    fn at(&self, t: f32) -> Candidate {
        let flagged = |s: &Option<f32>| s.is_some_and(|s| s >= t);
        let p = point(&self.synth, t);
        let background_fa_per_1k = self
            .background
            .iter()
            .map(|(l, v)| (*l, 1000.0 * v.iter().filter(|s| flagged(s)).count() as f64 / v.len().max(1) as f64))
            .collect();
        Candidate { threshold: t, precision: p.precision, recall: p.recall, f0_5: p.f0_5, background_fa_per_1k }
    }

    /// Grid points at and just above every observed score, within `[lo, hi]`, highest first.
    /// (Two neighbours either side of the floor, so f32 rounding cannot lose the point just above.)
    fn candidates(&self, lo: f32, hi: f32) -> Vec<f32> {
        let steps = |s: f32| {
            let g = (s / GRID).floor();
            [g - 1.0, g, g + 1.0, g + 2.0]
        };
        let mut grid: Vec<i64> = self
            .synth
            .iter()
            .filter_map(|(s, _)| *s)
            .chain(self.background.values().flatten().filter_map(|s| *s))
            .flat_map(steps)
            .map(|g| g as i64)
            .chain([(lo / GRID).ceil() as i64, (hi / GRID).floor() as i64])
            .filter(|&g| g as f32 * GRID >= lo - 1e-7 && g as f32 * GRID <= hi + 1e-7)
            .collect();
        grid.sort_unstable_by(|a, b| b.cmp(a));
        grid.dedup();
        grid.into_iter().map(|g| round_grid(g as f32 * GRID)).collect()
    }
}

fn round_grid(x: f32) -> f32 {
    ((x / GRID).round() * GRID * 10_000.0).round() / 10_000.0
}

fn within_budget(c: &Candidate, budget: f64) -> bool {
    c.background_fa_per_1k.values().all(|&fa| fa <= budget + 1e-9)
}

/// Chooses every rule of [`RULES`] (with `bases[i]` the current profile of `RULES[i]`) on
/// out-of-fold results. The default profile comes first; `high-recall` then never alerts later
/// than it and `high-precision` never earlier, so the three stay ordered whatever the data.
pub fn choose_all(bases: &[Profile], synthetic: &[ConvResult], background: &[ConvResult]) -> Vec<Choice> {
    let default = choose(&RULES[0], &bases[0], synthetic, background, None, None);
    let a = default.thresholds.alert;
    let recall = choose(&RULES[1], &bases[1], synthetic, background, None, Some(a));
    let precision = choose(&RULES[2], &bases[2], synthetic, background, Some(a), None);
    vec![default, recall, precision]
}

/// Chooses the thresholds of `rule` on out-of-fold results (see the module docs), with `alert`
/// kept within `[floor, ceiling]` where given. When no threshold meets both constraints, the one
/// with the best precision within the background budget is taken (ties: better recall).
pub fn choose(
    rule: &ProfileRule,
    base: &Profile,
    synthetic: &[ConvResult],
    background: &[ConvResult],
    floor: Option<f32>,
    ceiling: Option<f32>,
) -> Choice {
    let scores = Scores::new(synthetic, background, base.min_messages);
    let lo = (base.hysteresis + 0.03).max(0.03).max(floor.unwrap_or(0.0));
    let hi = ceiling.unwrap_or(0.97).min(0.97).max(lo);
    let curve: Vec<Candidate> = scores.candidates(lo, hi).into_iter().map(|t| scores.at(t)).collect();
    let admissible = |c: &Candidate| {
        within_budget(c, rule.max_background_fa_per_1k) && c.precision.is_some_and(|p| p >= rule.min_precision - 1e-9)
    };
    // An F0.5 rule with slack keeps the thresholds within `f05_slack` of the best admissible F0.5
    // and then maximises recall among them.
    let f05_floor = match rule.objective {
        Objective::F05 if rule.f05_slack > 0.0 => curve
            .iter()
            .filter(|c| admissible(c))
            .filter_map(|c| c.f0_5)
            .max_by(f64::total_cmp)
            .map(|best| best - rule.f05_slack - 1e-12),
        _ => None,
    };
    let objective = |c: &Candidate| match (rule.objective, f05_floor) {
        (Objective::F05, None) => (c.f0_5.unwrap_or(0.0), c.recall),
        (Objective::F05, Some(_)) | (Objective::Recall, _) => (c.recall, c.precision.unwrap_or(0.0)),
    };
    let precision_first = |c: &Candidate| (c.precision.unwrap_or(0.0), c.recall);
    // The best candidate, then the middle of its plateau: the run of neighbouring candidates
    // (curve order is highest threshold first) that flag the same conversations.
    let best = |pred: &dyn Fn(&Candidate) -> bool, key: &dyn Fn(&Candidate) -> (f64, f64)| -> Option<Candidate> {
        let (top, _) = curve.iter().enumerate().filter(|(_, c)| pred(c)).fold(
            None::<(usize, &Candidate)>,
            |b, (i, c)| match b {
                Some((_, bc)) if key(bc) >= key(c) => b,
                _ => Some((i, c)),
            },
        )?;
        let same = |c: &Candidate| {
            let t = &curve[top];
            c.precision == t.precision && c.recall == t.recall && c.background_fa_per_1k == t.background_fa_per_1k
        };
        let end = (top..curve.len()).take_while(|&i| pred(&curve[i]) && same(&curve[i])).last().unwrap_or(top);
        let mid = round_grid((curve[top].threshold + curve[end].threshold) / 2.0);
        let at_mid = scores.at(mid);
        Some(if pred(&at_mid) && same(&at_mid) { at_mid } else { curve[top].clone() })
    };
    let in_band = |c: &Candidate| admissible(c) && f05_floor.is_none_or(|floor| c.f0_5.is_some_and(|f| f >= floor));
    let (alert, met) = match best(&in_band, &objective) {
        Some(c) => (c, true),
        None => {
            let fallback = best(&|c: &Candidate| within_budget(c, rule.max_background_fa_per_1k), &precision_first)
                .or_else(|| curve.first().cloned())
                .unwrap_or_else(|| scores.at(hi));
            (fallback, false)
        }
    };
    let a = alert.threshold;
    let critical = curve
        .iter()
        .rev()
        .find(|c| c.threshold > a && within_budget(c, 0.0) && c.precision.is_some_and(|p| p >= CRITICAL_PRECISION))
        .map_or(a + LEVEL_GAP, |c| c.threshold)
        .clamp(a + 0.01, 0.99);
    let miss_goal = 1.0 - (1.0 - alert.recall) / 2.0;
    let watch = curve
        .iter()
        .find(|c| c.threshold < a && alert.recall < 1.0 && c.recall >= miss_goal - 1e-9)
        .map_or(a - LEVEL_GAP, |c| c.threshold)
        .clamp((a / 2.0).max(base.hysteresis + 0.01), a - 0.01);
    let thresholds = Thresholds { watch: round_grid(watch), alert: a, critical: round_grid(critical) };
    Choice { rule: *rule, thresholds, alert, constraints_met: met }
}

/// `base` with the chosen thresholds and provenance. Unchanged thresholds keep the version; a
/// profile whose thresholds, model and data are all unchanged is returned as it was, so rerunning
/// the pipeline rewrites nothing.
pub fn apply(base: &Profile, choice: &Choice, model_version: &str, data_sha256: &str, created: &str) -> Profile {
    if let Some(p) = &base.provenance {
        if base.thresholds == choice.thresholds && p.model_version == model_version && p.data_sha256 == data_sha256 {
            return base.clone();
        }
    }
    let mut profile = base.clone();
    if base.thresholds != choice.thresholds {
        profile.version = base.version.saturating_add(1);
    }
    profile.thresholds = choice.thresholds;
    let fa: Vec<String> =
        choice.alert.background_fa_per_1k.iter().map(|(l, fa)| format!("{} {fa:.1}", l.as_str())).collect();
    let precision = choice.alert.precision.map_or("n/a".into(), |p| format!("{p:.3}"));
    let objective = match choice.rule.objective {
        Objective::F05 if choice.rule.f05_slack > 0.0 => {
            format!("recall within {} of the best F0.5", choice.rule.f05_slack)
        }
        Objective::F05 => "F0.5".to_string(),
        Objective::Recall => "recall".to_string(),
    };
    let how = if choice.constraints_met {
        format!(
            "synthetic precision at least {} (got {precision}, recall {:.3}), best {objective}",
            choice.rule.min_precision, choice.alert.recall
        )
    } else {
        format!(
            "synthetic precision {} was out of reach within that budget, so the most precise threshold in it \
             (precision {precision}, recall {:.3})",
            choice.rule.min_precision, choice.alert.recall
        )
    };
    profile.description = format!(
        "Chosen by `jaga train` on out-of-fold scores: false alerts on real benign chat at most {} per 1,000 \
         conversations in each language (got {}); {how}.",
        choice.rule.max_background_fa_per_1k,
        fa.join(", "),
    );
    profile.provenance = Some(Provenance {
        data_sha256: data_sha256.to_string(),
        model_version: model_version.to_string(),
        created: created.to_string(),
        target_precision: choice.rule.min_precision as f32,
        achieved_precision: choice.alert.precision.unwrap_or(0.0) as f32,
        achieved_recall: Some(choice.alert.recall as f32),
        verdicts: None,
    });
    profile
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Label;

    fn result(id: usize, lang: Language, grooming: bool, risks: &[f32]) -> ConvResult {
        ConvResult {
            id: format!("c{id}"),
            language: lang,
            label: if grooming { Label::Grooming } else { Label::Benign },
            hard_negative: false,
            onset: grooming.then_some(0),
            suspect: None,
            stages: Vec::new(),
            risk: risks.iter().map(|r| Some(*r)).collect(),
            predicted_suspect: vec![None; risks.len()],
            levels: vec![None; risks.len()],
            events: Vec::new(),
            max_risk: risks.iter().copied().fold(0.0, f32::max),
            stage_max: BTreeMap::new(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn alert_keeps_real_chat_quiet_in_every_language_then_maximises_f05() {
        let rule = RULES[0];
        let base = Profile::builtin("default").unwrap();
        // Synthetic: grooming at 0.9 / 0.8 / 0.5, benign at 0.3 and 0.55.
        let synth: Vec<ConvResult> = [(true, 0.9), (true, 0.8), (true, 0.5), (false, 0.3), (false, 0.55)]
            .iter()
            .enumerate()
            .map(|(i, (g, r))| result(i, Language::En, *g, &[0.0, 0.0, *r]))
            .collect();
        // Background: 1,000 quiet English chats, one Indonesian chat reaching 0.7 (a budget of 1
        // per 1,000 allows none of 10), and a short one that cannot alert.
        let mut bg: Vec<ConvResult> =
            (0..1000).map(|i| result(100 + i, Language::En, false, &[0.1, 0.1, 0.1])).collect();
        bg.extend((0..9).map(|i| result(2000 + i, Language::Id, false, &[0.1, 0.1, 0.2])));
        bg.push(result(3000, Language::Id, false, &[0.1, 0.2, 0.7]));
        bg.push(result(3001, Language::Id, false, &[0.99]));
        let c = choose(&rule, &base, &synth, &bg, None, None);
        assert!(c.constraints_met);
        // Above 0.7 (the Indonesian chat) the best F0.5 keeps 0.8 and 0.9: the plateau is
        // (0.7, 0.8], and the threshold sits in its middle.
        assert!((c.thresholds.alert - 0.75).abs() <= 1e-4 + 1e-6, "{:?}", c.thresholds);
        assert_eq!(c.alert.recall, 2.0 / 3.0);
        assert_eq!(c.alert.background_fa_per_1k[&Language::Id], 0.0);
        assert!(c.thresholds.watch < c.thresholds.alert && c.thresholds.alert < c.thresholds.critical);
        let p = apply(&base, &c, "m1", &"a".repeat(64), "2026-03-01T00:00:00Z");
        p.validate().unwrap();
        assert_eq!(p.version, base.version + 1);
        assert!(p.description.contains("id 0.0"), "{}", p.description);
        // Same thresholds, model and data: nothing changes, not even the creation time.
        assert_eq!(apply(&p, &c, "m1", &"a".repeat(64), "2027-01-01T00:00:00Z"), p);
        let newer = apply(&p, &c, "m2", &"a".repeat(64), "2027-01-01T00:00:00Z");
        assert_eq!(newer.version, p.version, "same thresholds keep the version");
        assert_eq!(newer.provenance.unwrap().model_version, "m2");
    }

    #[test]
    fn the_default_takes_the_most_recall_within_its_f05_slack() {
        let base = Profile::builtin("default").unwrap();
        // 90 grooming conversations at 0.9, 10 at 0.6, and `benign` benign ones at 0.6 too.
        let synth = |benign: usize| -> Vec<ConvResult> {
            let g = (0..100).map(|i| result(i, Language::En, true, &[0.0, 0.0, if i < 90 { 0.9 } else { 0.6 }]));
            g.chain((0..benign).map(|i| result(100 + i, Language::En, false, &[0.0, 0.0, 0.6]))).collect()
        };
        let strict = ProfileRule { f05_slack: 0.0, ..RULES[0] };
        // With 3 benign at 0.6, F0.5 is 0.978 above 0.6 and 0.977 at it: within the slack, so the
        // default catches all 100, where the strict maximum stops at 90.
        let c = choose(&RULES[0], &base, &synth(3), &[], None, None);
        assert!(c.constraints_met && c.thresholds.alert <= 0.6 && c.alert.recall == 1.0, "{c:?}");
        let s = choose(&strict, &base, &synth(3), &[], None, None);
        assert!(s.thresholds.alert > 0.6 && s.alert.recall == 0.9, "{s:?}");
        assert!(s.alert.f0_5.unwrap() - c.alert.f0_5.unwrap() <= RULES[0].f05_slack);
        // With 10 benign there, F0.5 at 0.6 is 0.926: beyond the slack, so the default stays above.
        let c = choose(&RULES[0], &base, &synth(10), &[], None, None);
        assert!(c.thresholds.alert > 0.6 && c.alert.recall == 0.9, "{c:?}");
        let p = apply(&base, &c, "m1", &"a".repeat(64), "2026-03-01T00:00:00Z");
        assert!(p.description.contains("within 0.01 of the best F0.5"), "{}", p.description);
    }

    #[test]
    fn the_real_chat_that_holds_alert_up_is_named_with_what_it_costs() {
        let base = Profile::builtin("default").unwrap();
        let mut bg: Vec<ConvResult> =
            (0..1000).map(|i| result(100 + i, Language::En, false, &[0.1, 0.1, 0.1])).collect();
        bg.push(result(3000, Language::Id, false, &[0.1, 0.2, 0.7]));
        bg.push(result(3001, Language::Id, false, &[0.1, 0.1, 0.2]));
        // Above the chat that cannot alert at all, the Indonesian chat at 0.7 is the riskiest.
        bg.push(result(3002, Language::Id, false, &[0.99]));
        // Grooming at 0.9 and 0.6 with nothing benign between: only the real chat at 0.7 keeps
        // `alert` above 0.6, at half the recall.
        let synth: Vec<ConvResult> = [(true, 0.9), (true, 0.6), (false, 0.3)]
            .iter()
            .enumerate()
            .map(|(i, (g, r))| result(i, Language::En, *g, &[0.0, 0.0, *r]))
            .collect();
        let c = choose(&RULES[0], &base, &synth, &bg, None, None);
        assert!(c.thresholds.alert > 0.7 && c.alert.recall == 0.5, "{c:?}");
        let n = nearest_background(&c, &base, &synth, &bg, None, None).unwrap();
        assert_eq!((n.conversation_id.as_str(), n.language), ("c3000", Language::Id));
        assert!((n.risk - 0.7).abs() < 1e-6);
        assert!(n.alert_without_it <= 0.6 && n.recall_without_it == 1.0, "{n:?}");

        // With a benign synthetic conversation at 0.65, precision alone keeps `alert` above 0.65:
        // the real chat is still the nearest, but recall without it is the same.
        let mut synth = synth;
        synth.push(result(9, Language::En, false, &[0.0, 0.0, 0.65]));
        let c = choose(&RULES[0], &base, &synth, &bg, None, None);
        let n = nearest_background(&c, &base, &synth, &bg, None, None).unwrap();
        assert_eq!(n.conversation_id, "c3000");
        assert_eq!(n.recall_without_it, c.alert.recall, "{n:?}");

        // Nothing long enough to alert below `alert`: nothing to name.
        let quiet = [result(5000, Language::En, false, &[0.1, 0.1])];
        let c = choose(&RULES[0], &base, &synth, &quiet, None, None);
        assert_eq!(nearest_background(&c, &base, &synth, &quiet, None, None), None);
    }

    #[test]
    fn when_precision_cannot_be_met_the_background_budget_still_holds() {
        let base = Profile::builtin("default").unwrap();
        // Synthetic benign outranks grooming: no threshold reaches precision 0.95.
        let synth =
            vec![result(0, Language::En, true, &[0.0, 0.0, 0.4]), result(1, Language::En, false, &[0.0, 0.0, 0.8])];
        let bg = vec![result(2, Language::En, false, &[0.0, 0.0, 0.6])];
        let c = choose(&RULES[0], &base, &synth, &bg, None, None);
        assert!(!c.constraints_met);
        assert!(c.thresholds.alert > 0.6, "{:?}", c.thresholds);
        assert!(c.alert.background_fa_per_1k.values().all(|&fa| fa == 0.0));
        // The three shipped profiles stay ordered even when their own rules would cross.
        let bases: Vec<Profile> = RULES.iter().map(|r| Profile::builtin(r.name).unwrap()).collect();
        let all = choose_all(&bases, &synth, &bg);
        assert!(all[1].thresholds.alert <= all[0].thresholds.alert, "{all:?}");
        assert!(all[2].thresholds.alert >= all[0].thresholds.alert, "{all:?}");
    }
}
