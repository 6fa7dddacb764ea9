//! The only module with `unsafe` code, and the only one that talks to C.
//!
//! One owned handle type per C object family, each a `NonNull` whose `Drop`
//! calls the C destroy function. Borrowed views (`MessageView`) are tied by
//! lifetime to the owner that lends them. Every `extern "C"` function defined
//! here catches panics (see [`callbacks`]).

#![allow(unsafe_code)]

/// Declares `extern "C"` functions and checks each, at compile time,
/// against rdkafka-sys's bindgen declaration of the same name (see
/// [`abi`]). Only `pub fn name(arg: Type, ...) -> Ret;` items.
macro_rules! checked_extern {
    (@infer $t:ty) => { _ };
    ($($(#[$m:meta])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        extern "C" {
            $($(#[$m])* pub fn $name($($arg: $ty),*) $(-> $ret)?;)*
        }

        /// Type-checked, never called: every declaration above has
        /// bindgen's argument count and `Same` argument and return types.
        #[allow(dead_code)]
        fn abi_check() {
            $(
                super::abi::same::<unsafe extern "C" fn($($ty),*) $(-> $ret)?, _>(
                    $name,
                    rdkafka_sys::bindings::$name as unsafe extern "C" fn($(checked_extern!(@infer $ty)),*) -> _,
                );
            )*
        }
    };
}

mod abi;
mod admin;
mod admin_sys;
pub(crate) mod callbacks;
mod client;
mod conf;
mod consumer;
mod error;
mod event;
mod group_metadata;
mod headers;
mod message;
mod metadata;
mod mock;
mod opaque;
mod owned;
mod partitioner;
mod queue;
pub mod raw;
mod sys;
mod thin_bytes;
mod topic;
mod tpl;

pub(crate) use admin::{
    admin_event_error, event_request_id, AdminOp, AdminResult, ConfigUse, NativeAdminOptions, Prepared, ScramAlteration,
};
pub(crate) use callbacks::{panic_message, Deferred, Hooks};
pub(crate) use client::{HandleType, NativeClient, ProduceArgs, Txn};
pub(crate) use conf::{ConfSetError, HookSet, NativeConf};
pub(crate) use error::{error_from_ptr, ErrBuf};
pub(crate) use event::{EventKind, MessageView, NativeEvent};
pub(crate) use group_metadata::NativeCgMetadata;
pub(crate) use headers::{HeadersView, NativeHeaders};
pub(crate) use message::NativeMessage;
pub(crate) use mock::NativeMockCluster;
pub(crate) use opaque::{new_sink, payload_opaque, DeliveryOpaque, DeliverySink, OwnedPayload, RawPayload, Thin};
pub(crate) use partitioner::{builtin_partition, Builtin};
pub(crate) use queue::NativeQueue;
pub(crate) use thin_bytes::ThinBytes;
pub(crate) use topic::NativeTopic;
pub(crate) use tpl::NativeTpl;

use std::ffi::CStr;
use std::os::raw::c_char;

/// librdkafka's version as an integer (`0xMMmmrrxx`) and as a string.
pub(crate) fn version() -> (i32, &'static str) {
    // SAFETY: both functions have no preconditions; the string is static.
    unsafe {
        let v = sys::rd_kafka_version();
        let s = cstr_static(sys::rd_kafka_version_str());
        (v, s)
    }
}

/// The debug contexts librdkafka was built with (`debug=` values).
pub(crate) fn debug_contexts() -> &'static str {
    // SAFETY: returns a pointer to a static string.
    unsafe { cstr_static(sys::rd_kafka_get_debug_contexts()) }
}

/// The features this build of librdkafka supports: the default value of
/// its `builtin.features` property (e.g. `"gzip,ssl,...,oidc"`).
pub(crate) fn builtin_features() -> &'static str {
    static FEATURES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FEATURES.get_or_init(|| NativeConf::new().get("builtin.features").unwrap_or_default())
}

/// The librdkafka version whose structs and functions `sys` and
/// `admin_sys` declare (`0xMMmmrrpp`; `pp` = 0xff for a final release).
pub(crate) const EXPECTED_VERSION: i32 = 0x020c_01ff;

/// Checks that the librdkafka linked in is the one `sys` was written for
/// (same major, minor and revision); called before creating any handle.
pub(crate) fn check_version() -> Result<(), String> {
    let (v, s) = version();
    if v >> 8 == EXPECTED_VERSION >> 8 {
        Ok(())
    } else {
        Err(format!(
            "ferrokafka declares librdkafka 2.12.1's C structures, but librdkafka {s} ({v:#010x}) is linked in"
        ))
    }
}

/// The longest wait one `rd_kafka_wait_destroyed` call may be given:
/// librdkafka 2.12.1 computes `timeout_ms * 1000` in a C `int`.
const MAX_WAIT_DESTROYED_MS: i32 = i32::MAX / 1000;

/// Waits for all librdkafka handles to be fully destroyed and their
/// threads to exit, for at most `timeout` (`None`: as long as it takes).
/// Returns 0 when none remain, else the number of librdkafka threads still
/// running (at least 1: `rd_kafka_wait_destroyed` also waits for handles
/// whose count it does not export).
pub(crate) fn wait_destroyed(timeout: Option<std::time::Duration>) -> usize {
    let deadline = timeout.and_then(|t| std::time::Instant::now().checked_add(t));
    loop {
        let slice_ms = match deadline {
            // No deadline (or one beyond the clock's range): wait in slices.
            None => MAX_WAIT_DESTROYED_MS,
            Some(end) => {
                let left = end.saturating_duration_since(std::time::Instant::now());
                left.as_nanos().div_ceil(1_000_000).min(MAX_WAIT_DESTROYED_MS as u128) as i32
            }
        };
        // SAFETY: no preconditions; slice_ms * 1000 fits a C int.
        if unsafe { sys::rd_kafka_wait_destroyed(slice_ms) } == 0 {
            return 0;
        }
        if deadline.is_some_and(|end| std::time::Instant::now() >= end) {
            // SAFETY: no preconditions.
            let threads = unsafe { sys::rd_kafka_thread_cnt() };
            return threads.max(1) as usize;
        }
    }
}

/// Reads a static (or at least longer-lived than the program's use) C string.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string that lives forever.
unsafe fn cstr_static(p: *const c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    CStr::from_ptr(p).to_str().unwrap_or("")
}

/// Copies a C string into an owned `String`, replacing invalid UTF-8.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string valid for the call.
unsafe fn cstr_owned(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p).to_string_lossy().into_owned()
}

