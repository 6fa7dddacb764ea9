//! The mock registry's state and its REST API: what each endpoint does,
//! with the real registry's status codes, error codes and messages.

use super::super::{CompatibilityLevel, Mode, Schema, SchemaReference};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A format's compatibility check: `Ok` when a reader with the first
/// schema can read data written with the second.
pub(crate) type Check = Arc<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;

/// An answer: status and JSON body.
pub(crate) type Answer = (u16, Value);

fn error(status: u16, code: i32, message: impl Into<String>) -> Answer {
    (status, json!({"error_code": code, "message": message.into()}))
}

fn subject_not_found(s: &str) -> Answer {
    error(404, 40401, format!("Subject '{s}' not found."))
}

fn version_not_found(v: i32) -> Answer {
    error(404, 40402, format!("Version {v} not found."))
}

fn invalid_schema(message: impl Into<String>) -> Answer {
    error(422, 42201, message)
}

struct Version {
    version: i32,
    id: i32,
    deleted: bool,
}

/// What identifies a schema: the same key is the same id.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    schema_type: String,
    canonical: String,
    references: Vec<SchemaReference>,
}

#[derive(Default)]
pub(crate) struct Store {
    /// id - 1 -> schema
    schemas: Vec<Schema>,
    ids: HashMap<Key, i32>,
    subjects: BTreeMap<String, Vec<Version>>,
    global_compatibility: Option<CompatibilityLevel>,
    global_normalize: Option<bool>,
    subject_compatibility: HashMap<String, CompatibilityLevel>,
    global_mode: Option<Mode>,
    subject_mode: HashMap<String, Mode>,
    pub(crate) checks: HashMap<String, Check>,
}

/// A request as the router sees it: path segments (decoded), query.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) segments: Vec<String>,
    pub(crate) query: HashMap<String, String>,
    pub(crate) body: &'a [u8],
}

impl Request<'_> {
    fn flag(&self, name: &str) -> bool {
        self.query.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

enum VersionSpec {
    Latest,
    Number(i32),
}

fn parse_version(v: &str) -> Result<VersionSpec, Answer> {
    match v {
        "latest" | "-1" => Ok(VersionSpec::Latest),
        _ => match v.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(VersionSpec::Number(n)),
            _ => Err(error(
                422,
                42202,
                format!(
                    "The specified version '{v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
                ),
            )),
        },
    }
}

fn schema_json(schema: &Schema, mut v: serde_json::Map<String, Value>) -> Value {
    v.insert("schema".into(), schema.schema_str.clone().into());
    if schema.schema_type != Schema::AVRO {
        v.insert("schemaType".into(), schema.schema_type.clone().into());
    }
    if !schema.references.is_empty() {
        let refs: Vec<Value> = schema
            .references
            .iter()
            .map(|r| json!({"name": r.name, "subject": r.subject, "version": r.version}))
            .collect();
        v.insert("references".into(), refs.into());
    }
    Value::Object(v)
}

