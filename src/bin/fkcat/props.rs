//! `-F` configuration files, read as kcat reads them: `property=value`
//! lines, blank lines and `#` comments skipped, surrounding white space
//! trimmed, and the `\:` and `\=` escapes of Java `.properties` files
//! undone.
//!
//! These are kcat's rules, kept on purpose rather than ferrokafka's own
//! `Config::from_properties_file` (Java's `Properties.load` syntax: `key:
//! value`, `!` comments, continuations, `\uXXXX`): fkcat reads a `-F` file
//! exactly as kcat does, and says "expected property=value" where kcat does.

use std::io::BufRead;

/// Why a file could not be read.
#[derive(Debug)]
pub enum LoadError {
    /// It could not be opened or read.
    Open(std::io::Error),
    /// This line (1-based) is not `property=value`.
    Syntax(usize),
}

/// The `(property, value)` pairs of a `.properties` file, in file order.
pub fn load_properties(path: impl AsRef<std::path::Path>) -> Result<Vec<(String, String)>, LoadError> {
    let file = std::fs::File::open(path).map_err(LoadError::Open)?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(LoadError::Open)?;
        let line = String::from_utf8_lossy(&line);
        let s = line.trim_matches(|c: char| c.is_ascii_whitespace());
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let s = s.replace("\\:", ":").replace("\\=", "=");
        match s.split_once('=') {
            Some((k, v)) if !k.is_empty() => out.push((k.to_string(), v.to_string())),
            _ => return Err(LoadError::Syntax(i + 1)),
        }
    }
    Ok(out)
}

/// The user name and password of a Java `PlainLoginModule` JAAS line, as
/// kcat converts them to `sasl.username` and `sasl.password`.
pub fn plain_jaas(value: &str) -> Option<(String, String)> {
    let rest = value.strip_prefix("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"")?;
    let (user, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(" password=\"")?;
    let (pass, _) = rest.split_once('"')?;
    if user.is_empty() || pass.is_empty() {
        return None;
    }
    Some((user.to_string(), pass.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_files() {
        let dir = std::env::temp_dir().join(format!("fkcat-props-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.properties");
        std::fs::write(&p, "# c\n\n  a=b  \nurl=x\\://y\\=z\nempty=\n").unwrap();
        let got = load_properties(&p).unwrap();
        assert_eq!(
            got,
            vec![
                ("a".into(), "b".into()),
                ("url".into(), "x://y=z".into()),
                ("empty".into(), "".into())
            ]
        );
        std::fs::write(&p, "a=b\n=c\n").unwrap();
        assert!(matches!(load_properties(&p), Err(LoadError::Syntax(2))));
        std::fs::write(&p, "novalue\n").unwrap();
        assert!(matches!(load_properties(&p), Err(LoadError::Syntax(1))));
        assert!(matches!(load_properties(dir.join("missing")), Err(LoadError::Open(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn jaas() {
        assert_eq!(
            plain_jaas(
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"
            ),
            Some(("u".into(), "p".into()))
        );
        assert_eq!(plain_jaas("other"), None);
    }
}
