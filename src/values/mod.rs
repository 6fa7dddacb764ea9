//! Small public values that native/ converts to and from C: the flags of a
//! purge, the C enums (as integer newtypes, see `c_enum!`), an OAUTHBEARER
//! token; and, with the `statistics` feature, the typed statistics
//! (`statistics.rs`, re-exported as `ferrokafka::statistics`). Plain data
//! (layer 0 in ARCHITECTURE.md), re-exported at the crate root.
//!
//! One enum style: every C enumeration is an integer newtype with named
//! constants (`RebalanceProtocol::COOPERATIVE`, `ResourceType::TOPIC`), as
//! [`ErrorCode`](crate::ErrorCode) is. A value that a newer librdkafka or
//! broker sends is still a value (`ResourceType(42)`), never undefined
//! behaviour or a lossy `Unknown`; `match` on the constants with a `_` arm.
//! Rust enums are kept for what carries data (`Timestamp`, `OffsetSpec`,
//! `Commit`, `Timeout`).

/// Declares an integer newtype for a C enum, with named constants: a value
/// the C library (or a newer broker) sends that is not named here is still
/// a valid value, never undefined behaviour.
macro_rules! c_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i32);

        impl $name {
            $( $(#[$vmeta])* pub const $variant: $name = $name($value); )*

            /// Every value named here, in numeric order.
            pub fn known_values() -> &'static [$name] {
                &[$($name($value)),*]
            }

            /// The value's name, e.g. `"TOPIC"`; `"UNKNOWN"` for a value not
            /// named here.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($value => stringify!($variant),)*
                    _ => "UNKNOWN",
                }
            }

            /// The integer value.
            pub fn code(self) -> i32 {
                self.0
            }

            /// True when the value is named here.
            #[allow(clippy::manual_range_patterns)]
            pub fn is_known(self) -> bool {
                matches!(self.0, $($value)|*)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                if self.is_known() {
                    f.write_str(self.name())
                } else {
                    write!(f, "{}({})", stringify!($name), self.0)
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self, f)
            }
        }

        impl From<i32> for $name {
            fn from(v: i32) -> Self {
                $name(v)
            }
        }
    };
}

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

c_enum! {
    /// The group rebalance protocol in use
    /// ([`Consumer::rebalance_protocol`](crate::Consumer::rebalance_protocol)).
    ///
    /// Corresponds to the strings `rd_kafka_rebalance_protocol` returns.
    #[doc(alias = "rd_kafka_rebalance_protocol")]
    RebalanceProtocol {
        /// Not (yet) in a group (0).
        NONE = 0,
        /// Stop-the-world: every member gives up all partitions (range,
        /// roundrobin) (1).
        EAGER = 1,
        /// Incremental (cooperative-sticky, and KIP-848
        /// `group.protocol=consumer`) (2).
        COOPERATIVE = 2,
    }
}

c_enum! {
    /// Whether a message reached the broker's log.
    ///
    /// Corresponds to `rd_kafka_msg_status_t` (`rd_kafka_message_status`).
    #[doc(alias = "rd_kafka_msg_status_t", alias = "rd_kafka_message_status")]
    MessageStatus {
        /// Never sent, or certainly not written: a retry cannot duplicate
        /// it (0).
        NOT_PERSISTED = 0,
        /// Sent but not acknowledged: it may or may not be in the log (1).
        POSSIBLY_PERSISTED = 1,
        /// Written to the log and acknowledged (2).
        PERSISTED = 2,
    }
}

c_enum! {
    /// Which kind of coordinator
    /// [`MockCluster::set_coordinator`](crate::MockCluster::set_coordinator)
    /// moves: the `key_type` of Kafka's FindCoordinator request.
    CoordinatorType {
        /// The consumer group coordinator (key: group id) (0).
        GROUP = 0,
        /// The transaction coordinator (key: `transactional.id`) (1).
        TRANSACTION = 1,
    }
}

/// A token for SASL/OAUTHBEARER, returned by the `oauth_cb`.
#[derive(Clone)]
#[non_exhaustive]
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

impl OAuthToken {
    /// A token: its value, its expiry (milliseconds since the Unix epoch)
    /// and the principal it identifies; no extensions. Python's `oauth_cb`
    /// returns the same as `(token, expiry_seconds, principal, extensions)`.
    ///
    /// ```
    /// use ferrokafka::OAuthToken;
    /// let t = OAuthToken::new("eyJhbGciOi...", 1_900_000_000_000, "svc-orders")
    ///     .with_extension("traceId", "abc");
    /// assert_eq!(t.principal, "svc-orders");
    /// assert_eq!(t.extensions, vec![("traceId".to_string(), "abc".to_string())]);
    /// // The token value is never shown.
    /// assert!(!format!("{t:?}").contains("eyJ"));
    /// ```
    pub fn new(token: impl Into<String>, lifetime_ms: i64, principal: impl Into<String>) -> Self {
        OAuthToken {
            token: token.into(),
            lifetime_ms,
            principal: principal.into(),
            extensions: Vec::new(),
        }
    }

    /// The same token with one more SASL extension.
    #[must_use]
    pub fn with_extension(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extensions.push((key.into(), value.into()));
        self
    }
}

/// One certificate of the chain a broker presented, handed to the
/// certificate verification callback
/// ([`Config::set_ssl_cert_verify_cb`](crate::Config::set_ssl_cert_verify_cb)).
///
/// librdkafka calls the callback once per certificate on every TLS
/// connection, starting at the root of the chain (the highest `depth`) and
/// ending with the broker's own certificate (`depth` 0).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct SslCertificate<'a> {
    /// The broker's name as librdkafka knows it: `host:port` (a bootstrap
    /// broker's, or the address the cluster advertised).
    pub broker_name: &'a str,
    /// The broker's id, or -1 for a bootstrap broker not yet identified.
    pub broker_id: i32,
    /// The certificate's depth in the chain: 0 is the broker's own (leaf)
    /// certificate, 1 its issuer, and so on.
    pub depth: i32,
    /// The certificate, DER-encoded (what `openssl x509 -outform der`
    /// writes): parse it with any X.509 crate.
    pub der: &'a [u8],
    /// OpenSSL's verdict on this certificate before the callback ran
    /// ("preverify"): 0 when it passed, otherwise an OpenSSL `X509_V_ERR_*`
    /// code (see `openssl/x509_vfy.h`; e.g. 10 expired, 19 self-signed
    /// certificate in the chain, 20 unable to get the local issuer, 62
    /// hostname mismatch).
    pub x509_error: i32,
}

impl SslCertificate<'_> {
    /// True when OpenSSL's own verification accepted this certificate
    /// (`x509_error == 0`).
    pub fn preverified(&self) -> bool {
        self.x509_error == 0
    }
}

/// What the certificate verification callback decides about one certificate
/// ([`Config::set_ssl_cert_verify_cb`](crate::Config::set_ssl_cert_verify_cb)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SslCertVerdict {
    /// The certificate is valid, whatever OpenSSL's own verification said:
    /// a preverify failure ([`SslCertificate::x509_error`]) is overridden.
    Accept,
    /// The certificate is not valid: the TLS handshake fails. The reason
    /// goes to librdkafka's log (facility `SSLCERTVRFY`, level error).
    Reject(String),
}

impl SslCertVerdict {
    /// [`Reject`](Self::Reject) with a reason.
    pub fn reject(reason: impl Into<String>) -> Self {
        SslCertVerdict::Reject(reason.into())
    }
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
