//! Typed clients: a [`SerializingProducer`] and a [`DeserializingConsumer`]
//! that take key and value (de)serializers (Python's `SerializingProducer`
//! and `DeserializingConsumer`), the [`Serializer`] and [`Deserializer`]
//! traits they use, and Python's plain serializers for strings, 32-bit
//! integers and doubles.
//!
//! They wrap the untyped clients and change none of their promises:
//! serialization happens on the caller's thread before the record reaches
//! [`Producer::produce`], so a record is either handed to librdkafka whole
//! (one delivery report, on the thread that polls) or handed back whole in
//! the error, with no delivery report; a message whose key or value cannot
//! be deserialized comes back in the error beside why.
//!
//! ```
//! use ferrokafka::schema_registry::{
//!     DeserializingConsumer, IntegerDeserializer, IntegerSerializer, SerializingProducer,
//!     StringDeserializer, StringSerializer,
//! };
//! use ferrokafka::{config, Consumer, MockCluster, Producer, Record, TopicPartition};
//! use std::time::Duration;
//!
//! let cluster = MockCluster::new(1)?;
//! cluster.create_topic("scores", 1, 1)?;
//! let producer = Producer::new(&config! { "bootstrap.servers" => cluster.bootstrap_servers() })?;
//! let typed = SerializingProducer::new(producer, StringSerializer, IntegerSerializer);
//! typed.produce(Record::new("scores"), Some("ada"), Some(&36))?;
//! typed.producer().flush(Duration::from_secs(10))?;
//!
//! let consumer = Consumer::new(&config! {
//!     "bootstrap.servers" => cluster.bootstrap_servers(), "group.id" => "g",
//! })?;
//! consumer.assign(&[TopicPartition::with_offset("scores", 0, 0)])?;
//! let typed = DeserializingConsumer::new(consumer, StringDeserializer, IntegerDeserializer);
//! let m = loop {
//!     if let Some(m) = typed.poll(Duration::from_secs(1))? {
//!         break m;
//!     }
//! };
//! assert_eq!((m.key(), m.value()), (Some(&"ada".to_string()), Some(&36)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::serde::{MessageField, SerdeError, SerdeErrorKind, SerializationContext};
use crate::consumer::{Consumer, Message};
use crate::error::KafkaError;
use crate::producer::{OwnedValue, Producer, Record, RecordValue};
use crate::timeout::Timeout;
use std::fmt;

/// Turns a `T` into the bytes of a key or value (Python's `Serializer`).
pub trait Serializer<T: ?Sized>: Send + Sync {
    /// The bytes of `value`, for the key or value `ctx` names.
    fn serialize(&self, value: &T, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError>;
}

/// Turns the bytes of a key or value into a `T` (Python's `Deserializer`).
pub trait Deserializer<T>: Send + Sync {
    /// The `T` in `data`, the key or value `ctx` names.
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<T, SerdeError>;
}

/// A shared serializer (one for keys and values, or for several
/// producers).
impl<T: ?Sized, S: Serializer<T> + ?Sized> Serializer<T> for std::sync::Arc<S> {
    fn serialize(&self, value: &T, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        (**self).serialize(value, ctx)
    }
}

/// A shared deserializer.
impl<T, D: Deserializer<T> + ?Sized> Deserializer<T> for std::sync::Arc<D> {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<T, SerdeError> {
        (**self).deserialize(data, ctx)
    }
}

#[cfg(feature = "protobuf")]
impl<M: super::protobuf::prost_reflect::ReflectMessage> Serializer<M> for super::protobuf::ProtobufSerializer {
    fn serialize(&self, value: &M, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        super::protobuf::ProtobufSerializer::serialize(self, value, ctx)
    }
}

#[cfg(feature = "protobuf")]
impl<M: super::protobuf::prost::Message + Default> Deserializer<M> for super::protobuf::ProtobufDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<M, SerdeError> {
        super::protobuf::ProtobufDeserializer::deserialize(self, data, ctx)
    }
}

#[cfg(feature = "json-schema")]
impl<T: serde::Serialize + ?Sized> Serializer<T> for super::json::JsonSerializer {
    fn serialize(&self, value: &T, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        super::json::JsonSerializer::serialize(self, value, ctx)
    }
}

#[cfg(feature = "json-schema")]
impl<T: serde::de::DeserializeOwned> Deserializer<T> for super::json::JsonDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<T, SerdeError> {
        super::json::JsonDeserializer::deserialize(self, data, ctx)
    }
}

#[cfg(feature = "avro")]
impl<T: serde::Serialize + ?Sized> Serializer<T> for super::avro::AvroSerializer {
    fn serialize(&self, value: &T, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        super::avro::AvroSerializer::serialize(self, value, ctx)
    }
}

