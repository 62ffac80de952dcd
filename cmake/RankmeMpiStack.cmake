# Which MPI stack rankme builds against, and the parallel HDF5, ScaLAPACK and launcher that go with it.
#
#   -DRANKME_MPI=openmpi|mpich  Debian's names for that stack: mpicc.<stack>, mpiexec.<stack>,
#                               /usr/lib/<multiarch>/hdf5/<stack>, libscalapack-<stack>. The default is
#                               openmpi where Debian's mpicc.openmpi is installed (and no MPI_C_COMPILER given).
#   -DRANKME_MPI=auto           Plain FindMPI and FindHDF5 (MPI_C_COMPILER, MPI_HOME, HDF5_ROOT,
#                               CMAKE_PREFIX_PATH steer them): Cray MPICH, Intel MPI, MVAPICH, Spack.
#   -DSCALAPACK_LIBRARIES=...   ScaLAPACK (and BLACS) as a link list, e.g. MKL's
#                               "mkl_scalapack_lp64;mkl_blacs_intelmpi_lp64;..."; empty where the compiler
#                               wrapper links it by itself (Cray LibSci through cc/CC). Otherwise pkg-config
#                               (scalapack-<stack>, then scalapack), then the library names.
#
# Two MPI libraries in one process crash or hang, and a launcher of the other stack starts N singletons, so
# a mix that can be told from the names (Debian's hdf5/<stack> directories, scalapack-<stack>, MKL's BLACS
# flavour, the launcher's --version) stops the configure with a message instead. Debian's alternatives
# (/usr/bin/mpiexec, mpicc, the `mpi` pkg-config module) follow whichever stack was installed last, so
# they are never the answer: the launcher is always the stack's own.

include(RankmeMpiFlavour)

# --- The stack -------------------------------------------------------------------------------------------
find_program(RANKME_DEBIAN_MPICC_OPENMPI NAMES mpicc.openmpi NO_CACHE)
if(NOT RANKME_MPI)
  if(RANKME_DEBIAN_MPICC_OPENMPI AND NOT MPI_C_COMPILER AND NOT MPI_HOME)
    set(default openmpi)
  else()
    set(default auto)
  endif()
  set(RANKME_MPI ${default} CACHE STRING "MPI stack: openmpi or mpich (Debian's names), or auto (FindMPI)" FORCE)
endif()
set_property(CACHE RANKME_MPI PROPERTY STRINGS openmpi mpich auto)
if(NOT RANKME_MPI MATCHES "^(openmpi|mpich|auto)$")
  message(FATAL_ERROR "rankme: RANKME_MPI must be openmpi, mpich or auto, not '${RANKME_MPI}'")
endif()
# FindMPI, FindHDF5 and find_library cache what they found: another stack needs another build directory.
if(DEFINED CACHE{RANKME_MPI_CONFIGURED} AND NOT RANKME_MPI_CONFIGURED STREQUAL RANKME_MPI)
  set(asked ${RANKME_MPI})
  set(RANKME_MPI ${RANKME_MPI_CONFIGURED} CACHE STRING "MPI stack: openmpi or mpich (Debian's names), or auto (FindMPI)" FORCE)
  message(FATAL_ERROR "rankme: this build directory (${CMAKE_BINARY_DIR}) was configured for "
                      "RANKME_MPI=${RANKME_MPI_CONFIGURED}; configure RANKME_MPI=${asked} in a fresh one "
                      "(e.g. cmake --preset mpich, build-mpich/).")
endif()
set(RANKME_MPI_CONFIGURED ${RANKME_MPI} CACHE INTERNAL "RANKME_MPI this build directory was configured with")

set(RANKME_DEBIAN_HDF5_DIR "")
if(RANKME_MPI STREQUAL "auto")
  set(RANKME_SCALAPACK_NAMES scalapack)
