//! `cargo bench --bench throughput` (issue 6): producer and consumer
//! throughput of ferrokafka against the raw librdkafka C API (the limit) and
//! rust-rdkafka 0.39, all on the same librdkafka 2.12.1, side by side in one
//! process.
//!
//! Every row runs on its own fresh embedded mock cluster (same setup for
//! all: `FERROKAFKA_BENCH_BROKERS` brokers, default 1) and a fresh topic of
//! `FERROKAFKA_BENCH_PARTITIONS` partitions (default 32: the mock keeps at
//! most 5 MB per partition), or on the cluster named by
//! `KAFKA_BOOTSTRAP_SERVERS`:
//!
//! * produce N × `size`-byte values: raw C, ferrokafka with a config-level
//!   delivery callback, ferrokafka with a per-message closure, ferrokafka
//!   async sends, rust-rdkafka `BaseProducer` and
//!   `FutureProducer`. Every producer has the same properties
//!   ([`Settings::producer_config`]) and the same loop: produce, serve events
//!   (`poll(0)`) every `poll_every` messages, on `_QUEUE_FULL` serve with a
//!   1 ms wait and retry, then flush (the async row awaits its futures
//!   instead). The window runs from the first produce until every delivery
//!   report has been served.
//! * consume N messages (written beforehand, untimed, by the raw producer
//!   into the row's own topic, round-robin over the partitions): raw batch
//!   consume, ferrokafka batch consume, ferrokafka per-message poll,
//!   ferrokafka async stream, rust-rdkafka `BaseConsumer` and
//!   `StreamConsumer`. Every consumer has the same properties
//!   ([`Settings::consumer_config`]) and is assigned every partition from
//!   the beginning; the window opens when the first call returns data (so
//!   connection set-up is left out) and closes at the last message; the
//!   messages of that first call are not counted.
//!
//! A warm-up repetition (fewer messages, discarded) comes first; then the
//! whole set runs `FERROKAFKA_BENCH_RUNS` times (default 5), the row order
//! rotating between runs. Reported per row: medians over the runs of
//! msgs/s, MB/s (value bytes, 10^6), Rust heap allocations per message
//! (counting global allocator, window only, all threads), CPU time per
//! message (whole process, and the row's calling thread), the per-run ratio
//! to the raw row of the same run, and peak RSS (`VmHWM`, reset at the row's
//! start; its growth over the row's starting RSS too). Targets are judged on
//! medians of per-run ratios. Settings: see [`common::Settings`];
//! `FERROKAFKA_BENCH_SHORT=1` is the short mode CI runs (it checks that
//! every row works; its numbers mean nothing).

mod common;

use common::raw::{self, RawConsumer, RawProducer, ERR_QUEUE_FULL};
use common::{
    median, thousands, Cluster, CountingAlloc, Measure, RssProbe, Settings, Stall, Tally, Window, WindowStats,
};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// How long a producer waits for events when its queue is full.
const FULL_WAIT: Duration = Duration::from_millis(1);
/// Bound of the final flush.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(300);
/// A consumer row fails after this long without a message.
const STALL_LIMIT: Duration = Duration::from_secs(20);
/// The watchdog ends the process when one row runs longer than this.
const ROW_LIMIT: Duration = Duration::from_secs(600);

/// What one row needs to know.
struct Ctx<'a> {
    settings: &'a Settings,
    bootstrap: &'a str,
    /// Messages in this row.
    n: usize,
    topic: &'a str,
}

impl Ctx<'_> {
    fn value(&self) -> Vec<u8> {
        vec![b'v'; self.settings.size]
    }

    fn producer_props(&self) -> Vec<(&'static str, String)> {
        self.settings.producer_config(self.bootstrap)
    }

    fn consumer_props(&self) -> Vec<(&'static str, String)> {
        self.settings
            .consumer_config(self.bootstrap, &format!("{}-group", self.topic))
    }

    /// Writes the row's input (untimed, before the row's probes start):
    /// `n` values through the raw producer, the same for every consumer row.
    fn prefill(&self) -> Result<(), String> {
        raw::prefill(
            &self.producer_props(),
            self.topic,
            self.settings.partitions,
            self.n,
            self.settings.size,
        )
    }
}

/// A row's outcome in one run.
enum Outcome {
    Measured(Measure),
}

