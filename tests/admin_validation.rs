//! AdminClient without a real broker: input validation (before anything is
//! sent), options, unknown enum values, request timeouts against an
//! unreachable address, futures under executors, lifecycle (close, drop,
//! closed errors), callbacks, and the few admin requests librdkafka's mock
//! cluster answers (ListOffsets, OffsetCommit, OffsetFetch).

mod common;

use common::*;
use ferrokafka::admin::*;
use ferrokafka::{
    AdminClient, AdminOptions, Config, Consumer, ErrorCode, KafkaError, MockCluster, OAuthToken, Producer, Record,
    TopicPartition, OFFSET_END,
};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

const T30: Duration = Duration::from_secs(30);
const T60: Duration = Duration::from_secs(60);

/// Nothing listens on port 1: nothing can be sent anywhere.
const UNREACHABLE: &str = "127.0.0.1:1";

fn admin_for(bootstrap: &str) -> AdminClient {
    let mut c = Config::new();
    c.set("bootstrap.servers", bootstrap);
    AdminClient::new(&c).unwrap()
}

fn admin() -> AdminClient {
    admin_for(UNREACHABLE)
}

fn no() -> AdminOptions {
    AdminOptions::new()
}

/// Asserts an `_INVALID_ARG` error whose message names the method and
/// contains every `needle`.
#[track_caller]
fn invalid<T: std::fmt::Debug>(r: ferrokafka::Result<T>, method: &str, needles: &[&str]) {
    let e = r.expect_err("expected a validation error");
    assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{e:?}");
    assert!(e.message().starts_with(method), "{e:?} should name {method}");
    for n in needles {
        assert!(e.message().contains(n), "{e:?} should mention {n:?}");
    }
}

