// Unusual values end to end: NaN or Inf on one rank, all-zero data, a never-written chunked dataset, and
// huge, tiny and subnormal values that must score like normal-scale data.
//
// The binary is launched as a child process (support/rankme_launch.hpp), with stdout and stderr captured
// separately. Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite
// and a run shared by several checks is made once (run_rankme_cached).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::add_matrix;
using testing::contains;
using testing::expect_no_crash_hang_or_signal;
using testing::float16;
using testing::float32;
using testing::float64;
using testing::lines_starting_with;
using testing::ok_rankme;
using testing::parse_jsonl;
using testing::plain_matrix;
using testing::row_for;
using testing::run_rankme;
using testing::run_rankme_cached;
using testing::RunResult;
using testing::scaled;
using testing::ScoredMatrix;
using testing::TemporaryDirectory;

struct NonFiniteFile {
  TemporaryDirectory directory{"rankme-cli-nonfinite-"};
  std::string file = directory.file("nonfinite.h5");
  ScoredMatrix good;
  NonFiniteFile() {
    // 50 rows: the last row is read by the last rank at 3 ranks (rows 34..49) and at 4 (38..49).
    const std::uint64_t rows = 50, cols = 6;
    std::vector<double> with_nan = plain_matrix(rows, cols, 61);
    with_nan[(rows - 1) * cols + 2] = std::nan("");
    testing::write_matrix(file, "/nan_float32", with_nan, rows, cols, float32);
    testing::write_matrix(file, "/nan_float16", with_nan, rows, cols, float16);
    std::vector<double> with_inf = plain_matrix(rows, cols, 62);
    with_inf[(rows - 1) * cols] = -std::numeric_limits<double>::infinity();
    testing::write_matrix(file, "/inf_float64", with_inf, rows, cols, float64);
    testing::write_matrix(file, "/zeros", std::vector<double>(rows * cols, 0.0), rows, cols, float32);
    good = add_matrix(file, "/good", plain_matrix(rows, cols, 63), rows, cols, float64, "float64", 1e-9);
  }
};

const NonFiniteFile& nonfinite_file() {
  static const NonFiniteFile fixture;
  return fixture;
}

TEST(NonFinite, NaNOrInfOnTheLastRankGivesNonfiniteNullAndAWarning) {
  const NonFiniteFile& fixture = nonfinite_file();
  for (int ranks : {1, 3, 4}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = run_rankme_cached(ranks, {"--format", "jsonl", fixture.file});
    EXPECT_EQ(result.exit_code, 0) << "a nonfinite dataset counts as scored" << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 5u) << result;
    const std::vector<std::string> warnings = lines_starting_with(result.err, "rankme: warning:");
    EXPECT_EQ(warnings.size(), 3u) << result;
    for (const char* dataset : {"/nan_float32", "/nan_float16", "/inf_float64"}) {
      SCOPED_TRACE(dataset);
      const json row = row_for(rows, dataset);
      EXPECT_EQ(row.value("status", json()), "nonfinite") << row.dump();
      EXPECT_TRUE(row.value("rankme", json(0)).is_null()) << row.dump();
      EXPECT_EQ(std::count_if(warnings.begin(), warnings.end(),
                              [&](const std::string& w) { return contains(w, dataset) && contains(w, "NaN"); }),
                1)
          << result;
    }
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: error:").empty()) << result;
    if (const auto value = ok_rankme(row_for(rows, "/good"), "/good")) {
      EXPECT_RELATIVE_NEAR(*value, fixture.good.expected, 1e-9);
    }
  }
}

TEST(NonFinite, AllZeroDatasetScoresZeroWithStatusOk) {
  const NonFiniteFile& fixture = nonfinite_file();
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = run_rankme_cached(ranks, {"--format", "jsonl", fixture.file});
    const auto value = ok_rankme(row_for(parse_jsonl(result), "/zeros"), "/zeros");
    if (value) {
      EXPECT_EQ(*value, 0.0);
    }
  }
}

