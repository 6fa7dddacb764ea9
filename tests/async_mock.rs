//! Async sends, message streams, async commits and async close — each
//! scenario under tokio (multi-thread and current-thread) and under
//! `futures::executor`, since the crate depends on no runtime.

mod common;

use common::*;
use ferrokafka::{Commit, Config, Consumer, MockCluster, Producer, Record, TopicPartition};
use futures::StreamExt;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const T30: Duration = Duration::from_secs(30);

fn on_tokio_multi<F: Future<Output = ()>>(f: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn on_tokio_current<F: Future<Output = ()>>(f: F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn on_futures<F: Future<Output = ()>>(f: F) {
    futures::executor::block_on(f)
}

fn consumer_for(cluster: &MockCluster, group: &str) -> Consumer {
    let mut c = config_for(cluster);
    c.set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", false);
    Consumer::new(&c).unwrap()
}

/// 100,000 sends, each resolved exactly once, in per-partition order.
async fn many_sends(n: usize) {
    let topic = unique_topic("a-send");
    let cluster = mock_with_topic(&topic, 4);
    let mut config = config_for(&cluster);
    // A queue smaller than the burst, so sends also wait for room.
    config.set("queue.buffering.max.messages", 20_000).set("linger.ms", 5);
    let producer = Producer::new(&config).unwrap();
    let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let mut futures = futures::stream::FuturesOrdered::new();
    for (i, v) in values.iter().enumerate() {
        let f = producer.send(Record::new(&topic).with_value(v).with_partition((i % 4) as i32));
        futures.push_back(async move { (i, f.await) });
    }
    let mut resolved = vec![0u8; n];
    let mut last_offset: BTreeMap<i32, i64> = BTreeMap::new();
    while let Some((i, r)) = futures.next().await {
        let d = r.unwrap_or_else(|e| panic!("send {i} failed: {e}"));
        resolved[i] += 1;
        assert_eq!(d.partition, (i % 4) as i32);
        let prev = last_offset.insert(d.partition, d.offset);
        assert!(
            prev.is_none_or(|p| p < d.offset),
            "partition {} out of order at {i}",
            d.partition
        );
    }
    assert!(resolved.iter().all(|&c| c == 1), "every send resolved exactly once");
    assert_eq!(last_offset.values().map(|o| o + 1).sum::<i64>(), n as i64);
    producer.flush(T30).unwrap();
}

#[test]
fn many_sends_tokio_multi_thread() {
    on_tokio_multi(many_sends(100_000));
}

#[test]
fn many_sends_tokio_current_thread() {
    on_tokio_current(many_sends(100_000));
}

#[test]
fn many_sends_futures_executor() {
    on_futures(many_sends(100_000));
}

/// A stream that stops being polled (and is dropped) and resumes loses
/// nothing: messages it had taken go back to the consumer.
async fn stream_pause_resume() {
    let topic = unique_topic("a-stream");
    let cluster = mock_with_topic(&topic, 3);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    for i in 0..600 {
        let v = i.to_string();
        producer
            .send(Record::new(&topic).with_value(&v).with_partition(i % 3))
            .await
            .unwrap();
    }
    let consumer = consumer_for(&cluster, &unique_topic("g"));
    consumer
        .assign(
            &(0..3)
                .map(|p| TopicPartition::with_offset(&topic, p, 0))
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let mut got = Vec::new();
    for chunk in [50, 1, 120, 429] {
        let mut stream = consumer.stream();
        for _ in 0..chunk {
            let m = stream.next().await.unwrap().unwrap();
            got.push((m.partition(), m.offset()));
        }
        drop(stream); // it had taken more than it yielded
    }
    // Nothing lost, nothing twice, in order per partition.
    let distinct: HashSet<_> = got.iter().collect();
    assert_eq!(distinct.len(), 600);
    let mut per: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for (p, o) in got {
        per.entry(p).or_default().push(o);
    }
    assert!(per.values().all(|v| *v == (0..200).collect::<Vec<_>>()));
}

#[test]
fn stream_pause_resume_tokio_multi_thread() {
    on_tokio_multi(stream_pause_resume());
}

#[test]
fn stream_pause_resume_tokio_current_thread() {
    on_tokio_current(stream_pause_resume());
}

#[test]
fn stream_pause_resume_futures_executor() {
    on_futures(stream_pause_resume());
}

/// Many partitions and a slow trickle of messages: every message arrives
/// through wake-ups (the stream never stalls). The trickle is produced from
/// a plain thread; the check waits on the stream itself.
type Runner = for<'a> fn(std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>);

fn wakeup_stress(run: Runner) {
    let topic = unique_topic("a-trickle");
    let partitions = 32;
    let cluster = mock_with_topic(&topic, partitions);
    let consumer = consumer_for(&cluster, &unique_topic("g"));
    consumer.subscribe(&[&topic]).unwrap();
    let n = 200;
    let bootstrap = cluster.bootstrap_servers().to_string();
    let t = topic.clone();
    let trickle = std::thread::spawn(move || {
        let producer = Producer::new(&Config::from([("bootstrap.servers", bootstrap.as_str())])).unwrap();
        for i in 0..n {
            let v = i.to_string();
            // One message at a time, each fully delivered before the next:
            // the consumer's queue keeps going from empty to non-empty.
            producer
                .produce(Record::new(&t).with_value(&v).with_partition(i % partitions))
                .unwrap();
            producer.flush(T30).unwrap();
            if i % 20 == 0 {
                std::thread::sleep(Duration::from_millis(20)); // the load's shape, not synchronisation
            }
        }
    });
    run(Box::pin(async move {
        let mut stream = consumer.stream();
        let mut seen = HashSet::new();
        while seen.len() < n as usize {
            let m = tokio_free_timeout(stream.next())
                .await
                .expect("the stream stalled")
                .unwrap()
                .unwrap();
            seen.insert(std::str::from_utf8(m.value().unwrap()).unwrap().to_string());
        }
    }));
    trickle.join().unwrap();
}

/// A runtime-independent timeout: a helper thread wakes the task after the
/// bound (generous; reaching it means a lost wake-up).
async fn tokio_free_timeout<F: Future>(f: F) -> Option<F::Output> {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let timer = std::thread::spawn(move || {
        std::thread::sleep(scaled(T30));
        let _ = tx.send(());
    });
    let r = futures::future::select(Box::pin(f), rx).await;
    drop(timer);
    match r {
        futures::future::Either::Left((v, _)) => Some(v),
        futures::future::Either::Right(_) => None,
    }
}

#[test]
fn wakeup_stress_tokio_multi_thread() {
    wakeup_stress(|f| on_tokio_multi(f));
}

#[test]
fn wakeup_stress_tokio_current_thread() {
    wakeup_stress(|f| on_tokio_current(f));
}

#[test]
fn wakeup_stress_futures_executor() {
    wakeup_stress(|f| on_futures(f));
}

/// Dropping a send future loses neither the message nor its report.
async fn dropped_send_future() {
    let topic = unique_topic("a-drop");
    let cluster = mock_with_topic(&topic, 1);
    let delivered = Arc::new(AtomicUsize::new(0));
    let mut config = config_for(&cluster);
    {
        let d = delivered.clone();
        config.set_on_delivery(move |_| {
            d.fetch_add(1, Ordering::SeqCst);
        });
    }
    let producer = Producer::new(&config).unwrap();
    for i in 0..10 {
        let v = i.to_string();
        drop(producer.send(Record::new(&topic).with_value(&v)));
    }
    // The reports are served by the next serving call (and are not handed
    // to on_delivery: they belong to the futures).
    producer.flush(T30).unwrap();
    assert_eq!(delivered.load(Ordering::SeqCst), 0);
    assert_eq!(producer.len(), 0);
    let d = producer.send(Record::new(&topic).with_value("after")).await.unwrap();
    assert_eq!(d.offset, 10, "the ten dropped sends were written");
    let read = read_back(cluster.bootstrap_servers(), &topic, 1, 11, T30);
    assert_eq!(read.len(), 11);
}

#[test]
fn dropped_send_future_tokio_multi_thread() {
    on_tokio_multi(dropped_send_future());
}

#[test]
fn dropped_send_future_futures_executor() {
    on_futures(dropped_send_future());
}

/// An async commit resolves when the broker has answered.
async fn async_commit() {
    let topic = unique_topic("a-commit");
    let cluster = mock_with_topic(&topic, 2);
    let producer = Producer::new(&config_for(&cluster)).unwrap();
    for i in 0..20 {
        let v = i.to_string();
        producer
            .send(Record::new(&topic).with_value(&v).with_partition(i % 2))
            .await
            .unwrap();
    }
    let consumer = consumer_for(&cluster, &unique_topic("g"));
    consumer
        .assign(&[
            TopicPartition::with_offset(&topic, 0, 0),
            TopicPartition::with_offset(&topic, 1, 0),
        ])
        .unwrap();
    let msgs: Vec<_> = consumer.stream().take(20).collect().await;
    assert_eq!(msgs.len(), 20);
    let results = consumer.commit_future(Commit::Current).await.unwrap();
    let mut offsets: Vec<(i32, i64)> = results.iter().map(|tp| (tp.partition, tp.offset)).collect();
    offsets.sort();
    assert_eq!(offsets, vec![(0, 10), (1, 10)]);
    let committed = consumer
        .committed(&[TopicPartition::new(&topic, 0), TopicPartition::new(&topic, 1)], T30)
        .unwrap();
    assert!(committed.iter().all(|tp| tp.offset == 10));
    let last = msgs.last().unwrap().as_ref().unwrap();
    let r = consumer.commit_future(last).await.unwrap();
    assert_eq!(r[0].offset, last.offset() + 1);
}

#[test]
fn async_commit_tokio_multi_thread() {
    on_tokio_multi(async_commit());
}

#[test]
fn async_commit_tokio_current_thread() {
    on_tokio_current(async_commit());
}

#[test]
fn async_commit_futures_executor() {
    on_futures(async_commit());
}

/// Closing inside a current-thread runtime lets other tasks run meanwhile.
#[test]
fn close_async_lets_other_tasks_run() {
    let topic = unique_topic("a-close");
    let cluster = mock_with_topic(&topic, 2);
    cluster.set_group_initial_rebalance_delay(Duration::from_millis(50));
    let consumer = consumer_for(&cluster, &unique_topic("g"));
    let revoked = Arc::new(AtomicUsize::new(0));
    let r = revoked.clone();
    consumer
        .subscribe_with(
            &[&topic],
            ferrokafka::RebalanceCallbacks::new().on_revoke(move |_, p| {
                r.fetch_add(p.len(), Ordering::SeqCst);
            }),
        )
        .unwrap();
    // A slow coordinator: leaving the group takes a while.
    on_tokio_current(async {
        // Join the group first.
        let mut stream = consumer.stream();
        while consumer.assignment().unwrap().len() < 2 {
            let _ = tokio::time::timeout(Duration::from_millis(100), stream.next()).await;
        }
        drop(stream);
        cluster.set_broker_rtt(1, Duration::from_millis(300)).unwrap();
        cluster.set_broker_rtt(2, Duration::from_millis(300)).unwrap();
        cluster.set_broker_rtt(3, Duration::from_millis(300)).unwrap();
        let ticks = Arc::new(AtomicUsize::new(0));
        let t = ticks.clone();
        // Ticks every millisecond (a timer, not a busy loop: under valgrind,
        // which runs one thread at a time, a spinning task starved the
        // close's librdkafka threads into a 100 s close).
        let ticker = tokio::spawn(async move {
            loop {
                t.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
        let before = ticks.load(Ordering::SeqCst);
        consumer.close_async(scaled(T30)).await.unwrap();
        let during = ticks.load(Ordering::SeqCst) - before;
        ticker.abort();
        assert!(during > 0, "the other task ran while the consumer closed");
    });
    assert_eq!(revoked.load(Ordering::SeqCst), 2, "on_revoke ran inside close_async");
    assert!(consumer.is_closed());
}
