#!/usr/bin/env python3
"""Confluent's Python AvroSerializer and AvroDeserializer against a registry
at URL (tests/avro.rs runs it against ferrokafka's MockSchemaRegistry), on a
fixed set of records that exercise the Avro record space: unions, nulls,
logical types (decimal as bytes and fixed, timestamps, date, times, uuid),
nested records, arrays, maps, enums, fixed and defaults. tests/avro.rs
builds the same records as ferrokafka values.

    avro_tool.py serialize URL TOPIC
        Serializes every record as TOPIC's value (auto-registering the
        schema under TOPIC-value) and prints one JSON object: the schema
        text, the id, and the framed records (hex).

    avro_tool.py deserialize URL TOPIC HEX...
        Deserializes each framed record (hex) and prints one JSON object:
        for each, whether it equals the record of the same index, the id it
        was framed with, and the value (repr) when it does not.

    avro_tool.py produce BOOTSTRAP URL TOPIC
        Serializes every record and produces it to TOPIC (partition 0) at
        BOOTSTRAP (a ferrokafka MockCluster held open by the test), then
        prints {"produced": N}.
"""
import datetime
import decimal
import json
import os
import sys
import uuid

# The schema tests/avro.rs reads too.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "avro_everything.avsc")) as f:
    SCHEMA = json.dumps(json.load(f))


UTC = datetime.timezone.utc


def records():
    base = {
        "id": 1,
        "name": "ada",
        "nickname": None,
        "choice": None,
        "price": decimal.Decimal("12345.67"),
        "balance": decimal.Decimal("-1.2345"),
        "created_ms": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        "created_us": datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "day": datetime.date(2024, 1, 2),
        "at_ms": datetime.time(3, 4, 5, 678000),
        "at_us": datetime.time(3, 4, 5, 678901),
        "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "home": {"city": "London", "zip": None},
        "tags": [],
        "scores": {},
        "suit": "SPADES",
        "hash": b"\x00\x01\x02\x03",
        "flag": True,
        "ratio": 0.5,
        "blob": b"",
    }
    second = dict(
        base,
        id=-(2**40),
        name="grace \u00e9\u4e2d",
        nickname="amazing",
        choice=42,
        price=decimal.Decimal("-0.01"),
        balance=decimal.Decimal("922337203685.4775"),
        uid=uuid.UUID("00000000-0000-0000-0000-000000000000"),
        home={"city": "", "zip": 12345},
        tags=["a", "b", "c"],
        scores={"x": 1.25},
        suit="CLUBS",
        hash=b"\xff\xfe\xfd\xfc",
        flag=False,
        ratio=-3.0,
        blob=b"\x00\xff",
    )
    third = dict(base, id=3, choice="text", day=datetime.date(1969, 12, 31))
    fourth = dict(base, id=4, choice={"x": -1, "y": 2})
    return [base, second, third, fourth]


def client(url):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient({"url": url, "max.retries": 0, "timeout": 20})


def ctx(topic):
    from confluent_kafka.serialization import MessageField, SerializationContext

    return SerializationContext(topic, MessageField.VALUE)


def framed_id(data):
    assert data[0] == 0, "magic byte"
    return int.from_bytes(data[1:5], "big")


def serialize_all(url, topic):
    from confluent_kafka.schema_registry.avro import AvroSerializer

    ser = AvroSerializer(client(url), SCHEMA)
    return [ser(r, ctx(topic)) for r in records()]


def main():
    mode = sys.argv[1]
    if mode == "serialize":
        url, topic = sys.argv[2:4]
        payloads = serialize_all(url, topic)
        out = {"schema": SCHEMA, "id": framed_id(payloads[0]), "payloads": [p.hex() for p in payloads]}
    elif mode == "deserialize":
        from confluent_kafka.schema_registry.avro import AvroDeserializer

        url, topic = sys.argv[2:4]
        de = AvroDeserializer(client(url))
        out = {"equal": [], "ids": [], "values": []}
        for expected, h in zip(records(), sys.argv[4:]):
            data = bytes.fromhex(h)
            value = de(data, ctx(topic))
            out["equal"].append(value == expected)
            out["ids"].append(framed_id(data))
            out["values"].append(None if value == expected else repr(value))
    elif mode == "produce":
        from confluent_kafka import Producer

        bootstrap, url, topic = sys.argv[2:5]
        payloads = serialize_all(url, topic)
        p = Producer({"bootstrap.servers": bootstrap})
        for data in payloads:
            p.produce(topic, value=data, partition=0)
        remaining = p.flush(30)
        assert remaining == 0, f"{remaining} messages not delivered"
        out = {"produced": len(payloads)}
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
