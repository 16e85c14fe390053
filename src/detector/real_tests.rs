//! The shipped heads with the real encoder weights, in every `cargo test`: skipped with a note
//! when the weights are not in the model cache, a failure instead when `CI` is set.
//!
//! Training and measuring the shipped heads are `jaga` commands (see `models/MODEL_CARD.md`), not
//! tests: `jaga synth`, `jaga train --background ../shared/realchat`, `jaga eval`.

use super::Detector;
use crate::dataset::read_jsonl;
use crate::engine::{Engine, EngineOptions};
use crate::eval::{score_conversations, EvalReport, DEFAULT_K_HALF};
use crate::model::{load_encoder, Encoder, EncoderKind, EncoderOptions, ModelCache};
use crate::policy::Profile;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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
    let models = repo().join("models");
    let det = Detector::load(&models, enc.as_ref()).unwrap();
    let profile = Profile::load("default", &models.join("profiles")).unwrap();
    let mut engine = Engine::new(enc, det, profile.clone(), EngineOptions::default());
    let shared = repo().join("../shared/samples/conversations.sample.jsonl");
    let convs = read_jsonl(&shared).unwrap();
    let results = score_conversations(&mut engine, &convs, &indicatif::ProgressBar::hidden()).unwrap();
    let r = EvalReport::compute(&results, &profile, engine.model_version(), DEFAULT_K_HALF).unwrap();
    // Every grooming sample must outrank every benign one on maximum risk.
    assert_eq!(r.overall.auc_pr, Some(1.0), "{r:?}");
}
