//! Reviewer verdicts (docs/contracts.md §7): what trust-and-safety decided about a risk event, and
//! the live precision that follows from it.
//!
//! A verdict says whether a reviewer *confirmed* an event, called it a *false alarm*, or found it
//! *unclear*. Two consumers use them:
//!
//! - the live processor keeps a [`VerdictTracker`]: `jaga_verdicts_total{level,verdict}` and a
//!   precision gauge per level over a sliding window, so a drifting model or a bad profile shows up
//!   on a dashboard within days instead of at the next evaluation;
//! - `jaga tune --events --verdicts` joins verdicts with the events they judge ([`join`]) and
//!   re-derives thresholds from real review outcomes (see [`crate::eval::tune::tune_from_verdicts`]).
//!
//! Decoding follows [`crate::message`]: it never panics, and every way a record can be wrong maps
//! to a [`BadVerdictReason`] with a stable [`BadVerdictReason::code`] for the dead-letter header
//! and the `reason` label of `jaga_bad_verdicts_total`. The reviewer id is validated and then
//! dropped: nothing here stores, logs or exports it.
//!
//! # Which level a verdict counts for
//! Precision is per level, but a verdict names only the event. The level comes from, in order:
//! 1. the tracker's own memory of the events this process emitted ([`VerdictTracker::remember`]):
//!    a bounded map of the most recent event ids (oldest forgotten first), authoritative because
//!    the event id is a hash over the level;
//! 2. the verdict's optional `level` field, which review tools copy from the event — the only
//!    source when another replica emitted the event, or after a restart;
//! 3. otherwise `unknown`, counted and shown like a level so such verdicts are never dropped.
//!
//! # The sliding window
//! Each level keeps its most recent `window_verdicts` verdicts, and none decided more than
//! `window_age` before now. Precision is `confirmed / (confirmed + false_alarm)`; `unclear` is
//! counted but decides nothing. A later verdict on the same event (a second review, a correction)
//! replaces the earlier one in the window, an identical redelivery is ignored, and an older one
//! arriving late is ignored, so at-least-once delivery of the verdicts topic cannot skew precision.
//! With no decisive verdict in the window the precision gauge is absent rather than 0 or 1: the
//! `jaga_verdict_window_decisive{level}` gauge says how many verdicts the figure rests on.

use crate::event::{Level, Stage};
use crate::message::parse_timestamp;
use crate::metrics::Metrics;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;

/// Version of the verdict shape this build reads.
pub const VERDICT_SCHEMA_VERSION: u64 = 1;

/// Longest conversation or reviewer id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 256;

/// What the reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// The reviewer saw grooming: the event was right.
    Confirmed,
    /// The reviewer saw none: the event cost attention for nothing.
    FalseAlarm,
    /// Not enough to decide; left out of precision.
    Unclear,
}

