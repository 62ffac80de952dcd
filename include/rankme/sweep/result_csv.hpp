#pragma once
// Reading results back from CSV lines (the writing side is result_lines.hpp: to_csv_line): the records
// of results files (--output x.csv) and of CSV reports saved from stdout.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

// One RFC 4180 record that fits on one line (what to_csv_line writes). Throws std::runtime_error on
// unbalanced quotes.
std::vector<std::string> split_csv_line(const std::string& line);

// Column positions, found by name in the header, so that a report without the file identity (saved from
// stdout) reads as well as a results file: its missing columns keep their defaults (file_size and
// file_mtime_ns 0, canonical_file empty). `param.<key>` columns become the result's params: a number where
// the whole cell parses as one (as in paths, path_params.hpp), else the text; an empty cell is no param.
class ResultCsvLayout {
 public:
  // Throws std::runtime_error when a column every rankme CSV has (file, dataset, rows, cols, rankme,
  // status) is missing.
  explicit ResultCsvLayout(const std::string& header_line);

  // The result of one line. Throws std::runtime_error saying what is wrong (field count, a bad number,
  // an unknown status); whether the fields agree with each other is the reader's to check.
  DatasetResult parse(const std::string& line) const;

  // The names of the columns, in order.
  const std::vector<std::string>& columns() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::vector<std::pair<std::size_t, std::string>> param_columns_;  // index, key: `param.<key>` columns
  std::map<std::string, std::size_t> index_;
  std::size_t columns_ = 0;
};

}  // namespace rankme
