#!/usr/bin/env bash
# test_stop.sh - clean stops of `inkpipe run` (issue 16): SIGTERM or SIGINT
# stops its workers (none is left behind), says what was done and how to
# resume, exits 143/130; `status` then shows no running worker; a rerun
# finishes and its outputs equal those of an undisturbed run. A run killed
# with -9 leaves claims that `status` reports as held by dead workers.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" || { fail setup "rec_model create"; exit 1; }
mkdir -p "$T/in"
for i in 1 2 3 4 5 6 7 8; do
    "$B/tools/mkpage" --seed "$i" --size 600x300 "$T/in/p$i.png"
done

mkjob() { # DIR
    mkdir -p "$1"
    printf 'input:\n  paths: [%s]\noutput:\n  dir: out\nspool: spool\nworkers: 2\n' \
        "$T/in" >"$1/job.yaml"
}
# processes (other than zombies) whose command line names FILE
procs_of() {
    local f pid
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}; pid=${pid%/cmdline}
        grep -q "State:.*Z" "/proc/$pid/status" 2>/dev/null && continue
        { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$1" && echo "$pid"
    done
}
# wait (bounded) until DIR's run has some page in recognize
wait_busy() {
    for _ in $(seq 200); do
        [ -n "$(find "$1/spool/recognize/claimed" "$1/spool/recognize/done" -type f 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    return 1
}

mkjob "$T/ref"
"$INKPIPE" run "$T/ref/job.yaml" >/dev/null 2>&1; rc=$?
check reference__undisturbed_run__exit_0 test "$rc" = 0

for sig in TERM INT; do
    D=$T/$sig
    mkjob "$D"
    want=143; [ $sig = INT ] && want=130
    INKPIPE_FAULT=recognize:sleep=0.4 "$INKPIPE" run "$D/job.yaml" >"$D/log" 2>&1 &
    pid=$!
    wait_busy "$D"
    kill -$sig "$pid"
    wait "$pid"; rc=$?
    check "run__sig${sig}__exits_$want" test "$rc" = "$want"
    check "run__sig${sig}__says_what_was_done_and_how_to_resume" \
        grep -qE "stopped: [0-9]+ pages done this run, [0-9]+ left; rerun \`inkpipe run $D/job.yaml\` to continue" "$D/log"
    sleep 0.2
    left=$(procs_of "$D/job.yaml")
    check "run__sig${sig}__no_worker_left" test -z "$left"
    [ -n "$left" ] && kill -9 $left 2>/dev/null
    st=$("$INKPIPE" status "$D/job.yaml"); echo "$st" >"$D/status"
    check "status__after_sig${sig}__no_running_worker" \
        test -z "$(echo "$st" | grep 'in progress')" -a \
        -z "$(echo "$st" | awk 'NF == 5 && $1 ~ /^(ingest|binarize|segment|recognize|output)$/ && $3 != 0')"
    check "run__sig${sig}__left_pages_to_do" test -n "$(echo "$st" | grep -E '^output +[0-9]+ +0 +[0-7] ')"
    "$INKPIPE" run "$D/job.yaml" >"$D/log2" 2>&1; rc=$?
    check "rerun__after_sig${sig}__exit_0" test "$rc" = 0
    check "rerun__after_sig${sig}__outputs_equal_fresh_run" diff -r "$T/ref/out" "$D/out"
done

# kill -9 of run and its workers: their claims stay, status says their
# holders are dead (not running), and a rerun takes them back
D=$T/k9
mkjob "$D"
INKPIPE_FAULT=recognize:hang setsid "$INKPIPE" run "$D/job.yaml" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do
    [ -n "$(ls "$D/spool/recognize/claimed" 2>/dev/null)" ] && break
    sleep 0.05
done
kill -9 -- "-$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sleep 0.3
st=$("$INKPIPE" status "$D/job.yaml"); echo "$st" >"$D/status"
check status__claims_of_killed_run__shown_as_dead \
    test -n "$(echo "$st" | grep 'held by dead worker')" -a \
    -z "$(echo "$st" | awk 'NF == 5 && $1 ~ /^(ingest|binarize|segment|recognize|output)$/ && $3 != 0')"
"$INKPIPE" run "$D/job.yaml" >/dev/null 2>&1; rc=$?
check rerun__after_kill9__exit_0 test "$rc" = 0
check rerun__after_kill9__outputs_equal_fresh_run diff -r "$T/ref/out" "$D/out"

# kill -9 of `run` alone (not its group): its workers notice (they get
# SIGTERM when their parent dies), finish their page and exit: no orphan
D=$T/k9run
mkjob "$D"
INKPIPE_FAULT=recognize:sleep=1.5 "$INKPIPE" run "$D/job.yaml" >/dev/null 2>&1 &
pid=$!
wait_busy "$D"
kill -9 "$pid"
wait "$pid" 2>/dev/null
# (within 3 s: a page takes 1.5 s; left alone, the workers would go on
# for the 4.5 s or more that the other pages take)
t_end=$(($(date +%s%N) + 3000000000))
while [ "$(date +%s%N)" -lt "$t_end" ]; do
    [ -z "$(procs_of "$D/job.yaml")" ] && break
    sleep 0.1
done
left=$(procs_of "$D/job.yaml")
check run__kill9_of_run_alone__workers_exit_no_orphan test -z "$left"
[ -n "$left" ] && kill -9 $left 2>/dev/null
"$INKPIPE" run "$D/job.yaml" >/dev/null 2>&1; rc=$?
check rerun__after_kill9_of_run_alone__exit_0 test "$rc" = 0
check rerun__after_kill9_of_run_alone__outputs_equal_fresh_run diff -r "$T/ref/out" "$D/out"
