//! Configuration: built-in defaults, then a TOML file, then command-line flags, then `JAGA_*`
//! environment variables (docs/contracts.md §6: flags override the file, env vars override both — so a
//! deployment can pin a value, e.g. a secret, without editing the file or the command line).
//!
//! Every field is listed once in [`settings::SETTINGS`] (key, type, env var, flag, what it does;
//! defaults come from the `Default` impls here): the `JAGA_*` handling, `jaga run --help`, the
//! README's table and `deploy/jaga.example.toml` are made from it, and a test fails when they
//! drift. Unknown keys are rejected so a typo never silently falls back to a default.

pub mod settings;

use crate::model::EncoderKind;
use crate::window::WindowConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Errors building a [`Config`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub kafka: KafkaConfig,
    pub model: ModelConfig,
    pub pipeline: PipelineConfig,
    pub window: WindowConfig,
    pub events: EventsConfig,
    pub verdicts: VerdictsConfig,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
}

/// Kafka connection and topics.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KafkaConfig {
    /// Bootstrap brokers, comma separated (`bootstrap.servers`).
    pub brokers: String,
    /// Topic of chat messages (docs/contracts.md §1), keyed by conversation id.
    pub input_topic: String,
    /// Topic risk events are written to (docs/contracts.md §2), keyed by conversation id.
    pub output_topic: String,
    /// Topic bad input records are written to, with the reason in headers.
    pub dlq_topic: String,
    /// Consumer group; scale out by running more processes with the same group.
    pub group_id: String,
    /// Compacted topic holding every live conversation's state, co-partitioned with the input
    /// (docs/operations.md says what it holds). Created at start-up with `cleanup.policy=compact`
    /// and the input's partition count when missing. One per consumer group.
    pub state_topic: String,
    /// Topic of reviewers' verdicts on risk events (docs/contracts.md §7), read beside the input as
    /// a side input: every record counts towards `jaga_verdicts_total` and the live precision
    /// gauge, bad ones go to the dead-letter topic. Empty turns verdicts off. A missing topic is a
    /// warning, not an error: jaga picks it up once it is created.
    pub verdicts_topic: String,
    /// Replication factor used when jaga creates the state topic; -1 takes the broker's default.
    pub state_replication_factor: i32,
    /// How often stored offsets are committed, in milliseconds.
    pub commit_interval_ms: u64,
    /// librdkafka settings applied to both consumer and producer (e.g. `security.protocol`,
    /// `sasl.mechanisms`, `sasl.username`, `sasl.password`, `ssl.ca.location`).
    pub librdkafka: BTreeMap<String, String>,
    /// librdkafka settings for the consumer only.
    pub consumer: BTreeMap<String, String>,
    /// librdkafka settings for the producer only.
    pub producer: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: "127.0.0.1:9092".into(),
            input_topic: "chat.messages".into(),
            output_topic: "moderation.risk-events".into(),
            dlq_topic: "chat.messages.dlq".into(),
            group_id: "jaga".into(),
            state_topic: "jaga.state.changelog".into(),
            verdicts_topic: "moderation.verdicts".into(),
            state_replication_factor: -1,
            commit_interval_ms: 5000,
            librdkafka: BTreeMap::new(),
            consumer: BTreeMap::new(),
            producer: BTreeMap::new(),
        }
    }
}

/// Librdkafka keys whose values are secrets: never printed.
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("password") || k.contains("secret") || k.ends_with(".pem") || k.contains("token")
}

fn redacted(map: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    map.iter().map(|(k, v)| (k.as_str(), if is_secret_key(k) { "***" } else { v.as_str() })).collect()
}

impl fmt::Debug for KafkaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaConfig")
            .field("brokers", &self.brokers)
            .field("input_topic", &self.input_topic)
            .field("output_topic", &self.output_topic)
            .field("dlq_topic", &self.dlq_topic)
            .field("group_id", &self.group_id)
            .field("state_topic", &self.state_topic)
            .field("verdicts_topic", &self.verdicts_topic)
            .field("state_replication_factor", &self.state_replication_factor)
            .field("commit_interval_ms", &self.commit_interval_ms)
            .field("librdkafka", &redacted(&self.librdkafka))
            .field("consumer", &redacted(&self.consumer))
            .field("producer", &redacted(&self.producer))
            .finish()
    }
}

