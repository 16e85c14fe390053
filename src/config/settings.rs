//! The one table of settings: every configuration field's key, type, environment variable, flag
//! and user-facing description, in one place.
//!
//! Defaults are not repeated here: they are read from [`Config::default`] (the `Default` impls next
//! to each struct), so the code's default is the documented one. Everything users read is made
//! from this table: the `JAGA_*` variables [`Config::apply_env`] understands, the help of every
//! flag that sets a field (`jaga run --help`), the README's configuration table
//! ([`markdown_table`]) and `deploy/jaga.example.toml` ([`example_toml`]). The tests below fail
//! when the table, the structs, the CLI, the README or the example drift apart; run them with
//! `JAGA_BLESS=1` to rewrite the two generated files.
//!
//! The struct fields keep their doc comments: those say *why* a field exists and how the code
//! uses it; the table says *what* it does for someone configuring jaga.

use super::{Config, ConfigError};
use serde_json::Value;

/// What kind of value a setting takes (checked against the default's shape by the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    /// A whole number (negative only where the doc says so).
    Int,
    Bool,
    Path,
    /// A path that may be left out.
    OptPath,
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// A table of librdkafka `"name" = "value"` pairs.
    Table,
}

impl Kind {
    /// How the README names the type.
    pub fn label(self) -> String {
        match self {
            Kind::Str => "string".into(),
            Kind::Int => "integer".into(),
            Kind::Bool => "bool".into(),
            Kind::Path => "path".into(),
            Kind::OptPath => "path (optional)".into(),
            Kind::Choice(c) => c.join(" \\| "),
            Kind::Table => "table".into(),
        }
    }
}

/// One configuration field.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// `section.field`, as in the TOML file.
    pub key: &'static str,
    pub kind: Kind,
    /// The environment variable that sets it, if any.
    pub env: Option<&'static str>,
    /// The `jaga run` flag that sets it, if any (long name without dashes).
    pub flag: Option<&'static str>,
    /// What it does, in one or two sentences, for the README, `--help` and the example file.
    pub doc: &'static str,
    /// Shown instead of the built-in default where that depends on the machine.
    pub default_text: Option<&'static str>,
    /// For optional fields and tables: commented example lines for the example file.
    pub example: &'static str,
}

const fn s(key: &'static str, kind: Kind, doc: &'static str) -> Setting {
    Setting { key, kind, env: None, flag: None, doc, default_text: None, example: "" }
}

impl Setting {
    const fn env(mut self, var: &'static str) -> Self {
        self.env = Some(var);
        self
    }
    const fn flag(mut self, flag: &'static str) -> Self {
        self.flag = Some(flag);
        self
    }
    const fn shown(mut self, default: &'static str) -> Self {
        self.default_text = Some(default);
        self
    }
    const fn example(mut self, lines: &'static str) -> Self {
        self.example = lines;
        self
    }

    /// The default, as TOML would write it (or the machine-independent text).
    pub fn default_value(&self) -> String {
        if let Some(t) = self.default_text {
            return t.to_owned();
        }
        match default_json(self.key) {
            Value::String(s) => toml::Value::String(s).to_string(),
            Value::Null => "(none)".into(),
            Value::Object(m) if m.is_empty() => "{}".into(),
            other => other.to_string(),
        }
    }

    /// The section (`kafka`) and field (`brokers`).
    pub fn split(&self) -> (&'static str, &'static str) {
        self.key.split_once('.').unwrap_or(("", self.key))
    }
}

const ENCODERS: &[&str] = &["e5-small", "minilm", "hashing"];
const LOG_FORMATS: &[&str] = &["text", "json"];

