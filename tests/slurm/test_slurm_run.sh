#!/usr/bin/env bash
# tests/slurm/test_slurm_run.sh - `inkpipe slurm submit` + `slurm wait` make
# one run, reported as `inkpipe run` reports its run: the summary counts only
# what this submission did, and each wait leaves a JSON report in
# SPOOL/runs/.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 1
B=${BUILD_DIR:-$TOP/build}

export INKPIPE_MODEL=$TEST_TMPDIR/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" >/dev/null 2>&1 ||
    { fail setup "rec_model create failed"; exit 1; }
if ! "$B/tools/compose" --out all --pages 3 --seed 7 --source hershey \
    --size small --dpi 150 --lines 2 >compose.log 2>&1; then
    fail setup "compose failed: $(tail -n 3 compose.log)"
    exit 1
fi
mkdir in && cp all/page-001.png all/page-002.png in/
printf 'name: sr\ninput:\n  paths: [in]\noutput:\n  dir: out\nspool: spool\nworkers: 1\n' >sr.yaml

# submit_wait TAG: slurm submit then slurm wait; wait's stderr in TAG.err,
# its exit code in TAG.rc.
submit_wait() {
    "$INKPIPE" slurm submit sr.yaml --tasks 1 --cpus-per-task 1 \
        >"$1.id" 2>"$1.submit"
    timeout 150 "$INKPIPE" slurm wait sr.yaml --timeout 120 >"$1.err" 2>&1
    echo $? >"$1.rc"
}
nruns() { ls spool/runs/*.json 2>/dev/null | wc -l; }

# --- two pages, then one more: each wait counts its own submission --------
submit_wait first
check slurm_wait__first_submit__exit_0_this_run_two_pages \
    test "$(cat first.rc)" -eq 0 -a -n "$(grep 'this run: 2 pages done, 0 failed, 2 files written' first.err)"
check slurm_wait__first_submit__inputs_two_new \
    grep -q 'inputs: 2 files: 2 new, 0 changed, 0 unchanged' first.err
check slurm_wait__first_submit__one_run_report test "$(nruns)" -eq 1
report=$(ls spool/runs/*.json 2>/dev/null | head -n 1)
check slurm_wait__run_report__this_run_and_job_counts python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["job"] == "sr" and r["exit_code"] == 0, r
assert r["this_run"]["pages_done"] == 2, r["this_run"]
assert r["inputs"]["new"] == 2 and r["job_total"]["pages"] == 2, r
assert r["start"] <= r["end"], r
' "${report:-none}"

cp all/page-003.png in/
submit_wait second
check slurm_wait__page_added__this_run_counts_only_new_page \
    grep -q 'this run: 1 pages done, 0 failed, 1 files written' second.err
check slurm_wait__page_added__job_counts_all_pages \
    grep -q 'job: 3 pages: 3 done, 0 failed' second.err
check slurm_wait__page_added__second_run_report test "$(nruns)" -eq 2

# --- a second wait after the same submit reports the same run -------------
timeout 60 "$INKPIPE" slurm wait sr.yaml --timeout 50 >again.err 2>&1
check slurm_wait__waited_twice__same_run_counts \
    test "$(grep -o 'this run: [0-9]* pages done, [0-9]* failed, [0-9]* files written' again.err)" = \
    "this run: 1 pages done, 0 failed, 1 files written"
check slurm_wait__waited_twice__report_per_wait test "$(nruns)" -eq 3

# --- nothing new: submit sends nothing, wait says so ----------------------
submit_wait none
# (test_slurm.sh checks that submit sends nothing then)
check slurm_wait__nothing_new__zero_pages_three_unchanged \
    grep -q 'this run: 0 pages (3 unchanged), 0 files written' none.err
check slurm_wait__nothing_new__exit_0_report_saved \
    test "$(cat none.rc)" -eq 0 -a "$(nruns)" -eq 4

# --- the record of the run damaged, or missing (an older inkpipe) ---------
echo 'not a run' >spool/slurm/run
timeout 60 "$INKPIPE" slurm wait sr.yaml --timeout 50 >damaged.err 2>&1
rc=$?
check slurm_wait__damaged_run_record__names_file_exit_0 \
    test "$rc" -eq 0 -a -n "$(grep 'spool/slurm/run: not an inkpipe slurm run file' damaged.err)"
rm -f spool/slurm/run
timeout 60 "$INKPIPE" slurm wait sr.yaml --timeout 50 >old.err 2>&1
rc=$?
check slurm_wait__no_run_record__whole_job_summary_no_report \
    test "$rc" -eq 0 -a -n "$(grep '3 pages: 3 done, 0 failed' old.err)" \
    -a -z "$(grep 'this run' old.err)" -a "$(nruns)" -eq 4
