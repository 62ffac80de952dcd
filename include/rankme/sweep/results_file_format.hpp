#pragma once
// What a results file (--output, rankme-merge --output) is: its format, chosen by the extension, and
// which results it holds.
#include <string>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

enum class ResultsFileFormat { jsonl, csv };

// From the extension, case-insensitively: ".jsonl" or ".csv". Anything else throws std::invalid_argument
// with a message that names the path and the extensions that work (a usage error for --output).
ResultsFileFormat results_file_format(const std::string& path);

// ok, nonfinite and error results are written; interrupted ones (a dataset abandoned on a stop request)
// are not results, are never written and are never read back.
bool is_written_status(ResultStatus status);

}  // namespace rankme
