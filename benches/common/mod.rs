//! Shared by the benchmarks (`benches/throughput.rs`, `benches/latency.rs`):
//! settings read from the environment, the cluster they run against, the
//! counting allocator, peak-RSS readings, statistics and the client
//! configurations every row shares.
//!
//! Everything here is outside the crate's `src/`, so it may use `unsafe`
//! (the raw librdkafka rows live in [`raw`]).
#![allow(dead_code)]

pub mod raw;

use ferrokafka::MockCluster;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

/// Reads a positive integer from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a non-negative integer")),
        _ => default,
    }
}

/// Reads a string from the environment (unset or empty: `None`).
pub fn env_str(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// True in the short mode (`FERROKAFKA_BENCH_SHORT=1`), which CI runs to
/// check that the benchmarks work, not how fast.
pub fn is_short() -> bool {
    matches!(
        env_str("FERROKAFKA_BENCH_SHORT").as_deref(),
        Some("1") | Some("true") | Some("yes")
    )
}

/// The knobs every benchmark shares, from `FERROKAFKA_BENCH_*` variables.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Messages per row (`FERROKAFKA_BENCH_MESSAGES`, default 1,000,000).
    pub messages: usize,
    /// Value size in bytes (`FERROKAFKA_BENCH_SIZE`, default 100).
    pub size: usize,
    /// Repetitions of the whole set (`FERROKAFKA_BENCH_RUNS`, default 5).
    pub runs: usize,
    /// Messages per row in the untimed warm-up repetition
    /// (`FERROKAFKA_BENCH_WARMUP`, default messages/10 capped at 100,000; 0: none).
    pub warmup: usize,
    /// Partitions of every topic (`FERROKAFKA_BENCH_PARTITIONS`, default 32).
    /// The mock cluster keeps at most 5 MB per partition, so a consumer
    /// row's input (about 110 MB for 1M × 100 bytes) needs at least 24.
    pub partitions: i32,
    /// Brokers of the embedded mock cluster (`FERROKAFKA_BENCH_BROKERS`, default 1).
    pub brokers: i32,
    /// Producers serve their events (`poll(0)`) every this many messages
    /// (`FERROKAFKA_BENCH_POLL_EVERY`, default 1000).
    pub poll_every: usize,
    /// Messages asked for per batch-consume call (`FERROKAFKA_BENCH_BATCH`, default 1000).
    pub batch: usize,
    /// `queue.buffering.max.messages` of every producer
    /// (`FERROKAFKA_BENCH_QUEUE`, default 100000, librdkafka's default).
    pub queue: usize,
    /// `linger.ms` of every producer (`FERROKAFKA_BENCH_LINGER_MS`, default 5,
    /// librdkafka's default).
    pub linger_ms: usize,
    /// Only rows whose id contains one of these (comma-separated
    /// `FERROKAFKA_BENCH_ROWS`); all rows when unset.
    pub rows: Option<Vec<String>>,
    /// An external cluster (`KAFKA_BOOTSTRAP_SERVERS`) instead of the mock.
    pub bootstrap: Option<String>,
}

impl Settings {
    /// Reads the settings from the environment. `FERROKAFKA_BENCH_SHORT=1`
    /// (the mode CI runs) changes the defaults to 20,000 messages and 2 runs.
    pub fn from_env() -> Settings {
        let short = is_short();
        let messages = env_usize("FERROKAFKA_BENCH_MESSAGES", if short { 20_000 } else { 1_000_000 }).max(1);
        Settings {
            messages,
            size: env_usize("FERROKAFKA_BENCH_SIZE", 100),
            runs: env_usize("FERROKAFKA_BENCH_RUNS", if short { 2 } else { 5 }).max(1),
            warmup: env_usize("FERROKAFKA_BENCH_WARMUP", (messages / 10).min(100_000)),
            partitions: env_usize("FERROKAFKA_BENCH_PARTITIONS", 32).max(1) as i32,
            brokers: env_usize("FERROKAFKA_BENCH_BROKERS", 1).clamp(1, 100) as i32,
            poll_every: env_usize("FERROKAFKA_BENCH_POLL_EVERY", 1000).max(1),
            batch: env_usize("FERROKAFKA_BENCH_BATCH", 1000).clamp(1, 1_000_000),
            queue: env_usize("FERROKAFKA_BENCH_QUEUE", 100_000).max(1),
            linger_ms: env_usize("FERROKAFKA_BENCH_LINGER_MS", 5),
            rows: env_str("FERROKAFKA_BENCH_ROWS").map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            bootstrap: env_str("KAFKA_BOOTSTRAP_SERVERS"),
        }
    }

