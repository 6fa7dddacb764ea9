//! Admin results: result events read into owned Rust values (broker-written
//! strings decoded lossily, C enums read as integers).

use crate::error::{ErrorCode, KafkaError};
use crate::native::admin_sys as a;
use crate::native::error::error_ref;
use crate::native::{cstr_owned, sys, NativeEvent, NativeTpl};
use crate::values::admin::{
    AclBinding, AclOperation, AclPermissionType, ConfigEntry, ConfigSource, ConsumerGroupDescription,
    ConsumerGroupListing, ConsumerGroupState, ConsumerGroupType, DescribeClusterResult, ListConsumerGroupsResult,
    ListOffsetsResultInfo, MemberDescription, Node, ResourcePatternType, ResourceType, ScramCredentialInfo,
    ScramMechanism, TopicDescription, TopicPartitionInfo, UserScramCredentialsDescription, Uuid,
};
use crate::TopicPartition;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use super::{admin_event_error, AdminOp, COORD_SEND_FAILED};

// ---------------------------------------------------------------------------
// Decoding results
// ---------------------------------------------------------------------------

/// Lossy copy of a C string; `None` for null.
unsafe fn opt_string(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(CStr::from_ptr(p).to_string_lossy().into_owned())
    }
}

/// The non-null entries of a C array of pointers (none for a null array).
///
/// # Safety
/// `p` must be null or point to `n` pointers valid for `'a`.
unsafe fn array<'a, T: 'a>(p: *const *const T, n: usize) -> impl Iterator<Item = *const T> + 'a {
    let entries: &'a [*const T] = if p.is_null() || n == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, n)
    };
    entries.iter().copied().filter(|e| !e.is_null())
}

/// An error from a code and an optional message.
pub(super) unsafe fn error_code(code: c_int, msg: *const c_char) -> Option<KafkaError> {
    if code == 0 {
        return None;
    }
    Some(match opt_string(msg) {
        Some(m) if !m.is_empty() => KafkaError::new(ErrorCode(code), m),
        _ => KafkaError::from_code(ErrorCode(code)),
    })
}

unsafe fn node(p: *const a::rd_kafka_Node_t) -> Option<Node> {
    if p.is_null() {
        return None;
    }
    Some(Node {
        id: a::rd_kafka_Node_id(p),
        host: cstr_owned(a::rd_kafka_Node_host(p)),
        port: a::rd_kafka_Node_port(p),
        rack: opt_string(a::rd_kafka_Node_rack(p)).filter(|r| !r.is_empty()),
    })
}

unsafe fn nodes(p: *const *const a::rd_kafka_Node_t, n: usize) -> Vec<Node> {
    array(p, n).filter_map(|x| node(x)).collect()
}

unsafe fn acl_ops(p: *const c_int, n: usize) -> Option<Vec<AclOperation>> {
    if p.is_null() {
        return None;
    }
    Some(
        std::slice::from_raw_parts(p, n)
            .iter()
            .map(|&o| AclOperation(o))
            .collect(),
    )
}

unsafe fn tpl(p: *const sys::rd_kafka_topic_partition_list_t) -> Vec<TopicPartition> {
    NativeTpl::read_list(p)
}

/// The result event, checked to be of the operation's type.
pub(crate) struct AdminResult<'a> {
    ev: &'a NativeEvent,
    ok: bool,
}

impl<'a> AdminResult<'a> {
    pub(crate) fn new(ev: &'a NativeEvent, op: AdminOp) -> Self {
        AdminResult {
            ev,
            ok: ev.kind() == op.result_event(),
        }
    }

    /// The event as the `*_result_t` pointer its accessors take (all of
    /// them are `rd_kafka_event_t` in C); null if of another type.
    fn raw(&self) -> *const sys::rd_kafka_event_t {
        if self.ok {
            self.ev.as_ptr()
        } else {
            std::ptr::null()
        }
    }

