//! Cluster metadata, as returned by `list_topics`.

use crate::error::KafkaError;
use std::collections::BTreeMap;

/// Brokers and topics as a broker reported them.
/// Corresponds to `rd_kafka_metadata_t`.
#[derive(Clone, Debug)]
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
pub struct BrokerMetadata {
    /// Broker id.
    pub id: i32,
    /// Host name.
    pub host: String,
    /// Port.
    pub port: i32,
}

/// A topic and its partitions.
#[derive(Clone, Debug)]
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

/// `list_topics` for any client: metadata for all topics or one, with the
/// cluster and controller ids the client already knows.
pub(crate) fn list_topics(
    h: &crate::client::Handle,
    topic: Option<&str>,
    timeout: crate::Timeout,
) -> crate::Result<ClusterMetadata> {
    let ms = timeout.as_millis_i32();
    let mut md = match topic {
        None => h.client.metadata(None, ms)?,
        Some(name) => {
            if name.is_empty() || name.contains('\0') {
                return Err(KafkaError::invalid_arg(format!("invalid topic name {name:?}")));
            }
            let t = h.client.topic(name)?;
            h.client.metadata(Some(&t), ms)?
        }
    };
    md.cluster_id = h.client.cluster_id(0);
    md.controller_id = h.client.controller_id(0);
    Ok(md)
}
