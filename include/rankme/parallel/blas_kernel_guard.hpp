#pragma once
// The BLAS kernel guard: when the loaded OpenBLAS runs a kernel of a lower class than the CPU's features
// allow (lapack/blas_kernel_choice.hpp decides), rankme re-executes itself once, before MPI_Init, with
// OPENBLAS_CORETYPE set to the best kernel that library really has and that computes right; otherwise it
// keeps the library's kernel, and warns when a better kernel failed the check. docs/performance.md has
// the story and the switches (RANKME_BLAS_GUARD=0 turns it off; a user's OPENBLAS_CORETYPE is never
// overridden).
//
// How a kernel is tried: OpenBLAS reads OPENBLAS_CORETYPE once, as it loads, and a library without the
// kernel named falls back to another. So a probe process (this same executable, /proc/self/exe, with
// RANKME_BLAS_KERNEL_PROBE=1, OPENBLAS_CORETYPE=<candidate> and one BLAS thread) reports the kernel it
// really got and runs the numerical check (lapack/blas_kernel_check.hpp); it never starts MPI. The
// re-execution (execv of /proc/self/exe with the same arguments) keeps the process id, so mpirun and srun
// see the rank they started; RANKME_BLAS_GUARD_CHOSE in its environment stops a second one. Every rank
// decides alone, from its own CPU and library: on identical nodes they all decide the same, and
// announce_blas_kernel says so, or which rank differs.

#include <iosfwd>
#include <string>
#include <vector>

#include "rankme/lapack/blas_kernel_report.hpp"
#include "rankme/parallel/communicator.hpp"

namespace rankme {

// Set on a probe process: main() runs the probe (guard_blas_kernel does) and exits.
inline constexpr const char* kernel_probe_variable = "RANKME_BLAS_KERNEL_PROBE";

// What a probe found.
struct KernelProbe {
  std::string kernel;   // the kernel the probe ran (its openblas_get_corename); empty when it reported none
  bool passed = false;  // it reported and its numerical check passed
  std::string detail;   // the check's worst case or failure, or why the probe gave no report
};

// Runs `program` (rankme, or any executable whose main calls guard_blas_kernel first) as a probe of `kernel`.
KernelProbe probe_blas_kernel(const std::string& program, const std::string& kernel, double timeout_seconds = 60);

// The probe's own side: writes "kernel NAME" (at once, so that a crash in the check still tells the kernel)
// and then "check pass|fail DETAIL" to `out`. A test fault at FaultStage::blas_check fails the check.
void run_blas_kernel_probe(std::ostream& out);

// The guard's outcome in the process that goes on.
struct GuardedKernel {
  BlasKernelReport report;
  std::string reason;                 // why this kernel: the decision's reason, and what the probes found
  std::vector<std::string> warnings;  // bare sentences for every run (rank 0 prints them after MPI_Init)
  std::vector<std::string> notes;     // bare sentences for --verbose
};

// First thing in main(), before MPI_Init and before anything else is printed: in a probe process, runs the
// probe and exits. Otherwise decides, probes the candidates best first, and re-executes with the first
// that the library has when it passes the check; then this call does not return. A present candidate that
// fails the check, or a probe that cannot run, keeps the library's kernel with a warning. `argv` is main's.
GuardedKernel guard_blas_kernel(char** argv);

// What runs now and who chose it, deciding nothing: for the program run without the guard (in-process
// tests of run_program_in_mpi_session).
GuardedKernel observe_blas_kernel();

// Collective over `world`: rank 0 prints `kernel`'s warnings to `err`, and with `verbose` one line naming
// the library, its version, the kernel and who chose it, the reason and the notes. Every rank compares its
// report with rank 0's; a rank that differs says so in a warning of its own (nodes with other CPUs or
// another library: their timings will differ).
void announce_blas_kernel(const Communicator& world, const GuardedKernel& kernel, bool verbose, std::ostream& err);

}  // namespace rankme
