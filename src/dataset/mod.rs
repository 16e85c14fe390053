//! Labelled conversations (docs/contracts.md §3): what `eval`, `tune` and `train` read and `synth` writes.
//!
//! The generator of synthetic training conversations lives in [`synth`].

pub mod synth;

use crate::event::Stage;
use crate::message::{parse_timestamp, ChatMessage};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Language of a labelled conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Id,
    Mixed,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::Id, Language::Mixed];
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Id => "id",
            Language::Mixed => "mixed",
        }
    }
}

/// Conversation label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Grooming,
    Benign,
}

/// One message of a labelled conversation (no message id: it is derived as `<conversation_id>:<index>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledMessage {
    pub sender_id: String,
    pub sent_at: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_age_band: Option<String>,
}

/// One labelled conversation (docs/contracts.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledConversation {
    pub conversation_id: String,
    pub language: Language,
    pub label: Label,
    /// 0-based index of the first worrying message; `None` for benign.
    pub onset: Option<usize>,
    pub suspect: Option<String>,
    #[serde(default)]
    pub stages: Vec<Stage>,
    #[serde(default)]
    pub hard_negative: bool,
    pub messages: Vec<LabelledMessage>,
    /// Generator provenance (template family), written by `synth` so evaluations can hold out
    /// whole families. Not part of the contract; absent in human-written sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Per-message stage labels written by `synth` (same length as `messages`), used to train the
    /// per-message stage head. Not part of the contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_stages: Option<Vec<Vec<Stage>>>,
    /// Per-message phrasing group written by `synth` (same length as `messages`): the template a
    /// message's stage labels came from (`bank#index`), `null` for a message from no stage
    /// template. Messages of one group are variants of one phrasing, so `jaga train
    /// --stage-folds-by-phrasing` keeps each group on one side of the stage head's cross-fitting
    /// split, and the out-of-fold stage probabilities the conversation head learns from are on
    /// phrasings the stage head did not see. Optional; absent in human-written sets, whose
    /// messages then go by their conversation's fold. Not part of the contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_groups: Option<Vec<Option<String>>>,
}

impl LabelledConversation {
    pub fn is_grooming(&self) -> bool {
        self.label == Label::Grooming
    }

    /// The derived message id of message `index` (docs/contracts.md §3).
    pub fn message_id(&self, index: usize) -> String {
        format!("{}:{}", self.conversation_id, index)
    }

    /// The conversation as the chat messages a platform would have sent (docs/contracts.md §1).
    pub fn to_chat_messages(&self) -> Result<Vec<ChatMessage>, String> {
        self.messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Ok(ChatMessage {
                    message_id: self.message_id(i),
                    conversation_id: self.conversation_id.clone(),
                    sender_id: m.sender_id.clone(),
                    sent_at: parse_timestamp(&m.sent_at).map_err(|e| format!("message {i}: sent_at: {e}"))?,
                    text: m.text.clone(),
                    recipient_ids: Vec::new(),
                    sender_age_band: m.sender_age_band.as_deref().and_then(crate::message::AgeBand::parse),
                    platform: None,
                })
            })
            .collect()
    }

    /// Checks the cross-field rules that serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.messages.is_empty() {
            return Err("conversation has no messages".into());
        }
        match (self.label, self.onset) {
            (Label::Grooming, None) => return Err("grooming conversation has no onset".into()),
            (Label::Grooming, Some(o)) if o >= self.messages.len() => {
                return Err(format!("onset {o} is past the last message ({})", self.messages.len() - 1))
            }
            _ => {}
        }
        if let Some(ms) = &self.message_stages {
            if ms.len() != self.messages.len() {
                return Err("message_stages length differs from messages".into());
            }
        }
        if let Some(g) = &self.message_groups {
            if g.len() != self.messages.len() {
                return Err("message_groups length differs from messages".into());
            }
        }
        for (i, m) in self.messages.iter().enumerate() {
            parse_timestamp(&m.sent_at).map_err(|e| format!("message {i}: sent_at: {e}"))?;
        }
        Ok(())
    }
}

/// An error reading a labelled file, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub struct DatasetError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Reads a JSON Lines file of labelled conversations; blank lines are skipped.
pub fn read_jsonl(path: &Path) -> Result<Vec<LabelledConversation>, DatasetError> {
    let err = |line: Option<usize>, message: String| DatasetError { path: path.to_owned(), line, message };
    let file = std::fs::File::open(path).map_err(|e| err(None, e.to_string()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| err(Some(i + 1), e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let conv: LabelledConversation =
            serde_json::from_str(&line).map_err(|e| err(Some(i + 1), format!("not a labelled conversation: {e}")))?;
        conv.validate().map_err(|m| err(Some(i + 1), format!("{}: {m}", conv.conversation_id)))?;
        out.push(conv);
    }
    Ok(out)
}

/// Writes conversations as JSON Lines.
pub fn write_jsonl<W: std::io::Write>(mut w: W, convs: &[LabelledConversation]) -> std::io::Result<()> {
    for c in convs {
        serde_json::to_writer(&mut w, c)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shared_sample_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        let good = r#"{"conversation_id":"c","language":"id","label":"grooming","onset":0,"suspect":"u","stages":["secrecy"],"hard_negative":false,"messages":[{"sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":"jangan bilang siapa2"}]}"#;
        std::fs::write(&p, format!("{good}\n\n{{oops\n")).unwrap();
        let e = read_jsonl(&p).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("x.jsonl:3"));
        std::fs::write(&p, format!("{good}\n")).unwrap();
        let convs = read_jsonl(&p).unwrap();
        assert_eq!(convs[0].stages, vec![Stage::Secrecy]);
        assert_eq!(convs[0].to_chat_messages().unwrap()[0].message_id, "c:0");
        let bad_onset = good.replace(r#""onset":0"#, r#""onset":3"#);
        std::fs::write(&p, format!("{bad_onset}\n")).unwrap();
        assert!(read_jsonl(&p).unwrap_err().message.contains("onset 3"));
    }
}
