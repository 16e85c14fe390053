//! CPU kernels behind jaga's sentence encoder.
//!
//! The encoder (multilingual-e5-small, a 12-layer BERT) spends almost all of its time in eight
//! matrix products per layer. On the x86-64 machines jaga runs on, AVX-512 VNNI multiplies bytes
//! at four times the rate of f32 fused multiply-adds, so the linear layers run in int8: weights
//! quantised once per output channel, activations per row on the fly ([`qgemm`]). Everything that
//! is sensitive to rounding (softmax, layer norm, GELU, residual sums) stays in f32.
//!
//! Every kernel has a portable f32 implementation too ([`sgemm`] and the `portable` halves of the
//! other modules), chosen at run time by [`Isa::detect`] on machines without AVX-512 VNNI (older
//! x86-64, ARM). Both paths compute each output row from its own input row only, in a fixed order,
//! so a text's embedding never depends on which other texts share its batch.
//!
//! This crate is built at `opt-level = 3` even in jaga's dev profile (see the workspace
//! `Cargo.toml`): SIMD code is only as fast as the inliner and register allocator make it.

pub mod act;
pub mod attention;
pub mod bgemm;
pub mod norm;
pub mod qgemm;
pub mod quant;
pub mod sgemm;

/// Makes `v` at least `n` long, never shorter: scratch buffers reused across calls of varying size
/// are zero-filled only when they grow.
pub fn grow<T: Copy + Default>(v: &mut Vec<T>, n: usize) {
    if v.len() < n {
        v.resize(n, T::default());
    }
}

/// The instruction set the kernels run on, detected once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// AVX-512 F/BW/VL with VNNI: int8 linear layers, AVX-512 element-wise kernels.
    Avx512Vnni,
    /// AVX-512 BF16 linear layers ([`bgemm`]): only on request (`JAGA_ISA=avx512-bf16`), to
    /// compare with int8.
    Avx512Bf16,
    /// Anything else: f32 everywhere, plain Rust that the compiler vectorises for the target.
    Portable,
}

impl Isa {
    /// The best instruction set this CPU supports.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512vnni")
            {
                return Isa::Avx512Vnni;
            }
        }
        Isa::Portable
    }

    /// [`Isa::detect`], unless `JAGA_ISA` asks for `portable` or (where the CPU has it)
    /// `avx512-bf16`, to compare the paths on one machine.
    pub fn from_env() -> Isa {
        match std::env::var("JAGA_ISA").as_deref() {
            Ok("portable") => Isa::Portable,
            Ok("avx512-bf16") if bgemm::bf16_available() && Isa::detect() == Isa::Avx512Vnni => Isa::Avx512Bf16,
            _ => Isa::detect(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512Vnni => "avx512-vnni",
            Isa::Avx512Bf16 => "avx512-bf16",
            Isa::Portable => "portable",
        }
    }
}
