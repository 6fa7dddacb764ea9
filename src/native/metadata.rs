//! `rd_kafka_metadata_t`, copied out into [`ClusterMetadata`].

use super::{sys, NativeClient, NativeTopic};
use crate::error::{ErrorCode, KafkaError};
use crate::metadata::{BrokerMetadata, ClusterMetadata, PartitionMetadata, TopicMetadata};

/// Corresponds to `rd_kafka_metadata`.
pub(crate) fn fetch(
    client: &NativeClient,
    topic: Option<&NativeTopic>,
    timeout_ms: i32,
) -> Result<ClusterMetadata, KafkaError> {
    let mut md: *const sys::rd_kafka_metadata_t = std::ptr::null();
    // SAFETY: valid handle and out-pointer; on success md is ours to destroy.
    let err = unsafe {
        sys::rd_kafka_metadata(
            client.as_ptr(),
            if topic.is_some() { 0 } else { 1 },
            topic.map(|t| t.as_ptr()).unwrap_or(std::ptr::null_mut()),
            &mut md,
            timeout_ms,
        )
    };
    if err != 0 || md.is_null() {
        return Err(KafkaError::from_code(ErrorCode(err)).context("metadata request failed"));
    }
    // SAFETY: md is valid until destroyed below; everything is copied.
    let out = unsafe { copy(&*md) };
    // SAFETY: we own md.
    unsafe { sys::rd_kafka_metadata_destroy(md) };
    Ok(out)
}

unsafe fn parts<'a, T>(p: *const T, n: i32) -> &'a [T] {
    if p.is_null() || n <= 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, n as usize)
    }
}

unsafe fn copy(md: &sys::rd_kafka_metadata_t) -> ClusterMetadata {
    let brokers = parts(md.brokers, md.broker_cnt)
        .iter()
        .map(|b| {
            (
                b.id,
                BrokerMetadata {
                    id: b.id,
                    host: super::cstr_owned(b.host),
                    // Kafka's int32 port; a value no port can be is 0.
                    port: u16::try_from(b.port).unwrap_or(0),
                },
            )
        })
        .collect();
    let topics = parts(md.topics, md.topic_cnt)
        .iter()
        .map(|t| {
            let name = super::cstr_owned(t.topic);
            let partitions = parts(t.partitions, t.partition_cnt)
                .iter()
                .map(|p| {
                    (
                        p.id,
                        PartitionMetadata {
                            id: p.id,
                            leader: p.leader,
                            replicas: parts(p.replicas, p.replica_cnt).to_vec(),
                            isrs: parts(p.isrs, p.isr_cnt).to_vec(),
                            error: if p.err != 0 {
                                Some(KafkaError::from_code(ErrorCode(p.err)))
                            } else {
                                None
                            },
                        },
                    )
                })
                .collect();
            (
                name.clone(),
                TopicMetadata {
                    topic: name,
                    partitions,
                    error: if t.err != 0 {
                        Some(KafkaError::from_code(ErrorCode(t.err)))
                    } else {
                        None
                    },
                },
            )
        })
        .collect();
    ClusterMetadata {
        cluster_id: None,
        controller_id: -1,
        brokers,
        topics,
        orig_broker_id: md.orig_broker_id,
        orig_broker_name: super::cstr_owned(md.orig_broker_name),
    }
}
