//! The Admin API: owned request objects (`rd_kafka_AdminOptions_t`,
//! `rd_kafka_NewTopic_t`, …), the background-thread event callback that
//! completes admin futures, and the decoding of result events into plain
//! Rust values: operations and options here, requests in `request.rs`,
//! results in `result.rs`.
//!
//! Requests are built from the crate's public types into owned C objects
//! ([`Prepared`]); librdkafka copies them when the request is made, so they
//! are destroyed right after. Results are read out of the event (a borrowed
//! view that dies with it) into owned Rust values; broker-written strings
//! are decoded lossily, and C enums are read as integers.

use super::admin_sys as a;
use super::callbacks::Hooks;
use super::error::check_error;
use super::owned::Owned;
use super::{sys, ErrBuf, NativeClient, NativeConf, NativeEvent};
use crate::error::{ErrorCode, KafkaError};
use crate::values::admin::{ConsumerGroupState, ConsumerGroupType};
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

mod request;
mod result;

pub(crate) use request::{ConfigUse, Prepared, ScramAlteration};
use result::error_code;
pub(crate) use result::AdminResult;

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
    pub(in crate::native) fn install_background_event_cb<H: Hooks>(&mut self) {
        // SAFETY: valid conf; the trampoline matches the C signature. Its
        // opaque is the configuration opaque that install_hooks sets (with
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
