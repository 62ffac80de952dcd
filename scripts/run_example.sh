#!/usr/bin/env bash
# README's first command: installs what is missing, builds rankme, writes the built-in example sweep
# (example/sweep.h5, 6 runs of 4096 x 256 float32 embeddings) and scores it on 2 MPI ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rankme rankme-example -- -j"$(nproc)" >/dev/null
mkdir -p example
build/rankme-example example/sweep.h5
# As root OpenMPI needs these two, and --oversubscribe allows 2 ranks on a 1-core machine.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -n 2 --oversubscribe build/rankme example/sweep.h5
