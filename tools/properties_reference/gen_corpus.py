#!/usr/bin/env python3
"""Makes tests/fixtures/properties_java.jsonl: generated .properties
documents and what java.util.Properties.load makes of each (Dump.java),
the reference ferrokafka's parser is checked against (tests/properties.rs).

    python3 tools/properties_reference/gen_corpus.py   # needs a JDK (javac, java)

Deterministic (seeded): rerunning gives the same file."""
import json, os, random, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "fixtures", "properties_java.jsonl")

rng = random.Random(20261130)
BLANKS = [" ", "\t", "\f"]
EOLS = ["\n", "\r", "\r\n"]
KEY_PARTS = ["a", "b.c", "k", "bootstrap.servers", "x\\=y", "x\\:y", "sp\\ ace", "\\#h", "\\!b", "é", "\\u0041", "\\\\", "q\\q"]
VALUE_PARTS = ["1", "v", "two words", "=", ":", "==", " ", "\\t", "\\n", "\\r", "\\f", "\\\\", "\\q", "\\u00e9",
               "\\uD83D\\uDE00", "é", "日本", "#", "!", "\\ ", "\\=", "\\:", "x\\u0020y", "\\b"]
SEPS = ["=", ":", " ", " = ", "\t:\t", "  ", "==", ":=", " =", "= ", "\f"]
BAD = ["\\u12", "\\uZZZZ", "\\u004"]


def blanks():
    return "".join(rng.choice(BLANKS) for _ in range(rng.randint(0, 2)))


def entry():
    key = "".join(rng.choice(KEY_PARTS) for _ in range(rng.randint(1, 2)))
    value = "".join(rng.choice(VALUE_PARTS) for _ in range(rng.randint(0, 3)))
    if rng.random() < 0.25:
        # A continuation inside the value (or, rarely, the key).
        cut = rng.randint(0, len(value))
        value = value[:cut] + "\\" + rng.choice(EOLS) + blanks() + value[cut:]
    if rng.random() < 0.03:
        value += rng.choice(BAD)
    sep = rng.choice(SEPS) if rng.random() < 0.95 else ""
    return blanks() + key + sep + value


def line():
    r = rng.random()
    if r < 0.12:
        return blanks() + rng.choice("#!") + " comment" + ("\\" if rng.random() < 0.3 else "")
    if r < 0.2:
        return blanks()
    return entry()


def document():
    lines = [line() for _ in range(rng.randint(1, 6))]
    doc = ""
    for l in lines:
        doc += l + rng.choice(EOLS)
    if rng.random() < 0.2:
        doc = doc.rstrip("\r\n")  # no final terminator
    if rng.random() < 0.05:
        doc += "k=trailing\\"  # a continuation at the end of input
    return doc


def main():
    docs = [document() for _ in range(600)]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["javac", "-d", tmp, os.path.join(HERE, "Dump.java")], check=True)
        inp = "".join(json.dumps(d, ensure_ascii=True) + "\n" for d in docs)
        res = subprocess.run(["java", "-cp", tmp, "Dump"], input=inp.encode(), capture_output=True, check=True)
    outs = res.stdout.decode("utf-8").splitlines()
    assert len(outs) == len(docs), (len(outs), len(docs))
    with open(OUT, "w") as f:
        for d, o in zip(docs, outs):
            rec = {"text": d}
            java = json.loads(o)
            lone = any(0xD800 <= ord(ch) < 0xE000 for kv in java.get("pairs", []) for s in kv for ch in s)
            if lone:
                # Java keeps a lone UTF-16 surrogate (an escape split apart);
                # a Rust string cannot hold one, so ferrokafka refuses it.
                rec["lone_surrogate"] = True
            else:
                rec.update(java)
            f.write(json.dumps(rec, ensure_ascii=True) + "\n")
    print(f"wrote {len(docs)} documents to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    sys.exit(main())
