//! librdkafka's own high-level consumer, driven through its C API
//! (`rdkafka-sys`) with nothing in between: the reference that the
//! differential and soak tests compare ferrokafka's `Consumer` against.
//!
//! It is what a C application (or the Python client, which serves
//! rebalances inside `poll` in the same way) does: `rd_kafka_consumer_poll`
//! for every message, and a rebalance callback that (incrementally)
//! assigns or unassigns inside the callback. Tests only: the `unsafe` here
//! is the C API itself, used as librdkafka documents it.
#![allow(dead_code, unsafe_code)]

use rdkafka_sys::bindings as rd;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One thing `poll` handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polled {
    Message { topic: String, partition: i32, offset: i64 },
    Error { code: i32, partition: i32 },
}

/// librdkafka's consumer, by its C API.
pub struct RefConsumer {
    rk: *mut rd::rd_kafka_t,
    rebalances: Box<AtomicUsize>,
}

// SAFETY: librdkafka's consumer calls are thread-safe.
unsafe impl Send for RefConsumer {}

fn tpl(parts: &[(&str, i32, i64)]) -> *mut rd::rd_kafka_topic_partition_list_t {
    // SAFETY: plain list building; strings are NUL-terminated copies.
    unsafe {
        let l = rd::rd_kafka_topic_partition_list_new(parts.len().max(1) as i32);
        for (t, p, o) in parts {
            let ct = CString::new(*t).unwrap();
            let e = rd::rd_kafka_topic_partition_list_add(l, ct.as_ptr(), *p);
            (*e).offset = *o;
        }
        l
    }
}

fn read_tpl(l: *const rd::rd_kafka_topic_partition_list_t) -> Vec<(String, i32, i64)> {
    let mut out = Vec::new();
    if l.is_null() {
        return out;
    }
    // SAFETY: a valid list for the duration of the call.
    unsafe {
        for i in 0..(*l).cnt as usize {
            let e = &*(*l).elems.add(i);
            let t = CStr::from_ptr(e.topic).to_string_lossy().into_owned();
            out.push((t, e.partition, e.offset));
        }
    }
    out
}

unsafe extern "C" fn rebalance_cb(
    rk: *mut rd::rd_kafka_t,
    err: rd::rd_kafka_resp_err_t,
    parts: *mut rd::rd_kafka_topic_partition_list_t,
    opaque: *mut c_void,
) {
    let _ = std::panic::catch_unwind(|| {
        if let Some(n) = (opaque as *const AtomicUsize).as_ref() {
            n.fetch_add(1, Ordering::Relaxed);
        }
        let proto = CStr::from_ptr(rd::rd_kafka_rebalance_protocol(rk)).to_bytes();
        let cooperative = proto == b"COOPERATIVE";
        let assign = err == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
        match (assign, cooperative) {
            (true, true) => {
                let e = rd::rd_kafka_incremental_assign(rk, parts);
                if !e.is_null() {
                    rd::rd_kafka_error_destroy(e);
                }
            }
            (false, true) => {
                let e = rd::rd_kafka_incremental_unassign(rk, parts);
                if !e.is_null() {
                    rd::rd_kafka_error_destroy(e);
                }
            }
            (true, false) => {
                rd::rd_kafka_assign(rk, parts);
            }
            (false, false) => {
                rd::rd_kafka_assign(rk, std::ptr::null());
            }
        }
    });
}

impl RefConsumer {
    pub fn new(config: &[(&str, &str)]) -> RefConsumer {
        // SAFETY: the documented creation sequence.
        unsafe {
            let conf = rd::rd_kafka_conf_new();
            let mut err = [0 as c_char; 512];
            for (k, v) in config {
                let (ck, cv) = (CString::new(*k).unwrap(), CString::new(*v).unwrap());
                let r = rd::rd_kafka_conf_set(conf, ck.as_ptr(), cv.as_ptr(), err.as_mut_ptr(), err.len());
                assert_eq!(
                    r,
                    rd::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK,
                    "reference consumer: {k}={v}"
                );
            }
            let rebalances = Box::new(AtomicUsize::new(0));
            rd::rd_kafka_conf_set_opaque(conf, &*rebalances as *const AtomicUsize as *mut c_void);
            rd::rd_kafka_conf_set_rebalance_cb(conf, Some(rebalance_cb));
            let rk = rd::rd_kafka_new(
                rd::rd_kafka_type_t::RD_KAFKA_CONSUMER,
                conf,
                err.as_mut_ptr(),
                err.len(),
            );
            assert!(!rk.is_null(), "reference consumer: {:?}", CStr::from_ptr(err.as_ptr()));
            rd::rd_kafka_poll_set_consumer(rk);
            RefConsumer { rk, rebalances }
        }
    }

    /// Rebalance callbacks served so far.
    pub fn rebalances(&self) -> usize {
        self.rebalances.load(Ordering::Relaxed)
    }

    pub fn subscribe(&self, topics: &[&str]) {
        let parts: Vec<(&str, i32, i64)> = topics.iter().map(|t| (*t, -1, -1001)).collect();
        let l = tpl(&parts);
        // SAFETY: valid handle and list.
        unsafe {
            rd::rd_kafka_subscribe(self.rk, l);
            rd::rd_kafka_topic_partition_list_destroy(l);
        }
    }

    pub fn assign(&self, parts: &[(&str, i32, i64)]) {
        let l = tpl(parts);
        // SAFETY: valid handle and list.
        unsafe {
            rd::rd_kafka_assign(self.rk, l);
            rd::rd_kafka_topic_partition_list_destroy(l);
        }
    }

    pub fn unassign(&self) {
        // SAFETY: valid handle.
        unsafe {
            rd::rd_kafka_assign(self.rk, std::ptr::null());
        }
    }

