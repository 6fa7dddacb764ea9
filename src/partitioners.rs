//! librdkafka's built-in partitioners as plain functions, with identical
//! results (they call librdkafka's own implementations).
//!
//! Use them to predict where a keyed message will go, or to route messages
//! yourself with [`Record::partition`](crate::Record::partition). The
//! `partitioner` property picks which one the producer uses (librdkafka's
//! default, `consistent_random`, is `consistent` for keyed messages; Java
//! clients' default is `murmur2_random`, which is `murmur2` for keyed
//! messages).
//!
//! ```
//! use ferrokafka::partitioners;
//! let p = partitioners::murmur2(Some(b"customer-7".as_slice()), 12)?;
//! assert!((0..12).contains(&p));
//! assert!(partitioners::fnv1a(Some(b"k".as_slice()), 0).is_err());
//! # Ok::<(), ferrokafka::KafkaError>(())
//! ```

use crate::error::{KafkaError, Result};
use crate::native::{builtin_partition, Builtin};

fn run(which: Builtin, key: Option<&[u8]>, partition_count: i32) -> Result<i32> {
    if partition_count <= 0 {
        return Err(KafkaError::invalid_arg(format!(
            "partition_count must be > 0, got {partition_count}"
        )));
    }
    Ok(builtin_partition(which, key, partition_count))
}

/// CRC32 of the key, modulo the partition count (librdkafka's
/// `consistent`). Corresponds to `rd_kafka_msg_partitioner_consistent`.
#[doc(alias = "rd_kafka_msg_partitioner_consistent")]
pub fn consistent(key: Option<&[u8]>, partition_count: i32) -> Result<i32> {
    run(Builtin::Consistent, key, partition_count)
}

/// Java-compatible murmur2 hash of the key (`murmur2`).
/// Corresponds to `rd_kafka_msg_partitioner_murmur2`.
#[doc(alias = "rd_kafka_msg_partitioner_murmur2")]
pub fn murmur2(key: Option<&[u8]>, partition_count: i32) -> Result<i32> {
    run(Builtin::Murmur2, key, partition_count)
}

/// FNV-1a hash of the key (`fnv1a`), as Sarama (Go) uses.
/// Corresponds to `rd_kafka_msg_partitioner_fnv1a`.
#[doc(alias = "rd_kafka_msg_partitioner_fnv1a")]
pub fn fnv1a(key: Option<&[u8]>, partition_count: i32) -> Result<i32> {
    run(Builtin::Fnv1a, key, partition_count)
}
