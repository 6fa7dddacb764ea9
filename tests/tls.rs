//! TLS end to end (issue 15): Tansu behind stunnel, with a throwaway PKI
//! made by `openssl` (tests/common/tls.rs), across the producer, the
//! consumer and the admin client.
//!
//! The space covered:
//!
//! - **Accepted**: one-way TLS with the CA from a file (`ssl.ca.location`)
//!   and in memory (`ssl.ca.pem`); mutual TLS with the client certificate
//!   and key from files, from PEM strings, and with the key encrypted
//!   (`ssl.key.password`); a certificate for another host name with
//!   `ssl.endpoint.identification.algorithm=none`. Each: topic created,
//!   messages produced (one successful report each) and consumed back,
//!   metadata naming the TLS port.
//! - **Refused**: a CA that did not sign the broker's certificate, a host
//!   name mismatch (with the default `https` identification), an expired
//!   certificate, a client certificate from another CA, and no client
//!   certificate where one is required. Each: the producer's, consumer's
//!   and admin client's serving calls surface the expected error code in
//!   bounded time (generous bounds: hang detectors, not speed
//!   assertions); every produced message gets exactly one (failed)
//!   delivery report; flush and close return.
//! - **The certificate verification callback**
//!   (`Config::set_ssl_cert_verify_cb`): accepting everything overrides a
//!   wrong CA and a host name mismatch; rejecting everything refuses a
//!   good broker, with the reason in the error; what it is handed (depth,
//!   DER bytes, OpenSSL's verdict, broker name and id) matches the PKI; a
//!   panicking callback rejects, its panic comes out of `poll`, and the
//!   client stays usable and drops cleanly.
//! - **Configuration errors**: a missing `ssl.ca.location` file, garbage in
//!   `ssl.ca.pem` or `ssl.key.pem`: a typed error from the constructor that
//!   names the property (and never quotes the key).
//!
//! Cases run on a few threads at once against one cluster, each with
//! its own clients and topic. `FERROKAFKA_TLS_CASES` (comma-separated
//! substrings) narrows them.
//!
//! Also here: a round trip against the user's own TLS or SASL cluster
//! (`FERROKAFKA_TLS_BOOTSTRAP_SERVERS` + `FERROKAFKA_TLS_PROPERTIES`, see
//! README's "Moving from librdkafka or kcat"), skipped when those are not set.

mod common;
#[path = "common/tls.rs"]
mod tls;

use common::{scaled, unique_topic};
use ferrokafka::admin::NewTopic;
use ferrokafka::{
    AdminClient, AdminOptions, Config, Consumer, ErrorCode, KafkaError, Producer, Record, SslCertVerdict,
    TopicPartition, OFFSET_BEGINNING,
};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tls::{tls_config, TlsCluster, KEY_PASSWORD};

/// Messages each case produces.
const N: usize = 5;

fn t(secs: u64) -> Duration {
    scaled(Duration::from_secs(secs))
}

/// Errors a client's `error_cb` saw.
#[derive(Clone, Default)]
struct Errors(Arc<Mutex<Vec<KafkaError>>>);

