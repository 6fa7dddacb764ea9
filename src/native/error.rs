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

/// A Rust string as a C string; the error names the argument (`what`),
/// never the value or anything about it (it may be a secret).
#[inline]
pub(crate) fn c_string(what: &str, s: &str) -> Result<CString, KafkaError> {
    CString::new(s).map_err(|_| nul_error(what))
}

/// The error for an argument `what` with a NUL byte in it.
#[cold]
#[inline(never)]
pub(crate) fn nul_error(what: &str) -> KafkaError {
    KafkaError::invalid_arg(format!("{what} contains a NUL byte"))
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
        ErrorCode(code).description().into_owned()
    } else {
        super::cstr_owned(msg)
    };
    KafkaError::new(ErrorCode(code), msg)
        .with_fatal(sys::rd_kafka_error_is_fatal(ptr) != 0)
        .with_retriable(sys::rd_kafka_error_is_retriable(ptr) != 0)
        .with_txn_requires_abort(sys::rd_kafka_error_txn_requires_abort(ptr) != 0)
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorCode;

    /// `ErrorCode::name`/`description` read a table generated from
    /// librdkafka's sources (tools/gen_error_codes.py): it must say what
    /// the linked librdkafka's `rd_kafka_err2name`/`rd_kafka_err2str` say,
    /// for every code it names and for the codes around them.
    #[test]
    fn the_error_table_is_the_linked_librdkafkas() {
        let mut checked = 0;
        for e in ErrorCode::all() {
            // SAFETY: for codes librdkafka names, both return static strings.
            let (name, description) = unsafe {
                (
                    super::super::cstr_static(super::sys::rd_kafka_err2name(e.0)),
                    super::super::cstr_static(super::sys::rd_kafka_err2str(e.0)),
                )
            };
            assert_eq!(e.name(), name, "{}", e.0);
            assert_eq!(e.description(), description, "{}", e.0);
            checked += 1;
        }
        assert_eq!(checked, 170);
        // Codes librdkafka does not name: "Err-<code>?", as rd_kafka_err2str
        // formats them (into a thread-local buffer there).
        for code in [-200, -100, 125, 12345, i32::MIN, i32::MAX] {
            let e = ErrorCode(code);
            assert!(!e.is_known(), "{code}");
            assert_eq!(e.name(), "UNKNOWN_CODE");
            assert_eq!(e.description(), format!("Err-{code}?"));
            // SAFETY: the string is in a thread-local buffer, read at once.
            let theirs = unsafe { super::super::cstr_owned(super::sys::rd_kafka_err2str(code)) };
            assert_eq!(e.description(), theirs, "{code}");
        }
    }
}
