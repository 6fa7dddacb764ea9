//! Resources and their configuration: [`ConfigResource`], [`ConfigEntry`],
//! [`AlterConfigOp`] and the enums they use.

use std::collections::BTreeMap;
use std::fmt;

c_enum! {
    /// The type of a resource (configs, ACLs): the Python client's
    /// `ResourceType`.
    ///
    /// An integer newtype, so a value this librdkafka does not name is still
    /// a valid value (see [`is_known`](Self::is_known)).
    ///
    /// Corresponds to `rd_kafka_ResourceType_t`.
    ///
    /// ```
    /// use ferrokafka::admin::ResourceType;
    /// assert_eq!(ResourceType::TOPIC.name(), "TOPIC");
    /// assert_eq!(format!("{:?}", ResourceType(42)), "ResourceType(42)");
    /// ```
    #[doc(alias = "rd_kafka_ResourceType_t")]
    ResourceType {
        /// Unknown (0).
        UNKNOWN = 0,
        /// Any resource, in ACL filters (1).
        ANY = 1,
        /// A topic (2).
        TOPIC = 2,
        /// A consumer group (3).
        GROUP = 3,
        /// A broker (configs) or the cluster (ACLs) (4).
        BROKER = 4,
        /// A transactional id (5).
        TRANSACTIONAL_ID = 5,
    }
}

c_enum! {
    /// How an ACL's resource name matches: the Python client's
    /// `ResourcePatternType`.
    ///
    /// Corresponds to `rd_kafka_ResourcePatternType_t`.
    #[doc(alias = "rd_kafka_ResourcePatternType_t")]
    ResourcePatternType {
        /// Unknown (0).
        UNKNOWN = 0,
        /// Any pattern type, in filters (1).
        ANY = 1,
        /// Match: in filters, whatever would apply to the named resource (2).
        MATCH = 2,
        /// The name is the exact resource name (3).
        LITERAL = 3,
        /// The name is a prefix of resource names (4).
        PREFIXED = 4,
    }
}

c_enum! {
    /// Where a configuration value comes from: the Python client's
    /// `ConfigSource`.
    ///
    /// Corresponds to `rd_kafka_ConfigSource_t`. Values 6 and 7 are Kafka
    /// protocol values that librdkafka 2.12.1 passes through without naming.
    #[doc(alias = "rd_kafka_ConfigSource_t")]
    ConfigSource {
        /// The source is unknown, e.g. for a broker that does not report it.
        UNKNOWN_CONFIG = 0,
        /// A dynamic topic configuration.
        DYNAMIC_TOPIC_CONFIG = 1,
        /// A dynamic configuration of this broker.
        DYNAMIC_BROKER_CONFIG = 2,
        /// A dynamic default configuration for all brokers.
        DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
        /// The broker's static configuration (`server.properties`).
        STATIC_BROKER_CONFIG = 4,
        /// The built-in default.
        DEFAULT_CONFIG = 5,
        /// A dynamic broker logger configuration (Kafka protocol value 6).
        DYNAMIC_BROKER_LOGGER_CONFIG = 6,
        /// A client metrics configuration (Kafka protocol value 7).
        DYNAMIC_CLIENT_METRICS_CONFIG = 7,
        /// A group configuration (8).
        GROUP_CONFIG = 8,
    }
}

c_enum! {
    /// What an incremental config change does: the Python client's
    /// `AlterConfigOpType`.
    ///
    /// Corresponds to `rd_kafka_AlterConfigOpType_t`.
    #[doc(alias = "rd_kafka_AlterConfigOpType_t")]
    AlterConfigOpType {
        /// Sets the value (0).
        SET = 0,
        /// Reverts the property to its default (no value) (1).
        DELETE = 1,
        /// Appends the value to a list property (2).
        APPEND = 2,
        /// Removes the value from a list property (3).
        SUBTRACT = 3,
    }
}

/// One incremental change to a configuration property, for
/// [`AdminClient::incremental_alter_configs`](crate::AdminClient::incremental_alter_configs).
///
/// The Python client expresses this as `ConfigEntry(name, value,
/// incremental_operation=…)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AlterConfigOp {
    /// The property name, e.g. `"retention.ms"`.
    pub name: String,
    /// What to do.
    pub op: AlterConfigOpType,
    /// The value (`None` for [`AlterConfigOpType::DELETE`]).
    pub value: Option<String>,
}

impl AlterConfigOp {
    /// Any operation, with or without a value (`DELETE` takes none; the
    /// others need one, which the admin call checks).
    ///
    /// ```
    /// use ferrokafka::admin::{AlterConfigOp, AlterConfigOpType};
    /// let op = AlterConfigOp::new("cleanup.policy", AlterConfigOpType::APPEND, Some("compact"));
    /// assert_eq!(op, AlterConfigOp::append("cleanup.policy", "compact"));
    /// ```
    pub fn new(name: impl Into<String>, op: AlterConfigOpType, value: Option<impl Into<String>>) -> Self {
        AlterConfigOp {
            name: name.into(),
            op,
            value: value.map(Into::into),
        }
    }

