//! [`Message`]: a consumed message, which keeps its consumer's client
//! alive.

use crate::client::Handle;
use crate::message::{Headers, Timestamp};
use std::fmt;
use std::sync::Arc;

/// A consumed message: owned, `Send + Sync + 'static`, and read without
/// copying.
///
/// It holds librdkafka's message (key, value and headers are borrowed from
/// it, never copied) and a reference that keeps the client alive, so a
/// message may outlive the `Consumer` it came from and cross threads and
/// tasks; the client is destroyed when the last message goes.
pub struct Message {
    inner: crate::native::NativeMessage,
    // Dropped after `inner`: the message is destroyed before the client.
    _client: Arc<Handle>,
}

impl Message {
    pub(crate) fn new(inner: crate::native::NativeMessage, client: Arc<Handle>) -> Self {
        Message { inner, _client: client }
    }

    pub(crate) fn native(&self) -> &crate::native::NativeMessage {
        &self.inner
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        std::str::from_utf8(self.inner.view().topic_bytes()).unwrap_or("")
    }

    /// The partition.
    pub fn partition(&self) -> i32 {
        self.inner.view().partition()
    }

    /// The offset.
    pub fn offset(&self) -> i64 {
        self.inner.view().offset()
    }

    /// The key, if the message has one.
    pub fn key(&self) -> Option<&[u8]> {
        self.inner.view().key()
    }

    /// The value (payload), unless it is null.
    pub fn value(&self) -> Option<&[u8]> {
        self.inner.view().payload()
    }

    /// The value's length (0 for a null value), as Python's `len(msg)`.
    pub fn len(&self) -> usize {
        self.value().map(<[u8]>::len).unwrap_or(0)
    }

    /// True for an empty or null value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The headers, in order, duplicates and null values kept.
    pub fn headers(&self) -> Option<Headers<'_>> {
        self.inner.headers().map(Headers::new)
    }

    /// The timestamp and its type.
    pub fn timestamp(&self) -> Timestamp {
        let (kind, ms) = self.inner.view().timestamp();
        Timestamp::from_raw(kind, ms)
    }

    /// The partition leader epoch of the message, when known (KIP-320).
    pub fn leader_epoch(&self) -> Option<i32> {
        let e = self.inner.view().leader_epoch();
        (e >= 0).then_some(e)
    }

    /// The broker the message was fetched from, when known.
    pub fn broker_id(&self) -> Option<i32> {
        let b = self.inner.view().broker_id();
        (b >= 0).then_some(b)
    }

    /// The position to commit after processing this message: its offset + 1,
    /// with its leader epoch.
    pub fn next_position(&self) -> crate::TopicPartition {
        let mut tp = crate::TopicPartition::with_offset(self.topic(), self.partition(), self.offset() + 1);
        tp.leader_epoch = self.leader_epoch();
        tp
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("topic", &self.topic())
            .field("partition", &self.partition())
            .field("offset", &self.offset())
            .field("key_len", &self.key().map(<[u8]>::len))
            .field("value_len", &self.value().map(<[u8]>::len))
            .field("timestamp", &self.timestamp())
            .finish()
    }
}
