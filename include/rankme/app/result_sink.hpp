#pragma once
// Where each result goes on rank 0 as it arrives, in this order: the notes and warnings on stderr, the
// results file (--output, on disk before stdout shows it), the spectrum file (--spectrum), the progress
// line and the report on stdout; and the sweep's closing words once every result is in.

#include <cstdint>
#include <optional>
#include <iostream>
#include <set>
#include <vector>

#include "rankme/app/command_line.hpp"
#include "rankme/app/report.hpp"
#include "rankme/app/spectrum_file.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/sweep/progress_report.hpp"
#include "rankme/sweep/results_file.hpp"

namespace rankme {

class ResultSink {
 public:
  // Rank 0 only. `earlier` are the results --resume settled (the table ranks them with this run's);
  // `results_file` and `spectrum_file` are open when --output and --spectrum asked for them.
  ResultSink(const CommandLine& command_line, const std::vector<DatasetTarget>& targets,
             const std::vector<DatasetResult>& earlier, std::optional<ResultsFile>& results_file,
             std::optional<SpectrumFile>& spectrum_file, std::ostream& out = std::cout, std::ostream& err = std::cerr);

  // One result. A failed append or spectrum write is said once on stderr and the sweep goes on (stdout
  // still carries every result); lost_results() then tells the exit code.
  void add(const DatasetResult& result);
  ProgressReport& progress() { return progress_; }

  // The report's end (the table), one warning for every dataset --rows or --sample did not subsample (it has
  // N rows or fewer), a warning when datasets were scored at different numbers of rows, and what to do
  // after a stop request.
  void finish(bool interrupted);
  bool lost_results() const { return results_file_failed_ || spectrum_file_failed_; }

 private:
  void explain(const DatasetResult& result);
  void append_to_results_file(const DatasetResult& result);
  void write_spectrum(const DatasetResult& result);

  const CommandLine& command_line_;
  std::optional<ResultsFile>& results_file_;
  std::optional<SpectrumFile>& spectrum_file_;
  std::ostream& err_;
  std::ostream& out_;
  ProgressReport progress_;
  ResultReport report_;
  std::vector<DatasetResult> best_per_results_;  // --best-per: every result (earlier ones too), no spectra
  std::size_t not_subsampled_count_ = 0;  // datasets of N rows or fewer under --rows/--sample N
  std::string not_subsampled_example_;    // the first of them
  std::set<std::uint64_t> rows_scored_;  // the N of every scored dataset, earlier ones included
  bool results_file_failed_ = false;
  bool spectrum_file_failed_ = false;
};

}  // namespace rankme