    /// True if the row `id` is selected by `FERROKAFKA_BENCH_ROWS`.
    pub fn selected(&self, id: &str) -> bool {
        match &self.rows {
            None => true,
            Some(filters) => filters.iter().any(|f| id.contains(f.as_str())),
        }
    }

    /// The producer properties every producer row uses, whatever the client.
    pub fn producer_config(&self, bootstrap: &str) -> Vec<(&'static str, String)> {
        vec![
            ("bootstrap.servers", bootstrap.to_string()),
            ("linger.ms", self.linger_ms.to_string()),
            ("batch.num.messages", "10000".into()),
            ("queue.buffering.max.messages", self.queue.to_string()),
            ("queue.buffering.max.kbytes", "1048576".into()),
            ("compression.codec", "none".into()),
            ("acks", "all".into()),
            ("enable.idempotence", "false".into()),
        ]
    }

    /// The consumer properties every consumer row uses (each row assigns
    /// the partitions from the beginning, with its own group id).
    ///
    /// `fetch.queue.backoff.ms` is lowered from 1000 to 1: once the
    /// consumer queue holds `queued.min.messages` (100,000, counted over
    /// the whole queue the partitions forward to), librdkafka postpones
    /// each partition's next fetch by that much, and a row slower than the
    /// fetcher would measure those 1 s pauses (idle CPU) instead of its own
    /// cost per message.
    pub fn consumer_config(&self, bootstrap: &str, group: &str) -> Vec<(&'static str, String)> {
        vec![
            ("fetch.queue.backoff.ms", "1".into()),
            ("bootstrap.servers", bootstrap.to_string()),
            ("group.id", group.to_string()),
            ("enable.auto.commit", "false".into()),
            ("enable.auto.offset.store", "false".into()),
            ("auto.offset.reset", "earliest".into()),
            ("enable.partition.eof", "false".into()),
        ]
    }
}

// ---------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------

/// Where the rows run: an embedded mock cluster, or the external cluster
/// named by `KAFKA_BOOTSTRAP_SERVERS`.
pub enum Cluster {
    /// librdkafka's in-process mock cluster.
    Mock(MockCluster),
    /// An external cluster's bootstrap servers.
    External(String),
}

impl Cluster {
    /// A fresh mock cluster of `settings.brokers` brokers, or the external cluster.
    pub fn new(settings: &Settings) -> Cluster {
        match &settings.bootstrap {
            Some(b) => Cluster::External(b.clone()),
            None => Cluster::Mock(MockCluster::new(settings.brokers).expect("start the mock cluster")),
        }
    }

    /// The bootstrap servers.
    pub fn bootstrap(&self) -> &str {
        match self {
            Cluster::Mock(m) => m.bootstrap_servers(),
            Cluster::External(b) => b,
        }
    }

    /// A short description for the report.
    pub fn describe(&self, settings: &Settings) -> String {
        match self {
            Cluster::Mock(_) => format!(
                "embedded mock cluster (librdkafka {}), {} broker(s), {} partition(s) per topic",
                ferrokafka::librdkafka_version().1,
                settings.brokers,
                settings.partitions
            ),
            Cluster::External(b) => format!("external cluster {b}, {} partition(s) per topic", settings.partitions),
        }
    }

    /// Creates a fresh topic with a unique name starting with `prefix`.
    pub fn fresh_topic(&self, prefix: &str, partitions: i32) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "bench-{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        match self {
            Cluster::Mock(m) => {
                let rf = m.broker_count().min(3);
                m.create_topic(&name, partitions, rf)
                    .expect("create topic on the mock cluster");
            }
            Cluster::External(b) => create_external_topic(b, &name, partitions),
        }
        name
    }
}

