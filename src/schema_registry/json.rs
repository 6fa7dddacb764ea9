//! JSON Schema serializers for the Schema Registry (the `json-schema`
//! feature): Python's `confluent_kafka.schema_registry.json_schema`.
//!
//! - [`JsonSerializer`] writes a [`serde_json::Value`]
//!   ([`serialize_value`](JsonSerializer::serialize_value)) or any
//!   `serde::Serialize` type ([`serialize`](JsonSerializer::serialize)) as
//!   compact UTF-8 JSON in Confluent's wire format (a magic byte 0, the
//!   schema id in 4 bytes, big-endian, then the JSON text), after
//!   validating it against its JSON Schema, which it registers or looks up
//!   under the subject its [`SubjectNameStrategy`] names.
//! - [`JsonDeserializer`] reads the writer's schema by the id in the
//!   payload, parses the JSON, validates it against the reader schema (the
//!   one given, the subject's latest with `use.latest.version`, else the
//!   writer's), and returns a [`serde_json::Value`]
//!   ([`deserialize_value`](JsonDeserializer::deserialize_value)) or any
//!   `serde::de::DeserializeOwned` type ([`deserialize`](JsonDeserializer::deserialize)).
//!
//! Both are `Send + Sync` and take `&self`: share one per key or value
//! side.
//!
//! ```
//! use ferrokafka::schema_registry::json::{serde_json::json, JsonDeserializer, JsonSerializer};
//! use ferrokafka::schema_registry::{MockSchemaRegistry, SchemaRegistryClient, SerializationContext};
//! use std::sync::Arc;
//!
//! let registry = MockSchemaRegistry::new()?;
//! let client = Arc::new(SchemaRegistryClient::new(&ferrokafka::config! { "url" => registry.url() })?);
//! let schema = r#"{"title": "User", "type": "object",
//!                  "properties": {"name": {"type": "string"}}, "required": ["name"]}"#;
//! let serializer = JsonSerializer::new(Arc::clone(&client), Some(schema), Default::default())?;
//! let ctx = SerializationContext::value("users");
//! let bytes = serializer.serialize_value(&json!({"name": "Ada"}), &ctx)?; // registers under users-value
//! assert_eq!(bytes, b"\0\0\0\0\x01{\"name\":\"Ada\"}");
//! // What the schema refuses is a typed error, before anything is written.
//! assert!(serializer.serialize_value(&json!({"name": 36}), &ctx).is_err());
//!
//! let deserializer = JsonDeserializer::new(client, None, Default::default())?;
//! assert_eq!(deserializer.deserialize_value(&bytes, &ctx)?, json!({"name": "Ada"}));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Behaviours worth knowing
//!
//! - **Validation on both sides** (`validate`, on by default, as in
//!   Python): a value the schema refuses is a
//!   [`SerdeErrorKind::Serialization`] error when writing and a
//!   [`SerdeErrorKind::Deserialization`] error when reading, naming where
//!   in the value and what the schema said (the first 5 violations).
//! - **The draft** is the one the schema's `$schema` names (4, 6, 7,
//!   2019-09 or 2020-12), else 2020-12 (an absent or unknown `$schema`):
//!   what Python's `jsonschema` `validator_for` chooses (draft 3, which
//!   Python knows, is read as 2020-12 here). **`format` is not asserted**
//!   (an annotation, as in Python, which passes no format checker).
//! - **Where the verdicts differ from Python's** (the validators differ,
//!   not the schemas): `multipleOf` with a fraction is exact here (0.3 is a
//!   multiple of 0.1; Python's float division says not); `pattern` is
//!   ECMA-262-like here and Python's `re` there (`$` before a final
//!   newline, `\d` and `\w` beyond ASCII, `{,3}`, `\p{L}`); `dependencies`
//!   is still applied under 2019-09 and 2020-12 (Python ignores it there);
//!   draft 4's `integer` takes `1e308` here. tests/json_schema.rs checks 33
//!   values that agree.
//! - **Validation cost is the schema's**: a recursive `oneOf`/`anyOf` can
//!   take time exponential in a value's depth to validate, here as in
//!   Python (`oneOf` must try every branch). Values are nested at most 128
//!   levels; schemas come from the registry, so review recursive unions as
//!   you would code. The details of a refused value are listed only for
//!   values nested at most 8 levels, each cut to 200 characters.
//! - **The bytes are compact JSON** (no spaces; non-ASCII as UTF-8, not
//!   `\u` escapes), as Python writes them (with orjson, or `json.dumps`
//!   with compact separators) but for the spelling of float exponents
//!   (`1e16` or `1e+16`, `1e-7` or `1e-07`: the same numbers). A serde
//!   struct is written in its fields' order, so a struct whose fields are in a Python dict's order is
//!   written byte for byte as Python writes the dict. A
//!   [`serde_json::Value`] object is written in its map's order (sorted by
//!   key, unless serde_json's `preserve_order` feature is on in the build).
//! - **References**: a schema's `$ref` to another registered schema is
//!   resolved through the schema's references (Confluent's
//!   `SchemaReference`, whose `name` is the `$ref`), fetched from the
//!   registry, recursively; nothing is fetched over the network by URL.
//!   A relative `$ref` (`"address.json"`) finds the reference named so.
//! - **Untrusted bytes**: the body must be one JSON document (trailing
//!   bytes other than whitespace are an error, as in Python) nested at most
//!   128 levels (serde_json's limit, which keeps the parser's recursion
//!   off the stack's end); a non-UTF-8 or cut-short body is a typed error.
//! - **Numbers**: an integer beyond 64 bits is read as the nearest `f64`
//!   (serde_json's `Value`), where Python keeps every digit; enable
//!   serde_json's `arbitrary_precision` feature in your build to keep them.
//! - **serde_json is re-exported**, as [`serde_json`], because its `Value`
//!   is in this API.
//!
//! # Not yet
//!
//! As for Avro: schema GUIDs and ids in headers, `use.latest.with.metadata`,
//! data contracts (rules, migrations, encryption), the `ASSOCIATED` subject
//! name strategy, and Python's `to_dict`/`from_dict` hooks (serde does that
//! work here).

