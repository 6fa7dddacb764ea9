//! Invariant checkers for the fault scenarios (`tests/faults_mock.rs`,
//! `tests/close_drop_faults.rs`).
//!
//! * [`Ledger`] (producer side) records, per message id, whether `produce`
//!   accepted it, every delivery report it got (error, status, partition,
//!   offset) and how many times its delivery closure was dropped. Its
//!   [`Ledger::check`] compares that with the ids read back from the log by
//!   an independent reader ([`read_log`], rust-rdkafka) and returns a
//!   [`Verdict`]: lost, duplicated, reordered, phantom (written although
//!   reported not persisted), missing or extra reports, bad opaque drops.
//! * [`GroupLedger`] (consumer side) records assignments, revocations and
//!   losses per member, every consumed offset and every successful commit;
//!   its [`GroupLedger::check`] says whether each offset was consumed at
//!   least once, whether committed offsets ever went backwards and whether
//!   a partition was ever owned by two members at once.
//!
//! Payloads carry a sequence id (`id-0000000042`) so the log can be
//! compared with what was produced.
#![allow(dead_code)]

use ferrokafka::{
    Commit, Consumer, DeliveryReport, ErrorCode, KafkaError, Message, MessageStatus, Producer, RebalanceCallbacks,
    Record, TopicPartition,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The payload of message `id`.
pub fn payload(id: u64) -> String {
    format!("id-{id:010}")
}

/// The id a payload carries, if it is one of ours.
pub fn parse_id(bytes: &[u8]) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.strip_prefix("id-")?.parse().ok()
}

/// One delivery report, as kept by the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub error: Option<ErrorCode>,
    pub status: MessageStatus,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
}

#[derive(Default)]
struct LedgerState {
    accepted: BTreeSet<u64>,
    rejected: BTreeMap<u64, ErrorCode>,
    reports: BTreeMap<u64, Vec<Report>>,
    /// Delivery closures created, and how many times each was dropped.
    drops: BTreeMap<u64, usize>,
}

/// Counts a closure's drop (on every path: called, rejected, purged…).
struct DropGuard {
    ledger: Ledger,
    id: u64,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        *self.ledger.lock().drops.entry(self.id).or_insert(0) += 1;
    }
}

