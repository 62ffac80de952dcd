#include "rankme/parallel/eigensolver.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/syevd.hpp"
#include "rankme/lapack/syevr_2stage.hpp"
#include "rankme/lapack/triangle.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/array_descriptor.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/pdsyev.hpp"
#include "rankme/parallel/process_grid.hpp"

namespace rankme {

namespace {

// The Gram accumulator writes the lower triangle only (gram_accumulator.hpp). 'L' is also the faster
// side of OpenBLAS 0.3.21's dsyevd: 2-15% here (scripts/measure_eigensolvers.sh), 22% at K = 4096 elsewhere.
const Triangle lower_triangle = Triangle::lower;

Eigenvalues solve_with_lapack(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                              LapackDriver driver) {
  Eigenvalues result{{}, std::string("lapack ") + name_of(driver)};
  // The Gram matrix is replicated: one rank solves, the others wait for its answer. The others on rank 0's
  // node have nothing to do meanwhile, so rank 0 borrows their cores for its BLAS threads, and they wait in
  // a sleeping barrier rather than in MPI's busy-wait, which would take those cores back (with 2 ranks x 1
  // thread, K = 2048, the eigensolve otherwise runs on one core of two).
  const int ranks_on_my_node = comm.size() > 1 ? ranks_sharing_node(comm) : 1;
  std::optional<std::string> error;
  try {
    fault_point(FaultStage::eigensolve);  // on any rank: the others' failures are agreed on below too
  } catch (const std::exception& failure) {
    error = failure.what();
  }
  if (comm.is_root() && !error) {
    try {
      const BorrowedBlasThreads borrowed(current_blas_threads() * ranks_on_my_node);
      result.values = lapack_eigenvalues(driver, gram, order);
    } catch (const std::exception& failure) {
      error = failure.what();
    }
  }
  if (comm.size() > 1) comm.barrier_sleeping();
  if (auto agreed = agree_on_failure(comm, error)) throw CollectiveError(*agreed);
  comm.broadcast(result.values, 0);
  return result;
}

Eigenvalues solve_with_scalapack(const Communicator& comm, std::vector<double>& gram, std::uint64_t order) {
  const GridShape shape = GridShape::for_matrix(order, comm.size());
  ProcessGrid grid(comm, shape);
  Eigenvalues result{{}, "scalapack " + std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + "/" +
                             std::to_string(shape.block)};
  // Refused before any work, on every rank alike.
  to_blas_int(order, "matrix order");
  ArrayDescriptor descriptor{};
  std::vector<double> local, work;

  // Each grid process copies its block-cyclic piece out of the replicated Gram matrix (no communication)
  // and asks PDSYEV for its workspace. Every step that can fail on one process is agreed on before the
  // next collective, so that no process is left inside PDSYEV alone.
  run_stage(comm, [&] {
    fault_point(FaultStage::eigensolve);
    if (!grid.contains_me()) return;
    const int my_row = grid.my_row(), my_col = grid.my_col();
    const blas_int local_rows = numroc(order, shape.block, my_row, shape.rows);
    const blas_int local_cols = numroc(order, shape.block, my_col, shape.cols);
    const blas_int leading = std::max(local_rows, 1);
    descriptor =
        descinit(order, order, shape.block, shape.block, grid.context(), static_cast<std::uint64_t>(leading));
    local = lower_triangle_piece(gram, order, shape.block, my_row, my_col, shape.rows, shape.cols, local_rows, local_cols,
                                 leading);
    result.values.assign(static_cast<std::size_t>(order), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    const std::uint64_t length =
        pdsyev_workspace_length(lower_triangle, order, local.data(), descriptor, result.values.data());
    work.assign(static_cast<std::size_t>(length), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    pdsyev_eigenvalues(lower_triangle, order, local.data(), descriptor, result.values.data(), work);
  });
  // Grid process (0, 0) is rank 0 of the communicator; ranks outside the grid get the values from it.
  comm.broadcast(result.values, 0);
  return result;
}

}  // namespace

const char* name_of(LapackDriver driver) {
  switch (driver) {
    case LapackDriver::dsyevd: return "dsyevd";
    case LapackDriver::dsyevd_2stage: return "dsyevd_2stage";
    case LapackDriver::dsyevr_2stage: return "dsyevr_2stage";
  }
  return "?";
}

LapackDriver fastest_lapack_driver(std::uint64_t order) {
  return order < lapack_2stage_order ? LapackDriver::dsyevd : LapackDriver::dsyevd_2stage;
}

std::vector<double> lapack_eigenvalues(LapackDriver driver, std::vector<double>& gram, std::uint64_t order) {
  // Refused before the eigenvalues' vector is allocated.
  const auto lda = static_cast<std::uint64_t>(std::max(to_blas_int(order, "matrix order"), 1));
  std::vector<double> values(static_cast<std::size_t>(order));
  switch (driver) {
    case LapackDriver::dsyevd:
      dsyevd_eigenvalues(lower_triangle, order, gram.data(), lda, values.data());
      return values;
    case LapackDriver::dsyevd_2stage:
      dsyevd_2stage_eigenvalues(lower_triangle, order, gram.data(), lda, values.data());
      return values;
    case LapackDriver::dsyevr_2stage:
      dsyevr_2stage_eigenvalues(lower_triangle, order, gram.data(), lda, values.data());
      return values;
  }
  throw std::logic_error("lapack_eigenvalues: unknown driver");
}

SolverChoice solver_from_name(const std::string& name) {
  if (name == "auto") return SolverChoice::automatic;
  if (name == "lapack") return SolverChoice::lapack;
  if (name == "scalapack") return SolverChoice::scalapack;
  throw std::invalid_argument("unknown solver '" + name + "' (expected auto, lapack or scalapack)");
}

SolverChoice resolve_solver(SolverChoice choice, std::uint64_t order, int ranks) {
  if (choice != SolverChoice::automatic) return choice;
  return (ranks >= scalapack_min_ranks && order >= scalapack_crossover_order) ? SolverChoice::scalapack
                                                                               : SolverChoice::lapack;
}

Eigenvalues symmetric_eigenvalues(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                                  SolverChoice choice) {
  if (resolve_solver(choice, order, comm.size()) == SolverChoice::lapack) {
    return solve_with_lapack(comm, gram, order, fastest_lapack_driver(order));
  }
  return solve_with_scalapack(comm, gram, order);
}

}  // namespace rankme
