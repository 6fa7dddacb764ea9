#!/usr/bin/env python3
"""An independent Kafka client for interop tests: Confluent's Python client.

    kafka_tool.py create-topic BOOTSTRAP TOPIC PARTITIONS
    kafka_tool.py read BOOTSTRAP TOPIC [--count N] [--isolation read_committed]
                                       [--timeout S] [--group G]
    kafka_tool.py produce BOOTSTRAP TOPIC < messages.jsonl
    kafka_tool.py committed BOOTSTRAP GROUP TOPIC PARTITIONS

`read` prints one JSON object per message (bytes as hex, None as null) and
stops after --count messages, or when every partition has reached its end
(for read_committed: the last stable offset). `produce` reads the same JSON
lines and writes them, printing the delivery results.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def hx(b):
    return None if b is None else b.hex()


def unhx(s):
    return None if s is None else bytes.fromhex(s)


def create_topic(args):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    futures = admin.create_topics([NewTopic(args.topic, args.partitions, 1)], operation_timeout=10)
    for f in futures.values():
        try:
            f.result(timeout=30)
        except Exception as e:  # already exists is fine
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise
    # Wait until the topic is visible with all its partitions.
    deadline = time.time() + 30
    while time.time() < deadline:
        md = admin.list_topics(args.topic, timeout=5)
        t = md.topics.get(args.topic)
        if t is not None and t.error is None and len(t.partitions) == args.partitions:
            return
        time.sleep(0.2)
    sys.exit(f"topic {args.topic} did not appear")


def read(args):
    conf = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group or f"interop-reader-{args.topic}-{time.time()}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": True,
        "isolation.level": args.isolation,
    }
    c = Consumer(conf)
    md = c.list_topics(args.topic, timeout=10)
    parts = sorted(md.topics[args.topic].partitions)
    c.assign([TopicPartition(args.topic, p, -2) for p in parts])
    at_eof = set()
    n = 0
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        if args.count is not None and n >= args.count:
            break
        if args.count is None and len(at_eof) == len(parts):
            break
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_eof.add(m.partition())
                continue
            sys.exit(f"consume error: {m.error()}")
        at_eof.discard(m.partition())
        headers = m.headers() or []
        print(json.dumps({
            "partition": m.partition(),
            "offset": m.offset(),
            "key": hx(m.key()),
            "value": hx(m.value()),
            "headers": [[k, hx(v)] for k, v in headers],
            "timestamp": list(m.timestamp()),
        }), flush=True)
        n += 1
    c.close()
    if args.count is not None and n < args.count:
        sys.exit(f"read only {n} of {args.count} messages")


def produce(args):
    p = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    results = []

    def on_delivery(err, msg):
        results.append({"error": None if err is None else str(err), "partition": msg.partition(), "offset": msg.offset()})

    for line in sys.stdin:
        if not line.strip():
            continue
        m = json.loads(line)
        kwargs = {"key": unhx(m.get("key")), "value": unhx(m.get("value")), "on_delivery": on_delivery}
        if m.get("headers") is not None:
            kwargs["headers"] = [(k, unhx(v)) for k, v in m["headers"]]
        if m.get("timestamp"):
            kwargs["timestamp"] = m["timestamp"]
        if m.get("partition") is not None:
            kwargs["partition"] = m["partition"]
        p.produce(args.topic, **kwargs)
        p.poll(0)
    left = p.flush(30)
    for r in results:
        print(json.dumps(r))
    if left or any(r["error"] for r in results):
        sys.exit(f"{left} undelivered, errors: {[r for r in results if r['error']]}")


def committed(args):
    c = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False})
    tps = c.committed([TopicPartition(args.topic, p) for p in range(args.partitions)], timeout=10)
    for tp in tps:
        print(json.dumps({"partition": tp.partition, "offset": tp.offset,
                          "error": None if tp.error is None else str(tp.error)}))
    c.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("create-topic")
    s.add_argument("bootstrap"); s.add_argument("topic"); s.add_argument("partitions", type=int)
    s = sub.add_parser("read")
    s.add_argument("bootstrap"); s.add_argument("topic")
    s.add_argument("--count", type=int); s.add_argument("--isolation", default="read_uncommitted")
    s.add_argument("--timeout", type=float, default=60); s.add_argument("--group")
    s = sub.add_parser("produce")
    s.add_argument("bootstrap"); s.add_argument("topic")
    s = sub.add_parser("committed")
    s.add_argument("bootstrap"); s.add_argument("group"); s.add_argument("topic"); s.add_argument("partitions", type=int)
    args = ap.parse_args()
    {"create-topic": create_topic, "read": read, "produce": produce, "committed": committed}[args.cmd](args)


if __name__ == "__main__":
    main()
