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
    /// Detached without headers: every field in one allocation.
    Packed(Packed),
}

/// A detached message without headers: its topic (shared with the other
/// messages detached on this thread from the same topic) and one buffer
/// holding the other fields, the key and the value (`PACKED_*` layout).
struct Packed {
    topic: Arc<String>,
    data: crate::native::ThinBytes,
}

// The packed buffer: little-endian fields, then (with a key) the key's
// length and the key, then the value (the rest).
const P_OFFSET: usize = 0; // i64
const P_TS: usize = 8; // i64, milliseconds
const P_PARTITION: usize = 16; // i32
const P_EPOCH: usize = 20; // i32
const P_BROKER: usize = 24; // i32
const P_FLAGS: usize = 28; // u8: F_*
const P_HEAD: usize = 29;
const F_KEY: u8 = 1;
const F_VALUE: u8 = 2;
const F_EPOCH: u8 = 4;
const F_BROKER: u8 = 8;
const F_CREATE_TIME: u8 = 16;
const F_LOG_APPEND_TIME: u8 = 32;

impl Packed {
    fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        self.data.as_bytes()[at..at + N].try_into().expect("fixed-size field")
    }
    fn flags(&self) -> u8 {
        self.data.as_bytes()[P_FLAGS]
    }
    /// Where the key's bytes start, and their length (a key is preceded
    /// by its u32 length).
    fn key_span(&self) -> (usize, usize) {
        if self.flags() & F_KEY == 0 {
            return (P_HEAD, 0);
        }
        (P_HEAD + 4, u32::from_le_bytes(self.bytes(P_HEAD)) as usize)
    }
    fn key(&self) -> Option<&[u8]> {
        let (at, len) = self.key_span();
        (self.flags() & F_KEY != 0).then(|| &self.data.as_bytes()[at..at + len])
    }
    fn value(&self) -> Option<&[u8]> {
        let (at, len) = self.key_span();
        (self.flags() & F_VALUE != 0).then(|| &self.data.as_bytes()[at + len..])
    }
    fn i32_if(&self, at: usize, flag: u8) -> Option<i32> {
        (self.flags() & flag != 0).then(|| i32::from_le_bytes(self.bytes(at)))
    }
    fn timestamp(&self) -> Timestamp {
        let ms = i64::from_le_bytes(self.bytes(P_TS));
        if self.flags() & F_CREATE_TIME != 0 {
            Timestamp::CreateTime(ms)
        } else if self.flags() & F_LOG_APPEND_TIME != 0 {
            Timestamp::LogAppendTime(ms)
        } else {
            Timestamp::NotAvailable
        }
    }

    /// `None` if the message has headers, or a key or value too long for
    /// the layout.
    fn of(m: &Message) -> Option<Packed> {
        if m.headers().is_some() {
            return None;
        }
        let key = m.key();
        let value = m.value();
        let (ts_flag, ts) = match m.timestamp() {
            Timestamp::NotAvailable => (0u8, 0i64),
            Timestamp::CreateTime(t) => (F_CREATE_TIME, t),
            Timestamp::LogAppendTime(t) => (F_LOG_APPEND_TIME, t),
        };
        let epoch = m.leader_epoch();
        let broker = m.broker_id();
        let flags = if key.is_some() { F_KEY } else { 0 }
            | if value.is_some() { F_VALUE } else { 0 }
            | if epoch.is_some() { F_EPOCH } else { 0 }
            | if broker.is_some() { F_BROKER } else { 0 }
            | ts_flag;
        let mut head = [0u8; P_HEAD + 4];
        head[P_OFFSET..P_OFFSET + 8].copy_from_slice(&m.offset().to_le_bytes());
        head[P_TS..P_TS + 8].copy_from_slice(&ts.to_le_bytes());
        head[P_PARTITION..P_PARTITION + 4].copy_from_slice(&m.partition().to_le_bytes());
        head[P_EPOCH..P_EPOCH + 4].copy_from_slice(&epoch.unwrap_or(0).to_le_bytes());
        head[P_BROKER..P_BROKER + 4].copy_from_slice(&broker.unwrap_or(0).to_le_bytes());
        head[P_FLAGS] = flags;
        let head_len = match key {
            Some(k) => {
                head[P_HEAD..P_HEAD + 4].copy_from_slice(&u32::try_from(k.len()).ok()?.to_le_bytes());
                P_HEAD + 4
            }
            None => P_HEAD,
        };
        Some(Packed {
            topic: shared_topic(m.topic()),
            data: crate::native::ThinBytes::concat(&[
                &head[..head_len],
                key.unwrap_or_default(),
                value.unwrap_or_default(),
            ])?,
        })
    }
}

impl Clone for Packed {
    fn clone(&self) -> Self {
        Packed {
            topic: self.topic.clone(),
            data: self.data.clone(),
        }
    }
}

