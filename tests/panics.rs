//! A panic in every kind of user callback (issue 7, item 2) leaves the
//! process alive, comes out of the call that served it, and leaves the
//! client usable and droppable. Dropping (or closing) a client from inside
//! each kind of callback neither aborts nor hangs.
//!
//! Each case runs in a child process — this test binary re-run with
//! `--exact child` and `FERROKAFKA_PANIC_CASE=<case>` — so that a case that
//! aborts the process (a panic unwinding into C, `rd_kafka_destroy` on a
//! librdkafka thread) or hangs is one failed test, not a dead suite. The
//! parent checks the child's exit status and that the child printed the
//! case's completion marker, within a watchdog limit.
//!
//! Callback kinds: per-message and config-level delivery reports,
//! `on_assign`/`on_revoke`/`on_lost`, `on_commit`, `error_cb`, the logger,
//! `stats_cb`, `oauth_cb` (librdkafka's background thread), the custom
//! partitioner (the producing thread or librdkafka's main thread), admin
//! completions (the only user code there is the awaiting task's waker,
//! woken on librdkafka's background thread) and async wake-ups (wakers
//! woken by librdkafka's queue wake-up callback, on its threads).
//! Throttle callbacks cannot be triggered on librdkafka 2.12.1's mock
//! cluster: its brokers always answer `ThrottleTimeMs=0`, and librdkafka
//! raises a throttle event only for a non-zero time (or the return to zero
//! after one). The throttle cases use [`ThrottlingBroker`] instead: a few
//! dozen lines of Kafka 0.9 protocol on loopback that answer every Produce
//! and Fetch with a throttle time. The certificate verification callback
//! (librdkafka's broker threads, mid-handshake) needs only a TLS server:
//! `openssl s_server` with a certificate made for the case
//! (tests/common/tls.rs; skipped without the `openssl` CLI, unless
//! `FERROKAFKA_REQUIRE_BROKER=1`).

mod common;

use common::*;
use ferrokafka::admin::OffsetSpec;
use ferrokafka::{
    AdminClient, AdminOptions, Commit, Config, Consumer, ErrorCode, MockCluster, OAuthToken, Producer,
    RebalanceCallbacks, Record, TopicPartition,
};
use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

const CASE_ENV: &str = "FERROKAFKA_PANIC_CASE";
const MARKER: &str = "PANIC-CASE-COMPLETED";

fn t(secs: u64) -> Duration {
    scaled(Duration::from_secs(secs))
}

// ---------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------

/// The child side: runs the case named by `FERROKAFKA_PANIC_CASE` (a no-op
/// in an ordinary run).
#[test]
fn child() {
    let Ok(name) = std::env::var(CASE_ENV) else { return };
    let (_, case) = CASES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("unknown case {name}"));
    case();
    // Every client of the case is gone: librdkafka has destroyed them all.
    assert_eq!(ferrokafka::wait_destroyed(t(30)), 0, "clients left after the case");
    println!("{MARKER} {name}");
}

