//! Thread-safety and lifetime guarantees (issue 7, item 5): static
//! assertions of what is `Send`/`Sync`, and `trybuild` compile-fail tests
//! (`tests/compile_fail/cases/*.rs`, with the compiler's expected errors beside
//! them) for what must not compile: borrowed views escaping their callback
//! or outliving their message, a stream outliving its consumer, records
//! and send futures outliving their data, borrowed views crossing threads,
//! callbacks that are not `Send + Sync`.

use ferrokafka::admin::ConfigEntry;
use ferrokafka::*;

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}
fn owned<T: Send + Sync + 'static>() {}

#[test]
fn clients_values_and_futures_are_send_and_sync_where_documented() {
    send_sync::<Producer>();
    send_sync::<Consumer>();
    send_sync::<AdminClient>();
    send_sync::<MockCluster>();
    send_sync::<Config>();
    send_sync::<KafkaError>();
    send_sync::<TopicPartition>();
    send_sync::<ClusterMetadata>();
    send_sync::<ConsumerGroupMetadata>();
    send_sync::<ConfigEntry>();
    owned::<Message>();
    owned::<Delivery>();
    send::<Record<'static>>();
    send::<ProduceError<'static>>();
    send::<SendFuture<'static>>();
    send::<CommitFuture>();
    send::<MessageStream<'static>>();
    send::<AdminFuture<Vec<(TopicPartition, Result<()>)>>>();
    // Borrowed views that are plain data may cross threads within their
    // lifetime (a scoped thread), never beyond it (compile_fail/).
    send_sync::<Headers<'static>>();
    send_sync::<HeaderRef<'static>>();
    send_sync::<LogRecord<'static>>();
}

#[test]
fn what_must_not_compile_does_not() {
    let t = trybuild::TestCases::new();
    t.compile_fail("cases/*.rs");
}
