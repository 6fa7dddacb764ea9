//! Consumer behaviour against librdkafka's mock cluster.

mod common;

use common::*;
use ferrokafka::{
    ApiKey, Commit, Config, Consumer, ErrorCode, Message, MockCluster, Producer, RebalanceCallbacks, RebalanceProtocol,
    Record, Timestamp, TopicPartition, OFFSET_BEGINNING, OFFSET_INVALID,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const T10: Duration = Duration::from_secs(10);
const T30: Duration = Duration::from_secs(30);
const T60: Duration = Duration::from_secs(60);

fn cluster(topic: &str, partitions: i32) -> MockCluster {
    let c = mock_with_topic(topic, partitions);
    c.set_group_initial_rebalance_delay(Duration::from_millis(50));
    c
}

/// Produces `n` messages with values "0".."n-1" (key = value), with a header
/// and a timestamp, round-robin over the partitions.
fn produce(cluster: &MockCluster, topic: &str, partitions: i32, range: std::ops::Range<usize>) {
    let producer = Producer::new(&config_for(cluster)).unwrap();
    for i in range {
        let v = i.to_string();
        producer
            .produce(
                Record::new(topic)
                    .with_key(&v)
                    .with_value(&v)
                    .with_partition((i % partitions as usize) as i32)
                    .with_timestamp(1_600_000_000_000 + i as i64)
                    .with_header("i", v.as_bytes()),
            )
            .unwrap();
    }
    producer.flush(T30).unwrap();
}

fn group_config(cluster: &MockCluster, group: &str) -> Config {
    let mut c = config_for(cluster);
    c.set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", 6000)
        .set("heartbeat.interval.ms", 500);
    c
}

fn value_id(m: &Message) -> usize {
    std::str::from_utf8(m.value().unwrap()).unwrap().parse().unwrap()
}

/// Polls until `n` messages arrived (or the limit passes).
fn poll_n(consumer: &Consumer, n: usize, limit: Duration) -> Vec<Message> {
    let mut out = Vec::new();
    let end = Instant::now() + limit;
    while out.len() < n && Instant::now() < end {
        if let Some(m) = consumer.poll(Duration::from_millis(200)).unwrap() {
            out.push(m);
        }
    }
    out
}

fn tps(topic: &str, partitions: i32) -> Vec<TopicPartition> {
    (0..partitions).map(|p| TopicPartition::new(topic, p)).collect()
}

#[test]
fn subscribe_poll_commit_and_committed() {
    let topic = unique_topic("c-basic");
    let c = cluster(&topic, 3);
    produce(&c, &topic, 3, 0..90);
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    assert_eq!(consumer.subscription().unwrap(), vec![topic.clone()]);
    let msgs = poll_n(&consumer, 90, T30);
    assert_eq!(msgs.len(), 90);
    let mut ids: Vec<usize> = msgs.iter().map(value_id).collect();
    ids.sort();
    assert_eq!(ids, (0..90).collect::<Vec<_>>());
    for m in &msgs {
        let id = value_id(m);
        assert_eq!(m.topic(), topic);
        assert_eq!(m.partition(), (id % 3) as i32);
        assert_eq!(m.key(), m.value());
        assert_eq!(m.timestamp(), Timestamp::CreateTime(1_600_000_000_000 + id as i64));
        let h = m.headers().unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h.get(0).unwrap().name(), Some("i"));
        assert_eq!(h.get(0).unwrap().value(), m.value());
    }
    assert_eq!(consumer.rebalance_protocol().unwrap(), RebalanceProtocol::EAGER);
    assert!(consumer.member_id().unwrap().is_some());
    assert_eq!(consumer.assignment().unwrap().len(), 3);

    let results = consumer.commit_sync(Commit::Current).unwrap();
    assert_eq!(results.len(), 3);
    assert!(
        results.iter().all(|tp| tp.error.is_none() && tp.offset == 30),
        "{results:?}"
    );
    let committed = consumer.committed(&tps(&topic, 3), T10).unwrap();
    assert!(committed.iter().all(|tp| tp.offset == 30), "{committed:?}");
    let pos = consumer.position(&tps(&topic, 3)).unwrap();
    assert!(pos.iter().all(|tp| tp.offset == 30), "{pos:?}");
    // Nothing new to commit.
    let e = consumer.commit_sync(Commit::Current).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NO_OFFSET, "{e}");
    consumer.close(T10).unwrap();
}

#[test]
fn consume_batches_respect_bounds() {
    let topic = unique_topic("c-batch");
    let c = cluster(&topic, 2);
    produce(&c, &topic, 2, 0..500);
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    let e = consumer.consume(1_000_001, Duration::ZERO).unwrap_err();
    assert_eq!(e.code(), ErrorCode::INVALID_ARG);
    assert!(
        e.message().contains("num_messages must be between 0 and 1000000 (1M)"),
        "{e}"
    );
    assert!(consumer.consume(0, Duration::ZERO).unwrap().is_empty());
    consumer
        .assign(&[
            TopicPartition::with_offset(&topic, 0, 0),
            TopicPartition::with_offset(&topic, 1, 0),
        ])
        .unwrap();
    let mut got = Vec::new();
    let end = Instant::now() + T30;
    while got.len() < 500 && Instant::now() < end {
        let batch = consumer.consume(64, Duration::from_millis(500)).unwrap();
        assert!(batch.len() <= 64);
        got.extend(batch);
    }
    let ids: HashSet<usize> = got.iter().map(value_id).collect();
    assert_eq!(ids.len(), 500);
    assert!(
        consumer.consume(10, Duration::from_millis(100)).unwrap().is_empty(),
        "nothing more"
    );
}

