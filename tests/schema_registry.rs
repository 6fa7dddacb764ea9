//! The Schema Registry client against ferrokafka's MockSchemaRegistry: every
//! method, the caches, failover, retries, timeouts, typed errors, secrets,
//! references, deletes, the mock's own lifecycle — and Python's
//! `SchemaRegistryClient` and serializers against the same mock
//! (tests/interop/schema_registry_tool.py), the proof it speaks the real API.

use ferrokafka::schema_registry::{
    CompatibilityLevel, MockSchemaRegistry, Mode, Schema, SchemaReference, SchemaRegistryClient, SchemaRegistryError,
    ServerConfig,
};
use ferrokafka::{config, Config, ErrorCode, KafkaError};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// A hang detector: generous, never a timing assertion.
const LIMIT: Duration = Duration::from_secs(60);

const USER: &str = r#"{"type": "record", "name": "User", "fields": [{"name": "name", "type": "string"}]}"#;
const USER_V2: &str = r#"{"type": "record", "name": "User", "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int", "default": 0}]}"#;

fn avro(s: &str) -> Schema {
    Schema::new(s, "AVRO")
}

/// A client with fast retries (the registry is local).
fn client_for(url: &str) -> SchemaRegistryClient {
    SchemaRegistryClient::new(&config! {"url" => url, "retries.wait.ms" => 1, "retries.max.wait.ms" => 5}).unwrap()
}

fn http(e: &SchemaRegistryError) -> (u16, i32) {
    match e {
        SchemaRegistryError::Http { status, error_code, .. } => (*status, *error_code),
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

/// Runs `f` on a thread and fails if it does not finish within LIMIT.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(LIMIT)
        .unwrap_or_else(|_| panic!("{what} did not finish (hang)"))
}

/// A port nothing listens on (bound, then released).
fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// A one-shot HTTP server answering `n` connections with `body` (and
/// `status`), returning what each request sent.
fn canned_server(n: usize, status: u16, body: &'static str) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let t = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..n {
            let (mut s, _) = l.accept().unwrap();
            s.set_read_timeout(Some(LIMIT)).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // The head, then the body its Content-Length announces.
            loop {
                let k = s.read(&mut chunk).unwrap();
                buf.extend_from_slice(&chunk[..k]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len || k == 0 {
                        break;
                    }
                }
                if k == 0 {
                    break;
                }
            }
            seen.push(String::from_utf8_lossy(&buf).to_string());
            let answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(answer.as_bytes()).unwrap();
        }
        seen
    });
    (url, t)
}

