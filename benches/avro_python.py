"""Python's side of `cargo bench --bench avro`: confluent-kafka's
AvroSerializer and AvroDeserializer (or JSONSerializer and JSONDeserializer)
on the same Order record, against the registry URL given (ferrokafka's
in-process MockSchemaRegistry).

Usage: avro_python.py REGISTRY_URL N [avro|json|protobuf DESCRIPTOR_HEX].
Prints "serialize/s deserialize/s". For protobuf, DESCRIPTOR_HEX is the
serialized FileDescriptorProto of benches/avro.rs's PROTO (Python has no
.proto compiler here).
"""

import sys
import time

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

SCHEMA = """{"type": "record", "name": "Order", "namespace": "bench", "fields": [
    {"name": "id", "type": "long"},
    {"name": "customer", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "total", "type": "double"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
    {"name": "items", "type": {"type": "array", "items": "long"}},
    {"name": "created", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}"""

# benches/avro.rs's JSON_SCHEMA.
JSON_SCHEMA = """{"title": "Order", "type": "object", "properties": {
    "id": {"type": "integer"},
    "customer": {"type": "string"},
    "note": {"type": ["string", "null"]},
    "total": {"type": "number"},
    "status": {"enum": ["NEW", "PAID", "SHIPPED"]},
    "items": {"type": "array", "items": {"type": "integer"}},
    "created": {"type": "integer"}},
    "required": ["id", "customer", "total", "status", "items", "created"]}"""

ORDER = {
    "id": 1234567,
    "customer": "customer-0042",
    "note": "leave at the door",
    "total": 99.95,
    "status": "PAID",
    "items": [101, 202, 303],
    "created": 1700000000000,
}


def main():
    url, n = sys.argv[1], int(sys.argv[2])
    fmt = sys.argv[3] if len(sys.argv) > 3 else "avro"
    client = SchemaRegistryClient({"url": url})
    if fmt == "avro":
        ser = AvroSerializer(client, SCHEMA)
        de = AvroDeserializer(client)
        ctx = SerializationContext("orders", MessageField.VALUE)
    elif fmt == "json":
        ser = JSONSerializer(JSON_SCHEMA, client)
        de = JSONDeserializer(None, schema_registry_client=client)
        ctx = SerializationContext("orders-json", MessageField.VALUE)
    else:
        from google.protobuf import descriptor_pool, message_factory
        from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer

        pool = descriptor_pool.Default()
        pool.AddSerializedFile(bytes.fromhex(sys.argv[4]))
        cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("bench.Order"))
        order = cls(**dict(ORDER, status=1))
        ser_inner = ProtobufSerializer(cls, client, {"use.deprecated.format": False})
        de = ProtobufDeserializer(cls, {"use.deprecated.format": False})
        ctx = SerializationContext("orders-protobuf", MessageField.VALUE)

        def ser(_record, c):
            return ser_inner(order, c)

    payload = ser(ORDER, ctx)
    back = de(payload, ctx)
    customer = back.customer if fmt == "protobuf" else back["customer"]
    assert customer == ORDER["customer"], back

    start = time.perf_counter()
    for _ in range(n):
        ser(ORDER, ctx)
    ser_rate = n / (time.perf_counter() - start)

    start = time.perf_counter()
    for _ in range(n):
        de(payload, ctx)
    de_rate = n / (time.perf_counter() - start)
    print(f"{ser_rate:.0f} {de_rate:.0f}")


if __name__ == "__main__":
    main()
