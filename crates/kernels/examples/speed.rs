//! Kernel speed on this machine (thread CPU time, so a busy machine still gives per-core figures):
//! `cargo run -p jaga-kernels --example speed`.
use jaga_kernels::bgemm::{self, Bf16Rows, Bf16Weights};
use jaga_kernels::qgemm::{gemm, Epilogue, QuantWeights};
use jaga_kernels::quant::QuantRows;

fn cpu_now() -> f64 {
    #[repr(C)]
    struct Ts {
        s: i64,
        ns: i64,
    }
    extern "C" {
        fn clock_gettime(clk: i32, ts: *mut Ts) -> i32;
    }
    let mut ts = Ts { s: 0, ns: 0 };
    // SAFETY: valid out-pointer.
    unsafe { clock_gettime(3, &mut ts) };
    ts.s as f64 + ts.ns as f64 * 1e-9
}

fn main() {
    for &(m, k, n, gelu) in &[
        (160usize, 384usize, 1152usize, false),
        (160, 384, 384, false),
        (64, 384, 1536, true),
        (64, 384, 1536, false),
        (64, 1536, 384, false),
    ] {
        let x: Vec<f32> = (0..m * k).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
        let w: Vec<f32> = (0..n * k).map(|i| ((i * 104729) % 1000) as f32 / 5000.0 - 0.1).collect();
        let b = vec![0.1f32; n];
        let qw = QuantWeights::quantize(&w, &b, n, k);
        let mut a = QuantRows::default();
        a.quantize(&x, m, k);
        let mut out = vec![0f32; m * n];
        let reps = 200;
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = cpu_now();
            for _ in 0..reps {
                gemm(&a, 0..m, &qw, if gelu { Epilogue::BiasGelu } else { Epilogue::Bias }, &mut out, n);
            }
            best = best.min((cpu_now() - t) / reps as f64);
        }
        let macs = (m * k * n) as f64;
        let t = cpu_now();
        for _ in 0..reps {
            a.quantize(&x, m, k);
        }
        let q = (cpu_now() - t) / reps as f64;
        println!(
            "M={m} K={k} N={n} gelu={gelu}: int8 {:.1} us, {:.1} GMAC/s; quantize {:.1} us",
            best * 1e6,
            macs / best / 1e9,
            q * 1e6
        );
        if bgemm::bf16_available() {
            let bw = Bf16Weights::pack(&w, &b, n, k);
            let mut ab = Bf16Rows::default();
            ab.convert(&x, m, k);
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = cpu_now();
                for _ in 0..reps {
                    bgemm::gemm(&ab, &bw, if gelu { Epilogue::BiasGelu } else { Epilogue::Bias }, &mut out, n);
                }
                best = best.min((cpu_now() - t) / reps as f64);
            }
            println!("{:>34} bf16 {:.1} us, {:.1} GMAC/s", "", best * 1e6, macs / best / 1e9);
        }
    }
}
