//! Event dispatch shared by every client (DESIGN.md decisions 1 and 2).
//!
//! librdkafka's event API queues delivery reports, errors, logs and
//! statistics; clients pull them inside their serving calls (`poll`,
//! `flush`, `consume`, `close`) and hand them to user closures here, on the
//! caller's thread. A panic in a user closure is caught, serving stops (the
//! remaining events stay queued), and the serving call resumes the panic
//! after leaving C: the client stays usable.

use crate::config::{
    Callbacks, Emulated, LogRecord, OAuthToken, Redactor, SslCertVerdict, SslCertificate, ThrottleEvent,
};
use crate::error::KafkaError;
pub(crate) use crate::native::{panic_message, Deferred};
use crate::native::{EventKind, Hooks, NativeEvent};
use std::any::Any;
use std::collections::VecDeque;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

const DEFERRED: u32 = 1;
const PANIC: u32 = 2;

/// What a client's C callbacks and serving calls share. librdkafka holds its
/// address as the configuration opaque, so it lives (boxed in an `Arc`)
/// until after `rd_kafka_destroy` has returned.
pub(crate) struct CallbackState {
    pub(crate) callbacks: Callbacks,
    pub(crate) redactor: Redactor,
    pub(crate) emulated: Emulated,
    pub(crate) client_name: OnceLock<String>,
    /// Handles events on librdkafka's background queue (admin results),
    /// called on the background thread; set once after the client is made.
    pub(crate) background: OnceLock<BackgroundHandler>,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    deferred: Mutex<VecDeque<Deferred>>,
    /// `DEFERRED | PANIC` bits, kept in step with the two slots above so the
    /// serving fast path checks one atomic instead of taking two locks.
    attention: std::sync::atomic::AtomicU32,
    /// Async tasks waiting for events on the client's queue(s).
    pub(crate) queue_wakers: Wakers,
    /// Async sends waiting for room in the producer's queue.
    pub(crate) space_wakers: Wakers,
    /// Wake every registered task on an event (the consumer: its few tasks
    /// wait on different queues), rather than one (the producer's many sends
    /// all wait on the same queue).
    pub(crate) wake_all: std::sync::atomic::AtomicBool,
    /// The outcome of the first `oauth_cb` call (the constructor waits for
    /// it, as the Python client's does).
    oauth_first: Mutex<Option<Result<(), String>>>,
    oauth_cv: std::sync::Condvar,
    /// Why `ssl_cert_verify_cb` last rejected a certificate, by broker
    /// name (`host:port`), until the `_SSL` error of that failed handshake
    /// is served: librdkafka only logs the reason, and its error blames
    /// `ssl.ca.location`.
    cert_rejections: Mutex<Vec<(String, String)>>,
}

/// See [`CallbackState::background`].
pub(crate) type BackgroundHandler = Box<dyn Fn(NativeEvent) + Send + Sync>;

impl CallbackState {
    pub(crate) fn new(callbacks: Callbacks, redactor: Redactor, emulated: Emulated) -> Self {
        CallbackState {
            callbacks,
            redactor,
            emulated,
            client_name: OnceLock::new(),
            background: OnceLock::new(),
            panic: Mutex::new(None),
            deferred: Mutex::new(VecDeque::new()),
            attention: std::sync::atomic::AtomicU32::new(0),
            queue_wakers: Wakers::default(),
            space_wakers: Wakers::default(),
            wake_all: std::sync::atomic::AtomicBool::new(false),
            oauth_first: Mutex::new(None),
            oauth_cv: std::sync::Condvar::new(),
            cert_rejections: Mutex::new(Vec::new()),
        }
    }

    /// Records (`Some`) or forgets (`None`) why the certificate
    /// verification callback rejected `broker`'s certificate.
    fn note_cert_rejection(&self, broker: &str, reason: Option<&str>) {
        let mut v = self.cert_rejections.lock().unwrap_or_else(|e| e.into_inner());
        v.retain(|(b, _)| b != broker);
        if let Some(reason) = reason {
            v.push((broker.to_string(), reason.to_string()));
        }
    }

