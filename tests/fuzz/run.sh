#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS BUILD_DIR NAME... - run each libFuzzer target
# BUILD_DIR/fuzz/NAME for SECONDS on its seeds (tests/fuzz/corpus/NAME
# without the "fuzz_" prefix) plus the corpus it grew before
# (BUILD_DIR/corpus/NAME). Prints "PASS fuzz_NAME" / "FAIL fuzz_NAME" and
# "N passed, N failed" last; a crash leaves BUILD_DIR/crash-NAME-* behind.
set -u
cd "$(dirname "$0")/../.."
secs=$1 build=$2
shift 2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# the suite's leak suppressions (libraries' process-lifetime state)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export OPENBLAS_NUM_THREADS=1
# Targets run FUZZ_JOBS at a time (default: one per CPU), each for SECONDS
# of wall time; their lines are printed in the order named.
. tests/pool.sh
njobs=$(pool_size FUZZ_JOBS fuzz/run.sh) || exit 2
res=$(mktemp -d "${TMPDIR:-/tmp}/inkpipe-fuzz.XXXXXX")
trap 'rm -rf "$res"' EXIT

fuzz_one() { # I NAME: run one target; its report goes to $res/I (0 passed, 1 failed)
    local i=$1 name=$2 short corpus seeds log rc stats
    short=${name#fuzz_}
    corpus=$build/corpus/$short
    seeds=tests/fuzz/corpus/$short
    mkdir -p "$corpus" "$seeds"
    log=$build/fuzz-$short.log
    "$build/fuzz/$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crash-$short-" \
        "$corpus" "$seeds" >"$log" 2>&1 </dev/null
    rc=$?
    stats=$(grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" |
        tr '\n' ' ')
    if [ $rc -eq 0 ]; then
        echo "PASS $name ($stats)" >"$res/$i.out"
        echo 0 >"$res/$i.rc"
    else
        { echo "FAIL $name (exit $rc; log $log)"
          grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 8 | sed 's/^/    | /'
        } >"$res/$i.out"
        echo 1 >"$res/$i.rc"
    fi
}

names=("$@")
fuzz_nth() { fuzz_one "$1" "${names[$1]}"; }
pool_run "$njobs" ${#names[@]} fuzz_nth
passed=0 failed=0
for i in "${!names[@]}"; do
    if [ -f "$res/$i.rc" ] && [ "$(cat "$res/$i.rc")" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    cat "$res/$i.out" 2>/dev/null || echo "FAIL ${names[$i]} (no report)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
