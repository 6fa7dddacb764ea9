//! Async consuming: [`MessageStream`], [`CommitFuture`] and an async close.

use super::Message;
use super::{Commit, Consumer};
use crate::client::Handle;
use crate::dispatch::finish;
use crate::error::{ErrorCode, KafkaError, Result};
use crate::native::{NativeQueue, NativeTpl};
use crate::timeout::{Deadline, Timeout};
use crate::TopicPartition;
use futures_channel::oneshot;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An async stream of messages from a [`Consumer`] (a `futures_core::Stream`).
///
/// It is woken by librdkafka when messages or events arrive — no timers, no
/// polling thread — and works under any executor. Rebalance, commit, error,
/// statistics and log callbacks are served while it is polled, as by
/// [`Consumer::poll`]. Items are `Ok(message)`, or `Err` for consumer
/// errors (e.g. `_PARTITION_EOF`); the stream ends (`None`) once the
/// consumer is closed.
///
/// Like [`Consumer::poll`], it takes messages from librdkafka in batches and
/// keeps those not yet yielded in the consumer, which returns them next
/// (from another stream, `poll` or `consume`): nothing is lost by dropping
/// or pausing a stream.
pub struct MessageStream<'a> {
    consumer: &'a Consumer,
    /// The consumer's handle, kept while the consumer is open.
    handle: Option<Arc<Handle>>,
    key: Option<usize>,
}

impl Consumer {
    /// An async stream of this consumer's messages.
    ///
    /// ```
    /// use ferrokafka::{Config, Consumer, MockCluster, Producer, Record};
    /// # // A minimal executor, so that this example needs no runtime crate.
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     struct Unpark(std::thread::Thread);
    /// #     impl std::task::Wake for Unpark {
    /// #         fn wake(self: std::sync::Arc<Self>) { self.0.unpark() }
    /// #     }
    /// #     let waker = std::sync::Arc::new(Unpark(std::thread::current())).into();
    /// #     let mut cx = std::task::Context::from_waker(&waker);
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop {
    /// #         if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; }
    /// #         std::thread::park();
    /// #     }
    /// # }
    /// # let cluster = MockCluster::new(1)?;
    /// # cluster.create_topic("t", 1, 1)?;
    /// # let p = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())]))?;
    /// # block_on(p.send(Record::new("t").with_value("hello")))?;
    /// let consumer = Consumer::new(&Config::from([
    ///     ("bootstrap.servers", cluster.bootstrap_servers()),
    ///     ("group.id", "g"),
    ///     ("auto.offset.reset", "earliest"),
    /// ]))?;
    /// consumer.subscribe(&["t"])?;
    /// // block_on: your executor's (tokio, futures::executor…).
    /// let msg = block_on(consumer.stream().next()).unwrap()?;
    /// assert_eq!(msg.value(), Some(&b"hello"[..]));
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn stream(&self) -> MessageStream<'_> {
        MessageStream {
            consumer: self,
            handle: None,
            key: None,
        }
    }

