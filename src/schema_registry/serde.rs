//! What the schema-based serializers share (Python's
//! `confluent_kafka.serialization` and `confluent_kafka.schema_registry`
//! serde parts): the [`SerializationContext`], the [`MessageField`] it
//! names, the [`SubjectNameStrategy`], the typed [`SerdeError`], and
//! Confluent's wire format.
//!
//! # The wire format
//!
//! A serialized key or value is framed as the Confluent serializers (Java,
//! Python, Go...) frame it: a magic byte `0`, the schema's id in four bytes,
//! big-endian, then the encoded datum. Schema GUIDs (magic byte `1`, or the
//! id in the `__key_schema_id`/`__value_schema_id` headers, which Python's
//! `header_schema_id_serializer` writes) are not supported yet: a payload
//! framed that way is a [`SerdeErrorKind::Framing`] error.

use super::SchemaRegistryError;
use crate::error::{ErrorCode, KafkaError};
use crate::message::Headers;
use std::fmt;
use std::sync::Arc;

/// Which part of a message is serialized: its key or its value (Python's
/// `MessageField`).
///
/// A newtype with two constants rather than a Rust enum (the crate's
/// rule for plain values).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageField(&'static str);

impl MessageField {
    /// The message's key.
    pub const KEY: MessageField = MessageField("key");
    /// The message's value.
    pub const VALUE: MessageField = MessageField("value");

    /// `"key"` or `"value"`, as Python's `MessageField` spells them (and as
    /// the topic name strategy appends them: `orders-value`).
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// Whether this is the key.
    pub fn is_key(&self) -> bool {
        *self == MessageField::KEY
    }
}

impl fmt::Display for MessageField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for MessageField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// What a serializer is told about the data it serializes (Python's
/// `SerializationContext`): the topic, whether it is the key or the value,
/// and the message's headers, if any.
#[non_exhaustive]
#[derive(Clone, Copy)]
pub struct SerializationContext<'a> {
    /// The topic the message is produced to or was consumed from.
    pub topic: &'a str,
    /// Key or value.
    pub field: MessageField,
    /// The message's headers (those of a [`Record`](crate::Record) or a
    /// consumed [`Message`](crate::Message)), for subject name strategies
    /// that look at them.
    pub headers: Option<Headers<'a>>,
}

impl<'a> SerializationContext<'a> {
    /// The context of `topic`'s `field`, without headers.
    pub fn new(topic: &'a str, field: MessageField) -> Self {
        SerializationContext {
            topic,
            field,
            headers: None,
        }
    }

    /// The context of a key of `topic`.
    pub fn key(topic: &'a str) -> Self {
        Self::new(topic, MessageField::KEY)
    }

    /// The context of a value of `topic`.
    pub fn value(topic: &'a str) -> Self {
        Self::new(topic, MessageField::VALUE)
    }

    /// The same context with these headers.
    pub fn with_headers(mut self, headers: Option<Headers<'a>>) -> Self {
        self.headers = headers;
        self
    }
}

impl fmt::Debug for SerializationContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SerializationContext")
            .field("topic", &self.topic)
            .field("field", &self.field)
            .field("headers", &self.headers.map(|h| h.len()))
            .finish()
    }
}

/// A user's subject name strategy: the subject for a context and the
/// schema's record name (its full name; `None` for a schema without one,
/// such as a union), or `None` for no subject.
pub type SubjectNameFn = dyn Fn(&SerializationContext<'_>, Option<&str>) -> Option<String> + Send + Sync;

/// How a serializer names the subject a schema is registered under
/// (Python's `subject.name.strategy`).
#[non_exhaustive]
#[derive(Clone, Default)]
pub enum SubjectNameStrategy {
    /// `{topic}-key` or `{topic}-value` (the default; Python's
    /// `topic_subject_name_strategy`).
    #[default]
    TopicName,
    /// The record's full name, `{namespace}.{name}` (Python's
    /// `record_subject_name_strategy`).
    RecordName,
    /// `{topic}-{record full name}` (Python's
    /// `topic_record_subject_name_strategy`).
    TopicRecordName,
    /// A user's function.
    Custom(Arc<SubjectNameFn>),
}

impl SubjectNameStrategy {
    /// A strategy that calls `f(context, record_name)`.
    pub fn custom(
        f: impl Fn(&SerializationContext<'_>, Option<&str>) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        SubjectNameStrategy::Custom(Arc::new(f))
    }

    /// The subject for `ctx` and a schema whose full name is
    /// `record_name`; `None` when the strategy gives none (a record
    /// strategy and a schema without a name).
    pub fn subject(&self, ctx: &SerializationContext<'_>, record_name: Option<&str>) -> Option<String> {
        match self {
            SubjectNameStrategy::TopicName => Some(format!("{}-{}", ctx.topic, ctx.field)),
            SubjectNameStrategy::RecordName => record_name.map(str::to_string),
            SubjectNameStrategy::TopicRecordName => record_name.map(|r| format!("{}-{r}", ctx.topic)),
            SubjectNameStrategy::Custom(f) => f(ctx, record_name),
        }
    }
}

impl fmt::Debug for SubjectNameStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectNameStrategy::TopicName => "TopicName",
            SubjectNameStrategy::RecordName => "RecordName",
            SubjectNameStrategy::TopicRecordName => "TopicRecordName",
            SubjectNameStrategy::Custom(_) => "Custom(..)",
        })
    }
}

