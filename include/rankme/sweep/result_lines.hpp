#pragma once
// One result as one line of JSON Lines or CSV: the records of the reports on stdout and of the results
// files (--output), which must read back exactly what they wrote.

#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

// One JSON object (no newline) with the documented keys, file_size, file_mtime_ns and canonical_file
// included.
std::string to_json_line(const DatasetResult& result);

// CSV on stdout keeps its 11 documented columns (and the metrics); results files (--output x.csv) add
// what --resume and rankme-merge know a result by (result_identity.hpp): file_size and file_mtime_ns, to
// tell a rewritten file from the one that was scored, and canonical_file, to know the file however it was
// spelled. Both end with pool (--pool) and parts (how many datasets --concat stacked; a CSV line does not
// list them, so --resume scores a --concat result read from CSV again: JSON Lines list them). Results
// files written before canonical_file, or before pool and parts, keep their columns when appended to.
// Both then end with lidar (--lidar; empty when not computed); files written before it keep their columns
// (before_lidar). Last come rows_used, precision and method (what changes the number: the rows --rows or
// --sample scored, the block products and the route); files written before them keep their columns
// (before_rows_used), and their results read back with rows_used 0 (unknown), precision and method empty.
enum class CsvColumns { report, with_file_identity, before_canonical_file, before_pooling, before_lidar, before_rows_used };

std::string csv_header(CsvColumns columns);
// One CSV record on one line (no newline at the end): RFC 4180 quoting, and line breaks inside a field
// (a multi-line error message) become spaces, so that every result is exactly one line of the file.
std::string to_csv_line(const DatasetResult& result, CsvColumns columns);

// The same with the params' columns after all the others (param_columns.hpp): `param_keys` is the sorted
// union over every row of the file or report, so that each row has the same fields.
std::string csv_header(CsvColumns columns, const std::vector<std::string>& param_keys);
std::string to_csv_line(const DatasetResult& result, CsvColumns columns, const std::vector<std::string>& param_keys);

}  // namespace rankme
