//! `cargo bench --bench latency` (issue 6): produce→consume round-trip
//! latency at a fixed low rate, for ferrokafka and rust-rdkafka 0.39, with
//! the raw librdkafka C API as the reference, all on the same librdkafka.
//!
//! For each row, on a fresh mock cluster (or `KAFKA_BOOTSTRAP_SERVERS`) and
//! a fresh one-partition topic: a consumer thread is assigned the partition
//! from the beginning and polls; the main thread sends warm-up messages
//! until the consumer has seen one (connections and fetch state settled),
//! then sends `FERROKAFKA_BENCH_LATENCY_MESSAGES` messages (default 5,000)
//! at `FERROKAFKA_BENCH_LATENCY_RATE` per second (default 1,000) on an
//! absolute schedule, serving its delivery reports (`poll(0)`) after each
//! send. Each value (100 bytes) carries its sequence number and the send
//! time; the consumer records receive time − send time. The rows run
//! `FERROKAFKA_BENCH_LATENCY_RUNS` times (default 3, rotating the order);
//! the samples are pooled for p50, p99, p99.9 and max.
//!
//! Same configuration for every row: `linger.ms=0` (at a low rate batching
//! only adds delay), `acks=all`, and on the mock cluster
//! `fetch.wait.max.ms=1`: librdkafka's mock holds an empty fetch for the
//! whole wait instead of answering when data arrives, so librdkafka's
//! default 500 ms would dominate the result (a real broker answers at
//! once; there the default stays). So on the mock, up to ~1 ms of every
//! sample is the mock's fetch cadence, the same for every row. Peak RSS:
//! `VmHWM`, reset at each row's start.

mod common;

use common::raw::{self, RawConsumer, RawProducer};
use common::{env_usize, is_short, quantile, Cluster, CountingAlloc, RssProbe, Settings};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Sequence number marking a warm-up message (not measured).
const WARMUP_SEQ: u64 = u64::MAX;
/// Value size.
const SIZE: usize = 100;
/// How long the consumer waits per poll call.
const POLL: Duration = Duration::from_millis(100);

/// The clock every send and receive time is measured on.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ns() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// A value: sequence number, send time (ns since [`epoch`]), padding.
fn encode(seq: u64) -> [u8; SIZE] {
    let mut v = [b'p'; SIZE];
    v[..8].copy_from_slice(&seq.to_le_bytes());
    v[8..16].copy_from_slice(&now_ns().to_le_bytes());
    v
}

/// `(sequence, latency ns)` of a received value.
fn decode(v: &[u8]) -> Option<(u64, u64)> {
    let seq = u64::from_le_bytes(v.get(..8)?.try_into().ok()?);
    let sent = u64::from_le_bytes(v.get(8..16)?.try_into().ok()?);
    Some((seq, now_ns().saturating_sub(sent)))
}

/// The clients of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Raw,
    Ferrokafka,
    RustRdkafka,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Raw => "raw C API (`rd_kafka_produce` + `rd_kafka_consumer_poll`), reference",
            Kind::Ferrokafka => "ferrokafka (`Producer::produce` + `Consumer::poll`)",
            Kind::RustRdkafka => "rust-rdkafka (`BaseProducer::send` + `BaseConsumer::poll`)",
        }
    }
}

/// The producing side of a row.
trait Sender {
    /// Queues one value.
    fn send(&mut self, value: &[u8]) -> Result<(), String>;
    /// Serves delivery reports without waiting.
    fn serve(&mut self) -> Result<(), String>;
    /// Waits for every delivery.
    fn flush(&mut self) -> Result<(), String>;
}

/// The consuming side of a row: polls once, handing a message's value to `f`.
trait Receiver {
    fn poll(&mut self, timeout: Duration, f: &mut dyn FnMut(&[u8])) -> Result<(), String>;
}

impl Sender for RawProducer {
    fn send(&mut self, value: &[u8]) -> Result<(), String> {
        self.produce(value).map_err(raw::err_name)
    }
    fn serve(&mut self) -> Result<(), String> {
        self.poll(0);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), String> {
        match RawProducer::flush(self, 30_000) {
            0 => Ok(()),
            e => Err(raw::err_name(e)),
        }
    }
}

