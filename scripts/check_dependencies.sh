#!/usr/bin/env bash
# `scripts/install_dependencies.sh --check`: says what building rankme needs and whether it is here, without
# installing anything, without sudo, and off Debian too (docs/install.md). For each need it looks where CMake
# will: CMAKE_PREFIX_PATH, what environment modules and Spack set (CPATH, LIBRARY_PATH, LD_LIBRARY_PATH,
# MKLROOT, CRAY_LIBSCI_PREFIX_DIR), pkg-config, PATH, then /usr/local and /usr. For each missing one it prints
# the Debian package, a `module load` hint and a Spack spec. Exit status 1 when something required is missing.
#
#   scripts/check_dependencies.sh [--tests]      --tests: GoogleTest is required too (else only reported)
#
# RANKME_CHECK_ROOTS replaces the system prefixes searched last ("/usr/local /usr"); the test of this script
# empties it and PATH to see every need reported missing.
set -uo pipefail
require_tests=0
[[ "${1:-}" == "--tests" ]] && require_tests=1

multiarch="${HOSTTYPE:-x86_64}-linux-gnu"
roots=()
split_into_roots() {  # colon- or semicolon-separated prefixes (CMAKE_PREFIX_PATH takes both)
  local IFS=':;' entry
  for entry in $1; do [[ -n "$entry" ]] && roots+=("$entry"); done
}
split_into_roots "${CMAKE_PREFIX_PATH:-}"
[[ -n "${MKLROOT:-}" ]] && roots+=("$MKLROOT")
[[ -n "${CRAY_LIBSCI_PREFIX_DIR:-}" ]] && roots+=("$CRAY_LIBSCI_PREFIX_DIR")
read -r -a system_roots <<<"${RANKME_CHECK_ROOTS-/usr/local /usr}"
include_dirs=() library_dirs=()
for root in "${roots[@]}" "${system_roots[@]}"; do
  include_dirs+=("$root/include" "$root/include/$multiarch")
  library_dirs+=("$root/lib" "$root/lib64" "$root/lib/$multiarch" "$root/lib/intel64")
done
add_path_list() {  # NAME of an array, then a colon-separated list
  local -n into=$1
  local IFS=':' entry
  for entry in $2; do [[ -n "$entry" ]] && into+=("$entry"); done
}
add_path_list include_dirs "${CPATH:-}:${CPLUS_INCLUDE_PATH:-}:${C_INCLUDE_PATH:-}"
add_path_list library_dirs "${LIBRARY_PATH:-}:${LD_LIBRARY_PATH:-}"
# pkg-config's directories for the packages rankme uses, where pkg-config is there.
if command -v pkg-config >/dev/null; then
  for package in hdf5-openmpi hdf5-mpich hdf5 scalapack-openmpi scalapack-mpich scalapack openblas lapack zlib \
                 libdeflate CLI11 nlohmann_json gtest; do
    pkg-config --exists "$package" 2>/dev/null || continue
    include_dirs+=("$(pkg-config --variable=includedir "$package")")
    library_dirs+=("$(pkg-config --variable=libdir "$package")")
  done
fi

# first_in DIRECTORIES-ARRAY PATTERN...: the first file matching a pattern (tried in order) in any of the directories.
first_in() {
  local -n directories=$1
  shift
  local pattern directory match
  for pattern in "$@"; do
    for directory in "${directories[@]}"; do
      match=$(compgen -G "$directory/$pattern" | head -n 1)
      [[ -n "$match" ]] && { printf '%s\n' "$match"; return 0; }
    done
  done
  return 1
}
header() { first_in include_dirs "$@"; }
library() { first_in library_dirs "$@"; }

missing_required=0 missing_names=() debian=() spack=()
found() { printf '  found    %-24s %s\n' "$1" "$2"; }
# missing NEED REQUIRED(1/0) DEBIAN MODULE SPACK [NOTE]
missing() {
  local label=MISSING
  (($2)) || label=absent
  printf '  %-8s %-24s %s\n' "$label" "$1" "${6:-}"
  printf '           Debian: apt-get install %s\n           modules: module load %s\n           Spack: spack install %s\n' \
    "$3" "$4" "$5"
  if (($2)); then missing_required=$((missing_required + 1)); fi
  missing_names+=("$1") debian+=("$3") spack+=("$5")
}

echo "rankme: what building rankme needs (nothing is installed; docs/install.md)"

