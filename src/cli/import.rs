//! `jaga import`: convert other corpora into labelled conversations (docs/contracts.md §3).

use crate::dataset::write_jsonl;
use crate::eval::import_pan12;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub format: ImportFormat,
}

#[derive(Debug, Subcommand)]
pub enum ImportFormat {
    /// PAN 2012 sexual-predator-identification XML plus a predator-id list.
    Pan12 {
        /// The corpus XML (conversations/conversation/message/author/time/text).
        #[arg(long, value_name = "CORPUS.xml")]
        xml: PathBuf,
        /// One predator author id per line.
        #[arg(long, value_name = "IDS.txt")]
        predators: PathBuf,
        /// Output JSON Lines [default: stdout].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(a: ImportArgs) -> anyhow::Result<()> {
    match a.format {
        ImportFormat::Pan12 { xml, predators, out } => {
            let convs = import_pan12(&xml, &predators)?;
            let grooming = convs.iter().filter(|c| c.is_grooming()).count();
            match out {
                Some(p) => {
                    let f = std::fs::File::create(&p).with_context(|| format!("creating {}", p.display()))?;
                    write_jsonl(std::io::BufWriter::new(f), &convs)?;
                }
                None => write_jsonl(std::io::stdout().lock(), &convs)?,
            }
            eprintln!("jaga import pan12: {} conversations ({grooming} with a listed predator)", convs.len());
            Ok(())
        }
    }
}
