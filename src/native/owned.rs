//! One owned-handle type for every C object: [`Owned<T>`], a non-null
//! pointer whose `Drop` calls the object's destroy function ([`CObject`]).
//! The wrappers (`NativeQueue`, `NativeTpl`, …) hold one and add the
//! object's operations; `NativeClient` alone keeps its own `Drop`, since
//! destroying a client may have to close a consumer first or move to a
//! helper thread.

use super::admin_sys as a;
use super::sys;
use std::ptr::NonNull;

/// A C object type with a destroy function.
pub(crate) trait CObject {
    /// # Safety
    /// `p` must be a valid object the caller owns; it is not used again.
    unsafe fn destroy(p: *mut Self);
}

/// A C object librdkafka lets any thread own and destroy: request
/// arguments and options (plain data only their owner touches) and queue
/// references (whose operations librdkafka makes thread-safe).
///
/// # Safety
/// Implement only for such objects: `Owned<T>` is then `Send`.
pub(crate) unsafe trait SendObject: CObject {}

macro_rules! c_object {
    ($($ty:ty => $destroy:path $(, $send:ident)?;)*) => {
        $(
            impl CObject for $ty {
                unsafe fn destroy(p: *mut Self) {
                    $destroy(p)
                }
            }
            $(c_object!(@$send $ty);)?
        )*
    };
    (@send $ty:ty) => {
        // SAFETY: see `SendObject`; listed as `send` only for such objects.
        unsafe impl SendObject for $ty {}
    };
}

c_object! {
    sys::rd_kafka_queue_t => sys::rd_kafka_queue_destroy, send;
    sys::rd_kafka_topic_t => sys::rd_kafka_topic_destroy;
    sys::rd_kafka_conf_t => sys::rd_kafka_conf_destroy;
    sys::rd_kafka_message_t => sys::rd_kafka_message_destroy;
    sys::rd_kafka_event_t => sys::rd_kafka_event_destroy;
    sys::rd_kafka_headers_t => sys::rd_kafka_headers_destroy;
    sys::rd_kafka_topic_partition_list_t => sys::rd_kafka_topic_partition_list_destroy;
    sys::rd_kafka_consumer_group_metadata_t => sys::rd_kafka_consumer_group_metadata_destroy;
    sys::rd_kafka_mock_cluster_t => sys::rd_kafka_mock_cluster_destroy;
    a::rd_kafka_AdminOptions_t => a::rd_kafka_AdminOptions_destroy, send;
    a::rd_kafka_NewTopic_t => a::rd_kafka_NewTopic_destroy, send;
    a::rd_kafka_DeleteTopic_t => a::rd_kafka_DeleteTopic_destroy, send;
    a::rd_kafka_NewPartitions_t => a::rd_kafka_NewPartitions_destroy, send;
    a::rd_kafka_ConfigResource_t => a::rd_kafka_ConfigResource_destroy, send;
    a::rd_kafka_DeleteRecords_t => a::rd_kafka_DeleteRecords_destroy, send;
    a::rd_kafka_TopicCollection_t => a::rd_kafka_TopicCollection_destroy, send;
    a::rd_kafka_DeleteGroup_t => a::rd_kafka_DeleteGroup_destroy, send;
    a::rd_kafka_ListConsumerGroupOffsets_t => a::rd_kafka_ListConsumerGroupOffsets_destroy, send;
    a::rd_kafka_AlterConsumerGroupOffsets_t => a::rd_kafka_AlterConsumerGroupOffsets_destroy, send;
    a::rd_kafka_DeleteConsumerGroupOffsets_t => a::rd_kafka_DeleteConsumerGroupOffsets_destroy, send;
    a::rd_kafka_UserScramCredentialAlteration_t => a::rd_kafka_UserScramCredentialAlteration_destroy, send;
    a::rd_kafka_AclBinding_t => a::rd_kafka_AclBinding_destroy, send;
    a::rd_kafka_ElectLeaders_t => a::rd_kafka_ElectLeaders_destroy, send;
}

/// An owned C object, destroyed (once) on drop.
pub(crate) struct Owned<T: CObject>(NonNull<T>);

// SAFETY: see `SendObject`.
unsafe impl<T: SendObject> Send for Owned<T> {}

impl<T: CObject> Owned<T> {
    /// # Safety
    /// `p` must be null or an object the caller owns.
    pub(crate) unsafe fn from_ptr(p: *mut T) -> Option<Self> {
        NonNull::new(p).map(Owned)
    }

    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }

    /// Gives up ownership (librdkafka took the object).
    pub(crate) fn into_raw(self) -> *mut T {
        let p = self.0.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl<T: CObject> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: we own the object and nothing refers to it any more
        // (librdkafka copied what it needed).
        unsafe { T::destroy(self.0.as_ptr()) }
    }
}