#[cfg(feature = "avro")]
impl<T: serde::de::DeserializeOwned> Deserializer<T> for super::avro::AvroDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<T, SerdeError> {
        super::avro::AvroDeserializer::deserialize(self, data, ctx)
    }
}

/// UTF-8 strings as their bytes (Python's `StringSerializer`, whose default
/// codec is UTF-8).
#[derive(Clone, Copy, Debug, Default)]
pub struct StringSerializer;

impl Serializer<str> for StringSerializer {
    fn serialize(&self, value: &str, _ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        Ok(value.as_bytes().to_vec())
    }
}

impl Serializer<String> for StringSerializer {
    fn serialize(&self, value: &String, _ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        Ok(value.as_bytes().to_vec())
    }
}

/// Bytes that must be UTF-8 as a `String` (Python's `StringDeserializer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct StringDeserializer;

impl Deserializer<String> for StringDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<String, SerdeError> {
        String::from_utf8(data.to_vec()).map_err(|e| {
            SerdeError::new(
                "String",
                false,
                ctx,
                SerdeErrorKind::Deserialization(format!("not UTF-8: {e}")),
            )
        })
    }
}

/// An `i32` as 4 bytes, big-endian (Python's `IntegerSerializer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct IntegerSerializer;

impl Serializer<i32> for IntegerSerializer {
    fn serialize(&self, value: &i32, _ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        Ok(value.to_be_bytes().to_vec())
    }
}

/// Exactly 4 bytes, big-endian, as an `i32` (Python's `IntegerDeserializer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct IntegerDeserializer;

impl Deserializer<i32> for IntegerDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<i32, SerdeError> {
        fixed::<4>("Integer", data, ctx).map(i32::from_be_bytes)
    }
}

/// An `f64` as 8 bytes, IEEE 754 big-endian (Python's `DoubleSerializer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DoubleSerializer;

impl Serializer<f64> for DoubleSerializer {
    fn serialize(&self, value: &f64, _ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        Ok(value.to_be_bytes().to_vec())
    }
}

/// Exactly 8 bytes, IEEE 754 big-endian, as an `f64` (Python's
/// `DoubleDeserializer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DoubleDeserializer;

impl Deserializer<f64> for DoubleDeserializer {
    fn deserialize(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<f64, SerdeError> {
        fixed::<8>("Double", data, ctx).map(f64::from_be_bytes)
    }
}

fn fixed<const N: usize>(
    format: &'static str,
    data: &[u8],
    ctx: &SerializationContext<'_>,
) -> Result<[u8; N], SerdeError> {
    data.try_into().map_err(|_| {
        SerdeError::new(
            format,
            false,
            ctx,
            SerdeErrorKind::Deserialization(format!("{} bytes where {N} were expected", data.len())),
        )
    })
}

/// A [`Producer`] that serializes keys and values (Python's
/// `SerializingProducer`). See the [module docs](self).
pub struct SerializingProducer<K: ?Sized, V: ?Sized> {
    producer: Producer,
    key: Box<dyn Serializer<K>>,
    value: Box<dyn Serializer<V>>,
}

impl<K: ?Sized, V: ?Sized> fmt::Debug for SerializingProducer<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SerializingProducer")
            .field("producer", &self.producer)
            .finish_non_exhaustive()
    }
}

impl<K: ?Sized, V: ?Sized> SerializingProducer<K, V> {
    /// Wraps `producer`, serializing keys with `key` and values with
    /// `value`.
    pub fn new(producer: Producer, key: impl Serializer<K> + 'static, value: impl Serializer<V> + 'static) -> Self {
        SerializingProducer {
            producer,
            key: Box::new(key),
            value: Box::new(value),
        }
    }

    /// The producer, for everything else (`poll`, `flush`, `close`,
    /// transactions, metadata).
    pub fn producer(&self) -> &Producer {
        &self.producer
    }

    /// The producer, unwrapped.
    pub fn into_inner(self) -> Producer {
        self.producer
    }

