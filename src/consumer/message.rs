//! [`Message`]: a consumed message — fetched (librdkafka's own, read
//! without copying, keeping its consumer's client alive) or owned (built by
//! an application or a test, or detached from a fetched one).

use crate::client::Handle;
use crate::message::{Headers, Timestamp};
use crate::TopicPartition;
use std::fmt;
use std::sync::Arc;

/// A consumed message: owned, `Send + Sync + 'static`.
///
/// A message returned by `poll`, `consume` or a stream is *fetched*: it
/// holds librdkafka's message (key, value and headers are read from it,
/// never copied) and a reference that keeps the client alive, so it may
/// outlive the `Consumer` it came from and cross threads and tasks.
///
/// # What a held message costs
///
/// librdkafka does not copy messages out of a fetch response: a fetched
/// message points into the response buffer, and that whole buffer (up to
/// `fetch.max.bytes` and `max.partition.fetch.bytes`, 1 MiB per partition by
/// default) stays allocated while any of its messages is alive. Holding one
/// small message out of each fetch can therefore pin megabytes. To keep a
/// message for long — in a cache, a retry queue, a batch waiting for a
/// window — [`detach`](Self::detach) it: the copy owns just its own topic,
/// key, value and headers, and pins neither the fetch buffer nor the
/// client. Measured (`benches/retained_memory.rs`, BENCHMARKS.md): keeping
/// one 1 KiB message out of each 1 MiB fetch costs about 1 MiB per message
/// fetched, 1.3 KiB detached.
///
/// # Built by hand
///
/// [`Message::new`] and the `with_…` builders make an owned message, so
/// that handlers taking `&Message` can be tested without a cluster:
///
/// ```
/// use ferrokafka::{Message, Timestamp};
/// let m = Message::new("orders", 2, 41)
///     .with_key("customer-7")
///     .with_value(r#"{"total": 12}"#)
///     .with_header("source", "web")
///     .with_timestamp(Timestamp::CreateTime(1_700_000_000_000));
/// assert_eq!(m.key(), Some(&b"customer-7"[..]));
/// assert_eq!(m.headers().unwrap().last("source").unwrap().value(), Some(&b"web"[..]));
/// assert_eq!(m.next_position().offset, 42);
/// assert_eq!(m.clone(), m);
/// ```
///
/// Two messages are equal when their topic, partition, offset, key, value,
/// headers, timestamp and leader epoch are: a fetched message equals its
/// detached copy. `Clone` makes such a copy (an owned message).
pub struct Message {
    repr: Repr,
}

enum Repr {
    Fetched {
        // Dropped before `_client`: the message is destroyed before the
        // client.
        inner: crate::native::NativeMessage,
        _client: Arc<Handle>,
    },
    Owned(Box<Owned>),
}

/// A header's name and value (`None`: null).
pub(crate) type OwnedHeader = (Vec<u8>, Option<Vec<u8>>);

struct Owned {
    topic: String,
    partition: i32,
    offset: i64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Option<Vec<OwnedHeader>>,
    timestamp: Timestamp,
    leader_epoch: Option<i32>,
    broker_id: Option<i32>,
}

impl Message {
    pub(crate) fn fetched(inner: crate::native::NativeMessage, client: Arc<Handle>) -> Self {
        Message {
            repr: Repr::Fetched { inner, _client: client },
        }
    }

    /// An owned message at `offset` of `topic` `partition`, with no key,
    /// no value, no headers and no timestamp; set them with the `with_…`
    /// methods. For tests and for applications that hand messages on.
    pub fn new(topic: impl Into<String>, partition: i32, offset: i64) -> Self {
        Message {
            repr: Repr::Owned(Box::new(Owned {
                topic: topic.into(),
                partition,
                offset,
                key: None,
                value: None,
                headers: None,
                timestamp: Timestamp::NotAvailable,
                leader_epoch: None,
                broker_id: None,
            })),
        }
    }

    /// The owned form, made if needed: builders change a copy.
    fn owned_mut(&mut self) -> &mut Owned {
        if let Repr::Fetched { .. } = self.repr {
            *self = self.detach();
        }
        match &mut self.repr {
            Repr::Owned(o) => o,
            Repr::Fetched { .. } => unreachable!("detached above"),
        }
    }