fn tp(topic: &str, partition: i32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn group(id: &str, parts: Vec<TopicPartition>) -> ConsumerGroupTopicPartitions {
    ConsumerGroupTopicPartitions::with_partitions(id, parts)
}

// ---------------------------------------------------------------------------
// Validation: every error comes back synchronously, before anything is sent.
// ---------------------------------------------------------------------------

#[test]
fn empty_lists_are_rejected() {
    let a = admin();
    let none: &[&str] = &[];
    invalid(a.create_topics(&[], &no()), "create_topics", &["empty"]);
    invalid(a.delete_topics(none, &no()), "delete_topics", &["empty"]);
    invalid(a.create_partitions(&[], &no()), "create_partitions", &["empty"]);
    invalid(a.describe_configs(&[], &no()), "describe_configs", &["empty"]);
    invalid(a.alter_configs(&[], &no()), "alter_configs", &["empty"]);
    invalid(
        a.incremental_alter_configs(&[], &no()),
        "incremental_alter_configs",
        &["empty"],
    );
    invalid(a.create_acls(&[], &no()), "create_acls", &["empty"]);
    invalid(a.delete_acls(&[], &no()), "delete_acls", &["empty"]);
    invalid(
        a.describe_consumer_groups(none, &no()),
        "describe_consumer_groups",
        &["empty"],
    );
    invalid(
        a.delete_consumer_groups(none, &no()),
        "delete_consumer_groups",
        &["empty"],
    );
    invalid(
        a.list_consumer_group_offsets(&[], &no()),
        "list_consumer_group_offsets",
        &["empty"],
    );
    invalid(
        a.alter_consumer_group_offsets(&[], &no()),
        "alter_consumer_group_offsets",
        &["empty"],
    );
    invalid(
        a.delete_consumer_group_offsets(&[], &no()),
        "delete_consumer_group_offsets",
        &["empty"],
    );
    // Describing no topics describes none, as the Python client's does.
    assert!(a
        .describe_topics(none, &no())
        .unwrap()
        .wait(Duration::from_secs(10))
        .unwrap()
        .is_empty());
    invalid(a.list_offsets(&[], &no()), "list_offsets", &["empty"]);
    invalid(a.delete_records(&[], &no()), "delete_records", &["empty"]);
    invalid(
        a.alter_user_scram_credentials(&[], &no()),
        "alter_user_scram_credentials",
        &["empty"],
    );
    invalid(
        a.elect_leaders(ElectionType::PREFERRED, Some(&[]), &no()),
        "elect_leaders",
        &["empty", "None"],
    );
    // Empty partition lists inside a group request.
    invalid(
        a.list_consumer_group_offsets(&[group("g", vec![])], &no()),
        "list_consumer_group_offsets",
        &["empty", "None"],
    );
    invalid(
        a.alter_consumer_group_offsets(&[group("g", vec![])], &no()),
        "alter_consumer_group_offsets",
        &["empty"],
    );
    invalid(
        a.alter_consumer_group_offsets(&[ConsumerGroupTopicPartitions::new("g")], &no()),
        "alter_consumer_group_offsets",
        &["no partitions"],
    );
    invalid(
        a.delete_consumer_group_offsets(&[ConsumerGroupTopicPartitions::new("g")], &no()),
        "delete_consumer_group_offsets",
        &["no partitions"],
    );
    invalid(
        a.incremental_alter_configs(&[ConfigResource::topic("t")], &no()),
        "incremental_alter_configs",
        &["TOPIC t", "no incremental_configs"],
    );
}

#[test]
fn duplicates_are_rejected() {
    let a = admin();
    invalid(
        a.create_topics(&[NewTopic::new("t", 1, 1), NewTopic::new("t", 2, 1)], &no()),
        "create_topics",
        &["duplicate topic", "\"t\""],
    );
    invalid(
        a.delete_topics(&["t", "u", "t"], &no()),
        "delete_topics",
        &["duplicate topic"],
    );
    invalid(
        a.create_partitions(&[NewPartitions::new("t", 2), NewPartitions::new("t", 3)], &no()),
        "create_partitions",
        &["duplicate topic"],
    );
    invalid(
        a.describe_configs(&[ConfigResource::topic("t"), ConfigResource::topic("t")], &no()),
        "describe_configs",
        &["duplicate resource"],
    );
    // The same name with another type is another resource.
    assert!(a
        .describe_configs(&[ConfigResource::topic("t"), ConfigResource::group("t")], &no())
        .is_ok());
    invalid(
        a.incremental_alter_configs(
            &[ConfigResource::topic("t")
                .incremental(AlterConfigOp::set("retention.ms", "1"))
                .incremental(AlterConfigOp::delete("retention.ms"))],
            &no(),
        ),
        "incremental_alter_configs",
        &["duplicate config name", "retention.ms"],
    );
    let acl = AclBinding::new(
        ResourceType::TOPIC,
        "t",
        ResourcePatternType::LITERAL,
        "User:a",
        "*",
        AclOperation::READ,
        AclPermissionType::ALLOW,
    );
    invalid(
        a.create_acls(&[acl.clone(), acl.clone()], &no()),
        "create_acls",
        &["duplicate ACL binding"],
    );
    let f = AclBindingFilter::from(&acl);
    invalid(
        a.delete_acls(&[f.clone(), f], &no()),
        "delete_acls",
        &["duplicate ACL binding filter"],
    );
    invalid(
        a.describe_consumer_groups(&["g", "g"], &no()),
        "describe_consumer_groups",
        &["duplicate group id"],
    );
    invalid(
        a.delete_consumer_groups(&["g", "g"], &no()),
        "delete_consumer_groups",
        &["duplicate group id"],
    );
    invalid(
        a.list_consumer_group_offsets(&[group("g", vec![tp("t", 0), tp("t", 0)])], &no()),
        "list_consumer_group_offsets",
        &["duplicate partition"],
    );
    invalid(
        a.list_offsets(
            &[(tp("t", 0), OffsetSpec::Earliest), (tp("t", 0), OffsetSpec::Latest)],
            &no(),
        ),
        "list_offsets",
        &["duplicate partition"],
    );
    invalid(
        a.delete_records(
            &[
                TopicPartition::with_offset("t", 1, 5),
                TopicPartition::with_offset("t", 1, 6),
            ],
            &no(),
        ),
        "delete_records",
        &["duplicate partition"],
    );
    invalid(
        a.describe_user_scram_credentials(&["alice", "alice"], &no()),
        "describe_user_scram_credentials",
        &["duplicate user"],
    );
    invalid(
        a.alter_user_scram_credentials(
            &[
                UserScramCredentialAlteration::upsertion("alice", ScramMechanism::SCRAM_SHA_256, 4096, "x"),
                UserScramCredentialAlteration::deletion("alice", ScramMechanism::SCRAM_SHA_256),
            ],
            &no(),
        ),
        "alter_user_scram_credentials",
        &["duplicate", "alice"],
    );
    // Two mechanisms for one user are two alterations.
    assert!(a
        .alter_user_scram_credentials(
            &[
                UserScramCredentialAlteration::upsertion("alice", ScramMechanism::SCRAM_SHA_256, 4096, "x"),
                UserScramCredentialAlteration::deletion("alice", ScramMechanism::SCRAM_SHA_512),
            ],
            &no(),
        )
        .is_ok());
    invalid(
        a.elect_leaders(ElectionType::PREFERRED, Some(&[tp("t", 0), tp("t", 0)]), &no()),
        "elect_leaders",
        &["duplicate partition"],
    );
    invalid(
        a.list_consumer_groups(&[ConsumerGroupState::STABLE, ConsumerGroupState::STABLE], &[], &no()),
        "list_consumer_groups",
        &["duplicate state"],
    );
    invalid(
        a.list_consumer_groups(&[], &[ConsumerGroupType::CLASSIC, ConsumerGroupType::CLASSIC], &no()),
        "list_consumer_groups",
        &["duplicate type"],
    );
}

#[test]
fn invalid_names_are_rejected() {
    let a = admin();
    let long = "x".repeat(250);
    for bad in [
        "",
        "has space",
        "slash/topic",
        ".",
        "..",
        long.as_str(),
        "nul\0byte",
        "ünïcode",
    ] {
        invalid(
            a.create_topics(&[NewTopic::new(bad, 1, 1)], &no()),
            "create_topics",
            &["invalid topic name"],
        );
        invalid(a.delete_topics(&[bad], &no()), "delete_topics", &["invalid topic name"]);
        invalid(
            a.describe_topics(&[bad], &no()),
            "describe_topics",
            &["invalid topic name"],
        );
        invalid(
            a.list_offsets(&[(tp(bad, 0), OffsetSpec::Latest)], &no()),
            "list_offsets",
            &["invalid topic name"],
        );
        invalid(
            a.describe_configs(&[ConfigResource::topic(bad)], &no()),
            "describe_configs",
            &["invalid topic name"],
        );
    }
    // 249 characters is the longest legal name.
    assert!(a.describe_topics(&["y".repeat(249)], &no()).is_ok());

    for bad in ["", "nul\0byte"] {
        invalid(
            a.describe_consumer_groups(&[bad], &no()),
            "describe_consumer_groups",
            &["invalid group id"],
        );
        invalid(
            a.delete_consumer_groups(&[bad], &no()),
            "delete_consumer_groups",
            &["invalid group id"],
        );
        invalid(
            a.list_consumer_group_offsets(&[ConsumerGroupTopicPartitions::new(bad)], &no()),
            "list_consumer_group_offsets",
            &["invalid group id"],
        );
    }
    invalid(
        a.describe_configs(&[ConfigResource::new(ResourceType::BROKER, "one")], &no()),
        "describe_configs",
        &["BROKER", "\"one\""],
    );
    invalid(
        a.describe_configs(&[ConfigResource::new(ResourceType::ANY, "x")], &no()),
        "describe_configs",
        &["resource type ANY"],
    );
    invalid(
        a.describe_configs(&[ConfigResource::new(ResourceType(42), "x")], &no()),
        "describe_configs",
        &["ResourceType(42)"],
    );
    invalid(
        a.describe_configs(&[ConfigResource::broker(1), ConfigResource::broker(2)], &no()),
        "describe_configs",
        &["one BROKER"],
    );
    invalid(
        a.describe_user_scram_credentials(&[""], &no()),
        "describe_user_scram_credentials",
        &["empty"],
    );
    invalid(
        a.alter_user_scram_credentials(
            &[UserScramCredentialAlteration::deletion(
                "",
                ScramMechanism::SCRAM_SHA_256,
            )],
            &no(),
        ),
        "alter_user_scram_credentials",
        &["user name is empty"],
    );
    invalid(
        a.create_topics(&[NewTopic::new("t", 1, 1).with_config("a\0b", "v")], &no()),
        "config name",
        &["NUL"],
    );
}

#[test]
fn out_of_range_values_are_rejected() {
    let a = admin();
    invalid(
        a.create_topics(&[NewTopic::new("t", 0, 1)], &no()),
        "create_topics",
        &["\"t\"", "num_partitions 0"],
    );
    invalid(
        a.create_topics(&[NewTopic::new("t", -5, 1)], &no()),
        "create_topics",
        &["num_partitions -5"],
    );
    invalid(
        a.create_topics(&[NewTopic::new("t", 1, 0)], &no()),
        "create_topics",
        &["replication_factor 0"],
    );
    // Past librdkafka's own limit (100000 partitions).
    invalid(
        a.create_topics(&[NewTopic::new("t", 100_001, 1)], &no()),
        "create_topics",
        &["num_partitions"],
    );
    invalid(
        a.create_topics(
            &[NewTopic::new("t", 2, 1).with_replica_assignment(vec![vec![1], vec![2]])],
            &no(),
        ),
        "create_topics",
        &["replica assignment", "-1"],
    );
    invalid(
        a.create_topics(
            &[NewTopic::new("t", 3, -1).with_replica_assignment(vec![vec![1], vec![2]])],
            &no(),
        ),
        "create_topics",
        &["lists 2 partitions", "num_partitions is 3"],
    );
    invalid(
        a.create_topics(
            &[NewTopic::new("t", 2, -1).with_replica_assignment(vec![vec![1], vec![]])],
            &no(),
        ),
        "create_topics",
        &["partition 1 has no replicas"],
    );
    assert!(a
        .create_topics(
            &[NewTopic::new("t", 2, -1).with_replica_assignment(vec![vec![1], vec![2]])],
            &no(),
        )
        .is_ok());
    invalid(
        a.create_partitions(&[NewPartitions::new("t", 100_001)], &no()),
        "create_partitions",
        &["new_total_cnt"],
    );
    for n in [0, -1, i32::MIN] {
        invalid(
            a.create_partitions(&[NewPartitions::new("t", n)], &no()),
            "create_partitions",
            &["new_total_count must be at least 1", &format!("not {n}")],
        );
    }
    invalid(
        a.list_offsets(&[(tp("t", 0), OffsetSpec::ForTimestamp(-5))], &no()),
        "list_offsets",
        &["timestamp -5"],
    );
    invalid(
        a.list_offsets(&[(tp("t", -1), OffsetSpec::Latest)], &no()),
        "list_offsets",
        &["partition -1"],
    );
    invalid(
        a.delete_records(&[TopicPartition::with_offset("t", 0, -5)], &no()),
        "delete_records",
        &["offset", "OFFSET_END"],
    );
    assert!(a
        .delete_records(&[TopicPartition::with_offset("t", 0, OFFSET_END)], &no())
        .is_ok());
    invalid(
        a.list_consumer_group_offsets(&[group("g", vec![TopicPartition::with_offset("t", 0, 5)])], &no()),
        "list_consumer_group_offsets",
        &["must not carry an offset"],
    );
    invalid(
        a.alter_consumer_group_offsets(&[group("g", vec![TopicPartition::with_offset("t", 0, -2)])], &no()),
        "alter_consumer_group_offsets",
        &["offset must be >= 0"],
    );
    invalid(
        a.list_consumer_group_offsets(
            &[
                ConsumerGroupTopicPartitions::new("g"),
                ConsumerGroupTopicPartitions::new("h"),
            ],
            &no(),
        ),
        "list_consumer_group_offsets",
        &["exactly one group"],
    );
    invalid(
        a.alter_user_scram_credentials(
            &[UserScramCredentialAlteration::upsertion(
                "u",
                ScramMechanism::SCRAM_SHA_256,
                4096,
                "",
            )],
            &no(),
        ),
        "alter_user_scram_credentials",
        &["password is empty"],
    );
    invalid(
        a.alter_user_scram_credentials(
            &[UserScramCredentialAlteration::upsertion(
                "u",
                ScramMechanism::SCRAM_SHA_256,
                -1,
                "p",
            )],
            &no(),
        ),
        "alter_user_scram_credentials",
        &["iterations"],
    );
    invalid(
        a.alter_user_scram_credentials(
            &[UserScramCredentialAlteration::deletion("u", ScramMechanism::UNKNOWN)],
            &no(),
        ),
        "alter_user_scram_credentials",
        &["mechanism UNKNOWN"],
    );
    invalid(
        a.list_consumer_groups(&[ConsumerGroupState(99)], &[], &no()),
        "list_consumer_groups",
        &["ConsumerGroupState(99)"],
    );
    let pattern_any = AclBinding::new(
        ResourceType::TOPIC,
        "t",
        ResourcePatternType::ANY,
        "User:a",
        "*",
        AclOperation::READ,
        AclPermissionType::ALLOW,
    );
    invalid(
        a.create_acls(&[pattern_any], &no()),
        "create_acls",
        &["invalid AclBinding"],
    );
    let mut bad_filter = AclBindingFilter::any();
    bad_filter.operation = AclOperation::UNKNOWN;
    invalid(
        a.describe_acls(&bad_filter, &no()),
        "describe_acls",
        &["invalid AclBindingFilter"],
    );
    invalid(
        a.incremental_alter_configs(
            &[ConfigResource::topic("t").incremental(AlterConfigOp::new(
                "retention.ms",
                AlterConfigOpType::SET,
                None::<&str>,
            ))],
            &no(),
        ),
        "incremental_alter_configs",
        &["needs a value"],
    );
    // Values of the integer-newtype enums that librdkafka does not name.
    for v in [-1, 4, i32::MAX] {
        invalid(
            a.incremental_alter_configs(
                &[ConfigResource::topic("t").incremental(AlterConfigOp::new(
                    "retention.ms",
                    AlterConfigOpType(v),
                    Some("1"),
                ))],
                &no(),
            ),
            "incremental_alter_configs",
            &["unknown operation", &format!("AlterConfigOpType({v})")],
        );
    }
    for v in [-1, 2, i32::MIN] {
        invalid(
            a.elect_leaders(ElectionType(v), None, &no()),
            "elect_leaders",
            &["unknown election type", &format!("ElectionType({v})")],
        );
        invalid(
            a.list_offsets(
                &[(tp("t", 0), OffsetSpec::Latest)],
                &no().isolation_level(IsolationLevel(v)),
            ),
            "list_offsets",
            &["unknown isolation level", &format!("IsolationLevel({v})")],
        );
    }
}

#[test]
fn options_out_of_range_or_not_for_the_operation_are_rejected() {
    let a = admin();
    let topic = [NewTopic::new("t", 1, 1)];
    invalid(
        a.create_topics(&topic, &no().request_timeout(Duration::from_secs(7200))),
        "create_topics",
        &["request_timeout", "out of range"],
    );
    invalid(
        a.create_topics(&topic, &no().operation_timeout(Duration::from_secs(3601))),
        "create_topics",
        &["operation_timeout", "out of range"],
    );
    invalid(
        a.describe_cluster(&no().broker(-1)),
        "describe_cluster",
        &["broker id -1"],
    );
    // Options the operation does not take, named by librdkafka.
    invalid(
        a.describe_cluster(&no().operation_timeout(T30)),
        "describe_cluster",
        &["operation_timeout", "not supported"],
    );
    invalid(
        a.delete_topics(&["t"], &no().validate_only(true)),
        "delete_topics",
        &["validate_only", "not supported"],
    );
    invalid(
        a.create_topics(&topic, &no().require_stable_offsets(true)),
        "create_topics",
        &["require_stable_offsets"],
    );
    invalid(
        a.describe_configs(
            &[ConfigResource::topic("t")],
            &no().isolation_level(IsolationLevel::READ_COMMITTED),
        ),
        "describe_configs",
        &["isolation_level"],
    );
    invalid(
        a.create_topics(&topic, &no().include_authorized_operations(true)),
        "create_topics",
        &["include_authorized_operations"],
    );
    // The largest values are accepted.
    assert!(a
        .create_topics(
            &topic,
            &no()
                .request_timeout(Duration::from_secs(3600))
                .operation_timeout(Duration::from_secs(3600))
                .validate_only(true)
        )
        .is_ok());
    assert!(a
        .list_offsets(
            &[(tp("t", 0), OffsetSpec::Latest)],
            &no().isolation_level(IsolationLevel::READ_COMMITTED)
        )
        .is_ok());
}

#[test]
fn enums_from_c_keep_unknown_values() {
    let op = AclOperation(99);
    assert!(!op.is_known());
    assert_eq!(op.name(), "UNKNOWN");
    assert_eq!(op.code(), 99);
    assert_eq!(format!("{op:?}"), "AclOperation(99)");
    assert_eq!(AclOperation::READ.to_string(), "READ");
    assert_eq!(AclOperation::from(3), AclOperation::READ);
    assert_eq!(ConfigSource(6), ConfigSource::DYNAMIC_BROKER_LOGGER_CONFIG);
    assert!(!ConfigSource(77).is_known());
    assert_eq!(ConsumerGroupState::known_values().len(), 6);
    assert_eq!(format!("{:?}", ConsumerGroupType(-4)), "ConsumerGroupType(-4)");
    assert_eq!(ResourceType::BROKER.code(), 4);
    assert_eq!(ScramMechanism::SCRAM_SHA_512.name(), "SCRAM_SHA_512");
    assert_eq!(ResourcePatternType(9).name(), "UNKNOWN");
    assert_eq!(AclPermissionType::ALLOW.code(), 3);
}

#[test]
fn scram_passwords_are_not_shown() {
    let up = UserScramCredentialAlteration::upsertion("bob", ScramMechanism::SCRAM_SHA_512, 8192, "hunter2")
        .with_salt(b"pepper".to_vec());
    let shown = format!("{up:?}");
    assert!(!shown.contains("hunter2") && !shown.contains("pepper"), "{shown}");
    assert!(shown.contains("bob"));
}

// ---------------------------------------------------------------------------
// Timeouts, executors and lifecycle against an unreachable address.
// ---------------------------------------------------------------------------

/// A timeout error from librdkafka's request timeout, not from `wait`.
#[track_caller]
fn request_timed_out(e: &KafkaError) {
    assert_eq!(e.code(), ErrorCode::TIMED_OUT, "{e:?}");
    assert!(!e.message().contains("AdminFuture::wait"), "{e:?}");
    assert!(!e.is_fatal());
}

#[test]
fn a_request_timeout_fails_every_item() {
    let a = admin();
    let o = no().request_timeout(Duration::from_millis(500));
    let created = a
        .create_topics(&[NewTopic::new("t1", 1, 1), NewTopic::new("t2", 1, 1)], &o)
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(
        created.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["t1", "t2"]
    );
    for (_, r) in &created {
        request_timed_out(r.as_ref().unwrap_err());
    }
    let described = a
        .describe_configs(&[ConfigResource::topic("t1"), ConfigResource::broker(0)], &o)
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(described.len(), 2);
    for (_, r) in &described {
        request_timed_out(r.as_ref().unwrap_err());
    }
    let groups = a
        .describe_consumer_groups(&["g1", "g2", "g3"], &o)
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(groups.len(), 3);
    for (_, r) in &groups {
        request_timed_out(r.as_ref().unwrap_err());
    }
    let offsets = a
        .list_offsets(
            &[(tp("t1", 0), OffsetSpec::Earliest), (tp("t1", 1), OffsetSpec::Latest)],
            &o,
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(offsets.len(), 2);
    for (_, r) in &offsets {
        assert!(r.as_ref().unwrap_err().is_timeout(), "{r:?}");
    }
    request_timed_out(&a.describe_cluster(&o).unwrap().wait(T60).unwrap().unwrap_err());
    // Listing asks every broker; those that could not answer are listed as
    // errors (here, the bootstrap broker).
    let listed = a
        .list_consumer_groups(&[], &[], &o)
        .unwrap()
        .wait(T60)
        .unwrap()
        .unwrap();
    assert!(listed.valid.is_empty());
    assert!(!listed.errors.is_empty());
    for e in &listed.errors {
        request_timed_out(e);
    }
    request_timed_out(
        &a.describe_acls(&AclBindingFilter::any(), &o)
            .unwrap()
            .wait(T60)
            .unwrap()
            .unwrap_err(),
    );
    a.close(T30).unwrap();
}

#[test]
fn a_wait_deadline_is_not_the_requests_outcome_and_can_be_waited_again() {
    let a = admin();
    // No broker answers: the request ends at its own request timeout.
    let mut f = a
        .delete_topics(&["t1", "t2"], &no().request_timeout(Duration::from_millis(500)))
        .unwrap();
    // The wait's deadline: an Err of this wait, retriable, saying so; the
    // future is still pending, for any number of waits.
    for wait in [Duration::ZERO, Duration::from_millis(1), Duration::from_millis(20)] {
        let e = f.wait(wait).unwrap_err();
        assert_eq!(e.code(), ErrorCode::TIMED_OUT);
        assert!(e.is_retriable(), "{e:?}");
        assert!(e.message().contains("AdminFuture::wait"), "{e:?}");
    }
    // The request's own timeout: the outcome, per item, from librdkafka.
    let items = f.wait(T60).expect("the outcome");
    assert_eq!(items.len(), 2);
    for (_, r) in &items {
        let e = r.as_ref().unwrap_err();
        request_timed_out(e);
        assert!(!e.message().contains("AdminFuture::wait"), "{e:?}");
    }
    // Taken: waiting again says so, at once.
    assert_eq!(f.wait(T60).unwrap_err().code(), ErrorCode::STATE);
    // A whole-request operation alike: Err(wait) vs Ok(Err(request)).
    let mut c = a
        .describe_cluster(&no().request_timeout(Duration::from_millis(500)))
        .unwrap();
    assert_eq!(c.wait(Duration::ZERO).unwrap_err().code(), ErrorCode::TIMED_OUT);
    request_timed_out(&c.wait(T60).unwrap().unwrap_err());
}

#[test]
fn futures_complete_under_block_on() {
    let a = admin();
    let o = no().request_timeout(Duration::from_millis(300));
    let f1 = a.describe_cluster(&o).unwrap();
    let f2 = a.delete_topics(&["x"], &o).unwrap();
    let (r1, r2) = futures::executor::block_on(async { futures::join!(f1, f2) });
    request_timed_out(&r1.unwrap_err());
    request_timed_out(r2[0].1.as_ref().unwrap_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn futures_complete_under_tokio_from_spawned_tasks() {
    let a = Arc::new(admin());
    let o = no().request_timeout(Duration::from_millis(300));
    let mut tasks = Vec::new();
    for i in 0..4 {
        let f = a.describe_topics(&[format!("t{i}")], &o).unwrap();
        tasks.push(tokio::spawn(f));
    }
    for t in tasks {
        let items = t.await.unwrap();
        request_timed_out(items[0].1.as_ref().unwrap_err());
    }
    request_timed_out(&a.describe_cluster(&o).unwrap().await.unwrap_err());
}

#[tokio::test(flavor = "current_thread")]
async fn futures_complete_under_a_current_thread_runtime() {
    let a = admin();
    let r = a
        .describe_cluster(&no().request_timeout(Duration::from_millis(300)))
        .unwrap()
        .await;
    request_timed_out(&r.unwrap_err());
}

#[test]
fn dropping_the_client_completes_outstanding_futures() {
    let a = admin();
    // The default request timeout (60 s) has not passed when the client goes.
    let cluster = a.describe_cluster(&no()).unwrap();
    let mut topics = a
        .create_topics(&[NewTopic::new("a", 1, 1), NewTopic::new("b", 1, 1)], &no())
        .unwrap();
    drop(a);
    let e = futures::executor::block_on(cluster).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DESTROY, "{e:?}");
    let items = topics.wait(T60).unwrap();
    assert_eq!(items.len(), 2);
    for (_, r) in items {
        assert_eq!(r.unwrap_err().code(), ErrorCode::DESTROY);
    }
}

#[test]
fn close_waits_for_results_then_fails_what_is_left() {
    let a = admin();
    let mut quick = a
        .describe_cluster(&no().request_timeout(Duration::from_millis(200)))
        .unwrap();
    let mut slow = a.describe_cluster(&no()).unwrap();
    // close waits (bounded) for outstanding requests: the quick one times
    // out inside librdkafka; the slow one is still outstanding at close's
    // own timeout and is failed.
    let e = a.close(Duration::from_secs(5)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TIMED_OUT, "{e:?}");
    assert!(e.message().contains("1 admin request"), "{e:?}");
    request_timed_out(&quick.wait(T30).unwrap().unwrap_err());
    assert_eq!(slow.wait(T30).unwrap().unwrap_err().code(), ErrorCode::DESTROY);
    assert!(a.is_closed());
    a.close(T30).unwrap(); // closing again is a no-op
}

#[test]
fn methods_after_close_return_the_closed_error() {
    let a = admin();
    a.close(T30).unwrap();
    let closed = |e: KafkaError| assert!(e.is_closed(), "{e:?}");
    closed(a.create_topics(&[NewTopic::new("t", 1, 1)], &no()).unwrap_err());
    closed(a.delete_topics(&["t"], &no()).unwrap_err());
    closed(a.describe_cluster(&no()).unwrap_err());
    closed(a.describe_topics(&["t"], &no()).unwrap_err());
    closed(a.list_consumer_groups(&[], &[], &no()).unwrap_err());
    closed(a.describe_acls(&AclBindingFilter::any(), &no()).unwrap_err());
    closed(a.list_offsets(&[(tp("t", 0), OffsetSpec::Latest)], &no()).unwrap_err());
    closed(a.elect_leaders(ElectionType::PREFERRED, None, &no()).unwrap_err());
    closed(a.describe_user_scram_credentials::<&str>(&[], &no()).unwrap_err());
    closed(a.poll(Duration::ZERO).unwrap_err());
    closed(a.list_topics(None, Duration::ZERO).unwrap_err());
    closed(a.cluster_id(Duration::ZERO).unwrap_err());
    closed(a.set_sasl_credentials("u", "p").unwrap_err());
    closed(a.name().unwrap_err());
    assert_eq!(a.len(), 0);
    // Even invalid input: the client is closed first.
    closed(a.create_topics(&[], &no()).unwrap_err());
    assert!(format!("{a:?}").contains("closed"));
}

#[test]
fn bad_configuration_is_rejected_with_the_key() {
    let mut c = Config::new();
    c.set("bootstrap.servers", UNREACHABLE).set("no.such.property", "1");
    let e = AdminClient::new(&c).unwrap_err();
    assert_eq!(e.code(), ErrorCode::INVALID_ARG);
    assert!(e.message().contains("no.such.property"), "{e:?}");
}

#[test]
fn the_client_is_send_and_sync_and_usable_from_threads() {
    let a = Arc::new(admin());
    let o = no().request_timeout(Duration::from_millis(200));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let a = a.clone();
            let o = o.clone();
            std::thread::spawn(move || a.delete_topics(&[format!("t{i}")], &o).unwrap().wait(T60).unwrap())
        })
        .collect();
    for h in handles {
        let items = h.join().unwrap();
        request_timed_out(items[0].1.as_ref().unwrap_err());
    }
}

// ---------------------------------------------------------------------------
// Callbacks: error_cb and stats through poll; oauth_cb on the background thread.
// ---------------------------------------------------------------------------

#[test]
fn poll_serves_error_callbacks() {
    let errors = Arc::new(Mutex::new(Vec::<ErrorCode>::new()));
    let e2 = errors.clone();
    let mut c = Config::new();
    c.set("bootstrap.servers", UNREACHABLE)
        .set_error_cb(move |e| e2.lock().unwrap().push(e.code()));
    let a = AdminClient::new(&c).unwrap();
    let seen = wait_for(
        T30,
        || {
            a.poll(Duration::from_millis(100)).unwrap();
        },
        || !errors.lock().unwrap().is_empty(),
    );
    assert!(seen, "no error_cb call");
    let errors = errors.lock().unwrap();
    assert!(
        errors
            .iter()
            .all(|c| *c == ErrorCode::TRANSPORT || *c == ErrorCode::ALL_BROKERS_DOWN),
        "{errors:?}"
    );
}

fn oauth_config(tx: mpsc::Sender<String>) -> Config {
    let mut c = Config::new();
    c.set("bootstrap.servers", UNREACHABLE)
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "OAUTHBEARER")
        .set("sasl.oauthbearer.config", "scope=admin-test")
        .set_oauth_cb(move |cfg| {
            let _ = tx.send(cfg.to_string());
            Ok(OAuthToken::new("token", 4_102_444_800_000, "admin"))
        });
    c
}

