//! Evaluation that trust-and-safety engineers can check (docs/contracts.md §5).
//!
//! The flow mirrors what a person would do by hand, one pure step after another:
//!
//! ```text
//! labelled conversations ─▶ driver::score_conversations (the live Engine, message by message)
//!                                  │ Vec<ConvResult>: per-message risk, levels, events, evidence
//!            ┌─────────────────────┼──────────────────────┐
//!            ▼                     ▼                      ▼
//!   metrics::EvalReport     report::write_html_report   tune::tune (thresholds for a target)
//!   (JSON + text table)     (one self-contained file)   (a new Profile with provenance)
//! ```
//!
//! Scoring goes through [`crate::engine::Engine`], the same normalisation, model, windowing and
//! threshold profile as the live processor, so the numbers describe production behaviour and not
//! a re-implementation of it. Everything after the driver is a pure function of the
//! [`ConvResult`]s, which is what makes the arithmetic testable on hand-computed cases.
//!
//! [`pan12`] converts the PAN 2012 sexual-predator-identification corpus (which the project does
//! not ship) into labelled conversations, for engineers who hold a licensed copy.

pub mod driver;
pub mod metrics;
pub mod pan12;
pub mod report;
pub mod tune;

pub use driver::{score_conversations, score_with_features, ConvResult, EventRecord, EvidenceItem};
pub use metrics::{latency_penalty, EvalReport, SetMetrics, StageMetrics, DEFAULT_K_HALF};
pub use pan12::{import_pan12, Pan12Error};
pub use report::write_html_report;
pub use tune::{tune, OperatingPoint, Target, TuneOutcome};

use crate::model::ModelError;
use crate::policy::PolicyError;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

/// Why an evaluation or a tuning run failed. Messages name the conversation (never its text or
/// user ids) so the input can be fixed.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("conversation {id}: {reason}")]
    BadConversation { id: String, reason: String },
    #[error("scoring conversation {id}: {source}")]
    Model {
        id: String,
        #[source]
        source: ModelError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid evaluation option: {0}")]
    Options(String),
    #[error("cannot tune: {0}")]
    Tune(String),
    #[error("the tuned profile is invalid: {0}")]
    Profile(#[from] PolicyError),
}

/// A progress bar on stderr for long runs (eval, train, synth).
///
/// Hidden when `quiet` or when stderr is not a terminal: redirected output and CI logs should not
/// fill up with redraws, and stdout stays clean for `--json` in every case.
pub fn progress_bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_message(what.to_string());
    match ProgressStyle::with_template("{msg:>12} [{bar:40.cyan/blue}] {pos}/{len} ({per_sec}, eta {eta})") {
        Ok(style) => bar.with_style(style.progress_chars("=> ")),
        Err(_) => bar,
    }
}

/// SHA-256 (hex) of the files' bytes concatenated in the order given; for one file this equals
/// `sha256sum FILE`, so a reviewer can check a profile's provenance with standard tools.
pub fn data_sha256(paths: &[PathBuf]) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    for path in paths {
        let mut file = std::fs::File::open(path)?;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sha256_matches_the_standard_digest_and_depends_on_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        std::fs::write(&a, b"abc").unwrap();
        std::fs::write(&b, b"def").unwrap();
        // Known SHA-256 of "abc".
        assert_eq!(
            data_sha256(std::slice::from_ref(&a)).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let ab = data_sha256(&[a.clone(), b.clone()]).unwrap();
        assert_ne!(ab, data_sha256(&[b, a]).unwrap());
        assert!(data_sha256(&[dir.path().join("missing")]).is_err());
    }

    #[test]
    fn progress_bar_is_hidden_when_quiet() {
        assert!(progress_bar(10, true, "scoring").is_hidden());
    }
}
