//! The true C callbacks, each a trampoline that catches panics.
//!
//! Most events reach Rust through the event API, pulled by poll on the
//! caller's thread (DESIGN.md decision 1). The consumer, whose fast batch
//! path (`rd_kafka_consume_batch_queue`) serves non-message events through
//! classic callbacks, and the throttle event (which has no event type) use
//! C callbacks instead — but these trampolines never run user code: they
//! copy what librdkafka hands them into the client's deferred-event queue
//! ([`Hooks::defer`]), and the serving call hands it to the user's
//! closures after the C call has returned, on the caller's thread. So no
//! user code ever runs inside a C frame, except in two places that cannot
//! be deferred: the OAuth token refresh (librdkafka's background thread)
//! and a custom partitioner (the producing thread). There the body runs
//! under `catch_unwind`, and a panic is stored to be resumed by the next
//! serving call.
//!
//! native/ does not know the client type above it: the client implements
//! [`Hooks`], librdkafka carries a pointer to it as the opaque, and each
//! trampoline is generic over it (a direct call, no vtable).
//!
//! Each trampoline marks the thread as "inside librdkafka" for its duration,
//! so that a client whose last reference is dropped there is destroyed by a
//! reaper thread, never in place.

use super::{sys, NativeEvent};
use crate::error::{ErrorCode, KafkaError};
use crate::values::{OAuthToken, SslCertVerdict, SslCertificate};
use crate::TopicPartition;
use std::any::Any;
use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// An event a C callback recorded for the serving call to hand to user code.
pub(crate) enum Deferred {
    Throttle {
        broker_name: String,
        broker_id: i32,
        throttle_ms: i32,
    },
    Error(KafkaError),
    Stats(String),
    Log {
        level: i32,
        facility: String,
        message: String,
    },
    Rebalance {
        err: ErrorCode,
        partitions: Vec<TopicPartition>,
    },
    Commit {
        err: ErrorCode,
        partitions: Vec<TopicPartition>,
    },
}

/// The text of a panic payload (`&str` or `String`; a placeholder otherwise).
pub(crate) fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// What the C callbacks need from the client above native/ (implemented
/// by `dispatch::CallbackState`): the only way native/ reaches user code.
/// librdkafka holds a `*const H` as the configuration opaque, so `H` must
/// outlive the handle (it is dropped only after `rd_kafka_destroy`).
pub(crate) trait Hooks: Send + Sync + Sized + 'static {
    /// Queues an event for the client's next serving call.
    fn defer(&self, event: Deferred);
    /// Keeps a panic caught in a C frame, for the next serving call to resume.
    fn stash_panic(&self, payload: Box<dyn Any + Send>);
    /// Runs the user's `oauth_cb` (`None`: none is configured).
    fn oauth_token(&self, oauthbearer_config: &str) -> Option<Result<OAuthToken, String>>;
    /// Runs the user's partitioner (-1: none is configured).
    fn partition(&self, topic: &[u8], key: Option<&[u8]>, partition_count: i32) -> i32;
    /// Wakes the async tasks waiting for an event on the client's queue.
    fn wake_queue_waiters(&self);
    /// Handles an event on librdkafka's background queue (admin results).
    fn background_event(&self, event: NativeEvent);
    /// Writes a log line at once, from the librdkafka thread that logged it.
    fn log_line(&self, level: i32, facility: &str, message: &str);
    /// What became of an `oauth_cb` call: the token was set, or why not.
    fn oauth_outcome(&self, outcome: Result<(), String>);
    /// Runs the user's `ssl_cert_verify_cb` on one certificate of a
    /// broker's chain (a librdkafka broker thread, mid-handshake).
    fn ssl_cert_verify(&self, cert: &SslCertificate<'_>) -> SslCertVerdict;
}

thread_local! {
    static INSIDE_LIBRDKAFKA: Cell<u32> = const { Cell::new(0) };
}

/// True while running inside a C callback (on a librdkafka thread, or
/// nested in a C call on the application's thread), where
/// `rd_kafka_destroy` must not be called.
pub(crate) fn on_librdkafka_thread() -> bool {
    INSIDE_LIBRDKAFKA.with(|c| c.get() > 0)
}

