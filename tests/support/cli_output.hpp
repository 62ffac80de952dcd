// Reading what a launched rankme printed: its lines, its JSONL rows (one per dataset) and CSV fields, and
// the signs of a crash, hang or signal.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace rankme::testing {

// The non-empty lines of `text`.
std::vector<std::string> lines_of(const std::string& text);
// The non-empty lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix);

std::string lowercase(std::string text);
bool contains_nocase(const std::string& text, const std::string& part);
// `word` occurring with no letter or digit right before or after it ("7" in "shape 7 (1-D)", not in "17").
bool contains_word(const std::string& text, const std::string& word);

// No hang, no signal, and none of what a crashed or aborted rank leaves on stderr (mpiexec's own reports
// included): stricter than expect_no_crash (cli_runs.hpp), which allows a run that was killed.
void expect_no_crash_hang_or_signal(const RunResult& result);

// Every stdout line as JSON (a gtest failure for each line that is not).
std::vector<nlohmann::json> parse_jsonl(const RunResult& result);

// The rows for `dataset` (absolute path) from `file`; an empty `file` matches any.
std::vector<nlohmann::json> rows_for(const std::vector<nlohmann::json>& rows, const std::string& dataset,
                                     const std::string& file = "");
// The single row for `dataset`, or a null json after a test failure.
nlohmann::json row_for(const std::vector<nlohmann::json>& rows, const std::string& dataset,
                       const std::string& file = "");
// The RankMe of an "ok" row, or nothing after a test failure.
std::optional<double> ok_rankme(const nlohmann::json& row, const std::string& what);

// Splits one CSV line (RFC 4180 quoting).
std::vector<std::string> csv_fields(const std::string& line);

}  // namespace rankme::testing
