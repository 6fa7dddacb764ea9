//! The Schema Registry client over TLS (issue 13's promise "TLS through the
//! OpenSSL librdkafka already links"): `MockSchemaRegistry` behind `stunnel`
//! with a CA and certificates made by `openssl` (tests/common/tls.rs, as
//! tests/tls.rs uses them for the brokers). One-way and mutual TLS work;
//! an unknown CA, a wrong host name, an expired certificate and a missing
//! client certificate are each a typed `Transport` error, in bounded time,
//! never quoting the key's password.

mod common;
#[path = "common/tls.rs"]
mod tls;

use ferrokafka::schema_registry::{MockSchemaRegistry, Schema, SchemaRegistryClient, SchemaRegistryError};
use ferrokafka::Config;
use std::time::{Duration, Instant};
use tls::{free_ports, require, stunnel, wait_listening, which, Pki, Proc, TempDir, KEY_PASSWORD};

/// The registry behind four TLS endpoints: a good certificate, the same
/// with client certificates required, one for another host name, one
/// expired.
struct TlsRegistry {
    registry: MockSchemaRegistry,
    good: u16,
    mtls: u16,
    wronghost: u16,
    expired: u16,
    pki: Pki,
    _stunnel: Proc,
    _dir: TempDir,
}

impl TlsRegistry {
    fn start() -> Option<TlsRegistry> {
        let tools = require(&[("openssl", which("openssl")), ("stunnel4", stunnel())])?;
        let (openssl, stunnel) = (&tools[0], &tools[1]);
        let dir = TempDir::new("ferrokafka-sr-tls");
        let pki = Pki::generate(openssl, dir.path());
        let registry = MockSchemaRegistry::new().unwrap();
        let plain = registry.url().rsplit(':').next().unwrap().parse::<u16>().unwrap();
        let mut errors = Vec::new();
        for attempt in 0..3 {
            let ports = free_ports(4);
            let p = |f: &str| pki.path(f);
            let conf = format!(
                "foreground = yes\npid =\ndebug = 5\n\
                 [good]\naccept = 127.0.0.1:{}\nconnect = 127.0.0.1:{plain}\ncert = {}\nkey = {}\n\
                 [mtls]\naccept = 127.0.0.1:{}\nconnect = 127.0.0.1:{plain}\ncert = {}\nkey = {}\n\
                 CAfile = {}\nverifyChain = yes\nrequireCert = yes\n\
                 [wronghost]\naccept = 127.0.0.1:{}\nconnect = 127.0.0.1:{plain}\ncert = {}\nkey = {}\n\
                 [expired]\naccept = 127.0.0.1:{}\nconnect = 127.0.0.1:{plain}\ncert = {}\nkey = {}\n",
                ports[0],
                p("server.pem"),
                p("server.key"),
                ports[1],
                p("server.pem"),
                p("server.key"),
                p("ca.pem"),
                ports[2],
                p("wronghost.pem"),
                p("wronghost.key"),
                ports[3],
                p("expired.pem"),
                p("server.key"),
            );
            let conf_path = dir.path().join(format!("stunnel-{attempt}.conf"));
            std::fs::write(&conf_path, conf).unwrap();
            let mut cmd = std::process::Command::new(stunnel);
            cmd.arg(&conf_path);
            let mut proc = Proc::spawn("stunnel", cmd, dir.path().join(format!("stunnel-{attempt}.log")));
            let ready = ports
                .iter()
                .try_for_each(|port| wait_listening(*port, &mut [&mut proc], Duration::from_secs(30)));
            match ready {
                Ok(()) => {
                    return Some(TlsRegistry {
                        registry,
                        good: ports[0],
                        mtls: ports[1],
                        wronghost: ports[2],
                        expired: ports[3],
                        pki,
                        _stunnel: proc,
                        _dir: dir,
                    })
                }
                Err(e) => errors.push(format!("{e}\n{}", proc.log_tail())),
            }
        }
        panic!("could not start stunnel:\n{}", errors.join("\n---\n"));
    }

