//! [`AdminFuture`] and the table of requests awaiting their result.
//!
//! Each request gets an id, carried through librdkafka as the result event's
//! opaque. The result arrives on librdkafka's background thread, which looks
//! the id up, decodes the event into the request's output type and sends it
//! through a `futures-channel` oneshot. Nothing is leaked if librdkafka
//! never delivers a result (the client is destroyed first): the table still
//! owns the sender and fails it with `_DESTROY`.

use crate::dispatch::panic_message;
use crate::error::{ErrorCode, KafkaError};
use crate::native::{admin_event_error, event_request_id, AdminOp, AdminResult, NativeEvent};
use crate::timeout::{Deadline, Timeout};
use futures_channel::oneshot;
use std::collections::HashMap;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Builds a request's output from an error that fails it as a whole (for
/// per-item outputs: the error copied into every item).
pub(crate) type FailFn<T> = Arc<dyn Fn(KafkaError) -> T + Send + Sync>;

/// Decodes a request's result event into its output.
pub(crate) type DecodeFn<T> = Box<dyn for<'a> FnOnce(AdminResult<'a>) -> T + Send>;

/// The eventual result of an admin request.
///
/// The request runs in the background and its result is delivered from
/// librdkafka's background thread: nothing needs to be polled for it to
/// complete. Either `.await` it (it is a `std::future::Future` that works
/// under any executor; the crate does not depend on tokio), or block with
/// [`wait`](Self::wait).
///
/// The output `T` always carries the errors: per-item operations resolve to
/// `Vec<(key, Result<value>)>` (a request-level failure — timeout, no
/// controller, client closed — fails every item), whole-request operations
/// to `Result<value>`. If the client is closed or dropped before the result
/// arrives, the future completes with `_DESTROY`.
///
/// ```no_run
/// use ferrokafka::{AdminClient, AdminOptions, Config};
/// use ferrokafka::admin::NewTopic;
/// use std::time::Duration;
///
/// let admin = AdminClient::new(&Config::from([("bootstrap.servers", "localhost:9092")]))?;
/// let mut future = admin.create_topics(&[NewTopic::new("orders", 3, 1)], &AdminOptions::new())?;
/// for (topic, result) in future.wait(Duration::from_secs(30))? {
///     match result {
///         Ok(()) => println!("created {topic}"),
///         Err(e) => eprintln!("{topic}: {e}"),
///     }
/// }
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
#[must_use = "an admin future does nothing useful unless awaited or waited on"]
pub struct AdminFuture<T> {
    rx: oneshot::Receiver<T>,
    fail: FailFn<T>,
    done: bool,
}

impl<T> AdminFuture<T> {
    /// Blocks until the result arrives or `timeout` passes.
    ///
    /// `Ok` is the request's outcome: for a per-item operation, each item's
    /// result — where a broker-side failure, such as the request's own
    /// [`request_timeout`](crate::AdminOptions::request_timeout) expiring,
    /// is an item's `_TIMED_OUT` error.
    ///
    /// `Err` means this wait ended without an outcome: a retriable
    /// `_TIMED_OUT` error when `timeout` passed first (the request goes on:
    /// wait again, or await the future; Python's `future.result(timeout)`
    /// raises `TimeoutError` likewise), or `_STATE` if the outcome was
    /// already taken. So a wait deadline is never confused with a broker's
    /// timeout.
    ///
    /// ```no_run
    /// # use ferrokafka::{AdminClient, AdminOptions, Config, ErrorCode};
    /// # use std::time::Duration;
    /// # let admin = AdminClient::new(&Config::from([("bootstrap.servers", "localhost:9092")]))?;
    /// let mut future = admin.delete_topics(&["old"], &AdminOptions::new())?;
    /// let results = loop {
    ///     match future.wait(Duration::from_secs(5)) {
    ///         Ok(results) => break results,
    ///         Err(e) if e.code() == ErrorCode::TIMED_OUT => eprintln!("still waiting..."),
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn wait(&mut self, timeout: impl Into<Timeout>) -> Result<T, KafkaError> {
        if self.done {
            return Err(KafkaError::new(
                ErrorCode::STATE,
                "AdminFuture::wait: the result was already taken",
            ));
        }
        let timeout = timeout.into();
        let deadline = Deadline::new(timeout);
        let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(v) = Pin::new(&mut *self).poll(&mut cx) {
                return Ok(v);
            }
            match deadline.remaining_ms() {
                -1 => std::thread::park(),
                0 => {
                    return Err(KafkaError::new(
                        ErrorCode::TIMED_OUT,
                        format!(
                            "AdminFuture::wait: no result within the wait's {timeout:?}; the request goes on (wait again or await it)"
                        ),
                    )
                    .with_retriable(true))
                }
                ms => std::thread::park_timeout(Duration::from_millis(ms as u64)),
            }
        }
    }
}

impl<T> Future for AdminFuture<T> {
    type Output = T;

    /// # Panics
    /// If polled again after it completed (the `Future` contract).
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        assert!(!self.done, "AdminFuture polled after completion");
        let out = match Pin::new(&mut self.rx).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(v)) => v,
            // The sender went away without a result: the request table was
            // emptied because the client was closed or dropped.
            Poll::Ready(Err(oneshot::Canceled)) => (self.fail)(KafkaError::new(
                ErrorCode::DESTROY,
                "the AdminClient was closed before this request completed",
            )),
        };
        self.done = true;
        Poll::Ready(out)
    }
}

