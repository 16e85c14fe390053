//! Encoder throughput on human-written chat: messages/s of tokenise + embed for multilingual-e5-small
//! (int8 on AVX-512 VNNI, else f32), one batch of 64 normalised messages at a time, as the
//! pipeline calls it — and the same with the f32 path forced, to show what the int8 kernels buy.
//!
//! `cargo bench --bench encoder` (needs the encoder weights — `jaga model fetch` — and
//! `../shared/realchat`; skips with a note otherwise). `benches/peers/run.sh` compares the same
//! messages with PyTorch and ONNX Runtime.

#[path = "common/realchat.rs"]
mod realchat;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jaga::model::{bert, ensure_e5_small, BertEncoder, Encoder, EncoderOptions, ModelCache, DEFAULT_MAX_TOKENS};
use jaga::normalize::normalize;
use jaga_kernels::Isa;

/// Every message text of the selection, in order.
fn texts() -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for line in realchat::conversation_lines()? {
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        for m in v["messages"].as_array().into_iter().flatten() {
            out.push(m["text"].as_str().unwrap_or_default().to_owned());
        }
    }
    Ok(out)
}

fn encoder_throughput(c: &mut Criterion) {
    let texts = match texts() {
        Ok(t) => t,
        Err(e) => return eprintln!("skipping the encoder bench: {e}"),
    };
    let paths = match ModelCache::from_env().and_then(|cache| ensure_e5_small(&cache)) {
        Ok(p) => p,
        Err(e) => return eprintln!("skipping the encoder bench: {e}"),
    };
    let normalized: Vec<String> = texts.iter().map(|t| normalize(t)).collect();
    let threads = EncoderOptions::default().resolved_threads();
    let mut group = c.benchmark_group("encoder");
    group.sample_size(10);
    for (isa, share) in [(Isa::detect(), 1), (Isa::Portable, 8)] {
        let enc = BertEncoder::load_for(&paths, bert::E5_SMALL_STYLE, DEFAULT_MAX_TOKENS, isa)
            .expect("loading e5-small")
            .with_workers(threads);
        // The f32 path is several times slower: a share of the messages keeps the run short.
        let msgs: Vec<&str> = normalized.iter().step_by(share).map(String::as_str).collect();
        let tokens: usize =
            msgs.chunks(64).map(|c| enc.tokenize(c).expect("tokenize").mask.iter().filter(|&&m| m == 1).count()).sum();
        eprintln!(
            "encoder bench: {} messages, {:.1} tokens a message (\"query: \" prefix included), {threads} threads, {}",
            msgs.len(),
            tokens as f64 / msgs.len() as f64,
            isa.name()
        );
        group.throughput(Throughput::Elements(msgs.len() as u64));
        group.bench_function(format!("e5-small/{}/batch64", isa.name()), |b| {
            b.iter(|| {
                for chunk in msgs.chunks(64) {
                    std::hint::black_box(enc.encode_timed(chunk).expect("encode"));
                }
            })
        });
        if isa == Isa::Portable {
            continue;
        }
        group.bench_function(format!("e5-small/{}/tokenize-only", isa.name()), |b| {
            b.iter(|| {
                for chunk in msgs.chunks(64) {
                    std::hint::black_box(enc.tokenize(chunk).expect("tokenize"));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, encoder_throughput);
criterion_main!(benches);
