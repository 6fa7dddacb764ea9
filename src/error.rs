//! Errors: [`ErrorCode`] (every librdkafka code, as an integer newtype) and
//! [`KafkaError`] (a code, a message and the flags of `rd_kafka_error_t`).

use std::fmt;

#[path = "error_codes.rs"]
mod codes;

/// A librdkafka or Kafka protocol error code.
///
/// A newtype over the C integer: every code librdkafka 2.12.1 names has a
/// constant (local errors, negative in C with a leading underscore, drop the
/// underscore here: `_QUEUE_FULL` is [`ErrorCode::QUEUE_FULL`]), and a code
/// this librdkafka does not know — a newer broker's, say — is still a valid
/// value rather than undefined behaviour.
///
/// ```
/// use ferrokafka::ErrorCode;
/// assert_eq!(ErrorCode::QUEUE_FULL.name(), "_QUEUE_FULL");
/// assert_eq!(ErrorCode::QUEUE_FULL.code(), -184);
/// assert_eq!(ErrorCode(12345).name(), "UNKNOWN_CODE");
/// assert!(ErrorCode::NOT_LEADER_FOR_PARTITION.is_broker_error());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(pub i32);

/// The table row of a code librdkafka 2.12.1 names.
fn known(code: i32) -> Option<&'static (&'static str, i32, &'static str, &'static str)> {
    codes::ALL_CODES
        .binary_search_by_key(&code, |&(_, v, _, _)| v)
        .ok()
        .map(|i| &codes::ALL_CODES[i])
}

impl ErrorCode {
    /// The integer value, as librdkafka and the Kafka protocol define it.
    pub fn code(self) -> i32 {
        self.0
    }

