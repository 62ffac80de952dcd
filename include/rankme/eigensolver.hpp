#pragma once
// Eigenvalues of the replicated Gram matrix: LAPACK on one rank, or ScaLAPACK on a process grid.
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/communicator.hpp"

namespace rankme {

enum class SolverChoice { automatic, lapack, scalapack };

struct Eigenvalues {
  std::vector<double> values;  // ascending
  std::string solver;          // "lapack" or "scalapack RxC/NB"
};

// From this order on, ScaLAPACK on all ranks is at least as fast as LAPACK on one rank. Measured with
// scripts/measure_solver_crossover.sh on 2 ranks x 1 BLAS thread (medians of 3): LAPACK/ScaLAPACK time
// ratio 0.78 at K = 1024, 1.02 at 2048, 1.12 at 2560, 1.31 at 3072, 2.9 at 4096 (README, "Solver").
inline constexpr std::uint64_t scalapack_crossover_order = 2048;

// Which solver `automatic` picks for an order-`order` matrix on `ranks` ranks.
SolverChoice resolve_solver(SolverChoice choice, std::uint64_t order, int ranks);

// All eigenvalues of the symmetric order x order matrix `gram` (column-major, upper triangle valid,
// identical on every rank; overwritten). Collective over `comm`; the result is the same on every rank.
// A failure on any rank (allocation, a ScaLAPACK/LAPACK error) throws CollectiveError on all ranks.
Eigenvalues symmetric_eigenvalues(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                                  SolverChoice choice);

}  // namespace rankme
