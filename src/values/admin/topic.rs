//! Topics, partitions, brokers and offsets: [`NewTopic`], [`NewPartitions`],
//! [`TopicDescription`], [`Node`], [`Uuid`], [`OffsetSpec`] and the results
//! of `list_offsets`, `delete_records` and `describe_cluster`.

use super::acl::AclOperation;
use std::collections::BTreeMap;
use std::fmt;

/// A topic to create: the Python client's `NewTopic`.
///
/// `num_partitions` and `replication_factor` may be -1 for the broker's
/// defaults (`num.partitions`, `default.replication.factor`). With a
/// `replica_assignment` (one list of broker ids per partition, the first
/// being the preferred leader), the replication factor comes from the
/// assignment and must be left at -1, and `num_partitions` must be the
/// number of lists.
///
/// Corresponds to `rd_kafka_NewTopic_t`.
///
/// ```
/// use ferrokafka::admin::NewTopic;
/// let t = NewTopic::new("orders", 6, 3).with_config("cleanup.policy", "compact");
/// assert_eq!(t.config["cleanup.policy"], "compact");
/// ```
#[doc(alias = "rd_kafka_NewTopic_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewTopic {
    /// The topic name.
    pub topic: String,
    /// The number of partitions (-1: the broker's default).
    pub num_partitions: i32,
    /// The replication factor (-1: the broker's default).
    pub replication_factor: i32,
    /// Replica broker ids per partition, instead of a replication factor.
    pub replica_assignment: Option<Vec<Vec<i32>>>,
    /// Topic configuration properties, e.g. `retention.ms`.
    pub config: BTreeMap<String, String>,
}

impl NewTopic {
    /// A topic with `num_partitions` partitions, each replicated
    /// `replication_factor` times (-1 for the broker's defaults).
    ///
    /// Corresponds to `rd_kafka_NewTopic_new`.
    #[doc(alias = "rd_kafka_NewTopic_new")]
    pub fn new(topic: impl Into<String>, num_partitions: i32, replication_factor: i32) -> Self {
        NewTopic {
            topic: topic.into(),
            num_partitions,
            replication_factor,
            replica_assignment: None,
            config: BTreeMap::new(),
        }
    }

    /// Sets a topic configuration property.
    ///
    /// Corresponds to `rd_kafka_NewTopic_set_config`.
    #[doc(alias = "rd_kafka_NewTopic_set_config")]
    pub fn with_config(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.insert(name.into(), value.into());
        self
    }

    /// Sets the replica assignment (one list of broker ids per partition).
    ///
    /// Corresponds to `rd_kafka_NewTopic_set_replica_assignment`.
    #[doc(alias = "rd_kafka_NewTopic_set_replica_assignment")]
    pub fn with_replica_assignment(mut self, assignment: Vec<Vec<i32>>) -> Self {
        self.replica_assignment = Some(assignment);
        self
    }
}

/// More partitions for an existing topic: the Python client's
/// `NewPartitions`.
///
/// Corresponds to `rd_kafka_NewPartitions_t`.
#[doc(alias = "rd_kafka_NewPartitions_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewPartitions {
    /// The topic name.
    pub topic: String,
    /// The new total number of partitions (must exceed the current count).
    pub new_total_count: i32,
    /// Replica broker ids for each *new* partition.
    pub replica_assignment: Option<Vec<Vec<i32>>>,
}

impl NewPartitions {
    /// Grows `topic` to `new_total_count` partitions.
    ///
    /// Corresponds to `rd_kafka_NewPartitions_new`.
    #[doc(alias = "rd_kafka_NewPartitions_new")]
    pub fn new(topic: impl Into<String>, new_total_count: i32) -> Self {
        NewPartitions {
            topic: topic.into(),
            new_total_count,
            replica_assignment: None,
        }
    }

    /// Sets the replica assignment of the new partitions.
    ///
    /// Corresponds to `rd_kafka_NewPartitions_set_replica_assignment`.
    #[doc(alias = "rd_kafka_NewPartitions_set_replica_assignment")]
    pub fn with_replica_assignment(mut self, assignment: Vec<Vec<i32>>) -> Self {
        self.replica_assignment = Some(assignment);
        self
    }
}

