# tests/slurm/common.sh - shared by start-cluster.sh and stop-cluster.sh (sourced).
#
# The test cluster is one node ("localhost") running munged, slurmctld and
# slurmd without systemd. Everything it owns is named here so that the start
# and stop scripts agree: the config file (with a marker line so that a
# foreign slurm.conf is never overwritten), pid files, and the state folder
# that records which daemons the start script launched itself.
SLURM_CONF_FILE=${SLURM_CONF:-/etc/slurm/slurm.conf}
SLURM_MARKER='# written by inkpipe tests/slurm/start-cluster.sh'
SLURMCTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGED_PID=/run/munge/munged.pid
STATE_DIR=/run/inkpipe-slurm

say() { echo "slurm-cluster: $*" >&2; }

# pid_alive PIDFILE COMM: the pid file names a live process called COMM.
# A zombie counts as dead: PID 1 on these machines reaps late, so a stopped
# daemon can linger in state Z for a while.
pid_alive() {
    local pidfile=$1 comm=$2 pid stat state
    # The daemon may remove its pid file between any two reads.
    pid=$(cat "$pidfile" 2>/dev/null | tr -dc '0-9')
    [ -n "$pid" ] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [ "$state" != Z ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds; 1 on timeout.
wait_for() {
    local limit=$1 i=0; shift
    while [ "$i" -lt $((limit * 5)) ]; do
        if "$@"; then return 0; fi
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
node_idle() {
    [ "$(timeout 5 sinfo -h -n localhost -o %T 2>/dev/null)" = idle ]
}
