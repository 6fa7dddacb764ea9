//! Async sends: [`Producer::send`] and [`SendFuture`].

use super::ProducerHandle;
use super::{produce_to_handle, serve, Producer, Record};
use crate::dispatch::finish;
use crate::error::{ErrorCode, KafkaError, Result};
use crate::message::{Delivery, DeliveryReport};
use crate::native::{new_sink, DeliveryOpaque, DeliverySink, MessageView, Thin};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Where a send's delivery report lands: shared by the future and, as the
/// message opaque, by librdkafka (one allocation per send).
#[derive(Default)]
struct DeliverySlot {
    inner: Mutex<(Option<Result<Delivery>>, Option<Waker>)>,
}

impl DeliverySlot {
    fn complete(&self, r: Result<Delivery>) {
        let waker = {
            let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            g.0 = Some(r);
            g.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The result if it arrived, else registers the waker.
    fn poll(&self, cx: &Context<'_>) -> Poll<Result<Delivery>> {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match g.0.take() {
            Some(r) => Poll::Ready(r),
            None => {
                match &g.1 {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => g.1 = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

impl DeliverySink for DeliverySlot {
    fn deliver(&self, msg: MessageView<'_>) {
        let report = DeliveryReport::new(msg);
        self.complete(report.result().map(|()| report.delivery()));
    }

    fn abandon(&self) {
        self.complete(Err(KafkaError::new(
            ErrorCode::DESTROY,
            "the message was dropped without a delivery report",
        )));
    }
}

type Slot = Arc<Thin<DeliverySlot>>;

/// The delivery of one message sent with [`Producer::send`]: resolves to
/// where it was written, or why it was not.
///
/// The future drives delivery itself: while pending, it serves the
/// producer's event queue (delivery reports, and the callbacks of other
/// messages), woken by librdkafka when events arrive — no `poll` calls, no
/// background thread, no timers. It works under any executor.
///
/// Dropping it does not lose the message once it is queued (which
/// [`Producer::send`] does at once unless the queue is full): the message is
/// still delivered, and its report served by a later `poll`/`flush`. A
/// future dropped while still waiting for room in a full queue drops its
/// record, which was never queued.
#[must_use = "the message may not be queued until the future is polled, and its outcome is in the future"]
pub struct SendFuture<'a> {
    handle: Option<Arc<ProducerHandle>>,
    state: State<'a>,
    driver: Option<usize>,
    space: Option<usize>,
}

enum State<'a> {
    /// The queue was full: produce again when there is room.
    Waiting(Record<'a>, Slot),
    /// Queued: waiting for the delivery report.
    Sent(Slot),
    Failed(KafkaError),
    Done,
}

impl std::fmt::Debug for SendFuture<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Waiting(..) => "waiting for queue space",
            State::Sent(_) => "queued",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        f.debug_struct("SendFuture").field("state", &state).finish()
    }
}

impl Producer {
    /// Queues a message and returns a future of its delivery — the async
    /// counterpart of [`produce`](Self::produce) with a delivery callback.
    ///
    /// The message is queued at once if there is room; if the local queue
    /// is full, the future queues it as soon as deliveries make room (woken
    /// by the deliveries, not by a timer). The record must not carry its own
    /// [`with_on_delivery`](Record::with_on_delivery) closure: the future is its report.
    ///
    /// ```
    /// use ferrokafka::{Config, MockCluster, Producer, Record};
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
    /// let cluster = MockCluster::new(1)?;
    /// let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())]))?;
    /// // block_on: your executor's (tokio, futures::executor…).
    /// let delivery = block_on(producer.send(Record::new("t").with_value("hi")))?;
    /// assert_eq!(delivery.offset, 0);
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn send<'a>(&self, record: Record<'a>) -> SendFuture<'a> {
        let mut fut = SendFuture {
            handle: None,
            state: State::Done,
            driver: None,
            space: None,
        };
        if record.on_delivery.is_some() {
            fut.state = State::Failed(KafkaError::invalid_arg(
                "send: the record has an on_delivery closure; a sent record reports through its future",
            ));
            return fut;
        }
        match self.core.arc() {
            Ok(h) => {
                let slot = new_sink(DeliverySlot::default());
                fut.state = match try_send(&h, record, &slot) {
                    Ok(()) => State::Sent(slot),
                    Err(Retry::QueueFull(rec)) => State::Waiting(rec, slot),
                    Err(Retry::Failed(e)) => State::Failed(e),
                };
                fut.handle = Some(h);
            }
            Err(e) => fut.state = State::Failed(e),
        }
        fut
    }
}

enum Retry<'a> {
    QueueFull(Record<'a>),
    Failed(KafkaError),
}

/// Produces `record`, reporting to `slot`. On failure the record comes
/// back still carrying its state, ready for a retry.
fn try_send<'a>(h: &ProducerHandle, mut record: Record<'a>, slot: &Slot) -> std::result::Result<(), Retry<'a>> {
    // A send still waiting for room when the producer was closed or
    // dropped: queuing now would leave a message nobody serves once this
    // future is dropped (and leak its state and owned value).
    if h.retired.load(std::sync::atomic::Ordering::Acquire) {
        return Err(Retry::Failed(KafkaError::closed("Producer")));
    }
    if record.on_delivery.is_none() {
        record.on_delivery = Some(DeliveryOpaque::sink(slot.clone()));
    }
    match produce_to_handle(h, record) {
        Ok(()) => Ok(()),
        Err(e) => {
            let (error, record) = e.into_parts();
            if error.code() == ErrorCode::QUEUE_FULL {
                Err(Retry::QueueFull(record))
            } else {
                Err(Retry::Failed(error))
            }
        }
    }
}

