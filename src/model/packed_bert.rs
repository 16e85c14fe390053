//! BERT sentence encoder (multilingual-e5-small, all-MiniLM-L6-v2) with int8 linear layers over
//! packed token rows — jaga's own forward pass, as a candle model.
//!
//! Implements the encoder of Devlin et al. 2019 ("BERT: Pre-training of Deep Bidirectional
//! Transformers"), post-LN, absolute positions counted from 0, erf GELU, followed by masked mean
//! pooling and L2 normalisation as in Wang et al. 2022 ("Text Embeddings by Weakly-Supervised
//! Contrastive Pre-training", e5). It computes the same function as
//! `candle_transformers::models::bert::BertModel` + pooling, which the quality-gate test compares
//! it with, but is built for short chat messages on a CPU:
//!
//! - **No padding.** The batch's tokens are packed end to end into one `[tokens, hidden]` matrix
//!   for every linear layer; attention runs per sequence on its own length. A chat batch pads to
//!   its longest message, so this alone saves about half of the work.
//! - **int8 linear layers** on CPUs with AVX-512 VNNI (`jaga_kernels::qgemm`): weights quantised
//!   per output channel at load, activations per row on the fly, i32 accumulation, bias, scales
//!   and GELU fused into the store. Softmax, layer norm, GELU and residual sums stay in f32.
//!   Elsewhere the same layers run in f32 (`jaga_kernels::sgemm`).
//! - **Fused blocks.** Each layer is two candle custom ops that update the hidden states in place
//!   — the attention block (fused Q/K/V product, attention, output projection, residual + layer
//!   norm) and the feed-forward block (intermediate product + GELU, quantisation, output product,
//!   residual + layer norm; in the last layer also the mean pooling) — so intermediate values
//!   live in per-thread scratch buffers and nothing is allocated per layer.
//! - **Embedding table in Q4_0** as shipped (multilingual-e5-small's 250k × 384 table is 54 MB
//!   instead of 384 MB in f32); looked-up rows are dequantised on the fly.
//!
//! Every row's result depends only on its own sequence (integer accumulation is exact, the f32
//! parts run in a fixed order), so a text's embedding is the same whatever batch it is in.

use candle_core::{CpuStorage, CustomOp1, DType, Device, InplaceOp1, Layout, Shape, Tensor};
use candle_nn::VarBuilder;
use jaga_kernels::attention::{self, Heads};
use jaga_kernels::bgemm::{self, Bf16Rows, Bf16Weights};
use jaga_kernels::qgemm::{self, Epilogue, QuantWeights};
use jaga_kernels::quant::QuantRows;
use jaga_kernels::sgemm::{self, F32Weights};
use jaga_kernels::{norm, Isa};
use serde::Deserialize;
use std::cell::RefCell;
use std::ops::Range;

/// The Hugging Face `config.json` fields this model reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub model_type: Option<String>,
}

fn default_act() -> String {
    "gelu".into()
}
fn default_type_vocab() -> usize {
    2
}

/// Name of the Q4_0 word-embedding table in jaga's converted safetensors (raw blocks, `[vocab,
/// hidden / 32 * 18]` bytes), used instead of the f32 `word_embeddings.weight` when present.
pub const Q4_WORD_TABLE: &str = "word_embeddings.q4_0";
const Q4_BLOCK: usize = 32;
const Q4_BLOCK_BYTES: usize = 18;

/// Rows of the feed-forward intermediate computed at a time: their `[rows, 1536]` f32 values
/// stay in L2 between the two products.
const FFN_ROWS: usize = 64;

enum WordTable {
    /// Q4_0 blocks, `hidden / 32` per row.
    Q4(Vec<u8>),
    F32(Vec<f32>),
}

struct Embeddings {
    words: WordTable,
    /// `[max_positions, hidden]`.
    positions: Vec<f32>,
    /// Token type 0 (the only one sentence encoders use).
    type0: Vec<f32>,
    ln: (Vec<f32>, Vec<f32>),
}

enum Linear {
    I8(QuantWeights),
    Bf16(Bf16Weights),
    F32(F32Weights),
}

impl Linear {
    fn new(isa: Isa, w: &[f32], b: &[f32], n: usize, k: usize) -> Linear {
        match isa {
            Isa::Avx512Vnni => Linear::I8(QuantWeights::quantize(w, b, n, k)),
            Isa::Avx512Bf16 => Linear::Bf16(Bf16Weights::pack(w, b, n, k)),
            Isa::Portable => Linear::F32(F32Weights::pack(w, b, n, k)),
        }
    }