/// Creates a topic on an external cluster with ferrokafka's `AdminClient`,
/// replication factor `FERROKAFKA_BENCH_REPLICATION` (default 1).
fn create_external_topic(bootstrap: &str, name: &str, partitions: i32) {
    use ferrokafka::admin::NewTopic;
    use ferrokafka::{AdminClient, AdminOptions, Config};
    let mut config = Config::new();
    config.set("bootstrap.servers", bootstrap);
    let admin = AdminClient::new(&config).expect("admin client");
    let rf = env_usize("FERROKAFKA_BENCH_REPLICATION", 1) as i32;
    let opts = AdminOptions::new().operation_timeout(Duration::from_secs(30));
    let results = admin
        .create_topics(&[NewTopic::new(name, partitions, rf)], &opts)
        .expect("create_topics")
        .wait(Duration::from_secs(60))
        .unwrap();
    for (t, r) in results {
        if let Err(e) = r {
            panic!("could not create topic {t}: {e}");
        }
    }
    // Let the new topic's metadata reach every broker.
    std::thread::sleep(Duration::from_millis(500));
}

// ---------------------------------------------------------------------------
// Allocation counting
// ---------------------------------------------------------------------------

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// A global allocator that counts every Rust heap allocation (`alloc`,
/// `alloc_zeroed` and `realloc`) in the whole process, then defers to the
/// system allocator. librdkafka's own `malloc`s are not Rust allocations
/// and are not counted: the count is what the Rust layer adds.
///
/// Each bench binary installs it with
/// `#[global_allocator] static ALLOC: common::CountingAlloc = common::CountingAlloc;`.
pub struct CountingAlloc;

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counter has no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

/// Rust heap allocations so far, in every thread.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------

/// A `kB` field of `/proc/self/status` (`VmHWM`, `VmRSS`, …).
pub fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Resets the process's peak RSS (`VmHWM`) to its current RSS, by writing
/// `5` to `/proc/self/clear_refs` (Linux ≥ 4.0). False where that fails.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Hands freed heap memory back to the system (glibc's `malloc_trim`), so
/// that one row's garbage does not count in the next row's RSS.
pub fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Peak-RSS bookkeeping for one row: resets the high-water mark at the
/// start, reads it at the end.
pub struct RssProbe {
    start_kb: u64,
    reset: bool,
}

impl RssProbe {
    /// Resets the peak and remembers the current RSS.
    pub fn start() -> RssProbe {
        let reset = reset_peak_rss();
        RssProbe {
            start_kb: status_kb("VmRSS").unwrap_or(0),
            reset,
        }
    }

    /// `(peak RSS since start, peak minus the RSS at start)`, in kB. Where
    /// the peak cannot be reset, the first is the process's lifetime peak.
    pub fn finish(&self) -> (u64, u64) {
        let peak = status_kb("VmHWM").unwrap_or(0);
        let growth = if self.reset {
            peak.saturating_sub(self.start_kb)
        } else {
            0
        };
        (peak, growth)
    }
}

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

