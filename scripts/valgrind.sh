#!/usr/bin/env bash
# Runs the mock-cluster test binaries under valgrind memcheck (issue 7):
# every memory error, and every definitely or possibly lost block, fails
# the run. Only the suppressions in valgrind.supp apply (each is explained
# there).
#
#   scripts/valgrind.sh             # every binary listed below
#   scripts/valgrind.sh producer_mock secrets
#
# Environment:
#   VALGRIND_TEST_THREADS   libtest threads per binary (default 2)
#   VALGRIND_JOBS           binaries run at once (default 1)
#   VALGRIND_LOG_DIR        where the per-binary logs go (target/valgrind)
#   FERROKAFKA_TEST_TIMEOUT_SCALE  how much the tests stretch their time
#                           bounds (default 4: code runs 20-50x slower
#                           under valgrind, but most test time is spent
#                           waiting on the mock cluster, not computing)
#
# Exit status: 0 when every binary passed with 0 errors; non-zero otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# The test binaries that need no broker: the mock-cluster suites, the
# validation and safety suites. (admin_real_broker, *_real_broker and tls
# (Tansu behind stunnel) need a real broker; panics.rs spawns child
# processes, so its cases are run directly below instead — its certificate
# verification callback cases need only `openssl s_server`. oidc: librdkafka's OIDC client and libcurl, about
# 15 s under valgrind.)
DEFAULT_BINARIES="producer_mock owned_values allocations consumer_mock async_mock admin_validation secrets bad_input proptest_inputs boundary_inputs wait_destroyed close_released drop_order reentrancy oidc raw_handles"
# Every tests/panics.rs case also runs under valgrind, each in its own
# process as in the normal suite (panics, unwinding, drops on librdkafka
# threads and on the reaper and helper threads: where lifetimes are most
# delicate). VALGRIND_PANIC_CASES narrows the list ("" for none).

BINARIES="${*:-$DEFAULT_BINARIES}"
THREADS="${VALGRIND_TEST_THREADS:-2}"
JOBS="${VALGRIND_JOBS:-1}"
LOG_DIR="${VALGRIND_LOG_DIR:-target/valgrind}"
export FERROKAFKA_TEST_TIMEOUT_SCALE="${FERROKAFKA_TEST_TIMEOUT_SCALE:-4}"
# Quieter panics from tests that panic on purpose.
export RUST_BACKTRACE=0

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

log "Building the test binaries"
build_out=$(cargo test --no-run 2>&1) || { echo "$build_out" >&2; exit 1; }
binary_path() {
    # "Executable producer_mock.rs (target/debug/deps/producer_mock-<hash>)"
    # (cargo names a test by its path in its package, tests/).
    echo "$build_out" | sed -n "s|^ *Executable $1\.rs (\(.*\))$|\1|p" | head -n1
}

# Tests left out under valgrind, and why. They run in the normal suite.
skips_for() {
    case "$1" in
        # Leak an AdminClient on purpose: after librdkafka 2.12.1 takes the
        # failure path of issue #3663 its reference counts are corrupt and
        # rd_kafka_destroy would abort the process (see AdminClient::close).
        admin_validation) echo "--skip dropping_a_client_librdkafka_corrupted_does_not_abort --skip group_requests_the_mock_lacks_fail_with_a_typed_error_without_abort" ;;
        # 3 x 100,000 sends: a throughput test, hours under valgrind; the
        # same paths (send futures, wake-ups, queue-full waits) are covered
        # by the other async tests.
        async_mock) echo "--skip many_sends_" ;;
    esac
}

# Environment for one binary under valgrind: drop_order and reentrancy run
# a subset of their matrices there (about 3 minutes together); the whole
# matrices run in the normal suite.
env_for() {
    case "$1" in
        # The ordered pairs (90 cases) of the drop-order matrix, not the triples.
        drop_order) echo "FERROKAFKA_DROP_ORDER_MAX=2" ;;
        # One method per callback kind (close: the most delicate), 10 cases.
        reentrancy) echo "FERROKAFKA_REENTRANCY_METHODS=close" ;;
    esac
}

mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/*.log "$LOG_DIR"/*.status

VALGRIND=(valgrind --tool=memcheck --leak-check=full
    --show-leak-kinds=definite,possible --errors-for-leak-kinds=definite,possible
    --error-exitcode=100 --suppressions=valgrind.supp --num-callers=40
    --gen-suppressions=all
    # async_mock's wake-up stress keeps ~200 timer threads asleep at once
    # (valgrind's default limit is 500 threads in all).
    --max-threads=2000)

# run NAME BINARY ARGS... : one valgrind run, its log and status in LOG_DIR.
run() {
    local name=$1 bin=$2
    shift 2
    local start=$SECONDS status=0
    "${VALGRIND[@]}" --log-file="$LOG_DIR/$name.vg.log" "$bin" "$@" >"$LOG_DIR/$name.log" 2>&1 || status=$?
    echo "$status $((SECONDS - start))" >"$LOG_DIR/$name.status"
}

jobs_running() { jobs -rp | wc -l; }
throttle() { while [ "$(jobs_running)" -ge "$JOBS" ]; do wait -n || true; done; }

start_all=$SECONDS
names=()
for b in $BINARIES; do
    bin=$(binary_path "$b")
    [ -n "$bin" ] || { echo "no test binary tests/$b.rs" >&2; exit 1; }
    log "valgrind $b (--test-threads=$THREADS)"
    throttle
    # shellcheck disable=SC2046
    # shellcheck disable=SC2046
    (
        for kv in $(env_for "$b"); do export "${kv?}"; done
        run "$b" "$bin" --test-threads="$THREADS" $(skips_for "$b")
    ) &
    names+=("$b")
done
if [ -z "${*:-}" ]; then
    bin=$(binary_path panics)
    all_cases=$("$bin" --list 2>/dev/null | sed -n 's/: test$//p' | grep -v -e '^child$' -e '^every_case_has_a_test$')
    [ -n "$all_cases" ] || { echo "no cases listed by tests/panics.rs" >&2; exit 1; }
    PANIC_CASES="${VALGRIND_PANIC_CASES-$all_cases}"
    for c in $PANIC_CASES; do
        log "valgrind panics::$c"
        throttle
        FERROKAFKA_PANIC_CASE=$c run "panics-$c" "$bin" --exact child --nocapture --test-threads=1 &
        names+=("panics-$c")
    done
fi
wait

# Summary: errors and leak counts per run, from valgrind's own summary.
failed=0
failures=()
total_errors=0
printf '\n%-62s %6s %7s %9s %9s %6s\n' run status errors definite possible secs
for n in "${names[@]}"; do
    read -r status secs <"$LOG_DIR/$n.status"
    vg="$LOG_DIR/$n.vg.log"
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$vg" | tr -d , | tail -n1)
    definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$vg" | tr -d , | tail -n1)
    possible=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' "$vg" | tr -d , | tail -n1)
    # No leak summary means nothing was left to report.
    errors=${errors:-?} definite=${definite:-0} possible=${possible:-0}
    printf '%-62s %6s %7s %9s %9s %6s\n' "$n" "$status" "$errors" "$definite" "$possible" "$secs"
    case "$n" in
        # A panics case must also have run to its end in the child.
        panics-*) grep -q "PANIC-CASE-COMPLETED ${n#panics-}" "$LOG_DIR/$n.log" || status="${status}+incomplete" ;;
    esac
    if [ "$status" != 0 ] || [ "$errors" != 0 ]; then
        failed=1
        failures+=("$n")
    fi
    [ "$errors" = "?" ] || total_errors=$((total_errors + errors))
done
# The details of each failed run come after the table, so that they are
# at the end of a long CI log (where a truncated log keeps them).
for n in "${failures[@]}"; do
    echo
    echo "---- $n: FAILED; last lines of the test output ($LOG_DIR/$n.log)"
    grep -v -e '^ *[0-9]*: ' -e '^ *at ' "$LOG_DIR/$n.log" | tail -n 40 || true
    echo "---- $n: valgrind report ($LOG_DIR/$n.vg.log)"
    grep -v '^==[0-9]*== *$' "$LOG_DIR/$n.vg.log" | head -n 80 || true
done
echo
echo "valgrind: ${#names[@]} runs, $total_errors errors (leaks included), $((SECONDS - start_all)) s"
if [ "$failed" != 0 ]; then
    echo "valgrind: failed runs: ${failures[*]}"
    echo "valgrind: FAILED (logs in $LOG_DIR)"
    exit 1
fi
echo "valgrind: 0 errors, 0 definitely or possibly lost blocks"
