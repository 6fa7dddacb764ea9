#!/usr/bin/env python3
"""Confluent's Python JSONSerializer and JSONDeserializer against a registry
at URL (tests/json_schema.rs runs it against ferrokafka's
MockSchemaRegistry), on a fixed set of records (json_everything.json: the
schema and the records, read by tests/json_schema.rs too) that exercise
nested objects, arrays, nulls, unions (oneOf), enums, numbers, non-ASCII
text and a $ref to a definition.

    json_tool.py serialize URL TOPIC
        Serializes every record as TOPIC's value (auto-registering the
        schema under TOPIC-value) and prints one JSON object: the schema
        text, the id, and the framed records (hex).

    json_tool.py deserialize URL TOPIC HEX...
        Deserializes each framed record (hex) with the writer's schema and
        prints one JSON object: for each, whether it equals the record of the
        same index, and the value when it does not.

    json_tool.py verdicts URL TOPIC
        Serializes each of the file's "candidates" (values valid or not under
        the schema) with validation on and prints {"accepted": [bool...]}:
        the reference for ferrokafka's validation (null where Python wrote
        no payload: it does so for None, unvalidated).

    json_tool.py produce BOOTSTRAP URL TOPIC
        Serializes every record and produces it to TOPIC (partition 0) at
        BOOTSTRAP (a MockCluster held open by the test): {"produced": N}.
"""
import json
import os
import sys

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "json_everything.json")) as f:
    DATA = json.load(f)
SCHEMA = json.dumps(DATA["schema"])


def client(url):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient({"url": url, "max.retries": 0, "timeout": 20})


def ctx(topic):
    from confluent_kafka.serialization import MessageField, SerializationContext

    return SerializationContext(topic, MessageField.VALUE)


def framed_id(data):
    assert data[0] == 0, "magic byte"
    return int.from_bytes(data[1:5], "big")


def serializer(url):
    from confluent_kafka.schema_registry.json_schema import JSONSerializer

    return JSONSerializer(SCHEMA, client(url))


def main():
    mode = sys.argv[1]
    if mode == "serialize":
        url, topic = sys.argv[2:4]
        ser = serializer(url)
        payloads = [ser(r, ctx(topic)) for r in DATA["records"]]
        out = {"schema": SCHEMA, "id": framed_id(payloads[0]), "payloads": [p.hex() for p in payloads]}
    elif mode == "deserialize":
        from confluent_kafka.schema_registry.json_schema import JSONDeserializer

        url, topic = sys.argv[2:4]
        de = JSONDeserializer(None, schema_registry_client=client(url))
        out = {"equal": [], "ids": [], "values": []}
        for expected, h in zip(DATA["records"], sys.argv[4:]):
            data = bytes.fromhex(h)
            value = de(data, ctx(topic))
            out["equal"].append(value == expected)
            out["ids"].append(framed_id(data))
            out["values"].append(None if value == expected else value)
    elif mode == "verdicts":
        from confluent_kafka.serialization import SerializationError

        url, topic = sys.argv[2:4]
        ser = serializer(url)
        accepted = []
        for candidate in DATA["candidates"]:
            try:
                # None: Python writes no payload for None (a null message),
                # without validating.
                accepted.append(None if ser(candidate, ctx(topic)) is None else True)
            except SerializationError:
                accepted.append(False)
        out = {"accepted": accepted}
    elif mode == "produce":
        from confluent_kafka import Producer

        bootstrap, url, topic = sys.argv[2:5]
        ser = serializer(url)
        p = Producer({"bootstrap.servers": bootstrap})
        for r in DATA["records"]:
            p.produce(topic, value=ser(r, ctx(topic)), partition=0)
        remaining = p.flush(30)
        assert remaining == 0, f"{remaining} messages not delivered"
        out = {"produced": len(DATA["records"])}
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
