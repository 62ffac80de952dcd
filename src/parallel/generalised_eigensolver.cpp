#include "rankme/parallel/generalised_eigensolver.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/pencil_reduction.hpp"
#include "rankme/parallel/array_descriptor.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/pdsygvx.hpp"
#include "rankme/parallel/process_grid.hpp"

namespace rankme {

namespace {

const Triangle lower_triangle = Triangle::lower;

// As solve_with_lapack in eigensolver.cpp: rank 0 solves with the cores of its node's ranks, which wait
// in a sleeping barrier. The pencil is reduced to C = L^-1 A L^-T (pencil_reduction.hpp), whose eigenvalues
// the driver RankMe's Gram matrix gets at this order computes.
Eigenvalues solve_with_lapack(const Communicator& comm, std::vector<double>& a, std::vector<double>& b,
                              std::uint64_t order) {
  const LapackDriver driver = fastest_lapack_driver(order);
  Eigenvalues result{{}, std::string("lapack dpotrf+dsygst+") + name_of(driver)};
  const int ranks_on_my_node = comm.size() > 1 ? ranks_sharing_node(comm) : 1;
  std::optional<std::string> error;
  if (comm.is_root()) {
    try {
      const auto leading = static_cast<std::uint64_t>(std::max(to_blas_int(order, "matrix order"), 1));
      const BorrowedBlasThreads borrowed(current_blas_threads() * ranks_on_my_node);
      reduce_pencil_to_standard(order, a.data(), leading, b.data(), leading);
      result.values = lapack_eigenvalues(driver, a, order);
    } catch (const std::exception& failure) {
      error = failure.what();
    }
  }
  if (comm.size() > 1) comm.barrier_sleeping();
  if (auto agreed = agree_on_failure(comm, error)) throw CollectiveError(*agreed);
  comm.broadcast(result.values, 0);
  return result;
}

Eigenvalues solve_with_scalapack(const Communicator& comm, std::vector<double>& a, std::vector<double>& b,
                                 std::uint64_t order) {
  const GridShape shape = GridShape::for_matrix(order, comm.size());
  ProcessGrid grid(comm, shape);
  Eigenvalues result{{}, "scalapack pdsygvx " + std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + "/" +
                             std::to_string(shape.block)};
  to_blas_int(order, "matrix order");
  ArrayDescriptor descriptor{};
  std::vector<double> local_a, local_b;
  PdsygvxWorkspace lengths;
  // Each grid process copies its block-cyclic pieces out of the replicated matrices (the lower triangles);
  // every step that can fail is agreed on before the next
  // collective.
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    const int my_row = grid.my_row(), my_col = grid.my_col();
    const blas_int local_rows = numroc(order, shape.block, my_row, shape.rows);
    const blas_int local_cols = numroc(order, shape.block, my_col, shape.cols);
    const blas_int leading = std::max(local_rows, 1);
    descriptor = descinit(order, order, shape.block, shape.block, grid.context(), static_cast<std::uint64_t>(leading));
    local_a = lower_triangle_piece(a, order, shape.block, my_row, my_col, shape.rows, shape.cols, local_rows, local_cols,
                                   leading);
    local_b = lower_triangle_piece(b, order, shape.block, my_row, my_col, shape.rows, shape.cols, local_rows, local_cols,
                                   leading);
    result.values.assign(static_cast<std::size_t>(order), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    lengths = pdsygvx_workspace(lower_triangle, order, local_a.data(), local_b.data(), descriptor, result.values.data());
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    pdsygvx_eigenvalues(lower_triangle, order, local_a.data(), local_b.data(), descriptor, result.values.data(), lengths);
  });
  comm.broadcast(result.values, 0);
  return result;
}

}  // namespace

Eigenvalues generalised_eigenvalues(const Communicator& comm, std::vector<double>& a, std::vector<double>& b,
                                    std::uint64_t order, SolverChoice choice) {
  if (resolve_solver(choice, order, comm.size()) == SolverChoice::lapack) return solve_with_lapack(comm, a, b, order);
  return solve_with_scalapack(comm, a, b, order);
}

}  // namespace rankme
