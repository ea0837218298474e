#!/usr/bin/env bash
# tests/slurm/test_cluster.sh - the test cluster itself: up, runs arrays,
# start-cluster.sh is idempotent.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 1

check start_cluster__already_up__reused \
    bash -c "'$TOP/tests/slurm/start-cluster.sh' 2>&1 | grep -q 'already up'"

check sinfo__cluster_up__node_idle \
    bash -c '[ "$(sinfo -h -n localhost -o %T)" = idle ]'

# A 4-task array: every task runs once, sees its own index, exits 0.
out=$(timeout 60 sbatch --wait --array=0-3 -o "$TEST_TMPDIR/task-%a.out" \
    --wrap 'echo "task $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"' 2>&1)
rc=$?
check sbatch_array__four_tasks__exit_zero test "$rc" -eq 0
got=$(cat "$TEST_TMPDIR"/task-*.out 2>/dev/null | sort | tr '\n' ' ')
check sbatch_array__four_tasks__each_index_once \
    test "$got" = "task 0/4 task 1/4 task 2/4 task 3/4 "

# The highest task exit code reaches sbatch --wait: a failing task is seen.
timeout 60 sbatch --wait --array=0-1 -o /dev/null \
    --wrap '[ "$SLURM_ARRAY_TASK_ID" = 0 ] || exit 3' >/dev/null 2>&1
check sbatch_wait__one_task_fails__nonzero test $? -ne 0

# A request for more CPUs than the node has fails at submit (EnforcePartLimits),
# instead of pending forever.
ncpu=$(sinfo -h -n localhost -o %c)
timeout 20 sbatch --cpus-per-task=$((ncpu + 1)) -o /dev/null --wrap true >/dev/null 2>&1
check sbatch__too_many_cpus__rejected test $? -ne 0
echo "$out" >&2
