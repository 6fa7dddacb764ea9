//! `cargo bench --bench avro` (issue 13): what Avro serialization costs per
//! message, beside the same work without it and beside Python's
//! `AvroSerializer`/`AvroDeserializer` on the same record.
//!
//! One record (an `Order`: a long, a string, an optional string, a double,
//! an enum, an array of three longs, a timestamp; 65 bytes framed),
//! registered in an in-process `MockSchemaRegistry`. Rows, each over
//! `FERROKAFKA_BENCH_MESSAGES` messages (default 200,000), medians of
//! `FERROKAFKA_BENCH_RUNS` runs (default 5):
//!
//! * serialize a generic `Value` / a serde struct; deserialize to a `Value`
//!   / to the struct: messages per second and Rust heap allocations per
//!   message (counting allocator);
//! * serialize + produce on a `MockCluster` (until every delivery report is
//!   served) beside producing the same bytes already serialized; consume +
//!   deserialize beside consuming alone;
//! * JSON Schema: serialize and deserialize the same struct with
//!   `JsonSerializer`/`JsonDeserializer` (validation on, as by default) and
//!   an equivalent JSON Schema;
//! * Protobuf: serialize a prost struct (prost's derive, its descriptor
//!   compiled from `PROTO` at start) with `ProtobufSerializer`, deserialize
//!   it to the struct and to a `DynamicMessage`;
//! * Python: `benches/avro_python.py` does the same serialize and
//!   deserialize with confluent-kafka's serializers (Avro, JSON, Protobuf)
//!   against the same registry, and the ratios are printed (skipped when
//!   Python's `confluent-kafka[avro,json]` is missing).
//!
//! `FERROKAFKA_BENCH_SHORT=1` (CI) runs every row on a few messages; its
//! numbers mean nothing.

mod common;

use common::{median, thousands, CountingAlloc, Window, WindowStats};
use ferrokafka::schema_registry::avro::apache_avro::types::Value;
use ferrokafka::schema_registry::avro::{AvroDeserializer, AvroSerializer};
use ferrokafka::schema_registry::json::{JsonDeserializer, JsonSerializer};
use ferrokafka::schema_registry::protobuf::prost_reflect::{DescriptorPool, MessageDescriptor, ReflectMessage};
use ferrokafka::schema_registry::protobuf::{parse_proto, ProtobufDeserializer, ProtobufSerializer};
use ferrokafka::schema_registry::{MockSchemaRegistry, SchemaRegistryClient, SerializationContext};
use ferrokafka::{Config, Consumer, MockCluster, Producer, Record, TopicPartition};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Partitions per topic: the mock cluster keeps at most about 5 MB per
/// partition, so 200,000 records are spread over these (round robin) to be
/// read back whole.
const PARTITIONS: i32 = 8;

const SCHEMA: &str = r#"{"type": "record", "name": "Order", "namespace": "bench", "fields": [
    {"name": "id", "type": "long"},
    {"name": "customer", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "total", "type": "double"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
    {"name": "items", "type": {"type": "array", "items": "long"}},
    {"name": "created", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}"#;

/// The same record as a JSON Schema (benches/avro_python.py has it too).
const JSON_SCHEMA: &str = r#"{"title": "Order", "type": "object", "properties": {
    "id": {"type": "integer"},
    "customer": {"type": "string"},
    "note": {"type": ["string", "null"]},
    "total": {"type": "number"},
    "status": {"enum": ["NEW", "PAID", "SHIPPED"]},
    "items": {"type": "array", "items": {"type": "integer"}},
    "created": {"type": "integer"}},
    "required": ["id", "customer", "total", "status", "items", "created"]}"#;

/// The same record in Protobuf (benches/avro_python.py gets its compiled
/// descriptor).
const PROTO: &str = r#"syntax = "proto3";
package bench;
message Order {
  int64 id = 1;
  string customer = 2;
  optional string note = 3;
  double total = 4;
  Status status = 5;
  repeated int64 items = 6;
  int64 created = 7;
  enum Status { NEW = 0; PAID = 1; SHIPPED = 2; }
}
"#;