/// The parent side: runs one case in a child process and checks that it
/// exited normally, completed, and did so within the watchdog limit.
fn run_case(name: &str) {
    let exe = std::env::current_exe().unwrap();
    let child = Command::new(exe)
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CASE_ENV, name)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("re-run the test binary");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let limit = t(180);
    let out = match rx.recv_timeout(limit) {
        Ok(out) => out.expect("wait for the child"),
        Err(_) => {
            // SAFETY-free: kill(2) by pid through the shell's `kill`.
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            panic!("case {name}: the child hung (no exit within {limit:?})");
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail = |s: &str| {
        s.lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        out.status.success(),
        "case {name}: the child failed ({}): an abort is a signal exit, a failed assertion exit status 101\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        tail(&stdout),
        tail(&stderr)
    );
    assert!(
        stdout.contains(&format!("{MARKER} {name}")),
        "case {name}: the child did not complete the case\n--- stdout\n{}\n--- stderr\n{}",
        tail(&stdout),
        tail(&stderr)
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        const CASES: &[(&str, fn())] = &[$((stringify!($name), cases::$name)),*];
        $(
            #[test]
            fn $name() {
                run_case(stringify!($name));
            }
        )*
        /// The table of cases is what the parent tests run.
        #[test]
        fn every_case_has_a_test() {
            assert_eq!(CASES.len(), [$(stringify!($name)),*].len());
            println!("{} panic/drop cases", CASES.len());
        }
    };
}

cases!(
    // Panics, and the client stays usable and droppable.
    producer_delivery_closure_panics,
    producer_delivery_config_panics,
    producer_error_cb_panics,
    producer_logger_panics,
    producer_log_crate_logger_panics,
    producer_stats_cb_panics,
    producer_oauth_cb_panics,
    producer_partitioner_panics_on_the_producing_thread,
    producer_partitioner_panics_on_a_librdkafka_thread,
    producer_send_future_waker_panics,
    consumer_on_assign_panics,
    consumer_on_revoke_panics,
    consumer_on_revoke_panics_in_close,
    consumer_on_lost_panics,
    consumer_on_commit_panics,
    consumer_error_cb_panics,
    consumer_logger_panics,
    consumer_stats_cb_panics,
    consumer_oauth_cb_panics,
    consumer_stream_waker_panics,
    consumer_commit_future_waker_panics,
    admin_error_cb_panics,
    admin_logger_panics,
    admin_oauth_cb_panics,
    admin_completion_waker_panics,
    producer_second_partitioner_panic_with_a_panicking_log_crate_logger,
    admin_completion_waker_panics_with_a_panicking_log_crate_logger,
    producer_throttle_cb_panics,
    consumer_throttle_cb_panics,
    producer_ssl_cert_verify_cb_panics,
    consumer_ssl_cert_verify_cb_panics,
    admin_ssl_cert_verify_cb_panics,
    // Dropping or closing the client from inside the callback.
    producer_delivery_closure_closes_and_drops_its_producer,
    producer_delivery_config_drops_its_producer,
    producer_error_cb_drops_its_producer,
    producer_logger_drops_its_producer,
    producer_stats_cb_drops_its_producer,
    producer_oauth_cb_drops_the_last_producer,
    producer_partitioner_drops_the_last_producer,
    producer_send_future_waker_drops_the_last_producer,
    consumer_on_assign_closes_and_drops_its_consumer,
    consumer_on_revoke_drops_its_consumer,
    consumer_on_lost_drops_its_consumer,
    consumer_on_commit_drops_its_consumer,
    consumer_error_cb_drops_its_consumer,
    consumer_stats_cb_drops_its_consumer,
    consumer_oauth_cb_drops_the_last_consumer,
    consumer_commit_future_waker_drops_the_last_consumer,
    admin_oauth_cb_drops_the_last_admin_client,
    admin_completion_waker_drops_the_last_admin_client,
    producer_throttle_cb_drops_its_producer,
    consumer_throttle_cb_drops_its_consumer,
    producer_ssl_cert_verify_cb_drops_the_last_producer,
);

// ---------------------------------------------------------------------------
// Helpers for the cases (run in the child)
// ---------------------------------------------------------------------------

fn panic_message(p: &(dyn Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string payload>".into())
}

/// Calls `serve` until one call panics, and returns the panic's message.
/// Calls that do not panic must succeed (`serve` unwraps their result).
fn until_panic(limit: Duration, mut serve: impl FnMut()) -> String {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if let Err(p) = catch_unwind(AssertUnwindSafe(&mut serve)) {
            return panic_message(&*p);
        }
    }
    panic!("no panic came out of the serving call within {limit:?}");
}

/// A callback body that panics the first time only (so that the client can
/// be shown usable afterwards), counting its calls.
#[derive(Clone, Default)]
struct Once(Arc<AtomicUsize>);

impl Once {
    fn hit(&self, msg: &'static str) {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("{msg}");
        }
    }
    fn calls(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A `log` logger that panics on every error line ferrokafka writes about
/// a panic it caught in a C callback (issue 10, item 8: that logging ran
/// outside `catch_unwind`, so this logger aborted the process), counting
/// them. Installed once per child process.
fn install_panicking_panic_logger() -> Arc<AtomicUsize> {
    struct PanickingLog(Arc<AtomicUsize>);
    impl log::Log for PanickingLog {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            let line = record.args().to_string();
            if record.level() == log::Level::Error && record.target() == "librdkafka" && line.contains("panic") {
                self.0.fetch_add(1, Ordering::SeqCst);
                panic!("log crate logger panic on: {line}");
            }
        }
        fn flush(&self) {}
    }
    let hits = Arc::new(AtomicUsize::new(0));
    log::set_logger(Box::leak(Box::new(PanickingLog(hits.clone())))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    hits
}

/// The one reference a callback takes out and drops.
type Slot<T> = Arc<Mutex<Option<Arc<T>>>>;

fn take_and_drop<T>(slot: &Slot<T>, done: &Mutex<Option<mpsc::Sender<()>>>) {
    let taken = slot.lock().unwrap().take();
    if taken.is_some() {
        drop(taken);
        if let Some(tx) = done.lock().unwrap().take() {
            let _ = tx.send(());
        }
    }
}

fn mock(topic: &str) -> MockCluster {
    let c = MockCluster::new(1).unwrap();
    c.create_topic(topic, 2, 1).unwrap();
    c.set_group_initial_rebalance_delay(Duration::from_millis(10));
    c
}

/// Nothing listens there: connecting fails at once.
const UNREACHABLE: &str = "127.0.0.1:1";

fn unreachable_config() -> Config {
    let mut c = Config::new();
    c.set("bootstrap.servers", UNREACHABLE)
        .set("reconnect.backoff.ms", 10)
        .set("reconnect.backoff.max.ms", 100);
    c
}

fn oauth_config(bootstrap: &str) -> Config {
    let mut c = Config::new();
    c.set("bootstrap.servers", bootstrap)
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanisms", "OAUTHBEARER");
    c
}

fn token() -> OAuthToken {
    OAuthToken::new("token", 4_102_444_800_000, "user")
}

/// The producer still works: a message is delivered and reported.
fn producer_delivers(p: &Producer, topic: &str) {
    let (tx, rx) = mpsc::channel();
    p.produce(Record::new(topic).with_value("after").with_on_delivery(move |r| {
        let _ = tx.send(r.error().map(|e| e.code()));
    }))
    .unwrap();
    p.flush(t(30)).unwrap();
    assert_eq!(rx.try_recv().unwrap(), None, "delivered after the panic");
}

/// A producer with no broker still works locally: a message is queued and,
/// once purged, reported.
fn producer_queues_and_reports(p: &Producer) {
    let (tx, rx) = mpsc::channel();
    p.produce(Record::new("t").with_value("after").with_on_delivery(move |r| {
        let _ = tx.send(r.error().map(|e| e.code()));
    }))
    .unwrap();
    p.purge(ferrokafka::Purge::ALL).unwrap();
    p.flush(t(30)).unwrap();
    assert_eq!(rx.try_recv().unwrap(), Some(ErrorCode::PURGE_QUEUE));
}

/// Produces `n` messages to both partitions.
fn fill(cluster: &MockCluster, topic: &str, n: usize) {
    let p = Producer::new(&config_for(cluster)).unwrap();
    for i in 0..n {
        p.produce(
            Record::new(topic)
                .with_partition((i % 2) as i32)
                .with_value(i.to_string().as_str()),
        )
        .unwrap();
    }
    p.flush(t(30)).unwrap();
}

fn group_config(cluster: &MockCluster) -> Config {
    let mut c = config_for(cluster);
    c.set("group.id", unique_topic("g"))
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", 6000)
        .set("heartbeat.interval.ms", 200);
    c
}

/// The consumer still works: `n` messages arrive.
fn consumer_receives(c: &Consumer, n: usize) {
    let mut got = 0;
    let end = Instant::now() + t(30);
    while got < n && Instant::now() < end {
        got += c.poll(Duration::from_millis(100)).unwrap().is_some() as usize;
    }
    assert_eq!(got, n, "messages after the panic");
}

/// A waker that runs `on_wake` when first woken (then panics, or not).
struct TestWaker {
    fired: AtomicBool,
    on_wake: Box<dyn Fn() + Send + Sync>,
    panic: bool,
}

impl TestWaker {
    fn waker(panic: bool, on_wake: impl Fn() + Send + Sync + 'static) -> Waker {
        Waker::from(Arc::new(TestWaker {
            fired: AtomicBool::new(false),
            on_wake: Box::new(on_wake),
            panic,
        }))
    }
}

impl Wake for TestWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.fired.swap(true, Ordering::SeqCst) {
            (self.on_wake)();
            if self.panic {
                panic!("waker panic");
            }
        }
    }
}

/// Polls a future to completion on this thread (parking between polls).
fn block_on<F: Future + Unpin>(mut f: F, limit: Duration) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark()
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let end = Instant::now() + limit;
    loop {
        if let Poll::Ready(v) = Pin::new(&mut f).poll(&mut cx) {
            return v;
        }
        let left = end.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the future did not complete within {limit:?}");
        std::thread::park_timeout(left);
    }
}

#[path = "common/throttling.rs"]
mod throttling;
use throttling::{ThrottlingBroker, THROTTLE_MS};
#[path = "common/tls.rs"]
mod tls;
use tls::TlsServer;

/// A client of `server` that verifies its certificate with `ssl.ca.location`.
fn tls_client_config(server: &TlsServer) -> Config {
    tls::tls_config(server.port, &[("ssl.ca.location", server.pki.path("ca.pem"))])
}

mod cases {
    use super::*;

    // -----------------------------------------------------------------------
    // Throttling (a throttling broker of our own: see ThrottlingBroker)
    // -----------------------------------------------------------------------

