//! `rd_kafka_mock_cluster_t` (librdkafka's in-process mock cluster).
//!
//! librdkafka's mock API trusts its caller: a broker id of -1 means "every
//! broker" (and `rd_kafka_mock_broker_decommission(-1)` frees list nodes
//! while iterating the list: a crash), a negative partition indexes before
//! the partition array, an unknown broker id is silently ignored by the
//! `void` functions, and several millisecond arguments are multiplied by
//! 1000 in a C `int`. Every method here therefore validates its arguments
//! against what `rdkafka_mock.c` (2.12.1) accepts before calling C, and
//! reports a bad one as `_INVALID_ARG` naming it.

use super::error::{c_string, check};
use super::owned::Owned;
use super::{sys, NativeClient, NativeTpl};
use crate::error::{ErrorCode, KafkaError};
use std::collections::BTreeSet;
use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use std::sync::{Mutex, MutexGuard};

/// The most partitions a mock topic may have (create, or auto-create by
/// naming partition `n - 1`): librdkafka allocates them all up front.
pub(crate) const MAX_PARTITIONS: i32 = 100_000;

/// The longest duration, in ms, librdkafka's mock multiplies by 1000 in a C
/// `int` without overflowing (session timeouts, rebalance delays).
pub(crate) const MAX_MOCK_MS: i32 = i32::MAX / 1000;

/// The longest advertised host name a mock broker keeps
/// (`rd_kafka_mock_broker_t.advertised_listener` is `char[128]`).
pub(crate) const MAX_HOST_LEN: usize = 127;

/// The number of request types librdkafka 2.12.1 knows (`RD_KAFKAP__NUM`);
/// API keys `0..API_KEY_COUNT` can be narrowed or disabled.
pub(crate) const API_KEY_COUNT: i16 = 74;

/// An owned mock cluster. Field order matters: the cluster is destroyed
/// (in `Drop`) before the client handle it runs on.
pub(crate) struct NativeMockCluster {
    // First: fields drop in order, so the object is destroyed before
    // the ones below.
    ptr: Owned<sys::rd_kafka_mock_cluster_t>,
    /// The ids of the brokers the cluster has now (`1..=N` at creation,
    /// then changed by `broker_add` / `broker_decommission`). Held across
    /// every call that names a broker, so a check and the call it guards
    /// see the same set.
    brokers: Mutex<BTreeSet<i32>>,
    _client: NativeClient,
}

// SAFETY: every rd_kafka_mock_* function either takes the cluster lock or
// posts an op to the mock thread; they may be called from any thread. The
// broker set is behind a Mutex.
unsafe impl Send for NativeMockCluster {}
// SAFETY: as above.
unsafe impl Sync for NativeMockCluster {}

/// One tracked request.
pub(crate) struct NativeMockRequest {
    pub broker_id: i32,
    pub api_key: i16,
    pub timestamp_us: i64,
}

/// A topic name: not empty, no NUL.
fn topic_cstr(op: &str, topic: &str) -> Result<CString, KafkaError> {
    if topic.is_empty() {
        return Err(KafkaError::invalid_arg(format!("{op}: the topic name is empty")));
    }
    c_string(&format!("{op}: topic name"), topic)
}

/// A partition index: `0..MAX_PARTITIONS` (librdkafka indexes its array
/// with it, and auto-creates an unknown topic with `partition + 1`
/// partitions).
fn check_partition(op: &str, partition: i32) -> Result<(), KafkaError> {
    if (0..MAX_PARTITIONS).contains(&partition) {
        Ok(())
    } else {
        Err(KafkaError::invalid_arg(format!(
            "{op}: partition {partition} is out of range (0 to {})",
            MAX_PARTITIONS - 1
        )))
    }
}

impl NativeMockCluster {
    /// Corresponds to `rd_kafka_mock_cluster_new`, on a dedicated handle.
    pub(crate) fn new(client: NativeClient, brokers: i32) -> Result<Self, KafkaError> {
        if brokers < 1 {
            return Err(KafkaError::invalid_arg(format!(
                "a mock cluster needs at least 1 broker, not {brokers}"
            )));
        }
        // SAFETY: valid handle; the cluster is destroyed before the handle.
        let p = unsafe { sys::rd_kafka_mock_cluster_new(client.as_ptr(), brokers as c_int) };
        // SAFETY: a new cluster we own, or null.
        match unsafe { Owned::from_ptr(p) } {
            // rd_kafka_mock_cluster_new creates brokers 1..=broker_cnt.
            Some(ptr) => Ok(NativeMockCluster {
                ptr,
                brokers: Mutex::new((1..=brokers).collect()),
                _client: client,
            }),
            None => Err(KafkaError::new(ErrorCode::FAIL, "could not create the mock cluster")),
        }
    }