else()
  find_program(RANKME_DEBIAN_MPICC NAMES mpicc.${RANKME_MPI} NO_CACHE)
  find_program(RANKME_DEBIAN_MPIEXEC NAMES mpiexec.${RANKME_MPI} NO_CACHE)
  if(NOT RANKME_DEBIAN_MPICC OR NOT RANKME_DEBIAN_MPIEXEC)
    message(FATAL_ERROR "rankme: RANKME_MPI=${RANKME_MPI} takes Debian's mpicc.${RANKME_MPI} and "
                        "mpiexec.${RANKME_MPI}, which are not installed (Debian: lib${RANKME_MPI}-dev and "
                        "${RANKME_MPI}-bin or mpich; scripts/install_dependencies.sh). Elsewhere use "
                        "-DRANKME_MPI=auto with your cluster's MPI (module load, MPI_C_COMPILER).")
  endif()
  if(NOT MPI_C_COMPILER)
    set(MPI_C_COMPILER "${RANKME_DEBIAN_MPICC}" CACHE FILEPATH "MPI C compiler wrapper (RANKME_MPI)")
  endif()
  if(NOT MPIEXEC_EXECUTABLE)
    set(MPIEXEC_EXECUTABLE "${RANKME_DEBIAN_MPIEXEC}" CACHE FILEPATH "MPI launcher (RANKME_MPI)")
  endif()
  set(RANKME_SCALAPACK_NAMES scalapack-${RANKME_MPI})
endif()

# The library's own words (MPI_Get_library_version) name the family; Debian's library paths do too.
set(MPI_DETERMINE_LIBRARY_VERSION TRUE)
find_package(MPI REQUIRED COMPONENTS C)
# Its first line only: MPICH's goes on with its whole configure line.
string(REGEX MATCH "[^\n]*" version_line "${MPI_C_LIBRARY_VERSION_STRING}")
string(REGEX REPLACE "[\t ]+" " " version_line "${version_line}")
set(RANKME_MPI_LIBRARY_TEXT "${version_line}; ${MPI_C_LIBRARIES}")
rankme_mpi_flavour_of("${RANKME_MPI_LIBRARY_TEXT}" RANKME_MPI_FLAVOUR)
if(NOT RANKME_MPI STREQUAL "auto" AND NOT RANKME_MPI_FLAVOUR STREQUAL RANKME_MPI)
  message(FATAL_ERROR "rankme: RANKME_MPI=${RANKME_MPI}, but the MPI found is '${RANKME_MPI_LIBRARY_TEXT}' "
                      "(MPI_C_COMPILER=${MPI_C_COMPILER}). Use a fresh build directory, or RANKME_MPI=auto.")
endif()
if(RANKME_MPI STREQUAL "auto" AND RANKME_MPI_FLAVOUR)
  # Debian's names for the family found, where they exist (a Debian machine whose alternatives point at it).
  set(RANKME_SCALAPACK_NAMES scalapack-${RANKME_MPI_FLAVOUR} scalapack)
endif()

# The launcher: the stack's own, never the alternatives' bare mpiexec; its --version must name the same family.
rankme_launcher_behind_alternatives("${MPIEXEC_EXECUTABLE}" launcher)
if(NOT launcher STREQUAL MPIEXEC_EXECUTABLE AND RANKME_MPI_FLAVOUR)
  # A bare Debian name found by FindMPI (auto): the alternatives may point at the other stack, whose
  # launcher would start N singletons; the family's own name is the one wanted.
  find_program(RANKME_DEBIAN_FAMILY_MPIEXEC NAMES mpiexec.${RANKME_MPI_FLAVOUR} NO_CACHE)
  if(RANKME_DEBIAN_FAMILY_MPIEXEC)
    set(launcher "${RANKME_DEBIAN_FAMILY_MPIEXEC}")
  endif()
endif()
if(NOT launcher STREQUAL MPIEXEC_EXECUTABLE)
  set(MPIEXEC_EXECUTABLE "${launcher}" CACHE FILEPATH "MPI launcher (the stack's own name)" FORCE)
