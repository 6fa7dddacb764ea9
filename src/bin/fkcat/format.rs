//! kcat's `-f` format strings, `-D`/`-K` delimiters and `-s` pack formats,
//! and the plain (non-JSON) message output.
//!
//! The escapes follow kcat 1.7.1's C code byte for byte, quirks included:
//! in `-f`, `\xNN` only reads hex digits when the first one is a decimal
//! digit (`\xff` is `ff`), `\NNN` reads a C integer literal (`\012` is
//! octal), and a NUL produced by an escape ends the string, as C's
//! `strlen` does.

use crate::Fail;
use ferrokafka::Message;
use std::io::Write;

/// One piece of a parsed format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fmt {
    Str(Vec<u8>),
    Offset,
    Key,
    KeyLen,
    Payload,
    PayloadLen,
    PayloadLenBinary,
    Topic,
    Partition,
    Timestamp,
    Headers,
}

/// C's `strtoul(s, &end, base)` for base 0 or 16 on bytes: the value
/// (saturated, as C does on overflow) and how many bytes were read (0 when
/// there is no number).
pub fn strtoul(s: &[u8], base: u32) -> (u64, usize) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let hex_prefix = i + 2 < s.len() + 1
        && i + 1 < s.len()
        && s[i] == b'0'
        && (s[i + 1] | 0x20) == b'x'
        && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    if (base == 0 || base == 16) && hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base) {
            Some(d) => d as u64,
            None => break,
        };
        match v.checked_mul(base as u64).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return (0, 0);
    }
    if overflow {
        return (u64::MAX, i);
    }
    (if neg { v.wrapping_neg() } else { v }, i)
}

/// C's `strtoll(s, NULL, 10)`/`atoi`: leading spaces, a sign, decimal
/// digits; 0 when there are none; saturated on overflow.
pub fn strtoll(s: &str) -> i64 {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = i < b.len() && b[i] == b'-';
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let mut v: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        let d = (b[i] - b'0') as i64;
        v = match v
            .checked_mul(10)
            .and_then(|x| if neg { x.checked_sub(d) } else { x.checked_add(d) })
        {
            Some(x) => x,
            None => return if neg { i64::MIN } else { i64::MAX },
        };
        i += 1;
    }
    v
}

/// `atoi`: `strtoll` truncated to 32 bits, as glibc's `atoi` does.
pub fn atoi(s: &str) -> i32 {
    strtoll(s) as i32
}

/// Cuts `v` at its first NUL (what C's `strlen` sees).
fn c_str(mut v: Vec<u8>) -> Vec<u8> {
    if let Some(n) = v.iter().position(|&b| b == 0) {
        v.truncate(n);
    }
    v
}

/// The escapes of a `-f` string piece (kcat's `fmt_add`).
fn unescape_fmt(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() {
            i += 1;
            match s[i] {
                b't' => out.push(b'\t'),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                c => {
                    let mut base = 0;
                    if c == b'x' {
                        i += 1;
                        base = 16;
                    }
                    match s.get(i) {
                        Some(d) if d.is_ascii_digit() => {
                            let (v, n) = strtoul(&s[i..], base);
                            out.push(v as u8);
                            if n > 0 {
                                i += n - 1;
                            }
                        }
                        Some(&d) => out.push(d),
                        // "\x" at the very end: C copies the terminating NUL.
                        None => out.push(0),
                    }
                }
            }
        } else {
            out.push(s[i]);
        }
        i += 1;
    }
    c_str(out)
}

/// Parses a `-f` string (kcat's `fmt_parse`).
pub fn parse_fmt(fmt: &[u8]) -> Result<Vec<Fmt>, Fail> {
    let mut out = Vec::new();
    let mut s = fmt;
    let add_str = |out: &mut Vec<Fmt>, piece: &[u8]| {
        // kcat adds a string piece even when the escapes leave it empty.
        out.push(Fmt::Str(unescape_fmt(piece)));
    };
    while !s.is_empty() {
        match s.iter().position(|&b| b == b'%') {
            None => {
                add_str(&mut out, s);
                break;
            }
            Some(t) => {
                if t > 0 {
                    add_str(&mut out, &s[..t]);
                }
                let token = match s.get(t + 1) {
                    None => return Err(Fail::fatal("Empty formatter")),
                    Some(&c) => c,
                };
                out.push(match token {
                    b'o' => Fmt::Offset,
                    b'k' => Fmt::Key,
                    b'K' => Fmt::KeyLen,
                    b's' => Fmt::Payload,
                    b'S' => Fmt::PayloadLen,
                    b'R' => Fmt::PayloadLenBinary,
                    b't' => Fmt::Topic,
                    b'p' => Fmt::Partition,
                    b'T' => Fmt::Timestamp,
                    b'h' => Fmt::Headers,
                    b'%' => Fmt::Str(b"%".to_vec()),
                    c => {
                        // printf's %c of the byte: one byte, as is.
                        let mut m = b"Unsupported formatter: %".to_vec();
                        m.push(c);
                        return Err(Fail::fatal_bytes(m));
                    }
                });
                s = &s[t + 2..];
            }
        }
    }
    if out.len() > 128 {
        return Err(Fail::fatal("Too many formatters & strings (KC_FMT_MAX_SIZE=128)"));
    }
    Ok(out)
}

