//! [`Record`]: one message to produce, and [`ProduceError`].

use crate::error::KafkaError;
use crate::message::{DeliveryReport, Headers};
use crate::native::{DeliveryOpaque, MessageView, NativeHeaders, OwnedPayload};
use crate::PARTITION_UA;
use std::fmt;
use std::sync::Arc;

/// A value the producer takes ownership of instead of copying
/// ([`Record::with_owned_value`]). `From` converts the usual owned byte
/// buffers for free: `Vec<u8>`, `Box<[u8]>`, `String` and `Arc<[u8]>`.
///
/// ```
/// use ferrokafka::OwnedValue;
/// use std::sync::Arc;
/// let v = OwnedValue::from(vec![1u8, 2, 3]);
/// assert_eq!(v.as_bytes(), &[1, 2, 3]);
/// let shared: Arc<[u8]> = Arc::from(&b"abc"[..]);
/// let s = OwnedValue::from(shared.clone());
/// assert!(matches!(s, OwnedValue::Shared(ref a) if Arc::ptr_eq(a, &shared)));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnedValue {
    /// An owned vector (`Box<[u8]>` and `String` become one without a
    /// copy). (Not named `Vec`: a public item of that name makes rustc
    /// print `std::vec::Vec` in every diagnostic of a crate using this one.)
    Buffer(Vec<u8>),
    /// Shared bytes: the message holds one reference until its delivery
    /// report is served, so the same buffer can go to many messages.
    Shared(Arc<[u8]>),
}

impl OwnedValue {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            OwnedValue::Buffer(v) => v,
            OwnedValue::Shared(a) => a,
        }
    }

    pub(crate) fn into_native(self) -> OwnedPayload {
        match self {
            OwnedValue::Buffer(v) => OwnedPayload::Buffer(v),
            OwnedValue::Shared(a) => OwnedPayload::Shared(a),
        }
    }

    pub(crate) fn from_native(p: OwnedPayload) -> Self {
        match p {
            OwnedPayload::Buffer(v) => OwnedValue::Buffer(v),
            OwnedPayload::Shared(a) => OwnedValue::Shared(a),
        }
    }
}

impl AsRef<[u8]> for OwnedValue {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for OwnedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            OwnedValue::Buffer(_) => "Buffer",
            OwnedValue::Shared(_) => "Shared",
        };
        write!(f, "OwnedValue::{kind}({} bytes)", self.as_bytes().len())
    }
}

impl From<Vec<u8>> for OwnedValue {
    fn from(v: Vec<u8>) -> Self {
        OwnedValue::Buffer(v)
    }
}

impl From<Box<[u8]>> for OwnedValue {
    fn from(v: Box<[u8]>) -> Self {
        OwnedValue::Buffer(v.into_vec())
    }
}

impl From<String> for OwnedValue {
    fn from(v: String) -> Self {
        OwnedValue::Buffer(v.into_bytes())
    }
}

impl From<Arc<[u8]>> for OwnedValue {
    fn from(v: Arc<[u8]>) -> Self {
        OwnedValue::Shared(v)
    }
}

/// A record's value: none, borrowed (copied by librdkafka) or owned.
pub(crate) enum Value<'a> {
    None,
    Borrowed(&'a [u8]),
    Owned(OwnedValue),
}

impl Value<'_> {
    pub(crate) fn as_slice(&self) -> Option<&[u8]> {
        match self {
            Value::None => None,
            Value::Borrowed(v) => Some(v),
            Value::Owned(o) => Some(o.as_bytes()),
        }
    }
}

