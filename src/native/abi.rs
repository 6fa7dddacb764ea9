//! Compile-time checks that our hand-declared C items ([`super::sys`],
//! [`super::admin_sys`]) match the ones rdkafka-sys generated with bindgen
//! from the very headers of the librdkafka it compiles (2.12.1, pinned
//! exactly in Cargo.toml).
//!
//! Why not coerce one function to the other's type? Our declarations
//! deliberately differ from bindgen's: C enums are integers here (reading an
//! unknown value as a Rust enum is UB), and opaque handles are our own
//! types. So the check is structural instead:
//!
//! - [`Same<T>`] says "passes and returns like `T`": implemented for equal
//!   primitives, for `c_int` against every C enum bindgen generated (each
//!   asserted to be 4 bytes below), for our opaque types against bindgen's,
//!   for our structs against bindgen's (whose sizes and field offsets are
//!   asserted equal below), for pointers to such pairs (constness is not
//!   part of the C ABI and is ignored), for `Option<fn>` callback types
//!   argument by argument, and for tuples element by element.
//! - Every hand-declared function is declared through `checked_extern!`,
//!   which also emits, in a function that is type-checked but never called,
//!   `same::<our fn type, _>(ours, theirs as unsafe extern "C" fn(_, …) -> _)`
//!   with as many `_` as we declare arguments. It compiles only if bindgen's
//!   function has the same argument count, and each argument and the return
//!   type are `Same` (a `void` function declared as returning an error code,
//!   for instance, fails: `c_int: Same<()>` does not hold).
//!
//! - Every constant we redeclare (event types, flags, admin op and result
//!   types) equals bindgen's `#define` or enum value.
//!
//! A newer rdkafka-sys (another librdkafka) that changes any of these fails
//! the build here; `librdkafka_version_is_2_12_1` and the runtime check at
//! client creation ([`super::check_version`]) cover the linked library.

#![allow(non_camel_case_types)]

use super::admin_sys as a;
use super::sys as s;
use libc::c_int;
use rdkafka_sys::bindings as b;
use std::mem::{align_of, offset_of, size_of};

/// "Is passed and returned like `T`" (see the module docs).
pub(super) trait Same<T> {}

/// A C function pointer type: its argument tuple and return type.
pub(super) trait Sig {
    type Args;
    type Ret;
}

/// Compiles only when `ours` and `theirs` have the same C signature.
pub(super) fn same<F: Sig, G: Sig>(_ours: F, _theirs: G)
where
    F::Args: Same<G::Args>,
    F::Ret: Same<G::Ret>,
{
}

macro_rules! sig_and_tuple {
    ($(($($a:ident $b:ident),*)),* $(,)?) => {
        $(
            impl<R, $($a),*> Sig for unsafe extern "C" fn($($a),*) -> R {
                type Args = ($($a,)*);
                type Ret = R;
            }
            impl<$($a, $b),*> Same<($($b,)*)> for ($($a,)*) where $($a: Same<$b>),* {}
        )*
    };
}

sig_and_tuple!(
    (),
    (A1 B1),
    (A1 B1, A2 B2),
    (A1 B1, A2 B2, A3 B3),
    (A1 B1, A2 B2, A3 B3, A4 B4),
    (A1 B1, A2 B2, A3 B3, A4 B4, A5 B5),
    (A1 B1, A2 B2, A3 B3, A4 B4, A5 B5, A6 B6),
    (A1 B1, A2 B2, A3 B3, A4 B4, A5 B5, A6 B6, A7 B7),
    (A1 B1, A2 B2, A3 B3, A4 B4, A5 B5, A6 B6, A7 B7, A8 B8),
    (A1 B1, A2 B2, A3 B3, A4 B4, A5 B5, A6 B6, A7 B7, A8 B8, A9 B9),
    (A1 B1, A2 B2, A3 B3, A4 B4, A5 B5, A6 B6, A7 B7, A8 B8, A9 B9, A10 B10),
);

