//! The few true C callbacks, each a trampoline that catches panics.
//!
//! Most events reach Rust through the event API, pulled by poll on the
//! caller's thread (DESIGN.md decision 1). The exceptions are here:
//! throttle (served inside `rd_kafka_queue_poll` on the polling thread),
//! OAuth token refresh (librdkafka's background thread), the partitioner
//! (whichever thread produces), and queue wake-ups (any librdkafka thread).
//! Each trampoline marks the thread as "inside librdkafka" for its duration
//! (so that a client dropped from user code there is destroyed by a reaper
//! thread, never in place), runs the Rust body under `catch_unwind`, and on a
//! panic stores the payload in the client's callback state, from which the
//! next serving call (`poll`, `flush`, …) resumes it.

use super::sys;
use crate::dispatch::CallbackState;
use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

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
fn guarded<R>(state: &CallbackState, fallback: R, f: impl FnOnce() -> R) -> (R, bool) {
    let _inside = Inside::enter();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => (r, false),
        Err(payload) => {
            state.stash_panic(payload);
            (fallback, true)
        }
    }
}

/// `throttle_cb`: runs inside `rd_kafka_queue_poll` on the polling thread.
pub(super) unsafe extern "C" fn throttle_trampoline(
    rk: *mut sys::rd_kafka_t,
    broker_name: *const c_char,
    broker_id: i32,
    throttle_time_ms: c_int,
    opaque: *mut c_void,
) {
    if opaque.is_null() {
        return;
    }
    // SAFETY: the opaque is the client's CallbackState, which outlives the
    // handle (it is dropped only after rd_kafka_destroy returns).
    let state = &*(opaque as *const CallbackState);
    let (_, panicked) = guarded(state, (), || {
        // SAFETY: broker_name is a valid C string for the call.
        let name = super::cstr_owned(broker_name);
        crate::dispatch::serve_throttle(state, name, broker_id, throttle_time_ms);
    });
    if panicked {
        // Stop serving further events: the panic comes out of the poll call.
        sys::rd_kafka_yield(rk);
    }
}

/// `oauthbearer_token_refresh_cb`: runs on librdkafka's background thread.
pub(super) unsafe extern "C" fn oauth_trampoline(
    rk: *mut sys::rd_kafka_t,
    oauthbearer_config: *const c_char,
    opaque: *mut c_void,
) {
    if opaque.is_null() {
        return;
    }
    // SAFETY: as for throttle_trampoline.
    let state = &*(opaque as *const CallbackState);
    let (result, panicked) = guarded(state, None, || {
        // SAFETY: valid C string for the call.
        let config = super::cstr_owned(oauthbearer_config);
        crate::dispatch::serve_oauth(state, &config)
    });
    let rk_ref = RawClient(rk);
    match result {
        Some(Ok(token)) => {
            if let Err(e) = rk_ref.set_token(&token) {
                rk_ref.set_token_failure(&format!(
                    "oauth_cb returned a token librdkafka rejected: {}",
                    e.message()
                ));
            }
        }
        Some(Err(reason)) => rk_ref.set_token_failure(&reason),
        None if panicked => rk_ref.set_token_failure("oauth_cb panicked"),
        None => rk_ref.set_token_failure("no oauth_cb is configured"),
    }
}

/// `partitioner_cb`: runs on the producing thread (or a librdkafka thread).
pub(super) unsafe extern "C" fn partitioner_trampoline(
    rkt: *const sys::rd_kafka_topic_t,
    keydata: *const c_void,
    keylen: usize,
    partition_cnt: i32,
    rkt_opaque: *mut c_void,
    msg_opaque: *mut c_void,
) -> i32 {
    let fallback =
        || sys::rd_kafka_msg_partitioner_consistent_random(rkt, keydata, keylen, partition_cnt, rkt_opaque, msg_opaque);
    if rkt_opaque.is_null() {
        return fallback();
    }
    // SAFETY: the topic opaque is the client's CallbackState (see above).
    let state = &*(rkt_opaque as *const CallbackState);
    let (p, panicked) = guarded(state, -1, || {
        // SAFETY: rkt is valid during the call; key is keylen bytes or NULL.
        let topic = super::cstr_bytes(sys::rd_kafka_topic_name(rkt));
        let key = if keydata.is_null() {
            None
        } else {
            Some(super::slice(keydata, keylen))
        };
        crate::dispatch::serve_partitioner(state, topic, key, partition_cnt)
    });
    if panicked {
        // The panic resumes from the next poll; the message still goes to
        // librdkafka's default partitioner rather than failing.
        return fallback();
    }
    p
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
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: valid C strings for the call.
        let (fac, msg) = (super::cstr_owned(fac), super::cstr_owned(buf));
        log::log!(target: "librdkafka::mock", crate::config::syslog_to_level(level), "{fac} {msg}");
    }));
}

/// A client pointer handed to a C callback, used only during the callback.
struct RawClient(*mut sys::rd_kafka_t);

impl RawClient {
    fn set_token(&self, t: &crate::config::OAuthToken) -> Result<(), crate::KafkaError> {
        // SAFETY: the handle is valid while librdkafka runs our callback.
        unsafe { super::client::set_oauth_token(self.0, &t.token, t.lifetime_ms, &t.principal, &t.extensions) }
    }
    fn set_token_failure(&self, reason: &str) {
        // SAFETY: as above.
        unsafe { super::client::set_oauth_token_failure(self.0, reason) }
    }
}
