#!/usr/bin/env bash
# Produce and consume throughput of fkcat beside kcat, on one mock cluster
# (ferrokafka's MockCluster in the mock_broker example, held open for the
# whole run: kcat cannot handshake with Tansu 0.6).
#
#   scripts/kcat_compare.sh [MESSAGES] [SIZE] [RUNS]
#
# MESSAGES messages of SIZE bytes (default 1,000,000 x 100 B) are written
# to a file once; each run produces them with `-P` from that file (stdin)
# into a fresh topic, and consumes one topic that kcat wrote first with
# `-C -e -o beginning` into /dev/null. kcat and fkcat alternate, RUNS
# times each (default 3). Prints msgs/s per run and the medians side by
# side with their ratio.
#
# Topics have 256 partitions (records without keys spread over them):
# librdkafka's mock cluster keeps about 5 MB per partition and drops older
# records, so one partition could not hold the corpus.
#
# Debian's kcat 1.7.1 links Debian's librdkafka 2.0.2; fkcat links
# ferrokafka's 2.12.1. fkcat and mock_broker are built in release (in
# $CARGO_TARGET_DIR, else ./target) and copied away first, so that another
# build in a shared target directory cannot replace them mid-run.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
SIZE=${2:-100}
RUNS=${3:-3}
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
WORK=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v kcat >/dev/null || { echo "kcat is not installed (apt-get install kcat)" >&2; exit 1; }
echo "==> building fkcat (release) and mock_broker in $TARGET" >&2
CARGO_TARGET_DIR=$TARGET cargo build -q --release --features cli --bin fkcat -p ferrokafka
# The mock cluster is librdkafka's C code, built with -O2 in every profile:
# a dev build of the example (which would otherwise build every test
# dependency in release) serves as fast.
CARGO_TARGET_DIR=$TARGET cargo build -q -p ferrokafka-tests --example mock_broker
cp "$TARGET/release/fkcat" "$TARGET/debug/examples/mock_broker" "$WORK/"
FKCAT=$WORK/fkcat
MOCK=$WORK/mock_broker

python3 - "$N" "$SIZE" > "$WORK/input" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
line = b"x" * (size - 12)
out = sys.stdout.buffer
for i in range(n):
    out.write(b"%011d " % i + line + b"\n")
PY

# The cluster lives as long as fd 3 (its stdin) is open.
mkfifo "$WORK/lease"
topics=(--topic ref:256)
for run in $(seq "$RUNS"); do topics+=(--topic "t-kcat-$run:256" --topic "t-fkcat-$run:256"); done
"$MOCK" --brokers 1 "${topics[@]}" < "$WORK/lease" > "$WORK/bootstrap" &
MOCK_PID=$!
exec 3> "$WORK/lease"
for _ in $(seq 100); do [ -s "$WORK/bootstrap" ] && break; sleep 0.1; done
B=$(head -n1 "$WORK/bootstrap")
echo "==> mock cluster at $B; $N messages of $SIZE bytes, $RUNS runs each" >&2

rate() { python3 -c "import sys; print(int($N / float(sys.argv[1])))" "$1"; }
# Seconds taken by a command (its stdout to /dev/null).
elapsed() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); python3 -c "print($e - $s)"; }

# The topic every consumer run reads, written once by kcat and checked.
kcat -b "$B" -P -t ref -q < "$WORK/input"
count=$(kcat -b "$B" -C -t ref -e -q -o beginning -f '%o\n' | wc -l)
[ "$count" = "$N" ] || { echo "the reference topic holds $count of $N records" >&2; exit 1; }

declare -A P C
for run in $(seq "$RUNS"); do
    for tool in kcat fkcat; do
        bin=$tool; [ "$tool" = fkcat ] && bin=$FKCAT
        topic="t-$tool-$run"
        p=$(rate "$(elapsed "$bin" -b "$B" -P -t "$topic" -q < "$WORK/input")")
        c=$(rate "$(elapsed "$bin" -b "$B" -C -t ref -e -q -o beginning)")
        P[$tool]+="$p "
        C[$tool]+="$c "
        count=$(kcat -b "$B" -C -t "$topic" -e -q -o beginning -f '%o\n' | wc -l)
        [ "$count" = "$N" ] || { echo "$tool run $run: read back $count of $N" >&2; exit 1; }
        echo "run $run $tool: produce $p msgs/s, consume $c msgs/s" >&2
    done
done
exec 3>&-
wait "$MOCK_PID" || true

python3 - "${P[kcat]}" "${P[fkcat]}" "${C[kcat]}" "${C[fkcat]}" <<'PY'
import statistics, sys
pk, pf, ck, cf = ([int(x) for x in a.split()] for a in sys.argv[1:])
print(f"{'':10} {'kcat msgs/s':>14} {'fkcat msgs/s':>14} {'fkcat/kcat':>10}   runs (kcat | fkcat)")
for name, k, f in (("produce", pk, pf), ("consume", ck, cf)):
    mk, mf = statistics.median(k), statistics.median(f)
    print(f"{name:10} {mk:>14,.0f} {mf:>14,.0f} {mf / mk:>10.2f}   {k} | {f}")
PY
