#!/usr/bin/env bash
# test_crash.sh - crash safety: kill -9 of a whole run (or of single
# workers) at several moments, then `inkpipe run` again: every page is done,
# no item completes twice, no temp file is left, and the outputs (txt,
# hocr, pdf) are byte-identical to an undisturbed run. Two concurrent runs
# on one job share the work without doing any item twice.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
MKPAGE=$B/tools/mkpage
T=$TEST_TMPDIR
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" || { fail setup "rec_model create"; exit 1; }

mkdir -p "$T/in/a" "$T/in/b"
for i in 1 2 3 4 5 6; do
    "$MKPAGE" --seed "$i" --size 800x400 "$T/in/a/p$i.png"
done
"$MKPAGE" --seed 20 --pages 4 --size 800x400 "$T/in/b/multi.tif"
N_PAGES=10
N_FILES=7

mkjob() { # DIR: a job over $T/in writing to DIR/out, spool DIR/spool
    mkdir -p "$1"
    printf 'input:\n  paths: [%s]\noutput:\n  dir: out\n  formats: [txt, hocr, pdf]\nspool: spool\nworkers: 2\n' \
        "$T/in" >"$1/job.yaml"
}

mkjob "$T/ref"
"$INKPIPE" run "$T/ref/job.yaml" >/dev/null 2>&1; rc=$?
check reference__undisturbed_run__exit_0 test "$rc" = 0

# 1. kill -9 the whole process group (run, workers, stage children) at
#    several moments, once or twice, then run to the end.
for delay in 0.1 0.3 0.6; do
    D=$T/k$delay
    mkjob "$D"
    export INKPIPE_TRACE=$D/trace
    rounds=1
    [ "$delay" = 0.3 ] && rounds=2
    for round in $(seq "$rounds"); do
        setsid "$INKPIPE" run "$D/job.yaml" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 -- "-$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    # children of the killed workers die with them (PR_SET_PDEATHSIG)
    sleep 0.2
    "$INKPIPE" run "$D/job.yaml" >"$D/log" 2>&1; rc=$?
    unset INKPIPE_TRACE
    check "kill9_${delay}__rerun__exit_0" test "$rc" = 0
    check "kill9_${delay}__outputs_identical" diff -r "$T/ref/out" "$D/out"
    dups=$(awk '{print $1, $2}' "$D/trace" | sort | uniq -d | wc -l)
    check "kill9_${delay}__no_item_completed_twice" test "$dups" = 0
    st=$("$INKPIPE" status "$D/job.yaml")
    check "kill9_${delay}__every_page_done_once" \
        test -n "$(echo "$st" | grep -E "^recognize +0 +0 +$N_PAGES +0$")" \
        -a -n "$(echo "$st" | grep -E "^output +0 +0 +$N_FILES +0$")"
    check "kill9_${delay}__no_temp_files" \
        test -z "$(find "$D/out" -name '.*tmp*'; find "$D/spool"/*/tmp -mindepth 1)"
done

# 2. kill -9 single workers mid-run: the run replaces them, recovers their
#    claims and still finishes every page.
D=$T/kw
mkjob "$D"
export INKPIPE_TRACE=$D/trace
"$INKPIPE" run "$D/job.yaml" --workers 2 >"$D/log" 2>&1 &
run=$!
children() { # PID: its children, from /proc (no procps needed)
    local st w ppid
    for st in /proc/[0-9]*/stat; do
        { read -r w _ _ ppid _ <"$st"; } 2>/dev/null || continue
        [ "$ppid" = "$1" ] && echo "$w"
    done
}
# wait (bounded) until the workers are at work, then kill them
for _ in $(seq 100); do
    [ -n "$(children "$run")" ] && [ -n "$(ls "$D/spool/binarize/done" 2>/dev/null)" ] && break
    sleep 0.05
done
killed=0
for w in $(children "$run"); do
    kill -9 "$w" && killed=$((killed + 1))
done
wait "$run"; rc=$?
check kill_workers__workers_were_killed test "$killed" -ge 1
unset INKPIPE_TRACE
check kill_workers__run_finishes__exit_0 test "$rc" = 0
check kill_workers__outputs_identical diff -r "$T/ref/out" "$D/out"
dups=$(awk '{print $1, $2}' "$D/trace" | sort | uniq -d | wc -l)
check kill_workers__no_item_completed_twice test "$dups" = 0

# 3. two runs of one job from two shells at once
D=$T/two
mkjob "$D"
export INKPIPE_TRACE=$D/trace
"$INKPIPE" run "$D/job.yaml" >"$D/log1" 2>&1 &
p1=$!
"$INKPIPE" run "$D/job.yaml" >"$D/log2" 2>&1 &
p2=$!
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
unset INKPIPE_TRACE
check two_runs__both_exit_0 test "$rc1" = 0 -a "$rc2" = 0
check two_runs__outputs_identical diff -r "$T/ref/out" "$D/out"
n=$(wc -l <"$D/trace")
dups=$(awk '{print $1, $2}' "$D/trace" | sort | uniq -d | wc -l)
# ingest 7 + binarize/segment/recognize 10 each + output 7
check two_runs__each_item_once test "$dups" = 0 -a "$n" = $((N_FILES * 2 + N_PAGES * 3))

