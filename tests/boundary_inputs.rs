//! Boundaries of every integer, string and byte argument of the public
//! `MockCluster` API and of `ConsumerGroupMetadata::from_bytes` (issue 10,
//! items 1 to 3): negative, -1 (librdkafka's "every broker"), zero, the
//! type's maximum, an unknown broker id, empty strings and strings with a
//! NUL byte. Each case must give `Ok` or an `_INVALID_ARG` error naming the
//! bad argument; never a crash, a hang or (under scripts/valgrind.sh and
//! scripts/asan.sh, which run this file) a read outside a buffer.
//!
//! One mock cluster per test (3 brokers, ids 1 to 3, unless a test says).

mod common;

use common::unique_topic;
use ferrokafka::{ApiKey, ConsumerGroupMetadata, CoordinatorType, ErrorCode, KafkaError, MockCluster, TopicPartition};
use std::fmt::Debug;
use std::time::Duration;

/// Broker ids around every boundary, for a cluster with brokers 1 to 3.
const BROKER_IDS: [i32; 9] = [i32::MIN, -2, -1, 0, 1, 3, 4, 1000, i32::MAX];
/// Partitions around every boundary, for a topic with 4 partitions.
const PARTITIONS: [i32; 9] = [i32::MIN, -2, -1, 0, 3, 4, 99_999, 100_000, i32::MAX];
/// The mock's upper bound on partitions (exclusive).
const MAX_PARTITIONS: i32 = 100_000;

fn known(broker: i32) -> bool {
    (1..=3).contains(&broker)
}

/// How an error about broker `b` names it.
fn broker(b: i32) -> String {
    format!("broker {b}")
}

/// Asserts `r` is `Ok` when `ok`, else an `_INVALID_ARG` error whose message
/// contains `names` (the argument it is about).
#[track_caller]
fn expect<T: Debug>(ok: bool, case: &str, names: &str, r: Result<T, KafkaError>) {
    match (ok, r) {
        (true, Ok(_)) => {}
        (true, Err(e)) => panic!("{case}: expected Ok, got {e:?}"),
        (false, Ok(v)) => panic!("{case}: expected an error naming {names:?}, got Ok({v:?})"),
        (false, Err(e)) => {
            assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{case}: {e:?}");
            assert!(
                e.message().contains(names),
                "{case}: the message {:?} does not name {names:?}",
                e.message()
            );
        }
    }
}

/// A 3-broker cluster with a 4-partition topic.
fn cluster() -> (MockCluster, String) {
    let c = MockCluster::new(3).expect("mock cluster");
    let topic = unique_topic("boundary");
    c.create_topic(&topic, 4, 3).expect("create topic");
    (c, topic)
}

#[test]
fn new_broker_count() {
    for n in [i32::MIN, -1, 0, 101, i32::MAX] {
        expect(
            false,
            &format!("new({n})"),
            &format!("brokers, not {n}"),
            MockCluster::new(n),
        );
    }
    for n in [1, 100] {
        let c = MockCluster::new(n).expect("in range");
        assert_eq!(c.broker_ids(), (1..=n).collect::<Vec<_>>());
    }
}

#[test]
fn create_topic_counts_and_names() {
    let c = MockCluster::new(3).expect("mock cluster");
    for p in [i32::MIN, -1, 0, MAX_PARTITIONS + 1, i32::MAX] {
        let t = unique_topic("p");
        expect(
            false,
            &format!("create_topic(partitions {p})"),
            &format!("partitions must be 1 to {MAX_PARTITIONS}, not {p}"),
            c.create_topic(&t, p, 1),
        );
    }
    for rf in [i32::MIN, -1, 0, 4, i32::MAX] {
        let t = unique_topic("rf");
        expect(
            false,
            &format!("create_topic(rf {rf})"),
            &format!("replication factor must be 1 to 3 (the broker count), not {rf}"),
            c.create_topic(&t, 1, rf),
        );
    }
    for rf in [1, 3] {
        expect(true, "create_topic", "", c.create_topic(&unique_topic("ok"), 4, rf));
    }
    expect(
        false,
        "create_topic(\"\")",
        "the topic name is empty",
        c.create_topic("", 1, 1),
    );
    expect(false, "create_topic(NUL)", "NUL byte", c.create_topic("a\0b", 1, 1));
    // An existing topic: librdkafka's own typed error.
    let t = unique_topic("dup");
    c.create_topic(&t, 1, 1).unwrap();
    assert_eq!(
        c.create_topic(&t, 1, 1).unwrap_err().code(),
        ErrorCode::TOPIC_ALREADY_EXISTS
    );
}

