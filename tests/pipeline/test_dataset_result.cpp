// DatasetResult's statuses by name (the "status" key of every report and results file) and its defaults.
#include "rankme/pipeline/dataset_result.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace rankme {
namespace {

TEST(ResultStatus, NamesAreTheDocumentedOnesAndReadBack) {
  EXPECT_STREQ(status_name(ResultStatus::ok), "ok");
  EXPECT_STREQ(status_name(ResultStatus::nonfinite), "nonfinite");
  EXPECT_STREQ(status_name(ResultStatus::error), "error");
  EXPECT_STREQ(status_name(ResultStatus::interrupted), "interrupted");
  for (const ResultStatus status :
       {ResultStatus::ok, ResultStatus::nonfinite, ResultStatus::error, ResultStatus::interrupted}) {
    EXPECT_EQ(status_from_name(status_name(status)), status) << status_name(status);
  }
}

TEST(ResultStatus, AnUnknownNameIsAnErrorThatQuotesIt) {
  for (const std::string name : {"", "OK", "failed", "ok "}) {
    try {
      status_from_name(name);
      ADD_FAILURE() << "'" << name << "' was accepted";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("'" + name + "'"), std::string::npos) << error.what();
    }
  }
}

TEST(DatasetResult, StartsAsAnOkResultWithNothingMeasured) {
  const DatasetResult result;
  EXPECT_EQ(result.status, ResultStatus::ok);
  EXPECT_FALSE(result.rankme.has_value());
  EXPECT_TRUE(result.metrics.empty());
  EXPECT_FALSE(result.timings.has_value());
  EXPECT_FALSE(result.mixed_error_estimate.has_value());
  EXPECT_FALSE(result.precision_fallback);
  EXPECT_EQ(result.ranks, 1);
  EXPECT_EQ(result.file_size, 0u);
  EXPECT_EQ(result.file_mtime_ns, 0);
  EXPECT_TRUE(result.singular_values.empty());
}

}  // namespace
}  // namespace rankme
