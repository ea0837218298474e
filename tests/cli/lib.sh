# tests/cli/lib.sh - helpers for CLI integration tests (sourced).
# Each test script prints "PASS name" / "FAIL name" per case; $INKPIPE is the
# binary under test and $TEST_TMPDIR a fresh scratch folder (set by run.sh).
set -u
: "${INKPIPE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/inkpipe}"
: "${TEST_TMPDIR:=$(mktemp -d)}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export OPENBLAS_NUM_THREADS=1

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
# check NAME CMD... : PASS when CMD succeeds
check() {
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
