#include "rankme/sweep/dataset_result_json.hpp"

#include <stdexcept>

#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/pipeline/dataset_target_json.hpp"
#include "rankme/pipeline/run_params_json.hpp"

namespace rankme {

nlohmann::json result_to_json(const DatasetResult& result) {
  nlohmann::json json;
  write_listed_keys(result, json);  // file, dataset, rows, cols, dtype, error
  json["rows_used"] = result.rows_used;
  json["rankme"] = result.rankme ? nlohmann::json(*result.rankme) : nlohmann::json(nullptr);
  json["status"] = status_name(result.status);
  json["seconds"] = result.seconds;
  json["ranks"] = result.ranks;
  json["solver"] = result.solver.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.solver);
  json["precision"] = result.precision.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.precision);
  json["precision_fallback"] = result.precision_fallback;
  json["mixed_error_estimate"] =
      result.mixed_error_estimate ? nlohmann::json(*result.mixed_error_estimate) : nlohmann::json(nullptr);
  json["method"] = result.method.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.method);
  json["method_fallback"] = result.method_fallback;
  json["predicted_error"] = result.predicted_error ? nlohmann::json(*result.predicted_error) : nlohmann::json(nullptr);
  if (result.timings) {
    const PhaseTimings& t = *result.timings;
    json["timings"] = {{"open", t.open},         {"read", t.read},           {"decode", t.decode},
                       {"convert", t.convert},   {"read_wait", t.read_wait}, {"gram", t.gram},
                       {"reduce", t.reduce},     {"eigensolve", t.eigensolve}, {"metrics", t.metrics},
                       {"total", t.total},       {"block_rows", t.block_rows}};
  }
  write_file_identity_keys(result, json);
  json["pool"] = result.pool.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.pool);
  // --concat: every part as listed (its identity is part of the result's, for --resume); null otherwise.
  if (result.parts.empty()) {
    json["parts"] = nullptr;
  } else {
    json["parts"] = nlohmann::json::array();
    for (const ResultPart& part : result.parts) {
      json["parts"].push_back({{"file", part.file},
                               {"dataset", part.dataset},
                               {"rows", part.rows},
                               {"canonical_file", part.canonical_file.empty() ? nlohmann::json(nullptr)
                                                                              : nlohmann::json(part.canonical_file)},
                               {"file_size", part.file_size},
                               {"file_mtime_ns", part.file_mtime_ns}});
    }
  }
  // Every metric has its key, null when not asked for. Values go in as they are: CBOR (messages between
  // ranks) keeps infinities and NaN exactly, and JSON text writes them as null.
  for (const std::string& name : metric_names()) {
    if (name == "rankme") continue;
    const auto found = result.metrics.find(name);
    json[name] = found != result.metrics.end() ? nlohmann::json(found->second) : nlohmann::json(nullptr);
  }
  json["lidar"] = result.lidar ? nlohmann::json(*result.lidar) : nlohmann::json(nullptr);
  json["params"] = params_to_json(result.params);
  json["blas"] = result.blas ? blas_kernel_to_json(*result.blas) : nlohmann::json(nullptr);
  // Only with --spectrum (for rank 0's spectrum file): to_json_line leaves it out of the reports.
  if (!result.singular_values.empty()) json["singular_values"] = result.singular_values;
  return json;
}

