//! Tests and drivers that need the real encoder weights.
//!
//! `shipped_heads_rank_sample_grooming_above_benign` runs in every `cargo test`: it skips with a
//! note when the weights are not in the model cache, and fails instead when `CI` is set.
//!
//! The `#[ignore]`d drivers train and measure the shipped heads (minutes of encoding):
//!
//! ```text
//! JAGA_WHEELS_DIR=/work/wheels JAGA_TRAIN_FILES=train.jsonl \
//!   cargo test --lib detector::real_tests::train_shipped_heads -- --ignored --nocapture
//! JAGA_WHEELS_DIR=/work/wheels \
//!   cargo test --lib detector::real_tests::score_devset -- --ignored --nocapture
//! ```

use super::train::{evaluate, train, TrainOptions, DEFAULT_ALERT_THRESHOLD};
use super::Detector;
use crate::dataset::{read_jsonl, LabelledConversation};
use crate::model::{load_encoder, Encoder, EncoderKind, EncoderOptions, ModelCache};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where training caches embeddings: `<model cache>/embeddings`.
fn cache_dir() -> PathBuf {
    ModelCache::from_env().map(|c| c.root().join("embeddings")).unwrap_or_else(|_| repo().join("target/embeddings"))
}

/// The real encoder when its converted weights are already in the model cache (never fetches).
fn real_encoder() -> Result<Box<dyn Encoder>, String> {
    let cache = ModelCache::from_env().map_err(|e| e.to_string())?;
    let p = cache.e5_paths();
    if !(p.weights.is_file() && p.tokenizer.is_file() && p.config.is_file()) {
        return Err(format!("multilingual-e5-small is not converted in {}", cache.root().display()));
    }
    load_encoder(EncoderKind::E5Small, &EncoderOptions::default()).map_err(|e| e.to_string())
}

fn read_all(paths: &[PathBuf]) -> Vec<LabelledConversation> {
    paths.iter().flat_map(|p| read_jsonl(p).unwrap()).collect()
}

fn devset(models: &Path, enc: &dyn Encoder) {
    let det = Detector::load(models, enc).unwrap();
    println!("model_version {}", det.version());
    for name in ["devset_en.jsonl", "devset_id.jsonl"] {
        let p = Path::new("/work/shared/devset").join(name);
        if !p.exists() {
            println!("{name}: not present, skipped");
            continue;
        }
        let convs = read_jsonl(&p).unwrap();
        let r = evaluate(&det, enc, &convs, DEFAULT_ALERT_THRESHOLD, Some(&cache_dir())).unwrap();
        println!("{name}: {}", serde_json::to_string_pretty(&r).unwrap());
    }
}

fn synth() -> Vec<LabelledConversation> {
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|s| s.parse().ok()).unwrap_or(d);
    crate::dataset::synth::generate(&crate::dataset::synth::SynthOptions {
        seed: env("JAGA_SYNTH_SEED", 1) as u64,
        conversations: env("JAGA_SYNTH_N", 800),
        ..Default::default()
    })
}

/// Template families named in `JAGA_HOLDOUT` (comma separated); none when unset.
fn holdout_families() -> Vec<String> {
    std::env::var("JAGA_HOLDOUT").map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default()
}

#[test]
#[ignore = "writes synthetic conversations to $JAGA_SYNTH_OUT for inspection"]
fn dump_synth() {
    let out = std::env::var("JAGA_SYNTH_OUT").unwrap_or_else(|_| "/tmp/synth.jsonl".into());
    let f = std::fs::File::create(&out).unwrap();
    crate::dataset::write_jsonl(std::io::BufWriter::new(f), &synth()).unwrap();
}

