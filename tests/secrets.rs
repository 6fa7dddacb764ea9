//! Secrets never leak (issue 7, item 4): with every sensitive property set
//! to a sentinel, `Debug` output, errors, panic messages and librdkafka's
//! logs (`debug=all`, through `Config::set_logger` and through the `log`
//! crate) never contain it. Message payloads are data too: a failed
//! delivery's error never quotes the payload.

mod common;

use common::*;
use ferrokafka::{ErrorCode, Producer, Record};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T10: Duration = Duration::from_secs(10);

/// A failed delivery report's error message is librdkafka's description of
/// the error code, never the message's payload.
///
/// librdkafka's `rd_kafka_message_errstr` returns the payload of an errored
/// message as its error string (that is how consumer errors carry their
/// text) and documents "MUST NOT be used with the producer": on a delivery
/// report it handed back the user's payload, which is not NUL-terminated, so
/// reading it as a C string also read past the end of librdkafka's buffer
/// (valgrind: "Invalid read of size 1 ... 0 bytes after a block").
#[test]
fn a_failed_delivery_never_quotes_the_payload() {
    let topic = unique_topic("payload-secret");
    let cluster = mock_with_topic(&topic, 1);
    for b in 1..=3 {
        cluster.broker_down(b).unwrap();
    }
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    let seen: Arc<Mutex<Vec<(ErrorCode, String, String)>>> = Arc::default();
    // Payload lengths around allocator granularity, so an over-read into
    // the next bytes shows up as extra text (and under valgrind as an error).
    for len in [1usize, 7, 8, 15, 16, 31, 100] {
        let payload: String = "PAYLOAD-SENTINEL-".chars().cycle().take(len).collect();
        let s = seen.clone();
        producer
            .produce(
                Record::new(&topic)
                    .with_value(payload.as_bytes())
                    .with_on_delivery(move |r| {
                        let e = r.error().expect("purged, so an error");
                        s.lock()
                            .unwrap()
                            .push((e.code(), e.message().to_string(), format!("{e} / {e:?}")));
                    }),
            )
            .unwrap();
    }
    producer.purge(ferrokafka::Purge::ALL).unwrap();
    producer.flush(T10).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 7);
    for (code, message, shown) in seen.iter() {
        assert_eq!(*code, ErrorCode::PURGE_QUEUE);
        assert_eq!(message.as_str(), ErrorCode::PURGE_QUEUE.description(), "{shown}");
        for needle in ["PAYLOAD", "SENTINEL"] {
            assert!(!message.contains(needle), "payload quoted in {message:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Sensitive properties set to sentinels
// ---------------------------------------------------------------------------

use ferrokafka::{is_sensitive, sensitive_properties, AdminClient, Config, Consumer, KafkaError, MockCluster};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every sentinel starts with this: finding it anywhere (even a truncated
/// or partly quoted sentinel) is a leak.
const MARK: &str = "S3nt1nel";

fn sentinel(i: usize) -> String {
    format!("{MARK}{i:02}x9Q")
}

/// Every sensitive property set to its own sentinel.
fn secret_pairs() -> Vec<(&'static str, String)> {
    sensitive_properties()
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, sentinel(i)))
        .collect()
}

fn assert_clean(text: &str, context: &str) {
    assert!(
        !text.contains(MARK),
        "a secret leaked into {context}: {}",
        text.lines().find(|l| l.contains(MARK)).unwrap_or(text)
    );
}

fn assert_error_clean(e: &KafkaError, context: &str) {
    assert_clean(&format!("{e} / {e:?} / {}", e.message()), context);
}

/// What a client's callbacks saw.
#[derive(Clone, Default)]
struct Captured {
    logs: Arc<Mutex<Vec<String>>>,
    errors: Arc<Mutex<Vec<String>>>,
    error_count: Arc<AtomicUsize>,
}

impl Captured {
    fn install(&self, config: &mut Config) {
        let logs = self.logs.clone();
        config.set_logger(move |rec| {
            logs.lock()
                .unwrap()
                .push(format!("{} {} {} {rec:?}", rec.facility, rec.client_name, rec.message))
        });
        self.install_error_cb(config);
    }

    fn install_error_cb(&self, config: &mut Config) {
        let (errors, n) = (self.errors.clone(), self.error_count.clone());
        config.set_error_cb(move |e| {
            errors.lock().unwrap().push(format!("{e} / {e:?}"));
            n.fetch_add(1, Ordering::SeqCst);
        });
    }

    fn assert_clean(&self, context: &str) {
        let logs = self.logs.lock().unwrap();
        for l in logs.iter() {
            assert_clean(l, &format!("a log line ({context})"));
        }
        for e in self.errors.lock().unwrap().iter() {
            assert_clean(e, &format!("an error_cb error ({context})"));
        }
    }

    fn log_lines(&self) -> usize {
        self.logs.lock().unwrap().len()
    }
}

/// The security settings under which the secrets are exercised. Each
/// points at the mock cluster (plain TCP, no SASL): SASL and TLS fail at
/// the broker, after librdkafka has used (and logged about) the secrets.
const CONTEXTS: &[(&str, &[(&str, &str)])] = &[
    ("PLAINTEXT", &[]),
    (
        "SASL PLAIN",
        &[("security.protocol", "SASL_PLAINTEXT"), ("sasl.mechanisms", "PLAIN")],
    ),
    (
        "SASL SCRAM",
        &[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanisms", "SCRAM-SHA-512"),
        ],
    ),
    (
        "SASL OAUTHBEARER (unsecured JWT)",
        &[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanisms", "OAUTHBEARER"),
            ("enable.sasl.oauthbearer.unsecure.jwt", "true"),
        ],
    ),
    (
        "SASL OAUTHBEARER (OIDC, token endpoint on a closed loopback port)",
        &[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanisms", "OAUTHBEARER"),
            ("sasl.oauthbearer.method", "oidc"),
            ("sasl.oauthbearer.client.id", "client"),
            ("sasl.oauthbearer.token.endpoint.url", "http://127.0.0.1:1/token"),
        ],
    ),
    ("SSL", &[("security.protocol", "SSL")]),
];

fn config_with(cluster: &MockCluster, context: &[(&str, &str)], secrets: &[(&'static str, String)]) -> Config {
    let mut c = config_for(cluster);
    c.set("debug", "all").set("reconnect.backoff.ms", 50);
    for (k, v) in context {
        c.set(*k, *v);
    }
    for (k, v) in secrets {
        c.set(*k, v.as_str());
    }
    c
}

fn t30() -> Duration {
    scaled(Duration::from_secs(30))
}

/// Creates a producer (and a consumer and an admin client) with `secrets`
/// under `context`; a creation error must be clean; a created client is
/// served until it has connected and delivered (PLAINTEXT) or reported its
/// first error (SASL and TLS against a plain broker), and everything it
/// logged and reported must be clean.
/// Log lines checked, and those in which the crate's redactor replaced a
/// secret (librdkafka's own `debug=conf` dump shows `[redacted]` itself).
static LOG_LINES: AtomicUsize = AtomicUsize::new(0);
static REDACTED_LINES: AtomicUsize = AtomicUsize::new(0);

fn exercise(
    cluster: &MockCluster,
    name: &str,
    context: &[(&str, &str)],
    secrets: &[(&'static str, String)],
    logger: bool,
) -> usize {
    let what = format!("{name}, {} secret(s) from {}", secrets.len(), secrets[0].0);
    let captured = Captured::default();
    let mut config = config_with(cluster, context, secrets);
    if logger {
        captured.install(&mut config);
    } else {
        captured.install_error_cb(&mut config);
    }
    assert_clean(&format!("{config:?} {config:#?}"), &format!("Config's Debug ({what})"));
    let mut created = 0;
    match Producer::new(&config) {
        Err(e) => assert_error_clean(&e, &format!("Producer::new's error ({what})")),
        Ok(p) => {
            created += 1;
            assert_clean(&format!("{p:?}"), "Producer's Debug");
            let delivered = Arc::new(AtomicUsize::new(0));
            let d = delivered.clone();
            p.produce(Record::new("t").with_value("v").with_on_delivery(move |r| {
                if let Some(e) = r.error() {
                    assert_error_clean(&e, "a delivery error");
                }
                d.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
            let done = wait_for(
                t30(),
                || {
                    if let Err(e) = p.poll(Duration::from_millis(100)) {
                        assert_error_clean(&e, "poll's error");
                    }
                },
                || delivered.load(Ordering::SeqCst) > 0 || captured.error_count.load(Ordering::SeqCst) > 0,
            );
            assert!(done, "{what}: neither delivered nor failed within the bound");
            if let Err(e) = p.close(Duration::ZERO) {
                assert_error_clean(&e, "close's error");
            }
        }
    }
    let mut consumer_config = config.clone();
    consumer_config.set("group.id", "secrets");
    match Consumer::new(&consumer_config) {
        Err(e) => assert_error_clean(&e, &format!("Consumer::new's error ({what})")),
        Ok(c) => {
            created += 1;
            c.subscribe(&["t"]).unwrap();
            for _ in 0..5 {
                match c.poll(Duration::from_millis(50)) {
                    Err(e) => assert_error_clean(&e, "consumer poll's error"),
                    Ok(m) => drop(m),
                }
            }
            if let Err(e) = c.close(Duration::from_secs(1)) {
                assert_error_clean(&e, "consumer close's error");
            }
        }
    }
    match AdminClient::new(&config) {
        Err(e) => assert_error_clean(&e, &format!("AdminClient::new's error ({what})")),
        Ok(a) => {
            created += 1;
            for _ in 0..5 {
                if let Err(e) = a.poll(Duration::from_millis(50)) {
                    assert_error_clean(&e, "admin poll's error");
                }
            }
            drop(a);
        }
    }
    captured.assert_clean(&what);
    REDACTED_LINES.fetch_add(
        captured
            .logs
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("[REDACTED]"))
            .count(),
        Ordering::Relaxed,
    );
    LOG_LINES.fetch_add(captured.log_lines(), Ordering::Relaxed);
    assert!(
        !logger || captured.log_lines() > 0 || created == 0,
        "{what}: debug=all logged nothing"
    );
    created
}

#[test]
fn the_sensitive_list_covers_librdkafkas_and_its_aliases() {
    let list = sensitive_properties();
    for k in [
        "sasl.username",
        "sasl.password",
        "sasl.oauthbearer.config",
        "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.client.credentials.client.secret",
        "ssl.key.location",
        "ssl.key.password",
        "ssl.key.pem",
        "ssl.keystore.password",
        "ssl.ca.pem",
    ] {
        assert!(list.contains(&k), "{k} missing from {list:?}");
    }
    assert!(list.iter().all(|k| is_sensitive(k)));
    println!("{} sensitive properties: {list:?}", list.len());
}

#[test]
fn config_debug_never_shows_a_secret() {
    let mut c = Config::new();
    for (k, v) in secret_pairs() {
        c.set(k, v);
    }
    // Redaction is case-insensitive, and covers keys that merely mention a
    // password or secret.
    c.set("SASL.PASSWORD", sentinel(99));
    c.set("my.own.password", sentinel(98));
    assert_clean(&format!("{c:?}"), "Config's Debug");
    assert_clean(&format!("{c:#?}"), "Config's pretty Debug");
    assert_eq!(
        c.get("sasl.password").map(|v| v.starts_with(MARK)),
        Some(true),
        "the value is kept"
    );
}

/// Each sensitive property alone, then all of them at once, under each
/// security setting.
#[test]
fn sensitive_properties_never_reach_errors_or_logs() {
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic("t", 1, 1).unwrap();
    let secrets = secret_pairs();
    let mut runs = 0;
    let mut created = 0;
    for (name, context) in CONTEXTS {
        for one in &secrets {
            created += exercise(&cluster, name, context, std::slice::from_ref(one), true);
            runs += 1;
        }
        created += exercise(&cluster, name, context, &secrets, true);
        runs += 1;
    }
    println!(
        "{runs} configurations ({} sensitive properties x {} security settings, and all at once): {created} clients created and served; {} log lines checked ({} redacted by the crate), 0 leaks",
        secrets.len(),
        CONTEXTS.len(),
        LOG_LINES.load(Ordering::Relaxed),
        REDACTED_LINES.load(Ordering::Relaxed)
    );
}

/// Credentials given at run time are secrets too.
#[test]
fn sasl_credentials_set_at_run_time_are_not_logged() {
    let cluster = MockCluster::new(1).unwrap();
    let captured = Captured::default();
    let mut config = config_with(
        &cluster,
        &[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanisms", "SCRAM-SHA-256"),
            ("sasl.username", "placeholder"),
            ("sasl.password", "placeholder"),
        ],
        &[],
    );
    captured.install(&mut config);
    let p = Producer::new(&config).unwrap();
    p.set_sasl_credentials(&sentinel(90), &sentinel(91)).unwrap();
    assert!(wait_for(
        t30(),
        || {
            let _ = p.poll(Duration::from_millis(100));
        },
        || captured.error_count.load(Ordering::SeqCst) > 0
    ));
    let e = p.set_sasl_credentials(&format!("{}\0", sentinel(92)), "x").unwrap_err();
    assert_error_clean(&e, "set_sasl_credentials's error");
    captured.assert_clean("set_sasl_credentials");
}

/// Without a `logger`, librdkafka's lines go to the `log` crate: the same
/// redaction applies there.
#[test]
fn sensitive_properties_never_reach_the_log_crate() {
    struct Capture(Mutex<Vec<String>>);
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {}", record.target(), record.args()));
        }
        fn flush(&self) {}
    }
    static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
    log::set_logger(&CAPTURE).expect("the only logger of this test binary");
    log::set_max_level(log::LevelFilter::Trace);
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic("t", 1, 1).unwrap();
    let secrets = secret_pairs();
    let mut created = 0;
    for (name, context) in CONTEXTS {
        for one in &secrets {
            created += exercise(&cluster, name, context, std::slice::from_ref(one), false);
        }
    }
    assert!(created > 0);
    let lines = CAPTURE.0.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.starts_with("librdkafka")),
        "librdkafka logged through the log crate"
    );
    for l in lines.iter() {
        assert_clean(l, "a log crate record");
    }
    println!("{} log crate records, 0 leaks", lines.len());
}

/// Panic messages built from what the crate hands to callbacks (errors, log
/// lines) are clean, as are the panics that come out of serving calls.
#[test]
fn panic_messages_never_show_a_secret() {
    let cluster = MockCluster::new(1).unwrap();
    // The secrets a SASL/PLAIN client can be created with (PEMs, key files
    // and the OAuth settings are checked when the client is created).
    let secrets: Vec<_> = secret_pairs()
        .into_iter()
        .filter(|(k, _)| {
            [
                "sasl.username",
                "sasl.password",
                "ssl.key.password",
                "ssl.keystore.password",
            ]
            .contains(k)
        })
        .collect();
    assert_eq!(secrets.len(), 4);
    let mut config = config_with(
        &cluster,
        &[("security.protocol", "SASL_PLAINTEXT"), ("sasl.mechanisms", "PLAIN")],
        &secrets,
    );
    config.set_error_cb(|e| panic!("error_cb: {e} / {e:?}"));
    config.set_logger(|rec| {
        if rec.facility.contains("SASL") || rec.facility.contains("CONF") {
            panic!("logger: {rec:?}")
        }
    });
    let p = Producer::new(&config).unwrap();
    let mut panics = Vec::new();
    let end = std::time::Instant::now() + t30();
    while panics.len() < 5 && std::time::Instant::now() < end {
        if let Err(payload) =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.poll(Duration::from_millis(100))))
        {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panics.push(msg);
        }
    }
    assert!(!panics.is_empty(), "callbacks panicked");
    for m in &panics {
        assert_clean(m, "a panic message");
    }
    // `unwrap()` of a creation error: the panic message is its Debug.
    let caught = std::panic::catch_unwind(|| {
        Producer::new(&Config::from([
            ("ssl.key.password", sentinel(1)),
            ("linger.ms", "x".into()),
        ]))
        .unwrap()
    });
    let msg = caught
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .expect("unwrap of the error panics");
    assert_clean(&msg, "an unwrap panic message");
}
