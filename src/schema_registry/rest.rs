//! The registry's REST transport: configuration, authentication, TLS,
//! failover across URLs and retries — the Python client's `_RestClient`.

use super::codec::{base64_encode, percent_encode};
use super::error::{is_retriable_status, SchemaRegistryError};
use crate::config::Config;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, SchemaRegistryError>;

/// The registry's media type (requests and responses).
pub(crate) const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
const ACCEPT: &str = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
/// Without a `timeout`, a request gives up after this long (Python's
/// client waits forever; a blocking call that can hang is a bug here).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Every property the client reads (Python's `SchemaRegistryClient`'s, plus
/// `basic.auth.credentials.source` and `sasl.*` for `SASL_INHERIT`).
const KNOWN: &[&str] = &[
    "url",
    "ssl.ca.location",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.certificate.location",
    "basic.auth.user.info",
    "basic.auth.credentials.source",
    "sasl.username",
    "sasl.password",
    "proxy",
    "timeout",
    "cache.capacity",
    "cache.latest.ttl.sec",
    "max.retries",
    "retries.wait.ms",
    "retries.max.wait.ms",
    "bearer.auth.credentials.source",
];

/// The bearer-auth settings, which need `bearer.auth.credentials.source`
/// (read, like [`KNOWN`], by the client).
const BEARER_KEYS: &[&str] = &[
    "bearer.auth.token",
    "bearer.auth.logical.cluster",
    "bearer.auth.identity.pool.id",
    "bearer.auth.issuer.endpoint.url",
    "bearer.auth.client.id",
    "bearer.auth.client.secret",
    "bearer.auth.scope",
];

/// How requests authenticate.
enum Auth {
    None,
    /// The `Authorization` header's value (`Basic ...`).
    Basic(String),
    Bearer(Bearer),
}

/// Bearer fields: a static token, or one fetched with OAuth client credentials.
struct Bearer {
    token: BearerToken,
    logical_cluster: String,
    identity_pool: Option<String>,
}

enum BearerToken {
    Static(String),
    OAuth(OAuthClient),
}

struct OAuthClient {
    endpoint: String,
    client_id: String,
    client_secret: String,
    scope: String,
    /// The token and when to fetch a new one.
    current: Mutex<Option<(String, Instant)>>,
}

/// One base URL, without credentials.
pub(crate) struct Base {
    url: String,
}

pub(crate) struct RestClient {
    bases: Vec<Base>,
    agent: ureq::Agent,
    auth: Auth,
    max_retries: u32,
    retries_wait_ms: u64,
    retries_max_wait_ms: u64,
    timeout: Duration,
    pub(crate) cache_capacity: usize,
    pub(crate) cache_latest_ttl: Option<Duration>,
    /// Secret values, scrubbed from any text an error carries.
    secrets: Vec<String>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            Auth::None => "none",
            Auth::Basic(_) => "basic [REDACTED]",
            Auth::Bearer(Bearer {
                token: BearerToken::Static(_),
                ..
            }) => "bearer (static token) [REDACTED]",
            Auth::Bearer(Bearer {
                token: BearerToken::OAuth(_),
                ..
            }) => "bearer (OAuth client credentials) [REDACTED]",
        };
        f.debug_struct("SchemaRegistryClient")
            .field("urls", &self.bases.iter().map(|b| b.url.as_str()).collect::<Vec<_>>())
            .field("auth", &auth)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("retries_wait_ms", &self.retries_wait_ms)
            .field("retries_max_wait_ms", &self.retries_max_wait_ms)
            .field("cache_capacity", &self.cache_capacity)
            .field("cache_latest_ttl", &self.cache_latest_ttl)
            .finish()
    }
}

fn config_error(message: impl Into<String>) -> SchemaRegistryError {
    SchemaRegistryError::Config(message.into())
}

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T> {
    value
        .trim()
        .parse()
        .map_err(|_| config_error(format!("{key} must be a number, not {value:?}")))
}

