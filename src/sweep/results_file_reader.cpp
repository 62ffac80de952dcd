#include "rankme/sweep/results_file_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <utility>

#include "rankme/os/durable_file.hpp"
#include "rankme/sweep/dataset_result_json.hpp"
#include "rankme/sweep/result_csv.hpp"
#include "rankme/sweep/results_file_format.hpp"

namespace rankme {

namespace {

// A line that claims a status must carry what that status means: a finite number exactly when ok; and
// only statuses that are written at all (never `interrupted`) can be read.
void check_consistent(const DatasetResult& result) {
  if (!is_written_status(result.status)) {
    throw std::runtime_error(std::string("status '") + status_name(result.status) + "' is never written");
  }
  if (result.status == ResultStatus::ok && !(result.rankme && std::isfinite(*result.rankme))) {
    throw std::runtime_error("status ok without a finite rankme");
  }
  if (result.status != ResultStatus::ok && result.rankme) throw std::runtime_error("a rankme with status " + std::string(status_name(result.status)));
}

DatasetResult result_from_json_line(const std::string& line) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("not JSON");
  }
  return result_from_json(json);
}

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace

ResultsFileContents read_results_file(const std::string& path) {
  const ResultsFileFormat format = results_file_format(path);
  ResultsFileContents contents;
  const std::optional<std::string> text = read_whole_file({"results file", path});
  if (!text) return contents;

  std::optional<ResultCsvLayout> csv_layout;
  std::size_t line_number = 0;
  const auto skip = [&](const std::string& reason) {
    ++contents.skipped_lines;
    if (contents.first_problem.empty()) contents.first_problem = "line " + std::to_string(line_number) + ": " + reason;
  };
  for (std::size_t begin = 0; begin < text->size();) {
    ++line_number;
    const std::size_t newline = text->find('\n', begin);
    if (newline == std::string::npos) {
      // No newline after it: the write of this line was cut short.
      contents.torn_last_line = true;
      skip("torn last line (a write cut short), ignored");
      break;
    }
    std::string line = text->substr(begin, newline - begin);
    begin = newline + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) continue;
    if (format == ResultsFileFormat::csv && !csv_layout) {
      try {
        csv_layout.emplace(line);
      } catch (const std::exception& error) {
        throw std::runtime_error("results file '" + path + "' does not start with a rankme CSV header (" +
                                 error.what() + ")");
      }
      continue;
    }
    try {
      DatasetResult result = format == ResultsFileFormat::jsonl ? result_from_json_line(line) : csv_layout->parse(line);
      check_consistent(result);
      contents.results.push_back(std::move(result));
    } catch (const std::exception& error) {
      skip(error.what());
    }
  }
  return contents;
}

}  // namespace rankme
