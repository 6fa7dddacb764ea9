//! [`MockSchemaRegistry`]: an embedded Schema Registry for tests, an
//! HTTP/1.1 server on loopback written on `std::net` (a thread that
//! accepts, a thread per connection, one request per connection).

mod store;

use super::codec::{base64_encode, percent_decode};
use super::rest::CONTENT_TYPE;
use super::SchemaRegistryError;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use store::{Request, Store};

/// The largest request head and body the mock reads.
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long a connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A request the mock received, for tests to inspect.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRequest {
    /// `GET`, `POST`, `PUT`, `DELETE`.
    pub method: String,
    /// The path, as sent (percent-encoded), e.g. `/subjects/a%2Fb/versions`.
    pub path: String,
    /// The query string without `?` (empty when none).
    pub query: String,
    /// The headers, names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
}

impl RegistryRequest {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An embedded Schema Registry for tests (as [`MockCluster`](crate::MockCluster)
/// is a Kafka cluster): an HTTP/1.1 server on `127.0.0.1`, started in the
/// process, with the registry's REST API — ids global and stable,
/// versions per subject, soft and hard deletes, compatibility levels and
/// modes, references, and the real registry's status codes, error codes
/// and messages. No Java, no network. Dropping it stops the server and
/// joins its threads (connections still open are shut down).
///
/// Python's `SchemaRegistryClient` works against it too
/// (`tests/interop/schema_registry_tool.py`).
///
/// # Endpoints
///
/// | endpoint | what it does |
/// |---|---|
/// | `POST /subjects/{s}/versions` | registers (`schema`, `schemaType`, `references`); returns `{"id"}`: the schema's id if the same schema (same type, same references, same text once parsed for AVRO and JSON) was registered before under any subject, else a new one; a new version unless the subject already has the schema; 409 when incompatible, 422/42201 invalid schema or unknown reference, 422/42205 read-only mode |
/// | `POST /subjects/{s}` (`?deleted`) | looks a schema up: `{subject, version, id, schema, schemaType, references}`; 404/40401, 404/40403 |
/// | `GET /subjects/{s}/versions/{v\|latest\|-1}` (`?deleted`) | one version; 404/40401, 404/40402, 422/42202 |
/// | `GET /subjects/{s}/versions` (`?deleted`, `?deleted_only`) | version numbers; 404/40401 |
/// | `GET /subjects/{s}/versions/{v}/referencedby` | ids of the schemas referring to it |
/// | `DELETE /subjects/{s}` (`?permanent`) | soft delete (404/40404 when already), hard delete (404/40405 without a soft delete first); returns the versions; 422/42206 when referenced |
/// | `DELETE /subjects/{s}/versions/{v\|latest}` (`?permanent`) | the same for one version (40406, 40407, 42206); returns the version |
/// | `GET /subjects` (`?deleted`, `?deleted_only`, `?subjectPrefix`) | subject names, sorted |
/// | `GET /schemas/ids/{id}` | `{schema, schemaType, references}` (`schemaType` omitted for AVRO, as the registry does); 404/40403 |
/// | `GET /schemas/ids/{id}/versions`, `/subjects` (`?deleted`) | where the id is registered |
/// | `GET /schemas/types` | `["AVRO", "JSON", "PROTOBUF"]` |
/// | `GET`, `PUT`, `DELETE /config` | the global compatibility level (`BACKWARD` by default) and `normalize`; 422/42203 for an unknown level |
/// | `GET`, `PUT`, `DELETE /config/{s}` (`?defaultToGlobal`) | a subject's level; 404/40408 when it has none |
/// | `GET`, `PUT /mode` (`?force`) | the global mode (`READWRITE` by default); 422/42204 unknown mode, 422/42205 `IMPORT` over existing schemas without `force` |
/// | `GET`, `PUT`, `DELETE /mode/{s}` (`?defaultToGlobal`) | a subject's mode; 404/40409 when it has none |
/// | `POST /compatibility/subjects/{s}/versions/{v\|latest}` (`?verbose`) | `{"is_compatible"}` against that version, in the level's direction; `messages` with `verbose` |
/// | `POST /compatibility/subjects/{s}/versions` | against the versions the level names (all for `*_TRANSITIVE`) |
///
/// Other paths answer 404 (`error_code` 404), other methods on known
/// paths 405. Answers are `application/vnd.schemaregistry.v1+json`;
/// every connection is closed after its answer.
///
/// # Compatibility
///
/// The levels are stored and applied (`BACKWARD` checks a new schema as a
/// reader of the latest, `FORWARD` the latest as a reader of the new one,
/// `FULL` both, `*_TRANSITIVE` against every live version, `NONE` nothing;
/// schemas of different types are incompatible). The check of two schemas
/// of one format is pluggable ([`set_compatibility_check`](Self::set_compatibility_check)).
/// With the `avro` feature, Avro schemas are checked by apache-avro's
/// `SchemaCompatibility` (the Avro specification's resolution rules; a
/// reader that can read only some of an enum's symbols or a union's
/// branches is incompatible, as the registry says). With the
/// `json-schema` feature, JSON schemas are checked structurally: the
/// reader must accept every instance the writer accepts (types, enums,
/// bounds, lengths, open and closed content models, required properties,
/// combinators, local and recursive `$ref`s; a `$ref` to another
/// registered schema only when both sides name the same one), and what
/// cannot be proven is incompatible, named as the registry names its
/// differences (`PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL`, ...). With the
/// `protobuf` feature, Protobuf schemas (`.proto` text or base64
/// descriptors) are checked by Confluent's Protobuf rules on the two files
/// alone: same package, no message removed or moved, field kinds within
/// wire-compatible groups, no `required` added or removed, oneof moves
/// (see the `protobuf` module). Without a format's feature, any two schemas
/// of that format are compatible. Avro schemas with references (which do
/// not parse alone) are not checked.
///
/// # Not covered
///
/// Schema normalization beyond parsing (`normalize` is accepted and
/// ignored), `format`, contexts, metadata and rule sets (data contracts),
/// `IMPORT` with given ids, pagination (`offset`, `limit` are ignored),
/// `/contexts`, `/exporters`, DEK and association endpoints.
///
/// # Fault injection
///
/// [`fail_next`](Self::fail_next) answers the next requests with an error
/// status; [`set_unresponsive`](Self::set_unresponsive) holds requests
/// unanswered; [`set_basic_auth`](Self::set_basic_auth) and
/// [`set_bearer_auth`](Self::set_bearer_auth) require credentials (401
/// without them); [`requests`](Self::requests) lists what was received.
pub struct MockSchemaRegistry {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled when a request arrives, `unresponsive` is cleared or the
    /// mock stops.
    wake: Condvar,
    stop: AtomicBool,
    /// Open connections (to shut down on drop) and their threads.
    connections: Mutex<Vec<(TcpStream, JoinHandle<()>)>>,
}

#[derive(Default)]
struct State {
    store: Store,
    requests: Vec<RegistryRequest>,
    failures: VecDeque<u16>,
    unresponsive: bool,
    /// The `Authorization` header value required, if any.
    authorization: Option<String>,
}

impl fmt::Debug for MockSchemaRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockSchemaRegistry").field("url", &self.url()).finish()
    }
}

