//! `rd_kafka_queue_t`: an owned queue reference.

use super::owned::Owned;
use super::{sys, NativeEvent};

/// An owned queue reference (`rd_kafka_queue_t`).
pub(crate) struct NativeQueue {
    ptr: Owned<sys::rd_kafka_queue_t>,
}

// SAFETY: queue operations (poll, yield, length, destroy of our reference)
// are thread-safe in librdkafka.
unsafe impl Send for NativeQueue {}
// SAFETY: as above.
unsafe impl Sync for NativeQueue {}

impl NativeQueue {
    /// # Safety
    /// `p` must be null or a queue reference the caller owns.
    pub(super) unsafe fn from_raw(p: *mut sys::rd_kafka_queue_t) -> Option<Self> {
        Owned::from_ptr(p).map(|ptr| NativeQueue { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_queue_t {
        self.ptr.as_ptr()
    }

    /// Corresponds to `rd_kafka_queue_poll`.
    pub(crate) fn poll(&self, timeout_ms: i32) -> Option<NativeEvent> {
        // SAFETY: valid queue; the event returned is ours.
        let p = unsafe { sys::rd_kafka_queue_poll(self.ptr.as_ptr(), timeout_ms) };
        // SAFETY: p is null or an event we own.
        unsafe { NativeEvent::from_ptr(p) }
    }

    /// Corresponds to `rd_kafka_queue_yield`: wakes a blocked `poll`.
    pub(crate) fn wake(&self) {
        // SAFETY: valid queue.
        unsafe { sys::rd_kafka_queue_yield(self.ptr.as_ptr()) }
    }

    /// Corresponds to `rd_kafka_queue_length`.
    pub(crate) fn len(&self) -> usize {
        // SAFETY: valid queue.
        unsafe { sys::rd_kafka_queue_length(self.ptr.as_ptr()) }
    }
}
