//! The Admin API: owned request objects (`rd_kafka_AdminOptions_t`,
//! `rd_kafka_NewTopic_t`, …), the background-thread event callback that
//! completes admin futures, and the decoding of result events into plain
//! Rust values.
//!
//! Requests are built from the crate's public types into owned C objects
//! ([`Prepared`]); librdkafka copies them when the request is made, so they
//! are destroyed right after. Results are read out of the event (a borrowed
//! view that dies with it) into owned Rust values; broker-written strings
//! are decoded lossily, and C enums are read as integers.

use super::admin_sys as a;
use super::callbacks::Hooks;
use super::error::{c_string, check_error, error_ref, opt_c_string};
use super::owned::{CObject, Owned};
use super::{cstr_owned, sys, ErrBuf, NativeClient, NativeConf, NativeEvent, NativeTpl};
use crate::error::{ErrorCode, KafkaError};
use crate::values::admin::{
    AclBinding, AclBindingFilter, AclOperation, AclPermissionType, ConfigEntry, ConfigResource, ConfigSource,
    ConsumerGroupDescription, ConsumerGroupListing, ConsumerGroupState, ConsumerGroupType, DescribeClusterResult,
    ElectionType, ListConsumerGroupsResult, ListOffsetsResultInfo, MemberDescription, NewPartitions, NewTopic, Node,
    ResourcePatternType, ResourceType, ScramCredentialInfo, ScramMechanism, TopicDescription, TopicPartitionInfo,
    UserScramCredentialsDescription, Uuid,
};
use crate::TopicPartition;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// One change of `alter_user_scram_credentials`, borrowed from the admin
/// module's `UserScramCredentialAlteration` (which zeroizes its secrets on
/// drop, so it lives above native/).
#[derive(Clone, Copy)]
pub(crate) enum ScramAlteration<'a> {
    Upsertion {
        user: &'a str,
        mechanism: i32,
        iterations: i32,
        password: &'a [u8],
        salt: Option<&'a [u8]>,
    },
    Deletion {
        user: &'a str,
        mechanism: i32,
    },
}

fn ptrs<T: CObject>(v: &[Owned<T>]) -> Vec<*mut T> {
    v.iter().map(Owned::as_ptr).collect()
}

fn opt_ptr(c: &Option<CString>) -> *const c_char {
    c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null())
}

// ---------------------------------------------------------------------------
// Operations and options
// ---------------------------------------------------------------------------

/// The admin operations, with their C option type and result event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AdminOp {
    CreateTopics,
    DeleteTopics,
    CreatePartitions,
    AlterConfigs,
    IncrementalAlterConfigs,
    DescribeConfigs,
    DeleteRecords,
    DescribeTopics,
    DescribeCluster,
    ListConsumerGroups,
    DescribeConsumerGroups,
    DeleteGroups,
    ListConsumerGroupOffsets,
    AlterConsumerGroupOffsets,
    DeleteConsumerGroupOffsets,
    ListOffsets,
    DescribeUserScramCredentials,
    AlterUserScramCredentials,
    CreateAcls,
    DescribeAcls,
    DeleteAcls,
    ElectLeaders,
}

impl AdminOp {
    fn for_api(self) -> c_int {
        use AdminOp::*;
        match self {
            CreateTopics => a::RD_KAFKA_ADMIN_OP_CREATETOPICS,
            DeleteTopics => a::RD_KAFKA_ADMIN_OP_DELETETOPICS,
            CreatePartitions => a::RD_KAFKA_ADMIN_OP_CREATEPARTITIONS,
            AlterConfigs => a::RD_KAFKA_ADMIN_OP_ALTERCONFIGS,
            IncrementalAlterConfigs => a::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS,
            DescribeConfigs => a::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
            DeleteRecords => a::RD_KAFKA_ADMIN_OP_DELETERECORDS,
            DescribeTopics => a::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS,
            DescribeCluster => a::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
            ListConsumerGroups => a::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
            DescribeConsumerGroups => a::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
            DeleteGroups => a::RD_KAFKA_ADMIN_OP_DELETEGROUPS,
            ListConsumerGroupOffsets => a::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
            AlterConsumerGroupOffsets => a::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
            DeleteConsumerGroupOffsets => a::RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS,
            ListOffsets => a::RD_KAFKA_ADMIN_OP_LISTOFFSETS,
            DescribeUserScramCredentials => a::RD_KAFKA_ADMIN_OP_DESCRIBEUSERSCRAMCREDENTIALS,
            AlterUserScramCredentials => a::RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS,
            CreateAcls => a::RD_KAFKA_ADMIN_OP_CREATEACLS,
            DescribeAcls => a::RD_KAFKA_ADMIN_OP_DESCRIBEACLS,
            DeleteAcls => a::RD_KAFKA_ADMIN_OP_DELETEACLS,
            ElectLeaders => a::RD_KAFKA_ADMIN_OP_ELECTLEADERS,
        }
    }