    pub fn producer_throttle_cb_panics() {
        let broker = ThrottlingBroker::start();
        let mut config = broker.config();
        let once = Once::default();
        let o = once.clone();
        config.set_throttle_cb(move |ev| {
            assert_eq!(ev.throttle_time, Duration::from_millis(THROTTLE_MS as u64));
            o.hit("throttle_cb panic")
        });
        let p = Producer::new(&config).unwrap();
        p.produce(Record::new("t").with_value("v")).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "throttle_cb panic"
        );
        // Usable: the message is delivered, and the next throttle events
        // are served normally.
        producer_delivers(&p, "t");
        assert!(wait_for(
            t(30),
            || {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        drop(p);
    }

    /// A consumer of the throttling broker (assigned, not in a group).
    fn throttled_consumer_config(config: &mut Config) {
        config
            .set("group.id", "throttled")
            .set("enable.auto.commit", "false")
            .set("fetch.wait.max.ms", 100);
    }

    pub fn consumer_throttle_cb_panics() {
        let broker = ThrottlingBroker::start();
        let mut config = broker.config();
        throttled_consumer_config(&mut config);
        let once = Once::default();
        let o = once.clone();
        config.set_throttle_cb(move |_| o.hit("throttle_cb panic"));
        let c = Consumer::new(&config).unwrap();
        c.assign(&[TopicPartition::with_offset("t", 0, 0)]).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "throttle_cb panic"
        );
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        assert_eq!(c.assignment().unwrap().len(), 1);
        drop(c);
    }

    pub fn producer_throttle_cb_drops_its_producer() {
        let broker = ThrottlingBroker::start();
        let s = slot::<Producer>();
        let (d, rx) = done();
        let mut config = broker.config();
        let (s2, d2) = (s.clone(), d.clone());
        config.set_throttle_cb(move |_| take_and_drop(&s2, &d2));
        let p = Arc::new(Producer::new(&config).unwrap());
        *s.lock().unwrap() = Some(p.clone());
        p.produce(Record::new("t").with_value("v")).unwrap();
        assert!(wait_for(
            t(30),
            || {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            || s.lock().unwrap().is_none()
        ));
        rx.recv_timeout(t(30)).unwrap();
        assert_eq!(Arc::strong_count(&p), 1);
        producer_delivers(&p, "t");
        drop(p);
    }

    pub fn consumer_throttle_cb_drops_its_consumer() {
        let broker = ThrottlingBroker::start();
        let mut config = broker.config();
        throttled_consumer_config(&mut config);
        consumer_drop_in_serving_callback(
            config,
            |c, f| {
                c.set_throttle_cb(move |_| f());
            },
            |c| c.assign(&[TopicPartition::with_offset("t", 0, 0)]).unwrap(),
        );
    }

    // -----------------------------------------------------------------------
    // Producer
    // -----------------------------------------------------------------------

    pub fn producer_delivery_closure_panics() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let p = Producer::new(&config_for(&cluster)).unwrap();
        let rest = Arc::new(AtomicUsize::new(0));
        p.produce(
            Record::new(&topic)
                .with_value("0")
                .with_on_delivery(|_| panic!("delivery closure panic")),
        )
        .unwrap();
        for _ in 0..5 {
            let rest = rest.clone();
            p.produce(Record::new(&topic).with_value("x").with_on_delivery(move |r| {
                assert!(r.is_ok());
                rest.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
        }
        assert_eq!(
            until_panic(t(30), || {
                p.flush(t(30)).unwrap();
            }),
            "delivery closure panic"
        );
        // The other reports stay queued and are served by the next call.
        p.flush(t(30)).unwrap();
        assert_eq!(rest.load(Ordering::SeqCst), 5);
        producer_delivers(&p, &topic);
        drop(p);
    }

    pub fn producer_delivery_config_panics() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let mut config = config_for(&cluster);
        let once = Once::default();
        let o = once.clone();
        config.set_on_delivery(move |_| o.hit("on_delivery panic"));
        let p = Producer::new(&config).unwrap();
        for _ in 0..3 {
            p.produce(Record::new(&topic).with_value("x")).unwrap();
        }
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "on_delivery panic"
        );
        p.flush(t(30)).unwrap();
        assert_eq!(once.calls(), 3, "every message still reported once");
        producer_delivers(&p, &topic);
        drop(p);
    }

    pub fn producer_error_cb_panics() {
        let mut config = unreachable_config();
        let once = Once::default();
        let o = once.clone();
        config.set_error_cb(move |_| o.hit("error_cb panic"));
        let p = Producer::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "error_cb panic"
        );
        // Later errors are served normally.
        assert!(wait_for(
            t(30),
            || {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        producer_queues_and_reports(&p);
        drop(p);
    }

    pub fn producer_logger_panics() {
        let mut config = unreachable_config();
        config.set("debug", "broker,topic,msg");
        let once = Once::default();
        let o = once.clone();
        config.set_logger(move |_| o.hit("logger panic"));
        let p = Producer::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "logger panic"
        );
        assert!(wait_for(
            t(30),
            || {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        producer_queues_and_reports(&p);
        drop(p);
    }

    /// Without a `logger`, lines go to the `log` crate: a panicking `log`
    /// implementation is user code too.
    pub fn producer_log_crate_logger_panics() {
        struct PanickingLog(Once);
        impl log::Log for PanickingLog {
            fn enabled(&self, _: &log::Metadata<'_>) -> bool {
                true
            }
            fn log(&self, record: &log::Record<'_>) {
                if record.target().starts_with("librdkafka") {
                    self.0.hit("log crate logger panic");
                }
            }
            fn flush(&self) {}
        }
        let once = Once::default();
        log::set_logger(Box::leak(Box::new(PanickingLog(once.clone())))).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        let mut config = unreachable_config();
        config.set("debug", "broker");
        let p = Producer::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "log crate logger panic"
        );
        producer_queues_and_reports(&p);
        drop(p);
        assert!(once.calls() >= 2);
    }

    pub fn producer_stats_cb_panics() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let mut config = config_for(&cluster);
        config.set("statistics.interval.ms", 100);
        let once = Once::default();
        let o = once.clone();
        config.set_stats_cb(move |json| {
            assert!(json.starts_with('{'));
            o.hit("stats_cb panic")
        });
        let p = Producer::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "stats_cb panic"
        );
        assert!(wait_for(
            t(30),
            || {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        producer_delivers(&p, &topic);
        drop(p);
    }

    pub fn producer_oauth_cb_panics() {
        let mut config = oauth_config(UNREACHABLE);
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        // The first call, which the constructor waits for, succeeds; the
        // refresh panics on librdkafka's background thread.
        let calls = AtomicUsize::new(0);
        config.set_oauth_cb(move |_| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Ok(short_token("user"));
            }
            let _ = tx.lock().unwrap().send(());
            panic!("oauth_cb panic")
        });
        let p = Producer::new(&config).unwrap();
        rx.recv_timeout(t(30)).expect("librdkafka asks for a new token");
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::from_millis(100)).unwrap();
            }),
            "oauth_cb panic"
        );
        p.poll(Duration::ZERO).unwrap();
        producer_queues_and_reports(&p);
        drop(p);
    }

