//! The client-level callbacks a [`Config`](super::Config) carries, and what
//! they are handed.

use crate::error::KafkaError;
use crate::message::DeliveryReport;
use crate::TopicPartition;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub(crate) type DeliveryCb = Arc<dyn Fn(&DeliveryReport<'_>) + Send + Sync>;
pub(crate) type ErrorCb = Arc<dyn Fn(&KafkaError) + Send + Sync>;
pub(crate) type ThrottleCb = Arc<dyn Fn(&ThrottleEvent) + Send + Sync>;
pub(crate) type StatsCb = Arc<dyn Fn(&str) + Send + Sync>;
#[cfg(feature = "statistics")]
pub(crate) type StatisticsCb =
    Arc<dyn Fn(std::result::Result<crate::values::statistics::Statistics, KafkaError>, &str) + Send + Sync>;
pub(crate) type LogCb = Arc<dyn Fn(&LogRecord<'_>) + Send + Sync>;
pub use crate::values::OAuthToken;
pub use crate::values::{SslCertVerdict, SslCertificate};

pub(crate) type OAuthCb = Arc<dyn Fn(&str) -> std::result::Result<OAuthToken, String> + Send + Sync>;
pub(crate) type CommitCb = Arc<dyn Fn(Option<&KafkaError>, &[TopicPartition]) + Send + Sync>;
pub(crate) type PartitionerCb = Arc<dyn Fn(&str, Option<&[u8]>, i32) -> i32 + Send + Sync>;
pub(crate) type SslCertVerifyCb = Arc<dyn Fn(&SslCertificate<'_>) -> SslCertVerdict + Send + Sync>;

/// The client-level callbacks a [`Config`] carries.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    pub on_delivery: Option<DeliveryCb>,
    pub error_cb: Option<ErrorCb>,
    pub throttle_cb: Option<ThrottleCb>,
    pub stats_cb: Option<StatsCb>,
    #[cfg(feature = "statistics")]
    pub statistics_cb: Option<StatisticsCb>,
    pub logger: Option<LogCb>,
    pub oauth_cb: Option<OAuthCb>,
    pub on_commit: Option<CommitCb>,
    pub partitioner: Option<PartitionerCb>,
    pub ssl_cert_verify_cb: Option<SslCertVerifyCb>,
}

/// A broker throttled the client (`throttle_cb`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThrottleEvent {
    /// The broker's name, e.g. `"localhost:9092/1"`.
    pub broker_name: String,
    /// The broker's id.
    pub broker_id: i32,
    /// How long the broker throttled (0 when throttling ended).
    pub throttle_time: Duration,
}

impl fmt::Display for ThrottleEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} throttled for {} ms",
            self.broker_name,
            self.broker_id,
            self.throttle_time.as_millis()
        )
    }
}

/// A librdkafka log line, handed to the `logger` callback.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct LogRecord<'a> {
    /// Syslog severity: 0 emergency … 3 error, 4 warning, 5 notice,
    /// 6 info, 7 debug.
    pub level: i32,
    /// librdkafka's facility, e.g. `"FAIL"` or `"BROKER"`.
    pub facility: &'a str,
    /// The message (secrets from the configuration are scrubbed).
    pub message: &'a str,
    /// The client's name (`rd_kafka_name`).
    pub client_name: &'a str,
}

impl LogRecord<'_> {
    /// The `log` crate level for this line's syslog severity.
    pub fn log_level(&self) -> log::Level {
        crate::native::syslog_to_level(self.level)
    }
}