#[test]
fn partition_eof_carries_topic_partition_and_offset() {
    let topic = unique_topic("c-eof");
    let c = cluster(&topic, 2);
    produce(&c, &topic, 2, 0..10);
    let mut config = group_config(&c, &unique_topic("g"));
    config.set("enable.partition.eof", true);
    let consumer = Consumer::new(&config).unwrap();
    consumer
        .assign(&[
            TopicPartition::with_offset(&topic, 0, 0),
            TopicPartition::with_offset(&topic, 1, 0),
        ])
        .unwrap();
    let mut eofs = BTreeMap::new();
    let mut n = 0;
    let end = Instant::now() + T30;
    while eofs.len() < 2 && Instant::now() < end {
        match consumer.poll(Duration::from_millis(200)) {
            Ok(Some(_)) => n += 1,
            Ok(None) => {}
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::PARTITION_EOF, "{e}");
                let tp = e.topic_partition().expect("EOF names its partition").clone();
                assert_eq!(tp.topic, topic);
                eofs.insert(tp.partition, tp.offset);
            }
        }
    }
    assert_eq!(n, 10);
    assert_eq!(eofs, BTreeMap::from([(0, 5), (1, 5)]));
    // The same through consume(): a batch stops at the error.
    consumer
        .seek_partitions(&[TopicPartition::with_offset(&topic, 0, 3)], T10)
        .unwrap();
    let mut saw_eof = false;
    let mut after_seek = Vec::new();
    let end = Instant::now() + T30;
    while !saw_eof && Instant::now() < end {
        match consumer.consume(100, Duration::from_millis(200)) {
            Ok(b) => after_seek.extend(b.iter().map(value_id)),
            Err(e) => saw_eof = e.code() == ErrorCode::PARTITION_EOF,
        }
    }
    assert!(saw_eof);
    assert_eq!(after_seek, vec![6, 8], "offsets 3 and 4 of partition 0");
}

#[test]
fn assign_and_incremental_assign_errors() {
    let topic = unique_topic("c-assign");
    let c = cluster(&topic, 3);
    produce(&c, &topic, 3, 0..30);
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    consumer
        .incremental_assign(&[TopicPartition::with_offset(&topic, 0, OFFSET_BEGINNING)])
        .unwrap();
    let e = consumer
        .incremental_assign(&[TopicPartition::new(&topic, 0)])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CONFLICT, "{e}");
    let e = consumer
        .incremental_unassign(&[TopicPartition::new(&topic, 2)])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{e}");
    consumer
        .incremental_assign(&[TopicPartition::with_offset(&topic, 1, 5)])
        .unwrap();
    let mut a: Vec<i32> = consumer.assignment().unwrap().iter().map(|tp| tp.partition).collect();
    a.sort();
    assert_eq!(a, vec![0, 1]);
    let msgs = poll_n(&consumer, 15, T30);
    let mut by_p: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for m in &msgs {
        by_p.entry(m.partition()).or_default().push(m.offset());
    }
    assert_eq!(by_p[&0], (0..10).collect::<Vec<_>>());
    assert_eq!(by_p[&1], (5..10).collect::<Vec<_>>());
    consumer
        .incremental_unassign(&[TopicPartition::new(&topic, 0)])
        .unwrap();
    assert_eq!(consumer.assignment().unwrap().len(), 1);
    consumer.unassign().unwrap();
    assert!(consumer.assignment().unwrap().is_empty());
}

#[test]
fn group_id_is_required() {
    let c = MockCluster::new(1).unwrap();
    for config in [config_for(&c), config_for(&c).with("group.id", "")] {
        let e = Consumer::new(&config).unwrap_err();
        assert_eq!(e.code(), ErrorCode::INVALID_ARG);
        assert!(e.message().contains("group.id"), "{e}");
    }
}

#[test]
fn commit_message_and_offsets_with_metadata() {
    let topic = unique_topic("c-commit");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..10);
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    let msgs = poll_n(&consumer, 4, T30);
    let r = consumer.commit_sync(&msgs[3]).unwrap();
    assert_eq!(r[0].offset, 4, "a message commits offset + 1");
    assert_eq!(consumer.committed(&tps(&topic, 1), T10).unwrap()[0].offset, 4);
    let with_md = [TopicPartition::with_offset(&topic, 0, 7).with_metadata(b"checkpoint \x00\xff".to_vec())];
    consumer.commit_sync(&with_md[..]).unwrap();
    let c0 = &consumer.committed(&tps(&topic, 1), T10).unwrap()[0];
    assert_eq!(
        (c0.offset, c0.metadata.as_deref()),
        (7, Some(&b"checkpoint \x00\xff"[..]))
    );
    // Bad input is refused before anything is sent.
    assert_eq!(
        consumer.commit_sync(&[][..]).unwrap_err().code(),
        ErrorCode::INVALID_ARG
    );
    let e = consumer
        .commit_sync(&[TopicPartition::with_offset(&topic, -3, 1)][..])
        .unwrap_err();
    assert!(e.message().contains("partition -3"), "{e}");
}

/// A commit that fails for some partitions is an error, sync and async
/// alike, whatever the order of good and bad partitions; its
/// `partition_results` covers every partition sent, the bad ones with
/// their own error. (librdkafka also marks the partitions the broker did
/// commit with the request's error: `committed` tells them apart.)
#[test]
fn commit_failing_for_some_partitions_is_an_error_with_every_outcome() {
    let topic = unique_topic("c-partial");
    let c = cluster(&topic, 2);
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    let good = |p: i32, o: i64| TopicPartition::with_offset(&topic, p, o);
    let bad = |o: i64| TopicPartition::with_offset("no-such-topic", 0, o);
    let lists = [
        vec![bad(1), good(0, 2)],
        vec![good(0, 3), bad(1)],
        vec![good(0, 4), bad(1), good(1, 5)],
        vec![bad(1)],
    ];
    for (i, list) in lists.iter().enumerate() {
        for asynchronous in [false, true] {
            let what = format!("list {i} (async: {asynchronous})");
            let r = if asynchronous {
                futures::executor::block_on(consumer.commit_future(list))
            } else {
                consumer.commit_sync(list)
            };
            let e = r.expect_err(&format!("{what} committed"));
            assert_eq!(e.code(), ErrorCode::UNKNOWN_TOPIC_OR_PART, "{what}: {e}");
            let key = |tp: &TopicPartition| (tp.topic.clone(), tp.partition, tp.offset);
            let mut got: Vec<_> = e.partition_results().iter().map(key).collect();
            let mut sent: Vec<_> = list.iter().map(key).collect();
            got.sort();
            sent.sort();
            assert_eq!(got, sent, "{what}");
            let failed = e
                .partition_results()
                .iter()
                .find(|tp| tp.topic == "no-such-topic")
                .unwrap();
            assert_eq!(
                failed.error.as_ref().map(|e| e.code()),
                Some(ErrorCode::UNKNOWN_TOPIC_OR_PART),
                "{what}"
            );
            // The good partitions of this list were committed all the same.
            for tp in list.iter().filter(|tp| tp.topic == topic) {
                let c = consumer.committed(std::slice::from_ref(tp), T10).unwrap();
                assert_eq!(c[0].offset, tp.offset, "{what}: {tp}");
            }
        }
    }
    consumer.close(T10).unwrap();
}

