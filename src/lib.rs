//! # ferrokafka
//!
//! A safe, fast Apache Kafka client for Rust, built on
//! [librdkafka](https://github.com/confluentinc/librdkafka) 2.12.1 (compiled
//! from source and linked statically), with the API of Confluent's Python
//! client: a [`Producer`], a [`Consumer`] and an [`AdminClient`] configured by
//! a dictionary of librdkafka properties ([`Config`]). Async code awaits
//! [`Producer::send`], [`Consumer::stream`] and the admin futures under any
//! executor.
//!
//! * Callbacks run on your thread, inside the call that serves them
//!   (`poll`, `flush`, …), never on librdkafka's threads; a panic in a
//!   callback comes out of that call and the client stays usable.
//! * Every produced message gets exactly one delivery report — on close,
//!   on drop and on fatal errors too.
//! * No undefined behaviour from broker data: error codes are integers
//!   ([`ErrorCode`]) and broker-written bytes are never assumed to be UTF-8.
//! * [`MockCluster`] runs librdkafka's in-process mock cluster for tests.
//!
//! ```
//! use ferrokafka::{Config, MockCluster, Producer, Record};
//! use std::time::Duration;
//!
//! let cluster = MockCluster::new(1)?;
//! let mut config = Config::new();
//! config.set("bootstrap.servers", cluster.bootstrap_servers());
//! config.set_on_delivery(|report| match report.error() {
//!     None => println!("delivered to {} [{:?}] @ {:?}", report.topic(), report.partition(), report.offset()),
//!     Some(e) => eprintln!("failed: {e}"),
//! });
//! let producer = Producer::new(&config)?;
//! producer.produce(Record::new("events").with_key("k").with_value("v"))?;
//! producer.flush(Duration::from_secs(10))?;
//! # Ok::<(), ferrokafka::KafkaError>(())
//! ```
//!
//! ## Thread safety
//!
//! [`Producer`], [`Consumer`], [`AdminClient`] and [`MockCluster`] are
//! `Send + Sync`; consumed [`Message`]s are `Send + Sync + 'static`. Borrowed
//! views such as
//! [`DeliveryReport`] cannot leave the callback they are lent to:
//!
//! ```compile_fail
//! use ferrokafka::{Config, DeliveryReport};
//! let mut keep: Option<DeliveryReport<'static>> = None;
//! let mut config = Config::new();
//! config.set_on_delivery(move |r| { keep = Some(*r); });
//! ```
//!
//! A message stream borrows its consumer, so it cannot outlive it:
//!
//! ```compile_fail
//! use ferrokafka::{Config, Consumer};
//! let stream = {
//!     let consumer = Consumer::new(&Config::from([("group.id", "g")])).unwrap();
//!     consumer.stream()
//! };
//! ```
//!
//! ```compile_fail
//! // A delivery report borrows librdkafka memory: it is not Send.
//! fn assert_send<T: Send>() {}
//! assert_send::<ferrokafka::DeliveryReport<'static>>();
//! ```
//!
//! # Types
//!
//! One type per concept, everywhere: partitions, partition counts,
//! replication factors, broker ids and leader epochs are `i32` (Kafka's
//! int32); offsets and timestamps in milliseconds are `i64`; ports are
//! `u16`; sizes of what this crate holds in memory (`len()`, counts of
//! messages or records) are `usize`; durations are
//! [`Duration`](std::time::Duration) or [`Timeout`]. Every C
//! enumeration is an integer newtype with named constants
//! ([`ErrorCode`], [`RebalanceProtocol`], `admin::ResourceType`...), which
//! keeps values a newer librdkafka or broker sends; getters are nouns
//! (`key()`), builders `with_…`.
//!
//! ```
//! fn assert_send_sync<T: Send + Sync>() {}
//! assert_send_sync::<ferrokafka::Producer>();
//! assert_send_sync::<ferrokafka::Consumer>();
//! assert_send_sync::<ferrokafka::AdminClient>();
//! fn assert_owned<T: Send + Sync + 'static>() {}
//! assert_owned::<ferrokafka::Message>();
//! assert_send_sync::<ferrokafka::MockCluster>();
//! assert_send_sync::<ferrokafka::Config>();
//! assert_send_sync::<ferrokafka::KafkaError>();
//! fn assert_send<T: Send>() {}
//! assert_send::<ferrokafka::Record<'static>>();
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
mod client;
mod config;
mod consumer;
mod dispatch;
mod error;
mod group_metadata;
mod message;
mod metadata;
mod mock;
mod native;
pub use native::raw;
pub mod partitioners;
mod producer;
#[cfg(feature = "schema-registry")]
pub mod schema_registry;
mod timeout;
mod topic_partition;
mod values;

