#pragma once
// Scoring a whole sweep: the ranks split into groups (MPI_Comm_split) that each score one dataset at a
// time, on their own communicator and process grid, and take the next dataset from world rank 0 when
// done (costliest first). Results travel to world rank 0, which hands them to the caller as they come.
#include <functional>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/sweep/progress_report.hpp"

namespace rankme {

struct SweepOutcome {
  int group_size = 1;
  bool any_error = false;    // some dataset has status error
  bool interrupted = false;  // a stop was requested before every dataset was done
};

// Collective over `world`; the outcome is the same on every rank. `on_result` and `progress` are used on
// world rank 0 only, for every finished dataset (unscorable targets first, then in completion order;
// abandoned ones are not results and are not passed on). While rank 0 scores in its own group it serves
// the other groups between blocks, so a request waits at most one of its blocks (or one eigensolve).
SweepOutcome run_sweep(const Communicator& world, const std::vector<DatasetTarget>& targets,
                       const ScoreOptions& options, int group_size,
                       const std::function<void(const DatasetResult&)>& on_result, ProgressReport* progress);

}  // namespace rankme