#[test]
fn every_client_method_against_the_mock() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url());

    // Register: ids are global, versions per subject.
    let id = c.register_schema("users-value", &avro(USER), false).unwrap();
    assert!(id >= 1);
    assert_eq!(c.register_schema("users-value", &avro(USER), false).unwrap(), id);
    // The same schema (whitespace aside) under another subject: the same id.
    let compact = USER.replace(' ', "");
    assert_eq!(c.register_schema("copy-value", &avro(&compact), false).unwrap(), id);
    let id2 = c.register_schema("users-value", &avro(USER_V2), false).unwrap();
    assert_ne!(id2, id);
    let full = c
        .register_schema_full_response("other-value", &Schema::new(r#"{"type": "object"}"#, "JSON"), false)
        .unwrap();
    assert_eq!(full.subject.as_deref(), Some("other-value"));

    assert_eq!(c.schema(id, None, None).unwrap().schema_str, USER);
    assert_eq!(c.schema(id, Some("users-value"), None).unwrap().schema_type, "AVRO");
    assert_eq!(c.schema(full.schema_id, None, None).unwrap().schema_type, "JSON");

    let mut subjects = c.subjects().unwrap();
    subjects.sort();
    assert_eq!(subjects, ["copy-value", "other-value", "users-value"]);
    assert_eq!(c.versions("users-value").unwrap(), [1, 2]);

    let latest = c.latest_version("users-value").unwrap();
    assert_eq!((latest.schema_id, latest.version), (id2, Some(2)));
    assert_eq!(latest.subject.as_deref(), Some("users-value"));
    assert_eq!(latest.schema.schema_str, USER_V2);
    let v1 = c.version("users-value", 1, false).unwrap();
    assert_eq!((v1.schema_id, v1.version), (id, Some(1)));

    let found = c.lookup_schema("users-value", &avro(USER), false, false).unwrap();
    assert_eq!((found.schema_id, found.version), (id, Some(1)));
    let mut where_ = c.schema_versions(id).unwrap();
    where_.sort();
    assert_eq!(
        where_
            .iter()
            .map(|sv| (sv.subject.as_str(), sv.version))
            .collect::<Vec<_>>(),
        [("copy-value", 1), ("users-value", 1)]
    );

    // Compatibility and configuration, global and per subject.
    assert_eq!(c.compatibility(None).unwrap(), CompatibilityLevel::BACKWARD);
    assert_eq!(
        c.set_compatibility(Some("users-value"), &CompatibilityLevel::FULL)
            .unwrap(),
        CompatibilityLevel::FULL
    );
    assert_eq!(c.compatibility(Some("users-value")).unwrap(), CompatibilityLevel::FULL);
    assert_eq!(http(&c.compatibility(Some("copy-value")).unwrap_err()), (404, 40408));
    c.set_compatibility(None, &CompatibilityLevel::new("none")).unwrap();
    assert_eq!(c.compatibility(None).unwrap(), CompatibilityLevel::NONE);
    let set = c
        .set_config(
            None,
            &ServerConfig::with_compatibility(CompatibilityLevel::FORWARD_TRANSITIVE),
        )
        .unwrap();
    assert_eq!(set.compatibility_level, Some(CompatibilityLevel::FORWARD_TRANSITIVE));
    assert_eq!(
        c.config(None).unwrap().compatibility_level,
        Some(CompatibilityLevel::FORWARD_TRANSITIVE)
    );
    assert_eq!(
        c.config(Some("users-value")).unwrap().compatibility_level,
        Some(CompatibilityLevel::FULL)
    );
    let removed = c.delete_config(Some("users-value")).unwrap();
    assert_eq!(removed.compatibility_level, Some(CompatibilityLevel::FULL));
    assert_eq!(http(&c.config(Some("users-value")).unwrap_err()), (404, 40408));
    assert!(c.test_compatibility("users-value", &avro(USER), None).unwrap());
    assert!(c.test_compatibility("users-value", &avro(USER), Some(1)).unwrap());

    // Modes.
    assert_eq!(c.mode(None).unwrap(), Mode::READWRITE);
    assert_eq!(http(&c.mode(Some("users-value")).unwrap_err()), (404, 40409));
    assert_eq!(
        c.set_mode(Some("users-value"), &Mode::READONLY, false).unwrap(),
        Mode::READONLY
    );
    assert_eq!(c.mode(Some("users-value")).unwrap(), Mode::READONLY);
    let err = c
        .register_schema("users-value", &avro(r#""string""#), false)
        .unwrap_err();
    assert_eq!(http(&err), (422, 42205));
    c.set_mode(Some("users-value"), &Mode::READWRITE, false).unwrap();
    assert_eq!(
        http(&c.set_mode(None, &Mode::new("sideways"), false).unwrap_err()),
        (422, 42204)
    );
    assert_eq!(http(&c.set_mode(None, &Mode::IMPORT, false).unwrap_err()), (422, 42205));

    // Deletes (see also soft_then_hard_deletes).
    assert_eq!(c.delete_version("users-value", 2, false).unwrap(), 2);
    assert_eq!(c.versions("users-value").unwrap(), [1]);
    assert_eq!(c.delete_subject("copy-value", false).unwrap(), [1]);
    assert_eq!(c.delete_subject("copy-value", true).unwrap(), [1]);
    assert!(!c.subjects().unwrap().contains(&"copy-value".to_string()));
}

#[test]
fn a_cached_answer_makes_no_request() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url());
    let id = c.register_schema("s", &avro(USER), false).unwrap();
    // Registering again: answered from the cache.
    mock.clear_requests();
    c.register_schema("s", &avro(USER), false).unwrap();
    assert_eq!(mock.request_count(), 0);

    // By id, with no subject: one request, then none.
    let fresh = client_for(&mock.url());
    fresh.schema(id, None, None).unwrap();
    assert_eq!(mock.request_count(), 1);
    fresh.schema(id, None, None).unwrap();
    fresh.lookup_schema("s", &avro(USER), false, false).unwrap();
    fresh.lookup_schema("s", &avro(USER), false, false).unwrap();
    fresh.version("s", 1, false).unwrap();
    fresh.version("s", 1, false).unwrap();
    fresh.latest_version("s").unwrap();
    fresh.latest_version("s").unwrap();
    assert_eq!(mock.request_count(), 4, "{:?}", mock.requests());
    // Not cached: lists.
    fresh.versions("s").unwrap();
    fresh.versions("s").unwrap();
    assert_eq!(mock.request_count(), 6);
    fresh.clear_caches();
    fresh.schema(id, None, None).unwrap();
    assert_eq!(mock.request_count(), 7);

    // cache.latest.ttl.sec = 0: the latest version is asked every time.
    let no_ttl = SchemaRegistryClient::new(&config! {"url" => mock.url(), "cache.latest.ttl.sec" => 0}).unwrap();
    mock.clear_requests();
    no_ttl.latest_version("s").unwrap();
    no_ttl.latest_version("s").unwrap();
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn the_caches_are_bounded_by_cache_capacity() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = SchemaRegistryClient::new(&config! {"url" => mock.url(), "cache.capacity" => 2}).unwrap();
    let ids: Vec<i32> = (0..3)
        .map(|i| {
            c.register_schema(
                &format!("s{i}"),
                &avro(&format!(r#"{{"type": "fixed", "name": "F{i}", "size": 1}}"#)),
                false,
            )
            .unwrap()
        })
        .collect();
    mock.clear_requests();
    for &id in &ids {
        c.schema(id, None, None).unwrap();
    }
    assert_eq!(mock.request_count(), 3);
    // Only the last two are still cached: the first is asked again.
    c.schema(ids[2], None, None).unwrap();
    c.schema(ids[1], None, None).unwrap();
    assert_eq!(mock.request_count(), 3);
    c.schema(ids[0], None, None).unwrap();
    assert_eq!(mock.request_count(), 4);
}

#[test]
fn a_refused_first_url_fails_over_to_the_second() {
    let mock = MockSchemaRegistry::new().unwrap();
    let url = format!("{}, {}/", refused_url(), mock.url());
    let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 1, "retries.wait.ms" => 1}).unwrap();
    assert!(c.subjects().unwrap().is_empty());
    assert_eq!(mock.request_count(), 1);
    // A 5xx from the first URL moves on too; a 4xx does not.
    let other = MockSchemaRegistry::new().unwrap();
    let url = format!("{},{}", other.url(), mock.url());
    let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 0}).unwrap();
    other.fail_next(1, 503);
    mock.clear_requests();
    assert!(c.subjects().unwrap().is_empty());
    assert_eq!((other.request_count(), mock.request_count()), (1, 1));
    other.fail_next(1, 403);
    let e = c.subjects().unwrap_err();
    assert_eq!(http(&e), (403, 403));
    assert_eq!((other.request_count(), mock.request_count()), (2, 1));
    // Every URL refused: a transport error naming the last one.
    let c = SchemaRegistryClient::new(
        &config! {"url" => format!("{},{}", refused_url(), refused_url()), "max.retries" => 0},
    )
    .unwrap();
    let e = c.subjects().unwrap_err();
    assert!(matches!(e, SchemaRegistryError::Transport(_)), "{e:?}");
    assert!(e.to_string().contains("GET /subjects"), "{e}");
    assert!(e.is_retriable());
}

