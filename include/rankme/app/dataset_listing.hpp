#pragma once
// --list: the datasets a run would score, printed instead of scoring them.

#include <ostream>
#include <vector>

#include "rankme/app/report.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// --list: what would be scored, on `out` (table: aligned columns file, dataset, rows, cols, dtype, plus
// status and error when something failed; jsonl: one object per target with keys file, dataset, rows,
// cols, dtype, status ("listed" or "error"), error (null or the reason); csv: the same columns with a
// header). Returns true when no target is an error.
bool print_listing(const std::vector<DatasetTarget>& targets, OutputFormat format, std::ostream& out);

}  // namespace rankme
