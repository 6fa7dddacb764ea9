//! The `avro` feature: `AvroSerializer` and `AvroDeserializer` against
//! `MockSchemaRegistry` (every option, every subject name strategy, keys
//! and values, generic values and serde-typed structs, the Avro record
//! space), through a `MockCluster`, the mock registry's Avro
//! compatibility check (a table of schema evolutions under each level),
//! bad input (every truncation, corrupt bytes, unknown ids, a registry
//! down or hung), and Python's own `AvroSerializer`/`AvroDeserializer`
//! (tests/interop/avro_tool.py): the same ids, the same bytes, the same
//! values, both ways.

mod common;

use common::registry::{consume_values, Evolution};
use common::{hex, python::unhex};
use ferrokafka::schema_registry::avro::apache_avro::types::Value;
use ferrokafka::schema_registry::avro::apache_avro::{Decimal, Uuid};
use ferrokafka::schema_registry::avro::{
    AvroDeserializer, AvroDeserializerConfig, AvroSerializer, AvroSerializerConfig,
};
use ferrokafka::schema_registry::{
    CompatibilityLevel, MessageField, MockSchemaRegistry, Schema, SchemaRegistryClient, SchemaRegistryError,
    SerdeError, SerdeErrorKind, SerializationContext, SubjectNameStrategy,
};
use ferrokafka::{config, ErrorCode, KafkaError, MockCluster, Producer, Record};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// A bound on what must not hang (not a timing assertion).
const LIMIT: Duration = Duration::from_secs(60);

fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(LIMIT)
        .unwrap_or_else(|_| panic!("{what} did not finish (hang)"))
}

fn client_for(url: &str) -> Arc<SchemaRegistryClient> {
    Arc::new(SchemaRegistryClient::new(&config! { "url" => url, "max.retries" => 0 }).unwrap())
}

fn setup() -> (MockSchemaRegistry, Arc<SchemaRegistryClient>) {
    let registry = MockSchemaRegistry::new().unwrap();
    let client = client_for(&registry.url());
    (registry, client)
}

fn serializer(client: &Arc<SchemaRegistryClient>, schema: &str, config: AvroSerializerConfig) -> AvroSerializer {
    AvroSerializer::new(Arc::clone(client), Some(schema), config).unwrap()
}

fn deserializer(client: &Arc<SchemaRegistryClient>) -> AvroDeserializer {
    AvroDeserializer::new(Arc::clone(client), None, AvroDeserializerConfig::default()).unwrap()
}

fn framed_id(data: &[u8]) -> i32 {
    assert_eq!(data[0], 0, "magic byte");
    i32::from_be_bytes(data[1..5].try_into().unwrap())
}

fn record(fields: Vec<(&str, Value)>) -> Value {
    Value::Record(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

const USER: &str = r#"{"type": "record", "name": "User", "namespace": "com.example", "fields": [
    {"name": "name", "type": "string"}, {"name": "age", "type": "int"}]}"#;
const USER_V2: &str = r#"{"type": "record", "name": "User", "namespace": "com.example", "fields": [
    {"name": "name", "type": "string"}, {"name": "age", "type": "int"},
    {"name": "email", "type": ["null", "string"], "default": null}]}"#;

fn user(name: &str, age: i32) -> Value {
    record(vec![("name", Value::String(name.into())), ("age", Value::Int(age))])
}

// ---- round trips: strategies, keys and values, options ----

#[test]
fn every_subject_name_strategy_for_keys_and_values() {
    let (_registry, client) = setup();
    type Expected = fn(&str, MessageField) -> String;
    let strategies: Vec<(SubjectNameStrategy, Expected)> = vec![
        (SubjectNameStrategy::TopicName, |t, f| format!("{t}-{f}")),
        (SubjectNameStrategy::RecordName, |_, _| "com.example.User".into()),
        (SubjectNameStrategy::TopicRecordName, |t, _| {
            format!("{t}-com.example.User")
        }),
        (
            SubjectNameStrategy::custom(|ctx, name| Some(format!("custom.{}.{}.{}", ctx.topic, ctx.field, name?))),
            |t, f| format!("custom.{t}.{f}.com.example.User"),
        ),
    ];
    let de = deserializer(&client);
    let mut ids = Vec::new();
    for (i, (strategy, expected)) in strategies.into_iter().enumerate() {
        for field in [MessageField::KEY, MessageField::VALUE] {
            let topic = format!("strategies{i}");
            let ctx = SerializationContext::new(&topic, field);
            let ser = serializer(
                &client,
                USER,
                AvroSerializerConfig::default().subject_name_strategy(strategy.clone()),
            );
            let value = user("ada", i as i32);
            let bytes = ser.serialize_value(&value, &ctx).unwrap();
            ids.push(framed_id(&bytes));
            let subject = expected(&topic, field);
            assert!(
                client.subjects().unwrap().contains(&subject),
                "{subject} not registered"
            );
            assert_eq!(client.latest_version(&subject).unwrap().schema_id, framed_id(&bytes));
            assert_eq!(de.deserialize_value(&bytes, &ctx).unwrap(), value);
        }
    }
    // One schema, one id, whatever the subject.
    assert!(ids.iter().all(|&id| id == ids[0]), "{ids:?}");
}

