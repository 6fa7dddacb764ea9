//! A bounded least-recently-used map, with an optional time to live (the
//! Python client's `cachetools.LRUCache` and `TTLCache`).

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::time::{Duration, Instant};

pub(crate) struct Lru<K, V> {
    capacity: usize,
    ttl: Option<Duration>,
    tick: u64,
    // key -> (value, last use, inserted at)
    map: HashMap<K, (V, u64, Instant)>,
    // last use -> key: the least recently used comes first.
    order: BTreeMap<u64, K>,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    /// At most `capacity` entries (0: nothing is kept), each for at most
    /// `ttl` after it was inserted.
    pub(crate) fn new(capacity: usize, ttl: Option<Duration>) -> Self {
        Lru {
            capacity,
            ttl,
            tick: 0,
            map: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    pub(crate) fn get(&mut self, key: &K) -> Option<V> {
        let (_, used, inserted) = self.map.get(key)?;
        if self.ttl.is_some_and(|ttl| inserted.elapsed() >= ttl) {
            let used = *used;
            self.order.remove(&used);
            self.map.remove(key);
            return None;
        }
        let used = *used;
        self.tick += 1;
        let tick = self.tick;
        let k = self.order.remove(&used)?;
        self.order.insert(tick, k);
        let entry = self.map.get_mut(key)?;
        entry.1 = tick;
        Some(entry.0.clone())
    }

    pub(crate) fn insert(&mut self, key: K, value: V) {
        if self.capacity == 0 {
            return;
        }
        self.remove(&key);
        while self.map.len() >= self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.map.remove(&oldest);
        }
        self.tick += 1;
        self.order.insert(self.tick, key.clone());
        self.map.insert(key, (value, self.tick, Instant::now()));
    }

    pub(crate) fn remove(&mut self, key: &K) {
        if let Some((_, used, _)) = self.map.remove(key) {
            self.order.remove(&used);
        }
    }

    /// Removes the entries whose key `drop` selects.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        let gone: Vec<K> = self.map.keys().filter(|k| !keep(k)).cloned().collect();
        for k in gone {
            self.remove(&k);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Lru;
    use std::time::Duration;

    #[test]
    fn the_least_recently_used_entry_goes_first_and_the_size_stays_bounded() {
        let mut c = Lru::new(2, None);
        c.insert(1, "a");
        c.insert(2, "b");
        assert_eq!(c.get(&1), Some("a")); // 2 is now the least recently used
        c.insert(3, "c");
        assert_eq!(c.get(&2), None);
        assert_eq!(c.get(&1), Some("a"));
        assert_eq!(c.get(&3), Some("c"));
        for i in 10..100 {
            c.insert(i, "x");
            assert!(c.len() <= 2);
        }
        c.insert(5, "y");
        c.insert(5, "z");
        assert_eq!(c.get(&5), Some("z"));
        c.retain(|k| *k != 5);
        assert_eq!(c.get(&5), None);
        c.clear();
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn capacity_zero_keeps_nothing_and_a_zero_ttl_expires_at_once() {
        let mut c = Lru::new(0, None);
        c.insert(1, 1);
        assert_eq!(c.get(&1), None);
        let mut c = Lru::new(10, Some(Duration::ZERO));
        c.insert(1, 1);
        assert_eq!(c.get(&1), None);
        assert_eq!(c.len(), 0);
        let mut c = Lru::new(10, Some(Duration::from_secs(3600)));
        c.insert(1, 1);
        assert_eq!(c.get(&1), Some(1));
    }
}
