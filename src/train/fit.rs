//! Fitting the two heads ([`Mlp`]s) and the Platt scale.
//!
//! Everything is deterministic for a seed: weights are initialised, shuffled and dropped out from
//! the caller's `ChaCha8Rng`, never from candle's global generator.

use super::TrainError;
use crate::detector::mlp::Mlp;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Smallest standard deviation a column is scaled by: a feature that barely varies in training
/// must not be blown up into a huge input when it does vary on new data.
const STD_FLOOR: f64 = 0.02;

/// Hyper-parameters of one head.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpTrain {
    pub hidden: usize,
    pub epochs: usize,
    pub lr: f64,
    pub weight_decay: f64,
    pub batch: usize,
    pub in_dropout: f64,
    pub hid_dropout: f64,
    /// Weight of a positive target relative to a negative one in the loss (1: plain BCE).
    pub pos_weight: f32,
}

/// A target that is missing: the output is not trained on that row (weight 0). Exemplar phrases
/// have stage labels but no conversation, so their grooming-cue target is missing.
pub const NO_TARGET: f32 = -1.0;

/// Labelled rows in one matrix: inputs `x` (`d` wide), multi-hot targets `y` (`o` wide,
/// [`NO_TARGET`] where one is missing) and a weight per row. Heads are fitted on subsets of rows
/// by index, so the folds of cross-fitting never copy the (large) stage-head matrix.
///
/// A row may also carry `sparse` more input columns given as `(column, value)` pairs (the stage
/// head's lexical channel, [`crate::detector::lexical`]): they follow the `d` dense columns in the
/// fitted head, are not standardised (most are zero on most rows) and cost only what is present.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub d: usize,
    pub o: usize,
    pub x: Vec<f32>,
    pub y: Vec<f32>,
    pub w: Vec<f32>,
    /// Sparse input columns after the dense ones (0: none).
    pub sparse: usize,
    /// Row `r`'s sparse entries are `sp[sp_start[r]..sp_start[r + 1]]`.
    sp_start: Vec<usize>,
    sp: Vec<(u32, f32)>,
}

impl Rows {
    pub fn new(d: usize, o: usize) -> Self {
        Rows::with_sparse(d, 0, o)
    }

    /// Rows with `sparse` columns after the `d` dense ones.
    pub fn with_sparse(d: usize, sparse: usize, o: usize) -> Self {
        Rows { d, o, sparse, sp_start: vec![0], ..Default::default() }
    }

    pub fn len(&self) -> usize {
        self.w.len()
    }

    pub fn is_empty(&self) -> bool {
        self.w.is_empty()
    }

    /// Appends one row without sparse entries; returns its index.
    pub fn push(&mut self, x: &[f32], y: &[f32], w: f32) -> usize {
        self.push_sparse(x, &[], y, w)
    }

    /// Appends one row with its sparse entries (columns below [`Rows::sparse`]); returns its index.
    pub fn push_sparse(&mut self, x: &[f32], sparse: &[(u32, f32)], y: &[f32], w: f32) -> usize {
        debug_assert_eq!((x.len(), y.len()), (self.d, self.o));
        debug_assert!(sparse.iter().all(|(c, _)| (*c as usize) < self.sparse));
        self.x.extend_from_slice(x);
        self.y.extend_from_slice(y);
        self.w.push(w);
        self.sp.extend_from_slice(sparse);
        self.sp_start.push(self.sp.len());
        self.w.len() - 1
    }

    fn x(&self, r: usize) -> &[f32] {
        &self.x[r * self.d..(r + 1) * self.d]
    }

    fn sparse_of(&self, r: usize) -> &[(u32, f32)] {
        &self.sp[self.sp_start[r]..self.sp_start[r + 1]]
    }
}

