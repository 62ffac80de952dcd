#include "rankme/app/dataset_listing.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "rankme/pipeline/dataset_target_json.hpp"
#include "rankme/pipeline/run_params_json.hpp"
#include "rankme/sweep/param_columns.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

const char* listing_status(const DatasetTarget& target) { return target.scorable() ? "listed" : "error"; }

std::string pool_text(const DatasetTarget& target) {
  return target.pool == PoolMode::none ? std::string() : pool_mode_name(target.pool);
}

// "epoch=3 lr=0.1 opt=adamw": what the table says of a target's params.
std::string params_text(const Params& params) {
  std::string text;
  for (const auto& [key, value] : params) text += (text.empty() ? "" : " ") + key + "=" + param_text(value);
  return text;
}

void print_listing_table(const std::vector<DatasetTarget>& targets, bool any_failed, std::ostream& out) {
  // The params last (they may be long), and only when some dataset has any: what --best-per would group by.
  const bool any_params = std::any_of(targets.begin(), targets.end(), [](const DatasetTarget& t) { return !t.params.empty(); });
  std::vector<std::vector<std::string>> cells = {{"file", "dataset", "rows", "cols", "dtype"}};
  if (any_failed) cells.front().insert(cells.front().end(), {"status", "error"});
  if (any_params) cells.front().push_back("params");
  for (const DatasetTarget& target : targets) {
    // --concat and --pool said beside the names: "runs/a (8 parts)", "/tokens (pool mean)".
    const std::string file = target.parts.empty() ? target.file : target.file + " (" + std::to_string(target.parts.size()) + (target.parts.size() == 1 ? " part)" : " parts)");
    const std::string dataset = target.dataset.empty() ? "-" : target.dataset;
    std::vector<std::string> row = {file, target.pool == PoolMode::none ? dataset : dataset + " (pool " + pool_text(target) + ")",
                                    target.rows ? std::to_string(target.rows) : "-",
                                    target.cols ? std::to_string(target.cols) : "-",
                                    target.dtype.empty() ? "-" : target.dtype};
    if (any_failed) row.insert(row.end(), {listing_status(target), target.error});
    if (any_params) row.push_back(params_text(target.params));
    cells.push_back(row);
  }
  print_aligned_table(cells, {false, false, true, true}, out);  // rows and cols right-aligned
}

std::string listing_json_line(const DatasetTarget& target) {
  nlohmann::json json;
  write_listed_keys(target, json);
  json["status"] = listing_status(target);
  json["pool"] = target.pool == PoolMode::none ? nlohmann::json(nullptr) : nlohmann::json(pool_text(target));
  json["shape"] = target.shape;
  json["params"] = params_to_json(target.params);
  if (target.parts.empty()) {
    json["parts"] = nullptr;
  } else {
    json["parts"] = nlohmann::json::array();
    for (const DatasetTarget& part : target.parts) json["parts"].push_back({{"file", part.file}, {"dataset", part.dataset}, {"rows", part.rows}});
  }
  return json_text(json);
}

std::string listing_csv_line(const DatasetTarget& target, const std::vector<std::string>& param_keys) {
  return csv_field(target.file) + "," + csv_field(target.dataset) + "," + std::to_string(target.rows) + "," +
         std::to_string(target.cols) + "," + csv_field(target.dtype) + "," + listing_status(target) + "," +
         csv_field(target.error) + "," + csv_field(pool_text(target)) + "," +
         (target.parts.empty() ? std::string() : std::to_string(target.parts.size())) +
         param_cells(target.params, param_keys);
}

}  // namespace

bool print_listing(const std::vector<DatasetTarget>& targets, OutputFormat format, std::ostream& out) {
  const bool any_failed = std::any_of(targets.begin(), targets.end(), [](const DatasetTarget& t) { return !t.scorable(); });
  switch (format) {
    case OutputFormat::table:
      print_listing_table(targets, any_failed, out);
      break;
    case OutputFormat::jsonl:
      for (const DatasetTarget& target : targets) out << listing_json_line(target) << '\n';
      break;
    case OutputFormat::csv: {
      const std::vector<std::string> param_keys = param_keys_of(targets);
      out << "file,dataset,rows,cols,dtype,status,error,pool,parts" << param_header_columns(param_keys) << '\n';
      for (const DatasetTarget& target : targets) out << listing_csv_line(target, param_keys) << '\n';
      break;
    }
  }
  out.flush();
  return !any_failed;
}

}  // namespace rankme
