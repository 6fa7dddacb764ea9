//! What every client is built from: a native handle with its queue and
//! callback state ([`Handle`]), and the open/closed cell around it
//! ([`ClientCore`]).

use crate::config::{build_native, ClientKind, Config, Redactor};
use crate::dispatch::CallbackState;
use crate::error::{ErrorCode, KafkaError, Result};
use crate::native::raw::{RawClient, RawCreate};
use crate::native::{HandleType, HookSet, NativeClient, NativeEvent, NativeQueue};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, RwLock};

/// A live librdkafka client and what must die with it. Fields drop in
/// order: events and topic handles before the queue, the queue before the
/// client (`rd_kafka_destroy` waits for outstanding references otherwise),
/// and the callback state only after the client is destroyed (the client
/// keeps its own reference until `rd_kafka_destroy` returns).
///
/// `X` is what one kind of client keeps with its handle and must die before
/// the C client does: the producer's topic handles (`rd_kafka_topic_t`,
/// which `rd_kafka_destroy` must not outlive); `()` for the others.
pub(crate) struct Handle<X = ()> {
    /// The client kind's own state (dropped first).
    pub(crate) ext: X,
    /// Events whose serving a panic interrupted; served first next time.
    pub(crate) pending: Mutex<VecDeque<NativeEvent>>,
    /// The queue this client's events are served from.
    pub(crate) queue: NativeQueue,
    pub(crate) client: NativeClient,
    pub(crate) state: Arc<CallbackState>,
    /// Whether librdkafka wakes async tasks when `queue` gets events.
    pub(crate) wakeups: std::sync::atomic::AtomicBool,
    /// Held by the async task serving `queue` (others wait for their channel).
    pub(crate) async_serving: std::sync::atomic::AtomicBool,
    /// Set when the client is closed or dropped (the handle taken out of
    /// its [`ClientCore`]): work that holds the handle itself, such as an
    /// async send waiting for room in the queue, must not start anything
    /// new on it.
    pub(crate) retired: std::sync::atomic::AtomicBool,
}

impl<X> Handle<X> {
    /// A handle serving `queue` of `client`, with the client kind's `ext`.
    pub(crate) fn new(client: NativeClient, queue: NativeQueue, state: Arc<CallbackState>, ext: X) -> Self {
        Handle {
            ext,
            pending: Default::default(),
            queue,
            client,
            state,
            wakeups: Default::default(),
            async_serving: Default::default(),
            retired: Default::default(),
        }
    }

    /// The client's name (`rd_kafka_name`).
    pub(crate) fn name(&self) -> &str {
        self.state.client_name.get().map(String::as_str).unwrap_or("")
    }

    /// Takes the next event a panic left half-served, if any.
    pub(crate) fn take_pending(&self) -> Option<NativeEvent> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }

    /// Turns on async wake-ups for `queue` (once).
    pub(crate) fn enable_wakeups(&self) {
        use std::sync::atomic::Ordering;
        if !self.wakeups.load(Ordering::Acquire) && !self.wakeups.swap(true, Ordering::AcqRel) {
            self.client.enable_wakeups::<CallbackState>(&self.queue);
        }
    }

    /// Runs `f` unless another async task is already serving the queue.
    pub(crate) fn try_serve_async<R>(&self, f: impl FnOnce() -> R) -> Option<R> {
        use std::sync::atomic::Ordering;
        if self.async_serving.swap(true, Ordering::AcqRel) {
            return None;
        }
        struct Release<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        let _release = Release(&self.async_serving);
        Some(f())
    }

    /// Keeps a half-served event for the next serving call. (With nested
    /// serving calls, the outer event is put back last and so comes first,
    /// which is queue order.)
    pub(crate) fn put_pending(&self, ev: NativeEvent) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).push_front(ev);
    }
}