    /// True when librdkafka could not send a group-coordinator request of
    /// this result, which is the path where librdkafka 2.12.1 releases its
    /// references twice (librdkafka #3663): a request-level error from that
    /// path, or a local `_UNSUPPORTED_FEATURE` for any group (the only way a
    /// fanned-out group request reports it; brokers answer with other codes).
    pub(crate) fn coordinator_send_failed(&self, op: AdminOp) -> bool {
        if !op.uses_coordinator() {
            return false;
        }
        if let Some(e) = admin_event_error(self.ev) {
            return e.code() == ErrorCode::UNSUPPORTED_FEATURE || e.message().contains(COORD_SEND_FAILED);
        }
        let unsupported = |e: &KafkaError| e.code() == ErrorCode::UNSUPPORTED_FEATURE;
        match op {
            AdminOp::DescribeConsumerGroups => self
                .describe_consumer_groups()
                .iter()
                .any(|(_, r)| r.as_ref().err().is_some_and(unsupported)),
            _ => self
                .group_results(op)
                .iter()
                .any(|(_, r)| r.as_ref().err().is_some_and(unsupported)),
        }
    }

    /// `(topic, error)` for CreateTopics, DeleteTopics, CreatePartitions.
    ///
    /// Corresponds to `rd_kafka_CreateTopics_result_topics` and friends.
    pub(crate) fn topic_results(&self, op: AdminOp) -> Vec<(String, Option<KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: r is a result event of this operation's type; the results
        // live with the event and are only read.
        unsafe {
            let p = match op {
                AdminOp::CreateTopics => a::rd_kafka_CreateTopics_result_topics(r, &mut n),
                AdminOp::DeleteTopics => a::rd_kafka_DeleteTopics_result_topics(r, &mut n),
                AdminOp::CreatePartitions => a::rd_kafka_CreatePartitions_result_topics(r, &mut n),
                _ => return Vec::new(),
            };
            array(p, n)
                .map(|t| {
                    (
                        cstr_owned(a::rd_kafka_topic_result_name(t)),
                        error_code(
                            a::rd_kafka_topic_result_error(t),
                            a::rd_kafka_topic_result_error_string(t),
                        ),
                    )
                })
                .collect()
        }
    }

