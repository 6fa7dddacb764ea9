#!/usr/bin/env python3
"""Confluent's Python ProtobufSerializer and ProtobufDeserializer against a
registry at URL (tests/protobuf.rs runs it against ferrokafka's
MockSchemaRegistry), on the records of protobuf_everything.json (message
type and proto3 JSON): nested messages at every depth (message indexes
[0], [0,0], [0,0,0], [1]), an imported file (a schema reference), a
well-known type (Timestamp), enums (an unknown value too), oneof, map,
optional, repeated, bytes and the integer kinds at their limits.

Python has no .proto compiler here: the test passes the files' serialized
FileDescriptorProtos (hex, dependencies first), compiled by ferrokafka
(protox), and they are added to Python's default descriptor pool.

    protobuf_tool.py serialize URL TOPIC DESCRIPTOR_HEX...
        Serializes every record as TOPIC's value (each message type on
        TOPIC-<type>) and prints {"payloads": [hex...]} in record order.

    protobuf_tool.py produce URL TOPIC BOOTSTRAP DESCRIPTOR_HEX...
        Serializes every record as `serialize` does and produces them, in
        order, to TOPIC (partition 0) at BOOTSTRAP (a MockCluster held open
        by the test): {"produced": N}.

    protobuf_tool.py deserialize URL TOPIC DESCRIPTOR_HEX... -- PAYLOAD_HEX...
        Deserializes each payload as its record's type (the writer's schema
        fetched from the registry too) and prints {"equal": [bool...],
        "values": [...]}: whether it equals the record.
"""
import json
import os
import sys

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "protobuf_everything.json")) as f:
    DATA = json.load(f)


def client(url):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient({"url": url, "max.retries": 0, "timeout": 20})


def ctx(topic):
    from confluent_kafka.serialization import MessageField, SerializationContext

    return SerializationContext(topic, MessageField.VALUE)


def classes(descriptors):
    from google.protobuf import descriptor_pool, message_factory
    from google.protobuf import timestamp_pb2  # noqa: F401 (the import the files need, in the default pool)

    pool = descriptor_pool.Default()
    for h in descriptors:
        pool.AddSerializedFile(bytes.fromhex(h))
    return lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def topic_for(topic, name):
    return f"{topic}-{name}"


def main():
    from google.protobuf import json_format

    mode, url, topic = sys.argv[1:4]
    rest = sys.argv[4:]
    bootstrap = None
    if mode == "produce":
        bootstrap, rest = rest[0], rest[1:]
    if "--" in rest:
        cut = rest.index("--")
        descriptors, payloads = rest[:cut], rest[cut + 1 :]
    else:
        descriptors, payloads = rest, []
    cls = classes(descriptors)
    records = [(name, json_format.ParseDict(value, cls(name)())) for name, value in DATA["records"]]
    if mode in ("serialize", "produce"):
        from confluent_kafka.schema_registry.protobuf import ProtobufSerializer

        serializers = {}
        payloads = []
        for name, message in records:
            if name not in serializers:
                serializers[name] = ProtobufSerializer(cls(name), client(url), {"use.deprecated.format": False})
            payloads.append(serializers[name](message, ctx(topic_for(topic, name))))
        if mode == "serialize":
            out = {"payloads": [p.hex() for p in payloads]}
        else:
            from confluent_kafka import Producer

            p = Producer({"bootstrap.servers": bootstrap})
            for data in payloads:
                p.produce(topic, value=data, partition=0)
            remaining = p.flush(30)
            assert remaining == 0, f"{remaining} messages not delivered"
            out = {"produced": len(payloads)}
    elif mode == "deserialize":
        from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer

        out = {"equal": [], "values": []}
        for (name, expected), h in zip(records, payloads):
            de = ProtobufDeserializer(cls(name), {"use.deprecated.format": False}, schema_registry_client=client(url))
            value = de(bytes.fromhex(h), ctx(topic_for(topic, name)))
            out["equal"].append(value == expected)
            out["values"].append(None if value == expected else json_format.MessageToDict(value))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
