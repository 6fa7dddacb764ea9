//! `SerializingProducer` and `DeserializingConsumer` (issue 13's typed
//! clients) on a `MockCluster`: every combination of null and present keys
//! and values through Python's plain serializers and Avro (and Avro, JSON
//! Schema and Protobuf round trips on the real broker); a serializer
//! failing on the key or the value side, a record librdkafka refuses, and
//! a serializer that panics: the record comes back whole, its delivery
//! closure is not called, and the producer's promise (one report per
//! message queued) holds; a key or value that cannot be deserialized comes
//! back with its message, and the consumer goes on with the next one.

mod common;

use ferrokafka::schema_registry::avro::AvroDeserializer;
use ferrokafka::schema_registry::avro::AvroSerializer;
use ferrokafka::schema_registry::json::{JsonDeserializer, JsonSerializer};
use ferrokafka::schema_registry::protobuf::prost_reflect::{MessageDescriptor, ReflectMessage};
use ferrokafka::schema_registry::protobuf::{parse_proto, ProtobufDeserializer, ProtobufSerializer};
use ferrokafka::schema_registry::{
    Deserializer, DeserializingConsumer, DoubleDeserializer, DoubleSerializer, IntegerDeserializer, IntegerSerializer,
    MessageField, MockSchemaRegistry, SchemaRegistryClient, SerdeError, SerdeErrorKind, SerializationContext,
    Serializer, SerializingProducer, StringDeserializer, StringSerializer,
};
use ferrokafka::{config, Consumer, ErrorCode, MockCluster, Producer, Record, TopicPartition};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn cluster(topic: &str) -> MockCluster {
    let c = MockCluster::new(1).unwrap();
    c.create_topic(topic, 1, 1).unwrap();
    c
}

fn producer(c: &MockCluster) -> Producer {
    Producer::new(&config! { "bootstrap.servers" => c.bootstrap_servers(), "linger.ms" => 1 }).unwrap()
}

fn consumer(c: &MockCluster, topic: &str) -> Consumer {
    let consumer = Consumer::new(&config! {
        "bootstrap.servers" => c.bootstrap_servers(), "group.id" => "g", "enable.auto.commit" => false,
    })
    .unwrap();
    consumer.assign(&[TopicPartition::with_offset(topic, 0, 0)]).unwrap();
    consumer
}

/// Polls `n` results (messages or errors) from a typed consumer.
fn poll_n<K, V>(
    c: &DeserializingConsumer<K, V>,
    n: usize,
) -> Vec<Result<ferrokafka::schema_registry::TypedMessage<K, V>, ferrokafka::schema_registry::ConsumeError>> {
    let mut out = Vec::new();
    let end = std::time::Instant::now() + LIMIT;
    while out.len() < n {
        assert!(std::time::Instant::now() < end, "{} of {n} within {LIMIT:?}", out.len());
        match c.poll(Duration::from_millis(200)) {
            Ok(None) => {}
            Ok(Some(m)) => out.push(Ok(m)),
            Err(e) => out.push(Err(e)),
        }
    }
    out
}

#[test]
fn null_and_present_keys_and_values_round_trip_through_the_plain_serializers() {
    let topic = common::unique_topic("typed-plain");
    let c = cluster(&topic);
    let p = SerializingProducer::new(producer(&c), StringSerializer, IntegerSerializer);
    let cases: Vec<(Option<&str>, Option<i32>)> = vec![
        (Some("a"), Some(1)),
        (None, Some(-2)),
        (Some("é中"), None),
        (None, None),
        (Some(""), Some(i32::MIN)),
        (Some("z"), Some(i32::MAX)),
    ];
    for (k, v) in &cases {
        p.produce(Record::new(&topic), *k, v.as_ref()).unwrap();
    }
    p.producer().flush(LIMIT).unwrap();
    let cons = DeserializingConsumer::new(consumer(&c, &topic), StringDeserializer, IntegerDeserializer);
    let got: Vec<(Option<String>, Option<i32>)> = poll_n(&cons, cases.len())
        .into_iter()
        .map(|r| {
            let (k, v, m) = r.unwrap().into_parts();
            // Null stays null on the wire too.
            assert_eq!(m.key().is_none(), k.is_none());
            assert_eq!(m.value().is_none(), v.is_none());
            (k, v)
        })
        .collect();
    let want: Vec<(Option<String>, Option<i32>)> = cases.iter().map(|(k, v)| (k.map(str::to_string), *v)).collect();
    assert_eq!(got, want);

    // Doubles, as Python's DoubleSerializer writes them (8 bytes, big-endian).
    let ctx = SerializationContext::value(&topic);
    for x in [0.0, -1.5, f64::MAX, f64::MIN_POSITIVE, f64::INFINITY] {
        let b = DoubleSerializer.serialize(&x, &ctx).unwrap();
        assert_eq!(b, x.to_be_bytes());
        assert_eq!(DoubleDeserializer.deserialize(&b, &ctx).unwrap(), x);
    }
    assert_eq!(IntegerSerializer.serialize(&258, &ctx).unwrap(), [0, 0, 1, 2]);
}

