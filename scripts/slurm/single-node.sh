# shellcheck shell=bash
# single-node.sh: a throwaway one-node Slurm cluster for tests and benchmarks (source this file).
#
#   . scripts/slurm/single-node.sh
#   slurm_single_node_start DIR   # munged, slurmctld, slurmd under DIR; exports SLURM_CONF
#   sbatch --wait ...             # jobs run as the calling user, on this host
#   slurm_single_node_stop        # cancels what is left, stops exactly the daemons it started
#
# Needs Debian's slurmctld, slurmd, slurm-client and munge (scripts/bootstrap --slurm). The
# daemons run as the calling user (SlurmUser, SlurmdUser), root or not, and so do the jobs. The
# node is this host at 127.0.0.1 with the CPU count and memory `slurmd -C` reports; nothing is
# read from or written to /etc/slurm, /etc/munge or /run: the configuration, munge key and
# socket, state, spool, logs and PID files all live in DIR.
# No cgroups (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none), so a job's threads are
# capped only by what it asks for (rfnoise --jobs $SLURM_CPUS_PER_TASK).

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac # munged, slurm*d
slurm_sn_pids=()     # munged, slurmctld, slurmd: the processes started here, stopped by PID
slurm_sn_ctld=       # slurmctld's PID (the clients below are only asked while it runs)
slurm_sn_dir=

# A TCP port nobody listens on (the kernel picks it; a clash in between is unlikely).
slurm_sn_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Print DIR's logs' tails to stderr (on a failure, so that CI shows why).
slurm_sn_logs() {
    local f
    for f in "$slurm_sn_dir"/log/*.log; do
        [ -f "$f" ] || continue
        echo "---- $f (last 20 lines)" >&2
        tail -n 20 "$f" >&2
    done
}

slurm_single_node_start() {
    slurm_sn_dir=$1
    local d=$slurm_sn_dir node cpus mem i
    mkdir -p "$d/state" "$d/spool" "$d/log" "$d/run" "$d/munge"
    chmod 755 "$d/munge"  # the socket must be reachable; the key itself is 0400

    # munge: its own key and socket (the system's munged, if any, is left alone).
    dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$d/munge/munge.key"
    munged --foreground --force --socket="$d/munge/munge.socket" --key-file="$d/munge/munge.key" \
        --pid-file="$d/munge/munged.pid" --log-file="$d/log/munged.log" \
        --seed-file="$d/munge/munged.seed" 2>>"$d/log/munged.log" &
    slurm_sn_pids+=($!)
    for i in $(seq 100); do
        [ -S "$d/munge/munge.socket" ] && break
        sleep 0.05
    done
    if [ ! -S "$d/munge/munge.socket" ]; then
        echo "single-node: munged did not start" >&2
        slurm_sn_logs
        return 1
    fi

    # The node as slurmd sees it: short host name (what slurmd registers as), real CPUs, memory.
    node=$(hostname -s)
    local conf_c
    conf_c=$(slurmd -C | head -n 1)
    cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$conf_c")
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$conf_c")
    if [ -z "$cpus" ] || [ -z "$mem" ]; then
        echo "single-node: slurmd -C said '$conf_c'" >&2
        return 1
    fi

    cat >"$d/slurm.conf" <<CONF
# A one-node test cluster written by scripts/slurm/single-node.sh.
ClusterName=rfnoise-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
MailProg=/bin/true
SlurmctldPort=$(slurm_sn_free_port)
SlurmdPort=$(slurm_sn_free_port)
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$d/plugstack.conf
# No cgroups: processes found through /proc, tasks neither bound nor confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule at once and forget finished jobs soon, so that sbatch --wait returns promptly.
SchedulerParameters=batch_sched_delay=0
MinJobAge=4
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
    : >"$d/plugstack.conf"
    export SLURM_CONF=$d/slurm.conf

    slurmctld -D -f "$d/slurm.conf" -i >>"$d/log/slurmctld.out" 2>&1 &
    slurm_sn_ctld=$!
    slurm_sn_pids+=($!)
    slurmd -D -f "$d/slurm.conf" >>"$d/log/slurmd.out" 2>&1 &
    slurm_sn_pids+=($!)

    # Up when sinfo shows the node idle (slurmctld answering and slurmd registered).
    local state=
    for i in $(seq 300); do
        state=$(sinfo -h -N -n "$node" -o %t 2>/dev/null || true)
        [ "$state" = idle ] && return 0
        for p in "${slurm_sn_pids[@]}"; do
            if ! kill -0 "$p" 2>/dev/null; then
                echo "single-node: a daemon (PID $p) exited" >&2
                slurm_sn_logs
                return 1
            fi
        done
        sleep 0.1
    done
    echo "single-node: node $node is '${state:-not listed}' after 30 s, not idle" >&2
    slurm_sn_logs
    return 1
}

slurm_single_node_stop() {
    local p i
    if [ -n "$slurm_sn_ctld" ] && kill -0 "$slurm_sn_ctld" 2>/dev/null; then
        # Cancel whatever is left and give slurmd time to end its job steps (slurmstepd).
        scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
        for i in $(seq 100); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    # Stop in reverse order: slurmd, slurmctld, munged; TERM, then KILL after 10 s.
    for ((i = ${#slurm_sn_pids[@]} - 1; i >= 0; i--)); do
        p=${slurm_sn_pids[i]}
        kill -TERM "$p" 2>/dev/null || continue
    done
    for ((i = ${#slurm_sn_pids[@]} - 1; i >= 0; i--)); do
        p=${slurm_sn_pids[i]}
        for _ in $(seq 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    slurm_sn_pids=()
    slurm_sn_ctld=
}