#[test]
#[ignore = "trains the shipped heads with the real encoder (minutes)"]
fn train_shipped_heads() {
    let enc = real_encoder().unwrap();
    // Labelled files if given, else freshly generated synthetic conversations.
    let convs = match std::env::var("JAGA_TRAIN_FILES") {
        Ok(files) => read_all(&files.split(',').map(PathBuf::from).collect::<Vec<_>>()),
        Err(_) => synth(),
    };
    let out = std::env::var_os("JAGA_MODELS_OUT").map(PathBuf::from).unwrap_or_else(|| repo().join("models"));
    let opts = TrainOptions {
        seed: std::env::var("JAGA_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7),
        epochs: std::env::var("JAGA_EPOCHS").ok().and_then(|s| s.parse().ok()).unwrap_or(30),
        holdout_families: holdout_families(),
        out_dir: out.clone(),
        exemplars_dir: repo().join("models/exemplars"),
        cache_dir: Some(cache_dir()),
        alert_threshold: DEFAULT_ALERT_THRESHOLD,
    };
    let report = train(&convs, enc.as_ref(), &opts).unwrap();
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    devset(&out, enc.as_ref());
}

/// Recall and false alerts of the shipped heads on the held-out families, clean and with every
/// message obfuscated (one technique per message: leetspeak, look-alike letters, zero-width
/// characters or s p a c e d words), to see what normalisation recovers:
///
/// ```text
/// JAGA_SYNTH_N=2000 JAGA_SYNTH_SEED=1 JAGA_HOLDOUT=<families> JAGA_OBF_MAX=300 \
///   cargo test --lib detector::real_tests::measure_obfuscation_drop -- --ignored --nocapture
/// ```
#[test]
#[ignore = "scores held-out synthetic families clean and obfuscated (measurement only)"]
fn measure_obfuscation_drop() {
    use rand::SeedableRng;
    let enc = real_encoder().unwrap();
    let holdout = holdout_families();
    assert!(!holdout.is_empty(), "JAGA_HOLDOUT: the held-out families");
    let max = std::env::var("JAGA_OBF_MAX").ok().and_then(|s| s.parse().ok()).unwrap_or(300usize);
    let mut convs: Vec<LabelledConversation> =
        synth().into_iter().filter(|c| c.family.as_ref().is_some_and(|f| holdout.contains(f))).collect();
    if convs.len() > max {
        let step = convs.len().div_ceil(max);
        convs = convs.into_iter().step_by(step).collect();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let obfuscated: Vec<LabelledConversation> = convs
        .iter()
        .cloned()
        .map(|mut c| {
            for m in &mut c.messages {
                m.text = crate::dataset::synth::obfuscate(&m.text, &mut rng);
            }
            c
        })
        .collect();
    let det = Detector::load(&repo().join("models"), enc.as_ref()).unwrap();
    let clean = evaluate(&det, enc.as_ref(), &convs, DEFAULT_ALERT_THRESHOLD, Some(&cache_dir())).unwrap();
    let dirty = evaluate(&det, enc.as_ref(), &obfuscated, DEFAULT_ALERT_THRESHOLD, Some(&cache_dir())).unwrap();
    println!("clean: {}", serde_json::to_string_pretty(&clean).unwrap());
    println!("obfuscated: {}", serde_json::to_string_pretty(&dirty).unwrap());
    println!(
        "recall {:.3} -> {:.3} ({:+.1} points); F0.5 {:.3} -> {:.3}",
        clean.overall.recall,
        dirty.overall.recall,
        100.0 * (dirty.overall.recall - clean.overall.recall),
        clean.overall.f0_5,
        dirty.overall.f0_5
    );
}

#[test]
#[ignore = "scores the human-written devset with the shipped heads (measurement only)"]
fn score_devset() {
    let enc = real_encoder().unwrap();
    let models = std::env::var_os("JAGA_MODELS_OUT").map(PathBuf::from).unwrap_or_else(|| repo().join("models"));
    devset(&models, enc.as_ref());
}

#[test]
fn shipped_heads_rank_sample_grooming_above_benign() {
    let enc = match real_encoder() {
        Ok(e) => e,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: real encoder unavailable ({why}); set CI=1 to make this a failure");
            return;
        }
        Err(why) => panic!("CI is set but the real encoder is unavailable: {why}"),
    };
    let det = Detector::load(&repo().join("models"), enc.as_ref()).unwrap();
    let convs = read_jsonl(Path::new("/work/shared/samples/conversations.sample.jsonl"))
        .or_else(|_| read_jsonl(&repo().join("tests/data/conversations.sample.jsonl")))
        .unwrap();
    let r = evaluate(&det, enc.as_ref(), &convs, DEFAULT_ALERT_THRESHOLD, None).unwrap();
    // Every grooming sample must outrank every benign one on maximum risk.
    assert!((r.overall.auc_pr - 1.0).abs() < 1e-9, "{r:?}");
}