#[test]
fn set_topic_error_names() {
    let (c, topic) = cluster();
    expect(
        true,
        "set_topic_error",
        "",
        c.set_topic_error(&topic, ErrorCode::TOPIC_AUTHORIZATION_FAILED),
    );
    expect(
        true,
        "set_topic_error(NO_ERROR)",
        "",
        c.set_topic_error(&topic, ErrorCode::NO_ERROR),
    );
    // A code librdkafka does not know is passed through as a value.
    expect(
        true,
        "set_topic_error(unknown code)",
        "",
        c.set_topic_error(&topic, ErrorCode(i32::MAX)),
    );
    expect(
        false,
        "set_topic_error(\"\")",
        "the topic name is empty",
        c.set_topic_error("", ErrorCode::NO_ERROR),
    );
    expect(
        false,
        "set_topic_error(NUL)",
        "NUL byte",
        c.set_topic_error("t\0", ErrorCode::NO_ERROR),
    );
}

/// The partition check shared by the four partition functions (which
/// check the partition first): a partition outside `0..100_000` is an
/// `_INVALID_ARG` naming it; then another bad argument (`other` names it)
/// is `_INVALID_ARG`; then a partition the 4-partition topic lacks is
/// librdkafka's own `UNKNOWN_TOPIC_OR_PART`; else `Ok`.
#[track_caller]
fn expect_partition<T: Debug>(case: &str, partition: i32, other: Option<&str>, r: Result<T, KafkaError>) {
    if !(0..MAX_PARTITIONS).contains(&partition) {
        expect(false, case, &format!("partition {partition} is out of range"), r);
    } else if let Some(names) = other {
        expect(false, case, names, r);
    } else if partition < 4 {
        expect(true, case, "", r);
    } else {
        let e = r.map(|v| format!("{v:?}")).expect_err(case);
        assert_eq!(e.code(), ErrorCode::UNKNOWN_TOPIC_OR_PART, "{case}: {e:?}");
    }
}

/// `None` when broker `b` is valid where -1 ("none") is allowed.
fn broker_or_none(b: i32) -> Option<String> {
    (!known(b) && b != -1).then(|| broker(b))
}

#[test]
fn set_partition_leader_partitions_and_brokers() {
    let (c, topic) = cluster();
    for p in PARTITIONS {
        for b in BROKER_IDS {
            let case = format!("set_partition_leader({p}, broker {b})");
            expect_partition(
                &case,
                p,
                broker_or_none(b).as_deref(),
                c.set_partition_leader(&topic, p, b),
            );
        }
    }
    expect(
        false,
        "set_partition_leader(\"\")",
        "the topic name is empty",
        c.set_partition_leader("", 0, 1),
    );
    expect(
        false,
        "set_partition_leader(NUL)",
        "NUL byte",
        c.set_partition_leader("\0", 0, 1),
    );
    // An unknown topic is auto-created with partition + 1 partitions.
    expect(
        true,
        "set_partition_leader(new topic)",
        "",
        c.set_partition_leader(&unique_topic("auto"), 2, 1),
    );
}

#[test]
fn set_partition_follower_partitions_and_brokers() {
    let (c, topic) = cluster();
    for p in PARTITIONS {
        for b in BROKER_IDS {
            let case = format!("set_partition_follower({p}, broker {b})");
            expect_partition(
                &case,
                p,
                broker_or_none(b).as_deref(),
                c.set_partition_follower(&topic, p, b),
            );
        }
    }
    expect(
        false,
        "set_partition_follower(\"\")",
        "the topic name is empty",
        c.set_partition_follower("", 0, 1),
    );
}