endif()
if(NOT MPIEXEC_EXECUTABLE)
  message(FATAL_ERROR "rankme: no MPI launcher found; set -DMPIEXEC_EXECUTABLE to your stack's mpiexec")
endif()
execute_process(COMMAND "${MPIEXEC_EXECUTABLE}" --version OUTPUT_VARIABLE launcher_version
                ERROR_VARIABLE launcher_version TIMEOUT 20)
# Its first two lines: hydra's first says only "HYDRA build details:", its second the version.
string(REGEX MATCH "[^\n]*\n?[^\n]*" launcher_version_line "${launcher_version}")
string(REGEX REPLACE "[\n\t ]+" " " launcher_version_line "${launcher_version_line}")
string(STRIP "${launcher_version_line}" launcher_version_line)
rankme_refuse_mpi_mix("the launcher ${MPIEXEC_EXECUTABLE}" "${MPIEXEC_EXECUTABLE} ${launcher_version_line}")
# The flavour the launcher speaks, for the tests' flags (OpenMPI's --oversubscribe; MPICH's hydra
# oversubscribes by itself and refuses the flag).
rankme_mpi_flavour_of("${MPIEXEC_EXECUTABLE} ${launcher_version_line}" RANKME_MPIEXEC_FLAVOUR)

# --- Parallel HDF5 ---------------------------------------------------------------------------------------
# Debian keeps one HDF5 per stack in /usr/lib/<multiarch>/hdf5/<stack>; FindHDF5 would otherwise take the
# h5pcc of the alternatives (OpenMPI's) for any MPI.
if(RANKME_MPI_FLAVOUR AND NOT HDF5_ROOT AND NOT DEFINED ENV{HDF5_ROOT})
  set(candidate "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/hdf5/${RANKME_MPI_FLAVOUR}")
  if(CMAKE_LIBRARY_ARCHITECTURE AND EXISTS "${candidate}/include/H5pubconf.h")
    set(HDF5_ROOT "${candidate}")
    set(RANKME_DEBIAN_HDF5_DIR "${candidate}")
  endif()
endif()
# FindHDF5 picks the serial library unless asked; the choice is cached, hence the check below.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "rankme needs parallel HDF5 (Debian: libhdf5-openmpi-dev or libhdf5-mpich-dev); found a "
                      "serial one at ${HDF5_INCLUDE_DIRS}. Remove the build directory after installing it.")
endif()
rankme_refuse_mpi_mix("parallel HDF5" "${HDF5_C_LIBRARIES}")

# --- ScaLAPACK -------------------------------------------------------------------------------------------
# Debian's scalapack CMake config points at a library that does not exist (a FATAL_ERROR even with QUIET),
# so the library is found directly. RANKME_SCALAPACK_LIBRARY (one path) is the older spelling of
# SCALAPACK_LIBRARIES and still works.
if(DEFINED SCALAPACK_LIBRARIES)
  set(RANKME_SCALAPACK_SOURCE "SCALAPACK_LIBRARIES")
  set(RANKME_SCALAPACK_LINK ${SCALAPACK_LIBRARIES})
elseif(RANKME_SCALAPACK_LIBRARY)
  set(RANKME_SCALAPACK_SOURCE "RANKME_SCALAPACK_LIBRARY")
  set(RANKME_SCALAPACK_LINK ${RANKME_SCALAPACK_LIBRARY})
