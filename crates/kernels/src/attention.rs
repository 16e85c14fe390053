//! Multi-head self-attention over packed sequences, in f32.
//!
//! The batch's tokens are packed end to end (no padding); each sequence attends only to itself,
//! so no mask is needed and a short message costs no more because a long one shares its batch.
//! Per sequence and head: `softmax(q·kᵀ/√d)·v`, with the keys transposed once into a scratch
//! buffer so a query's scores against 16 keys come from `d` broadcast multiply-adds.
//!
//! For the 10–40 token messages of chat this is a few percent of the encoder's time; the linear
//! layers around it dominate.

use std::ops::Range;

/// Shapes of one attention call.
#[derive(Debug, Clone, Copy)]
pub struct Heads {
    /// Hidden width (`heads * head_dim`).
    pub hidden: usize,
    pub heads: usize,
}

impl Heads {
    pub fn head_dim(&self) -> usize {
        self.hidden / self.heads
    }
}

/// Reusable scratch memory, so steady-state calls allocate nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    /// A block of queries, transposed (`[head_dim][16]`), then the block's 16 inverse sums.
    qt: Vec<f32>,
    scores: Vec<f32>,
}

/// For every sequence (a range of rows of the packed batch), writes the attention output of its
/// rows into `ctx` (row-major `[tokens, hidden]`). `qkv` is row-major `[tokens, 3 * hidden]`:
/// queries, then keys, then values, each `heads` blocks of `head_dim`.
///
/// # Panics
/// If the buffers do not match the sequences and shapes.
pub fn attention(qkv: &[f32], seqs: &[Range<usize>], h: Heads, ctx: &mut [f32], scratch: &mut Scratch) {
    let tokens = seqs.iter().map(|s| s.end).max().unwrap_or(0);
    assert!(h.heads > 0 && h.hidden.is_multiple_of(h.heads));
    assert!(qkv.len() >= tokens * 3 * h.hidden && ctx.len() >= tokens * h.hidden, "buffers too small");
    #[cfg(target_arch = "x86_64")]
    if crate::qgemm::vnni_available() && h.head_dim().is_multiple_of(16) {
        for s in seqs {
            // SAFETY: AVX-512 F was detected; every row of `s` is inside both buffers.
            unsafe { avx512::sequence(qkv, s.clone(), h, ctx, scratch) };
        }
        return;
    }
    for s in seqs {
        sequence_portable(qkv, s.clone(), h, ctx, scratch);
    }
}

