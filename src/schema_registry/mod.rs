//! A Confluent Schema Registry client and an embedded registry for tests
//! (the `schema-registry` feature).
//!
//! - [`SchemaRegistryClient`]: the registry's REST API, blocking, as the
//!   Python client's `SchemaRegistryClient` (configured by the same keys,
//!   failover across URLs, retries with backoff, bounded caches, basic and
//!   bearer authentication, TLS through the OpenSSL librdkafka links).
//! - [`MockSchemaRegistry`]: an HTTP server on loopback, started in the
//!   process, speaking the part of the REST API the client (ours and
//!   Python's) uses, so that tests need no Java and no network.
//!
//! - The serializers, one module per format, behind their own features:
//!   `avro` (the `avro` feature), `json` (the `json-schema` feature) and
//!   `protobuf` (the `protobuf` feature).
//!   What they share is here:
//!   [`SerializationContext`], [`MessageField`], [`SubjectNameStrategy`]
//!   and the typed [`SerdeError`].
//! - Typed clients: [`SerializingProducer`] and [`DeserializingConsumer`]
//!   over the [`Serializer`] and [`Deserializer`] traits (which the Avro
//!   and JSON Schema serializers implement for serde types, the Protobuf
//!   ones for prost messages), and Python's plain
//!   serializers for strings, 32-bit integers and doubles.
//!
//! Method names are the Python client's, except that getters are nouns
//! (this crate's rule): Python's `get_schema` is
//! [`schema`](SchemaRegistryClient::schema), `get_subjects` is
//! [`subjects`](SchemaRegistryClient::subjects), and so on; each carries the
//! Python name as a doc alias.
//!
//! ```
//! use ferrokafka::schema_registry::{MockSchemaRegistry, Schema, SchemaRegistryClient};
//!
//! let registry = MockSchemaRegistry::new()?;
//! let client = SchemaRegistryClient::new(&ferrokafka::config! { "url" => registry.url() })?;
//! let schema = Schema::new(r#"{"type": "record", "name": "User", "fields": [{"name": "name", "type": "string"}]}"#, "AVRO");
//! let id = client.register_schema("users-value", &schema, false)?;
//! assert_eq!(client.schema(id, None, None)?.schema_str, schema.schema_str);
//! assert_eq!(client.latest_version("users-value")?.version, Some(1));
//! # Ok::<(), ferrokafka::schema_registry::SchemaRegistryError>(())
//! ```

#[cfg(feature = "avro")]
pub mod avro;
#[cfg(feature = "avro")]
mod avro_guard;
mod cache;
mod client;
mod codec;
mod error;
#[cfg(feature = "json-schema")]
pub mod json;
#[cfg(feature = "json-schema")]
mod json_compat;
mod mock;
#[cfg(feature = "protobuf")]
pub mod protobuf;
mod rest;
mod serde;
mod typed;

pub use client::SchemaRegistryClient;
pub use error::SchemaRegistryError;
pub use mock::{MockSchemaRegistry, RegistryRequest};
pub use serde::{MessageField, SerdeError, SerdeErrorKind, SerializationContext, SubjectNameFn, SubjectNameStrategy};
pub use typed::{
    ConsumeError, Deserializer, DeserializingConsumer, DoubleDeserializer, DoubleSerializer, IntegerDeserializer,
    IntegerSerializer, Serializer, SerializingProduceError, SerializingProducer, StringDeserializer, StringSerializer,
    TypedMessage,
};

use std::borrow::Cow;
use std::fmt;

/// A reference from one schema to another registered one: an Avro named
/// type, a JSON Schema `$ref` or a Protobuf `import` `name`, resolved to
/// `subject` at `version`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaReference {
    /// The name the referring schema uses (the Avro full name, the
    /// `$ref` URL, the `.proto` import path).
    pub name: String,
    /// The subject the referenced schema is registered under.
    pub subject: String,
    /// Its version under that subject.
    pub version: i32,
}

impl SchemaReference {
    /// A reference to `subject`'s `version`, known as `name`.
    pub fn new(name: impl Into<String>, subject: impl Into<String>, version: i32) -> Self {
        SchemaReference {
            name: name.into(),
            subject: subject.into(),
            version,
        }
    }
}

/// A schema, registered or not: its text, its type and its references
/// (Python's `Schema`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Schema {
    /// The schema's text (Avro JSON, a JSON Schema, a `.proto` file).
    pub schema_str: String,
    /// `"AVRO"` (the registry's default), `"JSON"` or `"PROTOBUF"`.
    pub schema_type: String,
    /// The schemas this one refers to.
    pub references: Vec<SchemaReference>,
}

