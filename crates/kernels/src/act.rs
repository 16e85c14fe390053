//! Element-wise functions: `exp` for the softmax and the erf form of GELU that BERT uses.
//!
//! - `exp`: Cody–Waite range reduction to `e^r · 2^n` with `|r| ≤ ln2/2`, a degree-6 Taylor
//!   polynomial for `e^r` (relative error below 2·10⁻⁷ there) and `vscalefps` for `2^n`.
//! - GELU: `x · Φ(x) = x/2 · (1 + erf(x/√2))` with erf from Abramowitz & Stegun 7.1.26 (absolute
//!   error ≤ 1.5·10⁻⁷): `1 − erf(z) = t·P(t)·e^{−z²}`, `t = 1/(1 + p·z)`. Using that form for
//!   both signs directly (`1 + erf(−z) = t·P(t)·e^{−z²}`) avoids cancelling `1 − 1` for negative
//!   inputs, where GELU is small but not zero.
//!
//! The AVX-512 kernels use a cheaper GELU in the epilogue of the intermediate matrix product
//! ([`GeluTable`]): a piecewise cubic (Hermite interpolation of the erf form on 32 intervals of
//! [−5, 5), coefficients looked up with `vpermt2ps`), 17 instructions for 16 values against about
//! 25 for the A&S form, absolute error below 5·10⁻⁵ — 400 times smaller than the int8 step the
//! values are quantised to right after. Measured on the 64 × 384 × 1536 intermediate product: the
//! A&S form added 25% to its time, the table 12% (`cargo run -p jaga-kernels --example speed`).

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
const EXP_LO: f32 = -87.0;
const EXP_HI: f32 = 88.0;
const P_ERF: f32 = 0.327_591_1;
const A1: f32 = 0.254_829_6;
const A2: f32 = -0.284_496_74;
const A3: f32 = 1.421_413_7;
const A4: f32 = -1.453_152;
const A5: f32 = 1.061_405_4;
const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// `e^x` (portable path), the same polynomial as the vector kernel.
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(EXP_LO, EXP_HI);
    let n = (x * LOG2E).round_ties_even();
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = poly_exp(r);
    p * 2f32.powi(n as i32)
}

#[inline]
fn poly_exp(r: f32) -> f32 {
    let mut p = 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p * r + 1.0
}

/// GELU, erf form (portable path).
pub fn gelu(x: f32) -> f32 {
    let z = x.abs() * FRAC_1_SQRT_2;
    let t = 1.0 / (1.0 + P_ERF * z);
    let poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
    let u = poly * exp(-z * z);
    let phi2 = if x >= 0.0 { 2.0 - u } else { u };
    0.5 * x * phi2
}

