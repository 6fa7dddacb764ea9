//! Shared by the examples: where the cluster is (an embedded mock cluster
//! unless `--bootstrap-servers host:port` is given), and some sample data.
#![allow(dead_code)]

use ferrokafka::{Config, MockCluster, Producer, Record};
use std::time::Duration;

/// The cluster the example runs against. Keeps an embedded mock cluster
/// alive as long as it lives.
pub struct Cluster {
    pub bootstrap_servers: String,
    _mock: Option<MockCluster>,
}

/// Parses `--bootstrap-servers host:port`; without it, starts a mock
/// cluster with `topic` (4 partitions).
pub fn cluster(topic: &str) -> Cluster {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {
            let mock = MockCluster::new(3).expect("mock cluster");
            mock.create_topic(topic, 4, 3).expect("create topic");
            // The mock's default 3 s initial rebalance delay only slows demos.
            mock.set_group_initial_rebalance_delay(Duration::from_millis(100));
            println!("Embedded mock cluster at {}", mock.bootstrap_servers());
            Cluster {
                bootstrap_servers: mock.bootstrap_servers().to_string(),
                _mock: Some(mock),
            }
        }
        [flag, servers] if flag == "--bootstrap-servers" => {
            println!("Cluster at {servers}");
            Cluster {
                bootstrap_servers: servers.clone(),
                _mock: None,
            }
        }
        _ => {
            eprintln!(
                "usage: {} [--bootstrap-servers host:port]",
                std::env::args().next().unwrap_or_default()
            );
            std::process::exit(2);
        }
    }
}

/// Writes `n` sample messages ("message 0", …) to `topic`.
pub fn produce_samples(bootstrap: &str, topic: &str, n: usize) -> ferrokafka::Result<()> {
    let producer = Producer::new(&Config::from([("bootstrap.servers", bootstrap)]))?;
    for i in 0..n {
        let key = format!("key-{i}");
        let value = format!("message {i}");
        producer.produce(Record::new(topic).with_key(&key).with_value(&value))?;
    }
    // An error here (with `remaining()`) if any message was not delivered.
    producer.flush(Duration::from_secs(30))?;
    Ok(())
}

/// A consumer configuration for the examples' group.
pub fn consumer_config(bootstrap: &str, group: &str) -> Config {
    let mut config = Config::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", true);
    config
}
