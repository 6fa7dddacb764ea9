//! The consumer's read-ahead: messages taken from librdkafka before the
//! application asked for them, so that one C call serves many `poll`s.
//!
//! librdkafka counts a message as consumed when it leaves its queue, so
//! everything librdkafka would have decided from "what the application has
//! seen" must be corrected here, or the read-ahead becomes visible:
//!
//! - **pause**: librdkafka returns nothing of a partition once
//!   `pause` returns. Buffered messages of a paused partition are *held*
//!   (not lost, not reordered) and come back first on `resume`; librdkafka
//!   itself resumes after them (its position is past them).
//! - **position**: the first buffered (or held) offset of a partition is
//!   the application's position.
//! - **seek / assign / revoke**: buffered messages of those partitions are
//!   stale and dropped (librdkafka refetches from the new position).
//! - **max.poll.interval.ms**: librdkafka resets that interval on every
//!   consumer poll. A `poll` served from the buffer makes no C call, so it
//!   tells librdkafka the application polled ([`ReadAhead::take`]); without
//!   this, a slow application that polls for every message would be thrown
//!   out of its group (issue 16).
//! - **rebalance start**: librdkafka pauses the assigned partitions and
//!   queues the rebalance event behind what it fetched for them (which it
//!   then never hands out). Before a buffered message is handed out,
//!   librdkafka's queue is looked at — at most every `LOOK_EVERY_NS` — and
//!   read on if not empty, so the event is served first
//!   (`Consumer::next_buffered`).
//! - **offset store**: the automatic offset store is emulated at hand-out
//!   time (see `Consumer::new`).
//! - **close**: the buffer (and the handle it keeps for `poll`'s fast
//!   path) is cleared once the close has taken the handle; what a call
//!   blocked in librdkafka meanwhile brings back is dropped, not kept
//!   (`ReadAhead::with_on`), so nothing buffered outlives the close.

use crate::client::Handle;
use crate::native::{NativeClient, NativeMessage, NativeQueue};
use crate::TopicPartition;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How long a run of polls served from the buffer may go without telling
/// librdkafka that the application polled. Far below any useful
/// `max.poll.interval.ms` (librdkafka checks it every 500 ms).
const APP_POLL_EVERY_NS: u64 = 20_000_000;

/// How long messages may be handed out from the buffer without looking at
/// librdkafka's queue for an event (a rebalance) that must come first.
/// Looking costs a lock librdkafka's fetchers also take; looking for every
/// message halved `poll`'s speed under load. Time is read from the coarse
/// clock (see `now_ns`), so this is in effect one clock tick (1–10 ms, 4 ms
/// on most kernels): an application that takes longer than a tick per
/// message is looked for at every `poll`, as librdkafka's own consumer
/// would; a faster one sees a rebalance at most a tick later than
/// librdkafka's would, and at most `READ_AHEAD` messages later (the buffer
/// is refilled, which serves the queue in order, every `READ_AHEAD`
/// messages).
const LOOK_EVERY_NS: u64 = 1_000_000;

#[derive(Default)]
struct Buffers {
    /// Ready to hand out, in the order librdkafka returned them.
    ready: VecDeque<NativeMessage>,
    /// Messages of paused partitions, in order, until `resume`.
    held: Vec<NativeMessage>,
    /// The open handle, kept from the first `fill` after a `clear` (a
    /// consumer has one) until the next `clear`: `poll`'s
    /// fast path ([`ReadAhead::take_fast`]) hands a clone of it out with a
    /// message instead of reading the client's handle cell (a lock pair
    /// fewer per message). Declared after the messages, so dropped after
    /// them.
    handle: Option<Arc<Handle>>,
}

