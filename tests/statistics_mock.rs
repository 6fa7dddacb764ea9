//! Typed statistics (`ferrokafka::Statistics`, the `statistics` feature)
//! from a real producer and consumer on librdkafka's mock cluster: what the
//! documents say about the messages produced and consumed, and whether the
//! structs model every field librdkafka 2.12.1 writes.
//!
//! The statistics come through `Config::set_statistics_cb`, which also hands
//! over the raw JSON; each test serves its client until a document shows
//! the state it waits for (every wait is on events, bounded by a generous
//! limit, and the assertions are about values, never timings).
//!
//! `FERROKAFKA_WRITE_STATS_FIXTURES=1` writes the last producer and
//! consumer documents to `tests/fixtures/stats_{producer,consumer}.json`,
//! which the library's unit tests parse (refresh them when librdkafka is
//! upgraded).

mod common;

use common::*;
use ferrokafka::statistics::{Broker, ConsumerGroup, Eos, Partition, Topic, Window};
use ferrokafka::{Commit, Config, Consumer, KafkaError, Producer, Record, Statistics, OFFSET_INVALID};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const T60: Duration = Duration::from_secs(60);
const PARTITIONS: i32 = 3;
/// Messages produced, round-robin over the partitions.
const N: i64 = 30;
const PER_PARTITION: i64 = N / PARTITIONS as i64;

type Doc = (Result<Statistics, KafkaError>, String);

/// Routes every statistics document (parsed, and raw) into a channel, and
/// checks that the raw-JSON callback sees the same documents.
fn with_statistics(config: &mut Config) -> (Receiver<Doc>, Receiver<String>) {
    let (tx, rx) = channel();
    let (raw_tx, raw_rx) = channel();
    config
        .set("statistics.interval.ms", 100)
        .set_statistics_cb(move |stats, raw| {
            let _ = tx.send((stats, raw.to_string()));
        })
        .set_stats_cb(move |raw| {
            let _ = raw_tx.send(raw.to_string());
        });
    (rx, raw_rx)
}

/// Serves the client (`serve`, which blocks on its queue) until a document
/// satisfies `done`; returns that document and its raw JSON, after checking
/// that every document parsed and that the raw callback got the same JSON
/// first.
fn wait_for_doc(
    rx: &Receiver<Doc>,
    raw_rx: &Receiver<String>,
    mut serve: impl FnMut(),
    mut done: impl FnMut(&Statistics) -> bool,
    all: &mut Vec<Statistics>,
) -> (Statistics, String) {
    let mut found = None;
    let ok = wait_for(T60, &mut serve, || {
        while let Ok((stats, raw)) = rx.try_recv() {
            let stats = stats.unwrap_or_else(|e| panic!("statistics did not parse: {e}\n{raw}"));
            assert_eq!(
                raw_rx.try_recv().as_deref(),
                Ok(raw.as_str()),
                "stats_cb saw another document"
            );
            all.push(stats.clone());
            if done(&stats) {
                found = Some((stats, raw));
            }
        }
        found.is_some()
    });
    assert!(
        ok,
        "no statistics document showed the awaited state; the last: {:#?}",
        all.last()
    );
    found.unwrap()
}

fn produce_all(producer: &Producer, topic: &str) {
    for i in 0..N {
        let v = i.to_string();
        producer
            .produce(
                Record::new(topic)
                    .with_key(&v)
                    .with_value(&v)
                    .with_partition((i % PARTITIONS as i64) as i32),
            )
            .unwrap();
    }
    producer.flush(T60).unwrap();
}

fn our_partitions(topic: &Topic) -> Vec<&Partition> {
    (0..PARTITIONS).map(|p| &topic.partitions[&p]).collect()
}