    fn mc(&self) -> *mut sys::rd_kafka_mock_cluster_t {
        self.ptr.as_ptr()
    }

    fn broker_set(&self) -> MutexGuard<'_, BTreeSet<i32>> {
        // Nothing panics while the lock is held; recover from poisoning anyway.
        self.brokers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The ids of the brokers the cluster has now.
    pub(crate) fn broker_ids(&self) -> Vec<i32> {
        self.broker_set().iter().copied().collect()
    }

    /// Locks the broker set and checks that `broker` is in it: a negative
    /// id (-1 is "every broker" to librdkafka) or an unknown one is an error.
    fn existing_broker(&self, op: &str, broker: i32) -> Result<MutexGuard<'_, BTreeSet<i32>>, KafkaError> {
        let set = self.broker_set();
        if broker < 0 {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: broker {broker} is negative (broker ids are 0 or more; librdkafka reads -1 as every broker)"
            )));
        }
        if !set.contains(&broker) {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: broker {broker} is not in this mock cluster (brokers: {set:?})"
            )));
        }
        Ok(set)
    }

    /// As [`existing_broker`](Self::existing_broker), but -1 ("none") is
    /// allowed too.
    fn broker_or_none(&self, op: &str, broker: i32) -> Result<MutexGuard<'_, BTreeSet<i32>>, KafkaError> {
        if broker == -1 {
            Ok(self.broker_set())
        } else {
            self.existing_broker(op, broker)
        }
    }

    /// Corresponds to `rd_kafka_mock_cluster_bootstraps`.
    pub(crate) fn bootstraps(&self) -> String {
        // SAFETY: the string lives as long as the cluster; we copy it.
        unsafe { super::cstr_owned(sys::rd_kafka_mock_cluster_bootstraps(self.mc())) }
    }

    pub(crate) fn topic_create(&self, topic: &str, partitions: i32, rf: i32) -> Result<(), KafkaError> {
        let op = "create_topic";
        let t = topic_cstr(op, topic)?;
        if !(1..=MAX_PARTITIONS).contains(&partitions) {
            return Err(KafkaError::invalid_arg(format!(
                "{op}({topic:?}): partitions must be 1 to {MAX_PARTITIONS}, not {partitions}"
            )));
        }
        let set = self.broker_set();
        if rf < 1 || rf as usize > set.len() {
            return Err(KafkaError::invalid_arg(format!(
                "{op}({topic:?}): replication factor must be 1 to {} (the broker count), not {rf}",
                set.len()
            )));
        }
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_topic_create(self.mc(), t.as_ptr(), partitions, rf) },
            op,
        )
    }

    pub(crate) fn topic_set_error(&self, topic: &str, err: ErrorCode) -> Result<(), KafkaError> {
        let t = topic_cstr("set_topic_error", topic)?;
        // SAFETY: valid cluster and string.
        unsafe { sys::rd_kafka_mock_topic_set_error(self.mc(), t.as_ptr(), err.0) };
        Ok(())
    }

    pub(crate) fn partition_set_leader(&self, topic: &str, partition: i32, broker: i32) -> Result<(), KafkaError> {
        let op = "set_partition_leader";
        let t = topic_cstr(op, topic)?;
        check_partition(op, partition)?;
        let _set = self.broker_or_none(op, broker)?;
        // SAFETY: valid cluster and string; partition in range; broker -1 or known.
        check(
            unsafe { sys::rd_kafka_mock_partition_set_leader(self.mc(), t.as_ptr(), partition, broker) },
            op,
        )
    }

    pub(crate) fn partition_set_follower(&self, topic: &str, partition: i32, broker: i32) -> Result<(), KafkaError> {
        let op = "set_partition_follower";
        let t = topic_cstr(op, topic)?;
        check_partition(op, partition)?;
        let _set = self.broker_or_none(op, broker)?;
        // SAFETY: valid cluster and string; partition in range.
        check(
            unsafe { sys::rd_kafka_mock_partition_set_follower(self.mc(), t.as_ptr(), partition, broker) },
            op,
        )
    }

    pub(crate) fn partition_set_follower_wmarks(
        &self,
        topic: &str,
        partition: i32,
        lo: i64,
        hi: i64,
    ) -> Result<(), KafkaError> {
        let op = "set_partition_follower_watermarks";
        let t = topic_cstr(op, topic)?;
        check_partition(op, partition)?;
        for (name, v) in [("low", lo), ("high", hi)] {
            if v < -1 {
                return Err(KafkaError::invalid_arg(format!(
                    "{op}: the {name} watermark {v} is negative (an offset, or -1 for the leader's)"
                )));
            }
        }
        if lo >= 0 && hi >= 0 && lo > hi {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: the low watermark {lo} is above the high watermark {hi}"
            )));
        }
        // SAFETY: valid cluster and string; partition in range.
        check(
            unsafe { sys::rd_kafka_mock_partition_set_follower_wmarks(self.mc(), t.as_ptr(), partition, lo, hi) },
            op,
        )
    }

    pub(crate) fn partition_push_leader_response(
        &self,
        topic: &str,
        partition: i32,
        leader: i32,
        epoch: i32,
    ) -> Result<(), KafkaError> {
        let op = "push_partition_leader_response";
        let t = topic_cstr(op, topic)?;
        check_partition(op, partition)?;
        if leader < -1 {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: leader id {leader} is negative (a broker id, or -1 for none)"
            )));
        }
        if epoch < -1 {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: leader epoch {epoch} is negative (an epoch, or -1 for none)"
            )));
        }
        // SAFETY: valid cluster and string; partition in range.
        check(
            unsafe {
                sys::rd_kafka_mock_partition_push_leader_response(self.mc(), t.as_ptr(), partition, leader, epoch)
            },
            op,
        )
    }

    pub(crate) fn broker_set_down(&self, broker: i32) -> Result<(), KafkaError> {
        let _set = self.existing_broker("broker_down", broker)?;
        // SAFETY: valid cluster; a known broker id (never -1, "all").
        check(
            unsafe { sys::rd_kafka_mock_broker_set_down(self.mc(), broker) },
            "broker_down",
        )
    }

    pub(crate) fn broker_set_up(&self, broker: i32) -> Result<(), KafkaError> {
        let _set = self.existing_broker("broker_up", broker)?;
        // SAFETY: valid cluster; a known broker id (never -1, "all").
        check(
            unsafe { sys::rd_kafka_mock_broker_set_up(self.mc(), broker) },
            "broker_up",
        )
    }

    pub(crate) fn broker_set_rtt(&self, broker: i32, rtt_ms: i32) -> Result<(), KafkaError> {
        let op = "set_broker_rtt";
        let _set = self.existing_broker(op, broker)?;
        if rtt_ms < 0 {
            return Err(KafkaError::invalid_arg(format!("{op}: rtt {rtt_ms} ms is negative")));
        }
        // SAFETY: valid cluster; a known broker id (never -1, "all").
        check(
            unsafe { sys::rd_kafka_mock_broker_set_rtt(self.mc(), broker, rtt_ms) },
            op,
        )
    }

    pub(crate) fn broker_set_rack(&self, broker: i32, rack: &str) -> Result<(), KafkaError> {
        let op = "set_broker_rack";
        let r = c_string(&format!("{op}: rack"), rack)?;
        let _set = self.existing_broker(op, broker)?;
        // SAFETY: valid cluster and string; a known broker id (never -1, "all").
        check(
            unsafe { sys::rd_kafka_mock_broker_set_rack(self.mc(), broker, r.as_ptr()) },
            op,
        )
    }

    pub(crate) fn broker_set_host_port(&self, broker: i32, host: &str, port: u16) -> Result<(), KafkaError> {
        let op = "set_broker_host_port";
        let h = c_string(&format!("{op}: host"), host)?;
        if host.is_empty() || host.len() > MAX_HOST_LEN {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: the host must be 1 to {MAX_HOST_LEN} bytes long, not {}",
                host.len()
            )));
        }
        if port == 0 {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: port {port} is out of range (1 to 65535)"
            )));
        }
        // rd_kafka_mock_broker_set_host_port returns void and does nothing
        // for an unknown broker: the lock held here makes this check final.
        let _set = self.existing_broker(op, broker)?;
        // SAFETY: valid cluster and string (copied).
        unsafe { sys::rd_kafka_mock_broker_set_host_port(self.mc(), broker, h.as_ptr(), i32::from(port)) };
        Ok(())
    }

    pub(crate) fn broker_decommission(&self, broker: i32) -> Result<(), KafkaError> {
        let op = "decommission_broker";
        let mut set = self.existing_broker(op, broker)?;
        // SAFETY: valid cluster; a known broker id (never -1, "all", which
        // crashes librdkafka 2.12.1).
        check(unsafe { sys::rd_kafka_mock_broker_decommission(self.mc(), broker) }, op)?;
        set.remove(&broker);
        Ok(())
    }

    pub(crate) fn broker_add(&self, broker: i32) -> Result<(), KafkaError> {
        let op = "add_broker";
        let mut set = self.broker_set();
        if broker < 0 {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: broker {broker} is negative (broker ids are 0 or more)"
            )));
        }
        if set.contains(&broker) {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: broker {broker} already exists (brokers: {set:?})"
            )));
        }
        // SAFETY: valid cluster.
        check(unsafe { sys::rd_kafka_mock_broker_add(self.mc(), broker) }, op)?;
        set.insert(broker);
        Ok(())
    }

    pub(crate) fn coordinator_set(&self, key_type: &str, key: &str, broker: i32) -> Result<(), KafkaError> {
        let op = "set_coordinator";
        let kt = c_string(&format!("{op}: coordinator type"), key_type)?;
        let k = c_string(&format!("{op}: key"), key)?;
        // librdkafka stores any id, and then answers FindCoordinator with a
        // broker that does not exist.
        let _set = self.existing_broker(op, broker)?;
        // SAFETY: valid cluster and strings.
        check(
            unsafe { sys::rd_kafka_mock_coordinator_set(self.mc(), kt.as_ptr(), k.as_ptr(), broker) },
            op,
        )
    }

    pub(crate) fn set_apiversion(&self, api_key: i16, min: i16, max: i16) -> Result<(), KafkaError> {
        let op = "set_api_version";
        if !(0..API_KEY_COUNT).contains(&api_key) {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: API key {api_key} is out of range (0 to {})",
                API_KEY_COUNT - 1
            )));
        }
        let disable = min == -1 && max == -1;
        let range = 0 <= min && min <= max;
        if !(disable || range) {
            return Err(KafkaError::invalid_arg(format!(
                "{op}: versions {min}..={max} are not a range (need 0 <= min <= max, or -1, -1 to disable)"
            )));
        }
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_set_apiversion(self.mc(), api_key, min, max) },
            op,
        )
    }

    pub(crate) fn push_request_errors(&self, api_key: i16, errors: &[ErrorCode]) {
        let codes: Vec<i32> = errors.iter().map(|e| e.0).collect();
        // SAFETY: valid cluster; the array is read during the call. Any
        // api_key is safe: it keys a list of error stacks (one never
        // consumed for a key no request has).
        unsafe { sys::rd_kafka_mock_push_request_errors_array(self.mc(), api_key, codes.len(), codes.as_ptr()) }
    }

    pub(crate) fn clear_request_errors(&self, api_key: i16) {
        // SAFETY: valid cluster; any api_key is safe (a list lookup).
        unsafe { sys::rd_kafka_mock_clear_request_errors(self.mc(), api_key) }
    }

    pub(crate) fn broker_push_request_error_rtts(
        &self,
        broker: i32,
        api_key: i16,
        errors: &[(ErrorCode, i32)],
    ) -> Result<(), KafkaError> {
        let op = "push_broker_request_errors";
        let _set = self.existing_broker(op, broker)?;
        if let Some((_, rtt)) = errors.iter().find(|(_, rtt)| *rtt < 0) {
            return Err(KafkaError::invalid_arg(format!("{op}: delay {rtt} ms is negative")));
        }
        for (err, rtt) in errors {
            // SAFETY: valid cluster; the variadic tuple is (error, int rtt),
            // passed one at a time (the stack appends in order).
            let res = unsafe {
                sys::rd_kafka_mock_broker_push_request_error_rtts(
                    self.mc(),
                    broker,
                    api_key,
                    1,
                    err.0 as c_int,
                    *rtt as c_int,
                )
            };
            check(res, op)?;
        }
        Ok(())
    }

    pub(crate) fn broker_error_stack_cnt(&self, broker: i32, api_key: i16) -> Result<usize, KafkaError> {
        let op = "broker_error_count";
        let _set = self.existing_broker(op, broker)?;
        let mut n: usize = 0;
        // SAFETY: valid cluster and out-pointer.
        check(
            unsafe { sys::rd_kafka_mock_broker_error_stack_cnt(self.mc(), broker, api_key, &mut n) },
            op,
        )?;
        Ok(n)
    }

    /// `delay_ms` is clamped to `0..=MAX_MOCK_MS`.
    pub(crate) fn group_initial_rebalance_delay_ms(&self, delay_ms: i32) {
        let ms = delay_ms.clamp(0, MAX_MOCK_MS);
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_group_initial_rebalance_delay_ms(self.mc(), ms) }
    }

    /// `ms` is clamped to `1..=MAX_MOCK_MS`.
    pub(crate) fn set_group_consumer_session_timeout_ms(&self, ms: i32) {
        let ms = ms.clamp(1, MAX_MOCK_MS);
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_set_group_consumer_session_timeout_ms(self.mc(), ms) }
    }

    /// `ms` is clamped to `1..=MAX_MOCK_MS`.
    pub(crate) fn set_group_consumer_heartbeat_interval_ms(&self, ms: i32) {
        let ms = ms.clamp(1, MAX_MOCK_MS);
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(self.mc(), ms) }
    }

    pub(crate) fn start_request_tracking(&self) {
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_start_request_tracking(self.mc()) }
    }

    pub(crate) fn stop_request_tracking(&self) {
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_stop_request_tracking(self.mc()) }
    }

    pub(crate) fn clear_requests(&self) {
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_clear_requests(self.mc()) }
    }

    pub(crate) fn get_requests(&self) -> Vec<NativeMockRequest> {
        let mut n: usize = 0;
        // SAFETY: valid cluster; the array and requests are ours to destroy.
        unsafe {
            let arr = sys::rd_kafka_mock_get_requests(self.mc(), &mut n);
            if arr.is_null() {
                return Vec::new();
            }
            let out = std::slice::from_raw_parts(arr, n)
                .iter()
                .map(|&r| NativeMockRequest {
                    broker_id: sys::rd_kafka_mock_request_id(r),
                    api_key: sys::rd_kafka_mock_request_api_key(r),
                    timestamp_us: sys::rd_kafka_mock_request_timestamp(r),
                })
                .collect();
            sys::rd_kafka_mock_request_destroy_array(arr, n);
            out
        }
    }

    pub(crate) fn telemetry_set_requested_metrics(&self, metrics: &[&str]) -> Result<(), KafkaError> {
        let cs: Vec<CString> = metrics
            .iter()
            .map(|m| c_string("set_telemetry_requested_metrics: metric name", m))
            .collect::<Result<_, _>>()?;
        let mut ptrs: Vec<*mut c_char> = cs.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        // SAFETY: valid cluster; librdkafka copies the strings.
        check(
            unsafe { sys::rd_kafka_mock_telemetry_set_requested_metrics(self.mc(), ptrs.as_mut_ptr(), ptrs.len()) },
            "telemetry_set_requested_metrics",
        )
    }

    pub(crate) fn telemetry_set_push_interval(&self, ms: i64) -> Result<(), KafkaError> {
        // The mock writes it into an INT32 response field, and reads 0 (or
        // less) as "the default, 5 minutes".
        if !(1..=i32::MAX as i64).contains(&ms) {
            return Err(KafkaError::invalid_arg(format!(
                "set_telemetry_push_interval: interval {ms} ms is out of range (1 to {} ms)",
                i32::MAX
            )));
        }
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_telemetry_set_push_interval(self.mc(), ms) },
            "telemetry_set_push_interval",
        )
    }

    /// Corresponds to `rd_kafka_mock_cgrp_consumer_target_assignment`.
    pub(crate) fn cgrp_consumer_target_assignment(
        &self,
        group_id: &str,
        members: &[(String, Vec<crate::TopicPartition>)],
    ) -> Result<(), KafkaError> {
        let op = "set_consumer_group_target_assignment";
        let g = c_string(&format!("{op}: group id"), group_id)?;
        let ids: Vec<CString> = members
            .iter()
            .map(|(m, _)| c_string(&format!("{op}: member id"), m))
            .collect::<Result<_, _>>()?;
        let mut id_ptrs: Vec<*mut c_char> = ids.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let tpls: Vec<NativeTpl> = members
            .iter()
            .map(|(_, parts)| NativeTpl::from_partitions(parts))
            .collect::<Result<_, _>>()?;
        let member_cnt = c_int::try_from(id_ptrs.len())
            .map_err(|_| KafkaError::invalid_arg(format!("{op}: {} members are too many", id_ptrs.len())))?;
        let mut tpl_ptrs: Vec<*mut sys::rd_kafka_topic_partition_list_t> = tpls.iter().map(|t| t.as_ptr()).collect();
        // SAFETY: arrays and lists valid for the call; librdkafka copies
        // them into the target assignment, which we destroy after use.
        unsafe {
            let ta = sys::rd_kafka_mock_cgrp_consumer_target_assignment_new(
                id_ptrs.as_mut_ptr(),
                member_cnt,
                tpl_ptrs.as_mut_ptr(),
            );
            if ta.is_null() {
                return Err(KafkaError::invalid_arg(format!("{op}: invalid target assignment")));
            }
            sys::rd_kafka_mock_cgrp_consumer_target_assignment(self.mc(), g.as_ptr(), ta);
            sys::rd_kafka_mock_cgrp_consumer_target_assignment_destroy(ta);
        }
        Ok(())
    }
}
