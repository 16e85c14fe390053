//! bf16 matrix products (AVX-512 BF16 `vdpbf16ps`), the accuracy-safe alternative to [`crate::qgemm`].
//!
//! Same layout idea as the int8 kernel: weights rounded to bf16 once and packed in panels of 48
//! output channels, two consecutive inputs per 32-bit lane; activations rounded to bf16 per row;
//! an 8 × 48 block of f32 accumulators in 24 registers, each `vdpbf16ps` adding two products per
//! lane. bf16 keeps f32's range (no scales, no zero points) but only 8 bits of mantissa, and each
//! instruction does half the multiply-adds of `vpdpbusd`: on the Zen 4 machines jaga was tuned on
//! it runs at half the int8 kernel's speed, while the int8 encoder is already within 0.9996 mean
//! cosine of the f32 reference, so the encoder ships int8. This kernel stays for the comparison
//! (`JAGA_ISA=avx512-bf16`, the quality-gate test and `cargo run -p jaga-kernels --example speed`).

use crate::qgemm::{Epilogue, MC, MR, NR};

/// Whether this CPU has AVX-512 BF16.
pub fn bf16_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// f32 → bf16, rounding to nearest even (as `vcvtne2ps2bf16` does).
pub fn to_bf16(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    let round = 0x7fff + ((b >> 16) & 1);
    ((b + round) >> 16) as u16
}

/// A linear layer's weights in bf16, packed for [`gemm`].
#[derive(Debug, Clone)]
pub struct Bf16Weights {
    pub n: usize,
    /// Inputs per channel (a multiple of 2).
    pub k: usize,
    panels: usize,
    /// `[panels][k / 2][NR][2]`.
    packed: Vec<u16>,
    bias: Vec<f32>,
}

impl Bf16Weights {
    /// Rounds and packs row-major `[n, k]` weights (one row per output channel) and their bias.
    pub fn pack(w: &[f32], bias: &[f32], n: usize, k: usize) -> Bf16Weights {
        assert!(k.is_multiple_of(2), "input size {k} is not even");
        assert_eq!(w.len(), n * k);
        assert_eq!(bias.len(), n);
        let panels = n.div_ceil(NR);
        let k2 = k / 2;
        let mut packed = vec![0u16; panels * NR * k];
        for c in 0..n {
            let (p, j) = (c / NR, c % NR);
            for g in 0..k2 {
                let dst = ((p * k2 + g) * NR + j) * 2;
                packed[dst] = to_bf16(w[c * k + 2 * g]);
                packed[dst + 1] = to_bf16(w[c * k + 2 * g + 1]);
            }
        }
        let mut b = bias.to_vec();
        b.resize(panels * NR, 0.0);
        Bf16Weights { n, k, panels, packed, bias: b }
    }

    pub fn bytes(&self) -> usize {
        2 * self.packed.len() + 4 * self.bias.len()
    }
}

/// Rows of activations rounded to bf16 (reused across calls).
#[derive(Debug, Clone, Default)]
pub struct Bf16Rows {
    pub k: usize,
    pub rows: usize,
    pub v: Vec<u16>,
}

impl Bf16Rows {
    pub fn convert(&mut self, x: &[f32], rows: usize, k: usize) {
        assert!(k.is_multiple_of(2) && x.len() >= rows * k);
        self.k = k;
        self.rows = rows;
        crate::grow(&mut self.v, rows * k);
        for (o, &v) in self.v.iter_mut().zip(&x[..rows * k]) {
            *o = to_bf16(v);
        }
    }
}

