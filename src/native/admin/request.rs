//! Admin requests: the crate's public request values built into owned C
//! objects ([`Prepared`]), which librdkafka copies when the request is made.

use crate::error::{ErrorCode, KafkaError};
use crate::native::admin_sys as a;
use crate::native::error::{c_string, opt_c_string};
use crate::native::owned::{CObject, Owned};
use crate::native::{ErrBuf, NativeClient, NativeTpl};
use crate::values::admin::{AclBinding, AclBindingFilter, ConfigResource, ElectionType, NewPartitions, NewTopic};
use crate::TopicPartition;
use std::ffi::CString;
use std::os::raw::{c_char, c_int};

use super::{BackgroundQueue, NativeAdminOptions};

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
                a::rd_kafka_NewPartitions_new(
                    name.as_ptr(),
                    np.new_total_count as usize,
                    buf.as_mut_ptr(),
                    buf.capacity(),
                )
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
                            crate::native::error_from_ptr(a::rd_kafka_ConfigResource_add_incremental_config(
                                o.as_ptr(),
                                ck.as_ptr(),
                                op.op.0,
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
                election.0,
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
