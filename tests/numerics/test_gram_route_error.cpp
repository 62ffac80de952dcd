// The Gram route's predicted error (gram_route_error.hpp) against the truth: real double Gram matrices
// (cblas_dsyrk) of matrices with known singular values, their eigenvalues by LAPACK (dsyevd, as the route's
// LAPACK solver), the route's noise floor, and RankMe against the float64 SVD of the same values. The
// prediction must lie above the true error wherever that error matters, and stay far below the 1e-6
// tolerance on ordinary spectra (so that auto does not rescore them).
#include "rankme/numerics/gram_route_error.hpp"

#include <cblas.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rankme/lapack/syevd.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "support/lapack_reference.hpp"

namespace rankme {
namespace {

using testing::log_spaced_spectrum;
using testing::matrix_with_singular_values;
using testing::power_law_spectrum;
using testing::reference_rankme_of;
using testing::relative_difference;

struct GramRouteOutcome {
  double error = 0;      // |RankMe from the Gram route - RankMe from the SVD| / the latter
  double predicted = 0;  // predicted_gram_route_error of the Gram route's spectrum
};

GramRouteOutcome score_by_gram(const std::vector<double>& z, std::uint64_t rows, std::uint64_t cols) {
  std::vector<double> gram(cols * cols, 0.0);
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, static_cast<int>(cols), static_cast<int>(rows), 1.0, z.data(),
              static_cast<int>(cols), 0.0, gram.data(), static_cast<int>(cols));
  std::vector<double> eigenvalues(cols);
  dsyevd_eigenvalues(Triangle::upper, cols, gram.data(), cols, eigenvalues.data());
  const std::vector<double> s = singular_values_from_gram_eigenvalues(eigenvalues, rows, cols);
  GramRouteOutcome outcome;
  outcome.error = relative_difference(rankme_from_singular_values(s, default_rankme_eps), reference_rankme_of(z, cols));
  outcome.predicted = predicted_gram_route_error(s, default_rankme_eps, cols);
  return outcome;
}

std::vector<double> rounded_to_float32(std::vector<double> values) {
  for (double& v : values) v = static_cast<double>(static_cast<float>(v));
  return values;
}

TEST(PredictedGramRouteError, IsZeroWithoutASpectrum) {
  EXPECT_EQ(predicted_gram_route_error({}, 1e-7, 8), 0.0);
  EXPECT_EQ(predicted_gram_route_error({0, 0, 0}, 1e-7, 3), 0.0);
  EXPECT_EQ(predicted_gram_route_error({1, 0.5}, 1e-7, 0), 0.0);
}

TEST(PredictedGramRouteError, GrowsWithEverySingularValueTheFloorZeroed) {
  // Zeroed values count in full (up to the floor), kept ones only by the eigenvalue error.
  const std::vector<double> kept = {1, 0.5, 0.25, 0.125};
  const std::vector<double> one_zeroed = {1, 0.5, 0.25, 0};
  const std::vector<double> two_zeroed = {1, 0.5, 0, 0};
  const double p0 = predicted_gram_route_error(kept, 1e-7, 4);
  const double p1 = predicted_gram_route_error(one_zeroed, 1e-7, 4);
  const double p2 = predicted_gram_route_error(two_zeroed, 1e-7, 4);
  EXPECT_LT(p0, 1e-14);
  EXPECT_GT(p1, 100 * p0);
  EXPECT_GT(p2, 1.5 * p1);  // linear in the zeroed ones: nearly twice
  // A wider Gram matrix has a coarser resolution.
  EXPECT_GT(predicted_gram_route_error(one_zeroed, 1e-7, 4096), p1);
}

TEST(PredictedGramRouteError, BoundsTheTrueErrorOfRealGramMatrices) {
  struct Case {
    std::string name;
    std::vector<double> s;
    bool float32;
  };
  const std::uint64_t rows = 1024, cols = 192;
  const std::vector<Case> cases = {
      {"logspace 1..1e-4", log_spaced_spectrum(cols, -4), false},  {"logspace 1..1e-6", log_spaced_spectrum(cols, -6), false},
      {"logspace 1..1e-8", log_spaced_spectrum(cols, -8), false},  {"logspace 1..1e-10", log_spaced_spectrum(cols, -10), true},
      {"logspace 1..1e-12", log_spaced_spectrum(cols, -12), false}, {"k^-1", power_law_spectrum(cols, 1), true},
      {"k^-2", power_law_spectrum(cols, 2), false},                 {"k^-3", power_law_spectrum(cols, 3), false},
      {"k^-3.5 in float32", power_law_spectrum(cols, 3.5), true},   {"k^-5", power_law_spectrum(cols, 5), false},
      {"rank 20 of 192", std::vector<double>(20, 1.0), false},
  };
  int steep = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    std::vector<double> z = matrix_with_singular_values(rows, cols, c.s, 40 + i);
    if (c.float32) z = rounded_to_float32(z);
    const GramRouteOutcome outcome = score_by_gram(z, rows, cols);
    EXPECT_GE(outcome.predicted, outcome.error) << "true error " << outcome.error;
    if (outcome.error > 1e-6) ++steep;
    // A prediction says little if it is wildly pessimistic where the error matters: within 1000x.
    if (outcome.error > 1e-9) {
      EXPECT_LE(outcome.predicted, 1000 * outcome.error);
    }
  }
  EXPECT_GE(steep, 3);  // the family must include spectra where the Gram route really is off
}

TEST(PredictedGramRouteError, StaysFarBelowTheToleranceOnOrdinarySpectra) {
  // What trained embeddings look like: a slow decay, the benchmark's (k+1)^-0.5, and a flat spectrum.
  const std::uint64_t rows = 1024, cols = 192;
  for (const auto& s : {power_law_spectrum(cols, 0.5), power_law_spectrum(cols, 1.0), log_spaced_spectrum(cols, -3), std::vector<double>(cols, 1.0)}) {
    const GramRouteOutcome outcome = score_by_gram(matrix_with_singular_values(rows, cols, s, 7), rows, cols);
    EXPECT_LT(outcome.predicted, 1e-2 * default_method_tolerance);
  }
}

}  // namespace
}  // namespace rankme
