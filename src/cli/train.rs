//! `jaga train` and `jaga synth`: rebuild the detector's heads from labelled conversations, and
//! generate the project's synthetic training data.

use super::init_tracing;
use crate::config::LogFormat;
use crate::dataset::synth::{generate, SynthOptions};
use crate::dataset::{read_jsonl, write_jsonl, Language};
use crate::detector::train::{train, TrainOptions};
use crate::model::fetch::ModelCache;
use crate::model::{load_encoder, EncoderKind, EncoderOptions};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled conversations (CONTRACTS §3; `synth` output carries per-message stage labels).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Models folder to write `heads/<encoder>/` into.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub out: PathBuf,
    /// Exemplar banks to train with.
    #[arg(long, value_name = "DIR", default_value = "models/exemplars")]
    pub exemplars: PathBuf,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// Generator families held out of training (comma separated); default: a seeded quarter.
    #[arg(long, value_delimiter = ',')]
    pub holdout_families: Vec<String>,
    #[arg(long, default_value = "e5-small")]
    pub encoder: EncoderKind,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Output JSON Lines file ("-" for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 2000)]
    pub conversations: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Languages (comma separated: en,id,mixed) [default: all three].
    #[arg(long, value_delimiter = ',')]
    pub languages: Vec<String>,
    /// Share of grooming conversations.
    #[arg(long, default_value_t = 0.4)]
    pub grooming_fraction: f32,
    /// Also print a JSON report on stderr: template counts per stage and language, message and
    /// conversation shapes per label and language, and the tokens that occur (almost) only in
    /// grooming conversations — the shortcuts a model could learn instead of the patterns.
    #[arg(long)]
    pub stats: bool,
}

pub fn run_train(a: TrainArgs) -> anyhow::Result<()> {
    init_tracing(LogFormat::Text, "info");
    let mut convs = Vec::new();
    for f in &a.files {
        convs.extend(read_jsonl(f)?);
    }
    let enc_opts = EncoderOptions {
        cache_dir: std::env::var_os("JAGA_CACHE_DIR").map(PathBuf::from),
        ..EncoderOptions::default()
    };
    let encoder = load_encoder(a.encoder, &enc_opts)?;
    let cache = ModelCache::from_option(enc_opts.cache_dir.as_deref())?;
    let opts = TrainOptions {
        seed: a.seed,
        epochs: a.epochs,
        holdout_families: a.holdout_families,
        out_dir: a.out,
        exemplars_dir: a.exemplars,
        cache_dir: Some(cache.root().join("embeddings")),
        ..TrainOptions::default()
    };
    let report = train(&convs, encoder.as_ref(), &opts).context("training the heads")?;
    eprintln!("{}", serde_json::to_string_pretty(&report.holdout)?);
    eprintln!(
        "jaga train: wrote {} ({}), {} training / {} held-out conversations",
        report.heads_dir.display(),
        report.version,
        report.train_conversations,
        report.holdout_conversations
    );
    Ok(())
}

pub fn run_synth(a: SynthArgs) -> anyhow::Result<()> {
    let languages = a
        .languages
        .iter()
        .map(|l| match l.as_str() {
            "en" => Ok(Language::En),
            "id" => Ok(Language::Id),
            "mixed" => Ok(Language::Mixed),
            other => Err(anyhow::anyhow!("unknown language {other:?} (en, id, mixed)")),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let opts = SynthOptions {
        seed: a.seed,
        conversations: a.conversations,
        grooming_fraction: a.grooming_fraction,
        languages,
        ..SynthOptions::default()
    };
    let convs = generate(&opts);
    if a.stats {
        let report = serde_json::json!({
            "templates": crate::dataset::synth::template_counts(),
            "corpus": crate::dataset::synth::stats::corpus_stats(&convs),
        });
        eprintln!("{}", serde_json::to_string_pretty(&report)?);
    }
    if a.out.as_os_str() == "-" {
        write_jsonl(std::io::stdout().lock(), &convs)?;
    } else {
        let f = std::fs::File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
        write_jsonl(std::io::BufWriter::new(f), &convs)?;
        eprintln!("jaga synth: {} conversations written to {}", convs.len(), a.out.display());
    }
    Ok(())
}