impl Receiver for RawConsumer {
    fn poll(&mut self, timeout: Duration, f: &mut dyn FnMut(&[u8])) -> Result<(), String> {
        let m = RawConsumer::poll(self, timeout.as_millis() as i32);
        if m.is_null() {
            return Ok(());
        }
        // SAFETY: m is a message we own, destroyed exactly once below; its
        // payload is valid until then.
        unsafe {
            let e = raw::msg_err(m);
            if e == 0 && !(*m).payload.is_null() {
                f(std::slice::from_raw_parts((*m).payload as *const u8, (*m).len));
            }
            rdkafka_sys::rd_kafka_message_destroy(m);
            if e != 0 {
                return Err(raw::err_name(e));
            }
        }
        Ok(())
    }
}

/// ferrokafka's producer with its topic name.
struct FkProducer {
    producer: ferrokafka::Producer,
    topic: String,
}

impl Sender for FkProducer {
    fn send(&mut self, value: &[u8]) -> Result<(), String> {
        self.producer
            .produce(ferrokafka::Record::new(&self.topic).with_value(value))
            .map_err(|e| e.to_string())
    }
    fn serve(&mut self) -> Result<(), String> {
        self.producer
            .poll(Duration::ZERO)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn flush(&mut self) -> Result<(), String> {
        self.producer.flush(Duration::from_secs(30)).map_err(|e| e.to_string())
    }
}

impl Receiver for ferrokafka::Consumer {
    fn poll(&mut self, timeout: Duration, f: &mut dyn FnMut(&[u8])) -> Result<(), String> {
        if let Some(m) = ferrokafka::Consumer::poll(self, timeout).map_err(|e| e.to_string())? {
            f(m.value().unwrap_or_default());
        }
        Ok(())
    }
}

/// rust-rdkafka's producer with its topic name.
struct RrProducer {
    producer: rdkafka::producer::BaseProducer,
    topic: String,
}

impl Sender for RrProducer {
    fn send(&mut self, value: &[u8]) -> Result<(), String> {
        let rec = rdkafka::producer::BaseRecord::<(), [u8]>::to(&self.topic).payload(value);
        self.producer.send(rec).map_err(|(e, _)| e.to_string())
    }
    fn serve(&mut self) -> Result<(), String> {
        self.producer.poll(Duration::ZERO);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), String> {
        use rdkafka::producer::Producer;
        self.producer.flush(Duration::from_secs(30)).map_err(|e| e.to_string())
    }
}

impl Receiver for rdkafka::consumer::BaseConsumer {
    fn poll(&mut self, timeout: Duration, f: &mut dyn FnMut(&[u8])) -> Result<(), String> {
        use rdkafka::message::Message;
        match rdkafka::consumer::BaseConsumer::poll(self, timeout) {
            Some(Ok(m)) => f(m.payload().unwrap_or_default()),
            Some(Err(e)) => return Err(e.to_string()),
            None => {}
        }
        Ok(())
    }
}

/// The configuration every row shares.
fn producer_props(settings: &Settings, bootstrap: &str) -> Vec<(&'static str, String)> {
    let mut props = settings.producer_config(bootstrap);
    for (k, v) in props.iter_mut() {
        if *k == "linger.ms" {
            *v = "0".into();
        }
    }
    props
}

/// `fetch.wait.max.ms`: `FERROKAFKA_BENCH_FETCH_WAIT_MS`, default 1 on the
/// mock cluster (which holds an empty fetch for the whole wait) and
/// librdkafka's 500 on a real cluster (which answers when data arrives).
fn fetch_wait_ms(settings: &Settings) -> usize {
    env_usize(
        "FERROKAFKA_BENCH_FETCH_WAIT_MS",
        if settings.bootstrap.is_some() { 500 } else { 1 },
    )
}

fn consumer_props(settings: &Settings, bootstrap: &str, topic: &str) -> Vec<(&'static str, String)> {
    let mut props = settings.consumer_config(bootstrap, &format!("{topic}-group"));
    props.push(("fetch.wait.max.ms", fetch_wait_ms(settings).to_string()));
    props
}

fn make_sender(kind: Kind, props: &[(&str, String)], topic: &str) -> Result<Box<dyn Sender>, String> {
    Ok(match kind {
        Kind::Raw => Box::new(RawProducer::new(props, topic)?),
        Kind::Ferrokafka => {
            let mut c = ferrokafka::Config::new();
            for (k, v) in props {
                c.set(*k, v);
            }
            Box::new(FkProducer {
                producer: ferrokafka::Producer::new(&c).map_err(|e| e.to_string())?,
                topic: topic.to_string(),
            })
        }
        Kind::RustRdkafka => {
            let mut c = rdkafka::ClientConfig::new();
            for (k, v) in props {
                c.set(*k, v);
            }
            Box::new(RrProducer {
                producer: c.create().map_err(|e| e.to_string())?,
                topic: topic.to_string(),
            })
        }
    })
}

fn make_receiver(kind: Kind, props: &[(&str, String)], topic: &str) -> Result<Box<dyn Receiver>, String> {
    Ok(match kind {
        Kind::Raw => Box::new(RawConsumer::new(props, topic, 1)?),
        Kind::Ferrokafka => {
            let mut c = ferrokafka::Config::new();
            for (k, v) in props {
                c.set(*k, v);
            }
            let consumer = ferrokafka::Consumer::new(&c).map_err(|e| e.to_string())?;
            consumer
                .assign(&[ferrokafka::TopicPartition::with_offset(
                    topic,
                    0,
                    ferrokafka::OFFSET_BEGINNING,
                )])
                .map_err(|e| e.to_string())?;
            Box::new(consumer)
        }
        Kind::RustRdkafka => {
            use rdkafka::consumer::Consumer;
            let mut c = rdkafka::ClientConfig::new();
            for (k, v) in props {
                c.set(*k, v);
            }
            let consumer: rdkafka::consumer::BaseConsumer = c.create().map_err(|e| e.to_string())?;
            let mut tpl = rdkafka::TopicPartitionList::new();
            tpl.add_partition_offset(topic, 0, rdkafka::Offset::Beginning)
                .map_err(|e| e.to_string())?;
            consumer.assign(&tpl).map_err(|e| e.to_string())?;
            Box::new(consumer)
        }
    })
}

/// One row, one run: the latencies (ns) of `count` messages and the row's peak RSS (kB).
fn run_row(kind: Kind, settings: &Settings, count: usize, rate: usize) -> Result<(Vec<u64>, u64), String> {
    let probe = RssProbe::start();
    let cluster = Cluster::new(settings);
    let topic = cluster.fresh_topic("latency", 1);
    let seen = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let limit = Duration::from_secs(60) + Duration::from_secs_f64(count as f64 / rate as f64);
    let consumer = {
        let (seen, topic) = (seen.clone(), topic.clone());
        let props = consumer_props(settings, cluster.bootstrap(), &topic);
        std::thread::Builder::new()
            .name("latency-consumer".into())
            .spawn(move || -> Result<Vec<u64>, String> {
                let mut rx = match make_receiver(kind, &props, &topic) {
                    Ok(rx) => {
                        let _ = ready_tx.send(Ok(()));
                        rx
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.clone()));
                        return Err(e);
                    }
                };
                let mut lat = Vec::with_capacity(count);
                let mut next = 0u64;
                let start = Instant::now();
                while lat.len() < count {
                    if start.elapsed() > limit {
                        return Err(format!("received {} of {count} messages in {limit:?}", lat.len()));
                    }
                    let mut err = None;
                    rx.poll(POLL, &mut |v| match decode(v) {
                        Some((WARMUP_SEQ, _)) => seen.store(true, Ordering::Release),
                        Some((seq, ns)) if seq == next => {
                            lat.push(ns);
                            next += 1;
                        }
                        other => err = Some(format!("unexpected message {other:?}, expected #{next}")),
                    })?;
                    if let Some(e) = err {
                        return Err(e);
                    }
                }
                Ok(lat)
            })
            .map_err(|e| e.to_string())?
    };
    ready_rx.recv().map_err(|e| e.to_string())??;

    let mut tx = make_sender(kind, &producer_props(settings, cluster.bootstrap()), &topic)?;
    // Warm-up: until the consumer sees a message.
    let warm_until = Instant::now() + Duration::from_secs(30);
    while !seen.load(Ordering::Acquire) {
        if Instant::now() > warm_until {
            return Err("the consumer saw no warm-up message in 30 s".into());
        }
        tx.send(&encode(WARMUP_SEQ))?;
        tx.serve()?;
        std::thread::sleep(Duration::from_millis(10));
    }
    // Let the warm-up messages drain before the timed sends.
    std::thread::sleep(Duration::from_millis(100));
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let t0 = Instant::now();
    for seq in 0..count as u64 {
        let due = t0 + interval * seq as u32;
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        tx.send(&encode(seq))?;
        tx.serve()?;
    }
    tx.flush()?;
    let lat = consumer.join().map_err(|_| "consumer thread panicked".to_string())??;
    drop(tx);
    drop(cluster);
    common::release_memory();
    Ok((lat, probe.finish().0))
}

