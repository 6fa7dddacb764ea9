//! fkcat: a kcat-compatible command-line tool on ferrokafka.
//!
//! It reads kcat 1.7.1's flags and writes what kcat writes, byte for byte:
//! `-C`/`-G` consumers with `-f` formats and `-J` envelopes, `-P` from
//! stdin or files, `-L` metadata, `-Q` offsets for times. See
//! README's "Moving from librdkafka or kcat" for what
//! is supported and what differs. Built with `cargo build --features cli
//! --bin fkcat`; it uses ferrokafka's public API only.
#![deny(unsafe_code)]

mod consume;
mod format;
mod getopt;
mod json;
mod meta;
mod produce;
mod props;

use ferrokafka::{
    Config, KafkaError, TopicPartition, OFFSET_BEGINNING, OFFSET_END, OFFSET_INVALID, OFFSET_STORED, PARTITION_UA,
};
use format::Fmt;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// kcat's option string (getopt).
const OPTSTRING: &str = ":PCG:LQt:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:U";

/// librdkafka's logical offset for "N from the end".
pub const OFFSET_TAIL_BASE: i64 = -2000;

/// How fkcat stops early: what to print on stderr and the exit status.
#[derive(Debug)]
pub struct Fail {
    pub stderr: Vec<u8>,
    pub code: i32,
}

impl Fail {
    /// kcat's `KC_FATAL`: "% ERROR: ..." and exit status 1.
    pub fn fatal(msg: impl AsRef<str>) -> Fail {
        Fail::fatal_bytes(msg.as_ref().as_bytes().to_vec())
    }

    pub fn fatal_bytes(msg: Vec<u8>) -> Fail {
        let mut stderr = b"% ERROR: ".to_vec();
        stderr.extend_from_slice(&msg);
        stderr.push(b'\n');
        Fail { stderr, code: 1 }
    }

    /// kcat's `usage(argv0, 1, reason)`: the reason, then the usage text.
    pub fn usage(reason: &str) -> Fail {
        let mut stderr = format!("Error: {reason}\n\n").into_bytes();
        stderr.extend_from_slice(usage_text().as_bytes());
        Fail { stderr, code: 1 }
    }

    /// Exit with `code`, having said what there was to say already.
    pub fn exit(code: i32) -> Fail {
        Fail {
            stderr: Vec::new(),
            code,
        }
    }

    /// A write error on stdout.
    pub fn write(e: std::io::Error) -> Fail {
        Fail::fatal(format!("Output write error: {}", strerror(&e)))
    }
}

/// C's `strerror` text for an I/O error (Rust adds " (os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// librdkafka's `rd_kafka_err2str` text of an error's code.
pub fn err2str(e: &KafkaError) -> String {
    e.code().description().into_owned()
}

/// The mode flags, `-C`, `-P`, `-L`, `-Q`, `-G`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Consume,
    Group,
    Produce,
    List,
    Query,
}

/// Everything the command line and the configuration files said.
pub struct Conf {
    pub verbosity: i32,
    pub exit_on_error: bool,
    pub mode: Option<Mode>,
    pub json: bool,
    pub key_delim: Option<Vec<u8>>,
    pub delim: Vec<u8>,
    pub fmt: Vec<Fmt>,
    pub pack: [Option<String>; 2],
    pub tee: bool,
    /// `-Z`.
    pub null: bool,
    /// `-l`.
    pub line_mode: bool,
    pub unbuffered: bool,
    pub msg_size: usize,
    pub topic: Option<String>,
    pub partition: i32,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub group: Option<String>,
    pub fixed_key: Option<Vec<u8>>,
    pub offset: i64,
    pub start_ts: i64,
    pub stop_ts: i64,
    pub msg_cnt: i64,
    pub exit_eof: bool,
    /// `-m`, seconds.
    pub metadata_timeout: i64,
    pub debug: bool,
    /// librdkafka properties, in the order given (`-X`, `-F`, `-z`, `-d`, `-G`).
    pub props: Vec<(String, String)>,
    /// Whether any property went through kcat's `try_conf_set` (which
    /// installs its throttle callback).
    pub throttle_cb: bool,
    pub query: Vec<TopicPartition>,
}

