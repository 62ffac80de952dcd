#!/usr/bin/env bash
# Times the eigensolvers rankme can run, on random symmetric positive definite matrices A = X^T X (X
# Gaussian, K + 64 rows), with build/rankme-measure-eigensolvers (src/tools/measure_eigensolvers.cpp), and
# checks each against LAPACK dsyevd on the upper triangle (the driver rankme used before) on the same
# matrix: the numbers behind lapack_2stage_order and the automatic choice (include/rankme/parallel/eigensolver.hpp).
# Medians of RUNS runs, taken round robin; on a shared machine, trust the runs whose cpu/wall shows the
# process kept its cores (about the thread count).
#   usage: scripts/measure_eigensolvers.sh [RUNS]
#   env:   LAPACK_ORDERS (default "1024 2048 4096 8192"), GRID_ORDERS (default "1024 2048 3072 4096"; empty: none),
#          RANKS (default 2), THREADS (OpenBLAS threads of the single LAPACK process, default 2)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
lapack_orders=${LAPACK_ORDERS-1024 2048 4096 8192}
grid_orders=${GRID_ORDERS-1024 2048 3072 4096}
ranks=${RANKS:-2}
threads=${THREADS:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
measure=("$here/build/rankme-measure-eigensolvers")
# OpenMPI's own launcher (build/ is the OpenMPI build; a bare mpirun follows the alternatives, maybe to
# MPICH's). --bind-to none: mpirun would otherwise bind the single process to one core, and its BLAS threads with it.

# 1. The LAPACK drivers in one process that has the node's cores as BLAS threads (rankme on one rank).
for k in $lapack_orders; do
  OPENBLAS_NUM_THREADS=$threads mpiexec.openmpi -n 1 --oversubscribe --bind-to none "${measure[@]}" "$k" "$runs" \
    dsyevd_U dsyevd dsyevd_2stage dsyevr_2stage
done

# 2. rankme's two routes with RANKS ranks x 1 BLAS thread filling the node: LAPACK on rank 0 while the
# other ranks wait for its broadcast (the driver rankme picks for K), against ScaLAPACK PDSYEV on the grid of
# all ranks.
for k in $grid_orders; do
  OPENBLAS_NUM_THREADS=1 mpiexec.openmpi -n "$ranks" --oversubscribe --bind-to none "${measure[@]}" "$k" "$runs" \
    lapack scalapack
done
