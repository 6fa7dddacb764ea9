//! The `protobuf` feature: `ProtobufSerializer` and `ProtobufDeserializer`
//! against `MockSchemaRegistry`: dynamic messages at every nesting level
//! (message indexes [0], [0,0], [0,0,0], [1]), an imported file registered
//! as a reference, a well-known type, typed prost messages, the typed
//! clients through a `MockCluster`, options and subject name strategies,
//! bad input (every prefix, corrupt bytes, index arrays out of range,
//! nesting past prost's limit, unknown ids), and Python's own
//! `ProtobufSerializer`/`ProtobufDeserializer`
//! (tests/interop/protobuf_tool.py over tests/interop/protobuf_everything.json):
//! the same ids, the same bytes, the same messages, both ways, and Python
//! producing to a `MockCluster` that ferrokafka reads.

mod common;

use common::hex;
use common::python::{unhex, LIMIT};
use common::registry::Evolution;
use ferrokafka::schema_registry::protobuf::prost::Message as _;
use ferrokafka::schema_registry::protobuf::prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, ReflectMessage,
};
use ferrokafka::schema_registry::protobuf::{
    parse_proto, parse_protos, ProtobufDeserializer, ProtobufSerializer, ProtobufSerializerConfig,
};
use ferrokafka::schema_registry::{
    DeserializingConsumer, MockSchemaRegistry, Schema, SchemaRegistryClient, SerdeError, SerdeErrorKind,
    SerializationContext, SerializingProducer, StringDeserializer, StringSerializer, SubjectNameStrategy,
};
use ferrokafka::{config, Consumer, MockCluster, Producer, Record, TopicPartition};
use serde_json::Value;
use std::sync::{Arc, OnceLock};
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
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/interop/protobuf_everything.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The two files of protobuf_everything.json, compiled once.
fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        let data = everything();
        let files = data["files"].as_object().unwrap();
        let sources: Vec<(&str, &str)> = ["common.proto", "order.proto"]
            .iter()
            .map(|n| (*n, files[*n].as_str().unwrap()))
            .collect();
        parse_protos(&sources).unwrap()
    })
}

fn message_type(name: &str) -> MessageDescriptor {
    pool().get_message_by_name(name).unwrap_or_else(|| panic!("no {name}"))
}

/// The records: (type name, message).
fn records() -> Vec<(String, DynamicMessage)> {
    everything()["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r[0].as_str().unwrap().to_string();
            let message = DynamicMessage::deserialize(message_type(&name), r[1].clone()).unwrap();
            (name, message)
        })
        .collect()
}

fn framed_id(data: &[u8]) -> i32 {
    assert_eq!(data[0], 0, "magic byte");
    i32::from_be_bytes(data[1..5].try_into().unwrap())
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

fn topic_for(topic: &str, name: &str) -> String {
    format!("{topic}-{name}")
}

/// The message indexes each record's type has, encoded as Confluent does.
fn expected_indexes(name: &str) -> &'static [u8] {
    match name {
        "shop.Order" => &[0],
        // Order's nested types: AttributesEntry (the map's), then Line.
        "shop.Order.Line" => &[4, 0, 2],
        "shop.Order.Line.Nested" => &[6, 0, 2, 0],
        "shop.Refund" => &[2, 2],
        other => panic!("{other}"),
    }
}

#[test]
fn dynamic_messages_round_trip_at_every_nesting_level() {
    let (_registry, client) = setup();
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    for (name, message) in records() {
        let ser = ProtobufSerializer::new(Arc::clone(&client), message_type(&name), Default::default()).unwrap();
        let ctx = SerializationContext::value("orders");
        let ctx = SerializationContext::value(Box::leak(topic_for(ctx.topic, &name).into_boxed_str()));
        let bytes = ser.serialize(&message, &ctx).unwrap();
        let indexes = expected_indexes(&name);
        assert_eq!(&bytes[5..5 + indexes.len()], indexes, "{name}");
        assert_eq!(
            &bytes[5 + indexes.len()..],
            message.encode_to_vec().as_slice(),
            "{name}"
        );
        let back = de.deserialize_dynamic(&bytes, &ctx).unwrap();
        assert_eq!(back.descriptor().full_name(), name);
        assert_eq!(back.encode_to_vec(), message.encode_to_vec(), "{name}");
    }
    // The imported file is a reference, registered under its name; the
    // well-known type is not.
    let order = client.latest_version("orders-shop.Order-value").unwrap();
    let refs: Vec<(String, String, i32)> = order
        .schema
        .references
        .iter()
        .map(|r| (r.name.clone(), r.subject.clone(), r.version))
        .collect();
    assert_eq!(refs, vec![("common.proto".to_string(), "common.proto".to_string(), 1)]);
    assert_eq!(
        client
            .subjects()
            .unwrap()
            .iter()
            .filter(|s| s.contains("google"))
            .count(),
        0
    );
}

