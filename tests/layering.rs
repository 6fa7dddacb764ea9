//! The layering of ../shared/DESIGN.md ("Arrows point down only") and
//! ARCHITECTURE.md, checked on the sources: no file imports from a layer
//! above its own, and `native::sys` is seen only inside `native/`.
//!
//! The layers, from the ground up (a module's layer is that of its first
//! path segment; names re-exported at the crate root are followed to their
//! module):
//!
//! 0. values: `error`, `timeout`, `topic_partition`, `metadata`, `values`
//! 1. `native` (all `unsafe`, the only user of rdkafka-sys)
//! 2. core: `dispatch`, `client`, `config`, `message`, `group_metadata`,
//!    `partitioners`
//! 3. clients: `producer`, `consumer`, `admin`, `mock`, `schema_registry`
//! 4. the crate root (`lib.rs`)
//!
//! `KNOWN` lists upward imports tolerated for now; it is empty since issue
//! 11's restructuring. It is a ratchet both ways: a new upward import
//! fails, and so does an entry that no longer occurs (remove it from the
//! list, so that it cannot come back).

use std::collections::{BTreeMap, BTreeSet};
#[path = "common/sources.rs"]
mod sources;

use sources::{rust_files, src_dir};

/// (file under src/, module it imports from) pairs that point upward (none).
const KNOWN: &[(&str, &str)] = &[];

fn layer(module: &str) -> Option<u8> {
    Some(match module {
        // error_codes.rs is `error::codes` (a #[path] module).
        "error" | "error_codes" | "timeout" | "topic_partition" | "metadata" | "values" => 0,
        "native" => 1,
        "dispatch" | "client" | "config" | "message" | "group_metadata" | "partitioners" => 2,
        "producer" | "consumer" | "admin" | "mock" | "schema_registry" => 3,
        "<root>" => 4,
        _ => return None,
    })
}

/// The source without comments (line comments, doc comments) and string
/// literals' contents, so that only code is scanned.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
                kept.push('"');
            } else if !in_str {
                kept.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Names re-exported at the crate root, mapped to their module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for stmt in lib.split(';') {
        let Some(at) = stmt.find("pub use ") else { continue };
        let path = stmt[at + "pub use ".len()..].trim();
        let module = ident_at(path).to_string();
        let rest = &path[module.len()..];
        let names = rest
            .trim_start_matches("::")
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}');
        for name in names.split(',') {
            let name = name.trim();
            if !name.is_empty() {
                map.insert(name.to_string(), module.clone());
            }
        }
    }
    map
}

