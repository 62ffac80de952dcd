// The results file's format, chosen by the extension, and which results it holds.
#include "rankme/sweep/results_file_format.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "rankme/sweep/results_file.hpp"

namespace rankme {
namespace {

TEST(ResultsFileFormat, ChosenByExtensionAndOthersNameTheOnesThatWork) {
  EXPECT_EQ(results_file_format("out/results.jsonl"), ResultsFileFormat::jsonl);
  EXPECT_EQ(results_file_format("RESULTS.JSONL"), ResultsFileFormat::jsonl);
  EXPECT_EQ(results_file_format("a.b/results.csv"), ResultsFileFormat::csv);
  for (const char* bad : {"results.json", "results.txt", "results", "dir.csv/results", "results.csv.gz"}) {
    try {
      results_file_format(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(bad), std::string::npos) << message;
      EXPECT_NE(message.find(".jsonl"), std::string::npos) << message;
      EXPECT_NE(message.find(".csv"), std::string::npos) << message;
    }
  }
  EXPECT_THROW(ResultsFile::open_for_append("/tmp/results.txt"), std::invalid_argument);
  EXPECT_THROW(read_results_file("/tmp/results.txt"), std::invalid_argument);
}

TEST(ResultsFileFormat, OnlyResultsAreWritten) {
  EXPECT_TRUE(is_written_status(ResultStatus::ok));
  EXPECT_TRUE(is_written_status(ResultStatus::nonfinite));
  EXPECT_TRUE(is_written_status(ResultStatus::error));
  EXPECT_FALSE(is_written_status(ResultStatus::interrupted));  // a dataset abandoned on a stop request
}

}  // namespace
}  // namespace rankme
