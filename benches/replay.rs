//! End-to-end replay throughput: messages/s through normalise → tokenise → encode → window →
//! score → policy (the path of `jaga run`, minus Kafka), on human-written chat — the stream of
//! `benches/common/realchat.rs`, the same messages `benches/peers/run.sh` gives PyTorch and ONNX
//! Runtime. Every message goes through the transformer: the embedding cache is off (criterion
//! replays the same stream many times, so the cache would answer everything after the first
//! pass; `jaga replay` prints the hit rate of a single pass instead).
//!
//! `cargo bench --profile dev --bench replay` (needs the encoder weights — `jaga model fetch` —
//! and `../shared/realchat`; skips with a note otherwise).

#[path = "common/realchat.rs"]
mod realchat;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use jaga::config::Config;
use jaga::dataset::LabelledConversation;
use jaga::engine::Input;

fn stream() -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for line in realchat::conversation_lines()? {
        let conv: LabelledConversation = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        for message in conv.to_chat_messages()? {
            out.push(Input { message, source: None });
        }
    }
    Ok(out)
}

fn replay_throughput(c: &mut Criterion) {
    // As the `jaga` binary does at start; nothing else runs yet.
    jaga::model::leave_threading_to_the_encoder();
    let inputs = match stream() {
        Ok(i) => i,
        Err(e) => return eprintln!("skipping the replay bench: {e}"),
    };
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(inputs.len() as u64));
    let mut cfg = Config::default();
    cfg.model.embedding_cache_mb = 0;
    let mut engine = match jaga::cli::build_engine(&cfg, None) {
        Ok(e) => e,
        Err(e) => return eprintln!("skipping the replay bench: {e:#}"),
    };
    let name = format!("{}/batch{}", engine.encoder_id(), cfg.pipeline.max_batch);
    group.bench_function(name, |b| {
        b.iter_batched(
            || inputs.clone(),
            |inputs| {
                engine.forget_all();
                for chunk in inputs.chunks(cfg.pipeline.max_batch) {
                    engine.process(chunk).expect("scoring");
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, replay_throughput);
criterion_main!(benches);