impl VerdictKind {
    pub const ALL: [VerdictKind; 3] = [VerdictKind::Confirmed, VerdictKind::FalseAlarm, VerdictKind::Unclear];

    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Confirmed => "confirmed",
            VerdictKind::FalseAlarm => "false_alarm",
            VerdictKind::Unclear => "unclear",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        VerdictKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Confirmed or false alarm: the verdicts precision is computed from.
    pub fn is_decisive(self) -> bool {
        self != VerdictKind::Unclear
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The level a verdict is attributed to: an event level, or `unknown` (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictLevel {
    Watch,
    Alert,
    Critical,
    Unknown,
}

impl VerdictLevel {
    pub const ALL: [VerdictLevel; 4] =
        [VerdictLevel::Watch, VerdictLevel::Alert, VerdictLevel::Critical, VerdictLevel::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            VerdictLevel::Watch => "watch",
            VerdictLevel::Alert => "alert",
            VerdictLevel::Critical => "critical",
            VerdictLevel::Unknown => "unknown",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl From<Level> for VerdictLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Watch => VerdictLevel::Watch,
            Level::Alert => VerdictLevel::Alert,
            Level::Critical => VerdictLevel::Critical,
        }
    }
}

impl fmt::Display for VerdictLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated verdict. The reviewer id is checked on decoding and not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub event_id: String,
    pub conversation_id: String,
    pub verdict: VerdictKind,
    pub decided_at: DateTime<Utc>,
    /// The event's level as the review tool copied it, if it did.
    pub level: Option<Level>,
    /// The stages the reviewer found, when they corrected the event's.
    pub stages: Option<Vec<Stage>>,
}

/// Why a verdict record was rejected. Stable `code`s: dashboards and DLQ consumers match on them.
/// Messages name fields and rules, never a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadVerdictReason {
    TooLarge { size: usize, limit: usize },
    InvalidUtf8,
    NotJson(String),
    NotAnObject,
    MissingField(&'static str),
    WrongType { field: &'static str, expected: &'static str },
    EmptyId(&'static str),
    IdTooLong(&'static str),
    InvalidEventId,
    InvalidVerdict,
    InvalidTimestamp(String),
    InvalidLevel,
    InvalidStage { position: usize },
    UnsupportedSchemaVersion,
    MissingValue,
}

impl BadVerdictReason {
    /// Short machine-readable code, used as a metric label and in the `jaga.dlq.reason` header.
    pub fn code(&self) -> &'static str {
        match self {
            BadVerdictReason::TooLarge { .. } => "too_large",
            BadVerdictReason::InvalidUtf8 => "invalid_utf8",
            BadVerdictReason::NotJson(_) => "not_json",
            BadVerdictReason::NotAnObject => "not_an_object",
            BadVerdictReason::MissingField(_) => "missing_field",
            BadVerdictReason::WrongType { .. } => "wrong_type",
            BadVerdictReason::EmptyId(_) => "empty_id",
            BadVerdictReason::IdTooLong(_) => "id_too_long",
            BadVerdictReason::InvalidEventId => "invalid_event_id",
            BadVerdictReason::InvalidVerdict => "invalid_verdict",
            BadVerdictReason::InvalidTimestamp(_) => "invalid_timestamp",
            BadVerdictReason::InvalidLevel => "invalid_level",
            BadVerdictReason::InvalidStage { .. } => "invalid_stage",
            BadVerdictReason::UnsupportedSchemaVersion => "unsupported_schema_version",
            BadVerdictReason::MissingValue => "missing_value",
        }
    }

    /// Every code, so metrics can be pre-registered at zero.
    pub const CODES: [&'static str; 15] = [
        "too_large",
        "invalid_utf8",
        "not_json",
        "not_an_object",
        "missing_field",
        "wrong_type",
        "empty_id",
        "id_too_long",
        "invalid_event_id",
        "invalid_verdict",
        "invalid_timestamp",
        "invalid_level",
        "invalid_stage",
        "unsupported_schema_version",
        "missing_value",
    ];
}

impl fmt::Display for BadVerdictReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadVerdictReason::TooLarge { size, limit } => {
                write!(f, "record of {size} bytes exceeds the limit of {limit} bytes")
            }
            BadVerdictReason::InvalidUtf8 => f.write_str("record value is not valid UTF-8"),
            // serde_json's message names line/column only, never the content.
            BadVerdictReason::NotJson(e) => write!(f, "record value is not JSON: {e}"),
            BadVerdictReason::NotAnObject => f.write_str("record value is not a JSON object"),
            BadVerdictReason::MissingField(n) => write!(f, "required field `{n}` is missing"),
            BadVerdictReason::WrongType { field, expected } => write!(f, "field `{field}` must be {expected}"),
            BadVerdictReason::EmptyId(n) => write!(f, "field `{n}` must not be empty"),
            BadVerdictReason::IdTooLong(n) => write!(f, "field `{n}` is longer than {MAX_ID_BYTES} bytes"),
            BadVerdictReason::InvalidEventId => {
                f.write_str("field `event_id` must be a jaga event id (32 lowercase hex digits)")
            }
            BadVerdictReason::InvalidVerdict => {
                f.write_str("field `verdict` must be one of confirmed, false_alarm, unclear")
            }
            BadVerdictReason::InvalidTimestamp(e) => {
                write!(f, "field `decided_at` is not an RFC 3339 timestamp: {e}")
            }
            BadVerdictReason::InvalidLevel => f.write_str("field `level` must be one of watch, alert, critical"),
            BadVerdictReason::InvalidStage { position } => {
                write!(f, "field `stages` item {position} is not a grooming stage (docs/contracts.md §4)")
            }
            BadVerdictReason::UnsupportedSchemaVersion => {
                write!(f, "field `schema_version` must be {VERDICT_SCHEMA_VERSION}")
            }
            BadVerdictReason::MissingValue => f.write_str("record has no value (tombstone)"),
        }
    }
}

impl std::error::Error for BadVerdictReason {}

type Object = serde_json::Map<String, Value>;

fn required_str<'a>(obj: &'a Object, field: &'static str) -> Result<&'a str, BadVerdictReason> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(BadVerdictReason::MissingField(field)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(BadVerdictReason::WrongType { field, expected: "a string" }),
    }
}

fn required_id<'a>(obj: &'a Object, field: &'static str) -> Result<&'a str, BadVerdictReason> {
    let s = required_str(obj, field)?;
    if s.trim().is_empty() {
        return Err(BadVerdictReason::EmptyId(field));
    }
    if s.len() > MAX_ID_BYTES {
        return Err(BadVerdictReason::IdTooLong(field));
    }
    Ok(s)
}

