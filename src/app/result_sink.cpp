#include "rankme/app/result_sink.hpp"

#include <cstdio>
#include <string>

#include "rankme/app/best_per_report.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/sweep/best_per_group.hpp"
#include "rankme/sweep/param_columns.hpp"
#include "rankme/sweep/group_plan.hpp"

namespace rankme {

namespace {

double total_work_of(const std::vector<DatasetTarget>& targets) {
  double total = 0;
  for (const DatasetTarget& target : targets) total += scoring_cost(target);
  return total;
}

std::string named(const DatasetResult& result) { return "'" + result.dataset + "' in '" + result.file + "'"; }

// --timings: the phases on stderr too, for the table's readers (JSON carries them as a "timings" object).
std::string timings_line(const DatasetResult& result) {
  const PhaseTimings& t = *result.timings;
  char line[512];
  std::snprintf(line, sizeof line,
                "open %.3f, read %.3f, decode %.3f, convert %.3f, read_wait %.3f, gram %.3f, reduce %.3f, eigensolve %.3f, "
                "metrics %.3f, total %.3f s (%s, %llu rows per block)",
                t.open, t.read, t.decode, t.convert, t.read_wait, t.gram, t.reduce, t.eigensolve, t.metrics, t.total,
                result.precision.empty() ? "-" : result.precision.c_str(), static_cast<unsigned long long>(t.block_rows));
  return line;
}

}  // namespace

ResultSink::ResultSink(const CommandLine& command_line, const std::vector<DatasetTarget>& targets,
                       const std::vector<DatasetResult>& earlier, std::optional<ResultsFile>& results_file,
                       std::optional<SpectrumFile>& spectrum_file, std::ostream& out, std::ostream& err)
    : command_line_(command_line),
      results_file_(results_file),
      spectrum_file_(spectrum_file),
      err_(err),
      out_(out),
      progress_(ProgressReport::style_for(stderr, command_line.progress), targets.size(), total_work_of(targets)),
      report_(command_line.format, out, union_of_keys(param_keys_of(targets), param_keys_of(earlier)),
              command_line.table_metrics) {
  for (const DatasetResult& result : earlier) {
    // rows_used 0: unknown (a CSV results file written before the column).
    if (result.status == ResultStatus::ok && result.rows_used > 0) rows_scored_.insert(result.rows_used);
    if (!command_line.best_per.empty()) {
      best_per_results_.push_back(result);
      continue;
    }
    // The leaderboard covers the whole selection, also what earlier runs settled (stdout JSONL and CSV
    // stream only this run's results).
    if (command_line.format == OutputFormat::table) report_.add(result);
  }
}

void ResultSink::explain(const DatasetResult& result) {
  progress_.clear_line();  // a live bar ends its line without a newline
  const RowSelection& rows = command_line_.score.rows;
  if (rows.kind != RowSelection::Kind::all && result.status != ResultStatus::error && result.rows > 0 &&
      result.rows <= rows.count) {
    // Said once, at the end.
    if (not_subsampled_count_++ == 0) not_subsampled_example_ = named(result) + " has " + std::to_string(result.rows) + " rows";
  }
  if (result.status == ResultStatus::ok && result.rows_used < result.cols) {
    err_ << "rankme: warning: " + named(result) + " was scored on " + std::to_string(result.rows_used) +
                " rows for " + std::to_string(result.cols) + " columns: its RankMe is capped by the number of rows"
         << std::endl;
  }
  if (result.status == ResultStatus::ok && result.rankme && *result.rankme == 0) {
    // RankMe is 0 only when every value is 0; HDF5 cannot tell written zeros from early-allocated storage
    // that was never written and reads back as a zero fill value.
    err_ << "rankme: note: " + named(result) +
                " is all zeros (RankMe 0): a collapsed run, or storage allocated but never written"
         << std::endl;
  }
  if (result.status == ResultStatus::ok && result.method == "gram" && result.predicted_error &&
      *result.predicted_error > command_line_.score.tolerance) {
    // --method gram, or auto when TSQR would not fit in --max-memory: the number stays, but not silently.
    char predicted[32];
    std::snprintf(predicted, sizeof predicted, "%.1e", *result.predicted_error);
    err_ << "rankme: warning: " + named(result) + "'s RankMe may be off by up to " + predicted +
                " (relative): the Gram route cannot resolve its smallest singular values; --method tsqr scores it "
                "exactly" + (command_line_.score.method == SpectrumMethod::automatic
                                 ? std::string(" but needs more memory than --max-memory allows")
                                 : std::string())
         << std::endl;
  }
  if (result.status == ResultStatus::error) err_ << "rankme: error: " + result.error << std::endl;
  if (result.timings) err_ << "rankme: timings: " + named(result) + ": " + timings_line(result) << std::endl;
  if (result.status == ResultStatus::nonfinite) {
    err_ << "rankme: warning: " + named(result) + " holds NaN or infinite values; no RankMe reported" << std::endl;
  }
}

void ResultSink::append_to_results_file(const DatasetResult& result) {
  if (!results_file_) return;
  try {
    fault_point_for_dataset(FaultStage::write, result.dataset);
    results_file_->append(result);
  } catch (const std::exception& failure) {
    progress_.clear_line();
    if (!results_file_failed_) err_ << "rankme: error: " << failure.what() << std::endl;
    results_file_failed_ = true;
  }
}

void ResultSink::write_spectrum(const DatasetResult& result) {
  if (!spectrum_file_ || result.status != ResultStatus::ok) return;
  try {
    spectrum_file_->write(result, result.singular_values, command_line_.score.eps, command_line_.score.center);
  } catch (const std::exception& failure) {
    progress_.clear_line();
    if (!spectrum_file_failed_) err_ << "rankme: error: " << failure.what() << std::endl;
    spectrum_file_failed_ = true;
  }
}

void ResultSink::add(const DatasetResult& result) {
  explain(result);
  append_to_results_file(result);
  write_spectrum(result);
  DatasetResult without_spectrum = result;  // the table keeps every row until the end
  without_spectrum.singular_values = {};
  if (!command_line_.best_per.empty()) {
    best_per_results_.push_back(std::move(without_spectrum));
  } else {
    report_.add(without_spectrum);
  }
  if (result.status == ResultStatus::ok) rows_scored_.insert(result.rows_used);
}

void ResultSink::finish(bool interrupted) {
  progress_.finish();
  if (command_line_.best_per.empty()) {
    report_.finish();
  } else {
    // Replaces the per-dataset report: the whole selection, earlier results included.
    const BestPerGroup grouped = best_per_group(best_per_results_, command_line_.best_per);
    for (const std::string& note : best_per_notes(grouped, best_per_results_.size())) {
      err_ << "rankme: note: --best-per: " << note << std::endl;
    }
    print_best_per(grouped, command_line_.format, out_);
  }
  if (not_subsampled_count_ > 0) {
    // Not silent: a --sample as large as the dataset scores all of it, which the user may not expect.
    const RowSelection& rows = command_line_.score.rows;
    const std::size_t count = not_subsampled_count_;
    err_ << "rankme: warning: " << (rows.kind == RowSelection::Kind::sample ? "--sample " : "--rows ") << rows.count
         << " is not fewer than the rows of " << count << (count == 1 ? " dataset" : " datasets") << " ("
         << not_subsampled_example_ << (count > 1 ? ", ..." : "")
         << "): " << (count == 1 ? "it was" : "they were") << " scored on all " << (count == 1 ? "its" : "their")
         << " rows" << std::endl;
  }
  if (rows_scored_.size() > 1) {
    // The paper's advice: compare runs at a fixed N (RankMe grows with N until N passes K).
    err_ << "rankme: warning: the datasets were scored at " << rows_scored_.size() << " different numbers of rows ("
         << *rows_scored_.begin() << " to " << *rows_scored_.rbegin()
         << "): compare RankMe at a fixed N, e.g. with --rows or --sample" << std::endl;
  }
  if (interrupted) err_ << "rankme: stopped on request before every dataset was scored; run again with --resume" << std::endl;
}

}  // namespace rankme
