// The per-message delivery closure gets the same borrowed report: its
// headers cannot outlive the call.
use ferrokafka::{Headers, Record};
use std::sync::{Arc, Mutex};

fn main() {
    let kept: Arc<Mutex<Option<Headers<'static>>>> = Arc::default();
    let k = kept.clone();
    let _record = Record::new("t").with_value("v").with_on_delivery(move |report| {
        *k.lock().unwrap() = report.headers();
    });
}
