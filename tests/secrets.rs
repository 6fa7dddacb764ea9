//! Secrets never leak (issue 7, item 4): with every sensitive property set
//! to a sentinel, `Debug` output, errors, panic messages and librdkafka's
//! logs (`debug=all`, through `Config::set_logger` and through the `log`
//! crate) never contain it. Message payloads are data too: a failed
//! delivery's error never quotes the payload.

mod common;

use common::*;
use ferrokafka::{ErrorCode, Producer, Record};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T10: Duration = Duration::from_secs(10);

/// A failed delivery report's error message is librdkafka's description of
/// the error code, never the message's payload.
///
/// librdkafka's `rd_kafka_message_errstr` returns the payload of an errored
/// message as its error string (that is how consumer errors carry their
/// text) and documents "MUST NOT be used with the producer": on a delivery
/// report it handed back the user's payload, which is not NUL-terminated, so
/// reading it as a C string also read past the end of librdkafka's buffer
/// (valgrind: "Invalid read of size 1 ... 0 bytes after a block").
#[test]
fn a_failed_delivery_never_quotes_the_payload() {
    let topic = unique_topic("payload-secret");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let seen: Arc<Mutex<Vec<(ErrorCode, String, String)>>> = Arc::default();
    // Payload lengths around allocator granularity, so an over-read into
    // the next bytes shows up as extra text (and under valgrind as an error).
    for len in [1usize, 7, 8, 15, 16, 31, 100] {
        let payload: String = "PAYLOAD-SENTINEL-".chars().cycle().take(len).collect();
        let s = seen.clone();
        producer
            .produce(Record::new(&topic).value(payload.as_bytes()).on_delivery(move |r| {
                let e = r.error().expect("purged, so an error");
                s.lock()
                    .unwrap()
                    .push((e.code(), e.message().to_string(), format!("{e} / {e:?}")));
            }))
            .unwrap();
    }
    producer.purge(true, true, true).unwrap();
    assert_eq!(producer.flush(T10).unwrap(), 0);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 7);
    for (code, message, shown) in seen.iter() {
        assert_eq!(*code, ErrorCode::PURGE_QUEUE);
        assert_eq!(message, &ErrorCode::PURGE_QUEUE.description(), "{shown}");
        for needle in ["PAYLOAD", "SENTINEL"] {
            assert!(!message.contains(needle), "payload quoted in {message:?}");
        }
    }
}
