//! `-C` (partitions assigned by the tool) and `-G` (a consumer group).
//!
//! kcat's `-C` uses librdkafka's legacy per-partition consumer; fkcat
//! assigns the same partitions at the same offsets to a ferrokafka
//! `Consumer` (which needs a `group.id`: "fkcat" unless one is configured;
//! it never joins the group and commits nothing). What reaches stdout and
//! the "% Reached end" lines is the same; `-e` stops a partition at its
//! end by pausing it, as kcat stops fetching it.

use crate::format::{self, Plain};
use crate::{err2str, json, take_error, Conf, Fail, Mode};
use ferrokafka::{
    Config, Consumer, ErrorCode, KafkaError, Message, RebalanceCallbacks, TopicPartition, OFFSET_BEGINNING,
    OFFSET_INVALID, PARTITION_UA,
};
use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Messages taken without waiting before the output is written.
const BATCH: usize = 10_000;
/// How long the consumer waits for a first message (kcat's poll interval).
const WAIT: Duration = Duration::from_millis(100);

/// The group consumer's assignment and which of its partitions are at
/// their end (kcat's `conf.assignment` and `eof_cnt`).
#[derive(Default)]
struct Assignment {
    parts: Option<Vec<(String, i32)>>,
    at_eof: HashSet<(String, i32)>,
}

/// State of one run.
struct Run<'a> {
    conf: &'a Conf,
    consumer: &'a Consumer,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    buf: Vec<u8>,
    running: bool,
    received: u64,
    /// `-C`: partitions stopped (end reached with `-e`, or stop timestamp).
    stopped: HashSet<i32>,
    stop_threshold: usize,
    /// `-G`.
    assignment: Arc<Mutex<Assignment>>,
    null_str: Option<&'static [u8]>,
}

