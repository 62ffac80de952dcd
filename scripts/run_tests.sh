#!/usr/bin/env bash
# README's second command (and all that .ci/run does): installs what is missing, builds rankme and its
# tests, and runs the whole suite (unit tests, MPI tests at 1-4 ranks, end-to-end CLI tests); checks the .deb
# (scripts/check_debian_package.sh: built, installed, run, removed); then the unit and MPI tests again under
# AddressSanitizer and UBSan (the asan preset, build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_dependencies.sh --tests
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
ctest --preset release
# The .deb of that build: installed with apt-get, run from another directory, removed again.
scripts/check_debian_package.sh build
cmake --preset asan >/dev/null
cmake --build --preset asan -- -j"$(nproc)"
ctest --preset asan
