#pragma once
// What a results file says is done: --resume skips it, rankme-merge keeps one result per dataset.
#include <vector>

#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/sweep/results_file.hpp"

namespace rankme {

// Whether a result settles its dataset: ok and nonfinite (a property of the data) do; an error may be
// passing (a file still being written, a full disk) and is tried again.
bool settles_dataset(const DatasetResult& result);

// The targets, in their order, that `previous` has no settling result for with the same identity (file,
// dataset, rows, cols, file size and modification time: a rewritten file is scored again).
std::vector<DatasetTarget> targets_to_resume(const std::vector<DatasetTarget>& targets,
                                             const ResultsFileContents& previous);

// One result per identity, in the order each identity first appears: the last settling result if there
// is one (a retry that succeeded wins over earlier errors, a later score over an earlier one), else the
// last error.
std::vector<DatasetResult> final_result_per_dataset(const std::vector<DatasetResult>& results);

}  // namespace rankme
