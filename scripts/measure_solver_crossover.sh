#!/usr/bin/env bash
# The LAPACK / ScaLAPACK comparison end to end, through the rankme binary (HDF5 read, Gram matrix, eigensolve
# on RANKS ranks x 1 BLAS thread): a check of the automatic choice in include/rankme/parallel/eigensolver.hpp, whose
# numbers come from scripts/measure_eigensolvers.sh (the solvers alone, with accuracy). Few rows per
# dataset, so that the eigensolve dominates the time. Prints a markdown table of median seconds per
# dataset (3 runs each); the lapack column is whichever LAPACK driver rankme picks for K.
#   usage: scripts/measure_solver_crossover.sh [RANKS] [ORDERS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ranks=${1:-2}; shift || true
orders=${*:-256 512 768 1024 1536 2048 3072 4096}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One BLAS thread per rank: the ranks share the cores between them.
export OPENBLAS_NUM_THREADS=1
/usr/bin/python3 - "$work" $orders <<'PY'
import sys, numpy as np, h5py
work, orders = sys.argv[1], [int(k) for k in sys.argv[2:]]
rng = np.random.default_rng(0)
for k in orders:
    with h5py.File(f"{work}/k{k}.h5", "w") as f:
        f["/z"] = rng.standard_normal((256, k)).astype(np.float32)
PY
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "| K | lapack on rank 0 (s) | scalapack on $ranks ranks (s) | lapack / scalapack |"
echo "|---|---|---|---|"
for k in $orders; do
  for solver in lapack scalapack; do
    for run in 1 2 3; do
      mpiexec.openmpi -n "$ranks" --oversubscribe --bind-to none "$here/build/rankme" --solver $solver --format csv \
        "$work/k$k.h5:/z" | tail -n 1 | cut -d, -f9
    done | median > "$work/$solver"
  done
  l=$(cat "$work/lapack"); s=$(cat "$work/scalapack")
  echo "| $k | $l | $s | $(awk -v l="$l" -v s="$s" 'BEGIN {printf "%.2f", l / s}') |"
done