#[test]
fn the_message_type_and_the_options_are_honoured() {
    let (_registry, client) = setup();
    let ctx = SerializationContext::value("o");
    let order_type = message_type("shop.Order");
    let ser = ProtobufSerializer::new(Arc::clone(&client), order_type.clone(), Default::default()).unwrap();
    // Another type is refused.
    let line = DynamicMessage::new(message_type("shop.Order.Line"));
    let e = ser.serialize(&line, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "serialization", "{e}");
    assert!(e.to_string().contains("shop.Order.Line"), "{e}");
    // Subject name strategies: the record name is the full name.
    for (strategy, subject) in [
        (SubjectNameStrategy::RecordName, "shop.Order"),
        (SubjectNameStrategy::TopicRecordName, "o-shop.Order"),
    ] {
        let ser = ProtobufSerializer::new(
            Arc::clone(&client),
            order_type.clone(),
            ProtobufSerializerConfig::default().subject_name_strategy(strategy),
        )
        .unwrap();
        ser.serialize(&DynamicMessage::new(order_type.clone()), &ctx).unwrap();
        assert!(client.latest_version(subject).is_ok(), "{subject}");
    }
    // use.latest.version and use.schema.id frame with the id they name.
    let latest = client.latest_version("shop.Order").unwrap().schema_id;
    let by_latest = ProtobufSerializer::new(
        Arc::clone(&client),
        order_type.clone(),
        ProtobufSerializerConfig::default()
            .auto_register_schemas(false)
            .use_latest_version(true)
            .subject_name_strategy(SubjectNameStrategy::RecordName),
    )
    .unwrap();
    let bytes = by_latest
        .serialize(&DynamicMessage::new(order_type.clone()), &ctx)
        .unwrap();
    assert_eq!(framed_id(&bytes), latest);
    let by_id = ProtobufSerializer::new(
        Arc::clone(&client),
        order_type.clone(),
        ProtobufSerializerConfig::default().use_schema_id(Some(latest)),
    )
    .unwrap();
    assert_eq!(
        framed_id(&by_id.serialize(&DynamicMessage::new(order_type.clone()), &ctx).unwrap()),
        latest
    );
    // auto.register.schemas off, nothing registered under the subject: the
    // registry's error.
    let unregistered = ProtobufSerializer::new(
        Arc::clone(&client),
        order_type.clone(),
        ProtobufSerializerConfig::default().auto_register_schemas(false),
    )
    .unwrap();
    let e = unregistered
        .serialize(
            &DynamicMessage::new(order_type.clone()),
            &SerializationContext::value("never"),
        )
        .unwrap_err();
    assert_eq!(kind_of(&e), "registry", "{e}");
    // Both latest and auto-register: refused up front, as Python does.
    assert!(ProtobufSerializer::new(
        Arc::clone(&client),
        order_type,
        ProtobufSerializerConfig::default().use_latest_version(true)
    )
    .is_err());
}

/// A prost struct for shop.common.Money, with its descriptor from the pool.
#[derive(Clone, PartialEq, prost::Message)]
struct Money {
    #[prost(string, tag = "1")]
    currency: String,
    #[prost(int64, tag = "2")]
    units: i64,
    #[prost(int32, tag = "3")]
    nanos: i32,
}

impl ReflectMessage for Money {
    fn descriptor(&self) -> MessageDescriptor {
        message_type("shop.common.Money")
    }
}

