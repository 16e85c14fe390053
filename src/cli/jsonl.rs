//! The JSON Lines reader that `jaga replay` and `jaga explain` share: chat messages
//! (docs/contracts.md §1) or labelled conversations (§3), one per line.
//!
//! Input is as hostile as a Kafka topic can be, so it is read as bytes, a line is never held in
//! memory beyond `pipeline.max_record_bytes`, and every line that cannot be used — not UTF-8, too
//! long, not JSON, not a valid message or conversation — is a [`BadRecordReason`] with the code a
//! dead-letter record would carry. Reasons name fields and positions, never values.

use crate::dataset::LabelledConversation;
use crate::message::{parse_json, validate, BadRecordReason, ChatMessage, Limits};
use serde_json::Value;
use std::io::BufRead;

/// A line that held something usable.
#[derive(Debug)]
pub enum Parsed {
    /// A chat message; `unknown_age_band` when its `sender_age_band` was not one jaga knows.
    Message { message: ChatMessage, unknown_age_band: bool },
    /// A labelled conversation and its messages as chat messages.
    Labelled { conversation: LabelledConversation, messages: Vec<ChatMessage> },
}

impl Parsed {
    /// The messages, in order, and whether an age band was unknown.
    pub fn into_messages(self) -> (Vec<ChatMessage>, bool) {
        match self {
            Parsed::Message { message, unknown_age_band } => (vec![message], unknown_age_band),
            Parsed::Labelled { messages, .. } => (messages, false),
        }
    }
}

/// Reads JSON values line by line, skipping blank lines, with each line's number.
pub struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    line_no: usize,
    limits: Limits,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, limits: Limits) -> Self {
        Lines { reader, buf: Vec::new(), line_no: 0, limits }
    }

    /// The next non-blank line as JSON, or why it is bad; `Ok(None)` at the end. Only reading
    /// errors (the file went away) are errors.
    pub fn next_value(&mut self) -> std::io::Result<Option<(usize, Result<Value, BadRecordReason>)>> {
        let limit = self.limits.max_record_bytes;
        loop {
            let Some(len) = read_line_bounded(&mut self.reader, &mut self.buf, limit)? else { return Ok(None) };
            self.line_no += 1;
            if len > limit {
                return Ok(Some((self.line_no, Err(BadRecordReason::TooLarge { size: len, limit }))));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let value = std::str::from_utf8(&self.buf).map_err(|_| BadRecordReason::InvalidUtf8).and_then(parse_json);
            return Ok(Some((self.line_no, value)));
        }
    }
}

/// A JSON value as a message or a labelled conversation (recognised by its `messages` array).
pub fn parse_value(value: Value, limits: &Limits) -> Result<Parsed, BadRecordReason> {
    if value.get("messages").is_some_and(Value::is_array) {
        let conversation: LabelledConversation = serde_json::from_value(value).map_err(|e| {
            // serde's data errors can quote values: keep only what kind of error it was.
            BadRecordReason::InvalidConversation(format!("{:?} error in its fields", e.classify()).to_lowercase())
        })?;
        conversation.validate().map_err(BadRecordReason::InvalidConversation)?;
        let messages = conversation.to_chat_messages().map_err(BadRecordReason::InvalidConversation)?;
        Ok(Parsed::Labelled { conversation, messages })
    } else {
        validate(&value, limits).map(|d| Parsed::Message { message: d.message, unknown_age_band: d.unknown_age_band })
    }
}

/// Reads one line of at most `limit` bytes (without its newline) into `buf`. A longer line is read
/// through to its end but not kept: returns `Ok(Some(len))` with the full length so the caller can
/// report it. `Ok(None)` at end of input.
fn read_line_bounded<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<Option<usize>> {
    buf.clear();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(len));
        }
        any = true;
        let (part, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        if len + part.len() <= limit {
            buf.extend_from_slice(part);
        }
        len += part.len();
        let used = part.len() + usize::from(newline);
        reader.consume(used);
        if newline {
            if len > limit {
                buf.clear();
            }
            return Ok(Some(len));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_bad_line_has_its_reason_and_blank_lines_are_skipped() {
        let msg =
            r#"{"message_id":"m","conversation_id":"c","sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":"hi"}"#;
        let long = format!(r#"{{"text":"{}"}}"#, "x".repeat(400));
        let mut input = format!("{msg}\n\n  \n{{oops\n{long}\n[1]\n").into_bytes();
        input.extend_from_slice(b"\xff\n");
        let limits = Limits { max_record_bytes: 300, ..Limits::default() };
        let mut reader = Lines::new(&input[..], limits);
        let mut got = Vec::new();
        while let Some((n, v)) = reader.next_value().unwrap() {
            got.push((n, v.and_then(|v| parse_value(v, &limits)).map(|_| ()).map_err(|r| r.code())));
        }
        assert_eq!(
            got,
            vec![
                (1, Ok(())),
                (4, Err("not_json")),
                (5, Err("too_large")),
                (6, Err("not_an_object")),
                (7, Err("invalid_utf8"))
            ]
        );
    }

    fn lines(input: &[u8], limit: usize) -> Vec<(usize, Vec<u8>)> {
        let mut r = std::io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(len) = read_line_bounded(&mut r, &mut buf, limit).unwrap() {
            out.push((len, buf.clone()));
        }
        out
    }

    #[test]
    fn bounded_lines_keep_short_lines_and_measure_long_ones_without_keeping_them() {
        let got = lines(b"ab\n\ncdefghij\nxyz", 5);
        assert_eq!(
            got,
            vec![(2, b"ab".to_vec()), (0, Vec::new()), (8, Vec::new()), (3, b"xyz".to_vec())],
            "an over-long line is reported with its length and no content"
        );
        assert!(lines(b"", 5).is_empty());
        assert_eq!(lines(b"\xff\xfe\n", 5), vec![(2, b"\xff\xfe".to_vec())]);
    }

    #[test]
    fn labelled_conversation_errors_do_not_quote_values() {
        let line = br#"{"conversation_id":"x","language":"SECRET","label":"benign","messages":[]}"#;
        let value: Value = serde_json::from_slice(line).unwrap();
        let err = parse_value(value, &Limits::default()).unwrap_err();
        assert_eq!(err.code(), "invalid_conversation");
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
}