impl Errors {
    fn install(&self, c: &mut Config) {
        let seen = self.0.clone();
        c.set_error_cb(move |e| seen.lock().unwrap().push(e.clone()));
    }
    fn codes(&self) -> Vec<ErrorCode> {
        self.0.lock().unwrap().iter().map(|e| e.code()).collect()
    }
    fn has(&self, code: ErrorCode) -> bool {
        self.codes().contains(&code)
    }
    fn find(&self, code: ErrorCode) -> Option<KafkaError> {
        self.0.lock().unwrap().iter().find(|e| e.code() == code).cloned()
    }
    fn dump(&self) -> String {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|e| format!("  {} {}", e.code().name(), e.message()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Delivery reports by message index: (count, error code of the last).
type Reports = Arc<Mutex<BTreeMap<usize, (usize, Option<ErrorCode>)>>>;

fn produce_n(p: &Producer, topic: &str, reports: &Reports) {
    for i in 0..N {
        let r = reports.clone();
        let value = format!("tls-{i}");
        p.produce(
            Record::new(topic)
                .with_partition(0)
                .with_value(&value)
                .with_on_delivery(move |d| {
                    let mut m = r.lock().unwrap();
                    let e = m.entry(i).or_insert((0, None));
                    e.0 += 1;
                    e.1 = d.error().map(|e| e.code());
                }),
        )
        .unwrap();
    }
}

// ---------------------------------------------------------------------------
// What a case checks
// ---------------------------------------------------------------------------

/// The whole path works over TLS: the admin client creates a topic and
/// reads metadata naming `advertised` (the port clients reconnect to); the
/// producer delivers `N` messages (one successful report each); a consumer
/// reads them back. No client reports a TLS error.
///
/// `advertised: None` (the user's own cluster): any brokers, and topics
/// with the broker's default replication factor.
fn round_trip(port: u16, advertised: Option<u16>, config: impl Fn() -> Config) {
    let errors = Errors::default();
    let with_errors = || {
        let mut c = config();
        errors.install(&mut c);
        c
    };
    let topic = unique_topic("tls");
    let admin = AdminClient::new(&with_errors()).unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new(&topic, 1, if advertised.is_some() { 1 } else { -1 })],
            &AdminOptions::new().request_timeout(t(60)),
        )
        .unwrap()
        .wait(t(60))
        .unwrap_or_else(|e| {
            panic!(
                "create_topics over TLS on port {port}: {e}\nclient errors:\n{}",
                errors.dump()
            )
        });
    created[0].1.as_ref().expect("topic created");
    let md = admin.list_topics(Some(&topic), t(30)).unwrap();
    if let Some(advertised) = advertised {
        let ports: Vec<u16> = md.brokers.values().map(|b| b.port).collect();
        assert_eq!(ports, [advertised], "metadata over TLS names the TLS port");
    }
    assert!(md.topics[&topic].error.is_none());

    let producer = Producer::new(&with_errors()).unwrap();
    let reports: Reports = Arc::default();
    produce_n(&producer, &topic, &reports);
    producer.flush(t(60)).unwrap();
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), N, "one report per message: {reports:?}");
    for (i, (count, err)) in &reports {
        assert_eq!((*count, *err), (1, None), "message {i}: one successful report");
    }

    let mut cc = with_errors();
    cc.set("group.id", unique_topic("tls-g"))
        .set("enable.auto.commit", false);
    let consumer = Consumer::new(&cc).unwrap();
    consumer
        .assign(&[TopicPartition::with_offset(&topic, 0, OFFSET_BEGINNING)])
        .unwrap();
    let mut values = Vec::new();
    let end = Instant::now() + t(60);
    while values.len() < N && Instant::now() < end {
        for m in consumer.consume(N - values.len(), Duration::from_millis(200)).unwrap() {
            values.push(String::from_utf8_lossy(m.value().unwrap_or_default()).into_owned());
        }
    }
    let expected: Vec<String> = (0..N).map(|i| format!("tls-{i}")).collect();
    assert_eq!(values, expected, "consumed back over TLS");
    consumer.close(t(30)).unwrap();
    producer.close(t(30)).unwrap();
    admin.close(t(30)).unwrap();
    for code in [ErrorCode::SSL, ErrorCode::AUTHENTICATION] {
        assert!(
            !errors.has(code),
            "no {} error on a good connection:\n{}",
            code.name(),
            errors.dump()
        );
    }
}

/// What a refused connection looks like to each client.
#[derive(Debug)]
struct Refusal {
    /// The codes the producer's `error_cb` saw.
    producer: Vec<ErrorCode>,
    /// The first error with the expected code (its message).
    message: String,
}

