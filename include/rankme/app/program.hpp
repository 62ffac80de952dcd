#pragma once
// rankme's main program: every rank parses the command line, rank 0 lists the datasets, the ranks score
// them in groups (sweep_scheduler.hpp), rank 0 reports. Every rank returns the same exit code
// (command_line.hpp). A function rather than main() so that the test binary with fault injection
// (src/tools/rankme_with_faults.cpp) runs exactly the same program.
namespace rankme {

int run_program(int argc, char** argv);

// The same between MPI_Init and MPI_Finalize, which the caller's MpiSession (mpi_session.hpp) brackets.
int run_program_in_mpi_session(int argc, char** argv);

}  // namespace rankme
