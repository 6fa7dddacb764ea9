//! Protobuf serializers for the Schema Registry (the `protobuf` feature):
//! Python's `confluent_kafka.schema_registry.protobuf`.
//!
//! - [`ProtobufSerializer`] writes any message that knows its descriptor
//!   ([`prost_reflect::ReflectMessage`]: a [`DynamicMessage`], or a prost
//!   type generated with prost-reflect's derive) in Confluent's wire
//!   format: a magic byte 0, the schema id in 4 bytes, big-endian, the
//!   message's *indexes* (where the message type sits in its `.proto`
//!   file: zigzag varints, `[0]` as the single byte 0), then the Protobuf
//!   encoding. Its schema is the message's file, registered as Python
//!   registers it (the serialized `FileDescriptorProto`, base64), with its
//!   imports registered first as references (subject = the import's file
//!   name; Google's well-known types are built in and skipped).
//! - [`ProtobufDeserializer`] reads the indexes and either decodes into a
//!   typed prost message ([`deserialize`](ProtobufDeserializer::deserialize),
//!   no registry call, as Python's deserializer with a message class), or
//!   fetches the writer's schema by its id and decodes a [`DynamicMessage`]
//!   of the type the indexes name
//!   ([`deserialize_dynamic`](ProtobufDeserializer::deserialize_dynamic)).
//!
//! Both are `Send + Sync` and take `&self`.
//!
//! ```
//! use ferrokafka::schema_registry::protobuf::{prost_reflect::DynamicMessage, prost_reflect::Value, parse_proto};
//! use ferrokafka::schema_registry::protobuf::{ProtobufDeserializer, ProtobufSerializer};
//! use ferrokafka::schema_registry::{MockSchemaRegistry, SchemaRegistryClient, SerializationContext};
//! use std::sync::Arc;
//!
//! let registry = MockSchemaRegistry::new()?;
//! let client = Arc::new(SchemaRegistryClient::new(&ferrokafka::config! { "url" => registry.url() })?);
//! // A .proto file, compiled at run time (or a descriptor from prost-build).
//! let pool = parse_proto("user.proto", r#"syntax = "proto3"; package shop; message User { string name = 1; }"#)?;
//! let user_type = pool.get_message_by_name("shop.User").unwrap();
//! let serializer = ProtobufSerializer::new(Arc::clone(&client), user_type.clone(), Default::default())?;
//! let mut user = DynamicMessage::new(user_type);
//! user.set_field_by_name("name", Value::String("Ada".into()));
//! let ctx = SerializationContext::value("users");
//! let bytes = serializer.serialize(&user, &ctx)?; // registers user.proto under users-value
//! assert_eq!(bytes, b"\0\0\0\0\x01\0\x0a\x03Ada"); // framing, indexes [0], the message
//!
//! let deserializer = ProtobufDeserializer::new(client, Default::default());
//! let back = deserializer.deserialize_dynamic(&bytes, &ctx)?; // of the writer's schema's pool
//! assert_eq!(back.get_field_by_name("name").unwrap().as_str(), Some("Ada"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Behaviours worth knowing
//!
//! - **Schemas in either form**: a schema fetched from the registry is read
//!   whether it is a serialized `FileDescriptorProto` in base64 (what
//!   Python and ferrokafka register, and what the registry answers with
//!   `format=serialized`) or `.proto` text (what the registry answers by
//!   default, and what Java registers); `.proto` text is compiled by protox.
//!   Imports resolve through the schema's references (by the import's file
//!   name) and Google's well-known types (`google/protobuf/*.proto`), which
//!   are built in; Confluent's own `confluent/*.proto` and `google/type/*`
//!   are not: ferrokafka's serializer registers them as references (Python's
//!   skips them, its runtime has them), so a schema Python wrote that
//!   imports them is a [`SerdeErrorKind::Schema`] error here.
//! - **Schemas are asked for in `format=serialized`** (as Python asks): the
//!   registry's `.proto` rendering could order nested types otherwise, and
//!   message indexes count them.
//! - **Untrusted bytes**: an index array longer than 100,000 entries (as
//!   Python refuses) or naming a message the schema does not have, and a
//!   body that is not a message of that type (prost's decoder: truncated,
//!   wrong wire types, nesting deeper than 100), are
//!   [`SerdeErrorKind::Deserialization`] errors; no input panics. A
//!   [`DynamicMessage`] holds each field as a `Value`: decoding takes
//!   memory proportional to the body, but many times it (about 57 bytes
//!   per byte of a packed field of 1-byte varints).
//! - **Schemas from the registry** are checked before they are compiled
//!   and used: braces nested more than 64 levels (in the text or in
//!   option values, which prost-reflect's parser reads recursively) and
//!   map-entry messages without a valid key and value (on which
//!   prost-reflect's decoder panics) are [`SerdeErrorKind::Schema`] errors,
//!   and compiling and decoding run under `catch_unwind`.
//! - **The message type is checked**: a serializer writes messages of the
//!   type it was built for (by full name); another is a
//!   [`SerdeErrorKind::Serialization`] error. [`deserialize`](ProtobufDeserializer::deserialize)
//!   does not know the type a prost struct stands for and decodes any body
//!   into it, as Python's deserializer does with its message class.
//! - **A [`DynamicMessage`] read is of the writer's schema**, compiled from
//!   the registry into its own [`DescriptorPool`]: it never compares equal
//!   (`==`) to a message of another pool, even of the same type; compare
//!   fields, or encodings.
//! - **prost-reflect and prost are re-exported**, as [`prost_reflect`] and
//!   [`prost`], because their types are in this API.
//!
//! # Not yet
//!
//! As for Avro and JSON: schema GUIDs and ids in headers,
//! `use.latest.with.metadata`, data contracts, the `ASSOCIATED` subject
//! name strategy; and Protobuf's `reference.subject.name.strategy` (the
//! import's file name is the reference's subject, Python's default). The
//! mock registry stores Protobuf schemas as they were registered and does
//! not convert between `.proto` text and descriptors (`format`); its
//! Protobuf compatibility check follows Confluent's rules on the two files
//! alone (see `MockSchemaRegistry`).

