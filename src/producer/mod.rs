//! The [`Producer`].

mod record;
mod send;
mod topic_cache;

pub use crate::values::Purge;
#[cfg(feature = "schema-registry")]
pub(crate) use record::Value as RecordValue;
pub use record::{OwnedValue, ProduceError, Record};
pub use send::SendFuture;

use crate::client::{create_native, ClientCore, Handle};
use topic_cache::TopicCache;

/// The producer's handle: its topic handles live (and die) with it.
pub(crate) type ProducerHandle = Handle<TopicCache>;
use crate::config::{ClientKind, Config};
use crate::dispatch::{call_user, finish, panic_message, serve_common, serve_deferred, Interrupt};
use crate::error::{ErrorCode, KafkaError, Result};
use crate::group_metadata::ConsumerGroupMetadata;
use crate::message::DeliveryReport;
use crate::native::{EventKind, NativeEvent, NativeTpl, ProduceArgs, Txn};
use crate::timeout::{Deadline, Timeout};
use crate::TopicPartition;
use std::panic::resume_unwind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long `Drop` serves the purge reports of undelivered messages.
const DROP_DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// The longest `poll` waits inside librdkafka at once (see `Producer::poll`).
const WAIT_SLICE_MS: i32 = 200;

/// A Kafka producer: the Python client's `Producer`.
///
/// `produce` queues a message and returns at once; librdkafka batches,
/// compresses, sends and retries it in the background. Each message gets
/// exactly one delivery report, handed to its own closure
/// ([`Record::with_on_delivery`]) or to the configuration's `on_delivery` — but
/// only inside a serving call: [`poll`](Self::poll), [`flush`](Self::flush),
/// [`close`](Self::close), transaction commit/abort, or `Drop`. Call `poll`
/// regularly (or `flush` at the end).
///
/// A `Producer` is `Send + Sync`: share it between threads with an `Arc`.
///
/// # Lifecycle
///
/// * [`close`](Self::close) flushes (bounded by its timeout), purges what is
///   still undelivered after that (each such message gets a `_PURGE_QUEUE`
///   or `_PURGE_INFLIGHT` report), and destroys the client. Afterwards every
///   method returns an error for which [`KafkaError::is_closed`] holds.
/// * `Drop` without `close` does **not** wait for delivery: it purges every
///   queued and in-flight message and serves their delivery reports (each
///   callback is called with a purge error, at most a few seconds in all),
///   then destroys the client. Nothing vanishes without a report, and drop
///   never hangs. Call `close` (or `flush`) to deliver instead.
///
///
/// # What callbacks may call
///
/// Callbacks served on the calling thread inside a serving call —
/// delivery closures (per message and `on_delivery`), `error_cb`, `stats_cb`, `throttle_cb`, `logger`, served by `poll`, `flush`, `close`, transaction commit/abort and `Drop` — may call any method of this producer or of any other client, `close`
/// included (a nested serving call serves the events queued after the
/// current one; after a `close` the outer call returns the "closed" error),
/// and may drop clients; another thread may call `close` meanwhile. No
/// method holds a lock across one of these callbacks, nor the client's
/// handle lock across a C call, so none of this blocks. The two callbacks librdkafka runs in the middle of its own work
/// — a custom partitioner ([`Config::set_partitioner`], inside `produce`)
/// and the OAuth token refresh ([`Config::set_oauth_cb`], on librdkafka's
/// background thread) — cannot call back into librdkafka: there every
/// method except `name` and `is_closed` returns a `_STATE` error saying so
/// (and dropping a client hands its destruction to a helper thread).
///
/// ```
/// use ferrokafka::{Config, MockCluster, Producer, Record};
/// use std::time::Duration;
///
/// let cluster = MockCluster::new(1)?;
/// cluster.create_topic("greetings", 1, 1)?;
/// let mut config = Config::new();
/// config.set("bootstrap.servers", cluster.bootstrap_servers());
/// let producer = Producer::new(&config)?;
/// producer.produce(Record::new("greetings").with_key("k").with_value("hello").with_on_delivery(|report| {
///     assert!(report.is_ok(), "{:?}", report.error());
/// }))?;
/// producer.flush(Duration::from_secs(10))?;
/// producer.close(Duration::from_secs(10))?;
/// assert!(producer.poll(Duration::ZERO).unwrap_err().is_closed());
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
pub struct Producer {
    core: ClientCore<TopicCache>,
    /// A transaction was begun and neither committed nor aborted since:
    /// `close` aborts it first.
    in_txn: AtomicBool,
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Producer");
        match self.core.peek() {
            Some(h) => d.field("name", &h.name()).field("len", &h.client.outq_len()),
            None => d.field("closed", &true),
        };
        d.finish()
    }
}

