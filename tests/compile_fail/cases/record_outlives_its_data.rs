// A record borrows its key and value until it is produced.
use ferrokafka::Record;

fn main() {
    let record = {
        let value = vec![1u8, 2, 3];
        Record::new("t").with_value(&value)
    };
    drop(record);
}