/// One message to produce: a topic, and optionally a key, a value, a
/// partition, a timestamp, headers and a delivery closure.
///
/// Key and value are borrowed; librdkafka copies them inside
/// [`Producer::produce`](crate::Producer::produce), so the buffers can be
/// reused as soon as it returns. A value can also be handed over instead
/// ([`with_owned_value`](Self::with_owned_value)): librdkafka then sends
/// it without a copy, and it is released once its delivery report is
/// served. Headers are built directly into
/// librdkafka's header list. If `produce` fails (say the queue is full),
/// the record comes back in the [`ProduceError`], ready to retry.
///
/// ```
/// use ferrokafka::Record;
/// let rec = Record::new("orders")
///     .with_key("customer-7")
///     .with_value(br#"{"total": 12}"#)
///     .with_header("source", "web")
///     .with_null_header("trace")
///     .with_timestamp(1_700_000_000_000);
/// assert_eq!(rec.topic(), "orders");
/// assert_eq!(rec.headers().unwrap().len(), 2);
/// ```
pub struct Record<'a> {
    pub(crate) topic: &'a str,
    pub(crate) key: Option<&'a [u8]>,
    pub(crate) value: Value<'a>,
    pub(crate) partition: i32,
    pub(crate) timestamp: i64,
    pub(crate) headers: Option<NativeHeaders>,
    pub(crate) on_delivery: Option<DeliveryOpaque>,
    pub(crate) invalid: Option<Box<KafkaError>>,
}

impl<'a> Record<'a> {
    /// A record for `topic`, with no key, no value, the partitioner choosing
    /// the partition, and the current time as timestamp.
    pub fn new(topic: &'a str) -> Self {
        Record {
            topic,
            key: None,
            value: Value::None,
            partition: PARTITION_UA,
            timestamp: 0,
            headers: None,
            on_delivery: None,
            invalid: None,
        }
    }

    /// Sets the key.
    pub fn with_key<K: AsRef<[u8]> + ?Sized>(mut self, key: &'a K) -> Self {
        self.key = Some(key.as_ref());
        self
    }

    /// Sets the value (payload).
    pub fn with_value<V: AsRef<[u8]> + ?Sized>(mut self, value: &'a V) -> Self {
        self.value = Value::Borrowed(value.as_ref());
        self
    }

