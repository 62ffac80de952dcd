#pragma once
// The accuracies file of rankme-agree: a CSV with a header row, one accuracy column and the columns that
// say which result each row is about (file, dataset, or params such as lr, wd, epoch).
#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace rankme::agree {

struct AccuracyRow {
  std::size_t line = 0;                      // in the file, 1-based, for messages
  std::map<std::string, std::string> keys;   // key column -> the cell, trimmed; empty cells left out
  double accuracy = 0;
};

struct AccuracyTable {
  std::string accuracy_column;
  std::vector<std::string> key_columns;      // in the header's order
  std::vector<AccuracyRow> rows;             // the rows with an accuracy
  std::vector<std::size_t> rows_without_accuracy;  // lines whose accuracy cell is empty, NA or nan
};

// Reads `in` (named `name` in messages). RFC 4180 fields, one record per line (a quoted field may hold
// commas and doubled quotes, not a line break); a UTF-8 byte order mark, CRLF line ends and blank lines are
// accepted; cells are trimmed of spaces. The key columns are `match_columns` when given, else every column
// but the accuracy column. Throws std::runtime_error, saying where, for: no header, a duplicate or empty
// column name, a missing accuracy or match column, a row with another number of fields than the header,
// an accuracy that is not a finite number.
AccuracyTable parse_accuracy_table(std::istream& in, const std::string& name, const std::string& accuracy_column,
                                   const std::vector<std::string>& match_columns);
// The same from a file; a file that cannot be opened throws std::runtime_error.
AccuracyTable read_accuracy_table(const std::string& path, const std::string& accuracy_column,
                                  const std::vector<std::string>& match_columns);

}  // namespace rankme::agree
