#include "rankme/spectrum_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace rankme {
namespace {

// With r equal singular values and the rest zero, p = 1/r + eps on r values and eps on the others.
double rankme_of_equal_values(int r, int total, double eps) {
  const double p_on = 1.0 / r + eps;
  double entropy = -r * p_on * std::log(p_on);
  if (eps > 0) entropy -= (total - r) * eps * std::log(eps);
  return std::exp(entropy);
}

TEST(RankMe, EqualSingularValuesGiveTheirCount) {
  for (int r : {1, 2, 7, 64, 1000}) {
    const std::vector<double> s(static_cast<std::size_t>(r), 3.5);
    EXPECT_NEAR(rankme_from_singular_values(s, 0.0), r, 1e-9 * r);
    EXPECT_NEAR(rankme_from_singular_values(s), rankme_of_equal_values(r, r, 1e-7), 1e-12 * r);
  }
}

TEST(RankMe, EpsilonAddsTheZeroValuesContribution) {
  std::vector<double> s(100, 0.0);
  for (int i = 0; i < 10; ++i) s[static_cast<std::size_t>(i)] = 2.0;
  const double with_eps = rankme_from_singular_values(s, 1e-7);
  EXPECT_NEAR(with_eps, rankme_of_equal_values(10, 100, 1e-7), 1e-12);
  EXPECT_GT(with_eps, 10.0);  // the 90 zero values each add -eps log eps
  EXPECT_NEAR(rankme_from_singular_values(s, 0.0), 10.0, 1e-12);
}

TEST(RankMe, IsScaleInvariant) {
  const std::vector<double> s = {5, 3, 1, 0.5, 0.01};
  std::vector<double> scaled;
  for (double v : s) scaled.push_back(v * 1e-150);
  EXPECT_NEAR(rankme_from_singular_values(s), rankme_from_singular_values(scaled), 1e-13);
}

TEST(RankMe, AllZeroIsZeroAndNonFiniteIsNaN) {
  EXPECT_EQ(rankme_from_singular_values(std::vector<double>(5, 0.0)), 0.0);
  EXPECT_EQ(rankme_from_singular_values({}), 0.0);
  EXPECT_TRUE(std::isnan(rankme_from_singular_values({1.0, std::nan("")})));
  EXPECT_TRUE(std::isnan(rankme_from_singular_values({1.0, std::numeric_limits<double>::infinity()})));
}

TEST(RankMe, GeometricSpectrumMatchesDirectFormula) {
  std::vector<double> s;
  double total = 0;
  for (int k = 0; k < 50; ++k) {
    s.push_back(std::pow(0.8, k));
    total += s.back();
  }
  double entropy = 0;
  for (double v : s) {
    const double p = v / total + 1e-7;
    entropy -= p * std::log(p);
  }
  EXPECT_NEAR(rankme_from_singular_values(s), std::exp(entropy), 1e-12);
}

TEST(GramSpectrum, KeepsTheMinOfRowsAndColsLargestDescending) {
  const std::vector<double> eigenvalues = {1, 16, 4, 9, 0.25};  // any order, as eigensolvers may give
  const auto s = singular_values_from_gram_eigenvalues(eigenvalues, 3, 5);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0], 4);
  EXPECT_DOUBLE_EQ(s[1], 3);
  EXPECT_DOUBLE_EQ(s[2], 2);
  EXPECT_EQ(singular_values_from_gram_eigenvalues(eigenvalues, 100, 5).size(), 5u);
}

TEST(GramSpectrum, NoiseBelowTheFloorBecomesZero) {
  const double floor = gram_noise_floor(64);
  const std::vector<double> eigenvalues = {1.0, -0.5 * floor, 0.5 * floor, 10 * floor, 0.0};
  const auto s = singular_values_from_gram_eigenvalues(eigenvalues, 100, 64);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], std::sqrt(10 * floor));  // above the floor: kept
  EXPECT_EQ(s[2], 0.0);
  EXPECT_EQ(s[3], 0.0);  // negative rounding noise: zero, never NaN
  EXPECT_EQ(s[4], 0.0);
}

TEST(GramSpectrum, FloorGrowsWithSqrtOfColumns) {
  EXPECT_NEAR(gram_noise_floor(400) / gram_noise_floor(100), 2.0, 1e-12);
  EXPECT_LT(gram_noise_floor(2048), 1e-13);  // resolves s_k down to about 1.4e-7 s_1 at K = 2048
}

TEST(GramSpectrum, NaNSurvivesSoNonFiniteDataCannotLookFinite) {
  const auto s = singular_values_from_gram_eigenvalues({std::nan(""), 1.0}, 10, 2);
  EXPECT_TRUE(std::isnan(rankme_from_singular_values(s)));
}

}  // namespace
}  // namespace rankme
