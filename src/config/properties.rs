//! Java-style `.properties` documents (the format of kcat's `-F`, the Java
//! clients' `client.properties` and Confluent's docs) and `-X key=value`
//! arguments, loaded into a [`Config`].
//!
//! The syntax is `java.util.Properties.load`'s: lines end at `\n`, `\r` or
//! `\r\n`; a line whose first non-blank character is `#` or `!` is a
//! comment; a line ending in an odd number of backslashes continues on the
//! next one (whose leading blanks are dropped); the key ends at the first
//! unescaped `=`, `:` or blank, and one `=` or `:` with blanks around it
//! separates it from the value; `\t \n \r \f \uXXXX` are escapes and a
//! backslash before any other character stands for that character (`\=`,
//! `\:`, `\ `, `\\`). Java reads files as ISO-8859-1; this reads UTF-8 (as
//! Java's resource bundles do since Java 9), skipping a leading byte-order
//! mark.
//!
//! Loading into a `Config` then trims each value (Java's `String.trim()`),
//! as the Java clients' configuration parsing and kcat do; `parse_properties`
//! does not. Every property is checked by librdkafka (`rd_kafka_conf_set` on
//! a scratch configuration) while its line number is known, and nothing is
//! applied unless the whole document is valid.

use super::{apply_property, is_sensitive, Config, Emulated, Redactor};
use crate::error::{ErrorCode, KafkaError, Result};
use std::path::Path;

/// One property of a document, with the line it starts on (1-based).
struct Entry {
    key: String,
    value: String,
    line: usize,
}

/// Parsed entries whose secret values are zeroed when dropped unused.
struct Entries(Vec<Entry>);

impl Drop for Entries {
    fn drop(&mut self) {
        for e in self.0.drain(..) {
            if is_sensitive(&e.key) {
                crate::native::zeroize(e.value.into_bytes());
            }
        }
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// The natural lines of `text` with their numbers: terminated by `\n`,
/// `\r` or `\r\n`.
fn natural_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut i, mut n) = (0, 0, 1);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((n, &text[start..i]));
                i += 1;
            }
            b'\r' => {
                out.push((n, &text[start..i]));
                i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            }
            _ => {
                i += 1;
                continue;
            }
        }
        start = i;
        n += 1;
    }
    if start < bytes.len() {
        out.push((n, &text[start..]));
    }
    out
}

/// The number of the line that `prefix` ends on (`\n`, `\r` and `\r\n`
/// all end lines).
fn line_at_end(prefix: &str) -> usize {
    let ended = usize::from(prefix.ends_with(['\n', '\r']));
    natural_lines(prefix).len().max(1 - ended) + ended
}

/// Parses a document; an error is `(line, what is wrong)`, never quoting
/// a value.
fn parse(text: &str) -> std::result::Result<Entries, (usize, String)> {
    let lines = natural_lines(text);
    let mut entries = Entries(Vec::new());
    let mut i = 0;
    while i < lines.len() {
        let (line, raw) = lines[i];
        i += 1;
        let first = raw.trim_start_matches(is_blank);
        if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
            continue;
        }
        // The natural lines of this logical line, joined in one allocation
        // (a value may be a secret: no reallocation leaves a copy behind).
        let mut parts = Vec::new();
        let mut cur = first;
        loop {
            let backslashes = cur.chars().rev().take_while(|&c| c == '\\').count();
            if backslashes % 2 == 0 {
                parts.push(cur);
                break;
            }
            parts.push(&cur[..cur.len() - 1]);
            match lines.get(i) {
                Some((_, next)) => {
                    cur = next.trim_start_matches(is_blank);
                    i += 1;
                    // Nothing yet on this logical line: as in Java, a `#`
                    // or `!` there starts a comment (never continued).
                    if parts.iter().all(|p| p.is_empty()) && (cur.starts_with('#') || cur.starts_with('!')) {
                        parts.clear();
                        break;
                    }
                }
                None => break,
            }
        }
        let mut logical = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for p in parts {
            logical.push_str(p);
        }
        if logical.is_empty() {
            // Only continuations: nothing, as in Java.
            continue;
        }
        let entry = parse_entry(&logical, line);
        crate::native::zeroize(logical.into_bytes());
        entries.0.push(entry?);
    }
    Ok(entries)
}

