#!/usr/bin/env bash
# Runs the issue-6 benchmarks and keeps their reports.
#
#   ./scripts/bench.sh            full run: throughput (5 runs of 1M messages
#                                 per row) then latency; a few minutes
#   ./scripts/bench.sh --short    the short mode CI runs (20,000 messages,
#                                 2 runs; 300 latency samples): checks that
#                                 every row works, says nothing about speed
#
# Reports go to stdout and to target/bench/{throughput,latency}.md. Every
# FERROKAFKA_BENCH_* variable (see benches/common/mod.rs and BENCHMARKS.md)
# passes through; KAFKA_BOOTSTRAP_SERVERS=host:port runs against that cluster
# instead of the embedded mock cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--short" ]; then
    export FERROKAFKA_BENCH_SHORT=1
    shift
fi
if [ $# -gt 0 ]; then
    echo "usage: $0 [--short]" >&2
    exit 2
fi

mkdir -p target/bench
cargo bench --bench throughput 2>&1 | tee target/bench/throughput.md
cargo bench --bench latency 2>&1 | tee target/bench/latency.md
cargo bench --bench retained_memory 2>&1 | tee target/bench/retained_memory.md