/// A header as a serializer saw it.
type SeenHeader = (String, Option<Vec<u8>>);

/// Fails on the input "bad", panics on "panic", and records the topic,
/// side and headers it saw.
#[derive(Default)]
struct Picky {
    seen: Mutex<Vec<(String, MessageField, Vec<SeenHeader>)>>,
}

impl Serializer<str> for Picky {
    fn serialize(&self, value: &str, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        let headers = ctx
            .headers
            .map(|h| {
                h.iter()
                    .map(|h| (h.name().unwrap_or_default().to_string(), h.value().map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default();
        self.seen
            .lock()
            .unwrap()
            .push((ctx.topic.to_string(), ctx.field, headers));
        match value {
            "bad" => Err(SerdeError::new(
                "Picky",
                true,
                ctx,
                SerdeErrorKind::Serialization("\"bad\" is refused".into()),
            )),
            "panic" => panic!("serializer panicked on purpose"),
            v => Ok(v.as_bytes().to_vec()),
        }
    }
}

#[test]
fn a_failing_serializer_hands_the_record_back_whole_and_reports_nothing() {
    let topic = common::unique_topic("typed-fail");
    let c = cluster(&topic);
    let picky = Arc::new(Picky::default());
    let p = SerializingProducer::<str, str>::new(producer(&c), Arc::clone(&picky), Arc::clone(&picky));
    let reports = Arc::new(AtomicUsize::new(0));
    let record = |tag: &'static str| {
        let reports = Arc::clone(&reports);
        Record::new(&topic)
            .with_partition(0)
            .with_timestamp(1_700_000_000_000)
            .with_header("tag", tag)
            .with_on_delivery(move |r| {
                assert!(r.is_ok(), "{:?}", r.error());
                reports.fetch_add(1, Ordering::SeqCst);
            })
    };
    let mut queued = 0;
    // Every side and cause: key bad, value bad, both bad (the key is
    // serialized first), a key or value panicking.
    for (k, v, side) in [
        ("bad", "ok", Some(MessageField::KEY)),
        ("ok", "bad", Some(MessageField::VALUE)),
        ("bad", "bad", Some(MessageField::KEY)),
        ("ok", "ok", None),
    ] {
        match p.produce(record("t"), Some(k), Some(v)) {
            Ok(()) => {
                assert_eq!(side, None);
                queued += 1;
            }
            Err(e) => {
                let serde = e.serde_error().expect("a serialization error");
                assert_eq!((serde.topic.as_str(), Some(serde.field)), (topic.as_str(), side));
                assert!(matches!(&serde.kind, SerdeErrorKind::Serialization(m) if m.contains("refused")));
                assert!(e.to_string().contains("Picky serialization of topic"), "{e}");
                let code = if side == Some(MessageField::KEY) {
                    ErrorCode::KEY_SERIALIZATION
                } else {
                    ErrorCode::VALUE_SERIALIZATION
                };
                assert_eq!(e.error().code(), code, "{e}");
                // The record, whole: retried with good input, it is
                // delivered and its closure called once.
                let back = e.into_record();
                assert_eq!(
                    (back.topic(), back.partition(), back.timestamp()),
                    (topic.as_str(), 0, 1_700_000_000_000)
                );
                assert_eq!(back.headers().unwrap().len(), 1);
                assert_eq!((back.key(), back.value()), (None, None));
                p.produce(back, Some("ok"), Some("retried")).unwrap();
                queued += 1;
            }
        }
    }
    for (k, v) in [("panic", "ok"), ("ok", "panic")] {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = p.produce(record("p"), Some(k), Some(v));
        }));
        assert!(r.is_err(), "the serializer's panic comes out of produce");
    }
    // A record librdkafka refuses (no such partition) comes back with its
    // closure, not called, and is delivered once fixed.
    let e = p
        .produce(record("x").with_partition(7), Some("ok"), Some("ok"))
        .unwrap_err();
    assert!(e.serde_error().is_none());
    assert_eq!(e.error().code(), ErrorCode::UNKNOWN_PARTITION, "{e}");
    let back = e.into_record();
    assert_eq!(back.partition(), 7);
    p.produce(back.with_partition(0), Some("ok"), Some("fixed")).unwrap();
    queued += 1;
    p.producer().flush(LIMIT).unwrap();
    assert_eq!(
        reports.load(Ordering::SeqCst),
        queued,
        "one report per record queued, none for the others"
    );

