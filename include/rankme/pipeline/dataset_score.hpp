#pragma once
// The pipeline for one dataset: open on all ranks and plan (score_plan.hpp) -> read row shards in blocks
// through a RowSource (row_source.hpp) -> the Gram or TSQR route (spectrum_route.hpp): accumulate, combine
// over ranks, singular values -> RankMe and the other metrics.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rankme/io/row_source.hpp"
#include "rankme/numerics/gram_route_error.hpp"
#include "rankme/numerics/lidar_metric.hpp"
#include "rankme/numerics/precision_criterion.hpp"
#include "rankme/numerics/row_selection.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// How the singular values are found: from the eigenvalues of Z^T Z (fast; resolves s_k down to about
// 1e-7 s_1) or from the R factor of a tall-skinny QR (about twice the flops; down to about 1e-15 s_1).
// automatic: the Gram route, then TSQR again when the Gram route's predicted error (gram_route_error.hpp)
// exceeds the tolerance.
enum class SpectrumMethod { automatic, gram, tsqr };

// "auto", "gram", "tsqr"; and the inverse (throws std::invalid_argument).
const char* method_name(SpectrumMethod method);
SpectrumMethod method_from_name(const std::string& name);

struct ScoreOptions {
  SpectrumMethod method = SpectrumMethod::automatic;
  // The relative RankMe error that the automatic choices promise (--tolerance): --method auto scores by
  // TSQR above it, --precision auto keeps float32 products below a hundredth of it.
  double tolerance = default_method_tolerance;
  // Block products of the Gram route (precision_criterion.hpp). --center and --method tsqr are double.
  Precision precision = Precision::automatic;
  bool timings = false;   // fill DatasetResult::timings (--timings): one more Allreduce per dataset
  bool prefetch = true;   // read the next block on a worker thread while this one is multiplied
  std::uint64_t block_rows = 0;  // 0: default_block_rows()
  SolverChoice solver = SolverChoice::automatic;
  double eps = default_rankme_eps;
  RowSelection rows;    // --rows / --sample: which rows are scored (default all)
  bool center = false;
  bool keep_spectrum = false;  // fill DatasetResult::singular_values (--spectrum)
  // --max-memory: bytes each rank may use for one dataset (memory_budget.hpp); 0: no limit. May differ
  // between ranks (nodes of different sizes); a dataset that does not fit on any rank is refused on all.
  std::uint64_t max_memory = 0;
  // --lidar: LiDAR beside RankMe for datasets with views (target_lidar.hpp), with Sigma_w's ridge delta
  // (--lidar-delta). Computed from the data alone: --center and --precision do not change it.
  bool lidar = false;
  double lidar_delta = default_lidar_delta;
  MetricSelection metrics;  // beside RankMe (always computed); cols and centered are filled per dataset
  // Called on every rank after each block (done, of total), outside any collective of the scoring
  // communicator: the sweep scheduler serves other rank groups and reports progress from here.
  std::function<void(std::uint64_t done, std::uint64_t total)> after_block;
};

// Collective over `comm`; every rank returns the same status (the number itself is computed on every
// rank from the same eigenvalues). Never throws for a problem with the data or the file: that becomes
// status `error`, agreed on by all ranks, and the caller goes on with the next dataset. When any rank
// has been asked to stop (stop_request.hpp), reading ends at the next block with status `interrupted`.
DatasetResult score_dataset(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options);

// score_dataset over rows already open (the Python module's array in memory: no file, no discovery),
// read through `source`; `target` describes them (file and dataset name them in the result; rows, cols,
// type and dtype as the source has them). Every option means what it means for score_dataset.
DatasetResult score_row_source(const Communicator& comm, const DatasetTarget& target, std::unique_ptr<RowSource> source,
                               const ScoreOptions& options);

}  // namespace rankme
