#pragma once
// rankme's main program: every rank parses the command line, rank 0 lists the datasets, the ranks score
// them in groups (sweep_scheduler.hpp), rank 0 reports. Every rank returns the same exit code
// (command_line.hpp). A function rather than main() so that the test binary with fault injection
// (src/tools/rankme_with_faults.cpp) runs exactly the same program.
#include "rankme/parallel/blas_kernel_guard.hpp"

namespace rankme {

// The BLAS kernel guard first (it may re-execute the process, or run a probe and exit), then MPI, then
// the program.
int run_program(int argc, char** argv);

// The program between MPI_Init and MPI_Finalize, which the caller's MpiSession (mpi_session.hpp) brackets;
// `blas` is what the guard gave before MPI_Init (reported by --verbose and in every result's `blas`).
int run_program_in_mpi_session(int argc, char** argv, const GuardedKernel& blas);

// The same without a guard before it: the kernel is reported as found (observe_blas_kernel).
int run_program_in_mpi_session(int argc, char** argv);

}  // namespace rankme
