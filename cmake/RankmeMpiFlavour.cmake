# Telling MPI stacks apart by name (cmake/RankmeMpiStack.cmake; tests/cmake/test_mpi_flavour.cmake checks
# the names below). No MPI is run: paths, library version strings and a launcher's --version suffice.

# The MPI family a text names: a library path, a library version string, a launcher's --version.
# openmpi, mpich (the MPICH ABI family: MPICH, Cray MPICH, Intel MPI, MVAPICH) or "" when it names none.
function(rankme_mpi_flavour_of text out)
  string(TOLOWER "${text}" lower)
  if(lower MATCHES "openmpi|open mpi|openrte|open-mpi|libmpi_|/ompi")
    set(${out} openmpi PARENT_SCOPE)
  elseif(lower MATCHES "mpich|hydra|intelmpi|intel\\(r\\) mpi|mvapich")
    set(${out} mpich PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# Refuses TEXT (the part of the build named WHAT) when the family it names is known and differs from the
# MPI library's (RANKME_MPI_FLAVOUR).
function(rankme_refuse_mpi_mix what text)
  rankme_mpi_flavour_of("${text}" flavour)
  if(flavour AND RANKME_MPI_FLAVOUR AND NOT flavour STREQUAL RANKME_MPI_FLAVOUR)
    message(FATAL_ERROR
      "rankme: ${what} belongs to ${flavour}, but MPI is ${RANKME_MPI_FLAVOUR} (${RANKME_MPI_LIBRARY_TEXT}).\n"
      "  ${what}: ${text}\n"
      "Two MPI stacks in one process crash or hang. Choose the stack with -DRANKME_MPI=openmpi|mpich "
      "(Debian's names), or point -DMPI_C_COMPILER, -DHDF5_ROOT, -DSCALAPACK_LIBRARIES and "
      "-DMPIEXEC_EXECUTABLE at one stack, in a fresh build directory.")
  endif()
endfunction()

# Debian's bare names (/usr/bin/mpiexec, /usr/bin/mpirun) are links through /etc/alternatives to whichever
# stack was installed last: follow them to the stack's own name (mpiexec.openmpi, mpiexec.mpich).
function(rankme_launcher_behind_alternatives path out)
  set(result "${path}")
  if(IS_SYMLINK "${path}")
    file(READ_SYMLINK "${path}" target)
    if(target MATCHES "^/etc/alternatives/" AND IS_SYMLINK "${target}")
      file(READ_SYMLINK "${target}" result)
    endif()
  endif()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()