type RowFn = fn(&Ctx<'_>) -> Result<Outcome, String>;

/// One row of the table.
struct Row {
    /// Stable id (used by `FERROKAFKA_BENCH_ROWS`).
    id: &'static str,
    /// Table label.
    label: &'static str,
    run: RowFn,
}

const PRODUCE_ROWS: &[Row] = &[
    Row {
        id: "produce-raw",
        label: "raw C API (`rd_kafka_produce`, `dr_msg_cb`)",
        run: produce_raw,
    },
    Row {
        id: "produce-fk-config-cb",
        label: "ferrokafka, config-level `on_delivery`",
        run: produce_fk_config_cb,
    },
    Row {
        id: "produce-fk-closure",
        label: "ferrokafka, per-message closure",
        run: produce_fk_closure,
    },
    Row {
        id: "produce-fk-async",
        label: "ferrokafka, async send",
        run: produce_fk_async,
    },
    Row {
        id: "produce-rr-base",
        label: "rust-rdkafka `BaseProducer`",
        run: produce_rr_base,
    },
    Row {
        id: "produce-rr-future",
        label: "rust-rdkafka `FutureProducer`",
        run: produce_rr_future,
    },
];

const CONSUME_ROWS: &[Row] = &[
    Row {
        id: "consume-raw-batch",
        label: "raw C API (`rd_kafka_consume_batch_queue`)",
        run: consume_raw_batch,
    },
    Row {
        id: "consume-fk-batch",
        label: "ferrokafka `consume(n)` batch",
        run: consume_fk_batch,
    },
    Row {
        id: "consume-fk-poll",
        label: "ferrokafka per-message `poll`",
        run: consume_fk_poll,
    },
    Row {
        id: "consume-fk-stream",
        label: "ferrokafka async stream",
        run: consume_fk_stream,
    },
    Row {
        id: "consume-rr-base",
        label: "rust-rdkafka `BaseConsumer::poll`",
        run: consume_rr_base,
    },
    Row {
        id: "consume-rr-stream",
        label: "rust-rdkafka `StreamConsumer::recv`",
        run: consume_rr_stream,
    },
];

// ---------------------------------------------------------------------------
// The producer loop every producer row shares
// ---------------------------------------------------------------------------

/// What one produce call did.
enum Sent {
    Ok,
    /// `_QUEUE_FULL`: serve events and call again (the same message).
    Full,
    Failed(String),
}

/// Produces `n` messages with `send`, serving events with `serve(false)`
/// (no wait) every `poll_every` messages and `serve(true)` (wait up to
/// [`FULL_WAIT`]) when the queue is full. Returns how often it was full.
#[inline(always)]
fn drive_produce(
    n: usize,
    poll_every: usize,
    mut send: impl FnMut() -> Sent,
    mut serve: impl FnMut(bool) -> Result<(), String>,
) -> Result<u64, String> {
    let mut full = 0;
    let mut until_poll = poll_every;
    for _ in 0..n {
        loop {
            match send() {
                Sent::Ok => break,
                Sent::Full => {
                    full += 1;
                    serve(true)?;
                }
                Sent::Failed(e) => return Err(e),
            }
        }
        until_poll -= 1;
        if until_poll == 0 {
            until_poll = poll_every;
            serve(false)?;
        }
    }
    Ok(full)
}

fn produced(ctx: &Ctx<'_>, probe: RssProbe, window: WindowStats) -> Outcome {
    Outcome::Measured(Measure::new(
        ctx.n as u64,
        (ctx.n * ctx.settings.size) as u64,
        window,
        probe.finish(),
    ))
}

fn fk_config(props: &[(&str, String)]) -> ferrokafka::Config {
    let mut c = ferrokafka::Config::new();
    for (k, v) in props {
        c.set(*k, v);
    }
    c
}

fn rr_config(props: &[(&str, String)]) -> rdkafka::ClientConfig {
    let mut c = rdkafka::ClientConfig::new();
    for (k, v) in props {
        c.set(*k, v);
    }
    c
}

// ---------------------------------------------------------------------------
// Producer rows
// ---------------------------------------------------------------------------

/// The limit: `rd_kafka_produce` on a cached topic handle, `rd_kafka_poll`
/// serving the classic `dr_msg_cb`, `rd_kafka_flush`.
fn produce_raw(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    let probe = RssProbe::start();
    let p = RawProducer::new(&ctx.producer_props(), ctx.topic)?;
    let value = ctx.value();
    let w = Window::open();
    drive_produce(
        ctx.n,
        ctx.settings.poll_every,
        || match p.produce(&value) {
            Ok(()) => Sent::Ok,
            Err(ERR_QUEUE_FULL) => Sent::Full,
            Err(e) => Sent::Failed(raw::err_name(e)),
        },
        |block| {
            p.poll(if block { FULL_WAIT.as_millis() as i32 } else { 0 });
            Ok(())
        },
    )?;
    let err = p.flush(FLUSH_TIMEOUT.as_millis() as i32);
    let window = w.close();
    if err != 0 {
        return Err(format!("flush: {}", raw::err_name(err)));
    }
    p.tally().check(ctx.n)?;
    Ok(produced(ctx, probe, window))
}

/// ferrokafka with `Config::set_on_delivery`: no per-message state.
fn produce_fk_config_cb(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    let tally = Arc::new(Tally::default());
    let mut config = fk_config(&ctx.producer_props());
    let t = tally.clone();
    config.set_on_delivery(move |r| t.record(r.is_ok()));
    let value = ctx.value();
    produce_fk(ctx, &config, &tally, || {
        ferrokafka::Record::new(ctx.topic).with_value(&value[..])
    })
}

/// ferrokafka with `Record::on_delivery`: a closure per message (capturing
/// an `Arc`, as real code capturing some context would).
fn produce_fk_closure(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    let tally = Arc::new(Tally::default());
    let config = fk_config(&ctx.producer_props());
    let value = ctx.value();
    produce_fk(ctx, &config, &tally, || {
        let t = tally.clone();
        ferrokafka::Record::new(ctx.topic)
            .with_value(&value[..])
            .with_on_delivery(move |r| t.record(r.is_ok()))
    })
}

/// The ferrokafka `Producer::produce` rows: `record` makes each message's
/// record (a record handed back on `_QUEUE_FULL` is retried as is), and
/// `tally` is what the delivery reports count in.
fn produce_fk<'v>(
    ctx: &Ctx<'_>,
    config: &ferrokafka::Config,
    tally: &Tally,
    mut record: impl FnMut() -> ferrokafka::Record<'v>,
) -> Result<Outcome, String> {
    use ferrokafka::{Producer, Record};
    let probe = RssProbe::start();
    let producer = Producer::new(config).map_err(|e| e.to_string())?;
    let w = Window::open();
    let mut retry: Option<Record<'v>> = None;
    drive_produce(
        ctx.n,
        ctx.settings.poll_every,
        || {
            let rec = retry.take().unwrap_or_else(&mut record);
            match producer.produce(rec) {
                Ok(()) => Sent::Ok,
                Err(e) if e.is_queue_full() => {
                    retry = Some(e.into_record());
                    Sent::Full
                }
                Err(e) => Sent::Failed(e.to_string()),
            }
        },
        |block| {
            producer
                .poll(if block { FULL_WAIT } else { Duration::ZERO })
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )?;
    let flushed = producer.flush(FLUSH_TIMEOUT).map_err(|e| e.to_string());
    let window = w.close();
    flushed?;
    tally.check(ctx.n)?;
    producer.close(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    Ok(produced(ctx, probe, window))
}

/// ferrokafka `Producer::send(record).await`: a delivery future per
/// message, awaited on a current-thread tokio runtime, in the shape of
/// [`produce_rr_future`] (at most `settings.queue` futures pending; the
/// oldest is awaited first). `send` never reports `_QUEUE_FULL`: a send
/// that finds the queue full waits inside its future for room, woken by
/// the deliveries.
fn produce_fk_async(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    use ferrokafka::{Config, Producer, Record, SendFuture};
    let probe = RssProbe::start();
    let tally = Tally::default();
    let config: Config = fk_config(&ctx.producer_props());
    let producer = Producer::new(&config).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let value = ctx.value();
    let topic = ctx.topic;
    let window_cap = ctx.settings.queue;
    let mut inflight: VecDeque<SendFuture<'_>> = VecDeque::with_capacity(window_cap + 1);
    let w = Window::open();
    rt.block_on(async {
        for _ in 0..ctx.n {
            inflight.push_back(producer.send(Record::new(topic).with_value(&value[..])));
            if inflight.len() >= window_cap {
                if let Some(f) = inflight.pop_front() {
                    tally.record(f.await.is_ok());
                }
            }
        }
        while let Some(f) = inflight.pop_front() {
            tally.record(f.await.is_ok());
        }
    });
    let window = w.close();
    tally.check(ctx.n)?;
    producer.close(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    Ok(produced(ctx, probe, window))
}

/// rust-rdkafka's producer context: tallies delivery reports (no opaque).
struct RrTally(Arc<Tally>);

impl rdkafka::ClientContext for RrTally {}

impl rdkafka::producer::ProducerContext for RrTally {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &rdkafka::producer::DeliveryResult<'_>, _: ()) {
        self.0.record(result.is_ok());
    }
}

/// rust-rdkafka `BaseProducer` with a context tallying reports.
fn produce_rr_base(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    use rdkafka::error::{KafkaError, RDKafkaErrorCode};
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    let probe = RssProbe::start();
    let tally = Arc::new(Tally::default());
    let producer: BaseProducer<RrTally> = rr_config(&ctx.producer_props())
        .create_with_context(RrTally(tally.clone()))
        .map_err(|e| e.to_string())?;
    let value = ctx.value();
    let topic = ctx.topic;
    let w = Window::open();
    let mut retry: Option<BaseRecord<'_, (), [u8]>> = None;
    drive_produce(
        ctx.n,
        ctx.settings.poll_every,
        || {
            let rec = retry
                .take()
                .unwrap_or_else(|| BaseRecord::to(topic).payload(&value[..]));
            match producer.send(rec) {
                Ok(()) => Sent::Ok,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), rec)) => {
                    retry = Some(rec);
                    Sent::Full
                }
                Err((e, _)) => Sent::Failed(e.to_string()),
            }
        },
        |block| {
            producer.poll(if block { FULL_WAIT } else { Duration::ZERO });
            Ok(())
        },
    )?;
    producer.flush(FLUSH_TIMEOUT).map_err(|e| e.to_string())?;
    let window = w.close();
    tally.check(ctx.n)?;
    drop(producer);
    Ok(produced(ctx, probe, window))
}

