//! The [`Consumer`].

use crate::client::{create_native, ClientCore, Handle};
use crate::config::{ClientKind, Config};
use crate::dispatch::{call_user, finish, panic_message, serve_deferred_common, Deferred, Interrupt};
use crate::error::{ErrorCode, KafkaError, Result};
use crate::group_metadata::ConsumerGroupMetadata;
use crate::native::{NativeMessage, NativeQueue};
use crate::timeout::{Deadline, Timeout};
use crate::TopicPartition;

mod message;
mod read_ahead;
mod stream;
pub use crate::values::RebalanceProtocol;
pub use message::Message;
use read_ahead::ReadAhead;
use std::fmt;
use std::panic::resume_unwind;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
pub use stream::{CommitFuture, MessageStream};

/// How long `Drop` lets a consumer that was not closed leave its group.
const DROP_CLOSE_LIMIT: Duration = Duration::from_secs(10);

/// How many messages `poll` (and a stream) takes from librdkafka at once,
/// beyond the one it returns: one C call serves many polls.
const READ_AHEAD: usize = 128;

/// The longest a serving call waits inside librdkafka at once; longer
/// waits (and `Timeout::Never`) are made of such slices, so that a `close`
/// from another thread ends them.
const WAIT_SLICE_MS: i32 = 200;

fn wait_slice(ms: i32) -> i32 {
    if ms < 0 {
        WAIT_SLICE_MS
    } else {
        ms.min(WAIT_SLICE_MS)
    }
}

/// How long [`Consumer::seek`] waits for librdkafka to carry out a seek.
const SEEK_WAIT: Duration = Duration::from_secs(60);

/// The most messages one `consume` call may ask for (as in the Python client).
pub const MAX_CONSUME_BATCH: usize = 1_000_000;

type RebalanceFn = Arc<dyn Fn(&Consumer, &[TopicPartition]) + Send + Sync>;

/// The rebalance closures given to [`Consumer::subscribe_with`]: the Python
/// client's `on_assign`, `on_revoke` and `on_lost`.
///
/// Each receives the consumer and the partitions concerned, and may call
/// `assign`, `incremental_assign`, `seek`, `commit_sync`… on it. If the
/// closure does not (un)assign — or there is none, or it panics — the
/// consumer does it afterwards, incrementally for cooperative protocols, as
/// the Python client does. They run only inside `poll`, `consume` and
/// `close`, on the calling thread; a panic comes out of that call.
#[derive(Clone, Default)]
pub struct RebalanceCallbacks {
    on_assign: Option<RebalanceFn>,
    on_revoke: Option<RebalanceFn>,
    on_lost: Option<RebalanceFn>,
}

impl RebalanceCallbacks {
    /// No callbacks (the consumer assigns by itself).
    pub fn new() -> Self {
        Self::default()
    }

    /// Called with newly assigned partitions.
    pub fn on_assign(mut self, f: impl Fn(&Consumer, &[TopicPartition]) + Send + Sync + 'static) -> Self {
        self.on_assign = Some(Arc::new(f));
        self
    }

    /// Called with partitions being revoked (commit here what you processed).
    pub fn on_revoke(mut self, f: impl Fn(&Consumer, &[TopicPartition]) + Send + Sync + 'static) -> Self {
        self.on_revoke = Some(Arc::new(f));
        self
    }

    /// Called instead of `on_revoke` when the partitions were lost (taken
    /// away without a clean revoke: session timeout, fencing): committing
    /// them is no longer possible.
    pub fn on_lost(mut self, f: impl Fn(&Consumer, &[TopicPartition]) + Send + Sync + 'static) -> Self {
        self.on_lost = Some(Arc::new(f));
        self
    }
}

impl fmt::Debug for RebalanceCallbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RebalanceCallbacks")
            .field("on_assign", &self.on_assign.is_some())
            .field("on_revoke", &self.on_revoke.is_some())
            .field("on_lost", &self.on_lost.is_some())
            .finish()
    }
}

/// A snapshot of a consumer's internal state, from
/// [`Consumer::diagnostics`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerDiagnostics {
    /// Messages taken from librdkafka ahead of `poll`, ready to be returned
    /// by the next calls.
    pub buffered: usize,
    /// Messages read ahead for partitions paused since: returned after
    /// `resume`.
    pub held_for_paused: usize,
    /// Whether rebalance, commit, error, statistics or log events wait for
    /// the next serving call.
    pub events_waiting: bool,
    /// Events and messages waiting in librdkafka's consumer queue.
    pub queued_in_librdkafka: usize,
    /// How many times a `poll` served from the buffer told librdkafka that
    /// the application polled (so that `max.poll.interval.ms` counts
    /// application polls, not C calls).
    pub app_polls_signalled: u64,
}

/// Which offsets [`Consumer::commit_sync`] / [`Consumer::commit_async`] commit.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Commit<'a> {
    /// The positions stored for the current assignment (by consuming, or by
    /// `store_offsets` with `enable.auto.offset.store=false`).
    Current,
    /// A message's position: its offset + 1, with its leader epoch.
    Message(&'a Message),
    /// Explicit positions (the next offset to consume), with optional
    /// metadata.
    Offsets(&'a [TopicPartition]),
}

impl<'a> From<&'a Message> for Commit<'a> {
    fn from(m: &'a Message) -> Self {
        Commit::Message(m)
    }
}

impl<'a> From<&'a [TopicPartition]> for Commit<'a> {
    fn from(o: &'a [TopicPartition]) -> Self {
        Commit::Offsets(o)
    }
}

impl<'a, const N: usize> From<&'a [TopicPartition; N]> for Commit<'a> {
    fn from(o: &'a [TopicPartition; N]) -> Self {
        Commit::Offsets(o)
    }
}

impl<'a> From<&'a Vec<TopicPartition>> for Commit<'a> {
    fn from(o: &'a Vec<TopicPartition>) -> Self {
        Commit::Offsets(o)
    }
}

/// A Kafka consumer: the Python client's `Consumer`.
///
/// Join a group with [`subscribe`](Self::subscribe) (or take partitions by
/// hand with [`assign`](Self::assign)), then call [`poll`](Self::poll) or
/// [`consume`](Self::consume) in a loop. Every callback — rebalance, commit
/// results (`on_commit`), errors, statistics, logs — runs only inside
/// `poll`, `consume` and `close`, on the calling thread.
///
/// Consumed [`Message`]s are owned and `Send + 'static`: they may outlive
/// the consumer and move across threads.
///
/// # Lifecycle
///
/// [`close`](Self::close) commits (with `enable.auto.commit`), leaves the
/// group (calling `on_revoke`) and destroys the client, within its timeout;
/// afterwards every method fails with the "closed" error, and closing again
/// is harmless. `Drop` without `close` does the same, bounded to 10 seconds
/// (callbacks still run; a panic there is logged), and never hangs.
///
///
/// # What callbacks may call
///
/// Callbacks served on the calling thread inside a serving call —
/// `on_assign`, `on_revoke`, `on_lost`, `on_commit`, `error_cb`, `stats_cb`, `throttle_cb`, `logger`, served by `poll`, `consume`, streams, `close` and `Drop` — may call any method of this consumer or of any other client, `close`
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
/// use ferrokafka::{Config, Consumer, MockCluster, Producer, Record};
/// use std::time::Duration;
///
/// let cluster = MockCluster::new(1)?;
/// cluster.create_topic("events", 1, 1)?;
/// let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())]))?;
/// producer.produce(Record::new("events").with_value("hello"))?;
/// producer.flush(Duration::from_secs(10))?;
///
/// let consumer = Consumer::new(&Config::from([
///     ("bootstrap.servers", cluster.bootstrap_servers()),
///     ("group.id", "doc"),
///     ("auto.offset.reset", "earliest"),
/// ]))?;
/// consumer.subscribe(&["events"])?;
/// let msg = loop {
///     if let Some(m) = consumer.poll(Duration::from_millis(500))? {
///         break m;
///     }
/// };
/// assert_eq!(msg.value(), Some(&b"hello"[..]));
/// consumer.close(Duration::from_secs(10))?;
/// assert_eq!(msg.topic(), "events"); // the message outlives the consumer
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
pub struct Consumer {
    core: ClientCore,
    rebalance: Mutex<RebalanceCallbacks>,
    /// True while a rebalance callback runs; assign-type calls made then
    /// are counted so the fallback assign is skipped.
    in_rebalance: AtomicBool,
    assign_calls: AtomicUsize,
    auto_offset_store: bool,
    /// The queue a started close is served from (kept across a close that
    /// a panicking callback interrupted).
    close_queue: Mutex<Option<NativeQueue>>,
    /// Set when a close starts: serving calls then return the "closed"
    /// error (see [`Consumer::check_closing`]).
    closing: AtomicBool,
    /// Set when a close that gave up handed the rest of the group leave to
    /// a helper thread (which then owns the recorded events).
    handed_off: AtomicBool,
    /// A close has called `rd_kafka_consumer_close_queue` (once only).
    close_started: AtomicBool,
    /// The thread serving a close step's callbacks right now: a close it
    /// calls from a callback returns at once.
    stepping: Mutex<Option<std::thread::ThreadId>>,
    /// Messages fetched but not yet returned (read ahead by `poll`, or put
    /// aside when a serving call was interrupted or a batch stopped at an
    /// error); returned first. Emptied before the client is destroyed.
    read_ahead: ReadAhead,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Consumer");
        match self.core.peek() {
            Some(h) => d.field("name", &h.name()),
            None => d.field("closed", &true),
        };
        d.finish()
    }
}

