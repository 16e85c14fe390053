//! The chat message (docs/contracts.md §1) and its validation.
//!
//! Decoding never panics: every way a record can be wrong maps to a [`BadRecordReason`] whose
//! [`BadRecordReason::code`] becomes the dead-letter header and the `reason` label of
//! `jaga_bad_records_total`, so an operator can tell *why* records are rejected without seeing them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// What the platform knows about a sender's age, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    #[serde(rename = "under_13")]
    Under13,
    #[serde(rename = "13_15")]
    From13To15,
    #[serde(rename = "16_17")]
    From16To17,
    Adult,
    Unknown,
}

impl AgeBand {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "under_13" => AgeBand::Under13,
            "13_15" => AgeBand::From13To15,
            "16_17" => AgeBand::From16To17,
            "adult" => AgeBand::Adult,
            "unknown" => AgeBand::Unknown,
            _ => return None,
        })
    }

    /// True for the bands that are known to be minors.
    pub fn is_minor(self) -> bool {
        matches!(self, AgeBand::Under13 | AgeBand::From13To15 | AgeBand::From16To17)
    }
}

/// A validated chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub message_id: String,
    pub conversation_id: String,
    pub sender_id: String,
    pub sent_at: DateTime<Utc>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_age_band: Option<AgeBand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Why a record was rejected. Stable `code`s: dashboards and DLQ consumers match on them. The
/// `Display` text goes into the `jaga.dlq.detail` header and logs, so it names fields and limits,
/// never a value taken from the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadRecordReason {
    TooLarge {
        size: usize,
        limit: usize,
    },
    InvalidUtf8,
    /// Where the JSON syntax error is; serde's own message is not kept (it can quote input).
    NotJson {
        line: usize,
        column: usize,
    },
    NotAnObject,
    MissingField(&'static str),
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    InvalidTimestamp,
    EmptyId(&'static str),
    IdTooLong {
        field: &'static str,
        size: usize,
        limit: usize,
    },
    MissingValue,
    /// The encoder failed (or panicked) on this record alone.
    InferenceFailed,
    /// The risk event this record triggered is larger than the producer or broker accepts.
    EventTooLarge {
        size: usize,
    },
    /// The risk event this record triggered could not be serialised.
    EventNotSerialisable,
    /// A replay line that looks like a labelled conversation (docs/contracts.md §3) but is not a valid one.
    InvalidConversation(String),
}

impl BadRecordReason {
    /// Short machine-readable code, used as a metric label and in the `jaga.dlq.reason` header.
    pub fn code(&self) -> &'static str {
        match self {
            BadRecordReason::TooLarge { .. } => "too_large",
            BadRecordReason::InvalidUtf8 => "invalid_utf8",
            BadRecordReason::NotJson { .. } => "not_json",
            BadRecordReason::NotAnObject => "not_an_object",
            BadRecordReason::MissingField(_) => "missing_field",
            BadRecordReason::WrongType { .. } => "wrong_type",
            BadRecordReason::InvalidTimestamp => "invalid_timestamp",
            BadRecordReason::EmptyId(_) => "empty_id",
            BadRecordReason::IdTooLong { .. } => "id_too_long",
            BadRecordReason::MissingValue => "missing_value",
            BadRecordReason::InferenceFailed => "inference_failed",
            BadRecordReason::EventTooLarge { .. } => "event_too_large",
            BadRecordReason::EventNotSerialisable => "event_not_serialisable",
            BadRecordReason::InvalidConversation(_) => "invalid_conversation",
        }
    }

    /// Every code, so metrics can be pre-registered at zero.
    pub const CODES: [&'static str; 14] = [
        "too_large",
        "invalid_utf8",
        "not_json",
        "not_an_object",
        "missing_field",
        "wrong_type",
        "invalid_timestamp",
        "empty_id",
        "id_too_long",
        "missing_value",
        "inference_failed",
        "event_too_large",
        "event_not_serialisable",
        "invalid_conversation",
    ];
}

impl fmt::Display for BadRecordReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadRecordReason::TooLarge { size, limit } => {
                write!(f, "record of {size} bytes exceeds the limit of {limit} bytes")
            }
            BadRecordReason::InvalidUtf8 => f.write_str("record value is not valid UTF-8"),
            BadRecordReason::NotJson { line, column } => {
                write!(f, "record value is not JSON (syntax error at line {line}, column {column})")
            }
            BadRecordReason::NotAnObject => f.write_str("record value is not a JSON object"),
            BadRecordReason::MissingField(n) => write!(f, "required field `{n}` is missing"),
            BadRecordReason::WrongType { field, expected } => {
                write!(f, "field `{field}` must be {expected}")
            }
            BadRecordReason::InvalidTimestamp => f.write_str("field `sent_at` is not an RFC 3339 timestamp"),
            BadRecordReason::EmptyId(n) => write!(f, "field `{n}` must not be empty"),
            BadRecordReason::IdTooLong { field, size, limit } => {
                write!(f, "field `{field}` is {size} bytes long, more than the limit of {limit}")
            }
            BadRecordReason::MissingValue => f.write_str("record has no value (tombstone)"),
            BadRecordReason::InferenceFailed => f.write_str("the encoder failed on this record"),
            BadRecordReason::EventTooLarge { size } => {
                write!(f, "the risk event for this record ({size} bytes) is larger than the producer accepts")
            }
            BadRecordReason::EventNotSerialisable => {
                f.write_str("the risk event for this record could not be serialised")
            }
            BadRecordReason::InvalidConversation(why) => write!(f, "not a valid labelled conversation: {why}"),
        }
    }
}

