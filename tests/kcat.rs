//! fkcat against kcat (issue 15): the same flags over the same records must
//! give byte-identical stdout, the same exit status and, where kcat's
//! stderr is part of its contract ("% Reached end ..." lines, "% ERROR:"
//! messages), the same stderr.
//!
//! kcat is Debian's `kcat` 1.7.1 (on Debian's librdkafka 2.0.2); fkcat is
//! `target/<profile>/fkcat`, built by `cargo build --features cli --bin
//! fkcat` (`cargo test` builds only its unit tests; scripts/test.sh builds
//! it first). Both talk to a `MockCluster` held open by this process (kcat
//! cannot handshake with Tansu 0.6). Without kcat the tests skip, unless
//! `FERROKAFKA_REQUIRE_BROKER=1` (then they fail).
//!
//! What is compared, and what cannot be (each controlled by the corpus
//! where it can be, masked only where it cannot):
//! - Timestamps: every corpus record has an explicit one. Records the two
//!   tools produce themselves are read back without `%T`.
//! - Records of different partitions interleave as fetch responses arrive,
//!   for kcat against itself too: runs over one partition (`-p`) compare
//!   raw bytes; runs over several compare the sorted lines (every format
//!   used there ends records with a newline and has none inside), and the
//!   "% Reached end" lines as a set, with ": exiting" on the last line.
//! - `-L`: the originating broker (first line; `originating_broker` in
//!   JSON) is whichever broker answered, and librdkafka 2.12.1 answers
//!   from its bootstrap connection (`host:port/bootstrap`, id -1) where
//!   2.0.2 names the broker (`host:port/1`): masked. Topics are created in
//!   name order, the order fkcat prints them in (ferrokafka's metadata is
//!   a map; kcat prints the broker's order).
//! - `-G`: member ids are assigned by the broker: masked.
//! - Usage text and `-V` name the tool and its librdkafka: only the exit
//!   status and the first line ("Error: ...") are compared.

use ferrokafka::{Config, MockCluster, Producer, Record};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

const BASE_TS: i64 = 1_700_000_000_000;
/// Children are killed after this long (none should come near it).
const CHILD_LIMIT: Duration = Duration::from_secs(60);

fn kcat_available() -> bool {
    let ok = Command::new("kcat")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("FERROKAFKA_REQUIRE_BROKER").as_deref() == Ok("1") {
            panic!("FERROKAFKA_REQUIRE_BROKER=1 but kcat is not installed (apt-get install kcat)");
        }
        eprintln!("skipping: kcat is not installed (apt-get install kcat; scripts/test.sh does)");
    }
    ok
}

/// The fkcat binary cargo built for this test (a test of the root
/// package, which owns the binary).
fn fkcat() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fkcat"))
}

/// A scratch directory: HOME for both tools (so no ~/.config/kcat.conf
/// applies) and where input files go.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("ferrokafka-kcat-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

#[derive(Debug)]
struct Output {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `program args` with `stdin`, killed after `CHILD_LIMIT`.
fn run(program: &Path, args: &[String], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env("HOME", scratch())
        .env_remove("KCAT_CONFIG")
        .env_remove("KAFKACAT_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let reader_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait().expect("wait");
        let _ = tx.send(());
        status
    });
    if rx.recv_timeout(CHILD_LIMIT).is_err() {
        // Ours, by its id.
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        panic!("{} {args:?} did not finish within {CHILD_LIMIT:?}", program.display());
    }
    let status = waiter.join().unwrap();
    feeder.join().unwrap();
    Output {
        code: status.code(),
        stdout: reader_out.join().unwrap(),
        stderr: reader_err.join().unwrap(),
    }
}

fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.len() > 3000 {
        format!("{}... ({} bytes)", &s[..3000], b.len())
    } else {
        s.into_owned()
    }
}

/// How a case's outputs are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compare {
    /// stdout and stderr byte for byte.
    Exact,
    /// Several partitions: sorted stdout lines; "% Reached end" lines as a
    /// set, the last one ending ": exiting".
    Sorted,
    /// Exit status and stderr's first line (usage errors; `-h`, `-V`).
    FirstLine,
    /// `-L`: the originating broker masked.
    Metadata,
}

struct Case {
    args: Vec<String>,
    stdin: Vec<u8>,
    compare: Compare,
}

