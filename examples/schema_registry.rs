//! Typed records through the Schema Registry: a `SerializingProducer`
//! writes `Order`s as Avro to one topic, as JSON Schema to another and as
//! Protobuf to a third (registering each schema under the topic's `-value`
//! subject), and a `DeserializingConsumer` reads them back.
//!
//! With no arguments it starts ferrokafka's embedded cluster
//! (`MockCluster`) and registry (`MockSchemaRegistry`): nothing to install.
//! With `--bootstrap-servers HOST:PORT --schema-registry-url URL` it runs
//! against a real Kafka and Schema Registry (Confluent Platform), on the
//! topics `ferrokafka-example-orders-avro`, `-json` and `-protobuf`.
//!
//!     cargo run --example schema_registry --features avro,json-schema,protobuf
//!     cargo run --example schema_registry --features avro,json-schema,protobuf -- \
//!         --bootstrap-servers localhost:9092 --schema-registry-url http://localhost:8081

use ferrokafka::schema_registry::avro::{AvroDeserializer, AvroSerializer};
use ferrokafka::schema_registry::json::{JsonDeserializer, JsonSerializer};
use ferrokafka::schema_registry::protobuf::prost_reflect::{DynamicMessage, ReflectMessage, Value};
use ferrokafka::schema_registry::protobuf::{parse_proto, ProtobufDeserializer, ProtobufSerializer};
use ferrokafka::schema_registry::{
    Deserializer, DeserializingConsumer, MockSchemaRegistry, SchemaRegistryClient, SerdeError, SerializationContext,
    Serializer, SerializingProducer, StringDeserializer, StringSerializer,
};
use ferrokafka::{config, Consumer, MockCluster, Producer, Record};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

const AVRO_SCHEMA: &str = r#"{
  "type": "record", "name": "Order", "namespace": "example",
  "fields": [
    {"name": "id", "type": "long"},
    {"name": "item", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": null}
  ]
}"#;

const JSON_SCHEMA: &str = r#"{
  "title": "Order", "type": "object",
  "properties": {
    "id": {"type": "integer", "minimum": 0},
    "item": {"type": "string", "minLength": 1},
    "note": {"type": ["string", "null"]}
  },
  "required": ["id", "item"]
}"#;

/// The same Order in Protobuf (with prost-build, a generated prost type
/// would stand for it; here a `DynamicMessage` does).
const PROTO: &str = r#"syntax = "proto3";
package example;
message Order {
  int64 id = 1;
  string item = 2;
  optional string note = 3;
}
"#;

#[derive(Debug, Serialize, Deserialize)]
struct Order {
    id: i64,
    item: String,
    note: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut bootstrap, mut registry_url) = (None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match (flag.as_str(), it.next()) {
            ("--bootstrap-servers", Some(v)) => bootstrap = Some(v.clone()),
            ("--schema-registry-url", Some(v)) => registry_url = Some(v.clone()),
            _ => {
                eprintln!("usage: schema_registry [--bootstrap-servers HOST:PORT --schema-registry-url URL]");
                std::process::exit(2);
            }
        }
    }
    // Embedded stand-ins unless both are given; kept alive to the end.
    let (_cluster, _registry, bootstrap, registry_url, prefix) = match (bootstrap, registry_url) {
        (Some(b), Some(r)) => (None, None, b, r, "ferrokafka-example-orders"),
        (None, None) => {
            let cluster = MockCluster::new(1)?;
            for format in ["avro", "json", "protobuf"] {
                cluster.create_topic(&format!("orders-{format}"), 1, 1)?;
            }
            let registry = MockSchemaRegistry::new()?;
            let (b, r) = (cluster.bootstrap_servers().to_string(), registry.url());
            (Some(cluster), Some(registry), b, r, "orders")
        }
        _ => {
            eprintln!("give both --bootstrap-servers and --schema-registry-url, or neither");
            std::process::exit(2);
        }
    };
    println!("cluster {bootstrap}, registry {registry_url}");
    let registry = Arc::new(SchemaRegistryClient::new(&config! { "url" => registry_url })?);
    let avro = (
        AvroSerializer::new(Arc::clone(&registry), Some(AVRO_SCHEMA), Default::default())?,
        AvroDeserializer::new(Arc::clone(&registry), None, Default::default())?,
    );
    let serde_key = |o: &Order| format!("order-{}", o.id);
    let serde_show = |o: &Order| format!("{o:?}");
    round_trip(
        &bootstrap,
        &registry,
        &format!("{prefix}-avro"),
        &orders(),
        serde_key,
        serde_show,
        avro.0,
        avro.1,
    )?;
    let json = (
        JsonSerializer::new(Arc::clone(&registry), Some(JSON_SCHEMA), Default::default())?,
        JsonDeserializer::new(Arc::clone(&registry), None, Default::default())?,
    );
    round_trip(
        &bootstrap,
        &registry,
        &format!("{prefix}-json"),
        &orders(),
        serde_key,
        serde_show,
        json.0,
        json.1,
    )?;
    let order_type = parse_proto("example_order.proto", PROTO)?
        .get_message_by_name("example.Order")
        .ok_or("no example.Order")?;
    let protobuf = (
        ProtobufSerializer::new(Arc::clone(&registry), order_type.clone(), Default::default())?,
        DynamicDeserializer(ProtobufDeserializer::new(Arc::clone(&registry), Default::default())),
    );
    let orders: Vec<DynamicMessage> = orders()
        .iter()
        .map(|o| {
            let mut m = DynamicMessage::new(order_type.clone());
            m.set_field_by_name("id", Value::I64(o.id));
            m.set_field_by_name("item", Value::String(o.item.clone()));
            if let Some(note) = &o.note {
                m.set_field_by_name("note", Value::String(note.clone()));
            }
            m
        })
        .collect();
    let show = |m: &DynamicMessage| {
        let fields: Vec<String> = m.fields().map(|(f, v)| format!("{}: {v}", f.name())).collect();
        format!("{} {{ {} }}", m.descriptor().full_name(), fields.join(", "))
    };
    let key = |m: &DynamicMessage| {
        format!(
            "order-{}",
            m.get_field_by_name("id").and_then(|v| v.as_i64()).unwrap_or(0)
        )
    };
    round_trip(
        &bootstrap,
        &registry,
        &format!("{prefix}-protobuf"),
        &orders,
        key,
        show,
        protobuf.0,
        protobuf.1,
    )?;
    Ok(())
}