#[test]
fn set_partition_follower_watermarks_offsets() {
    let (c, topic) = cluster();
    let offsets = [i64::MIN, -2, -1, 0, 5, i64::MAX];
    for p in PARTITIONS {
        for lo in offsets {
            for hi in offsets {
                let other = if lo < -1 {
                    Some(format!("the low watermark {lo} is negative"))
                } else if hi < -1 {
                    Some(format!("the high watermark {hi} is negative"))
                } else if lo >= 0 && hi >= 0 && lo > hi {
                    Some(format!("the low watermark {lo} is above the high watermark {hi}"))
                } else {
                    None
                };
                let case = format!("set_partition_follower_watermarks({p}, {lo}, {hi})");
                let r = c.set_partition_follower_watermarks(&topic, p, lo, hi);
                expect_partition(&case, p, other.as_deref(), r);
            }
        }
    }
}

#[test]
fn push_partition_leader_response_ids() {
    let (c, topic) = cluster();
    let ids = [i32::MIN, -2, -1, 0, 1, i32::MAX];
    for p in PARTITIONS {
        for leader in ids {
            for epoch in ids {
                let other = if leader < -1 {
                    Some(format!("leader id {leader} is negative"))
                } else if epoch < -1 {
                    Some(format!("leader epoch {epoch} is negative"))
                } else {
                    None
                };
                let case = format!("push_partition_leader_response({p}, {leader}, {epoch})");
                let r = c.push_partition_leader_response(&topic, p, leader, epoch);
                expect_partition(&case, p, other.as_deref(), r);
            }
        }
    }
}

#[test]
fn broker_down_and_up_ids() {
    let (c, _) = cluster();
    for b in BROKER_IDS {
        expect(known(b), &format!("broker_down({b})"), &broker(b), c.broker_down(b));
        expect(known(b), &format!("broker_up({b})"), &broker(b), c.broker_up(b));
    }
}

#[test]
fn set_broker_rtt_ids_and_durations() {
    let (c, _) = cluster();
    for b in BROKER_IDS {
        for d in [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_millis(1),
            Duration::MAX,
        ] {
            expect(
                known(b),
                &format!("set_broker_rtt({b}, {d:?})"),
                &broker(b),
                c.set_broker_rtt(b, d),
            );
        }
        // Back to no latency, so the cluster stays quick to tear down.
        if known(b) {
            c.set_broker_rtt(b, Duration::ZERO).unwrap();
        }
    }
}

#[test]
fn set_broker_rack_ids_and_strings() {
    let (c, _) = cluster();
    for b in BROKER_IDS {
        for rack in ["", "rack-a", &"r".repeat(1000)] {
            let case = format!("set_broker_rack({b}, {} bytes)", rack.len());
            expect(known(b), &case, &broker(b), c.set_broker_rack(b, rack));
        }
        expect(
            false,
            &format!("set_broker_rack({b}, NUL)"),
            "NUL byte",
            c.set_broker_rack(b, "a\0b"),
        );
    }
}

#[test]
fn set_broker_host_port_ids_hosts_and_ports() {
    let (c, _) = cluster();
    let long_ok = "h".repeat(127);
    let too_long = "h".repeat(128);
    for b in BROKER_IDS {
        for (host, host_ok) in [
            ("127.0.0.1", true),
            (long_ok.as_str(), true),
            ("", false),
            (too_long.as_str(), false),
        ] {
            // A port is a u16: only 0 is out of range.
            for (port, port_ok) in [(0u16, false), (1, true), (9092, true), (65535, true)] {
                let case = format!("set_broker_host_port({b}, {} bytes, {port})", host.len());
                let names = if !host_ok {
                    format!("the host must be 1 to 127 bytes long, not {}", host.len())
                } else if !port_ok {
                    format!("port {port} is out of range")
                } else {
                    broker(b)
                };
                expect(
                    known(b) && host_ok && port_ok,
                    &case,
                    &names,
                    c.set_broker_host_port(b, host, port),
                );
            }
        }
        expect(
            false,
            &format!("set_broker_host_port({b}, NUL)"),
            "NUL byte",
            c.set_broker_host_port(b, "a\0", 9092),
        );
    }
}

