//! Soak: a consumer group under load while members join, leave, crash
//! (dropped without `close`) and come back — the shape of a long-running
//! service (issue 16: a group that silently stopped consuming).
//!
//! Each run drives two identical set-ups at once, in this process, each on
//! its own mock cluster: one with ferrokafka's `Consumer`, one with
//! librdkafka's own consumer API (tests/common/reference.rs, no
//! read-ahead), so that a difference is a finding rather than a guess about
//! timing. A producer writes about 4,000 msgs/s into 8 partitions; three
//! members consume — through `poll`, `consume(n)` and the async stream on
//! the ferrokafka side — and every `CHURN` one of them is closed (or, every
//! other time, dropped without close) and re-created.
//!
//! Checked for ferrokafka, in every run:
//! - **liveness**: after the churn stops and the producer stops, the group
//!   consumes everything produced within `DRAIN_LIMIT`; and during the run,
//!   no window with nothing consumed lasts longer than the reference's
//!   longest such window (or `MOCK_REBALANCE_HOLDS`, the longest the mock's
//!   coordinator may hold the group, for both alike) plus `STALL_SLACK`;
//! - **no loss**: every produced offset was handed out at least once;
//! - **redelivery** no worse than librdkafka's in the same run, within a
//!   stated tolerance (redeliveries after a rebalance depend on which
//!   auto-commits the rebalance interrupts: see `redelivery_ok`);
//! - **flat memory**: process RSS at the end within 2× its value half-way
//!   through the run (process-wide: both sides' fetch queues and the
//!   allocator's arenas are in it; a leak of the message rate would not
//!   fit).
//!
//! The matrix: eager (range) and cooperative (cooperative-sticky), each
//! without rebalance closures (ferrokafka assigns by itself) and with
//! closures that commit in `on_revoke` and assign themselves. Each run
//! lasts 30 s plus the drain (about 35 s in all); `FERROKAFKA_SOAK_SECS`
//! lengthens it. With `FERROKAFKA_SOAK_TRACE` set, each member's life and
//! every rewind (a member consuming a partition from below what was
//! already handed out) are printed; a failed redelivery check prints the
//! largest rewinds of both sides.

mod common;

use common::reference::{Polled, RefConsumer};
use common::unique_topic;
use ferrokafka::{Commit, Config, Consumer, MockCluster, Producer, RebalanceCallbacks, Record};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

const PARTITIONS: i32 = 8;
const CHURN: Duration = Duration::from_secs(6);
const DRAIN_LIMIT: Duration = Duration::from_secs(60);
/// The members' `session.timeout.ms`. The mock's coordinator holds a
/// rebalance for this − 1 s when members come and go, and librdkafka makes
/// no automatic commit unless its member is in the steady state
/// (rdkafka_cgrp.c, `rd_kafka_cgrp_offset_commit_tmr_cb`). With 6 s, a
/// cooperative group (two rounds per change) churned every `CHURN` was
/// rarely steady: commits stopped for tens of seconds, and the next
/// partition move re-read all of it — for librdkafka's own consumer as
/// much as for ferrokafka (redelivered in 6 runs, librdkafka / ferrokafka:
/// 0/27,281, 3,116/5,977, 0/0, 26,929/25,406, 28,221/25,980, 0/0), so the
/// comparison measured luck. With 3 s the group settles between changes
/// (0/0 in 6 of 6 runs beside a valgrind run).
const SESSION_TIMEOUT_MS: &str = "3000";
const STALL_SLACK: Duration = Duration::from_secs(8);
/// The mock's coordinator holds a rebalance for `session.timeout.ms` − 1 s
/// when members come and go (rdkafka_mock_cgrp.c,
/// `rd_kafka_mock_cgrp_classic_rebalance`); with the churn, up to three such
/// holds can chain, for either client.
const MOCK_REBALANCE_HOLDS: Duration = Duration::from_secs(6);