pub use prost;
pub use prost_reflect;

use super::codec::{base64_decode, base64_encode};
use super::serde::{
    frame, lock, unframe, ParsedCache, ParsedSchema, SerdeError, SerdeErrorKind, SerializationContext,
    SubjectNameStrategy, WriterState,
};
use super::{Schema, SchemaReference, SchemaRegistryClient, SchemaRegistryError};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, FileDescriptor, MessageDescriptor, ReflectMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

const FORMAT: &str = "Protobuf";
/// The registry's `format` for a Protobuf schema as a descriptor (what
/// Python asks for: the registry's own `.proto` rendering could order
/// nested types otherwise, and message indexes count them).
const SERIALIZED: &str = "serialized";
/// How deep braces may nest in a schema's text or option values
/// (prost-reflect's text-format parser, which protox uses for option
/// values, recurses per level without a bound).
const MAX_BRACE_DEPTH: usize = 64;
/// The longest index array read (Python's bound).
const MAX_INDEXES: u64 = 100_000;
/// How deep references may nest when they are registered.
const MAX_REFERENCE_DEPTH: usize = 32;

/// Compiles `.proto` source text named `name` (its imports: Google's
/// well-known types only) into a [`DescriptorPool`]: a convenience for
/// applications and tests without generated code.
///
/// Errors: the text does not compile ([`SchemaRegistryError::Config`], with
/// protox's message: line, column and what was expected).
pub fn parse_proto(name: &str, source: &str) -> Result<DescriptorPool, SchemaRegistryError> {
    parse_protos(&[(name, source)])
}

/// Compiles several `.proto` files, `(name, source)`, which may import one
/// another by name (and Google's well-known types), into one
/// [`DescriptorPool`].
///
/// Errors: as [`parse_proto`].
pub fn parse_protos(files: &[(&str, &str)]) -> Result<DescriptorPool, SchemaRegistryError> {
    let map: Files = files
        .iter()
        .map(|(n, s)| (n.to_string(), SchemaText::Source(s.to_string())))
        .collect();
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    compile(map, &names).map_err(SchemaRegistryError::Config)
}

/// A schema's text: `.proto` source, or a serialized `FileDescriptorProto`.
#[derive(Clone)]
enum SchemaText {
    Source(String),
    Descriptor(Box<prost_reflect::prost_types::FileDescriptorProto>),
}

type Files = HashMap<String, SchemaText>;

impl SchemaText {
    /// Reads a registry schema string: base64 of a `FileDescriptorProto`
    /// when it is one, else `.proto` text.
    fn read(text: &str) -> SchemaText {
        let trimmed = text.trim();
        if !trimmed.is_empty() && !trimmed.contains(|c: char| c.is_whitespace() || c == ';') {
            if let Some(bytes) = base64_decode(trimmed) {
                if let Ok(proto) = prost_reflect::prost_types::FileDescriptorProto::decode(bytes.as_slice()) {
                    return SchemaText::Descriptor(Box::new(proto));
                }
            }
        }
        SchemaText::Source(text.to_string())
    }

    /// The file name it gives itself (a descriptor's), if any.
    fn own_name(&self) -> Option<&str> {
        match self {
            SchemaText::Descriptor(p) => p.name.as_deref().filter(|n| !n.is_empty()),
            SchemaText::Source(_) => None,
        }
    }
}

/// Finds files among `files`, then among Google's well-known types.
struct Resolver {
    files: Mutex<Files>,
    google: protox::file::GoogleFileResolver,
}

impl protox::file::FileResolver for Resolver {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        let found = lock(&self.files).get(name).cloned();
        match found {
            Some(SchemaText::Source(text)) => protox::file::File::from_source(name, &text),
            Some(SchemaText::Descriptor(mut proto)) => {
                proto.name = Some(name.to_string());
                Ok(protox::file::File::from_file_descriptor_proto(*proto))
            }
            None => self.google.open_file(name),
        }
    }
}

/// How deep braces (`{`, `<`) nest in `text`, outside strings and
/// comments.
fn brace_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for d in chars.by_ref() {
                    if star && d == '/' {
                        break;
                    }
                    star = d == '*';
                }
            }
            '{' | '<' => {
                depth += 1;
                max = max.max(depth);
            }
            '}' | '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// How deep braces nest in the option values (`aggregate_value`) a
