//! `-P`: kcat's `producer_run`. Messages come from stdin (or the `-l`
//! file) split at the `-D` delimiter, or one per file operand.
//!
//! Input is read in large chunks and split in place; each record borrows
//! its bytes from the chunk (librdkafka copies them on produce), so a
//! message costs no allocation of its own.

use crate::{err2str, strerror, take_error, Conf, Fail};
use ferrokafka::{Producer, Record};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bytes read from the input at a time.
const CHUNK: usize = 1 << 20;
/// Records queued between two `poll(0)` calls (kcat polls after each).
const POLL_EVERY: u32 = 1000;

struct Out {
    producer: Producer,
    conf_headers: Vec<(String, Option<Vec<u8>>)>,
    topic: String,
    partition: i32,
    produced: u64,
    since_poll: u32,
    errors: Arc<Mutex<Option<Fail>>>,
}

impl Out {
    /// kcat's `produce`: retries while the local queue is full.
    fn produce(&mut self, key: Option<&[u8]>, value: Option<&[u8]>) -> Result<(), Fail> {
        let len = value.map(<[u8]>::len).unwrap_or(0);
        let mut record = Record::new(&self.topic).with_partition(self.partition);
        if let Some(k) = key {
            record = record.with_key(k);
        }
        if let Some(v) = value {
            record = record.with_value(v);
        }
        for (name, value) in &self.conf_headers {
            record = match value {
                Some(v) => record.with_header(name, v),
                None => record.with_null_header(name),
            };
        }
        loop {
            match self.producer.produce(record) {
                Ok(()) => break,
                Err(e) if e.is_queue_full() => {
                    record = e.into_record();
                    self.producer.poll(Duration::from_millis(5)).map_err(|e| {
                        Fail::fatal(format!("Failed to produce message ({len} bytes): {}", err2str(&e)))
                    })?;
                    self.check()?;
                }
                Err(e) => {
                    return Err(Fail::fatal(format!(
                        "Failed to produce message ({len} bytes): {}",
                        err2str(e.error())
                    )))
                }
            }
        }
        self.produced += 1;
        self.since_poll += 1;
        if self.since_poll >= POLL_EVERY {
            self.since_poll = 0;
            let _ = self.producer.poll(Duration::ZERO);
            self.check()?;
        }
        Ok(())
    }

