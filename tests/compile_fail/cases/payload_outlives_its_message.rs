// Key and value are borrowed from the message, never copied.
use ferrokafka::Message;

fn value_of(message: Message) -> Option<&'static [u8]> {
    message.value()
}

fn main() {}
