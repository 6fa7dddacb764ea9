//! The guide's "Synchronous writes": `flush` after each message makes the
//! write synchronous (simple, but throughput is bounded by the round trip).
//!
//!     cargo run --example producer_sync [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Config, KafkaError, Producer, Record};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the delivery callback leaves the outcome: (partition, offset) or why not.
type Outcome = Arc<Mutex<Option<Result<(i32, i64), KafkaError>>>>;

fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster("sync-writes");
    let producer = Producer::new(&Config::from([(
        "bootstrap.servers",
        cluster.bootstrap_servers.as_str(),
    )]))?;
    for i in 0..5 {
        let value = format!("value {i}");
        let outcome: Outcome = Arc::default();
        let slot = outcome.clone();
        producer.produce(
            Record::new("sync-writes")
                .with_key("key")
                .with_value(&value)
                .with_on_delivery(move |r| {
                    *slot.lock().unwrap() = Some(
                        r.result()
                            .map(|()| (r.partition().unwrap_or(-1), r.offset().unwrap_or(-1))),
                    );
                }),
        )?;
        // Block until the message is delivered (or failed).
        // A timeout is an error that says how many messages are left.
        if let Err(e) = producer.flush(Duration::from_secs(10)) {
            match e.remaining() {
                Some(left) => println!("{value:?} still undelivered ({left} in queue)"),
                None => return Err(e),
            }
        }
        let delivered = outcome.lock().unwrap().take();
        match delivered {
            Some(Ok((p, o))) => println!("wrote {value:?} to partition {p} at offset {o}"),
            Some(Err(e)) => println!("failed to write {value:?}: {e}"),
            None => {}
        }
    }
    producer.close(Duration::from_secs(10))
}