fn run_length() -> Duration {
    let secs = std::env::var("FERROKAFKA_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

/// Every (partition, offset) handed out, with how many times, and when the
/// last message was consumed (for stall windows).
#[derive(Default)]
struct Ledger {
    seen: Mutex<HashMap<(i32, i64), u32>>,
    consumed: AtomicU64,
    /// Per partition: the member that last consumed it, the next offset
    /// it expected, and the highest offset + 1 handed out by anyone.
    runs: Mutex<HashMap<i32, (Member, i64, i64)>>,
    /// Where a member started below the partition's high mark: the
    /// redeliveries, for the failure message.
    rewinds: Mutex<Vec<Rewind>>,
    start: Mutex<Option<Instant>>,
}

/// A member: its slot (which API) and its generation (which life).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Member {
    slot: usize,
    generation: u32,
}

/// A jump back: `member` consumed `partition` from `offset` though
/// offsets up to `high` had been handed out already.
#[derive(Debug)]
#[allow(dead_code)] // read through Debug, in failure messages
struct Rewind {
    at: Duration,
    member: Member,
    partition: i32,
    offset: i64,
    high: i64,
}

impl Ledger {
    fn record(&self, member: Member, partition: i32, offset: i64) {
        *self.seen.lock().unwrap().entry((partition, offset)).or_default() += 1;
        self.consumed.fetch_add(1, Ordering::Relaxed);
        let mut runs = self.runs.lock().unwrap();
        let run = runs.entry(partition).or_insert((member, offset, offset));
        if (run.0 != member || run.1 != offset) && offset < run.2 {
            let at = self.start.lock().unwrap().get_or_insert_with(Instant::now).elapsed();
            self.rewinds.lock().unwrap().push(Rewind {
                at,
                member,
                partition,
                offset,
                high: run.2,
            });
        }
        *run = (member, offset + 1, run.2.max(offset + 1));
    }

    /// With `FERROKAFKA_SOAK_TRACE` set: prints a line, with the run's time.
    fn trace(&self, what: std::fmt::Arguments) {
        if std::env::var_os("FERROKAFKA_SOAK_TRACE").is_some() {
            let at = self.start.lock().unwrap().map(|t| t.elapsed()).unwrap_or_default();
            eprintln!("SOAK trace {at:?}: {what}");
        }
    }

    /// The largest rewinds, largest first, for a failure message.
    fn largest_rewinds(&self, n: usize) -> Vec<String> {
        let mut r: Vec<_> = self
            .rewinds
            .lock()
            .unwrap()
            .iter()
            .map(|r| (r.high - r.offset, format!("{r:?}")))
            .collect();
        r.sort_by_key(|x| std::cmp::Reverse(x.0));
        r.into_iter().take(n).map(|(n, s)| format!("{n} back: {s}")).collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Api {
    Poll,
    Consume,
    Stream,
}

#[derive(Clone, Copy, Debug)]
struct Shape {
    assignor: &'static str,
    closures: bool,
}

/// One side of a run: a cluster, a producer, three members.
struct Setup {
    reference: bool,
    cluster: MockCluster,
    topic: String,
    ledger: Arc<Ledger>,
    /// The highest offset + 1 delivered per partition.
    produced: Arc<Mutex<Vec<i64>>>,
}

fn props(bootstrap: &str, group: &str, assignor: &str) -> Vec<(String, String)> {
    [
        ("bootstrap.servers", bootstrap),
        ("group.id", group),
        ("auto.offset.reset", "earliest"),
        ("partition.assignment.strategy", assignor),
        ("session.timeout.ms", SESSION_TIMEOUT_MS),
        ("heartbeat.interval.ms", "500"),
        ("auto.commit.interval.ms", "1000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A waker that unparks the thread polling a stream.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark()
    }
}

/// Polls `fut` on this thread until it is ready or `limit` passes.
fn block_on_for<F: Future + Unpin>(fut: &mut F, limit: Duration) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let end = Instant::now() + limit;
    loop {
        if let Poll::Ready(v) = Pin::new(&mut *fut).poll(&mut cx) {
            return Some(v);
        }
        let now = Instant::now();
        if now >= end {
            return None;
        }
        std::thread::park_timeout(end - now);
    }
}

/// How long a member lives: `life`, or to the end once the churn stopped.
struct Lives<'a> {
    life: Duration,
    churn_stopped: &'a AtomicBool,
    all: &'a AtomicBool,
}

impl Lives<'_> {
    fn alive(&self, born: Instant) -> bool {
        !self.all.load(Ordering::Relaxed) && (self.churn_stopped.load(Ordering::Relaxed) || born.elapsed() < self.life)
    }
}

/// Runs one ferrokafka member for its life; closes it, or drops it without
/// close when `crash`.
fn ferro_member(s: &Setup, group: &str, shape: Shape, api: Api, me: Member, lives: &Lives, crash: bool) {
    let mut cfg = Config::new();
    for (k, v) in props(s.cluster.bootstrap_servers(), group, shape.assignor) {
        cfg.set(k, v);
    }
    let consumer = Consumer::new(&cfg).expect("consumer");
    if shape.closures {
        let cooperative = shape.assignor == "cooperative-sticky";
        consumer
            .subscribe_with(
                &[&s.topic],
                RebalanceCallbacks::new()
                    .on_assign(move |c, parts| {
                        let r = if cooperative {
                            c.incremental_assign(parts)
                        } else {
                            c.assign(parts)
                        };
                        r.expect("assign in on_assign");
                    })
                    .on_revoke(move |c, parts| {
                        // At-least-once: commit what was processed, then give up.
                        let _ = c.commit_sync(Commit::Current);
                        let r = if cooperative {
                            c.incremental_unassign(parts)
                        } else {
                            c.unassign()
                        };
                        r.expect("unassign in on_revoke");
                    }),
            )
            .unwrap();
    } else {
        consumer.subscribe(&[&s.topic]).unwrap();
    }
    let born = Instant::now();
    s.ledger.trace(format_args!("{me:?} born ({api:?}, crash: {crash})"));
    let live = || lives.alive(born);
    match api {
        Api::Poll => {
            while live() {
                if let Ok(Some(m)) = consumer.poll(Duration::from_millis(100)) {
                    s.ledger.record(me, m.partition(), m.offset());
                }
            }
        }
        Api::Consume => {
            while live() {
                if let Ok(batch) = consumer.consume(50, Duration::from_millis(100)) {
                    for m in batch {
                        s.ledger.record(me, m.partition(), m.offset());
                    }
                }
            }
        }
        Api::Stream => {
            let mut stream = consumer.stream();
            while live() {
                let mut next = stream.next();
                if let Some(Some(Ok(m))) = block_on_for(&mut next, Duration::from_millis(100)) {
                    s.ledger.record(me, m.partition(), m.offset());
                }
            }
        }
    }
    let t0 = Instant::now();
    if !crash {
        let r = consumer.close(Duration::from_secs(20));
        s.ledger
            .trace(format_args!("{me:?} closed: {r:?} after {:?}", t0.elapsed()));
    } else {
        drop(consumer);
        s.ledger.trace(format_args!("{me:?} dropped after {:?}", t0.elapsed()));
    }
}

/// The same with librdkafka's own consumer (rebalances assigned inside
/// its callback, one `rd_kafka_consumer_poll` per message).
fn ref_member(s: &Setup, group: &str, shape: Shape, me: Member, lives: &Lives) {
    let p = props(s.cluster.bootstrap_servers(), group, shape.assignor);
    let kv: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let c = RefConsumer::new(&kv);
    c.subscribe(&[&s.topic]);
    let born = Instant::now();
    while lives.alive(born) {
        if let Some(Polled::Message { partition, offset, .. }) = c.poll(100) {
            s.ledger.record(me, partition, offset);
        }
    }
    c.close();
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4
}

struct Outcome {
    missing: usize,
    redelivered: usize,
    longest_stall: Duration,
    drained_in: Option<Duration>,
    produced: i64,
}

/// The runs go one at a time (each already loads both cores).
static SERIAL: Mutex<()> = Mutex::new(());

fn run(shape: Shape) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let stop_producing = Arc::new(AtomicBool::new(false));
    let stop_churn = Arc::new(AtomicBool::new(false));
    let stop_all = Arc::new(AtomicBool::new(false));
    let mut setups = Vec::new();
    for reference in [true, false] {
        let topic = unique_topic("soak");
        let cluster = MockCluster::new(3).unwrap();
        cluster.create_topic(&topic, PARTITIONS, 3).unwrap();
        cluster.set_group_initial_rebalance_delay(Duration::from_millis(300));
        setups.push(Arc::new(Setup {
            reference,
            cluster,
            topic,
            ledger: Arc::default(),
            produced: Arc::new(Mutex::new(vec![0; PARTITIONS as usize])),
        }));
    }
    for s in &setups {
        *s.ledger.start.lock().unwrap() = Some(Instant::now());
    }
    let mut threads = Vec::new();
    for s in &setups {
        // The producer: ~4,000 msgs/s, every delivery recorded.
        let (s2, stop) = (s.clone(), stop_producing.clone());
        threads.push(std::thread::spawn(move || {
            let p = Producer::new(&Config::from([
                ("bootstrap.servers", s2.cluster.bootstrap_servers()),
                ("linger.ms", "5"),
            ]))
            .unwrap();
            let mut n = 0u64;
            let tick = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let due = (tick.elapsed().as_millis() as u64) * 4;
                while n < due {
                    let v = n.to_string();
                    let produced = s2.produced.clone();
                    let r = p.produce(Record::new(&s2.topic).with_value(&v).with_on_delivery(move |d| {
                        if d.error().is_none() {
                            if let (Some(part), Some(off)) = (d.partition(), d.offset()) {
                                let mut hw = produced.lock().unwrap();
                                hw[part as usize] = hw[part as usize].max(off + 1);
                            }
                        }
                    }));
                    if r.is_err() {
                        break;
                    }
                    n += 1;
                }
                p.poll(Duration::from_millis(10)).unwrap();
            }
            p.flush(Duration::from_secs(30)).expect("producer flush");
            p.close(Duration::from_secs(10)).unwrap();
        }));
        // Three members, each re-created in turn.
        for (slot, api) in [Api::Poll, Api::Consume, Api::Stream].into_iter().enumerate() {
            let (s2, churn, all) = (s.clone(), stop_churn.clone(), stop_all.clone());
            let group = format!("g-{}", s.topic);
            threads.push(std::thread::spawn(move || {
                let mut generation = 0u32;
                while !all.load(Ordering::Relaxed) {
                    // Member `slot` lives CHURN × 3 (its first life is
                    // staggered: CHURN × (slot + 1)), then makes way for a
                    // new one; once the churn stops, it lives to the end.
                    let life = if generation == 0 {
                        CHURN * (slot as u32 + 1)
                    } else {
                        CHURN * 3
                    };
                    let crash = generation % 2 == 1;
                    let lives = Lives {
                        life,
                        churn_stopped: &churn,
                        all: &all,
                    };
                    let me = Member { slot, generation };
                    if s2.reference {
                        ref_member(&s2, &group, shape, me, &lives);
                    } else {
                        ferro_member(&s2, &group, shape, api, me, &lives, crash);
                    }
                    generation += 1;
                }
            }));
        }
    }
    // Stall windows: sampled every 100 ms while the producer runs.
    // Consuming starts after the first join (~1 s); memory is compared from
    // half-way through the run, once every fetch queue has filled.
    let warmup = Duration::from_secs(5);
    let rss_at = run_length() / 2;
    let start = Instant::now();
    let mut last_count = [0u64; 2];
    let mut last_progress = [Instant::now(); 2];
    let mut longest = [Duration::ZERO; 2];
    let mut rss_warm = 0;
    while start.elapsed() < run_length() {
        std::thread::sleep(Duration::from_millis(100)); // sampling period, not a synchronisation
        if rss_warm == 0 && start.elapsed() >= rss_at {
            rss_warm = rss_kib();
        }
        for (i, s) in setups.iter().enumerate() {
            let c = s.ledger.consumed.load(Ordering::Relaxed);
            if c != last_count[i] {
                last_count[i] = c;
                last_progress[i] = Instant::now();
            } else if start.elapsed() > warmup {
                longest[i] = longest[i].max(last_progress[i].elapsed());
            }
        }
    }
    stop_churn.store(true, Ordering::Relaxed);
    stop_producing.store(true, Ordering::Relaxed);
    // Drain: everything produced must be consumed, within DRAIN_LIMIT.
    let drain_start = Instant::now();
    let mut drained = [None, None];
    // Wait for the producers' final flush to be recorded (their delivery
    // reports set the high watermarks) before judging completeness.
    let mut outcomes = Vec::new();
    while drain_start.elapsed() < DRAIN_LIMIT && drained.iter().any(Option::is_none) {
        std::thread::sleep(Duration::from_millis(200)); // sampling period
        for (i, s) in setups.iter().enumerate() {
            if drained[i].is_none() && missing(s) == 0 && drain_start.elapsed() > Duration::from_secs(1) {
                drained[i] = Some(drain_start.elapsed());
            }
        }
    }
    let rss_end = rss_kib();
    stop_all.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("soak thread");
    }
    for (i, s) in setups.iter().enumerate() {
        let missing = missing(s);
        let seen = s.ledger.seen.lock().unwrap();
        outcomes.push(Outcome {
            missing,
            redelivered: seen.values().map(|n| (*n - 1) as usize).sum(),
            longest_stall: longest[i],
            drained_in: drained[i],
            produced: s.produced.lock().unwrap().iter().sum(),
        });
    }
    let (r, f) = (&outcomes[0], &outcomes[1]);
    eprintln!(
        "SOAK {shape:?}: librdkafka produced {} missing {} redelivered {} longest stall {:?} drained in {:?} | ferrokafka produced {} missing {} redelivered {} longest stall {:?} drained in {:?} | RSS {} -> {} KiB",
        r.produced, r.missing, r.redelivered, r.longest_stall, r.drained_in,
        f.produced, f.missing, f.redelivered, f.longest_stall, f.drained_in, rss_warm, rss_end
    );
    if std::env::var_os("FERROKAFKA_SOAK_TRACE").is_some() {
        for (name, s) in [("librdkafka", &setups[0]), ("ferrokafka", &setups[1])] {
            eprintln!(
                "SOAK {name} rewinds:\n{}",
                s.ledger.largest_rewinds(usize::MAX).join("\n")
            );
        }
    }
    assert!(f.produced > 0 && r.produced > 0);
    assert_eq!(
        f.missing, 0,
        "{shape:?}: ferrokafka's group did not consume everything produced within {DRAIN_LIMIT:?}"
    );
    assert!(
        f.longest_stall <= r.longest_stall.max(MOCK_REBALANCE_HOLDS) + STALL_SLACK,
        "{shape:?}: ferrokafka stopped consuming for {:?}; librdkafka's longest pause in the same run was {:?}",
        f.longest_stall,
        r.longest_stall
    );
    assert!(
        redelivery_ok(f.redelivered, r.redelivered, f.produced),
        "{shape:?}: ferrokafka redelivered {} messages, librdkafka {}; ferrokafka's largest rewinds:\n{}\nlibrdkafka's:\n{}",
        f.redelivered,
        r.redelivered,
        setups[1].ledger.largest_rewinds(12).join("\n"),
        setups[0].ledger.largest_rewinds(12).join("\n"),
    );
    assert!(rss_end <= rss_warm * 2, "RSS grew from {rss_warm} KiB to {rss_end} KiB");
}