/// Issue 10, item 14: empty and absent commit metadata. librdkafka sends
/// absent metadata as "" and `rd_kafka_committed` reports "" as absent, so
/// both come back as `None` (as documented on `TopicPartition::metadata`);
/// non-empty metadata comes back exactly; a commit's own results echo what
/// was sent. Also after the metadata changes from non-empty to empty.
#[test]
fn empty_and_absent_commit_metadata_both_come_back_as_none() {
    let topic = unique_topic("c-md");
    let c = cluster(&topic, 3);
    let group = unique_topic("g");
    let consumer = Consumer::new(&group_config(&c, &group)).unwrap();
    let sent = [
        TopicPartition::with_offset(&topic, 0, 1).with_metadata(b"x".to_vec()),
        TopicPartition::with_offset(&topic, 1, 2).with_metadata(Vec::new()),
        TopicPartition::with_offset(&topic, 2, 3),
    ];
    let results = consumer.commit_sync(&sent[..]).unwrap();
    let echoed: Vec<_> = results.iter().map(|tp| (tp.partition, tp.metadata.clone())).collect();
    assert_eq!(
        echoed,
        vec![(0, Some(b"x".to_vec())), (1, None), (2, None)],
        "commit results: non-empty metadata echoed, empty reported as absent"
    );
    let got: Vec<_> = consumer
        .committed(&tps(&topic, 3), T10)
        .unwrap()
        .into_iter()
        .map(|tp| (tp.partition, tp.offset, tp.metadata))
        .collect();
    assert_eq!(got, vec![(0, 1, Some(b"x".to_vec())), (1, 2, None), (2, 3, None)]);
    // Overwriting non-empty metadata with empty metadata clears it.
    consumer
        .commit_sync(&[TopicPartition::with_offset(&topic, 0, 4).with_metadata(Vec::new())][..])
        .unwrap();
    let tp0 = &consumer.committed(&tps(&topic, 1), T10).unwrap()[0];
    assert_eq!((tp0.offset, tp0.metadata.as_deref()), (4, None));
    // Another consumer of the group (its own OffsetFetch) sees the same.
    let other = Consumer::new(&group_config(&c, &group)).unwrap();
    let md: Vec<_> = other
        .committed(&tps(&topic, 3), T10)
        .unwrap()
        .into_iter()
        .map(|tp| tp.metadata)
        .collect();
    assert_eq!(md, vec![None, None, None]);
}

#[test]
fn async_commit_results_go_to_on_commit_inside_poll_and_sync_commits_never_do() {
    let topic = unique_topic("c-async");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..10);
    let mut config = group_config(&c, &unique_topic("g"));
    config.set("enable.auto.commit", false);
    type CommitLog = Arc<Mutex<Vec<(Option<ErrorCode>, Vec<(i32, i64)>)>>>;
    let commits: CommitLog = Arc::default();
    {
        let commits = commits.clone();
        config.set_on_commit(move |err, parts| {
            commits.lock().unwrap().push((
                err.map(|e| e.code()),
                parts.iter().map(|tp| (tp.partition, tp.offset)).collect(),
            ))
        });
    }
    let consumer = Consumer::new(&config).unwrap();
    consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    let msgs = poll_n(&consumer, 10, T30);
    consumer.commit_sync(&msgs[4]).unwrap();
    consumer.commit_async(&msgs[9]).unwrap();
    assert!(
        commits.lock().unwrap().is_empty(),
        "results are served by poll, not before"
    );
    assert!(wait_for(
        T10,
        || {
            consumer.poll(Duration::from_millis(100)).unwrap();
        },
        || !commits.lock().unwrap().is_empty()
    ));
    assert_eq!(
        commits.lock().unwrap().clone(),
        vec![(None, vec![(0, 10)])],
        "only the async commit"
    );
}

#[test]
fn store_offsets_needs_manual_store_and_feeds_the_next_commit() {
    let topic = unique_topic("c-store");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..10);
    let auto = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    let e = auto
        .store_offsets(&[TopicPartition::with_offset(&topic, 0, 1)])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::INVALID_ARG);
    assert!(e.message().contains("enable.auto.offset.store"), "{e}");

    let mut config = group_config(&c, &unique_topic("g"));
    config
        .set("enable.auto.offset.store", false)
        .set("enable.auto.commit", false);
    let consumer = Consumer::new(&config).unwrap();
    consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    let msgs = poll_n(&consumer, 10, T30);
    // Nothing stored yet: nothing to commit.
    assert_eq!(
        consumer.commit_sync(Commit::Current).unwrap_err().code(),
        ErrorCode::NO_OFFSET
    );
    consumer.store_message_offset(&msgs[2]).unwrap();
    assert_eq!(consumer.commit_sync(Commit::Current).unwrap()[0].offset, 3);
    consumer
        .store_offsets(&[TopicPartition::with_offset(&topic, 0, 6)])
        .unwrap();
    consumer.commit_sync(Commit::Current).unwrap();
    assert_eq!(consumer.committed(&tps(&topic, 1), T10).unwrap()[0].offset, 6);
}

#[test]
fn seek_pause_resume_watermarks_and_offsets_for_times() {
    let topic = unique_topic("c-seek");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..20);
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    let e = consumer.seek(&TopicPartition::with_offset(&topic, 0, 5)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UNKNOWN_PARTITION, "seek before assign: {e}");
    assert!(e.message().contains("Failed to seek to offset 5"), "{e}");
    assert_eq!(
        consumer
            .cached_watermark_offsets(&topic, 0)
            .unwrap_or((OFFSET_INVALID, OFFSET_INVALID))
            .1,
        OFFSET_INVALID
    );
    assert_eq!(consumer.watermark_offsets(&topic, 0, T10).unwrap(), (0, 20));

    consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    assert_eq!(poll_n(&consumer, 1, T30)[0].offset(), 0);
    consumer.seek(&TopicPartition::with_offset(&topic, 0, 15)).unwrap();
    let after = poll_n(&consumer, 5, T30);
    assert_eq!(
        after.iter().map(|m| m.offset()).collect::<Vec<_>>(),
        vec![15, 16, 17, 18, 19]
    );
    assert_eq!(consumer.cached_watermark_offsets(&topic, 0).unwrap().1, 20);

    consumer.seek(&TopicPartition::with_offset(&topic, 0, 10)).unwrap();
    consumer.pause(&tps(&topic, 1)).unwrap();
    assert!(consumer.poll(Duration::from_millis(500)).unwrap().is_none(), "paused");
    consumer.resume(&tps(&topic, 1)).unwrap();
    assert_eq!(poll_n(&consumer, 1, T30)[0].offset(), 10);

    // The mock answers only the special timestamps (real ones are checked
    // against a real broker in tests/consumer_real_broker.rs).
    let q = [TopicPartition::with_offset(&topic, 0, ferrokafka::OFFSET_BEGINNING)];
    assert_eq!(consumer.offsets_for_times(&q, T10).unwrap()[0].offset, 0);
    let q = [TopicPartition::with_offset(&topic, 0, ferrokafka::OFFSET_END)];
    assert_eq!(consumer.offsets_for_times(&q, T10).unwrap()[0].offset, 20);
}

