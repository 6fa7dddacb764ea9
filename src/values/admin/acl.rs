//! ACLs: [`AclBinding`], [`AclBindingFilter`] and their enums.

use super::resource::{ResourcePatternType, ResourceType};
use std::fmt;

c_enum! {
    /// An operation an ACL allows or denies: the Python client's
    /// `AclOperation`. Also used for "authorized operations" in
    /// descriptions.
    ///
    /// Corresponds to `rd_kafka_AclOperation_t`.
    #[doc(alias = "rd_kafka_AclOperation_t")]
    AclOperation {
        /// Unknown (0).
        UNKNOWN = 0,
        /// Any operation, in filters (1).
        ANY = 1,
        /// All operations (2).
        ALL = 2,
        /// READ (3).
        READ = 3,
        /// WRITE (4).
        WRITE = 4,
        /// CREATE (5).
        CREATE = 5,
        /// DELETE (6).
        DELETE = 6,
        /// ALTER (7).
        ALTER = 7,
        /// DESCRIBE (8).
        DESCRIBE = 8,
        /// CLUSTER_ACTION (9).
        CLUSTER_ACTION = 9,
        /// DESCRIBE_CONFIGS (10).
        DESCRIBE_CONFIGS = 10,
        /// ALTER_CONFIGS (11).
        ALTER_CONFIGS = 11,
        /// IDEMPOTENT_WRITE (12).
        IDEMPOTENT_WRITE = 12,
    }
}

c_enum! {
    /// Whether an ACL allows or denies: the Python client's
    /// `AclPermissionType`.
    ///
    /// Corresponds to `rd_kafka_AclPermissionType_t`.
    #[doc(alias = "rd_kafka_AclPermissionType_t")]
    AclPermissionType {
        /// Unknown (0).
        UNKNOWN = 0,
        /// Any permission type, in filters (1).
        ANY = 1,
        /// Deny (2).
        DENY = 2,
        /// Allow (3).
        ALLOW = 3,
    }
}

/// An access control entry bound to a resource: the Python client's
/// `AclBinding`.
///
/// Corresponds to `rd_kafka_AclBinding_t`.
///
/// ```
/// use ferrokafka::admin::{AclBinding, AclOperation, AclPermissionType, ResourcePatternType, ResourceType};
/// let acl = AclBinding::new(
///     ResourceType::TOPIC, "orders", ResourcePatternType::LITERAL,
///     "User:alice", "*", AclOperation::READ, AclPermissionType::ALLOW,
/// );
/// assert_eq!(acl.principal, "User:alice");
/// ```
#[doc(alias = "rd_kafka_AclBinding_t")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct AclBinding {
    /// The resource type.
    pub restype: ResourceType,
    /// The resource name.
    pub name: String,
    /// How [`name`](Self::name) matches resources.
    pub resource_pattern_type: ResourcePatternType,
    /// The principal, e.g. `"User:alice"`.
    pub principal: String,
    /// The host, or `"*"` for any.
    pub host: String,
    /// The operation.
    pub operation: AclOperation,
    /// Allow or deny.
    pub permission_type: AclPermissionType,
}

impl AclBinding {
    /// An ACL binding.
    ///
    /// Corresponds to `rd_kafka_AclBinding_new` (which validates it when
    /// the request is made).
    #[doc(alias = "rd_kafka_AclBinding_new")]
    pub fn new(
        restype: ResourceType,
        name: impl Into<String>,
        resource_pattern_type: ResourcePatternType,
        principal: impl Into<String>,
        host: impl Into<String>,
        operation: AclOperation,
        permission_type: AclPermissionType,
    ) -> Self {
        AclBinding {
            restype,
            name: name.into(),
            resource_pattern_type,
            principal: principal.into(),
            host: host.into(),
            operation,
            permission_type,
        }
    }
}

impl fmt::Display for AclBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} ({}) on {} {:?} ({})",
            self.permission_type,
            self.principal,
            self.operation,
            self.host,
            self.restype,
            self.name,
            self.resource_pattern_type
        )
    }
}

/// A pattern matching ACL bindings, for `describe_acls` and `delete_acls`:
/// the Python client's `AclBindingFilter`. `None` and the `ANY` values match
/// anything.
///
/// Corresponds to `rd_kafka_AclBindingFilter_t`.
///
/// ```
/// use ferrokafka::admin::AclBindingFilter;
/// let everything = AclBindingFilter::any();
/// assert!(everything.name.is_none());
/// ```
#[doc(alias = "rd_kafka_AclBindingFilter_t")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct AclBindingFilter {
    /// The resource type ([`ResourceType::ANY`] for any).
    pub restype: ResourceType,
    /// The resource name (`None` for any).
    pub name: Option<String>,
    /// The pattern type ([`ResourcePatternType::ANY`] or `MATCH` to widen).
    pub resource_pattern_type: ResourcePatternType,
    /// The principal (`None` for any).
    pub principal: Option<String>,
    /// The host (`None` for any).
    pub host: Option<String>,
    /// The operation ([`AclOperation::ANY`] for any).
    pub operation: AclOperation,
    /// The permission type ([`AclPermissionType::ANY`] for any).
    pub permission_type: AclPermissionType,
}

impl AclBindingFilter {
    /// A filter.
    ///
    /// Corresponds to `rd_kafka_AclBindingFilter_new` (which validates it
    /// when the request is made).
    #[doc(alias = "rd_kafka_AclBindingFilter_new")]
    pub fn new(
        restype: ResourceType,
        name: Option<&str>,
        resource_pattern_type: ResourcePatternType,
        principal: Option<&str>,
        host: Option<&str>,
        operation: AclOperation,
        permission_type: AclPermissionType,
    ) -> Self {
        AclBindingFilter {
            restype,
            name: name.map(str::to_string),
            resource_pattern_type,
            principal: principal.map(str::to_string),
            host: host.map(str::to_string),
            operation,
            permission_type,
        }
    }

    /// A filter that matches every binding.
    pub fn any() -> Self {
        AclBindingFilter::new(
            ResourceType::ANY,
            None,
            ResourcePatternType::ANY,
            None,
            None,
            AclOperation::ANY,
            AclPermissionType::ANY,
        )
    }
}

impl From<&AclBinding> for AclBindingFilter {
    /// The filter that matches exactly this binding.
    fn from(b: &AclBinding) -> Self {
        AclBindingFilter {
            restype: b.restype,
            name: Some(b.name.clone()),
            resource_pattern_type: b.resource_pattern_type,
            principal: Some(b.principal.clone()),
            host: Some(b.host.clone()),
            operation: b.operation,
            permission_type: b.permission_type,
        }
    }
}
