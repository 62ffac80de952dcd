#!/usr/bin/env bash
# Brings up a real one-node SLURM cluster (Debian's slurmctld, slurmd, munge) under a temporary directory,
# runs scripts/slurm/ on a small generated sweep through it, and checks the results against a direct run:
#   - score_sweep.sbatch (srun --mpi=pmix, 2 ranks): every dataset exactly once in its results file, the
#     same RankMe as `rankme FILE` to 1e-12 relative;
#   - the same job requeued: --resume leaves every dataset exactly once;
#   - score_sweep_array.sbatch as a 2-task array (--shard i/2) and merge_shards.sh as a job depending on it
#     (afterok): the shards split the datasets, the merged file has each exactly once, same RankMe;
#   - the time-limit hand-off of score_sweep.sbatch (SIGUSR1 to the batch shell -> SIGTERM to the step ->
#     exit code 4 -> requeue -> the restarted job completes), with a stand-in for rankme that waits for
#     SIGTERM (a 512-row sweep is scored before any signal could arrive).
# Every daemon it starts (munged, slurmctld, slurmd: all in the foreground, tracked by PID) is stopped in
# an EXIT trap, also on failure.
#
#   usage: run_slurm_round_trip.sh RANKME RANKME_EXAMPLE [RANKME_MERGE]
# Environment: RANKME_TEST_LAUNCHER=srun|mpirun (default: srun when SLURM's PMIx plugin is installed, else
# mpirun); RANKME_TEST_KEEP=1 keeps the temporary directory (daemon logs, job logs, results).
set -uo pipefail