impl Run<'_> {
    fn flush(&mut self) -> Result<(), Fail> {
        self.out.write_all(&self.buf).map_err(Fail::write)?;
        self.buf.clear();
        self.out.flush().map_err(Fail::write)
    }

    fn stop_partition(&mut self, topic: &str, partition: i32) {
        if self.stopped.insert(partition) {
            let _ = self.consumer.pause(&[TopicPartition::new(topic, partition)]);
            if self.stopped.len() >= self.stop_threshold {
                self.running = false;
            }
        }
    }

    /// kcat's `partition_at_eof`.
    fn at_eof(&mut self, tp: &TopicPartition) {
        match self.conf.mode {
            Some(Mode::Consume) => {
                if self.conf.exit_eof {
                    self.stop_partition(&tp.topic, tp.partition);
                }
            }
            _ => {
                if self.conf.exit_eof {
                    let mut a = self.assignment.lock().unwrap_or_else(|p| p.into_inner());
                    let key = (tp.topic.clone(), tp.partition);
                    let total = a.parts.as_ref().map(|p| p.len());
                    if let Some(total) = total {
                        let assigned = a.parts.as_ref().is_some_and(|p| p.contains(&key));
                        if assigned && a.at_eof.insert(key) && a.at_eof.len() == total {
                            self.running = false;
                        }
                    }
                }
            }
        }
        // stderr is unbuffered in C: keep stdout's bytes ahead of it.
        let _ = self.flush();
        self.conf.info(
            1,
            format!(
                "Reached end of topic {} [{}] at offset {}{}\n",
                tp.topic,
                tp.partition,
                tp.offset,
                if self.running { "" } else { ": exiting" }
            ),
        );
    }

    /// kcat's `partition_not_eof` (group mode with `-e`).
    fn not_eof(&self, m: &Message) {
        if self.conf.mode != Some(Mode::Group) || !self.conf.exit_eof {
            return;
        }
        let mut a = self.assignment.lock().unwrap_or_else(|p| p.into_inner());
        if a.parts.is_some() && !a.at_eof.is_empty() {
            a.at_eof.remove(&(m.topic().to_string(), m.partition()));
        }
    }

    /// kcat's `consume_cb` for a message.
    fn message(&mut self, m: &Message) -> Result<(), Fail> {
        if self.conf.mode == Some(Mode::Consume) && self.stopped.contains(&m.partition()) {
            return Ok(());
        }
        self.not_eof(m);
        if self.conf.stop_ts != 0 {
            let ts = m.timestamp().millis().unwrap_or(-1);
            if ts >= self.conf.stop_ts {
                self.stop_partition(m.topic(), m.partition());
                let _ = self.flush();
                self.conf.info(
                    1,
                    format!(
                        "Reached stop timestamp for topic {} [{}] at offset {}{}\n",
                        m.topic(),
                        m.partition(),
                        m.offset(),
                        if self.running { "" } else { ": exiting" }
                    ),
                );
                return Ok(());
            }
        }
        if self.conf.json {
            json::message(&mut self.buf, m);
            if let Some(format::Fmt::Str(s)) = self.conf.fmt.first() {
                self.buf.extend_from_slice(s);
            }
        } else {
            let plain = Plain {
                fmt: &self.conf.fmt,
                null_str: self.null_str,
                pack: [self.conf.pack[0].as_deref(), self.conf.pack[1].as_deref()],
            };
            if let Err(e) = format::write_plain(&mut self.buf, &plain, m) {
                let _ = self.flush();
                if self.conf.exit_on_error {
                    return Err(Fail::fatal(format!("{e}: terminating")));
                }
                eprintln!("% ERROR: {e}");
            }
        }
        if self.conf.unbuffered || self.buf.len() >= 1 << 16 {
            self.flush()?;
        }
        self.received += 1;
        if self.received == self.conf.msg_cnt as u64 {
            self.running = false;
        }
        Ok(())
    }

    /// kcat's `consume_cb` for an error.
    fn error(&mut self, e: KafkaError) -> Result<(), Fail> {
        if e.code() == ErrorCode::PARTITION_EOF {
            if let Some(tp) = e.topic_partition() {
                let tp = tp.clone();
                self.at_eof(&tp);
                return Ok(());
            }
        }
        let _ = self.flush();
        match e.topic_partition() {
            Some(tp) => Err(Fail::fatal(format!(
                "Topic {} [{}] error: {}",
                tp.topic,
                tp.partition,
                errstr(&e)
            ))),
            None => Err(Fail::fatal(format!("Consumer error: {}", errstr(&e)))),
        }
    }

    /// Waits up to `WAIT` for a message, then takes whatever else is
    /// ready (up to `BATCH`) without waiting, and writes it out: kcat's
    /// `consume_callback_queue` loop, with one write per burst.
    fn run(&mut self, errors: &Arc<Mutex<Option<Fail>>>) -> Result<(), Fail> {
        while self.running {
            let mut wait = WAIT;
            for _ in 0..BATCH {
                let r = self.consumer.poll(wait);
                wait = Duration::ZERO;
                if let Some(f) = take_error(errors) {
                    let _ = self.flush();
                    return Err(f);
                }
                match r {
                    Ok(Some(m)) => self.message(&m)?,
                    Ok(None) => break,
                    Err(e) if e.is_closed() => return self.flush(),
                    Err(e) => self.error(e)?,
                }
                if !self.running {
                    break;
                }
            }
            self.flush()?;
        }
        self.flush()
    }
}

/// The message's error text (librdkafka's `rd_kafka_message_errstr`).
fn errstr(e: &KafkaError) -> String {
    if e.message().is_empty() {
        err2str(e)
    } else {
        e.message().to_string()
    }
}

fn consumer_config(conf: &Conf, errors: &Arc<Mutex<Option<Fail>>>) -> Config {
    let mut c = conf.client_config(errors);
    if c.get("group.id").is_none() {
        c.set("group.id", "fkcat");
    }
    // librdkafka 2.2 added `fetch.queue.backoff.ms` (1 s): once a
    // partition's pre-fetch queue passes its thresholds, its next fetch
    // waits that long. A tool draining partitions as fast as it can write
    // them spends most of a large read waiting there (measured: 5.4 s vs
    // 1.6 s for 1M records over 64 partitions); 10 ms keeps the fetches
    // flowing, as they do for kcat on librdkafka 2.0.2.
    if c.get("fetch.queue.backoff.ms").is_none() {
        c.set("fetch.queue.backoff.ms", "10");
    }
    if c.get("enable.auto.commit").is_none() && conf.mode == Some(Mode::Consume) {
        c.set("enable.auto.commit", "false");
    }
    c
}