fn is_event_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn parse_level(s: &str) -> Option<Level> {
    Level::ALL.into_iter().find(|l| l.as_str() == s)
}

/// Decodes and validates one record value (or one line of a verdicts file). Unknown fields are
/// ignored.
pub fn decode(bytes: Option<&[u8]>, max_bytes: usize) -> Result<Verdict, BadVerdictReason> {
    let bytes = bytes.ok_or(BadVerdictReason::MissingValue)?;
    if bytes.len() > max_bytes {
        return Err(BadVerdictReason::TooLarge { size: bytes.len(), limit: max_bytes });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BadVerdictReason::InvalidUtf8)?;
    let value: Value = serde_json::from_str(text).map_err(|e| BadVerdictReason::NotJson(e.to_string()))?;
    from_value(&value)
}

/// Validates an already-parsed JSON value.
pub fn from_value(value: &Value) -> Result<Verdict, BadVerdictReason> {
    let obj = value.as_object().ok_or(BadVerdictReason::NotAnObject)?;
    match obj.get("schema_version") {
        None | Some(Value::Null) => return Err(BadVerdictReason::MissingField("schema_version")),
        Some(Value::Number(n)) if n.as_u64() == Some(VERDICT_SCHEMA_VERSION) => {}
        Some(Value::Number(_)) => return Err(BadVerdictReason::UnsupportedSchemaVersion),
        Some(_) => return Err(BadVerdictReason::WrongType { field: "schema_version", expected: "an integer" }),
    }
    let event_id = required_str(obj, "event_id")?;
    if !is_event_id(event_id) {
        return Err(BadVerdictReason::InvalidEventId);
    }
    let conversation_id = required_id(obj, "conversation_id")?;
    let verdict = VerdictKind::parse(required_str(obj, "verdict")?).ok_or(BadVerdictReason::InvalidVerdict)?;
    // Validated so a review tool learns it sends garbage, then dropped (privacy).
    required_id(obj, "reviewer_id")?;
    let decided_at = parse_timestamp(required_str(obj, "decided_at")?).map_err(BadVerdictReason::InvalidTimestamp)?;
    let level = match obj.get("level") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(parse_level(s).ok_or(BadVerdictReason::InvalidLevel)?),
        Some(_) => return Err(BadVerdictReason::WrongType { field: "level", expected: "a string" }),
    };
    let stages = match obj.get("stages") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut stages = Vec::with_capacity(items.len());
            for (position, item) in items.iter().enumerate() {
                let stage = item
                    .as_str()
                    .and_then(|s| s.parse::<Stage>().ok())
                    .ok_or(BadVerdictReason::InvalidStage { position })?;
                if !stages.contains(&stage) {
                    stages.push(stage);
                }
            }
            Some(stages)
        }
        Some(_) => return Err(BadVerdictReason::WrongType { field: "stages", expected: "an array of stage names" }),
    };
    Ok(Verdict {
        event_id: event_id.to_owned(),
        conversation_id: conversation_id.to_owned(),
        verdict,
        decided_at,
        level,
        stages,
    })
}

/// Sizes of the tracker's window and memory; `jaga run` takes them from the `[verdicts]` settings
/// (`window_verdicts`, `window_days`, `remembered_events`; see `crate::config::VerdictsConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerConfig {
    /// Most recent verdicts kept per level. Reviews are sparse: a few hundred is enough for a
    /// precision figure whose interval is narrow enough to act on, and recent enough to move.
    pub window_verdicts: usize,
    /// Verdicts decided longer ago than this leave the window even when it is not full.
    pub window_age: Duration,
    /// Event ids remembered to attribute verdicts to a level (about 100 bytes each).
    pub remembered_events: usize,
    /// A `decided_at` further ahead of the clock than this counts as decided now, so one wrong
    /// clock cannot push every other verdict out of the window.
    pub max_clock_skew: Duration,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            window_verdicts: 200,
            window_age: Duration::days(30),
            remembered_events: 100_000,
            max_clock_skew: Duration::minutes(5),
        }
    }
}

/// What the tracker did with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// A first verdict on this event (in the window).
    Recorded(VerdictLevel),
    /// Replaced an earlier verdict on the same event.
    Revised(VerdictLevel),
    /// The same decision again (a redelivery), or one older than the decision already held.
    Ignored(VerdictLevel),
}

impl Observed {
    pub fn level(self) -> VerdictLevel {
        match self {
            Observed::Recorded(l) | Observed::Revised(l) | Observed::Ignored(l) => l,
        }
    }
}

