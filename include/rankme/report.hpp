#pragma once
// Printing results: a leaderboard table, JSON Lines or CSV. Only rank 0 makes a report.
#include <ostream>
#include <string>
#include <vector>

#include "rankme/dataset_result.hpp"

namespace rankme {

enum class OutputFormat { table, jsonl, csv };

class ResultReport {
 public:
  ResultReport(OutputFormat format, std::ostream& out);
  // JSONL and CSV lines are written and flushed at once, in completion order, so a pipe sees each dataset
  // as it is scored; the table is printed by finish(), when the ranking and column widths are known.
  void add(const DatasetResult& result);
  void finish();

 private:
  OutputFormat format_;
  std::ostream& out_;
  std::vector<DatasetResult> table_rows_;
  bool header_written_ = false;
};

// One JSON object (no newline) with the documented keys, file_size and file_mtime_ns included.
std::string to_json_line(const DatasetResult& result);

// CSV on stdout keeps its 11 documented columns; results files (--output x.csv) add file_size and
// file_mtime_ns, which --resume needs to tell a rewritten file from the one that was scored.
enum class CsvColumns { report, with_file_identity };

std::string csv_header(CsvColumns columns);
// One CSV record on one line (no newline at the end): RFC 4180 quoting, and line breaks inside a field
// (a multi-line error message) become spaces, so that every result is exactly one line of the file.
std::string to_csv_line(const DatasetResult& result, CsvColumns columns);

// The table's order: scored datasets by RankMe, highest first (ties keep their order), then nonfinite,
// then errors. Stable.
void sort_for_leaderboard(std::vector<DatasetResult>& results);

}  // namespace rankme
