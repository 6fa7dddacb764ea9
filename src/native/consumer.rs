//! Consumer calls on `rd_kafka_t`.

use super::error::{c_string, check, check_error};
use super::{sys, NativeClient, NativeMessage, NativeQueue, NativeTpl};
use crate::error::{ErrorCode, KafkaError};
use crate::values::RebalanceProtocol;
use crate::TopicPartition;

/// Takes ownership of a list librdkafka allocated for us.
fn owned_list(p: *mut sys::rd_kafka_topic_partition_list_t) -> Vec<TopicPartition> {
    if p.is_null() {
        return Vec::new();
    }
    // SAFETY: p is a list we own; read it, then destroy it.
    unsafe {
        let v = NativeTpl::read_list(p);
        sys::rd_kafka_topic_partition_list_destroy(p);
        v
    }
}

impl NativeClient {
    /// Corresponds to `rd_kafka_poll_set_consumer`.
    pub(crate) fn poll_set_consumer(&self) -> Result<(), KafkaError> {
        // SAFETY: valid handle.
        check(
            unsafe { sys::rd_kafka_poll_set_consumer(self.as_ptr()) },
            "poll_set_consumer",
        )
    }

    /// Corresponds to `rd_kafka_consumer_poll`.
    pub(crate) fn consumer_poll(&self, timeout_ms: i32) -> Option<NativeMessage> {
        // SAFETY: valid handle; the message returned is ours.
        unsafe { NativeMessage::from_ptr(sys::rd_kafka_consumer_poll(self.as_ptr(), timeout_ms)) }
    }

    /// Corresponds to `rd_kafka_consume_batch_queue`: appends up to `max`
    /// messages to `out`.
    pub(crate) fn consume_batch(
        &self,
        queue: &NativeQueue,
        timeout_ms: i32,
        max: usize,
        out: &mut impl Extend<NativeMessage>,
    ) {
        if max == 0 {
            return;
        }
        thread_local! {
            // The pointer array librdkafka fills, kept between calls.
            static SCRATCH: std::cell::RefCell<Vec<*mut sys::rd_kafka_message_t>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|scratch| {
            // A nested call (none exists today) would get its own array.
            let mut own = Vec::new();
            let mut guard = scratch.try_borrow_mut();
            let ptrs: &mut Vec<*mut sys::rd_kafka_message_t> = match guard.as_deref_mut() {
                Ok(v) => v,
                Err(_) => &mut own,
            };
            ptrs.clear();
            ptrs.reserve(max);
            // SAFETY: valid queue; `ptrs` has room for `max` pointers, of
            // which librdkafka fills the first `n` with messages we then own.
            unsafe {
                let n = sys::rd_kafka_consume_batch_queue(queue.as_ptr(), timeout_ms, ptrs.as_mut_ptr(), max);
                if n > 0 {
                    ptrs.set_len(n as usize);
                }
            }
            // SAFETY: each pointer is a message we own, taken once.
            out.extend(ptrs.drain(..).filter_map(|p| unsafe { NativeMessage::from_ptr(p) }));
        });
    }

    /// Tells librdkafka that the application polled, without taking or
    /// serving anything: `rd_kafka_consume_batch_queue` with room for no
    /// message marks the poll (resetting `max.poll.interval.ms`) and returns.
    pub(crate) fn note_app_poll(&self, queue: &NativeQueue) {
        let mut none: [*mut sys::rd_kafka_message_t; 1] = [std::ptr::null_mut()];
        // SAFETY: valid queue; size 0, so librdkafka writes nothing.
        unsafe {
            sys::rd_kafka_consume_batch_queue(queue.as_ptr(), 0, none.as_mut_ptr(), 0);
        }
    }

    /// Corresponds to `rd_kafka_subscribe`.
    pub(crate) fn subscribe(&self, topics: &[&str]) -> Result<(), KafkaError> {
        let parts: Vec<TopicPartition> = topics.iter().map(|t| TopicPartition::new(*t, -1)).collect();
        let tpl = NativeTpl::from_partitions(&parts)?;
        // SAFETY: valid handle and list.
        check(
            unsafe { sys::rd_kafka_subscribe(self.as_ptr(), tpl.as_ptr()) },
            "subscribe failed",
        )
    }

