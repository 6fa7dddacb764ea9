//! Owned values (`Record::with_owned_value`): librdkafka references the
//! buffer without copying it, and the buffer is released once the
//! message's delivery report has been served.
//!
//! The promise covers every way a message ends — delivered, purged,
//! timed out, purged by `close` and by `Drop`, refused by `produce` — and
//! every way its report is observed: the configuration's `on_delivery`, a
//! per-message closure, an async send, nobody, and
//! `delivery.report.only.error` (the success report filtered). Each of
//! those is run with every kind of owned buffer (`Vec` with spare
//! capacity, `Box<[u8]>`, `String`, `Arc<[u8]>`, empty ones) on both
//! produce paths (`rd_kafka_produce`, and `rd_kafka_produceva` for records
//! with headers or a timestamp).
//!
//! Messages purged in flight (in produce requests the broker has not
//! answered) are covered as well as queued ones; half the async sends'
//! futures are dropped before their reports.
//!
//! What is checked: every report reads back the value it was produced
//! with; delivered values read back identically through an independent
//! consumer (rust-rdkafka); an `Arc<[u8]>` is held by its message from
//! `produce` until its report has been handed out (still held inside the
//! callback, released right after), and by nobody once every report was
//! served; a refused record hands back the very same buffer (same pointer,
//! same capacity). This binary runs under valgrind and AddressSanitizer too
//! (scripts/valgrind.sh, scripts/asan.sh), where a buffer freed while
//! librdkafka still reads it, freed twice, or never freed is an error.

mod common;

use common::*;
use ferrokafka::{Config, ErrorCode, OwnedValue, Producer, Record};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T30: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Vec,
    VecSpare,
    Boxed,
    Str,
    Shared,
    EmptyVec,
    EmptyShared,
}
const KINDS: [Kind; 7] = [
    Kind::Vec,
    Kind::VecSpare,
    Kind::Boxed,
    Kind::Str,
    Kind::Shared,
    Kind::EmptyVec,
    Kind::EmptyShared,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Observer {
    /// The configuration's `on_delivery` (if the producer has one).
    Config,
    /// A per-message closure.
    Closure,
    /// `Producer::send`'s future.
    Async,
}
const OBSERVERS: [Observer; 3] = [Observer::Config, Observer::Closure, Observer::Async];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// `rd_kafka_produce`.
    Plain,
    /// `rd_kafka_produceva`, with a header.
    Headers,
    /// `rd_kafka_produceva`, with a timestamp.
    Timestamp,
}
const PATHS: [Path; 3] = [Path::Plain, Path::Headers, Path::Timestamp];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Delivered,
    Purged,
    /// Purged while the messages are in produce requests the broker has
    /// not answered (it answers only after 30 s).
    PurgedInFlight,
    TimedOut,
    Closed,
    Dropped,
}

/// The value of message `id`: its id first (so a report can be matched),
/// then filler; lengths vary with the id (one byte to 100 KB). Empty kinds
/// are empty.
fn value_of(id: usize, kind: Kind) -> Vec<u8> {
    if matches!(kind, Kind::EmptyVec | Kind::EmptyShared) {
        return Vec::new();
    }
    let len = [12, 1000, 100_000][id % 3];
    let mut v = format!("{id:08}:").into_bytes();
    v.resize(len, b'a' + (id % 26) as u8);
    v
}

fn id_of(value: &[u8]) -> Option<usize> {
    std::str::from_utf8(value.get(..8)?).ok()?.parse().ok()
}

/// What the test knows about the messages of one run.
#[derive(Default)]
struct Book {
    /// Expected value by id.
    values: HashMap<usize, Vec<u8>>,
    /// The test's own reference to each `Arc<[u8]>` value, by id.
    witnesses: HashMap<usize, Arc<[u8]>>,
    /// Reports seen (by id), and what was wrong with any.
    reports: HashMap<usize, Vec<Option<ErrorCode>>>,
    problems: Vec<String>,
}

type Shared = Arc<Mutex<Book>>;

