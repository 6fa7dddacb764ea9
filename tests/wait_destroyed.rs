//! `wait_destroyed` reports the truth (issue 10, item 9): a non-zero count
//! while a client is alive, also when it times out (it used to report 0,
//! "none remain", on a timeout), and 0 once every client is gone.
//!
//! The count is process-wide, so this file holds this one test: no other
//! test's clients come and go meanwhile.

mod common;

use common::{config_for, scaled};
use ferrokafka::{wait_destroyed, MockCluster, Producer};
use std::time::Duration;

#[test]
fn wait_destroyed_counts_what_is_alive_and_then_zero() {
    // Nothing created yet.
    assert_eq!(wait_destroyed(Duration::ZERO), 0);

    let cluster = MockCluster::new(1).expect("mock cluster");
    let producer = Producer::new(&config_for(&cluster)).expect("producer");
    // Alive: every timeout, zero included, reports what remains.
    for t in [Duration::ZERO, Duration::from_millis(1), Duration::from_millis(100)] {
        let n = wait_destroyed(t);
        assert!(
            n >= 1,
            "wait_destroyed({t:?}) with a producer and a mock cluster alive reported {n}"
        );
    }

    drop(producer);
    // The mock cluster's own handle is still alive.
    assert!(wait_destroyed(Duration::from_millis(50)) >= 1);

    drop(cluster);
    assert_eq!(
        wait_destroyed(scaled(Duration::from_secs(30))),
        0,
        "clients left after dropping them all"
    );
    assert_eq!(wait_destroyed(Duration::ZERO), 0);
}