/// A `Deserializer` of the application's own: Protobuf read into a
/// `DynamicMessage` of the writer's schema.
struct DynamicDeserializer(ProtobufDeserializer);

impl Deserializer<DynamicMessage> for DynamicDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<DynamicMessage, SerdeError> {
        self.0.deserialize_dynamic(data, ctx)
    }
}

fn orders() -> Vec<Order> {
    vec![
        Order {
            id: 1,
            item: "book".into(),
            note: None,
        },
        Order {
            id: 2,
            item: "lamp".into(),
            note: Some("fragile".into()),
        },
        Order {
            id: 3,
            item: "mug".into(),
            note: None,
        },
    ]
}

/// Produces `orders` to `topic` with `serializer`, and reads them back
/// with `deserializer`.
#[allow(clippy::too_many_arguments)]
fn round_trip<T: 'static>(
    bootstrap: &str,
    registry: &SchemaRegistryClient,
    topic: &str,
    orders: &[T],
    key: impl Fn(&T) -> String,
    show: impl Fn(&T) -> String,
    serializer: impl Serializer<T> + 'static,
    deserializer: impl Deserializer<T> + 'static,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("--- topic {topic}");
    // Produce: String keys, serialized values.
    let producer = Producer::new(&config! { "bootstrap.servers" => bootstrap })?;
    let producer = SerializingProducer::<str, T>::new(producer, StringSerializer, serializer);
    for order in orders {
        let key = key(order);
        let record = Record::new(topic).with_on_delivery(|report| match report.result() {
            Ok(()) => println!(
                "delivered to partition {:?} at offset {:?}",
                report.partition(),
                report.offset()
            ),
            Err(e) => eprintln!("delivery failed: {e}"),
        });
        producer.produce(record, Some(&key), Some(order))?;
    }
    producer.producer().flush(Duration::from_secs(30))?;
    let id = registry.latest_version(&format!("{topic}-value"))?;
    println!(
        "schema registered as id {} (subject {topic}-value, version {:?})",
        id.schema_id, id.version
    );

    // Consume them back into Orders.
    let consumer = Consumer::new(&config! {
        "bootstrap.servers" => bootstrap,
        "group.id" => format!("ferrokafka-example-{topic}"),
        "auto.offset.reset" => "earliest",
    })?;
    consumer.subscribe(&[topic])?;
    let consumer = DeserializingConsumer::<String, T>::new(consumer, StringDeserializer, deserializer);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut read = 0;
    while read < orders.len() && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(500)) {
            Ok(Some(m)) => {
                println!("{:?} => {}", m.key(), m.value().map_or("null".into(), &show));
                read += 1;
            }
            Ok(None) => {}
            // A record that is not an Order: skip it, as an application may.
            Err(e) if e.message().is_some() => eprintln!("skipped: {e}"),
            Err(e) => return Err(e.into()),
        }
    }
    consumer.consumer().close(Duration::from_secs(10))?;
    if read < orders.len() {
        return Err(format!("read {read} of {} orders within 30 s", orders.len()).into());
    }
    Ok(())
}
