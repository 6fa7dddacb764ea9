//! `rd_kafka_topic_partition_list_t`.
//!
//! Lists are converted to and from plain Rust values ([`TopicPartition`]) at
//! the boundary: no Rust reference into C-owned list memory ever escapes,
//! so no aliasing `&mut` (rust-rdkafka's `TopicPartitionListElem` problem)
//! is possible.

use super::error::c_string;
use super::owned::Owned;
use super::sys;
use crate::error::{ErrorCode, KafkaError};
use crate::TopicPartition;
use std::os::raw::c_void;

/// An owned partition list.
pub(crate) struct NativeTpl {
    ptr: Owned<sys::rd_kafka_topic_partition_list_t>,
}

// SAFETY: an owned list is plain data with no thread affinity; no Sync.
unsafe impl Send for NativeTpl {}

impl NativeTpl {
    /// Builds a C list from Rust values (topic, partition, offset, metadata,
    /// leader epoch).
    pub(crate) fn from_partitions(parts: &[TopicPartition]) -> Result<Self, KafkaError> {
        // SAFETY: no preconditions; never returns null.
        let p = unsafe { sys::rd_kafka_topic_partition_list_new(parts.len().max(1) as i32) };
        let tpl = NativeTpl {
            // SAFETY: a new list we own.
            ptr: unsafe { Owned::from_ptr(p) }.expect("rd_kafka_topic_partition_list_new returned NULL"),
        };
        for tp in parts {
            let topic = c_string("topic name", &tp.topic)?;
            // SAFETY: valid list and string; the element is owned by the list.
            unsafe {
                let e = sys::rd_kafka_topic_partition_list_add(tpl.ptr.as_ptr(), topic.as_ptr(), tp.partition);
                (*e).offset = tp.offset;
                if let Some(md) = &tp.metadata {
                    // librdkafka frees element metadata with free().
                    let buf = libc::malloc(md.len().max(1));
                    if buf.is_null() {
                        return Err(KafkaError::new(ErrorCode::CRIT_SYS_RESOURCE, "out of memory"));
                    }
                    std::ptr::copy_nonoverlapping(md.as_ptr(), buf as *mut u8, md.len());
                    (*e).metadata = buf;
                    (*e).metadata_size = md.len();
                }
                if let Some(epoch) = tp.leader_epoch {
                    sys::rd_kafka_topic_partition_set_leader_epoch(e, epoch);
                }
            }
        }
        Ok(tpl)
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_topic_partition_list_t {
        self.ptr.as_ptr()
    }

    /// Copies the list out as Rust values.
    pub(crate) fn to_partitions(&self) -> Vec<TopicPartition> {
        // SAFETY: valid list, only read.
        unsafe { Self::read_list(self.ptr.as_ptr()) }
    }

    /// # Safety
    /// `p` must be null or a valid list, not mutated during the call.
    pub(crate) unsafe fn read_list(p: *const sys::rd_kafka_topic_partition_list_t) -> Vec<TopicPartition> {
        if p.is_null() {
            return Vec::new();
        }
        let l = &*p;
        if l.elems.is_null() || l.cnt <= 0 {
            return Vec::new();
        }
        std::slice::from_raw_parts(l.elems, l.cnt as usize)
            .iter()
            .map(|e| Self::read_elem(e))
            .collect()
    }

    /// # Safety
    /// `e` must be a valid element.
    pub(crate) unsafe fn read_elem(e: &sys::rd_kafka_topic_partition_t) -> TopicPartition {
        let metadata = if e.metadata.is_null() {
            None
        } else {
            Some(super::slice(e.metadata as *const c_void, e.metadata_size).to_vec())
        };
        let epoch = sys::rd_kafka_topic_partition_get_leader_epoch(e);
        TopicPartition {
            topic: super::cstr_owned(e.topic),
            partition: e.partition,
            offset: e.offset,
            metadata,
            leader_epoch: if epoch >= 0 { Some(epoch) } else { None },
            error: if e.err != 0 {
                Some(KafkaError::from_code(ErrorCode(e.err)))
            } else {
                None
            },
        }
    }
}
