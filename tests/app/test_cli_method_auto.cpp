// --method auto (the default) on the spectra where the Gram route is off: steep power laws and log-spaced
// spectra down to 1e-10 and 1e-12 (collapsed runs look like this), beside ordinary spectra where it must
// not rescore. Scored at 1, 2, 3 and 4 ranks and without mpiexec, against an independent float64
// reference (LAPACK dgesdd of exactly the stored values). Issue 13's cases: float64 log-spaced and a
// float32 power law with s_min / s_1 = 1.6e-8.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/lapack_reference.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::add_matrix;
using testing::contains;
using testing::float32;
using testing::float64;
using testing::ok_rankme;
using testing::parse_jsonl;
using testing::row_for;
using testing::run_rankme_cached;
using testing::RunResult;
using testing::ScoredMatrix;
using testing::TemporaryDirectory;

constexpr double tolerance = 1e-6;  // auto's default promise
constexpr std::uint64_t rows = 1024, cols = 256;

struct SpectraFile {
  TemporaryDirectory directory{"rankme-cli-method-auto-"};
  std::string file = directory.file("spectra.h5");
  std::vector<ScoredMatrix> steep, ordinary;

  SpectraFile() {
    auto add = [&](std::vector<ScoredMatrix>& into, const std::string& name, const std::vector<double>& s,
                   bool single, std::uint64_t seed) {
      into.push_back(add_matrix(file, name, testing::matrix_with_singular_values(rows, cols, s, seed), rows, cols,
                                single ? float32 : float64, single ? "float32" : "float64", tolerance));
    };
    // s_min / s_1 = 1.6e-8 over 256 columns: k^-3.25, as in the float32 report.
    add(steep, "/steep/power_3.25_float32", testing::power_law_spectrum(cols, std::log(1 / 1.6e-8) / std::log(double(cols))), true, 1);
    add(steep, "/steep/power_3", testing::power_law_spectrum(cols, 3), false, 2);
    add(steep, "/steep/log_1e-10", testing::log_spaced_spectrum(cols, -10), false, 3);
    add(steep, "/steep/log_1e-12_float32", testing::log_spaced_spectrum(cols, -12), true, 4);
    add(ordinary, "/ordinary/power_0.5_float32", testing::power_law_spectrum(cols, 0.5), true, 5);
    add(ordinary, "/ordinary/power_2", testing::power_law_spectrum(cols, 2), false, 6);
    add(ordinary, "/ordinary/log_1e-5", testing::log_spaced_spectrum(cols, -5), false, 7);
  }
};

const SpectraFile& spectra() {
  static const SpectraFile fixture;
  return fixture;
}

const RunResult& run(int ranks, std::vector<std::string> options) {
  options.insert(options.begin(), {"--format", "jsonl"});
  options.push_back(spectra().file);
  return run_rankme_cached(ranks, options);
}

double relative_error(const json& row, const ScoredMatrix& matrix) {
  const auto value = ok_rankme(row, matrix.dataset);
  return value ? std::abs(*value - matrix.expected) / matrix.expected : INFINITY;
}

TEST(MethodAuto, TheGramRouteIsOffOnTheSteepSpectraAndItsPredictionSaysSo) {
  // The premise: without auto these are really off (--precision double included), and the predicted
  // error, reported either way, lies above the true one.
  const RunResult& gram = run(1, {"--method", "gram", "--precision", "double"});
  ASSERT_EQ(gram.exit_code, 0) << gram;
  const std::vector<json> rows_out = parse_jsonl(gram);
  int off = 0;
  for (const auto* group : {&spectra().steep, &spectra().ordinary}) {
    for (const ScoredMatrix& matrix : *group) {
      SCOPED_TRACE(matrix.dataset);
      const json row = row_for(rows_out, matrix.dataset);
      ASSERT_TRUE(row.is_object());
      EXPECT_EQ(row.value("method", ""), "gram");
      EXPECT_FALSE(row.value("method_fallback", true));
      ASSERT_TRUE(row["predicted_error"].is_number()) << row.dump();
      const double error = relative_error(row, matrix);
      EXPECT_GE(row["predicted_error"].get<double>(), error);
      if (error > tolerance) ++off;
    }
  }
  EXPECT_GE(off, 2);
  // --method gram keeps its number, but says that it may be off and what scores it exactly.
  EXPECT_TRUE(contains(gram.err, "may be off by up to")) << gram.err;
  EXPECT_TRUE(contains(gram.err, "--method tsqr")) << gram.err;
}

