#!/usr/bin/env bash
# slurm-local.sh: a real, single-node Slurm cluster on localhost, for the tests of the
# Slurm executor and for trying that executor by hand. Debian/Ubuntu, run as root.
#
# Usage:
#   bash Scripts/slurm-local.sh start          install (if missing), configure, start, wait until the node is idle
#   bash Scripts/slurm-local.sh stop [--clean] cancel jobs, stop the daemons; --clean also removes the directory
#   bash Scripts/slurm-local.sh status         print sinfo/squeue; exit 0 when the cluster answers, 1 otherwise
#
#   eval "$(bash Scripts/slurm-local.sh start)"   # stdout is only the export line; or . /tmp/ai4sci-slurm/env.sh
#   sbatch --wrap hostname; squeue -t all
#
# Environment:
#   AI4SCI_SLURM_DIR   where everything lives (default /tmp/ai4sci-slurm)
#   AI4SCI_SLURM_PORT  slurmctld port (default 6817); slurmd uses the next port
#
# Exit codes: 0 ok; 1 the cluster did not come up (the daemon logs' tails are printed);
#             2 usage; 3 Slurm cannot be installed or run here (one-line reason on stderr).
#
# What `start` does:
#   - apt-get installs slurmctld, slurmd, slurm-client and munge when missing. A policy-rc.d that
#     exits 101 is put in place for the install (and removed afterwards if we created it) so the
#     packages do not start system daemons.
#   - Writes everything under $AI4SCI_SLURM_DIR: slurm.conf, env.sh, munge/ (key, socket, pid,
#     log, seed), run/ (pid files), log/, state/ (StateSaveLocation), spool/ (SlurmdSpoolDir).
#   - Starts munged, slurmctld and slurmd (all as root, as background daemons with those paths) and
#     waits up to 20 s for the node to be idle. It ends by printing
#       export SLURM_CONF=$AI4SCI_SLURM_DIR/slurm.conf
#     which is all Slurm's client tools need: slurm.conf's AuthInfo=socket=... points both the
#     daemons and the clients at this munged's socket (the default /run/munge socket is not used).
#   - When the cluster is already running, it only prints the export line again.
#
# Configuration choices:
#   - ProctrackType=proctrack/linuxproc, TaskPlugin=task/none: track job processes through the
#     parent-pid tree instead of cgroups, so it works in containers without a writable cgroup fs
#     and without systemd. (A job process that daemonizes away from its parent can escape.)
#   - SelectType=select/cons_tres with CR_CPU: every CPU is a schedulable unit, so several
#     1-cpu jobs or array tasks run at once (CR_Core would give each job a whole core, i.e. two
#     CPUs on a machine with hyperthreads). Memory is not a consumable resource. CPUs= is nproc,
#     RealMemory= is MemTotal minus 10% (at least 256 MB), so the node is never drained for
#     having less than configured.
#   - AccountingStorageType=accounting_storage/none: no slurmdbd/database, so `sacct` does not
#     work. Read job states from `squeue -t all` or `scontrol show job -o` instead.
#   - MinJobAge=600: slurmctld keeps finished jobs (and their state, reason and exit code) in
#     memory for 10 minutes. After that they vanish from squeue/scontrol; a submitter must read
#     final states within that window.
#   - SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1: schedule as soon
#     as a job is submitted or resources free up. With the defaults a 10-task array takes
#     12-16 s; with these about 2.5 s for 10 x `true`. A task still waits up to ~1 s for a
#     free CPU to be reused (10 x `sleep 1`, 2 at a time: 7-9.5 s).
#   - KillWait=5: seconds between SIGTERM and SIGKILL at a time limit or scancel. Time limits
#     are whole minutes, and slurmctld checks them about every 30 s, so a --time=1 job is killed
#     60-90 s after it starts.
#   - JobRequeue=0: a batch job hit by a node failure is not requeued; it just ends.
#   - ReturnToService=2: the node becomes usable again as soon as slurmd registers, even after
#     an unclean stop.
#   - `stop` cancels all jobs first and, if needed, kills the leftover job step processes of this
#     cluster, so no job processes survive a stop. Job ids and finished jobs (for MinJobAge)
#     survive a restart (state/ is kept); `start` cancels unfinished jobs left by an unclean stop.
#
# Reading job states (no sacct): `squeue -t all -h -o '%i|%A|%T|%r'` gives 123_4 (array job 123,
# task 4; pending tasks are folded as 123_[5-9%2] unless -r is given), the task's own job id,
# the state and the reason. `scontrol show job -o ID` gives JobState=, Reason= and
# ExitCode=status:signal (3:0 for exit 3, 0:15 for SIGTERM). `squeue -O exit_code` prints the raw
# wait status instead (768 for exit 3).
set -euo pipefail