pub use serde_json;

use super::serde::{
    fetch_references, frame, latest_reader, unframe, ParsedCache, ParsedSchema, SerdeError, SerdeErrorKind,
    SerializationContext, SubjectNameStrategy, WriterState,
};
use super::{Schema, SchemaRegistryClient, SchemaRegistryError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

const FORMAT: &str = "JSON Schema";
/// How many schema violations an error lists.
const VIOLATIONS_SHOWN: usize = 5;
/// The base URI jsonschema resolves a relative `$ref` against when the
/// schema has no `$id`.
const DEFAULT_BASE: &str = "json-schema:///";

/// A [`JsonSerializer`]'s options: Python's `JSONSerializer` `conf` keys.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct JsonSerializerConfig {
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
    /// `subject.name.strategy` (default the topic name strategy). The
    /// record name the record strategies use is the schema's `title`.
    pub subject_name_strategy: SubjectNameStrategy,
    /// `validate` (default `true`): validate each value against the schema
    /// before writing it.
    pub validate: bool,
}

impl Default for JsonSerializerConfig {
    fn default() -> Self {
        JsonSerializerConfig {
            auto_register_schemas: true,
            normalize_schemas: false,
            use_schema_id: None,
            use_latest_version: false,
            subject_name_strategy: SubjectNameStrategy::TopicName,
            validate: true,
        }
    }
}

impl JsonSerializerConfig {
    super::serde::writer_choice_options!();

    /// Sets `validate`.
    pub fn validate(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }
}

/// A [`JsonDeserializer`]'s options: Python's `JSONDeserializer` `conf`
/// keys.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct JsonDeserializerConfig {
    /// `use.latest.version` (default `false`): validate with the subject's
    /// latest schema as the reader schema.
    pub use_latest_version: bool,
    /// `subject.name.strategy` (default the topic name strategy): the
    /// subject `use.latest.version` reads.
    pub subject_name_strategy: SubjectNameStrategy,
    /// `validate` (default `true`): validate each value against the reader
    /// schema.
    pub validate: bool,
}

impl Default for JsonDeserializerConfig {
    fn default() -> Self {
        JsonDeserializerConfig {
            use_latest_version: false,
            subject_name_strategy: SubjectNameStrategy::TopicName,
            validate: true,
        }
    }
}

impl JsonDeserializerConfig {
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

    /// Sets `validate`.
    pub fn validate(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }
}

/// A schema as the registry has it, compiled with its references.
struct Parsed {
    schema: Schema,
    validator: jsonschema::Validator,
    /// The schema's `title`: the record name subject name strategies use.
    title: Option<String>,
}