if (($# < 2)); then
  echo "usage: $0 RANKME RANKME_EXAMPLE [RANKME_MERGE]" >&2
  exit 2
fi
rankme=$(realpath "$1")
rankme_example=$(realpath "$2")
rankme_merge=${3:+$(realpath "$3")}
repo=$(cd "$(dirname "$0")/../.." && pwd)
slurm_scripts=$repo/scripts/slurm
started=$(date +%s.%N)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
  echo "slurm_round_trip: $(elapsed) s in all"
  echo "slurm_round_trip: $passed passed, $failed failed"
  ((failed == 0))
  exit
}
elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

export PATH=$PATH:/usr/sbin:/sbin  # munged, slurmctld and slurmd live there
for tool in munged munge slurmctld slurmd sbatch scontrol sinfo squeue scancel srun python3; do
  if ! command -v "$tool" >/dev/null; then
    fail "'$tool' is not installed (scripts/install_dependencies.sh --tests installs SLURM and munge)"
    finish
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rankme-slurm.XXXXXX")
daemon_pids=()
daemon_names=()
job_ids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Jobs first, so that no slurmstepd outlives its slurmd.
  if ((${#job_ids[@]} > 0)) && [[ -n "${SLURM_CONF:-}" ]]; then
    scancel "${job_ids[@]}" 2>/dev/null
    for _ in $(seq 1 25); do
      [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
  local i pid
  for ((i = ${#daemon_pids[@]} - 1; i >= 0; i--)); do
    pid=${daemon_pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm_round_trip: ${daemon_names[i]} (pid $pid) ignored SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
  if [[ "${RANKME_TEST_KEEP:-0}" == 1 ]]; then
    echo "slurm_round_trip: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_logs() {
  local log
  for log in "$tmp"/log/*; do
    [[ -s "$log" ]] || continue
    echo "----- $log (last 15 lines)"
    tail -n 15 "$log"
  done
}
start_daemon() {  # NAME COMMAND...: runs COMMAND in the foreground of a background job, output to log/NAME
  local name=$1
  shift
  "$@" >"$tmp/log/$name" 2>&1 &
  daemon_pids+=($!)
  daemon_names+=("$name")
}
free_ports() {  # prints N TCP ports on 127.0.0.1 that are free right now
  python3 - "$1" <<'PY'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in sockets])
PY
}

mkdir -p "$tmp"/{munge,state,spool,log,work} "$tmp/work/array"
chmod 700 "$tmp/munge"

# --- munge: its own key, socket, pid file, seed and log --------------------------------------------------
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munge_socket=$tmp/munge/munge.socket
start_daemon munged munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$munge_socket" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" --log-file="$tmp/log/munged.log"
for _ in $(seq 1 50); do
  munge -n -S "$munge_socket" 2>/dev/null | unmunge -S "$munge_socket" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! munge -n -S "$munge_socket" | unmunge -S "$munge_socket" >/dev/null; then
  fail "munged did not start"
  show_logs
  finish
fi

# --- slurm.conf for this one node ------------------------------------------------------------------------
node=$(hostname -s)
cpus=$(nproc)
memory_mb=$(awk '/^MemTotal:/ { m = int($2 / 1024 / 2); print (m < 1024 ? m : 1024) }' /proc/meminfo)
read -r ctld_port slurmd_port < <(free_ports 2)
mpi_default=none
launcher=${RANKME_TEST_LAUNCHER:-}
if compgen -G "/usr/lib/*/slurm-wlm/mpi_pmix*.so" >/dev/null; then
  mpi_default=pmix
  launcher=${launcher:-srun}
else
  echo "slurm_round_trip: SLURM has no PMIx plugin here (/usr/lib/*/slurm-wlm/mpi_pmix*.so): using mpirun" >&2
  launcher=${launcher:-mpirun}
fi
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
# One-node test cluster of tests/slurm/run_slurm_round_trip.sh; everything lives under $tmp.
ClusterName=rankmetest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=$mpi_default
MailProg=/bin/true
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

# --- slurmctld and slurmd in the foreground (-D), so that $! is the daemon ---------------------------------
start_daemon slurmctld slurmctld -D -c -f "$SLURM_CONF"
start_daemon slurmd slurmd -D -N "$node" -f "$SLURM_CONF"
up_started=$(date +%s.%N)
state=""
for _ in $(seq 1 150); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null)
  [[ "$state" == idle ]] && break
  sleep 0.2
done
up_seconds=$(awk -v a="$up_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [[ "$state" != idle ]]; then
  fail "node $node not idle after $up_seconds s (state '$state')"
  scontrol show node "$node" 2>&1
  show_logs
  finish
fi
pass "one-node SLURM up: node $node idle after $up_seconds s (ports $ctld_port/$slurmd_port, MpiDefault=$mpi_default)"

# --- the sweep, and the reference: rankme on one process without any launcher ---------------------------
cd "$tmp/work" || exit 1
sweep=$tmp/work/sweep.h5
"$rankme_example" "$sweep" --rows 512 --cols 32 >/dev/null
# Every run here in double, whose results agree across rank counts to 1e-12 (see the sweep job below).
"$rankme" --precision double --format jsonl "$sweep" >direct.jsonl 2>direct.err
if [[ ! -s direct.jsonl ]]; then
  fail "direct run of rankme on $sweep printed no results"
  cat direct.err
  finish
fi

# What every job gets (sbatch passes this environment on): the binaries, which launcher, and OpenMPI's
# consent to run as root for mpirun (srun's direct launch does not ask).
export RANKME=$rankme RANKME_LAUNCHER=$launcher
[[ -n "$rankme_merge" ]] && export RANKME_MERGE=$rankme_merge
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
ranks=$((cpus < 2 ? cpus : 2))

submit() {  # VARIABLE SBATCH_ARGS...: submits, sets VARIABLE to the job id (empty when refused)
  local variable=$1 id
  shift
  printf -v "$variable" '%s' ""
  if ! id=$(sbatch --parsable "$@"); then
    fail "sbatch $* was refused"
    return 1
  fi
  id=${id%%;*}
  job_ids+=("$id")
  printf -v "$variable" '%s' "$id"
}
job_lines() { scontrol -o show job "$1" 2>/dev/null; }
job_field() { job_lines "$1" | grep -o " $2=[^ ]*" | cut -d= -f2- | head -n 1; }
wait_for_jobs() {  # SECONDS ID...: until every job (every task of an array) has ended; 1 on timeout
  local deadline=$(($(date +%s) + $1)) id states
  shift
  while (($(date +%s) < deadline)); do
    states=$(for id in "$@"; do job_lines "$id"; done | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    if [[ -n "$states" ]] && ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$' <<<"$states"; then
      return 0
    fi
    sleep 0.2
  done
  echo "slurm_round_trip: jobs $* still not done after the time limit:" >&2
  for id in "$@"; do job_lines "$id" | grep -oE 'JobId=[^ ]*|JobState=[^ ]*|Reason=[^ ]*' | paste -sd ' ' >&2; done
  return 1
}
expect_completed() {  # NAME ID: every task of job ID COMPLETED with exit code 0:0
  local name=$1 id=$2 bad
  bad=$(job_lines "$id" | grep -vE 'JobState=COMPLETED .* ExitCode=0:0 ' | grep -oE 'JobId=[^ ]*|JobState=[^ ]*|ExitCode=[^ ]*' | paste -sd ' ')
  if [[ -n "$(job_lines "$id")" && -z "$bad" ]]; then
    pass "$name (job $id) completed with exit code 0"
    return 0
  fi
  fail "$name (job $id) did not complete cleanly: ${bad:-no such job}"
  for log in "$tmp"/work/rankme-*"$id"*.out; do
    [[ -f "$log" ]] && { echo "----- $log"; tail -n 20 "$log"; }
  done
  return 1
}
# restart_now ID: a requeued job is eligible again only after SLURM's requeue delay (~2 minutes); this
# skips it. The restart must come at least one second after the previous run's end: slurmd revokes a job's
# credential when it ends and refuses (kills as "Job credential revoked") a launch whose credential is
# not newer than that, to the second.
restart_now() {
  local id=$1
  for _ in $(seq 1 150); do
    [[ "$(job_field "$id" JobState)" == PENDING ]] && break
    sleep 0.2
  done
  sleep 1.1
  scontrol update JobId="$id" StartTime=now
}
# compare_results FILE [SHARD_FILE...]: FILE holds each dataset of direct.jsonl exactly once, with the same
# status and RankMe (1e-12 relative), scored by EXPECT_RANKS ranks if that is set; the shard files, if
# given, each hold some but not all datasets.
compare_results() {
  python3 - "$tmp/work/direct.jsonl" "$@" <<'PY'
import json, os, sys
def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
direct = {(r["file"], r["dataset"]): r for r in load(sys.argv[1])}
rows = load(sys.argv[2])
problems = []
seen = {}
for r in rows:
    key = (r.get("file"), r.get("dataset"))
    seen[key] = seen.get(key, 0) + 1
for key, count in sorted(seen.items()):
    if key not in direct:
        problems.append(f"{key[1]}: not in the direct run's results")
    elif count != 1:
        problems.append(f"{key[1]}: {count} times")
for key in sorted(direct):
    if key not in seen:
        problems.append(f"{key[1]}: missing")
for r in rows:
    want = direct.get((r.get("file"), r.get("dataset")))
    if want is None:
        continue
    if r.get("status") != want["status"]:
        problems.append(f"{r['dataset']}: status {r.get('status')}, direct run {want['status']}")
    elif want["rankme"] is None or r.get("rankme") is None:
        if want["rankme"] != r.get("rankme"):
            problems.append(f"{r['dataset']}: RankMe {r.get('rankme')}, direct run {want['rankme']}")
    elif abs(r["rankme"] - want["rankme"]) > 1e-12 * abs(want["rankme"]):
        problems.append(f"{r['dataset']}: RankMe {r['rankme']!r}, direct run {want['rankme']!r}")
if os.environ.get("EXPECT_RANKS"):
    for r in rows:
        if r.get("ranks") != int(os.environ["EXPECT_RANKS"]):
            problems.append(f"{r.get('dataset')}: scored by {r.get('ranks')} ranks, not {os.environ['EXPECT_RANKS']}")
for path in sys.argv[3:]:
    n = len(load(path))
    if not 0 < n < len(direct):
        problems.append(f"{path}: {n} of {len(direct)} datasets (a shard should hold some, not all)")
for p in problems:
    print("  " + p)
print(f"  {len(rows)} rows for {len(direct)} datasets")
sys.exit(1 if problems else 0)
PY
}
check_results() {  # NAME FILE [SHARD_FILE...]
  local name=$1 report
  shift
  if [[ ! -s "$1" ]]; then
    fail "$name: no results in $1"
    return
  fi
  if report=$(compare_results "$@"); then
    pass "$name: every dataset once, RankMe as a direct run to 1e-12 ($(tail -n 1 <<<"$report" | sed 's/^ *//'))"
  else
    fail "$name:"
    echo "$report"
  fi
}

# --- submit the whole-sweep job, the array and the merge depending on it, all at once -------------------
echo "slurm_round_trip: submitting with RANKME_LAUNCHER=$launcher" >&2
# One group of all ranks, so that every dataset is read and reduced across the srun-launched ranks; in
# double, whose results do not depend on the rank count beyond 1e-12 (float32 block products, the default
# auto's first pass, round with the block split).
RANKME_ARGS="--group-size $ranks --precision double" \
  submit sweep_job --ntasks="$ranks" --cpus-per-task=1 --time=5 "$slurm_scripts/score_sweep.sbatch" "$sweep"
RANKME_OUTPUT_PREFIX=$tmp/work/array/results RANKME_ARGS="--precision double" \
  submit array_job --array=0-1 --ntasks=1 --cpus-per-task=1 --time=5 "$slurm_scripts/score_sweep_array.sbatch" "$sweep"
RANKME_SHARDS=2 submit merge_job --dependency=afterok:"$array_job" --time=5 "$slurm_scripts/merge_shards.sh" \
  "$tmp/work/array/results"
if [[ -z "$sweep_job" || -z "$array_job" || -z "$merge_job" ]]; then
  show_logs
  finish
fi

if wait_for_jobs 60 "$sweep_job" "$array_job" "$merge_job"; then
  jobs_seconds=$(elapsed)
  echo "slurm_round_trip: jobs done at $jobs_seconds s" >&2
fi
expect_completed "score_sweep.sbatch" "$sweep_job" &&
  EXPECT_RANKS=$ranks check_results "score_sweep.sbatch results ($ranks ranks)" results.jsonl
expect_completed "score_sweep_array.sbatch --array=0-1" "$array_job"
shard_files=(array/results.shard-0.jsonl array/results.shard-1.jsonl)
for shard in "${shard_files[@]}"; do
  [[ -s "$shard" ]] || fail "no shard file $shard"
done
if [[ -z "$rankme_merge" ]]; then
  fail "merge: no rankme-merge binary given (3rd argument; is the rankme-merge target built?)"
fi
expect_completed "merge_shards.sh --dependency=afterok" "$merge_job" &&
  check_results "merged shards" array/results.jsonl "${shard_files[@]}"

# --- requeue the finished sweep job: it starts over and --resume leaves the results as they were --------
if [[ ! -s results.jsonl ]]; then
  fail "requeue and resume: not tried, the sweep job left no results"
else
  cp results.jsonl results.before-requeue.jsonl
  if scontrol requeue "$sweep_job"; then
    restart_now "$sweep_job"
    wait_for_jobs 30 "$sweep_job"
    restarts=$(job_field "$sweep_job" Restarts)
    if expect_completed "requeued score_sweep.sbatch (restart ${restarts:-?})" "$sweep_job"; then
      if [[ "$restarts" == 1 ]] && cmp -s results.jsonl results.before-requeue.jsonl; then
        pass "requeued job resumed: nothing scored twice, results file unchanged"
      else
        fail "requeued job: restarts '$restarts', results file changed:"
        diff results.before-requeue.jsonl results.jsonl | head -n 20
      fi
    fi
  else
    fail "scontrol requeue $sweep_job was refused"
  fi
fi

# --- the time-limit hand-off, with a stand-in that holds on until SIGTERM --------------------------------
# --signal=B:USR1@120 has SLURM send SIGUSR1 to the batch shell before the limit; scancel --batch sends
# the same signal the same way now. The stand-in exits with 4 on SIGTERM, as rankme does, and at once with 0
# in the requeued run (SLURM_RESTART_COUNT=1).
cat >"$tmp/work/stand_in_rankme.sh" <<'EOF'
#!/usr/bin/env bash
trap 'echo "stand-in: SIGTERM" >>"$STAND_IN_LOG"; exit 4' TERM
trap '' USR1
echo "stand-in: started, restart ${SLURM_RESTART_COUNT:-0}: $*" >>"$STAND_IN_LOG"
[[ "${SLURM_RESTART_COUNT:-0}" == 0 ]] || exit 0
for _ in $(seq 1 600); do sleep 0.1; done
echo "stand-in: no SIGTERM within 60 s" >>"$STAND_IN_LOG"
exit 9
EOF
chmod +x "$tmp/work/stand_in_rankme.sh"
export STAND_IN_LOG=$tmp/work/stand_in.log
RANKME=$tmp/work/stand_in_rankme.sh RANKME_OUTPUT=$tmp/work/handoff.jsonl \
  submit handoff_job --ntasks=1 --time=5 "$slurm_scripts/score_sweep.sbatch" "$sweep"
if [[ -n "$handoff_job" ]]; then
  for _ in $(seq 1 100); do
    grep -q "started, restart 0" "$STAND_IN_LOG" 2>/dev/null && break
    sleep 0.1
  done
  scancel --batch --signal=USR1 "$handoff_job"
  # The script requeues its job once the stand-in has exited with 4 (through mpirun, after its 10 s
  # SIGTERM delay); then the restart.
  for _ in $(seq 1 300); do
    [[ "$(job_field "$handoff_job" Restarts)" == 1 ]] && break
    sleep 0.1
  done
  restart_now "$handoff_job"
  wait_for_jobs 30 "$handoff_job"
  if grep -q "stand-in: SIGTERM" "$STAND_IN_LOG" 2>/dev/null && grep -q "started, restart 1" "$STAND_IN_LOG" &&
     [[ "$(job_field "$handoff_job" Restarts)" == 1 ]] && expect_completed "time-limit hand-off" "$handoff_job"; then
    pass "time-limit hand-off: SIGUSR1 -> SIGTERM to the step -> exit 4 -> requeued -> restart completed"
  else
    fail "time-limit hand-off (job $handoff_job, restarts '$(job_field "$handoff_job" Restarts)'):"
    cat "$STAND_IN_LOG" 2>/dev/null
    tail -n 20 "$tmp"/work/rankme-*-"$handoff_job".out 2>/dev/null
  fi
fi

((failed == 0)) || show_logs
finish