macro_rules! same_self {
    ($($t:ty),* $(,)?) => { $(impl Same<$t> for $t {})* };
}
same_self!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize, core::ffi::c_void);

impl<A: Same<B>, B> Same<*mut B> for *mut A {}
impl<A: Same<B>, B> Same<*const B> for *const A {}
impl<A: Same<B>, B> Same<*const B> for *mut A {}
impl<A: Same<B>, B> Same<*mut B> for *const A {}

impl<F: Sig, G: Sig> Same<Option<G>> for Option<F>
where
    F::Args: Same<G::Args>,
    F::Ret: Same<G::Ret>,
{
}

/// C enums: ours are `c_int`; bindgen's are 4-byte Rust enums.
macro_rules! enums {
    ($($e:ident),* $(,)?) => {
        $(
            impl Same<b::$e> for libc::c_int {}
            const _: () = assert!(size_of::<b::$e>() == size_of::<libc::c_int>());
        )*
    };
}
enums!(
    rd_kafka_type_t,
    rd_kafka_timestamp_type_t,
    rd_kafka_resp_err_t,
    rd_kafka_vtype_t,
    rd_kafka_msg_status_t,
    rd_kafka_conf_res_t,
    rd_kafka_cert_type_t,
    rd_kafka_cert_enc_t,
    rd_kafka_consumer_group_state_t,
    rd_kafka_consumer_group_type_t,
    rd_kafka_thread_type_t,
    rd_kafka_admin_op_t,
    rd_kafka_IsolationLevel_t,
    rd_kafka_AclOperation_t,
    rd_kafka_ConfigSource_t,
    rd_kafka_ResourceType_t,
    rd_kafka_ResourcePatternType_t,
    rd_kafka_AlterConfigOpType_t,
    rd_kafka_OffsetSpec_t,
    rd_kafka_ScramMechanism_t,
    rd_kafka_AclPermissionType_t,
    rd_kafka_ElectionType_t,
);

/// Opaque handle types: only pointers to them exist.
macro_rules! opaque_pairs {
    ($($m:ident :: $t:ident),* $(,)?) => { $(impl Same<b::$t> for $m::$t {})* };
}
opaque_pairs!(
    s::rd_kafka_t,
    s::rd_kafka_conf_t,
    s::rd_kafka_topic_conf_t,
    s::rd_kafka_topic_t,
    s::rd_kafka_queue_t,
    s::rd_kafka_event_t,
    s::rd_kafka_headers_t,
    s::rd_kafka_error_t,
    s::rd_kafka_consumer_group_metadata_t,
    s::rd_kafka_mock_cluster_t,
    s::rd_kafka_mock_request_t,
    s::rd_kafka_mock_cgrp_consumer_target_assignment_t,
    a::rd_kafka_AdminOptions_t,
    a::rd_kafka_NewTopic_t,
    a::rd_kafka_DeleteTopic_t,
    a::rd_kafka_NewPartitions_t,
    a::rd_kafka_topic_result_t,
    a::rd_kafka_group_result_t,
    a::rd_kafka_acl_result_t,
    a::rd_kafka_topic_partition_result_t,
    a::rd_kafka_ConfigResource_t,
    a::rd_kafka_ConfigEntry_t,
    a::rd_kafka_DeleteRecords_t,
    a::rd_kafka_TopicCollection_t,
    a::rd_kafka_TopicDescription_t,
    a::rd_kafka_TopicPartitionInfo_t,
    a::rd_kafka_Node_t,
    a::rd_kafka_Uuid_t,
    a::rd_kafka_ConsumerGroupListing_t,
    a::rd_kafka_ConsumerGroupDescription_t,
    a::rd_kafka_MemberDescription_t,
    a::rd_kafka_MemberAssignment_t,
    a::rd_kafka_DeleteGroup_t,
    a::rd_kafka_ListConsumerGroupOffsets_t,
    a::rd_kafka_AlterConsumerGroupOffsets_t,
    a::rd_kafka_DeleteConsumerGroupOffsets_t,
    a::rd_kafka_ListOffsetsResultInfo_t,
    a::rd_kafka_ScramCredentialInfo_t,
    a::rd_kafka_UserScramCredentialsDescription_t,
    a::rd_kafka_UserScramCredentialAlteration_t,
    a::rd_kafka_AlterUserScramCredentials_result_response_t,
    a::rd_kafka_AclBinding_t,
    a::rd_kafka_DeleteAcls_result_response_t,
    a::rd_kafka_ElectLeaders_t,
);