#[test]
fn retriable_statuses_are_retried_and_others_are_not() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url()); // max.retries 3 (the default)
    for status in [408, 429, 500, 502, 503, 504] {
        mock.clear_requests();
        mock.fail_next(2, status);
        assert!(c.subjects().unwrap().is_empty(), "after two {status}s");
        assert_eq!(mock.request_count(), 3, "status {status}");
    }
    // Retries exhausted: the last answer, typed.
    mock.clear_requests();
    mock.fail_next(4, 500);
    let e = c.subjects().unwrap_err();
    assert_eq!(http(&e), (500, 50001));
    assert_eq!(mock.request_count(), 4);
    assert!(e.is_retriable());
    // 4xx: one request.
    for status in [400, 401, 403, 404, 409, 422] {
        mock.clear_requests();
        mock.fail_next(1, status);
        assert_eq!(http(&c.subjects().unwrap_err()).0, status);
        assert_eq!(mock.request_count(), 1);
    }
    // max.retries 0: a single try.
    let once = SchemaRegistryClient::new(&config! {"url" => mock.url(), "max.retries" => 0}).unwrap();
    mock.clear_requests();
    mock.fail_next(1, 503);
    assert_eq!(http(&once.subjects().unwrap_err()), (503, 503));
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn a_registry_that_never_answers_gives_a_timeout_error() {
    let mock = MockSchemaRegistry::new().unwrap();
    mock.set_unresponsive(true);
    let url = mock.url();
    let e = bounded("a request to a hung registry", move || {
        let c = SchemaRegistryClient::new(
            &config! {"url" => url, "timeout" => 0.3, "max.retries" => 1, "retries.wait.ms" => 1},
        )
        .unwrap();
        c.subjects().unwrap_err()
    });
    assert!(matches!(e, SchemaRegistryError::Timeout(_)), "{e:?}");
    assert!(e.to_string().contains("GET /subjects"), "{e}");
    assert_eq!(mock.request_count(), 2, "one retry");
    let k: KafkaError = e.into();
    assert_eq!(k.code(), ErrorCode::TIMED_OUT);
    assert!(k.is_retriable());
    // Answering again: served.
    mock.set_unresponsive(false);
    assert!(client_for(&mock.url()).subjects().unwrap().is_empty());
}