/// Tracks which consumer owns which partition, failing if two own one.
#[derive(Clone, Default)]
struct Ownership {
    owner: Arc<Mutex<HashMap<i32, usize>>>,
    changed: Arc<std::sync::Condvar>,
    violations: Arc<Mutex<Vec<String>>>,
    assigns: Arc<AtomicUsize>,
}

impl Ownership {
    fn callbacks(&self, me: usize) -> RebalanceCallbacks {
        let (a, r, l) = (self.clone(), self.clone(), self.clone());
        RebalanceCallbacks::new()
            .on_assign(move |_c, parts| {
                a.assigns.fetch_add(1, Ordering::SeqCst);
                let mut o = a.owner.lock().unwrap();
                for tp in parts {
                    if let Some(other) = o.insert(tp.partition, me) {
                        if other != me {
                            a.violations
                                .lock()
                                .unwrap()
                                .push(format!("p{} given to {me} while {other} owns it", tp.partition));
                        }
                    }
                }
                a.changed.notify_all();
            })
            .on_revoke(move |c, parts| {
                // Commit what was processed before giving the partitions up.
                let _ = c.commit_sync(Commit::Current);
                let mut o = r.owner.lock().unwrap();
                for tp in parts {
                    if o.get(&tp.partition) == Some(&me) {
                        o.remove(&tp.partition);
                    }
                }
            })
            .on_lost(move |_c, parts| {
                let mut o = l.owner.lock().unwrap();
                for tp in parts {
                    if o.get(&tp.partition) == Some(&me) {
                        o.remove(&tp.partition);
                    }
                }
            })
    }
}

fn rebalance_scenario(strategy: &str) {
    let topic = unique_topic("c-rebal");
    let partitions = 6;
    let c = cluster(&topic, partitions);
    let group = unique_topic("g");
    let mut config = group_config(&c, &group);
    config
        .set("partition.assignment.strategy", strategy)
        .set("enable.auto.commit", false)
        .set("debug", "cgrp");
    // The group's own log, kept (bounded) so that a failure can show what
    // the members and the coordinator were doing.
    let trace: Arc<Mutex<std::collections::VecDeque<String>>> = Arc::default();
    let t = trace.clone();
    config.set_logger(move |r| {
        let mut t = t.lock().unwrap();
        if t.len() == 4000 {
            t.pop_front();
        }
        t.push_back(format!("{} {} {}", r.client_name, r.facility, r.message));
    });
    let own = Ownership::default();
    let explain = |what: &str| -> String {
        let t = trace.lock().unwrap();
        let tail: Vec<&String> = t.iter().skip(t.len().saturating_sub(400)).collect();
        format!(
            "{what}; owners {:?}; {} assignments so far; last log lines:\n{}",
            own.owner.lock().unwrap(),
            own.assigns.load(Ordering::SeqCst),
            tail.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
        )
    };
    let seen: Arc<(Mutex<HashSet<usize>>, std::sync::Condvar)> = Arc::default();
    let committed_max: Arc<Mutex<HashMap<i32, i64>>> = Arc::default();
    let backwards = Arc::new(AtomicBool::new(false));
    let stops: Vec<Arc<AtomicBool>> = (0..3).map(|_| Arc::default()).collect();
    // Each member says when it has closed, so that a close that never ends
    // fails the test with the group's log instead of hanging it.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<usize>();
    let closed = |n: usize| {
        for _ in 0..n {
            if done_rx.recv_timeout(scaled(T60)).is_err() {
                panic!("{}", explain("a member's close did not end"));
            }
        }
    };

    let spawn = |me: usize| {
        let (config, topic, own, seen, stop) = (
            config.clone(),
            topic.clone(),
            own.clone(),
            seen.clone(),
            stops[me].clone(),
        );
        let (committed_max, backwards, done) = (committed_max.clone(), backwards.clone(), done_tx.clone());
        std::thread::spawn(move || {
            let consumer = Consumer::new(&config).unwrap();
            consumer.subscribe_with(&[&topic], own.callbacks(me)).unwrap();
            let mut since_commit = 0;
            while !stop.load(Ordering::SeqCst) {
                let batch = consumer.consume(50, Duration::from_millis(100)).unwrap();
                if !batch.is_empty() {
                    let mut s = seen.0.lock().unwrap();
                    for m in &batch {
                        s.insert(value_id(m));
                        since_commit += 1;
                    }
                    seen.1.notify_all();
                }
                if since_commit >= 100 {
                    since_commit = 0;
                    if let Ok(results) = consumer.commit_sync(Commit::Current) {
                        let mut cm = committed_max.lock().unwrap();
                        for tp in results.iter().filter(|tp| tp.error.is_none() && tp.offset >= 0) {
                            let prev = cm.entry(tp.partition).or_insert(tp.offset);
                            if tp.offset < *prev {
                                backwards.store(true, Ordering::SeqCst);
                            }
                            *prev = tp.offset.max(*prev);
                        }
                    }
                }
            }
            consumer.close(T30).unwrap();
            let _ = done.send(me);
        })
    };
    // Waits (on the consumers' own rebalances) until `members` share all
    // partitions. The bound is generous on purpose: a periodic commit that
    // meets a generation the coordinator has moved past fails with
    // ILLEGAL_GENERATION, on which librdkafka treats the assignment as lost
    // and rejoins, starting another rebalance — on a loaded machine a few
    // of these in a row take tens of seconds before the group settles
    // (it settles once the messages run out: no more periodic commits).
    let owned_by = |members: &[usize]| {
        let (o, _) = own
            .changed
            .wait_timeout_while(own.owner.lock().unwrap(), scaled(T60), |o| {
                !(o.len() == partitions as usize && members.iter().all(|m| o.values().any(|v| v == m)))
            })
            .unwrap();
        let ok = members.iter().all(|m| o.values().any(|v| v == m));
        drop(o);
        assert!(
            ok,
            "{}",
            explain(&format!("members {members:?} do not share the partitions"))
        );
    };
    let wait_seen = |n: usize| {
        let (s, _) = seen
            .1
            .wait_timeout_while(seen.0.lock().unwrap(), scaled(T60), |s| s.len() < n)
            .unwrap();
        let got = s.len();
        drop(s);
        assert_eq!(got, n, "{}", explain(&format!("{got} of {n} messages seen")));
    };

    let first = spawn(0);
    produce(&c, &topic, partitions, 0..300);
    owned_by(&[0]);
    let second = spawn(1);
    owned_by(&[0, 1]);
    produce(&c, &topic, partitions, 300..600);
    let third = spawn(2);
    owned_by(&[0, 1, 2]);
    produce(&c, &topic, partitions, 600..900);
    wait_seen(900);
    stops[2].store(true, Ordering::SeqCst);
    closed(1);
    third.join().unwrap();
    produce(&c, &topic, partitions, 900..1200);
    wait_seen(1200);
    for s in &stops {
        s.store(true, Ordering::SeqCst);
    }
    closed(2);
    first.join().unwrap();
    second.join().unwrap();

    assert!(
        own.violations.lock().unwrap().is_empty(),
        "{:?}",
        own.violations.lock().unwrap()
    );
    assert!(
        !backwards.load(Ordering::SeqCst),
        "committed offsets never went backwards"
    );
}