pub use admin::{AdminClient, AdminFuture, AdminOptions};
pub use config::{
    is_sensitive, parse_properties, sensitive_properties, Config, LogRecord, OAuthToken, SslCertVerdict,
    SslCertificate, ThrottleEvent,
};
pub use consumer::{
    Commit, CommitFuture, Consumer, ConsumerDiagnostics, Message, MessageStream, RebalanceCallbacks, RebalanceProtocol,
    MAX_CONSUME_BATCH,
};
pub use error::{ErrorCode, KafkaError, Result};
pub use group_metadata::ConsumerGroupMetadata;
pub use message::{
    Delivery, DeliveryReport, HeaderRef, Headers, Timestamp, TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME,
    TIMESTAMP_NOT_AVAILABLE,
};
pub use metadata::{BrokerMetadata, ClusterMetadata, PartitionMetadata, TopicMetadata};
pub use mock::{ApiKey, MockCluster, MockRequest};
pub use producer::{BatchOutcome, OwnedValue, ProduceError, Producer, Purge, Record, SendFuture};
pub use timeout::Timeout;
pub use topic_partition::{TopicPartition, OFFSET_BEGINNING, OFFSET_END, OFFSET_INVALID, OFFSET_STORED, PARTITION_UA};
pub use values::{CoordinatorType, MessageStatus};
// Typed statistics (the `statistics` feature): plain values, layer 0.
#[cfg(feature = "statistics")]
pub use values::statistics;
#[cfg(feature = "statistics")]
pub use values::statistics::Statistics;

/// A [`Config`] from `key => value` pairs whose values may be of any
/// type that has a string form — the Python client's configuration dict:
///
/// ```
/// let servers = String::from("localhost:9092");
/// let config = ferrokafka::config! {
///     "bootstrap.servers" => servers,
///     "linger.ms" => 5,
///     "enable.idempotence" => true,
///     "compression.type" => "zstd",
/// };
/// assert_eq!(config.get("linger.ms"), Some("5"));
/// assert_eq!(config.get("enable.idempotence"), Some("true"));
/// ```
#[macro_export]
macro_rules! config {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut config = $crate::Config::new();
        $( config.set($key, $value); )*
        config
    }};
}

/// The linked librdkafka's version: `(0xMMmmrrxx, "2.12.1")`.
///
/// Corresponds to `rd_kafka_version` and `rd_kafka_version_str`.
#[doc(alias = "rd_kafka_version")]
pub fn librdkafka_version() -> (i32, &'static str) {
    native::version()
}

/// The debug contexts (`debug=` values) this librdkafka supports.
///
/// Corresponds to `rd_kafka_get_debug_contexts`.
pub fn debug_contexts() -> &'static str {
    native::debug_contexts()
}

/// The features this build of librdkafka supports, comma-separated: the
/// value of its `builtin.features` property, e.g.
/// `"gzip,snappy,ssl,sasl,regex,lz4,sasl_plain,sasl_scram,plugins,zstd,sasl_oauthbearer"`.
///
/// `http` and `oidc` appear when ferrokafka is built with its `oidc`
/// feature (`sasl.oauthbearer.method=oidc`).
///
/// ```
/// let features: Vec<&str> = ferrokafka::builtin_features().split(',').collect();
/// assert_eq!(features.contains(&"oidc"), cfg!(feature = "oidc"));
/// ```
pub fn builtin_features() -> &'static str {
    native::builtin_features()
}

/// Waits until every librdkafka client in the process is fully destroyed
/// and its threads have exited (useful at the end of tests), for at most
/// `timeout` (`Duration::MAX`: as long as it takes).
///
/// Returns 0 when none remain. When `timeout` passes first it returns a
/// non-zero count: the librdkafka threads still running, or 1 when only
/// handles remain (librdkafka does not export their count).
///
/// ```
/// // No client was ever created in this process.
/// assert_eq!(ferrokafka::wait_destroyed(std::time::Duration::from_secs(1)), 0);
/// ```
///
/// Corresponds to `rd_kafka_wait_destroyed` and `rd_kafka_thread_cnt`.
#[doc(alias = "rd_kafka_wait_destroyed")]
pub fn wait_destroyed(timeout: std::time::Duration) -> usize {
    let limit = match Timeout::from(timeout) {
        Timeout::Never => None,
        Timeout::After(d) => Some(d),
    };
    native::wait_destroyed(limit)
}

// librdkafka itself comes from rdkafka-sys (compiled from its vendored
// sources); our own declarations in `native::sys` link against it.
use rdkafka_sys as _;

/// The README's code samples, compiled as doctests so they stay true
/// (with the `schema-registry`, `avro`, `json-schema` and `protobuf`
/// features its sections use: the workspace's `cargo test` enables them
/// through the tests crate).
#[cfg(all(doctest, feature = "avro", feature = "json-schema", feature = "protobuf"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
