//! `rd_kafka_mock_cluster_t` (librdkafka's in-process mock cluster).

use super::{sys, NativeClient, NativeTpl};
use crate::error::{ErrorCode, KafkaError};
use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use std::ptr::NonNull;

/// An owned mock cluster. Field order matters: the cluster is destroyed
/// before the client handle it runs on.
pub(crate) struct NativeMockCluster {
    ptr: NonNull<sys::rd_kafka_mock_cluster_t>,
    _client: NativeClient,
}

// SAFETY: every rd_kafka_mock_* function either takes the cluster lock or
// posts an op to the mock thread; they may be called from any thread.
unsafe impl Send for NativeMockCluster {}
// SAFETY: as above.
unsafe impl Sync for NativeMockCluster {}

/// One tracked request.
pub(crate) struct NativeMockRequest {
    pub broker_id: i32,
    pub api_key: i16,
    pub timestamp_us: i64,
}

fn cstr(what: &str, s: &str) -> Result<CString, KafkaError> {
    CString::new(s).map_err(|_| KafkaError::invalid_arg(format!("{what} {s:?} contains a NUL byte")))
}

fn check(err: i32, what: &str) -> Result<(), KafkaError> {
    if err == 0 {
        Ok(())
    } else {
        Err(KafkaError::from_code(ErrorCode(err)).context(what))
    }
}

impl NativeMockCluster {
    /// Corresponds to `rd_kafka_mock_cluster_new`, on a dedicated handle.
    pub(crate) fn new(client: NativeClient, brokers: i32) -> Result<Self, KafkaError> {
        // SAFETY: valid handle; the cluster is destroyed before the handle.
        let p = unsafe { sys::rd_kafka_mock_cluster_new(client.as_ptr(), brokers as c_int) };
        match NonNull::new(p) {
            Some(ptr) => Ok(NativeMockCluster { ptr, _client: client }),
            None => Err(KafkaError::new(ErrorCode::FAIL, "could not create the mock cluster")),
        }
    }

    fn mc(&self) -> *mut sys::rd_kafka_mock_cluster_t {
        self.ptr.as_ptr()
    }

    /// Corresponds to `rd_kafka_mock_cluster_bootstraps`.
    pub(crate) fn bootstraps(&self) -> String {
        // SAFETY: the string lives as long as the cluster; we copy it.
        unsafe { super::cstr_owned(sys::rd_kafka_mock_cluster_bootstraps(self.mc())) }
    }

