// Nor moved to another thread, even one that ends before the callback
// returns.
use ferrokafka::DeliveryReport;

fn hand_off(report: DeliveryReport<'_>) {
    std::thread::scope(|s| {
        s.spawn(move || drop(report));
    });
}

fn main() {}