fn check_topic_name(topic: &str) -> Result<()> {
    let ok_chars = topic
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if topic.is_empty() || topic.len() > 249 || !ok_chars || topic == "." || topic == ".." {
        return Err(KafkaError::invalid_arg(format!(
            "invalid topic name {topic:?}: a topic name is 1 to 249 characters from [a-zA-Z0-9._-] and not \".\" or \"..\""
        )));
    }
    Ok(())
}

/// Messages librdkafka still holds (queued, in flight, or waiting for their
/// report to be served), and exactly 0 only once every report has been
/// served.
///
/// librdkafka counts a message until its report is destroyed, after
/// serving; `outq_len` is that count plus the events on our queue, so the
/// difference estimates it. Estimates only: a report queued between the
/// two reads is over-counted (hence the queue is read first — read the
/// other way round it was subtracted without being counted, and `flush`
/// was seen returning before a delivery closure had run), and one that
/// another thread takes off the queue meanwhile is subtracted while its
/// messages still count. So a 0 is confirmed with `rd_kafka_flush(0)`,
/// which, with delivery reports as events (always, for our producers),
/// reads librdkafka's own count under its lock without waiting or
/// serving anything. (It also wakes the broker threads to send what they
/// hold at once, as the callers — `flush` and the drains of `close` and
/// `Drop` — want anyway.)
fn pending_messages(h: &ProducerHandle) -> usize {
    let events = h.queue.len();
    match h.client.outq_len().saturating_sub(events) {
        0 if h.client.flush(0) != ErrorCode::NO_ERROR => 1,
        n => n,
    }
}

impl Producer {
    /// Creates a producer. Every property is validated: an unknown key, a
    /// bad value or conflicting settings (e.g. `enable.idempotence=true`
    /// with `acks=1`) give an `_INVALID_ARG` error naming the key.
    ///
    /// Corresponds to `rd_kafka_new` with `RD_KAFKA_PRODUCER`.
    #[doc(alias = "rd_kafka_new")]
    pub fn new(config: &Config) -> Result<Producer> {
        Producer::create(config, None)
    }

    /// Creates the producer from a librdkafka handle that C code makes: `create`
    /// gets the configuration ferrokafka prepared from `config` (every
    /// property, and the callbacks that route events to ferrokafka) as a
    /// [`RawConf`](crate::raw::RawConf), passes it to `rd_kafka_new` (C
    /// code may set further properties on it first), and returns the handle
    /// as a [`RawNew`](crate::raw::RawNew) — or `Err` with a reason if
    /// `rd_kafka_new` failed. From then on the producer is an ordinary one.
    /// For applications whose C code creates the client (to keep its own
    /// configuration code, say) while Rust uses it; see [`crate::raw`].
    ///
    /// The handle is checked (its opaque must be the prepared
    /// configuration's, the settings ferrokafka sets itself unchanged, its
    /// type `RD_KAFKA_PRODUCER`): one that fails the check
    /// is an `_INVALID_ARG` error (see
    /// [`RawNew::from_ptr`](crate::raw::RawNew::from_ptr) for which handles
    /// are destroyed). A panic in `create` comes out of this call.
    /// `Err` from `create` is an `_INVALID_ARG` error carrying its reason.
    ///
    /// ```
    /// use ferrokafka::raw::{rdkafka_sys::bindings as c, RawNew};
    /// # let cluster = ferrokafka::MockCluster::new(1)?;
    /// # let config = ferrokafka::Config::from([("bootstrap.servers", cluster.bootstrap_servers()), ("group.id", "g")]);
    /// let client = ferrokafka::Producer::from_raw(&config, |conf| {
    ///     let client_type = conf.client_type();
    ///     let mut errstr = [0 as std::os::raw::c_char; 512];
    ///     // C code would do this; here Rust calls the same C function.
    ///     // SAFETY: a prepared configuration, handed to rd_kafka_new once.
    ///     let rk = unsafe { c::rd_kafka_new(client_type, conf.into_ptr(), errstr.as_mut_ptr(), errstr.len()) };
    ///     // SAFETY: made from that configuration, not used since.
    ///     unsafe { RawNew::from_ptr(rk) }.ok_or_else(|| "rd_kafka_new failed".to_string())
    /// })?;
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    ///
    /// Corresponds to `rd_kafka_new`, called by the caller's code.
    #[doc(alias = "rd_kafka_new")]
    pub fn from_raw(
        config: &Config,
        create: impl FnOnce(crate::raw::RawConf) -> std::result::Result<crate::raw::RawNew, String>,
    ) -> Result<Producer> {
        Producer::create(config, Some(Box::new(create)))
    }

