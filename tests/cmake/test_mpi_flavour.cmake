# cmake -P tests/cmake/test_mpi_flavour.cmake: the names cmake/RankmeMpiFlavour.cmake tells MPI families by,
# on the strings the stacks really print (MPI_Get_library_version's first line, mpiexec --version's first
# lines) and on the paths of Debian's, MKL's and Cray's libraries.
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/RankmeMpiFlavour.cmake)

set(failures 0)
function(expect text wanted)
  rankme_mpi_flavour_of("${text}" got)
  if(NOT "${got}" STREQUAL "${wanted}")
    message(SEND_ERROR "flavour of '${text}': got '${got}', expected '${wanted}'")
  endif()
endfunction()

# OpenMPI
expect("Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022" openmpi)
expect("/usr/bin/mpiexec.openmpi mpiexec.openmpi (OpenRTE) 4.1.4" openmpi)
expect("mpirun (Open MPI) 5.0.3" openmpi)
expect("/usr/lib/x86_64-linux-gnu/hdf5/openmpi/lib/libhdf5.so" openmpi)
expect("/usr/lib/x86_64-linux-gnu/libscalapack-openmpi.so" openmpi)
expect("-L/opt/intel/oneapi/mkl/latest/lib/intel64;mkl_scalapack_lp64;mkl_blacs_openmpi_lp64;mkl_core" openmpi)
# The MPICH family
expect("MPICH Version: 4.0.2; /usr/lib/x86_64-linux-gnu/libmpich.so" mpich)
expect("/usr/bin/mpiexec.mpich HYDRA build details: Version: 4.0.2" mpich)
expect("/usr/lib/x86_64-linux-gnu/hdf5/mpich/lib/libhdf5.so" mpich)
expect("/usr/lib/x86_64-linux-gnu/libscalapack-mpich.so" mpich)
expect("Intel(R) MPI Library 2021.10 for Linux* OS" mpich)
expect("-L/opt/intel/oneapi/mkl/latest/lib/intel64;mkl_scalapack_lp64;mkl_blacs_intelmpi_lp64;mkl_core" mpich)
expect("MVAPICH2 Version      :	2.3.7" mpich)
expect("MPI VERSION    : CRAY MPICH version 8.1.27.26 (ANL base 3.4a2)" mpich)
# Names of no family: nothing to compare, nothing refused
expect("/usr/lib/x86_64-linux-gnu/libscalapack.so" "")
expect("/opt/spack/linux-x86_64/gcc-12/netlib-scalapack-2.2.0-abcdef/lib/libscalapack.so" "")
expect("/opt/cray/pe/hdf5-parallel/1.12.2.3/gnu/9.1/lib/libhdf5_parallel.so" "")
expect("/usr/bin/srun slurm 22.05.8" "")
expect("" "")

# The launcher behind Debian's alternatives: /usr/bin/mpiexec -> /etc/alternatives/mpiexec -> the stack's own.
if(EXISTS /etc/alternatives/mpiexec)
  file(READ_SYMLINK /etc/alternatives/mpiexec own)
  rankme_launcher_behind_alternatives(/usr/bin/mpiexec got)
  if(NOT got STREQUAL own)
    message(SEND_ERROR "/usr/bin/mpiexec: got '${got}', expected the alternative's target '${own}'")
  endif()
  rankme_launcher_behind_alternatives("${own}" got)
  if(NOT got STREQUAL own)
    message(SEND_ERROR "${own}: got '${got}', expected it unchanged")
  endif()
endif()