    /// `(type, name, error, entries)` for the three config operations.
    ///
    /// Corresponds to `rd_kafka_DescribeConfigs_result_resources` and friends.
    pub(crate) fn config_results(
        &self,
        op: AdminOp,
    ) -> Vec<(ResourceType, String, Option<KafkaError>, Vec<ConfigEntry>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            let p = match op {
                AdminOp::DescribeConfigs => a::rd_kafka_DescribeConfigs_result_resources(r, &mut n),
                AdminOp::AlterConfigs => a::rd_kafka_AlterConfigs_result_resources(r, &mut n),
                AdminOp::IncrementalAlterConfigs => a::rd_kafka_IncrementalAlterConfigs_result_resources(r, &mut n),
                _ => return Vec::new(),
            };
            array(p, n)
                .map(|res| {
                    let mut cnt = 0;
                    let entries = array(a::rd_kafka_ConfigResource_configs(res, &mut cnt), cnt)
                        .map(|e| config_entry(e, 0))
                        .collect();
                    (
                        ResourceType(a::rd_kafka_ConfigResource_type(res)),
                        cstr_owned(a::rd_kafka_ConfigResource_name(res)),
                        error_code(
                            a::rd_kafka_ConfigResource_error(res),
                            a::rd_kafka_ConfigResource_error_string(res),
                        ),
                        entries,
                    )
                })
                .collect()
        }
    }

    /// The partitions with their new low watermarks (or errors).
    ///
    /// Corresponds to `rd_kafka_DeleteRecords_result_offsets`.
    pub(crate) fn delete_records(&self) -> Vec<TopicPartition> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        // SAFETY: as in topic_results.
        unsafe { tpl(a::rd_kafka_DeleteRecords_result_offsets(r)) }
    }

    /// Corresponds to `rd_kafka_DescribeTopics_result_topics`.
    pub(crate) fn describe_topics(&self) -> Vec<(String, Result<TopicDescription, KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(a::rd_kafka_DescribeTopics_result_topics(r, &mut n), n)
                .map(|t| {
                    let name = cstr_owned(a::rd_kafka_TopicDescription_name(t));
                    if let Some(e) = error_ref(a::rd_kafka_TopicDescription_error(t)) {
                        return (name, Err(e));
                    }
                    let id = a::rd_kafka_TopicDescription_topic_id(t);
                    let topic_id = if id.is_null() {
                        Uuid::ZERO
                    } else {
                        Uuid::new(
                            a::rd_kafka_Uuid_most_significant_bits(id),
                            a::rd_kafka_Uuid_least_significant_bits(id),
                        )
                    };
                    let mut pc = 0;
                    let partitions = array(a::rd_kafka_TopicDescription_partitions(t, &mut pc), pc)
                        .map(|p| {
                            let (mut ni, mut nr) = (0, 0);
                            let isr = a::rd_kafka_TopicPartitionInfo_isr(p, &mut ni);
                            let replicas = a::rd_kafka_TopicPartitionInfo_replicas(p, &mut nr);
                            TopicPartitionInfo {
                                id: a::rd_kafka_TopicPartitionInfo_partition(p),
                                leader: node(a::rd_kafka_TopicPartitionInfo_leader(p)),
                                replicas: nodes(replicas, nr),
                                isr: nodes(isr, ni),
                            }
                        })
                        .collect();
                    let mut oc = 0;
                    let ops = a::rd_kafka_TopicDescription_authorized_operations(t, &mut oc);
                    let desc = TopicDescription {
                        name: name.clone(),
                        topic_id,
                        is_internal: a::rd_kafka_TopicDescription_is_internal(t) != 0,
                        partitions,
                        authorized_operations: acl_ops(ops, oc),
                    };
                    (name, Ok(desc))
                })
                .collect()
        }
    }

    /// Corresponds to `rd_kafka_DescribeCluster_result_*`.
    pub(crate) fn describe_cluster(&self) -> Option<DescribeClusterResult> {
        let r = self.raw();
        if r.is_null() {
            return None;
        }
        let (mut n, mut oc) = (0, 0);
        // SAFETY: as in topic_results.
        unsafe {
            let ns = a::rd_kafka_DescribeCluster_result_nodes(r, &mut n);
            let ops = a::rd_kafka_DescribeCluster_result_authorized_operations(r, &mut oc);
            Some(DescribeClusterResult {
                cluster_id: opt_string(a::rd_kafka_DescribeCluster_result_cluster_id(r)),
                controller: node(a::rd_kafka_DescribeCluster_result_controller(r)),
                nodes: nodes(ns, n),
                authorized_operations: acl_ops(ops, oc),
            })
        }
    }

    /// Corresponds to `rd_kafka_ListConsumerGroups_result_valid` and `…_errors`.
    pub(crate) fn list_consumer_groups(&self) -> Option<ListConsumerGroupsResult> {
        let r = self.raw();
        if r.is_null() {
            return None;
        }
        let (mut nv, mut ne) = (0, 0);
        // SAFETY: as in topic_results.
        unsafe {
            let valid = array(a::rd_kafka_ListConsumerGroups_result_valid(r, &mut nv), nv)
                .map(|g| ConsumerGroupListing {
                    group_id: cstr_owned(a::rd_kafka_ConsumerGroupListing_group_id(g)),
                    is_simple_consumer_group: a::rd_kafka_ConsumerGroupListing_is_simple_consumer_group(g) != 0,
                    state: ConsumerGroupState(a::rd_kafka_ConsumerGroupListing_state(g)),
                    group_type: ConsumerGroupType(a::rd_kafka_ConsumerGroupListing_type(g)),
                })
                .collect();
            let errors = array(a::rd_kafka_ListConsumerGroups_result_errors(r, &mut ne), ne)
                .filter_map(|e| error_ref(e))
                .collect();
            Some(ListConsumerGroupsResult { valid, errors })
        }
    }

    /// Corresponds to `rd_kafka_DescribeConsumerGroups_result_groups`.
    pub(crate) fn describe_consumer_groups(&self) -> Vec<(String, Result<ConsumerGroupDescription, KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(a::rd_kafka_DescribeConsumerGroups_result_groups(r, &mut n), n)
                .map(|g| {
                    let group_id = cstr_owned(a::rd_kafka_ConsumerGroupDescription_group_id(g));
                    if let Some(e) = error_ref(a::rd_kafka_ConsumerGroupDescription_error(g)) {
                        return (group_id, Err(e));
                    }
                    let count = a::rd_kafka_ConsumerGroupDescription_member_count(g);
                    let members = (0..count)
                        .map(|i| a::rd_kafka_ConsumerGroupDescription_member(g, i))
                        .filter(|m| !m.is_null())
                        .map(|m| {
                            let assignment = a::rd_kafka_MemberDescription_assignment(m);
                            let target = a::rd_kafka_MemberDescription_target_assignment(m);
                            MemberDescription {
                                member_id: cstr_owned(a::rd_kafka_MemberDescription_consumer_id(m)),
                                client_id: cstr_owned(a::rd_kafka_MemberDescription_client_id(m)),
                                host: cstr_owned(a::rd_kafka_MemberDescription_host(m)),
                                assignment: if assignment.is_null() {
                                    Vec::new()
                                } else {
                                    tpl(a::rd_kafka_MemberAssignment_partitions(assignment))
                                },
                                group_instance_id: opt_string(a::rd_kafka_MemberDescription_group_instance_id(m)),
                                target_assignment: if target.is_null() {
                                    None
                                } else {
                                    Some(tpl(a::rd_kafka_MemberAssignment_partitions(target)))
                                },
                            }
                        })
                        .collect();
                    let mut oc = 0;
                    let ops = a::rd_kafka_ConsumerGroupDescription_authorized_operations(g, &mut oc);
                    let desc = ConsumerGroupDescription {
                        group_id: group_id.clone(),
                        is_simple_consumer_group: a::rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(g) != 0,
                        members,
                        partition_assignor: cstr_owned(a::rd_kafka_ConsumerGroupDescription_partition_assignor(g)),
                        state: ConsumerGroupState(a::rd_kafka_ConsumerGroupDescription_state(g)),
                        group_type: ConsumerGroupType(a::rd_kafka_ConsumerGroupDescription_type(g)),
                        coordinator: node(a::rd_kafka_ConsumerGroupDescription_coordinator(g)),
                        authorized_operations: acl_ops(ops, oc),
                    };
                    (group_id, Ok(desc))
                })
                .collect()
        }
    }

    /// `(group, partitions or error)` for DeleteGroups and the three group
    /// offset operations.
    ///
    /// Corresponds to `rd_kafka_DeleteGroups_result_groups` and friends.
    pub(crate) fn group_results(&self, op: AdminOp) -> Vec<(String, Result<Vec<TopicPartition>, KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            let p = match op {
                AdminOp::DeleteGroups => a::rd_kafka_DeleteGroups_result_groups(r, &mut n),
                AdminOp::ListConsumerGroupOffsets => a::rd_kafka_ListConsumerGroupOffsets_result_groups(r, &mut n),
                AdminOp::AlterConsumerGroupOffsets => a::rd_kafka_AlterConsumerGroupOffsets_result_groups(r, &mut n),
                AdminOp::DeleteConsumerGroupOffsets => a::rd_kafka_DeleteConsumerGroupOffsets_result_groups(r, &mut n),
                _ => return Vec::new(),
            };
            array(p, n)
                .map(|g| {
                    let name = cstr_owned(a::rd_kafka_group_result_name(g));
                    match error_ref(a::rd_kafka_group_result_error(g)) {
                        Some(e) => (name, Err(e)),
                        None => (name, Ok(tpl(a::rd_kafka_group_result_partitions(g)))),
                    }
                })
                .collect()
        }
    }

    /// `(topic, partition, result)` per partition.
    ///
    /// Corresponds to `rd_kafka_ListOffsets_result_infos`.
    pub(crate) fn list_offsets(&self) -> Vec<(String, i32, Result<ListOffsetsResultInfo, KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(a::rd_kafka_ListOffsets_result_infos(r, &mut n), n)
                .filter_map(|info| {
                    let tp = a::rd_kafka_ListOffsetsResultInfo_topic_partition(info);
                    if tp.is_null() {
                        return None;
                    }
                    let tp = NativeTpl::read_elem(&*tp);
                    let res = match tp.error {
                        Some(e) => Err(e),
                        None => Ok(ListOffsetsResultInfo {
                            offset: tp.offset,
                            timestamp: a::rd_kafka_ListOffsetsResultInfo_timestamp(info),
                            leader_epoch: tp.leader_epoch,
                        }),
                    };
                    Some((tp.topic, tp.partition, res))
                })
                .collect()
        }
    }

    /// Corresponds to `rd_kafka_DescribeUserScramCredentials_result_descriptions`.
    pub(crate) fn describe_user_scram_credentials(
        &self,
    ) -> Vec<(String, Result<UserScramCredentialsDescription, KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(
                a::rd_kafka_DescribeUserScramCredentials_result_descriptions(r, &mut n),
                n,
            )
            .map(|d| {
                let user = cstr_owned(a::rd_kafka_UserScramCredentialsDescription_user(d));
                if let Some(e) = error_ref(a::rd_kafka_UserScramCredentialsDescription_error(d)) {
                    return (user, Err(e));
                }
                let count = a::rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count(d);
                let infos = (0..count)
                    .map(|i| a::rd_kafka_UserScramCredentialsDescription_scramcredentialinfo(d, i))
                    .filter(|i| !i.is_null())
                    .map(|i| ScramCredentialInfo {
                        mechanism: ScramMechanism(a::rd_kafka_ScramCredentialInfo_mechanism(i)),
                        iterations: a::rd_kafka_ScramCredentialInfo_iterations(i),
                    })
                    .collect();
                (
                    user.clone(),
                    Ok(UserScramCredentialsDescription {
                        user,
                        scram_credential_infos: infos,
                    }),
                )
            })
            .collect()
        }
    }

    /// Corresponds to `rd_kafka_AlterUserScramCredentials_result_responses`.
    pub(crate) fn alter_user_scram_credentials(&self) -> Vec<(String, Option<KafkaError>)> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(a::rd_kafka_AlterUserScramCredentials_result_responses(r, &mut n), n)
                .map(|x| {
                    (
                        cstr_owned(a::rd_kafka_AlterUserScramCredentials_result_response_user(x)),
                        error_ref(a::rd_kafka_AlterUserScramCredentials_result_response_error(x)),
                    )
                })
                .collect()
        }
    }

    /// One entry per requested binding, in request order.
    ///
    /// Corresponds to `rd_kafka_CreateAcls_result_acls`.
    pub(crate) fn create_acls(&self) -> Vec<Option<KafkaError>> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(a::rd_kafka_CreateAcls_result_acls(r, &mut n), n)
                .map(|x| error_ref(a::rd_kafka_acl_result_error(x)))
                .collect()
        }
    }

    /// Corresponds to `rd_kafka_DescribeAcls_result_acls`.
    pub(crate) fn describe_acls(&self) -> Option<Vec<AclBinding>> {
        let r = self.raw();
        if r.is_null() {
            return None;
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            Some(
                array(a::rd_kafka_DescribeAcls_result_acls(r, &mut n), n)
                    .map(|b| acl(b))
                    .collect(),
            )
        }
    }

    /// One entry per filter, in request order.
    ///
    /// Corresponds to `rd_kafka_DeleteAcls_result_responses`.
    pub(crate) fn delete_acls(&self) -> Vec<Result<Vec<AclBinding>, KafkaError>> {
        let r = self.raw();
        if r.is_null() {
            return Vec::new();
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            array(a::rd_kafka_DeleteAcls_result_responses(r, &mut n), n)
                .map(|x| match error_ref(a::rd_kafka_DeleteAcls_result_response_error(x)) {
                    Some(e) => Err(e),
                    None => {
                        let mut m = 0;
                        Ok(
                            array(a::rd_kafka_DeleteAcls_result_response_matching_acls(x, &mut m), m)
                                .map(|b| acl(b))
                                .collect(),
                        )
                    }
                })
                .collect()
        }
    }

    /// Corresponds to `rd_kafka_ElectLeaders_result_partitions`.
    pub(crate) fn elect_leaders(&self) -> Option<Vec<(TopicPartition, Option<KafkaError>)>> {
        let r = self.raw();
        if r.is_null() {
            return None;
        }
        let mut n = 0;
        // SAFETY: as in topic_results.
        unsafe {
            Some(
                array(a::rd_kafka_ElectLeaders_result_partitions(r, &mut n), n)
                    .filter_map(|x| {
                        let tp = a::rd_kafka_topic_partition_result_partition(x);
                        if tp.is_null() {
                            return None;
                        }
                        let mut tp = NativeTpl::read_elem(&*tp);
                        let err = error_ref(a::rd_kafka_topic_partition_result_error(x)).or(tp.error.take());
                        Some((tp, err))
                    })
                    .collect(),
            )
        }
    }
}

