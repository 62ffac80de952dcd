#include "rankme/app/dataset_listing.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "rankme/pipeline/dataset_target_json.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

const char* listing_status(const DatasetTarget& target) { return target.scorable() ? "listed" : "error"; }

void print_listing_table(const std::vector<DatasetTarget>& targets, bool any_failed, std::ostream& out) {
  std::vector<std::vector<std::string>> cells = {{"file", "dataset", "rows", "cols", "dtype"}};
  if (any_failed) cells.front().insert(cells.front().end(), {"status", "error"});
  for (const DatasetTarget& target : targets) {
    std::vector<std::string> row = {target.file, target.dataset.empty() ? "-" : target.dataset,
                                    target.rows ? std::to_string(target.rows) : "-",
                                    target.cols ? std::to_string(target.cols) : "-",
                                    target.dtype.empty() ? "-" : target.dtype};
    if (any_failed) row.insert(row.end(), {listing_status(target), target.error});
    cells.push_back(row);
  }
  print_aligned_table(cells, {false, false, true, true}, out);  // rows and cols right-aligned
}

std::string listing_json_line(const DatasetTarget& target) {
  nlohmann::json json;
  write_listed_keys(target, json);
  json["status"] = listing_status(target);
  return json_text(json);
}

std::string listing_csv_line(const DatasetTarget& target) {
  return csv_field(target.file) + "," + csv_field(target.dataset) + "," + std::to_string(target.rows) + "," +
         std::to_string(target.cols) + "," + csv_field(target.dtype) + "," + listing_status(target) + "," +
         csv_field(target.error);
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
    case OutputFormat::csv:
      out << "file,dataset,rows,cols,dtype,status,error\n";
      for (const DatasetTarget& target : targets) out << listing_csv_line(target) << '\n';
      break;
  }
  out.flush();
  return !any_failed;
}

}  // namespace rankme
