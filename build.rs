//! Derives the list of sensitive configuration properties from the librdkafka
//! sources that `rdkafka-sys` compiled (`_RK_SENSITIVE` in `rdkafka_conf.c`),
//! aliases included, so that `Config`'s `Debug` and error messages redact
//! exactly what librdkafka itself considers secret, plus our own patterns.

use std::env;
use std::fs;
use std::path::PathBuf;

/// Used when the librdkafka sources cannot be read (e.g. a prebuilt library).
const FALLBACK: &[&str] = &[
    "ssl.key.location",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl_key",
    "ssl.ca.pem",
    "ssl.keystore.password",
    "sasl.username",
    "sasl.password",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.client.credentials.client.secret",
    "sasl.oauthbearer.assertion.private.key.file",
    "sasl.oauthbearer.assertion.private.key.passphrase",
    "sasl.oauthbearer.assertion.private.key.pem",
];

fn parse(src: &str) -> Vec<String> {
    // Each property entry starts with "{_RK_" at the start of a line.
    let mut sensitive = Vec::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let entries: Vec<&str> = src.split("\n    {_RK_").skip(1).collect();
    for entry in entries {
        let scope_end = entry.find(',').unwrap_or(0);
        let scope = &entry[..scope_end];
        let rest = &entry[scope_end..];
        let name = match quoted(rest) {
            Some(n) => n,
            None => continue,
        };
        if scope.contains("_RK_SENSITIVE") {
            sensitive.push(name.clone());
        }
        if rest.contains("_RK_C_ALIAS") {
            if let Some(pos) = rest.find(".sdef") {
                if let Some(target) = quoted(&rest[pos..]) {
                    aliases.push((name, target));
                }
            }
        }
    }
    let mut out = sensitive.clone();
    for (alias, target) in aliases {
        if sensitive.contains(&target) {
            out.push(alias);
        }
    }
    out
}

fn quoted(s: &str) -> Option<String> {
    let start = s.find('"')? + 1;
    let len = s[start..].find('"')?;
    Some(s[start..start + len].to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let mut keys: Vec<String> = Vec::new();
    if let Ok(root) = env::var("DEP_RDKAFKA_ROOT") {
        let path = PathBuf::from(root).join("src").join("rdkafka_conf.c");
        if let Ok(src) = fs::read_to_string(&path) {
            keys = parse(&src);
        }
    }
    if keys.is_empty() {
        // rdkafka-sys's CMake build (the `oidc` feature) exports no
        // DEP_RDKAFKA_ROOT: read its vendored sources in cargo's registry.
        if let Some(src) = registry_conf_c() {
            keys = parse(&src);
        }
    }
    if keys.len() < 8 {
        println!("cargo:warning=could not derive librdkafka's sensitive properties; using the built-in list");
        keys = FALLBACK.iter().map(|s| s.to_string()).collect();
    }
    keys.sort();
    keys.dedup();
    let mut code = String::from(
        "/// librdkafka's sensitive properties (`_RK_SENSITIVE`) and their aliases.\n\
         pub(crate) const SENSITIVE_PROPERTIES: &[&str] = &[\n",
    );
    for k in &keys {
        code.push_str(&format!("    {:?},\n", k));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("sensitive.rs");
    fs::write(out, code).unwrap();
}

/// `rdkafka_conf.c` of the pinned rdkafka-sys, from cargo's registry sources.
fn registry_conf_c() -> Option<String> {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    for index in fs::read_dir(home.join("registry").join("src")).ok()?.flatten() {
        let path = index
            .path()
            .join("rdkafka-sys-4.10.0+2.12.1")
            .join("librdkafka")
            .join("src")
            .join("rdkafka_conf.c");
        if let Ok(src) = fs::read_to_string(path) {
            return Some(src);
        }
    }
    None
}
