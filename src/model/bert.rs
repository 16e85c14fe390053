//! BERT sentence encoders (multilingual-e5-small, all-MiniLM-L6-v2) on candle's
//! `candle_transformers::models::bert::BertModel`, CPU, f32: tokens → transformer → masked mean
//! pooling → L2 normalisation, as in Wang et al. 2022 ("Text Embeddings by Weakly-Supervised
//! Contrastive Pre-training") and sentence-transformers.
//!
//! Speed comes mostly from not computing padding: chat messages are short and of very different
//! lengths, so [`BertEncoder::embed`] sorts a batch by length and runs sub-batches of similar
//! length (chosen by a small dynamic programme that trades padding against per-call overhead),
//! then restores the caller's order.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use super::fetch::ModelPaths;
use super::{check_batch, l2_normalize, pad_rows, Encoder, EncoderInfo, ModelError, TokenBatch};

/// What differs between the BERT encoders jaga knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BertStyle {
    /// Goes into [`EncoderInfo::id`].
    pub id: &'static str,
    /// Prepended to every text (e5 was trained with "query: " / "passage: " prefixes).
    pub prefix: &'static str,
    /// Id written into padding positions (masked out anyway, but matching the tokenizer keeps the
    /// batches identical to what the reference implementation sees).
    pub pad_id: u32,
}

pub const E5_SMALL_STYLE: BertStyle = BertStyle { id: "multilingual-e5-small@e5s1-q4", prefix: "query: ", pad_id: 1 };

pub const MINILM_STYLE: BertStyle = BertStyle { id: "all-minilm-l6-v2", prefix: "", pad_id: 0 };

/// Default token budget per message: chat lines are short, and attention cost grows with length.
pub const DEFAULT_MAX_TOKENS: usize = 128;

/// Per forward call overhead, in "padded tokens" worth of compute: a sub-batch is split off when
/// the padding it saves is worth more than one extra call. Measured on a 2-core AVX-512 machine.
const CALL_OVERHEAD_TOKENS: usize = 48;

/// A longer text than this many bytes per allowed token cannot fit anyway; cutting it before
/// tokenising keeps a pathological message from costing the tokenizer seconds.
const MAX_BYTES_PER_TOKEN: usize = 64;

/// A sub-batch: row indices into the caller's batch, and the length they are padded to.
type Group<'a> = (&'a [usize], usize);
/// A finished row: its index in the caller's batch and its embedding.
type Pooled = (usize, Vec<f32>);

/// See the module docs.
pub struct BertEncoder {
    model: BertModel,
    tokenizer: Tokenizer,
    style: BertStyle,
    info: EncoderInfo,
    max_tokens: usize,
    vocab_size: usize,
    max_positions: usize,
    sub_batching: bool,
    workers: usize,
    device: Device,
}