#[test]
fn registry_errors_carry_the_status_code_and_message() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url());
    let e = c.latest_version("nope").unwrap_err();
    assert_eq!(http(&e), (404, 40401));
    assert!(e.is_not_found());
    assert_eq!(
        e.to_string(),
        "GET /subjects/nope/versions/latest: Subject 'nope' not found. (HTTP status code 404, SR code 40401)"
    );
    let id = c.register_schema("s", &avro(USER), false).unwrap();
    assert_eq!(http(&c.version("s", 7, false).unwrap_err()), (404, 40402));
    assert_eq!(http(&c.version("s", 0, false).unwrap_err()), (422, 42202));
    assert_eq!(http(&c.schema(id + 100, None, None).unwrap_err()), (404, 40403));
    assert_eq!(
        http(&c.lookup_schema("s", &avro(r#""int""#), false, false).unwrap_err()),
        (404, 40403)
    );
    assert_eq!(
        http(&c.lookup_schema("nope", &avro(USER), false, false).unwrap_err()),
        (404, 40401)
    );
    for bad in ["{not json", "", "42"] {
        assert_eq!(
            http(&c.register_schema("s", &avro(bad), false).unwrap_err()),
            (422, 42201),
            "{bad:?}"
        );
    }
    assert_eq!(
        http(&c.register_schema("s", &Schema::new("{}", "XML"), false).unwrap_err()),
        (422, 42201)
    );
    assert_eq!(
        http(
            &c.set_compatibility(None, &CompatibilityLevel::new("sideways"))
                .unwrap_err()
        ),
        (422, 42203)
    );
    assert_eq!(
        http(&c.test_compatibility("nope", &avro(USER), None).unwrap_err()),
        (404, 40401)
    );
    assert_eq!(
        http(&c.test_compatibility("s", &avro(USER), Some(9)).unwrap_err()),
        (404, 40402)
    );
    // Into KafkaError, for `?` in functions returning it.
    let k: KafkaError = c.latest_version("nope").unwrap_err().into();
    assert_eq!(k.code(), ErrorCode::FAIL);
    assert!(!k.is_retriable());
    assert!(k.message().contains("40401"), "{k}");
    // An empty subject never reaches the registry.
    mock.clear_requests();
    assert!(matches!(c.versions("").unwrap_err(), SchemaRegistryError::Config(_)));
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn an_incompatible_schema_is_refused_with_409_under_the_subject_level() {
    let mock = MockSchemaRegistry::new().unwrap();
    // A toy check: a reader must name every field the writer has.
    mock.set_compatibility_check("AVRO", |reader, writer| {
        let fields = |s: &str| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            v["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f["name"].as_str().unwrap().to_string())
                .collect()
        };
        let (r, w) = (fields(reader), fields(writer));
        match w.iter().find(|f| !r.contains(f)) {
            Some(f) => Err(format!("reader lacks field {f}")),
            None => Ok(()),
        }
    });
    let c = client_for(&mock.url());
    c.register_schema("s", &avro(USER_V2), false).unwrap();
    // BACKWARD (the default): the new schema must read the old one's data.
    assert!(!c.test_compatibility("s", &avro(USER), None).unwrap());
    let e = c.register_schema("s", &avro(USER), false).unwrap_err();
    assert_eq!(http(&e), (409, 409));
    assert!(e.to_string().contains("incompatible"), "{e}");
    assert_eq!(c.versions("s").unwrap(), [1], "nothing registered");
    // FORWARD: the old schema must read the new one's data — USER_V2 reads USER's.
    c.set_compatibility(Some("s"), &CompatibilityLevel::FORWARD).unwrap();
    assert!(c.test_compatibility("s", &avro(USER), None).unwrap());
    c.register_schema("s", &avro(USER), false).unwrap();
    // NONE: anything.
    c.set_compatibility(Some("s"), &CompatibilityLevel::NONE).unwrap();
    c.register_schema("s", &avro(r#""string""#), false).unwrap();
    // Another type than the latest: incompatible unless NONE.
    c.set_compatibility(Some("s"), &CompatibilityLevel::BACKWARD).unwrap();
    let e = c
        .register_schema("s", &Schema::new(r#"{"type": "string"}"#, "JSON"), false)
        .unwrap_err();
    assert_eq!(http(&e), (409, 409));
}

#[test]
fn references_resolve_and_protect_what_they_refer_to() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url());
    let address =
        r#"{"type": "record", "name": "Address", "namespace": "ex", "fields": [{"name": "city", "type": "string"}]}"#;
    let person = r#"{"type": "record", "name": "Person", "namespace": "ex", "fields": [{"name": "address", "type": "ex.Address"}]}"#;
    c.register_schema("address", &avro(address), false).unwrap();
    let refs = vec![SchemaReference::new("ex.Address", "address", 1)];
    let with_refs = avro(person).with_references(refs.clone());
    let id = c.register_schema("person", &with_refs, false).unwrap();
    let fresh = client_for(&mock.url());
    assert_eq!(fresh.schema(id, None, None).unwrap().references, refs);
    assert_eq!(fresh.latest_version("person").unwrap().schema.references, refs);
    assert_eq!(
        fresh
            .lookup_schema("person", &with_refs, false, false)
            .unwrap()
            .schema_id,
        id
    );
    // The same text without its references is another schema.
    assert_eq!(
        http(&fresh.lookup_schema("person", &avro(person), false, false).unwrap_err()),
        (404, 40403)
    );
    // A reference to nothing: invalid.
    let dangling = avro(person).with_references(vec![SchemaReference::new("ex.Address", "address", 5)]);
    assert_eq!(
        http(&c.register_schema("other", &dangling, false).unwrap_err()),
        (422, 42201)
    );
    // What is referred to cannot be deleted.
    assert_eq!(http(&c.delete_version("address", 1, false).unwrap_err()), (422, 42206));
    assert_eq!(http(&c.delete_subject("address", false).unwrap_err()), (422, 42206));
    c.delete_subject("person", false).unwrap();
    assert_eq!(c.delete_version("address", 1, false).unwrap(), 1);
}

#[test]
fn soft_then_hard_deletes() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url());
    let id = c.register_schema("s", &avro(USER), false).unwrap();
    c.register_schema("s", &avro(USER_V2), false).unwrap();
    // Hard before soft: refused.
    assert_eq!(http(&c.delete_subject("s", true).unwrap_err()), (404, 40405));
    assert_eq!(http(&c.delete_version("s", 1, true).unwrap_err()), (404, 40407));
    // Soft: gone from the lists, still readable with `deleted`.
    assert_eq!(c.delete_version("s", 1, false).unwrap(), 1);
    assert_eq!(http(&c.delete_version("s", 1, false).unwrap_err()), (404, 40406));
    assert_eq!(c.versions("s").unwrap(), [2]);
    assert_eq!(http(&c.version("s", 1, false).unwrap_err()), (404, 40402));
    assert_eq!(c.version("s", 1, true).unwrap().schema_id, id);
    assert_eq!(c.lookup_schema("s", &avro(USER), false, true).unwrap().version, Some(1));
    assert_eq!(c.delete_subject("s", false).unwrap(), [2]);
    assert_eq!(http(&c.delete_subject("s", false).unwrap_err()), (404, 40404));
    assert!(c.subjects().unwrap().is_empty());
    assert_eq!(http(&c.versions("s").unwrap_err()), (404, 40401));
    // Still known by id while a version (soft-deleted) holds it.
    assert_eq!(client_for(&mock.url()).schema(id, None, None).unwrap().schema_str, USER);
    // Hard: gone for good; registering again starts over with the same id.
    assert_eq!(c.delete_subject("s", true).unwrap(), [1, 2]);
    assert_eq!(
        http(&client_for(&mock.url()).schema(id, None, None).unwrap_err()),
        (404, 40403)
    );
    assert_eq!(http(&c.delete_subject("s", true).unwrap_err()), (404, 40401));
    assert_eq!(c.register_schema("s", &avro(USER), false).unwrap(), id);
    assert_eq!(c.versions("s").unwrap(), [1]);
}

#[test]
fn basic_and_bearer_authentication() {
    let mock = MockSchemaRegistry::new().unwrap();
    mock.set_basic_auth("alice", "s3cr:et");
    let port = mock.url().trim_start_matches("http://").to_string();
    assert_eq!(http(&client_for(&mock.url()).subjects().unwrap_err()), (401, 401));
    let ok =
        SchemaRegistryClient::new(&config! {"url" => mock.url(), "basic.auth.user.info" => "alice:s3cr:et"}).unwrap();
    assert!(ok.subjects().unwrap().is_empty());
    let in_url = SchemaRegistryClient::new(&config! {"url" => format!("http://alice:s3cr%3Aet@{port}")}).unwrap();
    assert!(in_url.subjects().unwrap().is_empty());
    let sourced = SchemaRegistryClient::new(&config! {
        "url" => mock.url(), "basic.auth.credentials.source" => "SASL_INHERIT",
        "sasl.username" => "alice", "sasl.password" => "s3cr:et",
    })
    .unwrap();
    assert!(sourced.subjects().unwrap().is_empty());
    let wrong =
        SchemaRegistryClient::new(&config! {"url" => mock.url(), "basic.auth.user.info" => "alice:nope"}).unwrap();
    assert_eq!(http(&wrong.subjects().unwrap_err()), (401, 401));
    let both =
        SchemaRegistryClient::new(&config! {"url" => format!("http://a:b@{port}"), "basic.auth.user.info" => "a:b"});
    assert!(matches!(both.unwrap_err(), SchemaRegistryError::Config(_)));

    mock.set_bearer_auth("tok-123");
    let bearer = SchemaRegistryClient::new(&config! {
        "url" => mock.url(), "bearer.auth.credentials.source" => "STATIC_TOKEN",
        "bearer.auth.token" => "tok-123", "bearer.auth.logical.cluster" => "lsrc-1",
        "bearer.auth.identity.pool.id" => "pool-9",
    })
    .unwrap();
    mock.clear_requests();
    assert!(bearer.subjects().unwrap().is_empty());
    let r = &mock.requests()[0];
    assert_eq!(r.header("target-sr-cluster"), Some("lsrc-1"));
    assert_eq!(r.header("confluent-identity-pool-id"), Some("pool-9"));
    let missing = SchemaRegistryClient::new(
        &config! {"url" => mock.url(), "bearer.auth.credentials.source" => "STATIC_TOKEN", "bearer.auth.token" => "t"},
    );
    assert!(matches!(missing.unwrap_err(), SchemaRegistryError::Config(m) if m.contains("logical.cluster")));
}

#[test]
fn oauth_client_credentials_fetch_a_token_once() {
    let mock = MockSchemaRegistry::new().unwrap();
    mock.set_bearer_auth("oauth-token-1");
    let (issuer, server) = canned_server(
        1,
        200,
        r#"{"access_token": "oauth-token-1", "token_type": "bearer", "expires_in": 3600}"#,
    );
    let c = SchemaRegistryClient::new(&config! {
        "url" => mock.url(), "bearer.auth.credentials.source" => "OAUTHBEARER",
        "bearer.auth.issuer.endpoint.url" => format!("{issuer}/token"),
        "bearer.auth.client.id" => "app", "bearer.auth.client.secret" => "client-s3cret",
        "bearer.auth.scope" => "schema_registry", "bearer.auth.logical.cluster" => "lsrc-1",
    })
    .unwrap();
    assert!(c.subjects().unwrap().is_empty());
    assert!(
        c.subjects().unwrap().is_empty(),
        "the token is reused: the canned server answers once"
    );
    let seen = server.join().unwrap();
    assert!(seen[0].starts_with("POST /token "), "{}", seen[0]);
    assert!(seen[0].contains("grant_type=client_credentials&scope=schema_registry"));
    // client_secret_basic: base64("app:client-s3cret").
    assert!(seen[0].contains("YXBwOmNsaWVudC1zM2NyZXQ="), "{}", seen[0]);
    assert!(!format!("{c:?}").contains("client-s3cret"));
    // An issuer that refuses: a typed error, no hang.
    let (issuer, server) = canned_server(1, 401, r#"{"error": "invalid_client"}"#);
    let c = SchemaRegistryClient::new(&config! {
        "url" => mock.url(), "bearer.auth.credentials.source" => "OAUTHBEARER",
        "bearer.auth.issuer.endpoint.url" => issuer, "bearer.auth.client.id" => "app",
        "bearer.auth.client.secret" => "client-s3cret", "bearer.auth.scope" => "x",
        "bearer.auth.logical.cluster" => "l",
    })
    .unwrap();
    let e = c.subjects().unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(!e.to_string().contains("client-s3cret"));
    server.join().unwrap();
}

#[test]
fn secrets_never_reach_debug_display_or_errors() {
    let secrets = ["pa55word-xyz", "bearer-tok-xyz", "oauth-secret-xyz", "url-pass-xyz"];
    let dead = refused_url().trim_start_matches("http://").to_string();
    let configs: Vec<Config> = vec![
        config! {"url" => format!("http://{dead}"), "basic.auth.user.info" => "u:pa55word-xyz", "max.retries" => 0},
        config! {"url" => format!("http://u:url-pass-xyz@{dead}"), "max.retries" => 0},
        config! {"url" => format!("http://{dead}"), "bearer.auth.credentials.source" => "STATIC_TOKEN",
        "bearer.auth.token" => "bearer-tok-xyz", "bearer.auth.logical.cluster" => "l", "max.retries" => 0},
        config! {"url" => format!("http://{dead}"), "bearer.auth.credentials.source" => "OAUTHBEARER",
        "bearer.auth.issuer.endpoint.url" => format!("http://{dead}/t"), "bearer.auth.client.id" => "id",
        "bearer.auth.client.secret" => "oauth-secret-xyz", "bearer.auth.scope" => "s",
        "bearer.auth.logical.cluster" => "l", "max.retries" => 0},
    ];
    for conf in &configs {
        let mut shown = vec![format!("{conf:?}")];
        let c = SchemaRegistryClient::new(conf).unwrap();
        shown.push(format!("{c:?}"));
        let e = c.subjects().unwrap_err();
        shown.push(format!("{e} {e:?}"));
        shown.push(KafkaError::from(e).to_string());
        for s in &shown {
            for secret in secrets {
                // The URL's password is in the Config by necessity (it is the url).
                if secret == "url-pass-xyz" && s == &shown[0] {
                    continue;
                }
                assert!(!s.contains(secret), "{secret} in {s}");
            }
        }
    }
    // Configuration errors name keys, not values.
    let e = SchemaRegistryClient::new(&config! {"url" => "http://h", "basic.auth.user.info" => "no-colon-secret"})
        .unwrap_err();
    assert!(!e.to_string().contains("no-colon-secret"), "{e}");
}

#[test]
fn bad_configuration_gives_typed_errors() {
    let bad: Vec<(Config, &str)> = vec![
        (Config::new(), "url"),
        (config! {"url" => ""}, "url"),
        (config! {"url" => " , "}, "url"),
        (config! {"url" => "localhost:8081"}, "url"),
        (config! {"url" => "ftp://h"}, "scheme"),
        (
            config! {"url" => "http://h", "bootstrap.servers" => "x"},
            "Unrecognized properties: bootstrap.servers",
        ),
        (config! {"url" => "http://h", "timeout" => "soon"}, "timeout"),
        (config! {"url" => "http://h", "timeout" => -1}, "timeout"),
        (config! {"url" => "http://h", "max.retries" => -1}, "max.retries"),
        (
            config! {"url" => "http://h", "cache.capacity" => "lots"},
            "cache.capacity",
        ),
        (
            config! {"url" => "http://h", "ssl.ca.location" => "/nonexistent/ca.pem"},
            "ssl.ca.location",
        ),
        (
            config! {"url" => "http://h", "ssl.ca.location" => "/etc/hostname"},
            "ssl.ca.location",
        ),
        (
            config! {"url" => "http://h", "ssl.key.location" => "/k.pem"},
            "ssl.certificate.location",
        ),
        (
            config! {"url" => "http://h", "ssl.certificate.location" => "/nonexistent/c.pem"},
            "ssl.certificate.location",
        ),
        (
            config! {"url" => "http://h", "basic.auth.credentials.source" => "MAGIC"},
            "basic.auth.credentials.source",
        ),
        (
            config! {"url" => "http://h", "basic.auth.credentials.source" => "URL"},
            "URL",
        ),
        (
            config! {"url" => "http://h", "bearer.auth.credentials.source" => "MAGIC"},
            "bearer.auth.credentials.source",
        ),
        (
            config! {"url" => "http://h", "bearer.auth.token" => "t"},
            "bearer.auth.credentials.source",
        ),
        (
            config! {"url" => "http://h", "bearer.auth.credentials.source" => "OAUTHBEARER", "bearer.auth.logical.cluster" => "l"},
            "bearer.auth.client.id",
        ),
    ];
    for (conf, what) in bad {
        match SchemaRegistryClient::new(&conf) {
            Err(SchemaRegistryError::Config(m)) => assert!(m.contains(what), "{conf:?}: {m:?} should name {what}"),
            other => panic!("{conf:?}: {other:?}"),
        }
    }
}

#[test]
fn bad_answers_and_bad_requests_give_typed_errors() {
    // A 200 that is not JSON, and one that lacks the field.
    let (url, server) = canned_server(2, 200, "<html>hello</html>");
    let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 0}).unwrap();
    assert!(matches!(
        c.subjects().unwrap_err(),
        SchemaRegistryError::InvalidResponse(_)
    ));
    assert!(matches!(
        c.schema(1, None, None).unwrap_err(),
        SchemaRegistryError::InvalidResponse(_)
    ));
    server.join().unwrap();
    let (url, server) = canned_server(1, 200, r#"{"id": "one"}"#);
    let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 0}).unwrap();
    assert!(matches!(
        c.register_schema("s", &avro(USER), false).unwrap_err(),
        SchemaRegistryError::InvalidResponse(_)
    ));
    server.join().unwrap();
    // An error status whose body is not the registry's: code -1.
    let (url, server) = canned_server(1, 404, "nothing here");
    let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 0}).unwrap();
    let e = c.subjects().unwrap_err();
    assert_eq!(http(&e), (404, -1));
    assert!(e.to_string().contains("nothing here"), "{e}");
    server.join().unwrap();

    // HTTPS to a plain HTTP server: a transport error (the TLS handshake fails).
    let mock = MockSchemaRegistry::new().unwrap();
    let https = mock.url().replace("http://", "https://");
    let c = SchemaRegistryClient::new(&config! {"url" => https, "max.retries" => 0}).unwrap();
    assert!(matches!(c.subjects().unwrap_err(), SchemaRegistryError::Transport(_)));

    // Garbage to the mock: 400, and it keeps serving.
    let addr = mock.url().trim_start_matches("http://").to_string();
    for garbage in [
        "hello\r\n\r\n",
        "GET /subjects HTTP/1.1\r\nno-colon\r\n\r\n",
        "GET /subjects%zz HTTP/1.1\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(LIMIT)).unwrap();
        s.write_all(garbage.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer)
            .unwrap_or_else(|e| panic!("{garbage:?}: {e}"));
        assert!(answer.starts_with("HTTP/1.1 400"), "{garbage:?}: {answer}");
    }
    let c = client_for(&mock.url());
    assert!(c.subjects().unwrap().is_empty());
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /nowhere HTTP/1.1\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 404") && answer.contains("\"error_code\":404"),
        "{answer}"
    );
}

