//! Import of the PAN 2012 sexual-predator-identification corpus into labelled conversations
//! (docs/contracts.md §3), for engineers who hold a licensed copy; the project ships none of it.
//!
//! The corpus is one XML file:
//!
//! ```text
//! <conversations>
//!   <conversation id="...">
//!     <message line="1"><author>hash</author><time>03:20</time><text>...</text></message>
//!     ...
//!   </conversation>
//! </conversations>
//! ```
//!
//! and a text file listing predator author ids, one per line. The file is read with a streaming
//! reader, so memory holds the converted conversations, not the XML tree.
//!
//! Mapping, and the approximations it makes:
//!
//! - **label**: `grooming` when a listed predator writes in the conversation, else `benign`. The
//!   corpus labels people, not conversations, so a predator's small talk counts as grooming.
//! - **suspect**: that predator (the first one to write, if several do).
//! - **onset**: the index of the predator's first message. PAN marks no onset; this is the
//!   earliest point a moderator could react, so latencies measured against it are upper bounds.
//! - **stages**: empty (PAN has no stage labels), so per-stage metrics are not meaningful on it.
//! - **language**: `en`; **hard_negative**: false.
//! - **message order**: the order in the file (the `line` attribute is not needed).
//! - **sent_at**: PAN gives only `HH:MM`; it is placed on a fixed nominal date (2012-01-01, UTC)
//!   and rolled over to the next day whenever the time goes backwards, so timestamps never
//!   decrease. Only gaps, not absolute times, carry meaning.
//! - **empty texts are kept**: a message without text is still a turn in the conversation (the
//!   live processor sees stickers and media the same way).
//! - conversations with no message at all are skipped: there is nothing to score.
//!
//! A message without an author, or with a time that is not `HH:MM`, is an error naming the
//! conversation and message (no text, no author ids).

use crate::dataset::{Label, LabelledConversation, LabelledMessage, Language};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::HashSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum Pan12Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: malformed XML at byte {position}: {message}")]
    Xml { path: PathBuf, position: u64, message: String },
    #[error("{path}: conversation {conversation}, message {index}: {reason}")]
    Message { path: PathBuf, conversation: String, index: usize, reason: String },
    #[error("{path}: {reason}")]
    Structure { path: PathBuf, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Author,
    Time,
    Text,
}

#[derive(Default)]
struct Msg {
    author: Option<String>,
    time: Option<String>,
    text: Option<String>,
}

struct Conv {
    id: String,
    messages: Vec<Msg>,
}

/// Reads the predator list: one author id per line, blank lines ignored.
pub fn read_predators(path: &Path) -> Result<HashSet<String>, Pan12Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Pan12Error::Io { path: path.to_path_buf(), source })?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
}

