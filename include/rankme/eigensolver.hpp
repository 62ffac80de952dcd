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

// Below this order LAPACK on one rank beats ScaLAPACK on the grid (measured: see README, "Solver").
inline constexpr std::uint64_t scalapack_crossover_order = 1024;

// Which solver `automatic` picks for an order-`order` matrix on `ranks` ranks.
SolverChoice resolve_solver(SolverChoice choice, std::uint64_t order, int ranks);

// All eigenvalues of the symmetric order x order matrix `gram` (column-major, upper triangle valid,
// identical on every rank; overwritten). Collective over `comm`; the result is the same on every rank.
// A failure on any rank (allocation, a ScaLAPACK/LAPACK error) throws CollectiveError on all ranks.
Eigenvalues symmetric_eigenvalues(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                                  SolverChoice choice);

}  // namespace rankme
