#include "rankme/parallel/eigensolver.hpp"

#include <algorithm>
#include <optional>
#include <cmath>
#include <stdexcept>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/linear_algebra_api.hpp"
#include "rankme/parallel/process_grid.hpp"

namespace rankme {

namespace {

const char eigenvalues_only = 'N';
const char all_eigenvalues = 'A';
// The Gram accumulator writes the lower triangle only (gram_accumulator.hpp). 'L' is also the faster
// side of OpenBLAS 0.3.21's dsyevd: 2-15% here (scripts/measure_eigensolvers.sh), 22% at K = 4096 elsewhere.
const char lower_triangle = 'L';

std::string describe_info(const char* routine, int info) {
  if (info < 0) return std::string(routine) + ": argument " + std::to_string(-info) + " was invalid (a bug in rankme)";
  return std::string(routine) + " did not converge (info = " + std::to_string(info) + ")";
}

void check_info(const char* routine, int info) {
  if (info != 0) throw std::runtime_error(describe_info(routine, info));
}

// The optimal workspace length a query returned in a double, as LAPACK's int.
int workspace_length(double query_result, const char* what) {
  return std::max(to_blas_int(static_cast<std::uint64_t>(std::ceil(query_result)), what), 1);
}

// The two dsyevd drivers share one signature: the one-stage routine or the 2-stage one.
using DsyevdRoutine = void (*)(const char*, const char*, const int*, double*, const int*, double*, double*,
                               const int*, int*, const int*, int*, std::size_t, std::size_t);

std::vector<double> dsyevd_eigenvalues(DsyevdRoutine routine, const char* name, std::vector<double>& gram,
                                       blas_int n) {
  const blas_int lda = std::max(n, 1);
  std::vector<double> values(static_cast<std::size_t>(n));
  int info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  routine(&eigenvalues_only, &lower_triangle, &n, gram.data(), &lda, values.data(), &work_query, &query,
          &iwork_query, &query, &info, 1, 1);
  check_info((std::string(name) + " workspace query").c_str(), info);
  const int lwork = workspace_length(work_query, "workspace length");
  const int liwork = std::max(iwork_query, 1);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  routine(&eigenvalues_only, &lower_triangle, &n, gram.data(), &lda, values.data(), work.data(), &lwork,
          iwork.data(), &liwork, &info, 1, 1);
  check_info(name, info);
  return values;
}

// dsyevr_2stage with RANGE = 'A': no eigenvectors, so Z and ISUPPZ are never written, but LAPACK still
// checks LDZ >= 1; the bounds VL, VU, IL, IU and ABSTOL are ignored for RANGE = 'A'.
std::vector<double> dsyevr_2stage_eigenvalues(std::vector<double>& gram, blas_int n) {
  const blas_int lda = std::max(n, 1);
  std::vector<double> values(static_cast<std::size_t>(n));
  const double unused_bound = 0, abstol = 0;
  const int unused_index = 0, ldz = 1;
  double z = 0;
  std::vector<int> isuppz(2 * static_cast<std::size_t>(std::max(n, 1)));
  int found = 0, info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  dsyevr_2stage_(&eigenvalues_only, &all_eigenvalues, &lower_triangle, &n, gram.data(), &lda, &unused_bound,
                 &unused_bound, &unused_index, &unused_index, &abstol, &found, values.data(), &z, &ldz, isuppz.data(),
                 &work_query, &query, &iwork_query, &query, &info, 1, 1, 1);
  check_info("dsyevr_2stage workspace query", info);
  const int lwork = workspace_length(work_query, "workspace length");
  const int liwork = std::max(iwork_query, 1);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  dsyevr_2stage_(&eigenvalues_only, &all_eigenvalues, &lower_triangle, &n, gram.data(), &lda, &unused_bound,
                 &unused_bound, &unused_index, &unused_index, &abstol, &found, values.data(), &z, &ldz, isuppz.data(),
                 work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
  check_info("dsyevr_2stage", info);
  if (found != n) {
    throw std::runtime_error("dsyevr_2stage found " + std::to_string(found) + " of " + std::to_string(n) +
                             " eigenvalues");
  }
  return values;
}

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
    fault_point(FaultStage::eigensolve);
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
        // Only the lower triangle is valid; the upper one may hold anything (NaN included), so it is not
        // even copied: PDSYEV with UPLO = 'L' never reads it, and zeros keep it harmless if it did.
        local[static_cast<std::size_t>(row) + static_cast<std::size_t>(col) * static_cast<std::size_t>(leading)] =
            global_row >= global_col ? gram[global_row + global_col * order] : 0.0;
      }
    }
    result.values.assign(static_cast<std::size_t>(order), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    int info = 0;
    double work_query = 0;
    const int query = -1;
    pdsyev_(&eigenvalues_only, &lower_triangle, &n, local.data(), &one, &one, descriptor, result.values.data(),
            local.data(), &one, &one, descriptor, &work_query, &query, &info, 1, 1);
    if (info != 0) throw std::runtime_error(describe_info("pdsyev workspace query", info));
    lwork = static_cast<int>(work_query) + 1;
    work.assign(static_cast<std::size_t>(lwork), 0.0);
  });
  run_stage(comm, [&] {
    if (!grid.contains_me()) return;
    int info = 0;
    pdsyev_(&eigenvalues_only, &lower_triangle, &n, local.data(), &one, &one, descriptor, result.values.data(),
            local.data(), &one, &one, descriptor, work.data(), &lwork, &info, 1, 1);
    if (info != 0) throw std::runtime_error(describe_info("pdsyev", info));
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
  const blas_int n = to_blas_int(order, "matrix order");
  switch (driver) {
    case LapackDriver::dsyevd: return dsyevd_eigenvalues(dsyevd_, "dsyevd", gram, n);
    case LapackDriver::dsyevd_2stage: return dsyevd_eigenvalues(dsyevd_2stage_, "dsyevd_2stage", gram, n);
    case LapackDriver::dsyevr_2stage: return dsyevr_2stage_eigenvalues(gram, n);
  }
  throw std::logic_error("lapack_eigenvalues: unknown driver");
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
