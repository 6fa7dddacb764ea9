//! The guide's "Synchronous commits": commit every MIN_COMMIT_COUNT
//! messages, after processing them (at-least-once delivery).
//!
//!     cargo run --example consumer_sync_commit [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Commit, Consumer, ErrorCode};
use std::time::Duration;

const TOPIC: &str = "sync-commits";
const MIN_COMMIT_COUNT: usize = 10;

fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster(TOPIC);
    common::produce_samples(&cluster.bootstrap_servers, TOPIC, 50)?;

    let mut config = common::consumer_config(&cluster.bootstrap_servers, "sync-commit-group");
    config.set("enable.auto.commit", false);
    let consumer = Consumer::new(&config)?;
    consumer.subscribe(&[TOPIC])?;
    let mut msg_count = 0;
    let mut at_end = std::collections::HashSet::new();
    while at_end.len() < 4 {
        match consumer.poll(Duration::from_secs(1)) {
            Ok(None) => continue,
            Ok(Some(msg)) => {
                // msg_process(&msg) would go here.
                msg_count += 1;
                if msg_count % MIN_COMMIT_COUNT == 0 {
                    let results = consumer.commit_sync(Commit::Current)?;
                    let offsets: Vec<String> = results
                        .iter()
                        .filter(|tp| tp.offset >= 0) // partitions with nothing new to commit say OFFSET_INVALID
                        .map(|tp| format!("[{}]={}", tp.partition, tp.offset))
                        .collect();
                    println!(
                        "after {msg_count} messages (last: offset {}), committed {}",
                        msg.offset(),
                        offsets.join(" ")
                    );
                }
            }
            Err(e) if e.code() == ErrorCode::PARTITION_EOF => {
                at_end.insert(e.topic_partition().map(|tp| tp.partition).unwrap_or(-1));
            }
            Err(e) => return Err(e),
        }
    }
    consumer.close(Duration::from_secs(10))
}