/// Records a report: its value must be the message's own, and a shared
/// value must still be held by the message while its report is out.
fn observe(book: &Shared, id: usize, value: Option<&[u8]>, err: Option<ErrorCode>) {
    let mut b = book.lock().unwrap();
    let expected = b.values.get(&id).cloned();
    let got = value.unwrap_or_default();
    // Empty values carry no id (they come as `usize::MAX`).
    if id != usize::MAX && expected.as_deref() != Some(got) {
        b.problems.push(format!(
            "report of message {id} reads {} bytes, not its value",
            got.len()
        ));
    }
    if let Some(w) = b.witnesses.get(&id) {
        if !w.is_empty() && Arc::strong_count(w) != 2 {
            let n = Arc::strong_count(w);
            b.problems.push(format!(
                "shared value of message {id} has {n} holders inside its report (want 2)"
            ));
        }
    }
    b.reports.entry(id).or_default().push(err);
}

fn owned(id: usize, kind: Kind, book: &Shared) -> OwnedValue {
    let v = value_of(id, kind);
    book.lock().unwrap().values.insert(id, v.clone());
    match kind {
        Kind::Vec | Kind::EmptyVec => OwnedValue::from(v),
        Kind::VecSpare => {
            let mut w = Vec::with_capacity(v.len() + 17);
            w.extend_from_slice(&v);
            OwnedValue::from(w)
        }
        Kind::Boxed => OwnedValue::from(v.into_boxed_slice()),
        Kind::Str => OwnedValue::from(String::from_utf8(v).unwrap()),
        Kind::Shared | Kind::EmptyShared => {
            let a: Arc<[u8]> = Arc::from(v);
            book.lock().unwrap().witnesses.insert(id, a.clone());
            OwnedValue::from(a)
        }
    }
}

