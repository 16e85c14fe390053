//! Layer normalisation, optionally of a residual sum: `x ← LN(x + r) · γ + β`, row by row.
//!
//! Two passes over each row (mean, then the mean of squared deviations) rather than the one-pass
//! `E[x²] − E[x]²`, which cancels badly for rows with a large mean; a 384-wide row is 24 vectors
//! and stays in L1 between the passes.

/// Normalises each `width`-long row of `x` in place, after adding the matching row of
/// `residual` when given.
///
/// # Panics
/// If the slices do not hold whole rows of `width`, or `gamma`/`beta` are not `width` long.
pub fn layer_norm(x: &mut [f32], residual: Option<&[f32]>, width: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    assert!(width > 0 && x.len().is_multiple_of(width), "rows of {width} do not tile {} values", x.len());
    assert!(gamma.len() == width && beta.len() == width);
    if let Some(r) = residual {
        assert_eq!(r.len(), x.len(), "residual has another shape");
    }
    #[cfg(target_arch = "x86_64")]
    if crate::qgemm::vnni_available() {
        for (i, row) in x.chunks_exact_mut(width).enumerate() {
            let res = residual.map(|r| &r[i * width..(i + 1) * width]);
            // SAFETY: AVX-512 F was detected; slices are `width` long.
            unsafe { avx512::row(row, res, gamma, beta, eps) };
        }
        return;
    }
    for (i, row) in x.chunks_exact_mut(width).enumerate() {
        let res = residual.map(|r| &r[i * width..(i + 1) * width]);
        row_portable(row, res, gamma, beta, eps);
    }
}

fn row_portable(row: &mut [f32], res: Option<&[f32]>, gamma: &[f32], beta: &[f32], eps: f32) {
    if let Some(r) = res {
        row.iter_mut().zip(r).for_each(|(x, r)| *x += r);
    }
    let n = row.len() as f32;
    let mean = row.iter().sum::<f32>() / n;
    let var = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *x = (*x - mean) * inv * g + b;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub unsafe fn row(row: &mut [f32], res: Option<&[f32]>, gamma: &[f32], beta: &[f32], eps: f32) {
        let n = row.len();
        let p = row.as_mut_ptr();
        let full = n / 16 * 16;
        let tail: __mmask16 = if n.is_multiple_of(16) { 0 } else { (1u16 << (n % 16)) - 1 };
        let mut sum = _mm512_setzero_ps();
        let mut i = 0;
        while i < full {
            let mut v = _mm512_loadu_ps(p.add(i));
            if let Some(r) = res {
                v = _mm512_add_ps(v, _mm512_loadu_ps(r.as_ptr().add(i)));
                _mm512_storeu_ps(p.add(i), v);
            }
            sum = _mm512_add_ps(sum, v);
            i += 16;
        }
        if tail != 0 {
            let mut v = _mm512_maskz_loadu_ps(tail, p.add(i));
            if let Some(r) = res {
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(tail, r.as_ptr().add(i)));
                _mm512_mask_storeu_ps(p.add(i), tail, v);
            }
            sum = _mm512_add_ps(sum, v);
        }
        let mean = _mm512_set1_ps(_mm512_reduce_add_ps(sum) / n as f32);
        let mut sq = _mm512_setzero_ps();
        let mut i = 0;
        while i < full {
            let d = _mm512_sub_ps(_mm512_loadu_ps(p.add(i)), mean);
            sq = _mm512_fmadd_ps(d, d, sq);
            i += 16;
        }
        if tail != 0 {
            let d = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, p.add(i)), mean);
            sq = _mm512_fmadd_ps(d, d, sq);
        }
        let var = _mm512_reduce_add_ps(sq) / n as f32;
        let inv = _mm512_set1_ps(1.0 / (var + eps).sqrt());
        let mut i = 0;
        while i < full {
            let d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(p.add(i)), mean), inv);
            let y = _mm512_fmadd_ps(d, _mm512_loadu_ps(gamma.as_ptr().add(i)), _mm512_loadu_ps(beta.as_ptr().add(i)));
            _mm512_storeu_ps(p.add(i), y);
            i += 16;
        }
        if tail != 0 {
            let d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, p.add(i)), mean), inv);
            let y = _mm512_fmadd_ps(
                d,
                _mm512_maskz_loadu_ps(tail, gamma.as_ptr().add(i)),
                _mm512_maskz_loadu_ps(tail, beta.as_ptr().add(i)),
            );
            _mm512_mask_storeu_ps(p.add(i), tail, y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_rows_with_residual() {
        for width in [384, 37] {
            let rows = 3;
            let x: Vec<f32> = (0..rows * width).map(|i| ((i * 7919) % 113) as f32 * 0.1 + 100.0).collect();
            let r: Vec<f32> = (0..rows * width).map(|i| (i % 5) as f32).collect();
            let g: Vec<f32> = (0..width).map(|i| 1.0 + (i % 3) as f32 * 0.1).collect();
            let b: Vec<f32> = (0..width).map(|i| (i % 4) as f32 * 0.01).collect();
            let mut got = x.clone();
            layer_norm(&mut got, Some(&r), width, &g, &b, 1e-12);
            for row in 0..rows {
                let s: Vec<f64> =
                    (0..width).map(|j| f64::from(x[row * width + j]) + f64::from(r[row * width + j])).collect();
                let mean = s.iter().sum::<f64>() / width as f64;
                let var = s.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / width as f64;
                for j in 0..width {
                    let want = (s[j] - mean) / (var + 1e-12).sqrt() * f64::from(g[j]) + f64::from(b[j]);
                    let v = f64::from(got[row * width + j]);
                    assert!((v - want).abs() < 2e-4, "width {width} row {row} col {j}: {v} vs {want}");
                }
            }
        }
    }
}