impl Store {
    pub(crate) fn handle(&mut self, req: &Request<'_>) -> Answer {
        let seg: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let m = req.method;
        let result = match (m, seg.as_slice()) {
            ("GET", ["subjects"]) => Ok(self.list_subjects(req)),
            ("POST", ["subjects", s]) => self.lookup(s, req),
            ("DELETE", ["subjects", s]) => self.delete_subject(s, req.flag("permanent")),
            ("GET", ["subjects", s, "versions"]) => self.list_versions(s, req),
            ("POST", ["subjects", s, "versions"]) => self.register(s, req),
            ("GET", ["subjects", s, "versions", v]) => self.get_version(s, v, req.flag("deleted")),
            ("DELETE", ["subjects", s, "versions", v]) => self.delete_version(s, v, req.flag("permanent")),
            ("GET", ["subjects", s, "versions", v, "referencedby"]) => self.referenced_by(s, v),
            ("GET", ["schemas", "types"]) => Ok((200, json!([Schema::AVRO, Schema::JSON, Schema::PROTOBUF]))),
            ("GET", ["schemas", "ids", id]) => self.get_schema(id),
            ("GET", ["schemas", "ids", id, "versions"]) => self.schema_versions(id, req.flag("deleted")),
            ("GET", ["schemas", "ids", id, "subjects"]) => self.schema_subjects(id, req.flag("deleted")),
            ("GET", ["config"]) => Ok((200, self.global_config_json())),
            ("PUT", ["config"]) => self.put_config(None, req),
            ("DELETE", ["config"]) => {
                let old = self.global_config_json();
                self.global_compatibility = None;
                self.global_normalize = None;
                Ok((200, old))
            }
            ("GET", ["config", s]) => self.get_subject_config(s, req.flag("defaultToGlobal")),
            ("PUT", ["config", s]) => self.put_config(Some(s), req),
            ("DELETE", ["config", s]) => match self.subject_compatibility.remove(*s) {
                Some(old) => Ok((200, json!({"compatibilityLevel": old.as_str()}))),
                None => Err(no_subject_config(s)),
            },
            ("GET", ["mode"]) => Ok((200, json!({"mode": self.global_mode().as_str()}))),
            ("PUT", ["mode"]) => self.put_mode(None, req),
            ("GET", ["mode", s]) => match self.subject_mode.get(*s) {
                Some(mode) => Ok((200, json!({"mode": mode.as_str()}))),
                None if req.flag("defaultToGlobal") => Ok((200, json!({"mode": self.global_mode().as_str()}))),
                None => Err(no_subject_mode(s)),
            },
            ("PUT", ["mode", s]) => self.put_mode(Some(s), req),
            ("DELETE", ["mode", s]) => match self.subject_mode.remove(*s) {
                Some(old) => Ok((200, json!({"mode": old.as_str()}))),
                None => Err(no_subject_mode(s)),
            },
            ("POST", ["compatibility", "subjects", s, "versions", v]) => self.test_compatibility(s, Some(v), req),
            ("POST", ["compatibility", "subjects", s, "versions"]) => self.test_compatibility(s, None, req),
            _ => {
                let known_path = matches!(
                    seg.as_slice(),
                    ["subjects"]
                        | ["subjects", _]
                        | ["subjects", _, "versions"]
                        | ["subjects", _, "versions", _]
                        | ["schemas", "ids", _]
                        | ["config"]
                        | ["config", _]
                        | ["mode"]
                        | ["mode", _]
                );
                if known_path {
                    Err(error(405, 405, "HTTP 405 Method Not Allowed"))
                } else {
                    Err(error(404, 404, "HTTP 404 Not Found"))
                }
            }
        };
        result.unwrap_or_else(|e| e)
    }

    fn global_compatibility(&self) -> CompatibilityLevel {
        self.global_compatibility
            .clone()
            .unwrap_or(CompatibilityLevel::BACKWARD)
    }

    fn global_mode(&self) -> Mode {
        self.global_mode.clone().unwrap_or(Mode::READWRITE)
    }

    fn global_config_json(&self) -> Value {
        let mut v = json!({"compatibilityLevel": self.global_compatibility().as_str()});
        if let Some(n) = self.global_normalize {
            v["normalize"] = n.into();
        }
        v
    }

    /// The subject's live (not soft-deleted) versions, or all with `deleted`.
    fn versions_of(&self, s: &str, deleted: bool) -> Vec<&Version> {
        self.subjects
            .get(s)
            .map(|vs| vs.iter().filter(|v| deleted || !v.deleted).collect())
            .unwrap_or_default()
    }

    fn schema(&self, id: i32) -> &Schema {
        &self.schemas[(id - 1) as usize]
    }

    fn list_subjects(&self, req: &Request<'_>) -> Answer {
        let deleted = req.flag("deleted");
        let deleted_only = req.flag("deleted_only");
        let prefix = req.query.get("subjectPrefix").map(String::as_str).unwrap_or("");
        let list: Vec<&str> = self
            .subjects
            .iter()
            .filter(|(s, vs)| {
                s.starts_with(prefix)
                    && if deleted_only {
                        vs.iter().any(|v| v.deleted)
                    } else {
                        vs.iter().any(|v| deleted || !v.deleted)
                    }
            })
            .map(|(s, _)| s.as_str())
            .collect();
        (200, json!(list))
    }

