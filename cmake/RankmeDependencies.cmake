# One imported target per dependency (rankme::mpi, rankme::hdf5, rankme::blas, rankme::scalapack,
# rankme::cli11, rankme::json), so that no flag leaks into the global scope.
# MPI, its parallel HDF5 and ScaLAPACK, and its launcher, as one stack (RANKME_MPI; cmake/RankmeMpiStack.cmake).
include(RankmeMpiStack)
add_library(rankme_hdf5 INTERFACE)
target_include_directories(rankme_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
target_link_libraries(rankme_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
target_compile_definitions(rankme_hdf5 INTERFACE ${HDF5_C_DEFINITIONS} H5_USE_110_API)
add_library(rankme::hdf5 ALIAS rankme_hdf5)

add_library(rankme_mpi INTERFACE)
target_link_libraries(rankme_mpi INTERFACE MPI::MPI_C)
# mpi.h would otherwise drag in the removed MPI C++ bindings (undefined MPI::Comm symbols at link time).
target_compile_definitions(rankme_mpi INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
add_library(rankme::mpi ALIAS rankme_mpi)

# OpenBLAS provides CBLAS and (through Debian's alternatives) LAPACK.
find_library(RANKME_OPENBLAS_LIBRARY NAMES openblas REQUIRED)
find_library(RANKME_LAPACK_LIBRARY NAMES lapack REQUIRED)
find_path(RANKME_CBLAS_INCLUDE_DIR NAMES cblas.h PATH_SUFFIXES openblas REQUIRED)
add_library(rankme_blas INTERFACE)
target_include_directories(rankme_blas SYSTEM INTERFACE ${RANKME_CBLAS_INCLUDE_DIR})
target_link_libraries(rankme_blas INTERFACE ${RANKME_LAPACK_LIBRARY} ${RANKME_OPENBLAS_LIBRARY})
add_library(rankme::blas ALIAS rankme_blas)

add_library(rankme_scalapack INTERFACE)
target_link_libraries(rankme_scalapack INTERFACE ${RANKME_SCALAPACK_LINK} rankme::blas rankme::mpi)
add_library(rankme::scalapack ALIAS rankme_scalapack)

find_package(CLI11 REQUIRED)
add_library(rankme_cli11 INTERFACE)
target_link_libraries(rankme_cli11 INTERFACE CLI11::CLI11)
add_library(rankme::cli11 ALIAS rankme_cli11)

find_package(nlohmann_json 3.10 REQUIRED)
add_library(rankme_json INTERFACE)
target_link_libraries(rankme_json INTERFACE nlohmann_json::nlohmann_json)
add_library(rankme::json ALIAS rankme_json)

# Inflating HDF5's gzip-compressed chunks on several threads (io/hdf5_chunk_reader.hpp): libdeflate decodes a
# whole buffer about 4x faster than zlib's streaming inflate. Debian 12's 1.14 has no CMake package (1.15
# added one): found by hand, as pkg-config's libdeflate.pc would.
find_path(RANKME_LIBDEFLATE_INCLUDE_DIR NAMES libdeflate.h REQUIRED)
find_library(RANKME_LIBDEFLATE_LIBRARY NAMES deflate REQUIRED)
add_library(rankme_libdeflate INTERFACE)
target_include_directories(rankme_libdeflate SYSTEM INTERFACE ${RANKME_LIBDEFLATE_INCLUDE_DIR})
target_link_libraries(rankme_libdeflate INTERFACE ${RANKME_LIBDEFLATE_LIBRARY})
add_library(rankme::libdeflate ALIAS rankme_libdeflate)

# Inflating np.savez_compressed members (and checking their CRC-32) as a stream.
find_package(ZLIB REQUIRED)
add_library(rankme_zlib INTERFACE)
target_link_libraries(rankme_zlib INTERFACE ZLIB::ZLIB)
add_library(rankme::zlib ALIAS rankme_zlib)