#[test]
fn typed_prost_messages_through_the_typed_clients() {
    let (_registry, client) = setup();
    let cluster = MockCluster::new(1).unwrap();
    let topic = "money";
    cluster.create_topic(topic, 1, 1).unwrap();
    let producer = Producer::new(&config! { "bootstrap.servers" => cluster.bootstrap_servers() }).unwrap();
    let ser = ProtobufSerializer::new(
        Arc::clone(&client),
        message_type("shop.common.Money"),
        Default::default(),
    )
    .unwrap();
    let typed = SerializingProducer::<str, Money>::new(producer, StringSerializer, ser);
    let amounts: Vec<Money> = (0..5)
        .map(|i| Money {
            currency: ["EUR", "GBP", ""][i % 3].into(),
            units: -(i as i64) * 1_000_000_007,
            nanos: i as i32,
        })
        .collect();
    for (i, m) in amounts.iter().enumerate() {
        typed
            .produce(
                Record::new(topic).with_partition(0),
                Some(i.to_string().as_str()),
                Some(m),
            )
            .unwrap();
    }
    typed.producer().flush(LIMIT).unwrap();
    let consumer = Consumer::new(&config! {
        "bootstrap.servers" => cluster.bootstrap_servers(),
        "group.id" => "money-g",
        "enable.auto.commit" => false,
    })
    .unwrap();
    consumer.assign(&[TopicPartition::with_offset(topic, 0, 0)]).unwrap();
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let typed_consumer = DeserializingConsumer::<String, Money>::new(consumer, StringDeserializer, de);
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + LIMIT;
    while got.len() < amounts.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {}",
            got.len(),
            amounts.len()
        );
        if let Some(m) = typed_consumer.poll(Duration::from_millis(200)).unwrap() {
            got.push(m.into_parts().1.unwrap());
        }
    }
    assert_eq!(got, amounts);
    // The same bytes read dynamically name the type.
    let dynamic = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let ser = ProtobufSerializer::new(
        Arc::clone(&client),
        message_type("shop.common.Money"),
        Default::default(),
    )
    .unwrap();
    let bytes = ser.serialize(&amounts[1], &SerializationContext::value(topic)).unwrap();
    let back = dynamic
        .deserialize_dynamic(&bytes, &SerializationContext::value(topic))
        .unwrap();
    assert_eq!(back.descriptor().full_name(), "shop.common.Money");
    assert_eq!(back.encode_to_vec(), amounts[1].encode_to_vec());
}

#[test]
fn every_prefix_and_corruption_is_a_typed_error_or_a_message() {
    let (_registry, client) = setup();
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let (name, message) = records().swap_remove(1);
    let ctx = SerializationContext::value("c");
    let ser = ProtobufSerializer::new(Arc::clone(&client), message_type(&name), Default::default()).unwrap();
    let good = ser.serialize(&message, &ctx).unwrap();
    // Prefixes: framing errors under 5 bytes, an index error at 5; after,
    // Protobuf has no end marker, so a prefix cut at a field boundary is a
    // message with fewer fields — every other cut is an error.
    for n in 0..good.len() {
        match de.deserialize_dynamic(&good[..n], &ctx) {
            Ok(m) => assert!(n > 5 && good[6..].starts_with(&m.encode_to_vec()), "prefix {n}"),
            Err(e) => {
                let expected = if n < 5 { "framing" } else { "deserialization" };
                assert_eq!(kind_of(&e), expected, "prefix {n}: {e}");
            }
        }
        let _ = de.deserialize::<Money>(&good[..n], &ctx);
    }
    // Every byte replaced by a few values: an error or a message; never a
    // panic.
    for i in 5..good.len() {
        for b in [0u8, 0x80, 0xff, 0x0a, 0x7f] {
            let mut data = good.clone();
            data[i] = b;
            if let Ok(m) = de.deserialize_dynamic(&data, &ctx) {
                let _ = m.encode_to_vec();
            }
        }
    }
    // Index arrays: too long, past the body, out of the schema's range.
    let id = framed_id(&good);
    let with = |indexes: &[u8], body: &[u8]| {
        let mut d = vec![0];
        d.extend_from_slice(&id.to_be_bytes());
        d.extend_from_slice(indexes);
        d.extend_from_slice(body);
        d
    };
    for (indexes, what) in [
        (&[0xc0, 0x9a, 0x0c][..], "length"),  // 100,000 + ... zigzag: past the bound
        (&[0x10][..], "length"),              // 8 indexes in 0 bytes
        (&[2, 20][..], "name no message"),    // [10]
        (&[2, 1][..], "name no message"),     // [-1]
        (&[4, 0, 40][..], "name no message"), // [0, 20]
        (&[1][..], "length"),                 // -1 indexes
    ] {
        let e = de.deserialize_dynamic(&with(indexes, &[]), &ctx).unwrap_err();
        assert_eq!(kind_of(&e), "deserialization", "{indexes:?}: {e}");
        assert!(e.to_string().contains(what), "{indexes:?}: {e}");
    }
    // Unknown ids, other magic bytes.
    let mut unknown = good.clone();
    unknown[1..5].copy_from_slice(&999i32.to_be_bytes());
    assert_eq!(
        kind_of(&de.deserialize_dynamic(&unknown, &ctx).unwrap_err()),
        "registry"
    );
    let mut magic = good.clone();
    magic[0] = 1;
    assert_eq!(kind_of(&de.deserialize_dynamic(&magic, &ctx).unwrap_err()), "framing");
    assert_eq!(kind_of(&de.deserialize::<Money>(&magic, &ctx).unwrap_err()), "framing");
}

