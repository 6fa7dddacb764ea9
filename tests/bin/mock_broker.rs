//! A librdkafka mock cluster in a process of its own, for tools that are
//! not linked with ferrokafka (kcat) and for side-by-side runs
//! (`scripts/kcat_compare.sh`).
//!
//! ```text
//! mock_broker [--brokers N] [--topic NAME:PARTITIONS]...
//! ```
//!
//! Starts `ferrokafka::MockCluster` with N brokers (default 1), creates the
//! topics asked for (replication factor 1), prints the bootstrap servers on
//! one line of stdout, then runs until its stdin closes (end of file or an
//! error), so that the cluster, and the data in it, lives exactly as long
//! as whoever holds the pipe. Exit status 2 for bad arguments, 1 if the
//! cluster cannot start.

use ferrokafka::MockCluster;
use std::io::{Read, Write};

fn usage(why: &str) -> ! {
    eprintln!("mock_broker: {why}\nusage: mock_broker [--brokers N] [--topic NAME:PARTITIONS]...");
    std::process::exit(2);
}

fn main() {
    let mut brokers = 1;
    let mut topics: Vec<(String, i32)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().unwrap_or_else(|| usage(&format!("{name} needs a value")));
        match arg.as_str() {
            "--brokers" => {
                let v = value("--brokers");
                brokers = v
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("--brokers {v}: not a number")));
            }
            "--topic" => {
                let v = value("--topic");
                let (name, parts) = v
                    .rsplit_once(':')
                    .unwrap_or_else(|| usage(&format!("--topic {v}: expected NAME:PARTITIONS")));
                let parts = parts
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("--topic {v}: {parts} is not a number")));
                topics.push((name.to_string(), parts));
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let cluster = match MockCluster::new(brokers) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mock_broker: {e}");
            std::process::exit(1);
        }
    };
    for (name, parts) in &topics {
        if let Err(e) = cluster.create_topic(name, *parts, 1) {
            eprintln!("mock_broker: topic {name}: {e}");
            std::process::exit(1);
        }
    }
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", cluster.bootstrap_servers())
        .and_then(|()| out.flush())
        .is_err()
    {
        std::process::exit(1);
    }
    drop(out);
    // Block until stdin closes: the parent's end of the pipe is the lease.
    let mut sink = [0u8; 256];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    drop(cluster);
}
