//! Starts a throw-away `tansu` broker (in-memory storage) on a free loopback port.

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::ClientConfig;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Broker {
    child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

fn find_tansu() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("TANSU_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join("tansu")).find(|p| p.is_file())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

impl Broker {
    /// Starts a broker, or returns `None` (after printing why) when tansu is not installed and
    /// this is not CI. Under CI a missing broker is a test failure.
    pub fn start() -> Option<Broker> {
        let Some(bin) = find_tansu() else {
            if std::env::var_os("CI").is_some() {
                panic!("tansu is not installed but CI is set: broker tests must not skip (see .ci/run)");
            }
            eprintln!("SKIPPED: tansu broker not installed (cargo install tansu --version 0.6.0 --locked --features dynostore)");
            return None;
        };
        let port = free_port();
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("tansu.log")).expect("log file");
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(&bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .env_remove("STORAGE_ENGINE")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let broker = Broker { child, addr: format!("127.0.0.1:{port}"), _dir: dir };
        broker.wait_ready(Duration::from_secs(60));
        Some(broker)
    }

    fn wait_ready(&self, limit: Duration) {
        let start = Instant::now();
        let producer: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.addr)
            .set("log_level", "3")
            .create()
            .expect("metadata client");
        while start.elapsed() < limit {
            if producer.client().fetch_metadata(None, Duration::from_secs(2)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("tansu did not answer metadata requests within {limit:?}");
    }

    /// Creates topics with `partitions` partitions each.
    pub async fn create_topics(&self, names: &[&str], partitions: i32) {
        let admin: AdminClient<DefaultClientContext> =
            ClientConfig::new().set("bootstrap.servers", &self.addr).create().expect("admin client");
        let topics: Vec<NewTopic> =
            names.iter().map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1))).collect();
        let results = admin
            .create_topics(&topics, &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))))
            .await
            .expect("create_topics request");
        for r in results {
            r.unwrap_or_else(|(t, e)| panic!("creating topic {t}: {e}"));
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
