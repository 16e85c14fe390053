//! `jaga eval` and `jaga tune`: measure the detector on labelled conversations through the same
//! scoring path as `jaga run`, and choose thresholds from the measurement.

use super::{build_engine, init_tracing, ScoringArgs};
use crate::config::Overrides;
use crate::dataset::{read_jsonl, LabelledConversation};
use crate::eval::tune::{tune_from_verdicts, ReviewedPoint, ThresholdBasis};
use crate::eval::{data_sha256, progress_bar, score_conversations, tune, write_html_report, EvalReport, Target};
use crate::policy::Profile;
use crate::train::background::{part_of, Part};
use crate::verdicts::{self, EventSummary, Verdict};
use anyhow::Context;
use clap::Args;
use std::io::BufRead;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled conversations (docs/contracts.md §3), JSON Lines.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print the docs/contracts.md §5 JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report (plots, per-language and per-stage tables, misses).
    #[arg(long, value_name = "OUT.html")]
    pub report: Option<PathBuf>,
    /// Messages at which the latency penalty reaches 0.5 (latency-weighted F1).
    #[arg(long, default_value_t = crate::eval::DEFAULT_K_HALF)]
    pub k_half: f64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Only the records on this side of the background pool's fixed split (`train` or
    /// `validation`, by record number; see `jaga train --background`).
    #[arg(long, value_name = "PART")]
    pub split: Option<Part>,
    /// Only conversations of the generator families the loaded heads held out of training.
    #[arg(long)]
    pub held_out: bool,
    #[command(flatten)]
    pub scoring: ScoringArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "From review outcomes instead of labelled data:\n  \
    jaga tune --events EVENTS.jsonl --verdicts VERDICTS.jsonl --target-precision P [--min-support N] [--out F]\n\
    EVENTS: risk events (docs/contracts.md §2) as dumped from the moderation topic; VERDICTS: reviewer\n\
    verdicts (§7, schemas/verdict.schema.json). See docs/reviewer-loop.md.")]
pub struct TuneArgs {
    /// Labelled conversations (docs/contracts.md §3), JSON Lines.
    #[arg(value_name = "FILE", required_unless_present = "verdicts", conflicts_with_all = ["events", "verdicts"])]
    pub files: Vec<PathBuf>,
    /// Risk events that reviewers judged (JSON Lines, as produced to the moderation topic); needs
    /// --verdicts.
    #[arg(long, value_name = "EVENTS.jsonl", requires = "verdicts")]
    pub events: Option<PathBuf>,
    /// Reviewer verdicts on those events (JSON Lines, schemas/verdict.schema.json); thresholds are
    /// re-derived from the review outcomes instead of labelled conversations.
    #[arg(long, value_name = "VERDICTS.jsonl", requires = "events", conflicts_with_all = ["target_recall", "report"])]
    pub verdicts: Option<PathBuf>,
    /// With --verdicts: fewest decisive verdicts (confirmed or false alarm) at or above a threshold
    /// for it to be chosen.
    #[arg(long, value_name = "N", default_value_t = 30, requires = "verdicts")]
    pub min_support: usize,
    /// Lowest acceptable precision at the alert level; recall is maximised under it.
    #[arg(long, value_name = "P", conflicts_with = "target_recall", required_unless_present = "target_recall")]
    pub target_precision: Option<f32>,
    /// Lowest acceptable recall at the alert level; precision is maximised under it.
    #[arg(long, value_name = "R")]
    pub target_recall: Option<f32>,
    /// Where to write the tuned profile (TOML); printed to stdout when absent.
    #[arg(long, value_name = "PROFILE.toml")]
    pub out: Option<PathBuf>,
    /// Name of the written profile [default: the base profile's name].
    #[arg(long)]
    pub name: Option<String>,
    /// Also write the evaluation report at the tuned thresholds.
    #[arg(long, value_name = "OUT.html")]
    pub report: Option<PathBuf>,
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub scoring: ScoringArgs,
}