    /// The producer's librdkafka handle, for C code that works beside it
    /// ([`RawClient::as_ptr`](crate::raw::RawClient::as_ptr), whose `#
    /// Safety` section says what that code may do). The `RawClient` keeps
    /// the C handle alive; the closed-client error (`_DESTROY`) once the producer is closed.
    ///
    /// ```
    /// # let cluster = ferrokafka::MockCluster::new(1)?;
    /// # let config = ferrokafka::Config::from([("bootstrap.servers", cluster.bootstrap_servers()), ("group.id", "g")]);
    /// # let client = ferrokafka::Producer::new(&config)?;
    /// let raw = client.raw_client()?;
    /// // SAFETY: only reads the handle's name.
    /// let name = unsafe { std::ffi::CStr::from_ptr(ferrokafka::raw::rdkafka_sys::bindings::rd_kafka_name(raw.as_ptr())) };
    /// assert!(name.to_str().unwrap().starts_with("rdkafka#"));
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn raw_client(&self) -> Result<crate::raw::RawClient> {
        self.core.raw_client()
    }

    fn create(config: &Config, raw: Option<crate::native::raw::RawCreate<'_>>) -> Result<Producer> {
        let (client, state) = create_native(config, ClientKind::Producer, raw)?;
        let queue = client.main_queue();
        let handle = Handle::new(client, queue, state, TopicCache::default());
        Ok(Producer {
            core: ClientCore::new(handle, ClientKind::Producer),
            in_txn: AtomicBool::new(false),
        })
    }

