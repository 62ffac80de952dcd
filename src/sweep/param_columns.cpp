#include "rankme/sweep/param_columns.hpp"

#include <charconv>
#include <cstring>
#include <set>

#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

template <typename Rows>
std::vector<std::string> keys_of(const Rows& rows) {
  std::set<std::string> keys;
  for (const auto& row : rows) {
    for (const auto& entry : row.params) keys.insert(entry.first);
  }
  return {keys.begin(), keys.end()};
}

}  // namespace

std::vector<std::string> param_keys_of(const std::vector<DatasetTarget>& targets) { return keys_of(targets); }
std::vector<std::string> param_keys_of(const std::vector<DatasetResult>& results) { return keys_of(results); }

std::vector<std::string> union_of_keys(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string> keys(a.begin(), a.end());
  keys.insert(b.begin(), b.end());
  return {keys.begin(), keys.end()};
}

std::string param_text(const ParamValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, std::get<double>(value));
  return error == std::errc() ? std::string(buffer, end) : format_number(std::get<double>(value), "%.17g");
}

std::string param_header_columns(const std::vector<std::string>& keys) {
  std::string columns;
  for (const std::string& key : keys) columns += "," + csv_field(param_column_prefix + key);
  return columns;
}

std::string param_cells(const Params& params, const std::vector<std::string>& keys) {
  std::string cells;
  for (const std::string& key : keys) {
    const auto found = params.find(key);
    cells += "," + (found != params.end() ? csv_field(param_text(found->second)) : std::string());
  }
  return cells;
}

bool is_param_column(const std::string& name) {
  return name.size() > std::strlen(param_column_prefix) && name.compare(0, std::strlen(param_column_prefix), param_column_prefix) == 0;
}

std::string param_key_of_column(const std::string& name) { return name.substr(std::strlen(param_column_prefix)); }

}  // namespace rankme