/// Every client is refused: the producer's and consumer's `error_cb` get
/// `expected` (served by `poll`) in bounded time; every message produced
/// gets exactly one failed report (`message.timeout.ms` is short), after
/// which `flush` returns at once; the admin client's request fails in
/// bounded time; every `close` returns.
fn refused(port: u16, expected: ErrorCode, config: impl Fn() -> Config) -> Refusal {
    let limit = t(60);
    // The producer.
    let errors = Errors::default();
    let mut pc = config();
    pc.set("message.timeout.ms", 3000);
    errors.install(&mut pc);
    let producer = Producer::new(&pc).unwrap();
    let reports: Reports = Arc::default();
    let topic = unique_topic("tls-refused");
    produce_n(&producer, &topic, &reports);
    let end = Instant::now() + limit;
    while (reports.lock().unwrap().len() < N || !errors.has(expected)) && Instant::now() < end {
        producer.poll(Duration::from_millis(100)).unwrap();
    }
    assert!(
        errors.has(expected),
        "port {port}: the producer saw no {} error within {limit:?}; it saw:\n{}",
        expected.name(),
        errors.dump()
    );
    {
        let reports = reports.lock().unwrap();
        assert_eq!(reports.len(), N, "port {port}: a report for every message: {reports:?}");
        for (i, (count, err)) in reports.iter() {
            assert_eq!(*count, 1, "message {i}: exactly one report");
            assert_eq!(*err, Some(ErrorCode::MSG_TIMED_OUT), "message {i}: not delivered");
        }
    }
    // Nothing is left: flush returns, and so does close.
    producer.flush(t(30)).unwrap();
    assert_eq!(producer.len(), 0);
    producer.close(t(30)).unwrap();
    assert_eq!(
        reports.lock().unwrap().values().map(|r| r.0).sum::<usize>(),
        N,
        "no second report"
    );
    let message = errors.find(expected).unwrap().message().to_string();
    let producer_codes = errors.codes();

    // The consumer.
    let errors = Errors::default();
    let mut cc = config();
    cc.set("group.id", unique_topic("tls-refused-g"));
    errors.install(&mut cc);
    let consumer = Consumer::new(&cc).unwrap();
    consumer
        .assign(&[TopicPartition::with_offset(&topic, 0, OFFSET_BEGINNING)])
        .unwrap();
    let end = Instant::now() + limit;
    while !errors.has(expected) && Instant::now() < end {
        assert!(consumer.poll(Duration::from_millis(100)).unwrap().is_none());
    }
    assert!(
        errors.has(expected),
        "port {port}: the consumer saw no {} error within {limit:?}; it saw:\n{}",
        expected.name(),
        errors.dump()
    );
    consumer.close(t(30)).unwrap();

    // The admin client: its request fails in bounded time, and its
    // `error_cb` (served by `poll`) gets the code too.
    let errors = Errors::default();
    let mut ac = config();
    errors.install(&mut ac);
    let admin = AdminClient::new(&ac).unwrap();
    let e = admin.list_topics(None, Duration::from_secs(5)).unwrap_err();
    assert!(
        [ErrorCode::TRANSPORT, ErrorCode::TIMED_OUT].contains(&e.code()),
        "port {port}: list_topics: {e}"
    );
    let end = Instant::now() + limit;
    while !errors.has(expected) && Instant::now() < end {
        admin.poll(Duration::from_millis(100)).unwrap();
    }
    assert!(
        errors.has(expected),
        "port {port}: the admin client saw no {} error within {limit:?}; it saw:\n{}",
        expected.name(),
        errors.dump()
    );
    admin.close(t(30)).unwrap();
    Refusal {
        producer: producer_codes,
        message,
    }
}

// ---------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------

type CaseFn = fn(&TlsCluster);

const CASES: &[(&str, CaseFn)] = &[
    ("oneway_ca_location", oneway_ca_location),
    ("oneway_ca_pem", oneway_ca_pem),
    ("mtls_files", mtls_files),
    ("mtls_pem_strings", mtls_pem_strings),
    ("mtls_encrypted_key", mtls_encrypted_key),
    (
        "wrong_hostname_accepted_without_identification",
        wrong_hostname_accepted_without_identification,
    ),
    ("refused_wrong_ca", refused_wrong_ca),
    ("refused_wrong_hostname", refused_wrong_hostname),
    ("refused_expired_certificate", refused_expired_certificate),
    (
        "refused_client_certificate_from_another_ca",
        refused_client_certificate_from_another_ca,
    ),
    ("refused_no_client_certificate", refused_no_client_certificate),
    ("refused_expired_client_certificate", refused_expired_client_certificate),
    ("verify_cb_accepts_a_wrong_ca", verify_cb_accepts_a_wrong_ca),
    ("verify_cb_accepts_a_wrong_hostname", verify_cb_accepts_a_wrong_hostname),
    ("verify_cb_rejects_with_a_reason", verify_cb_rejects_with_a_reason),
    ("verify_cb_sees_the_chain", verify_cb_sees_the_chain),
    ("verify_cb_panics", verify_cb_panics),
    (
        "verify_cb_rejection_ignored_without_verification",
        verify_cb_rejection_ignored_without_verification,
    ),
];

