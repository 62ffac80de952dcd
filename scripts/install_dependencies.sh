#!/usr/bin/env bash
# Installs the Debian packages rankme needs, only those missing (instant when all are present).
#   scripts/install_dependencies.sh          build and run
#   scripts/install_dependencies.sh --report also what scripts/report draws with (numpy, matplotlib, h5py)
#   scripts/install_dependencies.sh --tests  also what the test suite needs (GoogleTest, h5py, numpy, matplotlib, scipy,
#                                            chromium, the MPICH stack)
#   scripts/install_dependencies.sh --bench  also what scripts/bench compares against (torch, psutil)
#   scripts/install_dependencies.sh --fuzz   also what scripts/fuzz.sh builds with (clang, libFuzzer)
#   scripts/install_dependencies.sh --check [--tests]
#                                            installs nothing (no root, no apt-get, any distribution): reports what
#                                            the build needs and is missing, with the Debian package, a `module
#                                            load` and a `spack install` for each (scripts/check_dependencies.sh)
set -euo pipefail
if [[ "${1:-}" == "--check" ]]; then
  exec "$BASH" "$(dirname "$0")/check_dependencies.sh" "${@:2}"
fi
# hdf5-plugin-lzf, hdf5-filter-plugin (lz4, bzip2) and hdf5-filter-plugin-blosc-serial: the compression
# filters h5py users write with; rankme finds their plugin directories itself (io/hdf5_plugin_path.hpp).
# liblzf1: the lzf plugin needs it but does not depend on it (rankme loads it for the plugin).
# zlib1g-dev: rankme inflates np.savez_compressed members itself (libhdf5-openmpi-dev pulls it in too).
# libdeflate-dev: rankme inflates HDF5's gzip chunks itself, on several threads (docs/inputs.md).
# help2man: the build writes the man pages from --help with it (without it, no man pages; cmake/RankmeInstall.cmake).
# dpkg-dev: dpkg-shlibdeps, with which `cpack -G DEB` computes the package's library Depends (CI builds the .deb).
# pybind11-dev and python3-dev: the Python module `import rankme` (docs/python.md; CMake's RANKME_PYTHON is
# on when they are found); python3-numpy: what the module hands arrays over as.
packages=(cmake make g++ pkg-config help2man dpkg-dev openmpi-bin libopenmpi-dev libscalapack-openmpi-dev libhdf5-openmpi-dev
          hdf5-tools libopenblas-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libdeflate-dev
          hdf5-plugin-lzf liblzf1 hdf5-filter-plugin hdf5-filter-plugin-blosc-serial
          pybind11-dev python3-dev python3-numpy)
if [[ "${1:-}" == "--report" || "${1:-}" == "--tests" || "${1:-}" == "--bench" ]]; then
  # scripts/report (README's third command) and scripts/plot_spectra.py: Debian's Python with these.
  packages+=(python3-numpy python3-matplotlib python3-h5py)
fi
if [[ "${1:-}" == "--tests" || "${1:-}" == "--bench" ]]; then
  # h5py and numpy read the test fixtures back independently of rankme's own reader; python3-hdf5plugin
  # writes the compressed HDF5 fixtures (lzf, blosc, bzip2, lz4) as h5py users do.
  # matplotlib: test_cli_spectrum runs scripts/plot_spectra.py, tests/scripts scripts/report.
  # scipy: rankme-agree's statistics are checked against scipy.stats (tests/tools/agree).
  # chromium: tests/scripts opens the report in a real (headless) browser and takes a screenshot.
  # slurmctld, slurmd, slurm-client and munge bring up a one-node SLURM for tests/slurm.
  # pandas: tests/python checks rankme.read_results's DataFrame (and its list of dicts without pandas).
  packages+=(libgtest-dev python3-numpy python3-h5py python3-hdf5plugin python3-matplotlib python3-scipy chromium
             slurmctld slurmd slurm-client munge python3-pandas)
fi
if [[ "${1:-}" == "--tests" ]]; then
  # The second MPI stack (the mpich and asan-mpich presets, RANKME_MPI=mpich), with its own parallel HDF5 and
  # ScaLAPACK; test_mpi_stack_refusals configures with parts of it to check that a mix is refused. They install
  # beside OpenMPI; the build and the tests always name each stack's own launcher (mpiexec.mpich), since
  # the alternatives' bare mpirun may be either.
  packages+=(mpich libmpich-dev libhdf5-mpich-dev libscalapack-mpich-dev)
fi
if [[ "${1:-}" == "--bench" ]]; then
  # The peers of scripts/bench: numpy/scipy/torch SVDs and Gram routes (scipy comes with --tests); psutil
  # sums a process tree's memory.
  packages+=(python3-torch python3-psutil)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  # libFuzzer and the sanitizer runtimes come with clang's runtime package, not with clang itself.
  packages+=(clang libclang-rt-14-dev)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0
echo "rankme: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