/// Some broker measured round trips, and its window is self-consistent.
fn assert_rtt_measured(all: &[Statistics]) {
    let windows: Vec<&Window> = all
        .iter()
        .flat_map(|s| s.brokers.values())
        .map(|b| &b.rtt)
        .filter(|w| w.cnt > 0)
        .collect();
    assert!(!windows.is_empty(), "no rtt sample in {} documents", all.len());
    for w in windows {
        assert_eq!(w.avg, w.sum / w.cnt, "{w:?}");
        assert!(w.max >= w.avg && w.max > 0 && w.hdrsize > 0, "{w:?}");
    }
}

/// The learned brokers: the mock cluster's three, with their ids.
fn assert_brokers(stats: &Statistics) {
    let learned: BTreeSet<i32> = stats
        .brokers
        .values()
        .filter(|b| b.source == "learned")
        .map(|b| b.nodeid)
        .collect();
    assert_eq!(learned, BTreeSet::from([1, 2, 3]), "{:#?}", stats.brokers);
    for (name, b) in &stats.brokers {
        assert_eq!(name, &b.name);
    }
    assert!(stats.brokers.values().any(|b| b.state == "UP" && b.tx > 0 && b.rx > 0));
}

#[test]
fn producer_statistics_show_what_was_produced() {
    let topic = unique_topic("stats-p");
    let cluster = mock_with_topic(&topic, PARTITIONS);
    let mut config = config_for(&cluster);
    config.set("enable.idempotence", true);
    let (rx, raw_rx) = with_statistics(&mut config);
    let producer = Producer::new(&config).unwrap();
    produce_all(&producer, &topic);

    let mut all = Vec::new();
    let (stats, raw) = wait_for_doc(
        &rx,
        &raw_rx,
        || {
            producer.poll(Duration::from_millis(200)).unwrap();
        },
        |s| s.txmsgs == N && s.brokers.values().any(|b| b.state == "UP"),
        &mut all,
    );

    assert_eq!(stats.client_type, "producer");
    assert!(stats.name.starts_with("rdkafka#producer-"), "{}", stats.name);
    assert_eq!((stats.msg_cnt, stats.msg_size), (0, 0), "flushed: nothing queued");
    assert!(stats.msg_max > 0 && stats.msg_size_max > 0);
    assert!(stats.txmsg_bytes > 0 && stats.tx > 0 && stats.rx > 0);
    assert_eq!(stats.rxmsgs, 0);
    assert!(stats.cgrp.is_none(), "a producer has no group");

    let t = &stats.topics[&topic];
    assert_eq!(t.topic, topic);
    let ids: BTreeSet<i32> = t.partitions.keys().copied().collect();
    assert_eq!(
        ids,
        BTreeSet::from([-1, 0, 1, 2]),
        "the partitions and the unassigned one"
    );
    for p in our_partitions(t) {
        assert_eq!(
            (p.txmsgs, p.msgs),
            (PER_PARTITION as u64, PER_PARTITION as u64),
            "{p:#?}"
        );
        assert_eq!((p.msgq_cnt, p.msgs_inflight), (0, 0), "{p:#?}");
        assert!(p.leader >= 1 && p.txbytes > 0, "{p:#?}");
        // Idempotence: the acknowledged sequence has reached the count.
        assert_eq!(p.next_ack_seq, PER_PARTITION, "{p:#?}");
    }
    assert_eq!(t.partitions[&-1].partition, -1);

    let eos: &Eos = stats.eos.as_ref().expect("an idempotent producer has `eos`");
    assert_eq!(eos.idemp_state, "Assigned");
    assert!(
        eos.producer_id >= 0 && eos.producer_epoch >= 0 && eos.epoch_cnt >= 1,
        "{eos:?}"
    );

    assert_brokers(&stats);
    // Each partition is served by its leader's connection.
    let served: BTreeSet<i32> = stats
        .brokers
        .values()
        .flat_map(|b: &Broker| b.toppars.values())
        .filter(|tp| tp.topic == topic)
        .map(|tp| tp.partition)
        .collect();
    assert!(served.is_superset(&BTreeSet::from([0, 1, 2])), "{served:?}");
    let produce_requests: i64 = stats.brokers.values().filter_map(|b| b.req.get("Produce")).sum();
    assert!(produce_requests >= 1, "no Produce request counted");
    assert_rtt_measured(&all);

    check_fields_modelled(&raw, "producer");
    write_fixture("stats_producer.json", &raw);
}