    fn k(&self) -> usize {
        match self {
            Linear::I8(w) => w.k,
            Linear::Bf16(w) => w.k,
            Linear::F32(w) => w.k,
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Linear::I8(w) => w.bytes(),
            Linear::Bf16(w) => w.bytes(),
            Linear::F32(w) => w.bytes(),
        }
    }

    /// `out = epilogue(x · Wᵀ + b)` for `rows` rows of `x` (row stride `k`).
    fn forward(&self, x: &[f32], rows: usize, s: &mut LinearScratch, gelu: bool, out: &mut [f32], ldc: usize) {
        let epi = if gelu { Epilogue::BiasGelu } else { Epilogue::Bias };
        match self {
            Linear::I8(w) => {
                s.q.quantize(x, rows, w.k);
                qgemm::gemm(&s.q, 0..rows, w, epi, out, ldc);
            }
            Linear::Bf16(w) => {
                s.b.convert(x, rows, w.k);
                bgemm::gemm(&s.b, w, epi, out, ldc);
            }
            Linear::F32(w) => sgemm::gemm(x, rows, w, gelu, out, ldc),
        }
    }
}

struct Layer {
    /// Query, key and value stacked: `[3 * hidden, hidden]`.
    qkv: Linear,
    attn_out: Linear,
    ln1: (Vec<f32>, Vec<f32>),
    ffn_in: Linear,
    ffn_out: Linear,
    ln2: (Vec<f32>, Vec<f32>),
}

/// Per-thread scratch memory of the custom ops, so steady-state batches allocate only outputs.
/// A linear layer's converted input rows.
#[derive(Default)]
struct LinearScratch {
    q: QuantRows,
    b: Bf16Rows,
}

#[derive(Default)]
struct Scratch {
    q: LinearScratch,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    inter: Vec<f32>,
    /// A block's output before the residual sum and layer norm.
    out: Vec<f32>,
    attn: attention::Scratch,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// See the module docs.
pub struct PackedBert {
    cfg: Config,
    isa: Isa,
    emb: Embeddings,
    layers: Vec<Layer>,
    eps: f32,
    /// Also pool the hidden states after this many layers (see [`Self::with_tap`]).
    tap: Option<usize>,
}

fn vec_of(vb: &VarBuilder, shape: &[usize], name: &str) -> candle_core::Result<Vec<f32>> {
    vb.get(shape, name)?.flatten_all()?.to_vec1::<f32>()
}

fn ln_of(vb: &VarBuilder, h: usize) -> candle_core::Result<(Vec<f32>, Vec<f32>)> {
    Ok((vec_of(vb, &[h], "weight")?, vec_of(vb, &[h], "bias")?))
}

impl PackedBert {
    /// Loads the weights (Hugging Face BERT names, with or without a `bert.` prefix) and prepares
    /// them for `isa`: quantised and packed for int8, or packed f32.
    pub fn load(vb: VarBuilder, cfg: &Config, isa: Isa) -> candle_core::Result<PackedBert> {
        if cfg.hidden_act != "gelu" {
            candle_core::bail!("hidden_act {:?} is not supported (only gelu)", cfg.hidden_act);
        }
        let (h, ff) = (cfg.hidden_size, cfg.intermediate_size);
        if cfg.num_attention_heads == 0 || h % cfg.num_attention_heads != 0 || h % Q4_BLOCK != 0 || ff % 4 != 0 {
            candle_core::bail!("unsupported shape: hidden {h}, heads {}, intermediate {ff}", cfg.num_attention_heads);
        }
        let vb = if vb.contains_tensor("bert.embeddings.position_embeddings.weight") { vb.pp("bert") } else { vb };
        let e = vb.pp("embeddings");
        let words = if e.contains_tensor(Q4_WORD_TABLE) {
            let row_bytes = h / Q4_BLOCK * Q4_BLOCK_BYTES;
            let t =
                e.get_with_hints_dtype((cfg.vocab_size, row_bytes), Q4_WORD_TABLE, Default::default(), DType::U8)?;
            WordTable::Q4(t.flatten_all()?.to_vec1::<u8>()?)
        } else {
            WordTable::F32(vec_of(&e, &[cfg.vocab_size, h], "word_embeddings.weight")?)
        };
        let positions = vec_of(&e, &[cfg.max_position_embeddings, h], "position_embeddings.weight")?;
        let types = vec_of(&e, &[cfg.type_vocab_size, h], "token_type_embeddings.weight")?;
        let emb = Embeddings { words, positions, type0: types[..h].to_vec(), ln: ln_of(&e.pp("LayerNorm"), h)? };
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for i in 0..cfg.num_hidden_layers {
            let l = vb.pp(format!("encoder.layer.{i}"));
            let a = l.pp("attention");
            let mut w = Vec::with_capacity(3 * h * h);
            let mut b = Vec::with_capacity(3 * h);
            for part in ["query", "key", "value"] {
                w.extend(vec_of(&a.pp("self").pp(part), &[h, h], "weight")?);
                b.extend(vec_of(&a.pp("self").pp(part), &[h], "bias")?);
            }
            let dense = |vb: VarBuilder, n: usize, k: usize| -> candle_core::Result<Linear> {
                Ok(Linear::new(isa, &vec_of(&vb, &[n, k], "weight")?, &vec_of(&vb, &[n], "bias")?, n, k))
            };
            layers.push(Layer {
                qkv: Linear::new(isa, &w, &b, 3 * h, h),
                attn_out: dense(a.pp("output").pp("dense"), h, h)?,
                ln1: ln_of(&a.pp("output").pp("LayerNorm"), h)?,
                ffn_in: dense(l.pp("intermediate").pp("dense"), ff, h)?,
                ffn_out: dense(l.pp("output").pp("dense"), h, ff)?,
                ln2: ln_of(&l.pp("output").pp("LayerNorm"), h)?,
            });
        }
        Ok(PackedBert { cfg: cfg.clone(), isa, emb, layers, eps: cfg.layer_norm_eps as f32, tap: None })
    }

