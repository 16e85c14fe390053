//! Exemplar banks: short phrases per grooming stage plus a bank of ordinary chat.
//!
//! A trust-and-safety team extends coverage by editing TOML files, without retraining: every
//! message's similarity to the banks is an input of the stage head, so a new phrasing of a known
//! manipulation pattern raises that stage's signal as soon as the detector is reloaded.
//!
//! File format (`models/exemplars/*.toml`, every file in the directory is read, in name order):
//!
//! ```toml
//! bank = "secrecy"          # a stage name of CONTRACTS §4, or "benign"
//! phrases = ["dont tell your mom about us", "jangan bilang siapa2 ya"]
//! ```
//!
//! Several files may feed the same bank (their phrases are concatenated), so local additions can
//! live in their own file. Every stage and the benign bank must end up with at least one phrase.

use super::DetectorError;
use crate::event::{Stage, NUM_STAGES};
use crate::model::Encoder;
use serde::Deserialize;
use std::path::Path;

/// Number of nearest exemplars averaged per bank (Sentinel-style top-k similarity).
pub const TOP_K: usize = 3;
/// Name of the bank of ordinary and hard-negative chat.
pub const BENIGN_BANK: &str = "benign";
/// Length of the signal vector: one per stage plus the benign top-k similarity.
pub const NUM_SIGNALS: usize = NUM_STAGES + 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BankFile {
    bank: String,
    phrases: Vec<String>,
}

/// Which bank a file feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankKind {
    Stage(Stage),
    Benign,
}

/// The phrases of every bank, plus the raw files (hashed into the model version).
#[derive(Debug, Clone, Default)]
pub struct ExemplarBanks {
    pub stages: [Vec<String>; NUM_STAGES],
    pub benign: Vec<String>,
    /// `(file name, bytes)` in name order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Parses one bank file; `name` is only used in error messages.
pub fn parse_bank(name: &str, text: &str) -> Result<(BankKind, Vec<String>), DetectorError> {
    let bad = |message: String| DetectorError::Exemplars { file: name.to_string(), message };
    let file: BankFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let kind = if file.bank == BENIGN_BANK {
        BankKind::Benign
    } else {
        BankKind::Stage(file.bank.parse::<Stage>().map_err(bad)?)
    };
    let phrases: Vec<String> = file.phrases.iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if phrases.is_empty() {
        return Err(bad("the bank has no phrases".into()));
    }
    Ok((kind, phrases))
}

impl ExemplarBanks {
    /// Reads every `*.toml` in `dir`.
    pub fn load_dir(dir: &Path) -> Result<ExemplarBanks, DetectorError> {
        let io = |e: std::io::Error| DetectorError::Io { path: dir.display().to_string(), source: e };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()).map_err(io))
            .collect::<Result<Vec<_>, _>>()?;
        paths.retain(|p| p.extension().is_some_and(|x| x == "toml"));
        paths.sort();
        let mut files = Vec::new();
        for p in paths {
            let bytes =
                std::fs::read(&p).map_err(|e| DetectorError::Io { path: p.display().to_string(), source: e })?;
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            files.push((name, bytes));
        }
        Self::from_files(files)
    }

    /// Builds the banks from `(name, bytes)` files and checks every bank is non-empty.
    pub fn from_files(files: Vec<(String, Vec<u8>)>) -> Result<ExemplarBanks, DetectorError> {
        let mut banks = ExemplarBanks::default();
        for (name, bytes) in &files {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| DetectorError::Exemplars { file: name.clone(), message: "not UTF-8".into() })?;
            match parse_bank(name, text)? {
                (BankKind::Benign, p) => banks.benign.extend(p),
                (BankKind::Stage(s), p) => banks.stages[s.index()].extend(p),
            }
        }
        let missing: Vec<&str> = Stage::ALL
            .iter()
            .filter(|s| banks.stages[s.index()].is_empty())
            .map(|s| s.as_str())
            .chain(banks.benign.is_empty().then_some(BENIGN_BANK))
            .collect();
        if !missing.is_empty() {
            return Err(DetectorError::Exemplars {
                file: "<exemplar directory>".into(),
                message: format!("no phrases for bank(s): {}", missing.join(", ")),
            });
        }
        banks.files = files;
        Ok(banks)
    }

    /// Encodes every phrase (normalised exactly like a chat message).
    pub fn encode(&self, encoder: &dyn Encoder) -> Result<EncodedBanks, DetectorError> {
        let enc = |phrases: &[String]| -> Result<Vec<Vec<f32>>, DetectorError> {
            let norm: Vec<String> = phrases.iter().map(|p| crate::normalize::normalize(p)).collect();
            encode_texts(encoder, &norm)
        };
        let mut stages: [Vec<Vec<f32>>; NUM_STAGES] = Default::default();
        for (i, p) in self.stages.iter().enumerate() {
            stages[i] = enc(p)?;
        }
        Ok(EncodedBanks { stages, benign: enc(&self.benign)? })
    }
}

/// Encodes already-normalised texts in batches.
pub fn encode_texts(encoder: &dyn Encoder, texts: &[String]) -> Result<Vec<Vec<f32>>, DetectorError> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(32) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let batch = encoder.tokenize(&refs)?;
        out.extend(encoder.embed(&batch)?);
    }
    Ok(out)
}

