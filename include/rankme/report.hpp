#pragma once
// Printing results: a readable table, JSON Lines or CSV. Only rank 0 makes a report.
#include <ostream>
#include <string>
#include <vector>

#include "rankme/dataset_result.hpp"

namespace rankme {

enum class OutputFormat { table, jsonl, csv };

class ResultReport {
 public:
  ResultReport(OutputFormat format, std::ostream& out);
  // JSONL and CSV lines are written and flushed at once, so a pipe sees each dataset as it is scored;
  // the table is printed by finish(), when column widths are known.
  void add(const DatasetResult& result);
  void finish();

 private:
  OutputFormat format_;
  std::ostream& out_;
  std::vector<DatasetResult> table_rows_;
  bool header_written_ = false;
};

// One JSON object (no newline) with the documented keys.
std::string to_json_line(const DatasetResult& result);

}  // namespace rankme
