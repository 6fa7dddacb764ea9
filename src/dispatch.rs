//! Event dispatch shared by every client (DESIGN.md decisions 1 and 2).
//!
//! librdkafka's event API queues delivery reports, errors, logs and
//! statistics; clients pull them inside their serving calls (`poll`,
//! `flush`, `consume`, `close`) and hand them to user closures here, on the
//! caller's thread. A panic in a user closure is caught, serving stops (the
//! remaining events stay queued), and the serving call resumes the panic
//! after leaving C: the client stays usable.

use crate::config::{syslog_to_level, Callbacks, ClientKind, Emulated, LogRecord, OAuthToken, Redactor, ThrottleEvent};
use crate::error::KafkaError;
use crate::native::{sys, NativeEvent};
use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// What a client's C callbacks and serving calls share. librdkafka holds its
/// address as the configuration opaque, so it lives (boxed in an `Arc`)
/// until after `rd_kafka_destroy` has returned.
pub(crate) struct CallbackState {
    pub(crate) kind: ClientKind,
    pub(crate) callbacks: Callbacks,
    pub(crate) redactor: Redactor,
    pub(crate) emulated: Emulated,
    pub(crate) client_name: OnceLock<String>,
    /// Handles events on librdkafka's background queue (admin results),
    /// called on the background thread; set once after the client is made.
    pub(crate) background: OnceLock<BackgroundHandler>,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

/// See [`CallbackState::background`].
pub(crate) type BackgroundHandler = Box<dyn Fn(NativeEvent) + Send + Sync>;

impl CallbackState {
    pub(crate) fn new(kind: ClientKind, callbacks: Callbacks, redactor: Redactor, emulated: Emulated) -> Self {
        CallbackState {
            kind,
            callbacks,
            redactor,
            emulated,
            client_name: OnceLock::new(),
            background: OnceLock::new(),
            panic: Mutex::new(None),
        }
    }

    /// Keeps a panic caught in a C callback until a serving call resumes it
    /// (the first one wins; later ones are reported to the log).
    pub(crate) fn stash_panic(&self, payload: Box<dyn Any + Send>) {
        let mut slot = self.panic.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(payload);
        } else {
            log::error!(target: "librdkafka", "a callback panicked while an earlier panic was still pending: {}", panic_message(&*payload));
        }
    }

    pub(crate) fn take_panic(&self) -> Option<Box<dyn Any + Send>> {
        self.panic.lock().unwrap_or_else(|e| e.into_inner()).take()
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
    /// A fatal error was raised: return it from the serving call.
    Fatal(KafkaError),
}

impl From<KafkaError> for Interrupt {
    fn from(e: KafkaError) -> Self {
        Interrupt::Fatal(e)
    }
}

/// Turns an interrupted serving call into its public outcome: a panic
/// continues unwinding from here (outside any C frame), an error is returned.
pub(crate) fn finish<T>(r: Result<T, Interrupt>) -> crate::Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(Interrupt::Fatal(e)) => Err(e),
        Err(Interrupt::Panic(p)) => resume_unwind(p),
    }
}

/// Runs user code, catching a panic.
pub(crate) fn call_user<R>(f: impl FnOnce() -> R) -> Result<R, Interrupt> {
    catch_unwind(AssertUnwindSafe(f)).map_err(Interrupt::Panic)
}

pub(crate) fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Serves the events every client shares: logs, errors and statistics.
/// Fatal errors interrupt serving (the Python client raises them from poll
/// rather than calling `error_cb`).
pub(crate) fn serve_common(state: &CallbackState, ev: &NativeEvent) -> Result<(), Interrupt> {
    match ev.kind() {
        sys::RD_KAFKA_EVENT_LOG => {
            if let Some(line) = ev.log() {
                let message = if state.redactor.is_empty() {
                    std::borrow::Cow::Borrowed(line.message)
                } else {
                    std::borrow::Cow::Owned(state.redactor.redact(line.message))
                };
                let rec = LogRecord {
                    level: line.level,
                    facility: line.facility,
                    message: &message,
                    client_name: state.name(),
                };
                match &state.callbacks.logger {
                    Some(cb) => call_user(|| cb(&rec))?,
                    None => log::log!(
                        target: "librdkafka",
                        syslog_to_level(rec.level),
                        "{} [{}] {}",
                        rec.facility,
                        rec.client_name,
                        rec.message
                    ),
                }
            }
        }
        sys::RD_KAFKA_EVENT_ERROR => {
            if let Some(e) = ev.error() {
                let e = if state.redactor.is_empty() {
                    e
                } else {
                    KafkaError::new(e.code(), state.redactor.redact(e.message())).with_flags(
                        e.is_fatal(),
                        e.is_retriable(),
                        e.txn_requires_abort(),
                    )
                };
                if e.is_fatal() {
                    return Err(Interrupt::Fatal(e));
                }
                match &state.callbacks.error_cb {
                    Some(cb) => call_user(|| cb(&e))?,
                    None => log::error!(target: "librdkafka", "[{}] {}", state.name(), e),
                }
            }
        }
        sys::RD_KAFKA_EVENT_STATS => {
            if let Some(cb) = &state.callbacks.stats_cb {
                let json = ev.stats();
                call_user(|| cb(json))?;
            }
        }
        other => {
            log::debug!(target: "librdkafka", "[{}] ignoring event {} ({other})", state.name(), ev.name());
        }
    }
    Ok(())
}

/// Body of the throttle trampoline (runs inside `rd_kafka_queue_poll`).
pub(crate) fn serve_throttle(state: &CallbackState, broker_name: String, broker_id: i32, throttle_ms: i32) {
    if let Some(cb) = &state.callbacks.throttle_cb {
        cb(&ThrottleEvent {
            broker_name,
            broker_id,
            throttle_time: Duration::from_millis(throttle_ms.max(0) as u64),
        });
    }
}

/// Body of the OAuth trampoline (librdkafka's background thread).
pub(crate) fn serve_oauth(state: &CallbackState, config: &str) -> Option<Result<OAuthToken, String>> {
    state.callbacks.oauth_cb.as_ref().map(|cb| cb(config))
}

/// Body of the partitioner trampoline.
pub(crate) fn serve_partitioner(state: &CallbackState, topic: &[u8], key: Option<&[u8]>, count: i32) -> i32 {
    match &state.callbacks.partitioner {
        Some(cb) => cb(std::str::from_utf8(topic).unwrap_or(""), key, count),
        None => -1,
    }
}
