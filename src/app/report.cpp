#include "rankme/app/report.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include "rankme/sweep/result_lines.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

// Rank in the leaderboard: scored first, then diverged runs, then everything that has no result.
int leaderboard_group(const DatasetResult& result) {
  if (result.status == ResultStatus::ok && result.rankme) return 0;
  if (result.status == ResultStatus::nonfinite) return 1;
  return 2;
}

}  // namespace

void sort_for_leaderboard(std::vector<DatasetResult>& results) {
  std::stable_sort(results.begin(), results.end(), [](const DatasetResult& a, const DatasetResult& b) {
    const int group_a = leaderboard_group(a), group_b = leaderboard_group(b);
    if (group_a != group_b) return group_a < group_b;
    return group_a == 0 && *a.rankme > *b.rankme;
  });
}

ResultReport::ResultReport(OutputFormat format, std::ostream& out, std::vector<std::string> param_keys,
                           std::vector<std::string> table_metrics)
    : format_(format), out_(out), param_keys_(std::move(param_keys)), table_metrics_(std::move(table_metrics)) {}

void ResultReport::add(const DatasetResult& result) {
  switch (format_) {
    case OutputFormat::jsonl:
      out_ << to_json_line(result) << std::endl;
      break;
    case OutputFormat::csv:
      if (!header_written_) out_ << csv_header(CsvColumns::report, param_keys_) << '\n';
      header_written_ = true;
      out_ << to_csv_line(result, CsvColumns::report, param_keys_) << std::endl;
      break;
    case OutputFormat::table:
      table_rows_.push_back(result);
      break;
  }
}

void ResultReport::finish() {
  if (format_ == OutputFormat::csv && !header_written_) out_ << csv_header(CsvColumns::report, param_keys_) << std::endl;
  if (format_ != OutputFormat::table) return;
  sort_for_leaderboard(table_rows_);
  // Every row tied with the top score is marked: the table should not pick a winner the numbers do not.
  const bool any_scored = !table_rows_.empty() && leaderboard_group(table_rows_.front()) == 0;
  const double best = any_scored ? *table_rows_.front().rankme : 0;
  std::vector<std::vector<std::string>> cells = {{"file", "dataset", "rows", "cols", "dtype", "rankme", "seconds", ""}};
  // A lidar column after rankme when any row has LiDAR (--lidar); "-" where it is null.
  const bool any_lidar = std::any_of(table_rows_.begin(), table_rows_.end(), [](const DatasetResult& result) { return result.lidar.has_value(); });
  if (any_lidar) cells.front().insert(cells.front().begin() + 6, "lidar");
  // rows_used after rows when any dataset was scored on fewer rows than it has (--rows, --sample); "-" where
  // nothing was scored.
  const auto scored_rows = [](const DatasetResult& result) -> std::optional<std::uint64_t> {
    const bool scored = result.status == ResultStatus::ok || result.status == ResultStatus::nonfinite;
    if (!scored || result.rows_used == 0) return std::nullopt;
    return result.rows_used;
  };
  const bool any_fewer_rows = std::any_of(table_rows_.begin(), table_rows_.end(), [&](const DatasetResult& result) {
    return scored_rows(result) && *scored_rows(result) != result.rows;
  });
  if (any_fewer_rows) cells.front().insert(cells.front().begin() + 3, "rows_used");
  // The metrics --metrics named, after rankme (and lidar).
  const std::size_t metrics_at = 6 + (any_fewer_rows ? 1 : 0) + (any_lidar ? 1 : 0);
  cells.front().insert(cells.front().begin() + static_cast<std::ptrdiff_t>(metrics_at), table_metrics_.begin(),
                       table_metrics_.end());
  for (const DatasetResult& result : table_rows_) {
    const std::string score = result.rankme ? format_number(*result.rankme, "%.6f") : status_name(result.status);
    const bool is_best = any_scored && leaderboard_group(result) == 0 && *result.rankme == best;
    // --concat and --pool said beside the names: "runs/a (8 parts)", "/tokens (pool mean)".
    const std::string file =
        result.part_count > 0 ? result.file + " (" + std::to_string(result.part_count) + (result.part_count == 1 ? " part)" : " parts)") : result.file;
    const std::string dataset = result.dataset.empty() ? "-" : result.dataset;
    cells.push_back({file, result.pool.empty() ? dataset : dataset + " (pool " + result.pool + ")",
                     result.rows ? std::to_string(result.rows) : "-", result.cols ? std::to_string(result.cols) : "-",
                     result.dtype.empty() ? "-" : result.dtype, score, format_number(result.seconds, "%.3f"),
                     is_best ? "<- best" : ""});
    if (any_lidar) cells.back().insert(cells.back().begin() + 6, result.lidar ? format_number(*result.lidar, "%.6f") : "-");
    if (any_fewer_rows) {
      const auto used = scored_rows(result);
      cells.back().insert(cells.back().begin() + 3, used ? std::to_string(*used) : "-");
    }
    std::vector<std::string> metric_cells;
    for (const std::string& name : table_metrics_) {
      const auto found = result.metrics.find(name);
      metric_cells.push_back(found != result.metrics.end() ? format_number(found->second, "%.6g") : "-");
    }
    cells.back().insert(cells.back().begin() + static_cast<std::ptrdiff_t>(metrics_at), metric_cells.begin(),
                        metric_cells.end());
  }
  // Numbers right-aligned (rows, rows_used, cols, rankme, lidar, metrics, seconds), names left-aligned.
  std::vector<bool> right_aligned = {false, false, true, true, false, true, true, false};
  if (any_lidar) right_aligned.insert(right_aligned.begin() + 6, true);
  if (any_fewer_rows) right_aligned.insert(right_aligned.begin() + 3, true);
  right_aligned.insert(right_aligned.begin() + static_cast<std::ptrdiff_t>(metrics_at), table_metrics_.size(), true);
  print_aligned_table(cells, right_aligned, out_);
  out_.flush();
}

}  // namespace rankme