/// The detector's model files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// Sentence encoder: `e5-small` (multilingual, default), `minilm` (English-only, lighter) or
    /// `hashing` (no weights; for tests and pipeline benchmarks only, not for detection).
    pub encoder: EncoderKind,
    /// Folder with exemplar banks, trained heads and threshold profiles.
    pub models_dir: PathBuf,
    /// Where fetched and converted encoder weights are cached (default: `$JAGA_CACHE_DIR`,
    /// `$XDG_CACHE_HOME/jaga` or `~/.cache/jaga`).
    pub cache_dir: Option<PathBuf>,
    /// Tokens per message the encoder reads; longer messages are truncated.
    pub max_tokens: usize,
    /// Threads the encoder runs chunks of a batch on; 0 means one per available core. See
    /// [`crate::model::EncoderOptions::threads`].
    pub threads: usize,
    /// Memory for the cache of normalised text → embedding, in MiB; 0 turns it off. Chat repeats
    /// short messages ("ok", "wkwk", stickers); a hit skips tokenising and encoding and gives the
    /// very same vector. Texts stay in memory only.
    pub embedding_cache_mb: usize,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            encoder: EncoderKind::E5Small,
            models_dir: default_models_dir(),
            cache_dir: None,
            max_tokens: 128,
            threads: 0,
            embedding_cache_mb: crate::model::DEFAULT_EMBEDDING_CACHE_BYTES >> 20,
        }
    }
}

impl ModelConfig {
    /// What the encoder loader needs of this section.
    pub fn encoder_options(&self) -> crate::model::EncoderOptions {
        crate::model::EncoderOptions {
            cache_dir: self.cache_dir.clone(),
            max_tokens: self.max_tokens,
            threads: self.threads,
            embedding_cache_bytes: self.embedding_cache_mb << 20,
        }
    }
}

/// `models/` next to the crate when run from a checkout, else `./models`.
pub fn default_models_dir() -> PathBuf {
    let here = PathBuf::from("models");
    if here.is_dir() {
        return here;
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    if built.is_dir() {
        built
    } else {
        here
    }
}

/// Batching and back-pressure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// Most messages encoded in one batch.
    pub max_batch: usize,
    /// How long to wait for a batch to fill before encoding what is there, in milliseconds.
    pub batch_linger_ms: u64,
    /// Batches queued for the inference thread; when full, consumption pauses (back-pressure).
    pub queue_batches: usize,
    /// Records larger than this many bytes are bad records.
    pub max_record_bytes: usize,
    /// `message_id`, `conversation_id` and `sender_id` longer than this many bytes make a record
    /// bad (`id_too_long`): ids are kept for every live message.
    pub max_id_bytes: usize,
    /// Dead-letter copies keep at most this many bytes of the original value; a longer one is cut
    /// and marked with the `jaga.dlq.truncated` header (the source headers point at the original).
    pub dlq_max_payload_bytes: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            max_batch: 64,
            batch_linger_ms: 25,
            queue_batches: 2,
            max_record_bytes: crate::message::DEFAULT_MAX_RECORD_BYTES,
            max_id_bytes: crate::message::DEFAULT_MAX_ID_BYTES,
            dlq_max_payload_bytes: 256 * 1024,
        }
    }
}

/// What events carry and which thresholds decide them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsConfig {
    /// Threshold profile: a built-in name (`default`, `high-recall`, `high-precision`), a name of a
    /// file in `<models_dir>/profiles/`, or a path to a `.toml` file written by `jaga tune`.
    pub profile: String,
    /// Include short excerpts of the original message text in evidence. Off by default: events
    /// leave this process, and chat text should only travel where the platform decided it may.
    pub excerpts: bool,
    /// Maximum characters of an excerpt.
    pub excerpt_chars: usize,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig { profile: "default".into(), excerpts: false, excerpt_chars: 120 }
    }
}

/// The live precision window over reviewers' verdicts (see [`crate::verdicts`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerdictsConfig {
    /// Most recent verdicts per level the precision gauge is computed over. Reviews are sparse: a
    /// few hundred give a figure narrow enough to act on and recent enough to move.
    pub window_verdicts: usize,
    /// Verdicts decided longer ago than this many days leave the window even when it is not full.
    pub window_days: u64,
    /// Event ids this process emitted that are remembered to attribute a verdict to its level
    /// (about 100 bytes each); a verdict on an older or another replica's event uses the verdict's
    /// own `level`, else `unknown`.
    pub remembered_events: usize,
}

