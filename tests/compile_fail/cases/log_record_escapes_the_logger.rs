// A log line is lent to the logger for the call.
use ferrokafka::Config;
use std::sync::{Arc, Mutex};

fn main() {
    let kept: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let k = kept.clone();
    let mut config = Config::new();
    config.set_logger(move |record| k.lock().unwrap().push(record.message));
}