fn ca_file(c: &TlsCluster) -> Vec<(&'static str, String)> {
    vec![("ssl.ca.location", c.path("ca.pem"))]
}

fn oneway_ca_location(c: &TlsCluster) {
    round_trip(c.oneway, Some(c.oneway), || tls_config(c.oneway, &ca_file(c)));
}

fn oneway_ca_pem(c: &TlsCluster) {
    let pem = c.pki.read("ca.pem");
    round_trip(c.oneway, Some(c.oneway), || {
        tls_config(c.oneway, &[("ssl.ca.pem", pem.clone())])
    });
}

fn mtls_files(c: &TlsCluster) {
    round_trip(c.mtls, Some(c.mtls), || {
        tls_config(
            c.mtls,
            &[
                ("ssl.ca.location", c.path("ca.pem")),
                ("ssl.certificate.location", c.path("client.pem")),
                ("ssl.key.location", c.path("client.key")),
            ],
        )
    });
}

fn mtls_pem_strings(c: &TlsCluster) {
    let (ca, cert, key) = (c.pki.read("ca.pem"), c.pki.read("client.pem"), c.pki.read("client.key"));
    round_trip(c.mtls, Some(c.mtls), || {
        tls_config(
            c.mtls,
            &[
                ("ssl.ca.pem", ca.clone()),
                ("ssl.certificate.pem", cert.clone()),
                ("ssl.key.pem", key.clone()),
            ],
        )
    });
}

fn mtls_encrypted_key(c: &TlsCluster) {
    let key = c.pki.read("client-encrypted.key");
    assert!(key.contains("ENCRYPTED PRIVATE KEY"), "{key}");
    // From a file, and as a PEM string.
    round_trip(c.mtls, Some(c.mtls), || {
        tls_config(
            c.mtls,
            &[
                ("ssl.ca.location", c.path("ca.pem")),
                ("ssl.certificate.location", c.path("client.pem")),
                ("ssl.key.location", c.path("client-encrypted.key")),
                ("ssl.key.password", KEY_PASSWORD.to_string()),
            ],
        )
    });
    round_trip(c.mtls, Some(c.mtls), || {
        tls_config(
            c.mtls,
            &[
                ("ssl.ca.location", c.path("ca.pem")),
                ("ssl.certificate.location", c.path("client.pem")),
                ("ssl.key.pem", key.clone()),
                ("ssl.key.password", KEY_PASSWORD.to_string()),
            ],
        )
    });
}

/// The bootstrap connection meets `wronghost.pem`; the broker it leads to
/// advertises `oneway`, so the rest of the round trip goes there.
fn wrong_hostname_accepted_without_identification(c: &TlsCluster) {
    round_trip(c.wronghost, Some(c.oneway), || {
        let mut cfg = tls_config(c.wronghost, &ca_file(c));
        cfg.set("ssl.endpoint.identification.algorithm", "none");
        cfg
    });
}

fn report(name: &str, r: &Refusal) {
    println!("{name}: producer error codes {:?}; {}", r.producer, r.message);
}

fn refused_wrong_ca(c: &TlsCluster) {
    let r = refused(c.oneway, ErrorCode::SSL, || {
        tls_config(c.oneway, &[("ssl.ca.location", c.path("other-ca.pem"))])
    });
    report("wrong CA", &r);
    assert!(r.message.contains("certificate verify failed"), "{}", r.message);
}

fn refused_wrong_hostname(c: &TlsCluster) {
    let r = refused(c.wronghost, ErrorCode::SSL, || tls_config(c.wronghost, &ca_file(c)));
    report("wrong hostname", &r);
    assert!(r.message.contains("certificate verify failed"), "{}", r.message);
}

fn refused_expired_certificate(c: &TlsCluster) {
    let r = refused(c.expired, ErrorCode::SSL, || tls_config(c.expired, &ca_file(c)));
    report("expired", &r);
    assert!(r.message.contains("certificate verify failed"), "{}", r.message);
}

