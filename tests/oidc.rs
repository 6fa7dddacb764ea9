//! OAUTHBEARER with librdkafka's built-in OIDC client
//! (`sasl.oauthbearer.method=oidc`, ferrokafka's `oidc` feature), issue 12.
//!
//! Each test starts its own token endpoint — a small HTTP/1.1 server on
//! 127.0.0.1 that records every request and answers with a scripted reply —
//! and, where the token must reach a broker, a fake broker that speaks just
//! enough of the Kafka protocol (ApiVersions, SaslHandshake,
//! SaslAuthenticate) to record the SASL/OAUTHBEARER client message.
//! librdkafka's mock cluster has no SASL listener, and Tansu none for
//! OAUTHBEARER, so this is where the bytes a real broker would check can be
//! seen.
//!
//! What librdkafka does (librdkafka 2.12.1, `rdkafka_sasl_oauthbearer_oidc.c`):
//! on its background thread — the application need not call `poll` — it
//! POSTs `grant_type=client_credentials[&scope=...]` with HTTP Basic
//! authentication (client id and secret) to the token endpoint, takes
//! `access_token` from the JSON reply, reads `exp` and `sub` from the JWT's
//! payload, and sets the token; it refreshes it at 80% of its lifetime. A
//! failure reaches `error_cb` as `_AUTHENTICATION` ("Failed to acquire SASL
//! OAUTHBEARER token: ...") and is retried 10 s later; temporary HTTP errors
//! (408, 425, 429, 500, 502-504) are first retried 4 times, 5 s apart and
//! longer.

mod common;

use common::wait_for;
use ferrokafka::{AdminClient, Config, Consumer, ErrorCode, OAuthToken, Producer};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A bound on waiting for an event that should come within milliseconds
/// (never a timing assertion: passing it means the event never came).
const EVENT_LIMIT: Duration = Duration::from_secs(30);

const CLIENT_ID: &str = "ferrokafka-test-client";
const CLIENT_SECRET: &str = "s3cr3t-SENTINEL-value";
const SCOPE: &str = "kafka.produce";

// ---------------------------------------------------------------------------
// Base64 and JWTs

fn base64(bytes: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | ((b as u32) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(table[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if !url {
            out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
        }
    }
    out
}

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// An (unsigned) JWT whose payload is `payload`, as identity providers
/// send them: base64url without padding, `header.payload.signature`.
///
/// The payload is padded with JSON whitespace so that its base64 needs
/// padding: librdkafka 2.12.1 decodes it with `EVP_DecodeBlock` into a
/// buffer it does not NUL-terminate and then parses it as a C string, which
/// only stays in bounds when padding zeroes follow the text.
fn jwt(payload: &str) -> String {
    let mut payload = payload.to_string();
    while payload.len() % 3 == 0 {
        payload.push(' ');
    }
    format!(
        "{}.{}.{}",
        base64(br#"{"alg":"RS256","typ":"JWT","kid":"test"}"#, true),
        base64(payload.as_bytes(), true),
        base64(b"not-a-real-signature", true)
    )
}

fn token_json(jwt: &str) -> String {
    format!(r#"{{"access_token":"{jwt}","token_type":"Bearer","expires_in":3600}}"#)
}

fn valid_jwt(sub: &str, lifetime_s: u64) -> String {
    let now = now_s();
    jwt(&format!(
        r#"{{"sub":"{sub}","iat":{now},"exp":{},"scope":"{SCOPE}"}}"#,
        now + lifetime_s
    ))
}

// ---------------------------------------------------------------------------
// The token endpoint

/// One request the token endpoint received.
#[derive(Debug, Clone)]
struct HttpRequest {
    method: String,
    target: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: String,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One scripted answer.
#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Reply {
    fn json(body: String) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body,
        }
    }
    fn token(jwt: &str) -> Reply {
        Reply::json(token_json(jwt))
    }
}

/// A loopback listener whose accept thread stops when it is dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(handle: impl Fn(TcpStream) + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::Acquire) {
                    break;
                }
                if let Ok(conn) = conn {
                    handle(conn);
                }
            }
        });
        Server { addr, stop }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the accept loop so that it sees `stop`.
        let _ = TcpStream::connect(self.addr);
    }
}

