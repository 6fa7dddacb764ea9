//! Producer behaviour against librdkafka's mock cluster.

mod common;

use common::*;
use ferrokafka::{
    ApiKey, Config, ConsumerGroupMetadata, ErrorCode, MessageStatus, MockCluster, Producer, Record, Timestamp,
    TopicPartition,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T10: Duration = Duration::from_secs(10);
const T30: Duration = Duration::from_secs(30);

/// Counts delivery reports per message id, with their outcome.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<HashMap<usize, Vec<Option<ErrorCode>>>>>);

impl Reports {
    fn record(&self, id: usize, err: Option<ErrorCode>) {
        self.0.lock().unwrap().entry(id).or_default().push(err);
    }
    fn closure(&self, id: usize) -> impl FnOnce(&ferrokafka::DeliveryReport<'_>) + Send + 'static {
        let me = self.clone();
        move |r| me.record(id, r.error().map(|e| e.code()))
    }
    fn total(&self) -> usize {
        self.0.lock().unwrap().values().map(Vec::len).sum()
    }
    /// Asserts every id in 0..n got exactly one report; returns the outcomes.
    fn exactly_once(&self, n: usize) -> Vec<Option<ErrorCode>> {
        let map = self.0.lock().unwrap();
        assert_eq!(map.len(), n, "reports for {} of {n} messages", map.len());
        (0..n)
            .map(|id| {
                let v = map.get(&id).unwrap_or_else(|| panic!("no report for message {id}"));
                assert_eq!(v.len(), 1, "message {id} got {} reports", v.len());
                v[0]
            })
            .collect()
    }
}

#[test]
fn round_trip_preserves_key_value_headers_timestamp() {
    let topic = unique_topic("roundtrip");
    let cluster = mock_with_topic(&topic, 1);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let ts = 1_700_000_000_123i64;
    let reports = Reports::default();
    let seen = Arc::new(Mutex::new(None));
    {
        let seen = seen.clone();
        let rec = Record::new(&topic)
            .with_key(b"key-\x00\xff")
            .with_value(b"value \x01\x02")
            .with_timestamp(ts)
            .with_header("a", b"1".as_slice())
            .with_header("dup", b"x".as_slice())
            .with_null_header("null")
            .with_header("dup", b"y".as_slice())
            .with_header("empty", b"".as_slice())
            .with_on_delivery(move |r| {
                let hs = r.headers().map(|h| h.to_vec());
                *seen.lock().unwrap() = Some((
                    r.error().map(|e| e.code()),
                    r.key().map(<[u8]>::to_vec),
                    r.value().map(<[u8]>::to_vec),
                    r.timestamp(),
                    hs,
                    r.status(),
                    r.offset(),
                    r.partition(),
                ));
            });
        producer.produce(rec).unwrap();
    }
    producer
        .produce(Record::new(&topic).with_on_delivery(reports.closure(0)))
        .unwrap(); // no key, no value
    producer
        .produce(Record::new(&topic).with_value("").with_on_delivery(reports.closure(1)))
        .unwrap(); // empty value
    producer.flush(T30).unwrap();

    let (err, key, value, timestamp, headers, status, offset, partition) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(err, None);
    assert_eq!(key.as_deref(), Some(&b"key-\x00\xff"[..]));
    assert_eq!(value.as_deref(), Some(&b"value \x01\x02"[..]));
    // The mock broker answers every produce with LogAppendTime 1234
    // (rdkafka_mock_handlers.c), which librdkafka passes on to the report;
    // the stored message keeps its CreateTime (checked on read-back below).
    assert!(
        timestamp == Timestamp::CreateTime(ts) || timestamp == Timestamp::LogAppendTime(1234),
        "{timestamp:?}"
    );
    assert_eq!(status, MessageStatus::PERSISTED);
    assert_eq!(offset, Some(0));
    assert_eq!(partition, Some(0));
    let expected_headers = vec![
        ("a".to_string(), Some(b"1".to_vec())),
        ("dup".to_string(), Some(b"x".to_vec())),
        ("null".to_string(), None),
        ("dup".to_string(), Some(b"y".to_vec())),
        ("empty".to_string(), Some(b"".to_vec())),
    ];
    assert_eq!(headers.as_ref(), Some(&expected_headers));
    assert_eq!(reports.exactly_once(2), [None, None]);

    let read = read_back(cluster.bootstrap_servers(), &topic, 1, 3, T30);
    assert_eq!(read.len(), 3);
    assert_eq!(read[0].key.as_deref(), Some(&b"key-\x00\xff"[..]));
    assert_eq!(read[0].value.as_deref(), Some(&b"value \x01\x02"[..]));
    assert_eq!(read[0].timestamp, Some(ts));
    assert_eq!(read[0].headers, expected_headers);
    assert_eq!((read[1].key.clone(), read[1].value.clone()), (None, None));
    assert_eq!(read[2].value.as_deref(), Some(&b""[..]));
    producer.close(T10).unwrap();
}

#[test]
fn exactly_one_report_per_message_with_config_and_closure_callbacks() {
    let topic = unique_topic("once");
    let cluster = mock_with_topic(&topic, 4);
    let config_reports = Reports::default();
    let mut config = config_for(&cluster);
    {
        let r = config_reports.clone();
        config.set_on_delivery(move |rep| {
            let id: usize = std::str::from_utf8(rep.key().unwrap()).unwrap().parse().unwrap();
            r.record(id, rep.error().map(|e| e.code()));
        });
    }
    let producer = Producer::new(&config).unwrap();
    let closure_reports = Reports::default();
    for i in 0..2000usize {
        let key = i.to_string();
        let rec = Record::new(&topic).with_key(&key).with_value("v");
        let rec = if i % 2 == 0 {
            rec.with_on_delivery(closure_reports.closure(i / 2))
        } else {
            rec
        };
        producer.produce(rec).unwrap();
        if i % 100 == 0 {
            producer.poll(Duration::ZERO).unwrap();
        }
    }
    producer.flush(T30).unwrap();
    assert!(closure_reports.exactly_once(1000).iter().all(Option::is_none));
    let map = config_reports.0.lock().unwrap();
    assert_eq!(
        map.len(),
        1000,
        "the config callback sees only messages without a closure"
    );
    assert!(map.iter().all(|(id, v)| id % 2 == 1 && v == &vec![None]));
    drop(map);
    assert_eq!(read_back(cluster.bootstrap_servers(), &topic, 4, 2000, T30).len(), 2000);
}

#[test]
fn queue_full_hands_the_record_back_and_recovers() {
    let topic = unique_topic("qfull");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let mut config = config_for(&cluster);
    config.set("queue.buffering.max.messages", 10);
    let producer = Producer::new(&config).unwrap();
    let reports = Reports::default();
    for i in 0..10 {
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    let payload = b"eleventh".to_vec();
    let err = producer
        .produce(
            Record::new(&topic)
                .with_key("k11")
                .with_value(&payload)
                .with_null_header("h")
                .with_on_delivery(reports.closure(10)),
        )
        .unwrap_err();
    assert!(err.is_queue_full(), "{err}");
    assert_eq!(err.error().code(), ErrorCode::QUEUE_FULL);
    let record = err.into_record();
    assert_eq!(record.value(), Some(payload.as_slice()));
    assert_eq!(record.key(), Some(&b"k11"[..]));
    assert!(record.has_delivery_callback());
    assert_eq!(record.headers().unwrap().len(), 1);
    assert_eq!(reports.total(), 0, "no report for a message that was not queued");

    for b in 1..=3 {
        cluster.broker_up(b).unwrap();
    }
    // Serve reports until there is room, then retry the same record.
    let mut record = Some(record);
    assert!(wait_for(
        T30,
        || {
            producer.poll(Duration::from_millis(100)).unwrap();
        },
        || match producer.produce(record.take().unwrap()) {
            Ok(()) => true,
            Err(e) => {
                assert!(e.is_queue_full(), "{e}");
                record = Some(e.into_record());
                false
            }
        }
    ));
    producer.flush(T30).unwrap();
    assert!(reports.exactly_once(11).iter().all(Option::is_none));
}

#[test]
fn purge_gives_purge_reports() {
    let topic = unique_topic("purge");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let reports = Reports::default();
    for i in 0..50 {
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    assert!(producer.len() >= 50);
    producer.purge(ferrokafka::Purge::ALL).unwrap();
    producer.flush(T10).unwrap();
    let outcomes = reports.exactly_once(50);
    assert!(
        outcomes.iter().all(|e| *e == Some(ErrorCode::PURGE_QUEUE)),
        "{outcomes:?}"
    );
    assert_eq!(producer.len(), 0);
}

#[test]
fn message_timeout_while_brokers_are_down() {
    let topic = unique_topic("timeout");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let mut config = config_for(&cluster);
    config.set("message.timeout.ms", 1000);
    let producer = Producer::new(&config).unwrap();
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let reports = Reports::default();
    for i in 0..20 {
        let (r, s) = (reports.clone(), statuses.clone());
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(move |rep| {
                s.lock().unwrap().push(rep.status());
                r.record(i, rep.error().map(|e| e.code()));
            }))
            .unwrap();
    }
    producer.flush(T30).unwrap();
    let outcomes = reports.exactly_once(20);
    assert!(
        outcomes.iter().all(|e| *e == Some(ErrorCode::MSG_TIMED_OUT)),
        "{outcomes:?}"
    );
    assert!(statuses
        .lock()
        .unwrap()
        .iter()
        .all(|s| *s == MessageStatus::NOT_PERSISTED));
}

#[test]
fn idempotent_producer_survives_not_leader_errors_in_order_without_duplicates() {
    let topic = unique_topic("idem");
    let cluster = mock_with_topic(&topic, 1);
    cluster.push_request_errors(
        ApiKey::PRODUCE,
        &[
            ErrorCode::NOT_LEADER_FOR_PARTITION,
            ErrorCode::NOT_LEADER_FOR_PARTITION,
            ErrorCode::NOT_LEADER_FOR_PARTITION,
        ],
    );
    let mut config = config_for(&cluster);
    config
        .set("enable.idempotence", true)
        .set("batch.num.messages", 10)
        .set("linger.ms", 2);
    let producer = Producer::new(&config).unwrap();
    let reports = Reports::default();
    const N: usize = 1000;
    for i in 0..N {
        let v = i.to_string();
        producer
            .produce(Record::new(&topic).with_value(&v).with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    producer.flush(T30).unwrap();
    assert!(reports.exactly_once(N).iter().all(Option::is_none));
    let read = read_back(cluster.bootstrap_servers(), &topic, 1, N, T30);
    let ids: Vec<usize> = read
        .iter()
        .map(|m| {
            std::str::from_utf8(m.value.as_deref().unwrap())
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, (0..N).collect::<Vec<_>>(), "in order, no gaps, no duplicates");
    producer.close(T10).unwrap();
}

#[test]
fn transactions_commit_and_abort() {
    let topic = unique_topic("txn");
    let cluster = mock_with_topic(&topic, 1);
    let mut config = config_for(&cluster);
    config.set("transactional.id", unique_topic("txid"));
    let producer = Producer::new(&config).unwrap();
    producer.init_transactions(T30).unwrap();
    cluster.start_request_tracking();

    // Committed transaction, with consumer offsets for group "g".
    producer.begin_transaction().unwrap();
    let reports = Reports::default();
    for i in 0..10 {
        producer
            .produce(
                Record::new(&topic)
                    .with_value("committed")
                    .with_on_delivery(reports.closure(i)),
            )
            .unwrap();
    }
    let group = unique_topic("group");
    let md = ConsumerGroupMetadata::new(&group).unwrap();
    producer
        .send_offsets_to_transaction(&[TopicPartition::with_offset(&topic, 0, 7)], &md, T30)
        .unwrap();
    // commit serves the delivery reports on this thread.
    producer.commit_transaction(T30).unwrap();
    assert!(reports.exactly_once(10).iter().all(Option::is_none));

    // Aborted transaction: every message still gets one report.
    producer.begin_transaction().unwrap();
    let aborted = Reports::default();
    for i in 0..10 {
        producer
            .produce(
                Record::new(&topic)
                    .with_value("aborted")
                    .with_on_delivery(aborted.closure(i)),
            )
            .unwrap();
    }
    producer.abort_transaction(T30).unwrap();
    assert_eq!(aborted.exactly_once(10).len(), 10);

    // The producer goes on after an abort.
    producer.begin_transaction().unwrap();
    producer.produce(Record::new(&topic).with_value("after")).unwrap();
    producer.commit_transaction(T30).unwrap();

    // The offsets went to the coordinator inside the transaction. (The mock
    // does not store transactional offsets, so the group's committed offset
    // is checked against a real broker in tests/real_broker.rs.)
    let apis: Vec<ApiKey> = cluster.requests().iter().map(|r| r.api_key).collect();
    for api in [
        ApiKey::ADD_OFFSETS_TO_TXN,
        ApiKey::TXN_OFFSET_COMMIT,
        ApiKey::END_TXN,
        ApiKey::ADD_PARTITIONS_TO_TXN,
    ] {
        assert!(apis.contains(&api), "no {api:?} request among {apis:?}");
    }

    // A transactional call out of order is an error with the right flags.
    let e = producer.commit_transaction(T10).unwrap_err();
    assert_eq!(e.code(), ErrorCode::STATE, "{e:?}");
    assert!(!e.is_fatal());
    producer.close(T10).unwrap();
}

#[test]
fn fatal_error_comes_out_of_poll_and_every_message_gets_a_report() {
    let topic = unique_topic("fatal");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let mut config = config_for(&cluster);
    config.set("enable.idempotence", true);
    let errors = Arc::new(AtomicUsize::new(0));
    {
        let errors = errors.clone();
        config.set_error_cb(move |e| {
            assert!(!e.is_fatal(), "fatal errors do not reach error_cb");
            errors.fetch_add(1, Ordering::Relaxed);
        });
    }
    let producer = Producer::new(&config).unwrap();
    let reports = Reports::default();
    for i in 0..20 {
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    producer
        .test_fatal_error(ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER, "test")
        .unwrap();
    let fatal = loop {
        if let Err(e) = producer.poll(Duration::from_secs(10)) {
            break e;
        }
    };
    assert!(fatal.is_fatal(), "{fatal:?}");
    assert_eq!(fatal.code(), ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_eq!(
        producer.fatal_error().unwrap().unwrap().code(),
        ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER
    );
    let e = producer.produce(Record::new(&topic).with_value("after")).unwrap_err();
    assert!(e.error().is_fatal(), "{e:?}");
    // The queued messages were purged by librdkafka: each gets one report.
    let _ = producer.flush(T10);
    let outcomes = reports.exactly_once(20);
    assert!(outcomes.iter().all(|e| e.is_some()), "{outcomes:?}");
}

/// `flush` never returns `Ok` while messages are undelivered: with no
/// broker up, a zero and a short timeout both give a retriable `_TIMED_OUT`
/// whose `remaining()` counts exactly what was produced; nothing is lost
/// (the messages stay queued and are delivered once a broker is back, and
/// the next `flush` is `Ok`).
#[test]
fn flush_that_times_out_is_an_error_counting_what_is_left() {
    let topic = unique_topic("flush-left");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    // Nothing queued: Ok at once, whatever the timeout.
    producer.flush(Duration::ZERO).unwrap();
    let reports = Reports::default();
    for i in 0..25 {
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    for timeout in [Duration::ZERO, Duration::from_millis(1), Duration::from_millis(200)] {
        let err = producer.flush(timeout).unwrap_err();
        assert_eq!(err.code(), ErrorCode::TIMED_OUT, "{timeout:?}: {err}");
        assert!(err.is_retriable(), "{err}");
        assert_eq!(err.remaining(), Some(25), "{timeout:?}: {err}");
        assert!(err.message().contains("25 message(s)"), "{err}");
        assert_eq!(reports.total(), 0);
    }
    // A `?` on it in a function returning Box<dyn Error> keeps the count.
    let boxed: Box<dyn std::error::Error> = producer.flush(Duration::ZERO).unwrap_err().into();
    assert_eq!(
        boxed.downcast_ref::<ferrokafka::KafkaError>().unwrap().remaining(),
        Some(25)
    );
    for b in 1..=3 {
        cluster.broker_up(b).unwrap();
    }
    producer.flush(T30).unwrap();
    assert!(reports.exactly_once(25).iter().all(Option::is_none));
    assert_eq!(producer.len(), 0);
    // Other errors carry no count.
    producer.close(T10).unwrap();
    assert_eq!(producer.flush(Duration::ZERO).unwrap_err().remaining(), None);
}

#[test]
fn close_with_undelivered_messages_reports_each_once() {
    let topic = unique_topic("close");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let reports = Reports::default();
    for i in 0..100 {
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    let err = producer.close(Duration::from_millis(500)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TIMED_OUT);
    assert!(err.message().contains("100 message(s)"), "{err}");
    assert_eq!(err.remaining(), Some(100));
    let outcomes = reports.exactly_once(100);
    assert!(outcomes
        .iter()
        .all(|e| matches!(e, Some(c) if *c == ErrorCode::PURGE_QUEUE || *c == ErrorCode::PURGE_INFLIGHT)));
    // Closed: every method says so; close again is harmless.
    assert!(producer.is_closed());
    assert!(producer.poll(Duration::ZERO).unwrap_err().is_closed());
    assert!(producer.flush(Duration::ZERO).unwrap_err().is_closed());
    assert!(producer.produce(Record::new(&topic)).unwrap_err().error().is_closed());
    assert!(producer.list_topics(None, T10).unwrap_err().is_closed());
    assert!(producer.begin_transaction().unwrap_err().is_closed());
    assert_eq!(producer.len(), 0);
    producer.close(T10).unwrap();
}

#[test]
fn close_delivers_when_it_can() {
    let topic = unique_topic("close-ok");
    let cluster = mock_with_topic(&topic, 2);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let reports = Reports::default();
    for i in 0..500 {
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
            .unwrap();
    }
    producer.close(T30).unwrap();
    assert!(reports.exactly_once(500).iter().all(Option::is_none));
    assert_eq!(read_back(cluster.bootstrap_servers(), &topic, 2, 500, T30).len(), 500);
}

#[test]
fn drop_with_undelivered_messages_reports_each_once() {
    let topic = unique_topic("drop");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let reports = Reports::default();
    let dropped = Arc::new(AtomicUsize::new(0));
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    {
        let producer = Producer::new(&config_for(&cluster)).unwrap();
        for i in 0..100 {
            let guard = CountDrop(dropped.clone());
            let r = reports.clone();
            producer
                .produce(Record::new(&topic).with_value("x").with_on_delivery(move |rep| {
                    let _g = guard;
                    r.record(i, rep.error().map(|e| e.code()));
                }))
                .unwrap();
        }
        // Dropped without close or flush.
    }
    let outcomes = reports.exactly_once(100);
    assert!(outcomes
        .iter()
        .all(|e| matches!(e, Some(c) if *c == ErrorCode::PURGE_QUEUE || *c == ErrorCode::PURGE_INFLIGHT)));
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        100,
        "every closure dropped exactly once"
    );
}

#[test]
fn panicking_delivery_callback_comes_out_of_poll_and_the_rest_still_arrive() {
    let topic = unique_topic("panic-dr");
    let cluster = mock_with_topic(&topic, 1);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let reports = Reports::default();
    for i in 0..10 {
        let r = reports.clone();
        producer
            .produce(Record::new(&topic).with_value("x").with_on_delivery(move |rep| {
                r.record(i, rep.error().map(|e| e.code()));
                if i == 3 {
                    panic!("boom in delivery callback {i}");
                }
            }))
            .unwrap();
    }
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| producer.flush(T30)));
    let payload = caught.expect_err("the panic comes out of flush");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom in delivery callback 3")
    );
    // The producer is still usable and the other reports are still served.
    producer.flush(T30).unwrap();
    assert!(reports.exactly_once(10).iter().all(Option::is_none));
    producer.produce(Record::new(&topic).with_value("after")).unwrap();
    producer.flush(T30).unwrap();
}

fn catch_poll_panic(producer: &Producer, limit: Duration) -> String {
    let end = std::time::Instant::now() + limit;
    while std::time::Instant::now() < end {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            producer.poll(Duration::from_millis(100))
        })) {
            Err(p) => {
                return p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default()
            }
            Ok(r) => {
                r.unwrap();
            }
        }
    }
    panic!("no panic came out of poll within {limit:?}");
}

#[test]
fn panicking_error_callback_comes_out_of_poll() {
    let mut config = Config::new();
    config
        .set("bootstrap.servers", "127.0.0.1:1")
        .set("reconnect.backoff.ms", 10);
    let once = AtomicUsize::new(0);
    config.set_error_cb(move |e| {
        if once.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("error_cb saw {}", e.code().name())
        }
    });
    let producer = Producer::new(&config).unwrap();
    let msg = catch_poll_panic(&producer, T30);
    assert!(msg.starts_with("error_cb saw "), "{msg}");
    // Still usable: the next errors are served normally.
    producer.poll(Duration::from_millis(100)).unwrap();
    assert!(!producer.is_closed());
}

#[test]
fn panicking_stats_callback_comes_out_of_poll() {
    let cluster = MockCluster::new(1).unwrap();
    let mut config = config_for(&cluster);
    config.set("statistics.interval.ms", 100);
    let calls = Arc::new(AtomicUsize::new(0));
    {
        let calls = calls.clone();
        config.set_stats_cb(move |json| {
            assert!(json.starts_with('{'));
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("stats_cb panic");
            }
        });
    }
    let producer = Producer::new(&config).unwrap();
    assert_eq!(catch_poll_panic(&producer, T30), "stats_cb panic");
    // The next statistics still arrive.
    assert!(wait_for(
        T30,
        || {
            producer.poll(Duration::from_millis(100)).unwrap();
        },
        || calls.load(Ordering::SeqCst) >= 2
    ));
}

#[test]
fn panicking_logger_comes_out_of_poll() {
    let mut config = Config::new();
    config.set("bootstrap.servers", "127.0.0.1:1").set("debug", "broker");
    let lines = Arc::new(AtomicUsize::new(0));
    {
        let lines = lines.clone();
        config.set_logger(move |rec| {
            assert!(!rec.facility.is_empty());
            if lines.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("logger panic");
            }
        });
    }
    let producer = Producer::new(&config).unwrap();
    assert_eq!(catch_poll_panic(&producer, T30), "logger panic");
    assert!(wait_for(
        T30,
        || {
            producer.poll(Duration::from_millis(100)).unwrap();
        },
        || lines.load(Ordering::SeqCst) >= 2
    ));
}