    fn list_versions(&self, s: &str, req: &Request<'_>) -> Result<Answer, Answer> {
        let all = self.versions_of(s, true);
        let list: Vec<i32> = if req.flag("deleted_only") {
            all.iter().filter(|v| v.deleted).map(|v| v.version).collect()
        } else {
            all.iter()
                .filter(|v| req.flag("deleted") || !v.deleted)
                .map(|v| v.version)
                .collect()
        };
        if list.is_empty() {
            return Err(subject_not_found(s));
        }
        Ok((200, json!(list)))
    }

    /// The schema a request's body carries, checked: its references
    /// resolve, its text parses for its type.
    fn parse_body(&self, body: &[u8]) -> Result<(Schema, Key), Answer> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| error(400, 400, format!("Unrecognized request body (not JSON): {e}")))?;
        let schema_str = match v.get("schema") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => return Err(invalid_schema("Empty schema")),
        };
        let schema_type = match v.get("schemaType") {
            None | Some(Value::Null) => Schema::AVRO.to_string(),
            Some(Value::String(t)) if [Schema::AVRO, Schema::JSON, Schema::PROTOBUF].contains(&t.as_str()) => t.clone(),
            Some(t) => return Err(invalid_schema(format!("Invalid schema type {t}"))),
        };
        let mut references = Vec::new();
        if let Some(refs) = v.get("references").filter(|r| !r.is_null()) {
            let refs = refs
                .as_array()
                .ok_or_else(|| invalid_schema("references must be a list"))?;
            for r in refs {
                let name = r.get("name").and_then(Value::as_str);
                let subject = r.get("subject").and_then(Value::as_str);
                let version = r.get("version").and_then(Value::as_i64);
                let (Some(name), Some(subject), Some(version)) = (name, subject, version) else {
                    return Err(invalid_schema(
                        "Invalid schema: a reference needs a name, a subject and a version",
                    ));
                };
                let found = i32::try_from(version)
                    .ok()
                    .filter(|&ver| self.versions_of(subject, false).iter().any(|x| x.version == ver));
                let Some(version) = found else {
                    return Err(invalid_schema(format!(
                        "Invalid schema {schema_str} with refs [{{name='{name}', subject='{subject}', version={version}}}] of type {schema_type}, details: reference not found"
                    )));
                };
                references.push(SchemaReference::new(name, subject, version));
            }
        }
        let canonical = match schema_type.as_str() {
            // The registry parses these: whitespace and key order do not
            // make a new schema.
            "AVRO" | "JSON" => {
                let parsed: Value = serde_json::from_str(&schema_str).map_err(|e| {
                    invalid_schema(format!(
                        "Invalid schema {schema_str} of type {schema_type}, details: {e}"
                    ))
                })?;
                let fits = match schema_type.as_str() {
                    "AVRO" => parsed.is_string() || parsed.is_object() || parsed.is_array(),
                    _ => parsed.is_object() || parsed.is_boolean(),
                };
                if !fits {
                    return Err(invalid_schema(format!(
                        "Invalid schema {schema_str} of type {schema_type}, details: not a schema"
                    )));
                }
                parsed.to_string()
            }
            _ => schema_str.trim().to_string(),
        };
        let key = Key {
            schema_type: schema_type.clone(),
            canonical,
            references: references.clone(),
        };
        Ok((Schema::new(schema_str, schema_type).with_references(references), key))
    }

    fn mode_of(&self, s: &str) -> Mode {
        self.subject_mode.get(s).cloned().unwrap_or_else(|| self.global_mode())
    }

    fn compatibility_of(&self, s: &str) -> CompatibilityLevel {
        self.subject_compatibility
            .get(s)
            .cloned()
            .unwrap_or_else(|| self.global_compatibility())
    }

    /// Why `new` is incompatible with `against` under `level` (empty: it
    /// is compatible).
    fn incompatibilities(&self, level: &CompatibilityLevel, new: &Schema, against: &[i32]) -> Vec<String> {
        let (backward, forward, transitive) = match level.as_str() {
            "BACKWARD" => (true, false, false),
            "BACKWARD_TRANSITIVE" => (true, false, true),
            "FORWARD" => (false, true, false),
            "FORWARD_TRANSITIVE" => (false, true, true),
            "FULL" => (true, true, false),
            "FULL_TRANSITIVE" => (true, true, true),
            _ => return Vec::new(),
        };
        let targets: &[i32] = if transitive {
            against
        } else {
            against.last().map(std::slice::from_ref).unwrap_or(&[])
        };
        let mut messages = Vec::new();
        for &id in targets {
            let old = self.schema(id);
            if old.schema_type != new.schema_type {
                messages.push(format!(
                    "Incompatible schema type: {} is not {}",
                    new.schema_type, old.schema_type
                ));
                continue;
            }
            let Some(check) = self.checks.get(&new.schema_type) else {
                continue;
            };
            if backward {
                if let Err(e) = check(&new.schema_str, &old.schema_str) {
                    messages.push(format!(
                        "{{oldSchemaVersion: id {id}, direction: BACKWARD, message: {e}}}"
                    ));
                }
            }
            if forward {
                if let Err(e) = check(&old.schema_str, &new.schema_str) {
                    messages.push(format!(
                        "{{oldSchemaVersion: id {id}, direction: FORWARD, message: {e}}}"
                    ));
                }
            }
        }
        messages
    }

    fn register(&mut self, s: &str, req: &Request<'_>) -> Result<Answer, Answer> {
        if s.is_empty() || s.chars().any(char::is_control) {
            return Err(error(
                422,
                42208,
                format!("The specified subject '{s}' is not a valid."),
            ));
        }
        let mode = self.mode_of(s);
        if mode == Mode::READONLY || mode == Mode::READONLY_OVERRIDE {
            return Err(error(422, 42205, format!("Subject {s} is in read-only mode")));
        }
        let (schema, key) = self.parse_body(req.body)?;
        let existing = self.ids.get(&key).copied();
        let live: Vec<i32> = self.versions_of(s, false).iter().map(|v| v.id).collect();
        if let Some(id) = existing {
            if live.contains(&id) {
                return Ok((200, json!({"id": id})));
            }
        }
        let messages = self.incompatibilities(&self.compatibility_of(s), &schema, &live);
        if !messages.is_empty() {
            return Err(error(
                409,
                409,
                format!(
                    "Schema being registered is incompatible with an earlier schema for subject \"{s}\", details: [{}]",
                    messages.join(", ")
                ),
            ));
        }
        let id = match existing {
            Some(id) => id,
            None => {
                self.schemas.push(schema);
                let id = self.schemas.len() as i32;
                self.ids.insert(key, id);
                id
            }
        };
        let versions = self.subjects.entry(s.to_string()).or_default();
        let version = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
        versions.push(Version {
            version,
            id,
            deleted: false,
        });
        Ok((200, json!({"id": id})))
    }

    fn lookup(&self, s: &str, req: &Request<'_>) -> Result<Answer, Answer> {
        let deleted = req.flag("deleted");
        let versions = self.versions_of(s, deleted);
        if versions.is_empty() {
            return Err(subject_not_found(s));
        }
        let (_, key) = self.parse_body(req.body)?;
        let id = self.ids.get(&key).copied();
        let found = versions.iter().rev().find(|v| Some(v.id) == id);
        match found {
            Some(v) => Ok((200, self.version_json(s, v))),
            None => Err(error(404, 40403, "Schema not found")),
        }
    }

    fn version_json(&self, s: &str, v: &Version) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("subject".into(), s.into());
        m.insert("version".into(), v.version.into());
        m.insert("id".into(), v.id.into());
        schema_json(self.schema(v.id), m)
    }

    fn find_version(&self, s: &str, spec: &str, deleted: bool) -> Result<&Version, Answer> {
        let spec = parse_version(spec)?;
        let versions = self.versions_of(s, deleted);
        if versions.is_empty() {
            return Err(subject_not_found(s));
        }
        match spec {
            VersionSpec::Latest => Ok(versions[versions.len() - 1]),
            VersionSpec::Number(n) => versions
                .into_iter()
                .find(|v| v.version == n)
                .ok_or_else(|| version_not_found(n)),
        }
    }

    fn get_version(&self, s: &str, v: &str, deleted: bool) -> Result<Answer, Answer> {
        let found = self.find_version(s, v, deleted)?;
        Ok((200, self.version_json(s, found)))
    }

    /// Ids of the live schemas that refer to `subject`'s `version`.
    fn referrers(&self, s: &str, version: i32) -> Vec<i32> {
        let mut ids: Vec<i32> = self
            .subjects
            .values()
            .flatten()
            .filter(|v| !v.deleted)
            .map(|v| v.id)
            .filter(|&id| {
                self.schema(id)
                    .references
                    .iter()
                    .any(|r| r.subject == s && r.version == version)
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn referenced_by(&self, s: &str, v: &str) -> Result<Answer, Answer> {
        let found = self.find_version(s, v, false)?;
        Ok((200, json!(self.referrers(s, found.version))))
    }

    fn reference_exists(s: &str, v: i32) -> Answer {
        error(
            422,
            42206,
            format!("One or more references exist to the schema {{subject={s},version={v}}}."),
        )
    }

    fn delete_subject(&mut self, s: &str, permanent: bool) -> Result<Answer, Answer> {
        let all = self.versions_of(s, true);
        if all.is_empty() {
            return Err(subject_not_found(s));
        }
        let live: Vec<i32> = all.iter().filter(|v| !v.deleted).map(|v| v.version).collect();
        if permanent {
            if !live.is_empty() {
                return Err(error(
                    404,
                    40405,
                    format!("Subject '{s}' was not deleted first before being permanently deleted"),
                ));
            }
            let gone: Vec<i32> = all.iter().map(|v| v.version).collect();
            self.subjects.remove(s);
            self.subject_compatibility.remove(s);
            self.subject_mode.remove(s);
            return Ok((200, json!(gone)));
        }
        if live.is_empty() {
            return Err(error(
                404,
                40404,
                format!("Subject '{s}' was soft deleted.Set permanent=true to delete permanently"),
            ));
        }
        for &v in &live {
            if !self.referrers(s, v).is_empty() {
                return Err(Self::reference_exists(s, v));
            }
        }
        for v in self.subjects.get_mut(s).into_iter().flatten() {
            v.deleted = true;
        }
        Ok((200, json!(live)))
    }

    fn delete_version(&mut self, s: &str, spec: &str, permanent: bool) -> Result<Answer, Answer> {
        let (number, deleted) = match parse_version(spec)? {
            VersionSpec::Number(n) => (n, self.find_version(s, spec, true)?.deleted),
            // "latest" is the latest live version.
            VersionSpec::Latest => (self.find_version(s, spec, false)?.version, false),
        };
        if permanent {
            if !deleted {
                return Err(error(
                    404,
                    40407,
                    format!("Subject '{s}' Version {number} was not deleted first before being permanently deleted"),
                ));
            }
            if let Some(vs) = self.subjects.get_mut(s) {
                vs.retain(|v| v.version != number);
                if vs.is_empty() {
                    self.subjects.remove(s);
                }
            }
            return Ok((200, json!(number)));
        }
        if deleted {
            return Err(error(
                404,
                40406,
                format!("Subject '{s}' Version {number} was soft deleted.Set permanent=true to delete permanently"),
            ));
        }
        if !self.referrers(s, number).is_empty() {
            return Err(Self::reference_exists(s, number));
        }
        for v in self.subjects.get_mut(s).into_iter().flatten() {
            if v.version == number {
                v.deleted = true;
            }
        }
        Ok((200, json!(number)))
    }

    fn parse_id(&self, id: &str) -> Result<i32, Answer> {
        let used = |id: i32| self.subjects.values().flatten().any(|v| v.id == id);
        match id.parse::<i32>() {
            Ok(n) if n >= 1 && n as usize <= self.schemas.len() && used(n) => Ok(n),
            _ => Err(error(404, 40403, format!("Schema {id} not found"))),
        }
    }

    fn get_schema(&self, id: &str) -> Result<Answer, Answer> {
        let id = self.parse_id(id)?;
        Ok((200, schema_json(self.schema(id), serde_json::Map::new())))
    }

    fn schema_versions(&self, id: &str, deleted: bool) -> Result<Answer, Answer> {
        let id = self.parse_id(id)?;
        let list: Vec<Value> = self
            .subjects
            .iter()
            .flat_map(|(s, vs)| {
                vs.iter()
                    .filter(move |v| v.id == id && (deleted || !v.deleted))
                    .map(move |v| json!({"subject": s, "version": v.version}))
            })
            .collect();
        Ok((200, json!(list)))
    }

    fn schema_subjects(&self, id: &str, deleted: bool) -> Result<Answer, Answer> {
        let id = self.parse_id(id)?;
        let list: Vec<&str> = self
            .subjects
            .iter()
            .filter(|(_, vs)| vs.iter().any(|v| v.id == id && (deleted || !v.deleted)))
            .map(|(s, _)| s.as_str())
            .collect();
        Ok((200, json!(list)))
    }

    fn body_json(req: &Request<'_>) -> Result<Value, Answer> {
        serde_json::from_slice(req.body)
            .map_err(|e| error(400, 400, format!("Unrecognized request body (not JSON): {e}")))
    }

    fn put_config(&mut self, s: Option<&str>, req: &Request<'_>) -> Result<Answer, Answer> {
        let v = Self::body_json(req)?;
        let level = v
            .get("compatibility")
            .or_else(|| v.get("compatibilityLevel"))
            .and_then(Value::as_str)
            .map(CompatibilityLevel::new);
        let normalize = v.get("normalize").and_then(Value::as_bool);
        if let Some(level) = &level {
            if !level.is_known() {
                return Err(error(
                    422,
                    42203,
                    "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
                ));
            }
        }
        let mut answer = serde_json::Map::new();
        if let Some(level) = level {
            answer.insert("compatibility".into(), level.as_str().into());
            match s {
                Some(s) => {
                    self.subject_compatibility.insert(s.to_string(), level);
                }
                None => self.global_compatibility = Some(level),
            }
        }
        if let Some(n) = normalize {
            answer.insert("normalize".into(), n.into());
            if s.is_none() {
                self.global_normalize = Some(n);
            }
        }
        Ok((200, Value::Object(answer)))
    }

    fn get_subject_config(&self, s: &str, default_to_global: bool) -> Result<Answer, Answer> {
        match self.subject_compatibility.get(s) {
            Some(level) => Ok((200, json!({"compatibilityLevel": level.as_str()}))),
            None if default_to_global => Ok((200, self.global_config_json())),
            None => Err(no_subject_config(s)),
        }
    }

    fn put_mode(&mut self, s: Option<&str>, req: &Request<'_>) -> Result<Answer, Answer> {
        let v = Self::body_json(req)?;
        let mode = v.get("mode").and_then(Value::as_str).map(Mode::new);
        let Some(mode) = mode.filter(Mode::is_known) else {
            return Err(error(
                422,
                42204,
                "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT",
            ));
        };
        if mode == Mode::IMPORT && !req.flag("force") {
            let has_schemas = match s {
                Some(s) => !self.versions_of(s, true).is_empty(),
                None => !self.subjects.is_empty(),
            };
            if has_schemas {
                return Err(error(422, 42205, "Cannot import since found existing subjects"));
            }
        }
        match s {
            Some(s) => {
                self.subject_mode.insert(s.to_string(), mode.clone());
            }
            None => self.global_mode = Some(mode.clone()),
        }
        Ok((200, json!({"mode": mode.as_str()})))
    }

    fn test_compatibility(&self, s: &str, version: Option<&str>, req: &Request<'_>) -> Result<Answer, Answer> {
        let (schema, _) = self.parse_body(req.body)?;
        let live: Vec<i32> = self.versions_of(s, false).iter().map(|v| v.id).collect();
        let level = self.compatibility_of(s);
        let messages = match version {
            Some(spec) => {
                let found = self.find_version(s, spec, false)?;
                // One version: the level's direction, against it alone.
                let base = CompatibilityLevel::new(level.as_str().trim_end_matches("_TRANSITIVE"));
                self.incompatibilities(&base, &schema, &[found.id])
            }
            None => self.incompatibilities(&level, &schema, &live),
        };
        let mut answer = json!({"is_compatible": messages.is_empty()});
        if req.flag("verbose") {
            answer["messages"] = json!(messages);
        }
        Ok((200, answer))
    }
}

fn no_subject_config(s: &str) -> Answer {
    error(
        404,
        40408,
        format!("Subject '{s}' does not have subject-level compatibility configured"),
    )
}

fn no_subject_mode(s: &str) -> Answer {
    error(
        404,
        40409,
        format!("Subject '{s}' does not have subject-level mode configured"),
    )
}