#[test]
fn rebalances_eager_range() {
    rebalance_scenario("range");
}

#[test]
fn rebalances_cooperative_sticky() {
    rebalance_scenario("cooperative-sticky");
}

#[test]
fn on_lost_after_illegal_generation_then_reassigned() {
    let topic = unique_topic("c-lost");
    let c = cluster(&topic, 2);
    produce(&c, &topic, 2, 0..10);
    let mut config = group_config(&c, &unique_topic("g"));
    config.set("partition.assignment.strategy", "cooperative-sticky");
    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let (a, r, l) = (events.clone(), events.clone(), events.clone());
    let consumer = Consumer::new(&config).unwrap();
    consumer
        .subscribe_with(
            &[&topic],
            RebalanceCallbacks::new()
                .on_assign(move |_, p| a.lock().unwrap().push(format!("assign {}", p.len())))
                .on_revoke(move |_, p| r.lock().unwrap().push(format!("revoke {}", p.len())))
                .on_lost(move |c, p| {
                    assert!(c.assignment_lost().unwrap());
                    // Committing lost partitions is refused.
                    let e = c.commit_sync(Commit::Current);
                    l.lock()
                        .unwrap()
                        .push(format!("lost {} commit_ok={}", p.len(), e.is_ok()));
                }),
        )
        .unwrap();
    assert_eq!(poll_n(&consumer, 10, T30).len(), 10);
    c.push_request_errors(ApiKey::HEARTBEAT, &[ErrorCode::ILLEGAL_GENERATION; 5]);
    let lost_then_assigned = || {
        let ev = events.lock().unwrap();
        let lost = ev.iter().position(|e| e.starts_with("lost"));
        lost.is_some_and(|i| ev[i + 1..].iter().any(|e| e.starts_with("assign")))
    };
    assert!(
        wait_for(
            T30,
            || {
                consumer.poll(Duration::from_millis(100)).unwrap();
            },
            lost_then_assigned
        ),
        "{:?}",
        events.lock().unwrap()
    );
    let ev = events.lock().unwrap().clone();
    assert!(ev.iter().any(|e| e == "lost 2 commit_ok=false"), "{ev:?}");
    assert!(!ev.iter().any(|e| e.starts_with("revoke")), "lost, not revoked: {ev:?}");
}

fn panicking_or_lazy_rebalance(panic: bool, strategy: &str) {
    let topic = unique_topic("c-lazy");
    let c = cluster(&topic, 2);
    produce(&c, &topic, 2, 0..20);
    let mut config = group_config(&c, &unique_topic("g"));
    config.set("partition.assignment.strategy", strategy);
    let consumer = Consumer::new(&config).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let k = calls.clone();
    consumer
        .subscribe_with(
            &[&topic],
            RebalanceCallbacks::new().on_assign(move |_, _| {
                k.fetch_add(1, Ordering::SeqCst);
                if panic {
                    panic!("on_assign panicked");
                }
                // Neither assigns nor panics: the consumer assigns itself.
            }),
        )
        .unwrap();
    let mut panics = 0;
    let mut msgs = 0;
    let end = Instant::now() + T30;
    while msgs < 20 && Instant::now() < end {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            consumer.poll(Duration::from_millis(200))
        })) {
            Err(p) => {
                assert_eq!(p.downcast_ref::<&str>(), Some(&"on_assign panicked"));
                panics += 1;
            }
            Ok(r) => msgs += r.unwrap().is_some() as usize,
        }
    }
    assert_eq!(msgs, 20, "the fallback assign lets consumption go on");
    assert_eq!(panics, if panic { calls.load(Ordering::SeqCst) } else { 0 });
    assert!(calls.load(Ordering::SeqCst) >= 1);
    assert_eq!(consumer.assignment().unwrap().len(), 2);
}

#[test]
fn rebalance_callback_that_panics_still_leads_to_consumption() {
    panicking_or_lazy_rebalance(true, "range");
    panicking_or_lazy_rebalance(true, "cooperative-sticky");
}

#[test]
fn rebalance_callback_that_never_assigns_still_leads_to_consumption() {
    panicking_or_lazy_rebalance(false, "range");
    panicking_or_lazy_rebalance(false, "cooperative-sticky");
}