fn case(args: &[&str], compare: Compare) -> Case {
    Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: Vec::new(),
        compare,
    }
}

fn sorted_lines(b: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = b.split_inclusive(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
    v.sort();
    v
}

/// The stderr of a run over several partitions: the set of lines with
/// ": exiting" taken off, and whether only the last line had it.
fn eof_lines(b: &[u8]) -> (Vec<String>, bool) {
    let s = String::from_utf8_lossy(b);
    let lines: Vec<&str> = s.lines().collect();
    let exiting: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].ends_with(": exiting")).collect();
    let well_placed = exiting.is_empty() || exiting == [lines.len() - 1];
    let mut set: Vec<String> = lines
        .iter()
        .map(|l| l.trim_end_matches(": exiting").to_string())
        .collect();
    set.sort();
    (set, well_placed)
}

fn mask_metadata(b: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(b).into_owned();
    if let Some(rest) = s.strip_prefix("{\"originating_broker\":{") {
        // JSON: up to the end of the originating broker's object.
        let end = rest.find('}').expect("originating broker object");
        return format!("{{\"originating_broker\":{{MASKED{}", &rest[end..]).into_bytes();
    }
    match s.split_once('\n') {
        Some((first, rest)) => {
            let masked = match first.find(" (from broker ") {
                Some(i) => format!("{} (from broker MASKED):", &first[..i]),
                None => first.to_string(),
            };
            format!("{masked}\n{rest}").into_bytes()
        }
        None => s.into_bytes(),
    }
}

/// stderr without librdkafka's own log lines ("%4|1700000000.123|FAC|..."):
/// they are the library's, not the tool's, and their texts change between
/// librdkafka versions (an offset reset, for one, names leader epochs in
/// 2.12.1).
fn without_logs(b: &[u8]) -> Vec<u8> {
    b.split_inclusive(|&c| c == b'\n')
        .filter(|l| !(l.len() > 2 && l[0] == b'%' && l[1].is_ascii_digit() && l[2] == b'|'))
        .flatten()
        .copied()
        .collect()
}

/// Runs a case with both tools; the differences found, if any.
fn compare(case: &Case) -> Option<String> {
    let mut k = run(Path::new("kcat"), &case.args, &case.stdin);
    let mut f = run(&fkcat(), &case.args, &case.stdin);
    k.stderr = without_logs(&k.stderr);
    f.stderr = without_logs(&f.stderr);
    let mut why = Vec::new();
    if k.code != f.code {
        why.push(format!("exit status: kcat {:?}, fkcat {:?}", k.code, f.code));
    }
    match case.compare {
        Compare::Exact => {
            if k.stdout != f.stdout {
                why.push("stdout differs".into());
            }
            if k.stderr != f.stderr {
                why.push("stderr differs".into());
            }
        }
        Compare::Sorted => {
            if sorted_lines(&k.stdout) != sorted_lines(&f.stdout) {
                why.push("stdout lines differ".into());
            }
            let (ks, kp) = eof_lines(&k.stderr);
            let (fs, fp) = eof_lines(&f.stderr);
            if ks != fs || kp != fp {
                why.push(format!("stderr differs (\": exiting\" last: kcat {kp}, fkcat {fp})"));
            }
        }
        Compare::FirstLine => {
            let first = |b: &[u8]| b.split(|&c| c == b'\n').next().unwrap_or_default().to_vec();
            if first(&k.stderr) != first(&f.stderr) {
                why.push("stderr's first line differs".into());
            }
        }
        Compare::Metadata => {
            if mask_metadata(&k.stdout) != mask_metadata(&f.stdout) {
                why.push("stdout differs (originating broker masked)".into());
            }
            if k.stderr != f.stderr {
                why.push("stderr differs".into());
            }
        }
    }
    if why.is_empty() {
        return None;
    }
    Some(format!(
        "{:?}: {}\n--- kcat stdout:\n{}\n--- fkcat stdout:\n{}\n--- kcat stderr:\n{}\n--- fkcat stderr:\n{}",
        case.args,
        why.join("; "),
        show(&k.stdout),
        show(&f.stdout),
        show(&k.stderr),
        show(&f.stderr)
    ))
}

