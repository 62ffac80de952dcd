#pragma once
// The pipeline for one dataset: open on all ranks -> read row shards in blocks -> accumulate the Gram
// matrix -> sum over ranks -> eigenvalues -> RankMe.
#include <cstdint>
#include <functional>

#include "rankme/communicator.hpp"
#include "rankme/dataset_discovery.hpp"
#include "rankme/dataset_result.hpp"
#include "rankme/eigensolver.hpp"
#include "rankme/spectrum_metrics.hpp"

namespace rankme {

struct ScoreOptions {
  std::uint64_t block_rows = 0;  // 0: default_block_rows()
  SolverChoice solver = SolverChoice::automatic;
  double eps = default_rankme_eps;
  bool center = false;
  MetricSelection metrics;  // beside RankMe (always computed); cols and centered are filled per dataset  // subtract the column means over all N rows first (the paper uses raw embeddings)
  // Called on every rank after each block (done, of total), outside any collective of the scoring
  // communicator: the sweep scheduler serves other rank groups and reports progress from here.
  std::function<void(std::uint64_t done, std::uint64_t total)> after_block;
};

// Collective over `comm`; every rank returns the same status (the number itself is computed on every
// rank from the same eigenvalues). Never throws for a problem with the data or the file: that becomes
// status `error`, agreed on by all ranks, and the caller goes on with the next dataset. When any rank
// has been asked to stop (stop_request.hpp), reading ends at the next block with status `interrupted`.
DatasetResult score_dataset(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options);

}  // namespace rankme