DatasetResult result_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw std::runtime_error("not a JSON object");
  DatasetResult result;
  try {
    // The defaults of the file identity never match a real file, so such a result is not taken for one by
    // --resume.
    read_listed_keys(json, result);  // file, dataset, rows, cols, dtype, error, file_size, file_mtime_ns
    result.status = status_from_name(json.at("status").get<std::string>());
    const nlohmann::json& rankme = json.at("rankme");
    if (!rankme.is_null()) result.rankme = rankme.get<double>();
    const auto text_or_empty = [&](const char* key) {
      return json.contains(key) && !json[key].is_null() ? json[key].get<std::string>() : std::string();
    };
    result.solver = text_or_empty("solver");
    result.precision = text_or_empty("precision");
    result.precision_fallback = json.value("precision_fallback", false);
    if (json.contains("mixed_error_estimate") && json["mixed_error_estimate"].is_number()) {
      result.mixed_error_estimate = json["mixed_error_estimate"].get<double>();
    }
    result.method = text_or_empty("method");
    result.method_fallback = json.value("method_fallback", false);
    if (json.contains("predicted_error") && json["predicted_error"].is_number()) {
      result.predicted_error = json["predicted_error"].get<double>();
    }
    if (json.contains("timings") && json["timings"].is_object()) {
      const nlohmann::json& t = json["timings"];
      PhaseTimings timings;
      timings.open = t.value("open", 0.0);
      timings.read = t.value("read", 0.0);
      timings.decode = t.value("decode", 0.0);
      timings.convert = t.value("convert", 0.0);
      timings.read_wait = t.value("read_wait", 0.0);
      timings.gram = t.value("gram", 0.0);
      timings.reduce = t.value("reduce", 0.0);
      timings.eigensolve = t.value("eigensolve", 0.0);
      timings.metrics = t.value("metrics", 0.0);
      timings.total = t.value("total", 0.0);
      timings.block_rows = t.value("block_rows", std::uint64_t{0});
      result.timings = timings;
    }
    result.pool = text_or_empty("pool");
    if (json.contains("parts") && json["parts"].is_array()) {
      for (const nlohmann::json& entry : json["parts"]) {
        ResultPart part;
        part.file = entry.at("file").get<std::string>();
        part.dataset = entry.at("dataset").get<std::string>();
        part.rows = entry.at("rows").get<std::uint64_t>();
        if (entry.contains("canonical_file") && entry["canonical_file"].is_string()) {
          part.canonical_file = entry["canonical_file"].get<std::string>();
        }
        part.file_size = entry.value("file_size", std::uint64_t{0});
        part.file_mtime_ns = entry.value("file_mtime_ns", std::int64_t{0});
        result.parts.push_back(part);
      }
    }
    result.part_count = result.parts.size();
    result.seconds = json.value("seconds", 0.0);
    result.rows_used = json.value("rows_used", std::uint64_t{0});
    result.ranks = json.value("ranks", 1);
    for (const std::string& name : metric_names()) {
      if (name != "rankme" && json.contains(name) && json[name].is_number()) result.metrics[name] = json[name].get<double>();
    }
    if (json.contains("singular_values")) result.singular_values = json["singular_values"].get<std::vector<double>>();
    if (json.contains("lidar") && json["lidar"].is_number()) result.lidar = json["lidar"].get<double>();
    if (json.contains("params")) result.params = params_from_json(json["params"]);
    if (json.contains("blas")) result.blas = blas_kernel_from_json(json["blas"]);
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(std::string("not a result: ") + error.what());
  }
  return result;
}

// The BLAS kernel report (parallel/blas_kernel_guard.hpp), one object per result line.

nlohmann::json blas_kernel_to_json(const BlasKernelReport& report) {
  nlohmann::json json = {{"library", report.library},
                         {"version", report.version},
                         {"kernel", report.kernel},
                         {"chosen_by", to_string(report.chosen_by)}};
  if (report.chosen_by == KernelChooser::rankme) json["library_kernel"] = report.library_kernel;
  return json;
}

std::optional<BlasKernelReport> blas_kernel_from_json(const nlohmann::json& json) {
  if (!json.is_object()) return std::nullopt;
  const auto text = [&](const char* key) -> std::optional<std::string> {
    if (!json.contains(key) || !json[key].is_string()) return std::nullopt;
    return json[key].get<std::string>();
  };
  const auto library = text("library"), version = text("version"), kernel = text("kernel"), chosen_by = text("chosen_by");
  const auto chooser = chosen_by ? kernel_chooser_from_name(*chosen_by) : std::nullopt;
  if (!library || !version || !kernel || !chooser) return std::nullopt;
  BlasKernelReport report;
  report.library = *library;
  report.version = *version;
  report.kernel = *kernel;
  report.chosen_by = *chooser;
  report.library_kernel = text("library_kernel").value_or("");
  return report;
}

}  // namespace rankme