/// descriptor carries uninterpreted, anywhere in it.
fn option_depth(file: &prost_reflect::prost_types::FileDescriptorProto) -> usize {
    use prost_reflect::prost_types::{DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, UninterpretedOption};
    fn of(options: &[UninterpretedOption]) -> usize {
        options
            .iter()
            .filter_map(|o| o.aggregate_value.as_deref())
            .map(brace_depth)
            .max()
            .unwrap_or(0)
    }
    fn fields(fs: &[FieldDescriptorProto]) -> usize {
        fs.iter()
            .filter_map(|f| f.options.as_ref())
            .map(|o| of(&o.uninterpreted_option))
            .max()
            .unwrap_or(0)
    }
    fn enums(es: &[EnumDescriptorProto]) -> usize {
        es.iter()
            .map(|e| {
                let own = e.options.as_ref().map_or(0, |o| of(&o.uninterpreted_option));
                let values = e
                    .value
                    .iter()
                    .filter_map(|v| v.options.as_ref())
                    .map(|o| of(&o.uninterpreted_option))
                    .max()
                    .unwrap_or(0);
                own.max(values)
            })
            .max()
            .unwrap_or(0)
    }
    fn messages(ms: &[DescriptorProto]) -> usize {
        ms.iter()
            .map(|m| {
                let oneofs = m
                    .oneof_decl
                    .iter()
                    .filter_map(|d| d.options.as_ref())
                    .map(|o| of(&o.uninterpreted_option))
                    .max()
                    .unwrap_or(0);
                [
                    m.options.as_ref().map_or(0, |o| of(&o.uninterpreted_option)),
                    fields(&m.field),
                    fields(&m.extension),
                    oneofs,
                    enums(&m.enum_type),
                    messages(&m.nested_type),
                ]
                .into_iter()
                .max()
                .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }
    let services = file
        .service
        .iter()
        .map(|s| {
            let own = s.options.as_ref().map_or(0, |o| of(&o.uninterpreted_option));
            let methods = s
                .method
                .iter()
                .filter_map(|m| m.options.as_ref())
                .map(|o| of(&o.uninterpreted_option))
                .max()
                .unwrap_or(0);
            own.max(methods)
        })
        .max()
        .unwrap_or(0);
    [
        file.options.as_ref().map_or(0, |o| of(&o.uninterpreted_option)),
        messages(&file.message_type),
        enums(&file.enum_type),
        fields(&file.extension),
        services,
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
}

/// Refuses what prost-reflect builds without checking and then panics on
/// when decoding: a map-entry message must have a key (field 1, an integer,
/// `bool` or `string`) and a value (field 2), nothing else, and be used by
/// repeated fields only.
fn check_map_entries(pool: &DescriptorPool) -> Result<(), String> {
    use prost_reflect::Kind;
    for m in pool.all_messages() {
        if m.is_map_entry() {
            let numbers: Vec<u32> = m.fields().map(|f| f.number()).collect();
            if numbers.len() != 2 || !numbers.contains(&1) || !numbers.contains(&2) {
                return Err(format!(
                    "map entry {} must have exactly the fields 1 (key) and 2 (value)",
                    m.full_name()
                ));
            }
            let key = m.get_field(1).map(|f| f.kind());
            let valid_key = matches!(
                key,
                Some(
                    Kind::Int32
                        | Kind::Int64
                        | Kind::Uint32
                        | Kind::Uint64
                        | Kind::Sint32
                        | Kind::Sint64
                        | Kind::Fixed32
                        | Kind::Fixed64
                        | Kind::Sfixed32
                        | Kind::Sfixed64
                        | Kind::Bool
                        | Kind::String
                )
            );
            if !valid_key {
                return Err(format!(
                    "map entry {} has a key of a type maps cannot have",
                    m.full_name()
                ));
            }
        }
        for f in m.fields() {
            if let Kind::Message(target) = f.kind() {
                if target.is_map_entry() && !f.is_list() && !f.is_map() {
                    return Err(format!(
                        "field {} uses the map entry {} without being repeated",
                        f.full_name(),
                        target.full_name()
                    ));
                }
            }
        }
    }
    Ok(())
}

fn compile(files: Files, roots: &[&str]) -> Result<DescriptorPool, String> {
    for (name, file) in &files {
        let depth = match file {
            SchemaText::Source(text) => brace_depth(text),
            SchemaText::Descriptor(proto) => option_depth(proto),
        };
        if depth > MAX_BRACE_DEPTH {
            return Err(format!(
                "{name}: braces nest {depth} levels deep (more than {MAX_BRACE_DEPTH}): not compiled"
            ));
        }
    }
    // Schemas come from the registry: protox and prost-reflect run under
    // `catch_unwind` too (what is known to panic is refused above).
    unpanicking("compiler", || {
        let pool = compile_checked(files, roots).map_err(|e| e.to_string())?;
        check_map_entries(&pool)?;
        Ok(pool)
    })
}

/// Runs `f`, a panic becoming an error naming `what` panicked.
fn unpanicking<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("the Protobuf {what} panicked on this input: {message}"))
    })
}