impl Default for VerdictsConfig {
    fn default() -> Self {
        let t = crate::verdicts::TrackerConfig::default();
        VerdictsConfig {
            window_verdicts: t.window_verdicts,
            window_days: t.window_age.num_days() as u64,
            remembered_events: t.remembered_events,
        }
    }
}

impl VerdictsConfig {
    /// The tracker's settings.
    pub fn tracker(&self) -> crate::verdicts::TrackerConfig {
        crate::verdicts::TrackerConfig {
            window_verdicts: self.window_verdicts,
            window_age: chrono::Duration::days(self.window_days.min(36_600) as i64),
            remembered_events: self.remembered_events,
            ..Default::default()
        }
    }
}

/// The metrics and health endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Listen address of `/metrics`, `/healthz` and `/readyz`; empty disables the listener.
    pub addr: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { addr: "127.0.0.1:9464".into() }
    }
}

/// Log output.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` for people, `json` for log pipelines.
    pub format: LogFormat,
    /// Filter in `tracing` syntax, e.g. `info` or `jaga=debug,rdkafka=warn`; `RUST_LOG` wins if set.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: LogFormat::Text, level: "info".into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Values given on the command line; `None` leaves the file's (or default) value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub brokers: Option<String>,
    pub input_topic: Option<String>,
    pub output_topic: Option<String>,
    pub dlq_topic: Option<String>,
    pub state_topic: Option<String>,
    pub verdicts_topic: Option<String>,
    pub group_id: Option<String>,
    pub metrics_addr: Option<String>,
    pub profile: Option<String>,
    pub encoder: Option<EncoderKind>,
    pub models_dir: Option<PathBuf>,
    pub excerpts: Option<bool>,
    pub log_format: Option<LogFormat>,
}