    /// `e` with the reason the certificate verification callback gave, when
    /// `e` is the `_SSL` error of a broker whose certificate it rejected.
    fn with_cert_rejection(&self, e: KafkaError) -> KafkaError {
        if e.code() != crate::error::ErrorCode::SSL {
            return e;
        }
        let mut v = self.cert_rejections.lock().unwrap_or_else(|e| e.into_inner());
        // librdkafka names the broker `ssl://host:port/id` in the message:
        // match the whole `host:port`, not a suffix of another host's.
        let Some(i) = v.iter().position(|(b, _)| e.message().contains(&format!("://{b}/"))) else {
            return e;
        };
        let (_, reason) = v.remove(i);
        KafkaError::new(e.code(), format!("{} (ssl_cert_verify_cb: {reason})", e.message()))
            .with_fatal(e.is_fatal())
            .with_retriable(e.is_retriable())
            .with_txn_requires_abort(e.txn_requires_abort())
    }

    /// Waits up to `limit` for the first `oauth_cb` outcome: `None` if
    /// none came.
    pub(crate) fn wait_first_oauth_token(&self, limit: std::time::Duration) -> Option<Result<(), String>> {
        let slot = self.oauth_first.lock().unwrap_or_else(|e| e.into_inner());
        let (slot, _) = self
            .oauth_cv
            .wait_timeout_while(slot, limit, |s| s.is_none())
            .unwrap_or_else(|e| e.into_inner());
        slot.clone()
    }

    /// Records an event for the serving call (from a C callback).
    pub(crate) fn defer(&self, ev: Deferred) {
        let mut q = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
        q.push_back(ev);
        self.attention.fetch_or(DEFERRED, std::sync::atomic::Ordering::AcqRel);
    }

    /// The next deferred event, if any.
    pub(crate) fn next_deferred(&self) -> Option<Deferred> {
        if !self.has_deferred() {
            return None;
        }
        let mut q = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
        let ev = q.pop_front();
        if q.is_empty() {
            self.attention.fetch_and(!DEFERRED, std::sync::atomic::Ordering::AcqRel);
        }
        ev
    }

    pub(crate) fn has_deferred(&self) -> bool {
        self.attention.load(std::sync::atomic::Ordering::Acquire) & DEFERRED != 0
    }

    /// Keeps a panic caught in a C callback until a serving call resumes it
    /// (the first one wins; later ones are reported to the log).
    pub(crate) fn stash_panic(&self, payload: Box<dyn Any + Send>) {
        let mut slot = self.panic.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(payload);
            self.attention.fetch_or(PANIC, std::sync::atomic::Ordering::AcqRel);
        } else {
            log::error!(target: "librdkafka", "a callback panicked while an earlier panic was still pending: {}", panic_message(&*payload));
        }
    }

    pub(crate) fn has_panic(&self) -> bool {
        self.attention.load(std::sync::atomic::Ordering::Acquire) & PANIC != 0
    }

    pub(crate) fn take_panic(&self) -> Option<Box<dyn Any + Send>> {
        if !self.has_panic() {
            return None;
        }
        let mut slot = self.panic.lock().unwrap_or_else(|e| e.into_inner());
        self.attention.fetch_and(!PANIC, std::sync::atomic::Ordering::AcqRel);
        slot.take()
    }

    /// True when a deferred event or a panic waits for the serving call.
    pub(crate) fn needs_attention(&self) -> bool {
        self.attention.load(std::sync::atomic::Ordering::Acquire) != 0
    }

    /// Resumes a stashed panic, if any.
    pub(crate) fn check_panic(&self) -> Result<(), Interrupt> {
        match self.take_panic() {
            Some(p) => Err(Interrupt::Panic(p)),
            None => Ok(()),
        }
    }

    fn name(&self) -> &str {
        self.client_name.get().map(String::as_str).unwrap_or("")
    }
}

