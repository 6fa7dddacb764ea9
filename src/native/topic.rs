//! `rd_kafka_topic_t`: an owned topic handle.

use super::owned::Owned;
use super::sys;

/// An owned topic handle (`rd_kafka_topic_t`).
pub(crate) struct NativeTopic {
    ptr: Owned<sys::rd_kafka_topic_t>,
}

// SAFETY: topic handles are reference counted and thread-safe.
unsafe impl Send for NativeTopic {}
// SAFETY: as above.
unsafe impl Sync for NativeTopic {}

impl NativeTopic {
    /// # Safety
    /// `p` must be null or a topic reference the caller owns.
    pub(super) unsafe fn from_ptr(p: *mut sys::rd_kafka_topic_t) -> Option<Self> {
        Owned::from_ptr(p).map(|ptr| NativeTopic { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_topic_t {
        self.ptr.as_ptr()
    }
}
