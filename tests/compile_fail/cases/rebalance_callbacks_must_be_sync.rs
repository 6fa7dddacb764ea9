// Rebalance closures are shared by every call that serves the consumer.
use ferrokafka::RebalanceCallbacks;
use std::cell::RefCell;

fn main() {
    let assigned = RefCell::new(0);
    let _ = RebalanceCallbacks::new().on_assign(move |_, parts| {
        *assigned.borrow_mut() += parts.len();
    });
}
