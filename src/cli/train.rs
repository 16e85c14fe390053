//! `jaga train` and `jaga synth`: rebuild the detector's heads from labelled conversations and real
//! benign background, and generate the project's synthetic training data.

use super::init_tracing;
use crate::config::LogFormat;
use crate::dataset::synth::{families, generate, SynthOptions};
use crate::dataset::{read_jsonl, write_jsonl, Language};
use crate::model::fetch::ModelCache;
use crate::model::{load_encoder, EncoderKind, EncoderOptions};
use crate::train::background::read_background;
use crate::train::{obfuscate_conversation, train, TrainOptions, DEFAULT_OBFUSCATION_SEED};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled conversations (docs/contracts.md §3; `synth` output carries per-message stage labels).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Real benign chat used as background for both heads: files or folders of labelled
    /// conversations, all benign (e.g. ../shared/realchat). Read in place, never copied; a fixed
    /// quarter (by record number) is held out for validation.
    #[arg(long, value_name = "DIR_OR_FILE", num_args = 1.., alias = "realchat")]
    pub background: Vec<PathBuf>,
    /// Models folder to write `heads/<encoder>/` and `profiles/` into.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub out: PathBuf,
    /// Exemplar banks to train with.
    #[arg(long, value_name = "DIR", default_value = "models/exemplars")]
    pub exemplars: PathBuf,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Passes over the training rows for each head (12 generalised better to the held-out
    /// families than 30 or 6; see the model card).
    #[arg(long, default_value_t = 12)]
    pub epochs: usize,
    /// Cross-fitting folds: each head is the average of this many members, each fitted without
    /// one fold and scoring it out of fold (for calibration and thresholds).
    #[arg(long, default_value_t = 4)]
    pub folds: usize,
    /// Generator families held out of training and measured on (comma separated); default: the
    /// generator's held-out families (`jaga synth --list-families` marks them; they use template
    /// pools no other family shares) where the data has them, else a seeded quarter of the
    /// grooming and of the benign families.
    #[arg(long, value_delimiter = ',')]
    pub holdout_families: Vec<String>,
    /// Stage-head weight of a background message relative to a labelled one (0.5 was chosen on
    /// the background's validation part and the held-out families; see the model card).
    #[arg(long, default_value_t = 0.5)]
    pub background_stage_weight: f32,
    /// Conversation-head weight of a background row relative to a labelled one.
    #[arg(long, default_value_t = 1.0)]
    pub background_conv_weight: f32,
    /// Probability with which a labelled message's stages are hidden in an extra copy of each
    /// labelled conversation for the conversation head, so it learns to alert on a partial arc
    /// (0 turns the copy off; 0.4 did worse on the shipped data, see the model card).
    #[arg(long, default_value_t = 0.0)]
    pub conv_evidence_dropout: f64,
    /// Share of labelled messages the stage head also learns in an obfuscated copy (0 turns
    /// the copies off; with 0.25 obfuscation cost more recall, and with 0.75 real chat alerted;
    /// see the model card).
    #[arg(long, default_value_t = 0.5)]
    pub stage_obfuscated_copies: f64,
    /// Extra weight of a background message on the stage head's cue output (0 turns it off).
    #[arg(long, default_value_t = 1.5)]
    pub background_cue_weight: f32,
    /// Also write each training conversation's out-of-fold risk (JSON Lines), the scores the
    /// thresholds are chosen on.
    #[arg(long, value_name = "FILE")]
    pub out_of_fold_scores: Option<PathBuf>,
    /// Dropout on the stage head's input while it is fitted (embedding and exemplar signals;
    /// the model card lists the values tried).
    #[arg(long, default_value_t = 0.2)]
    pub stage_input_dropout: f64,
    /// Weight of a stage-head positive target relative to a negative one.
    #[arg(long, default_value_t = 1.0)]
    pub stage_positive_weight: f32,
    /// Hidden units of the conversation head.
    #[arg(long, default_value_t = 32)]
    pub conv_hidden: usize,
    /// Independently initialised nets averaged into each fold's member of both heads (1 = one
    /// net per fold). With one, held-out F0.5 ranged 0.58-0.80 over three seeds; with 3, 0.76-0.79
    /// (see the model card): the thresholds no longer hang on one net's noisiest score.
    #[arg(long, default_value_t = 3)]
    pub bags: usize,
    /// Where embeddings are cached between runs [default: <model cache>/embeddings].
    #[arg(long, value_name = "DIR")]
    pub embedding_cache: Option<PathBuf>,
    /// Keep the threshold profiles in <out>/profiles as they are (they were chosen for other heads).
    #[arg(long)]
    pub keep_profiles: bool,
    /// Also measure clause-level stage scoring against whole messages (encodes clauses; offline).
    #[arg(long)]
    pub clause_experiment: bool,
    /// Cross-fit the stage head by phrasing as well as by family: messages that carry a phrasing
    /// group (`message_groups`, written by `jaga synth`: the template a message came from) go to
    /// their group's fold, so the stage probabilities the conversation head learns from, and the
    /// thresholds are chosen on, are on phrasings the stage head did not learn. Out-of-fold
    /// figures then predict held-out ones; held-out F0.5 rose on one data draw and not on
    /// another, so it is off by default (see the model card)
    #[arg(long)]
    pub stage_folds_by_phrasing: bool,
    /// Buckets of the stage head's lexical channel: the message's words and adjacent word pairs,
    /// hashed, read beside the sentence embedding (0 turns it off; held-out F0.5 with and without
    /// it is in the model card)
    #[arg(long, default_value_t = crate::detector::lexical::DEFAULT_LEXICAL_BUCKETS, value_name = "N")]
    pub lexical_buckets: usize,
    /// Write the training report (JSON) here as well as next to the heads.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[arg(long, default_value = "e5-small")]
    pub encoder: EncoderKind,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
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
    /// Obfuscate every message (leetspeak, look-alike letters, zero-width characters, spaced-out
    /// words), as `jaga train` does to measure the recall lost to obfuscation. The conversations
    /// themselves are the same as without the flag.
    #[arg(long)]
    pub obfuscate_all: bool,
    /// Seed of `--obfuscate-all`.
    #[arg(long, default_value_t = DEFAULT_OBFUSCATION_SEED)]
    pub obfuscate_seed: u64,
    /// List the template families and exit.
    #[arg(long)]
    pub list_families: bool,
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
    let background = if a.background.is_empty() {
        tracing::warn!("no --background: the heads learn no real benign chat and will alert on it far more often");
        Vec::new()
    } else {
        read_background(&a.background).context("reading the background")?
    };
    let enc_opts = EncoderOptions {
        cache_dir: std::env::var_os("JAGA_CACHE_DIR").map(PathBuf::from),
        ..EncoderOptions::default()
    };
    let encoder = load_encoder(a.encoder, &enc_opts)?;
    let cache_dir = match a.embedding_cache {
        Some(d) => d,
        None => ModelCache::from_option(enc_opts.cache_dir.as_deref())?.root().join("embeddings"),
    };
    let opts = TrainOptions {
        seed: a.seed,
        epochs: a.epochs,
        folds: a.folds,
        holdout_families: a.holdout_families,
        out_dir: a.out,
        exemplars_dir: a.exemplars,
        cache_dir: Some(cache_dir),
        background_stage_weight: a.background_stage_weight,
        background_conv_weight: a.background_conv_weight,
        conv_evidence_dropout: a.conv_evidence_dropout,
        stage_obfuscated_copies: a.stage_obfuscated_copies,
        background_cue_weight: a.background_cue_weight,
        out_of_fold_scores: a.out_of_fold_scores,
        stage_input_dropout: a.stage_input_dropout,
        stage_positive_weight: a.stage_positive_weight,
        conv_hidden: a.conv_hidden,
        bags: a.bags,
        write_profiles: !a.keep_profiles,
        clause_experiment: a.clause_experiment,
        stage_folds_by_phrasing: a.stage_folds_by_phrasing,
        lexical_buckets: a.lexical_buckets,
        quiet: a.quiet,
        ..TrainOptions::default()
    };
    let report = train(&convs, &background, encoder.as_ref(), &opts).context("training the heads")?;
    let json = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &a.report {
        std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!("{json}");
    let e = report.encoding;
    eprintln!(
        "jaga train: wrote {} ({}); {} labelled conversations ({} held out), {} background for training, {} for \
         validation; {} distinct texts, {} encoded now",
        report.heads_dir.display(),
        report.version,
        report.data.labelled_conversations,
        report.data.labelled_holdout,
        report.data.background_train_conversations,
        report.data.background_validation_conversations,
        e.distinct,
        e.encoded
    );
    if let Some(h) = &report.holdout {
        eprintln!(
            "jaga train: held-out families at the default profile: precision {}, recall {}, F0.5 {}; obfuscation \
             recall drop {} points",
            fmt(h.overall.precision),
            fmt(h.overall.recall),
            fmt(h.overall.f0_5),
            fmt(report.obfuscation_recall_drop_points)
        );
    }
    if let (Some(n), Some(default)) = (&report.default_alert_nearest_background, report.profiles.first()) {
        let what = if n.recall_without_it > default.alert.recall {
            format!(
                "it holds the threshold up: without it the rule chooses {:.4} (out-of-fold recall {:.3}, not {:.3})",
                n.alert_without_it, n.recall_without_it, default.alert.recall
            )
        } else {
            format!("without it the rule keeps the same out-of-fold recall ({:.3})", n.recall_without_it)
        };
        eprintln!(
            "jaga train: default alert {:.4}; the riskiest real training conversation below it is {} ({}, out of \
             fold {:.3}); {what}",
            default.thresholds.alert,
            n.conversation_id,
            n.language.as_str(),
            n.risk
        );
    }
    for (lang, fa) in &report.background_validation {
        eprintln!(
            "jaga train: background validation {}: {} of {} conversations alerted ({} per 1,000)",
            lang.as_str(),
            fa.flagged,
            fa.conversations,
            fmt(fa.per_1k)
        );
    }
    Ok(())
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |x| format!("{x:.3}"))
}

pub fn run_synth(a: SynthArgs) -> anyhow::Result<()> {
    if a.list_families {
        let held_out = crate::dataset::synth::heldout_families();
        for f in families() {
            if held_out.contains(&f) {
                println!("{f}\theld-out");
            } else {
                println!("{f}");
            }
        }
        return Ok(());
    }
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
    let mut convs = generate(&opts);
    if a.obfuscate_all {
        for (n, c) in convs.iter_mut().enumerate() {
            obfuscate_conversation(c, a.obfuscate_seed, n as u64);
        }
    }
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
