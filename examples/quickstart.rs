//! Quickstart: produce 10,000 messages with delivery callbacks, then read
//! them back in a consumer group, commit, and print the committed offsets.
//!
//! With no arguments it starts librdkafka's embedded mock cluster (nothing
//! to install); with `--bootstrap-servers host:port` it uses a real cluster.
//!
//!     cargo run --example quickstart
//!     cargo run --example quickstart -- --bootstrap-servers localhost:9092

use ferrokafka::{Commit, Config, Consumer, MockCluster, Producer, Record, TopicPartition};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MESSAGES: usize = 10_000;
const TOPIC: &str = "quickstart";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    env_logger_lite();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bootstrap = match args.as_slice() {
        [] => None,
        [flag, servers] if flag == "--bootstrap-servers" => Some(servers.clone()),
        [flag] if flag.starts_with("--bootstrap-servers=") => Some(flag["--bootstrap-servers=".len()..].to_string()),
        _ => {
            eprintln!("usage: quickstart [--bootstrap-servers host:port]");
            std::process::exit(2);
        }
    };

    // Keep the mock cluster alive for the whole run.
    let mock;
    let servers = match bootstrap {
        Some(s) => {
            println!("Using the cluster at {s}");
            s
        }
        None => {
            mock = MockCluster::new(3)?;
            mock.create_topic(TOPIC, 4, 3)?;
            // The mock's default 3 s initial rebalance delay only slows a demo.
            mock.set_group_initial_rebalance_delay(Duration::from_millis(100));
            println!("Started an embedded mock cluster at {}", mock.bootstrap_servers());
            mock.bootstrap_servers().to_string()
        }
    };

    let delivered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut config = Config::new();
    config.set("bootstrap.servers", &servers).set("linger.ms", 5);
    {
        let (delivered, failed) = (delivered.clone(), failed.clone());
        config.set_on_delivery(move |report| match report.error() {
            None => {
                delivered.fetch_add(1, Ordering::Relaxed);
            }
            Some(e) => {
                if failed.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("delivery failed: {e}");
                }
            }
        });
    }
    let producer = Producer::new(&config)?;

    let start = Instant::now();
    for i in 0..MESSAGES {
        let key = format!("key-{}", i % 100);
        let value = format!("message {i}");
        let mut record = Record::new(TOPIC)
            .with_key(&key)
            .with_value(&value)
            .with_header("seq", i.to_string().as_bytes());
        loop {
            match producer.produce(record) {
                Ok(()) => break,
                Err(e) if e.is_queue_full() => {
                    // The local queue is full: serve delivery reports, retry.
                    producer.poll(Duration::from_millis(100))?;
                    record = e.into_record();
                }
                Err(e) => return Err(e.into_error().into()),
            }
        }
        producer.poll(Duration::ZERO)?;
    }
    // A timeout is an error; its `remaining()` says how many are left.
    let remaining = match producer.flush(Duration::from_secs(30)) {
        Ok(()) => 0,
        Err(e) => e.remaining().ok_or(e)?,
    };
    let elapsed = start.elapsed();
    producer.close(Duration::from_secs(10))?;

    let ok = delivered.load(Ordering::Relaxed);
    let bad = failed.load(Ordering::Relaxed);
    println!(
        "Produced {MESSAGES} messages to {TOPIC:?}: {ok} delivered, {bad} failed, {remaining} undelivered in {:.3} s ({:.0} msgs/s)",
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64()
    );
    if ok as usize != MESSAGES {
        std::process::exit(1);
    }

    // Read them back in a consumer group.
    let group = format!("quickstart-{}", std::process::id());
    let mut config = Config::new();
    config
        .set("bootstrap.servers", &servers)
        .set("group.id", &group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", false);
    let consumer = Consumer::new(&config)?;
    consumer.subscribe(&[TOPIC])?;
    let start = Instant::now();
    let mut consumed = 0usize;
    let mut bytes = 0usize;
    while consumed < MESSAGES && start.elapsed() < Duration::from_secs(60) {
        for msg in consumer.consume(1000, Duration::from_millis(500))? {
            consumed += 1;
            bytes += msg.len();
        }
    }
    let elapsed = start.elapsed();
    let committed = consumer.commit_sync(Commit::Current)?;
    println!(
        "Consumed {consumed} messages ({bytes} bytes) in group {group:?} in {:.3} s ({:.0} msgs/s)",
        elapsed.as_secs_f64(),
        consumed as f64 / elapsed.as_secs_f64()
    );
    let partitions: Vec<TopicPartition> = committed
        .iter()
        .map(|tp| TopicPartition::new(&tp.topic, tp.partition))
        .collect();
    for tp in consumer.committed(&partitions, Duration::from_secs(10))? {
        println!("  committed offset {} [{}] = {}", tp.topic, tp.partition, tp.offset);
    }
    consumer.close(Duration::from_secs(10))?;
    if consumed != MESSAGES {
        eprintln!("expected {MESSAGES} messages, consumed {consumed}");
        std::process::exit(1);
    }
    Ok(())
}

/// Prints librdkafka warnings and errors (the crate logs through `log`).
fn env_logger_lite() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata<'_>) -> bool {
            m.level() <= log::Level::Warn
        }
        fn log(&self, r: &log::Record<'_>) {
            if self.enabled(r.metadata()) {
                eprintln!("[{}] {}: {}", r.level(), r.target(), r.args());
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Warn);
}