impl std::error::Error for BadRecordReason {}

/// Default limit on a record's size: generous for chat text, small enough that a runaway producer
/// cannot make the tokenizer chew megabytes.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 * 1024;
/// Default limit on `message_id`, `conversation_id` and `sender_id`: ids are kept in memory for
/// every live message and written to the changelog, so one producer sending kilobyte ids must not
/// multiply the state.
pub const DEFAULT_MAX_ID_BYTES: usize = 256;

/// Size limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_record_bytes: usize,
    pub max_id_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_record_bytes: DEFAULT_MAX_RECORD_BYTES, max_id_bytes: DEFAULT_MAX_ID_BYTES }
    }
}

/// A decoded message and what decoding had to adjust.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub message: ChatMessage,
    /// `sender_age_band` held a value outside the contract; it was read as `unknown`
    /// (`jaga_unknown_age_bands_total`), because one unexpected label must not drop the message.
    pub unknown_age_band: bool,
}

fn required_str(obj: &serde_json::Map<String, Value>, field: &'static str) -> Result<String, BadRecordReason> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(BadRecordReason::MissingField(field)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(BadRecordReason::WrongType { field, expected: "a string" }),
    }
}

fn required_id(
    obj: &serde_json::Map<String, Value>,
    field: &'static str,
    limit: usize,
) -> Result<String, BadRecordReason> {
    let s = required_str(obj, field)?;
    if s.trim().is_empty() {
        return Err(BadRecordReason::EmptyId(field));
    }
    if s.len() > limit {
        return Err(BadRecordReason::IdTooLong { field, size: s.len(), limit });
    }
    Ok(s)
}

fn optional_str(obj: &serde_json::Map<String, Value>, field: &'static str) -> Result<Option<String>, BadRecordReason> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(BadRecordReason::WrongType { field, expected: "a string" }),
    }
}

/// Parses an RFC 3339 timestamp into UTC.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| e.to_string())
}

/// Decodes and validates one record value. Unknown fields are ignored (docs/contracts.md §1).
pub fn decode(bytes: Option<&[u8]>, limits: &Limits) -> Result<Decoded, BadRecordReason> {
    let bytes = bytes.ok_or(BadRecordReason::MissingValue)?;
    if bytes.len() > limits.max_record_bytes {
        return Err(BadRecordReason::TooLarge { size: bytes.len(), limit: limits.max_record_bytes });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BadRecordReason::InvalidUtf8)?;
    let value = parse_json(text)?;
    validate(&value, limits)
}

/// Validates one JSON document with the default limits (benchmarks and tests).
pub fn decode_str(text: &str) -> Result<ChatMessage, BadRecordReason> {
    validate(&parse_json(text)?, &Limits::default()).map(|d| d.message)
}

/// Parses JSON, keeping only the position of a syntax error.
pub fn parse_json(text: &str) -> Result<Value, BadRecordReason> {
    serde_json::from_str(text).map_err(|e| BadRecordReason::NotJson { line: e.line(), column: e.column() })
}