impl ParsedSchema for Parsed {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn record_name(&self) -> Option<&str> {
        self.title.as_deref()
    }
}

/// The drafts jsonschema knows, by their meta-schema URIs.
fn known_draft(uri: &str) -> bool {
    let uri = uri.trim_end_matches('#');
    [
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    ]
    .contains(&uri)
}

/// Finds `$ref`s among a schema's references, by name (shared by the two
/// builds a schema may need).
#[derive(Clone)]
struct References(Arc<HashMap<String, Value>>);

impl jsonschema::Retrieve for References {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let relative = uri.strip_prefix(DEFAULT_BASE);
        [Some(uri), relative]
            .into_iter()
            .flatten()
            .find_map(|name| self.0.get(name).or_else(|| self.0.get(name.trim_end_matches('#'))))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "$ref {uri} is not among the schema's references ({:?})",
                    self.0.keys().collect::<Vec<_>>()
                )
                .into()
            })
    }
}

/// Parses and compiles `schema`, fetching the schemas its references name
/// (and theirs) from the registry.
fn parse(client: &SchemaRegistryClient, schema: &Schema) -> Result<Parsed, SerdeErrorKind> {
    if !schema.schema_type.eq_ignore_ascii_case(Schema::JSON) {
        return Err(SerdeErrorKind::Schema(format!(
            "schema of type {} where JSON was expected",
            schema.schema_type
        )));
    }
    let invalid =
        |what: &str, e: &dyn std::fmt::Display| SerdeErrorKind::Schema(format!("invalid JSON Schema{what}: {e}"));
    let root: Value = serde_json::from_str(&schema.schema_str).map_err(|e| invalid("", &e))?;
    let mut references = HashMap::new();
    for (name, text) in fetch_references(client, schema)? {
        let value: Value = serde_json::from_str(&text).map_err(|e| invalid(&format!(" (reference {name})"), &e))?;
        references.insert(name, value);
    }
    let references = References(Arc::new(references));
    let build = |schema: &Value, draft: Option<jsonschema::Draft>| {
        let mut options = jsonschema::options()
            .should_validate_formats(false)
            .with_retriever(references.clone());
        if let Some(d) = draft {
            options = options.with_draft(d);
        }
        options.build(schema)
    };
    let validator = match build(&root, None) {
        Ok(v) => v,
        // A `$schema` jsonschema does not know: Python's `validator_for`
        // falls back to the latest draft, and so does this.
        Err(e)
            if root
                .get("$schema")
                .and_then(Value::as_str)
                .is_some_and(|uri| !known_draft(uri)) =>
        {
            let mut without = root.clone();
            if let Some(m) = without.as_object_mut() {
                m.remove("$schema");
            }
            build(&without, Some(jsonschema::Draft::Draft202012)).map_err(|_| invalid("", &e))?
        }
        Err(e) => return Err(invalid("", &e)),
    };
    let title = root.get("title").and_then(Value::as_str).map(str::to_string);
    Ok(Parsed {
        schema: schema.clone(),
        validator,
        title,
    })
}

/// `Ok` when `value` is valid against `schema`, else what is wrong with it
/// (where, and what the schema says), the first few violations.
///
/// `is_valid` first: it stops at the first answer, where collecting every
/// violation explores every branch of every `anyOf`/`oneOf` (exponential
/// in the depth of a value under a recursive union). The details are
/// collected only for values nested at most [`DETAIL_DEPTH`] levels; each
/// is cut to [`DETAIL_CHARS`] characters (it quotes the untrusted value).
fn validate(schema: &Parsed, value: &Value) -> Result<(), String> {
    if schema.validator.is_valid(value) {
        return Ok(());
    }
    let depth = nesting(value);
    if depth > DETAIL_DEPTH {
        return Err(format!(
            "the value does not match the schema (a value nested {depth} levels deep: the violations are not listed)"
        ));
    }
    let mut shown: Vec<String> = Vec::new();
    let mut more = 0usize;
    for e in schema.validator.iter_errors(value) {
        if shown.len() < VIOLATIONS_SHOWN {
            let at = e.instance_path().to_string();
            let mut text = e.to_string();
            if text.chars().count() > DETAIL_CHARS {
                text = text.chars().take(DETAIL_CHARS).collect::<String>() + "...";
            }
            shown.push(format!("at {}: {text}", if at.is_empty() { "/" } else { &at }));
        } else {
            more += 1;
        }
    }
    let mut message = format!("the value does not match the schema: {}", shown.join("; "));
    if more > 0 {
        message.push_str(&format!(" (and {more} more)"));
    }
    Err(message)
}