/// Why serving stopped early.
pub(crate) enum Interrupt {
    /// A user callback panicked: resume it from the serving call.
    Panic(Box<dyn Any + Send>),
    /// An error (a fatal one, or a consumer error): return it from the
    /// serving call.
    Error(KafkaError),
}

impl From<KafkaError> for Interrupt {
    fn from(e: KafkaError) -> Self {
        Interrupt::Error(e)
    }
}

/// Turns an interrupted serving call into its public outcome: a panic
/// continues unwinding from here (outside any C frame), an error is returned.
pub(crate) fn finish<T>(r: Result<T, Interrupt>) -> crate::Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(Interrupt::Error(e)) => Err(e),
        Err(Interrupt::Panic(p)) => resume_unwind(p),
    }
}

/// Runs user code, catching a panic.
pub(crate) fn call_user<R>(f: impl FnOnce() -> R) -> Result<R, Interrupt> {
    catch_unwind(AssertUnwindSafe(f)).map_err(Interrupt::Panic)
}

/// Serves the events every client shares: logs, errors and statistics.
/// Fatal errors interrupt serving (the Python client raises them from poll
/// rather than calling `error_cb`).
pub(crate) fn serve_common(state: &CallbackState, ev: &NativeEvent) -> Result<(), Interrupt> {
    match ev.served_as() {
        EventKind::Log => {
            if let Some(line) = ev.log() {
                serve_log(state, line.level, line.facility, line.message)?;
            }
        }
        EventKind::Error => {
            if let Some(e) = ev.error() {
                serve_error(state, e)?;
            }
        }
        EventKind::Stats => serve_stats(state, ev.stats())?,
        other => {
            log::debug!(target: "librdkafka", "[{}] ignoring event {} ({other:?})", state.name(), ev.name());
        }
    }
    Ok(())
}

fn serve_log(state: &CallbackState, level: i32, facility: &str, message: &str) -> Result<(), Interrupt> {
    let message = if state.redactor.is_empty() {
        std::borrow::Cow::Borrowed(message)
    } else {
        std::borrow::Cow::Owned(state.redactor.redact(message))
    };
    let rec = LogRecord {
        level,
        facility,
        message: &message,
        client_name: state.name(),
    };
    match &state.callbacks.logger {
        Some(cb) => call_user(|| cb(&rec))?,
        None => to_log_crate(&rec),
    }
    Ok(())
}

/// A librdkafka line to the `log` crate, target `librdkafka`.
fn to_log_crate(rec: &LogRecord<'_>) {
    log::log!(
        target: "librdkafka",
        crate::native::syslog_to_level(rec.level),
        "{} [{}] {}",
        rec.facility,
        rec.client_name,
        rec.message
    )
}

fn serve_error(state: &CallbackState, e: KafkaError) -> Result<(), Interrupt> {
    let e = state.with_cert_rejection(e);
    let e = if state.redactor.is_empty() {
        e
    } else {
        KafkaError::new(e.code(), state.redactor.redact(e.message()))
            .with_fatal(e.is_fatal())
            .with_retriable(e.is_retriable())
            .with_txn_requires_abort(e.txn_requires_abort())
    };
    if e.is_fatal() {
        return Err(Interrupt::Error(e));
    }
    match &state.callbacks.error_cb {
        Some(cb) => call_user(|| cb(&e))?,
        None => log::error!(target: "librdkafka", "[{}] {}", state.name(), e),
    }
    Ok(())
}

fn serve_stats(state: &CallbackState, json: &str) -> Result<(), Interrupt> {
    if let Some(cb) = &state.callbacks.stats_cb {
        call_user(|| cb(json))?;
    }
    // The typed form, parsed only when asked for (and after the raw one).
    #[cfg(feature = "statistics")]
    if let Some(cb) = &state.callbacks.statistics_cb {
        let stats = crate::values::statistics::Statistics::from_json(json);
        call_user(|| cb(stats, json))?;
    }
    Ok(())
}