/// The producer-side record of a scenario: what was produced, what was
/// reported, what was dropped.
#[derive(Clone, Default)]
pub struct Ledger(Arc<Mutex<LedgerState>>);

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LedgerState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A record for message `id` (value = [`payload`]`(id)`, which the
    /// caller owns) whose delivery closure reports to this ledger.
    pub fn record<'a>(&self, topic: &'a str, value: &'a str, id: u64) -> Record<'a> {
        self.lock().drops.entry(id).or_insert(0);
        let guard = DropGuard {
            ledger: self.clone(),
            id,
        };
        let me = self.clone();
        Record::new(topic)
            .with_value(value)
            .with_on_delivery(move |r: &DeliveryReport<'_>| {
                let _guard = guard;
                me.lock().reports.entry(id).or_default().push(Report {
                    error: r.error().map(|e| e.code()),
                    status: r.status(),
                    partition: r.partition(),
                    offset: r.offset(),
                });
            })
    }

    /// Notes that `produce` accepted message `id`.
    pub fn accepted(&self, id: u64) {
        self.lock().accepted.insert(id);
    }

    /// Notes that `produce` refused message `id` (its closure must then be
    /// dropped without a report).
    pub fn rejected(&self, id: u64, code: ErrorCode) {
        self.lock().rejected.insert(id, code);
    }

    /// Produces message `id` to `topic` (`partition` or the partitioner),
    /// recording the outcome.
    pub fn send(&self, producer: &Producer, topic: &str, partition: Option<i32>, id: u64) -> Result<(), KafkaError> {
        let value = payload(id);
        let mut rec = self.record(topic, &value, id);
        if let Some(p) = partition {
            rec = rec.with_partition(p);
        }
        match producer.produce(rec) {
            Ok(()) => {
                self.accepted(id);
                Ok(())
            }
            Err(e) => {
                let e = e.into_error(); // the record (and its closure) is dropped here
                self.rejected(id, e.code());
                Err(e)
            }
        }
    }

    /// Produces ids `range` in order, serving reports every 100 messages;
    /// panics if one is refused.
    pub fn send_all(&self, producer: &Producer, topic: &str, partition: Option<i32>, range: std::ops::Range<u64>) {
        for id in range {
            self.send(producer, topic, partition, id)
                .unwrap_or_else(|e| panic!("produce of message {id} refused: {e}"));
            if id % 100 == 99 {
                producer.poll(Duration::ZERO).expect("poll");
            }
        }
    }

    /// Reports received so far (all messages).
    pub fn report_count(&self) -> usize {
        self.lock().reports.values().map(Vec::len).sum()
    }

    /// Messages accepted by `produce` so far.
    pub fn accepted_count(&self) -> usize {
        self.lock().accepted.len()
    }

    /// Accepted messages that have no report yet.
    pub fn unreported(&self) -> usize {
        let s = self.lock();
        s.accepted.iter().filter(|id| !s.reports.contains_key(id)).count()
    }

    /// The (first) report of every reported message.
    pub fn outcomes(&self) -> BTreeMap<u64, Report> {
        self.lock().reports.iter().map(|(id, v)| (*id, v[0].clone())).collect()
    }

    /// Serves reports until every accepted message has one (or `limit`).
    pub fn wait_reports(&self, producer: &Producer, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while self.unreported() > 0 && Instant::now() < end {
            producer.poll(Duration::from_millis(100)).ok();
        }
        self.unreported() == 0
    }

    /// Compares the ledger with the log read back (`log`, from [`read_log`]).
    pub fn check(&self, log: &[LogEntry]) -> Verdict {
        let s = self.lock();
        let mut v = Verdict {
            produced: s.accepted.len(),
            rejected: s.rejected.len(),
            reports: s.reports.values().map(Vec::len).sum(),
            log_entries: log.len(),
            ..Verdict::default()
        };
        for id in &s.accepted {
            match s.reports.get(id).map(Vec::len).unwrap_or(0) {
                0 => v.missing_reports.push(*id),
                1 => {}
                _ => v.extra_reports.push(*id),
            }
        }
        for (id, r) in &s.reports {
            if !s.accepted.contains(id) {
                v.extra_reports.push(*id);
            }
            if let Some(first) = r.first() {
                match first.error {
                    None => v.ok += 1,
                    Some(e) => *v.failed.entry(e.name().to_string()).or_insert(0) += 1,
                }
                *v.statuses.entry(format!("{:?}", first.status)).or_insert(0) += 1;
            }
        }
        for (id, n) in &s.drops {
            if *n != 1 {
                v.bad_drops.push((*id, *n));
            }
        }
        // Occurrences of each id in the log, and what sits at each offset.
        let mut occurrences: HashMap<u64, usize> = HashMap::new();
        let mut at: HashMap<(i32, i64), u64> = HashMap::new();
        let mut by_partition: BTreeMap<i32, Vec<&LogEntry>> = BTreeMap::new();
        for e in log {
            by_partition.entry(e.partition).or_default().push(e);
            match e.id {
                Some(id) if s.accepted.contains(&id) => {
                    *occurrences.entry(id).or_insert(0) += 1;
                    at.insert((e.partition, e.offset), id);
                }
                _ => v.foreign += 1,
            }
        }
        v.duplicated = occurrences.values().map(|n| n - 1).sum();
        // Reordering: within a partition, in offset order, a first
        // occurrence whose id is below one already seen (ids are produced
        // in increasing order).
        for entries in by_partition.values_mut() {
            entries.sort_by_key(|e| e.offset);
            let mut seen = BTreeSet::new();
            let mut max = None;
            for e in entries.iter() {
                let Some(id) = e.id else { continue };
                if !seen.insert(id) {
                    continue;
                }
                if max.is_some_and(|m| id < m) {
                    v.reordered += 1;
                }
                max = max.max(Some(id));
            }
        }
        for (id, reports) in &s.reports {
            let Some(r) = reports.first() else { continue };
            let in_log = occurrences.contains_key(id);
            match (r.error, r.status) {
                (None, _) => {
                    if !in_log {
                        v.lost.push(*id);
                    } else if let (Some(p), Some(o)) = (r.partition, r.offset) {
                        if at.get(&(p, o)) != Some(id) {
                            v.offset_mismatch.push(*id);
                        }
                    }
                }
                (Some(_), MessageStatus::NOT_PERSISTED) if in_log => v.phantom.push(*id),
                (Some(_), MessageStatus::POSSIBLY_PERSISTED) => {
                    v.possibly_persisted += 1;
                    v.possibly_persisted_in_log += in_log as usize;
                }
                (Some(_), MessageStatus::PERSISTED) if !in_log => v.lost.push(*id),
                _ => {}
            }
        }
        // Accepted messages never reported cannot be judged as lost here:
        // `missing_reports` already fails the scenario.
        v
    }
}