    /// Corresponds to `rd_kafka_unsubscribe`.
    pub(crate) fn unsubscribe(&self) -> Result<(), KafkaError> {
        // SAFETY: valid handle.
        check(
            unsafe { sys::rd_kafka_unsubscribe(self.as_ptr()) },
            "unsubscribe failed",
        )
    }

    /// Corresponds to `rd_kafka_subscription`.
    pub(crate) fn subscription(&self) -> Result<Vec<String>, KafkaError> {
        let mut p = std::ptr::null_mut();
        // SAFETY: valid handle and out-pointer; the list is ours.
        check(
            unsafe { sys::rd_kafka_subscription(self.as_ptr(), &mut p) },
            "subscription failed",
        )?;
        Ok(owned_list(p).into_iter().map(|tp| tp.topic).collect())
    }

    /// Corresponds to `rd_kafka_assign` (`None` clears the assignment).
    pub(crate) fn assign(&self, parts: Option<&[TopicPartition]>) -> Result<(), KafkaError> {
        let tpl = parts.map(NativeTpl::from_partitions).transpose()?;
        let p = tpl.as_ref().map(|t| t.as_ptr() as *const _).unwrap_or(std::ptr::null());
        // SAFETY: valid handle; list valid or null.
        check(unsafe { sys::rd_kafka_assign(self.as_ptr(), p) }, "assign failed")
    }

