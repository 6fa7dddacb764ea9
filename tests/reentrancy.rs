//! Re-entrancy matrix (issue 10; DESIGN.md "Matrices over re-entrancy"):
//! every callback kind × every kind of client method, called from inside
//! the callback on the client it serves, while a second thread calls
//! `close` on that client at the same moment.
//!
//! Callback kinds: per-message delivery closure, `error_cb`, `stats_cb`,
//! the logger, `throttle_cb` (on a fake throttling broker: the mock
//! cluster never throttles), `oauth_cb` (librdkafka's background thread),
//! the custom partitioner (inside `produce`, or on librdkafka's main
//! thread), `on_assign`, `on_revoke`, `on_commit`. The first six and the
//! partitioner belong to a producer, the last three to a consumer.
//!
//! Methods: `close`, `flush` (the consumer's `consume`), `poll`, a
//! blocking query that reaches librdkafka (`list_topics`), and drop (the
//! callback drops its reference to the client).
//!
//! The promise checked: each call either works or returns a clear error —
//! inside the partitioner and the OAuth refresh, exactly the `_STATE`
//! error naming them (calling back into librdkafka there would deadlock or
//! abort); elsewhere `Ok`, or an error with a message (the "closed" error
//! when the other thread's close came first, a timeout) — and nothing
//! blocks (each case runs under a watchdog) or crashes; at the end the
//! client is destroyed. Cases run in-process on two threads: with the
//! watchdog a hang fails its case instead of wedging the binary.

mod common;
#[path = "common/faults.rs"]
mod faults;
#[path = "common/throttling.rs"]
mod throttling;

use common::{config_for, scaled, short_token, unique_topic};
use ferrokafka::{
    Config, Consumer, ErrorCode, KafkaError, MockCluster, OAuthToken, Producer, RebalanceCallbacks, Record,
    TopicPartition,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};
use throttling::ThrottlingBroker;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cb {
    Delivery,
    Error,
    Stats,
    Log,
    Throttle,
    OAuth,
    Partitioner,
    OnAssign,
    OnRevoke,
    OnCommit,
}

const CBS: [Cb; 10] = [
    Cb::Delivery,
    Cb::Error,
    Cb::Stats,
    Cb::Log,
    Cb::Throttle,
    Cb::OAuth,
    Cb::Partitioner,
    Cb::OnAssign,
    Cb::OnRevoke,
    Cb::OnCommit,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Close,
    Flush,
    Poll,
    Query,
    Drop,
}

const METHODS: [Method; 5] = [Method::Close, Method::Flush, Method::Poll, Method::Query, Method::Drop];

impl Cb {
    fn is_consumer(self) -> bool {
        matches!(self, Cb::OnAssign | Cb::OnRevoke | Cb::OnCommit)
    }
    /// Runs in the middle of librdkafka's work: calls must fail with `_STATE`.
    fn inside_librdkafka(self) -> bool {
        matches!(self, Cb::OAuth | Cb::Partitioner)
    }
}

#[derive(Clone)]
enum Client {
    P(Arc<Producer>),
    C(Arc<Consumer>),
}

impl Client {
    fn close(&self) -> Result<(), KafkaError> {
        match self {
            Client::P(p) => p.close(Duration::from_secs(2)),
            Client::C(c) => c.close(Duration::from_secs(2)),
        }
    }
}

struct Alive;

/// What one case shares with its callback.
#[derive(Default)]
struct Shared {
    client: Mutex<Option<Client>>,
    /// Set by the first callback call (which then does the method).
    fired: AtomicBool,
    outcome: Mutex<Option<Result<(), KafkaError>>>,
    /// Tells the second thread to close.
    go: Mutex<Option<mpsc::Sender<()>>>,
    method: OnceLock<Method>,
    /// Set once `client` is filled (an OAuth refresh may come during
    /// `Producer::new`, before it is).
    ready: AtomicBool,
}

impl Shared {
    /// The callback's body: on its first call, starts the other thread's
    /// close and calls the method on the client.
    fn fire(&self) {
        if self.fired.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(go) = self.go.lock().unwrap().take() {
            let _ = go.send(());
        }
        let method = *self.method.get().unwrap();
        let end = Instant::now() + scaled(Duration::from_secs(30));
        while !self.ready.load(Ordering::SeqCst) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(1));
        }
        let client = match method {
            Method::Drop => {
                drop(self.client.lock().unwrap().take());
                *self.outcome.lock().unwrap() = Some(Ok(()));
                return;
            }
            _ => self.client.lock().unwrap().clone(),
        };
        let Some(client) = client else {
            *self.outcome.lock().unwrap() = Some(Ok(()));
            return;
        };
        let r = match (&client, method) {
            (_, Method::Close) => client.close(),
            (Client::P(p), Method::Flush) => p.flush(Duration::from_secs(1)).map(|_| ()),
            (Client::C(c), Method::Flush) => c.consume(10, Duration::from_millis(200)).map(|_| ()),
            (Client::P(p), Method::Poll) => p.poll(Duration::from_millis(100)).map(|_| ()),
            (Client::C(c), Method::Poll) => c.poll(Duration::from_millis(100)).map(|_| ()),
            (Client::P(p), Method::Query) => p.list_topics(None, Duration::from_secs(1)).map(|_| ()),
            (Client::C(c), Method::Query) => c.list_topics(None, Duration::from_secs(1)).map(|_| ()),
            (_, Method::Drop) => unreachable!(),
        };
        drop(client);
        *self.outcome.lock().unwrap() = Some(r);
    }
}

