//! [`Config`]: a dictionary of librdkafka properties plus the client-level
//! callbacks, as in the Python client's configuration dict; how it becomes a
//! librdkafka configuration ([`build_native`]). The callback types and
//! their payloads are in `callbacks.rs`, secret scrubbing in `redact.rs`.

mod callbacks;
mod properties;
mod redact;

pub use properties::parse_properties;

pub(crate) use callbacks::Callbacks;
pub use callbacks::{LogRecord, OAuthToken, SslCertVerdict, SslCertificate, ThrottleEvent};
pub(crate) use redact::Redactor;

use crate::error::{ErrorCode, KafkaError, Result};
use crate::message::DeliveryReport;
use crate::TopicPartition;
use std::fmt;
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/sensitive.rs"));

/// Whether a property's value is secret: librdkafka's `_RK_SENSITIVE`
/// properties and their aliases (derived from the librdkafka sources at
/// build time), plus any key mentioning a password or secret, and the
/// Schema Registry client's credentials (`basic.auth.user.info`,
/// `bearer.auth.token`).
///
/// ```
/// assert!(ferrokafka::is_sensitive("sasl.password"));
/// assert!(ferrokafka::is_sensitive("sasl.oauthbearer.client.credentials.client.secret"));
/// assert!(ferrokafka::is_sensitive("basic.auth.user.info"));
/// assert!(!ferrokafka::is_sensitive("bootstrap.servers"));
/// ```
pub fn is_sensitive(key: &str) -> bool {
    let k = key.trim().to_ascii_lowercase();
    SENSITIVE_PROPERTIES.contains(&k.as_str())
        || k.contains("password")
        || k.contains("secret")
        // The Schema Registry client's (the `schema-registry` feature).
        || matches!(k.as_str(), "basic.auth.user.info" | "bearer.auth.token")
}

/// The sensitive properties librdkafka 2.12.1 defines (with aliases).
pub fn sensitive_properties() -> &'static [&'static str] {
    SENSITIVE_PROPERTIES
}

