//! Consumer groups: listings, descriptions, members and group offsets.

use super::acl::AclOperation;
use super::topic::Node;
use crate::error::KafkaError;
use crate::TopicPartition;
use std::fmt;

c_enum! {
    /// A consumer group's state: the Python client's `ConsumerGroupState`.
    ///
    /// Corresponds to `rd_kafka_consumer_group_state_t`.
    #[doc(alias = "rd_kafka_consumer_group_state_t")]
    ConsumerGroupState {
        /// Unknown (0).
        UNKNOWN = 0,
        /// Preparing a rebalance (1).
        PREPARING_REBALANCE = 1,
        /// Completing a rebalance (2).
        COMPLETING_REBALANCE = 2,
        /// Stable (3).
        STABLE = 3,
        /// Dead: no members and no metadata (4).
        DEAD = 4,
        /// Empty: no members (5).
        EMPTY = 5,
    }
}

c_enum! {
    /// A consumer group's protocol type: the Python client's
    /// `ConsumerGroupType`.
    ///
    /// Corresponds to `rd_kafka_consumer_group_type_t`.
    #[doc(alias = "rd_kafka_consumer_group_type_t")]
    ConsumerGroupType {
        /// Unknown (0).
        UNKNOWN = 0,
        /// The KIP-848 consumer protocol (1).
        CONSUMER = 1,
        /// The classic protocol (2).
        CLASSIC = 2,
    }
}

/// A group as `list_consumer_groups` reports it: the Python client's
/// `ConsumerGroupListing`.
///
/// Corresponds to `rd_kafka_ConsumerGroupListing_t`.
#[doc(alias = "rd_kafka_ConsumerGroupListing_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerGroupListing {
    /// The group id.
    pub group_id: String,
    /// A group that only commits offsets (no members, no protocol).
    pub is_simple_consumer_group: bool,
    /// The state.
    pub state: ConsumerGroupState,
    /// The protocol type.
    pub group_type: ConsumerGroupType,
}

/// The answer to `list_consumer_groups`: the Python client's
/// `ListConsumerGroupsResult`. Brokers that could not answer are reported in
/// `errors`; the groups the others know are in `valid`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ListConsumerGroupsResult {
    /// The groups.
    pub valid: Vec<ConsumerGroupListing>,
    /// Errors from brokers that could not list their groups.
    pub errors: Vec<KafkaError>,
}

/// A group member as `describe_consumer_groups` reports it: the Python
/// client's `MemberDescription`.
///
/// Corresponds to `rd_kafka_MemberDescription_t`.
#[doc(alias = "rd_kafka_MemberDescription_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberDescription {
    /// The member (consumer) id.
    pub member_id: String,
    /// The member's `client.id`.
    pub client_id: String,
    /// The member's host.
    pub host: String,
    /// The partitions assigned to the member.
    pub assignment: Vec<TopicPartition>,
    /// The static member id (`group.instance.id`), if any.
    pub group_instance_id: Option<String>,
    /// The target assignment (KIP-848 groups only).
    pub target_assignment: Option<Vec<TopicPartition>>,
}

/// A group as `describe_consumer_groups` reports it: the Python client's
/// `ConsumerGroupDescription`.
///
/// Corresponds to `rd_kafka_ConsumerGroupDescription_t`.
#[doc(alias = "rd_kafka_ConsumerGroupDescription_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerGroupDescription {
    /// The group id.
    pub group_id: String,
    /// A group that only commits offsets.
    pub is_simple_consumer_group: bool,
    /// The members.
    pub members: Vec<MemberDescription>,
    /// The partition assignor, e.g. `"range"`.
    pub partition_assignor: String,
    /// The state.
    pub state: ConsumerGroupState,
    /// The protocol type.
    pub group_type: ConsumerGroupType,
    /// The group coordinator, when known.
    pub coordinator: Option<Node>,
    /// What this client may do with the group, when requested.
    pub authorized_operations: Option<Vec<AclOperation>>,
}

/// A group and some of its partitions: the input and output of the group
/// offset operations (the Python client's `ConsumerGroupTopicPartitions`).
///
/// ```
/// use ferrokafka::admin::ConsumerGroupTopicPartitions;
/// use ferrokafka::TopicPartition;
/// let all = ConsumerGroupTopicPartitions::new("billing");
/// assert!(all.topic_partitions.is_none());
/// let some = ConsumerGroupTopicPartitions::with_partitions("billing", vec![TopicPartition::new("orders", 0)]);
/// assert_eq!(some.topic_partitions.unwrap().len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerGroupTopicPartitions {
    /// The group id.
    pub group_id: String,
    /// The partitions (`None`: all of the group's partitions, where allowed).
    pub topic_partitions: Option<Vec<TopicPartition>>,
}

impl ConsumerGroupTopicPartitions {
    /// A group with no partitions named (all of them, for listing).
    pub fn new(group_id: impl Into<String>) -> Self {
        ConsumerGroupTopicPartitions {
            group_id: group_id.into(),
            topic_partitions: None,
        }
    }

    /// A group and some partitions.
    pub fn with_partitions(group_id: impl Into<String>, partitions: Vec<TopicPartition>) -> Self {
        ConsumerGroupTopicPartitions {
            group_id: group_id.into(),
            topic_partitions: Some(partitions),
        }
    }
}

impl fmt::Display for ConsumerGroupTopicPartitions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "group {:?}", self.group_id)?;
        if let Some(p) = &self.topic_partitions {
            write!(f, " ({} partitions)", p.len())?;
        }
        Ok(())
    }
}