    /// The same message with this key (`None`: no key).
    #[must_use]
    pub fn with_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.owned_mut().key = Some(key.as_ref().to_vec());
        self
    }

    /// The same message with this value (payload).
    #[must_use]
    pub fn with_value(mut self, value: impl AsRef<[u8]>) -> Self {
        self.owned_mut().value = Some(value.as_ref().to_vec());
        self
    }

    /// The same message with one more header.
    #[must_use]
    pub fn with_header(self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.push_header(name.as_ref(), Some(value.as_ref()))
    }

    /// The same message with one more header, whose value is null.
    #[must_use]
    pub fn with_null_header(self, name: impl AsRef<[u8]>) -> Self {
        self.push_header(name.as_ref(), None)
    }

    fn push_header(mut self, name: &[u8], value: Option<&[u8]>) -> Self {
        let h = (name.to_vec(), value.map(<[u8]>::to_vec));
        self.owned_mut().headers.get_or_insert_with(Vec::new).push(h);
        self
    }

    /// The same message with this timestamp.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: Timestamp) -> Self {
        self.owned_mut().timestamp = timestamp;
        self
    }

    /// The same message with this leader epoch.
    #[must_use]
    pub fn with_leader_epoch(mut self, epoch: i32) -> Self {
        self.owned_mut().leader_epoch = Some(epoch);
        self
    }

    /// An owned copy: topic, key, value, headers and the rest, copied out
    /// of librdkafka's fetch buffer. It keeps neither that buffer nor the
    /// client alive (see "What a held message costs" above); it can still
    /// be committed ([`Commit::Message`](crate::Commit::Message)) and
    /// stored ([`Consumer::store_message_offset`](crate::Consumer::store_message_offset)).
    pub fn detach(&self) -> Message {
        Message {
            repr: Repr::Owned(Box::new(Owned {
                topic: self.topic().to_string(),
                partition: self.partition(),
                offset: self.offset(),
                key: self.key().map(<[u8]>::to_vec),
                value: self.value().map(<[u8]>::to_vec),
                headers: self.headers().map(|h| {
                    h.iter()
                        .map(|h| (h.name_bytes().to_vec(), h.value().map(<[u8]>::to_vec)))
                        .collect()
                }),
                timestamp: self.timestamp(),
                leader_epoch: self.leader_epoch(),
                broker_id: self.broker_id(),
            })),
        }
    }

    /// True for a message that owns its data (built, cloned or detached);
    /// false for one that points into librdkafka's fetch buffer.
    pub fn is_detached(&self) -> bool {
        matches!(self.repr, Repr::Owned(_))
    }

    /// librdkafka's message, for a fetched message of `client`.
    pub(crate) fn native_of(&self, client: &Arc<Handle>) -> Option<&crate::native::NativeMessage> {
        match &self.repr {
            Repr::Fetched { inner, _client } if Arc::ptr_eq(_client, client) => Some(inner),
            _ => None,
        }
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        match &self.repr {
            Repr::Fetched { inner, .. } => std::str::from_utf8(inner.view().topic_bytes()).unwrap_or(""),
            Repr::Owned(o) => &o.topic,
        }
    }

    /// The partition.
    pub fn partition(&self) -> i32 {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().partition(),
            Repr::Owned(o) => o.partition,
        }
    }

    /// The offset.
    pub fn offset(&self) -> i64 {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().offset(),
            Repr::Owned(o) => o.offset,
        }
    }

    /// The key, if the message has one.
    pub fn key(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().key(),
            Repr::Owned(o) => o.key.as_deref(),
        }
    }

    /// The value (payload), unless it is null.
    pub fn value(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().payload(),
            Repr::Owned(o) => o.value.as_deref(),
        }
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
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.headers().map(Headers::new),
            Repr::Owned(o) => o.headers.as_deref().map(Headers::owned),
        }
    }

    /// The timestamp and its type.
    pub fn timestamp(&self) -> Timestamp {
        match &self.repr {
            Repr::Fetched { inner, .. } => {
                let (kind, ms) = inner.view().timestamp();
                Timestamp::from_raw(kind, ms)
            }
            Repr::Owned(o) => o.timestamp,
        }
    }

    /// The partition leader epoch of the message, when known (KIP-320).
    pub fn leader_epoch(&self) -> Option<i32> {
        match &self.repr {
            Repr::Fetched { inner, .. } => {
                let e = inner.view().leader_epoch();
                (e >= 0).then_some(e)
            }
            Repr::Owned(o) => o.leader_epoch,
        }
    }

    /// The broker the message was fetched from, when known.
    pub fn broker_id(&self) -> Option<i32> {
        match &self.repr {
            Repr::Fetched { inner, .. } => {
                let b = inner.view().broker_id();
                (b >= 0).then_some(b)
            }
            Repr::Owned(o) => o.broker_id,
        }
    }

    /// The position to commit after processing this message: its offset + 1,
    /// with its leader epoch.
    pub fn next_position(&self) -> TopicPartition {
        // Saturating: a hand-built message may say any offset.
        let mut tp = TopicPartition::with_offset(self.topic(), self.partition(), self.offset().saturating_add(1));
        tp.leader_epoch = self.leader_epoch();
        tp
    }
}

impl Clone for Message {
    /// An owned copy ([`detach`](Message::detach)).
    fn clone(&self) -> Self {
        self.detach()
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        fn headers(m: &Message) -> Option<Vec<crate::HeaderRef<'_>>> {
            m.headers().map(|h| h.iter().collect())
        }
        self.partition() == other.partition()
            && self.offset() == other.offset()
            && self.topic() == other.topic()
            && self.key() == other.key()
            && self.value() == other.value()
            && self.timestamp() == other.timestamp()
            && self.leader_epoch() == other.leader_epoch()
            && headers(self) == headers(other)
    }
}

impl Eq for Message {}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("topic", &self.topic())
            .field("partition", &self.partition())
            .field("offset", &self.offset())
            .field("key_len", &self.key().map(<[u8]>::len))
            .field("value_len", &self.value().map(<[u8]>::len))
            .field("timestamp", &self.timestamp())
            .field("detached", &self.is_detached())
            .finish()
    }
}
