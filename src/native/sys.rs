//! Our own thin declarations of the librdkafka C API.
//!
//! `rdkafka-sys` compiles and links librdkafka 2.12.1, but its bindgen output
//! turns every C enum into a Rust enum (`--rustified-enum`). A C function that
//! returns `rd_kafka_resp_err_t`, or a struct field of that type, can carry a
//! code that this librdkafka does not name (a newer broker's error code is
//! passed through verbatim), and reading such a value as a Rust enum is
//! undefined behaviour (rust-rdkafka #127). So every declaration here uses
//! plain integers for C enums, and the structs librdkafka hands out are
//! redeclared with integer fields. Opaque handle types are our own zero-sized
//! types: only pointers to them ever exist.
//!
//! Nothing outside `native/` sees these declarations.

#![allow(non_camel_case_types, dead_code, missing_docs)]

use libc::{c_char, c_int, c_void, size_t, ssize_t};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {
        $(
            #[repr(C)]
            pub struct $name {
                _private: [u8; 0],
                _not_send_sync: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
            }
        )*
    };
}

opaque!(
    rd_kafka_t,
    rd_kafka_conf_t,
    rd_kafka_topic_conf_t,
    rd_kafka_topic_t,
    rd_kafka_queue_t,
    rd_kafka_event_t,
    rd_kafka_headers_t,
    rd_kafka_error_t,
    rd_kafka_consumer_group_metadata_t,
    rd_kafka_mock_cluster_t,
    rd_kafka_mock_request_t,
    rd_kafka_mock_cgrp_consumer_target_assignment_t,
);

/// `rd_kafka_resp_err_t`, as the integer it is.
pub type rd_kafka_resp_err_t = c_int;

/// `rd_kafka_message_t`, with `err` as an integer.
#[repr(C)]
pub struct rd_kafka_message_t {
    pub err: rd_kafka_resp_err_t,
    pub rkt: *mut rd_kafka_topic_t,
    pub partition: i32,
    pub payload: *mut c_void,
    pub len: size_t,
    pub key: *mut c_void,
    pub key_len: size_t,
    pub offset: i64,
    pub _private: *mut c_void,
}

/// `rd_kafka_topic_partition_t`, with `err` as an integer.
#[repr(C)]
pub struct rd_kafka_topic_partition_t {
    pub topic: *mut c_char,
    pub partition: i32,
    pub offset: i64,
    pub metadata: *mut c_void,
    pub metadata_size: size_t,
    pub opaque: *mut c_void,
    pub err: rd_kafka_resp_err_t,
    pub _private: *mut c_void,
}

#[repr(C)]
pub struct rd_kafka_topic_partition_list_t {
    pub cnt: c_int,
    pub size: c_int,
    pub elems: *mut rd_kafka_topic_partition_t,
}

#[repr(C)]
pub struct rd_kafka_metadata_broker_t {
    pub id: i32,
    pub host: *mut c_char,
    pub port: c_int,
}

#[repr(C)]
pub struct rd_kafka_metadata_partition_t {
    pub id: i32,
    pub err: rd_kafka_resp_err_t,
    pub leader: i32,
    pub replica_cnt: c_int,
    pub replicas: *mut i32,
    pub isr_cnt: c_int,
    pub isrs: *mut i32,
}

#[repr(C)]
pub struct rd_kafka_metadata_topic_t {
    pub topic: *mut c_char,
    pub partition_cnt: c_int,
    pub partitions: *mut rd_kafka_metadata_partition_t,
    pub err: rd_kafka_resp_err_t,
}

#[repr(C)]
pub struct rd_kafka_metadata_t {
    pub broker_cnt: c_int,
    pub brokers: *mut rd_kafka_metadata_broker_t,
    pub topic_cnt: c_int,
    pub topics: *mut rd_kafka_metadata_topic_t,
    pub orig_broker_id: i32,
    pub orig_broker_name: *mut c_char,
}