    /// Sets the value, handing the buffer over instead of lending it: the
    /// producer sends it **without copying** (librdkafka references it,
    /// without `RD_KAFKA_MSG_F_COPY`) and releases it once the message's
    /// delivery report has been served — on success, failure, purge, `close`
    /// and `Drop` alike. For large values this saves the copy every C
    /// program and other wrapper pays (BENCHMARKS.md measures it). If
    /// `produce` fails, the value comes back in the record
    /// ([`take_owned_value`](Self::take_owned_value)).
    ///
    /// An `Arc<[u8]>` lets one buffer go to many messages: each holds a
    /// reference until its report is served. An empty value is copied like
    /// a borrowed one (there is nothing to reference). A `Vec` keeps its
    /// whole capacity until then, while `queue.buffering.max.kbytes`
    /// counts only its length.
    ///
    /// The one case where a value is never released is the one where a
    /// message never gets its report: a producer dropped while its brokers
    /// are unreachable serves purge reports for at most a few seconds
    /// (see [`Producer`](crate::Producer)'s lifecycle), and what is left
    /// then is freed by librdkafka without a report, the owned value
    /// leaked (never freed while librdkafka could still read it). `close`
    /// or `flush` first to avoid it.
    ///
    /// ```
    /// use ferrokafka::{Config, MockCluster, Producer, Record};
    /// use std::time::Duration;
    /// # let cluster = MockCluster::new(1)?;
    /// # cluster.create_topic("blobs", 1, 1)?;
    /// # let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())]))?;
    /// let blob: Vec<u8> = vec![7; 512 * 1024];
    /// producer.produce(Record::new("blobs").with_owned_value(blob).with_on_delivery(|report| {
    ///     // The report still reads the value: it is released after this call.
    ///     assert_eq!(report.value().map(<[u8]>::len), Some(512 * 1024));
    /// }))?;
    /// producer.flush(Duration::from_secs(10))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_owned_value(mut self, value: impl Into<OwnedValue>) -> Self {
        self.value = Value::Owned(value.into());
        self
    }

    /// Takes the owned value back out of the record (leaving no value),
    /// e.g. from a record [`ProduceError::into_record`] handed back.
    /// `None` if the value is borrowed or unset.
    pub fn take_owned_value(&mut self) -> Option<OwnedValue> {
        match std::mem::replace(&mut self.value, Value::None) {
            Value::Owned(o) => Some(o),
            other => {
                self.value = other;
                None
            }
        }
    }

    /// Sets the key, or clears it with `None` (Python's `key=None`).
    ///
    /// ```
    /// use ferrokafka::Record;
    /// let key: Option<String> = None;
    /// let rec = Record::new("orders").with_key_opt(key.as_deref());
    /// assert_eq!(rec.key(), None);
    /// ```
    pub fn with_key_opt<K: AsRef<[u8]> + ?Sized>(mut self, key: Option<&'a K>) -> Self {
        self.key = key.map(AsRef::as_ref);
        self
    }

    /// Sets the value, or clears it with `None` (a null value: a tombstone
    /// on a compacted topic; Python's `value=None`).
    ///
    /// ```
    /// use ferrokafka::Record;
    /// let rec = Record::new("orders").with_key("k").with_value_opt(None::<&[u8]>);
    /// assert_eq!(rec.value(), None);
    /// assert_eq!(rec.key(), Some(&b"k"[..]));
    /// ```
    pub fn with_value_opt<V: AsRef<[u8]> + ?Sized>(mut self, value: Option<&'a V>) -> Self {
        self.value = match value {
            Some(v) => Value::Borrowed(v.as_ref()),
            None => Value::None,
        };
        self
    }

    /// Sends to this partition instead of letting the partitioner choose.
    /// [`PARTITION_UA`] (-1) restores the partitioner.
    pub fn with_partition(mut self, partition: i32) -> Self {
        self.partition = partition;
        self
    }

    /// Sets the timestamp in milliseconds since the Unix epoch (0 = now).
    pub fn with_timestamp(mut self, millis: i64) -> Self {
        self.timestamp = millis;
        self
    }

    /// Appends a header with a value (`&str`, `&[u8]`, `Vec<u8>`...).
    /// Order and duplicate names are kept.
    pub fn with_header(self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.with_header_bytes(name.as_bytes(), Some(value.as_ref()))
    }

    /// Appends a header with a null value (distinct from an empty one).
    pub fn with_null_header(self, name: &str) -> Self {
        self.with_header_bytes(name.as_bytes(), None)
    }

    /// Appends a header whose name is given as bytes.
    pub fn with_header_bytes(mut self, name: &[u8], value: Option<&[u8]>) -> Self {
        let headers = self.headers.get_or_insert_with(|| NativeHeaders::new(4));
        if let Err(e) = headers.add(name, value) {
            if self.invalid.is_none() {
                self.invalid = Some(Box::new(e));
            }
        }
        self
    }

    /// Appends several headers.
    pub fn with_headers<'h, I>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = (&'h str, Option<&'h [u8]>)>,
    {
        for (name, value) in headers {
            self = self.with_header_bytes(name.as_bytes(), value);
        }
        self
    }

    /// A closure to call with this message's delivery report, instead of
    /// the configuration's `on_delivery`. It is called exactly once, from a
    /// serving call (`poll`, `flush`, `close`, transaction commit/abort), or
    /// from `Drop` with a purge error if the producer is dropped first.
    pub fn with_on_delivery(mut self, f: impl FnOnce(&DeliveryReport<'_>) + Send + 'static) -> Self {
        self.on_delivery = Some(DeliveryOpaque::closure(move |m: MessageView<'_>| {
            f(&DeliveryReport::new(m))
        }));
        self
    }

    /// True once everything the record owned has moved out (what a
    /// successful produce leaves).
    pub(crate) fn is_spent(&self) -> bool {
        matches!(self.value, Value::None | Value::Borrowed(_))
            && self.headers.is_none()
            && self.on_delivery.is_none()
            && self.invalid.is_none()
    }

    /// The topic.
    pub fn topic(&self) -> &'a str {
        self.topic
    }

    /// The key, if set.
    pub fn key(&self) -> Option<&'a [u8]> {
        self.key
    }

    /// The value, if set (borrowed or owned).
    pub fn value(&self) -> Option<&[u8]> {
        self.value.as_slice()
    }

    /// True if the value is owned ([`with_owned_value`](Self::with_owned_value)).
    pub fn has_owned_value(&self) -> bool {
        matches!(self.value, Value::Owned(_))
    }

    /// The partition (-1 when the partitioner chooses).
    pub fn partition(&self) -> i32 {
        self.partition
    }

    /// The timestamp (0 = now).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The headers added so far.
    pub fn headers(&self) -> Option<Headers<'_>> {
        self.headers.as_ref().map(|h| Headers::new(h.view()))
    }

    /// True if the record carries its own delivery closure.
    pub fn has_delivery_callback(&self) -> bool {
        self.on_delivery.is_some()
    }
}

