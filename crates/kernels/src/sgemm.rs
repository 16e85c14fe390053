//! Portable f32 matrix products for the linear layers, for CPUs without AVX-512 VNNI.
//!
//! Same contract as [`crate::qgemm::gemm`] (`y = x · Wᵀ + b`, optional GELU) on unquantised
//! weights, packed `[panel][k][16]` so the inner loop is sixteen independent multiply-adds the
//! compiler vectorises for whatever the target offers (SSE2, NEON; AVX2 is picked at run time on
//! x86-64). Products are summed in input order with separate multiply and add (Rust never fuses
//! them), so every instruction set computes bit-identical results and a row's result does not
//! depend on the rows around it.

/// Output channels per packed panel.
pub const NRF: usize = 16;
const MRF: usize = 4;

/// A linear layer's weights in f32, packed for [`gemm`].
#[derive(Debug, Clone)]
pub struct F32Weights {
    pub n: usize,
    pub k: usize,
    panels: usize,
    /// `[panels][k][NRF]`.
    packed: Vec<f32>,
    bias: Vec<f32>,
}

impl F32Weights {
    /// Packs row-major `[n, k]` weights (one row per output channel) and their bias.
    pub fn pack(w: &[f32], bias: &[f32], n: usize, k: usize) -> F32Weights {
        assert_eq!(w.len(), n * k, "weights are not {n}x{k}");
        assert_eq!(bias.len(), n, "bias is not {n} long");
        let panels = n.div_ceil(NRF);
        let mut packed = vec![0f32; panels * k * NRF];
        for c in 0..n {
            let (p, j) = (c / NRF, c % NRF);
            for kk in 0..k {
                packed[(p * k + kk) * NRF + j] = w[c * k + kk];
            }
        }
        let mut b = bias.to_vec();
        b.resize(panels * NRF, 0.0);
        F32Weights { n, k, panels, packed, bias: b }
    }

    pub fn bytes(&self) -> usize {
        4 * (self.packed.len() + self.bias.len())
    }
}

/// `out[r][c] = epilogue(Σ_j x[r][j] · w[c][j] + bias[c])` for `rows` rows of `x` (row-major,
/// row stride `w.k`), written with row stride `ldc`.
pub fn gemm(x: &[f32], rows: usize, w: &F32Weights, gelu: bool, out: &mut [f32], ldc: usize) {
    assert!(x.len() >= rows * w.k && ldc >= w.n);
    if rows == 0 {
        return;
    }
    assert!(out.len() >= (rows - 1) * ldc + w.n, "output too small");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was detected.
        unsafe { gemm_avx2(x, rows, w, gelu, out, ldc) };
        return;
    }
    gemm_body(x, rows, w, gelu, out, ldc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn gemm_avx2(x: &[f32], rows: usize, w: &F32Weights, gelu: bool, out: &mut [f32], ldc: usize) {
    gemm_body(x, rows, w, gelu, out, ldc);
}

#[inline(always)]
fn gemm_body(x: &[f32], rows: usize, w: &F32Weights, gelu: bool, out: &mut [f32], ldc: usize) {
    let k = w.k;
    for p in 0..w.panels {
        let panel = &w.packed[p * k * NRF..(p + 1) * k * NRF];
        let c0 = p * NRF;
        let ncols = (w.n - c0).min(NRF);
        let bias = &w.bias[c0..c0 + NRF];
        let mut r = 0;
        while r < rows {
            let mr = (rows - r).min(MRF);
            let mut acc = [[0f32; NRF]; MRF];
            for kk in 0..k {
                let wrow: &[f32; NRF] = panel[kk * NRF..(kk + 1) * NRF].try_into().expect("panel row");
                for (m, a) in acc.iter_mut().enumerate().take(mr) {
                    let xv = x[(r + m) * k + kk];
                    for j in 0..NRF {
                        a[j] += xv * wrow[j];
                    }
                }
            }
            for (m, a) in acc.iter().enumerate().take(mr) {
                let o = &mut out[(r + m) * ldc + c0..(r + m) * ldc + c0 + ncols];
                for j in 0..ncols {
                    let y = a[j] + bias[j];
                    o[j] = if gelu { crate::act::gelu(y) } else { y };
                }
            }
            r += mr;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_product_and_rows_are_independent() {
        let (m, n, k) = (9, 37, 21);
        let x: Vec<f32> = (0..m * k).map(|i| ((i * 31) % 17) as f32 * 0.1 - 0.8).collect();
        let w: Vec<f32> = (0..n * k).map(|i| ((i * 13) % 11) as f32 * 0.05 - 0.25).collect();
        let b: Vec<f32> = (0..n).map(|i| i as f32 * 0.01).collect();
        let fw = F32Weights::pack(&w, &b, n, k);
        let mut out = vec![0f32; m * n];
        gemm(&x, m, &fw, false, &mut out, n);
        for r in 0..m {
            for c in 0..n {
                let mut want = 0f32;
                for j in 0..k {
                    want += x[r * k + j] * w[c * k + j];
                }
                want += b[c];
                assert_eq!(out[r * n + c], want, "{r},{c}");
            }
        }
        // One row alone gives the same bits.
        let mut one = vec![0f32; n];
        gemm(&x[5 * k..6 * k], 1, &fw, false, &mut one, n);
        assert_eq!(&one[..], &out[5 * n..6 * n]);
        let mut g = vec![0f32; m * n];
        gemm(&x, m, &fw, true, &mut g, n);
        assert_eq!(g[7], crate::act::gelu(out[7]));
    }
}