/// `rd_kafka_vu_t`: one typed argument of `rd_kafka_produceva`.
#[repr(C)]
pub struct rd_kafka_vu_t {
    pub vtype: c_int,
    pub u: rd_kafka_vu_union,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct rd_kafka_vu_mem {
    pub ptr: *mut c_void,
    pub size: size_t,
}

#[repr(C)]
pub union rd_kafka_vu_union {
    pub cstr: *const c_char,
    pub rkt: *mut rd_kafka_topic_t,
    pub i: c_int,
    pub i32_: i32,
    pub i64_: i64,
    pub mem: rd_kafka_vu_mem,
    pub headers: *mut rd_kafka_headers_t,
    pub ptr: *mut c_void,
    pub _pad: [c_char; 64],
}

pub const RD_KAFKA_PRODUCER: c_int = 0;
pub const RD_KAFKA_CONSUMER: c_int = 1;

pub const RD_KAFKA_CONF_UNKNOWN: c_int = -2;
pub const RD_KAFKA_CONF_INVALID: c_int = -1;
pub const RD_KAFKA_CONF_OK: c_int = 0;

pub const RD_KAFKA_VTYPE_END: c_int = 0;
pub const RD_KAFKA_VTYPE_TOPIC: c_int = 1;
pub const RD_KAFKA_VTYPE_RKT: c_int = 2;
pub const RD_KAFKA_VTYPE_PARTITION: c_int = 3;
pub const RD_KAFKA_VTYPE_VALUE: c_int = 4;
pub const RD_KAFKA_VTYPE_KEY: c_int = 5;
pub const RD_KAFKA_VTYPE_OPAQUE: c_int = 6;
pub const RD_KAFKA_VTYPE_MSGFLAGS: c_int = 7;
pub const RD_KAFKA_VTYPE_TIMESTAMP: c_int = 8;
pub const RD_KAFKA_VTYPE_HEADER: c_int = 9;
pub const RD_KAFKA_VTYPE_HEADERS: c_int = 10;

pub const RD_KAFKA_MSG_F_FREE: c_int = 0x1;
pub const RD_KAFKA_MSG_F_COPY: c_int = 0x2;
pub const RD_KAFKA_MSG_F_BLOCK: c_int = 0x4;

pub const RD_KAFKA_PURGE_F_QUEUE: c_int = 0x1;
pub const RD_KAFKA_PURGE_F_INFLIGHT: c_int = 0x2;
pub const RD_KAFKA_PURGE_F_NON_BLOCKING: c_int = 0x4;

pub const RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE: c_int = 0x8;

pub const RD_KAFKA_EVENT_NONE: c_int = 0x0;
pub const RD_KAFKA_EVENT_DR: c_int = 0x1;
pub const RD_KAFKA_EVENT_FETCH: c_int = 0x2;
pub const RD_KAFKA_EVENT_LOG: c_int = 0x4;
pub const RD_KAFKA_EVENT_ERROR: c_int = 0x8;
pub const RD_KAFKA_EVENT_REBALANCE: c_int = 0x10;
pub const RD_KAFKA_EVENT_OFFSET_COMMIT: c_int = 0x20;
pub const RD_KAFKA_EVENT_STATS: c_int = 0x40;
pub const RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH: c_int = 0x100;
pub const RD_KAFKA_EVENT_BACKGROUND: c_int = 0x200;

pub type rd_kafka_throttle_cb = Option<
    unsafe extern "C" fn(
        rk: *mut rd_kafka_t,
        broker_name: *const c_char,
        broker_id: i32,
        throttle_time_ms: c_int,
        opaque: *mut c_void,
    ),
>;
pub type rd_kafka_oauthbearer_token_refresh_cb =
    Option<unsafe extern "C" fn(rk: *mut rd_kafka_t, oauthbearer_config: *const c_char, opaque: *mut c_void)>;
pub type rd_kafka_ssl_cert_verify_cb = Option<
    unsafe extern "C" fn(
        rk: *mut rd_kafka_t,
        broker_name: *const c_char,
        broker_id: i32,
        x509_error: *mut c_int,
        depth: c_int,
        buf: *const c_char,
        size: size_t,
        errstr: *mut c_char,
        errstr_size: size_t,
        opaque: *mut c_void,
    ) -> c_int,
>;
pub type rd_kafka_partitioner_cb = Option<
    unsafe extern "C" fn(
        rkt: *const rd_kafka_topic_t,
        keydata: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32,
>;
pub type rd_kafka_rebalance_cb = Option<
    unsafe extern "C" fn(
        rk: *mut rd_kafka_t,
        err: rd_kafka_resp_err_t,
        partitions: *mut rd_kafka_topic_partition_list_t,
        opaque: *mut c_void,
    ),
>;
pub type rd_kafka_offset_commit_cb = rd_kafka_rebalance_cb;
pub type rd_kafka_error_cb =
    Option<unsafe extern "C" fn(rk: *mut rd_kafka_t, err: c_int, reason: *const c_char, opaque: *mut c_void)>;
pub type rd_kafka_stats_cb = Option<
    unsafe extern "C" fn(rk: *mut rd_kafka_t, json: *mut c_char, json_len: size_t, opaque: *mut c_void) -> c_int,
>;
pub type rd_kafka_log_cb =
    Option<unsafe extern "C" fn(rk: *const rd_kafka_t, level: c_int, fac: *const c_char, buf: *const c_char)>;
pub type rd_kafka_queue_event_cb = Option<unsafe extern "C" fn(rk: *mut rd_kafka_t, qev_opaque: *mut c_void)>;
pub type rd_kafka_background_event_cb =
    Option<unsafe extern "C" fn(rk: *mut rd_kafka_t, rkev: *mut rd_kafka_event_t, opaque: *mut c_void)>;

checked_extern! {
    // --- library ---
    pub fn rd_kafka_version() -> c_int;
    pub fn rd_kafka_version_str() -> *const c_char;
    pub fn rd_kafka_get_debug_contexts() -> *const c_char;
    pub fn rd_kafka_err2str(err: rd_kafka_resp_err_t) -> *const c_char;
    pub fn rd_kafka_err2name(err: rd_kafka_resp_err_t) -> *const c_char;
    pub fn rd_kafka_last_error() -> rd_kafka_resp_err_t;
    pub fn rd_kafka_wait_destroyed(timeout_ms: c_int) -> c_int;
    pub fn rd_kafka_thread_cnt() -> c_int;

    // --- rd_kafka_error_t ---
    pub fn rd_kafka_error_code(error: *const rd_kafka_error_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_error_string(error: *const rd_kafka_error_t) -> *const c_char;
    pub fn rd_kafka_error_is_fatal(error: *const rd_kafka_error_t) -> c_int;
    pub fn rd_kafka_error_is_retriable(error: *const rd_kafka_error_t) -> c_int;
    pub fn rd_kafka_error_txn_requires_abort(error: *const rd_kafka_error_t) -> c_int;
    pub fn rd_kafka_error_destroy(error: *mut rd_kafka_error_t);

    // --- configuration ---
    pub fn rd_kafka_conf_new() -> *mut rd_kafka_conf_t;
    pub fn rd_kafka_conf_destroy(conf: *mut rd_kafka_conf_t);
    pub fn rd_kafka_conf_set(
        conf: *mut rd_kafka_conf_t,
        name: *const c_char,
        value: *const c_char,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> c_int;
    pub fn rd_kafka_conf_get(
        conf: *const rd_kafka_conf_t,
        name: *const c_char,
        dest: *mut c_char,
        dest_size: *mut size_t,
    ) -> c_int;
    pub fn rd_kafka_conf_set_events(conf: *mut rd_kafka_conf_t, events: c_int);
    pub fn rd_kafka_conf_set_opaque(conf: *mut rd_kafka_conf_t, opaque: *mut c_void);
    pub fn rd_kafka_conf_set_throttle_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_throttle_cb);
    pub fn rd_kafka_conf_set_oauthbearer_token_refresh_cb(
        conf: *mut rd_kafka_conf_t,
        cb: rd_kafka_oauthbearer_token_refresh_cb,
    );
    pub fn rd_kafka_conf_set_log_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_log_cb);
    pub fn rd_kafka_conf_set_rebalance_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_rebalance_cb);
    pub fn rd_kafka_conf_set_offset_commit_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_offset_commit_cb);
    pub fn rd_kafka_conf_set_error_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_error_cb);
    pub fn rd_kafka_conf_set_stats_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_stats_cb);
    pub fn rd_kafka_conf_enable_sasl_queue(conf: *mut rd_kafka_conf_t, enable: c_int);
    /// Returns `RD_KAFKA_CONF_INVALID` when librdkafka was built without SSL.
    pub fn rd_kafka_conf_set_ssl_cert_verify_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_ssl_cert_verify_cb) -> c_int;
    pub fn rd_kafka_conf_set_background_event_cb(conf: *mut rd_kafka_conf_t, cb: rd_kafka_background_event_cb);
    pub fn rd_kafka_conf_get_default_topic_conf(conf: *mut rd_kafka_conf_t) -> *mut rd_kafka_topic_conf_t;
    pub fn rd_kafka_topic_conf_new() -> *mut rd_kafka_topic_conf_t;
    pub fn rd_kafka_conf_set_default_topic_conf(conf: *mut rd_kafka_conf_t, tconf: *mut rd_kafka_topic_conf_t);
    pub fn rd_kafka_topic_conf_set_partitioner_cb(tconf: *mut rd_kafka_topic_conf_t, cb: rd_kafka_partitioner_cb);
    pub fn rd_kafka_topic_conf_set_opaque(tconf: *mut rd_kafka_topic_conf_t, opaque: *mut c_void);

    // --- client handle ---
    pub fn rd_kafka_new(
        type_: c_int,
        conf: *mut rd_kafka_conf_t,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> *mut rd_kafka_t;
    pub fn rd_kafka_destroy(rk: *mut rd_kafka_t);
    pub fn rd_kafka_destroy_flags(rk: *mut rd_kafka_t, flags: c_int);
    pub fn rd_kafka_name(rk: *const rd_kafka_t) -> *const c_char;
    pub fn rd_kafka_type(rk: *const rd_kafka_t) -> c_int;
    pub fn rd_kafka_conf(rk: *mut rd_kafka_t) -> *const rd_kafka_conf_t;
    pub fn rd_kafka_memberid(rk: *const rd_kafka_t) -> *mut c_char;
    pub fn rd_kafka_clusterid(rk: *mut rd_kafka_t, timeout_ms: c_int) -> *mut c_char;
    pub fn rd_kafka_controllerid(rk: *mut rd_kafka_t, timeout_ms: c_int) -> i32;
    pub fn rd_kafka_mem_free(rk: *mut rd_kafka_t, ptr: *mut c_void);
    pub fn rd_kafka_yield(rk: *mut rd_kafka_t);
    pub fn rd_kafka_outq_len(rk: *mut rd_kafka_t) -> c_int;
    pub fn rd_kafka_flush(rk: *mut rd_kafka_t, timeout_ms: c_int) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_purge(rk: *mut rd_kafka_t, purge_flags: c_int) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_fatal_error(rk: *mut rd_kafka_t, errstr: *mut c_char, errstr_size: size_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_test_fatal_error(
        rk: *mut rd_kafka_t,
        err: rd_kafka_resp_err_t,
        reason: *const c_char,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_set_log_queue(rk: *mut rd_kafka_t, rkqu: *mut rd_kafka_queue_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_sasl_background_callbacks_enable(rk: *mut rd_kafka_t) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_sasl_set_credentials(
        rk: *mut rd_kafka_t,
        username: *const c_char,
        password: *const c_char,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_oauthbearer_set_token(
        rk: *mut rd_kafka_t,
        token_value: *const c_char,
        md_lifetime_ms: i64,
        md_principal_name: *const c_char,
        extensions: *mut *const c_char,
        extension_size: size_t,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_oauthbearer_set_token_failure(rk: *mut rd_kafka_t, errstr: *const c_char) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_metadata(
        rk: *mut rd_kafka_t,
        all_topics: c_int,
        only_rkt: *mut rd_kafka_topic_t,
        metadatap: *mut *const rd_kafka_metadata_t,
        timeout_ms: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_metadata_destroy(metadata: *const rd_kafka_metadata_t);

    // --- topics ---
    pub fn rd_kafka_topic_new(
        rk: *mut rd_kafka_t,
        topic: *const c_char,
        conf: *mut rd_kafka_topic_conf_t,
    ) -> *mut rd_kafka_topic_t;
    pub fn rd_kafka_topic_destroy(rkt: *mut rd_kafka_topic_t);
    pub fn rd_kafka_topic_name(rkt: *const rd_kafka_topic_t) -> *const c_char;

    // --- queues ---
    pub fn rd_kafka_queue_new(rk: *mut rd_kafka_t) -> *mut rd_kafka_queue_t;
    pub fn rd_kafka_queue_destroy(rkqu: *mut rd_kafka_queue_t);
    pub fn rd_kafka_queue_get_main(rk: *mut rd_kafka_t) -> *mut rd_kafka_queue_t;
    pub fn rd_kafka_queue_get_consumer(rk: *mut rd_kafka_t) -> *mut rd_kafka_queue_t;
    pub fn rd_kafka_queue_get_background(rk: *mut rd_kafka_t) -> *mut rd_kafka_queue_t;
    pub fn rd_kafka_queue_poll(rkqu: *mut rd_kafka_queue_t, timeout_ms: c_int) -> *mut rd_kafka_event_t;
    pub fn rd_kafka_queue_yield(rkqu: *mut rd_kafka_queue_t);
    pub fn rd_kafka_queue_length(rkqu: *mut rd_kafka_queue_t) -> size_t;
    pub fn rd_kafka_queue_forward(src: *mut rd_kafka_queue_t, dst: *mut rd_kafka_queue_t);
    pub fn rd_kafka_queue_cb_event_enable(
        rkqu: *mut rd_kafka_queue_t,
        event_cb: rd_kafka_queue_event_cb,
        qev_opaque: *mut c_void,
    );
    pub fn rd_kafka_poll_set_consumer(rk: *mut rd_kafka_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_consume_batch_queue(
        rkqu: *mut rd_kafka_queue_t,
        timeout_ms: c_int,
        rkmessages: *mut *mut rd_kafka_message_t,
        rkmessages_size: size_t,
    ) -> ssize_t;

    // --- consumer ---
    pub fn rd_kafka_opaque(rk: *const rd_kafka_t) -> *mut c_void;
    pub fn rd_kafka_consumer_poll(rk: *mut rd_kafka_t, timeout_ms: c_int) -> *mut rd_kafka_message_t;
    pub fn rd_kafka_subscribe(
        rk: *mut rd_kafka_t,
        topics: *const rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_unsubscribe(rk: *mut rd_kafka_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_subscription(
        rk: *mut rd_kafka_t,
        topics: *mut *mut rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_assign(
        rk: *mut rd_kafka_t,
        partitions: *const rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_incremental_assign(
        rk: *mut rd_kafka_t,
        partitions: *const rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_incremental_unassign(
        rk: *mut rd_kafka_t,
        partitions: *const rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_assignment(
        rk: *mut rd_kafka_t,
        partitions: *mut *mut rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_assignment_lost(rk: *mut rd_kafka_t) -> c_int;
    pub fn rd_kafka_rebalance_protocol(rk: *mut rd_kafka_t) -> *const c_char;
    pub fn rd_kafka_commit(
        rk: *mut rd_kafka_t,
        offsets: *const rd_kafka_topic_partition_list_t,
        async_: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_commit_queue(
        rk: *mut rd_kafka_t,
        offsets: *const rd_kafka_topic_partition_list_t,
        rkqu: *mut rd_kafka_queue_t,
        cb: rd_kafka_offset_commit_cb,
        commit_opaque: *mut c_void,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_offsets_store(
        rk: *mut rd_kafka_t,
        offsets: *mut rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_committed(
        rk: *mut rd_kafka_t,
        partitions: *mut rd_kafka_topic_partition_list_t,
        timeout_ms: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_position(
        rk: *mut rd_kafka_t,
        partitions: *mut rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_seek_partitions(
        rk: *mut rd_kafka_t,
        partitions: *mut rd_kafka_topic_partition_list_t,
        timeout_ms: c_int,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_pause_partitions(
        rk: *mut rd_kafka_t,
        partitions: *mut rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_resume_partitions(
        rk: *mut rd_kafka_t,
        partitions: *mut rd_kafka_topic_partition_list_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_query_watermark_offsets(
        rk: *mut rd_kafka_t,
        topic: *const c_char,
        partition: i32,
        low: *mut i64,
        high: *mut i64,
        timeout_ms: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_get_watermark_offsets(
        rk: *mut rd_kafka_t,
        topic: *const c_char,
        partition: i32,
        low: *mut i64,
        high: *mut i64,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_offsets_for_times(
        rk: *mut rd_kafka_t,
        offsets: *mut rd_kafka_topic_partition_list_t,
        timeout_ms: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_consumer_close_queue(rk: *mut rd_kafka_t, rkqu: *mut rd_kafka_queue_t) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_consumer_closed(rk: *mut rd_kafka_t) -> c_int;

    // --- events ---
    pub fn rd_kafka_event_type(rkev: *const rd_kafka_event_t) -> c_int;
    pub fn rd_kafka_event_name(rkev: *const rd_kafka_event_t) -> *const c_char;
    pub fn rd_kafka_event_destroy(rkev: *mut rd_kafka_event_t);
    pub fn rd_kafka_event_message_next(rkev: *mut rd_kafka_event_t) -> *const rd_kafka_message_t;
    pub fn rd_kafka_event_message_count(rkev: *mut rd_kafka_event_t) -> size_t;
    pub fn rd_kafka_event_error(rkev: *mut rd_kafka_event_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_event_error_string(rkev: *mut rd_kafka_event_t) -> *const c_char;
    pub fn rd_kafka_event_error_is_fatal(rkev: *mut rd_kafka_event_t) -> c_int;
    pub fn rd_kafka_event_opaque(rkev: *mut rd_kafka_event_t) -> *mut c_void;
    pub fn rd_kafka_event_log(
        rkev: *mut rd_kafka_event_t,
        fac: *mut *const c_char,
        str_: *mut *const c_char,
        level: *mut c_int,
    ) -> c_int;
    pub fn rd_kafka_event_stats(rkev: *mut rd_kafka_event_t) -> *const c_char;
    pub fn rd_kafka_event_topic_partition_list(rkev: *mut rd_kafka_event_t) -> *mut rd_kafka_topic_partition_list_t;
    pub fn rd_kafka_event_topic_partition(rkev: *mut rd_kafka_event_t) -> *mut rd_kafka_topic_partition_t;

    // --- messages ---
    pub fn rd_kafka_offset_store_message(rkmessage: *mut rd_kafka_message_t) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_message_destroy(rkmessage: *mut rd_kafka_message_t);
    pub fn rd_kafka_message_errstr(rkmessage: *const rd_kafka_message_t) -> *const c_char;
    pub fn rd_kafka_message_timestamp(rkmessage: *const rd_kafka_message_t, tstype: *mut c_int) -> i64;
    pub fn rd_kafka_message_latency(rkmessage: *const rd_kafka_message_t) -> i64;
    pub fn rd_kafka_message_broker_id(rkmessage: *const rd_kafka_message_t) -> i32;
    pub fn rd_kafka_message_headers(
        rkmessage: *const rd_kafka_message_t,
        hdrsp: *mut *mut rd_kafka_headers_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_message_status(rkmessage: *const rd_kafka_message_t) -> c_int;
    pub fn rd_kafka_message_leader_epoch(rkmessage: *const rd_kafka_message_t) -> i32;

    // --- headers ---
    pub fn rd_kafka_headers_new(initial_count: size_t) -> *mut rd_kafka_headers_t;
    pub fn rd_kafka_headers_destroy(hdrs: *mut rd_kafka_headers_t);
    pub fn rd_kafka_header_add(
        hdrs: *mut rd_kafka_headers_t,
        name: *const c_char,
        name_size: ssize_t,
        value: *const c_void,
        value_size: ssize_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_header_get_all(
        hdrs: *const rd_kafka_headers_t,
        idx: size_t,
        namep: *mut *const c_char,
        valuep: *mut *const c_void,
        sizep: *mut size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_header_cnt(hdrs: *const rd_kafka_headers_t) -> size_t;

    // --- producing ---
    pub fn rd_kafka_produce(
        rkt: *mut rd_kafka_topic_t,
        partition: i32,
        msgflags: c_int,
        payload: *mut c_void,
        len: size_t,
        key: *const c_void,
        keylen: size_t,
        msg_opaque: *mut c_void,
    ) -> c_int;
    pub fn rd_kafka_produceva(rk: *mut rd_kafka_t, vus: *const rd_kafka_vu_t, cnt: size_t) -> *mut rd_kafka_error_t;

    // --- transactions ---
    pub fn rd_kafka_init_transactions(rk: *mut rd_kafka_t, timeout_ms: c_int) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_begin_transaction(rk: *mut rd_kafka_t) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_send_offsets_to_transaction(
        rk: *mut rd_kafka_t,
        offsets: *const rd_kafka_topic_partition_list_t,
        cgmetadata: *const rd_kafka_consumer_group_metadata_t,
        timeout_ms: c_int,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_commit_transaction(rk: *mut rd_kafka_t, timeout_ms: c_int) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_abort_transaction(rk: *mut rd_kafka_t, timeout_ms: c_int) -> *mut rd_kafka_error_t;

    // --- consumer group metadata ---
    pub fn rd_kafka_consumer_group_metadata(rk: *mut rd_kafka_t) -> *mut rd_kafka_consumer_group_metadata_t;
    pub fn rd_kafka_consumer_group_metadata_new(group_id: *const c_char) -> *mut rd_kafka_consumer_group_metadata_t;
    pub fn rd_kafka_consumer_group_metadata_new_with_genid(
        group_id: *const c_char,
        generation_id: i32,
        member_id: *const c_char,
        group_instance_id: *const c_char,
    ) -> *mut rd_kafka_consumer_group_metadata_t;
    pub fn rd_kafka_consumer_group_metadata_member_id(cgmd: *const rd_kafka_consumer_group_metadata_t)
        -> *const c_char;
    pub fn rd_kafka_consumer_group_metadata_destroy(cgmd: *mut rd_kafka_consumer_group_metadata_t);
    pub fn rd_kafka_consumer_group_metadata_write(
        cgmd: *const rd_kafka_consumer_group_metadata_t,
        bufferp: *mut *mut c_void,
        sizep: *mut size_t,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_consumer_group_metadata_read(
        cgmdp: *mut *mut rd_kafka_consumer_group_metadata_t,
        buffer: *const c_void,
        size: size_t,
    ) -> *mut rd_kafka_error_t;

    // --- topic partition lists ---
    pub fn rd_kafka_topic_partition_list_new(size: c_int) -> *mut rd_kafka_topic_partition_list_t;
    pub fn rd_kafka_topic_partition_list_destroy(rkparlist: *mut rd_kafka_topic_partition_list_t);
    pub fn rd_kafka_topic_partition_list_add(
        rktparlist: *mut rd_kafka_topic_partition_list_t,
        topic: *const c_char,
        partition: i32,
    ) -> *mut rd_kafka_topic_partition_t;
    pub fn rd_kafka_topic_partition_destroy(rktpar: *mut rd_kafka_topic_partition_t);
    pub fn rd_kafka_topic_partition_get_leader_epoch(rktpar: *const rd_kafka_topic_partition_t) -> i32;
    pub fn rd_kafka_topic_partition_set_leader_epoch(rktpar: *mut rd_kafka_topic_partition_t, leader_epoch: i32);

    // --- built-in partitioners ---
    pub fn rd_kafka_msg_partitioner_random(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;
    pub fn rd_kafka_msg_partitioner_consistent(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;
    pub fn rd_kafka_msg_partitioner_consistent_random(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;
    pub fn rd_kafka_msg_partitioner_murmur2(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;
    pub fn rd_kafka_msg_partitioner_murmur2_random(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;
    pub fn rd_kafka_msg_partitioner_fnv1a(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;
    pub fn rd_kafka_msg_partitioner_fnv1a_random(
        rkt: *const rd_kafka_topic_t,
        key: *const c_void,
        keylen: size_t,
        partition_cnt: i32,
        rkt_opaque: *mut c_void,
        msg_opaque: *mut c_void,
    ) -> i32;

    // --- mock cluster (rdkafka_mock.h, 2.12.1) ---
    pub fn rd_kafka_mock_cluster_new(rk: *mut rd_kafka_t, broker_cnt: c_int) -> *mut rd_kafka_mock_cluster_t;
    pub fn rd_kafka_mock_cluster_destroy(mcluster: *mut rd_kafka_mock_cluster_t);
    pub fn rd_kafka_mock_cluster_bootstraps(mcluster: *const rd_kafka_mock_cluster_t) -> *const c_char;
    pub fn rd_kafka_handle_mock_cluster(rk: *const rd_kafka_t) -> *mut rd_kafka_mock_cluster_t;
    pub fn rd_kafka_mock_clear_request_errors(mcluster: *mut rd_kafka_mock_cluster_t, api_key: i16);
    pub fn rd_kafka_mock_push_request_errors_array(
        mcluster: *mut rd_kafka_mock_cluster_t,
        api_key: i16,
        cnt: size_t,
        errors: *const rd_kafka_resp_err_t,
    );
    pub fn rd_kafka_mock_group_initial_rebalance_delay_ms(mcluster: *mut rd_kafka_mock_cluster_t, delay_ms: i32);
    pub fn rd_kafka_mock_broker_error_stack_cnt(
        mcluster: *mut rd_kafka_mock_cluster_t,
        broker_id: i32,
        api_key: i16,
        cntp: *mut size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_topic_set_error(
        mcluster: *mut rd_kafka_mock_cluster_t,
        topic: *const c_char,
        err: rd_kafka_resp_err_t,
    );
    pub fn rd_kafka_mock_topic_create(
        mcluster: *mut rd_kafka_mock_cluster_t,
        topic: *const c_char,
        partition_cnt: c_int,
        replication_factor: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_partition_set_leader(
        mcluster: *mut rd_kafka_mock_cluster_t,
        topic: *const c_char,
        partition: i32,
        broker_id: i32,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_partition_set_follower(
        mcluster: *mut rd_kafka_mock_cluster_t,
        topic: *const c_char,
        partition: i32,
        broker_id: i32,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_partition_set_follower_wmarks(
        mcluster: *mut rd_kafka_mock_cluster_t,
        topic: *const c_char,
        partition: i32,
        lo: i64,
        hi: i64,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_partition_push_leader_response(
        mcluster: *mut rd_kafka_mock_cluster_t,
        topic: *const c_char,
        partition: c_int,
        leader_id: i32,
        leader_epoch: i32,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_broker_set_down(mcluster: *mut rd_kafka_mock_cluster_t, broker_id: i32)
        -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_broker_set_up(mcluster: *mut rd_kafka_mock_cluster_t, broker_id: i32) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_broker_set_host_port(
        mcluster: *mut rd_kafka_mock_cluster_t,
        broker_id: i32,
        host: *const c_char,
        port: c_int,
    );
    pub fn rd_kafka_mock_broker_set_rtt(
        mcluster: *mut rd_kafka_mock_cluster_t,
        broker_id: i32,
        rtt_ms: c_int,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_broker_set_rack(
        mcluster: *mut rd_kafka_mock_cluster_t,
        broker_id: i32,
        rack: *const c_char,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_broker_decommission(
        mcluster: *mut rd_kafka_mock_cluster_t,
        broker_id: i32,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_broker_add(mcluster: *mut rd_kafka_mock_cluster_t, broker_id: i32) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_coordinator_set(
        mcluster: *mut rd_kafka_mock_cluster_t,
        key_type: *const c_char,
        key: *const c_char,
        broker_id: i32,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_set_apiversion(
        mcluster: *mut rd_kafka_mock_cluster_t,
        api_key: i16,
        min_version: i16,
        max_version: i16,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_start_request_tracking(mcluster: *mut rd_kafka_mock_cluster_t);
    pub fn rd_kafka_mock_stop_request_tracking(mcluster: *mut rd_kafka_mock_cluster_t);
    pub fn rd_kafka_mock_clear_requests(mcluster: *mut rd_kafka_mock_cluster_t);
    pub fn rd_kafka_mock_get_requests(
        mcluster: *mut rd_kafka_mock_cluster_t,
        cntp: *mut size_t,
    ) -> *mut *mut rd_kafka_mock_request_t;
    pub fn rd_kafka_mock_request_destroy_array(mreqs: *mut *mut rd_kafka_mock_request_t, mreq_cnt: size_t);
    pub fn rd_kafka_mock_request_id(mreq: *mut rd_kafka_mock_request_t) -> i32;
    pub fn rd_kafka_mock_request_api_key(mreq: *mut rd_kafka_mock_request_t) -> i16;
    pub fn rd_kafka_mock_request_timestamp(mreq: *mut rd_kafka_mock_request_t) -> i64;
    pub fn rd_kafka_mock_telemetry_set_requested_metrics(
        mcluster: *mut rd_kafka_mock_cluster_t,
        metrics: *mut *mut c_char,
        metrics_cnt: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_telemetry_set_push_interval(
        mcluster: *mut rd_kafka_mock_cluster_t,
        push_interval_ms: i64,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_mock_cgrp_consumer_target_assignment_new(
        member_ids: *mut *mut c_char,
        member_cnt: c_int,
        assignment: *mut *mut rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_mock_cgrp_consumer_target_assignment_t;
    pub fn rd_kafka_mock_cgrp_consumer_target_assignment_destroy(
        target_assignment: *mut rd_kafka_mock_cgrp_consumer_target_assignment_t,
    );
    pub fn rd_kafka_mock_cgrp_consumer_target_assignment(
        mcluster: *mut rd_kafka_mock_cluster_t,
        group_id: *const c_char,
        target_assignment: *mut rd_kafka_mock_cgrp_consumer_target_assignment_t,
    );
    pub fn rd_kafka_mock_set_group_consumer_session_timeout_ms(
        mcluster: *mut rd_kafka_mock_cluster_t,
        group_consumer_session_timeout_ms: c_int,
    );
    pub fn rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(
        mcluster: *mut rd_kafka_mock_cluster_t,
        group_consumer_heartbeat_interval_ms: c_int,
    );
}

// Variadic: not expressible through `checked_extern!`; checked by hand in
// `native::abi`.
extern "C" {
    pub fn rd_kafka_mock_broker_push_request_error_rtts(
        mcluster: *mut rd_kafka_mock_cluster_t,
        broker_id: i32,
        api_key: i16,
        cnt: size_t,
        ...
    ) -> rd_kafka_resp_err_t;
}