/// Trains `d → hidden (ReLU) → o` with independent sigmoid outputs on `rows.subset`, AdamW,
/// weighted binary cross-entropy.
pub fn fit_mlp(rows: &Rows, subset: &[usize], cfg: &MlpTrain, rng: &mut ChaCha8Rng) -> Result<Mlp, TrainError> {
    let (d, o, h) = (rows.d, rows.o, cfg.hidden);
    if subset.is_empty() || d == 0 || o == 0 {
        return Err(TrainError::Fit("no training rows".into()));
    }
    // Standardise columns over the subset; the same transform is stored with the head.
    let mut mean = vec![0.0f64; d];
    let mut sq = vec![0.0f64; d];
    for &r in subset {
        for (j, v) in rows.x(r).iter().enumerate() {
            mean[j] += f64::from(*v);
            sq[j] += f64::from(*v) * f64::from(*v);
        }
    }
    let n = subset.len() as f64;
    let mean: Vec<f32> = mean.iter().map(|m| (m / n) as f32).collect();
    let inv_std: Vec<f32> = sq
        .iter()
        .zip(&mean)
        .map(|(s, m)| {
            let var = (s / n - f64::from(*m) * f64::from(*m)).max(0.0);
            (1.0 / var.sqrt().max(STD_FLOOR)) as f32
        })
        .collect();

    let dev = Device::Cpu;
    let mut uniform = |len: usize, fan_in: usize| -> Vec<f32> {
        let b = 1.0 / (fan_in as f32).sqrt();
        (0..len).map(|_| rng.random_range(-b..b)).collect()
    };
    let w1 = Var::from_tensor(&Tensor::from_vec(uniform(h * d, d), (h, d), &dev)?)?;
    let b1 = Var::from_tensor(&Tensor::from_vec(uniform(h, d), h, &dev)?)?;
    let w2 = Var::from_tensor(&Tensor::from_vec(uniform(o * h, h), (o, h), &dev)?)?;
    let b2 = Var::from_tensor(&Tensor::from_vec(vec![0.0f32; o], o, &dev)?)?;
    // The sparse columns' first-layer weights, one row per column so a batch gathers the rows it
    // uses. They start at zero, so a column no training row has (a word hashed into a bucket no
    // training text reached) adds nothing, and the dense part draws what it always drew.
    let ws = match rows.sparse {
        0 => None,
        n => Some(Var::from_tensor(&Tensor::zeros((n, h), DType::F32, &dev)?)?),
    };
    let params = ParamsAdamW { lr: cfg.lr, weight_decay: cfg.weight_decay, ..Default::default() };
    let mut vars = vec![w1.clone(), b1.clone(), w2.clone(), b2.clone()];
    vars.extend(ws.iter().cloned());
    let mut opt = AdamW::new(vars, params)?;
    let mut order: Vec<usize> = subset.to_vec();
    let keep_in = 1.0 - cfg.in_dropout;
    let keep_h = 1.0 - cfg.hid_dropout;
    for _epoch in 0..cfg.epochs {
        order.shuffle(rng);
        for chunk in order.chunks(cfg.batch.max(1)) {
            let bs = chunk.len();
            let mut bx = Vec::with_capacity(bs * d);
            let mut by = Vec::with_capacity(bs * o);
            let mut bw = Vec::with_capacity(bs * o);
            let (mut sp_col, mut sp_val, mut sp_row) = (Vec::new(), Vec::new(), Vec::new());
            for (pos, &r) in chunk.iter().enumerate() {
                for (j, &v) in rows.x(r).iter().enumerate() {
                    let keep = cfg.in_dropout == 0.0 || rng.random_bool(keep_in);
                    bx.push(if keep { (v - mean[j]) * inv_std[j] / keep_in as f32 } else { 0.0 });
                }
                for &(c, v) in rows.sparse_of(r) {
                    if cfg.in_dropout == 0.0 || rng.random_bool(keep_in) {
                        sp_col.push(c);
                        sp_val.push(v / keep_in as f32);
                        sp_row.push(pos as u32);
                    }
                }
                let y = &rows.y[r * o..(r + 1) * o];
                by.extend(y.iter().map(|t| t.max(0.0)));
                bw.extend(y.iter().map(|t| match *t {
                    t if t < 0.0 => 0.0,
                    t if t > 0.5 => rows.w[r] * cfg.pos_weight,
                    _ => rows.w[r],
                }));
            }
            let hmask: Vec<f32> = (0..bs * h)
                .map(|_| if cfg.hid_dropout == 0.0 || rng.random_bool(keep_h) { 1.0 / keep_h as f32 } else { 0.0 })
                .collect();
            let bx = Tensor::from_vec(bx, (bs, d), &dev)?;
            let by = Tensor::from_vec(by, (bs, o), &dev)?;
            let bw = Tensor::from_vec(bw, (bs, o), &dev)?;
            let hmask = Tensor::from_vec(hmask, (bs, h), &dev)?;
            let mut pre = bx.matmul(&w1.as_tensor().t()?)?.broadcast_add(b1.as_tensor())?;
            if let (Some(ws), false) = (&ws, sp_col.is_empty()) {
                let nnz = sp_col.len();
                let cols = Tensor::from_vec(sp_col, nnz, &dev)?;
                let vals = Tensor::from_vec(sp_val, (nnz, 1), &dev)?;
                let at = Tensor::from_vec(sp_row, nnz, &dev)?;
                let contrib = ws.as_tensor().index_select(&cols, 0)?.broadcast_mul(&vals)?;
                pre = (pre + Tensor::zeros((bs, h), DType::F32, &dev)?.index_add(&at, &contrib, 0)?)?;
            }
            let hid = pre.relu()?.mul(&hmask)?;
            let z = hid.matmul(&w2.as_tensor().t()?)?.broadcast_add(b2.as_tensor())?;
            // Stable BCE with logits: max(z, 0) - z*y + log(1 + exp(-|z|)).
            let loss = ((z.relu()? - z.mul(&by)?)? + z.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?)?;
            let total_w = bw.sum_all()?.to_scalar::<f32>()?;
            if total_w <= 0.0 {
                continue;
            }
            let loss = (loss.mul(&bw)?.sum_all()? / f64::from(total_w))?;
            opt.backward_step(&loss)?;
        }
    }
    let flat =
        |v: &Var| -> Result<Vec<f32>, TrainError> { Ok(v.as_tensor().to_dtype(DType::F32)?.flatten_all()?.to_vec1()?) };
    // The sparse columns follow the dense ones in each hidden unit's row, unstandardised.
    let mut w1_all = flat(&w1)?;
    let (mut mean, mut inv_std) = (mean, inv_std);
    if let Some(ws) = &ws {
        let n = rows.sparse;
        let ws = flat(ws)?;
        let dense = std::mem::take(&mut w1_all);
        for j in 0..h {
            w1_all.extend_from_slice(&dense[j * d..(j + 1) * d]);
            w1_all.extend((0..n).map(|c| ws[c * h + j]));
        }
        mean.resize(d + n, 0.0);
        inv_std.resize(d + n, 1.0);
    }
    Ok(Mlp {
        input: d + rows.sparse,
        hidden: h,
        output: o,
        mean,
        inv_std,
        w1: w1_all,
        b1: flat(&b1)?,
        w2: flat(&w2)?,
        b2: flat(&b2)?,
    })
}

