//! Sentence encoders: text in, one L2-normalised embedding per message out.
//!
//! The pipeline only sees the [`Encoder`] trait, so tests can run a tiny deterministic encoder and
//! production the real multilingual transformer. Tokenisation and the forward pass are separate
//! calls so each has its own latency histogram.

use std::time::Duration;

/// Static facts about an encoder, written into events and model cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderInfo {
    /// Stable identifier, e.g. `multilingual-e5-small@q4-e5s1` — part of the model version, so a
    /// change of encoder changes event ids.
    pub id: String,
    /// Embedding width.
    pub dim: usize,
    /// The leading values of the vector that hold the sentence embedding proper, which the
    /// exemplar banks compare: `dim`, or the last layer's pool of an encoder that appends a middle
    /// layer's after it (half the width, half the squared norm; see `bert::BertStyle::tap_layer`).
    pub similarity_dim: usize,
}

/// Token ids of a batch, padded to a common length, with the attention mask.
#[derive(Debug, Clone, Default)]
pub struct TokenBatch {
    /// Row-major `[batch, seq_len]` token ids.
    pub ids: Vec<u32>,
    /// Row-major `[batch, seq_len]`, 1 for real tokens, 0 for padding.
    pub mask: Vec<u32>,
    pub batch: usize,
    pub seq_len: usize,
}

/// Errors from loading or running an encoder.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model files not found: {0}")]
    Missing(String),
    #[error("model file is corrupt or of the wrong version: {0}")]
    Corrupt(String),
    #[error("fetching the model failed: {0}")]
    Fetch(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("inference: {0}")]
    Inference(String),
    #[error("I/O on {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl From<candle_core::Error> for ModelError {
    fn from(e: candle_core::Error) -> Self {
        ModelError::Inference(e.to_string())
    }
}

/// A sentence encoder. Implementations must be deterministic: the same text gives the same
/// embedding (event ids and the kill-and-restart guarantee depend on it).
pub trait Encoder: Send {
    fn info(&self) -> &EncoderInfo;
    /// Tokenises (and truncates) a batch of already-normalised texts.
    fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError>;
    /// Runs the encoder; returns one L2-normalised vector of `info().dim` per row.
    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError>;

    /// Hit and size counters when this encoder answers from an embedding cache.
    fn cache_stats(&self) -> Option<std::sync::Arc<cache::CacheStats>> {
        None
    }

    /// Tokenises and embeds, reporting how long each half took.
    fn encode_timed(&self, texts: &[&str]) -> Result<(Vec<Vec<f32>>, Duration, Duration), ModelError> {
        let t0 = std::time::Instant::now();
        let batch = self.tokenize(texts)?;
        let t1 = std::time::Instant::now();
        let out = self.embed(&batch)?;
        Ok((out, t1 - t0, t1.elapsed()))
    }
}

pub mod bert;
pub mod cache;
pub mod e5s1;
pub mod fetch;
pub mod hashing;
pub mod packed_bert;
pub mod unigram;

use std::path::PathBuf;

pub use bert::{BertEncoder, DEFAULT_MAX_TOKENS};
pub use cache::{CacheStats, CachingEncoder};
pub use fetch::{ensure_e5_small, ensure_minilm, E5Paths, ModelCache, ModelPaths};
pub use hashing::HashingEncoder;

/// Which encoder to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EncoderKind {
    /// multilingual-e5-small: English, Indonesian and code-mixed chat. The production choice.
    #[serde(rename = "e5-small")]
    E5Small,
    /// all-MiniLM-L6-v2: faster, English only.
    #[serde(rename = "minilm")]
    MiniLm,
    /// Deterministic feature hashing, no files: for tests and benchmarks, not for detection.
    #[serde(rename = "hashing")]
    Hashing,
}

impl EncoderKind {
    pub const ALL: [EncoderKind; 3] = [Self::E5Small, Self::MiniLm, Self::Hashing];

    /// The name used in config files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::E5Small => "e5-small",
            Self::MiniLm => "minilm",
            Self::Hashing => "hashing",
        }
    }
}

impl std::fmt::Display for EncoderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for EncoderKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown encoder {s:?}: expected e5-small, minilm or hashing"))
    }
}

