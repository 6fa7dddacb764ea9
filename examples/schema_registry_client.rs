//! The Schema Registry client: register an Avro schema, evolve it, look it
//! up, and print ids and versions.
//!
//! With no arguments it starts ferrokafka's embedded registry
//! (`MockSchemaRegistry`: nothing to install); with
//! `--schema-registry-url URL` it uses a real one (the subject
//! `ferrokafka-example-value` is created there).
//!
//!     cargo run --example schema_registry_client --features schema-registry
//!     cargo run --example schema_registry_client --features schema-registry -- --schema-registry-url http://localhost:8081

use ferrokafka::schema_registry::{MockSchemaRegistry, Schema, SchemaRegistryClient};

const SUBJECT: &str = "ferrokafka-example-value";

const V1: &str = r#"{
  "type": "record", "name": "Order", "namespace": "example",
  "fields": [{"name": "id", "type": "long"}, {"name": "item", "type": "string"}]
}"#;

// Version 2 adds a field with a default: a backward-compatible change.
const V2: &str = r#"{
  "type": "record", "name": "Order", "namespace": "example",
  "fields": [{"name": "id", "type": "long"}, {"name": "item", "type": "string"},
             {"name": "quantity", "type": "int", "default": 1}]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let given = match args.as_slice() {
        [] => None,
        [flag, url] if flag == "--schema-registry-url" => Some(url.clone()),
        [flag] if flag.starts_with("--schema-registry-url=") => {
            Some(flag["--schema-registry-url=".len()..].to_string())
        }
        _ => {
            eprintln!("usage: schema_registry_client [--schema-registry-url URL]");
            std::process::exit(2);
        }
    };

    // Keep the embedded registry alive for the whole run.
    let mock;
    let url = match given {
        Some(url) => {
            println!("Using the Schema Registry at {url}");
            url
        }
        None => {
            mock = MockSchemaRegistry::new()?;
            println!("Started an embedded Schema Registry at {}", mock.url());
            mock.url()
        }
    };

    let client = SchemaRegistryClient::new(&ferrokafka::config! { "url" => url, "timeout" => 10 })?;
    let v1 = Schema::new(V1, Schema::AVRO);
    let id1 = client.register_schema(SUBJECT, &v1, false)?;
    println!("registered version 1 of {SUBJECT}: schema id {id1}");
    let id2 = client.register_schema(SUBJECT, &Schema::new(V2, Schema::AVRO), false)?;
    println!("registered version 2 of {SUBJECT}: schema id {id2}");

    let found = client.lookup_schema(SUBJECT, &v1, false, false)?;
    println!(
        "lookup of version 1's schema: id {}, version {:?}",
        found.schema_id, found.version
    );
    let latest = client.latest_version(SUBJECT)?;
    println!("latest: id {}, version {:?}", latest.schema_id, latest.version);
    println!("versions of {SUBJECT}: {:?}", client.versions(SUBJECT)?);
    println!("compatibility (registry default): {}", client.compatibility(None)?);
    let by_id = client.schema(id1, None, None)?;
    println!(
        "schema {id1} is {} ({} bytes)",
        by_id.schema_type,
        by_id.schema_str.len()
    );
    Ok(())
}