#[test]
fn kip848_consumer_protocol_join_consume_commit_and_leave() {
    let topic = unique_topic("c-848");
    let c = cluster(&topic, 4);
    c.set_group_consumer_heartbeat_interval(Duration::from_millis(200));
    produce(&c, &topic, 4, 0..40);
    let group = unique_topic("g");
    let mut config = config_for(&c);
    config
        .set("group.id", &group)
        .set("group.protocol", "consumer")
        .set("auto.offset.reset", "earliest");
    let assigned: Arc<Mutex<HashMap<usize, HashSet<i32>>>> = Arc::default();
    let cbs = |me: usize| {
        let (a, r) = (assigned.clone(), assigned.clone());
        RebalanceCallbacks::new()
            .on_assign(move |_, p| {
                a.lock()
                    .unwrap()
                    .entry(me)
                    .or_default()
                    .extend(p.iter().map(|tp| tp.partition))
            })
            .on_revoke(move |_, p| {
                let mut m = r.lock().unwrap();
                let set = m.entry(me).or_default();
                for tp in p {
                    set.remove(&tp.partition);
                }
            })
    };
    let first = Consumer::new(&config).unwrap();
    first.subscribe_with(&[&topic], cbs(0)).unwrap();
    assert_eq!(poll_n(&first, 40, T30).len(), 40);
    assert_eq!(first.rebalance_protocol().unwrap(), RebalanceProtocol::COOPERATIVE);
    assert!(first.member_id().unwrap().is_some());
    assert_eq!(first.commit_sync(Commit::Current).unwrap().len(), 4);
    assert_eq!(assigned.lock().unwrap()[&0].len(), 4);

    // A second member joins: the partitions are shared.
    let second = Consumer::new(&config).unwrap();
    second.subscribe_with(&[&topic], cbs(1)).unwrap();
    let shared = || {
        let m = assigned.lock().unwrap();
        m.get(&0).map(HashSet::len) == Some(2) && m.get(&1).map(HashSet::len) == Some(2)
    };
    assert!(
        wait_for(
            T30,
            || {
                first.poll(Duration::from_millis(50)).unwrap();
                second.poll(Duration::from_millis(50)).unwrap();
            },
            shared
        ),
        "{:?}",
        assigned.lock().unwrap()
    );
    // It leaves: the first gets everything back.
    second.close(T10).unwrap();
    assert!(wait_for(
        T30,
        || {
            first.poll(Duration::from_millis(100)).unwrap();
        },
        || assigned.lock().unwrap()[&0].len() == 4
    ));
    produce(&c, &topic, 4, 40..48);
    assert_eq!(poll_n(&first, 8, T30).len(), 8);
    first.close(T10).unwrap();
}

/// At-least-once: commit after processing. A consumer dropped without close
/// (so its last batch is not committed) and restarted skips nothing.
#[test]
fn at_least_once_across_a_dropped_consumer() {
    let topic = unique_topic("c-alo");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..100);
    let group = unique_topic("g");
    let mut config = group_config(&c, &group);
    config.set("enable.auto.commit", false);
    let mut processed = Vec::new();
    {
        let consumer = Consumer::new(&config).unwrap();
        consumer.subscribe(&[&topic]).unwrap();
        let mut n = 0;
        while n < 60 {
            if let Some(m) = consumer.poll(Duration::from_millis(200)).unwrap() {
                processed.push(value_id(&m)); // process, then commit
                n += 1;
                if n % 25 == 0 {
                    consumer.commit_sync(&m).unwrap();
                }
            }
        }
        // Dropped without close: messages 50..59 were processed, not committed.
    }
    let consumer = Consumer::new(&config).unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    let rest = poll_n(&consumer, 50, T30);
    processed.extend(rest.iter().map(value_id));
    let distinct: HashSet<usize> = processed.iter().copied().collect();
    assert_eq!(distinct.len(), 100, "nothing skipped");
    assert_eq!(rest[0].offset(), 50, "resumed from the last commit, re-reading 50..59");
    consumer.close(T10).unwrap();
}

/// At-most-once: commit before processing. A consumer dropped without close
/// and restarted processes nothing twice.
#[test]
fn at_most_once_across_a_dropped_consumer() {
    let topic = unique_topic("c-amo");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..100);
    let group = unique_topic("g");
    let mut config = group_config(&c, &group);
    config.set("enable.auto.commit", false);
    let mut processed = Vec::new();
    {
        let consumer = Consumer::new(&config).unwrap();
        consumer.subscribe(&[&topic]).unwrap();
        while processed.len() < 60 {
            if let Some(m) = consumer.poll(Duration::from_millis(200)).unwrap() {
                consumer.commit_sync(&m).unwrap(); // commit, then process
                processed.push(value_id(&m));
            }
        }
    }
    let consumer = Consumer::new(&config).unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    processed.extend(poll_n(&consumer, 40, T30).iter().map(value_id));
    let mut sorted = processed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), processed.len(), "nothing processed twice");
    assert_eq!(processed.len(), 100);
    consumer.close(T10).unwrap();
}

#[test]
fn messages_outlive_their_consumer_and_cross_threads() {
    let topic = unique_topic("c-outlive");
    let c = cluster(&topic, 1);
    produce(&c, &topic, 1, 0..10);
    let msgs = {
        let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
        consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
        poll_n(&consumer, 10, T30)
    };
    let handle = std::thread::spawn(move || {
        msgs.iter()
            .map(|m| (value_id(m), m.headers().unwrap().len()))
            .collect::<Vec<_>>()
    });
    assert_eq!(handle.join().unwrap(), (0..10).map(|i| (i, 1)).collect::<Vec<_>>());
}

#[test]
fn close_revokes_and_every_method_then_says_closed() {
    let topic = unique_topic("c-close");
    let c = cluster(&topic, 2);
    produce(&c, &topic, 2, 0..10);
    let revoked = Arc::new(AtomicUsize::new(0));
    let r = revoked.clone();
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    consumer
        .subscribe_with(
            &[&topic],
            RebalanceCallbacks::new().on_revoke(move |_, p| {
                r.fetch_add(p.len(), Ordering::SeqCst);
            }),
        )
        .unwrap();
    assert_eq!(poll_n(&consumer, 10, T30).len(), 10);
    consumer.close(T10).unwrap();
    assert_eq!(revoked.load(Ordering::SeqCst), 2, "on_revoke was served by close");
    assert!(consumer.is_closed());
    assert!(consumer.poll(Duration::ZERO).unwrap_err().is_closed());
    assert!(consumer.consume(1, Duration::ZERO).unwrap_err().is_closed());
    assert!(consumer.assignment().unwrap_err().is_closed());
    assert!(consumer.subscribe(&[&topic]).unwrap_err().is_closed());
    assert!(consumer.commit_async(Commit::Current).unwrap_err().is_closed());
    assert!(consumer.list_topics(None, T10).unwrap_err().is_closed());
    consumer.close(T10).unwrap();
}

