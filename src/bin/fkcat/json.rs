//! kcat's `-J` output, written as yajl 2.1 (kcat's JSON library) writes it
//! without beautify: no spaces, integers as `%lld`, strings escaped as
//! `yajl_string_encode` does — `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//! other bytes below 0x20 as `\u00XX` (upper-case hex), everything else
//! (`/`, DEL, bytes that are not UTF-8) as is. Strings kcat hands over as
//! C strings (topic and header names) stop at their first NUL.

use crate::format::push_int;
use ferrokafka::{ClusterMetadata, Message, Timestamp, TopicPartition};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `s` as a JSON string.
pub fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            c if c < 0x20 => {
                out.extend_from_slice(&s[start..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 15) as usize]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&s[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
    out.push(b'"');
}

/// A C string as JSON: up to its first NUL.
fn c_string(out: &mut Vec<u8>, s: &[u8]) {
    string(out, &s[..s.iter().position(|&b| b == 0).unwrap_or(s.len())]);
}

fn key(out: &mut Vec<u8>, k: &str, first: bool) {
    if !first {
        out.push(b',');
    }
    string(out, k.as_bytes());
    out.push(b':');
}

fn opt_bytes(out: &mut Vec<u8>, v: Option<&[u8]>) {
    match v {
        Some(v) => string(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// One message's envelope (kcat's `fmt_msg_output_json`), without the
/// delimiter that follows it.
pub fn message(out: &mut Vec<u8>, m: &Message) {
    out.push(b'{');
    key(out, "topic", true);
    c_string(out, m.topic().as_bytes());
    key(out, "partition", false);
    push_int(out, m.partition() as i64);
    key(out, "offset", false);
    push_int(out, m.offset());
    let (kind, ts): (&str, Option<i64>) = match m.timestamp() {
        Timestamp::NotAvailable => ("", None),
        Timestamp::CreateTime(t) => ("create", Some(t)),
        Timestamp::LogAppendTime(t) => ("logappend", Some(t)),
    };
    if let Some(ts) = ts {
        key(out, "tstype", false);
        string(out, kind.as_bytes());
        key(out, "ts", false);
        push_int(out, ts);
    }
    key(out, "broker", false);
    push_int(out, m.broker_id().unwrap_or(-1) as i64);
    if let Some(h) = m.headers() {
        key(out, "headers", false);
        out.push(b'[');
        for (i, hdr) in h.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            c_string(out, hdr.name_bytes());
            out.push(b',');
            opt_bytes(out, hdr.value());
        }
        out.push(b']');
    }
    key(out, "key", false);
    opt_bytes(out, m.key());
    key(out, "payload", false);
    opt_bytes(out, m.value());
    out.push(b'}');
}

fn id_list(out: &mut Vec<u8>, ids: &[i32]) {
    out.push(b'[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        key(out, "id", true);
        push_int(out, *id as i64);
        out.push(b'}');
    }
    out.push(b']');
}

/// `-L -J` (kcat's `metadata_print_json`).
pub fn metadata(out: &mut Vec<u8>, md: &ClusterMetadata, topic: Option<&str>) {
    out.push(b'{');
    key(out, "originating_broker", true);
    out.push(b'{');
    key(out, "id", true);
    push_int(out, md.orig_broker_id as i64);
    key(out, "name", false);
    c_string(out, md.orig_broker_name.as_bytes());
    out.push(b'}');
    key(out, "query", false);
    out.push(b'{');
    key(out, "topic", true);
    c_string(out, topic.unwrap_or("*").as_bytes());
    out.push(b'}');
    key(out, "controllerid", false);
    push_int(out, md.controller_id as i64);
    key(out, "brokers", false);
    out.push(b'[');
    for (i, b) in md.brokers.values().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        key(out, "id", true);
        push_int(out, b.id as i64);
        key(out, "name", false);
        c_string(out, format!("{}:{}", b.host, b.port).as_bytes());
        out.push(b'}');
    }
    out.push(b']');
    key(out, "topics", false);
    out.push(b'[');
    for (i, t) in md.topics.values().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        key(out, "topic", true);
        c_string(out, t.topic.as_bytes());
        if let Some(e) = &t.error {
            key(out, "error", false);
            string(out, e.code().description().as_bytes());
        }
        key(out, "partitions", false);
        out.push(b'[');
        for (j, p) in t.partitions.values().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.push(b'{');
            key(out, "partition", true);
            push_int(out, p.id as i64);
            if let Some(e) = &p.error {
                key(out, "error", false);
                string(out, e.code().description().as_bytes());
            }
            key(out, "leader", false);
            push_int(out, p.leader as i64);
            key(out, "replicas", false);
            id_list(out, &p.replicas);
            key(out, "isrs", false);
            id_list(out, &p.isrs);
            out.push(b'}');
        }
        out.push(b']');
        out.push(b'}');
    }
    out.push(b']');
    out.push(b'}');
}

/// `-Q -J` (kcat's `partition_list_print_json`), on a sorted list.
pub fn partition_list(out: &mut Vec<u8>, parts: &[TopicPartition]) {
    out.push(b'{');
    let mut last: Option<&str> = None;
    let mut first_topic = true;
    let mut first_in_topic = true;
    for p in parts {
        if last != Some(p.topic.as_str()) {
            if last.is_some() {
                out.push(b'}');
            }
            if !first_topic {
                out.push(b',');
            }
            first_topic = false;
            c_string(out, p.topic.as_bytes());
            out.push(b':');
            out.push(b'{');
            key(out, "topic", true);
            c_string(out, p.topic.as_bytes());
            last = Some(p.topic.as_str());
            first_in_topic = false;
        }
        key(out, &p.partition.to_string(), first_in_topic);
        out.push(b'{');
        key(out, "partition", true);
        push_int(out, p.partition as i64);
        key(out, "offset", false);
        push_int(out, p.offset);
        if let Some(e) = &p.error {
            key(out, "error", false);
            string(out, e.code().description().as_bytes());
        }
        out.push(b'}');
    }
    if last.is_some() {
        out.push(b'}');
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_yajl() {
        let mut v = Vec::new();
        string(&mut v, b"a\"b\\c/\x01\x1f\x08\x0c\t\n\r\x7f\xff\xc3\xa9");
        assert_eq!(v, b"\"a\\\"b\\\\c/\\u0001\\u001F\\b\\f\\t\\n\\r\x7f\xff\xc3\xa9\"");
    }
}
