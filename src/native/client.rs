//! `rd_kafka_t`: the client handle, its lifecycle and the calls every kind
//! of client makes.

use super::callbacks::Hooks;
use super::conf::conf_get;
use super::error::{c_string, check};
use super::{error_from_ptr, sys, ErrBuf, NativeConf, NativeHeaders, NativeQueue, NativeTopic, NativeTpl};
use crate::error::{ErrorCode, KafkaError};
use crate::values::Purge;
use std::any::{Any, TypeId};
use std::ffi::CString;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::Arc;

/// An owned client handle (`rd_kafka_t`).
pub(crate) struct NativeClient {
    ptr: NonNull<sys::rd_kafka_t>,
    consumer: bool,
    /// When set, `Drop` skips the consumer close (the caller did it, or
    /// gave up on it).
    skip_consumer_close: std::sync::atomic::AtomicBool,
    /// When set, `Drop` runs `rd_kafka_destroy` on a helper thread instead
    /// of blocking: the consumer close was given up at its deadline, and
    /// the destroy would wait for the group requests still in flight (an
    /// OffsetCommit or LeaveGroup to a slow coordinator: up to
    /// `socket.timeout.ms`).
    detach_destroy: std::sync::atomic::AtomicBool,
    /// Kept alive until `rd_kafka_destroy` has returned: the callback state
    /// whose address librdkafka holds as its opaque.
    keepalive: Option<Arc<dyn Any + Send + Sync>>,
    /// The type of the hooks state the C callbacks' opaque points to.
    hooks_type: Option<TypeId>,
}

// SAFETY: librdkafka documents every function on rd_kafka_t as thread-safe
// except rd_kafka_destroy, which only Drop (with exclusive access) calls.
unsafe impl Send for NativeClient {}
// SAFETY: as above; shared references only reach thread-safe functions.
unsafe impl Sync for NativeClient {}

/// Arguments of one produce call.
pub(crate) struct ProduceArgs<'a> {
    pub topic: &'a NativeTopic,
    pub partition: i32,
    pub value: Option<&'a [u8]>,
    pub key: Option<&'a [u8]>,
    pub timestamp: i64,
    pub headers: Option<NativeHeaders>,
    /// Per-message delivery state, carried by librdkafka as the opaque.
    pub state: Option<super::DeliveryOpaque>,
    /// A value the message owns (instead of `value`): referenced by
    /// librdkafka without a copy, released when the report is served.
    pub owned: Option<super::OwnedPayload>,
}

/// What a failed produce call hands back.
pub(crate) struct ProduceFailure {
    pub error: KafkaError,
    pub headers: Option<NativeHeaders>,
    pub state: Option<super::DeliveryOpaque>,
    pub owned: Option<super::OwnedPayload>,
}

/// A produce call's value and opaque: a borrowed value (copied by
/// librdkafka), or an owned one it references (see `OwnedPayload`).
struct Carried {
    value: *mut c_void,
    len: usize,
    flags: c_int,
    opaque: *mut c_void,
    /// The owned payload librdkafka references (without `F_COPY`).
    raw: Option<super::RawPayload>,
    /// An owned payload librdkafka copies (an empty one), kept for the call.
    copied: Option<super::OwnedPayload>,
}

impl Carried {
    #[inline]
    fn new(value: Option<&[u8]>, owned: Option<super::OwnedPayload>, state: Option<super::DeliveryOpaque>) -> Carried {
        let Some(owned) = owned else {
            // The common case: a borrowed value, copied.
            let (value, len) = match value {
                Some(v) => (v.as_ptr() as *mut c_void, v.len()),
                None => (std::ptr::null_mut(), 0),
            };
            return Carried {
                value,
                len,
                flags: sys::RD_KAFKA_MSG_F_COPY,
                opaque: state.map_or(std::ptr::null_mut(), super::DeliveryOpaque::into_raw),
                raw: None,
                copied: None,
            };
        };
        let (raw, copied) = match super::RawPayload::new(owned) {
            Ok(r) => (Some(r), None),
            Err(p) => (None, Some(p)),
        };
        let (value, len, flags) = match (&raw, copied.as_ref().map(|p| p.as_slice()).or(value)) {
            (Some(r), _) => (r.ptr(), r.len(), 0),
            (None, Some(v)) => (v.as_ptr() as *mut c_void, v.len(), sys::RD_KAFKA_MSG_F_COPY),
            (None, None) => (std::ptr::null_mut(), 0, sys::RD_KAFKA_MSG_F_COPY),
        };
        let opaque = match (state, &raw) {
            (Some(mut s), Some(r)) => {
                s.attach_payload(*r);
                s.into_raw()
            }
            (Some(s), None) => s.into_raw(),
            (None, Some(r)) => super::payload_opaque(r),
            (None, None) => std::ptr::null_mut(),
        };
        Carried {
            value,
            len,
            flags,
            opaque,
            raw,
            copied,
        }
    }

