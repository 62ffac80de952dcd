#include "rankme/eigensolver.hpp"

#include <algorithm>
#include <stdexcept>

#include "rankme/blas_int.hpp"
#include "rankme/collective_status.hpp"
#include "rankme/linear_algebra_api.hpp"
#include "rankme/process_grid.hpp"

namespace rankme {

namespace {

const char eigenvalues_only = 'N';
const char upper_triangle = 'U';

std::string describe_info(const char* routine, int info) {
  if (info < 0) return std::string(routine) + ": argument " + std::to_string(-info) + " was invalid (a bug in rankme)";
  return std::string(routine) + " did not converge (info = " + std::to_string(info) + ")";
}

// LAPACK dsyevd, eigenvalues only, on this process.
std::vector<double> lapack_eigenvalues(std::vector<double>& gram, std::uint64_t order) {
  const blas_int n = to_blas_int(order, "matrix order");
  const blas_int lda = std::max(n, 1);
  std::vector<double> values(static_cast<std::size_t>(order));
  int info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  dsyevd_(&eigenvalues_only, &upper_triangle, &n, gram.data(), &lda, values.data(), &work_query, &query,
          &iwork_query, &query, &info, 1, 1);
  if (info != 0) throw std::runtime_error(describe_info("dsyevd workspace query", info));
  const auto lwork = static_cast<int>(work_query);
  const int liwork = std::max(iwork_query, 1);
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  dsyevd_(&eigenvalues_only, &upper_triangle, &n, gram.data(), &lda, values.data(), work.data(), &lwork,
          iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) throw std::runtime_error(describe_info("dsyevd", info));
  return values;
}

Eigenvalues solve_with_lapack(const Communicator& comm, std::vector<double>& gram, std::uint64_t order) {
  Eigenvalues result{{}, "lapack"};
  // The Gram matrix is replicated: one rank solves, the others wait for its answer.
  run_stage(comm, [&] {
    if (comm.is_root()) result.values = lapack_eigenvalues(gram, order);
  });
  comm.broadcast(result.values, 0);
  return result;
}

// The global index of local row/column `local` in a block-cyclic distribution (ScaLAPACK's INDXL2G with
// the first block on process 0).
std::uint64_t global_index(std::uint64_t local, int block, int my_coordinate, int processes) {
  const auto nb = static_cast<std::uint64_t>(block);
  return (local / nb) * nb * static_cast<std::uint64_t>(processes) + static_cast<std::uint64_t>(my_coordinate) * nb +
         local % nb;
}

Eigenvalues solve_with_scalapack(const Communicator& comm, std::vector<double>& gram, std::uint64_t order) {
  const GridShape shape = GridShape::for_matrix(order, comm.size());
  ProcessGrid grid(comm, shape);
  Eigenvalues result{{}, "scalapack " + std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + "/" +
                             std::to_string(shape.block)};
  const blas_int n = to_blas_int(order, "matrix order");
  const int zero = 0, one = 1;
  int descriptor[9] = {};
  std::vector<double> local, work;
  int lwork = 0;

  // Each grid process copies its block-cyclic piece out of the replicated Gram matrix (no communication)
  // and asks PDSYEV for its workspace. Every step that can fail on one process is agreed on before the
  // next collective, so that no process is left inside PDSYEV alone.
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    const int my_row = grid.my_row(), my_col = grid.my_col();
    const int local_rows = numroc_(&n, &shape.block, &my_row, &zero, &shape.rows);
    const int local_cols = numroc_(&n, &shape.block, &my_col, &zero, &shape.cols);
    const int leading = std::max(local_rows, 1);
    int info = 0;
    const int context = grid.context();
    descinit_(descriptor, &n, &n, &shape.block, &shape.block, &zero, &zero, &context, &leading, &info);
    if (info != 0) throw std::runtime_error(describe_info("descinit", info));
    local.assign(static_cast<std::size_t>(leading) * static_cast<std::size_t>(std::max(local_cols, 1)), 0.0);
    for (int col = 0; col < local_cols; ++col) {
      const std::uint64_t global_col = global_index(static_cast<std::uint64_t>(col), shape.block, my_col, shape.cols);
      for (int row = 0; row < local_rows; ++row) {
        const std::uint64_t global_row = global_index(static_cast<std::uint64_t>(row), shape.block, my_row, shape.rows);
        local[static_cast<std::size_t>(row) + static_cast<std::size_t>(col) * static_cast<std::size_t>(leading)] =
            gram[global_row + global_col * order];
      }
    }
    result.values.assign(static_cast<std::size_t>(order), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    int info = 0;
    double work_query = 0;
    const int query = -1;
    pdsyev_(&eigenvalues_only, &upper_triangle, &n, local.data(), &one, &one, descriptor, result.values.data(),
            local.data(), &one, &one, descriptor, &work_query, &query, &info, 1, 1);
    if (info != 0) throw std::runtime_error(describe_info("pdsyev workspace query", info));
    lwork = static_cast<int>(work_query) + 1;
    work.assign(static_cast<std::size_t>(lwork), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    int info = 0;
    pdsyev_(&eigenvalues_only, &upper_triangle, &n, local.data(), &one, &one, descriptor, result.values.data(),
            local.data(), &one, &one, descriptor, work.data(), &lwork, &info, 1, 1);
    if (info != 0) throw std::runtime_error(describe_info("pdsyev", info));
  });
  // Grid process (0, 0) is rank 0 of the communicator; ranks outside the grid get the values from it.
  comm.broadcast(result.values, 0);
  return result;
}

}  // namespace

SolverChoice resolve_solver(SolverChoice choice, std::uint64_t order, int ranks) {
  if (choice != SolverChoice::automatic) return choice;
  return (ranks == 1 || order < scalapack_crossover_order) ? SolverChoice::lapack : SolverChoice::scalapack;
}

Eigenvalues symmetric_eigenvalues(const Communicator& comm, std::vector<double>& gram, std::uint64_t order,
                                  SolverChoice choice) {
  if (resolve_solver(choice, order, comm.size()) == SolverChoice::lapack) return solve_with_lapack(comm, gram, order);
  return solve_with_scalapack(comm, gram, order);
}

}  // namespace rankme