fn run(end: End, config_cb: bool, only_error: bool) {
    let topic = unique_topic("owned");
    let cluster = mock_with_topic(&topic, 2);
    let book: Shared = Arc::default();
    let mut config = config_for(&cluster);
    if only_error {
        config.set("delivery.report.only.error", "true");
    }
    if end == End::TimedOut {
        config.set("message.timeout.ms", "300");
    }
    if config_cb {
        let b = book.clone();
        config.set_on_delivery(move |r| match r.value().and_then(id_of) {
            Some(id) => observe(&b, id, r.value(), r.error().map(|e| e.code())),
            // Empty values carry no id: counted apart.
            None => observe(&b, usize::MAX, None, r.error().map(|e| e.code())),
        });
    }
    match end {
        End::Delivered => {}
        End::PurgedInFlight => {}
        _ => {
            for b in cluster.broker_ids() {
                cluster.broker_down(b).unwrap();
            }
        }
    }
    let producer = Producer::new(&config).unwrap();
    if end == End::PurgedInFlight {
        // Connected to every partition's leader and with metadata first
        // (the brokers' slowness would hold a new connection's handshake
        // up too), then brokers that answer only after 30 s.
        for partition in 0..2 {
            producer
                .produce(
                    Record::new(&topic)
                        .with_partition(partition)
                        .with_value("warm-up")
                        .with_on_delivery(|_| {}),
                )
                .unwrap();
        }
        producer.flush(T30).unwrap();
        for b in cluster.broker_ids() {
            cluster.set_broker_rtt(b, Duration::from_secs(30)).unwrap();
        }
        cluster.start_request_tracking();
    }
    let mut futures = Vec::new();
    let mut expected_reports = HashMap::new();
    let mut empty_config_reports = 0;
    let mut id = 0;
    for kind in KINDS {
        for observer in OBSERVERS {
            for path in PATHS {
                let mut rec = Record::new(&topic).with_owned_value(owned(id, kind, &book));
                assert!(rec.has_owned_value());
                match path {
                    Path::Plain => {}
                    Path::Headers => rec = rec.with_header("h", "v"),
                    Path::Timestamp => rec = rec.with_timestamp(1_700_000_000_000 + id as i64),
                }
                let filtered = only_error && end == End::Delivered;
                match observer {
                    Observer::Config => {
                        producer.produce(rec).unwrap();
                        if config_cb && !filtered {
                            if value_of(id, kind).is_empty() {
                                empty_config_reports += 1;
                            } else {
                                expected_reports.insert(id, 1);
                            }
                        }
                    }
                    Observer::Closure => {
                        let b = book.clone();
                        let me = id;
                        producer
                            .produce(
                                rec.with_on_delivery(move |r| observe(&b, me, r.value(), r.error().map(|e| e.code()))),
                            )
                            .unwrap();
                        if !filtered {
                            expected_reports.insert(id, 1);
                        }
                    }
                    Observer::Async => {
                        let f = producer.send(rec);
                        // Half the futures are dropped at once: their
                        // messages stay queued and own their values.
                        if id % 2 == 0 {
                            futures.push((id, f));
                        }
                    }
                }
                id += 1;
            }
        }
    }
    // No report was served yet: every shared value is still held by its
    // message.
    {
        let b = book.lock().unwrap();
        for (id, w) in &b.witnesses {
            if !w.is_empty() {
                assert_eq!(
                    Arc::strong_count(w),
                    2,
                    "{end:?}: message {id} let go of its value before its report"
                );
            }
        }
    }
    let want_err = match end {
        End::Delivered => None,
        End::Purged => {
            producer.purge(ferrokafka::Purge::ALL).unwrap();
            producer.flush(T30).unwrap();
            Some(ErrorCode::PURGE_QUEUE)
        }
        End::PurgedInFlight => {
            // Wait until produce requests carry the values, unanswered.
            let sent = wait_for(
                T30,
                || {
                    producer.poll(Duration::from_millis(20)).unwrap();
                },
                || {
                    cluster
                        .requests()
                        .iter()
                        .any(|r| r.api_key == ferrokafka::ApiKey::PRODUCE)
                },
            );
            assert!(sent, "no produce request reached the broker");
            producer.purge(ferrokafka::Purge::ALL).unwrap();
            producer.flush(T30).unwrap();
            None
        }
        End::TimedOut => {
            producer.flush(T30).unwrap();
            Some(ErrorCode::MSG_TIMED_OUT)
        }
        End::Closed => {
            // With messages left, close says how many it purged.
            if let Err(e) = producer.close(Duration::ZERO) {
                assert_eq!(e.code(), ErrorCode::TIMED_OUT, "{e}");
            }
            Some(ErrorCode::PURGE_QUEUE)
        }
        End::Dropped => None,
    };
    if end == End::Delivered {
        producer.flush(T30).unwrap();
    }
    let futures_done: Vec<(usize, ferrokafka::Result<ferrokafka::Delivery>)> = if end == End::Dropped {
        drop(producer);
        futures
            .into_iter()
            .map(|(id, f)| (id, futures::executor::block_on(f)))
            .collect()
    } else {
        let r = futures
            .into_iter()
            .map(|(id, f)| (id, futures::executor::block_on(f)))
            .collect();
        drop(producer);
        r
    };
    for (id, r) in &futures_done {
        match (end, r) {
            (End::Delivered, Ok(_)) => {}
            (End::Delivered, Err(e)) => panic!("async message {id}: {e}"),
            (_, Ok(d)) => panic!("async message {id} delivered with brokers down: {d:?}"),
            (_, Err(e)) => {
                if let Some(code) = want_err {
                    assert_eq!(e.code(), code, "async message {id}");
                } else {
                    assert!(
                        e.code() == ErrorCode::PURGE_QUEUE || e.code() == ErrorCode::PURGE_INFLIGHT,
                        "async message {id}: {e}"
                    );
                }
            }
        }
    }
    let b = book.lock().unwrap();
    assert!(b.problems.is_empty(), "{end:?}: {:#?}", b.problems);
    for (id, n) in &expected_reports {
        let got = b.reports.get(id).map(Vec::len).unwrap_or(0);
        assert_eq!(
            got, *n,
            "{end:?} config_cb={config_cb} only_error={only_error}: message {id} got {got} reports"
        );
    }
    let unexpected: Vec<_> = b
        .reports
        .keys()
        .filter(|id| **id != usize::MAX && !expected_reports.contains_key(id))
        .collect();
    assert!(unexpected.is_empty(), "{end:?}: reports for {unexpected:?}");
    assert_eq!(
        b.reports.get(&usize::MAX).map(Vec::len).unwrap_or(0),
        empty_config_reports,
        "{end:?}: reports of empty values"
    );
    for (id, errs) in &b.reports {
        for e in errs {
            match (end, want_err) {
                (End::Delivered, _) => assert_eq!(*e, None, "message {id}"),
                (End::Dropped | End::PurgedInFlight, _) => assert!(
                    matches!(e, Some(c) if *c == ErrorCode::PURGE_QUEUE || *c == ErrorCode::PURGE_INFLIGHT),
                    "message {id}: {e:?}"
                ),
                (_, w) => assert_eq!(*e, w, "{end:?}: message {id}"),
            }
        }
    }
    if end == End::PurgedInFlight {
        let in_flight = b
            .reports
            .values()
            .flatten()
            .filter(|e| **e == Some(ErrorCode::PURGE_INFLIGHT))
            .count();
        assert!(in_flight > 0, "no message was purged in flight: {:?}", b.reports);
    }
    // Every report served: nobody but the test holds a shared value.
    for (id, w) in &b.witnesses {
        assert_eq!(
            Arc::strong_count(w),
            1,
            "{end:?}: shared value of message {id} not released"
        );
    }
    if end == End::Delivered {
        let n = id;
        let got = read_back(cluster.bootstrap_servers(), &topic, 2, n, T30);
        let mut got: Vec<Vec<u8>> = got.into_iter().map(|m| m.value.unwrap_or_default()).collect();
        let mut want: Vec<Vec<u8>> = b.values.values().cloned().collect();
        got.sort();
        want.sort();
        assert_eq!(got.len(), want.len(), "messages read back");
        assert!(got == want, "a value read back differs from the one produced");
    }
}