    /// Makes [`Self::forward`] return a second pooled vector beside the last layer's: the mean of
    /// the hidden states after `layer` layers (1 = after the first), the sequence's first token
    /// left out. The stage head reads both: with the middle layer beside the last it finds more
    /// grooming moves in conversation families it never saw and fewer in real chat (figures in
    /// `docs/encoder.md`). It is read from the same forward pass, so it costs one more pooling.
    pub fn with_tap(mut self, layer: usize) -> candle_core::Result<PackedBert> {
        if layer == 0 || layer >= self.layers.len() {
            candle_core::bail!(
                "tap after layer {layer}: the model has {} layers (1..{} allowed)",
                self.layers.len(),
                self.layers.len()
            );
        }
        self.tap = Some(layer);
        Ok(self)
    }

    /// Width of [`Self::forward`]'s rows: the hidden size, twice that with a tap.
    pub fn output_dim(&self) -> usize {
        self.cfg.hidden_size * if self.tap.is_some() { 2 } else { 1 }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Bytes of weights held in memory (word table included).
    pub fn weight_bytes(&self) -> usize {
        let words = match &self.emb.words {
            WordTable::Q4(b) => b.len(),
            WordTable::F32(v) => 4 * v.len(),
        };
        let layers: usize =
            self.layers.iter().map(|l| l.qkv.bytes() + l.attn_out.bytes() + l.ffn_in.bytes() + l.ffn_out.bytes()).sum();
        words + 4 * self.emb.positions.len() + layers
    }

    /// Embeds packed sequences: `ids` is `[tokens]` u32, the concatenation of sequences of the
    /// given lengths (each already truncated to the model's positions). Returns `[sequences,
    /// hidden]` f32: mean of each sequence's last hidden states, L2-normalised. With a tap
    /// ([`Self::with_tap`]) it is `[sequences, 2 hidden]`: that vector, then the tapped layer's,
    /// each L2-normalised and scaled by 1/√2, so the row is still unit length and a dot product
    /// of two rows is the mean of the two cosines.
    pub fn forward(&self, ids: &Tensor, lens: &[usize]) -> candle_core::Result<Tensor> {
        let total: usize = lens.iter().sum();
        if ids.dims() != [total] {
            candle_core::bail!("ids of shape {:?} for sequences of {total} tokens", ids.dims());
        }
        if let Some(&l) = lens.iter().find(|&&l| l == 0 || l > self.cfg.max_position_embeddings) {
            candle_core::bail!("sequence of {l} tokens (1..={} allowed)", self.cfg.max_position_embeddings);
        }
        let mut seqs = Vec::with_capacity(lens.len());
        let mut start = 0;
        for &l in lens {
            seqs.push(start..start + l);
            start += l;
        }
        let x = ids.apply_op1_no_bwd(&EmbedOp { model: self, seqs: &seqs })?;
        let Some((last, rest)) = self.layers.split_last() else {
            return x.apply_op1_no_bwd(&PoolOp { hidden: self.cfg.hidden_size, seqs: &seqs, skip_first: false });
        };
        let mut tapped = None;
        for (i, layer) in rest.iter().enumerate() {
            x.inplace_op1(&AttentionBlock { model: self, layer, seqs: &seqs })?;
            x.inplace_op1(&FeedForwardBlock { model: self, layer, pool: None })?;
            if self.tap == Some(i + 1) {
                let op = PoolOp { hidden: self.cfg.hidden_size, seqs: &seqs, skip_first: true };
                tapped = Some(x.apply_op1_no_bwd(&op)?);
            }
        }
        x.inplace_op1(&AttentionBlock { model: self, layer: last, seqs: &seqs })?;
        let pooled = x.apply_op1_no_bwd(&FeedForwardBlock { model: self, layer: last, pool: Some(&seqs) })?;
        match tapped {
            None => Ok(pooled),
            Some(t) => Tensor::cat(&[&pooled, &t], 1)?.affine(std::f64::consts::FRAC_1_SQRT_2, 0.0),
        }
    }

    /// [`Self::forward`] on plain rows of token ids.
    pub fn embed_rows(&self, rows: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let lens: Vec<usize> = rows.iter().map(|r| r.len()).collect();
        let ids: Vec<u32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        let t = Tensor::from_vec(ids, lens.iter().sum::<usize>(), &Device::Cpu)?;
        self.forward(&t, &lens)?.to_vec2::<f32>()
    }
}

/// The input slice of a custom op, which must be contiguous.
fn contiguous<'a, T: candle_core::WithDType>(data: &'a [T], layout: &Layout) -> candle_core::Result<&'a [T]> {
    match layout.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("packed BERT ops need contiguous inputs"),
    }
}