/// `bags` nets fitted on the same rows from different initialisations and shuffles, averaged
/// ([`average`]). One bag is the plain [`fit_mlp`], not an average of one (which would fold the
/// standardisation into the weights and round differently), so `--bags 1` retrains the heads of
/// the recipe before bags byte for byte.
pub fn fit_bagged(
    rows: &Rows,
    subset: &[usize],
    cfg: &MlpTrain,
    bags: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Mlp, TrainError> {
    if bags == 1 {
        return fit_mlp(rows, subset, cfg, rng);
    }
    let nets = (0..bags).map(|_| fit_mlp(rows, subset, cfg, rng)).collect::<Result<Vec<_>, _>>()?;
    average(&nets)
}

/// One head whose logits are the mean of `heads`' logits, exactly: each member's input
/// standardisation is folded into its first layer, the hidden layers are stacked side by side and
/// the output layer averages them. The shipped heads are the cross-fitting folds' members
/// averaged this way, so what was measured out of fold (each member on data it never saw) is what
/// the ensemble is made of; a head refitted on all the data would have a different scale than
/// the out-of-fold scores its calibration and thresholds were chosen on.
pub fn average(heads: &[Mlp]) -> Result<Mlp, TrainError> {
    let first = heads.first().ok_or_else(|| TrainError::Fit("nothing to average".into()))?;
    let (d, o) = (first.input, first.output);
    if heads.iter().any(|m| m.input != d || m.output != o) {
        return Err(TrainError::Fit("heads of different shapes cannot be averaged".into()));
    }
    let k = heads.len() as f32;
    let hidden: usize = heads.iter().map(|m| m.hidden).sum();
    let (mut w1, mut b1) = (Vec::with_capacity(hidden * d), Vec::with_capacity(hidden));
    for m in heads {
        for j in 0..m.hidden {
            let row = &m.w1[j * d..(j + 1) * d];
            // w · ((x - mean) * inv_std) + b = (w * inv_std) · x + (b - Σ w * inv_std * mean)
            let scaled: Vec<f32> = row.iter().zip(&m.inv_std).map(|(w, s)| w * s).collect();
            let shift: f32 = scaled.iter().zip(&m.mean).map(|(w, mu)| w * mu).sum();
            w1.extend(scaled);
            b1.push(m.b1[j] - shift);
        }
    }
    let mut w2 = vec![0.0f32; o * hidden];
    let mut offset = 0;
    for m in heads {
        for out in 0..o {
            for j in 0..m.hidden {
                w2[out * hidden + offset + j] = m.w2[out * m.hidden + j] / k;
            }
        }
        offset += m.hidden;
    }
    let b2 = (0..o).map(|out| heads.iter().map(|m| m.b2[out]).sum::<f32>() / k).collect();
    Ok(Mlp { input: d, hidden, output: o, mean: vec![0.0; d], inv_std: vec![1.0; d], w1, b1, w2, b2 })
}

/// Logistic regression of the labels on one logit (damped Newton's method), returns `(a, b)`, with
/// a weight per point.
///
/// Targets are smoothed as in Platt's paper (`(N+ + 1) / (N+ + 2)` and `1 / (N- + 2)`) and a weak
/// prior pulls towards `(1, 0)`, so a set the head separates perfectly still gives a finite,
/// sensible scale.
pub fn fit_platt(z: &[f32], y: &[bool], w: &[f32]) -> (f32, f32) {
    const PRIOR: f64 = 1e-3;
    let wsum = |pos: bool| y.iter().zip(w).filter(|(l, _)| **l == pos).map(|(_, w)| f64::from(*w)).sum::<f64>();
    let (n_pos, n_neg) = (wsum(true), wsum(false));
    let (t_pos, t_neg) = ((n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0));
    let target = |yi: bool| if yi { t_pos } else { t_neg };
    let n = n_pos + n_neg;
    let loss = |a: f64, b: f64| -> f64 {
        let mut l = PRIOR * ((a - 1.0).powi(2) + b * b) * n;
        for ((&zi, &yi), &wi) in z.iter().zip(y).zip(w) {
            let u = a * f64::from(zi) + b;
            // log(1 + e^u) - t u, stably.
            l += f64::from(wi) * (u.max(0.0) + (-u.abs()).exp().ln_1p() - target(yi) * u);
        }
        l
    };
    let (mut a, mut b) = (1.0f64, 0.0f64);
    let mut current = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb) = (2.0 * PRIOR * n * (a - 1.0), 2.0 * PRIOR * n * b);
        let (mut haa, mut hab, mut hbb) = (2.0 * PRIOR * n, 0.0, 2.0 * PRIOR * n);
        for ((&zi, &yi), &wi) in z.iter().zip(y).zip(w) {
            let (zi, wi) = (f64::from(zi), f64::from(wi));
            let p = 1.0 / (1.0 + (-(a * zi + b)).exp());
            let dd = wi * (p - target(yi));
            let ww = wi * p * (1.0 - p);
            ga += dd * zi;
            gb += dd;
            haa += ww * zi * zi;
            hab += ww * zi;
            hbb += ww;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-6 {
            let (na, nb) = (a - step * da, b - step * db);
            let l = loss(na, nb);
            if l <= current {
                (a, b, current, improved) = (na, nb, l, true);
                break;
            }
            step /= 2.0;
        }
        if !improved || (step * (da.abs() + db.abs())) < 1e-8 {
            break;
        }
    }
    (a as f32, b as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::mlp::sigmoid;
    use rand::SeedableRng;

    #[test]
    fn platt_recovers_a_known_scale() {
        let z: Vec<f32> = (0..2000).map(|i| (i as f32 - 1000.0) / 200.0).collect();
        // Labels drawn deterministically from sigmoid(2z - 1).
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let y: Vec<bool> = z.iter().map(|&v| rng.random_bool(f64::from(sigmoid(2.0 * v - 1.0)))).collect();
        let (a, b) = fit_platt(&z, &y, &vec![1.0; z.len()]);
        assert!((a - 2.0).abs() < 0.4 && (b + 1.0).abs() < 0.4, "a={a} b={b}");
        // Doubling every weight is the same problem.
        let (a2, b2) = fit_platt(&z, &y, &vec![2.0; z.len()]);
        assert!((a - a2).abs() < 0.05 && (b - b2).abs() < 0.05);
    }

    #[test]
    fn the_average_head_gives_the_mean_logit_of_its_members() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut member = |hidden: usize| {
            let mut r = |n: usize| (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect::<Vec<f32>>();
            Mlp {
                input: 3,
                hidden,
                output: 2,
                mean: r(3),
                inv_std: r(3).iter().map(|v| v.abs() + 0.5).collect(),
                w1: r(hidden * 3),
                b1: r(hidden),
                w2: r(2 * hidden),
                b2: r(2),
            }
        };
        let (a, b) = (member(4), member(3));
        let avg = average(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(avg.hidden, 7);
        for x in [[0.3, -1.0, 2.0], [0.0, 0.0, 0.0], [-2.0, 0.5, 0.1]] {
            let (ya, yb, y) = (a.forward(&x), b.forward(&x), avg.forward(&x));
            for i in 0..2 {
                assert!((y[i] - (ya[i] + yb[i]) / 2.0).abs() < 1e-5, "{y:?} vs {ya:?} {yb:?}");
            }
        }
        assert!(average(&[]).is_err());
        assert!(average(&[a, Mlp { input: 4, ..b }]).is_err());
    }

    #[test]
    fn sparse_columns_are_learnt_unstandardised_and_follow_the_dense_ones() {
        // The label is whether sparse column 5 is present; the dense columns are noise.
        let mut rows = Rows::with_sparse(2, 8, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for i in 0..400 {
            let x: [f32; 2] = [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            let col = if i % 2 == 0 { 5 } else { i as u32 % 5 };
            rows.push_sparse(&x, &[(col, 1.0)], &[f32::from(u8::from(col == 5))], 1.0);
        }
        let cfg = MlpTrain {
            hidden: 8,
            epochs: 20,
            lr: 1e-2,
            weight_decay: 0.0,
            batch: 32,
            in_dropout: 0.1,
            hid_dropout: 0.0,
            pos_weight: 1.0,
        };
        let subset: Vec<usize> = (0..rows.len()).collect();
        let m = fit_mlp(&rows, &subset, &cfg, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        assert_eq!(m.input, 10);
        assert!(m.unstandardised_after(2));
        let p = |col: u32| sigmoid(m.forward_sparse(&[0.1, -0.2], &[(col, 1.0)])[0]);
        assert!(p(5) > 0.9 && p(2) < 0.1, "present {} absent {}", p(5), p(2));
        // The assembled row gives the same logits (the sparse weights sit after the dense ones).
        let mut full = vec![0.1, -0.2];
        full.extend((0..8).map(|c| if c == 5 { 1.0 } else { 0.0 }));
        assert!((m.forward(&full)[0] - m.forward_sparse(&[0.1, -0.2], &[(5, 1.0)])[0]).abs() < 1e-5);
        // A column no row has keeps a zero weight: it adds nothing.
        assert!((0..8).all(|j| m.w1[j * m.input + 2 + 7] == 0.0), "column 7 was never present");
        // Rows without sparse columns fit exactly as before: the same draws, the same head.
        let mut dense = Rows::new(2, 1);
        let mut sparse_free = Rows::with_sparse(2, 0, 1);
        for r in 0..rows.len() {
            dense.push(rows.x(r), &rows.y[r..r + 1], 1.0);
            sparse_free.push_sparse(rows.x(r), &[], &rows.y[r..r + 1], 1.0);
        }
        let fit = |rows: &Rows| fit_mlp(rows, &subset, &cfg, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        assert_eq!(fit(&dense), fit(&sparse_free));
    }

    #[test]
    fn a_bagged_head_is_the_exact_average_of_its_nets_fitted_in_turn() {
        let mut rows = Rows::new(2, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..120 {
            let x: [f32; 2] = [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            rows.push(&x, &[f32::from(u8::from(x[0] + x[1] > 0.0))], 1.0);
        }
        let subset: Vec<usize> = (0..120).collect();
        let cfg = MlpTrain {
            hidden: 4,
            epochs: 5,
            lr: 1e-2,
            weight_decay: 0.0,
            batch: 16,
            in_dropout: 0.1,
            hid_dropout: 0.1,
            pos_weight: 1.0,
        };
        let bagged = fit_bagged(&rows, &subset, &cfg, 3, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
        assert_eq!(bagged.hidden, 12);
        // The same generator, drawn from in the same order, gives the same three nets.
        let mut same = ChaCha8Rng::seed_from_u64(9);
        let nets: Vec<Mlp> = (0..3).map(|_| fit_mlp(&rows, &subset, &cfg, &mut same).unwrap()).collect();
        assert_ne!(nets[0].w1, nets[1].w1, "the bags must start from different weights");
        for x in [[0.5f32, 0.2], [-0.7, 0.1], [0.0, 0.0]] {
            let mean = nets.iter().map(|m| m.forward(&x)[0]).sum::<f32>() / 3.0;
            assert!((bagged.forward(&x)[0] - mean).abs() < 1e-5);
        }
        // One bag is the plain fit.
        let one = fit_bagged(&rows, &subset, &cfg, 1, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
        assert_eq!(one.w1, nets[0].w1);
    }

    #[test]
    fn a_positive_weight_moves_an_undecidable_input_towards_the_positives() {
        // The same input, labelled 1 half of the time: plain BCE gives 0.5, positives weighing 3×
        // give 3 / (3 + 1).
        let mut rows = Rows::new(1, 1);
        for i in 0..200 {
            rows.push(&[0.0], &[f32::from(u8::from(i % 2 == 0))], 1.0);
        }
        let subset: Vec<usize> = (0..200).collect();
        for (pos_weight, expected) in [(1.0, 0.5), (3.0, 0.75)] {
            let cfg = MlpTrain {
                hidden: 4,
                epochs: 100,
                lr: 1e-2,
                weight_decay: 0.0,
                batch: 50,
                in_dropout: 0.0,
                hid_dropout: 0.0,
                pos_weight,
            };
            let m = fit_mlp(&rows, &subset, &cfg, &mut ChaCha8Rng::seed_from_u64(2)).unwrap();
            let p = sigmoid(m.forward(&[0.0])[0]);
            assert!((p - expected).abs() < 0.03, "pos_weight {pos_weight}: {p}");
        }
    }

    #[test]
    fn a_head_learns_a_separable_rule_only_from_its_subset() {
        // y = x0 > 0; rows 100.. carry the opposite label and must be ignored.
        let mut rows = Rows::new(2, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for i in 0..200 {
            let x0: f32 = rng.random_range(-1.0..1.0);
            let y = if (x0 > 0.0) == (i < 100) { 1.0 } else { 0.0 };
            rows.push(&[x0, rng.random_range(-1.0..1.0)], &[y], 1.0);
        }
        let cfg = MlpTrain {
            hidden: 8,
            epochs: 200,
            lr: 1e-2,
            weight_decay: 0.0,
            batch: 32,
            in_dropout: 0.0,
            hid_dropout: 0.0,
            pos_weight: 1.0,
        };
        let subset: Vec<usize> = (0..100).collect();
        let m = fit_mlp(&rows, &subset, &cfg, &mut rng).unwrap();
        assert!(m.forward(&[0.8, 0.0])[0] > 0.0 && m.forward(&[-0.8, 0.0])[0] < 0.0);
        assert!(fit_mlp(&rows, &[], &cfg, &mut rng).is_err());
    }
}