/// Counts in one level's window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WindowStats {
    pub confirmed: usize,
    pub false_alarm: usize,
    pub unclear: usize,
}

impl WindowStats {
    /// Verdicts that decide precision.
    pub fn decisive(&self) -> usize {
        self.confirmed + self.false_alarm
    }

    /// `confirmed / decisive`, `None` with no decisive verdict.
    pub fn precision(&self) -> Option<f64> {
        (self.decisive() > 0).then(|| self.confirmed as f64 / self.decisive() as f64)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    event_id: String,
    verdict: VerdictKind,
    decided_at: DateTime<Utc>,
}

/// Event ids with their level, forgetting the oldest beyond a capacity.
#[derive(Debug, Default)]
struct RecentEvents {
    capacity: usize,
    levels: HashMap<String, Level>,
    order: VecDeque<String>,
}

impl RecentEvents {
    fn insert(&mut self, event_id: &str, level: Level) {
        if self.capacity == 0 || self.levels.insert(event_id.to_owned(), level).is_some() {
            return;
        }
        self.order.push_back(event_id.to_owned());
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.levels.remove(&old);
            }
        }
    }
}

/// Live per-level precision over a sliding window of verdicts; see the module docs.
pub struct VerdictTracker {
    cfg: TrackerConfig,
    events: RecentEvents,
    windows: [VecDeque<Entry>; 4],
    metrics: Option<Metrics>,
}

impl VerdictTracker {
    pub fn new(cfg: TrackerConfig) -> Self {
        let events = RecentEvents { capacity: cfg.remembered_events, ..Default::default() };
        VerdictTracker { cfg, events, windows: Default::default(), metrics: None }
    }

    /// Exports `jaga_verdicts_total`, `jaga_bad_verdicts_total` and the window gauges to `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self.export();
        self
    }

    /// Remembers an event this process emitted, so a verdict on it is attributed to its level.
    pub fn remember(&mut self, event_id: &str, level: Level) {
        self.events.insert(event_id, level);
    }

    /// Event ids currently remembered.
    pub fn remembered(&self) -> usize {
        self.events.levels.len()
    }

    /// The level a verdict counts for (see the module docs).
    pub fn level_of(&self, v: &Verdict) -> VerdictLevel {
        self.events.levels.get(&v.event_id).copied().or(v.level).map_or(VerdictLevel::Unknown, VerdictLevel::from)
    }

    /// Takes one verdict into account at wall-clock time `now`.
    pub fn observe(&mut self, v: &Verdict, now: DateTime<Utc>) -> Observed {
        let level = self.level_of(v);
        let decided_at = v.decided_at.min(now + self.cfg.max_clock_skew);
        let window = &mut self.windows[level.index()];
        let observed = match window.iter_mut().find(|e| e.event_id == v.event_id) {
            Some(e) if decided_at < e.decided_at || (decided_at == e.decided_at && v.verdict == e.verdict) => {
                Observed::Ignored(level)
            }
            Some(e) => {
                e.verdict = v.verdict;
                e.decided_at = decided_at;
                Observed::Revised(level)
            }
            None => {
                window.push_back(Entry { event_id: v.event_id.clone(), verdict: v.verdict, decided_at });
                while window.len() > self.cfg.window_verdicts.max(1) {
                    window.pop_front();
                }
                Observed::Recorded(level)
            }
        };
        if let (Some(m), Observed::Recorded(_) | Observed::Revised(_)) = (&self.metrics, observed) {
            m.verdicts.with_label_values(&[level.as_str(), v.verdict.as_str()]).inc();
        }
        self.expire(now);
        observed
    }

    /// Counts a rejected verdict record (the caller dead-letters it).
    pub fn reject(&self, reason: &BadVerdictReason) {
        if let Some(m) = &self.metrics {
            m.bad_verdicts.with_label_values(&[reason.code()]).inc();
        }
    }

    /// Drops verdicts older than the window's age and refreshes the gauges; call it now and then
    /// (the live processor does on its commit tick) so precision ages out while no verdict arrives.
    pub fn expire(&mut self, now: DateTime<Utc>) {
        let oldest = now - self.cfg.window_age;
        for window in &mut self.windows {
            window.retain(|e| e.decided_at >= oldest);
        }
        self.export();
    }

    /// The counts in `level`'s window.
    pub fn stats(&self, level: VerdictLevel) -> WindowStats {
        let mut s = WindowStats::default();
        for e in &self.windows[level.index()] {
            match e.verdict {
                VerdictKind::Confirmed => s.confirmed += 1,
                VerdictKind::FalseAlarm => s.false_alarm += 1,
                VerdictKind::Unclear => s.unclear += 1,
            }
        }
        s
    }

    fn export(&self) {
        let Some(m) = &self.metrics else { return };
        for level in VerdictLevel::ALL {
            let s = self.stats(level);
            m.verdict_window_decisive.with_label_values(&[level.as_str()]).set(s.decisive() as i64);
            match s.precision() {
                Some(p) => m.verdict_precision.with_label_values(&[level.as_str()]).set(p),
                // Absent, not 0: no verdict says nothing about precision.
                None => {
                    let _ = m.verdict_precision.remove_label_values(&[level.as_str()]);
                }
            }
        }
    }
}

