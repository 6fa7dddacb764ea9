//! `.properties` files and `-X key=value` arguments (issue 15): the parser
//! checked against Java's own `java.util.Properties.load` on 600 generated
//! documents (tests/fixtures/properties_java.jsonl, made by
//! tools/properties_reference/gen_corpus.py with a JDK; this test needs
//! none), and the loading promises: errors name the file and line, nothing
//! is applied from a document with an error, secrets stay redacted.

use ferrokafka::{parse_properties, Config, ErrorCode};
use std::collections::BTreeMap;
use std::path::PathBuf;

const CORPUS: &str = include_str!("fixtures/properties_java.jsonl");

#[test]
fn the_parser_agrees_with_java_on_every_generated_document() {
    let mut compared = 0;
    let mut errors = 0;
    for (n, line) in CORPUS.lines().enumerate() {
        let rec: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = rec["text"].as_str().unwrap();
        let ours = parse_properties(text);
        match rec.get("pairs") {
            Some(pairs) => {
                let java: BTreeMap<String, String> = pairs
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string()))
                    .collect();
                let trailing_backslashes = text.chars().rev().take_while(|&c| c == '\\').count();
                let eof_quirk = java.get("").is_some_and(String::is_empty) && trailing_backslashes % 2 == 1;
                if let (true, Ok(ours)) = (eof_quirk, &ours) {
                    // Java's one quirk: a continuation that ends the input
                    // makes an empty property ("" = "") even after blanks
                    // only; we read an empty logical line there as Java
                    // does elsewhere, as nothing.
                    let mut java = java;
                    java.remove("");
                    let ours: BTreeMap<String, String> = ours.iter().cloned().collect();
                    assert_eq!(ours, java, "document {n}: {text:?}");
                    compared += 1;
                    continue;
                }
                if java.contains_key("") {
                    // Java keeps a property with an empty name; we refuse it.
                    let err = ours.expect_err("an empty name is refused");
                    assert!(err.message().contains("empty name"), "document {n}: {err}");
                    errors += 1;
                    continue;
                }
                let ours: BTreeMap<String, String> = ours
                    .unwrap_or_else(|e| panic!("document {n} {text:?}: Java parsed it, we failed: {e}"))
                    .into_iter()
                    .collect(); // the last of a repeated key wins, as in Java
                assert_eq!(ours, java, "document {n}: {text:?}");
                compared += 1;
            }
            None if rec.get("lone_surrogate").is_some() => {
                // Java keeps a lone UTF-16 surrogate; a Rust string cannot.
                let err = ours.expect_err(&format!("document {n} {text:?}: a lone surrogate parsed"));
                assert!(err.message().contains("surrogate"), "document {n}: {err}");
                errors += 1;
            }
            None => {
                // Java throws (a malformed \uXXXX escape): so must we.
                let err = ours.expect_err(&format!("document {n} {text:?}: Java refused it, we parsed it"));
                assert_eq!(err.code(), ErrorCode::INVALID_ARG);
                assert!(err.message().starts_with("line "), "{err}");
                errors += 1;
            }
        }
    }
    assert_eq!(compared + errors, 600);
    assert!(compared > 500, "{compared}");
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ferrokafka-props-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_file_loads_every_property_with_crlf_a_bom_and_continuations() {
    let dir = TempDir::new("load");
    let path = dir.file(
        "client.properties",
        "\u{feff}# Confluent Cloud style\r\nbootstrap.servers=localhost:9092,\\\r\n    localhost:9093\r\nsecurity.protocol : PLAINTEXT\r\nclient.id  my\\ app\r\n! done\r\n"
            .as_bytes(),
    );
    let config = Config::from_properties_file(&path).unwrap();
    assert_eq!(
        config.iter().collect::<Vec<_>>(),
        vec![
            ("bootstrap.servers", "localhost:9092,localhost:9093"),
            ("security.protocol", "PLAINTEXT"),
            ("client.id", "my app"),
        ]
    );
    // The loaded configuration makes a working client.
    ferrokafka::Producer::new(&config).unwrap();
}

#[test]
fn errors_name_the_file_and_line_and_leave_the_configuration_unchanged() {
    let dir = TempDir::new("errors");
    for (content, line, what) in [
        (
            &b"acks=all\nno.such.property=1\n"[..],
            2,
            "No such configuration property",
        ),
        (b"acks=all\n\n\nlinger.ms=soon\n", 4, "linger.ms"),
        (b"acks=all\nclient.id=\\u00G1\n", 2, "malformed \\uXXXX"),
        (b"acks=all\n=x\n", 2, "empty name"),
        (b"acks=all\nclient.id=\xff\xfe\n", 2, "not valid UTF-8"),
        (b"acks=all\r\rclient.id=\xff\xfe\n", 3, "not valid UTF-8"),
        (
            b"acks=all\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n",
            2,
            "key.serializer",
        ),
    ] {
        let path = dir.file("bad.properties", content);
        let mut config = Config::from([("client.id", "before")]);
        let err = config.load_properties_file(&path).unwrap_err();
        assert_eq!(err.code(), ErrorCode::INVALID_ARG, "{err}");
        let prefix = format!("{}:{line}: ", path.display());
        assert!(err.message().starts_with(&prefix), "{err} (wanted {prefix})");
        assert!(err.message().contains(what), "{err}");
        assert_eq!(
            config.iter().collect::<Vec<_>>(),
            vec![("client.id", "before")],
            "{err}"
        );
    }
    let missing = dir.0.join("missing.properties");
    let err = Config::from_properties_file(&missing).unwrap_err();
    assert_eq!(err.code(), ErrorCode::FS);
    assert!(err.message().contains("missing.properties"), "{err}");
}