#[test]
fn config_errors_name_the_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("no.such.property", "1")], "no.such.property"),
        (&[("acks", "sometimes")], "acks"),
        (&[("linger.ms", "-5")], "linger.ms"),
        (&[("enable.idempotence", "true"), ("acks", "1")], "acks"),
        (
            &[
                ("enable.idempotence", "true"),
                ("max.in.flight.requests.per.connection", "10"),
            ],
            "max.in.flight",
        ),
        (&[("delivery.report.only.error", "maybe")], "delivery.report.only.error"),
    ];
    for (pairs, key) in cases {
        let config: Config = pairs.iter().copied().collect();
        let err = Producer::new(&config).unwrap_err();
        assert_eq!(err.code(), ErrorCode::INVALID_ARG, "{pairs:?}: {err}");
        assert!(err.message().contains(key), "{pairs:?}: {err} does not name {key}");
    }
}

#[test]
fn config_errors_never_echo_secrets() {
    // librdkafka's own message quotes the key file path (a sensitive
    // property): it must come out redacted.
    let secret = "/nonexistent/S3NT1NEL-secret-key.pem";
    let mut config = Config::new();
    config.set("security.protocol", "ssl").set("ssl.key.location", secret);
    let err = Producer::new(&config).unwrap_err();
    assert_eq!(err.code(), ErrorCode::INVALID_ARG);
    assert!(!format!("{err} {err:?}").contains("S3NT1NEL"), "{err}");
    assert!(
        err.message().contains("[REDACTED]") || err.message().contains("ssl.key.location"),
        "{err}"
    );
    // A bad value for a sensitive key is not quoted either.
    let mut config = Config::new();
    config.set("ssl.key.password", "S3NT1NEL\0tail");
    let err = Producer::new(&config).unwrap_err();
    assert!(err.message().contains("ssl.key.password"), "{err}");
    assert!(
        !format!("{err:?} {config:?}").contains("S3NT1NEL"),
        "{err:?} {config:?}"
    );
}

