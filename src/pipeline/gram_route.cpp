#include "rankme/pipeline/spectrum_route.hpp"

#include <mpi.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/numerics/gram_route_error.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/parallel/gram_reduction.hpp"
#include "rankme/pipeline/lidar_pass.hpp"

namespace rankme {

namespace {

// One pass of the Gram route at one precision: every block into a fresh accumulator, summed over ranks,
// eigenvalues. `probe` gets the float32 error measured on rank 0's first block (mixed passes whose
// data allowed it; rank 0 only).
struct GramPass {
  ReadOutcome read = ReadOutcome::complete;
  std::vector<double> singular_values;  // descending, min(N, K) of them, of the data times 2^-scale_exponent
  int scale_exponent = 0;
  std::string solver;
  std::optional<Float32ProductError> probe;
  bool scaled_block = false;  // a mixed block was scaled out of float32's ordinary range (on this rank)
};

GramPass gram_pass(const ScorePlan& plan, bool mixed) {
  const Communicator& comm = plan.comm;
  const std::uint64_t cols = plan.source->cols();
  GramPass pass;
  std::optional<GramAccumulator> gram;
  run_stage(comm, [&] { gram.emplace(cols, plan.options.center); });
  bool first_block = true;
  const BlockValues values = mixed ? BlockValues::float_values : BlockValues::double_values;
  if (plan.lidar != nullptr) run_stage(comm, [&] { plan.lidar->start_pass(plan.block_rows(values)); });
  pass.read = read_all_blocks(plan, values, plan.block_rows(values), [&](DecodedBlock& block) {
    // LiDAR first: the Gram products may rescale a double block in place.
    if (plan.lidar != nullptr) plan.lidar->add_block(block);
    if (mixed && block.float_exponent != 0) pass.scaled_block = true;
    if (!mixed) {
      gram->add_block(block.wide.data(), block.rows, block.stats);
    } else if (first_block && comm.is_root()) {
      pass.probe = gram->add_block_single_measuring_float32_error(
          block.single(), block.wide.empty() ? nullptr : block.wide.data(), block.rows, float32_probe_columns,
          block.float_exponent, block.stats.max_abs);
    } else {
      gram->add_block_single(block.single(), block.rows, block.float_exponent, block.stats.max_abs);
    }
    first_block = false;
  });
  if (pass.read != ReadOutcome::complete) return pass;
  check_input_unchanged(plan);
  if (plan.lidar != nullptr) plan.lidar->end_pass(true);
  double started = MPI_Wtime();
  sum_gram_over_ranks(comm, *gram);
  plan.timings.reduce += MPI_Wtime() - started;
  started = MPI_Wtime();
  const Eigenvalues eigenvalues = symmetric_eigenvalues(comm, gram->matrix(), cols, plan.options.solver);
  plan.timings.eigensolve += MPI_Wtime() - started;
  pass.solver = eigenvalues.solver;
  pass.singular_values = singular_values_from_gram_eigenvalues(eigenvalues.values, plan.selected.size(), cols);
  pass.scale_exponent = gram->scale_exponent();
  return pass;
}

// Whether the Gram matrix comes from LiDAR's accumulation (LidarPass::uncentred_gram) instead of a product
// pass of the route's own: with --lidar, uncentred (--center's matrix is about the column means, which
// LiDAR's W + sum_i c_i mu_i mu_i^T is not). --method tsqr never comes here; auto's TSQR fallback re-reads
// the data as before.
bool gram_shared_with_lidar(const ScorePlan& plan) { return plan.lidar != nullptr && !plan.options.center; }

// The pass of a shared Gram matrix: double blocks into LiDAR only (LiDAR's within-object products are in
// double: a float32 one would err by about 2^-24 ||W|| against delta = 1e-4, in the directions that decide
// LiDAR), then RankMe's Gram matrix from them. `own_pass` comes back true, with nothing else done, when the
// data needs GramAccumulator's power-of-two scaling (|values| beyond 2^+-300): LiDAR's sums are unscaled, and
// the route then makes its own double pass (LiDAR, complete, adds nothing again).
GramPass shared_gram_pass(const ScorePlan& plan, bool& own_pass) {
  const Communicator& comm = plan.comm;
  const std::uint64_t cols = plan.source->cols();
  GramPass pass;
  const std::uint64_t block_rows = plan.block_rows(BlockValues::double_values);
  run_stage(comm, [&] { plan.lidar->start_pass(block_rows); });
  double max_abs = 0;
  pass.read = read_all_blocks(plan, BlockValues::double_values, block_rows, [&](DecodedBlock& block) {
    plan.lidar->add_block(block);
    max_abs = std::max(max_abs, block.stats.max_abs);
  });
  if (pass.read != ReadOutcome::complete) return pass;
  check_input_unchanged(plan);
  plan.lidar->end_pass(true);
  comm.max_in_place(&max_abs, 1);
  own_pass = GramAccumulator::scale_exponent_for(max_abs) != 0;  // the same on every rank
  if (own_pass) return pass;
  double started = MPI_Wtime();
  std::vector<double> gram = plan.lidar->uncentred_gram();
  plan.timings.reduce += MPI_Wtime() - started;
  started = MPI_Wtime();
  const Eigenvalues eigenvalues = symmetric_eigenvalues(comm, gram, cols, plan.options.solver);
  plan.timings.eigensolve += MPI_Wtime() - started;
  pass.solver = eigenvalues.solver;
  pass.singular_values = singular_values_from_gram_eigenvalues(eigenvalues.values, plan.selected.size(), cols);
  return pass;
}

// After a mixed pass: the predicted RankMe error of its number from float32 rounding (precision_criterion.hpp),
// or nothing when the probe could not measure (data scaled out of float32's ordinary range, in any block
// of any rank: a probe of ordinary blocks says nothing about the rounding of scaled ones, e.g. one huge
// row among unit ones). Collective; every rank computes the same (rank 0's probe, the same spectrum
// everywhere).
std::optional<double> predicted_error_of_mixed_pass(const Communicator& comm, const GramPass& pass, std::uint64_t rows,
                                                    std::uint64_t cols, double eps) {
  std::vector<double> probe = {-1.0, 0.0, 0.0, pass.scaled_block ? 1.0 : 0.0};  // -1: not measured
  if (pass.probe) {
    probe[0] = static_cast<double>(pass.probe->rows);
    probe[1] = static_cast<double>(pass.probe->columns);
    probe[2] = pass.probe->error;
  }
  comm.max_in_place(probe.data(), 4);  // only rank 0 measures; the others hold -1 and 0
  if (probe[0] < 0 || probe[3] > 0) return std::nullopt;
  const Float32ProductError measured{static_cast<std::uint64_t>(probe[0]), static_cast<std::uint64_t>(probe[1]), probe[2]};
  return predicted_rankme_error(pass.singular_values, eps, estimated_float32_gram_error(measured, cols, rows), cols);
}

}  // namespace

RouteSpectrum score_on_gram_route(const ScorePlan& plan, DatasetResult& result) {
  RouteSpectrum route;
  route.method = SpectrumMethod::gram;
  route.mixed = plan.precision != Precision::double_precision;
  const std::uint64_t cols = plan.source->cols();
  if (gram_shared_with_lidar(plan)) {
    // Double products whatever --precision says: they are LiDAR's, and cost nothing more (no mixed pass).
    route.mixed = false;
    plan.timings.block_rows = plan.block_rows(BlockValues::double_values);
    bool own_pass = false;
    GramPass pass = shared_gram_pass(plan, own_pass);
    route.read = pass.read;
    if (pass.read != ReadOutcome::complete) return route;
    if (!own_pass) {
      const double started = MPI_Wtime();
      route.predicted_error = predicted_gram_route_error(pass.singular_values, plan.options.eps, cols);
      plan.timings.metrics += MPI_Wtime() - started;
      route.singular_values = std::move(pass.singular_values);
      route.solver = pass.solver;
      return route;
    }
  }
  for (;;) {
    plan.timings.block_rows = plan.block_rows(route.mixed ? BlockValues::float_values : BlockValues::double_values);
    GramPass pass = gram_pass(plan, route.mixed);
    route.read = pass.read;
    if (pass.read != ReadOutcome::complete) return route;
    const double started = MPI_Wtime();
    // Every rank computes the same predictions from the same spectrum (and rank 0's probe, shared). With
    // --precision mixed the float32 rounding is the user's choice: only the route's own error is predicted.
    std::optional<double> float32_error;
    if (route.mixed && plan.precision == Precision::automatic) {
      float32_error = predicted_error_of_mixed_pass(plan.comm, pass, plan.selected.size(), cols, plan.options.eps);
      result.mixed_error_estimate = float32_error;
      if (!float32_error || *float32_error > plan.options.tolerance * mixed_precision_share_of_tolerance) {
        plan.timings.metrics += MPI_Wtime() - started;
        route.mixed = false;  // float32 may be off on this spectrum: score it again in double
        result.precision_fallback = true;
        continue;
      }
    }
    route.predicted_error =
        std::max(predicted_gram_route_error(pass.singular_values, plan.options.eps, cols), float32_error.value_or(0.0));
    plan.timings.metrics += MPI_Wtime() - started;
    route.singular_values = std::move(pass.singular_values);
    route.scale_exponent = pass.scale_exponent;
    route.solver = pass.solver;
    return route;
  }
}

}  // namespace rankme