/// How deep a refused value may nest for its violations to be listed.
const DETAIL_DEPTH: usize = 8;
/// How long one listed violation may be.
const DETAIL_CHARS: usize = 200;

/// How deep `value` nests (a scalar: 0).
fn nesting(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Value::Object(fields) => 1 + fields.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

fn config_error(e: SerdeErrorKind) -> SchemaRegistryError {
    match e {
        SerdeErrorKind::Registry(e) => e,
        other => SchemaRegistryError::Config(other.to_string()),
    }
}

/// Serializes keys or values to JSON in Confluent's wire format (Python's
/// `JSONSerializer`). See the [module docs](self).
pub struct JsonSerializer {
    client: Arc<SchemaRegistryClient>,
    schema: Option<Arc<Parsed>>,
    config: JsonSerializerConfig,
    state: WriterState<Parsed>,
}

impl std::fmt::Debug for JsonSerializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonSerializer")
            .field("schema", &self.schema.as_ref().map(|s| &s.schema.schema_str))
            .field("config", &self.config)
            .finish()
    }
}

impl JsonSerializer {
    /// A serializer writing with `schema` (a JSON Schema document; `None`
    /// with `use_latest_version` or `use_schema_id`, which name the
    /// schema).
    ///
    /// Errors ([`SchemaRegistryError::Config`]): the schema is not JSON or
    /// not a valid JSON Schema, both `use_latest_version` and
    /// `auto_register_schemas` are set (as Python refuses), or no schema is
    /// given and none is named.
    pub fn new(
        client: Arc<SchemaRegistryClient>,
        schema: Option<&str>,
        config: JsonSerializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        Self::with_schema(client, schema.map(|s| Schema::new(s, Schema::JSON)), config)
    }

    /// [`new`](Self::new) with a [`Schema`], which may carry references
    /// (fetched from the registry now).
    pub fn with_schema(
        client: Arc<SchemaRegistryClient>,
        schema: Option<Schema>,
        config: JsonSerializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        if config.use_latest_version && config.auto_register_schemas {
            return Err(SchemaRegistryError::Config(
                "cannot enable both use.latest.version and auto.register.schemas".into(),
            ));
        }
        if schema.is_none() && !config.use_latest_version && config.use_schema_id.is_none() {
            return Err(SchemaRegistryError::Config(
                "a JsonSerializer needs a schema, or use.latest.version or use.schema.id".into(),
            ));
        }
        let schema = match schema {
            Some(s) => Some(Arc::new(parse(&client, &s).map_err(config_error)?)),
            None => None,
        };
        Ok(JsonSerializer {
            client,
            schema,
            config,
            state: WriterState::default(),
        })
    }

    /// The options.
    pub fn config(&self) -> &JsonSerializerConfig {
        &self.config
    }

    /// Serializes `value` (any `serde::Serialize` type: a derived struct,
    /// a map, a primitive): written in its own field order, and the text
    /// written is what is validated.
    pub fn serialize<T: serde::Serialize + ?Sized>(
        &self,
        value: &T,
        ctx: &SerializationContext<'_>,
    ) -> Result<Vec<u8>, SerdeError> {
        let cannot = |e: serde_json::Error| {
            self.error(
                ctx,
                SerdeErrorKind::Serialization(format!("cannot write the value as JSON: {e}")),
            )
        };
        let (id, schema) = self.writer(ctx)?;
        let mut out = frame(id, &[]);
        serde_json::to_writer(&mut out, value).map_err(cannot)?;
        if self.config.validate {
            // What is validated is what was written, read back: serde's
            // text of an `f32`, or of a NaN (`null`), is not the value's.
            let written: Value = serde_json::from_slice(&out[5..]).map_err(cannot)?;
            validate(&schema, &written).map_err(|m| self.error(ctx, SerdeErrorKind::Serialization(m)))?;
        }
        Ok(out)
    }

    /// Serializes a JSON `value`: finds the schema and its id (registering
    /// it, looking it up, or taking the subject's latest or the configured
    /// id), validates the value against it, and frames its compact text.
    pub fn serialize_value(&self, value: &Value, ctx: &SerializationContext<'_>) -> Result<Vec<u8>, SerdeError> {
        self.serialize(value, ctx)
    }

