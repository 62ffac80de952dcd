#pragma once
// What a results file says is done: --resume skips it, rankme-merge keeps one result per dataset. Results
// are matched by their identity (result_identity.hpp: the file however it was spelled, the dataset, its
// shape, the file's size and modification time).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/sweep/result_identity.hpp"
#include "rankme/sweep/results_file.hpp"

namespace rankme {

// Whether a result settles its dataset: ok and nonfinite (a property of the data) do; an error may be
// passing (a file still being written, a full disk) and is tried again.
bool settles_dataset(const DatasetResult& result);

// The targets, in their order, that `previous` has no settling result for with the same identity (a
// rewritten file is scored again).
std::vector<DatasetTarget> targets_to_resume(const std::vector<DatasetTarget>& targets,
                                             const ResultsFileContents& previous);

// One result per identity, in the order each identity first appears: the last settling result if there
// is one (a retry that succeeded wins over earlier errors, a later score over an earlier one), else the
// last error.
std::vector<DatasetResult> final_result_per_dataset(const std::vector<DatasetResult>& results);

// What --resume makes of a results file read back: the targets (their indices, in order) still to score,
// and the settled results of the others (as the results file holds them, `file` spelled as then; a result
// without params takes its target's).
struct ResumeDecision {
  std::vector<std::uint64_t> to_score;
  std::vector<DatasetResult> earlier;
};
ResumeDecision decide_resume(const std::vector<DatasetTarget>& targets, const ResultsFileContents& previous);

// A run's results file and what is left to score.
struct ResumedRun {
  std::vector<DatasetTarget> to_score;  // every rank: the targets, in order, less those settled earlier
  std::vector<DatasetResult> earlier;   // rank 0: the settled results of the others (--resume)
  std::optional<ResultsFile> file;      // rank 0: `output`, open for appending (none without --output)
};

// Collective. Rank 0 opens `output` when given (before any scoring, so that an unwritable file fails in
// seconds, not after hours) and, with `resume`, keeps only the targets it does not settle yet, saying on
// stderr what it found. `open_more_on_root` opens the run's other outputs (--spectrum) on rank 0 in the
// same agreed stage. A failure there throws CollectiveError on every rank; otherwise every rank gets the
// same targets to score.
ResumedRun open_results_and_resume(const Communicator& world, const std::vector<DatasetTarget>& targets,
                                   const std::string& output, bool resume,
                                   const std::function<void()>& open_more_on_root);

}  // namespace rankme