/// One logical line's property.
fn parse_entry(logical: &str, line: usize) -> std::result::Result<Entry, (usize, String)> {
    let (key, value) = split_entry(logical);
    let key = unescape(key).map_err(|e| (line, format!("in a property name: {e}")))?;
    if key.is_empty() {
        return Err((line, "a property with an empty name".to_string()));
    }
    match unescape(value) {
        Ok(value) => Ok(Entry { key, value, line }),
        Err(e) => Err((line, format!("in the value of {key:?}: {e}"))),
    }
}

/// Splits a logical line into its raw (still escaped) key and value.
fn split_entry(s: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = s.len();
    for (at, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '=' || c == ':' || is_blank(c) {
            key_end = at;
            break;
        }
    }
    let key = &s[..key_end];
    let mut rest = s[key_end..].chars();
    let mut value_start = key_end;
    let mut has_separator = false;
    for c in rest.by_ref() {
        if is_blank(c) {
            value_start += c.len_utf8();
        } else if !has_separator && (c == '=' || c == ':') {
            has_separator = true;
            value_start += 1;
        } else {
            break;
        }
    }
    (key, &s[value_start..])
}

/// Resolves the escapes of a key or value (zeroing the partial result on
/// an error: it may be part of a secret).
fn unescape(s: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(s.len());
    match unescape_into(s, &mut out) {
        Ok(()) => Ok(out),
        Err(e) => {
            crate::native::zeroize(out.into_bytes());
            Err(e)
        }
    }
}

fn unescape_into(s: &str, out: &mut String) -> std::result::Result<(), String> {
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let unit = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // A UTF-16 surrogate pair, as Java writes characters
                    // outside the Basic Multilingual Plane.
                    let low = match (chars.next(), chars.next()) {
                        (Some('\\'), Some('u')) => hex4(&mut chars)?,
                        _ => return Err("a \\u escape of a lone UTF-16 high surrogate".to_string()),
                    };
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err("a \\u escape of a lone UTF-16 high surrogate".to_string());
                    }
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    unit
                };
                match char::from_u32(code) {
                    Some(ch) => out.push(ch),
                    None => return Err("a \\u escape of a lone UTF-16 low surrogate".to_string()),
                }
            }
            Some(other) => out.push(other),
        }
    }
    Ok(())
}

fn hex4(chars: &mut std::str::Chars<'_>) -> std::result::Result<u32, String> {
    let mut v = 0;
    for _ in 0..4 {
        match chars.next().and_then(|c| c.to_digit(16)) {
            Some(d) => v = v * 16 + d,
            None => return Err("a malformed \\uXXXX escape (it needs four hexadecimal digits)".to_string()),
        }
    }
    Ok(v)
}

/// Checks every entry with librdkafka, then applies them all (or none).
fn apply(config: &mut Config, mut entries: Entries, origin: &dyn Fn(usize) -> String) -> Result<()> {
    // The Java clients trim every configuration value (Kafka's `ConfigDef`
    // parses `String.trim()`med values, passwords included) and kcat trims
    // its lines: `acks = all ` means `all` to both, so to us.
    for e in entries.0.iter_mut() {
        let trimmed = e.value.trim_matches(|c: char| c <= ' ');
        if trimmed.len() != e.value.len() {
            let trimmed = trimmed.to_string();
            let old = std::mem::replace(&mut e.value, trimmed);
            crate::native::zeroize(old.into_bytes());
        }
    }
    let secrets: Vec<String> = entries
        .0
        .iter()
        .filter(|e| is_sensitive(&e.key) && !e.value.is_empty())
        .map(|e| e.value.clone())
        .collect();
    let redactor = Redactor::new(secrets);
    let mut scratch = crate::native::NativeConf::new();
    let mut emulated = Emulated { dr_only_error: false };
    let mut previous: Option<&str> = None;
    for e in &entries.0 {
        if !looks_like_a_property_name(&e.key) {
            // Never quoted: it may be a line of a multi-line secret (a PEM
            // key) that lacks its `\` continuations.
            return Err(KafkaError::invalid_arg(format!(
                "{}: not a property name (a line of a multi-line value without its `\\` continuation?)",
                origin(e.line)
            )));
        }
        // Setting `plugin.library.paths` loads the plugins: not for a check.
        if e.key == "plugin.library.paths" {
            continue;
        }
        if let Err(err) = apply_property(&mut scratch, &mut emulated, &e.key, &e.value, &redactor) {
            return Err(match previous.filter(|k| is_sensitive(k)) {
                // Likely a line of a multi-line secret (a PEM key) that
                // lacks its `\` continuations: the name is not quoted.
                Some(secret_key) => KafkaError::invalid_arg(format!(
                    "{}: librdkafka refused this line's property (not quoted: it follows the sensitive \
                     property {secret_key:?} and may be part of a multi-line value without its `\\` \
                     continuations)",
                    origin(e.line)
                )),
                None => KafkaError::invalid_arg(format!("{}: {}", origin(e.line), err.message())),
            });
        }
        previous = Some(e.key.as_str());
    }
    let mut entries = entries;
    for e in entries.0.drain(..) {
        config.set_owned(e.key, e.value);
    }
    Ok(())
}

