//! Avro serializers for the Schema Registry (the `avro` feature): Python's
//! `confluent_kafka.schema_registry.avro`.
//!
//! - [`AvroSerializer`] writes a generic [`Value`] ([`serialize_value`](AvroSerializer::serialize_value))
//!   or any `serde::Serialize` type ([`serialize`](AvroSerializer::serialize))
//!   in Confluent's wire format (a magic byte 0, the schema id in 4 bytes,
//!   big-endian, then the Avro binary encoding), registering or looking up
//!   its schema under the subject its [`SubjectNameStrategy`] names.
//! - [`AvroDeserializer`] reads the writer's schema by the id in the
//!   payload (cached by the [`SchemaRegistryClient`] and here, parsed),
//!   resolves it against a reader schema if one is given (or the subject's
//!   latest with `use.latest.version`), and returns a [`Value`]
//!   ([`deserialize_value`](AvroDeserializer::deserialize_value)) or any
//!   `serde::de::DeserializeOwned` type ([`deserialize`](AvroDeserializer::deserialize)).
//!
//! Both are `Send + Sync` and take `&self`: share one per key or value
//! side. The Avro work is the Apache Avro project's own Rust crate,
//! re-exported as [`apache_avro`].
//!
//! ```
//! use ferrokafka::schema_registry::avro::{apache_avro::types::Value, AvroDeserializer, AvroSerializer, AvroSerializerConfig};
//! use ferrokafka::schema_registry::{MockSchemaRegistry, SchemaRegistryClient, SerializationContext};
//! use std::sync::Arc;
//!
//! let registry = MockSchemaRegistry::new()?;
//! let client = Arc::new(SchemaRegistryClient::new(&ferrokafka::config! { "url" => registry.url() })?);
//! let schema = r#"{"type": "record", "name": "User", "fields": [{"name": "name", "type": "string"}]}"#;
//! let serializer = AvroSerializer::new(Arc::clone(&client), Some(schema), AvroSerializerConfig::default())?;
//! let ctx = SerializationContext::value("users");
//! let user = Value::Record(vec![("name".into(), Value::String("Ada".into()))]);
//! let bytes = serializer.serialize_value(&user, &ctx)?; // registers under users-value
//! assert_eq!(&bytes[..5], &[0, 0, 0, 0, 1]); // magic byte, schema id 1
//!
//! let deserializer = AvroDeserializer::new(client, None, Default::default())?;
//! assert_eq!(deserializer.deserialize_value(&bytes, &ctx)?, user);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Behaviours worth knowing
//!
//! - **Values are resolved before they are written**: a record may omit
//!   fields that have defaults, an `int` is promoted where the schema says
//!   `long`, and a union branch is chosen by the value (as Python's
//!   fastavro does).
//! - **A top-level `"bytes"` schema is written raw**, without Avro's length
//!   prefix, and read back as the whole body: what Python's and Java's
//!   serializers do.
//! - **Trailing bytes are an error**: a body with bytes left after one datum
//!   of the writer's schema is rejected ([`SerdeErrorKind::Deserialization`]),
//!   where Python's and Java's deserializers ignore them: such a payload is
//!   corrupt or not what it claims to be, and reading a prefix of it could
//!   return a wrong value silently. Set
//!   [`AvroDeserializerConfig::ignore_trailing_bytes`] to read such topics
//!   as they do.
//! - **A 5-byte payload** (framing, empty body) is read when the writer's
//!   schema encodes a datum in zero bytes (`null`, a record without
//!   fields); Python rejects every payload under 6 bytes.
//! - **Maps have no order** in [`Value::Map`] (a `HashMap`): a map of two or
//!   more entries may be written in another order than Python writes it —
//!   the same value, other bytes.
//! - **No panic, abort or unbounded allocation on any input**. Bytes from
//!   a topic are untrusted, and apache-avro 0.22 alone overflows the stack
//!   on a recursive schema (one byte per level), allocates by item counts
//!   that items of zero width (`null`, a record without fields) never pay
//!   for, and reads a body cut short as `null`. So every body is first
//!   walked against the writer's schema without allocating: each length
//!   must fit in what is left, nesting is bounded
//!   ([`AvroDeserializerConfig::max_depth`], 64 by default), and decoding
//!   a body of `n` bytes may allocate at most about `256n` bytes + 16 MiB
//!   (each value counts 64 bytes, plus the enum symbols and field names
//!   apache-avro copies from the schema into every value); a body that
//!   breaks one of these is a [`SerdeErrorKind::Deserialization`] error
//!   naming the byte.
//! - **Known limit: resolution against another reader schema** (a reader
//!   schema given to [`AvroDeserializer::new`], or `use.latest.version`
//!   when the latest differs from the writer's) is apache-avro's, and it is
//!   not bounded by the walk: its resolution of unions of recursive types
//!   takes time exponential in the datum's depth, and reader defaults are
//!   copied into every record. Use a reader schema only with writers you
//!   trust, or keep `max_depth` low for such schemas. Deep datums are decoded on a stack sized for them (see
//!   [`DEFAULT_MAX_DEPTH`]), and the decoder and the schema parser run
//!   under `catch_unwind` (which catches nothing under `panic = "abort"`;
//!   the walk is what keeps the known cases away from the decoder).
//! - **apache-avro is re-exported**, as [`apache_avro`], because its
//!   `Value` and `Schema` are in this API: a release of ferrokafka that
//!   moves to an incompatible apache-avro is a breaking release of the
//!   `avro` feature.
//!
//! # Not yet
//!
//! Schema GUIDs and the schema id in headers (Python's
//! `header_schema_id_serializer`), `use.latest.with.metadata`, data
//! contracts (rules, migrations, encryption), `subject.name.strategy.type`
//! `ASSOCIATED` (Python 2.16's default, which falls back to the topic name
//! strategy when the registry has no associations: ours is that fallback),
//! and Python's `to_dict`/`from_dict` hooks (serde does that work here).