#[test]
fn dropping_the_mock_while_a_client_waits_fails_the_call_and_does_not_hang() {
    let mock = MockSchemaRegistry::new().unwrap();
    mock.set_unresponsive(true);
    let url = mock.url();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 0}).unwrap();
        let _ = tx.send(c.subjects());
    });
    // An idle connection that never sends a request must not hold the drop either.
    let _idle = TcpStream::connect(mock.url().trim_start_matches("http://")).unwrap();
    assert!(mock.wait_for_requests(1, LIMIT), "the client's request arrives");
    let url = mock.url();
    bounded("dropping the mock", move || drop(mock));
    let result = rx.recv_timeout(LIMIT).expect("the client's call returns");
    assert!(matches!(result, Err(SchemaRegistryError::Transport(_))), "{result:?}");
    // The port is closed.
    let c = SchemaRegistryClient::new(&config! {"url" => url, "max.retries" => 0}).unwrap();
    assert!(matches!(c.subjects().unwrap_err(), SchemaRegistryError::Transport(_)));
}

#[test]
fn one_client_shared_by_threads_sees_consistent_ids() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = Arc::new(client_for(&mock.url()));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                (0..5)
                    .map(|i| {
                        // Each version adds a symbol: a compatible evolution
                        // (the mock checks Avro compatibility with `avro` on).
                        let symbols: Vec<String> = (0..=i).map(|s| format!(r#""S{s}""#)).collect();
                        c.register_schema(
                            &format!("t{t}"),
                            &avro(&format!(
                                r#"{{"type": "enum", "name": "E", "symbols": [{}]}}"#,
                                symbols.join(", ")
                            )),
                            false,
                        )
                        .unwrap()
                    })
                    .collect::<Vec<i32>>()
            })
        })
        .collect();
    let results: Vec<Vec<i32>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    // The same five schemas in four subjects: five ids, the same in each.
    for r in &results {
        assert_eq!(r, &results[0]);
    }
    let mut ids = results[0].clone();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    for t in 0..4 {
        assert_eq!(c.versions(&format!("t{t}")).unwrap(), [1, 2, 3, 4, 5]);
    }
}

