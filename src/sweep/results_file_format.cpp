#include "rankme/sweep/results_file_format.hpp"

#include <cctype>
#include <stdexcept>

namespace rankme {

ResultsFileFormat results_file_format(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.rfind('/');
  std::string extension = dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : path.substr(dot);
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".jsonl") return ResultsFileFormat::jsonl;
  if (extension == ".csv") return ResultsFileFormat::csv;
  throw std::invalid_argument("results file '" + path + "' must end in .jsonl (JSON Lines) or .csv" +
                              (extension.empty() ? std::string() : ", not " + extension));
}

bool is_written_status(ResultStatus status) {
  return status == ResultStatus::ok || status == ResultStatus::nonfinite || status == ResultStatus::error;
}

}  // namespace rankme