fn token() -> OAuthToken {
    OAuthToken::new("token", 4_102_444_800_000, "user")
}

/// Builds the client for `cb`, with the callback calling `shared.fire()`.
/// Returns the client, what keeps the case's brokers up, and a handle on
/// the client's destruction.
fn make(cb: Cb, shared: &Arc<Shared>) -> (Client, Box<dyn std::any::Any + Send>, Weak<Alive>) {
    let topic = "t";
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic(topic, 2, 1).unwrap();
    cluster.set_group_initial_rebalance_delay(Duration::from_millis(1));
    let mut keep: Box<dyn std::any::Any + Send> = Box::new(());
    let mut cfg = match cb {
        Cb::Throttle => {
            let b = ThrottlingBroker::start();
            let c = b.config();
            keep = Box::new(b);
            c
        }
        Cb::OAuth => {
            let mut c = config_for(&cluster);
            c.set("security.protocol", "SASL_PLAINTEXT")
                .set("sasl.mechanisms", "OAUTHBEARER");
            c
        }
        Cb::Error => {
            // Nothing listens there: connection errors come at once.
            let mut c = Config::new();
            c.set("bootstrap.servers", "127.0.0.1:1")
                .set("reconnect.backoff.max.ms", 100);
            c
        }
        _ => config_for(&cluster),
    };
    let alive = Arc::new(Alive);
    let weak = Arc::downgrade(&alive);
    let s = shared.clone();
    let fire = move || s.fire();
    match cb {
        Cb::Error => {
            cfg.set_error_cb(move |_| {
                let _keep = &alive;
                fire()
            });
        }
        _ => {
            cfg.set_error_cb(move |_| {
                let _keep = &alive;
            });
            match cb {
                Cb::Stats => {
                    cfg.set("statistics.interval.ms", 100).set_stats_cb(move |_| fire());
                }
                Cb::Log => {
                    cfg.set("debug", "broker").set_logger(move |_| fire());
                }
                Cb::Throttle => {
                    cfg.set_throttle_cb(move |_| fire());
                }
                Cb::OAuth => {
                    // The constructor waits for the first token: answer it
                    // at once with a short-lived one; the refresh, about a
                    // second later, is the call that fires.
                    let first = AtomicBool::new(true);
                    cfg.set_oauth_cb(move |_| {
                        if first.swap(false, Ordering::SeqCst) {
                            return Ok(short_token("user"));
                        }
                        fire();
                        Ok(token())
                    });
                }
                Cb::Partitioner => {
                    cfg.set_partitioner(move |_, _, _| {
                        fire();
                        0
                    });
                }
                Cb::OnCommit => {
                    cfg.set_on_commit(move |_, _| fire());
                }
                _ => {}
            }
        }
    }
    if !matches!(cb, Cb::Throttle | Cb::Error) {
        keep = Box::new(cluster);
    }
    let client = if cb.is_consumer() {
        cfg.set("group.id", unique_topic("g"))
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", 6000)
            .set("heartbeat.interval.ms", 300);
        Client::C(Arc::new(Consumer::new(&cfg).unwrap()))
    } else {
        if cb == Cb::Throttle {
            cfg.set("linger.ms", 0);
        }
        Client::P(Arc::new(Producer::new(&cfg).unwrap()))
    };
    (client, keep, weak)
}

/// Drives `client` (from the test thread) until the callback has fired.
fn drive(cb: Cb, client: &Client, shared: &Arc<Shared>) {
    let end = Instant::now() + scaled(Duration::from_secs(30));
    let fired = || shared.fired.load(Ordering::SeqCst);
    match client {
        Client::P(p) => {
            let s = shared.clone();
            let f = move || s.fire();
            // Keyed: librdkafka's sticky partitioning skips the partitioner
            // for messages without a key.
            let record = Record::new("t").with_key("k").with_value("v");
            let record = if cb == Cb::Delivery {
                record.with_on_delivery(move |_| f())
            } else {
                record
            };
            let _ = p.produce(record);
            while !fired() {
                assert!(Instant::now() < end, "{cb:?}: the callback was not called within 30 s");
                if cb == Cb::Partitioner {
                    let _ = p.produce(Record::new("t").with_key("k").with_value("v"));
                }
                if p.poll(Duration::from_millis(50)).is_err() && p.is_closed() {
                    break;
                }
            }
        }
        Client::C(c) => {
            let (s1, s2) = (shared.clone(), shared.clone());
            let (f1, f2) = (move || s1.fire(), move || s2.fire());
            let callbacks = match cb {
                Cb::OnAssign => RebalanceCallbacks::new().on_assign(move |_, _| f1()),
                Cb::OnRevoke => RebalanceCallbacks::new().on_revoke(move |_, _| f2()),
                _ => RebalanceCallbacks::new(),
            };
            if cb == Cb::OnCommit {
                c.assign(&[TopicPartition::with_offset("t", 0, 0)]).unwrap();
                c.commit_async(&[TopicPartition::with_offset("t", 0, 0)][..]).unwrap();
            } else {
                c.subscribe_with(&["t"], callbacks).unwrap();
            }
            let mut unsubscribed = false;
            while !fired() {
                assert!(Instant::now() < end, "{cb:?}: the callback was not called within 30 s");
                if cb == Cb::OnRevoke && !unsubscribed && !c.assignment().map(|a| a.is_empty()).unwrap_or(true) {
                    let _ = c.unsubscribe();
                    unsubscribed = true;
                }
                if c.poll(Duration::from_millis(50)).is_err() && c.is_closed() {
                    break;
                }
            }
        }
    }
}