/// Redeliveries come from rebalances that interrupt auto-commits (the
/// mock answers commits made during a rebalance with REBALANCE_IN_PROGRESS);
/// how many depends on where each rebalance falls, so two runs of the same
/// client differ by 2× too (seen here: librdkafka 19,220 and 23,192,
/// ferrokafka 25,404 and 10,120 for 120,000 produced). ferrokafka passes if
/// it is within twice librdkafka's count plus 10% of what was produced: a
/// client that re-read whole partitions after each rebalance would not.
/// The exact check, which holds whatever the timing, is
/// consumer_differential.rs `member_joining_resumes_exactly_where_the_group_committed`:
/// every partition that moves restarts at the committed offset, so what is
/// redelivered is exactly what was handed out and not committed.
fn redelivery_ok(ferro: usize, reference: usize, produced: i64) -> bool {
    ferro <= reference * 2 + (produced as usize) / 10
}

fn missing(s: &Setup) -> usize {
    let hw = s.produced.lock().unwrap().clone();
    let seen = s.ledger.seen.lock().unwrap();
    let mut missing = 0;
    for (p, end) in hw.iter().enumerate() {
        for o in 0..*end {
            if !seen.contains_key(&(p as i32, o)) {
                missing += 1;
            }
        }
    }
    missing
}

#[test]
fn eager_without_closures() {
    run(Shape {
        assignor: "range",
        closures: false,
    });
}

#[test]
fn eager_with_closures() {
    run(Shape {
        assignor: "range",
        closures: true,
    });
}

#[test]
fn cooperative_without_closures() {
    run(Shape {
        assignor: "cooperative-sticky",
        closures: false,
    });
}

#[test]
fn cooperative_with_closures() {
    run(Shape {
        assignor: "cooperative-sticky",
        closures: true,
    });
}
