#pragma once
// One result as one line of JSON Lines or CSV: the records of the reports on stdout and of the results
// files (--output), which must read back exactly what they wrote.

#include <string>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

// One JSON object (no newline) with the documented keys, file_size and file_mtime_ns included.
std::string to_json_line(const DatasetResult& result);

// CSV on stdout keeps its 11 documented columns; results files (--output x.csv) add file_size and
// file_mtime_ns, which --resume needs to tell a rewritten file from the one that was scored.
enum class CsvColumns { report, with_file_identity };

std::string csv_header(CsvColumns columns);
// One CSV record on one line (no newline at the end): RFC 4180 quoting, and line breaks inside a field
// (a multi-line error message) become spaces, so that every result is exactly one line of the file.
std::string to_csv_line(const DatasetResult& result, CsvColumns columns);

}  // namespace rankme