#[test]
fn delivery_report_only_error_is_emulated() {
    let topic = unique_topic("only-err");
    let cluster = mock_with_topic(&topic, 1);
    let mut config = config_for(&cluster);
    config
        .set("delivery.report.only.error", true)
        .set("message.timeout.ms", 1000);
    let producer = Producer::new(&config).unwrap();
    let reports = Reports::default();
    let dropped = Arc::new(AtomicUsize::new(0));
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    for i in 0..5 {
        let (r, g) = (reports.clone(), CountDrop(dropped.clone()));
        producer
            .produce(Record::new(&topic).with_value("ok").with_on_delivery(move |rep| {
                let _g = g;
                r.record(i, rep.error().map(|e| e.code()));
            }))
            .unwrap();
    }
    producer.flush(T30).unwrap();
    assert_eq!(reports.total(), 0, "successes are not reported");
    assert_eq!(dropped.load(Ordering::SeqCst), 5, "but their closures are freed");
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    producer
        .produce(
            Record::new(&topic)
                .with_value("fails")
                .with_on_delivery(reports.closure(99)),
        )
        .unwrap();
    producer.flush(T30).unwrap();
    assert_eq!(reports.total(), 1, "failures are reported");
}

#[test]
fn bad_produce_input_is_rejected_with_the_record() {
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic("t", 2, 1).unwrap();
    let mut config = config_for(&cluster);
    config.set("message.max.bytes", 10_000);
    let producer = Producer::new(&config).unwrap();
    // Learn the partition count first so out-of-range partitions fail at once.
    producer.list_topics(Some("t"), T10).unwrap();
    let big = vec![0u8; 20_000];
    let cases: Vec<(Record<'_>, ErrorCode, &str)> = vec![
        (Record::new(""), ErrorCode::INVALID_ARG, "topic name"),
        (Record::new("bad topic!"), ErrorCode::INVALID_ARG, "bad topic!"),
        (
            Record::new("t").with_partition(-7),
            ErrorCode::INVALID_ARG,
            "partition -7",
        ),
        (Record::new("t").with_timestamp(-1), ErrorCode::INVALID_ARG, "timestamp"),
        (
            Record::new("t").with_header_bytes(b"a\0b", None),
            ErrorCode::INVALID_ARG,
            "NUL",
        ),
        (Record::new("t").with_value(&big), ErrorCode::MSG_SIZE_TOO_LARGE, ""),
        (Record::new("t").with_partition(5), ErrorCode::UNKNOWN_PARTITION, ""),
    ];
    for (rec, code, text) in cases {
        let err = producer.produce(rec).unwrap_err();
        assert_eq!(err.error().code(), code, "{err}");
        assert!(err.error().message().contains(text), "{err}");
    }
    producer.flush(T10).unwrap();
}

