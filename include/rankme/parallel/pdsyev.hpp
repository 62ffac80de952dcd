#pragma once
// ScaLAPACK's symmetric eigensolver PDSYEV, eigenvalues only (JOBZ = 'N'), on a block-cyclic matrix.
//
// Both calls are collective over the grid of the descriptor's context, and the workspace is allocated
// between them: each is a stage of its own, so that a failure on one process (the allocation, say) can
// be agreed on before the others enter the next collective (run_stage, collective_status.hpp).
#include <cstdint>
#include <vector>

#include "rankme/lapack/triangle.hpp"
#include "rankme/parallel/array_descriptor.hpp"

namespace rankme {

// PDSYEV's workspace query (LWORK = -1) for the order-n matrix whose local piece is `local` (described by
// `descriptor`), eigenvalues into w[0..n): the length to allocate for pdsyev_eigenvalues. Throws
// std::logic_error on an argument PDSYEV rejects and std::length_error when n exceeds the libraries' int.
std::uint64_t pdsyev_workspace_length(Triangle triangle, std::uint64_t n, double* local,
                                      const ArrayDescriptor& descriptor, double* w);

// All eigenvalues, ascending, into w[0..n) (on every grid process) of the symmetric order-n matrix whose
// local piece is `local`, of which only `triangle` is read; `local` is overwritten. `work` is the
// workspace, at least pdsyev_workspace_length long (its size is narrowed to the libraries' int:
// std::length_error). Throws std::logic_error on an argument PDSYEV rejects and LapackFailure when it
// fails to converge.
void pdsyev_eigenvalues(Triangle triangle, std::uint64_t n, double* local, const ArrayDescriptor& descriptor,
                        double* w, std::vector<double>& work);

}  // namespace rankme