    /// A client of `https://localhost:{port}` with `extra` settings.
    fn client(&self, port: u16, extra: &[(&str, String)]) -> SchemaRegistryClient {
        let mut config = Config::new();
        config
            .set("url", format!("https://localhost:{port}"))
            .set("timeout", 10);
        config.set("max.retries", 0);
        for (k, v) in extra {
            config.set(*k, v);
        }
        SchemaRegistryClient::new(&config).unwrap()
    }
}

const AVRO: &str = r#"{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}"#;

/// A call that must work: register, then read back by id.
fn works(client: &SchemaRegistryClient, subject: &str) {
    let id = client
        .register_schema(subject, &Schema::new(AVRO, "AVRO"), false)
        .unwrap_or_else(|e| panic!("{subject}: {e:?}"));
    client.clear_caches();
    let schema = client.schema(id, None, None).unwrap();
    assert!(schema.schema_str.contains("Order"), "{schema:?}");
}

/// A call that must fail as a TLS failure does: `Transport`, within the
/// bound, without the key's password in the message.
fn refused(client: &SchemaRegistryClient, what: &str) -> String {
    let start = Instant::now();
    let err = client.subjects().expect_err(what);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{what}: took {:?} (a hang?)",
        start.elapsed()
    );
    let msg = err.to_string();
    assert!(matches!(err, SchemaRegistryError::Transport(_)), "{what}: {err:?}");
    assert!(!msg.contains(KEY_PASSWORD), "{what}: {msg}");
    let k: ferrokafka::KafkaError = err.into();
    assert!(k.is_retriable(), "{what}");
    msg
}

#[test]
fn the_registry_client_over_tls() {
    let Some(t) = TlsRegistry::start() else { return };
    let ca = ("ssl.ca.location", t.pki.path("ca.pem"));
    let cert = ("ssl.certificate.location", t.pki.path("client.pem"));
    let key = ("ssl.key.location", t.pki.path("client.key"));

    // One-way TLS with the CA from a file.
    works(&t.client(t.good, std::slice::from_ref(&ca)), "one-way");
    // Mutual TLS: the client's certificate and key, plain or encrypted.
    works(&t.client(t.mtls, &[ca.clone(), cert.clone(), key.clone()]), "mtls");
    works(
        &t.client(
            t.mtls,
            &[
                ca.clone(),
                cert.clone(),
                ("ssl.key.location", t.pki.path("client-encrypted.key")),
                ("ssl.key.password", KEY_PASSWORD.to_string()),
            ],
        ),
        "mtls-encrypted-key",
    );
    assert!(t.registry.request_count() >= 6);

    // Refusals: each a typed transport error.
    refused(&t.client(t.good, &[]), "no CA: the system's roots do not know ours");
    refused(
        &t.client(t.good, &[("ssl.ca.location", t.pki.path("other-ca.pem"))]),
        "another CA",
    );
    refused(
        &t.client(t.wronghost, std::slice::from_ref(&ca)),
        "a certificate for another host",
    );
    refused(
        &t.client(t.expired, std::slice::from_ref(&ca)),
        "an expired certificate",
    );
    refused(
        &t.client(t.mtls, std::slice::from_ref(&ca)),
        "no client certificate where one is required",
    );

    // A wrong key password is a configuration error when the client is
    // made, naming the property, never the password.
    let mut config = Config::new();
    config
        .set("url", format!("https://localhost:{}", t.mtls))
        .set("ssl.ca.location", t.pki.path("ca.pem"))
        .set("ssl.certificate.location", t.pki.path("client.pem"))
        .set("ssl.key.location", t.pki.path("client-encrypted.key"))
        .set("ssl.key.password", "not-the-password-sentinel");
    match SchemaRegistryClient::new(&config) {
        Ok(client) => {
            // (Or refused when used, if the key is read lazily.)
            let msg = refused(&client, "a wrong key password");
            assert!(!msg.contains("not-the-password-sentinel"), "{msg}");
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains("not-the-password-sentinel"), "{msg}");
            assert!(msg.contains("ssl.key"), "{msg}");
        }
    }
}
