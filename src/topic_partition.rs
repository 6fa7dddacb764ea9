//! [`TopicPartition`] and the offset constants.

use crate::error::KafkaError;
use std::fmt;

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
#[derive(Clone, PartialEq, Eq)]
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
    pub fn metadata(mut self, metadata: impl Into<Vec<u8>>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }

    /// Sets the leader epoch.
    pub fn leader_epoch(mut self, epoch: i32) -> Self {
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