fn sequence_portable(qkv: &[f32], s: Range<usize>, h: Heads, ctx: &mut [f32], scratch: &mut Scratch) {
    let (hd, w3) = (h.head_dim(), 3 * h.hidden);
    let scale = 1.0 / (hd as f32).sqrt();
    let l = s.len();
    crate::grow(&mut scratch.scores, l);
    for head in 0..h.heads {
        let (qo, ko, vo) = (head * hd, h.hidden + head * hd, 2 * h.hidden + head * hd);
        for i in 0..l {
            let q = &qkv[(s.start + i) * w3 + qo..][..hd];
            let mut max = f32::NEG_INFINITY;
            for j in 0..l {
                let k = &qkv[(s.start + j) * w3 + ko..][..hd];
                let dot: f32 = q.iter().zip(k).map(|(a, b)| a * b).sum();
                scratch.scores[j] = dot * scale;
                max = max.max(scratch.scores[j]);
            }
            let mut sum = 0.0;
            for sc in &mut scratch.scores[..l] {
                *sc = crate::act::exp(*sc - max);
                sum += *sc;
            }
            let inv = 1.0 / sum;
            let out = &mut ctx[(s.start + i) * h.hidden + qo..][..hd];
            out.iter_mut().for_each(|o| *o = 0.0);
            for j in 0..l {
                let p = scratch.scores[j] * inv;
                let v = &qkv[(s.start + j) * w3 + vo..][..hd];
                out.iter_mut().zip(v).for_each(|(o, v)| *o += p * v);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::*;
    use std::arch::x86_64::*;

    /// Queries in vector lanes: for a block of 16 queries of one head, the scores against key `j`
    /// are one vector (`Σ_d k[j][d] · qᵀ[d]`), so the softmax runs down the keys with vertical
    /// max and sum — no horizontal reductions — and the block's transposed queries (gathered once)
    /// are reused by every key. The weighted sum of values then runs per query with each weight
    /// broadcast from the score buffer, writing the output row directly.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn sequence(qkv: &[f32], s: Range<usize>, h: Heads, ctx: &mut [f32], scratch: &mut Scratch) {
        match h.head_dim() / 16 {
            1 => sequence_n::<1>(qkv, s, h, ctx, scratch),
            2 => sequence_n::<2>(qkv, s, h, ctx, scratch),
            3 => sequence_n::<3>(qkv, s, h, ctx, scratch),
            4 => sequence_n::<4>(qkv, s, h, ctx, scratch),
            _ => super::sequence_portable(qkv, s, h, ctx, scratch),
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn sequence_n<const NV: usize>(
        qkv: &[f32],
        s: Range<usize>,
        h: Heads,
        ctx: &mut [f32],
        scratch: &mut Scratch,
    ) {
        let (hd, w3) = (NV * 16, 3 * h.hidden);
        let l = s.len();
        if l == 0 {
            return;
        }
        crate::grow(&mut scratch.qt, hd * 16 + 16);
        crate::grow(&mut scratch.scores, l * 16);
        let base = qkv.as_ptr().add(s.start * w3);
        let qt = scratch.qt.as_mut_ptr();
        let inv_sums = qt.add(hd * 16);
        let sc = scratch.scores.as_mut_ptr();
        let lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let vindex = _mm512_mullo_epi32(lanes, _mm512_set1_epi32(w3 as i32));
        let scale = _mm512_set1_ps(1.0 / (hd as f32).sqrt());
        for head in 0..h.heads {
            let (qo, ko, vo) = (head * hd, h.hidden + head * hd, 2 * h.hidden + head * hd);
            let mut i0 = 0;
            while i0 < l {
                let nq = (l - i0).min(16);
                let mask: __mmask16 = if nq == 16 { 0xffff } else { (1u16 << nq) - 1 };
                // qᵀ[d][lane] = q[i0 + lane][d] / √d.
                let q0 = base.add(i0 * w3 + qo);
                for d in 0..hd {
                    let g = _mm512_mask_i32gather_ps::<4>(_mm512_setzero_ps(), mask, vindex, q0.add(d));
                    _mm512_storeu_ps(qt.add(d * 16), _mm512_mul_ps(g, scale));
                }
                // Scores, four keys at a time.
                let mut vmax = _mm512_set1_ps(f32::NEG_INFINITY);
                let mut j = 0;
                while j + 4 <= l {
                    let k = base.add(j * w3 + ko);
                    let (mut a0, mut a1, mut a2, mut a3) =
                        (_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps());
                    for d in 0..hd {
                        let q = _mm512_loadu_ps(qt.add(d * 16));
                        a0 = _mm512_fmadd_ps(_mm512_set1_ps(*k.add(d)), q, a0);
                        a1 = _mm512_fmadd_ps(_mm512_set1_ps(*k.add(w3 + d)), q, a1);
                        a2 = _mm512_fmadd_ps(_mm512_set1_ps(*k.add(2 * w3 + d)), q, a2);
                        a3 = _mm512_fmadd_ps(_mm512_set1_ps(*k.add(3 * w3 + d)), q, a3);
                    }
                    _mm512_storeu_ps(sc.add(j * 16), a0);
                    _mm512_storeu_ps(sc.add((j + 1) * 16), a1);
                    _mm512_storeu_ps(sc.add((j + 2) * 16), a2);
                    _mm512_storeu_ps(sc.add((j + 3) * 16), a3);
                    vmax = _mm512_max_ps(vmax, _mm512_max_ps(_mm512_max_ps(a0, a1), _mm512_max_ps(a2, a3)));
                    j += 4;
                }
                while j < l {
                    let k = base.add(j * w3 + ko);
                    let mut a = _mm512_setzero_ps();
                    for d in 0..hd {
                        a = _mm512_fmadd_ps(_mm512_set1_ps(*k.add(d)), _mm512_loadu_ps(qt.add(d * 16)), a);
                    }
                    _mm512_storeu_ps(sc.add(j * 16), a);
                    vmax = _mm512_max_ps(vmax, a);
                    j += 1;
                }
                // Softmax down the keys, per lane.
                let mut vsum = _mm512_setzero_ps();
                for j in 0..l {
                    let e = crate::act::avx512::exp(_mm512_sub_ps(_mm512_loadu_ps(sc.add(j * 16)), vmax));
                    _mm512_storeu_ps(sc.add(j * 16), e);
                    vsum = _mm512_add_ps(vsum, e);
                }
                _mm512_storeu_ps(inv_sums, _mm512_div_ps(_mm512_set1_ps(1.0), vsum));
                // Weighted values, one query (row of the output) at a time.
                for q in 0..nq {
                    let mut acc = [_mm512_setzero_ps(); NV];
                    for j in 0..l {
                        let p = _mm512_set1_ps(*sc.add(j * 16 + q));
                        let v = base.add(j * w3 + vo);
                        for (c, a) in acc.iter_mut().enumerate() {
                            *a = _mm512_fmadd_ps(p, _mm512_loadu_ps(v.add(16 * c)), *a);
                        }
                    }
                    let inv = _mm512_set1_ps(*inv_sums.add(q));
                    let out = ctx.as_mut_ptr().add((s.start + i0 + q) * h.hidden + qo);
                    for (c, a) in acc.iter().enumerate() {
                        _mm512_storeu_ps(out.add(16 * c), _mm512_mul_ps(*a, inv));
                    }
                }
                i0 += 16;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_sequences_match_a_naive_softmax_and_stay_independent() {
        let h = Heads { hidden: 64, heads: 2 };
        let seqs = [0..3, 3..20, 20..21];
        let tokens = 21;
        let qkv: Vec<f32> =
            (0..tokens * 3 * h.hidden).map(|i| (((i * 2654435761usize) >> 7) % 1000) as f32 / 500.0 - 1.0).collect();
        let mut ctx = vec![0f32; tokens * h.hidden];
        attention(&qkv, &seqs, h, &mut ctx, &mut Scratch::default());
        let hd = h.head_dim();
        for s in &seqs {
            for head in 0..h.heads {
                for i in s.clone() {
                    let q = &qkv[i * 192 + head * hd..][..hd];
                    let scores: Vec<f64> = s
                        .clone()
                        .map(|j| {
                            let k = &qkv[j * 192 + 64 + head * hd..][..hd];
                            q.iter().zip(k).map(|(a, b)| f64::from(a * b)).sum::<f64>() / (hd as f64).sqrt()
                        })
                        .collect();
                    let m = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let z: f64 = scores.iter().map(|x| (x - m).exp()).sum();
                    for c in 0..hd {
                        let want: f64 = s
                            .clone()
                            .zip(&scores)
                            .map(|(j, x)| (x - m).exp() / z * f64::from(qkv[j * 192 + 128 + head * hd + c]))
                            .sum();
                        let got = f64::from(ctx[i * 64 + head * hd + c]);
                        assert!((got - want).abs() < 1e-5, "seq {s:?} head {head} row {i} col {c}: {got} vs {want}");
                    }
                }
            }
        }
        // The same sequence alone gives the same rows (batch independence).
        let mut alone = vec![0f32; tokens * h.hidden];
        attention(&qkv, std::slice::from_ref(&(3..20)), h, &mut alone, &mut Scratch::default());
        assert_eq!(&alone[3 * 64..20 * 64], &ctx[3 * 64..20 * 64]);
    }
}
