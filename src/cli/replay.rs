//! `jaga replay FILE|-`: the same scoring path as `run`, from a file, events on stdout.
//!
//! Input is as hostile as a Kafka topic can be: every line that cannot be scored — not UTF-8,
//! longer than `pipeline.max_record_bytes`, not a valid message — is a bad line with the same
//! reason code a dead-letter record would carry ([`super::jsonl`], shared with `jaga explain`);
//! the run goes on, and the summary counts bad lines by reason.

use super::jsonl::{parse_value, Lines, Parsed};
use super::{build_engine, init_tracing, ScoringArgs};
use crate::config::Overrides;
use crate::engine::{Engine, Input, Processed};
use crate::event::Level;
use crate::message::{BadRecordReason, Limits};
use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// JSON Lines of chat messages (docs/contracts.md §1) or labelled conversations (§3); "-" reads stdin.
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
    /// Bad lines (and messages the encoder failed on) by reason code.
    pub bad_by_reason: BTreeMap<&'static str, usize>,
    pub events: [usize; 3],
    pub unknown_age_bands: usize,
    /// Messages whose id their conversation's window already held: not counted again.
    pub duplicates: usize,
}

impl ReplaySummary {
    fn bad(&mut self, reason: &BadRecordReason) {
        self.bad_lines += 1;
        *self.bad_by_reason.entry(reason.code()).or_default() += 1;
    }
}

/// Streams `reader` through `engine` in batches, writing events as JSON Lines to `out`. Bad lines
/// are reported on stderr with their line number and reason code, and skipped.
pub fn replay<R: BufRead, W: Write>(
    engine: &mut Engine,
    reader: R,
    mut out: W,
    batch_size: usize,
    limits: &Limits,
    source_name: &str,
) -> anyhow::Result<ReplaySummary> {
    let mut summary = ReplaySummary::default();
    let mut batch: Vec<Input> = Vec::with_capacity(batch_size);
    let mut flush = |batch: &mut Vec<Input>, summary: &mut ReplaySummary, out: &mut W| -> anyhow::Result<()> {
        for processed in engine.process_batch(batch)? {
            match processed {
                Processed::Scored(outcome) => {
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
                Processed::Skipped => {}
                Processed::Duplicate => summary.duplicates += 1,
                Processed::Failed(why) => {
                    summary.bad(&BadRecordReason::InferenceFailed);
                    eprintln!("jaga replay: {source_name}: a message was skipped: inference_failed: {why}");
                }
            }
        }
        out.flush()?;
        batch.clear();
        Ok(())
    };
    let mut lines = Lines::new(reader, *limits);
    while let Some((line_no, value)) = lines.next_value().with_context(|| format!("reading {source_name}"))? {
        match value.and_then(|v| parse_value(v, limits)).map(Parsed::into_messages) {
            Ok((messages, unknown_age_band)) => {
                summary.unknown_age_bands += usize::from(unknown_age_band);
                for message in messages {
                    summary.messages += 1;
                    batch.push(Input { message, source: None });
                    if batch.len() >= batch_size {
                        flush(&mut batch, &mut summary, &mut out)?;
                    }
                }
            }
            Err(reason) => {
                summary.bad(&reason);
                eprintln!("jaga replay: {source_name}:{line_no}: skipped: {}: {reason}", reason.code());
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
    let limits = Limits { max_record_bytes: cfg.pipeline.max_record_bytes, max_id_bytes: cfg.pipeline.max_id_bytes };
    let started = std::time::Instant::now();
    let stdout = std::io::stdout().lock();
    let name = a.file.display().to_string();
    let summary = if name == "-" {
        replay(&mut engine, std::io::stdin().lock(), stdout, batch, &limits, "stdin")?
    } else {
        let f = std::fs::File::open(&a.file).with_context(|| format!("cannot open {name}"))?;
        replay(&mut engine, std::io::BufReader::new(f), stdout, batch, &limits, &name)?
    };
    let secs = started.elapsed().as_secs_f64();
    let reasons: Vec<String> = summary.bad_by_reason.iter().map(|(code, n)| format!("{code} {n}")).collect();
    let cache = engine
        .embedding_cache_stats()
        .map(|c| format!("; embedding cache {:.1}% hits", 100.0 * c.hit_rate()))
        .unwrap_or_default();
    eprintln!(
        "jaga replay: {} messages, {} events (watch {}, alert {}, critical {}), {} bad lines{}, {} unknown age bands, {} repeated message ids (counted once), {:.1} s ({:.0} messages/s){cache}; model {}, profile {}",
        summary.messages,
        summary.events.iter().sum::<usize>(),
        summary.events[0],
        summary.events[1],
        summary.events[2],
        summary.bad_lines,
        if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join(", ")) },
        summary.unknown_age_bands,
        summary.duplicates,
        secs,
        summary.messages as f64 / secs.max(1e-9),
        engine.model_version(),
        engine.profile_id()
    );
    Ok(())
}
