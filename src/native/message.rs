//! `rd_kafka_message_t`: an owned consumed message.

use super::owned::Owned;
use super::{error_from_ptr, sys, HeadersView, MessageView};
use crate::error::{ErrorCode, KafkaError};
use crate::TopicPartition;
use std::sync::OnceLock;

/// An owned consumed message (`rd_kafka_message_t` from
/// `rd_kafka_consumer_poll` / `rd_kafka_consume_batch_queue`).
pub(crate) struct NativeMessage {
    // First: fields drop in order, so the object is destroyed before
    // the ones below.
    ptr: Owned<sys::rd_kafka_message_t>,
    /// librdkafka parses headers lazily and caches them in the message,
    /// writing through a `const` pointer; the OnceLock makes that first
    /// parse happen once, so shared references may read concurrently.
    headers: OnceLock<usize>,
}

// SAFETY: the message is owned data; librdkafka allows destroying it from
// any thread (the client stays alive: the public Message holds it).
unsafe impl Send for NativeMessage {}
// SAFETY: every accessor only reads, except the lazy header parse, which the
// OnceLock serialises.
unsafe impl Sync for NativeMessage {}

impl NativeMessage {
    /// # Safety
    /// `p` must be null or a message the caller owns.
    pub(crate) unsafe fn from_ptr(p: *mut sys::rd_kafka_message_t) -> Option<Self> {
        Owned::from_ptr(p).map(|ptr| NativeMessage {
            ptr,
            headers: OnceLock::new(),
        })
    }

    /// A borrowed view (its `headers` must not be used: see [`Self::headers`]).
    pub(crate) fn view(&self) -> MessageView<'_> {
        // SAFETY: the message lives as long as the borrow of self.
        unsafe { MessageView::from_ptr(self.ptr.as_ptr()).expect("non-null") }
    }

    /// The headers, parsed once.
    pub(crate) fn headers(&self) -> Option<HeadersView<'_>> {
        let p = *self.headers.get_or_init(|| {
            let mut h: *mut sys::rd_kafka_headers_t = std::ptr::null_mut();
            // SAFETY: valid message; runs at most once (OnceLock).
            let err = unsafe { sys::rd_kafka_message_headers(self.ptr.as_ptr(), &mut h) };
            if err != 0 {
                0
            } else {
                h as usize
            }
        });
        if p == 0 {
            None
        } else {
            // SAFETY: the headers live as long as the message.
            Some(unsafe { HeadersView::from_ptr(p as *mut sys::rd_kafka_headers_t) })
        }
    }

    /// Stores this message's offset + 1 for the next commit.
    ///
    /// Corresponds to `rd_kafka_offset_store_message`.
    pub(crate) fn store_offset(&self) -> Result<(), KafkaError> {
        // SAFETY: valid message; librdkafka only reads it.
        match unsafe { error_from_ptr(sys::rd_kafka_offset_store_message(self.ptr.as_ptr())) } {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Whether this message carries a consumer error (see [`Self::error`]).
    #[inline]
    pub(crate) fn is_error(&self) -> bool {
        self.view().err() != ErrorCode::NO_ERROR
    }

    /// The consumer error this message carries, with the partition it is
    /// about (`_PARTITION_EOF` carries the offset reached).
    pub(crate) fn error(&self) -> Option<KafkaError> {
        let v = self.view();
        let code = v.err();
        if code == ErrorCode::NO_ERROR {
            return None;
        }
        let topic = String::from_utf8_lossy(v.topic_bytes()).into_owned();
        let e = KafkaError::new(code, v.errstr());
        Some(if topic.is_empty() {
            e
        } else {
            e.with_partition(TopicPartition::with_offset(topic, v.partition(), v.offset()))
        })
    }
}
