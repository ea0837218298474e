#!/usr/bin/env bash
# tests/slurm/start-cluster.sh - bring up a one-node Slurm cluster for the tests.
#
#   tests/slurm/start-cluster.sh      (as root; idempotent)
#
# Installs Debian's munge and slurm-wlm if missing, writes a minimal
# slurm.conf (one node "localhost" with this machine's CPUs, partition
# "debug"), starts munged (as user munge), slurmctld and slurmd without
# systemd, and waits (bounded) until sinfo shows the node idle. A cluster that
# is already up is reused; a munged that is already running is reused and
# then left alone by stop-cluster.sh. A slurm.conf not written by this script
# is never overwritten: the script stops with an error instead.
# Every wait is bounded; exit 0 when the node is idle, 1 otherwise.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

if node_idle && pid_alive "$SLURMCTLD_PID" slurmctld && pid_alive "$SLURMD_PID" slurmd; then
    say "already up"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    say "must run as root to install and start munge/slurm"
    exit 1
fi

# 1. Packages. The image's policy-rc.d keeps postinst from starting daemons;
#    a machine without one may start munged itself, which step 2 reuses.
"$here/../../tools/deps.sh" slurm
getent passwd munge >/dev/null || { say "user munge missing after install"; exit 1; }
getent passwd slurm >/dev/null || { say "user slurm missing after install"; exit 1; }

# 2. munged. It refuses to run as root ("Logfile is insecure") and expects
#    /run/munge, which systemd would normally create.
install -d -o munge -g munge -m 0755 /run/munge
install -d -m 0755 "$STATE_DIR"
if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
fi
if munge_ok; then
    :
else
    runuser -u munge -- /usr/sbin/munged
    touch "$STATE_DIR/munged-started"
    wait_for 10 munge_ok || { say "munged did not come up (munge -n | unmunge fails)"; exit 1; }
fi

# 3. slurm.conf. CPUs match this machine so that EnforcePartLimits rejects a
#    request for more CPUs at submit time instead of leaving it pending.
if [ -e "$SLURM_CONF_FILE" ] && ! grep -qxF "$SLURM_MARKER" "$SLURM_CONF_FILE"; then
    say "$SLURM_CONF_FILE exists and was not written by this script; not touching it"
    exit 1
fi
cpus=$(nproc)
install -d -m 0755 "$(dirname "$SLURM_CONF_FILE")"
tmp=$SLURM_CONF_FILE.tmp.$$
cat >"$tmp" <<CONF
$SLURM_MARKER
# One node, no systemd, no cgroups, no accounting database.
ClusterName=local
SlurmctldHost=localhost
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$SLURMCTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
ReturnToService=2
EnforcePartLimits=ALL
MaxArraySize=100001
MailProg=/bin/true
NodeName=localhost CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
mv "$tmp" "$SLURM_CONF_FILE"
install -d -o slurm -g slurm -m 0755 /var/lib/slurm /var/lib/slurm/slurmctld /var/log/slurm
install -d -m 0755 /var/lib/slurm/slurmd

# 4. Daemons. A half-up cluster (one daemon dead) is restarted as a whole.
if ! pid_alive "$SLURMCTLD_PID" slurmctld || ! pid_alive "$SLURMD_PID" slurmd; then
    "$here/stop-cluster.sh" --keep-munge >/dev/null 2>&1 || true
    # -c: start from an empty job list, so jobs left by an aborted run never
    # wake up in the middle of the next test run.
    slurmctld -c
    wait_for 15 pid_alive "$SLURMCTLD_PID" slurmctld ||
        { say "slurmctld did not start; see /var/log/slurm/slurmctld.log"; exit 1; }
    slurmd -N localhost
    wait_for 15 pid_alive "$SLURMD_PID" slurmd ||
        { say "slurmd did not start; see /var/log/slurm/slurmd.log"; exit 1; }
fi
if ! wait_for 30 node_idle; then
    # A node remembered as DOWN from an earlier run needs an explicit resume.
    timeout 5 scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    if ! wait_for 15 node_idle; then
        say "node not idle after 45 s:"
        timeout 5 sinfo -N -l >&2 || true
        exit 1
    fi
fi
say "up: node localhost, $cpus CPUs, partition debug"
