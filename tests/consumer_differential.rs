//! Differential consumer semantics: each scenario is one script, run
//! through ferrokafka's `Consumer` and through librdkafka's own consumer
//! API (`rdkafka-sys`, no read-ahead: tests/common/reference.rs), each on a
//! fresh mock cluster holding the same data. What the application observes
//! — messages handed out per partition, positions, committed offsets,
//! errors, redeliveries — must be the same; anything ferrokafka adds on the
//! hot path (the read-ahead) must be invisible here.
//!
//! Where the two can differ for reasons of timing alone (how messages of
//! different partitions interleave), a scenario records what is
//! timing-independent: per-partition sequences, and invariants such as
//! "committed == position".

mod common;

use common::reference::{Polled, RefConsumer};
use common::sides::{make, Side, OK};
use common::unique_topic;
use ferrokafka::{Config, Consumer, MockCluster, Producer, Record, TopicPartition};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// `_MAX_POLL_EXCEEDED`.
const MAX_POLL_EXCEEDED: i32 = -147;
/// `_PARTITION_EOF`.
const PARTITION_EOF: i32 = -191;

/// A mock cluster with `topic`: `partitions` × `per_partition` messages.
fn cluster(topic: &str, partitions: i32, per_partition: usize) -> MockCluster {
    let c = MockCluster::new(1).expect("mock");
    c.create_topic(topic, partitions, 1).unwrap();
    c.set_group_initial_rebalance_delay(Duration::from_millis(100));
    let p = Producer::new(&Config::from([
        ("bootstrap.servers", c.bootstrap_servers()),
        ("linger.ms", "5"),
    ]))
    .unwrap();
    for part in 0..partitions {
        for i in 0..per_partition {
            let v = format!("{part}-{i}");
            p.produce(Record::new(topic).with_partition(part).with_value(&v))
                .unwrap();
        }
    }
    p.flush(Duration::from_secs(30)).unwrap();
    p.close(Duration::from_secs(10)).unwrap();
    c
}

/// What the application saw, as text (so a difference prints readably).
#[derive(Default)]
struct Obs {
    lines: Vec<String>,
}

impl Obs {
    fn note(&mut self, what: impl Into<String>) {
        self.lines.push(what.into())
    }
}

/// Offsets as compact ranges: `0-19,25,30-31`.
fn ranges(offsets: &[i64]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < offsets.len() {
        let start = offsets[i];
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1] == offsets[j] + 1 {
            j += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if j == i {
            let _ = write!(out, "{start}");
        } else {
            let _ = write!(out, "{start}-{}", offsets[j]);
        }
        i = j + 1;
    }
    out
}

/// Messages collected in one phase, per partition, in order.
#[derive(Default)]
struct Phase {
    by_partition: BTreeMap<i32, Vec<i64>>,
    errors: Vec<(i32, i32)>,
}

impl Phase {
    fn count(&self, p: i32) -> usize {
        self.by_partition.get(&p).map_or(0, Vec::len)
    }
    fn total(&self) -> usize {
        self.by_partition.values().map(Vec::len).sum()
    }
    fn describe(&self) -> String {
        let mut s = String::new();
        for (p, offs) in &self.by_partition {
            let _ = write!(s, "p{p}:[{}] ", ranges(offs));
        }
        for (code, p) in &self.errors {
            let _ = write!(s, "err{code}@p{p} ");
        }
        s
    }
}

/// Polls until `done` holds or `limit` passes.
fn collect(side: &dyn Side, limit: Duration, mut done: impl FnMut(&Phase) -> bool) -> Phase {
    let mut ph = Phase::default();
    let end = Instant::now() + limit;
    while !done(&ph) && Instant::now() < end {
        match side.poll(100) {
            Some(Polled::Message { partition, offset, .. }) => {
                ph.by_partition.entry(partition).or_default().push(offset)
            }
            Some(Polled::Error { code, partition }) => ph.errors.push((code, partition)),
            None => {}
        }
    }
    ph
}

/// Runs `scenario` through both consumers and compares what each observed.
fn differential(
    name: &str,
    scenario: impl Fn(&dyn Side, &mut Obs, &str, &MockCluster),
    setup: impl Fn(&str) -> MockCluster,
) {
    differential_with(name, &[], scenario, setup)
}