# A C++17 compiler: $CXX, else c++, g++, clang++; a one-line C++17 program must compile.
cxx=""
for candidate in "${CXX:-}" c++ g++ clang++; do
  [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null && { cxx=$(command -v "$candidate"); break; }
done
if [[ -n "$cxx" ]] && printf '#include <optional>\nint main() { return std::optional<int>(0).value(); }\n' |
   "$cxx" -std=c++17 -x c++ - -o /dev/null 2>/dev/null; then
  found "C++17 compiler" "$cxx"
else
  missing "C++17 compiler" 1 g++ "gcc (or: module load PrgEnv-gnu)" gcc "${cxx:+$cxx does not compile C++17}"
fi

# CMake >= 3.25 (CMakePresets.json version 6).
cmake_version=""
command -v cmake >/dev/null && cmake_version=$(cmake --version 2>/dev/null | sed -n 's/^cmake version \([0-9.]*\).*/\1/p')
if [[ -n "$cmake_version" ]] && printf '3.25\n%s\n' "$cmake_version" | sort -V -C; then
  found "CMake >= 3.25" "$(command -v cmake) $cmake_version"
else
  missing "CMake >= 3.25" 1 cmake cmake "cmake@3.25:" "${cmake_version:+found $cmake_version}"
fi

# MPI: the C compiler wrapper (what FindMPI asks) and a launcher.
mpicc=""
for candidate in "${MPICC:-}" mpicc mpicc.openmpi mpicc.mpich; do
  [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null && { mpicc=$(command -v "$candidate"); break; }
done
launcher=""
for candidate in mpiexec.openmpi mpiexec.mpich mpiexec mpirun srun; do
  command -v "$candidate" >/dev/null && { launcher=$(command -v "$candidate"); break; }
done
if [[ -n "$mpicc" && -n "$launcher" ]]; then
  found "MPI (mpicc, launcher)" "$mpicc, $launcher"
else
  missing "MPI (mpicc, launcher)" 1 "openmpi-bin libopenmpi-dev" "openmpi (or mpich, cray-mpich, intel-mpi)" \
    openmpi "${mpicc:-no mpicc}${launcher:+, launcher $launcher}${launcher:-, no mpiexec/mpirun/srun}"
fi

# Parallel HDF5: H5pubconf.h with H5_HAVE_PARALLEL (Debian keeps one per stack under include/hdf5/).
hdf5_parallel=""
for configuration in $(for pattern in H5pubconf.h hdf5/openmpi/H5pubconf.h hdf5/mpich/H5pubconf.h; do
                         for directory in "${include_dirs[@]}"; do compgen -G "$directory/$pattern"; done
                       done); do
  grep -q "define H5_HAVE_PARALLEL 1" "$configuration" 2>/dev/null && { hdf5_parallel=$configuration; break; }
done
if [[ -n "$hdf5_parallel" ]]; then
  found "parallel HDF5" "$(dirname "$hdf5_parallel")"
else
  serial=$(header H5pubconf.h hdf5/serial/H5pubconf.h)
  missing "parallel HDF5" 1 libhdf5-openmpi-dev "hdf5 (an MPI build: cray-hdf5-parallel, hdf5/mpi)" "hdf5+mpi" \
    "${serial:+only a serial HDF5 at $(dirname "$serial")}"
fi

# ScaLAPACK: netlib's (Debian names it per stack), MKL's or Cray LibSci's (-DSCALAPACK_LIBRARIES=...).
scalapack=$(library "libscalapack*.so*" "libscalapack*.a" "libmkl_scalapack_lp64.so*" "libsci_*_mpi.so*")
if [[ -n "$scalapack" ]]; then
  found "ScaLAPACK" "$scalapack"
else
  missing "ScaLAPACK" 1 libscalapack-openmpi-dev "scalapack (or cray-libsci, intel-oneapi-mkl)" netlib-scalapack
fi

# BLAS and LAPACK: the build links libopenblas and liblapack and includes cblas.h.
openblas=$(library "libopenblas.so*" "libopenblas.a")
lapack=$(library "liblapack.so*" "liblapack.a")
cblas=$(header cblas.h openblas/cblas.h)
if [[ -n "$openblas" && -n "$lapack" && -n "$cblas" ]]; then
  found "OpenBLAS, LAPACK" "$openblas, $lapack, $cblas"
else
  missing "OpenBLAS, LAPACK" 1 libopenblas-dev openblas openblas \
    "${openblas:-no libopenblas}; ${lapack:-no liblapack}; ${cblas:-no cblas.h}"
fi

header_need() {  # NEED HEADER LIBRARY-PATTERN DEBIAN MODULE SPACK [REQUIRED]
  local at library_at=""
  at=$(header "$2")
  [[ -z "$3" || -z "$at" ]] || library_at=$(library "$3")
  if [[ -n "$at" && (-z "$3" || -n "$library_at") ]]; then
    found "$1" "$at${library_at:+, $library_at}"
  else
    missing "$1" "${7:-1}" "$4" "$5" "$6" "${at:-no $2}${3:+; ${library_at:-no $3}}"
  fi
}
header_need "CLI11" "CLI/CLI.hpp" "" libcli11-dev cli11 cli11
header_need "nlohmann-json" "nlohmann/json.hpp" "" nlohmann-json3-dev nlohmann-json nlohmann-json
header_need "zlib" "zlib.h" "libz.so*" zlib1g-dev zlib zlib
header_need "libdeflate" "libdeflate.h" "libdeflate.so*" libdeflate-dev libdeflate libdeflate
header_need "GoogleTest (tests)" "gtest/gtest.h" "libgtest*" libgtest-dev googletest googletest "$require_tests"

if ((${#missing_names[@]} == 0)); then
  echo "rankme: everything is here: cmake --preset release && cmake --build --preset release"
  exit 0
fi
echo
joined=$(printf '%s; ' "${missing_names[@]}")
echo "rankme: missing: ${joined%; }. To get them:"
echo "  Debian (root):  sudo apt-get install ${debian[*]}   (or scripts/install_dependencies.sh --tests)"
spack_names=()
for spec in "${spack[@]}"; do spack_names+=("${spec%%[+@]*}"); done
echo "  Spack (no root): spack install ${spack[*]} && spack load ${spack_names[*]}"
echo "  modules:        module avail, then module load what is listed above"
echo "  then:           CMAKE_PREFIX_PATH=/prefix/of/each/dependency cmake --preset release   (docs/install.md)"
((missing_required == 0)) || exit 1
exit 0
