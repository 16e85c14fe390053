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

    /// Tokenises and embeds, reporting how long each half took.
    fn encode_timed(&self, texts: &[&str]) -> Result<(Vec<Vec<f32>>, Duration, Duration), ModelError> {
        let t0 = std::time::Instant::now();
        let batch = self.tokenize(texts)?;
        let t1 = std::time::Instant::now();
        let out = self.embed(&batch)?;
        Ok((out, t1 - t0, t1.elapsed()))
    }
}