/// Hands one deferred event of the kinds every client shares to the user's
/// callbacks. Returns the event back if it is not one of those.
pub(crate) fn serve_deferred_common(state: &CallbackState, ev: Deferred) -> Result<Option<Deferred>, Interrupt> {
    match ev {
        Deferred::Throttle {
            broker_name,
            broker_id,
            throttle_ms,
        } => {
            if let Some(cb) = &state.callbacks.throttle_cb {
                let t = ThrottleEvent {
                    broker_name,
                    broker_id,
                    throttle_time: Duration::from_millis(throttle_ms.max(0) as u64),
                };
                call_user(|| cb(&t))?;
            }
        }
        Deferred::Error(e) => serve_error(state, e)?,
        Deferred::Stats(json) => serve_stats(state, &json)?,
        Deferred::Log {
            level,
            facility,
            message,
        } => serve_log(state, level, &facility, &message)?,
        other => return Ok(Some(other)),
    }
    Ok(None)
}

/// Serves every deferred event of the shared kinds (the producer has no
/// other kind).
pub(crate) fn serve_deferred(state: &CallbackState) -> Result<usize, Interrupt> {
    let mut n = 0;
    while let Some(ev) = state.next_deferred() {
        n += 1;
        if let Some(other) = serve_deferred_common(state, ev)? {
            log::debug!(target: "librdkafka", "[{}] dropping an unexpected deferred event", state.name());
            drop(other);
        }
    }
    Ok(n)
}

/// native/'s C callbacks reach the client, and through it user code, only
/// here.
impl Hooks for CallbackState {
    fn defer(&self, event: Deferred) {
        CallbackState::defer(self, event)
    }

    fn stash_panic(&self, payload: Box<dyn Any + Send>) {
        CallbackState::stash_panic(self, payload)
    }

    /// The OAuth trampoline's body (librdkafka's background thread).
    fn oauth_token(&self, oauthbearer_config: &str) -> Option<Result<OAuthToken, String>> {
        self.callbacks.oauth_cb.as_ref().map(|cb| cb(oauthbearer_config))
    }

    /// The partitioner trampoline's body (the producing thread).
    fn partition(&self, topic: &[u8], key: Option<&[u8]>, partition_count: i32) -> i32 {
        match &self.callbacks.partitioner {
            Some(cb) => cb(std::str::from_utf8(topic).unwrap_or(""), key, partition_count),
            None => -1,
        }
    }

    fn wake_queue_waiters(&self) {
        if self.wake_all.load(std::sync::atomic::Ordering::Relaxed) {
            self.queue_wakers.wake_all()
        } else {
            self.queue_wakers.wake_one()
        }
    }

    fn oauth_outcome(&self, outcome: Result<(), String>) {
        let mut slot = self.oauth_first.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(outcome);
            self.oauth_cv.notify_all();
        }
    }

    /// The direct log callback's body, on the librdkafka thread that
    /// logged (no `logger` is configured, so the line goes to the `log`
    /// crate at once instead of waiting in the queue for a serving call).
    fn log_line(&self, level: i32, facility: &str, message: &str) {
        let message = if self.redactor.is_empty() {
            std::borrow::Cow::Borrowed(message)
        } else {
            std::borrow::Cow::Owned(self.redactor.redact(message))
        };
        to_log_crate(&LogRecord {
            level,
            facility,
            message: &message,
            client_name: self.name(),
        });
    }

    /// The certificate verification trampoline's body (a broker thread).
    /// Without a callback (never installed then) OpenSSL's verdict stands.
    /// The reason of a rejection is kept for the handshake's `_SSL` error
    /// ([`serve_error`]); accepting a broker's own certificate (the last
    /// one checked, so the handshake's verification passed) forgets an
    /// earlier one.
    fn ssl_cert_verify(&self, cert: &SslCertificate<'_>) -> SslCertVerdict {
        let Some(cb) = &self.callbacks.ssl_cert_verify_cb else {
            return if cert.preverified() {
                SslCertVerdict::Accept
            } else {
                SslCertVerdict::reject(format!("OpenSSL verification error {}", cert.x509_error))
            };
        };
        /// A panicking callback rejects the certificate (native/ catches
        /// the panic): say so in the error.
        struct OnUnwind<'a>(&'a CallbackState, &'a str);
        impl Drop for OnUnwind<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.note_cert_rejection(self.1, Some("the callback panicked"));
                }
            }
        }
        let guard = OnUnwind(self, cert.broker_name);
        let verdict = cb(cert);
        drop(guard);
        match &verdict {
            SslCertVerdict::Reject(reason) => self.note_cert_rejection(cert.broker_name, Some(reason)),
            SslCertVerdict::Accept if cert.depth == 0 => self.note_cert_rejection(cert.broker_name, None),
            SslCertVerdict::Accept => {}
        }
        verdict
    }

    fn background_event(&self, event: NativeEvent) {
        match self.background.get() {
            Some(handler) => handler(event),
            None => log::debug!(target: "librdkafka", "background event {} with no handler", event.name()),
        }
    }
}

