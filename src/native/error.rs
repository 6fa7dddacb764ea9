//! Funnels from the C error shapes to [`KafkaError`].

use super::sys;
use crate::error::{ErrorCode, KafkaError};
use std::os::raw::c_char;

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
        return None;
    }
    let code = sys::rd_kafka_error_code(ptr);
    let msg = super::cstr_owned(sys::rd_kafka_error_string(ptr));
    let err = KafkaError::new(ErrorCode(code), msg).with_flags(
        sys::rd_kafka_error_is_fatal(ptr) != 0,
        sys::rd_kafka_error_is_retriable(ptr) != 0,
        sys::rd_kafka_error_txn_requires_abort(ptr) != 0,
    );
    sys::rd_kafka_error_destroy(ptr);
    Some(err)
}