/// Structs we redeclare: same size, alignment and field offsets as
/// bindgen's (and `Same` for the pointers to them).
macro_rules! same_struct {
    ($ours:ty, $theirs:ty, [$($f:ident),* $(,)?]) => {
        impl Same<$theirs> for $ours {}
        const _: () = assert!(size_of::<$ours>() == size_of::<$theirs>());
        const _: () = assert!(align_of::<$ours>() == align_of::<$theirs>());
        $(const _: () = assert!(offset_of!($ours, $f) == offset_of!($theirs, $f));)*
    };
}
same_struct!(
    s::rd_kafka_message_t,
    b::rd_kafka_message_t,
    [err, rkt, partition, payload, len, key, key_len, offset, _private]
);
same_struct!(
    s::rd_kafka_topic_partition_t,
    b::rd_kafka_topic_partition_t,
    [topic, partition, offset, metadata, metadata_size, opaque, err, _private]
);
same_struct!(
    s::rd_kafka_topic_partition_list_t,
    b::rd_kafka_topic_partition_list_t,
    [cnt, size, elems]
);
same_struct!(
    s::rd_kafka_metadata_broker_t,
    b::rd_kafka_metadata_broker_t,
    [id, host, port]
);
same_struct!(
    s::rd_kafka_metadata_partition_t,
    b::rd_kafka_metadata_partition_t,
    [id, err, leader, replica_cnt, replicas, isr_cnt, isrs]
);
same_struct!(
    s::rd_kafka_metadata_topic_t,
    b::rd_kafka_metadata_topic_t,
    [topic, partition_cnt, partitions, err]
);
same_struct!(
    s::rd_kafka_metadata_t,
    b::rd_kafka_metadata_t,
    [broker_cnt, brokers, topic_cnt, topics, orig_broker_id, orig_broker_name]
);
same_struct!(s::rd_kafka_vu_t, b::rd_kafka_vu_t, [vtype, u]);
same_struct!(
    s::rd_kafka_vu_union,
    b::rd_kafka_vu_s__bindgen_ty_1,
    [cstr, rkt, i, i32_, i64_, mem, headers, ptr, _pad]
);
same_struct!(
    s::rd_kafka_vu_mem,
    b::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_1,
    [ptr, size]
);