impl Conf {
    fn new() -> Conf {
        Conf {
            verbosity: 1,
            exit_on_error: true,
            mode: None,
            json: false,
            key_delim: None,
            delim: b"\n".to_vec(),
            fmt: Vec::new(),
            pack: [None, None],
            tee: false,
            null: false,
            line_mode: false,
            unbuffered: false,
            msg_size: 1024 * 1024,
            topic: None,
            partition: PARTITION_UA,
            headers: Vec::new(),
            group: None,
            fixed_key: None,
            offset: OFFSET_INVALID,
            start_ts: 0,
            stop_ts: 0,
            msg_cnt: 0,
            exit_eof: false,
            metadata_timeout: 5,
            debug: false,
            props: Vec::new(),
            throttle_cb: false,
            query: Vec::new(),
        }
    }

    /// kcat's `KC_INFO`: "% ..." on stderr at this verbosity or above.
    pub fn info(&self, level: i32, msg: impl AsRef<str>) {
        if self.verbosity >= level {
            eprint!("% {}", msg.as_ref());
        }
    }

    /// `-m` as milliseconds.
    pub fn metadata_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis((self.metadata_timeout.max(0) as u64).saturating_mul(1000))
    }

    /// Sets a property as kcat's `try_conf_set` does: "topic." names go to
    /// the topic configuration (which librdkafka's global one also takes).
    fn set_prop(&mut self, name: &str, value: &str) {
        let name = name.strip_prefix("topic.").unwrap_or(name);
        self.props.retain(|(k, _)| k != name);
        self.props.push((name.to_string(), value.to_string()));
        self.throttle_cb = true;
    }

    /// The client configuration, with the error, log and throttle
    /// callbacks kcat installs. Errors that must stop the tool are left in
    /// `errors` (checked after each call that serves callbacks).
    pub fn client_config(&self, errors: &Arc<Mutex<Option<Fail>>>) -> Config {
        let mut c = Config::new();
        for (k, v) in &self.props {
            c.set(k.as_str(), v.as_str());
        }
        let verbosity = self.verbosity;
        let exit_on_error = self.exit_on_error;
        let sink = errors.clone();
        c.set_error_cb(move |e| {
            let reason = e.message();
            if e.is_fatal() {
                if verbosity >= 0 {
                    eprintln!("% FATAL CLIENT ERROR: {}: {}: terminating", err2str(e), reason);
                }
                let mut slot = sink.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(Fail::exit(0));
            } else if e.code() == ferrokafka::ErrorCode::ALL_BROKERS_DOWN {
                let msg = format!("{}: {}", err2str(e), reason);
                if exit_on_error {
                    let mut slot = sink.lock().unwrap_or_else(|p| p.into_inner());
                    slot.get_or_insert(Fail::fatal(format!("{msg}: terminating")));
                } else {
                    eprintln!("% ERROR: {msg}");
                }
            } else if verbosity >= 1 {
                eprintln!("% ERROR: {}: {}", err2str(e), reason);
            }
        });
        // librdkafka's own log line format (rd_kafka_log_print), on stderr.
        let quiet = verbosity == 0 && !self.debug;
        c.set_logger(move |r| {
            if quiet {
                return;
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            eprintln!(
                "%{}|{}.{:03}|{}|{}| {}",
                r.level,
                now.as_secs(),
                now.subsec_millis(),
                r.facility,
                r.client_name,
                r.message
            );
        });
        if self.throttle_cb {
            c.set_throttle_cb(move |t| {
                if verbosity >= 1 {
                    eprintln!(
                        "% Broker {} ({}) throttled request for {}ms",
                        t.broker_name,
                        t.broker_id,
                        t.throttle_time.as_millis()
                    );
                }
            });
        }
        c
    }
}

