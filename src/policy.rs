//! Threshold profiles and the decision to emit (pure).
//!
//! A [`Profile`] turns a calibrated risk into a [`Level`] and says when a conversation deserves a
//! new event. Moderators pay for every event with their attention, so [`decide`] emits on a
//! conversation's first crossing and on each climb, but not for every message that stays high:
//!
//! - **Hysteresis**: a level is left only when risk falls below `threshold - hysteresis`, so a risk
//!   wobbling around a threshold does not produce a stream of events.
//! - **Re-arming**: once a conversation really drops below a level, crossing it again emits again.
//! - **Cooldown**: after an event, the same level is not emitted again for `cooldown_messages`
//!   messages (a climb to a higher level is always emitted at once: escalation is urgent).
//! - **Minimum context**: no event before `min_messages` messages, when a single ambiguous message
//!   would be all the evidence.
//!
//! Profiles are versioned TOML files (`models/profiles/*.toml`, written by `jaga tune`); the
//! profile id (`name@vN`) is stamped on every event so a reviewer knows which thresholds decided.

use crate::event::Level;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Profiles shipped inside the binary, so `--profile high-recall` works without files.
const BUILTINS: [(&str, &str); 3] = [
    ("default", include_str!("../models/profiles/default.toml")),
    ("high-recall", include_str!("../models/profiles/high-recall.toml")),
    ("high-precision", include_str!("../models/profiles/high-precision.toml")),
];

/// Why a profile could not be loaded. Messages name the field and the rule it broke.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("invalid profile TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("invalid profile: {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("cannot read profile {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unknown profile {name:?}: not a .toml path, not in {dir}, and not built in (default, high-recall, high-precision)")]
    NotFound { name: String, dir: PathBuf },
}

/// Risk thresholds for each level, strictly increasing, each in (0, 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub watch: f32,
    pub alert: f32,
    pub critical: f32,
}

impl Thresholds {
    /// The threshold of `level`.
    pub fn of(&self, level: Level) -> f32 {
        match level {
            Level::Watch => self.watch,
            Level::Alert => self.alert,
            Level::Critical => self.critical,
        }
    }
}

/// Where a tuned profile came from, so its numbers can be traced and reproduced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// SHA-256 (hex) of the labelled data the thresholds were tuned on.
    pub data_sha256: String,
    /// Model version the risk scores came from; thresholds only mean something for that model.
    pub model_version: String,
    /// When the profile was written, RFC 3339.
    pub created: String,
    /// The precision `jaga tune` aimed for at the `alert` level.
    pub target_precision: f32,
    /// Precision achieved at `alert` on the tuning data.
    pub achieved_precision: f32,
    /// Recall achieved at `alert` on the tuning data. Absent when tuned from reviewers' verdicts:
    /// recall needs the grooming conversations nobody flagged, which no review ever sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achieved_recall: Option<f32>,
    /// Present when tuned from reviewers' verdicts (`jaga tune --events --verdicts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdicts: Option<VerdictProvenance>,
}

/// How many review outcomes a verdict-tuned profile rests on, so a reader can judge its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictProvenance {
    /// Reviewed events with a decisive verdict (confirmed or false alarm).
    pub reviewed_events: u32,
    /// Decisive reviewed events at or above the alert threshold: what `achieved_precision` is over.
    pub alert_support: u32,
    /// Decisive reviewed events at or above the critical threshold.
    pub critical_support: u32,
    /// Lower end of the 95 % Wilson interval of the precision at alert.
    pub alert_precision_low95: f32,
}

fn default_hysteresis() -> f32 {
    0.05
}
fn default_cooldown() -> u32 {
    5
}
fn default_min_messages() -> u32 {
    3
}

