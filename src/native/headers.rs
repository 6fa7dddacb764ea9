//! `rd_kafka_headers_t`.

use super::owned::Owned;
use super::sys;
use crate::error::{ErrorCode, KafkaError};
use std::marker::PhantomData;
use std::os::raw::{c_char, c_void};
use std::ptr::NonNull;

/// An owned header list, built for a message being produced.
pub(crate) struct NativeHeaders {
    ptr: Owned<sys::rd_kafka_headers_t>,
}

// SAFETY: an owned header list is plain data with no thread affinity.
unsafe impl Send for NativeHeaders {}
// SAFETY: shared references only read (count, get_all), which is safe
// concurrently on a list nobody mutates.
unsafe impl Sync for NativeHeaders {}

impl NativeHeaders {
    /// Corresponds to `rd_kafka_headers_new`.
    pub(crate) fn new(capacity: usize) -> Self {
        // SAFETY: no preconditions; never returns null.
        let p = unsafe { sys::rd_kafka_headers_new(capacity.max(1)) };
        NativeHeaders {
            // SAFETY: a new list we own.
            ptr: unsafe { Owned::from_ptr(p) }.expect("rd_kafka_headers_new returned NULL"),
        }
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_headers_t {
        self.ptr.as_ptr()
    }

    /// Corresponds to `rd_kafka_header_add` (copies name and value).
    pub(crate) fn add(&mut self, name: &[u8], value: Option<&[u8]>) -> Result<(), KafkaError> {
        if name.contains(&0) {
            return Err(super::error::nul_error("a header name"));
        }
        let (vp, vlen) = match value {
            Some(v) => (v.as_ptr() as *const c_void, v.len() as isize),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: valid list; name/value pointers valid for their lengths;
        // librdkafka copies both.
        let err = unsafe {
            sys::rd_kafka_header_add(
                self.ptr.as_ptr(),
                name.as_ptr() as *const c_char,
                name.len() as isize,
                vp,
                vlen,
            )
        };
        if err == 0 {
            Ok(())
        } else {
            Err(KafkaError::from_code(ErrorCode(err)).context("could not add a header"))
        }
    }

    /// A read-only view.
    pub(crate) fn view(&self) -> HeadersView<'_> {
        // SAFETY: the list lives as long as the borrow of self.
        unsafe { HeadersView::from_ptr(self.ptr.as_ptr()) }
    }

    /// Hands ownership to librdkafka (after a successful produce).
    pub(crate) fn into_raw(self) -> *mut sys::rd_kafka_headers_t {
        self.ptr.into_raw()
    }
}

impl Clone for NativeHeaders {
    fn clone(&self) -> Self {
        let view = self.view();
        let mut h = NativeHeaders::new(view.len());
        for (name, value) in view.iter() {
            // Names were validated when first added.
            let _ = h.add(name, value);
        }
        h
    }
}

/// A header list borrowed from a message or an owned list.
#[derive(Clone, Copy)]
pub(crate) struct HeadersView<'a> {
    ptr: NonNull<sys::rd_kafka_headers_t>,
    _owner: PhantomData<&'a ()>,
}

// SAFETY: a view only reads, and its owner guarantees nobody mutates the
// list while the view lives.
unsafe impl Send for HeadersView<'_> {}
// SAFETY: as above.
unsafe impl Sync for HeadersView<'_> {}

impl<'a> HeadersView<'a> {
    /// # Safety
    /// `p` must be a header list valid and unmodified for `'a`.
    pub(crate) unsafe fn from_ptr(p: *mut sys::rd_kafka_headers_t) -> Self {
        HeadersView {
            ptr: NonNull::new_unchecked(p),
            _owner: PhantomData,
        }
    }

    /// Corresponds to `rd_kafka_header_cnt`.
    pub(crate) fn len(&self) -> usize {
        // SAFETY: valid list.
        unsafe { sys::rd_kafka_header_cnt(self.ptr.as_ptr()) }
    }

    /// Corresponds to `rd_kafka_header_get_all`.
    pub(crate) fn get(&self, idx: usize) -> Option<(&'a [u8], Option<&'a [u8]>)> {
        let mut name: *const c_char = std::ptr::null();
        let mut val: *const c_void = std::ptr::null();
        let mut size: usize = 0;
        // SAFETY: valid list and out-pointers; results live with the list.
        unsafe {
            if sys::rd_kafka_header_get_all(self.ptr.as_ptr(), idx, &mut name, &mut val, &mut size) != 0 {
                return None;
            }
            let name = super::cstr_bytes(name);
            let value = if val.is_null() {
                None
            } else {
                Some(super::slice(val, size))
            };
            Some((name, value))
        }
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)> {
        let n = self.len();
        (0..n).filter_map(move |i| self.get(i))
    }
}