fn differential_with(
    name: &str,
    extra: &[(&str, &str)],
    scenario: impl Fn(&dyn Side, &mut Obs, &str, &MockCluster),
    setup: impl Fn(&str) -> MockCluster,
) {
    let mut seen = Vec::new();
    // The same topic name on each side's own cluster.
    let topic = unique_topic(name);
    for reference in [true, false] {
        let topic = topic.clone();
        let cluster = setup(&topic);
        let mut obs = Obs::default();
        let group = format!("g-{topic}");
        let mut props = vec![
            ("bootstrap.servers", cluster.bootstrap_servers()),
            ("group.id", group.as_str()),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
        ];
        props.extend_from_slice(extra);
        let side = make(reference, &props);
        scenario(&*side, &mut obs, &topic, &cluster);
        side.close();
        seen.push(obs.lines);
    }
    let (reference, ferro) = (&seen[0], &seen[1]);
    for (i, (r, f)) in reference.iter().zip(ferro.iter()).enumerate() {
        assert_eq!(f, r, "{name}: step {i} differs from librdkafka's own consumer\nlibrdkafka: {reference:#?}\nferrokafka: {ferro:#?}");
    }
    assert_eq!(reference.len(), ferro.len(), "{name}: {reference:#?} vs {ferro:#?}");
    eprintln!("{name}: identical in {} observations", reference.len());
}

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn pause_resume_mid_buffer() {
    // Paused with messages of the partition already fetched (and, in
    // ferrokafka, read ahead): nothing of it until resume, then exactly
    // from the position, nothing lost or repeated.
    differential(
        "pause",
        |s, obs, t, _| {
            s.assign(&[(t, 0, 0), (t, 1, 0)]);
            let before = collect(s, LIMIT, |ph| ph.count(0) >= 20);
            let before_p0 = before.by_partition.get(&0).cloned().unwrap_or_default();
            obs.note(format!("p0 before pause: [{}]", ranges(&before_p0)));
            s.pause(&[(t, 0)], true);
            obs.note(format!("position p0 at pause: {:?}", s.position(&[(t, 0)])));
            // While paused: p1 goes on, p0 gives nothing.
            let paused = collect(s, LIMIT, |ph| ph.count(0) > 0 || ph.total() + before.count(1) >= 300);
            obs.note(format!("p0 while paused: {}", paused.count(0)));
            obs.note(format!("position p0 while paused: {:?}", s.position(&[(t, 0)])));
            s.pause(&[(t, 0)], false);
            let after = collect(s, LIMIT, |ph| ph.count(0) + before_p0.len() >= 300);
            let mut all_p0 = before_p0.clone();
            all_p0.extend(after.by_partition.get(&0).cloned().unwrap_or_default());
            obs.note(format!("p0 after resume: [{}]", ranges(&all_p0[before_p0.len()..])));
            obs.note(format!("p0 whole: [{}]", ranges(&all_p0)));
            obs.note(format!("positions at end: {:?}", s.position(&[(t, 0), (t, 1)])));
        },
        |t| cluster(t, 2, 300),
    );
}

