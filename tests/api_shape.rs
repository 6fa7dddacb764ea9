//! The public API's shape, checked on the sources, so that it can be
//! frozen (issue 12):
//!
//! - every public struct with public fields, and every public enum, is
//!   `#[non_exhaustive]` — a field or variant can then be added in a minor
//!   release — except the enums listed in `EXHAUSTIVE`, whose variants are
//!   fixed by the Kafka protocol or by Rust;
//! - no public method is named `get_…` (getters are nouns: `key()`);
//! - C enumerations are integer newtypes (`c_enum!`), not Rust enums: a
//!   public enum with only unit variants fails here.

#[path = "common/sources.rs"]
mod sources;

use sources::{rust_files, src_dir};

/// Enums whose set of variants cannot grow, and why.
const EXHAUSTIVE: &[(&str, &str)] = &[
    ("Timestamp", "the protocol's three timestamp types"),
    ("Timeout", "a duration or none: nothing else can be"),
];

/// (file, item name, attributes before it, body lines) of every
/// `pub struct X {` / `pub enum X {` outside native/ (which is private).
fn items() -> Vec<(String, &'static str, String, Vec<String>, String)> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap().display().to_string();
        if rel.starts_with("native") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let kind = if line.starts_with("pub struct ") {
                "struct"
            } else if line.starts_with("pub enum ") {
                "enum"
            } else {
                continue;
            };
            if !line.trim_end().ends_with('{') {
                continue; // tuple or unit struct
            }
            let name: String = line[4 + kind.len() + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let mut attrs = String::new();
            for prev in lines[..i].iter().rev() {
                let p = prev.trim_start();
                if p.starts_with("#[") || p.starts_with("///") {
                    attrs.push_str(p);
                    attrs.push('\n');
                } else {
                    break;
                }
            }
            let body: Vec<String> = lines[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with('}'))
                .map(|l| l.to_string())
                .collect();
            out.push((rel.clone(), kind, name, body, attrs));
        }
    }
    out
}

#[test]
fn public_structs_with_fields_and_public_enums_are_non_exhaustive() {
    let mut missing = Vec::new();
    let mut seen = 0;
    for (file, kind, name, body, attrs) in items() {
        let has_pub_field = body.iter().any(|l| l.starts_with("    pub "));
        if kind == "struct" && !has_pub_field {
            continue;
        }
        if kind == "enum" && EXHAUSTIVE.iter().any(|(n, _)| *n == name) {
            continue;
        }
        seen += 1;
        if !attrs.contains("#[non_exhaustive]") {
            missing.push(format!("{file}: {kind} {name}"));
        }
    }
    assert!(seen > 30, "the scan found only {seen} items: is it still reading src/?");
    assert!(missing.is_empty(), "not #[non_exhaustive]:\n{}", missing.join("\n"));
}

#[test]
fn public_enums_carry_data_c_enums_are_newtypes() {
    let mut unit_only = Vec::new();
    for (file, kind, name, body, _) in items() {
        if kind != "enum" {
            continue;
        }
        let variants: Vec<&String> = body
            .iter()
            .filter(|l| {
                l.starts_with("    ")
                    && !l.starts_with("     ")
                    && !l.trim_start().starts_with("//")
                    && !l.trim_start().starts_with("#[")
            })
            .collect();
        if variants.iter().all(|v| !v.contains('(') && !v.contains('{')) {
            unit_only.push(format!("{file}: enum {name}"));
        }
    }
    assert!(
        unit_only.is_empty(),
        "enums of plain values should be c_enum! integer newtypes:\n{}",
        unit_only.join("\n")
    );
}

#[test]
fn no_public_method_is_named_get() {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for f in files {
        if f.strip_prefix(&src).unwrap().starts_with("native") {
            continue;
        }
        for (n, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            if line.trim_start().starts_with("pub fn get_") {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "getters are nouns (key(), not get_key()):\n{}",
        found.join("\n")
    );
}
