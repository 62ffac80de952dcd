#!/usr/bin/env bash
# README's first command: writes the built-in example sweep (sweep.h5: 6 runs x 4 checkpoints of 2048 x 128
# float32 embeddings, each row one of 4 views of 512 objects, hyperparameters in group names and attributes)
# and then runs the three commands a researcher runs on a sweep:
#   1. score every checkpoint (RankMe, and LiDAR from the views) on 2 MPI ranks into results.jsonl;
#   2. print each run's best checkpoint;
#   3. write the HTML report, report/report.html;
# from the example's directory, as README shows them.
#
#   scripts/run_example.sh [DIR]                 in the source tree: installs what is missing, builds rankme
#                                                (build/) and works in DIR (default: example/ in the tree)
#   PREFIX/share/rankme/run_example.sh [DIR]     installed (cmake --install, the .deb): the installed
#                                                rankme-example, rankme, rankme-merge and rankme-report, in DIR
#                                                (default: ./rankme-example)
set -euo pipefail
script_dir=$(cd "$(dirname "$(realpath "$0")")" && pwd)
if [[ -f "$script_dir/../CMakePresets.json" && -f "$script_dir/../src/main.cpp" ]]; then
  # The source tree: build what the example runs.
  root=$(cd "$script_dir/.." && pwd)
  (
    cd "$root"
    scripts/install_dependencies.sh --report
    cmake --preset release >/dev/null
    cmake --build --preset release --target rankme rankme-merge rankme-example -- -j"$(nproc)" >/dev/null
  )
  bin=$root/build
  report=$root/scripts/report report_name=scripts/report
  directory=${1:-$root/example}
else
  # An installed tree: PREFIX/share/rankme/ beside PREFIX/bin/.
  bin=$(cd "$script_dir/../../bin" && pwd)
  report=$script_dir/report report_name=rankme-report
  directory=${1:-$PWD/rankme-example}
fi
# OpenMPI's own launcher, not a bare mpirun, which may be MPICH's where both are installed.
launcher=${RANKME_MPIEXEC:-mpiexec.openmpi}

mkdir -p "$directory"
"$bin/rankme-example" "$directory/sweep.h5"
# From the example's directory, as a researcher runs them beside their sweep.
cd "$directory"
rm -f results.jsonl  # a fresh score each time (--output appends)
# As root OpenMPI needs these two, and --oversubscribe allows 2 ranks on a 1-core machine.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== 1. score every checkpoint: rankme --lidar --groups /object_ids --output results.jsonl --spectrum spectra.h5 sweep.h5"
oversubscribe=()
[[ "$(basename "$launcher")" == *openmpi* ]] && oversubscribe=(--oversubscribe)
"$launcher" -n 2 "${oversubscribe[@]}" "$bin/rankme" --lidar --groups /object_ids --output results.jsonl \
  --spectrum spectra.h5 sweep.h5 >/dev/null
echo "== 2. each run's best checkpoint: rankme-merge results.jsonl --best-per run"
"$bin/rankme-merge" results.jsonl --best-per run
echo "== 3. the report: $report_name results.jsonl --spectrum spectra.h5 --x lr --color wd --out report"
"$report" results.jsonl --spectrum spectra.h5 --x lr --color wd --out report
echo "open $directory/report/report.html"
