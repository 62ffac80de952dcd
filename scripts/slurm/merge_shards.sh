#!/usr/bin/env bash
# Joins the shard files of a score_sweep_array.sbatch job array into one results file:
#   build/rankme-merge --output results.jsonl results.shard-*.jsonl
# Run it by hand once the array is done, or submit it as a job that waits for the array:
#
#   array=$(sbatch --parsable --array=0-7 scripts/slurm/score_sweep_array.sbatch /data/sweep/)
#   sbatch --dependency=afterok:$array scripts/slurm/merge_shards.sh
#   bash scripts/slurm/merge_shards.sh [PREFIX]           # by hand
#
# afterok:<array job id> waits for every task of the array and runs only if all of them exited 0. A task
# exits 1 when some dataset of its shard could not be scored (e.g. an incomplete file of a crashed run):
# the merge then never runs and, with --kill-on-invalid-dep=yes below, is cancelled instead of pending
# forever. Use --dependency=afterany:<id> to merge whatever the tasks wrote (error rows included).
#
# Arguments and environment:
#   PREFIX (1st argument) or RANKME_OUTPUT_PREFIX: merges PREFIX.shard-*.jsonl into PREFIX.jsonl (default:
#                         results in the directory sbatch was run from, else the current directory)
#   RANKME_MERGED         the merged file instead of PREFIX.jsonl
#   RANKME_SHARDS         if set, the number of shard files there must be (the array's task count)
#   RANKME_MERGE          the rankme-merge binary (default: build/rankme-merge next to scripts/, PREFIX/bin when
#                         installed in PREFIX/share/rankme/slurm, or rankme-merge on PATH)
#
#SBATCH --job-name=rankme-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --time=00:30:00
#SBATCH --output=rankme-%x-%j.out
#SBATCH --kill-on-invalid-dep=yes
set -euo pipefail

submitted_script() {
  # sbatch runs a copy of this script from slurmd's spool directory: find the submitted one.
  local command=""
  if [[ -n "${SLURM_JOB_ID:-}" ]]; then
    command=$(scontrol show job "$SLURM_JOB_ID" 2>/dev/null | sed -n 's/^ *Command=\([^ ]*\).*/\1/p' | head -n 1)
  fi
  [[ -n "$command" && -f "$command" ]] || command=$0
  printf '%s\n' "$command"
}
script_dir=$(cd "$(dirname "$(submitted_script)")" && pwd)
# A companion binary: the source tree's build/ (scripts/slurm -> build/), else an installed tree's bin/
# (PREFIX/share/rankme/slurm -> PREFIX/bin/), else the one on PATH.
default_binary() {
  local candidate
  for candidate in "$script_dir/../../build/$1" "$script_dir/../../../bin/$1"; do
    [[ -x "$candidate" ]] && { printf '%s\n' "$candidate"; return; }
  done
  command -v "$1" || printf '%s\n' "$script_dir/../../build/$1"
}
merge=${RANKME_MERGE:-$(default_binary rankme-merge)}
if [[ ! -x "$merge" ]]; then
  echo "merge_shards: no rankme-merge binary at '$merge' (build it, or set RANKME_MERGE=/path/to/rankme-merge)" >&2
  exit 2
fi

prefix=${1:-${RANKME_OUTPUT_PREFIX:-${SLURM_SUBMIT_DIR:-$PWD}/results}}
merged=${RANKME_MERGED:-$prefix.jsonl}
shopt -s nullglob
shards=("$prefix".shard-*.jsonl)
if ((${#shards[@]} == 0)); then
  echo "merge_shards: no shard files $prefix.shard-*.jsonl" >&2
  exit 1
fi
if [[ -n "${RANKME_SHARDS:-}" && "${#shards[@]}" != "$RANKME_SHARDS" ]]; then
  echo "merge_shards: expected $RANKME_SHARDS shard files $prefix.shard-*.jsonl, found ${#shards[@]}" >&2
  exit 1
fi
echo "merge_shards: ${#shards[@]} shards -> $merged" >&2
"$merge" --output "$merged" "${shards[@]}"
