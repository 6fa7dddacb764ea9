//! The guide's "Basic poll loop": subscribe, poll, process, close.
//!
//!     cargo run --example consumer_basic [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Consumer, ErrorCode, Message};
use std::time::Duration;

const TOPIC: &str = "basic-poll";

fn msg_process(msg: &Message) {
    println!(
        "{} [{}] @ {}: {}",
        msg.topic(),
        msg.partition(),
        msg.offset(),
        String::from_utf8_lossy(msg.value().unwrap_or_default())
    );
}

fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster(TOPIC);
    common::produce_samples(&cluster.bootstrap_servers, TOPIC, 20)?;

    let consumer = Consumer::new(&common::consumer_config(&cluster.bootstrap_servers, "basic-poll-group"))?;
    consumer.subscribe(&[TOPIC])?;
    let mut at_end = std::collections::HashSet::new();
    // Stop once every partition reported its end (a service would loop forever).
    while at_end.len() < 4 {
        match consumer.poll(Duration::from_secs(1)) {
            Ok(None) => continue,
            Ok(Some(msg)) => msg_process(&msg),
            Err(e) if e.code() == ErrorCode::PARTITION_EOF => {
                let tp = e.topic_partition().expect("EOF names its partition");
                eprintln!("% {} [{}] reached end at offset {}", tp.topic, tp.partition, tp.offset);
                at_end.insert(tp.partition);
            }
            Err(e) => return Err(e),
        }
    }
    // Close down the consumer to commit final offsets and leave the group.
    consumer.close(Duration::from_secs(10))
}