/// Every module a file refers to through `crate::` (grouped imports
/// included), as the first path segment — or `native::sys`.
fn referenced_modules(code: &str, reexports: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut add = |path: &str| {
        let first = ident_at(path.trim());
        if first.is_empty() {
            return;
        }
        let after = path.trim()[first.len()..].trim_start();
        if first == "native" && after.starts_with("::") {
            let rest = after[2..].trim_start();
            let second = ident_at(rest);
            if second == "sys" {
                found.insert("native::sys".to_string());
            } else if rest.starts_with('{') {
                // crate::native::{sys, ...}
                let inner = &rest[1..rest.find('}').unwrap_or(rest.len())];
                if inner.split(',').any(|n| ident_at(n.trim()) == "sys") {
                    found.insert("native::sys".to_string());
                }
            }
        }
        if layer(first).is_some() {
            found.insert(first.to_string());
        } else if let Some(module) = reexports.get(first) {
            found.insert(module.clone());
        } else {
            // Defined in lib.rs itself.
            found.insert("<root>".to_string());
        }
    };
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before_ok = at == 0 || {
            let b = rest.as_bytes()[at - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        rest = &rest[at + "crate::".len()..];
        if !before_ok {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // crate::{a::B, c::{D, E}}: the first segment of each item.
            let mut depth = 0;
            let mut item_start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        add(&group[item_start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        add(&group[item_start..i]);
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            let end = rest
                .find([';', ',', '(', '<', ' ', '\n', '>', ')'])
                .unwrap_or(rest.len());
            add(&rest[..end]);
        }
    }
    found
}

fn file_module(rel: &str) -> &str {
    if rel == "lib.rs" {
        return "<root>";
    }
    let first = rel.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

#[test]
fn no_file_imports_from_a_layer_above_its_own() {
    let mut upward = BTreeSet::new();
    let mut unlayered = Vec::new();
    for (rel, targets) in scan() {
        // error/codes.rs and the like belong to their parent module.
        let module = file_module(&rel);
        let Some(own) = layer(module) else {
            unlayered.push(rel.clone());
            continue;
        };
        for target in targets {
            if target == "native::sys" {
                if module != "native" {
                    upward.insert((rel.clone(), target));
                }
                continue;
            }
            let theirs = layer(&target).unwrap_or_else(|| panic!("{rel}: unknown module {target}"));
            if theirs > own {
                upward.insert((rel.clone(), target));
            }
        }
    }
    assert!(
        unlayered.is_empty(),
        "files in no layer (add their module to `layer` here and to ARCHITECTURE.md): {unlayered:?}"
    );
    let known: BTreeSet<(String, String)> = KNOWN.iter().map(|(f, m)| (f.to_string(), m.to_string())).collect();
    let new: Vec<_> = upward.difference(&known).collect();
    let gone: Vec<_> = known.difference(&upward).collect();
    assert!(
        new.is_empty(),
        "imports from a layer above (ARCHITECTURE.md; native/ reaches user code through a trait or function table, `sys` stays in native/): {new:?}"
    );
    assert!(
        gone.is_empty(),
        "these known upward imports are gone: remove them from KNOWN so they cannot come back: {gone:?}"
    );
}

/// Every file under src/ (path relative to it, sorted) with the modules
/// its code refers to.
fn scan() -> Vec<(String, BTreeSet<String>)> {
    let src = src_dir();
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexports = root_reexports(&code_of(&lib));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let code = code_of(&std::fs::read_to_string(path).unwrap());
            (rel, referenced_modules(&code, &reexports))
        })
        .collect()
}

/// The module graph (first path segments; `error_codes` is `error`).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, targets) in scan() {
        let module = match file_module(&rel) {
            "error_codes" => "error",
            m => m,
        };
        let edges = graph.entry(module.to_string()).or_default();
        for target in targets {
            let target = match target.as_str() {
                "native::sys" => "native".to_string(),
                "error_codes" => "error".to_string(),
                _ => target,
            };
            if target != module {
                edges.insert(target);
            }
        }
    }
    graph
}

/// Two value types that refer to each other as data: a `TopicPartition`
/// carries a per-partition `KafkaError`, and a `KafkaError` may name the
/// partition it is about. No behaviour flows along this edge.
const DATA_CYCLES: &[(&str, &str)] = &[("topic_partition", "error")];

/// Layers alone allow a cycle among the modules of one layer (issue 11
/// found message → client → dispatch → config → message): none is left
/// but the data types of `DATA_CYCLES`.
#[test]
fn no_module_imports_form_a_cycle() {
    let mut graph = module_graph();
    for (from, to) in DATA_CYCLES {
        let removed = graph.get_mut(*from).is_some_and(|t| t.remove(*to));
        assert!(removed, "{from} -> {to} is gone: remove it from DATA_CYCLES");
    }
    // Depth-first search; `path` is the current chain of modules.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut cycle = path[at..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(cycle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("modules import each other in a cycle: {}", cycle.join(" -> "));
        }
    }
    // The check can fail: the graph has the edges it must.
    assert!(graph["client"].contains("dispatch") && graph["dispatch"].contains("native"));
}

#[test]
fn the_scanner_sees_what_it_must() {
    // The checker itself: grouped, nested, root re-exported, sys, comments.
    let reexports: BTreeMap<String, String> = [("TopicPartition".to_string(), "topic_partition".to_string())]
        .into_iter()
        .collect();
    let code = code_of(
        "use crate::{dispatch::X, native::{sys, Y}};\n\
         // use crate::admin::Z;\n\
         let s = \"crate::mock\";\n\
         fn f(t: crate::TopicPartition) -> crate::config::C { crate::librdkafka_version() }\n",
    );
    let found = referenced_modules(&code, &reexports);
    let want: BTreeSet<String> = [
        "dispatch",
        "native",
        "native::sys",
        "topic_partition",
        "config",
        "<root>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(found, want);
}
