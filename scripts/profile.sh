#!/usr/bin/env bash
# Counts the instructions one throughput row executes on its calling thread,
# per function, with valgrind's callgrind (deterministic: the same counts on
# every run, unlike timings on a shared 2-core machine).
#
#   ./scripts/profile.sh ROW [MESSAGES]
#
# ROW is a row id of benches/throughput.rs (e.g. produce-raw,
# produce-fk-config-cb, consume-fk-poll, consume-rr-base); MESSAGES defaults
# to 100,000 (consumer rows also count their untimed prefill, which runs on
# the same thread: compare the row's own functions). Prints the functions
# above 1% of the calling thread's instructions, inclusive, and leaves the
# full profile in target/profile/ROW.callgrind for callgrind_annotate or
# kcachegrind. Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

row=${1:?usage: $0 ROW [MESSAGES]}
messages=${2:-100000}

cargo bench --no-run --bench throughput >/dev/null 2>&1
bin=$(cargo bench --no-run --bench throughput --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*throughput-[^"]*\)".*/\1/p' | tail -n1)
[ -x "$bin" ] || { echo "bench binary not found" >&2; exit 1; }

out=target/profile
mkdir -p "$out"
rm -f "$out/$row".callgrind*
FERROKAFKA_BENCH_MESSAGES=$messages FERROKAFKA_BENCH_WARMUP=0 FERROKAFKA_BENCH_RUNS=1 \
    FERROKAFKA_BENCH_ROWS=$row \
    valgrind --tool=callgrind --separate-threads=yes \
    --callgrind-out-file="$out/$row.callgrind" "$bin" --bench 2>"$out/$row.valgrind.log" | grep '  run ' || true
# Thread 1 is the calling (main) thread.
main=$(ls "$out/$row".callgrind*-01 | head -n1)
mv "$main" "$out/$row.callgrind"
rm -f "$out/$row".callgrind-*
echo "instructions per function on the calling thread ($messages messages; divide by it for per-message counts):"
callgrind_annotate --inclusive=yes --threshold=100 "$out/$row.callgrind" |
    grep -E '^ *[0-9,]+ \( *([1-9][0-9]?|100)\.[0-9]+%\)' |
    grep -vE 'PROGRAM TOTALS|below main|lang_start|rust_begin_short_backtrace|libc_start|0x0000' | head -n 60