    /// Corresponds to `rd_kafka_incremental_assign` / `rd_kafka_incremental_unassign`.
    pub(crate) fn incremental(&self, assign: bool, parts: &[TopicPartition]) -> Result<(), KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list; the error object is ours.
        check_error(unsafe {
            if assign {
                sys::rd_kafka_incremental_assign(self.as_ptr(), tpl.as_ptr())
            } else {
                sys::rd_kafka_incremental_unassign(self.as_ptr(), tpl.as_ptr())
            }
        })
    }

    /// Corresponds to `rd_kafka_assignment`.
    pub(crate) fn assignment(&self) -> Result<Vec<TopicPartition>, KafkaError> {
        let mut p = std::ptr::null_mut();
        // SAFETY: valid handle and out-pointer; the list is ours.
        check(
            unsafe { sys::rd_kafka_assignment(self.as_ptr(), &mut p) },
            "assignment failed",
        )?;
        Ok(owned_list(p))
    }

    /// Corresponds to `rd_kafka_assignment_lost`.
    pub(crate) fn assignment_lost(&self) -> bool {
        // SAFETY: valid handle.
        unsafe { sys::rd_kafka_assignment_lost(self.as_ptr()) != 0 }
    }

    /// Corresponds to `rd_kafka_rebalance_protocol` ("NONE", "EAGER" or
    /// "COOPERATIVE", decoded here once).
    pub(crate) fn rebalance_protocol(&self) -> RebalanceProtocol {
        // SAFETY: valid handle; the string is static (or null).
        match unsafe { super::cstr_bytes(sys::rd_kafka_rebalance_protocol(self.as_ptr())) } {
            b"EAGER" => RebalanceProtocol::EAGER,
            b"COOPERATIVE" => RebalanceProtocol::COOPERATIVE,
            _ => RebalanceProtocol::NONE,
        }
    }

    /// Corresponds to `rd_kafka_commit` with `async=1`.
    pub(crate) fn commit_async(&self, parts: Option<&[TopicPartition]>) -> Result<(), KafkaError> {
        let tpl = parts.map(NativeTpl::from_partitions).transpose()?;
        let p = tpl.as_ref().map(|t| t.as_ptr() as *const _).unwrap_or(std::ptr::null());
        // SAFETY: valid handle; list valid or null (copied by librdkafka).
        check(unsafe { sys::rd_kafka_commit(self.as_ptr(), p, 1) }, "commit failed")
    }

    /// Corresponds to `rd_kafka_commit_queue` with a private reply queue:
    /// commits synchronously and returns the per-partition results, without
    /// going through the `offset_commit_cb`.
    pub(crate) fn commit_sync(&self, parts: Option<&[TopicPartition]>) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = parts.map(NativeTpl::from_partitions).transpose()?;
        let queue = self
            .new_queue()
            .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, "no queue"))?;
        self.commit_to_queue(tpl.as_ref(), &queue)?;
        // The result arrives once the request completes or times out in
        // librdkafka, with one exception: once the group has terminated (a
        // close finished leaving it, e.g. while an `on_revoke` that commits
        // was still running for a rebalance the close had overtaken),
        // librdkafka drops commit requests without answering them. The
        // 300 s bound only guards against anything else of that kind.
        let deadline = crate::timeout::Deadline::after(std::time::Duration::from_secs(300));
        loop {
            if let Some(r) = self.wait_commit_result(&queue, 200) {
                return r;
            }
            if let Some(r) = self.commit_abandoned(&queue) {
                return r;
            }
            if deadline.expired() {
                return Err(KafkaError::new(
                    ErrorCode::TIMED_OUT,
                    "commit: no result from librdkafka",
                ));
            }
        }
    }

    /// Starts a commit whose result goes to `queue` (not to the
    /// `offset_commit_cb`: a per-call callback is given, which librdkafka
    /// takes as meaning "this caller handles the result").
    ///
    /// Corresponds to `rd_kafka_commit_queue`.
    pub(crate) fn commit_to_queue(&self, tpl: Option<&NativeTpl>, queue: &NativeQueue) -> Result<(), KafkaError> {
        let p = tpl.map(|t| t.as_ptr() as *const _).unwrap_or(std::ptr::null());
        // SAFETY: valid handle, list (or null) and queue.
        let err = unsafe {
            sys::rd_kafka_commit_queue(
                self.as_ptr(),
                p,
                queue.as_ptr(),
                Some(super::callbacks::noop_commit_trampoline),
                std::ptr::null_mut(),
            )
        };
        check(err, "commit failed")
    }

    /// The result of a commit started with [`Self::commit_to_queue`], if it
    /// has arrived (waiting up to `timeout_ms`).
    pub(crate) fn wait_commit_result(
        &self,
        queue: &NativeQueue,
        timeout_ms: i32,
    ) -> Option<Result<Vec<TopicPartition>, KafkaError>> {
        let mut t = timeout_ms;
        loop {
            let ev = queue.poll(t)?;
            t = 0;
            if ev.kind() != sys::RD_KAFKA_EVENT_OFFSET_COMMIT {
                continue;
            }
            let results = ev.partitions();
            let code = ev.error_code();
            return Some(if code == ErrorCode::NO_ERROR {
                Ok(results)
            } else {
                let e = KafkaError::new(code, ev.error().map(|e| e.message().to_string()).unwrap_or_default());
                Err(e.with_results(results))
            });
        }
    }

    /// The result of a commit started with [`Self::commit_to_queue`] that
    /// will never arrive because the group terminated: `Some(error)` then.
    pub(crate) fn commit_abandoned(&self, queue: &NativeQueue) -> Option<Result<Vec<TopicPartition>, KafkaError>> {
        if !self.consumer_closed() {
            return None;
        }
        Some(self.commit_result(queue).unwrap_or_else(|| Err(commit_after_close())))
    }

    /// Non-blocking [`Self::wait_commit_result`].
    pub(crate) fn commit_result(&self, queue: &NativeQueue) -> Option<Result<Vec<TopicPartition>, KafkaError>> {
        self.wait_commit_result(queue, 0)
    }

    /// Corresponds to `rd_kafka_offsets_store`.
    pub(crate) fn offsets_store(&self, parts: &[TopicPartition]) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list (updated with per-partition errors).
        let err = unsafe { sys::rd_kafka_offsets_store(self.as_ptr(), tpl.as_ptr()) };
        let results = tpl.to_partitions();
        if err != 0 {
            return Err(KafkaError::from_code(ErrorCode(err)).with_results(results));
        }
        Ok(results)
    }

    /// Corresponds to `rd_kafka_committed`.
    pub(crate) fn committed(
        &self,
        parts: &[TopicPartition],
        timeout_ms: i32,
    ) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list (updated in place).
        check(
            unsafe { sys::rd_kafka_committed(self.as_ptr(), tpl.as_ptr(), timeout_ms) },
            "committed failed",
        )?;
        Ok(tpl.to_partitions())
    }

    /// Corresponds to `rd_kafka_position`.
    pub(crate) fn position(&self, parts: &[TopicPartition]) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list (updated in place).
        check(
            unsafe { sys::rd_kafka_position(self.as_ptr(), tpl.as_ptr()) },
            "position failed",
        )?;
        Ok(tpl.to_partitions())
    }

    /// Corresponds to `rd_kafka_seek_partitions`.
    pub(crate) fn seek_partitions(
        &self,
        parts: &[TopicPartition],
        timeout_ms: i32,
    ) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list (updated in place); error is ours.
        check_error(unsafe { sys::rd_kafka_seek_partitions(self.as_ptr(), tpl.as_ptr(), timeout_ms) })?;
        Ok(tpl.to_partitions())
    }

    /// Corresponds to `rd_kafka_pause_partitions` / `rd_kafka_resume_partitions`.
    pub(crate) fn pause_resume(
        &self,
        pause: bool,
        parts: &[TopicPartition],
    ) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list (updated in place).
        let err = unsafe {
            if pause {
                sys::rd_kafka_pause_partitions(self.as_ptr(), tpl.as_ptr())
            } else {
                sys::rd_kafka_resume_partitions(self.as_ptr(), tpl.as_ptr())
            }
        };
        check(err, if pause { "pause failed" } else { "resume failed" })?;
        Ok(tpl.to_partitions())
    }

    /// Corresponds to `rd_kafka_query_watermark_offsets` (or, cached,
    /// `rd_kafka_get_watermark_offsets`).
    pub(crate) fn watermarks(
        &self,
        topic: &str,
        partition: i32,
        timeout_ms: Option<i32>,
    ) -> Result<(i64, i64), KafkaError> {
        let t = c_string("topic name", topic)?;
        let (mut lo, mut hi) = (-1001i64, -1001i64);
        // SAFETY: valid handle, string and out-pointers.
        let err = unsafe {
            match timeout_ms {
                Some(ms) => {
                    sys::rd_kafka_query_watermark_offsets(self.as_ptr(), t.as_ptr(), partition, &mut lo, &mut hi, ms)
                }
                None => sys::rd_kafka_get_watermark_offsets(self.as_ptr(), t.as_ptr(), partition, &mut lo, &mut hi),
            }
        };
        check(err, "watermark offsets")?;
        Ok((lo, hi))
    }

    /// Corresponds to `rd_kafka_offsets_for_times`.
    pub(crate) fn offsets_for_times(
        &self,
        parts: &[TopicPartition],
        timeout_ms: i32,
    ) -> Result<Vec<TopicPartition>, KafkaError> {
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid handle and list (updated in place).
        check(
            unsafe { sys::rd_kafka_offsets_for_times(self.as_ptr(), tpl.as_ptr(), timeout_ms) },
            "offsets_for_times",
        )?;
        Ok(tpl.to_partitions())
    }

    /// Corresponds to `rd_kafka_consumer_group_metadata` (None without a group).
    pub(crate) fn group_metadata(&self) -> Option<super::NativeCgMetadata> {
        // SAFETY: valid handle; the object returned is ours.
        unsafe { super::NativeCgMetadata::from_ptr(sys::rd_kafka_consumer_group_metadata(self.as_ptr())) }
    }

    /// Corresponds to `rd_kafka_queue_new`.
    pub(crate) fn new_queue(&self) -> Option<NativeQueue> {
        // SAFETY: valid handle; the queue reference returned is ours.
        unsafe { NativeQueue::from_raw(sys::rd_kafka_queue_new(self.as_ptr())) }
    }

    /// Corresponds to `rd_kafka_consumer_close_queue`.
    pub(crate) fn consumer_close_queue(&self, queue: &NativeQueue) -> Result<(), KafkaError> {
        // SAFETY: valid handle and queue.
        check_error(unsafe { sys::rd_kafka_consumer_close_queue(self.as_ptr(), queue.as_ptr()) })
    }

    /// Corresponds to `rd_kafka_consumer_closed`.
    pub(crate) fn consumer_closed(&self) -> bool {
        // SAFETY: valid handle.
        unsafe { sys::rd_kafka_consumer_closed(self.as_ptr()) != 0 }
    }
}

/// The error of a commit that librdkafka dropped because the consumer's
/// group had terminated (the consumer was closed meanwhile).
fn commit_after_close() -> KafkaError {
    KafkaError::new(
        ErrorCode::DESTROY,
        "commit: the consumer left its group (closed) before the commit was sent",
    )
}