impl MockSchemaRegistry {
    /// Starts an empty registry on `127.0.0.1` (a free port).
    ///
    /// Errors: [`SchemaRegistryError::Transport`] when no port can be bound.
    pub fn new() -> Result<Self, SchemaRegistryError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| SchemaRegistryError::Transport(format!("cannot bind 127.0.0.1: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| SchemaRegistryError::Transport(format!("cannot bind 127.0.0.1: {e}")))?;
        #[allow(unused_mut)] // without the format features
        let mut state = State::default();
        #[cfg(feature = "avro")]
        state.store.checks.insert(
            super::Schema::AVRO.to_string(),
            Arc::new(super::avro::compatibility_check),
        );
        #[cfg(feature = "json-schema")]
        state.store.checks.insert(
            super::Schema::JSON.to_string(),
            Arc::new(super::json_compat::compatibility_check),
        );
        #[cfg(feature = "protobuf")]
        state.store.checks.insert(
            super::Schema::PROTOBUF.to_string(),
            Arc::new(super::protobuf::compatibility_check),
        );
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
            connections: Mutex::new(Vec::new()),
        });
        let s = Arc::clone(&shared);
        let acceptor = std::thread::Builder::new()
            .name("mock-schema-registry".into())
            .spawn(move || accept_loop(listener, s))
            .map_err(|e| SchemaRegistryError::Transport(format!("cannot start the mock registry's thread: {e}")))?;
        Ok(MockSchemaRegistry {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The registry's URL, `http://127.0.0.1:PORT`: the client's `url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RegistryRequest> {
        self.state().requests.clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }

    /// Waits until `count` requests have been received (counting since the
    /// last [`clear_requests`](Self::clear_requests)), for at most
    /// `timeout`; whether they were.
    pub fn wait_for_requests(&self, count: usize, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let mut s = self.state();
        while s.requests.len() < count {
            let now = std::time::Instant::now();
            if now >= deadline {
                return false;
            }
            s = self
                .shared
                .wake
                .wait_timeout(s, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }

    /// Answers the next `count` requests with `status` (and an
    /// `error_code` of 50001 for 500, else the status itself) instead of
    /// serving them.
    pub fn fail_next(&self, count: usize, status: u16) {
        let mut s = self.state();
        s.failures.extend(std::iter::repeat_n(status, count));
    }

    /// While set, requests are read but not answered (until it is cleared,
    /// when they are served, or the mock is dropped, when their
    /// connections are shut down): a registry that hangs.
    pub fn set_unresponsive(&self, unresponsive: bool) {
        self.state().unresponsive = unresponsive;
        self.shared.wake.notify_all();
    }

    /// Requires HTTP basic authentication with `user` and `password`;
    /// requests without them get 401.
    pub fn set_basic_auth(&self, user: &str, password: &str) {
        self.state().authorization = Some(format!(
            "Basic {}",
            base64_encode(format!("{user}:{password}").as_bytes())
        ));
    }

    /// Requires `Authorization: Bearer {token}`; requests without it get 401.
    pub fn set_bearer_auth(&self, token: &str) {
        self.state().authorization = Some(format!("Bearer {token}"));
    }

    /// Sets how two schemas of `schema_type` (`"AVRO"`, `"JSON"`,
    /// `"PROTOBUF"`) are checked: `check(reader, writer)` is `Ok` when a
    /// reader using schema text `reader` can read data written with
    /// `writer`, else `Err` with the reason (which 409 answers and
    /// `verbose` compatibility tests carry).
    pub fn set_compatibility_check(
        &self,
        schema_type: &str,
        check: impl Fn(&str, &str) -> Result<(), String> + Send + Sync + 'static,
    ) {
        self.state()
            .store
            .checks
            .insert(schema_type.to_string(), Arc::new(check));
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for MockSchemaRegistry {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        {
            // Under the lock, so that no waiter misses it.
            let _s = self.shared.state();
            self.shared.wake.notify_all();
        }
        // Wakes the acceptor out of accept(); if connecting fails the
        // listener is gone already.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5));
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
        let connections = std::mem::take(&mut *self.shared.connections.lock().unwrap_or_else(|e| e.into_inner()));
        for (stream, _) in &connections {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for (_, t) in connections {
            let _ = t.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Ok(handle) = stream.try_clone() else { continue };
        let s = Arc::clone(&shared);
        let Ok(thread) = std::thread::Builder::new()
            .name("mock-schema-registry-conn".into())
            .spawn(move || serve(stream, &s))
        else {
            continue;
        };
        let mut conns = shared.connections.lock().unwrap_or_else(|e| e.into_inner());
        // Finished connections are joined here, so the list stays short.
        let (done, open): (Vec<_>, Vec<_>) = std::mem::take(&mut *conns)
            .into_iter()
            .partition(|(_, t)| t.is_finished());
        *conns = open;
        conns.push((handle, thread));
        drop(conns);
        for (_, t) in done {
            let _ = t.join();
        }
        // A drop that took the list before this push shuts it down here.
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
    }
    // Connections accepted after the drop took its list.
    let conns = std::mem::take(&mut *shared.connections.lock().unwrap_or_else(|e| e.into_inner()));
    for (stream, _) in &conns {
        let _ = stream.shutdown(Shutdown::Both);
    }
    for (_, t) in conns {
        let _ = t.join();
    }
}

/// A request head and body, read from the connection.
struct Raw {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Reads one request; `Err` carries the status to answer with (0: none,
/// the connection just closed).
fn read_request(stream: &mut TcpStream) -> Result<Raw, u16> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(431);
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(0),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        // Not a request line (a TLS handshake, say): answer at once rather
        // than wait for a head that never comes.
        if !buf[0].is_ascii_uppercase() {
            return Err(400);
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| 400u16)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().ok_or(400u16)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(400);
    };
    if !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return Err(400);
    }
    let mut headers = Vec::new();
    for line in lines {
        let (k, v) = line.split_once(':').ok_or(400u16)?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if header("transfer-encoding").is_some() {
        return Err(411);
    }
    let length: usize = match header("content-length") {
        Some(v) => v.parse().map_err(|_| 400u16)?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err(413);
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(0),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(length);
    Ok(Raw {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

fn respond(stream: &mut TcpStream, status: u16, body: &serde_json::Value) {
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {CONTENT_TYPE}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reason(status),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn error_body(status: u16, message: &str) -> serde_json::Value {
    let code = if status == 500 { 50001 } else { i32::from(status) };
    serde_json::json!({"error_code": code, "message": message})
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    serve_one(&mut stream, shared);
    // The end of the answer: the mock's list of connections holds a clone
    // of the socket until this thread is joined, so dropping this one
    // would not close it.
    let _ = stream.shutdown(Shutdown::Write);
}

fn serve_one(stream: &mut TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let raw = match read_request(stream) {
        Ok(r) => r,
        Err(0) => return,
        Err(status) => {
            respond(stream, status, &error_body(status, reason(status)));
            return;
        }
    };
    let (path, query) = raw.target.split_once('?').unwrap_or((&raw.target, ""));
    let recorded = RegistryRequest {
        method: raw.method.clone(),
        path: path.to_string(),
        query: query.to_string(),
        headers: raw.headers.clone(),
    };
    let mut state = shared.state();
    state.requests.push(recorded.clone());
    shared.wake.notify_all();
    while state.unresponsive && !shared.stop.load(Ordering::SeqCst) {
        state = shared.wake.wait(state).unwrap_or_else(|e| e.into_inner());
    }
    if shared.stop.load(Ordering::SeqCst) {
        return;
    }
    if let Some(status) = state.failures.pop_front() {
        drop(state);
        respond(stream, status, &error_body(status, "Injected failure"));
        return;
    }
    if let Some(required) = &state.authorization {
        if recorded.header("authorization") != Some(required.as_str()) {
            drop(state);
            respond(stream, 401, &error_body(401, "Unauthorized"));
            return;
        }
    }
    let answer = match parse_target(path, query) {
        Some((segments, query)) => state.store.handle(&Request {
            method: &raw.method,
            segments,
            query,
            body: &raw.body,
        }),
        None => (400, error_body(400, "Bad Request: malformed percent-encoding")),
    };
    drop(state);
    respond(stream, answer.0, &answer.1);
}

/// Path segments and query parameters, decoded.
fn parse_target(path: &str, query: &str) -> Option<(Vec<String>, HashMap<String, String>)> {
    let segments = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .map(|s| percent_decode(s, false))
        .collect::<Option<Vec<_>>>()?;
    let mut params = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(percent_decode(k, true)?, percent_decode(v, true)?);
    }
    Some((segments, params))
}