    // The serializers saw the topic, the side and the record's headers.
    let seen = picky.seen.lock().unwrap();
    assert!(seen
        .iter()
        .all(|(t, _, h)| t == &topic && h.len() == 1 && h[0].0 == "tag"));
    assert!(seen.iter().any(|(_, f, _)| *f == MessageField::KEY));
    assert!(seen.iter().any(|(_, f, _)| *f == MessageField::VALUE));

    // What reached the topic: the good values only, in order.
    let cons = DeserializingConsumer::new(consumer(&c, &topic), StringDeserializer, StringDeserializer);
    let values: Vec<String> = poll_n(&cons, queued)
        .into_iter()
        .map(|r| r.unwrap().value().unwrap().clone())
        .collect();
    assert_eq!(values, ["retried", "retried", "retried", "ok", "fixed"]);
}

#[test]
fn a_message_that_cannot_be_deserialized_comes_back_and_the_consumer_goes_on() {
    let topic = common::unique_topic("typed-bad");
    let c = cluster(&topic);
    let p = producer(&c);
    // key, value: good, bad key (3 bytes), bad value (not UTF-8), good.
    let rows: [(&[u8], &[u8]); 4] = [
        (&[0, 0, 0, 1], b"one"),
        (&[0, 0, 2], b"two"),
        (&[0, 0, 0, 3], &[0xff, 0xfe]),
        (&[0, 0, 0, 4], b"four"),
    ];
    for (k, v) in rows {
        p.produce(Record::new(&topic).with_key(k).with_value(v)).unwrap();
    }
    p.flush(LIMIT).unwrap();
    let cons = DeserializingConsumer::new(consumer(&c, &topic), IntegerDeserializer, StringDeserializer);
    let got = poll_n(&cons, 4);
    assert_eq!(got[0].as_ref().unwrap().key(), Some(&1));
    let e = got[1].as_ref().unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::KEY_DESERIALIZATION, "{e}");
    assert_eq!(e.message().unwrap().offset(), 1);
    assert_eq!(e.message().unwrap().key(), Some(&[0u8, 0, 2][..]));
    let e = got[2].as_ref().unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::VALUE_DESERIALIZATION, "{e}");
    assert_eq!(e.serde_error().unwrap().field, MessageField::VALUE);
    assert_eq!(e.message().unwrap().offset(), 2);
    let last = got[3].as_ref().unwrap();
    assert_eq!((last.key(), last.value().map(String::as_str)), (Some(&4), Some("four")));
    assert_eq!(last.message().offset(), 3);
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: i64,
    note: Option<String>,
}

const ORDER: &str = r#"{"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "long"}, {"name": "note", "type": ["null", "string"], "default": null}]}"#;

#[test]
fn avro_values_with_string_keys() {
    let topic = common::unique_topic("typed-avro");
    let c = cluster(&topic);
    let registry = MockSchemaRegistry::new().unwrap();
    let client = Arc::new(SchemaRegistryClient::new(&config! { "url" => registry.url() }).unwrap());
    let ser = AvroSerializer::new(Arc::clone(&client), Some(ORDER), Default::default()).unwrap();
    let p = SerializingProducer::<str, Order>::new(producer(&c), StringSerializer, ser);
    let orders = [
        Order { id: 1, note: None },
        Order {
            id: 2,
            note: Some("fragile".into()),
        },
    ];
    for o in &orders {
        p.produce(Record::new(&topic), Some(&o.id.to_string()), Some(o))
            .unwrap();
    }
    p.produce(Record::new(&topic), Some("tombstone"), None).unwrap();
    p.producer().flush(LIMIT).unwrap();
    let de = AvroDeserializer::new(client, None, Default::default()).unwrap();
    let cons = DeserializingConsumer::<String, Order>::new(consumer(&c, &topic), StringDeserializer, de);
    let got: Vec<(String, Option<Order>)> = poll_n(&cons, 3)
        .into_iter()
        .map(|r| {
            let (k, v, _) = r.unwrap().into_parts();
            (k.unwrap(), v)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("1".to_string(), Some(orders[0].clone())),
            ("2".to_string(), Some(orders[1].clone())),
            ("tombstone".to_string(), None),
        ]
    );
    // Registered under the topic's value subject, as Python's would be.
    assert_eq!(registry_subjects(&registry), vec![format!("{topic}-value")]);
}

