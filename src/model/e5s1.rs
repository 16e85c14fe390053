//! Reader for the E5S1 container that ships multilingual-e5-small 4-bit quantised, and its
//! conversion to a safetensors file under Hugging Face BERT names: every tensor in f32 except the
//! word-embedding table, kept in its Q4_0 blocks (`embeddings.word_embeddings.q4_0`, u8) so the
//! encoder holds 54 MB for it instead of 384 MB (see [`super::packed_bert`]).
//!
//! Layout (little-endian, offsets absolute from the start of the file), as documented in
//! `docs/model-sourcing.md`:
//!
//! ```text
//! "E5S1" | u32 version(=1) | i32 H | i32 NL | i32 NH | i32 FF | i32 VOC | i32 MAXP | i32 TVS | f32 eps | i32 qk(=32)
//! tokenizer: i32 n_pieces | i32 bos | i32 eos | i32 pad | i32 unk | u64 bloblen
//!            u32 offs[n_pieces+1] | f32 scores[n_pieces] | u8 blob[bloblen]
//! normmap:   i32 n_norm | u32 nbytes | nbytes of payload
//! tensors:   i32 ndir | ndir x { u16 namelen | name | u8 dtype (0=f32, 1=Q4_0) | u32 n_elems | u64 offset | u64 nbytes }
//! ```
//!
//! The tokenizer and normalisation blocks are only bounds-checked and skipped: the tokenizer comes
//! from a separate `tokenizer.json` with the same vocabulary. Every length and offset is checked
//! before it is used, so a truncated or corrupt file gives [`ModelError::Corrupt`], never a panic.

use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};

use super::ModelError;

/// Elements per Q4_0 block.
pub const Q4_0_BLOCK_ELEMS: usize = 32;
/// Bytes per Q4_0 block: an f16 scale and 16 bytes of packed nibbles.
pub const Q4_0_BLOCK_BYTES: usize = 18;

/// Model dimensions from the container header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub layer_norm_eps: f32,
}

/// Storage type of one tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorDtype {
    F32,
    Q4_0,
}

/// One tensor of the directory, borrowing its bytes from the container.
#[derive(Debug, Clone)]
pub struct RawTensor<'a> {
    /// Name as stored in the container, e.g. `l3.q.w`.
    pub name: String,
    pub dtype: TensorDtype,
    pub n_elems: usize,
    pub data: &'a [u8],
}

/// A parsed container: header, special token ids and the tensor directory.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    pub header: Header,
    pub n_pieces: usize,
    /// `<s>`, `</s>`, `<pad>`, `<unk>` ids.
    pub special_ids: [i32; 4],
    pub tensors: Vec<RawTensor<'a>>,
}

fn corrupt(what: impl Into<String>) -> ModelError {
    ModelError::Corrupt(what.into())
}

/// Bounds-checked little-endian reader.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| corrupt(format!("E5S1: file ends inside {what}")))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ModelError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u16(&mut self, what: &str) -> Result<u16, ModelError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn i32(&mut self, what: &str) -> Result<i32, ModelError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn f32(&mut self, what: &str) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// A count or dimension: must be positive and not absurd.
    fn dim(&mut self, what: &str) -> Result<usize, ModelError> {
        let v = self.i32(what)?;
        if v <= 0 {
            return Err(corrupt(format!("E5S1: {what} is {v}")));
        }
        Ok(v as usize)
    }
}

