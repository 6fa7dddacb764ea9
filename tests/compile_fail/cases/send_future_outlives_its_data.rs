// So does the future of an async send (the record may still wait for room
// in the queue).
use ferrokafka::{Config, Producer, Record};

fn main() {
    let producer = Producer::new(&Config::new()).unwrap();
    let future = {
        let value = String::from("v");
        producer.send(Record::new("t").with_value(&value))
    };
    drop(future);
}