/// A callback that has not answered after 10 s fails the constructor with
/// Python's message — and the constructor does not then wait for the
/// callback to return (destroying the client joins the thread it runs on):
/// here the callback returns only once the constructor has.
#[test]
fn a_first_token_that_never_comes_fails_the_constructor_without_waiting_for_the_callback() {
    let (tx, rx) = mpsc::channel::<()>();
    let rx = Mutex::new(rx);
    let returned = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = returned.clone();
    let mut c = Config::new();
    c.set("bootstrap.servers", UNREACHABLE)
        .set("security.protocol", "SASL_PLAINTEXT")
        // The alias librdkafka also reads, set last: it wins.
        .set("sasl.mechanism", "PLAIN")
        .set("sasl.mechanisms", "OAUTHBEARER")
        .set_oauth_cb(move |_| {
            let _ = rx.lock().unwrap().recv_timeout(Duration::from_secs(60));
            r.store(true, std::sync::atomic::Ordering::SeqCst);
            Err("too late".into())
        });
    let marker = destruction_marker(&mut c);
    let e = Producer::new(&c).unwrap_err();
    drop(c);
    assert!(
        !returned.load(std::sync::atomic::Ordering::SeqCst),
        "the constructor waited for the callback to return"
    );
    assert_eq!(e.code(), ErrorCode::SASL_AUTHENTICATION_FAILED, "{e}");
    assert_eq!(e.message(), "OAuth token not set within 10 seconds timeout");
    // Released only now: the client is destroyed once the callback returns.
    tx.send(()).unwrap();
    assert!(
        destroyed_within(&marker, Duration::from_secs(30)),
        "the client was not destroyed"
    );
}

