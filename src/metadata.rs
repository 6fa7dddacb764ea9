//! Cluster metadata, as returned by `list_topics`.

use crate::error::KafkaError;
use std::collections::BTreeMap;

/// Brokers and topics as a broker reported them.
/// Corresponds to `rd_kafka_metadata_t`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClusterMetadata {
    /// The cluster id, when the broker reported one.
    pub cluster_id: Option<String>,
    /// The controller broker's id, or -1 when unknown.
    pub controller_id: i32,
    /// Brokers by id.
    pub brokers: BTreeMap<i32, BrokerMetadata>,
    /// Topics by name.
    pub topics: BTreeMap<String, TopicMetadata>,
    /// The broker that answered.
    pub orig_broker_id: i32,
    /// The name of the broker that answered.
    pub orig_broker_name: String,
}

/// A broker's address.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BrokerMetadata {
    /// Broker id.
    pub id: i32,
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// A topic and its partitions.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TopicMetadata {
    /// Topic name.
    pub topic: String,
    /// Partitions by id.
    pub partitions: BTreeMap<i32, PartitionMetadata>,
    /// A topic-level error (e.g. `UNKNOWN_TOPIC_OR_PART`).
    pub error: Option<KafkaError>,
}

/// A partition's leader and replicas.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PartitionMetadata {
    /// Partition id.
    pub id: i32,
    /// Leader broker id (-1 when leaderless).
    pub leader: i32,
    /// Replica broker ids.
    pub replicas: Vec<i32>,
    /// In-sync replica broker ids.
    pub isrs: Vec<i32>,
    /// A partition-level error.
    pub error: Option<KafkaError>,
}