/// Why serializing or deserializing a key or value failed; see
/// [`SerdeError`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SerdeErrorKind {
    /// The registry call the serializer needed failed: the schema id is
    /// unknown (40403), the schema is not registered under the subject
    /// with `auto.register.schemas` off (40401, 40403), it is incompatible
    /// (409), the registry is down ([`Transport`](SchemaRegistryError::Transport))
    /// or slow ([`Timeout`](SchemaRegistryError::Timeout)).
    #[error("Schema Registry: {0}")]
    Registry(SchemaRegistryError),
    /// The payload is not in Confluent's wire format: shorter than the
    /// 5-byte frame, or a magic byte other than 0.
    #[error("{0}")]
    Framing(String),
    /// A schema could not be used: it does not parse, the reader schema
    /// cannot read the writer's, or the subject name strategy gave no
    /// subject.
    #[error("{0}")]
    Schema(String),
    /// The value does not fit the schema it is written with.
    #[error("{0}")]
    Serialization(String),
    /// The body is not one datum of the writer's schema (truncated,
    /// corrupt, or followed by more bytes), or the datum does not fit the
    /// type asked for.
    #[error("{0}")]
    Deserialization(String),
}

/// A key or value could not be serialized or deserialized: names the topic
/// and the side (key or value), and says why ([`SerdeErrorKind`]).
///
/// `?` turns it into a [`KafkaError`]: registry errors as
/// [`SchemaRegistryError`] converts (`_TRANSPORT`, `_TIMED_OUT`: retriable),
/// the others `_KEY_SERIALIZATION`/`_VALUE_SERIALIZATION` or
/// `_KEY_DESERIALIZATION`/`_VALUE_DESERIALIZATION`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{format} {} of topic '{topic}' {field}: {kind}", if *.serializing { "serialization" } else { "deserialization" })]
pub struct SerdeError {
    /// The topic.
    pub topic: String,
    /// Key or value.
    pub field: MessageField,
    /// The format (`"Avro"`).
    pub format: &'static str,
    /// Whether it was serializing (`false`: deserializing).
    pub serializing: bool,
    /// What went wrong.
    pub kind: SerdeErrorKind,
}

impl SerdeError {
    /// The error of a serializer of `format` (a name for messages, e.g.
    /// `"Avro"`) on the key or value `ctx` names: what a
    /// [`Serializer`](super::Serializer) or
    /// [`Deserializer`](super::Deserializer) of the application's own
    /// returns.
    pub fn new(format: &'static str, serializing: bool, ctx: &SerializationContext<'_>, kind: SerdeErrorKind) -> Self {
        SerdeError {
            topic: ctx.topic.to_string(),
            field: ctx.field,
            format,
            serializing,
            kind,
        }
    }

    /// Whether trying again later may succeed: a registry that could not
    /// be reached, timed out or answered a retriable status.
    pub fn is_retriable(&self) -> bool {
        matches!(&self.kind, SerdeErrorKind::Registry(e) if e.is_retriable())
    }
}

impl From<SerdeError> for KafkaError {
    fn from(e: SerdeError) -> Self {
        let retriable = e.is_retriable();
        let code = match (&e.kind, e.serializing, e.field.is_key()) {
            (SerdeErrorKind::Registry(SchemaRegistryError::Transport(_)), ..) => ErrorCode::TRANSPORT,
            (SerdeErrorKind::Registry(SchemaRegistryError::Timeout(_)), ..) => ErrorCode::TIMED_OUT,
            (_, true, true) => ErrorCode::KEY_SERIALIZATION,
            (_, true, false) => ErrorCode::VALUE_SERIALIZATION,
            (_, false, true) => ErrorCode::KEY_DESERIALIZATION,
            (_, false, false) => ErrorCode::VALUE_DESERIALIZATION,
        };
        KafkaError::new(code, e.to_string()).with_retriable(retriable)
    }
}

