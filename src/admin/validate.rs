//! The admin requests' argument checks: each a typed `_INVALID_ARG` error
//! naming the operation and what was wrong, before anything is sent.

use crate::error::{KafkaError, Result};
use crate::native::AdminOp;
use crate::values::admin::{AlterConfigOpType, ConfigResource, NewTopic, ResourceType};
use crate::TopicPartition;
use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;

pub(super) fn invalid(op: AdminOp, msg: impl std::fmt::Display) -> KafkaError {
    KafkaError::invalid_arg(format!("{}: {msg}", op.method()))
}

pub(super) fn non_empty<T>(op: AdminOp, what: &str, items: &[T]) -> Result<()> {
    if items.is_empty() {
        return Err(invalid(op, format_args!("the list of {what} is empty")));
    }
    Ok(())
}

pub(super) fn unique<K: Hash + Eq + Debug>(op: AdminOp, what: &str, keys: impl IntoIterator<Item = K>) -> Result<()> {
    let mut seen = HashSet::new();
    for k in keys {
        if seen.contains(&k) {
            return Err(invalid(op, format_args!("duplicate {what} {k:?}")));
        }
        seen.insert(k);
    }
    Ok(())
}

/// Kafka's rule: 1 to 249 characters from `[a-zA-Z0-9._-]`, not `.` or `..`.
pub(super) fn check_topic(op: AdminOp, topic: &str) -> Result<()> {
    let ok_chars = topic
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if topic.is_empty() || topic.len() > 249 || !ok_chars || topic == "." || topic == ".." {
        return Err(invalid(
            op,
            format_args!(
                "invalid topic name {topic:?}: a topic name is 1 to 249 characters from [a-zA-Z0-9._-] and not \".\" or \"..\""
            ),
        ));
    }
    Ok(())
}

pub(super) fn check_new_topic(op: AdminOp, t: &NewTopic) -> Result<()> {
    let topic = &t.topic;
    if t.num_partitions == 0 || t.num_partitions < -1 {
        return Err(invalid(
            op,
            format_args!(
                "topic {topic:?}: num_partitions {} is invalid: use -1 (the broker's default) or at least 1",
                t.num_partitions
            ),
        ));
    }
    if t.replication_factor == 0 || t.replication_factor < -1 {
        return Err(invalid(
            op,
            format_args!(
                "topic {topic:?}: replication_factor {} is invalid: use -1 (the broker's default) or at least 1",
                t.replication_factor
            ),
        ));
    }
    if let Some(assignment) = &t.replica_assignment {
        if t.replication_factor != -1 {
            return Err(invalid(
                op,
                format_args!("topic {topic:?}: a replica assignment replaces the replication factor: set it to -1"),
            ));
        }
        if assignment.len() as i64 != t.num_partitions as i64 {
            return Err(invalid(
                op,
                format_args!(
                    "topic {topic:?}: the replica assignment lists {} partitions but num_partitions is {}",
                    assignment.len(),
                    t.num_partitions
                ),
            ));
        }
        if let Some(i) = assignment.iter().position(Vec::is_empty) {
            return Err(invalid(
                op,
                format_args!("topic {topic:?}: partition {i} has no replicas"),
            ));
        }
    }
    Ok(())
}

pub(super) fn check_group(op: AdminOp, group: &str) -> Result<()> {
    if group.is_empty() {
        return Err(invalid(op, "invalid group id \"\": a group id must not be empty"));
    }
    if group.contains('\0') {
        return Err(invalid(
            op,
            format_args!("invalid group id {group:?}: contains a NUL byte"),
        ));
    }
    Ok(())
}

pub(super) fn check_partition(op: AdminOp, tp: &TopicPartition) -> Result<()> {
    check_topic(op, &tp.topic)?;
    if tp.partition < 0 {
        return Err(invalid(
            op,
            format_args!(
                "invalid partition {} for topic {:?}: must be >= 0",
                tp.partition, tp.topic
            ),
        ));
    }
    Ok(())
}

pub(super) fn check_partitions(op: AdminOp, parts: &[TopicPartition]) -> Result<()> {
    for tp in parts {
        check_partition(op, tp)?;
    }
    unique(
        op,
        "partition",
        parts.iter().map(|tp| (tp.topic.as_str(), tp.partition)),
    )
}

pub(super) fn check_config_resources(op: AdminOp, resources: &[ConfigResource]) -> Result<()> {
    non_empty(op, "resources", resources)?;
    let mut brokers = 0;
    for r in resources {
        match r.restype {
            ResourceType::TOPIC => check_topic(op, &r.name)?,
            ResourceType::GROUP => check_group(op, &r.name)?,
            ResourceType::BROKER => {
                brokers += 1;
                if r.name.parse::<i32>().map(|id| id < 0).unwrap_or(true) {
                    return Err(invalid(
                        op,
                        format_args!("invalid BROKER resource name {:?}: expected a broker id (>= 0)", r.name),
                    ));
                }
            }
            other => {
                if r.name.is_empty() {
                    return Err(invalid(op, format_args!("resource of type {other} has an empty name")));
                }
                if !other.is_known() || other == ResourceType::UNKNOWN || other == ResourceType::ANY {
                    return Err(invalid(
                        op,
                        format_args!(
                            "invalid resource type {other} for {:?}: use TOPIC, BROKER or GROUP",
                            r.name
                        ),
                    ));
                }
            }
        }
    }
    if brokers > 1 {
        return Err(invalid(op, "only one BROKER resource is allowed per call"));
    }
    unique(op, "resource", resources.iter().map(|r| (r.restype, r.name.as_str())))
}

pub(super) fn check_incremental(op: AdminOp, resources: &[ConfigResource]) -> Result<()> {
    for r in resources {
        if r.incremental_configs.is_empty() {
            return Err(invalid(op, format_args!("{r}: no incremental_configs to apply")));
        }
        for c in &r.incremental_configs {
            if c.name.is_empty() {
                return Err(invalid(op, format_args!("{r}: a config name is empty")));
            }
            if !c.op.is_known() {
                return Err(invalid(
                    op,
                    format_args!("{r}: config {:?}: unknown operation {:?}", c.name, c.op),
                ));
            }
            if c.op != AlterConfigOpType::DELETE && c.value.is_none() {
                return Err(invalid(
                    op,
                    format_args!("{r}: config {:?}: {:?} needs a value", c.name, c.op),
                ));
            }
        }
        unique(
            op,
            &format!("config name for {r}:"),
            r.incremental_configs.iter().map(|c| &c.name),
        )?;
    }
    Ok(())
}
