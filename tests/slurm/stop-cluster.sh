#!/usr/bin/env bash
# tests/slurm/stop-cluster.sh - stop the cluster that start-cluster.sh started.
#
#   tests/slurm/stop-cluster.sh [--keep-munge]
#
# Cancels every job left on the test cluster, then stops slurmd and
# slurmctld by the pids in their pid files (TERM, then KILL after a bounded
# wait; a zombie counts as dead) and munged too when start-cluster.sh
# started it (unless --keep-munge). Safe to run when nothing is up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
keep_munge=0
[ "${1:-}" = --keep-munge ] && keep_munge=1

# stop_daemon PIDFILE COMM
stop_daemon() {
    local pidfile=$1 comm=$2 pid
    pid_alive "$pidfile" "$comm" || { rm -f "$pidfile"; return 0; }
    pid=$(cat "$pidfile" 2>/dev/null | tr -dc '0-9')
    kill -TERM "$pid" 2>/dev/null
    if ! wait_for 10 eval "! pid_alive $pidfile $comm"; then
        say "$comm ($pid) ignored TERM; sending KILL"
        kill -KILL "$pid" 2>/dev/null
        wait_for 5 eval "! pid_alive $pidfile $comm" || { say "$comm ($pid) still alive"; return 1; }
    fi
    rm -f "$pidfile"
}

rc=0
# Only a cluster we configured gets its jobs cancelled.
if [ -r "$SLURM_CONF_FILE" ] && grep -qxF "$SLURM_MARKER" "$SLURM_CONF_FILE" &&
    pid_alive "$SLURMCTLD_PID" slurmctld; then
    timeout 10 scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    wait_for 10 eval '[ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ]' ||
        say "jobs still listed after scancel; stopping anyway"
fi
stop_daemon "$SLURMD_PID" slurmd || rc=1
stop_daemon "$SLURMCTLD_PID" slurmctld || rc=1
if [ "$keep_munge" = 0 ] && [ -e "$STATE_DIR/munged-started" ]; then
    stop_daemon "$MUNGED_PID" munged || rc=1
    rm -f "$STATE_DIR/munged-started"
fi
exit $rc
