// A message stream borrows its consumer.
use ferrokafka::{Config, Consumer, MessageStream};

fn stream_of(config: &Config) -> MessageStream<'static> {
    let consumer = Consumer::new(config).unwrap();
    consumer.stream()
}

fn main() {
    let _ = stream_of(&Config::from([("group.id", "g")]));
}
