//! Issue 12: with no `logger` configured, librdkafka's log lines go to the
//! `log` crate (target `librdkafka`) from librdkafka's own threads, without
//! any serving call, and they are not queued events: a `poll(timeout)` is
//! not ended early by them, so an event due within the timeout (a
//! statistics callback here) is served by that one call — for the
//! producer and the admin client (a consumer's `poll` waits for a message
//! whatever it serves meanwhile). With a `logger`, lines are
//! queued and served by `poll` as the Python client does
//! (tests/panics.rs and tests/secrets.rs cover that path).
//!
//! The `log` logger is process-wide: this file holds the tests that
//! install one.

mod common;

use common::*;
use ferrokafka::{AdminClient, Config, Consumer, Producer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

/// Counts `librdkafka` lines per client name, and wakes waiters.
struct Capture {
    lines: Mutex<Vec<String>>,
    cv: Condvar,
}

impl log::Log for &'static Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target().starts_with("librdkafka")
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            self.lines.lock().unwrap().push(format!("{}", r.args()));
            self.cv.notify_all();
        }
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static C: OnceLock<&'static Capture> = OnceLock::new();
    C.get_or_init(|| {
        let c: &'static Capture = Box::leak(Box::new(Capture {
            lines: Mutex::new(Vec::new()),
            cv: Condvar::new(),
        }));
        log::set_logger(Box::leak(Box::new(c))).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        c
    })
}

/// Waits (no poll) until a line naming `client` has arrived.
fn wait_for_line_of(client: &str) {
    let c = capture();
    let lines = c.lines.lock().unwrap();
    let (lines, timeout) =
        c.cv.wait_timeout_while(lines, scaled(Duration::from_secs(30)), |l| {
            !l.iter().any(|x| x.contains(&format!("[{client}]")))
        })
        .unwrap();
    assert!(
        !timeout.timed_out(),
        "no log line of {client} without a poll ({} lines)",
        lines.len()
    );
}

fn noisy(cluster: &ferrokafka::MockCluster, stats: &Arc<AtomicUsize>) -> Config {
    let mut c = config_for(cluster);
    c.set("debug", "all").set("statistics.interval.ms", 200);
    let s = stats.clone();
    c.set_stats_cb(move |_| {
        s.fetch_add(1, Ordering::SeqCst);
    });
    c
}

#[test]
fn log_lines_reach_the_log_crate_without_poll_and_never_end_a_poll_early() {
    capture();
    let topic = unique_topic("logs");
    let cluster = mock_with_topic(&topic, 1);

    let stats = Arc::new(AtomicUsize::new(0));
    let producer = Producer::new(&noisy(&cluster, &stats)).unwrap();
    wait_for_line_of(&producer.name().unwrap());
    // Each poll returns only once an event has been served: never with
    // just log lines (debug=all logs continuously), so the statistics due
    // every 200 ms are what each of these calls serves.
    for i in 1..=3 {
        let served = producer.poll(scaled(Duration::from_secs(30))).unwrap();
        assert!(served >= 1, "poll {i} served nothing");
        assert!(
            stats.load(Ordering::SeqCst) >= i,
            "poll {i} returned before the statistics"
        );
    }
    producer.close(Duration::from_secs(10)).unwrap();

    let stats = Arc::new(AtomicUsize::new(0));
    let mut cfg = noisy(&cluster, &stats);
    cfg.set("group.id", unique_topic("g"));
    let consumer = Consumer::new(&cfg).unwrap();
    consumer.subscribe(&[topic.as_str()]).unwrap();
    // Its lines arrive with no poll at all. (A consumer's `poll` waits for
    // a message whatever callbacks it serves meanwhile, as librdkafka's.)
    wait_for_line_of(&consumer.name().unwrap());
    consumer.close(Duration::from_secs(10)).unwrap();

    let stats = Arc::new(AtomicUsize::new(0));
    let admin = AdminClient::new(&noisy(&cluster, &stats)).unwrap();
    wait_for_line_of(&admin.name().unwrap());
    for i in 1..=3 {
        admin.poll(scaled(Duration::from_secs(30))).unwrap();
        assert!(
            stats.load(Ordering::SeqCst) >= i,
            "admin poll {i} returned before the statistics"
        );
    }
}