    /// Sets `name` to `value`.
    pub fn set(name: impl Into<String>, value: impl Into<String>) -> Self {
        AlterConfigOp {
            name: name.into(),
            op: AlterConfigOpType::SET,
            value: Some(value.into()),
        }
    }

    /// Reverts `name` to its default.
    pub fn delete(name: impl Into<String>) -> Self {
        AlterConfigOp {
            name: name.into(),
            op: AlterConfigOpType::DELETE,
            value: None,
        }
    }

    /// Appends `value` to the list property `name`.
    pub fn append(name: impl Into<String>, value: impl Into<String>) -> Self {
        AlterConfigOp {
            name: name.into(),
            op: AlterConfigOpType::APPEND,
            value: Some(value.into()),
        }
    }

    /// Removes `value` from the list property `name`.
    pub fn subtract(name: impl Into<String>, value: impl Into<String>) -> Self {
        AlterConfigOp {
            name: name.into(),
            op: AlterConfigOpType::SUBTRACT,
            value: Some(value.into()),
        }
    }
}

/// A resource whose configuration is described or altered: the Python
/// client's `ConfigResource`.
///
/// For [`describe_configs`](crate::AdminClient::describe_configs) only the
/// type and name matter; [`alter_configs`](crate::AdminClient::alter_configs)
/// uses [`set_config`](Self::set_config) (the whole new configuration) and
/// [`incremental_alter_configs`](crate::AdminClient::incremental_alter_configs)
/// uses [`incremental_configs`](Self::incremental_configs).
///
/// Corresponds to `rd_kafka_ConfigResource_t`.
///
/// ```
/// use ferrokafka::admin::{AlterConfigOp, ConfigResource, ResourceType};
/// let r = ConfigResource::topic("orders").incremental(AlterConfigOp::set("retention.ms", "86400000"));
/// assert_eq!(r.restype, ResourceType::TOPIC);
/// assert_eq!(r.to_string(), "TOPIC orders");
/// let b = ConfigResource::broker(1);
/// assert_eq!(b.name, "1");
/// ```
#[doc(alias = "rd_kafka_ConfigResource_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigResource {
    /// The resource type: [`ResourceType::TOPIC`], [`ResourceType::BROKER`]
    /// or [`ResourceType::GROUP`].
    pub restype: ResourceType,
    /// The resource name (a broker's is its id, e.g. `"1"`).
    pub name: String,
    /// For `alter_configs`: every property to set (the others revert to
    /// their defaults — the legacy API replaces the whole configuration).
    pub set_config: BTreeMap<String, String>,
    /// For `incremental_alter_configs`: the changes, applied in order.
    pub incremental_configs: Vec<AlterConfigOp>,
}

impl ConfigResource {
    /// A resource of any type.
    pub fn new(restype: ResourceType, name: impl Into<String>) -> Self {
        ConfigResource {
            restype,
            name: name.into(),
            set_config: BTreeMap::new(),
            incremental_configs: Vec::new(),
        }
    }

    /// A topic.
    pub fn topic(name: impl Into<String>) -> Self {
        ConfigResource::new(ResourceType::TOPIC, name)
    }

    /// A broker, by id.
    pub fn broker(id: i32) -> Self {
        ConfigResource::new(ResourceType::BROKER, id.to_string())
    }

    /// A consumer group.
    pub fn group(name: impl Into<String>) -> Self {
        ConfigResource::new(ResourceType::GROUP, name)
    }

    /// Adds a property for `alter_configs`.
    ///
    /// Corresponds to `rd_kafka_ConfigResource_set_config`.
    #[doc(alias = "rd_kafka_ConfigResource_set_config")]
    pub fn with_config(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_config.insert(name.into(), value.into());
        self
    }

    /// Adds a change for `incremental_alter_configs`.
    ///
    /// Corresponds to `rd_kafka_ConfigResource_add_incremental_config`.
    #[doc(alias = "rd_kafka_ConfigResource_add_incremental_config")]
    pub fn incremental(mut self, op: AlterConfigOp) -> Self {
        self.incremental_configs.push(op);
        self
    }
}

impl fmt::Display for ConfigResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.restype, self.name)
    }
}

/// A configuration property as a broker describes it: the Python client's
/// `ConfigEntry`.
///
/// Corresponds to `rd_kafka_ConfigEntry_t`.
#[doc(alias = "rd_kafka_ConfigEntry_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigEntry {
    /// The property name.
    pub name: String,
    /// The value; `None` when unset or sensitive.
    pub value: Option<String>,
    /// Where the value comes from.
    pub source: ConfigSource,
    /// The property cannot be altered.
    pub is_read_only: bool,
    /// The value is the default.
    pub is_default: bool,
    /// The value is sensitive (the broker does not return it).
    pub is_sensitive: bool,
    /// This entry is a synonym of another.
    pub is_synonym: bool,
    /// The values that would apply in order of precedence, when the broker
    /// reports them.
    pub synonyms: Vec<ConfigEntry>,
}
