# tests/cli/lib.sh - helpers for CLI integration tests (sourced by all).
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

# The wiring tests of the recognise switches (test_adapt, test_context,
# test_lm): a random classifier and Hershey pages from the build's tools,
# the job key against the ocr option.
: "${BUILD_DIR:=$TOP/build}"

# setup_model FILE: the random classifier (tools/rec_model, seed 7); a
# FAIL setup__rec_model line and exit 1 when it cannot be made.
# stand_in_chars74k DIR: a stand-in Chars74K tree (DIR/Img/SampleNNN/
# imgNNN-007.png, the 62 classes drawn with DejaVu Sans), so that
# form_compose has handwriting without /work/shared. 0, or 1 (ImageMagick
# failed).
stand_in_chars74k() {
    local chars=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz
    local font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf c d
    for c in $(seq 1 62); do
        d=$(printf '%s/Img/Sample%03d' "$1" "$c")
        mkdir -p "$d"
        convert -size 300x300 xc:white -font "$font" -pointsize 200 \
            -gravity center -annotate 0 "${chars:$((c - 1)):1}" \
            "$(printf '%s/img%03d-007.png' "$d" "$c")" || return 1
    done
}

setup_model() {
    "$BUILD_DIR/tools/rec_model" create --seed 7 "$1" >/dev/null ||
        { fail setup__rec_model; exit 1; }
}

# setup_page ARGS...: tools/mkpage ARGS (a page of Hershey text); a FAIL
# setup__mkpage line and exit 1 when it cannot be made.
setup_page() {
    "$BUILD_DIR/tools/mkpage" "$@" || { fail setup__mkpage; exit 1; }
}

# key_jobs DIR KEY VALUE...: per VALUE, DIR/job_VALUE/job.yaml (name
# KEY_VALUE) reading DIR/in, txt into DIR/job_VALUE/out, with
# recognize.KEY: VALUE (none for the value "default"), then `run` it; a
# run that fails is said with its log.
key_jobs() {
    local d=$1 key=$2 v j; shift 2
    for v in "$@"; do
        j=$d/job_$v
        mkdir -p "$j"
        {
            echo "name: ${key}_$v"
            echo "input:"
            echo "  paths: [$d/in]"
            echo "output:"
            echo "  dir: $j/out"
            echo "  formats: [txt]"
            echo "spool: $j/spool"
            if [ "$v" != default ]; then
                echo "recognize:"
                echo "  $key: $v"
            fi
        } >"$j/job.yaml"
        "$INKPIPE" run "$j/job.yaml" >"$j/log" 2>&1 || echo "  run $v failed: $(cat "$j/log")"
    done
}

# key_not_bool DIR KEY: a job with recognize.KEY: maybe is refused with
# exit 2 and its file, line 6 and the key named
# (job__KEY_not_bool__error_names_line).
key_not_bool() {
    local d=$1 key=$2 err rc
    printf 'input:\n  paths: [%s]\noutput:\n  dir: %s\nrecognize:\n  %s: maybe\n' \
        "$d/in" "$d/bad_out" "$key" >"$d/bad.yaml"
    err=$("$INKPIPE" run "$d/bad.yaml" 2>&1); rc=$?
    case "$rc:$err" in
    2:*bad.yaml:6:*"$key"*) pass "job__${key}_not_bool__error_names_line" ;;
    *) fail "job__${key}_not_bool__error_names_line" "rc=$rc: $err" ;;
    esac
}