impl Config {
    /// Reads a TOML config file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Self::from_toml_str(&text).map_err(|message| ConfigError::Parse { path: path.to_owned(), message })
    }

    pub fn from_toml_str(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Defaults → file → flags → environment, then validation.
    pub fn load(
        file: Option<&Path>,
        overrides: &Overrides,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut cfg = match file {
            Some(p) => Config::from_file(p)?,
            None => Config::default(),
        };
        cfg.apply_overrides(overrides);
        cfg.apply_env(env)?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn apply_overrides(&mut self, o: &Overrides) {
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                dst.clone_from(v);
            }
        };
        set(&mut self.kafka.brokers, &o.brokers);
        set(&mut self.kafka.input_topic, &o.input_topic);
        set(&mut self.kafka.output_topic, &o.output_topic);
        set(&mut self.kafka.dlq_topic, &o.dlq_topic);
        set(&mut self.kafka.state_topic, &o.state_topic);
        set(&mut self.kafka.verdicts_topic, &o.verdicts_topic);
        set(&mut self.kafka.group_id, &o.group_id);
        set(&mut self.metrics.addr, &o.metrics_addr);
        set(&mut self.events.profile, &o.profile);
        if let Some(e) = o.encoder {
            self.model.encoder = e;
        }
        if let Some(d) = &o.models_dir {
            self.model.models_dir.clone_from(d);
        }
        if let Some(x) = o.excerpts {
            self.events.excerpts = x;
        }
        if let Some(f) = o.log_format {
            self.log.format = f;
        }
    }

    /// Applies the `JAGA_*` variables of the settings table ([`settings::SETTINGS`]) and
    /// `JAGA_RDKAFKA_<NAME>`; other variables are ignored.
    pub fn apply_env(&mut self, env: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
        for (var, value) in env {
            if var.starts_with("JAGA_") {
                settings::apply_env(self, &var, &value)?;
            }
        }
        Ok(())
    }

    /// Cross-field rules, with messages that say what to change.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        let k = &self.kafka;
        if k.brokers.trim().is_empty() {
            return bad("kafka.brokers is empty".into());
        }
        let topics = [
            ("input_topic", &k.input_topic),
            ("output_topic", &k.output_topic),
            ("dlq_topic", &k.dlq_topic),
            ("state_topic", &k.state_topic),
        ];
        for (name, t) in topics {
            if t.trim().is_empty() {
                return bad(format!("kafka.{name} is empty"));
            }
        }
        if k.input_topic == k.output_topic || k.input_topic == k.dlq_topic {
            return bad(
                "kafka.input_topic must differ from output_topic and dlq_topic (jaga would read its own output)".into(),
            );
        }
        if topics.iter().filter(|(name, _)| *name != "state_topic").any(|(_, t)| **t == k.state_topic) {
            return bad("kafka.state_topic must be a topic of its own (it is compacted and written by jaga)".into());
        }
        if !k.verdicts_topic.is_empty() && topics.iter().any(|(_, t)| **t == k.verdicts_topic) {
            return bad(
                "kafka.verdicts_topic must be a topic of its own (reviewers' verdicts, not messages or events)".into(),
            );
        }
        if k.state_replication_factor == 0 || k.state_replication_factor < -1 {
            return bad(format!(
                "kafka.state_replication_factor must be -1 (broker default) or at least 1, got {}",
                k.state_replication_factor
            ));
        }
        if k.group_id.trim().is_empty() {
            return bad("kafka.group_id is empty".into());
        }
        // Settings jaga owns: overriding them would break the at-least-once guarantee.
        for owned in ["enable.auto.offset.store", "enable.idempotence", "group.id", "bootstrap.servers"] {
            for (side, map) in [("librdkafka", &k.librdkafka), ("consumer", &k.consumer), ("producer", &k.producer)] {
                if map.contains_key(owned) {
                    return bad(format!(
                        "kafka.{side} sets {owned:?}, which jaga manages itself (use the dedicated field, or leave it out)"
                    ));
                }
            }
        }
        let p = &self.pipeline;
        if p.max_batch == 0 || p.max_batch > 4096 {
            return bad(format!("pipeline.max_batch must be 1..=4096, got {}", p.max_batch));
        }
        if p.queue_batches == 0 {
            return bad("pipeline.queue_batches must be at least 1".into());
        }
        if p.max_record_bytes < 256 {
            return bad(format!("pipeline.max_record_bytes {} is too small to hold a message", p.max_record_bytes));
        }
        if !(16..=1024).contains(&p.max_id_bytes) {
            return bad(format!("pipeline.max_id_bytes must be 16..=1024, got {}", p.max_id_bytes));
        }
        if p.dlq_max_payload_bytes > 900_000 {
            return bad(format!(
                "pipeline.dlq_max_payload_bytes must be at most 900000 (a Kafka message is 1 MB by default), got {}",
                p.dlq_max_payload_bytes
            ));
        }
        self.window.validate().map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if self.model.threads > 256 {
            return bad(format!("model.threads must be 0 (one per core) to 256, got {}", self.model.threads));
        }
        if self.model.embedding_cache_mb > 65_536 {
            return bad(format!(
                "model.embedding_cache_mb must be at most 65536, got {}",
                self.model.embedding_cache_mb
            ));
        }
        if self.model.max_tokens < 8 || self.model.max_tokens > 512 {
            return bad(format!("model.max_tokens must be 8..=512, got {}", self.model.max_tokens));
        }
        if !self.metrics.addr.is_empty() && self.metrics.addr.parse::<SocketAddr>().is_err() {
            return bad(format!("metrics.addr {:?} is not HOST:PORT (an IP address and port)", self.metrics.addr));
        }
        let v = &self.verdicts;
        if !(1..=100_000).contains(&v.window_verdicts) {
            return bad(format!("verdicts.window_verdicts must be 1..=100000, got {}", v.window_verdicts));
        }
        if !(1..=3650).contains(&v.window_days) {
            return bad(format!("verdicts.window_days must be 1..=3650, got {}", v.window_days));
        }
        if v.remembered_events > 10_000_000 {
            return bad(format!("verdicts.remembered_events must be at most 10000000, got {}", v.remembered_events));
        }
        if self.events.excerpt_chars == 0 {
            return bad("events.excerpt_chars must be at least 1".into());
        }
        Ok(())
    }

    /// The configuration as TOML, secrets redacted (for `--print-config`).
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        for map in [&mut shown.kafka.librdkafka, &mut shown.kafka.consumer, &mut shown.kafka.producer] {
            for (k, v) in map.iter_mut() {
                if is_secret_key(k) {
                    *v = "***".into();
                }
            }
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render config: {e}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn defaults_match_the_contract() {
        let c = Config::load(None, &Overrides::default(), Vec::new()).unwrap();
        assert_eq!(c.kafka.brokers, "127.0.0.1:9092");
        assert_eq!(c.kafka.input_topic, "chat.messages");
        assert_eq!(c.kafka.output_topic, "moderation.risk-events");
        assert_eq!(c.kafka.dlq_topic, "chat.messages.dlq");
        assert_eq!(c.kafka.group_id, "jaga");
        assert_eq!(c.kafka.state_topic, "jaga.state.changelog");
        assert_eq!(c.metrics.addr, "127.0.0.1:9464");
        assert!(!c.events.excerpts);
    }

    #[test]
    fn precedence_is_file_then_flags_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jaga.toml");
        std::fs::write(&path, "[kafka]\nbrokers = \"file:1\"\ngroup_id = \"from-file\"\ninput_topic = \"in-file\"\n")
            .unwrap();
        let flags =
            Overrides { brokers: Some("flag:1".into()), group_id: Some("from-flag".into()), ..Default::default() };
        let c = Config::load(Some(&path), &flags, env(&[("JAGA_BROKERS", "env:1")])).unwrap();
        assert_eq!(c.kafka.brokers, "env:1");
        assert_eq!(c.kafka.group_id, "from-flag");
        assert_eq!(c.kafka.input_topic, "in-file");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected_clearly() {
        let e = Config::from_toml_str("[kafka]\nbroker = \"x\"\n").unwrap_err();
        assert!(e.contains("broker"), "{e}");
        let mut c = Config::default();
        c.kafka.output_topic = c.kafka.input_topic.clone();
        assert!(c.validate().unwrap_err().to_string().contains("read its own output"));
        let mut c = Config::default();
        c.kafka.consumer.insert("enable.auto.offset.store".into(), "true".into());
        assert!(c.validate().unwrap_err().to_string().contains("manages itself"));
        let mut c = Config::default();
        c.kafka.state_topic = c.kafka.output_topic.clone();
        assert!(c.validate().unwrap_err().to_string().contains("state_topic"));
        let mut c = Config::default();
        c.window.max_conversation_bytes = 10;
        assert!(c.validate().unwrap_err().to_string().contains("window.max_conversation_bytes"));
        let e = Config::from_toml_str("[window]\nmax_conversations = 5\n").unwrap_err();
        assert!(e.contains("max_conversations"), "the old conversation cap is gone: {e}");
        let c = Config::load(None, &Overrides::default(), env(&[("JAGA_MAX_STATE_BYTES", "2000000")])).unwrap();
        assert_eq!(c.window.max_state_bytes, 2_000_000);
        let mut c = Config::default();
        c.model.threads = 1000;
        assert!(c.validate().unwrap_err().to_string().contains("model.threads"));
        let e = Config::load(None, &Overrides::default(), env(&[("JAGA_EXCERPTS", "yes")])).unwrap_err();
        assert!(e.to_string().contains("JAGA_EXCERPTS"));
    }

    #[test]
    fn the_example_config_documents_exactly_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/jaga.example.toml");
        let example = Config::from_file(&path).unwrap();
        example.validate().unwrap();
        let mut defaults = Config::default();
        // The example names the models folder relative to the working directory.
        defaults.model.models_dir = PathBuf::from("models");
        assert_eq!(toml::to_string(&example).unwrap(), toml::to_string(&defaults).unwrap());
    }

    #[test]
    fn librdkafka_env_passthrough_and_secrets_are_redacted() {
        let c = Config::load(None, &Overrides::default(), env(&[("JAGA_RDKAFKA_SASL_PASSWORD", "hunter2")])).unwrap();
        assert_eq!(c.kafka.librdkafka.get("sasl.password").map(String::as_str), Some("hunter2"));
        assert!(!format!("{:?}", c.kafka).contains("hunter2"));
        assert!(!c.to_redacted_toml().contains("hunter2"));
        assert!(Config::from_toml_str(&c.to_redacted_toml()).is_ok());
    }
}