TEST(NonFinite, NeverWrittenChunkedDatasetIsAnIncompleteErrorNotZeros) {
  // No chunk is allocated: reading would give the fill value 0 everywhere, a score that means nothing.
  // At 3 ranks with blocks of 1 row, an unguarded read would also hang (see test_dataset_score).
  TemporaryDirectory directory("rankme-cli-unallocated-");
  const std::string file = directory.file("unallocated.h5");
  testing::write_unallocated_dataset(file, "/empty", 70, 5);
  for (const char* block_rows : {"1", "1000"}) {
    const RunResult result = run_rankme(3, {"--format", "jsonl", "--block-rows", block_rows, file});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const auto rows = parse_jsonl(result);
    const nlohmann::json row = row_for(rows, "/empty");
    EXPECT_EQ(row.value("status", ""), "error") << result;
    EXPECT_TRUE(row.contains("rankme") && row["rankme"].is_null()) << result;
    EXPECT_NE(result.err.find("incomplete"), std::string::npos) << result;
  }
}


// ------------------------------------------------------------------------------------------------
// Unusual numbers

TEST(UnusualNumbers, HugeTinyAndSubnormalValuesScoreLikeNormalScale) {
  TemporaryDirectory directory("rankme-cli-unusual-");
  const std::string file = directory.file("unusual.h5");
  const std::uint64_t rows = 61, cols = 12;
  const std::vector<double> normal = plain_matrix(rows, cols, 101);
  const ScoredMatrix plain = add_matrix(file, "/normal", normal, rows, cols, float64, "float64", 1e-9);
  // Squares of 1e200 overflow double and squares of 1e-200 underflow to 0: a naive Gram matrix fails.
  const ScoredMatrix huge = add_matrix(file, "/huge", scaled(normal, 1e200), rows, cols, float64, "float64", 1e-9);
  const ScoredMatrix tiny = add_matrix(file, "/tiny", scaled(normal, 1e-200), rows, cols, float64, "float64", 1e-9);
  // A different scale on each rank's rows (at 3 ranks: rows 0-20, 21-40, 41-60), all beyond the range
  // whose squares are safe: the ranks must bring their Gram matrices to a common scale before summing.
  std::vector<double> mixed = normal;
  for (std::uint64_t row = 0; row < rows; ++row) {
    const double factor = row < 21 ? 1e160 : (row < 41 ? 1e150 : 1e155);
    for (std::uint64_t col = 0; col < cols; ++col) mixed[row * cols + col] *= factor;
  }
  const ScoredMatrix mixed_scales = add_matrix(file, "/mixed_scales", mixed, rows, cols, float64, "float64", 1e-9);
  // float32 subnormals (below 1.2e-38), with the few bits of precision they have.
  const ScoredMatrix subnormal = add_matrix(file, "/subnormal_float32", scaled(normal, 1e-40), rows, cols, float32, "float32", 1e-6);
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows_out = parse_jsonl(result);
    const auto normal_value = ok_rankme(row_for(rows_out, "/normal"), "/normal");
    if (normal_value) {
      EXPECT_RELATIVE_NEAR(*normal_value, plain.expected, 1e-9);
    }
    for (const ScoredMatrix* matrix : {&huge, &tiny}) {
      SCOPED_TRACE(matrix->dataset);
      const auto value = ok_rankme(row_for(rows_out, matrix->dataset), matrix->dataset);
      if (!value) continue;
      EXPECT_RELATIVE_NEAR(*value, matrix->expected, 1e-9);
      if (normal_value) {
        EXPECT_RELATIVE_NEAR(*value, *normal_value, 1e-9);
      }
    }
    if (const auto value = ok_rankme(row_for(rows_out, "/mixed_scales"), "/mixed_scales")) {
      EXPECT_RELATIVE_NEAR(*value, mixed_scales.expected, 1e-9);
    }
    const auto value = ok_rankme(row_for(rows_out, "/subnormal_float32"), "/subnormal_float32");
    if (value) {
      EXPECT_TRUE(std::isfinite(*value));
      EXPECT_GT(*value, 1.0);
      EXPECT_RELATIVE_NEAR(*value, subnormal.expected, 1e-6);
    }
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: warning:").empty()) << result;
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: error:").empty()) << result;
  }
}

}  // namespace
}  // namespace rankme
