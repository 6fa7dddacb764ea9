//! `rd_kafka_event_t` and the messages it lends out.

use super::owned::Owned;
use super::{sys, HeadersView, NativeTpl};
use crate::error::{ErrorCode, KafkaError};
use std::marker::PhantomData;
use std::os::raw::{c_char, c_int};
use std::ptr::NonNull;

/// An owned event (`rd_kafka_event_t`).
/// The kinds of event the clients serve themselves (see
/// [`NativeEvent::served_as`]); the rest are answered inside native/.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A batch of delivery reports (`RD_KAFKA_EVENT_DR`).
    DeliveryReport,
    /// A log line (`RD_KAFKA_EVENT_LOG`).
    Log,
    /// An error (`RD_KAFKA_EVENT_ERROR`).
    Error,
    /// Statistics JSON (`RD_KAFKA_EVENT_STATS`).
    Stats,
    /// Any other kind, by its C value (for logging).
    Other(i32),
}

pub(crate) struct NativeEvent {
    ptr: Owned<sys::rd_kafka_event_t>,
}

// SAFETY: an event is owned data; librdkafka allows destroying it and
// reading it from any thread, one thread at a time (no Sync).
unsafe impl Send for NativeEvent {}

/// A log line carried by a LOG event.
pub(crate) struct LogLine<'a> {
    pub level: i32,
    pub facility: &'a str,
    pub message: &'a str,
}

impl NativeEvent {
    /// # Safety
    /// `p` must be null or an event the caller owns.
    pub(crate) unsafe fn from_ptr(p: *mut sys::rd_kafka_event_t) -> Option<Self> {
        Owned::from_ptr(p).map(|ptr| NativeEvent { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rd_kafka_event_t {
        self.ptr.as_ptr()
    }

    /// Corresponds to `rd_kafka_event_type`.
    pub(crate) fn kind(&self) -> i32 {
        // SAFETY: valid event.
        unsafe { sys::rd_kafka_event_type(self.ptr.as_ptr()) }
    }

    /// What the layers above serve this event as (`sys` stays in native/).
    pub(crate) fn served_as(&self) -> EventKind {
        match self.kind() {
            sys::RD_KAFKA_EVENT_DR => EventKind::DeliveryReport,
            sys::RD_KAFKA_EVENT_LOG => EventKind::Log,
            sys::RD_KAFKA_EVENT_ERROR => EventKind::Error,
            sys::RD_KAFKA_EVENT_STATS => EventKind::Stats,
            other => EventKind::Other(other),
        }
    }

    /// Corresponds to `rd_kafka_event_name`.
    pub(crate) fn name(&self) -> &str {
        // SAFETY: valid event; the name is a static string.
        unsafe { super::cstr_static(sys::rd_kafka_event_name(self.ptr.as_ptr())) }
    }

    /// Corresponds to `rd_kafka_event_message_next`: the next message of a
    /// DR or FETCH event, borrowed from the event.
    pub(crate) fn next_message(&mut self) -> Option<MessageView<'_>> {
        // SAFETY: valid event; the message lives as long as the event and we
        // tie the view's lifetime to `&mut self`.
        let p = unsafe { sys::rd_kafka_event_message_next(self.ptr.as_ptr()) };
        // SAFETY: p is null or a message owned by the event.
        unsafe { MessageView::from_ptr(p) }
    }

    /// Corresponds to `rd_kafka_event_error`, `…_error_string`, `…_error_is_fatal`.
    pub(crate) fn error(&self) -> Option<KafkaError> {
        // SAFETY: valid event.
        unsafe {
            let code = sys::rd_kafka_event_error(self.ptr.as_ptr());
            if code == 0 {
                return None;
            }
            let msg = super::cstr_owned(sys::rd_kafka_event_error_string(self.ptr.as_ptr()));
            // `rd_kafka_event_error_is_fatal` reads the ERROR event's union
            // member whatever the event's type; librdkafka allocates only
            // the member an event uses, so on any other event (e.g. an
            // OFFSET_COMMIT result) that read goes past the allocation.
            let fatal =
                self.kind() == sys::RD_KAFKA_EVENT_ERROR && sys::rd_kafka_event_error_is_fatal(self.ptr.as_ptr()) != 0;
            Some(KafkaError::new(ErrorCode(code), msg).with_fatal(fatal))
        }
    }

    /// The raw error code of the event (0 for none).
    pub(crate) fn error_code(&self) -> ErrorCode {
        // SAFETY: valid event.
        ErrorCode(unsafe { sys::rd_kafka_event_error(self.ptr.as_ptr()) })
    }

    /// Corresponds to `rd_kafka_event_log`.
    pub(crate) fn log(&self) -> Option<LogLine<'_>> {
        let mut fac: *const c_char = std::ptr::null();
        let mut msg: *const c_char = std::ptr::null();
        let mut level: c_int = 0;
        // SAFETY: valid event and out-pointers; strings live with the event.
        unsafe {
            if sys::rd_kafka_event_log(self.ptr.as_ptr(), &mut fac, &mut msg, &mut level) != 0 {
                return None;
            }
            Some(LogLine {
                level,
                facility: std::str::from_utf8(super::cstr_bytes(fac)).unwrap_or("?"),
                message: lossy_str(super::cstr_bytes(msg)),
            })
        }
    }

    /// Corresponds to `rd_kafka_event_stats`: the statistics JSON.
    pub(crate) fn stats(&self) -> &str {
        // SAFETY: valid event; the string lives with the event.
        unsafe { lossy_str(super::cstr_bytes(sys::rd_kafka_event_stats(self.ptr.as_ptr()))) }
    }

    /// Corresponds to `rd_kafka_event_topic_partition_list` (copied out).
    pub(crate) fn partitions(&self) -> Vec<crate::TopicPartition> {
        // SAFETY: valid event; the list is owned by the event and only read.
        unsafe {
            let p = sys::rd_kafka_event_topic_partition_list(self.ptr.as_ptr());
            NativeTpl::read_list(p)
        }
    }
}

/// Broker- or client-written text: never trusted to be UTF-8.
fn lossy_str(b: &[u8]) -> &str {
    match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => {
            // Keep the valid prefix rather than allocating.
            std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or("")
        }
    }
}

