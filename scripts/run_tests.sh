#!/usr/bin/env bash
# README's second command (and all that .ci/run does): installs what is missing, builds rankme and its
# tests, and runs the whole suite (unit tests, MPI tests at 1-4 ranks, end-to-end CLI tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh --tests
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
ctest --preset release