fn read_all(files: &[PathBuf]) -> anyhow::Result<Vec<LabelledConversation>> {
    let mut all = Vec::new();
    for f in files {
        all.extend(read_jsonl(f)?);
    }
    anyhow::ensure!(
        !all.is_empty(),
        "no conversations in {}",
        files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    Ok(all)
}

pub fn run_eval(a: EvalArgs) -> anyhow::Result<()> {
    let mut convs = read_all(&a.files)?;
    let cfg = a.scoring.load_config(Overrides::default())?;
    init_tracing(cfg.log.format, "warn");
    let mut engine = build_engine(&cfg, None)?;
    if let Some(part) = a.split {
        convs.retain(|c| part_of(&c.conversation_id) == part);
    }
    if a.held_out {
        // The families of the heads the engine loaded (their meta.json), not read a second time.
        let held_out = &engine.detector().meta().holdout_families;
        convs.retain(|c| c.family.as_ref().is_some_and(|f| held_out.contains(f)));
    }
    anyhow::ensure!(!convs.is_empty(), "no conversation is left after --split / --held-out");
    let bar = progress_bar(convs.len() as u64, a.quiet, "eval");
    let results = score_conversations(&mut engine, &convs, &bar)?;
    bar.finish_and_clear();
    let report = EvalReport::compute(&results, engine.profile(), engine.model_version(), a.k_half)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_table());
    }
    if let Some(path) = &a.report {
        write_html_report(&report, &results, path)?;
        eprintln!("jaga eval: report written to {}", path.display());
    }
    Ok(())
}

pub fn run_tune(a: TuneArgs) -> anyhow::Result<()> {
    if let (Some(events), Some(verdicts)) = (&a.events, &a.verdicts) {
        return run_tune_verdicts(&a, events, verdicts);
    }
    let target = match (a.target_precision, a.target_recall) {
        (Some(p), _) => Target::Precision(p),
        (None, Some(r)) => Target::Recall(r),
        (None, None) => anyhow::bail!("give --target-precision or --target-recall"),
    };
    let convs = read_all(&a.files)?;
    let cfg = a.scoring.load_config(Overrides::default())?;
    init_tracing(cfg.log.format, "warn");
    let mut engine = build_engine(&cfg, None)?;
    let bar = progress_bar(convs.len() as u64, a.quiet, "tune");
    let results = score_conversations(&mut engine, &convs, &bar)?;
    bar.finish_and_clear();
    let sha = data_sha256(&a.files).context("hashing the input files")?;
    let mut outcome = tune(&results, engine.profile(), target, &sha, engine.model_version())?;
    if let Some(name) = a.name {
        outcome.profile.name = name;
    }
    let text = outcome.profile.to_toml_string();
    crate::policy::Profile::from_toml_str(&text).context("the tuned profile does not validate")?;
    for (what, p) in [("watch", &outcome.watch), ("alert", &outcome.alert), ("critical", &outcome.critical)] {
        eprintln!(
            "jaga tune: {what:<8} threshold {:.3}  flagged {:>4}  precision {}  recall {:.3}",
            p.threshold,
            p.flagged,
            p.precision.map_or("n/a".into(), |x| format!("{x:.3}")),
            p.recall
        );
    }
    write_profile(a.out.as_deref(), &text, &outcome.profile.id())?;
    if let Some(path) = &a.report {
        let report =
            EvalReport::compute(&results, &outcome.profile, engine.model_version(), crate::eval::DEFAULT_K_HALF)?;
        write_html_report(&report, &results, path)?;
    }
    Ok(())
}

/// Writes a tuned profile to `out`, or to stdout without one.
fn write_profile(out: Option<&Path>, text: &str, id: &str) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("jaga tune: wrote profile {id} to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Longest line read from an events or verdicts file, like the topic's record limit.
const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads JSON Lines as bytes (so invalid UTF-8 is one bad line, not the end of the file); bad lines
/// are reported on stderr with their number and skipped, and counted in the returned total.
fn read_lines<T>(path: &Path, mut parse: impl FnMut(&[u8]) -> Result<T, String>) -> anyhow::Result<(Vec<T>, usize)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    let (mut out, mut bad) = (Vec::new(), 0usize);
    for (i, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {name}"))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse(&line) {
            Ok(v) => out.push(v),
            Err(reason) => {
                bad += 1;
                eprintln!("jaga tune: {name}:{}: skipped: {reason}", i + 1);
            }
        }
    }
    Ok((out, bad))
}