// Used by the format modules (`avro`; JSON Schema and Protobuf to come):
// unused with `schema-registry` alone.
#[cfg_attr(
    not(any(feature = "avro", feature = "json-schema", feature = "protobuf")),
    allow(dead_code)
)]
/// The magic byte of Confluent's wire format with a 4-byte schema id.
pub(crate) const MAGIC_BYTE: u8 = 0;

// Used by the format modules (`avro`; JSON Schema and Protobuf to come):
// unused with `schema-registry` alone.
#[cfg_attr(
    not(any(feature = "avro", feature = "json-schema", feature = "protobuf")),
    allow(dead_code)
)]
/// `body` framed with `schema_id`.
pub(crate) fn frame(schema_id: i32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + body.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(body);
    out
}

// Used by the format modules (`avro`; JSON Schema and Protobuf to come):
// unused with `schema-registry` alone.
#[cfg_attr(
    not(any(feature = "avro", feature = "json-schema", feature = "protobuf")),
    allow(dead_code)
)]
/// The schema id and the body of a framed payload.
pub(crate) fn unframe(data: &[u8]) -> Result<(i32, &[u8]), SerdeErrorKind> {
    let Some((&magic, rest)) = data.split_first() else {
        return Err(SerdeErrorKind::Framing(
            "empty payload: expected Confluent's framing (a magic byte and a 4-byte schema id)".into(),
        ));
    };
    if magic != MAGIC_BYTE {
        return Err(SerdeErrorKind::Framing(format!(
            "unknown magic byte {magic}: this payload was not framed by a Confluent Schema Registry serializer{}",
            if magic == 1 {
                " (or uses a schema GUID, not supported yet)"
            } else {
                ""
            }
        )));
    }
    if rest.len() < 4 {
        return Err(SerdeErrorKind::Framing(format!(
            "payload of {} bytes: shorter than Confluent's 5-byte framing",
            data.len()
        )));
    }
    let (id, body) = rest.split_at(4);
    let id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
    // The registry's ids are positive i32s: a larger one cannot be one.
    let id = i32::try_from(id)
        .map_err(|_| SerdeErrorKind::Framing(format!("schema id {id} is out of the registry's range")))?;
    Ok((id, body))
}

// What the format serializers (avro.rs, json.rs) share beyond the wire
// format: the parsed-schema cache, the choice of the writer's schema and id,
// and fetching references. Crate-private.

#[cfg(any(feature = "avro", feature = "json-schema", feature = "protobuf"))]
pub(crate) use shared::*;

