#include "rankme/app/best_per_report.hpp"

#include <nlohmann/json.hpp>

#include "rankme/pipeline/run_params_json.hpp"
#include "rankme/sweep/param_columns.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

constexpr const char* no_value = "(none)";

nlohmann::json json_of(const std::optional<ParamValue>& value) {
  if (!value) return nullptr;
  if (const auto* number = std::get_if<double>(&*value)) return *number;
  return std::get<std::string>(*value);
}

std::optional<ParamValue> param_of(const DatasetResult& result, const char* key) {
  const auto found = result.params.find(key);
  if (found == result.params.end()) return std::nullopt;
  return found->second;
}

// The best checkpoint's params that neither group it nor give its position: what else is known of the run.
Params other_params(const ResultGroup& group, const std::vector<std::string>& keys) {
  Params params = group.best.params;
  params.erase("epoch");
  params.erase("step");
  for (const std::string& key : keys) params.erase(key);
  return params;
}

std::string score_text(const DatasetResult& best, const char* format) {
  return best.status == ResultStatus::ok && best.rankme ? format_number(*best.rankme, format) : status_name(best.status);
}

void print_table(const BestPerGroup& grouped, std::ostream& out) {
  bool any_epoch = false, any_step = false, any_other = false, any_lidar = false;
  for (const ResultGroup& group : grouped.groups) {
    any_lidar = any_lidar || group.best.lidar.has_value();
    any_epoch = any_epoch || group.best.params.count("epoch") > 0;
    any_step = any_step || group.best.params.count("step") > 0;
    any_other = any_other || !other_params(group, grouped.keys).empty();
  }
  std::vector<std::string> header = grouped.keys;
  std::vector<bool> right(grouped.keys.size(), false);
  const auto add_column = [&](const char* name, bool is_number) {
    header.push_back(name);
    right.push_back(is_number);
  };
  add_column("rankme", true);
  if (any_lidar) add_column("lidar", true);  // the picked checkpoint's, beside the score that picked it
  if (any_epoch) add_column("epoch", true);
  if (any_step) add_column("step", true);
  add_column("scored", true);
  add_column("file", false);
  add_column("dataset", false);
  if (any_other) add_column("params", false);
  std::vector<std::vector<std::string>> cells = {header};
  for (const ResultGroup& group : grouped.groups) {
    std::vector<std::string> row;
    for (const auto& value : group.values) row.push_back(value ? param_text(*value) : no_value);
    row.push_back(score_text(group.best, "%.6f"));
    if (any_lidar) row.push_back(group.best.lidar ? format_number(*group.best.lidar, "%.6f") : std::string("-"));
    const auto position = [&](const char* key) {
      const auto value = param_of(group.best, key);
      return value ? param_text(*value) : std::string("-");
    };
    if (any_epoch) row.push_back(position("epoch"));
    if (any_step) row.push_back(position("step"));
    row.push_back(std::to_string(group.scored) + "/" + std::to_string(group.results));
    row.push_back(group.best.file);
    row.push_back(group.best.dataset.empty() ? "-" : group.best.dataset);
    if (any_other) {
      std::string params;
      for (const auto& [key, value] : other_params(group, grouped.keys)) {
        params += (params.empty() ? "" : " ") + key + "=" + param_text(value);
      }
      row.push_back(params);
    }
    cells.push_back(std::move(row));
  }
  print_aligned_table(cells, right, out);
}

void print_jsonl(const BestPerGroup& grouped, std::ostream& out) {
  for (const ResultGroup& group : grouped.groups) {
    nlohmann::json line;
    nlohmann::json values = nlohmann::json::object();
    for (std::size_t k = 0; k < grouped.keys.size(); ++k) values[grouped.keys[k]] = json_of(group.values[k]);
    line["group"] = values;
    line["status"] = status_name(group.best.status);
    line["rankme"] = group.best.rankme ? nlohmann::json(*group.best.rankme) : nlohmann::json(nullptr);
    line["lidar"] = group.best.lidar ? nlohmann::json(*group.best.lidar) : nlohmann::json(nullptr);
    line["epoch"] = json_of(param_of(group.best, "epoch"));
    line["step"] = json_of(param_of(group.best, "step"));
    line["file"] = group.best.file;
    line["dataset"] = group.best.dataset;
    line["results"] = group.results;
    line["scored"] = group.scored;
    line["params"] = params_to_json(group.best.params);
    out << json_text(line) << '\n';
  }
}

void print_csv(const BestPerGroup& grouped, std::ostream& out) {
  std::vector<DatasetResult> bests;
  for (const ResultGroup& group : grouped.groups) bests.push_back(group.best);
  const std::vector<std::string> keys = param_keys_of(bests);
  std::string header;
  for (const std::string& key : grouped.keys) header += csv_field("group." + key) + ",";
  out << header << "status,rankme,lidar,epoch,step,file,dataset,results,scored" << param_header_columns(keys) << '\n';
  const auto cell = [](const std::optional<ParamValue>& value) { return value ? csv_field(param_text(*value)) : std::string(); };
  for (const ResultGroup& group : grouped.groups) {
    std::string line;
    for (const auto& value : group.values) line += cell(value) + ",";
    line += std::string(status_name(group.best.status)) + "," +
            (group.best.rankme ? format_number(*group.best.rankme, "%.17g") : std::string()) + "," +
            (group.best.lidar ? format_number(*group.best.lidar, "%.17g") : std::string()) + "," + cell(param_of(group.best, "epoch")) + "," + cell(param_of(group.best, "step")) + "," +
            csv_field(group.best.file) + "," + csv_field(group.best.dataset) + "," + std::to_string(group.results) + "," +
            std::to_string(group.scored) + param_cells(group.best.params, keys);
    out << line << '\n';
  }
}

}  // namespace

void print_best_per(const BestPerGroup& grouped, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::table: print_table(grouped, out); break;
    case OutputFormat::jsonl: print_jsonl(grouped, out); break;
    case OutputFormat::csv: print_csv(grouped, out); break;
  }
  out.flush();
}

std::vector<std::string> best_per_notes(const BestPerGroup& grouped, std::size_t results) {
  std::vector<std::string> notes;
  for (std::size_t k = 0; k < grouped.keys.size(); ++k) {
    if (grouped.missing[k] == 0) continue;
    notes.push_back(std::to_string(grouped.missing[k]) + " of " + std::to_string(results) + " result" +
                    (results == 1 ? "" : "s") + " have no param '" + grouped.keys[k] + "': grouped under " + no_value);
  }
  return notes;
}

}  // namespace rankme
