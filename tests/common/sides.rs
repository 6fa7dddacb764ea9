//! One consumer interface over ferrokafka's `Consumer` and librdkafka's own
//! consumer ([`super::reference::RefConsumer`]), so that a scenario can be
//! run through both and what the application observes compared.
#![allow(dead_code)]

use super::reference::{Polled, RefConsumer};
use ferrokafka::{Config, Consumer, ErrorCode, TopicPartition};
use std::time::Duration;

/// What a scenario may do with a consumer.
pub trait Side {
    fn name(&self) -> &'static str;
    fn subscribe(&self, topics: &[&str]);
    fn poll(&self, ms: i32) -> Option<Polled>;
    fn assign(&self, parts: &[(&str, i32, i64)]);
    fn unassign(&self);
    fn incremental(&self, add: bool, parts: &[(&str, i32, i64)]);
    fn pause(&self, parts: &[(&str, i32)], pause: bool);
    /// A blocking seek; the error code (0 = done).
    fn seek(&self, topic: &str, partition: i32, offset: i64) -> i32;
    fn position(&self, parts: &[(&str, i32)]) -> Vec<i64>;
    fn committed(&self, parts: &[(&str, i32)]) -> Vec<i64>;
    /// Commits the stored positions synchronously; the error code.
    fn commit_sync(&self) -> i32;
    fn assignment(&self) -> Vec<(String, i32)>;
    fn close(self: Box<Self>);
}

/// Builds either side from the same librdkafka properties.
pub fn make(reference: bool, props: &[(&str, &str)]) -> Box<dyn Side> {
    if reference {
        Box::new(RefSide(RefConsumer::new(props)))
    } else {
        let mut c = Config::new();
        for (k, v) in props {
            c.set(*k, *v);
        }
        Box::new(FerroSide(Consumer::new(&c).expect("consumer")))
    }
}

pub struct RefSide(pub RefConsumer);
pub struct FerroSide(pub Consumer);

fn tps(parts: &[(&str, i32, i64)]) -> Vec<TopicPartition> {
    parts
        .iter()
        .map(|(t, p, o)| TopicPartition::with_offset(*t, *p, *o))
        .collect()
}

fn tps2(parts: &[(&str, i32)]) -> Vec<TopicPartition> {
    parts.iter().map(|(t, p)| TopicPartition::new(*t, *p)).collect()
}

impl Side for RefSide {
    fn name(&self) -> &'static str {
        "librdkafka"
    }
    fn subscribe(&self, topics: &[&str]) {
        self.0.subscribe(topics)
    }
    fn poll(&self, ms: i32) -> Option<Polled> {
        self.0.poll(ms)
    }
    fn assign(&self, parts: &[(&str, i32, i64)]) {
        self.0.assign(parts)
    }
    fn unassign(&self) {
        self.0.unassign()
    }
    fn incremental(&self, add: bool, parts: &[(&str, i32, i64)]) {
        assert!(self.0.incremental(add, parts));
    }
    fn pause(&self, parts: &[(&str, i32)], pause: bool) {
        self.0.pause(parts, pause)
    }
    fn seek(&self, topic: &str, partition: i32, offset: i64) -> i32 {
        self.0.seek(&[(topic, partition, offset)], 60_000)[0]
    }
    fn position(&self, parts: &[(&str, i32)]) -> Vec<i64> {
        self.0.position(parts)
    }
    fn committed(&self, parts: &[(&str, i32)]) -> Vec<i64> {
        self.0.committed(parts, 10_000)
    }
    fn commit_sync(&self) -> i32 {
        self.0.commit_sync()
    }
    fn assignment(&self) -> Vec<(String, i32)> {
        let mut a = self.0.assignment();
        a.sort();
        a
    }
    fn close(self: Box<Self>) {
        self.0.close()
    }
}

impl Side for FerroSide {
    fn name(&self) -> &'static str {
        "ferrokafka"
    }
    fn subscribe(&self, topics: &[&str]) {
        self.0.subscribe(topics).unwrap()
    }
    fn poll(&self, ms: i32) -> Option<Polled> {
        match self.0.poll(Duration::from_millis(ms.max(0) as u64)) {
            Ok(None) => None,
            Ok(Some(m)) => Some(Polled::Message {
                topic: m.topic().to_string(),
                partition: m.partition(),
                offset: m.offset(),
            }),
            Err(e) => Some(Polled::Error {
                code: e.code().0,
                partition: e.topic_partition().map(|tp| tp.partition).unwrap_or(-1),
            }),
        }
    }
    fn assign(&self, parts: &[(&str, i32, i64)]) {
        self.0.assign(&tps(parts)).unwrap()
    }
    fn unassign(&self) {
        self.0.unassign().unwrap()
    }
    fn incremental(&self, add: bool, parts: &[(&str, i32, i64)]) {
        if add {
            self.0.incremental_assign(&tps(parts)).unwrap()
        } else {
            self.0.incremental_unassign(&tps(parts)).unwrap()
        }
    }
    fn pause(&self, parts: &[(&str, i32)], pause: bool) {
        if pause {
            self.0.pause(&tps2(parts)).unwrap()
        } else {
            self.0.resume(&tps2(parts)).unwrap()
        }
    }
    fn seek(&self, topic: &str, partition: i32, offset: i64) -> i32 {
        match self.0.seek(&TopicPartition::with_offset(topic, partition, offset)) {
            Ok(()) => 0,
            Err(e) => e.code().0,
        }
    }
    fn position(&self, parts: &[(&str, i32)]) -> Vec<i64> {
        self.0
            .position(&tps2(parts))
            .unwrap()
            .iter()
            .map(|tp| tp.offset)
            .collect()
    }
    fn committed(&self, parts: &[(&str, i32)]) -> Vec<i64> {
        self.0
            .committed(&tps2(parts), Duration::from_secs(10))
            .unwrap()
            .iter()
            .map(|tp| tp.offset)
            .collect()
    }
    fn commit_sync(&self) -> i32 {
        match self.0.commit_sync(ferrokafka::Commit::Current) {
            Ok(_) => 0,
            Err(e) => e.code().0,
        }
    }
    fn assignment(&self) -> Vec<(String, i32)> {
        let mut a: Vec<(String, i32)> = self
            .0
            .assignment()
            .unwrap()
            .into_iter()
            .map(|tp| (tp.topic, tp.partition))
            .collect();
        a.sort();
        a
    }
    fn close(self: Box<Self>) {
        let _ = self.0.close(Duration::from_secs(30));
    }
}

/// The no-error code, for readability in assertions.
pub const OK: i32 = ErrorCode::NO_ERROR.0;