/// A named, versioned threshold profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Letters, digits, `-`, `_`, `.`; also how the profile is found by name.
    pub name: String,
    /// Bumped whenever thresholds change, so events stay attributable.
    pub version: u32,
    pub description: String,
    pub thresholds: Thresholds,
    /// A level is left only when risk < threshold - hysteresis. In [0, watch).
    #[serde(default = "default_hysteresis")]
    pub hysteresis: f32,
    /// After an event, no new event at the SAME level for this many messages; climbs are immediate.
    #[serde(default = "default_cooldown")]
    pub cooldown_messages: u32,
    /// No event before the conversation has this many messages.
    #[serde(default = "default_min_messages")]
    pub min_messages: u32,
    /// Written by `jaga tune`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> PolicyError {
    PolicyError::Invalid { field, reason: reason.into() }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
}

fn unit_interval(field: &'static str, v: f32) -> Result<(), PolicyError> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(invalid(field, format!("must be in [0, 1], got {v}")))
    }
}

impl Profile {
    /// Parses and validates a profile.
    pub fn from_toml_str(s: &str) -> Result<Self, PolicyError> {
        let profile: Profile = toml::from_str(s)?;
        profile.validate()?;
        Ok(profile)
    }

    /// Checks the cross-field rules that serde cannot.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !valid_name(&self.name) {
            return Err(invalid(
                "name",
                format!("{:?} must be 1-64 ASCII letters, digits, '-', '_' or '.', not starting with '.'", self.name),
            ));
        }
        if self.version == 0 {
            return Err(invalid("version", "must be at least 1"));
        }
        let t = &self.thresholds;
        for (field, v) in
            [("thresholds.watch", t.watch), ("thresholds.alert", t.alert), ("thresholds.critical", t.critical)]
        {
            if !(v.is_finite() && v > 0.0 && v < 1.0) {
                return Err(invalid(field, format!("must be strictly between 0 and 1, got {v}")));
            }
        }
        if !(t.watch < t.alert && t.alert < t.critical) {
            return Err(invalid(
                "thresholds",
                format!(
                    "must be strictly increasing watch < alert < critical, got {} / {} / {}",
                    t.watch, t.alert, t.critical
                ),
            ));
        }
        if !(self.hysteresis.is_finite() && self.hysteresis >= 0.0 && self.hysteresis < t.watch) {
            return Err(invalid(
                "hysteresis",
                format!("must be in [0, thresholds.watch) so every level can be left, got {}", self.hysteresis),
            ));
        }
        if let Some(p) = &self.provenance {
            if p.data_sha256.len() != 64 || !p.data_sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(invalid("provenance.data_sha256", "must be 64 hex characters"));
            }
            if chrono::DateTime::parse_from_rfc3339(&p.created).is_err() {
                return Err(invalid("provenance.created", format!("{:?} is not an RFC 3339 timestamp", p.created)));
            }
            unit_interval("provenance.target_precision", p.target_precision)?;
            unit_interval("provenance.achieved_precision", p.achieved_precision)?;
            if let Some(r) = p.achieved_recall {
                unit_interval("provenance.achieved_recall", r)?;
            }
            if let Some(v) = &p.verdicts {
                unit_interval("provenance.verdicts.alert_precision_low95", v.alert_precision_low95)?;
                if v.alert_support > v.reviewed_events || v.critical_support > v.alert_support {
                    return Err(invalid(
                        "provenance.verdicts",
                        "supports must satisfy critical_support <= alert_support <= reviewed_events",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Loads a profile from a path to a `.toml` file, or by name: `<profiles_dir>/<name>.toml`
    /// first (so a tuned profile can override a built-in one), then the built-in profiles.
    pub fn load(path_or_name: &str, profiles_dir: &Path) -> Result<Self, PolicyError> {
        let read = |path: &Path| -> Result<Self, PolicyError> {
            let text =
                std::fs::read_to_string(path).map_err(|source| PolicyError::Io { path: path.to_path_buf(), source })?;
            Self::from_toml_str(&text)
        };
        let looks_like_path = path_or_name.ends_with(".toml")
            || path_or_name.contains('/')
            || path_or_name.contains(std::path::MAIN_SEPARATOR);
        if looks_like_path {
            return read(Path::new(path_or_name));
        }
        if valid_name(path_or_name) {
            let candidate = profiles_dir.join(format!("{path_or_name}.toml"));
            if candidate.is_file() {
                return read(&candidate);
            }
        }
        Self::builtin(path_or_name)
            .ok_or_else(|| PolicyError::NotFound { name: path_or_name.to_string(), dir: profiles_dir.to_path_buf() })
    }

    /// A profile compiled into the binary: "default" (balanced), "high-recall", "high-precision".
    pub fn builtin(name: &str) -> Option<Self> {
        BUILTINS.iter().find(|(n, _)| *n == name).and_then(|(_, text)| Self::from_toml_str(text).ok())
    }

    /// The id stamped on events: `name@v<version>`.
    pub fn id(&self) -> String {
        format!("{}@v{}", self.name, self.version)
    }

    /// The profile as a commented TOML file (what `jaga tune --out` writes); parses back equal.
    pub fn to_toml_string(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let t = &self.thresholds;
        let mut out = String::new();
        out.push_str(&format!(
            "# jaga threshold profile. Fields are documented in src/policy.rs (Profile).\n\
             name = {}\n\
             version = {}\n\
             description = {}\n\
             # Levels leave only when risk < threshold - hysteresis.\n\
             hysteresis = {}\n\
             # Messages after an event before the same level may be emitted again.\n\
             cooldown_messages = {}\n\
             # No event before a conversation has this many messages.\n\
             min_messages = {}\n\
             \n\
             # Calibrated risk at which each level starts; strictly increasing, in (0, 1).\n\
             [thresholds]\n\
             watch = {}\n\
             alert = {}\n\
             critical = {}\n",
            q(&self.name),
            self.version,
            q(&self.description),
            self.hysteresis,
            self.cooldown_messages,
            self.min_messages,
            t.watch,
            t.alert,
            t.critical,
        ));
        if let Some(p) = &self.provenance {
            out.push_str(&format!(
                "\n# How these thresholds were tuned (written by `jaga tune`).\n\
                 [provenance]\n\
                 data_sha256 = {}\n\
                 model_version = {}\n\
                 created = {}\n\
                 target_precision = {}\n\
                 achieved_precision = {}\n",
                q(&p.data_sha256),
                q(&p.model_version),
                q(&p.created),
                p.target_precision,
                p.achieved_precision,
            ));
            if let Some(r) = p.achieved_recall {
                out.push_str(&format!("achieved_recall = {r}\n"));
            }
            if let Some(v) = &p.verdicts {
                out.push_str(&format!(
                    "\n# Tuned from reviewers' verdicts: decisive reviews behind the thresholds.\n\
                     [provenance.verdicts]\n\
                     reviewed_events = {}\n\
                     alert_support = {}\n\
                     critical_support = {}\n\
                     alert_precision_low95 = {}\n",
                    v.reviewed_events, v.alert_support, v.critical_support, v.alert_precision_low95,
                ));
            }
        }
        out
    }

    /// The highest level whose threshold `risk` reaches (no hysteresis); None below watch or NaN.
    pub fn level_for(&self, risk: f32) -> Option<Level> {
        Level::ALL.into_iter().rev().find(|&l| risk >= self.thresholds.of(l))
    }
}

/// Per-conversation policy state; travels with the conversation window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyState {
    /// The level the conversation is in now, with hysteresis applied.
    pub level: Option<Level>,
    /// The highest level emitted and not re-armed since: only levels above it can emit. Falls back
    /// to `level` when the conversation drops below it.
    pub armed_above: Option<Level>,
    /// The level of the last event, if any (reported as `previous_level` on the next one).
    pub last_event: Option<Level>,
    /// Messages since the last event (0 on the event's own message).
    pub messages_since_event: u64,
}

/// An event to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub level: Level,
    /// The level of this conversation's previous event, if any.
    pub previous: Option<Level>,
}

/// Called once per message of a conversation with its current risk; returns Some when an event
/// should be emitted: the conversation first crosses a level, or climbs to a higher one; dropping
/// below (with hysteresis) re-arms the level so a later re-crossing after the cooldown emits again.
/// Never emits while messages_seen < min_messages.
///
/// A NaN risk carries no information: the state only counts the message.
pub fn decide(profile: &Profile, state: &mut PolicyState, risk: f32, messages_seen: u64) -> Option<Decision> {
    if state.last_event.is_some() {
        state.messages_since_event = state.messages_since_event.saturating_add(1);
    }
    if risk.is_nan() {
        return None;
    }

    // Current level with hysteresis: climbing takes the raw level at once; staying needs only
    // risk >= threshold - hysteresis, for the current level or any below it.
    let raw = profile.level_for(risk);
    state.level = if raw > state.level {
        raw
    } else {
        Level::ALL
            .into_iter()
            .rev()
            .filter(|&l| Some(l) <= state.level)
            .find(|&l| risk >= profile.thresholds.of(l) - profile.hysteresis)
    };

    // A real drop re-arms the levels above where the conversation now is.
    if state.level < state.armed_above {
        state.armed_above = state.level;
    }

    let level = state.level?;
    if Some(level) <= state.armed_above || messages_seen < u64::from(profile.min_messages) {
        return None;
    }
    let climb = state.last_event.is_none_or(|last| level > last);
    let cooled = state.messages_since_event > u64::from(profile.cooldown_messages);
    if !climb && state.last_event == Some(level) && !cooled {
        // Same level as the last event, still cooling down: stays pending until it cools.
        return None;
    }
    let decision = Decision { level, previous: state.last_event };
    state.armed_above = Some(level);
    state.last_event = Some(level);
    state.messages_since_event = 0;
    Some(decision)
}

/// Deterministic event id: hex of sha256 over (conversation_id, trigger_message_id, level,
/// model_version, profile id), length-prefixed fields so no two inputs collide; the first 32 hex
/// chars. Replaying the same input with the same model and profile yields the same ids, so
/// downstream consumers can deduplicate at-least-once deliveries.
pub fn event_id(
    conversation_id: &str,
    trigger_message_id: &str,
    level: Level,
    model_version: &str,
    profile_id: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"jaga.event_id.v1");
    for field in [conversation_id, trigger_message_id, level.as_str(), model_version, profile_id] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    let mut id = hex::encode(h.finalize());
    id.truncate(32);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            name: "test".into(),
            version: 1,
            description: "test profile".into(),
            thresholds: Thresholds { watch: 0.35, alert: 0.6, critical: 0.85 },
            hysteresis: 0.05,
            cooldown_messages: 5,
            min_messages: 1,
            provenance: None,
        }
    }

    /// Runs `decide` over a risk sequence (message n has messages_seen = n, from 1) and returns the
    /// emitted levels with the message number.
    fn run(p: &Profile, risks: &[f32]) -> Vec<(u64, Level, Option<Level>)> {
        let mut state = PolicyState::default();
        risks
            .iter()
            .zip(1u64..)
            .filter_map(|(&r, n)| decide(p, &mut state, r, n).map(|d| (n, d.level, d.previous)))
            .collect()
    }

    #[test]
    fn level_for_maps_risk_to_the_highest_reached_level() {
        let p = profile();
        assert_eq!(p.level_for(0.1), None);
        assert_eq!(p.level_for(0.35), Some(Level::Watch));
        assert_eq!(p.level_for(0.6), Some(Level::Alert));
        assert_eq!(p.level_for(0.99), Some(Level::Critical));
        assert_eq!(p.level_for(f32::NAN), None);
    }

    #[test]
    fn first_crossing_emits_once() {
        let p = profile();
        assert_eq!(run(&p, &[0.1, 0.2, 0.4, 0.45, 0.4, 0.42]), [(3, Level::Watch, None)]);
    }

    #[test]
    fn jump_straight_to_critical_emits_one_critical_event() {
        let p = profile();
        assert_eq!(run(&p, &[0.1, 0.95, 0.9]), [(2, Level::Critical, None)]);
    }

    #[test]
    fn climbs_emit_each_level_at_once_despite_cooldown() {
        let p = profile();
        assert_eq!(
            run(&p, &[0.4, 0.65, 0.9, 0.9]),
            [(1, Level::Watch, None), (2, Level::Alert, Some(Level::Watch)), (3, Level::Critical, Some(Level::Alert)),]
        );
    }

    #[test]
    fn hysteresis_prevents_flapping_around_a_threshold() {
        let p = profile();
        let risks: Vec<f32> = (0..40).map(|i| if i % 2 == 0 { 0.61 } else { 0.59 }).collect();
        assert_eq!(run(&p, &risks), [(1, Level::Alert, None)]);
    }

    #[test]
    fn no_duplicate_within_cooldown_and_re_arm_after_a_real_drop() {
        let p = profile();
        // Alert at 1; a real drop to watch territory at 2 (0.5 < 0.6 - 0.05); back up at 3, but
        // still cooling down (5 messages): emitted once the cooldown is over, at message 7.
        let events = run(&p, &[0.7, 0.5, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]);
        assert_eq!(events, [(1, Level::Alert, None), (7, Level::Alert, Some(Level::Alert))]);
    }

    #[test]
    fn re_crossing_after_cooldown_emits_immediately() {
        let p = profile();
        let mut risks = vec![0.7];
        risks.extend([0.2; 6]);
        risks.push(0.7);
        assert_eq!(run(&p, &risks), [(1, Level::Alert, None), (8, Level::Alert, Some(Level::Alert))]);
    }

    #[test]
    fn staying_high_without_a_drop_never_re_emits() {
        let p = profile();
        assert_eq!(run(&p, &[0.7; 30]), [(1, Level::Alert, None)]);
    }

    #[test]
    fn min_messages_defers_the_first_event() {
        let p = Profile { min_messages: 3, ..profile() };
        assert_eq!(run(&p, &[0.9, 0.9, 0.9, 0.9]), [(3, Level::Critical, None)]);
        assert_eq!(run(&p, &[0.9, 0.9]), []);
    }

    #[test]
    fn nan_risk_changes_nothing() {
        let p = profile();
        let mut state = PolicyState::default();
        assert!(decide(&p, &mut state, 0.7, 1).is_some());
        let before = state.clone();
        assert_eq!(decide(&p, &mut state, f32::NAN, 2), None);
        assert_eq!(state.level, before.level);
        assert_eq!(state.armed_above, before.armed_above);
    }

    #[test]
    fn builtin_profiles_parse_and_are_ordered_by_strictness() {
        let d = Profile::builtin("default").unwrap();
        let r = Profile::builtin("high-recall").unwrap();
        let pr = Profile::builtin("high-precision").unwrap();
        assert_eq!(d.name, "default");
        assert!(d.id().starts_with("default@v"), "{}", d.id());
        assert_eq!(r.name, "high-recall");
        assert_eq!(pr.name, "high-precision");
        assert!(r.thresholds.alert < d.thresholds.alert);
        assert!(d.thresholds.alert < pr.thresholds.alert);
        assert!(Profile::builtin("nope").is_none());
    }

    #[test]
    fn toml_round_trips_including_provenance() {
        let mut p = Profile::builtin("default").unwrap();
        p.description = "with \"quotes\"\nand a newline".into();
        p.provenance = Some(Provenance {
            data_sha256: "ab".repeat(32),
            model_version: "e5-small+heads-1".into(),
            created: "2026-01-02T03:04:05Z".into(),
            target_precision: 0.9,
            achieved_precision: 0.91,
            achieved_recall: Some(0.73),
            verdicts: None,
        });
        let text = p.to_toml_string();
        assert_eq!(Profile::from_toml_str(&text).unwrap(), p);

        // Tuned from verdicts: no recall, and the review support instead.
        let prov = p.provenance.as_mut().unwrap();
        prov.achieved_recall = None;
        prov.verdicts = Some(VerdictProvenance {
            reviewed_events: 120,
            alert_support: 80,
            critical_support: 31,
            alert_precision_low95: 0.83,
        });
        let text = p.to_toml_string();
        assert!(text.contains("[provenance.verdicts]") && !text.contains("achieved_recall"), "{text}");
        assert_eq!(Profile::from_toml_str(&text).unwrap(), p);
        let bad = text.replace("critical_support = 31", "critical_support = 81");
        assert!(Profile::from_toml_str(&bad).unwrap_err().to_string().contains("provenance.verdicts"));
    }

    #[test]
    fn invalid_profiles_are_rejected_with_clear_messages() {
        let base = crate::testutil::test_profile().to_toml_string();
        let err = |text: &str| Profile::from_toml_str(text).unwrap_err().to_string();

        let e = err(&base.replace("alert = 0.6", "alert = 0.3"));
        assert!(e.contains("strictly increasing"), "{e}");
        let e = err(&base.replace("critical = 0.85", "critical = 1.2"));
        assert!(e.contains("thresholds.critical") && e.contains("between 0 and 1"), "{e}");
        let e = err(&base.replace("watch = 0.35", "watch = 0"));
        assert!(e.contains("thresholds.watch"), "{e}");
        let e = err(&format!("{base}\nsurprise = 1\n"));
        assert!(e.contains("surprise"), "{e}");
        let e = err(&base.replace("[thresholds]", "[thresholds]\nextreme = 0.99"));
        assert!(e.contains("extreme"), "{e}");
        let e = err(&base.replace("hysteresis = 0.05", "hysteresis = 0.5"));
        assert!(e.contains("hysteresis"), "{e}");
        let e = err(&base.replace("name = \"default\"", "name = \"../etc\""));
        assert!(e.contains("name"), "{e}");
        let e = err(&base.replace("version = 1", "version = 0"));
        assert!(e.contains("version"), "{e}");
        let e = err("name = \"x\"");
        assert!(e.contains("missing field"), "{e}");
    }

    #[test]
    fn defaults_apply_when_optional_fields_are_missing() {
        let p = Profile::from_toml_str(
            "name = \"x\"\nversion = 2\ndescription = \"\"\n[thresholds]\nwatch = 0.2\nalert = 0.5\ncritical = 0.8\n",
        )
        .unwrap();
        assert_eq!(p.hysteresis, 0.05);
        assert_eq!(p.cooldown_messages, 5);
        assert_eq!(p.min_messages, 3);
        assert_eq!(p.id(), "x@v2");
    }

    #[test]
    fn load_by_path_by_name_and_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let mut custom = Profile::builtin("default").unwrap();
        custom.version = 7;
        std::fs::write(dir.path().join("default.toml"), custom.to_toml_string()).unwrap();
        // A file in the profiles dir overrides the built-in of the same name.
        assert_eq!(Profile::load("default", dir.path()).unwrap().version, 7);
        let path = dir.path().join("default.toml");
        assert_eq!(Profile::load(path.to_str().unwrap(), Path::new("/nonexistent")).unwrap().version, 7);
        assert_eq!(Profile::load("high-recall", dir.path()).unwrap().name, "high-recall");
        assert!(matches!(Profile::load("missing", dir.path()), Err(PolicyError::NotFound { .. })));
        assert!(matches!(Profile::load("missing.toml", dir.path()), Err(PolicyError::Io { .. })));
    }

    #[test]
    fn event_id_is_stable_and_sensitive_to_every_input() {
        let base = event_id("c1", "m9", Level::Alert, "model-1", "default@v1");
        assert_eq!(base.len(), 32);
        assert!(base.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(base, event_id("c1", "m9", Level::Alert, "model-1", "default@v1"));
        let variants = [
            event_id("c2", "m9", Level::Alert, "model-1", "default@v1"),
            event_id("c1", "m8", Level::Alert, "model-1", "default@v1"),
            event_id("c1", "m9", Level::Critical, "model-1", "default@v1"),
            event_id("c1", "m9", Level::Alert, "model-2", "default@v1"),
            event_id("c1", "m9", Level::Alert, "model-1", "default@v2"),
            // Shifting a boundary between fields must not collide.
            event_id("c1m", "9", Level::Alert, "model-1", "default@v1"),
        ];
        for v in &variants {
            assert_ne!(v, &base);
        }
    }
}