/// Every field of [`Config`], in file order (a section's tables after its plain keys).
pub const SETTINGS: &[Setting] = &[
    s("kafka.brokers", Kind::Str, "Bootstrap brokers, HOST:PORT[,HOST:PORT...] (`bootstrap.servers`).")
        .env("JAGA_BROKERS")
        .flag("brokers"),
    s("kafka.input_topic", Kind::Str, "Topic of chat messages (docs/contracts.md §1), keyed by conversation id.")
        .env("JAGA_INPUT_TOPIC")
        .flag("input-topic"),
    s("kafka.output_topic", Kind::Str, "Topic risk events are produced to (docs/contracts.md §2), keyed by conversation id.")
        .env("JAGA_OUTPUT_TOPIC")
        .flag("output-topic"),
    s("kafka.dlq_topic", Kind::Str, "Dead-letter topic: bad records with their original bytes and `jaga.dlq.*` reason headers.")
        .env("JAGA_DLQ_TOPIC")
        .flag("dlq-topic"),
    s("kafka.group_id", Kind::Str, "Consumer group; run more processes with the same group to scale out.")
        .env("JAGA_GROUP_ID")
        .flag("group-id"),
    s(
        "kafka.state_topic",
        Kind::Str,
        "Compacted topic of conversation state, co-partitioned with the input; created if missing; one per consumer group.",
    )
    .env("JAGA_STATE_TOPIC")
    .flag("state-topic"),
    s(
        "kafka.verdicts_topic",
        Kind::Str,
        "Topic of reviewers' verdicts (docs/contracts.md §7), read beside the input for the live precision metrics; \
         \"\" turns verdicts off; a missing topic is a warning.",
    )
    .env("JAGA_VERDICTS_TOPIC")
    .flag("verdicts-topic"),
    s("kafka.state_replication_factor", Kind::Int, "Replication factor when jaga creates the state topic; -1 takes the broker's default."),
    s("kafka.commit_interval_ms", Kind::Int, "How often acknowledged offsets are committed, in milliseconds."),
    s(
        "kafka.librdkafka",
        Kind::Table,
        "librdkafka settings for every client (SASL, SSL, tuning); secrets are redacted in logs and --print-config.",
    )
    .env("JAGA_RDKAFKA_<NAME>")
    .example(
        "# \"security.protocol\" = \"sasl_ssl\"\n# \"sasl.mechanisms\" = \"SCRAM-SHA-512\"\n# \"sasl.username\" = \"jaga\"\n\
         # \"ssl.ca.location\" = \"/etc/ssl/certs/ca-certificates.crt\"\n",
    ),
    s("kafka.consumer", Kind::Table, "librdkafka settings for the consumers only.")
        .example("# \"fetch.max.bytes\" = \"52428800\"\n"),
    s("kafka.producer", Kind::Table, "librdkafka settings for the producer only.")
        .example("# \"compression.type\" = \"zstd\"\n"),
    s(
        "model.encoder",
        Kind::Choice(ENCODERS),
        "Sentence encoder: e5-small (multilingual), minilm (English-only, lighter), hashing (no weights; tests only).",
    )
    .env("JAGA_ENCODER")
    .flag("encoder"),
    s("model.models_dir", Kind::Path, "Folder with exemplar banks, trained heads and threshold profiles.")
        .env("JAGA_MODELS_DIR")
        .flag("models-dir")
        .shown("\"models\""),
    s(
        "model.cache_dir",
        Kind::OptPath,
        "Where fetched and converted encoder weights are cached (unset: $XDG_CACHE_HOME/jaga or ~/.cache/jaga).",
    )
    .env("JAGA_CACHE_DIR")
    .example("# cache_dir = \"/var/cache/jaga\"\n"),
    s("model.max_tokens", Kind::Int, "Tokens per message the encoder reads; longer messages are truncated."),
    s("model.threads", Kind::Int, "Encoder threads running chunks of a batch in parallel; 0 means one per core."),
    s(
        "model.embedding_cache_mb",
        Kind::Int,
        "Memory for the cache of normalised text → embedding, in MiB (repeated chat lines skip the encoder); 0 turns it off.",
    ),
    s("pipeline.max_batch", Kind::Int, "Most messages encoded in one batch."),
    s("pipeline.batch_linger_ms", Kind::Int, "How long a batch may wait to fill before it is encoded, in milliseconds."),
    s("pipeline.queue_batches", Kind::Int, "Batches queued for the inference thread; beyond it reading pauses (back-pressure)."),
    s("pipeline.max_record_bytes", Kind::Int, "Records (messages and verdicts) larger than this are dead-lettered as `too_large`."),
    s("pipeline.max_id_bytes", Kind::Int, "Longer message, conversation or sender ids are dead-lettered as `id_too_long`."),
    s(
        "pipeline.dlq_max_payload_bytes",
        Kind::Int,
        "Dead-letter copies keep at most this many bytes of the value (cut ones carry `jaga.dlq.truncated`).",
    ),
    s("window.max_messages", Kind::Int, "Messages kept per conversation: the detector's context."),
    s(
        "window.idle_ttl_secs",
        Kind::Int,
        "A conversation idle this many seconds (event time, per partition) starts afresh; a week by default.",
    ),
    s("window.max_clock_skew_secs", Kind::Int, "A `sent_at` further ahead of the wall clock than this is not trusted for expiry."),
    s(
        "window.max_state_bytes",
        Kind::Int,
        "Memory budget for all conversation state, in bytes; beyond it the least recently touched conversation is evicted. Size it for the pod.",
    )
    .env("JAGA_MAX_STATE_BYTES"),
    s("window.max_conversation_bytes", Kind::Int, "Memory cap per conversation, in bytes; beyond it the oldest messages are dropped."),
    s(
        "events.profile",
        Kind::Str,
        "Threshold profile: default, high-recall, high-precision, a name in <models_dir>/profiles/, or a path to a `jaga tune` profile.",
    )
    .env("JAGA_PROFILE")
    .flag("profile"),
    s("events.excerpts", Kind::Bool, "Put short excerpts of the original text into evidence (off by default for privacy).")
        .env("JAGA_EXCERPTS")
        .flag("excerpts"),
    s("events.excerpt_chars", Kind::Int, "Longest excerpt, in characters, when excerpts are on."),
    s("verdicts.window_verdicts", Kind::Int, "Most recent verdicts per level the live precision gauge is computed over."),
    s("verdicts.window_days", Kind::Int, "Verdicts decided longer ago than this many days leave the precision window."),
    s(
        "verdicts.remembered_events",
        Kind::Int,
        "Event ids remembered to attribute a verdict to its event's level (about 100 bytes each).",
    ),
    s("metrics.addr", Kind::Str, "Address of /metrics, /healthz and /readyz; \"\" disables the listener.")
        .env("JAGA_METRICS_ADDR")
        .flag("metrics-addr"),
    s("log.format", Kind::Choice(LOG_FORMATS), "Log format: text for people, json for log pipelines.")
        .env("JAGA_LOG_FORMAT")
        .flag("log-format"),
    s("log.level", Kind::Str, "Log filter in `tracing` syntax, e.g. info or jaga=debug,rdkafka=warn; RUST_LOG wins if set.")
        .env("JAGA_LOG_LEVEL"),
];

