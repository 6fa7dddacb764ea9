//! [`AdminOptions`]: per-request options.

use crate::error::{KafkaError, Result};
use crate::native::{AdminOp, NativeAdminOptions};
use crate::values::admin::IsolationLevel;
use std::time::Duration;

/// The longest request or operation timeout librdkafka accepts.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Options for one admin request: the Python client's keyword arguments
/// (`request_timeout`, `operation_timeout`, `validate_only`, `broker`,
/// `require_stable`, `include_authorized_operations`, `isolation_level`).
///
/// Each option applies only to the operations that support it (as in
/// librdkafka): setting one for another operation makes that call fail
/// with an `_INVALID_ARG` error naming the option, before anything is sent.
/// Unset options take librdkafka's defaults (the request timeout is
/// `socket.timeout.ms`, 60 s by default).
///
/// Corresponds to `rd_kafka_AdminOptions_t`.
///
/// ```
/// use ferrokafka::AdminOptions;
/// use std::time::Duration;
/// let opts = AdminOptions::new()
///     .request_timeout(Duration::from_secs(10))
///     .operation_timeout(Duration::from_secs(30))
///     .validate_only(true);
/// # let _ = opts;
/// ```
///
/// Timeouts are [`Duration`]s, so the Python client's "negative timeout"
/// error cannot happen; a timeout above one hour is an `_INVALID_ARG` error
/// when the request is made:
///
/// ```compile_fail
/// ferrokafka::AdminOptions::new().request_timeout(-1.0);
/// ```
///
/// ```
/// use ferrokafka::{AdminClient, AdminOptions, Config, ErrorCode};
/// use std::time::Duration;
/// let admin = AdminClient::new(&Config::from([("bootstrap.servers", "127.0.0.1:1")]))?;
/// let too_long = AdminOptions::new().request_timeout(Duration::from_secs(7200));
/// let err = admin.describe_cluster(&too_long).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::INVALID_ARG);
/// assert!(err.message().contains("request_timeout"));
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
#[doc(alias = "rd_kafka_AdminOptions_t")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdminOptions {
    request_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    validate_only: Option<bool>,
    broker: Option<i32>,
    require_stable_offsets: Option<bool>,
    include_authorized_operations: Option<bool>,
    isolation_level: Option<IsolationLevel>,
}

impl AdminOptions {
    /// No options: librdkafka's defaults.
    pub fn new() -> Self {
        AdminOptions::default()
    }

    /// How long the whole request may take, including finding the
    /// controller or coordinator; then every item fails with `_TIMED_OUT`.
    /// At most one hour. All operations.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_request_timeout`.
    #[doc(alias = "rd_kafka_AdminOptions_set_request_timeout")]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// How long the broker waits for the operation to finish on the whole
    /// cluster before answering (0: answer at once, without waiting). At
    /// most one hour. `create_topics`, `delete_topics`,
    /// `create_partitions`, `delete_records`, `list_offsets`,
    /// `elect_leaders`.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_operation_timeout`.
    #[doc(alias = "rd_kafka_AdminOptions_set_operation_timeout")]
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Only validate the request on the broker; change nothing.
    /// `create_topics`, `create_partitions`, `alter_configs`,
    /// `incremental_alter_configs`.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_validate_only`.
    #[doc(alias = "rd_kafka_AdminOptions_set_validate_only")]
    pub fn validate_only(mut self, on: bool) -> Self {
        self.validate_only = Some(on);
        self
    }

    /// Sends the request to this broker instead of the one librdkafka
    /// would choose (must be >= 0). Mostly for config operations.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_broker`.
    #[doc(alias = "rd_kafka_AdminOptions_set_broker")]
    pub fn broker(mut self, broker_id: i32) -> Self {
        self.broker = Some(broker_id);
        self
    }

    /// Only return offsets that are stable (no pending transactional
    /// commits). `list_consumer_group_offsets`.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_require_stable_offsets`.
    #[doc(alias = "rd_kafka_AdminOptions_set_require_stable_offsets")]
    pub fn require_stable_offsets(mut self, on: bool) -> Self {
        self.require_stable_offsets = Some(on);
        self
    }

    /// Also report what this client is authorized to do.
    /// `describe_consumer_groups`, `describe_topics`, `describe_cluster`.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_include_authorized_operations`.
    #[doc(alias = "rd_kafka_AdminOptions_set_include_authorized_operations")]
    pub fn include_authorized_operations(mut self, on: bool) -> Self {
        self.include_authorized_operations = Some(on);
        self
    }

    /// Which records `list_offsets` considers. `list_offsets`.
    ///
    /// Corresponds to `rd_kafka_AdminOptions_set_isolation_level`.
    #[doc(alias = "rd_kafka_AdminOptions_set_isolation_level")]
    pub fn isolation_level(mut self, level: IsolationLevel) -> Self {
        self.isolation_level = Some(level);
        self
    }

    /// Applies the options for `op`, checking every value.
    pub(crate) fn build(&self, client: &crate::native::NativeClient, op: AdminOp) -> Result<NativeAdminOptions> {
        let mut n = NativeAdminOptions::new(client, op)?;
        if let Some(t) = self.request_timeout {
            n.set_request_timeout(timeout_ms(op, "request_timeout", t)?)?;
        }
        if let Some(t) = self.operation_timeout {
            n.set_operation_timeout(timeout_ms(op, "operation_timeout", t)?)?;
        }
        if let Some(v) = self.validate_only {
            n.set_validate_only(v)?;
        }
        if let Some(id) = self.broker {
            if id < 0 {
                return Err(KafkaError::invalid_arg(format!(
                    "{}: invalid option: broker id {id} is negative",
                    op.method()
                )));
            }
            n.set_broker(id)?;
        }
        if let Some(v) = self.require_stable_offsets {
            n.set_require_stable_offsets(v)?;
        }
        if let Some(v) = self.include_authorized_operations {
            n.set_include_authorized_operations(v)?;
        }
        if let Some(l) = self.isolation_level {
            if !l.is_known() {
                return Err(KafkaError::invalid_arg(format!(
                    "{}: invalid option: unknown isolation level {l:?}",
                    op.method()
                )));
            }
            n.set_isolation_level(l.0)?;
        }
        Ok(n)
    }
}

/// A timeout in milliseconds (rounded up), at most an hour.
fn timeout_ms(op: AdminOp, name: &str, t: Duration) -> Result<i32> {
    if t > MAX_TIMEOUT {
        return Err(KafkaError::invalid_arg(format!(
            "{}: invalid option: {name} of {t:?} is out of range (0 to 3600 s)",
            op.method()
        )));
    }
    Ok(t.as_nanos().div_ceil(1_000_000) as i32)
}