fn is_true(v: Option<&str>, default: bool) -> bool {
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => default,
        Some(s) => matches!(s.as_str(), "true" | "1" | "yes" | "on"),
    }
}

impl Consumer {
    /// Creates a consumer. Every property is validated (an unknown key or a
    /// bad value gives an `_INVALID_ARG` error naming the key). `group.id`
    /// is required, as in the Python client: librdkafka's consumer needs it
    /// even to [`assign`](Self::assign) partitions by hand (commits and
    /// committed offsets are per group).
    ///
    /// Corresponds to `rd_kafka_new` with `RD_KAFKA_CONSUMER`.
    #[doc(alias = "rd_kafka_new")]
    pub fn new(config: &Config) -> Result<Consumer> {
        Consumer::create(config, None)
    }

    /// Creates the consumer from a librdkafka handle that C code makes from
    /// the configuration ferrokafka prepared (`RD_KAFKA_CONSUMER`), as
    /// [`Producer::from_raw`](crate::Producer::from_raw) does for a producer:
    /// see there, and [`crate::raw`], for the contract and the checks.
    ///
    /// Corresponds to `rd_kafka_new`, called by the caller's code.
    #[doc(alias = "rd_kafka_new")]
    pub fn from_raw(
        config: &Config,
        create: impl FnOnce(crate::raw::RawConf) -> std::result::Result<crate::raw::RawNew, String>,
    ) -> Result<Consumer> {
        Consumer::create(config, Some(Box::new(create)))
    }

    /// The consumer's librdkafka handle, for C code that works beside it, as
    /// [`Producer::raw_client`](crate::Producer::raw_client): the
    /// `RawClient` keeps the C handle alive; the closed error (`_DESTROY`)
    /// once the consumer is closed.
    pub fn raw_client(&self) -> Result<crate::raw::RawClient> {
        self.core.raw_client()
    }

    fn create(config: &Config, raw: Option<crate::native::raw::RawCreate<'_>>) -> Result<Consumer> {
        if config.get("group.id").map(|g| g.is_empty()).unwrap_or(true) {
            return Err(KafkaError::invalid_arg(
                "Failed to create consumer: \"group.id\" must be set",
            ));
        }
        let auto_offset_store = is_true(config.get("enable.auto.offset.store"), true);
        // `poll` and streams read ahead. librdkafka's automatic offset store
        // would store the positions of messages read ahead before the
        // application sees them, so it is emulated instead: the position of
        // each message is stored when the message is handed out.
        let mut native_config = config.clone();
        if auto_offset_store {
            native_config.set("enable.auto.offset.store", false);
        }
        let (client, state) = create_native(&native_config, ClientKind::Consumer, raw)?;
        state.wake_all.store(true, Ordering::Relaxed);
        client.poll_set_consumer()?;
        let queue = client.consumer_queue().unwrap_or_else(|| client.main_queue());
        let handle = Handle::new(client, queue, state, ());
        Ok(Consumer {
            core: ClientCore::new(handle, ClientKind::Consumer),
            rebalance: Mutex::new(RebalanceCallbacks::default()),
            in_rebalance: AtomicBool::new(false),
            assign_calls: AtomicUsize::new(0),
            auto_offset_store,
            close_queue: Mutex::new(None),
            closing: AtomicBool::new(false),
            handed_off: AtomicBool::new(false),
            close_started: AtomicBool::new(false),
            stepping: Mutex::new(None),
            read_ahead: ReadAhead::default(),
        })
    }

    /// Subscribes to topics (names, or regular expressions starting with
    /// `^`), replacing any earlier subscription and rebalance callbacks.
    /// The group assigns partitions during later `poll`/`consume` calls.
    ///
    /// Corresponds to `rd_kafka_subscribe`.
    #[doc(alias = "rd_kafka_subscribe")]
    pub fn subscribe<S: AsRef<str>>(&self, topics: &[S]) -> Result<()> {
        self.subscribe_with(topics, RebalanceCallbacks::new())
    }

    /// [`subscribe`](Self::subscribe) with `on_assign` / `on_revoke` /
    /// `on_lost` closures.
    ///
    /// Corresponds to `rd_kafka_subscribe`.
    pub fn subscribe_with<S: AsRef<str>>(&self, topics: &[S], callbacks: RebalanceCallbacks) -> Result<()> {
        let topics: Vec<&str> = topics.iter().map(AsRef::as_ref).collect();
        if topics.is_empty() {
            return Err(KafkaError::invalid_arg(
                "subscribe: the topic list is empty (use unsubscribe to leave)",
            ));
        }
        for t in &topics {
            if t.is_empty() || t.contains('\0') {
                return Err(KafkaError::invalid_arg(format!("subscribe: invalid topic name {t:?}")));
            }
        }
        let h = self.core.get()?;
        *self.rebalance.lock().unwrap_or_else(|e| e.into_inner()) = callbacks;
        h.client.subscribe(&topics)
    }

    /// Leaves the subscription (the assignment is revoked in a later poll).
    ///
    /// Corresponds to `rd_kafka_unsubscribe`.
    #[doc(alias = "rd_kafka_unsubscribe")]
    pub fn unsubscribe(&self) -> Result<()> {
        self.core.get()?.client.unsubscribe()
    }

    /// The current subscription (topics and patterns).
    ///
    /// Corresponds to `rd_kafka_subscription`.
    #[doc(alias = "rd_kafka_subscription")]
    pub fn subscription(&self) -> Result<Vec<String>> {
        self.core.get()?.client.subscription()
    }

