//! Helpers shared by the integration tests.

use chrono::{DateTime, Utc};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn jaga() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jaga"));
    c.current_dir(repo());
    c
}

/// A unique name for topics and groups, so tests never see each other's records.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}-{}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed), nanos % 100_000)
}

/// Validates a risk event against the schema shipped in the repo.
pub fn assert_valid_event(event: &Value) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/risk-event.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the event schema compiles");
    let errors: Vec<String> = validator.iter_errors(event).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "event does not match schemas/risk-event.schema.json: {errors:?}\n{event}");
}

/// Runs `jaga replay FILE` and returns the events it printed.
pub fn replay_events(file: &Path) -> Vec<Value> {
    let out = jaga().arg("replay").arg(file).output().expect("run jaga replay");
    assert!(out.status.success(), "jaga replay failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("replay printed a non-JSON line {l:?}: {e}")))
        .collect()
}

pub fn event_ids(events: &[Value]) -> BTreeSet<String> {
    events.iter().map(|e| e["event_id"].as_str().expect("event_id").to_owned()).collect()
}

/// Produces each line of a JSON Lines file of chat messages, keyed by conversation id.
pub async fn produce_file(brokers: &str, topic: &str, file: &Path) -> usize {
    let producer = producer(brokers);
    let text = std::fs::read_to_string(file).unwrap();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let key = v["conversation_id"].as_str().unwrap().to_owned();
        produce(&producer, topic, Some(key.as_bytes()), line.as_bytes()).await;
        n += 1;
    }
    n
}

pub async fn produce(producer: &FutureProducer, topic: &str, key: Option<&[u8]>, payload: &[u8]) {
    let mut rec = FutureRecord::to(topic).payload(payload);
    if let Some(k) = key {
        rec = rec.key(k);
    }
    producer.send(rec, Duration::from_secs(10)).await.map_err(|(e, _)| e).expect("produce");
}

/// An idempotent producer: records of one key keep their order even when librdkafka retries, so
/// the broker holds each conversation in the order of the file a replay reads.
pub fn producer(brokers: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("message.max.bytes", "2000000")
        .create()
        .unwrap()
}

/// A record read back from a topic.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Record {
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers.iter().find(|(hk, _)| hk == k).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).expect("JSON record")
    }
}

