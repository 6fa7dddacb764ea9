//! Funnels from the C error shapes to [`KafkaError`], one per shape:
//! an `rd_kafka_resp_err_t` return ([`check`]), an owned or borrowed
//! `rd_kafka_error_t*` ([`check_error`], [`error_from_ptr`], [`error_ref`]),
//! an `errstr` buffer ([`ErrBuf`]), and a Rust string that cannot cross
//! into C ([`c_string`]). The error-building paths are `#[cold]`.

use super::sys;
use crate::error::{ErrorCode, KafkaError};
use std::ffi::CString;
use std::os::raw::c_char;

/// An `rd_kafka_resp_err_t` return: `Ok` for `RD_KAFKA_RESP_ERR_NO_ERROR`,
/// else the code's error with `context` (what was being done).
#[inline]
pub(crate) fn check(err: i32, context: &str) -> Result<(), KafkaError> {
    if err == 0 {
        Ok(())
    } else {
        Err(resp_error(err, context))
    }
}

#[cold]
#[inline(never)]
fn resp_error(err: i32, context: &str) -> KafkaError {
    KafkaError::from_code(ErrorCode(err)).context(context)
}

/// An owned `rd_kafka_error_t*` return: `Ok` for null, else the error (the
/// object is destroyed).
#[inline]
pub(crate) fn check_error(e: *mut sys::rd_kafka_error_t) -> Result<(), KafkaError> {
    if e.is_null() {
        Ok(())
    } else {
        // SAFETY: a non-null error object returned to us is ours to destroy.
        Err(unsafe { owned_error(e) })
    }
}

/// A Rust string as a C string; the error names the argument (`what`) and
/// where the NUL byte is, never the value (it may be a secret).
#[inline]
pub(crate) fn c_string(what: &str, s: &str) -> Result<CString, KafkaError> {
    CString::new(s).map_err(|e| nul_error(what, e.nul_position()))
}

#[cold]
#[inline(never)]
fn nul_error(what: &str, at: usize) -> KafkaError {
    KafkaError::invalid_arg(format!("{what} contains a NUL byte (at byte {at})"))
}

/// An optional argument as an optional C string (see [`c_string`]).
pub(crate) fn opt_c_string(what: &str, s: Option<&str>) -> Result<Option<CString>, KafkaError> {
    s.map(|s| c_string(what, s)).transpose()
}

/// The `errstr` buffer C functions write their message into.
pub(crate) struct ErrBuf([c_char; 512]);

impl ErrBuf {
    pub(crate) fn new() -> Self {
        ErrBuf([0; 512])
    }
    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_char {
        self.0.as_mut_ptr()
    }
    pub(crate) fn capacity(&self) -> usize {
        self.0.len()
    }
    /// The message, never longer than the buffer (the last byte stays NUL).
    pub(crate) fn message(&self) -> String {
        let bytes: Vec<u8> = self
            .0
            .iter()
            .take(self.0.len() - 1)
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// librdkafka's name for a code, e.g. `_QUEUE_FULL`; `None` for a code this
/// librdkafka does not name (never undefined behaviour).
pub(crate) fn err_name(code: i32) -> Option<&'static str> {
    if !crate::error::is_known_code(code) {
        // rd_kafka_err2name formats unknown codes into a thread-local
        // buffer, which is not 'static.
        return None;
    }
    // SAFETY: for known codes, rd_kafka_err2name returns a static string.
    Some(unsafe { super::cstr_static(sys::rd_kafka_err2name(code)) })
}

/// librdkafka's human-readable description of a code.
pub(crate) fn err_description(code: i32) -> &'static str {
    if !crate::error::is_known_code(code) {
        // rd_kafka_err2str formats unknown codes into a thread-local buffer,
        // which is not 'static; answer for it ourselves.
        return "Unknown error code";
    }
    // SAFETY: for known codes, rd_kafka_err2str returns a static string.
    unsafe { super::cstr_static(sys::rd_kafka_err2str(code)) }
}

/// Converts (and destroys) an `rd_kafka_error_t*`; `None` for null.
///
/// # Safety
/// `ptr` must be null or an error object the caller owns.
pub(crate) unsafe fn error_from_ptr(ptr: *mut sys::rd_kafka_error_t) -> Option<KafkaError> {
    if ptr.is_null() {
        None
    } else {
        Some(owned_error(ptr))
    }
}

/// # Safety
/// `ptr` must be a non-null error object the caller owns.
#[cold]
unsafe fn owned_error(ptr: *mut sys::rd_kafka_error_t) -> KafkaError {
    let err = read_error(ptr);
    sys::rd_kafka_error_destroy(ptr);
    err
}

/// Reads a borrowed `const rd_kafka_error_t*` (one an event or result
/// owns; not destroyed); `None` for null or `NO_ERROR`.
///
/// # Safety
/// `ptr` must be null or an error object valid for the call.
pub(crate) unsafe fn error_ref(ptr: *const sys::rd_kafka_error_t) -> Option<KafkaError> {
    if ptr.is_null() || sys::rd_kafka_error_code(ptr) == 0 {
        None
    } else {
        Some(read_error(ptr))
    }
}

/// # Safety
/// `ptr` must be a non-null error object valid for the call.
#[cold]
unsafe fn read_error(ptr: *const sys::rd_kafka_error_t) -> KafkaError {
    let code = sys::rd_kafka_error_code(ptr);
    let msg = sys::rd_kafka_error_string(ptr);
    let msg = if msg.is_null() {
        ErrorCode(code).description().to_string()
    } else {
        super::cstr_owned(msg)
    };
    KafkaError::new(ErrorCode(code), msg)
        .with_fatal(sys::rd_kafka_error_is_fatal(ptr) != 0)
        .with_retriable(sys::rd_kafka_error_is_retriable(ptr) != 0)
        .with_txn_requires_abort(sys::rd_kafka_error_txn_requires_abort(ptr) != 0)
}