fn f32_input<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    match storage {
        CpuStorage::F32(v) => contiguous(v, layout),
        _ => candle_core::bail!("packed BERT ops take f32 hidden states"),
    }
}

/// Word + position + type embeddings, then layer norm.
struct EmbedOp<'a> {
    model: &'a PackedBert,
    seqs: &'a [Range<usize>],
}

impl CustomOp1 for EmbedOp<'_> {
    fn name(&self) -> &'static str {
        "packed-bert-embeddings"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let ids = match storage {
            CpuStorage::U32(v) => contiguous(v, layout)?,
            _ => candle_core::bail!("token ids must be u32"),
        };
        let cfg = &self.model.cfg;
        let (h, emb) = (cfg.hidden_size, &self.model.emb);
        let mut out = vec![0f32; ids.len() * h];
        for s in self.seqs {
            for (pos, t) in s.clone().enumerate() {
                let id = ids[t] as usize;
                if id >= cfg.vocab_size {
                    candle_core::bail!("token id {id} beyond the vocabulary of {}", cfg.vocab_size);
                }
                let row = &mut out[t * h..(t + 1) * h];
                match &emb.words {
                    WordTable::F32(w) => row.copy_from_slice(&w[id * h..(id + 1) * h]),
                    WordTable::Q4(q) => {
                        let rb = h / Q4_BLOCK * Q4_BLOCK_BYTES;
                        dequantize_q4_row(&q[id * rb..(id + 1) * rb], row);
                    }
                }
                let p = &emb.positions[pos * h..(pos + 1) * h];
                for ((x, p), t0) in row.iter_mut().zip(p).zip(&emb.type0) {
                    *x += p + t0;
                }
            }
        }
        norm::layer_norm(&mut out, None, h, &emb.ln.0, &emb.ln.1, self.model.eps);
        Ok((CpuStorage::F32(out), Shape::from((ids.len(), h))))
    }
}

/// Q4_0 blocks → f32: scale `d` (f16), then 16 bytes whose low nibbles are elements 0..16 and
/// high nibbles 16..32, each `(q − 8) · d`.
fn dequantize_q4_row(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks.chunks_exact(Q4_BLOCK_BYTES).zip(out.chunks_exact_mut(Q4_BLOCK)) {
        let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
        for j in 0..16 {
            let q = b[2 + j];
            o[j] = ((q & 0x0f) as i32 - 8) as f32 * d;
            o[j + 16] = ((q >> 4) as i32 - 8) as f32 * d;
        }
    }
}

/// `x ← LN(x + W_o · attention(W_qkv · x))` for every row, in place.
struct AttentionBlock<'a> {
    model: &'a PackedBert,
    layer: &'a Layer,
    seqs: &'a [Range<usize>],
}

fn f32_input_mut<'a>(storage: &'a mut CpuStorage, layout: &Layout) -> candle_core::Result<&'a mut [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(v), Some((a, b))) => Ok(&mut v[a..b]),
        _ => candle_core::bail!("packed BERT ops need contiguous f32 hidden states"),
    }
}

