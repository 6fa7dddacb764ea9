#!/usr/bin/env python3
"""Confluent's Python Schema Registry client and serializers, against a
registry at URL (tests/schema_registry.rs runs it against ferrokafka's
MockSchemaRegistry).

    schema_registry_tool.py serialize URL PREFIX
        Serializes one Avro, one JSON Schema and one Protobuf record with
        Python's own serializers (auto-registering their schemas under
        PREFIX-avro-value, PREFIX-json-value, PREFIX-proto-value), registers
        an Avro schema with a reference (PREFIX-address-value, then
        PREFIX-person-value), deserializes the records again (the
        deserializers fetch the schemas by id), and prints one JSON object:
        the ids, the framed records (hex) and the values read back.

    schema_registry_tool.py inspect URL SUBJECT...
        Prints what Python's SchemaRegistryClient sees: the subjects, and
        for each SUBJECT its versions, its latest version (id, version,
        schema, type, references), the schema by that id, the lookup of
        that schema, and the subject's compatibility level (or the error).

    schema_registry_tool.py errors URL
        Prints the SchemaRegistryError codes Python's client raises for a
        missing subject, version and schema id.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError


def client(url):
    # No retries' waits: the registry is local.
    return SchemaRegistryClient({"url": url, "max.retries": 0, "timeout": 20})


def schema_dict(s):
    return {
        "schema": s.schema_str,
        "schemaType": s.schema_type,
        "references": [{"name": r.name, "subject": r.subject, "version": r.version} for r in (s.references or [])],
    }


def framed_id(data):
    assert data[0] == 0, "magic byte"
    return int.from_bytes(data[1:5], "big")


def proto_message_class():
    from google.protobuf import descriptor_pb2, descriptor_pool

    try:
        from google.protobuf.message_factory import GetMessageClass
    except ImportError:  # older protobuf
        GetMessageClass = None
    fdp = descriptor_pb2.FileDescriptorProto()
    fdp.name = "interop/user.proto"
    fdp.package = "interop"
    fdp.syntax = "proto3"
    m = fdp.message_type.add()
    m.name = "User"
    f = m.field.add()
    f.name, f.number, f.type, f.label = "name", 1, f.TYPE_STRING, f.LABEL_OPTIONAL
    f = m.field.add()
    f.name, f.number, f.type, f.label = "age", 2, f.TYPE_INT32, f.LABEL_OPTIONAL
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    desc = pool.FindMessageTypeByName("interop.User")
    if GetMessageClass is not None:
        return GetMessageClass(desc)
    from google.protobuf import message_factory

    return message_factory.MessageFactory(pool).GetPrototype(desc)


def serialize(url, prefix):
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    sr = client(url)
    out = {}

    avro_schema = json.dumps(
        {
            "type": "record",
            "name": "User",
            "namespace": "interop",
            "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
        }
    )
    ctx = SerializationContext(f"{prefix}-avro", MessageField.VALUE)
    data = AvroSerializer(sr, avro_schema)({"name": "ada", "age": 36}, ctx)
    out["avro_id"] = framed_id(data)
    out["avro_schema"] = avro_schema
    out["avro_record"] = data.hex()
    out["avro_value"] = AvroDeserializer(client(url))(data, ctx)

    json_schema = json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "User",
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name"],
        }
    )
    ctx = SerializationContext(f"{prefix}-json", MessageField.VALUE)
    data = JSONSerializer(json_schema, sr)({"name": "grace", "age": 45}, ctx)
    out["json_id"] = framed_id(data)
    out["json_schema"] = json_schema
    out["json_value"] = JSONDeserializer(None, schema_registry_client=client(url))(data, ctx)

    User = proto_message_class()
    ctx = SerializationContext(f"{prefix}-proto", MessageField.VALUE)
    data = ProtobufSerializer(User, sr, {"use.deprecated.format": False})(User(name="linus", age=54), ctx)
    # Framing: magic byte, id, then the message-index list (0: the first).
    out["proto_id"] = framed_id(data)
    out["proto_schema"] = sr.get_schema(out["proto_id"]).schema_str
    back = ProtobufDeserializer(User, {"use.deprecated.format": False})(data, ctx)
    out["proto_value"] = {"name": back.name, "age": back.age}

    # References: a record naming a type registered under another subject.
    address = json.dumps(
        {"type": "record", "name": "Address", "namespace": "interop", "fields": [{"name": "city", "type": "string"}]}
    )
    person = json.dumps(
        {
            "type": "record",
            "name": "Person",
            "namespace": "interop",
            "fields": [{"name": "name", "type": "string"}, {"name": "address", "type": "interop.Address"}],
        }
    )
    out["address_id"] = sr.register_schema(f"{prefix}-address-value", Schema(address, "AVRO"))
    ref = SchemaReference("interop.Address", f"{prefix}-address-value", 1)
    out["person_id"] = sr.register_schema(f"{prefix}-person-value", Schema(person, "AVRO", [ref]))
    out["person_schema"] = person
    # The same schema under another subject: the same id.
    out["avro_id_again"] = sr.register_schema(f"{prefix}-avro-copy-value", Schema(avro_schema, "AVRO"))
    print(json.dumps(out))


def inspect(url, subjects):
    sr = client(url)
    out = {"subjects": sr.get_subjects(), "by_subject": {}}
    for subject in subjects:
        latest = sr.get_latest_version(subject)
        by_id = sr.get_schema(latest.schema_id)
        looked_up = sr.lookup_schema(subject, latest.schema)
        try:
            compatibility = sr.get_compatibility(subject)
        except SchemaRegistryError as e:
            compatibility = {"http_status_code": e.http_status_code, "error_code": e.error_code}
        out["by_subject"][subject] = {
            "versions": sr.get_versions(subject),
            "latest": {"id": latest.schema_id, "version": latest.version, **schema_dict(latest.schema)},
            "by_id": schema_dict(by_id),
            "lookup": {"id": looked_up.schema_id, "version": looked_up.version, "subject": looked_up.subject},
            "compatibility": compatibility,
            "id_versions": [[v.subject, v.version] for v in sr.get_schema_versions(latest.schema_id)],
        }
    out["global_compatibility"] = sr.get_compatibility()
    print(json.dumps(out))


def errors(url):
    sr = client(url)
    out = {}
    for name, call in [
        ("subject", lambda: sr.get_latest_version("no-such-subject")),
        ("version", lambda: sr.get_version(sys.argv[3], 999)),
        ("schema", lambda: sr.get_schema(999999)),
        ("level", lambda: sr.set_compatibility(level="SIDEWAYS")),
    ]:
        try:
            call()
            out[name] = None
        except SchemaRegistryError as e:
            out[name] = [e.http_status_code, e.error_code, e.error_message]
    print(json.dumps(out))


def main():
    cmd, url = sys.argv[1], sys.argv[2]
    if cmd == "serialize":
        serialize(url, sys.argv[3])
    elif cmd == "inspect":
        inspect(url, sys.argv[3:])
    elif cmd == "errors":
        errors(url)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
