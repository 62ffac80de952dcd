#pragma once
// Test-only fault injection: points in the pipeline where a test build can make one rank fail, die or
// pause, to check that every failure ends every rank with one agreed message (tests/test_fault_matrix.cpp).
// The product never installs a hook, so every point is one test of a null pointer; only the test binary
// rankme-with-faults (src/tools/rankme_with_faults.cpp) installs one, read from RANKME_FAULT.
#include <cstdint>
#include <string>

namespace rankme {

// The stages of scoring one dataset, in order, and the write of its result; and the BLAS kernel guard's
// numerical check of a kernel, in its probe process before MPI starts (parallel/blas_kernel_guard.hpp), where
// an error fails the check.
enum class FaultStage { open, read, gram, reduce, eigensolve, write, blas_check };

const char* name_of(FaultStage stage);

// Called at every point with the stage, the dataset being scored and the block index (read and gram; 0
// elsewhere). It may throw (a failure of this rank at that stage), end the process, or wait.
using FaultHook = void (*)(FaultStage stage, const std::string& dataset, std::uint64_t block);

void install_fault_hook(FaultHook hook);

// Which dataset the points that follow belong to (score_dataset sets it; the points themselves do not
// always know, e.g. the reader's worker thread).
void set_fault_dataset(const std::string& dataset);

// A fault point: nothing unless a hook is installed. The write of a result names its own dataset (rank 0
// writes results of other groups while it scores its own).
void fault_point(FaultStage stage, std::uint64_t block = 0);
void fault_point_for_dataset(FaultStage stage, const std::string& dataset);

}  // namespace rankme