impl Schema {
    /// The schema `schema_str` of type `schema_type` (`"AVRO"`, `"JSON"`,
    /// `"PROTOBUF"`; an empty type means `"AVRO"`), with no references.
    pub fn new(schema_str: impl Into<String>, schema_type: impl Into<String>) -> Self {
        let mut schema_type = schema_type.into();
        if schema_type.is_empty() {
            schema_type = Schema::AVRO.to_string();
        }
        Schema {
            schema_str: schema_str.into(),
            schema_type,
            references: Vec::new(),
        }
    }

    /// The same schema with these references.
    pub fn with_references(mut self, references: Vec<SchemaReference>) -> Self {
        self.references = references;
        self
    }

    /// The Avro schema type, the registry's default.
    pub const AVRO: &'static str = "AVRO";
    /// The JSON Schema schema type.
    pub const JSON: &'static str = "JSON";
    /// The Protobuf schema type.
    pub const PROTOBUF: &'static str = "PROTOBUF";
}

/// A schema as registered under a subject: its id, the subject and
/// version, and the schema (Python's `RegisteredSchema`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegisteredSchema {
    /// The schema's id, global to the registry: the same schema under
    /// two subjects has one id.
    pub schema_id: i32,
    /// The subject (absent when the registry did not say, as in some
    /// registration responses).
    pub subject: Option<String>,
    /// The version under the subject (absent when the registry did not
    /// say).
    pub version: Option<i32>,
    /// The schema.
    pub schema: Schema,
}

/// A `(subject, version)` pair a schema id is registered under (Python's
/// `SchemaVersion`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The version under it.
    pub version: i32,
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, [$($(#[$vmeta:meta])* $konst:ident),* $(,)?]) => {
        $(#[$meta])*
        ///
        /// A string newtype rather than a Rust enum (like the crate's C
        /// enums): a value a newer registry returns is still a value.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Cow<'static, str>);

        impl $name {
            $(
                $(#[$vmeta])*
                pub const $konst: $name = $name(Cow::Borrowed(stringify!($konst)));
            )*

            #[doc = concat!("The ", $what, " by name, in any case (`\"backward\"` is `BACKWARD`).")]
            pub fn new(name: &str) -> Self {
                let upper = name.trim().to_ascii_uppercase();
                for known in [$($name::$konst),*] {
                    if known.0 == upper.as_str() {
                        return known;
                    }
                }
                $name(Cow::Owned(upper))
            }

            #[doc = concat!("Every ", $what, " the registry defines.")]
            pub fn all() -> &'static [$name] {
                &[$($name::$konst),*]
            }

            #[doc = concat!("Whether this is one of the ", $what, "s the registry defines.")]
            pub fn is_known(&self) -> bool {
                Self::all().contains(self)
            }

            /// The name, as the registry spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(name: &str) -> Self {
                $name::new(name)
            }
        }
    };
}

string_enum!(
    /// A subject's (or the registry's) compatibility level: which earlier
    /// versions a new schema must be compatible with, and how.
    CompatibilityLevel,
    "compatibility level",
    [
        /// New schemas can read data written with the latest one (the default).
        BACKWARD,
        /// New schemas can read data written with every earlier one.
        BACKWARD_TRANSITIVE,
        /// The latest schema can read data written with new ones.
        FORWARD,
        /// Every earlier schema can read data written with new ones.
        FORWARD_TRANSITIVE,
        /// Backward and forward, with the latest schema.
        FULL,
        /// Backward and forward, with every earlier schema.
        FULL_TRANSITIVE,
        /// No check.
        NONE,
    ]
);

string_enum!(
    /// The registry's (or a subject's) mode.
    Mode,
    "mode",
    [
        /// Schemas can be registered and read (the default).
        READWRITE,
        /// Schemas can be read only.
        READONLY,
        /// Read-only, also for the registry's own operations.
        READONLY_OVERRIDE,
        /// Schemas can be imported with given ids and versions.
        IMPORT,
    ]
);

/// The registry's (or a subject's) configuration (Python's
/// `ServerConfig`): the parts this crate reads and writes.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerConfig {
    /// The compatibility level.
    pub compatibility_level: Option<CompatibilityLevel>,
    /// Whether schemas are normalized before they are registered or looked up.
    pub normalize: Option<bool>,
    /// Only schemas whose metadata have the same value for this property
    /// are checked against each other.
    pub compatibility_group: Option<String>,
}

impl ServerConfig {
    /// A configuration that sets the compatibility level only.
    pub fn with_compatibility(level: CompatibilityLevel) -> Self {
        ServerConfig {
            compatibility_level: Some(level),
            ..ServerConfig::default()
        }
    }
}