/// Creates the librdkafka client for `config`: validates every property,
/// installs the event mask and C callbacks, and routes logs to the queue.
pub(crate) fn create_native(
    config: &Config,
    kind: ClientKind,
    raw: Option<RawCreate<'_>>,
) -> Result<(NativeClient, Arc<CallbackState>)> {
    let redactor = Redactor::new(config.secrets());
    let (mut conf, emulated) = build_native(config, &redactor)?;
    // The producer and admin client take their events through the event API;
    // the consumer through deferring C callbacks, which its fast batch path
    // (`rd_kafka_consume_batch_queue`) requires (see native/callbacks.rs).
    // Log lines take the queue only for a configured `logger` (which runs
    // inside serving calls); otherwise they go to the `log` crate from
    // librdkafka's threads and never wake or end a `poll`.
    let queued_logs = config.callbacks.logger.is_some();
    match kind {
        ClientKind::Producer => conf.set_events(true, queued_logs),
        ClientKind::Admin => conf.set_events(false, queued_logs),
        ClientKind::Consumer => {}
    }
    // What librdkafka will use, aliases and defaults resolved.
    let oauthbearer = uses_oauthbearer(&conf);
    let cbs = config.callbacks.clone();
    let has_throttle = cbs.throttle_cb.is_some();
    let has_oauth = cbs.oauth_cb.is_some();
    let has_partitioner = cbs.partitioner.is_some() && kind == ClientKind::Producer;
    let has_ssl_cert_verify = cbs.ssl_cert_verify_cb.is_some();
    let state = Arc::new(CallbackState::new(cbs, redactor, emulated));
    // Admin results complete their futures on librdkafka's background
    // thread (native/admin/), so no polling is needed for them.
    conf.install_hooks(
        &state,
        HookSet {
            throttle: has_throttle,
            oauth: has_oauth,
            consumer: kind == ClientKind::Consumer,
            partitioner: has_partitioner,
            background: kind == ClientKind::Admin,
            queued_logs,
            ssl_cert_verify: has_ssl_cert_verify,
        },
    )
    .map_err(|msg| KafkaError::invalid_arg(format!("Failed to create {}: {msg}", kind.name())))?;
    let handle_type = match kind {
        ClientKind::Consumer => HandleType::Consumer,
        ClientKind::Producer | ClientKind::Admin => HandleType::Producer,
    };
    let created = match raw {
        None => NativeClient::new(handle_type, conf),
        Some(create) => NativeClient::new_raw(handle_type, conf, create),
    };
    let client = match created {
        Ok(c) => c,
        Err((msg, _keepalive)) => {
            let msg = state.redactor.redact(&msg);
            return Err(KafkaError::invalid_arg(format!(
                "Failed to create {}: {msg}",
                kind.name()
            )));
        }
    };
    let _ = state.client_name.set(client.name());
    if queued_logs {
        client.set_log_queue_main()?;
    }
    // An `oauth_cb` without SASL/OAUTHBEARER is never called (librdkafka
    // would refuse to serve it in the background).
    if has_oauth && oauthbearer {
        client.enable_sasl_background_callbacks()?;
        wait_first_oauth_token(&state, &client)?;
    }
    Ok((client, state))
}

/// librdkafka asks the `oauth_cb` for a token at start-up only when SASL
/// OAUTHBEARER is in use: read from the final configuration (so aliases
/// such as `sasl.mechanisms`/`sasl.mechanism`, whichever was set last, and
/// defaults are librdkafka's).
fn uses_oauthbearer(conf: &crate::native::NativeConf) -> bool {
    let sasl = conf
        .get("security.protocol")
        .is_some_and(|p| p.trim().to_ascii_lowercase().starts_with("sasl"));
    let oauth = conf
        .get("sasl.mechanisms")
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("OAUTHBEARER"));
    sasl && oauth
}

/// How long a constructor waits for the first token (the Python client's
/// 10 seconds).
const FIRST_TOKEN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Waits for the `oauth_cb`'s first token, as the Python client's
/// constructors do: its failure, or its panic, is the constructor's. (On
/// an error, the caller drops the client: it is destroyed.)
fn wait_first_oauth_token(state: &CallbackState, client: &NativeClient) -> Result<()> {
    let outcome = state.wait_first_oauth_token(FIRST_TOKEN_WAIT);
    if let Some(p) = state.take_panic() {
        std::panic::resume_unwind(p);
    }
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(reason)) => Err(KafkaError::new(
            ErrorCode::SASL_AUTHENTICATION_FAILED,
            format!(
                "oauth_cb could not supply the first token: {}",
                state.redactor.redact(&reason)
            ),
        )),
        None => {
            // The callback may still be running on librdkafka's background
            // thread, which `rd_kafka_destroy` joins: the constructor does
            // not wait for it (the client is destroyed on a helper thread).
            client.destroy_in_background();
            Err(KafkaError::new(
                ErrorCode::SASL_AUTHENTICATION_FAILED,
                "OAuth token not set within 10 seconds timeout",
            ))
        }
    }
}

