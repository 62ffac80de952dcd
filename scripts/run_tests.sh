#!/usr/bin/env bash
# README's second command (and all that .ci/run does): installs what is missing, builds rankme and its
# tests, and runs the whole suite (unit tests, MPI tests at 1-4 ranks, end-to-end CLI tests); then the unit and
# MPI tests again under AddressSanitizer and UBSan (the asan preset, build-asan/). The same pass against
# MPICH is the asan-mpich preset (build-asan-mpich/): not run here, since MPICH's ranks busy-poll and its 3-
# and 4-rank tests on a 2-core machine overrun their watchdogs (docs/_mpi_stacks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh --tests
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
ctest --preset release
cmake --preset asan >/dev/null
cmake --build --preset asan -- -j"$(nproc)"
ctest --preset asan