impl<T> std::fmt::Debug for AdminFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminFuture").field("done", &self.done).finish()
    }
}

/// Wakes the thread blocked in [`AdminFuture::wait`].
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// A request awaiting its result.
trait PendingRequest: Send {
    fn op(&self) -> AdminOp;
    fn complete(self: Box<Self>, ev: &NativeEvent);
    fn fail(self: Box<Self>, e: KafkaError);
}

struct Pending<T> {
    op: AdminOp,
    tx: oneshot::Sender<T>,
    decode: DecodeFn<T>,
    fail: FailFn<T>,
}

impl<T: Send> PendingRequest for Pending<T> {
    fn op(&self) -> AdminOp {
        self.op
    }

    fn complete(self: Box<Self>, ev: &NativeEvent) {
        let Pending { op, tx, decode, fail } = *self;
        let out = match admin_event_error(ev) {
            // A request-level error fails every item.
            Some(e) => fail(e),
            None => match catch_unwind(AssertUnwindSafe(|| decode(AdminResult::new(ev, op)))) {
                Ok(v) => v,
                Err(p) => fail(KafkaError::new(
                    ErrorCode::FAIL,
                    format!("{}: could not read the result: {}", op.method(), panic_message(&*p)),
                )),
            },
        };
        // The receiver may be gone (the future was dropped): nothing to do.
        let _ = tx.send(out);
    }

    fn fail(self: Box<Self>, e: KafkaError) {
        let Pending { tx, fail, .. } = *self;
        let _ = tx.send(fail(e));
    }
}

/// The requests of one client that await their result.
pub(crate) struct Requests {
    /// Set when librdkafka took the failure path of a coordinator request
    /// that corrupts its reference counts (librdkafka issue #3663): the
    /// client must then never be destroyed (see `AdminClient::shut_down`).
    poisoned: AtomicBool,
    next_id: AtomicUsize,
    pending: Mutex<HashMap<usize, Box<dyn PendingRequest>>>,
    changed: Condvar,
}

impl Requests {
    pub(crate) fn new() -> Self {
        Requests {
            poisoned: AtomicBool::new(false),
            next_id: AtomicUsize::new(1),
            pending: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Box<dyn PendingRequest>>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a request; returns its id (never 0) and its future.
    pub(crate) fn register<T: Send + 'static>(
        &self,
        op: AdminOp,
        decode: DecodeFn<T>,
        fail: FailFn<T>,
    ) -> (usize, AdminFuture<T>) {
        let (tx, rx) = oneshot::channel();
        let mut id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if id == 0 {
            id = self.next_id.fetch_add(1, Ordering::Relaxed);
        }
        let pending = Pending {
            op,
            tx,
            decode,
            fail: fail.clone(),
        };
        self.lock().insert(id, Box::new(pending));
        (id, AdminFuture { rx, fail, done: false })
    }

    /// Completes the request a result event belongs to (background thread).
    pub(crate) fn complete(&self, ev: NativeEvent) {
        let id = event_request_id(&ev);
        let pending = self.lock().remove(&id);
        match pending {
            Some(p) => {
                let op = p.op();
                if AdminResult::new(&ev, op).coordinator_send_failed(op) {
                    self.poisoned.store(true, Ordering::Release);
                    log::error!(
                        target: "librdkafka",
                        "{}: librdkafka could not send the request to the group coordinator (the broker lacks the API); \
                         librdkafka 2.12.1 releases its references twice on this path (librdkafka issue #3663), so \
                         destroying this client would abort the process: it will be leaked instead when closed or dropped",
                        op.method()
                    );
                }
                // Completing wakes the awaiting task: user code, which may
                // panic. Tell `wait_idle` first, then let the panic go on.
                let completed = catch_unwind(AssertUnwindSafe(|| p.complete(&ev)));
                self.changed.notify_all();
                if let Err(panic) = completed {
                    std::panic::resume_unwind(panic);
                }
            }
            None => log::debug!(target: "librdkafka", "admin result {} for no pending request ({id})", ev.name()),
        }
    }

    /// True once librdkafka has corrupted this client's state (see `poisoned`).
    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Fails every pending request with `e`; returns how many there were.
    pub(crate) fn fail_all(&self, e: KafkaError) -> usize {
        let drained: Vec<_> = self.lock().drain().map(|(_, p)| p).collect();
        let n = drained.len();
        for p in drained {
            p.fail(e.clone());
        }
        self.changed.notify_all();
        n
    }

    /// Waits until no request is pending or the deadline passes; returns
    /// how many are still pending.
    pub(crate) fn wait_idle(&self, deadline: Deadline) -> usize {
        let mut g = self.lock();
        loop {
            if g.is_empty() {
                return 0;
            }
            let ms = deadline.remaining_ms();
            if ms == 0 {
                return g.len();
            }
            let wait = if ms < 0 { 1000 } else { ms as u64 };
            g = self
                .changed
                .wait_timeout(g, Duration::from_millis(wait))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}
