//! `jaga run`: the live processor.

use super::{build_engine, init_tracing, ScoringArgs};
use crate::config::settings::{env_vars, flag_help};
use crate::config::{LogFormat, Overrides};
use crate::metrics::Metrics;
use anyhow::Context;
use clap::Args;

fn env_help() -> String {
    let mut s = String::from(
        "Precedence: built-in defaults < --config file < flags < JAGA_* environment variables.\n\nEnvironment variables:\n",
    );
    for (var, what) in env_vars() {
        s.push_str(&format!("  {var:<22} {what}\n"));
    }
    s.push_str("\nlibrdkafka settings (SASL, SSL, tuning) go in the config file's [kafka.librdkafka],\n[kafka.consumer] and [kafka.producer] tables, or JAGA_RDKAFKA_* variables.");
    s
}

#[derive(Debug, Args)]
#[command(after_long_help = env_help(), after_help = "See --help for environment variables and precedence.")]
pub struct RunArgs {
    #[command(flatten)]
    pub scoring: ScoringArgs,
    #[arg(long, value_name = "HOST:PORT,...", help = flag_help("kafka.brokers"))]
    pub brokers: Option<String>,
    #[arg(long, value_name = "T", help = flag_help("kafka.input_topic"))]
    pub input_topic: Option<String>,
    #[arg(long, value_name = "T", help = flag_help("kafka.output_topic"))]
    pub output_topic: Option<String>,
    #[arg(long, value_name = "T", help = flag_help("kafka.dlq_topic"))]
    pub dlq_topic: Option<String>,
    #[arg(long, value_name = "T", help = flag_help("kafka.state_topic"))]
    pub state_topic: Option<String>,
    #[arg(long, value_name = "T", help = flag_help("kafka.verdicts_topic"))]
    pub verdicts_topic: Option<String>,
    #[arg(long, value_name = "G", help = flag_help("kafka.group_id"))]
    pub group_id: Option<String>,
    #[arg(long, value_name = "ADDR", help = flag_help("metrics.addr"))]
    pub metrics_addr: Option<String>,
    #[arg(long, help = flag_help("events.excerpts"))]
    pub excerpts: bool,
    #[arg(long, value_name = "FORMAT", help = flag_help("log.format"))]
    pub log_format: Option<LogFormat>,
    /// Print the effective configuration (secrets redacted) and exit.
    #[arg(long)]
    pub print_config: bool,
}

pub fn run(a: RunArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        brokers: a.brokers,
        input_topic: a.input_topic,
        output_topic: a.output_topic,
        dlq_topic: a.dlq_topic,
        state_topic: a.state_topic,
        verdicts_topic: a.verdicts_topic,
        group_id: a.group_id,
        metrics_addr: a.metrics_addr,
        excerpts: a.excerpts.then_some(true),
        log_format: a.log_format,
        ..Default::default()
    };
    let cfg = a.scoring.load_config(overrides)?;
    if a.print_config {
        print!("{}", cfg.to_redacted_toml());
        return Ok(());
    }
    init_tracing(cfg.log.format, &cfg.log.level);
    let metrics = Metrics::new();
    let started = std::time::Instant::now();
    let engine = build_engine(&cfg, Some(metrics.clone()))?;
    tracing::info!(
        model = engine.model_version(),
        profile = engine.profile_id(),
        load_ms = started.elapsed().as_millis() as u64,
        encoder_threads = cfg.model.encoder_options().resolved_threads(),
        "Model loaded."
    );
    // Three workers: a revocation waits inside the consumer's callback for in-flight work of the
    // lost partitions, and the producer side must keep running on the others meanwhile.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_all()
        .thread_name("jaga-io")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(crate::pipeline::run(cfg, engine, metrics))?;
    Ok(())
}
