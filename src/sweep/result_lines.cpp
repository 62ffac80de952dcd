#include "rankme/sweep/result_lines.hpp"

#include <nlohmann/json.hpp>

#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/sweep/dataset_result_json.hpp"
#include "rankme/sweep/param_columns.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

std::string csv_header(CsvColumns columns) {
  std::string header = "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver";
  for (const std::string& name : metric_names()) {
    if (name != "rankme") header += "," + name;
  }
  if (columns != CsvColumns::report) header += ",file_size,file_mtime_ns";
  if (columns == CsvColumns::with_file_identity || columns == CsvColumns::before_pooling ||
      columns == CsvColumns::before_lidar || columns == CsvColumns::before_rows_used) {
    header += ",canonical_file";
  }
  if (columns == CsvColumns::report || columns == CsvColumns::with_file_identity || columns == CsvColumns::before_lidar ||
      columns == CsvColumns::before_rows_used) {
    header += ",pool,parts";
  }
  if (columns == CsvColumns::report || columns == CsvColumns::with_file_identity ||
      columns == CsvColumns::before_rows_used) {
    header += ",lidar";
  }
  if (columns == CsvColumns::report || columns == CsvColumns::with_file_identity) header += ",rows_used,precision,method";
  return header;
}

std::string to_csv_line(const DatasetResult& result, CsvColumns columns) {
  std::string line = csv_field(result.file) + "," + csv_field(result.dataset) + "," + std::to_string(result.rows) +
                     "," + std::to_string(result.cols) + "," + csv_field(result.dtype) + ",";
  if (result.rankme) line += format_number(*result.rankme, "%.17g");
  line += std::string(",") + status_name(result.status) + "," + csv_field(result.error) + "," +
          format_number(result.seconds, "%.6f") + "," + std::to_string(result.ranks) + "," + csv_field(result.solver);
  // Every metric has its column (empty when not asked for); inf and nan as written, which pandas reads.
  for (const std::string& name : metric_names()) {
    if (name == "rankme") continue;
    const auto found = result.metrics.find(name);
    line += "," + (found != result.metrics.end() ? format_number(found->second, "%.17g") : std::string());
  }
  if (columns != CsvColumns::report) {
    line += "," + std::to_string(result.file_size) + "," + std::to_string(result.file_mtime_ns);
  }
  if (columns == CsvColumns::with_file_identity || columns == CsvColumns::before_pooling ||
      columns == CsvColumns::before_lidar || columns == CsvColumns::before_rows_used) {
    line += "," + csv_field(result.canonical_file);
  }
  if (columns == CsvColumns::report || columns == CsvColumns::with_file_identity || columns == CsvColumns::before_lidar ||
      columns == CsvColumns::before_rows_used) {
    // The number of parts only (empty for one dataset): their identities are in the JSON lines.
    line += "," + csv_field(result.pool) + "," + (result.part_count > 0 ? std::to_string(result.part_count) : std::string());
  }
  if (columns == CsvColumns::report || columns == CsvColumns::with_file_identity ||
      columns == CsvColumns::before_rows_used) {
    line += "," + (result.lidar ? format_number(*result.lidar, "%.17g") : std::string());
  }
  if (columns == CsvColumns::report || columns == CsvColumns::with_file_identity) {
    // What changes the number: the rows scored (--rows, --sample) and how (empty when nothing was scored).
    const bool scored = result.status == ResultStatus::ok || result.status == ResultStatus::nonfinite;
    line += "," + (scored && result.rows_used > 0 ? std::to_string(result.rows_used) : std::string()) + "," +
            csv_field(result.precision) + "," + csv_field(result.method);
  }
  return line;
}

std::string csv_header(CsvColumns columns, const std::vector<std::string>& param_keys) {
  return csv_header(columns) + param_header_columns(param_keys);
}

std::string to_csv_line(const DatasetResult& result, CsvColumns columns, const std::vector<std::string>& param_keys) {
  return to_csv_line(result, columns) + param_cells(result.params, param_keys);
}

std::string to_json_line(const DatasetResult& result) {
  // The spectrum goes to --spectrum's HDF5 file, not into every line of the reports.
  nlohmann::json json = result_to_json(result);
  json.erase("singular_values");
  return json_text(json);
}

}  // namespace rankme
