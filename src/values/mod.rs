//! Small public values that native/ converts to and from C: the flags of a
//! purge, the rebalance protocol a group uses, an OAUTHBEARER token; and,
//! with the `statistics` feature, the typed statistics (`statistics.rs`,
//! re-exported as `ferrokafka::statistics`). Plain data (layer 0 in
//! ARCHITECTURE.md), re-exported at the crate root.

pub(crate) mod admin;
#[cfg(feature = "statistics")]
pub mod statistics;

use std::fmt;

/// What [`Producer::purge`](crate::Producer::purge) removes, and whether it
/// waits: the flags of `rd_kafka_purge`, combined with `|`.
///
/// ```
/// use ferrokafka::Purge;
/// assert_eq!(Purge::QUEUED | Purge::IN_FLIGHT, Purge::ALL);
/// let p = Purge::ALL.non_blocking();
/// assert!(p.queued() && p.in_flight() && !p.waits());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Purge {
    queued: bool,
    in_flight: bool,
    wait: bool,
}

impl Purge {
    /// Messages not yet sent (`RD_KAFKA_PURGE_F_QUEUE`).
    pub const QUEUED: Purge = Purge {
        queued: true,
        in_flight: false,
        wait: true,
    };
    /// Messages sent and awaiting their answer (`RD_KAFKA_PURGE_F_INFLIGHT`;
    /// they may still be written).
    pub const IN_FLIGHT: Purge = Purge {
        queued: false,
        in_flight: true,
        wait: true,
    };
    /// Both, waiting for librdkafka's threads to finish purging: the Python
    /// client's `purge()` defaults, and what a close or drop does.
    pub const ALL: Purge = Purge {
        queued: true,
        in_flight: true,
        wait: true,
    };

    /// The same, without waiting for librdkafka's threads to finish
    /// purging (`RD_KAFKA_PURGE_F_NON_BLOCKING`).
    #[must_use]
    pub const fn non_blocking(self) -> Purge {
        Purge { wait: false, ..self }
    }

    /// Whether queued messages are purged.
    pub const fn queued(self) -> bool {
        self.queued
    }

    /// Whether in-flight messages are purged.
    pub const fn in_flight(self) -> bool {
        self.in_flight
    }

    /// Whether the purge waits for librdkafka's threads.
    pub const fn waits(self) -> bool {
        self.wait
    }
}

impl std::ops::BitOr for Purge {
    type Output = Purge;

    /// Both sets of messages; waits unless either side is non-blocking.
    fn bitor(self, rhs: Purge) -> Purge {
        Purge {
            queued: self.queued || rhs.queued,
            in_flight: self.in_flight || rhs.in_flight,
            wait: self.wait && rhs.wait,
        }
    }
}

/// The group rebalance protocol in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceProtocol {
    /// Not (yet) in a group.
    None,
    /// Stop-the-world: every member gives up all partitions (range,
    /// roundrobin).
    Eager,
    /// Incremental (cooperative-sticky, and KIP-848 `group.protocol=consumer`).
    Cooperative,
}

/// A token for SASL/OAUTHBEARER, returned by the `oauth_cb`.
#[derive(Clone)]
pub struct OAuthToken {
    /// The token value (a JWT, typically).
    pub token: String,
    /// When the token expires, in milliseconds since the Unix epoch.
    pub lifetime_ms: i64,
    /// The principal the token identifies.
    pub principal: String,
    /// SASL extensions, as key/value pairs.
    pub extensions: Vec<(String, String)>,
}

impl fmt::Debug for OAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthToken")
            .field("token", &"[REDACTED]")
            .field("lifetime_ms", &self.lifetime_ms)
            .field("principal", &self.principal)
            .field(
                "extensions",
                &self.extensions.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}