pub(super) struct Inside;

impl Inside {
    pub(super) fn enter() -> Inside {
        INSIDE_LIBRDKAFKA.with(|c| c.set(c.get() + 1));
        Inside
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE_LIBRDKAFKA.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Runs `f`, catching any panic into the state's panic slot.
fn guarded<H: Hooks, R>(state: &H, fallback: R, f: impl FnOnce() -> R) -> (R, bool) {
    let _inside = Inside::enter();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => (r, false),
        Err(payload) => {
            stash_panic(state, payload);
            (fallback, true)
        }
    }
}

/// Runs `f` (logging, typically) where nothing may unwind: a panic in it
/// (a panicking `log` logger) is caught and dropped.
pub(super) fn quietly(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        drop_payload(payload);
    }
}

/// Drops a panic payload whose `Drop` may itself panic; such a second
/// payload is leaked rather than dropped (dropping it could panic again).
fn drop_payload(payload: Box<dyn std::any::Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// [`Hooks::stash_panic`] from a C frame: it logs when a panic is
/// already pending, and the `log` logger may panic too; that panic must
/// not unwind into C (it would abort the process).
pub(super) fn stash_panic<H: Hooks>(state: &H, payload: Box<dyn std::any::Any + Send>) {
    quietly(|| state.stash_panic(payload));
}

/// # Safety
/// `opaque` must be null or the client's `H`, which outlives the handle
/// (it is dropped only after `rd_kafka_destroy` returns).
pub(super) unsafe fn state<'a, H: Hooks>(opaque: *mut c_void) -> Option<&'a H> {
    (opaque as *const H).as_ref()
}

/// Defers an event, never unwinding into C.
fn defer<H: Hooks>(state: &H, make: impl FnOnce() -> Deferred) {
    let _ = guarded(state, (), || state.defer(make()));
}

/// `throttle_cb`: runs inside a serving call on the polling thread.
pub(super) unsafe extern "C" fn throttle_trampoline<H: Hooks>(
    _rk: *mut sys::rd_kafka_t,
    broker_name: *const c_char,
    broker_id: i32,
    throttle_time_ms: c_int,
    opaque: *mut c_void,
) {
    if let Some(st) = state::<H>(opaque) {
        defer(st, || Deferred::Throttle {
            // SAFETY: valid C string for the call.
            broker_name: super::cstr_owned(broker_name),
            broker_id,
            throttle_ms: throttle_time_ms,
        });
    }
}

/// `rebalance_cb` (consumer): defers the rebalance and makes the current
/// serving call return, so the serving code handles it next, with the
/// consumer at hand. librdkafka waits for the (incremental) assign call,
/// which may come after this callback returns (as with the event API).
pub(super) unsafe extern "C" fn rebalance_trampoline<H: Hooks>(
    rk: *mut sys::rd_kafka_t,
    err: sys::rd_kafka_resp_err_t,
    partitions: *mut sys::rd_kafka_topic_partition_list_t,
    opaque: *mut c_void,
) {
    if let Some(st) = state::<H>(opaque) {
        defer(st, || Deferred::Rebalance {
            err: ErrorCode(err),
            // SAFETY: the list is valid for the call; we copy it.
            partitions: super::NativeTpl::read_list(partitions),
        });
        sys::rd_kafka_yield(rk);
    }
}

/// The per-call commit callback of synchronous commits: its presence stops
/// librdkafka from also sending the result to the configuration's
/// `offset_commit_cb` (the result is read from the reply queue instead).
pub(super) unsafe extern "C" fn noop_commit_trampoline(
    _rk: *mut sys::rd_kafka_t,
    _err: sys::rd_kafka_resp_err_t,
    _offsets: *mut sys::rd_kafka_topic_partition_list_t,
    _opaque: *mut c_void,
) {
}

/// `offset_commit_cb` (consumer): async and automatic commit results.
pub(super) unsafe extern "C" fn offset_commit_trampoline<H: Hooks>(
    _rk: *mut sys::rd_kafka_t,
    err: sys::rd_kafka_resp_err_t,
    offsets: *mut sys::rd_kafka_topic_partition_list_t,
    opaque: *mut c_void,
) {
    if let Some(st) = state::<H>(opaque) {
        defer(st, || Deferred::Commit {
            err: ErrorCode(err),
            // SAFETY: the list is valid for the call; we copy it.
            partitions: super::NativeTpl::read_list(offsets),
        });
    }
}

/// `error_cb` (consumer).
pub(super) unsafe extern "C" fn error_trampoline<H: Hooks>(
    rk: *mut sys::rd_kafka_t,
    err: c_int,
    reason: *const c_char,
    opaque: *mut c_void,
) {
    if let Some(st) = state::<H>(opaque) {
        defer(st, || {
            // SAFETY: valid C string for the call.
            let reason = super::cstr_owned(reason);
            if err == ErrorCode::FATAL.0 {
                // Report the underlying fatal error, as the event API does.
                let mut buf = super::ErrBuf::new();
                // SAFETY: valid handle and buffer.
                let code = sys::rd_kafka_fatal_error(rk, buf.as_mut_ptr(), buf.capacity());
                if code != 0 {
                    return Deferred::Error(KafkaError::new(ErrorCode(code), buf.message()).with_fatal(true));
                }
                return Deferred::Error(KafkaError::new(ErrorCode(err), reason).with_fatal(true));
            }
            Deferred::Error(KafkaError::new(ErrorCode(err), reason))
        });
    }
}

/// `stats_cb` (consumer): copies the JSON; librdkafka frees its own.
pub(super) unsafe extern "C" fn stats_trampoline<H: Hooks>(
    _rk: *mut sys::rd_kafka_t,
    json: *mut c_char,
    json_len: usize,
    opaque: *mut c_void,
) -> c_int {
    if let Some(st) = state::<H>(opaque) {
        defer(st, || {
            // SAFETY: json is json_len bytes.
            let bytes = super::slice(json as *const c_void, json_len);
            Deferred::Stats(String::from_utf8_lossy(bytes).into_owned())
        });
    }
    0
}

/// `log_cb`. With `QUEUED` (a `logger` is configured, `log.queue=true`:
/// the consumer's way) the line is deferred to the next serving call.
/// Without (no `logger`), it goes to the `log` crate at once, on the
/// librdkafka thread that logged, so a log line never wakes or ends a
/// serving call; a panicking `log` logger is caught and resumed from the
/// next serving call, as any callback's panic.
pub(super) unsafe extern "C" fn log_trampoline<H: Hooks, const QUEUED: bool>(
    rk: *const sys::rd_kafka_t,
    level: c_int,
    fac: *const c_char,
    buf: *const c_char,
) {
    if rk.is_null() {
        return;
    }
    let Some(st) = state::<H>(sys::rd_kafka_opaque(rk)) else {
        return;
    };
    if QUEUED {
        defer(st, || Deferred::Log {
            level,
            // SAFETY: valid C strings for the call.
            facility: super::cstr_owned(fac),
            message: super::cstr_owned(buf),
        });
    } else {
        let _ = guarded(st, (), || {
            // SAFETY: valid C strings for the call.
            let (fac, msg) = (super::cstr_owned(fac), super::cstr_owned(buf));
            st.log_line(level, &fac, &msg)
        });
    }
}

/// `oauthbearer_token_refresh_cb`: runs on librdkafka's background thread.
pub(super) unsafe extern "C" fn oauth_trampoline<H: Hooks>(
    rk: *mut sys::rd_kafka_t,
    oauthbearer_config: *const c_char,
    opaque: *mut c_void,
) {
    let Some(st) = state::<H>(opaque) else { return };
    let (result, panicked) = guarded(st, None, || {
        // SAFETY: valid C string for the call.
        let config = super::cstr_owned(oauthbearer_config);
        st.oauth_token(&config)
    });
    let _inside = Inside::enter();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let outcome = match result {
            Some(Ok(token)) => {
                // SAFETY: the handle is valid while librdkafka runs our callback.
                match super::client::set_oauth_token(
                    rk,
                    &token.token,
                    token.lifetime_ms,
                    &token.principal,
                    &token.extensions,
                ) {
                    Ok(()) => Ok(()),
                    Err(e) => Err(format!(
                        "oauth_cb returned a token librdkafka rejected: {}",
                        e.message()
                    )),
                }
            }
            Some(Err(reason)) => Err(reason),
            None if panicked => Err("oauth_cb panicked".to_string()),
            None => Err("no oauth_cb is configured".to_string()),
        };
        if let Err(reason) = &outcome {
            super::client::set_oauth_token_failure(rk, reason);
        }
        st.oauth_outcome(outcome);
    }));
    if let Err(p) = outcome {
        stash_panic(st, p);
    }
}