else()
  # pkg-config, one level deep: Debian's scalapack-<stack>.pc requires `mpi`, the alternatives' module, which
  # is OpenMPI's even for scalapack-mpich. Each -l is resolved to a path in the module's own -L directories
  # where it is there.
  find_package(PkgConfig QUIET)
  set(RANKME_SCALAPACK_LINK "")
  if(PKG_CONFIG_FOUND)
    foreach(module IN LISTS RANKME_SCALAPACK_NAMES)
      execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --libs --maximum-traverse-depth=2 ${module}
                      OUTPUT_VARIABLE flags RESULT_VARIABLE failed ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --variable=libdir ${module}
                      OUTPUT_VARIABLE libdir ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      if(failed OR NOT flags)
        continue()
      endif()
      separate_arguments(flags UNIX_COMMAND "${flags}")
      set(dirs ${libdir})
      set(link "")
      foreach(flag IN LISTS flags)
        if(flag MATCHES "^-L(.+)")
          list(APPEND dirs "${CMAKE_MATCH_1}")
        elseif(flag MATCHES "^-l(.+)")
          set(name "${CMAKE_MATCH_1}")
          unset(path)  # find_library(NO_CACHE) does not search again while the variable is set
          find_library(path NAMES ${name} HINTS ${dirs} NO_CACHE)
          if(path)
            list(APPEND link "${path}")
          else()
            list(APPEND link "${flag}")  # the compiler's own directories (libgfortran), for the linker to find
          endif()
        else()
          list(APPEND link "${flag}")
        endif()
      endforeach()
      if(link)
        set(RANKME_SCALAPACK_SOURCE "pkg-config ${module}")
        set(RANKME_SCALAPACK_LINK ${link})
        break()
      endif()
    endforeach()
  endif()
  if(NOT RANKME_SCALAPACK_LINK)
    find_library(RANKME_SCALAPACK_LIBRARY NAMES ${RANKME_SCALAPACK_NAMES})
    if(NOT RANKME_SCALAPACK_LIBRARY)
      message(FATAL_ERROR "rankme: no ScaLAPACK (looked for pkg-config and libraries ${RANKME_SCALAPACK_NAMES}). "
                          "Debian: libscalapack-${RANKME_MPI_FLAVOUR}-dev; elsewhere -DSCALAPACK_LIBRARIES=... "
                          "(MKL: mkl_scalapack_lp64 with the mkl_blacs_<mpi>_lp64 of your MPI; Cray LibSci: "
                          "empty, the cc wrapper links it).")
    endif()
    set(RANKME_SCALAPACK_SOURCE "library name")
    set(RANKME_SCALAPACK_LINK ${RANKME_SCALAPACK_LIBRARY})
  endif()
endif()
rankme_refuse_mpi_mix("ScaLAPACK (${RANKME_SCALAPACK_SOURCE})" "${RANKME_SCALAPACK_LINK}")

# An empty list trusts the compiler (Cray's cc links LibSci by itself): checked here, since a missing
# ScaLAPACK would otherwise surface only as undefined symbols at the end of the build.
if(NOT RANKME_SCALAPACK_LINK)
  include(CheckFunctionExists)
  set(CMAKE_REQUIRED_LIBRARIES MPI::MPI_C)
  check_function_exists(pdsyevd_ RANKME_COMPILER_LINKS_SCALAPACK)
  unset(CMAKE_REQUIRED_LIBRARIES)
  if(NOT RANKME_COMPILER_LINKS_SCALAPACK)
    message(FATAL_ERROR "rankme: SCALAPACK_LIBRARIES is empty, but ${CMAKE_C_COMPILER} does not link ScaLAPACK "
                        "(pdsyevd_) by itself. Give the libraries, or build with the wrapper that does "
                        "(Cray: CC=cc CXX=CC with cray-libsci loaded).")
  endif()
  set(RANKME_SCALAPACK_SOURCE "the compiler (SCALAPACK_LIBRARIES empty)")
endif()

message(STATUS "rankme MPI stack: RANKME_MPI=${RANKME_MPI}: ${RANKME_MPI_LIBRARY_TEXT}")
message(STATUS "rankme launcher: ${MPIEXEC_EXECUTABLE} (${launcher_version_line})")
message(STATUS "rankme parallel HDF5: ${HDF5_C_LIBRARIES}")
if(RANKME_SCALAPACK_LINK)
  message(STATUS "rankme ScaLAPACK: ${RANKME_SCALAPACK_LINK} (from ${RANKME_SCALAPACK_SOURCE})")
else()
  message(STATUS "rankme ScaLAPACK: from ${RANKME_SCALAPACK_SOURCE}")
endif()
