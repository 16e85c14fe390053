//! BERT sentence encoders (multilingual-e5-small, all-MiniLM-L6-v2): tokenizer, batching and
//! worker threads around [`PackedBert`](super::packed_bert::PackedBert), the forward pass.
//!
//! A batch's messages are tokenised, truncated, and cut into chunks of whole messages of about
//! [`CHUNK_TOKENS`] tokens; the encoder's own worker threads (a dedicated pool, so their scratch
//! memory stays warm between batches) take chunks until none is left. Chunks are small so a
//! chunk's activations stay in the core's L2 cache through every layer while the int8 weights
//! (21 MB for e5-small) stream from L3, and there are enough of them to keep every worker busy to
//! the end of a batch. Tokens are packed without padding, so how messages are grouped changes
//! nothing in their embeddings (see the determinism tests).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use jaga_kernels::Isa;
use tokenizers::Tokenizer;

use super::fetch::ModelPaths;
use super::packed_bert::{Config, PackedBert};
use super::unigram::{load_compact, CompactTokenizer};
use super::{check_batch, pad_rows, Encoder, EncoderInfo, ModelError, TokenBatch};

/// What differs between the BERT encoders jaga knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BertStyle {
    /// Goes into [`EncoderInfo::id`].
    pub id: &'static str,
    /// Prepended to every text (e5 was trained with "query: " / "passage: " prefixes).
    pub prefix: &'static str,
    /// Id written into padding positions of a [`TokenBatch`] (the packed forward never reads
    /// them; matching the tokenizer keeps batches identical to what reference implementations see).
    pub pad_id: u32,
    /// Also pool the states after this many layers, appended to the embedding
    /// ([`PackedBert::with_tap`]): the vector is then twice the hidden size.
    pub tap_layer: Option<usize>,
}

/// The id names the weights (E5S1 Q4_0), the arithmetic (int8 linear layers) and the output (the
/// last layer's pool, then layer 8's: `l8`): heads trained on one encoder's embeddings are only
/// valid for that encoder.
pub const E5_SMALL_STYLE: BertStyle =
    BertStyle { id: "multilingual-e5-small@e5s1-q4-i8-l8", prefix: "query: ", pad_id: 1, tap_layer: Some(8) };

pub const MINILM_STYLE: BertStyle = BertStyle { id: "all-minilm-l6-v2@i8", prefix: "", pad_id: 0, tap_layer: None };

/// Default token budget per message: chat lines are short, and attention cost grows with length.
pub const DEFAULT_MAX_TOKENS: usize = 128;

/// Target tokens per chunk of a batch: large enough that each weight panel is reused by many
/// rows, small enough that a chunk's activations (about 8 KB a token at hidden 384) fit in L2.
pub const CHUNK_TOKENS: usize = 160;

/// A longer text than this many bytes per allowed token cannot fit anyway; cutting it before
/// tokenising keeps a pathological message from costing the tokenizer seconds.
const MAX_BYTES_PER_TOKEN: usize = 64;

/// One chunk's embeddings, in row order.
type ChunkResult = Result<Vec<Vec<f32>>, ModelError>;

/// See the module docs.
pub struct BertEncoder {
    model: PackedBert,
    tokenizer: TextTokenizer,
    style: BertStyle,
    info: EncoderInfo,
    max_tokens: usize,
    /// Worker threads for chunks and tokenisation; `None` runs everything on the caller.
    pool: Option<rayon::ThreadPool>,
}

/// The tokenizer: Unigram vocabularies (e5) in the compact model of [`super::unigram`], anything
/// else (MiniLM's WordPiece) as the `tokenizers` crate loads it.
pub(crate) enum TextTokenizer {
    Compact(Box<CompactTokenizer>),
    Hf(Box<Tokenizer>),
}

impl TextTokenizer {
    /// Reads `tokenizer.json`, with padding and truncation off (done here per batch).
    pub(crate) fn from_file(path: &std::path::Path) -> Result<TextTokenizer, ModelError> {
        if let Some(t) = load_compact(path)? {
            return Ok(TextTokenizer::Compact(Box::new(t)));
        }
        let mut tokenizer =
            Tokenizer::from_file(path).map_err(|e| ModelError::Tokenizer(format!("{}: {e}", path.display())))?;
        // MiniLM's file pads every text to 128 tokens.
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        Ok(TextTokenizer::Hf(Box::new(tokenizer)))
    }

    /// Token ids of each text, special tokens included; offsets are not computed.
    pub(crate) fn encode_ids(&self, texts: Vec<String>) -> Result<Vec<Vec<u32>>, ModelError> {
        let err = |e: tokenizers::Error| ModelError::Tokenizer(e.to_string());
        let encodings = match self {
            TextTokenizer::Compact(t) => t.encode_batch_fast(texts, true).map_err(err)?,
            TextTokenizer::Hf(t) => t.encode_batch_fast(texts, true).map_err(err)?,
        };
        Ok(encodings.iter().map(|e| e.get_ids().to_vec()).collect())
    }
}

