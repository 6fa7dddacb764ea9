//! [`SchemaRegistryClient`]: the registry's REST API, with the Python
//! client's caches.

use super::cache::Lru;
use super::codec::percent_encode;
use super::rest::RestClient;
use super::{
    CompatibilityLevel, Mode, RegisteredSchema, Schema, SchemaReference, SchemaRegistryError, ServerConfig,
    SubjectVersion,
};
use crate::config::Config;
use serde_json::{json, Value};
use std::fmt;
use std::sync::Mutex;

type Result<T> = std::result::Result<T, SchemaRegistryError>;

/// A Confluent Schema Registry client (Python's `SchemaRegistryClient`):
/// blocking, `Send + Sync`, to be shared through an `Arc`.
///
/// Configured with a [`Config`] holding the Python client's keys (only
/// its properties are read; an unknown key is an error, as in Python):
///
/// | key | meaning |
/// |---|---|
/// | `url` | the registry's URL; several, comma-separated, are tried in turn (failover) |
/// | `basic.auth.user.info` | `user:password` for HTTP basic authentication (else the first URL's `user:password@`, never both) |
/// | `basic.auth.credentials.source` | `USER_INFO` (`basic.auth.user.info`), `URL` (the URL's user information) or `SASL_INHERIT` (`sasl.username`, `sasl.password`) |
/// | `bearer.auth.credentials.source` | `STATIC_TOKEN` (`bearer.auth.token`) or `OAUTHBEARER` (client credentials: `bearer.auth.issuer.endpoint.url`, `bearer.auth.client.id`, `bearer.auth.client.secret`, `bearer.auth.scope`); with `bearer.auth.logical.cluster` and optionally `bearer.auth.identity.pool.id` |
/// | `ssl.ca.location` | a PEM CA bundle (file or directory) to verify the registry with, instead of the system's |
/// | `ssl.certificate.location`, `ssl.key.location`, `ssl.key.password` | a client certificate (PEM) and its key (any PEM form, encrypted or not) |
/// | `proxy` | an HTTP proxy, `http://host:port` |
/// | `timeout` | seconds a request may take (default 30; Python's waits forever) |
/// | `cache.capacity` | entries per cache (default 1000) |
/// | `cache.latest.ttl.sec` | how long a subject's latest version is cached (default: until evicted) |
/// | `max.retries` | retries per URL, on transport errors and statuses 408, 429, 500, 502, 503, 504 (default 3) |
/// | `retries.wait.ms`, `retries.max.wait.ms` | backoff: random up to `min(wait * 2^retry, max)` (defaults 1000, 20000) |
///
/// Caches, as Python's, bounded by `cache.capacity` (least recently used
/// first out): id → schema (per subject asked with), (subject, schema) →
/// id and registration, (subject, version) → registration, and subject →
/// latest version (`cache.latest.ttl.sec`). A cached answer makes no
/// request. This client also forgets what its own deletions and
/// registrations make stale.
///
/// Errors are [`SchemaRegistryError`]s; its `Debug` and its errors never
/// show a password, token or client secret.
pub struct SchemaRegistryClient {
    rest: RestClient,
    caches: Mutex<Caches>,
    latest: Mutex<Lru<String, RegisteredSchema>>,
}

struct Caches {
    schema_by_id: Lru<(Option<String>, i32), Schema>,
    id_by_schema: Lru<(String, Schema), i32>,
    registered_by_schema: Lru<(String, Schema), RegisteredSchema>,
    registered_by_version: Lru<(String, i32), RegisteredSchema>,
}

impl fmt::Debug for SchemaRegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rest.fmt(f)
    }
}

fn invalid(request: &str, what: &str) -> SchemaRegistryError {
    SchemaRegistryError::InvalidResponse(format!("{request}: {what}"))
}

fn int(v: &Value, key: &str, request: &str) -> Result<i32> {
    v.get(key)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| invalid(request, &format!("no integer {key:?} in the response")))
}