fn compile_checked(files: Files, roots: &[&str]) -> Result<DescriptorPool, protox::Error> {
    let resolver = Resolver {
        files: Mutex::new(files),
        google: protox::file::GoogleFileResolver::new(),
    };
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true);
    compiler.open_files(roots)?;
    // Through a descriptor set, which leaves out the source positions
    // (Python's and protoc's descriptors carry none: a file registered
    // with them would not be the same schema).
    DescriptorPool::from_file_descriptor_set(compiler.file_descriptor_set()).map_err(protox::Error::from)
}

/// A schema as the registry has it, compiled with its references.
struct Parsed {
    schema: Schema,
    file: FileDescriptor,
    /// The first message's full name: the record name subject name
    /// strategies use when no message is at hand.
    record_name: Option<String>,
}

impl ParsedSchema for Parsed {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn record_name(&self) -> Option<&str> {
        self.record_name.as_deref()
    }
}

/// The name a schema without one of its own is compiled under.
const ROOT_NAME: &str = "ferrokafka-schema.proto";

/// Compiles `schema`, fetching the schemas its references name (and
/// theirs) from the registry.
fn parse(client: &SchemaRegistryClient, schema: &Schema) -> Result<Parsed, SerdeErrorKind> {
    if !schema.schema_type.eq_ignore_ascii_case(Schema::PROTOBUF) {
        return Err(SerdeErrorKind::Schema(format!(
            "schema of type {} where PROTOBUF was expected",
            schema.schema_type
        )));
    }
    let mut files = Files::new();
    for (name, text) in super::serde::fetch_references(client, schema)? {
        files.insert(name, SchemaText::read(&text));
    }
    let root = SchemaText::read(&schema.schema_str);
    let mut name = root.own_name().unwrap_or(ROOT_NAME).to_string();
    if files.contains_key(&name) {
        name = format!("ferrokafka-root/{name}");
    }
    files.insert(name.clone(), root);
    let pool = compile(files, &[&name]).map_err(|e| SerdeErrorKind::Schema(format!("invalid Protobuf schema: {e}")))?;
    let file = pool
        .get_file_by_name(&name)
        .ok_or_else(|| SerdeErrorKind::Schema(format!("the compiled schema has no file {name}")))?;
    let record_name = file.messages().next().map(|m| m.full_name().to_string());
    Ok(Parsed {
        schema: schema.clone(),
        file,
        record_name,
    })
}

/// Where `message` sits in its file: its index among the file's messages,
/// then among each enclosing message's nested ones.
fn indexes_of(message: &MessageDescriptor) -> Vec<i64> {
    let mut path = Vec::new();
    let mut current = message.clone();
    while let Some(parent) = current.parent_message() {
        let i = parent
            .child_messages()
            .position(|m| m.full_name() == current.full_name())
            .unwrap_or(0);
        path.push(i as i64);
        current = parent;
    }
    let i = current
        .parent_file()
        .messages()
        .position(|m| m.full_name() == current.full_name())
        .unwrap_or(0);
    path.push(i as i64);
    path.reverse();
    path
}

fn write_varint(out: &mut Vec<u8>, value: i64) {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Confluent's message-index encoding: `[0]` as one byte 0, else the count
/// and each index, zigzag varints.
fn encode_indexes(indexes: &[i64], out: &mut Vec<u8>) {
    if indexes == [0] {
        out.push(0);
        return;
    }
    write_varint(out, indexes.len() as i64);
    for &i in indexes {
        write_varint(out, i);
    }
}

fn read_varint(data: &mut &[u8]) -> Result<i64, SerdeErrorKind> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let Some((&b, rest)) = data.split_first() else {
            return Err(SerdeErrorKind::Deserialization(
                "the message indexes are cut short".into(),
            ));
        };
        *data = rest;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(((value >> 1) as i64) ^ -((value & 1) as i64));
        }
    }
    Err(SerdeErrorKind::Deserialization(
        "a message index is not a varint (more than 10 bytes)".into(),
    ))
}

/// Reads the message indexes off the front of `body`.
fn decode_indexes(body: &mut &[u8]) -> Result<Vec<i64>, SerdeErrorKind> {
    let count = read_varint(body)?;
    if count == 0 {
        return Ok(vec![0]);
    }
    if count < 0 || count as u64 > MAX_INDEXES {
        return Err(SerdeErrorKind::Deserialization(format!(
            "message index array of length {count}: not between 0 and {MAX_INDEXES}"
        )));
    }
    // Each index takes at least a byte: a count past what is left is
    // refused before anything is allocated for it.
    if count as usize > body.len() {
        return Err(SerdeErrorKind::Deserialization(format!(
            "message index array of length {count} in {} bytes",
            body.len()
        )));
    }
    (0..count).map(|_| read_varint(body)).collect()
}