/// A broker: the Python client's `Node`.
///
/// Corresponds to `rd_kafka_Node_t`.
#[doc(alias = "rd_kafka_Node_t")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Node {
    /// The broker id.
    pub id: i32,
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The rack, when the broker has one.
    pub rack: Option<String>,
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.host, self.port, self.id)
    }
}

/// A 128-bit Kafka id (topic ids): the Python client's `Uuid`.
///
/// Displays as librdkafka's `rd_kafka_Uuid_base64str` does: the 16
/// big-endian bytes in base64 without padding.
///
/// Corresponds to `rd_kafka_Uuid_t`.
///
/// ```
/// use ferrokafka::admin::Uuid;
/// let id = Uuid::new(0, 1);
/// assert_eq!(id.to_string(), "AAAAAAAAAAAAAAAAAAAAAQ");
/// assert!(Uuid::ZERO.is_zero());
/// ```
#[doc(alias = "rd_kafka_Uuid_t")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid {
    msb: i64,
    lsb: i64,
}

impl Uuid {
    /// The all-zero id (no id).
    pub const ZERO: Uuid = Uuid { msb: 0, lsb: 0 };

    /// An id from its two halves.
    ///
    /// Corresponds to `rd_kafka_Uuid_new`.
    #[doc(alias = "rd_kafka_Uuid_new")]
    pub fn new(most_significant_bits: i64, least_significant_bits: i64) -> Self {
        Uuid {
            msb: most_significant_bits,
            lsb: least_significant_bits,
        }
    }

    /// The high 64 bits.
    ///
    /// Corresponds to `rd_kafka_Uuid_most_significant_bits`.
    #[doc(alias = "rd_kafka_Uuid_most_significant_bits")]
    pub fn most_significant_bits(&self) -> i64 {
        self.msb
    }

    /// The low 64 bits.
    ///
    /// Corresponds to `rd_kafka_Uuid_least_significant_bits`.
    #[doc(alias = "rd_kafka_Uuid_least_significant_bits")]
    pub fn least_significant_bits(&self) -> i64 {
        self.lsb
    }

    /// True for the all-zero id.
    pub fn is_zero(&self) -> bool {
        self.msb == 0 && self.lsb == 0
    }

    /// The 16 bytes, big-endian.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.msb.to_be_bytes());
        b[8..].copy_from_slice(&self.lsb.to_be_bytes());
        b
    }
}

impl fmt::Display for Uuid {
    /// Corresponds to `rd_kafka_Uuid_base64str`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = self.to_bytes();
        let mut out = String::with_capacity(22);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize] as char);
            }
        }
        f.write_str(&out)
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

/// A partition as `describe_topics` reports it: the Python client's
/// `TopicPartitionInfo`.
///
/// Corresponds to `rd_kafka_TopicPartitionInfo_t`.
#[doc(alias = "rd_kafka_TopicPartitionInfo_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicPartitionInfo {
    /// The partition number.
    pub id: i32,
    /// The leader, when there is one.
    pub leader: Option<Node>,
    /// The replicas.
    pub replicas: Vec<Node>,
    /// The in-sync replicas.
    pub isr: Vec<Node>,
}

/// A topic as `describe_topics` reports it: the Python client's
/// `TopicDescription`.
///
/// Corresponds to `rd_kafka_TopicDescription_t`.
#[doc(alias = "rd_kafka_TopicDescription_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicDescription {
    /// The topic name.
    pub name: String,
    /// The topic id ([`Uuid::ZERO`] when the broker reports none).
    pub topic_id: Uuid,
    /// An internal topic (e.g. `__consumer_offsets`).
    pub is_internal: bool,
    /// The partitions, in order.
    pub partitions: Vec<TopicPartitionInfo>,
    /// What this client may do with the topic, when requested with
    /// [`AdminOptions::include_authorized_operations`](crate::AdminOptions::include_authorized_operations).
    pub authorized_operations: Option<Vec<AclOperation>>,
}