/// An HTTP/1.1 token endpoint: answers the n-th request with the n-th reply
/// (the last one repeats) and sends every request to `requests`.
struct TokenEndpoint {
    server: Server,
    requests: Receiver<HttpRequest>,
}

impl TokenEndpoint {
    fn start(replies: Vec<Reply>) -> TokenEndpoint {
        let (tx, requests) = channel();
        let served = Mutex::new(0usize);
        let server = Server::start(move |mut conn| {
            let Some(req) = read_http_request(&mut conn) else {
                return;
            };
            let reply = {
                let mut n = served.lock().unwrap();
                *n += 1;
                replies[(*n - 1).min(replies.len() - 1)].clone()
            };
            let _ = tx.send(req);
            let head = format!(
                "HTTP/1.1 {} Scripted\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reply.status,
                reply.content_type,
                reply.body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(reply.body.as_bytes());
            let _ = conn.shutdown(Shutdown::Both);
        });
        TokenEndpoint { server, requests }
    }

    fn url(&self) -> String {
        format!("http://{}/oauth2/token", self.server.addr)
    }

    /// The next request (waiting for it).
    fn next_request(&self) -> HttpRequest {
        self.requests
            .recv_timeout(EVENT_LIMIT)
            .expect("the token endpoint was never called")
    }
}

fn read_http_request(conn: &mut TcpStream) -> Option<HttpRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
    Some(HttpRequest {
        method,
        target,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------
// The fake broker

/// A Kafka listener that answers ApiVersions, SaslHandshake (OAUTHBEARER)
/// and SaslAuthenticate, sends each SASL/OAUTHBEARER client message it
/// receives to `auth`, and refuses the authentication (so the client goes
/// no further).
struct FakeBroker {
    server: Server,
    auth: Receiver<String>,
}

const API_VERSIONS: i16 = 18;
const SASL_HANDSHAKE: i16 = 17;
const SASL_AUTHENTICATE: i16 = 36;

impl FakeBroker {
    fn start() -> FakeBroker {
        let (tx, auth) = channel();
        let server = Server::start(move |conn| serve_kafka(conn, &tx));
        FakeBroker { server, auth }
    }

    fn bootstrap(&self) -> String {
        self.server.addr.to_string()
    }

    /// The next SASL/OAUTHBEARER client message (waiting for it).
    fn next_auth(&self) -> String {
        self.auth
            .recv_timeout(EVENT_LIMIT)
            .expect("the client never authenticated to the broker")
    }
}

fn serve_kafka(mut conn: TcpStream, auth: &Sender<String>) {
    loop {
        let mut size = [0u8; 4];
        if conn.read_exact(&mut size).is_err() {
            return;
        }
        let mut req = vec![0u8; i32::from_be_bytes(size).max(0) as usize];
        if req.len() < 8 || conn.read_exact(&mut req).is_err() {
            return;
        }
        let api_key = i16::from_be_bytes([req[0], req[1]]);
        let correlation_id = &req[4..8];
        let mut resp = correlation_id.to_vec();
        match api_key {
            API_VERSIONS => {
                // ApiVersions v3 body (flexible; its response header is v0).
                resp.extend_from_slice(&0i16.to_be_bytes());
                resp.push(4); // compact array of 3
                for (key, max) in [(API_VERSIONS, 3i16), (SASL_HANDSHAKE, 1), (SASL_AUTHENTICATE, 0)] {
                    resp.extend_from_slice(&key.to_be_bytes());
                    resp.extend_from_slice(&0i16.to_be_bytes());
                    resp.extend_from_slice(&max.to_be_bytes());
                    resp.push(0); // tagged fields
                }
                resp.extend_from_slice(&0i32.to_be_bytes()); // throttle
                resp.push(0); // tagged fields
            }
            SASL_HANDSHAKE => {
                resp.extend_from_slice(&0i16.to_be_bytes());
                resp.extend_from_slice(&1i32.to_be_bytes());
                resp.extend_from_slice(&11i16.to_be_bytes());
                resp.extend_from_slice(b"OAUTHBEARER");
            }
            SASL_AUTHENTICATE => {
                // RFC 7628's client message: "n,,\x01auth=Bearer <token>\x01...\x01\x01".
                let start = req.windows(3).position(|w| w == b"n,,");
                let msg = start.map(|s| String::from_utf8_lossy(&req[s..]).into_owned());
                let _ = auth.send(msg.unwrap_or_default());
                let text = b"fake broker: token recorded";
                resp.extend_from_slice(&58i16.to_be_bytes()); // SASL_AUTHENTICATION_FAILED
                resp.extend_from_slice(&(text.len() as i16).to_be_bytes());
                resp.extend_from_slice(text);
                resp.extend_from_slice(&0i32.to_be_bytes()); // no auth bytes
            }
            _ => return,
        }
        let mut frame = (resp.len() as i32).to_be_bytes().to_vec();
        frame.extend_from_slice(&resp);
        if conn.write_all(&frame).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Clients

fn oidc_config(bootstrap: &str, token_url: &str) -> Config {
    Config::from([
        ("bootstrap.servers", bootstrap),
        ("security.protocol", "SASL_PLAINTEXT"),
        ("sasl.mechanism", "OAUTHBEARER"),
        ("sasl.oauthbearer.method", "oidc"),
        ("sasl.oauthbearer.client.id", CLIENT_ID),
        ("sasl.oauthbearer.client.secret", CLIENT_SECRET),
        ("sasl.oauthbearer.token.endpoint.url", token_url),
        ("sasl.oauthbearer.scope", SCOPE),
        ("sasl.oauthbearer.extensions", "traceId=abc123,logicalCluster=lkc-1"),
        ("group.id", "oidc-test"),
    ])
}

/// The three client kinds, as one type for the tests that try each.
enum Client {
    Producer(Producer),
    Consumer(Box<Consumer>),
    Admin(AdminClient),
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Producer,
    Consumer,
    Admin,
}

const KINDS: [Kind; 3] = [Kind::Producer, Kind::Consumer, Kind::Admin];

impl Client {
    fn new(kind: Kind, config: &Config) -> ferrokafka::Result<Client> {
        Ok(match kind {
            Kind::Producer => Client::Producer(Producer::new(config)?),
            Kind::Consumer => Client::Consumer(Box::new(Consumer::new(config)?)),
            Kind::Admin => Client::Admin(AdminClient::new(config)?),
        })
    }

    /// Serves events (the error callback among them) for a short while.
    fn poll(&self) {
        let t = Duration::from_millis(100);
        match self {
            Client::Producer(p) => drop(p.poll(t)),
            Client::Consumer(c) => drop(c.poll(t)),
            Client::Admin(a) => drop(a.poll(t)),
        }
    }
}

/// Errors `error_cb` received, as (code, message).
type Seen = Arc<Mutex<Vec<(ErrorCode, String)>>>;

fn with_error_log(mut config: Config) -> (Config, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    config.set_error_cb(move |e| s.lock().unwrap().push((e.code(), e.message().to_string())));
    (config, seen)
}

/// Polls `client` until `error_cb` has received the token failure; returns
/// its message.
fn token_failure(client: &Client, seen: &Seen) -> String {
    let is_token_failure = |(_, m): &(ErrorCode, String)| m.contains("Failed to acquire SASL OAUTHBEARER token");
    let found = wait_for(
        EVENT_LIMIT,
        || client.poll(),
        || seen.lock().unwrap().iter().any(is_token_failure),
    );
    let seen = seen.lock().unwrap();
    assert!(found, "no token failure reached error_cb; it received {seen:?}");
    let (code, message) = seen.iter().find(|e| is_token_failure(e)).unwrap().clone();
    assert_eq!(code, ErrorCode::AUTHENTICATION, "{message}");
    assert!(!message.contains(CLIENT_SECRET), "the client secret leaked: {message}");
    message
}

// ---------------------------------------------------------------------------
// Tests

/// The feature really builds librdkafka with its HTTP client and OIDC.
#[test]
fn oidc_is_built_in() {
    let features: Vec<&str> = ferrokafka::builtin_features().split(',').collect();
    for f in ["http", "oidc", "sasl_oauthbearer"] {
        assert!(features.contains(&f), "{f} missing from builtin.features {features:?}");
    }
}

/// The client asks the endpoint for a token as the OAuth client-credentials
/// grant says — a POST with HTTP Basic client authentication and the
/// configured scope — and hands the token, with the configured SASL
/// extensions, to the broker. No `poll` call is needed for any of it: it
/// runs on librdkafka's background thread.
#[test]
fn token_from_the_endpoint_reaches_the_broker() {
    for kind in KINDS {
        let jwt = valid_jwt("svc-ferrokafka", 3600);
        let endpoint = TokenEndpoint::start(vec![Reply::token(&jwt)]);
        let broker = FakeBroker::start();
        let client = Client::new(kind, &oidc_config(&broker.bootstrap(), &endpoint.url())).unwrap();

        let req = endpoint.next_request();
        assert_eq!(req.method, "POST", "{kind:?}: {req:?}");
        assert_eq!(req.target, "/oauth2/token", "{kind:?}: {req:?}");
        let basic = format!(
            "Basic {}",
            base64(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes(), false)
        );
        assert_eq!(req.header("authorization"), Some(basic.as_str()), "{kind:?}: {req:?}");
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded"),
            "{kind:?}: {req:?}"
        );
        assert_eq!(
            req.body,
            format!("grant_type=client_credentials&scope={SCOPE}"),
            "{kind:?}"
        );

        let auth = broker.next_auth();
        assert!(
            auth.starts_with(&format!("n,,\x01auth=Bearer {jwt}\x01")),
            "{kind:?}: SASL message {auth:?}"
        );
        for ext in ["traceId=abc123\x01", "logicalCluster=lkc-1\x01"] {
            assert!(auth.contains(ext), "{kind:?}: {ext:?} missing from {auth:?}");
        }
        drop(client);
    }
}

/// A token is refreshed before it expires (librdkafka refreshes at 80% of
/// its lifetime), again without the application polling.
#[test]
fn a_short_lived_token_is_refreshed() {
    let first = valid_jwt("svc-ferrokafka", 2);
    let second = valid_jwt("svc-ferrokafka-2", 3600);
    let endpoint = TokenEndpoint::start(vec![Reply::token(&first), Reply::token(&second)]);
    let broker = FakeBroker::start();
    let producer = Producer::new(&oidc_config(&broker.bootstrap(), &endpoint.url())).unwrap();
    let r1 = endpoint.next_request();
    let r2 = endpoint.next_request();
    assert_eq!(r1.body, r2.body);
    assert_eq!(r1.header("authorization"), r2.header("authorization"));
    drop(producer);
}

/// A temporary failure of the endpoint (HTTP 503) is retried by librdkafka
/// itself, 5 s later, and the token then fetched is used.
#[test]
fn a_temporary_endpoint_failure_is_retried() {
    let jwt = valid_jwt("svc-ferrokafka", 3600);
    let unavailable = Reply {
        status: 503,
        content_type: "text/plain",
        body: String::new(),
    };
    let endpoint = TokenEndpoint::start(vec![unavailable, Reply::token(&jwt)]);
    let broker = FakeBroker::start();
    let (config, seen) = with_error_log(oidc_config(&broker.bootstrap(), &endpoint.url()));
    let producer = Producer::new(&config).unwrap();
    assert_eq!(endpoint.next_request().body, endpoint.next_request().body);
    let auth = broker.next_auth();
    assert!(auth.contains(&format!("auth=Bearer {jwt}\x01")), "{auth:?}");
    // The retry succeeded, so no token failure was reported (the fake
    // broker's refusal may already have been: that is another error).
    producer.poll(Duration::ZERO).unwrap();
    let seen = seen.lock().unwrap();
    assert!(
        !seen
            .iter()
            .any(|(_, m)| m.contains("Failed to acquire SASL OAUTHBEARER token")),
        "{seen:?}"
    );
}

/// What librdkafka 2.12.1 does when the temporary failure has a body: its
/// retry loop (`rd_http_post_expect_json`) never empties the response
/// buffer, so the retried reply is read after the 503's body and fails to
/// parse. That failure reaches `error_cb` (and the regular retry 10 s later
/// recovers). Asserted so that an upgrade that fixes it is noticed.
#[test]
fn a_temporary_failure_with_a_body_spoils_librdkafkas_retry() {
    let unavailable = Reply {
        status: 503,
        content_type: "text/plain",
        body: "try again later".into(),
    };
    let endpoint = TokenEndpoint::start(vec![unavailable, Reply::token(&valid_jwt("svc", 3600))]);
    let broker = FakeBroker::start();
    let (config, seen) = with_error_log(oidc_config(&broker.bootstrap(), &endpoint.url()));
    let client = Client::new(Kind::Producer, &config).unwrap();
    endpoint.next_request();
    let retried = endpoint.next_request();
    assert_eq!(retried.method, "POST");
    let message = token_failure(&client, &seen);
    assert!(message.contains("Failed to parse JSON response"), "{message}");
}

/// Every way the endpoint can fail reaches `error_cb` as an
/// `_AUTHENTICATION` error that says why (and never quotes the secret);
/// nothing hangs or panics, and the client is created regardless (as in
/// librdkafka, a token failure is retried, not fatal).
#[test]
fn endpoint_failures_reach_error_cb() {
    let now = now_s();
    let json = |body: &str| Reply::json(body.to_string());
    let token = |payload: &str| Reply::token(&jwt(payload));
    let cases: Vec<(&str, Option<Reply>, &str)> = vec![
        ("endpoint down", None, "Failed to connect to 127.0.0.1"),
        (
            "HTTP 401",
            Some(Reply {
                status: 401,
                content_type: "application/json",
                body: r#"{"error":"invalid_client"}"#.into(),
            }),
            "invalid_client",
        ),
        (
            "not JSON",
            Some(Reply {
                status: 200,
                content_type: "text/html",
                body: "<html>login</html>".into(),
            }),
            "Response is not JSON encoded: text/html",
        ),
        ("malformed JSON", Some(json("{\"access_token\": ")), "JSON"),
        (
            "no access_token",
            Some(json(r#"{"token_type":"Bearer"}"#)),
            "Expected JSON response with \"access_token\" field",
        ),
        (
            "access_token not a string",
            Some(json(r#"{"access_token":42}"#)),
            "Expected token as a string value",
        ),
        (
            "opaque token",
            Some(json(r#"{"access_token":"opaque-reference-token"}"#)),
            "less than 2 delimiters",
        ),
        (
            "bad base64 payload",
            Some(Reply::token("eyJhbGciOiJub25lIn0.@@@@.sig")),
            "Failed to decode base64 payload",
        ),
        (
            "payload not JSON",
            Some(token("not json at all")),
            "Failed to parse JSON JWT payload",
        ),
        ("no exp", Some(token(r#"{"sub":"svc"}"#)), "\"exp\" field"),
        (
            "no sub",
            Some(token(&format!(r#"{{"exp":{}}}"#, now + 3600))),
            "\"sub\" field",
        ),
        (
            "sub not a string",
            Some(token(&format!(r#"{{"sub":7,"exp":{}}}"#, now + 3600))),
            "valid \"sub\" field",
        ),
        (
            "expired",
            Some(token(&format!(r#"{{"sub":"svc","exp":{}}}"#, now - 60))),
            "Must supply an unexpired token",
        ),
    ];
    for (i, (name, reply, expected)) in cases.into_iter().enumerate() {
        let endpoint = reply.map(|r| TokenEndpoint::start(vec![r]));
        let url = match &endpoint {
            Some(e) => e.url(),
            None => {
                // A port nothing listens on any more.
                let l = TcpListener::bind("127.0.0.1:0").unwrap();
                format!("http://{}/oauth2/token", l.local_addr().unwrap())
            }
        };
        let broker = FakeBroker::start();
        let kind = KINDS[i % KINDS.len()];
        let (config, seen) = with_error_log(oidc_config(&broker.bootstrap(), &url));
        let client = Client::new(kind, &config).unwrap_or_else(|e| panic!("{name}: {e}"));
        let message = token_failure(&client, &seen);
        eprintln!("{name} ({kind:?}): {message}");
        assert!(message.contains(expected), "{name} ({kind:?}): {message:?}");
        if let Some(e) = &endpoint {
            let req = e.next_request();
            assert_eq!(req.method, "POST", "{name}");
        }
        drop(client);
    }
}

/// ferrokafka's own token callback and librdkafka's OIDC client are two
/// sources for the same token: asking for both is refused when the client
/// is created (librdkafka alone would silently ignore the OIDC settings).
#[test]
fn oauth_cb_and_oidc_are_mutually_exclusive() {
    let endpoint = TokenEndpoint::start(vec![Reply::token(&valid_jwt("svc", 3600))]);
    for kind in KINDS {
        for method in ["oidc", "OIDC", " oidc "] {
            let mut config = oidc_config("127.0.0.1:9", &endpoint.url());
            config.set("sasl.oauthbearer.method", method);
            config.set_oauth_cb(|_| Err("unused".to_string()));
            let err = Client::new(kind, &config).err().expect("both token sources accepted");
            assert_eq!(err.code(), ErrorCode::INVALID_ARG, "{kind:?}: {err}");
            assert!(
                err.message().contains("oauth_cb") && err.message().contains("sasl.oauthbearer.method=oidc"),
                "{kind:?}: {err}"
            );
        }
    }
    // The callback alone (method "default") is still fine.
    let mut config = oidc_config("127.0.0.1:9", &endpoint.url());
    config.set("sasl.oauthbearer.method", "default");
    config.set_oauth_cb(|_| Ok(OAuthToken::new("token", (now_s() as i64 + 60) * 1000, "svc")));
    Producer::new(&config).unwrap();
}

/// Incomplete or contradictory OIDC settings are refused when the client is
/// created, with librdkafka's reason (never quoting the secret).
#[test]
fn incomplete_oidc_settings_are_refused() {
    let url = "http://127.0.0.1:9/token";
    type Edit = fn(&mut Config);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "no endpoint",
            |c: &mut Config| drop(c.remove("sasl.oauthbearer.token.endpoint.url")),
            "sasl.oauthbearer.token.endpoint.url",
        ),
        (
            "no client id",
            |c: &mut Config| drop(c.remove("sasl.oauthbearer.client.id")),
            "sasl.oauthbearer.client.id",
        ),
        (
            "no client secret",
            |c: &mut Config| drop(c.remove("sasl.oauthbearer.client.secret")),
            "sasl.oauthbearer.client.secret",
        ),
        (
            "unsecured JWTs too",
            |c: &mut Config| {
                c.set("enable.sasl.oauthbearer.unsecure.jwt", "true");
            },
            "mutually exclusive",
        ),
    ];
    for (name, edit, expected) in cases {
        let mut config = oidc_config("127.0.0.1:9", url);
        edit(&mut config);
        let err = Producer::new(&config)
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        assert_eq!(err.code(), ErrorCode::INVALID_ARG, "{name}: {err}");
        assert!(err.message().contains(expected), "{name}: {err}");
        assert!(!err.message().contains(CLIENT_SECRET), "{name}: {err}");
    }
}