/// Runs cases 8 at a time (each mostly waits on the broker) and fails
/// with every difference found.
fn run_all(cases: Vec<Case>) {
    let n = cases.len();
    let queue = Mutex::new(cases.into_iter());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| loop {
                let next = queue.lock().unwrap().next();
                let Some(c) = next else { break };
                if let Some(diff) = compare(&c) {
                    failures.lock().unwrap().push(diff);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{n} cases identical");
}

/// The records every consumer case reads: one cluster, written once.
struct Corpus {
    cluster: MockCluster,
}

/// Partition 0 of "corpus": the records whose bytes stress the formats.
/// A record: key, value, headers (name, value).
type Rec = (Option<Vec<u8>>, Option<Vec<u8>>, Vec<(Vec<u8>, Option<Vec<u8>>)>);

fn corpus_p0() -> Vec<Rec> {
    let h = |n: &[u8], v: Option<&[u8]>| (n.to_vec(), v.map(<[u8]>::to_vec));
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    vec![
        (Some(b"k1".to_vec()), Some(b"v1".to_vec()), vec![]),
        (None, Some(b"null key".to_vec()), vec![h(b"h1", Some(b"a"))]),
        (Some(Vec::new()), Some(b"empty key".to_vec()), vec![h(b"h", None)]),
        (
            Some(b"null value".to_vec()),
            None,
            vec![h(b"dup", Some(b"1")), h(b"dup", Some(b"2")), h(b"empty", Some(b""))],
        ),
        (Some(b"empty value".to_vec()), Some(Vec::new()), vec![]),
        (
            Some(vec![0xff, 0xfe, 0, 1]),
            Some(all_bytes),
            vec![
                h(b"bin", Some(&[0xff, 0x00, 0x22, 0x41])),
                h(b"quote\"", Some(b"back\\slash")),
            ],
        ),
        (
            Some(b"json".to_vec()),
            Some(
                "\"quoted\" \\ / \u{1} \t\n\r\x08\x0c \x7f \u{e9} \u{1F600}"
                    .as_bytes()
                    .to_vec(),
            ),
            vec![h(b"ctl", Some(b"\x01\x1f\n")), h(b"nul", None)],
        ),
        (Some(b"multi\nline".to_vec()), Some(b"line1\nline2\n".to_vec()), vec![]),
        (Some(b"big".to_vec()), Some(b"0123456789".repeat(500)), vec![]),
        (
            Some(b"num".to_vec()),
            Some(vec![0x80, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]),
            vec![h(b"n", Some(b"1"))],
        ),
        (Some(b"%s%k\\n".to_vec()), Some(b"%%\\x41".to_vec()), vec![]),
    ]
}

fn produce_corpus(cluster: &MockCluster) {
    let producer = Producer::new(&Config::from([
        ("bootstrap.servers", cluster.bootstrap_servers()),
        ("linger.ms", "0"),
    ]))
    .expect("producer");
    let mut ts = BASE_TS;
    let mut next_ts = || {
        ts += 1000;
        ts
    };
    for (key, value, headers) in corpus_p0() {
        let mut r = Record::new("corpus")
            .with_partition(0)
            .with_timestamp(next_ts())
            .with_key_opt(key.as_deref())
            .with_value_opt(value.as_deref());
        for (n, v) in &headers {
            r = r.with_header_bytes(n, v.as_deref());
        }
        producer.produce(r).expect("produce");
    }
    // Partition 1: timestamps one second apart, for -Q and s@/e@.
    for i in 0..6 {
        let (k, v) = (format!("t{i}"), format!("ts-{i}"));
        producer
            .produce(
                Record::new("corpus")
                    .with_partition(1)
                    .with_timestamp(BASE_TS + 100_000 + i * 1000)
                    .with_key(&k)
                    .with_value(&v),
            )
            .expect("produce");
    }
    // Partition 2 stays empty. "lines": three partitions of single-line
    // records (for runs over several partitions, compared line by line).
    for p in 0..3 {
        for i in 0..(5 + p * 3) {
            let (k, v) = (format!("key-{p}-{i}"), format!("value {p}/{i} \"q\" \\"));
            let mut r = Record::new("lines")
                .with_partition(p)
                .with_timestamp(BASE_TS + 200_000 + i as i64)
                .with_key(&k)
                .with_value(&v);
            if i % 3 == 0 {
                r = r.with_header("h", format!("{i}")).with_null_header("n");
            }
            producer.produce(r).expect("produce");
        }
    }
    producer.flush(Duration::from_secs(30)).expect("flush");
}

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let cluster = MockCluster::new(3).expect("mock cluster");
        // Created in name order: see the notes on -L at the top.
        cluster.create_topic("corpus", 3, 3).expect("topic");
        cluster.create_topic("lines", 3, 2).expect("topic");
        produce_corpus(&cluster);
        Corpus { cluster }
    })
}