/// The cluster as `describe_cluster` reports it: the Python client's
/// `DescribeClusterResult`.
///
/// Corresponds to `rd_kafka_DescribeCluster_result_t`.
#[doc(alias = "rd_kafka_DescribeCluster_result_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeClusterResult {
    /// The cluster id, when the broker reports one.
    pub cluster_id: Option<String>,
    /// The controller, when known.
    pub controller: Option<Node>,
    /// The brokers.
    pub nodes: Vec<Node>,
    /// What this client may do with the cluster, when requested.
    pub authorized_operations: Option<Vec<AclOperation>>,
}

/// Which offset `list_offsets` asks for: the Python client's `OffsetSpec`.
///
/// Corresponds to `rd_kafka_OffsetSpec_t`.
#[doc(alias = "rd_kafka_OffsetSpec_t")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OffsetSpec {
    /// The earliest offset (the log start).
    Earliest,
    /// The latest offset (the high watermark, or the last stable offset
    /// with [`IsolationLevel::READ_COMMITTED`](crate::admin::IsolationLevel::READ_COMMITTED)).
    Latest,
    /// The offset of the message with the largest timestamp.
    MaxTimestamp,
    /// The earliest offset whose timestamp is at or after this many
    /// milliseconds since the Unix epoch (must be >= 0).
    ForTimestamp(i64),
}

impl OffsetSpec {
    /// The earliest offset.
    pub fn earliest() -> Self {
        OffsetSpec::Earliest
    }

    /// The latest offset.
    pub fn latest() -> Self {
        OffsetSpec::Latest
    }

    /// The offset of the message with the largest timestamp.
    pub fn max_timestamp() -> Self {
        OffsetSpec::MaxTimestamp
    }

    /// The earliest offset at or after `timestamp_ms`.
    pub fn for_timestamp(timestamp_ms: i64) -> Self {
        OffsetSpec::ForTimestamp(timestamp_ms)
    }

    /// The value librdkafka expects in the partition's offset field.
    pub(crate) fn raw(self) -> i64 {
        match self {
            OffsetSpec::MaxTimestamp => -3,
            OffsetSpec::Earliest => -2,
            OffsetSpec::Latest => -1,
            OffsetSpec::ForTimestamp(t) => t,
        }
    }
}

/// One partition's answer to `list_offsets`: the Python client's
/// `ListOffsetsResultInfo`.
///
/// Corresponds to `rd_kafka_ListOffsetsResultInfo_t`.
#[doc(alias = "rd_kafka_ListOffsetsResultInfo_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListOffsetsResultInfo {
    /// The offset (-1 when no message matches a timestamp).
    pub offset: i64,
    /// The timestamp of the message at that offset (-1 when not applicable).
    pub timestamp: i64,
    /// The leader epoch, when known.
    pub leader_epoch: Option<i32>,
}

/// One partition's answer to `delete_records`: the Python client's
/// `DeletedRecords`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeletedRecords {
    /// The partition's new low watermark (first offset kept).
    pub low_watermark: i64,
}

c_enum! {
    /// Which replica `elect_leaders` elects: the Python client's
    /// `ElectionType`.
    ///
    /// Corresponds to `rd_kafka_ElectionType_t`.
    #[doc(alias = "rd_kafka_ElectionType_t")]
    ElectionType {
        /// The preferred replica (0).
        PREFERRED = 0,
        /// Any replica, even one out of sync (may lose data) (1).
        UNCLEAN = 1,
    }
}

c_enum! {
    /// Which records `list_offsets` considers: the Python client's
    /// `IsolationLevel`.
    ///
    /// Corresponds to `rd_kafka_IsolationLevel_t`.
    #[doc(alias = "rd_kafka_IsolationLevel_t")]
    IsolationLevel {
        /// Every record (the default) (0).
        READ_UNCOMMITTED = 0,
        /// Only committed transactional records: `Latest` is the last
        /// stable offset (1).
        READ_COMMITTED = 1,
    }
}

impl Default for IsolationLevel {
    fn default() -> Self {
        IsolationLevel::READ_UNCOMMITTED
    }
}
