#!/usr/bin/env bash
# test_clean.sh - `inkpipe clean` (issue 16, "tidy spool"): the artifacts of
# finished pages go, the spool shrinks, and every nightly behaviour still
# holds afterwards: a rerun redoes nothing and the outputs stay the same
# bytes; a deleted output is written again; a settings edit (segment, and
# output only) redoes every page and gives a fresh job's outputs; a replaced
# input is redone; a file with a failed page keeps its artifacts. Refused
# (exit 1) for a job never run (nothing created) and while a run holds
# claims. The job key `clean: after-run` cleans after each run that ends 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
J=$T/c/job.yaml
IN=$T/c/in
SPOOL=$T/c/spool/job
mkdir -p "$T/hostile"
"$HOSTILE" --one truncated-png.png "$T/hostile/truncated-png.png" >/dev/null

# night NAME [ARGS]: run the job with a trace of the items run; sets rc,
# LOG ($T/NAME.log) and TRACE.
night() {
    LOG=$T/$1.log
    TRACE=$T/$1.trace
    : >"$TRACE"
    INKPIPE_TRACE=$TRACE "$INKPIPE" run "$J" "${@:2}" >"$LOG" 2>&1
    rc=$?
}
ran() { grep -c "^$1 " "$TRACE"; }
# artifacts: the number of art/ files (page artifacts) in the spool.
artifacts() { find "$SPOOL/art" -type f -name 'f*-p*' | wc -l; }
# cjob DIR FORMATS [YAML...]: DIR/job.yaml as mkjob makes it, with
# output.formats FORMATS and the extra top-level YAML lines.
cjob() {
    mkjob "$1" "${@:3}"
    sed -i "s/^  dir: out$/  dir: out\n  formats: $2/" "$1/job.yaml"
}
# same_as_fresh NAME FORMATS [YAML...]: the outputs equal those of a fresh
# job (cjob) over a copy of today's folder (paths mapped).
same_as_fresh() {
    local f=$T/fresh-$1
    rm -rf "$f"
    cjob "$f" "${@:2}"
    cp -a "$IN/." "$f/in/"
    "$INKPIPE" run "$f/job.yaml" >"$f.log" 2>&1
    diff <(cd "$f/out" && find . -type f | sort) \
        <(cd "$T/c/out" && find . -type f | sort) >/dev/null || {
        echo "  $1: output files differ from a fresh job's"
        return 1
    }
    local x
    for x in $(cd "$f/out" && find . -type f); do
        sed "s#$f/#$T/c/#g" "$f/out/$x" | cmp -s - "$T/c/out/$x" ||
            { echo "  $1: $x differs"; return 1; }
    done
}

# --- never run: refused, nothing created ----------------------------------
mkjob "$T/never"
"$INKPIPE" clean "$T/never/job.yaml" >"$T/never.out" 2>"$T/never.err"
check clean__never_run__exit_1 [ $? -eq 1 ]
check clean__never_run__says_so grep -q "never run" "$T/never.err"
check clean__never_run__creates_nothing [ ! -e "$T/never/spool" -a ! -e "$T/never/out" ]

# --- a job: clean after a run ---------------------------------------------
cjob "$T/c" "[txt, hocr]"
page "$IN/a.png" 1
page "$IN/b.png" 2
page "$IN/c.tif" 3 2
night n1
check run__exit_0 [ $rc -eq 0 ]
check run__artifacts_made [ "$(artifacts)" -eq 12 ]
cp -a "$T/c/out" "$T/out1"
"$INKPIPE" clean "$J" >"$T/clean1.out" 2>&1
rc=$?
check clean__exit_0 [ $rc -eq 0 ]
check clean__artifacts_removed [ "$(artifacts)" -eq 0 ]
check clean__says_files_and_bytes_per_page grep -Eq \
    "clean: 12 files removed \(of 3 input files, [0-9]+ bytes\); spool [0-9]+ bytes before, [0-9]+ after; per page \(4 pages\): [0-9]+ before, [0-9]+ after" \
    "$T/clean1.out"