// ---- Python's client and serializers against the mock ----

/// Runs tests/interop/schema_registry_tool.py; `None` (skip) when Python or
/// confluent-kafka's schema registry extras are missing, unless
/// FERROKAFKA_REQUIRE_BROKER=1 (the test script), which makes it fail.
fn python_tool(args: &[&str]) -> Option<serde_json::Value> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("FERROKAFKA_REQUIRE_BROKER").as_deref() == Ok("1");
    let probe = std::process::Command::new(&python)
        .args(["-c", "import confluent_kafka.schema_registry.avro, confluent_kafka.schema_registry.json_schema, confluent_kafka.schema_registry.protobuf"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).to_string(),
                Err(e) => e.to_string(),
            };
            assert!(
                !required,
                "FERROKAFKA_REQUIRE_BROKER=1 but Python's confluent-kafka[avro,json,protobuf,schemaregistry] is missing: {why}"
            );
            eprintln!("skipping: confluent-kafka's schema registry extras are missing (run ./scripts/test.sh): {why}");
            return None;
        }
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/schema_registry_tool.py");
    let out = bounded("schema_registry_tool.py", {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        move || {
            std::process::Command::new(python)
                .arg(script)
                .args(args)
                .output()
                .unwrap()
        }
    });
    assert!(
        out.status.success(),
        "schema_registry_tool {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("one JSON object"))
}