/// Reads every partition of `topic` from the start until `done(records)` or the time limit.
pub fn consume_until(
    brokers: &str,
    topic: &str,
    partitions: i32,
    limit: Duration,
    done: impl Fn(&[Record]) -> bool,
) -> Vec<Record> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning).unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let start = Instant::now();
    let mut out = Vec::new();
    while start.elapsed() < limit && !done(&out) {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            out.push(Record {
                key: m.key().map(<[u8]>::to_vec),
                payload: m.payload().unwrap_or_default().to_vec(),
                headers: m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|x| {
                                (x.key.to_owned(), String::from_utf8_lossy(x.value.unwrap_or_default()).into_owned())
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    out
}

/// Offsets the group has committed on `topic` (partition → offset; absent when none).
pub fn committed(brokers: &str, group: &str, topic: &str, partitions: i32) -> Vec<Option<i64>> {
    let consumer: BaseConsumer =
        ClientConfig::new().set("bootstrap.servers", brokers).set("group.id", group).create().unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    match consumer.committed_offsets(tpl, Duration::from_secs(10)) {
        Ok(list) => (0..partitions)
            .map(|p| match list.find_partition(topic, p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => Some(o),
                _ => None,
            })
            .collect(),
        Err(_) => vec![None; partitions as usize],
    }
}

/// A `jaga run` child process; killed on drop.
pub struct JagaRun {
    pub child: Child,
    pub metrics_addr: String,
    pub log: PathBuf,
}

pub struct Topics {
    pub input: String,
    pub output: String,
    pub dlq: String,
    /// Created by jaga at start-up.
    pub state: String,
    pub group: String,
}

impl Topics {
    pub fn new() -> Topics {
        let base = unique("t");
        Topics {
            input: format!("{base}.in"),
            output: format!("{base}.out"),
            dlq: format!("{base}.dlq"),
            state: format!("{base}.state"),
            group: format!("{base}.g"),
        }
    }
}

pub fn start_jaga(brokers: &str, t: &Topics, log_dir: &Path, extra_env: &[(&str, &str)]) -> JagaRun {
    start_jaga_with(brokers, t, log_dir, extra_env, &[])
}

/// [`start_jaga`] with extra command-line arguments (e.g. `--config FILE`).
pub fn start_jaga_with(
    brokers: &str,
    t: &Topics,
    log_dir: &Path,
    extra_env: &[(&str, &str)],
    extra_args: &[&str],
) -> JagaRun {
    let metrics_addr = format!("127.0.0.1:{}", crate::broker::free_port());
    let log = log_dir.join(format!("jaga-{}.log", unique("run")));
    let mut cmd = jaga();
    cmd.args([
        "run",
        "--brokers",
        brokers,
        "--input-topic",
        &t.input,
        "--output-topic",
        &t.output,
        "--dlq-topic",
        &t.dlq,
    ])
    .args(["--state-topic", &t.state, "--group-id", &t.group, "--metrics-addr", &metrics_addr])
    .args(extra_args)
    .env("JAGA_LOG_LEVEL", "info,rdkafka=warn")
    .env("JAGA_RDKAFKA_TOPIC_METADATA_REFRESH_INTERVAL_MS", "1000")
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(&log).unwrap());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("start jaga run");
    JagaRun { child, metrics_addr, log }
}

impl JagaRun {
    pub fn metrics(&self) -> Option<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.metrics_addr).ok()?;
        s.write_all(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        Some(body)
    }

    /// The HTTP status of `/readyz`, if the endpoint answers.
    pub fn readyz(&self) -> Option<u16> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.metrics_addr).ok()?;
        s.write_all(b"GET /readyz HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        body.split_whitespace().nth(1)?.parse().ok()
    }

    /// Peak resident memory of the process so far (`VmHWM`), in bytes (Linux).
    pub fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: u64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    /// Waits for the process to exit on its own.
    pub fn wait_exit(mut self, limit: Duration) -> (std::process::ExitStatus, String) {
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return (st, self.log_text());
            }
            assert!(start.elapsed() < limit, "jaga did not exit:\n{}", self.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(self) -> std::process::ExitStatus {
        self.terminate_with_log().0
    }

    /// [`Self::terminate`], also returning the log.
    pub fn terminate_with_log(mut self) -> (std::process::ExitStatus, String) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return (st, self.log_text());
            }
            assert!(start.elapsed() < Duration::from_secs(90), "jaga did not stop after SIGTERM:\n{}", self.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn kill9(mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for JagaRun {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses `jaga_<name> VALUE` (summing label sets) from a metrics page; a name with labels
/// (`jaga_errors_total{kind="fatal"}`) selects that one series.
pub fn metric_sum(page: &str, name: &str) -> f64 {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            if name.contains('{') {
                l.strip_prefix(name).is_some_and(|rest| rest.starts_with(' '))
            } else {
                l.split(['{', ' ']).next() == Some(name)
            }
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A models folder with heads trained for the `hashing` encoder (`jaga synth` + `jaga train`,
/// once per test run), so pipeline tests run at thousands of messages a second. Detection quality
/// is not what these tests measure; deterministic events are.
pub fn hashing_models() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        // Fixed thresholds: the shipped profiles are re-chosen for the e5 heads at every retrain,
        // and the stream tests need a stream that reliably raises events, not the best profile.
        std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
        std::fs::write(dir.path().join("profiles/default.toml"), TEST_PROFILE).unwrap();
        let train = dir.path().join("train.jsonl");
        let synth =
            jaga().args(["synth", "--conversations", "240", "--seed", "5", "--out"]).arg(&train).output().unwrap();
        assert!(synth.status.success(), "jaga synth: {}", String::from_utf8_lossy(&synth.stderr));
        let out = jaga()
            .arg("train")
            .arg(&train)
            .args(["--encoder", "hashing", "--keep-profiles", "--out"])
            .arg(dir.path())
            .env("JAGA_CACHE_DIR", dir.path().join("cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "jaga train: {}", String::from_utf8_lossy(&out.stderr));
        let path = dir.path().to_path_buf();
        (dir, path)
    })
    .1
}

/// The test heads' `default` profile (shared with the unit tests' `testutil`).
const TEST_PROFILE: &str = include_str!("../fixtures/test-profile.toml");

/// Writes a config file for the `hashing` encoder and the test heads, with `extra` TOML appended
/// (e.g. a `[window]` section). Replay and run read the same file, so they decide alike.
pub fn hashing_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join(format!("{}.toml", unique("jaga")));
    let models = hashing_models().display().to_string();
    std::fs::write(&path, format!("[model]\nencoder = \"hashing\"\nmodels_dir = {models:?}\n\n{extra}\n")).unwrap();
    path
}

/// The `[window]` section of the stream tests: windows of 8 messages and a one-hour TTL, so
/// [`synthetic_stream`] slides and expires windows.
pub const SMALL_WINDOW: &str = "[window]\nmax_messages = 8\nidle_ttl_secs = 3600\n";

/// Runs `jaga replay --config CONFIG FILE` and returns the events it printed.
pub fn replay_with(config: &Path, file: &Path) -> Vec<Value> {
    let out = jaga().arg("replay").arg(file).arg("--config").arg(config).output().expect("run jaga replay");
    assert!(out.status.success(), "jaga replay failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Synthetic conversations (`jaga synth`'s generator) as one interleaved chat-message stream:
/// conversation k starts `2k` minutes after `start`, messages one minute apart, and every third
/// conversation pauses for four hours after its eighth message. With [`SMALL_WINDOW`] windows slide
/// (conversations run past 8 messages) and expire (4 h > 1 h), and every partition sees a message
/// every minute or so, so its event time never lags the stream's by anywhere near the TTL: a
/// replay (one stream) and a run (per-partition event time) expire the same conversations.
pub fn synthetic_stream(conversations: usize, seed: u64, prefix: &str, start: DateTime<Utc>) -> Vec<Value> {
    let convs = jaga::dataset::synth::generate(&jaga::dataset::synth::SynthOptions {
        seed,
        conversations,
        ..Default::default()
    });
    let mut out: Vec<(DateTime<Utc>, Value)> = Vec::new();
    for (k, c) in convs.iter().enumerate() {
        let mut at = start + chrono::Duration::minutes(2 * k as i64);
        for (i, m) in c.to_chat_messages().unwrap().into_iter().enumerate() {
            if k % 3 == 0 && i == 8 {
                at += chrono::Duration::hours(4);
            }
            let v = serde_json::json!({
                "message_id": format!("{prefix}{}", m.message_id),
                "conversation_id": format!("{prefix}{}", m.conversation_id),
                "sender_id": m.sender_id,
                "sent_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "text": m.text,
            });
            out.push((at, v));
            at += chrono::Duration::minutes(1);
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out.into_iter().map(|(_, v)| v).collect()
}

/// Writes chat messages as a JSON Lines file.
pub fn write_lines(dir: &Path, name: &str, lines: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let mut text = String::new();
    for l in lines {
        text.push_str(&l.to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Produces chat messages keyed by conversation id (so one conversation stays on one partition);
/// returns where each landed.
pub async fn produce_lines(producer: &FutureProducer, topic: &str, lines: &[Value]) -> Vec<(i32, i64)> {
    let futures: Vec<_> = lines
        .iter()
        .map(|v| {
            let key = v["conversation_id"].as_str().unwrap().to_owned();
            let payload = v.to_string();
            let producer = producer.clone();
            let topic = topic.to_owned();
            async move {
                producer
                    .send(
                        FutureRecord::to(&topic).key(key.as_bytes()).payload(payload.as_bytes()),
                        Duration::from_secs(30),
                    )
                    .await
                    .map(|d| (d.partition, d.offset))
                    .map_err(|(e, _)| e)
                    .expect("produce")
            }
        })
        .collect();
    futures::future::join_all(futures).await
}

/// Event ids of `events` that no conversation starting with `prefix` raised.
pub fn ids_without(events: &[Value], prefix: &str) -> BTreeSet<String> {
    events
        .iter()
        .filter(|e| !e["conversation_id"].as_str().unwrap_or_default().starts_with(prefix))
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until `cond` holds for the run's metrics page, or fails with the log.
pub async fn wait_for_metric(run: &JagaRun, limit: Duration, what: &str, cond: impl Fn(&str) -> bool) {
    let start = Instant::now();
    loop {
        if let Some(page) = run.metrics() {
            if cond(&page) {
                return;
            }
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}:\n{}", run.log_text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
