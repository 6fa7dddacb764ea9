//! `rd_kafka_conf_t`.

use super::callbacks::Hooks;
use super::owned::Owned;
use super::{sys, ErrBuf};
use std::any::{Any, TypeId};
use std::ffi::CString;
use std::os::raw::c_void;
use std::sync::Arc;

/// Which C callbacks [`NativeConf::install_hooks`] installs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HookSet {
    /// `throttle_cb`.
    pub throttle: bool,
    /// The OAUTHBEARER token refresh (served on librdkafka's background thread).
    pub oauth: bool,
    /// The consumer's deferring callbacks (rebalance, commit, error, stats, log).
    pub consumer: bool,
    /// A custom partitioner on the default topic configuration.
    pub partitioner: bool,
    /// The background-queue event callback (admin results).
    pub background: bool,
    /// Log lines go through the client's queue (a `logger` is configured:
    /// it runs inside serving calls); otherwise they are written at once
    /// from librdkafka's threads.
    pub queued_logs: bool,
    /// The broker certificate verification callback (librdkafka's broker
    /// threads).
    pub ssl_cert_verify: bool,
}

/// An owned `rd_kafka_conf_t`, destroyed on drop unless handed to
/// `rd_kafka_new` (which takes it over on success).
pub(crate) struct NativeConf {
    ptr: Owned<sys::rd_kafka_conf_t>,
    /// What [`NativeConf::install_hooks`] installed: the state the C
    /// callbacks' opaque points to (a strong reference, which the client
    /// keeps until `rd_kafka_destroy` has returned) and its type.
    pub(super) hooks: Option<Hooked>,
}

/// A configuration's hooks state, kept alive and typed.
pub(super) struct Hooked {
    pub(super) keepalive: Arc<dyn Any + Send + Sync>,
    pub(super) type_id: TypeId,
}

/// Why `rd_kafka_conf_set` refused a property.
pub(crate) enum ConfSetError {
    /// No such property.
    Unknown(String),
    /// The value is invalid; librdkafka's message (which may quote the value).
    Invalid(String),
    /// The key or value contains a NUL byte and cannot be passed to C.
    Nul,
}

// SAFETY: a conf object is plain data owned by this value; librdkafka has no
// thread affinity for it, and we never share it (no Sync).
unsafe impl Send for NativeConf {}

impl NativeConf {
    pub(crate) fn new() -> Self {
        // SAFETY: rd_kafka_conf_new has no preconditions and never returns null.
        let ptr = unsafe { sys::rd_kafka_conf_new() };
        NativeConf {
            // SAFETY: a new conf we own.
            ptr: unsafe { Owned::from_ptr(ptr) }.expect("rd_kafka_conf_new returned NULL"),
            hooks: None,
        }
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_conf_t {
        self.ptr.as_ptr()
    }

    /// Corresponds to `rd_kafka_conf_set`.
    pub(crate) fn set(&mut self, key: &str, value: &str) -> Result<(), ConfSetError> {
        let k = CString::new(key).map_err(|_| ConfSetError::Nul)?;
        let v = CString::new(value).map_err(|_| ConfSetError::Nul)?;
        let mut buf = ErrBuf::new();
        // SAFETY: valid conf, NUL-terminated strings, errstr buffer and size.
        let res = unsafe {
            sys::rd_kafka_conf_set(
                self.ptr.as_ptr(),
                k.as_ptr(),
                v.as_ptr(),
                buf.as_mut_ptr(),
                buf.capacity(),
            )
        };
        // The CString holding the value may be a secret: zero it.
        super::zeroize(v.into_bytes());
        match res {
            sys::RD_KAFKA_CONF_OK => Ok(()),
            sys::RD_KAFKA_CONF_UNKNOWN => Err(ConfSetError::Unknown(buf.message())),
            _ => Err(ConfSetError::Invalid(buf.message())),
        }
    }

    /// The value of a property as librdkafka reports it (defaults included),
    /// or `None` for an unknown property.
    ///
    /// Corresponds to `rd_kafka_conf_get`.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        // SAFETY: a valid conf, owned by `self`.
        unsafe { conf_get(self.ptr.as_ptr(), key) }
    }