fn parse_event(line: &[u8]) -> Result<EventSummary, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!("line of {} bytes exceeds {MAX_LINE_BYTES}", line.len()));
    }
    let e: EventSummary = serde_json::from_slice(line).map_err(|e| format!("not a risk event: {e}"))?;
    if !(0.0..=1.0).contains(&e.risk_score) {
        return Err(format!("risk_score {} is outside [0, 1]", e.risk_score));
    }
    Ok(e)
}

fn parse_verdict(line: &[u8]) -> Result<Verdict, String> {
    verdicts::decode(Some(line), MAX_LINE_BYTES).map_err(|r| format!("{} ({r})", r.code()))
}

fn describe(what: &str, p: &ReviewedPoint, basis: ThresholdBasis) -> String {
    let fmt = |x: Option<f64>| x.map_or("n/a".to_string(), |x| format!("{x:.3}"));
    format!(
        "jaga tune: {what:<8} threshold {:.3}  precision {} (95% {}-{})  support {} reviewed events in {} conversations  [{}]",
        p.threshold,
        fmt(p.precision),
        fmt(p.precision_low95),
        fmt(p.precision_high95),
        p.support,
        p.conversations,
        match basis {
            ThresholdBasis::Measured => "measured",
            ThresholdBasis::Distance => "distance from alert, not measured",
        }
    )
}

/// `jaga tune --events --verdicts`: thresholds from review outcomes (no model needed).
fn run_tune_verdicts(a: &TuneArgs, events_path: &Path, verdicts_path: &Path) -> anyhow::Result<()> {
    let target = a.target_precision.context("--verdicts needs --target-precision")?;
    let cfg = a.scoring.load_config(Overrides::default())?;
    init_tracing(cfg.log.format, "warn");
    let base = Profile::load(&cfg.events.profile, &cfg.model.models_dir.join("profiles"))
        .with_context(|| format!("loading threshold profile {:?}", cfg.events.profile))?;
    let (events, bad_events) = read_lines(events_path, parse_event)?;
    let (verdicts, bad_verdicts) = read_lines(verdicts_path, parse_verdict)?;
    let n_events = events.len();
    let joined = verdicts::join(events, &verdicts);
    eprintln!(
        "jaga tune: {n_events} events ({} repeated, {bad_events} bad lines), {} verdicts ({} superseded by a later \
         decision, {} about events not in {}, {bad_verdicts} bad lines); {} events reviewed, {} not yet",
        joined.duplicate_events,
        verdicts.len(),
        joined.superseded_verdicts,
        joined.orphan_verdicts,
        events_path.display(),
        joined.reviewed.len(),
        joined.unreviewed
    );
    let sha = data_sha256(&[events_path.to_path_buf(), verdicts_path.to_path_buf()])
        .context("hashing the events and verdicts files")?;
    let mut outcome = tune_from_verdicts(&joined.reviewed, &base, target, a.min_support, &sha, chrono::Utc::now())?;
    if let Some(name) = &a.name {
        outcome.profile.name = name.clone();
    }
    let text = outcome.profile.to_toml_string();
    Profile::from_toml_str(&text).context("the tuned profile does not validate")?;
    eprintln!(
        "jaga tune: {} decisive verdicts ({} unclear left out), minimum support {}",
        outcome.decisive,
        outcome.unclear,
        a.min_support.max(1)
    );
    eprintln!("{}", describe("watch", &outcome.watch, outcome.watch_basis));
    eprintln!("{}", describe("alert", &outcome.alert, ThresholdBasis::Measured));
    eprintln!("{}", describe("critical", &outcome.critical, outcome.critical_basis));
    for w in &outcome.warnings {
        eprintln!("jaga tune: note: {w}");
    }
    write_profile(a.out.as_deref(), &text, &outcome.profile.id())?;
    Ok(())
}
