// Callbacks may run on any thread that serves the client: they must be Send
// and Sync.
use ferrokafka::Config;
use std::rc::Rc;

fn main() {
    let counter = Rc::new(0);
    let mut config = Config::new();
    config.set_error_cb(move |_| {
        let _ = Rc::clone(&counter);
    });
}