/// The message type `indexes` name in `file`.
fn message_at(file: &FileDescriptor, indexes: &[i64]) -> Result<MessageDescriptor, SerdeErrorKind> {
    let missing = || {
        let shown: Vec<String> = indexes.iter().take(8).map(i64::to_string).collect();
        let more = if indexes.len() > 8 { ", ..." } else { "" };
        SerdeErrorKind::Deserialization(format!(
            "message indexes [{}{more}] ({} of them) name no message of the writer's schema ({})",
            shown.join(", "),
            indexes.len(),
            file.name()
        ))
    };
    let (&first, rest) = indexes.split_first().ok_or_else(missing)?;
    let mut current = usize::try_from(first)
        .ok()
        .and_then(|i| file.messages().nth(i))
        .ok_or_else(missing)?;
    for &i in rest {
        current = usize::try_from(i)
            .ok()
            .and_then(|i| current.child_messages().nth(i))
            .ok_or_else(missing)?;
    }
    Ok(current)
}

/// A [`ProtobufSerializer`]'s options: Python's `ProtobufSerializer`
/// `conf` keys.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ProtobufSerializerConfig {
    /// `auto.register.schemas` (default `true`): register the message's
    /// file (and its imports, as references) under its subject the first
    /// time; else look them up.
    pub auto_register_schemas: bool,
    /// `normalize.schemas` (default `false`).
    pub normalize_schemas: bool,
    /// `use.schema.id` (default none): frame with this id.
    pub use_schema_id: Option<i32>,
    /// `use.latest.version` (default `false`): frame with the subject's
    /// latest schema's id. Cannot be set with `auto_register_schemas`.
    pub use_latest_version: bool,
    /// `subject.name.strategy` (default the topic name strategy); the
    /// record name is the message's full name (`package.Message`).
    pub subject_name_strategy: SubjectNameStrategy,
    /// `skip.known.types` (default `true`): Google's well-known types
    /// (`google/protobuf/*`) are not registered as references. (Python also
    /// skips `confluent/*` and `google/type/*`, which its runtime has built
    /// in; this crate has not, so it registers them.)
    pub skip_known_types: bool,
}

impl Default for ProtobufSerializerConfig {
    fn default() -> Self {
        ProtobufSerializerConfig {
            auto_register_schemas: true,
            normalize_schemas: false,
            use_schema_id: None,
            use_latest_version: false,
            subject_name_strategy: SubjectNameStrategy::TopicName,
            skip_known_types: true,
        }
    }
}

impl ProtobufSerializerConfig {
    super::serde::writer_choice_options!();

    /// Sets `skip.known.types`.
    pub fn skip_known_types(mut self, on: bool) -> Self {
        self.skip_known_types = on;
        self
    }
}

/// The imports `skip.known.types` leaves out of the references: Google's
/// well-known types, which every reader has built in (protox here,
/// protobuf's runtime in Python). Python also leaves out `confluent/*` and
/// `google/type/*`, which its runtime builds in and this crate does not:
/// they are registered as references here, so that a ferrokafka reader
/// (which has no copy) reads what a ferrokafka writer writes; Python's
/// reader skips them and uses its own.
fn is_builtin(name: &str) -> bool {
    name.starts_with("google/protobuf/")
}

/// A file as Python registers it: base64 of its serialized descriptor,
/// without source positions (which protoc's generated code leaves out).
fn schema_text(file: &FileDescriptor) -> String {
    let mut proto = file.file_descriptor_proto().clone();
    proto.source_code_info = None;
    base64_encode(&proto.encode_to_vec())
}

/// Serializes Protobuf messages in Confluent's wire format (Python's
/// `ProtobufSerializer`). See the [module docs](self).
pub struct ProtobufSerializer {
    client: Arc<SchemaRegistryClient>,
    descriptor: MessageDescriptor,
    indexes: Vec<u8>,
    config: ProtobufSerializerConfig,
    /// The message's file as a registered schema, its imports registered
    /// as references (once, on first use).
    own: OnceLock<Arc<Parsed>>,
    /// Held while the first messages register `own`.
    registering: Mutex<()>,
    state: WriterState<Parsed>,
}

impl std::fmt::Debug for ProtobufSerializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtobufSerializer")
            .field("message", &self.descriptor.full_name())
            .field("config", &self.config)
            .finish()
    }
}

impl ProtobufSerializer {
    /// A serializer for messages of type `descriptor` (from a
    /// [`DescriptorPool`]: prost-build's file descriptor set, or
    /// [`parse_proto`]).
    ///
    /// Errors ([`SchemaRegistryError::Config`]): both `use_latest_version`
    /// and `auto_register_schemas` are set (as Python refuses).
    pub fn new(
        client: Arc<SchemaRegistryClient>,
        descriptor: MessageDescriptor,
        config: ProtobufSerializerConfig,
    ) -> Result<Self, SchemaRegistryError> {
        if config.use_latest_version && config.auto_register_schemas {
            return Err(SchemaRegistryError::Config(
                "cannot enable both use.latest.version and auto.register.schemas".into(),
            ));
        }
        let mut indexes = Vec::new();
        encode_indexes(&indexes_of(&descriptor), &mut indexes);
        Ok(ProtobufSerializer {
            client,
            descriptor,
            indexes,
            config,
            own: OnceLock::new(),
            registering: Mutex::new(()),
            state: WriterState::with_cache(ParsedCache::in_format(SERIALIZED)),
        })
    }

    /// The options.
    pub fn config(&self) -> &ProtobufSerializerConfig {
        &self.config
    }