/// rust-rdkafka `FutureProducer`: a delivery future per message, awaited
/// on a current-thread tokio runtime (its own thread serves the reports).
fn produce_rr_future(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    use rdkafka::error::{KafkaError, RDKafkaErrorCode};
    use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
    let probe = RssProbe::start();
    let tally = Tally::default();
    let producer: FutureProducer = rr_config(&ctx.producer_props()).create().map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let value = ctx.value();
    let topic = ctx.topic;
    let window_cap = ctx.settings.queue;
    let mut inflight: VecDeque<DeliveryFuture> = VecDeque::with_capacity(window_cap + 1);
    let settle = |r: Result<rdkafka::producer::future_producer::OwnedDeliveryResult, _>| {
        tally.record(matches!(r, Ok(Ok(_))));
    };
    let w = Window::open();
    rt.block_on(async {
        for _ in 0..ctx.n {
            let mut rec = FutureRecord::<(), [u8]>::to(topic).payload(&value[..]);
            loop {
                match producer.send_result(rec) {
                    Ok(f) => {
                        inflight.push_back(f);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                        rec = r;
                        match inflight.pop_front() {
                            Some(f) => settle(f.await),
                            None => tokio::time::sleep(FULL_WAIT).await,
                        }
                    }
                    Err((e, _)) => return Err(e.to_string()),
                }
            }
            if inflight.len() >= window_cap {
                if let Some(f) = inflight.pop_front() {
                    settle(f.await);
                }
            }
        }
        while let Some(f) = inflight.pop_front() {
            settle(f.await);
        }
        Ok(())
    })?;
    let window = w.close();
    tally.check(ctx.n)?;
    drop(producer);
    Ok(produced(ctx, probe, window))
}