    /// Queues a message for delivery and returns at once.
    ///
    /// Fails without queuing — handing the record back in the
    /// [`ProduceError`] — when the local queue is full
    /// ([`ProduceError::is_queue_full`], the Python `BufferError`: `poll`
    /// and retry), when the producer has a fatal error or is closed, or for
    /// bad input (invalid topic name, partition below -1, negative
    /// timestamp, unknown partition, message larger than
    /// `message.max.bytes`). The record's delivery closure is then not
    /// called.
    ///
    /// Corresponds to `rd_kafka_produceva`.
    #[doc(alias = "rd_kafka_produceva")]
    // The error hands the record back by value (128 bytes since a record
    // may own its value): a box would cost an allocation on every
    // queue-full retry.
    #[allow(clippy::result_large_err)]
    pub fn produce<'a>(&self, record: Record<'a>) -> std::result::Result<(), ProduceError<'a>> {
        match self.core.get_open() {
            Some(h) => produce_to_handle(&h, record),
            None => Err(ProduceError::new(
                self.core.get().err().unwrap_or_else(|| self.core.closed_error()),
                record,
            )),
        }
    }

    /// Queues several records, each as [`produce`](Self::produce) would:
    /// the Python client's `produce_batch`, with per-record results and the
    /// count of records accepted. A record that fails does not stop the
    /// others; it comes back, untouched and with its delivery closure, in
    /// [`BatchOutcome::failed`] beside its index, ready to retry. Unlike
    /// Python's, headers and timestamps are kept, and records may go to
    /// different topics.
    ///
    /// ```
    /// # use ferrokafka::{Config, MockCluster, Producer, Record};
    /// # use std::time::Duration;
    /// # let cluster = MockCluster::new(1)?;
    /// # cluster.create_topic("orders", 1, 1)?;
    /// # let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())]))?;
    /// let values = ["a", "b", "c"];
    /// let outcome = producer.produce_batch(values.iter().map(|v| Record::new("orders").with_value(v)));
    /// assert_eq!(outcome.accepted(), 3);
    /// assert!(outcome.is_complete());
    /// producer.flush(Duration::from_secs(10))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn produce_batch<'a>(&self, records: impl IntoIterator<Item = Record<'a>>) -> BatchOutcome<'a> {
        let mut outcome = BatchOutcome {
            accepted: 0,
            failed: Vec::new(),
        };
        // Each record as `produce`: a `close` on another thread meanwhile
        // fails the records after it, rather than queue them on a handle
        // whose flush has already run.
        for (i, record) in records.into_iter().enumerate() {
            match self.produce(record) {
                Ok(()) => outcome.accepted += 1,
                Err(e) => outcome.failed.push((i, e)),
            }
        }
        outcome
    }

    /// Serves queued events — delivery reports, errors, statistics, logs —
    /// calling their callbacks on this thread. Waits up to `timeout` for the
    /// first event, then serves whatever else is queued without waiting.
    /// Returns how many were served (a delivery report counts once per
    /// message).
    ///
    /// A fatal error comes back as `Err` (with [`KafkaError::is_fatal`]);
    /// a panic in a callback comes out of `poll` (the remaining events stay
    /// queued for the next call).
    ///
    /// Corresponds to `rd_kafka_queue_poll` on the main queue.
    #[doc(alias = "rd_kafka_poll")]
    pub fn poll(&self, timeout: impl Into<Timeout>) -> Result<usize> {
        let h = self.core.arc()?;
        let timeout = timeout.into();
        let ms = timeout.as_millis_i32();
        if (0..=WAIT_SLICE_MS).contains(&ms) {
            return finish(serve(&h, ms));
        }
        // A long wait is made of slices, so that a `close` on another
        // thread ends it (with the "closed" error) instead of leaving this
        // call to hold the client alive.
        let deadline = Deadline::new(timeout);
        loop {
            let n = finish(serve(&h, deadline.remaining_ms_capped(WAIT_SLICE_MS)))?;
            if n > 0 || deadline.expired() {
                return Ok(n);
            }
            if self.core.is_closed() {
                return Err(KafkaError::closed(ClientKind::Producer.name()));
            }
        }
    }

    /// Waits until every queued message has been delivered (or failed) and
    /// its report served, or until `timeout`.
    ///
    /// `Ok(())` means nothing is left: every message has had its delivery
    /// report. When the timeout comes first, the result is a `_TIMED_OUT`
    /// error (retriable) whose [`KafkaError::remaining`] is the number of
    /// messages still undelivered — the count Python's `flush()` returns —
    /// so `producer.flush(t)?` can never pass over messages that were not
    /// delivered. They stay queued: flush or poll again, or
    /// [`purge`](Self::purge) them. For the count without waiting, use
    /// [`len`](Self::len).
    ///
    /// Like `rd_kafka_flush`, it asks librdkafka to send at once rather
    /// than wait for `linger.ms`.
    ///
    /// ```
    /// # use ferrokafka::{Config, MockCluster, Producer, Record};
    /// # use std::time::Duration;
    /// # let cluster = MockCluster::new(1)?;
    /// # let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())]))?;
    /// producer.produce(Record::new("t").with_value("v"))?;
    /// match producer.flush(Duration::from_secs(10)) {
    ///     Ok(()) => {}
    ///     Err(e) if e.remaining().is_some() => eprintln!("{} messages not delivered yet", e.remaining().unwrap()),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Corresponds to `rd_kafka_flush`.
    #[doc(alias = "rd_kafka_flush")]
    pub fn flush(&self, timeout: impl Into<Timeout>) -> Result<()> {
        let h = self.core.arc()?;
        match finish(flush_handle(&h, Deadline::new(timeout.into())))? {
            0 => Ok(()),
            left => Err(KafkaError::new(
                ErrorCode::TIMED_OUT,
                format!("flush: {left} message(s) still undelivered at the timeout (they stay queued)"),
            )
            .with_retriable(true)
            .with_remaining(left)),
        }
    }

    /// Messages (and requests and events) librdkafka still holds for this
    /// producer; 0 once closed. Python's `len(producer)`.
    ///
    /// Corresponds to `rd_kafka_outq_len`.
    #[doc(alias = "rd_kafka_outq_len")]
    pub fn len(&self) -> usize {
        self.core.get().map(|h| h.client.outq_len()).unwrap_or(0)
    }

    /// True when [`len`](Self::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes messages from the queue ([`Purge::QUEUED`]) and/or stops
    /// waiting for those already sent ([`Purge::IN_FLIGHT`]; they may still
    /// be written). Each purged message gets a delivery report with
    /// `_PURGE_QUEUE` or `_PURGE_INFLIGHT`, served by the next `poll` or
    /// `flush`. With [`Purge::non_blocking`], librdkafka does not wait for
    /// its threads to finish purging. Python's `purge()` with its defaults
    /// is `purge(Purge::ALL)`.
    ///
    /// Corresponds to `rd_kafka_purge`.
    #[doc(alias = "rd_kafka_purge")]
    pub fn purge(&self, what: Purge) -> Result<()> {
        self.core.get()?.client.purge(what)
    }

    crate::client::common_client_methods!("producer");

    /// The fatal error the producer raised, if any (after which it can only
    /// be flushed and dropped).
    ///
    /// Corresponds to `rd_kafka_fatal_error`.
    #[doc(alias = "rd_kafka_fatal_error")]
    pub fn fatal_error(&self) -> Result<Option<KafkaError>> {
        Ok(self.core.get()?.client.fatal_error())
    }

    /// Raises a fatal error as if librdkafka had, for testing error
    /// handling. Requires `enable.idempotence=true` to be meaningful.
    ///
    /// Corresponds to `rd_kafka_test_fatal_error`.
    #[doc(alias = "rd_kafka_test_fatal_error")]
    pub fn test_fatal_error(&self, code: ErrorCode, reason: &str) -> Result<()> {
        self.core.get()?.client.test_fatal_error(code, reason)
    }

    /// Registers the `transactional.id` with the coordinator and fences
    /// older producers with the same id. Call once, before the first
    /// transaction.
    ///
    /// Corresponds to `rd_kafka_init_transactions`.
    #[doc(alias = "rd_kafka_init_transactions")]
    pub fn init_transactions(&self, timeout: impl Into<Timeout>) -> Result<()> {
        let h = self.core.arc()?;
        h.client.txn_call(Txn::Init, timeout.into().as_millis_i32())
    }

    /// Starts a transaction.
    ///
    /// Corresponds to `rd_kafka_begin_transaction`.
    #[doc(alias = "rd_kafka_begin_transaction")]
    pub fn begin_transaction(&self) -> Result<()> {
        let h = self.core.arc()?;
        h.client.txn_call(Txn::Begin, 0)?;
        self.in_txn.store(true, Ordering::Release);
        Ok(())
    }

    /// Adds consumed offsets to the current transaction, so they are
    /// committed (for the consumer group in `group_metadata`) if and only if
    /// the transaction commits. `offsets` are the next offsets to consume
    /// (last processed + 1).
    ///
    /// Corresponds to `rd_kafka_send_offsets_to_transaction`.
    #[doc(alias = "rd_kafka_send_offsets_to_transaction")]
    pub fn send_offsets_to_transaction(
        &self,
        offsets: &[TopicPartition],
        group_metadata: &ConsumerGroupMetadata,
        timeout: impl Into<Timeout>,
    ) -> Result<()> {
        let h = self.core.arc()?;
        let tpl = NativeTpl::from_partitions(offsets)?;
        h.client.txn_call(
            Txn::SendOffsets(&tpl, group_metadata.native()),
            timeout.into().as_millis_i32(),
        )
    }

    /// Flushes the transaction's messages (serving their delivery reports
    /// on this thread) and commits it.
    ///
    /// Errors carry librdkafka's flags: retriable (call again),
    /// [`txn_requires_abort`](KafkaError::txn_requires_abort) (call
    /// [`abort_transaction`](Self::abort_transaction), then start over) or
    /// fatal (drop the producer).
    ///
    /// Corresponds to `rd_kafka_commit_transaction`.
    #[doc(alias = "rd_kafka_commit_transaction")]
    pub fn commit_transaction(&self, timeout: impl Into<Timeout>) -> Result<()> {
        self.txn_serving(true, timeout.into())
    }

    /// Aborts the transaction: purges its queued messages (their delivery
    /// reports, with `_PURGE_QUEUE`, are served on this thread), waits for
    /// those in flight, and aborts.
    ///
    /// Corresponds to `rd_kafka_abort_transaction`.
    #[doc(alias = "rd_kafka_abort_transaction")]
    pub fn abort_transaction(&self, timeout: impl Into<Timeout>) -> Result<()> {
        self.txn_serving(false, timeout.into())
    }

    /// Runs commit or abort — which wait inside librdkafka for every
    /// delivery report to be served — on a helper thread while this thread
    /// serves the reports. A panic in a delivery callback does not stop
    /// serving here (librdkafka would otherwise wait out the whole timeout);
    /// the first panic is resumed once the call has finished.
    fn txn_serving(&self, commit: bool, timeout: Timeout) -> Result<()> {
        let h = self.core.arc()?;
        let call = || if commit { Txn::Commit } else { Txn::Abort };
        let ms = timeout.as_millis_i32();
        let done = AtomicBool::new(false);
        let mut first_panic = None;
        let mut fatal = None;
        let result = std::thread::scope(|s| {
            let worker = std::thread::Builder::new()
                .name("ferrokafka-txn".into())
                .spawn_scoped(s, || {
                    let r = h.client.txn_call(call(), ms);
                    done.store(true, Ordering::Release);
                    h.queue.wake();
                    r
                });
            let worker = match worker {
                Ok(w) => w,
                Err(_) => {
                    // No thread: serve first, then call here.
                    let _ = flush_handle(&h, Deadline::new(timeout));
                    return h.client.txn_call(call(), ms);
                }
            };
            while !done.load(Ordering::Acquire) {
                match serve(&h, 100) {
                    Ok(_) => {}
                    Err(Interrupt::Panic(p)) => {
                        if first_panic.is_none() {
                            first_panic = Some(p);
                        } else {
                            log::error!(target: "librdkafka", "another delivery callback panicked: {}", panic_message(&*p));
                        }
                    }
                    Err(Interrupt::Error(e)) => fatal = Some(e),
                }
            }
            worker.join().unwrap_or_else(|p| resume_unwind(p))
        });
        if result.is_ok() {
            // Ended in librdkafka, whatever a delivery callback did meanwhile
            // (its panic is resumed below): `close` has nothing to abort.
            self.in_txn.store(false, Ordering::Release);
        }
        if let Some(p) = first_panic {
            resume_unwind(p);
        }
        match (result, fatal) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(f)) => Err(f),
            (Ok(()), None) => Ok(()),
        }
    }

    /// Flushes (up to `timeout`), then destroys the producer. Messages still
    /// undelivered at the timeout are purged and their delivery reports
    /// served before returning, so every message has had its report; the
    /// result is then a `_TIMED_OUT` error saying how many. Afterwards
    /// every method fails with the "closed" error ([`KafkaError::is_closed`]);
    /// closing again is a no-op.
    ///
    /// A transaction that was begun and neither committed nor aborted is
    /// aborted first (within the same `timeout`), as the Python client's
    /// `close` does: its messages are not committed, and consumers reading
    /// committed data are not held up by it until the broker's
    /// `transaction.timeout.ms`. If the abort fails, the close goes on and
    /// returns the abort's error (with [`KafkaError::remaining`] if messages
    /// had to be purged). `Drop` does not abort: it cannot wait. A
    /// transaction begun or committed on another thread while `close`
    /// runs is not coordinated with it.
    ///
    /// A panic in a delivery callback comes out of `close`, leaving the
    /// producer open (close it again to finish). A fatal error does not
    /// stop the close; it is returned at the end.
    pub fn close(&self, timeout: impl Into<Timeout>) -> Result<()> {
        let Some(h) = self.core.for_close()? else {
            return Ok(());
        };
        let deadline = Deadline::new(timeout.into());
        let mut fatal = None;
        let mut txn_error = None;
        if self.in_txn.load(Ordering::Acquire) {
            let left = match deadline.remaining_ms() {
                -1 => Timeout::Never,
                ms => Timeout::After(Duration::from_millis(ms as u64)),
            };
            if let Err(e) = self.abort_transaction(left) {
                txn_error = Some(e.context("close: aborting the open transaction"));
            }
        }
        let left = loop {
            match flush_handle(&h, deadline) {
                Ok(left) => break left,
                Err(Interrupt::Error(e)) => fatal = Some(e),
                Err(Interrupt::Panic(p)) => resume_unwind(p),
            }
        };
        let mut result = Ok(());
        if left > 0 {
            let _ = h.client.purge(Purge::ALL);
            let drain = Deadline::after(DROP_DRAIN_LIMIT);
            while pending_messages(&h) > 0 && !drain.expired() {
                match serve(&h, drain.remaining_ms_capped(100)) {
                    Ok(_) => {}
                    Err(Interrupt::Error(e)) => fatal = Some(e),
                    Err(Interrupt::Panic(p)) => resume_unwind(p),
                }
            }
            result = Err(KafkaError::new(
                ErrorCode::TIMED_OUT,
                format!(
                    "close: {left} message(s) were not delivered within the timeout; they were purged and their delivery reports served"
                ),
            )
            .with_remaining(left));
        }
        drop(self.core.take());
        // Wake a `poll` blocked on another thread: it sees the close.
        h.queue.wake();
        drop(h);
        match (fatal, txn_error, result) {
            (Some(f), _, _) => Err(f),
            // The abort's error, still saying how many messages were purged.
            (None, Some(t), Err(purged)) => Err(match purged.remaining() {
                Some(n) => t.with_remaining(n),
                None => t,
            }),
            (None, Some(t), Ok(())) => Err(t),
            (None, None, r) => r,
        }
    }
}