/// The banks' embeddings, ready for similarity look-ups.
#[derive(Debug, Clone, Default)]
pub struct EncodedBanks {
    pub stages: [Vec<Vec<f32>>; NUM_STAGES],
    pub benign: Vec<Vec<f32>>,
}

/// Mean of the `k` largest cosine similarities (embeddings are L2-normalised, so dot products).
/// `skip` leaves one phrase of the bank out (for training rows made from the bank itself).
pub fn top_k_mean(emb: &[f32], bank: &[Vec<f32>], k: usize, skip: Option<usize>) -> f32 {
    let mut sims: Vec<f32> = bank
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != skip)
        .map(|(_, e)| e.iter().zip(emb).map(|(a, b)| a * b).sum())
        .collect();
    sims.sort_by(|a, b| b.total_cmp(a));
    let n = k.min(sims.len());
    if n == 0 {
        return 0.0;
    }
    sims[..n].iter().sum::<f32>() / n as f32
}

impl EncodedBanks {
    /// Per stage, top-k similarity to the stage bank minus top-k similarity to the benign bank,
    /// then the benign top-k similarity itself.
    pub fn signals(&self, emb: &[f32]) -> [f32; NUM_SIGNALS] {
        self.signals_without(emb, None)
    }

    /// [`EncodedBanks::signals`] with phrase `skip.1` of bank `skip.0` left out, so a phrase of
    /// the bank used as a training row does not find itself.
    pub fn signals_without(&self, emb: &[f32], skip: Option<(BankKind, usize)>) -> [f32; NUM_SIGNALS] {
        let skip_in = |kind: BankKind| skip.filter(|(k, _)| *k == kind).map(|(_, i)| i);
        let benign = top_k_mean(emb, &self.benign, TOP_K, skip_in(BankKind::Benign));
        let mut out = [0.0; NUM_SIGNALS];
        for (s, bank) in Stage::ALL.iter().zip(&self.stages) {
            out[s.index()] = top_k_mean(emb, bank, TOP_K, skip_in(BankKind::Stage(*s))) - benign;
        }
        out[NUM_STAGES] = benign;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bank: &str, phrases: &str) -> (String, Vec<u8>) {
        (format!("{bank}.toml"), format!("bank = \"{bank}\"\nphrases = [{phrases}]\n").into_bytes())
    }

    fn all_banks() -> Vec<(String, Vec<u8>)> {
        Stage::ALL.iter().map(|s| file(s.as_str(), "\"x\"")).chain([file("benign", "\"hi\", \"yo\"")]).collect()
    }

    #[test]
    fn parses_a_bank_and_trims_phrases() {
        let (kind, p) = parse_bank("s.toml", "bank = \"secrecy\"\nphrases = [\" keep it quiet \", \"\"]").unwrap();
        assert_eq!(kind, BankKind::Stage(Stage::Secrecy));
        assert_eq!(p, vec!["keep it quiet".to_string()]);
        assert_eq!(parse_bank("b.toml", "bank = \"benign\"\nphrases = [\"hi\"]").unwrap().0, BankKind::Benign);
    }

    #[test]
    fn bad_files_are_named_in_the_error() {
        let e = parse_bank("oops.toml", "bank = \"grooming\"\nphrases = [\"a\"]").unwrap_err();
        assert!(e.to_string().contains("oops.toml") && e.to_string().contains("grooming"), "{e}");
        assert!(parse_bank("e.toml", "bank = \"secrecy\"\nphrases = []").is_err());
        assert!(parse_bank("u.toml", "bank = \"secrecy\"\nphrases = [\"a\"]\nextra = 1").is_err());
        assert!(parse_bank("t.toml", "not toml [").is_err());
    }

    #[test]
    fn every_bank_must_have_phrases_and_files_merge() {
        let mut files = all_banks();
        files.push(file("secrecy", "\"more\""));
        let banks = ExemplarBanks::from_files(files).unwrap();
        assert_eq!(banks.stages[Stage::Secrecy.index()], vec!["x".to_string(), "more".to_string()]);
        assert_eq!(banks.benign.len(), 2);
        let mut files = all_banks();
        files.retain(|(n, _)| n != "meeting.toml");
        let e = ExemplarBanks::from_files(files).unwrap_err();
        assert!(e.to_string().contains("meeting"), "{e}");
    }

    #[test]
    fn signals_are_stage_minus_benign_top_k() {
        let banks = EncodedBanks {
            stages: std::array::from_fn(|i| vec![if i == 0 { vec![1.0, 0.0] } else { vec![0.0, -1.0] }]),
            benign: vec![vec![0.0, 1.0], vec![0.6, 0.8]],
        };
        let s = banks.signals(&[1.0, 0.0]);
        // benign top-k mean over the two phrases: (0 + 0.6) / 2.
        assert!((s[NUM_STAGES] - 0.3).abs() < 1e-6);
        assert!((s[0] - 0.7).abs() < 1e-6);
        assert!((s[1] + 0.3).abs() < 1e-6);
    }

    #[test]
    fn the_shipped_banks_parse_and_are_large_enough() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/exemplars");
        let banks = ExemplarBanks::load_dir(&dir).unwrap();
        for s in Stage::ALL {
            let n = banks.stages[s.index()].len();
            assert!((25..=80).contains(&n), "{s}: {n} phrases");
        }
        assert!(banks.benign.len() >= 60);
    }
}