    pub fn incremental(&self, add: bool, parts: &[(&str, i32, i64)]) -> bool {
        let l = tpl(parts);
        // SAFETY: valid handle and list; the error is ours.
        unsafe {
            let e = if add {
                rd::rd_kafka_incremental_assign(self.rk, l)
            } else {
                rd::rd_kafka_incremental_unassign(self.rk, l)
            };
            rd::rd_kafka_topic_partition_list_destroy(l);
            let ok = e.is_null();
            if !ok {
                rd::rd_kafka_error_destroy(e);
            }
            ok
        }
    }

    /// One `rd_kafka_consumer_poll`.
    pub fn poll(&self, timeout_ms: i32) -> Option<Polled> {
        // SAFETY: valid handle; the message is ours and destroyed here. The
        // error field is read as the integer it is.
        unsafe {
            let m = rd::rd_kafka_consumer_poll(self.rk, timeout_ms);
            if m.is_null() {
                return None;
            }
            let code = *(m as *const i32);
            let partition = (*m).partition;
            let out = if code != 0 {
                Polled::Error { code, partition }
            } else {
                let topic = CStr::from_ptr(rd::rd_kafka_topic_name((*m).rkt))
                    .to_string_lossy()
                    .into_owned();
                Polled::Message {
                    topic,
                    partition,
                    offset: (*m).offset,
                }
            };
            rd::rd_kafka_message_destroy(m);
            Some(out)
        }
    }

    pub fn pause(&self, parts: &[(&str, i32)], pause: bool) {
        let p: Vec<(&str, i32, i64)> = parts.iter().map(|(t, p)| (*t, *p, -1001)).collect();
        let l = tpl(&p);
        // SAFETY: valid handle and list.
        unsafe {
            if pause {
                rd::rd_kafka_pause_partitions(self.rk, l);
            } else {
                rd::rd_kafka_resume_partitions(self.rk, l);
            }
            rd::rd_kafka_topic_partition_list_destroy(l);
        }
    }

    /// `rd_kafka_seek_partitions`; the per-partition error codes.
    pub fn seek(&self, parts: &[(&str, i32, i64)], timeout_ms: i32) -> Vec<i32> {
        let l = tpl(parts);
        // SAFETY: valid handle and list; errors read as integers.
        unsafe {
            let e = rd::rd_kafka_seek_partitions(self.rk, l, timeout_ms);
            if !e.is_null() {
                rd::rd_kafka_error_destroy(e);
            }
            let mut out = Vec::new();
            for i in 0..(*l).cnt as usize {
                let el = (*l).elems.add(i);
                out.push(*(std::ptr::addr_of!((*el).err) as *const i32));
            }
            rd::rd_kafka_topic_partition_list_destroy(l);
            out
        }
    }

    pub fn position(&self, parts: &[(&str, i32)]) -> Vec<i64> {
        let p: Vec<(&str, i32, i64)> = parts.iter().map(|(t, p)| (*t, *p, -1001)).collect();
        let l = tpl(&p);
        // SAFETY: valid handle and list.
        unsafe {
            rd::rd_kafka_position(self.rk, l);
            let out = read_tpl(l).into_iter().map(|(_, _, o)| o).collect();
            rd::rd_kafka_topic_partition_list_destroy(l);
            out
        }
    }

    pub fn committed(&self, parts: &[(&str, i32)], timeout_ms: i32) -> Vec<i64> {
        let p: Vec<(&str, i32, i64)> = parts.iter().map(|(t, p)| (*t, *p, -1001)).collect();
        let l = tpl(&p);
        // SAFETY: valid handle and list.
        unsafe {
            rd::rd_kafka_committed(self.rk, l, timeout_ms);
            let out = read_tpl(l).into_iter().map(|(_, _, o)| o).collect();
            rd::rd_kafka_topic_partition_list_destroy(l);
            out
        }
    }

    /// The committed offsets, or the error code of `rd_kafka_committed`
    /// (a timeout, no coordinator yet).
    pub fn try_committed(&self, parts: &[(&str, i32)], timeout_ms: i32) -> Result<Vec<i64>, i32> {
        let p: Vec<(&str, i32, i64)> = parts.iter().map(|(t, p)| (*t, *p, -1001)).collect();
        let l = tpl(&p);
        // SAFETY: valid handle and list.
        unsafe {
            let rc = rd::rd_kafka_committed(self.rk, l, timeout_ms) as i32;
            let out = read_tpl(l).into_iter().map(|(_, _, o)| o).collect();
            rd::rd_kafka_topic_partition_list_destroy(l);
            if rc == 0 {
                Ok(out)
            } else {
                Err(rc)
            }
        }
    }

    /// Synchronous commit of the stored offsets; the result code.
    pub fn commit_sync(&self) -> i32 {
        // SAFETY: valid handle.
        unsafe { rd::rd_kafka_commit(self.rk, std::ptr::null(), 0) as i32 }
    }

    pub fn assignment(&self) -> Vec<(String, i32)> {
        let mut l = std::ptr::null_mut();
        // SAFETY: valid handle; the list is ours.
        unsafe {
            rd::rd_kafka_assignment(self.rk, &mut l);
            let out = read_tpl(l).into_iter().map(|(t, p, _)| (t, p)).collect();
            rd::rd_kafka_topic_partition_list_destroy(l);
            out
        }
    }

    /// `rd_kafka_consumer_close` (serves the final rebalance), then destroy.
    pub fn close(self) {
        drop(self)
    }
}

impl Drop for RefConsumer {
    fn drop(&mut self) {
        // SAFETY: valid handle, destroyed once.
        unsafe {
            rd::rd_kafka_consumer_close(self.rk);
            rd::rd_kafka_destroy(self.rk);
        }
    }
}
