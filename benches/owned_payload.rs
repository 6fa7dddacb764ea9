//! Zero-copy produce of owned values (issue 14), beside the raw C API with
//! `RD_KAFKA_MSG_F_COPY` (what C programs and every other wrapper do).
//!
//! For each value size (100 B, 1 KiB, 64 KiB, 1 MiB), in one process, one
//! row after the other, each on a fresh cluster and topic:
//!
//! * `raw-copy`: `rd_kafka_produce` with `F_COPY` from one buffer the
//!   application keeps (librdkafka allocates and copies every message);
//! * `fk-borrowed`: ferrokafka `Record::with_value(&buf)`: the same copy;
//! * `fk-owned-shared`: `Record::with_owned_value(Arc<[u8]>)`: every message
//!   references the same bytes, nothing is copied;
//! * `fk-owned-vec`: `Record::with_owned_value(buf.to_vec())`: the
//!   application makes a fresh `Vec` per message (as a serializer does) and
//!   hands it over; the copy moves from librdkafka into the application, so
//!   this row shows what handing over costs when the bytes are made anew.
//!
//! Every producer serves its reports with `poll(0)` every 100 messages and
//! on `_QUEUE_FULL`, then flushes; the window runs from the first produce
//! until every report was served. Messages per row: 512 MiB of values
//! (`FERROKAFKA_BENCH_OWNED_MIB`; at most 1,000,000, at least 64 messages);
//! short mode (`FERROKAFKA_BENCH_SHORT=1`): 4 MiB. Runs: `FERROKAFKA_BENCH_RUNS` (default 5; the row order rotates),
//! after one discarded warm-up run at a tenth of the messages. Ratios are
//! computed within a run against `raw-copy` and reported as medians.
//! `KAFKA_BOOTSTRAP_SERVERS` runs it against that cluster.

mod common;

use common::raw::{self, RawProducer, ERR_QUEUE_FULL};
use common::{median, thousands, Cluster, CountingAlloc, Measure, RssProbe, Settings, Tally, Window};
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const SIZES: &[usize] = &[100, 1024, 64 * 1024, 1024 * 1024];
const ROWS: &[(&str, &str)] = &[
    ("raw-copy", "raw C API, `F_COPY`"),
    ("fk-borrowed", "ferrokafka `with_value(&buf)` (copied)"),
    ("fk-owned-shared", "ferrokafka `with_owned_value(Arc<[u8]>)`"),
    ("fk-owned-vec", "ferrokafka `with_owned_value(buf.to_vec())`"),
];
const POLL_EVERY: usize = 100;
const FULL_WAIT_MS: i32 = 1;
const FLUSH_TIMEOUT: Duration = Duration::from_secs(300);

fn props(settings: &Settings, bootstrap: &str) -> Vec<(&'static str, String)> {
    let mut p = settings.producer_config(bootstrap);
    // Room for 1 MiB values (librdkafka's default limit is 1,000,000 bytes).
    p.push(("message.max.bytes", (8 << 20).to_string()));
    p.push(("batch.size", (8 << 20).to_string()));
    p
}

