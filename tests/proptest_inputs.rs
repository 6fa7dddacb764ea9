//! Property-based tests over configuration and produce arguments (issue 7,
//! item 3): random keys and values (NUL bytes, non-ASCII, huge) and random
//! records (topics, partitions, timestamps, keys, values, headers) never
//! panic, and give either success or a typed error — and every record that
//! was accepted gets exactly one delivery report.
//!
//! Case counts are modest so the suite stays fast; `PROPTEST_CASES`
//! overrides them. Nothing random ever reaches the network: every config
//! points `bootstrap.servers` at the in-process mock cluster, and keys that
//! name hosts, load libraries or run commands are never drawn.

mod common;

use common::*;
use ferrokafka::{is_sensitive, Config, ErrorCode, MockCluster, Producer, Record};
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn runner(default_cases: u32) -> TestRunner {
    TestRunner::new(PropConfig {
        cases: cases(default_cases),
        failure_persistence: None,
        ..PropConfig::default()
    })
}

/// Real property names (producer, consumer and topic level), minus those
/// that name hosts, load code or run commands.
const KNOWN_KEYS: &[&str] = &[
    "acks",
    "batch.num.messages",
    "batch.size",
    "client.id",
    "compression.type",
    "compression.level",
    "delivery.report.only.error",
    "enable.idempotence",
    "enable.gapless.guarantee",
    "linger.ms",
    "message.max.bytes",
    "message.timeout.ms",
    "max.in.flight",
    "partitioner",
    "queue.buffering.max.kbytes",
    "queue.buffering.max.messages",
    "request.timeout.ms",
    "retries",
    "retry.backoff.ms",
    "socket.timeout.ms",
    "statistics.interval.ms",
    "sticky.partitioning.linger.ms",
    "topic.metadata.refresh.interval.ms",
    "transactional.id",
    "transaction.timeout.ms",
    "api.version.request",
    "broker.address.family",
    "reconnect.backoff.ms",
    "security.protocol",
    "sasl.mechanisms",
    "sasl.username",
    "sasl.password",
    "ssl.key.password",
    "ssl.ca.pem",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.client.secret",
    "log_level",
    "log.connection.close",
    "allow.auto.create.topics",
    "enable.random.seed",
];

fn key_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(KNOWN_KEYS).prop_map(str::to_string),
        1 => "[a-z.]{0,30}",
        1 => any::<String>(),
        1 => (proptest::sample::select(KNOWN_KEYS), any::<String>()).prop_map(|(k, junk)| format!("{k}{junk}")),
    ]
}

fn value_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,4}",
        2 => "-?[0-9]{1,25}",
        2 => "(true|false|all|none|gzip|zstd|murmur2|SSL|PLAINTEXT|SASL_PLAINTEXT|PLAIN|OAUTHBEARER|-1|0|1)",
        2 => any::<String>(),
        1 => "[a-zA-Z0-9]{0,10}\\x00[a-zA-Z0-9]{0,10}",
        1 => (1usize..200_000).prop_map(|n| "9".repeat(n)),
        1 => "[\\u{80}-\\u{10FFFF}]{1,20}",
    ]
}

/// Each test's own cluster (dropped at its end, so no librdkafka thread
/// outlives the test).
fn mock() -> MockCluster {
    let c = MockCluster::new(1).unwrap();
    c.create_topic("t", 3, 1).unwrap();
    c
}