/// Borrows a C string's bytes (without the NUL).
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string valid for `'a`.
unsafe fn cstr_bytes<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        return &[];
    }
    CStr::from_ptr(p).to_bytes()
}

/// Builds a byte slice from a C pointer and length; empty for null.
///
/// # Safety
/// `p` must be null or valid for reads of `len` bytes for `'a`.
unsafe fn slice<'a>(p: *const libc::c_void, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p as *const u8, len)
    }
}

/// librdkafka's syslog level (0 emergency … 7 debug) as a `log` level.
pub(crate) fn syslog_to_level(level: i32) -> log::Level {
    match level {
        i32::MIN..=3 => log::Level::Error,
        4 => log::Level::Warn,
        5 | 6 => log::Level::Info,
        _ => log::Level::Debug,
    }
}

/// Overwrites a secret's bytes before its memory is freed, in a way the
/// compiler may not elide.
pub(crate) fn zeroize(mut bytes: Vec<u8>) {
    for b in bytes.iter_mut() {
        // SAFETY: `b` is a valid, aligned, exclusive reference.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    drop(bytes);
}

/// A monotonic clock in nanoseconds that is cheap to read — for the
/// consumer's hot path, which reads it once per message — at the price of
/// resolution: one kernel clock tick (1–10 ms, 4 ms on most distributions).
///
/// On Linux, `CLOCK_MONOTONIC_COARSE` (about 6 ns per read here, against
/// 39 ns for `Instant::elapsed`, which reads the precise clock); elsewhere
/// the precise clock since the first call.
pub(crate) fn coarse_monotonic_ns() -> u64 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec; this clock id exists
        // on every Linux since 2.6.32, and cannot fail with valid arguments.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
        // (It cannot fail with these arguments; if it ever did, it would
        // fail on every call, and the fallback below would be the clock.)
        if rc == 0 {
            return (ts.tv_sec as u64)
                .wrapping_mul(1_000_000_000)
                .wrapping_add(ts.tv_nsec as u64);
        }
    }
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64
}