    /// The result event type this operation's answer carries.
    fn result_event(self) -> c_int {
        use AdminOp::*;
        match self {
            CreateTopics => a::RD_KAFKA_EVENT_CREATETOPICS_RESULT,
            DeleteTopics => a::RD_KAFKA_EVENT_DELETETOPICS_RESULT,
            CreatePartitions => a::RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT,
            AlterConfigs => a::RD_KAFKA_EVENT_ALTERCONFIGS_RESULT,
            IncrementalAlterConfigs => a::RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT,
            DescribeConfigs => a::RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT,
            DeleteRecords => a::RD_KAFKA_EVENT_DELETERECORDS_RESULT,
            DescribeTopics => a::RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT,
            DescribeCluster => a::RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT,
            ListConsumerGroups => a::RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT,
            DescribeConsumerGroups => a::RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT,
            DeleteGroups => a::RD_KAFKA_EVENT_DELETEGROUPS_RESULT,
            ListConsumerGroupOffsets => a::RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT,
            AlterConsumerGroupOffsets => a::RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT,
            DeleteConsumerGroupOffsets => a::RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT,
            ListOffsets => a::RD_KAFKA_EVENT_LISTOFFSETS_RESULT,
            DescribeUserScramCredentials => a::RD_KAFKA_EVENT_DESCRIBEUSERSCRAMCREDENTIALS_RESULT,
            AlterUserScramCredentials => a::RD_KAFKA_EVENT_ALTERUSERSCRAMCREDENTIALS_RESULT,
            CreateAcls => a::RD_KAFKA_EVENT_CREATEACLS_RESULT,
            DescribeAcls => a::RD_KAFKA_EVENT_DESCRIBEACLS_RESULT,
            DeleteAcls => a::RD_KAFKA_EVENT_DELETEACLS_RESULT,
            ElectLeaders => a::RD_KAFKA_EVENT_ELECTLEADERS_RESULT,
        }
    }

    /// Operations librdkafka sends to the group coordinator (through
    /// `rd_kafka_coord_req`).
    pub(crate) fn uses_coordinator(self) -> bool {
        use AdminOp::*;
        matches!(
            self,
            DescribeConsumerGroups
                | DeleteGroups
                | ListConsumerGroupOffsets
                | AlterConsumerGroupOffsets
                | DeleteConsumerGroupOffsets
        )
    }

    /// The public method's name, for error messages.
    pub(crate) fn method(self) -> &'static str {
        use AdminOp::*;
        match self {
            CreateTopics => "create_topics",
            DeleteTopics => "delete_topics",
            CreatePartitions => "create_partitions",
            AlterConfigs => "alter_configs",
            IncrementalAlterConfigs => "incremental_alter_configs",
            DescribeConfigs => "describe_configs",
            DeleteRecords => "delete_records",
            DescribeTopics => "describe_topics",
            DescribeCluster => "describe_cluster",
            ListConsumerGroups => "list_consumer_groups",
            DescribeConsumerGroups => "describe_consumer_groups",
            DeleteGroups => "delete_consumer_groups",
            ListConsumerGroupOffsets => "list_consumer_group_offsets",
            AlterConsumerGroupOffsets => "alter_consumer_group_offsets",
            DeleteConsumerGroupOffsets => "delete_consumer_group_offsets",
            ListOffsets => "list_offsets",
            DescribeUserScramCredentials => "describe_user_scram_credentials",
            AlterUserScramCredentials => "alter_user_scram_credentials",
            CreateAcls => "create_acls",
            DescribeAcls => "describe_acls",
            DeleteAcls => "delete_acls",
            ElectLeaders => "elect_leaders",
        }
    }
}

/// An owned `rd_kafka_AdminOptions_t` for one operation. Every setter's
/// error names the option and what was wrong with it.
pub(crate) struct NativeAdminOptions {
    inner: Owned<a::rd_kafka_AdminOptions_t>,
    op: AdminOp,
}

