//! Our own declarations of librdkafka 2.12.1's Admin API (`rdkafka.h`,
//! "Admin API" section), in the style of [`super::sys`]: every C enum is a
//! plain integer (an `rd_kafka_ConfigSource_t` or `rd_kafka_AclOperation_t`
//! a newer broker sends through may have a value this librdkafka does not
//! name, and reading it as a Rust enum would be undefined behaviour), and
//! every object type is opaque, so only pointers to it exist.
//!
//! Result objects (`*_result_t`) are views into the result event: they live
//! as long as the event and are never destroyed on their own. Request
//! objects (`rd_kafka_NewTopic_t` …) are copied by the request functions,
//! so the caller destroys them right after the call.
//!
//! Nothing outside `native/` sees these declarations.

#![allow(non_camel_case_types, dead_code, missing_docs)]

use super::sys::{
    rd_kafka_error_t, rd_kafka_event_t, rd_kafka_queue_t, rd_kafka_resp_err_t, rd_kafka_t,
    rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_t,
};
use libc::{c_char, c_int, c_void, size_t};

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
    rd_kafka_AdminOptions_t,
    rd_kafka_NewTopic_t,
    rd_kafka_DeleteTopic_t,
    rd_kafka_NewPartitions_t,
    rd_kafka_topic_result_t,
    rd_kafka_group_result_t,
    rd_kafka_acl_result_t,
    rd_kafka_topic_partition_result_t,
    rd_kafka_ConfigResource_t,
    rd_kafka_ConfigEntry_t,
    rd_kafka_DeleteRecords_t,
    rd_kafka_TopicCollection_t,
    rd_kafka_TopicDescription_t,
    rd_kafka_TopicPartitionInfo_t,
    rd_kafka_Node_t,
    rd_kafka_Uuid_t,
    rd_kafka_ConsumerGroupListing_t,
    rd_kafka_ConsumerGroupDescription_t,
    rd_kafka_MemberDescription_t,
    rd_kafka_MemberAssignment_t,
    rd_kafka_DeleteGroup_t,
    rd_kafka_ListConsumerGroupOffsets_t,
    rd_kafka_AlterConsumerGroupOffsets_t,
    rd_kafka_DeleteConsumerGroupOffsets_t,
    rd_kafka_ListOffsetsResultInfo_t,
    rd_kafka_ScramCredentialInfo_t,
    rd_kafka_UserScramCredentialsDescription_t,
    rd_kafka_UserScramCredentialAlteration_t,
    rd_kafka_AlterUserScramCredentials_result_response_t,
    rd_kafka_AclBinding_t,
    rd_kafka_DeleteAcls_result_response_t,
    rd_kafka_ElectLeaders_t,
);

/// `rd_kafka_AclBindingFilter_t` is the same C type as `rd_kafka_AclBinding_t`.
pub type rd_kafka_AclBindingFilter_t = rd_kafka_AclBinding_t;

// --- rd_kafka_admin_op_t ---
pub const RD_KAFKA_ADMIN_OP_ANY: c_int = 0;
pub const RD_KAFKA_ADMIN_OP_CREATETOPICS: c_int = 1;
pub const RD_KAFKA_ADMIN_OP_DELETETOPICS: c_int = 2;
pub const RD_KAFKA_ADMIN_OP_CREATEPARTITIONS: c_int = 3;
pub const RD_KAFKA_ADMIN_OP_ALTERCONFIGS: c_int = 4;
pub const RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS: c_int = 5;
pub const RD_KAFKA_ADMIN_OP_DELETERECORDS: c_int = 6;
pub const RD_KAFKA_ADMIN_OP_DELETEGROUPS: c_int = 7;
pub const RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS: c_int = 8;
pub const RD_KAFKA_ADMIN_OP_CREATEACLS: c_int = 9;
pub const RD_KAFKA_ADMIN_OP_DESCRIBEACLS: c_int = 10;
pub const RD_KAFKA_ADMIN_OP_DELETEACLS: c_int = 11;
pub const RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS: c_int = 12;
pub const RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS: c_int = 13;
pub const RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS: c_int = 14;
pub const RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS: c_int = 15;
pub const RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS: c_int = 16;
pub const RD_KAFKA_ADMIN_OP_DESCRIBEUSERSCRAMCREDENTIALS: c_int = 17;
pub const RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS: c_int = 18;
pub const RD_KAFKA_ADMIN_OP_DESCRIBETOPICS: c_int = 19;
pub const RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER: c_int = 20;
pub const RD_KAFKA_ADMIN_OP_LISTOFFSETS: c_int = 21;
pub const RD_KAFKA_ADMIN_OP_ELECTLEADERS: c_int = 22;