/// librdkafka 2.12 does not send a client certificate whose issuer the
/// server does not name (`rd_kafka_ssl_cert_callback`): the server sees no
/// certificate, as in the next case.
fn refused_client_certificate_from_another_ca(c: &TlsCluster) {
    let r = refused(c.mtls, ErrorCode::TRANSPORT, || {
        tls_config(
            c.mtls,
            &[
                ("ssl.ca.location", c.path("ca.pem")),
                ("ssl.certificate.location", c.path("other-client.pem")),
                ("ssl.key.location", c.path("other-client.key")),
            ],
        )
    });
    report("client certificate from another CA", &r);
    assert!(r.message.contains("certificate required"), "{}", r.message);
}

/// The server refuses it after the client's side of the TLS 1.3
/// handshake has completed: the client learns it from the alert, on its
/// first read (`_TRANSPORT`).
fn refused_expired_client_certificate(c: &TlsCluster) {
    let r = refused(c.mtls, ErrorCode::TRANSPORT, || {
        tls_config(
            c.mtls,
            &[
                ("ssl.ca.location", c.path("ca.pem")),
                ("ssl.certificate.location", c.path("client-expired.pem")),
                ("ssl.key.location", c.path("client.key")),
            ],
        )
    });
    report("expired client certificate", &r);
    assert!(r.message.contains("certificate expired"), "{}", r.message);
}

fn refused_no_client_certificate(c: &TlsCluster) {
    let r = refused(c.mtls, ErrorCode::TRANSPORT, || tls_config(c.mtls, &ca_file(c)));
    report("no client certificate", &r);
    assert!(r.message.contains("certificate required"), "{}", r.message);
}

/// What the callback was handed, per call.
#[derive(Clone, Debug)]
struct Seen {
    broker_name: String,
    broker_id: i32,
    depth: i32,
    der: Vec<u8>,
    x509_error: i32,
}

fn recording(
    seen: &Arc<Mutex<Vec<Seen>>>,
    verdict: fn(&Seen) -> SslCertVerdict,
) -> impl Fn(&ferrokafka::SslCertificate<'_>) -> SslCertVerdict + Send + Sync + 'static {
    let seen = seen.clone();
    move |cert| {
        let s = Seen {
            broker_name: cert.broker_name.to_string(),
            broker_id: cert.broker_id,
            depth: cert.depth,
            der: cert.der.to_vec(),
            x509_error: cert.x509_error,
        };
        let v = verdict(&s);
        seen.lock().unwrap().push(s);
        v
    }
}

fn verify_cb_accepts_a_wrong_ca(c: &TlsCluster) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    round_trip(c.oneway, Some(c.oneway), || {
        tls_config(c.oneway, &[("ssl.ca.location", c.path("other-ca.pem"))])
            .with_ssl_cert_verify_cb(recording(&seen, |_| SslCertVerdict::Accept))
    });
    let seen = seen.lock().unwrap();
    // OpenSSL could not chain the certificate: the callback overrode it.
    assert!(seen.iter().any(|s| s.x509_error != 0), "{seen:?}");
}

fn verify_cb_accepts_a_wrong_hostname(c: &TlsCluster) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    round_trip(c.wronghost, Some(c.oneway), || {
        tls_config(c.wronghost, &ca_file(c)).with_ssl_cert_verify_cb(recording(&seen, |_| SslCertVerdict::Accept))
    });
    let seen = seen.lock().unwrap();
    let errs: Vec<(i32, i32)> = seen.iter().map(|s| (s.depth, s.x509_error)).collect();
    // X509_V_ERR_HOSTNAME_MISMATCH (62), on the leaf.
    assert!(errs.contains(&(0, 62)), "{errs:?}");
}

fn verify_cb_rejects_with_a_reason(c: &TlsCluster) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let r = refused(c.oneway, ErrorCode::SSL, || {
        tls_config(c.oneway, &ca_file(c)).with_ssl_cert_verify_cb(recording(&seen, |s| {
            SslCertVerdict::reject(format!("test rejects depth {} — ünïcode", s.depth))
        }))
    });
    report("verify_cb rejects", &r);
    assert!(
        r.message.contains("test rejects depth"),
        "the reason in the error: {}",
        r.message
    );
    // OpenSSL itself accepted them: the rejection was the callback's.
    assert!(seen.lock().unwrap().iter().all(|s| s.x509_error == 0));
}