pub use apache_avro;

use super::avro_guard;
use super::serde::{
    fetch_references, frame, latest_reader, unframe, ParsedCache, ParsedSchema, SerdeError, SerdeErrorKind,
    SerializationContext, SubjectNameStrategy, WriterState,
};
use super::{Schema, SchemaRegistryClient, SchemaRegistryError};
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::ResolvedSchema;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema as AvroSchema;
use std::sync::Arc;

const FORMAT: &str = "Avro";

/// An [`AvroSerializer`]'s options: Python's `AvroSerializer` `conf` keys.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct AvroSerializerConfig {
    /// `auto.register.schemas` (default `true`): register the schema under
    /// its subject the first time; else look it up, and fail when it is not
    /// registered there.
    pub auto_register_schemas: bool,
    /// `normalize.schemas` (default `false`): ask the registry to normalize
    /// the schema when registering or looking it up.
    pub normalize_schemas: bool,
    /// `use.schema.id` (default none): write with the schema registered
    /// under this id, framed with it.
    pub use_schema_id: Option<i32>,
    /// `use.latest.version` (default `false`): write with the subject's
    /// latest schema, framed with its id. Cannot be set with
    /// `auto_register_schemas`.
    pub use_latest_version: bool,
    /// `subject.name.strategy` (default the topic name strategy).
    pub subject_name_strategy: SubjectNameStrategy,
}

impl Default for AvroSerializerConfig {
    fn default() -> Self {
        AvroSerializerConfig {
            auto_register_schemas: true,
            normalize_schemas: false,
            use_schema_id: None,
            use_latest_version: false,
            subject_name_strategy: SubjectNameStrategy::TopicName,
        }
    }
}

impl AvroSerializerConfig {
    super::serde::writer_choice_options!();
}

/// An [`AvroDeserializer`]'s options: Python's `AvroDeserializer` `conf`
/// keys.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct AvroDeserializerConfig {
    /// `use.latest.version` (default `false`): read with the subject's
    /// latest schema as the reader schema.
    pub use_latest_version: bool,
    /// `subject.name.strategy` (default the topic name strategy): the
    /// subject `use.latest.version` reads.
    pub subject_name_strategy: SubjectNameStrategy,
    /// How deep a datum may nest (default [`DEFAULT_MAX_DEPTH`]); a deeper
    /// one is a [`SerdeErrorKind::Deserialization`] error. Records, arrays,
    /// maps, unions and named references each count one level. Python has
    /// no such option (its decoder stops at the interpreter's recursion
    /// limit, 1000 by default). Each level costs stack in the decoder, in
    /// schema resolution and in serde: see [`DEFAULT_MAX_DEPTH`] before
    /// raising it.
    pub max_depth: usize,
    /// Whether bytes after the datum are ignored (default `false`: they
    /// are an error). Java's serializers with `use.schema.id` or
    /// `use.latest.version` can frame a newer datum under an older
    /// schema's id, and Java's and Python's deserializers read the prefix
    /// that schema describes; set this to read such topics the same way.
    pub ignore_trailing_bytes: bool,
}