    /// Routes errors and statistics — and, with `delivery_reports`,
    /// delivery reports, with `logs`, log lines — through the event API
    /// (the client's queue).
    ///
    /// Corresponds to `rd_kafka_conf_set_events`.
    pub(crate) fn set_events(&mut self, delivery_reports: bool, logs: bool) {
        let mut events = sys::RD_KAFKA_EVENT_ERROR | sys::RD_KAFKA_EVENT_STATS;
        if delivery_reports {
            events |= sys::RD_KAFKA_EVENT_DR;
        }
        if logs {
            events |= sys::RD_KAFKA_EVENT_LOG;
        }
        // SAFETY: valid conf.
        unsafe { sys::rd_kafka_conf_set_events(self.ptr.as_ptr(), events) }
    }

    /// Installs the C callbacks `set` names, all reaching `state` (the
    /// configuration opaque, and the partitioner's topic opaque): one call
    /// with one `H`, so no trampoline can read the opaque as another type.
    /// The configuration, then the client made from it, holds a strong
    /// reference to `state` until `rd_kafka_destroy` has returned, so the
    /// opaque never dangles. Once per configuration. Fails (saying why)
    /// only when a callback needs what this librdkafka was built without.
    pub(crate) fn install_hooks<H: Hooks>(&mut self, state: &Arc<H>, set: HookSet) -> Result<(), String> {
        assert!(self.hooks.is_none(), "install_hooks: hooks are already installed");
        self.hooks = Some(Hooked {
            keepalive: state.clone(),
            type_id: TypeId::of::<H>(),
        });
        let state = Arc::as_ptr(state);
        self.install_callbacks(state, set.throttle, set.oauth);
        if set.consumer {
            self.install_consumer_callbacks::<H>(set.queued_logs);
        }
        if !set.queued_logs {
            // SAFETY: valid conf; the trampoline matches the C signature
            // and reads the opaque installed above.
            unsafe {
                sys::rd_kafka_conf_set_log_cb(self.ptr.as_ptr(), Some(super::callbacks::log_trampoline::<H, false>))
            }
        }
        if set.partitioner {
            self.install_partitioner(state);
        }
        if set.background {
            self.install_background_event_cb::<H>();
        }
        if set.ssl_cert_verify {
            self.install_ssl_cert_verify::<H>()?;
        }
        Ok(())
    }

    /// Installs the broker certificate verification callback.
    ///
    /// Corresponds to `rd_kafka_conf_set_ssl_cert_verify_cb`.
    fn install_ssl_cert_verify<H: Hooks>(&mut self) -> Result<(), String> {
        // SAFETY: valid conf; the trampoline matches the C signature and
        // reads the configuration opaque installed by `install_callbacks`.
        let res = unsafe {
            sys::rd_kafka_conf_set_ssl_cert_verify_cb(
                self.ptr.as_ptr(),
                Some(super::callbacks::ssl_cert_verify_trampoline::<H>),
            )
        };
        if res == sys::RD_KAFKA_CONF_OK {
            Ok(())
        } else {
            Err(
                "ssl_cert_verify_cb needs librdkafka built with SSL (ferrokafka's `ssl` or `ssl-system` feature)"
                    .to_string(),
            )
        }
    }

    fn install_callbacks<H: Hooks>(&mut self, state: *const H, throttle: bool, oauth: bool) {
        // SAFETY: valid conf; trampolines match the C signatures; opaque
        // lifetime is the caller's guarantee above.
        unsafe {
            sys::rd_kafka_conf_set_opaque(self.ptr.as_ptr(), state as *mut c_void);
            if throttle {
                sys::rd_kafka_conf_set_throttle_cb(self.ptr.as_ptr(), Some(super::callbacks::throttle_trampoline::<H>));
            }
            if oauth {
                sys::rd_kafka_conf_set_oauthbearer_token_refresh_cb(
                    self.ptr.as_ptr(),
                    Some(super::callbacks::oauth_trampoline::<H>),
                );
                // Serve token refreshes on librdkafka's background thread, as
                // the Python client does, so no poll call is needed for them.
                sys::rd_kafka_conf_enable_sasl_queue(self.ptr.as_ptr(), 1);
            }
        }
    }