/// What [`Ledger::check`] found.
#[derive(Debug, Default, Clone)]
pub struct Verdict {
    /// Messages `produce` accepted.
    pub produced: usize,
    /// Messages `produce` refused (no report expected).
    pub rejected: usize,
    /// Delivery reports received in all.
    pub reports: usize,
    /// Messages whose report said delivered.
    pub ok: usize,
    /// Messages whose report carried an error, by error name.
    pub failed: BTreeMap<String, usize>,
    /// `MessageStatus` of the reports.
    pub statuses: BTreeMap<String, usize>,
    /// Accepted messages without a report.
    pub missing_reports: Vec<u64>,
    /// Messages with more than one report, or a report without being accepted.
    pub extra_reports: Vec<u64>,
    /// Delivery closures not dropped exactly once: (id, drops).
    pub bad_drops: Vec<(u64, usize)>,
    /// Entries read back from the log.
    pub log_entries: usize,
    /// Reported delivered (or `Persisted`) but absent from the log.
    pub lost: Vec<u64>,
    /// Reported failed and `NotPersisted`, yet in the log.
    pub phantom: Vec<u64>,
    /// Extra copies in the log.
    pub duplicated: usize,
    /// First occurrences out of production order (per partition).
    pub reordered: usize,
    /// Log entries that are not an accepted message of this scenario.
    pub foreign: usize,
    /// Delivered messages whose reported offset does not hold them.
    pub offset_mismatch: Vec<u64>,
    /// Failed `PossiblyPersisted` messages, and how many of them are in the log.
    pub possibly_persisted: usize,
    pub possibly_persisted_in_log: usize,
}

impl Verdict {
    /// Every accepted message got exactly one report, no other message
    /// got one, and every delivery closure was dropped exactly once.
    pub fn assert_reports_exactly_once(&self) {
        assert!(
            self.missing_reports.is_empty(),
            "accepted messages without a report: {:?}",
            first(&self.missing_reports)
        );
        assert!(
            self.extra_reports.is_empty(),
            "messages with extra reports: {:?}",
            first(&self.extra_reports)
        );
        assert!(
            self.bad_drops.is_empty(),
            "delivery closures not dropped exactly once (id, drops): {:?}",
            first(&self.bad_drops)
        );
    }

    /// Reports exactly once, nothing lost, nothing written that was
    /// reported not persisted, no foreign entries, truthful offsets.
    pub fn assert_no_loss(&self) {
        self.assert_reports_exactly_once();
        assert!(
            self.lost.is_empty(),
            "lost (reported delivered, not in the log): {:?}",
            first(&self.lost)
        );
        assert!(
            self.phantom.is_empty(),
            "reported NotPersisted but in the log: {:?}",
            first(&self.phantom)
        );
        assert_eq!(self.foreign, 0, "log entries that were never produced");
        assert!(
            self.offset_mismatch.is_empty(),
            "delivery reports naming the wrong offset: {:?}",
            first(&self.offset_mismatch)
        );
    }

    /// [`assert_no_loss`](Self::assert_no_loss), and no duplicates and no
    /// reordering: what the idempotent producer promises.
    pub fn assert_clean(&self) {
        self.assert_no_loss();
        assert_eq!(self.duplicated, 0, "duplicated messages in the log");
        assert_eq!(self.reordered, 0, "reordered messages in the log");
    }

    /// Every accepted message was delivered.
    pub fn assert_all_ok(&self) {
        assert_eq!(self.ok, self.produced, "not every message was delivered: {self}");
    }
}

