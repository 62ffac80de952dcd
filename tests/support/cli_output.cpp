#include "support/cli_output.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

#include "support/cli_runs.hpp"

namespace rankme::testing {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& line : lines_of(text)) {
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
  }
  return found;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool contains_nocase(const std::string& text, const std::string& part) { return contains(lowercase(text), lowercase(part)); }

bool contains_word(const std::string& text, const std::string& word) {
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
    const std::size_t end = at + word.size();
    const bool right = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (left && right) return true;
  }
  return false;
}

void expect_no_crash_hang_or_signal(const RunResult& result) {
  EXPECT_FALSE(result.hung) << result;
  EXPECT_EQ(result.signal, 0) << result;
  for (const char* sign : {"Abort", "ABORT", "Segmentation", "signal", "internal error", "terminate called"}) {
    EXPECT_FALSE(contains(result.err, sign)) << "stderr mentions '" << sign << "'" << result;
  }
}

std::vector<json> parse_jsonl(const RunResult& result) {
  std::vector<json> rows;
  for (const std::string& line : lines_of(result.out)) {
    try {
      rows.push_back(json::parse(line));
    } catch (const json::exception& error) {
      ADD_FAILURE() << "stdout line is not JSON (" << error.what() << "): " << line << result;
    }
  }
  return rows;
}

std::vector<json> rows_for(const std::vector<json>& rows, const std::string& dataset, const std::string& file) {
  std::vector<json> found;
  for (const json& row : rows) {
    if (row.value("dataset", json()).is_string() && row["dataset"] == dataset &&
        (file.empty() || (row.value("file", json()).is_string() && row["file"] == file))) {
      found.push_back(row);
    }
  }
  return found;
}

json row_for(const std::vector<json>& rows, const std::string& dataset, const std::string& file) {
  const std::vector<json> found = rows_for(rows, dataset, file);
  EXPECT_EQ(found.size(), 1u) << "rows for dataset '" << dataset << "'" << (file.empty() ? "" : " in '" + file + "'");
  return found.size() == 1 ? found.front() : json();
}

std::optional<double> ok_rankme(const json& row, const std::string& what) {
  if (!row.is_object()) return std::nullopt;
  EXPECT_EQ(row.value("status", json()), "ok") << what << ": " << row.dump();
  const json value = row.value("rankme", json());
  EXPECT_TRUE(value.is_number()) << what << ": " << row.dump();
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace rankme::testing