/// What [`Producer::produce_batch`] did: how many records were queued, and
/// the ones that were not, each with its index in the batch and its error
/// (which hands the record back).
#[must_use = "records that failed are handed back in `failed`: check them"]
pub struct BatchOutcome<'a> {
    accepted: usize,
    failed: Vec<(usize, ProduceError<'a>)>,
}

impl<'a> BatchOutcome<'a> {
    /// How many records were queued (Python's return value).
    pub fn accepted(&self) -> usize {
        self.accepted
    }

    /// True when every record was queued.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// The records that were not queued: `(index in the batch, error)`, in
    /// batch order.
    pub fn failed(&self) -> &[(usize, ProduceError<'a>)] {
        &self.failed
    }

    /// The failed records, to retry or inspect.
    pub fn into_failed(self) -> Vec<(usize, ProduceError<'a>)> {
        self.failed
    }

    /// `Ok(accepted)` when every record was queued, else the first
    /// failure's error (the records are dropped: use
    /// [`into_failed`](Self::into_failed) to keep them).
    pub fn into_result(self) -> Result<usize> {
        match self.failed.into_iter().next() {
            None => Ok(self.accepted),
            Some((_, e)) => Err(e.into_error()),
        }
    }
}

impl std::fmt::Debug for BatchOutcome<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOutcome")
            .field("accepted", &self.accepted)
            .field("failed", &self.failed)
            .finish()
    }
}