#[test]
fn delivered_values_read_back_and_are_released() {
    for (config_cb, only_error) in [(true, false), (false, false), (true, true)] {
        run(End::Delivered, config_cb, only_error);
    }
}

#[test]
fn purged_values_are_released_after_their_reports() {
    for (config_cb, only_error) in [(true, false), (false, false), (true, true)] {
        run(End::Purged, config_cb, only_error);
    }
}

#[test]
fn values_purged_in_flight_are_released_after_their_reports() {
    run(End::PurgedInFlight, true, false);
    run(End::PurgedInFlight, false, true);
}

#[test]
fn timed_out_values_are_released_after_their_reports() {
    run(End::TimedOut, true, false);
    run(End::TimedOut, false, true);
}

#[test]
fn close_releases_values_with_their_purge_reports() {
    run(End::Closed, true, false);
    run(End::Closed, false, true);
}

#[test]
fn drop_releases_values_with_their_purge_reports() {
    run(End::Dropped, true, false);
    run(End::Dropped, false, false);
}

/// A record `produce` refuses comes back with the very buffer it was given
/// (no copy was made, and the one it gets back is whole), on both paths.
#[test]
fn a_refused_record_hands_back_the_same_buffer() {
    let topic = unique_topic("owned-refused");
    let cluster = mock_with_topic(&topic, 1);
    let mut config = config_for(&cluster);
    config.set("message.max.bytes", "1000");
    let producer = Producer::new(&config).unwrap();
    for headers in [false, true] {
        let mut v = Vec::with_capacity(4000);
        v.resize(2000, b'x');
        let (ptr, cap) = (v.as_ptr(), v.capacity());
        let mut rec = Record::new(&topic).with_owned_value(v);
        if headers {
            rec = rec.with_header("h", "v");
        }
        let err = producer.produce(rec).unwrap_err();
        assert_eq!(err.error().code(), ErrorCode::MSG_SIZE_TOO_LARGE);
        let mut back = err.into_record();
        assert_eq!(back.value().map(<[u8]>::len), Some(2000));
        match back.take_owned_value() {
            Some(OwnedValue::Buffer(v)) => {
                assert_eq!((v.as_ptr(), v.capacity(), v.len()), (ptr, cap, 2000));
                assert!(v.iter().all(|b| *b == b'x'));
            }
            other => panic!("got back {other:?}"),
        }
        assert_eq!(back.value(), None);

        let shared: Arc<[u8]> = Arc::from(vec![b'y'; 2000]);
        let b = Arc::clone(&shared);
        let mut rec = Record::new(&topic)
            .with_owned_value(b)
            .with_on_delivery(|_| panic!("not produced"));
        if headers {
            rec = rec.with_timestamp(5);
        }
        let err = producer.produce(rec).unwrap_err();
        let mut back = err.into_record();
        assert!(back.has_delivery_callback());
        match back.take_owned_value() {
            Some(OwnedValue::Shared(a)) => assert!(Arc::ptr_eq(&a, &shared)),
            other => panic!("got back {other:?}"),
        }
        assert_eq!(
            Arc::strong_count(&shared),
            1,
            "the refused record's reference was dropped"
        );
    }
    // Refused after librdkafka built the message: the partitioner finds
    // no partition 5 in the known one-partition topic.
    producer.produce(Record::new(&topic).with_value("x")).unwrap();
    producer.flush(T30).unwrap();
    for headers in [false, true] {
        let v: Vec<u8> = vec![b'p'; 500];
        let ptr = v.as_ptr();
        let mut rec = Record::new(&topic).with_partition(5).with_owned_value(v);
        if headers {
            rec = rec.with_header("h", "v");
        }
        let err = producer.produce(rec).unwrap_err();
        assert_eq!(err.error().code(), ErrorCode::UNKNOWN_PARTITION, "{err}");
        match err.into_record().take_owned_value() {
            Some(OwnedValue::Buffer(v)) => assert_eq!((v.as_ptr(), v.len()), (ptr, 500)),
            other => panic!("got back {other:?}"),
        }
    }
}

