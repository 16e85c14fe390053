//! The command-line surface (docs/contracts.md §6). One file per subcommand; each turns flags into a
//! [`Config`] or options and calls the library.

pub mod eval;
pub mod explain;
pub mod import;
pub mod jsonl;
pub mod model;
pub mod replay;
pub mod run;
pub mod train;

use crate::config::settings::flag_help;
use crate::config::{Config, LogFormat, Overrides};
use crate::detector::Detector;
use crate::engine::{Engine, EngineOptions};
use crate::metrics::Metrics;
use crate::model::{load_encoder, EncoderKind};
use crate::policy::Profile;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// jaga: scores chat conversations for grooming risk (English, Bahasa Indonesia, code-mixed) and
/// emits explained, calibrated risk events for human review.
#[derive(Debug, Parser)]
#[command(name = "jaga", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The live processor: consume chat messages from Kafka, produce risk events.
    Run(run::RunArgs),
    /// Score a JSON Lines file (chat messages or labelled conversations) without Kafka; events on stdout.
    Replay(replay::ReplayArgs),
    /// Evaluate the detector on labelled conversations (docs/contracts.md §5).
    Eval(eval::EvalArgs),
    /// Show one conversation message by message: risk, stages, suspect, where levels were crossed.
    Explain(explain::ExplainArgs),
    /// Choose thresholds for a target precision or recall and write a threshold profile.
    Tune(eval::TuneArgs),
    /// Train the detector's heads on labelled conversations.
    Train(train::TrainArgs),
    /// Generate synthetic labelled conversations (the training data).
    Synth(train::SynthArgs),
    /// Convert other corpora into labelled conversations.
    Import(import::ImportArgs),
    /// Manage encoder weights (fetch, inspect).
    Model(model::ModelArgs),
}

/// Flags shared by every command that scores text.
#[derive(Debug, Clone, Args)]
pub struct ScoringArgs {
    #[arg(long, value_name = "NAME", help = flag_help("events.profile"))]
    pub profile: Option<String>,
    /// TOML configuration file (see deploy/jaga.example.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "KIND", help = flag_help("model.encoder"))]
    pub encoder: Option<EncoderKind>,
    #[arg(long, value_name = "DIR", help = flag_help("model.models_dir"))]
    pub models_dir: Option<PathBuf>,
}

impl ScoringArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            profile: self.profile.clone(),
            encoder: self.encoder,
            models_dir: self.models_dir.clone(),
            ..Default::default()
        }
    }

    /// Config from the file (if any), these flags and the environment.
    pub fn load_config(&self, extra: Overrides) -> anyhow::Result<Config> {
        let mut o = self.overrides();
        merge_overrides(&mut o, extra);
        Ok(Config::load(self.config.as_deref(), &o, std::env::vars())?)
    }
}

fn merge_overrides(into: &mut Overrides, from: Overrides) {
    macro_rules! take {
        ($($f:ident),*) => { $( if from.$f.is_some() { into.$f = from.$f; } )* };
    }
    take!(
        brokers,
        input_topic,
        output_topic,
        dlq_topic,
        state_topic,
        verdicts_topic,
        group_id,
        metrics_addr,
        profile,
        encoder,
        models_dir,
        excerpts,
        log_format
    );
}

/// Loads encoder, detector and profile as configured.
pub fn build_engine(cfg: &Config, metrics: Option<Metrics>) -> anyhow::Result<Engine> {
    let encoder =
        load_encoder(cfg.model.encoder, &cfg.model.encoder_options()).context("loading the sentence encoder")?;
    let detector = Detector::load(&cfg.model.models_dir, encoder.as_ref())
        .with_context(|| format!("loading the detector from {}", cfg.model.models_dir.display()))?;
    let profile = Profile::load(&cfg.events.profile, &cfg.model.models_dir.join("profiles"))
        .with_context(|| format!("loading threshold profile {:?}", cfg.events.profile))?;
    let engine_opts = EngineOptions {
        excerpts: cfg.events.excerpts,
        excerpt_chars: cfg.events.excerpt_chars,
        window: cfg.window.clone(),
    };
    let engine = Engine::new(encoder, detector, profile, engine_opts);
    Ok(match metrics {
        Some(m) => engine.with_metrics(m),
        None => engine,
    })
}

/// Sets up `tracing` on stderr. Logs never carry message text or user ids.
pub fn init_tracing(format: LogFormat, level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Runs the parsed command; the process exit code comes from the result.
pub fn main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Eval(a) => eval::run_eval(a),
        Command::Explain(a) => explain::run(a),
        Command::Tune(a) => eval::run_tune(a),
        Command::Train(a) => train::run_train(a),
        Command::Synth(a) => train::run_synth(a),
        Command::Import(a) => import::run(a),
        Command::Model(a) => model::run(a),
    }
}
