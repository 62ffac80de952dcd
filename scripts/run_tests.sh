#!/usr/bin/env bash
# README's second command (and all that .ci/run does): installs what is missing, builds rankme and its
# tests, and runs the whole suite (unit tests, MPI tests at 1-4 ranks, end-to-end CLI tests); then the unit and
# MPI tests again under AddressSanitizer and UBSan (the asan preset, build-asan/), built against the other
# MPI stack, MPICH: the sanitizer pass is also the second stack's pass at 1-4 ranks, so it costs CI only
# MPICH's packages. The release build (OpenMPI) runs the SLURM round trip and the CLI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh --tests
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
ctest --preset release
cmake --preset asan >/dev/null
cmake --build --preset asan -- -j"$(nproc)"
ctest --preset asan
