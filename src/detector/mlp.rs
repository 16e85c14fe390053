//! A one-hidden-layer perceptron run in plain Rust at inference time.
//!
//! The heads are tiny (a few thousand weights), so scoring them by hand is faster than building
//! candle tensors per message and keeps the live path free of any training machinery. Training
//! (in [`super::train`]) uses candle and writes the same tensors this reads.

use super::DetectorError;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::BTreeMap;

/// `out = W2 · relu(W1 · ((x - mean) * inv_std) + b1) + b2`, logits only.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub input: usize,
    pub hidden: usize,
    pub output: usize,
    /// Input standardisation, learnt from the training rows.
    pub mean: Vec<f32>,
    pub inv_std: Vec<f32>,
    /// Row-major `[hidden, input]`.
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    /// Row-major `[output, hidden]`.
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
}

impl Mlp {
    /// Logits for one input row.
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        debug_assert_eq!(x.len(), self.input);
        let xs = self.standardise(x);
        let h: Vec<f32> = (0..self.hidden)
            .map(|j| {
                let row = &self.w1[j * self.input..(j + 1) * self.input];
                let z = row.iter().zip(&xs).map(|(w, v)| w * v).sum::<f32>() + self.b1[j];
                z.max(0.0)
            })
            .collect();
        self.outputs(&h)
    }

    /// The first `x.len()` columns standardised.
    fn standardise(&self, x: &[f32]) -> Vec<f32> {
        x.iter().zip(&self.mean).zip(&self.inv_std).map(|((v, m), s)| (v - m) * s).collect()
    }

    /// The output layer's logits from the hidden activations.
    fn outputs(&self, h: &[f32]) -> Vec<f32> {
        (0..self.output)
            .map(|k| {
                let row = &self.w2[k * self.hidden..(k + 1) * self.hidden];
                row.iter().zip(h).map(|(w, v)| w * v).sum::<f32>() + self.b2[k]
            })
            .collect()
    }

    /// Logits for a row given as its first `dense.len()` columns and the `(column, value)` pairs
    /// of the rest, counted from the end of the dense part (the stage head's lexical channel): the
    /// same as [`Mlp::forward`] on the assembled row, for heads whose columns after the dense part
    /// are not standardised ([`Mlp::unstandardised_after`]), without touching the absent ones.
    pub fn forward_sparse(&self, dense: &[f32], sparse: &[(u32, f32)]) -> Vec<f32> {
        let d = dense.len();
        debug_assert!(sparse.iter().all(|(c, _)| d + (*c as usize) < self.input));
        let xs = self.standardise(dense);
        let h: Vec<f32> = (0..self.hidden)
            .map(|j| {
                let row = &self.w1[j * self.input..(j + 1) * self.input];
                let z = row[..d].iter().zip(&xs).map(|(w, v)| w * v).sum::<f32>()
                    + sparse.iter().map(|&(c, v)| row[d + c as usize] * v).sum::<f32>()
                    + self.b1[j];
                z.max(0.0)
            })
            .collect();
        self.outputs(&h)
    }

    /// Whether every column from `d` on enters as it is (mean 0, scale 1), as
    /// [`Mlp::forward_sparse`] needs.
    pub fn unstandardised_after(&self, d: usize) -> bool {
        d <= self.input && self.mean[d..].iter().all(|m| *m == 0.0) && self.inv_std[d..].iter().all(|s| *s == 1.0)
    }

    /// Serialises to safetensors bytes (deterministic: tensors in name order).
    pub fn to_safetensors(&self) -> Result<Vec<u8>, DetectorError> {
        let bytes = |v: &[f32]| v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>();
        let data: BTreeMap<&str, (Vec<u8>, Vec<usize>)> = BTreeMap::from([
            ("norm.mean", (bytes(&self.mean), vec![self.input])),
            ("norm.inv_std", (bytes(&self.inv_std), vec![self.input])),
            ("l1.weight", (bytes(&self.w1), vec![self.hidden, self.input])),
            ("l1.bias", (bytes(&self.b1), vec![self.hidden])),
            ("l2.weight", (bytes(&self.w2), vec![self.output, self.hidden])),
            ("l2.bias", (bytes(&self.b2), vec![self.output])),
        ]);
        let views = data
            .iter()
            .map(|(name, (b, shape))| {
                TensorView::new(Dtype::F32, shape.clone(), b)
                    .map(|v| (name.to_string(), v))
                    .map_err(|e| DetectorError::Corrupt(format!("building tensor {name}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        safetensors::tensor::serialize(views, None)
            .map_err(|e| DetectorError::Corrupt(format!("serialising head: {e}")))
    }

    /// Reads a head written by [`Mlp::to_safetensors`], checking every shape.
    pub fn from_safetensors(bytes: &[u8], what: &str) -> Result<Mlp, DetectorError> {
        let st = SafeTensors::deserialize(bytes).map_err(|e| DetectorError::Corrupt(format!("{what}: {e}")))?;
        let get = |name: &str| -> Result<(Vec<usize>, Vec<f32>), DetectorError> {
            let t = st.tensor(name).map_err(|e| DetectorError::Corrupt(format!("{what}: tensor {name}: {e}")))?;
            if t.dtype() != Dtype::F32 {
                return Err(DetectorError::Corrupt(format!("{what}: tensor {name} is not f32")));
            }
            let v = t.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            Ok((t.shape().to_vec(), v))
        };
        let (s1, w1) = get("l1.weight")?;
        let (s2, w2) = get("l2.weight")?;
        if s1.len() != 2 || s2.len() != 2 || s2[1] != s1[0] {
            return Err(DetectorError::Corrupt(format!("{what}: inconsistent layer shapes")));
        }
        let (hidden, input, output) = (s1[0], s1[1], s2[0]);
        let (_, b1) = get("l1.bias")?;
        let (_, b2) = get("l2.bias")?;
        let (_, mean) = get("norm.mean")?;
        let (_, inv_std) = get("norm.inv_std")?;
        if b1.len() != hidden || b2.len() != output || mean.len() != input || inv_std.len() != input {
            return Err(DetectorError::Corrupt(format!("{what}: bias or normalisation has the wrong length")));
        }
        Ok(Mlp { input, hidden, output, mean, inv_std, w1, b1, w2, b2 })
    }
}

/// A head read as a dense part and a sparse tail (the stage head and its lexical channel), laid
/// out for the live path: [`Mlp::forward_sparse`] reads a present tail column down all hidden
/// rows of the row-major matrix, one cache line per hidden unit, which cost about 100 µs a
/// message on the shipped stage head; here each tail column's weights are one contiguous run and
/// the dense part's rows are contiguous too. The arithmetic is the same, in the same order, so the
/// logits are those of [`Mlp::forward_sparse`] bit for bit (test), and what training measured
/// through that function is what the live path computes.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitHead {
    /// The first columns, as an ordinary head.
    dense: Mlp,
    /// Tail column `c`'s first-layer weights are `tail[c * hidden..(c + 1) * hidden]`.
    tail: Vec<f32>,
}

impl SplitHead {
    /// Splits `head` after its first `dense` columns; `None` when it has fewer, or when a tail
    /// column is standardised (see [`Mlp::unstandardised_after`]).
    pub fn new(head: &Mlp, dense: usize) -> Option<SplitHead> {
        if !head.unstandardised_after(dense) {
            return None;
        }
        let (h, n) = (head.hidden, head.input - dense);
        let mut w1 = Vec::with_capacity(h * dense);
        let mut tail = vec![0.0f32; n * h];
        for j in 0..h {
            let row = &head.w1[j * head.input..(j + 1) * head.input];
            w1.extend_from_slice(&row[..dense]);
            for (c, w) in row[dense..].iter().enumerate() {
                tail[c * h + j] = *w;
            }
        }
        let dense_head = Mlp {
            input: dense,
            hidden: h,
            output: head.output,
            mean: head.mean[..dense].to_vec(),
            inv_std: head.inv_std[..dense].to_vec(),
            w1,
            b1: head.b1.clone(),
            w2: head.w2.clone(),
            b2: head.b2.clone(),
        };
        Some(SplitHead { dense: dense_head, tail })
    }

    /// Logits for a row given as its dense part and the `(column, value)` pairs of its tail.
    pub fn forward(&self, dense: &[f32], sparse: &[(u32, f32)]) -> Vec<f32> {
        let m = &self.dense;
        debug_assert_eq!(dense.len(), m.input);
        let h = m.hidden;
        // Per hidden unit, the tail's terms in the order of `sparse`, from the same start value
        // as `Iterator::sum` (so a sum of no terms is the same zero).
        let mut tail_sum = vec![-0.0f32; h];
        for &(c, v) in sparse {
            let col = &self.tail[c as usize * h..(c as usize + 1) * h];
            for (acc, w) in tail_sum.iter_mut().zip(col) {
                *acc += w * v;
            }
        }
        let xs = m.standardise(dense);
        let hid: Vec<f32> = (0..h)
            .map(|j| {
                let row = &m.w1[j * m.input..(j + 1) * m.input];
                let z = row.iter().zip(&xs).map(|(w, v)| w * v).sum::<f32>() + tail_sum[j] + m.b1[j];
                z.max(0.0)
            })
            .collect();
        m.outputs(&hid)
    }

    /// Columns of the dense part.
    pub fn dense_input(&self) -> usize {
        self.dense.input
    }
}

/// Numerically safe logistic function.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Mlp {
        Mlp {
            input: 2,
            hidden: 2,
            output: 1,
            mean: vec![1.0, 0.0],
            inv_std: vec![1.0, 2.0],
            w1: vec![1.0, 0.0, 0.0, -1.0],
            b1: vec![0.0, 0.5],
            w2: vec![2.0, 3.0],
            b2: vec![-1.0],
        }
    }

    #[test]
    fn forward_standardises_then_applies_relu() {
        // x = (3, 1): standardised (2, 2); h = (relu(2), relu(-2 + 0.5)) = (2, 0); out = 4 - 1.
        assert_eq!(tiny().forward(&[3.0, 1.0]), vec![3.0]);
    }

    #[test]
    fn sparse_columns_give_what_the_assembled_row_gives() {
        let mut m = tiny();
        // Two more columns after the dense two, unstandardised.
        m.input = 4;
        m.mean.extend([0.0, 0.0]);
        m.inv_std.extend([1.0, 1.0]);
        m.w1 = vec![1.0, 0.0, 0.5, -2.0, 0.0, -1.0, 3.0, 0.25];
        assert!(m.unstandardised_after(2));
        assert!(!m.unstandardised_after(1), "column 1 is standardised");
        let full = m.forward(&[3.0, 1.0, 0.0, 0.4]);
        assert_eq!(m.forward_sparse(&[3.0, 1.0], &[(1, 0.4)]), full);
        assert_ne!(m.forward_sparse(&[3.0, 1.0], &[]), full, "the sparse column must count");
    }

    #[test]
    fn the_split_head_gives_forward_sparse_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (dense, tail, hidden, output) = (7, 40, 9, 3);
        let input = dense + tail;
        let mut r = |n: usize| (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect::<Vec<f32>>();
        let mut mean = r(dense);
        mean.resize(input, 0.0);
        let mut inv_std: Vec<f32> = r(dense).iter().map(|v| v.abs() + 0.5).collect();
        inv_std.resize(input, 1.0);
        let m = Mlp {
            input,
            hidden,
            output,
            mean,
            inv_std,
            w1: r(hidden * input),
            b1: r(hidden),
            w2: r(output * hidden),
            b2: r(output),
        };
        let split = SplitHead::new(&m, dense).unwrap();
        assert_eq!(split.dense_input(), dense);
        for case in 0..20 {
            let x = r(dense);
            let vals = r(case % 6);
            let sparse: Vec<(u32, f32)> =
                vals.iter().enumerate().map(|(i, v)| ((i * 7 + case) as u32 % 40, *v)).collect();
            assert_eq!(split.forward(&x, &sparse), m.forward_sparse(&x, &sparse), "case {case}");
        }
        // A standardised tail column cannot be read sparsely.
        let mut bad = m.clone();
        bad.inv_std[dense + 3] = 2.0;
        assert!(SplitHead::new(&bad, dense).is_none());
    }

    #[test]
    fn safetensors_round_trip_and_shape_checks() {
        let m = tiny();
        let bytes = m.to_safetensors().unwrap();
        assert_eq!(Mlp::from_safetensors(&bytes, "t").unwrap(), m);
        assert_eq!(m.to_safetensors().unwrap(), bytes, "serialisation must be deterministic");
        assert!(Mlp::from_safetensors(b"garbage", "t").is_err());
    }

    #[test]
    fn sigmoid_is_stable_at_extremes() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7);
    }
}