/// A delivery closure that panics: the panic comes out of the serving
/// call, and the message's value is released all the same (as are the
/// values of the messages served after it).
#[test]
fn a_panicking_closure_still_releases_the_value() {
    let topic = unique_topic("owned-panic");
    let cluster = mock_with_topic(&topic, 1);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let shared: Arc<[u8]> = Arc::from(vec![b'q'; 70_000]);
    for i in 0..10 {
        let s = shared.clone();
        producer
            .produce(
                Record::new(&topic)
                    .with_owned_value(shared.clone())
                    .with_on_delivery(move |r| {
                        assert_eq!(r.value(), Some(&s[..]));
                        if i % 3 == 0 {
                            panic!("closure {i} panics");
                        }
                    }),
            )
            .unwrap();
    }
    let mut panics = 0;
    loop {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| producer.flush(T30))) {
            Ok(r) => {
                r.unwrap();
                break;
            }
            Err(_) => panics += 1,
        }
    }
    assert_eq!(panics, 4);
    assert_eq!(Arc::strong_count(&shared), 1, "every message's reference released");
}

/// A full queue hands the owned value back; produced again, it is
/// delivered whole.
#[test]
fn queue_full_hands_the_owned_value_back_for_the_retry() {
    let topic = unique_topic("owned-full");
    let cluster = mock_with_topic(&topic, 1);
    let mut config = config_for(&cluster);
    config.set("queue.buffering.max.messages", "1");
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let d = delivered.clone();
    config.set_on_delivery(move |r| d.lock().unwrap().push(r.value().map(<[u8]>::to_vec)));
    let producer = Producer::new(&config).unwrap();
    let shared: Arc<[u8]> = Arc::from(vec![b's'; 300]);
    for headers in [false, true] {
        let record = |v: OwnedValue| {
            let r = Record::new(&topic).with_owned_value(v);
            if headers {
                r.with_header("h", "v")
            } else {
                r
            }
        };
        producer.produce(record(shared.clone().into())).unwrap();
        let err = producer.produce(record(shared.clone().into())).unwrap_err();
        assert!(err.is_queue_full());
        assert_eq!(Arc::strong_count(&shared), 3, "queued message + refused record + ours");
        let err2 = producer.produce(record(vec![b's'; 300].into())).unwrap_err();
        assert!(err2.is_queue_full());
        for mut rec in [err.into_record(), err2.into_record()] {
            loop {
                producer.poll(Duration::from_millis(100)).unwrap();
                match producer.produce(rec) {
                    Ok(()) => break,
                    Err(e) if e.is_queue_full() => rec = e.into_record(),
                    Err(e) => panic!("{e}"),
                }
            }
        }
        producer.flush(T30).unwrap();
        assert_eq!(Arc::strong_count(&shared), 1);
    }
    let got = delivered.lock().unwrap();
    assert_eq!(got.len(), 6);
    assert!(got.iter().all(|v| v.as_deref() == Some(&shared[..])));
}

/// `with_value` after `with_owned_value` (and the reverse) replaces the
/// value; the replaced owned buffer is dropped at once.
#[test]
fn setting_another_value_replaces_the_owned_one() {
    let shared: Arc<[u8]> = Arc::from(&b"abc"[..]);
    let rec = Record::new("t").with_owned_value(shared.clone()).with_value("xyz");
    assert_eq!(Arc::strong_count(&shared), 1);
    assert!(!rec.has_owned_value());
    assert_eq!(rec.value(), Some(&b"xyz"[..]));
    let mut rec = Record::new("t").with_value("xyz").with_owned_value(shared.clone());
    assert_eq!(rec.value(), Some(&b"abc"[..]));
    let rec2 = rec.take_owned_value();
    assert!(matches!(rec2, Some(OwnedValue::Shared(_))));
    let mut rec = Record::new("t").with_value("xyz");
    assert!(rec.take_owned_value().is_none());
    assert_eq!(rec.value(), Some(&b"xyz"[..]), "a borrowed value stays");
    let _ = Config::new();
}