#[test]
fn nesting_past_the_decoders_limit_is_an_error_not_a_stack_overflow() {
    let (_registry, client) = setup();
    let pool = parse_proto(
        "tree.proto",
        r#"syntax = "proto3"; message Tree { Tree child = 1; int32 v = 2; }"#,
    )
    .unwrap();
    let tree = pool.get_message_by_name("Tree").unwrap();
    let ser = ProtobufSerializer::new(Arc::clone(&client), tree.clone(), Default::default()).unwrap();
    let ctx = SerializationContext::value("tree");
    let framing = ser.serialize(&DynamicMessage::new(tree), &ctx).unwrap();
    // 100,000 levels of `child`: each level is tag 0x0a and a length.
    let mut body: Vec<u8> = vec![0x10, 0x01]; // v = 1
    for _ in 0..100_000 {
        let mut outer = vec![0x0a];
        let mut len = body.len();
        while len >= 0x80 {
            outer.push((len as u8) | 0x80);
            len >>= 7;
        }
        outer.push(len as u8);
        outer.extend_from_slice(&body);
        body = outer;
        if body.len() > 4_000_000 {
            break;
        }
    }
    let mut data = framing[..6].to_vec();
    data.extend_from_slice(&body);
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let e = de.deserialize_dynamic(&data, &ctx).unwrap_err();
    assert_eq!(kind_of(&e), "deserialization", "{e}");
}

#[test]
fn schemas_registered_as_proto_text_are_read_too() {
    let (_registry, client) = setup();
    // What Java registers, and what the registry answers by default.
    let files = everything()["files"].clone();
    let common = files["common.proto"].as_str().unwrap();
    client
        .register_schema("common.proto", &Schema::new(common, Schema::PROTOBUF), false)
        .unwrap();
    let order_text = files["order.proto"].as_str().unwrap();
    let schema = Schema::new(order_text, Schema::PROTOBUF).with_references(vec![
        ferrokafka::schema_registry::SchemaReference::new("common.proto", "common.proto", 1),
    ]);
    let id = client.register_schema("text-value", &schema, false).unwrap();
    let (name, message) = records().swap_remove(1);
    let mut data = vec![0];
    data.extend_from_slice(&id.to_be_bytes());
    data.push(0);
    data.extend_from_slice(&message.encode_to_vec());
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let back = de
        .deserialize_dynamic(&data, &SerializationContext::value("text"))
        .unwrap();
    assert_eq!(back.descriptor().full_name(), name);
    assert_eq!(back.encode_to_vec(), message.encode_to_vec());
    // A schema that does not compile is a typed error naming it.
    let bad = client
        .register_schema(
            "bad-value",
            &Schema::new("syntax = \"proto3\"; message {", Schema::PROTOBUF),
            false,
        )
        .unwrap();
    let mut data = vec![0];
    data.extend_from_slice(&bad.to_be_bytes());
    data.push(0);
    let e = de
        .deserialize_dynamic(&data, &SerializationContext::value("bad"))
        .unwrap_err();
    assert_eq!(kind_of(&e), "schema", "{e}");
    assert!(parse_proto("x.proto", "message {").is_err());
}

