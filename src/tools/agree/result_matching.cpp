#include "result_matching.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <variant>

#include "file_match.hpp"
#include "number_text.hpp"

namespace rankme::agree {

namespace {

std::string without_leading_slash(const std::string& name) { return name.rfind('/', 0) == 0 ? name.substr(1) : name; }

// A key cell, its number parsed once (a row is compared with every result).
struct KeyCell {
  std::string column;
  std::string text;
  std::optional<double> number;
};

bool param_matches(const ParamValue& value, const KeyCell& cell) {
  if (const double* number = std::get_if<double>(&value)) return cell.number && *cell.number == *number;
  return std::get<std::string>(value) == cell.text;
}

std::string param_text(const ParamValue& value) {
  if (const double* number = std::get_if<double>(&value)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", *number);
    return buffer;
  }
  return std::get<std::string>(value);
}

std::string describe(const DatasetResult& result) {
  std::string text = result.file + ":" + result.dataset;
  std::string params;
  for (const auto& [key, value] : result.params) params += (params.empty() ? "" : " ") + key + "=" + param_text(value);
  return params.empty() ? text : text + " (" + params + ")";
}

// The fields that tell the results apart, as a hint for a row that named several.
std::string differing_fields(const std::vector<DatasetResult>& results, const std::vector<std::size_t>& chosen) {
  std::map<std::string, std::set<std::string>> values;
  for (std::size_t i : chosen) {
    values["file"].insert(results[i].file);
    values["dataset"].insert(results[i].dataset);
    for (const auto& [key, value] : results[i].params) values[key].insert(param_text(value));
  }
  std::string text;
  for (const auto& [key, seen] : values) {
    if (seen.size() > 1) text += (text.empty() ? "" : ", ") + key;
  }
  return text;
}

std::string row_label(const AccuracyTable& table, const AccuracyRow& row) {
  std::string label;
  for (const std::string& column : table.key_columns) {
    const auto cell = row.keys.find(column);
    if (cell != row.keys.end()) label += (label.empty() ? "" : " ") + column + "=" + cell->second;
  }
  return label;
}

}  // namespace

MatchOutcome match_accuracies(const std::vector<DatasetResult>& results, const AccuracyTable& table) {
  std::set<std::string> param_keys;
  for (const DatasetResult& result : results) {
    for (const auto& entry : result.params) param_keys.insert(entry.first);
  }
  for (const std::string& column : table.key_columns) {
    if (column == "file" || column == "dataset" || param_keys.count(column)) continue;
    std::string known;
    for (const std::string& key : param_keys) known += (known.empty() ? "" : ", ") + key;
    throw std::runtime_error("the column '" + column + "' is neither file, dataset nor a param of the results (" +
                             (known.empty() ? std::string("they have no params") : "their params: " + known) +
                             "); choose the columns to match with --match");
  }

  MatchOutcome outcome;
  const FileIndex files(results);
  std::vector<std::size_t> everything(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) everything[i] = i;
  // result index -> the rows that named it alone
  std::map<std::size_t, std::vector<const AccuracyRow*>> named;
  for (const AccuracyRow& row : table.rows) {
    const std::string where = "line " + std::to_string(row.line) + " (" + row_label(table, row) + ")";
    std::vector<KeyCell> cells;
    for (const auto& [column, cell] : row.keys) {
      if (column == "dataset") cells.push_back({column, without_leading_slash(cell), std::nullopt});
      else if (column != "file") cells.push_back({column, cell, parse_number(cell)});
    }
    std::vector<std::size_t> candidates;
    for (std::size_t i : everything) {
      bool fits = true;
      for (const KeyCell& cell : cells) {
        if (cell.column == "dataset") {
          fits = without_leading_slash(results[i].dataset) == cell.text;
        } else {
          const auto param = results[i].params.find(cell.column);
          fits = param != results[i].params.end() && param_matches(param->second, cell);
        }
        if (!fits) break;
      }
      if (fits) candidates.push_back(i);
    }
    if (const auto file = row.keys.find("file"); file != row.keys.end() && !candidates.empty()) {
      const FileIndex::Match match = files.match(file->second, candidates);
      if (!match.problem.empty()) {
        ++outcome.rows_ambiguous;
        outcome.notes.push_back(where + ": " + match.problem);
        continue;
      }
      candidates = match.results;
    }
    if (candidates.empty()) {
      ++outcome.rows_unmatched;
      outcome.notes.push_back(where + ": matches no result");
    } else if (candidates.size() > 1) {
      ++outcome.rows_ambiguous;
      const std::string differ = differing_fields(results, candidates);
      outcome.notes.push_back(where + ": matches " + std::to_string(candidates.size()) + " results, e.g. " +
                              describe(results[candidates[0]]) + " and " + describe(results[candidates[1]]) +
                              (differ.empty() ? std::string() : "; add a column for " + differ));
    } else {
      named[candidates.front()].push_back(&row);
    }
  }
  for (const auto& [index, rows] : named) {
    const DatasetResult& result = results[index];
    if (rows.size() > 1) {
      outcome.rows_conflicting += rows.size();
      std::string lines;
      for (const AccuracyRow* row : rows) lines += (lines.empty() ? "" : ", ") + std::to_string(row->line);
      outcome.notes.push_back("lines " + lines + " all name " + describe(result) + ": left out");
      continue;
    }
    if (result.status == ResultStatus::error) {
      ++outcome.rows_failed;
      outcome.notes.push_back("line " + std::to_string(rows[0]->line) + " names " + describe(result) +
                              ", which rankme could not score (" + result.error + "): left out");
      continue;
    }
    ++outcome.rows_matched;
    outcome.runs.push_back({&result, rows[0]->accuracy, rows[0]->line, row_label(table, *rows[0])});
  }
  return outcome;
}

}  // namespace rankme::agree