/// Client configuration: librdkafka properties by name, plus callbacks.
///
/// Keys and values are exactly librdkafka's (see its `CONFIGURATION.md`);
/// nothing is renamed. Values are validated when a client is created: an
/// unknown key or a bad value gives a [`KafkaError`] (`_INVALID_ARG`) that
/// names the key — and never quotes the value of a sensitive property.
///
/// The callbacks mirror the Python client's configuration-level callables:
/// [`set_on_delivery`](Self::set_on_delivery), [`set_error_cb`](Self::set_error_cb),
/// [`set_throttle_cb`](Self::set_throttle_cb), [`set_stats_cb`](Self::set_stats_cb)
/// (and, with the `statistics` feature, its typed form `set_statistics_cb`),
/// [`set_logger`](Self::set_logger), [`set_oauth_cb`](Self::set_oauth_cb) and,
/// for consumers, [`set_on_commit`](Self::set_on_commit); beyond Python's,
/// [`set_partitioner`](Self::set_partitioner) and
/// [`set_ssl_cert_verify_cb`](Self::set_ssl_cert_verify_cb). All of them except
/// `oauth_cb` (librdkafka's background thread), the partitioner and the
/// certificate verification (librdkafka's broker threads) run only
/// inside the client's serving calls (`poll`, `flush`, `consume`, `close`) on
/// the caller's thread.
///
/// ```
/// use ferrokafka::Config;
/// let mut config = Config::new();
/// config.set("bootstrap.servers", "localhost:9092").set("linger.ms", 5);
/// let config2: Config = [("bootstrap.servers", "localhost:9092"), ("acks", "all")].into();
/// assert_eq!(config2.get("acks"), Some("all"));
///
/// let secret = Config::from([("sasl.password", "hunter2")]);
/// assert!(!format!("{secret:?}").contains("hunter2"));
/// ```
///
/// # SASL/OAUTHBEARER tokens from an OIDC provider
///
/// With the `oidc` cargo feature, librdkafka fetches and refreshes
/// OAUTHBEARER tokens itself (`sasl.oauthbearer.method=oidc`): it POSTs an
/// OAuth client-credentials request (HTTP Basic authentication with the
/// client id and secret, `grant_type=client_credentials&scope=...`) to the
/// token endpoint, takes the JWT in `access_token`, reads its `exp` and `sub`
/// claims, and refreshes it at 80% of its lifetime — all on librdkafka's
/// background thread, so no `poll` is needed before the first connection.
/// A failure (endpoint down, HTTP error, a reply without a valid JWT) reaches
/// [`set_error_cb`](Self::set_error_cb) as an `_AUTHENTICATION` error saying
/// why, and is retried 10 s later. This replaces
/// [`set_oauth_cb`](Self::set_oauth_cb): setting both is refused when the
/// client is created. [`builtin_features`](crate::builtin_features) lists
/// `oidc` when it is available.
///
/// ```no_run
/// use ferrokafka::{Config, Producer};
/// let mut config = Config::from([
///     ("bootstrap.servers", "broker:9093"),
///     ("security.protocol", "SASL_SSL"),
///     ("sasl.mechanism", "OAUTHBEARER"),
///     ("sasl.oauthbearer.method", "oidc"),
///     ("sasl.oauthbearer.token.endpoint.url", "https://idp.example.com/oauth2/token"),
///     ("sasl.oauthbearer.client.id", "my-service"),
///     ("sasl.oauthbearer.client.secret", "…"),
///     ("sasl.oauthbearer.scope", "kafka"),
///     // Optional SASL extensions sent to the broker with the token:
///     ("sasl.oauthbearer.extensions", "logicalCluster=lkc-1,identityPoolId=pool-1"),
/// ]);
/// config.set_error_cb(|e| eprintln!("kafka: {e}"));
/// let _producer = Producer::new(&config)?;
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
///
/// Two librdkafka 2.12.1 flaws in this path (found by `tests/oidc.rs`): a
/// temporary HTTP error (408, 425, 429, 5xx) that has a body spoils the
/// retry (the retried reply is parsed after that body: an `_AUTHENTICATION`
/// error, then the regular retry 10 s later), and a JWT whose payload needs
/// no base64 padding is parsed from a buffer that is not NUL-terminated
/// (valgrind: an uninitialised read in `cJSON_Parse`).
///
/// For an `https://` endpoint librdkafka looks for the system's CA
/// certificates itself; `https.ca.location` or `https.ca.pem` name others.
/// Without the feature, librdkafka refuses these properties with
/// `_INVALID_ARG` ("OAuth/OIDC depends on libcurl ... not available at build
/// time").
#[derive(Clone, Default)]
pub struct Config {
    entries: Vec<(String, String)>,
    pub(crate) callbacks: Callbacks,
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Self {
        Config::default()
    }

    /// Sets a property (replacing any earlier value), as `conf[key] = value`.
    pub fn set(&mut self, key: impl Into<String>, value: impl ToString) -> &mut Self {
        self.set_owned(key.into(), value.to_string());
        self
    }

