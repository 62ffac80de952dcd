// What rank 0 does with each result as it arrives (app/result_sink.hpp): the notes and warnings on stderr,
// the results file, the report on stdout (earlier runs' results in the table too), a failed append said
// once and counted as lost results, and the closing words.
#include "rankme/app/result_sink.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "rankme/os/fault_injection.hpp"
#include "rankme/sweep/results_file_reader.hpp"
#include "support/result_samples.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

DatasetResult scored(const std::string& dataset, double rankme, std::uint64_t rows_used = 4096) {
  DatasetResult result = testing::scored(dataset, rankme);
  result.rows_used = rows_used;
  return result;
}

CommandLine table_without_progress() {
  CommandLine command_line;
  command_line.format = OutputFormat::table;
  command_line.progress = ProgressReport::Choice::none;
  return command_line;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

struct Sink {
  CommandLine command_line = table_without_progress();
  std::optional<ResultsFile> results_file;
  std::optional<SpectrumFile> spectrum_file;
  std::ostringstream out, err;
};

TEST(ResultSink, EarlierResultsAreRankedInTheTableWithThisRunsAndTheNotesGoToStderr) {
  Sink s;
  const std::vector<DatasetResult> earlier = {scored("/earlier", 50)};
  ResultSink sink(s.command_line, {}, earlier, s.results_file, s.spectrum_file, s.out, s.err);
  sink.add(scored("/now", 80));
  DatasetResult diverged = scored("/diverged", 0);
  diverged.status = ResultStatus::nonfinite;
  diverged.rankme.reset();
  sink.add(diverged);
  DatasetResult zeros = scored("/zeros", 0);
  sink.add(zeros);
  DatasetResult broken;
  broken.file = "missing.h5";
  broken.status = ResultStatus::error;
  broken.error = "no such file: 'missing.h5'";
  sink.add(broken);
  sink.finish(false);
  const std::string table = s.out.str(), notes = s.err.str();
  ASSERT_NE(table.find("/earlier"), std::string::npos) << table;
  EXPECT_LT(table.find("/now"), table.find("/earlier")) << table;  // 80 before 50
  EXPECT_NE(table.find("<- best"), std::string::npos) << table;
  EXPECT_EQ(count_of(notes, "rankme: warning: '/diverged' in 'runs/sweep.h5' holds NaN or infinite values"), 1u) << notes;
  EXPECT_EQ(count_of(notes, "rankme: note: '/zeros' in 'runs/sweep.h5' is all zeros"), 1u) << notes;
  EXPECT_EQ(count_of(notes, "rankme: error: no such file: 'missing.h5'"), 1u) << notes;
  EXPECT_EQ(notes.find("different numbers of rows"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("stopped on request"), std::string::npos) << notes;
  EXPECT_FALSE(sink.lost_results());
}

TEST(ResultSink, FewerRowsThanColumnsAndDifferentRowCountsAreWarnedAbout) {
  Sink s;
  ResultSink sink(s.command_line, {}, {scored("/earlier", 50, 1000)}, s.results_file, s.spectrum_file, s.out, s.err);
  sink.add(scored("/capped", 20, 100));
  sink.finish(true);
  const std::string notes = s.err.str();
  EXPECT_NE(notes.find("'/capped' in 'runs/sweep.h5' was scored on 100 rows for 256 columns"), std::string::npos) << notes;
  EXPECT_NE(notes.find("scored at 2 different numbers of rows (100 to 1000)"), std::string::npos) << notes;
  EXPECT_NE(notes.find("run again with --resume"), std::string::npos) << notes;
}

// A write that fails (disk full, file removed): said once, the sweep goes on, every result still reported.
void failing_write(FaultStage stage, const std::string&, std::uint64_t) {
  if (stage == FaultStage::write) throw std::runtime_error("cannot append: disk full");
}

TEST(ResultSink, AResultsFileThatFailsIsSaidOnceAndCountsAsLostResults) {
  testing::TemporaryDirectory directory;
  Sink s;
  s.command_line.format = OutputFormat::jsonl;
  s.results_file.emplace(ResultsFile::open_for_append(directory.file("results.jsonl")));
  ResultSink sink(s.command_line, {}, {}, s.results_file, s.spectrum_file, s.out, s.err);
  sink.add(scored("/a", 10));
  EXPECT_FALSE(sink.lost_results());
  install_fault_hook(failing_write);
  sink.add(scored("/b", 20));
  sink.add(scored("/c", 30));
  install_fault_hook(nullptr);
  sink.finish(false);
  EXPECT_TRUE(sink.lost_results());
  EXPECT_EQ(count_of(s.err.str(), "disk full"), 1u) << s.err.str();
  EXPECT_EQ(count_of(s.out.str(), "\"dataset\":"), 3u) << s.out.str();  // stdout carries every result
  const ResultsFileContents written = read_results_file(directory.file("results.jsonl"));
  ASSERT_EQ(written.results.size(), 1u);
  EXPECT_EQ(written.results[0].dataset, "/a");
}

}  // namespace
}  // namespace rankme