fn schema_of(v: &Value, request: &str) -> Result<Schema> {
    let schema_str = v
        .get("schema")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(request, "no \"schema\" in the response"))?;
    let schema_type = v.get("schemaType").and_then(Value::as_str).unwrap_or(Schema::AVRO);
    let mut references = Vec::new();
    if let Some(refs) = v.get("references").filter(|r| !r.is_null()) {
        let refs = refs
            .as_array()
            .ok_or_else(|| invalid(request, "\"references\" is not a list"))?;
        for r in refs {
            let name = r.get("name").and_then(Value::as_str);
            let subject = r.get("subject").and_then(Value::as_str);
            let version = r
                .get("version")
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok());
            match (name, subject, version) {
                (Some(n), Some(s), Some(ver)) => references.push(SchemaReference::new(n, s, ver)),
                _ => return Err(invalid(request, "a reference lacks its name, subject or version")),
            }
        }
    }
    Ok(Schema::new(schema_str, schema_type).with_references(references))
}

fn registered_of(v: &Value, request: &str) -> Result<RegisteredSchema> {
    Ok(RegisteredSchema {
        schema_id: int(v, "id", request)?,
        subject: v.get("subject").and_then(Value::as_str).map(str::to_string),
        version: v
            .get("version")
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok()),
        schema: schema_of(v, request)?,
    })
}

fn schema_body(schema: &Schema) -> Value {
    let refs: Vec<Value> = schema
        .references
        .iter()
        .map(|r| json!({"name": r.name, "subject": r.subject, "version": r.version}))
        .collect();
    json!({"schema": schema.schema_str, "schemaType": schema.schema_type, "references": refs})
}

fn subject_path(subject: &str) -> Result<String> {
    if subject.is_empty() {
        return Err(SchemaRegistryError::Config("the subject name is empty".into()));
    }
    Ok(percent_encode(subject))
}

fn config_of(v: &Value) -> ServerConfig {
    let level = v
        .get("compatibilityLevel")
        .or_else(|| v.get("compatibility"))
        .and_then(Value::as_str)
        .map(CompatibilityLevel::new);
    ServerConfig {
        compatibility_level: level,
        normalize: v.get("normalize").and_then(Value::as_bool),
        compatibility_group: v.get("compatibilityGroup").and_then(Value::as_str).map(str::to_string),
    }
}

fn bool_str(b: bool) -> String {
    b.to_string()
}

impl SchemaRegistryClient {
    /// A client configured by `config`'s properties (see the table above);
    /// makes no request.
    ///
    /// Errors: [`SchemaRegistryError::Config`] for a missing `url`, an
    /// unknown key, a bad value or an unreadable certificate file.
    pub fn new(config: &Config) -> Result<Self> {
        let rest = RestClient::new(config)?;
        let cap = rest.cache_capacity;
        let ttl = rest.cache_latest_ttl;
        Ok(SchemaRegistryClient {
            caches: Mutex::new(Caches {
                schema_by_id: Lru::new(cap, None),
                id_by_schema: Lru::new(cap, None),
                registered_by_schema: Lru::new(cap, None),
                registered_by_version: Lru::new(cap, None),
            }),
            latest: Mutex::new(Lru::new(cap, ttl)),
            rest,
        })
    }

