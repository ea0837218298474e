#!/usr/bin/env bash
# chaos_kill.sh - kill -9 at random moments, then finish: a 200-page job
# (20 PNG pages + 30 six-page TIFFs) runs with 3 workers while this driver
# SIGKILLs random workers of `inkpipe run` at random moments (seeded,
# CHAOS_KILLS of them, default 30); whenever the run gives up it is started
# again, and after the last kill one more `inkpipe run` finishes the job.
# Then every page must be done exactly once (each stage: done == total,
# nothing queued, claimed or failed; each output item once), every output
# file byte-identical to an undisturbed run's, and no temporary file left
# in the output tree.
#
#   tests/chaos/chaos_kill.sh        (INKPIPE, BUILD_DIR, CHAOS_SEED,
#                                     CHAOS_KILLS from the environment)
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/robust_lib.sh"

T=$TEST_TMPDIR
seed=${CHAOS_SEED:-20261125}
kills=${CHAOS_KILLS:-30}
RANDOM=$seed

# The pages: the same files in both jobs.
mkjob "$T/ref"
for i in $(seq 1 20); do page "$T/ref/in/s$i.png" $((100 + i)) 1 800x400; done
for i in $(seq 1 30); do page "$T/ref/in/m$i.tif" $((200 + i)) 6 800x400; done
mkjob "$T/chaos"
cp "$T/ref/in/"* "$T/chaos/in/"

t0=$(date +%s)
(cd "$T/ref" && "$INKPIPE" run job.yaml --workers 3 --quiet) >"$T/ref.log" 2>&1
rc=$?
check chaos__undisturbed_run__exit_0 eval '[ $rc -eq 0 ] && all_done "$T/ref/job.yaml"'
check chaos__job__has_200_pages [ "$(stage_count "$T/ref/job.yaml" binarize total)" -eq 200 ]
echo "  undisturbed run: $(($(date +%s) - t0)) s"

# The driver.
t0=$(date +%s)
done_kills=0 runs=0
while [ $done_kills -lt "$kills" ]; do
    (cd "$T/chaos" && exec "$INKPIPE" run job.yaml --workers 3 --quiet) >>"$T/chaos.log" 2>&1 &
    run=$!
    runs=$((runs + 1))
    while kill -0 $run 2>/dev/null && [ $done_kills -lt "$kills" ]; do
        # sleep 0.01 .. 0.15 s, then kill one random worker of this run
        sleep "0.$(printf '%02d' $((1 + RANDOM % 15)))"
        workers=($(children $run))
        [ ${#workers[@]} -gt 0 ] || continue
        victim=${workers[$((RANDOM % ${#workers[@]}))]}
        if kill -9 "$victim" 2>/dev/null; then
            done_kills=$((done_kills + 1))
        fi
    done
    wait $run 2>/dev/null
    if all_done "$T/chaos/job.yaml" >/dev/null; then
        break
    fi
done
echo "  chaos: $done_kills SIGKILLs over $runs runs in $(($(date +%s) - t0)) s"
# (the job may end before CHAOS_KILLS; fewer than 5 kills would prove little)
check chaos__driver__killed_at_least_5_workers [ $done_kills -ge 5 ]
(cd "$T/chaos" && timeout 600 "$INKPIPE" run job.yaml --workers 3 --quiet) >>"$T/chaos.log" 2>&1
rc=$?
check chaos__final_run__exit_0 [ $rc -eq 0 ]
check chaos__every_stage__done_equals_total_nothing_failed all_done "$T/chaos/job.yaml"
check chaos__pages__200_done eval \
    '[ "$(stage_count "$T/chaos/job.yaml" recognize done)" -eq 200 ] && [ "$(stage_count "$T/chaos/job.yaml" binarize total)" -eq 200 ]'
check chaos__output_items__each_done_once eval \
    '[ "$(ls "$T/chaos/spool/job/output/done" | wc -l)" -eq 50 ] && [ "$(ls "$T/chaos/spool/job/output/seen" | wc -l)" -eq 50 ]'
check chaos__outputs__byte_identical_to_undisturbed eval \
    '[ "$(tree_sums "$T/ref/out")" = "$(tree_sums "$T/chaos/out")" ]'
check chaos__outputs__no_temp_files_left eval \
    '[ -z "$(find "$T/chaos/out" -name ".*")" ]'
left=$(find "$T/chaos/spool" -name '.*.tmp.*' | wc -l)
echo "  temporary files left in the spool by killed stage processes: $left"