/// Reads `config.json` and the tokenizer.
pub(crate) fn load_config_and_tokenizer(paths: &ModelPaths) -> Result<(Config, TextTokenizer), ModelError> {
    let config_bytes = std::fs::read(&paths.config)
        .map_err(|source| ModelError::Io { path: paths.config.display().to_string(), source })?;
    let config: Config = serde_json::from_slice(&config_bytes)
        .map_err(|e| ModelError::Corrupt(format!("{}: {e}", paths.config.display())))?;
    let tokenizer = TextTokenizer::from_file(&paths.tokenizer)?;
    if !paths.weights.is_file() {
        return Err(ModelError::Missing(paths.weights.display().to_string()));
    }
    Ok((config, tokenizer))
}

impl BertEncoder {
    /// Loads weights, config and tokenizer for the best instruction set of this CPU (`JAGA_ISA=
    /// portable` forces the f32 path). `max_tokens` (special tokens included) is clamped to
    /// `2..=max_position_embeddings`.
    pub fn load(paths: &ModelPaths, style: BertStyle, max_tokens: usize) -> Result<Self, ModelError> {
        Self::load_for(paths, style, max_tokens, Isa::from_env())
    }

    /// [`Self::load`] for a given instruction set (it must be supported by this CPU).
    pub fn load_for(paths: &ModelPaths, style: BertStyle, max_tokens: usize, isa: Isa) -> Result<Self, ModelError> {
        let (config, tokenizer) = load_config_and_tokenizer(paths)?;
        // SAFETY: the file is only ever replaced by an atomic rename (see `fetch`), never modified
        // in place, and every tensor is copied out of the mapping while loading.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&paths.weights], DType::F32, &Device::Cpu) }?;
        let mut model = PackedBert::load(vb, &config, isa)?;
        if let Some(layer) = style.tap_layer {
            model = model.with_tap(layer)?;
        }
        Ok(Self {
            info: EncoderInfo { id: style.id.to_string(), dim: model.output_dim(), similarity_dim: config.hidden_size },
            max_tokens: max_tokens.clamp(2, config.max_position_embeddings),
            model,
            tokenizer,
            style,
            pool: None,
        })
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The instruction set the forward pass runs on.
    pub fn isa(&self) -> Isa {
        self.model.isa()
    }

    /// Bytes of weights held in memory.
    pub fn weight_bytes(&self) -> usize {
        self.model.weight_bytes()
    }

    /// Runs chunks (and tokenisation) on this many threads of the encoder's own (default: 1, the
    /// caller's). Results are the same either way.
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.pool = (workers > 1)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(workers)
                    .thread_name(|i| format!("jaga-encoder-{i}"))
                    .build()
                    .map_err(|e| tracing::warn!(error = %e, "Cannot start encoder threads; encoding on one."))
                    .ok()
            })
            .flatten();
        self
    }

    /// Embeds rows of token ids (each within the position table), in order.
    fn embed_rows(&self, rows: &[&[u32]]) -> Result<Vec<Vec<f32>>, ModelError> {
        let lens: Vec<usize> = rows.iter().map(|r| r.len()).collect();
        let workers = self.pool.as_ref().map_or(1, |p| p.current_num_threads());
        let chunks = plan_chunks(&lens, CHUNK_TOKENS, workers);
        let run = |c: &Range<usize>| self.model.embed_rows(&rows[c.clone()]).map_err(ModelError::from);
        let Some(pool) = self.pool.as_ref().filter(|_| chunks.len() > 1) else {
            let mut out = Vec::with_capacity(rows.len());
            for c in &chunks {
                out.extend(run(c)?);
            }
            return Ok(out);
        };
        let next = AtomicUsize::new(0);
        let done: Vec<Mutex<Option<ChunkResult>>> = chunks.iter().map(|_| Mutex::new(None)).collect();
        pool.scope(|s| {
            for _ in 0..workers.min(chunks.len()) {
                s.spawn(|_| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = chunks.get(i) else { break };
                    // A panic in one chunk becomes that batch's error instead of unwinding
                    // through the pool into the caller.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(c)))
                        .unwrap_or_else(|_| Err(ModelError::Inference("the encoder panicked on a chunk".into())));
                    *done[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                });
            }
        });
        let mut out = Vec::with_capacity(rows.len());
        for slot in done {
            let r = slot.into_inner().unwrap_or_else(|p| p.into_inner());
            out.extend(r.ok_or_else(|| ModelError::Inference("an encoder worker stopped".into()))??);
        }
        Ok(out)
    }
}

/// Cuts `ids` to `max` tokens, keeping the final special token (`</s>` / `[SEP]`) the model
/// expects at the end.
pub fn truncate_keep_last(ids: &mut Vec<u32>, max: usize) {
    if ids.len() > max && max >= 1 {
        let last = ids[ids.len() - 1];
        ids.truncate(max - 1);
        ids.push(last);
    }
}