// ---------------------------------------------------------------------------
// Consumer rows
// ---------------------------------------------------------------------------

/// Counts consumed messages; opens the window after the first call that
/// returned data, whose messages are not counted.
struct ConsumeCount {
    n: usize,
    got: usize,
    in_window: u64,
    bytes: u64,
    window: Option<Window>,
    stall: Stall,
}

impl ConsumeCount {
    fn new(n: usize) -> ConsumeCount {
        ConsumeCount {
            n,
            got: 0,
            in_window: 0,
            bytes: 0,
            window: None,
            stall: Stall::new(STALL_LIMIT),
        }
    }

    fn done(&self) -> bool {
        self.got >= self.n
    }

    /// Records one call that returned `msgs` messages of `bytes` value bytes.
    #[inline]
    fn call(&mut self, msgs: usize, bytes: u64, what: &str) -> Result<(), String> {
        if msgs == 0 {
            let (got, n) = (self.got, self.n);
            return self
                .stall
                .idle(what)
                .map_err(|e| format!("{e} after {got} of {n} messages"));
        }
        self.stall.busy();
        self.got += msgs;
        if self.window.is_none() {
            self.window = Some(Window::open());
        } else {
            self.in_window += msgs as u64;
            self.bytes += bytes;
        }
        Ok(())
    }