    /// librdkafka's name for the code (`rd_kafka_err2name`), e.g.
    /// `"_MSG_TIMED_OUT"` or `"NOT_LEADER_FOR_PARTITION"`; `"UNKNOWN_CODE"` for a
    /// code this librdkafka does not name.
    ///
    /// Corresponds to `rd_kafka_err2name`.
    #[doc(alias = "rd_kafka_err2name")]
    pub fn name(self) -> &'static str {
        known(self.0).map_or("UNKNOWN_CODE", |&(_, _, name, _)| name)
    }

    /// librdkafka's description of the code, e.g. `"Local: Queue full"`;
    /// for a code this librdkafka does not know, what `rd_kafka_err2str`
    /// says of it: `"Err-12345?"`.
    ///
    /// ```
    /// use ferrokafka::ErrorCode;
    /// assert_eq!(ErrorCode::QUEUE_FULL.description(), "Local: Queue full");
    /// assert_eq!(ErrorCode(12345).description(), "Err-12345?");
    /// ```
    ///
    /// Corresponds to `rd_kafka_err2str`.
    #[doc(alias = "rd_kafka_err2str")]
    pub fn description(self) -> std::borrow::Cow<'static, str> {
        match known(self.0) {
            Some(&(_, _, _, description)) => std::borrow::Cow::Borrowed(description),
            None => std::borrow::Cow::Owned(format!("Err-{}?", self.0)),
        }
    }

    /// True for codes librdkafka 2.12.1 names.
    pub fn is_known(self) -> bool {
        known(self.0).is_some()
    }

    /// True for client-side (librdkafka) codes, which are negative.
    pub fn is_local(self) -> bool {
        self.0 < 0
    }

    /// True for Kafka protocol (broker) codes, which are positive.
    pub fn is_broker_error(self) -> bool {
        self.0 > 0
    }

    /// Every code librdkafka 2.12.1 names, in numeric order.
    pub fn all() -> impl Iterator<Item = ErrorCode> {
        codes::ALL_CODES.iter().map(|&(_, v, _, _)| ErrorCode(v))
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

impl From<i32> for ErrorCode {
    fn from(v: i32) -> Self {
        ErrorCode(v)
    }
}

/// An error from librdkafka, the broker, or this crate's own checks.
///
/// It carries a [`code`](Self::code) (compare it with the [`ErrorCode`]
/// constants), a human-readable [`message`](Self::message), and the three
/// flags librdkafka attaches to `rd_kafka_error_t`:
/// [`is_fatal`](Self::is_fatal), [`is_retriable`](Self::is_retriable) and
/// [`txn_requires_abort`](Self::txn_requires_abort).
///
/// Errors never contain the value of a sensitive configuration property.
///
/// ```
/// use ferrokafka::{ErrorCode, KafkaError};
/// let e = KafkaError::from_code(ErrorCode::QUEUE_FULL);
/// assert_eq!(e.code(), ErrorCode::QUEUE_FULL);
/// assert_eq!(e, ErrorCode::QUEUE_FULL);
/// assert_eq!(e.to_string(), "Local: Queue full (_QUEUE_FULL)");
/// ```
#[derive(Clone, thiserror::Error)]
#[error("{}", Shown(self))]
pub struct KafkaError {
    code: ErrorCode,
    message: Box<str>,
    fatal: bool,
    retriable: bool,
    txn_requires_abort: bool,
    detail: Option<Box<Detail>>,
}

/// Partition context some errors carry.
#[derive(Clone, Default, PartialEq, Eq)]
struct Detail {
    partition: Option<crate::TopicPartition>,
    results: Vec<crate::TopicPartition>,
    remaining: Option<usize>,
}

impl KafkaError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let message: String = message.into();
        KafkaError {
            code,
            message: message.into_boxed_str(),
            fatal: false,
            retriable: false,
            txn_requires_abort: false,
            detail: None,
        }
    }

    /// An error whose message is librdkafka's description of the code.
    pub fn from_code(code: ErrorCode) -> Self {
        KafkaError::new(code, code.description().into_owned())
    }

    /// The same error, marked fatal or not (see [`is_fatal`](Self::is_fatal)).
    /// With the two methods below, an application or a test builds any
    /// error librdkafka can raise, as Python's `KafkaError(code, reason,
    /// fatal=…, retriable=…, txn_requires_abort=…)` does.
    ///
    /// ```
    /// use ferrokafka::{ErrorCode, KafkaError};
    /// let e = KafkaError::new(ErrorCode::FENCED, "fenced").with_fatal(true);
    /// assert!(e.is_fatal() && !e.is_retriable() && !e.txn_requires_abort());
    /// ```
    #[must_use]
    pub fn with_fatal(mut self, fatal: bool) -> Self {
        self.fatal = fatal;
        self
    }

    /// The same error, marked retriable or not.
    #[must_use]
    pub fn with_retriable(mut self, retriable: bool) -> Self {
        self.retriable = retriable;
        self
    }

    /// The same error, marked as requiring the transaction to be aborted
    /// or not.
    #[must_use]
    pub fn with_txn_requires_abort(mut self, txn_requires_abort: bool) -> Self {
        self.txn_requires_abort = txn_requires_abort;
        self
    }

    /// Attaches the partition a consumer error is about.
    pub(crate) fn with_partition(mut self, tp: crate::TopicPartition) -> Self {
        self.detail.get_or_insert_with(Default::default).partition = Some(tp);
        self
    }

    /// Attaches per-partition results (e.g. of a failed commit).
    pub(crate) fn with_results(mut self, results: Vec<crate::TopicPartition>) -> Self {
        self.detail.get_or_insert_with(Default::default).results = results;
        self
    }

    /// Attaches how many messages a `flush` or `close` left behind.
    pub(crate) fn with_remaining(mut self, remaining: usize) -> Self {
        self.detail.get_or_insert_with(Default::default).remaining = Some(remaining);
        self
    }

    /// For a [`Producer::flush`](crate::Producer::flush) or
    /// [`Producer::close`](crate::Producer::close) that ran out of time
    /// (`_TIMED_OUT`): how many messages were still undelivered —
    /// the count Python's `flush()` returns.
    ///
    /// ```
    /// use ferrokafka::{Config, Producer, Record};
    /// use std::time::Duration;
    /// // No broker answers: the message cannot be delivered in 10 ms.
    /// let producer = Producer::new(&Config::from([("bootstrap.servers", "127.0.0.1:1")]))?;
    /// producer.produce(Record::new("t").with_value("v"))?;
    /// let e = producer.flush(Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(e.code(), ferrokafka::ErrorCode::TIMED_OUT);
    /// assert_eq!(e.remaining(), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remaining(&self) -> Option<usize> {
        self.detail.as_ref().and_then(|d| d.remaining)
    }

    /// For consumer errors about one partition — such as `_PARTITION_EOF`
    /// (with the offset reached) — the topic, partition and offset.
    pub fn topic_partition(&self) -> Option<&crate::TopicPartition> {
        self.detail.as_ref().and_then(|d| d.partition.as_ref())
    }

    /// For calls on several partitions that failed as a whole (a commit,
    /// say), the per-partition results, each with its own error if any.
    pub fn partition_results(&self) -> &[crate::TopicPartition] {
        self.detail.as_ref().map(|d| d.results.as_slice()).unwrap_or(&[])
    }

    /// Prefixes the message with what was being done.
    pub(crate) fn context(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message).into_boxed_str();
        self
    }

    /// An `_INVALID_ARG` error: bad input, detected before anything was sent.
    pub(crate) fn invalid_arg(message: impl Into<String>) -> Self {
        KafkaError::new(ErrorCode::INVALID_ARG, message)
    }

    /// The error every method of a closed client returns (`_DESTROY`).
    pub(crate) fn closed(what: &str) -> Self {
        KafkaError::new(ErrorCode::DESTROY, format!("{what} has been closed"))
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The code's name, e.g. `"_QUEUE_FULL"`.
    pub fn name(&self) -> &'static str {
        self.code.name()
    }

    /// What happened, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The client can no longer be used: flush (or not) and drop it.
    /// Corresponds to `rd_kafka_error_is_fatal`.
    pub fn is_fatal(&self) -> bool {
        self.fatal
    }

    /// The same call may succeed if retried.
    /// Corresponds to `rd_kafka_error_is_retriable`.
    pub fn is_retriable(&self) -> bool {
        self.retriable
    }

    /// The current transaction must be aborted before going on.
    /// Corresponds to `rd_kafka_error_txn_requires_abort`.
    pub fn txn_requires_abort(&self) -> bool {
        self.txn_requires_abort
    }

    /// True for the error every method of a closed client returns.
    pub fn is_closed(&self) -> bool {
        self.code == ErrorCode::DESTROY
    }

    /// True when the producer's local queue is full (the Python client's
    /// `BufferError`): serve delivery reports with `poll` and retry.
    pub fn is_queue_full(&self) -> bool {
        self.code == ErrorCode::QUEUE_FULL
    }

    /// True when an operation ran out of time (`_TIMED_OUT`,
    /// `_MSG_TIMED_OUT`, `_TIMED_OUT_QUEUE` or `REQUEST_TIMED_OUT`).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::TIMED_OUT | ErrorCode::MSG_TIMED_OUT | ErrorCode::TIMED_OUT_QUEUE | ErrorCode::REQUEST_TIMED_OUT
        )
    }
}

