//! What a retained consumed message costs in memory (issue 12): a fetched
//! `Message` points into librdkafka's fetch buffer and keeps the whole
//! buffer allocated; `Message::detach` copies just the message out.
//!
//! Produces 4 MiB of 1 KiB messages to each of `FERROKAFKA_BENCH_PARTITIONS`
//! partitions (default 16; 2 in short mode) of the mock cluster (which
//! keeps about 5 MB per partition), then, with a fresh
//! consumer for each mode, consumes everything and keeps one message in
//! 1024 — fetched, detached, or none — and reads the heap in use (glibc's
//! `mallinfo2`: bytes handed out by malloc, mmapped blocks included, so
//! librdkafka's buffers count and freed memory does not). Prints the
//! difference against keeping none, per retained message.
//!
//! Then it keeps *every* message: 1,000,000 messages of 100 bytes (short
//! mode: 51,200) over 64 partitions, consumed keeping all of them fetched,
//! all detached (`Message::detach`, which packs a message without headers
//! into one allocation), or none; heap in use per kept message beside the
//! value bytes, and the process's peak RSS. Nothing here is asserted:
//! numbers belong in BENCHMARKS.md.

use ferrokafka::{Config, Consumer, Message, MockCluster, Producer, Record};
use std::time::{Duration, Instant};

const MSG_SIZE: usize = 1024;
const KEEP_EVERY: usize = 1024;

fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let mi = unsafe { libc::mallinfo2() };
    mi.uordblks + mi.hblkhd
}

fn consume_keeping(bootstrap: &str, topic: &str, total: usize, mode: &str) -> (usize, usize) {
    consume_keeping_every(bootstrap, topic, total, mode, KEEP_EVERY)
}

fn consume_keeping_every(bootstrap: &str, topic: &str, total: usize, mode: &str, every: usize) -> (usize, usize) {
    let consumer = Consumer::new(&Config::from([
        ("bootstrap.servers", bootstrap),
        ("group.id", &format!("retained-{topic}-{mode}")),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
    ]))
    .expect("consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut kept: Vec<Message> = Vec::new();
    let mut seen = 0;
    let end = Instant::now() + Duration::from_secs(120);
    while seen < total {
        assert!(Instant::now() < end, "consumed {seen} of {total} in 120 s");
        for m in consumer.consume(1000, Duration::from_millis(200)).expect("consume") {
            if seen % every == 0 {
                match mode {
                    "fetched" => kept.push(m),
                    "detached" => kept.push(m.detach()),
                    _ => {}
                }
            }
            seen += 1;
        }
    }
    // Everything not kept has been dropped; librdkafka has nothing more to
    // prefetch (the log is consumed to its end).
    let in_use = heap_in_use();
    let n = kept.len();
    drop(kept);
    consumer.close(Duration::from_secs(10)).expect("close");
    (in_use, n)
}

fn producer_watermarks(bootstrap: &str, topic: &str, partition: i32) -> (i64, i64) {
    let c = Consumer::new(&Config::from([
        ("bootstrap.servers", bootstrap),
        ("group.id", "watermarks"),
    ]))
    .expect("consumer");
    c.watermark_offsets(topic, partition, Duration::from_secs(10))
        .expect("watermarks")
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let short = std::env::var_os("FERROKAFKA_BENCH_SHORT").is_some();
    let partitions: usize = std::env::var("FERROKAFKA_BENCH_PARTITIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if short { 2 } else { 16 });
    let mb = 4 * partitions;
    let total = mb * 1024 * 1024 / MSG_SIZE;
    let cluster = MockCluster::new(1).expect("mock cluster");
    let topic = "retained";
    cluster.create_topic(topic, partitions as i32, 1).expect("topic");
    let bootstrap = cluster.bootstrap_servers();
    produce_round_robin(bootstrap, topic, partitions, total, MSG_SIZE);

    println!("retained_memory: {mb} MiB of {MSG_SIZE}-byte messages, one kept in {KEEP_EVERY}");
    let (none, _) = consume_keeping(bootstrap, topic, total, "none");
    for mode in ["fetched", "detached"] {
        let (in_use, n) = consume_keeping(bootstrap, topic, total, mode);
        let extra = in_use as i64 - none as i64;
        println!(
            "  {mode:>8}: {n} messages kept, heap {:+.1} MiB beside keeping none = {:.1} KiB per kept message",
            extra as f64 / 1048576.0,
            extra as f64 / 1024.0 / n.max(1) as f64
        );
    }

    // Every message kept.
    let small = 100;
    let all = if short { 51_200 } else { 1_000_000 };
    let all_partitions = 64;
    let topic = "retained-all";
    cluster.create_topic(topic, all_partitions as i32, 1).expect("topic");
    produce_round_robin(bootstrap, topic, all_partitions, all, small);
    println!("retained_memory: {all} messages of {small} bytes, every one kept");
    let (none, _) = consume_keeping_every(bootstrap, topic, all, "none", 1);
    for mode in ["fetched", "detached"] {
        let (in_use, n) = consume_keeping_every(bootstrap, topic, all, mode, 1);
        let extra = in_use as f64 - none as f64;
        println!(
            "  {mode:>8}: {n} messages kept, heap {:+.1} MiB beside keeping none = {:.0} bytes per kept message = {:.2} x its {small} value bytes",
            extra / 1048576.0,
            extra / n.max(1) as f64,
            extra / n.max(1) as f64 / small as f64
        );
    }
    println!("  peak RSS of the process: {} MiB", peak_rss_kib() / 1024);
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Writes `total` values of `size` bytes round robin over the partitions,
/// and checks that the mock cluster kept them all.
fn produce_round_robin(bootstrap: &str, topic: &str, partitions: usize, total: usize, size: usize) {
    let producer =
        Producer::new(&Config::from([("bootstrap.servers", bootstrap), ("linger.ms", "5")])).expect("producer");
    let value = vec![b'x'; size];
    for i in 0..total {
        let mut rec = Record::new(topic)
            .with_partition((i % partitions) as i32)
            .with_value(&value[..]);
        loop {
            match producer.produce(rec) {
                Ok(()) => break,
                Err(e) if e.is_queue_full() => {
                    producer.poll(Duration::from_millis(10)).expect("poll");
                    rec = e.into_record();
                }
                Err(e) => panic!("produce: {}", e.error()),
            }
        }
    }
    producer.flush(Duration::from_secs(60)).expect("flush");
    for p in 0..partitions as i32 {
        let (low, high) = producer_watermarks(bootstrap, topic, p);
        assert_eq!(
            (low, high),
            (0, (total / partitions) as i64),
            "the mock cluster dropped messages of partition {p}"
        );
    }
    drop(producer);
}