TEST(MethodAuto, IsWithinTheToleranceOnEverySpectrumAtEveryRankCount) {
  for (int ranks : {0, 1, 2, 3, 4}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = run(ranks, {});  // the defaults: --method auto --precision auto
    ASSERT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows_out = parse_jsonl(result);
    for (const ScoredMatrix& matrix : spectra().steep) {
      SCOPED_TRACE(matrix.dataset);
      const json row = row_for(rows_out, matrix.dataset);
      ASSERT_TRUE(row.is_object());
      EXPECT_LE(relative_error(row, matrix), tolerance) << row.dump();
      EXPECT_EQ(row.value("method", ""), "tsqr") << row.dump();
      EXPECT_TRUE(row.value("method_fallback", false));
      EXPECT_GT(row.value("predicted_error", 0.0), tolerance);
      EXPECT_EQ(row.value("precision", ""), "double");
      EXPECT_EQ(row.value("solver", ""), "tsqr");
    }
    for (const ScoredMatrix& matrix : spectra().ordinary) {
      SCOPED_TRACE(matrix.dataset);
      const json row = row_for(rows_out, matrix.dataset);
      ASSERT_TRUE(row.is_object());
      EXPECT_LE(relative_error(row, matrix), tolerance) << row.dump();
      EXPECT_EQ(row.value("method", ""), "gram") << row.dump();
      EXPECT_FALSE(row.value("method_fallback", true));
      EXPECT_LE(row.value("predicted_error", 1.0), tolerance);
    }
    EXPECT_FALSE(contains(result.err, "may be off by up to")) << result.err;
  }
}

TEST(MethodAuto, RankCountsAgreeWithEachOther) {
  std::map<int, std::vector<json>> by_ranks;
  for (int ranks : {1, 2, 3, 4}) by_ranks[ranks] = parse_jsonl(run(ranks, {}));
  for (const auto* group : {&spectra().steep, &spectra().ordinary}) {
    for (const ScoredMatrix& matrix : *group) {
      SCOPED_TRACE(matrix.dataset);
      const auto one = ok_rankme(row_for(by_ranks[1], matrix.dataset), "1 rank");
      if (!one) continue;
      for (int ranks : {2, 3, 4}) {
        const json row = row_for(by_ranks[ranks], matrix.dataset);
        const auto value = ok_rankme(row, matrix.dataset);
        if (value) {
          EXPECT_RELATIVE_NEAR(*value, *one, 1e-9);
        }
        // The decision is the same at every rank count (the spectra are far from the tolerance).
        EXPECT_EQ(row.value("method", ""), row_for(by_ranks[1], matrix.dataset).value("method", "-"));
      }
    }
  }
}

TEST(MethodAuto, ToleranceMovesTheDecision) {
  // A loose tolerance keeps the Gram route's number on k^-3 (predicted ~1e-5); a strict one sends even the
  // ordinary log-spaced spectrum to TSQR.
  const RunResult& loose = run(2, {"--tolerance", "1e-3"});
  ASSERT_EQ(loose.exit_code, 0) << loose;
  const json power = row_for(parse_jsonl(loose), "/steep/power_3");
  EXPECT_EQ(power.value("method", ""), "gram") << power.dump();
  EXPECT_FALSE(power.value("method_fallback", true));
  const RunResult& strict = run(2, {"--tolerance", "1e-13"});
  ASSERT_EQ(strict.exit_code, 0) << strict;
  const json log5 = row_for(parse_jsonl(strict), "/ordinary/log_1e-5");
  EXPECT_EQ(log5.value("method", ""), "tsqr") << log5.dump();
  EXPECT_TRUE(log5.value("method_fallback", false));
  // Out of range is a usage error.
  const RunResult& zero = run(1, {"--tolerance", "0"});
  EXPECT_EQ(zero.exit_code, 2) << zero;
}

TEST(MethodAuto, ExplicitTsqrHasNoGramPrediction) {
  const RunResult& result = run(2, {"--method", "tsqr"});
  ASSERT_EQ(result.exit_code, 0) << result;
  for (const json& row : parse_jsonl(result)) {
    EXPECT_EQ(row.value("method", ""), "tsqr");
    EXPECT_FALSE(row.value("method_fallback", true));
    EXPECT_TRUE(row["predicted_error"].is_null()) << row.dump();
  }
}

}  // namespace
}  // namespace rankme