impl fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("topic", &self.topic)
            .field("key_len", &self.key.map(<[u8]>::len))
            .field("value_len", &self.value().map(<[u8]>::len))
            .field("owned_value", &self.has_owned_value())
            .field("partition", &self.partition)
            .field("timestamp", &self.timestamp)
            .field("headers", &self.headers())
            .field("on_delivery", &self.on_delivery.is_some())
            .finish()
    }
}

/// `produce` failed: why, and the record, handed back untouched (with its
/// delivery closure, which was not called).
///
/// When [`is_queue_full`](Self::is_queue_full) — the Python client's
/// `BufferError` — serve delivery reports with `poll` and produce the
/// returned record again:
///
/// ```no_run
/// # use ferrokafka::{Producer, Record};
/// # use std::time::Duration;
/// # fn send(producer: &Producer, rec: Record<'_>) -> ferrokafka::Result<()> {
/// let mut rec = rec;
/// loop {
///     match producer.produce(rec) {
///         Ok(()) => break,
///         Err(e) if e.is_queue_full() => {
///             producer.poll(Duration::from_millis(100))?;
///             rec = e.into_record();
///         }
///         Err(e) => return Err(e.into()),
///     }
/// }
/// # Ok(()) }
/// ```
///
/// `?` on it works in functions returning [`KafkaError`] (or
/// `ferrokafka::Result`) and `Box<dyn Error>` (`+ Send + Sync`): the record
/// borrows its buffers, so the error converts to an owned one, dropping
/// the record. For the same reason it does not implement
/// `std::error::Error` itself (a borrowing error could not be boxed).
///
/// ```
/// # use ferrokafka::{Config, Producer, Record};
/// fn send(p: &Producer, v: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     p.produce(Record::new("t").with_value(v))?;
///     Ok(())
/// }
/// # let p = Producer::new(&Config::from([("bootstrap.servers", "127.0.0.1:1")]))?;
/// # p.close(std::time::Duration::ZERO)?;
/// assert!(send(&p, "x").unwrap_err().to_string().contains("closed"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ProduceError<'a> {
    error: KafkaError,
    record: Record<'a>,
}

impl<'a> ProduceError<'a> {
    pub(crate) fn new(error: KafkaError, record: Record<'a>) -> Self {
        ProduceError { error, record }
    }

    /// Why the record was not queued.
    pub fn error(&self) -> &KafkaError {
        &self.error
    }

    /// True when the local queue is full: `poll` and retry.
    pub fn is_queue_full(&self) -> bool {
        self.error.is_queue_full()
    }

    /// The record, to retry.
    pub fn into_record(self) -> Record<'a> {
        self.record
    }

    /// The error alone (dropping the record), e.g. to return it as
    /// `Box<dyn Error>`, which needs an owned `'static` error.
    pub fn into_error(self) -> KafkaError {
        self.error
    }

    /// The error and the record.
    pub fn into_parts(self) -> (KafkaError, Record<'a>) {
        (self.error, self.record)
    }

    /// The record, borrowed.
    pub fn record(&self) -> &Record<'a> {
        &self.record
    }
}

impl fmt::Debug for ProduceError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProduceError")
            .field("error", &self.error)
            .field("record", &self.record)
            .finish()
    }
}

impl From<ProduceError<'_>> for KafkaError {
    fn from(e: ProduceError<'_>) -> Self {
        e.error
    }
}

impl fmt::Display for ProduceError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not produce to {:?}: {}", self.record.topic, self.error)
    }
}

impl From<ProduceError<'_>> for Box<dyn std::error::Error + Send + Sync> {
    fn from(e: ProduceError<'_>) -> Self {
        Box::new(e.error)
    }
}

impl From<ProduceError<'_>> for Box<dyn std::error::Error> {
    fn from(e: ProduceError<'_>) -> Self {
        Box::new(e.error)
    }
}