fn python_tool(args: &[String]) -> Option<Value> {
    common::python::python_tool("protobuf_tool.py", "confluent_kafka.schema_registry.protobuf", args)
}

/// The files' serialized descriptors (hex), dependencies first.
fn descriptor_hexes() -> Vec<String> {
    ["common.proto", "order.proto"]
        .iter()
        .map(|n| {
            hex(&pool()
                .get_file_by_name(n)
                .unwrap()
                .file_descriptor_proto()
                .encode_to_vec())
        })
        .collect()
}

#[test]
fn python_and_ferrokafka_write_the_same_bytes_and_read_each_other() {
    let (registry, client) = setup();
    let topic = "interop";
    let mut args = vec!["serialize".to_string(), registry.url(), topic.into()];
    args.extend(descriptor_hexes());
    let Some(py) = python_tool(&args) else {
        return;
    };
    let theirs: Vec<Vec<u8>> = py["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect();
    let records = records();
    assert_eq!(theirs.len(), records.len());
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let mut ours = Vec::new();
    for (i, ((name, message), theirs)) in records.iter().zip(&theirs).enumerate() {
        let t = topic_for(topic, name);
        let ctx = SerializationContext::value(&t);
        let ser = ProtobufSerializer::new(Arc::clone(&client), message_type(name), Default::default()).unwrap();
        let bytes = ser.serialize(message, &ctx).unwrap();
        assert_eq!(
            hex(&bytes),
            hex(theirs),
            "record {i} ({name}): not byte-identical (id, indexes or body)"
        );
        let back = de.deserialize_dynamic(theirs, &ctx).unwrap();
        assert_eq!(back.encode_to_vec(), message.encode_to_vec(), "record {i}");
        ours.push(bytes);
    }
    let mut args = vec!["deserialize".to_string(), registry.url(), topic.into()];
    args.extend(descriptor_hexes());
    args.push("--".into());
    args.extend(ours.iter().map(|b| hex(b)));
    let back = python_tool(&args).unwrap();
    let equal = back["equal"].as_array().unwrap();
    assert_eq!(equal.len(), records.len());
    for (i, e) in equal.iter().enumerate() {
        assert_eq!(e, &Value::Bool(true), "record {i}: Python read {}", back["values"][i]);
    }
}

// ---- the mock registry's Protobuf compatibility check ----

fn proto(body: &str) -> String {
    format!("syntax = \"proto3\";\npackage p;\n{body}\n")
}

#[test]
fn compatibility_levels_over_a_table_of_evolutions() {
    let (_registry, client) = setup();
    let base = "message M { int32 a = 1; string s = 2; }";
    // (what, old, new, BACKWARD (new reads old), FORWARD (old reads new)).
    let evolutions: Vec<Evolution> = vec![
        (
            "add a field",
            proto(base),
            proto("message M { int32 a = 1; string s = 2; bool b = 3; }"),
            true,
            true,
        ),
        (
            "remove a field",
            proto(base),
            proto("message M { int32 a = 1; }"),
            true,
            true,
        ),
        (
            "int32 to int64",
            proto(base),
            proto("message M { int64 a = 1; string s = 2; }"),
            true,
            true,
        ),
        (
            "string to bytes",
            proto(base),
            proto("message M { int32 a = 1; bytes s = 2; }"),
            true,
            true,
        ),
        (
            "int32 to string",
            proto(base),
            proto("message M { string a = 1; string s = 2; }"),
            false,
            false,
        ),
        (
            "int32 to sint32",
            proto(base),
            proto("message M { sint32 a = 1; string s = 2; }"),
            false,
            false,
        ),
        (
            "scalar to repeated",
            proto(base),
            proto("message M { repeated int32 a = 1; string s = 2; }"),
            false,
            false,
        ),
        (
            "a message type renamed under a field",
            proto("message M { N n = 1; } message N { int32 x = 1; }"),
            proto("message M { O n = 1; } message N { int32 x = 1; } message O { int32 x = 1; }"),
            false,
            false,
        ),
        (
            "add a message at the end",
            proto(base),
            proto(&format!("{base} message Z {{ int32 z = 1; }}")),
            true,
            false,
        ),
        (
            "reorder messages",
            proto("message A { int32 x = 1; } message B { int32 y = 1; }"),
            proto("message B { int32 y = 1; } message A { int32 x = 1; }"),
            false,
            false,
        ),
        (
            "move a field into an existing oneof",
            proto("message M { int32 a = 1; oneof o { string s = 2; } }"),
            proto("message M { oneof o { int32 a = 1; string s = 2; } }"),
            false,
            false,
        ),
        (
            "move one field into a new oneof",
            proto(base),
            proto("message M { oneof o { int32 a = 1; } string s = 2; }"),
            true,
            false,
        ),
        (
            "move two fields into a new oneof",
            proto(base),
            proto("message M { oneof o { int32 a = 1; string s = 2; } }"),
            false,
            false,
        ),
        (
            "change the package",
            proto(base),
            format!("syntax = \"proto3\";\npackage q;\n{base}\n"),
            false,
            false,
        ),
        (
            "proto2: add a required field",
            "syntax = \"proto2\"; message M { optional int32 a = 1; }".to_string(),
            "syntax = \"proto2\"; message M { optional int32 a = 1; required int32 r = 2; }".to_string(),
            false,
            false,
        ),
    ];
    common::registry::check_evolutions(&client, Schema::PROTOBUF, &evolutions);
    // The same check on the base64 descriptors the serializers register.
    let order = message_type("shop.Order");
    let ser = ProtobufSerializer::new(Arc::clone(&client), order.clone(), Default::default()).unwrap();
    ser.serialize(&DynamicMessage::new(order), &SerializationContext::value("compat"))
        .unwrap();
    let registered = client.latest_version("compat-value").unwrap().schema;
    assert!(client.test_compatibility("compat-value", &registered, None).unwrap());
}

// ---- found by a review: schemas that made prost-reflect panic or
// overflow the stack, imports ferrokafka could not read back, and a
// message of another definition under the same name ----

fn framed_with(id: i32, indexes: &[u8], body: &[u8]) -> Vec<u8> {
    let mut d = vec![0];
    d.extend_from_slice(&id.to_be_bytes());
    d.extend_from_slice(indexes);
    d.extend_from_slice(body);
    d
}

#[test]
fn schemas_that_would_panic_or_overflow_are_typed_errors() {
    let (_registry, client) = setup();
    let mut deep_option = String::from(
        "syntax = \"proto3\"; import \"google/protobuf/descriptor.proto\"; message V { V v = 1; } \
         extend google.protobuf.MessageOptions { V opt = 50000; } message M { option (opt) = ",
    );
    deep_option.push_str(&"{ v ".repeat(5000));
    deep_option.push_str(&"} ".repeat(5000));
    deep_option.push_str("; }");
    let schemas = [
        "syntax=\"proto3\"; message M { message EEntry { option map_entry = true; } repeated EEntry e = 1; }".to_string(),
        "syntax=\"proto3\"; message M { message EEntry { option map_entry = true; double key = 1; string value = 2; } repeated EEntry e = 1; }".to_string(),
        deep_option,
    ];
    for (i, text) in schemas.iter().enumerate() {
        let id = client
            .register_schema(
                &format!("bad-{i}"),
                &Schema::new(text.as_str(), Schema::PROTOBUF),
                false,
            )
            .unwrap();
        // On a 2 MB thread: the deep option value overflowed it.
        let (de, data) = (
            ProtobufDeserializer::new(Arc::clone(&client), Default::default()),
            framed_with(id, &[0], &[0x0a, 0x00]),
        );
        let result = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                de.deserialize_dynamic(&data, &SerializationContext::value("bad"))
                    .map(|_| ())
            })
            .unwrap()
            .join()
            .expect("no panic");
        let e = result.unwrap_err();
        assert_eq!(kind_of(&e), "schema", "schema {i}: {e}");
    }
}