/// Parses the container header and tensor directory. Tensor data is borrowed, not copied.
pub fn parse(bytes: &[u8]) -> Result<Container<'_>, ModelError> {
    let mut c = Cursor { bytes, pos: 0 };
    if c.take(4, "magic")? != b"E5S1" {
        return Err(corrupt("E5S1: bad magic"));
    }
    let version = c.u32("version")?;
    if version != 1 {
        return Err(corrupt(format!("E5S1: unsupported version {version}")));
    }
    let header = Header {
        hidden: c.dim("hidden size")?,
        layers: c.dim("layer count")?,
        heads: c.dim("head count")?,
        ffn: c.dim("ffn size")?,
        vocab: c.dim("vocabulary size")?,
        max_positions: c.dim("max positions")?,
        type_vocab: c.dim("type vocabulary size")?,
        layer_norm_eps: c.f32("layer norm eps")?,
    };
    let qk = c.i32("block size")?;
    if qk != Q4_0_BLOCK_ELEMS as i32 {
        return Err(corrupt(format!("E5S1: block size {qk}, expected 32")));
    }
    if header.hidden % header.heads != 0 {
        return Err(corrupt("E5S1: hidden size not divisible by head count"));
    }

    // Tokenizer block: skipped (tokenizer.json carries the same vocabulary), but bounds-checked.
    let n_pieces = c.dim("piece count")?;
    let special_ids = [c.i32("bos id")?, c.i32("eos id")?, c.i32("pad id")?, c.i32("unk id")?];
    let blob_len = usize::try_from(c.u64("blob length")?).map_err(|_| corrupt("E5S1: blob length overflows"))?;
    let table_bytes = n_pieces
        .checked_add(1)
        .and_then(|n| n.checked_mul(4))
        .and_then(|n| n.checked_add(n_pieces.checked_mul(4)?))
        .and_then(|n| n.checked_add(blob_len))
        .ok_or_else(|| corrupt("E5S1: tokenizer block size overflows"))?;
    c.take(table_bytes, "tokenizer block")?;

    // Normalisation map: not needed either.
    let _n_norm = c.i32("normalisation entry count")?;
    let norm_bytes = c.u32("normalisation map size")? as usize;
    c.take(norm_bytes, "normalisation map")?;

    let ndir = c.dim("tensor count")?;
    let mut tensors = Vec::with_capacity(ndir.min(4096));
    for _ in 0..ndir {
        let name_len = c.u16("tensor name length")? as usize;
        let name = std::str::from_utf8(c.take(name_len, "tensor name")?)
            .map_err(|_| corrupt("E5S1: tensor name is not UTF-8"))?
            .to_string();
        let dtype = match c.array::<1>("tensor dtype")?[0] {
            0 => TensorDtype::F32,
            1 => TensorDtype::Q4_0,
            other => return Err(corrupt(format!("E5S1: tensor {name}: unknown dtype {other}"))),
        };
        let n_elems = c.u32("element count")? as usize;
        let offset = c.u64("tensor offset")?;
        let nbytes = c.u64("tensor size")?;
        let expected = match dtype {
            TensorDtype::F32 => n_elems as u64 * 4,
            TensorDtype::Q4_0 => {
                if n_elems % Q4_0_BLOCK_ELEMS != 0 {
                    return Err(corrupt(format!(
                        "E5S1: tensor {name}: {n_elems} elements is not a whole number of blocks"
                    )));
                }
                (n_elems / Q4_0_BLOCK_ELEMS * Q4_0_BLOCK_BYTES) as u64
            }
        };
        if nbytes != expected {
            return Err(corrupt(format!("E5S1: tensor {name}: {nbytes} bytes for {n_elems} elements")));
        }
        let data = offset
            .checked_add(nbytes)
            .filter(|&end| end <= bytes.len() as u64)
            .map(|end| &bytes[offset as usize..end as usize])
            .ok_or_else(|| corrupt(format!("E5S1: tensor {name} lies beyond the end of the file")))?;
        tensors.push(RawTensor { name, dtype, n_elems, data });
    }
    Ok(Container { header, n_pieces, special_ids, tensors })
}

/// Dequantises Q4_0 blocks: each block is an f16 scale `d` then 16 bytes; the low nibble of byte
/// `j` is element `j`, the high nibble element `j + 16`, and the value is `(q - 8) * d`.
pub fn dequantize_q4_0(data: &[u8], out: &mut Vec<f32>) -> Result<(), ModelError> {
    if data.len() % Q4_0_BLOCK_BYTES != 0 {
        return Err(corrupt(format!("Q4_0 data of {} bytes is not a whole number of blocks", data.len())));
    }
    out.reserve(data.len() / Q4_0_BLOCK_BYTES * Q4_0_BLOCK_ELEMS);
    for block in data.chunks_exact(Q4_0_BLOCK_BYTES) {
        let d = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
        let qs = &block[2..];
        let mut vals = [0f32; Q4_0_BLOCK_ELEMS];
        for (j, &q) in qs.iter().enumerate() {
            vals[j] = ((q & 0x0f) as i32 - 8) as f32 * d;
            vals[j + 16] = ((q >> 4) as i32 - 8) as f32 * d;
        }
        out.extend_from_slice(&vals);
    }
    Ok(())
}