/// Wakers of async operations waiting for a queue to receive events (see
/// [`crate::native::NativeQueue::enable_wakeups`]).
///
/// librdkafka calls the wake-up on an internal thread, with the queue's lock
/// held, when an event lands on an empty queue. One registered task is woken
/// (it serves the queue, which completes the others through their own
/// channels); a task that goes away while the queue holds events hands the
/// turn to another ([`Wakers::remove`]).
#[derive(Default)]
pub(crate) struct Wakers {
    slots: Mutex<WakerSlots>,
}

#[derive(Default)]
struct WakerSlots {
    wakers: Vec<Option<std::task::Waker>>,
    free: Vec<usize>,
    /// Rotates which task is woken, so a task that stops polling cannot
    /// hold the turn forever.
    next: usize,
}

impl Wakers {
    /// Registers (or refreshes) a task's waker; `key` remembers its slot.
    pub(crate) fn register(&self, key: &mut Option<usize>, waker: &std::task::Waker) {
        let mut s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        match *key {
            Some(k) if k < s.wakers.len() => match &mut s.wakers[k] {
                Some(w) if w.will_wake(waker) => {}
                slot => *slot = Some(waker.clone()),
            },
            _ => {
                let k = match s.free.pop() {
                    Some(k) => {
                        s.wakers[k] = Some(waker.clone());
                        k
                    }
                    None => {
                        s.wakers.push(Some(waker.clone()));
                        s.wakers.len() - 1
                    }
                };
                *key = Some(k);
            }
        }
    }

    /// Unregisters a task; if `hand_off`, wakes another in its place.
    pub(crate) fn remove(&self, key: &mut Option<usize>, hand_off: bool) {
        if let Some(k) = key.take() {
            let mut s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if k < s.wakers.len() && s.wakers[k].take().is_some() {
                s.free.push(k);
            }
            drop(s);
            if hand_off {
                self.wake_one();
            }
        }
    }

    /// Wakes one registered task (called from librdkafka threads).
    pub(crate) fn wake_one(&self) {
        let waker = {
            let mut s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let n = s.wakers.len();
            let start = s.next;
            let mut found = None;
            for i in 0..n {
                let k = (start + i) % n;
                if let Some(w) = &s.wakers[k] {
                    found = Some((k, w.clone()));
                    break;
                }
            }
            found.map(|(k, w)| {
                s.next = k + 1;
                w
            })
        };
        // Woken outside our lock (librdkafka's queue lock is still held by
        // the caller: wakers must not poll synchronously, and none do).
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes every registered task.
    pub(crate) fn wake_all(&self) {
        self.wake_some(usize::MAX)
    }

    /// Wakes up to `n` registered tasks.
    pub(crate) fn wake_some(&self, n: usize) {
        let wakers: Vec<std::task::Waker> = {
            let s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            s.wakers.iter().flatten().take(n).cloned().collect()
        };
        for w in wakers {
            w.wake();
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        let s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        s.wakers.len() == s.free.len()
    }
}
