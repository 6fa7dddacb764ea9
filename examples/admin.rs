//! The AdminClient against a real broker: creates a topic, describes it,
//! lists topics, describes the cluster and a consumer group, and deletes the
//! topic.
//!
//! ```text
//! cargo run --example admin -- --bootstrap-servers localhost:9092 [--group my-group]
//! ```
//!
//! librdkafka's mock cluster (`MockCluster`) has no admin APIs (no
//! CreateTopics, DescribeConfigs, DescribeGroups, …), so this example needs a
//! real broker: Apache Kafka, Confluent Platform, or Tansu
//! (`tansu broker --listener-url tcp://127.0.0.1:9092 --advertised-listener-url
//! tcp://127.0.0.1:9092 --storage-engine memory://tansu/`).

use ferrokafka::admin::{ConsumerGroupState, NewTopic};
use ferrokafka::{AdminClient, AdminOptions, Config, KafkaError};
use std::process::ExitCode;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

struct Args {
    bootstrap: String,
    group: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut bootstrap = None;
    let mut group = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--bootstrap-servers" | "-b" => bootstrap = Some(value("--bootstrap-servers")?),
            "--group" | "-g" => group = Some(value("--group")?),
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    match bootstrap {
        Some(bootstrap) => Ok(Args { bootstrap, group }),
        None => Err("no broker given".to_string()),
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("error: {problem}\n");
    }
    eprintln!(
        "usage: cargo run --example admin -- --bootstrap-servers HOST:PORT [--group GROUP_ID]\n\n\
         This example needs a real Kafka broker. librdkafka's mock cluster (ferrokafka::MockCluster)\n\
         has no admin APIs: CreateTopics, DescribeConfigs, DescribeGroups and the like are not\n\
         implemented there, so admin requests against it fail or time out.\n\
         To try it locally, start Apache Kafka or Tansu, e.g.:\n  \
         tansu broker --listener-url tcp://127.0.0.1:9092 --advertised-listener-url tcp://127.0.0.1:9092 \\\n    \
         --storage-engine memory://tansu/\n  \
         cargo run --example admin -- --bootstrap-servers 127.0.0.1:9092"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    env_logger_lite();
    let args = match parse_args() {
        Ok(a) => a,
        Err(problem) => return usage(&problem),
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> ferrokafka::Result<()> {
    let mut config = Config::new();
    config.set("bootstrap.servers", &args.bootstrap);
    let admin = AdminClient::new(&config)?;
    let opts = AdminOptions::new().request_timeout(Duration::from_secs(30));

    // The cluster.
    let cluster = admin.describe_cluster(&opts)?.wait(WAIT)??;
    println!(
        "cluster {} — controller {}",
        cluster.cluster_id.as_deref().unwrap_or("(no id)"),
        cluster
            .controller
            .map(|n| n.to_string())
            .unwrap_or_else(|| "unknown".into())
    );
    for node in &cluster.nodes {
        println!(
            "  broker {node}{}",
            node.rack.as_deref().map(|r| format!(" rack {r}")).unwrap_or_default()
        );
    }

    // Create a topic (one result per topic).
    let topic = format!("ferrokafka-admin-example-{}", std::process::id());
    let create_opts = opts.clone().operation_timeout(Duration::from_secs(30));
    for (name, result) in admin
        .create_topics(
            &[NewTopic::new(&topic, 3, 1).with_config("retention.ms", "600000")],
            &create_opts,
        )?
        .wait(WAIT)?
    {
        match result {
            Ok(()) => println!("created topic {name}"),
            Err(e) => return Err(KafkaError::new(e.code(), format!("creating {name}: {}", e.message()))),
        }
    }

    // Describe it.
    for (name, result) in admin.describe_topics(&[&topic], &opts)?.wait(WAIT)? {
        let d = result?;
        println!("topic {name} (id {}, {} partitions)", d.topic_id, d.partitions.len());
        for p in &d.partitions {
            println!(
                "  partition {} leader {} replicas {:?} isr {:?}",
                p.id,
                p.leader
                    .as_ref()
                    .map(|n| n.id.to_string())
                    .unwrap_or_else(|| "-".into()),
                p.replicas.iter().map(|n| n.id).collect::<Vec<_>>(),
                p.isr.iter().map(|n| n.id).collect::<Vec<_>>()
            );
        }
    }

    // List topics (metadata).
    let md = admin.list_topics(None, Duration::from_secs(30))?;
    println!("{} topics in the cluster:", md.topics.len());
    for (name, t) in md.topics.iter().take(20) {
        println!("  {name} ({} partitions)", t.partitions.len());
    }

    // Consumer groups: the one asked for, or the first one listed.
    let listed = admin.list_consumer_groups(&[], &[], &opts)?.wait(WAIT)??;
    for e in &listed.errors {
        eprintln!("  (a broker could not list its groups: {e})");
    }
    println!("{} consumer groups", listed.valid.len());
    let group = args
        .group
        .clone()
        .or_else(|| listed.valid.first().map(|g| g.group_id.clone()));
    match group {
        None => println!("no consumer group to describe (pass --group)"),
        Some(group) => {
            for (id, result) in admin.describe_consumer_groups(&[&group], &opts)?.wait(WAIT)? {
                match result {
                    Ok(d) => {
                        println!(
                            "group {id}: state {}, type {}, assignor {:?}, coordinator {}",
                            d.state,
                            d.group_type,
                            d.partition_assignor,
                            d.coordinator.map(|n| n.to_string()).unwrap_or_else(|| "unknown".into())
                        );
                        if d.state == ConsumerGroupState::DEAD {
                            println!("  (the group does not exist)");
                        }
                        for m in &d.members {
                            println!(
                                "  member {} client {} host {} partitions {:?}",
                                m.member_id,
                                m.client_id,
                                m.host,
                                m.assignment
                                    .iter()
                                    .map(|tp| format!("{}[{}]", tp.topic, tp.partition))
                                    .collect::<Vec<_>>()
                            );
                        }
                    }
                    Err(e) => println!("group {id}: {e}"),
                }
            }
        }
    }

    // Delete the topic.
    for (name, result) in admin.delete_topics(&[&topic], &opts)?.wait(WAIT)? {
        result.map_err(|e| KafkaError::new(e.code(), format!("deleting {name}: {}", e.message())))?;
        println!("deleted topic {name}");
    }
    admin.close(Duration::from_secs(30))
}

/// Prints librdkafka warnings and errors (the `log` crate has no logger
/// installed in an example otherwise).
fn env_logger_lite() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata) -> bool {
            m.level() <= log::Level::Warn
        }
        fn log(&self, r: &log::Record) {
            if self.enabled(r.metadata()) {
                eprintln!("[{}] {}", r.level(), r.args());
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    let _ = log::set_logger(&LOGGER).map(|()| log::set_max_level(log::LevelFilter::Warn));
}