    /// Serializes `key` and `value` (each `None` is a null, not passed to
    /// its serializer), then queues `record` with them as
    /// [`Producer::produce`] does. `record` gives the topic, partition,
    /// timestamp, headers and delivery closure; a key or value already set
    /// on it is replaced. The serializers see the record's topic and
    /// headers in their [`SerializationContext`].
    ///
    /// On failure the record comes back whole in the error, its delivery
    /// closure not called: a serialization failure
    /// ([`SerializingProduceError::serde_error`], the key serialized
    /// first), or why [`Producer::produce`] refused it.
    // The error hands the record back by value, as ProduceError does: a
    // box would cost an allocation on every queue-full retry.
    #[allow(clippy::result_large_err)]
    pub fn produce<'a>(
        &self,
        record: Record<'a>,
        key: Option<&K>,
        value: Option<&V>,
    ) -> Result<(), SerializingProduceError<'a>> {
        let serialized = {
            let ctx = |field| SerializationContext::new(record.topic, field).with_headers(record.headers());
            key.map(|k| self.key.serialize(k, &ctx(MessageField::KEY)))
                .transpose()
                .map_err(|e| (Box::new(e), MessageField::KEY))
                .and_then(|k| {
                    value
                        .map(|v| self.value.serialize(v, &ctx(MessageField::VALUE)))
                        .transpose()
                        .map_err(|e| (Box::new(e), MessageField::VALUE))
                        .map(|v| (k, v))
                })
        };
        let (k, v) = match serialized {
            Ok(kv) => kv,
            Err((mut e, field)) => {
                // What failed is known here, whatever the serializer put
                // in its error (Python's Key/ValueSerializationError too).
                e.topic = record.topic.to_string();
                e.field = field;
                e.serializing = true;
                return Err(SerializingProduceError {
                    error: (*e).clone().into(),
                    serde: Some(e),
                    record,
                });
            }
        };
        let Record {
            topic,
            key: old_key,
            value: old_value,
            partition,
            timestamp,
            headers,
            on_delivery,
            invalid,
        } = record;
        // The serialized value is handed over, not copied (see
        // `Record::with_owned_value`).
        let local = Record {
            topic,
            key: k.as_deref(),
            value: match v {
                Some(v) => RecordValue::Owned(OwnedValue::Buffer(v)),
                None => RecordValue::None,
            },
            partition,
            timestamp,
            headers,
            on_delivery,
            invalid,
        };
        self.producer.produce(local).map_err(|e| {
            let (error, back) = e.into_parts();
            SerializingProduceError {
                error,
                serde: None,
                record: Record {
                    topic,
                    key: old_key,
                    value: old_value,
                    partition: back.partition,
                    timestamp: back.timestamp,
                    headers: back.headers,
                    on_delivery: back.on_delivery,
                    invalid: back.invalid,
                },
            }
        })
    }
}

/// Why [`SerializingProducer::produce`] did not queue a record, with the
/// record (as the caller gave it) to retry.
pub struct SerializingProduceError<'a> {
    error: KafkaError,
    serde: Option<Box<SerdeError>>,
    record: Record<'a>,
}

impl<'a> SerializingProduceError<'a> {
    /// Why: `_KEY_SERIALIZATION`/`_VALUE_SERIALIZATION` (or the registry's
    /// `_TRANSPORT`/`_TIMED_OUT`) when serializing failed, else what
    /// [`Producer::produce`] said.
    pub fn error(&self) -> &KafkaError {
        &self.error
    }

    /// The serialization failure, naming the topic and the side, if that
    /// was the cause.
    pub fn serde_error(&self) -> Option<&SerdeError> {
        self.serde.as_deref()
    }

    /// True when the local queue is full: `poll` and retry.
    pub fn is_queue_full(&self) -> bool {
        self.error.is_queue_full()
    }

    /// The record, to retry.
    pub fn into_record(self) -> Record<'a> {
        self.record
    }

    /// The error alone.
    pub fn into_error(self) -> KafkaError {
        self.error
    }

    /// The record, borrowed.
    pub fn record(&self) -> &Record<'a> {
        &self.record
    }

    /// The error, the serialization failure (if that was the cause) and
    /// the record.
    pub fn into_parts(self) -> (KafkaError, Option<SerdeError>, Record<'a>) {
        (self.error, self.serde.map(|b| *b), self.record)
    }
}

impl fmt::Debug for SerializingProduceError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SerializingProduceError")
            .field("error", &self.error)
            .field("serde", &self.serde)
            .field("record", &self.record)
            .finish()
    }
}

impl fmt::Display for SerializingProduceError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not produce to {:?}: {}", self.record.topic, self.error)
    }
}

impl From<SerializingProduceError<'_>> for KafkaError {
    fn from(e: SerializingProduceError<'_>) -> Self {
        e.error
    }
}

/// So that `?` works into a boxed error (the record, which borrows, is
/// dropped; the error is owned).
impl From<SerializingProduceError<'_>> for Box<dyn std::error::Error + Send + Sync> {
    fn from(e: SerializingProduceError<'_>) -> Self {
        Box::new(e.error)
    }
}

/// So that `?` works into a boxed error (the record is dropped).
impl From<SerializingProduceError<'_>> for Box<dyn std::error::Error> {
    fn from(e: SerializingProduceError<'_>) -> Self {
        Box::new(e.error)
    }
}

/// A [`Consumer`] that deserializes keys and values (Python's
/// `DeserializingConsumer`). See the [module docs](self).
pub struct DeserializingConsumer<K, V> {
    consumer: Consumer,
    key: Box<dyn Deserializer<K>>,
    value: Box<dyn Deserializer<V>>,
}

