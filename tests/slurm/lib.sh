# tests/slurm/lib.sh - helpers for the Slurm tests (sourced; see run.sh).
# Adds Slurm helpers to tests/cli/lib.sh (pass/fail/check, $INKPIPE,
# $TEST_TMPDIR). Every wait here is bounded.
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

# job_listed JOBID: some task of the job is still pending or running.
job_listed() { [ -n "$(timeout 5 squeue -h -j "$1" -o %i 2>/dev/null)" ]; }

# wait_job_done JOBID SECONDS: wait until no task of the job is listed.
wait_job_done() {
    local id=$1 limit=$2 i=0
    while [ "$i" -lt $((limit * 5)) ]; do
        job_listed "$id" || return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

# task_states JOBID: "index=STATE" for every finished array task, from the
# jobcomp file (there is no accounting database).
task_states() {
    grep -o "ArrayJobId=$1 ArrayTaskId=[0-9]* .*ExitCode=[0-9:]*" /var/log/slurm/jobcomp.log 2>/dev/null |
        sed 's/.*ArrayTaskId=\([0-9]*\).* ExitCode=\([0-9:]*\).*/\1=\2/' | sort -n
}

# task_state ARRAYID INDEX: JobState of a finished array task (jobcomp file).
task_state() {
    grep "ArrayJobId=$1 ArrayTaskId=$2 " /var/log/slurm/jobcomp.log 2>/dev/null |
        tail -n 1 | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'
}

# task_worker_pids ARRAYID INDEX: pids of the processes srun started for a
# running array task (the inkpipe workers), one per line.
task_worker_pids() {
    local jid
    jid=$(timeout 5 squeue -h -j "$1_$2" -o %A 2>/dev/null) || return 1
    [ -n "$jid" ] || return 1
    timeout 5 scontrol listpids "$jid" 2>/dev/null |
        awk '$3 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ { print $1 }'
}