    /// The topic's partition count is known (after a first delivery), so
    /// `produce` runs the partitioner on the calling thread.
    pub fn producer_partitioner_panics_on_the_producing_thread() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let mut config = config_for(&cluster);
        config.set_partitioner(|_, key, count| {
            if key == Some(b"panic".as_slice()) {
                panic!("partitioner panic");
            }
            count - 1
        });
        let p = Producer::new(&config).unwrap();
        producer_delivers(&p, &topic);
        let (tx, rx) = mpsc::channel();
        // The panic is caught inside `produce`; the message falls back to
        // librdkafka's default partitioner and is still delivered.
        p.produce(
            Record::new(&topic)
                .with_key("panic")
                .with_value("v")
                .with_on_delivery(move |r| {
                    let _ = tx.send(r.error().map(|e| e.code()));
                }),
        )
        .unwrap();
        assert_eq!(
            until_panic(t(30), || {
                p.flush(t(30)).unwrap();
            }),
            "partitioner panic"
        );
        p.flush(t(30)).unwrap();
        assert_eq!(rx.recv_timeout(t(30)).unwrap(), None);
        producer_delivers(&p, &topic);
        drop(p);
    }

    /// Two partitioner panics before any serving call: the second is
    /// logged (the first is kept to be resumed) from inside the C
    /// partitioner callback, and the `log` logger panics on that line. The
    /// process must not abort; the first panic comes out of `flush`, and
    /// both messages are delivered.
    pub fn producer_second_partitioner_panic_with_a_panicking_log_crate_logger() {
        let hits = install_panicking_panic_logger();
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let mut config = config_for(&cluster);
        config.set_partitioner(|_, key, count| {
            if let Some(k) = key.filter(|k| k.starts_with(b"panic")) {
                panic!("partitioner panic {}", String::from_utf8_lossy(k));
            }
            count - 1
        });
        let p = Producer::new(&config).unwrap();
        // The partition count is known now: `produce` runs the partitioner
        // on this thread.
        producer_delivers(&p, &topic);
        let delivered = Arc::new(AtomicUsize::new(0));
        for key in ["panic-1", "panic-2"] {
            let d = delivered.clone();
            p.produce(
                Record::new(&topic)
                    .with_key(key)
                    .with_value("v")
                    .with_on_delivery(move |r| {
                        assert!(r.is_ok());
                        d.fetch_add(1, Ordering::SeqCst);
                    }),
            )
            .unwrap();
        }
        assert_eq!(
            hits.load(Ordering::SeqCst),
            1,
            "the second panic was logged (and the logger panicked)"
        );
        assert_eq!(
            until_panic(t(30), || {
                p.flush(t(30)).unwrap();
            }),
            "partitioner panic panic-1"
        );
        p.flush(t(30)).unwrap();
        assert_eq!(delivered.load(Ordering::SeqCst), 2);
        producer_delivers(&p, &topic);
        drop(p);
    }

    /// The partition count is not known yet when `produce` is called, so
    /// the partitioner runs later on librdkafka's main thread, while the
    /// application sits in `flush`: the panic must come out of that `flush`
    /// (and not be left behind once the message is delivered).
    pub fn producer_partitioner_panics_on_a_librdkafka_thread() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        // Each new producer learns the topic's partitions only after this
        // round trip, so `produce` (right after `new`) cannot partition on
        // the application's thread: the message waits, unassigned, and
        // librdkafka's thread partitions it when the metadata arrives.
        // (Without the delay that was a race the producer sometimes won,
        // 15-40% of runs.)
        cluster.set_broker_rtt(1, Duration::from_millis(300)).unwrap();
        for round in 0..10 {
            let mut config = config_for(&cluster);
            let on_app_thread = Arc::new(AtomicUsize::new(0));
            let me = std::thread::current().id();
            let o = on_app_thread.clone();
            config.set_partitioner(move |_, _, _| {
                if std::thread::current().id() == me {
                    o.fetch_add(1, Ordering::SeqCst);
                }
                panic!("partitioner panic {round}")
            });
            let p = Producer::new(&config).unwrap();
            let delivered = Arc::new(AtomicBool::new(false));
            let d = delivered.clone();
            p.produce(
                Record::new(&topic)
                    .with_key("k")
                    .with_value("v")
                    .with_on_delivery(move |r| {
                        assert!(r.is_ok());
                        d.store(true, Ordering::SeqCst);
                    }),
            )
            .unwrap();
            let flushed = catch_unwind(AssertUnwindSafe(|| p.flush(t(30))));
            let msg = panic_message(&*flushed.expect_err("the partitioner's panic comes out of flush"));
            assert_eq!(msg, format!("partitioner panic {round}"));
            assert_eq!(on_app_thread.load(Ordering::SeqCst), 0, "ran on a librdkafka thread");
            p.flush(t(30)).unwrap();
            assert!(delivered.load(Ordering::SeqCst));
            p.poll(Duration::ZERO).unwrap();
            drop(p);
        }
    }

    /// A task's waker is woken by librdkafka's queue wake-up callback on a
    /// librdkafka thread: its panic is caught there and comes out of the
    /// next serving call.
    pub fn producer_send_future_waker_panics() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let p = Producer::new(&config_for(&cluster)).unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let waker = TestWaker::waker(true, move || {
            let _ = tx
                .lock()
                .unwrap()
                .send(std::thread::current().name().map(str::to_string));
        });
        let mut fut = p.send(Record::new(&topic).with_value("v"));
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut fut).poll(&mut cx).is_pending());
        let thread = rx.recv_timeout(t(30)).expect("woken when the report arrived");
        assert!(
            thread.is_none_or(|n| !n.starts_with("child")),
            "woken on a librdkafka thread"
        );
        assert_eq!(
            until_panic(t(30), || {
                p.poll(Duration::ZERO).unwrap();
            }),
            "waker panic"
        );
        // The future still completes.
        let delivery = block_on(fut, t(30)).unwrap();
        assert!((0..2).contains(&delivery.partition));
        producer_delivers(&p, &topic);
        drop(p);
    }

    // -----------------------------------------------------------------------
    // Consumer
    // -----------------------------------------------------------------------

    pub fn consumer_on_assign_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 6);
        let c = Consumer::new(&group_config(&cluster)).unwrap();
        let once = Once::default();
        let o = once.clone();
        c.subscribe_with(
            &[&topic],
            RebalanceCallbacks::new().on_assign(move |_, _| o.hit("on_assign panic")),
        )
        .unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "on_assign panic"
        );
        // The consumer assigned by itself (the fallback), and consumes.
        consumer_receives(&c, 6);
        assert_eq!(c.assignment().unwrap().len(), 2);
        c.close(t(30)).unwrap();
        drop(c);
    }

    pub fn consumer_on_revoke_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 4);
        let c = Consumer::new(&group_config(&cluster)).unwrap();
        let once = Once::default();
        let o = once.clone();
        let cbs = RebalanceCallbacks::new().on_revoke(move |_, _| o.hit("on_revoke panic"));
        c.subscribe_with(&[&topic], cbs.clone()).unwrap();
        consumer_receives(&c, 4);
        c.unsubscribe().unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "on_revoke panic"
        );
        // The fallback unassign ran.
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || c.assignment().unwrap().is_empty()
        ));
        fill(&cluster, &topic, 2);
        c.subscribe_with(&[&topic], cbs).unwrap();
        consumer_receives(&c, 2);
        c.close(t(30)).unwrap();
        assert_eq!(once.calls(), 2, "on_revoke also ran (quietly) in close");
    }

    /// `close` serves `on_revoke`: its panic comes out of `close`, the
    /// consumer stays open, and closing again finishes.
    pub fn consumer_on_revoke_panics_in_close() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let c = Consumer::new(&group_config(&cluster)).unwrap();
        let once = Once::default();
        let o = once.clone();
        c.subscribe_with(
            &[&topic],
            RebalanceCallbacks::new().on_revoke(move |_, _| o.hit("on_revoke panic")),
        )
        .unwrap();
        consumer_receives(&c, 2);
        let closed = catch_unwind(AssertUnwindSafe(|| c.close(t(30))));
        assert_eq!(
            panic_message(&*closed.expect_err("panic out of close")),
            "on_revoke panic"
        );
        assert!(!c.is_closed());
        c.close(t(30)).unwrap();
        assert!(c.is_closed());
        assert!(c.poll(Duration::ZERO).unwrap_err().is_closed());
    }

    /// `on_lost`: heartbeats fail with ILLEGAL_GENERATION, so the
    /// cooperative assignment is lost.
    pub fn consumer_on_lost_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 4);
        let mut config = group_config(&cluster);
        config.set("partition.assignment.strategy", "cooperative-sticky");
        let c = Consumer::new(&config).unwrap();
        let once = Once::default();
        let o = once.clone();
        c.subscribe_with(
            &[&topic],
            RebalanceCallbacks::new().on_lost(move |_, _| o.hit("on_lost panic")),
        )
        .unwrap();
        consumer_receives(&c, 4);
        cluster.push_request_errors(ferrokafka::ApiKey::HEARTBEAT, &[ErrorCode::ILLEGAL_GENERATION; 5]);
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "on_lost panic"
        );
        // Rejoined and reassigned.
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || c.assignment().unwrap().len() == 2
        ));
        fill(&cluster, &topic, 2);
        consumer_receives(&c, 2);
        c.close(t(30)).unwrap();
    }

    pub fn consumer_on_commit_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let mut config = group_config(&cluster);
        config.set("enable.auto.commit", "false");
        let once = Once::default();
        let o = once.clone();
        config.set_on_commit(move |_, _| o.hit("on_commit panic"));
        let c = Consumer::new(&config).unwrap();
        c.assign(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)])
            .unwrap();
        consumer_receives(&c, 2);
        c.commit_async(Commit::Current).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "on_commit panic"
        );
        c.commit_async(Commit::Current).unwrap();
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        fill(&cluster, &topic, 2);
        consumer_receives(&c, 2);
        drop(c);
    }

    fn unreachable_consumer_config() -> Config {
        let mut c = unreachable_config();
        c.set("group.id", "g");
        c
    }

    /// A consumer with no broker still works locally: assign, then the
    /// assignment is there.
    fn consumer_assigns(c: &Consumer) {
        c.assign(&[TopicPartition::new("t", 0)]).unwrap();
        assert_eq!(c.assignment().unwrap().len(), 1);
        c.poll(Duration::ZERO).unwrap();
        c.unassign().unwrap();
    }

    pub fn consumer_error_cb_panics() {
        let mut config = unreachable_consumer_config();
        let once = Once::default();
        let o = once.clone();
        config.set_error_cb(move |_| o.hit("error_cb panic"));
        let c = Consumer::new(&config).unwrap();
        c.subscribe(&["t"]).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "error_cb panic"
        );
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        c.unsubscribe().unwrap();
        consumer_assigns(&c);
        c.close(t(5)).ok();
    }

    pub fn consumer_logger_panics() {
        let mut config = unreachable_consumer_config();
        config.set("debug", "broker,cgrp");
        let once = Once::default();
        let o = once.clone();
        config.set_logger(move |_| o.hit("logger panic"));
        let c = Consumer::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "logger panic"
        );
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        consumer_assigns(&c);
        drop(c);
    }

    pub fn consumer_stats_cb_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        let mut config = group_config(&cluster);
        config.set("statistics.interval.ms", 100);
        let once = Once::default();
        let o = once.clone();
        config.set_stats_cb(move |_| o.hit("stats_cb panic"));
        let c = Consumer::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "stats_cb panic"
        );
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        fill(&cluster, &topic, 2);
        c.assign(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)])
            .unwrap();
        consumer_receives(&c, 2);
        drop(c);
    }

    pub fn consumer_oauth_cb_panics() {
        let mut config = oauth_config(UNREACHABLE);
        config.set("group.id", "g");
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        // The first call, which the constructor waits for, succeeds; the
        // refresh panics on librdkafka's background thread.
        let calls = AtomicUsize::new(0);
        config.set_oauth_cb(move |_| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Ok(short_token("user"));
            }
            let _ = tx.lock().unwrap().send(());
            panic!("oauth_cb panic")
        });
        let c = Consumer::new(&config).unwrap();
        rx.recv_timeout(t(30)).expect("librdkafka asks for a new token");
        assert_eq!(
            until_panic(t(30), || {
                c.poll(Duration::from_millis(100)).unwrap();
            }),
            "oauth_cb panic"
        );
        consumer_assigns(&c);
        drop(c);
    }

    pub fn consumer_stream_waker_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        let c = Consumer::new(&group_config(&cluster)).unwrap();
        c.assign(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)])
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let waker = TestWaker::waker(true, move || {
            let _ = tx.lock().unwrap().send(());
        });
        {
            let mut stream = c.stream();
            let mut cx = Context::from_waker(&waker);
            // Poll until the stream waits (events from the assign may be
            // served first).
            match futures::Stream::poll_next(Pin::new(&mut stream), &mut cx) {
                Poll::Pending => {}
                Poll::Ready(item) => panic!("nothing to consume yet: {:?}", item.map(|r| r.map(|_| ()))),
            }
            fill(&cluster, &topic, 2);
            rx.recv_timeout(t(30)).expect("woken when messages arrived");
            let msg = catch_unwind(AssertUnwindSafe(|| {
                futures::Stream::poll_next(Pin::new(&mut stream), &mut cx)
            }));
            assert_eq!(
                panic_message(&*msg.expect_err("the waker's panic comes out of the stream")),
                "waker panic"
            );
        }
        consumer_receives(&c, 2);
        drop(c);
    }

    pub fn consumer_commit_future_waker_panics() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let c = Consumer::new(&group_config(&cluster)).unwrap();
        c.assign(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)])
            .unwrap();
        consumer_receives(&c, 2);
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let waker = TestWaker::waker(true, move || {
            let _ = tx.lock().unwrap().send(());
        });
        let mut fut = c.commit_future(Commit::Current);
        let mut cx = Context::from_waker(&waker);
        // The result may already be there at the first poll (then there is
        // no wake-up, and the future must not be polled again).
        let results = match Pin::new(&mut fut).poll(&mut cx) {
            Poll::Ready(r) => r.unwrap(),
            Poll::Pending => {
                rx.recv_timeout(t(30)).expect("woken when the commit completed");
                assert_eq!(
                    until_panic(t(30), || {
                        c.poll(Duration::from_millis(10)).unwrap();
                    }),
                    "waker panic"
                );
                block_on(fut, t(30)).unwrap()
            }
        };
        assert!(results.iter().all(|tp| tp.error.is_none()), "{results:?}");
        fill(&cluster, &topic, 2);
        consumer_receives(&c, 2);
        drop(c);
    }

    // -----------------------------------------------------------------------
    // AdminClient
    // -----------------------------------------------------------------------

    pub fn admin_error_cb_panics() {
        let mut config = unreachable_config();
        let once = Once::default();
        let o = once.clone();
        config.set_error_cb(move |_| o.hit("error_cb panic"));
        let a = AdminClient::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                a.poll(Duration::from_millis(100)).unwrap();
            }),
            "error_cb panic"
        );
        assert!(wait_for(
            t(30),
            || {
                a.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        drop(a);
    }

    pub fn admin_logger_panics() {
        let mut config = unreachable_config();
        config.set("debug", "broker,admin");
        let once = Once::default();
        let o = once.clone();
        config.set_logger(move |_| o.hit("logger panic"));
        let a = AdminClient::new(&config).unwrap();
        assert_eq!(
            until_panic(t(30), || {
                a.poll(Duration::from_millis(100)).unwrap();
            }),
            "logger panic"
        );
        assert!(wait_for(
            t(30),
            || {
                a.poll(Duration::from_millis(100)).unwrap();
            },
            || once.calls() >= 2
        ));
        drop(a);
    }

    pub fn admin_oauth_cb_panics() {
        let mut config = oauth_config(UNREACHABLE);
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        // The first call, which the constructor waits for, succeeds; the
        // refresh panics on librdkafka's background thread.
        let calls = AtomicUsize::new(0);
        config.set_oauth_cb(move |_| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Ok(short_token("user"));
            }
            let _ = tx.lock().unwrap().send(());
            panic!("oauth_cb panic")
        });
        let a = AdminClient::new(&config).unwrap();
        rx.recv_timeout(t(30)).expect("librdkafka asks for a new token");
        assert_eq!(
            until_panic(t(30), || {
                a.poll(Duration::from_millis(100)).unwrap();
            }),
            "oauth_cb panic"
        );
        a.poll(Duration::ZERO).unwrap();
        drop(a);
    }

    /// The certificate verification callback panics on a broker thread,
    /// once: the certificate is rejected, the panic comes out of the next
    /// `serve` (a `poll`), and the client goes on (the callback is called
    /// again on the reconnection).
    fn ssl_cert_verify_cb_panics<T>(make: impl FnOnce(&Config) -> T, serve: impl Fn(&T), after: impl FnOnce(&T)) {
        let Some(server) = TlsServer::start() else { return };
        let mut config = tls_client_config(&server);
        let once = Once::default();
        let o = once.clone();
        config.set_ssl_cert_verify_cb(move |_| {
            o.hit("ssl_cert_verify_cb panic");
            ferrokafka::SslCertVerdict::Accept
        });
        let client = make(&config);
        assert_eq!(until_panic(t(30), || serve(&client)), "ssl_cert_verify_cb panic");
        assert!(wait_for(t(30), || serve(&client), || once.calls() >= 2), "called again");
        after(&client);
        drop(client);
        drop(server);
    }

    pub fn producer_ssl_cert_verify_cb_panics() {
        ssl_cert_verify_cb_panics(
            |c| Producer::new(c).unwrap(),
            |p| {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            producer_queues_and_reports,
        );
    }

    pub fn consumer_ssl_cert_verify_cb_panics() {
        ssl_cert_verify_cb_panics(
            |c| {
                let mut c = c.clone();
                c.set("group.id", unique_topic("g"));
                Consumer::new(&c).unwrap()
            },
            |c| {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            |c| c.close(t(30)).unwrap(),
        );
    }

    pub fn admin_ssl_cert_verify_cb_panics() {
        ssl_cert_verify_cb_panics(
            |c| AdminClient::new(c).unwrap(),
            |a| {
                a.poll(Duration::from_millis(100)).unwrap();
            },
            |a| {
                a.poll(Duration::ZERO).unwrap();
            },
        );
    }

    fn latest(topic: &str) -> Vec<(TopicPartition, OffsetSpec)> {
        vec![(TopicPartition::new(topic, 0), OffsetSpec::Latest)]
    }

    /// The only user code an admin completion runs is the awaiting task's
    /// waker, woken on librdkafka's background thread: a panic there comes
    /// out of the admin client's next `poll`, and the result is not lost.
    pub fn admin_completion_waker_panics() {
        let topic = unique_topic("a");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let a = AdminClient::new(&config_for(&cluster)).unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let waker = TestWaker::waker(true, move || {
            let _ = tx.lock().unwrap().send(());
        });
        let mut fut = a.list_offsets(&latest(&topic), &AdminOptions::new()).unwrap();
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut fut).poll(&mut cx).is_pending());
        rx.recv_timeout(t(30)).expect("woken when the result arrived");
        assert_eq!(
            until_panic(t(30), || {
                a.poll(Duration::from_millis(10)).unwrap();
            }),
            "waker panic"
        );
        let r = block_on(fut, t(30));
        assert_eq!(r[0].1.as_ref().unwrap().offset, 1);
        // Usable: another request completes.
        let r = a
            .list_offsets(&latest(&topic), &AdminOptions::new())
            .unwrap()
            .wait(t(30))
            .unwrap();
        assert_eq!(r[0].1.as_ref().unwrap().offset, 1);
        a.close(t(30)).unwrap();
    }

    /// An admin completion's waker panics on librdkafka's background
    /// thread, twice before a serving call: the background event callback
    /// logs each panic, and the second stash logs again; the `log` logger
    /// panics on those lines. The process must not abort; the first waker
    /// panic comes out of `poll`, and the results are not lost.
    pub fn admin_completion_waker_panics_with_a_panicking_log_crate_logger() {
        let hits = install_panicking_panic_logger();
        let topic = unique_topic("a");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let a = AdminClient::new(&config_for(&cluster)).unwrap();
        let (tx, rx) = mpsc::channel();
        let mut futs = Vec::new();
        let mut wakers = Vec::new();
        for _ in 0..2 {
            let tx = Mutex::new(tx.clone());
            let waker = TestWaker::waker(true, move || {
                let _ = tx.lock().unwrap().send(());
            });
            let mut fut = a.list_offsets(&latest(&topic), &AdminOptions::new()).unwrap();
            assert!(Pin::new(&mut fut).poll(&mut Context::from_waker(&waker)).is_pending());
            futs.push(fut);
            wakers.push(waker);
        }
        for _ in 0..2 {
            rx.recv_timeout(t(30)).expect("woken when the result arrived");
        }
        // Each completion logs its panic (after waking us), the second also
        // as a second pending panic: the logger panics on each line.
        assert!(
            wait_for(
                t(30),
                || std::thread::sleep(Duration::from_millis(1)),
                || hits.load(Ordering::SeqCst) >= 3
            ),
            "{} lines logged",
            hits.load(Ordering::SeqCst)
        );
        assert_eq!(
            until_panic(t(30), || {
                a.poll(Duration::from_millis(10)).unwrap();
            }),
            "waker panic"
        );
        for fut in futs {
            let r = block_on(fut, t(30));
            assert_eq!(r[0].1.as_ref().unwrap().offset, 1);
        }
        a.close(t(30)).unwrap();
    }

    // -----------------------------------------------------------------------
    // Dropping or closing the client inside its callbacks.
    //
    // A callback served inside a serving call (`poll`, `flush`, …) runs
    // while its caller holds a reference to the client, so it can drop
    // every other one (and close the client); the caller's is then the
    // last, dropped as the call returns. Callbacks that run on librdkafka's
    // threads (OAuth, partitioner, wakers) can drop the very last
    // reference: the client must then be destroyed off that thread.
    // -----------------------------------------------------------------------

    fn slot<T>() -> Slot<T> {
        Arc::new(Mutex::new(None))
    }

    type Done = Arc<Mutex<Option<mpsc::Sender<()>>>>;

    fn done() -> (Done, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        (Arc::new(Mutex::new(Some(tx))), rx)
    }

    pub fn producer_delivery_closure_closes_and_drops_its_producer() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let s = slot::<Producer>();
        let (d, rx) = done();
        let p = Arc::new(Producer::new(&config_for(&cluster)).unwrap());
        *s.lock().unwrap() = Some(p.clone());
        let (s2, d2) = (s.clone(), d.clone());
        p.produce(Record::new(&topic).with_value("v").with_on_delivery(move |_| {
            let producer = s2.lock().unwrap().clone().unwrap();
            // Closing from inside a delivery callback serves (nested) and
            // then destroys the client once the outer call lets go of it.
            // The message being reported still counts as undelivered until
            // its callback returns, so this close cannot wait for it: it
            // purges (nothing) and says so.
            let r = producer.close(Duration::ZERO);
            assert!(
                r.is_ok() || r.as_ref().unwrap_err().code() == ErrorCode::TIMED_OUT,
                "{r:?}"
            );
            drop(producer);
            take_and_drop(&s2, &d2);
        }))
        .unwrap();
        let r = p.flush(t(30));
        assert!(r.is_ok() || r.as_ref().unwrap_err().is_closed(), "{r:?}");
        rx.recv_timeout(t(30)).unwrap();
        assert!(p.is_closed());
        assert!(p.poll(Duration::ZERO).unwrap_err().is_closed());
        assert_eq!(Arc::strong_count(&p), 1);
        drop(p);
    }

    pub fn producer_delivery_config_drops_its_producer() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let s = slot::<Producer>();
        let (d, rx) = done();
        let mut config = config_for(&cluster);
        let (s2, d2) = (s.clone(), d.clone());
        config.set_on_delivery(move |_| take_and_drop(&s2, &d2));
        let p = Arc::new(Producer::new(&config).unwrap());
        *s.lock().unwrap() = Some(p.clone());
        p.produce(Record::new(&topic).with_value("v")).unwrap();
        p.flush(t(30)).unwrap();
        rx.recv_timeout(t(30)).unwrap();
        assert_eq!(Arc::strong_count(&p), 1);
        drop(p);
    }

    fn producer_drop_in_serving_callback(configure: impl FnOnce(&mut Config, Box<dyn Fn() + Send + Sync>)) {
        let s = slot::<Producer>();
        let (d, rx) = done();
        let mut config = unreachable_config();
        let (s2, d2) = (s.clone(), d.clone());
        configure(&mut config, Box::new(move || take_and_drop(&s2, &d2)));
        let p = Arc::new(Producer::new(&config).unwrap());
        *s.lock().unwrap() = Some(p.clone());
        assert!(wait_for(
            t(30),
            || {
                p.poll(Duration::from_millis(100)).unwrap();
            },
            || s.lock().unwrap().is_none()
        ));
        rx.recv_timeout(t(30)).unwrap();
        assert_eq!(Arc::strong_count(&p), 1);
        producer_queues_and_reports(&p);
        drop(p);
    }

    pub fn producer_error_cb_drops_its_producer() {
        producer_drop_in_serving_callback(|c, f| {
            c.set_error_cb(move |_| f());
        });
    }

    pub fn producer_logger_drops_its_producer() {
        producer_drop_in_serving_callback(|c, f| {
            c.set("debug", "broker");
            c.set_logger(move |_| f());
        });
    }

    pub fn producer_stats_cb_drops_its_producer() {
        producer_drop_in_serving_callback(|c, f| {
            c.set("statistics.interval.ms", 100);
            c.set_stats_cb(move |_| f());
        });
    }

    /// The OAuth callback runs on librdkafka's background thread, so it can
    /// hold the last reference: the client is destroyed without aborting
    /// ("rd_kafka_destroy() called from librdkafka owned thread") or
    /// hanging. Here it takes and drops the last reference to the client
    /// that `make` builds from `config`, once the application has let go
    /// of its own.
    fn oauth_cb_drops_the_last<T: Send + Sync + 'static>(
        mut config: Config,
        make: impl FnOnce(&Config) -> T,
        what: &str,
    ) {
        let s = slot::<T>();
        let (d, rx) = done();
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        let ready_rx = Mutex::new(ready_rx);
        let (s2, d2) = (s.clone(), d.clone());
        let calls = AtomicUsize::new(0);
        config.set_oauth_cb(move |_| {
            // The first token, which the constructor waits for; the
            // refresh about a second later does the drop.
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Ok(short_token("user"));
            }
            // Wait until the application has let go of its reference.
            let _ = ready_rx.lock().unwrap().recv_timeout(t(30));
            take_and_drop(&s2, &d2);
            Ok(token())
        });
        *s.lock().unwrap() = Some(Arc::new(make(&config)));
        ready_tx.send(()).unwrap();
        rx.recv_timeout(t(60))
            .unwrap_or_else(|_| panic!("the callback dropped the {what}"));
    }

    /// The certificate verification callback runs on a broker thread, so
    /// it can hold the last reference: the producer is destroyed without
    /// aborting or hanging. Client methods called there return `_STATE`
    /// (they would block the broker thread doing the handshake).
    pub fn producer_ssl_cert_verify_cb_drops_the_last_producer() {
        let Some(server) = TlsServer::start() else { return };
        let mut config = tls_client_config(&server);
        let s = slot::<Producer>();
        let (d, rx) = done();
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        let ready_rx = Mutex::new(ready_rx);
        let (s2, d2) = (s.clone(), d.clone());
        let state_errors = Arc::new(Mutex::new(Vec::new()));
        let se = state_errors.clone();
        config.set_ssl_cert_verify_cb(move |_| {
            let _ = ready_rx.lock().unwrap().recv_timeout(t(30));
            if let Some(p) = s2.lock().unwrap().as_ref() {
                se.lock().unwrap().push(p.flush(Duration::ZERO).map_err(|e| e.code()));
            }
            take_and_drop(&s2, &d2);
            ferrokafka::SslCertVerdict::Accept
        });
        *s.lock().unwrap() = Some(Arc::new(Producer::new(&config).unwrap()));
        ready_tx.send(()).unwrap();
        // Later calls (the leaf certificate) do not wait.
        drop(ready_tx);
        rx.recv_timeout(t(60)).expect("the callback dropped the producer");
        assert_eq!(*state_errors.lock().unwrap(), [Err(ErrorCode::STATE)]);
        drop(server);
    }

    pub fn producer_oauth_cb_drops_the_last_producer() {
        oauth_cb_drops_the_last(oauth_config(UNREACHABLE), |c| Producer::new(c).unwrap(), "producer");
    }

    /// The partitioner runs on librdkafka's main thread when the partition
    /// count becomes known after `produce`: it can hold the last reference.
    pub fn producer_partitioner_drops_the_last_producer() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        // The partition count arrives after `produce` (see
        // producer_partitioner_panics_on_a_librdkafka_thread): the
        // partitioner then runs on librdkafka's thread, after the slot is
        // filled. Without the delay, a quick metadata reply made `produce`
        // partition on this thread with the slot still empty (a 60 s hang).
        cluster.set_broker_rtt(1, Duration::from_millis(300)).unwrap();
        let s = slot::<Producer>();
        let (d, rx) = done();
        let mut config = config_for(&cluster);
        let (s2, d2) = (s.clone(), d.clone());
        config.set_partitioner(move |_, _, _| {
            take_and_drop(&s2, &d2);
            0
        });
        let p = Arc::new(Producer::new(&config).unwrap());
        p.produce(
            Record::new(&topic)
                .with_key("k")
                .with_value("v")
                .with_on_delivery(|_| {}),
        )
        .unwrap();
        *s.lock().unwrap() = Some(p);
        rx.recv_timeout(t(60)).expect("the partitioner dropped the producer");
    }

    /// A waker woken on a librdkafka thread (inside librdkafka's queue
    /// wake-up callback) holds the last reference to the producer.
    pub fn producer_send_future_waker_drops_the_last_producer() {
        let topic = unique_topic("p");
        let cluster = mock(&topic);
        let s = slot::<Producer>();
        let (d, rx) = done();
        let (s2, d2) = (s.clone(), d.clone());
        let waker = TestWaker::waker(false, move || take_and_drop(&s2, &d2));
        let p = Arc::new(Producer::new(&config_for(&cluster)).unwrap());
        let mut fut = p.send(Record::new(&topic).with_value("v"));
        assert!(Pin::new(&mut fut).poll(&mut Context::from_waker(&waker)).is_pending());
        *s.lock().unwrap() = Some(p);
        rx.recv_timeout(t(60)).expect("the waker dropped the producer");
        // The future completes: delivered, or purged by the producer's drop.
        match block_on(fut, t(30)) {
            Ok(_) => {}
            Err(e) => assert!(
                [ErrorCode::PURGE_QUEUE, ErrorCode::PURGE_INFLIGHT, ErrorCode::DESTROY].contains(&e.code()),
                "{e:?}"
            ),
        }
    }

    fn subscribed(
        cluster: &MockCluster,
        topic: &str,
        config: Config,
        cbs: impl FnOnce(Slot<Consumer>, Arc<Mutex<Option<mpsc::Sender<()>>>>) -> RebalanceCallbacks,
    ) -> (Arc<Consumer>, Slot<Consumer>, mpsc::Receiver<()>) {
        let _ = cluster;
        let s = slot::<Consumer>();
        let (d, rx) = done();
        let c = Arc::new(Consumer::new(&config).unwrap());
        *s.lock().unwrap() = Some(c.clone());
        c.subscribe_with(&[topic], cbs(s.clone(), d)).unwrap();
        (c, s, rx)
    }

    pub fn consumer_on_assign_closes_and_drops_its_consumer() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        let (c, _s, rx) = subscribed(&cluster, &topic, group_config(&cluster), |s, d| {
            RebalanceCallbacks::new().on_assign(move |consumer, parts| {
                consumer.assign(parts).unwrap();
                // Close from inside the rebalance callback, then drop.
                let me = s.lock().unwrap().clone().unwrap();
                me.close(t(30)).unwrap();
                drop(me);
                take_and_drop(&s, &d);
            })
        });
        let end = Instant::now() + t(30);
        while Instant::now() < end {
            match c.poll(Duration::from_millis(100)) {
                Ok(_) => {}
                Err(e) if e.is_closed() => break,
                Err(e) => panic!("{e:?}"),
            }
        }
        rx.recv_timeout(t(30)).unwrap();
        assert!(c.is_closed());
        assert_eq!(Arc::strong_count(&c), 1);
        drop(c);
    }

    pub fn consumer_on_revoke_drops_its_consumer() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let (c, _s, rx) = subscribed(&cluster, &topic, group_config(&cluster), |s, d| {
            RebalanceCallbacks::new().on_revoke(move |_, _| take_and_drop(&s, &d))
        });
        consumer_receives(&c, 2);
        c.unsubscribe().unwrap();
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || rx.try_recv().is_ok()
        ));
        assert_eq!(Arc::strong_count(&c), 1);
        drop(c);
    }

    pub fn consumer_on_lost_drops_its_consumer() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let mut config = group_config(&cluster);
        config.set("partition.assignment.strategy", "cooperative-sticky");
        let (c, _s, rx) = subscribed(&cluster, &topic, config, |s, d| {
            RebalanceCallbacks::new().on_lost(move |_, _| take_and_drop(&s, &d))
        });
        consumer_receives(&c, 2);
        cluster.push_request_errors(ferrokafka::ApiKey::HEARTBEAT, &[ErrorCode::ILLEGAL_GENERATION; 5]);
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || rx.try_recv().is_ok()
        ));
        assert_eq!(Arc::strong_count(&c), 1);
        drop(c);
    }

    fn consumer_drop_in_serving_callback(
        mut config: Config,
        configure: impl FnOnce(&mut Config, Box<dyn Fn() + Send + Sync>),
        start: impl FnOnce(&Consumer),
    ) {
        let s = slot::<Consumer>();
        let (d, rx) = done();
        let (s2, d2) = (s.clone(), d.clone());
        configure(&mut config, Box::new(move || take_and_drop(&s2, &d2)));
        let c = Arc::new(Consumer::new(&config).unwrap());
        *s.lock().unwrap() = Some(c.clone());
        start(&c);
        assert!(wait_for(
            t(30),
            || {
                c.poll(Duration::from_millis(100)).unwrap();
            },
            || s.lock().unwrap().is_none()
        ));
        rx.recv_timeout(t(30)).unwrap();
        assert_eq!(Arc::strong_count(&c), 1);
        drop(c);
    }

    pub fn consumer_on_commit_drops_its_consumer() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        let mut config = group_config(&cluster);
        config.set("enable.auto.commit", "false");
        consumer_drop_in_serving_callback(
            config,
            |c, f| {
                c.set_on_commit(move |_, _| f());
            },
            |c| {
                c.assign(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)])
                    .unwrap();
                consumer_receives(c, 2);
                c.commit_async(Commit::Current).unwrap();
            },
        );
    }

    pub fn consumer_error_cb_drops_its_consumer() {
        consumer_drop_in_serving_callback(
            unreachable_consumer_config(),
            |c, f| {
                c.set_error_cb(move |_| f());
            },
            |c| c.subscribe(&["t"]).unwrap(),
        );
    }

    pub fn consumer_stats_cb_drops_its_consumer() {
        consumer_drop_in_serving_callback(
            unreachable_consumer_config(),
            |c, f| {
                c.set("statistics.interval.ms", 100);
                c.set_stats_cb(move |_| f());
            },
            |_| {},
        );
    }

    pub fn consumer_oauth_cb_drops_the_last_consumer() {
        let mut config = oauth_config(UNREACHABLE);
        config.set("group.id", "g");
        oauth_cb_drops_the_last(config, |c| Consumer::new(c).unwrap(), "consumer");
    }

    /// A commit future holds the client, not the `Consumer`: its waker
    /// (woken on a librdkafka thread) may hold the last `Consumer`.
    pub fn consumer_commit_future_waker_drops_the_last_consumer() {
        let topic = unique_topic("c");
        let cluster = mock(&topic);
        fill(&cluster, &topic, 2);
        // The consumer is dropped, and then destroyed, on threads of its
        // own; `alive` (held by its callback state, freed once
        // `rd_kafka_destroy` has returned) says when that has finished, so
        // that the mock cluster outlives it. (Dropped first, the cluster
        // left the consumer's destroy without a coordinator; under
        // valgrind's scheduler librdkafka's main thread then spun on its
        // read lock for minutes and starved the destroy's write lock — seen
        // in CI as "clients left after the case: 5".)
        let mut config = group_config(&cluster);
        let marker = destruction_marker(&mut config);
        let c = Arc::new(Consumer::new(&config).unwrap());
        drop(config);
        c.assign(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)])
            .unwrap();
        consumer_receives(&c, 2);
        let s = slot::<Consumer>();
        let (d, rx) = done();
        let (s2, d2) = (s.clone(), d.clone());
        let waker = TestWaker::waker(false, move || take_and_drop(&s2, &d2));
        let mut fut = c.commit_future(Commit::Current);
        if Pin::new(&mut fut).poll(&mut Context::from_waker(&waker)).is_ready() {
            // Completed at once (unlikely): drop here instead.
            drop(c);
            return;
        }
        *s.lock().unwrap() = Some(c);
        rx.recv_timeout(t(60)).expect("the waker dropped the consumer");
        let _ = block_on(fut, t(30));
        assert!(destroyed_within(&marker, t(60)), "the consumer was not destroyed");
    }

    pub fn admin_oauth_cb_drops_the_last_admin_client() {
        oauth_cb_drops_the_last(
            oauth_config(UNREACHABLE),
            |c| AdminClient::new(c).unwrap(),
            "admin client",
        );
    }

    pub fn admin_completion_waker_drops_the_last_admin_client() {
        let topic = unique_topic("a");
        let cluster = mock(&topic);
        let s = slot::<AdminClient>();
        let (d, rx) = done();
        let (s2, d2) = (s.clone(), d.clone());
        let waker = TestWaker::waker(false, move || take_and_drop(&s2, &d2));
        let a = Arc::new(AdminClient::new(&config_for(&cluster)).unwrap());
        let mut fut = a.list_offsets(&latest(&topic), &AdminOptions::new()).unwrap();
        assert!(Pin::new(&mut fut).poll(&mut Context::from_waker(&waker)).is_pending());
        *s.lock().unwrap() = Some(a);
        rx.recv_timeout(t(60)).expect("the waker dropped the admin client");
        let r = block_on(fut, t(30));
        assert_eq!(r[0].1.as_ref().unwrap().offset, 0);
    }
}