// --- result event types (RD_KAFKA_EVENT_*_RESULT) ---
pub const RD_KAFKA_EVENT_CREATETOPICS_RESULT: c_int = 100;
pub const RD_KAFKA_EVENT_DELETETOPICS_RESULT: c_int = 101;
pub const RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT: c_int = 102;
pub const RD_KAFKA_EVENT_ALTERCONFIGS_RESULT: c_int = 103;
pub const RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT: c_int = 104;
pub const RD_KAFKA_EVENT_DELETERECORDS_RESULT: c_int = 105;
pub const RD_KAFKA_EVENT_DELETEGROUPS_RESULT: c_int = 106;
pub const RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT: c_int = 107;
pub const RD_KAFKA_EVENT_CREATEACLS_RESULT: c_int = 0x400;
pub const RD_KAFKA_EVENT_DESCRIBEACLS_RESULT: c_int = 0x800;
pub const RD_KAFKA_EVENT_DELETEACLS_RESULT: c_int = 0x1000;
pub const RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT: c_int = 0x2000;
pub const RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT: c_int = 0x4000;
pub const RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT: c_int = 0x8000;
pub const RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT: c_int = 0x10000;
pub const RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT: c_int = 0x20000;
pub const RD_KAFKA_EVENT_DESCRIBEUSERSCRAMCREDENTIALS_RESULT: c_int = 0x40000;
pub const RD_KAFKA_EVENT_ALTERUSERSCRAMCREDENTIALS_RESULT: c_int = 0x80000;
pub const RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT: c_int = 0x100000;
pub const RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT: c_int = 0x200000;
pub const RD_KAFKA_EVENT_LISTOFFSETS_RESULT: c_int = 0x400000;
pub const RD_KAFKA_EVENT_ELECTLEADERS_RESULT: c_int = 0x800000;

