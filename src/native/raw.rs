//! Escape hatches to librdkafka's C handles, for applications that keep
//! some C code beside ferrokafka (issue 15): a client's `rd_kafka_t*`
//! handed out ([`RawClient`]), and a client created by C code from a
//! configuration ferrokafka prepared ([`RawConf`], [`RawNew`]) and then
//! adopted (`Producer::from_raw`, `Consumer::from_raw`,
//! `AdminClient::from_raw`). In the style of rusqlite's
//! `Connection::handle`/`from_handle` and git2's `raw`/`from_raw`: the
//! pointer types are rdkafka-sys's (re-exported here as [`rdkafka_sys`],
//! the exact version ferrokafka links), and what C code may do with them
//! is each function's `# Safety` contract.

use super::sys;
use std::any::Any;
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

/// The bindings ferrokafka links (rdkafka-sys, pinned exactly, and the
/// librdkafka 2.12.1 it builds): the types of the raw pointers, and the C
/// functions to call on them.
pub use rdkafka_sys;

/// A client's librdkafka handle, handed out to C code. It keeps the client's
/// handle alive (a clone of the client's internal reference): the pointer
/// stays valid while the `RawClient` lives, even if the client is closed or
/// dropped meanwhile (the C client is destroyed when the last reference
/// goes).
pub struct RawClient {
    ptr: NonNull<sys::rd_kafka_t>,
    _keep: Arc<dyn Any + Send + Sync>,
}

// SAFETY: the pointer is only handed out (through an unsafe function whose
// contract covers its use); librdkafka's `rd_kafka_t` functions are
// thread-safe apart from `rd_kafka_destroy`, which C code must not call.
unsafe impl Send for RawClient {}
// SAFETY: as above.
unsafe impl Sync for RawClient {}

impl RawClient {
    pub(crate) fn new(client: &super::NativeClient, keep: Arc<dyn Any + Send + Sync>) -> Self {
        RawClient {
            // SAFETY-free: the client's pointer is never null.
            ptr: NonNull::new(client.as_ptr()).expect("a client's handle is never null"),
            _keep: keep,
        }
    }

    /// The client's `rd_kafka_t*`, valid while this `RawClient` lives.
    ///
    /// # Safety
    ///
    /// ferrokafka owns the handle and serves its queues; C code given the
    /// pointer may call librdkafka's thread-safe functions that read state
    /// or send requests of their own — `rd_kafka_name`,
    /// `rd_kafka_metadata`, `rd_kafka_query_watermark_offsets`,
    /// `rd_kafka_offsets_for_times`, `rd_kafka_outq_len`,
    /// `rd_kafka_clusterid`, `rd_kafka_topic_new` with a NULL topic
    /// configuration (destroying each topic handle it creates before the
    /// client goes) and, on a producer that is still open,
    /// `rd_kafka_produce`/`rd_kafka_producev` with a NULL message opaque
    /// (`RD_KAFKA_V_OPAQUE(NULL)`, the default): their delivery reports then
    /// reach the configuration's `on_delivery` in ferrokafka's `poll`. It
    /// must not:
    ///
    /// - destroy the handle (`rd_kafka_destroy`), close a consumer
    ///   (`rd_kafka_consumer_close`), or use the pointer after this
    ///   `RawClient` is dropped;
    /// - produce with a non-NULL message opaque (ferrokafka reads the
    ///   opaque of every delivery report as its own per-message state), or
    ///   after the Rust client is closed or dropped (nothing serves the
    ///   reports any more: the queue fills up);
    /// - create a topic handle with a topic configuration of its own
    ///   (`rd_kafka_topic_new` with a non-NULL `conf`): librdkafka keeps the
    ///   first configuration a topic is created with for every later
    ///   handle of that name, so ferrokafka's partitioner would read C's
    ///   topic opaque as its own state, or lose the topic settings of the
    ///   `Config`;
    /// - poll or consume from the client's queues (`rd_kafka_poll`,
    ///   `rd_kafka_consumer_poll`, `rd_kafka_consume_batch_queue`,
    ///   `rd_kafka_queue_poll` on `rd_kafka_queue_get_main`/`_consumer`/
    ///   `_background`, `rd_kafka_flush`), forward or redirect them
    ///   (`rd_kafka_queue_forward`, `rd_kafka_set_log_queue`,
    ///   `rd_kafka_queue_cb_event_enable`), or name them as the reply queue
    ///   of a request of its own (an admin request answered on the
    ///   background queue completes ferrokafka's request with the same
    ///   opaque): ferrokafka serves those queues, and an event taken or
    ///   added by C code is lost to, or misread by, the Rust callbacks;
    /// - change the consumer's assignment, subscription or positions
    ///   behind the `Consumer`'s back (`rd_kafka_assign`, `rd_kafka_seek`,
    ///   `rd_kafka_subscribe`, `rd_kafka_pause_partitions`...): its
    ///   read-ahead buffer would then hand out messages C code has seeked
    ///   past;
    /// - call the transactional API (`rd_kafka_*_transaction`) on a
    ///   `Producer` that uses it;
    /// - set SASL credentials (`rd_kafka_sasl_set_credentials`): the
    ///   client's own `set_sasl_credentials` also scrubs the new password
    ///   from its logs and errors.
    ///
    /// Corresponds to the `rd_kafka_t*` that `rd_kafka_new` returned.
    pub unsafe fn as_ptr(&self) -> *mut rdkafka_sys::bindings::rd_kafka_t {
        self.ptr.as_ptr().cast()
    }
}

impl fmt::Debug for RawClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawClient").field("ptr", &self.ptr).finish()
    }
}