/// The topic name for a packed message: the one this thread detached last
/// if it is the same (so a million messages of one topic share one name).
fn shared_topic(name: &str) -> Arc<String> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Arc<String>>> = const { std::cell::RefCell::new(None) };
    }
    LAST.try_with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some(t) if t.as_str() == name => t.clone(),
            _ => {
                let t = Arc::new(name.to_string());
                *last = Some(t.clone());
                t
            }
        }
    })
    .unwrap_or_else(|_| Arc::new(name.to_string()))
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
        if !matches!(self.repr, Repr::Owned(_)) {
            *self = self.unpacked();
        }
        match &mut self.repr {
            Repr::Owned(o) => o,
            Repr::Fetched { .. } | Repr::Packed(_) => unreachable!("made owned above"),
        }
    }

    /// An owned copy in the general (unpacked) form.
    fn unpacked(&self) -> Message {
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
    ///
    /// A message without headers is packed into one allocation (its fields,
    /// key and value; the topic name is shared with the messages detached
    /// before it on this thread): retaining a million 100-byte messages
    /// this way costs about 1.9 times their bytes (BENCHMARKS.md).
    pub fn detach(&self) -> Message {
        if let Repr::Packed(p) = &self.repr {
            return Message {
                repr: Repr::Packed(p.clone()),
            };
        }
        match Packed::of(self) {
            Some(p) => Message { repr: Repr::Packed(p) },
            None => self.unpacked(),
        }
    }

    /// True for a message that owns its data (built, cloned or detached);
    /// false for one that points into librdkafka's fetch buffer.
    pub fn is_detached(&self) -> bool {
        !matches!(self.repr, Repr::Fetched { .. })
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
            Repr::Packed(p) => p.topic.as_str(),
        }
    }

    /// The partition.
    #[inline]
    pub fn partition(&self) -> i32 {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().partition(),
            Repr::Owned(o) => o.partition,
            Repr::Packed(p) => i32::from_le_bytes(p.bytes(P_PARTITION)),
        }
    }

    /// The offset.
    #[inline]
    pub fn offset(&self) -> i64 {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().offset(),
            Repr::Owned(o) => o.offset,
            Repr::Packed(p) => i64::from_le_bytes(p.bytes(P_OFFSET)),
        }
    }

    /// The key, if the message has one.
    #[inline]
    pub fn key(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().key(),
            Repr::Owned(o) => o.key.as_deref(),
            Repr::Packed(p) => p.key(),
        }
    }

    /// The value (payload), unless it is null.
    #[inline]
    pub fn value(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.view().payload(),
            Repr::Owned(o) => o.value.as_deref(),
            Repr::Packed(p) => p.value(),
        }
    }

    /// The value's length (0 for a null value), as Python's `len(msg)`.
    #[inline]
    pub fn len(&self) -> usize {
        self.value().map(<[u8]>::len).unwrap_or(0)
    }

    /// True for an empty or null value.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The headers, in order, duplicates and null values kept.
    pub fn headers(&self) -> Option<Headers<'_>> {
        match &self.repr {
            Repr::Fetched { inner, .. } => inner.headers().map(Headers::new),
            Repr::Owned(o) => o.headers.as_deref().map(Headers::owned),
            Repr::Packed(_) => None,
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
            Repr::Packed(p) => p.timestamp(),
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
            Repr::Packed(p) => p.i32_if(P_EPOCH, F_EPOCH),
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
            Repr::Packed(p) => p.i32_if(P_BROKER, F_BROKER),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of the fields a packed message encodes reads back
    /// the same, and a message with headers stays unpacked.
    #[test]
    fn packed_messages_read_back_every_field() {
        let keys: [Option<&[u8]>; 3] = [None, Some(b""), Some(b"key \x00\xff")];
        let values: [Option<Vec<u8>>; 3] = [None, Some(Vec::new()), Some(vec![7; 300])];
        let stamps = [
            Timestamp::NotAvailable,
            Timestamp::CreateTime(0),
            Timestamp::CreateTime(1_700_000_000_000),
            Timestamp::LogAppendTime(i64::MAX),
            // Not what librdkafka hands out, but a hand-built message may.
            Timestamp::CreateTime(-5),
            Timestamp::LogAppendTime(i64::MIN),
        ];
        for key in keys {
            for value in &values {
                for ts in stamps {
                    for epoch in [None, Some(-1), Some(0), Some(i32::MAX)] {
                        for (partition, offset) in [(0, 0), (i32::MAX, i64::MAX), (-1, -1001), (i32::MIN, i64::MIN)] {
                            let mut m = Message::new("topic-x", partition, offset).with_timestamp(ts);
                            if let Some(k) = key {
                                m = m.with_key(k);
                            }
                            if let Some(v) = value {
                                m = m.with_value(v);
                            }
                            if let Some(e) = epoch {
                                m = m.with_leader_epoch(e);
                            }
                            let d = m.detach();
                            assert!(matches!(d.repr, Repr::Packed(_)), "{m:?}");
                            assert_eq!(d, m);
                            assert_eq!(d.key(), key);
                            assert_eq!(d.value(), value.as_deref());
                            assert_eq!(d.timestamp(), ts);
                            assert_eq!(d.leader_epoch(), epoch);
                            assert_eq!(d.broker_id(), None);
                            assert_eq!((d.partition(), d.offset(), d.topic()), (partition, offset, "topic-x"));
                            assert!(d.headers().is_none());
                            assert_eq!(d.clone(), m);
                            // A builder on a packed message unpacks it.
                            let h = d.clone().with_header("h", "v");
                            assert!(matches!(h.repr, Repr::Owned(_)));
                            assert_eq!(h.detach(), h);
                            assert!(matches!(h.detach().repr, Repr::Owned(_)));
                        }
                    }
                }
            }
        }
    }

    /// Messages detached one after the other from the same topic share its
    /// name.
    #[test]
    fn packed_messages_share_the_topic_name() {
        let a = Message::new("shared", 0, 1).with_value("a").detach();
        let b = Message::new("shared", 0, 2).with_value("b").detach();
        match (&a.repr, &b.repr) {
            (Repr::Packed(x), Repr::Packed(y)) => assert!(Arc::ptr_eq(&x.topic, &y.topic)),
            _ => panic!("not packed"),
        }
        let c = Message::new("other", 0, 3).detach();
        assert_eq!(c.topic(), "other");
        assert_eq!(a.topic(), "shared");
    }
}
