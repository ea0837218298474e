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
passed=0 failed=0
for name in "$@"; do
    short=${name#fuzz_}
    corpus=$build/corpus/$short
    seeds=tests/fuzz/corpus/$short
    mkdir -p "$corpus" "$seeds"
    log=$build/fuzz-$short.log
    "$build/fuzz/$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crash-$short-" \
        "$corpus" "$seeds" >"$log" 2>&1
    rc=$?
    stats=$(grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" |
        tr '\n' ' ')
    if [ $rc -eq 0 ]; then
        echo "PASS $name ($stats)"
        passed=$((passed + 1))
    else
        echo "FAIL $name (exit $rc; log $log)"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 8 | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