#[test]
fn a_record_strategy_without_a_record_name_is_a_typed_error() {
    let (_registry, client) = setup();
    let ser = serializer(
        &client,
        r#"["null", "string"]"#,
        AvroSerializerConfig::default().subject_name_strategy(SubjectNameStrategy::RecordName),
    );
    let e = ser
        .serialize_value(
            &Value::Union(1, Box::new(Value::String("x".into()))),
            &SerializationContext::key("t"),
        )
        .unwrap_err();
    assert!(matches!(e.kind, SerdeErrorKind::Schema(_)), "{e:?}");
    assert_eq!(
        (e.topic.as_str(), e.field, e.serializing),
        ("t", MessageField::KEY, true)
    );
    // A primitive is named by its type, as Python names it.
    let ser = serializer(
        &client,
        r#"{"type": "string"}"#,
        AvroSerializerConfig::default().subject_name_strategy(SubjectNameStrategy::RecordName),
    );
    ser.serialize_value(&Value::String("x".into()), &SerializationContext::key("t"))
        .unwrap();
    assert!(client.subjects().unwrap().contains(&"string".to_string()));
}

#[test]
fn auto_register_off_looks_the_schema_up() {
    let (_registry, client) = setup();
    let ctx = SerializationContext::value("lookup");
    let ser = serializer(
        &client,
        USER,
        AvroSerializerConfig::default().auto_register_schemas(false),
    );
    let e = ser.serialize_value(&user("a", 1), &ctx).unwrap_err();
    match &e.kind {
        SerdeErrorKind::Registry(r) => assert_eq!(r.error_code(), Some(40401), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(client.subjects().unwrap().is_empty(), "nothing registered");
    let id = client
        .register_schema("lookup-value", &Schema::new(USER, "AVRO"), false)
        .unwrap();
    let bytes = ser.serialize_value(&user("a", 1), &ctx).unwrap();
    assert_eq!(framed_id(&bytes), id);
    // Registered under another subject only: not found under this one.
    let ser = serializer(
        &client,
        USER_V2,
        AvroSerializerConfig::default().auto_register_schemas(false),
    );
    client
        .register_schema("elsewhere", &Schema::new(USER_V2, "AVRO"), false)
        .unwrap();
    let e = ser.serialize_value(&user("a", 1), &ctx).unwrap_err();
    assert!(
        matches!(&e.kind, SerdeErrorKind::Registry(r) if r.error_code() == Some(40403)),
        "{e}"
    );
}

#[test]
fn use_latest_version_and_use_schema_id_choose_the_writer_schema() {
    let (_registry, client) = setup();
    let ctx = SerializationContext::value("latest");
    let v1 = client
        .register_schema("latest-value", &Schema::new(USER, "AVRO"), false)
        .unwrap();
    let v2 = client
        .register_schema("latest-value", &Schema::new(USER_V2, "AVRO"), false)
        .unwrap();
    assert_ne!(v1, v2);
    // Python refuses both at once; so do we.
    let e = AvroSerializer::new(
        Arc::clone(&client),
        None,
        AvroSerializerConfig::default().use_latest_version(true),
    )
    .unwrap_err();
    assert!(matches!(e, SchemaRegistryError::Config(_)), "{e}");
    let latest = AvroSerializer::new(
        Arc::clone(&client),
        None,
        AvroSerializerConfig::default()
            .auto_register_schemas(false)
            .use_latest_version(true),
    )
    .unwrap();
    // The v1-shaped value is resolved to v2 (email takes its default).
    let bytes = latest.serialize_value(&user("ada", 36), &ctx).unwrap();
    assert_eq!(framed_id(&bytes), v2);
    let with_email = record(vec![
        ("name", Value::String("ada".into())),
        ("age", Value::Int(36)),
        ("email", Value::Union(0, Box::new(Value::Null))),
    ]);
    assert_eq!(
        deserializer(&client).deserialize_value(&bytes, &ctx).unwrap(),
        with_email
    );

    let by_id = AvroSerializer::new(
        Arc::clone(&client),
        None,
        AvroSerializerConfig::default()
            .auto_register_schemas(false)
            .use_schema_id(Some(v1)),
    )
    .unwrap();
    let old = by_id.serialize_value(&user("ada", 36), &ctx).unwrap();
    assert_eq!(framed_id(&old), v1);
    assert_eq!(
        deserializer(&client).deserialize_value(&old, &ctx).unwrap(),
        user("ada", 36)
    );

    // Reading v1 data: with v2 as the reader (use.latest.version, or given)
    // email is its default; with v1 as the reader of v2 data it is dropped.
    let de_latest = AvroDeserializer::new(
        Arc::clone(&client),
        None,
        AvroDeserializerConfig::default().use_latest_version(true),
    )
    .unwrap();
    assert_eq!(de_latest.deserialize_value(&old, &ctx).unwrap(), with_email);
    let de_v2 = AvroDeserializer::new(Arc::clone(&client), Some(USER_V2), Default::default()).unwrap();
    assert_eq!(de_v2.deserialize_value(&old, &ctx).unwrap(), with_email);
    let de_v1 = AvroDeserializer::new(Arc::clone(&client), Some(USER), Default::default()).unwrap();
    assert_eq!(de_v1.deserialize_value(&bytes, &ctx).unwrap(), user("ada", 36));
    // A reader that cannot read the writer's schema: a typed error.
    let de_bad = AvroDeserializer::new(
        Arc::clone(&client),
        Some(r#"{"type": "record", "name": "User", "namespace": "com.example", "fields": [{"name": "name", "type": "int"}]}"#),
        Default::default(),
    )
    .unwrap();
    let e = de_bad.deserialize_value(&old, &ctx).unwrap_err();
    assert!(matches!(e.kind, SerdeErrorKind::Schema(_)), "{e:?}");
}

#[test]
fn references_are_fetched_for_writer_and_reader() {
    let (_registry, client) = setup();
    let address =
        r#"{"type": "record", "name": "Address", "namespace": "ref", "fields": [{"name": "city", "type": "string"}]}"#;
    let person = r#"{"type": "record", "name": "Person", "namespace": "ref", "fields": [{"name": "name", "type": "string"}, {"name": "home", "type": "ref.Address"}]}"#;
    client
        .register_schema("address", &Schema::new(address, "AVRO"), false)
        .unwrap();
    let schema = Schema::new(person, "AVRO").with_references(vec![ferrokafka::schema_registry::SchemaReference::new(
        "ref.Address",
        "address",
        1,
    )]);
    let ser = AvroSerializer::with_schema(Arc::clone(&client), Some(schema), Default::default()).unwrap();
    let ctx = SerializationContext::value("people");
    let value = record(vec![
        ("name", Value::String("ada".into())),
        ("home", record(vec![("city", Value::String("London".into()))])),
    ]);
    let bytes = ser.serialize_value(&value, &ctx).unwrap();
    assert_eq!(deserializer(&client).deserialize_value(&bytes, &ctx).unwrap(), value);
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Item {
    sku: String,
    qty: i32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[allow(clippy::upper_case_acronyms)]
enum Status {
    NEW,
    SHIPPED,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Order {
    id: i64,
    customer: String,
    note: Option<String>,
    items: Vec<Item>,
    attrs: HashMap<String, i32>,
    status: Status,
    price: f64,
    paid: bool,
}

const ORDER: &str = r#"{"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "long"},
    {"name": "customer", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "Item", "fields": [
        {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}]}}},
    {"name": "attrs", "type": {"type": "map", "values": "int"}},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "SHIPPED"]}},
    {"name": "price", "type": "double"},
    {"name": "paid", "type": "boolean"}]}"#;

