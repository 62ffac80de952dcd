#!/usr/bin/env bash
# README's first command: installs what is missing, builds rankme, writes the built-in example sweep
# (example/sweep.h5: 6 runs x 4 checkpoints of 2048 x 128 float32 embeddings, each row one of 4 views of
# 512 objects, hyperparameters in group names and attributes) and then runs the three commands a
# researcher runs on a sweep:
#   1. score every checkpoint (RankMe, and LiDAR from the views) on 2 MPI ranks into results.jsonl;
#   2. print each run's best checkpoint;
#   3. write the HTML report, report/report.html;
# from example/, as README shows them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh --report
cmake --preset release >/dev/null
cmake --build --preset release --target rankme rankme-merge rankme-example -- -j"$(nproc)" >/dev/null
mkdir -p example
build/rankme-example example/sweep.h5
# From the example's directory, as a researcher runs them beside their sweep.
cd example
rm -f results.jsonl  # a fresh score each time (--output appends)
# As root OpenMPI needs these two, and --oversubscribe allows 2 ranks on a 1-core machine. OpenMPI's own
# launcher, not a bare mpirun, which may be MPICH's where both are installed.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== 1. score every checkpoint: rankme --lidar --groups /object_ids --output results.jsonl --spectrum spectra.h5 sweep.h5"
mpiexec.openmpi -n 2 --oversubscribe ../build/rankme --lidar --groups /object_ids --output results.jsonl \
  --spectrum spectra.h5 sweep.h5 >/dev/null
echo "== 2. each run's best checkpoint: rankme-merge results.jsonl --best-per run"
../build/rankme-merge results.jsonl --best-per run
echo "== 3. the report: scripts/report results.jsonl --spectrum spectra.h5 --x lr --color wd --out report"
../scripts/report results.jsonl --spectrum spectra.h5 --x lr --color wd --out report
echo "open example/report/report.html"
