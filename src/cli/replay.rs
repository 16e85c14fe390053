//! `jaga replay FILE|-`: the same scoring path as `run`, from a file, events on stdout.

use super::{build_engine, init_tracing, ScoringArgs};
use crate::config::Overrides;
use crate::dataset::LabelledConversation;
use crate::engine::{Engine, Input};
use crate::event::Level;
use crate::message::{from_value, ChatMessage};
use anyhow::Context;
use clap::Args;
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// JSON Lines of chat messages (CONTRACTS §1) or labelled conversations (§3); "-" reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// Put short excerpts of the original text into evidence.
    #[arg(long)]
    pub excerpts: bool,
    /// Messages encoded per batch [default: from config, 64].
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,
}

/// Counts for the summary line.
#[derive(Debug, Default)]
pub struct ReplaySummary {
    pub messages: usize,
    pub bad_lines: usize,
    pub events: [usize; 3],
}

/// One line of a replay file, as chat messages.
fn parse_line(line: &str) -> Result<Vec<ChatMessage>, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("messages").is_some_and(|m| m.is_array()) {
        let conv: LabelledConversation =
            serde_json::from_value(value).map_err(|e| format!("not a labelled conversation: {e}"))?;
        conv.validate()?;
        conv.to_chat_messages()
    } else {
        from_value(&value).map(|m| vec![m]).map_err(|e| e.to_string())
    }
}

/// Streams `reader` through `engine` in batches, writing events as JSON Lines to `out`.
/// Bad lines are reported on stderr with their line number and skipped.
pub fn replay<R: BufRead, W: Write>(
    engine: &mut Engine,
    reader: R,
    mut out: W,
    batch_size: usize,
    source_name: &str,
) -> anyhow::Result<ReplaySummary> {
    let mut summary = ReplaySummary::default();
    let mut batch: Vec<Input> = Vec::with_capacity(batch_size);
    let mut flush = |batch: &mut Vec<Input>, summary: &mut ReplaySummary, out: &mut W| -> anyhow::Result<()> {
        for outcome in engine.process(batch)? {
            if let Some(ev) = outcome.event {
                summary.events[match ev.level {
                    Level::Watch => 0,
                    Level::Alert => 1,
                    Level::Critical => 2,
                }] += 1;
                serde_json::to_writer(&mut *out, &ev)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()?;
        batch.clear();
        Ok(())
    };
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading {source_name}"))?;
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(&line) {
            Ok(messages) => {
                for message in messages {
                    summary.messages += 1;
                    batch.push(Input { message, source: None });
                    if batch.len() >= batch_size {
                        flush(&mut batch, &mut summary, &mut out)?;
                    }
                }
            }
            Err(reason) => {
                summary.bad_lines += 1;
                eprintln!("jaga replay: {source_name}:{}: skipped: {reason}", i + 1);
            }
        }
    }
    flush(&mut batch, &mut summary, &mut out)?;
    Ok(summary)
}

pub fn run(a: ReplayArgs) -> anyhow::Result<()> {
    let cfg = a.scoring.load_config(Overrides { excerpts: a.excerpts.then_some(true), ..Default::default() })?;
    init_tracing(cfg.log.format, "warn");
    let mut engine = build_engine(&cfg, None)?;
    let batch = a.batch.unwrap_or(cfg.pipeline.max_batch).max(1);
    let started = std::time::Instant::now();
    let stdout = std::io::stdout().lock();
    let name = a.file.display().to_string();
    let summary = if name == "-" {
        replay(&mut engine, std::io::stdin().lock(), stdout, batch, "stdin")?
    } else {
        let f = std::fs::File::open(&a.file).with_context(|| format!("cannot open {name}"))?;
        replay(&mut engine, std::io::BufReader::new(f), stdout, batch, &name)?
    };
    let secs = started.elapsed().as_secs_f64();
    let cache = engine
        .embedding_cache_stats()
        .map(|c| format!("; embedding cache {:.1}% hits", 100.0 * c.hit_rate()))
        .unwrap_or_default();
    eprintln!(
        "jaga replay: {} messages, {} events (watch {}, alert {}, critical {}), {} bad lines, {:.1} s ({:.0} messages/s){cache}; model {}, profile {}",
        summary.messages,
        summary.events.iter().sum::<usize>(),
        summary.events[0],
        summary.events[1],
        summary.events[2],
        summary.bad_lines,
        secs,
        summary.messages as f64 / secs.max(1e-9),
        engine.model_version(),
        engine.profile_id()
    );
    Ok(())
}