fn new_run<'a>(conf: &'a Conf, consumer: &'a Consumer, assignment: Arc<Mutex<Assignment>>) -> Run<'a> {
    Run {
        conf,
        consumer,
        out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
        buf: Vec::with_capacity(1 << 17),
        running: true,
        received: 0,
        stopped: HashSet::new(),
        stop_threshold: usize::MAX,
        assignment,
        null_str: if conf.null { Some(b"NULL") } else { None },
    }
}

/// `-C`: kcat's `consumer_run`.
pub fn simple(conf: &Conf) -> Result<i32, Fail> {
    let errors = Arc::new(Mutex::new(None));
    let consumer = Consumer::new(&consumer_config(conf, &errors))
        .map_err(|e| Fail::fatal(format!("Failed to create consumer: {}", e.message())))?;
    let topic = conf.topic.as_deref().expect("-t checked");
    let md = consumer
        .list_topics(Some(topic), conf.metadata_timeout())
        .map_err(|e| Fail::fatal(format!("Failed to query metadata for topic {topic}: {}", err2str(&e))))?;
    let Some(t) = md.topics.get(topic) else {
        return Err(Fail::fatal(format!("No such topic in cluster: {topic}")));
    };
    if let Some(e) = &t.error {
        return Err(Fail::fatal(format!("Topic {topic} error: {}", err2str(e))));
    }
    if t.partitions.is_empty() {
        return Err(Fail::fatal(format!("Topic {topic} has no partitions")));
    }
    let wanted: Vec<i32> = t
        .partitions
        .keys()
        .copied()
        .filter(|p| conf.partition == PARTITION_UA || *p == conf.partition)
        .collect();
    let mut offsets: Vec<i64> = Vec::new();
    if conf.start_ts != 0 && !wanted.is_empty() {
        let q: Vec<TopicPartition> = wanted
            .iter()
            .map(|p| TopicPartition::with_offset(topic, *p, conf.start_ts))
            .collect();
        let r = match consumer.offsets_for_times(&q, conf.metadata_timeout()) {
            Ok(r) => r,
            Err(e) if !e.partition_results().is_empty() => e.partition_results().to_vec(),
            Err(e) => return Err(Fail::fatal(format!("offsets_for_times failed: {}", err2str(&e)))),
        };
        offsets = wanted
            .iter()
            .map(|p| r.iter().find(|tp| tp.partition == *p).map(|tp| tp.offset).unwrap_or(0))
            .collect();
    }
    if wanted.is_empty() {
        return Err(Fail::fatal(format!(
            "Topic {topic} (with partitions 0..{}): partition {} does not exist",
            t.partitions.len() as i64 - 1,
            conf.partition
        )));
    }
    let start = if conf.offset == OFFSET_INVALID {
        OFFSET_BEGINNING
    } else {
        conf.offset
    };
    let assign: Vec<TopicPartition> = wanted
        .iter()
        .enumerate()
        .map(|(i, p)| TopicPartition::with_offset(topic, *p, offsets.get(i).copied().unwrap_or(start)))
        .collect();
    consumer.assign(&assign).map_err(|e| {
        Fail::fatal(format!(
            "Failed to start consuming topic {topic} [{}]: {}",
            wanted[0],
            err2str(&e)
        ))
    })?;
    let mut run = new_run(conf, &consumer, Arc::default());
    run.stop_threshold = if conf.exit_eof || conf.stop_ts != 0 {
        if conf.partition != PARTITION_UA {
            1
        } else {
            t.partitions.len()
        }
    } else {
        usize::MAX
    };
    let result = run.run(&errors);
    drop(run);
    let _ = consumer.close(Duration::from_secs(10));
    result.map(|()| 0)
}

fn partition_list(parts: &[TopicPartition]) -> String {
    let mut s = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&format!("{} [{}]", p.topic, p.partition));
    }
    s.push('\n');
    s
}