fn registry_subjects(registry: &MockSchemaRegistry) -> Vec<String> {
    SchemaRegistryClient::new(&config! { "url" => registry.url() })
        .unwrap()
        .subjects()
        .unwrap()
}

/// `items` through `ser` → the real broker → `de`, with string keys from
/// `key`: every item back, in order.
fn real_broker_round_trip<T: Clone + PartialEq + std::fmt::Debug + 'static>(
    format: &str,
    client: Arc<SchemaRegistryClient>,
    ser: impl Serializer<T> + 'static,
    de: impl Deserializer<T> + 'static,
    items: &[T],
    key: impl Fn(&T) -> String,
) {
    let Some(bootstrap) = common::real_broker() else { return };
    let topic = common::unique_topic(&format!("typed-real-{format}"));
    common::kafka_tool(&["create-topic", &bootstrap, &topic, "1"], None);
    let producer = Producer::new(&config! { "bootstrap.servers" => bootstrap.as_str() }).unwrap();
    let p = SerializingProducer::<str, T>::new(producer, StringSerializer, ser);
    for item in items {
        p.produce(
            Record::new(&topic).with_partition(0),
            Some(key(item).as_str()),
            Some(item),
        )
        .unwrap();
    }
    p.producer().flush(LIMIT).unwrap();
    let consumer = Consumer::new(&config! {
        "bootstrap.servers" => bootstrap.as_str(), "group.id" => format!("g-{topic}"),
        "enable.auto.commit" => false,
    })
    .unwrap();
    consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    let cons = DeserializingConsumer::<String, T>::new(consumer, StringDeserializer, de);
    let got: Vec<T> = poll_n(&cons, items.len())
        .into_iter()
        .map(|r| {
            let m = r.unwrap();
            assert_eq!(m.key(), Some(&key(m.value().unwrap())));
            m.into_parts().1.unwrap()
        })
        .collect();
    assert_eq!(got, items, "{format}");
    cons.consumer().close(LIMIT).unwrap();
    // The registry has the schema under the topic's value subject.
    assert!(client.latest_version(&format!("{topic}-value")).is_ok(), "{format}");
}

fn orders() -> Vec<Order> {
    (0..20)
        .map(|i| Order {
            id: i,
            note: (i % 3 == 0).then(|| format!("note {i}")),
        })
        .collect()
}

fn registry_client() -> (MockSchemaRegistry, Arc<SchemaRegistryClient>) {
    let registry = MockSchemaRegistry::new().unwrap();
    let client = Arc::new(SchemaRegistryClient::new(&config! { "url" => registry.url() }).unwrap());
    (registry, client)
}

#[test]
fn avro_round_trip_on_the_real_broker() {
    let (_registry, client) = registry_client();
    let ser = AvroSerializer::new(Arc::clone(&client), Some(ORDER), Default::default()).unwrap();
    let de = AvroDeserializer::new(Arc::clone(&client), None, Default::default()).unwrap();
    real_broker_round_trip("avro", client, ser, de, &orders(), |o| o.id.to_string());
}

#[test]
fn json_schema_round_trip_on_the_real_broker() {
    let (_registry, client) = registry_client();
    let schema = r#"{"title": "Order", "type": "object",
        "properties": {"id": {"type": "integer"}, "note": {"type": ["string", "null"]}}, "required": ["id"]}"#;
    let ser = JsonSerializer::new(Arc::clone(&client), Some(schema), Default::default()).unwrap();
    let de = JsonDeserializer::new(Arc::clone(&client), None, Default::default()).unwrap();
    real_broker_round_trip("json", client, ser, de, &orders(), |o| o.id.to_string());
}

/// The Order in Protobuf, as prost-build would generate it.
#[derive(Clone, PartialEq, prost::Message)]
struct PbOrder {
    #[prost(int64, tag = "1")]
    id: i64,
    #[prost(string, optional, tag = "2")]
    note: Option<String>,
}

fn pb_order_type() -> MessageDescriptor {
    static POOL: std::sync::OnceLock<ferrokafka::schema_registry::protobuf::prost_reflect::DescriptorPool> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        parse_proto(
            "typed_order.proto",
            r#"syntax = "proto3"; package typed; message Order { int64 id = 1; optional string note = 2; }"#,
        )
        .unwrap()
    })
    .get_message_by_name("typed.Order")
    .unwrap()
}

impl ReflectMessage for PbOrder {
    fn descriptor(&self) -> MessageDescriptor {
        pb_order_type()
    }
}

