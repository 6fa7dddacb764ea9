//! The admin API's requests and results as plain data (re-exported from
//! `ferrokafka::admin`): what native/admin.rs builds C requests from and
//! decodes C results into.

/// Declares an integer newtype for a C enum, with named constants: a value
/// the C library (or a newer broker) sends that is not named here is still
/// a valid value, never undefined behaviour.
macro_rules! c_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i32);

        impl $name {
            $( $(#[$vmeta])* pub const $variant: $name = $name($value); )*

            /// Every value named here, in numeric order.
            pub fn known_values() -> &'static [$name] {
                &[$($name($value)),*]
            }

            /// The value's name, e.g. `"TOPIC"`; `"UNKNOWN"` for a value not
            /// named here.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($value => stringify!($variant),)*
                    _ => "UNKNOWN",
                }
            }

            /// The integer value.
            pub fn code(self) -> i32 {
                self.0
            }

            /// True when the value is named here.
            #[allow(clippy::manual_range_patterns)]
            pub fn is_known(self) -> bool {
                matches!(self.0, $($value)|*)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                if self.is_known() {
                    f.write_str(self.name())
                } else {
                    write!(f, "{}({})", stringify!($name), self.0)
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self, f)
            }
        }

        impl From<i32> for $name {
            fn from(v: i32) -> Self {
                $name(v)
            }
        }
    };
}

mod acl;
mod group;
mod resource;
mod scram;
mod topic;

pub use acl::{AclBinding, AclBindingFilter, AclOperation, AclPermissionType};
pub use group::{
    ConsumerGroupDescription, ConsumerGroupListing, ConsumerGroupState, ConsumerGroupTopicPartitions,
    ConsumerGroupType, ListConsumerGroupsResult, MemberDescription,
};
pub use resource::{
    AlterConfigOp, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, ResourcePatternType, ResourceType,
};
pub use scram::{ScramCredentialInfo, ScramMechanism, UserScramCredentialsDescription};
pub use topic::{
    DeletedRecords, DescribeClusterResult, ElectionType, IsolationLevel, ListOffsetsResultInfo, NewPartitions,
    NewTopic, Node, OffsetSpec, TopicDescription, TopicPartitionInfo, Uuid,
};