before=$(grep -o "spool [0-9]* bytes before" "$T/clean1.out" | grep -o "[0-9]*")
after=$(grep -o "before, [0-9]* after;" "$T/clean1.out" | grep -o "[0-9]*")
check clean__spool_smaller [ "$after" -lt "$before" ]
check clean__bytes_as_du [ "$after" -eq "$(du -s --block-size=1 "$SPOOL" | cut -f1)" ]
check clean__status_still_all_done eval \
    '"$INKPIPE" status "$J" | grep -q "inputs: 3 files: 3 done, 0 failed, 0 pending"'
"$INKPIPE" clean "$J" >"$T/clean2.out" 2>&1
check clean__twice__nothing_more_removed grep -q "clean: 0 files removed" "$T/clean2.out"

# --- rerun: nothing redone, same bytes -------------------------------------
night n2
check rerun_after_clean__exit_0 [ $rc -eq 0 ]
check rerun_after_clean__nothing_redone [ ! -s "$TRACE" ]
check rerun_after_clean__outputs_byte_identical diff -r "$T/out1" "$T/c/out"

# --- a deleted output: written again (its file redone from the input) -----
rm "$T/c/out/a.txt"
night n3
check deleted_output_after_clean__exit_0 [ $rc -eq 0 ]
check deleted_output_after_clean__rewritten cmp "$T/out1/a.txt" "$T/c/out/a.txt"
check deleted_output_after_clean__only_its_file_redone eval \
    '[ "$(ran ingest)" -eq 1 ] && [ "$(ran recognize)" -eq 1 ] && [ "$(ran output)" -eq 1 ]'
check deleted_output_after_clean__all_identical diff -r "$T/out1" "$T/c/out"
check deleted_output_after_clean__summary_says_written_again grep -q "1 unchanged inputs had an output file missing: written again" "$LOG"
# the whole output folder
"$INKPIPE" clean "$J" >/dev/null 2>&1
rm -rf "$T/c/out"
night n3b
check deleted_folder_after_clean__all_rewritten eval \
    '[ $rc -eq 0 ] && diff -r "$T/out1" "$T/c/out"'

# --- a settings edit: every page redone, as a fresh job -------------------
"$INKPIPE" clean "$J" >/dev/null 2>&1
cjob "$T/c" "[txt, hocr]" "segment:" "  split_touching: false"
night n4
check segment_edit_after_clean__exit_0 [ $rc -eq 0 ]
check segment_edit_after_clean__redone_from_binarize eval \
    '[ "$(ran ingest)" -eq 0 ] && [ "$(ran binarize)" -eq 4 ] && [ "$(ran segment)" -eq 4 ] && [ "$(ran recognize)" -eq 4 ] && [ "$(ran output)" -eq 3 ]'
check segment_edit_after_clean__says_binarize_redone grep -q "binarize and the stages after it are redone" "$LOG"
check segment_edit_after_clean__same_as_fresh same_as_fresh f4 "[txt, hocr]" "segment:" "  split_touching: false"
"$INKPIPE" clean "$J" >/dev/null 2>&1
cjob "$T/c" "[txt, hocr, alto]" "segment:" "  split_touching: false"
night n5
check output_edit_after_clean__exit_0 [ $rc -eq 0 ]
check output_edit_after_clean__redone_from_binarize eval \
    '[ "$(ran binarize)" -eq 4 ] && [ "$(ran output)" -eq 3 ] && [ -s "$T/c/out/c.alto.xml" ]'
check output_edit_after_clean__same_as_fresh same_as_fresh f5 "[txt, hocr, alto]" \
    "segment:" "  split_touching: false"
cp -a "$T/c/out/." "$T/out5"

# --- a replaced input: redone -------------------------------------------
"$INKPIPE" clean "$J" >/dev/null 2>&1
sleep 1
page "$IN/b.png" 9
night n6
check replaced_input_after_clean__exit_0 [ $rc -eq 0 ]
check replaced_input_after_clean__only_it_redone eval \
    '[ "$(ran ingest)" -eq 1 ] && [ "$(ran recognize)" -eq 1 ]'