impl NativeAdminOptions {
    /// Corresponds to `rd_kafka_AdminOptions_new`.
    pub(crate) fn new(client: &NativeClient, op: AdminOp) -> Result<Self, KafkaError> {
        // SAFETY: valid client; the options object is ours.
        let p = unsafe { a::rd_kafka_AdminOptions_new(client.as_ptr(), op.for_api()) };
        // SAFETY: p is null or a new object we own.
        let inner = unsafe { Owned::from_ptr(p) }
            .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, format!("{}: could not create options", op.method())))?;
        Ok(NativeAdminOptions { inner, op })
    }

    fn p(&self) -> *mut a::rd_kafka_AdminOptions_t {
        self.inner.as_ptr()
    }

    fn check_errstr(&self, err: c_int, buf: &ErrBuf) -> Result<(), KafkaError> {
        if err == 0 {
            Ok(())
        } else {
            Err(KafkaError::new(
                ErrorCode(err),
                format!("{}: invalid option: {}", self.op.method(), buf.message()),
            ))
        }
    }

    fn check_error(&self, e: *mut sys::rd_kafka_error_t) -> Result<(), KafkaError> {
        check_error(e).map_err(|e| {
            KafkaError::new(
                e.code(),
                format!("{}: invalid option: {}", self.op.method(), e.message()),
            )
        })
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_request_timeout`.
    pub(crate) fn set_request_timeout(&mut self, ms: i32) -> Result<(), KafkaError> {
        let mut buf = ErrBuf::new();
        // SAFETY: valid options and buffer.
        let err =
            unsafe { a::rd_kafka_AdminOptions_set_request_timeout(self.p(), ms, buf.as_mut_ptr(), buf.capacity()) };
        self.check_errstr(err, &buf)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_operation_timeout`.
    pub(crate) fn set_operation_timeout(&mut self, ms: i32) -> Result<(), KafkaError> {
        let mut buf = ErrBuf::new();
        // SAFETY: valid options and buffer.
        let err =
            unsafe { a::rd_kafka_AdminOptions_set_operation_timeout(self.p(), ms, buf.as_mut_ptr(), buf.capacity()) };
        self.check_errstr(err, &buf)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_validate_only`.
    pub(crate) fn set_validate_only(&mut self, on: bool) -> Result<(), KafkaError> {
        let mut buf = ErrBuf::new();
        // SAFETY: valid options and buffer.
        let err = unsafe {
            a::rd_kafka_AdminOptions_set_validate_only(self.p(), on as c_int, buf.as_mut_ptr(), buf.capacity())
        };
        self.check_errstr(err, &buf)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_broker`.
    pub(crate) fn set_broker(&mut self, id: i32) -> Result<(), KafkaError> {
        let mut buf = ErrBuf::new();
        // SAFETY: valid options and buffer.
        let err = unsafe { a::rd_kafka_AdminOptions_set_broker(self.p(), id, buf.as_mut_ptr(), buf.capacity()) };
        self.check_errstr(err, &buf)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_require_stable_offsets`.
    pub(crate) fn set_require_stable_offsets(&mut self, on: bool) -> Result<(), KafkaError> {
        // SAFETY: valid options.
        let e = unsafe { a::rd_kafka_AdminOptions_set_require_stable_offsets(self.p(), on as c_int) };
        self.check_error(e)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_include_authorized_operations`.
    pub(crate) fn set_include_authorized_operations(&mut self, on: bool) -> Result<(), KafkaError> {
        // SAFETY: valid options.
        let e = unsafe { a::rd_kafka_AdminOptions_set_include_authorized_operations(self.p(), on as c_int) };
        self.check_error(e)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_isolation_level`.
    pub(crate) fn set_isolation_level(&mut self, level: i32) -> Result<(), KafkaError> {
        // SAFETY: valid options.
        let e = unsafe { a::rd_kafka_AdminOptions_set_isolation_level(self.p(), level) };
        self.check_error(e)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_match_consumer_group_states`.
    pub(crate) fn set_match_consumer_group_states(&mut self, states: &[ConsumerGroupState]) -> Result<(), KafkaError> {
        let raw: Vec<c_int> = states.iter().map(|s| s.0).collect();
        // SAFETY: valid options; the array is copied.
        let e = unsafe { a::rd_kafka_AdminOptions_set_match_consumer_group_states(self.p(), raw.as_ptr(), raw.len()) };
        self.check_error(e)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_match_consumer_group_types`.
    pub(crate) fn set_match_consumer_group_types(&mut self, types: &[ConsumerGroupType]) -> Result<(), KafkaError> {
        let raw: Vec<c_int> = types.iter().map(|s| s.0).collect();
        // SAFETY: valid options; the array is copied.
        let e = unsafe { a::rd_kafka_AdminOptions_set_match_consumer_group_types(self.p(), raw.as_ptr(), raw.len()) };
        self.check_error(e)
    }

    /// Corresponds to `rd_kafka_AdminOptions_set_opaque`: the request id
    /// that the result event carries back.
    pub(crate) fn set_request_id(&mut self, id: usize) {
        // SAFETY: valid options; the opaque is an integer, never dereferenced.
        unsafe { a::rd_kafka_AdminOptions_set_opaque(self.p(), id as *mut c_void) }
    }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// An admin request built into C objects, ready to send.
pub(crate) enum Prepared {
    CreateTopics(Vec<Owned<a::rd_kafka_NewTopic_t>>),
    DeleteTopics(Vec<Owned<a::rd_kafka_DeleteTopic_t>>),
    CreatePartitions(Vec<Owned<a::rd_kafka_NewPartitions_t>>),
    AlterConfigs(Vec<Owned<a::rd_kafka_ConfigResource_t>>),
    IncrementalAlterConfigs(Vec<Owned<a::rd_kafka_ConfigResource_t>>),
    DescribeConfigs(Vec<Owned<a::rd_kafka_ConfigResource_t>>),
    DeleteRecords(Owned<a::rd_kafka_DeleteRecords_t>),
    DescribeTopics(Owned<a::rd_kafka_TopicCollection_t>),
    DescribeCluster,
    ListConsumerGroups,
    DescribeConsumerGroups(Vec<CString>),
    DeleteGroups(Vec<Owned<a::rd_kafka_DeleteGroup_t>>),
    ListConsumerGroupOffsets(Owned<a::rd_kafka_ListConsumerGroupOffsets_t>),
    AlterConsumerGroupOffsets(Owned<a::rd_kafka_AlterConsumerGroupOffsets_t>),
    DeleteConsumerGroupOffsets(Owned<a::rd_kafka_DeleteConsumerGroupOffsets_t>),
    ListOffsets(NativeTpl),
    DescribeUserScramCredentials(Option<Vec<CString>>),
    AlterUserScramCredentials(Vec<Owned<a::rd_kafka_UserScramCredentialAlteration_t>>),
    CreateAcls(Vec<Owned<a::rd_kafka_AclBinding_t>>),
    DescribeAcls(Owned<a::rd_kafka_AclBinding_t>),
    DeleteAcls(Vec<Owned<a::rd_kafka_AclBinding_t>>),
    ElectLeaders(Owned<a::rd_kafka_ElectLeaders_t>),
}

/// How a config resource is used.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfigUse {
    Describe,
    Alter,
    Incremental,
}

fn set_replica_assignment(
    what: &str,
    assignment: &[Vec<i32>],
    mut set: impl FnMut(i32, &mut [i32], &mut ErrBuf) -> c_int,
) -> Result<(), KafkaError> {
    for (i, brokers) in assignment.iter().enumerate() {
        let mut brokers = brokers.clone();
        let mut buf = ErrBuf::new();
        let err = set(i as i32, &mut brokers, &mut buf);
        if err != 0 {
            return Err(KafkaError::new(
                ErrorCode(err),
                format!(
                    "{what}: invalid replica assignment for partition {i}: {}",
                    buf.message()
                ),
            ));
        }
    }
    Ok(())
}

impl Prepared {
    /// Corresponds to `rd_kafka_NewTopic_new` and its setters.
    pub(crate) fn create_topics(topics: &[NewTopic]) -> Result<Self, KafkaError> {
        let mut out = Vec::with_capacity(topics.len());
        for t in topics {
            let name = c_string("topic name", &t.topic)?;
            let mut buf = ErrBuf::new();
            // SAFETY: valid string and buffer; the object is ours.
            let p = unsafe {
                a::rd_kafka_NewTopic_new(
                    name.as_ptr(),
                    t.num_partitions,
                    t.replication_factor,
                    buf.as_mut_ptr(),
                    buf.capacity(),
                )
            };
            // SAFETY: p is null or ours.
            let nt = unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
                KafkaError::invalid_arg(format!(
                    "create_topics: invalid NewTopic {:?}: {}",
                    t.topic,
                    buf.message()
                ))
            })?;
            if let Some(assignment) = &t.replica_assignment {
                set_replica_assignment(
                    &format!("create_topics: topic {:?}", t.topic),
                    assignment,
                    |i, b, buf| {
                        // SAFETY: valid object, broker array and buffer (copied).
                        unsafe {
                            a::rd_kafka_NewTopic_set_replica_assignment(
                                nt.as_ptr(),
                                i,
                                b.as_mut_ptr(),
                                b.len(),
                                buf.as_mut_ptr(),
                                buf.capacity(),
                            )
                        }
                    },
                )?;
            }
            for (k, v) in &t.config {
                let ck = c_string("config name", k)?;
                let cv = c_string("config value", v)?;
                // SAFETY: valid object and strings (copied).
                let err = unsafe { a::rd_kafka_NewTopic_set_config(nt.as_ptr(), ck.as_ptr(), cv.as_ptr()) };
                if err != 0 {
                    return Err(KafkaError::new(
                        ErrorCode(err),
                        format!("create_topics: topic {:?}: could not set config {k:?}", t.topic),
                    ));
                }
            }
            out.push(nt);
        }
        Ok(Prepared::CreateTopics(out))
    }

    /// Corresponds to `rd_kafka_DeleteTopic_new`.
    pub(crate) fn delete_topics(topics: &[String]) -> Result<Self, KafkaError> {
        let mut out = Vec::with_capacity(topics.len());
        for t in topics {
            let name = c_string("topic name", t)?;
            // SAFETY: valid string (copied); the object is ours.
            let p = unsafe { a::rd_kafka_DeleteTopic_new(name.as_ptr()) };
            // SAFETY: p is null or ours.
            out.push(
                unsafe { Owned::from_ptr(p) }
                    .ok_or_else(|| KafkaError::invalid_arg(format!("delete_topics: invalid topic name {t:?}")))?,
            );
        }
        Ok(Prepared::DeleteTopics(out))
    }

    /// Corresponds to `rd_kafka_NewPartitions_new` and its setter.
    pub(crate) fn create_partitions(parts: &[NewPartitions]) -> Result<Self, KafkaError> {
        let mut out = Vec::with_capacity(parts.len());
        for np in parts {
            let name = c_string("topic name", &np.topic)?;
            let mut buf = ErrBuf::new();
            // SAFETY: valid string and buffer; the object is ours.
            let p = unsafe {
                a::rd_kafka_NewPartitions_new(name.as_ptr(), np.new_total_count, buf.as_mut_ptr(), buf.capacity())
            };
            // SAFETY: p is null or ours.
            let o = unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
                KafkaError::invalid_arg(format!(
                    "create_partitions: invalid NewPartitions for topic {:?}: {}",
                    np.topic,
                    buf.message()
                ))
            })?;
            if let Some(assignment) = &np.replica_assignment {
                set_replica_assignment(
                    &format!("create_partitions: topic {:?}", np.topic),
                    assignment,
                    |i, b, buf| {
                        // SAFETY: valid object, broker array and buffer (copied).
                        unsafe {
                            a::rd_kafka_NewPartitions_set_replica_assignment(
                                o.as_ptr(),
                                i,
                                b.as_mut_ptr(),
                                b.len(),
                                buf.as_mut_ptr(),
                                buf.capacity(),
                            )
                        }
                    },
                )?;
            }
            out.push(o);
        }
        Ok(Prepared::CreatePartitions(out))
    }

    /// Corresponds to `rd_kafka_ConfigResource_new` and its setters.
    pub(crate) fn configs(resources: &[ConfigResource], usage: ConfigUse) -> Result<Self, KafkaError> {
        let method = match usage {
            ConfigUse::Describe => "describe_configs",
            ConfigUse::Alter => "alter_configs",
            ConfigUse::Incremental => "incremental_alter_configs",
        };
        let mut out = Vec::with_capacity(resources.len());
        for r in resources {
            let name = c_string("resource name", &r.name)?;
            // SAFETY: valid string (copied); the object is ours.
            let p = unsafe { a::rd_kafka_ConfigResource_new(r.restype.0, name.as_ptr()) };
            // SAFETY: p is null or ours.
            let o = unsafe { Owned::from_ptr(p) }
                .ok_or_else(|| KafkaError::invalid_arg(format!("{method}: invalid resource {r}")))?;
            match usage {
                ConfigUse::Describe => {}
                ConfigUse::Alter => {
                    for (k, v) in &r.set_config {
                        let ck = c_string("config name", k)?;
                        let cv = c_string("config value", v)?;
                        // SAFETY: valid object and strings (copied).
                        let err =
                            unsafe { a::rd_kafka_ConfigResource_set_config(o.as_ptr(), ck.as_ptr(), cv.as_ptr()) };
                        if err != 0 {
                            return Err(KafkaError::new(
                                ErrorCode(err),
                                format!("{method}: {r}: could not set config {k:?}"),
                            ));
                        }
                    }
                }
                ConfigUse::Incremental => {
                    for op in &r.incremental_configs {
                        let ck = c_string("config name", &op.name)?;
                        let cv = opt_c_string("config value", op.value.as_deref())?;
                        // SAFETY: valid object and strings (copied); the error is ours.
                        let e = unsafe {
                            super::error_from_ptr(a::rd_kafka_ConfigResource_add_incremental_config(
                                o.as_ptr(),
                                ck.as_ptr(),
                                op.op.raw(),
                                opt_ptr(&cv),
                            ))
                        };
                        if let Some(e) = e {
                            return Err(KafkaError::new(
                                e.code(),
                                format!("{method}: {r}: config {:?}: {}", op.name, e.message()),
                            ));
                        }
                    }
                }
            }
            out.push(o);
        }
        Ok(match usage {
            ConfigUse::Describe => Prepared::DescribeConfigs(out),
            ConfigUse::Alter => Prepared::AlterConfigs(out),
            ConfigUse::Incremental => Prepared::IncrementalAlterConfigs(out),
        })
    }

    /// Corresponds to `rd_kafka_DeleteRecords_new`.
    pub(crate) fn delete_records(before: &[TopicPartition]) -> Result<Self, KafkaError> {
        let tpl = NativeTpl::from_partitions(before)?;
        // SAFETY: valid list (copied); the object is ours.
        let p = unsafe { a::rd_kafka_DeleteRecords_new(tpl.as_ptr()) };
        // SAFETY: p is null or ours.
        let o = unsafe { Owned::from_ptr(p) }
            .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, "delete_records: could not build the request"))?;
        Ok(Prepared::DeleteRecords(o))
    }

    /// Corresponds to `rd_kafka_TopicCollection_of_topic_names`.
    pub(crate) fn describe_topics(topics: &[String]) -> Result<Self, KafkaError> {
        let names = topics
            .iter()
            .map(|t| c_string("topic name", t))
            .collect::<Result<Vec<_>, _>>()?;
        let raw: Vec<*const c_char> = names.iter().map(|c| c.as_ptr()).collect();
        // SAFETY: valid array of strings (copied); the object is ours.
        let p = unsafe { a::rd_kafka_TopicCollection_of_topic_names(raw.as_ptr(), raw.len()) };
        // SAFETY: p is null or ours.
        let o = unsafe { Owned::from_ptr(p) }
            .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, "describe_topics: could not build the request"))?;
        Ok(Prepared::DescribeTopics(o))
    }

    pub(crate) fn describe_consumer_groups(groups: &[String]) -> Result<Self, KafkaError> {
        Ok(Prepared::DescribeConsumerGroups(
            groups
                .iter()
                .map(|g| c_string("group id", g))
                .collect::<Result<_, _>>()?,
        ))
    }

    /// Corresponds to `rd_kafka_DeleteGroup_new`.
    pub(crate) fn delete_groups(groups: &[String]) -> Result<Self, KafkaError> {
        let mut out = Vec::with_capacity(groups.len());
        for g in groups {
            let c = c_string("group id", g)?;
            // SAFETY: valid string (copied); the object is ours.
            let p = unsafe { a::rd_kafka_DeleteGroup_new(c.as_ptr()) };
            // SAFETY: p is null or ours.
            out.push(
                unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
                    KafkaError::invalid_arg(format!("delete_consumer_groups: invalid group id {g:?}"))
                })?,
            );
        }
        Ok(Prepared::DeleteGroups(out))
    }

    /// Corresponds to `rd_kafka_ListConsumerGroupOffsets_new` (`None`: all
    /// of the group's partitions).
    pub(crate) fn list_group_offsets(group: &str, parts: Option<&[TopicPartition]>) -> Result<Self, KafkaError> {
        let g = c_string("group id", group)?;
        let tpl = parts.map(NativeTpl::from_partitions).transpose()?;
        // SAFETY: valid string and list (both copied) or null; the object is ours.
        let p = unsafe {
            a::rd_kafka_ListConsumerGroupOffsets_new(
                g.as_ptr(),
                tpl.as_ref().map(|t| t.as_ptr() as *const _).unwrap_or(std::ptr::null()),
            )
        };
        // SAFETY: p is null or ours.
        let o = unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
            KafkaError::new(
                ErrorCode::FAIL,
                "list_consumer_group_offsets: could not build the request",
            )
        })?;
        Ok(Prepared::ListConsumerGroupOffsets(o))
    }

    /// Corresponds to `rd_kafka_AlterConsumerGroupOffsets_new`.
    pub(crate) fn alter_group_offsets(group: &str, parts: &[TopicPartition]) -> Result<Self, KafkaError> {
        let g = c_string("group id", group)?;
        // Never null: librdkafka asserts on a null list.
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid string and list (both copied); the object is ours.
        let p = unsafe { a::rd_kafka_AlterConsumerGroupOffsets_new(g.as_ptr(), tpl.as_ptr()) };
        // SAFETY: p is null or ours.
        let o = unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
            KafkaError::new(
                ErrorCode::FAIL,
                "alter_consumer_group_offsets: could not build the request",
            )
        })?;
        Ok(Prepared::AlterConsumerGroupOffsets(o))
    }

    /// Corresponds to `rd_kafka_DeleteConsumerGroupOffsets_new`.
    pub(crate) fn delete_group_offsets(group: &str, parts: &[TopicPartition]) -> Result<Self, KafkaError> {
        let g = c_string("group id", group)?;
        // Never null: librdkafka asserts on a null list.
        let tpl = NativeTpl::from_partitions(parts)?;
        // SAFETY: valid string and list (both copied); the object is ours.
        let p = unsafe { a::rd_kafka_DeleteConsumerGroupOffsets_new(g.as_ptr(), tpl.as_ptr()) };
        // SAFETY: p is null or ours.
        let o = unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
            KafkaError::new(
                ErrorCode::FAIL,
                "delete_consumer_group_offsets: could not build the request",
            )
        })?;
        Ok(Prepared::DeleteConsumerGroupOffsets(o))
    }

    /// The partitions with their offset specs in the offset field.
    pub(crate) fn list_offsets(parts: &[TopicPartition]) -> Result<Self, KafkaError> {
        Ok(Prepared::ListOffsets(NativeTpl::from_partitions(parts)?))
    }

    pub(crate) fn describe_user_scram_credentials(users: Option<&[String]>) -> Result<Self, KafkaError> {
        Ok(Prepared::DescribeUserScramCredentials(
            users
                .map(|u| {
                    u.iter()
                        .map(|u| c_string("user name", u))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
        ))
    }

    /// Corresponds to `rd_kafka_UserScramCredentialUpsertion_new` and
    /// `rd_kafka_UserScramCredentialDeletion_new`.
    pub(crate) fn alter_user_scram_credentials(alts: &[ScramAlteration<'_>]) -> Result<Self, KafkaError> {
        let mut out = Vec::with_capacity(alts.len());
        for alt in alts {
            let p = match *alt {
                ScramAlteration::Upsertion {
                    user,
                    mechanism,
                    iterations,
                    password,
                    salt,
                } => {
                    let user = c_string("user name", user)?;
                    let salt = salt.unwrap_or(&[]);
                    // SAFETY: valid string and byte buffers (all copied).
                    unsafe {
                        a::rd_kafka_UserScramCredentialUpsertion_new(
                            user.as_ptr(),
                            mechanism,
                            iterations,
                            password.as_ptr(),
                            password.len(),
                            if salt.is_empty() {
                                std::ptr::null()
                            } else {
                                salt.as_ptr()
                            },
                            salt.len(),
                        )
                    }
                }
                ScramAlteration::Deletion { user, mechanism } => {
                    let user = c_string("user name", user)?;
                    // SAFETY: valid string (copied).
                    unsafe { a::rd_kafka_UserScramCredentialDeletion_new(user.as_ptr(), mechanism) }
                }
            };
            // SAFETY: p is null or ours.
            out.push(unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
                KafkaError::new(
                    ErrorCode::FAIL,
                    "alter_user_scram_credentials: could not build the request",
                )
            })?);
        }
        Ok(Prepared::AlterUserScramCredentials(out))
    }

    /// Corresponds to `rd_kafka_AclBinding_new`.
    pub(crate) fn create_acls(acls: &[AclBinding]) -> Result<Self, KafkaError> {
        let mut out = Vec::with_capacity(acls.len());
        for acl in acls {
            let name = c_string("ACL resource name", &acl.name)?;
            let principal = c_string("ACL principal", &acl.principal)?;
            let host = c_string("ACL host", &acl.host)?;
            let mut buf = ErrBuf::new();
            // SAFETY: valid strings (copied) and buffer; the object is ours.
            let p = unsafe {
                a::rd_kafka_AclBinding_new(
                    acl.restype.0,
                    name.as_ptr(),
                    acl.resource_pattern_type.0,
                    principal.as_ptr(),
                    host.as_ptr(),
                    acl.operation.0,
                    acl.permission_type.0,
                    buf.as_mut_ptr(),
                    buf.capacity(),
                )
            };
            // SAFETY: p is null or ours.
            out.push(unsafe { Owned::from_ptr(p) }.ok_or_else(|| {
                KafkaError::invalid_arg(format!("create_acls: invalid AclBinding ({acl}): {}", buf.message()))
            })?);
        }
        Ok(Prepared::CreateAcls(out))
    }

    /// Corresponds to `rd_kafka_AclBindingFilter_new`.
    fn acl_filter(method: &str, f: &AclBindingFilter) -> Result<Owned<a::rd_kafka_AclBinding_t>, KafkaError> {
        let name = opt_c_string("ACL resource name", f.name.as_deref())?;
        let principal = opt_c_string("ACL principal", f.principal.as_deref())?;
        let host = opt_c_string("ACL host", f.host.as_deref())?;
        let mut buf = ErrBuf::new();
        // SAFETY: valid strings or null (copied) and buffer; the object is ours.
        let p = unsafe {
            a::rd_kafka_AclBindingFilter_new(
                f.restype.0,
                opt_ptr(&name),
                f.resource_pattern_type.0,
                opt_ptr(&principal),
                opt_ptr(&host),
                f.operation.0,
                f.permission_type.0,
                buf.as_mut_ptr(),
                buf.capacity(),
            )
        };
        // SAFETY: p is null or ours.
        unsafe { Owned::from_ptr(p) }
            .ok_or_else(|| KafkaError::invalid_arg(format!("{method}: invalid AclBindingFilter: {}", buf.message())))
    }

    pub(crate) fn describe_acls(filter: &AclBindingFilter) -> Result<Self, KafkaError> {
        Ok(Prepared::DescribeAcls(Self::acl_filter("describe_acls", filter)?))
    }

    pub(crate) fn delete_acls(filters: &[AclBindingFilter]) -> Result<Self, KafkaError> {
        Ok(Prepared::DeleteAcls(
            filters
                .iter()
                .map(|f| Self::acl_filter("delete_acls", f))
                .collect::<Result<_, _>>()?,
        ))
    }

    /// Corresponds to `rd_kafka_ElectLeaders_new` (`None`: all partitions).
    pub(crate) fn elect_leaders(election: ElectionType, parts: Option<&[TopicPartition]>) -> Result<Self, KafkaError> {
        let tpl = parts.map(NativeTpl::from_partitions).transpose()?;
        // SAFETY: valid list (copied) or null; the object is ours.
        let p = unsafe {
            a::rd_kafka_ElectLeaders_new(
                election.raw(),
                tpl.as_ref().map(|t| t.as_ptr()).unwrap_or(std::ptr::null_mut()),
            )
        };
        // SAFETY: p is null or ours.
        let o = unsafe { Owned::from_ptr(p) }
            .ok_or_else(|| KafkaError::new(ErrorCode::FAIL, "elect_leaders: could not build the request"))?;
        Ok(Prepared::ElectLeaders(o))
    }

    /// Makes the request. Its result event goes to `queue` (the background
    /// queue), carrying the request id set on `options`.
    pub(crate) fn send(self, client: &NativeClient, options: &NativeAdminOptions, queue: &BackgroundQueue) {
        let rk = client.as_ptr();
        let o = options.p() as *const a::rd_kafka_AdminOptions_t;
        let q = queue.0.as_ptr();
        // SAFETY: valid client, options and queue; every argument object is
        // valid for the call and copied by librdkafka, so it is destroyed
        // when `self` drops at the end of this function.
        unsafe {
            match &self {
                Prepared::CreateTopics(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_CreateTopics(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::DeleteTopics(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_DeleteTopics(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::CreatePartitions(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_CreatePartitions(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::AlterConfigs(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_AlterConfigs(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::IncrementalAlterConfigs(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_IncrementalAlterConfigs(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::DescribeConfigs(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_DescribeConfigs(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::DeleteRecords(d) => {
                    let mut p = [d.as_ptr()];
                    a::rd_kafka_DeleteRecords(rk, p.as_mut_ptr(), 1, o, q)
                }
                Prepared::DescribeTopics(c) => a::rd_kafka_DescribeTopics(rk, c.as_ptr(), o, q),
                Prepared::DescribeCluster => a::rd_kafka_DescribeCluster(rk, o, q),
                Prepared::ListConsumerGroups => a::rd_kafka_ListConsumerGroups(rk, o, q),
                Prepared::DescribeConsumerGroups(groups) => {
                    let p: Vec<*const c_char> = groups.iter().map(|c| c.as_ptr()).collect();
                    a::rd_kafka_DescribeConsumerGroups(rk, p.as_ptr(), p.len(), o, q)
                }
                Prepared::DeleteGroups(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_DeleteGroups(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::ListConsumerGroupOffsets(x) => {
                    let mut p = [x.as_ptr()];
                    a::rd_kafka_ListConsumerGroupOffsets(rk, p.as_mut_ptr(), 1, o, q)
                }
                Prepared::AlterConsumerGroupOffsets(x) => {
                    let mut p = [x.as_ptr()];
                    a::rd_kafka_AlterConsumerGroupOffsets(rk, p.as_mut_ptr(), 1, o, q)
                }
                Prepared::DeleteConsumerGroupOffsets(x) => {
                    let mut p = [x.as_ptr()];
                    a::rd_kafka_DeleteConsumerGroupOffsets(rk, p.as_mut_ptr(), 1, o, q)
                }
                Prepared::ListOffsets(tpl) => a::rd_kafka_ListOffsets(rk, tpl.as_ptr(), o, q),
                Prepared::DescribeUserScramCredentials(users) => match users {
                    None => a::rd_kafka_DescribeUserScramCredentials(rk, std::ptr::null(), 0, o, q),
                    Some(users) => {
                        let p: Vec<*const c_char> = users.iter().map(|c| c.as_ptr()).collect();
                        a::rd_kafka_DescribeUserScramCredentials(rk, p.as_ptr(), p.len(), o, q)
                    }
                },
                Prepared::AlterUserScramCredentials(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_AlterUserScramCredentials(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::CreateAcls(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_CreateAcls(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::DescribeAcls(f) => a::rd_kafka_DescribeAcls(rk, f.as_ptr(), o, q),
                Prepared::DeleteAcls(v) => {
                    let mut p = ptrs(v);
                    a::rd_kafka_DeleteAcls(rk, p.as_mut_ptr(), p.len(), o, q)
                }
                Prepared::ElectLeaders(e) => a::rd_kafka_ElectLeaders(rk, e.as_ptr(), o, q),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The background queue and its event callback
// ---------------------------------------------------------------------------

/// A reference to the client's background queue, where admin results are
/// delivered; held only for the duration of a request call (librdkafka
/// wants every reference gone before the client is destroyed).
pub(crate) struct BackgroundQueue(Owned<sys::rd_kafka_queue_t>);

impl NativeClient {
    /// Corresponds to `rd_kafka_queue_get_background`.
    pub(crate) fn background_queue(&self) -> Result<BackgroundQueue, KafkaError> {
        // SAFETY: valid client; returns a new reference we own, or null.
        let p = unsafe { sys::rd_kafka_queue_get_background(self.as_ptr()) };
        // SAFETY: p is null or ours.
        unsafe { Owned::from_ptr(p) }.map(BackgroundQueue).ok_or_else(|| {
            KafkaError::new(
                ErrorCode::CRIT_SYS_RESOURCE,
                "librdkafka's background thread is not running",
            )
        })
    }
}

impl NativeConf {
    /// Installs the background event callback: admin results (and, with an
    /// `oauth_cb`, token refresh requests) are handled on librdkafka's
    /// background thread, so admin futures complete without any polling.
    ///
    /// Corresponds to `rd_kafka_conf_set_background_event_cb`.
    pub(crate) fn install_background_event_cb<H: Hooks>(&mut self) {
        // SAFETY: valid conf; the trampoline matches the C signature. Its
        // opaque is the configuration opaque set by install_callbacks (with
        // the same `H`).
        unsafe { sys::rd_kafka_conf_set_background_event_cb(self.as_ptr(), Some(background_event_trampoline::<H>)) }
    }
}

/// `background_event_cb`: runs on librdkafka's background thread for every
/// event on the background queue. Owns (and destroys) the event; never
/// destroys the client (the handler holds no client reference, and a client
/// dropped while "inside" is handed to a reaper thread).
unsafe extern "C" fn background_event_trampoline<H: Hooks>(
    rk: *mut sys::rd_kafka_t,
    rkev: *mut sys::rd_kafka_event_t,
    opaque: *mut c_void,
) {
    let _inside = super::callbacks::Inside::enter();
    // SAFETY: librdkafka hands us the event to own.
    let Some(ev) = NativeEvent::from_ptr(rkev) else { return };
    if opaque.is_null() {
        return; // `ev` is destroyed here
    }
    if ev.kind() == sys::RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH {
        // With a background event callback, librdkafka delivers token
        // refreshes here as events instead of calling the refresh callback:
        // call it ourselves (it catches panics and sets the token or the
        // failure).
        let config = a::rd_kafka_event_config_string(ev.as_ptr());
        super::callbacks::oauth_trampoline::<H>(rk, config, opaque);
        return;
    }
    // SAFETY: the opaque is the client's `H`, which outlives the handle (it
    // is dropped only after rd_kafka_destroy has returned).
    let Some(state) = super::callbacks::state::<H>(opaque) else {
        return;
    };
    let outcome = catch_unwind(AssertUnwindSafe(move || state.background_event(ev)));
    if let Err(p) = outcome {
        // Logging runs user code (the `log` logger), which may panic too:
        // never outside a catch_unwind in this C frame.
        super::callbacks::quietly(|| {
            log::error!(
                target: "librdkafka",
                "panic while completing an admin request: {}",
                super::callbacks::panic_message(&*p)
            )
        });
        // The user code here is the awaiting task's waker: its panic comes
        // out of the client's next serving call (`AdminClient::poll`), like
        // a panic in any other callback on a librdkafka thread.
        super::callbacks::stash_panic(state, p);
    }
}

/// The request-level error of an admin result event (which fails every
/// item of the request), if any.
///
/// Not [`NativeEvent::error`]: `rd_kafka_event_error_is_fatal` reads a
/// union member that only ERROR events have, so for a result event it
/// returns garbage; a request-level admin error is never fatal.
pub(crate) fn admin_event_error(ev: &NativeEvent) -> Option<KafkaError> {
    // SAFETY: valid event; the string lives with the event and is copied.
    unsafe {
        let code = sys::rd_kafka_event_error(ev.as_ptr());
        error_code(code, sys::rd_kafka_event_error_string(ev.as_ptr()))
    }
}

/// What librdkafka's coordinator request path says when it could not send
/// a request (`rd_kafka_admin_coord_request`).
const COORD_SEND_FAILED: &str = "worker failed to send request";

/// The request id a result event carries (set with
/// [`NativeAdminOptions::set_request_id`]); 0 for none.
pub(crate) fn event_request_id(ev: &NativeEvent) -> usize {
    // SAFETY: valid event; the opaque is an integer we set, never dereferenced.
    unsafe { sys::rd_kafka_event_opaque(ev.as_ptr()) as usize }
}

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
unsafe fn error_code(code: c_int, msg: *const c_char) -> Option<KafkaError> {
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