/// `scheme://[user[:password]@]host...` split into the URL without the
/// user information, and the decoded `(user, password)` if any.
fn split_userinfo(url: &str) -> Result<(String, Option<(String, String)>)> {
    let Some(at) = url.find("://") else {
        return Err(config_error("Invalid url: no scheme (http:// or https://)"));
    };
    let scheme = &url[..at];
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(config_error(format!("Invalid url scheme {scheme:?}: http or https")));
    }
    let rest = &url[at + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    if host.is_empty() {
        return Err(config_error("Invalid url: no host"));
    }
    let clean = format!("{scheme}://{host}{}", &rest[authority_end..]);
    let userinfo = match userinfo {
        None => None,
        Some(info) => {
            let (user, pass) = info.split_once(':').unwrap_or((info, ""));
            let decode = |s: &str| {
                super::codec::percent_decode(s, false).ok_or_else(|| config_error("Invalid url: bad user information"))
            };
            Some((decode(user)?, decode(pass)?))
        }
    };
    Ok((clean, userinfo))
}

fn read_file(key: &str, path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| config_error(format!("{key}: cannot read {path}: {e}")))
}

/// Certificates in a PEM file, or in every file of a directory.
fn ca_certificates(path: &str) -> Result<Vec<openssl::x509::X509>> {
    let key = "ssl.ca.location";
    let mut certs = Vec::new();
    let meta = std::fs::metadata(path).map_err(|e| config_error(format!("{key}: cannot read {path}: {e}")))?;
    let files: Vec<std::path::PathBuf> = if meta.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| config_error(format!("{key}: cannot read {path}: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    } else {
        vec![path.into()]
    };
    for file in files {
        let pem = read_file(key, &file.to_string_lossy())?;
        // In a directory, files that hold no certificate are skipped.
        match openssl::x509::X509::stack_from_pem(&pem) {
            Ok(found) => certs.extend(found),
            Err(e) if !meta.is_dir() => {
                return Err(config_error(format!("{key}: no PEM certificate in {path}: {e}")));
            }
            Err(_) => {}
        }
    }
    if certs.is_empty() {
        return Err(config_error(format!("{key}: no PEM certificate in {path}")));
    }
    Ok(certs)
}

fn tls_connector(conf: &mut BTreeMap<String, String>) -> Result<native_tls::TlsConnector> {
    let ca = conf.remove("ssl.ca.location");
    let cert = conf.remove("ssl.certificate.location");
    let key = conf.remove("ssl.key.location");
    let key_password = conf.remove("ssl.key.password");
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(ca) = ca.as_deref() {
        // Only this CA, as Python's ssl.create_default_context(cafile=...).
        builder.disable_built_in_roots(true);
        for c in ca_certificates(ca)? {
            let der = c.to_der().map_err(|e| config_error(format!("ssl.ca.location: {e}")))?;
            let c =
                native_tls::Certificate::from_der(&der).map_err(|e| config_error(format!("ssl.ca.location: {e}")))?;
            builder.add_root_certificate(c);
        }
    }
    match (cert.as_deref(), key.as_deref()) {
        (None, Some(_)) => {
            return Err(config_error(
                "ssl.certificate.location required when configuring ssl.key.location or ssl.key.password",
            ))
        }
        (None, None) if key_password.is_some() => {
            return Err(config_error(
                "ssl.certificate.location required when configuring ssl.key.location or ssl.key.password",
            ))
        }
        (None, None) => {}
        (Some(cert), key) => {
            let k = "ssl.certificate.location";
            let cert_pem = read_file(k, cert)?;
            let chain = openssl::x509::X509::stack_from_pem(&cert_pem)
                .map_err(|e| config_error(format!("{k}: no PEM certificate in {cert}: {e}")))?;
            let (key_key, key_path) = match key {
                Some(path) => ("ssl.key.location", path),
                None => (k, cert),
            };
            let key_pem = read_file(key_key, key_path)?;
            let pkey = match key_password.as_deref() {
                Some(p) => openssl::pkey::PKey::private_key_from_pem_passphrase(&key_pem, p.as_bytes()),
                None => openssl::pkey::PKey::private_key_from_pem(&key_pem),
            }
            .map_err(|_| config_error(format!("{key_key}: cannot read a private key from {key_path}")))?;
            let pkcs8 = pkey
                .private_key_to_pem_pkcs8()
                .map_err(|e| config_error(format!("{key_key}: {e}")))?;
            let mut chain_pem = Vec::new();
            for c in &chain {
                chain_pem.extend(c.to_pem().map_err(|e| config_error(format!("{k}: {e}")))?);
            }
            let identity =
                native_tls::Identity::from_pkcs8(&chain_pem, &pkcs8).map_err(|e| config_error(format!("{k}: {e}")))?;
            builder.identity(identity);
        }
    }
    builder
        .build()
        .map_err(|e| config_error(format!("cannot set up TLS: {e}")))
}

impl RestClient {
    pub(crate) fn new(config: &Config) -> Result<Self> {
        let mut conf: BTreeMap<String, String> = config.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut secrets = Vec::new();
        for key in [
            "basic.auth.user.info",
            "sasl.password",
            "ssl.key.password",
            "bearer.auth.token",
            "bearer.auth.client.secret",
        ] {
            if let Some(v) = conf.get(key).filter(|v| !v.is_empty()) {
                secrets.push(v.clone());
            }
        }
        let unknown: Vec<&str> = conf
            .keys()
            .map(String::as_str)
            .filter(|k| !KNOWN.contains(k) && !BEARER_KEYS.contains(k))
            .collect();
        if !unknown.is_empty() {
            return Err(config_error(format!("Unrecognized properties: {}", unknown.join(", "))));
        }

        let url = conf
            .remove("url")
            .ok_or_else(|| config_error("Missing required configuration property url"))?;
        let mut bases = Vec::new();
        let mut url_userinfo = None;
        for (i, u) in url.split(',').enumerate() {
            let u = u.trim().trim_end_matches('/');
            if u.is_empty() {
                continue;
            }
            let (clean, info) = split_userinfo(u)?;
            if let Some((_, p)) = &info {
                if !p.is_empty() {
                    secrets.push(p.clone());
                }
            }
            // As Python's: the first URL's user information is the one used.
            if i == 0 {
                url_userinfo = info;
            }
            bases.push(Base { url: clean });
        }
        if bases.is_empty() {
            return Err(config_error("Missing required configuration property url"));
        }

        let timeout = match conf.remove("timeout") {
            Some(v) => {
                let secs: f64 = number("timeout", &v)?;
                if !(secs > 0.0 && secs.is_finite() && secs < 1e9) {
                    return Err(config_error(format!(
                        "timeout must be a positive number of seconds, not {v:?}"
                    )));
                }
                Duration::from_secs_f64(secs)
            }
            None => DEFAULT_TIMEOUT,
        };
        let cache_capacity = match conf.remove("cache.capacity") {
            Some(v) => {
                let n: f64 = number("cache.capacity", &v)?;
                if !(0.0..=1e9).contains(&n) {
                    return Err(config_error(format!("cache.capacity must be at least 0, not {v:?}")));
                }
                n as usize
            }
            None => 1000,
        };
        let cache_latest_ttl = match conf.remove("cache.latest.ttl.sec") {
            Some(v) => {
                let secs: f64 = number("cache.latest.ttl.sec", &v)?;
                if !(secs >= 0.0 && secs.is_finite() && secs < 1e12) {
                    return Err(config_error(format!(
                        "cache.latest.ttl.sec must be at least 0, not {v:?}"
                    )));
                }
                Some(Duration::from_secs_f64(secs))
            }
            None => None,
        };
        let mut int = |key: &str, default: u64| -> Result<u64> {
            match conf.remove(key) {
                Some(v) => {
                    let n: f64 = number(key, &v)?;
                    if !(0.0..=1e12).contains(&n) {
                        return Err(config_error(format!("{key} must be at least 0, not {v:?}")));
                    }
                    Ok(n as u64)
                }
                None => Ok(default),
            }
        };
        let max_retries = int("max.retries", 3)?.min(u64::from(u32::MAX)) as u32;
        let retries_wait_ms = int("retries.wait.ms", 1000)?;
        let retries_max_wait_ms = int("retries.max.wait.ms", 20000)?;

        let auth = Self::auth(&mut conf, url_userinfo)?;

        let connector = tls_connector(&mut conf)?;
        let mut builder = ureq::AgentBuilder::new()
            .timeout(timeout)
            .redirects(0)
            .user_agent(concat!("ferrokafka/", env!("CARGO_PKG_VERSION")))
            .tls_connector(Arc::new(connector));
        if let Some(proxy) = conf.remove("proxy") {
            let proxy = ureq::Proxy::new(&proxy).map_err(|_| config_error("proxy: invalid proxy URL"))?;
            builder = builder.proxy(proxy);
        }
        debug_assert!(conf.keys().all(|k| k.starts_with("sasl.")), "unread: {:?}", conf.keys());
        Ok(RestClient {
            bases,
            agent: builder.build(),
            auth,
            max_retries,
            retries_wait_ms,
            retries_max_wait_ms,
            timeout,
            cache_capacity,
            cache_latest_ttl,
            secrets,
        })
    }

    fn auth(conf: &mut BTreeMap<String, String>, url_userinfo: Option<(String, String)>) -> Result<Auth> {
        let user_info = conf.remove("basic.auth.user.info");
        let sasl_user = conf.remove("sasl.username");
        let sasl_pass = conf.remove("sasl.password");
        let source = conf.remove("basic.auth.credentials.source");
        let bearer = conf.remove("bearer.auth.credentials.source");
        let basic = |user: String, pass: String| {
            Auth::Basic(format!("Basic {}", base64_encode(format!("{user}:{pass}").as_bytes())))
        };
        let split = |info: &str| -> Result<(String, String)> {
            info.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .ok_or_else(|| config_error("basic.auth.user.info must be in the form of {username}:{password}"))
        };
        let basic_auth = match source.as_deref().map(str::to_ascii_uppercase).as_deref() {
            // Python's rule: the URL's user information, or
            // basic.auth.user.info, not both.
            None => match (url_userinfo, user_info) {
                (Some(_), Some(_)) => {
                    return Err(config_error(
                        "basic.auth.user.info configured with userinfo credentials in the URL. Remove userinfo credentials from the url or remove basic.auth.user.info from the configuration",
                    ))
                }
                (Some((u, p)), None) => Some(basic(u, p)),
                (None, Some(info)) => {
                    let (u, p) = split(&info)?;
                    Some(basic(u, p))
                }
                (None, None) => None,
            },
            Some("USER_INFO") => {
                let info = user_info
                    .ok_or_else(|| config_error("basic.auth.credentials.source USER_INFO needs basic.auth.user.info"))?;
                let (u, p) = split(&info)?;
                Some(basic(u, p))
            }
            Some("URL") => {
                let (u, p) = url_userinfo
                    .ok_or_else(|| config_error("basic.auth.credentials.source URL needs user information in the url"))?;
                Some(basic(u, p))
            }
            Some("SASL_INHERIT") => {
                let (Some(u), Some(p)) = (sasl_user, sasl_pass) else {
                    return Err(config_error(
                        "basic.auth.credentials.source SASL_INHERIT needs sasl.username and sasl.password",
                    ));
                };
                Some(basic(u, p))
            }
            Some(other) => {
                return Err(config_error(format!(
                    "Unrecognized basic.auth.credentials.source {other:?}: USER_INFO, URL or SASL_INHERIT"
                )))
            }
        };
        let mut take = |key: &str| conf.remove(key);
        let bearer_auth = match bearer.as_deref() {
            None => None,
            Some(source @ ("STATIC_TOKEN" | "OAUTHBEARER")) => {
                let logical_cluster = take("bearer.auth.logical.cluster").ok_or_else(|| {
                    config_error("Missing required bearer configuration properties: bearer.auth.logical.cluster")
                })?;
                let identity_pool = take("bearer.auth.identity.pool.id");
                let token = if source == "STATIC_TOKEN" {
                    BearerToken::Static(
                        take("bearer.auth.token")
                            .ok_or_else(|| config_error("Missing bearer.auth.token for STATIC_TOKEN"))?,
                    )
                } else {
                    let mut missing = Vec::new();
                    let mut get = |key: &'static str| {
                        let v = take(key);
                        if v.is_none() {
                            missing.push(key);
                        }
                        v.unwrap_or_default()
                    };
                    let client_id = get("bearer.auth.client.id");
                    let client_secret = get("bearer.auth.client.secret");
                    let scope = get("bearer.auth.scope");
                    let endpoint = get("bearer.auth.issuer.endpoint.url");
                    if !missing.is_empty() {
                        return Err(config_error(format!(
                            "Missing required OAuth configuration properties: {}",
                            missing.join(", ")
                        )));
                    }
                    let (endpoint, info) = split_userinfo(endpoint.trim())?;
                    if info.is_some() {
                        return Err(config_error(
                            "bearer.auth.issuer.endpoint.url must not carry credentials",
                        ));
                    }
                    BearerToken::OAuth(OAuthClient {
                        endpoint,
                        client_id,
                        client_secret,
                        scope,
                        current: Mutex::new(None),
                    })
                };
                Some(Auth::Bearer(Bearer {
                    token,
                    logical_cluster,
                    identity_pool,
                }))
            }
            Some(other) => {
                return Err(config_error(format!(
                    "Unrecognized bearer.auth.credentials.source {other:?}: STATIC_TOKEN or OAUTHBEARER"
                )))
            }
        };
        for &key in BEARER_KEYS {
            if conf.remove(key).is_some() {
                return Err(config_error(format!("{key} needs bearer.auth.credentials.source")));
            }
        }
        match (basic_auth, bearer_auth) {
            (Some(_), Some(_)) => Err(config_error(
                "basic authentication and bearer.auth.credentials.source cannot both be configured",
            )),
            (Some(a), None) | (None, Some(a)) => Ok(a),
            (None, None) => Ok(Auth::None),
        }
    }

    /// Scrubs the configured secrets out of `text`.
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[REDACTED]");
            }
        }
        out
    }

    /// A delay before retry `attempt` (0-based): full jitter, as Python's
    /// `full_jitter`: uniformly random up to `min(wait * 2^attempt, max)`.
    fn backoff(&self, attempt: u32) -> Duration {
        use std::hash::{BuildHasher, Hasher};
        let cap = self
            .retries_wait_ms
            .saturating_mul(1u64.checked_shl(attempt.min(62)).unwrap_or(u64::MAX))
            .min(self.retries_max_wait_ms);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(attempt);
        let r = (h.finish() >> 11) as f64 / (1u64 << 53) as f64;
        Duration::from_millis((r * cap as f64) as u64)
    }

    /// Sends `method path?query` with `body` to each URL in turn (Python's
    /// `send_request`): the first success returns; a non-retriable error
    /// status or the last URL's failure is the error. The JSON response,
    /// `None` for an empty one.
    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Option<serde_json::Value>> {
        let request = format!("{method} /{path}");
        let mut path_query = path.to_string();
        for (i, (k, v)) in query.iter().enumerate() {
            path_query.push(if i == 0 { '?' } else { '&' });
            path_query.push_str(k);
            path_query.push('=');
            path_query.push_str(&percent_encode(v));
        }
        let body = body.map(|b| b.to_string());
        let mut last = None;
        for (i, base) in self.bases.iter().enumerate() {
            let is_last = i + 1 == self.bases.len();
            match self.send_one(base, method, &request, &path_query, body.as_deref()) {
                Ok((status, text)) if (200..300).contains(&status) => {
                    if text.trim().is_empty() {
                        return Ok(None);
                    }
                    return serde_json::from_str(&text).map(Some).map_err(|e| {
                        SchemaRegistryError::InvalidResponse(format!("{request}: the response is not JSON: {e}"))
                    });
                }
                Ok((status, text)) => {
                    last = Some((status, text));
                    if !is_retriable_status(status) || is_last {
                        break;
                    }
                }
                Err(e) => {
                    if is_last {
                        return Err(e);
                    }
                }
            }
        }
        let (status, text) = last.unwrap_or((0, String::new()));
        let parsed: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let code = parsed
            .as_ref()
            .and_then(|v| v.get("error_code"))
            .and_then(|c| c.as_i64())
            .and_then(|c| i32::try_from(c).ok());
        let message = parsed
            .as_ref()
            .and_then(|v| v.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_string);
        let (error_code, message) = match (code, message) {
            (Some(c), Some(m)) => (c, m),
            (c, m) => {
                let shown: String = text.chars().take(200).collect();
                (
                    c.unwrap_or(-1),
                    m.unwrap_or_else(|| format!("Unknown Schema Registry Error: {shown}")),
                )
            }
        };
        Err(SchemaRegistryError::Http {
            request,
            status,
            error_code,
            message: self.scrub(&message),
        })
    }

    /// One URL, with retries (Python's `send_http_request`): the status and
    /// body of the last response, or the last transport error.
    fn send_one(
        &self,
        base: &Base,
        method: &str,
        request: &str,
        path_query: &str,
        body: Option<&str>,
    ) -> Result<(u16, String)> {
        let url = format!("{}/{}", base.url, path_query);
        let mut attempt = 0;
        loop {
            let outcome = self.attempt(method, &url, request, body);
            let retry = match &outcome {
                Ok((status, _)) => is_retriable_status(*status),
                Err(SchemaRegistryError::Transport(_) | SchemaRegistryError::Timeout(_)) => true,
                Err(_) => false,
            };
            if !retry || attempt >= self.max_retries {
                return outcome;
            }
            std::thread::sleep(self.backoff(attempt));
            attempt += 1;
        }
    }

    fn attempt(&self, method: &str, url: &str, request: &str, body: Option<&str>) -> Result<(u16, String)> {
        let mut req = self.agent.request(method, url).set("Accept", ACCEPT);
        req = self.authenticate(req)?;
        let result = match body {
            Some(b) => req.set("Content-Type", CONTENT_TYPE).send_string(b),
            None => req.call(),
        };
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(self.transport_error(request, url, &t)),
        };
        let status = response.status();
        match response.into_string() {
            Ok(text) => Ok((status, text)),
            Err(e) if is_timeout(&e) => Err(SchemaRegistryError::Timeout(format!(
                "{request}: no complete answer from {} within {:?}",
                origin(url),
                self.timeout
            ))),
            Err(e) => Err(SchemaRegistryError::Transport(
                self.scrub(&format!("{request}: reading the answer from {}: {e}", origin(url))),
            )),
        }
    }

    fn transport_error(&self, request: &str, url: &str, t: &ureq::Transport) -> SchemaRegistryError {
        let mut timed_out = false;
        let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(t);
        while let Some(s) = source {
            if s.downcast_ref::<std::io::Error>().is_some_and(is_timeout) {
                timed_out = true;
            }
            source = s.source();
        }
        if timed_out {
            return SchemaRegistryError::Timeout(format!(
                "{request}: no answer from {} within {:?}",
                origin(url),
                self.timeout
            ));
        }
        let mut detail = t.kind().to_string();
        if let Some(m) = t.message() {
            detail.push_str(": ");
            detail.push_str(m);
        }
        if let Some(s) = std::error::Error::source(t) {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
        }
        SchemaRegistryError::Transport(self.scrub(&format!("{request}: cannot reach {}: {detail}", origin(url))))
    }

    fn authenticate(&self, req: ureq::Request) -> Result<ureq::Request> {
        Ok(match &self.auth {
            Auth::None => req,
            Auth::Basic(header) => req.set("Authorization", header),
            Auth::Bearer(b) => {
                let token = match &b.token {
                    BearerToken::Static(t) => t.clone(),
                    BearerToken::OAuth(o) => self.oauth_token(o)?,
                };
                let mut req = req
                    .set("Authorization", &format!("Bearer {token}"))
                    .set("target-sr-cluster", &b.logical_cluster);
                if let Some(pool) = &b.identity_pool {
                    req = req.set("Confluent-Identity-Pool-Id", pool);
                }
                req
            }
        })
    }

    /// The current OAuth token, fetched anew (client credentials grant)
    /// when none is held or 80% of its lifetime has passed.
    fn oauth_token(&self, o: &OAuthClient) -> Result<String> {
        let mut current = o.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, refresh_at)) = current.as_ref() {
            if Instant::now() < *refresh_at {
                return Ok(token.clone());
            }
        }
        let request = "POST (token endpoint)";
        let body = format!("grant_type=client_credentials&scope={}", percent_encode(&o.scope));
        let basic = format!(
            "Basic {}",
            base64_encode(format!("{}:{}", percent_encode(&o.client_id), percent_encode(&o.client_secret)).as_bytes())
        );
        let mut attempt = 0;
        let text = loop {
            let result = self
                .agent
                .post(&o.endpoint)
                .set("Authorization", &basic)
                .set("Accept", "application/json")
                .set("Content-Type", "application/x-www-form-urlencoded")
                .send_string(&body);
            let outcome = match result {
                Ok(r) => r
                    .into_string()
                    .map_err(|e| SchemaRegistryError::Transport(format!("{request}: reading the token: {e}"))),
                Err(ureq::Error::Status(status, r)) => {
                    let text: String = r.into_string().unwrap_or_default().chars().take(200).collect();
                    Err(SchemaRegistryError::Http {
                        request: request.to_string(),
                        status,
                        error_code: -1,
                        message: self.scrub(&format!("cannot get an OAuth token: {text}")),
                    })
                }
                Err(ureq::Error::Transport(t)) => Err(self.transport_error(request, &o.endpoint, &t)),
            };
            match outcome {
                Ok(text) => break text,
                Err(e) if attempt >= self.max_retries || !e.is_retriable() => return Err(e),
                Err(_) => {
                    std::thread::sleep(self.backoff(attempt));
                    attempt += 1;
                }
            }
        };
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|_| SchemaRegistryError::InvalidResponse(format!("{request}: the token response is not JSON")))?;
        let token = v
            .get("access_token")
            .and_then(|t| t.as_str())
            .ok_or_else(|| SchemaRegistryError::InvalidResponse(format!("{request}: no access_token in the response")))?
            .to_string();
        let expires_in = v
            .get("expires_in")
            .and_then(|e| e.as_f64())
            .unwrap_or(3600.0)
            .clamp(0.0, 1e9);
        let refresh_at = Instant::now() + Duration::from_secs_f64(expires_in * 0.8);
        *current = Some((token.clone(), refresh_at));
        Ok(token)
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
}

/// `scheme://host:port` of a URL (which carries no credentials here).
fn origin(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find(['/', '?']).map_or(url.len(), |i| start + i);
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_is_split_off_the_url_and_decoded() {
        let (clean, info) = split_userinfo("https://us%40er:p%3Ass@host:8081/base").unwrap();
        assert_eq!(clean, "https://host:8081/base");
        assert_eq!(info, Some(("us@er".to_string(), "p:ss".to_string())));
        assert_eq!(split_userinfo("http://h:1").unwrap(), ("http://h:1".to_string(), None));
        assert!(split_userinfo("ftp://h").is_err());
        assert!(split_userinfo("h:8081").is_err());
        assert!(split_userinfo("http://").is_err());
        assert_eq!(origin("http://h:1/subjects?x=1"), "http://h:1");
    }
}