/// Whether `key` has the shape of a librdkafka property name (letters,
/// digits, `.`, `_`, `-`): what is quoted in an error.
fn looks_like_a_property_name(key: &str) -> bool {
    !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// A `-X`-style `key=value` argument split at its first `=`.
fn split_arg(arg: &str) -> Result<(&str, &str)> {
    match arg.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k, v)),
        Some(_) => Err(KafkaError::invalid_arg(
            "a property argument with an empty name: expected key=value",
        )),
        // Not quoted: `sasl.password:hunter2` is a typo that holds a secret.
        None => Err(KafkaError::invalid_arg(
            "a property argument without '=': expected key=value",
        )),
    }
}

/// Parses a Java-style `.properties` document into its `(key, value)`
/// pairs, in document order (a key set twice appears twice; loading keeps
/// the last), without checking the properties with librdkafka: for
/// documents that need filtering first, such as a Java client's file with
/// properties librdkafka does not have (`key.serializer`,
/// `sasl.jaas.config`). The syntax is
/// [`Config::load_properties`]'s; an error is `_INVALID_ARG` naming the
/// line. The values are plain `String`s: unlike a [`Config`]'s, secrets
/// among them are not zeroed when dropped.
///
/// ```
/// let text = "bootstrap.servers=localhost:9092\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n";
/// let mut config = ferrokafka::Config::new();
/// for (k, v) in ferrokafka::parse_properties(text)? {
///     if !k.ends_with(".serializer") {
///         config.set_property_arg(&format!("{k}={v}"))?;
///     }
/// }
/// assert_eq!(config.len(), 1);
/// # Ok::<(), ferrokafka::KafkaError>(())
/// ```
pub fn parse_properties(text: &str) -> Result<Vec<(String, String)>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = parse(body).map_err(|(line, what)| KafkaError::invalid_arg(format!("line {line}: {what}")))?;
    Ok(entries.0.drain(..).map(|e| (e.key, e.value)).collect())
}

