//! The raw librdkafka C API through `rdkafka-sys`, used the way a C program
//! would use it: the rows that give the limit every wrapper is compared to.
//!
//! * Producer: `rd_kafka_produce` on a cached topic handle with
//!   `RD_KAFKA_MSG_F_COPY` (the wrappers copy too), delivery reports through
//!   the classic `dr_msg_cb` served by `rd_kafka_poll`.
//! * Consumer: `rd_kafka_assign` from the beginning, then
//!   `rd_kafka_consume_batch_queue` on the consumer queue.

use super::Tally;
use rdkafka_sys as sys;
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;
use std::sync::Arc;

/// Integer-typed declarations of the calls whose C return type is an enum.
/// `rdkafka-sys` maps those to Rust enums, and a code the enum does not
/// know would be undefined behaviour (DESIGN.md decision 3); these link to
/// the same librdkafka.
mod ffi {
    use rdkafka_sys as sys;
    use std::os::raw::{c_char, c_int};

    extern "C" {
        pub fn rd_kafka_conf_set(
            conf: *mut sys::rd_kafka_conf_t,
            name: *const c_char,
            value: *const c_char,
            errstr: *mut c_char,
            errstr_size: usize,
        ) -> c_int;
        pub fn rd_kafka_flush(rk: *mut sys::rd_kafka_t, timeout_ms: c_int) -> c_int;
        pub fn rd_kafka_last_error() -> c_int;
        pub fn rd_kafka_poll_set_consumer(rk: *mut sys::rd_kafka_t) -> c_int;
        pub fn rd_kafka_assign(
            rk: *mut sys::rd_kafka_t,
            partitions: *const sys::rd_kafka_topic_partition_list_t,
        ) -> c_int;
        pub fn rd_kafka_consumer_close(rk: *mut sys::rd_kafka_t) -> c_int;
    }
}

/// `RD_KAFKA_RESP_ERR__QUEUE_FULL`.
pub const ERR_QUEUE_FULL: i32 = -184;

/// The error code of a message, read as the integer it is in C.
///
/// # Safety
/// `m` must point to a valid message.
#[inline]
pub unsafe fn msg_err(m: *const sys::rd_kafka_message_t) -> i32 {
    ptr::addr_of!((*m).err).cast::<i32>().read()
}

/// The name of an error code.
pub fn err_name(code: i32) -> String {
    ferrokafka::ErrorCode(code).name().to_string()
}

/// Builds a configuration from properties.
fn conf(props: &[(&str, String)]) -> Result<*mut sys::rd_kafka_conf_t, String> {
    // SAFETY: a new configuration object, owned by us until rd_kafka_new.
    let conf = unsafe { sys::rd_kafka_conf_new() };
    for (k, v) in props {
        let (ck, cv) = (CString::new(*k).unwrap(), CString::new(v.as_str()).unwrap());
        let mut errstr = [0 as c_char; 512];
        // SAFETY: valid conf, strings and buffer.
        let res = unsafe { ffi::rd_kafka_conf_set(conf, ck.as_ptr(), cv.as_ptr(), errstr.as_mut_ptr(), errstr.len()) };
        if res != 0 {
            // SAFETY: we still own the conf.
            unsafe { sys::rd_kafka_conf_destroy(conf) };
            return Err(format!("{k}={v}: {}", cstr_buf(&errstr)));
        }
    }
    Ok(conf)
}