/// Decodes one tensor to f32, whatever its storage type.
pub fn to_f32(t: &RawTensor<'_>) -> Result<Vec<f32>, ModelError> {
    let mut out = Vec::with_capacity(t.n_elems);
    match t.dtype {
        TensorDtype::F32 => out.extend(t.data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        TensorDtype::Q4_0 => dequantize_q4_0(t.data, &mut out)?,
    }
    if out.len() != t.n_elems {
        return Err(corrupt(format!("E5S1: tensor {} decoded to the wrong size", t.name)));
    }
    Ok(out)
}

/// Maps a container tensor name to its Hugging Face BERT name and shape (rows are `[out, in]`).
/// `None` for a name this converter does not know.
pub fn hf_name_and_shape(name: &str, h: &Header) -> Option<(String, Vec<usize>)> {
    let (hid, ffn) = (h.hidden, h.ffn);
    let emb = |n: &str| format!("embeddings.{n}");
    let simple = match name {
        "emb.word" => Some((emb("word_embeddings.weight"), vec![h.vocab, hid])),
        "emb.pos" => Some((emb("position_embeddings.weight"), vec![h.max_positions, hid])),
        "emb.type" => Some((emb("token_type_embeddings.weight"), vec![h.type_vocab, hid])),
        "emb.ln.w" => Some((emb("LayerNorm.weight"), vec![hid])),
        "emb.ln.b" => Some((emb("LayerNorm.bias"), vec![hid])),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    let rest = name.strip_prefix('l')?;
    let (layer, rest) = rest.split_once('.')?;
    let layer: usize = layer.parse().ok()?;
    if layer >= h.layers {
        return None;
    }
    let (module, wb) = rest.rsplit_once('.')?;
    let (module, out_dim, in_dim) = match module {
        "q" => ("attention.self.query", hid, hid),
        "k" => ("attention.self.key", hid, hid),
        "v" => ("attention.self.value", hid, hid),
        "ao" => ("attention.output.dense", hid, hid),
        "aln" => ("attention.output.LayerNorm", hid, 0),
        "fi" => ("intermediate.dense", ffn, hid),
        "fo" => ("output.dense", hid, ffn),
        "oln" => ("output.LayerNorm", hid, 0),
        _ => return None,
    };
    let (suffix, shape) = match (wb, in_dim) {
        ("w", 0) => ("weight", vec![out_dim]),
        ("w", _) => ("weight", vec![out_dim, in_dim]),
        ("b", _) => ("bias", vec![out_dim]),
        _ => return None,
    };
    Some((format!("encoder.layer.{layer}.{module}.{suffix}"), shape))
}

/// The `config.json` (Hugging Face BERT field names) matching the container header.
pub fn hf_config(h: &Header) -> serde_json::Value {
    serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": h.layer_norm_eps,
        // Positions count from 0 (BERT style, not XLM-R's offset); the pad id used for padding is
        // the tokenizer's `<pad>` = 1, applied by the encoder together with the attention mask.
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "jaga_source": "multilingual-e5-small E5S1 Q4_0: word table kept in Q4_0, the rest dequantised to f32",
    })
}