#[test]
fn list_topics_and_cluster_id() {
    let topic = unique_topic("meta");
    let cluster = mock_with_topic(&topic, 3);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let md = producer.list_topics(None, T10).unwrap();
    assert_eq!(md.brokers.len(), 3);
    let t = &md.topics[&topic];
    assert_eq!(t.partitions.len(), 3);
    assert!(t.error.is_none());
    assert!(t
        .partitions
        .values()
        .all(|p| (1..=3).contains(&p.leader) && p.replicas.len() == 3));
    let one = producer.list_topics(Some(&topic), T10).unwrap();
    assert_eq!(one.topics.len(), 1);
    assert!(producer.cluster_id(T10).unwrap().is_some());
    assert!(producer.name().unwrap().contains("producer"));
}

#[test]
fn custom_partitioner_is_used_and_its_panic_comes_out_of_poll() {
    let topic = unique_topic("partitioner");
    let cluster = mock_with_topic(&topic, 4);
    let mut config = config_for(&cluster);
    config.set_partitioner(|_topic, key, count| {
        if key == Some(b"panic".as_slice()) {
            panic!("partitioner panic");
        }
        count - 1
    });
    let producer = Producer::new(&config).unwrap();
    let partitions = Arc::new(Mutex::new(Vec::new()));
    for key in ["a", "b", "panic", "c"] {
        let p = partitions.clone();
        producer
            .produce(
                Record::new(&topic)
                    .with_key(key)
                    .with_value("v")
                    .with_on_delivery(move |r| p.lock().unwrap().push(r.partition())),
            )
            .unwrap();
    }
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| producer.flush(T30)));
    assert!(
        caught.is_err(),
        "the partitioner's panic comes out of the next serving call"
    );
    producer.flush(T30).unwrap();
    let parts = partitions.lock().unwrap().clone();
    assert_eq!(parts.len(), 4, "every message was still delivered: {parts:?}");
    assert_eq!(parts.iter().filter(|p| **p == Some(3)).count(), 3, "{parts:?}");
}

