//! Message value types: timestamps, headers, delivery reports. (The
//! consumed [`Message`](crate::Message), which keeps its consumer alive,
//! is the consumer's: `consumer/message.rs`.)

use crate::error::{ErrorCode, KafkaError};
use crate::native::{HeadersView, MessageView};
use crate::values::MessageStatus;
use std::fmt;
use std::time::Duration;

/// `TIMESTAMP_NOT_AVAILABLE` (0): the message has no timestamp.
pub const TIMESTAMP_NOT_AVAILABLE: i32 = 0;
/// `TIMESTAMP_CREATE_TIME` (1): set by the producer.
pub const TIMESTAMP_CREATE_TIME: i32 = 1;
/// `TIMESTAMP_LOG_APPEND_TIME` (2): set by the broker.
pub const TIMESTAMP_LOG_APPEND_TIME: i32 = 2;

/// A message timestamp and its type.
///
/// ```
/// use ferrokafka::Timestamp;
/// let t = Timestamp::CreateTime(1_700_000_000_000);
/// assert_eq!(t.millis(), Some(1_700_000_000_000));
/// assert_eq!(t.kind(), ferrokafka::TIMESTAMP_CREATE_TIME);
/// assert_eq!(Timestamp::NotAvailable.millis(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// No timestamp.
    NotAvailable,
    /// Milliseconds since the Unix epoch, set by the producer.
    CreateTime(i64),
    /// Milliseconds since the Unix epoch, set by the broker on append.
    LogAppendTime(i64),
}

impl Timestamp {
    pub(crate) fn from_raw(kind: i32, ms: i64) -> Self {
        match kind {
            TIMESTAMP_CREATE_TIME if ms >= 0 => Timestamp::CreateTime(ms),
            TIMESTAMP_LOG_APPEND_TIME if ms >= 0 => Timestamp::LogAppendTime(ms),
            _ => Timestamp::NotAvailable,
        }
    }

    /// The milliseconds since the epoch, if available.
    pub fn millis(&self) -> Option<i64> {
        match *self {
            Timestamp::NotAvailable => None,
            Timestamp::CreateTime(t) | Timestamp::LogAppendTime(t) => Some(t),
        }
    }

    /// The type as the Python client's integer constants give it.
    pub fn kind(&self) -> i32 {
        match self {
            Timestamp::NotAvailable => TIMESTAMP_NOT_AVAILABLE,
            Timestamp::CreateTime(_) => TIMESTAMP_CREATE_TIME,
            Timestamp::LogAppendTime(_) => TIMESTAMP_LOG_APPEND_TIME,
        }
    }
}

/// One header, as read from a message: a name and an optional value.
///
/// Header names are written by whichever client produced the message, so
/// they are bytes here; [`name`](Self::name) gives them as `&str` when they
/// are valid UTF-8.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderRef<'a> {
    name: &'a [u8],
    value: Option<&'a [u8]>,
}

impl<'a> HeaderRef<'a> {
    /// The name, if it is valid UTF-8 (it always is for names written by
    /// this crate or any conforming client).
    pub fn name(&self) -> Option<&'a str> {
        std::str::from_utf8(self.name).ok()
    }

    /// The name's bytes.
    pub fn name_bytes(&self) -> &'a [u8] {
        self.name
    }

    /// The value; `None` for a null value (distinct from an empty one).
    pub fn value(&self) -> Option<&'a [u8]> {
        self.value
    }
}

impl fmt::Debug for HeaderRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:?}, ", String::from_utf8_lossy(self.name))?;
        match self.value {
            Some(v) => write!(f, "{:?})", String::from_utf8_lossy(v)),
            None => f.write_str("None)"),
        }
    }
}

/// A message's headers, in order, duplicates and null values included.
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    view: View<'a>,
}

/// Where the headers are: librdkafka's list, or an owned message's.
#[derive(Clone, Copy)]
enum View<'a> {
    Native(HeadersView<'a>),
    Owned(&'a [(Vec<u8>, Option<Vec<u8>>)]),
}

impl<'a> Headers<'a> {
    pub(crate) fn new(view: HeadersView<'a>) -> Self {
        Headers {
            view: View::Native(view),
        }
    }

    pub(crate) fn owned(list: &'a [(Vec<u8>, Option<Vec<u8>>)]) -> Self {
        Headers {
            view: View::Owned(list),
        }
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        match self.view {
            View::Native(v) => v.len(),
            View::Owned(l) => l.len(),
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The header at `index`.
    pub fn get(&self, index: usize) -> Option<HeaderRef<'a>> {
        match self.view {
            View::Native(v) => v.get(index).map(|(name, value)| HeaderRef { name, value }),
            View::Owned(l) => l.get(index).map(|(name, value)| HeaderRef {
                name,
                value: value.as_deref(),
            }),
        }
    }

    /// The last header with this name (Kafka's "last wins" convention).
    pub fn last(&self, name: &str) -> Option<HeaderRef<'a>> {
        self.iter().filter(|h| h.name_bytes() == name.as_bytes()).last()
    }

    /// The headers in order.
    pub fn iter(&self) -> impl Iterator<Item = HeaderRef<'a>> + 'a {
        let me = *self;
        (0..self.len()).map_while(move |i| me.get(i))
    }

    /// Copies the headers out as owned `(name, value)` pairs (names decoded
    /// lossily).
    pub fn to_vec(&self) -> Vec<(String, Option<Vec<u8>>)> {
        self.iter()
            .map(|h| {
                (
                    String::from_utf8_lossy(h.name).into_owned(),
                    h.value.map(<[u8]>::to_vec),
                )
            })
            .collect()
    }
}

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The outcome of one produced message, lent to a delivery callback.
///
/// It borrows librdkafka's copy of the message for the duration of the
/// callback: key, value and headers are read without copying. Use
/// [`delivery`](Self::delivery) to keep the result.
pub struct DeliveryReport<'a> {
    msg: MessageView<'a>,
}