/// How to load an encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderOptions {
    /// Model cache root; `None` resolves it from the environment (see [`ModelCache::from_env`]).
    pub cache_dir: Option<PathBuf>,
    /// Token budget per message, special tokens included; longer messages keep their start.
    pub max_tokens: usize,
    /// Threads that run chunks of a batch in parallel; 0 means one per available core. Each
    /// thread runs whole chunks through every layer, which scales better on few cores than
    /// splitting every operation; nothing in the encoder uses rayon.
    pub threads: usize,
    /// Bytes of the LRU of normalised text → embedding in front of the encoder (0 turns it off);
    /// see [`CachingEncoder`].
    pub embedding_cache_bytes: usize,
}

/// Default embedding-cache budget: 32 MiB holds about 10,000 distinct texts of e5-small (768 values
/// each, the last layer's pool and layer 8's).
pub const DEFAULT_EMBEDDING_CACHE_BYTES: usize = 32 << 20;

impl Default for EncoderOptions {
    fn default() -> Self {
        Self {
            cache_dir: None,
            max_tokens: DEFAULT_MAX_TOKENS,
            threads: 0,
            embedding_cache_bytes: DEFAULT_EMBEDDING_CACHE_BYTES,
        }
    }
}

impl EncoderOptions {
    /// [`Self::threads`] with 0 resolved to the available cores.
    pub fn resolved_threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

/// Loads an encoder, fetching and converting its weights into the cache first if needed.
pub fn load_encoder(kind: EncoderKind, opts: &EncoderOptions) -> Result<Box<dyn Encoder>, ModelError> {
    let cache = || ModelCache::from_option(opts.cache_dir.as_deref());
    let (paths, style) = match kind {
        EncoderKind::Hashing => return Ok(Box::new(HashingEncoder::new())),
        EncoderKind::E5Small => (ensure_e5_small(&cache()?)?, bert::E5_SMALL_STYLE),
        EncoderKind::MiniLm => (ensure_minilm(&cache()?)?, bert::MINILM_STYLE),
    };
    let enc: Box<dyn Encoder> =
        Box::new(BertEncoder::load(&paths, style, opts.max_tokens)?.with_workers(opts.resolved_threads()));
    Ok(match opts.embedding_cache_bytes {
        0 => enc,
        bytes => Box::new(CachingEncoder::new(enc, bytes)),
    })
}

/// Turns candle's per-operation threading off (`RAYON_NUM_THREADS=1`) unless the environment
/// already sets it: the encoder runs whole sub-batches on [`EncoderOptions::threads`] threads
/// itself, and candle splitting every small operation on top only contends for the same cores.
/// Call it first thing in `main`, before any other thread exists to read the environment.
pub fn leave_threading_to_the_encoder() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
}

/// Pads token rows to the longest with `pad_id`, building the matching mask.
pub(crate) fn pad_rows(rows: &[Vec<u32>], pad_id: u32) -> TokenBatch {
    let seq_len = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(rows.len() * seq_len);
    let mut mask = Vec::with_capacity(rows.len() * seq_len);
    for row in rows {
        ids.extend_from_slice(row);
        ids.extend(std::iter::repeat_n(pad_id, seq_len - row.len()));
        mask.extend(std::iter::repeat_n(1u32, row.len()));
        mask.extend(std::iter::repeat_n(0u32, seq_len - row.len()));
    }
    TokenBatch { ids, mask, batch: rows.len(), seq_len }
}

/// Rejects a batch whose buffers do not match its declared shape (it may come from anywhere).
pub(crate) fn check_batch(batch: &TokenBatch) -> Result<(), ModelError> {
    let n = batch.batch.checked_mul(batch.seq_len);
    if n != Some(batch.ids.len()) || n != Some(batch.mask.len()) {
        return Err(ModelError::Inference(format!(
            "token batch of {}x{} has {} ids and {} mask entries",
            batch.batch,
            batch.seq_len,
            batch.ids.len(),
            batch.mask.len()
        )));
    }
    Ok(())
}

/// Scales `v` to unit length; a zero vector stays zero.
pub(crate) fn l2_normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests;