#[test]
fn secrets_from_a_file_are_redacted_and_never_quoted_in_errors() {
    let dir = TempDir::new("secrets");
    let secret = "hunter2-from-file";
    let path = dir.file(
        "sasl.properties",
        format!("sasl.mechanisms=PLAIN\nsasl.username=alice\nsasl.password={secret}\nssl.key.password = {secret}\n")
            .as_bytes(),
    );
    let config = Config::from_properties_file(&path).unwrap();
    assert_eq!(config.get("sasl.password"), Some(secret));
    assert!(!format!("{config:?}").contains(secret));

    // A bad line after a secret, an escape error inside a secret, and a
    // secret passed as -X: the message names the line, never the value.
    for content in [
        format!("sasl.password={secret}\nlinger.ms={secret}x\n"),
        format!("sasl.password={secret}\\u12\n"),
    ] {
        let path = dir.file("bad.properties", content.as_bytes());
        let err = Config::from_properties_file(&path).unwrap_err();
        assert!(!err.to_string().contains(secret), "{err}");
    }
    let mut config = Config::new();
    config.set_property_arg(&format!("sasl.password={secret}")).unwrap();
    assert!(!format!("{config:?}").contains(secret));
    // A typo'd argument and a multi-line key without its continuations:
    // neither is quoted.
    for arg in [format!("sasl.password:{secret}"), format!("sasl.password {secret}")] {
        let err = config.set_property_arg(&arg).unwrap_err();
        assert!(!err.to_string().contains(secret), "{err}");
    }
    let pem = format!("ssl.key.pem=-----BEGIN PRIVATE KEY-----\n{secret}MIIEvQIBADANBg\n-----END PRIVATE KEY-----\n");
    let err = Config::new().load_properties(&pem).unwrap_err();
    assert!(err.message().starts_with("line 2: "), "{err}");
    assert!(!err.to_string().contains(secret), "{err}");
}

#[test]
fn loaded_values_are_trimmed_as_the_java_clients_and_kcat_trim_them() {
    let text = "acks = all \t\nclient.id=\\u0020padded\\u0020\n";
    // Properties.load keeps trailing blanks and escaped spaces ...
    assert_eq!(
        parse_properties(text).unwrap(),
        vec![
            ("acks".to_string(), "all \t".to_string()),
            ("client.id".to_string(), " padded ".to_string())
        ]
    );
    // ... loading trims them, as Kafka's ConfigDef trims every value.
    let mut config = Config::new();
    config.load_properties(text).unwrap();
    assert_eq!(config.get("acks"), Some("all"));
    assert_eq!(config.get("client.id"), Some("padded"));
    ferrokafka::Producer::new(&config).unwrap();
}

#[test]
fn property_arguments_are_checked_before_they_are_set() {
    let mut config = Config::new();
    config
        .set_property_arg("bootstrap.servers=a:1,b:2")
        .unwrap()
        .set_property_arg("client.id=x=y")
        .unwrap()
        .set_property_arg("topic.metadata.refresh.interval.ms=1000")
        .unwrap()
        // Topic-level properties are accepted on the global configuration,
        // as librdkafka applies them to the default topic configuration.
        .set_property_arg("message.timeout.ms=5000")
        .unwrap();
    assert_eq!(config.get("client.id"), Some("x=y"));
    for (arg, what) in [
        ("linger.ms", "without '='"),
        ("=1", "empty name"),
        ("no.such=1", "no.such"),
        ("acks=several", "acks"),
    ] {
        let err = config.set_property_arg(arg).unwrap_err();
        assert_eq!(err.code(), ErrorCode::INVALID_ARG, "{arg}");
        assert!(err.message().contains(what), "{arg}: {err}");
    }
    assert_eq!(config.len(), 4);
}

#[test]
fn a_later_source_overrides_an_earlier_one_as_kcat_applies_f_then_x() {
    let dir = TempDir::new("order");
    let path = dir.file("a.properties", b"client.id=from-file\nlinger.ms=7\n");
    let mut config = Config::from([("client.id", "from-code")]);
    config
        .load_properties_file(&path)
        .unwrap()
        .set_property_arg("client.id=from-x")
        .unwrap();
    assert_eq!(config.get("client.id"), Some("from-x"));
    assert_eq!(config.get("linger.ms"), Some("7"));
}
