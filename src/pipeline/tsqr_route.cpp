#include "rankme/pipeline/spectrum_route.hpp"

#include <mpi.h>

#include <algorithm>
#include <optional>

#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/tsqr.hpp"

namespace rankme {

RouteSpectrum score_on_tsqr_route(const ScorePlan& plan) {
  const Communicator& comm = plan.comm;
  const std::uint64_t cols = plan.source->cols();
  RouteSpectrum route;
  route.method = SpectrumMethod::tsqr;
  std::optional<TsqrAccumulator> tsqr;
  run_stage(comm, [&] { tsqr.emplace(cols, plan.options.center); });
  plan.timings.block_rows = plan.block_rows(BlockValues::double_values);
  route.read = read_all_blocks(plan, BlockValues::double_values,
                               [&](DecodedBlock& block) { tsqr->add_block(block.wide.data(), block.rows); });
  if (route.read != ReadOutcome::complete) return route;
  check_input_unchanged(plan);
  double started = MPI_Wtime();
  reduce_factors_to_root(comm, *tsqr);
  plan.timings.reduce += MPI_Wtime() - started;
  started = MPI_Wtime();
  run_stage(comm, [&] {
    fault_point(FaultStage::eigensolve);
    if (comm.is_root()) route.singular_values = singular_values_of_factor(*tsqr);
    route.scale_exponent = tsqr->scale_exponent();
  });
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
