//! AdminClient against a real broker (Tansu in CI; any Kafka with
//! KAFKA_BOOTSTRAP_SERVERS). librdkafka's mock cluster has no admin APIs.
//!
//! Where Tansu 0.6 differs from Apache Kafka (FERROKAFKA_BROKER=tansu), the
//! assertion is relaxed and the difference named:
//! * no CreatePartitions, DeleteRecords, ElectLeaders, DeleteAcls: they
//!   must fail with a typed error, never hang or panic;
//! * CreateAcls is answered with an empty body, which librdkafka 2.12.1's
//!   parser turns into a process abort (a librdkafka bug), so it is not sent;
//! * ListOffsets ignores MaxTimestamp and timestamps (log-append time);
//! * `validate_only` creates the topic anyway.

mod common;

use common::*;
use ferrokafka::admin::*;
use ferrokafka::{
    AdminClient, AdminOptions, Config, ErrorCode, KafkaError, Producer, Record, TopicPartition, OFFSET_INVALID,
};
use std::collections::BTreeMap;
use std::time::Duration;

const T30: Duration = Duration::from_secs(30);
const T60: Duration = Duration::from_secs(60);

fn is_tansu() -> bool {
    std::env::var("FERROKAFKA_BROKER").as_deref() == Ok("tansu")
}

fn admin(bootstrap: &str) -> AdminClient {
    let mut c = Config::new();
    c.set("bootstrap.servers", bootstrap);
    AdminClient::new(&c).expect("admin client")
}

fn opts() -> AdminOptions {
    AdminOptions::new().request_timeout(T30)
}

fn create_topic(admin: &AdminClient, topic: &str, partitions: i32) {
    let results = admin
        .create_topics(&[NewTopic::new(topic, partitions, 1)], &opts().operation_timeout(T30))
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].0, topic);
    results[0].1.as_ref().expect("create topic");
    wait_for_partitions(admin, topic, partitions);
}

/// Waits until metadata shows `topic` with `partitions` partitions; each
/// check is a metadata round trip to the broker.
fn wait_for_partitions(admin: &AdminClient, topic: &str, partitions: i32) {
    let visible = wait_for(
        T30,
        || {},
        || {
            admin
                .list_topics(Some(topic), Duration::from_secs(5))
                .map(|md| {
                    md.topics
                        .get(topic)
                        .is_some_and(|t| t.error.is_none() && t.partitions.len() == partitions as usize)
                })
                .unwrap_or(false)
        },
    );
    assert!(visible, "topic {topic} did not appear with {partitions} partitions");
}

fn delete_topic(admin: &AdminClient, topic: &str) {
    let r = admin.delete_topics(&[topic], &opts()).unwrap().wait(T60).unwrap();
    r[0].1.as_ref().expect("delete topic");
}

/// Produces one message per call, each flushed on its own (so each is its
/// own batch); returns the offsets.
fn produce(bootstrap: &str, topic: &str, partition: i32, count: usize, base_ts: i64) -> Vec<i64> {
    let mut c = Config::new();
    c.set("bootstrap.servers", bootstrap);
    let producer = Producer::new(&c).unwrap();
    let offsets = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    for i in 0..count {
        let o = offsets.clone();
        let value = format!("m{i}");
        producer
            .produce(
                Record::new(topic)
                    .with_partition(partition)
                    .with_value(&value)
                    .with_timestamp(base_ts + i as i64 * 1000)
                    .with_on_delivery(move |r| {
                        assert!(r.is_ok(), "{:?}", r.error());
                        o.lock().unwrap().push(r.offset().unwrap());
                    }),
            )
            .unwrap();
        producer.flush(T30).unwrap();
    }
    producer.close(T30).unwrap();
    let v = offsets.lock().unwrap().clone();
    v
}