/// One record from the verdicts topic: decode, validate and take it into account. A rejected
/// record is counted; the caller sends it to the dead-letter topic with the reason's code.
pub fn handle_record(
    tracker: &mut VerdictTracker,
    payload: Option<&[u8]>,
    max_bytes: usize,
    now: DateTime<Utc>,
) -> Result<Observed, BadVerdictReason> {
    match decode(payload, max_bytes) {
        Ok(v) => Ok(tracker.observe(&v, now)),
        Err(reason) => {
            tracker.reject(&reason);
            Err(reason)
        }
    }
}

/// The fields of a risk event that tuning from verdicts needs (docs/contracts.md §2); the rest of
/// the event is ignored so files dumped from the moderation topic by any tool can be read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventSummary {
    pub event_id: String,
    pub conversation_id: String,
    pub risk_score: f32,
    pub level: Level,
    pub model_version: String,
    pub profile: String,
}

/// An event with the verdict that decides it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedEvent {
    pub event: EventSummary,
    pub verdict: VerdictKind,
}

/// Events joined with their verdicts, and what did not join.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Joined {
    /// Events with a verdict (the latest decision per event), in event order.
    pub reviewed: Vec<ReviewedEvent>,
    /// Events nobody has reviewed yet.
    pub unreviewed: usize,
    /// Verdicts whose event is not among the events (another file, or the event was not dumped).
    pub orphan_verdicts: usize,
    /// Verdicts replaced by a later decision on the same event.
    pub superseded_verdicts: usize,
    /// Events that appear more than once (at-least-once delivery); counted once.
    pub duplicate_events: usize,
}

/// Joins events with verdicts on `event_id`; the latest `decided_at` wins when an event was
/// decided more than once (a tie keeps the verdict that came later in the input).
pub fn join(events: Vec<EventSummary>, verdicts: &[Verdict]) -> Joined {
    let mut latest: HashMap<&str, &Verdict> = HashMap::new();
    let mut out = Joined::default();
    for v in verdicts {
        match latest.get(v.event_id.as_str()) {
            Some(prev) if prev.decided_at > v.decided_at => out.superseded_verdicts += 1,
            Some(_) => {
                out.superseded_verdicts += 1;
                latest.insert(&v.event_id, v);
            }
            None => {
                latest.insert(&v.event_id, v);
            }
        }
    }
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for event in events {
        if seen.insert(event.event_id.clone(), ()).is_some() {
            out.duplicate_events += 1;
            continue;
        }
        match latest.get(event.event_id.as_str()) {
            Some(v) => {
                let verdict = v.verdict;
                out.reviewed.push(ReviewedEvent { event, verdict });
            }
            None => out.unreviewed += 1,
        }
    }
    out.orphan_verdicts = latest.keys().filter(|id| !seen.contains_key(**id)).count();
    out
}

