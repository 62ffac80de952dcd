#!/usr/bin/env bash
# Runs rankme as if on two hosts, on this one machine: mpirun gets a hostfile of two made-up node names
# (2 slots each) and an rsh agent (fake_rsh.sh) that ignores the host name and starts each node's orted
# here, so the ranks of the two "nodes" are placed, wired up (OOB and BTL over TCP on loopback) and read
# the file as across real nodes. Scores a generated sweep at 2 ranks (one per node) and 4 ranks (two per
# node), with rank groups that span both nodes and with rankme's own choice, and checks the results
# against a 1-process run: same datasets and statuses, RankMe to 1e-12 relative, each dataset scored by
# a group of the size asked for, and the ranks really spread over both nodes (mpirun's job map).
#
#   usage: run_two_fake_hosts.sh RANKME RANKME_EXAMPLE [MPIRUN]
set -uo pipefail

if (($# < 2)); then
  echo "usage: $0 RANKME RANKME_EXAMPLE [MPIRUN]" >&2
  exit 2
fi
rankme=$(realpath "$1")
rankme_example=$(realpath "$2")
mpirun=${3:-mpirun}
here=$(cd "$(dirname "$0")" && pwd)
started=$(date +%s.%N)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rankme-multihost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
printf 'fakenode-a slots=2\nfakenode-b slots=2\n' >hostfile
sweep=$tmp/sweep.h5
"$rankme_example" "$sweep" --rows 512 --cols 32 >/dev/null

# As root OpenMPI wants these two. Shared memory between the fake nodes crashes (both are this machine,
# and each orted believes its vader segments are its own), so TCP and self only, all on loopback. The fake
# nodes claim 2 slots each on a 2-core machine: 4 ranks oversubscribe it without OpenMPI knowing, so
# idle ranks yield instead of spinning (measured here: 4 ranks took 3-8 s busy-polling, 0.7 s yielding).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_mpi_yield_when_idle=1
export OPENBLAS_NUM_THREADS=1
# Each fake host's orted and ranks get their own temporary directory below this one (see fake_rsh.sh).
export FAKE_RSH_TMPDIR=$tmp

# In double: only the double route's results agree across rank counts and groupings to the 1e-12 compared
# here (float32 block products, the default auto's first pass, round with the block split).
"$rankme" --precision double --format jsonl "$sweep" >reference.jsonl 2>reference.err
status=$?
if ((status != 0)) || [[ ! -s reference.jsonl ]]; then
  fail "1-process reference run exited $status"
  cat reference.err
  echo "multihost: $passed passed, $failed failed"
  exit 1
fi

# compare RESULTS GROUP_SIZE: RESULTS holds the reference's datasets, each once, with the same status,
# RankMe within 1e-12 relative, and "ranks" (the size of the group that scored it) equal to GROUP_SIZE
# (any for "auto").
compare() {
  python3 - reference.jsonl "$1" "$2" <<'PY'
import json, sys
def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]
reference = {r["dataset"]: r for r in load(sys.argv[1])}
rows = load(sys.argv[2])
ranks = None if sys.argv[3] == "auto" else int(sys.argv[3])
problems = []
names = [r["dataset"] for r in rows]
if sorted(names) != sorted(reference):
    problems.append(f"datasets {names}, reference {sorted(reference)}")
worst = 0.0
for r in rows:
    want = reference.get(r["dataset"])
    if want is None:
        continue
    if ranks is not None and r["ranks"] != ranks:
        problems.append(f"{r['dataset']}: scored by {r['ranks']} ranks, not {ranks}")
    if r["status"] != want["status"]:
        problems.append(f"{r['dataset']}: status {r['status']}, reference {want['status']}")
    elif (r["rankme"] is None) != (want["rankme"] is None):
        problems.append(f"{r['dataset']}: RankMe {r['rankme']}, reference {want['rankme']}")
    elif r["rankme"] is not None:
        difference = abs(r["rankme"] - want["rankme"]) / max(abs(want["rankme"]), 1e-300)
        worst = max(worst, difference)
        if difference > 1e-12:
            problems.append(f"{r['dataset']}: RankMe {r['rankme']!r}, reference {want['rankme']!r}")
for p in problems:
    print("  " + p)
print(f"{len(rows)} datasets, largest relative difference {worst:.1e}")
sys.exit(1 if problems else 0)
PY
}

# RANKS GROUP_SIZE: --map-by node alternates the nodes (ranks 0, 2 on fakenode-a; 1, 3 on fakenode-b), so
# 2 ranks are one per node, 4 are two per node, and every group of 2 or 4 consecutive ranks spans both
# nodes: each dataset's rows are read, reduced and solved across the "hosts". "auto" lets rankme choose
# the groups (here groups of one rank: the datasets are handed out across the hosts instead).
for run in "2 2" "4 4" "4 2" "4 auto"; do
  read -r ranks group <<<"$run"
  name="$ranks ranks on 2 fake hosts, groups of $group"
  group_args=()
  if [[ "$group" == auto ]]; then
    name="$ranks ranks on 2 fake hosts, groups chosen by rankme"
  else
    group_args=(--group-size "$group")
  fi
  run_started=$(date +%s.%N)
  timeout 60 "$mpirun" --hostfile hostfile -n "$ranks" --map-by node --bind-to none \
    --mca plm rsh --mca plm_rsh_agent "$here/fake_rsh.sh" --mca btl tcp,self --display-map \
    "$rankme" --quiet --precision double --format jsonl "${group_args[@]}" "$sweep" >"run.out" 2>"run.err"
  status=$?
  seconds=$(elapsed "$run_started")
  if ((status != 0)); then
    fail "$name: mpirun exited $status after $seconds s"
    tail -n 20 run.err
    continue
  fi
  # The job map mpirun prints: how many ranks each node got.
  placement=$(grep -oE 'Data for node: [^[:space:]]+[[:space:]].*Num procs: [0-9]+' run.out | sort -u |
    sed -E 's/Data for node: ([^[:space:]]+).*Num procs: ([0-9]+)/\1:\2/' | paste -sd ' ')
  expected="fakenode-a:$((ranks / 2)) fakenode-b:$((ranks / 2))"
  if [[ "$placement" != "$expected" ]]; then
    fail "$name: placed as '$placement', expected '$expected'"
    continue
  fi
  if report=$(compare run.out "$group"); then
    pass "$name ($placement, $seconds s): $(tail -n 1 <<<"$report"), as 1 process"
  else
    fail "$name ($placement): results differ from 1 process:"
    echo "$report"
  fi
done

echo "multihost: $(elapsed "$started") s in all"
echo "multihost: $passed passed, $failed failed"
((failed == 0))
