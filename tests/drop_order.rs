//! Drop/close order matrix (issue 10; DESIGN.md "Matrices over orders").
//!
//! The objects that share a client:
//!
//! | name | object | its action in an order |
//! |---|---|---|
//! | `P` | `Producer` (with `linger.ms` high: messages stay queued) | drop |
//! | `C` | `Consumer` (assigned, one message consumed) | drop — or `close(ZERO)` when a `MessageStream` or `close_async` future borrows it (it is then dropped at the end of the case) |
//! | `M` | a consumed `Message` | drop |
//! | `D` | a queued message's delivery closure (holding a reference count) | purge + poll until served if the producer is alive; else nothing (the producer's drop served it) |
//! | `S` | a `SendFuture` (`Producer::send`), polled once | drop |
//! | `F` | a `CommitFuture` (`Consumer::commit_future`), polled once | drop |
//! | `T` | a `MessageStream`, polled once | drop |
//! | `A` | an `AdminFuture` (`describe_cluster`: the mock has no admin API, or its client is gone) | drop |
//! | `X` | a `close_async` future, polled once (a cancelled close) | drop |
//! | `K` | the `MockCluster` | drop |
//!
//! Covered: every ordered pair (90) of these ten, and every 6th ordered
//! triple (120 of 720; all of them with FERROKAFKA_DROP_ORDER_TRIPLES=all). In each case only the objects of the order are kept: the
//! clients they need but that are not in the order (the producer behind
//! `D`/`S`, the consumer behind `M`/`F`, the admin client behind `A`) are
//! dropped right after the objects are made, so the objects outlive their
//! client; when `K` is not in the order, a mock cluster shared by all cases
//! serves. Each case runs under a watchdog (a hang fails the test), and at
//! its end checks that every client of the case was destroyed (its callback
//! state, which librdkafka's handle keeps until `rd_kafka_destroy` returns,
//! is freed: a `Weak` handle on it), that the delivery closure was called
//! exactly once and then dropped, and that the waker of every polled
//! future or stream was released. After every case, with the shared
//! cluster dropped, `wait_destroyed` reports no handle left.
//!
//! Cases run on two worker threads (one test: the final `wait_destroyed`
//! count is process-wide).

mod common;
#[path = "common/faults.rs"]
mod faults;

use common::{config_for, destruction_marker, scaled, unique_topic};
use ferrokafka::{AdminClient, AdminOptions, Config, Consumer, MockCluster, Producer, Record, TopicPartition};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Obj {
    P,
    C,
    M,
    D,
    S,
    F,
    T,
    A,
    X,
    K,
}

const ALL: [Obj; 10] = [
    Obj::P,
    Obj::C,
    Obj::M,
    Obj::D,
    Obj::S,
    Obj::F,
    Obj::T,
    Obj::A,
    Obj::X,
    Obj::K,
];

/// Every ordered selection of `k` distinct items of `items`.
fn permutations<T: Copy + PartialEq>(items: &[T], k: usize) -> Vec<Vec<T>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for (i, &first) in items.iter().enumerate() {
        let rest: Vec<T> = items
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &x)| x)
            .collect();
        for mut tail in permutations(&rest, k - 1) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// A waker that counts how often it is cloned/held (its `Arc`'s strong
/// count tells whether a client still holds it).
struct CountingWaker;

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {}
}

/// `base` with a [`destruction_marker`] pushed on `alive`.
fn alive_config(base: &Config, alive: &mut Vec<Weak<()>>) -> Config {
    let mut cfg = base.clone();
    alive.push(destruction_marker(&mut cfg));
    cfg
}

/// A mock cluster with topic "t" (1 partition) holding a few messages.
fn cluster_with_messages() -> MockCluster {
    let c = MockCluster::new(1).expect("mock cluster");
    c.create_topic("t", 1, 1).unwrap();
    let p = Producer::new(&config_for(&c)).unwrap();
    for _ in 0..3 {
        p.produce(Record::new("t").with_value("v")).unwrap();
    }
    p.flush(scaled(Duration::from_secs(30))).unwrap();
    drop(p);
    c
}

/// Polls `f` once with `waker`.
fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>, waker: &Waker) {
    let _ = f.poll(&mut Context::from_waker(waker)).is_ready();
}