#[test]
fn protobuf_round_trip_on_the_real_broker() {
    let (_registry, client) = registry_client();
    let ser = ProtobufSerializer::new(Arc::clone(&client), pb_order_type(), Default::default()).unwrap();
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let items: Vec<PbOrder> = orders()
        .into_iter()
        .map(|o| PbOrder { id: o.id, note: o.note })
        .collect();
    real_broker_round_trip("protobuf", client, ser, de, &items, |o| o.id.to_string());
}

/// Fails every time, naming the wrong side, direction and topic.
struct Liar;

impl Serializer<str> for Liar {
    fn serialize(&self, _: &str, _: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        let elsewhere = SerializationContext::value("some-other-topic");
        Err(SerdeError::new(
            "Liar",
            false,
            &elsewhere,
            SerdeErrorKind::Serialization("no".into()),
        ))
    }
}

impl Deserializer<String> for Liar {
    fn deserialize(&self, _: &[u8], _: &SerializationContext<'_>) -> Result<String, SerdeError> {
        let elsewhere = SerializationContext::value("some-other-topic");
        Err(SerdeError::new(
            "Liar",
            true,
            &elsewhere,
            SerdeErrorKind::Deserialization("no".into()),
        ))
    }
}

#[test]
fn the_side_and_topic_of_an_error_are_what_failed_not_what_the_serializer_says() {
    let topic = common::unique_topic("typed-liar");
    let c = cluster(&topic);
    let p = SerializingProducer::<str, str>::new(producer(&c), Liar, StringSerializer);
    let e = p.produce(Record::new(&topic), Some("k"), Some("v")).unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::KEY_SERIALIZATION, "{e}");
    let s = e.serde_error().unwrap();
    assert_eq!(
        (s.topic.as_str(), s.field, s.serializing),
        (topic.as_str(), MessageField::KEY, true)
    );
    assert!(
        e.to_string().starts_with(&format!("could not produce to {topic:?}")),
        "{e}"
    );
    let (error, serde, record) = e.into_parts();
    assert_eq!(
        (error.code(), serde.unwrap().field, record.topic()),
        (ErrorCode::KEY_SERIALIZATION, MessageField::KEY, topic.as_str())
    );

    let p = SerializingProducer::<str, str>::new(p.into_inner(), StringSerializer, Liar);
    let e = p.produce(Record::new(&topic), None, Some("v")).unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::VALUE_SERIALIZATION, "{e}");
    p.produce(Record::new(&topic), Some("k"), None).unwrap();
    p.producer().flush(LIMIT).unwrap();

    let cons = DeserializingConsumer::<String, String>::new(consumer(&c, &topic), Liar, StringDeserializer);
    let e = poll_n(&cons, 1).pop().unwrap().unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::KEY_DESERIALIZATION, "{e}");
    let s = e.serde_error().unwrap();
    assert_eq!(
        (s.topic.as_str(), s.field, s.serializing),
        (topic.as_str(), MessageField::KEY, false)
    );
}

#[test]
fn a_record_with_a_refused_header_fails_again_when_retried() {
    let topic = common::unique_topic("typed-header");
    let c = cluster(&topic);
    let reports = Arc::new(AtomicUsize::new(0));
    let bad = || {
        let reports = Arc::clone(&reports);
        Record::new(&topic)
            .with_header_bytes(b"bad\0name", Some(b"x"))
            .with_on_delivery(move |_| {
                reports.fetch_add(1, Ordering::SeqCst);
            })
    };
    let typed = SerializingProducer::<str, str>::new(producer(&c), StringSerializer, StringSerializer);
    let e = typed.produce(bad(), Some("k"), Some("v")).unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::INVALID_ARG, "{e}");
    let e = typed.produce(e.into_record(), Some("k"), Some("v")).unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::INVALID_ARG, "retried: {e}");
    // The plain producer alike.
    let plain = typed.into_inner();
    let e = plain.produce(bad().with_value("v")).unwrap_err();
    let e = plain.produce(e.into_record()).unwrap_err();
    assert_eq!(e.error().code(), ErrorCode::INVALID_ARG, "retried: {e}");
    plain.flush(LIMIT).unwrap();
    assert_eq!(reports.load(Ordering::SeqCst), 0);
}

#[test]
fn typed_clients_and_their_errors_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SerializingProducer<str, str>>();
    send_sync::<SerializingProducer<str, Order>>();
    send_sync::<DeserializingConsumer<String, Order>>();
    send_sync::<ferrokafka::schema_registry::ConsumeError>();
    send_sync::<ferrokafka::schema_registry::TypedMessage<String, Order>>();
    send_sync::<SerdeError>();
}
