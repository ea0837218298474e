#!/usr/bin/env bash
# test_week.sh - one job through a week of nights (issue 16, "Done when"):
# files added, one re-scanned (replaced), one removed, a broken file fixed,
# a broken file deleted, the output folder deleted, the spool cleaned
# (`inkpipe clean`), a run stopped with SIGTERM (and the morning after). After each night: the exit code (0; 3
# with the broken file named while one is present; 143 when stopped), the
# summary line counts this run's pages, the outputs equal byte for byte
# those of a fresh job over that night's folder, and no process of the
# run (worker or other) is left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
mkdir -p "$T/hostile"
"$HOSTILE" "$T/hostile" >/dev/null
BROKEN=$T/hostile/truncated-png.png

J=$T/n/job.yaml
IN=$T/n/in
SPOOL=$T/n/spool/job

# procs_of FILE: live processes (not zombies) whose command line names FILE.
procs_of() {
    local f pid
    for f in $(grep -laF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null); do
        pid=${f#/proc/}; pid=${pid%/cmdline}
        grep -q "State:.*Z" "/proc/$pid/status" 2>/dev/null || echo "$pid"
    done
}
# night NAME [ARGS...]: run the job; sets rc and LOG ($T/NAME.log).
night() {
    LOG=$T/$1.log
    "$INKPIPE" run "$J" "${@:2}" >"$LOG" 2>&1
    rc=$?
}
# summary PATTERN: the summary line of the last night matches PATTERN.
summary() { grep "inkpipe: .*: this run: " "$LOG" | grep -q -- "$1"; }
# fresh NAME: a fresh job over a copy of today's folder, in $T/fresh-NAME.
fresh() {
    local f=$T/fresh-$1
    rm -rf "$f"
    mkjob "$f"
    cp -a "$IN/." "$f/in/"
    "$INKPIPE" run "$f/job.yaml" >"$f.log" 2>&1
}
# same_file NAME X: output X equals the fresh job's (the hOCR names its
# image: the folder is mapped).
same_file() {
    local f=$T/fresh-$1
    sed "s#$f/#$T/n/#g" "$f/out/$2" | cmp -s - "$T/n/out/$2"
}
# same_as_fresh NAME: exactly the fresh job's output files, same bytes.
same_as_fresh() {
    local f=$T/fresh-$1 x
    fresh "$1"
    [ -d "$f/out" ] && [ -d "$T/n/out" ] || { echo "  $1: no outputs"; return 1; }
    diff <(cd "$f/out" && find . -type f | sort) \
        <(cd "$T/n/out" && find . -type f | sort) || {
        echo "  $1: output files differ from a fresh job's"
        return 1
    }
    for x in $(cd "$f/out" && find . -type f); do
        same_file "$1" "$x" || { echo "  $1: $x differs"; return 1; }
    done
}
# nothing_left: no process names the job (its run and workers are gone).
nothing_left() {
    local left
    left=$(procs_of "$J")
    [ -z "$left" ] && return 0
    echo "  left behind: $left"
    kill -9 $left 2>/dev/null
    return 1
}
# after NAME: the checks of every night but the stopped one.
after() {
    check "$1__same_as_fresh" same_as_fresh "$1"
    check "$1__no_process_left" nothing_left
}

# --- monday: files added (two of them broken) ------------------------------
mkjob "$T/n"
page "$IN/a.png" 1
page "$IN/b.png" 2
page "$IN/c.tif" 3 2
cp "$BROKEN" "$IN/bad1.png"
cp "$BROKEN" "$IN/bad2.png"
night mon
check mon_added__exit_3 [ $rc -eq 3 ]
check mon_added__broken_files_named eval 'grep -q "bad1.png" "$LOG" && grep -q "bad2.png" "$LOG"'
check mon_added__summary_this_run summary \
    "this run: 4 pages done, 2 failed, 3 files written in .*inputs: 5 files: 5 new, 0 changed, 0 unchanged, 0 removed"
after mon

# --- tuesday: a re-scan replaces a.png --------------------------------------
before=$(cat "$T/n/out/a.txt")
page "$IN/a.png" 11
night tue
check tue_replaced__exit_3_broken_named eval \
    '[ $rc -eq 3 ] && grep -q "bad1.png" "$LOG" && grep -q "bad2.png" "$LOG"'
check tue_replaced__summary_this_run summary \
    "this run: 1 pages done, 0 failed, 1 files written in .*0 new, 1 changed, 4 unchanged"
check tue_replaced__text_new eval '[ "$(cat "$T/n/out/a.txt")" != "$before" ]'
after tue

# --- wednesday: b.png removed (and pruned) ----------------------------------
rm "$IN/b.png"
night wed --prune
check wed_removed__exit_3_broken_named eval \
    '[ $rc -eq 3 ] && grep -q "bad1.png" "$LOG" && grep -q "bad2.png" "$LOG"'
check wed_removed__summary_this_run summary \
    "this run: 0 pages (4 unchanged), 0 files written in .* 1 removed"
check wed_removed__outputs_pruned eval '[ ! -e "$T/n/out/b.txt" ] && [ ! -e "$T/n/out/b.hocr" ]'
after wed

# --- thursday: bad1.png fixed ------------------------------------------------
page "$IN/bad1.png" 21
night thu
check thu_fixed__exit_3_other_broken_named eval \
    '[ $rc -eq 3 ] && grep -q "bad2.png" "$LOG"'
check thu_fixed__summary_this_run summary \
    "this run: 1 pages done, 0 failed, 1 files written in .*0 new, 1 changed, 3 unchanged"
check thu_fixed__outputs_written eval '[ -s "$T/n/out/bad1.txt" ] && [ -s "$T/n/out/bad1.hocr" ]'
after thu

# --- friday: bad2.png deleted -----------------------------------------------
rm "$IN/bad2.png"
night fri
check fri_broken_deleted__exit_0 [ $rc -eq 0 ]
check fri_broken_deleted__line_names_it grep -q "bad2.png is gone: its failure dropped" "$LOG"
check fri_broken_deleted__summary_this_run summary \
    "this run: 0 pages (3 unchanged), 0 files written in .*inputs: 3 files: .*0 unreadable"
after fri

# --- saturday: the output folder deleted ------------------------------------
rm -rf "$T/n/out"
night sat
check sat_output_folder_deleted__exit_0 [ $rc -eq 0 ]
check sat_output_folder_deleted__summary_this_run summary \
    "this run: 0 pages (3 unchanged), 3 files written in "
after sat
# saturday night's clean: the rest of the week runs on a cleaned spool
"$INKPIPE" clean "$J" >"$T/sat-clean.log" 2>&1
crc=$?
check sat_clean__exit_0_artifacts_of_3_files_removed eval \
    '[ $crc -eq 0 ] && grep -q "clean: [1-9][0-9]* files removed (of 3 input files" "$T/sat-clean.log"'

# --- sunday: new files, the run stopped with SIGTERM ------------------------
for i in 1 2 3 4 5 6; do page "$IN/s$i.png" $((40 + i)); done
LOG=$T/sun.log
INKPIPE_FAULT=recognize:sleep=0.4 "$INKPIPE" run "$J" >"$LOG" 2>&1 &
pid=$!
busy=0
for _ in $(seq 400); do
    [ -n "$(ls "$SPOOL/recognize/claimed" 2>/dev/null)" ] && { busy=1; break; }
    sleep 0.05
done
workers=$(children "$pid" | wc -w)
kill -TERM "$pid"
wait "$pid"; rc=$?
check sun_stopped__was_busy_with_workers eval '[ $busy = 1 ] && [ "$workers" -ge 1 ]'
check sun_stopped__exit_143 [ $rc -eq 143 ]
check sun_stopped__says_what_was_done eval \
    'grep -qE "stopped: [0-9]+ pages done this run, [1-9][0-9]* left; rerun \`inkpipe run $J\` to continue" "$LOG"'
check sun_stopped__no_process_left nothing_left
fresh sun
# what was written is a fresh job's (no half-written or stale file)
written_are_fresh() {
    local x
    for x in $(cd "$T/n/out" && find . -type f); do
        same_file sun "$x" || { echo "  sun: $x differs"; return 1; }
    done
}
check sun_stopped__outputs_written_are_fresh written_are_fresh

# --- the morning after: the rerun finishes ----------------------------------
night mon2
check mon2_after_stop__exit_0 [ $rc -eq 0 ]
check mon2_after_stop__summary_this_run summary \
    "this run: [1-6] pages done, 0 failed, [1-6] files written in .*inputs: 9 files: [0-6] new, 0 changed, [3-9] unchanged"
after mon2