/// `partitioner_cb`: runs on the producing thread (or a librdkafka thread).
pub(super) unsafe extern "C" fn partitioner_trampoline<H: Hooks>(
    rkt: *const sys::rd_kafka_topic_t,
    keydata: *const c_void,
    keylen: usize,
    partition_cnt: i32,
    rkt_opaque: *mut c_void,
    msg_opaque: *mut c_void,
) -> i32 {
    let fallback =
        || sys::rd_kafka_msg_partitioner_consistent_random(rkt, keydata, keylen, partition_cnt, rkt_opaque, msg_opaque);
    let Some(st) = state::<H>(rkt_opaque) else {
        return fallback();
    };
    let (p, panicked) = guarded(st, -1, || {
        // SAFETY: rkt is valid during the call; key is keylen bytes or NULL.
        let topic = super::cstr_bytes(sys::rd_kafka_topic_name(rkt));
        let key = if keydata.is_null() {
            None
        } else {
            Some(super::slice(keydata, keylen))
        };
        st.partition(topic, key, partition_cnt)
    });
    if panicked {
        // The panic resumes from the next poll; the message still goes to
        // librdkafka's default partitioner rather than failing.
        return fallback();
    }
    p
}

/// OpenSSL's `X509_V_ERR_APPLICATION_VERIFICATION` ("application
/// verification failure"): the error a rejected certificate that OpenSSL
/// itself had accepted is given, so the handshake fails with a reason.
const X509_V_ERR_APPLICATION_VERIFICATION: c_int = 50;

