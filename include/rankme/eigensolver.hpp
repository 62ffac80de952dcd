#pragma once
// Eigenvalues of the replicated Gram matrix: LAPACK on one rank, or ScaLAPACK on a process grid.
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/communicator.hpp"

namespace rankme {

enum class SolverChoice { automatic, lapack, scalapack };

// The LAPACK drivers rankme can run, all eigenvalues only, lower triangle. The 2-stage ones reduce to a
// band first (BLAS 3) and then to tridiagonal; the one-stage dsyevd spends half its flops in BLAS 2.
enum class LapackDriver { dsyevd, dsyevd_2stage, dsyevr_2stage };

const char* name_of(LapackDriver driver);

// From this order on, the 2-stage reduction beats dsyevd (TBD).
inline constexpr std::uint64_t lapack_2stage_order = 3072;

// The driver SolverChoice::lapack runs for an order-`order` matrix: dsyevd below lapack_2stage_order,
// dsyevd_2stage from there on.
LapackDriver fastest_lapack_driver(std::uint64_t order);

struct Eigenvalues {
  std::vector<double> values;  // ascending
  std::string solver;          // "lapack <driver>" (e.g. "lapack dsyevd_2stage") or "scalapack RxC/NB"
};

// From this order on, ScaLAPACK on all ranks is at least as fast as LAPACK on one rank. Measured with
// scripts/measure_solver_crossover.sh on 2 ranks x 1 BLAS thread (medians of 3): LAPACK/ScaLAPACK time
// ratio 0.78 at K = 1024, 1.02 at 2048, 1.12 at 2560, 1.31 at 3072, 2.9 at 4096 (README, "Solver").
inline constexpr std::uint64_t scalapack_crossover_order = 2048;

// Which solver `automatic` picks for an order-`order` matrix on `ranks` ranks.
SolverChoice resolve_solver(SolverChoice choice, std::uint64_t order, int ranks);

// All eigenvalues, ascending, of the symmetric order x order matrix `gram` (column-major, lower triangle
// valid: the upper one is never read; overwritten), on this process alone with `driver`. Throws on a
// LAPACK error (std::runtime_error) or when order exceeds LAPACK's int (std::length_error).
std::vector<double> lapack_eigenvalues(LapackDriver driver, std::vector<double>& gram, std::uint64_t order);

// All eigenvalues of the symmetric order x order matrix `gram` (column-major, lower triangle valid: the
// upper one is never read; identical on every rank; overwritten). Collective over `comm`; the result is
// the same on every rank. A failure on any rank (allocation, a ScaLAPACK/LAPACK error) throws
// CollectiveError on all ranks.
Eigenvalues symmetric_eigenvalues(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                                  SolverChoice choice);

}  // namespace rankme
