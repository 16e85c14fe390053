//! A deterministic feature-hashing encoder that needs no files: character 3-grams and whole words
//! are hashed (FNV-1a, fixed seed-free, so identical on every machine and run) into 384 signed
//! buckets, then L2-normalised.
//!
//! It exists so pipeline tests and benchmarks run without model weights. Texts sharing spelling
//! end up close, texts sharing meaning do not: it is not for detection quality.

use super::{Encoder, EncoderInfo, ModelError, TokenBatch};

/// Embedding width, the same as the transformer encoders so heads can be swapped in tests.
pub const HASHING_DIM: usize = 384;
/// Features kept per text; long texts are truncated here just as transformer inputs are.
pub const MAX_FEATURES: usize = 512;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct HashingEncoder {
    info: EncoderInfo,
}

impl Default for HashingEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl HashingEncoder {
    pub fn new() -> Self {
        Self { info: EncoderInfo { id: "hashing-v1".into(), dim: HASHING_DIM, similarity_dim: HASHING_DIM } }
    }

    /// Feature ids of one text: `bucket << 1 | sign`. Words weigh twice (two ids) so whole-word
    /// matches count for more than shared fragments.
    fn features(text: &str) -> Vec<u32> {
        let lower = text.to_lowercase();
        let mut out = Vec::new();
        for word in lower.split_whitespace() {
            let h = fnv1a(b"w", word.as_bytes());
            out.push(feature_id(h));
            out.push(feature_id(h.rotate_left(29)));
        }
        let chars: Vec<char> =
            std::iter::once(' ').chain(lower.split_whitespace().flat_map(|w| w.chars().chain([' ']))).collect();
        let mut buf = [0u8; 12];
        for tri in chars.windows(3) {
            let mut len = 0;
            for c in tri {
                len += c.encode_utf8(&mut buf[len..]).len();
            }
            out.push(feature_id(fnv1a(b"c", &buf[..len])));
        }
        if out.is_empty() {
            // Empty text still gets a unit vector, always the same one.
            out.push(feature_id(fnv1a(b"e", b"")));
        }
        out.truncate(MAX_FEATURES);
        out
    }
}

fn fnv1a(kind: &[u8], bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in kind.iter().chain(bytes) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn feature_id(h: u64) -> u32 {
    let bucket = ((h >> 1) % HASHING_DIM as u64) as u32;
    (bucket << 1) | (h & 1) as u32
}

impl Encoder for HashingEncoder {
    fn info(&self) -> &EncoderInfo {
        &self.info
    }

    fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError> {
        let rows: Vec<Vec<u32>> = texts.iter().map(|t| Self::features(t)).collect();
        Ok(super::pad_rows(&rows, 0))
    }

    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
        super::check_batch(batch)?;
        let mut out = Vec::with_capacity(batch.batch);
        for row in 0..batch.batch {
            let span = row * batch.seq_len..(row + 1) * batch.seq_len;
            let mut v = vec![0f32; HASHING_DIM];
            for (&id, &m) in batch.ids[span.clone()].iter().zip(&batch.mask[span]) {
                if m == 0 {
                    continue;
                }
                let bucket = (id >> 1) as usize % HASHING_DIM;
                v[bucket] += if id & 1 == 1 { 1.0 } else { -1.0 };
            }
            super::l2_normalize(&mut v);
            out.push(v);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embed(texts: &[&str]) -> Vec<Vec<f32>> {
        let enc = HashingEncoder::new();
        enc.embed(&enc.tokenize(texts).unwrap()).unwrap()
    }

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn unit_norm_and_dim_even_for_empty_text() {
        for v in embed(&["halo kak", "", "   ", "a"]) {
            assert_eq!(v.len(), HASHING_DIM);
            let n: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((n - 1.0).abs() < 1e-5, "norm {n}");
        }
    }

    #[test]
    fn deterministic_and_batch_independent() {
        let a = embed(&["kamu umur berapa?", "short"]);
        let b = embed(&["kamu umur berapa?"]);
        assert_eq!(a[0], b[0]);
        // A pinned value guards against an accidental change of hash (it would change event ids).
        assert_eq!(
            HashingEncoder::features("hi"),
            vec![
                feature_id(fnv1a(b"w", b"hi")),
                feature_id(fnv1a(b"w", b"hi").rotate_left(29)),
                feature_id(fnv1a(b"c", b" hi")),
                feature_id(fnv1a(b"c", b"hi "))
            ]
        );
    }

    #[test]
    fn similar_spelling_is_closer_than_unrelated() {
        let v = embed(&["jangan bilang ke orang tua ya", "jangan bilang ke ortu ya", "the weather is sunny today"]);
        assert!(cos(&v[0], &v[1]) > cos(&v[0], &v[2]) + 0.2);
    }
}