/// Issue 12: with an `oauth_cb` and SASL/OAUTHBEARER, every constructor
/// waits for the first token, as the Python client's do: it returns once
/// the callback has run and the token is set; the callback's error is the
/// constructor's (`SASL_AUTHENTICATION_FAILED`, with the callback's words,
/// secrets redacted); its panic comes out of the constructor. Without
/// OAUTHBEARER the callback is not called and nothing waits.
#[test]
fn constructors_wait_for_the_first_oauth_token() {
    #[derive(Clone, Copy, Debug)]
    enum First {
        Token,
        Fails,
        Panics,
    }
    fn make(kind: usize, c: &Config) -> ferrokafka::Result<()> {
        match kind {
            0 => Producer::new(c).map(drop),
            1 => {
                let mut c = c.clone();
                c.set("group.id", "g");
                Consumer::new(&c).map(drop)
            }
            _ => AdminClient::new(c).map(drop),
        }
    }
    for kind in 0..3 {
        for first in [First::Token, First::Fails, First::Panics] {
            let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let n = calls.clone();
            let mut c = Config::new();
            c.set("bootstrap.servers", UNREACHABLE)
                .set("security.protocol", "SASL_PLAINTEXT")
                .set("sasl.mechanism", "OAUTHBEARER")
                .set("sasl.password", "hunter2-secret")
                .set_oauth_cb(move |_| {
                    n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    match first {
                        First::Token => Ok(OAuthToken::new("t", 4_102_444_800_000, "p")),
                        First::Fails => Err("the token service said no to hunter2-secret".to_string()),
                        First::Panics => panic!("token service down"),
                    }
                });
            let what = format!("client {kind}, first call {first:?}");
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(kind, &c)));
            assert!(
                calls.load(std::sync::atomic::Ordering::SeqCst) >= 1,
                "{what}: returned before the callback ran"
            );
            match first {
                First::Token => r.unwrap().unwrap_or_else(|e| panic!("{what}: {e}")),
                First::Fails => {
                    let e = r.unwrap().expect_err(&what);
                    assert_eq!(e.code(), ErrorCode::SASL_AUTHENTICATION_FAILED, "{what}: {e}");
                    assert!(e.message().contains("the token service said no"), "{what}: {e}");
                    assert!(!e.message().contains("hunter2-secret"), "{what}: {e}");
                }
                First::Panics => {
                    let p = r.expect_err(&what);
                    assert_eq!(p.downcast_ref::<&str>().copied(), Some("token service down"), "{what}");
                }
            }
        }
        // Without OAUTHBEARER: not called, no wait.
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let n = calls.clone();
        let mut c = Config::new();
        c.set("bootstrap.servers", UNREACHABLE).set_oauth_cb(move |_| {
            n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err("unused".into())
        });
        make(kind, &c).unwrap();
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}

