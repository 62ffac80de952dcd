#pragma once
// Matching the rows of the accuracies file to the results: each row names one result by its file and/or
// dataset, or by params (numbers compared as numbers: 0.001 == 1e-3), or both.
#include <cstddef>
#include <string>
#include <vector>

#include "accuracy_table.hpp"
#include "rankme/pipeline/dataset_result.hpp"

namespace rankme::agree {

// A result with the accuracy of the one row that named it.
struct MatchedRun {
  const DatasetResult* result = nullptr;
  double accuracy = 0;
  std::size_t line = 0;  // the row's line in the accuracies file
  std::string label;     // the row's keys as written, "lr=0.001 wd=0", to name the run in reports
};

struct MatchOutcome {
  std::vector<MatchedRun> runs;    // in the results' order; each result at most once
  std::size_t rows_matched = 0;    // rows that named exactly one result
  std::size_t rows_unmatched = 0;  // rows that named none
  std::size_t rows_ambiguous = 0;  // rows that named several (or, by a path ending, several files)
  std::size_t rows_conflicting = 0;  // rows that named a result another row named too
  std::size_t rows_failed = 0;     // rows that named a result rankme could not score (status error)
  std::vector<std::string> notes;  // one line per row or result left out, saying why and what to do
};

// Every key column must be file, dataset, or a param some result has (std::runtime_error otherwise, naming
// the params there are). An empty cell constrains nothing. A row must name exactly one result, and a result
// be named by one row, else they are left out with a note. `results` must outlive the outcome.
MatchOutcome match_accuracies(const std::vector<DatasetResult>& results, const AccuracyTable& table);

}  // namespace rankme::agree