fn run_row(id: &str, settings: &Settings, size: usize, n: usize) -> Result<Measure, String> {
    // A fresh cluster per row: no row pays for another's stored messages.
    let cluster = &Cluster::new(settings);
    let topic = cluster.fresh_topic(&format!("owned-{size}"), settings.partitions);
    let props = props(settings, cluster.bootstrap());
    let buf = vec![b'v'; size];
    let probe = RssProbe::start();
    if id == "raw-copy" {
        let p = RawProducer::new(&props, &topic)?;
        let w = Window::open();
        for i in 0..n {
            loop {
                match p.produce(&buf) {
                    Ok(()) => break,
                    Err(ERR_QUEUE_FULL) => p.poll(FULL_WAIT_MS),
                    Err(e) => return Err(raw::err_name(e)),
                }
            }
            if i % POLL_EVERY == 0 {
                p.poll(0);
            }
        }
        let err = p.flush(FLUSH_TIMEOUT.as_millis() as i32);
        let window = w.close();
        if err != 0 {
            return Err(format!("flush: {}", raw::err_name(err)));
        }
        p.tally().check(n)?;
        return Ok(Measure::new(n as u64, (n * size) as u64, window, probe.finish()));
    }
    use ferrokafka::{Config, Producer, Record};
    let tally = Arc::new(Tally::default());
    let mut config = Config::new();
    for (k, v) in &props {
        config.set(*k, v);
    }
    let t = tally.clone();
    config.set_on_delivery(move |r| t.record(r.is_ok()));
    let producer = Producer::new(&config).map_err(|e| e.to_string())?;
    let shared: Arc<[u8]> = Arc::from(&buf[..]);
    let make = |_: ()| -> Record<'_> {
        match id {
            "fk-borrowed" => Record::new(&topic).with_value(&buf[..]),
            "fk-owned-shared" => Record::new(&topic).with_owned_value(shared.clone()),
            _ => Record::new(&topic).with_owned_value(buf.to_vec()),
        }
    };
    let w = Window::open();
    for i in 0..n {
        let mut rec = make(());
        loop {
            match producer.produce(rec) {
                Ok(()) => break,
                Err(e) if e.is_queue_full() => {
                    rec = e.into_record();
                    producer
                        .poll(Duration::from_millis(FULL_WAIT_MS as u64))
                        .map_err(|e| e.to_string())?;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        if i % POLL_EVERY == 0 {
            producer.poll(Duration::ZERO).map_err(|e| e.to_string())?;
        }
    }
    let flushed = producer.flush(FLUSH_TIMEOUT).map_err(|e| e.to_string());
    let window = w.close();
    flushed?;
    tally.check(n)?;
    producer.close(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    drop(producer);
    // Every handed-over buffer was released: only ours is left.
    if Arc::strong_count(&shared) != 1 {
        return Err(format!(
            "{} references to the shared value left",
            Arc::strong_count(&shared)
        ));
    }
    Ok(Measure::new(n as u64, (n * size) as u64, window, probe.finish()))
}

fn main() {
    let settings = Settings::from_env();
    let short = common::is_short();
    let budget: usize = common::env_usize("FERROKAFKA_BENCH_OWNED_MIB", if short { 4 } else { 512 }) << 20;
    let cluster = Cluster::new(&settings);
    println!("# Owned-value (zero-copy) produce beside the raw C API's F_COPY");
    println!();
    println!("- {}", common::machine());
    println!("- {}", cluster.describe(&settings));
    println!(
        "- {} run(s) after a warm-up; values of {} bytes; poll(0) every {POLL_EVERY} messages",
        settings.runs,
        SIZES.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
    );
    println!();
    println!("| value size | row | msgs/s | MB/s | allocs/msg | × raw (median) | × raw (min–max) | CPU ns/msg, all threads | CPU ns/msg, calling thread | peak RSS MB |");
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &size in SIZES {
        let n = (budget / size).clamp(64, 1_000_000);
        let rows: Vec<&(&str, &str)> = ROWS.iter().filter(|(id, _)| settings.selected(id)).collect();
        // Warm-up: every row once, a tenth of the messages, discarded.
        for (id, _) in &rows {
            if let Err(e) = run_row(id, &settings, size, (n / 10).max(8)) {
                eprintln!("{size} B {id} (warm-up): {e}");
                std::process::exit(1);
            }
        }
        let mut results: Vec<Vec<Measure>> = vec![Vec::new(); rows.len()];
        for run in 0..settings.runs {
            for k in 0..rows.len() {
                let j = (k + run) % rows.len();
                common::release_memory();
                match run_row(rows[j].0, &settings, size, n) {
                    Ok(m) => results[j].push(m),
                    Err(e) => {
                        eprintln!("{size} B {}: {e}", rows[j].0);
                        std::process::exit(1);
                    }
                }
            }
        }
        let raw_idx = rows.iter().position(|(id, _)| *id == "raw-copy");
        for (j, (_, label)) in rows.iter().enumerate() {
            let ms = &results[j];
            let med = |f: &dyn Fn(&Measure) -> f64| median(&ms.iter().map(f).collect::<Vec<_>>());
            let (ratio, range) = match raw_idx {
                Some(r) => {
                    let v: Vec<f64> = (0..ms.len()).map(|i| ms[i].rate() / results[r][i].rate()).collect();
                    let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
                    let hi = v.iter().cloned().fold(0.0, f64::max);
                    (format!("{:.2}", median(&v)), format!("{lo:.2}–{hi:.2}"))
                }
                None => ("—".into(), "—".into()),
            };
            println!(
                "| {size} | {label} | {} | {:.1} | {:.3} | {ratio} | {range} | {:.0} | {:.0} | {:.0} |",
                thousands(med(&|m| m.rate())),
                med(&|m| m.mb_per_sec()),
                med(&|m| m.allocs_per_msg()),
                med(&|m| m.cpu_ns_per_msg()),
                med(&|m| m.thread_ns_per_msg()),
                med(&|m| m.peak_rss_kb as f64) / 1024.0,
            );
        }
    }
}
