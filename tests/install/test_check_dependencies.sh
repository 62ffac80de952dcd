#!/usr/bin/env bash
# scripts/install_dependencies.sh --check (scripts/check_dependencies.sh), which installs nothing:
#   1. on this machine (the build's dependencies are here): exit 0 and a "found" line for every need;
#   2. with an empty PATH and no search roots: exit 1, every need MISSING with its Debian package, module and
#      Spack hints;
#   3. dependencies in a prefix named by CMAKE_PREFIX_PATH (made-up files and tools linked to the real ones):
#      found there; a serial-only HDF5 is named as such; GoogleTest missing fails only with --tests.
#   usage: test_check_dependencies.sh SOURCE_DIR
set -uo pipefail
check="$1/scripts/install_dependencies.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "test_check_dependencies: $*" >&2
  failures=$((failures + 1))
}
needs=("C++17 compiler" "CMake >= 3.25" "MPI (mpicc, launcher)" "parallel HDF5" "ScaLAPACK" "OpenBLAS, LAPACK" "CLI11"
       "nlohmann-json" "zlib" "libdeflate" "GoogleTest (tests)")
# The utilities the check itself runs, and nothing else, on PATH.
mkdir "$tmp/bare"
for utility in head grep sed sort dirname; do ln -s "$(command -v "$utility")" "$tmp/bare/$utility"; done
run_check() {  # ENV-ASSIGNMENTS... -- ARGS...: stdout in $output, exit status in $status
  local assignments=()
  while [[ "$1" != "--" ]]; do assignments+=("$1"); shift; done
  shift
  output=$(env -i HOME="$tmp" "${assignments[@]}" /bin/bash "$check" --check "$@" 2>&1)
  status=$?
}

# 1. This machine.
output=$(bash "$check" --check --tests 2>&1)
status=$?
((status == 0)) || fail "on this machine: exit $status, expected 0:"$'\n'"$output"
for need in "${needs[@]}"; do
  grep -qF "found    $need" <<<"$output" || fail "on this machine: no 'found' line for $need"
done

# 2. Nothing on PATH, no roots, no pkg-config.
run_check PATH="$tmp/bare" RANKME_CHECK_ROOTS= -- --tests
((status == 1)) || fail "with nothing installed: exit $status, expected 1"
for need in "${needs[@]}"; do
  grep -qF "MISSING  $need" <<<"$output" || fail "with nothing installed: no 'MISSING' line for $need"
done
for hint in "Debian: apt-get install libscalapack-openmpi-dev" "module load hdf5" "Spack: spack install hdf5+mpi" \
            "spack install gcc cmake@3.25: openmpi hdf5+mpi netlib-scalapack openblas cli11 nlohmann-json zlib libdeflate googletest"; do
  grep -qF -- "$hint" <<<"$output" || fail "with nothing installed: no hint '$hint'"
done
grep -qiE "sudo apt-get install.*[^ ]" <<<"$output" || fail "with nothing installed: no Debian summary line"

# 3. A prefix with everything but GoogleTest (empty files stand in for headers and libraries; the compiler,
# cmake and MPI tools are the real ones, linked into the prefix's bin/).
prefix=$tmp/deps
mkdir -p "$prefix"/{bin,lib,include/CLI,include/nlohmann}
for tool in c++ as ld cmake mpicc mpiexec.openmpi; do
  real=$(command -v "$tool") && ln -s "$real" "$prefix/bin/$tool"
done
for utility in head grep sed sort dirname; do ln -s "$(command -v "$utility")" "$prefix/bin/$utility"; done
echo "#define H5_HAVE_PARALLEL 1" >"$prefix/include/H5pubconf.h"
touch "$prefix"/include/{cblas.h,CLI/CLI.hpp,nlohmann/json.hpp,zlib.h,libdeflate.h}
touch "$prefix"/lib/{libscalapack.so,libopenblas.so,liblapack.so,libz.so,libdeflate.so}
run_check PATH="$prefix/bin" RANKME_CHECK_ROOTS= CMAKE_PREFIX_PATH="/nonexistent;$prefix" --
((status == 0)) || fail "a prefix without GoogleTest, no --tests: exit $status, expected 0:"$'\n'"$output"
grep -qF "found    parallel HDF5            $prefix/include" <<<"$output" || fail "the prefix's parallel HDF5 not found"
grep -qF "found    ScaLAPACK                $prefix/lib/libscalapack.so" <<<"$output" || fail "the prefix's ScaLAPACK not found"
grep -qF "absent   GoogleTest (tests)" <<<"$output" || fail "GoogleTest not reported absent"
run_check PATH="$prefix/bin" RANKME_CHECK_ROOTS= CMAKE_PREFIX_PATH="$prefix" -- --tests
((status == 1)) || fail "a prefix without GoogleTest, --tests: exit $status, expected 1"
echo "#define H5_HAVE_PARALLEL 0" >"$prefix/include/H5pubconf.h"
run_check PATH="$prefix/bin" RANKME_CHECK_ROOTS= CMAKE_PREFIX_PATH="$prefix" --
((status == 1)) || fail "a serial HDF5: exit $status, expected 1"
grep -qF "only a serial HDF5 at $prefix/include" <<<"$output" || fail "a serial HDF5 not named as such:"$'\n'"$output"

((failures == 0)) && echo "test_check_dependencies: ok"
((failures == 0))
