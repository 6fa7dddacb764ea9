// A delivery report is a view into librdkafka memory owned by the serving
// thread: it cannot be shared with (or sent to) another thread, not even a
// scoped one.
use ferrokafka::Config;

fn main() {
    let mut config = Config::new();
    config.set_on_delivery(|report| {
        std::thread::scope(|s| {
            s.spawn(|| println!("{}", report.topic()));
        });
    });
}