/// A message borrowed from its owner (an event, or an owned message).
#[derive(Clone, Copy)]
pub(crate) struct MessageView<'a> {
    ptr: NonNull<sys::rd_kafka_message_t>,
    _owner: PhantomData<&'a sys::rd_kafka_message_t>,
}

impl<'a> MessageView<'a> {
    /// # Safety
    /// `p` must be null or a message valid (and not mutated) for `'a`.
    pub(crate) unsafe fn from_ptr(p: *const sys::rd_kafka_message_t) -> Option<Self> {
        NonNull::new(p as *mut sys::rd_kafka_message_t).map(|ptr| MessageView {
            ptr,
            _owner: PhantomData,
        })
    }

    fn m(&self) -> &'a sys::rd_kafka_message_t {
        // SAFETY: valid for 'a by construction.
        unsafe { &*self.ptr.as_ptr() }
    }

    pub(crate) fn err(&self) -> ErrorCode {
        ErrorCode(self.m().err)
    }

    /// Corresponds to `rd_kafka_message_errstr`. Consumer messages only: on
    /// a producer message it returns the (unterminated) payload.
    pub(crate) fn errstr(&self) -> String {
        // SAFETY: valid message; the string lives with it.
        unsafe { super::cstr_owned(sys::rd_kafka_message_errstr(self.ptr.as_ptr())) }
    }

    /// The topic name (bytes; written by us or by the broker).
    pub(crate) fn topic_bytes(&self) -> &'a [u8] {
        let rkt = self.m().rkt;
        if rkt.is_null() {
            return &[];
        }
        // SAFETY: the topic handle lives at least as long as the message.
        unsafe { super::cstr_bytes(sys::rd_kafka_topic_name(rkt)) }
    }

    /// The address of the message's topic handle: the same for every
    /// message of a topic while any of them is alive (a cheap identity;
    /// 0 without a topic). No C call, unlike [`Self::topic_bytes`].
    pub(crate) fn topic_id(&self) -> usize {
        self.m().rkt as usize
    }

    pub(crate) fn partition(&self) -> i32 {
        self.m().partition
    }

    pub(crate) fn offset(&self) -> i64 {
        self.m().offset
    }

    pub(crate) fn payload(&self) -> Option<&'a [u8]> {
        let m = self.m();
        if m.payload.is_null() {
            None
        } else {
            // SAFETY: payload/len describe the message's buffer.
            Some(unsafe { super::slice(m.payload, m.len) })
        }
    }

    pub(crate) fn key(&self) -> Option<&'a [u8]> {
        let m = self.m();
        if m.key.is_null() {
            None
        } else {
            // SAFETY: key/key_len describe the message's key buffer.
            Some(unsafe { super::slice(m.key, m.key_len) })
        }
    }

    /// Corresponds to `rd_kafka_message_timestamp`: (type, ms).
    pub(crate) fn timestamp(&self) -> (i32, i64) {
        let mut t: c_int = 0;
        // SAFETY: valid message.
        let ts = unsafe { sys::rd_kafka_message_timestamp(self.ptr.as_ptr(), &mut t) };
        (t, ts)
    }

    /// Corresponds to `rd_kafka_message_latency` (µs, -1 if unknown).
    pub(crate) fn latency_us(&self) -> i64 {
        // SAFETY: valid message.
        unsafe { sys::rd_kafka_message_latency(self.ptr.as_ptr()) }
    }

    /// Corresponds to `rd_kafka_message_status`.
    pub(crate) fn status(&self) -> i32 {
        // SAFETY: valid message.
        unsafe { sys::rd_kafka_message_status(self.ptr.as_ptr()) }
    }

    /// Corresponds to `rd_kafka_message_leader_epoch` (-1 if unknown).
    pub(crate) fn leader_epoch(&self) -> i32 {
        // SAFETY: valid message.
        unsafe { sys::rd_kafka_message_leader_epoch(self.ptr.as_ptr()) }
    }

    /// Corresponds to `rd_kafka_message_broker_id` (-1 if unknown).
    pub(crate) fn broker_id(&self) -> i32 {
        // SAFETY: valid message.
        unsafe { sys::rd_kafka_message_broker_id(self.ptr.as_ptr()) }
    }

    /// Corresponds to `rd_kafka_message_headers`.
    ///
    /// librdkafka parses consumed headers lazily and caches them in the
    /// message, writing through the `const` pointer: callers must not call
    /// this concurrently on the same message (the owners ensure it).
    pub(crate) fn headers(&self) -> Option<HeadersView<'a>> {
        let mut h: *mut sys::rd_kafka_headers_t = std::ptr::null_mut();
        // SAFETY: valid message; the headers are owned by the message.
        let err = unsafe { sys::rd_kafka_message_headers(self.ptr.as_ptr(), &mut h) };
        if err != 0 || h.is_null() {
            return None;
        }
        // SAFETY: h lives as long as the message.
        Some(unsafe { HeadersView::from_ptr(h) })
    }

    /// Takes the per-message delivery state out of a delivery report.
    ///
    /// Every non-null opaque the producer passes to librdkafka comes from
    /// [`super::DeliveryOpaque::into_raw`]; each DR message is visited
    /// exactly once (events iterate forward only), so each state is taken
    /// back exactly once.
    ///
    /// The message's owned value, if it has one (see
    /// [`super::OwnedPayload`]), comes back separately: release it only
    /// after the report was handed out, since the report reads it.
    pub(crate) fn take_delivery_state(&self) -> (Option<super::DeliveryOpaque>, Option<super::OwnedPayload>) {
        let m = self.m();
        // SAFETY: see above; a payload-alone opaque was made from this
        // message's own value pointer and length, which librdkafka keeps.
        unsafe {
            if let Some(raw) = super::opaque::opaque_payload(m._private, m.payload, m.len) {
                return (None, Some(raw.rebuild()));
            }
            let mut state = super::DeliveryOpaque::from_raw(m._private);
            let owned = state.as_mut().and_then(|s| s.take_payload()).map(|r| r.rebuild());
            (state, owned)
        }
    }
}
