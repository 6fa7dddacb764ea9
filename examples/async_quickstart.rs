//! The quickstart, awaited: 10,000 async sends, then an async stream reads
//! them back in a consumer group, an awaited commit, and an async close.
//! Runs on tokio here, but ferrokafka itself depends on no runtime.
//!
//!     cargo run --example async_quickstart [-- --bootstrap-servers host:port]

mod common;

use ferrokafka::{Commit, Config, Consumer, Producer, Record, TopicPartition};
use std::time::{Duration, Instant};

const MESSAGES: usize = 10_000;
const TOPIC: &str = "async-quickstart";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ferrokafka::Result<()> {
    let cluster = common::cluster(TOPIC);
    let producer = Producer::new(&Config::from([(
        "bootstrap.servers",
        cluster.bootstrap_servers.as_str(),
    )]))?;

    let start = Instant::now();
    let values: Vec<String> = (0..MESSAGES).map(|i| format!("message {i}")).collect();
    // Each send is queued at once; its future resolves with the delivery.
    let sends: Vec<_> = values
        .iter()
        .map(|v| producer.send(Record::new(TOPIC).with_key(v).with_value(v)))
        .collect();
    let mut delivered = 0;
    let mut failed = 0;
    for r in futures::future::join_all(sends).await {
        match r {
            Ok(_) => delivered += 1,
            Err(e) => {
                failed += 1;
                eprintln!("delivery failed: {e}");
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "Sent {MESSAGES} messages: {delivered} delivered, {failed} failed in {:.3} s ({:.0} msgs/s)",
        elapsed.as_secs_f64(),
        delivered as f64 / elapsed.as_secs_f64()
    );

    let mut config = common::consumer_config(&cluster.bootstrap_servers, "async-quickstart-group");
    config
        .set("enable.auto.commit", false)
        .set("enable.partition.eof", false);
    let consumer = Consumer::new(&config)?;
    consumer.subscribe(&[TOPIC])?;
    let start = Instant::now();
    let mut stream = consumer.stream();
    let mut consumed = 0;
    while consumed < MESSAGES {
        match tokio::time::timeout(Duration::from_secs(30), stream.next()).await {
            Ok(Some(Ok(_msg))) => consumed += 1,
            Ok(Some(Err(e))) => return Err(e),
            Ok(None) | Err(_) => break,
        }
    }
    drop(stream);
    println!("Consumed {consumed} messages in {:.3} s", start.elapsed().as_secs_f64());
    let committed = consumer.commit_future(Commit::Current).await?;
    let partitions: Vec<TopicPartition> = committed
        .iter()
        .map(|tp| TopicPartition::new(&tp.topic, tp.partition))
        .collect();
    for tp in consumer.committed(&partitions, Duration::from_secs(10))? {
        println!("  committed offset {} [{}] = {}", tp.topic, tp.partition, tp.offset);
    }
    consumer.close_async(Duration::from_secs(10)).await?;
    producer.close(Duration::from_secs(10))?;
    if consumed != MESSAGES {
        eprintln!("expected {MESSAGES} messages, consumed {consumed}");
        std::process::exit(1);
    }
    Ok(())
}