    fn check(&self) -> Result<(), Fail> {
        match take_error(&self.errors) {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }
}

/// C's `memmem` for the delimiter: the first match at or after `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.len() == 1 {
        let b = needle[0];
        return hay[from..].iter().position(|&x| x == b).map(|i| i + from);
    }
    if hay.len() < needle.len() + from {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

pub fn run(conf: &Conf, input: Option<std::fs::File>, files: &[String]) -> Result<i32, Fail> {
    let errors = Arc::new(Mutex::new(None));
    let failed = Arc::new(AtomicU64::new(0));
    let mut config = conf.client_config(&errors);
    let txn = config.get("transactional.id").is_some_and(|t| !t.is_empty());
    if txn {
        conf.info(1, "Using transactional producer\n");
    }
    let mut msg_size = conf.msg_size;
    if let Some(m) = config.get("message.max.bytes") {
        let m = crate::format::atoi(m);
        conf.info(
            3,
            format!("Setting producer input buffer max size to message.max.bytes value {m}\n"),
        );
        msg_size = m.max(0) as usize;
    }
    let verbosity = conf.verbosity;
    let failed_in_cb = failed.clone();
    config.set_on_delivery(move |r| match r.error() {
        Some(e) => {
            if verbosity >= 1 {
                eprintln!("% Delivery failed for message: {}", err2str(&e));
            }
            failed_in_cb.fetch_add(1, Ordering::Relaxed);
        }
        None => {
            if verbosity >= 3 {
                eprintln!(
                    "% Message delivered to partition {} (offset {}) on broker {}",
                    r.partition().unwrap_or(-1),
                    r.offset().unwrap_or(-1),
                    r.broker_id().unwrap_or(-1)
                );
            }
        }
    });
    let producer =
        Producer::new(&config).map_err(|e| Fail::fatal(format!("Failed to create producer: {}", e.message())))?;
    if txn {
        producer
            .init_transactions(conf.metadata_timeout())
            .map_err(|e| Fail::fatal(format!("init_transactions(): {}", e.message())))?;
        producer
            .begin_transaction()
            .map_err(|e| Fail::fatal(format!("begin_transaction(): {}", e.message())))?;
    }
    let mut out = Out {
        producer,
        conf_headers: conf.headers.clone(),
        topic: conf.topic.clone().expect("-t checked"),
        partition: conf.partition,
        produced: 0,
        since_poll: 0,
        errors: errors.clone(),
    };
    let mut exit = 0;
    if !files.is_empty() && !conf.line_mode {
        let mut good = 0;
        for path in files {
            match std::fs::read(path) {
                Ok(data) if data.is_empty() => {
                    conf.info(3, format!("Skipping empty file {path}\n"));
                    good += 1;
                }
                Ok(data) => {
                    conf.info(4, format!("Producing file {path} ({} bytes)\n", data.len()));
                    out.produce(conf.fixed_key.as_deref(), Some(&data))?;
                    good += 1;
                }
                Err(e) => conf.info(1, format!("Failed to open {path}: {}\n", strerror(&e))),
            }
        }
        if good == 0 {
            exit = 1;
        } else if good < files.len() {
            conf.info(
                1,
                format!("Failed to produce from {}/{} files\n", files.len() - good, files.len()),
            );
        }
    } else {
        let mut reader: Box<dyn Read> = match input {
            Some(f) => Box::new(f),
            None => Box::new(std::io::stdin().lock()),
        };
        read_messages(conf, &mut out, &mut *reader, msg_size)?;
    }
    out.check()?;
    if txn {
        conf.info(1, "Committing transaction\n");
        out.producer
            .commit_transaction(conf.metadata_timeout())
            .map_err(|e| Fail::fatal(format!("commit_transaction(): {}", e.message())))?;
        conf.info(1, "Transaction successfully committed\n");
    }
    // Wait for every delivery, as kcat does (no time limit).
    loop {
        match out.producer.flush(Duration::from_millis(500)) {
            Ok(()) => break,
            Err(e) if e.remaining().is_some() => {}
            Err(e) => return Err(Fail::fatal(err2str(&e))),
        }
        out.check()?;
    }
    out.check()?;
    drop(out);
    if failed.load(Ordering::Relaxed) > 0 {
        exit = 1;
    }
    Ok(exit)
}

/// kcat's input loop: messages split at the delimiter, empty ones skipped,
/// keys split off at the first `-K` delimiter, `-c` honoured, `-T` echoed.
fn read_messages(conf: &Conf, out: &mut Out, input: &mut dyn Read, msg_size: usize) -> Result<(), Fail> {
    let delim = conf.delim.as_slice();
    let max = msg_size.saturating_add(delim.len());
    let mut tee = conf
        .tee
        .then(|| std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()));
    let mut buf: Vec<u8> = vec![0; CHUNK];
    let mut len = 0; // bytes held in buf
    let mut start = 0; // where the next message starts
    let mut scanned = 0; // where the next delimiter search starts
    let mut eof = false;
    loop {
        // Every complete message in the buffer.
        while let Some(end) = find(&buf[..len], scanned, delim) {
            let msg = &buf[start..end];
            start = end + delim.len();
            scanned = start;
            if !msg.is_empty() {
                one_message(conf, out, msg, tee.as_mut())?;
                if out.produced == conf.msg_cnt as u64 {
                    return finish_tee(tee);
                }
            }
        }
        // A delimiter may straddle what has been read so far.
        scanned = (len + 1).saturating_sub(delim.len()).max(start);
        if eof {
            // What is left after the last delimiter is the last message.
            if start < len {
                let msg = &buf[start..len];
                one_message(conf, out, msg, tee.as_mut())?;
            }
            return finish_tee(tee);
        }
        if start > 0 {
            buf.copy_within(start..len, 0);
            len -= start;
            scanned -= start;
            start = 0;
        }
        if len > max {
            return Err(Fail::fatal(format!("Input is too large, maximum size is {max}")));
        }
        if buf.len() - len < CHUNK / 2 {
            buf.resize(buf.len() * 2, 0);
        }
        match input.read(&mut buf[len..]) {
            Ok(0) => eof = true,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Fail::fatal(format!("Unable to read message: {}", strerror(&e)))),
        }
    }
}

fn finish_tee(tee: Option<std::io::BufWriter<std::io::StdoutLock<'static>>>) -> Result<(), Fail> {
    if let Some(mut t) = tee {
        t.flush().map_err(Fail::write)?;
    }
    Ok(())
}

fn one_message(
    conf: &Conf,
    out: &mut Out,
    msg: &[u8],
    tee: Option<&mut std::io::BufWriter<std::io::StdoutLock<'static>>>,
) -> Result<(), Fail> {
    let mut key: Option<&[u8]> = None;
    let mut value: Option<&[u8]> = Some(msg);
    if let Some(kd) = conf.key_delim.as_deref() {
        if let Some(t) = find(msg, 0, kd).filter(|_| !kd.is_empty()) {
            let (k, v) = (&msg[..t], &msg[t + kd.len()..]);
            key = Some(k);
            value = Some(v);
            if conf.null {
                if v.is_empty() {
                    value = None;
                }
                if k.is_empty() {
                    key = None;
                }
            }
        }
    }
    if key.is_none() {
        key = conf.fixed_key.as_deref();
    }
    out.produce(key, value)?;
    if let Some(t) = tee {
        t.write_all(msg).map_err(|e| {
            Fail::fatal(format!(
                "Tee write error for message of {} bytes: {}",
                msg.len(),
                strerror(&e)
            ))
        })?;
    }
    Ok(())
}