    pub(crate) fn topic_create(&self, topic: &str, partitions: i32, rf: i32) -> Result<(), KafkaError> {
        let t = cstr("topic name", topic)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_topic_create(self.mc(), t.as_ptr(), partitions, rf) },
            "topic_create",
        )
    }

    pub(crate) fn topic_set_error(&self, topic: &str, err: ErrorCode) -> Result<(), KafkaError> {
        let t = cstr("topic name", topic)?;
        // SAFETY: valid cluster and string.
        unsafe { sys::rd_kafka_mock_topic_set_error(self.mc(), t.as_ptr(), err.0) };
        Ok(())
    }

    pub(crate) fn partition_set_leader(&self, topic: &str, partition: i32, broker: i32) -> Result<(), KafkaError> {
        let t = cstr("topic name", topic)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_partition_set_leader(self.mc(), t.as_ptr(), partition, broker) },
            "partition_set_leader",
        )
    }

    pub(crate) fn partition_set_follower(&self, topic: &str, partition: i32, broker: i32) -> Result<(), KafkaError> {
        let t = cstr("topic name", topic)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_partition_set_follower(self.mc(), t.as_ptr(), partition, broker) },
            "partition_set_follower",
        )
    }

    pub(crate) fn partition_set_follower_wmarks(
        &self,
        topic: &str,
        partition: i32,
        lo: i64,
        hi: i64,
    ) -> Result<(), KafkaError> {
        let t = cstr("topic name", topic)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_partition_set_follower_wmarks(self.mc(), t.as_ptr(), partition, lo, hi) },
            "partition_set_follower_wmarks",
        )
    }

    pub(crate) fn partition_push_leader_response(
        &self,
        topic: &str,
        partition: i32,
        leader: i32,
        epoch: i32,
    ) -> Result<(), KafkaError> {
        let t = cstr("topic name", topic)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe {
                sys::rd_kafka_mock_partition_push_leader_response(self.mc(), t.as_ptr(), partition, leader, epoch)
            },
            "partition_push_leader_response",
        )
    }

    pub(crate) fn broker_set_down(&self, broker: i32) -> Result<(), KafkaError> {
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_broker_set_down(self.mc(), broker) },
            "broker_set_down",
        )
    }

    pub(crate) fn broker_set_up(&self, broker: i32) -> Result<(), KafkaError> {
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_broker_set_up(self.mc(), broker) },
            "broker_set_up",
        )
    }

    pub(crate) fn broker_set_rtt(&self, broker: i32, rtt_ms: i32) -> Result<(), KafkaError> {
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_broker_set_rtt(self.mc(), broker, rtt_ms) },
            "broker_set_rtt",
        )
    }

    pub(crate) fn broker_set_rack(&self, broker: i32, rack: &str) -> Result<(), KafkaError> {
        let r = cstr("rack", rack)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_broker_set_rack(self.mc(), broker, r.as_ptr()) },
            "broker_set_rack",
        )
    }

    pub(crate) fn broker_set_host_port(&self, broker: i32, host: &str, port: i32) -> Result<(), KafkaError> {
        let h = cstr("host", host)?;
        // SAFETY: valid cluster and string.
        check(
            unsafe { sys::rd_kafka_mock_broker_set_host_port(self.mc(), broker, h.as_ptr(), port) },
            "broker_set_host_port",
        )
    }

    pub(crate) fn broker_decommission(&self, broker: i32) -> Result<(), KafkaError> {
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_broker_decommission(self.mc(), broker) },
            "broker_decommission",
        )
    }

    pub(crate) fn broker_add(&self, broker: i32) -> Result<(), KafkaError> {
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_broker_add(self.mc(), broker) },
            "broker_add",
        )
    }

    pub(crate) fn coordinator_set(&self, key_type: &str, key: &str, broker: i32) -> Result<(), KafkaError> {
        let kt = cstr("coordinator type", key_type)?;
        let k = cstr("coordinator key", key)?;
        // SAFETY: valid cluster and strings.
        check(
            unsafe { sys::rd_kafka_mock_coordinator_set(self.mc(), kt.as_ptr(), k.as_ptr(), broker) },
            "coordinator_set",
        )
    }

    pub(crate) fn set_apiversion(&self, api_key: i16, min: i16, max: i16) -> Result<(), KafkaError> {
        // SAFETY: valid cluster.
        check(
            unsafe { sys::rd_kafka_mock_set_apiversion(self.mc(), api_key, min, max) },
            "set_apiversion",
        )
    }

    pub(crate) fn push_request_errors(&self, api_key: i16, errors: &[ErrorCode]) {
        let codes: Vec<i32> = errors.iter().map(|e| e.0).collect();
        // SAFETY: valid cluster; the array is read during the call.
        unsafe { sys::rd_kafka_mock_push_request_errors_array(self.mc(), api_key, codes.len(), codes.as_ptr()) }
    }

    pub(crate) fn clear_request_errors(&self, api_key: i16) {
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_clear_request_errors(self.mc(), api_key) }
    }

    pub(crate) fn broker_push_request_error_rtts(
        &self,
        broker: i32,
        api_key: i16,
        errors: &[(ErrorCode, i32)],
    ) -> Result<(), KafkaError> {
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
            check(res, "broker_push_request_error_rtts")?;
        }
        Ok(())
    }

    pub(crate) fn broker_error_stack_cnt(&self, broker: i32, api_key: i16) -> Result<usize, KafkaError> {
        let mut n: usize = 0;
        // SAFETY: valid cluster and out-pointer.
        check(
            unsafe { sys::rd_kafka_mock_broker_error_stack_cnt(self.mc(), broker, api_key, &mut n) },
            "broker_error_stack_cnt",
        )?;
        Ok(n)
    }

    pub(crate) fn group_initial_rebalance_delay_ms(&self, delay_ms: i32) {
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_group_initial_rebalance_delay_ms(self.mc(), delay_ms) }
    }

    pub(crate) fn set_group_consumer_session_timeout_ms(&self, ms: i32) {
        // SAFETY: valid cluster.
        unsafe { sys::rd_kafka_mock_set_group_consumer_session_timeout_ms(self.mc(), ms) }
    }

    pub(crate) fn set_group_consumer_heartbeat_interval_ms(&self, ms: i32) {
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
            .map(|m| cstr("metric name", m))
            .collect::<Result<_, _>>()?;
        let mut ptrs: Vec<*mut c_char> = cs.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        // SAFETY: valid cluster; librdkafka copies the strings.
        check(
            unsafe { sys::rd_kafka_mock_telemetry_set_requested_metrics(self.mc(), ptrs.as_mut_ptr(), ptrs.len()) },
            "telemetry_set_requested_metrics",
        )
    }

    pub(crate) fn telemetry_set_push_interval(&self, ms: i64) -> Result<(), KafkaError> {
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
        let g = cstr("group id", group_id)?;
        let ids: Vec<CString> = members
            .iter()
            .map(|(m, _)| cstr("member id", m))
            .collect::<Result<_, _>>()?;
        let mut id_ptrs: Vec<*mut c_char> = ids.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let tpls: Vec<NativeTpl> = members
            .iter()
            .map(|(_, parts)| NativeTpl::from_partitions(parts))
            .collect::<Result<_, _>>()?;
        let mut tpl_ptrs: Vec<*mut sys::rd_kafka_topic_partition_list_t> = tpls.iter().map(|t| t.as_ptr()).collect();
        // SAFETY: arrays and lists valid for the call; librdkafka copies
        // them into the target assignment, which we destroy after use.
        unsafe {
            let ta = sys::rd_kafka_mock_cgrp_consumer_target_assignment_new(
                id_ptrs.as_mut_ptr(),
                id_ptrs.len() as c_int,
                tpl_ptrs.as_mut_ptr(),
            );
            if ta.is_null() {
                return Err(KafkaError::invalid_arg("invalid target assignment"));
            }
            sys::rd_kafka_mock_cgrp_consumer_target_assignment(self.mc(), g.as_ptr(), ta);
            sys::rd_kafka_mock_cgrp_consumer_target_assignment_destroy(ta);
        }
        Ok(())
    }
}

impl Drop for NativeMockCluster {
    fn drop(&mut self) {
        // SAFETY: we own the cluster; the handle is dropped after it.
        unsafe { sys::rd_kafka_mock_cluster_destroy(self.ptr.as_ptr()) }
    }
}