    fn finish(self, probe: RssProbe, size: usize) -> Result<Outcome, String> {
        let window = self.window.ok_or("no message consumed")?.close();
        if self.got != self.n {
            return Err(format!("consumed {} messages, expected {}", self.got, self.n));
        }
        if self.bytes != self.in_window * size as u64 {
            return Err(format!("{} value bytes in {} messages", self.bytes, self.in_window));
        }
        Ok(Outcome::Measured(Measure::new(
            self.in_window,
            self.bytes,
            window,
            probe.finish(),
        )))
    }
}

/// The limit: `rd_kafka_consume_batch_queue` on the consumer queue.
fn consume_raw_batch(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    ctx.prefill()?;
    let probe = RssProbe::start();
    let c = RawConsumer::new(&ctx.consumer_props(), ctx.topic, ctx.settings.partitions)?;
    let mut buf = vec![std::ptr::null_mut(); ctx.settings.batch];
    let mut count = ConsumeCount::new(ctx.n);
    while !count.done() {
        let k = c.consume_batch(1000, &mut buf)?;
        let mut bytes = 0u64;
        let mut error = None;
        for &m in &buf[..k] {
            // SAFETY: each of the first k pointers is a message we own;
            // destroyed exactly once here.
            unsafe {
                let e = raw::msg_err(m);
                if e != 0 && error.is_none() {
                    error = Some(raw::err_name(e));
                }
                bytes += (*m).len as u64;
                rdkafka_sys::rd_kafka_message_destroy(m);
            }
        }
        if let Some(e) = error {
            return Err(format!("consumer error: {e}"));
        }
        count.call(k, bytes, "raw batch consume")?;
    }
    let r = count.finish(probe, ctx.settings.size);
    drop(c);
    r
}

fn fk_consumer(ctx: &Ctx<'_>) -> Result<ferrokafka::Consumer, String> {
    use ferrokafka::{Consumer, TopicPartition, OFFSET_BEGINNING};
    let consumer = Consumer::new(&fk_config(&ctx.consumer_props())).map_err(|e| e.to_string())?;
    let parts: Vec<TopicPartition> = (0..ctx.settings.partitions)
        .map(|p| TopicPartition::with_offset(ctx.topic, p, OFFSET_BEGINNING))
        .collect();
    consumer.assign(&parts).map_err(|e| e.to_string())?;
    Ok(consumer)
}

