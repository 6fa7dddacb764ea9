//! The producer's topic handles, looked up on every `produce` without a
//! lock or a hash for the first few topics.

use crate::error::Result;
use crate::native::{NativeClient, NativeTopic};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, RwLock};

/// How many topics get a lock-free slot; more go to a locked map.
const SLOTS: usize = 16;

/// Topic name → librdkafka topic handle, created on first use and kept for
/// the client's life. The first [`SLOTS`] topics live in write-once slots
/// (a lookup is a few atomic loads and string comparisons); the rest in a
/// map behind a lock.
pub(crate) struct TopicCache {
    slots: [OnceLock<(Box<str>, NativeTopic)>; SLOTS],
    /// Serialises inserts (lookups never take it).
    insert: Mutex<()>,
    overflow: RwLock<HashMap<Box<str>, NativeTopic>>,
}

impl Default for TopicCache {
    fn default() -> Self {
        TopicCache {
            slots: std::array::from_fn(|_| OnceLock::new()),
            insert: Mutex::new(()),
            overflow: RwLock::new(HashMap::new()),
        }
    }
}

impl TopicCache {
    /// Runs `f` with the handle for `name`, creating it (after `validate`)
    /// on first use; a failure to do so is `f`'s error type too.
    #[inline]
    pub(crate) fn with<R>(
        &self,
        client: &NativeClient,
        name: &str,
        validate: impl FnOnce(&str) -> Result<()>,
        f: impl FnOnce(&NativeTopic) -> Result<R>,
    ) -> Result<R> {
        if let Some(t) = self.find_slot(name) {
            return f(t);
        }
        {
            let map = self.overflow.read().unwrap_or_else(|e| e.into_inner());
            if let Some(t) = map.get(name) {
                return f(t);
            }
        }
        validate(name)?;
        let _guard = self.insert.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread may have inserted it meanwhile.
        if let Some(t) = self.find_slot(name) {
            return f(t);
        }
        if let Some(slot) = self.slots.iter().find(|s| s.get().is_none()) {
            let topic = client.topic(name)?;
            let (_, t) = slot.get_or_init(|| (name.into(), topic));
            return f(t);
        }
        let mut map = self.overflow.write().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(name) {
            map.insert(name.into(), client.topic(name)?);
        }
        let t = map.get(name).expect("just inserted");
        f(t)
    }

    #[inline]
    fn find_slot(&self, name: &str) -> Option<&NativeTopic> {
        for slot in &self.slots {
            match slot.get() {
                Some((n, t)) if n.len() == name.len() && **n == *name => return Some(t),
                Some(_) => continue,
                // Slots fill in order: the first empty one ends the search.
                None => return None,
            }
        }
        None
    }
}
