//! [`ConsumerGroupMetadata`]: what a transactional producer needs to commit
//! a consumer group's offsets.

use crate::error::Result;
use crate::native::NativeCgMetadata;
use std::fmt;
use std::sync::Arc;

/// A consumer group's identity (group id, generation, member id), as
/// `Producer::send_offsets_to_transaction` needs it to commit offsets
/// within a transaction. Get it from a consumer
/// (`Consumer::consumer_group_metadata`), build it from a group id, or read
/// it back from the bytes [`to_bytes`](Self::to_bytes) wrote (the Python
/// client passes these bytes around).
///
/// ```
/// use ferrokafka::ConsumerGroupMetadata;
/// let md = ConsumerGroupMetadata::new("my-group")?;
/// let bytes = md.to_bytes()?;
/// let back = ConsumerGroupMetadata::from_bytes(&bytes)?;
/// assert_eq!(back.to_bytes()?, bytes);
/// assert_eq!(ConsumerGroupMetadata::new("facturación")?.clone().member_id(), "");
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
///
/// `Clone` shares the (immutable) librdkafka object.
#[derive(Clone)]
pub struct ConsumerGroupMetadata {
    inner: Arc<NativeCgMetadata>,
}

impl ConsumerGroupMetadata {
    /// Metadata for a group id alone (no generation or member: brokers
    /// then skip the fencing checks of KIP-447).
    ///
    /// Corresponds to `rd_kafka_consumer_group_metadata_new`.
    #[doc(alias = "rd_kafka_consumer_group_metadata_new")]
    pub fn new(group_id: &str) -> Result<Self> {
        Self::with_generation(group_id, -1, "", None)
    }

    /// Metadata with a generation, member id and optional static instance id.
    ///
    /// Corresponds to `rd_kafka_consumer_group_metadata_new_with_genid`.
    #[doc(alias = "rd_kafka_consumer_group_metadata_new_with_genid")]
    pub fn with_generation(
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<Self> {
        Ok(ConsumerGroupMetadata {
            inner: Arc::new(NativeCgMetadata::new(
                group_id,
                generation_id,
                member_id,
                group_instance_id,
            )?),
        })
    }

    pub(crate) fn from_native(inner: NativeCgMetadata) -> Self {
        ConsumerGroupMetadata { inner: Arc::new(inner) }
    }

    pub(crate) fn native(&self) -> &NativeCgMetadata {
        &self.inner
    }

    /// Serializes the metadata (an opaque, versioned format).
    ///
    /// Corresponds to `rd_kafka_consumer_group_metadata_write`.
    #[doc(alias = "rd_kafka_consumer_group_metadata_write")]
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.inner.to_bytes()
    }

    /// Reads metadata written by [`to_bytes`](Self::to_bytes) (or by any
    /// librdkafka-based client, such as the Python client).
    ///
    /// Corresponds to `rd_kafka_consumer_group_metadata_read`.
    #[doc(alias = "rd_kafka_consumer_group_metadata_read")]
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(ConsumerGroupMetadata {
            inner: Arc::new(NativeCgMetadata::from_bytes(bytes)?),
        })
    }

    /// The member id.
    pub fn member_id(&self) -> String {
        self.inner.member_id()
    }
}

impl fmt::Debug for ConsumerGroupMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumerGroupMetadata")
            .field("member_id", &self.member_id())
            .finish()
    }
}