fn first<T: Clone>(v: &[T]) -> Vec<T> {
    v.iter().take(10).cloned().collect()
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "messages={} rejected={} reports={} ok={} failed={:?} statuses={:?} log={} lost={} duplicated={} \
             reordered={} phantom={} foreign={} missing_reports={} extra_reports={} bad_drops={} \
             possibly_persisted={} (in log: {})",
            self.produced,
            self.rejected,
            self.reports,
            self.ok,
            self.failed,
            self.statuses,
            self.log_entries,
            self.lost.len(),
            self.duplicated,
            self.reordered,
            self.phantom.len(),
            self.foreign,
            self.missing_reports.len(),
            self.extra_reports.len(),
            self.bad_drops.len(),
            self.possibly_persisted,
            self.possibly_persisted_in_log,
        )
    }
}

/// Prints a scenario's outcome in one greppable line (`--nocapture`).
pub fn print_verdict(id: &str, v: &Verdict) {
    eprintln!("SCENARIO {id}: {v}");
}

/// One entry of a partition log, read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub partition: i32,
    pub offset: i64,
    /// The payload's id (`None` for a payload that is not ours).
    pub id: Option<u64>,
}

/// Reads every partition of `topic` from the start to its end with
/// rust-rdkafka (an independent reader) and returns the entries in
/// partition, offset order. Reading stops when every partition reported
/// its end (`enable.partition.eof`); panics if that takes over `limit`.
pub fn read_log(bootstrap: &str, topic: &str, partitions: i32, limit: Duration) -> Vec<LogEntry> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::error::KafkaError as RdError;
    use rdkafka::message::Message;
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("log-reader-{topic}"))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .set("isolation.level", "read_uncommitted")
        .create()
        .expect("log reader");
    let mut tpl = rdkafka::TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, rdkafka::Offset::Beginning).unwrap();
    }
    consumer.assign(&tpl).expect("assign");
    let mut out = Vec::new();
    let mut at_end = BTreeSet::new();
    let end = Instant::now() + limit;
    while at_end.len() < partitions as usize {
        assert!(
            Instant::now() < end,
            "reading {topic} back took over {limit:?} ({} entries, {} partition(s) at their end)",
            out.len(),
            at_end.len()
        );
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => out.push(LogEntry {
                partition: m.partition(),
                offset: m.offset(),
                id: m.payload().and_then(parse_id),
            }),
            Some(Err(RdError::PartitionEOF(p))) => {
                at_end.insert(p);
            }
            Some(Err(e)) => panic!("log reader error: {e}"),
            None => {}
        }
    }
    out.sort_by_key(|e| (e.partition, e.offset));
    out
}

// ---------------------------------------------------------------- consumers

#[derive(Default)]
struct GroupState {
    /// Partition → the member owning it.
    owner: HashMap<(String, i32), usize>,
    /// Partitions given to a member while another owned them, and messages
    /// a member received for a partition it did not own.
    violations: Vec<String>,
    /// Partition → offset → times consumed.
    consumed: HashMap<(String, i32), BTreeMap<i64, usize>>,
    /// Partition → highest successfully committed offset.
    committed: HashMap<(String, i32), i64>,
    backwards: Vec<String>,
    /// What happened, in order ("m0 assign [0, 1]", "m0 lost [0]"…).
    events: Vec<String>,
}

/// The consumer-side record of a scenario: assignments per member, every
/// consumed offset and every successful commit.
#[derive(Clone, Default)]
pub struct GroupLedger {
    state: Arc<Mutex<GroupState>>,
    changed: Arc<Condvar>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
}

fn key(tp: &TopicPartition) -> (String, i32) {
    (tp.topic.clone(), tp.partition)
}

fn names(parts: &[TopicPartition]) -> Vec<i32> {
    let mut v: Vec<i32> = parts.iter().map(|tp| tp.partition).collect();
    v.sort();
    v
}

