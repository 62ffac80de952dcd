#pragma once
// --list: the datasets a run would score, printed instead of scoring them.

#include <ostream>
#include <vector>

#include "rankme/app/report.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// --list: what would be scored, on `out` (table: aligned columns file, dataset, rows, cols, dtype, plus
// status and error when something failed, and params ("epoch=3 lr=0.1") when any target has some; jsonl:
// one object per target with keys file, dataset, rows, cols, dtype, status ("listed" or "error"), error
// (null or the reason), shape, pool, parts and params (an object); csv: the same columns with a header,
// the params as param.<key> columns, the union over the targets). Returns true when no target is an error.
bool print_listing(const std::vector<DatasetTarget>& targets, OutputFormat format, std::ostream& out);

}  // namespace rankme
