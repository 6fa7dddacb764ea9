//! Issue 10, items 6, 10 and 13:
//! - `close()` on one thread ends a `poll(Timeout::Never)` (or a
//!   `consume(n, Never)`, or a producer's `poll(Never)`) blocked on another:
//!   that call returns the "closed" error, and the client is destroyed;
//! - a cancelled `close_async` future releases the task's waker;
//! - `seek` on a partition that is assigned but not fetching reports
//!   librdkafka's error instead of `Ok`.

mod common;

use common::{config_for, mock_with_topic, scaled, unique_topic};
use ferrokafka::{Config, Consumer, ErrorCode, Producer, Timeout, TopicPartition};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

fn consumer(bootstrap_cfg: Config) -> Consumer {
    let mut cfg = bootstrap_cfg;
    cfg.set("group.id", unique_topic("g"))
        .set("auto.offset.reset", "earliest");
    Consumer::new(&cfg).unwrap()
}

/// Runs `blocked` on a thread, waits until it is inside the call, closes
/// with `close`, and returns what the blocked call returned (a hang fails).
fn close_ends<T: Send + 'static>(
    blocked: impl FnOnce() -> T + Send + 'static,
    entered: Arc<AtomicBool>,
    close: impl FnOnce(),
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(blocked());
    });
    // The thread sets `entered` right before its blocking call; a short
    // wait lets it get inside (if it is not inside yet, the call sees the
    // close when it starts: the outcome is the same).
    while !entered.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(300)); // let it block; not a synchronisation of the outcome
    close();
    rx.recv_timeout(scaled(Duration::from_secs(10)))
        .expect("the blocked call did not return after close")
}

/// A consumer assigned one partition (nothing to read: calls block).
fn assigned() -> (ferrokafka::MockCluster, Arc<Consumer>) {
    let topic = unique_topic("wake");
    let cluster = mock_with_topic(&topic, 1);
    let c = Arc::new(consumer(config_for(&cluster)));
    c.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    (cluster, c)
}

/// `call` blocks forever on `client` on another thread; `close` ends it
/// with the "closed" error.
fn closing_ends_blocked<C: Send + Sync + 'static, T: Send + 'static>(
    client: Arc<C>,
    call: impl FnOnce(&C) -> ferrokafka::Result<T> + Send + 'static,
    close: impl FnOnce(&C),
) {
    let entered = Arc::new(AtomicBool::new(false));
    let (c2, e2) = (client.clone(), entered.clone());
    let r = close_ends(
        move || {
            e2.store(true, Ordering::Release);
            call(&c2)
        },
        entered,
        || close(&client),
    );
    let e = r.err().expect("a call ended by close returns the closed error");
    assert!(e.is_closed(), "{e}");
    assert_eq!(e.code(), ErrorCode::DESTROY);
}

#[test]
fn close_ends_a_consumer_poll_blocked_forever() {
    let (_cluster, c) = assigned();
    closing_ends_blocked(
        c,
        |c| c.poll(Timeout::Never),
        |c| c.close(Duration::from_secs(10)).unwrap(),
    );
}

#[test]
fn close_ends_a_consumer_consume_blocked_forever() {
    let (_cluster, c) = assigned();
    closing_ends_blocked(
        c,
        |c| c.consume(10, Timeout::Never),
        |c| c.close(Duration::from_secs(10)).unwrap(),
    );
}

#[test]
fn close_ends_a_producer_poll_blocked_forever() {
    let topic = unique_topic("wake");
    let cluster = mock_with_topic(&topic, 1);
    let p = Arc::new(Producer::new(&config_for(&cluster)).unwrap());
    closing_ends_blocked(
        p,
        |p| p.poll(Timeout::Never),
        |p| p.close(Duration::from_secs(10)).unwrap(),
    );
}

struct CountingWaker;
impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {}
}

#[test]
fn a_cancelled_close_async_releases_the_waker() {
    let topic = unique_topic("wake");
    let cluster = mock_with_topic(&topic, 2);
    let mut cfg = config_for(&cluster);
    cfg.set("session.timeout.ms", 6000).set("heartbeat.interval.ms", 300);
    let c = consumer(cfg);
    c.subscribe(&[&topic]).unwrap();
    let end = std::time::Instant::now() + scaled(Duration::from_secs(30));
    while c.assignment().unwrap().is_empty() {
        assert!(std::time::Instant::now() < end, "no assignment");
        let _ = c.poll(Duration::from_millis(100));
    }
    let w = Arc::new(CountingWaker);
    let waker = Waker::from(w.clone());
    {
        let mut fut = Box::pin(c.close_async(Duration::from_secs(10)));
        let mut cx = Context::from_waker(&waker);
        let _ = fut.as_mut().poll(&mut cx);
        // Cancelled here.
    }
    drop(waker);
    assert_eq!(
        Arc::strong_count(&w),
        1,
        "the cancelled close_async still holds the task's waker"
    );
    // The close resumes where it stopped.
    c.close(Duration::from_secs(10)).unwrap();
    assert!(c.is_closed());
}

#[test]
fn seek_on_a_partition_not_fetching_reports_the_error() {
    // The partition's leader is down: assigned, but its start offset cannot
    // be looked up, so it is not fetching. librdkafka's seek answers
    // `_STATE` ("Erroneous state"), as the Python client reports; a seek on
    // a partition not assigned at all is `_UNKNOWN_PARTITION`.
    let topic = unique_topic("seek");
    let cluster = mock_with_topic(&topic, 1);
    let c = consumer(config_for(&cluster));
    let unassigned = c.seek(&TopicPartition::with_offset(&topic, 0, 5)).unwrap_err();
    assert_eq!(unassigned.code(), ErrorCode::UNKNOWN_PARTITION, "{unassigned}");
    for b in 1..=cluster.broker_count() {
        cluster.broker_down(b).unwrap();
    }
    c.assign(&[TopicPartition::with_offset(&topic, 0, ferrokafka::OFFSET_STORED)])
        .unwrap();
    let e = c.seek(&TopicPartition::with_offset(&topic, 0, 5)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::STATE, "{e}");
    c.close(Duration::ZERO).ok();
}