fn cstr_buf(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Creates a client, consuming `conf`.
fn new_client(kind: sys::rd_kafka_type_t, conf: *mut sys::rd_kafka_conf_t) -> Result<*mut sys::rd_kafka_t, String> {
    let mut errstr = [0 as c_char; 512];
    // SAFETY: valid conf (owned by the client on success) and buffer.
    let rk = unsafe { sys::rd_kafka_new(kind, conf, errstr.as_mut_ptr(), errstr.len()) };
    if rk.is_null() {
        // SAFETY: on failure the conf is still ours.
        unsafe { sys::rd_kafka_conf_destroy(conf) };
        return Err(format!("rd_kafka_new: {}", cstr_buf(&errstr)));
    }
    Ok(rk)
}

/// `dr_msg_cb`: tallies the report in the `Tally` passed as the opaque.
unsafe extern "C" fn dr_msg_cb(_rk: *mut sys::rd_kafka_t, msg: *const sys::rd_kafka_message_t, opaque: *mut c_void) {
    // SAFETY: the opaque is the producer's Tally, alive until after
    // rd_kafka_destroy; the message is valid for the call.
    let tally = &*(opaque as *const Tally);
    tally.record(msg_err(msg) == 0);
}

/// A raw producer bound to one topic.
pub struct RawProducer {
    rk: *mut sys::rd_kafka_t,
    rkt: *mut sys::rd_kafka_topic_t,
    tally: Arc<Tally>,
}

impl RawProducer {
    /// A producer with `props`, for `topic`, tallying its delivery reports.
    pub fn new(props: &[(&str, String)], topic: &str) -> Result<RawProducer, String> {
        let tally = Arc::new(Tally::default());
        let conf = conf(props)?;
        // SAFETY: valid conf; the Tally outlives the client (dropped after
        // rd_kafka_destroy in Drop).
        unsafe {
            sys::rd_kafka_conf_set_dr_msg_cb(conf, Some(dr_msg_cb));
            sys::rd_kafka_conf_set_opaque(conf, Arc::as_ptr(&tally) as *mut c_void);
        }
        let rk = new_client(sys::rd_kafka_type_t::RD_KAFKA_PRODUCER, conf)?;
        let t = CString::new(topic).unwrap();
        // SAFETY: valid client and name; default topic conf.
        let rkt = unsafe { sys::rd_kafka_topic_new(rk, t.as_ptr(), ptr::null_mut()) };
        if rkt.is_null() {
            // SAFETY: the client is ours.
            unsafe { sys::rd_kafka_destroy(rk) };
            return Err(format!("rd_kafka_topic_new({topic}) failed"));
        }
        Ok(RawProducer { rk, rkt, tally })
    }

    /// The delivery tallies.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// `rd_kafka_produce` to the partitioner, copying `value`; Err(code).
    #[inline]
    pub fn produce(&self, value: &[u8]) -> Result<(), i32> {
        self.produce_to(-1, value)
    }

    /// `rd_kafka_produce` to `partition` (-1: the partitioner), copying
    /// `value`; Err(code).
    #[inline]
    pub fn produce_to(&self, partition: i32, value: &[u8]) -> Result<(), i32> {
        // SAFETY: valid topic handle; F_COPY makes librdkafka copy the value
        // before returning.
        let r = unsafe {
            sys::rd_kafka_produce(
                self.rkt,
                partition,
                sys::RD_KAFKA_MSG_F_COPY,
                value.as_ptr() as *mut c_void,
                value.len(),
                ptr::null(),
                0,
                ptr::null_mut(),
            )
        };
        if r == 0 {
            Ok(())
        } else {
            // SAFETY: no preconditions (thread-local last error).
            Err(unsafe { ffi::rd_kafka_last_error() })
        }
    }

    /// `rd_kafka_poll`: serves delivery reports (all that are queued).
    #[inline]
    pub fn poll(&self, timeout_ms: i32) {
        // SAFETY: valid client.
        unsafe { sys::rd_kafka_poll(self.rk, timeout_ms as c_int) };
    }

    /// `rd_kafka_flush` (it serves the delivery reports too); the raw result code.
    pub fn flush(&self, timeout_ms: i32) -> i32 {
        // SAFETY: valid client.
        unsafe { ffi::rd_kafka_flush(self.rk, timeout_ms as c_int) }
    }
}

impl Drop for RawProducer {
    fn drop(&mut self) {
        // SAFETY: we own both handles; nothing uses them any more. The
        // Tally (opaque) is dropped after this, with the struct.
        unsafe {
            sys::rd_kafka_topic_destroy(self.rkt);
            sys::rd_kafka_destroy(self.rk);
        }
    }
}

/// A raw consumer with every partition of one topic assigned from the beginning.
pub struct RawConsumer {
    rk: *mut sys::rd_kafka_t,
    queue: *mut sys::rd_kafka_queue_t,
}

impl RawConsumer {
    /// A consumer with `props` (which must include `group.id`), assigned
    /// partitions `0..partitions` of `topic` from the beginning.
    pub fn new(props: &[(&str, String)], topic: &str, partitions: i32) -> Result<RawConsumer, String> {
        let conf = conf(props)?;
        let rk = new_client(sys::rd_kafka_type_t::RD_KAFKA_CONSUMER, conf)?;
        let t = CString::new(topic).unwrap();
        // SAFETY: valid client; the list is ours and destroyed after the
        // assign (librdkafka copies it).
        unsafe {
            let err = ffi::rd_kafka_poll_set_consumer(rk);
            if err != 0 {
                sys::rd_kafka_destroy(rk);
                return Err(format!("rd_kafka_poll_set_consumer: {}", err_name(err)));
            }
            let tpl = sys::rd_kafka_topic_partition_list_new(partitions);
            for p in 0..partitions {
                let tp = sys::rd_kafka_topic_partition_list_add(tpl, t.as_ptr(), p);
                (*tp).offset = sys::RD_KAFKA_OFFSET_BEGINNING as i64;
            }
            let err = ffi::rd_kafka_assign(rk, tpl);
            sys::rd_kafka_topic_partition_list_destroy(tpl);
            if err != 0 {
                sys::rd_kafka_destroy(rk);
                return Err(format!("rd_kafka_assign: {}", err_name(err)));
            }
            let queue = sys::rd_kafka_queue_get_consumer(rk);
            if queue.is_null() {
                sys::rd_kafka_destroy(rk);
                return Err("rd_kafka_queue_get_consumer returned NULL".into());
            }
            Ok(RawConsumer { rk, queue })
        }
    }

    /// `rd_kafka_consume_batch_queue` into `buf`: the number of messages
    /// written (each owned by the caller, who must destroy it).
    #[inline]
    pub fn consume_batch(&self, timeout_ms: i32, buf: &mut [*mut sys::rd_kafka_message_t]) -> Result<usize, String> {
        // SAFETY: valid queue; buf has room for buf.len() pointers.
        let n = unsafe { sys::rd_kafka_consume_batch_queue(self.queue, timeout_ms, buf.as_mut_ptr(), buf.len()) };
        if n < 0 {
            // SAFETY: no preconditions.
            return Err(format!(
                "rd_kafka_consume_batch_queue: {}",
                err_name(unsafe { ffi::rd_kafka_last_error() })
            ));
        }
        Ok(n as usize)
    }

    /// `rd_kafka_consumer_poll`: one message or null (owned by the caller).
    #[inline]
    pub fn poll(&self, timeout_ms: i32) -> *mut sys::rd_kafka_message_t {
        // SAFETY: valid client.
        unsafe { sys::rd_kafka_consumer_poll(self.rk, timeout_ms) }
    }
}

impl Drop for RawConsumer {
    fn drop(&mut self) {
        // SAFETY: we own the queue reference and the client.
        unsafe {
            sys::rd_kafka_queue_destroy(self.queue);
            ffi::rd_kafka_consumer_close(self.rk);
            sys::rd_kafka_destroy(self.rk);
        }
    }
}

/// Fills `topic` with `n` values of `size` bytes through the raw producer,
/// untimed: the input of every consumer row, written the same way for all.
///
/// Message `i` goes to partition `i % partitions`, so the partitions hold
/// equal shares: librdkafka's mock cluster keeps at most 5 MB per partition
/// (`max_size` in `rdkafka_mock.c`) and drops older message sets beyond
/// that, so the share must fit.
pub fn prefill(props: &[(&str, String)], topic: &str, partitions: i32, n: usize, size: usize) -> Result<(), String> {
    let p = RawProducer::new(props, topic)?;
    let value = vec![b'v'; size];
    for i in 0..n {
        let partition = (i % partitions.max(1) as usize) as i32;
        loop {
            match p.produce_to(partition, &value) {
                Ok(()) => break,
                Err(ERR_QUEUE_FULL) => p.poll(10),
                Err(e) => return Err(format!("prefill: {}", err_name(e))),
            }
        }
        if i % 1000 == 999 {
            p.poll(0);
        }
    }
    let err = p.flush(120_000);
    if err != 0 {
        return Err(format!("prefill flush: {}", err_name(err)));
    }
    p.tally().check(n).map_err(|e| format!("prefill: {e}"))
}
