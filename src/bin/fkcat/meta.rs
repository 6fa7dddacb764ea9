//! `-L` (metadata) and `-Q` (offsets for times).

use crate::{err2str, json, take_error, Conf, Fail};
use ferrokafka::{Config, Consumer, ErrorCode, Producer, TopicPartition};
use std::io::Write;
use std::sync::{Arc, Mutex};

fn write_out(bytes: &[u8]) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(Fail::write)
}

/// `-L`: kcat's `metadata_list` and `metadata_print`. Topics come in
/// name order (ferrokafka's `ClusterMetadata` keeps them in a map), kcat's
/// in the order the broker listed them.
pub fn list(conf: &Conf) -> Result<i32, Fail> {
    let errors = Arc::new(Mutex::new(None));
    let producer = Producer::new(&conf.client_config(&errors))
        .map_err(|e| Fail::fatal(format!("Failed to create producer: {}", e.message())))?;
    let md = producer
        .list_topics(conf.topic.as_deref(), conf.metadata_timeout())
        .map_err(|e| {
            let hint = if e.code() == ErrorCode::TRANSPORT {
                " (Are the brokers reachable? Also try increasing the metadata timeout with -m <timeout>?)"
            } else {
                ""
            };
            Fail::fatal(format!("Failed to acquire metadata: {}{hint}", err2str(&e)))
        })?;
    if let Some(f) = take_error(&errors) {
        return Err(f);
    }
    let mut out = Vec::new();
    if conf.json {
        json::metadata(&mut out, &md, conf.topic.as_deref());
    } else {
        writeln!(
            out,
            "Metadata for {} (from broker {}: {}):",
            conf.topic.as_deref().unwrap_or("all topics"),
            md.orig_broker_id,
            md.orig_broker_name
        )
        .expect("Vec write");
        writeln!(out, " {} brokers:", md.brokers.len()).expect("Vec write");
        for b in md.brokers.values() {
            let ctl = if md.controller_id == b.id { " (controller)" } else { "" };
            writeln!(out, "  broker {} at {}:{}{ctl}", b.id, b.host, b.port).expect("Vec write");
        }
        writeln!(out, " {} topics:", md.topics.len()).expect("Vec write");
        for t in md.topics.values() {
            write!(out, "  topic \"{}\" with {} partitions:", t.topic, t.partitions.len()).expect("Vec write");
            if let Some(e) = &t.error {
                write!(out, " {}", err2str(e)).expect("Vec write");
                if e.code() == ErrorCode::LEADER_NOT_AVAILABLE {
                    write!(out, " (try again)").expect("Vec write");
                }
            }
            writeln!(out).expect("Vec write");
            for p in t.partitions.values() {
                let ids = |v: &[i32]| v.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
                write!(
                    out,
                    "    partition {}, leader {}, replicas: {}, isrs: {}",
                    p.id,
                    p.leader,
                    ids(&p.replicas),
                    ids(&p.isrs)
                )
                .expect("Vec write");
                match &p.error {
                    Some(e) => writeln!(out, ", {}", err2str(e)).expect("Vec write"),
                    None => writeln!(out).expect("Vec write"),
                }
            }
        }
    }
    write_out(&out)?;
    drop(producer);
    Ok(0)
}

/// `-Q`: kcat's `query_offsets_by_time`, then its `partition_list_print`
/// (sorted by topic, then partition).
pub fn query(conf: &Conf) -> Result<i32, Fail> {
    let errors = Arc::new(Mutex::new(None));
    // ferrokafka asks offsets for times of a consumer (kcat uses a
    // producer handle); a consumer needs a group id, which it never joins.
    let mut config: Config = conf.client_config(&errors);
    if config.get("group.id").is_none() {
        config.set("group.id", "fkcat");
    }
    let consumer =
        Consumer::new(&config).map_err(|e| Fail::fatal(format!("Failed to create producer: {}", e.message())))?;
    let mut parts = match consumer.offsets_for_times(&conf.query, conf.metadata_timeout()) {
        Ok(p) => p,
        Err(e) if !e.partition_results().is_empty() => e.partition_results().to_vec(),
        Err(e) => return Err(Fail::fatal(format!("offsets_for_times failed: {}", err2str(&e)))),
    };
    if let Some(f) = take_error(&errors) {
        return Err(f);
    }
    parts.sort_by(|a: &TopicPartition, b: &TopicPartition| {
        a.topic
            .as_bytes()
            .cmp(b.topic.as_bytes())
            .then(a.partition.cmp(&b.partition))
    });
    let mut out = Vec::new();
    if conf.json {
        json::partition_list(&mut out, &parts);
    } else {
        for p in &parts {
            write!(out, "{} [{}] offset {}", p.topic, p.partition, p.offset).expect("Vec write");
            match &p.error {
                Some(e) => writeln!(out, ": {}", err2str(e)).expect("Vec write"),
                None => writeln!(out).expect("Vec write"),
            }
        }
    }
    write_out(&out)?;
    drop(consumer);
    Ok(0)
}