/// See the module documentation.
pub(crate) struct ReadAhead {
    buffers: Mutex<Buffers>,
    /// `ready.len()`, read without the lock on the fast path.
    ready_count: AtomicUsize,
    /// When librdkafka last saw the application poll (`now_ns`).
    last_app_poll: AtomicU64,
    /// When librdkafka's queue was last looked at (`now_ns`).
    last_look: AtomicU64,
    /// Counters for [`crate::ConsumerDiagnostics`].
    pub(crate) app_polls_sent: AtomicU64,
    /// Partitions of which the application has been handed a message since
    /// they were assigned: only their position is a real offset (before
    /// that, librdkafka reports `OFFSET_INVALID`, whatever was read ahead).
    handed: Mutex<Vec<(Vec<u8>, i32)>>,
    /// The last partition noted in `handed` (a cheap key), to skip the lock.
    last_handed: AtomicU64,
}

impl Default for ReadAhead {
    fn default() -> Self {
        ReadAhead {
            buffers: Mutex::default(),
            ready_count: AtomicUsize::new(0),
            last_app_poll: AtomicU64::new(0),
            last_look: AtomicU64::new(0),
            app_polls_sent: AtomicU64::new(0),
            handed: Mutex::default(),
            last_handed: AtomicU64::new(0),
        }
    }
}

fn matches(m: &NativeMessage, topic: &[u8], partition: i32) -> bool {
    let v = m.view();
    v.partition() == partition && v.topic_bytes() == topic
}

fn in_list(parts: &[TopicPartition], m: &NativeMessage) -> bool {
    parts.iter().any(|tp| matches(m, tp.topic.as_bytes(), tp.partition))
}

impl ReadAhead {
    fn with<R>(&self, f: impl FnOnce(&mut Buffers) -> R) -> R {
        let mut b = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        let r = f(&mut b);
        self.ready_count.store(b.ready.len(), Ordering::Release);
        r
    }

    /// [`Self::with`] for calls that add messages read on `h`: if a close
    /// took `h` out of the client meanwhile (`ClientCore::take` marks it
    /// retired before the close clears this buffer), everything buffered
    /// is dropped at once, while the caller still holds `h` — kept, it
    /// would outlive the close, and the client with it.
    fn with_on<R>(&self, h: &Handle, f: impl FnOnce(&mut Buffers) -> R) -> R {
        let (r, stale) = self.with(|b| {
            let r = f(b);
            let stale = h.retired.load(Ordering::Acquire).then(|| {
                (
                    std::mem::take(&mut b.ready),
                    std::mem::take(&mut b.held),
                    b.handle.take(),
                )
            });
            (r, stale)
        });
        // Messages before the handle (tuple fields drop in order), outside
        // the lock.
        drop(stale);
        r
    }