#[test]
fn dropping_a_consumer_leaves_the_group() {
    let topic = unique_topic("c-dropleave");
    let c = cluster(&topic, 2);
    let group = unique_topic("g");
    let config = group_config(&c, &group);
    let survivor = Consumer::new(&config).unwrap();
    let mine = Arc::new(Mutex::new(HashSet::new()));
    let (a, r) = (mine.clone(), mine.clone());
    survivor
        .subscribe_with(
            &[&topic],
            RebalanceCallbacks::new()
                .on_assign(move |_, p| a.lock().unwrap().extend(p.iter().map(|tp| tp.partition)))
                .on_revoke(move |_, p| {
                    for tp in p {
                        r.lock().unwrap().remove(&tp.partition);
                    }
                }),
        )
        .unwrap();
    assert!(wait_for(
        T30,
        || {
            survivor.poll(Duration::from_millis(100)).unwrap();
        },
        || mine.lock().unwrap().len() == 2
    ));
    let leaver = Consumer::new(&config).unwrap();
    leaver.subscribe(&[&topic]).unwrap();
    let shared = || mine.lock().unwrap().len() == 1;
    assert!(wait_for(
        T30,
        || {
            survivor.poll(Duration::from_millis(50)).unwrap();
            leaver.poll(Duration::from_millis(50)).unwrap();
        },
        shared
    ));
    c.start_request_tracking();
    drop(leaver); // no close
    let leaves = c.requests().iter().filter(|r| r.api_key == ApiKey::LEAVE_GROUP).count();
    assert_eq!(
        leaves, 1,
        "Drop sent a LeaveGroup instead of letting the session time out"
    );
    assert!(wait_for(
        T30,
        || {
            survivor.poll(Duration::from_millis(100)).unwrap();
        },
        || mine.lock().unwrap().len() == 2
    ));
}

#[test]
fn rebalances_eager_roundrobin() {
    rebalance_scenario("roundrobin");
}

#[test]
fn regex_subscription_unsubscribe_and_metadata() {
    let prefix = unique_topic("c-regex");
    let c = MockCluster::new(1).unwrap();
    c.set_group_initial_rebalance_delay(Duration::from_millis(50));
    for suffix in ["a", "b"] {
        c.create_topic(&format!("{prefix}-{suffix}"), 1, 1).unwrap();
    }
    c.create_topic(&format!("other-{prefix}"), 1, 1).unwrap();
    for t in [format!("{prefix}-a"), format!("{prefix}-b"), format!("other-{prefix}")] {
        produce(&c, &t, 1, 0..5);
    }
    let consumer = Consumer::new(&group_config(&c, &unique_topic("g"))).unwrap();
    let pattern = format!("^{prefix}-.*");
    consumer.subscribe(&[&pattern]).unwrap();
    assert_eq!(consumer.subscription().unwrap(), vec![pattern.clone()]);
    let msgs = poll_n(&consumer, 10, T30);
    let topics: HashSet<&str> = msgs.iter().map(|m| m.topic()).collect();
    assert_eq!(
        topics,
        HashSet::from([format!("{prefix}-a").as_str(), format!("{prefix}-b").as_str()])
    );
    assert!(
        consumer.poll(Duration::from_millis(300)).unwrap().is_none(),
        "the other topic does not match"
    );

    let md = consumer.list_topics(None, T10).unwrap();
    assert!(md.topics.contains_key(&format!("other-{prefix}")));
    assert!(consumer.cluster_id(T10).unwrap().is_some());
    consumer.set_sasl_credentials("user", "secret").unwrap();

    consumer.unsubscribe().unwrap();
    assert!(consumer.subscription().unwrap().is_empty());
    assert!(wait_for(
        T10,
        || {
            consumer.poll(Duration::from_millis(100)).unwrap();
        },
        || consumer.assignment().unwrap().is_empty()
    ));
    // Bad subscriptions are refused up front.
    assert_eq!(
        consumer.subscribe::<&str>(&[]).unwrap_err().code(),
        ErrorCode::INVALID_ARG
    );
    assert_eq!(consumer.subscribe(&[""]).unwrap_err().code(), ErrorCode::INVALID_ARG);
    assert_eq!(consumer.pause(&[]).unwrap_err().code(), ErrorCode::INVALID_ARG);
}

/// `poll` reads ahead, but nothing of it shows: stored and committed
/// offsets, `position`, seeks and unassigns all act on what was returned.
#[test]
fn read_ahead_is_invisible() {
    let topic = unique_topic("c-readahead");
    let c = cluster(&topic, 2);
    produce(&c, &topic, 2, 0..200);
    let mut config = group_config(&c, &unique_topic("g"));
    config.set("enable.auto.commit", false);
    let consumer = Consumer::new(&config).unwrap();
    consumer
        .assign(&[
            TopicPartition::with_offset(&topic, 0, 0),
            TopicPartition::with_offset(&topic, 1, 0),
        ])
        .unwrap();
    let first = poll_n(&consumer, 1, T30).pop().unwrap();
    let p = first.partition();
    // Only the returned message counts as consumed.
    let pos = consumer.position(&[TopicPartition::new(&topic, p)]).unwrap();
    assert_eq!(pos[0].offset, first.offset() + 1);
    let committed = consumer.commit_sync(Commit::Current).unwrap();
    let mine = committed.iter().find(|tp| tp.partition == p).unwrap();
    assert_eq!(mine.offset, first.offset() + 1, "{committed:?}");
    // A seek drops what was read ahead for that partition.
    consumer
        .seek_partitions(&[TopicPartition::with_offset(&topic, p, 50)], T10)
        .unwrap();
    let next_on_p = loop {
        let m = poll_n(&consumer, 1, T30).pop().unwrap();
        if m.partition() == p {
            break m;
        }
    };
    assert_eq!(next_on_p.offset(), 50);
    // An unassigned partition's read-ahead is not returned.
    let other = 1 - p;
    consumer
        .incremental_unassign(&[TopicPartition::new(&topic, other)])
        .unwrap();
    let rest = poll_n(&consumer, 49, T30);
    assert!(
        rest.iter().all(|m| m.partition() == p),
        "nothing from the unassigned partition"
    );
    assert_eq!(rest.last().unwrap().offset(), 99);
    assert!(consumer.poll(Duration::from_millis(300)).unwrap().is_none());
}