/// librdkafka's `set_host_port` returns void: an unknown broker used to be
/// reported as `Ok` (issue 10, item 3).
#[test]
fn set_broker_host_port_on_an_unknown_broker_is_an_error() {
    let c = MockCluster::new(1).expect("mock cluster");
    expect(
        false,
        "set_broker_host_port(42)",
        "broker 42 is not in this mock cluster",
        c.set_broker_host_port(42, "localhost", 9092),
    );
}

/// `decommission_broker(-1)` crashed the process (issue 10, item 1): -1 is
/// "every broker" to librdkafka.
#[test]
fn decommission_and_add_broker_ids() {
    let c = MockCluster::new(3).expect("mock cluster");
    for b in [i32::MIN, -2, -1, 0, 4, i32::MAX] {
        expect(
            false,
            &format!("decommission_broker({b})"),
            &broker(b),
            c.decommission_broker(b),
        );
    }
    assert_eq!(c.broker_ids(), vec![1, 2, 3]);
    expect(true, "decommission_broker(3)", "", c.decommission_broker(3));
    expect(
        false,
        "decommission_broker(3) again",
        "broker 3",
        c.decommission_broker(3),
    );
    expect(false, "broker_down(3) after decommission", "broker 3", c.broker_down(3));
    assert_eq!(c.broker_ids(), vec![1, 2]);

    for b in [i32::MIN, -2, -1] {
        expect(
            false,
            &format!("add_broker({b})"),
            &format!("broker {b} is negative"),
            c.add_broker(b),
        );
    }
    expect(
        false,
        "add_broker(1), which exists",
        "broker 1 already exists",
        c.add_broker(1),
    );
    for b in [0, 3, i32::MAX] {
        expect(true, &format!("add_broker({b})"), "", c.add_broker(b));
        expect(true, &format!("broker_down({b}) after add"), "", c.broker_down(b));
        expect(true, &format!("broker_up({b}) after add"), "", c.broker_up(b));
    }
    assert_eq!(c.broker_ids(), vec![0, 1, 2, 3, i32::MAX]);

    // Down to no broker at all, then every broker function is an error
    // and a topic cannot be created.
    for b in c.broker_ids() {
        expect(true, &format!("decommission_broker({b})"), "", c.decommission_broker(b));
    }
    assert!(c.broker_ids().is_empty());
    expect(
        false,
        "decommission_broker(1) in an empty cluster",
        "broker 1",
        c.decommission_broker(1),
    );
    expect(
        false,
        "create_topic in an empty cluster",
        "replication factor must be 1 to 0",
        c.create_topic("t", 1, 1),
    );
    expect(true, "add_broker(7) to an empty cluster", "", c.add_broker(7));
    expect(
        true,
        "create_topic after add",
        "",
        c.create_topic(&unique_topic("back"), 2, 1),
    );
}

#[test]
fn set_coordinator_ids_and_keys() {
    let (c, _) = cluster();
    for kind in [CoordinatorType::GROUP, CoordinatorType::TRANSACTION] {
        for b in BROKER_IDS {
            for key in ["", "group-or-txn"] {
                let case = format!("set_coordinator({kind:?}, {key:?}, {b})");
                expect(known(b), &case, &broker(b), c.set_coordinator(kind, key, b));
            }
        }
        expect(
            false,
            "set_coordinator(NUL key)",
            "NUL byte",
            c.set_coordinator(kind, "k\0", 1),
        );
    }
}

#[test]
fn set_api_version_keys_and_ranges() {
    let (c, _) = cluster();
    let versions = [i16::MIN, -2, -1, 0, 3, i16::MAX];
    for api in [i16::MIN, -1, 0, 73, 74, i16::MAX] {
        let api_ok = (0..74).contains(&api);
        for min in versions {
            for max in versions {
                let range_ok = (min == -1 && max == -1) || (0 <= min && min <= max);
                let case = format!("set_api_version({api}, {min}, {max})");
                let names = if api_ok {
                    format!("versions {min}..={max} are not a range")
                } else {
                    format!("API key {api} is out of range")
                };
                expect(
                    api_ok && range_ok,
                    &case,
                    &names,
                    c.set_api_version(ApiKey(api), min, max),
                );
            }
        }
        let names = format!("API key {api} is out of range");
        expect(
            api_ok,
            &format!("disable_api({api})"),
            &names,
            c.disable_api(ApiKey(api)),
        );
    }
}

