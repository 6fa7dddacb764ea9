//! A consumer close that gives up still releases the client (issue 10,
//! item 5): `close(Duration::ZERO)` (and `close_async(ZERO)`, and a
//! cancelled `close_async` followed by `Drop`) right after joining a group
//! used to leave librdkafka's group handler waiting forever for the
//! application's unassign of the revoke it forwarded to the close queue
//! that nobody served any more: the client's threads, sockets and group
//! membership stayed alive. Now a helper thread finishes the leave.
//!
//! Each case checks, with the mock cluster still up, that the client is
//! destroyed (its callback state freed) within a generous bound, and then
//! with everything dropped that `ferrokafka::wait_destroyed` reports 0.
//! The count is process-wide, so this file holds this one test.

mod common;

use common::{config_for, destroyed_within, destruction_marker, mock_with_topic, scaled, unique_topic};
use ferrokafka::{wait_destroyed, Config, Consumer, ErrorCode, MockCluster};
use std::future::Future;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A consumer of `topic` (2 partitions) that has joined its group and got
/// its assignment; and a handle on its destruction.
fn joined(cluster: &MockCluster, topic: &str) -> (Consumer, Weak<()>) {
    let mut cfg: Config = config_for(cluster);
    cfg.set("group.id", unique_topic("g"))
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", 6000)
        .set("heartbeat.interval.ms", 300);
    let weak = destruction_marker(&mut cfg);
    let consumer = Consumer::new(&cfg).unwrap();
    drop(cfg);
    consumer.subscribe(&[topic]).unwrap();
    let end = Instant::now() + scaled(Duration::from_secs(30));
    while consumer.assignment().unwrap().is_empty() {
        assert!(Instant::now() < end, "no assignment within 30 s");
        let _ = consumer.poll(Duration::from_millis(100));
    }
    (consumer, weak)
}

/// Waits (bounded: a hang fails) until the client holding `alive` is gone.
fn assert_destroyed(what: &str, alive: Weak<()>) {
    let bound = scaled(Duration::from_secs(30));
    assert!(
        destroyed_within(&alive, bound),
        "{what}: the client was still alive {bound:?} after the close gave up"
    );
}

fn noop_waker() -> std::task::Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    std::task::Waker::from(Arc::new(Noop))
}

#[test]
fn a_close_that_gives_up_still_releases_the_client() {
    assert_eq!(wait_destroyed(Duration::ZERO), 0, "clients alive before the test");
    let topic = unique_topic("cr");
    let cluster = mock_with_topic(&topic, 2);
    cluster.set_group_initial_rebalance_delay(Duration::from_millis(1));

    // close(ZERO), several times (the revoke may or may not be served
    // before the deadline check).
    for i in 0..5 {
        let (consumer, alive) = joined(&cluster, &topic);
        let r = consumer.close(Duration::ZERO);
        if let Err(e) = &r {
            assert_eq!(e.code(), ErrorCode::TIMED_OUT, "close(ZERO) #{i}: {e}");
        }
        assert!(consumer.is_closed());
        drop(consumer);
        assert_destroyed(&format!("close(ZERO) #{i}"), alive);
    }

    // close_async(ZERO).
    let (consumer, alive) = joined(&cluster, &topic);
    let r = futures::executor::block_on(consumer.close_async(Duration::ZERO));
    if let Err(e) = &r {
        assert_eq!(e.code(), ErrorCode::TIMED_OUT, "close_async(ZERO): {e}");
    }
    drop(consumer);
    assert_destroyed("close_async(ZERO)", alive);

    // A close_async polled once and cancelled, then Drop (its 10 s limit
    // is not reached here: the close started by the cancelled future is
    // resumed and finished by Drop).
    let (consumer, alive) = joined(&cluster, &topic);
    {
        let mut fut = Box::pin(consumer.close_async(Duration::from_secs(10)));
        let waker = noop_waker();
        let _ = fut.as_mut().poll(&mut Context::from_waker(&waker)).is_ready();
        if let Poll::Ready(r) = fut.as_mut().poll(&mut Context::from_waker(&waker)) {
            let _ = r;
        }
    }
    drop(consumer);
    assert_destroyed("cancelled close_async, then Drop", alive);

    // Plain Drop right after joining.
    let (consumer, alive) = joined(&cluster, &topic);
    drop(consumer);
    assert_destroyed("Drop", alive);

    drop(cluster);
    assert_eq!(
        wait_destroyed(scaled(Duration::from_secs(30))),
        0,
        "clients left after every close and the mock cluster are gone"
    );
}
