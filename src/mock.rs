//! [`MockCluster`]: librdkafka's in-process mock Kafka cluster, for tests.

use crate::error::{ErrorCode, KafkaError, Result};
use crate::native::{HandleType, NativeClient, NativeConf, NativeMockCluster};
use crate::values::CoordinatorType;
use crate::TopicPartition;
use std::fmt;
use std::time::Duration;

/// A Kafka protocol request type (API key), for fault injection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiKey(pub i16);

macro_rules! api_keys {
    ($($name:ident = $v:expr),* $(,)?) => {
        impl ApiKey {
            $(
                #[doc = concat!("The `", stringify!($name), "` request (API key ", stringify!($v), ").")]
                pub const $name: ApiKey = ApiKey($v);
            )*
            /// The request type's name, e.g. `"PRODUCE"`.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($v => stringify!($name),)*
                    _ => "UNKNOWN",
                }
            }
        }
    };
}

api_keys!(
    PRODUCE = 0,
    FETCH = 1,
    LIST_OFFSETS = 2,
    METADATA = 3,
    LEADER_AND_ISR = 4,
    STOP_REPLICA = 5,
    UPDATE_METADATA = 6,
    CONTROLLED_SHUTDOWN = 7,
    OFFSET_COMMIT = 8,
    OFFSET_FETCH = 9,
    FIND_COORDINATOR = 10,
    JOIN_GROUP = 11,
    HEARTBEAT = 12,
    LEAVE_GROUP = 13,
    SYNC_GROUP = 14,
    DESCRIBE_GROUPS = 15,
    LIST_GROUPS = 16,
    SASL_HANDSHAKE = 17,
    API_VERSIONS = 18,
    CREATE_TOPICS = 19,
    DELETE_TOPICS = 20,
    DELETE_RECORDS = 21,
    INIT_PRODUCER_ID = 22,
    OFFSET_FOR_LEADER_EPOCH = 23,
    ADD_PARTITIONS_TO_TXN = 24,
    ADD_OFFSETS_TO_TXN = 25,
    END_TXN = 26,
    WRITE_TXN_MARKERS = 27,
    TXN_OFFSET_COMMIT = 28,
    DESCRIBE_ACLS = 29,
    CREATE_ACLS = 30,
    DELETE_ACLS = 31,
    DESCRIBE_CONFIGS = 32,
    ALTER_CONFIGS = 33,
    SASL_AUTHENTICATE = 36,
    CREATE_PARTITIONS = 37,
    DELETE_GROUPS = 42,
    ELECT_LEADERS = 43,
    INCREMENTAL_ALTER_CONFIGS = 44,
    OFFSET_DELETE = 47,
    DESCRIBE_USER_SCRAM_CREDENTIALS = 50,
    ALTER_USER_SCRAM_CREDENTIALS = 51,
    DESCRIBE_CLUSTER = 60,
    DESCRIBE_PRODUCERS = 61,
    DESCRIBE_TRANSACTIONS = 65,
    LIST_TRANSACTIONS = 66,
    CONSUMER_GROUP_HEARTBEAT = 68,
    CONSUMER_GROUP_DESCRIBE = 69,
    GET_TELEMETRY_SUBSCRIPTIONS = 71,
    PUSH_TELEMETRY = 72,
);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

/// A request the mock cluster received (see
/// [`MockCluster::start_request_tracking`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockRequest {
    /// The broker that received it.
    pub broker_id: i32,
    /// Its type.
    pub api_key: ApiKey,
    /// When it was received, in microseconds (librdkafka's monotonic clock).
    pub timestamp_us: i64,
}