/// A librdkafka configuration that ferrokafka prepared (every property of
/// the `Config`, and the C callbacks that route events to ferrokafka), for
/// C code to create the client from with `rd_kafka_new`, inside the
/// adopting constructor's closure; see `Producer::from_raw`. Dropped
/// unused, it is destroyed.
pub struct RawConf {
    pub(super) conf: super::NativeConf,
    pub(super) consumer: bool,
    pub(super) handover: Arc<std::sync::Mutex<Handover>>,
}

/// Whether a [`RawConf`] was handed to C code, and whether the adopting
/// constructor has returned (after which it is not handed out any more).
#[derive(Default)]
pub(crate) struct Handover {
    handed_out: bool,
    closed: bool,
}

impl Handover {
    /// Marks the constructor's end; whether the configuration was handed out.
    pub(crate) fn close(this: &std::sync::Mutex<Handover>) -> bool {
        let mut h = this.lock().unwrap_or_else(|e| e.into_inner());
        h.closed = true;
        h.handed_out
    }
}

impl RawConf {
    /// Hands the configuration over: C code passes it to `rd_kafka_new`
    /// with the type [`client_type`](Self::client_type) names, which takes
    /// it over on success; on failure the C code still owns it and must
    /// `rd_kafka_conf_destroy` it. NULL once the adopting constructor has
    /// returned (a `RawConf` kept past it is useless: the configuration is
    /// destroyed).
    ///
    /// The handle made from it must be returned to the constructor (through
    /// [`RawNew::from_ptr`]) or destroyed before the closure returns; a
    /// handle the constructor does not adopt makes it keep the
    /// configuration's callback state for the process's life, since the
    /// handle may still call back into it.
    ///
    /// Before `rd_kafka_new`, C code may set properties of its own on it
    /// with `rd_kafka_conf_set`, except those ferrokafka sets itself
    /// (`log.queue`, `enable.auto.offset.store`,
    /// `delivery.report.only.error`, `security.protocol`, `sasl.mechanism(s)`:
    /// changing one makes the constructor destroy the handle and fail); it
    /// must not replace its callbacks, opaque, event mask or default topic
    /// configuration (`rd_kafka_conf_set_*_cb`, `rd_kafka_conf_set_opaque`,
    /// `rd_kafka_conf_set_events` or the `enabled_events` property,
    /// `rd_kafka_conf_set_default_topic_conf`),
    /// which carry events to ferrokafka — the adopting constructor's safety
    /// contract ([`RawNew::from_ptr`]) says so.
    ///
    /// Corresponds to the `rd_kafka_conf_t*` that `rd_kafka_new` takes.
    pub fn into_ptr(self) -> *mut rdkafka_sys::bindings::rd_kafka_conf_t {
        let mut h = self.handover.lock().unwrap_or_else(|e| e.into_inner());
        if h.closed {
            return std::ptr::null_mut(); // `self.conf` is destroyed
        }
        h.handed_out = true;
        drop(h);
        self.conf.into_raw().cast()
    }

    /// Whether the client to create is a consumer (`RD_KAFKA_CONSUMER`);
    /// otherwise a producer (`RD_KAFKA_PRODUCER`, also for an admin client).
    pub fn is_consumer(&self) -> bool {
        self.consumer
    }

    /// The `rd_kafka_type_t` to pass to `rd_kafka_new`.
    pub fn client_type(&self) -> rdkafka_sys::bindings::rd_kafka_type_t {
        if self.consumer {
            rdkafka_sys::bindings::rd_kafka_type_t::RD_KAFKA_CONSUMER
        } else {
            rdkafka_sys::bindings::rd_kafka_type_t::RD_KAFKA_PRODUCER
        }
    }
}

impl fmt::Debug for RawConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawConf")
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

/// Hooks states that a client C code made from a handed-out configuration
/// may still call back into, when the adopting constructor adopted no
/// handle: kept reachable for the process's life rather than freed under it.
pub(super) fn keep_forever(state: Arc<dyn Any + Send + Sync>) {
    static KEPT: std::sync::Mutex<Vec<Arc<dyn Any + Send + Sync>>> = std::sync::Mutex::new(Vec::new());
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).push(state);
}

/// What an adopting constructor runs to have C code create the client.
pub(crate) type RawCreate<'a> = Box<dyn FnOnce(RawConf) -> Result<RawNew, String> + 'a>;

/// A client handle that C code created from a [`RawConf`], to be adopted
/// by ferrokafka.
#[derive(Debug)]
pub struct RawNew {
    pub(super) ptr: NonNull<sys::rd_kafka_t>,
}

impl RawNew {
    /// Wraps the `rd_kafka_t*` that `rd_kafka_new` returned for the
    /// [`RawConf`] the adopting constructor handed out; `None` for NULL.
    ///
    /// # Safety
    ///
    /// `rk` must come from `rd_kafka_new` called with that `RawConf`'s
    /// pointer (after [`RawConf::into_ptr`]), inside the constructor's
    /// closure, with the configuration changed only as `into_ptr` allows
    /// (no callbacks, opaque, event mask or default topic configuration of
    /// C's own), and must not have been used since — no poll, produce,
    /// subscribe or destroy — nor be used by C code afterwards except
    /// through a [`RawClient`]. Ownership passes to ferrokafka, which
    /// destroys it. The constructor checks what it can: a handle whose
    /// opaque is not that configuration's is refused and left to the caller
    /// (not destroyed); one of the wrong type, or whose guarded settings
    /// (see [`RawConf::into_ptr`]) were changed, is destroyed and refused.
    pub unsafe fn from_ptr(rk: *mut rdkafka_sys::bindings::rd_kafka_t) -> Option<RawNew> {
        NonNull::new(rk.cast()).map(|ptr| RawNew { ptr })
    }
}