    /// [`set`](Self::set) taking the strings by value: no copy of a secret
    /// is left behind unzeroed.
    pub(crate) fn set_owned(&mut self, key: String, value: String) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => {
                let old = std::mem::replace(&mut entry.1, value);
                if is_sensitive(&key) {
                    crate::native::zeroize(old.into_bytes());
                }
            }
            None => self.entries.push((key, value)),
        }
    }

    /// Builder form of [`set`](Self::set).
    pub fn with(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.set(key, value);
        self
    }

    /// The value set for a property, if any (not librdkafka's default).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Removes a property, so librdkafka's default applies (Python's `None`).
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// The properties set, in the order they were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of properties set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no property is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The producer's default delivery report callback, for messages
    /// produced without their own closure. Served by `poll`, `flush`,
    /// `close` and transaction commit/abort.
    pub fn set_on_delivery(&mut self, f: impl Fn(&DeliveryReport<'_>) + Send + Sync + 'static) -> &mut Self {
        self.callbacks.on_delivery = Some(Arc::new(f));
        self
    }

    /// Called with client-level errors (all brokers down, authentication
    /// failures, …). Fatal errors do not come here: the serving call returns
    /// them as `Err` with [`KafkaError::is_fatal`] set. Without an
    /// `error_cb`, errors are logged (target `librdkafka`).
    pub fn set_error_cb(&mut self, f: impl Fn(&KafkaError) + Send + Sync + 'static) -> &mut Self {
        self.callbacks.error_cb = Some(Arc::new(f));
        self
    }

    /// Called when a broker throttles the client.
    pub fn set_throttle_cb(&mut self, f: impl Fn(&ThrottleEvent) + Send + Sync + 'static) -> &mut Self {
        self.callbacks.throttle_cb = Some(Arc::new(f));
        self
    }

    /// Called with librdkafka's statistics JSON every
    /// `statistics.interval.ms` (which must be set above 0). With the
    /// `statistics` feature, `set_statistics_cb` hands over the same
    /// document parsed.
    pub fn set_stats_cb(&mut self, f: impl Fn(&str) + Send + Sync + 'static) -> &mut Self {
        self.callbacks.stats_cb = Some(Arc::new(f));
        self
    }

    /// Called with librdkafka's statistics every `statistics.interval.ms`
    /// (which must be set above 0), parsed into a
    /// [`Statistics`](crate::Statistics), and with the raw JSON it was
    /// parsed from (the `statistics` feature).
    ///
    /// The parsed value is owned, so it can be sent to another thread or
    /// kept for comparison with the next one. A document that does not
    /// parse is not dropped silently: the callback gets the `_BAD_MSG`
    /// error from [`Statistics::from_json`](crate::Statistics::from_json)
    /// instead, and the raw JSON still (to log it, or to forward it as it
    /// is to a metrics system). It is served like [`set_stats_cb`](Self::set_stats_cb),
    /// on the caller's thread inside `poll`, `flush`, `consume` or `close`;
    /// when both are set, `stats_cb` runs first, then this one, for each
    /// document. The JSON is parsed only when this callback is set.
    ///
    /// ```
    /// use ferrokafka::{Config, Statistics};
    /// use std::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel::<Statistics>();
    /// let mut config = Config::new();
    /// config.set("statistics.interval.ms", 1000);
    /// config.set_statistics_cb(move |stats, raw| match stats {
    ///     Ok(stats) => {
    ///         let _ = tx.send(stats);
    ///     }
    ///     Err(e) => eprintln!("{e}: {raw}"),
    /// });
    /// # drop(rx);
    /// ```
    #[cfg(feature = "statistics")]
    pub fn set_statistics_cb(
        &mut self,
        f: impl Fn(std::result::Result<crate::values::statistics::Statistics, KafkaError>, &str) + Send + Sync + 'static,
    ) -> &mut Self {
        self.callbacks.statistics_cb = Some(Arc::new(f));
        self
    }

    /// Receives librdkafka's log lines instead of the `log` crate.
    ///
    /// With a logger, lines are queued and the logger runs inside serving
    /// calls (`poll`, `flush`, `consume`, `close`) on the calling thread, as
    /// the Python client's `logger`; like any event, a line ends a
    /// producer's or admin client's `poll` wait. Without one, lines go to
    /// the `log` crate (target `librdkafka`, secrets redacted) at once, from
    /// librdkafka's own threads: no poll is needed and none is cut short.
    /// (`log.queue` is set accordingly; setting it has no effect.)
    pub fn set_logger(&mut self, f: impl Fn(&LogRecord<'_>) + Send + Sync + 'static) -> &mut Self {
        self.callbacks.logger = Some(Arc::new(f));
        self
    }

    /// Supplies SASL/OAUTHBEARER tokens. Called with the value of
    /// `sasl.oauthbearer.config` on librdkafka's background thread whenever
    /// a token is needed; return the token or a reason for failure.
    ///
    /// It runs in the middle of librdkafka's own work: client methods
    /// called from it (other than `name` and `is_closed`) fail at once with
    /// a `_STATE` error instead of deadlocking; dropping a client there is
    /// safe (it is finished on a helper thread).
    pub fn set_oauth_cb(
        &mut self,
        f: impl Fn(&str) -> std::result::Result<OAuthToken, String> + Send + Sync + 'static,
    ) -> &mut Self {
        self.callbacks.oauth_cb = Some(Arc::new(f));
        self
    }

    /// Consumer: receives the result of every asynchronous and automatic
    /// offset commit. Served by `poll`, `consume` and `close`.
    pub fn set_on_commit(
        &mut self,
        f: impl Fn(Option<&KafkaError>, &[TopicPartition]) + Send + Sync + 'static,
    ) -> &mut Self {
        self.callbacks.on_commit = Some(Arc::new(f));
        self
    }

    /// Producer: a custom partitioner, `f(topic, key, partition_count)`
    /// returning a partition in `0..partition_count`. It runs inside
    /// `produce` (or on a librdkafka thread) and must be fast and
    /// non-blocking. If it panics, the message goes to librdkafka's default
    /// partitioner and the panic comes out of the next `poll`/`flush`.
    ///
    /// librdkafka calls it with its topic lock held: client methods called
    /// from it (other than `name` and `is_closed`) fail at once with a
    /// `_STATE` error instead of deadlocking; dropping a client there is
    /// safe (it is finished on a helper thread).
    pub fn set_partitioner(
        &mut self,
        f: impl Fn(&str, Option<&[u8]>, i32) -> i32 + Send + Sync + 'static,
    ) -> &mut Self {
        self.callbacks.partitioner = Some(Arc::new(f));
        self
    }

    /// Checks the certificates a broker presents over TLS, on top of (or in
    /// place of) OpenSSL's own verification — to pin a certificate, to
    /// accept a private CA's certificate that OpenSSL cannot chain, or to
    /// log what a broker presented. The Python client has no counterpart.
    ///
    /// librdkafka calls `f` during every TLS handshake (bootstrap and
    /// learned brokers, reconnections), for each certificate of the
    /// broker's chain — root first and the broker's own certificate
    /// (`depth` 0) last when all is well; when OpenSSL finds an error it
    /// may call it for a certificate more than once, the broker's own
    /// first — with OpenSSL's verdict on it
    /// ([`SslCertificate::x509_error`], 0 when it passed: the CA from
    /// `ssl.ca.location`/`ssl.ca.pem`, expiry, and with
    /// `ssl.endpoint.identification.algorithm=https` (the default) the
    /// hostname). [`SslCertVerdict::Accept`] accepts the certificate even
    /// when OpenSSL did not (its error is cleared);
    /// [`SslCertVerdict::Reject`] fails the handshake: the client reports
    /// an `_SSL` error ([`set_error_cb`](Self::set_error_cb)) and tries
    /// again after `reconnect.backoff.ms`, as for any failed connection,
    /// and the reason is logged by librdkafka (facility `SSLCERTVRFY`) and
    /// appended to that error's message. A callback that accepts whatever
    /// it is given disables verification: check
    /// [`preverified`](SslCertificate::preverified) unless overriding
    /// OpenSSL is the point. Only TLS connections (`security.protocol`
    /// `SSL` or `SASL_SSL`) call it; with
    /// `enable.ssl.certificate.verification=false` librdkafka still calls
    /// it but ignores a rejection (OpenSSL's `SSL_VERIFY_NONE`).
    ///
    /// It runs on librdkafka's broker threads, in the middle of the
    /// handshake: keep it fast and non-blocking. Client methods called from
    /// it (other than `name` and `is_closed`) fail at once with a `_STATE`
    /// error instead of deadlocking; dropping a client there is safe (it is
    /// finished on a helper thread). If it panics, the certificate is
    /// rejected and the panic comes out of the client's next serving call
    /// (`poll`, `flush`, `consume`, `close`); the client stays usable.
    ///
    /// A client with this callback needs librdkafka built with TLS
    /// (ferrokafka's default `ssl` feature, or `ssl-system`); otherwise
    /// creating it fails with `_INVALID_ARG`.
    ///
    /// Corresponds to `rd_kafka_conf_set_ssl_cert_verify_cb`.
    ///
    /// ```no_run
    /// use ferrokafka::{Config, Producer, SslCertVerdict};
    ///
    /// // Certificate pinning: OpenSSL's checks (CA, expiry, hostname) must
    /// // pass, and the broker's own certificate must be exactly this one
    /// // (`openssl x509 -in broker.pem -outform der -out broker.der`).
    /// let pinned: Vec<u8> = std::fs::read("broker.der")?;
    /// let mut config = Config::from([
    ///     ("bootstrap.servers", "broker.example.com:9093"),
    ///     ("security.protocol", "SSL"),
    ///     ("ssl.ca.location", "ca.pem"),
    /// ]);
    /// config.set_ssl_cert_verify_cb(move |cert| {
    ///     if !cert.preverified() {
    ///         return SslCertVerdict::reject(format!(
    ///             "OpenSSL error {} at depth {}",
    ///             cert.x509_error, cert.depth
    ///         ));
    ///     }
    ///     if cert.depth == 0 && cert.der != pinned.as_slice() {
    ///         return SslCertVerdict::reject(format!("{}: not the pinned certificate", cert.broker_name));
    ///     }
    ///     SslCertVerdict::Accept
    /// });
    /// config.set_error_cb(|e| eprintln!("kafka: {e}"));
    /// let producer = Producer::new(&config)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "rd_kafka_conf_set_ssl_cert_verify_cb")]
    pub fn set_ssl_cert_verify_cb(
        &mut self,
        f: impl Fn(&SslCertificate<'_>) -> SslCertVerdict + Send + Sync + 'static,
    ) -> &mut Self {
        self.callbacks.ssl_cert_verify_cb = Some(Arc::new(f));
        self
    }

    /// [`set_on_delivery`](Self::set_on_delivery), by value: for a
    /// `Config` built in one expression.
    ///
    /// ```
    /// use ferrokafka::Config;
    /// let config = Config::from([("bootstrap.servers", "localhost:9092")])
    ///     .with("linger.ms", 5)
    ///     .with_error_cb(|e| eprintln!("kafka: {e}"))
    ///     .with_on_delivery(|report| {
    ///         if let Some(e) = report.error() {
    ///             eprintln!("not delivered: {e}");
    ///         }
    ///     });
    /// assert_eq!(config.get("linger.ms"), Some("5"));
    /// ```
    #[must_use]
    pub fn with_on_delivery(mut self, f: impl Fn(&DeliveryReport<'_>) + Send + Sync + 'static) -> Self {
        self.set_on_delivery(f);
        self
    }

    /// [`set_error_cb`](Self::set_error_cb), by value.
    #[must_use]
    pub fn with_error_cb(mut self, f: impl Fn(&KafkaError) + Send + Sync + 'static) -> Self {
        self.set_error_cb(f);
        self
    }

    /// [`set_throttle_cb`](Self::set_throttle_cb), by value.
    #[must_use]
    pub fn with_throttle_cb(mut self, f: impl Fn(&ThrottleEvent) + Send + Sync + 'static) -> Self {
        self.set_throttle_cb(f);
        self
    }

    /// [`set_stats_cb`](Self::set_stats_cb), by value.
    #[must_use]
    pub fn with_stats_cb(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.set_stats_cb(f);
        self
    }

    /// [`set_statistics_cb`](Self::set_statistics_cb), by value.
    #[cfg(feature = "statistics")]
    #[must_use]
    pub fn with_statistics_cb(
        mut self,
        f: impl Fn(std::result::Result<crate::values::statistics::Statistics, KafkaError>, &str) + Send + Sync + 'static,
    ) -> Self {
        self.set_statistics_cb(f);
        self
    }

    /// [`set_logger`](Self::set_logger), by value.
    #[must_use]
    pub fn with_logger(mut self, f: impl Fn(&LogRecord<'_>) + Send + Sync + 'static) -> Self {
        self.set_logger(f);
        self
    }

    /// [`set_oauth_cb`](Self::set_oauth_cb), by value.
    #[must_use]
    pub fn with_oauth_cb(
        mut self,
        f: impl Fn(&str) -> std::result::Result<OAuthToken, String> + Send + Sync + 'static,
    ) -> Self {
        self.set_oauth_cb(f);
        self
    }

    /// [`set_on_commit`](Self::set_on_commit), by value.
    #[must_use]
    pub fn with_on_commit(
        mut self,
        f: impl Fn(Option<&KafkaError>, &[TopicPartition]) + Send + Sync + 'static,
    ) -> Self {
        self.set_on_commit(f);
        self
    }

    /// [`set_partitioner`](Self::set_partitioner), by value.
    #[must_use]
    pub fn with_partitioner(mut self, f: impl Fn(&str, Option<&[u8]>, i32) -> i32 + Send + Sync + 'static) -> Self {
        self.set_partitioner(f);
        self
    }

    /// [`set_ssl_cert_verify_cb`](Self::set_ssl_cert_verify_cb), by value.
    ///
    /// ```
    /// use ferrokafka::{Config, SslCertVerdict};
    /// // Log every certificate brokers present; keep OpenSSL's verdict.
    /// let config = Config::from([("bootstrap.servers", "localhost:9093"), ("security.protocol", "SSL")])
    ///     .with_ssl_cert_verify_cb(|cert| {
    ///         eprintln!("{} presented a {}-byte certificate at depth {}", cert.broker_name, cert.der.len(), cert.depth);
    ///         if cert.preverified() {
    ///             SslCertVerdict::Accept
    ///         } else {
    ///             SslCertVerdict::reject(format!("OpenSSL error {}", cert.x509_error))
    ///         }
    ///     });
    /// assert!(format!("{config:?}").contains("ssl_cert_verify_cb"));
    /// ```
    #[must_use]
    pub fn with_ssl_cert_verify_cb(
        mut self,
        f: impl Fn(&SslCertificate<'_>) -> SslCertVerdict + Send + Sync + 'static,
    ) -> Self {
        self.set_ssl_cert_verify_cb(f);
        self
    }

    /// The values of every sensitive property set (to scrub from messages).
    pub(crate) fn secrets(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(k, v)| is_sensitive(k) && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub(crate) fn entries(&self) -> &[(String, String)] {
        &self.entries
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        for (k, v) in self.entries.drain(..) {
            if is_sensitive(&k) {
                crate::native::zeroize(v.into_bytes());
            }
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.entries {
            if is_sensitive(k) {
                m.entry(k, &"[REDACTED]");
            } else {
                m.entry(k, v);
            }
        }
        let cb = &self.callbacks;
        #[cfg(feature = "statistics")]
        let statistics_cb = cb.statistics_cb.is_some();
        #[cfg(not(feature = "statistics"))]
        let statistics_cb = false;
        for (name, set) in [
            ("on_delivery", cb.on_delivery.is_some()),
            ("error_cb", cb.error_cb.is_some()),
            ("throttle_cb", cb.throttle_cb.is_some()),
            ("stats_cb", cb.stats_cb.is_some()),
            ("statistics_cb", statistics_cb),
            ("logger", cb.logger.is_some()),
            ("oauth_cb", cb.oauth_cb.is_some()),
            ("on_commit", cb.on_commit.is_some()),
            ("partitioner", cb.partitioner.is_some()),
            ("ssl_cert_verify_cb", cb.ssl_cert_verify_cb.is_some()),
        ] {
            if set {
                m.entry(&name, &"<callback>");
            }
        }
        m.finish()
    }
}

impl<K: Into<String>, V: ToString> FromIterator<(K, V)> for Config {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut c = Config::new();
        for (k, v) in iter {
            c.set(k, v);
        }
        c
    }
}

impl<K: Into<String>, V: ToString, const N: usize> From<[(K, V); N]> for Config {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: ToString> Extend<(K, V)> for Config {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.set(k, v);
        }
    }
}

/// Properties this crate handles itself rather than passing to librdkafka.
pub(crate) struct Emulated {
    /// `delivery.report.only.error`: success reports are dropped by us, so
    /// per-message state is still freed (passing it to librdkafka would leak
    /// it, as confluent-kafka-go#306 and python#84 show).
    pub dr_only_error: bool,
}

/// Which client is being built.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ClientKind {
    Producer,
    Consumer,
    Admin,
}

impl ClientKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ClientKind::Producer => "Producer",
            ClientKind::Consumer => "Consumer",
            ClientKind::Admin => "AdminClient",
        }
    }
}

/// Applies the configuration to a librdkafka conf object, turning every
/// refusal into an error that names the key (and never quotes a secret).
pub(crate) fn build_native(config: &Config, redactor: &Redactor) -> Result<(crate::native::NativeConf, Emulated)> {
    check_oauth_sources(config)?;
    let mut conf = crate::native::NativeConf::new();
    let mut emulated = Emulated { dr_only_error: false };
    let (_, libver) = crate::native::version();
    let defaults = [
        ("client.software.name", "ferrokafka".to_string()),
        (
            "client.software.version",
            format!("{}-librdkafka-{}", env!("CARGO_PKG_VERSION"), libver),
        ),
    ];
    for (k, v) in defaults.iter() {
        if config.get(k).is_none() {
            let _ = conf.set(k, v);
        }
    }
    for (key, value) in config.entries() {
        apply_property(&mut conf, &mut emulated, key, value, redactor)?;
    }
    if config.callbacks.logger.is_some() {
        conf.set("log.queue", "true")
            .map_err(|_| KafkaError::new(ErrorCode::FAIL, "could not enable log.queue"))?;
    }
    Ok((conf, emulated))
}

/// Applies one property to `conf` (or to `emulated`, for the properties
/// this crate handles itself), turning librdkafka's refusal into an error
/// that names the key and never quotes a secret.
pub(crate) fn apply_property(
    conf: &mut crate::native::NativeConf,
    emulated: &mut Emulated,
    key: &str,
    value: &str,
    redactor: &Redactor,
) -> Result<()> {
    use crate::native::ConfSetError;
    if key == "delivery.report.only.error" {
        emulated.dr_only_error = match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => {
                return Err(KafkaError::invalid_arg(format!(
                    "Invalid value {value:?} for configuration property \"delivery.report.only.error\": expected true or false"
                )))
            }
        };
        return Ok(());
    }
    if key == "log.queue" {
        // Set by `build_native`: by whether a `logger` is configured.
        return Ok(());
    }
    match conf.set(key, value) {
        Ok(()) => Ok(()),
        Err(ConfSetError::Unknown(msg)) => {
            let msg = if msg.is_empty() {
                format!("No such configuration property: {key:?}")
            } else {
                msg
            };
            Err(KafkaError::invalid_arg(redactor.redact(&msg)))
        }
        Err(ConfSetError::Invalid(msg)) => {
            if is_sensitive(key) {
                return Err(KafkaError::invalid_arg(format!(
                    "Invalid value for configuration property {key:?} (a sensitive property: its value is not shown)"
                )));
            }
            let msg = redactor.redact(&msg);
            let msg = if msg.contains(key) {
                msg
            } else {
                format!("configuration property {key:?}: {msg}")
            };
            Err(KafkaError::invalid_arg(with_build_hint(msg)))
        }
        Err(ConfSetError::Nul) => Err(KafkaError::invalid_arg(format!(
            "configuration property {:?}: the key or value contains a NUL byte",
            key.replace('\0', "\\0")
        ))),
    }
}