/// librdkafka's in-process mock Kafka cluster, for tests and examples.
///
/// `N` brokers (ids `1..=N`) listen on loopback; point any client at
/// [`bootstrap_servers`](Self::bootstrap_servers). The mock supports
/// producing (idempotent and transactional included), consuming, consumer
/// groups (classic and KIP-848) and offsets, and it can inject faults:
/// brokers going down, latency, leader and coordinator moves, and errors
/// per request type (cluster-wide, or per broker with a delay).
///
/// Its limits (librdkafka 2.12.1): no admin API (CreateTopics and friends:
/// create topics with [`create_topic`](Self::create_topic) or let them be
/// auto-created), no TLS or SASL, no ISR (so `acks` loss cannot be shown),
/// and it does not filter aborted transactions for `read_committed`
/// readers. The API is marked experimental by librdkafka.
///
/// `MockCluster` is `Send + Sync`; dropping it stops the brokers (clients
/// still connected then see connection failures).
///
/// # Arguments
///
/// librdkafka's mock API trusts its caller (a broker id of -1 means "every
/// broker" there, a negative partition indexes outside an array, and an
/// unknown broker is silently ignored), so every method checks its
/// arguments first and returns an [`ErrorCode::INVALID_ARG`] error naming
/// the bad one:
///
/// - a broker id must be one the cluster has now (`1..=N`, changed by
///   [`add_broker`](Self::add_broker) and
///   [`decommission_broker`](Self::decommission_broker)); only
///   [`set_partition_leader`](Self::set_partition_leader) and
///   [`set_partition_follower`](Self::set_partition_follower) also take -1
///   ("none");
/// - a partition must be `0..100_000` (naming a partition of a topic that
///   does not exist yet creates it with that many partitions plus one);
/// - a topic name must not be empty, and no string may contain a NUL byte.
///
/// Durations longer than librdkafka's millisecond fields hold are clamped
/// as each method says.
///
/// ```
/// use ferrokafka::{ApiKey, ErrorCode, MockCluster};
/// let cluster = MockCluster::new(3)?;
/// cluster.create_topic("orders", 4, 3)?;
/// cluster.push_request_errors(ApiKey::PRODUCE, &[ErrorCode::NOT_LEADER_FOR_PARTITION; 2]);
/// assert!(cluster.bootstrap_servers().contains("127.0.0.1"));
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
pub struct MockCluster {
    inner: NativeMockCluster,
    bootstraps: String,
    brokers: i32,
}

impl fmt::Debug for MockCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockCluster")
            .field("brokers", &self.brokers)
            .field("bootstrap_servers", &self.bootstraps)
            .finish()
    }
}

fn ms(d: Duration) -> i32 {
    d.as_millis().min(i32::MAX as u128) as i32
}

impl MockCluster {
    /// Starts a cluster of `brokers` brokers (1 to 100).
    ///
    /// Corresponds to `rd_kafka_mock_cluster_new`.
    #[doc(alias = "rd_kafka_mock_cluster_new")]
    pub fn new(brokers: i32) -> Result<MockCluster> {
        if !(1..=100).contains(&brokers) {
            return Err(KafkaError::invalid_arg(format!(
                "a mock cluster needs 1 to 100 brokers, not {brokers}"
            )));
        }
        // The cluster runs on a dedicated, otherwise idle producer handle
        // whose logs go straight to the `log` crate.
        let mut conf = NativeConf::new();
        conf.install_direct_logger();
        let client = NativeClient::new(HandleType::Producer, conf)
            .map_err(|(msg, _)| KafkaError::new(ErrorCode::FAIL, format!("could not start the mock cluster: {msg}")))?;
        let inner = NativeMockCluster::new(client, brokers)?;
        let bootstraps = inner.bootstraps();
        Ok(MockCluster {
            inner,
            bootstraps,
            brokers,
        })
    }