impl Future for SendFuture<'_> {
    type Output = Result<Delivery>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(Err(KafkaError::invalid_arg("SendFuture polled after completion"))),
                State::Failed(e) => {
                    this.finish();
                    return Poll::Ready(Err(e));
                }
                State::Sent(slot) => match slot.poll(cx) {
                    Poll::Ready(r) => {
                        this.finish();
                        return Poll::Ready(r);
                    }
                    Poll::Pending => this.state = State::Sent(slot),
                },
                State::Waiting(record, slot) => {
                    let h = this.handle.as_ref().expect("a waiting send has a handle");
                    // Register first, so a delivery made while we retry wakes us.
                    h.state.space_wakers.register(&mut this.space, cx.waker());
                    match try_send(h, record, &slot) {
                        Ok(()) => {
                            h.state.space_wakers.remove(&mut this.space, false);
                            this.state = State::Sent(slot);
                            continue;
                        }
                        Err(Retry::QueueFull(rec)) => this.state = State::Waiting(rec, slot),
                        Err(Retry::Failed(e)) => {
                            this.finish();
                            return Poll::Ready(Err(e));
                        }
                    }
                }
            }
            // Pending: serve the queue so that reports (and room) come.
            let h = this.handle.clone().expect("a pending send has a handle");
            let served = match h.try_serve_async(|| finish(serve(&h, 0))) {
                Some(Ok(n)) => n,
                Some(Err(e)) => {
                    this.finish();
                    return Poll::Ready(Err(e));
                }
                // Another task is serving: it will complete our slot.
                None => 0,
            };
            if served > 0 {
                continue;
            }
            if this.driver.is_none() {
                // Nothing to serve now: be woken when events arrive. Being
                // registered before serving once more means an event that
                // arrives after that (on an empty queue, which is when
                // librdkafka signals) wakes us.
                h.state.queue_wakers.register(&mut this.driver, cx.waker());
                h.enable_wakeups();
                continue;
            }
            h.state.queue_wakers.register(&mut this.driver, cx.waker());
            return Poll::Pending;
        }
    }
}

impl SendFuture<'_> {
    fn finish(&mut self) {
        if let Some(h) = self.handle.take() {
            if self.space.is_some() {
                h.state.space_wakers.remove(&mut self.space, false);
            }
            if self.driver.is_some() {
                // If events are waiting, another task must take over serving.
                let hand_off = h.queue.len() > 0;
                h.state.queue_wakers.remove(&mut self.driver, hand_off);
            }
        }
    }
}

impl Drop for SendFuture<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}
