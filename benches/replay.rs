//! End-to-end replay throughput: messages/s through normalise → tokenise → encode → window →
//! score → policy, every message scored by the transformer (the same path as `jaga run`, minus
//! Kafka). Compare with the ~144 messages/s of PyTorch on the same weights on 2 cores.
//!
//! `cargo bench --bench replay` (needs the encoder weights; `jaga model fetch` gets them).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use jaga::config::Config;
use jaga::engine::Input;
use jaga::message::decode_str;

fn demo_stream(copies: usize) -> Vec<Input> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/demo.messages.jsonl"))
        .expect("samples/demo.messages.jsonl");
    let mut out = Vec::new();
    for c in 0..copies {
        for line in text.lines() {
            let mut m = decode_str(line).expect("valid sample");
            m.conversation_id = format!("c{c}-{}", m.conversation_id);
            m.message_id = format!("c{c}-{}", m.message_id);
            out.push(Input { message: m, source: None });
        }
    }
    out
}

fn replay_throughput(c: &mut Criterion) {
    // As the `jaga` binary does at start; nothing else runs yet.
    jaga::model::leave_threading_to_the_encoder();
    let cfg = Config::default();
    let mut engine = match jaga::cli::build_engine(&cfg, None) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("skipping the replay bench: {e:#}");
            return;
        }
    };
    let inputs = demo_stream(8);
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(inputs.len() as u64));
    for batch in [16usize, 64] {
        group.bench_function(format!("{}/batch{batch}", engine.encoder_id()), |b| {
            b.iter_batched(
                || inputs.clone(),
                |inputs| {
                    engine.forget_all();
                    for chunk in inputs.chunks(batch) {
                        engine.process(chunk).expect("scoring");
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, replay_throughput);
criterion_main!(benches);
