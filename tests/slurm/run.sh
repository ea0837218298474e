#!/usr/bin/env bash
# tests/slurm/run.sh - run the Slurm tests against a real one-node cluster.
#
#   tests/slurm/run.sh [--keep-cluster] [BIN]      (as root; BIN default ./inkpipe)
#
# Starts the cluster (start-cluster.sh), runs every tests/slurm/test_*.sh
# under a time limit with INKPIPE=BIN and a fresh TEST_TMPDIR, stops the
# cluster again even when a test fails or the run is interrupted (trap), and
# prints "N passed, N failed" last. Each script prints "PASS name" /
# "FAIL name" per case; a script that exits non-zero or times out without a
# FAIL line counts as one failure. --keep-cluster leaves the cluster up
# (for debugging a test by hand).
set -u
cd "$(dirname "$0")/../.."
top=$PWD
keep=0
if [ "${1:-}" = --keep-cluster ]; then keep=1; shift; fi
bin=${1:-./inkpipe}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
limit=${SLURM_TEST_TIMEOUT:-240}

stopped=0
stop_cluster() {
    [ "$stopped" = 1 ] && return
    stopped=1
    [ "$keep" = 1 ] && return
    tests/slurm/stop-cluster.sh >&2 || echo "slurm tests: stop-cluster.sh failed" >&2
}
# A test runs in the background so that INT/TERM reach this shell at once
# (bash runs traps only between foreground commands); they are passed on to
# the test's `timeout`, which signals the test's whole process group.
child=
tmp=
on_signal() {
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child"
    [ -n "$tmp" ] && rm -rf "$tmp" "$tmp.log"
    exit 130
}
trap stop_cluster EXIT
trap on_signal INT TERM

if ! timeout -k 5 120 tests/slurm/start-cluster.sh; then
    echo "FAIL start-cluster"
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
failures=()
export OPENBLAS_NUM_THREADS=1
for t in tests/slurm/test_*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/inkpipe-slurm.XXXXXX")
    start=$(date +%s)
    INKPIPE=$bin TEST_TMPDIR=$tmp timeout -k 10 "$limit" bash "$t" >"$tmp.log" 2>&1 &
    child=$!
    wait "$child"
    rc=$?
    child=
    secs=$(($(date +%s) - start))
    p=$(grep -c '^PASS ' "$tmp.log")
    f=$(grep -c '^FAIL ' "$tmp.log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL $name (exit $rc)" >>"$tmp.log"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    printf '%-6s %-34s %3d passed, %d failed  (%ds)\n' slurm "$name" "$p" "$f" "$secs"
    if [ "$f" -gt 0 ]; then
        failures+=("$name")
        sed 's/^/    | /' "$tmp.log" | grep -v '^    | PASS ' | tail -n 60
    fi
    rm -rf "$tmp" "$tmp.log"
done
stop_cluster
if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
