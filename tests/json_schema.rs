//! The `json-schema` feature: `JsonSerializer` and `JsonDeserializer`
//! against `MockSchemaRegistry` (options, subject name strategies, serde
//! types and `serde_json::Value`, references, validation on both sides),
//! through a `MockCluster` with the typed clients, the mock registry's JSON
//! Schema compatibility check (a table of evolutions under each level), bad
//! input (every truncation, corrupt bytes, deep nesting, unknown ids, a
//! registry down), and Python's own `JSONSerializer`/`JSONDeserializer`
//! (tests/interop/json_tool.py over tests/interop/json_everything.json):
//! the same ids, the same bytes, the same values both ways, and the same
//! validation verdicts on a table of valid and invalid values.

mod common;

use common::hex;
use common::python::{unhex, LIMIT};
use common::registry::{consume_values, Evolution};
use ferrokafka::schema_registry::json::serde_json::{json, Value};
use ferrokafka::schema_registry::json::{
    JsonDeserializer, JsonDeserializerConfig, JsonSerializer, JsonSerializerConfig,
};
use ferrokafka::schema_registry::{
    CompatibilityLevel, DeserializingConsumer, MockSchemaRegistry, Schema, SchemaReference, SchemaRegistryClient,
    SchemaRegistryError, SerdeError, SerdeErrorKind, SerializationContext, SerializingProducer, StringDeserializer,
    StringSerializer, SubjectNameStrategy,
};
use ferrokafka::{config, Consumer, MockCluster, Producer, Record, TopicPartition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

fn client_for(url: &str) -> Arc<SchemaRegistryClient> {
    Arc::new(SchemaRegistryClient::new(&config! { "url" => url, "max.retries" => 0 }).unwrap())
}

fn setup() -> (MockSchemaRegistry, Arc<SchemaRegistryClient>) {
    let registry = MockSchemaRegistry::new().unwrap();
    let client = client_for(&registry.url());
    (registry, client)
}

fn everything() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/interop/json_everything.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn order_schema() -> String {
    everything()["schema"].to_string()
}

fn serializer(client: &Arc<SchemaRegistryClient>, schema: &str, config: JsonSerializerConfig) -> JsonSerializer {
    JsonSerializer::new(Arc::clone(client), Some(schema), config).unwrap()
}

fn deserializer(client: &Arc<SchemaRegistryClient>) -> JsonDeserializer {
    JsonDeserializer::new(Arc::clone(client), None, JsonDeserializerConfig::default()).unwrap()
}

fn framed_id(data: &[u8]) -> i32 {
    assert_eq!(data[0], 0, "magic byte");
    i32::from_be_bytes(data[1..5].try_into().unwrap())
}

fn python_tool(args: &[String]) -> Option<Value> {
    common::python::python_tool("json_tool.py", "confluent_kafka.schema_registry.json_schema", args)
}

/// The records of json_everything.json as a serde type, fields in the
/// file's (and so Python's dicts') order.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Order {
    id: u64,
    customer: String,
    nickname: Option<String>,
    total: f64,
    status: String,
    ship_to: Address,
    lines: Vec<Line>,
    attributes: BTreeMap<String, String>,
    payment: Option<Payment>,
    gift: bool,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Line {
    sku: String,
    qty: u32,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
enum Payment {
    Card { card: String },
    Iban { iban: String },
}

fn orders() -> Vec<Order> {
    serde_json::from_value(everything()["records"].clone()).unwrap()
}

fn kind_of(e: &SerdeError) -> &'static str {
    match e.kind {
        SerdeErrorKind::Registry(_) => "registry",
        SerdeErrorKind::Framing(_) => "framing",
        SerdeErrorKind::Schema(_) => "schema",
        SerdeErrorKind::Serialization(_) => "serialization",
        SerdeErrorKind::Deserialization(_) => "deserialization",
        _ => "other",
    }
}

#[test]
fn serde_types_and_values_round_trip_as_compact_json() {
    let (_registry, client) = setup();
    let schema = order_schema();
    let ser = serializer(&client, &schema, Default::default());
    let de = deserializer(&client);
    let ctx = SerializationContext::value("orders");
    for order in orders() {
        let bytes = ser.serialize(&order, &ctx).unwrap();
        assert_eq!(framed_id(&bytes), 1);
        // The body is serde_json's compact text of the struct, in field
        // order.
        assert_eq!(&bytes[5..], serde_json::to_vec(&order).unwrap().as_slice());
        assert_eq!(de.deserialize::<Order>(&bytes, &ctx).unwrap(), order);
        let value = serde_json::to_value(&order).unwrap();
        assert_eq!(de.deserialize_value(&bytes, &ctx).unwrap(), value);
        // A Value writes the same document (its map's order, sorted).
        let again = ser.serialize_value(&value, &ctx).unwrap();
        assert_eq!(de.deserialize_value(&again, &ctx).unwrap(), value);
        assert_eq!(&again[..5], &bytes[..5]);
    }
    // Keys register under the key subject, with their own id.
    let key_ser = serializer(&client, r#"{"type": "string"}"#, Default::default());
    let key = key_ser.serialize("k-1", &SerializationContext::key("orders")).unwrap();
    assert_eq!(key, b"\0\0\0\0\x02\"k-1\"");
    assert_eq!(client.latest_version("orders-key").unwrap().schema_id, 2);
    assert_eq!(
        de.deserialize::<String>(&key, &SerializationContext::key("orders"))
            .unwrap(),
        "k-1"
    );
    // A 64-bit integer keeps every digit.
    let big = orders()[1].id;
    assert_eq!(big, 9_007_199_254_740_993);
    let bytes = ser.serialize(&orders()[1], &ctx).unwrap();
    assert_eq!(de.deserialize_value(&bytes, &ctx).unwrap()["id"].as_u64(), Some(big));
}

#[test]
fn subject_name_strategies_use_the_schema_title() {
    let (_registry, client) = setup();
    let schema = order_schema();
    let ctx = SerializationContext::value("t");
    for (strategy, subject) in [
        (SubjectNameStrategy::TopicName, "t-value"),
        (SubjectNameStrategy::RecordName, "Order"),
        (SubjectNameStrategy::TopicRecordName, "t-Order"),
        (
            SubjectNameStrategy::custom(|ctx, name| Some(format!("custom.{}.{}", ctx.topic, name?))),
            "custom.t.Order",
        ),
    ] {
        let ser = serializer(
            &client,
            &schema,
            JsonSerializerConfig::default().subject_name_strategy(strategy),
        );
        ser.serialize(&orders()[0], &ctx).unwrap();
        assert_eq!(client.latest_version(subject).unwrap().schema_id, 1, "{subject}");
    }
    // Without a title, the record strategies name no subject: a typed error.
    let untitled = serializer(
        &client,
        r#"{"type": "object"}"#,
        JsonSerializerConfig::default().subject_name_strategy(SubjectNameStrategy::RecordName),
    );
    let e = untitled.serialize(&json!({}), &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "schema", "{e}");
    assert!(e.to_string().contains("gave no subject"), "{e}");
}

#[test]
fn validation_refuses_on_both_sides_unless_turned_off() {
    let (_registry, client) = setup();
    let schema = order_schema();
    let ctx = SerializationContext::value("v");
    let ser = serializer(&client, &schema, Default::default());
    let lax = serializer(&client, &schema, JsonSerializerConfig::default().validate(false));
    let de = deserializer(&client);
    let lax_de = JsonDeserializer::new(
        Arc::clone(&client),
        None,
        JsonDeserializerConfig::default().validate(false),
    )
    .unwrap();
    let bad = json!({"id": -1, "customer": "a", "total": 0, "status": "NEW", "ship_to": {"city": "c"}, "lines": []});
    let e = ser.serialize_value(&bad, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "serialization", "{e}");
    assert!(e.serializing && e.topic == "v" && !e.field.is_key());
    let text = e.to_string();
    // Every violation, each where it is.
    for part in ["/id", "/total", "/lines", "does not match the schema"] {
        assert!(text.contains(part), "{part} not in: {text}");
    }
    // Written without validation, it is refused when read with it, and
    // read as it is without.
    let bytes = lax.serialize_value(&bad, &ctx).unwrap();
    let e = de.deserialize_value(&bytes, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "deserialization", "{e}");
    assert!(e.to_string().contains("/id"), "{e}");
    assert_eq!(lax_de.deserialize_value(&bytes, &ctx).unwrap(), bad);
    // A serde type that does not fit the value read is a typed error too.
    let good = ser.serialize(&orders()[0], &ctx).unwrap();
    let e = de.deserialize::<Vec<u8>>(&good, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "deserialization", "{e}");
    assert!(e.to_string().contains("does not fit the type"), "{e}");
    // A reader schema given to the deserializer is the one validated
    // against.
    let strict = JsonDeserializer::new(
        Arc::clone(&client),
        Some(r#"{"type": "object", "required": ["coupon"]}"#),
        Default::default(),
    )
    .unwrap();
    let e = strict.deserialize_value(&good, &ctx).unwrap_err();
    assert!(e.to_string().contains("coupon"), "{e}");
}

/// Each candidate of json_everything.json, serialized by ferrokafka:
/// accepted or not.
fn our_verdicts(client: &Arc<SchemaRegistryClient>, topic: &str) -> Vec<bool> {
    let schema = order_schema();
    let ser = serializer(client, &schema, Default::default());
    let lax = serializer(client, &schema, JsonSerializerConfig::default().validate(false));
    let de = deserializer(client);
    let ctx = SerializationContext::value(topic);
    everything()["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let written = ser.serialize_value(c, &ctx);
            // The deserializer's verdict is the serializer's.
            let read = de.deserialize_value(&lax.serialize_value(c, &ctx).unwrap(), &ctx);
            assert_eq!(written.is_ok(), read.is_ok(), "{c}: {written:?} / {read:?}");
            if let Err(e) = &written {
                assert_eq!(kind_of(e), "serialization", "{e}");
            }
            written.is_ok()
        })
        .collect()
}

#[test]
fn validation_verdicts_are_pythons() {
    let (registry, client) = setup();
    let ours = our_verdicts(&client, "verdicts");
    assert!(ours.iter().any(|v| *v) && ours.iter().any(|v| !*v), "{ours:?}");
    let Some(py) = python_tool(&["verdicts".into(), registry.url(), "verdicts".into()]) else {
        return;
    };
    let theirs: Vec<Option<bool>> = py["accepted"].as_array().unwrap().iter().map(Value::as_bool).collect();
    let candidates = everything()["candidates"].as_array().unwrap().clone();
    assert_eq!(theirs.len(), candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        match theirs[i] {
            Some(theirs) => assert_eq!(
                ours[i], theirs,
                "candidate {i} {c}: ferrokafka {}, Python {theirs}",
                ours[i]
            ),
            // Python writes no payload for None, unvalidated (ferrokafka's
            // typed producer sends no value for `None`, and writes a JSON
            // null only when asked to: then it validates it).
            None => assert_eq!(c, &Value::Null, "candidate {i}: Python wrote nothing"),
        }
    }
}

#[test]
fn python_and_ferrokafka_write_the_same_bytes_and_read_each_other() {
    let (registry, client) = setup();
    let Some(py) = python_tool(&["serialize".into(), registry.url(), "interop".into()]) else {
        return;
    };
    let schema = py["schema"].as_str().unwrap();
    let py_id = py["id"].as_i64().unwrap() as i32;
    let py_payloads: Vec<Vec<u8>> = py["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect();
    let records = orders();
    assert_eq!(py_payloads.len(), records.len());
    // Python registered under interop-value; ferrokafka with the same text
    // finds the same id, and writes the same bytes.
    let ctx = SerializationContext::value("interop");
    let ser = serializer(&client, schema, Default::default());
    let de = deserializer(&client);
    let mut ours = Vec::new();
    for (i, (order, theirs)) in records.iter().zip(&py_payloads).enumerate() {
        assert_eq!(framed_id(theirs), py_id);
        let bytes = ser.serialize(order, &ctx).unwrap();
        assert_eq!(
            hex(&bytes),
            hex(theirs),
            "record {i}: not byte-identical:\n ours {}\n Python's {}",
            String::from_utf8_lossy(&bytes[5..]),
            String::from_utf8_lossy(&theirs[5..])
        );
        assert_eq!(&de.deserialize::<Order>(theirs, &ctx).unwrap(), order, "record {i}");
        ours.push(bytes);
    }
    let mut args = vec!["deserialize".to_string(), registry.url(), "interop".into()];
    args.extend(ours.iter().map(|b| hex(b)));
    let back = python_tool(&args).unwrap();
    for (i, equal) in back["equal"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            equal,
            &Value::Bool(true),
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
    let topic = "py-json";
    cluster.create_topic(topic, 1, 1).unwrap();
    let Some(py) = python_tool(&[
        "produce".into(),
        cluster.bootstrap_servers().to_string(),
        registry.url(),
        topic.into(),
    ]) else {
        return;
    };
    let records = orders();
    assert_eq!(py["produced"].as_u64(), Some(records.len() as u64));
    let got = consume_values(cluster.bootstrap_servers(), topic, records.len());
    assert_eq!(got.len(), records.len());
    let de = deserializer(&client);
    for ((_, v), expected) in got.iter().zip(&records) {
        assert_eq!(
            &de.deserialize::<Order>(v, &SerializationContext::value(topic)).unwrap(),
            expected
        );
    }
}

#[test]
fn typed_clients_through_a_mock_cluster() {
    let (_registry, client) = setup();
    let cluster = MockCluster::new(1).unwrap();
    let topic = "typed-json";
    cluster.create_topic(topic, 1, 1).unwrap();
    let producer = Producer::new(&config! { "bootstrap.servers" => cluster.bootstrap_servers() }).unwrap();
    let value_ser = serializer(&client, &order_schema(), Default::default());
    let typed = SerializingProducer::new(producer, StringSerializer, value_ser);
    let records = orders();
    for o in &records {
        typed
            .produce(
                Record::new(topic).with_partition(0),
                Some(o.id.to_string().as_str()),
                Some(o),
            )
            .unwrap();
    }
    // A value the schema refuses is handed back whole, nothing queued.
    let mut bad = records[0].clone();
    bad.lines.clear();
    let e = typed
        .produce(Record::new(topic).with_partition(0), Some("bad"), Some(&bad))
        .unwrap_err();
    let serde = e.serde_error().expect("a serde error");
    assert_eq!(kind_of(serde), "serialization", "{serde}");
    assert!(!serde.field.is_key());
    assert_eq!(e.record().topic(), topic);
    typed.producer().flush(LIMIT).unwrap();
    let consumer = Consumer::new(&config! {
        "bootstrap.servers" => cluster.bootstrap_servers(),
        "group.id" => "typed-json-g",
        "enable.auto.commit" => false,
    })
    .unwrap();
    consumer.assign(&[TopicPartition::with_offset(topic, 0, 0)]).unwrap();
    let typed_consumer = DeserializingConsumer::new(consumer, StringDeserializer, deserializer(&client));
    let mut got: Vec<(String, Order)> = Vec::new();
    let deadline = std::time::Instant::now() + LIMIT;
    while got.len() < records.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {}",
            got.len(),
            records.len()
        );
        if let Some(m) = typed_consumer.poll(Duration::from_millis(200)).unwrap() {
            let (k, v, _) = m.into_parts();
            got.push((k.unwrap(), v.unwrap()));
        }
    }
    let expected: Vec<(String, Order)> = records.iter().map(|o| (o.id.to_string(), o.clone())).collect();
    assert_eq!(got, expected);
    // Nothing more: the refused record was not sent.
    assert!(typed_consumer.poll(Duration::from_millis(500)).unwrap().is_none());
}

#[test]
fn references_resolve_through_the_registry() {
    let (_registry, client) = setup();
    let address = r#"{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}"#;
    client
        .register_schema("address", &Schema::new(address, Schema::JSON), false)
        .unwrap();
    let person = r#"{"title": "Person", "type": "object", "properties": {"name": {"type": "string"}, "home": {"$ref": "address.json"}}}"#;
    let with_refs =
        Schema::new(person, Schema::JSON).with_references(vec![SchemaReference::new("address.json", "address", 1)]);
    let ser = JsonSerializer::with_schema(Arc::clone(&client), Some(with_refs.clone()), Default::default()).unwrap();
    let ctx = SerializationContext::value("people");
    let ok = ser
        .serialize_value(&json!({"name": "ada", "home": {"city": "London"}}), &ctx)
        .unwrap();
    // The referenced schema is enforced, on both sides.
    let e = ser
        .serialize_value(&json!({"name": "ada", "home": {"town": "London"}}), &ctx)
        .unwrap_err();
    assert!(e.to_string().contains("city"), "{e}");
    let de = deserializer(&client);
    assert_eq!(de.deserialize_value(&ok, &ctx).unwrap()["home"]["city"], "London");
    let lax = JsonSerializer::with_schema(
        Arc::clone(&client),
        Some(with_refs),
        JsonSerializerConfig::default().validate(false),
    )
    .unwrap();
    let unchecked = lax.serialize_value(&json!({"home": {}}), &ctx).unwrap();
    assert!(de.deserialize_value(&unchecked, &ctx).is_err());
    // The registered schema carries its references.
    let registered = client.latest_version("people-value").unwrap();
    assert_eq!(registered.schema.references.len(), 1);
    // A $ref that is not among the references is refused up front,
    // naming it: nothing is fetched by URL.
    let e = JsonSerializer::new(Arc::clone(&client), Some(person), Default::default()).unwrap_err();
    assert!(matches!(e, SchemaRegistryError::Config(_)), "{e}");
    assert!(e.to_string().contains("address.json"), "{e}");
    let remote = r#"{"$ref": "http://127.0.0.1:9/never.json"}"#;
    let e = JsonSerializer::new(Arc::clone(&client), Some(remote), Default::default()).unwrap_err();
    assert!(matches!(e, SchemaRegistryError::Config(_)), "{e}");
}

#[test]
fn use_latest_version_and_use_schema_id_choose_the_schema() {
    let (_registry, client) = setup();
    let v1 = r#"{"type": "object", "properties": {"n": {"type": "integer"}}}"#;
    let v2 = r#"{"type": "object", "properties": {"n": {"type": "integer", "maximum": 10}}}"#;
    client
        .set_compatibility(Some("l-value"), &CompatibilityLevel::new("NONE"))
        .unwrap();
    let id1 = client
        .register_schema("l-value", &Schema::new(v1, Schema::JSON), false)
        .unwrap();
    let id2 = client
        .register_schema("l-value", &Schema::new(v2, Schema::JSON), false)
        .unwrap();
    let ctx = SerializationContext::value("l");
    let latest = JsonSerializer::new(
        Arc::clone(&client),
        None,
        JsonSerializerConfig::default()
            .auto_register_schemas(false)
            .use_latest_version(true),
    )
    .unwrap();
    let bytes = latest.serialize_value(&json!({"n": 5}), &ctx).unwrap();
    assert_eq!(framed_id(&bytes), id2);
    assert!(latest.serialize_value(&json!({"n": 50}), &ctx).is_err(), "v2's maximum");
    let by_id = JsonSerializer::new(
        Arc::clone(&client),
        None,
        JsonSerializerConfig::default().use_schema_id(Some(id1)),
    )
    .unwrap();
    let old = by_id.serialize_value(&json!({"n": 50}), &ctx).unwrap();
    assert_eq!(framed_id(&old), id1);
    // Read with the writer's schema, it is valid; with the latest, not.
    assert!(deserializer(&client).deserialize_value(&old, &ctx).is_ok());
    let latest_de = JsonDeserializer::new(
        Arc::clone(&client),
        None,
        JsonDeserializerConfig::default().use_latest_version(true),
    )
    .unwrap();
    let e = latest_de.deserialize_value(&old, &ctx).unwrap_err();
    assert!(e.to_string().contains("/n"), "{e}");
    // auto.register.schemas off: a schema not registered is a 40401/40403.
    let unregistered = serializer(
        &client,
        r#"{"type": "string"}"#,
        JsonSerializerConfig::default().auto_register_schemas(false),
    );
    let e = unregistered.serialize_value(&json!("x"), &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "registry", "{e}");
}

fn valid_payload(client: &Arc<SchemaRegistryClient>) -> Vec<u8> {
    serializer(client, &order_schema(), Default::default())
        .serialize(&orders()[1], &SerializationContext::value("c"))
        .unwrap()
}

#[test]
fn every_truncation_and_corruption_is_a_typed_error() {
    let (_registry, client) = setup();
    let de = deserializer(&client);
    let ctx = SerializationContext::value("c");
    let good = valid_payload(&client);
    assert!(de.deserialize_value(&good, &ctx).is_ok());
    // Every proper prefix.
    for n in 0..good.len() {
        let e = de.deserialize_value(&good[..n], &ctx).unwrap_err();
        let expected = if n < 5 { "framing" } else { "deserialization" };
        assert_eq!(kind_of(&e), expected, "prefix of {n} bytes: {e}");
    }
    // Trailing bytes (whitespace is JSON's own).
    for tail in [&b"x"[..], b"{}", b"\0", b"]"] {
        let mut data = good.clone();
        data.extend_from_slice(tail);
        let e = de.deserialize_value(&data, &ctx).unwrap_err();
        assert_eq!(kind_of(&e), "deserialization", "{tail:?}: {e}");
    }
    let mut spaced = good.clone();
    spaced.extend_from_slice(b" \n");
    assert!(de.deserialize_value(&spaced, &ctx).is_ok());
    // Not UTF-8.
    let mut bad = good.clone();
    let at = bad.len() - 10;
    bad[at] = 0xff;
    assert_eq!(
        kind_of(&de.deserialize_value(&bad, &ctx).unwrap_err()),
        "deserialization"
    );
    // Every byte of the body replaced by each of a few values: a typed
    // error or a value that serializes back — never a panic.
    for i in 5..good.len() {
        for b in [b'"', b'{', b'}', b'0', b'\\', 0, 0x80] {
            let mut data = good.clone();
            data[i] = b;
            if let Ok(v) = de.deserialize_value(&data, &ctx) {
                serializer(&client, &order_schema(), Default::default())
                    .serialize_value(&v, &ctx)
                    .unwrap();
            }
        }
    }
    // Nesting deeper than serde_json's limit (128): an error, not a stack
    // overflow.
    let schema_id = framed_id(&good);
    let deep = [vec![b'['; 100_000], vec![b']'; 100_000]].concat();
    let mut data = good[..5].to_vec();
    data.extend_from_slice(&deep);
    let e = de.deserialize_value(&data, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "deserialization", "{e}");
    assert_eq!(schema_id, framed_id(&data));
    // Other magic bytes, and unknown ids.
    for magic in [1u8, 2, 0xff] {
        let mut data = good.clone();
        data[0] = magic;
        assert_eq!(kind_of(&de.deserialize_value(&data, &ctx).unwrap_err()), "framing");
    }
    let mut unknown = good.clone();
    unknown[1..5].copy_from_slice(&999i32.to_be_bytes());
    let e = de.deserialize_value(&unknown, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "registry", "{e}");
    assert!(e.to_string().contains("40403"), "{e}");
    // An id that names an Avro schema is not read as JSON.
    let avro = client
        .register_schema("a", &Schema::new(r#""string""#, Schema::AVRO), false)
        .unwrap();
    let mut wrong = good.clone();
    wrong[1..5].copy_from_slice(&avro.to_be_bytes());
    let e = de.deserialize_value(&wrong, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "schema", "{e}");
}

#[test]
fn a_registry_that_is_down_is_a_retriable_typed_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_for(&format!("http://127.0.0.1:{port}"));
    let ser = serializer_or_config(&client);
    let e = ser
        .serialize_value(&json!("x"), &SerializationContext::value("d"))
        .unwrap_err();
    assert_eq!(kind_of(&e), "registry", "{e}");
    assert!(e.is_retriable(), "{e}");
    let e = deserializer(&client)
        .deserialize_value(b"\0\0\0\0\x01\"x\"", &SerializationContext::value("d"))
        .unwrap_err();
    assert!(e.is_retriable(), "{e}");
}

fn serializer_or_config(client: &Arc<SchemaRegistryClient>) -> JsonSerializer {
    // A schema without references needs no registry to be built.
    serializer(client, r#"{"type": "string"}"#, Default::default())
}

#[test]
fn invalid_schemas_and_configurations_are_refused_up_front() {
    let (_registry, client) = setup();
    for schema in [
        "not json",
        r#"{"type": 5}"#,
        r#"{"minimum": "x"}"#,
        r#"{"pattern": "("}"#,
    ] {
        let e = JsonSerializer::new(Arc::clone(&client), Some(schema), Default::default()).unwrap_err();
        assert!(matches!(e, SchemaRegistryError::Config(_)), "{schema}: {e}");
        let e = JsonDeserializer::new(Arc::clone(&client), Some(schema), Default::default()).unwrap_err();
        assert!(matches!(e, SchemaRegistryError::Config(_)), "{schema}: {e}");
    }
    let e = JsonSerializer::new(
        Arc::clone(&client),
        Some("{}"),
        JsonSerializerConfig::default().use_latest_version(true),
    )
    .unwrap_err();
    assert!(e.to_string().contains("use.latest.version"), "{e}");
    let e = JsonSerializer::new(Arc::clone(&client), None, Default::default()).unwrap_err();
    assert!(matches!(e, SchemaRegistryError::Config(_)), "{e}");
    // An Avro schema handed to the JSON serializer by id is refused when
    // used.
    let avro = client
        .register_schema("x-value", &Schema::new(r#""string""#, Schema::AVRO), false)
        .unwrap();
    let ser = JsonSerializer::new(
        Arc::clone(&client),
        None,
        JsonSerializerConfig::default().use_schema_id(Some(avro)),
    )
    .unwrap();
    let e = ser
        .serialize_value(&json!("s"), &SerializationContext::value("x"))
        .unwrap_err();
    assert_eq!(kind_of(&e), "schema", "{e}");
}

// ---- the mock registry's JSON Schema compatibility check ----

fn object(properties: Value, extra: Value) -> String {
    let mut s = json!({"type": "object", "properties": properties});
    for (k, v) in extra.as_object().unwrap() {
        s[k] = v.clone();
    }
    s.to_string()
}

#[test]
fn compatibility_levels_over_a_table_of_evolutions() {
    let (_registry, client) = setup();
    let int = json!({"type": "integer"});
    let num = json!({"type": "number"});
    let string = json!({"type": "string"});
    let closed = json!({"additionalProperties": false});
    let open = json!({});
    // (what, old, new, BACKWARD (new reads old), FORWARD (old reads new));
    // the verdicts are the Confluent registry's for these differences.
    let evolutions: Vec<Evolution> = vec![
        (
            "add an optional property to a closed model",
            object(json!({"a": int}), closed.clone()),
            object(json!({"a": int, "b": string}), closed.clone()),
            true,
            false,
        ),
        (
            "add an optional property to an open model",
            object(json!({"a": int}), open.clone()),
            object(json!({"a": int, "b": string}), open.clone()),
            false,
            true,
        ),
        (
            "remove a property from a closed model",
            object(json!({"a": int, "b": string}), closed.clone()),
            object(json!({"a": int}), closed.clone()),
            false,
            true,
        ),
        (
            "remove a property from an open model",
            object(json!({"a": int, "b": string}), open.clone()),
            object(json!({"a": int}), open.clone()),
            true,
            false,
        ),
        (
            "make a property required",
            object(json!({"a": int}), json!({})),
            object(json!({"a": int}), json!({"required": ["a"]})),
            false,
            true,
        ),
        (
            "widen integer to number",
            object(json!({"a": int}), closed.clone()),
            object(json!({"a": num}), closed.clone()),
            true,
            false,
        ),
        (
            "change a property's type",
            object(json!({"a": int}), closed.clone()),
            object(json!({"a": string}), closed.clone()),
            false,
            false,
        ),
        (
            "add an enum value",
            json!({"enum": ["X", "Y"]}).to_string(),
            json!({"enum": ["X", "Y", "Z"]}).to_string(),
            true,
            false,
        ),
        (
            "raise a maximum",
            json!({"type": "integer", "maximum": 10}).to_string(),
            json!({"type": "integer", "maximum": 20}).to_string(),
            true,
            false,
        ),
        (
            "lengthen maxLength",
            json!({"type": "string", "maxLength": 10}).to_string(),
            json!({"type": "string", "maxLength": 20}).to_string(),
            true,
            false,
        ),
        (
            "add a oneOf branch",
            json!({"oneOf": [{"type": "string"}, {"type": "null"}]}).to_string(),
            json!({"oneOf": [{"type": "string"}, {"type": "null"}, {"type": "integer"}]}).to_string(),
            true,
            false,
        ),
        (
            "a recursive definition, unchanged but respelled",
            json!({"definitions": {"n": {"type": "object", "properties": {"next": {"$ref": "#/definitions/n"}}}}, "$ref": "#/definitions/n"}).to_string(),
            json!({"$ref": "#/definitions/node", "definitions": {"node": {"properties": {"next": {"$ref": "#/definitions/node"}}, "type": "object"}}}).to_string(),
            true,
            true,
        ),
        (
            "add a pattern",
            json!({"type": "string"}).to_string(),
            json!({"type": "string", "pattern": "^a"}).to_string(),
            false,
            true,
        ),
        (
            "descriptions and titles only",
            json!({"type": "string", "title": "A"}).to_string(),
            json!({"type": "string", "title": "B", "description": "d"}).to_string(),
            true,
            true,
        ),
    ];
    common::registry::check_evolutions(&client, Schema::JSON, &evolutions);
}

#[test]
fn the_compatibility_check_agrees_with_validation_on_a_table_of_values() {
    // Whenever the check says a reader accepts all a writer writes, every
    // value of the table the writer's schema accepts, the reader's accepts:
    // the check is never wrong in the permissive direction.
    let (_registry, client) = setup();
    let schemas: Vec<Value> = vec![
        json!({}),
        json!({"type": "integer"}),
        json!({"type": "number"}),
        json!({"type": ["string", "null"]}),
        json!({"type": "string", "maxLength": 3}),
        json!({"type": "integer", "minimum": 0, "maximum": 10}),
        json!({"enum": [1, "a", null]}),
        json!({"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false}),
        json!({"type": "object", "properties": {"a": {"type": "number"}}}),
        json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}),
        json!({"type": "array", "items": {"type": "integer"}}),
        json!({"type": "array", "items": {"type": "number"}, "maxItems": 2}),
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"anyOf": [{"type": "integer", "minimum": 5}, {"type": "null"}]}),
    ];
    let values: Vec<Value> = vec![
        json!(null),
        json!(0),
        json!(-1),
        json!(5),
        json!(11),
        json!(1.5),
        json!("a"),
        json!("abcd"),
        json!([]),
        json!([1, 2, 3]),
        json!([1.5]),
        json!({}),
        json!({"a": 1}),
        json!({"a": 1.5}),
        json!({"a": 1, "b": 2}),
        json!(true),
    ];
    let validators: Vec<JsonDeserializer> = schemas
        .iter()
        .map(|s| JsonDeserializer::new(Arc::clone(&client), Some(&s.to_string()), Default::default()).unwrap())
        .collect();
    let writer_of_anything = JsonSerializer::new(
        Arc::clone(&client),
        Some("{}"),
        JsonSerializerConfig::default().validate(false),
    )
    .unwrap();
    let ctx = SerializationContext::value("table");
    let payloads: Vec<Vec<u8>> = values
        .iter()
        .map(|v| writer_of_anything.serialize_value(v, &ctx).unwrap())
        .collect();
    let accepts = |s: usize, v: usize| validators[s].deserialize_value(&payloads[v], &ctx).is_ok();
    let mut proven = 0;
    for (w, writer) in schemas.iter().enumerate() {
        for (r, reader) in schemas.iter().enumerate() {
            let subject = format!("pair-{w}-{r}");
            client
                .set_compatibility(Some(&subject), &CompatibilityLevel::new("BACKWARD"))
                .unwrap();
            client
                .register_schema(&subject, &Schema::new(writer.to_string(), Schema::JSON), false)
                .unwrap();
            let compatible = client
                .test_compatibility(&subject, &Schema::new(reader.to_string(), Schema::JSON), None)
                .unwrap();
            if compatible {
                proven += 1;
                for (v, value) in values.iter().enumerate() {
                    if accepts(w, v) {
                        assert!(
                            accepts(r, v),
                            "reader {reader} said to read {writer}, but refuses {value}"
                        );
                    }
                }
            }
            if w == r {
                assert!(compatible, "{writer} reads itself");
            }
        }
    }
    // Not only the identical pairs.
    assert!(proven > schemas.len() + 10, "{proven} pairs proven compatible");
}

#[test]
fn pairs_where_the_reader_refuses_a_value_the_writer_takes_are_incompatible() {
    // Each: writer, reader, a value the writer accepts and the reader
    // refuses. The check must never call such a pair compatible (found by
    // a review of the check: each was once called compatible).
    let d7 = "http://json-schema.org/draft-07/schema#";
    let d4 = "http://json-schema.org/draft-04/schema#";
    let pairs: Vec<(Value, Value, Value)> = vec![
        (
            json!({"type": "string"}),
            json!({"oneOf": [{"type": "string"}, {"type": "string"}]}),
            json!("x"),
        ),
        (
            json!({"type": "integer"}),
            json!({"oneOf": [{"type": "integer"}, {"type": "number"}]}),
            json!(1),
        ),
        (
            json!({"enum": [10]}),
            json!({"type": "integer", "maximum": 5}),
            json!(10),
        ),
        (
            json!({"const": "abc"}),
            json!({"type": "string", "maxLength": 1}),
            json!("abc"),
        ),
        (
            json!({"const": {"a": 1}}),
            json!({"type": "object", "required": ["b"]}),
            json!({"a": 1}),
        ),
        (
            json!({"type": "integer"}),
            json!({"$ref": "#/$defs/any", "maximum": 5, "$defs": {"any": {}}}),
            json!(6),
        ),
        (
            json!({"not": {"$ref": "#/definitions/a"}, "definitions": {"a": {"type": "number"}}}),
            json!({"not": {"$ref": "#/definitions/a"}, "definitions": {"a": {"type": "string"}}}),
            json!("s"),
        ),
        (
            json!({"$ref": "#node", "$defs": {"n": {"$anchor": "node", "type": "string"}}}),
            json!({"$ref": "#node", "$defs": {"n": {"$anchor": "node", "type": "integer"}}}),
            json!("s"),
        ),
        (
            json!({"type": "object", "patternProperties": {"^x": {"type": "string"}}, "additionalProperties": false}),
            json!({"type": "object", "additionalProperties": false}),
            json!({"x1": "s"}),
        ),
        (
            json!({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}}),
            json!({"type": "array", "items": {"type": "integer"}}),
            json!(["a", 1]),
        ),
        (
            json!({"type": "object", "properties": {"a": {}}, "unevaluatedProperties": false}),
            json!({"type": "object", "unevaluatedProperties": false}),
            json!({"a": 1}),
        ),
        (
            json!({"$schema": d7, "allOf": [{"type": "array", "items": [{"type": "string"}]}, {"additionalItems": false}]}),
            json!({"$schema": d7, "type": "array", "items": [{"type": "string"}], "additionalItems": false}),
            json!(["a", 1]),
        ),
        (
            json!({"type": "integer", "maximum": 9_007_199_254_740_993u64}),
            json!({"type": "integer", "maximum": 9_007_199_254_740_992u64}),
            json!(9_007_199_254_740_993u64),
        ),
        (
            json!({"$schema": d4, "enum": [1.0]}),
            json!({"$schema": d4, "type": "integer"}),
            json!(1.0),
        ),
    ];
    let (_registry, client) = setup();
    let ctx = SerializationContext::value("pairs");
    let anything = JsonSerializer::new(
        Arc::clone(&client),
        Some("{}"),
        JsonSerializerConfig::default().validate(false),
    )
    .unwrap();
    for (i, (writer, reader, value)) in pairs.iter().enumerate() {
        // The premise: the writer takes the value, the reader refuses it.
        let framed = anything.serialize_value(value, &ctx).unwrap();
        let check = |schema: &Value| {
            JsonDeserializer::new(Arc::clone(&client), Some(&schema.to_string()), Default::default())
                .unwrap()
                .deserialize_value(&framed, &ctx)
                .is_ok()
        };
        assert!(check(writer), "pair {i}: the writer {writer} refuses {value}");
        assert!(!check(reader), "pair {i}: the reader {reader} takes {value}");
        let subject = format!("unsound-{i}");
        client
            .set_compatibility(Some(&subject), &CompatibilityLevel::new("BACKWARD"))
            .unwrap();
        client
            .register_schema(&subject, &Schema::new(writer.to_string(), Schema::JSON), false)
            .unwrap();
        let compatible = client
            .test_compatibility(&subject, &Schema::new(reader.to_string(), Schema::JSON), None)
            .unwrap();
        assert!(!compatible, "pair {i}: {reader} said to read all of {writer}");
    }
}

#[test]
fn large_schemas_do_not_stall_the_mock_registry() {
    // A writer whose branches would each be copied with a 1 MB definition,
    // and a reader with thousands of failing branches: the check ends, with
    // a verdict, well inside the client's timeout.
    let (_registry, client) = setup();
    let pad = "x".repeat(1 << 20);
    let writer = json!({"$defs": {"pad": {"description": pad}}, "anyOf": [{"$ref": "#"}, {"$ref": "#"}]});
    client
        .register_schema("big", &Schema::new(writer.to_string(), Schema::JSON), false)
        .unwrap();
    assert!(!client
        .test_compatibility("big", &Schema::new(r#"{"type": "string"}"#, Schema::JSON), None)
        .unwrap());
    let falses = json!({"anyOf": vec![false; 3000]});
    assert!(!client
        .test_compatibility("big", &Schema::new(falses.to_string(), Schema::JSON), None)
        .unwrap());
}

#[test]
fn a_recursive_union_in_the_schema_does_not_make_a_refused_value_slow() {
    // Collecting every violation of a value under a recursive oneOf takes
    // time exponential in its depth: the details are left out for deep
    // values, so a refused value is refused quickly (a hang guard, not a
    // timing assertion).
    let (_registry, client) = setup();
    let schema = json!({
        "$defs": {"next": {"anyOf": [{"type": "null"}, {"$ref": "#"}]}},
        "oneOf": [
            {"type": "object", "properties": {"kind": {"const": "A"}, "next": {"$ref": "#/$defs/next"}}, "required": ["kind"]},
            {"type": "object", "properties": {"kind": {"const": "B"}, "next": {"$ref": "#/$defs/next"}}}
        ]
    });
    let lax = JsonSerializer::new(
        Arc::clone(&client),
        Some(&schema.to_string()),
        JsonSerializerConfig::default().validate(false),
    )
    .unwrap();
    let ctx = SerializationContext::value("deep");
    let depth = 40;
    let text = format!(
        "{}\"x\"{}",
        "{\"kind\":\"A\",\"next\":".repeat(depth),
        "}".repeat(depth)
    );
    let value: Value = serde_json::from_str(&text).unwrap();
    let bytes = lax.serialize_value(&value, &ctx).unwrap();
    let de = deserializer(&client);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(
            de.deserialize_value(&bytes, &SerializationContext::value("deep"))
                .map(|_| ()),
        );
    });
    let e = rx
        .recv_timeout(LIMIT)
        .expect("refused within the hang guard")
        .unwrap_err();
    assert!(e.to_string().contains("not listed"), "{e}");
}

#[test]
fn what_is_validated_is_what_is_written_and_references_keep_every_name() {
    let (_registry, client) = setup();
    let ctx = SerializationContext::value("w");
    // An f32 0.1 is written as 0.1: validated as 0.1, not as the f64 it
    // converts to (0.10000000149011612), both ways.
    let above = serializer(
        &client,
        r#"{"type": "number", "minimum": 0.10000000149011612}"#,
        Default::default(),
    );
    assert!(above.serialize(&0.1f32, &ctx).is_err());
    let ctx2 = SerializationContext::value("w2");
    let below = serializer(&client, r#"{"type": "number", "maximum": 0.1}"#, Default::default());
    let bytes = below.serialize(&0.1f32, &ctx2).unwrap();
    assert_eq!(&bytes[5..], b"0.1");
    assert!(deserializer(&client).deserialize_value(&bytes, &ctx2).is_ok());
    // A NaN is written as null: refused by a number schema.
    let ctx3 = SerializationContext::value("w3");
    let number = serializer(&client, r#"{"type": "number"}"#, Default::default());
    assert!(number.serialize(&f64::NAN, &ctx3).is_err());
    // Two names for one registered schema: both resolve.
    client
        .register_schema("addr", &Schema::new(r#"{"type": "string"}"#, Schema::JSON), false)
        .unwrap();
    let two = Schema::new(
        r#"{"type": "object", "properties": {"a": {"$ref": "a.json"}, "b": {"$ref": "b.json"}}}"#,
        Schema::JSON,
    )
    .with_references(vec![
        SchemaReference::new("a.json", "addr", 1),
        SchemaReference::new("b.json", "addr", 1),
    ]);
    let ser = JsonSerializer::with_schema(Arc::clone(&client), Some(two), Default::default()).unwrap();
    let ctx4 = SerializationContext::value("w4");
    ser.serialize_value(&json!({"a": "x", "b": "y"}), &ctx4).unwrap();
    assert!(ser.serialize_value(&json!({"a": "x", "b": 1}), &ctx4).is_err());
    // A `$schema` jsonschema does not know: read as 2020-12, as Python does.
    let custom = serializer(
        &client,
        r#"{"$schema": "http://example.com/custom#", "type": "integer"}"#,
        Default::default(),
    );
    let ctx5 = SerializationContext::value("w5");
    custom.serialize_value(&json!(1), &ctx5).unwrap();
    assert!(custom.serialize_value(&json!("1"), &ctx5).is_err());
}