/// The default [`AvroDeserializerConfig::max_depth`]: 64 levels.
///
/// apache-avro's decoder takes about 33 KiB of stack per level in a debug
/// build, so a datum deeper than 8 levels is decoded (and resolved) on a
/// scoped thread whose stack is sized for its depth (1 MiB + 64 KiB a
/// level), not on the caller's, whose free stack is unknown. What stays on
/// the caller's thread is the walk that measures the datum and, for
/// [`AvroDeserializer::deserialize`], serde's work, which grows with the
/// depth: a 64-level datum to a serde type needs under 256 KiB of the
/// caller's stack in a debug build (`tests/avro.rs` reads one on a 512 KiB
/// thread). The walk takes about 1.4 KiB of the caller's stack per level
/// in a debug build, serde more: raise the bound for deeper data only as
/// far as the calling threads' stacks allow (a 2 MiB thread aborts on a
/// body that nests 1,500 levels deep when `max_depth` lets it).
pub const DEFAULT_MAX_DEPTH: usize = 64;

impl Default for AvroDeserializerConfig {
    fn default() -> Self {
        AvroDeserializerConfig {
            use_latest_version: false,
            subject_name_strategy: SubjectNameStrategy::default(),
            max_depth: DEFAULT_MAX_DEPTH,
            ignore_trailing_bytes: false,
        }
    }
}

impl AvroDeserializerConfig {
    /// Sets [`max_depth`](Self::max_depth).
    pub fn max_depth(mut self, levels: usize) -> Self {
        self.max_depth = levels;
        self
    }

    /// Sets [`ignore_trailing_bytes`](Self::ignore_trailing_bytes).
    pub fn ignore_trailing_bytes(mut self, on: bool) -> Self {
        self.ignore_trailing_bytes = on;
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
}

/// A schema as the registry has it, parsed with its references.
struct Parsed {
    schema: Schema,
    root: AvroSchema,
    /// The schemas its references name, then the root (empty when it has
    /// no references: the root alone resolves its names).
    schemata: Vec<AvroSchema>,
    /// The name subject name strategies use: the full name of a named
    /// schema, the type of an unnamed `{"type": ...}` one.
    record_name: Option<String>,
}

impl Parsed {
    fn schemata(&self) -> Vec<&AvroSchema> {
        self.schemata.iter().collect()
    }

    fn resolved(&self) -> Result<ResolvedSchema<'_>, apache_avro::Error> {
        if self.schemata.is_empty() {
            ResolvedSchema::try_from(&self.root)
        } else {
            ResolvedSchema::new_with_schemata(self.schemata())
        }
    }
}

impl ParsedSchema for Parsed {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn record_name(&self) -> Option<&str> {
        self.record_name.as_deref()
    }
}

/// Parses `schema`, fetching the schemas its references name (and theirs)
/// from the registry.
fn parse(client: &SchemaRegistryClient, schema: &Schema) -> Result<Parsed, SerdeErrorKind> {
    if !schema.schema_type.eq_ignore_ascii_case(Schema::AVRO) {
        return Err(SerdeErrorKind::Schema(format!(
            "schema of type {} where AVRO was expected",
            schema.schema_type
        )));
    }
    // Avro names its types inside the texts: each text once, whatever
    // names the references give it.
    let mut refs: Vec<String> = Vec::new();
    for (_, text) in fetch_references(client, schema)? {
        if !refs.contains(&text) {
            refs.push(text);
        }
    }
    let invalid = |e: apache_avro::Error| SerdeErrorKind::Schema(format!("invalid Avro schema: {e}"));
    // Schemas come from the registry: apache-avro's parser gets the same
    // guard as its decoder.
    let (root, schemata) = unpanicking("parser", || {
        Ok(if refs.is_empty() {
            (AvroSchema::parse_str(&schema.schema_str).map_err(invalid)?, Vec::new())
        } else {
            let (root, named) = AvroSchema::parse_str_with_list(&schema.schema_str, &refs).map_err(invalid)?;
            // Resolved in order: what is referred to before what refers to it.
            let mut all = named;
            all.push(root.clone());
            (root, all)
        })
    })
    .map_err(|e| match e {
        SerdeErrorKind::Deserialization(m) => SerdeErrorKind::Schema(m),
        other => other,
    })?;
    let record_name = match root.name() {
        Some(name) => Some(name.fullname(None)),
        // Python names an unnamed `{"type": "string"}` by its type, and a
        // bare `"string"` or a union not at all.
        None => serde_json::from_str::<serde_json::Value>(&schema.schema_str)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string)),
    };
    Ok(Parsed {
        schema: schema.clone(),
        root,
        schemata,
        record_name,
    })
}