check replaced_input_after_clean__same_as_fresh same_as_fresh f6 "[txt, hocr, alto]" \
    "segment:" "  split_touching: false"

# --- a file with a failed page keeps its artifacts ------------------------
# c.tif replaced; its page 2 crashes in recognize (twice: failed)
"$INKPIPE" clean "$J" >/dev/null 2>&1
page "$IN/c.tif" 4 2
cp "$T/hostile/truncated-png.png" "$IN/d.png"
: >"$T/n7.trace"
INKPIPE_FAULT=recognize:crash,page=2 INKPIPE_TRACE=$T/n7.trace \
    "$INKPIPE" run "$J" >"$T/n7.log" 2>&1
check failed_pages__exit_3 [ $? -eq 3 ]
"$INKPIPE" clean "$J" >"$T/clean7.out" 2>&1
check clean__with_failures__exit_0 [ $? -eq 0 ]
check clean__with_failures__failed_file_keeps_artifacts eval \
    '[ "$(artifacts)" -eq 5 ] && [ "$(find "$SPOOL/art" -name "*-p0000.rec" | wc -l)" -eq 1 ]'
rm "$IN/d.png"
"$INKPIPE" retry "$J" >/dev/null 2>&1
night n7b
check failed_page_retried_after_clean__exit_0 [ $rc -eq 0 ]
check failed_page_retried_after_clean__only_it_recognized [ "$(ran recognize)" -eq 1 ]
check failed_page_retried_after_clean__same_as_fresh same_as_fresh f7 "[txt, hocr, alto]" \
    "segment:" "  split_touching: false"

# --- during a run: refused -------------------------------------------------
page "$IN/e.png" 11
INKPIPE_FAULT=recognize:sleep=4 "$INKPIPE" run "$J" >"$T/n8.log" 2>&1 &
runpid=$!
for _ in $(seq 100); do
    [ -n "$(ls "$SPOOL/recognize/claimed" 2>/dev/null)" ] && break
    sleep 0.1
done
"$INKPIPE" clean "$J" >"$T/clean8.out" 2>"$T/clean8.err"
crc=$?
wait $runpid
rc=$?
check clean__during_run__exit_1 [ $crc -eq 1 ]
check clean__during_run__says_run_in_progress grep -q "clean refused: a run is in progress (recognize .* held by host .* pid [0-9]*)" "$T/clean8.err"
check clean__during_run__run_unharmed eval '[ $rc -eq 0 ] && [ -s "$T/c/out/e.txt" ]'

# --- the job key: clean after each successful run --------------------------
mkjob "$T/k" "clean: after-run"
page "$T/k/in/a.png" 1
page "$T/k/in/c.tif" 3 2
"$INKPIPE" run "$T/k/job.yaml" >"$T/k1.log" 2>&1
rc=$?
check job_key__exit_0 [ $rc -eq 0 ]
check job_key__says_clean grep -q "clean: 9 files removed" "$T/k1.log"
check job_key__artifacts_removed [ "$(find "$T/k/spool/job/art" -type f | wc -l)" -eq 0 ]
cp -a "$T/k/out" "$T/kout1"
rm "$T/k/out/c.hocr"
"$INKPIPE" run "$T/k/job.yaml" --quiet >"$T/k2.log" 2>&1
rc=$?
check job_key__deleted_output_rewritten eval '[ $rc -eq 0 ] && diff -r "$T/kout1" "$T/k/out"'
check job_key__quiet_says_nothing [ ! -s "$T/k2.log" ]
cp "$T/hostile/truncated-png.png" "$T/k/in/d.png"
page "$T/k/in/b.png" 2
"$INKPIPE" run "$T/k/job.yaml" >"$T/k3.log" 2>&1
rc=$?
check job_key__failed_run__not_cleaned eval \
    '[ $rc -eq 3 ] && ! grep -q "clean:" "$T/k3.log" && [ "$(find "$T/k/spool/job/art" -type f | wc -l)" -gt 0 ]'
