// The spectral metrics end to end: the binary's JSON keys against formulas written out here, on the
// singular values of an independent float64 SVD (LAPACK dgesdd) of exactly the stored data.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numeric>
#include <sstream>

#include "support/child_process.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;

const testing::StoredType float64{testing::StoredType::Kind::floating, 8, false};

json run_one(int ranks, const std::vector<std::string>& args) {
  const testing::RunResult result =
      testing::run_command(testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args), 60);
  EXPECT_EQ(result.exit_code, 0) << result;
  std::istringstream lines(result.out);
  std::string line;
  std::getline(lines, line);
  return json::parse(line);
}

double relative(double value, double reference) { return testing::relative_difference(value, reference); }

TEST(Metrics, EveryMetricMatchesItsFormulaAtOneAndThreeRanks) {
  testing::TemporaryDirectory directory("rankme-metrics-");
  const std::string file = directory.file("power.h5");
  const std::uint64_t rows = 400, cols = 150;
  std::vector<double> spectrum(cols);
  for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = std::pow(static_cast<double>(k + 1), -0.75);  // lambda ~ k^-1.5
  const auto stored = testing::write_matrix(file, "/emb", testing::matrix_with_singular_values(rows, cols, spectrum, 5),
                                            rows, cols, float64);
  const std::vector<double> s = testing::reference_singular_values(stored, rows, cols);  // descending
  double sum_s = 0, sum_lambda = 0, sum_lambda2 = 0;
  for (double v : s) {
    sum_s += v;
    sum_lambda += v * v;
    sum_lambda2 += v * v * v * v;
  }
  double entropy = 0;
  for (double v : s) entropy -= (v / sum_s) * std::log(v / sum_s);
  // alpha-ReQ: least squares of log lambda_k on log k over k = 11..100.
  double mx = 0, my = 0;
  for (int k = 11; k <= 100; ++k) {
    mx += std::log(k) / 90;
    my += std::log(s[static_cast<std::size_t>(k - 1)] * s[static_cast<std::size_t>(k - 1)]) / 90;
  }
  double sxy = 0, sxx = 0;
  for (int k = 11; k <= 100; ++k) {
    const double dx = std::log(k) - mx, dy = std::log(s[static_cast<std::size_t>(k - 1)] * s[static_cast<std::size_t>(k - 1)]) - my;
    sxy += dx * dy;
    sxx += dx * dx;
  }
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks " + std::to_string(ranks));
    const json row = run_one(ranks, {"--format", "jsonl", "--quiet", file + ":/emb"});
    EXPECT_LE(relative(row.at("effective_rank").get<double>(), std::exp(entropy)), 1e-9);
    EXPECT_LE(relative(row.at("stable_rank").get<double>(), sum_lambda / (s[0] * s[0])), 1e-9);
    EXPECT_LE(relative(row.at("participation_ratio").get<double>(), sum_lambda * sum_lambda / sum_lambda2), 1e-9);
    EXPECT_LE(relative(row.at("top_eigenvalue_share").get<double>(), s[0] * s[0] / sum_lambda), 1e-9);
    EXPECT_LE(relative(row.at("condition_number").get<double>(), s[0] / s.back()), 1e-6);
    EXPECT_EQ(row.at("numerical_rank").get<double>(), 150.0);
    EXPECT_LE(relative(row.at("alpha_req").get<double>(), -sxy / sxx), 1e-9);
    EXPECT_NEAR(row.at("alpha_req").get<double>(), 1.5, 1e-9);  // the spectrum is an exact power law
    EXPECT_NEAR(row.at("alpha_req_r2").get<double>(), 1.0, 1e-12);
    EXPECT_TRUE(row.at("nesum").is_null()) << "nesum is reported for centred data only";
  }
}

TEST(Metrics, ASubsetLeavesTheOthersNullAndCenterAddsNesum) {
  testing::TemporaryDirectory directory("rankme-metrics-");
  const std::string file = directory.file("flat.h5");
  const std::uint64_t rows = 300, cols = 20;
  auto values = testing::matrix_with_singular_values(rows, cols, std::vector<double>(cols, 1.0), 6);
  for (double& v : values) v += 1000.0;  // a large mean: raw, one direction dominates; centred, flat again
  const auto stored = testing::write_matrix(file, "/emb", values, rows, cols, float64);
  const json raw = run_one(2, {"--format", "jsonl", "--quiet", "--metrics", "stable_rank", file + ":/emb"});
  EXPECT_LT(raw.at("stable_rank").get<double>(), 1.01);  // the mean direction holds almost everything
  EXPECT_TRUE(raw.at("effective_rank").is_null());
  EXPECT_TRUE(raw.at("alpha_req").is_null());
  const json centred = run_one(2, {"--format", "jsonl", "--quiet", "--center", "--metrics", "stable_rank,nesum", file + ":/emb"});
  // The centred data: reference from the SVD of the stored values minus their column means.
  std::vector<double> centred_values = stored;
  for (std::uint64_t c = 0; c < cols; ++c) {
    double mean = 0;
    for (std::uint64_t r = 0; r < rows; ++r) mean += stored[r * cols + c] / static_cast<double>(rows);
    for (std::uint64_t r = 0; r < rows; ++r) centred_values[r * cols + c] -= mean;
  }
  const auto s = testing::reference_singular_values(centred_values, rows, cols);
  double sum_lambda = 0;
  for (double v : s) sum_lambda += v * v;
  EXPECT_LE(relative(centred.at("stable_rank").get<double>(), sum_lambda / (s[0] * s[0])), 1e-8);
  EXPECT_EQ(centred.at("nesum").get<double>(), centred.at("stable_rank").get<double>());
  EXPECT_LE(relative(centred.at("rankme").get<double>(), testing::reference_rankme(s)), 1e-8);
}

}  // namespace
}  // namespace rankme