/// The setting with this key.
pub fn get(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// The help text of the flag that sets `key`: its doc and default. Panics on an unknown key,
/// which the CLI tests catch.
pub fn flag_help(key: &str) -> String {
    let s = get(key).unwrap_or_else(|| panic!("no setting {key}"));
    match s.kind {
        Kind::Bool => s.doc.to_owned(),
        _ => format!("{} [default: {}]", s.doc, s.default_value().trim_matches('"')),
    }
}

fn default_json(key: &str) -> Value {
    let mut v = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
    for part in key.split('.') {
        v = v.get(part).cloned().unwrap_or(Value::Null);
    }
    v
}

/// Sets the field of every setting that `var` names; `Ok(false)` when `var` is no setting's.
pub(super) fn apply_env(cfg: &mut Config, var: &str, value: &str) -> Result<bool, ConfigError> {
    let bad = |message: String| ConfigError::Env { var: var.to_owned(), message };
    if let Some(name) = var.strip_prefix("JAGA_RDKAFKA_") {
        if name.is_empty() {
            return Err(bad("names no librdkafka property".into()));
        }
        cfg.kafka.librdkafka.insert(name.to_ascii_lowercase().replace('_', "."), value.to_owned());
        return Ok(true);
    }
    let Some(setting) = SETTINGS.iter().find(|s| s.env == Some(var)) else { return Ok(false) };
    let parsed = match setting.kind {
        Kind::Str | Kind::Path | Kind::OptPath => Value::String(value.to_owned()),
        Kind::Int => value
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| bad(format!("expected a whole number, got {value:?}")))?,
        Kind::Bool => Value::Bool(value.parse().map_err(|_| bad(format!("expected true or false, got {value:?}")))?),
        Kind::Choice(names) => {
            if !names.contains(&value) {
                return Err(bad(format!("expected one of {}, got {value:?}", names.join(", "))));
            }
            Value::String(value.to_owned())
        }
        Kind::Table => return Err(bad("a table cannot be set from one variable".into())),
    };
    let mut whole = serde_json::to_value(&*cfg).map_err(|e| bad(e.to_string()))?;
    let (section, field) = setting.split();
    match whole.get_mut(section).and_then(Value::as_object_mut) {
        Some(obj) => obj.insert(field.to_owned(), parsed),
        None => return Err(bad(format!("no section {section}"))),
    };
    *cfg = serde_json::from_value(whole).map_err(|e| bad(format!("does not fit {}: {e}", setting.key)))?;
    Ok(true)
}