impl BertEncoder {
    /// Loads weights, config and tokenizer. `max_tokens` (special tokens included) is clamped to
    /// `2..=max_position_embeddings`.
    pub fn load(paths: &ModelPaths, style: BertStyle, max_tokens: usize) -> Result<Self, ModelError> {
        let config_bytes = std::fs::read(&paths.config)
            .map_err(|source| ModelError::Io { path: paths.config.display().to_string(), source })?;
        let config: Config = serde_json::from_slice(&config_bytes)
            .map_err(|e| ModelError::Corrupt(format!("{}: {e}", paths.config.display())))?;
        let mut tokenizer = Tokenizer::from_file(&paths.tokenizer)
            .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", paths.tokenizer.display())))?;
        // Padding and truncation are done here, per batch, so they must be off in the tokenizer
        // (MiniLM's file pads every text to 128 tokens).
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let device = Device::Cpu;
        if !paths.weights.is_file() {
            return Err(ModelError::Missing(paths.weights.display().to_string()));
        }
        // SAFETY: the file is only ever replaced by an atomic rename (see `fetch`), never modified
        // in place, and candle copies each tensor out of the mapping while loading.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&paths.weights], DType::F32, &device) }?;
        let model = BertModel::load(vb, &config)?;
        Ok(Self {
            model,
            tokenizer,
            style,
            info: EncoderInfo { id: style.id.to_string(), dim: config.hidden_size },
            max_tokens: max_tokens.clamp(2, config.max_position_embeddings),
            vocab_size: config.vocab_size,
            max_positions: config.max_position_embeddings,
            sub_batching: true,
            workers: 1,
            device,
        })
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// Runs sub-batches on this many threads of their own (default 1). Worth it when candle's
    /// own threading is off (`RAYON_NUM_THREADS=1`): whole sub-batches in parallel scale better on
    /// few cores than candle splitting every small operation. Results are the same either way.
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Runs `groups` (rows, padded length), spread over `self.workers` threads balanced by cost.
    fn run_groups(&self, batch: &TokenBatch, groups: Vec<Group<'_>>) -> Result<Vec<Pooled>, ModelError> {
        if self.workers <= 1 || groups.len() < 2 {
            let mut out = Vec::with_capacity(batch.batch);
            for (rows, len) in groups {
                out.extend(self.forward_group(batch, rows, len)?);
            }
            return Ok(out);
        }
        let cost = |(rows, len): &Group<'_>| rows.len() * len + CALL_OVERHEAD_TOKENS;
        let mut by_cost = groups;
        by_cost.sort_by_key(|g| std::cmp::Reverse(cost(g)));
        let mut lanes: Vec<(usize, Vec<Group<'_>>)> = vec![(0, Vec::new()); self.workers];
        for g in by_cost {
            if let Some(lane) = lanes.iter_mut().min_by_key(|l| l.0) {
                lane.0 += cost(&g);
                lane.1.push(g);
            }
        }
        let results: Vec<Result<Vec<Pooled>, ModelError>> = std::thread::scope(|s| {
            let handles: Vec<_> = lanes
                .iter()
                .filter(|(_, gs)| !gs.is_empty())
                .map(|(_, gs)| {
                    s.spawn(move || {
                        let mut acc = Vec::new();
                        for &(rows, len) in gs {
                            acc.extend(self.forward_group(batch, rows, len)?);
                        }
                        Ok(acc)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(ModelError::Inference("encoder worker panicked".into()))))
                .collect()
        });
        let mut out = Vec::with_capacity(batch.batch);
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    /// Turns length-sorted sub-batching off (one forward call padded to the longest row), to
    /// measure what it saves; results are the same either way.
    pub fn with_sub_batching(mut self, on: bool) -> Self {
        self.sub_batching = on;
        self
    }

    /// Runs one sub-batch (rows of `batch`, all of length at most `len`) and writes the pooled,
    /// normalised vectors into `out` at the rows' positions.
    fn forward_group(&self, batch: &TokenBatch, rows: &[usize], len: usize) -> Result<Vec<Pooled>, ModelError> {
        let n = rows.len();
        let mut ids = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for &r in rows {
            let start = r * batch.seq_len;
            ids.extend_from_slice(&batch.ids[start..start + len]);
            mask.extend_from_slice(&batch.mask[start..start + len]);
        }
        let ids_t = Tensor::from_vec(ids, (n, len), &self.device)?;
        let type_ids = ids_t.zeros_like()?;
        let mask_t = Tensor::from_vec(mask.clone(), (n, len), &self.device)?;
        let hidden = self.model.forward(&ids_t, &type_ids, Some(&mask_t))?;
        let dim = self.info.dim;
        let values = hidden.flatten_all()?.to_vec1::<f32>()?;
        if values.len() != n * len * dim {
            return Err(ModelError::Inference(format!("encoder returned {} values for {n}x{len}x{dim}", values.len())));
        }
        let mut out = Vec::with_capacity(n);
        for (i, &r) in rows.iter().enumerate() {
            let mut pooled = vec![0f32; dim];
            let mut count = 0f32;
            for t in 0..len {
                if mask[i * len + t] == 0 {
                    continue;
                }
                count += 1.0;
                let h = &values[(i * len + t) * dim..(i * len + t + 1) * dim];
                for (p, &x) in pooled.iter_mut().zip(h) {
                    *p += x;
                }
            }
            if count > 0.0 {
                pooled.iter_mut().for_each(|p| *p /= count);
            }
            l2_normalize(&mut pooled);
            out.push((r, pooled));
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

/// Splits lengths sorted ascending into contiguous groups minimising
/// `sum(groups × overhead + rows × longest)`. Returns group end indices (exclusive).
pub fn plan_groups(sorted_lens: &[usize], overhead: usize) -> Vec<usize> {
    let n = sorted_lens.len();
    // best[j]: cheapest cost of the first j rows; from[j]: start of the last group.
    let mut best = vec![usize::MAX; n + 1];
    let mut from = vec![0usize; n + 1];
    best[0] = 0;
    for j in 1..=n {
        let longest = sorted_lens[j - 1];
        for i in 0..j {
            let cost = best[i] + overhead + (j - i) * longest;
            if cost < best[j] {
                best[j] = cost;
                from[j] = i;
            }
        }
    }
    let mut ends = Vec::new();
    let mut j = n;
    while j > 0 {
        ends.push(j);
        j = from[j];
    }
    ends.reverse();
    ends
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
        let encodings = self.tokenizer.encode_batch(inputs, true).map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let rows: Vec<Vec<u32>> = encodings
            .iter()
            .map(|e| {
                let mut ids = e.get_ids().to_vec();
                truncate_keep_last(&mut ids, self.max_tokens);
                ids
            })
            .collect();
        Ok(pad_rows(&rows, self.style.pad_id))
    }

    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
        check_batch(batch)?;
        if batch.ids.iter().any(|&id| id as usize >= self.vocab_size) {
            return Err(ModelError::Inference("token id beyond the vocabulary".into()));
        }
        let lens: Vec<usize> = (0..batch.batch).map(|r| row_len(batch, r)).collect();
        // Longer rows than the position table would fail deep inside candle.
        if let Some(&longest) = lens.iter().max().filter(|&&l| l > self.max_positions) {
            return Err(ModelError::Inference(format!(
                "row of {longest} tokens exceeds the {} positions of the model",
                self.max_positions
            )));
        }
        let mut order: Vec<usize> = (0..batch.batch).filter(|&r| lens[r] > 0).collect();
        order.sort_by_key(|&r| (lens[r], r));
        let sorted_lens: Vec<usize> = order.iter().map(|&r| lens[r]).collect();
        // Rows with an empty mask stay all-zero: there is nothing to pool.
        let mut out = vec![vec![0f32; self.info.dim]; batch.batch];
        if order.is_empty() {
            return Ok(out);
        }
        let ends =
            if self.sub_batching { plan_groups(&sorted_lens, CALL_OVERHEAD_TOKENS) } else { vec![sorted_lens.len()] };
        let mut groups: Vec<Group<'_>> = Vec::with_capacity(ends.len());
        let mut start = 0;
        for end in ends {
            groups.push((&order[start..end], sorted_lens[end - 1]));
            start = end;
        }
        for (row, v) in self.run_groups(batch, groups)? {
            out[row] = v;
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
    fn groups_split_only_when_padding_costs_more_than_a_call() {
        // All equal: one group.
        assert_eq!(plan_groups(&[5, 5, 5, 5], 48), vec![4]);
        // 60 short rows and 4 long ones: padding the short rows to 100 would waste ~5700 tokens.
        let mut lens = vec![8; 60];
        lens.extend([100; 4]);
        assert_eq!(plan_groups(&lens, 48), vec![60, 64]);
        // Zero overhead: every distinct length is its own group.
        assert_eq!(plan_groups(&[1, 2, 2, 3], 0), vec![1, 3, 4]);
        assert!(plan_groups(&[], 48).is_empty());
    }

    #[test]
    fn clip_respects_char_boundaries() {
        assert_eq!(clip("héllo", 2), "h");
        assert_eq!(clip("abc", 10), "abc");
    }
}