    fn note_assign_call(&self) {
        if self.in_rebalance.load(Ordering::Acquire) {
            self.assign_calls.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Replaces the assignment: consume exactly these partitions, from their
    /// `offset` (or the committed offset, with [`OFFSET_INVALID`](crate::OFFSET_INVALID)
    /// or [`OFFSET_STORED`](crate::OFFSET_STORED)).
    ///
    /// Corresponds to `rd_kafka_assign`.
    #[doc(alias = "rd_kafka_assign")]
    pub fn assign(&self, partitions: &[TopicPartition]) -> Result<()> {
        check_each_partition("assign", partitions)?;
        let h = self.core.get()?;
        self.note_assign_call();
        self.read_ahead.clear();
        self.read_ahead.forget_handed(None);
        h.client.assign(Some(partitions))
    }

    /// Clears the assignment.
    ///
    /// Corresponds to `rd_kafka_assign` with `NULL`.
    pub fn unassign(&self) -> Result<()> {
        let h = self.core.get()?;
        self.note_assign_call();
        self.read_ahead.clear();
        self.read_ahead.forget_handed(None);
        h.client.assign(None)
    }

    /// Adds partitions to the assignment (cooperative protocols). Adding one
    /// already assigned fails with `_CONFLICT`.
    ///
    /// Corresponds to `rd_kafka_incremental_assign`.
    #[doc(alias = "rd_kafka_incremental_assign")]
    pub fn incremental_assign(&self, partitions: &[TopicPartition]) -> Result<()> {
        check_each_partition("incremental_assign", partitions)?;
        let h = self.core.get()?;
        self.note_assign_call();
        h.client.incremental(true, partitions)
    }

    /// Removes partitions from the assignment (cooperative protocols).
    /// Removing one not assigned fails with `_INVALID_ARG`.
    ///
    /// Corresponds to `rd_kafka_incremental_unassign`.
    #[doc(alias = "rd_kafka_incremental_unassign")]
    pub fn incremental_unassign(&self, partitions: &[TopicPartition]) -> Result<()> {
        check_each_partition("incremental_unassign", partitions)?;
        let h = self.core.get()?;
        self.note_assign_call();
        self.read_ahead.drop_partitions(partitions);
        self.read_ahead.forget_handed(Some(partitions));
        h.client.incremental(false, partitions)
    }

    /// The current assignment.
    ///
    /// Corresponds to `rd_kafka_assignment`.
    #[doc(alias = "rd_kafka_assignment")]
    pub fn assignment(&self) -> Result<Vec<TopicPartition>> {
        self.core.get()?.client.assignment()
    }

    /// True if the current assignment was lost rather than revoked.
    ///
    /// Corresponds to `rd_kafka_assignment_lost`.
    #[doc(alias = "rd_kafka_assignment_lost")]
    pub fn assignment_lost(&self) -> Result<bool> {
        Ok(self.core.get()?.client.assignment_lost())
    }

    /// The rebalance protocol the group uses.
    ///
    /// Corresponds to `rd_kafka_rebalance_protocol`.
    #[doc(alias = "rd_kafka_rebalance_protocol")]
    pub fn rebalance_protocol(&self) -> Result<RebalanceProtocol> {
        Ok(self.core.get()?.client.rebalance_protocol())
    }

    /// Waits up to `timeout` for a message, serving callbacks meanwhile.
    ///
    /// `Ok(None)` on timeout. Consumer errors come back as `Err`: a
    /// `_PARTITION_EOF` (with `enable.partition.eof=true`) or a partition
    /// error carries its topic, partition and offset in
    /// [`KafkaError::topic_partition`]; a fatal error has
    /// [`KafkaError::is_fatal`]. A panic in a callback comes out of `poll`.
    ///
    /// Corresponds to `rd_kafka_consumer_poll`.
    #[doc(alias = "rd_kafka_consumer_poll")]
    pub fn poll(&self, timeout: impl Into<Timeout>) -> Result<Option<Message>> {
        // Fast path: a message read ahead, nothing to serve first. (Open
        // and not inside a librdkafka callback: else the full path's errors.)
        if !self.core.is_closed() && !crate::native::callbacks::on_librdkafka_thread() {
            if let Some((h, m)) = self.read_ahead.take_fast() {
                return finish(self.hand_out(h, m)).map(Some);
            }
        }
        let h = self.core.arc()?;
        finish(self.poll_inner(h, timeout.into()))
    }

    /// `poll` on the open handle `h`, which a returned message keeps (the
    /// reference is moved into it, not cloned: one atomic pair fewer per
    /// message).
    pub(crate) fn poll_inner(
        &self,
        h: Arc<Handle>,
        timeout: Timeout,
    ) -> std::result::Result<Option<Message>, Interrupt> {
        // Fast path: nothing recorded to serve first.
        if !h.state.needs_attention() {
            if let Some(m) = self.next_buffered(&h) {
                return self.hand_out(h, m).map(Some);
            }
        }
        let ms = timeout.as_millis_i32();
        if !h.state.needs_attention() {
            let first = h.client.consumer_poll(wait_slice(ms));
            self.read_ahead.note_c_poll();
            if !h.state.needs_attention() {
                match first {
                    Some(m) => {
                        self.read_ahead(&h);
                        return self.hand_out(h, m).map(Some);
                    }
                    // Timed out: nothing to return.
                    None if (0..=WAIT_SLICE_MS).contains(&ms) => return Ok(None),
                    // A longer wait goes on below, in slices.
                    None => {}
                }
            } else {
                // The call recorded events: serve them before the message.
                self.read_ahead.put_front(&h, first.into_iter());
            }
        }
        // Slow path. (Its deadline starts now: a poll that served a
        // rebalance may wait up to its timeout once more.)
        let deadline = Deadline::new(timeout);
        loop {
            self.check_closing()?;
            self.serve_deferred(&h)?;
            h.state.check_panic()?;
            if let Some(m) = self.next_buffered(&h) {
                return self.hand_out(h, m).map(Some);
            }
            let m = h.client.consumer_poll(deadline.remaining_ms_capped(WAIT_SLICE_MS));
            self.read_ahead.note_c_poll();
            if h.state.needs_attention() {
                self.read_ahead.put_front(&h, m.into_iter());
                continue;
            }
            match m {
                Some(m) => {
                    self.read_ahead(&h);
                    return self.hand_out(h, m).map(Some);
                }
                None if deadline.expired() => return Ok(None),
                None => {}
            }
        }
    }

    /// Fails with the "closed" error once a close has started: a serving
    /// call blocked in librdkafka when `close` is called returns (within
    /// one wait slice, at once when `close` wakes it) instead of keeping
    /// the client alive.
    fn check_closing(&self) -> std::result::Result<(), Interrupt> {
        if self.closing.load(Ordering::Acquire) {
            return Err(Interrupt::Error(KafkaError::closed(ClientKind::Consumer.name())));
        }
        Ok(())
    }

    /// Marks the consumer as closing and wakes every serving call blocked
    /// in librdkafka on its queue (before the close forwards that queue).
    fn start_closing(&self, h: &Handle) {
        if !self.closing.swap(true, Ordering::AcqRel) {
            h.queue.wake();
        }
    }

    /// Takes what librdkafka already has (without waiting), for the next polls.
    fn read_ahead(&self, h: &Arc<Handle>) {
        self.read_ahead.fill(h, READ_AHEAD);
    }

    /// A message from the read-ahead buffer, only when no event waits to be
    /// served first (the stream's fast path).
    fn take_if_quiet(&self, h: &Arc<Handle>) -> Option<NativeMessage> {
        if h.state.needs_attention() {
            return None;
        }
        self.next_buffered(h)
    }

    /// The next message read ahead, if librdkafka has nothing to say first.
    ///
    /// When a rebalance starts, librdkafka pauses the assigned partitions —
    /// which makes the messages it still holds for them stale, never
    /// returned — and queues the rebalance event. So before handing out a
    /// message read ahead, if librdkafka's queue is not empty, this reads
    /// on (without waiting): a rebalance (or any event) waiting there is
    /// recorded, and this returns `None` so the caller serves it first, as
    /// librdkafka's own consumer would. (It looks at most once per clock
    /// tick: see `read_ahead::LOOK_EVERY_NS`.) Messages read ahead were all taken
    /// before that event (librdkafka stops a batch read at it), so they
    /// precede it; those of partitions it revokes are dropped by it.
    fn next_buffered(&self, h: &Arc<Handle>) -> Option<NativeMessage> {
        let ready = self.read_ahead.ready_len();
        if ready == 0 {
            return None;
        }
        let now = self.read_ahead.now_ns();
        if self.read_ahead.look_due(now) && h.queue.len() > 0 {
            self.read_ahead.fill(h, READ_AHEAD.saturating_sub(ready).max(1));
            if h.state.needs_attention() {
                return None;
            }
        }
        self.read_ahead.take(now, &h.client, &h.queue)
    }

    /// Hands a message to the application: an error message becomes `Err`;
    /// with the emulated automatic offset store, the message's position is
    /// stored now that the application has it.
    pub(crate) fn hand_out(&self, h: Arc<Handle>, m: NativeMessage) -> std::result::Result<Message, Interrupt> {
        if m.is_error() {
            return Err(Interrupt::Error(m.error().expect("an error message")));
        }
        if self.auto_offset_store {
            // Fails only for a partition no longer assigned: nothing to store.
            let _ = m.store_offset();
        }
        self.read_ahead.note_handed_out(&m);
        Ok(Message::fetched(m, h))
    }

    /// Waits up to `timeout` for up to `num_messages` messages and returns
    /// them (an empty `Vec` on timeout), serving callbacks meanwhile.
    /// Payloads are not copied.
    ///
    /// `num_messages` above 1,000,000 is an `_INVALID_ARG` error. A consumer
    /// error met in the middle of a batch ends the batch: the messages
    /// before it are returned, and the error comes from the next call.
    ///
    /// Corresponds to `rd_kafka_consume_batch_queue`.
    #[doc(alias = "rd_kafka_consume_batch_queue")]
    pub fn consume(&self, num_messages: usize, timeout: impl Into<Timeout>) -> Result<Vec<Message>> {
        if num_messages > MAX_CONSUME_BATCH {
            return Err(KafkaError::invalid_arg(format!(
                "num_messages must be between 0 and 1000000 (1M), got {num_messages}"
            )));
        }
        let h = self.core.arc()?;
        finish(self.consume_inner(&h, num_messages, Deadline::new(timeout.into())))
    }

    fn consume_inner(
        &self,
        h: &Arc<Handle>,
        num: usize,
        deadline: Deadline,
    ) -> std::result::Result<Vec<Message>, Interrupt> {
        h.state.check_panic()?;
        // Room for the whole batch up front (bounded: a huge `num` grows as
        // messages come).
        let mut taken: Vec<NativeMessage> = Vec::with_capacity(num.min(4096));
        loop {
            if let Err(i) = self.check_closing().and_then(|()| self.serve_deferred(h)) {
                self.read_ahead.put_front(h, taken.into_iter());
                return Err(i);
            }
            // Messages put aside earlier come first.
            while taken.len() < num {
                let Some(m) = self.next_buffered(h) else {
                    break;
                };
                if let Some(e) = m.error() {
                    if taken.is_empty() {
                        return Err(Interrupt::Error(e));
                    }
                    self.read_ahead.put_front(h, std::iter::once(m));
                    return Ok(self.hand_out_all(h, taken));
                }
                taken.push(m);
            }
            if taken.len() >= num {
                return Ok(self.hand_out_all(h, taken));
            }
            // Straight into `taken` (already sized): no vector per call.
            let start = taken.len();
            h.client.consume_batch(
                &h.queue,
                deadline.remaining_ms_capped(WAIT_SLICE_MS),
                num - start,
                &mut taken,
            );
            self.read_ahead.note_c_poll();
            if h.state.needs_attention() {
                // Serve what the call recorded first; the messages wait.
                self.read_ahead.append(h, taken.drain(start..));
                continue;
            }
            if let Some(i) = taken[start..].iter().position(|m| m.error().is_some()) {
                // Stop at the error: what follows it comes next time; the
                // error itself is returned now if nothing precedes it, or
                // next time.
                let mut rest = taken.split_off(start + i);
                let first = rest.remove(0);
                self.read_ahead.put_front(h, rest.into_iter());
                if taken.is_empty() {
                    let e = first.error().expect("found above");
                    return Err(Interrupt::Error(e));
                }
                self.read_ahead.put_front(h, std::iter::once(first));
                return Ok(self.hand_out_all(h, taken));
            }
            if !taken.is_empty() || deadline.expired() || num == 0 {
                return Ok(self.hand_out_all(h, taken));
            }
        }
    }

    /// [`Self::hand_out`] for a batch: the position of the last message of
    /// each partition is stored (as librdkafka's batch consume does).
    fn hand_out_all(&self, h: &Arc<Handle>, batch: Vec<NativeMessage>) -> Vec<Message> {
        if self.auto_offset_store {
            // Partitions already stored in this batch (no allocation for up
            // to 64 of them; past that, some positions are stored twice).
            let mut stored = [(0usize, 0i32); 64];
            let mut n = 0;
            for m in batch.iter().rev() {
                let v = m.view();
                let key = (v.topic_bytes().as_ptr() as usize, v.partition());
                if !stored[..n].contains(&key) {
                    if n < stored.len() {
                        stored[n] = key;
                        n += 1;
                    }
                    let _ = m.store_offset();
                }
            }
        }
        batch
            .into_iter()
            .map(|m| {
                self.read_ahead.note_handed_out(&m);
                Message::fetched(m, h.clone())
            })
            .collect()
    }

    /// Hands recorded events to the user's callbacks.
    fn serve_deferred(&self, h: &Handle) -> std::result::Result<(), Interrupt> {
        while let Some(ev) = h.state.next_deferred() {
            match serve_deferred_common(&h.state, ev)? {
                None => {}
                Some(Deferred::Rebalance { err, partitions }) => self.rebalance(h, err, partitions)?,
                Some(Deferred::Commit { err, partitions }) => {
                    if let Some(cb) = h.state.callbacks.on_commit.clone() {
                        let e = (err != ErrorCode::NO_ERROR).then(|| KafkaError::from_code(err));
                        call_user(|| cb(e.as_ref(), &partitions))?;
                    }
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Handles one rebalance: the user's closure, then the fallback
    /// (incremental) assign if the closure did not assign.
    fn rebalance(
        &self,
        h: &Handle,
        err: ErrorCode,
        partitions: Vec<TopicPartition>,
    ) -> std::result::Result<(), Interrupt> {
        let cbs = self.rebalance.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let assigning = err == ErrorCode::ASSIGN_PARTITIONS;
        if !assigning {
            // Messages read ahead from partitions going away are not returned.
            self.read_ahead.drop_partitions(&partitions);
            self.read_ahead.forget_handed(Some(&partitions));
        }
        let callback = if assigning {
            cbs.on_assign
        } else if err == ErrorCode::REVOKE_PARTITIONS {
            if h.client.assignment_lost() && cbs.on_lost.is_some() {
                cbs.on_lost
            } else {
                cbs.on_revoke
            }
        } else {
            log::error!(target: "librdkafka", "[{}] rebalance error: {}", h.name(), KafkaError::from_code(err));
            None
        };
        self.assign_calls.store(0, Ordering::Release);
        self.in_rebalance.store(true, Ordering::Release);
        let outcome = match callback {
            Some(f) => call_user(|| f(self, &partitions)),
            None => Ok(()),
        };
        self.in_rebalance.store(false, Ordering::Release);
        if self.assign_calls.load(Ordering::Acquire) == 0 {
            plain_rebalance(h, err, &partitions);
        }
        outcome
    }

    /// Commits synchronously and returns the committed offsets. Never calls
    /// `on_commit`.
    ///
    /// A commit that fails for any partition is an error (never `Ok` with
    /// errors inside), and its [`KafkaError::partition_results`] lists every
    /// partition of the commit. Note that librdkafka marks *every*
    /// partition of a partly failed commit with the error, including those
    /// the broker did commit: [`committed`](Self::committed) tells which
    /// were.
    /// With [`Commit::Current`] and nothing to commit: `_NO_OFFSET`. If
    /// the consumer leaves its group (a `close` completing) before the
    /// commit is sent — which can happen to a commit made inside
    /// `on_revoke` during `close` — the result is a `_DESTROY` error
    /// instead of a wait: librdkafka drops such commits unanswered.
    ///
    /// Corresponds to `rd_kafka_commit_queue` (waiting for the result).
    #[doc(alias = "rd_kafka_commit")]
    pub fn commit_sync<'a>(&self, what: impl Into<Commit<'a>>) -> Result<Vec<TopicPartition>> {
        let h = self.core.arc()?;
        all_ok(match what.into() {
            Commit::Current => h.client.commit_sync(None),
            Commit::Message(m) => {
                let pos = [m.next_position()];
                check_partitions("commit", &pos)?;
                h.client.commit_sync(Some(&pos))
            }
            Commit::Offsets(o) => {
                check_partitions("commit", o)?;
                h.client.commit_sync(Some(o))
            }
        }?)
    }

    /// Commits asynchronously: the result goes to the configuration's
    /// `on_commit` callback, served by a later `poll`/`consume`/`close`.
    ///
    /// Corresponds to `rd_kafka_commit` with `async=1`.
    pub fn commit_async<'a>(&self, what: impl Into<Commit<'a>>) -> Result<()> {
        let h = self.core.get()?;
        match what.into() {
            Commit::Current => h.client.commit_async(None),
            Commit::Message(m) => {
                let pos = [m.next_position()];
                check_partitions("commit", &pos)?;
                h.client.commit_async(Some(&pos))
            }
            Commit::Offsets(o) => {
                check_partitions("commit", o)?;
                h.client.commit_async(Some(o))
            }
        }
    }

    /// Stores positions to be committed by the next commit (automatic or
    /// [`Commit::Current`]). Needs `enable.auto.offset.store=false`.
    /// A partition that cannot be stored (one not assigned, say) makes the
    /// call an error whose [`KafkaError::partition_results`] says which;
    /// the others are stored.
    ///
    /// Corresponds to `rd_kafka_offsets_store`.
    #[doc(alias = "rd_kafka_offsets_store")]
    pub fn store_offsets(&self, offsets: &[TopicPartition]) -> Result<Vec<TopicPartition>> {
        self.need_manual_store()?;
        check_partitions("store_offsets", offsets)?;
        all_ok(self.core.get()?.client.offsets_store(offsets)?)
    }

    /// Stores a message's position (offset + 1) to be committed by the next
    /// commit. Needs `enable.auto.offset.store=false`.
    ///
    /// Corresponds to `rd_kafka_offset_store_message`.
    #[doc(alias = "rd_kafka_offset_store_message")]
    pub fn store_message_offset(&self, message: &Message) -> Result<()> {
        self.need_manual_store()?;
        let h = self.core.get()?;
        match message.native_of(&h) {
            Some(native) => native.store_offset(),
            // A detached or hand-built message, or one of another consumer:
            // store its position by name.
            None => {
                let pos = [message.next_position()];
                check_partitions("store_message_offset", &pos)?;
                first_error(h.client.offsets_store(&pos)?)
            }
        }
    }

    fn need_manual_store(&self) -> Result<()> {
        if self.auto_offset_store {
            Err(KafkaError::invalid_arg(
                "storing offsets by hand needs \"enable.auto.offset.store\"=false (it is true)",
            ))
        } else {
            Ok(())
        }
    }

    /// The group's committed offsets for these partitions
    /// ([`OFFSET_INVALID`](crate::OFFSET_INVALID) where none), with metadata:
    /// `Some(bytes)` for non-empty metadata, `None` when the commit had
    /// none **or an empty one** — the two cannot be told apart on the
    /// wire (librdkafka sends absent metadata as an empty string), see
    /// [`TopicPartition::metadata`].
    ///
    /// Corresponds to `rd_kafka_committed`.
    #[doc(alias = "rd_kafka_committed")]
    pub fn committed(&self, partitions: &[TopicPartition], timeout: impl Into<Timeout>) -> Result<Vec<TopicPartition>> {
        check_partitions("committed", partitions)?;
        self.core
            .get()?
            .client
            .committed(partitions, timeout.into().as_millis_i32())
    }

    /// [`committed`](Self::committed) for every partition of the current
    /// assignment (empty when nothing is assigned).
    pub fn assignment_committed(&self, timeout: impl Into<Timeout>) -> Result<Vec<TopicPartition>> {
        let assigned = self.assignment()?;
        if assigned.is_empty() {
            return Ok(assigned);
        }
        self.committed(&assigned, timeout)
    }

    /// [`position`](Self::position) for every partition of the current
    /// assignment (empty when nothing is assigned).
    ///
    /// ```
    /// # use ferrokafka::{Config, Consumer, MockCluster, TopicPartition, OFFSET_INVALID};
    /// # let cluster = MockCluster::new(1)?;
    /// # cluster.create_topic("t", 2, 1)?;
    /// # let consumer = Consumer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers()), ("group.id", "g")]))?;
    /// assert!(consumer.assignment_positions()?.is_empty());
    /// consumer.assign(&[TopicPartition::new("t", 0), TopicPartition::new("t", 1)])?;
    /// let positions = consumer.assignment_positions()?;
    /// assert_eq!(positions, consumer.assignment()?);
    /// assert!(positions.iter().all(|tp| tp.offset == OFFSET_INVALID));
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn assignment_positions(&self) -> Result<Vec<TopicPartition>> {
        let assigned = self.assignment()?;
        if assigned.is_empty() {
            return Ok(assigned);
        }
        self.position(&assigned)
    }

    /// The next offset to be consumed for each partition (last consumed + 1),
    /// or [`OFFSET_INVALID`](crate::OFFSET_INVALID).
    ///
    /// Corresponds to `rd_kafka_position`.
    #[doc(alias = "rd_kafka_position")]
    pub fn position(&self, partitions: &[TopicPartition]) -> Result<Vec<TopicPartition>> {
        check_partitions("position", partitions)?;
        let h = self.core.get()?;
        let mut positions = h.client.position(partitions)?;
        // librdkafka counts messages read ahead as consumed: report the
        // position of the first one the application has not seen.
        for tp in &mut positions {
            if let Some(o) = self.read_ahead.first_offset(tp.topic.as_bytes(), tp.partition) {
                tp.offset = o;
            }
        }
        Ok(positions)
    }

    /// Moves a partition's position to `partition.offset`, waiting until
    /// librdkafka has done it (as the Python client's `seek` does; at most
    /// 60 s, then `_TIMED_OUT`). The next message of that partition is the
    /// one at the new position. Errors: `_UNKNOWN_PARTITION` when the
    /// partition is not assigned, `_STATE` ("Erroneous state") when it is
    /// assigned but not fetching yet (e.g. paused by a rebalance, or its
    /// starting offset still being looked up), as the Python client reports.
    ///
    /// Corresponds to `rd_kafka_seek_partitions`.
    #[doc(alias = "rd_kafka_seek")]
    pub fn seek(&self, partition: &TopicPartition) -> Result<()> {
        let r = self.seek_partitions(std::slice::from_ref(partition), SEEK_WAIT)?;
        match r.into_iter().next().and_then(|tp| tp.error) {
            Some(e) => Err(e.context(&format!("Failed to seek to offset {}", partition.offset))),
            None => Ok(()),
        }
    }

    /// Seeks several partitions; with a non-zero timeout, waits for the
    /// seeks to finish. Returns per-partition results.
    ///
    /// Corresponds to `rd_kafka_seek_partitions`.
    #[doc(alias = "rd_kafka_seek_partitions")]
    pub fn seek_partitions(
        &self,
        partitions: &[TopicPartition],
        timeout: impl Into<Timeout>,
    ) -> Result<Vec<TopicPartition>> {
        check_partitions("seek", partitions)?;
        let ms = timeout.into().as_millis_i32();
        let h = self.core.get()?;
        // Messages read ahead from before the seek are stale, and librdkafka
        // resets the application's position (as for a new assignment).
        self.read_ahead.drop_partitions(partitions);
        self.read_ahead.forget_handed(Some(partitions));
        let mut results = h.client.seek_partitions(partitions, ms)?;
        // With no wait, librdkafka marks the seeks it started `_IN_PROGRESS`:
        // that is success.
        for tp in &mut results {
            if tp.error.as_ref().is_some_and(|e| e.code() == ErrorCode::IN_PROGRESS) {
                tp.error = None;
            }
        }
        Ok(results)
    }

    /// Stops fetching these partitions (they stay assigned).
    ///
    /// Corresponds to `rd_kafka_pause_partitions`.
    #[doc(alias = "rd_kafka_pause_partitions")]
    pub fn pause(&self, partitions: &[TopicPartition]) -> Result<()> {
        check_partitions("pause", partitions)?;
        let h = self.core.get()?;
        let results = h.client.pause_resume(true, partitions)?;
        // As with librdkafka, nothing of a paused partition is returned once
        // `pause` returns: what was read ahead waits for `resume`.
        let paused: Vec<TopicPartition> = results.iter().filter(|tp| tp.error.is_none()).cloned().collect();
        self.read_ahead.hold(&paused);
        first_error(results)
    }

    /// Resumes fetching paused partitions.
    ///
    /// Corresponds to `rd_kafka_resume_partitions`.
    #[doc(alias = "rd_kafka_resume_partitions")]
    pub fn resume(&self, partitions: &[TopicPartition]) -> Result<()> {
        check_partitions("resume", partitions)?;
        let h = self.core.get()?;
        let results = h.client.pause_resume(false, partitions)?;
        // librdkafka resumes after what was read ahead: that comes first.
        let resumed: Vec<TopicPartition> = results.iter().filter(|tp| tp.error.is_none()).cloned().collect();
        self.read_ahead.release(&resumed);
        first_error(results)
    }

    /// The partition's low and high watermarks, asked of the broker (the
    /// Python client's `get_watermark_offsets(..., cached=False)`; see
    /// [`cached_watermark_offsets`](Self::cached_watermark_offsets) for
    /// `cached=True`).
    ///
    /// Corresponds to `rd_kafka_query_watermark_offsets`.
    #[doc(alias = "rd_kafka_query_watermark_offsets", alias = "get_watermark_offsets")]
    pub fn watermark_offsets(&self, topic: &str, partition: i32, timeout: impl Into<Timeout>) -> Result<(i64, i64)> {
        self.core
            .get()?
            .client
            .watermarks(topic, partition, Some(timeout.into().as_millis_i32()))
    }

    /// The last watermarks seen while fetching (no request);
    /// `(OFFSET_INVALID, OFFSET_INVALID)` when none are known yet.
    ///
    /// Corresponds to `rd_kafka_get_watermark_offsets`.
    #[doc(alias = "rd_kafka_get_watermark_offsets")]
    pub fn cached_watermark_offsets(&self, topic: &str, partition: i32) -> Result<(i64, i64)> {
        self.core.get()?.client.watermarks(topic, partition, None)
    }

    /// For each partition, the earliest offset whose timestamp is at or
    /// after `partition.offset` (a timestamp in ms); -1 when past the end.
    ///
    /// Corresponds to `rd_kafka_offsets_for_times`.
    #[doc(alias = "rd_kafka_offsets_for_times")]
    pub fn offsets_for_times(
        &self,
        partitions: &[TopicPartition],
        timeout: impl Into<Timeout>,
    ) -> Result<Vec<TopicPartition>> {
        check_partitions("offsets_for_times", partitions)?;
        self.core
            .get()?
            .client
            .offsets_for_times(partitions, timeout.into().as_millis_i32())
    }

    /// The group metadata a transactional producer needs to commit this
    /// consumer's offsets ([`Producer::send_offsets_to_transaction`](crate::Producer::send_offsets_to_transaction)).
    ///
    /// Corresponds to `rd_kafka_consumer_group_metadata`.
    #[doc(alias = "rd_kafka_consumer_group_metadata")]
    pub fn consumer_group_metadata(&self) -> Result<ConsumerGroupMetadata> {
        self.core
            .get()?
            .client
            .group_metadata()
            .map(ConsumerGroupMetadata::from_native)
            .ok_or_else(|| KafkaError::new(ErrorCode::STATE, "consumer group metadata is not available"))
    }

    /// The group member id, once joined (`None` before).
    ///
    /// Corresponds to `rd_kafka_memberid`.
    #[doc(alias = "rd_kafka_memberid")]
    pub fn member_id(&self) -> Result<Option<String>> {
        Ok(self.core.get()?.client.member_id().filter(|m| !m.is_empty()))
    }

    /// What the consumer holds that the application has not seen yet, to
    /// tell "no messages" from "not fetching" when `poll` returns `None`.
    ///
    /// When `poll` keeps returning `None`: if [`position`](Self::position)
    /// of an assigned partition stays [`OFFSET_INVALID`](crate::OFFSET_INVALID)
    /// while the partition has messages, the partition is not fetching
    /// (still looking up its starting offset, paused, or waiting for the
    /// group coordinator); librdkafka's statistics (`statistics.interval.ms`
    /// with a `stats_cb`) give each partition's `fetch_state` and
    /// `consumer_lag`. A non-zero [`ConsumerDiagnostics::buffered`] while
    /// `poll` returns `None` would be a bug in ferrokafka: `poll` always
    /// hands out buffered messages first (only those of paused partitions
    /// are held, counted in `held_for_paused`).
    pub fn diagnostics(&self) -> Result<ConsumerDiagnostics> {
        let h = self.core.get()?;
        Ok(ConsumerDiagnostics {
            buffered: self.read_ahead.ready_len(),
            held_for_paused: self.read_ahead.held_len(),
            events_waiting: h.state.needs_attention(),
            queued_in_librdkafka: h.queue.len(),
            app_polls_signalled: self.read_ahead.app_polls_sent.load(Ordering::Relaxed),
        })
    }

    crate::client::common_client_methods!("consumer");

    /// Closes the consumer: a final commit (with `enable.auto.commit`),
    /// leaving the group (`on_revoke` is called, served here), then
    /// destroying the client. Bounded by `timeout`: if the group cannot be
    /// left in time (say the coordinator is down or slow), `_TIMED_OUT` is
    /// returned and the rest of the close goes on by itself on a helper
    /// thread: it finishes leaving the group — applying any further
    /// rebalance with the plain (incremental) unassign, **without** calling
    /// `on_revoke` or other callbacks — and then destroys the client, which
    /// releases its threads, sockets and group membership within 90 seconds
    /// (librdkafka's group requests are bounded by `socket.timeout.ms`,
    /// 60 s by default; typically it takes milliseconds), once nothing
    /// else (a [`Message`]) holds the client. The same applies to the
    /// 10-second limit of `Drop`. Afterwards every method fails with
    /// the "closed" error; closing again is harmless. Messages already
    /// returned stay valid.
    ///
    /// A panic in a callback comes out of `close`, leaving the consumer
    /// open (close it again to finish).
    ///
    /// Corresponds to `rd_kafka_consumer_close_queue`.
    #[doc(alias = "rd_kafka_consumer_close")]
    pub fn close(&self, timeout: impl Into<Timeout>) -> Result<()> {
        let Some(h) = self.core.for_close()? else {
            return Ok(());
        };
        let result = match self.leave_group(&h, Deadline::new(timeout.into())) {
            Ok(r) => r,
            Err(Interrupt::Panic(p)) => resume_unwind(p),
            Err(Interrupt::Error(e)) => Err(e),
        };
        drop(self.core.take());
        // Messages and queues go before the client.
        self.read_ahead.clear();
        drop(self.close_queue.lock().unwrap_or_else(|e| e.into_inner()).take());
        drop(h);
        result
    }

    /// The close procedure shared by `close` and `Drop`: returns Err only for
    /// a panic in a callback (the close can then be resumed); the inner
    /// result is the close's outcome.
    fn leave_group(&self, h: &Arc<Handle>, deadline: Deadline) -> std::result::Result<Result<()>, Interrupt> {
        loop {
            if let Some(r) = self.close_step(h, deadline, deadline.remaining_ms_capped(100))? {
                return Ok(r);
            }
        }
    }

    /// One step of the close for `close_async`: never blocks.
    fn leave_group_step(
        &self,
        h: &Arc<Handle>,
        deadline: Deadline,
    ) -> std::result::Result<Option<Result<()>>, Interrupt> {
        self.close_step(h, deadline, 0)
    }

    /// Starts the close if needed, serves the close queue (waiting up to
    /// `wait_ms`), and says whether the consumer is closed (`Some`).
    fn close_step(
        &self,
        h: &Arc<Handle>,
        deadline: Deadline,
        wait_ms: i32,
    ) -> std::result::Result<Option<Result<()>>, Interrupt> {
        self.start_closing(h);
        let me = std::thread::current().id();
        if *self.stepping.lock().unwrap_or_else(|e| e.into_inner()) == Some(me) {
            // `close` (or drop) from a callback that this thread's close is
            // serving: that close finishes the job.
            return Ok(Some(Ok(())));
        }
        let started = self.close_queue.lock().unwrap_or_else(|e| e.into_inner()).take();
        let queue = match started {
            Some(q) => q,
            None if self.close_started.load(Ordering::Acquire) => {
                // Another thread's close holds the close queue right now.
                // A second `rd_kafka_consumer_close_queue` would move the
                // group's events to a new queue and leave librdkafka's reply
                // to the first close on a queue still being served (an
                // abort in librdkafka): wait for that close instead.
                if h.client.consumer_closed() || self.core.is_closed() {
                    return Ok(Some(Ok(())));
                }
                if deadline.expired() {
                    return Ok(Some(Err(KafkaError::new(
                        ErrorCode::TIMED_OUT,
                        "close: another thread's close of this consumer did not finish within the timeout",
                    ))));
                }
                if wait_ms > 0 {
                    // The other close makes progress meanwhile; this one
                    // looks again shortly (a close has no event of its own
                    // to wait for here).
                    std::thread::sleep(Duration::from_millis(wait_ms.min(10) as u64));
                }
                return Ok(None);
            }
            None => {
                self.close_started.store(true, Ordering::Release);
                let Some(q) = h.client.new_queue() else {
                    h.client.set_consumer_closed();
                    return Ok(Some(Err(KafkaError::new(
                        ErrorCode::FAIL,
                        "close: could not create a queue",
                    ))));
                };
                // Async closes wait on this queue's wake-ups.
                h.client.enable_wakeups::<crate::dispatch::CallbackState>(&q);
                if let Err(e) = h.client.consumer_close_queue(&q) {
                    h.client.set_consumer_closed();
                    // _DESTROY: already closed.
                    return Ok(Some(if e.code() == ErrorCode::DESTROY { Ok(()) } else { Err(e) }));
                }
                q
            }
        };
        // Messages fetched but not returned are dropped: the consumer is closing.
        self.read_ahead.clear();
        let mut scratch = Vec::new();
        h.client.consume_batch(&queue, wait_ms, 1000, &mut scratch);
        drop(scratch);
        *self.stepping.lock().unwrap_or_else(|e| e.into_inner()) = Some(me);
        let served = self.serve_deferred(h);
        *self.stepping.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let closed = h.client.consumer_closed();
        match served {
            Ok(()) => {}
            Err(Interrupt::Panic(p)) => {
                *self.close_queue.lock().unwrap_or_else(|e| e.into_inner()) = Some(queue);
                return Err(Interrupt::Panic(p));
            }
            Err(Interrupt::Error(e)) => {
                h.client.set_consumer_closed();
                return Ok(Some(Err(e)));
            }
        }
        if closed {
            h.client.set_consumer_closed();
            return Ok(Some(Ok(())));
        }
        if deadline.expired() {
            // Given up: librdkafka's destroy would still wait for the group
            // requests in flight (a commit or LeaveGroup to an unresponsive
            // coordinator, up to `socket.timeout.ms`), so it runs detached.
            // And the group leave must still be finished: librdkafka's
            // group handler waits for the application's (un)assign of any
            // rebalance it forwards to the close queue — forever, had
            // nobody served that queue any more (issue 10, item 5).
            h.client.abandon_consumer_close();
            self.handed_off.store(true, Ordering::Release);
            finish_close_in_background(h.clone(), queue);
            return Ok(Some(Err(KafkaError::new(
                ErrorCode::TIMED_OUT,
                "close: the consumer could not leave its group within the timeout; it was destroyed anyway",
            ))));
        }
        *self.close_queue.lock().unwrap_or_else(|e| e.into_inner()) = Some(queue);
        Ok(None)
    }
}

/// How long a close that gave up keeps finishing the group leave in the
/// background (see [`finish_close_in_background`]) before destroying the
/// client regardless: beyond the default `socket.timeout.ms` (60 s), which
/// bounds the group requests librdkafka waits for.
pub(crate) const BACKGROUND_CLOSE_LIMIT: Duration = Duration::from_secs(90);

/// How long a close finished in the background waits, with nothing
/// assigned, for another rebalance before handing the rest to the destroy.
/// (The destroy skips the leave's final commit: after a close that gave up,
/// the next owner of a partition may re-read from the last commit that
/// succeeded — redelivery, never loss.)
const QUIET_BEFORE_DESTROY: Duration = Duration::from_millis(500);

/// Finishes a close that gave up at its deadline, on a helper thread: serves
/// the close queue — the plain (incremental) (un)assign for each rebalance,
/// without user callbacks; other events are dropped — until librdkafka says
/// the consumer is closed, or [`BACKGROUND_CLOSE_LIMIT`] passes; then lets
/// go of the client (destroyed when its last reference goes). Without this,
/// a rebalance forwarded to the close queue after the close gave up would
/// leave librdkafka's group handler waiting for an assign call forever,
/// and the client (threads, sockets, group membership) alive.
fn finish_close_in_background(h: Arc<Handle>, queue: NativeQueue) {
    let work = move || {
        let limit = Deadline::after(BACKGROUND_CLOSE_LIMIT);
        let started = std::time::Instant::now();
        let mut last_rebalance = started;
        let mut scratch = Vec::new();
        loop {
            h.client.consume_batch(&queue, 100, 1000, &mut scratch);
            scratch.clear();
            while let Some(ev) = h.state.next_deferred() {
                if let Deferred::Rebalance { err, partitions } = ev {
                    plain_rebalance(&h, err, &partitions);
                    last_rebalance = std::time::Instant::now();
                }
            }
            if h.client.consumer_closed() {
                h.client.set_consumer_closed();
                break;
            }
            // Once nothing is assigned and no rebalance came for a while,
            // librdkafka no longer waits for the application: what is left
            // of the leave (a commit, LeaveGroup to a coordinator that may be
            // gone) is the destroy's, which does not wait for it
            // (`RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`).
            if started.elapsed() >= QUIET_BEFORE_DESTROY * 2
                && last_rebalance.elapsed() >= QUIET_BEFORE_DESTROY
                && h.client.assignment().is_ok_and(|a| a.is_empty())
            {
                break;
            }
            if limit.expired() {
                log::warn!(
                    target: "librdkafka",
                    "[{}] the consumer had not left its group {BACKGROUND_CLOSE_LIMIT:?} after its close gave up; destroying it anyway",
                    h.name()
                );
                break;
            }
        }
        drop(queue);
        drop(h);
    };
    // If no thread can be started, finish here (bounded as above).
    let slot = Arc::new(Mutex::new(Some(work)));
    let theirs = slot.clone();
    let spawned = std::thread::Builder::new()
        .name("ferrokafka-close".into())
        .spawn(move || {
            if let Some(w) = theirs.lock().unwrap_or_else(|e| e.into_inner()).take() {
                w()
            }
        });
    if spawned.is_err() {
        if let Some(w) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            w()
        }
    }
}

/// What the consumer does for a rebalance nobody's callback handles: the
/// (incremental) assign or unassign librdkafka waits for.
fn plain_rebalance(h: &Handle, err: ErrorCode, partitions: &[TopicPartition]) {
    let cooperative = h.client.rebalance_protocol() == RebalanceProtocol::COOPERATIVE;
    let r = match (err == ErrorCode::ASSIGN_PARTITIONS, cooperative) {
        (true, true) => h.client.incremental(true, partitions),
        (true, false) => h.client.assign(Some(partitions)),
        (false, true) => h.client.incremental(false, partitions),
        (false, false) => h.client.assign(None),
    };
    if let Err(e) = r {
        log::error!(target: "librdkafka", "[{}] could not apply the rebalance: {e}", h.name());
    }
}

fn check_partitions(what: &str, parts: &[TopicPartition]) -> Result<()> {
    if parts.is_empty() {
        return Err(KafkaError::invalid_arg(format!("{what}: the partition list is empty")));
    }
    check_each_partition(what, parts)
}

/// Every entry names a topic (non-empty, no NUL) and a partition >= 0. (An
/// empty list is fine: assigning nothing is allowed.)
fn check_each_partition(what: &str, parts: &[TopicPartition]) -> Result<()> {
    for tp in parts {
        if tp.topic.is_empty() || tp.topic.contains('\0') {
            return Err(KafkaError::invalid_arg(format!(
                "{what}: invalid topic name {:?}",
                tp.topic
            )));
        }
        if tp.partition < 0 {
            return Err(KafkaError::invalid_arg(format!(
                "{what}: invalid partition {} for topic {:?}",
                tp.partition, tp.topic
            )));
        }
    }
    Ok(())
}

/// The results, or the first partition's error carrying them all.
pub(crate) fn all_ok(results: Vec<TopicPartition>) -> Result<Vec<TopicPartition>> {
    match results.iter().find_map(|tp| tp.error.clone()) {
        Some(e) => Err(e.with_results(results)),
        None => Ok(results),
    }
}

fn first_error(results: Vec<TopicPartition>) -> Result<()> {
    match results.iter().find_map(|tp| tp.error.clone()) {
        Some(e) => Err(e.with_results(results)),
        None => Ok(()),
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        if crate::client::drop_elsewhere_if_inside_librdkafka("Consumer", || Consumer {
            core: self.core.take_core(),
            rebalance: Mutex::new(self.rebalance.lock().unwrap_or_else(|e| e.into_inner()).clone()),
            in_rebalance: AtomicBool::new(false),
            assign_calls: AtomicUsize::new(0),
            auto_offset_store: self.auto_offset_store,
            close_queue: Mutex::new(self.close_queue.lock().unwrap_or_else(|e| e.into_inner()).take()),
            closing: AtomicBool::new(self.closing.load(Ordering::Acquire)),
            handed_off: AtomicBool::new(self.handed_off.load(Ordering::Acquire)),
            close_started: AtomicBool::new(self.close_started.load(Ordering::Acquire)),
            stepping: Mutex::new(None),
            read_ahead: std::mem::take(&mut self.read_ahead),
        }) {
            return;
        }
        // The handle stays in the core while the group is left, so that
        // rebalance closures run by the close (`on_revoke`) can still call
        // `unassign`, `commit_sync`… on the consumer; it is taken after.
        let Ok(h) = self.core.arc() else { return };
        let deadline = Deadline::after(DROP_CLOSE_LIMIT);
        loop {
            match self.leave_group(&h, deadline) {
                Ok(Ok(())) => break,
                Ok(Err(e)) => {
                    log::warn!(target: "librdkafka", "[{}] consumer dropped without close: {e}", h.name());
                    break;
                }
                Err(Interrupt::Panic(p)) => {
                    log::error!(
                        target: "librdkafka",
                        "[{}] a callback panicked while the consumer was dropped: {}",
                        h.name(),
                        panic_message(&*p)
                    );
                }
                Err(Interrupt::Error(e)) => {
                    log::warn!(target: "librdkafka", "[{}] {e}", h.name());
                    break;
                }
            }
        }
        drop(self.core.take());
        // Anything still recorded is dropped with the client; messages and
        // queues go first.
        self.read_ahead.clear();
        if !self.handed_off.load(Ordering::Acquire) {
            while h.state.next_deferred().is_some() {}
        }
        drop(self.close_queue.lock().unwrap_or_else(|e| e.into_inner()).take());
        drop(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MockCluster, Producer, Record};

    /// A `poll` blocked in librdkafka while another thread closes the
    /// consumer can come back with messages after the close cleared the
    /// read-ahead. Whatever it puts there then — by `fill`, `put_front` or
    /// `append` — must not stay (it would outlive the close, the kept
    /// handle keeping the C client alive with it). The interleaving is
    /// replayed on one thread, step by step, through the read-ahead's three
    /// ways in: the close's part is reduced to what matters here (the
    /// handle taken and marked retired, the buffer cleared; the group is
    /// not left, so librdkafka still has messages for the late fill).
    #[test]
    fn messages_added_after_a_close_took_the_handle_are_not_kept() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("t", 1, 1).unwrap();
        let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())])).unwrap();
        for i in 0..20 {
            let v = format!("v{i}");
            producer.produce(Record::new("t").with_value(&v)).unwrap();
        }
        producer.flush(Duration::from_secs(10)).unwrap();
        for path in ["fill", "put_front", "append"] {
            let consumer = Consumer::new(&Config::from([
                ("bootstrap.servers", cluster.bootstrap_servers()),
                ("group.id", "g"),
                ("auto.offset.reset", "earliest"),
            ]))
            .unwrap();
            consumer.assign(&[TopicPartition::new("t", 0)]).unwrap();
            let h = consumer.core.arc().unwrap();
            // The racing poll's own message, taken before the close (the
            // rest of the fetch is queued behind it).
            let late = h.client.consumer_poll(10_000).expect("a message");
            // The close: the handle out of the client, the buffer cleared.
            let taken = consumer.core.take().expect("open");
            consumer.read_ahead.clear();
            drop(taken);
            // The racing poll comes back and adds.
            match path {
                "fill" => {
                    let queued = h.queue.len();
                    assert!(queued > 0, "messages for the fill to read");
                    consumer.read_ahead.fill(&h, READ_AHEAD);
                    assert!(h.queue.len() < queued, "the fill read messages");
                    drop(late);
                }
                "put_front" => consumer.read_ahead.put_front(&h, std::iter::once(late)),
                _ => consumer.read_ahead.append(&h, std::iter::once(late)),
            }
            assert_eq!(
                consumer.read_ahead.ready_len(),
                0,
                "{path}: nothing ready after the close"
            );
            assert_eq!(
                consumer.read_ahead.held_len(),
                0,
                "{path}: nothing held after the close"
            );
            assert!(consumer.read_ahead.take_fast().is_none(), "{path}");
            assert_eq!(
                Arc::strong_count(&h),
                1,
                "{path}: the racing poll holds the last reference"
            );
            drop(h);
        }
    }
}