/// Converts the PAN 2012 XML at `xml` with the predator list at `predators`; see the module docs.
pub fn import_pan12(xml: &Path, predators: &Path) -> Result<Vec<LabelledConversation>, Pan12Error> {
    let predators = read_predators(predators)?;
    let file = std::fs::File::open(xml).map_err(|source| Pan12Error::Io { path: xml.to_path_buf(), source })?;
    let mut reader = Reader::from_reader(BufReader::new(file));
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().check_end_names = true;

    let structure = |reason: String| Pan12Error::Structure { path: xml.to_path_buf(), reason };
    let mut out = Vec::new();
    let mut conv: Option<Conv> = None;
    let mut msg: Option<Msg> = None;
    let mut field: Option<(Field, String)> = None;
    let mut buf = Vec::new();
    loop {
        let xml_err = |reader: &Reader<BufReader<std::fs::File>>, message: String| Pan12Error::Xml {
            path: xml.to_path_buf(),
            position: reader.error_position(),
            message,
        };
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => return Err(xml_err(&reader, e.to_string())),
        };
        match event {
            Event::Start(e) => match e.name().as_ref() {
                b"conversation" => {
                    if conv.is_some() {
                        return Err(structure("a <conversation> inside another".into()));
                    }
                    let id = e
                        .try_get_attribute("id")
                        .map_err(|e| xml_err(&reader, e.to_string()))?
                        .ok_or_else(|| structure(format!("conversation number {} has no id", out.len() + 1)))?
                        .unescape_value()
                        .map_err(|e| xml_err(&reader, e.to_string()))?
                        .into_owned();
                    conv = Some(Conv { id, messages: Vec::new() });
                }
                b"message" => {
                    if conv.is_none() {
                        return Err(structure("a <message> outside any <conversation>".into()));
                    }
                    msg = Some(Msg::default());
                }
                name @ (b"author" | b"time" | b"text") if msg.is_some() => {
                    let f = match name {
                        b"author" => Field::Author,
                        b"time" => Field::Time,
                        _ => Field::Text,
                    };
                    field = Some((f, String::new()));
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some((_, s)) = field.as_mut() {
                    s.push_str(&t.decode().map_err(|e| xml_err(&reader, e.to_string()))?);
                }
            }
            Event::CData(t) => {
                if let Some((_, s)) = field.as_mut() {
                    s.push_str(&t.decode().map_err(|e| xml_err(&reader, e.to_string()))?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, s)) = field.as_mut() {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| xml_err(&reader, e.to_string()))? {
                        s.push(c);
                    } else {
                        let name = r.decode().map_err(|e| xml_err(&reader, e.to_string()))?;
                        let value = resolve_predefined_entity(&name)
                            .ok_or_else(|| xml_err(&reader, format!("unknown entity &{name};")))?;
                        s.push_str(value);
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"author" | b"time" | b"text" => {
                    if let (Some(m), Some((f, s))) = (msg.as_mut(), field.take()) {
                        match f {
                            Field::Author => m.author = Some(s),
                            Field::Time => m.time = Some(s),
                            Field::Text => m.text = Some(s),
                        }
                    }
                }
                b"message" => {
                    if let (Some(c), Some(m)) = (conv.as_mut(), msg.take()) {
                        c.messages.push(m);
                    }
                }
                b"conversation" => {
                    if let Some(c) = conv.take() {
                        if let Some(lc) = convert(c, &predators, xml)? {
                            out.push(lc);
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if let Some(c) = conv {
        return Err(structure(format!("the file ends inside conversation {}", c.id)));
    }
    Ok(out)
}

/// Turns one parsed conversation into a labelled one; `None` when it has no messages.
fn convert(c: Conv, predators: &HashSet<String>, path: &Path) -> Result<Option<LabelledConversation>, Pan12Error> {
    if c.messages.is_empty() {
        return Ok(None);
    }
    let err = |index: usize, reason: &str| Pan12Error::Message {
        path: path.to_path_buf(),
        conversation: c.id.clone(),
        index,
        reason: reason.to_string(),
    };
    let day0 = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap_or_default().and_time(NaiveTime::MIN);
    let mut messages = Vec::with_capacity(c.messages.len());
    let (mut day, mut prev) = (0i64, None::<NaiveTime>);
    for (index, m) in c.messages.iter().enumerate() {
        let author =
            m.author.as_deref().map(str::trim).filter(|a| !a.is_empty()).ok_or_else(|| err(index, "no author"))?;
        let time = m.time.as_deref().map(str::trim).ok_or_else(|| err(index, "no time"))?;
        let time = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| err(index, "time is not HH:MM"))?;
        if prev.is_some_and(|p| time < p) {
            day += 1;
        }
        prev = Some(time);
        let at = Utc.from_utc_datetime(&(day0 + Duration::days(day) + (time - NaiveTime::MIN)));
        messages.push(LabelledMessage {
            sender_id: author.to_string(),
            sent_at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: m.text.as_deref().unwrap_or_default().trim().to_string(),
            sender_age_band: None,
        });
    }
    let first_predator = messages.iter().position(|m| predators.contains(&m.sender_id));
    let suspect = first_predator.map(|i| messages[i].sender_id.clone());
    Ok(Some(LabelledConversation {
        conversation_id: c.id,
        language: Language::En,
        label: if suspect.is_some() { Label::Grooming } else { Label::Benign },
        onset: first_predator,
        suspect,
        stages: Vec::new(),
        hard_negative: false,
        messages,
        family: None,
        message_stages: None,
        message_groups: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Synthetic, harmless stand-in for the corpus layout.
    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<conversations>
  <conversation id="c-aaa">
    <message line="1"><author>hash_kid</author><time>23:58</time><text>hi, anyone here?</text></message>
    <message line="2"><author>hash_pred</author><time>23:59</time><text>hey &amp; welcome &#39;friend&#39;</text></message>
    <message line="3"><author>hash_pred</author><time>00:03</time><text></text></message>
    <message line="4"><author>hash_kid</author><time>00:04</time><text><![CDATA[ok <3]]> &lt;script&gt;</text></message>
  </conversation>
  <conversation id="c-bbb">
    <message line="1"><author>hash_x</author><time>10:00</time><text>did you finish the homework</text></message>
    <message line="2"><author>hash_y</author><time>10:01</time><text/></message>
  </conversation>
  <conversation id="c-empty"></conversation>
</conversations>
"#;

    fn write(dir: &Path, xml: &str) -> (PathBuf, PathBuf) {
        let (x, p) = (dir.join("corpus.xml"), dir.join("predators.txt"));
        std::fs::write(&x, xml).unwrap();
        std::fs::write(&p, "hash_pred\n\n  hash_other  \n").unwrap();
        (x, p)
    }

    #[test]
    fn converts_labels_onsets_times_and_entities() {
        let dir = tempfile::tempdir().unwrap();
        let (x, p) = write(dir.path(), XML);
        let convs = import_pan12(&x, &p).unwrap();
        assert_eq!(convs.len(), 2, "the empty conversation is skipped");
        let g = &convs[0];
        assert_eq!(g.conversation_id, "c-aaa");
        assert_eq!((g.label, g.suspect.as_deref(), g.onset), (Label::Grooming, Some("hash_pred"), Some(1)));
        assert_eq!(g.language, Language::En);
        assert!(g.stages.is_empty());
        assert_eq!(g.messages[1].text, "hey & welcome 'friend'");
        assert_eq!(g.messages[2].text, "", "empty texts are kept");
        assert_eq!(g.messages[3].text, "ok <3 <script>");
        let times: Vec<&str> = g.messages.iter().map(|m| m.sent_at.as_str()).collect();
        assert_eq!(
            times,
            ["2012-01-01T23:58:00Z", "2012-01-01T23:59:00Z", "2012-01-02T00:03:00Z", "2012-01-02T00:04:00Z"],
            "rolls over midnight"
        );
        g.validate().unwrap();
        let b = &convs[1];
        assert_eq!((b.label, b.suspect.as_deref(), b.onset), (Label::Benign, None, None));
        assert_eq!(b.messages.len(), 2);
        b.validate().unwrap();
    }

    #[test]
    fn names_the_conversation_of_a_message_without_author() {
        let dir = tempfile::tempdir().unwrap();
        let xml = XML.replace("<author>hash_y</author>", "");
        let (x, p) = write(dir.path(), &xml);
        let err = import_pan12(&x, &p).unwrap_err();
        assert!(matches!(&err, Pan12Error::Message { conversation, index: 1, .. } if conversation == "c-bbb"));
        assert!(err.to_string().contains("no author"));
        assert!(!err.to_string().contains("hash_"), "errors carry no user ids");
    }

    #[test]
    fn reports_malformed_xml_with_a_position() {
        let dir = tempfile::tempdir().unwrap();
        let (x, p) = write(dir.path(), &XML.replace("</text></message>\n    <message line=\"3\">", "</txt></message>"));
        let err = import_pan12(&x, &p).unwrap_err();
        assert!(matches!(err, Pan12Error::Xml { position, .. } if position > 0), "{err}");
        let (x, p) = write(dir.path(), "<conversations><conversation id=\"c\"><message>");
        assert!(import_pan12(&x, &p).is_err(), "truncated file");
        let (x, p) = write(dir.path(), &XML.replace("<time>10:00</time>", "<time>ten</time>"));
        assert!(import_pan12(&x, &p).unwrap_err().to_string().contains("HH:MM"));
        assert!(matches!(import_pan12(&dir.path().join("none.xml"), &p), Err(Pan12Error::Io { .. })));
    }
}
