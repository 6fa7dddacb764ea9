//! The mock registry's JSON Schema compatibility check (with the
//! `json-schema` feature): can a reader with one schema read everything a
//! writer with another writes?
//!
//! The question is one of sets: the reader's schema must accept every
//! instance the writer's accepts. This check proves it structurally for the
//! keywords schemas evolve by — `type` (an `integer` is a `number`),
//! `enum`, `const`, the numeric bounds and `multipleOf`, string lengths,
//! `pattern` and `format`, array `items`, `additionalItems` and sizes,
//! object `properties`, `required`, `additionalProperties` (open and closed
//! content models) and sizes, `allOf`/`anyOf`/`oneOf` on either side, and
//! local `$ref`s (`#/definitions/...`, recursive ones included). Whatever it
//! cannot prove is a difference, named as Confluent's registry names its
//! differences (`TYPE_NARROWED`, `PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL`,
//! `REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL`, ...), so it errs on
//! the side of refusing: a keyword the reader adds or changes that is not
//! in the list above must be unchanged. It is the mock's check, for tests:
//! the real registry's rules differ in corners (it compares `oneOf`
//! branches pairwise, for one).

use serde_json::{Map, Value};
use std::collections::HashSet;

/// How deep the comparison descends before it gives up (a difference).
const MAX_DEPTH: usize = 64;
/// How many sub-schema comparisons one check may make.
const MAX_STEPS: usize = 20_000;

/// Keywords whose meaning depends on their siblings or on what other
/// keywords evaluated: not compared; a schema that has one is compatible
/// only with a writer schema equal to it (and without `$ref`s).
const CONTEXTUAL: &[&str] = &[
    "patternProperties",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "$dynamicRef",
    "$recursiveRef",
    "$recursiveAnchor",
];

/// Keywords an `allOf` part's constraints are not merged with: their
/// meaning depends on siblings (dropping a writer's constraint only widens
/// what it is taken to write, which keeps the check sound).
const NOT_MERGED: &[&str] = &[
    "additionalItems",
    "additionalProperties",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// At most this much of a schema or value is quoted in a difference.
const QUOTED: usize = 80;

fn brief(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= QUOTED {
        text
    } else {
        text.chars().take(QUOTED).collect::<String>() + "..."
    }
}

/// Whether `v` holds a `$ref` anywhere.
fn has_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k == "$ref" || has_ref(v)),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// `m`'s keywords but its annotations (`$defs`, descriptions...): what a
/// writer split into branches needs, without copying its definitions.
fn constraints(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter()
        .filter(|(k, _)| !ANNOTATIONS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Compares two JSON numbers exactly when both are integers.
fn num_cmp(a: &serde_json::Number, b: &serde_json::Number) -> Option<std::cmp::Ordering> {
    let int = |n: &serde_json::Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// Keywords that do not constrain instances.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "id",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "definitions",
    "$defs",
    "readOnly",
    "writeOnly",
    "deprecated",
    "$anchor",
    "$dynamicAnchor",
    "$vocabulary",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Keywords compared where they are handled, not as unknown keywords.
const HANDLED: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "$ref",
];

/// `Ok` when a reader with the `reader` schema accepts every instance the
/// `writer` schema accepts; else the differences. Schemas that are not
/// JSON are not checked (the registry refuses them before).
pub(crate) fn compatibility_check(reader: &str, writer: &str) -> Result<(), String> {
    let (Ok(r), Ok(w)) = (
        serde_json::from_str::<Value>(reader),
        serde_json::from_str::<Value>(writer),
    ) else {
        return Ok(());
    };
    let mut cmp = Compare {
        reader_root: &r,
        writer_root: &w,
        assumed: HashSet::new(),
        problems: Vec::new(),
        budget: MAX_STEPS,
    };
    cmp.covers(&r, &w, "#", 0);
    if cmp.problems.is_empty() {
        Ok(())
    } else {
        Err(cmp.problems.join("; "))
    }
}

struct Compare<'a> {
    reader_root: &'a Value,
    writer_root: &'a Value,
    /// Pairs of (reader, writer) sub-schemas under comparison: met again
    /// (a recursive `$ref`), they are assumed to hold.
    assumed: HashSet<(usize, usize)>,
    problems: Vec<String>,
    /// Comparisons left before giving up (combinators on both sides can
    /// multiply them).
    budget: usize,
}

fn key(v: &Value) -> usize {
    v as *const Value as usize
}

/// The schema a local `$ref` points at (`#`, `#/definitions/x`).
fn local_target<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    root.pointer(pointer)
}