DIR="${AI4SCI_SLURM_DIR:-/tmp/ai4sci-slurm}"
CTLD_PORT="${AI4SCI_SLURM_PORT:-6817}"
SLURMD_PORT=$((CTLD_PORT + 1))
CONF="$DIR/slurm.conf"
MUNGE_DIR="$DIR/munge"
MUNGE_SOCKET="$MUNGE_DIR/munge.socket"
MUNGE_KEY="$MUNGE_DIR/munge.key"
MUNGE_PID="$MUNGE_DIR/munged.pid"
CTLD_PID="$DIR/run/slurmctld.pid"
SLURMD_PID="$DIR/run/slurmd.pid"
LOG_DIR="$DIR/log"
NODE=localhost
START_TIMEOUT=20
PACKAGES=(slurmctld slurmd slurm-client munge)

# Daemons live in /usr/sbin, which a non-login shell may not have on PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() {
  echo "usage: $0 start | stop [--clean] | status" >&2
  echo "  (directory: \$AI4SCI_SLURM_DIR, default /tmp/ai4sci-slurm)" >&2
  exit 2
}

cannot() { echo "slurm-local: $*" >&2; exit 3; }
say() { echo "slurm-local: $*" >&2; }

# Runs a Slurm client command against this cluster, with a short timeout.
sl() { SLURM_CONF="$CONF" timeout 10 "$@"; }

# alive PID: the process exists and is not a zombie (a container's init may never reap the
# daemons we stop, so /proc/PID alone is not enough).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# pid_of FILE NAME: the pid in FILE when that process is alive and is NAME, else nothing.
pid_of() {
  local file=$1 name=$2 pid comm
  [ -r "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$name" ] && alive "$pid" || return 1
  echo "$pid"
}

daemons_running() {
  pid_of "$MUNGE_PID" munged >/dev/null && pid_of "$CTLD_PID" slurmctld >/dev/null \
    && pid_of "$SLURMD_PID" slurmd >/dev/null
}

# The node's state as sinfo reports it ("idle", "mix", "down*", ...), or nothing.
node_state() { sl sinfo -h -n "$NODE" -o '%t' 2>/dev/null | head -n1; }

node_ready() {
  case "$(node_state)" in idle|mix|alloc) return 0 ;; *) return 1 ;; esac
}

export_line() { echo "export SLURM_CONF=$CONF"; }