/// The reason given for a certificate rejected by a panicking callback.
const PANICKED: &str = "ssl_cert_verify_cb panicked";

/// `ssl_cert_verify_cb`: runs on a librdkafka broker thread during the TLS
/// handshake, once per certificate of the broker's chain. Returns 1 to
/// accept the certificate (clearing `*x509_error`, which overrides
/// OpenSSL's own verdict), 0 to reject it with the reason in `errstr`
/// (which librdkafka logs). Everything that can panic (the user's closure,
/// copying the reason) runs under `catch_unwind`; a panic rejects the
/// certificate and is resumed by the next serving call.
pub(super) unsafe extern "C" fn ssl_cert_verify_trampoline<H: Hooks>(
    _rk: *mut sys::rd_kafka_t,
    broker_name: *const c_char,
    broker_id: i32,
    x509_error: *mut c_int,
    depth: c_int,
    buf: *const c_char,
    size: usize,
    errstr: *mut c_char,
    errstr_size: usize,
    opaque: *mut c_void,
) -> c_int {
    // librdkafka documents `x509_error` as always valid; without it (or
    // without our state) nothing can be decided: reject.
    if x509_error.is_null() {
        return 0;
    }
    let Some(st) = state::<H>(opaque) else { return 0 };
    let preverify = *x509_error;
    let (verdict, _panicked) = guarded(st, SslCertVerdict::Reject(PANICKED.to_string()), || {
        // SAFETY: valid C string and DER buffer of `size` bytes for the call.
        let name = String::from_utf8_lossy(super::cstr_bytes(broker_name));
        let der = super::slice(buf as *const c_void, size);
        st.ssl_cert_verify(&SslCertificate {
            broker_name: &name,
            broker_id,
            depth,
            der,
            x509_error: preverify,
        })
    });
    match verdict {
        SslCertVerdict::Accept => {
            *x509_error = 0;
            1
        }
        SslCertVerdict::Reject(reason) => {
            if preverify == 0 {
                *x509_error = X509_V_ERR_APPLICATION_VERIFICATION;
            }
            let _inside = Inside::enter();
            quietly(|| {
                // SAFETY: `errstr` holds `errstr_size` writable bytes.
                write_errstr(errstr, errstr_size, &reason);
                drop(reason);
            });
            0
        }
    }
}

