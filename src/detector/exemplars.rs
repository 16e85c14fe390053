//! Exemplar banks: short phrases per grooming stage plus a bank of ordinary chat.
//!
//! A trust-and-safety team extends coverage by editing TOML files, without retraining: every
//! message's similarity to the banks is an input of the stage head, so a new phrasing of a known
//! manipulation pattern raises that stage's signal as soon as the detector is reloaded.
//!
//! File format (`models/exemplars/*.toml`, every file in the directory is read, in name order):
//!
//! ```toml
//! bank = "secrecy"          # a stage name of docs/contracts.md §4, or "benign"
//! phrases = ["dont tell your mom about us", "jangan bilang siapa2 ya"]
//!
//! # Rows that express several stages at once (or none: `stages = []` is benign). `bank` is
//! # only needed when the file also has `phrases`.
//! [[rows]]
//! text = "this is our secret, i'll send you pulsa"
//! stages = ["secrecy", "gifts_money"]
//! ```
//!
//! Labels follow meaning, as in the synthetic data: a phrase is filed under every stage it
//! expresses, whoever would say it ("don't tell dad about the cake" is secrecy too); the benign
//! bank holds chat that expresses no stage. A multi-label row joins every one of its stage banks.
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
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    rows: Vec<RowFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowFile {
    text: String,
    stages: Vec<String>,
}

/// Which bank a file feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankKind {
    Stage(Stage),
    Benign,
}

/// One labelled phrase: the stages it expresses, in index order (empty: benign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemplarRow {
    pub text: String,
    pub stages: Vec<Stage>,
}

impl ExemplarRow {
    /// The banks this row belongs to: each of its stages, or the benign bank.
    pub fn kinds(&self) -> Vec<BankKind> {
        if self.stages.is_empty() {
            vec![BankKind::Benign]
        } else {
            self.stages.iter().map(|&s| BankKind::Stage(s)).collect()
        }
    }
}

/// The phrases of every bank, plus the raw files (hashed into the model version).
#[derive(Debug, Clone, Default)]
pub struct ExemplarBanks {
    pub stages: [Vec<String>; NUM_STAGES],
    pub benign: Vec<String>,
    /// Every phrase once, with all of its labels, in file order.
    pub rows: Vec<ExemplarRow>,
    /// For each phrase of `stages[s]`, its index in `rows`.
    pub stage_rows: [Vec<usize>; NUM_STAGES],
    /// For each phrase of `benign`, its index in `rows`.
    pub benign_rows: Vec<usize>,
    /// `(file name, bytes)` in name order.
    pub files: Vec<(String, Vec<u8>)>,
}

fn parse_stage(name: &str) -> Result<BankKind, String> {
    if name == BENIGN_BANK {
        Ok(BankKind::Benign)
    } else {
        name.parse::<Stage>().map(BankKind::Stage)
    }
}

/// Parses one bank file into labelled rows; `name` is only used in error messages.
pub fn parse_file(name: &str, text: &str) -> Result<Vec<ExemplarRow>, DetectorError> {
    let bad = |message: String| DetectorError::Exemplars { file: name.to_string(), message };
    let file: BankFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let mut rows = Vec::new();
    let bank = file.bank.as_deref().map(parse_stage).transpose().map_err(&bad)?;
    let phrases: Vec<String> = file.phrases.iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if !phrases.is_empty() || file.rows.is_empty() {
        let stages = match bank.ok_or_else(|| bad("`phrases` need a `bank` (a stage or \"benign\")".into()))? {
            BankKind::Benign => Vec::new(),
            BankKind::Stage(s) => vec![s],
        };
        rows.extend(phrases.into_iter().map(|text| ExemplarRow { text, stages: stages.clone() }));
    }
    for (i, r) in file.rows.iter().enumerate() {
        let text = r.text.trim().to_string();
        if text.is_empty() {
            return Err(bad(format!("row {}: empty text", i + 1)));
        }
        let mut stages = Vec::new();
        for st in &r.stages {
            match parse_stage(st).map_err(|e| bad(format!("row {}: {e}", i + 1)))? {
                BankKind::Stage(s) if !stages.contains(&s) => stages.push(s),
                BankKind::Stage(_) => {}
                BankKind::Benign => return Err(bad(format!("row {}: write `stages = []` for a benign row", i + 1))),
            }
        }
        stages.sort_by_key(|s| s.index());
        rows.push(ExemplarRow { text, stages });
    }
    if rows.is_empty() {
        return Err(bad("the bank has no phrases".into()));
    }
    Ok(rows)
}