fn verify_cb_sees_the_chain(c: &TlsCluster) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    round_trip(c.oneway, Some(c.oneway), || {
        tls_config(c.oneway, &ca_file(c)).with_ssl_cert_verify_cb(recording(&seen, |s| {
            if s.x509_error == 0 {
                SslCertVerdict::Accept
            } else {
                SslCertVerdict::reject("OpenSSL refused")
            }
        }))
    });
    let (server, ca) = (c.pki.read_bytes("server.der"), c.pki.read_bytes("ca.der"));
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    for s in seen.iter() {
        assert_eq!(s.x509_error, 0, "{s:?}");
        assert_eq!(s.broker_name, format!("localhost:{}", c.oneway), "{s:?}");
        match s.depth {
            0 => assert!(s.der == server, "depth 0 is the server's certificate"),
            1 => assert!(s.der == ca, "depth 1 is the CA's certificate"),
            d => panic!("depth {d}: the chain is two long"),
        }
    }
    // Per connection, root first: 1, 0, 1, 0...
    let depths: Vec<i32> = seen.iter().map(|s| s.depth).collect();
    assert!(depths.chunks(2).all(|p| p == [1, 0]), "{depths:?}");
    // The bootstrap connection (id -1) and the broker it leads to.
    let ids: std::collections::BTreeSet<i32> = seen.iter().map(|s| s.broker_id).collect();
    println!("verify_cb_sees_the_chain: {} calls, broker ids {ids:?}", seen.len());
    assert!(ids.contains(&-1), "{ids:?}");
    assert!(ids.iter().any(|&id| id >= 0), "{ids:?}");
}

fn verify_cb_panics(c: &TlsCluster) {
    let errors = Errors::default();
    let mut cfg = tls_config(c.oneway, &ca_file(c));
    cfg.set("message.timeout.ms", 3000);
    errors.install(&mut cfg);
    cfg.set_ssl_cert_verify_cb(|_| panic!("verify_cb panic"));
    let producer = Producer::new(&cfg).unwrap();
    let reports: Reports = Arc::default();
    produce_n(&producer, "tls-panic", &reports);
    let end = Instant::now() + t(60);
    let mut panicked = None;
    while panicked.is_none() && Instant::now() < end {
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| producer.poll(Duration::from_millis(100)))) {
            panicked = Some(ferrokafka_panic_message(&*p));
        }
    }
    assert_eq!(
        panicked.as_deref(),
        Some("verify_cb panic"),
        "the panic comes out of poll"
    );
    // Still usable: the connection keeps failing (each attempt panics and
    // is rejected); every message gets its one report.
    let end = Instant::now() + t(60);
    while reports.lock().unwrap().len() < N && Instant::now() < end {
        let _ = catch_unwind(AssertUnwindSafe(|| producer.poll(Duration::from_millis(100))));
    }
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), N, "{reports:?}");
    assert!(reports.values().all(|r| r.0 == 1), "{reports:?}");
    assert!(errors.has(ErrorCode::SSL), "{}", errors.dump());
    drop(producer);
}

fn ferrokafka_panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// `enable.ssl.certificate.verification=false`: librdkafka still calls the
/// callback, but OpenSSL (`SSL_VERIFY_NONE`) ignores its rejection.
fn verify_cb_rejection_ignored_without_verification(c: &TlsCluster) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    round_trip(c.oneway, Some(c.oneway), || {
        let mut cfg = tls_config(c.oneway, &[("ssl.ca.location", c.path("other-ca.pem"))])
            .with_ssl_cert_verify_cb(recording(&seen, |_| SslCertVerdict::reject("rejected")));
        cfg.set("enable.ssl.certificate.verification", false);
        cfg
    });
    println!("without verification: {} callback calls", seen.lock().unwrap().len());
}

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