# 4. heartbeat: one page whose segment stage takes 4 s, a lease of 2 s,
#    and two workers on two "hosts" sharing the spool: the idle one must
#    not take the busy one's claim back (the heartbeat keeps it fresh), so
#    no item runs twice and no claim is lost.
D=$T/hb
mkdir -p "$D/in"
"$MKPAGE" --seed 31 --size 600x300 "$D/in/a.png"
printf 'input:\n  paths: [in]\noutput:\n  dir: out\nlease:\n  seconds: 2\n' >"$D/job.yaml"
"$INKPIPE" submit "$D/job.yaml" >/dev/null
export INKPIPE_TRACE=$D/trace INKPIPE_FAULT=segment:sleep=4
# (without heartbeats the two would take the claim from each other forever:
# the time limit turns that into a failure instead of a hang)
INKPIPE_HOST=hosta timeout 60 "$INKPIPE" work "$D/job.yaml" --exit-when-idle 2>"$D/loga" &
pa=$!
INKPIPE_HOST=hostb timeout 60 "$INKPIPE" work "$D/job.yaml" --exit-when-idle 2>"$D/logb" &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
unset INKPIPE_TRACE INKPIPE_FAULT
check heartbeat__two_hosts__both_exit_0 test "$ra" = 0 -a "$rb" = 0
check heartbeat__no_claim_lost test -z "$(cat "$D/loga" "$D/logb" | grep -i 'lost')"
dups=$(awk '{print $1, $2}' "$D/trace" | sort | uniq -d | wc -l)
check heartbeat__no_item_twice test "$dups" = 0 -a "$(grep -c '^segment ' "$D/trace")" = 1
check heartbeat__outputs_written test -f "$D/out/a.txt" -a -f "$D/out/a.hocr"

# 5. kill -9 of a stage process (what the OOM killer would pick) just as it
#    publishes a file's output (txt and hOCR staged, not yet renamed into
#    place; INKPIPE_FAULT=output:stop,at=publish stops each output there):
#    the worker that sees it die sweeps what it staged and runs the item
#    again (a signal is not the file's fault until it repeats). The run
#    ends with exit 0, outputs byte-identical to an undisturbed run, and no
#    temporary file anywhere.
proc_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }
D=$T/kstage
mkjob "$D"
export INKPIPE_TRACE=$D/trace
INKPIPE_FAULT=output:stop,at=publish "$INKPIPE" run "$D/job.yaml" --workers 1 >"$D/log" 2>&1 &
run=$!
killed=0 staged=0 resumed=0
while kill -0 "$run" 2>/dev/null; do
    for w in $(children "$run"); do
        for c in $(children "$w"); do
            [ "$(proc_state "$c")" = T ] || continue
            if [ "$killed" = 0 ]; then
                staged=$(find "$D/out" -path '*/.inkpipe-*/*' -type f | wc -l)
                kill -9 "$c" && killed=1
            else
                kill -CONT "$c" && resumed=$((resumed + 1))
            fi
        done
    done
    sleep 0.05
done
wait "$run"; rc=$?
unset INKPIPE_TRACE
echo "  killed one output stage process with $staged files staged; $resumed resumed"
check kill9_stage__killed_with_files_staged test "$killed" = 1 -a "$staged" -gt 0
check kill9_stage__run__exit_0 test "$rc" = 0
check kill9_stage__outputs_identical diff -r "$T/ref/out" "$D/out"
check kill9_stage__no_temp_files \
    test -z "$(find "$D/out" -name '.*'; find "$D/spool"/*/tmp "$D/spool"/*/stage -mindepth 1)"
st=$("$INKPIPE" status "$D/job.yaml")
check kill9_stage__every_item_done_once \
    test -n "$(echo "$st" | grep -E "^output +0 +0 +$N_FILES +0$")" \
    -a "$(awk '{print $1, $2}' "$D/trace" | sort | uniq -d | wc -l)" = 0

# 6. a stage process that crashes on a page every time: the page is run
#    once more, then fails with "crashed: signal N (name) (twice)"; the
#    other pages are done (the file's output is written without it).
D=$T/crash2
mkjob "$D"
"$INKPIPE" submit "$D/job.yaml" >/dev/null
INKPIPE_FAULT=segment:crash,page=2 "$INKPIPE" work "$D/job.yaml" --exit-when-idle 2>"$D/log"; rc=$?
st=$("$INKPIPE" status "$D/job.yaml")
check crash_twice__exit_3 test "$rc" = 3
check crash_twice__run_again_once \
    test "$(grep -c 'segment .*-p0001: crashed: signal [0-9]* (.*); the item is run again' "$D/log")" = 1
check crash_twice__failed_with_reason \
    test -n "$(echo "$st" | grep -E -- '-p0001: crashed: signal [0-9]+ \(.*\) \(twice\)$')"
check crash_twice__other_pages_done \
    test -n "$(echo "$st" | grep -E "^recognize +0 +0 +$((N_PAGES - 1)) +0$")" \
    -a -f "$D/out/b/multi.txt"