impl InplaceOp1 for AttentionBlock<'_> {
    fn name(&self) -> &'static str {
        "packed-bert-attention-block"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let x = f32_input_mut(storage, layout)?;
        let cfg = &self.model.cfg;
        let h = cfg.hidden_size;
        let t = x.len() / h;
        let l = self.layer;
        SCRATCH.with_borrow_mut(|s| {
            jaga_kernels::grow(&mut s.qkv, t * 3 * h);
            jaga_kernels::grow(&mut s.ctx, t * h);
            jaga_kernels::grow(&mut s.out, t * h);
            l.qkv.forward(x, t, &mut s.q, false, &mut s.qkv, 3 * h);
            let heads = Heads { hidden: h, heads: cfg.num_attention_heads };
            attention::attention(&s.qkv, self.seqs, heads, &mut s.ctx, &mut s.attn);
            l.attn_out.forward(&s.ctx, t, &mut s.q, false, &mut s.out, h);
            norm::layer_norm(x, Some(&s.out[..t * h]), h, &l.ln1.0, &l.ln1.1, self.model.eps);
        });
        Ok(())
    }
}

/// `x ← LN(x + W_2 · GELU(W_1 · x))` for every row, in place; in the last layer the same
/// followed by mean pooling, as a new `[sequences, hidden]` tensor.
struct FeedForwardBlock<'a> {
    model: &'a PackedBert,
    layer: &'a Layer,
    /// Set in the last layer: return one mean-pooled, L2-normalised row per sequence.
    pool: Option<&'a [Range<usize>]>,
}

impl FeedForwardBlock<'_> {
    fn run(&self, x: &mut [f32]) {
        let cfg = &self.model.cfg;
        let (h, ff) = (cfg.hidden_size, cfg.intermediate_size);
        let t = x.len() / h;
        let l = self.layer;
        debug_assert_eq!(l.ffn_out.k(), ff);
        SCRATCH.with_borrow_mut(|s| {
            jaga_kernels::grow(&mut s.inter, FFN_ROWS.min(t) * ff);
            jaga_kernels::grow(&mut s.out, t * h);
            let mut r = 0;
            while r < t {
                let n = (t - r).min(FFN_ROWS);
                l.ffn_in.forward(&x[r * h..(r + n) * h], n, &mut s.q, true, &mut s.inter, ff);
                l.ffn_out.forward(&s.inter[..n * ff], n, &mut s.q, false, &mut s.out[r * h..(r + n) * h], h);
                r += n;
            }
            norm::layer_norm(x, Some(&s.out[..t * h]), h, &l.ln2.0, &l.ln2.1, self.model.eps);
        });
    }
}

impl InplaceOp1 for FeedForwardBlock<'_> {
    fn name(&self) -> &'static str {
        "packed-bert-feed-forward-block"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        self.run(f32_input_mut(storage, layout)?);
        Ok(())
    }
}

impl CustomOp1 for FeedForwardBlock<'_> {
    fn name(&self) -> &'static str {
        "packed-bert-feed-forward-block-pool"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let h = self.model.cfg.hidden_size;
        let seqs = self.pool.unwrap_or_default();
        let mut x = f32_input(storage, layout)?.to_vec();
        self.run(&mut x);
        Ok((CpuStorage::F32(mean_pool(&x, h, seqs, false)), Shape::from((seqs.len(), h))))
    }
}

/// Mean pooling on its own: a tapped middle layer, or a model without layers (only in tests).
struct PoolOp<'a> {
    hidden: usize,
    seqs: &'a [Range<usize>],
    /// Leave each sequence's first token out (when it has more than one).
    skip_first: bool,
}

impl CustomOp1 for PoolOp<'_> {
    fn name(&self) -> &'static str {
        "packed-bert-pool"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let x = f32_input(storage, layout)?;
        let pooled = mean_pool(x, self.hidden, self.seqs, self.skip_first);
        Ok((CpuStorage::F32(pooled), Shape::from((self.seqs.len(), self.hidden))))
    }
}

/// Mean of each sequence's rows (without its first row if `skip_first` and it has more than one),
/// L2-normalised (a zero vector stays zero).
fn mean_pool(x: &[f32], h: usize, seqs: &[Range<usize>], skip_first: bool) -> Vec<f32> {
    let mut out = vec![0f32; seqs.len() * h];
    for (o, s) in out.chunks_exact_mut(h).zip(seqs) {
        let s = if skip_first && s.len() > 1 { s.start + 1..s.end } else { s.clone() };
        for r in s.clone() {
            for (a, v) in o.iter_mut().zip(&x[r * h..(r + 1) * h]) {
                *a += v;
            }
        }
        let n = s.len().max(1) as f32;
        o.iter_mut().for_each(|a| *a /= n);
        super::l2_normalize(o);
    }
    out
}