fn run_case(cb: Cb, method: Method) {
    let shared = Arc::new(Shared::default());
    shared.method.set(method).unwrap();
    // The go signal exists before the client: an OAuth refresh may fire
    // while the client is being made.
    let (go_tx, go_rx) = mpsc::channel();
    *shared.go.lock().unwrap() = Some(go_tx);
    let (client, keep, alive) = make(cb, &shared);
    *shared.client.lock().unwrap() = Some(client.clone());
    shared.ready.store(true, Ordering::SeqCst);

    // The second thread: closes the client when the callback starts.
    let other = client.clone();
    let closer = std::thread::spawn(move || {
        if go_rx.recv().is_ok() {
            let r = other.close();
            if let Err(e) = &r {
                assert!(!e.message().is_empty());
            }
        }
        drop(other);
    });

    drive(cb, &client, &shared);
    // Wait for the callback's call to finish (it may run on another thread).
    let end = Instant::now() + scaled(Duration::from_secs(30));
    while shared.outcome.lock().unwrap().is_none() {
        assert!(
            Instant::now() < end,
            "{cb:?} × {method:?}: the call inside the callback did not return"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let outcome = shared.outcome.lock().unwrap().take().unwrap();
    match (&outcome, cb.inside_librdkafka(), method) {
        (_, true, Method::Drop) | (Ok(()), false, _) => {}
        (Err(e), true, _) => {
            assert_eq!(e.code(), ErrorCode::STATE, "{cb:?} × {method:?}: {e}");
            assert!(e.message().contains("partitioner or OAuth"), "{cb:?} × {method:?}: {e}");
        }
        (Ok(()), true, m) => panic!("{cb:?} × {m:?}: a call inside librdkafka's callback must fail with _STATE"),
        (Err(e), false, _) => {
            assert!(
                e.is_closed()
                    || [
                        ErrorCode::TIMED_OUT,
                        ErrorCode::STATE,
                        ErrorCode::TRANSPORT,
                        ErrorCode::ALL_BROKERS_DOWN
                    ]
                    .contains(&e.code()),
                "{cb:?} × {method:?}: unexpected error {e}"
            );
            assert!(!e.message().is_empty());
        }
    }
    closer.join().expect("the closing thread failed");
    // Close (again: harmless) and let go of everything.
    let _ = client.close();
    drop(client);
    shared.client.lock().unwrap().take();
    drop(shared);
    drop(keep);
    let bound = scaled(Duration::from_secs(60));
    let start = Instant::now();
    while alive.strong_count() > 0 {
        assert!(
            start.elapsed() < bound,
            "{cb:?} × {method:?}: the client was not destroyed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_callback_kind_times_every_method_with_a_concurrent_close() {
    // FERROKAFKA_REENTRANCY_METHODS=close (scripts/valgrind.sh) narrows
    // the methods.
    let only = std::env::var("FERROKAFKA_REENTRANCY_METHODS").ok();
    let methods: Vec<Method> = METHODS
        .iter()
        .copied()
        .filter(|m| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|w| w.trim().eq_ignore_ascii_case(&format!("{m:?}"))))
        })
        .collect();
    let cases: Vec<(Cb, Method)> = CBS
        .iter()
        .flat_map(|&cb| methods.iter().map(move |&m| (cb, m)))
        .collect();
    assert_eq!(cases.len(), CBS.len() * methods.len());
    assert!(!cases.is_empty(), "FERROKAFKA_REENTRANCY_METHODS matches no method");
    let queue = Arc::new(Mutex::new(cases.into_iter()));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (queue, failures) = (queue.clone(), failures.clone());
            std::thread::spawn(move || loop {
                let Some((cb, m)) = queue.lock().unwrap().next() else {
                    break;
                };
                let what = format!("{cb:?} × {m:?}");
                let r = std::panic::catch_unwind(|| {
                    faults::watchdog(&what, scaled(Duration::from_secs(120)), move || run_case(cb, m))
                });
                if r.is_err() {
                    failures.lock().unwrap().push(what);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} case(s) failed (see their panic messages above): {failures:?}",
        failures.len()
    );
}