/// `-b bootstrap`, then `args`. The mock cluster holds an empty fetch for
/// `fetch.wait.max.ms` (500 ms by default), the time every consumer run
/// spends reaching the end of a partition: both tools get 10 ms.
fn with_broker(bootstrap: &str, args: &[&str]) -> Vec<String> {
    let mut v = vec!["-b".to_string(), bootstrap.to_string()];
    if args
        .iter()
        .any(|a| ["-C", "-G"].iter().any(|m| a.starts_with(m)) || a.contains('C'))
    {
        v.extend(["-X".to_string(), "fetch.wait.max.ms=10".to_string()]);
    }
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

#[test]
fn consumer_formats_offsets_counts() {
    if !kcat_available() {
        return;
    }
    let b = corpus().cluster.bootstrap_servers().to_string();
    let c = |args: &[&str], cmp| Case {
        args: with_broker(&b, args),
        stdin: Vec::new(),
        compare: cmp,
    };
    let mut cases = Vec::new();
    // Every token alone and together, escapes, -J, -K, -D, -Z, -s...
    let formats: Vec<Vec<&str>> = vec![
        vec!["-f", "%t\\n"],
        vec!["-f", "%p\\n"],
        vec!["-f", "%o\\n"],
        vec!["-f", "%k\\n"],
        vec!["-f", "%s\\n"],
        vec!["-f", "%h\\n"],
        vec!["-f", "%T\\n"],
        vec!["-f", "%S\\n"],
        vec!["-f", "%K\\n"],
        vec!["-f", "%R"],
        vec![
            "-f",
            "Topic %t [%p] at offset %o: key %k: %s headers %h ts %T len %S/%K\\n",
        ],
        vec!["-f", "\\x41\\t%%\\r\\x30x\\xff\\012\\\\|%s|\\x00ignored"],
        vec![],
        vec!["-J"],
        vec!["-J", "-D", "\\n--\\n"],
        vec!["-J", "-f", "<%s>"],
        vec!["-K", "::"],
        vec!["-K", "\\t", "-D", "\\x1e"],
        vec!["-Z", "-f", "%k|%s|%K|%S\\n"],
        vec!["-Z", "-K", ":"],
        vec!["-J", "-Z"],
        vec!["-u", "-f", "%o %k\\n"],
        vec!["-s", "value=>I", "-f", "%o %s\\n"],
        vec!["-E", "-s", ">bBhHiIqQ", "-f", "%o %k %s\\n"],
        vec!["-s", "key=c c$", "-f", "%k\\n"],
    ];
    let offsets: Vec<Vec<&str>> = vec![
        vec![],
        vec!["-o", "beginning"],
        vec!["-o", "end"],
        vec!["-o", "3"],
        vec!["-o", "-2"],
        vec!["-o", "100"],
    ];
    for f in &formats {
        for o in &offsets {
            let mut a = vec!["-C", "-t", "corpus", "-p", "0", "-e"];
            a.extend(o.iter());
            a.extend(f.iter());
            cases.push(c(&a, Compare::Exact));
        }
    }
    // Counts and spellings (getopt clusters, operands anywhere).
    for a in [
        &["-C", "-t", "corpus", "-p", "0", "-c", "3", "-f", "%o\\n"][..],
        &["-Cc3", "-tcorpus", "-p0", "-f%o %k\\n"],
        &["-C", "-t", "corpus", "-p", "0", "-c", "0", "-e", "-f", "%o\\n"],
        &["-C", "-t", "corpus", "-p", "0", "-c", "100", "-e", "-J"],
        &["-Ce", "-c", "2", "-t", "corpus", "-p", "0", "-o", "-5", "-J"],
        &["-eCq", "-t", "corpus", "-p", "0"],
        &["-C", "-t", "corpus", "-p", "2", "-e", "-f", "%s\\n"],
        &[
            "-C",
            "-t",
            "corpus",
            "-p",
            "1",
            "-e",
            "-o",
            "s@1700000102000",
            "-f",
            "%o %T %s\\n",
        ],
        &[
            "-C",
            "-t",
            "corpus",
            "-p",
            "1",
            "-e",
            "-o",
            "e@1700000103000",
            "-f",
            "%o %T %s\\n",
        ],
        &[
            "-C",
            "-t",
            "corpus",
            "-p",
            "1",
            "-e",
            "-o",
            "s@1700000101000",
            "-o",
            "e@1700000104000",
            "-f",
            "%o %T %s\\n",
        ],
        &["-C", "-t", "corpus", "-p", "1", "-e", "-o", "s@1800000000000", "-J"],
        &["-v", "-C", "-t", "corpus", "-p", "1", "-e", "-J"],
        &["-C", "-t", "corpus", "-p", "7", "-e"],
    ] {
        cases.push(c(a, Compare::Exact));
    }
    // kcat drops a first argument "kcat" (for Docker images).
    cases.push(Case {
        args: [
            "kcat",
            "-b",
            &b,
            "-X",
            "fetch.wait.max.ms=10",
            "-C",
            "-t",
            "corpus",
            "-p",
            "1",
            "-e",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        stdin: Vec::new(),
        compare: Compare::Exact,
    });
    // Several partitions: lines sorted, "% Reached end" lines as a set.
    for a in [
        &["-C", "-t", "lines", "-e", "-f", "%t %p %o %k %s %T %S %K %h\\n"][..],
        &["-C", "-t", "lines", "-e", "-J"],
        &["-C", "-t", "lines", "-e", "-o", "end", "-J"],
        &["-C", "-t", "lines", "-e", "-o", "-3", "-K", "="],
        &["-C", "-t", "lines", "-e", "-o", "4", "-f", "%p %o\\n"],
        &["-C", "-t", "corpus", "-e", "-J"],
        &["-C", "-t", "corpus", "-e", "-o", "e@1700000103000", "-J"],
    ] {
        cases.push(c(a, Compare::Sorted));
    }
    // -F: the broker and a "topic." property from a properties file.
    let props = scratch().join("consumer.properties");
    std::fs::write(
        &props,
        format!("# kcat -F\n\n  bootstrap.servers={b}  \ntopic.auto.offset.reset=earliest\nclient.id=x\\=y\n"),
    )
    .unwrap();
    let props = props.to_str().unwrap().to_string();
    cases.push(Case {
        args: ["-F", &props, "-C", "-t", "corpus", "-p", "1", "-e", "-f", "%k=%s\\n"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        stdin: Vec::new(),
        compare: Compare::Exact,
    });
    run_all(cases);
}

#[test]
fn metadata_and_query() {
    if !kcat_available() {
        return;
    }
    let c = corpus();
    let b = c.cluster.bootstrap_servers().to_string();
    let ts = |i: i64| (BASE_TS + 100_000 + i * 1000).to_string();
    let (t0, t2, t9) = (ts(0), ts(2), ts(9));
    let q = |s: &str| s.to_string();
    let mut cases: Vec<Case> = Vec::new();
    for a in [
        vec![q("-L")],
        vec![q("-L"), q("-J")],
        vec![q("-L"), q("-t"), q("lines")],
        vec![q("-L"), q("-J"), q("-t"), q("corpus")],
    ] {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        cases.push(Case {
            args: with_broker(&b, &a),
            stdin: Vec::new(),
            compare: Compare::Metadata,
        });
    }
    let queries = [
        format!("corpus:1:{t0}"),
        format!("corpus:1:{t2}"),
        format!("corpus:1:{t9}"),
        "corpus:0:-1".to_string(),
        "corpus:2:-2".to_string(),
        format!("lines:2:{t2}"),
        "lines:0:0x10".to_string(),
    ];
    let mut all = vec!["-Q".to_string()];
    // Out of order on purpose: kcat sorts by topic, then partition.
    for qq in queries.iter().rev() {
        all.push("-t".into());
        all.push(qq.clone());
    }
    for json in [false, true] {
        for one in &queries {
            let mut a = vec!["-Q", "-t", one.as_str()];
            if json {
                a.push("-J");
            }
            cases.push(Case {
                args: with_broker(&b, &a),
                stdin: Vec::new(),
                compare: Compare::Exact,
            });
        }
        let mut a: Vec<&str> = all.iter().map(String::as_str).collect();
        if json {
            a.push("-J");
        }
        cases.push(Case {
            args: with_broker(&b, &a),
            stdin: Vec::new(),
            compare: Compare::Exact,
        });
    }
    run_all(cases);
}

#[test]
fn usage_and_argument_errors() {
    if !kcat_available() {
        return;
    }
    let bad_props = scratch().join("bad.properties");
    std::fs::write(&bad_props, "client.id=x\n=c\n").unwrap();
    let bad_props = bad_props.to_str().unwrap().to_string();
    let x = "127.0.0.1:1";
    let mut cases = Vec::new();
    for a in [
        &[][..],
        &["-C"],
        &["-b", x, "-C"],
        &["-b", x, "-Q"],
        &["-b", x, "-Q", "-t", "x"],
        &["-b", x, "-t", "x:1:2", "-Q"],
        &["-b", x, "-y"],
        &["-b", x, "-C", "-t"],
        &["-b", x, "-C", "-t", "t", "file"],
        &["-b", x, "-L", "topic"],
        &["-b", x, "-h"],
        &["-V"],
    ] {
        cases.push(case(a, Compare::FirstLine));
    }
    for a in [
        &["-b", x, "-C", "-t", "t", "-f", "%y"][..],
        &["-b", x, "-C", "-t", "t", "-f", "abc%"],
        &["-b", x, "-X", "foo"],
        &["-b", x, "-P", "-t", "t", "-D", ""],
        &["-b", x, "-P", "-t", "t", "-D", "\\x00"],
        &["-b", x, "-P", "-t", "t", "-l", "a", "b"],
        &["-b", x, "-P", "-t", "t", "-l", "/nonexistent/file"],
        &["-b", x, "-C", "-t", "t", "-s", "value=xyz"],
        &["-b", x, "-C", "-t", "t", "-s", ""],
        &["-b", x, "-P", "-t", "t", "-s", "i"],
        &["-b", x, "-P", "-t", "t", "-H", "=v"],
        &["-b", x, "-G", "g", "-o", "s@1", "t"],
        &["-b", x, "-F", "/nonexistent/file", "-C", "-t", "t"],
        &["-b", x, "-F", &bad_props, "-C", "-t", "t"],
        &["-b", x, "-C", "-t", "t", "-D", "\\xzz"],
        &["-b", x, "-C", "-t", "t", "-r", "http://registry"],
        &["-b", x, "-C", "-t", "t", "-s", "avro"],
        &["-b", x, "-C", "-t", "t", "-X", "schema.registry.url=http://r"],
        &["-b", x, "-U"],
    ] {
        cases.push(case(a, Compare::Exact));
    }
    run_all(cases);
}

/// Producer input: keys, empty lines and keys, bytes JSON would escape,
/// a last line without its newline.
/// The same with a non-empty key on every line: without `-p`, records
/// with an empty or null key go to a random partition.
const KEYED_INPUT: &[u8] = b"k1;v1\nk2;\nk3;v3\n\nk4;v4;x\nk5;bin\x01\xff\"\\\r\nk6;a|b|c\nk7;tab\there\nk8;last\n";
const PRODUCE_INPUT: &[u8] =
    b"k1;v1\nk2;\n;v3\n\n\nplain\nk4;v4;x\nk5;bin\x01\xff\"\\\r\nk6;a|b|c\nk7;tab\there\nk8;last";

#[test]
fn producer_modes() {
    if !kcat_available() {
        return;
    }
    let cluster = MockCluster::new(1).expect("mock cluster");
    let b = cluster.bootstrap_servers().to_string();
    let dir = scratch();
    let f1 = dir.join("file1.bin");
    std::fs::write(&f1, b"whole file\nwith lines\x00and NUL").unwrap();
    let f2 = dir.join("file2.bin");
    std::fs::write(&f2, b"second").unwrap();
    let empty = dir.join("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    let lines = dir.join("lines.txt");
    std::fs::write(&lines, PRODUCE_INPUT).unwrap();
    let (f1, f2, empty, lines) = (
        f1.to_str().unwrap().to_string(),
        f2.to_str().unwrap().to_string(),
        empty.to_str().unwrap().to_string(),
        lines.to_str().unwrap().to_string(),
    );
    let long_line = {
        let mut v = b"short\n".to_vec();
        v.extend(std::iter::repeat_n(b'x', 5000));
        v.extend_from_slice(b"\nafter\n");
        v
    };
    let input = PRODUCE_INPUT.to_vec();
    let cases: Vec<(Vec<&str>, Vec<u8>)> = vec![
        (vec!["-p", "0"], input.clone()),
        (vec!["-p", "0", "-K", ";"], input.clone()),
        (vec!["-p", "1", "-K", ";", "-Z"], input.clone()),
        (vec!["-p", "0", "-D", "|"], input.clone()),
        (
            vec![
                "-p", "0", "-D", "\\x0a", "-K", "\\x3b", "-H", "a=1", "-H", "b", "-H", "a=2", "-H", "c=",
            ],
            input.clone(),
        ),
        (vec!["-p", "0", "-k", "fixed", "-K", ";"], input.clone()),
        (vec!["-K", ";"], KEYED_INPUT.to_vec()),
        (vec!["-K", ";", "-z", "gzip", "-H", "x=y"], KEYED_INPUT.to_vec()),
        (vec!["-p", "0", "-c", "3"], input.clone()),
        (vec!["-p", "0", "-c3", "-K;", "-T"], input.clone()),
        (vec!["-p", "0", "-T"], input.clone()),
        (vec!["-p", "0", "-z", "gzip"], input.clone()),
        (vec!["-p", "0", "-z", "zstd", "-K", ";"], input.clone()),
        (vec!["-p", "0", "-z", "snappy"], input.clone()),
        (vec!["-p", "0", "-z", "lz4"], input.clone()),
        (
            vec!["-p", "0", "-X", "transactional.id=tx-ID", "-K", ";"],
            input.clone(),
        ),
        (vec!["-p", "0", "-X", "message.max.bytes=1000"], long_line.clone()),
        (vec!["-p", "1", "-k", "fk", &f1, &f2, &empty], Vec::new()),
        (vec!["-p", "1", &f1, "/nonexistent/file"], Vec::new()),
        (vec!["-p", "1", "/nonexistent/file"], Vec::new()),
        (vec!["-p", "0", "-l", &lines, "-K", ";"], Vec::new()),
        (vec!["-p", "0", "-D", "\\n\\n"], b"a\nb\n\nc\n\n\n\nd\n\n".to_vec()),
        (vec!["-p", "0"], Vec::new()),
    ];
    let partitions = 2;
    let mut failures = Vec::new();
    let n = cases.len();
    // Topics are created up front, in this process, so neither tool's
    // metadata request creates one with other settings.
    for i in 0..n {
        for tool in ["k", "f"] {
            cluster.create_topic(&format!("p{i}{tool}"), partitions, 1).unwrap();
        }
    }
    let work: Vec<(usize, Vec<&str>, Vec<u8>)> = cases.into_iter().enumerate().map(|(i, (a, s))| (i, a, s)).collect();
    let queue = Mutex::new(work.into_iter());
    let failed = Mutex::new(&mut failures);
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| loop {
                let next = queue.lock().unwrap().next();
                let Some((i, extra, stdin)) = next else { break };
                let args = |tool: &str| {
                    let topic = format!("p{i}{tool}");
                    let mut a = with_broker(&b, &["-P", "-t", &topic]);
                    a.extend(extra.iter().map(|s| s.to_string()));
                    a
                };
                let k = run(Path::new("kcat"), &args("k"), &stdin);
                let f = run(&fkcat(), &args("f"), &stdin);
                let mut why = Vec::new();
                if k.code != f.code {
                    why.push(format!("exit status: kcat {:?}, fkcat {:?}", k.code, f.code));
                }
                if k.stdout != f.stdout {
                    why.push("producer stdout (-T) differs".to_string());
                }
                // kcat's stderr here is its "% Failed to open" and
                // delivery lines; the first differ only in the librdkafka
                // error texts of the two versions.
                let first = |o: &Output| String::from_utf8_lossy(&o.stderr).lines().next().map(str::to_string);
                if first(&k).map(|l| l.starts_with("% ")) != first(&f).map(|l| l.starts_with("% ")) {
                    why.push("stderr differs".to_string());
                }
                // Read both topics back with kcat (one reader for both).
                for p in 0..partitions {
                    let read = |tool: &str| {
                        let topic = format!("p{i}{tool}");
                        let p = p.to_string();
                        run(
                            Path::new("kcat"),
                            &with_broker(
                                &b,
                                &[
                                    "-C",
                                    "-t",
                                    &topic,
                                    "-p",
                                    &p,
                                    "-e",
                                    "-q",
                                    "-f",
                                    "%p %o %K:%k %S:%s [%h]\\n",
                                ],
                            ),
                            &[],
                        )
                    };
                    let (rk, rf) = (read("k"), read("f"));
                    if rk.code != Some(0) || rf.code != Some(0) || rk.stdout != rf.stdout {
                        why.push(format!(
                            "partition {p} read back differs:\n--- from kcat's:\n{}\n--- from fkcat's:\n{}",
                            show(&rk.stdout),
                            show(&rf.stdout)
                        ));
                    }
                }
                if !why.is_empty() {
                    failed.lock().unwrap().push(format!(
                        "{extra:?}: {}\n--- kcat stderr:\n{}\n--- fkcat stderr:\n{}",
                        why.join("; "),
                        show(&k.stderr),
                        show(&f.stderr)
                    ));
                }
            });
        }
    });
    assert!(
        failures.is_empty(),
        "{} of {n} producer cases differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{n} producer cases identical");
}

