//! Helpers shared by the integration tests.

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    let producer: FutureProducer = ClientConfig::new().set("bootstrap.servers", brokers).create().unwrap();
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

pub fn producer(brokers: &str) -> FutureProducer {
    ClientConfig::new().set("bootstrap.servers", brokers).create().unwrap()
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
    pub group: String,
}

impl Topics {
    pub fn new() -> Topics {
        let base = unique("t");
        Topics {
            input: format!("{base}.in"),
            output: format!("{base}.out"),
            dlq: format!("{base}.dlq"),
            group: format!("{base}.g"),
        }
    }
}

pub fn start_jaga(brokers: &str, t: &Topics, log_dir: &Path, extra_env: &[(&str, &str)]) -> JagaRun {
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
    .args(["--group-id", &t.group, "--metrics-addr", &metrics_addr])
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

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st;
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

/// Parses `jaga_<name> VALUE` (summing label sets) from a metrics page.
pub fn metric_sum(page: &str, name: &str) -> f64 {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.split(['{', ' ']).next() == Some(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
