#!/usr/bin/env bash
# README's second command (and all that .ci/run does): installs what is missing, builds rankme and its
# tests, and runs the whole suite (unit tests, MPI tests at 1-4 ranks, end-to-end CLI tests); checks the .deb
# (scripts/check_debian_package.sh: built, installed, run, removed); then the unit and MPI tests again under
# AddressSanitizer and UBSan (the asan preset, build-asan/); last the MPI tests on the second stack, MPICH
# (the mpich preset, build-mpich/). Each phase says how long it took. The sanitizer pass against MPICH is the
# asan-mpich preset (build-asan-mpich/), not run here (docs/cluster.md#testing-against-mpich).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's wall time on stderr, so that CI's time can be read phase by phase.
phase_name="" phase_start=$SECONDS
phase() {
  if [[ -n "$phase_name" ]]; then echo "run_tests: $phase_name: $((SECONDS - phase_start)) s (total $SECONDS s)" >&2; fi
  phase_name=$1 phase_start=$SECONDS
}
phase "packages"
scripts/install_dependencies.sh --tests
phase "release configure and build"
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
phase "release tests"
ctest --preset release
# The .deb of that build: installed with apt-get, run from another directory, removed again.
phase ".deb check"
scripts/check_debian_package.sh build
phase "asan configure and build"
cmake --preset asan >/dev/null
cmake --build --preset asan -- -j"$(nproc)"
phase "asan tests"
ctest --preset asan
# The MPI tests again on the second stack, MPICH (the mpich preset, build-mpich/): only their executables
# (rankme_mpi_tests), not the unit tests, which do not depend on the stack. At 1-3 ranks, but for six I/O-heavy
# tests that run at 1-2 ranks here (and at 1-4 on OpenMPI above): on a 2-core machine MPICH 4.0's
# busy-polling ranks make every collective at 3 ranks wait for a scheduler tick, and those six alone take
# 4.5 minutes at 3 ranks (docs/cluster.md#testing-against-mpich).
phase "mpich configure"
cmake --preset mpich >/dev/null
phase "mpich build (MPI tests)"
cmake --build --preset mpich --target rankme_mpi_tests -- -j"$(nproc)"
phase "mpich MPI tests at 1-3 ranks"
ctest --preset mpich -L '^mpi$' \
  -E 'ranks4$|^test_(block_prefetcher|row_block_reader|hdf5_chunk_reader|dataset_score|concatenated_scores|row_source)\.ranks3$'
phase done