/// Validates an already-parsed JSON value.
pub fn validate(value: &Value, limits: &Limits) -> Result<Decoded, BadRecordReason> {
    let obj = value.as_object().ok_or(BadRecordReason::NotAnObject)?;
    let message_id = required_id(obj, "message_id", limits.max_id_bytes)?;
    let conversation_id = required_id(obj, "conversation_id", limits.max_id_bytes)?;
    let sender_id = required_id(obj, "sender_id", limits.max_id_bytes)?;
    let sent_at_raw = required_str(obj, "sent_at")?;
    let sent_at = parse_timestamp(&sent_at_raw).map_err(|_| BadRecordReason::InvalidTimestamp)?;
    let text = required_str(obj, "text")?;
    let recipient_ids = match obj.get("recipient_ids") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(BadRecordReason::WrongType { field: "recipient_ids", expected: "an array of strings" })?,
        Some(_) => return Err(BadRecordReason::WrongType { field: "recipient_ids", expected: "an array of strings" }),
    };
    // Age bands are optional platform knowledge: anything outside the contract is "unknown".
    let (sender_age_band, unknown_age_band) = match obj.get("sender_age_band") {
        None | Some(Value::Null) => (None, false),
        Some(Value::String(s)) => match AgeBand::parse(s) {
            Some(b) => (Some(b), false),
            None => (Some(AgeBand::Unknown), true),
        },
        Some(_) => (Some(AgeBand::Unknown), true),
    };
    let platform = optional_str(obj, "platform")?;
    let message =
        ChatMessage { message_id, conversation_id, sender_id, sent_at, text, recipient_ids, sender_age_band, platform };
    Ok(Decoded { message, unknown_age_band })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"message_id":"m1","conversation_id":"c1","sender_id":"u1","sent_at":"2026-02-25T06:13:20Z","text":"hi","extra":1}"#;

    #[test]
    fn decodes_a_valid_record_and_ignores_unknown_fields() {
        let m = decode(Some(GOOD.as_bytes()), &Limits::default()).unwrap().message;
        assert_eq!(m.message_id, "m1");
        assert_eq!(m.conversation_id, "c1");
        assert_eq!(m.text, "hi");
        assert_eq!(m.sent_at.to_rfc3339(), "2026-02-25T06:13:20+00:00");
        assert!(m.recipient_ids.is_empty());
    }

    #[test]
    fn optional_fields_are_validated() {
        let v = r#"{"message_id":"m1","conversation_id":"c1","sender_id":"u1","sent_at":"2026-02-25T06:13:20+07:00","text":"","recipient_ids":["u2"],"sender_age_band":"13_15","platform":"game"}"#;
        let m = decode_str(v).unwrap();
        assert_eq!(m.sender_age_band, Some(AgeBand::From13To15));
        assert_eq!(m.recipient_ids, vec!["u2".to_string()]);
        assert_eq!(m.sent_at.to_rfc3339(), "2026-02-24T23:13:20+00:00");
        let odd = v.replace("\"13_15\"", "\"teen-SECRET\"");
        let d = validate(&parse_json(&odd).unwrap(), &Limits::default()).unwrap();
        assert_eq!(d.message.sender_age_band, Some(AgeBand::Unknown), "unknown bands are read as unknown");
        assert!(d.unknown_age_band);
        let odd = v.replace("\"13_15\"", "7");
        assert!(validate(&parse_json(&odd).unwrap(), &Limits::default()).unwrap().unknown_age_band);
        let bad = v.replace(r#"["u2"]"#, "[1]");
        assert_eq!(decode_str(&bad).unwrap_err().code(), "wrong_type");
    }

    #[test]
    fn every_kind_of_bad_record_has_its_reason() {
        let cases: Vec<(Option<&[u8]>, &str)> = vec![
            (None, "missing_value"),
            (Some(b"\xff\xfe"), "invalid_utf8"),
            (Some(b"{not json"), "not_json"),
            (Some(b"[1,2]"), "not_an_object"),
            (Some(br#"{"conversation_id":"c","sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":""}"#), "missing_field"),
            (Some(br#"{"message_id":5,"conversation_id":"c","sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":""}"#), "wrong_type"),
            (Some(br#"{"message_id":"m","conversation_id":"c","sender_id":"u","sent_at":"yesterday","text":""}"#), "invalid_timestamp"),
            (Some(br#"{"message_id":" ","conversation_id":"c","sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":""}"#), "empty_id"),
            (Some(br#"{"message_id":"m","conversation_id":"c","sender_id":"u","sent_at":"2026-01-01T00:00:00Z"}"#), "missing_field"),
        ];
        for (bytes, code) in cases {
            let err = decode(bytes, &Limits::default()).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(BadRecordReason::CODES.contains(&err.code()));
        }
    }

    #[test]
    fn oversized_records_are_rejected_before_parsing() {
        let err = decode(Some(GOOD.as_bytes()), &Limits { max_record_bytes: 10, ..Limits::default() }).unwrap_err();
        assert_eq!(err, BadRecordReason::TooLarge { size: GOOD.len(), limit: 10 });
    }

    #[test]
    fn over_long_ids_are_rejected_with_the_field_and_limit() {
        let long = GOOD.replace("\"c1\"", &format!("\"{}\"", "c".repeat(300)));
        let err = decode(Some(long.as_bytes()), &Limits::default()).unwrap_err();
        assert_eq!(
            err,
            BadRecordReason::IdTooLong { field: "conversation_id", size: 300, limit: DEFAULT_MAX_ID_BYTES }
        );
        assert_eq!(err.code(), "id_too_long");
    }

    #[test]
    fn reasons_never_echo_record_content() {
        let secret = "SECRET-CONTENT";
        let records = [
            format!(
                r#"{{"message_id":"m","conversation_id":"c","sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":"{secret}","sender_age_band":7,"recipient_ids":"{secret}"}}"#
            ),
            format!(r#"{{"message_id":"m","conversation_id":"c","sender_id":"u","sent_at":"{secret}","text":""}}"#),
            format!(r#"{{"message_id":"{secret}", "#),
            format!(r#"{{"message_id":["{secret}"]}}"#),
            format!(r#"["{secret}"]"#),
            format!(r#"{{"message_id":"{}","conversation_id":"c"}}"#, secret.repeat(40)),
            format!("{secret} trailing"),
        ];
        for r in &records {
            let err = decode(Some(r.as_bytes()), &Limits::default()).unwrap_err();
            assert!(!err.to_string().contains("SECRET"), "{err}");
        }
    }
}
