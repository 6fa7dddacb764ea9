//! [`TopicPartition`] and the offset constants.

use crate::error::KafkaError;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// `OFFSET_BEGINNING` (-2): the earliest offset in the partition.
pub const OFFSET_BEGINNING: i64 = -2;
/// `OFFSET_END` (-1): the offset after the last message.
pub const OFFSET_END: i64 = -1;
/// `OFFSET_STORED` (-1000): the group's committed offset.
pub const OFFSET_STORED: i64 = -1000;
/// `OFFSET_INVALID` (-1001): no offset (e.g. nothing committed yet).
pub const OFFSET_INVALID: i64 = -1001;
/// `PARTITION_UA` (-1): let the partitioner choose.
pub const PARTITION_UA: i32 = -1;

/// A topic partition, with an offset and per-partition results.
///
/// Used to name partitions (assignments, seeks, commits) and to report
/// per-partition outcomes (committed offsets, commit errors). A plain Rust
/// value: converting to and from librdkafka's lists copies it, so it can
/// never alias C memory.
///
/// ```
/// use ferrokafka::{TopicPartition, OFFSET_INVALID};
/// let tp = TopicPartition::new("orders", 3);
/// assert_eq!(tp.offset, OFFSET_INVALID);
/// let tp = TopicPartition::with_offset("orders", 3, 42);
/// assert_eq!(tp.to_string(), "orders [3] @ 42");
/// ```
///
/// # Identity
///
/// A `TopicPartition` is equal to, ordered against and hashed as its
/// `(topic, partition)` alone, as the Python client's `TopicPartition`
/// compares: the offset, metadata, leader epoch and error are data
/// carried for that partition, not part of what it is. So an assignment
/// compares equal to the list that was assigned whatever offsets either
/// carries, and results can key a map or a set. Compare the fields to
/// compare the data:
///
/// ```
/// use ferrokafka::TopicPartition;
/// use std::collections::HashMap;
/// let a = TopicPartition::with_offset("orders", 3, 42);
/// let b = TopicPartition::with_offset("orders", 3, 7);
/// assert_eq!(a, b);
/// assert_ne!(a.offset, b.offset);
/// assert!(TopicPartition::new("orders", 2) < a);
/// assert!(a < TopicPartition::new("payments", 0));
/// let lag: HashMap<TopicPartition, i64> = [(a, 10)].into_iter().collect();
/// assert_eq!(lag[&TopicPartition::new("orders", 3)], 10);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct TopicPartition {
    /// The topic name.
    pub topic: String,
    /// The partition number.
    pub partition: i32,
    /// An offset, or one of the `OFFSET_*` constants.
    pub offset: i64,
    /// Commit metadata (any bytes; `None` when absent).
    ///
    /// Empty and absent metadata are the same thing once committed:
    /// librdkafka sends absent metadata as an empty string (old brokers
    /// cannot parse a null one), and [`Consumer::committed`](crate::Consumer::committed)
    /// reports an empty string read back from the broker as absent. So a
    /// commit with `Some(vec![])` or `None` both come back from
    /// `committed` as `None`, and so does the per-partition result of the
    /// commit itself (librdkafka's copy of the list drops empty metadata);
    /// non-empty metadata comes back byte for byte.
    pub metadata: Option<Vec<u8>>,
    /// The partition leader epoch, when known (KIP-320).
    pub leader_epoch: Option<i32>,
    /// A per-partition error, in results.
    pub error: Option<KafkaError>,
}

impl TopicPartition {
    /// A partition with no offset ([`OFFSET_INVALID`]).
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition::with_offset(topic, partition, OFFSET_INVALID)
    }

    /// A partition with an offset.
    pub fn with_offset(topic: impl Into<String>, partition: i32, offset: i64) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
            offset,
            metadata: None,
            leader_epoch: None,
            error: None,
        }
    }

    /// Sets commit metadata.
    pub fn with_metadata(mut self, metadata: impl Into<Vec<u8>>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }

    /// Sets the leader epoch.
    pub fn with_leader_epoch(mut self, epoch: i32) -> Self {
        self.leader_epoch = Some(epoch);
        self
    }

    /// `Ok(self)` unless this partition carries an error.
    pub fn into_result(self) -> Result<TopicPartition, KafkaError> {
        match self.error.clone() {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

impl PartialEq for TopicPartition {
    fn eq(&self, other: &Self) -> bool {
        self.partition == other.partition && self.topic == other.topic
    }
}

impl Eq for TopicPartition {}

impl Hash for TopicPartition {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.topic.hash(state);
        self.partition.hash(state);
    }
}

impl PartialOrd for TopicPartition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By topic name, then partition number.
impl Ord for TopicPartition {
    fn cmp(&self, other: &Self) -> Ordering {
        self.topic.cmp(&other.topic).then(self.partition.cmp(&other.partition))
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.topic, self.partition)?;
        if self.offset != OFFSET_INVALID {
            write!(f, " @ {}", self.offset)?;
        }
        if let Some(e) = &self.error {
            write!(f, ": {e}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TopicPartition");
        d.field("topic", &self.topic)
            .field("partition", &self.partition)
            .field("offset", &self.offset);
        if let Some(m) = &self.metadata {
            d.field("metadata", &String::from_utf8_lossy(m));
        }
        if let Some(e) = self.leader_epoch {
            d.field("leader_epoch", &e);
        }
        if let Some(e) = &self.error {
            d.field("error", e);
        }
        d.finish()
    }
}