#[test]
fn builtin_partitioners_match_librdkafka() {
    use ferrokafka::partitioners;
    // Hashes from librdkafka's unit tests (rdmurmur2.c: Java's murmur2 of
    // "kafka" is 0xd067cf64; rdfnv1a.c: Go's FNV-1a is 0x0d33c4e1) and
    // CRC-32 of "kafka" (0x5bbc7517, as Python's zlib.crc32 gives).
    let kafka = Some(b"kafka".as_slice());
    assert_eq!(
        partitioners::murmur2(kafka, i32::MAX).unwrap(),
        0xd067_cf64u32 as i32 & 0x7fff_ffff
    );
    assert_eq!(partitioners::fnv1a(kafka, i32::MAX).unwrap(), 0x0d33_c4e1);
    assert_eq!(partitioners::consistent(kafka, i32::MAX).unwrap(), 0x5bbc_7517);
    assert_eq!(partitioners::consistent(kafka, 12).unwrap(), 0x5bbc_7517 % 12);
    for n in [1, 3, 7, 100] {
        for key in [&b""[..], b"a", b"hello world", b"\x00\xff"] {
            let m = partitioners::murmur2(Some(key), n).unwrap();
            let c = partitioners::consistent(Some(key), n).unwrap();
            let f = partitioners::fnv1a(Some(key), n).unwrap();
            assert!((0..n).contains(&m) && (0..n).contains(&c) && (0..n).contains(&f));
        }
    }
    let e = partitioners::murmur2(Some(b"k".as_slice()), 0).unwrap_err();
    assert!(e.message().contains("partition_count must be > 0, got 0"));
    assert!(partitioners::consistent(None, -3).is_err());
}