/// Takes a failure recorded by a callback, if any.
pub fn take_error(errors: &Arc<Mutex<Option<Fail>>>) -> Option<Fail> {
    errors.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// kcat's `add_topparoff`: "topic:partition:offset_or_timestamp".
fn add_topparoff(what: &str, list: &mut Vec<TopicPartition>, s: &str) -> Result<(), Fail> {
    let bad = || Fail::fatal(format!("{what}: expected \"topic:partition:offset_or_timestamp\""));
    let (topic, rest) = s.split_once(':').ok_or_else(bad)?;
    let (part, ts) = rest.split_once(':').ok_or_else(bad)?;
    let (p, n) = format::strtoul(part.as_bytes(), 0);
    if n == 0 {
        return Err(bad());
    }
    let (t, n) = strtoll_base0(ts);
    if n == 0 {
        return Err(bad());
    }
    list.push(TopicPartition::with_offset(topic, p as i32, t));
    Ok(())
}

/// `strtoll(s, &end, 0)`: the value and how many bytes were read.
fn strtoll_base0(s: &str) -> (i64, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let neg = b.get(i) == Some(&b'-');
    if matches!(b.get(i), Some(b'-') | Some(b'+')) {
        i += 1;
    }
    let (v, n) = format::strtoul(&b[i..], 0);
    if n == 0
        || b.get(i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'-' || *c == b'+')
    {
        return (0, 0);
    }
    let v = if neg {
        if v > i64::MAX as u64 + 1 {
            i64::MIN
        } else {
            (v as i64).wrapping_neg()
        }
    } else {
        v.min(i64::MAX as u64) as i64
    };
    (v, i + n)
}

/// kcat's `add_header`.
fn add_header(conf: &mut Conf, inp: &str) -> Result<(), Fail> {
    if inp.is_empty() || inp.starts_with('=') {
        return Err(Fail::fatal("Expected -H \"name=value..\" or -H \"name\""));
    }
    match inp.split_once('=') {
        Some((n, v)) => conf.headers.push((n.to_string(), Some(v.as_bytes().to_vec()))),
        None => conf.headers.push((inp.to_string(), None)),
    }
    Ok(())
}

/// What `main` does after the options: the operands and `-X dump`.
struct Parsed {
    operands: Vec<String>,
}

fn argparse(conf: &mut Conf, args: &[String]) -> Result<Parsed, Fail> {
    let (opts, operands) = getopt::parse(OPTSTRING, args);
    let mut fmt: Option<String> = None;
    let mut delim = "\n".to_string();
    let mut key_delim: Option<String> = None;
    let mut conf_files_read = 0;
    let mut no_conf_search = false;
    let mut brokers: Option<String> = None;
    let mut brokers_seen = false;
    for opt in opts {
        let (c, arg) = match opt {
            getopt::Opt::Bad(_) => return Err(Fail::usage("unknown argument")),
            getopt::Opt::Flag(c, a) => (c, a.unwrap_or_default()),
        };
        match c {
            'P' => conf.mode = Some(Mode::Produce),
            'C' => conf.mode = Some(Mode::Consume),
            'L' => conf.mode = Some(Mode::List),
            'Q' => conf.mode = Some(Mode::Query),
            'G' => {
                conf.mode = Some(Mode::Group);
                conf.group = Some(arg.clone());
                conf.props.retain(|(k, _)| k != "group.id");
                conf.props.push(("group.id".into(), arg));
            }
            't' => {
                if conf.mode == Some(Mode::Query) {
                    add_topparoff("-t", &mut conf.query, &arg)?;
                } else {
                    conf.topic = Some(arg);
                }
            }
            'p' => conf.partition = format::atoi(&arg),
            'b' => {
                brokers = Some(arg);
                brokers_seen = true;
            }
            'z' => {
                conf.props.retain(|(k, _)| k != "compression.codec");
                conf.props.push(("compression.codec".into(), arg));
            }
            'o' => match arg.as_str() {
                "end" => conf.offset = OFFSET_END,
                "beginning" => conf.offset = OFFSET_BEGINNING,
                "stored" => conf.offset = OFFSET_STORED,
                s if s.starts_with("s@") => conf.start_ts = format::strtoll(&s[2..]),
                s if s.starts_with("e@") => conf.stop_ts = format::strtoll(&s[2..]),
                s => {
                    let o = format::strtoll(s);
                    conf.offset = if o < 0 {
                        OFFSET_TAIL_BASE.wrapping_sub(o.wrapping_neg())
                    } else {
                        o
                    };
                }
            },
            'e' => conf.exit_eof = true,
            'E' => conf.exit_on_error = false,
            'f' => fmt = Some(arg),
            'J' => conf.json = true,
            's' => {
                let (field, t) = if let Some(t) = arg.strip_prefix("key=") {
                    (Some(0), t)
                } else if let Some(t) = arg.strip_prefix("value=") {
                    (Some(1), t)
                } else {
                    (None, arg.as_str())
                };
                if field != Some(1) {
                    if t != "avro" {
                        format::pack_check("key", t)?;
                    }
                    conf.pack[0] = Some(t.to_string());
                }
                if field != Some(0) {
                    if t != "avro" {
                        format::pack_check("value", t)?;
                    }
                    conf.pack[1] = Some(t.to_string());
                }
            }
            'r' => return Err(Fail::fatal("This build of kcat lacks Avro/Schema-Registry support")),
            'D' => delim = arg,
            'K' => key_delim = Some(arg),
            'k' => conf.fixed_key = Some(arg.into_bytes()),
            'H' => add_header(conf, &arg)?,
            'l' => conf.line_mode = true,
            'O' => {}
            'c' => conf.msg_cnt = format::strtoll(&arg),
            'm' => conf.metadata_timeout = format::strtoll(&arg),
            'Z' => conf.null = true,
            'd' => {
                conf.debug = true;
                conf.props.retain(|(k, _)| k != "debug");
                conf.props.push(("debug".into(), arg));
            }
            'q' => conf.verbosity = 0,
            'v' => conf.verbosity += 1,
            'T' => conf.tee = true,
            'u' => conf.unbuffered = true,
            'F' => {
                no_conf_search = true;
                if arg == "-" || arg == "none" {
                    continue;
                }
                read_conf_file(conf, &arg, true)?;
                conf_files_read += 1;
            }
            'X' => {
                if arg == "list" || arg == "help" || arg == "dump" {
                    return Err(Fail::fatal(format!(
                        "-X {arg} is not supported by fkcat (ferrokafka has no librdkafka property listing)"
                    )));
                }
                let Some((name, val)) = arg.split_once('=') else {
                    eprintln!("% Expected -X property=value, not {arg}, use -X list to display available properties");
                    return Err(Fail::exit(1));
                };
                if name.starts_with("schema.registry.") {
                    return Err(Fail::fatal("This build of kcat lacks Avro/Schema-Registry support"));
                }
                if name == "metadata.broker.list" || name == "bootstrap.servers" {
                    brokers_seen = true;
                }
                conf.set_prop(name, val);
            }
            'U' => return Err(Fail::exit(0)),
            'V' => {
                print!("{}", version_text());
                return Err(Fail::exit(0));
            }
            'h' => {
                print!("{}", usage_text());
                return Err(Fail::exit(0));
            }
            _ => return Err(Fail::usage("unknown argument")),
        }
    }

    if conf_files_read == 0 {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(p) = env("KCAT_CONFIG") {
            no_conf_search = true;
            read_conf_file(conf, &p, true)?;
        } else if let Some(p) = env("KAFKACAT_CONFIG") {
            conf.info(1, "KAFKA_CONFIG is deprecated!\n");
            conf.info(1, "Rename KAFKA_CONFIG to KCAT_CONFIG\n");
            no_conf_search = true;
            read_conf_file(conf, &p, true)?;
        }
    }
    if !no_conf_search {
        if let Some(home) = std::env::var("HOME").ok().filter(|h| !h.is_empty()) {
            let kpath = format!("{home}/.config/kcat.conf");
            if !read_conf_file(conf, &kpath, false)? {
                let kpath2 = format!("{home}/.config/kafkacat.conf");
                if read_conf_file(conf, &kpath2, false)? {
                    conf.info(1, "Configuration filename kafkacat.conf is deprecated!\n");
                    conf.info(1, format!("Rename {kpath2} to {kpath}\n"));
                }
            }
        }
    }
    brokers_seen |= conf
        .props
        .iter()
        .any(|(k, _)| k == "metadata.broker.list" || k == "bootstrap.servers");
    if !brokers_seen {
        return Err(Fail::usage("-b <broker,..> missing"));
    }

    if conf.mode.is_none() {
        use std::io::IsTerminal;
        let mode = if std::io::stdin().is_terminal() {
            Mode::Consume
        } else {
            Mode::Produce
        };
        conf.mode = Some(mode);
        conf.info(
            1,
            format!(
                "Auto-selecting {} mode (use -P or -C to override)\n",
                if mode == Mode::Consume { "Consumer" } else { "Producer" }
            ),
        );
    }
    let mode = conf.mode.expect("set above");
    if !matches!(mode, Mode::Group | Mode::List | Mode::Query) && conf.topic.is_none() {
        return Err(Fail::usage("-t <topic> missing"));
    } else if mode == Mode::Query && conf.query.is_empty() {
        return Err(Fail::usage("-t <topic>:<partition>:<offset_or_timestamp> missing"));
    }
    if let Some(b) = brokers {
        // -b wins over both spellings in the configuration.
        conf.props
            .retain(|(k, _)| k != "metadata.broker.list" && k != "bootstrap.servers");
        conf.props.push(("bootstrap.servers".into(), b));
    }

    for (i, pack) in conf.pack.iter().enumerate() {
        let Some(pack) = pack else { continue };
        if !matches!(mode, Mode::Group | Mode::Consume) {
            return Err(Fail::fatal("-s serdes only available in the consumer"));
        }
        let _ = i;
        if pack == "avro" {
            return Err(Fail::fatal("This build of kcat lacks Avro/Schema-Registry support"));
        }
    }

    if let Some(k) = &key_delim {
        conf.key_delim = Some(format::parse_delim(k)?);
    }
    conf.delim = format::parse_delim(&delim)?;

    if matches!(mode, Mode::Group | Mode::Consume) {
        conf.props.retain(|(k, _)| k != "enable.partition.eof");
        conf.props.push(("enable.partition.eof".into(), "true".into()));
        let fmt_bytes: Vec<u8> = match fmt {
            Some(f) => f.into_bytes(),
            None if conf.json => conf.delim.clone(),
            None => {
                let mut f = Vec::new();
                if let Some(k) = &conf.key_delim {
                    f.extend_from_slice(b"%k");
                    f.extend_from_slice(k);
                }
                f.extend_from_slice(b"%s");
                f.extend_from_slice(&conf.delim);
                // kcat builds this in a 64-byte buffer (snprintf).
                f.truncate(63);
                f
            }
        };
        conf.fmt = format::parse_fmt(&fmt_bytes)?;
    } else if mode == Mode::Produce && conf.delim.is_empty() {
        return Err(Fail::fatal("Message delimiter -D must not be empty when producing"));
    }
    Ok(Parsed { operands })
}

/// kcat's `read_conf_file`: `Ok(false)` when a file that may be missing is.
fn read_conf_file(conf: &mut Conf, path: &str, fatal: bool) -> Result<bool, Fail> {
    let props = match props::load_properties(path) {
        Ok(p) => p,
        Err(props::LoadError::Open(e)) => {
            if fatal {
                return Err(Fail::fatal(format!("Failed to open {path}: {}", strerror(&e))));
            }
            return Ok(false);
        }
        Err(props::LoadError::Syntax(line)) => {
            conf.info(
                if fatal { 1 } else { 3 },
                format!("Reading configuration from file {path}\n"),
            );
            return Err(Fail::fatal(format!("{path}:{line}: expected property=value\n")));
        }
    };
    conf.info(
        if fatal { 1 } else { 3 },
        format!("Reading configuration from file {path}\n"),
    );
    for (name, value) in props {
        // kcat's Java-configuration conversions.
        if name == "ssl.endpoint.identification.algorithm" {
            continue;
        }
        if name == "sasl.jaas.config" {
            if let Some((user, pass)) = props::plain_jaas(&value) {
                conf.set_prop("sasl.username", &user);
                conf.set_prop("sasl.password", &pass);
                continue;
            }
        }
        if name.starts_with("schema.registry.") {
            return Err(Fail::fatal(format!(
                "{path}: This build of kcat lacks Avro/Schema-Registry support\n"
            )));
        }
        conf.set_prop(&name, &value);
    }
    Ok(true)
}

fn version_text() -> String {
    format!(
        "fkcat - Apache Kafka producer and consumer tool (kcat 1.7.1 compatible) on ferrokafka\n\
         https://github.com/edenhill/kcat (the original)\n\
         Version {} (JSON, Transactions, IncrementalAssign, librdkafka {})\n\n",
        env!("CARGO_PKG_VERSION"),
        ferrokafka::librdkafka_version().1
    )
}

fn usage_text() -> String {
    let mut s = String::from("Usage: fkcat <options> [file1 file2 .. | topic1 topic2 ..]]\n");
    s.push_str(&version_text());
    s.push_str(
        "\
General options:
  -C | -P | -L | -Q  Mode: Consume, Produce, Metadata List, Query mode
  -G <group-id>      Mode: High-level KafkaConsumer (balanced consumer groups);
                     expects a list of topics to subscribe to
  -t <topic>         Topic to consume from, produce to, or list
  -p <partition>     Partition
  -b <brokers,..>    Bootstrap broker(s) (host[:port])
  -D <delim>         Message delimiter string: a-z | \\r | \\n | \\t | \\xNN ..
                     Default: \\n
  -K <delim>         Key delimiter (same format as -D)
  -c <cnt>           Limit message count
  -m <seconds>       Metadata (et.al.) request timeout. Default: 5 seconds.
  -F <config-file>   Read configuration properties from file (property=value);
                     also $KCAT_CONFIG, default $HOME/.config/kcat.conf
  -X prop=val        Set librdkafka configuration property (\"topic.\" prefix
                     allowed)
  -d <dbg1,...>      Enable librdkafka debugging
  -q                 Be quiet (verbosity set to 0)
  -v                 Increase verbosity
  -E                 Do not exit on non-fatal error
  -V                 Print version
  -h                 Print usage help

Producer options:
  -z snappy|gzip|lz4|zstd  Message compression. Default: none
  -p -1              Use random partitioner
  -k <str>           Use a fixed key for all messages (-K keys take precedence)
  -H <header=value>  Add Message Headers (may be specified multiple times)
  -l                 Send messages from a file separated by delimiter, as with
                     stdin (only one file allowed)
  -T                 Output sent messages to stdout, acting like tee.
  -c <cnt>           Exit after producing this number of messages
  -Z                 Send empty messages as NULL messages
  file1 file2..      Read messages from files, one message per file
  -X transactional.id=..  Send all messages in a single transaction

Consumer options:
  -o <offset>        Offset to start consuming from: beginning | end | stored |
                     <value> | -<value> (from end) | s@<ts> (start) |
                     e@<ts> (stop, not included)
  -e                 Exit successfully when last message received
  -f <fmt..>         Output formatting string, see below.
  -J                 Output with JSON envelope
  -s [key=|value=]<pack>  Deserialize keys/values: <>bBhHiIqQcs$
  -D <delim>         Delimiter to separate messages on output
  -K <delim>         Print message keys prefixing the message with delimiter
  -c <cnt>           Exit after consuming this number of messages
  -Z                 Print NULL values and keys as \"NULL\" instead of empty.
  -u                 Unbuffered output

Metadata options (-L):
  -t <topic>         Topic to query (optional)

Query options (-Q):
  -t <t>:<p>:<ts>    Get offset for topic <t>, partition <p>, timestamp <ts>
                     (ms since epoch); may be repeated

Format string tokens:
  %s %S %R           Payload, its length (-1 for NULL), as big-endian int32
  %k %K              Key, its length (-1 for NULL)
  %T                 Timestamp (ms since epoch)
  %h                 Headers (n=v CSV)
  %t %p %o           Topic, partition, offset
  \\n \\r \\t \\xXX      Newline, return, tab, any byte

",
    );
    s
}

fn run(args: &[String]) -> Result<i32, Fail> {
    let mut args = args.to_vec();
    // kcat drops a leading "kcat"/"kafkacat" argument (for Docker images).
    if args.first().is_some_and(|a| a == "kcat" || a == "kafkacat") {
        args.remove(0);
    }
    let mut conf = Conf::new();
    let parsed = argparse(&mut conf, &args)?;
    let mode = conf.mode.expect("argparse sets the mode");
    let mut input: Option<std::fs::File> = None;
    if !parsed.operands.is_empty() {
        if !matches!(mode, Mode::Produce | Mode::Group) {
            return Err(Fail::usage(
                "file/topic list only allowed in producer(-P)/kafkaconsumer(-G) mode",
            ));
        } else if conf.line_mode && parsed.operands.len() > 1 {
            return Err(Fail::fatal("Only one file allowed for line mode (-l)"));
        } else if conf.line_mode {
            let path = &parsed.operands[0];
            input = Some(
                std::fs::File::open(path).map_err(|e| Fail::fatal(format!("Cannot open {path}: {}", strerror(&e))))?,
            );
        }
    }
    match mode {
        Mode::Consume => consume::simple(&conf),
        Mode::Group => {
            if conf.start_ts != 0 || conf.stop_ts != 0 {
                return Err(Fail::fatal("-o ..@ timestamps can't be used with -G mode\n"));
            }
            consume::group(&conf, &parsed.operands)
        }
        Mode::Produce => produce::run(&conf, input, &parsed.operands),
        Mode::List => meta::list(&conf),
        Mode::Query => meta::query(&conf),
    }
}

fn main() {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let code = match run(&args) {
        Ok(code) => code,
        Err(f) => {
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().write_all(&f.stderr);
            f.code
        }
    };
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}