    /// The message type this serializer writes.
    pub fn descriptor(&self) -> &MessageDescriptor {
        &self.descriptor
    }

    /// Serializes `message` (a [`DynamicMessage`] or a prost type that
    /// knows its descriptor): checks its type, finds the schema id
    /// (registering the file and its imports, looking them up, or taking
    /// the subject's latest or the configured id), and frames its
    /// encoding with the message indexes.
    pub fn serialize<M: ReflectMessage>(
        &self,
        message: &M,
        ctx: &SerializationContext<'_>,
    ) -> Result<Vec<u8>, SerdeError> {
        self.serialize_inner(message, ctx)
            .map_err(|k| SerdeError::new(FORMAT, true, ctx, k))
    }

    fn serialize_inner<M: ReflectMessage>(
        &self,
        message: &M,
        ctx: &SerializationContext<'_>,
    ) -> Result<Vec<u8>, SerdeErrorKind> {
        let descriptor = message.descriptor();
        // The same descriptor (one pool), or one of the same name and
        // definition from another pool; a message of the same name but
        // another definition would be written under a schema it does not
        // follow.
        if descriptor != self.descriptor
            && (descriptor.full_name() != self.descriptor.full_name()
                || descriptor.descriptor_proto() != self.descriptor.descriptor_proto())
        {
            return Err(SerdeErrorKind::Serialization(format!(
                "a message of type {} given to a serializer of {}{}",
                descriptor.full_name(),
                self.descriptor.full_name(),
                if descriptor.full_name() == self.descriptor.full_name() {
                    " (another definition of it)"
                } else {
                    ""
                }
            )));
        }
        let c = &self.config;
        let own = if c.use_schema_id.is_none() && !c.use_latest_version {
            Some(self.own()?)
        } else {
            None
        };
        let choice = c.writer_choice();
        let record_name = Some(self.descriptor.full_name());
        let (id, _) = self
            .state
            .writer(&self.client, &choice, own.as_ref(), record_name, ctx, parse)?;
        let mut out = frame(id, &self.indexes);
        message
            .encode(&mut out)
            .map_err(|e| SerdeErrorKind::Serialization(format!("cannot encode the message: {e}")))?;
        Ok(out)
    }

    /// The message's file as a schema with its references, registering
    /// (or looking up) its imports the first time.
    fn own(&self) -> Result<Arc<Parsed>, SerdeErrorKind> {
        // Built once: every later message reads it without a lock.
        if let Some(p) = self.own.get() {
            return Ok(Arc::clone(p));
        }
        // The first ones serialize their registration (it may fail and be
        // tried again by the next message, so not `get_or_init`).
        let _first = lock(&self.registering);
        if let Some(p) = self.own.get() {
            return Ok(Arc::clone(p));
        }
        let file = self.descriptor.parent_file();
        let references = self.references(&file, 0)?;
        let parsed = Arc::new(Parsed {
            schema: Schema::new(schema_text(&file), Schema::PROTOBUF).with_references(references),
            record_name: Some(self.descriptor.full_name().to_string()),
            file,
        });
        Ok(Arc::clone(self.own.get_or_init(|| parsed)))
    }

    /// Registers (or looks up) `file`'s imports, theirs first, as Python's
    /// `_resolve_dependencies` does: subject = the import's name.
    fn references(&self, file: &FileDescriptor, depth: usize) -> Result<Vec<SchemaReference>, SerdeErrorKind> {
        if depth > MAX_REFERENCE_DEPTH {
            return Err(SerdeErrorKind::Schema(format!(
                "imports nest deeper than {MAX_REFERENCE_DEPTH}"
            )));
        }
        let mut out = Vec::new();
        for dep in file.dependencies() {
            if self.config.skip_known_types && is_builtin(dep.name()) {
                continue;
            }
            let dep_refs = self.references(&dep, depth + 1)?;
            let subject = dep.name().to_string();
            let schema = Schema::new(schema_text(&dep), Schema::PROTOBUF).with_references(dep_refs);
            let normalize = self.config.normalize_schemas;
            if self.config.auto_register_schemas {
                self.client
                    .register_schema(&subject, &schema, normalize)
                    .map_err(SerdeErrorKind::Registry)?;
            }
            let found = self
                .client
                .lookup_schema(&subject, &schema, normalize, false)
                .map_err(SerdeErrorKind::Registry)?;
            let version = found
                .version
                .ok_or_else(|| SerdeErrorKind::Schema(format!("the registry gave no version for {subject}")))?;
            out.push(SchemaReference::new(dep.name(), subject, version));
        }
        Ok(out)
    }
}

/// A [`ProtobufDeserializer`]'s options.
#[non_exhaustive]
#[derive(Clone, Debug, Default)]
pub struct ProtobufDeserializerConfig {}

/// Deserializes Protobuf messages written in Confluent's wire format
/// (Python's `ProtobufDeserializer`). See the [module docs](self).
pub struct ProtobufDeserializer {
    client: Arc<SchemaRegistryClient>,
    config: ProtobufDeserializerConfig,
    parsed: ParsedCache<Parsed>,
}

impl std::fmt::Debug for ProtobufDeserializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtobufDeserializer")
            .field("config", &self.config)
            .finish()
    }
}

