//! What the serializer suites (tests/avro.rs, json_schema.rs, protobuf.rs)
//! share: the compatibility table runner and reading a topic back.

use super::python::LIMIT;
use ferrokafka::schema_registry::{CompatibilityLevel, Schema, SchemaRegistryClient};
use ferrokafka::{config, Consumer, TopicPartition};
use std::time::Duration;

/// One schema evolution: what it is, the old schema, the new one, and
/// whether it is compatible BACKWARD (the new reads the old) and FORWARD
/// (the old reads the new).
pub type Evolution = (&'static str, String, String, bool, bool);

/// Registers each evolution's old schema under a subject per level
/// (BACKWARD, FORWARD, FULL, NONE), then checks that `test_compatibility`
/// and registering the new one agree with the expected verdict (a 409
/// when incompatible).
pub fn check_evolutions(client: &SchemaRegistryClient, schema_type: &str, evolutions: &[Evolution]) {
    for (i, (what, old, new, backward, forward)) in evolutions.iter().enumerate() {
        for (level, expected) in [
            ("BACKWARD", *backward),
            ("FORWARD", *forward),
            ("FULL", *backward && *forward),
            ("NONE", true),
        ] {
            let subject = format!("evolve-{schema_type}-{i}-{level}");
            client
                .set_compatibility(Some(&subject), &CompatibilityLevel::new(level))
                .unwrap();
            client
                .register_schema(&subject, &Schema::new(old.as_str(), schema_type), false)
                .unwrap();
            let new_schema = Schema::new(new.as_str(), schema_type);
            assert_eq!(
                client.test_compatibility(&subject, &new_schema, None).unwrap(),
                expected,
                "{what} under {level}: test_compatibility"
            );
            match client.register_schema(&subject, &new_schema, false) {
                Ok(_) => assert!(expected, "{what} under {level}: registered, but incompatible"),
                Err(e) => {
                    assert!(!expected, "{what} under {level}: {e}");
                    assert_eq!((e.status(), e.error_code()), (Some(409), Some(409)), "{e}");
                    assert!(e.to_string().contains("incompatible"), "{e}");
                }
            }
        }
    }
}

/// The first `n` messages of `topic`'s partition 0 (key, value), read by an
/// assigned consumer within [`LIMIT`].
pub fn consume_values(bootstrap: &str, topic: &str, n: usize) -> Vec<(Option<Vec<u8>>, Vec<u8>)> {
    let consumer = Consumer::new(&config! {
        "bootstrap.servers" => bootstrap,
        "group.id" => format!("{topic}-g"),
        "enable.auto.commit" => false,
    })
    .unwrap();
    consumer.assign(&[TopicPartition::with_offset(topic, 0, 0)]).unwrap();
    let mut out = Vec::new();
    let deadline = std::time::Instant::now() + LIMIT;
    while out.len() < n && std::time::Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(500)).unwrap() {
            out.push((m.key().map(<[u8]>::to_vec), m.value().unwrap().to_vec()));
        }
    }
    consumer.close(LIMIT).unwrap();
    out
}