#[test]
fn oauth_cb_is_called_for_the_admin_client_without_polling() {
    let (tx, rx) = mpsc::channel();
    let a = AdminClient::new(&oauth_config(tx)).unwrap();
    // Served on librdkafka's background thread: nobody polls.
    let cfg = rx.recv_timeout(T30).expect("oauth_cb was not called");
    assert_eq!(cfg, "scope=admin-test");
    drop(a);
}

#[test]
fn a_panic_in_oauth_cb_comes_out_of_poll() {
    let (tx, rx) = mpsc::channel::<()>();
    let tx = Mutex::new(tx);
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let mut c = Config::new();
    c.set("bootstrap.servers", UNREACHABLE)
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "OAUTHBEARER")
        .set_oauth_cb(move |_| {
            // The constructor waits for the first token; the refresh panics.
            if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                return Ok(short_token("admin"));
            }
            let _ = tx.lock().unwrap().send(());
            panic!("token service unavailable")
        });
    let a = AdminClient::new(&c).unwrap();
    rx.recv_timeout(T30).expect("oauth_cb was not called again");
    let payload = std::cell::RefCell::new(None);
    let got = wait_for(
        T30,
        || {
            if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.poll(Duration::from_millis(50))))
            {
                *payload.borrow_mut() = Some(p);
            }
        },
        || payload.borrow().is_some(),
    );
    assert!(got, "the panic did not come out of poll");
    let p = payload.into_inner().unwrap();
    assert_eq!(p.downcast_ref::<&str>(), Some(&"token service unavailable"));
    // The client stays usable.
    a.poll(Duration::ZERO).unwrap();
}