impl Config {
    /// A configuration read from a Java-style `.properties` file, as kcat's
    /// `-F`, the Java clients and Confluent's documentation keep it.
    ///
    /// See [`load_properties`](Self::load_properties) for the syntax and
    /// checks. A file that cannot be read is an `_FS` error naming it; a
    /// syntax error or a property librdkafka refuses is `_INVALID_ARG`
    /// naming the file and line (`client.properties:12: ...`), never quoting
    /// a secret. Secret values read from the file are redacted in `Debug`
    /// and zeroed when dropped, like any other.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("ferrokafka-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// # let path = dir.join("client.properties");
    /// std::fs::write(&path, "# the cluster\nbootstrap.servers=localhost:9092\nsasl.password: s3cr3t\n")?;
    /// let config = ferrokafka::Config::from_properties_file(&path)?;
    /// assert_eq!(config.get("bootstrap.servers"), Some("localhost:9092"));
    /// assert!(!format!("{config:?}").contains("s3cr3t"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_properties_file(path: impl AsRef<Path>) -> Result<Config> {
        let mut config = Config::new();
        config.load_properties_file(path)?;
        Ok(config)
    }

    /// Adds the properties of a `.properties` file to this configuration
    /// (a property already set takes the file's value), all or nothing:
    /// on an error the configuration is unchanged.
    /// See [`from_properties_file`](Self::from_properties_file).
    pub fn load_properties_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|e| KafkaError::new(ErrorCode::FS, format!("{}: {e}", path.display())))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                // The bytes before `at` are valid UTF-8: borrowed, not copied.
                let line = line_at_end(&String::from_utf8_lossy(&bytes[..at]));
                crate::native::zeroize(bytes);
                return Err(KafkaError::invalid_arg(format!(
                    "{}:{line}: not valid UTF-8 (.properties files are read as UTF-8)",
                    path.display()
                )));
            }
        };
        let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let parsed = parse(body);
        let result = match parsed {
            Ok(entries) => apply(self, entries, &|line| format!("{}:{line}", path.display())),
            Err((line, what)) => Err(KafkaError::invalid_arg(format!("{}:{line}: {what}", path.display()))),
        };
        crate::native::zeroize(text.into_bytes());
        result.map(|()| self)
    }

    /// Adds the properties of a `.properties` document held in memory, all
    /// or nothing: on an error the configuration is unchanged.
    ///
    /// The syntax is Java's `Properties.load`: `key=value`, `key: value` or
    /// `key value`; `#` and `!` comments; a trailing `\` continues a line;
    /// the escapes `\t \n \r \f \uXXXX`, and `\` before any other character
    /// stands for that character. Each value is then trimmed of surrounding
    /// white space and control characters, as the Java clients' own
    /// configuration parsing (`String.trim()`) and kcat's `-F` do, so
    /// `acks = all ` means `all`. Each property is checked by librdkafka
    /// (an unknown name or an invalid value is an `_INVALID_ARG` error
    /// naming the line: `line 3: No such configuration property: ...`).
    ///
    /// ```
    /// let mut config = ferrokafka::Config::new();
    /// config.load_properties("bootstrap.servers = localhost:9092\n\
    ///                         client.id : my\\ app\n\
    ///                         ! a comment\n")?;
    /// assert_eq!(config.get("client.id"), Some("my app"));
    ///
    /// let err = config.load_properties("acks=all\nno.such.property=1\n").unwrap_err();
    /// assert!(err.message().starts_with("line 2: "), "{err}");
    /// assert_eq!(config.get("acks"), None); // nothing applied
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn load_properties(&mut self, text: &str) -> Result<&mut Self> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        match parse(body) {
            Ok(entries) => apply(self, entries, &|line| format!("line {line}"))?,
            Err((line, what)) => return Err(KafkaError::invalid_arg(format!("line {line}: {what}"))),
        }
        Ok(self)
    }

    /// Sets a property from a `key=value` argument, as kcat's and
    /// librdkafka's examples' `-X key=value` (split at the first `=`; the
    /// value, trimmed as a file's are, may be empty). The property is checked by librdkafka first:
    /// an unknown name or invalid value is an `_INVALID_ARG` error and the
    /// configuration is unchanged.
    ///
    /// ```
    /// let mut config = ferrokafka::Config::new();
    /// config.set_property_arg("bootstrap.servers=localhost:9092")?;
    /// config.set_property_arg("sasl.jaas.config=x").unwrap_err(); // a Java property
    /// config.set_property_arg("linger.ms").unwrap_err(); // no '='
    /// # Ok::<(), ferrokafka::KafkaError>(())
    /// ```
    pub fn set_property_arg(&mut self, arg: &str) -> Result<&mut Self> {
        let (key, value) = split_arg(arg)?;
        let entries = Entries(vec![Entry {
            key: key.to_string(),
            value: value.to_string(),
            line: 0,
        }]);
        apply(self, entries, &|_| format!("-X {key}"))?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        let mut e = parse(text).unwrap();
        e.0.drain(..).map(|e| (e.key, e.value)).collect()
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn separators_blanks_and_comments_follow_java() {
        let text = "a=1\nb: 2\nc 3\n  d\t=\t4\ne\n# x=1\n  ! y=2\n\nf==5\ng:=6\nh = \n";
        assert_eq!(
            pairs(text),
            vec![
                p("a", "1"),
                p("b", "2"),
                p("c", "3"),
                p("d", "4"),
                p("e", ""),
                p("f", "=5"),
                p("g", "=6"),
                p("h", ""),
            ]
        );
    }

    #[test]
    fn trailing_blanks_of_a_value_are_kept_as_in_java() {
        assert_eq!(pairs("a = 1 \n"), vec![p("a", "1 ")]);
    }

    #[test]
    fn every_line_terminator_counts_and_numbers_lines() {
        for sep in ["\n", "\r", "\r\n"] {
            let text = ["a=1", "", "b=2", "c=3"].join(sep);
            let e = parse(&text).unwrap();
            let got: Vec<_> = e.0.iter().map(|e| (e.key.as_str(), e.line)).collect();
            assert_eq!(got, vec![("a", 1), ("b", 3), ("c", 4)], "separator {sep:?}");
        }
    }

    #[test]
    fn continuations_join_lines_and_drop_leading_blanks() {
        assert_eq!(
            pairs("a = one, \\\n    two, \\\n\tthree\nb=2"),
            vec![p("a", "one, two, three"), p("b", "2")]
        );
        // An even number of backslashes is escaped backslashes, no continuation.
        assert_eq!(pairs("a=x\\\\\nb=2"), vec![p("a", "x\\"), p("b", "2")]);
        // A continuation at the end of the input ends the value.
        assert_eq!(pairs("a=x\\"), vec![p("a", "x")]);
        // A comment line is never continued.
        assert_eq!(pairs("# c \\\na=1"), vec![p("a", "1")]);
        // A continued line that starts with '#' is part of the value.
        assert_eq!(pairs("a=1\\\n#2"), vec![p("a", "1#2")]);
        // Continuation inside a key.
        assert_eq!(pairs("ab\\\n  c=1"), vec![p("abc", "1")]);
    }

    #[test]
    fn escapes_in_keys_and_values() {
        assert_eq!(pairs(r"a\=b\:c\ d=1"), vec![p("a=b:c d", "1")]);
        assert_eq!(pairs(r"k=\t\n\r\f\\\q\u0041\u00e9"), vec![p("k", "\t\n\r\x0c\\qAé")]);
        assert_eq!(pairs(r"k=\uD83D\uDE00"), vec![p("k", "😀")]);
        assert_eq!(pairs("k=é ü 日本"), vec![p("k", "é ü 日本")]);
    }

    #[test]
    fn malformed_input_names_its_line_and_never_the_value() {
        for (text, line, what) in [
            ("a=1\nb=\\u12", 2, "malformed \\uXXXX"),
            ("a=1\n\nb=\\u12G4", 3, "malformed \\uXXXX"),
            ("b=\\uD83D", 1, "lone UTF-16 high surrogate"),
            ("b=\\uD83Dx", 1, "lone UTF-16 high surrogate"),
            ("b=\\uDE00", 1, "lone UTF-16 low surrogate"),
            ("x=1\n=value", 2, "empty name"),
            ("x=1\n  :value", 2, "empty name"),
            ("\\u00=1", 1, "in a property name"),
        ] {
            let (l, msg) = parse(text).err().unwrap_or_else(|| panic!("{text:?} parsed"));
            assert_eq!(l, line, "{text:?}");
            assert!(msg.contains(what), "{text:?}: {msg}");
            assert!(!msg.contains("value\""), "{msg}");
        }
    }

    #[test]
    fn a_comment_after_an_empty_continuation_is_a_comment_as_in_java() {
        assert_eq!(pairs("\\\n#x=1\na=2"), vec![p("a", "2")]);
        assert_eq!(pairs("  \\\n  !x\\\na=2"), vec![p("a", "2")]);
        // Once the line has content, `#` is part of it.
        assert_eq!(pairs("k\\\n#x=1"), vec![p("k#x", "1")]);
    }

    #[test]
    fn lines_are_counted_with_every_terminator() {
        for (prefix, line) in [
            ("", 1),
            ("a", 1),
            ("a\n", 2),
            ("a\r", 2),
            ("a\r\n", 2),
            ("a\rb\nc", 3),
            ("a\n\n", 3),
        ] {
            assert_eq!(line_at_end(prefix), line, "{prefix:?}");
        }
    }

    #[test]
    fn arguments_split_at_the_first_equals_sign() {
        assert_eq!(split_arg("a=b=c").unwrap(), ("a", "b=c"));
        assert_eq!(split_arg("a=").unwrap(), ("a", ""));
        assert!(split_arg("=b").is_err());
        assert!(split_arg("ab").is_err());
    }
}