    /// The state and payload back, after a call that did not enqueue the
    /// message.
    ///
    /// # Safety
    /// librdkafka refused the message: nothing else owns the opaque.
    unsafe fn refused(self) -> (Option<super::DeliveryOpaque>, Option<super::OwnedPayload>) {
        let mut state = super::DeliveryOpaque::from_raw(self.opaque);
        if let Some(s) = &mut state {
            // The same payload as `self.raw`, rebuilt below.
            let _ = s.take_payload();
        }
        (state, self.raw.map(|r| r.rebuild()).or(self.copied))
    }
}

/// The type of `rd_kafka_t` to create (`rd_kafka_type_t`). An admin
/// client is a producer handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HandleType {
    /// `RD_KAFKA_PRODUCER`.
    Producer,
    /// `RD_KAFKA_CONSUMER`.
    Consumer,
}

/// Properties that C code must leave as ferrokafka set them on a
/// configuration it hands out (see [`NativeClient::new_raw`]): the log
/// routing its dispatch relies on, the offset store it
/// emulates behind the read-ahead (a librdkafka store would commit
/// messages the application never saw), the delivery reports it filters
/// itself (librdkafka's filter would leak per-message state), and what
/// decided whether the constructor waits for an OAuth token.
///
/// (`enabled_events` is not among them: `rd_kafka_new` itself adds to a
/// consumer's event mask; `RawConf::into_ptr`'s contract forbids changing it.)
const GUARDED: &[&str] = &[
    "log.queue",
    "enable.auto.offset.store",
    "delivery.report.only.error",
    "security.protocol",
    "sasl.mechanisms",
];

/// Takes the hooks state out of `conf` (the client takes it over), after
/// checking the linked library: our declarations of librdkafka's structs
/// are 2.12.1's, so any other library is refused before it is handed one
/// (the first client or mock cluster is the first use).
#[allow(clippy::type_complexity)]
fn take_hooks(
    conf: &mut NativeConf,
) -> Result<(Option<Arc<dyn Any + Send + Sync>>, Option<TypeId>), (String, Option<Arc<dyn Any + Send + Sync>>)> {
    let hooks = conf.hooks.take();
    let hooks_type = hooks.as_ref().map(|h| h.type_id);
    let keepalive = hooks.map(|h| h.keepalive);
    match super::check_version() {
        Ok(()) => Ok((keepalive, hooks_type)),
        Err(msg) => Err((msg, keepalive)),
    }
}

impl NativeClient {
    /// Corresponds to `rd_kafka_new`. The configuration is consumed either
    /// way; the client takes over its hooks state (see
    /// [`NativeConf::install_hooks`]), which on failure comes back with the
    /// message, to be dropped after it is used.
    #[allow(clippy::type_complexity)]
    pub(crate) fn new(
        handle_type: HandleType,
        mut conf: NativeConf,
    ) -> Result<Self, (String, Option<Arc<dyn Any + Send + Sync>>)> {
        let (keepalive, hooks_type) = take_hooks(&mut conf)?;
        let mut buf = ErrBuf::new();
        let consumer = handle_type == HandleType::Consumer;
        let kind = match handle_type {
            HandleType::Consumer => sys::RD_KAFKA_CONSUMER,
            HandleType::Producer => sys::RD_KAFKA_PRODUCER,
        };
        let raw_conf = conf.as_ptr();
        // SAFETY: valid conf; on success librdkafka owns it, on failure we
        // still do (and `conf` destroys it when dropped below).
        let ptr = unsafe { sys::rd_kafka_new(kind, raw_conf, buf.as_mut_ptr(), buf.capacity()) };
        match NonNull::new(ptr) {
            Some(ptr) => {
                let _ = conf.into_raw(); // now owned by the client
                Ok(NativeClient::owning(ptr, consumer, keepalive, hooks_type))
            }
            None => {
                drop(conf);
                Err((buf.message(), keepalive))
            }
        }
    }