impl GroupLedger {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `member` was given `parts` (a violation if another
    /// member still owns one).
    pub fn note_assign(&self, member: usize, parts: &[TopicPartition]) {
        let mut s = self.lock();
        for tp in parts {
            if let Some(other) = s.owner.insert(key(tp), member) {
                if other != member {
                    s.violations
                        .push(format!("{tp} given to member {member} while member {other} owns it"));
                }
            }
        }
        s.events.push(format!("m{member} assign {:?}", names(parts)));
        self.changed.notify_all();
    }

    fn release(&self, member: usize, parts: &[TopicPartition], what: &str) {
        let mut s = self.lock();
        for tp in parts {
            if s.owner.get(&key(tp)) == Some(&member) {
                s.owner.remove(&key(tp));
            }
        }
        s.events.push(format!("m{member} {what} {:?}", names(parts)));
        self.changed.notify_all();
    }

    /// Records that `member` gave `parts` up (revoke).
    pub fn note_revoke(&self, member: usize, parts: &[TopicPartition]) {
        self.release(member, parts, "revoke");
    }

    /// Records that `member` lost `parts`.
    pub fn note_lost(&self, member: usize, parts: &[TopicPartition]) {
        self.release(member, parts, "lost");
    }

    /// Tells every member of the scenario to stop (and callbacks to skip
    /// the commits that only matter while the scenario runs).
    pub fn stop_all(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// True once [`stop_all`](Self::stop_all) was called.
    pub fn stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Records a free-form event.
    pub fn note(&self, event: impl Into<String>) {
        self.lock().events.push(event.into());
        self.changed.notify_all();
    }

    /// Rebalance callbacks that only record.
    pub fn callbacks(&self, member: usize) -> RebalanceCallbacks {
        let (a, r, l) = (self.clone(), self.clone(), self.clone());
        RebalanceCallbacks::new()
            .on_assign(move |_, p| a.note_assign(member, p))
            .on_revoke(move |_, p| r.note_revoke(member, p))
            .on_lost(move |_, p| l.note_lost(member, p))
    }

    /// Records a consumed message (a violation if `member` does not own
    /// its partition).
    pub fn consumed(&self, member: usize, m: &Message) {
        let mut s = self.lock();
        let k = (m.topic().to_string(), m.partition());
        match s.owner.get(&k) {
            Some(o) if *o == member => {}
            other => {
                let other = other.copied();
                s.violations.push(format!(
                    "member {member} consumed {} [{}] @ {} while the owner is {other:?}",
                    k.0,
                    k.1,
                    m.offset()
                ));
            }
        }
        *s.consumed.entry(k).or_default().entry(m.offset()).or_insert(0) += 1;
        self.changed.notify_all();
    }

    /// Records a consumed message without an ownership check (for
    /// consumers using `assign`).
    pub fn consumed_assigned(&self, m: &Message) {
        let mut s = self.lock();
        let k = (m.topic().to_string(), m.partition());
        *s.consumed.entry(k).or_default().entry(m.offset()).or_insert(0) += 1;
        self.changed.notify_all();
    }

    /// Records the results of a commit: each partition committed without
    /// error must not be below the highest offset committed before.
    pub fn committed(&self, member: usize, results: &[TopicPartition]) {
        let mut s = self.lock();
        for tp in results.iter().filter(|tp| tp.error.is_none() && tp.offset >= 0) {
            let k = key(tp);
            let prev = s.committed.get(&k).copied();
            if prev.is_some_and(|p| tp.offset < p) {
                s.backwards.push(format!(
                    "member {member} committed {tp} after {} had been committed",
                    prev.unwrap()
                ));
            }
            let max = prev.unwrap_or(tp.offset).max(tp.offset);
            s.committed.insert(k, max);
        }
    }

    /// Commits the current positions and records the outcome.
    pub fn commit(&self, member: usize, consumer: &Consumer) -> Result<Vec<TopicPartition>, KafkaError> {
        let r = consumer.commit_sync(Commit::Current);
        if let Ok(results) = &r {
            self.committed(member, results);
        }
        r
    }

    /// How many distinct offsets were consumed.
    pub fn distinct_consumed(&self) -> usize {
        self.lock().consumed.values().map(BTreeMap::len).sum()
    }

    /// The partitions `member` owns now.
    pub fn owned_by(&self, member: usize) -> Vec<i32> {
        let mut v: Vec<i32> = self
            .lock()
            .owner
            .iter()
            .filter(|(_, m)| **m == member)
            .map(|(k, _)| k.1)
            .collect();
        v.sort();
        v
    }

    pub fn events(&self) -> Vec<String> {
        self.lock().events.clone()
    }

    pub fn highest_commit(&self, topic: &str, partition: i32) -> Option<i64> {
        self.lock().committed.get(&(topic.to_string(), partition)).copied()
    }

    /// Waits (on the ledger's own notifications) until `cond` holds.
    pub fn wait_until(&self, limit: Duration, mut cond: impl FnMut(&GroupLedger) -> bool) -> bool {
        let end = Instant::now() + limit;
        loop {
            if cond(self) {
                return true;
            }
            let now = Instant::now();
            if now >= end {
                return false;
            }
            let g = self.lock();
            let _ = self
                .changed
                .wait_timeout(g, (end - now).min(Duration::from_millis(100)))
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Compares what was consumed with the partitions' contents:
    /// `expected` lists (topic, partition, offsets) and every offset in
    /// the range must have been consumed at least once.
    pub fn check(&self, expected: &[(&str, i32, std::ops::Range<i64>)]) -> GroupVerdict {
        let s = self.lock();
        let mut v = GroupVerdict {
            violations: s.violations.clone(),
            backwards: s.backwards.clone(),
            ..GroupVerdict::default()
        };
        for (topic, p, range) in expected {
            let got = s.consumed.get(&(topic.to_string(), *p));
            for o in range.clone() {
                match got.and_then(|m| m.get(&o)) {
                    None => v.missed.push(format!("{topic} [{p}] @ {o}")),
                    Some(1) => {}
                    Some(n) => v.redelivered += n - 1,
                }
            }
            v.expected += (range.end - range.start).max(0) as usize;
        }
        v.consumed = s.consumed.values().flat_map(|m| m.values()).sum();
        v.commits = s.committed.len();
        v
    }
}

/// What [`GroupLedger::check`] found.
#[derive(Debug, Default, Clone)]
pub struct GroupVerdict {
    /// Offsets in the partitions.
    pub expected: usize,
    /// Messages consumed (with redeliveries).
    pub consumed: usize,
    /// Offsets never consumed.
    pub missed: Vec<String>,
    /// Extra deliveries (at-least-once allows them).
    pub redelivered: usize,
    /// Commits that went backwards.
    pub backwards: Vec<String>,
    /// Double ownership, or consumption outside ownership.
    pub violations: Vec<String>,
    /// Partitions with a successful commit.
    pub commits: usize,
}

impl GroupVerdict {
    /// Every offset consumed at least once, committed offsets never went
    /// backwards, no partition owned by two members at once.
    pub fn assert_ok(&self) {
        assert!(
            self.missed.is_empty(),
            "{} offset(s) never consumed, e.g. {:?}",
            self.missed.len(),
            first(&self.missed)
        );
        assert!(
            self.backwards.is_empty(),
            "committed offsets went backwards: {:?}",
            self.backwards
        );
        assert!(
            self.violations.is_empty(),
            "ownership violations: {:?}",
            self.violations
        );
    }
}

impl fmt::Display for GroupVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offsets={} consumed={} missed={} redelivered={} commits_backwards={} ownership_violations={} \
             partitions_committed={}",
            self.expected,
            self.consumed,
            self.missed.len(),
            self.redelivered,
            self.backwards.len(),
            self.violations.len(),
            self.commits
        )
    }
}

/// Prints a consumer scenario's outcome in one greppable line.
pub fn print_group_verdict(id: &str, v: &GroupVerdict) {
    eprintln!("SCENARIO {id}: {v}");
}

// ---------------------------------------------------------------- timing

/// Runs `f` on its own thread and returns its result and duration; if it
/// does not finish within `watchdog`, the test fails (a hang) instead of
/// hanging CI. The stuck thread is left behind.
pub fn watchdog<T: Send + 'static>(
    what: &str,
    watchdog: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("watched: {what}"))
        .spawn(move || {
            let start = Instant::now();
            let r = f();
            let _ = tx.send((r, start.elapsed()));
        })
        .expect("spawn");
    match rx.recv_timeout(watchdog) {
        Ok(r) => r,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("HANG: {what} did not finish within the watchdog's {watchdog:?}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// Durations of repeated runs: count, max, p50, p99.
#[derive(Default, Clone, Debug)]
pub struct Durations(pub Vec<Duration>);

impl Durations {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.0.clone();
        v.sort();
        v
    }

    pub fn max(&self) -> Duration {
        self.0.iter().copied().max().unwrap_or_default()
    }

    /// The `q` quantile (nearest rank).
    pub fn quantile(&self, q: f64) -> Duration {
        let v = self.sorted();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[rank - 1]
    }
}

impl fmt::Display for Durations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "n={} p50={:?} p99={:?} max={:?}",
            self.0.len(),
            self.quantile(0.5),
            self.quantile(0.99),
            self.max()
        )
    }
}
