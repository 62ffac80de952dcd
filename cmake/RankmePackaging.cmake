# `cd build && cpack -G DEB` -> rankme_<version>_<arch>.deb of what `cmake --install` installs, under /usr
# (docs/install.md; scripts/check_debian_package.sh installs, runs and removes it in CI).
#
# Depends: the shared libraries the binaries link, as dpkg-shlibdeps computes them from the binaries (Debian:
# dpkg-dev), and the MPI launcher, which rankme needs to run on more than one rank but does not link: the
# package of the stack the build links (openmpi-bin or mpich). Recommends: what the optional parts use at run
# time without linking it: the HDF5 filter plugins rankme loads for files compressed with lzf, blosc, bzip2 or
# lz4 (io/hdf5_plugin_path.hpp; without them those datasets are reported as needing the named package),
# liblzf1 (which the lzf plugin needs but does not depend on), and Debian's Python with numpy, matplotlib and
# h5py for rankme-report and rankme-plot-spectra.
set(CPACK_PACKAGE_NAME rankme)
set(CPACK_PACKAGE_VENDOR "rankme")
set(CPACK_PACKAGE_CONTACT "rankme maintainers <rankme@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "effective rank (RankMe) of embeddings in HDF5 and tensor files, across MPI ranks")
set(CPACK_PACKAGE_DESCRIPTION
    "rankme scores embedding matrices stored in HDF5, .npy, .npz, safetensors and torch files by their\n"
    "effective rank (RankMe, Garrido et al., ICML 2023) and further spectral metrics (LiDAR, stable rank,\n"
    "alpha-ReQ, ...), reading row blocks on several MPI ranks. It scores whole sweeps of checkpoints into\n"
    "JSONL or CSV, resumes, shards across SLURM job arrays (rankme-merge) and writes an HTML report\n"
    "(rankme-report). SLURM templates are in /usr/share/rankme/slurm.")
list(JOIN CPACK_PACKAGE_DESCRIPTION "" CPACK_PACKAGE_DESCRIPTION)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # rankme_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

# The launcher's package, from the MPI library the build links (the stack is chosen in RankmeDependencies.cmake).
set(rankme_mpi_launcher_package "")
if("${MPI_C_LIBRARIES}" MATCHES "openmpi")
  set(rankme_mpi_launcher_package openmpi-bin)
elseif("${MPI_C_LIBRARIES}" MATCHES "mpich")
  set(rankme_mpi_launcher_package mpich)
elseif(MPIEXEC_EXECUTABLE)
  # Another stack: whatever Debian package holds the launcher CMake found, if any.
  file(REAL_PATH "${MPIEXEC_EXECUTABLE}" rankme_mpiexec_real)
  execute_process(COMMAND dpkg-query -S "${rankme_mpiexec_real}" OUTPUT_VARIABLE rankme_mpiexec_owner
                  ERROR_QUIET RESULT_VARIABLE rankme_dpkg_result)
  if(rankme_dpkg_result EQUAL 0 AND rankme_mpiexec_owner MATCHES "^([^:]+):")
    set(rankme_mpi_launcher_package ${CMAKE_MATCH_1})
  endif()
endif()
set(RANKME_DEB_MPI_LAUNCHER_PACKAGE "${rankme_mpi_launcher_package}" CACHE STRING
    "Debian package of the MPI launcher the .deb depends on (openmpi-bin, mpich; empty: none)")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${RANKME_DEB_MPI_LAUNCHER_PACKAGE}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "hdf5-filter-plugin, hdf5-filter-plugin-blosc-serial, hdf5-plugin-lzf, liblzf1, python3, python3-numpy, python3-matplotlib, python3-h5py")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "slurm-client")

include(CPack)