/// Every `#define` and enum value `sys` and `admin_sys` redeclare as a
/// `c_int` constant has bindgen's value.
macro_rules! same_values {
    ($($ours:expr, $theirs:expr;)*) => { $(const _: () = assert!($ours == $theirs);)* };
}
same_values!(
    s::RD_KAFKA_PRODUCER, b::rd_kafka_type_t::RD_KAFKA_PRODUCER as c_int;
    s::RD_KAFKA_CONSUMER, b::rd_kafka_type_t::RD_KAFKA_CONSUMER as c_int;
    s::RD_KAFKA_CONF_UNKNOWN, b::rd_kafka_conf_res_t::RD_KAFKA_CONF_UNKNOWN as c_int;
    s::RD_KAFKA_CONF_INVALID, b::rd_kafka_conf_res_t::RD_KAFKA_CONF_INVALID as c_int;
    s::RD_KAFKA_CONF_OK, b::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK as c_int;
    s::RD_KAFKA_VTYPE_END, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_END as c_int;
    s::RD_KAFKA_VTYPE_TOPIC, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_TOPIC as c_int;
    s::RD_KAFKA_VTYPE_RKT, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_RKT as c_int;
    s::RD_KAFKA_VTYPE_PARTITION, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_PARTITION as c_int;
    s::RD_KAFKA_VTYPE_VALUE, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_VALUE as c_int;
    s::RD_KAFKA_VTYPE_KEY, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_KEY as c_int;
    s::RD_KAFKA_VTYPE_OPAQUE, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_OPAQUE as c_int;
    s::RD_KAFKA_VTYPE_MSGFLAGS, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_MSGFLAGS as c_int;
    s::RD_KAFKA_VTYPE_TIMESTAMP, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_TIMESTAMP as c_int;
    s::RD_KAFKA_VTYPE_HEADER, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_HEADER as c_int;
    s::RD_KAFKA_VTYPE_HEADERS, b::rd_kafka_vtype_t::RD_KAFKA_VTYPE_HEADERS as c_int;
    s::RD_KAFKA_MSG_F_FREE, b::RD_KAFKA_MSG_F_FREE;
    s::RD_KAFKA_MSG_F_COPY, b::RD_KAFKA_MSG_F_COPY;
    s::RD_KAFKA_MSG_F_BLOCK, b::RD_KAFKA_MSG_F_BLOCK;
    s::RD_KAFKA_PURGE_F_QUEUE, b::RD_KAFKA_PURGE_F_QUEUE;
    s::RD_KAFKA_PURGE_F_INFLIGHT, b::RD_KAFKA_PURGE_F_INFLIGHT;
    s::RD_KAFKA_PURGE_F_NON_BLOCKING, b::RD_KAFKA_PURGE_F_NON_BLOCKING;
    s::RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, b::RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
    s::RD_KAFKA_EVENT_NONE, b::RD_KAFKA_EVENT_NONE;
    s::RD_KAFKA_EVENT_DR, b::RD_KAFKA_EVENT_DR;
    s::RD_KAFKA_EVENT_FETCH, b::RD_KAFKA_EVENT_FETCH;
    s::RD_KAFKA_EVENT_LOG, b::RD_KAFKA_EVENT_LOG;
    s::RD_KAFKA_EVENT_ERROR, b::RD_KAFKA_EVENT_ERROR;
    s::RD_KAFKA_EVENT_REBALANCE, b::RD_KAFKA_EVENT_REBALANCE;
    s::RD_KAFKA_EVENT_OFFSET_COMMIT, b::RD_KAFKA_EVENT_OFFSET_COMMIT;
    s::RD_KAFKA_EVENT_STATS, b::RD_KAFKA_EVENT_STATS;
    s::RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH, b::RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH;
    s::RD_KAFKA_EVENT_BACKGROUND, b::RD_KAFKA_EVENT_BACKGROUND;
    a::RD_KAFKA_ADMIN_OP_ANY, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ANY as c_int;
    a::RD_KAFKA_ADMIN_OP_CREATETOPICS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATETOPICS as c_int;
    a::RD_KAFKA_ADMIN_OP_DELETETOPICS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETETOPICS as c_int;
    a::RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEPARTITIONS as c_int;
    a::RD_KAFKA_ADMIN_OP_ALTERCONFIGS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERCONFIGS as c_int;
    a::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS as c_int;
    a::RD_KAFKA_ADMIN_OP_DELETERECORDS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETERECORDS as c_int;
    a::RD_KAFKA_ADMIN_OP_DELETEGROUPS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETEGROUPS as c_int;
    a::RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS as c_int;
    a::RD_KAFKA_ADMIN_OP_CREATEACLS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEACLS as c_int;
    a::RD_KAFKA_ADMIN_OP_DESCRIBEACLS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBEACLS as c_int;
    a::RD_KAFKA_ADMIN_OP_DELETEACLS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETEACLS as c_int;
    a::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS as c_int;
    a::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS as c_int;
    a::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS as c_int;
    a::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS as c_int;
    a::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS as c_int;
    a::RD_KAFKA_ADMIN_OP_DESCRIBEUSERSCRAMCREDENTIALS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBEUSERSCRAMCREDENTIALS as c_int;
    a::RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS as c_int;
    a::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS as c_int;
    a::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER as c_int;
    a::RD_KAFKA_ADMIN_OP_LISTOFFSETS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTOFFSETS as c_int;
    a::RD_KAFKA_ADMIN_OP_ELECTLEADERS, b::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ELECTLEADERS as c_int;
    a::RD_KAFKA_EVENT_CREATETOPICS_RESULT, b::RD_KAFKA_EVENT_CREATETOPICS_RESULT;
    a::RD_KAFKA_EVENT_DELETETOPICS_RESULT, b::RD_KAFKA_EVENT_DELETETOPICS_RESULT;
    a::RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, b::RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT;
    a::RD_KAFKA_EVENT_ALTERCONFIGS_RESULT, b::RD_KAFKA_EVENT_ALTERCONFIGS_RESULT;
    a::RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, b::RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT;
    a::RD_KAFKA_EVENT_DELETERECORDS_RESULT, b::RD_KAFKA_EVENT_DELETERECORDS_RESULT;
    a::RD_KAFKA_EVENT_DELETEGROUPS_RESULT, b::RD_KAFKA_EVENT_DELETEGROUPS_RESULT;
    a::RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT, b::RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT;
    a::RD_KAFKA_EVENT_CREATEACLS_RESULT, b::RD_KAFKA_EVENT_CREATEACLS_RESULT;
    a::RD_KAFKA_EVENT_DESCRIBEACLS_RESULT, b::RD_KAFKA_EVENT_DESCRIBEACLS_RESULT;
    a::RD_KAFKA_EVENT_DELETEACLS_RESULT, b::RD_KAFKA_EVENT_DELETEACLS_RESULT;
    a::RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT, b::RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT;
    a::RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, b::RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT;
    a::RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, b::RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT;
    a::RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT, b::RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT;
    a::RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT, b::RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT;
    a::RD_KAFKA_EVENT_DESCRIBEUSERSCRAMCREDENTIALS_RESULT, b::RD_KAFKA_EVENT_DESCRIBEUSERSCRAMCREDENTIALS_RESULT;
    a::RD_KAFKA_EVENT_ALTERUSERSCRAMCREDENTIALS_RESULT, b::RD_KAFKA_EVENT_ALTERUSERSCRAMCREDENTIALS_RESULT;
    a::RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT, b::RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT;
    a::RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT, b::RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT;
    a::RD_KAFKA_EVENT_LISTOFFSETS_RESULT, b::RD_KAFKA_EVENT_LISTOFFSETS_RESULT;
    a::RD_KAFKA_EVENT_ELECTLEADERS_RESULT, b::RD_KAFKA_EVENT_ELECTLEADERS_RESULT;
);

// The one variadic function cannot go through `Sig`; its fixed part is
// checked by coercing both to the same variadic pointer shape.
#[allow(dead_code)]
fn variadic() {
    let _ours: unsafe extern "C" fn(*mut s::rd_kafka_mock_cluster_t, i32, i16, usize, ...) -> libc::c_int =
        s::rd_kafka_mock_broker_push_request_error_rtts;
    let _theirs: unsafe extern "C" fn(*mut b::rd_kafka_mock_cluster_t, i32, i16, usize, ...) -> b::rd_kafka_resp_err_t =
        b::rd_kafka_mock_broker_push_request_error_rtts;
}

#[cfg(test)]
mod tests {
    #[test]
    fn librdkafka_version_is_2_12_1() {
        let (v, s) = super::super::version();
        assert_eq!(s, "2.12.1");
        assert_eq!(v >> 8, 0x020c01, "{v:#010x}");
        assert!(super::super::check_version().is_ok());
    }
}