impl<'a> DeliveryReport<'a> {
    pub(crate) fn new(msg: MessageView<'a>) -> Self {
        DeliveryReport { msg }
    }

    /// `Ok(())` if the message was written, else why not.
    pub fn result(&self) -> Result<(), KafkaError> {
        match self.error() {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// The delivery error, if the message was not written (Python's `err`).
    pub fn error(&self) -> Option<KafkaError> {
        let code = self.msg.err();
        if code == ErrorCode::NO_ERROR {
            return None;
        }
        // Not `rd_kafka_message_errstr`: on a delivery report it returns the
        // payload (which is not NUL-terminated) as the error string, and
        // librdkafka documents it as consumer-only. Nor
        // `rd_kafka_message_produce_errstr`: in 2.12.1 it can point into the
        // Produce result that librdkafka frees before the report is served.
        let mut e = KafkaError::from_code(code);
        if code == ErrorCode::MSG_TIMED_OUT
            || code == ErrorCode::TIMED_OUT_QUEUE
            || code == ErrorCode::TIMED_OUT
            || code == ErrorCode::TRANSPORT
        {
            e = e.with_retriable(true);
        }
        Some(e)
    }

    /// True when the message was written.
    pub fn is_ok(&self) -> bool {
        self.msg.err() == ErrorCode::NO_ERROR
    }

    /// The topic (as given to `produce`).
    pub fn topic(&self) -> &'a str {
        std::str::from_utf8(self.msg.topic_bytes()).unwrap_or("")
    }

    /// The partition, or `None` if none was assigned (Python's `None` for -1).
    pub fn partition(&self) -> Option<i32> {
        let p = self.msg.partition();
        (p >= 0).then_some(p)
    }

    /// The offset in the partition, when the broker reported one.
    pub fn offset(&self) -> Option<i64> {
        let o = self.msg.offset();
        (o >= 0).then_some(o)
    }

    /// The key, as produced.
    pub fn key(&self) -> Option<&'a [u8]> {
        self.msg.key()
    }

    /// The value, as produced.
    pub fn value(&self) -> Option<&'a [u8]> {
        self.msg.payload()
    }

    /// The headers, as produced.
    pub fn headers(&self) -> Option<Headers<'a>> {
        self.msg.headers().map(Headers::new)
    }

    /// The message timestamp.
    pub fn timestamp(&self) -> Timestamp {
        let (kind, ms) = self.msg.timestamp();
        Timestamp::from_raw(kind, ms)
    }

    /// Time from `produce` to this report. Corresponds to `rd_kafka_message_latency`.
    pub fn latency(&self) -> Option<Duration> {
        let us = self.msg.latency_us();
        (us >= 0).then(|| Duration::from_micros(us as u64))
    }

    /// Whether the message is in the log. Corresponds to `rd_kafka_message_status`.
    pub fn status(&self) -> MessageStatus {
        MessageStatus(self.msg.status())
    }

    /// The partition leader epoch, when known.
    pub fn leader_epoch(&self) -> Option<i32> {
        let e = self.msg.leader_epoch();
        (e >= 0).then_some(e)
    }

    /// The broker that handled the message, when known.
    pub fn broker_id(&self) -> Option<i32> {
        let b = self.msg.broker_id();
        (b >= 0).then_some(b)
    }

    /// Where the message was written, as an owned value.
    pub fn delivery(&self) -> Delivery {
        Delivery {
            partition: self.msg.partition(),
            offset: self.msg.offset(),
            timestamp: self.timestamp(),
        }
    }
}

impl fmt::Debug for DeliveryReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryReport")
            .field("error", &self.error())
            .field("topic", &self.topic())
            .field("partition", &self.msg.partition())
            .field("offset", &self.msg.offset())
            .field("key_len", &self.key().map(<[u8]>::len))
            .field("value_len", &self.value().map(<[u8]>::len))
            .finish()
    }
}

/// Where a message was written: the owned result of a delivery (what an
/// async [`Producer::send`](crate::Producer::send) resolves to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Delivery {
    /// The partition.
    pub partition: i32,
    /// The offset in the partition.
    pub offset: i64,
    /// The message timestamp.
    pub timestamp: Timestamp,
}