    /// Creates the client through C code's `rd_kafka_new`: `create` gets
    /// the configuration as a [`super::raw::RawConf`] and returns the handle
    /// it made from it, which is adopted after checking that its opaque is
    /// this configuration's hooks state, its type the one asked for, and
    /// that the settings ferrokafka relies on ([`GUARDED`]) were left alone.
    ///
    /// A handle not made from the configuration is left to the caller; one
    /// made from it that fails a check is destroyed (it is ours). Whenever
    /// the configuration was handed out ([`RawConf::into_ptr`]) and no
    /// handle is adopted — `create` failed, panicked or returned another
    /// handle — the hooks state is kept for the process's life: C code may
    /// have made a client from it that still calls back. Errors as for
    /// [`NativeClient::new`]; a panic in `create` is resumed.
    ///
    /// [`RawConf::into_ptr`]: super::raw::RawConf::into_ptr
    #[allow(clippy::type_complexity)]
    pub(crate) fn new_raw(
        handle_type: HandleType,
        mut conf: NativeConf,
        create: super::raw::RawCreate<'_>,
    ) -> Result<Self, (String, Option<Arc<dyn Any + Send + Sync>>)> {
        let (keepalive, hooks_type) = take_hooks(&mut conf)?;
        let consumer = handle_type == HandleType::Consumer;
        let wanted: Vec<(&str, Option<String>)> = GUARDED.iter().map(|k| (*k, conf.get(k))).collect();
        let handover = Arc::new(std::sync::Mutex::new(super::raw::Handover::default()));
        let raw = super::raw::RawConf {
            conf,
            consumer,
            handover: handover.clone(),
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| create(raw)));
        let handed_out = super::raw::Handover::close(&handover);
        let keep = |keepalive: &Option<Arc<dyn Any + Send + Sync>>| {
            if let (true, Some(k)) = (handed_out, keepalive) {
                super::raw::keep_forever(k.clone());
            }
        };
        let made = match outcome {
            Ok(Ok(made)) => made,
            Ok(Err(msg)) => {
                keep(&keepalive);
                return Err((format!("rd_kafka_new failed in the raw constructor: {msg}"), keepalive));
            }
            Err(panic) => {
                keep(&keepalive);
                drop(keepalive);
                std::panic::resume_unwind(panic);
            }
        };
        let rk = made.ptr;
        let expected_opaque = keepalive
            .as_ref()
            .map_or(std::ptr::null(), |k| Arc::as_ptr(k) as *const u8);
        // SAFETY: `rk` is a live handle (RawNew::from_ptr's contract); both
        // functions only read it.
        let (opaque, kind) = unsafe { (sys::rd_kafka_opaque(rk.as_ptr()), sys::rd_kafka_type(rk.as_ptr())) };
        if opaque as *const u8 != expected_opaque {
            // Not made from our configuration: left to the caller.
            keep(&keepalive);
            return Err((
                "the raw constructor returned a handle that was not created from the RawConf it was given".to_string(),
                keepalive,
            ));
        }
        let name = |k: c_int| {
            if k == sys::RD_KAFKA_CONSUMER {
                "RD_KAFKA_CONSUMER"
            } else {
                "RD_KAFKA_PRODUCER"
            }
        };
        let want_kind = if consumer {
            sys::RD_KAFKA_CONSUMER
        } else {
            sys::RD_KAFKA_PRODUCER
        };
        // Ours from here on: a handle that fails a check is destroyed (by
        // dropping it) before its hooks state goes.
        let client = NativeClient::owning(rk, kind == sys::RD_KAFKA_CONSUMER, keepalive.clone(), hooks_type);
        if kind != want_kind {
            drop(client);
            return Err((
                format!(
                    "the raw constructor created a {} handle; rd_kafka_new needs {}",
                    name(kind),
                    name(want_kind)
                ),
                keepalive,
            ));
        }
        // SAFETY: a live handle; its configuration lives as long as it does.
        let changed = wanted
            .iter()
            .find(|(k, want)| unsafe { conf_get(sys::rd_kafka_conf(rk.as_ptr()), k) } != *want);
        if let Some((key, _)) = changed {
            drop(client);
            return Err((
                format!(
                    "the raw constructor changed {key:?}, which ferrokafka sets itself (it decides how events \
                     and offsets reach ferrokafka): the handle was destroyed"
                ),
                keepalive,
            ));
        }
        Ok(client)
    }

    /// Takes ownership of a new handle made from a configuration whose
    /// hooks state is `keepalive` (of type `hooks_type`).
    fn owning(
        ptr: NonNull<sys::rd_kafka_t>,
        consumer: bool,
        keepalive: Option<Arc<dyn Any + Send + Sync>>,
        hooks_type: Option<TypeId>,
    ) -> Self {
        NativeClient {
            ptr,
            consumer,
            skip_consumer_close: std::sync::atomic::AtomicBool::new(false),
            detach_destroy: std::sync::atomic::AtomicBool::new(false),
            keepalive,
            hooks_type,
        }
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_t {
        self.ptr.as_ptr()
    }

    /// Makes librdkafka call the client's hooks' `wake_queue_waiters()`
    /// whenever an event lands on `queue` (one of this client's queues)
    /// while it is empty. The opaque is the client's own hooks state (the
    /// configuration opaque), which lives until `rd_kafka_destroy` has
    /// returned, after which no queue calls back; `H` must be its type.
    ///
    /// Corresponds to `rd_kafka_queue_cb_event_enable`.
    pub(crate) fn enable_wakeups<H: Hooks>(&self, queue: &NativeQueue) {
        assert_eq!(
            self.hooks_type,
            Some(TypeId::of::<H>()),
            "enable_wakeups: not the client's hooks type"
        );
        // SAFETY: valid handle and queue; the opaque is an `H` that outlives
        // the client (checked above, kept by `keepalive`).
        unsafe {
            let opaque = sys::rd_kafka_opaque(self.as_ptr());
            sys::rd_kafka_queue_cb_event_enable(
                queue.as_ptr(),
                Some(super::callbacks::queue_wakeup_trampoline::<H>),
                opaque,
            )
        }
    }

    /// Marks the consumer as already closed (or its close abandoned) so that
    /// `Drop` destroys it without closing it again.
    pub(crate) fn set_consumer_closed(&self) {
        self.skip_consumer_close
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Marks the consumer close as given up before it finished: `Drop`
    /// neither closes again nor waits for librdkafka to finish the group
    /// requests still in flight (it destroys the handle on a helper thread).
    pub(crate) fn abandon_consumer_close(&self) {
        self.set_consumer_closed();
        self.detach_destroy.store(true, std::sync::atomic::Ordering::Release);
    }

    /// `Drop` destroys the handle on a helper thread: for a client whose
    /// callback may still be running on librdkafka's thread (the destroy
    /// would wait for it).
    pub(crate) fn destroy_in_background(&self) {
        self.detach_destroy.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Corresponds to `rd_kafka_name`.
    pub(crate) fn name(&self) -> String {
        // SAFETY: valid handle; the name lives as long as the handle.
        unsafe { super::cstr_owned(sys::rd_kafka_name(self.ptr.as_ptr())) }
    }

    /// Corresponds to `rd_kafka_outq_len`.
    pub(crate) fn outq_len(&self) -> usize {
        // SAFETY: valid handle.
        let n = unsafe { sys::rd_kafka_outq_len(self.ptr.as_ptr()) };
        n.max(0) as usize
    }

    /// Corresponds to `rd_kafka_flush` (returns the raw result code).
    pub(crate) fn flush(&self, timeout_ms: i32) -> ErrorCode {
        // SAFETY: valid handle.
        ErrorCode(unsafe { sys::rd_kafka_flush(self.ptr.as_ptr(), timeout_ms) })
    }

    /// Corresponds to `rd_kafka_purge`.
    pub(crate) fn purge(&self, what: Purge) -> Result<(), KafkaError> {
        let mut flags = 0;
        if what.queued() {
            flags |= sys::RD_KAFKA_PURGE_F_QUEUE;
        }
        if what.in_flight() {
            flags |= sys::RD_KAFKA_PURGE_F_INFLIGHT;
        }
        if !what.waits() {
            flags |= sys::RD_KAFKA_PURGE_F_NON_BLOCKING;
        }
        // SAFETY: valid handle.
        let err = unsafe { sys::rd_kafka_purge(self.ptr.as_ptr(), flags) };
        check(err, "purge failed")
    }

    /// Corresponds to `rd_kafka_fatal_error`: the fatal error, if one was raised.
    pub(crate) fn fatal_error(&self) -> Option<KafkaError> {
        let mut buf = ErrBuf::new();
        // SAFETY: valid handle and buffer.
        let code = unsafe { sys::rd_kafka_fatal_error(self.ptr.as_ptr(), buf.as_mut_ptr(), buf.capacity()) };
        if code == 0 {
            None
        } else {
            Some(KafkaError::new(ErrorCode(code), buf.message()).with_fatal(true))
        }
    }

    /// Corresponds to `rd_kafka_test_fatal_error`.
    pub(crate) fn test_fatal_error(&self, code: ErrorCode, reason: &str) -> Result<(), KafkaError> {
        let reason = CString::new(reason.replace('\0', " ")).unwrap_or_default();
        // SAFETY: valid handle and string.
        let err = unsafe { sys::rd_kafka_test_fatal_error(self.ptr.as_ptr(), code.0, reason.as_ptr()) };
        check(err, "could not raise a fatal error")
    }

    /// Corresponds to `rd_kafka_clusterid`.
    pub(crate) fn cluster_id(&self, timeout_ms: i32) -> Option<String> {
        // SAFETY: valid handle; the result is freed with rd_kafka_mem_free.
        unsafe {
            let p = sys::rd_kafka_clusterid(self.ptr.as_ptr(), timeout_ms);
            if p.is_null() {
                return None;
            }
            let s = super::cstr_owned(p);
            sys::rd_kafka_mem_free(self.ptr.as_ptr(), p as *mut c_void);
            Some(s)
        }
    }

    /// Corresponds to `rd_kafka_controllerid` (-1 when unknown).
    pub(crate) fn controller_id(&self, timeout_ms: i32) -> i32 {
        // SAFETY: valid handle.
        unsafe { sys::rd_kafka_controllerid(self.ptr.as_ptr(), timeout_ms) }
    }

    /// Corresponds to `rd_kafka_memberid`.
    pub(crate) fn member_id(&self) -> Option<String> {
        // SAFETY: valid handle; the result is freed with rd_kafka_mem_free.
        unsafe {
            let p = sys::rd_kafka_memberid(self.ptr.as_ptr());
            if p.is_null() {
                return None;
            }
            let s = super::cstr_owned(p);
            sys::rd_kafka_mem_free(self.ptr.as_ptr(), p as *mut c_void);
            Some(s)
        }
    }

    /// Routes logs to the main queue (with `log.queue=true`).
    pub(crate) fn set_log_queue_main(&self) -> Result<(), KafkaError> {
        // SAFETY: valid handle; null means the main queue.
        let err = unsafe { sys::rd_kafka_set_log_queue(self.ptr.as_ptr(), std::ptr::null_mut()) };
        check(err, "could not set the log queue")
    }

    /// Corresponds to `rd_kafka_sasl_background_callbacks_enable`.
    pub(crate) fn enable_sasl_background_callbacks(&self) -> Result<(), KafkaError> {
        // SAFETY: valid handle; the error (if any) is ours.
        match unsafe { error_from_ptr(sys::rd_kafka_sasl_background_callbacks_enable(self.ptr.as_ptr())) } {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Corresponds to `rd_kafka_sasl_set_credentials`.
    pub(crate) fn set_sasl_credentials(&self, username: &str, password: &str) -> Result<(), KafkaError> {
        let u = c_string("set_sasl_credentials: the username", username)?;
        let p = c_string("set_sasl_credentials: the password", password)?;
        // SAFETY: valid handle and strings; the error (if any) is ours.
        let res = unsafe {
            error_from_ptr(sys::rd_kafka_sasl_set_credentials(
                self.ptr.as_ptr(),
                u.as_ptr(),
                p.as_ptr(),
            ))
        };
        super::zeroize(p.into_bytes());
        match res {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Corresponds to `rd_kafka_queue_get_main`.
    pub(crate) fn main_queue(&self) -> NativeQueue {
        // SAFETY: valid handle; returns a new reference we own.
        let p = unsafe { sys::rd_kafka_queue_get_main(self.ptr.as_ptr()) };
        // SAFETY: a new reference we own.
        unsafe { NativeQueue::from_raw(p) }.expect("rd_kafka_queue_get_main returned NULL")
    }

    /// Corresponds to `rd_kafka_queue_get_consumer` (None if not a group consumer).
    pub(crate) fn consumer_queue(&self) -> Option<NativeQueue> {
        // SAFETY: valid handle; returns a new reference we own, or null.
        let p = unsafe { sys::rd_kafka_queue_get_consumer(self.ptr.as_ptr()) };
        // SAFETY: a new reference we own, or null.
        unsafe { NativeQueue::from_raw(p) }
    }

    /// Corresponds to `rd_kafka_topic_new` (with the default topic config).
    pub(crate) fn topic(&self, name: &str) -> Result<NativeTopic, KafkaError> {
        let c = c_string("topic name", name)?;
        // SAFETY: valid handle and string; null conf uses the default topic conf.
        let p = unsafe { sys::rd_kafka_topic_new(self.ptr.as_ptr(), c.as_ptr(), std::ptr::null_mut()) };
        // SAFETY: a new topic reference we own, or null.
        match unsafe { NativeTopic::from_ptr(p) } {
            Some(topic) => Ok(topic),
            None => {
                // SAFETY: no preconditions.
                let code = unsafe { sys::rd_kafka_last_error() };
                Err(KafkaError::new(
                    ErrorCode(code),
                    format!("could not create a handle for topic {name:?}"),
                ))
            }
        }
    }

    /// Corresponds to `rd_kafka_produceva`. On failure the headers come back.
    #[inline]
    pub(crate) fn produce(&self, args: ProduceArgs<'_>) -> Result<(), ProduceFailure> {
        if args.headers.is_none() && args.timestamp == 0 {
            return self.produce_plain(args);
        }
        let mut vus: [std::mem::MaybeUninit<sys::rd_kafka_vu_t>; 8] = [const { std::mem::MaybeUninit::uninit() }; 8];
        let mut n = 0;
        let mut push = |vtype: c_int, u: sys::rd_kafka_vu_union| {
            vus[n].write(sys::rd_kafka_vu_t { vtype, u });
            n += 1;
        };
        push(
            sys::RD_KAFKA_VTYPE_RKT,
            sys::rd_kafka_vu_union {
                rkt: args.topic.as_ptr(),
            },
        );
        push(
            sys::RD_KAFKA_VTYPE_PARTITION,
            sys::rd_kafka_vu_union { i32_: args.partition },
        );
        let carried = Carried::new(args.value, args.owned, args.state);
        push(
            sys::RD_KAFKA_VTYPE_MSGFLAGS,
            sys::rd_kafka_vu_union { i: carried.flags },
        );
        if !carried.value.is_null() {
            push(
                sys::RD_KAFKA_VTYPE_VALUE,
                sys::rd_kafka_vu_union {
                    mem: sys::rd_kafka_vu_mem {
                        ptr: carried.value,
                        size: carried.len,
                    },
                },
            );
        }
        if let Some(k) = args.key {
            push(
                sys::RD_KAFKA_VTYPE_KEY,
                sys::rd_kafka_vu_union {
                    mem: sys::rd_kafka_vu_mem {
                        ptr: k.as_ptr() as *mut c_void,
                        size: k.len(),
                    },
                },
            );
        }
        if args.timestamp != 0 {
            push(
                sys::RD_KAFKA_VTYPE_TIMESTAMP,
                sys::rd_kafka_vu_union { i64_: args.timestamp },
            );
        }
        if !carried.opaque.is_null() {
            push(
                sys::RD_KAFKA_VTYPE_OPAQUE,
                sys::rd_kafka_vu_union { ptr: carried.opaque },
            );
        }
        let headers_ptr = args.headers.as_ref().map(|h| h.as_ptr());
        if let Some(h) = headers_ptr {
            push(sys::RD_KAFKA_VTYPE_HEADERS, sys::rd_kafka_vu_union { headers: h });
        }
        // SAFETY: the first `n` entries are initialised; every pointer in
        // them (topic, payloads, headers) is valid for the call; librdkafka
        // copies the key, and the value with F_COPY; an owned value (no
        // F_COPY) stays alive until its report is served (`Carried`); on
        // success it owns the headers.
        let err = unsafe {
            error_from_ptr(sys::rd_kafka_produceva(
                self.ptr.as_ptr(),
                vus.as_ptr() as *const sys::rd_kafka_vu_t,
                n,
            ))
        };
        match err {
            None => {
                if let Some(h) = args.headers {
                    h.into_raw(); // owned by the message now
                }
                Ok(())
            }
            Some(error) => {
                // SAFETY: the message was not enqueued.
                let (state, owned) = unsafe { carried.refused() };
                Err(ProduceFailure {
                    error,
                    headers: args.headers,
                    state,
                    owned,
                })
            }
        }
    }

    /// The fast path of [`Self::produce`] for records without headers or a
    /// timestamp: `rd_kafka_produce`, which takes its arguments directly
    /// instead of parsing an argument array.
    #[inline]
    fn produce_plain(&self, args: ProduceArgs<'_>) -> Result<(), ProduceFailure> {
        let (kp, kl) = match args.key {
            Some(k) => (k.as_ptr() as *const c_void, k.len()),
            None => (std::ptr::null(), 0),
        };
        let carried = Carried::new(args.value, args.owned, args.state);
        // SAFETY: valid topic handle; payload and key valid for their
        // lengths during the call; librdkafka copies the key, and the
        // value with F_COPY; an owned value (no F_COPY) stays alive until
        // its report is served (`Carried`).
        let rc = unsafe {
            sys::rd_kafka_produce(
                args.topic.as_ptr(),
                args.partition,
                carried.flags,
                carried.value,
                carried.len,
                kp,
                kl,
                carried.opaque,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        // SAFETY: no preconditions (a thread-local set by the call above).
        let code = ErrorCode(unsafe { sys::rd_kafka_last_error() });
        let error = if code == ErrorCode::FATAL {
            self.fatal_error()
                .unwrap_or_else(|| KafkaError::from_code(code).with_fatal(true))
        } else {
            KafkaError::from_code(code).context("Failed to produce message")
        };
        // SAFETY: the message was not enqueued.
        let (state, owned) = unsafe { carried.refused() };
        Err(ProduceFailure {
            error,
            headers: None,
            state,
            owned,
        })
    }

    /// Corresponds to `rd_kafka_metadata`.
    pub(crate) fn metadata(
        &self,
        topic: Option<&NativeTopic>,
        timeout_ms: i32,
    ) -> Result<crate::metadata::ClusterMetadata, KafkaError> {
        super::metadata::fetch(self, topic, timeout_ms)
    }

    /// Runs a transactional call that returns an `rd_kafka_error_t*`.
    pub(crate) fn txn_call(&self, what: Txn<'_>, timeout_ms: i32) -> Result<(), KafkaError> {
        let rk = self.ptr.as_ptr();
        // SAFETY: valid handle; tpl and cgmd pointers are valid for the call
        // (librdkafka copies them); the returned error is ours.
        let err = unsafe {
            match what {
                Txn::Init => sys::rd_kafka_init_transactions(rk, timeout_ms),
                Txn::Begin => sys::rd_kafka_begin_transaction(rk),
                Txn::SendOffsets(tpl, cgmd) => {
                    sys::rd_kafka_send_offsets_to_transaction(rk, tpl.as_ptr(), cgmd.as_ptr(), timeout_ms)
                }
                Txn::Commit => sys::rd_kafka_commit_transaction(rk, timeout_ms),
                Txn::Abort => sys::rd_kafka_abort_transaction(rk, timeout_ms),
            }
        };
        // SAFETY: the error object is ours.
        match unsafe { error_from_ptr(err) } {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Destroys the handle without the consumer close.
    fn destroy(ptr: *mut sys::rd_kafka_t, consumer: bool, skip_close: bool) {
        // SAFETY: we own the handle and nothing else uses it any more.
        unsafe {
            if consumer && skip_close {
                sys::rd_kafka_destroy_flags(ptr, sys::RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
            } else {
                sys::rd_kafka_destroy(ptr);
            }
        }
    }
}

/// The transactional calls.
#[derive(Clone, Copy)]
pub(crate) enum Txn<'a> {
    Init,
    Begin,
    SendOffsets(&'a NativeTpl, &'a super::NativeCgMetadata),
    Commit,
    Abort,
}

impl Drop for NativeClient {
    fn drop(&mut self) {
        let ptr = self.ptr.as_ptr() as usize;
        let consumer = self.consumer;
        let skip = self.skip_consumer_close.load(std::sync::atomic::Ordering::Acquire);
        let keepalive = self.keepalive.take();
        let on_librdkafka_thread = super::callbacks::on_librdkafka_thread();
        if on_librdkafka_thread || self.detach_destroy.load(std::sync::atomic::Ordering::Acquire) {
            // rd_kafka_destroy() must not run on a librdkafka thread (it
            // asserts, or deadlocks joining itself), and must not hold up a
            // close that already gave up: hand it to a reaper. The callback
            // state goes to the reaper only once it runs, so that it is
            // never freed before the handle is destroyed.
            let (tx, rx) = std::sync::mpsc::channel::<Option<Arc<dyn Any + Send + Sync>>>();
            let spawned = std::thread::Builder::new()
                .name("ferrokafka-reaper".into())
                .spawn(move || {
                    if let Ok(keepalive) = rx.recv() {
                        NativeClient::destroy(ptr as *mut sys::rd_kafka_t, consumer, skip);
                        drop(keepalive);
                    }
                });
            match spawned {
                Ok(_) => {
                    let _ = tx.send(keepalive);
                }
                Err(e) if on_librdkafka_thread => {
                    // No thread available: leaking the handle (and the state
                    // it still points to) is the only safe option left
                    // (destroying here would abort the process).
                    log::error!(target: "librdkafka", "could not start a thread to destroy a client ({e}); leaking it");
                    std::mem::forget(keepalive);
                }
                Err(e) => {
                    // Blocking beats leaking: destroy here after all.
                    log::warn!(target: "librdkafka", "could not start a thread to destroy a client ({e}); destroying it here");
                    NativeClient::destroy(ptr as *mut sys::rd_kafka_t, consumer, skip);
                    drop(keepalive);
                }
            }
        } else {
            NativeClient::destroy(ptr as *mut sys::rd_kafka_t, consumer, skip);
            drop(keepalive);
        }
    }
}

/// Corresponds to `rd_kafka_oauthbearer_set_token`.
///
/// # Safety
/// `rk` must be a valid client handle for the duration of the call.
pub(super) unsafe fn set_oauth_token(
    rk: *mut sys::rd_kafka_t,
    token: &str,
    lifetime_ms: i64,
    principal: &str,
    extensions: &[(String, String)],
) -> Result<(), KafkaError> {
    let t = c_string("OAuth token: the token", token)?;
    let p = c_string("OAuth token: the principal", principal)?;
    let mut ext: Vec<CString> = Vec::with_capacity(extensions.len() * 2);
    for (k, v) in extensions {
        ext.push(c_string("OAuth token: an extension key", k)?);
        ext.push(c_string("OAuth token: an extension value", v)?);
    }
    let mut ext_ptrs: Vec<*const libc::c_char> = ext.iter().map(|c| c.as_ptr()).collect();
    let mut buf = ErrBuf::new();
    let err = sys::rd_kafka_oauthbearer_set_token(
        rk,
        t.as_ptr(),
        lifetime_ms,
        p.as_ptr(),
        if ext_ptrs.is_empty() {
            std::ptr::null_mut()
        } else {
            ext_ptrs.as_mut_ptr()
        },
        ext_ptrs.len(),
        buf.as_mut_ptr(),
        buf.capacity(),
    );
    super::zeroize(t.into_bytes());
    if err == 0 {
        Ok(())
    } else {
        Err(KafkaError::new(ErrorCode(err), buf.message()))
    }
}

/// Corresponds to `rd_kafka_oauthbearer_set_token_failure`.
///
/// # Safety
/// `rk` must be a valid client handle for the duration of the call.
pub(super) unsafe fn set_oauth_token_failure(rk: *mut sys::rd_kafka_t, reason: &str) {
    let r = CString::new(reason.replace('\0', " ")).unwrap_or_default();
    sys::rd_kafka_oauthbearer_set_token_failure(rk, r.as_ptr());
}
