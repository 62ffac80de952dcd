// The binary's options end to end: --block-rows, --precision and the timings, --verbose's BLAS threads,
// --solver scalapack against lapack and the reference, --eps 0.
//
// The binary is launched as a child process (support/rankme_launch.hpp), with stdout and stderr captured
// separately. Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite
// and a run shared by several checks is made once (run_rankme_cached).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::add_matrix;
using testing::contains;
using testing::expect_no_crash_hang_or_signal;
using testing::float32;
using testing::float64;
using testing::geometric_spectrum;
using testing::Layout;
using testing::ok_rankme;
using testing::parse_jsonl;
using testing::plain_matrix;
using testing::reference_of;
using testing::relative_difference;
using testing::row_for;
using testing::run_rankme;
using testing::RunResult;
using testing::ScoredMatrix;
using testing::TemporaryDirectory;

struct OptionsFile {
  TemporaryDirectory directory{"rankme-cli-options-"};
  std::string file = directory.file("options.h5");
  std::vector<ScoredMatrix> matrices;
  OptionsFile() {
    Layout chunked;
    chunked.kind = Layout::Kind::chunked;
    chunked.chunk_rows = 10;
    chunked.chunk_cols = 20;
    matrices.push_back(add_matrix(file, "/chunked_float32", plain_matrix(101, 20, 81), 101, 20, float32, "float32", 1e-6, chunked));
    matrices.push_back(add_matrix(file, "/float64", testing::matrix_with_singular_values(97, 16, geometric_spectrum(16, 0.6), 82),
                                  97, 16, float64, "float64", 1e-9));
  }
};

const OptionsFile& options_file() {
  static const OptionsFile fixture;
  return fixture;
}

std::map<std::string, double> rankme_by_dataset(const RunResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash_hang_or_signal(result);
  std::map<std::string, double> values;
  for (const json& row : parse_jsonl(result)) {
    if (const auto value = ok_rankme(row, row.value("dataset", std::string()))) values[row["dataset"]] = *value;
  }
  return values;
}

TEST(Options, BlockRowsOneAndSevenGiveTheDefaultResult) {
  // In double the block size changes only the order of the sums (1e-12); float32 block products round
  // each block's sums, so there the block size moves the result within the float32 noise that auto's
  // criterion bounds (--precision auto promises 1e-6 against a float64 SVD).
  const OptionsFile& fixture = options_file();
  for (const char* precision : {"double", "auto"}) {
    SCOPED_TRACE(std::string("--precision ") + precision);
    const double tolerance = std::string(precision) == "double" ? 1e-12 : 1e-6;
    const auto by_default = rankme_by_dataset(run_rankme(3, {"--format", "jsonl", "--precision", precision, fixture.file}));
    ASSERT_EQ(by_default.size(), fixture.matrices.size());
    for (const ScoredMatrix& matrix : fixture.matrices) {
      // Double: the fixture's own tolerance; auto: its promise where that is looser.
      const double against_svd = std::string(precision) == "double" ? matrix.tolerance : std::max(matrix.tolerance, 1e-6);
      EXPECT_RELATIVE_NEAR(by_default.at(matrix.dataset), matrix.expected, against_svd);
    }
    for (const char* block_rows : {"1", "7"}) {
      SCOPED_TRACE(std::string("--block-rows ") + block_rows);
      const auto blocked = rankme_by_dataset(
          run_rankme(3, {"--format", "jsonl", "--precision", precision, "--block-rows", block_rows, fixture.file}));
      ASSERT_EQ(blocked.size(), fixture.matrices.size());
      for (const ScoredMatrix& matrix : fixture.matrices) {
        EXPECT_RELATIVE_NEAR(blocked.at(matrix.dataset), by_default.at(matrix.dataset), tolerance) << matrix.dataset;
      }
    }
  }
}

TEST(Options, PrecisionAndTimingsAreInTheJsonOfEveryRow) {
  // Which precision produced each number, whether auto fell back, and with --timings every phase.
  const OptionsFile& fixture = options_file();
  for (const char* precision : {"double", "mixed", "auto"}) {
    SCOPED_TRACE(std::string("--precision ") + precision);
    const RunResult result = run_rankme(2, {"--format", "jsonl", "--precision", precision, "--timings", fixture.file});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = parse_jsonl(result);
    ASSERT_EQ(rows.size(), fixture.matrices.size()) << result;
    for (const json& row : rows) {
      SCOPED_TRACE(row.dump());
      const std::string used = row.value("precision", std::string());
      if (std::string(precision) == "auto") {
        EXPECT_TRUE(used == "mixed" || used == "double") << used;
        EXPECT_EQ(row.value("precision_fallback", json()).get<bool>(), used == "double");
      } else {
        EXPECT_EQ(used, precision);
        EXPECT_EQ(row.value("precision_fallback", json()), false);
      }
      ASSERT_TRUE(row.contains("timings") && row["timings"].is_object());
      for (const char* phase : {"open", "read", "decode", "convert", "read_wait", "gram", "reduce", "eigensolve", "metrics", "total"}) {
        ASSERT_TRUE(row["timings"].contains(phase)) << phase;
        EXPECT_GE(row["timings"][phase].get<double>(), 0.0) << phase;
        EXPECT_LE(row["timings"][phase].get<double>(), row["timings"]["total"].get<double>()) << phase;
      }
      EXPECT_GT(row["timings"].value("block_rows", 0), 0);
      // ... and one line on stderr per dataset, for readers of the table.
      EXPECT_NE(result.err.find("rankme: timings: '" + row.value("dataset", std::string()) + "'"), std::string::npos)
          << result.err;
    }
  }
  // Without --timings there is no timings key, and the table and CSV are unchanged by the new keys.
  const RunResult plain = run_rankme(1, {"--format", "jsonl", fixture.file});
  for (const json& row : parse_jsonl(plain)) EXPECT_FALSE(row.contains("timings"));
}