/// `erf` in f64, accurate to ~1e-13: Taylor series for |x| ≤ 3 (beyond, its terms cancel too
/// much), the continued fraction of `erfc` above. Only used to build [`GeluTable`] and in tests.
pub fn erf_f64(x: f64) -> f64 {
    let a = x.abs();
    if a > 3.0 {
        // erfc(a) = e^{-a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated backwards.
        let mut f = a;
        for k in (1..=80).rev() {
            f = a + (k as f64 / 2.0) / f;
        }
        let erfc = (-a * a).exp() / (std::f64::consts::PI.sqrt() * f);
        return x.signum() * (1.0 - erfc);
    }
    let (mut sum, mut term) = (0.0f64, x);
    for n in 0..100 {
        let add = term / (2.0 * n as f64 + 1.0);
        sum += add;
        if add.abs() < 1e-17 {
            break;
        }
        term *= -x * x / (n as f64 + 1.0);
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

/// Lower end, width and number of the intervals of [`GeluTable`].
const TABLE_LO: f32 = -5.0;
const TABLE_STEP: f32 = 0.3125;
const TABLE_N: usize = 32;

/// Cubic coefficients of GELU on each interval `[lo + i·h, lo + (i+1)·h)`, in the local
/// coordinate `u ∈ [0, 1)`: `c[0][i] + u·(c[1][i] + u·(c[2][i] + u·c[3][i]))`. Hermite
/// interpolation (value and slope exact at both ends), so the pieces join smoothly. Below −5 GELU
/// is 0 and above 5 it is `x` to within 1.5·10⁻⁶.
#[derive(Debug, Clone)]
pub struct GeluTable {
    pub c: [[f32; TABLE_N]; 4],
}

impl GeluTable {
    /// The table, computed once.
    pub fn get() -> &'static GeluTable {
        static TABLE: std::sync::OnceLock<GeluTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(GeluTable::build)
    }

    fn build() -> GeluTable {
        let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = |x: f64| 0.5 * (1.0 + erf_f64(x / std::f64::consts::SQRT_2));
        let g = |x: f64| x * cdf(x);
        let dg = |x: f64| cdf(x) + x * phi(x);
        let h = f64::from(TABLE_STEP);
        let ends = |i: usize| {
            let x0 = f64::from(TABLE_LO) + i as f64 * h;
            (g(x0), g(x0 + h), h * dg(x0), h * dg(x0 + h))
        };
        let coef = |k: usize| -> [f32; TABLE_N] {
            std::array::from_fn(|i| {
                let (f0, f1, d0, d1) = ends(i);
                (match k {
                    0 => f0,
                    1 => d0,
                    2 => 3.0 * (f1 - f0) - 2.0 * d0 - d1,
                    _ => 2.0 * (f0 - f1) + d0 + d1,
                }) as f32
            })
        };
        let c = [coef(0), coef(1), coef(2), coef(3)];
        GeluTable { c }
    }

    /// The table's GELU for one value (scalar twin of the vector kernel, for tests).
    pub fn eval(&self, x: f32) -> f32 {
        if x < TABLE_LO {
            return 0.0;
        }
        if x >= -TABLE_LO {
            return x;
        }
        let t = (x - TABLE_LO) / TABLE_STEP;
        let i = (t as usize).min(TABLE_N - 1);
        let u = t - i as f32;
        self.c[0][i] + u * (self.c[1][i] + u * (self.c[2][i] + u * self.c[3][i]))
    }
}

/// GELU of every element.
pub fn gelu_slice(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::qgemm::vnni_available() {
        // SAFETY: AVX-512 F was detected.
        unsafe { avx512::gelu_slice(xs) };
        return;
    }
    xs.iter_mut().for_each(|x| *x = gelu(*x));
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use super::*;
    use std::arch::x86_64::*;

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn exp(x: __m512) -> __m512 {
        let x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(EXP_LO)), _mm512_set1_ps(EXP_HI));
        let n = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm512_mul_ps(
            x,
            _mm512_set1_ps(LOG2E),
        ));
        let r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_HI), x);
        let r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_LO), r);
        let mut p = _mm512_set1_ps(1.0 / 720.0);
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0 / 120.0));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0 / 24.0));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0 / 6.0));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0));
        _mm512_scalef_ps(p, n)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gelu(x: __m512) -> __m512 {
        let z = _mm512_mul_ps(_mm512_abs_ps(x), _mm512_set1_ps(FRAC_1_SQRT_2));
        let d = _mm512_fmadd_ps(z, _mm512_set1_ps(P_ERF), _mm512_set1_ps(1.0));
        // 1/d: 14-bit estimate, one Newton step.
        let t0 = _mm512_rcp14_ps(d);
        let t = _mm512_mul_ps(t0, _mm512_fnmadd_ps(d, t0, _mm512_set1_ps(2.0)));
        let mut p = _mm512_set1_ps(A5);
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(A4));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(A3));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(A2));
        p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(A1));
        p = _mm512_mul_ps(p, t);
        let e = exp(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(z, z)));
        let u = _mm512_mul_ps(p, e);
        let neg = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(x, _mm512_setzero_ps());
        let phi2 = _mm512_mask_blend_ps(neg, _mm512_sub_ps(_mm512_set1_ps(2.0), u), u);
        _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5), x), phi2)
    }

    /// GELU by [`GeluTable`]: clamp, split into interval index and local coordinate, look the
    /// four coefficients up across two registers each, Horner, then the two tails.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gelu_table(x: __m512, t: &GeluTable) -> __m512 {
        let lo = _mm512_set1_ps(TABLE_LO);
        let xc = _mm512_min_ps(_mm512_max_ps(x, lo), _mm512_set1_ps(-TABLE_LO - 1e-4));
        let pos = _mm512_mul_ps(_mm512_sub_ps(xc, lo), _mm512_set1_ps(1.0 / TABLE_STEP));
        let idx = _mm512_cvttps_epi32(pos);
        let u = _mm512_sub_ps(pos, _mm512_cvtepi32_ps(idx));
        let coef = |k: usize| {
            let a = _mm512_loadu_ps(t.c[k].as_ptr());
            let b = _mm512_loadu_ps(t.c[k].as_ptr().add(16));
            _mm512_permutex2var_ps(a, idx, b)
        };
        let mut p = coef(3);
        p = _mm512_fmadd_ps(p, u, coef(2));
        p = _mm512_fmadd_ps(p, u, coef(1));
        p = _mm512_fmadd_ps(p, u, coef(0));
        let high = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(x, _mm512_set1_ps(-TABLE_LO));
        let low = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(x, lo);
        _mm512_maskz_mov_ps(!low, _mm512_mask_blend_ps(high, p, x))
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn gelu_slice(xs: &mut [f32]) {
        let n = xs.len();
        let p = xs.as_mut_ptr();
        let mut i = 0;
        while i + 16 <= n {
            _mm512_storeu_ps(p.add(i), gelu(_mm512_loadu_ps(p.add(i))));
            i += 16;
        }
        if i < n {
            let mask: __mmask16 = (1u16 << (n - i)) - 1;
            let v = _mm512_maskz_loadu_ps(mask, p.add(i));
            _mm512_mask_storeu_ps(p.add(i), mask, gelu(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gelu_ref(x: f64) -> f64 {
        0.5 * x * (1.0 + erf_f64(x / std::f64::consts::SQRT_2))
    }

    #[test]
    fn reference_erf_is_accurate() {
        // Known values: erf(0.5), erf(1), erf(2), erf(3.5).
        for (x, want) in [
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (3.5, 0.999_999_256_901_627_7),
        ] {
            assert!((erf_f64(x) - want).abs() < 1e-12, "erf({x}) = {}", erf_f64(x));
            assert!((erf_f64(-x) + want).abs() < 1e-12);
        }
    }

    #[test]
    fn table_gelu_is_within_5e_5_and_the_vector_twin_agrees() {
        let t = GeluTable::get();
        let xs: Vec<f32> = (-9000..=9000).map(|i| i as f32 / 1000.0).collect();
        let worst = xs.iter().map(|&x| (f64::from(t.eval(x)) - gelu_ref(f64::from(x))).abs()).fold(0.0, f64::max);
        assert!(worst < 5e-5, "worst {worst}");
        #[cfg(target_arch = "x86_64")]
        if crate::qgemm::vnni_available() {
            for c in xs.chunks(16).filter(|c| c.len() == 16) {
                // SAFETY: AVX-512 F was detected.
                let v: [f32; 16] = unsafe {
                    std::mem::transmute(avx512::gelu_table(std::arch::x86_64::_mm512_loadu_ps(c.as_ptr()), t))
                };
                for (x, g) in c.iter().zip(v) {
                    assert!((g - t.eval(*x)).abs() < 2e-6, "{x}: {g} vs {}", t.eval(*x));
                }
            }
        }
    }

    #[test]
    fn exp_is_accurate() {
        for i in -800..=800 {
            let x = i as f32 / 10.0;
            let want = (x as f64).exp();
            let got = exp(x) as f64;
            assert!(((got - want) / want).abs() < 4e-7, "exp({x}) = {got}, want {want}");
        }
    }

    #[test]
    fn gelu_matches_the_erf_form() {
        let mut worst = 0f64;
        for i in -6000..=6000 {
            let x = i as f32 / 1000.0;
            let err = (gelu(x) as f64 - gelu_ref(x as f64)).abs();
            worst = worst.max(err);
        }
        assert!(worst < 1e-6, "worst absolute error {worst}");
        assert_eq!(gelu(0.0), 0.0);
        assert!(gelu(-20.0).abs() < 1e-30 && (gelu(20.0) - 20.0).abs() < 1e-5);
    }

    #[test]
    fn vector_gelu_agrees_with_portable() {
        let xs: Vec<f32> = (0..1001).map(|i| (i as f32 - 500.0) / 60.0).collect();
        let mut v = xs.clone();
        gelu_slice(&mut v);
        for (x, g) in xs.iter().zip(&v) {
            assert!((g - gelu(*x)).abs() < 2e-6, "{x}: {g} vs {}", gelu(*x));
        }
    }
}
