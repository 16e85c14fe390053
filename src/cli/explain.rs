//! `jaga explain FILE --conversation ID`: the per-message timeline of one conversation.

use super::jsonl::{parse_value, Lines, Parsed};
use super::{build_engine, init_tracing, ScoringArgs};
use crate::config::Overrides;
use crate::dataset::Label;
use crate::explain::{explain, render_html, render_text, LabelInfo};
use crate::message::{BadRecordReason, ChatMessage, Limits};
use anyhow::Context;
use clap::Args;
use serde_json::Value;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// JSON Lines of chat messages (docs/contracts.md §1) or labelled conversations (§3); "-" reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Id of the conversation to explain.
    #[arg(long, value_name = "ID")]
    pub conversation: String,
    /// Also write a self-contained HTML page: risk curve, stage-by-message heat map, timeline.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Show short excerpts of the message text (off by default: explanations end up in tickets).
    #[arg(long)]
    pub excerpts: bool,
    /// Print the timeline as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub scoring: ScoringArgs,
}

/// Bad lines reported one by one before only counting them.
const REPORTED_BAD_LINES: usize = 10;
/// Other conversation ids named when the requested one is not in the file.
const NAMED_OTHERS: usize = 5;

/// The requested conversation's messages as read from a file.
#[derive(Debug, Default)]
struct Found {
    messages: Vec<ChatMessage>,
    label: Option<LabelInfo>,
    bad_lines: usize,
    others: Vec<String>,
}

impl Found {
    fn bad(&mut self, source: &str, line: usize, reason: &BadRecordReason) {
        self.bad_lines += 1;
        if self.bad_lines <= REPORTED_BAD_LINES {
            eprintln!("jaga explain: {source}:{line}: skipped: {}: {reason}", reason.code());
        }
    }

    fn other(&mut self, id: Option<&str>) {
        if let Some(id) = id {
            if self.others.len() < NAMED_OTHERS && !self.others.iter().any(|o| o == id) {
                self.others.push(id.to_owned());
            }
        }
    }
}

/// Collects the lines of conversation `id`, in file order, through the reader `jaga replay` uses
/// ([`super::jsonl`]): bad lines are reported with the same reason codes and skipped.
fn read_conversation<R: BufRead>(reader: R, id: &str, source: &str, limits: Limits) -> anyhow::Result<Found> {
    let mut found = Found::default();
    let mut lines = Lines::new(reader, limits);
    while let Some((line_no, value)) = lines.next_value().with_context(|| format!("reading {source}"))? {
        let value = match value {
            Ok(v) => v,
            Err(reason) => {
                found.bad(source, line_no, &reason);
                continue;
            }
        };
        let line_id = value.get("conversation_id").and_then(Value::as_str);
        if line_id != Some(id) {
            found.other(line_id);
            continue;
        }
        match parse_value(value, &limits) {
            Ok(Parsed::Labelled { conversation: conv, messages }) => {
                found.label.get_or_insert(LabelInfo {
                    label: match conv.label {
                        Label::Grooming => "grooming".into(),
                        Label::Benign => "benign".into(),
                    },
                    onset: conv.onset,
                    suspect: conv.suspect,
                    stages: conv.stages,
                });
                found.messages.extend(messages);
            }
            Ok(Parsed::Message { message, .. }) => found.messages.push(message),
            Err(reason) => found.bad(source, line_no, &reason),
        }
    }
    if found.bad_lines > REPORTED_BAD_LINES {
        eprintln!("jaga explain: {source}: {} bad lines in all", found.bad_lines);
    }
    Ok(found)
}

pub fn run(a: ExplainArgs) -> anyhow::Result<()> {
    let cfg = a.scoring.load_config(Overrides::default())?;
    init_tracing(cfg.log.format, "warn");
    let name = a.file.display().to_string();
    let p = &cfg.pipeline;
    let limits = Limits { max_record_bytes: p.max_record_bytes, max_id_bytes: p.max_id_bytes };
    let found = if name == "-" {
        read_conversation(std::io::stdin().lock(), &a.conversation, "stdin", limits)?
    } else {
        let f = std::fs::File::open(&a.file).with_context(|| format!("cannot open {name}"))?;
        read_conversation(std::io::BufReader::new(f), &a.conversation, &name, limits)?
    };
    if found.messages.is_empty() {
        let others = if found.others.is_empty() {
            "it holds no readable conversation".to_string()
        } else {
            format!("it holds e.g. {}", found.others.join(", "))
        };
        anyhow::bail!("conversation {:?} is not in {name} ({others})", a.conversation);
    }
    let mut engine = build_engine(&cfg, None)?;
    let excerpt_chars = a.excerpts.then_some(cfg.events.excerpt_chars);
    let timeline = explain(&mut engine, &found.messages, found.label, excerpt_chars, cfg.pipeline.max_batch)
        .context("scoring the conversation")?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&timeline)?);
    } else {
        print!("{}", render_text(&timeline));
    }
    if let Some(path) = &a.html {
        std::fs::write(path, render_html(&timeline)).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("jaga explain: page written to {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_conversation_from_messages_or_labelled_lines_and_counts_bad_ones() {
        let msg = |c: &str, i: usize| {
            format!(
                r#"{{"message_id":"{c}:{i}","conversation_id":"{c}","sender_id":"u","sent_at":"2026-01-01T00:00:0{i}Z","text":"t{i}"}}"#
            )
        };
        let labelled = r#"{"conversation_id":"L","language":"en","label":"grooming","onset":1,"suspect":"u","stages":["secrecy"],"messages":[{"sender_id":"u","sent_at":"2026-01-01T00:00:00Z","text":"a"},{"sender_id":"v","sent_at":"2026-01-01T00:00:01Z","text":"b"}]}"#;
        let bad_of_a = r#"{"message_id":"x","conversation_id":"A","sender_id":"u","sent_at":"later","text":""}"#;
        let mut input = [msg("A", 0), msg("B", 0), "{oops".into(), msg("A", 1), bad_of_a.into(), labelled.into()]
            .join("\n")
            .into_bytes();
        input.extend_from_slice(b"\n\xff\xfe\n");

        let found = read_conversation(&input[..], "A", "t", Limits::default()).unwrap();
        let ids: Vec<&str> = found.messages.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids, ["A:0", "A:1"]);
        assert!(found.label.is_none());
        assert_eq!(found.bad_lines, 3, "not JSON, invalid timestamp of A, not UTF-8");
        assert_eq!(found.others, ["B", "L"]);

        let found = read_conversation(&input[..], "L", "t", Limits::default()).unwrap();
        assert_eq!(found.messages.len(), 2);
        assert_eq!(found.messages[1].message_id, "L:1");
        let label = found.label.unwrap();
        assert_eq!((label.label.as_str(), label.onset, label.suspect.as_deref()), ("grooming", Some(1), Some("u")));

        assert!(read_conversation(&input[..], "nope", "t", Limits::default()).unwrap().messages.is_empty());
    }
}