#[test]
fn imports_python_builds_in_are_registered_so_ferrokafka_reads_them_back() {
    let (_registry, client) = setup();
    let pool = parse_protos(&[
        (
            "google/type/money.proto",
            "syntax = \"proto3\"; package google.type; message Money { string currency_code = 1; int64 units = 2; int32 nanos = 3; }",
        ),
        (
            "p.proto",
            "syntax = \"proto3\"; import \"google/type/money.proto\"; message P { google.type.Money price = 1; }",
        ),
    ])
    .unwrap();
    let p = pool.get_message_by_name("P").unwrap();
    let mut message = DynamicMessage::new(p.clone());
    let mut money = DynamicMessage::new(pool.get_message_by_name("google.type.Money").unwrap());
    money.set_field_by_name(
        "units",
        ferrokafka::schema_registry::protobuf::prost_reflect::Value::I64(5),
    );
    message.set_field_by_name(
        "price",
        ferrokafka::schema_registry::protobuf::prost_reflect::Value::Message(money),
    );
    let ctx = SerializationContext::value("money");
    let ser = ProtobufSerializer::new(Arc::clone(&client), p, Default::default()).unwrap();
    let bytes = ser.serialize(&message, &ctx).unwrap();
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let back = de.deserialize_dynamic(&bytes, &ctx).unwrap();
    assert_eq!(back.encode_to_vec(), message.encode_to_vec());
    assert!(client.latest_version("google/type/money.proto").is_ok());
}