/// A `-D`/`-K` delimiter (kcat's `parse_delim`): every `\n`, then every
/// `\t`, then every `\xNN` (C `strtoul` base 16, low byte), each found
/// anywhere in what the previous replacements left; cut at a NUL.
pub fn parse_delim(s: &str) -> Result<Vec<u8>, Fail> {
    let mut v = s.as_bytes().to_vec();
    let find = |v: &[u8], pat: &[u8]| v.windows(2).position(|w| w == pat);
    loop {
        // C works on a NUL-terminated string: nothing past a NUL counts.
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        let live = &v[..end];
        if let Some(t) = find(live, b"\\n") {
            v.splice(t..t + 2, [b'\n']);
        } else if let Some(t) = find(live, b"\\t") {
            v.splice(t..t + 2, [b'\t']);
        } else if let Some(t) = find(live, b"\\x") {
            let (x, n) = strtoul(&live[t + 2..], 16);
            if n == 0 {
                let shown = String::from_utf8_lossy(&live[t..]).into_owned();
                return Err(Fail::fatal(format!("Delimiter {shown} expects hex number")));
            }
            v.splice(t..t + 2 + n, [(x & 0xff) as u8]);
        } else {
            break;
        }
    }
    Ok(c_str(v))
}

/// Checks a `-s` pack format (kcat's `pack_check`).
pub fn pack_check(what: &str, fmt: &str) -> Result<(), Fail> {
    if fmt.is_empty() {
        return Err(Fail::fatal(format!("{what} pack-format must not be empty")));
    }
    for c in fmt.bytes() {
        if !b" <>bBhHiIqQcs$".contains(&c) {
            let mut m = b"Invalid token '".to_vec();
            m.push(c);
            m.extend_from_slice(format!("' in {what} pack-format, see -s usage.").as_bytes());
            return Err(Fail::fatal_bytes(m));
        }
    }
    Ok(())
}

/// Unpacks `buf` by a checked pack format into `out` (kcat's `unpack`),
/// or says why it could not.
fn unpack(out: &mut Vec<u8>, what: &str, fmt: &str, buf: &[u8]) -> Result<(), String> {
    let mut b = 0usize;
    for f in fmt.bytes() {
        let remaining = buf.len() - b;
        let mut take = |n: usize| -> Result<&[u8], String> {
            if n > remaining {
                return Err(format!(
                    "{what} truncated, expected {n} bytes to unpack {} but only {remaining} bytes remaining",
                    f as char
                ));
            }
            let s = &buf[b..b + n];
            b += n;
            Ok(s)
        };
        // kcat converts every integer with be*toh or htobe*, which are the
        // same byte swap on a little-endian host: '<' changes nothing there,
        // and every field reads big-endian.
        macro_rules! int {
            ($t:ty, $n:expr) => {{
                let bytes: [u8; $n] = take($n)?.try_into().expect("length checked");
                <$t>::from_be_bytes(bytes)
            }};
        }
        match f {
            b' ' => out.push(b' '),
            b'<' | b'>' => {}
            b'b' => write!(out, "{}", int!(i8, 1)).expect("Vec write"),
            b'B' => write!(out, "{}", int!(u8, 1)).expect("Vec write"),
            b'h' => write!(out, "{}", int!(i16, 2)).expect("Vec write"),
            b'H' => write!(out, "{}", int!(u16, 2)).expect("Vec write"),
            b'i' => write!(out, "{}", int!(i32, 4)).expect("Vec write"),
            b'I' => write!(out, "{}", int!(u32, 4)).expect("Vec write"),
            b'q' => write!(out, "{}", int!(i64, 8)).expect("Vec write"),
            b'Q' => write!(out, "{}", int!(u64, 8)).expect("Vec write"),
            b'c' => {
                // printf's %c writes even a NUL. (kcat does not check that
                // a byte remains; past the end, nothing is printed here.)
                if b < buf.len() {
                    out.push(buf[b]);
                }
                b += 1;
            }
            b's' => {
                let rest = &buf[b.min(buf.len())..];
                // printf's %.*s stops at a NUL.
                let n = rest.iter().position(|&x| x == 0).unwrap_or(rest.len());
                out.extend_from_slice(&rest[..n]);
                b = buf.len();
            }
            b'$' if remaining > 0 => {
                return Err(format!("expected {what} end-of-input, but {remaining} bytes remaining"));
            }
            _ => {}
        }
        if b > buf.len() {
            b = buf.len();
        }
    }
    Ok(())
}

/// What the plain output needs besides the message.
pub struct Plain<'a> {
    pub fmt: &'a [Fmt],
    /// `-Z`: print "NULL" for empty keys and values.
    pub null_str: Option<&'a [u8]>,
    /// `-s` pack formats: key, value.
    pub pack: [Option<&'a str>; 2],
}