    /// Commits and resolves when the broker has answered, with the
    /// per-partition results — without blocking the executor thread.
    /// `on_commit` is not called for it.
    ///
    /// Corresponds to `rd_kafka_commit_queue`.
    pub fn commit_future<'a>(&self, what: impl Into<Commit<'a>>) -> CommitFuture {
        let start = || -> Result<(Arc<Handle>, NativeQueue)> {
            let h = self.core.arc()?;
            let offsets: Option<Vec<TopicPartition>> = match what.into() {
                Commit::Current => None,
                Commit::Message(m) => {
                    let pos = vec![m.next_position()];
                    super::check_partitions("commit", &pos)?;
                    Some(pos)
                }
                Commit::Offsets(o) => {
                    super::check_partitions("commit", o)?;
                    Some(o.to_vec())
                }
            };
            let queue = h
                .client
                .new_queue()
                .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, "commit: could not create a queue"))?;
            // The reply queue wakes the tasks waiting on the client.
            h.client.enable_wakeups::<crate::dispatch::CallbackState>(&queue);
            let tpl = offsets.as_deref().map(NativeTpl::from_partitions).transpose()?;
            h.client.commit_to_queue(tpl.as_ref(), &queue)?;
            Ok((h, queue))
        };
        match start() {
            Ok((h, queue)) => CommitFuture {
                inner: Some((queue, h)),
                error: None,
                key: None,
            },
            Err(e) => CommitFuture {
                inner: None,
                error: Some(e),
                key: None,
            },
        }
    }

    /// [`close`](Self::close) for async code: the same steps, but waiting
    /// for librdkafka's events instead of blocking the thread, with the
    /// final destruction of the client on a helper thread. Callbacks
    /// (`on_revoke`, `on_commit`, …) run in the awaiting task.
    pub async fn close_async(&self, timeout: impl Into<Timeout>) -> Result<()> {
        let Some(h) = self.core.for_close()? else {
            return Ok(());
        };
        let deadline = Deadline::new(timeout.into());
        let timer = DeadlineWaker::new(deadline);
        // Unregisters the task's waker when the close finishes — or when
        // the future is dropped before it does (a cancelled close must not
        // leave its waker, and whatever the waker keeps alive, in the
        // client).
        let mut registration = WakerRegistration {
            state: &h.state,
            key: None,
        };
        let result = std::future::poll_fn(|cx| {
            h.state.queue_wakers.register(&mut registration.key, cx.waker());
            timer.arm(cx.waker());
            match self.leave_group_step(&h, deadline) {
                Ok(Some(r)) => Poll::Ready(Ok(r)),
                Ok(None) => Poll::Pending,
                Err(i) => Poll::Ready(Err(i)),
            }
        })
        .await;
        drop(timer);
        drop(registration);
        let result = finish(result)?;
        let closing = self.core.take();
        self.read_ahead.clear();
        drop(self.close_queue.lock().unwrap_or_else(|e| e.into_inner()).take());
        // Destroying the client joins librdkafka's threads: do it off the
        // executor (it happens here only if nothing else holds the client).
        let (tx, rx) = oneshot::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("ferrokafka-close".into())
            .spawn(move || {
                drop(closing);
                drop(h);
                let _ = tx.send(());
            });
        if spawned.is_ok() {
            let _ = rx.await;
        }
        result
    }
}

impl<'a> MessageStream<'a> {
    /// The next message (or error), `None` once the consumer is closed:
    /// what `futures::StreamExt::next` gives, without needing the futures
    /// crate (with it imported, this inherent method is the one called,
    /// with the same result; its future is `Unpin` too).
    pub fn next<'s>(&'s mut self) -> impl Future<Output = Option<Result<Message>>> + Unpin + use<'s, 'a> {
        std::future::poll_fn(move |cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx))
    }
}

impl futures_core::Stream for MessageStream<'_> {
    type Item = Result<Message>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.consumer.core.is_closed() {
            this.handle = None;
            return Poll::Ready(None);
        }
        let h = match &this.handle {
            Some(h) => h.clone(),
            None => match this.consumer.core.arc() {
                Ok(h) => {
                    this.handle = Some(h.clone());
                    h
                }
                Err(_) => return Poll::Ready(None),
            },
        };
        if let Some(m) = this.consumer.take_if_quiet(&h) {
            // Fast path: a message read ahead, nothing else to serve.
            return Poll::Ready(Some(finish(this.consumer.hand_out(h, m))));
        }
        // Register before looking, so an event landing after the look
        // (on an empty queue) wakes us.
        h.state.queue_wakers.register(&mut this.key, cx.waker());
        h.enable_wakeups();
        match finish(this.consumer.poll_inner(h.clone(), Timeout::ZERO)) {
            Ok(Some(m)) => Poll::Ready(Some(Ok(m))),
            Ok(None) => {
                if h.queue.len() > 0 || h.state.needs_attention() {
                    // Events are still queued (a rebalance made the last
                    // call stop early): come back at once.
                    cx.waker().wake_by_ref();
                }
                Poll::Pending
            }
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }
}