/// ferrokafka `Consumer::consume(batch, timeout)`.
fn consume_fk_batch(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    ctx.prefill()?;
    let probe = RssProbe::start();
    let consumer = fk_consumer(ctx)?;
    let mut count = ConsumeCount::new(ctx.n);
    while !count.done() {
        let msgs = consumer
            .consume(ctx.settings.batch, Duration::from_secs(1))
            .map_err(|e| e.to_string())?;
        let bytes: u64 = msgs.iter().map(|m| m.len() as u64).sum();
        let k = msgs.len();
        drop(msgs);
        count.call(k, bytes, "ferrokafka batch consume")?;
    }
    let r = count.finish(probe, ctx.settings.size);
    consumer.close(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    r
}

/// ferrokafka `Consumer::poll(timeout)`, one message per call.
fn consume_fk_poll(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    ctx.prefill()?;
    let probe = RssProbe::start();
    let consumer = fk_consumer(ctx)?;
    let mut count = ConsumeCount::new(ctx.n);
    while !count.done() {
        match consumer.poll(Duration::from_secs(1)).map_err(|e| e.to_string())? {
            Some(m) => {
                let len = m.len() as u64;
                drop(m);
                count.call(1, len, "ferrokafka poll")?;
            }
            None => count.call(0, 0, "ferrokafka poll")?,
        }
    }
    let r = count.finish(probe, ctx.settings.size);
    consumer.close(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    r
}

/// ferrokafka `Consumer::stream()` with `StreamExt::next().await` on a
/// current-thread tokio runtime, in the shape of [`consume_rr_stream`].
fn consume_fk_stream(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    ctx.prefill()?;
    let probe = RssProbe::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let consumer = fk_consumer(ctx)?;
    let mut count = ConsumeCount::new(ctx.n);
    rt.block_on(async {
        let mut stream = consumer.stream();
        while !count.done() {
            let m = stream
                .next()
                .await
                .ok_or("the stream ended")?
                .map_err(|e| e.to_string())?;
            let len = m.len() as u64;
            drop(m);
            count.call(1, len, "ferrokafka async stream")?;
        }
        Ok::<(), String>(())
    })?;
    let r = count.finish(probe, ctx.settings.size);
    consumer.close(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    r
}

fn rr_assignment(ctx: &Ctx<'_>) -> Result<rdkafka::TopicPartitionList, String> {
    let mut tpl = rdkafka::TopicPartitionList::new();
    for p in 0..ctx.settings.partitions {
        tpl.add_partition_offset(ctx.topic, p, rdkafka::Offset::Beginning)
            .map_err(|e| e.to_string())?;
    }
    Ok(tpl)
}

/// rust-rdkafka `BaseConsumer::poll(timeout)`.
fn consume_rr_base(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    ctx.prefill()?;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let probe = RssProbe::start();
    let consumer: BaseConsumer = rr_config(&ctx.consumer_props()).create().map_err(|e| e.to_string())?;
    consumer.assign(&rr_assignment(ctx)?).map_err(|e| e.to_string())?;
    let mut count = ConsumeCount::new(ctx.n);
    while !count.done() {
        match consumer.poll(Duration::from_secs(1)) {
            Some(Ok(m)) => {
                let len = m.payload_len() as u64;
                drop(m);
                count.call(1, len, "rust-rdkafka BaseConsumer")?;
            }
            Some(Err(e)) => return Err(e.to_string()),
            None => count.call(0, 0, "rust-rdkafka BaseConsumer")?,
        }
    }
    let r = count.finish(probe, ctx.settings.size);
    drop(consumer);
    r
}

/// rust-rdkafka `StreamConsumer::recv().await` on a current-thread tokio
/// runtime (no timeout wrapper per message: the watchdog bounds the row).
fn consume_rr_stream(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    ctx.prefill()?;
    use rdkafka::consumer::{Consumer, StreamConsumer};
    let probe = RssProbe::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let consumer: StreamConsumer = rt
        .block_on(async { rr_config(&ctx.consumer_props()).create() })
        .map_err(|e| e.to_string())?;
    consumer.assign(&rr_assignment(ctx)?).map_err(|e| e.to_string())?;
    let mut count = ConsumeCount::new(ctx.n);
    rt.block_on(async {
        while !count.done() {
            let m = consumer.recv().await.map_err(|e| e.to_string())?;
            let len = m.payload_len() as u64;
            drop(m);
            count.call(1, len, "rust-rdkafka StreamConsumer")?;
        }
        Ok::<(), String>(())
    })?;
    let r = count.finish(probe, ctx.settings.size);
    drop(consumer);
    r
}

// ---------------------------------------------------------------------------
// Runs, the watchdog, and the report
// ---------------------------------------------------------------------------

/// Seconds since process start at which the current row started (0: none).
static ROW_STARTED: AtomicU64 = AtomicU64::new(0);

/// Ends the process if one row runs longer than [`ROW_LIMIT`] (a hang
/// would otherwise block CI).
fn start_watchdog(epoch: Instant) {
    std::thread::Builder::new()
        .name("bench-watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let started = ROW_STARTED.load(Ordering::Relaxed);
            if started > 0 && epoch.elapsed().as_secs().saturating_sub(started) > ROW_LIMIT.as_secs() {
                eprintln!("throughput: a row ran longer than {ROW_LIMIT:?}; giving up");
                std::process::exit(2);
            }
        })
        .expect("watchdog thread");
}

/// The results of one repetition: row id → outcome.
type RunResults = BTreeMap<&'static str, Option<Measure>>;

/// Runs every selected row once, with `n` messages each. Each row gets a
/// fresh mock cluster (same setup) and topic, so no row pays for another's
/// stored data or leftovers; row order rotates with `run`, so no row always
/// goes first.
fn run_set(settings: &Settings, n: usize, run: usize, epoch: Instant, verbose: bool) -> Result<RunResults, String> {
    let mut results = RunResults::new();
    for rows in [PRODUCE_ROWS, CONSUME_ROWS] {
        for i in 0..rows.len() {
            let row = &rows[(i + run) % rows.len()];
            if !settings.selected(row.id) {
                continue;
            }
            let cluster = Cluster::new(settings);
            let topic = cluster.fresh_topic(row.id, settings.partitions);
            let ctx = Ctx {
                settings,
                bootstrap: cluster.bootstrap(),
                n,
                topic: &topic,
            };
            ROW_STARTED.store(epoch.elapsed().as_secs().max(1), Ordering::Relaxed);
            let outcome = (row.run)(&ctx).map_err(|e| format!("{}: {e}", row.id))?;
            ROW_STARTED.store(0, Ordering::Relaxed);
            drop(cluster);
            common::release_memory();
            match outcome {
                Outcome::Measured(m) => {
                    if verbose {
                        println!(
                            "  run {:>2}  {:<22} {:>10} msgs/s {:>6.1} MB/s {:>6.3} allocs/msg {:>5.0} cpu ns/msg {:>5.0} thread ns/msg  peak RSS {:>4.0} MB",
                            run + 1,
                            row.id,
                            thousands(m.rate()),
                            m.mb_per_sec(),
                            m.allocs_per_msg(),
                            m.cpu_ns_per_msg(),
                            m.thread_ns_per_msg(),
                            m.peak_rss_kb as f64 / 1024.0
                        );
                    }
                    results.insert(row.id, Some(m));
                }
            }
        }
    }
    Ok(results)
}

/// Per-run ratio of two rows' rates; NaN where either is missing.
fn ratios(runs: &[RunResults], num: &str, den: &str) -> Vec<f64> {
    runs.iter()
        .map(
            |r| match (r.get(num).copied().flatten(), r.get(den).copied().flatten()) {
                (Some(a), Some(b)) => a.rate() / b.rate(),
                _ => f64::NAN,
            },
        )
        .collect()
}

/// Per-run ratio of two rows' CPU time per message (den ÷ num: above 1
/// when `num` needs less CPU per message); NaN where either is missing.
fn cpu_ratios(runs: &[RunResults], num: &str, den: &str) -> Vec<f64> {
    runs.iter()
        .map(
            |r| match (r.get(num).copied().flatten(), r.get(den).copied().flatten()) {
                (Some(a), Some(b)) => b.cpu_ns_per_msg() / a.cpu_ns_per_msg(),
                _ => f64::NAN,
            },
        )
        .collect()
}

fn fmt_ratio(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else {
        format!("{v:.2}")
    }
}

fn min_max(v: &[f64]) -> String {
    let v: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return "—".into();
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.2}–{hi:.2}")
}

/// Prints one phase's table (markdown) of medians over `runs`.
fn print_table(title: &str, rows: &[Row], raw_id: &str, runs: &[RunResults], settings: &Settings) {
    println!("\n### {title}\n");
    println!(
        "| row | msgs/s | MB/s | allocs/msg | × raw (median) | × raw (min–max) | CPU ns/msg, all threads | CPU ns/msg, calling thread | peak RSS MB | RSS growth MB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        if !settings.selected(row.id) {
            continue;
        }
        let ms: Vec<Measure> = runs.iter().filter_map(|r| r.get(row.id).copied().flatten()).collect();
        if ms.is_empty() {
            println!(
                "| {} — *placeholder, API pending* | — | — | — | — | — | — | — | — | — |",
                row.label
            );
            continue;
        }
        let med = |f: &dyn Fn(&Measure) -> f64| median(&ms.iter().map(f).collect::<Vec<_>>());
        let r = ratios(runs, row.id, raw_id);
        println!(
            "| {} | {} | {:.1} | {:.3} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
            row.label,
            thousands(med(&|m| m.rate())),
            med(&|m| m.mb_per_sec()),
            med(&|m| m.allocs_per_msg()),
            fmt_ratio(median(&r)),
            min_max(&r),
            med(&|m| m.cpu_ns_per_msg()),
            med(&|m| m.thread_ns_per_msg()),
            med(&|m| m.peak_rss_kb as f64 / 1024.0),
            med(&|m| m.rss_growth_kb as f64 / 1024.0),
        );
    }
}

