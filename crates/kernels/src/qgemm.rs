//! int8 matrix products for the linear layers: `y = x · Wᵀ + b`, optionally followed by GELU.
//!
//! - Weights are quantised once, symmetrically per output channel (`w ≈ scale[n] · q`, q in
//!   -127..=127), and packed in panels of [`NR`] output channels so the kernel reads them as whole
//!   vectors: for every 4 consecutive inputs, the 4 bytes of each of the panel's 48 channels.
//! - Activations arrive quantised per row by [`crate::quant::QuantRows`] (u8 with a zero point).
//! - The AVX-512 VNNI kernel keeps an 8 × 48 block of i32 accumulators in 24 registers and
//!   feeds `vpdpbusd` (4 byte products per lane per instruction) from one broadcast of 4
//!   activation bytes and three weight vectors. The zero point is removed exactly in integers
//!   (`acc − zp · Σq`), then one multiply-add applies both scales and the bias, and the optional
//!   GELU runs on the value before it is stored: the i32 accumulators never touch memory.
//!
//! Integer accumulation is exact, so a row's result does not depend on the block it was computed
//! in, nor on the other rows of the batch.

use crate::quant::QuantRows;

/// Output channels per packed weight panel (three 16-lane vectors).
pub const NR: usize = 48;
/// Rows per register block of the kernel.
pub const MR: usize = 8;
/// Rows per cache block: their activations stay in L1 while every weight panel passes by.
pub const MC: usize = 128;

/// Whether this CPU can run the int8 kernels.
pub fn vnni_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static HAVE: OnceLock<bool> = OnceLock::new();
        *HAVE.get_or_init(|| crate::Isa::detect() == crate::Isa::Avx512Vnni)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// What happens to `x · Wᵀ + b` before it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Epilogue {
    /// Store as is.
    Bias,
    /// Apply GELU (erf form; in the int8 kernel its piecewise-cubic table, see [`crate::act`]).
    BiasGelu,
}

/// A linear layer's weights, quantised and packed for [`gemm`].
#[derive(Debug, Clone)]
pub struct QuantWeights {
    /// Output channels.
    pub n: usize,
    /// Inputs per channel (a multiple of 4).
    pub k: usize,
    panels: usize,
    /// `[panels][k / 4][NR][4]`.
    packed: Vec<i8>,
    /// Per output channel (padded with zeros to whole panels).
    scale: Vec<f32>,
    /// Per output channel: the sum of its quantised weights, to remove activation zero points.
    colsum: Vec<i32>,
    bias: Vec<f32>,
}

impl QuantWeights {
    /// Quantises row-major `[n, k]` weights (one row per output channel) and their bias.
    ///
    /// # Panics
    /// If `k` is not a multiple of 4 or the slices do not match `n` and `k`.
    pub fn quantize(w: &[f32], bias: &[f32], n: usize, k: usize) -> QuantWeights {
        assert!(k.is_multiple_of(4), "input size {k} is not a multiple of 4");
        assert_eq!(w.len(), n * k, "weights are not {n}x{k}");
        assert_eq!(bias.len(), n, "bias is not {n} long");
        let panels = n.div_ceil(NR);
        let padded = panels * NR;
        let mut q = vec![0i8; padded * k];
        let mut scale = vec![0f32; padded];
        let mut colsum = vec![0i32; padded];
        for c in 0..n {
            let row = &w[c * k..(c + 1) * k];
            let amax = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            let s = if amax > 0.0 && amax.is_finite() { amax / 127.0 } else { 1.0 };
            let inv = 1.0 / s;
            let mut sum = 0i32;
            for (j, &v) in row.iter().enumerate() {
                let qi = (v * inv).round_ties_even().clamp(-127.0, 127.0) as i8;
                q[c * k + j] = qi;
                sum += i32::from(qi);
            }
            scale[c] = s;
            colsum[c] = sum;
        }
        let k4 = k / 4;
        let mut packed = vec![0i8; padded * k];
        for p in 0..panels {
            for g in 0..k4 {
                for j in 0..NR {
                    let c = p * NR + j;
                    let dst = ((p * k4 + g) * NR + j) * 4;
                    packed[dst..dst + 4].copy_from_slice(&q[c * k + 4 * g..c * k + 4 * g + 4]);
                }
            }
        }
        let mut b = bias.to_vec();
        b.resize(padded, 0.0);
        QuantWeights { n, k, panels, packed, scale, colsum, bias: b }
    }

    /// Bytes held (for memory accounting).
    pub fn bytes(&self) -> usize {
        self.packed.len() + 12 * self.scale.len()
    }