/// Serializes keys or values to Avro in Confluent's wire format (Python's
/// `AvroSerializer`). See the [module docs](self).
pub struct AvroSerializer {
    client: Arc<SchemaRegistryClient>,
    schema: Option<Arc<Parsed>>,
    config: AvroSerializerConfig,
    state: WriterState<Parsed>,
}

impl std::fmt::Debug for AvroSerializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvroSerializer")
            .field("schema", &self.schema.as_ref().map(|s| &s.schema.schema_str))
            .field("config", &self.config)
            .finish()
    }
}

fn config_error(message: String) -> SchemaRegistryError {
    SchemaRegistryError::Config(message)
}

impl AvroSerializer {
    /// A serializer writing with `schema` (Avro JSON; `None` with
    /// `use_latest_version` or `use_schema_id`, which name the schema).
    ///
    /// Errors ([`SchemaRegistryError::Config`]): the schema does not parse,
    /// both `use_latest_version` and `auto_register_schemas` are set (as
    /// Python refuses), or no schema is given and none is named.
    pub fn new(
        client: Arc<SchemaRegistryClient>,
        schema: Option<&str>,
        config: AvroSerializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        Self::with_schema(client, schema.map(|s| Schema::new(s, Schema::AVRO)), config)
    }

    /// [`new`](Self::new) with a [`Schema`], which may carry references
    /// (fetched from the registry now).
    pub fn with_schema(
        client: Arc<SchemaRegistryClient>,
        schema: Option<Schema>,
        config: AvroSerializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        if config.use_latest_version && config.auto_register_schemas {
            return Err(config_error(
                "cannot enable both use.latest.version and auto.register.schemas".into(),
            ));
        }
        if schema.is_none() && !config.use_latest_version && config.use_schema_id.is_none() {
            return Err(config_error(
                "an AvroSerializer needs a schema, or use.latest.version or use.schema.id".into(),
            ));
        }
        let schema = match schema {
            Some(s) => Some(Arc::new(parse(&client, &s).map_err(|e| match e {
                SerdeErrorKind::Registry(e) => e,
                other => config_error(other.to_string()),
            })?)),
            None => None,
        };
        Ok(AvroSerializer {
            client,
            schema,
            config,
            state: WriterState::default(),
        })
    }

    /// The options.
    pub fn config(&self) -> &AvroSerializerConfig {
        &self.config
    }

    /// Serializes `value` (any `serde::Serialize` type: a derived struct,
    /// a map, a primitive), converted to a [`Value`] first by apache-avro's
    /// serde support, then as [`serialize_value`](Self::serialize_value).
    pub fn serialize<T: serde::Serialize + ?Sized>(
        &self,
        value: &T,
        ctx: &SerializationContext<'_>,
    ) -> Result<Vec<u8>, SerdeError> {
        let value = apache_avro::to_value(value).map_err(|e| {
            self.error(
                ctx,
                SerdeErrorKind::Serialization(format!("cannot convert the value to Avro: {e}")),
            )
        })?;
        self.serialize_value(&value, ctx)
    }

    /// Serializes a generic Avro `value`: finds the schema and its id
    /// (registering it, looking it up, or taking the subject's latest or
    /// the configured id), resolves the value against the schema, encodes
    /// it and frames it.
    pub fn serialize_value(&self, value: &Value, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        self.serialize_inner(value, ctx).map_err(|k| self.error(ctx, k))
    }

