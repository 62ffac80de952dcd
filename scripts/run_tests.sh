#!/usr/bin/env bash
# README's second command (and all that .ci/run does): installs what is missing, builds rankme and its
# tests, and runs the whole suite (unit tests, MPI tests at 1-4 ranks, end-to-end CLI tests); then the unit and
# MPI tests again under AddressSanitizer and UBSan (the asan preset, build-asan/); last the MPI tests on the
# second stack, MPICH, at 1-3 ranks (the mpich preset, build-mpich/). The sanitizer pass against MPICH is the
# asan-mpich preset (build-asan-mpich/), not run here: MPICH's ranks busy-poll, and with more ranks than
# cores its MPI tests run many times slower (docs/_mpi_stacks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh --tests
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
ctest --preset release
cmake --preset asan >/dev/null
cmake --build --preset asan -- -j"$(nproc)"
ctest --preset asan
# The MPI tests again on the second stack, MPICH (the mpich preset, build-mpich/), at 1-3 ranks: only their
# executables (rankme_mpi_tests), not the unit tests, which do not depend on the stack. Not at 4 ranks: on a
# 2-core machine MPICH's busy-polling ranks make each 3-4 rank collective wait for a scheduler tick
# (docs/_mpi_stacks.md).
cmake --preset mpich >/dev/null
cmake --build --preset mpich --target rankme_mpi_tests -- -j"$(nproc)"
ctest --preset mpich -L '^mpi$' -E 'ranks4$'
