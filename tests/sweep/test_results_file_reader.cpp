// Reading results files back: reports saved from stdout, missing files, invalid lines counted and skipped.
#include "rankme/sweep/results_file_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "rankme/sweep/result_lines.hpp"
#include "support/result_samples.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::append_text;
using testing::scored;
using testing::TemporaryDirectory;

TEST(ResultsFileReader, ReadsAReportSavedFromStdoutWithoutTheFileIdentity) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("report.csv");
  append_text(path, csv_header(CsvColumns::report) + "\n" + to_csv_line(scored("/a", 3.5), CsvColumns::report) + "\n");
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 1u) << contents.first_problem;
  EXPECT_EQ(contents.results[0].rankme, 3.5);
  EXPECT_EQ(contents.results[0].file_size, 0u);  // never matches a real file: --resume scores it again
}

TEST(ResultsFileReader, MissingFileReadsAsEmpty) {
  TemporaryDirectory directory("rankme-results-");
  const ResultsFileContents contents = read_results_file(directory.file("none.jsonl"));
  EXPECT_TRUE(contents.results.empty());
  EXPECT_EQ(contents.skipped_lines, 0u);
}

TEST(ResultsFileReader, InvalidLinesAreCountedAndSkipped) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  nlohmann::json ok_without_number = nlohmann::json::parse(to_json_line(scored("/x", 1)));
  ok_without_number["rankme"] = nullptr;
  nlohmann::json unknown_status = nlohmann::json::parse(to_json_line(scored("/y", 1)));
  unknown_status["status"] = "interrupted";
  append_text(path, to_json_line(scored("/a", 1.5)) + "\n" + "garbage\n" + "\n" + "[1,2]\n" +
                        ok_without_number.dump() + "\n" + unknown_status.dump() + "\n" + std::string(40, '\0') +
                        "\n" + to_json_line(scored("/b", 2.5)) + "\n");
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.results[1].dataset, "/b");
  EXPECT_EQ(contents.skipped_lines, 5u);  // the blank line is not a problem
  EXPECT_FALSE(contents.torn_last_line);
  EXPECT_EQ(contents.first_problem.rfind("line 2: ", 0), 0u) << contents.first_problem;
}

TEST(ResultsFileReader, ALineWithoutCanonicalFileReadsWithItEmpty) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("old.jsonl");
  nlohmann::json old_line = nlohmann::json::parse(to_json_line(scored("/a", 1.5)));
  old_line.erase("canonical_file");  // as rankme wrote lines before it recorded canonical paths
  append_text(path, old_line.dump() + "\n");
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 1u) << contents.first_problem;
  EXPECT_EQ(contents.results[0].canonical_file, "");
  EXPECT_EQ(contents.results[0].file, "runs/sweep.h5");
}

}  // namespace
}  // namespace rankme
