# tests/cli/robust_lib.sh - helpers shared by the fault and hostile-input
# tests (test_faults*.sh, test_hostile*.sh); sourced after lib.sh.
#
# Fixtures come from the build's tools: $HOSTILE (tools/hostile.c: hostile
# images), $REC_MODEL (tools/rec_model.c: a tiny seeded model) and $MKPAGE
# (tools/mkpage.c: small pages of Hershey text). Nothing is read from
# /work/shared.
: "${BUILD_DIR:=$TOP/build}"
HOSTILE=$BUILD_DIR/tools/hostile
REC_MODEL=$BUILD_DIR/tools/rec_model
MKPAGE=$BUILD_DIR/tools/mkpage
# fsync costs seconds on a busy disk and proves nothing in these tests
# (the disk-full test turns it back on).
export INKPIPE_FSYNC=${INKPIPE_FSYNC:-0}
unset INKPIPE_HOST

# 1 when $INKPIPE was built with AddressSanitizer (no RLIMIT_AS there).
is_asan() {
    nm "$INKPIPE" 2>/dev/null | grep -q __asan_init
}

# children PID: the pids of PID's child processes (from /proc: no procps).
children() {
    cat /proc/"$1"/task/*/children 2>/dev/null
}

# model FILE: the tiny seeded model (random weights; the tests compare runs
# with each other, never with the truth).
model() {
    [ -f "$1" ] || "$REC_MODEL" create --arch c4,p,c8,p,f62 --seed 1 "$1"
}

# page FILE SEED [PAGES] [SIZE]: a small page of random words.
page() {
    "$MKPAGE" --size "${4:-360x200}" --seed "$2" --pages "${3:-1}" "$1"
}

# mkjob DIR [YAML...]: DIR/job.yaml reading DIR/in, writing DIR/out, with
# the tiny model; extra lines are appended (top-level keys).
mkjob() {
    local d=$1; shift
    mkdir -p "$d/in"
    model "$d/m.model"
    {
        echo "input:"
        echo "  paths: [in]"
        echo "output:"
        echo "  dir: out"
        echo "recognize:"
        echo "  model: m.model"
        for l in "$@"; do echo "$l"; done
    } >"$d/job.yaml"
}

# status_json JOB: the status object on stdout.
status_json() {
    "$INKPIPE" status "$1" --json
}

# stage_count JOB STAGE FIELD: one number from `status --json`.
stage_count() {
    status_json "$1" | grep -o "\"$2\":{[^}]*}" | grep -o "\"$3\":[0-9]*" |
        cut -d: -f2
}

# all_done JOB: every stage has nothing queued, claimed or failed, and
# done == total (prints what differs otherwise).
all_done() {
    local j=$1 s q c d f t ok=0
    for s in ingest binarize segment recognize output; do
        q=$(stage_count "$j" $s queued); c=$(stage_count "$j" $s claimed)
        d=$(stage_count "$j" $s done); f=$(stage_count "$j" $s failed)
        t=$(stage_count "$j" $s total)
        if [ "$q" != 0 ] || [ "$c" != 0 ] || [ "$f" != 0 ] || [ "$d" != "$t" ]; then
            echo "  $s: queued $q claimed $c done $d failed $f total $t"
            ok=1
        fi
    done
    return $ok
}

# tree_sums DIR: "sha256  relative/path" of every file under DIR, sorted.
tree_sums() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# no_crash_text FILE: no sanitizer report or crash in a log.
no_crash_text() {
    ! grep -Eq 'Sanitizer|runtime error|core dumped|Segmentation fault|Aborted' "$1"
}