/// Writes every tensor under its Hugging Face name: the word-embedding table as its raw Q4_0
/// blocks (u8 `[vocab, hidden / 32 * 18]`, name [`super::packed_bert::Q4_WORD_TABLE`] under
/// `embeddings.`), everything else dequantised to f32. Fails with [`ModelError::Corrupt`] on an
/// unknown name, a size that does not match the header, or a missing tensor.
pub fn write_safetensors(container: &Container<'_>, path: &Path) -> Result<(), ModelError> {
    let h = &container.header;
    let mut named: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::with_capacity(container.tensors.len());
    for t in &container.tensors {
        let (hf, shape) =
            hf_name_and_shape(&t.name, h).ok_or_else(|| corrupt(format!("E5S1: unknown tensor {}", t.name)))?;
        if shape.iter().product::<usize>() != t.n_elems {
            return Err(corrupt(format!(
                "E5S1: tensor {} has {} elements, expected shape {shape:?}",
                t.name, t.n_elems
            )));
        }
        if t.name == "emb.word" && t.dtype == TensorDtype::Q4_0 && h.hidden % Q4_0_BLOCK_ELEMS == 0 {
            let row_bytes = h.hidden / Q4_0_BLOCK_ELEMS * Q4_0_BLOCK_BYTES;
            if t.data.len() != h.vocab * row_bytes {
                return Err(corrupt(format!("E5S1: word table of {} bytes for {} rows", t.data.len(), h.vocab)));
            }
            let name = format!("embeddings.{}", super::packed_bert::Q4_WORD_TABLE);
            named.push((name, Dtype::U8, vec![h.vocab, row_bytes], t.data.to_vec()));
            continue;
        }
        let values = to_f32(t)?;
        let mut bytes = Vec::with_capacity(values.len() * 4);
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        named.push((hf, Dtype::F32, shape, bytes));
    }
    let expected = 5 + 16 * h.layers;
    if named.len() != expected {
        return Err(corrupt(format!("E5S1: {} tensors, expected {expected}", named.len())));
    }
    let views = named
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| corrupt(format!("safetensors view for {name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize_to_file(views, None, path)
        .map_err(|e| ModelError::Io { path: path.display().to_string(), source: std::io::Error::other(e.to_string()) })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Packs 32 values (already integers -8..=7 times `d`) into one Q4_0 block.
    fn q4_block(d: f32, q: &[u8; 32]) -> Vec<u8> {
        let mut out = half::f16::from_f32(d).to_le_bytes().to_vec();
        for j in 0..16 {
            out.push((q[j] & 0x0f) | (q[j + 16] << 4));
        }
        out
    }

    /// Builds a container with a tiny model: hidden 32, 1 layer, 2 heads, ffn 32, vocab 4,
    /// 4 positions, 2 token types. `emb.word` is Q4_0 (4 blocks, one per row); everything else f32
    /// with value `index as f32 * 0.5`.
    pub(crate) fn tiny_container() -> Vec<u8> {
        let (hid, ffn, vocab, maxp, tvs) = (32usize, 32usize, 4usize, 4usize, 2usize);
        let mut b = Vec::new();
        b.extend_from_slice(b"E5S1");
        b.extend_from_slice(&1u32.to_le_bytes());
        for v in [hid, 1, 2, ffn, vocab, maxp, tvs] {
            b.extend_from_slice(&(v as i32).to_le_bytes());
        }
        b.extend_from_slice(&1e-12f32.to_le_bytes());
        b.extend_from_slice(&32i32.to_le_bytes());
        // tokenizer: 2 pieces "a", "bc"
        for v in [2i32, 0, 2, 1, 3] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&3u64.to_le_bytes());
        for off in [0u32, 1, 3] {
            b.extend_from_slice(&off.to_le_bytes());
        }
        for s in [-1.0f32, -2.0] {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b.extend_from_slice(b"abc");
        // normmap: one entry, 6 bytes (u32 cp, u8 nout=0 ... padded: we just need nbytes)
        b.extend_from_slice(&1i32.to_le_bytes());
        b.extend_from_slice(&5u32.to_le_bytes());
        b.extend_from_slice(&[0x41, 0, 0, 0, 0]);

        let mut tensors: Vec<(String, u8, usize, Vec<u8>)> = Vec::new();
        let mut word = Vec::new();
        for row in 0..vocab {
            let mut q = [0u8; 32];
            for (j, v) in q.iter_mut().enumerate() {
                *v = ((j + row) % 16) as u8;
            }
            word.extend(q4_block(0.5 * (row as f32 + 1.0), &q));
        }
        tensors.push(("emb.word".into(), 1, vocab * hid, word));
        let f32_tensor = |n: usize| -> Vec<u8> { (0..n).flat_map(|i| (i as f32 * 0.5).to_le_bytes()).collect() };
        tensors.push(("emb.pos".into(), 0, maxp * hid, f32_tensor(maxp * hid)));
        tensors.push(("emb.type".into(), 0, tvs * hid, f32_tensor(tvs * hid)));
        tensors.push(("emb.ln.w".into(), 0, hid, f32_tensor(hid)));
        tensors.push(("emb.ln.b".into(), 0, hid, f32_tensor(hid)));
        for m in ["q", "k", "v", "ao", "fi", "fo"] {
            tensors.push((format!("l0.{m}.w"), 0, hid * ffn, f32_tensor(hid * ffn)));
            tensors.push((format!("l0.{m}.b"), 0, hid, f32_tensor(hid)));
        }
        for m in ["aln", "oln"] {
            tensors.push((format!("l0.{m}.w"), 0, hid, f32_tensor(hid)));
            tensors.push((format!("l0.{m}.b"), 0, hid, f32_tensor(hid)));
        }
        // Directory first, then data; offsets are absolute.
        let dir_len: usize = 4 + tensors.iter().map(|t| 2 + t.0.len() + 1 + 4 + 8 + 8).sum::<usize>();
        let mut offset = b.len() + dir_len;
        b.extend_from_slice(&(tensors.len() as i32).to_le_bytes());
        for (name, dtype, n, data) in &tensors {
            b.extend_from_slice(&(name.len() as u16).to_le_bytes());
            b.extend_from_slice(name.as_bytes());
            b.push(*dtype);
            b.extend_from_slice(&(*n as u32).to_le_bytes());
            b.extend_from_slice(&(offset as u64).to_le_bytes());
            b.extend_from_slice(&(data.len() as u64).to_le_bytes());
            offset += data.len();
        }
        for (_, _, _, data) in &tensors {
            b.extend_from_slice(data);
        }
        b
    }

    #[test]
    fn q4_0_dequantises_like_hand_computation() {
        // d = 0.25; byte j = low nibble j (element j), high nibble 15 - j (element j + 16).
        let mut block = half::f16::from_f32(0.25).to_le_bytes().to_vec();
        for j in 0..16u8 {
            block.push(j | ((15 - j) << 4));
        }
        let mut out = Vec::new();
        dequantize_q4_0(&block, &mut out).unwrap();
        assert_eq!(out.len(), 32);
        assert_eq!(out[0], -2.0); // (0 - 8) * 0.25
        assert_eq!(out[8], 0.0); // (8 - 8) * 0.25
        assert_eq!(out[15], 1.75); // (15 - 8) * 0.25
        assert_eq!(out[16], 1.75); // high nibble of byte 0 is 15
        assert_eq!(out[31], -2.0); // high nibble of byte 15 is 0
    }

    #[test]
    fn q4_0_rejects_partial_block() {
        let mut out = Vec::new();
        assert!(matches!(dequantize_q4_0(&[0u8; 17], &mut out), Err(ModelError::Corrupt(_))));
    }

    #[test]
    fn parses_tiny_container() {
        let bytes = tiny_container();
        let c = parse(&bytes).unwrap();
        assert_eq!(c.header.hidden, 32);
        assert_eq!(c.header.layers, 1);
        assert_eq!(c.header.vocab, 4);
        assert_eq!(c.n_pieces, 2);
        assert_eq!(c.special_ids, [0, 2, 1, 3]);
        assert_eq!(c.tensors.len(), 21);
        let word = &c.tensors[0];
        assert_eq!(word.dtype, TensorDtype::Q4_0);
        let w = to_f32(word).unwrap();
        // Row 1: d = 1.0, element j has q = (j + 1) % 16.
        assert_eq!(w[32], (1.0 - 8.0) * 1.0);
        assert_eq!(w[32 + 7], (8.0 - 8.0) * 1.0);
        assert_eq!(w[32 + 31], ((32 % 16) as f32 - 8.0) * 1.0);
        // Row 3: d = 2.0, element 20 has q = 23 % 16 = 7.
        assert_eq!(w[3 * 32 + 20], -2.0);
        let pos = c.tensors.iter().find(|t| t.name == "emb.pos").unwrap();
        assert_eq!(to_f32(pos).unwrap()[5], 2.5);
    }

    #[test]
    fn maps_names_to_hf_bert() {
        let h = parse(&tiny_container()).unwrap().header;
        assert_eq!(
            hf_name_and_shape("l0.fi.w", &h),
            Some(("encoder.layer.0.intermediate.dense.weight".into(), vec![32, 32]))
        );
        assert_eq!(
            hf_name_and_shape("l0.aln.b", &h),
            Some(("encoder.layer.0.attention.output.LayerNorm.bias".into(), vec![32]))
        );
        assert_eq!(hf_name_and_shape("l1.q.w", &h), None, "layer beyond header");
        assert_eq!(hf_name_and_shape("emb.nope", &h), None);
    }

    #[test]
    fn truncated_or_garbage_input_is_corrupt_not_panic() {
        let bytes = tiny_container();
        for cut in [0, 3, 10, 50, 100, 200, bytes.len() / 2, bytes.len() - 1] {
            match parse(&bytes[..cut]) {
                Err(ModelError::Corrupt(_)) => {}
                other => panic!("cut at {cut}: expected Corrupt, got {other:?}"),
            }
        }
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(matches!(parse(&bad), Err(ModelError::Corrupt(_))));
        let mut bad_version = bytes;
        bad_version[4] = 2;
        assert!(matches!(parse(&bad_version), Err(ModelError::Corrupt(_))));
    }

    #[test]
    fn writes_loadable_safetensors() {
        let bytes = tiny_container();
        let c = parse(&bytes).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.safetensors");
        write_safetensors(&c, &path).unwrap();
        let data = std::fs::read(&path).unwrap();
        let st = safetensors::SafeTensors::deserialize(&data).unwrap();
        // The word table stays in Q4_0: one 18-byte block per 32-wide row here.
        let word = st.tensor("embeddings.word_embeddings.q4_0").unwrap();
        assert_eq!((word.dtype(), word.shape()), (Dtype::U8, &[4usize, 18][..]));
        let mut v = Vec::new();
        dequantize_q4_0(word.data(), &mut v).unwrap();
        assert_eq!(v[32], -7.0);
        let pos = st.tensor("embeddings.position_embeddings.weight").unwrap();
        assert_eq!(pos.dtype(), Dtype::F32);
        assert_eq!(st.names().len(), 21);
    }
}
