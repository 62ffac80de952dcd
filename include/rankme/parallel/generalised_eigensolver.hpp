#pragma once
// Eigenvalues of a replicated symmetric-definite pencil A x = lambda B x (LiDAR's between- and within-class
// scatter matrices): LAPACK on one rank (Cholesky, reduction, the
// Gram matrix's driver: lapack/pencil_reduction.hpp), or ScaLAPACK PDSYGVX on a process grid, chosen as for the
// Gram matrix's eigenvalues (eigensolver.hpp: resolve_solver).
#include <cstdint>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/eigensolver.hpp"

namespace rankme {

// All eigenvalues, ascending, of A x = lambda B x for the order x order matrices `a` (symmetric) and `b`
// (symmetric positive definite), column-major, lower triangles valid (the upper ones are never read),
// identical on every rank; both are overwritten. Collective over `comm`; the result is the same on every
// rank. A failure on any rank (allocation, B not positive definite, no convergence) throws
// CollectiveError on all ranks.
Eigenvalues generalised_eigenvalues(const Communicator& comm, std::vector<double>& a, std::vector<double>& b,
                                    std::uint64_t order, SolverChoice choice);

}  // namespace rankme