fn run_case(order: &[Obj], shared_bootstrap: &str) {
    let has = |o: Obj| order.contains(&o);
    let mut alive: Vec<Weak<()>> = Vec::new();
    let waker_arc = Arc::new(CountingWaker);
    let waker = Waker::from(waker_arc.clone());

    let mut cluster = if has(Obj::K) {
        Some(cluster_with_messages())
    } else {
        None
    };
    let bootstrap = cluster
        .as_ref()
        .map(|c| c.bootstrap_servers().to_string())
        .unwrap_or_else(|| shared_bootstrap.to_string());
    let mut base = Config::new();
    base.set("bootstrap.servers", &bootstrap);

    // The producer family.
    let needs_producer = has(Obj::P) || has(Obj::D) || has(Obj::S);
    let mut producer = needs_producer.then(|| {
        let mut cfg = alive_config(&base, &mut alive);
        cfg.set("linger.ms", 60_000);
        Producer::new(&cfg).unwrap()
    });
    let delivery_calls = Arc::new(AtomicUsize::new(0));
    let delivery_held = Arc::new(());
    let delivery_weak = Arc::downgrade(&delivery_held);
    if has(Obj::D) {
        let calls = delivery_calls.clone();
        let held = delivery_held.clone();
        producer
            .as_ref()
            .unwrap()
            .produce(Record::new("t").with_value("d").with_on_delivery(move |_report| {
                let _keep = &held;
                calls.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
    }
    drop(delivery_held);
    let mut send = if has(Obj::S) {
        let mut f = Box::pin(producer.as_ref().unwrap().send(Record::new("t").with_value("s")));
        poll_once(f.as_mut(), &waker);
        Some(f)
    } else {
        None
    };

    // The admin client (always dropped at once: only its future is ordered).
    let mut admin_future = if has(Obj::A) {
        let admin = AdminClient::new(&alive_config(&base, &mut alive)).unwrap();
        let f = admin.describe_cluster(&AdminOptions::new()).unwrap();
        drop(admin);
        Some(f)
    } else {
        None
    };

    // The consumer family.
    let needs_consumer = [Obj::C, Obj::M, Obj::F, Obj::T, Obj::X].iter().any(|&o| has(o));
    let mut consumer = needs_consumer.then(|| {
        let mut cfg = alive_config(&base, &mut alive);
        cfg.set("group.id", unique_topic("g"))
            .set("enable.auto.commit", false)
            .set("enable.partition.eof", false);
        let c = Consumer::new(&cfg).unwrap();
        c.assign(&[TopicPartition::with_offset("t", 0, 0)]).unwrap();
        c
    });
    let mut message = None;
    if has(Obj::M) || has(Obj::F) {
        let c = consumer.as_ref().unwrap();
        let end = Instant::now() + scaled(Duration::from_secs(30));
        while message.is_none() {
            assert!(Instant::now() < end, "{order:?}: no message within 30 s");
            message = c.poll(Duration::from_millis(100)).unwrap();
        }
    }
    let mut commit = if has(Obj::F) {
        let mut f = Box::pin(consumer.as_ref().unwrap().commit_future(message.as_ref().unwrap()));
        poll_once(f.as_mut(), &waker);
        Some(f)
    } else {
        None
    };
    if !has(Obj::M) {
        message = None;
    }
    if !has(Obj::P) {
        drop(producer.take());
    }

    let borrowed = has(Obj::T) || has(Obj::X);
    if !has(Obj::C) && !borrowed {
        drop(consumer.take());
    }

    // Actions on the objects every layout shares.
    let mut act = |o: Obj,
                   producer: &mut Option<Producer>,
                   message: &mut Option<ferrokafka::Message>,
                   cluster: &mut Option<MockCluster>| match o {
        Obj::P => drop(producer.take()),
        Obj::M => drop(message.take()),
        Obj::D => {
            if let Some(p) = producer.as_ref() {
                p.purge(ferrokafka::Purge::ALL.non_blocking()).unwrap();
                let end = Instant::now() + scaled(Duration::from_secs(30));
                while delivery_calls.load(Ordering::SeqCst) == 0 {
                    assert!(Instant::now() < end, "{order:?}: the delivery closure was not served");
                    p.poll(Duration::from_millis(50)).unwrap();
                }
            }
        }
        Obj::S => drop(send.take()),
        Obj::F => drop(commit.take()),
        Obj::A => drop(admin_future.take()),
        Obj::K => drop(cluster.take()),
        Obj::C | Obj::T | Obj::X => unreachable!(),
    };

    if borrowed {
        let c = consumer.take().expect("a borrowed consumer exists");
        {
            let mut stream = has(Obj::T).then(|| {
                let mut s = c.stream();
                poll_once(Pin::new(&mut s.next()), &waker);
                s
            });
            let mut closing: Option<Pin<Box<dyn Future<Output = ferrokafka::Result<()>> + '_>>> =
                has(Obj::X).then(|| {
                    let mut f: Pin<Box<dyn Future<Output = ferrokafka::Result<()>> + '_>> =
                        Box::pin(c.close_async(Duration::from_secs(10)));
                    poll_once(f.as_mut(), &waker);
                    f
                });
            for &o in order {
                match o {
                    Obj::C => {
                        let _ = c.close(Duration::ZERO);
                    }
                    Obj::T => drop(stream.take()),
                    Obj::X => drop(closing.take()),
                    o => act(o, &mut producer, &mut message, &mut cluster),
                }
            }
        }
        drop(c);
    } else {
        for &o in order {
            match o {
                Obj::C => drop(consumer.take()),
                o => act(o, &mut producer, &mut message, &mut cluster),
            }
        }
    }
    let _ = act;
    assert!(producer.is_none() && consumer.is_none() && message.is_none() && cluster.is_none());

    // Every client is destroyed (in the background, after a close that
    // gave up: bounded).
    let bound = scaled(Duration::from_secs(60));
    let start = Instant::now();
    for a in &alive {
        while a.strong_count() > 0 {
            assert!(
                start.elapsed() < bound,
                "{order:?}: a client was not destroyed within {bound:?}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    if has(Obj::D) {
        assert_eq!(
            delivery_calls.load(Ordering::SeqCst),
            1,
            "{order:?}: the delivery closure must be called exactly once"
        );
    }
    assert_eq!(
        delivery_weak.strong_count(),
        0,
        "{order:?}: the delivery closure was not dropped"
    );
    drop(waker);
    assert_eq!(
        Arc::strong_count(&waker_arc),
        1,
        "{order:?}: a client or future still holds the task's waker"
    );
}

#[test]
fn every_pair_and_triple_of_objects_sharing_a_client_in_every_order() {
    let shared = cluster_with_messages();
    let bootstrap = shared.bootstrap_servers().to_string();
    // FERROKAFKA_DROP_ORDER_MAX=2 (scripts/valgrind.sh) runs the pairs only.
    let max = std::env::var("FERROKAFKA_DROP_ORDER_MAX")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(3)
        .clamp(2, 3);
    let mut orders = permutations(&ALL, 2);
    assert_eq!(orders.len(), 90);
    if max == 3 {
        let triples = permutations(&ALL, 3);
        assert_eq!(triples.len(), 720);
        // All 720 with FERROKAFKA_DROP_ORDER_TRIPLES=all (about 10 minutes
        // on 2 cores); by default every 6th of them in their generated order
        // (120, covering every object in every position of a triple).
        let all = std::env::var("FERROKAFKA_DROP_ORDER_TRIPLES").is_ok_and(|v| v == "all");
        orders.extend(
            triples
                .into_iter()
                .enumerate()
                .filter(|(i, _)| all || i % 6 == 0)
                .map(|(_, o)| o),
        );
    }
    let count = orders.len();
    let orders = Arc::new(Mutex::new(orders.into_iter()));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (orders, failures, bootstrap) = (orders.clone(), failures.clone(), bootstrap.clone());
            std::thread::spawn(move || loop {
                let Some(order) = orders.lock().unwrap().next() else {
                    break;
                };
                let b = bootstrap.clone();
                let what = format!("{order:?}");
                let o = order.clone();
                // A panic inside is reported by the watchdog as "panicked".
                let r = std::panic::catch_unwind(|| {
                    faults::watchdog(&what, scaled(Duration::from_secs(120)), move || run_case(&o, &b))
                });
                if let Err(p) = r {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.lock().unwrap().push(format!("{what}: {msg}"));
                    if msg.starts_with("HANG") {
                        break;
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    eprintln!("drop_order: {count} cases in {:?}", started.elapsed());
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    drop(shared);
    assert_eq!(
        ferrokafka::wait_destroyed(scaled(Duration::from_secs(60))),
        0,
        "handles left after every case"
    );
}
