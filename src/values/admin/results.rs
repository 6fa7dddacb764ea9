//! [`ItemResults`]: the outcome of a per-item admin operation.

use crate::error::KafkaError;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// Per-item results of an admin operation: each requested key (topic,
/// group, resource...) with its own outcome, in request order — the Python
/// client's dict of futures, resolved.
///
/// It reads as a slice of `(key, Result<value>)` pairs (`len`, indexing,
/// `iter`, `for (k, r) in &results`), and can be looked up by key, turned
/// into a map, or into its first error:
///
/// ```
/// use ferrokafka::admin::ItemResults;
/// use ferrokafka::{ErrorCode, KafkaError};
/// let results: ItemResults<String, ()> = vec![
///     ("orders".to_string(), Ok(())),
///     ("bad topic".to_string(), Err(KafkaError::from_code(ErrorCode::TOPIC_EXCEPTION))),
/// ]
/// .into_iter()
/// .collect();
/// assert_eq!(results.len(), 2);
/// assert!(results.get("orders").unwrap().is_ok());
/// assert_eq!(results.first_error().unwrap().code(), ErrorCode::TOPIC_EXCEPTION);
/// assert_eq!(results.clone().into_map()["bad topic"].as_ref().unwrap_err().code(), ErrorCode::TOPIC_EXCEPTION);
/// assert!(results.into_result().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ItemResults<K, V> {
    items: Vec<(K, Result<V, KafkaError>)>,
}

impl<K, V> ItemResults<K, V> {
    /// The outcome for `key` (the first, if a key was requested twice).
    pub fn get<Q>(&self, key: &Q) -> Option<&Result<V, KafkaError>>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.items.iter().find(|(k, _)| k.borrow() == key).map(|(_, r)| r)
    }

    /// True when every item succeeded.
    pub fn all_ok(&self) -> bool {
        self.items.iter().all(|(_, r)| r.is_ok())
    }

    /// The first item's error, in request order.
    pub fn first_error(&self) -> Option<&KafkaError> {
        self.items.iter().find_map(|(_, r)| r.as_ref().err())
    }

    /// The values, if every item succeeded; else the first error (its
    /// message names the operation; the key is in
    /// [`first_error`](Self::first_error)'s pair).
    pub fn into_result(self) -> Result<Vec<(K, V)>, KafkaError> {
        self.items.into_iter().map(|(k, r)| r.map(|v| (k, v))).collect()
    }

    /// The outcomes keyed by item.
    pub fn into_map(self) -> HashMap<K, Result<V, KafkaError>>
    where
        K: Eq + Hash,
    {
        self.items.into_iter().collect()
    }

    /// The `(key, outcome)` pairs.
    pub fn into_vec(self) -> Vec<(K, Result<V, KafkaError>)> {
        self.items
    }
}

impl<K, V> std::ops::Deref for ItemResults<K, V> {
    type Target = [(K, Result<V, KafkaError>)];
    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl<K, V> FromIterator<(K, Result<V, KafkaError>)> for ItemResults<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, Result<V, KafkaError>)>>(iter: I) -> Self {
        ItemResults {
            items: iter.into_iter().collect(),
        }
    }
}

impl<K, V> IntoIterator for ItemResults<K, V> {
    type Item = (K, Result<V, KafkaError>);
    type IntoIter = std::vec::IntoIter<Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a ItemResults<K, V> {
    type Item = &'a (K, Result<V, KafkaError>);
    type IntoIter = std::slice::Iter<'a, (K, Result<V, KafkaError>)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}