/// Parses a single-bank file (the original format: `bank` and `phrases`, no multi-label rows).
pub fn parse_bank(name: &str, text: &str) -> Result<(BankKind, Vec<String>), DetectorError> {
    let rows = parse_file(name, text)?;
    let kinds: Vec<Vec<BankKind>> = rows.iter().map(ExemplarRow::kinds).collect();
    match kinds.first().map(Vec::as_slice) {
        Some([kind]) if kinds.iter().all(|k| k.as_slice() == [*kind]) => {
            Ok((*kind, rows.into_iter().map(|r| r.text).collect()))
        }
        _ => Err(DetectorError::Exemplars {
            file: name.to_string(),
            message: "not a single-bank file (it has multi-label or mixed rows)".into(),
        }),
    }
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
            for row in parse_file(name, text)? {
                let r = banks.rows.len();
                for kind in row.kinds() {
                    match kind {
                        BankKind::Benign => {
                            banks.benign.push(row.text.clone());
                            banks.benign_rows.push(r);
                        }
                        BankKind::Stage(s) => {
                            banks.stages[s.index()].push(row.text.clone());
                            banks.stage_rows[s.index()].push(r);
                        }
                    }
                }
                banks.rows.push(row);
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

    /// Where row `r` sits in the first bank it belongs to: the `skip` argument that leaves it
    /// out of [`EncodedBanks::signals_without`] when the row itself is a training example.
    pub fn first_slot(&self, r: usize) -> Option<(BankKind, usize)> {
        let kind = *self.rows.get(r)?.kinds().first()?;
        let index = match kind {
            BankKind::Benign => self.benign_rows.iter().position(|&x| x == r)?,
            BankKind::Stage(s) => self.stage_rows[s.index()].iter().position(|&x| x == r)?,
        };
        Some((kind, index))
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
        Ok(EncodedBanks::with_prefix(stages, enc(&self.benign)?, encoder.info().similarity_dim))
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
#[derive(Debug, Clone)]
pub struct EncodedBanks {
    pub stages: [Vec<Vec<f32>>; NUM_STAGES],
    pub benign: Vec<Vec<f32>>,
    /// Similarities read the first `prefix` values of each vector only ...
    prefix: usize,
    /// ... multiplied by `width / prefix`, which makes them cosines when the prefix holds that
    /// share of a unit vector's squared norm (see [`EncodedBanks::with_prefix`]).
    scale: f32,
    /// Every phrase's prefix times `scale` (benign bank first, then the stage banks in order)
    /// packed as the weights of one matrix product, so a batch's similarities to all banks are a
    /// single product ([`EncodedBanks::signals_batch`]); `None` when the banks are empty.
    packed: Option<jaga_kernels::sgemm::F32Weights>,
}

impl Default for EncodedBanks {
    fn default() -> Self {
        EncodedBanks::new(Default::default(), Vec::new())
    }
}

/// Mean of the `k` (at most [`TOP_K`]) largest similarities, summed largest first — the same
/// value [`top_k_mean`] computes by sorting.
fn top_k_mean_of(sims: &[f32], k: usize) -> f32 {
    let k = k.min(TOP_K);
    let mut best = [f32::NEG_INFINITY; TOP_K];
    for &v in sims {
        if v.total_cmp(&best[k - 1]).is_gt() {
            let mut j = k - 1;
            while j > 0 && v.total_cmp(&best[j - 1]).is_gt() {
                best[j] = best[j - 1];
                j -= 1;
            }
            best[j] = v;
        }
    }
    let n = k.min(sims.len());
    if n == 0 {
        return 0.0;
    }
    best[..n].iter().sum::<f32>() / n as f32
}

/// Mean of the `k` largest cosine similarities (embeddings are L2-normalised, so dot products)
/// over the first `prefix` values, each product's phrase value multiplied by `scale` (exact for a
/// power of two, so the sum is the scaled dot product bit for bit). `skip` leaves one phrase of
/// the bank out (for training rows made from the bank itself).
pub fn top_k_mean(emb: &[f32], bank: &[Vec<f32>], k: usize, skip: Option<usize>, prefix: usize, scale: f32) -> f32 {
    let emb = &emb[..prefix.min(emb.len())];
    let mut sims: Vec<f32> = bank
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != skip)
        .map(|(_, e)| e.iter().zip(emb).map(|(a, b)| a * scale * b).sum())
        .collect();
    sims.sort_by(|a, b| b.total_cmp(a));
    let n = k.min(sims.len());
    if n == 0 {
        return 0.0;
    }
    sims[..n].iter().sum::<f32>() / n as f32
}

impl EncodedBanks {
    /// Banks from their phrase embeddings (all of one width), compared in full.
    pub fn new(stages: [Vec<Vec<f32>>; NUM_STAGES], benign: Vec<Vec<f32>>) -> EncodedBanks {
        EncodedBanks::with_prefix(stages, benign, usize::MAX)
    }

    /// Banks compared on the first `prefix` values of every vector only, scaled back to cosines:
    /// for an encoder whose vector is its sentence embedding followed by a middle layer's pool
    /// ([`crate::model::EncoderInfo::similarity_dim`]), each half holding half the squared norm.
    /// Phrases are matched on the sentence embedding the banks were written for, while the
    /// stage head reads the whole vector. `prefix` at or above the width compares in full.
    pub fn with_prefix(stages: [Vec<Vec<f32>>; NUM_STAGES], benign: Vec<Vec<f32>>, prefix: usize) -> EncodedBanks {
        let all: Vec<&Vec<f32>> = benign.iter().chain(stages.iter().flatten()).collect();
        let width = all.first().map_or(0, |e| e.len());
        let prefix = prefix.min(width);
        let scale = if prefix == 0 { 1.0 } else { width as f32 / prefix as f32 };
        let packed = (prefix > 0 && all.iter().all(|e| e.len() == width)).then(|| {
            let flat: Vec<f32> = all.iter().flat_map(|e| e[..prefix].iter().map(|v| v * scale)).collect();
            jaga_kernels::sgemm::F32Weights::pack(&flat, &vec![0.0; all.len()], all.len(), prefix)
        });
        EncodedBanks { stages, benign, prefix, scale, packed }
    }

    /// Width of the phrase vectors (0 without phrases).
    fn width(&self) -> usize {
        self.benign.iter().chain(self.stages.iter().flatten()).next().map_or(0, |e| e.len())
    }

    /// [`EncodedBanks::signals`] of every embedding of a batch, bit for bit: the similarities come
    /// from one matrix product over all banks (summed in the same order as the scalar dot
    /// product), then each bank's top-k is picked by a scan instead of a sort.
    pub fn signals_batch(&self, embs: &[Vec<f32>]) -> Vec<[f32; NUM_SIGNALS]> {
        let width = self.width();
        let Some(w) = self.packed.as_ref().filter(|_| !embs.is_empty() && embs.iter().all(|e| e.len() == width)) else {
            return embs.iter().map(|e| self.signals(e)).collect();
        };
        let x: Vec<f32> = embs.iter().flat_map(|e| e[..w.k].iter().copied()).collect();
        let mut sims = vec![0f32; embs.len() * w.n];
        jaga_kernels::sgemm::gemm(&x, embs.len(), w, false, &mut sims, w.n);
        let nb = self.benign.len();
        sims.chunks_exact(w.n)
            .map(|row| {
                let benign = top_k_mean_of(&row[..nb], TOP_K);
                let mut out = [0.0; NUM_SIGNALS];
                let mut start = nb;
                for (s, bank) in Stage::ALL.iter().zip(&self.stages) {
                    out[s.index()] = top_k_mean_of(&row[start..start + bank.len()], TOP_K) - benign;
                    start += bank.len();
                }
                out[NUM_STAGES] = benign;
                out
            })
            .collect()
    }

    /// Per stage, top-k similarity to the stage bank minus top-k similarity to the benign bank,
    /// then the benign top-k similarity itself.
    pub fn signals(&self, emb: &[f32]) -> [f32; NUM_SIGNALS] {
        self.signals_without(emb, None)
    }

    /// [`EncodedBanks::signals`] with phrase `skip.1` of bank `skip.0` left out, so a phrase of
    /// the bank used as a training row does not find itself.
    pub fn signals_without(&self, emb: &[f32], skip: Option<(BankKind, usize)>) -> [f32; NUM_SIGNALS] {
        let skip_in = |kind: BankKind| skip.filter(|(k, _)| *k == kind).map(|(_, i)| i);
        let sim = |bank: &[Vec<f32>], kind| top_k_mean(emb, bank, TOP_K, skip_in(kind), self.prefix, self.scale);
        let benign = sim(&self.benign, BankKind::Benign);
        let mut out = [0.0; NUM_SIGNALS];
        for (s, bank) in Stage::ALL.iter().zip(&self.stages) {
            out[s.index()] = sim(bank, BankKind::Stage(*s)) - benign;
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
    fn multi_label_rows_join_every_bank_they_name() {
        let text = "[[rows]]\ntext = \"our secret, i'll send pulsa\"\nstages = [\"gifts_money\", \"secrecy\"]\n\
                    [[rows]]\ntext = \"see you at practice\"\nstages = []\n";
        let rows = parse_file("m.toml", text).unwrap();
        assert_eq!(rows[0].stages, vec![Stage::Secrecy, Stage::GiftsMoney]);
        assert!(rows[1].stages.is_empty());
        let mut files = all_banks();
        files.push(("m.toml".into(), text.as_bytes().to_vec()));
        let banks = ExemplarBanks::from_files(files).unwrap();
        let r = banks.rows.iter().position(|r| r.text.starts_with("our secret")).unwrap();
        assert!(banks.stages[Stage::Secrecy.index()].contains(&banks.rows[r].text));
        assert!(banks.stages[Stage::GiftsMoney.index()].contains(&banks.rows[r].text));
        assert!(banks.benign.contains(&"see you at practice".to_string()));
        // Each row sits in each of its banks once, and its first slot points back at it.
        let (kind, i) = banks.first_slot(r).unwrap();
        assert_eq!(kind, BankKind::Stage(Stage::Secrecy));
        assert_eq!(banks.stage_rows[Stage::Secrecy.index()][i], r);
        assert_eq!(banks.rows.len(), Stage::ALL.len() + 2 + 2);
        // A multi-label file is not a single bank.
        assert!(parse_bank("m.toml", text).is_err());
        // Phrases and rows may share a file; rows must say their stages.
        let both = "bank = \"benign\"\nphrases = [\"hi\"]\n[[rows]]\ntext = \"x\"\nstages = [\"meeting\"]\n";
        assert_eq!(parse_file("b.toml", both).unwrap().len(), 2);
        assert!(parse_file("c.toml", "[[rows]]\ntext = \"x\"\n").is_err());
        assert!(parse_file("d.toml", "[[rows]]\ntext = \"x\"\nstages = [\"groom\"]\n").is_err());
        assert!(parse_file("e.toml", "[[rows]]\ntext = \" \"\nstages = []\n").is_err());
        assert!(parse_file("f.toml", "[[rows]]\ntext = \"x\"\nstages = [\"benign\"]\n").is_err());
    }

    #[test]
    fn bad_files_are_named_in_the_error() {
        let e = parse_bank("oops.toml", "bank = \"grooming\"\nphrases = [\"a\"]").unwrap_err();
        assert!(e.to_string().contains("oops.toml") && e.to_string().contains("grooming"), "{e}");
        assert!(parse_bank("e.toml", "bank = \"secrecy\"\nphrases = []").is_err());
        assert!(parse_file("n.toml", "phrases = [\"a\"]").unwrap_err().to_string().contains("bank"));
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
    fn batched_signals_equal_the_scalar_ones_bit_for_bit() {
        let mut seed = 7u64;
        let mut unit = |dim: usize| -> Vec<f32> {
            let v: Vec<f32> = (0..dim)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
                })
                .collect();
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / n).collect()
        };
        // Bank sizes below, at and above TOP_K, and a duplicated phrase (a tie).
        let stages: [Vec<Vec<f32>>; NUM_STAGES] =
            std::array::from_fn(|i| (0..(i * 5) % 23 + 1).map(|_| unit(384)).collect());
        let mut benign: Vec<Vec<f32>> = (0..40).map(|_| unit(384)).collect();
        benign.push(benign[3].clone());
        let banks = EncodedBanks::new(stages, benign);
        let embs: Vec<Vec<f32>> = (0..37).map(|_| unit(384)).collect();
        let scalar: Vec<_> = embs.iter().map(|e| banks.signals(e)).collect();
        assert_eq!(banks.signals_batch(&embs), scalar);
        assert!(banks.signals_batch(&[]).is_empty());
    }

    #[test]
    fn signals_are_stage_minus_benign_top_k() {
        let banks = EncodedBanks::new(
            std::array::from_fn(|i| vec![if i == 0 { vec![1.0, 0.0] } else { vec![0.0, -1.0] }]),
            vec![vec![0.0, 1.0], vec![0.6, 0.8]],
        );
        let s = banks.signals(&[1.0, 0.0]);
        assert_eq!(banks.signals_batch(&[vec![1.0, 0.0]]), vec![s]);
        // benign top-k mean over the two phrases: (0 + 0.6) / 2.
        assert!((s[NUM_STAGES] - 0.3).abs() < 1e-6);
        assert!((s[0] - 0.7).abs() < 1e-6);
        assert!((s[1] + 0.3).abs() < 1e-6);
    }

    #[test]
    fn a_prefix_is_compared_alone_and_scaled_back_to_cosines() {
        // Laid out like a tapped encoder's vectors: [sentence embedding, middle layer] / √2.
        let r = std::f32::consts::FRAC_1_SQRT_2;
        let v = |a: [f32; 2], b: [f32; 2]| vec![a[0] * r, a[1] * r, b[0] * r, b[1] * r];
        let stages = std::array::from_fn(|_| vec![v([1.0, 0.0], [1.0, 0.0])]);
        let benign = vec![v([0.0, 1.0], [0.0, 1.0])];
        let emb = v([1.0, 0.0], [0.0, 1.0]);
        let prefix = EncodedBanks::with_prefix(stages.clone(), benign.clone(), 2);
        let s = prefix.signals(&emb);
        // Sentence embeddings: the stage phrase is the message (cosine 1), the benign one is
        // orthogonal (0). Over the whole vector both would be 0.5 and the signal 0.
        assert!((s[0] - 1.0).abs() < 1e-6 && s[NUM_STAGES].abs() < 1e-6, "{s:?}");
        assert!(EncodedBanks::new(stages, benign).signals(&emb)[0].abs() < 1e-6);
        assert_eq!(prefix.signals_batch(&[emb.clone(), emb]), vec![s, s]);
    }

    /// Bounds: enough phrasings per stage (EN, ID and code-mixed, in every context the stage is
    /// said in) for the top-k similarity to find a near neighbour, and few enough that comparing
    /// every message with every phrase stays cheap next to encoding it (a few hundred dot
    /// products of 384 floats per bank). They were 25..=80 while every stage had one context.
    #[test]
    fn the_shipped_banks_parse_and_are_large_enough() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/exemplars");
        let banks = ExemplarBanks::load_dir(&dir).unwrap();
        for s in Stage::ALL {
            let n = banks.stages[s.index()].len();
            assert!((90..=250).contains(&n), "{s}: {n} phrases");
        }
        assert!((200..=500).contains(&banks.benign.len()), "benign: {}", banks.benign.len());
        let multi = banks.rows.iter().filter(|r| r.stages.len() >= 2).count();
        assert!(multi >= 40, "{multi} multi-label rows");
        // No phrase is filed twice with different labels.
        let mut seen = std::collections::HashMap::new();
        for r in &banks.rows {
            let key = crate::normalize::normalize(&r.text);
            if let Some(prev) = seen.insert(key, r.stages.clone()) {
                assert_eq!(prev, r.stages, "{:?} labelled twice", r.text);
            }
        }
    }
}
