// So is each header.
use ferrokafka::{HeaderRef, Message};

fn first_header(message: Message) -> Option<HeaderRef<'static>> {
    message.headers()?.get(0)
}

fn main() {}