    fn error(&self, ctx: &SerializationContext<'_>, kind: SerdeErrorKind) -> SerdeError {
        SerdeError::new(FORMAT, true, ctx, kind)
    }

    fn serialize_inner(&self, value: &Value, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeErrorKind> {
        let choice = self.config.writer_choice();
        let record_name = self.schema.as_ref().and_then(|s| s.record_name.as_deref());
        let (id, schema) = self
            .state
            .writer(&self.client, &choice, self.schema.as_ref(), record_name, ctx, parse)?;
        let body = encode(&schema, value)?;
        Ok(frame(id, &body))
    }
}

/// `value`, resolved against `schema`, in Avro's binary encoding (a
/// top-level `bytes` schema: the bytes themselves).
fn encode(schema: &Parsed, value: &Value) -> Result<Vec<u8>, SerdeErrorKind> {
    let unfit =
        |e: apache_avro::Error| SerdeErrorKind::Serialization(format!("the value does not fit the schema: {e}"));
    let resolved = resolve(value.clone(), schema).map_err(unfit)?;
    if let (AvroSchema::Bytes, Value::Bytes(b)) = (&schema.root, &resolved) {
        return Ok(b.clone());
    }
    let names = schema.resolved().map_err(unfit)?;
    let writer = GenericDatumWriter::builder(&schema.root)
        .resolved_schemata(names)
        .build()
        .map_err(unfit)?;
    let mut out = Vec::new();
    writer.write_value_ref(&mut out, &resolved).map_err(unfit)?;
    Ok(out)
}

/// Deserializes Avro keys or values in Confluent's wire format (Python's
/// `AvroDeserializer`). See the [module docs](self).
pub struct AvroDeserializer {
    client: Arc<SchemaRegistryClient>,
    reader: Option<Arc<Parsed>>,
    config: AvroDeserializerConfig,
    parsed: ParsedCache<Parsed>,
}

impl std::fmt::Debug for AvroDeserializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvroDeserializer")
            .field("reader", &self.reader.as_ref().map(|s| &s.schema.schema_str))
            .field("config", &self.config)
            .finish()
    }
}

impl AvroDeserializer {
    /// A deserializer; `reader_schema` (Avro JSON), when given, is what
    /// values are resolved to (else the writer's schema, or the subject's
    /// latest with `use_latest_version`).
    ///
    /// Errors ([`SchemaRegistryError::Config`]): the reader schema does not
    /// parse.
    pub fn new(
        client: Arc<SchemaRegistryClient>,
        reader_schema: Option<&str>,
        config: AvroDeserializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        Self::with_schema(client, reader_schema.map(|s| Schema::new(s, Schema::AVRO)), config)
    }

    /// [`new`](Self::new) with a [`Schema`], which may carry references
    /// (fetched from the registry now).
    pub fn with_schema(
        client: Arc<SchemaRegistryClient>,
        reader_schema: Option<Schema>,
        config: AvroDeserializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        let reader = match reader_schema {
            Some(s) => Some(Arc::new(parse(&client, &s).map_err(|e| match e {
                SerdeErrorKind::Registry(e) => e,
                other => config_error(other.to_string()),
            })?)),
            None => None,
        };
        Ok(AvroDeserializer {
            client,
            reader,
            config,
            parsed: ParsedCache::default(),
        })
    }

    /// The options.
    pub fn config(&self) -> &AvroDeserializerConfig {
        &self.config
    }

    /// Deserializes `data` into a `T` (any `serde::de::DeserializeOwned`
    /// type), through the [`Value`] that
    /// [`deserialize_value`](Self::deserialize_value) returns.
    pub fn deserialize<T: serde::de::DeserializeOwned>(
        &self,
        data: &[u8],
        ctx: &SerializationContext<'_>,
    ) -> Result<T, SerdeError> {
        let value = self.deserialize_value(data, ctx)?;
        apache_avro::from_value::<T>(&value).map_err(|e| {
            self.error(
                ctx,
                SerdeErrorKind::Deserialization(format!("the datum does not fit the type asked for: {e}")),
            )
        })
    }