impl Drop for MessageStream<'_> {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.state.queue_wakers.remove(&mut self.key, h.queue.len() > 0);
        }
    }
}

impl std::fmt::Debug for MessageStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageStream").finish_non_exhaustive()
    }
}

/// The result of [`Consumer::commit_future`], once the broker has
/// answered: what [`Consumer::commit_sync`] returns (a failure for any
/// partition is an error carrying every partition's outcome).
pub struct CommitFuture {
    /// The reply queue, then the client: tuple fields drop in order, and
    /// the queue must go first (if this holds the last reference to the
    /// client, `rd_kafka_destroy` would otherwise wait for the queue forever).
    inner: Option<(NativeQueue, Arc<Handle>)>,
    error: Option<KafkaError>,
    key: Option<usize>,
}

impl std::fmt::Debug for CommitFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitFuture")
            .field("done", &self.inner.is_none())
            .finish()
    }
}

impl Future for CommitFuture {
    type Output = Result<Vec<TopicPartition>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(e) = this.error.take() {
            return Poll::Ready(Err(e));
        }
        let Some((queue, h)) = this.inner.as_ref() else {
            return Poll::Ready(Err(KafkaError::invalid_arg("CommitFuture polled after completion")));
        };
        h.state.queue_wakers.register(&mut this.key, cx.waker());
        match h
            .client
            .commit_result(queue)
            .or_else(|| h.client.commit_abandoned(queue))
        {
            Some(r) => {
                let (queue, h) = this.inner.take().expect("checked above");
                h.state.queue_wakers.remove(&mut this.key, false);
                drop(queue);
                drop(h);
                Poll::Ready(r.and_then(super::all_ok))
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for CommitFuture {
    fn drop(&mut self) {
        if let Some((_queue, h)) = &self.inner {
            h.state.queue_wakers.remove(&mut self.key, h.queue.len() > 0);
        }
        // Fields drop next: the queue before the client (see `inner`).
    }
}

/// A task's waker registered in a client's `queue_wakers`, removed on drop.
struct WakerRegistration<'a> {
    state: &'a crate::dispatch::CallbackState,
    key: Option<usize>,
}

impl Drop for WakerRegistration<'_> {
    fn drop(&mut self) {
        self.state.queue_wakers.remove(&mut self.key, false);
    }
}

/// Wakes a task at a deadline (for `close_async`'s timeout), from one
/// helper thread — started only for a finite timeout, and ended (with the
/// task's waker released) as soon as the close finishes or is dropped.
struct DeadlineWaker {
    deadline: Deadline,
    shared: Arc<(std::sync::Mutex<TimerSlot>, std::sync::Condvar)>,
}

#[derive(Default)]
struct TimerSlot {
    waker: Option<std::task::Waker>,
    started: bool,
    done: bool,
}

impl DeadlineWaker {
    fn new(deadline: Deadline) -> Self {
        DeadlineWaker {
            deadline,
            shared: Arc::default(),
        }
    }

    fn arm(&self, waker: &std::task::Waker) {
        let Some(left) = self.deadline.remaining() else { return };
        let mut s = self.shared.0.lock().unwrap_or_else(|e| e.into_inner());
        s.waker = Some(waker.clone());
        if !s.started {
            s.started = true;
            let shared = self.shared.clone();
            let _ = std::thread::Builder::new()
                .name("ferrokafka-deadline".into())
                .spawn(move || {
                    let (lock, cv) = &*shared;
                    let s = lock.lock().unwrap_or_else(|e| e.into_inner());
                    let (mut s, _) = cv
                        .wait_timeout_while(s, left, |s| !s.done)
                        .unwrap_or_else(|e| e.into_inner());
                    let w = s.waker.take();
                    drop(s);
                    if let Some(w) = w {
                        w.wake();
                    }
                });
        }
    }
}

impl Drop for DeadlineWaker {
    fn drop(&mut self) {
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        s.done = true;
        // Released here, not when the deadline would have passed: a waker
        // can keep a whole runtime alive.
        let w = s.waker.take();
        drop(s);
        cv.notify_all();
        drop(w);
    }
}