/// The open/closed cell every public client wraps.
///
/// Every method takes a new reference to the open handle
/// ([`ClientCore::get`]) under a lock held only for the `Arc` clone — never
/// across a C call or a user callback — so that any method (`close`
/// included) may be called from a callback served by another method, and
/// from another thread meanwhile, without waiting on a lock. (`Consumer::poll`
/// served from its read-ahead clones the handle the read-ahead keeps
/// instead, under the read-ahead's own lock.) `close` takes the handle
/// out; the C client is destroyed when the last reference goes.
///
/// Inside the callbacks that librdkafka runs in the middle of its own work
/// — a custom partitioner (inside `produce`, with librdkafka's topic lock
/// held) and the OAuth token refresh (on librdkafka's background thread) —
/// calling back into librdkafka deadlocks or aborts (librdkafka's lock and
/// thread assertions); there `get` fails with a `_STATE` error saying so.
pub(crate) struct ClientCore<X = ()> {
    handle: RwLock<Option<Arc<Handle<X>>>>,
    /// Set (once) when `handle` is taken: read without the lock.
    closed: std::sync::atomic::AtomicBool,
    kind: ClientKind,
}

/// The error of a client method called from inside a partitioner, OAuth
/// or certificate verification callback.
pub(crate) fn inside_callback_error(kind: &str) -> KafkaError {
    KafkaError::new(
        crate::error::ErrorCode::STATE,
        format!(
            "{kind} methods cannot be called from inside a partitioner or OAuth token refresh callback, \
             nor a certificate verification callback (librdkafka runs them in the middle of its own \
             work); call them from elsewhere"
        ),
    )
}

impl<X> ClientCore<X> {
    pub(crate) fn new(handle: Handle<X>, kind: ClientKind) -> Self {
        ClientCore {
            handle: RwLock::new(Some(Arc::new(handle))),
            closed: Default::default(),
            kind,
        }
    }

    /// A new reference to the open handle; the "closed" error once closed,
    /// and the `_STATE` error of [`inside_callback_error`] inside a
    /// partitioner, OAuth or certificate verification callback. The lock is
    /// held only for the clone.
    #[inline]
    pub(crate) fn get(&self) -> Result<Arc<Handle<X>>> {
        if crate::native::callbacks::on_librdkafka_thread() {
            return Err(inside_callback_error(self.kind.name()));
        }
        let h = self.handle.read().unwrap_or_else(|e| e.into_inner()).clone();
        h.ok_or_else(|| KafkaError::closed(self.kind.name()))
    }