/// Every case against one cluster, a few at a time; all failures are
/// reported together, by case.
#[test]
fn tls_cases() {
    let Some(cluster) = TlsCluster::start() else { return };
    let filter: Vec<String> = std::env::var("FERROKAFKA_TLS_CASES")
        .map(|s| {
            s.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let cases: Vec<&(&str, CaseFn)> = CASES
        .iter()
        .filter(|(n, _)| filter.is_empty() || filter.iter().any(|f| n.contains(f.as_str())))
        .collect();
    let next = Mutex::new(cases.into_iter());
    let failures: Mutex<Vec<String>> = Mutex::default();
    let started = Instant::now();
    let workers: usize = std::env::var("FERROKAFKA_TLS_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some((name, case)) = next.lock().unwrap().next() else {
                    return;
                };
                let t0 = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| case(&cluster)));
                println!(
                    "case {name}: {} in {:.1?}",
                    if outcome.is_ok() { "ok" } else { "FAILED" },
                    t0.elapsed()
                );
                if let Err(p) = outcome {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{name}: {}", ferrokafka_panic_message(&*p)));
                }
            });
        }
    });
    println!("TLS cases took {:.1?}", started.elapsed());
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}\n--- logs\n{}",
        failures.len(),
        failures.join("\n"),
        cluster.logs()
    );
}

/// A bad TLS configuration fails the constructor with a typed error naming
/// the property, for every client kind; a bad key is never quoted.
#[test]
fn bad_tls_configuration_fails_the_constructor() {
    let missing = "/nonexistent/ferrokafka/ca.pem";
    let garbage_key = "-----BEGIN PRIVATE KEY-----\nKEY-SENTINEL-not-base64\n-----END PRIVATE KEY-----\n";
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("ssl.ca.location", vec![("ssl.ca.location", missing)]),
        ("ssl.ca.pem", vec![("ssl.ca.pem", "not a certificate")]),
        ("ssl.certificate.location", vec![("ssl.certificate.location", missing)]),
        ("ssl.key", vec![("ssl.key.pem", garbage_key)]),
    ];
    for (names, props) in cases {
        let mut cfg = Config::from([
            ("bootstrap.servers", "localhost:1"),
            ("security.protocol", "SSL"),
            ("group.id", "g"),
        ]);
        for (k, v) in &props {
            cfg.set(*k, *v);
        }
        let errors = [
            Producer::new(&cfg).err(),
            Consumer::new(&cfg).err(),
            AdminClient::new(&cfg).err(),
        ];
        for e in errors {
            let e = e.unwrap_or_else(|| panic!("{props:?}: the constructor succeeded"));
            println!("{props:?}: {} {}", e.code().name(), e.message());
            assert_eq!(e.code(), ErrorCode::INVALID_ARG, "{e}");
            assert!(e.message().contains(names), "names the property: {e}");
            assert!(!e.message().contains("KEY-SENTINEL"), "quotes the key: {e}");
        }
    }
}

/// The same round trip against the user's own cluster (Confluent Platform,
/// Apache Kafka with TLS or SASL listeners): `FERROKAFKA_TLS_BOOTSTRAP_SERVERS`
/// and `FERROKAFKA_TLS_PROPERTIES`, a file of librdkafka properties
/// (a Java-style `.properties` file, as kcat's `-F`) such as `security.protocol`,
/// `ssl.ca.location`, `sasl.mechanism`, `sasl.username`... Skipped when
/// they are not set (also under `FERROKAFKA_REQUIRE_BROKER=1`: opt-in).
#[test]
fn round_trip_on_the_users_cluster() {
    let Ok(bootstrap) = std::env::var("FERROKAFKA_TLS_BOOTSTRAP_SERVERS") else {
        eprintln!("skipping: FERROKAFKA_TLS_BOOTSTRAP_SERVERS is not set (see README's section Moving from librdkafka or kcat)");
        return;
    };
    // The user's settings, as kcat's -F reads them (Config's own loader).
    let base = match std::env::var("FERROKAFKA_TLS_PROPERTIES") {
        Ok(path) => Config::from_properties_file(&path).unwrap_or_else(|e| panic!("FERROKAFKA_TLS_PROPERTIES: {e}")),
        Err(_) => Config::new(),
    };
    round_trip(0, None, || {
        let mut c = base.clone();
        c.set("bootstrap.servers", &bootstrap);
        c
    });
}