fn proto_pool() -> &'static DescriptorPool {
    static POOL: std::sync::OnceLock<DescriptorPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| parse_proto("bench_order.proto", PROTO).expect("PROTO compiles"))
}

/// `PROTO`'s Order as prost-build would generate it.
#[derive(Clone, PartialEq, prost::Message)]
struct ProtoOrder {
    #[prost(int64, tag = "1")]
    id: i64,
    #[prost(string, tag = "2")]
    customer: String,
    #[prost(string, optional, tag = "3")]
    note: Option<String>,
    #[prost(double, tag = "4")]
    total: f64,
    #[prost(int32, tag = "5")]
    status: i32,
    #[prost(int64, repeated, tag = "6")]
    items: Vec<i64>,
    #[prost(int64, tag = "7")]
    created: i64,
}

impl ReflectMessage for ProtoOrder {
    fn descriptor(&self) -> MessageDescriptor {
        proto_pool().get_message_by_name("bench.Order").expect("bench.Order")
    }
}

fn proto_order() -> ProtoOrder {
    ProtoOrder {
        id: 1_234_567,
        customer: "customer-0042".into(),
        note: Some("leave at the door".into()),
        total: 99.95,
        status: 1,
        items: vec![101, 202, 303],
        created: 1_700_000_000_000,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Status {
    #[serde(rename = "NEW")]
    New,
    #[serde(rename = "PAID")]
    Paid,
    #[serde(rename = "SHIPPED")]
    Shipped,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: i64,
    customer: String,
    note: Option<String>,
    total: f64,
    status: Status,
    items: Vec<i64>,
    created: i64,
}

fn order() -> Order {
    Order {
        id: 1_234_567,
        customer: "customer-0042".into(),
        note: Some("leave at the door".into()),
        total: 99.95,
        status: Status::Paid,
        items: vec![101, 202, 303],
        created: 1_700_000_000_000,
    }
}

fn order_value() -> Value {
    Value::Record(vec![
        ("id".into(), Value::Long(1_234_567)),
        ("customer".into(), Value::String("customer-0042".into())),
        (
            "note".into(),
            Value::Union(1, Box::new(Value::String("leave at the door".into()))),
        ),
        ("total".into(), Value::Double(99.95)),
        ("status".into(), Value::Enum(1, "PAID".into())),
        (
            "items".into(),
            Value::Array(vec![Value::Long(101), Value::Long(202), Value::Long(303)]),
        ),
        ("created".into(), Value::TimestampMillis(1_700_000_000_000)),
    ])
}

/// One row's result in one run.
#[derive(Clone, Copy)]
struct Run {
    per_sec: f64,
    allocs: f64,
}

fn run(n: usize, w: WindowStats) -> Run {
    Run {
        per_sec: n as f64 / w.secs,
        allocs: w.allocs as f64 / n as f64,
    }
}

struct Bench {
    client: Arc<SchemaRegistryClient>,
    cluster: MockCluster,
    n: usize,
    ctx: SerializationContext<'static>,
    json_ctx: SerializationContext<'static>,
    proto_ctx: SerializationContext<'static>,
}

impl Bench {
    fn serializer(&self) -> AvroSerializer {
        AvroSerializer::new(Arc::clone(&self.client), Some(SCHEMA), Default::default()).expect("serializer")
    }

    fn deserializer(&self) -> AvroDeserializer {
        AvroDeserializer::new(Arc::clone(&self.client), None, Default::default()).expect("deserializer")
    }

    fn payload(&self) -> Vec<u8> {
        self.serializer().serialize(&order(), &self.ctx).expect("serialize")
    }

    fn serialize_value(&self) -> Run {
        let (s, v) = (self.serializer(), order_value());
        s.serialize_value(&v, &self.ctx).unwrap();
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(s.serialize_value(&v, &self.ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn serialize_serde(&self) -> Run {
        let (s, o) = (self.serializer(), order());
        s.serialize(&o, &self.ctx).unwrap();
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(s.serialize(&o, &self.ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn deserialize_value(&self) -> Run {
        let (d, p) = (self.deserializer(), self.payload());
        assert_eq!(d.deserialize_value(&p, &self.ctx).unwrap(), order_value());
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(d.deserialize_value(&p, &self.ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn deserialize_serde(&self) -> Run {
        let (d, p) = (self.deserializer(), self.payload());
        assert_eq!(d.deserialize::<Order>(&p, &self.ctx).unwrap(), order());
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(d.deserialize::<Order>(&p, &self.ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn json_serialize(&self) -> Run {
        let s = JsonSerializer::new(Arc::clone(&self.client), Some(JSON_SCHEMA), Default::default()).expect("json");
        let o = order();
        s.serialize(&o, &self.json_ctx).unwrap();
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(s.serialize(&o, &self.json_ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn json_deserialize(&self) -> Run {
        let s = JsonSerializer::new(Arc::clone(&self.client), Some(JSON_SCHEMA), Default::default()).expect("json");
        let d = JsonDeserializer::new(Arc::clone(&self.client), None, Default::default()).expect("json");
        let p = s.serialize(&order(), &self.json_ctx).unwrap();
        assert_eq!(d.deserialize::<Order>(&p, &self.json_ctx).unwrap(), order());
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(d.deserialize::<Order>(&p, &self.json_ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn proto_serializer(&self) -> ProtobufSerializer {
        let d = proto_pool().get_message_by_name("bench.Order").expect("bench.Order");
        ProtobufSerializer::new(Arc::clone(&self.client), d, Default::default()).expect("protobuf")
    }

    fn proto_serialize(&self) -> Run {
        let (s, o) = (self.proto_serializer(), proto_order());
        s.serialize(&o, &self.proto_ctx).unwrap();
        let w = Window::open();
        for _ in 0..self.n {
            std::hint::black_box(s.serialize(&o, &self.proto_ctx).unwrap());
        }
        run(self.n, w.close())
    }

    fn proto_deserialize(&self, dynamic: bool) -> Run {
        let p = self
            .proto_serializer()
            .serialize(&proto_order(), &self.proto_ctx)
            .unwrap();
        let d = ProtobufDeserializer::new(Arc::clone(&self.client), Default::default());
        assert_eq!(d.deserialize::<ProtoOrder>(&p, &self.proto_ctx).unwrap(), proto_order());
        let w = Window::open();
        for _ in 0..self.n {
            if dynamic {
                std::hint::black_box(d.deserialize_dynamic(&p, &self.proto_ctx).unwrap());
            } else {
                std::hint::black_box(d.deserialize::<ProtoOrder>(&p, &self.proto_ctx).unwrap());
            }
        }
        run(self.n, w.close())
    }

    fn producer(&self) -> Producer {
        Producer::new(&Config::from([
            ("bootstrap.servers", self.cluster.bootstrap_servers()),
            ("linger.ms", "5"),
            ("queue.buffering.max.messages", "1000000"),
        ]))
        .expect("producer")
    }

    /// Produces `n` messages, serializing each first when `serialize`,
    /// until every delivery report is served.
    fn produce(&self, topic: &str, serialize: bool) -> Run {
        let p = self.producer();
        let s = self.serializer();
        let o = order();
        let fixed = self.payload();
        let w = Window::open();
        for i in 0..self.n {
            let bytes = if serialize {
                s.serialize(&o, &self.ctx).unwrap()
            } else {
                fixed.clone()
            };
            // Spread evenly: the sticky partitioner can put most of a fast
            // burst in one partition, past what the mock keeps of it.
            let mut rec = Record::new(topic)
                .with_partition(i as i32 % PARTITIONS)
                .with_value(&bytes);
            loop {
                match p.produce(rec) {
                    Ok(()) => break,
                    Err(e) if e.is_queue_full() => {
                        p.poll(Duration::from_millis(1)).unwrap();
                        rec = e.into_record();
                    }
                    Err(e) => panic!("produce: {}", e.error()),
                }
            }
        }
        p.flush(Duration::from_secs(300)).expect("flush");
        let r = run(self.n, w.close());
        p.close(Duration::from_secs(10)).unwrap();
        r
    }

    /// Consumes the `n` messages of `topic`, deserializing each when
    /// `deserialize`.
    fn consume(&self, topic: &str, deserialize: bool) -> Run {
        let c = Consumer::new(&Config::from([
            ("bootstrap.servers", self.cluster.bootstrap_servers()),
            ("group.id", "bench"),
            ("enable.auto.commit", "false"),
            ("fetch.queue.backoff.ms", "10"),
        ]))
        .expect("consumer");
        let parts: Vec<TopicPartition> = (0..PARTITIONS)
            .map(|p| TopicPartition::with_offset(topic, p, 0))
            .collect();
        c.assign(&parts).unwrap();
        let d = self.deserializer();
        let mut seen = 0;
        // The window opens when the first call returns data (connection
        // set-up left out) and that call's messages are not counted, as in
        // benches/throughput.rs.
        let mut window: Option<(Window, usize)> = None;
        let deadline = std::time::Instant::now() + Duration::from_secs(300);
        while seen < self.n {
            assert!(
                std::time::Instant::now() < deadline,
                "consumed {seen} of {} messages of {topic} within 300 s",
                self.n
            );
            let batch = c.consume(10_000, Duration::from_secs(10)).expect("consume");
            for m in &batch {
                if deserialize {
                    std::hint::black_box(d.deserialize::<Order>(m.value().unwrap(), &self.ctx).unwrap());
                } else {
                    std::hint::black_box(m.value());
                }
            }
            seen += batch.len();
            if window.is_none() && !batch.is_empty() {
                window = Some((Window::open(), seen));
            }
        }
        let (w, first) = window.expect("messages");
        let r = run((self.n - first).max(1), w.close());
        c.close(Duration::from_secs(10)).unwrap();
        r
    }
}

/// Python's serialize and deserialize rates in `format` (`avro`, `json`),
/// or why there are none.
fn python(registry: &str, n: usize, format: &str) -> Result<(f64, f64), String> {
    use ferrokafka::schema_registry::protobuf::prost::Message as _;
    // Python has no .proto compiler here: it gets the compiled descriptor.
    let descriptor: String = proto_pool()
        .get_file_by_name("bench_order.proto")
        .expect("file")
        .file_descriptor_proto()
        .encode_to_vec()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/avro_python.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args([script, registry, &n.to_string(), format, &descriptor])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut nums = text.split_whitespace().map(|t| t.parse::<f64>());
    match (nums.next(), nums.next()) {
        (Some(Ok(s)), Some(Ok(d))) => Ok((s, d)),
        _ => Err(format!("unexpected output: {text}")),
    }
}

fn main() {
    let short = common::is_short();
    let n = if short {
        200
    } else {
        common::env_usize("FERROKAFKA_BENCH_MESSAGES", 200_000)
    };
    let runs = if short {
        1
    } else {
        common::env_usize("FERROKAFKA_BENCH_RUNS", 5)
    };
    let registry = MockSchemaRegistry::new().expect("registry");
    let client =
        Arc::new(SchemaRegistryClient::new(&ferrokafka::config! { "url" => registry.url() }).expect("registry client"));
    let cluster = MockCluster::new(1).expect("mock cluster");
    let mut bench = Bench {
        client,
        cluster,
        n,
        ctx: SerializationContext::value("orders"),
        json_ctx: SerializationContext::value("orders-json"),
        proto_ctx: SerializationContext::value("orders-protobuf"),
    };
    println!("# ferrokafka Avro benchmark (issue 13)\n");
    if short {
        println!("- SHORT MODE (FERROKAFKA_BENCH_SHORT=1): checks that every row works; the numbers mean nothing");
    }
    println!("- machine: {}", common::machine());
    println!(
        "- {} messages per row, {} run(s); one Order record, {} bytes framed; mock registry and mock cluster in process\n",
        thousands(n as f64),
        runs,
        bench.payload().len()
    );
    type RowFn = fn(&Bench, usize) -> Run;
    let rows: [(&str, RowFn); 13] = [
        ("serialize Value", |b, _| b.serialize_value()),
        ("serialize serde struct", |b, _| b.serialize_serde()),
        ("deserialize to Value", |b, _| b.deserialize_value()),
        ("deserialize to serde struct", |b, _| b.deserialize_serde()),
        ("produce pre-serialized bytes", |b, r| {
            b.produce(&format!("plain-{r}"), false)
        }),
        ("serialize + produce", |b, r| b.produce(&format!("avro-{r}"), true)),
        ("consume", |b, r| b.consume(&format!("plain-{r}"), false)),
        ("consume + deserialize", |b, r| b.consume(&format!("avro-{r}"), true)),
        ("JSON Schema: serialize serde struct", |b, _| b.json_serialize()),
        ("JSON Schema: deserialize to serde struct", |b, _| b.json_deserialize()),
        ("Protobuf: serialize prost struct", |b, _| b.proto_serialize()),
        ("Protobuf: deserialize to prost struct", |b, _| {
            b.proto_deserialize(false)
        }),
        ("Protobuf: deserialize to DynamicMessage", |b, _| {
            b.proto_deserialize(true)
        }),
    ];
    let mut results: Vec<Vec<Run>> = vec![Vec::new(); rows.len()];
    for r in 0..runs {
        // A fresh mock cluster per run, as benches/throughput.rs has per
        // row: earlier runs' topics stay out of the mock's memory (with
        // one cluster for all runs, a consume row once found part of its
        // topic gone).
        bench.cluster = MockCluster::new(1).expect("mock cluster");
        for prefix in ["plain", "avro"] {
            bench
                .cluster
                .create_topic(&format!("{prefix}-{r}"), PARTITIONS, 1)
                .expect("topic");
        }
        for (i, (_, f)) in rows.iter().enumerate() {
            results[i].push(f(&bench, r));
        }
    }
    let med = |i: usize, f: fn(&Run) -> f64| median(&results[i].iter().map(f).collect::<Vec<_>>());
    println!("| row | msgs/s | allocations/msg |");
    println!("|---|---:|---:|");
    for (i, (name, _)) in rows.iter().enumerate() {
        println!(
            "| {name} | {} | {:.1} |",
            thousands(med(i, |r| r.per_sec)),
            med(i, |r| r.allocs)
        );
    }
    println!(
        "\nserialize + produce runs at {:.2}× producing pre-serialized bytes; consume + deserialize at {:.2}× consuming alone.",
        med(5, |r| r.per_sec) / med(4, |r| r.per_sec),
        med(7, |r| r.per_sec) / med(6, |r| r.per_sec)
    );
    for (format, ser_row, de_row) in [("avro", 1, 3), ("json", 8, 9), ("protobuf", 10, 11)] {
        match python(&registry.url(), n, format) {
            Ok((ser, de)) => println!(
                "Python confluent-kafka, {format}, on the same record: serialize {} msgs/s, deserialize {} msgs/s; ferrokafka (serde or prost struct) is {:.1}× and {:.1}× that.",
                thousands(ser),
                thousands(de),
                med(ser_row, |r| r.per_sec) / ser,
                med(de_row, |r| r.per_sec) / de
            ),
            Err(why) => println!("Python {format} rows skipped: {why}"),
        }
    }
}