/// Refuses a configuration with two sources of OAUTHBEARER tokens.
///
/// With an `oauth_cb` set, librdkafka silently ignores
/// `sasl.oauthbearer.method=oidc` (its built-in OIDC client only runs when
/// no token refresh callback is installed) and the token endpoint, client
/// id and secret would never be used: say so instead.
fn check_oauth_sources(config: &Config) -> Result<()> {
    let oidc = config
        .get("sasl.oauthbearer.method")
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("oidc"));
    if oidc && config.callbacks.oauth_cb.is_some() {
        return Err(KafkaError::invalid_arg(
            "`oauth_cb` and `sasl.oauthbearer.method=oidc` are mutually exclusive: \
             librdkafka's OIDC client fetches the tokens itself, so either remove the \
             callback or leave `sasl.oauthbearer.method` at \"default\"",
        ));
    }
    Ok(())
}

/// librdkafka refuses the OIDC and HTTPS properties when it was built
/// without libcurl ("... not available at build time"): name the cargo
/// feature that provides it.
fn with_build_hint(msg: String) -> String {
    if !cfg!(feature = "oidc") && msg.contains("libcurl") && msg.contains("not available at build time") {
        format!("{msg} (enable ferrokafka's `oidc` cargo feature)")
    } else {
        msg
    }
}
