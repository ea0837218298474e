#!/usr/bin/env bash
# tests/run.sh - run the suite and print "N passed, N failed" last.
#
#   tests/run.sh [--unit-only] [--valgrind] --suite NAME BUILD_DIR BIN [--suite ...]
#
# Unit programs ($BUILD_DIR/tests/test_*) and CLI scripts (tests/cli/*.sh)
# print one "PASS name" / "FAIL name" line per case. A program that crashes
# or exits non-zero without printing a FAIL line counts as one failure.
# Every program runs under a time limit so that a hang is a failure, not a
# stuck suite. Programs run TEST_JOBS at a time (default: one per CPU; each
# has its own TEST_TMPDIR); their lines are printed in the suite's order,
# each with the seconds it took.
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

limit=${TEST_TIMEOUT:-600}
. tests/pool.sh
njobs=$(pool_size TEST_JOBS run.sh) || exit 2
res=$(mktemp -d "${TMPDIR:-/tmp}/inkpipe-run.XXXXXX")
trap 'rm -rf "$res"' EXIT

# run_one I SUITE NAME CMD...: run one program; its report goes to $res/I.out
# and its counts, last and atomically, to $res/I.cnt ("passed failed id").
run_one() {
    local i=$1 suite=$2 name=$3; shift 3
    local log tmp rc p f t0=$SECONDS
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/inkpipe-test.XXXXXX")
    log=$tmp/log
    TEST_TMPDIR=$tmp timeout -k 10 "$limit" "$@" >"$log" 2>&1 </dev/null
    rc=$?
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL $name (exit $rc)" >>"$log"
    fi
    {
        printf '%-6s %-40s %3d passed, %d failed  (%ds)\n' "$suite" "$name" "$p" "$f" $((SECONDS - t0))
        if [ "$f" -gt 0 ]; then
            sed 's/^/    | /' "$log" | grep -v '^    | PASS ' | tail -n 60
        fi
    } >"$res/$i.out"
    echo "$p $f $suite/$name" >"$res/$i.cnt.tmp"
    mv "$res/$i.cnt.tmp" "$res/$i.cnt"
    rm -rf "$tmp"
}

# The programs, in order: "suite|name|build|bin|path".
tasks=()
for s in "${suites[@]}"; do
    IFS='|' read -r suite build bin <<<"$s"
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        tasks+=("$suite|$(basename "$t")|$build|$bin|$t")
    done
    [ "$unit_only" = 1 ] && continue
    for t in tests/cli/test_*.sh; do
        [ -f "$t" ] || continue
        tasks+=("$suite|$(basename "$t" .sh)|$build|$bin|$t")
    done
done

start() { # I
    local suite name build bin t
    IFS='|' read -r suite name build bin t <<<"${tasks[$1]}"
    case $t in
    *.sh) INKPIPE="$top/$bin" BUILD_DIR="$top/$build" run_one "$1" "$suite" "$name" bash "$t" ;;
    *) if [ "$use_valgrind" = 1 ]; then
           run_one "$1" "$suite" "$name" valgrind -q --leak-check=full \
               --errors-for-leak-kinds=definite --error-exitcode=99 "$t"
       else
           run_one "$1" "$suite" "$name" "$t"
       fi ;;
    esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
export OPENBLAS_NUM_THREADS=1

passed=0
failed=0
failures=()
shown=0
show_done() { # print the finished programs' reports, in order
    local p f id
    while [ "$shown" -lt ${#tasks[@]} ] && [ -f "$res/$shown.cnt" ]; do
        cat "$res/$shown.out"
        read -r p f id <"$res/$shown.cnt"
        passed=$((passed + p))
        failed=$((failed + f))
        [ "$f" -gt 0 ] && failures+=("$id")
        shown=$((shown + 1))
    done
}
pool_run "$njobs" ${#tasks[@]} start show_done
while [ "$shown" -lt ${#tasks[@]} ]; do # a runner that died without a report
    echo "FAIL $shown: ${tasks[$shown]} (no report)"
    echo "0 1 ${tasks[$shown]%%|*}/no-report" >"$res/$shown.cnt"
    : >"$res/$shown.out"
    show_done
done

if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