// ---------------------------------------------------------------------------
// The mock cluster: no admin APIs, but ListOffsets, OffsetCommit and
// OffsetFetch are answered.
// ---------------------------------------------------------------------------

#[test]
fn against_the_mock_cluster_admin_apis_fail_with_a_typed_error() {
    let cluster = MockCluster::new(1).unwrap();
    let a = admin_for(cluster.bootstrap_servers());
    // The mock names no controller, so a request for the controller times
    // out (and the mock has no CreateTopics anyway).
    let created = a
        .create_topics(
            &[NewTopic::new("t", 1, 1)],
            &no().request_timeout(Duration::from_secs(1)),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    let e = created[0].1.as_ref().unwrap_err();
    request_timed_out(e);
    assert!(e.message().contains("controller"), "{e:?}");
    a.close(T30).unwrap();
}

#[test]
fn list_offsets_on_the_mock_cluster_agree_with_what_was_produced() {
    let topic = unique_topic("admin-mock-offsets");
    let cluster = mock_with_topic(&topic, 2);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    for i in 0..7 {
        producer
            .produce(
                Record::new(&topic)
                    .with_partition(1)
                    .with_value(format!("v{i}").as_str()),
            )
            .unwrap();
    }
    producer.flush(T30).unwrap();
    let a = admin_for(cluster.bootstrap_servers());
    let r = a
        .list_offsets(
            &[(tp(&topic, 0), OffsetSpec::Latest), (tp(&topic, 1), OffsetSpec::Latest)],
            &no().request_timeout(T30),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(r[0].0, tp(&topic, 0));
    assert_eq!(r[0].1.as_ref().unwrap().offset, 0);
    assert_eq!(r[1].1.as_ref().unwrap().offset, 7);
    let earliest = a
        .list_offsets(&[(tp(&topic, 1), OffsetSpec::Earliest)], &no())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(earliest[0].1.as_ref().unwrap().offset, 0);
}

#[test]
fn group_offsets_on_the_mock_cluster_are_altered_and_listed() {
    let topic = unique_topic("admin-mock-group");
    let cluster = mock_with_topic(&topic, 2);
    let a = admin_for(cluster.bootstrap_servers());
    let g = unique_topic("admin-mock-g");
    let altered = a
        .alter_consumer_group_offsets(
            &[group(
                &g,
                vec![
                    TopicPartition::with_offset(&topic, 0, 3),
                    TopicPartition::with_offset(&topic, 1, 5).with_metadata("note"),
                ],
            )],
            &no(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(altered[0].0, g);
    let parts = altered[0].1.as_ref().expect("alter offsets");
    assert_eq!(parts.len(), 2);
    assert!(parts.iter().all(|tp| tp.error.is_none()), "{parts:?}");

    // (The mock does not answer an OffsetFetch for all partitions: name them.)
    let listed = a
        .list_consumer_group_offsets(&[group(&g, vec![tp(&topic, 0), tp(&topic, 1)])], &no())
        .unwrap()
        .wait(T60)
        .unwrap();
    let mut parts = listed[0].1.clone().expect("list offsets");
    parts.sort_by_key(|tp| tp.partition);
    assert_eq!(
        parts.iter().map(|tp| (tp.partition, tp.offset)).collect::<Vec<_>>(),
        [(0, 3), (1, 5)]
    );
    assert_eq!(parts[1].metadata.as_deref(), Some(b"note".as_slice()));
}

/// The mock has no DescribeGroups/DeleteGroups: librdkafka cannot send these
/// group-coordinator requests, which takes its defective failure path
/// (librdkafka #3663, see `AdminClient`). The requests fail with a typed
/// error, and dropping the client does not abort the process.
#[test]
fn group_requests_the_mock_lacks_fail_with_a_typed_error_without_abort() {
    let cluster = MockCluster::new(1).unwrap();
    let a = admin_for(cluster.bootstrap_servers());
    let described = a.describe_consumer_groups(&["g"], &no()).unwrap().wait(T60).unwrap();
    let e = described[0].1.as_ref().unwrap_err();
    assert_eq!(e.code(), ErrorCode::UNSUPPORTED_FEATURE, "{e:?}");
    let deleted = a.delete_consumer_groups(&["g"], &no()).unwrap().wait(T60).unwrap();
    let e = deleted[0].1.as_ref().unwrap_err();
    assert_eq!(e.code(), ErrorCode::UNSUPPORTED_FEATURE, "{e:?}");
    // The client keeps working; closing it reports the leak.
    let offsets = a
        .list_offsets(&[(tp("t", 0), OffsetSpec::Latest)], &no().request_timeout(T30))
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(offsets.len(), 1);
    let e = a.close(T30).unwrap_err();
    assert_eq!(e.code(), ErrorCode::FAIL, "{e:?}");
    assert!(e.message().contains("#3663"), "{e:?}");
}

#[test]
fn dropping_a_client_librdkafka_corrupted_does_not_abort() {
    let cluster = MockCluster::new(1).unwrap();
    let a = admin_for(cluster.bootstrap_servers());
    let deleted = a.delete_consumer_groups(&["g"], &no()).unwrap().wait(T60).unwrap();
    assert_eq!(
        deleted[0].1.as_ref().unwrap_err().code(),
        ErrorCode::UNSUPPORTED_FEATURE
    );
    drop(a);
}
