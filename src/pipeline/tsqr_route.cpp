#include "rankme/pipeline/spectrum_route.hpp"

#include <mpi.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <string>

#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/tsqr.hpp"
#include "rankme/pipeline/lidar_pass.hpp"

namespace rankme {

RouteSpectrum score_on_tsqr_route(const ScorePlan& plan) {
  const Communicator& comm = plan.comm;
  const std::uint64_t cols = plan.source->cols();
  RouteSpectrum route;
  route.method = SpectrumMethod::tsqr;
  std::optional<TsqrAccumulator> tsqr;
  // One partial factor per thread (as many as this rank's BLAS threads, or as fit in memory: score_plan.hpp),
  // each built with single-threaded BLAS (tsqr.hpp).
  run_stage(comm, [&] { tsqr.emplace(cols, plan.options.center, plan.tsqr_threads); });
  plan.timings.block_rows = plan.tsqr_block_rows;
  if (plan.lidar != nullptr) run_stage(comm, [&] { plan.lidar->start_pass(plan.tsqr_block_rows); });
  route.read = read_all_blocks(plan, BlockValues::double_values, plan.tsqr_block_rows, [&](DecodedBlock& block) {
    if (plan.lidar != nullptr) plan.lidar->add_block(block);  // before the factor may scale the block
    tsqr->add_block(block.wide.data(), block.rows, block.stats.max_abs);
  });
  if (route.read != ReadOutcome::complete) return route;
  check_input_unchanged(plan);
  if (plan.lidar != nullptr) plan.lidar->end_pass(true);
  double started = MPI_Wtime();
  reduce_factors_to_root(comm, *tsqr);
  plan.timings.reduce += MPI_Wtime() - started;
  started = MPI_Wtime();
  // Rank 0 factorises R alone: it borrows the cores of the other ranks on its node, which wait in a
  // sleeping barrier rather than in MPI's busy-wait (as the Gram route's LAPACK eigensolve does).
  const int ranks_on_my_node = comm.size() > 1 ? ranks_sharing_node(comm) : 1;
  std::optional<std::string> error;
  try {
    fault_point(FaultStage::eigensolve);  // on any rank: the others' failures are agreed on below too
    if (comm.is_root()) {
      const BorrowedBlasThreads borrowed(current_blas_threads() * ranks_on_my_node);
      route.singular_values = singular_values_of_factor(*tsqr);
    }
    route.scale_exponent = tsqr->scale_exponent();
  } catch (const std::exception& failure) {
    error = failure.what();
  }
  if (comm.size() > 1) comm.barrier_sleeping();
  if (auto agreed = agree_on_failure(comm, error)) throw CollectiveError(*agreed);
  comm.broadcast(route.singular_values, 0);
  plan.timings.eigensolve += MPI_Wtime() - started;
  // R can have more than min(N, K) rows (centring adds a between-means row per merge); RankMe is over
  // the min(N, K) largest, as on the Gram route (extra zeros would each add -eps log eps).
  route.singular_values.resize(std::min<std::size_t>(
      route.singular_values.size(), static_cast<std::size_t>(std::min<std::uint64_t>(plan.selected.size(), cols))));
  route.solver = "tsqr";
  return route;
}

}  // namespace rankme
