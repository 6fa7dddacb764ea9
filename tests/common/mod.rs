//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod python;
pub mod reference;
#[cfg(feature = "schema-registry")]
pub mod registry;
pub mod sides;

use ferrokafka::{Config, MockCluster};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A topic name no other test uses.
pub fn unique_topic(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A 3-broker mock cluster with one topic.
pub fn mock_with_topic(topic: &str, partitions: i32) -> MockCluster {
    let c = MockCluster::new(3).expect("mock cluster");
    c.create_topic(topic, partitions, 3).expect("create topic");
    c
}

pub fn config_for(cluster: &MockCluster) -> Config {
    let mut c = Config::new();
    c.set("bootstrap.servers", cluster.bootstrap_servers());
    c
}

/// Repeats `step` until `done` holds or `limit` passes (a generous bound for
/// event-driven waits; each step itself blocks on an event).
pub fn wait_for(limit: Duration, mut step: impl FnMut(), mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if done() {
            return true;
        }
        step();
    }
    done()
}

/// A message read back by an independent reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub timestamp: Option<i64>,
}

/// Reads `count` messages from every partition of `topic` with rust-rdkafka
/// (an independent wrapper of librdkafka's consumer API), from the start.
pub fn read_back(bootstrap: &str, topic: &str, partitions: i32, count: usize, limit: Duration) -> Vec<ReadBack> {
    read_back_with(bootstrap, topic, partitions, count, limit, &[])
}

pub fn read_back_with(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    count: usize,
    limit: Duration,
    extra: &[(&str, &str)],
) -> Vec<ReadBack> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::message::{Headers, Message};
    let mut cfg = rdkafka::ClientConfig::new();
    cfg.set("bootstrap.servers", bootstrap)
        .set("group.id", format!("reader-{topic}"))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest");
    for (k, v) in extra {
        cfg.set(*k, *v);
    }
    let consumer: BaseConsumer = cfg.create().expect("reader");
    let mut tpl = rdkafka::TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, rdkafka::Offset::Beginning).unwrap();
    }
    consumer.assign(&tpl).expect("assign");
    let mut out = Vec::new();
    let end = Instant::now() + limit;
    while out.len() < count && Instant::now() < end {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let headers = m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|h| (h.key.to_string(), h.value.map(|v| v.to_vec())))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(ReadBack {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(|k| k.to_vec()),
                    value: m.payload().map(|v| v.to_vec()),
                    headers,
                    timestamp: m.timestamp().to_millis(),
                });
            }
            Some(Err(e)) => panic!("reader error: {e}"),
            None => {}
        }
    }
    out
}

/// Whether tests that need a real broker must run (set by the test script).
pub fn real_broker() -> Option<String> {
    match std::env::var("KAFKA_BOOTSTRAP_SERVERS") {
        Ok(s) if !s.is_empty() => Some(s),
        _ => {
            if std::env::var("FERROKAFKA_REQUIRE_BROKER").as_deref() == Ok("1") {
                panic!("FERROKAFKA_REQUIRE_BROKER=1 but KAFKA_BOOTSTRAP_SERVERS is not set");
            }
            eprintln!("skipping: KAFKA_BOOTSTRAP_SERVERS is not set (run ./scripts/test.sh to start a broker)");
            None
        }
    }
}

/// Runs `tests/interop/kafka_tool.py` (Confluent's Python client).
pub fn kafka_tool(args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/kafka_tool.py");
    let mut child = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (with confluent-kafka: run ./scripts/test.sh)");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kafka_tool {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A message as kafka_tool.py prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolMessage {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub timestamp: (i32, i64),
}

fn unhex(v: &serde_json::Value) -> Option<Vec<u8>> {
    let s = v.as_str()?;
    Some(
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect(),
    )
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn parse_tool_messages(out: &str) -> Vec<ToolMessage> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            ToolMessage {
                partition: v["partition"].as_i64().unwrap() as i32,
                offset: v["offset"].as_i64().unwrap(),
                key: unhex(&v["key"]),
                value: unhex(&v["value"]),
                headers: v["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| (h[0].as_str().unwrap().to_string(), unhex(&h[1])))
                    .collect(),
                timestamp: (
                    v["timestamp"][0].as_i64().unwrap() as i32,
                    v["timestamp"][1].as_i64().unwrap(),
                ),
            }
        })
        .collect()
}

/// True when the broker under test is the Tansu the test script started
/// (tests relax the few assertions Tansu 0.6 cannot meet, saying why).
pub fn is_tansu() -> bool {
    std::env::var("FERROKAFKA_BROKER").as_deref() == Ok("tansu")
}

/// The factor `FERROKAFKA_TEST_TIMEOUT_SCALE` (default 1) by which tests
/// stretch their time bounds: `scripts/valgrind.sh` sets it, since code
/// runs 20-50 times slower under valgrind (librdkafka's own test suite
/// does the same with `tmout_multip()`).
pub fn timeout_scale() -> f64 {
    std::env::var("FERROKAFKA_TEST_TIMEOUT_SCALE")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|f| f.is_finite() && *f >= 1.0)
        .unwrap_or(1.0)
}

/// `d` stretched by [`timeout_scale`]: use for every bound a test waits
/// on (never for timeouts whose exact value is under test).
pub fn scaled(d: Duration) -> Duration {
    d.mul_f64(timeout_scale())
}

/// Makes `config`'s clients carry a marker in their callback state (an
/// `error_cb` that owns it), which is freed only once `rd_kafka_destroy`
/// has returned: the `Weak` says when the client is really gone, also when
/// it is destroyed on a thread of its own.
pub fn destruction_marker(config: &mut Config) -> std::sync::Weak<()> {
    let alive = std::sync::Arc::new(());
    let weak = std::sync::Arc::downgrade(&alive);
    config.set_error_cb(move |_| {
        let _keep = &alive;
    });
    weak
}

/// Waits until the client behind `marker` is destroyed; false if `limit`
/// passed first.
pub fn destroyed_within(marker: &std::sync::Weak<()>, limit: Duration) -> bool {
    let end = Instant::now() + limit;
    while marker.strong_count() > 0 {
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// An OAUTHBEARER token that librdkafka refreshes within about a second:
/// constructors wait for the `oauth_cb`'s first token, so a test about a
/// later call answers the first with this one.
pub fn short_token(principal: &str) -> ferrokafka::OAuthToken {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    ferrokafka::OAuthToken::new("token", now + 1_000, principal)
}