    /// The dequantised weight of channel `c`, input `j` (tests and diagnostics).
    pub fn weight(&self, c: usize, j: usize) -> f32 {
        let (p, jj) = (c / NR, c % NR);
        let idx = ((p * (self.k / 4) + j / 4) * NR + jj) * 4 + j % 4;
        self.scale[c] * f32::from(self.packed[idx])
    }
}

/// `out[r][c] = epilogue(Σ_j x[r][j] · w[c][j] + bias[c])` for the rows `rows` of `a` (written
/// from `out[0]`, row stride `ldc`) and every output channel.
///
/// # Panics
/// If the shapes do not fit, or if the CPU lacks AVX-512 VNNI (see [`vnni_available`]).
pub fn gemm(a: &QuantRows, rows: std::ops::Range<usize>, w: &QuantWeights, epi: Epilogue, out: &mut [f32], ldc: usize) {
    assert_eq!(a.k, w.k, "activation width {} does not match weights {}", a.k, w.k);
    assert!(rows.end <= a.rows && ldc >= w.n);
    let m = rows.len();
    if m == 0 {
        return;
    }
    assert!(out.len() >= (m - 1) * ldc + w.n, "output too small");
    assert!(vnni_available(), "int8 kernels need AVX-512 VNNI");
    #[cfg(target_arch = "x86_64")]
    // SAFETY: features checked above; every pointer offset below stays inside the slices whose
    // shapes were checked.
    unsafe {
        avx512::gemm(a, rows, w, epi, out, ldc)
    }
}