#[test]
fn cluster_wide_request_errors_take_any_key() {
    let (c, _) = cluster();
    // These return nothing: any key is safe (a key no request uses keeps
    // its errors forever, unconsumed); the call must simply not crash.
    for api in [i16::MIN, -1, 0, 73, 74, i16::MAX] {
        c.push_request_errors(ApiKey(api), &[]);
        c.push_request_errors(ApiKey(api), &[ErrorCode::NOT_LEADER_FOR_PARTITION, ErrorCode(i32::MIN)]);
        c.clear_request_errors(ApiKey(api));
    }
}

#[test]
fn broker_request_errors_ids_and_delays() {
    let (c, _) = cluster();
    for b in BROKER_IDS {
        for api in [i16::MIN, -1, 0, i16::MAX] {
            let errors = [
                (ErrorCode::NOT_COORDINATOR, Duration::ZERO),
                (ErrorCode::NO_ERROR, Duration::from_millis(1)),
                (ErrorCode(i32::MAX), Duration::MAX),
            ];
            let case = format!("push_broker_request_errors({b}, {api})");
            expect(
                known(b),
                &case,
                &broker(b),
                c.push_broker_request_errors(b, ApiKey(api), &errors),
            );
            expect(
                known(b),
                &case,
                &broker(b),
                c.push_broker_request_errors(b, ApiKey(api), &[]),
            );
            let count = c.broker_error_count(b, ApiKey(api));
            if known(b) {
                assert_eq!(count.unwrap(), 3, "{case}: the three errors are queued");
            } else {
                expect(false, &format!("broker_error_count({b}, {api})"), &broker(b), count);
            }
        }
    }
}

#[test]
fn group_durations_are_clamped_not_overflowed() {
    let (c, _) = cluster();
    for d in [
        Duration::ZERO,
        Duration::from_nanos(1),
        Duration::from_millis(1),
        Duration::from_secs(3600),
        Duration::MAX,
    ] {
        c.set_group_initial_rebalance_delay(d);
        c.set_group_consumer_session_timeout(d);
        c.set_group_consumer_heartbeat_interval(d);
    }
}

#[test]
fn telemetry_arguments() {
    let (c, _) = cluster();
    for (d, ok) in [
        (Duration::ZERO, false),
        (Duration::from_micros(999), false),
        (Duration::from_millis(1), true),
        (Duration::from_millis(i32::MAX as u64), true),
        (Duration::from_millis(i32::MAX as u64 + 1), false),
        (Duration::MAX, false),
    ] {
        let case = format!("set_telemetry_push_interval({d:?})");
        expect(ok, &case, "ms is out of range", c.set_telemetry_push_interval(d));
    }
    // (A non-empty list is not set here: librdkafka 2.12.1 never frees the
    // copy it keeps, which the leak checkers running this file would report.)
    expect(
        true,
        "set_telemetry_requested_metrics([])",
        "",
        c.set_telemetry_requested_metrics(&[]),
    );
    expect(
        false,
        "set_telemetry_requested_metrics(NUL)",
        "NUL byte",
        c.set_telemetry_requested_metrics(&["a", "b\0"]),
    );
}

#[test]
fn consumer_group_target_assignment_strings() {
    let (c, topic) = cluster();
    let parts = vec![TopicPartition::new(&topic, 0), TopicPartition::new(&topic, i32::MAX)];
    for group in ["", "no-such-group"] {
        expect(
            true,
            "target assignment (empty)",
            "",
            c.set_consumer_group_target_assignment(group, &[]),
        );
        expect(
            true,
            "target assignment",
            "",
            c.set_consumer_group_target_assignment(group, &[("".into(), vec![]), ("m".into(), parts.clone())]),
        );
    }
    expect(
        false,
        "target assignment (NUL group)",
        "group id",
        c.set_consumer_group_target_assignment("g\0", &[]),
    );
    expect(
        false,
        "target assignment (NUL member)",
        "member id",
        c.set_consumer_group_target_assignment("g", &[("m\0".into(), vec![])]),
    );
}

