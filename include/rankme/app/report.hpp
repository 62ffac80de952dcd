#pragma once
// Printing results: a leaderboard table, JSON Lines or CSV. Only rank 0 makes a report.
#include <ostream>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/sweep/result_lines.hpp"

namespace rankme {

enum class OutputFormat { table, jsonl, csv };

class ResultReport {
 public:
  // `param_keys`: CSV's param columns, the sorted union of the params of every result to come
  // (param_columns.hpp); the header is written before the first result. `table_metrics`: the table's
  // columns after rankme (metric_names()), "-" where a result lacks the metric.
  ResultReport(OutputFormat format, std::ostream& out, std::vector<std::string> param_keys = {},
               std::vector<std::string> table_metrics = {});
  // JSONL and CSV lines are written and flushed at once, in completion order, so a pipe sees each dataset
  // as it is scored; the table is printed by finish(), when the ranking and column widths are known.
  void add(const DatasetResult& result);
  void finish();

 private:
  OutputFormat format_;
  std::ostream& out_;
  std::vector<std::string> param_keys_;
  std::vector<std::string> table_metrics_;
  std::vector<DatasetResult> table_rows_;
  bool header_written_ = false;
};

// The table's order: scored datasets by RankMe, highest first (ties keep their order), then nonfinite,
// then errors. Stable.
void sort_for_leaderboard(std::vector<DatasetResult>& results);

}  // namespace rankme