/// Produces on an open handle (validation of the record included).
#[inline]
#[allow(clippy::result_large_err)] // as `Producer::produce`
pub(crate) fn produce_to_handle<'a>(
    h: &ProducerHandle,
    mut record: Record<'a>,
) -> std::result::Result<(), ProduceError<'a>> {
    match produce_record(h, &mut record) {
        Ok(()) => {
            // Everything the record owned (value, headers, delivery state)
            // moved into librdkafka and it carries no error marker (it
            // would have failed): what is left is all `None` or borrowed,
            // so it is forgotten rather than dropped (the drop checks cost
            // 19 instructions per message). Named field by field, so that
            // a new field fails to compile here until it is considered.
            debug_assert!(record.is_spent());
            let Record {
                topic: _,
                key: _,
                value,
                partition: _,
                timestamp: _,
                headers,
                on_delivery,
                invalid,
            } = record;
            std::mem::forget((value, headers, on_delivery, invalid));
            Ok(())
        }
        Err(e) => Err(ProduceError::new(e, record)),
    }
}

/// Validates and produces `record` in place: on success its value,
/// headers and delivery state have moved into librdkafka; on failure they
/// are back in it, untouched. (By reference, not by value: the record is
/// large, and moving it down each call was a good part of what the
/// wrapper added per message.)
#[inline]
fn produce_record(h: &ProducerHandle, record: &mut Record<'_>) -> Result<()> {
    // The marker stays on the record: handed back and retried, it must
    // fail again, not go out without the header that was refused.
    if let Some(e) = &record.invalid {
        return Err((**e).clone());
    }
    if record.partition < -1 {
        return Err(KafkaError::invalid_arg(format!(
            "invalid partition {}: use a partition number (>= 0), or PARTITION_UA (-1) for the partitioner",
            record.partition
        )));
    }
    if record.timestamp < 0 {
        return Err(KafkaError::invalid_arg(format!(
            "invalid timestamp {}: use milliseconds since the Unix epoch, or 0 for now",
            record.timestamp
        )));
    }
    h.ext.with(&h.client, record.topic, check_topic_name, |topic| {
        produce_to(h, topic, record)
    })
}