#[test]
fn group_mode() {
    if !kcat_available() {
        return;
    }
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.set_group_initial_rebalance_delay(Duration::from_millis(0));
    cluster.create_topic("lines", 3, 1).unwrap();
    produce_lines_only(&cluster);
    let b = cluster.bootstrap_servers().to_string();
    for (i, extra) in [
        &["-f", "%t %p %o %k %s %h\\n"][..],
        &["-J", "-o", "-2"],
        &[
            "-X",
            "partition.assignment.strategy=cooperative-sticky",
            "-f",
            "%p %o %s\\n",
        ],
    ]
    .iter()
    .enumerate()
    {
        // A group each: the mock cluster keeps a member that left until
        // its session times out (45 s), so a second run in the same group
        // would wait for that. The group's name is masked in stderr.
        let args = |tool: &str| {
            let group = format!("g{i}{tool}");
            let mut a = with_broker(&b, &["-G", &group, "lines", "-e", "-o", "beginning"]);
            a.extend(extra.iter().map(|s| s.to_string()));
            a
        };
        let (k, f) = std::thread::scope(|s| {
            let k = s.spawn(|| run(Path::new("kcat"), &args("k"), &[]));
            let f = s.spawn(|| run(&fkcat(), &args("f"), &[]));
            (k.join().unwrap(), f.join().unwrap())
        });
        let args = args("k");
        let mask = |o: &Output| {
            let s = String::from_utf8_lossy(&without_logs(&o.stderr))
                .replace(&format!("Group g{i}k "), "Group G ")
                .replace(&format!("Group g{i}f "), "Group G ");
            let mut lines: Vec<String> = s
                .lines()
                .map(|l| {
                    let l = l.trim_end_matches(": exiting");
                    match l.find("memberid ") {
                        Some(i) => {
                            let rest = &l[i + 9..];
                            let end = rest.find([')', ',']).unwrap_or(rest.len());
                            format!("{}memberid MASKED{}", &l[..i], &rest[end..])
                        }
                        None => l.to_string(),
                    }
                })
                .collect();
            lines.sort();
            lines
        };
        assert_eq!(k.code, f.code, "{args:?}: exit status");
        assert_eq!(
            sorted_lines(&k.stdout),
            sorted_lines(&f.stdout),
            "{args:?}: stdout\n--- kcat:\n{}\n--- fkcat:\n{}",
            show(&k.stdout),
            show(&f.stdout)
        );
        assert!(!k.stdout.is_empty(), "{args:?}: kcat read nothing");
        assert_eq!(
            mask(&k),
            mask(&f),
            "{args:?}: stderr\n--- kcat:\n{}\n--- fkcat:\n{}",
            show(&k.stderr),
            show(&f.stderr)
        );
    }
}

fn produce_lines_only(cluster: &MockCluster) {
    let producer = Producer::new(&Config::from([("bootstrap.servers", cluster.bootstrap_servers())])).unwrap();
    for p in 0..3 {
        for i in 0..4 {
            let v = format!("v{p}-{i}");
            let mut r = Record::new("lines")
                .with_partition(p)
                .with_timestamp(BASE_TS + i as i64)
                .with_key("k")
                .with_value(&v);
            if i == 1 {
                r = r.with_header("h", "x");
            }
            producer.produce(r).unwrap();
        }
    }
    producer.flush(Duration::from_secs(30)).unwrap();
}
