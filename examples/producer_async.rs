//! The guide's "Asynchronous writes": produce returns at once; the delivery
//! callback runs when `poll` serves it.
//!
//!     cargo run --example producer_async [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Config, Producer, Record};
use std::time::Duration;

fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster("async-writes");
    let mut config = Config::new();
    config
        .set("bootstrap.servers", &cluster.bootstrap_servers)
        .set("client.id", "async-example");
    let producer = Producer::new(&config)?;

    for i in 0..10 {
        let key = format!("key-{i}");
        let value = format!("value {i}");
        // The closure is this message's delivery callback (Python's `callback=acked`).
        producer.produce(
            Record::new("async-writes")
                .with_key(&key)
                .with_value(&value)
                .with_on_delivery(|report| match report.error() {
                    Some(e) => eprintln!("Failed to deliver message: {e}"),
                    None => println!(
                        "Message produced: {} [{}] @ {}",
                        report.topic(),
                        report.partition().unwrap_or(-1),
                        report.offset().unwrap_or(-1)
                    ),
                }),
        )?;
        // Wait up to 1 second for events: callbacks run inside poll.
        producer.poll(Duration::from_secs(1))?;
    }
    // Serve the remaining reports before exiting.
    producer.close(Duration::from_secs(10))
}
