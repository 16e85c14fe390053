//! Test fixtures shared by unit tests: a detector for the `hashing` encoder, trained once per test
//! run on the project's synthetic conversations, so engine tests need no model weights.

use crate::detector::Detector;
use crate::engine::{Engine, EngineOptions};
use crate::model::HashingEncoder;
use crate::policy::Profile;
use crate::train::{train, TrainOptions};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A models folder with heads trained for the `hashing` encoder (kept for the whole test run).
pub fn hashing_models() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let convs = crate::dataset::synth::generate(&crate::dataset::synth::SynthOptions {
            seed: 5,
            conversations: 240,
            ..Default::default()
        });
        let opts = TrainOptions {
            out_dir: dir.path().to_path_buf(),
            exemplars_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("models/exemplars"),
            cache_dir: None,
            ..TrainOptions::default()
        };
        train(&convs, &[], &HashingEncoder::new(), &opts).expect("training heads for the hashing encoder");
        let path = dir.path().to_path_buf();
        (dir, path)
    })
    .1
}

/// An engine on the `hashing` encoder with the trained test heads and the default profile.
pub fn hashing_engine(opts: EngineOptions) -> Engine {
    let encoder = Box::new(HashingEncoder::new());
    let detector = Detector::load(hashing_models(), encoder.as_ref()).expect("test heads load");
    let profile = test_profile();
    Engine::new(encoder, detector, profile, opts)
}

/// A fixed threshold profile for tests. The shipped profiles are re-chosen with every retrain of
/// the e5 heads, so tests that count events on the test heads must not depend on them.
pub fn test_profile() -> Profile {
    Profile::from_toml_str(TEST_PROFILE).expect("test profile parses")
}

/// The TOML of [`test_profile`] (tests edit it to check validation messages); the integration
/// tests use the same file.
pub const TEST_PROFILE: &str = include_str!("../tests/fixtures/test-profile.toml");