impl<K, V> fmt::Debug for DeserializingConsumer<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeserializingConsumer")
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl<K, V> DeserializingConsumer<K, V> {
    /// Wraps `consumer`, deserializing keys with `key` and values with
    /// `value`.
    pub fn new(consumer: Consumer, key: impl Deserializer<K> + 'static, value: impl Deserializer<V> + 'static) -> Self {
        DeserializingConsumer {
            consumer,
            key: Box::new(key),
            value: Box::new(value),
        }
    }

    /// The consumer, for everything else (subscribe, assign, commit,
    /// close...).
    pub fn consumer(&self) -> &Consumer {
        &self.consumer
    }

    /// The consumer, unwrapped.
    pub fn into_inner(self) -> Consumer {
        self.consumer
    }

    /// Polls as [`Consumer::poll`] does, then deserializes the message's
    /// key and value (a null is `None`, not passed to its deserializer).
    ///
    /// A message whose key or value cannot be deserialized is a
    /// [`ConsumeError`] that carries it ([`ConsumeError::message`]) beside
    /// why, so the application can skip it, set it aside or stop; as in
    /// Python, the consumer has moved past it (and stored its offset when
    /// `enable.auto.offset.store` is on). Other errors are
    /// [`Consumer::poll`]'s, without a message.
    pub fn poll(&self, timeout: impl Into<Timeout>) -> Result<Option<TypedMessage<K, V>>, ConsumeError> {
        let Some(message) = self.consumer.poll(timeout).map_err(ConsumeError::from)? else {
            return Ok(None);
        };
        let decoded = {
            let ctx = |field| SerializationContext::new(message.topic(), field).with_headers(message.headers());
            message
                .key()
                .map(|k| self.key.deserialize(k, &ctx(MessageField::KEY)))
                .transpose()
                .map_err(|e| (Box::new(e), MessageField::KEY))
                .and_then(|k| {
                    message
                        .value()
                        .map(|v| self.value.deserialize(v, &ctx(MessageField::VALUE)))
                        .transpose()
                        .map_err(|e| (Box::new(e), MessageField::VALUE))
                        .map(|v| (k, v))
                })
        };
        match decoded {
            Ok((key, value)) => Ok(Some(TypedMessage { key, value, message })),
            Err((mut e, field)) => Err(ConsumeError {
                error: {
                    e.topic = message.topic().to_string();
                    e.field = field;
                    e.serializing = false;
                    (*e).clone().into()
                },
                serde: Some(e),
                message: Some(message),
            }),
        }
    }
}

/// A consumed message with its key and value deserialized.
#[derive(Debug)]
pub struct TypedMessage<K, V> {
    key: Option<K>,
    value: Option<V>,
    message: Message,
}

impl<K, V> TypedMessage<K, V> {
    /// The key (`None`: a null key).
    pub fn key(&self) -> Option<&K> {
        self.key.as_ref()
    }

    /// The value (`None`: a null value, a tombstone).
    pub fn value(&self) -> Option<&V> {
        self.value.as_ref()
    }

    /// The message as consumed: topic, partition, offset, timestamp,
    /// headers, and the bytes.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// The key, the value and the message.
    pub fn into_parts(self) -> (Option<K>, Option<V>, Message) {
        (self.key, self.value, self.message)
    }
}

/// Why [`DeserializingConsumer::poll`] returned no typed message (Python's
/// `ConsumeError`): a deserialization failure, with the message, or the
/// consumer's own error.
#[derive(Debug)]
pub struct ConsumeError {
    error: KafkaError,
    serde: Option<Box<SerdeError>>,
    message: Option<Message>,
}

impl ConsumeError {
    /// Why: `_KEY_DESERIALIZATION`/`_VALUE_DESERIALIZATION` (or the
    /// registry's `_TRANSPORT`/`_TIMED_OUT`), or the consumer's error.
    pub fn error(&self) -> &KafkaError {
        &self.error
    }

    /// The deserialization failure, naming the topic and the side, if that
    /// was the cause.
    pub fn serde_error(&self) -> Option<&SerdeError> {
        self.serde.as_deref()
    }

    /// The message that could not be deserialized (Python's
    /// `kafka_message`).
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The message, taken out.
    pub fn into_message(self) -> Option<Message> {
        self.message
    }
}

impl From<KafkaError> for ConsumeError {
    fn from(error: KafkaError) -> Self {
        ConsumeError {
            error,
            serde: None,
            message: None,
        }
    }
}

impl fmt::Display for ConsumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for ConsumeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<ConsumeError> for KafkaError {
    fn from(e: ConsumeError) -> Self {
        e.error
    }
}
