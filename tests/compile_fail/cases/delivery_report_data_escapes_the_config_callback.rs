// A delivery report borrows librdkafka's copy of the message for the
// duration of the callback: its topic, key, value and headers cannot be
// kept after the callback returns.
use ferrokafka::Config;
use std::sync::{Arc, Mutex};

fn main() {
    let kept: Arc<Mutex<Vec<&'static [u8]>>> = Arc::default();
    let k = kept.clone();
    let mut config = Config::new();
    config.set_on_delivery(move |report| {
        k.lock().unwrap().push(report.value().unwrap());
    });
}
