//! `rd_kafka_consumer_group_metadata_t`.

use super::error::{c_string, opt_c_string};
use super::owned::Owned;
use super::{error_from_ptr, sys};
use crate::error::{ErrorCode, KafkaError};
use std::os::raw::c_void;

/// An owned `rd_kafka_consumer_group_metadata_t`.
pub(crate) struct NativeCgMetadata {
    ptr: Owned<sys::rd_kafka_consumer_group_metadata_t>,
}

// SAFETY: an immutable data object with no thread affinity.
unsafe impl Send for NativeCgMetadata {}
// SAFETY: only read through shared references.
unsafe impl Sync for NativeCgMetadata {}

impl NativeCgMetadata {
    /// # Safety
    /// `p` must be null or an object the caller owns.
    pub(crate) unsafe fn from_ptr(p: *mut sys::rd_kafka_consumer_group_metadata_t) -> Option<Self> {
        Owned::from_ptr(p).map(|ptr| NativeCgMetadata { ptr })
    }

    /// Corresponds to `rd_kafka_consumer_group_metadata_new_with_genid`.
    pub(crate) fn new(
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<Self, KafkaError> {
        let g = c_string("consumer group metadata: the group id", group_id)?;
        let m = c_string("consumer group metadata: the member id", member_id)?;
        let i = opt_c_string("consumer group metadata: the group instance id", group_instance_id)?;
        // SAFETY: valid strings (copied by librdkafka).
        let p = unsafe {
            sys::rd_kafka_consumer_group_metadata_new_with_genid(
                g.as_ptr(),
                generation_id,
                m.as_ptr(),
                i.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null()),
            )
        };
        // SAFETY: p is a new object we own, or null.
        unsafe { Self::from_ptr(p) }
            .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, "could not create consumer group metadata"))
    }

    /// Corresponds to `rd_kafka_consumer_group_metadata_write`.
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, KafkaError> {
        let mut buf: *mut c_void = std::ptr::null_mut();
        let mut size: usize = 0;
        // SAFETY: valid object and out-pointers; buf is freed with free().
        unsafe {
            if let Some(e) = error_from_ptr(sys::rd_kafka_consumer_group_metadata_write(
                self.ptr.as_ptr(),
                &mut buf,
                &mut size,
            )) {
                return Err(e);
            }
            let v = super::slice(buf, size).to_vec();
            libc::free(buf);
            Ok(v)
        }
    }

    /// Corresponds to `rd_kafka_consumer_group_metadata_read`.
    ///
    /// librdkafka 2.12.1's reader dereferences each string's next byte
    /// before checking the buffer's end, so an unterminated string makes it
    /// read past the buffer (and the flag byte after the member id is read
    /// even when the buffer ended). The format is therefore checked here
    /// first, exactly as the C reader accepts it ([`check_cgmd_format`]),
    /// and C gets a NUL-padded copy besides.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, KafkaError> {
        check_cgmd_format(bytes)?;
        let mut padded = Vec::with_capacity(bytes.len() + 1);
        padded.extend_from_slice(bytes);
        padded.push(0);
        let mut p: *mut sys::rd_kafka_consumer_group_metadata_t = std::ptr::null_mut();
        // SAFETY: `padded` holds `bytes.len()` valid bytes plus a NUL, and
        // the format check above means C stops within them; on success p
        // is a new object we own.
        unsafe {
            if let Some(e) = error_from_ptr(sys::rd_kafka_consumer_group_metadata_read(
                &mut p,
                padded.as_ptr() as *const c_void,
                bytes.len(),
            )) {
                return Err(e);
            }
            Self::from_ptr(p).ok_or_else(|| KafkaError::new(ErrorCode::BAD_MSG, "invalid consumer group metadata"))
        }
    }

    /// Corresponds to `rd_kafka_consumer_group_metadata_member_id`.
    pub(crate) fn member_id(&self) -> String {
        // SAFETY: valid object; the string lives with it.
        unsafe { super::cstr_owned(sys::rd_kafka_consumer_group_metadata_member_id(self.ptr.as_ptr())) }
    }

    pub(crate) fn as_ptr(&self) -> *const sys::rd_kafka_consumer_group_metadata_t {
        self.ptr.as_ptr()
    }
}

/// The serialization magic of `rd_kafka_consumer_group_metadata_write`.
const CGMD_MAGIC: &[u8; 7] = b"CGMDv2:";

/// Checks `bytes` against the format `rd_kafka_consumer_group_metadata_read`
/// (rdkafka_cgrp.c, 2.12.1) accepts:
///
/// ```text
/// "CGMDv2:" <generation_id: 4 bytes> <group_id> NUL <member_id> NUL
///     <group_instance_id_is_null: 1 byte> [<group_instance_id> NUL]
/// ```
///
/// where each string is printable ASCII (`isprint` in the C locale) and
/// the instance id is present when the flag byte is 0. Nothing may follow.
/// Every rejection is `_INVALID_ARG` naming the field.
pub(crate) fn check_cgmd_format(bytes: &[u8]) -> Result<(), KafkaError> {
    let bad =
        |what: String| KafkaError::invalid_arg(format!("consumer group metadata ({} bytes): {what}", bytes.len()));
    // C's own minimum: magic, generation, two NULs and the flag byte.
    let min = CGMD_MAGIC.len() + 4 + 3;
    if bytes.len() < min {
        return Err(bad(format!("too short (at least {min} bytes)")));
    }
    if &bytes[..CGMD_MAGIC.len()] != CGMD_MAGIC {
        return Err(bad("does not start with \"CGMDv2:\"".into()));
    }
    let mut rest = &bytes[CGMD_MAGIC.len() + 4..];
    let string = |name: &str, rest: &mut &[u8]| -> Result<(), KafkaError> {
        match rest.iter().position(|&b| !(0x20..=0x7e).contains(&b)) {
            Some(i) if rest[i] == 0 => {
                *rest = &rest[i + 1..];
                Ok(())
            }
            Some(i) => Err(bad(format!("the {name} has a non-printable byte {:#04x}", rest[i]))),
            None => Err(bad(format!("the {name} is not NUL-terminated"))),
        }
    };
    string("group id", &mut rest)?;
    string("member id", &mut rest)?;
    let Some((&is_null, after)) = rest.split_first() else {
        return Err(bad("the group instance id flag byte is missing".into()));
    };
    rest = after;
    if is_null == 0 {
        string("group instance id", &mut rest)?;
    }
    if !rest.is_empty() {
        return Err(bad(format!("{} bytes follow the last field", rest.len())));
    }
    Ok(())
}