TEST(Options, VerboseSaysHowManyBlasThreadsAndWhy) {
  const OptionsFile& fixture = options_file();
  const RunResult result = run_rankme(2, {"--verbose", "--threads", "1", "--quiet", fixture.file});
  EXPECT_EQ(result.exit_code, 0) << result;
  EXPECT_NE(result.err.find("rankme: 1 BLAS thread per rank (--threads"), std::string::npos) << result.err;
}

TEST(Options, BlockRowsNearTheUint64LimitNeverGiveAWrongResult) {
  // Such a value may be refused as a usage error (exit 2) or honoured (one block holds every row); what
  // it must never do is report some other number as "ok".
  const OptionsFile& fixture = options_file();
  const RunResult result = run_rankme(2, {"--format", "jsonl", "--block-rows", "18446744073709551615", fixture.file});
  expect_no_crash_hang_or_signal(result);
  if (result.exit_code == 2) {
    EXPECT_EQ(result.out, "") << result;
    return;
  }
  EXPECT_EQ(result.exit_code, 0) << result;
  const std::vector<json> rows = parse_jsonl(result);
  EXPECT_EQ(rows.size(), fixture.matrices.size()) << result;
  for (const ScoredMatrix& matrix : fixture.matrices) {
    if (const auto value = ok_rankme(row_for(rows, matrix.dataset), matrix.dataset)) {
      EXPECT_RELATIVE_NEAR(*value, matrix.expected, matrix.tolerance) << matrix.dataset;
    }
  }
}

TEST(Options, ScalapackOnATwoByTwoGridMatchesTheReference) {
  // 4 ranks make a 2x2 process grid: a distribution in both dimensions, unlike 1x3.
  const OptionsFile& fixture = options_file();
  const RunResult result = run_rankme(4, {"--format", "jsonl", "--solver", "scalapack", fixture.file});
  const auto values = rankme_by_dataset(result);
  for (const ScoredMatrix& matrix : fixture.matrices) {
    SCOPED_TRACE(matrix.dataset);
    ASSERT_EQ(values.count(matrix.dataset), 1u) << result;
    EXPECT_RELATIVE_NEAR(values.at(matrix.dataset), matrix.expected, matrix.tolerance);
  }
}

TEST(Options, LapackAndScalapackAgreeAtThreeRanks) {
  const OptionsFile& fixture = options_file();
  std::map<std::string, std::map<std::string, double>> by_solver;
  for (const std::string solver : {"lapack", "scalapack"}) {
    const RunResult result = run_rankme(3, {"--format", "jsonl", "--solver", solver, fixture.file});
    by_solver[solver] = rankme_by_dataset(result);
    for (const json& row : parse_jsonl(result)) {
      // The report says which solver ran.
      EXPECT_EQ(row.value("solver", std::string()).rfind(solver, 0), 0u) << row.dump();
    }
  }
  for (const ScoredMatrix& matrix : fixture.matrices) {
    SCOPED_TRACE(matrix.dataset);
    ASSERT_EQ(by_solver["lapack"].count(matrix.dataset), 1u);
    ASSERT_EQ(by_solver["scalapack"].count(matrix.dataset), 1u);
    EXPECT_RELATIVE_NEAR(by_solver["scalapack"][matrix.dataset], by_solver["lapack"][matrix.dataset], 1e-12);
    EXPECT_RELATIVE_NEAR(by_solver["scalapack"][matrix.dataset], matrix.expected, matrix.tolerance);
  }
}

TEST(Options, EpsZeroGivesThePlainEntropyRank) {
  TemporaryDirectory directory("rankme-cli-eps-");
  const std::string file = directory.file("eps.h5");
  const std::vector<double> stored = testing::write_matrix(file, "/m", plain_matrix(50, 10, 83), 50, 10, float64);
  // In double: the difference the option makes (1e-10 and more) must stand clear of the rounding.
  const auto values = rankme_by_dataset(run_rankme(2, {"--format", "jsonl", "--precision", "double", "--eps", "0", file}));
  ASSERT_EQ(values.count("/m"), 1u);
  EXPECT_RELATIVE_NEAR(values.at("/m"), reference_of(stored, 50, 10, 0.0), 1e-9);
  // and it differs from the default-eps value by more than rounding (the option has an effect)
  EXPECT_GT(relative_difference(values.at("/m"), reference_of(stored, 50, 10)), 1e-10);
}

}  // namespace
}  // namespace rankme