    /// Deserializes `data`: reads the schema id from the framing, fetches
    /// the writer's schema, decodes the body and resolves it against the
    /// reader schema.
    pub fn deserialize_value(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<Value, SerdeError> {
        self.deserialize_inner(data, ctx).map_err(|k| self.error(ctx, k))
    }

    fn error(&self, ctx: &SerializationContext<'_>, kind: SerdeErrorKind) -> SerdeError {
        SerdeError::new(FORMAT, false, ctx, kind)
    }

    fn deserialize_inner(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<Value, SerdeErrorKind> {
        let (id, body) = unframe(data)?;
        let writer = self.parsed.by_id(&self.client, id, parse)?;
        let reader = if self.config.use_latest_version {
            let strategy = &self.config.subject_name_strategy;
            Some(latest_reader(
                &self.client,
                &self.parsed,
                strategy,
                ctx,
                &writer,
                parse,
            )?)
        } else {
            self.reader.clone()
        };
        unpanicking("decoder", || decode(&writer, reader.as_deref(), body, &self.config))
    }
}

/// `f`, with a panic inside it (apache-avro is not ours: a panic in it on
/// some input must not become the caller's) turned into a
/// [`SerdeErrorKind::Deserialization`] error. Under `panic = "abort"`
/// nothing can be caught: the walk in `avro_guard` is what keeps decoding
/// from the inputs known to panic or overflow.
fn unpanicking<T>(what: &str, f: impl FnOnce() -> Result<T, SerdeErrorKind>) -> Result<T, SerdeErrorKind> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(SerdeErrorKind::Deserialization(format!(
            "the Avro {what} panicked on this input: {message}"
        )))
    })
}

/// Datums nested at most this deep are decoded on the caller's stack.
const INLINE_DEPTH: usize = 8;
/// Stack for each level deeper: apache-avro's decoder takes about 33 KiB
/// a level in a debug build (measured), its resolution and serde less.
const STACK_PER_LEVEL: usize = 64 << 10;

/// Runs `f`, which recurses once per level of a datum `depth` levels
/// deep, where the stack is known to be enough: the caller's for shallow
/// datums, a scoped thread's sized for the depth otherwise (the caller's
/// free stack is unknown, and a stack overflow aborts the process).
fn on_enough_stack<T: Send>(
    depth: usize,
    f: impl FnOnce() -> Result<T, SerdeErrorKind> + Send,
) -> Result<T, SerdeErrorKind> {
    if depth <= INLINE_DEPTH {
        return f();
    }
    let size = (1 << 20) + depth.saturating_mul(STACK_PER_LEVEL);
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("ferrokafka-avro".into())
            .stack_size(size)
            .spawn_scoped(scope, || unpanicking("decoder", f))
            .map_err(|e| {
                SerdeErrorKind::Deserialization(format!(
                    "a datum {depth} levels deep needs a thread with a {size}-byte stack, which could not start: {e}"
                ))
            })?;
        thread.join().unwrap_or_else(|_| {
            Err(SerdeErrorKind::Deserialization(
                "the Avro decoder's thread panicked".into(),
            ))
        })
    })
}

fn decode(
    writer: &Parsed,
    reader: Option<&Parsed>,
    body: &[u8],
    config: &AvroDeserializerConfig,
) -> Result<Value, SerdeErrorKind> {
    if writer.root == AvroSchema::Bytes {
        return resolve_with(Value::Bytes(body.to_vec()), reader);
    }
    let corrupt = |e: String| {
        SerdeErrorKind::Deserialization(format!(
            "the body ({} bytes) is not a datum of the writer's schema: {e}",
            body.len()
        ))
    };
    let names = writer.resolved().map_err(|e| corrupt(e.to_string()))?;
    // apache-avro is handed only a body this walk has measured: see
    // avro_guard for what it would do with the others.
    let datum = avro_guard::walk(
        &writer.root,
        names.get_names(),
        body,
        config.max_depth,
        avro_guard::budget(body.len()),
    )
    .map_err(corrupt)?;
    if datum.len < body.len() && !config.ignore_trailing_bytes {
        return Err(SerdeErrorKind::Deserialization(format!(
            "{} bytes left after the datum (a body of {} bytes): corrupt, or not of this schema",
            body.len() - datum.len,
            body.len()
        )));
    }
    let mut rest = &body[..datum.len];
    on_enough_stack(datum.depth, move || {
        let value = GenericDatumReader::builder(&writer.root)
            .resolved_writer_schemata(names)
            .build()
            .and_then(|r| r.read_value(&mut rest))
            .map_err(|e| corrupt(e.to_string()))?;
        // A reader that is the writer's own schema (use.latest.version
        // when nothing newer is registered) has nothing to resolve, and
        // apache-avro's resolution of recursive unions takes time
        // exponential in the depth: it is skipped.
        let reader = reader.filter(|r| r.schema != writer.schema);
        resolve_with(value, reader)
    })
}

