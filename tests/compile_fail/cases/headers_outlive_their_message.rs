// A message's headers are borrowed from it (without copying).
use ferrokafka::{Headers, Message};

fn headers_of(message: Message) -> Option<Headers<'static>> {
    message.headers()
}

fn main() {}