/// Issue 12: `close` aborts a transaction left open (as Python 2.16's
/// does) — with delivered messages (an EndTxn goes to the coordinator),
/// with messages still queued (purged; whether librdkafka had registered
/// the partition yet is a race, so no EndTxn count is asserted), or empty
/// — and only then: after a commit or an abort, close sends no EndTxn.
/// Every message gets exactly one report; the producer can't be used after.
#[test]
fn close_aborts_an_open_transaction_and_only_then() {
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Before {
        OpenDelivered,
        OpenQueued,
        OpenEmpty,
        Committed,
        Aborted,
    }
    for before in [
        Before::OpenDelivered,
        Before::OpenQueued,
        Before::OpenEmpty,
        Before::Committed,
        Before::Aborted,
    ] {
        let topic = unique_topic("txn-close");
        let cluster = mock_with_topic(&topic, 1);
        let mut config = config_for(&cluster);
        config.set("transactional.id", unique_topic("txid")).set("linger.ms", 5);
        let producer = Producer::new(&config).unwrap();
        producer.init_transactions(T30).unwrap();
        producer.begin_transaction().unwrap();
        let reports = Reports::default();
        let n = if before == Before::OpenEmpty { 0 } else { 20 };
        for i in 0..n {
            producer
                .produce(Record::new(&topic).with_value("x").with_on_delivery(reports.closure(i)))
                .unwrap();
        }
        match before {
            Before::OpenDelivered => producer.flush(T30).unwrap(),
            Before::Committed => producer.commit_transaction(T30).unwrap(),
            Before::Aborted => producer.abort_transaction(T30).unwrap(),
            _ => {}
        }
        cluster.start_request_tracking();
        producer.close(T30).unwrap_or_else(|e| panic!("{before:?}: {e}"));
        let end_txns = cluster
            .requests()
            .iter()
            .filter(|r| r.api_key == ApiKey::END_TXN)
            .count();
        match before {
            Before::OpenDelivered => assert_eq!(end_txns, 1, "{before:?}: close did not abort on the broker"),
            Before::OpenQueued => assert!(end_txns <= 1, "{before:?}: {end_txns} EndTxn"),
            _ => assert_eq!(end_txns, 0, "{before:?}: close sent an EndTxn"),
        }
        let outcomes = reports.exactly_once(n);
        if before == Before::OpenQueued {
            assert!(
                outcomes.iter().all(|e| e.is_none()
                    || matches!(e, Some(c) if *c == ErrorCode::PURGE_QUEUE || *c == ErrorCode::PURGE_INFLIGHT)),
                "{before:?}: {outcomes:?}"
            );
        }
        assert!(producer.is_closed());
        assert!(producer.begin_transaction().unwrap_err().is_closed());
    }
}