/// Copies `reason` into a C buffer of `size` bytes: cut at a char boundary
/// (and before any NUL) to fit, and NUL-terminated.
///
/// # Safety
/// `buf` must be null or hold `size` writable bytes.
unsafe fn write_errstr(buf: *mut c_char, size: usize, reason: &str) {
    if buf.is_null() || size == 0 {
        return;
    }
    let reason = reason.split('\0').next().unwrap_or("");
    let mut n = reason.len().min(size - 1);
    while !reason.is_char_boundary(n) {
        n -= 1;
    }
    std::ptr::copy_nonoverlapping(reason.as_ptr(), buf as *mut u8, n);
    *buf.add(n) = 0;
}

/// A queue's "an event landed on an empty queue" callback
/// (`rd_kafka_queue_cb_event_enable`): wakes an async task waiting on the
/// client. Runs on a librdkafka thread with the queue's lock held.
pub(super) unsafe extern "C" fn queue_wakeup_trampoline<H: Hooks>(_rk: *mut sys::rd_kafka_t, opaque: *mut c_void) {
    if let Some(st) = state::<H>(opaque) {
        let _ = guarded(st, (), || st.wake_queue_waiters());
    }
}

/// `log_cb` for internal handles nobody polls (the mock cluster's): logs go
/// straight to the `log` crate, target `librdkafka::mock`.
pub(super) unsafe extern "C" fn direct_log_trampoline(
    _rk: *const sys::rd_kafka_t,
    level: c_int,
    fac: *const c_char,
    buf: *const c_char,
) {
    let _inside = Inside::enter();
    quietly(|| {
        // SAFETY: valid C strings for the call.
        let (fac, msg) = (super::cstr_owned(fac), super::cstr_owned(buf));
        log::log!(target: "librdkafka::mock", super::syslog_to_level(level), "{fac} {msg}");
    });
}

#[cfg(test)]
mod tests {
    use super::write_errstr;
    use std::os::raw::c_char;

    /// The reason is cut to fit at a char boundary, before any NUL, and
    /// always NUL-terminated; nothing is written past the buffer.
    #[test]
    fn errstr_is_cut_at_a_char_boundary_and_terminated() {
        for (reason, size, expected) in [
            ("short", 16, "short"),
            ("exactly", 8, "exactly"),
            ("truncated", 5, "trun"),
            ("ünï", 2, ""), // 'ü' is 2 bytes: it does not fit with the NUL
            ("ünï", 3, "ü"),
            ("ünï", 4, "ün"),
            ("a\0b", 8, "a"),
            ("", 1, ""),
        ] {
            let mut buf = vec![0x7fu8; size + 4];
            // SAFETY: `buf` holds at least `size` bytes.
            unsafe { write_errstr(buf.as_mut_ptr() as *mut c_char, size, reason) };
            let end = buf.iter().position(|&b| b == 0).expect("NUL-terminated");
            assert!(end < size, "{reason:?} in {size}: the NUL is inside the buffer");
            assert_eq!(
                std::str::from_utf8(&buf[..end]).unwrap(),
                expected,
                "{reason:?} in {size}"
            );
            assert!(
                buf[size..].iter().all(|&b| b == 0x7f),
                "{reason:?} in {size}: wrote past the end"
            );
        }
        // A zero-size buffer is left alone.
        let mut b = [0x7fu8; 1];
        // SAFETY: size 0: nothing is written.
        unsafe { write_errstr(b.as_mut_ptr() as *mut c_char, 0, "x") };
        assert_eq!(b, [0x7f]);
    }
}