/// Random properties on top of a reachable mock: `Producer::new` either
/// succeeds or returns `_INVALID_ARG` with a message that names the
/// property (or says creation failed) and never quotes a secret.
#[test]
fn random_config_gives_a_client_or_a_typed_error() {
    let strategy = proptest::collection::vec((key_strategy(), value_strategy()), 1..3);
    let stats = Arc::new(Mutex::new(HashMap::<&'static str, usize>::new()));
    let s = stats.clone();
    let cluster = mock();
    let mut runner = runner(64);
    let result = runner.run(&strategy, |pairs| {
        let mut config = Config::new();
        for (k, v) in &pairs {
            config.set(k.as_str(), v.as_str());
        }
        // Never leave the machine, whatever was drawn.
        config.set("bootstrap.servers", cluster.bootstrap_servers());
        let shown = format!("{config:?}");
        // A secret is looked for only where finding it means a leak: not
        // when it also occurs in another key or value, or the bootstrap.
        let distinctive = |key: &str, v: &str| {
            v.len() >= 8
                && !cluster.bootstrap_servers().contains(v)
                && pairs
                    .iter()
                    .all(|(k2, v2)| !k2.contains(v) && (k2 == key || !v2.contains(v)))
        };
        for (k, v) in &pairs {
            if is_sensitive(k) && distinctive(k, v) {
                prop_assert!(!shown.contains(v.as_str()), "Debug shows the value of {k:?}");
            }
        }
        match Producer::new(&config) {
            Ok(p) => {
                *s.lock().unwrap().entry("created").or_default() += 1;
                drop(p);
            }
            Err(e) => {
                *s.lock().unwrap().entry("rejected").or_default() += 1;
                prop_assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{:?}", e);
                let msg = e.message();
                prop_assert!(!msg.is_empty());
                let names_a_key = pairs.iter().any(|(k, _)| {
                    msg.contains(k.as_str())
                        || msg.contains(&format!("{k:?}"))
                        || msg.contains(&format!("{:?}", k.replace('\0', "\\0")))
                });
                prop_assert!(
                    names_a_key || msg.starts_with("Failed to create") || msg.contains("configuration property"),
                    "the error names neither a key nor the failed step: {msg}"
                );
                for (k, v) in &pairs {
                    if is_sensitive(k) && distinctive(k, v) {
                        prop_assert!(!msg.contains(v.as_str()), "the error quotes the value of {k:?}: {msg}");
                    }
                }
            }
        }
        Ok(())
    });
    let stats = stats.lock().unwrap();
    println!(
        "{} random configurations: {} clients created, {} rejected with a typed error",
        runner_cases(&stats),
        stats.get("created").unwrap_or(&0),
        stats.get("rejected").unwrap_or(&0)
    );
    result.unwrap();
}

fn runner_cases(stats: &HashMap<&'static str, usize>) -> usize {
    stats.values().sum()
}

#[derive(Debug, Clone)]
struct RandomRecord {
    topic: String,
    partition: i32,
    timestamp: i64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

fn bytes(max: usize) -> impl Strategy<Value = Option<Vec<u8>>> {
    proptest::option::of(proptest::collection::vec(any::<u8>(), 0..max))
}

fn record_strategy() -> impl Strategy<Value = RandomRecord> {
    let topic = prop_oneof![
        4 => Just("t".to_string()),
        1 => "[a-zA-Z0-9._-]{1,20}",
        1 => any::<String>(),
        1 => (240usize..260).prop_map(|n| "x".repeat(n)),
    ];
    let partition = prop_oneof![4 => -1i32..4, 1 => any::<i32>()];
    let timestamp = prop_oneof![3 => Just(0i64), 2 => 0i64..4_102_444_800_000, 1 => any::<i64>()];
    let value = prop_oneof![8 => bytes(512), 1 => (1_000_000usize..1_100_000).prop_map(|n| Some(vec![7u8; n]))];
    let headers = proptest::collection::vec(
        (
            prop_oneof![
                3 => "[a-z]{1,8}".prop_map(String::into_bytes),
                1 => proptest::collection::vec(any::<u8>(), 0..12),
            ],
            bytes(64),
        ),
        0..4,
    );
    (topic, partition, timestamp, bytes(64), value, headers).prop_map(
        |(topic, partition, timestamp, key, value, headers)| RandomRecord {
            topic,
            partition,
            timestamp,
            key,
            value,
            headers,
        },
    )
}

/// Random records: `produce` accepts or rejects each with a typed error
/// (handing the record back), and every accepted one gets exactly one
/// delivery report.
#[test]
fn random_records_are_accepted_or_rejected_and_reported_exactly_once() {
    let cluster = mock();
    let mut config = Config::new();
    config
        .set("bootstrap.servers", cluster.bootstrap_servers())
        .set("message.timeout.ms", 5000)
        .set("allow.auto.create.topics", "false");
    let producer = Arc::new(Producer::new(&config).unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let rejected = Arc::new(AtomicUsize::new(0));
    let reports: Arc<Mutex<HashMap<usize, usize>>> = Arc::default();
    let next_id = Arc::new(AtomicUsize::new(0));
    let (p, a, r, rep, ids) = (
        producer.clone(),
        accepted.clone(),
        rejected.clone(),
        reports.clone(),
        next_id.clone(),
    );
    let mut runner = runner(256);
    let result = runner.run(&record_strategy(), move |rec| {
        let id = ids.fetch_add(1, Ordering::SeqCst);
        let mut record = Record::new(&rec.topic)
            .with_partition(rec.partition)
            .with_timestamp(rec.timestamp);
        if let Some(k) = &rec.key {
            record = record.with_key(k);
        }
        if let Some(v) = &rec.value {
            record = record.with_value(v);
        }
        for (name, value) in &rec.headers {
            record = record.with_header_bytes(name, value.as_deref());
        }
        let reps = rep.clone();
        let record = record.with_on_delivery(move |_| *reps.lock().unwrap().entry(id).or_default() += 1);
        match p.produce(record) {
            Ok(()) => {
                a.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => {
                r.fetch_add(1, Ordering::SeqCst);
                let err = e.error().clone();
                prop_assert!(!err.message().is_empty());
                prop_assert!(
                    [
                        ErrorCode::INVALID_ARG,
                        ErrorCode::UNKNOWN_PARTITION,
                        ErrorCode::MSG_SIZE_TOO_LARGE,
                        ErrorCode::UNKNOWN_TOPIC,
                        ErrorCode::QUEUE_FULL,
                    ]
                    .contains(&err.code()),
                    "unexpected error {:?}",
                    err
                );
                // The record comes back whole.
                let back = e.into_record();
                prop_assert_eq!(back.topic(), rec.topic.as_str());
                prop_assert_eq!(back.partition(), rec.partition);
                prop_assert!(back.has_delivery_callback());
            }
        }
        p.poll(Duration::ZERO)
            .map_err(|e| TestCaseError::fail(format!("poll: {e}")))?;
        Ok(())
    });
    result.unwrap();
    producer.flush(scaled(Duration::from_secs(60))).unwrap();
    let accepted = accepted.load(Ordering::SeqCst);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), accepted, "one report per accepted record");
    assert!(reports.values().all(|&n| n == 1), "exactly one report each");
    println!(
        "{} random records: {accepted} accepted and reported once, {} rejected with a typed error",
        next_id.load(Ordering::SeqCst),
        rejected.load(Ordering::SeqCst)
    );
}