#[test]
fn pause_resume_in_every_order() {
    // Pause and resume each of three partitions at several points of the
    // stream (before anything is fetched, mid-buffer, at the end), in
    // every order: the per-partition sequences and the positions at each
    // step are librdkafka's.
    let orders: [[i32; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (k, order) in orders.iter().enumerate() {
        let order = *order;
        differential(
            &format!("pause-order-{k}"),
            move |s, obs, t, _| {
                s.assign(&[(t, 0, 0), (t, 1, 0), (t, 2, 0)]);
                let mut seen: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
                for (step, p) in order.iter().enumerate() {
                    let target = 10 * (step + 1);
                    let ph = collect(s, LIMIT, |ph| seen.get(p).map_or(0, Vec::len) + ph.count(*p) >= target);
                    for (q, offs) in ph.by_partition {
                        seen.entry(q).or_default().extend(offs);
                    }
                    s.pause(&[(t, *p)], true);
                    // How many of p's messages came before this step depends
                    // on how the fetches interleaved (it differs between runs
                    // of either client); where the position stands relative
                    // to what was handed out does not.
                    let pos = s.position(&[(t, *p)])[0];
                    let handed = seen.get(p).and_then(|o| o.last().copied());
                    let at = match handed {
                        Some(last) if pos == last + 1 => "one past the last message handed out".to_string(),
                        None if pos == ferrokafka::OFFSET_INVALID => "OFFSET_INVALID (nothing handed out)".to_string(),
                        _ => format!("{pos}, last handed out {handed:?}"),
                    };
                    obs.note(format!("step {step}: paused p{p}, position {at}"));
                }
                let quiet = collect(s, Duration::from_millis(500), |_| false);
                obs.note(format!("all paused, handed out: {}", quiet.total()));
                for p in order.iter().rev() {
                    s.pause(&[(t, *p)], false);
                }
                let ph = collect(s, LIMIT, |ph| {
                    (0..3).all(|q| seen.get(&q).map_or(0, Vec::len) + ph.count(q) >= 100)
                });
                for (q, offs) in ph.by_partition {
                    seen.entry(q).or_default().extend(offs);
                }
                for (q, offs) in &seen {
                    obs.note(format!("p{q}: [{}]", ranges(offs)));
                }
            },
            |t| cluster(t, 3, 100),
        );
    }
}

#[test]
fn seek_back_and_forward() {
    differential(
        "seek",
        |s, obs, t, _| {
            s.assign(&[(t, 0, 0)]);
            let first = collect(s, LIMIT, |ph| ph.count(0) >= 50);
            obs.note(format!("first: {}", first.describe()));
            obs.note(format!("seek back to 10: {}", s.seek(t, 0, 10)));
            let back = collect(s, LIMIT, |ph| ph.count(0) >= 5);
            obs.note(format!("after seek back: {}", back.describe()));
            obs.note(format!("seek forward to 150: {}", s.seek(t, 0, 150)));
            let fwd = collect(s, LIMIT, |ph| ph.count(0) >= 5);
            obs.note(format!("after seek forward: {}", fwd.describe()));
            obs.note(format!("position: {:?}", s.position(&[(t, 0)])));
            obs.note(format!("seek unassigned partition: {}", s.seek(t, 1, 0)));
        },
        |t| cluster(t, 2, 200),
    );
}

#[test]
fn incremental_assign_and_unassign() {
    differential(
        "incremental",
        |s, obs, t, _| {
            s.incremental(true, &[(t, 0, 0)]);
            let a = collect(s, LIMIT, |ph| ph.count(0) >= 30);
            obs.note(format!("p0 only: {}", a.describe()));
            s.incremental(true, &[(t, 1, 10)]);
            let mut p0 = a.by_partition.get(&0).cloned().unwrap_or_default();
            let b = collect(s, LIMIT, |ph| ph.count(1) >= 20);
            p0.extend(b.by_partition.get(&0).cloned().unwrap_or_default());
            let p1 = b.by_partition.get(&1).cloned().unwrap_or_default();
            obs.note(format!("p1 from 10: [{}]", ranges(&p1)));
            s.incremental(false, &[(t, 0, -1001)]);
            obs.note(format!("assignment: {:?}", s.assignment()));
            let c = collect(s, LIMIT, |ph| ph.count(1) + p1.len() >= 90);
            obs.note(format!("p0 after unassign: {}", c.count(0)));
            let mut all_p1 = p1.clone();
            all_p1.extend(c.by_partition.get(&1).cloned().unwrap_or_default());
            obs.note(format!("p1 whole: [{}]", ranges(&all_p1)));
            // p0 was handed out in order with no gap up to where it stopped.
            let contiguous = p0.iter().enumerate().all(|(i, o)| *o == i as i64);
            obs.note(format!("p0 contiguous from 0: {contiguous}"));
            s.unassign();
            obs.note(format!("assignment after unassign: {:?}", s.assignment()));
            let d = collect(s, Duration::from_millis(300), |_| false);
            obs.note(format!("after unassign: {}", d.total()));
        },
        |t| cluster(t, 2, 100),
    );
}

#[test]
fn assign_replaces_and_drops_what_was_read_ahead() {
    differential(
        "reassign",
        |s, obs, t, _| {
            s.assign(&[(t, 0, 0), (t, 1, 0)]);
            let a = collect(s, LIMIT, |ph| ph.total() >= 10);
            obs.note(format!("handed out: {}", a.total()));
            s.assign(&[(t, 1, 50)]);
            let b = collect(s, LIMIT, |ph| ph.count(1) >= 10);
            obs.note(format!(
                "after assign p1@50: p0={} p1=[{}]",
                b.count(0),
                ranges(&b.by_partition[&1])
            ));
        },
        |t| cluster(t, 2, 100),
    );
}

#[test]
fn commit_stored_positions() {
    differential(
        "commit",
        |s, obs, t, _| {
            s.assign(&[(t, 0, 0), (t, 1, 0)]);
            let a = collect(s, LIMIT, |ph| ph.total() >= 50);
            obs.note(format!("handed out: {}", a.total()));
            obs.note(format!("commit: {}", s.commit_sync()));
            let pos = s.position(&[(t, 0), (t, 1)]);
            let com = s.committed(&[(t, 0), (t, 1)]);
            obs.note(format!("committed == position: {}", pos == com));
            obs.note(format!(
                "position sum: {}",
                pos.iter().filter(|o| **o >= 0).sum::<i64>()
            ));
            // Each committed position is the next offset after what was
            // handed out for that partition.
            let expect: Vec<i64> = (0..2)
                .map(|p| a.by_partition.get(&p).and_then(|v| v.last()).map_or(-1001, |o| o + 1))
                .collect();
            obs.note(format!("committed == last handed out + 1: {}", com == expect));
        },
        |t| cluster(t, 2, 100),
    );
}

#[test]
fn end_of_partition() {
    differential_with(
        "eof",
        &[("enable.partition.eof", "true")],
        |s, obs, t, _| {
            s.assign(&[(t, 0, 0)]);
            let a = collect(s, LIMIT, |ph| !ph.errors.is_empty());
            obs.note(format!("until EOF: {}", a.describe()));
            obs.note(format!("position: {:?}", s.position(&[(t, 0)])));
        },
        |t| cluster(t, 1, 5),
    );
}

#[test]
fn close_commits_what_was_handed_out() {
    // A group member with auto-commit reads 37 messages and closes: the
    // group's committed offsets cover exactly those 37, nothing read ahead.
    let mut sums = Vec::new();
    for reference in [true, false] {
        let topic = unique_topic("close-commit");
        let c = cluster(&topic, 2, 100);
        let group = format!("g-{topic}");
        let props = [
            ("bootstrap.servers", c.bootstrap_servers()),
            ("group.id", group.as_str()),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "true"),
            ("auto.commit.interval.ms", "600000"),
        ];
        let s = make(reference, &props);
        s.subscribe(&[&topic]);
        let ph = collect(&*s, LIMIT, |ph| ph.total() >= 37);
        assert_eq!(ph.total(), 37);
        let last: Vec<i64> = (0..2)
            .map(|p| ph.by_partition.get(&p).and_then(|v| v.last()).map_or(-1001, |o| o + 1))
            .collect();
        s.close();
        let check = make(reference, &props);
        let committed = check.committed(&[(&topic, 0), (&topic, 1)]);
        check.close();
        assert_eq!(
            committed,
            last,
            "{}: committed at close",
            if reference { "librdkafka" } else { "ferrokafka" }
        );
        sums.push(committed.iter().filter(|o| **o >= 0).sum::<i64>());
    }
    assert_eq!(sums[0], sums[1]);
}

#[test]
fn consume_after_poll_continues_the_sequence() {
    let topic = unique_topic("consume-after-poll");
    let c = cluster(&topic, 1, 50);
    let consumer = Consumer::new(&Config::from([
        ("bootstrap.servers", c.bootstrap_servers()),
        ("group.id", "g"),
        ("enable.auto.commit", "false"),
    ]))
    .unwrap();
    consumer.assign(&[TopicPartition::with_offset(&topic, 0, 0)]).unwrap();
    let mut offsets = Vec::new();
    while offsets.len() < 3 {
        if let Some(m) = consumer.poll(Duration::from_millis(200)).unwrap() {
            offsets.push(m.offset());
        }
    }
    while offsets.len() < 13 {
        for m in consumer
            .consume(13 - offsets.len(), Duration::from_millis(200))
            .unwrap()
        {
            offsets.push(m.offset());
        }
    }
    // librdkafka's consumer hands out 0..13 to 13 polls.
    assert_eq!(offsets, (0..13).collect::<Vec<i64>>());
    consumer.close(Duration::from_secs(10)).unwrap();
}

/// What one run of [`join_follows_commits`] saw.
struct JoinRun {
    /// Messages handed out more than once across the two members.
    redelivered: usize,
    /// Hand-outs that restarted a partition at its committed offset.
    restarts: usize,
    /// Commits that failed (the rebalance fenced them), by error code.
    failed_commits: BTreeMap<i32, usize>,
}

/// Two members of one group on 4 partitions × 100 messages; the second
/// joins after the first has read 40; auto-commit off, and each member
/// commits its stored positions after every `every` messages it handles.
///
/// The run is checked against a model that holds whatever the timing: the
/// test thread does everything (polls, commits) in one order, and after
/// every commit it reads the group's committed offsets `K` with a third
/// consumer. Then each message handed out must be
/// - of a partition in its member's assignment right after the poll;
/// - the successor of the last message handed out for its partition by the
///   same member, when that member kept the partition all along; or
/// - a committed offset of `p` (0 while none is committed), when the
///   partition starts anew — on a member that had not held it, or on one
///   that lost it in a rebalance (an eager one revokes everything): one
///   read since the partition last started anew, and never past the
///   latest `K[p]`;
///
/// and every message is handed out at least once. So a member never goes
/// past what was committed when a partition moves, and never starts a
/// partition anywhere but at a committed offset; the messages redelivered
/// are those handed out after it — the count varies with when the
/// rebalance lands, the rule does not. (Not necessarily the latest: a
/// commit that completes while a rebalance is under way can land after
/// the new owner fetched the committed offsets; librdkafka's own consumer
/// was seen restarting at 0 with 1 committed, under load, with no
/// revocation seen between two polls.)
///
/// `work` is the application's time per message handed out: the
/// read-ahead looks for a rebalance at most once per clock tick (1–10 ms),
/// so an application taking a few milliseconds per message is the regime
/// where it sees a rebalance later than librdkafka's own consumer would.
fn join_follows_commits(reference: bool, assignor: &str, every: usize, work: Duration) -> JoinRun {
    const PARTS: i32 = 4;
    const PER: usize = 100;
    let topic = unique_topic("join");
    let c = cluster(&topic, PARTS, PER);
    let group = format!("g-{topic}");
    let props = [
        ("bootstrap.servers", c.bootstrap_servers()),
        ("group.id", group.as_str()),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("partition.assignment.strategy", assignor),
        ("session.timeout.ms", "2000"),
        ("heartbeat.interval.ms", "200"),
    ];
    let side = if reference { "librdkafka" } else { "ferrokafka" };
    let all: Vec<(&str, i32)> = (0..PARTS).map(|p| (topic.as_str(), p)).collect();
    // Reads committed offsets; never subscribes, so never joins the group.
    let oracle = RefConsumer::new(&props);
    // The group's committed offsets; a lookup that fails (no coordinator
    // yet, a timeout) is asked again, never read as "none committed".
    let read_committed = |end: Instant| loop {
        match oracle.try_committed(&all, 10_000) {
            Ok(k) => break k,
            Err(code) => assert!(Instant::now() < end, "committed offsets unreadable: {code}"),
        }
    };
    let members = [make(reference, &props), make(reference, &props)];
    let mut committed = vec![-1001i64; PARTS as usize];
    // Per partition: the committed offsets read since it last started anew
    // (0: none yet).
    let mut ever_committed: Vec<Vec<i64>> = vec![vec![0]; PARTS as usize];
    // Per partition: the member that handed out its last message, and that
    // message's offset.
    let mut last: Vec<Option<(usize, i64)>> = vec![None; PARTS as usize];
    // Per partition: its holder was seen without it since its last message.
    let mut lost = vec![false; PARTS as usize];
    let mut seen: BTreeMap<(i32, i64), usize> = BTreeMap::new();
    let mut since_commit = [0usize; 2];
    let mut run = JoinRun {
        redelivered: 0,
        restarts: 0,
        failed_commits: BTreeMap::new(),
    };
    let mut handed = [0usize; 2];

    members[0].subscribe(&[&topic]);
    let end = Instant::now() + Duration::from_secs(90);
    let mut joined = false;
    loop {
        // Done when every message was handed out and the partitions moved.
        if seen.len() == PARTS as usize * PER && !members[1].assignment().is_empty() {
            break;
        }
        assert!(
            Instant::now() < end,
            "{side} {assignor}/{every}: {} of {} messages consumed within 90 s, second \
             member's assignment {:?}",
            seen.len(),
            PARTS as usize * PER,
            members[1].assignment()
        );
        if !joined && handed[0] >= 40 {
            members[1].subscribe(&[&topic]);
            joined = true;
        }
        for (m, member) in members.iter().enumerate() {
            if m == 1 && !joined {
                continue;
            }
            let polled = member.poll(10);
            let assignment = member.assignment();
            for p in 0..PARTS {
                if matches!(last[p as usize], Some((holder, _)) if holder == m)
                    && !assignment.iter().any(|(t, q)| *t == topic && *q == p)
                {
                    lost[p as usize] = true;
                }
            }
            let Some(Polled::Message {
                partition: p,
                offset: o,
                ..
            }) = polled
            else {
                continue;
            };
            let pi = p as usize;
            assert!(
                assignment.iter().any(|(t, q)| *t == topic && *q == p),
                "{side} {assignor}/{every}: member {m} was handed p{p}@{o} outside its assignment {assignment:?}"
            );
            let continues = matches!(last[pi], Some((holder, l)) if holder == m && !lost[pi] && o == l + 1);
            if !continues {
                let latest = committed[pi].max(0);
                assert!(
                    o <= latest && ever_committed[pi].contains(&o),
                    "{side} {assignor}/{every}: member {m} started p{p} at {o}, not a committed \
                     offset (committed so far: {:?}, latest {latest}; last handed out: {:?}, \
                     lost since: {})",
                    ever_committed[pi],
                    last[pi],
                    lost[pi]
                );
                // The next restart may use what is committed from now on.
                ever_committed[pi] = vec![latest];
                run.restarts += 1;
            }
            last[pi] = Some((m, o));
            lost[pi] = false;
            let n = seen.entry((p, o)).or_default();
            *n += 1;
            if *n == 2 {
                run.redelivered += 1;
            }
            handed[m] += 1;
            since_commit[m] += 1;
            if !work.is_zero() {
                std::thread::sleep(work); // the application's work
            }
            if since_commit[m] >= every {
                since_commit[m] = 0;
                let code = member.commit_sync();
                if code != OK {
                    *run.failed_commits.entry(code).or_default() += 1;
                }
                let now = read_committed(end);
                for (p, (k, was)) in now.iter().zip(&committed).enumerate() {
                    assert!(
                        k >= was,
                        "{side} {assignor}/{every}: p{p}'s committed offset went from {was} to {k}"
                    );
                }
                committed = now;
                for (p, k) in committed.iter().enumerate() {
                    if *k >= 0 && !ever_committed[p].contains(k) {
                        ever_committed[p].push(*k);
                    }
                }
                for (p, k) in committed.iter().enumerate() {
                    let top = seen.range((p as i32, 0)..(p as i32 + 1, 0)).next_back();
                    let next = top.map_or(0, |((_, o), _)| o + 1);
                    assert!(
                        *k <= next,
                        "{side} {assignor}/{every}: p{p} committed at {k}, past the {next} \
                         messages handed out"
                    );
                }
            }
        }
    }
    for m in members {
        m.close();
    }
    oracle.close();
    run
}

#[test]
fn member_joining_resumes_exactly_where_the_group_committed() {
    for assignor in ["range", "cooperative-sticky"] {
        for every in [1, 5] {
            for reference in [true, false] {
                let r = join_follows_commits(reference, assignor, every, Duration::ZERO);
                eprintln!(
                    "{} {assignor}, commit every {every}: {} restarts, {} redelivered, failed commits {:?}",
                    if reference { "librdkafka" } else { "ferrokafka" },
                    r.restarts,
                    r.redelivered,
                    r.failed_commits
                );
            }
        }
    }
}

/// The same model with 2 ms of work per message: below a clock tick on
/// most kernels, so the read-ahead may hand out a few more messages
/// before it serves a rebalance than librdkafka's consumer would — never
/// one outside the assignment, never past the committed offset.
#[test]
fn member_joining_with_milliseconds_of_work_per_message() {
    for assignor in ["range", "cooperative-sticky"] {
        for reference in [true, false] {
            let r = join_follows_commits(reference, assignor, 1, Duration::from_millis(2));
            eprintln!(
                "{} {assignor}, 2 ms per message: {} restarts, {} redelivered, failed commits {:?}",
                if reference { "librdkafka" } else { "ferrokafka" },
                r.restarts,
                r.redelivered,
                r.failed_commits
            );
        }
    }
}

/// A slow application: 40 ms of work per message, `max.poll.interval.ms`
/// of 2 s, 120 messages (4.8 s). librdkafka counts every `poll` as the
/// application polling; so must ferrokafka when it serves a `poll` from its
/// read-ahead. Returns the errors seen and whether the member lost its
/// assignment on the way.
fn slow_application(reference: bool, assignor: &str, stream: bool) -> Vec<i32> {
    let topic = unique_topic("slow");
    let c = cluster(&topic, 2, 200);
    let group = format!("g-{topic}");
    let props = [
        ("bootstrap.servers", c.bootstrap_servers()),
        ("group.id", group.as_str()),
        ("auto.offset.reset", "earliest"),
        ("partition.assignment.strategy", assignor),
        ("session.timeout.ms", "2000"),
        ("max.poll.interval.ms", "2000"),
        ("heartbeat.interval.ms", "200"),
    ];
    let mut errors = Vec::new();
    let mut handled = 0;
    if stream {
        let mut cfg = Config::new();
        for (k, v) in props {
            cfg.set(k, v);
        }
        let consumer = Consumer::new(&cfg).unwrap();
        consumer.subscribe(&[&topic]).unwrap();
        futures::executor::block_on(async {
            let mut s = consumer.stream();
            while handled < 120 {
                match s.next().await {
                    Some(Ok(_)) => {
                        std::thread::sleep(Duration::from_millis(40)); // the application's work
                        handled += 1;
                    }
                    Some(Err(e)) => errors.push(e.code().0),
                    None => break,
                }
            }
        });
        consumer.close(Duration::from_secs(10)).unwrap();
    } else {
        let s = make(reference, &props);
        s.subscribe(&[&topic]);
        let end = Instant::now() + Duration::from_secs(60);
        while handled < 120 && Instant::now() < end {
            match s.poll(100) {
                Some(Polled::Message { .. }) => {
                    std::thread::sleep(Duration::from_millis(40)); // the application's work
                    handled += 1;
                }
                Some(Polled::Error { code, .. }) => errors.push(code),
                None => {}
            }
        }
        s.close();
    }
    assert_eq!(handled, 120);
    errors
}

#[test]
fn slow_application_stays_in_its_group() {
    for assignor in ["range", "cooperative-sticky"] {
        let reference = slow_application(true, assignor, false);
        assert!(
            !reference.contains(&MAX_POLL_EXCEEDED),
            "{assignor}: librdkafka itself: {reference:?}"
        );
        let poll = slow_application(false, assignor, false);
        assert_eq!(poll, reference, "{assignor}: poll: errors differ from librdkafka's");
        let stream = slow_application(false, assignor, true);
        assert_eq!(stream, reference, "{assignor}: stream: errors differ from librdkafka's");
    }
    let _ = PARTITION_EOF;
    let _ = OK;
}