/// CPU time used so far by the whole process (all threads: the calling
/// thread, librdkafka's threads, the mock cluster's), in ns.
pub fn process_cpu_ns() -> u64 {
    cpu_ns(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU time used so far by the calling thread, in ns.
pub fn thread_cpu_ns() -> u64 {
    cpu_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

fn cpu_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid clock id and out-pointer.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// What a window measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowStats {
    /// Wall time.
    pub secs: f64,
    /// Rust heap allocations (all threads).
    pub allocs: u64,
    /// CPU time of the whole process (ns).
    pub process_cpu_ns: u64,
    /// CPU time of the thread that opened and closed the window (ns).
    pub thread_cpu_ns: u64,
}

/// The measured window of a row: wall time, Rust allocations, CPU time.
/// Open and close it on the same thread.
pub struct Window {
    start: Instant,
    allocs: u64,
    process_cpu: u64,
    thread_cpu: u64,
}

impl Window {
    /// Opens the window now.
    pub fn open() -> Window {
        Window {
            allocs: allocations(),
            process_cpu: process_cpu_ns(),
            thread_cpu: thread_cpu_ns(),
            start: Instant::now(),
        }
    }

    /// Closes it.
    pub fn close(self) -> WindowStats {
        let secs = self.start.elapsed().as_secs_f64();
        WindowStats {
            secs,
            allocs: allocations() - self.allocs,
            process_cpu_ns: process_cpu_ns().saturating_sub(self.process_cpu),
            thread_cpu_ns: thread_cpu_ns().saturating_sub(self.thread_cpu),
        }
    }
}

/// The outcome of one row in one run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Measure {
    /// Messages in the measured window.
    pub msgs: u64,
    /// Value bytes in the measured window.
    pub bytes: u64,
    /// Length of the window.
    pub secs: f64,
    /// Rust heap allocations in the window (all threads).
    pub allocs: u64,
    /// CPU time of the whole process in the window (ns).
    pub process_cpu_ns: u64,
    /// CPU time of the row's calling thread in the window (ns).
    pub thread_cpu_ns: u64,
    /// Peak RSS while the row ran (kB).
    pub peak_rss_kb: u64,
    /// Peak RSS above the RSS at the row's start (kB).
    pub rss_growth_kb: u64,
}

impl Measure {
    /// Messages per second.
    pub fn rate(&self) -> f64 {
        self.msgs as f64 / self.secs
    }

    /// Value megabytes (10^6 bytes) per second.
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.secs
    }

    /// Rust heap allocations per message.
    pub fn allocs_per_msg(&self) -> f64 {
        self.allocs as f64 / self.msgs as f64
    }

    /// Process CPU ns per message (all threads).
    pub fn cpu_ns_per_msg(&self) -> f64 {
        self.process_cpu_ns as f64 / self.msgs as f64
    }

    /// Calling-thread CPU ns per message.
    pub fn thread_ns_per_msg(&self) -> f64 {
        self.thread_cpu_ns as f64 / self.msgs as f64
    }

    /// A measure of `msgs` messages of `bytes` value bytes over a window.
    pub fn new(msgs: u64, bytes: u64, w: WindowStats, (peak_rss_kb, rss_growth_kb): (u64, u64)) -> Measure {
        Measure {
            msgs,
            bytes,
            secs: w.secs,
            allocs: w.allocs,
            process_cpu_ns: w.process_cpu_ns,
            thread_cpu_ns: w.thread_cpu_ns,
            peak_rss_kb,
            rss_growth_kb,
        }
    }
}

/// Delivery-report tallies shared by a producer row's callbacks.
#[derive(Default)]
pub struct Tally {
    /// Messages delivered.
    pub ok: AtomicU64,
    /// Messages that failed.
    pub failed: AtomicU64,
}

impl Tally {
    /// Records one delivery report.
    #[inline]
    pub fn record(&self, ok: bool) {
        if ok {
            self.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Reports served so far.
    pub fn served(&self) -> u64 {
        self.ok.load(Ordering::Relaxed) + self.failed.load(Ordering::Relaxed)
    }

    /// Ok if exactly `n` messages were delivered and none failed.
    pub fn check(&self, n: usize) -> Result<(), String> {
        let (ok, failed) = (self.ok.load(Ordering::Relaxed), self.failed.load(Ordering::Relaxed));
        if ok == n as u64 && failed == 0 {
            Ok(())
        } else {
            Err(format!("{ok} of {n} messages delivered, {failed} failed"))
        }
    }
}

// ---------------------------------------------------------------------------
// Statistics and machine description
// ---------------------------------------------------------------------------

/// The median (mean of the two middle values for an even count); NaN if empty.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// The `q` quantile (0..=1) of sorted values, nearest rank.
pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One line describing the machine: CPU model, cores, memory, kernel.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem_gib:.0} GiB RAM, Linux {}", kernel.trim())
}

/// Formats a rate with thousands separators.
pub fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{:.0}", v);
    let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", &s));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A "no progress" guard for row loops that costs nothing while messages
/// flow: the clock is only read when a call came back empty.
pub struct Stall {
    idle_since: Option<Instant>,
    limit: Duration,
}

impl Stall {
    /// A guard that trips after `limit` of consecutive empty calls.
    pub fn new(limit: Duration) -> Stall {
        Stall {
            idle_since: None,
            limit,
        }
    }

    /// Records progress (no clock read).
    #[inline]
    pub fn busy(&mut self) {
        self.idle_since = None;
    }

    /// Records an empty call: Err once `limit` has passed since the last progress.
    pub fn idle(&mut self, what: &str) -> Result<(), String> {
        let since = *self.idle_since.get_or_insert_with(Instant::now);
        if since.elapsed() > self.limit {
            Err(format!("{what}: no progress for {:?}", self.limit))
        } else {
            Ok(())
        }
    }
}