impl ProtobufDeserializer {
    /// A deserializer reading schemas through `client`.
    pub fn new(client: Arc<SchemaRegistryClient>, config: ProtobufDeserializerConfig) -> Self {
        ProtobufDeserializer {
            client,
            config,
            parsed: ParsedCache::in_format(SERIALIZED),
        }
    }

    /// The options.
    pub fn config(&self) -> &ProtobufDeserializerConfig {
        &self.config
    }

    fn error(&self, ctx: &SerializationContext<'_>, kind: SerdeErrorKind) -> SerdeError {
        SerdeError::new(FORMAT, false, ctx, kind)
    }

    /// Decodes `data` into the prost message type `M`, after the framing and
    /// the message indexes (no registry call: the type is the caller's).
    pub fn deserialize<M: prost::Message + Default>(
        &self,
        data: &[u8],
        ctx: &SerializationContext<'_>,
    ) -> Result<M, SerdeError> {
        let inner = || -> Result<M, SerdeErrorKind> {
            let (_, mut body) = unframe(data)?;
            decode_indexes(&mut body)?;
            M::decode(body).map_err(|e| {
                SerdeErrorKind::Deserialization(format!("the body is not a message of the type asked for: {e}"))
            })
        };
        inner().map_err(|k| self.error(ctx, k))
    }

    /// Decodes `data` into a [`DynamicMessage`] of the type its message
    /// indexes name in the writer's schema (fetched by the id in `data`,
    /// compiled once).
    pub fn deserialize_dynamic(
        &self,
        data: &[u8],
        ctx: &SerializationContext<'_>,
    ) -> Result<DynamicMessage, SerdeError> {
        let inner = || -> Result<DynamicMessage, SerdeErrorKind> {
            let (id, mut body) = unframe(data)?;
            let indexes = decode_indexes(&mut body)?;
            let writer = self.parsed.by_id(&self.client, id, parse)?;
            let descriptor = message_at(&writer.file, &indexes)?;
            // The name is read only for an error: no String per message.
            let named = descriptor.clone();
            unpanicking("decoder", || {
                DynamicMessage::decode(descriptor, body)
                    .map_err(|e| format!("the body is not a {} message: {e}", named.full_name()))
            })
            .map_err(SerdeErrorKind::Deserialization)
        };
        inner().map_err(|k| self.error(ctx, k))
    }
}