    /// Now, in ns, by the coarse clock (what `look_due` and `take` take):
    /// it is read once per message handed out, and the precise clock cost
    /// 39 ns a read here (a tenth of `poll`'s whole time per message).
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        crate::native::coarse_monotonic_ns()
    }

    /// Records that a C consume call was just made (librdkafka saw a poll).
    pub(crate) fn note_c_poll(&self) {
        let now = self.now_ns();
        self.last_app_poll.store(now, Ordering::Relaxed);
        self.last_look.store(now, Ordering::Relaxed);
    }

    /// Whether librdkafka's queue is due a look (see `look_due`), without
    /// counting the look as done.
    #[inline]
    fn look_would_be_due(&self, now: u64) -> bool {
        now.saturating_sub(self.last_look.load(Ordering::Relaxed)) >= LOOK_EVERY_NS
    }

    /// Whether librdkafka's queue is due a look before the next message is
    /// handed out (see `LOOK_EVERY_NS`); if so, the look counts as done.
    pub(crate) fn look_due(&self, now: u64) -> bool {
        if now.saturating_sub(self.last_look.load(Ordering::Relaxed)) < LOOK_EVERY_NS {
            return false;
        }
        self.last_look.store(now, Ordering::Relaxed);
        true
    }

    /// How many messages are ready.
    pub(crate) fn ready_len(&self) -> usize {
        self.ready_count.load(Ordering::Acquire)
    }

    /// How many messages are held for paused partitions.
    pub(crate) fn held_len(&self) -> usize {
        self.buffers.lock().unwrap_or_else(|e| e.into_inner()).held.len()
    }

    /// Takes the next ready message, telling librdkafka that the
    /// application polled if it has not heard so for a while.
    pub(crate) fn take(&self, now: u64, client: &NativeClient, queue: &NativeQueue) -> Option<NativeMessage> {
        if self.ready_count.load(Ordering::Acquire) == 0 {
            return None;
        }
        let m = self.with(|b| b.ready.pop_front())?;
        self.note_app_poll_if_due(now, client, queue);
        Some(m)
    }

    /// `poll`'s fast path: the next ready message with the open handle
    /// kept by the last `fill`, when nothing has to come first — no event
    /// recorded to serve, no look at librdkafka's queue due — and the
    /// handle is kept; `None` sends the caller down the full path (which
    /// finds the same message, or what must precede it).
    #[inline]
    pub(crate) fn take_fast(&self) -> Option<(Arc<Handle>, NativeMessage)> {
        if self.ready_count.load(Ordering::Acquire) == 0 {
            return None;
        }
        let now = self.now_ns();
        if self.look_would_be_due(now) {
            return None;
        }
        let (h, m) = self.with(|b| {
            let h = b.handle.as_ref()?;
            if h.state.needs_attention() {
                return None;
            }
            let m = b.ready.pop_front()?;
            Some((h.clone(), m))
        })?;
        self.note_app_poll_if_due(now, &h.client, &h.queue);
        Some((h, m))
    }

    #[inline]
    fn note_app_poll_if_due(&self, now: u64, client: &NativeClient, queue: &NativeQueue) {
        if now.saturating_sub(self.last_app_poll.load(Ordering::Relaxed)) >= APP_POLL_EVERY_NS {
            self.last_app_poll.store(now, Ordering::Relaxed);
            self.app_polls_sent.fetch_add(1, Ordering::Relaxed);
            client.note_app_poll(queue);
        }
    }

    /// Puts messages back, in order, ahead of any already ready.
    pub(crate) fn put_front(&self, h: &Handle, msgs: impl DoubleEndedIterator<Item = NativeMessage>) {
        self.with_on(h, |b| {
            for m in msgs.rev() {
                b.ready.push_front(m);
            }
        })
    }

    /// Appends messages, after any already ready.
    pub(crate) fn append(&self, h: &Handle, msgs: impl Iterator<Item = NativeMessage>) {
        self.with_on(h, |b| b.ready.extend(msgs))
    }

    /// Reads ahead: up to `max` messages librdkafka already has (no wait),
    /// on the open handle `h` (kept for `take_fast`).
    pub(crate) fn fill(&self, h: &Arc<Handle>, max: usize) {
        self.with_on(h, |b| {
            h.client.consume_batch(&h.queue, 0, max, &mut b.ready);
            if b.handle.is_none() {
                b.handle = Some(h.clone());
            }
        });
        self.note_c_poll();
    }

    /// Drops the buffered and held messages of these partitions (after a
    /// seek, an unassign or a revoke).
    pub(crate) fn drop_partitions(&self, parts: &[TopicPartition]) {
        let stale = self.with(|b| {
            let mut stale = Vec::new();
            let mut keep = VecDeque::with_capacity(b.ready.len());
            for m in b.ready.drain(..) {
                if in_list(parts, &m) {
                    stale.push(m)
                } else {
                    keep.push_back(m)
                }
            }
            b.ready = keep;
            let (gone, held): (Vec<_>, Vec<_>) = b.held.drain(..).partition(|m| in_list(parts, m));
            b.held = held;
            stale.extend(gone);
            stale
        });
        // Destroyed outside the lock.
        drop(stale);
    }

    /// Drops every buffered and held message, and the kept handle.
    pub(crate) fn clear(&self) {
        let (ready, held, handle) = self.with(|b| {
            (
                std::mem::take(&mut b.ready),
                std::mem::take(&mut b.held),
                b.handle.take(),
            )
        });
        drop(ready);
        drop(held);
        drop(handle);
    }

    /// `pause` returned: hold back the buffered messages of these partitions.
    pub(crate) fn hold(&self, parts: &[TopicPartition]) {
        self.with(|b| {
            let mut keep = VecDeque::with_capacity(b.ready.len());
            for m in b.ready.drain(..) {
                if in_list(parts, &m) {
                    b.held.push(m)
                } else {
                    keep.push_back(m)
                }
            }
            b.ready = keep;
        })
    }

    /// `resume` returned: the held messages of these partitions come first.
    pub(crate) fn release(&self, parts: &[TopicPartition]) {
        self.with(|b| {
            let (back, held): (Vec<_>, Vec<_>) = b.held.drain(..).partition(|m| in_list(parts, m));
            b.held = held;
            for m in back.into_iter().rev() {
                b.ready.push_front(m);
            }
        })
    }

    /// Notes that a message of this partition was handed to the application.
    #[inline]
    pub(crate) fn note_handed_out(&self, m: &NativeMessage) {
        let v = m.view();
        // A key without a C call: the topic handle's address (user-space
        // addresses fit in 47 bits) and the partition; partitions past 16
        // bits always take the lock. librdkafka keeps a consumer's topic
        // handles while the client is up, so an address names one topic
        // (as the topic name's address, the key before, did).
        let key = match u16::try_from(v.partition()) {
            Ok(p) => Some((1 << 63) | (v.topic_id() as u64) << 16 | u64::from(p)),
            Err(_) => None,
        };
        if key.is_some_and(|k| self.last_handed.load(Ordering::Relaxed) == k) {
            return;
        }
        self.note_handed_out_slow(m, key);
    }

    #[cold]
    fn note_handed_out_slow(&self, m: &NativeMessage, key: Option<u64>) {
        let v = m.view();
        let topic = v.topic_bytes();
        let mut seen = self.handed.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.iter().any(|(t, p)| *p == v.partition() && t == topic) {
            seen.push((topic.to_vec(), v.partition()));
        }
        self.last_handed.store(key.unwrap_or(0), Ordering::Relaxed);
    }

    /// Forgets which partitions were handed out: all of them (`None`, a new
    /// assignment) or these (unassigned).
    pub(crate) fn forget_handed(&self, parts: Option<&[TopicPartition]>) {
        let mut seen = self.handed.lock().unwrap_or_else(|e| e.into_inner());
        match parts {
            None => seen.clear(),
            Some(parts) => seen.retain(|(t, p)| !parts.iter().any(|tp| tp.partition == *p && tp.topic.as_bytes() == t)),
        }
        self.last_handed.store(0, Ordering::Relaxed);
    }

    /// The application's position in this partition when messages of it
    /// are buffered or held (`None` otherwise: librdkafka's own position is
    /// then right). librdkafka's position is past what was read ahead; the
    /// application's is the first offset it has not seen — or
    /// `OFFSET_INVALID` if it has seen none since the partition was
    /// assigned or seeked (librdkafka resets it then).
    pub(crate) fn first_offset(&self, topic: &[u8], partition: i32) -> Option<i64> {
        let first = {
            let b = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
            b.held
                .iter()
                .chain(b.ready.iter())
                .find(|m| m.view().err() == crate::ErrorCode::NO_ERROR && matches(m, topic, partition))
                .map(|m| m.view().offset())
        }?;
        let seen = self.handed.lock().unwrap_or_else(|e| e.into_inner());
        Some(if seen.iter().any(|(t, p)| *p == partition && t == topic) {
            first
        } else {
            crate::OFFSET_INVALID
        })
    }
}