/// Plain integer reference of [`gemm`] (no GELU), for tests on any machine.
pub fn gemm_reference(a: &QuantRows, rows: std::ops::Range<usize>, w: &QuantWeights, out: &mut [f32], ldc: usize) {
    let k4 = w.k / 4;
    for (i, r) in rows.enumerate() {
        for c in 0..w.n {
            let (p, jj) = (c / NR, c % NR);
            let mut acc = 0i32;
            for j in 0..w.k {
                let qw = w.packed[((p * k4 + j / 4) * NR + jj) * 4 + j % 4];
                acc += i32::from(a.q[r * a.k + j]) * i32::from(qw);
            }
            let d = acc - a.zp[r] * w.colsum[c];
            out[i * ldc + c] = (d as f32).mul_add(a.scale[r] * w.scale[c], w.bias[c]);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::*;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
    pub unsafe fn gemm(
        a: &QuantRows,
        rows: std::ops::Range<usize>,
        w: &QuantWeights,
        epi: Epilogue,
        out: &mut [f32],
        ldc: usize,
    ) {
        let k4 = w.k / 4;
        let gelu = (epi == Epilogue::BiasGelu).then(crate::act::GeluTable::get);
        let mut r0 = rows.start;
        while r0 < rows.end {
            let r1 = (r0 + MC).min(rows.end);
            for p in 0..w.panels {
                let wp = w.packed.as_ptr().add(p * k4 * NR * 4);
                let c0 = p * NR;
                let ncols = (w.n - c0).min(NR);
                let mut r = r0;
                while r < r1 {
                    let mr = (r1 - r).min(MR);
                    let args = Block {
                        a: a.q.as_ptr().add(r * a.k),
                        lda: a.k,
                        w: wp,
                        k4,
                        zp: a.zp.as_ptr().add(r),
                        sa: a.scale.as_ptr().add(r),
                        colsum: w.colsum.as_ptr().add(c0),
                        sw: w.scale.as_ptr().add(c0),
                        bias: w.bias.as_ptr().add(c0),
                        out: out.as_mut_ptr().add((r - rows.start) * ldc + c0),
                        ldc,
                        ncols,
                        gelu,
                    };
                    match mr {
                        8 => block::<8>(&args),
                        7 => block::<7>(&args),
                        6 => block::<6>(&args),
                        5 => block::<5>(&args),
                        4 => block::<4>(&args),
                        3 => block::<3>(&args),
                        2 => block::<2>(&args),
                        _ => block::<1>(&args),
                    }
                    r += mr;
                }
            }
            r0 = r1;
        }
    }

    struct Block {
        a: *const u8,
        lda: usize,
        w: *const i8,
        k4: usize,
        zp: *const i32,
        sa: *const f32,
        colsum: *const i32,
        sw: *const f32,
        bias: *const f32,
        out: *mut f32,
        ldc: usize,
        ncols: usize,
        gelu: Option<&'static crate::act::GeluTable>,
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
    unsafe fn block<const M: usize>(b: &Block) {
        let mut acc = [[_mm512_setzero_si512(); 3]; M];
        let mut wp = b.w;
        let mut ap = b.a;
        for _ in 0..b.k4 {
            let w0 = _mm512_loadu_si512(wp as *const __m512i);
            let w1 = _mm512_loadu_si512(wp.add(64) as *const __m512i);
            let w2 = _mm512_loadu_si512(wp.add(128) as *const __m512i);
            for (m, row) in acc.iter_mut().enumerate() {
                let x = _mm512_set1_epi32((ap.add(m * b.lda) as *const i32).read_unaligned());
                row[0] = _mm512_dpbusd_epi32(row[0], x, w0);
                row[1] = _mm512_dpbusd_epi32(row[1], x, w1);
                row[2] = _mm512_dpbusd_epi32(row[2], x, w2);
            }
            wp = wp.add(192);
            ap = ap.add(4);
        }
        for v in 0..3 {
            let base = v * 16;
            if base >= b.ncols {
                break;
            }
            let left = b.ncols - base;
            let mask: __mmask16 = if left >= 16 { 0xffff } else { (1u16 << left) - 1 };
            let cs = _mm512_loadu_si512(b.colsum.add(base) as *const __m512i);
            let sw = _mm512_loadu_ps(b.sw.add(base));
            let bias = _mm512_loadu_ps(b.bias.add(base));
            for (m, row) in acc.iter().enumerate() {
                let zp = _mm512_set1_epi32(*b.zp.add(m));
                let d = _mm512_sub_epi32(row[v], _mm512_mullo_epi32(zp, cs));
                let s = _mm512_mul_ps(_mm512_set1_ps(*b.sa.add(m)), sw);
                let mut y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), s, bias);
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

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
    }

    fn setup(m: usize, n: usize, k: usize) -> (QuantRows, QuantWeights, Vec<f32>, Vec<f32>) {
        let mut s = 42u64;
        let x: Vec<f32> = (0..m * k).map(|_| lcg(&mut s) * 3.0).collect();
        let w: Vec<f32> = (0..n * k).map(|_| lcg(&mut s) * 0.1).collect();
        let b: Vec<f32> = (0..n).map(|_| lcg(&mut s)).collect();
        let mut a = QuantRows::default();
        a.quantize(&x, m, k);
        (a, QuantWeights::quantize(&w, &b, n, k), x, w)
    }

    #[test]
    fn reference_is_close_to_the_f32_product() {
        let (m, n, k) = (5, 20, 64);
        let (a, qw, x, w) = setup(m, n, k);
        let mut out = vec![0f32; m * n];
        gemm_reference(&a, 0..m, &qw, &mut out, n);
        let mut s = 42u64;
        for _ in 0..m * k + n * k {
            lcg(&mut s);
        }
        let b: Vec<f32> = (0..n).map(|_| lcg(&mut s)).collect();
        for r in 0..m {
            for c in 0..n {
                let exact: f32 = (0..k).map(|j| x[r * k + j] * w[c * k + j]).sum::<f32>() + b[c];
                assert!((out[r * n + c] - exact).abs() < 0.05, "{r},{c}: {} vs {exact}", out[r * n + c]);
            }
        }
        assert!((qw.weight(3, 7) - w[3 * k + 7]).abs() < 0.001);
    }

    #[test]
    fn vnni_kernel_matches_the_reference_exactly() {
        if !vnni_available() {
            eprintln!("SKIPPED: no AVX-512 VNNI on this CPU");
            return;
        }
        // Rows not a multiple of the blocks, channels not a multiple of the panel width.
        for (m, n, k) in [(1, 16, 4), (7, 48, 32), (70, 100, 384), (130, 1152, 96)] {
            let (a, qw, _, _) = setup(m, n, k);
            let mut want = vec![0f32; m * n];
            gemm_reference(&a, 0..m, &qw, &mut want, n);
            let mut got = vec![f32::NAN; m * (n + 3)];
            gemm(&a, 0..m, &qw, Epilogue::Bias, &mut got, n + 3);
            for r in 0..m {
                assert_eq!(&got[r * (n + 3)..r * (n + 3) + n], &want[r * n..(r + 1) * n], "{m}x{n}x{k} row {r}");
                assert!(got[r * (n + 3) + n..(r + 1) * (n + 3)].iter().all(|v| v.is_nan()), "wrote past the row");
            }
            // The GELU epilogue applies the table's GELU to the same values.
            let mut g = vec![0f32; m * n];
            gemm(&a, 0..m, &qw, Epilogue::BiasGelu, &mut g, n);
            let t = crate::act::GeluTable::get();
            for (y, x) in g.iter().zip(&want) {
                assert!((y - t.eval(*x)).abs() <= 2e-6 * x.abs().max(1.0), "gelu({x}) = {y}");
            }
            // A sub-range of rows gives the same rows.
            let mut part = vec![0f32; 3 * n];
            gemm(&a, 1..4.min(m).max(1), &qw, Epilogue::Bias, &mut part, n);
            let rows = 4.min(m).max(1) - 1;
            assert_eq!(&part[..rows * n], &want[n..(1 + rows) * n]);
        }
    }
}
