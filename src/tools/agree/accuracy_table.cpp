#include "accuracy_table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>

#include "rankme/sweep/result_csv.hpp"
#include "number_text.hpp"

namespace rankme::agree {

namespace {

std::string trimmed(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

std::vector<std::string> split_record(const std::string& line, const std::string& where) {
  try {
    std::vector<std::string> fields = split_csv_line(line);
    for (std::string& field : fields) field = trimmed(field);
    return fields;
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(where + ": " + error.what() +
                             " (a quoted field may hold commas and \"\" but not a line break)");
  }
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// What pandas and spreadsheets write for a missing value.
bool missing_value(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text.empty() || text == "na" || text == "nan" || text == "n/a" || text == "null" || text == "none";
}

}  // namespace

AccuracyTable parse_accuracy_table(std::istream& in, const std::string& name, const std::string& accuracy_column,
                                   const std::vector<std::string>& match_columns) {
  AccuracyTable table;
  table.accuracy_column = accuracy_column;
  std::vector<std::string> header;
  std::size_t accuracy_index = 0;
  std::vector<std::size_t> key_indices;
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a spreadsheet's BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trimmed(line).empty()) continue;
    const std::string where = name + ":" + std::to_string(number);
    std::vector<std::string> fields = split_record(line, where);
    if (header.empty()) {
      header = fields;
      std::set<std::string> seen;
      for (const std::string& column : header) {
        if (column.empty()) throw std::runtime_error(where + ": the header has an empty column name");
        if (!seen.insert(column).second) throw std::runtime_error(where + ": the header names '" + column + "' twice");
      }
      const auto accuracy = std::find(header.begin(), header.end(), accuracy_column);
      if (accuracy == header.end()) {
        throw std::runtime_error(where + ": no column '" + accuracy_column + "' (the columns are: " + joined(header) +
                                 "); name the accuracy column with --accuracy-column");
      }
      accuracy_index = static_cast<std::size_t>(accuracy - header.begin());
      for (const std::string& column : match_columns) {
        const auto found = std::find(header.begin(), header.end(), column);
        if (found == header.end()) {
          throw std::runtime_error(where + ": --match names '" + column + "', which is not a column (the columns are: " +
                                   joined(header) + ")");
        }
        if (column == accuracy_column) throw std::runtime_error("--match names the accuracy column '" + column + "'");
      }
      for (std::size_t i = 0; i < header.size(); ++i) {
        const bool chosen = match_columns.empty()
                                ? i != accuracy_index
                                : std::find(match_columns.begin(), match_columns.end(), header[i]) != match_columns.end();
        if (chosen) {
          key_indices.push_back(i);
          table.key_columns.push_back(header[i]);
        }
      }
      if (key_indices.empty()) {
        throw std::runtime_error(where + ": no column besides '" + accuracy_column +
                                 "' to match results by (file, dataset, or params such as lr)");
      }
      continue;
    }
    if (fields.size() != header.size()) {
      throw std::runtime_error(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                               std::to_string(header.size()));
    }
    const std::string& cell = fields[accuracy_index];
    if (missing_value(cell)) {
      table.rows_without_accuracy.push_back(number);
      continue;
    }
    const std::optional<double> accuracy = parse_number(cell);
    if (!accuracy || !std::isfinite(*accuracy)) {
      throw std::runtime_error(where + ": '" + accuracy_column + "' is '" + cell + "', not a number");
    }
    AccuracyRow row;
    row.line = number;
    row.accuracy = *accuracy;
    for (std::size_t i : key_indices) {
      if (!fields[i].empty()) row.keys[header[i]] = fields[i];
    }
    table.rows.push_back(std::move(row));
  }
  if (header.empty()) throw std::runtime_error(name + ": empty: expected a header row, e.g. 'file,accuracy'");
  return table;
}

AccuracyTable read_accuracy_table(const std::string& path, const std::string& accuracy_column,
                                  const std::vector<std::string>& match_columns) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  return parse_accuracy_table(in, path, accuracy_column, match_columns);
}

}  // namespace rankme::agree