#[inline]
fn produce_to(h: &ProducerHandle, topic: &crate::native::NativeTopic, record: &mut Record<'_>) -> Result<()> {
    let (value, owned) = match std::mem::replace(&mut record.value, record::Value::None) {
        record::Value::None => (None, None),
        record::Value::Borrowed(v) => (Some(v), None),
        record::Value::Owned(o) => (None, Some(o.into_native())),
    };
    let args = ProduceArgs {
        topic,
        partition: record.partition,
        value,
        key: record.key,
        timestamp: record.timestamp,
        headers: record.headers.take(),
        state: record.on_delivery.take(),
        owned,
    };
    match h.client.produce(args) {
        Ok(()) => Ok(()),
        Err(fail) => {
            record.value = match (fail.owned, value) {
                (Some(o), _) => record::Value::Owned(OwnedValue::from_native(o)),
                (None, Some(v)) => record::Value::Borrowed(v),
                (None, None) => record::Value::None,
            };
            record.headers = fail.headers;
            record.on_delivery = fail.state;
            let mut error = fail.error;
            if error.code() == ErrorCode::QUEUE_FULL {
                error = error.with_retriable(true);
            }
            Err(error)
        }
    }
}

/// Serves the producer's queue: waits up to `timeout_ms` for the first
/// event, then takes whatever else is queued.
pub(crate) fn serve(h: &ProducerHandle, timeout_ms: i32) -> std::result::Result<usize, Interrupt> {
    h.state.check_panic()?;
    let mut served = 0;
    while let Some(ev) = h.take_pending() {
        served += serve_event(h, ev)?;
    }
    served += serve_deferred(&h.state)?;
    let mut t = timeout_ms;
    loop {
        let ev = h.queue.poll(t);
        // Throttle events are recorded by a C callback inside the poll.
        if h.state.has_deferred() {
            if let Err(i) = serve_deferred(&h.state) {
                if let Some(ev) = ev {
                    h.put_pending(ev);
                }
                return Err(i);
            }
        }
        match ev {
            None => break,
            Some(ev) => served += serve_event(h, ev)?,
        }
        t = 0;
    }
    // A callback on a librdkafka thread (partitioner, OAuth, wake-up) may
    // have panicked while this call waited: resume it here, or a caller
    // that stops serving now (`flush` once nothing is pending) never would.
    h.state.check_panic()?;
    Ok(served)
}

