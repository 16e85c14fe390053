//! Per-row asymmetric u8 quantisation of activations, the left operand of [`crate::qgemm`].
//!
//! Each row gets its own scale and zero point, taken from the row's own minimum and maximum (the
//! range is widened to include 0, so 0 is exact and a row of zeros needs no special case). A
//! per-row scale keeps one long message from costing a short one its precision, and keeps every
//! row's result independent of the rest of the batch.

/// Quantised rows: `x[r][c] ≈ scale[r] * (q[r][c] - zp[r])`.
#[derive(Debug, Clone, Default)]
pub struct QuantRows {
    /// Row length (a multiple of 4, as the int8 kernel reads four bytes at a time).
    pub k: usize,
    pub rows: usize,
    /// Row-major `[rows, k]` (the buffers may be longer: they are reused across calls).
    pub q: Vec<u8>,
    pub scale: Vec<f32>,
    pub zp: Vec<i32>,
}

impl QuantRows {
    /// Quantises `rows` rows of `x` (row-major, row stride `k`), reusing this buffer's memory.
    ///
    /// # Panics
    /// If `k` is not a multiple of 4 or `x` is shorter than `rows * k`.
    pub fn quantize(&mut self, x: &[f32], rows: usize, k: usize) {
        assert!(k.is_multiple_of(4), "row length {k} is not a multiple of 4");
        assert!(x.len() >= rows * k, "{} values for {rows} rows of {k}", x.len());
        self.k = k;
        self.rows = rows;
        crate::grow(&mut self.q, rows * k);
        crate::grow(&mut self.scale, rows);
        crate::grow(&mut self.zp, rows);
        for r in 0..rows {
            let row = &x[r * k..(r + 1) * k];
            let (s, z) = quantize_row(row, &mut self.q[r * k..(r + 1) * k]);
            self.scale[r] = s;
            self.zp[r] = z;
        }
    }
}

/// Scale and zero point for values in `[min, max]` (widened to include 0).
#[inline]
pub fn params(min: f32, max: f32) -> (f32, i32) {
    let (lo, hi) = (min.min(0.0), max.max(0.0));
    let range = hi - lo;
    // All zeros (or a NaN/infinity upstream): any scale represents the row; 1 keeps it finite.
    if range.is_nan() || range <= 0.0 || range.is_infinite() {
        return (1.0, 0);
    }
    let scale = range / 255.0;
    let zp = (-lo / scale).round().clamp(0.0, 255.0) as i32;
    (scale, zp)
}

/// Quantises one row into `out`; returns `(scale, zero point)`.
pub fn quantize_row(row: &[f32], out: &mut [u8]) -> (f32, i32) {
    #[cfg(target_arch = "x86_64")]
    if crate::qgemm::vnni_available() {
        // SAFETY: the features the function needs were just detected.
        return unsafe { avx512::quantize_row(row, out) };
    }
    quantize_row_portable(row, out)
}

/// The reference quantisation, and what machines without AVX-512 run.
pub fn quantize_row_portable(row: &[f32], out: &mut [u8]) -> (f32, i32) {
    let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
    for &v in row {
        min = min.min(v);
        max = max.max(v);
    }
    let (scale, zp) = params(min, max);
    let inv = 1.0 / scale;
    for (o, &v) in out.iter_mut().zip(row) {
        // Round half to even, as the vector conversion does.
        let q = (v * inv).round_ties_even() as i32 + zp;
        *o = q.clamp(0, 255) as u8;
    }
    (scale, zp)
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub unsafe fn quantize_row(row: &[f32], out: &mut [u8]) -> (f32, i32) {
        let n = row.len();
        debug_assert!(out.len() >= n);
        let p = row.as_ptr();
        let mut vmin = _mm512_set1_ps(f32::INFINITY);
        let mut vmax = _mm512_set1_ps(f32::NEG_INFINITY);
        let mut i = 0;
        while i + 16 <= n {
            let v = _mm512_loadu_ps(p.add(i));
            vmin = _mm512_min_ps(vmin, v);
            vmax = _mm512_max_ps(vmax, v);
            i += 16;
        }
        let (mut min, mut max) = (_mm512_reduce_min_ps(vmin), _mm512_reduce_max_ps(vmax));
        for &v in &row[i..] {
            min = min.min(v);
            max = max.max(v);
        }
        let (scale, zp) = super::params(min, max);
        let inv = _mm512_set1_ps(1.0 / scale);
        let vzp = _mm512_set1_epi32(zp);
        let zero = _mm512_setzero_si512();
        let o = out.as_mut_ptr();
        let mut i = 0;
        while i + 16 <= n {
            let v = _mm512_mul_ps(_mm512_loadu_ps(p.add(i)), inv);
            // Round to nearest even (the default MXCSR mode), shift by the zero point, clamp.
            let q = _mm512_add_epi32(_mm512_cvtps_epi32(v), vzp);
            let q = _mm512_max_epi32(q, zero);
            _mm_storeu_si128(o.add(i) as *mut __m128i, _mm512_cvtusepi32_epi8(q));
            i += 16;
        }
        let invs = 1.0 / scale;
        for j in i..n {
            let q = (row[j] * invs).round_ties_even() as i32 + zp;
            out[j] = q.clamp(0, 255) as u8;
        }
        (scale, zp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_exact_and_range_is_covered() {
        let row: Vec<f32> = (0..40).map(|i| (i as f32 - 10.0) * 0.25).collect();
        let mut q = vec![0u8; 40];
        let (s, z) = quantize_row(&row, &mut q);
        assert_eq!(q[10] as i32, z, "0.0 must map to the zero point");
        for (v, &qi) in row.iter().zip(&q) {
            assert!((s * (qi as i32 - z) as f32 - v).abs() <= s * 0.5 + 1e-6, "{v} -> {qi}");
        }
        assert_eq!(*q.iter().max().unwrap(), 255);
    }

    #[test]
    fn vector_and_portable_agree_and_constant_rows_are_safe() {
        let row: Vec<f32> = (0..384).map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0).collect();
        let (mut a, mut b) = (vec![0u8; 384], vec![0u8; 384]);
        assert_eq!(quantize_row(&row, &mut a), quantize_row_portable(&row, &mut b));
        assert_eq!(a, b);
        let zeros = vec![0.0f32; 20];
        let mut q = vec![7u8; 20];
        assert_eq!(quantize_row(&zeros, &mut q), (1.0, 0));
        assert!(q.iter().all(|&x| x == 0));
    }
}
