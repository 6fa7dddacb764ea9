//! Per-item results: pairing each requested key (topic, group, resource…)
//! with its outcome, and what a whole-request failure gives each key.

use super::future::FailFn;
use super::validate::{check_group, check_topic, invalid};
use super::ItemResults;
use crate::error::{ErrorCode, KafkaError, Result};
use crate::native::AdminOp;
use crate::native::AdminResult;
use crate::values::admin::ConsumerGroupTopicPartitions;
use crate::TopicPartition;
use std::sync::Arc;

pub(super) fn missing(op: AdminOp, what: &str) -> KafkaError {
    KafkaError::new(
        ErrorCode::INCONSISTENT,
        format!("{}: the response has no result for {what}", op.method()),
    )
}

/// Pairs each requested key with its result, in request order; a key the
/// response does not mention gets an error.
pub(super) fn match_items<K: Clone, R, V>(
    op: AdminOp,
    keys: &[K],
    results: Vec<R>,
    same: impl Fn(&K, &R) -> bool,
    convert: impl Fn(R) -> Result<V>,
    describe: impl Fn(&K) -> String,
) -> ItemResults<K, V> {
    let mut results: Vec<Option<R>> = results.into_iter().map(Some).collect();
    keys.iter()
        .map(|k| {
            let found = results
                .iter_mut()
                .find(|r| r.as_ref().is_some_and(|r| same(k, r)))
                .and_then(Option::take);
            let v = match found {
                Some(r) => convert(r),
                None => Err(missing(op, &describe(k))),
            };
            (k.clone(), v)
        })
        .collect()
}

/// What the by-name operations of one kind of name differ in (see
/// `AdminClient::per_name`).
pub(super) struct Names {
    /// One name, in a duplicate error: "topic", "group id".
    pub(super) one: &'static str,
    /// Several, in an empty-list error: "topics", "group ids".
    pub(super) plural: &'static str,
    /// One name, in a missing-result error: "topic", "group".
    pub(super) shown: &'static str,
    pub(super) check: fn(AdminOp, &str) -> Result<()>,
}

pub(super) const TOPICS: Names = Names {
    one: "topic",
    plural: "topics",
    shown: "topic",
    check: check_topic,
};

pub(super) const GROUPS: Names = Names {
    one: "group id",
    plural: "group ids",
    shown: "group",
    check: check_group,
};

/// Pairs each requested key with the result at the same position.
pub(super) fn zip_items<K: Clone, V>(op: AdminOp, keys: &[K], results: Vec<Result<V>>) -> ItemResults<K, V> {
    let mut results = results.into_iter();
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            (
                k.clone(),
                results.next().unwrap_or_else(|| Err(missing(op, &format!("item {i}")))),
            )
        })
        .collect()
}

pub(super) fn unit(e: Option<KafkaError>) -> Result<()> {
    match e {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The output for a whole-request failure of a per-item operation.
pub(super) fn per_item<K: Clone + Send + Sync + 'static, V: 'static>(keys: Vec<K>) -> FailFn<ItemResults<K, V>> {
    Arc::new(move |e: KafkaError| keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect())
}

/// The output for a whole-request failure of a single-result operation.
pub(super) fn whole<V: 'static>() -> FailFn<Result<V>> {
    Arc::new(|e: KafkaError| Err(e))
}

pub(super) fn strings<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    items.iter().map(|s| s.as_ref().to_string()).collect()
}

/// The single group of a group-offsets request (librdkafka takes exactly one).
pub(super) fn single_group(
    op: AdminOp,
    requests: &[ConsumerGroupTopicPartitions],
) -> Result<&ConsumerGroupTopicPartitions> {
    match requests {
        [one] => {
            check_group(op, &one.group_id)?;
            Ok(one)
        }
        [] => Err(invalid(op, "the list of groups is empty")),
        _ => Err(invalid(
            op,
            format_args!("exactly one group per call is supported, got {}", requests.len()),
        )),
    }
}

pub(super) fn group_offsets_result(
    op: AdminOp,
    group: String,
) -> impl for<'a> FnOnce(AdminResult<'a>) -> ItemResults<String, Vec<TopicPartition>> + Send + 'static {
    move |r| {
        let keys = [group];
        match_items(
            op,
            &keys,
            r.group_results(op),
            |k, (n, _)| k == n,
            |(_, v)| v,
            |k| format!("group {k:?}"),
        )
    }
}