fn serve_event(h: &ProducerHandle, mut ev: NativeEvent) -> std::result::Result<usize, Interrupt> {
    if ev.served_as() != EventKind::DeliveryReport {
        serve_common(&h.state, &ev)?;
        return Ok(1);
    }
    let state = &h.state;
    let only_error = state.emulated.dr_only_error;
    let mut n = 0;
    loop {
        let outcome = {
            let msg = match ev.next_message() {
                Some(m) => m,
                None => break,
            };
            n += 1;
            // An owned value lives until after its report was handed out,
            // except for an async send, whose future never reads it: it is
            // released before the future is woken, so the task that awaits
            // it finds the value released (an `Arc` unshared again).
            let (per_message, mut _owned_value) = msg.take_delivery_state();
            if per_message.as_ref().is_some_and(|pm| pm.is_sink()) {
                drop(_owned_value.take());
            }
            let report = DeliveryReport::new(msg);
            call_user(|| match per_message {
                Some(pm) => {
                    if only_error && report.is_ok() && !pm.is_sink() {
                        drop(pm);
                    } else {
                        pm.deliver(msg);
                    }
                }
                None => {
                    if !(only_error && report.is_ok()) {
                        if let Some(cb) = &state.callbacks.on_delivery {
                            cb(&report);
                        }
                    }
                }
            })
        };
        if let Err(i) = outcome {
            h.put_pending(ev);
            return Err(i);
        }
    }
    // Room in the queue: let async sends waiting for it retry.
    if !state.space_wakers.is_empty() {
        state.space_wakers.wake_some(n);
    }
    Ok(n)
}

/// Sets a flag when dropped (also on unwind).
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The flush loop: serve reports until no message is left or the deadline
/// passes. A helper thread sits in `rd_kafka_flush` meanwhile, which is
/// what tells librdkafka to send at once instead of waiting for
/// `linger.ms`; it cannot serve the reports itself (with the event API,
/// librdkafka leaves that to the application), so this thread does.
pub(crate) fn flush_handle(h: &Arc<ProducerHandle>, deadline: Deadline) -> std::result::Result<usize, Interrupt> {
    serve(h, 0)?;
    if pending_messages(h) == 0 {
        return Ok(0);
    }
    if deadline.remaining_ms() == 0 {
        return Ok(pending_messages(h));
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new()
            .name("ferrokafka-flush".into())
            .spawn_scoped(s, || {
                while !stop.load(Ordering::Acquire) {
                    let r = h.client.flush(deadline.remaining_ms_capped(100));
                    if r == ErrorCode::NO_ERROR || deadline.expired() {
                        break;
                    }
                }
            });
        let _stop = SetOnDrop(&stop);
        let slice = if helper.is_ok() { 100 } else { 10 };
        loop {
            if pending_messages(h) == 0 {
                return Ok(0);
            }
            if deadline.expired() {
                return Ok(pending_messages(h));
            }
            serve(h, deadline.remaining_ms_capped(slice))?;
        }
    })
}

impl Drop for Producer {
    fn drop(&mut self) {
        if crate::client::drop_elsewhere_if_inside_librdkafka("Producer", || Producer {
            core: self.core.take_core(),
            in_txn: AtomicBool::new(false),
        }) {
            return;
        }
        let Some(h) = self.core.take() else { return };
        if pending_messages(&h) > 0 || h.queue.len() > 0 || h.pending.lock().map(|p| !p.is_empty()).unwrap_or(true) {
            let _ = h.client.purge(Purge::ALL);
            let drain = Deadline::after(DROP_DRAIN_LIMIT);
            let mut wait = 0;
            loop {
                match serve(&h, wait) {
                    Ok(_) => {}
                    Err(Interrupt::Panic(p)) => {
                        log::error!(target: "librdkafka", "a delivery callback panicked while the producer was dropped: {}", panic_message(&*p));
                    }
                    Err(Interrupt::Error(_)) => {}
                }
                let interrupted = h.pending.lock().map(|p| !p.is_empty()).unwrap_or(false);
                if pending_messages(&h) == 0 && !interrupted {
                    break;
                }
                if drain.expired() {
                    log::warn!(
                        target: "librdkafka",
                        "producer dropped with {} message(s) whose delivery reports could not be served in time",
                        pending_messages(&h)
                    );
                    break;
                }
                wait = 10;
            }
        }
        drop(h);
    }
}