fn ms(ns: u64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

fn main() {
    let settings = Settings::from_env();
    let count = env_usize(
        "FERROKAFKA_BENCH_LATENCY_MESSAGES",
        if is_short() { 300 } else { 5_000 },
    )
    .max(1);
    let rate = env_usize("FERROKAFKA_BENCH_LATENCY_RATE", 1_000).max(1);
    let runs = env_usize("FERROKAFKA_BENCH_LATENCY_RUNS", if is_short() { 1 } else { 3 }).max(1);
    let kinds = [Kind::Ferrokafka, Kind::RustRdkafka, Kind::Raw];
    epoch();
    let started = Instant::now();
    println!("# ferrokafka latency benchmark (issue 6)\n");
    if is_short() {
        println!("- SHORT MODE (FERROKAFKA_BENCH_SHORT=1): checks that every row works; the numbers mean nothing");
    }
    println!("- machine: {}", common::machine());
    println!(
        "- cluster: {}",
        Cluster::new(&settings).describe(&settings).replace(
            &format!("{} partition(s) per topic", settings.partitions),
            "1 partition per topic",
        )
    );
    println!(
        "- {count} messages × {SIZE} bytes at {rate} msgs/s per row and run, {runs} run(s); linger.ms=0, fetch.wait.max.ms={}\n",
        fetch_wait_ms(&settings)
    );
    let mut samples: Vec<Vec<u64>> = vec![Vec::new(); kinds.len()];
    let mut peaks = vec![0u64; kinds.len()];
    for run in 0..runs {
        for i in 0..kinds.len() {
            let k = (i + run) % kinds.len();
            match run_row(kinds[k], &settings, count, rate) {
                Ok((lat, peak)) => {
                    let mut sorted = lat.clone();
                    sorted.sort_unstable();
                    println!(
                        "  run {:>2}  {:<12} p50 {} ms  p99 {} ms  max {} ms",
                        run + 1,
                        format!("{:?}", kinds[k]),
                        ms(quantile(&sorted, 0.5)),
                        ms(quantile(&sorted, 0.99)),
                        ms(*sorted.last().unwrap_or(&0))
                    );
                    samples[k].extend(lat);
                    peaks[k] = peaks[k].max(peak);
                }
                Err(e) => {
                    eprintln!("{:?}: {e}", kinds[k]);
                    std::process::exit(1);
                }
            }
        }
    }
    println!("\n### Round-trip latency (all runs pooled)\n");
    println!("| row | samples | p50 ms | p99 ms | p99.9 ms | max ms | mean ms | peak RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (k, kind) in kinds.iter().enumerate() {
        let s = &mut samples[k];
        s.sort_unstable();
        let mean = s.iter().map(|&x| x as f64).sum::<f64>() / s.len().max(1) as f64;
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.3} | {:.0} |",
            kind.label(),
            s.len(),
            ms(quantile(s, 0.5)),
            ms(quantile(s, 0.99)),
            ms(quantile(s, 0.999)),
            ms(*s.last().unwrap_or(&0)),
            mean / 1e6,
            peaks[k] as f64 / 1024.0
        );
    }
    println!(
        "\nPeak RSS of the process (max over rows): {:.0} MB; total time {:.1} s.",
        peaks.iter().copied().max().unwrap_or(0) as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
}