/// `-G`: kcat's `kafkaconsumer_run`.
pub fn group(conf: &Conf, topics: &[String]) -> Result<i32, Fail> {
    let errors = Arc::new(Mutex::new(None));
    let consumer = Consumer::new(&consumer_config(conf, &errors))
        .map_err(|e| Fail::fatal(format!("Failed to create consumer: {}", e.message())))?;
    let assignment: Arc<Mutex<Assignment>> = Arc::default();
    let group = conf.group.clone().unwrap_or_default();
    let verbosity = conf.verbosity;
    let offset = conf.offset;
    let exit_on_error = conf.exit_on_error;
    let callbacks = {
        let (a1, a2) = (assignment.clone(), assignment.clone());
        let (g1, g2) = (group.clone(), group);
        let (e1, e2) = (errors.clone(), errors.clone());
        RebalanceCallbacks::new()
            .on_assign(move |c, parts| rebalanced(c, &g1, true, parts, verbosity, offset, &a1, exit_on_error, &e1))
            .on_revoke(move |c, parts| rebalanced(c, &g2, false, parts, verbosity, offset, &a2, exit_on_error, &e2))
    };
    consumer.subscribe_with(topics, callbacks).map_err(|e| {
        Fail::fatal(format!(
            "Failed to subscribe to {} topics: {}\n",
            topics.len(),
            err2str(&e)
        ))
    })?;
    conf.info(1, "Waiting for group rebalance\n");
    let mut run = new_run(conf, &consumer, assignment);
    let result = run.run(&errors);
    drop(run);
    result?;
    consumer
        .close(Duration::from_secs(60))
        .map_err(|e| Fail::fatal(format!("Failed to close consumer: {}\n", err2str(&e))))?;
    Ok(0)
}

/// kcat's `rebalance_cb` and `incremental_rebalance_cb`.
#[allow(clippy::too_many_arguments)]
fn rebalanced(
    c: &Consumer,
    group: &str,
    assign: bool,
    parts: &[TopicPartition],
    verbosity: i32,
    offset: i64,
    assignment: &Mutex<Assignment>,
    exit_on_error: bool,
    errors: &Mutex<Option<Fail>>,
) {
    let member = c.member_id().ok().flatten().unwrap_or_default();
    let cooperative = matches!(c.rebalance_protocol(), Ok(p) if p.to_string().eq_ignore_ascii_case("COOPERATIVE"));
    let mut with_offsets: Vec<TopicPartition> = parts.to_vec();
    if assign && offset != OFFSET_INVALID {
        for p in &mut with_offsets {
            p.offset = offset;
        }
    }
    let mut a = assignment.lock().unwrap_or_else(|p| p.into_inner());
    let result = if cooperative {
        if verbosity >= 1 {
            let lost = if c.assignment_lost().unwrap_or(false) {
                ", assignment lost"
            } else {
                ""
            };
            eprint!(
                "% Group {group} rebalanced: incremental {} of {} partition(s) (memberid {member}{lost}, COOPERATIVE rebalance protocol): {}",
                if assign { "assignment" } else { "revoke" },
                parts.len(),
                partition_list(parts)
            );
        }
        if assign {
            let list = a.parts.get_or_insert_with(Vec::new);
            for p in parts {
                list.push((p.topic.clone(), p.partition));
            }
            c.incremental_assign(&with_offsets)
        } else {
            if let Some(list) = a.parts.as_mut() {
                list.retain(|k| !parts.iter().any(|p| p.topic == k.0 && p.partition == k.1));
            }
            c.incremental_unassign(parts)
        }
    } else {
        if verbosity >= 1 {
            eprint!(
                "% Group {group} rebalanced (memberid {member}): {}: {}",
                if assign { "assigned" } else { "revoked" },
                partition_list(parts)
            );
        }
        if assign {
            a.parts = Some(parts.iter().map(|p| (p.topic.clone(), p.partition)).collect());
            a.at_eof.clear();
            c.assign(&with_offsets)
        } else {
            a.parts = None;
            a.at_eof.clear();
            c.unassign()
        }
    };
    if let Err(e) = result {
        let msg = format!(
            "{}Rebalance {} of {} partition(s) failed: {}\n",
            if cooperative { "Incremental " } else { "" },
            if assign { "assign" } else { "unassign" },
            parts.len(),
            err2str(&e)
        );
        if exit_on_error {
            let mut slot = errors.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(Fail::fatal(format!("{msg}: terminating")));
        } else {
            eprintln!("% ERROR: {msg}");
        }
    }
}
