#include "rankme/sweep/result_csv.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/pipeline/path_params.hpp"
#include "rankme/sweep/param_columns.hpp"

namespace rankme {

namespace {

template <typename Integer>
Integer parse_integer(const std::string& text, const char* column) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::runtime_error(std::string("bad ") + column + " '" + text + "'");
  }
  return value;
}

double parse_double(const std::string& text, const char* column) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::runtime_error(std::string("bad ") + column + " '" + text + "'");
  }
  return value;
}

}  // namespace

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false, after_quote = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
        after_quote = true;
      }
    } else if (c == ',') {
      fields.emplace_back();
      after_quote = false;
    } else if (after_quote) {
      throw std::runtime_error("text after a closing quote");
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quote");
  return fields;
}

ResultCsvLayout::ResultCsvLayout(const std::string& header_line) {
  const std::vector<std::string> names = split_csv_line(header_line);
  for (std::size_t i = 0; i < names.size(); ++i) {
    index_[names[i]] = i;
    if (is_param_column(names[i])) param_columns_.emplace_back(i, param_key_of_column(names[i]));
  }
  names_ = names;
  columns_ = names.size();
  for (const char* required : {"file", "dataset", "rows", "cols", "rankme", "status"}) {
    if (!index_.count(required)) throw std::runtime_error(std::string("no '") + required + "' column");
  }
}

DatasetResult ResultCsvLayout::parse(const std::string& line) const {
  const std::vector<std::string> fields = split_csv_line(line);
  if (fields.size() != columns_) {
    throw std::runtime_error(std::to_string(fields.size()) + " fields, the header has " + std::to_string(columns_));
  }
  const auto field = [&](const char* name) -> std::optional<std::string> {
    const auto found = index_.find(name);
    if (found == index_.end()) return std::nullopt;
    return fields[found->second];
  };
  DatasetResult result;
  result.file = *field("file");
  result.dataset = *field("dataset");
  result.rows = parse_integer<std::uint64_t>(*field("rows"), "rows");
  result.cols = parse_integer<std::uint64_t>(*field("cols"), "cols");
  result.status = status_from_name(*field("status"));
  if (const std::string rankme = *field("rankme"); !rankme.empty()) result.rankme = parse_double(rankme, "rankme");
  result.dtype = field("dtype").value_or("");
  result.error = field("error").value_or("");
  result.solver = field("solver").value_or("");
  if (auto seconds = field("seconds"); seconds && !seconds->empty()) result.seconds = parse_double(*seconds, "seconds");
  if (auto ranks = field("ranks"); ranks && !ranks->empty()) result.ranks = parse_integer<int>(*ranks, "ranks");
  if (auto size = field("file_size"); size) result.file_size = parse_integer<std::uint64_t>(*size, "file_size");
  if (auto mtime = field("file_mtime_ns"); mtime) result.file_mtime_ns = parse_integer<std::int64_t>(*mtime, "file_mtime_ns");
  result.canonical_file = field("canonical_file").value_or("");
  result.pool = field("pool").value_or("");
  if (auto parts = field("parts"); parts && !parts->empty()) result.part_count = parse_integer<std::uint64_t>(*parts, "parts");
  // The other metrics (inf and nan as written) and LiDAR, where their columns are filled: rankme-agree
  // compares each with the probes.
  for (const std::string& name : metric_names()) {
    if (name == "rankme") continue;
    if (auto value = field(name.c_str()); value && !value->empty()) result.metrics[name] = parse_double(*value, name.c_str());
  }
  if (auto lidar = field("lidar"); lidar && !lidar->empty()) result.lidar = parse_double(*lidar, "lidar");
  // Absent from files written before them (rows_used stays 0: unknown).
  if (auto used = field("rows_used"); used && !used->empty()) result.rows_used = parse_integer<std::uint64_t>(*used, "rows_used");
  result.precision = field("precision").value_or("");
  result.method = field("method").value_or("");
  for (const auto& [index, key] : param_columns_) {
    if (!fields[index].empty()) result.params[key] = param_value_of(fields[index]);
  }
  return result;
}

}  // namespace rankme
