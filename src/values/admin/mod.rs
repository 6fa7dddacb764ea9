//! The admin API's requests and results as plain data (re-exported from
//! `ferrokafka::admin`): what native/admin.rs builds C requests from and
//! decodes C results into.

mod acl;
mod group;
mod resource;
mod results;
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
pub use results::ItemResults;
pub use scram::{ScramCredentialInfo, ScramMechanism, UserScramCredentialsDescription};
pub use topic::{
    DeletedRecords, DescribeClusterResult, ElectionType, IsolationLevel, ListOffsetsResultInfo, NewPartitions,
    NewTopic, Node, OffsetSpec, TopicDescription, TopicPartitionInfo, Uuid,
};