#[test]
fn a_message_of_another_definition_under_the_same_name_is_refused() {
    let (_registry, client) = setup();
    let a = parse_proto(
        "a.proto",
        "syntax = \"proto3\"; package shop; message User { string name = 1; }",
    )
    .unwrap();
    let b = parse_proto(
        "b.proto",
        "syntax = \"proto3\"; package shop; message User { int64 id = 1; }",
    )
    .unwrap();
    let same = parse_proto(
        "c.proto",
        "syntax = \"proto3\"; package shop; message User { string name = 1; }",
    )
    .unwrap();
    let ser = ProtobufSerializer::new(
        Arc::clone(&client),
        a.get_message_by_name("shop.User").unwrap(),
        Default::default(),
    )
    .unwrap();
    let ctx = SerializationContext::value("users");
    let other = DynamicMessage::new(b.get_message_by_name("shop.User").unwrap());
    let e = ser.serialize(&other, &ctx).unwrap_err();
    assert!(e.to_string().contains("another definition"), "{e}");
    // The same definition from another pool is the same type.
    ser.serialize(
        &DynamicMessage::new(same.get_message_by_name("shop.User").unwrap()),
        &ctx,
    )
    .unwrap();
    // An index array past the schema: the error names a few, not all.
    let bytes = ser
        .serialize(&DynamicMessage::new(a.get_message_by_name("shop.User").unwrap()), &ctx)
        .unwrap();
    // 100,000 indexes (zigzag 200,000: 0xc0 0x9a 0x0c), all zero.
    let mut indexes = vec![0xc0, 0x9a, 0x0c];
    indexes.extend(std::iter::repeat_n(0, 100_000));
    let data = framed_with(framed_id(&bytes), &indexes, &[]);
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    let e = de.deserialize_dynamic(&data, &ctx).unwrap_err();
    assert!(e.to_string().len() < 1000, "{} bytes of error", e.to_string().len());
}

#[test]
fn python_produces_to_a_mock_cluster_and_ferrokafka_reads() {
    let (registry, client) = setup();
    let cluster = MockCluster::new(1).unwrap();
    let topic = "py-protobuf";
    cluster.create_topic(topic, 1, 1).unwrap();
    let mut args = vec![
        "produce".to_string(),
        registry.url(),
        topic.into(),
        cluster.bootstrap_servers().to_string(),
    ];
    args.extend(descriptor_hexes());
    let Some(py) = python_tool(&args) else {
        return;
    };
    let records = records();
    assert_eq!(py["produced"].as_u64(), Some(records.len() as u64));
    let got = common::registry::consume_values(cluster.bootstrap_servers(), topic, records.len());
    assert_eq!(got.len(), records.len());
    let de = ProtobufDeserializer::new(Arc::clone(&client), Default::default());
    for (i, ((_, value), (name, message))) in got.iter().zip(&records).enumerate() {
        let back = de
            .deserialize_dynamic(value, &SerializationContext::value(topic))
            .unwrap();
        assert_eq!(back.descriptor().full_name(), name, "record {i}");
        assert_eq!(back.encode_to_vec(), message.encode_to_vec(), "record {i}");
    }
}