/// Copies a config entry (and, at the top level, its synonyms).
unsafe fn config_entry(e: *const a::rd_kafka_ConfigEntry_t, depth: u32) -> ConfigEntry {
    let synonyms = if depth == 0 {
        let mut n = 0;
        array(a::rd_kafka_ConfigEntry_synonyms(e, &mut n), n)
            .map(|s| config_entry(s, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    ConfigEntry {
        name: cstr_owned(a::rd_kafka_ConfigEntry_name(e)),
        value: opt_string(a::rd_kafka_ConfigEntry_value(e)),
        source: ConfigSource(a::rd_kafka_ConfigEntry_source(e)),
        is_read_only: a::rd_kafka_ConfigEntry_is_read_only(e) != 0,
        is_default: a::rd_kafka_ConfigEntry_is_default(e) != 0,
        is_sensitive: a::rd_kafka_ConfigEntry_is_sensitive(e) != 0,
        is_synonym: a::rd_kafka_ConfigEntry_is_synonym(e) != 0,
        synonyms,
    }
}

/// Copies an ACL binding owned by a result event.
unsafe fn acl(b: *const a::rd_kafka_AclBinding_t) -> AclBinding {
    AclBinding {
        restype: ResourceType(a::rd_kafka_AclBinding_restype(b)),
        name: cstr_owned(a::rd_kafka_AclBinding_name(b)),
        resource_pattern_type: ResourcePatternType(a::rd_kafka_AclBinding_resource_pattern_type(b)),
        principal: cstr_owned(a::rd_kafka_AclBinding_principal(b)),
        host: cstr_owned(a::rd_kafka_AclBinding_host(b)),
        operation: AclOperation(a::rd_kafka_AclBinding_operation(b)),
        permission_type: AclPermissionType(a::rd_kafka_AclBinding_permission_type(b)),
    }
}
