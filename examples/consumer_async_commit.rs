//! The guide's "Asynchronous commits": `commit_async` returns at once; the
//! result reaches the `on_commit` callback from a later `poll`.
//!
//!     cargo run --example consumer_async_commit [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Commit, Consumer, ErrorCode};
use std::time::Duration;

const TOPIC: &str = "async-commits";
const MIN_COMMIT_COUNT: usize = 10;

fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster(TOPIC);
    common::produce_samples(&cluster.bootstrap_servers, TOPIC, 50)?;

    let mut config = common::consumer_config(&cluster.bootstrap_servers, "async-commit-group");
    config.set("enable.auto.commit", false);
    config.set_on_commit(|err, partitions| match err {
        None => {
            let offsets: Vec<String> = partitions
                .iter()
                .filter(|tp| tp.offset >= 0) // partitions with nothing new to commit say OFFSET_INVALID
                .map(|tp| format!("[{}]={}", tp.partition, tp.offset))
                .collect();
            println!("committed {}", offsets.join(" "));
        }
        Some(e) => eprintln!("commit failed: {e}"),
    });
    let consumer = Consumer::new(&config)?;
    consumer.subscribe(&[TOPIC])?;
    let mut msg_count = 0;
    let mut at_end = std::collections::HashSet::new();
    while at_end.len() < 4 {
        match consumer.poll(Duration::from_secs(1)) {
            Ok(None) => continue,
            Ok(Some(_msg)) => {
                msg_count += 1;
                if msg_count % MIN_COMMIT_COUNT == 0 {
                    consumer.commit_async(Commit::Current)?;
                }
            }
            Err(e) if e.code() == ErrorCode::PARTITION_EOF => {
                at_end.insert(e.topic_partition().map(|tp| tp.partition).unwrap_or(-1));
            }
            Err(e) => return Err(e),
        }
    }
    // close() serves the last commit results, then leaves the group.
    consumer.close(Duration::from_secs(10))
}