    /// Sends logs straight to the `log` crate from librdkafka's threads (for
    /// internal handles that nobody polls).
    pub(crate) fn install_direct_logger(&mut self) {
        // SAFETY: valid conf; the trampoline matches the C signature and
        // uses no opaque.
        unsafe { sys::rd_kafka_conf_set_log_cb(self.ptr.as_ptr(), Some(super::callbacks::direct_log_trampoline)) }
    }

    /// Installs the consumer's callbacks: rebalance, offset commit, error,
    /// statistics and logs (all deferred to the serving call, see
    /// [`super::callbacks`]).
    fn install_consumer_callbacks<H: Hooks>(&mut self, queued_logs: bool) {
        // SAFETY: valid conf; the trampolines match the C signatures.
        unsafe {
            let c = self.ptr.as_ptr();
            sys::rd_kafka_conf_set_rebalance_cb(c, Some(super::callbacks::rebalance_trampoline::<H>));
            sys::rd_kafka_conf_set_offset_commit_cb(c, Some(super::callbacks::offset_commit_trampoline::<H>));
            sys::rd_kafka_conf_set_error_cb(c, Some(super::callbacks::error_trampoline::<H>));
            sys::rd_kafka_conf_set_stats_cb(c, Some(super::callbacks::stats_trampoline::<H>));
            if queued_logs {
                sys::rd_kafka_conf_set_log_cb(c, Some(super::callbacks::log_trampoline::<H, true>));
            }
        }
    }

    /// Installs a custom partitioner on the default topic configuration.
    fn install_partitioner<H: Hooks>(&mut self, state: *const H) {
        // SAFETY: valid conf; the default topic conf is owned by the conf;
        // the opaque outlives the client (see install_callbacks).
        unsafe {
            let mut tconf = sys::rd_kafka_conf_get_default_topic_conf(self.ptr.as_ptr());
            if tconf.is_null() {
                tconf = sys::rd_kafka_topic_conf_new();
                sys::rd_kafka_conf_set_default_topic_conf(self.ptr.as_ptr(), tconf);
                tconf = sys::rd_kafka_conf_get_default_topic_conf(self.ptr.as_ptr());
            }
            sys::rd_kafka_topic_conf_set_opaque(tconf, state as *mut c_void);
            sys::rd_kafka_topic_conf_set_partitioner_cb(tconf, Some(super::callbacks::partitioner_trampoline::<H>));
        }
    }

    /// Gives up ownership (to `rd_kafka_new`, on success).
    pub(crate) fn into_raw(self) -> *mut sys::rd_kafka_conf_t {
        self.ptr.into_raw()
    }
}

/// The value of a property of `conf` as librdkafka reports it (defaults
/// included), or `None` for an unknown property.
///
/// # Safety
/// `conf` must be a valid configuration for the duration of the call.
pub(super) unsafe fn conf_get(conf: *const sys::rd_kafka_conf_t, key: &str) -> Option<String> {
    let k = CString::new(key).ok()?;
    let mut size: libc::size_t = 0;
    // SAFETY: valid conf (the caller's promise) and NUL-terminated key; a
    // null `dest` asks only for the size needed (the value's length plus
    // its NUL).
    let res = unsafe { sys::rd_kafka_conf_get(conf, k.as_ptr(), std::ptr::null_mut(), &mut size) };
    if res != sys::RD_KAFKA_CONF_OK {
        return None;
    }
    let mut buf = vec![0u8; size.max(1)];
    let mut size = buf.len();
    // SAFETY: `buf` holds `size` writable bytes; librdkafka writes at most
    // that many, NUL included.
    let res = unsafe { sys::rd_kafka_conf_get(conf, k.as_ptr(), buf.as_mut_ptr().cast(), &mut size) };
    if res != sys::RD_KAFKA_CONF_OK {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf.truncate(end);
    Some(String::from_utf8_lossy(&buf).into_owned())
}