/// The mock registry's Protobuf compatibility check: `Ok` when a reader
/// with the `reader` schema can read what a writer with `writer` writes,
/// by Confluent's rules for Protobuf (its differences' names): the package
/// is the same (`PACKAGE_CHANGED`); every message the writer has, the reader
/// has at the same place (`MESSAGE_REMOVED`: the message indexes would
/// name another); each field number both have keeps its kind — scalars
/// change only within a wire-compatible group (`int32`, `uint32`, `int64`,
/// `uint64`, `bool`; `sint32`, `sint64`; `fixed32`, `sfixed32`; `fixed64`,
/// `sfixed64`; `string`, `bytes`), named types keep their name
/// (`FIELD_KIND_CHANGED`, `FIELD_SCALAR_KIND_CHANGED`,
/// `FIELD_NAMED_TYPE_CHANGED`), repeated stays repeated; proto2 `required`
/// fields are neither added nor removed (`REQUIRED_FIELD_ADDED`,
/// `REQUIRED_FIELD_REMOVED`); a field does not move into a oneof the writer
/// had (`FIELD_MOVED_TO_EXISTING_ONEOF`), nor several into a new one
/// (`MULTIPLE_FIELDS_MOVED_TO_ONEOF`), nor leave a oneof
/// (`ONEOF_FIELD_REMOVED`). Fields and messages may be added; fields
/// removed. Imports are not resolved (the check sees the two files alone).
pub(crate) fn compatibility_check(reader: &str, writer: &str) -> Result<(), String> {
    use prost_reflect::prost_types::{DescriptorProto, FileDescriptorProto};
    fn raw(text: &str) -> Option<FileDescriptorProto> {
        match SchemaText::read(text) {
            SchemaText::Descriptor(p) => Some(*p),
            SchemaText::Source(t) => protox::file::File::from_source("schema.proto", &t)
                .ok()
                .map(|f| f.file_descriptor_proto().clone()),
        }
    }
    // Schemas that do not parse are refused before the check.
    let (Some(r), Some(w)) = (raw(reader), raw(writer)) else {
        return Ok(());
    };
    let mut problems = Vec::new();
    if r.package != w.package {
        problems.push(format!("PACKAGE_CHANGED ({:?} to {:?})", w.package(), r.package()));
    }
    fn short(type_name: &str) -> &str {
        type_name.rsplit('.').next().unwrap_or(type_name)
    }
    fn group(t: i32) -> i32 {
        use prost_reflect::prost_types::field_descriptor_proto::Type;
        match Type::try_from(t) {
            Ok(Type::Int32 | Type::Uint32 | Type::Int64 | Type::Uint64 | Type::Bool) => 100,
            Ok(Type::Sint32 | Type::Sint64) => 101,
            Ok(Type::Fixed32 | Type::Sfixed32) => 102,
            Ok(Type::Fixed64 | Type::Sfixed64) => 103,
            Ok(Type::String | Type::Bytes) => 104,
            _ => t,
        }
    }
    fn messages(r: &[DescriptorProto], w: &[DescriptorProto], path: &str, problems: &mut Vec<String>) {
        use prost_reflect::prost_types::field_descriptor_proto::{Label, Type};
        for (i, wm) in w.iter().enumerate() {
            let at = format!("{path}{}", wm.name());
            let Some(rm) = r.get(i).filter(|rm| rm.name() == wm.name()) else {
                problems.push(format!("MESSAGE_REMOVED ({at}: not at index {i} of the reader's)"));
                continue;
            };
            let oneof_of = |m: &DescriptorProto, number: i32| {
                m.field
                    .iter()
                    .find(|f| f.number() == number)
                    .and_then(|f| f.oneof_index)
                    .filter(|_| !m.field.iter().any(|f| f.number() == number && f.proto3_optional()))
            };
            let mut moved_to_new: HashMap<i32, usize> = HashMap::new();
            for wf in &wm.field {
                let field = format!("{at}.{} ({})", wf.name(), wf.number());
                let Some(rf) = rm.field.iter().find(|f| f.number() == wf.number()) else {
                    if wf.label() == Label::Required {
                        problems.push(format!("REQUIRED_FIELD_REMOVED ({field})"));
                    }
                    if oneof_of(wm, wf.number()).is_some() {
                        problems.push(format!("ONEOF_FIELD_REMOVED ({field})"));
                    }
                    continue;
                };
                // A type a parsed (unresolved) file names has no kind yet.
                let named = |t: Option<i32>| {
                    t.is_none_or(|t| matches!(Type::try_from(t), Ok(Type::Message | Type::Enum | Type::Group)))
                };
                if named(wf.r#type) || named(rf.r#type) {
                    let both_known = wf.r#type.is_some() && rf.r#type.is_some();
                    if !(named(wf.r#type) && named(rf.r#type)) || (both_known && wf.r#type != rf.r#type) {
                        problems.push(format!("FIELD_KIND_CHANGED ({field})"));
                    } else if short(wf.type_name()) != short(rf.type_name()) {
                        problems.push(format!(
                            "FIELD_NAMED_TYPE_CHANGED ({field}: {} to {})",
                            wf.type_name(),
                            rf.type_name()
                        ));
                    }
                } else if group(wf.r#type.unwrap_or(0)) != group(rf.r#type.unwrap_or(0)) {
                    problems.push(format!("FIELD_SCALAR_KIND_CHANGED ({field})"));
                }
                if (wf.label() == Label::Repeated) != (rf.label() == Label::Repeated) {
                    problems.push(format!("FIELD_KIND_CHANGED ({field}: repeated or not)"));
                }
                if wf.label() != Label::Required && rf.label() == Label::Required {
                    problems.push(format!("REQUIRED_FIELD_ADDED ({field})"));
                }
                match (oneof_of(wm, wf.number()), oneof_of(rm, rf.number())) {
                    (None, Some(ro)) => {
                        let existed = rm
                            .oneof_decl
                            .get(ro as usize)
                            .is_some_and(|d| wm.oneof_decl.iter().any(|o| o.name() == d.name()));
                        if existed {
                            problems.push(format!("FIELD_MOVED_TO_EXISTING_ONEOF ({field})"));
                        } else {
                            *moved_to_new.entry(ro).or_default() += 1;
                        }
                    }
                    (Some(_), None) => problems.push(format!("ONEOF_FIELD_REMOVED ({field})")),
                    _ => {}
                }
            }
            for rf in &rm.field {
                if rf.label() == Label::Required && !wm.field.iter().any(|f| f.number() == rf.number()) {
                    problems.push(format!("REQUIRED_FIELD_ADDED ({at}.{})", rf.name()));
                }
            }
            if moved_to_new.values().any(|&n| n > 1) {
                problems.push(format!("MULTIPLE_FIELDS_MOVED_TO_ONEOF ({at})"));
            }
            messages(&rm.nested_type, &wm.nested_type, &format!("{at}."), problems);
        }
    }
    messages(&r.message_type, &w.message_type, "", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_round_trip_in_confluents_encoding() {
        for indexes in [vec![0], vec![1], vec![0, 0], vec![3, 1, 4], vec![0, 200, 70_000]] {
            let mut out = Vec::new();
            encode_indexes(&indexes, &mut out);
            if indexes == [0] {
                assert_eq!(out, [0]);
            }
            let mut rest = out.as_slice();
            assert_eq!(decode_indexes(&mut rest).unwrap(), indexes);
            assert!(rest.is_empty());
        }
        // Python's bytes: [1] is count 1 (zigzag 2), index 1 (zigzag 2).
        let mut out = Vec::new();
        encode_indexes(&[1], &mut out);
        assert_eq!(out, [2, 2]);
        for bad in [&[0x81u8][..], &[2], &[1], &[0xff; 11], &[0xfe, 0xff, 0xff, 0xff, 0x0f]] {
            let mut rest = bad;
            assert!(decode_indexes(&mut rest).is_err(), "{bad:?}");
        }
    }
}
