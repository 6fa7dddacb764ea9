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
    /// `rd_kafka_clusterid`, `rd_kafka_topic_new` (destroying each topic
    /// handle it creates before the client goes) and, on a producer,
    /// `rd_kafka_produce`/`rd_kafka_producev` with a NULL message opaque
    /// (`RD_KAFKA_V_OPAQUE(NULL)`, the default): their delivery reports then
    /// reach the configuration's `on_delivery` in ferrokafka's `poll`. It
    /// must not:
    ///
    /// - destroy the handle (`rd_kafka_destroy`), close a consumer
    ///   (`rd_kafka_consumer_close`), or use the pointer after this
    ///   `RawClient` is dropped;
    /// - produce with a non-NULL message opaque (ferrokafka reads the
    ///   opaque of every delivery report as its own per-message state);
    /// - poll or consume from the client's queues (`rd_kafka_poll`,
    ///   `rd_kafka_consumer_poll`, `rd_kafka_consume_batch_queue`,
    ///   `rd_kafka_queue_poll` on `rd_kafka_queue_get_main`/`_consumer`/
    ///   `_background`, `rd_kafka_flush`): ferrokafka serves those queues,
    ///   and an event taken by C code is lost to the Rust callbacks;
    /// - change the consumer's assignment, subscription or positions
    ///   behind the `Consumer`'s back (`rd_kafka_assign`, `rd_kafka_seek`,
    ///   `rd_kafka_subscribe`, `rd_kafka_pause_partitions`...): its
    ///   read-ahead buffer would then hand out messages C code has seeked
    ///   past;
    /// - call the transactional API (`rd_kafka_*_transaction`) on a
    ///   `Producer` that uses it.
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
/// C code to create the client from with `rd_kafka_new`; see
/// `Producer::from_raw`. Dropped unused, it is destroyed.
pub struct RawConf {
    pub(super) conf: super::NativeConf,
    pub(super) consumer: bool,
}

impl RawConf {
    /// Hands the configuration over: C code passes it to `rd_kafka_new`
    /// with the type [`is_consumer`](Self::is_consumer) names, which takes
    /// it over on success; on failure the C code still owns it and must
    /// `rd_kafka_conf_destroy` it.
    ///
    /// Before `rd_kafka_new`, C code may set properties of its own on it
    /// with `rd_kafka_conf_set`; it must not replace its callbacks, opaque,
    /// event mask or default topic configuration (`rd_kafka_conf_set_*_cb`,
    /// `rd_kafka_conf_set_opaque`, `rd_kafka_conf_set_events`,
    /// `rd_kafka_conf_set_default_topic_conf`), which carry events to
    /// ferrokafka — the adopting constructor's `# Safety` section says why.
    ///
    /// Corresponds to the `rd_kafka_conf_t*` that `rd_kafka_new` takes.
    pub fn into_ptr(self) -> *mut rdkafka_sys::bindings::rd_kafka_conf_t {
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

/// Hooks states that a handle refused by an adopting constructor may still
/// call back into (it was made from their configuration, with the wrong
/// type): kept reachable for the process's life rather than freed under it.
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
    /// pointer (after [`RawConf::into_ptr`]) and must not have been used
    /// since — no poll, produce, subscribe or destroy — nor be used by C code
    /// afterwards except through a [`RawClient`]. Ownership passes to
    /// ferrokafka, which destroys it. The constructor checks what it can
    /// (the handle's opaque is that configuration's and its type is the
    /// one asked for) and refuses a handle that fails the check without
    /// destroying it: one not made from the configuration stays the
    /// caller's; one made from it with the wrong type may still be
    /// destroyed by the caller (its callback state is kept for the
    /// process's life).
    pub unsafe fn from_ptr(rk: *mut rdkafka_sys::bindings::rd_kafka_t) -> Option<RawNew> {
        NonNull::new(rk.cast()).map(|ptr| RawNew { ptr })
    }
}
