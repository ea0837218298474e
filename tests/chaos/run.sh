#!/usr/bin/env bash
# tests/chaos/run.sh BUILD_DIR BIN - run the slow fault tests
# (tests/chaos/chaos_*.sh) like tests/run.sh runs the CLI tests: one fresh
# TEST_TMPDIR each, "PASS name" / "FAIL name" lines, "N passed, N failed"
# last, exit 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
top=$PWD build=$1 bin=$2
export OPENBLAS_NUM_THREADS=1
passed=0 failed=0
for t in tests/chaos/chaos_*.sh; do
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/inkpipe-chaos.XXXXXX")
    INKPIPE="$top/$bin" BUILD_DIR="$top/$build" TEST_TMPDIR=$tmp \
        timeout -k 10 1200 bash "$t" >"$tmp/log" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$tmp/log")
    f=$(grep -c '^FAIL ' "$tmp/log")
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    sed 's/^/    | /' "$tmp/log" | grep -v '^    | PASS '
    printf '%-6s %-40s %3d passed, %d failed\n' chaos "$(basename "$t" .sh)" "$p" "$f"
    passed=$((passed + p))
    failed=$((failed + f))
    rm -rf "$tmp"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