/// Errors compare and hash by [`code`](KafkaError::code) alone, as the
/// Python client's `KafkaError` does: two errors with the same code and
/// different messages are equal (compare [`message`](KafkaError::message)
/// to tell them apart).
///
/// ```
/// use ferrokafka::{ErrorCode, KafkaError};
/// let a = KafkaError::new(ErrorCode::QUEUE_FULL, "queue full while producing to t");
/// assert_eq!(a, KafkaError::from_code(ErrorCode::QUEUE_FULL));
/// assert_ne!(a, KafkaError::from_code(ErrorCode::MSG_TIMED_OUT));
/// let mut seen = std::collections::HashSet::new();
/// seen.insert(a);
/// assert!(seen.contains(&KafkaError::from_code(ErrorCode::QUEUE_FULL)));
/// ```
impl PartialEq for KafkaError {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for KafkaError {}

impl std::hash::Hash for KafkaError {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code.hash(state)
    }
}

impl PartialEq<ErrorCode> for KafkaError {
    fn eq(&self, other: &ErrorCode) -> bool {
        self.code == *other
    }
}

/// `KafkaError`'s `Display`: "fatal: " when fatal, the message, the code's
/// name (or number when this librdkafka does not name it), and the
/// partition when the error carries one.
struct Shown<'a>(&'a KafkaError);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(e) = self;
        if e.fatal {
            f.write_str("fatal: ")?;
        }
        if e.code.is_known() {
            write!(f, "{} ({})", e.message, e.code.name())?;
        } else {
            write!(f, "{} (code {})", e.message, e.code.0)?;
        }
        if let Some(tp) = e.topic_partition() {
            write!(f, " [{} [{}] @ {}]", tp.topic, tp.partition, tp.offset)?;
        }
        Ok(())
    }
}

impl fmt::Debug for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("KafkaError");
        d.field("code", &self.code).field("message", &self.message);
        if self.fatal {
            d.field("fatal", &true);
        }
        if self.retriable {
            d.field("retriable", &true);
        }
        if self.txn_requires_abort {
            d.field("txn_requires_abort", &true);
        }
        if let Some(tp) = self.topic_partition() {
            d.field("topic_partition", tp);
        }
        if !self.partition_results().is_empty() {
            d.field("partition_results", &self.partition_results());
        }
        d.finish()
    }
}

/// `Result` with [`KafkaError`] as the default error.
pub type Result<T, E = KafkaError> = std::result::Result<T, E>;