/// The environment variables read, with what they set (for `--help`).
pub fn env_vars() -> Vec<(&'static str, &'static str)> {
    SETTINGS.iter().filter_map(|s| s.env.map(|e| (e, s.key))).collect()
}

/// The README's configuration table.
pub fn markdown_table() -> String {
    let mut out = String::from("| key | type | default | flag / env | meaning |\n|---|---|---|---|---|\n");
    for s in SETTINGS {
        let mut how: Vec<String> = Vec::new();
        if let Some(f) = s.flag {
            how.push(format!("`--{f}`"));
        }
        if let Some(e) = s.env {
            how.push(format!("`{e}`"));
        }
        let default = s.default_value();
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            s.key,
            s.kind.label(),
            default.trim_matches('"'),
            how.join(" / "),
            s.doc.replace('|', "\\|")
        ));
    }
    out
}

/// `deploy/jaga.example.toml`: every field with its default and what it does.
pub fn example_toml() -> String {
    let mut out = String::from(
        "# jaga configuration: every field with its default (generated from src/config/settings.rs; do not edit\n\
         # by hand: `JAGA_BLESS=1 cargo test --lib config::settings` rewrites it).\n\
         # Precedence: built-in defaults < this file < command-line flags < JAGA_* environment variables.\n\
         # Unknown keys are rejected. Use: jaga run --config deploy/jaga.example.toml (--print-config shows the result).\n",
    );
    let mut section = "";
    for s in SETTINGS {
        let (sec, field) = s.split();
        let mut how: Vec<String> = Vec::new();
        if let Some(f) = s.flag {
            how.push(format!("--{f}"));
        }
        if let Some(e) = s.env {
            how.push(e.to_owned());
        }
        let how = if how.is_empty() { String::new() } else { format!(" ({})", how.join(", ")) };
        if s.kind == Kind::Table {
            out.push_str(&format!("\n# {}{how}\n[{}]\n{}", s.doc, s.key, s.example));
            continue;
        }
        if sec != section {
            out.push_str(&format!("\n[{sec}]\n"));
            section = sec;
        }
        out.push_str(&format!("# {}{how}\n", s.doc));
        if s.kind == Kind::OptPath {
            out.push_str(s.example);
        } else {
            out.push_str(&format!("{field} = {}\n", s.default_value()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// `section.field` of every field [`Config`] serialises (maps count as one field).
    fn config_keys() -> BTreeSet<String> {
        let v = serde_json::to_value(Config::default()).unwrap();
        let mut keys = BTreeSet::new();
        for (section, fields) in v.as_object().unwrap() {
            for field in fields.as_object().unwrap().keys() {
                keys.insert(format!("{section}.{field}"));
            }
        }
        keys
    }

    /// Compares a generated file with the checked-in one, or rewrites it under `JAGA_BLESS`.
    fn check_generated(path: &Path, want: &str, what: &str) {
        let have = std::fs::read_to_string(path).unwrap_or_default();
        if std::env::var_os("JAGA_BLESS").is_some() {
            std::fs::write(path, want).unwrap();
            return;
        }
        assert!(
            have == want,
            "{} drifted from src/config/settings.rs ({what}); rerun with JAGA_BLESS=1 to regenerate. Expected:\n{want}",
            path.display()
        );
    }

    #[test]
    fn the_settings_table_readme_example_env_and_flags_do_not_drift() {
        // Every field of the structs is in the table, once, and nothing else is.
        let table: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        let unique: BTreeSet<String> = table.iter().map(|k| k.to_string()).collect();
        assert_eq!(unique.len(), table.len(), "a key is listed twice");
        assert_eq!(unique, config_keys(), "the settings table and Config's fields differ");

        // Each setting's kind fits its default's shape.
        for s in SETTINGS {
            let d = default_json(s.key);
            let fits = match s.kind {
                Kind::Str | Kind::Path | Kind::Choice(_) => d.is_string(),
                Kind::Int => d.is_i64() || d.is_u64(),
                Kind::Bool => d.is_boolean(),
                Kind::OptPath => d.is_null() || d.is_string(),
                Kind::Table => d.is_object(),
            };
            assert!(fits, "{} is documented as {:?} but defaults to {d}", s.key, s.kind);
            if let Kind::Choice(names) = s.kind {
                assert!(names.contains(&d.as_str().unwrap()), "{}: default {d} is not a choice", s.key);
            }
        }

        // Every variable sets what the table says, and parses like the file would.
        for s in SETTINGS.iter().filter(|s| s.env.is_some() && s.kind != Kind::Table) {
            let sample = match s.kind {
                Kind::Int => "4194304".to_string(),
                Kind::Bool => "true".into(),
                Kind::Choice(names) => names[names.len() - 1].into(),
                _ => "127.0.0.1:1".into(),
            };
            let mut cfg = Config::default();
            assert!(apply_env(&mut cfg, s.env.unwrap(), &sample).unwrap(), "{}", s.key);
            let (sec, field) = s.split();
            let got = serde_json::to_value(&cfg).unwrap()[sec][field].clone();
            let shown = match got {
                Value::String(x) => x,
                other => other.to_string(),
            };
            assert_eq!(shown, sample, "{} from {}", s.key, s.env.unwrap());
            if matches!(s.kind, Kind::Int | Kind::Bool | Kind::Choice(_)) {
                let err = apply_env(&mut cfg, s.env.unwrap(), "not-a-value").unwrap_err().to_string();
                assert!(err.contains(s.env.unwrap()), "{err}");
            }
        }
        let mut cfg = Config::default();
        assert!(!apply_env(&mut cfg, "JAGA_NOT_A_SETTING", "x").unwrap());

        // Every flag of `jaga run` that sets a field is in the table with the table's help, and
        // every setting with a flag has one.
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let run = cli.find_subcommand("run").expect("jaga run");
        let not_settings = ["config", "print-config", "help", "version"];
        for arg in run.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if not_settings.contains(&long) {
                continue;
            }
            let s = SETTINGS
                .iter()
                .find(|s| s.flag == Some(long))
                .unwrap_or_else(|| panic!("jaga run --{long} sets no field of the settings table"));
            assert_eq!(arg.get_help().map(|h| h.to_string()), Some(flag_help(s.key)), "--{long}");
        }
        for s in SETTINGS.iter().filter(|s| s.flag.is_some()) {
            assert!(run.get_arguments().any(|a| a.get_long() == s.flag), "jaga run has no --{}", s.flag.unwrap());
        }

        // The README's table and the example file are generated from the table.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme_path = root.join("README.md");
        let readme = std::fs::read_to_string(&readme_path).unwrap();
        let (begin, end) = ("<!-- settings:begin -->\n", "<!-- settings:end -->");
        let (a, b) = (readme.find(begin).expect("README settings marker"), readme.find(end).expect("end marker"));
        let mut regenerated = readme.clone();
        regenerated.replace_range(a + begin.len()..b, &markdown_table());
        check_generated(&readme_path, &regenerated, "the configuration table");
        check_generated(&root.join("deploy/jaga.example.toml"), &example_toml(), "the example config");
    }

    #[test]
    fn the_generated_example_parses_back_to_the_defaults() {
        let example = Config::from_toml_str(&example_toml()).unwrap();
        let mut defaults = Config::default();
        defaults.model.models_dir = "models".into();
        assert_eq!(toml::to_string(&example).unwrap(), toml::to_string(&defaults).unwrap());
    }
}