namespace rankme {
namespace {

TEST(Metrics, TsqrMatchesTheSvdWhereTheGramRouteCannotResolveTheTail) {
  // Singular values down to 1e-12 s_1: the Gram route zeroes everything below about 1e-7 s_1 (measured
  // 7e-7 relative off in RankMe); TSQR keeps them.
  testing::TemporaryDirectory directory("rankme-tsqr-");
  const std::string file = directory.file("steep.h5");
  const std::uint64_t rows = 500, cols = 100;
  std::vector<double> spectrum(cols);
  for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = std::pow(10.0, -12.0 * static_cast<double>(k) / 99.0);
  const auto stored = testing::write_matrix(file, "/emb", testing::matrix_with_singular_values(rows, cols, spectrum, 4),
                                            rows, cols, float64);
  const double expected = testing::reference_rankme(testing::reference_singular_values(stored, rows, cols));
  for (int ranks : {1, 3}) {
    const json row = run_one(ranks, {"--format", "jsonl", "--quiet", "--method", "tsqr", file + ":/emb"});
    EXPECT_EQ(row.at("solver"), "tsqr");
    EXPECT_LE(relative(row.at("rankme").get<double>(), expected), 1e-12) << ranks << " ranks";
    EXPECT_EQ(row.at("numerical_rank").get<double>(), 100.0);  // every value is far above 500 u s_1
  }
}

TEST(Metrics, CentredWideMatrixUsesMinOfRowsAndColumnsValuesOnBothRoutes) {
  // 30 x 120, centred: rank 29, and min(N, K) = 30 values. TSQR's centred R gains a between-means row per
  // merge (here blocks of 7 rows: 34 rows in all); only the 30 largest values may enter RankMe.
  testing::TemporaryDirectory directory("rankme-wide-");
  const std::string file = directory.file("wide.h5");
  const std::uint64_t rows = 30, cols = 120;
  auto values = testing::matrix_with_singular_values(rows, cols, std::vector<double>(rows, 1.0), 12);
  for (double& v : values) v += 5.0;
  const auto stored = testing::write_matrix(file, "/emb", values, rows, cols, float64);
  std::vector<double> centred = stored;
  for (std::uint64_t c = 0; c < cols; ++c) {
    double mean = 0;
    for (std::uint64_t r = 0; r < rows; ++r) mean += stored[r * cols + c] / static_cast<double>(rows);
    for (std::uint64_t r = 0; r < rows; ++r) centred[r * cols + c] -= mean;
  }
  const double expected = testing::reference_rankme(testing::reference_singular_values(centred, rows, cols));
  for (const char* method : {"gram", "tsqr"}) {
    for (int ranks : {1, 3}) {
      const json row = run_one(ranks, {"--format", "jsonl", "--quiet", "--center", "--block-rows", "7", "--method",
                                       method, file + ":/emb"});
      EXPECT_LE(relative(row.at("rankme").get<double>(), expected), 1e-10) << method << " at " << ranks << " ranks";
    }
  }
}

TEST(Metrics, GramAndTsqrAgreeWithTheSvdOnWellConditionedData) {
  testing::TemporaryDirectory directory("rankme-tsqr-");
  const std::string file = directory.file("gentle.h5");
  const std::uint64_t rows = 400, cols = 60;
  std::vector<double> spectrum(cols);
  for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = 1.0 / std::sqrt(static_cast<double>(k + 1));
  const auto stored = testing::write_matrix(file, "/emb", testing::matrix_with_singular_values(rows, cols, spectrum, 9),
                                            rows, cols, float64);
  const double expected = testing::reference_rankme(testing::reference_singular_values(stored, rows, cols));
  for (const char* method : {"gram", "tsqr"}) {
    for (int ranks : {1, 2, 3, 4}) {
      // The Gram route in double: 1e-12 is its accuracy, not float32 products' (test_precision_modes).
      const json row = run_one(ranks, {"--format", "jsonl", "--quiet", "--precision", "double", "--method", method,
                                       file + ":/emb"});
      EXPECT_LE(relative(row.at("rankme").get<double>(), expected), 1e-12) << method << " at " << ranks << " ranks";
    }
  }
}

}  // namespace
}  // namespace rankme