    /// [`Self::get`] without building its error: `None` when closed or
    /// called on a librdkafka thread (call `get` for the error then).
    #[inline]
    pub(crate) fn get_open(&self) -> Option<Arc<Handle<X>>> {
        if crate::native::callbacks::on_librdkafka_thread() {
            return None;
        }
        self.handle.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The client's C handle for C code ([`RawClient`]), keeping the
    /// handle alive; the closed error (`_DESTROY`) once closed.
    pub(crate) fn raw_client(&self) -> Result<RawClient>
    where
        X: Send + Sync + 'static,
    {
        let h = self.get()?;
        let client = RawClient::new(&h.client, h.clone());
        Ok(client)
    }

    /// The same as [`ClientCore::get`] (kept for the serving calls' code,
    /// which used to differ).
    #[inline]
    pub(crate) fn arc(&self) -> Result<Arc<Handle<X>>> {
        self.get()
    }

    /// The open handle for `close`: `None` once closed (closing again is a
    /// no-op), the inside-a-callback error inside a partitioner or OAuth
    /// callback.
    pub(crate) fn for_close(&self) -> Result<Option<Arc<Handle<X>>>> {
        if crate::native::callbacks::on_librdkafka_thread() {
            return Err(inside_callback_error(self.kind.name()));
        }
        match self.get() {
            Ok(h) => Ok(Some(h)),
            Err(_) if self.is_closed() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The "closed" error of this client.
    pub(crate) fn closed_error(&self) -> KafkaError {
        KafkaError::closed(self.kind.name())
    }

    /// The open handle without the inside-a-callback check: for `Debug`
    /// and the like, which only read Rust-side state.
    pub(crate) fn peek(&self) -> Option<Arc<Handle<X>>> {
        self.handle.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Marks the client closed, returning the handle (once).
    pub(crate) fn take(&self) -> Option<Arc<Handle<X>>> {
        let mut g = self.handle.write().unwrap_or_else(|e| e.into_inner());
        self.closed.store(true, std::sync::atomic::Ordering::Release);
        if let Some(h) = &*g {
            h.retired.store(true, std::sync::atomic::Ordering::Release);
        }
        g.take()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Moves the open handle (if any) into a new core, leaving this one
    /// closed: lets a client's `Drop` finish on another thread.
    pub(crate) fn take_core(&self) -> ClientCore<X> {
        let handle = self.take();
        let closed = std::sync::atomic::AtomicBool::new(handle.is_none());
        ClientCore {
            handle: RwLock::new(handle),
            closed,
            kind: self.kind,
        }
    }
}

/// Runs `finish` on a helper thread when called inside a librdkafka
/// callback (the partitioner, the OAuth refresh, a queue wake-up), where
/// librdkafka holds locks and runs on threads that a client's drop — purge,
/// serving reports, leaving the group, `rd_kafka_destroy` — needs: done in
/// place, that aborts (librdkafka's lock and thread assertions) or
/// deadlocks. Returns false (and does nothing) elsewhere.
pub(crate) fn drop_elsewhere_if_inside_librdkafka<T: Send + 'static>(
    what: &'static str,
    value: impl FnOnce() -> T,
) -> bool {
    if !crate::native::callbacks::on_librdkafka_thread() {
        return false;
    }
    let slot = std::sync::Arc::new(Mutex::new(Some(value())));
    let theirs = slot.clone();
    let spawned = std::thread::Builder::new()
        .name("ferrokafka-drop".into())
        .spawn(move || drop(theirs.lock().unwrap_or_else(|e| e.into_inner()).take()));
    if spawned.is_err() {
        // No thread: leaking is the only safe option left.
        log::error!(target: "librdkafka", "could not start a thread to drop a {what} inside a callback; leaking it");
        std::mem::forget(slot.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
    true
}

/// The methods every client has, on top of its `core: ClientCore` field.
macro_rules! common_client_methods {
    ($what:literal) => {
        /// Cluster metadata: brokers, and all topics or just `topic`.
        ///
        /// Corresponds to `rd_kafka_metadata`.
        #[doc(alias = "rd_kafka_metadata")]
        pub fn list_topics(
            &self,
            topic: Option<&str>,
            timeout: impl Into<$crate::Timeout>,
        ) -> $crate::Result<$crate::ClusterMetadata> {
            let h = self.core.get()?;
            $crate::client::list_topics(&h, topic, timeout.into())
        }

        /// The cluster id, or `None` if not known within `timeout`.
        ///
        /// Corresponds to `rd_kafka_clusterid`.
        #[doc(alias = "rd_kafka_clusterid")]
        pub fn cluster_id(&self, timeout: impl Into<$crate::Timeout>) -> $crate::Result<Option<String>> {
            Ok(self.core.get()?.client.cluster_id(timeout.into().as_millis_i32()))
        }

        /// Replaces the SASL PLAIN/SCRAM credentials used for new connections
        /// (existing connections keep theirs). The password is scrubbed from
        /// logs and errors from then on, like `sasl.password`.
        ///
        /// Corresponds to `rd_kafka_sasl_set_credentials`.
        #[doc(alias = "rd_kafka_sasl_set_credentials")]
        pub fn set_sasl_credentials(&self, username: &str, password: &str) -> $crate::Result<()> {
            let h = self.core.get()?;
            h.state.redactor.add(password);
            h.client.set_sasl_credentials(username, password)
        }

        #[doc = concat!("The client's name, e.g. `rdkafka#", $what, "-1`.")]
        ///
        /// Corresponds to `rd_kafka_name`.
        #[doc(alias = "rd_kafka_name")]
        pub fn name(&self) -> $crate::Result<String> {
            // Rust-side state only: also fine inside a partitioner.
            match self.core.peek() {
                Some(h) => Ok(h.name().to_string()),
                None => Err(self.core.closed_error()),
            }
        }

        /// True after `close`.
        pub fn is_closed(&self) -> bool {
            self.core.is_closed()
        }
    };
}
pub(crate) use common_client_methods;

/// `list_topics` for any client: metadata for all topics or one, with the
/// cluster and controller ids the client already knows.
pub(crate) fn list_topics<X>(
    h: &Handle<X>,
    topic: Option<&str>,
    timeout: crate::Timeout,
) -> crate::Result<crate::metadata::ClusterMetadata> {
    let ms = timeout.as_millis_i32();
    let mut md = match topic {
        None => h.client.metadata(None, ms)?,
        Some(name) => {
            if name.is_empty() || name.contains('\0') {
                return Err(KafkaError::invalid_arg(format!("invalid topic name {name:?}")));
            }
            let t = h.client.topic(name)?;
            h.client.metadata(Some(&t), ms)?
        }
    };
    md.cluster_id = h.client.cluster_id(0);
    md.controller_id = h.client.controller_id(0);
    Ok(md)
}
