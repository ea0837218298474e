#!/usr/bin/env bash
# tests/slurm/test_slurm.sh - `inkpipe slurm submit/wait` on a real cluster.
#
# One set of generated pages, three spools over it: a reference `inkpipe run`,
# a 4-task array, and a 4-task array with one task cancelled mid-run. The
# arrays must write exactly the reference outputs, byte for byte.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 1
PAGES=${SLURM_TEST_PAGES:-40}
B=${BUILD_DIR:-$TOP/build}

# A random model (the outputs only have to be deterministic) and pages of
# Hershey strokes (no data set needed): small, fixed seeds. sbatch passes
# the environment on, so the array tasks use the same model.
export INKPIPE_MODEL=$TEST_TMPDIR/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" >/dev/null 2>&1 ||
    { fail setup "rec_model create failed"; exit 1; }
if ! "$B/tools/compose" --out in --pages "$PAGES" --seed 7 --source hershey \
    --size small --dpi 150 --lines 2 >compose.log 2>&1; then
    fail setup "compose failed: $(tail -n 3 compose.log)"
    exit 1
fi
rm -f in/*.gt.txt

# job NAME [EXTRA YAML...]: a job file NAME.yaml over in/ (output out-NAME).
job() {
    local name=$1; shift
    {
        printf 'name: %s\ninput:\n  paths: [in]\noutput:\n  dir: out-%s\n' "$name" "$name"
        printf 'spool: spool-%s\nworkers: 1\n' "$name"
        for line in "$@"; do printf '%s\n' "$line"; done
    } >"$name.yaml"
}
njobs() { timeout 5 squeue -h -o %i | wc -l; }

# --- the reference ------------------------------------------------------
job ref
if ! timeout 120 "$INKPIPE" run ref.yaml --workers 2 >ref.log 2>&1; then
    fail setup "inkpipe run failed: $(tail -n 5 ref.log)"
    exit 1
fi
nref=$(find out-ref -type f | wc -l)
check run_reference__pages__outputs_written test "$nref" -gt 0

# --- a bad job file never reaches Slurm ---------------------------------
printf 'input:\n  paths: [in]\noutput:\n  dir: out-bad\n  formatz: [txt]\n' >bad.yaml
before=$(njobs)
"$INKPIPE" slurm submit bad.yaml --tasks 4 >bad.out 2>bad.err
rc=$?
check slurm_submit__bad_job_file__exit_2 test "$rc" -eq 2
check slurm_submit__bad_job_file__file_line_col grep -q 'bad.yaml:5:3:' bad.err
check slurm_submit__bad_job_file__nothing_submitted \
    test "$(njobs)" -eq "$before" -a ! -s bad.out -a ! -e spool-bad
job badtime
"$INKPIPE" slurm submit badtime.yaml --time 1h >/dev/null 2>badtime.err
check slurm_submit__bad_time__exit_2_nothing_created \
    test $? -eq 2 -a ! -e spool-badtime

# --- dry run --------------------------------------------------------------
job dry
"$INKPIPE" slurm submit dry.yaml --tasks 4 --dry-run >dry.sbatch 2>dry.err
check slurm_submit__dry_run__prints_array_script \
    grep -q '^#SBATCH --array=0-3$' dry.sbatch
check slurm_submit__dry_run__touches_nothing test ! -e spool-dry

# --- the job file's slurm: section, overridden by the command line ---------
job def 'slurm:' '  tasks: 3' '  cpus_per_task: 2' '  time: "00:10:00"' \
    '  sbatch: --comment=from-job --hold'
"$INKPIPE" slurm submit def.yaml --dry-run >def1.sbatch 2>&1
# has_lines FILE LINE...: FILE holds every LINE exactly.
has_lines() {
    local f=$1 l; shift
    for l in "$@"; do grep -qxF -- "$l" "$f" || return 1; done
}
check slurm_submit__job_file_defaults__in_script has_lines def1.sbatch \
    '#SBATCH --array=0-2' '#SBATCH --ntasks-per-node=2' \
    '#SBATCH --time=00:10:00' '#SBATCH --comment=from-job' '#SBATCH --hold'
"$INKPIPE" slurm submit def.yaml --dry-run --tasks 5 --time 01:00:00 >def2.sbatch 2>&1
check slurm_submit__command_line__overrides_job_file has_lines def2.sbatch \
    '#SBATCH --array=0-4' '#SBATCH --time=01:00:00' '#SBATCH --ntasks-per-node=2'

# --- sbatch refuses: exit 1, nothing recorded ------------------------------
printf 'name: five\ninput:\n  paths: [%s]\noutput:\n  dir: out-five\nspool: spool-five\n' \
    "$(cd in && ls | head -n 5 | sed 's|^|in/|' | paste -sd, -)" >five.yaml
"$INKPIPE" slurm submit five.yaml --nodes 2 >five.out 2>five.err
rc=$?
check slurm_submit__sbatch_refuses__exit_1_no_id \
    test "$rc" -eq 1 -a ! -s five.out -a ! -s spool-five/slurm/jobids
check slurm_submit__sbatch_refuses__says_so grep -q 'nothing was submitted' five.err

# --- wait sees that nothing will finish the job ------------------------------
# Held (extra sbatch argument after --), then cancelled before it ran: wait
# must say so and stop instead of blocking; a new submit then finishes it.
id=$("$INKPIPE" slurm submit five.yaml --tasks 2 -- --hold 2>>five.err)
check slurm_submit__extra_sbatch_args__passed \
    test "$(timeout 5 squeue -h -j "$id" -o %r 2>/dev/null | sort -u)" = JobHeldUser
scancel "$id"
t0=$(date +%s)
timeout 60 "$INKPIPE" slurm wait five.yaml --timeout 50 >five-wait.out 2>&1
rc=$?
check slurm_wait__no_task_left__exit_1_fast \
    test "$rc" -eq 1 -a $(($(date +%s) - t0)) -lt 20
check slurm_wait__no_task_left__says_submit_again grep -q 'inkpipe slurm submit' five-wait.out
"$INKPIPE" slurm submit five.yaml --tasks 2 >/dev/null 2>>five.err
timeout 150 "$INKPIPE" slurm wait five.yaml --timeout 120 >five-wait.out 2>&1
check slurm_wait__after_resubmit__exit_0 test $? -eq 0
check slurm_resubmit__outputs__identical_to_run \
    bash -c 'for f in out-five/*; do cmp "$f" "out-ref/${f#out-five/}" || exit 1; done; [ "$(ls out-five | wc -l)" -eq 10 ]'

# --- a page that fails: wait exits 3 and names it ---------------------------
mkdir -p inbad && cp in/page-001.png inbad/ && head -c 3000 /dev/urandom >inbad/corrupt.png
printf 'name: bad1\ninput:\n  paths: [inbad]\noutput:\n  dir: out-bad1\nspool: spool-bad1\n' >bad1.yaml
"$INKPIPE" slurm submit bad1.yaml >/dev/null 2>bad1.err
timeout 150 "$INKPIPE" slurm wait bad1.yaml --timeout 120 >bad1-wait.out 2>&1
rc=$?
check slurm_wait__page_failed__exit_3 test "$rc" -eq 3
check slurm_wait__page_failed__listed_with_reason grep -q 'failed .*corrupt' bad1-wait.out
check slurm_wait__page_failed__good_page_written test -s out-bad1/page-001.txt
"$INKPIPE" slurm submit bad1.yaml >bad1-again.out 2>bad1-again.err
check slurm_submit__only_failures_left__nothing_submitted_retry_hinted \
    test $? -eq 0 -a ! -s bad1-again.out -a -n "$(grep 'inkpipe retry' bad1-again.err)"

# --- a 4-task array matches inkpipe run ----------------------------------
job arr
id=$("$INKPIPE" slurm submit arr.yaml --tasks 4 --cpus-per-task 1 2>arr.err)
rc=$?
check slurm_submit__job__prints_job_id test "$rc" -eq 0 -a -n "$id"
[ "$id" -gt 0 ] 2>/dev/null || { fail slurm_submit__job__numeric_id "got '$id': $(cat arr.err)"; exit 1; }
timeout 150 "$INKPIPE" slurm wait arr.yaml --timeout 120 >arr-wait.out 2>&1
rc=$?
check slurm_wait__array_done__exit_0 test "$rc" -eq 0
wait_job_done "$id" 30
check slurm_array__four_tasks__all_exit_0 \
    test "$(task_states "$id" | tr '\n' ' ')" = "0=0:0 1=0:0 2=0:0 3=0:0 "
check slurm_array__outputs__identical_to_run diff -r out-ref out-arr
check slurm_array__logs__one_per_task \
    test "$(ls spool-arr/slurm/logs | wc -l)" -eq 4

# --- a finished job submits nothing ----------------------------------------
before=$(njobs)
out=$("$INKPIPE" slurm submit arr.yaml --tasks 4 2>again.err)
rc=$?
check slurm_submit__finished_job__exit_0 test "$rc" -eq 0
check slurm_submit__finished_job__says_nothing_to_do grep -q 'nothing left to do' again.err
check slurm_submit__finished_job__nothing_submitted \
    test -z "$out" -a "$(njobs)" -eq "$before" -a "$(wc -l <spool-arr/slurm/jobids)" -eq 1
# The script itself, resubmitted by hand on the finished job: every task
# finds nothing to do and exits 0 at once.
t0=$(date +%s)
timeout 60 sbatch --parsable spool-arr/slurm/job.sbatch >idle.id 2>idle.err
wait_job_done "$(cat idle.id)" 40
check slurm_task__no_work__exits_0_at_once \
    test "$(task_states "$(cat idle.id)" | tr '\n' ' ')" = "0=0:0 1=0:0 2=0:0 3=0:0 " \
    -a $(($(date +%s) - t0)) -lt 30

# --- tasks that die mid-run: nothing lost ------------------------------------
# Task 0 gets a plain scancel (SIGTERM: its worker finishes the page in hand
# and stops); task 1's worker is killed with SIGKILL while it holds a claim,
# as when a node dies (`scancel --signal=KILL` would only cancel politely).
# Tasks 2 and 3 (and, if they went idle first, one resubmitted task) must
# finish the job, taking back the dead worker's claim.
job kill
id=$("$INKPIPE" slurm submit kill.yaml --tasks 4 --cpus-per-task 1 2>kill.err)
# holds_claim PID: some stage has a claim named ...~HOST~PID~START.
holds_claim() { ls spool-kill/*/claimed 2>/dev/null | grep -q "~$1~"; }
# claimed_by INDEX: wait (bounded) until the task's worker holds a claim;
# prints the worker's pid.
claimed_by() {
    local pid
    for _ in $(seq 1 600); do
        for pid in $(task_worker_pids "$id" "$1"); do
            holds_claim "$pid" && { echo "$pid"; return 0; }
        done
        sleep 0.05
    done
    return 1
}
# stopped_holding INDEX: stop the task's worker (SIGSTOP) at a moment it
# holds a claim, so that the claim cannot be finished between the look and
# the kill (a page takes tens of ms); prints the worker's pid.
stopped_holding() {
    local pid
    for _ in $(seq 1 600); do
        for pid in $(task_worker_pids "$id" "$1"); do
            kill -STOP "$pid" 2>/dev/null || continue
            holds_claim "$pid" && { echo "$pid"; return 0; }
            kill -CONT "$pid" 2>/dev/null
        done
        sleep 0.05
    done
    return 1
}
pid0=$(claimed_by 0) && scancel "${id}_0"
check slurm_scancel__task_0_holding_claim__cancelled test -n "$pid0"
pid1=$(stopped_holding 1)
claim1=$(ls spool-kill/*/claimed 2>/dev/null | grep "~$pid1~" | sed 's/~.*//')
[ -n "$pid1" ] && kill -KILL "$pid1" && kill -CONT "$pid1" 2>/dev/null
check slurm_kill9__task_1_worker_holding_claim__killed test -n "$pid1" -a -n "$claim1"
done_at_kill=$(ls spool-kill/recognize/done 2>/dev/null | wc -l)
check slurm_kill__at_kill__job_not_done test "$done_at_kill" -lt "$PAGES"
timeout 200 "$INKPIPE" slurm wait kill.yaml --timeout 180 >kill-wait.out 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'slurm submit' kill-wait.out; then
    # Every remaining task had gone idle before the claims came back.
    echo "note: resubmitted after the kills" >&2
    "$INKPIPE" slurm submit kill.yaml --tasks 1 >/dev/null 2>>kill.err
    timeout 200 "$INKPIPE" slurm wait kill.yaml --timeout 180 >kill-wait.out 2>&1
    rc=$?
fi
check slurm_kill__rest__finish_the_job test "$rc" -eq 0
wait_job_done "$id" 60
check slurm_kill__task_0__recorded_cancelled test "$(task_state "$id" 0)" = CANCELLED
check slurm_kill__task_1__recorded_failed test "$(task_state "$id" 1)" = FAILED
check slurm_kill__outputs__identical_to_run diff -r out-ref out-kill
check slurm_kill__no_claims_or_failures_left \
    test "$(find spool-kill/*/claimed spool-kill/*/failed -type f | wc -l)" -eq 0
# The dead worker's claim was taken back and done by another worker; every
# page was done exactly once (one output per input, no failures).
check slurm_kill9__dead_claim__taken_back_and_done \
    test -n "$claim1" -a -n "$(find spool-kill/*/done -name "$claim1" 2>/dev/null)"
check slurm_kill__every_page__done_once \
    test "$(ls spool-kill/recognize/done | wc -l)" -eq "$PAGES" -a "$(find out-kill -name '*.txt' | wc -l)" -eq "$PAGES"
cat kill-wait.out >&2