/// One issue-6 target: a median ratio against a threshold.
fn print_targets(runs: &[RunResults]) {
    println!("\n### Targets (medians of per-run ratios)\n");
    println!("| target | measured (msgs/s ratio) | met | per-run range | CPU-per-message ratio |");
    println!("|---|---:|:---:|---:|---:|");
    let ratio_target = |what: &str, num: &str, den: &str, min: f64| {
        let r = ratios(runs, num, den);
        let m = median(&r);
        let met = if m.is_nan() {
            "pending"
        } else if m >= min {
            "yes"
        } else {
            "**no**"
        };
        println!(
            "| {what} ≥ {min:.2} | {} | {met} | {} | {} |",
            fmt_ratio(m),
            min_max(&r),
            fmt_ratio(median(&cpu_ratios(runs, num, den)))
        );
    };
    ratio_target(
        "produce, config-level callback ÷ raw",
        "produce-fk-config-cb",
        "produce-raw",
        0.95,
    );
    ratio_target(
        "produce, config-level callback ÷ rust-rdkafka BaseProducer",
        "produce-fk-config-cb",
        "produce-rr-base",
        1.0,
    );
    ratio_target(
        "produce, per-message closure ÷ raw",
        "produce-fk-closure",
        "produce-raw",
        0.95,
    );
    ratio_target(
        "produce, per-message closure ÷ rust-rdkafka BaseProducer",
        "produce-fk-closure",
        "produce-rr-base",
        1.0,
    );
    ratio_target(
        "batch consume ÷ raw batch",
        "consume-fk-batch",
        "consume-raw-batch",
        0.90,
    );
    ratio_target(
        "per-message poll ÷ rust-rdkafka BaseConsumer",
        "consume-fk-poll",
        "consume-rr-base",
        1.5,
    );
    ratio_target(
        "async send ÷ rust-rdkafka FutureProducer",
        "produce-fk-async",
        "produce-rr-future",
        2.0,
    );
    ratio_target(
        "async stream ÷ rust-rdkafka StreamConsumer",
        "consume-fk-stream",
        "consume-rr-stream",
        1.5,
    );
    // Allocations: none per message. Per-call allocations (a batch's Vec)
    // amortised over the batch stay below 0.005 per message.
    for (what, id) in [
        (
            "allocs/msg, produce without per-message closure",
            "produce-fk-config-cb",
        ),
        ("allocs/msg, batch consume", "consume-fk-batch"),
        ("allocs/msg, per-message poll", "consume-fk-poll"),
    ] {
        let v = median(
            &runs
                .iter()
                .filter_map(|r| r.get(id).copied().flatten())
                .map(|m| m.allocs_per_msg())
                .collect::<Vec<_>>(),
        );
        let met = if v.is_nan() {
            "—"
        } else if v < 0.005 {
            "yes"
        } else {
            "**no**"
        };
        println!(
            "| {what} = 0 | {} | {met} | | |",
            if v.is_nan() { "—".into() } else { format!("{v:.3}") }
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass
    // test-harness flags: neither is meaningful to this plain main.
    let settings = Settings::from_env();
    let epoch = Instant::now();
    start_watchdog(epoch);
    let cluster_desc = Cluster::new(&settings).describe(&settings);
    println!("# ferrokafka throughput benchmark (issue 6)\n");
    if common::is_short() {
        println!("- SHORT MODE (FERROKAFKA_BENCH_SHORT=1): checks that every row works; the numbers mean nothing");
    }
    println!("- machine: {}", common::machine());
    println!("- cluster: {cluster_desc}");
    println!(
        "- {} messages × {} bytes per row, {} run(s) (+ warm-up of {} messages), batch {} , poll every {} messages",
        thousands(settings.messages as f64),
        settings.size,
        settings.runs,
        thousands(settings.warmup as f64),
        settings.batch,
        settings.poll_every
    );
    println!(
        "- every producer: linger.ms={}, batch.num.messages=10000, queue.buffering.max.messages={}, acks=all, no compression",
        settings.linger_ms, settings.queue
    );
    if let Some(rows) = &settings.rows {
        println!("- rows filtered by FERROKAFKA_BENCH_ROWS={}", rows.join(","));
    }
    if settings.warmup > 0 {
        let t = Instant::now();
        if let Err(e) = run_set(&settings, settings.warmup, 0, epoch, false) {
            eprintln!("warm-up failed: {e}");
            std::process::exit(1);
        }
        println!("- warm-up done in {:.1} s", t.elapsed().as_secs_f64());
    }
    println!();
    let mut runs = Vec::new();
    let mut peak_kb = 0;
    for run in 0..settings.runs {
        match run_set(&settings, settings.messages, run, epoch, true) {
            Ok(r) => {
                peak_kb = r
                    .values()
                    .flatten()
                    .map(|m| m.peak_rss_kb)
                    .max()
                    .unwrap_or(0)
                    .max(peak_kb);
                runs.push(r);
            }
            Err(e) => {
                eprintln!("run {} failed: {e}", run + 1);
                std::process::exit(1);
            }
        }
    }
    println!(
        "\n## Results: medians of {} run(s), {} messages × {} bytes",
        runs.len(),
        thousands(settings.messages as f64),
        settings.size
    );
    print_table("Produce", PRODUCE_ROWS, "produce-raw", &runs, &settings);
    print_table("Consume", CONSUME_ROWS, "consume-raw-batch", &runs, &settings);
    print_targets(&runs);
    println!(
        "\nPeak RSS of the process (max over rows): {:.0} MB; total time {:.1} s.",
        peak_kb as f64 / 1024.0,
        epoch.elapsed().as_secs_f64()
    );
}
