#!/usr/bin/env bash
# tests/run.sh - run the suite and print "N passed, N failed" last.
#
#   tests/run.sh [--unit-only] [--valgrind] --suite NAME BUILD_DIR BIN [--suite ...]
#
# Unit programs ($BUILD_DIR/tests/test_*) and CLI scripts (tests/cli/*.sh)
# print one "PASS name" / "FAIL name" line per case. A program that crashes
# or exits non-zero without printing a FAIL line counts as one failure.
# Every program runs under a time limit so that a hang is a failure, not a
# stuck suite.
set -u
cd "$(dirname "$0")/.."
top=$PWD
unit_only=0
use_valgrind=0
suites=()
while [ $# -gt 0 ]; do
    case $1 in
    --unit-only) unit_only=1; shift ;;
    --valgrind) use_valgrind=1; shift ;;
    --suite) suites+=("$2|$3|$4"); shift 4 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

passed=0
failed=0
failures=()
limit=${TEST_TIMEOUT:-600}

run_one() { # suite name cmd...
    local suite=$1 name=$2; shift 2
    local log tmp rc p f
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/inkpipe-test.XXXXXX")
    log=$tmp/log
    TEST_TMPDIR=$tmp timeout -k 10 "$limit" "$@" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL $name (exit $rc)" >>"$log"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    printf '%-6s %-40s %3d passed, %d failed\n' "$suite" "$name" "$p" "$f"
    if [ "$f" -gt 0 ]; then
        failures+=("$suite/$name")
        sed 's/^/    | /' "$log" | grep -v '^    | PASS ' | tail -n 60
    fi
    rm -rf "$tmp"
}

for s in "${suites[@]}"; do
    IFS='|' read -r suite build bin <<<"$s"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
    export OPENBLAS_NUM_THREADS=1
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        if [ "$use_valgrind" = 1 ]; then
            run_one "$suite" "$(basename "$t")" valgrind -q --leak-check=full \
                --errors-for-leak-kinds=definite --error-exitcode=99 "$t"
        else
            run_one "$suite" "$(basename "$t")" "$t"
        fi
    done
    [ "$unit_only" = 1 ] && continue
    for t in tests/cli/test_*.sh; do
        [ -f "$t" ] || continue
        INKPIPE="$top/$bin" BUILD_DIR="$top/$build" run_one "$suite" "$(basename "$t" .sh)" bash "$t"
    done
done

if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