#[test]
fn python_serializers_register_through_the_mock_and_ferrokafka_reads_the_same() {
    let mock = MockSchemaRegistry::new().unwrap();
    let Some(py) = python_tool(&["serialize", &mock.url(), "py"]) else {
        return;
    };
    let id = |k: &str| py[k].as_i64().unwrap() as i32;
    // Python's deserializers read back what its serializers wrote, by id.
    assert_eq!(py["avro_value"], serde_json::json!({"name": "ada", "age": 36}));
    assert_eq!(py["json_value"], serde_json::json!({"name": "grace", "age": 45}));
    assert_eq!(py["proto_value"], serde_json::json!({"name": "linus", "age": 54}));
    assert_eq!(id("avro_id_again"), id("avro_id"), "ids are global");

    let c = client_for(&mock.url());
    let s = c.schema(id("avro_id"), None, None).unwrap();
    assert_eq!(
        (s.schema_str.as_str(), s.schema_type.as_str()),
        (py["avro_schema"].as_str().unwrap(), "AVRO")
    );
    let s = c.schema(id("json_id"), None, None).unwrap();
    assert_eq!(
        (s.schema_str.as_str(), s.schema_type.as_str()),
        (py["json_schema"].as_str().unwrap(), "JSON")
    );
    let s = c.schema(id("proto_id"), None, None).unwrap();
    assert_eq!(
        (s.schema_str.as_str(), s.schema_type.as_str()),
        (py["proto_schema"].as_str().unwrap(), "PROTOBUF")
    );
    // The framed record carries the id ferrokafka sees as the latest version's.
    let record = py["avro_record"].as_str().unwrap();
    assert_eq!(&record[..10], format!("00{:08x}", id("avro_id")));
    for (subject, key) in [
        ("py-avro-value", "avro_id"),
        ("py-json-value", "json_id"),
        ("py-proto-value", "proto_id"),
    ] {
        let latest = c.latest_version(subject).unwrap();
        assert_eq!((latest.schema_id, latest.version), (id(key), Some(1)), "{subject}");
    }
    let person = c.latest_version("py-person-value").unwrap();
    assert_eq!(person.schema_id, id("person_id"));
    assert_eq!(
        person.schema.references,
        [SchemaReference::new("interop.Address", "py-address-value", 1)]
    );
    let mut subjects = c.subjects().unwrap();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "py-address-value",
            "py-avro-copy-value",
            "py-avro-value",
            "py-json-value",
            "py-person-value",
            "py-proto-value"
        ]
    );
    // What Python registered, ferrokafka finds by lookup.
    let found = c
        .lookup_schema(
            "py-avro-value",
            &avro(py["avro_schema"].as_str().unwrap()),
            false,
            false,
        )
        .unwrap();
    assert_eq!(found.schema_id, id("avro_id"));
}