    /// The brokers' addresses, for `bootstrap.servers`.
    ///
    /// Corresponds to `rd_kafka_mock_cluster_bootstraps`.
    #[doc(alias = "rd_kafka_mock_cluster_bootstraps")]
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstraps
    }

    /// The number of brokers the cluster started with.
    pub fn broker_count(&self) -> i32 {
        self.brokers
    }

    /// The ids of the brokers the cluster has now (`1..=N` at first, then
    /// as [`add_broker`](Self::add_broker) and
    /// [`decommission_broker`](Self::decommission_broker) change them).
    pub fn broker_ids(&self) -> Vec<i32> {
        self.inner.broker_ids()
    }

    /// Creates a topic (the mock has no CreateTopics API) with 1 to
    /// 100 000 partitions and a replication factor of 1 to the current
    /// broker count.
    ///
    /// Corresponds to `rd_kafka_mock_topic_create`.
    #[doc(alias = "rd_kafka_mock_topic_create")]
    pub fn create_topic(&self, topic: &str, partitions: i32, replication_factor: i32) -> Result<()> {
        self.inner.topic_create(topic, partitions, replication_factor)
    }

    /// Makes Metadata (and AddPartitionsToTxn) requests report `error` for
    /// the topic; `ErrorCode::NO_ERROR` clears it.
    ///
    /// Corresponds to `rd_kafka_mock_topic_set_error`.
    #[doc(alias = "rd_kafka_mock_topic_set_error")]
    pub fn set_topic_error(&self, topic: &str, error: ErrorCode) -> Result<()> {
        self.inner.topic_set_error(topic, error)
    }

    /// Moves a partition's leadership to `broker` (-1: no leader).
    ///
    /// An existing topic without this partition gives
    /// `UNKNOWN_TOPIC_OR_PART`.
    ///
    /// Corresponds to `rd_kafka_mock_partition_set_leader`.
    #[doc(alias = "rd_kafka_mock_partition_set_leader")]
    pub fn set_partition_leader(&self, topic: &str, partition: i32, broker: i32) -> Result<()> {
        self.inner.partition_set_leader(topic, partition, broker)
    }

    /// Sets the follower consumers are told to fetch from (KIP-392); -1
    /// clears it.
    ///
    /// Corresponds to `rd_kafka_mock_partition_set_follower`.
    #[doc(alias = "rd_kafka_mock_partition_set_follower")]
    pub fn set_partition_follower(&self, topic: &str, partition: i32, broker: i32) -> Result<()> {
        self.inner.partition_set_follower(topic, partition, broker)
    }

    /// Sets the follower's low and high watermarks (-1 restores the leader's).
    /// Each is an offset or -1, and `low <= high` when both are offsets.
    ///
    /// Corresponds to `rd_kafka_mock_partition_set_follower_wmarks`.
    #[doc(alias = "rd_kafka_mock_partition_set_follower_wmarks")]
    pub fn set_partition_follower_watermarks(&self, topic: &str, partition: i32, low: i64, high: i64) -> Result<()> {
        self.inner.partition_set_follower_wmarks(topic, partition, low, high)
    }

    /// Queues a leader id and epoch for the next leader-epoch response
    /// (KIP-320 tests). Each is -1 ("none") or more; the leader need not
    /// be a current broker (a response may name a broker that left).
    ///
    /// Corresponds to `rd_kafka_mock_partition_push_leader_response`.
    #[doc(alias = "rd_kafka_mock_partition_push_leader_response")]
    pub fn push_partition_leader_response(&self, topic: &str, partition: i32, leader: i32, epoch: i32) -> Result<()> {
        self.inner
            .partition_push_leader_response(topic, partition, leader, epoch)
    }

    /// Takes a broker down: its connections close and new ones are refused
    /// (leadership does not move).
    ///
    /// Corresponds to `rd_kafka_mock_broker_set_down`.
    #[doc(alias = "rd_kafka_mock_broker_set_down")]
    pub fn broker_down(&self, broker: i32) -> Result<()> {
        self.inner.broker_set_down(broker)
    }

    /// Brings a broker back up.
    ///
    /// Corresponds to `rd_kafka_mock_broker_set_up`.
    #[doc(alias = "rd_kafka_mock_broker_set_up")]
    pub fn broker_up(&self, broker: i32) -> Result<()> {
        self.inner.broker_set_up(broker)
    }

    /// Adds latency to every response from a broker (clamped to
    /// `i32::MAX` ms).
    ///
    /// Corresponds to `rd_kafka_mock_broker_set_rtt`.
    #[doc(alias = "rd_kafka_mock_broker_set_rtt")]
    pub fn set_broker_rtt(&self, broker: i32, rtt: Duration) -> Result<()> {
        self.inner.broker_set_rtt(broker, ms(rtt))
    }

    /// Sets a broker's rack.
    ///
    /// Corresponds to `rd_kafka_mock_broker_set_rack`.
    #[doc(alias = "rd_kafka_mock_broker_set_rack")]
    pub fn set_broker_rack(&self, broker: i32, rack: &str) -> Result<()> {
        self.inner.broker_set_rack(broker, rack)
    }

    /// Changes the host (1 to 127 bytes) and port (1 to 65535) a broker
    /// advertises.
    ///
    /// Corresponds to `rd_kafka_mock_broker_set_host_port`.
    #[doc(alias = "rd_kafka_mock_broker_set_host_port")]
    pub fn set_broker_host_port(&self, broker: i32, host: &str, port: u16) -> Result<()> {
        self.inner.broker_set_host_port(broker, host, port)
    }

    /// Removes a broker from the cluster; its partitions are reassigned to
    /// the brokers left. Removing the last broker leaves partitions
    /// without a leader.
    ///
    /// Corresponds to `rd_kafka_mock_broker_decommission`.
    #[doc(alias = "rd_kafka_mock_broker_decommission")]
    pub fn decommission_broker(&self, broker: i32) -> Result<()> {
        self.inner.broker_decommission(broker)
    }

    /// Adds a broker with this id (0 or more, not already in the cluster).
    ///
    /// Corresponds to `rd_kafka_mock_broker_add`.
    #[doc(alias = "rd_kafka_mock_broker_add")]
    pub fn add_broker(&self, broker: i32) -> Result<()> {
        self.inner.broker_add(broker)
    }

    /// Makes `broker` (a current broker) the group or transaction
    /// coordinator for `key`.
    ///
    /// Corresponds to `rd_kafka_mock_coordinator_set`.
    #[doc(alias = "rd_kafka_mock_coordinator_set")]
    pub fn set_coordinator(&self, kind: CoordinatorType, key: &str, broker: i32) -> Result<()> {
        let t = match kind {
            CoordinatorType::GROUP => "group",
            CoordinatorType::TRANSACTION => "transaction",
            other => {
                return Err(KafkaError::new(
                    ErrorCode::INVALID_ARG,
                    format!("set_coordinator: unknown coordinator type {other:?} (GROUP or TRANSACTION)"),
                ))
            }
        };
        self.inner.coordinator_set(t, key, broker)
    }

    /// Narrows the versions of a request type the brokers support, to act
    /// as an older broker: `0 <= min_version <= max_version`, for a key
    /// librdkafka 2.12.1 knows (0 to 73).
    ///
    /// Corresponds to `rd_kafka_mock_set_apiversion`.
    #[doc(alias = "rd_kafka_mock_set_apiversion")]
    pub fn set_api_version(&self, api: ApiKey, min_version: i16, max_version: i16) -> Result<()> {
        self.inner.set_apiversion(api.0, min_version, max_version)
    }

    /// Removes a request type altogether (as a broker without that API);
    /// the key must be one librdkafka 2.12.1 knows (0 to 73).
    pub fn disable_api(&self, api: ApiKey) -> Result<()> {
        self.inner.set_apiversion(api.0, -1, -1)
    }

    /// Makes the next `errors.len()` requests of type `api` (to any broker)
    /// fail with these errors, in order. `ErrorCode::TRANSPORT` makes the
    /// broker drop the connection instead. A key no request uses is
    /// accepted (its errors are never consumed).
    ///
    /// Corresponds to `rd_kafka_mock_push_request_errors_array`.
    #[doc(alias = "rd_kafka_mock_push_request_errors")]
    pub fn push_request_errors(&self, api: ApiKey, errors: &[ErrorCode]) {
        self.inner.push_request_errors(api.0, errors)
    }

    /// Drops the errors still queued for `api`.
    ///
    /// Corresponds to `rd_kafka_mock_clear_request_errors`.
    #[doc(alias = "rd_kafka_mock_clear_request_errors")]
    pub fn clear_request_errors(&self, api: ApiKey) {
        self.inner.clear_request_errors(api.0)
    }

    /// Makes the next requests of type `api` to `broker` answer with these
    /// errors (`NO_ERROR` for success) after these delays. These take
    /// precedence over [`push_request_errors`](Self::push_request_errors).
    /// Delays are clamped to `i32::MAX` ms.
    ///
    /// Corresponds to `rd_kafka_mock_broker_push_request_error_rtts`.
    #[doc(alias = "rd_kafka_mock_broker_push_request_error_rtts")]
    pub fn push_broker_request_errors(&self, broker: i32, api: ApiKey, errors: &[(ErrorCode, Duration)]) -> Result<()> {
        let list: Vec<(ErrorCode, i32)> = errors.iter().map(|&(e, d)| (e, ms(d))).collect();
        self.inner.broker_push_request_error_rtts(broker, api.0, &list)
    }

    /// How many errors are still queued for `api` on `broker`.
    ///
    /// Corresponds to `rd_kafka_mock_broker_error_stack_cnt`.
    #[doc(alias = "rd_kafka_mock_broker_error_stack_cnt")]
    pub fn broker_error_count(&self, broker: i32, api: ApiKey) -> Result<usize> {
        self.inner.broker_error_stack_cnt(broker, api.0)
    }

    /// Sets the classic protocol's `group.initial.rebalance.delay.ms`
    /// (3 s by default; lower it to speed up group tests). Clamped to at
    /// most 2 147 483 ms (librdkafka multiplies it by 1000 in an `int`).
    ///
    /// It applies only to a group that is empty. When a member of a running
    /// group leaves (a consumer closes), the mock holds the next rebalance
    /// for that member's `session.timeout.ms` − 1 s, even when no member is
    /// left: a consumer joining the same group next waits that long (44 s
    /// with the default 45 s) for its assignment, whichever client either
    /// is (librdkafka 2.12.1's mock; a broker rebalances at once). Give
    /// such consumers a short `session.timeout.ms`, or separate groups.
    ///
    /// Corresponds to `rd_kafka_mock_group_initial_rebalance_delay_ms`.
    #[doc(alias = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    pub fn set_group_initial_rebalance_delay(&self, delay: Duration) {
        self.inner.group_initial_rebalance_delay_ms(ms(delay))
    }

    /// KIP-848: the session timeout of `group.protocol=consumer` groups,
    /// clamped to 1 to 2 147 483 ms (librdkafka multiplies it by 1000 in an
    /// `int`).
    ///
    /// Corresponds to `rd_kafka_mock_set_group_consumer_session_timeout_ms`.
    #[doc(alias = "rd_kafka_mock_set_group_consumer_session_timeout_ms")]
    pub fn set_group_consumer_session_timeout(&self, timeout: Duration) {
        self.inner.set_group_consumer_session_timeout_ms(ms(timeout))
    }

    /// KIP-848: the heartbeat interval of `group.protocol=consumer` groups,
    /// clamped to 1 to 2 147 483 ms.
    ///
    /// Corresponds to `rd_kafka_mock_set_group_consumer_heartbeat_interval_ms`.
    #[doc(alias = "rd_kafka_mock_set_group_consumer_heartbeat_interval_ms")]
    pub fn set_group_consumer_heartbeat_interval(&self, interval: Duration) {
        self.inner.set_group_consumer_heartbeat_interval_ms(ms(interval))
    }

    /// KIP-848: forces the target assignment of a `group.protocol=consumer`
    /// group, as (member id, partitions) pairs. librdkafka ignores it when
    /// no such group exists yet (there is no way to ask).
    ///
    /// Corresponds to `rd_kafka_mock_cgrp_consumer_target_assignment`.
    #[doc(alias = "rd_kafka_mock_cgrp_consumer_target_assignment")]
    pub fn set_consumer_group_target_assignment(
        &self,
        group_id: &str,
        assignment: &[(String, Vec<TopicPartition>)],
    ) -> Result<()> {
        self.inner.cgrp_consumer_target_assignment(group_id, assignment)
    }

    /// Starts recording the requests brokers receive.
    ///
    /// Corresponds to `rd_kafka_mock_start_request_tracking`.
    #[doc(alias = "rd_kafka_mock_start_request_tracking")]
    pub fn start_request_tracking(&self) {
        self.inner.start_request_tracking()
    }

    /// Stops recording requests (and forgets those recorded).
    ///
    /// Corresponds to `rd_kafka_mock_stop_request_tracking`.
    #[doc(alias = "rd_kafka_mock_stop_request_tracking")]
    pub fn stop_request_tracking(&self) {
        self.inner.stop_request_tracking()
    }

    /// Forgets the requests recorded so far.
    ///
    /// Corresponds to `rd_kafka_mock_clear_requests`.
    #[doc(alias = "rd_kafka_mock_clear_requests")]
    pub fn clear_requests(&self) {
        self.inner.clear_requests()
    }

    /// The requests recorded since tracking started (or was cleared).
    ///
    /// Corresponds to `rd_kafka_mock_get_requests`.
    #[doc(alias = "rd_kafka_mock_get_requests")]
    pub fn requests(&self) -> Vec<MockRequest> {
        self.inner
            .get_requests()
            .into_iter()
            .map(|r| MockRequest {
                broker_id: r.broker_id,
                api_key: ApiKey(r.api_key),
                timestamp_us: r.timestamp_us,
            })
            .collect()
    }

    /// Telemetry (KIP-714): the metrics brokers ask clients to push.
    ///
    /// Corresponds to `rd_kafka_mock_telemetry_set_requested_metrics`.
    #[doc(alias = "rd_kafka_mock_telemetry_set_requested_metrics")]
    pub fn set_telemetry_requested_metrics(&self, metrics: &[&str]) -> Result<()> {
        self.inner.telemetry_set_requested_metrics(metrics)
    }

    /// Telemetry (KIP-714): how often clients push (1 ms to `i32::MAX` ms).
    ///
    /// Corresponds to `rd_kafka_mock_telemetry_set_push_interval`.
    #[doc(alias = "rd_kafka_mock_telemetry_set_push_interval")]
    pub fn set_telemetry_push_interval(&self, interval: Duration) -> Result<()> {
        self.inner
            .telemetry_set_push_interval(interval.as_millis().min(i64::MAX as u128) as i64)
    }
}
