#pragma once
// Eigenvalues of the replicated Gram matrix: LAPACK on one rank, or ScaLAPACK on a process grid.
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

enum class SolverChoice { automatic, lapack, scalapack };

// The LAPACK drivers rankme can run, all eigenvalues only, on the lower triangle. dsyevd reduces to
// tridiagonal in one stage, half of it matrix-vector products (BLAS 2, bound by memory bandwidth); the
// 2-stage drivers reduce to a band first (BLAS 3) and then chase the band down to tridiagonal. Without
// eigenvectors both 2-stage drivers finish with the same dsterf, so they agree to the last bit and in time.
enum class LapackDriver { dsyevd, dsyevd_2stage, dsyevr_2stage };

const char* name_of(LapackDriver driver);

// From this order on, SolverChoice::lapack runs dsyevd_2stage rather than dsyevd. Measured with
// scripts/measure_eigensolvers.sh (OpenBLAS 0.3.21, 2-core machine shared with others; medians of the runs
// that kept their cores): dsyevd / dsyevd_2stage time ratio with 1 BLAS thread 0.92 at K = 2048, 1.35 at
// 3072, 1.68 at 4096; with 2 threads 0.67 at 2048, 0.58 at 2560, 1.02 at 3072, 1.08 at 3584, 1.16 at 4096,
// 1.49 at 8192. The band-chasing stage runs on one thread, so many BLAS threads favour dsyevd, whose
// reduction does use them: re-measure on wide nodes (THREADS=n scripts/measure_eigensolvers.sh).
inline constexpr std::uint64_t lapack_2stage_order = 3072;

// The driver SolverChoice::lapack runs for an order-`order` matrix: dsyevd below lapack_2stage_order,
// dsyevd_2stage from there on.
LapackDriver fastest_lapack_driver(std::uint64_t order);

struct Eigenvalues {
  std::vector<double> values;  // ascending
  std::string solver;          // "lapack <driver>" (e.g. "lapack dsyevd_2stage") or "scalapack RxC/NB"
};

// `automatic` runs ScaLAPACK PDSYEV on all ranks only with at least scalapack_min_ranks ranks and order
// at least scalapack_crossover_order; otherwise LAPACK on rank 0 (with rank 0's BLAS threads) while the
// others wait. Measured with scripts/measure_eigensolvers.sh on 2 ranks x 1 BLAS thread (medians of 3-6):
// LAPACK on one of the cores against PDSYEV on a 1x2 grid of both,
//     K       1024   2048   3072   4096   8192 (1 run)
//     LAPACK  0.056  0.39   1.28   2.86   21.6 s  (dsyevd below 3072, dsyevd_2stage from there)
//     PDSYEV  0.080  0.42   1.38   4.03   32.1 s
// PDSYEV is one-stage and bound by memory bandwidth, so twice the cores never caught up with the 2-stage
// reduction on one; its deficit grows with K (1.1x at 2048, 1.4x at 4096, 1.5x at 8192). A grid of P
// processes is at best P/2 times faster than the 1x2 one, so it needs P >= 3 to break even at 4096-8192:
// 4 leaves room for imperfect scaling (not measured here: a 2-core machine). Below order 2048 PDSYEV
// lost by more (1.4x at 1024): its reduction is K steps, each with collectives whose latency more ranks
// do not hide. The Gram matrix is replicated on every rank, so ScaLAPACK does not lower the memory per
// rank (its block-cyclic copy adds K^2 / P); it is here for runs of many ranks, not for large K as such.
inline constexpr int scalapack_min_ranks = 4;
inline constexpr std::uint64_t scalapack_crossover_order = 2048;

// --solver's names (auto, lapack, scalapack), for the command line and the Python module; another name
// throws std::invalid_argument naming the choices.
SolverChoice solver_from_name(const std::string& name);

// Which solver `automatic` picks for an order-`order` matrix on `ranks` ranks.
SolverChoice resolve_solver(SolverChoice choice, std::uint64_t order, int ranks);

// All eigenvalues, ascending, of the symmetric order x order matrix `gram` (column-major, lower triangle
// valid: the upper one is never read; overwritten), on this process alone with `driver`. Throws
// LapackFailure (rankme/lapack/lapack_error.hpp) when LAPACK fails on the matrix, std::logic_error when it
// rejects an argument (a bug in rankme) and std::length_error when order exceeds LAPACK's int.
std::vector<double> lapack_eigenvalues(LapackDriver driver, std::vector<double>& gram, std::uint64_t order);

// All eigenvalues of the symmetric order x order matrix `gram` (column-major, lower triangle valid: the
// upper one is never read; identical on every rank; overwritten). Collective over `comm`; the result is
// the same on every rank. A failure on any rank (allocation, a ScaLAPACK/LAPACK error) throws
// CollectiveError on all ranks.
Eigenvalues symmetric_eigenvalues(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                                  SolverChoice choice);

}  // namespace rankme