/// Formats one message into `out` (kcat's `fmt_msg_output_str`). A pack
/// format that does not fit the data stops the message there and returns
/// kcat's error text.
pub fn write_plain(out: &mut Vec<u8>, p: &Plain<'_>, m: &Message) -> Result<(), String> {
    for f in p.fmt {
        match f {
            Fmt::Str(s) => out.extend_from_slice(s),
            Fmt::Offset => push_int(out, m.offset()),
            Fmt::Partition => push_int(out, m.partition() as i64),
            Fmt::Topic => out.extend_from_slice(m.topic().as_bytes()),
            Fmt::Key | Fmt::Payload => {
                let (data, pack, what) = match f {
                    Fmt::Key => (m.key().unwrap_or_default(), p.pack[0], "key"),
                    _ => (m.value().unwrap_or_default(), p.pack[1], "value"),
                };
                if !data.is_empty() {
                    match pack {
                        Some(pack) => unpack(out, what, pack, data).map_err(|e| {
                            format!(
                                "Failed to format message in {} [{}] at offset {}: {e}",
                                m.topic(),
                                m.partition(),
                                m.offset()
                            )
                        })?,
                        None => out.extend_from_slice(data),
                    }
                } else if let Some(null) = p.null_str {
                    out.extend_from_slice(null);
                }
            }
            Fmt::KeyLen => push_int(out, m.key().map(|k| k.len() as i64).unwrap_or(-1)),
            Fmt::PayloadLen => push_int(out, m.value().map(|v| v.len() as i64).unwrap_or(-1)),
            Fmt::PayloadLenBinary => {
                let n = m.value().map(|v| v.len() as i32).unwrap_or(-1);
                out.extend_from_slice(&n.to_be_bytes());
            }
            Fmt::Timestamp => push_int(out, m.timestamp().millis().unwrap_or(-1)),
            Fmt::Headers => {
                if let Some(h) = m.headers() {
                    for (i, hdr) in h.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        // printf's %s and %.*s: each stops at a NUL.
                        out.extend_from_slice(until_nul(hdr.name_bytes()));
                        out.push(b'=');
                        match hdr.value() {
                            Some(v) => out.extend_from_slice(until_nul(v)),
                            None => out.extend_from_slice(b"NULL"),
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn until_nul(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())]
}

/// Appends a decimal integer without going through `fmt`.
pub fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_escapes_follow_kcat() {
        assert_eq!(unescape_fmt(b"a\\tb\\nc\\r"), b"a\tb\nc\r");
        assert_eq!(unescape_fmt(b"\\x41\\x4a"), b"AJ");
        // Only a decimal first digit starts a number.
        assert_eq!(unescape_fmt(b"\\xff"), b"ff");
        assert_eq!(unescape_fmt(b"\\012\\65"), b"\nA");
        assert_eq!(unescape_fmt(b"\\\\\\q"), b"\\q");
        assert_eq!(unescape_fmt(b"a\\x00;b"), b"a");
        // C reads as many hex digits as follow: "\\x00b" is 0x0b.
        assert_eq!(unescape_fmt(b"a\\x00b"), b"a\x0b");
        assert_eq!(unescape_fmt(b"end\\"), b"end\\");
    }

    #[test]
    fn fmt_tokens() {
        assert_eq!(
            parse_fmt(b"%t [%p] %% %s\\n").unwrap(),
            vec![
                Fmt::Topic,
                Fmt::Str(b" [".to_vec()),
                Fmt::Partition,
                Fmt::Str(b"] ".to_vec()),
                Fmt::Str(b"%".to_vec()),
                Fmt::Str(b" ".to_vec()),
                Fmt::Payload,
                Fmt::Str(b"\n".to_vec())
            ]
        );
        assert!(parse_fmt(b"%").is_err());
        assert!(parse_fmt(b"%y").is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delim("").unwrap(), b"");
        assert_eq!(parse_delim("\\n").unwrap(), b"\n");
        assert_eq!(parse_delim("\\t\\n\\n").unwrap(), b"\t\n\n");
        assert_eq!(parse_delim("\\x54!\\x45\\x53T").unwrap(), b"T!EST");
        assert_eq!(parse_delim("\\x30").unwrap(), b"0");
        assert_eq!(parse_delim("a\\x00;b").unwrap(), b"a");
        assert_eq!(parse_delim("a\\x00b").unwrap(), b"a\x0b");
        assert!(parse_delim("\\xzz").is_err());
    }

    #[test]
    fn c_numbers() {
        assert_eq!(strtoll(" -12x"), -12);
        assert_eq!(strtoll("x"), 0);
        assert_eq!(strtoul(b"0x1F", 16), (31, 4));
        assert_eq!(strtoul(b"017", 0), (15, 3));
        assert_eq!(strtoul(b"g", 16), (0, 0));
        let mut v = Vec::new();
        push_int(&mut v, i64::MIN);
        assert_eq!(v, i64::MIN.to_string().as_bytes());
    }
}