fn resolve_with(value: Value, reader: Option<&Parsed>) -> Result<Value, SerdeErrorKind> {
    match reader {
        Some(reader) => resolve(value, reader).map_err(|e| {
            SerdeErrorKind::Schema(format!(
                "the reader schema cannot read what the writer's schema wrote: {e}"
            ))
        }),
        None => Ok(value),
    }
}

/// `value` resolved against `schema` (Avro's schema resolution).
///
/// apache-avro 0.22 refuses to resolve a decimal whose bytes are fewer than
/// the schema's precision could need (`12345.67` in 3 bytes under
/// `precision: 10`), though that is how Python, Java and we write them (the
/// fewest bytes): decimals are sign-extended before and made minimal again
/// after, which changes no value.
fn resolve(value: Value, schema: &Parsed) -> Result<Value, apache_avro::Error> {
    let widened = map_decimals(value, &|bytes| sign_extend(bytes, DECIMAL_RESOLVE_LEN));
    let resolved = widened.resolve_schemata(&schema.root, schema.schemata())?;
    Ok(map_decimals(resolved, &minimal))
}

/// Bytes enough for a precision of 153 digits.
const DECIMAL_RESOLVE_LEN: usize = 64;

fn sign_extend(bytes: Vec<u8>, len: usize) -> Vec<u8> {
    if bytes.len() >= len {
        return bytes;
    }
    let fill = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut out = vec![fill; len - bytes.len()];
    out.extend_from_slice(&bytes);
    out
}

/// The fewest two's-complement bytes for the same number (at least one).
fn minimal(bytes: Vec<u8>) -> Vec<u8> {
    let mut start = 0;
    while start + 1 < bytes.len() {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    if start == 0 {
        bytes
    } else {
        bytes[start..].to_vec()
    }
}

/// `value` with every decimal's bytes passed through `f`.
fn map_decimals(value: Value, f: &dyn Fn(Vec<u8>) -> Vec<u8>) -> Value {
    match value {
        Value::Decimal(d) => match Vec::<u8>::try_from(&d) {
            Ok(bytes) => Value::Decimal(apache_avro::Decimal::from(f(bytes))),
            // A decimal read from zero bytes (Python reads them as 0, and
            // writes 0 as one byte) has no bytes apache-avro will give.
            Err(_) if d == apache_avro::Decimal::from([0u8]) => Value::Decimal(apache_avro::Decimal::from(f(vec![0]))),
            Err(_) => Value::Decimal(d),
        },
        Value::Record(fields) => Value::Record(fields.into_iter().map(|(k, v)| (k, map_decimals(v, f))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| map_decimals(v, f)).collect()),
        Value::Map(entries) => Value::Map(entries.into_iter().map(|(k, v)| (k, map_decimals(v, f))).collect()),
        Value::Union(i, v) => Value::Union(i, Box::new(map_decimals(*v, f))),
        other => other,
    }
}

/// The mock registry's Avro check: `Ok` when a reader with schema text
/// `reader` can read everything written with `writer` (partial
/// compatibility — an enum or union that reads only some of the writer's
/// symbols or branches — is not: the registry rejects it too).
pub(crate) fn compatibility_check(reader: &str, writer: &str) -> Result<(), String> {
    use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
    // A schema that does not parse alone names types from its references,
    // which the hook does not see: such pairs are not checked.
    let (Ok(reader), Ok(writer)) = (AvroSchema::parse_str(reader), AvroSchema::parse_str(writer)) else {
        return Ok(());
    };
    match SchemaCompatibility::can_read(&writer, &reader) {
        Ok(Compatibility::Full) => Ok(()),
        Ok(Compatibility::Partial) => Err(
            "the reader can read only part of what the writer writes (missing enum symbols or union branches)".into(),
        ),
        Err(e) => Err(e.to_string()),
    }
}