/// `out[r][c] = epilogue(Σ_j x[r][j] · w[c][j] + bias[c])` in bf16 products, f32 sums.
///
/// # Panics
/// If the shapes do not fit or the CPU lacks AVX-512 BF16.
pub fn gemm(a: &Bf16Rows, w: &Bf16Weights, epi: Epilogue, out: &mut [f32], ldc: usize) {
    assert_eq!(a.k, w.k);
    assert!(ldc >= w.n);
    if a.rows == 0 {
        return;
    }
    assert!(out.len() >= (a.rows - 1) * ldc + w.n);
    assert!(bf16_available(), "bf16 kernels need AVX-512 BF16");
    #[cfg(target_arch = "x86_64")]
    // SAFETY: features checked; shapes checked above.
    unsafe {
        avx512::gemm(a, w, epi, out, ldc)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::*;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    pub unsafe fn gemm(a: &Bf16Rows, w: &Bf16Weights, epi: Epilogue, out: &mut [f32], ldc: usize) {
        let k2 = w.k / 2;
        let gelu = (epi == Epilogue::BiasGelu).then(crate::act::GeluTable::get);
        let mut r0 = 0;
        while r0 < a.rows {
            let r1 = (r0 + MC).min(a.rows);
            for p in 0..w.panels {
                let wp = w.packed.as_ptr().add(p * k2 * NR * 2);
                let c0 = p * NR;
                let ncols = (w.n - c0).min(NR);
                let mut r = r0;
                while r < r1 {
                    let mr = (r1 - r).min(MR);
                    let blk = Blk {
                        a: a.v.as_ptr().add(r * a.k),
                        lda: a.k,
                        w: wp,
                        k2,
                        bias: w.bias.as_ptr().add(c0),
                        out: out.as_mut_ptr().add(r * ldc + c0),
                        ldc,
                        ncols,
                        gelu,
                    };
                    match mr {
                        8 => block::<8>(&blk),
                        7 => block::<7>(&blk),
                        6 => block::<6>(&blk),
                        5 => block::<5>(&blk),
                        4 => block::<4>(&blk),
                        3 => block::<3>(&blk),
                        2 => block::<2>(&blk),
                        _ => block::<1>(&blk),
                    }
                    r += mr;
                }
            }
            r0 = r1;
        }
    }

    struct Blk {
        a: *const u16,
        lda: usize,
        w: *const u16,
        k2: usize,
        bias: *const f32,
        out: *mut f32,
        ldc: usize,
        ncols: usize,
        gelu: Option<&'static crate::act::GeluTable>,
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    unsafe fn block<const M: usize>(b: &Blk) {
        let mut acc = [[_mm512_setzero_ps(); 3]; M];
        let mut wp = b.w;
        let mut ap = b.a;
        for _ in 0..b.k2 {
            let w0: __m512bh = std::mem::transmute(_mm512_loadu_si512(wp as *const __m512i));
            let w1: __m512bh = std::mem::transmute(_mm512_loadu_si512(wp.add(32) as *const __m512i));
            let w2: __m512bh = std::mem::transmute(_mm512_loadu_si512(wp.add(64) as *const __m512i));
            for (m, row) in acc.iter_mut().enumerate() {
                let x: __m512bh =
                    std::mem::transmute(_mm512_set1_epi32((ap.add(m * b.lda) as *const i32).read_unaligned()));
                row[0] = _mm512_dpbf16_ps(row[0], x, w0);
                row[1] = _mm512_dpbf16_ps(row[1], x, w1);
                row[2] = _mm512_dpbf16_ps(row[2], x, w2);
            }
            wp = wp.add(96);
            ap = ap.add(2);
        }
        for v in 0..3 {
            let base = v * 16;
            if base >= b.ncols {
                break;
            }
            let left = b.ncols - base;
            let mask: __mmask16 = if left >= 16 { 0xffff } else { (1u16 << left) - 1 };
            let bias = _mm512_loadu_ps(b.bias.add(base));
            for (m, row) in acc.iter().enumerate() {
                let mut y = _mm512_add_ps(row[v], bias);
                if let Some(t) = b.gelu {
                    y = crate::act::avx512::gelu_table(y, t);
                }
                _mm512_mask_storeu_ps(b.out.add(m * b.ldc + base), mask, y);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bf16_product_is_close_to_f32() {
        if !bf16_available() {
            eprintln!("SKIPPED: no AVX-512 BF16 on this CPU");
            return;
        }
        let (m, n, k) = (11, 100, 64);
        let x: Vec<f32> = (0..m * k).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
        let w: Vec<f32> = (0..n * k).map(|i| ((i * 104729) % 1000) as f32 / 5000.0 - 0.1).collect();
        let b: Vec<f32> = (0..n).map(|i| i as f32 * 0.01).collect();
        let bw = Bf16Weights::pack(&w, &b, n, k);
        let mut a = Bf16Rows::default();
        a.convert(&x, m, k);
        let mut out = vec![0f32; m * n];
        gemm(&a, &bw, Epilogue::Bias, &mut out, n);
        for r in 0..m {
            for c in 0..n {
                let exact: f32 = (0..k).map(|j| x[r * k + j] * w[c * k + j]).sum::<f32>() + b[c];
                assert!((out[r * n + c] - exact).abs() < 0.02, "{r},{c}: {} vs {exact}", out[r * n + c]);
            }
        }
        assert_eq!(to_bf16(1.0), 0x3f80);
        assert_eq!(to_bf16(-2.0), 0xc000);
    }
}