// ---------------------------------------------------------------------------
// ConsumerGroupMetadata::from_bytes
// ---------------------------------------------------------------------------

/// Valid serializations: with and without a group instance id, empty member
/// id, negative generation.
fn valid_serializations() -> Vec<Vec<u8>> {
    vec![
        ConsumerGroupMetadata::new("g").unwrap().to_bytes().unwrap(),
        ConsumerGroupMetadata::with_generation("group", 7, "member-1", None)
            .unwrap()
            .to_bytes()
            .unwrap(),
        ConsumerGroupMetadata::with_generation("group", i32::MIN, "m", Some("instance"))
            .unwrap()
            .to_bytes()
            .unwrap(),
        ConsumerGroupMetadata::with_generation("", -1, "", Some(""))
            .unwrap()
            .to_bytes()
            .unwrap(),
    ]
}

/// `from_bytes` must give `Ok` (and then a stable round trip) or an
/// `_INVALID_ARG` error about the consumer group metadata.
#[track_caller]
fn from_bytes_is_ok_or_invalid(bytes: &[u8]) -> bool {
    match ConsumerGroupMetadata::from_bytes(bytes) {
        Ok(md) => {
            let again = md.to_bytes().unwrap();
            let md2 = ConsumerGroupMetadata::from_bytes(&again).unwrap_or_else(|e| panic!("{bytes:?}: {e:?}"));
            assert_eq!(md2.to_bytes().unwrap(), again, "{bytes:?}");
            true
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{bytes:?}: {e:?}");
            assert!(e.message().contains("consumer group metadata"), "{bytes:?}: {e:?}");
            false
        }
    }
}

/// The case the review found: the group id runs to the end of the buffer
/// with no NUL, and librdkafka read past it.
#[test]
fn metadata_with_an_unterminated_group_id_is_an_error() {
    let mut b = b"CGMDv2:".to_vec();
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"abc");
    let e = ConsumerGroupMetadata::from_bytes(&b).unwrap_err();
    assert_eq!(e.code(), ErrorCode::INVALID_ARG);
    assert!(e.message().contains("group id"), "{e:?}");
}

#[test]
fn metadata_prefixes_are_errors_and_whole_serializations_round_trip() {
    for v in valid_serializations() {
        assert!(from_bytes_is_ok_or_invalid(&v), "{v:?} is valid");
        assert_eq!(ConsumerGroupMetadata::from_bytes(&v).unwrap().to_bytes().unwrap(), v);
        for n in 0..v.len() {
            assert!(
                !from_bytes_is_ok_or_invalid(&v[..n]),
                "the {n}-byte prefix of {v:?} is not valid"
            );
        }
    }
}

#[test]
fn metadata_prefixes_with_bytes_appended() {
    let suffixes: [&[u8]; 8] = [
        b"\0",
        b"\0\0",
        b"\0\x01",
        b"\x01",
        b"abc",
        b"\xff",
        b"\x7f\0",
        b"\0\0\0\0",
    ];
    for v in valid_serializations() {
        for n in 0..=v.len() {
            for s in suffixes {
                let mut b = v[..n].to_vec();
                b.extend_from_slice(s);
                from_bytes_is_ok_or_invalid(&b);
            }
        }
    }
}

#[test]
fn metadata_with_each_byte_changed() {
    for v in valid_serializations() {
        for i in 0..v.len() {
            for x in [0x00, 0x01, b' ', b'a', 0x7f, 0x80, 0xff] {
                let mut b = v.clone();
                b[i] = x;
                from_bytes_is_ok_or_invalid(&b);
            }
        }
    }
}

#[test]
fn metadata_garbage_of_every_short_length() {
    // Every length up to past the minimum (14 bytes), in a few fillers,
    // with and without the magic.
    for len in 0..=24 {
        for fill in [0x00, b'a', 0xff] {
            let plain = vec![fill; len];
            assert!(!from_bytes_is_ok_or_invalid(&plain), "{plain:?}");
            let mut magic = b"CGMDv2:".to_vec();
            magic.resize(len.max(7), fill);
            magic.truncate(len);
            from_bytes_is_ok_or_invalid(&magic);
        }
    }
}