/// `true` when `schema` accepts every instance.
fn accepts_all(schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        Value::Object(m) => m.keys().all(|k| ANNOTATIONS.contains(&k.as_str())),
        _ => false,
    }
}

const TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "integer", "string"];

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    }
}

/// The types a schema allows by its `type` keyword (`None`: all).
fn declared_types(m: &Map<String, Value>) -> Option<Vec<String>> {
    match m.get("type")? {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(ts) => Some(ts.iter().filter_map(|t| t.as_str().map(str::to_string)).collect()),
        _ => None,
    }
}

/// The values a schema allows by `enum` or `const` (`None`: not listed).
fn listed_values(m: &Map<String, Value>) -> Option<Vec<Value>> {
    if let Some(c) = m.get("const") {
        return Some(vec![c.clone()]);
    }
    m.get("enum").and_then(Value::as_array).cloned()
}

fn allows_type(types: &Option<Vec<String>>, t: &str) -> bool {
    match types {
        None => true,
        Some(ts) => ts.iter().any(|x| x == t || (t == "integer" && x == "number")),
    }
}

/// Merges `extra`'s constraints into `base` keeping `base`'s where both
/// have one (an intersection holds fewer instances than either part, so
/// a reader that covers the merge covers the intersection... only where the
/// merge keeps constraints: `required` lists are united, the rest kept).
fn merge_into(base: &mut Map<String, Value>, extra: &Value) {
    let Value::Object(extra) = extra else {
        return;
    };
    for (k, v) in extra {
        if NOT_MERGED.contains(&k.as_str()) || ANNOTATIONS.contains(&k.as_str()) {
            continue;
        }
        match (k.as_str(), base.get_mut(k)) {
            ("required", Some(Value::Array(have))) => {
                if let Value::Array(more) = v {
                    for r in more {
                        if !have.contains(r) {
                            have.push(r.clone());
                        }
                    }
                }
            }
            (_, Some(_)) => {}
            (_, None) => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn number(m: &Map<String, Value>, k: &str) -> Option<f64> {
    m.get(k).and_then(Value::as_f64)
}

fn exact(m: &Map<String, Value>, k: &str) -> Option<serde_json::Number> {
    match m.get(k) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    }
}

/// A lower or upper bound: its value and whether it is exclusive (draft 4's
/// boolean `exclusiveMinimum` or draft 6's numeric one).
fn bound(m: &Map<String, Value>, inclusive: &str, exclusive: &str) -> Option<(serde_json::Number, bool)> {
    use std::cmp::Ordering;
    let excl_flag = m.get(exclusive).and_then(Value::as_bool).unwrap_or(false);
    let incl = exact(m, inclusive).map(|v| (v, excl_flag));
    let excl = exact(m, exclusive).map(|v| (v, true));
    match (incl, excl) {
        (Some(a), Some(b)) => {
            // The stricter of the two.
            let b_stricter = match num_cmp(&b.0, &a.0) {
                Some(Ordering::Greater) => inclusive == "minimum",
                Some(Ordering::Less) => inclusive != "minimum",
                _ => true,
            };
            Some(if b_stricter { b } else { a })
        }
        (a, b) => a.or(b),
    }
}

impl<'a> Compare<'a> {
    fn problem(&mut self, path: &str, kind: &str, detail: String) {
        self.problems.push(format!("{path}: {kind} ({detail})"));
    }

    /// Records why `reader` does not accept everything `writer` accepts.
    fn covers(&mut self, reader: &Value, writer: &Value, path: &str, depth: usize) {
        if depth > MAX_DEPTH || self.budget == 0 {
            self.problem(
                path,
                "SCHEMA_TOO_COMPLEX",
                format!("not compared past {MAX_DEPTH} levels or {MAX_STEPS} steps"),
            );
            return;
        }
        self.budget -= 1;
        // Local references: compared by what they point at; a pair met
        // again is assumed to hold (recursive schemas).
        let reader = self.follow(reader, true);
        let writer = self.follow(writer, false);
        let pair = (key(reader), key(writer));
        if !self.assumed.insert(pair) {
            return;
        }
        self.covers_resolved(reader, writer, path, depth);
        self.assumed.remove(&pair);
    }

    fn follow<'v>(&self, mut schema: &'v Value, reader: bool) -> &'v Value
    where
        'a: 'v,
    {
        let root: &'a Value = if reader { self.reader_root } else { self.writer_root };
        for _ in 0..MAX_DEPTH {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            // Keywords beside a `$ref` apply too (2019-09 on): not
            // followed, so that the comparison refuses it.
            let siblings = schema
                .as_object()
                .is_some_and(|m| m.keys().any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str())));
            if siblings {
                break;
            }
            match local_target(root, r) {
                Some(t) => schema = t,
                None => break,
            }
        }
        schema
    }

    fn covers_resolved(&mut self, reader: &Value, writer: &Value, path: &str, depth: usize) {
        if depth > MAX_DEPTH || self.budget == 0 {
            self.problem(
                path,
                "SCHEMA_TOO_COMPLEX",
                format!("not compared past {MAX_DEPTH} levels or {MAX_STEPS} steps"),
            );
            return;
        }
        self.budget -= 1;
        if accepts_all(reader) || writer == &Value::Bool(false) {
            return;
        }
        // The same schema, with nothing resolved against another root.
        if reader == writer && !has_ref(reader) {
            return;
        }
        let (Value::Object(r), Value::Object(w)) = (reader, writer) else {
            self.problem(
                path,
                "SCHEMA_NARROWED",
                format!(
                    "the reader's schema {} does not accept all of {}",
                    brief(reader),
                    brief(writer)
                ),
            );
            return;
        };
        for (side, m) in [("reader", r), ("writer", w)] {
            if let Some(k) = m.keys().find(|k| CONTEXTUAL.contains(&k.as_str())) {
                self.problem(path, "KEYWORD_NOT_COMPARED", format!("the {side}'s {k:?}"));
                return;
            }
        }
        if depth == 0 && r.get("$schema") != w.get("$schema") {
            self.problem(path, "DRAFT_CHANGED", "the schemas name different drafts".into());
            return;
        }
        // References left here are external ones (a registered schema:
        // the check sees neither side's), local ones that did not resolve,
        // or ones with keywords beside them: nothing can be proven.
        if let Some(a) = r.get("$ref").or_else(|| w.get("$ref")) {
            self.problem(path, "REFERENCE_NOT_COMPARED", format!("{} is not compared", brief(a)));
            return;
        }
        // A writer that lists its values: each must be valid for the reader.
        if let Some(values) = listed_values(w) {
            self.listed_values_fit(reader, &values, path);
            return;
        }
        // The writer's combinators: allOf narrows (merged in), anyOf and
        // oneOf split the writer into branches, each of which must be
        // covered.
        if w.contains_key("allOf") || w.contains_key("anyOf") || w.contains_key("oneOf") {
            let mut base = constraints(w);
            let all_of = base.remove("allOf");
            let any_of = base.remove("anyOf");
            let one_of = base.remove("oneOf");
            if let Some(Value::Array(parts)) = &all_of {
                for p in parts {
                    let p = self.follow(p, false);
                    merge_into(&mut base, p);
                }
            }
            let branches: Vec<Value> = match (any_of, one_of) {
                (Some(Value::Array(a)), _) | (None, Some(Value::Array(a))) => a,
                _ => Vec::new(),
            };
            if branches.is_empty() {
                let merged = Value::Object(base);
                self.covers_resolved(reader, &merged, path, depth + 1);
            } else {
                for (i, b) in branches.iter().enumerate() {
                    let mut m = base.clone();
                    let b = self.follow(b, false);
                    merge_into(&mut m, b);
                    self.covers_resolved(reader, &Value::Object(m), &format!("{path}/oneOf/{i}"), depth + 1);
                }
            }
            return;
        }
        // The reader's combinators.
        if let Some(Value::Array(parts)) = r.get("allOf") {
            for (i, p) in parts.iter().enumerate() {
                self.covers(p, writer, &format!("{path}/allOf/{i}"), depth + 1);
            }
        }
        for combinator in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = r.get(combinator) {
                let covering: Vec<usize> = (0..branches.len())
                    .filter(|&i| {
                        let before = self.problems.len();
                        self.covers(&branches[i], writer, path, depth + 1);
                        let ok = self.problems.len() == before;
                        self.problems.truncate(before);
                        ok
                    })
                    .collect();
                // oneOf refuses a value two branches take: the covering
                // branch must be the only one that can take the writer's.
                let fits = match (combinator, covering.as_slice()) {
                    ("anyOf", c) => !c.is_empty(),
                    (_, [only]) => branches
                        .iter()
                        .enumerate()
                        .all(|(i, b)| i == *only || self.disjoint(b, w)),
                    _ => false,
                };
                if !fits {
                    self.problem(
                        path,
                        "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
                        format!("no single branch of the reader's {combinator} takes all the writer writes"),
                    );
                }
            }
        }
        self.covers_keywords(r, w, path, depth);
    }

    /// Whether the reader's `branch` can take none of what `w` writes (by
    /// their types).
    fn disjoint(&self, branch: &Value, w: &Map<String, Value>) -> bool {
        let branch = self.follow(branch, true);
        if branch == &Value::Bool(false) {
            return true;
        }
        let (Some(bt), Some(wt)) = (branch.as_object().and_then(declared_types), declared_types(w)) else {
            return false;
        };
        let (bt, wt) = (Some(bt), Some(wt));
        let overlap = |a: &Option<Vec<String>>, b: &Option<Vec<String>>| {
            a.as_ref().is_some_and(|ts| ts.iter().any(|t| allows_type(b, t)))
        };
        !overlap(&wt, &bt) && !overlap(&bt, &wt)
    }

    /// Records the writer's listed values (`enum`, `const`) the reader's
    /// schema refuses, validating each with jsonschema (the reader's
    /// sub-schema with its document's definitions and draft).
    fn listed_values_fit(&mut self, reader: &Value, values: &[Value], path: &str) {
        let mut wrapper = serde_json::json!({ "allOf": [reader] });
        for k in ["definitions", "$defs", "$schema"] {
            if let Some(v) = self.reader_root.get(k) {
                wrapper[k] = v.clone();
            }
        }
        let validator = match jsonschema::options().should_validate_formats(false).build(&wrapper) {
            Ok(v) => v,
            Err(e) => {
                self.problem(
                    path,
                    "ENUM_ARRAY_NARROWED",
                    format!("the reader's schema is not compared: {e}"),
                );
                return;
            }
        };
        let refused: Vec<String> = values.iter().filter(|v| !validator.is_valid(v)).map(brief).collect();
        if !refused.is_empty() {
            self.problem(
                path,
                "ENUM_ARRAY_NARROWED",
                format!("the reader refuses {}", refused.join(", ")),
            );
        }
    }

    fn covers_keywords(&mut self, r: &Map<String, Value>, w: &Map<String, Value>, path: &str, depth: usize) {
        let r_types = declared_types(r);
        let listed = listed_values(w);
        // The types the writer writes: its enum's or const's, else its
        // `type`, else all.
        let w_types: Vec<String> = match (&listed, declared_types(w)) {
            (Some(values), _) => values.iter().map(|v| type_of(v).to_string()).collect(),
            (None, Some(ts)) => ts,
            (None, None) => TYPES.iter().map(|t| t.to_string()).collect(),
        };
        let w_types_opt = Some(w_types.clone());
        let narrowed: Vec<&String> = w_types.iter().filter(|t| !allows_type(&r_types, t)).collect();
        if !narrowed.is_empty() {
            self.problem(
                path,
                "TYPE_NARROWED",
                format!(
                    "the writer writes {narrowed:?}, the reader accepts {:?}",
                    r_types.clone().unwrap_or_default()
                ),
            );
        }
        if let Some(allowed) = listed_values(r) {
            match &listed {
                Some(values) => {
                    let missing: Vec<&Value> = values.iter().filter(|v| !allowed.contains(v)).collect();
                    if !missing.is_empty() {
                        self.problem(
                            path,
                            "ENUM_ARRAY_NARROWED",
                            format!(
                                "the reader does not accept {}",
                                missing.iter().map(|v| brief(v)).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    }
                }
                None => self.problem(
                    path,
                    "ENUM_ARRAY_NARROWED",
                    "the reader accepts listed values only".into(),
                ),
            }
        }
        let writes =
            |t: &str| allows_type(&w_types_opt, t) || (t == "number" && w_types.iter().any(|x| x == "integer"));
        if (writes("number") || writes("integer")) && listed.is_none() {
            self.numbers(r, w, path);
        }
        if writes("string") && listed.is_none() {
            self.lengths(r, w, path, "minLength", "maxLength", "LENGTH");
            for k in ["pattern", "format"] {
                if let Some(rv) = r.get(k) {
                    if w.get(k) != Some(rv) {
                        let kind = if k == "pattern" {
                            "PATTERN_CHANGED"
                        } else {
                            "FORMAT_CHANGED"
                        };
                        self.problem(
                            path,
                            kind,
                            format!(
                                "the reader's {k} is {}, the writer's {}",
                                brief(rv),
                                w.get(k).map_or("absent".into(), brief)
                            ),
                        );
                    }
                }
            }
        }
        if writes("array") && listed.is_none() {
            self.arrays(r, w, path, depth);
        }
        if writes("object") && listed.is_none() {
            self.objects(r, w, path, depth);
        }
        for (k, rv) in r {
            if ANNOTATIONS.contains(&k.as_str()) || HANDLED.contains(&k.as_str()) {
                continue;
            }
            // Compared as text; a `$ref` inside resolves against each
            // side's own document, so the same text proves nothing.
            if w.get(k) != Some(rv) || has_ref(rv) {
                self.problem(
                    path,
                    "KEYWORD_CHANGED",
                    format!(
                        "the reader's {k:?} is {}, the writer's {}: not compared",
                        brief(rv),
                        w.get(k).map_or("absent".into(), brief)
                    ),
                );
            }
        }
    }

    fn numbers(&mut self, r: &Map<String, Value>, w: &Map<String, Value>, path: &str) {
        for (inclusive, exclusive, lower) in [
            ("minimum", "exclusiveMinimum", true),
            ("maximum", "exclusiveMaximum", false),
        ] {
            let Some((rv, rx)) = bound(r, inclusive, exclusive) else {
                continue;
            };
            let within = match bound(w, inclusive, exclusive) {
                None => false,
                Some((wv, wx)) => match num_cmp(&wv, &rv) {
                    Some(std::cmp::Ordering::Equal) => !rx || wx,
                    Some(std::cmp::Ordering::Greater) => lower,
                    Some(std::cmp::Ordering::Less) => !lower,
                    None => false,
                },
            };
            if !within {
                let kind = if lower {
                    "MINIMUM_INCREASED"
                } else {
                    "MAXIMUM_DECREASED"
                };
                self.problem(path, kind, format!("the reader's {inclusive} is {rv}"));
            }
        }
        if let Some(rm) = number(r, "multipleOf") {
            let ok = match number(w, "multipleOf") {
                Some(wm) => rm != 0.0 && (wm / rm).fract() == 0.0,
                None => declared_types(w).is_some_and(|t| t.iter().all(|t| t == "integer")) && rm == 1.0,
            };
            if !ok {
                self.problem(path, "MULTIPLE_OF_CHANGED", format!("the reader's multipleOf is {rm}"));
            }
        }
    }

    fn lengths(
        &mut self,
        r: &Map<String, Value>,
        w: &Map<String, Value>,
        path: &str,
        min: &str,
        max: &str,
        what: &str,
    ) {
        if let Some(rmin) = number(r, min) {
            if number(w, min).is_none_or(|wmin| wmin < rmin) {
                self.problem(
                    path,
                    &format!("MIN_{what}_INCREASED"),
                    format!("the reader's {min} is {rmin}"),
                );
            }
        }
        if let Some(rmax) = number(r, max) {
            if number(w, max).is_none_or(|wmax| wmax > rmax) {
                self.problem(
                    path,
                    &format!("MAX_{what}_DECREASED"),
                    format!("the reader's {max} is {rmax}"),
                );
            }
        }
    }

    fn arrays(&mut self, r: &Map<String, Value>, w: &Map<String, Value>, path: &str, depth: usize) {
        self.lengths(r, w, path, "minItems", "maxItems", "ITEMS");
        if r.get("uniqueItems") == Some(&Value::Bool(true)) && w.get("uniqueItems") != Some(&Value::Bool(true)) {
            self.problem(path, "UNIQUE_ITEMS_ADDED", "the reader wants unique items".into());
        }
        let any = Value::Bool(true);
        let additional = |m: &Map<String, Value>| m.get("additionalItems").cloned().unwrap_or(Value::Bool(true));
        // Item i's schema on each side (tuples by position, then
        // additionalItems; a single schema for all).
        let item = |m: &Map<String, Value>, i: usize| -> Value {
            match m.get("items") {
                None => any.clone(),
                Some(Value::Array(tuple)) => tuple.get(i).cloned().unwrap_or_else(|| additional(m)),
                Some(schema) => schema.clone(),
            }
        };
        let tuple_len = |m: &Map<String, Value>| match m.get("items") {
            Some(Value::Array(t)) => t.len(),
            _ => 0,
        };
        let n = tuple_len(r).max(tuple_len(w));
        for i in 0..=n {
            let (ri, wi) = (item(r, i), item(w, i));
            // i == n: every position after the tuples.
            let at = if i == n {
                format!("{path}/items")
            } else {
                format!("{path}/items/{i}")
            };
            self.covers(&ri, &wi, &at, depth + 1);
        }
    }

    fn objects(&mut self, r: &Map<String, Value>, w: &Map<String, Value>, path: &str, depth: usize) {
        self.lengths(r, w, path, "minProperties", "maxProperties", "PROPERTIES");
        let props = |m: &Map<String, Value>| {
            m.get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (rp, wp) = (props(r), props(w));
        let additional = |m: &Map<String, Value>| m.get("additionalProperties").cloned().unwrap_or(Value::Bool(true));
        let (ra, wa) = (additional(r), additional(w));
        let w_required: Vec<&Value> = w
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let closed = |a: &Value| a == &Value::Bool(false);
        if let Some(Value::Array(required)) = r.get("required") {
            for name in required {
                if !w_required.contains(&name) {
                    let kind = if closed(&wa) && !wp.contains_key(name.as_str().unwrap_or_default()) {
                        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
                    } else {
                        "REQUIRED_ATTRIBUTE_ADDED"
                    };
                    self.problem(path, kind, format!("the reader requires {name}, the writer does not"));
                }
            }
        }
        let mut names: Vec<&String> = rp.keys().chain(wp.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let at = format!("{path}/properties/{name}");
            match (rp.get(name), wp.get(name)) {
                (Some(rs), Some(ws)) => self.covers(rs, ws, &at, depth + 1),
                // Added by the reader: what the writer wrote under this name
                // is whatever its additionalProperties allow.
                (Some(rs), None) => {
                    let before = self.problems.len();
                    self.covers(rs, &wa, &at, depth + 1);
                    if self.problems.len() > before && !closed(&wa) {
                        self.problems.truncate(before);
                        self.problem(
                            &at,
                            "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                            "the writer's open content model may have written anything under this name".into(),
                        );
                    }
                }
                // Removed by the reader: its additionalProperties must take
                // what the writer wrote there.
                (None, Some(ws)) => {
                    let before = self.problems.len();
                    self.covers(&ra, ws, &at, depth + 1);
                    if self.problems.len() > before && closed(&ra) {
                        self.problems.truncate(before);
                        self.problem(
                            &at,
                            "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                            "the reader's closed content model refuses what the writer writes under this name".into(),
                        );
                    }
                }
                (None, None) => {}
            }
        }
        // Every other name.
        let before = self.problems.len();
        self.covers(&ra, &wa, &format!("{path}/additionalProperties"), depth + 1);
        if self.problems.len() > before && closed(&ra) {
            self.problems.truncate(before);
            self.problem(
                path,
                "ADDITIONAL_PROPERTIES_REMOVED",
                "the reader's content model is closed, the writer's open".into(),
            );
        }
    }
}