#[test]
fn serde_typed_keys_and_values_round_trip() {
    let (_registry, client) = setup();
    let values = AvroSerializer::new(Arc::clone(&client), Some(ORDER), Default::default()).unwrap();
    let keys = AvroSerializer::new(Arc::clone(&client), Some(r#""string""#), Default::default()).unwrap();
    let de = deserializer(&client);
    let orders = [
        Order {
            id: 1,
            customer: "ada".into(),
            note: None,
            items: vec![],
            attrs: HashMap::new(),
            status: Status::NEW,
            price: 0.0,
            paid: false,
        },
        Order {
            id: i64::MIN,
            customer: "gr\u{e9}ce".into(),
            note: Some("fragile".into()),
            items: vec![
                Item {
                    sku: "a".into(),
                    qty: -1,
                },
                Item {
                    sku: "b".into(),
                    qty: i32::MAX,
                },
            ],
            attrs: HashMap::from([("x".to_string(), 1), ("y".to_string(), 2)]),
            status: Status::SHIPPED,
            price: 12.5,
            paid: true,
        },
    ];
    for order in &orders {
        let key_ctx = SerializationContext::key("orders");
        let value_ctx = SerializationContext::value("orders");
        let k = keys.serialize(&order.customer, &key_ctx).unwrap();
        let v = values.serialize(order, &value_ctx).unwrap();
        assert_eq!(de.deserialize::<String>(&k, &key_ctx).unwrap(), order.customer);
        assert_eq!(&de.deserialize::<Order>(&v, &value_ctx).unwrap(), order);
    }
    assert_eq!(
        client.subjects().unwrap(),
        vec!["orders-key".to_string(), "orders-value".to_string()]
    );
    // A value that does not fit: typed, naming topic and side.
    let e = values
        .serialize(&"not an order", &SerializationContext::value("orders"))
        .unwrap_err();
    assert!(matches!(e.kind, SerdeErrorKind::Serialization(_)), "{e:?}");
    assert!(e.to_string().contains("topic 'orders' value"), "{e}");
    // A datum that does not fit the type asked for.
    let v = values
        .serialize(&orders[0], &SerializationContext::value("orders"))
        .unwrap();
    let e = de
        .deserialize::<Item>(&v, &SerializationContext::value("orders"))
        .unwrap_err();
    assert!(matches!(e.kind, SerdeErrorKind::Deserialization(_)), "{e:?}");
}

// ---- the record space (the same records as tests/interop/avro_tool.py) ----

/// Minimal two's-complement big-endian bytes, as Python's fastavro writes
/// a decimal.
fn dec(unscaled: i64) -> Decimal {
    let b = unscaled.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let redundant = (b[start] == 0 && b[start + 1] & 0x80 == 0) || (b[start] == 0xff && b[start + 1] & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    Decimal::from(b[start..].to_vec())
}

fn null() -> Value {
    Value::Union(0, Box::new(Value::Null))
}

/// Python's records, field for field.
fn everything() -> Vec<Value> {
    let base = |id: i64| {
        vec![
            ("id", Value::Long(id)),
            ("name", Value::String("ada".into())),
            ("nickname", null()),
            ("choice", null()),
            ("price", Value::Decimal(dec(1234567))),
            ("balance", Value::Decimal(dec(-12345))),
            ("created_ms", Value::TimestampMillis(1_704_164_645_678)),
            ("created_us", Value::TimestampMicros(1_704_164_645_678_901)),
            ("day", Value::Date(19724)),
            ("at_ms", Value::TimeMillis(11_045_678)),
            ("at_us", Value::TimeMicros(11_045_678_901)),
            (
                "uid",
                Value::Uuid(Uuid::parse_str("12345678-1234-5678-1234-567812345678").unwrap()),
            ),
            (
                "home",
                record(vec![("city", Value::String("London".into())), ("zip", null())]),
            ),
            ("tags", Value::Array(vec![])),
            ("scores", Value::Map(HashMap::new())),
            ("suit", Value::Enum(0, "SPADES".into())),
            ("hash", Value::Fixed(4, vec![0, 1, 2, 3])),
            ("flag", Value::Boolean(true)),
            ("ratio", Value::Float(0.5)),
            ("blob", Value::Bytes(vec![])),
        ]
    };
    let set = |mut fields: Vec<(&'static str, Value)>, changes: Vec<(&'static str, Value)>| {
        for (k, v) in changes {
            fields.iter_mut().find(|(f, _)| *f == k).unwrap().1 = v;
        }
        record(fields)
    };
    vec![
        record(base(1)),
        set(
            base(-(1 << 40)),
            vec![
                ("name", Value::String("grace \u{e9}\u{4e2d}".into())),
                ("nickname", Value::Union(1, Box::new(Value::String("amazing".into())))),
                ("choice", Value::Union(1, Box::new(Value::Int(42)))),
                ("price", Value::Decimal(dec(-1))),
                ("balance", Value::Decimal(dec(9_223_372_036_854_775))),
                ("uid", Value::Uuid(Uuid::nil())),
                (
                    "home",
                    record(vec![
                        ("city", Value::String(String::new())),
                        ("zip", Value::Union(1, Box::new(Value::Int(12345)))),
                    ]),
                ),
                (
                    "tags",
                    Value::Array(vec![
                        Value::String("a".into()),
                        Value::String("b".into()),
                        Value::String("c".into()),
                    ]),
                ),
                (
                    "scores",
                    Value::Map(HashMap::from([("x".to_string(), Value::Double(1.25))])),
                ),
                ("suit", Value::Enum(3, "CLUBS".into())),
                ("hash", Value::Fixed(4, vec![0xff, 0xfe, 0xfd, 0xfc])),
                ("flag", Value::Boolean(false)),
                ("ratio", Value::Float(-3.0)),
                ("blob", Value::Bytes(vec![0, 0xff])),
            ],
        ),
        set(
            base(3),
            vec![
                ("choice", Value::Union(2, Box::new(Value::String("text".into())))),
                ("day", Value::Date(-1)),
            ],
        ),
        set(
            base(4),
            vec![(
                "choice",
                Value::Union(3, Box::new(record(vec![("x", Value::Int(-1)), ("y", Value::Int(2))]))),
            )],
        ),
    ]
}

/// The schema of tests/interop/avro_tool.py's records.
fn everything_schema() -> String {
    let v: serde_json::Value = serde_json::from_str(include_str!("interop/avro_everything.avsc")).unwrap();
    v.to_string()
}

#[test]
fn the_record_space_round_trips() {
    let (_registry, client) = setup();
    let schema = everything_schema();
    let ser = serializer(&client, &schema, Default::default());
    let de = deserializer(&client);
    let ctx = SerializationContext::value("space");
    for value in everything() {
        let bytes = ser.serialize_value(&value, &ctx).unwrap();
        assert_eq!(de.deserialize_value(&bytes, &ctx).unwrap(), value);
    }
    // Fields with defaults may be left out: they are filled in.
    let short = record(vec![("city", Value::String("Paris".into()))]);
    let ser = serializer(
        &client,
        r#"{"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"},
            {"name": "zip", "type": ["null", "int"], "default": null},
            {"name": "flag", "type": "boolean", "default": true}]}"#,
        Default::default(),
    );
    let ctx = SerializationContext::value("space-defaults");
    let bytes = ser.serialize_value(&short, &ctx).unwrap();
    assert_eq!(
        de.deserialize_value(&bytes, &ctx).unwrap(),
        record(vec![
            ("city", Value::String("Paris".into())),
            ("zip", null()),
            ("flag", Value::Boolean(true)),
        ])
    );
    // A top-level bytes schema is written raw (as Python and Java do).
    let ctx = SerializationContext::value("space-bytes");
    let ser = serializer(&client, r#""bytes""#, Default::default());
    let bytes = ser.serialize_value(&Value::Bytes(b"raw".to_vec()), &ctx).unwrap();
    assert_eq!(&bytes[5..], b"raw");
    assert_eq!(
        de.deserialize_value(&bytes, &ctx).unwrap(),
        Value::Bytes(b"raw".to_vec())
    );
}

// ---- through a MockCluster ----

#[test]
fn keys_and_values_through_a_mock_cluster() {
    let (_registry, client) = setup();
    let cluster = MockCluster::new(1).unwrap();
    let topic = "avro-cluster";
    cluster.create_topic(topic, 1, 1).unwrap();
    let keys = AvroSerializer::new(Arc::clone(&client), Some(r#""long""#), Default::default()).unwrap();
    let values = serializer(&client, &everything_schema(), Default::default());
    let producer = Producer::new(&config! { "bootstrap.servers" => cluster.bootstrap_servers() }).unwrap();
    let records = everything();
    for (i, value) in records.iter().enumerate() {
        let k = keys
            .serialize_value(&Value::Long(i as i64), &SerializationContext::key(topic))
            .unwrap();
        let v = values
            .serialize_value(value, &SerializationContext::value(topic))
            .unwrap();
        producer
            .produce(Record::new(topic).with_key(&k).with_value(&v).with_partition(0))
            .map_err(|e| e.error().clone())
            .unwrap();
    }
    producer.flush(LIMIT).unwrap();
    let de = deserializer(&client);
    let got = consume_values(cluster.bootstrap_servers(), topic, records.len());
    assert_eq!(got.len(), records.len());
    for (i, ((k, v), expected)) in got.iter().zip(&records).enumerate() {
        let k = de
            .deserialize_value(k.as_deref().unwrap(), &SerializationContext::key(topic))
            .unwrap();
        assert_eq!(k, Value::Long(i as i64));
        assert_eq!(
            &de.deserialize_value(v, &SerializationContext::value(topic)).unwrap(),
            expected
        );
    }
}

// ---- the mock registry's Avro compatibility check ----

fn rec(fields: &str) -> String {
    format!(r#"{{"type": "record", "name": "R", "fields": [{fields}]}}"#)
}

#[test]
fn compatibility_levels_over_a_table_of_evolutions() {
    let (_registry, client) = setup();
    let a_int = r#"{"name": "a", "type": "int"}"#;
    let a_long = r#"{"name": "a", "type": "long"}"#;
    let b_default = r#"{"name": "b", "type": "string", "default": ""}"#;
    let b_required = r#"{"name": "b", "type": "string"}"#;
    let e =
        |symbols: &str| format!(r#"{{"name": "e", "type": {{"type": "enum", "name": "E", "symbols": [{symbols}]}}}}"#);
    let u = |types: &str| format!(r#"{{"name": "u", "type": [{types}]}}"#);
    // (what, old, new, compatible BACKWARD (new reads old), FORWARD (old reads new))
    let evolutions: Vec<Evolution> = vec![
        (
            "add a field with a default",
            rec(a_int),
            rec(&format!("{a_int}, {b_default}")),
            true,
            true,
        ),
        (
            "add a field without a default",
            rec(a_int),
            rec(&format!("{a_int}, {b_required}")),
            false,
            true,
        ),
        (
            "remove a field without a default",
            rec(&format!("{a_int}, {b_required}")),
            rec(a_int),
            true,
            false,
        ),
        (
            "remove a field with a default",
            rec(&format!("{a_int}, {b_default}")),
            rec(a_int),
            true,
            true,
        ),
        ("promote int to long", rec(a_int), rec(a_long), true, false),
        (
            "add an enum symbol",
            rec(&e(r#""X", "Y""#)),
            rec(&e(r#""X", "Y", "Z""#)),
            true,
            false,
        ),
        (
            "remove an enum symbol",
            rec(&e(r#""X", "Y""#)),
            rec(&e(r#""X""#)),
            false,
            true,
        ),
        (
            "widen a union",
            rec(&u(r#""null", "string""#)),
            rec(&u(r#""null", "string", "int""#)),
            true,
            false,
        ),
        (
            "narrow a union",
            rec(&u(r#""null", "string""#)),
            rec(&u(r#""null""#)),
            false,
            true,
        ),
        (
            "change a type",
            rec(a_int),
            rec(r#"{"name": "a", "type": "string"}"#),
            false,
            false,
        ),
        (
            "rename the record",
            rec(a_int),
            r#"{"type": "record", "name": "S", "fields": [{"name": "a", "type": "int"}]}"#.into(),
            false,
            false,
        ),
    ];
    common::registry::check_evolutions(&client, "AVRO", &evolutions);
}

#[test]
fn transitive_levels_check_every_version() {
    let (_registry, client) = setup();
    // v1 -> v2 -> v3, each step compatible, v3 not with v1.
    let chains: Vec<(&str, [String; 3])> = vec![
        (
            "BACKWARD",
            [
                rec(r#"{"name": "a", "type": "int"}"#),
                rec(r#"{"name": "z", "type": "int", "default": 0}"#),
                rec(r#"{"name": "z", "type": "int", "default": 0}, {"name": "a", "type": "string", "default": ""}"#),
            ],
        ),
        (
            "FORWARD",
            [
                rec(r#"{"name": "a", "type": "int", "default": 0}"#),
                rec(r#"{"name": "z", "type": "int"}"#),
                rec(r#"{"name": "z", "type": "int"}, {"name": "a", "type": "string"}"#),
            ],
        ),
        (
            "FULL",
            [
                rec(r#"{"name": "a", "type": "int", "default": 0}"#),
                rec(r#"{"name": "z", "type": "int", "default": 0}"#),
                rec(r#"{"name": "z", "type": "int", "default": 0}, {"name": "a", "type": "string", "default": ""}"#),
            ],
        ),
    ];
    for (level, [v1, v2, v3]) in &chains {
        for transitive in [false, true] {
            let level = if transitive {
                format!("{level}_TRANSITIVE")
            } else {
                level.to_string()
            };
            let subject = format!("chain-{level}");
            client
                .set_compatibility(Some(&subject), &CompatibilityLevel::new(&level))
                .unwrap();
            for v in [v1, v2] {
                client
                    .register_schema(&subject, &Schema::new(v.as_str(), "AVRO"), false)
                    .unwrap_or_else(|e| panic!("{level}: {e}"));
            }
            let r = client.register_schema(&subject, &Schema::new(v3.as_str(), "AVRO"), false);
            if transitive {
                let e = r.unwrap_err();
                assert_eq!(e.error_code(), Some(409), "{level}: {e}");
            } else {
                r.unwrap_or_else(|e| panic!("{level}: {e}"));
            }
        }
    }
}

// ---- bad input ----

fn valid_payload(client: &Arc<SchemaRegistryClient>) -> Vec<u8> {
    serializer(client, &everything_schema(), Default::default())
        .serialize_value(&everything()[1], &SerializationContext::value("bad"))
        .unwrap()
}

/// Deserializes `data`; an error must never be a panic caught inside.
fn try_read(de: &AvroDeserializer, data: &[u8]) -> Result<Value, SerdeError> {
    let r = de.deserialize_value(data, &SerializationContext::value("bad"));
    if let Err(e) = &r {
        assert!(!e.to_string().contains("panicked"), "apache-avro panicked: {e}");
        assert_eq!(
            (e.topic.as_str(), e.field, e.serializing),
            ("bad", MessageField::VALUE, false)
        );
    }
    r
}

#[test]
fn every_truncation_and_corruption_is_a_typed_error() {
    let (_registry, client) = setup();
    let payload = valid_payload(&client);
    let de = deserializer(&client);
    try_read(&de, &payload).unwrap();
    for len in 0..payload.len() {
        let e = try_read(&de, &payload[..len]).unwrap_err();
        if len < 5 {
            assert!(matches!(e.kind, SerdeErrorKind::Framing(_)), "{len}: {e:?}");
        } else {
            assert!(matches!(e.kind, SerdeErrorKind::Deserialization(_)), "{len}: {e:?}");
        }
    }
    // Trailing bytes.
    let mut longer = payload.clone();
    longer.push(0);
    let e = try_read(&de, &longer).unwrap_err();
    assert!(
        matches!(&e.kind, SerdeErrorKind::Deserialization(m) if m.contains("1 bytes left")),
        "{e:?}"
    );
    // Other magic bytes.
    for magic in [1u8, 2, 0x7f, 0xff] {
        let mut other = payload.clone();
        other[0] = magic;
        let e = try_read(&de, &other).unwrap_err();
        assert!(matches!(e.kind, SerdeErrorKind::Framing(_)), "{magic}: {e:?}");
    }
    // Every body byte replaced by a few values, and random bodies: a typed
    // error, or a value that is a datum of the schema (the serializer
    // takes it back: apache-avro alone read bodies cut short as nulls
    // where the schema has none).
    let writer = serializer(&client, &everything_schema(), Default::default());
    let check = |r: Result<Value, SerdeError>| {
        if let Ok(v) = r {
            if let Err(e) = writer.serialize_value(&v, &SerializationContext::value("bad")) {
                panic!("a corrupt body decoded to a value outside the schema ({e}): {v:?}");
            }
        }
    };
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for i in 5..payload.len() {
        for b in [0u8, 0x01, 0x7f, 0x80, 0xff, next() as u8] {
            let mut p = payload.clone();
            p[i] = b;
            check(try_read(&de, &p));
        }
    }
    for _ in 0..500 {
        let len = (next() % 96) as usize;
        let mut p = payload[..5].to_vec();
        p.extend((0..len).map(|_| next() as u8));
        check(try_read(&de, &p));
    }
}

/// A linked list: each node 3 levels deep (record, union, named
/// reference), one byte per node on the wire.
const NODE: &str = r#"{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"#;

/// The same list as a serde type.
#[derive(Debug, Deserialize, PartialEq)]
struct Node {
    next: Option<Box<Node>>,
}

/// Registers `schema` under `subject` and frames `body` with its id.
fn framed(client: &Arc<SchemaRegistryClient>, subject: &str, schema: &str, body: &[u8]) -> Vec<u8> {
    let id = client
        .register_schema(subject, &Schema::new(schema, "AVRO"), false)
        .unwrap();
    let mut p = vec![0];
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(body);
    p
}

/// A list of `nodes` nodes.
fn list_body(nodes: usize) -> Vec<u8> {
    let mut body = vec![2u8; nodes - 1];
    body.push(0);
    body
}

fn deserialization_error(r: Result<Value, SerdeError>) -> String {
    match r {
        Err(SerdeError {
            kind: SerdeErrorKind::Deserialization(m),
            ..
        }) => m,
        other => panic!("expected a Deserialization error, got {other:?}"),
    }
}

#[test]
fn recursion_is_bounded_not_a_stack_overflow() {
    let (_registry, client) = setup();
    let de = deserializer(&client);
    // 1 MB of nodes (Kafka's default largest message): apache-avro alone
    // recurses once per level and overflows any thread's stack.
    let deep = framed(&client, "deep-value", NODE, &list_body(1 << 20));
    let e = bounded("a 1 MB recursive datum", move || {
        deserialization_error(try_read(&de, &deep))
    });
    assert!(e.contains("deeper than 64 levels"), "{e}");

    // The deepest list the default allows (21 nodes: 63 levels) is read,
    // to a Value and to a serde type, on a thread with a quarter of the
    // default 2 MiB stack (256 KiB is enough in a debug build, 128 KiB is
    // not: the decoder's deep work runs on a stack of its own, sized for
    // the depth; serde's runs on the caller's).
    for (nodes, ok) in [(21, true), (22, false)] {
        let client = Arc::clone(&client);
        let t = std::thread::Builder::new()
            .stack_size(512 << 10)
            .spawn(move || {
                let de = deserializer(&client);
                let p = framed(&client, "deep-value", NODE, &list_body(nodes));
                let ctx = SerializationContext::value("deep");
                match de.deserialize::<Node>(&p, &ctx) {
                    Ok(mut n) => {
                        let mut depth = 1;
                        while let Some(next) = n.next {
                            n = *next;
                            depth += 1;
                        }
                        assert_eq!(depth, nodes);
                        assert!(de.deserialize_value(&p, &ctx).is_ok());
                        true
                    }
                    Err(e) => {
                        assert!(e.to_string().contains("deeper than 64"), "{e}");
                        false
                    }
                }
            })
            .unwrap();
        assert_eq!(t.join().unwrap(), ok, "{nodes} nodes");
    }
    // A deployment with deeper data raises the bound.
    let de = AvroDeserializer::new(
        Arc::clone(&client),
        None,
        AvroDeserializerConfig::default().max_depth(3 * 200 + 1),
    )
    .unwrap();
    let p = framed(&client, "deep-value", NODE, &list_body(200));
    assert!(try_read(&de, &p).is_ok());
    let p = framed(&client, "deep-value", NODE, &list_body(201));
    assert!(deserialization_error(try_read(&de, &p)).contains("deeper than 601"));
}

#[test]
fn reading_with_the_writers_own_schema_resolves_nothing() {
    // apache-avro resolves unions of recursive types in time exponential
    // in the depth (this body took 370 s before); use.latest.version with
    // nothing newer registered reads with the writer's own schema, which
    // needs no resolution.
    let schema = r#"{"type":"record","name":"Node","fields":[{"name":"next","type":["null",
        {"type":"record","name":"D1","fields":[{"name":"next","type":["null","Node"]},{"name":"x","type":"int"}]},
        {"type":"record","name":"D2","fields":[{"name":"next","type":["null","Node"]},{"name":"y","type":"int"}]},
        "Node"]}]}"#;
    let (_registry, client) = setup();
    let mut body = vec![6u8; 15];
    body.push(0);
    let p = framed(&client, "latest-deep-value", schema, &body);
    let de = AvroDeserializer::new(
        Arc::clone(&client),
        None,
        AvroDeserializerConfig::default().use_latest_version(true),
    )
    .unwrap();
    let v = bounded("a deep recursive union read with use.latest.version", move || {
        de.deserialize_value(&p, &SerializationContext::value("latest-deep"))
    });
    assert!(v.is_ok(), "{v:?}");
}

#[test]
fn items_that_take_no_bytes_cannot_claim_unbounded_memory() {
    let (_registry, client) = setup();
    let de = deserializer(&client);
    // 100 inner arrays each claiming ~11M nulls: ~500 bytes asking for
    // ~1 G values (tens of GiB) from a decoder that trusts counts. The
    // budget is 256 bytes per byte of body + 16 MiB.
    let schema = r#"{"type": "array", "items": {"type": "array", "items": "null"}}"#;
    let mut body = vec![0xc8, 0x01];
    for _ in 0..100 {
        body.extend_from_slice(&[0x80, 0x80, 0x80, 0x0b, 0]);
    }
    body.push(0);
    let p = framed(&client, "bomb-value", schema, &body);
    let e = bounded("an array-of-null bomb", move || {
        deserialization_error(try_read(&de, &p))
    });
    assert!(e.contains("(503 bytes) would allocate more than 16905984 bytes"), "{e}");

    // Records without fields take no bytes either.
    let empty = r#"{"type": "array", "items": {"type": "record", "name": "E", "fields": []}}"#;
    let de = deserializer(&client);
    let p = framed(&client, "bomb2-value", empty, &[0x80, 0x80, 0x80, 0x80, 0x08, 0]);
    assert!(deserialization_error(try_read(&de, &p)).contains("would allocate more than"));
    // An honest array of empty records is read.
    let p = framed(&client, "bomb2-value", empty, &[6, 0]);
    assert_eq!(try_read(&de, &p).unwrap(), Value::Array(vec![Value::Record(vec![]); 3]));

    // A map count claiming 2^31 entries: each entry needs a key, so the
    // body is too short for it, and nothing is reserved.
    let map = r#"{"type": "map", "values": "null"}"#;
    let p = framed(&client, "bomb3-value", map, &[0x80, 0x80, 0x80, 0x80, 0x10, 0]);
    assert!(deserialization_error(try_read(&de, &p)).contains("ends in the middle"));
}

#[test]
fn a_body_cut_short_is_an_error_not_a_null() {
    let (_registry, client) = setup();
    let de = deserializer(&client);
    let schema = r#"{"type": "record", "name": "Note", "fields": [
        {"name": "id", "type": "long"}, {"name": "note", "type": ["null", "string"]},
        {"name": "flag", "type": "boolean"}]}"#;
    let whole = framed(&client, "cut-value", schema, &[2, 2, 2, b'x', 1]);
    assert_eq!(
        try_read(&de, &whole).unwrap(),
        record(vec![
            ("id", Value::Long(1)),
            ("note", Value::Union(1, Box::new(Value::String("x".into())))),
            ("flag", Value::Boolean(true)),
        ])
    );
    // apache-avro alone reads each of these cuts as a null somewhere.
    for cut in 6..whole.len() {
        let e = deserialization_error(try_read(&de, &whole[..cut]));
        assert!(
            e.contains("ends in the middle") || e.contains("bytes left in the body"),
            "{cut}: {e}"
        );
    }
}

#[test]
fn trailing_bytes_are_refused_unless_asked_to_ignore_them() {
    let (_registry, client) = setup();
    // A newer writer appended a field; the payload is framed with the old
    // schema's id (Java's use.latest.version can do this).
    let mut p = framed(&client, "trail-value", USER, &[]);
    p.extend_from_slice(&[6, b'A', b'd', b'a', 0x48]);
    let mut newer = p.clone();
    newer.extend_from_slice(&[0x02, b'!']);
    let strict = deserializer(&client);
    assert_eq!(try_read(&strict, &p).unwrap(), user("Ada", 36));
    assert!(deserialization_error(try_read(&strict, &newer)).contains("2 bytes left"));
    let lenient = AvroDeserializer::new(
        Arc::clone(&client),
        None,
        AvroDeserializerConfig::default().ignore_trailing_bytes(true),
    )
    .unwrap();
    assert_eq!(try_read(&lenient, &newer).unwrap(), user("Ada", 36));
    // Lenient about what follows, not about the datum itself.
    assert!(deserialization_error(try_read(&lenient, &p[..p.len() - 1])).contains("ends in the middle"));
}

#[test]
fn unknown_ids_and_registries_down_or_hung_are_typed_errors() {
    let (registry, client) = setup();
    let payload = valid_payload(&client);
    let de = deserializer(&client);
    let mut unknown = payload.clone();
    unknown[1..5].copy_from_slice(&9999i32.to_be_bytes());
    let e = try_read(&de, &unknown).unwrap_err();
    assert!(
        matches!(&e.kind, SerdeErrorKind::Registry(r) if r.error_code() == Some(40403)),
        "{e:?}"
    );
    assert!(!e.is_retriable());
    let k: KafkaError = e.into();
    assert_eq!(k.code(), ErrorCode::VALUE_DESERIALIZATION);
    assert!(k.message().contains("topic 'bad' value"), "{k}");

    // Down: nothing listens.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let down = deserializer(&client_for(&refused));
    let e = try_read(&down, &payload).unwrap_err();
    assert!(
        matches!(&e.kind, SerdeErrorKind::Registry(SchemaRegistryError::Transport(_))),
        "{e:?}"
    );
    assert!(e.is_retriable());
    let k: KafkaError = e.into();
    assert_eq!(k.code(), ErrorCode::TRANSPORT);

    // Hung: the client's timeout ends the wait.
    let slow_client = Arc::new(
        SchemaRegistryClient::new(&config! { "url" => registry.url(), "max.retries" => 0, "timeout" => 1 }).unwrap(),
    );
    registry.set_unresponsive(true);
    let e = bounded("a read from a hung registry", {
        let payload = payload.clone();
        move || try_read(&deserializer(&slow_client), &payload).unwrap_err()
    });
    registry.set_unresponsive(false);
    assert!(
        matches!(&e.kind, SerdeErrorKind::Registry(SchemaRegistryError::Timeout(_))),
        "{e:?}"
    );
    // Serializing to a registry that is down: typed, naming the key side.
    let ser = AvroSerializer::new(client_for(&refused), Some(USER), Default::default()).unwrap();
    let e = ser
        .serialize_value(&user("a", 1), &SerializationContext::key("t"))
        .unwrap_err();
    assert!(
        matches!(&e.kind, SerdeErrorKind::Registry(SchemaRegistryError::Transport(_))),
        "{e:?}"
    );
    assert_eq!((e.field, e.serializing), (MessageField::KEY, true));
    // Once up again, the same deserializer reads (nothing was cached wrong).
    assert_eq!(try_read(&de, &payload).unwrap(), everything()[1]);
}

#[test]
fn invalid_schemas_and_configurations_are_refused_up_front() {
    let (_registry, client) = setup();
    for bad in ["", "{", r#"{"type": "record", "name": "R"}"#, r#"{"type": "nope"}"#] {
        let e = AvroSerializer::new(Arc::clone(&client), Some(bad), Default::default()).unwrap_err();
        assert!(matches!(e, SchemaRegistryError::Config(_)), "{bad}: {e}");
        let e = AvroDeserializer::new(Arc::clone(&client), Some(bad), Default::default()).unwrap_err();
        assert!(matches!(e, SchemaRegistryError::Config(_)), "{bad}: {e}");
    }
    let e = AvroSerializer::new(Arc::clone(&client), None, AvroSerializerConfig::default()).unwrap_err();
    assert!(matches!(e, SchemaRegistryError::Config(_)), "{e}");
}

// ---- Python's serializers ----

/// Runs tests/interop/avro_tool.py; `None` (skip) when Python or
/// confluent-kafka's Avro extras are missing, unless
/// FERROKAFKA_REQUIRE_BROKER=1 (the test script), which makes it fail.
fn python_tool(args: &[String]) -> Option<serde_json::Value> {
    common::python::python_tool("avro_tool.py", "confluent_kafka.schema_registry.avro", args)
}

#[test]
fn python_and_ferrokafka_write_the_same_bytes_and_read_each_other() {
    let (registry, client) = setup();
    let Some(py) = python_tool(&["serialize".into(), registry.url(), "interop".into()]) else {
        return;
    };
    let schema = py["schema"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(schema).unwrap(),
        serde_json::from_str::<serde_json::Value>(&everything_schema()).unwrap(),
        "the same schema on both sides"
    );
    let py_id = py["id"].as_i64().unwrap() as i32;
    let py_payloads: Vec<Vec<u8>> = py["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect();
    let records = everything();
    assert_eq!(py_payloads.len(), records.len());
    // Python registered under interop-value; ferrokafka with the same text
    // finds the same id, and writes the same bytes.
    let ctx = SerializationContext::value("interop");
    let ser = serializer(&client, schema, Default::default());
    let de = deserializer(&client);
    let mut ours = Vec::new();
    for (i, (value, theirs)) in records.iter().zip(&py_payloads).enumerate() {
        assert_eq!(framed_id(theirs), py_id);
        let bytes = ser.serialize_value(value, &ctx).unwrap();
        assert_eq!(hex(&bytes), hex(theirs), "record {i}: not byte-identical");
        assert_eq!(&de.deserialize_value(theirs, &ctx).unwrap(), value, "record {i}");
        ours.push(bytes);
    }
    // Python reads ferrokafka's bytes as its own records.
    let mut args = vec!["deserialize".to_string(), registry.url(), "interop".into()];
    args.extend(ours.iter().map(|b| hex(b)));
    let back = python_tool(&args).unwrap();
    for (i, equal) in back["equal"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            equal,
            &serde_json::Value::Bool(true),
            "record {i}: Python read {}",
            back["values"][i]
        );
        assert_eq!(back["ids"][i].as_i64(), Some(i64::from(py_id)));
    }
    assert_eq!(back["equal"].as_array().unwrap().len(), records.len());
}

#[test]
fn python_produces_to_a_mock_cluster_and_ferrokafka_reads() {
    let (registry, client) = setup();
    let cluster = MockCluster::new(1).unwrap();
    let topic = "py-avro";
    cluster.create_topic(topic, 1, 1).unwrap();
    let Some(py) = python_tool(&[
        "produce".into(),
        cluster.bootstrap_servers().to_string(),
        registry.url(),
        topic.into(),
    ]) else {
        return;
    };
    let records = everything();
    assert_eq!(py["produced"].as_u64(), Some(records.len() as u64));
    let got = consume_values(cluster.bootstrap_servers(), topic, records.len());
    assert_eq!(got.len(), records.len());
    let de = deserializer(&client);
    for ((_, v), expected) in got.iter().zip(&records) {
        assert_eq!(
            &de.deserialize_value(v, &SerializationContext::value(topic)).unwrap(),
            expected
        );
    }
}