    fn caches(&self) -> std::sync::MutexGuard<'_, Caches> {
        self.caches.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn latest(&self) -> std::sync::MutexGuard<'_, Lru<String, RegisteredSchema>> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value> {
        self.rest
            .send("GET", path, query, None)?
            .ok_or_else(|| invalid(&format!("GET /{path}"), "empty response"))
    }

    /// Registers `schema` under `subject` and returns its id (the same id
    /// the same schema has under any other subject). With `normalize`, the
    /// registry normalizes the schema first.
    ///
    /// Errors: status 409 when the schema is incompatible with the
    /// subject's earlier versions, 422 (42201) when it is invalid.
    pub fn register_schema(&self, subject: &str, schema: &Schema, normalize: bool) -> Result<i32> {
        Ok(self
            .register_schema_full_response(subject, schema, normalize)?
            .schema_id)
    }

    /// [`register_schema`](Self::register_schema), returning what the
    /// registry said (`version` when it said it).
    pub fn register_schema_full_response(
        &self,
        subject: &str,
        schema: &Schema,
        normalize: bool,
    ) -> Result<RegisteredSchema> {
        let key = (subject.to_string(), schema.clone());
        {
            let mut c = self.caches();
            if let Some(id) = c.id_by_schema.get(&key) {
                if let Some(s) = c.schema_by_id.get(&(Some(subject.to_string()), id)) {
                    return Ok(RegisteredSchema {
                        schema_id: id,
                        subject: Some(subject.to_string()),
                        version: None,
                        schema: s,
                    });
                }
            }
        }
        let path = format!("subjects/{}/versions", subject_path(subject)?);
        let (v, request) = self.post_schema(&path, &[("normalize", bool_str(normalize))], schema)?;
        let id = int(&v, "id", &request)?;
        let returned = if v.get("schema").is_some() {
            schema_of(&v, &request)?
        } else {
            schema.clone()
        };
        let registered = RegisteredSchema {
            schema_id: id,
            subject: Some(v.get("subject").and_then(Value::as_str).unwrap_or(subject).to_string()),
            version: v
                .get("version")
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok()),
            schema: returned.clone(),
        };
        let mut c = self.caches();
        c.id_by_schema.insert(key, id);
        c.schema_by_id.insert((Some(subject.to_string()), id), returned);
        drop(c);
        self.latest().remove(&subject.to_string());
        Ok(registered)
    }

    /// The schema with id `schema_id` (Python's `get_schema`); `subject`
    /// narrows the lookup to a subject's context, `fmt` asks for a format
    /// (e.g. `"serialized"` for Protobuf). Cached.
    ///
    /// Errors: status 404, code 40403 when no schema has this id.
    #[doc(alias = "get_schema")]
    pub fn schema(&self, schema_id: i32, subject: Option<&str>, fmt: Option<&str>) -> Result<Schema> {
        let key = (subject.map(str::to_string), schema_id);
        if let Some(s) = self.caches().schema_by_id.get(&key) {
            return Ok(s);
        }
        let path = format!("schemas/ids/{schema_id}");
        let mut query = Vec::new();
        if let Some(s) = subject {
            query.push(("subject", s.to_string()));
        }
        if let Some(f) = fmt {
            query.push(("format", f.to_string()));
        }
        let v = self.get(&path, &query)?;
        let schema = schema_of(&v, &format!("GET /{path}"))?;
        self.caches().schema_by_id.insert(key, schema.clone());
        Ok(schema)
    }

    /// The `(subject, version)` pairs the schema with id `schema_id` is
    /// registered under (Python's `get_schema_versions`). Not cached.
    #[doc(alias = "get_schema_versions")]
    pub fn schema_versions(&self, schema_id: i32) -> Result<Vec<SubjectVersion>> {
        let path = format!("schemas/ids/{schema_id}/versions");
        let request = format!("GET /{path}");
        let v = self.get(&path, &[])?;
        let list = v.as_array().ok_or_else(|| invalid(&request, "not a list"))?;
        list.iter()
            .map(|item| {
                let subject = item
                    .get("subject")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(&request, "an item has no subject"))?;
                Ok(SubjectVersion {
                    subject: subject.to_string(),
                    version: int(item, "version", &request)?,
                })
            })
            .collect()
    }

    /// How `schema` is registered under `subject`: its id and version.
    /// `deleted` also finds soft-deleted versions. Cached.
    ///
    /// Errors: 404 with code 40401 (no such subject) or 40403 (the schema
    /// is not registered under it).
    pub fn lookup_schema(
        &self,
        subject: &str,
        schema: &Schema,
        normalize: bool,
        deleted: bool,
    ) -> Result<RegisteredSchema> {
        let key = (subject.to_string(), schema.clone());
        if let Some(r) = self.caches().registered_by_schema.get(&key) {
            return Ok(r);
        }
        let path = format!("subjects/{}", subject_path(subject)?);
        let query = [("normalize", bool_str(normalize)), ("deleted", bool_str(deleted))];
        let (v, request) = self.post_schema(&path, &query, schema)?;
        let registered = RegisteredSchema {
            schema_id: int(&v, "id", &request)?,
            subject: v.get("subject").and_then(Value::as_str).map(str::to_string),
            version: v
                .get("version")
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok()),
            schema: schema.clone(),
        };
        self.caches().registered_by_schema.insert(key, registered.clone());
        Ok(registered)
    }

    /// Every subject with a version that is not deleted (Python's
    /// `get_subjects`).
    #[doc(alias = "get_subjects")]
    pub fn subjects(&self) -> Result<Vec<String>> {
        let v = self.get("subjects", &[])?;
        let list = v.as_array().ok_or_else(|| invalid("GET /subjects", "not a list"))?;
        list.iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid("GET /subjects", "a subject is not a string"))
            })
            .collect()
    }

    /// Deletes `subject`'s versions: softly (they can still be read with
    /// `deleted`), or, with `permanent`, for good — which the registry
    /// allows only after a soft delete. Returns the versions deleted.
    ///
    /// Errors: 404 with 40401 (no such subject), 40404 (already soft
    /// deleted), 40405 (`permanent` without a soft delete first).
    pub fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        let path = format!("subjects/{}", subject_path(subject)?);
        let (v, request) = self.delete(&path, permanent)?;
        let versions = int_list(&v, &request)?;
        self.forget_subject(subject, None);
        Ok(versions)
    }

    /// `POST /path?query` with `schema` as the body: the answer, and the
    /// request's name for errors.
    fn post_schema(&self, path: &str, query: &[(&str, String)], schema: &Schema) -> Result<(Value, String)> {
        let request = format!("POST /{path}");
        let v = self
            .rest
            .send("POST", path, query, Some(&schema_body(schema)))?
            .ok_or_else(|| invalid(&request, "empty response"))?;
        Ok((v, request))
    }

    /// `DELETE /path` (`?permanent=true` for a hard delete): the answer,
    /// and the request's name for errors.
    fn delete(&self, path: &str, permanent: bool) -> Result<(Value, String)> {
        let request = format!("DELETE /{path}");
        let query = if permanent {
            vec![("permanent", "true".to_string())]
        } else {
            Vec::new()
        };
        let v = self
            .rest
            .send("DELETE", path, &query, None)?
            .ok_or_else(|| invalid(&request, "empty response"))?;
        Ok((v, request))
    }

    fn forget_subject(&self, subject: &str, version: Option<i32>) {
        let mut c = self.caches();
        match version {
            Some(ver) => {
                c.registered_by_version.remove(&(subject.to_string(), ver));
                c.registered_by_schema.retain(|(s, _)| s != subject);
            }
            None => {
                c.registered_by_version.retain(|(s, _)| s != subject);
                c.registered_by_schema.retain(|(s, _)| s != subject);
                c.id_by_schema.retain(|(s, _)| s != subject);
                c.schema_by_id.retain(|(s, _)| s.as_deref() != Some(subject));
            }
        }
        drop(c);
        self.latest().remove(&subject.to_string());
    }

    /// `subject`'s latest version (Python's `get_latest_version`); cached
    /// for `cache.latest.ttl.sec`.
    ///
    /// Errors: 404 with 40401 when the subject has no version.
    #[doc(alias = "get_latest_version")]
    pub fn latest_version(&self, subject: &str) -> Result<RegisteredSchema> {
        if let Some(r) = self.latest().get(&subject.to_string()) {
            return Ok(r);
        }
        let path = format!("subjects/{}/versions/latest", subject_path(subject)?);
        let v = self.get(&path, &[])?;
        let r = registered_of(&v, &format!("GET /{path}"))?;
        self.latest().insert(subject.to_string(), r.clone());
        Ok(r)
    }

    /// `subject`'s `version` (Python's `get_version`); `deleted` also
    /// finds a soft-deleted one. Cached.
    ///
    /// Errors: 404 with 40401 (no such subject) or 40402 (no such
    /// version), 422 with 42202 (not a valid version number).
    #[doc(alias = "get_version")]
    pub fn version(&self, subject: &str, version: i32, deleted: bool) -> Result<RegisteredSchema> {
        let key = (subject.to_string(), version);
        if let Some(r) = self.caches().registered_by_version.get(&key) {
            return Ok(r);
        }
        let path = format!("subjects/{}/versions/{version}", subject_path(subject)?);
        let v = self.get(&path, &[("deleted", bool_str(deleted))])?;
        let r = registered_of(&v, &format!("GET /{path}"))?;
        self.caches().registered_by_version.insert(key, r.clone());
        Ok(r)
    }

    /// `subject`'s versions, oldest first (Python's `get_versions`).
    ///
    /// Errors: 404 with 40401 when the subject has none.
    #[doc(alias = "get_versions")]
    pub fn versions(&self, subject: &str) -> Result<Vec<i32>> {
        let path = format!("subjects/{}/versions", subject_path(subject)?);
        let v = self.get(&path, &[])?;
        int_list(&v, &format!("GET /{path}"))
    }

    /// Deletes `subject`'s `version`: softly, or, with `permanent`, for
    /// good (only after a soft delete). Returns the version deleted.
    ///
    /// Errors: 404 with 40401, 40402, 40406 (already soft deleted) or
    /// 40407 (`permanent` without a soft delete first); 422 with 42206 when
    /// another schema refers to this version.
    pub fn delete_version(&self, subject: &str, version: i32, permanent: bool) -> Result<i32> {
        let path = format!("subjects/{}/versions/{version}", subject_path(subject)?);
        let (v, request) = self.delete(&path, permanent)?;
        let deleted = v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| invalid(&request, "not a version number"))?;
        self.forget_subject(subject, Some(version));
        Ok(deleted)
    }

    /// Sets the compatibility level of `subject`, or the registry's
    /// default when `None`; returns the level set.
    ///
    /// Errors: 422 with 42203 for a level the registry does not know.
    pub fn set_compatibility(&self, subject: Option<&str>, level: &CompatibilityLevel) -> Result<CompatibilityLevel> {
        let path = config_path(subject)?;
        let request = format!("PUT /{path}");
        let v = self
            .rest
            .send("PUT", &path, &[], Some(&json!({"compatibility": level.as_str()})))?
            .ok_or_else(|| invalid(&request, "empty response"))?;
        config_of(&v)
            .compatibility_level
            .ok_or_else(|| invalid(&request, "no compatibility in the response"))
    }

    /// The compatibility level of `subject` (as set for it), or the
    /// registry's default when `None` (Python's `get_compatibility`).
    ///
    /// Errors: 404 with 40408 when `subject` has no level of its own.
    #[doc(alias = "get_compatibility")]
    pub fn compatibility(&self, subject: Option<&str>) -> Result<CompatibilityLevel> {
        let path = config_path(subject)?;
        let v = self.get(&path, &[])?;
        config_of(&v)
            .compatibility_level
            .ok_or_else(|| invalid(&format!("GET /{path}"), "no compatibilityLevel in the response"))
    }

    /// Sets `subject`'s configuration, or the registry's when `None`;
    /// returns what the registry says it set.
    pub fn set_config(&self, subject: Option<&str>, config: &ServerConfig) -> Result<ServerConfig> {
        let path = config_path(subject)?;
        let mut body = serde_json::Map::new();
        if let Some(l) = &config.compatibility_level {
            body.insert("compatibility".into(), l.as_str().into());
        }
        if let Some(n) = config.normalize {
            body.insert("normalize".into(), n.into());
        }
        if let Some(g) = &config.compatibility_group {
            body.insert("compatibilityGroup".into(), g.as_str().into());
        }
        let v = self.rest.send("PUT", &path, &[], Some(&Value::Object(body)))?;
        Ok(v.as_ref().map(config_of).unwrap_or_default())
    }

    /// `subject`'s configuration, or the registry's when `None` (Python's
    /// `get_config`).
    ///
    /// Errors: 404 with 40408 when `subject` has none of its own.
    #[doc(alias = "get_config")]
    pub fn config(&self, subject: Option<&str>) -> Result<ServerConfig> {
        Ok(config_of(&self.get(&config_path(subject)?, &[])?))
    }

    /// Removes `subject`'s own configuration (it then follows the
    /// registry's), or resets the registry's when `None`; returns the
    /// configuration removed.
    pub fn delete_config(&self, subject: Option<&str>) -> Result<ServerConfig> {
        let v = self.rest.send("DELETE", &config_path(subject)?, &[], None)?;
        Ok(v.as_ref().map(config_of).unwrap_or_default())
    }

    /// Whether `schema` is compatible with `subject`'s `version` (`None`:
    /// the latest), under the subject's compatibility level.
    ///
    /// Errors: 404 with 40401 or 40402 when there is no such subject or
    /// version; 422 with 42201 when the schema is invalid.
    pub fn test_compatibility(&self, subject: &str, schema: &Schema, version: Option<i32>) -> Result<bool> {
        let version = version.map_or_else(|| "latest".to_string(), |v| v.to_string());
        let path = format!("compatibility/subjects/{}/versions/{version}", subject_path(subject)?);
        let request = format!("POST /{path}");
        let v = self
            .rest
            .send("POST", &path, &[], Some(&schema_body(schema)))?
            .ok_or_else(|| invalid(&request, "empty response"))?;
        v.get("is_compatible")
            .and_then(Value::as_bool)
            .ok_or_else(|| invalid(&request, "no is_compatible in the response"))
    }

    /// The mode of `subject` (as set for it), or the registry's when `None`
    /// (Python's `get_mode` and `get_global_mode`).
    ///
    /// Errors: 404 with 40409 when `subject` has no mode of its own.
    #[doc(alias = "get_mode", alias = "get_global_mode")]
    pub fn mode(&self, subject: Option<&str>) -> Result<Mode> {
        let path = mode_path(subject)?;
        let v = self.get(&path, &[])?;
        v.get("mode")
            .and_then(Value::as_str)
            .map(Mode::new)
            .ok_or_else(|| invalid(&format!("GET /{path}"), "no mode in the response"))
    }

    /// Sets the mode of `subject`, or the registry's when `None`
    /// (Python's `update_mode` and `update_global_mode`); `force` lets
    /// `IMPORT` be set while schemas exist. Returns the mode set.
    ///
    /// Errors: 422 with 42204 for a mode the registry does not know.
    #[doc(alias = "update_mode", alias = "update_global_mode")]
    pub fn set_mode(&self, subject: Option<&str>, mode: &Mode, force: bool) -> Result<Mode> {
        let path = mode_path(subject)?;
        let request = format!("PUT /{path}");
        let v = self
            .rest
            .send(
                "PUT",
                &path,
                &[("force", bool_str(force))],
                Some(&json!({"mode": mode.as_str()})),
            )?
            .ok_or_else(|| invalid(&request, "empty response"))?;
        v.get("mode")
            .and_then(Value::as_str)
            .map(Mode::new)
            .ok_or_else(|| invalid(&request, "no mode in the response"))
    }

    /// Forgets every cached answer.
    pub fn clear_caches(&self) {
        let mut c = self.caches();
        c.schema_by_id.clear();
        c.id_by_schema.clear();
        c.registered_by_schema.clear();
        c.registered_by_version.clear();
        drop(c);
        self.clear_latest_caches();
    }

    /// Forgets the cached latest versions.
    pub fn clear_latest_caches(&self) {
        self.latest().clear();
    }
}

fn config_path(subject: Option<&str>) -> Result<String> {
    Ok(match subject {
        Some(s) => format!("config/{}", subject_path(s)?),
        None => "config".to_string(),
    })
}

fn mode_path(subject: Option<&str>) -> Result<String> {
    Ok(match subject {
        Some(s) => format!("mode/{}", subject_path(s)?),
        None => "mode".to_string(),
    })
}

fn int_list(v: &Value, request: &str) -> Result<Vec<i32>> {
    let list = v.as_array().ok_or_else(|| invalid(request, "not a list"))?;
    list.iter()
        .map(|n| {
            n.as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| invalid(request, "not a list of integers"))
        })
        .collect()
}
