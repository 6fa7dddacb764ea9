//! The only module with `unsafe` code, and the only one that talks to C.
//!
//! One owned handle type per C object family, each a `NonNull` whose `Drop`
//! calls the C destroy function. Borrowed views (`MessageView`) are tied by
//! lifetime to the owner that lends them. Every `extern "C"` function defined
//! here catches panics (see [`callbacks`]).

#![allow(unsafe_code)]

mod admin;
mod admin_sys;
pub(crate) mod callbacks;
mod client;
mod conf;
mod consumer;
mod error;
mod event;
mod headers;
mod metadata;
mod mock;
mod opaque;
mod partitioner;
pub(crate) mod sys;
mod tpl;

pub(crate) use admin::{
    admin_event_error, event_request_id, AdminOp, AdminResult, ConfigUse, NativeAdminOptions, Prepared,
};
pub(crate) use client::{NativeClient, NativeQueue, NativeTopic, ProduceArgs, Txn};
pub(crate) use conf::{ConfSetError, NativeConf};
pub(crate) use consumer::NativeMessage;
pub(crate) use error::{err_description, err_name, error_from_ptr, ErrBuf};
pub(crate) use event::{MessageView, NativeEvent};
pub(crate) use headers::{HeadersView, NativeHeaders};
pub(crate) use mock::NativeMockCluster;
pub(crate) use opaque::{new_sink, DeliveryOpaque, DeliverySink, Thin};
pub(crate) use partitioner::{builtin_partition, Builtin};
pub(crate) use tpl::{NativeCgMetadata, NativeTpl};

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

/// Waits for all librdkafka handles to be fully destroyed; returns how many
/// remain after `timeout_ms` (0 when none).
pub(crate) fn wait_destroyed(timeout_ms: i32) -> i32 {
    // SAFETY: no preconditions.
    unsafe { sys::rd_kafka_wait_destroyed(timeout_ms) }
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