/// Issue 12: `produce_batch` over every placement of bad records among six
/// (64 batches): the count is of the records queued, `failed` lists the
/// others by index in batch order with the record handed back, each queued
/// record gets exactly one report and a failed one none. Also: an empty
/// batch, a full queue mid-batch (the rest come back, retried after a
/// flush), and a closed producer (everything comes back).
#[test]
fn produce_batch_reports_each_record() {
    let topic = unique_topic("batch");
    let cluster = mock_with_topic(&topic, 2);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    // With the topic's metadata known, an unknown partition fails at once
    // (before, librdkafka queues the record and fails its delivery).
    producer.produce(Record::new(&topic).with_value("warm-up")).unwrap();
    producer.flush(T30).unwrap();
    let empty = producer.produce_batch(std::iter::empty());
    assert_eq!((empty.accepted(), empty.is_complete()), (0, true));
    let reports = Reports::default();
    let bad_kinds = ["partition -2", "unknown partition", "bad topic"];
    let mut id = 0;
    for mask in 0u32..64 {
        let mut ids = Vec::new();
        let records: Vec<Record> = (0..6)
            .map(|i| {
                ids.push(id);
                let rec = if mask & (1 << i) != 0 {
                    match (mask as usize + i) % 3 {
                        0 => Record::new(&topic).with_partition(-2),
                        1 => Record::new(&topic).with_partition(99),
                        _ => Record::new("bad topic!"),
                    }
                } else {
                    Record::new(&topic)
                };
                let r = rec.with_value("v").with_on_delivery(reports.closure(id));
                id += 1;
                r
            })
            .collect();
        let outcome = producer.produce_batch(records);
        let bad: Vec<usize> = (0..6).filter(|i| mask & (1 << i) != 0).collect();
        assert_eq!(outcome.accepted(), 6 - bad.len(), "mask {mask:06b}");
        assert_eq!(outcome.is_complete(), bad.is_empty());
        let failed: Vec<usize> = outcome.failed().iter().map(|(i, _)| *i).collect();
        assert_eq!(failed, bad, "mask {mask:06b}");
        for (_, e) in outcome.failed() {
            assert!(e.record().has_delivery_callback());
            assert!(!e.is_queue_full(), "{bad_kinds:?}: {e}");
        }
        if let Some((i, _)) = outcome.failed().first() {
            let first = *i;
            let e = producer
                .produce_batch((0..6).map(|j| {
                    if j == first {
                        Record::new(&topic).with_partition(-2)
                    } else {
                        Record::new(&topic)
                    }
                }))
                .into_result()
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::INVALID_ARG);
        }
    }
    producer.flush(T30).unwrap();
    // Every record queued got one report; failed ones got none.
    let map = reports.0.lock().unwrap().clone();
    let queued = (0..64u32).map(|m| 6 - m.count_ones() as usize).sum::<usize>();
    assert_eq!(map.len(), queued);
    assert!(map.values().all(|v| v.len() == 1 && v[0].is_none()));

    // A full queue mid-batch: the rest come back, to retry after a flush.
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let mut small = config_for(&cluster);
    small.set("queue.buffering.max.messages", 5);
    let limited = Producer::new(&small).unwrap();
    let outcome = limited.produce_batch((0..8).map(|_| Record::new(&topic).with_value("v")));
    assert_eq!(outcome.accepted(), 5);
    assert_eq!(
        outcome.failed().iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        vec![5, 6, 7]
    );
    assert!(outcome.failed().iter().all(|(_, e)| e.is_queue_full()));
    for b in 1..=3 {
        cluster.broker_up(b).unwrap();
    }
    limited.flush(T30).unwrap();
    let retry = limited.produce_batch(outcome.into_failed().into_iter().map(|(_, e)| e.into_record()));
    assert_eq!(retry.into_result().unwrap(), 3);
    limited.flush(T30).unwrap();

    // Closed: every record comes back with the closed error.
    limited.close(T10).unwrap();
    let outcome = limited.produce_batch((0..3).map(|_| Record::new(&topic)));
    assert_eq!(outcome.accepted(), 0);
    assert!(outcome.failed().iter().all(|(_, e)| e.error().is_closed()));
}

/// A delivery callback that panics inside `commit_transaction` does not
/// stop the commit (the panic comes out after it), and the transaction is
/// then over: `close` has nothing to abort and succeeds.
#[test]
fn a_panic_during_commit_leaves_no_transaction_for_close() {
    let topic = unique_topic("txn-panic");
    let cluster = mock_with_topic(&topic, 1);
    let mut config = config_for(&cluster);
    config.set("transactional.id", unique_topic("txid"));
    let producer = Producer::new(&config).unwrap();
    producer.init_transactions(T30).unwrap();
    producer.begin_transaction().unwrap();
    producer
        .produce(
            Record::new(&topic)
                .with_value("x")
                .with_on_delivery(|_| panic!("delivery boom")),
        )
        .unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| producer.commit_transaction(T30)));
    assert!(caught.is_err(), "the panic comes out of commit_transaction");
    cluster.start_request_tracking();
    producer.close(T30).unwrap();
    assert!(!cluster.requests().iter().any(|r| r.api_key == ApiKey::END_TXN));
}
