#!/usr/bin/env bash
# with-slurm.sh - run a command against a private single-node Slurm: a munged
# with its own key and socket, a slurmctld and a slurmd with a minimal
# slurm.conf for this machine (proctrack/linuxproc, task/none, no accounting),
# on free ports of their own, every folder and log under one temporary folder.
# The command runs with SLURM_CONF set (sbatch, squeue, scontrol, scancel then
# talk to this cluster only) and FS_SLURM_DIR naming the folder. On every exit
# (the command's end, a failure to start, SIGINT, SIGTERM, SIGHUP) the jobs
# still queued are cancelled and exactly the daemons started here are stopped,
# by their pids; each daemon also runs under `timeout`, so that none outlives
# FS_SLURM_LIFETIME seconds (default 900) even if this script is SIGKILLed.
# Slurm's daemons need root.
#
# usage: tests/slurm/with-slurm.sh COMMAND [ARG...]
# exit: the command's status; 77 (skip) with a line saying why when Slurm or
# munge is not installed (scripts/deps.sh installs them), not root, or the
# daemons do not start (their logs' tails printed); on a command's failure
# (not 77) the daemons' logs' tails are printed too.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: tests/slurm/with-slurm.sh COMMAND [ARG...]" >&2; exit 2; }
skip() { echo "skip: $1" >&2; exit 77; }

for tool in munged munge unmunge slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
    command -v "$tool" >/dev/null ||
        skip "'$tool' not found: Slurm (slurm-wlm) and munge are not installed (scripts/deps.sh installs them)"
done
[ "$(id -u)" = 0 ] || skip "slurmd needs root to start jobs; run as root"

lifetime=${FS_SLURM_LIFETIME:-900}
dir=$(mktemp -d "${TMPDIR:-/tmp}/fs-slurm.XXXXXX") || skip "cannot create a temporary folder"
# munged wants its socket folder searchable by all, its key private.
chmod 755 "$dir"
mkdir -p "$dir/run" "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir/run"
chmod 700 "$dir/munge"
pids=()

# The daemons' logs' last lines: each *.log, else the daemon's own output.
tails() {
    local f
    for f in "$dir"/log/*; do
        [ -s "$f" ] || continue
        case $f in *.out) [ -s "${f%.out}.log" ] && continue ;; esac
        echo "--- last lines of $f"
        tail -n 15 "$f"
    done >&2
}

# Cancel our cluster's jobs, then stop the daemons in reverse order of start:
# TERM, up to 10 s, then KILL. Only the pids this script started.
stop() {
    local i pid t
    if [ -n "${cmd:-}" ]; then
        kill -TERM "$cmd" 2>/dev/null
        wait "$cmd" 2>/dev/null
    fi
    if [ ${#pids[@]} -ge 2 ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
        scancel --full --quiet $(squeue -h -o %i 2>/dev/null) 2>/dev/null
        for t in $(seq 20); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
    # A job's slurmstepd keeps a socket in the spool folder until it ends.
    for t in $(seq 40); do
        compgen -G "$dir/spool/${host:-none}_*" >/dev/null || break
        sleep 0.25
    done
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid=${pids[i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for t in $(seq 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    pids=()
    if [ -n "${FS_SLURM_KEEP:-}" ]; then
        echo "with-slurm: kept $dir" >&2
    else
        rm -rf "$dir"
    fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# fail_start WHAT: the daemons did not come up; print why, skip.
fail_start() {
    tails
    skip "private Slurm did not start: $1"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.25 s until it succeeds.
wait_for() {
    local n=$(($1 * 4))
    shift
    while [ $n -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.25
        n=$((n - 1))
    done
    return 1
}

# Two free TCP ports on the loopback (held only while asked: a tiny race).
ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))' 2>/dev/null) ||
    ports="$((20000 + RANDOM % 20000)) $((40000 + RANDOM % 20000))"
read -r ctld_port slurmd_port <<<"$ports"

sock=$dir/run/munge.socket
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
timeout -k 10 "$lifetime" munged --foreground --key-file="$dir/munge/munge.key" \
    --socket="$sock" --pid-file="$dir/run/munged.pid" --seed-file="$dir/munge/seed" \
    --log-file="$dir/log/munged.log" >"$dir/log/munged.out" 2>&1 &
pids+=($!)
munge_ok() { munge -n -S "$sock" | unmunge -S "$sock"; }
wait_for 10 munge_ok || fail_start "munged answers no credential on '$sock'"

host=$(hostname -s)
# This machine as slurmd sees it (CPUs, sockets, cores, RealMemory).
node=$(slurmd -C 2>/dev/null | sed -n "1s/^NodeName=[^ ]*/NodeName=$host/p")
[ -n "$node" ] || fail_start "'slurmd -C' printed no node line"
cat >"$dir/slurm.conf" <<EOF
# A private single-node cluster of tests/slurm/with-slurm.sh.
ClusterName=fssweep
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MailProg=/bin/true
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=fssweep Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf FS_SLURM_DIR=$dir

timeout -k 10 "$lifetime" slurmctld -D -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
pids+=($!)
ctld_up() { scontrol ping | grep -q UP; }
wait_for 20 ctld_up || fail_start "slurmctld does not answer on port $ctld_port"

timeout -k 10 "$lifetime" slurmd -D -f "$SLURM_CONF" -N "$host" >"$dir/log/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { sinfo -h -n "$host" -o %T | grep -qx idle; }
wait_for 30 node_idle || fail_start "node '$host' is not idle: $(sinfo -h -o %T 2>&1)"

# In the background, so that a signal to this script is handled at once
# (bash runs a trap only after a foreground command ends); stop() ends it.
"$@" &
cmd=$!
wait "$cmd"
rc=$?
cmd=""
[ $rc = 0 ] || [ $rc = 77 ] || tails
exit $rc