/// Issue 12: a `Message` can be built by hand, cloned, compared, and
/// detached from librdkafka's fetch buffer. Over messages with and without
/// key, value (null, empty, binary), headers (none, null values,
/// duplicates) and timestamps: a detached copy equals the fetched message,
/// owns its data, outlives the consumer without keeping the client alive,
/// and still commits and stores its position — on its own consumer, and by
/// name on another.
#[test]
fn messages_detach_clone_compare_and_commit_without_the_fetch_buffer() {
    let topic = unique_topic("c-detach");
    let c = cluster(&topic, 1);
    let producer = Producer::new(&config_for(&c)).unwrap();
    type Shape<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, Vec<(&'a str, Option<&'a [u8]>)>);
    let shapes: Vec<Shape> = vec![
        (None, None, vec![]),
        (Some(b"k"), Some(b""), vec![("a", None)]),
        (
            Some(b""),
            Some(b"\x00\xff binary"),
            vec![("a", Some(b"1")), ("a", Some(b"2")), ("b", Some(b""))],
        ),
        (None, Some(b"v"), vec![("\u{e9}t\u{e9}", Some(b"\xff"))]),
        // Without headers: detached in the packed form.
        (Some(b""), Some(b"x"), vec![]),
        (Some(b"k"), None, vec![]),
    ];
    for (k, v, h) in &shapes {
        producer
            .produce(
                Record::new(&topic)
                    .with_partition(0)
                    .with_key_opt(*k)
                    .with_value_opt(*v)
                    .with_headers(h.iter().copied())
                    .with_timestamp(1_700_000_000_000),
            )
            .unwrap();
    }
    producer.flush(T30).unwrap();
    let mut cfg = group_config(&c, &unique_topic("g"));
    cfg.set("enable.auto.offset.store", false);
    let marker = destruction_marker(&mut cfg);
    let consumer = Consumer::new(&cfg).unwrap();
    drop(cfg);
    consumer.subscribe(&[topic.as_str()]).unwrap();
    let fetched = poll_n(&consumer, shapes.len(), T30);
    assert_eq!(fetched.len(), shapes.len());
    let detached: Vec<Message> = fetched.iter().map(Message::detach).collect();
    for ((m, d), (k, v, h)) in fetched.iter().zip(&detached).zip(&shapes) {
        assert!(!m.is_detached() && d.is_detached());
        assert_eq!(m, d);
        assert_eq!(&m.clone(), m);
        assert_eq!(d.key(), *k);
        assert_eq!(d.value(), *v);
        let hs: Vec<(Option<&str>, Option<&[u8]>)> = d
            .headers()
            .map(|hs| hs.iter().map(|x| (x.name(), x.value())).collect())
            .unwrap_or_default();
        let want: Vec<(Option<&str>, Option<&[u8]>)> = h.iter().map(|(n, v)| (Some(*n), *v)).collect();
        assert_eq!(hs, want);
        assert_eq!(d.timestamp(), Timestamp::CreateTime(1_700_000_000_000));
        assert_eq!(
            (d.topic(), d.partition(), d.offset()),
            (m.topic(), m.partition(), m.offset())
        );
        assert_eq!(d.leader_epoch(), m.leader_epoch());
        assert_eq!(d.broker_id(), m.broker_id());
        assert!(d.broker_id().is_some());
        assert_eq!(d.broker_id(), m.broker_id());
        assert_eq!(d.next_position(), m.next_position());
        assert_eq!(d.next_position().offset, m.offset() + 1);
    }
    // Messages that differ in one field differ.
    let base = detached[2].clone();
    for other in [
        base.clone().with_key("x"),
        base.clone().with_value("x"),
        base.clone().with_null_header("c"),
        base.clone().with_timestamp(Timestamp::LogAppendTime(1_700_000_000_000)),
        Message::new(base.topic(), base.partition(), base.offset() + 1),
    ] {
        assert_ne!(other, base);
    }
    // A detached message stores and commits its position.
    consumer.store_message_offset(&detached[1]).unwrap();
    assert_eq!(consumer.commit_sync(Commit::Current).unwrap()[0].offset, 2);
    consumer.commit_sync(&detached[3]).unwrap();
    assert_eq!(consumer.committed(&tps(&topic, 1), T10).unwrap()[0].offset, 4);
    // A hand-built message is checked as an explicit position would be.
    for bad in [
        Message::new("", 0, 1),
        Message::new(&topic, -1, 1),
        Message::new("a\0b", 0, 1),
    ] {
        assert_eq!(
            consumer.commit_sync(&bad).unwrap_err().code(),
            ErrorCode::INVALID_ARG,
            "{bad:?}"
        );
        assert_eq!(
            consumer.commit_async(&bad).unwrap_err().code(),
            ErrorCode::INVALID_ARG,
            "{bad:?}"
        );
        let e = futures::executor::block_on(consumer.commit_future(&bad)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{bad:?}");
        assert_eq!(
            consumer.store_message_offset(&bad).unwrap_err().code(),
            ErrorCode::INVALID_ARG,
            "{bad:?}"
        );
    }
    assert_eq!(Message::new(&topic, 0, i64::MAX).next_position().offset, i64::MAX);
    // Another consumer's fetched message is stored by name on this one.
    let mut cfg2 = group_config(&c, &unique_topic("g2"));
    cfg2.set("enable.auto.offset.store", false);
    let other = Consumer::new(&cfg2).unwrap();
    other.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    other.store_message_offset(&fetched[2]).unwrap();
    assert_eq!(other.commit_sync(Commit::Current).unwrap()[0].offset, 3);
    other.close(T10).unwrap();
    // Detached messages do not keep the client alive; fetched ones do.
    consumer.close(T10).unwrap();
    drop(consumer);
    assert!(marker.strong_count() > 0, "fetched messages keep the client");
    drop(fetched);
    assert!(destroyed_within(&marker, T30), "detached messages pinned the client");
    assert_eq!(detached[2].value(), Some(&b"\x00\xff binary"[..]));
}

/// A hand-built message is what a handler sees, without a cluster.
#[test]
fn a_hand_built_message_has_what_was_set() {
    let m = Message::new("orders", 3, 10);
    assert!(m.is_detached());
    assert_eq!((m.topic(), m.partition(), m.offset()), ("orders", 3, 10));
    assert_eq!((m.key(), m.value(), m.headers().is_none()), (None, None, true));
    assert_eq!(m.timestamp(), Timestamp::NotAvailable);
    assert_eq!(
        (m.leader_epoch(), m.broker_id(), m.len(), m.is_empty()),
        (None, None, 0, true)
    );
    let m = m
        .with_value("abc")
        .with_leader_epoch(7)
        .with_header("h", "1")
        .with_header("h", "2");
    assert_eq!(m.len(), 3);
    assert_eq!(m.headers().unwrap().len(), 2);
    assert_eq!(m.headers().unwrap().last("h").unwrap().value(), Some(&b"2"[..]));
    assert_eq!(m.headers().unwrap().get(2), None);
    assert_eq!(m.next_position().leader_epoch, Some(7));
    let shown = format!("{m:?}");
    assert!(shown.contains("orders") && !shown.contains("abc"), "{shown}");
}