checked_extern! {
    // --- events ---
    pub fn rd_kafka_event_config_string(rkev: *mut rd_kafka_event_t) -> *const c_char;

    // --- AdminOptions ---
    pub fn rd_kafka_AdminOptions_new(rk: *mut rd_kafka_t, for_api: c_int) -> *mut rd_kafka_AdminOptions_t;
    pub fn rd_kafka_AdminOptions_destroy(options: *mut rd_kafka_AdminOptions_t);
    pub fn rd_kafka_AdminOptions_set_request_timeout(
        options: *mut rd_kafka_AdminOptions_t,
        timeout_ms: c_int,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_AdminOptions_set_operation_timeout(
        options: *mut rd_kafka_AdminOptions_t,
        timeout_ms: c_int,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_AdminOptions_set_validate_only(
        options: *mut rd_kafka_AdminOptions_t,
        true_or_false: c_int,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_AdminOptions_set_broker(
        options: *mut rd_kafka_AdminOptions_t,
        broker_id: i32,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_AdminOptions_set_require_stable_offsets(
        options: *mut rd_kafka_AdminOptions_t,
        true_or_false: c_int,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_AdminOptions_set_include_authorized_operations(
        options: *mut rd_kafka_AdminOptions_t,
        true_or_false: c_int,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_AdminOptions_set_match_consumer_group_states(
        options: *mut rd_kafka_AdminOptions_t,
        states: *const c_int,
        states_cnt: size_t,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_AdminOptions_set_match_consumer_group_types(
        options: *mut rd_kafka_AdminOptions_t,
        types: *const c_int,
        types_cnt: size_t,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_AdminOptions_set_isolation_level(
        options: *mut rd_kafka_AdminOptions_t,
        value: c_int,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_AdminOptions_set_opaque(options: *mut rd_kafka_AdminOptions_t, ev_opaque: *mut c_void);

    // --- generic results ---
    pub fn rd_kafka_topic_result_error(topicres: *const rd_kafka_topic_result_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_topic_result_error_string(topicres: *const rd_kafka_topic_result_t) -> *const c_char;
    pub fn rd_kafka_topic_result_name(topicres: *const rd_kafka_topic_result_t) -> *const c_char;
    pub fn rd_kafka_group_result_error(groupres: *const rd_kafka_group_result_t) -> *const rd_kafka_error_t;
    pub fn rd_kafka_group_result_name(groupres: *const rd_kafka_group_result_t) -> *const c_char;
    pub fn rd_kafka_group_result_partitions(
        groupres: *const rd_kafka_group_result_t,
    ) -> *const rd_kafka_topic_partition_list_t;
    pub fn rd_kafka_topic_partition_result_partition(
        partition_result: *const rd_kafka_topic_partition_result_t,
    ) -> *const rd_kafka_topic_partition_t;
    pub fn rd_kafka_topic_partition_result_error(
        partition_result: *const rd_kafka_topic_partition_result_t,
    ) -> *const rd_kafka_error_t;

    // --- CreateTopics / DeleteTopics / CreatePartitions ---
    pub fn rd_kafka_NewTopic_new(
        topic: *const c_char,
        num_partitions: c_int,
        replication_factor: c_int,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> *mut rd_kafka_NewTopic_t;
    pub fn rd_kafka_NewTopic_destroy(new_topic: *mut rd_kafka_NewTopic_t);
    pub fn rd_kafka_NewTopic_set_replica_assignment(
        new_topic: *mut rd_kafka_NewTopic_t,
        partition: i32,
        broker_ids: *mut i32,
        broker_id_cnt: size_t,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_NewTopic_set_config(
        new_topic: *mut rd_kafka_NewTopic_t,
        name: *const c_char,
        value: *const c_char,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_CreateTopics(
        rk: *mut rd_kafka_t,
        new_topics: *mut *mut rd_kafka_NewTopic_t,
        new_topic_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_CreateTopics_result_topics(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_topic_result_t;

    pub fn rd_kafka_DeleteTopic_new(topic: *const c_char) -> *mut rd_kafka_DeleteTopic_t;
    pub fn rd_kafka_DeleteTopic_destroy(del_topic: *mut rd_kafka_DeleteTopic_t);
    pub fn rd_kafka_DeleteTopics(
        rk: *mut rd_kafka_t,
        del_topics: *mut *mut rd_kafka_DeleteTopic_t,
        del_topic_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DeleteTopics_result_topics(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_topic_result_t;

    pub fn rd_kafka_NewPartitions_new(
        topic: *const c_char,
        new_total_cnt: size_t,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> *mut rd_kafka_NewPartitions_t;
    pub fn rd_kafka_NewPartitions_destroy(new_parts: *mut rd_kafka_NewPartitions_t);
    pub fn rd_kafka_NewPartitions_set_replica_assignment(
        new_parts: *mut rd_kafka_NewPartitions_t,
        new_partition_idx: i32,
        broker_ids: *mut i32,
        broker_id_cnt: size_t,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_CreatePartitions(
        rk: *mut rd_kafka_t,
        new_parts: *mut *mut rd_kafka_NewPartitions_t,
        new_parts_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_CreatePartitions_result_topics(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_topic_result_t;

    // --- configs ---
    pub fn rd_kafka_ConfigEntry_name(entry: *const rd_kafka_ConfigEntry_t) -> *const c_char;
    pub fn rd_kafka_ConfigEntry_value(entry: *const rd_kafka_ConfigEntry_t) -> *const c_char;
    pub fn rd_kafka_ConfigEntry_source(entry: *const rd_kafka_ConfigEntry_t) -> c_int;
    pub fn rd_kafka_ConfigEntry_is_read_only(entry: *const rd_kafka_ConfigEntry_t) -> c_int;
    pub fn rd_kafka_ConfigEntry_is_default(entry: *const rd_kafka_ConfigEntry_t) -> c_int;
    pub fn rd_kafka_ConfigEntry_is_sensitive(entry: *const rd_kafka_ConfigEntry_t) -> c_int;
    pub fn rd_kafka_ConfigEntry_is_synonym(entry: *const rd_kafka_ConfigEntry_t) -> c_int;
    pub fn rd_kafka_ConfigEntry_synonyms(
        entry: *const rd_kafka_ConfigEntry_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConfigEntry_t;

    pub fn rd_kafka_ConfigResource_new(restype: c_int, resname: *const c_char) -> *mut rd_kafka_ConfigResource_t;
    pub fn rd_kafka_ConfigResource_destroy(config: *mut rd_kafka_ConfigResource_t);
    pub fn rd_kafka_ConfigResource_set_config(
        config: *mut rd_kafka_ConfigResource_t,
        name: *const c_char,
        value: *const c_char,
    ) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_ConfigResource_add_incremental_config(
        config: *mut rd_kafka_ConfigResource_t,
        name: *const c_char,
        op_type: c_int,
        value: *const c_char,
    ) -> *mut rd_kafka_error_t;
    pub fn rd_kafka_ConfigResource_configs(
        config: *const rd_kafka_ConfigResource_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConfigEntry_t;
    pub fn rd_kafka_ConfigResource_type(config: *const rd_kafka_ConfigResource_t) -> c_int;
    pub fn rd_kafka_ConfigResource_name(config: *const rd_kafka_ConfigResource_t) -> *const c_char;
    pub fn rd_kafka_ConfigResource_error(config: *const rd_kafka_ConfigResource_t) -> rd_kafka_resp_err_t;
    pub fn rd_kafka_ConfigResource_error_string(config: *const rd_kafka_ConfigResource_t) -> *const c_char;

    pub fn rd_kafka_AlterConfigs(
        rk: *mut rd_kafka_t,
        configs: *mut *mut rd_kafka_ConfigResource_t,
        config_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_AlterConfigs_result_resources(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConfigResource_t;
    pub fn rd_kafka_IncrementalAlterConfigs(
        rk: *mut rd_kafka_t,
        configs: *mut *mut rd_kafka_ConfigResource_t,
        config_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_IncrementalAlterConfigs_result_resources(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConfigResource_t;
    pub fn rd_kafka_DescribeConfigs(
        rk: *mut rd_kafka_t,
        configs: *mut *mut rd_kafka_ConfigResource_t,
        config_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DescribeConfigs_result_resources(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConfigResource_t;

    // --- DeleteRecords ---
    pub fn rd_kafka_DeleteRecords_new(
        before_offsets: *const rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_DeleteRecords_t;
    pub fn rd_kafka_DeleteRecords_destroy(del_records: *mut rd_kafka_DeleteRecords_t);
    pub fn rd_kafka_DeleteRecords(
        rk: *mut rd_kafka_t,
        del_records: *mut *mut rd_kafka_DeleteRecords_t,
        del_record_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DeleteRecords_result_offsets(
        result: *const rd_kafka_event_t,
    ) -> *const rd_kafka_topic_partition_list_t;

    // --- DescribeTopics ---
    pub fn rd_kafka_TopicCollection_of_topic_names(
        topics: *const *const c_char,
        topics_cnt: size_t,
    ) -> *mut rd_kafka_TopicCollection_t;
    pub fn rd_kafka_TopicCollection_destroy(topics: *mut rd_kafka_TopicCollection_t);
    pub fn rd_kafka_DescribeTopics(
        rk: *mut rd_kafka_t,
        topics: *const rd_kafka_TopicCollection_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DescribeTopics_result_topics(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_TopicDescription_t;
    pub fn rd_kafka_TopicDescription_partitions(
        topicdesc: *const rd_kafka_TopicDescription_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_TopicPartitionInfo_t;
    pub fn rd_kafka_TopicPartitionInfo_partition(partition: *const rd_kafka_TopicPartitionInfo_t) -> c_int;
    pub fn rd_kafka_TopicPartitionInfo_leader(
        partition: *const rd_kafka_TopicPartitionInfo_t,
    ) -> *const rd_kafka_Node_t;
    pub fn rd_kafka_TopicPartitionInfo_isr(
        partition: *const rd_kafka_TopicPartitionInfo_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_Node_t;
    pub fn rd_kafka_TopicPartitionInfo_replicas(
        partition: *const rd_kafka_TopicPartitionInfo_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_Node_t;
    pub fn rd_kafka_TopicDescription_authorized_operations(
        topicdesc: *const rd_kafka_TopicDescription_t,
        cntp: *mut size_t,
    ) -> *const c_int;
    pub fn rd_kafka_TopicDescription_name(topicdesc: *const rd_kafka_TopicDescription_t) -> *const c_char;
    pub fn rd_kafka_TopicDescription_topic_id(topicdesc: *const rd_kafka_TopicDescription_t) -> *const rd_kafka_Uuid_t;
    pub fn rd_kafka_TopicDescription_is_internal(topicdesc: *const rd_kafka_TopicDescription_t) -> c_int;
    pub fn rd_kafka_TopicDescription_error(topicdesc: *const rd_kafka_TopicDescription_t) -> *const rd_kafka_error_t;

    pub fn rd_kafka_Uuid_least_significant_bits(uuid: *const rd_kafka_Uuid_t) -> i64;
    pub fn rd_kafka_Uuid_most_significant_bits(uuid: *const rd_kafka_Uuid_t) -> i64;

    pub fn rd_kafka_Node_id(node: *const rd_kafka_Node_t) -> c_int;
    pub fn rd_kafka_Node_host(node: *const rd_kafka_Node_t) -> *const c_char;
    pub fn rd_kafka_Node_port(node: *const rd_kafka_Node_t) -> u16;
    pub fn rd_kafka_Node_rack(node: *const rd_kafka_Node_t) -> *const c_char;

    // --- DescribeCluster ---
    pub fn rd_kafka_DescribeCluster(
        rk: *mut rd_kafka_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DescribeCluster_result_nodes(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_Node_t;
    pub fn rd_kafka_DescribeCluster_result_authorized_operations(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const c_int;
    pub fn rd_kafka_DescribeCluster_result_controller(result: *const rd_kafka_event_t) -> *const rd_kafka_Node_t;
    pub fn rd_kafka_DescribeCluster_result_cluster_id(result: *const rd_kafka_event_t) -> *const c_char;

    // --- consumer groups ---
    pub fn rd_kafka_ListConsumerGroups(
        rk: *mut rd_kafka_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_ConsumerGroupListing_group_id(grplist: *const rd_kafka_ConsumerGroupListing_t) -> *const c_char;
    pub fn rd_kafka_ConsumerGroupListing_is_simple_consumer_group(
        grplist: *const rd_kafka_ConsumerGroupListing_t,
    ) -> c_int;
    pub fn rd_kafka_ConsumerGroupListing_state(grplist: *const rd_kafka_ConsumerGroupListing_t) -> c_int;
    pub fn rd_kafka_ConsumerGroupListing_type(grplist: *const rd_kafka_ConsumerGroupListing_t) -> c_int;
    pub fn rd_kafka_ListConsumerGroups_result_valid(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConsumerGroupListing_t;
    pub fn rd_kafka_ListConsumerGroups_result_errors(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_error_t;

    pub fn rd_kafka_DescribeConsumerGroups(
        rk: *mut rd_kafka_t,
        groups: *const *const c_char,
        groups_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DescribeConsumerGroups_result_groups(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ConsumerGroupDescription_t;
    pub fn rd_kafka_ConsumerGroupDescription_group_id(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
    ) -> *const c_char;
    pub fn rd_kafka_ConsumerGroupDescription_error(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
    ) -> *const rd_kafka_error_t;
    pub fn rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
    ) -> c_int;
    pub fn rd_kafka_ConsumerGroupDescription_partition_assignor(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
    ) -> *const c_char;
    pub fn rd_kafka_ConsumerGroupDescription_authorized_operations(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
        cntp: *mut size_t,
    ) -> *const c_int;
    pub fn rd_kafka_ConsumerGroupDescription_state(grpdesc: *const rd_kafka_ConsumerGroupDescription_t) -> c_int;
    pub fn rd_kafka_ConsumerGroupDescription_coordinator(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
    ) -> *const rd_kafka_Node_t;
    pub fn rd_kafka_ConsumerGroupDescription_type(grpdesc: *const rd_kafka_ConsumerGroupDescription_t) -> c_int;
    pub fn rd_kafka_ConsumerGroupDescription_member_count(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
    ) -> size_t;
    pub fn rd_kafka_ConsumerGroupDescription_member(
        grpdesc: *const rd_kafka_ConsumerGroupDescription_t,
        idx: size_t,
    ) -> *const rd_kafka_MemberDescription_t;
    pub fn rd_kafka_MemberDescription_client_id(member: *const rd_kafka_MemberDescription_t) -> *const c_char;
    pub fn rd_kafka_MemberDescription_group_instance_id(member: *const rd_kafka_MemberDescription_t) -> *const c_char;
    pub fn rd_kafka_MemberDescription_consumer_id(member: *const rd_kafka_MemberDescription_t) -> *const c_char;
    pub fn rd_kafka_MemberDescription_host(member: *const rd_kafka_MemberDescription_t) -> *const c_char;
    pub fn rd_kafka_MemberDescription_assignment(
        member: *const rd_kafka_MemberDescription_t,
    ) -> *const rd_kafka_MemberAssignment_t;
    pub fn rd_kafka_MemberDescription_target_assignment(
        member: *const rd_kafka_MemberDescription_t,
    ) -> *const rd_kafka_MemberAssignment_t;
    pub fn rd_kafka_MemberAssignment_partitions(
        assignment: *const rd_kafka_MemberAssignment_t,
    ) -> *const rd_kafka_topic_partition_list_t;

    pub fn rd_kafka_DeleteGroup_new(group: *const c_char) -> *mut rd_kafka_DeleteGroup_t;
    pub fn rd_kafka_DeleteGroup_destroy(del_group: *mut rd_kafka_DeleteGroup_t);
    pub fn rd_kafka_DeleteGroups(
        rk: *mut rd_kafka_t,
        del_groups: *mut *mut rd_kafka_DeleteGroup_t,
        del_group_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DeleteGroups_result_groups(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_group_result_t;

    pub fn rd_kafka_ListConsumerGroupOffsets_new(
        group_id: *const c_char,
        partitions: *const rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_ListConsumerGroupOffsets_t;
    pub fn rd_kafka_ListConsumerGroupOffsets_destroy(list_grpoffsets: *mut rd_kafka_ListConsumerGroupOffsets_t);
    pub fn rd_kafka_ListConsumerGroupOffsets(
        rk: *mut rd_kafka_t,
        list_grpoffsets: *mut *mut rd_kafka_ListConsumerGroupOffsets_t,
        list_grpoffsets_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_ListConsumerGroupOffsets_result_groups(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_group_result_t;

    pub fn rd_kafka_AlterConsumerGroupOffsets_new(
        group_id: *const c_char,
        partitions: *const rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_AlterConsumerGroupOffsets_t;
    pub fn rd_kafka_AlterConsumerGroupOffsets_destroy(alter_grpoffsets: *mut rd_kafka_AlterConsumerGroupOffsets_t);
    pub fn rd_kafka_AlterConsumerGroupOffsets(
        rk: *mut rd_kafka_t,
        alter_grpoffsets: *mut *mut rd_kafka_AlterConsumerGroupOffsets_t,
        alter_grpoffsets_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_AlterConsumerGroupOffsets_result_groups(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_group_result_t;

    pub fn rd_kafka_DeleteConsumerGroupOffsets_new(
        group: *const c_char,
        partitions: *const rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_DeleteConsumerGroupOffsets_t;
    pub fn rd_kafka_DeleteConsumerGroupOffsets_destroy(del_grpoffsets: *mut rd_kafka_DeleteConsumerGroupOffsets_t);
    pub fn rd_kafka_DeleteConsumerGroupOffsets(
        rk: *mut rd_kafka_t,
        del_grpoffsets: *mut *mut rd_kafka_DeleteConsumerGroupOffsets_t,
        del_grpoffsets_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_group_result_t;

    // --- ListOffsets ---
    pub fn rd_kafka_ListOffsetsResultInfo_topic_partition(
        result_info: *const rd_kafka_ListOffsetsResultInfo_t,
    ) -> *const rd_kafka_topic_partition_t;
    pub fn rd_kafka_ListOffsetsResultInfo_timestamp(result_info: *const rd_kafka_ListOffsetsResultInfo_t) -> i64;
    pub fn rd_kafka_ListOffsets_result_infos(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_ListOffsetsResultInfo_t;
    pub fn rd_kafka_ListOffsets(
        rk: *mut rd_kafka_t,
        topic_partitions: *mut rd_kafka_topic_partition_list_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );

    // --- SCRAM credentials ---
    pub fn rd_kafka_ScramCredentialInfo_mechanism(info: *const rd_kafka_ScramCredentialInfo_t) -> c_int;
    pub fn rd_kafka_ScramCredentialInfo_iterations(info: *const rd_kafka_ScramCredentialInfo_t) -> i32;
    pub fn rd_kafka_UserScramCredentialsDescription_user(
        description: *const rd_kafka_UserScramCredentialsDescription_t,
    ) -> *const c_char;
    pub fn rd_kafka_UserScramCredentialsDescription_error(
        description: *const rd_kafka_UserScramCredentialsDescription_t,
    ) -> *const rd_kafka_error_t;
    pub fn rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count(
        description: *const rd_kafka_UserScramCredentialsDescription_t,
    ) -> size_t;
    pub fn rd_kafka_UserScramCredentialsDescription_scramcredentialinfo(
        description: *const rd_kafka_UserScramCredentialsDescription_t,
        idx: size_t,
    ) -> *const rd_kafka_ScramCredentialInfo_t;
    pub fn rd_kafka_DescribeUserScramCredentials_result_descriptions(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_UserScramCredentialsDescription_t;
    pub fn rd_kafka_DescribeUserScramCredentials(
        rk: *mut rd_kafka_t,
        users: *const *const c_char,
        user_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_UserScramCredentialUpsertion_new(
        username: *const c_char,
        mechanism: c_int,
        iterations: i32,
        password: *const u8,
        password_size: size_t,
        salt: *const u8,
        salt_size: size_t,
    ) -> *mut rd_kafka_UserScramCredentialAlteration_t;
    pub fn rd_kafka_UserScramCredentialDeletion_new(
        username: *const c_char,
        mechanism: c_int,
    ) -> *mut rd_kafka_UserScramCredentialAlteration_t;
    pub fn rd_kafka_UserScramCredentialAlteration_destroy(alteration: *mut rd_kafka_UserScramCredentialAlteration_t);
    pub fn rd_kafka_AlterUserScramCredentials_result_response_user(
        response: *const rd_kafka_AlterUserScramCredentials_result_response_t,
    ) -> *const c_char;
    pub fn rd_kafka_AlterUserScramCredentials_result_response_error(
        response: *const rd_kafka_AlterUserScramCredentials_result_response_t,
    ) -> *const rd_kafka_error_t;
    pub fn rd_kafka_AlterUserScramCredentials_result_responses(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_AlterUserScramCredentials_result_response_t;
    pub fn rd_kafka_AlterUserScramCredentials(
        rk: *mut rd_kafka_t,
        alterations: *mut *mut rd_kafka_UserScramCredentialAlteration_t,
        alteration_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );

    // --- ACLs ---
    pub fn rd_kafka_acl_result_error(aclres: *const rd_kafka_acl_result_t) -> *const rd_kafka_error_t;
    pub fn rd_kafka_AclBinding_new(
        restype: c_int,
        name: *const c_char,
        resource_pattern_type: c_int,
        principal: *const c_char,
        host: *const c_char,
        operation: c_int,
        permission_type: c_int,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> *mut rd_kafka_AclBinding_t;
    pub fn rd_kafka_AclBindingFilter_new(
        restype: c_int,
        name: *const c_char,
        resource_pattern_type: c_int,
        principal: *const c_char,
        host: *const c_char,
        operation: c_int,
        permission_type: c_int,
        errstr: *mut c_char,
        errstr_size: size_t,
    ) -> *mut rd_kafka_AclBindingFilter_t;
    pub fn rd_kafka_AclBinding_restype(acl: *const rd_kafka_AclBinding_t) -> c_int;
    pub fn rd_kafka_AclBinding_name(acl: *const rd_kafka_AclBinding_t) -> *const c_char;
    pub fn rd_kafka_AclBinding_principal(acl: *const rd_kafka_AclBinding_t) -> *const c_char;
    pub fn rd_kafka_AclBinding_host(acl: *const rd_kafka_AclBinding_t) -> *const c_char;
    pub fn rd_kafka_AclBinding_operation(acl: *const rd_kafka_AclBinding_t) -> c_int;
    pub fn rd_kafka_AclBinding_permission_type(acl: *const rd_kafka_AclBinding_t) -> c_int;
    pub fn rd_kafka_AclBinding_resource_pattern_type(acl: *const rd_kafka_AclBinding_t) -> c_int;
    pub fn rd_kafka_AclBinding_error(acl: *const rd_kafka_AclBinding_t) -> *const rd_kafka_error_t;
    pub fn rd_kafka_AclBinding_destroy(acl_binding: *mut rd_kafka_AclBinding_t);
    pub fn rd_kafka_CreateAcls_result_acls(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_acl_result_t;
    pub fn rd_kafka_CreateAcls(
        rk: *mut rd_kafka_t,
        new_acls: *mut *mut rd_kafka_AclBinding_t,
        new_acls_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DescribeAcls_result_acls(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_AclBinding_t;
    pub fn rd_kafka_DescribeAcls(
        rk: *mut rd_kafka_t,
        acl_filter: *mut rd_kafka_AclBindingFilter_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_DeleteAcls_result_responses(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_DeleteAcls_result_response_t;
    pub fn rd_kafka_DeleteAcls_result_response_error(
        result_response: *const rd_kafka_DeleteAcls_result_response_t,
    ) -> *const rd_kafka_error_t;
    pub fn rd_kafka_DeleteAcls_result_response_matching_acls(
        result_response: *const rd_kafka_DeleteAcls_result_response_t,
        matching_acls_cntp: *mut size_t,
    ) -> *const *const rd_kafka_AclBinding_t;
    pub fn rd_kafka_DeleteAcls(
        rk: *mut rd_kafka_t,
        del_acls: *mut *mut rd_kafka_AclBindingFilter_t,
        del_acls_cnt: size_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );

    // --- ElectLeaders ---
    pub fn rd_kafka_ElectLeaders_new(
        election_type: c_int,
        partitions: *mut rd_kafka_topic_partition_list_t,
    ) -> *mut rd_kafka_ElectLeaders_t;
    pub fn rd_kafka_ElectLeaders_destroy(elect_leaders: *mut rd_kafka_ElectLeaders_t);
    pub fn rd_kafka_ElectLeaders(
        rk: *mut rd_kafka_t,
        elect_leaders: *mut rd_kafka_ElectLeaders_t,
        options: *const rd_kafka_AdminOptions_t,
        rkqu: *mut rd_kafka_queue_t,
    );
    pub fn rd_kafka_ElectLeaders_result_partitions(
        result: *const rd_kafka_event_t,
        cntp: *mut size_t,
    ) -> *const *const rd_kafka_topic_partition_result_t;
}