/// A verdict as JSON (for tests and tools that write verdicts); `reviewer_id` must be given
/// because jaga never keeps one.
pub fn to_json(v: &Verdict, reviewer_id: &str) -> Value {
    let mut obj = serde_json::json!({
        "schema_version": VERDICT_SCHEMA_VERSION,
        "event_id": v.event_id,
        "conversation_id": v.conversation_id,
        "verdict": v.verdict,
        "reviewer_id": reviewer_id,
        "decided_at": v.decided_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(l) = v.level {
        obj["level"] = Value::from(l.as_str());
    }
    if let Some(stages) = &v.stages {
        obj["stages"] = stages.iter().map(|s| Value::from(s.as_str())).collect();
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;

    const EV: &str = "0123456789abcdef0123456789abcdef";

    fn good() -> Value {
        serde_json::json!({
            "schema_version": 1, "event_id": EV, "conversation_id": "c1", "verdict": "confirmed",
            "reviewer_id": "rev-7", "decided_at": "2026-03-01T10:00:00+07:00", "extra": "ignored"
        })
    }

    fn at(s: &str) -> DateTime<Utc> {
        parse_timestamp(s).unwrap()
    }

    fn verdict(event: &str, kind: VerdictKind, decided: &str, level: Option<Level>) -> Verdict {
        Verdict {
            event_id: event.into(),
            conversation_id: "c".into(),
            verdict: kind,
            decided_at: at(decided),
            level,
            stages: None,
        }
    }

    fn id(n: usize) -> String {
        format!("{n:032x}")
    }

    #[test]
    fn decodes_a_valid_verdict_and_drops_the_reviewer() {
        let bytes = serde_json::to_vec(&good()).unwrap();
        let v = decode(Some(&bytes), 4096).unwrap();
        assert_eq!(v.event_id, EV);
        assert_eq!(v.verdict, VerdictKind::Confirmed);
        assert_eq!(v.decided_at, at("2026-03-01T03:00:00Z"));
        assert_eq!((v.level, v.stages), (None, None));
        let mut with = good();
        with["level"] = "alert".into();
        with["stages"] = serde_json::json!(["secrecy", "gifts_money", "secrecy"]);
        let v = from_value(&with).unwrap();
        assert_eq!(v.level, Some(Level::Alert));
        assert_eq!(v.stages, Some(vec![Stage::Secrecy, Stage::GiftsMoney]));
        // Round trip through the writer, which needs the reviewer id from outside.
        let back = from_value(&to_json(&v, "rev-7")).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn every_kind_of_bad_verdict_has_its_reason_and_never_echoes_values() {
        let with = |field: &str, value: Value| {
            let mut v = good();
            v[field] = value;
            v
        };
        let without = |field: &str| {
            let mut v = good();
            v.as_object_mut().unwrap().remove(field);
            v
        };
        let cases: Vec<(Value, &str)> = vec![
            (Value::from(5), "not_an_object"),
            (without("verdict"), "missing_field"),
            (without("schema_version"), "missing_field"),
            (with("schema_version", 2.into()), "unsupported_schema_version"),
            (with("schema_version", "1".into()), "wrong_type"),
            (with("event_id", "SECRET-not-an-id".into()), "invalid_event_id"),
            (with("event_id", EV.to_uppercase().into()), "invalid_event_id"),
            (with("conversation_id", " ".into()), "empty_id"),
            (with("reviewer_id", "x".repeat(MAX_ID_BYTES + 1).into()), "id_too_long"),
            (with("reviewer_id", 7.into()), "wrong_type"),
            (with("verdict", "SECRET-maybe".into()), "invalid_verdict"),
            (with("decided_at", "SECRET-yesterday".into()), "invalid_timestamp"),
            (with("level", "SECRET-high".into()), "invalid_level"),
            (with("stages", serde_json::json!(["secrecy", "SECRET-stage"])), "invalid_stage"),
            (with("stages", "secrecy".into()), "wrong_type"),
        ];
        for (value, code) in cases {
            let err = from_value(&value).unwrap_err();
            assert_eq!(err.code(), code, "{value}: {err}");
            assert!(BadVerdictReason::CODES.contains(&err.code()));
            assert!(!err.to_string().contains("SECRET"), "{err}");
        }
        assert_eq!(decode(None, 10).unwrap_err().code(), "missing_value");
        assert_eq!(decode(Some(b"\xff"), 10).unwrap_err().code(), "invalid_utf8");
        assert_eq!(decode(Some(b"{oops"), 10).unwrap_err().code(), "not_json");
        assert_eq!(decode(Some(&[b' '; 11]), 10).unwrap_err(), BadVerdictReason::TooLarge { size: 11, limit: 10 });
        assert_eq!(
            from_value(&with("stages", serde_json::json!(["meeting", 3]))).unwrap_err(),
            BadVerdictReason::InvalidStage { position: 1 }
        );
    }

    #[test]
    fn the_level_comes_from_remembered_events_then_the_verdict_then_unknown() {
        let mut t = VerdictTracker::new(TrackerConfig { remembered_events: 2, ..Default::default() });
        t.remember(&id(1), Level::Critical);
        // Remembered beats what the review tool copied.
        assert_eq!(
            t.level_of(&verdict(&id(1), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", Some(Level::Watch))),
            VerdictLevel::Critical
        );
        assert_eq!(
            t.level_of(&verdict(&id(2), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", Some(Level::Watch))),
            VerdictLevel::Watch
        );
        assert_eq!(
            t.level_of(&verdict(&id(2), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", None)),
            VerdictLevel::Unknown
        );
        // The map is bounded: the oldest id is forgotten first; re-remembering does not grow it.
        t.remember(&id(2), Level::Alert);
        t.remember(&id(2), Level::Alert);
        t.remember(&id(3), Level::Alert);
        assert_eq!(t.remembered(), 2);
        assert_eq!(
            t.level_of(&verdict(&id(1), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", None)),
            VerdictLevel::Unknown
        );
        assert_eq!(
            t.level_of(&verdict(&id(3), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", None)),
            VerdictLevel::Alert
        );
    }

    #[test]
    fn precision_slides_with_the_window_and_ignores_redeliveries() {
        let cfg = TrackerConfig { window_verdicts: 4, window_age: Duration::days(7), ..Default::default() };
        let metrics = Metrics::new();
        let mut t = VerdictTracker::new(cfg).with_metrics(metrics.clone());
        let now = at("2026-03-10T00:00:00Z");
        let alert = Some(Level::Alert);
        assert_eq!(t.stats(VerdictLevel::Alert).precision(), None);
        assert!(!metrics.render().contains("jaga_verdict_precision_ratio{"), "no verdict, no precision");

        for (i, kind) in [VerdictKind::Confirmed, VerdictKind::Confirmed, VerdictKind::FalseAlarm, VerdictKind::Unclear]
            .into_iter()
            .enumerate()
        {
            let v = verdict(&id(i), kind, "2026-03-09T00:00:00Z", alert);
            assert_eq!(t.observe(&v, now), Observed::Recorded(VerdictLevel::Alert));
        }
        let s = t.stats(VerdictLevel::Alert);
        assert_eq!((s.confirmed, s.false_alarm, s.unclear, s.decisive()), (2, 1, 1, 3));
        assert!((s.precision().unwrap() - 2.0 / 3.0).abs() < 1e-12);

        // A redelivery changes nothing; a later decision on the same event replaces it; an older
        // one arriving late is ignored.
        let again = verdict(&id(2), VerdictKind::FalseAlarm, "2026-03-09T00:00:00Z", alert);
        assert_eq!(t.observe(&again, now), Observed::Ignored(VerdictLevel::Alert));
        let revised = verdict(&id(2), VerdictKind::Confirmed, "2026-03-09T12:00:00Z", alert);
        assert_eq!(t.observe(&revised, now), Observed::Revised(VerdictLevel::Alert));
        let stale = verdict(&id(2), VerdictKind::FalseAlarm, "2026-03-08T00:00:00Z", alert);
        assert_eq!(t.observe(&stale, now), Observed::Ignored(VerdictLevel::Alert));
        assert_eq!(t.stats(VerdictLevel::Alert).precision(), Some(1.0));

        // A fifth verdict pushes the oldest (a confirmation) out of the 4-verdict window.
        t.observe(&verdict(&id(9), VerdictKind::FalseAlarm, "2026-03-09T13:00:00Z", alert), now);
        let s = t.stats(VerdictLevel::Alert);
        assert_eq!((s.confirmed, s.false_alarm, s.unclear), (2, 1, 1));

        let page = metrics.render();
        assert!(page.contains(r#"jaga_verdict_precision_ratio{level="alert"} 0.666"#), "{page}");
        assert!(page.contains(r#"jaga_verdict_window_decisive{level="alert"} 3"#), "{page}");
        assert!(page.contains(r#"jaga_verdicts_total{level="alert",verdict="confirmed"} 3"#), "{page}");
        assert!(page.contains(r#"jaga_verdicts_total{level="alert",verdict="false_alarm"} 2"#), "{page}");
        assert!(page.contains(r#"jaga_verdicts_total{level="critical",verdict="unclear"} 0"#), "{page}");
        assert!(!page.contains(r#"jaga_verdict_precision_ratio{level="watch"}"#), "{page}");

        // Eight days later everything has aged out of the 7-day window, and the gauge goes away.
        t.expire(at("2026-03-17T12:00:00Z"));
        assert_eq!(t.stats(VerdictLevel::Alert), WindowStats::default());
        assert!(!metrics.render().contains(r#"jaga_verdict_precision_ratio{level="alert"}"#));
    }

    #[test]
    fn a_verdict_from_the_future_cannot_empty_the_window() {
        let mut t = VerdictTracker::new(TrackerConfig { window_age: Duration::days(1), ..Default::default() });
        let now = at("2026-03-10T00:00:00Z");
        t.observe(&verdict(&id(1), VerdictKind::Confirmed, "2026-03-09T23:00:00Z", None), now);
        t.observe(&verdict(&id(2), VerdictKind::FalseAlarm, "9999-12-31T23:59:59Z", None), now);
        assert_eq!(t.stats(VerdictLevel::Unknown).decisive(), 2);
        // The clamped one ages out like one decided now.
        t.expire(at("2026-03-11T00:04:00Z"));
        assert_eq!(t.stats(VerdictLevel::Unknown).decisive(), 1);
        t.expire(at("2026-03-11T00:06:00Z"));
        assert_eq!(t.stats(VerdictLevel::Unknown).decisive(), 0);
    }

    #[test]
    fn handle_record_counts_rejections_by_reason() {
        let metrics = Metrics::new();
        let mut t = VerdictTracker::new(TrackerConfig::default()).with_metrics(metrics.clone());
        let now = at("2026-03-10T00:00:00Z");
        let bytes = serde_json::to_vec(&good()).unwrap();
        assert_eq!(handle_record(&mut t, Some(&bytes), 4096, now).unwrap(), Observed::Recorded(VerdictLevel::Unknown));
        assert_eq!(handle_record(&mut t, Some(b"[]"), 4096, now).unwrap_err().code(), "not_an_object");
        assert_eq!(handle_record(&mut t, Some(&bytes), 8, now).unwrap_err().code(), "too_large");
        let page = metrics.render();
        assert!(page.contains(r#"jaga_bad_verdicts_total{reason="not_an_object"} 1"#), "{page}");
        assert!(page.contains(r#"jaga_bad_verdicts_total{reason="too_large"} 1"#), "{page}");
        assert!(page.contains(r#"jaga_verdicts_total{level="unknown",verdict="confirmed"} 1"#), "{page}");
    }

    fn summary(n: usize, risk: f32) -> EventSummary {
        EventSummary {
            event_id: id(n),
            conversation_id: format!("c{n}"),
            risk_score: risk,
            level: Level::Alert,
            model_version: "m".into(),
            profile: "default@v1".into(),
        }
    }

    #[test]
    fn join_keeps_the_latest_decision_and_counts_what_did_not_join() {
        let events = vec![summary(1, 0.7), summary(2, 0.8), summary(1, 0.7), summary(3, 0.9)];
        let verdicts = vec![
            verdict(&id(1), VerdictKind::FalseAlarm, "2026-03-01T00:00:00Z", None),
            verdict(&id(1), VerdictKind::Confirmed, "2026-03-02T00:00:00Z", None),
            verdict(&id(2), VerdictKind::Unclear, "2026-03-02T00:00:00Z", None),
            verdict(&id(2), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", None),
            verdict(&id(7), VerdictKind::Confirmed, "2026-03-01T00:00:00Z", None),
        ];
        let j = join(events, &verdicts);
        let got: Vec<(String, VerdictKind)> =
            j.reviewed.iter().map(|r| (r.event.event_id.clone(), r.verdict)).collect();
        assert_eq!(got, vec![(id(1), VerdictKind::Confirmed), (id(2), VerdictKind::Unclear)]);
        assert_eq!((j.unreviewed, j.orphan_verdicts, j.superseded_verdicts, j.duplicate_events), (1, 1, 2, 1));
    }

    #[test]
    fn what_the_decoder_accepts_the_schema_accepts_and_the_reverse_for_bad_cases() {
        let schema: Value = serde_json::from_str(include_str!("../schemas/verdict.schema.json")).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the verdict schema compiles");
        let mut full = good();
        full["level"] = "critical".into();
        full["stages"] = serde_json::json!(["meeting"]);
        for v in [good(), full.clone(), to_json(&from_value(&full).unwrap(), "r")] {
            assert!(validator.is_valid(&v), "{v}");
            assert!(from_value(&v).is_ok());
        }
        for (field, bad) in [
            ("verdict", Value::from("maybe")),
            ("event_id", Value::from("abc")),
            ("schema_version", Value::from(2)),
            ("level", Value::from("high")),
            ("stages", serde_json::json!(["weather"])),
            ("conversation_id", Value::from("")),
        ] {
            let mut v = good();
            v[field] = bad;
            assert!(!validator.is_valid(&v), "schema accepts bad {field}");
            assert!(from_value(&v).is_err(), "decoder accepts bad {field}");
        }
    }

    #[test]
    fn the_schema_and_the_decoder_agree() {
        let schema: Value = serde_json::from_str(include_str!("../schemas/verdict.schema.json")).unwrap();
        let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for field in &required {
            let mut v = good();
            v.as_object_mut().unwrap().remove(*field);
            let err = from_value(&v).unwrap_err();
            assert_eq!(err.code(), "missing_field", "{field}");
            assert!(err.to_string().contains(&format!("`{field}`")), "{err}");
        }
        let kinds: Vec<&str> =
            schema["properties"]["verdict"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(kinds, VerdictKind::ALL.map(VerdictKind::as_str));
        let stages: Vec<&str> = schema["properties"]["stages"]["items"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(stages, Stage::ALL.map(Stage::as_str));
    }
}