#[test]
fn ferrokafka_registers_and_python_reads_the_same() {
    let mock = MockSchemaRegistry::new().unwrap();
    let c = client_for(&mock.url());
    let user = c.register_schema("rs-user-value", &avro(USER), false).unwrap();
    let user2 = c.register_schema("rs-user-value", &avro(USER_V2), false).unwrap();
    let json_schema = r#"{"type": "object", "properties": {"n": {"type": "integer"}}}"#;
    let json = c
        .register_schema("rs-json-value", &Schema::new(json_schema, "JSON"), false)
        .unwrap();
    let address =
        r#"{"type": "record", "name": "Address", "namespace": "ex", "fields": [{"name": "city", "type": "string"}]}"#;
    let person = r#"{"type": "record", "name": "Person", "namespace": "ex", "fields": [{"name": "home", "type": "ex.Address"}]}"#;
    c.register_schema("rs-address-value", &avro(address), false).unwrap();
    let refs = vec![SchemaReference::new("ex.Address", "rs-address-value", 1)];
    let person_id = c
        .register_schema("rs-person-value", &avro(person).with_references(refs), false)
        .unwrap();
    c.set_compatibility(Some("rs-json-value"), &CompatibilityLevel::FULL_TRANSITIVE)
        .unwrap();

    let Some(py) = python_tool(&[
        "inspect",
        &mock.url(),
        "rs-user-value",
        "rs-json-value",
        "rs-person-value",
    ]) else {
        return;
    };
    let mut subjects: Vec<String> = c.subjects().unwrap();
    subjects.sort();
    let mut py_subjects: Vec<String> = serde_json::from_value(py["subjects"].clone()).unwrap();
    py_subjects.sort();
    assert_eq!(py_subjects, subjects);
    let u = &py["by_subject"]["rs-user-value"];
    assert_eq!(u["versions"], serde_json::json!([1, 2]));
    assert_eq!(u["latest"]["id"], user2);
    assert_eq!(u["latest"]["version"], 2);
    assert_eq!(u["latest"]["schema"], USER_V2);
    assert_eq!(u["latest"]["schemaType"], "AVRO");
    assert_eq!(u["by_id"]["schema"], USER_V2);
    assert_eq!(
        u["lookup"],
        serde_json::json!({"id": user2, "version": 2, "subject": "rs-user-value"})
    );
    assert_eq!(u["id_versions"], serde_json::json!([["rs-user-value", 2]]));
    assert_eq!(
        u["compatibility"]["error_code"], 40408,
        "no subject-level compatibility"
    );
    assert_ne!(user, user2);
    let j = &py["by_subject"]["rs-json-value"];
    assert_eq!(j["latest"]["id"], json);
    assert_eq!(j["latest"]["schemaType"], "JSON");
    assert_eq!(j["by_id"]["schema"], json_schema);
    assert_eq!(j["compatibility"], "FULL_TRANSITIVE");
    let p = &py["by_subject"]["rs-person-value"];
    assert_eq!(p["latest"]["id"], person_id);
    assert_eq!(
        p["by_id"]["references"],
        serde_json::json!([{"name": "ex.Address", "subject": "rs-address-value", "version": 1}])
    );
    assert_eq!(py["global_compatibility"], "BACKWARD");
}

#[test]
fn python_sees_the_registry_error_codes() {
    let mock = MockSchemaRegistry::new().unwrap();
    client_for(&mock.url())
        .register_schema("s", &avro(USER), false)
        .unwrap();
    let Some(py) = python_tool(&["errors", &mock.url(), "s"]) else {
        return;
    };
    assert_eq!(py["subject"][0], 404);
    assert_eq!(py["subject"][1], 40401);
    assert_eq!(py["version"][1], 40402);
    assert_eq!(py["schema"][1], 40403);
    assert_eq!(py["level"][0], 422);
    assert_eq!(py["level"][1], 42203);
}