/// Cuts rows (in order) into chunks of about `target` tokens — at least `min_chunks` of them when
/// there are enough rows, so every worker gets work — and returns row ranges. A row longer than
/// the target is a chunk of its own.
pub fn plan_chunks(lens: &[usize], target: usize, min_chunks: usize) -> Vec<Range<usize>> {
    let total: usize = lens.iter().sum();
    if lens.is_empty() {
        return Vec::new();
    }
    let n = total.div_ceil(target.max(1)).max(min_chunks).min(lens.len()).max(1);
    let per = total.div_ceil(n).max(1);
    let mut out = Vec::with_capacity(n);
    let (mut start, mut acc) = (0, 0);
    for (i, &l) in lens.iter().enumerate() {
        if acc > 0 && acc + l > per {
            out.push(start..i);
            (start, acc) = (i, 0);
        }
        acc += l;
    }
    out.push(start..lens.len());
    out
}

/// Cuts `text` to at most `max_bytes`, on a character boundary.
fn clip(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl Encoder for BertEncoder {
    fn info(&self) -> &EncoderInfo {
        &self.info
    }

    fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError> {
        let max_bytes = self.max_tokens * MAX_BYTES_PER_TOKEN;
        let inputs: Vec<String> =
            texts.iter().map(|t| format!("{}{}", self.style.prefix, clip(t, max_bytes))).collect();
        // Within the pool, the tokenizer's parallel iterator uses its threads.
        let encode = || self.tokenizer.encode_ids(inputs);
        let mut rows = match &self.pool {
            Some(pool) => pool.install(encode),
            None => encode(),
        }?;
        for ids in &mut rows {
            truncate_keep_last(ids, self.max_tokens);
        }
        Ok(pad_rows(&rows, self.style.pad_id))
    }

    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
        check_batch(batch)?;
        let cfg = self.model.config();
        if batch.ids.iter().any(|&id| id as usize >= cfg.vocab_size) {
            return Err(ModelError::Inference("token id beyond the vocabulary".into()));
        }
        let lens: Vec<usize> = (0..batch.batch).map(|r| row_len(batch, r)).collect();
        // Longer rows than the position table would index past it.
        if let Some(&longest) = lens.iter().max().filter(|&&l| l > cfg.max_position_embeddings) {
            return Err(ModelError::Inference(format!(
                "row of {longest} tokens exceeds the {} positions of the model",
                cfg.max_position_embeddings
            )));
        }
        let live: Vec<usize> = (0..batch.batch).filter(|&r| lens[r] > 0).collect();
        let rows: Vec<&[u32]> =
            live.iter().map(|&r| &batch.ids[r * batch.seq_len..r * batch.seq_len + lens[r]]).collect();
        // Rows with an empty mask stay all-zero: there is nothing to pool.
        let mut out = vec![vec![0f32; self.info.dim]; batch.batch];
        for (r, v) in live.into_iter().zip(self.embed_rows(&rows)?) {
            out[r] = v;
        }
        Ok(out)
    }
}

/// Length of a row up to and including its last unmasked token.
fn row_len(batch: &TokenBatch, row: usize) -> usize {
    let mask = &batch.mask[row * batch.seq_len..(row + 1) * batch.seq_len];
    mask.iter().rposition(|&m| m != 0).map_or(0, |p| p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_final_special_token() {
        let mut ids = vec![0, 10, 11, 12, 13, 2];
        truncate_keep_last(&mut ids, 4);
        assert_eq!(ids, vec![0, 10, 11, 2]);
        let mut short = vec![0, 10, 2];
        truncate_keep_last(&mut short, 4);
        assert_eq!(short, vec![0, 10, 2]);
    }

    #[test]
    fn chunks_cover_every_row_once_and_feed_every_worker() {
        let lens: Vec<usize> = (0..64).map(|i| 5 + (i * 7) % 30).collect();
        for (target, workers) in [(160, 2), (10_000, 2), (1, 1), (160, 1)] {
            let chunks = plan_chunks(&lens, target, workers);
            assert_eq!(chunks.first().map(|c| c.start), Some(0));
            assert_eq!(chunks.last().map(|c| c.end), Some(64));
            assert!(chunks.windows(2).all(|w| w[0].end == w[1].start && w[0].start < w[0].end));
            assert!(chunks.len() >= workers, "{target}/{workers}: {chunks:?}");
        }
        // A long row is a chunk of its own; a single row is one chunk.
        assert_eq!(plan_chunks(&[5, 500, 5], 160, 2), vec![0..1, 1..2, 2..3]);
        assert_eq!(plan_chunks(&[7], 160, 2), vec![0..1]);
        assert!(plan_chunks(&[], 160, 2).is_empty());
    }

    #[test]
    fn clip_respects_char_boundaries() {
        assert_eq!(clip("héllo", 2), "h");
        assert_eq!(clip("abc", 10), "abc");
    }
}
