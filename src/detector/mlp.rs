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
        let xs: Vec<f32> = x.iter().zip(&self.mean).zip(&self.inv_std).map(|((v, m), s)| (v - m) * s).collect();
        let h: Vec<f32> = (0..self.hidden)
            .map(|j| {
                let row = &self.w1[j * self.input..(j + 1) * self.input];
                let z = row.iter().zip(&xs).map(|(w, v)| w * v).sum::<f32>() + self.b1[j];
                z.max(0.0)
            })
            .collect();
        (0..self.output)
            .map(|k| {
                let row = &self.w2[k * self.hidden..(k + 1) * self.hidden];
                row.iter().zip(&h).map(|(w, v)| w * v).sum::<f32>() + self.b2[k]
            })
            .collect()
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