# stop_daemon FILE NAME: SIGTERM, wait up to 10 s, then SIGKILL.
stop_daemon() {
  local file=$1 name=$2 pid i
  if pid=$(pid_of "$file" "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      say "$name ($pid) did not exit on SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$file"
}

# Pids of this cluster's slurmstepd processes (they inherit SLURM_CONF from our slurmd).
stepd_pids() {
  local p
  for p in /proc/[0-9]*; do
    if [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] && alive "${p#/proc/}" \
       && tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$CONF"; then
      echo "${p#/proc/}"
    fi
  done
  return 0
}

# descendants PID: PID and all its descendants.
descendants() {
  local pid=$1 child
  echo "$pid"
  # The children files hold space-separated pids.
  # shellcheck disable=SC2013
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do descendants "$child"; done
}

stop_cluster() {
  local jobs i p
  # Cancel every job still known, and give them KillWait plus a margin to end.
  if pid_of "$CTLD_PID" slurmctld >/dev/null; then
    jobs=$(sl squeue -h -o '%A' 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      sl scancel $jobs 2>/dev/null || true
      for i in $(seq 100); do
        [ -z "$(sl squeue -h -o '%A' 2>/dev/null || true)" ] && break
        sleep 0.1
      done
    fi
  fi
  stop_daemon "$SLURMD_PID" slurmd
  stop_daemon "$CTLD_PID" slurmctld
  stop_daemon "$MUNGE_PID" munged
  # Job steps that outlived the cancel: kill them with all their processes.
  for p in $(stepd_pids); do
    # shellcheck disable=SC2046
    kill -KILL $(descendants "$p") 2>/dev/null || true
  done
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
}

install_packages() {
  local missing=() created_policy=0 rc=0
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd >/dev/null || missing+=(slurmd)
  command -v sbatch >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || cannot "Slurm is not installed (missing ${missing[*]}) and there is no apt-get here"
  say "installing ${PACKAGES[*]} (apt-get)"
  # Keep the packages' maintainer scripts from starting system daemons.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# written by slurm-local.sh for the duration of an install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  mkdir -p "$LOG_DIR"
  {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" \
      || { DEBIAN_FRONTEND=noninteractive apt-get update -q \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; }
  } >"$LOG_DIR/install.log" 2>&1 || rc=$?
  [ "$created_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ "$rc" -ne 0 ]; then
    cannot "apt-get could not install ${PACKAGES[*]} (exit $rc; see $LOG_DIR/install.log: $(tail -n1 "$LOG_DIR/install.log"))"
  fi
  for c in slurmctld slurmd sbatch munged; do
    command -v "$c" >/dev/null || cannot "$c is still missing after installing ${PACKAGES[*]}"
  done
}

write_config() {
  local cpus mem_mb margin
  cpus=$(nproc)
  mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
  # Leave 10% (at least 256 MB) so slurmd never finds less memory than configured.
  margin=$((mem_mb / 10)); [ "$margin" -lt 256 ] && margin=256
  mem_mb=$((mem_mb - margin)); [ "$mem_mb" -lt 1 ] && mem_mb=1
  cat >"$CONF" <<EOF
# Written by Scripts/slurm-local.sh; rewritten at every start. Single node, everything as root.
ClusterName=ai4sci
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root

AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET

StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No cgroups (containers, no systemd): process tracking by parent pid, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No slurmdbd: sacct does not work; read states from squeue -t all / scontrol show job.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true

SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides

SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
# Finished jobs stay visible in squeue/scontrol for 10 minutes.
MinJobAge=600
ReturnToService=2
JobRequeue=0

NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  echo "export SLURM_CONF=$CONF" >"$DIR/env.sh"
}

show_logs() {
  local f
  for f in "$MUNGE_DIR/munged.log" "$LOG_DIR/munged.out" "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmctld.out" \
           "$LOG_DIR/slurmd.log" "$LOG_DIR/slurmd.out"; do
    [ -s "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n 15 "$f" >&2
  done
}

# The cluster did not come up: say why, show the logs, stop whatever did start, exit 1.
failed() {
  say "$*"
  show_logs
  stop_cluster
  exit 1
}

start_cluster() {
  local i jobs
  [ "$(id -u)" -eq 0 ] || cannot "needs root (the daemons and the jobs run as root); Slurm is not started"

  if daemons_running && node_ready; then
    export_line
    return 0
  fi
  # Partly running (or not answering): start over.
  stop_cluster

  install_packages

  mkdir -p "$DIR" "$MUNGE_DIR" "$DIR/run" "$LOG_DIR" "$DIR/state" "$DIR/spool"
  # munged refuses group/world-writable directories; clients need to traverse to the socket.
  chmod 755 "$DIR" "$MUNGE_DIR" "$DIR/run" "$LOG_DIR"
  chmod 700 "$DIR/state" "$DIR/spool"
  if [ ! -s "$MUNGE_KEY" ]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$MUNGE_KEY" --force >/dev/null
    else
      dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
    fi
  fi
  chmod 400 "$MUNGE_KEY"
  write_config

  # munged: own key, socket, pid, log and seed files. --force accepts a directory tree that is
  # not fully root-owned (e.g. AI4SCI_SLURM_DIR under a home directory).
  munged --force --key-file="$MUNGE_KEY" --socket="$MUNGE_SOCKET" --pid-file="$MUNGE_PID" \
    --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" \
    >"$LOG_DIR/munged.out" 2>&1 || failed "munged did not start"
  for i in $(seq 50); do [ -S "$MUNGE_SOCKET" ] && break; sleep 0.1; done
  [ -S "$MUNGE_SOCKET" ] || failed "munged did not create $MUNGE_SOCKET"

  # The daemons fork into the background once they have read the config; their environment
  # (SLURM_CONF) is inherited by the job step daemons, which is how `stop` recognizes them.
  SLURM_CONF="$CONF" slurmctld -f "$CONF" >"$LOG_DIR/slurmctld.out" 2>&1 || failed "slurmctld did not start"
  SLURM_CONF="$CONF" slurmd -f "$CONF" -N "$NODE" >"$LOG_DIR/slurmd.out" 2>&1 || failed "slurmd did not start"

  for i in $(seq $((START_TIMEOUT * 5))); do
    node_ready && break
    # A daemon that exits (bad config, port in use) is gone after a second or two.
    if [ "$i" -ge 15 ] && ! daemons_running; then
      failed "a daemon exited during startup"
    fi
    sleep 0.2
  done
  node_ready || failed "the node did not become idle within ${START_TIMEOUT} s (state: '$(node_state)')"
  daemons_running || failed "a daemon exited during startup"
  # A clean stop leaves no unfinished jobs. Any still listed (after slurmctld died, say) have
  # no processes any more but would stay RUNNING for a long time: cancel them.
  jobs=$(sl squeue -h -o '%A' 2>/dev/null || true)
  if [ -n "$jobs" ]; then
    say "cancelling jobs left over from an unclean stop: $(tr '\n' ' ' <<<"$jobs")"
    # shellcheck disable=SC2086
    sl scancel $jobs 2>/dev/null || true
  fi
  say "cluster ai4sci is up (node $NODE: $(sl sinfo -h -n "$NODE" -o '%c CPUs, %m MB'); dir $DIR)"
  export_line
}

status_cluster() {
  if ! sl scontrol ping >/dev/null 2>&1 || ! sl sinfo >/dev/null 2>&1; then
    echo "slurm-local: not running (SLURM_CONF=$CONF)"
    return 1
  fi
  sl sinfo
  sl squeue -t all
  return 0
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case "$cmd" in
  start)
    [ $# -eq 0 ] || usage
    start_cluster
    ;;
  stop)
    clean=0
    case "${1:-}" in "") ;; --clean) clean=1; shift ;; *) usage ;; esac
    [ $# -eq 0 ] || usage
    stop_cluster
    if [ "$clean" -eq 1 ]; then rm -rf "$DIR"; fi
    ;;
  status)
    [ $# -eq 0 ] || usage
    status_cluster
    ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