    fn writer(&self, ctx: &SerializationContext<'_>) -> Result<(i32, Arc<Parsed>), SerdeError> {
        let choice = self.config.writer_choice();
        let record_name = self.schema.as_ref().and_then(|s| s.title.as_deref());
        self.state
            .writer(&self.client, &choice, self.schema.as_ref(), record_name, ctx, parse)
            .map_err(|k| self.error(ctx, k))
    }

    fn error(&self, ctx: &SerializationContext<'_>, kind: SerdeErrorKind) -> SerdeError {
        SerdeError::new(FORMAT, true, ctx, kind)
    }
}

/// Deserializes keys or values written in JSON in Confluent's wire format
/// (Python's `JSONDeserializer`). See the [module docs](self).
pub struct JsonDeserializer {
    client: Arc<SchemaRegistryClient>,
    reader: Option<Arc<Parsed>>,
    config: JsonDeserializerConfig,
    parsed: ParsedCache<Parsed>,
}

impl std::fmt::Debug for JsonDeserializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonDeserializer")
            .field("reader", &self.reader.as_ref().map(|s| &s.schema.schema_str))
            .field("config", &self.config)
            .finish()
    }
}

impl JsonDeserializer {
    /// A deserializer validating with `reader_schema` (`None`: with the
    /// writer's schema, or the subject's latest with `use_latest_version`).
    ///
    /// Errors ([`SchemaRegistryError::Config`]): the schema is not JSON or
    /// not a valid JSON Schema.
    pub fn new(
        client: Arc<SchemaRegistryClient>,
        reader_schema: Option<&str>,
        config: JsonDeserializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        Self::with_schema(client, reader_schema.map(|s| Schema::new(s, Schema::JSON)), config)
    }

    /// [`new`](Self::new) with a [`Schema`], which may carry references
    /// (fetched from the registry now).
    pub fn with_schema(
        client: Arc<SchemaRegistryClient>,
        reader_schema: Option<Schema>,
        config: JsonDeserializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        let reader = match reader_schema {
            Some(s) => Some(Arc::new(parse(&client, &s).map_err(config_error)?)),
            None => None,
        };
        Ok(JsonDeserializer {
            client,
            reader,
            config,
            parsed: ParsedCache::default(),
        })
    }

    /// The options.
    pub fn config(&self) -> &JsonDeserializerConfig {
        &self.config
    }

    /// Deserializes `data` into any `serde::de::DeserializeOwned` type,
    /// after [`deserialize_value`](Self::deserialize_value)'s checks.
    pub fn deserialize<T: serde::de::DeserializeOwned>(
        &self,
        data: &[u8],
        ctx: &SerializationContext<'_>,
    ) -> Result<T, SerdeError> {
        let value = self.deserialize_value(data, ctx)?;
        T::deserialize(value).map_err(|e| {
            self.error(
                ctx,
                SerdeErrorKind::Deserialization(format!("the JSON does not fit the type asked for: {e}")),
            )
        })
    }

    /// Deserializes `data`: unframes it, fetches the writer's schema by its
    /// id, parses the body as one JSON document, and validates it against
    /// the reader schema.
    pub fn deserialize_value(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<Value, SerdeError> {
        self.deserialize_inner(data, ctx).map_err(|k| self.error(ctx, k))
    }

    fn error(&self, ctx: &SerializationContext<'_>, kind: SerdeErrorKind) -> SerdeError {
        SerdeError::new(FORMAT, false, ctx, kind)
    }

    fn deserialize_inner(&self, data: &[u8], ctx: &SerializationContext<'_>) -> Result<Value, SerdeErrorKind> {
        let (id, body) = unframe(data)?;
        let writer = self.parsed.by_id(&self.client, id, parse)?;
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            SerdeErrorKind::Deserialization(format!("the body ({} bytes) is not one JSON document: {e}", body.len()))
        })?;
        if self.config.validate {
            let reader = if self.config.use_latest_version {
                let strategy = &self.config.subject_name_strategy;
                latest_reader(&self.client, &self.parsed, strategy, ctx, &writer, parse)?
            } else {
                self.reader.clone().unwrap_or(writer)
            };
            validate(&reader, &value).map_err(SerdeErrorKind::Deserialization)?;
        }
        Ok(value)
    }
}
