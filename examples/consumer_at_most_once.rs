//! The guide's "Delivery guarantees": committing *before* processing gives
//! at-most-once delivery (a crash after the commit skips the message).
//!
//!     cargo run --example consumer_at_most_once [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Consumer, ErrorCode};
use std::time::Duration;

const TOPIC: &str = "at-most-once";

fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster(TOPIC);
    common::produce_samples(&cluster.bootstrap_servers, TOPIC, 20)?;

    let mut config = common::consumer_config(&cluster.bootstrap_servers, "at-most-once-group");
    config.set("enable.auto.commit", false);
    let consumer = Consumer::new(&config)?;
    consumer.subscribe(&[TOPIC])?;
    let mut at_end = std::collections::HashSet::new();
    while at_end.len() < 4 {
        match consumer.poll(Duration::from_secs(1)) {
            Ok(None) => continue,
            Ok(Some(msg)) => {
                // Commit first: if this fails, the message is not processed.
                consumer.commit_sync(&msg)?;
                println!("processing offset {} of partition {}", msg.offset(), msg.partition());
            }
            Err(e) if e.code() == ErrorCode::PARTITION_EOF => {
                at_end.insert(e.topic_partition().map(|tp| tp.partition).unwrap_or(-1));
            }
            Err(e) => return Err(e),
        }
    }
    consumer.close(Duration::from_secs(10))
}