#[cfg(any(feature = "avro", feature = "json-schema", feature = "protobuf"))]
mod shared {
    use super::{SerdeErrorKind, SerializationContext, SubjectNameStrategy};
    use crate::schema_registry::{Schema, SchemaRegistryClient};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, MutexGuard};

    /// How many parsed schemas (by id) a serializer or deserializer keeps.
    const PARSED_CAPACITY: usize = 1000;
    /// How deep references may nest.
    const MAX_REFERENCE_DEPTH: usize = 32;

    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A schema parsed by a format: what the shared logic needs of it.
    pub(crate) trait ParsedSchema: Send + Sync {
        /// The schema as the registry has it.
        fn schema(&self) -> &Schema;
        /// The name subject name strategies use (Avro's full name, JSON
        /// Schema's `title`).
        fn record_name(&self) -> Option<&str>;
    }

    /// A format's parser: the schema, its references fetched through the
    /// client.
    pub(crate) type Parse<P> = fn(&SchemaRegistryClient, &Schema) -> Result<P, SerdeErrorKind>;

    /// Parsed schemas by id, bounded.
    pub(crate) struct ParsedCache<P> {
        by_id: Mutex<HashMap<i32, Arc<P>>>,
        /// The `format` schemas are asked in (Protobuf's `serialized`).
        format: Option<&'static str>,
    }

    impl<P> Default for ParsedCache<P> {
        fn default() -> Self {
            ParsedCache {
                by_id: Mutex::new(HashMap::new()),
                format: None,
            }
        }
    }

    impl<P> ParsedCache<P> {
        /// A cache asking the registry for schemas in `format`.
        #[cfg_attr(not(feature = "protobuf"), allow(dead_code))]
        pub(crate) fn in_format(format: &'static str) -> Self {
            ParsedCache {
                by_id: Mutex::new(HashMap::new()),
                format: Some(format),
            }
        }
    }

    impl<P> ParsedCache<P> {
        /// The parsed schema registered under `id` (fetched through the
        /// client's cache, parsed once).
        pub(crate) fn by_id(
            &self,
            client: &SchemaRegistryClient,
            id: i32,
            parse: Parse<P>,
        ) -> Result<Arc<P>, SerdeErrorKind> {
            if let Some(p) = lock(&self.by_id).get(&id) {
                return Ok(Arc::clone(p));
            }
            let schema = client.schema(id, None, self.format).map_err(SerdeErrorKind::Registry)?;
            let parsed = Arc::new(parse(client, &schema)?);
            let mut c = lock(&self.by_id);
            if c.len() >= PARSED_CAPACITY {
                c.clear();
            }
            c.insert(id, Arc::clone(&parsed));
            Ok(parsed)
        }
    }

    /// The subject `strategy` names, or an error saying it named none.
    pub(crate) fn subject_of(
        strategy: &SubjectNameStrategy,
        ctx: &SerializationContext<'_>,
        record_name: Option<&str>,
    ) -> Result<String, SerdeErrorKind> {
        strategy.subject(ctx, record_name).ok_or_else(|| {
            SerdeErrorKind::Schema(format!(
                "the subject name strategy {strategy:?} gave no subject (record name: {record_name:?})"
            ))
        })
    }

    /// The setters of the options every format's serializer config has
    /// (`auto.register.schemas`, `normalize.schemas`, `use.schema.id`,
    /// `use.latest.version`, `subject.name.strategy`), and the
    /// [`WriterChoice`] they make: one definition for the three configs.
    macro_rules! writer_choice_options {
        () => {
            /// Sets `auto.register.schemas`.
            pub fn auto_register_schemas(mut self, on: bool) -> Self {
                self.auto_register_schemas = on;
                self
            }

            /// Sets `normalize.schemas`.
            pub fn normalize_schemas(mut self, on: bool) -> Self {
                self.normalize_schemas = on;
                self
            }

            /// Sets `use.schema.id`.
            pub fn use_schema_id(mut self, id: Option<i32>) -> Self {
                self.use_schema_id = id;
                self
            }

            /// Sets `use.latest.version`.
            pub fn use_latest_version(mut self, on: bool) -> Self {
                self.use_latest_version = on;
                self
            }

            /// Sets `subject.name.strategy`.
            pub fn subject_name_strategy(mut self, strategy: SubjectNameStrategy) -> Self {
                self.subject_name_strategy = strategy;
                self
            }

            fn writer_choice(&self) -> super::serde::WriterChoice<'_> {
                super::serde::WriterChoice {
                    auto_register_schemas: self.auto_register_schemas,
                    normalize_schemas: self.normalize_schemas,
                    use_schema_id: self.use_schema_id,
                    use_latest_version: self.use_latest_version,
                    strategy: &self.subject_name_strategy,
                }
            }
        };
    }
    pub(crate) use writer_choice_options;

    /// A serializer's options that choose its writer schema (the same keys
    /// in every format).
    pub(crate) struct WriterChoice<'a> {
        pub auto_register_schemas: bool,
        pub normalize_schemas: bool,
        pub use_schema_id: Option<i32>,
        pub use_latest_version: bool,
        pub strategy: &'a SubjectNameStrategy,
    }

    /// What a serializer keeps to choose its writer schema: the ids its
    /// own schema has under each subject, and the schemas it read by id.
    pub(crate) struct WriterState<P> {
        known: Mutex<HashMap<String, i32>>,
        pub(crate) parsed: ParsedCache<P>,
    }

    impl<P> Default for WriterState<P> {
        fn default() -> Self {
            WriterState {
                known: Mutex::new(HashMap::new()),
                parsed: ParsedCache::default(),
            }
        }
    }

    impl<P> WriterState<P> {
        /// A state whose schemas read by id come through `parsed`.
        #[cfg_attr(not(feature = "protobuf"), allow(dead_code))]
        pub(crate) fn with_cache(parsed: ParsedCache<P>) -> Self {
            WriterState {
                known: Mutex::new(HashMap::new()),
                parsed,
            }
        }
    }

    impl<P: ParsedSchema> WriterState<P> {
        /// The schema to write with and its id: the configured id's, the
        /// subject's latest, or `own` (registered or looked up under its
        /// subject the first time, as Python's serializers do). The
        /// subject is the strategy's for `record_name`.
        pub(crate) fn writer(
            &self,
            client: &SchemaRegistryClient,
            choice: &WriterChoice<'_>,
            own: Option<&Arc<P>>,
            record_name: Option<&str>,
            ctx: &SerializationContext<'_>,
            parse: Parse<P>,
        ) -> Result<(i32, Arc<P>), SerdeErrorKind> {
            if let Some(id) = choice.use_schema_id {
                return Ok((id, self.parsed.by_id(client, id, parse)?));
            }
            if choice.use_latest_version {
                let subject = subject_of(choice.strategy, ctx, record_name)?;
                let latest = client.latest_version(&subject).map_err(SerdeErrorKind::Registry)?;
                return Ok((latest.schema_id, self.parsed.by_id(client, latest.schema_id, parse)?));
            }
            let Some(own) = own else {
                return Err(SerdeErrorKind::Schema("no schema to write with".into()));
            };
            let subject = subject_of(choice.strategy, ctx, record_name)?;
            let known = lock(&self.known).get(&subject).copied();
            let id = match known {
                Some(id) => id,
                None => {
                    let id = if choice.auto_register_schemas {
                        client.register_schema(&subject, own.schema(), choice.normalize_schemas)
                    } else {
                        client
                            .lookup_schema(&subject, own.schema(), choice.normalize_schemas, false)
                            .map(|r| r.schema_id)
                    }
                    .map_err(SerdeErrorKind::Registry)?;
                    lock(&self.known).insert(subject, id);
                    id
                }
            };
            Ok((id, Arc::clone(own)))
        }
    }

    /// The subject's latest schema, for a deserializer with
    /// `use.latest.version`: the subject is the strategy's without a record
    /// name, else with the writer's.
    #[cfg_attr(not(any(feature = "avro", feature = "json-schema")), allow(dead_code))]
    pub(crate) fn latest_reader<P: ParsedSchema>(
        client: &SchemaRegistryClient,
        cache: &ParsedCache<P>,
        strategy: &SubjectNameStrategy,
        ctx: &SerializationContext<'_>,
        writer: &P,
        parse: Parse<P>,
    ) -> Result<Arc<P>, SerdeErrorKind> {
        let subject = strategy
            .subject(ctx, None)
            .or_else(|| strategy.subject(ctx, writer.record_name()))
            .ok_or_else(|| SerdeErrorKind::Schema(format!("the subject name strategy {strategy:?} gave no subject")))?;
        let latest = client.latest_version(&subject).map_err(SerdeErrorKind::Registry)?;
        cache.by_id(client, latest.schema_id, parse)
    }

    /// The schemas `schema` refers to, with the names it refers to them
    /// by, dependencies first (each once), fetched from the registry.
    pub(crate) fn fetch_references(
        client: &SchemaRegistryClient,
        schema: &Schema,
    ) -> Result<Vec<(String, String)>, SerdeErrorKind> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        collect(client, schema, 0, &mut seen, &mut out)?;
        Ok(out)
    }

    fn collect(
        client: &SchemaRegistryClient,
        schema: &Schema,
        depth: usize,
        seen: &mut Vec<((String, i32), String)>,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), SerdeErrorKind> {
        if depth > MAX_REFERENCE_DEPTH {
            return Err(SerdeErrorKind::Schema(format!(
                "schema references nest deeper than {MAX_REFERENCE_DEPTH}"
            )));
        }
        for r in &schema.references {
            let key = (r.subject.clone(), r.version);
            // A schema fetched before (a cycle, or one schema under two
            // names) is not fetched again; every name still gets it.
            if let Some((_, text)) = seen.iter().find(|(k, _)| *k == key) {
                // (Empty while it is being fetched: a cycle, which the
                // registry cannot hold; nothing to add.)
                let entry = (r.name.clone(), text.clone());
                if !text.is_empty() && !out.contains(&entry) {
                    out.push(entry);
                }
                continue;
            }
            seen.push((key.clone(), String::new()));
            let referenced = client
                .version(&r.subject, r.version, true)
                .map_err(SerdeErrorKind::Registry)?;
            collect(client, &referenced.schema, depth + 1, seen, out)?;
            if let Some(slot) = seen.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = referenced.schema.schema_str.clone();
            }
            out.push((r.name.clone(), referenced.schema.schema_str));
        }
        Ok(())
    }
}
