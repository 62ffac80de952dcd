#include "rankme/pipeline/dataset_score.hpp"

#include <mpi.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/pipeline/lidar_pass.hpp"
#include "rankme/pipeline/score_plan.hpp"
#include "rankme/pipeline/spectrum_route.hpp"

namespace rankme {

const char* method_name(SpectrumMethod method) {
  switch (method) {
    case SpectrumMethod::automatic: return "auto";
    case SpectrumMethod::gram: return "gram";
    case SpectrumMethod::tsqr: return "tsqr";
  }
  return "auto";
}

SpectrumMethod method_from_name(const std::string& name) {
  if (name == "auto") return SpectrumMethod::automatic;
  if (name == "gram") return SpectrumMethod::gram;
  if (name == "tsqr") return SpectrumMethod::tsqr;
  throw std::invalid_argument("unknown method '" + name + "' (expected auto, gram or tsqr)");
}

namespace {

// What is known of `target` before it is read.
DatasetResult result_of_listing(const Communicator& comm, const DatasetTarget& target) {
  DatasetResult result;
  result.file = target.file;
  result.dataset = target.dataset;
  result.params = target.params;
  result.rows = target.rows;
  result.cols = target.cols;
  result.dtype = target.dtype;
  result.ranks = comm.size();
  result.file_size = target.file_size;
  result.file_mtime_ns = target.file_mtime_ns;
  result.canonical_file = target.canonical_file;
  if (target.pool != PoolMode::none) result.pool = pool_mode_name(target.pool);
  for (const DatasetTarget& part : target.parts) {
    result.parts.push_back(ResultPart{part.file, part.dataset, part.rows, part.canonical_file, part.file_size,
                                      part.file_mtime_ns});
  }
  result.part_count = result.parts.size();
  return result;
}

// A target discovery could not score: its error, said by the one rank that reports it.
DatasetResult refused(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options,
                      DatasetResult result) {
  result.status = ResultStatus::error;
  result.error = target.error.empty() && target.awaits_pooling()
                     ? "dataset '" + target.dataset + "' in '" + target.file + "' has " + std::to_string(target.shape.size()) +
                           " axes: give --pool mean|first|last|flatten to score it"
                     : target.error;
  // A declared shape too large for memory is said first (e.g. 2^40 x 2^20, never written, so also
  // incomplete). Only the rank that reports it gets here, so its own limit decides.
  if (target.type && target.cols > 0) {
    if (auto shortfall = memory_shortfall(comm, target, options, false, block_rows_of(target, options, false))) {
      result.error = "dataset '" + target.dataset + "' in '" + target.file + "' " + *shortfall + "; besides, " + target.error;
    }
  }
  return result;
}

// RankMe and the other metrics of a complete spectrum; every rank computes the same from the same
// eigenvalues: no agreement needed.
void record_metrics(const ScorePlan& plan, const RouteSpectrum& route, DatasetResult& result) {
  const double rankme = rankme_from_singular_values(route.singular_values, plan.options.eps);
  if (!std::isfinite(rankme)) {
    // Finite data always gives a finite Gram matrix (it is scaled), so this is a failure of the
    // computation: say so rather than report a number.
    result.status = ResultStatus::error;
    result.error = "the spectrum of '" + plan.dataset + "' came out non-finite although the data is finite";
    return;
  }
  result.rankme = rankme;
  if (plan.options.keep_spectrum) {
    // --spectrum: the data's own singular values (infinite where they exceed double, e.g. DBL_MAX data).
    result.singular_values = route.singular_values;
    for (double& value : result.singular_values) value = std::ldexp(value, route.scale_exponent);
  }
  MetricSelection selection = plan.options.metrics;
  selection.cols = plan.source->cols();
  selection.centered = plan.options.center;
  // The accurate route resolves far smaller singular values: its own default rank tolerance.
  if (route.method == SpectrumMethod::tsqr && !selection.rank_rtol) selection.rank_rtol = default_rank_rtol_tsqr(plan.selected.size(), selection.cols);
  selection.eps = plan.options.eps;
  const SpectrumMetrics metrics = compute_metrics(route.singular_values, selection);
  for (const std::string& name : metric_names()) {
    const auto value = metric_value(metrics, name);
    if (name != "rankme" && value) result.metrics[name] = *value;
  }
}

// What the route found, as the result says it.
void record_route(const ScorePlan& plan, const RouteSpectrum& route, DatasetResult& result) {
  result.solver = route.solver;
  result.precision = route.mixed ? "mixed" : "double";
  result.method = method_name(route.method);
  if (route.read == ReadOutcome::nonfinite) {
    result.status = ResultStatus::nonfinite;
  } else if (route.read == ReadOutcome::interrupted) {
    result.status = ResultStatus::interrupted;
  } else {
    const double started = MPI_Wtime();
    record_metrics(plan, route, result);
    plan.timings.metrics += MPI_Wtime() - started;
  }
}

// The largest of each phase over the ranks (each rank measured its own).
void take_slowest_rank(const Communicator& comm, PhaseTimings& timings) {
  std::vector<double*> phases = {&timings.open,   &timings.read,       &timings.decode,  &timings.convert,
                                 &timings.read_wait, &timings.gram,   &timings.reduce,  &timings.eigensolve,
                                 &timings.metrics, &timings.total};
  std::vector<double> values;
  for (double* phase : phases) values.push_back(*phase);
  comm.max_in_place(values.data(), static_cast<int>(values.size()));
  for (std::size_t i = 0; i < phases.size(); ++i) *phases[i] = values[i];
}

// score_dataset and score_row_source: `opened` is the source already open, or null to open target's file.
DatasetResult score_target(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options,
                           std::unique_ptr<RowSource> opened) {
  const double start = MPI_Wtime();
  DatasetResult result = result_of_listing(comm, target);
  if (!target.scorable()) return refused(comm, target, options, std::move(result));
  set_fault_dataset(target.dataset);
  PhaseTimings timings;
  try {
    ScorePlan plan = plan_scoring(comm, target, options, timings, std::move(opened));  // refuses, opens, selects rows
    // --lidar on a dataset with views: its objects (collective; a wrong --groups dataset fails it here).
    std::optional<LidarPass> lidar;
    if (options.lidar && (target.views > 0 || !target.groups.empty())) {
      lidar.emplace(comm, target, plan.selected.size());
      plan.lidar = &*lidar;
    }
    if (target.file_size != 0) {
      // What was read, should the file have been rewritten (same shape) since it was listed: --resume
      // then knows this result by the file it came from.
      result.file_size = plan.opened.size;
      result.file_mtime_ns = plan.opened.mtime_ns;
    }
    result.rows_used = plan.selected.size();
    timings.open = MPI_Wtime() - start;
    RouteSpectrum route = plan.tsqr() ? score_on_tsqr_route(plan) : score_on_gram_route(plan, result);
    result.predicted_error = route.predicted_error;  // the Gram route's; the TSQR route predicts none
    if (options.method == SpectrumMethod::automatic && route.read == ReadOutcome::complete &&
        route.predicted_error && *route.predicted_error > options.tolerance && plan.tsqr_fits) {
      result.method_fallback = true;  // the Gram route may be off on this spectrum: score it again by TSQR
      route = score_on_tsqr_route(plan);
    }
    record_route(plan, route, result);
    if (lidar && result.status == ResultStatus::ok) {
      const double started = MPI_Wtime();
      result.lidar = lidar->value(options.lidar_delta, options.solver).value;
      timings.metrics += MPI_Wtime() - started;  // LiDAR's block products count in "gram"
    }
  } catch (const CollectiveError& error) {
    // Every failure while scoring says which dataset it was, whichever stage raised it.
    result.status = ResultStatus::error;
    result.error = "dataset '" + target.dataset + "' in '" + target.file + "': " + error.what();
  }
  result.seconds = MPI_Wtime() - start;
  if (options.timings) {
    // Every rank gets here, also after an agreed error (CollectiveError is raised on all of them).
    timings.total = result.seconds;
    take_slowest_rank(comm, timings);
    result.timings = timings;
  }
  return result;
}

}  // namespace

DatasetResult score_dataset(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options) {
  return score_target(comm, target, options, nullptr);
}

DatasetResult score_row_source(const Communicator& comm, const DatasetTarget& target, std::unique_ptr<RowSource> source,
                               const ScoreOptions& options) {
  if (!source) throw std::invalid_argument("score_row_source: no source");
  return score_target(comm, target, options, std::move(source));
}

}  // namespace rankme
