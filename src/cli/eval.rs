//! `jaga eval` and `jaga tune`: measure the detector on labelled conversations through the same
//! scoring path as `jaga run`, and choose thresholds from the measurement.

use super::{build_engine, init_tracing, ScoringArgs};
use crate::config::Overrides;
use crate::dataset::{read_jsonl, LabelledConversation};
use crate::detector::{heads_dir, HeadsMeta};
use crate::eval::{data_sha256, progress_bar, score_conversations, tune, write_html_report, EvalReport, Target};
use crate::train::background::{part_of, Part};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled conversations (CONTRACTS §3), JSON Lines.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print the CONTRACTS §5 JSON instead of a table.
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
pub struct TuneArgs {
    /// Labelled conversations (CONTRACTS §3), JSON Lines.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
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
        let meta = heads_dir(&cfg.model.models_dir, engine.encoder_id()).join("meta.json");
        let meta: HeadsMeta =
            serde_json::from_slice(&std::fs::read(&meta).with_context(|| meta.display().to_string())?)
                .with_context(|| format!("reading {}", meta.display()))?;
        convs.retain(|c| c.family.as_ref().is_some_and(|f| meta.holdout_families.contains(f)));
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
    match &a.out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("jaga tune: wrote profile {} to {}", outcome.profile.id(), path.display());
        }
        None => print!("{text}"),
    }
    if let Some(path) = &a.report {
        let report =
            EvalReport::compute(&results, &outcome.profile, engine.model_version(), crate::eval::DEFAULT_K_HALF)?;
        write_html_report(&report, &results, path)?;
    }
    Ok(())
}