#[test]
fn consumer_statistics_show_offsets_lag_and_group() {
    let topic = unique_topic("stats-c");
    let cluster = mock_with_topic(&topic, PARTITIONS);
    cluster.set_group_initial_rebalance_delay(Duration::from_millis(50));
    produce_all(&Producer::new(&config_for(&cluster)).unwrap(), &topic);

    let mut config = config_for(&cluster);
    config
        .set("group.id", unique_topic("stats-g"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", false);
    let (rx, raw_rx) = with_statistics(&mut config);
    let consumer = Consumer::new(&config).unwrap();
    consumer.subscribe(&[&topic]).unwrap();

    // Each of our partitions, in a document, satisfies `f`.
    let all_partitions = |s: &Statistics, f: &dyn Fn(&Partition) -> bool| {
        s.topics
            .get(&topic)
            .is_some_and(|t| (0..PARTITIONS).all(|p| t.partitions.get(&p).is_some_and(f)))
    };

    // First everything consumed (and stored), nothing committed yet.
    let mut consumed = 0;
    let mut all = Vec::new();
    let (before, _) = wait_for_doc(
        &rx,
        &raw_rx,
        || {
            if consumer.poll(Duration::from_millis(200)).unwrap().is_some() {
                consumed += 1;
            }
        },
        |s| all_partitions(s, &|p| p.app_offset == PER_PARTITION && p.hi_offset == PER_PARTITION),
        &mut all,
    );
    for p in our_partitions(&before.topics[&topic]) {
        // The committed lag counts from the committed offset (none yet:
        // -1), the stored lag from what was consumed.
        assert_eq!(p.committed_offset, OFFSET_INVALID, "{p:#?}");
        assert_eq!((p.consumer_lag, p.consumer_lag_stored), (-1, 0), "{p:#?}");
    }

    // Then committed.
    consumer.commit_sync(Commit::Current).unwrap();
    let (stats, raw) = wait_for_doc(
        &rx,
        &raw_rx,
        || {
            if consumer.poll(Duration::from_millis(200)).unwrap().is_some() {
                consumed += 1;
            }
        },
        |s| all_partitions(s, &|p| p.committed_offset == PER_PARTITION),
        &mut all,
    );
    assert_eq!(consumed, N);

    assert_eq!(stats.client_type, "consumer");
    assert_eq!(stats.rxmsgs, N, "every message fetched once");
    assert_eq!(stats.txmsgs, 0);
    assert!(stats.eos.is_none(), "a consumer has no `eos`");

    let t = &stats.topics[&topic];
    for p in our_partitions(t) {
        // Consumed and committed everything: no lag either way.
        assert_eq!(
            (p.app_offset, p.stored_offset, p.next_offset),
            (PER_PARTITION, PER_PARTITION, PER_PARTITION),
            "{p:#?}"
        );
        assert_eq!((p.consumer_lag, p.consumer_lag_stored), (0, 0), "{p:#?}");
        assert_eq!((p.lo_offset, p.ls_offset), (0, PER_PARTITION), "{p:#?}");
        assert_eq!(
            (p.rxmsgs, p.msgs),
            (PER_PARTITION as u64, PER_PARTITION as u64),
            "{p:#?}"
        );
        assert_eq!(p.fetch_state, "active", "{p:#?}");
        assert!(p.desired && !p.unknown && p.leader >= 1, "{p:#?}");
    }
    let g: &ConsumerGroup = stats.cgrp.as_ref().expect("a group consumer has `cgrp`");
    assert_eq!((g.state.as_str(), g.join_state.as_str()), ("up", "steady"), "{g:?}");
    assert_eq!(g.assignment_size, PARTITIONS as i64, "{g:?}");
    assert!(g.rebalance_cnt >= 1, "{g:?}");

    assert_brokers(&stats);
    let fetches: i64 = stats.brokers.values().filter_map(|b| b.req.get("Fetch")).sum();
    assert!(fetches >= 1, "no Fetch request counted");
    assert_rtt_measured(&all);

    check_fields_modelled(&raw, "consumer");
    write_fixture("stats_consumer.json", &raw);
    consumer.close(T60).unwrap();
}

// ---- Completeness: every field librdkafka writes is modelled ----------

/// Fields librdkafka writes that the structs leave out on purpose, as
/// (level, field).
const NOT_MODELLED: &[(&str, &str)] = &[
    // The same value as `committed_offset`, under librdkafka's old
    // misspelling (kept by librdkafka for compatibility).
    ("partition", "commited_offset"),
];

/// Wraps `inner` (one object of the level) into a whole document.
fn at_level(level: &str, inner: Value) -> Value {
    let window = |w| serde_json::json!({ "brokers": { "b": { "rtt": w } } });
    match level {
        "top" => inner,
        "broker" => serde_json::json!({ "brokers": { "b": inner } }),
        "toppar" => serde_json::json!({ "brokers": { "b": { "toppars": { "t-0": inner } } } }),
        "window" => window(inner),
        "topic" => serde_json::json!({ "topics": { "t": inner } }),
        "partition" => serde_json::json!({ "topics": { "t": { "partitions": { "0": inner } } } }),
        "cgrp" => serde_json::json!({ "cgrp": inner }),
        "eos" => serde_json::json!({ "eos": inner }),
        _ => unreachable!("{level}"),
    }
}

/// Whether `Statistics` reads `key` at `level`: a modelled field refuses a
/// value of the wrong type (every field refuses a string or a number), an
/// unknown one is ignored whatever its value.
fn is_modelled(level: &str, key: &str) -> bool {
    [Value::from("x"), Value::from(12345)].into_iter().any(|probe| {
        let doc = at_level(level, serde_json::json!({ key: probe }));
        Statistics::from_json(&doc.to_string()).is_err()
    })
}

/// The fields of one level of a document, by level.
fn fields_by_level(doc: &Value) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<_>>();
    out.insert("top", keys(doc));
    for b in doc["brokers"].as_object().unwrap().values() {
        out.entry("broker").or_default().extend(keys(b));
        for w in ["int_latency", "outbuf_latency", "rtt", "throttle"] {
            out.entry("window").or_default().extend(keys(&b[w]));
        }
        for tp in b["toppars"].as_object().unwrap().values() {
            out.entry("toppar").or_default().extend(keys(tp));
        }
    }
    for t in doc["topics"].as_object().unwrap().values() {
        out.entry("topic").or_default().extend(keys(t));
        for w in ["batchsize", "batchcnt"] {
            out.entry("window").or_default().extend(keys(&t[w]));
        }
        for p in t["partitions"].as_object().unwrap().values() {
            out.entry("partition").or_default().extend(keys(p));
        }
    }
    for level in ["cgrp", "eos"] {
        if let Some(v) = doc.get(level) {
            out.insert(level, keys(v));
        }
    }
    out
}

/// The field names a struct declares, from its `Debug` output (`{:#?}` of a
/// default value lists them at the first indentation), under librdkafka's
/// names.
fn declared<T: std::fmt::Debug + Default>() -> BTreeSet<String> {
    format!("{:#?}", T::default())
        .lines()
        .filter_map(|l| l.strip_prefix("    ").filter(|l| !l.starts_with(' ')))
        .filter_map(|l| l.split_once(':').map(|(name, _)| name.to_string()))
        .map(|name| {
            if name == "client_type" {
                "type".to_string()
            } else {
                name
            }
        })
        .collect()
}

/// Every field of `raw` is read by `Statistics` (except `NOT_MODELLED`),
/// and every field the structs declare is in `raw` (except the objects a
/// `client` does not have).
fn check_fields_modelled(raw: &str, client: &str) {
    let doc: Value = serde_json::from_str(raw).unwrap();
    let levels = fields_by_level(&doc);
    let mut unread = BTreeSet::new();
    for (level, fields) in &levels {
        for f in fields {
            if !is_modelled(level, f) {
                unread.insert((level.to_string(), f.clone()));
            }
        }
    }
    let expected: BTreeSet<(String, String)> = NOT_MODELLED
        .iter()
        .map(|(l, f)| (l.to_string(), f.to_string()))
        .collect();
    assert_eq!(
        unread, expected,
        "fields librdkafka writes that Statistics does not read ({client})"
    );

    let absent_objects: &[&str] = match client {
        "producer" => &["cgrp", "fatal"],
        _ => &["eos", "fatal"],
    };
    let declared_by_level: [(&str, BTreeSet<String>); 7] = [
        ("top", declared::<Statistics>()),
        ("broker", declared::<Broker>()),
        ("window", declared::<Window>()),
        ("topic", declared::<Topic>()),
        ("partition", declared::<Partition>()),
        ("toppar", declared::<ferrokafka::statistics::BrokerPartition>()),
        (
            if client == "producer" { "eos" } else { "cgrp" },
            if client == "producer" {
                declared::<Eos>()
            } else {
                declared::<ConsumerGroup>()
            },
        ),
    ];
    // The objects this client does not have.
    let optional = |level: &str, name: &str| level == "top" && absent_objects.contains(&name);
    for (level, names) in declared_by_level {
        assert!(names.len() > 1, "{level}: could not read the declared fields");
        let present = &levels[level];
        let missing: Vec<_> = names
            .iter()
            .filter(|n| !present.contains(*n) && !optional(level, n))
            .collect();
        assert!(
            missing.is_empty(),
            "{level}: declared but not in the {client}'s JSON: {missing:?}"
        );
    }
}

#[test]
fn the_completeness_check_can_fail() {
    // Known fields are recognised at every level, unknown ones are not.
    for (level, known) in [
        ("top", "msg_cnt"),
        ("top", "type"),
        ("broker", "rxcorriderrs"),
        ("toppar", "partition"),
        ("window", "p99_99"),
        ("topic", "metadata_age"),
        ("partition", "committed_offset"),
        ("cgrp", "rebalance_reason"),
        ("eos", "txn_may_enq"),
    ] {
        assert!(is_modelled(level, known), "{level}.{known}");
        assert!(!is_modelled(level, "a_field_from_the_future"), "{level}");
    }
    assert!(!is_modelled("top", "client_type"), "the Rust name is not librdkafka's");
    assert!(declared::<Window>().contains("p99_99"));
    assert!(declared::<Statistics>().contains("type"));
}

fn write_fixture(name: &str, raw: &str) {
    if std::env::var_os("FERROKAFKA_WRITE_STATS_FIXTURES").is_some() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        std::fs::create_dir_all(&dir).unwrap();
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(raw).unwrap()).unwrap();
        std::fs::write(dir.join(name), pretty + "\n").unwrap();
    }
}

/// A panic in the typed callback comes out of the serving call (DESIGN.md
/// decision 2), and the client goes on serving statistics afterwards.
#[test]
fn a_panic_in_the_statistics_cb_comes_out_of_poll() {
    let cluster = ferrokafka::MockCluster::new(1).unwrap();
    let mut config = config_for(&cluster);
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    config
        .set("statistics.interval.ms", 100)
        .set_statistics_cb(move |stats, _raw| {
            assert!(stats.is_ok());
            if c.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                panic!("statistics_cb panic");
            }
        });
    let producer = Producer::new(&config).unwrap();
    let mut caught = None;
    assert!(wait_for(
        T60,
        || {
            if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                producer.poll(Duration::from_millis(200)).unwrap();
            })) {
                caught = p.downcast_ref::<&str>().map(|s| s.to_string());
            }
        },
        || calls.load(std::sync::atomic::Ordering::SeqCst) >= 2
    ));
    assert_eq!(caught.as_deref(), Some("statistics_cb panic"));
}