#[test]
fn create_describe_list_and_delete_topics_with_per_item_results() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-topic");
    let other = unique_topic("admin-topic");

    let created = admin
        .create_topics(
            &[NewTopic::new(&topic, 3, 1).with_config("retention.ms", "3600000")],
            &opts().operation_timeout(T30),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].0, topic);
    assert!(created[0].1.is_ok(), "{created:?}");
    wait_for_partitions(&admin, &topic, 3);

    // One failed item does not hide the other: the existing topic fails, the
    // new one is created.
    let again = admin
        .create_topics(&[NewTopic::new(&topic, 3, 1), NewTopic::new(&other, 2, 1)], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(again[0].0, topic);
    assert_eq!(
        again[0].1.as_ref().unwrap_err().code(),
        ErrorCode::TOPIC_ALREADY_EXISTS,
        "{again:?}"
    );
    assert_eq!(again[1].0, other);
    assert!(again[1].1.is_ok(), "{again:?}");
    wait_for_partitions(&admin, &other, 2);

    let md = admin.list_topics(None, T30).unwrap();
    assert_eq!(md.topics[&topic].partitions.len(), 3);
    assert_eq!(md.topics[&other].partitions.len(), 2);

    let described = admin
        .describe_topics(&[topic.as_str(), other.as_str(), "admin-no-such-topic"], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(
        described.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        [topic.as_str(), other.as_str(), "admin-no-such-topic"]
    );
    let d = described[0].1.as_ref().expect("describe topic");
    assert_eq!(d.name, topic);
    assert!(!d.is_internal);
    assert!(!d.topic_id.is_zero());
    assert_eq!(d.partitions.iter().map(|p| p.id).collect::<Vec<_>>(), [0, 1, 2]);
    let brokers: Vec<i32> = md.brokers.keys().copied().collect();
    for p in &d.partitions {
        let leader = p.leader.as_ref().expect("leader");
        assert!(brokers.contains(&leader.id), "{leader:?} not in {brokers:?}");
        assert_eq!(p.replicas.len(), 1);
        assert!(!p.isr.is_empty());
    }
    assert_eq!(described[1].1.as_ref().unwrap().partitions.len(), 2);
    assert_eq!(
        described[2].1.as_ref().unwrap_err().code(),
        ErrorCode::UNKNOWN_TOPIC_OR_PART
    );

    let deleted = admin
        .delete_topics(&[topic.as_str(), other.as_str(), "admin-no-such-topic"], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert!(deleted[0].1.is_ok(), "{deleted:?}");
    assert!(deleted[1].1.is_ok(), "{deleted:?}");
    assert_eq!(
        deleted[2].1.as_ref().unwrap_err().code(),
        ErrorCode::UNKNOWN_TOPIC_OR_PART
    );
    let gone = wait_for(
        T30,
        || {},
        || {
            let r = admin.describe_topics(&[&topic], &opts()).unwrap().wait(T60).unwrap();
            matches!(&r[0].1, Err(e) if e.code() == ErrorCode::UNKNOWN_TOPIC_OR_PART)
        },
    );
    assert!(gone, "topic {topic} still described after deletion");
    admin.close(T30).unwrap();
}

#[test]
fn incremental_config_change_is_read_back() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-config");
    create_topic(&admin, &topic, 1);

    let altered = admin
        .incremental_alter_configs(
            &[ConfigResource::topic(&topic)
                .incremental(AlterConfigOp::set("retention.ms", "1234567"))
                .incremental(AlterConfigOp::set("cleanup.policy", "compact"))],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(altered.len(), 1);
    assert_eq!(altered[0].0.name, topic);
    assert!(altered[0].1.is_ok(), "{altered:?}");

    let described = admin
        .describe_configs(&[ConfigResource::topic(&topic)], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    let entries: &BTreeMap<String, ConfigEntry> = described[0].1.as_ref().expect("describe configs");
    let retention = &entries["retention.ms"];
    assert_eq!(retention.value.as_deref(), Some("1234567"));
    assert_eq!(retention.name, "retention.ms");
    assert!(!retention.is_sensitive);
    assert!(!retention.is_read_only);
    assert_eq!(entries["cleanup.policy"].value.as_deref(), Some("compact"));
    if !is_tansu() {
        // Tansu reports every entry with source DEFAULT_CONFIG.
        assert_eq!(retention.source, ConfigSource::DYNAMIC_TOPIC_CONFIG);
        assert!(!retention.is_default);
    }

    // A broker's configuration, and a resource that does not exist, in one
    // request: per-item results.
    let md = admin.list_topics(None, T30).unwrap();
    let broker = *md.brokers.keys().next().unwrap();
    let both = admin
        .describe_configs(
            &[ConfigResource::broker(broker), ConfigResource::topic(&topic)],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(both[0].0, ConfigResource::broker(broker));
    assert!(both[0].1.is_ok(), "{both:?}");
    assert_eq!(
        both[1].1.as_ref().unwrap()["retention.ms"].value.as_deref(),
        Some("1234567")
    );

    delete_topic(&admin, &topic);
}

#[test]
fn describe_cluster_agrees_with_metadata() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let cluster = admin
        .describe_cluster(&opts())
        .unwrap()
        .wait(T60)
        .unwrap()
        .expect("describe cluster");
    let md = admin.list_topics(None, T30).unwrap();
    let mut node_ids: Vec<i32> = cluster.nodes.iter().map(|n| n.id).collect();
    node_ids.sort();
    assert_eq!(node_ids, md.brokers.keys().copied().collect::<Vec<_>>());
    for n in &cluster.nodes {
        let b = &md.brokers[&n.id];
        assert_eq!((n.host.as_str(), n.port), (b.host.as_str(), b.port));
    }
    let controller = cluster.controller.expect("controller");
    assert!(node_ids.contains(&controller.id));
    assert!(cluster.cluster_id.is_some());
    assert_eq!(cluster.cluster_id, admin.cluster_id(T30).unwrap());
    assert!(cluster.authorized_operations.is_none(), "not requested");
}

#[test]
fn list_offsets_agree_with_what_was_produced() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-offsets");
    create_topic(&admin, &topic, 2);
    let base_ts = 1_700_000_000_000;
    let offsets = produce(&bootstrap, &topic, 0, 5, base_ts);
    assert_eq!(offsets, [0, 1, 2, 3, 4]);

    let p0 = TopicPartition::new(&topic, 0);
    let p1 = TopicPartition::new(&topic, 1);
    let list = |spec: OffsetSpec, o: AdminOptions| {
        admin
            .list_offsets(&[(p0.clone(), spec), (p1.clone(), spec)], &o)
            .unwrap()
            .wait(T60)
            .unwrap()
    };
    let earliest = list(OffsetSpec::earliest(), opts());
    assert_eq!(earliest[0].0, p0);
    assert_eq!(earliest[1].0, p1);
    assert_eq!(earliest[0].1.as_ref().unwrap().offset, 0);
    assert_eq!(earliest[1].1.as_ref().unwrap().offset, 0);

    let latest = list(OffsetSpec::latest(), opts());
    assert_eq!(latest[0].1.as_ref().unwrap().offset, 5);
    assert_eq!(latest[1].1.as_ref().unwrap().offset, 0);

    // No transactions: the last stable offset is the high watermark.
    let stable = list(
        OffsetSpec::latest(),
        opts().isolation_level(IsolationLevel::READ_COMMITTED),
    );
    assert_eq!(stable[0].1.as_ref().unwrap().offset, 5);

    let max_ts = list(OffsetSpec::max_timestamp(), opts());
    let at_ts = list(OffsetSpec::for_timestamp(base_ts + 2000), opts());
    if is_tansu() {
        // Tansu ignores MaxTimestamp and producer timestamps; the answers
        // are still per-partition results, not errors.
        assert!(max_ts.iter().all(|(_, r)| r.is_ok()), "{max_ts:?}");
        assert!(at_ts.iter().all(|(_, r)| r.is_ok()), "{at_ts:?}");
    } else {
        let m = max_ts[0].1.as_ref().unwrap();
        assert_eq!((m.offset, m.timestamp), (4, base_ts + 4000));
        let t = at_ts[0].1.as_ref().unwrap();
        assert_eq!((t.offset, t.timestamp), (2, base_ts + 2000));
        assert_eq!(
            at_ts[1].1.as_ref().unwrap().offset,
            -1,
            "empty partition: no such offset"
        );
    }

    // A partition that does not exist fails on its own.
    let mixed = admin
        .list_offsets(
            &[
                (p0.clone(), OffsetSpec::Latest),
                (TopicPartition::new("admin-no-such-topic", 0), OffsetSpec::Latest),
            ],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(mixed[0].1.as_ref().unwrap().offset, 5);
    assert!(mixed[1].1.is_err(), "{mixed:?}");
    delete_topic(&admin, &topic);
}

/// A consumer group with a live member and committed offsets, made with
/// rust-rdkafka (an independent wrapper of librdkafka's consumer).
fn join_and_commit(bootstrap: &str, topic: &str, group: &str, expect: usize) -> rdkafka::consumer::BaseConsumer {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("client.id", "admin-test-member")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "6000")
        .create()
        .expect("consumer");
    consumer.subscribe(&[topic]).unwrap();
    let read = std::cell::Cell::new(0);
    let done = wait_for(
        T60,
        || {
            if let Some(m) = consumer.poll(Duration::from_millis(200)) {
                m.expect("consume");
                read.set(read.get() + 1);
            }
        },
        || read.get() >= expect,
    );
    let read = read.get();
    assert!(done, "consumed {read} of {expect}");
    consumer.commit_consumer_state(CommitMode::Sync).expect("commit");
    consumer
}

fn offsets_of(admin: &AdminClient, group: &str) -> BTreeMap<(String, i32), i64> {
    let r = admin
        .list_consumer_group_offsets(&[ConsumerGroupTopicPartitions::new(group)], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, group);
    r[0].1
        .as_ref()
        .expect("list group offsets")
        .iter()
        .map(|tp| {
            assert!(tp.error.is_none(), "{tp:?}");
            ((tp.topic.clone(), tp.partition), tp.offset)
        })
        .collect()
}

#[test]
fn consumer_group_members_and_offsets_are_described_altered_and_deleted() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-group");
    let group = unique_topic("admin-group-g");
    create_topic(&admin, &topic, 2);
    produce(&bootstrap, &topic, 0, 3, 1_700_000_000_000);
    produce(&bootstrap, &topic, 1, 2, 1_700_000_000_000);

    let consumer = join_and_commit(&bootstrap, &topic, &group, 5);

    // The live group: one member with both partitions.
    let described = admin
        .describe_consumer_groups(&[group.as_str(), "admin-no-such-group"], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(described[0].0, group);
    let d = described[0].1.as_ref().expect("describe group");
    assert_eq!(d.group_id, group);
    assert_eq!(d.state, ConsumerGroupState::STABLE, "{d:?}");
    assert!(!d.is_simple_consumer_group);
    assert!(d.coordinator.is_some());
    if is_tansu() {
        // librdkafka 2.12.1 asks with ConsumerGroupDescribe (KIP-848) first.
        // Kafka answers GROUP_ID_NOT_FOUND for a classic group, so librdkafka
        // falls back to DescribeGroups; Tansu answers it with no members (and
        // a member id as the assignor), so members cannot be checked there.
        assert!(
            d.members.is_empty(),
            "Tansu now reports members: tighten this test: {d:?}"
        );
    } else {
        // Brokers without KIP-848 report no type.
        assert!(
            [ConsumerGroupType::CLASSIC, ConsumerGroupType::UNKNOWN].contains(&d.group_type),
            "{d:?}"
        );
        assert_eq!(d.partition_assignor, "range");
        assert_eq!(d.members.len(), 1, "{d:?}");
        let m = &d.members[0];
        assert_eq!(m.client_id, "admin-test-member");
        assert!(!m.member_id.is_empty());
        let mut assigned: Vec<(String, i32)> = m.assignment.iter().map(|tp| (tp.topic.clone(), tp.partition)).collect();
        assigned.sort();
        assert_eq!(assigned, [(topic.clone(), 0), (topic.clone(), 1)]);
        assert_eq!(
            described[1]
                .1
                .as_ref()
                .map(|d| d.state)
                .unwrap_or(ConsumerGroupState::DEAD),
            ConsumerGroupState::DEAD
        );
    }
    assert_eq!(described[1].0, "admin-no-such-group");

    let listed = admin
        .list_consumer_groups(&[], &[], &opts())
        .unwrap()
        .wait(T60)
        .unwrap()
        .expect("list groups");
    let ours = listed
        .valid
        .iter()
        .find(|g| g.group_id == group)
        .unwrap_or_else(|| panic!("{group} not in {listed:?}"));
    assert!(!ours.is_simple_consumer_group);

    // The committed offsets: what the consumer read.
    let committed = offsets_of(&admin, &group);
    assert_eq!(committed[&(topic.clone(), 0)], 3);
    assert_eq!(committed[&(topic.clone(), 1)], 2);
    let only_p1 = admin
        .list_consumer_group_offsets(
            &[ConsumerGroupTopicPartitions::with_partitions(
                &group,
                vec![TopicPartition::new(&topic, 1)],
            )],
            &opts().require_stable_offsets(true),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    let parts = only_p1[0].1.as_ref().unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!((parts[0].partition, parts[0].offset), (1, 2));

    // Leave the group, then change and delete its offsets.
    drop(consumer);
    let altered = admin
        .alter_consumer_group_offsets(
            &[ConsumerGroupTopicPartitions::with_partitions(
                &group,
                vec![TopicPartition::with_offset(&topic, 0, 1)],
            )],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    let parts = altered[0].1.as_ref().expect("alter group offsets");
    assert!(parts.iter().all(|tp| tp.error.is_none()), "{parts:?}");
    assert_eq!(offsets_of(&admin, &group)[&(topic.clone(), 0)], 1);

    if !is_tansu() {
        // Tansu lacks OffsetDelete: see the test below.
        let deleted = admin
            .delete_consumer_group_offsets(
                &[ConsumerGroupTopicPartitions::with_partitions(
                    &group,
                    vec![TopicPartition::new(&topic, 1)],
                )],
                &opts(),
            )
            .unwrap()
            .wait(T60)
            .unwrap();
        let parts = deleted[0].1.as_ref().expect("delete group offsets");
        assert!(parts.iter().all(|tp| tp.error.is_none()), "{parts:?}");
        let after = offsets_of(&admin, &group);
        assert_eq!(after[&(topic.clone(), 0)], 1);
        assert_eq!(
            after.get(&(topic.clone(), 1)).copied().unwrap_or(OFFSET_INVALID),
            OFFSET_INVALID
        );
    }

    let gone = admin
        .delete_consumer_groups(&[group.as_str()], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(gone[0].0, group);
    assert!(gone[0].1.is_ok(), "{gone:?}");
    let listed = admin
        .list_consumer_groups(&[], &[], &opts())
        .unwrap()
        .wait(T60)
        .unwrap()
        .expect("list groups");
    assert!(!listed.valid.iter().any(|g| g.group_id == group), "{listed:?}");
    delete_topic(&admin, &topic);
}

#[test]
fn describe_acls_returns_what_the_broker_holds() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-acl");
    let binding = AclBinding::new(
        ResourceType::TOPIC,
        &topic,
        ResourcePatternType::LITERAL,
        "User:admin-test",
        "*",
        AclOperation::READ,
        AclPermissionType::ALLOW,
    );
    let filter = AclBindingFilter::new(
        ResourceType::TOPIC,
        Some(&topic),
        ResourcePatternType::ANY,
        None,
        None,
        AclOperation::ANY,
        AclPermissionType::ANY,
    );
    if is_tansu() {
        // Tansu holds no ACLs (and CreateAcls would abort librdkafka, see
        // the top of this file); DeleteAcls is not supported: a typed error.
        let all = admin
            .describe_acls(&AclBindingFilter::any(), &opts())
            .unwrap()
            .wait(T60)
            .unwrap();
        assert_eq!(all.expect("describe acls"), []);
        let del = admin
            .delete_acls(std::slice::from_ref(&filter), &opts())
            .unwrap()
            .wait(T60)
            .unwrap();
        assert_eq!(del[0].0, filter);
        assert_eq!(del[0].1.as_ref().unwrap_err().code(), ErrorCode::UNSUPPORTED_FEATURE);
        return;
    }
    let created = admin
        .create_acls(std::slice::from_ref(&binding), &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    match &created[0].1 {
        Err(e) if e.code() == ErrorCode::SECURITY_DISABLED => return, // no authorizer
        r => assert!(r.is_ok(), "{created:?}"),
    }
    let found = wait_for(
        T30,
        || {},
        || {
            admin
                .describe_acls(&filter, &opts())
                .unwrap()
                .wait(T60)
                .unwrap()
                .unwrap()
                == [binding.clone()]
        },
    );
    assert!(found);
    let deleted = admin
        .delete_acls(std::slice::from_ref(&filter), &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(deleted[0].1.as_ref().unwrap(), &[binding]);
}

#[test]
fn scram_credentials_are_upserted_described_and_deleted() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let user = unique_topic("admin-user");
    let up = admin
        .alter_user_scram_credentials(
            &[UserScramCredentialAlteration::upsertion(
                &user,
                ScramMechanism::SCRAM_SHA_256,
                8192,
                b"pa55word".to_vec(),
            )],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(up[0].0, user);
    if let Err(e) = &up[0].1 {
        // A broker without SCRAM support answers with a typed error.
        assert!(e.code() != ErrorCode::NO_ERROR);
        return;
    }
    let described = admin
        .describe_user_scram_credentials(&[user.as_str()], &opts())
        .unwrap()
        .wait(T60)
        .unwrap()
        .expect("describe scram");
    assert_eq!(described.len(), 1);
    assert_eq!(described[0].0, user);
    if is_tansu() {
        // Tansu acknowledges the upsertion but stores nothing: its answer has
        // no entry for the user, which is that user's (typed) error.
        let e = described[0].1.as_ref().unwrap_err();
        assert_eq!(e.code(), ErrorCode::INCONSISTENT, "{e:?}");
        return;
    }
    let d = described[0].1.as_ref().expect("user described");
    assert_eq!(d.user, user);
    assert_eq!(
        d.scram_credential_infos,
        [ScramCredentialInfo::new(ScramMechanism::SCRAM_SHA_256, 8192)]
    );
    let del = admin
        .alter_user_scram_credentials(
            &[UserScramCredentialAlteration::deletion(
                &user,
                ScramMechanism::SCRAM_SHA_256,
            )],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert!(del[0].1.is_ok(), "{del:?}");
    let after = admin
        .describe_user_scram_credentials(&[user.as_str()], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    match after {
        Ok(items) => match &items[0].1 {
            Ok(d) => assert!(d.scram_credential_infos.is_empty(), "{d:?}"),
            Err(e) => assert_eq!(e.code(), ErrorCode::RESOURCE_NOT_FOUND),
        },
        Err(e) => assert_eq!(e.code(), ErrorCode::RESOURCE_NOT_FOUND),
    }
}

/// librdkafka 2.12.1 mishandles a group-coordinator request it cannot send
/// (the broker lacks the API): it releases queue references twice
/// (librdkafka #3663), and destroying the client then aborts the process.
/// The AdminClient reports the typed error, and on close leaks the client
/// instead of aborting.
#[test]
fn group_offset_deletion_the_broker_lacks_is_a_typed_error_without_abort() {
    let Some(bootstrap) = real_broker() else { return };
    if !is_tansu() {
        return; // Kafka >= 2.4 supports OffsetDelete.
    }
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-offdel");
    create_topic(&admin, &topic, 1);
    let group = unique_topic("admin-offdel-g");
    let deleted = admin
        .delete_consumer_group_offsets(
            &[ConsumerGroupTopicPartitions::with_partitions(
                &group,
                vec![TopicPartition::new(&topic, 0)],
            )],
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(deleted[0].0, group);
    let e = deleted[0].1.as_ref().unwrap_err();
    assert_eq!(e.code(), ErrorCode::UNSUPPORTED_FEATURE, "{e:?}");
    // The client still works, and closing it does not abort the process.
    delete_topic(&admin, &topic);
    let closed = admin.close(T30).unwrap_err();
    assert_eq!(closed.code(), ErrorCode::FAIL, "{closed:?}");
    assert!(admin.is_closed());
}

fn typed_error(e: &KafkaError) {
    assert!(
        e.code() != ErrorCode::NO_ERROR && e.code() != ErrorCode::DESTROY,
        "{e:?}"
    );
    assert!(!e.message().is_empty());
}

#[test]
fn operations_the_broker_lacks_fail_with_a_typed_error() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = admin(&bootstrap);
    let topic = unique_topic("admin-unsupported");
    create_topic(&admin, &topic, 1);

    let grown = admin
        .create_partitions(&[NewPartitions::new(&topic, 3)], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(grown[0].0, topic);
    let deleted = admin
        .delete_records(&[TopicPartition::with_offset(&topic, 0, 0)], &opts())
        .unwrap()
        .wait(T60)
        .unwrap();
    assert_eq!(deleted[0].0, TopicPartition::with_offset(&topic, 0, 0));
    let elected = admin
        .elect_leaders(
            ElectionType::PREFERRED,
            Some(&[TopicPartition::new(&topic, 0)]),
            &opts(),
        )
        .unwrap()
        .wait(T60)
        .unwrap();
    if is_tansu() {
        let e = grown[0].1.as_ref().unwrap_err();
        assert_eq!(e.code(), ErrorCode::UNSUPPORTED_FEATURE, "{e:?}");
        assert!(!e.is_fatal());
        typed_error(deleted[0].1.as_ref().unwrap_err());
        assert_eq!(elected.unwrap_err().code(), ErrorCode::UNSUPPORTED_FEATURE);
    } else {
        assert!(grown[0].1.is_ok(), "{grown:?}");
        assert_eq!(deleted[0].1.as_ref().unwrap().low_watermark, 0);
        // A single-replica partition already has its preferred leader.
        match elected {
            Ok(items) => {
                if let Err(e) = &items[0].1 {
                    assert_eq!(e.code(), ErrorCode::ELECTION_NOT_NEEDED);
                }
            }
            Err(e) => typed_error(&e),
        }
    }
    delete_topic(&admin, &topic);
}

#[test]
fn futures_complete_under_tokio_and_block_on() {
    let Some(bootstrap) = real_broker() else { return };
    let admin = std::sync::Arc::new(admin(&bootstrap));
    let topic = unique_topic("admin-async");

    let created = futures::executor::block_on(admin.create_topics(&[NewTopic::new(&topic, 1, 1)], &opts()).unwrap());
    assert!(created[0].1.is_ok(), "{created:?}");
    wait_for_partitions(&admin, &topic, 1);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let a = admin.clone();
    let t = topic.clone();
    let (cluster, described) = rt.block_on(async move {
        // Spawned tasks: the futures are Send and complete from librdkafka's
        // background thread, whatever the runtime does.
        let cluster = tokio::spawn(a.describe_cluster(&opts()).unwrap());
        let described = tokio::spawn(a.describe_topics(&[t.as_str()], &opts()).unwrap());
        (cluster.await.unwrap(), described.await.unwrap())
    });
    assert!(!cluster.expect("describe cluster").nodes.is_empty());
    assert_eq!(described[0].1.as_ref().unwrap().partitions.len(), 1);

    let current = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let deleted = current.block_on(admin.delete_topics(&[&topic], &opts()).unwrap());
    assert!(deleted[0].1.is_ok(), "{deleted:?}");
}

#[test]
fn poll_serves_statistics_from_the_admin_client() {
    let Some(bootstrap) = real_broker() else { return };
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let s = seen.clone();
    let mut c = Config::new();
    c.set("bootstrap.servers", &bootstrap)
        .set("statistics.interval.ms", 100)
        .set_stats_cb(move |json| s.lock().unwrap().push(json.to_string()));
    let admin = AdminClient::new(&c).unwrap();
    admin.describe_cluster(&opts()).unwrap().wait(T60).unwrap().unwrap();
    assert!(wait_for(
        T30,
        || {
            admin.poll(Duration::from_millis(200)).unwrap();
        },
        || !seen.lock().unwrap().is_empty()
    ));
    let json: serde_json::Value = serde_json::from_str(&seen.lock().unwrap()[0]).unwrap();
    assert_eq!(json["name"].as_str(), Some(admin.name().unwrap().as_str()));
}
