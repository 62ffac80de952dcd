#include "rankme/numerics/spectrum_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

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

// ---------------------------------------------------------------------------------------------------
// The other spectral metrics.

constexpr double inf = std::numeric_limits<double>::infinity();

std::vector<double> equal_values(std::size_t r, double value, std::size_t zeros = 0) {
  std::vector<double> s(r, value);
  s.insert(s.end(), zeros, 0.0);
  return s;
}

// Singular values of the exact power law lambda_k = k^-alpha, k = 1..m.
std::vector<double> power_law(double alpha, std::size_t m) {
  std::vector<double> s;
  for (std::size_t k = 1; k <= m; ++k) s.push_back(std::sqrt(std::pow(static_cast<double>(k), -alpha)));
  return s;
}

MetricSelection select_all(std::uint64_t cols) {
  MetricSelection selection = parse_metric_list("all");
  selection.cols = cols;
  return selection;
}

TEST(SpectrumMetrics, EqualValuesGiveTheirCount) {
  for (std::size_t r : {1u, 2u, 7u, 64u, 1000u}) {
    const double rr = static_cast<double>(r);
    const auto s = equal_values(r, 3.5);
    EXPECT_NEAR(effective_rank(s), rr, 1e-12 * rr);
    EXPECT_EQ(stable_rank(s), rr);
    EXPECT_EQ(participation_ratio(s), rr);
    EXPECT_EQ(nesum(s), rr);
    EXPECT_DOUBLE_EQ(top_eigenvalue_share(s), 1.0 / rr);
    EXPECT_EQ(condition_number(s), 1.0);
    EXPECT_EQ(numerical_rank(s, default_rank_rtol_gram(r)), rr);
  }
}

TEST(SpectrumMetrics, EqualValuesWithZerosAppended) {
  const auto s = equal_values(5, 2.0, 7);
  EXPECT_NEAR(effective_rank(s), 5.0, 1e-13);
  EXPECT_EQ(stable_rank(s), 5.0);
  EXPECT_EQ(participation_ratio(s), 5.0);
  EXPECT_DOUBLE_EQ(top_eigenvalue_share(s), 0.2);
  EXPECT_EQ(condition_number(s), inf);
  EXPECT_EQ(numerical_rank(s, default_rank_rtol_gram(12)), 5.0);
  EXPECT_EQ(numerical_rank(s, 0.0), 5.0);  // strictly greater than 0: zeros never count
}

TEST(SpectrumMetrics, RankOne) {
  const std::vector<double> s = {4.0, 0.0, 0.0, 0.0};
  EXPECT_EQ(effective_rank(s), 1.0);
  EXPECT_EQ(stable_rank(s), 1.0);
  EXPECT_EQ(participation_ratio(s), 1.0);
  EXPECT_EQ(top_eigenvalue_share(s), 1.0);
  EXPECT_EQ(condition_number(s), inf);
  EXPECT_EQ(numerical_rank(s, 1e-7), 1.0);
  EXPECT_TRUE(std::isnan(alpha_req(s, 1, 4).alpha));  // one positive value: nothing to fit
  EXPECT_EQ(condition_number({4.0}), 1.0);            // m = 1
}

TEST(SpectrumMetrics, AllZeroAndEmpty) {
  for (const auto& s : {std::vector<double>(6, 0.0), std::vector<double>{}}) {
    EXPECT_EQ(effective_rank(s), 0.0);
    EXPECT_EQ(stable_rank(s), 0.0);
    EXPECT_EQ(participation_ratio(s), 0.0);
    EXPECT_EQ(nesum(s), 0.0);
    EXPECT_EQ(numerical_rank(s, 1e-7), 0.0);
    EXPECT_TRUE(std::isnan(condition_number(s)));
    EXPECT_TRUE(std::isnan(top_eigenvalue_share(s)));
    const PowerLawFit fit = alpha_req(s, 1, 6);
    EXPECT_TRUE(std::isnan(fit.alpha));
    EXPECT_TRUE(std::isnan(fit.r_squared));
    EXPECT_LT(fit.last, fit.first);
  }
}

TEST(SpectrumMetrics, KnownValuesOfAMixedSpectrum) {
  const std::vector<double> s = {2.0, 1.0, 1.0};  // lambda = 4, 1, 1
  EXPECT_DOUBLE_EQ(stable_rank(s), 6.0 / 4.0);
  EXPECT_DOUBLE_EQ(participation_ratio(s), 36.0 / 18.0);
  EXPECT_DOUBLE_EQ(top_eigenvalue_share(s), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(condition_number(s), 2.0);
  const double entropy = -(0.5 * std::log(0.5) + 2 * 0.25 * std::log(0.25));
  EXPECT_NEAR(effective_rank(s), std::exp(entropy), 1e-14);
  EXPECT_EQ(numerical_rank(s, 0.5), 1.0);   // s_k / s_1 = 1, 0.5, 0.5: strictly greater than rtol
  EXPECT_EQ(numerical_rank(s, 0.49), 3.0);
}

TEST(SpectrumMetrics, OrderAndScaleDoNotMatter) {
  const std::vector<double> s = {5, 3, 1, 0.5, 0.01, 0};
  const std::vector<double> shuffled = {0.5, 0, 5, 0.01, 3, 1};
  for (double scale : {1e-150, 1.0, 1e150}) {  // lambda_k = s_k^2 would under- or overflow here
    std::vector<double> scaled;
    for (double v : shuffled) scaled.push_back(v * scale);
    EXPECT_NEAR(effective_rank(scaled), effective_rank(s), 1e-13);
    EXPECT_NEAR(stable_rank(scaled), stable_rank(s), 1e-13);
    EXPECT_NEAR(participation_ratio(scaled), participation_ratio(s), 1e-13);
    EXPECT_NEAR(top_eigenvalue_share(scaled), top_eigenvalue_share(s), 1e-15);
    EXPECT_EQ(condition_number(scaled), inf);
    EXPECT_EQ(numerical_rank(scaled, 1e-2), 4.0);  // s_k / s_1 = 1, .6, .2, .1, .002, 0
    EXPECT_NEAR(alpha_req(scaled, 1, 5).alpha, alpha_req(s, 1, 5).alpha, 1e-12);
  }
}

TEST(SpectrumMetrics, RankMeWithoutEpsilonIsTheEffectiveRank) {
  std::vector<double> s;
  for (int k = 0; k < 40; ++k) s.push_back(std::pow(0.7, k));
  s.push_back(0.0);
  EXPECT_NEAR(rankme_from_singular_values(s, 0.0), effective_rank(s), 1e-13);
  EXPECT_EQ(rankme_from_singular_values(equal_values(9, 1.0), 0.0), effective_rank(equal_values(9, 1.0)));
}

TEST(SpectrumMetrics, NonFiniteGivesNaN) {
  for (double bad : {std::nan(""), inf, -inf}) {
    const std::vector<double> s = {3.0, bad, 1.0};
    EXPECT_TRUE(std::isnan(effective_rank(s)));
    EXPECT_TRUE(std::isnan(stable_rank(s)));
    EXPECT_TRUE(std::isnan(participation_ratio(s)));
    EXPECT_TRUE(std::isnan(nesum(s)));
    EXPECT_TRUE(std::isnan(alpha_req(s, 1, 3).alpha));
    EXPECT_TRUE(std::isnan(alpha_req(s, 1, 3).r_squared));
    EXPECT_TRUE(std::isnan(condition_number(s)));
    EXPECT_TRUE(std::isnan(numerical_rank(s, 1e-7)));
    EXPECT_TRUE(std::isnan(top_eigenvalue_share(s)));
  }
}

TEST(SpectrumMetrics, NegativeSingularValueIsACallerError) {
  EXPECT_THROW(stable_rank({1.0, -0.5}), std::invalid_argument);
  EXPECT_THROW(alpha_req({1.0, -0.5}, 1, 2), std::invalid_argument);
}

TEST(AlphaReq, RecoversTheExponentOfAnExactPowerLaw) {
  for (double alpha : {0.5, 1.0, 1.7, 2.5, 4.0}) {
    const PowerLawFit fit = alpha_req(power_law(alpha, 256));  // default range 11..100
    EXPECT_NEAR(fit.alpha, alpha, 1e-12) << alpha;
    EXPECT_NEAR(fit.r_squared, 1.0, 1e-12) << alpha;
    EXPECT_EQ(fit.first, 11u);
    EXPECT_EQ(fit.last, 100u);
  }
}

TEST(AlphaReq, DefaultRangeIgnoresTheHead) {
  // A power law with exponent 1 from k = 11 on, and a head that does not follow it.
  auto s = power_law(1.0, 200);
  for (std::size_t i = 0; i < 10; ++i) s[i] = 100.0 - static_cast<double>(i);
  const PowerLawFit fit = alpha_req(s);
  EXPECT_NEAR(fit.alpha, 1.0, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
  EXPECT_LT(alpha_req(s, 1, 100).r_squared, 0.9);  // the head spoils a fit from k = 1
}

TEST(AlphaReq, CustomRange) {
  // Exponent 1 for k <= 50, exponent 3 after: each range sees its own exponent.
  std::vector<double> s;
  for (std::size_t k = 1; k <= 120; ++k) {
    const double kk = static_cast<double>(k);
    const double lambda = k <= 50 ? 1.0 / kk : std::pow(50.0, 2.0) * std::pow(kk, -3.0);
    s.push_back(std::sqrt(lambda));
  }
  PowerLawFit fit = alpha_req(s, 1, 50);
  EXPECT_NEAR(fit.alpha, 1.0, 1e-12);
  EXPECT_EQ(fit.first, 1u);
  EXPECT_EQ(fit.last, 50u);
  fit = alpha_req(s, 60, 120);
  EXPECT_NEAR(fit.alpha, 3.0, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
  fit = alpha_req(s, 30, 70);  // across the kink: between the two, and not a perfect fit
  EXPECT_GT(fit.alpha, 1.0);
  EXPECT_LT(fit.alpha, 3.0);
  EXPECT_LT(fit.r_squared, 1.0 - 1e-3);
}

TEST(AlphaReq, ClipsToMAndToThePositiveValues) {
  PowerLawFit fit = alpha_req(power_law(2.0, 40));  // m = 40 < 100
  EXPECT_EQ(fit.first, 11u);
  EXPECT_EQ(fit.last, 40u);
  EXPECT_NEAR(fit.alpha, 2.0, 1e-12);

  auto s = power_law(2.0, 30);
  s.insert(s.end(), 20, 0.0);  // m = 50, but only 30 positive values
  fit = alpha_req(s);
  EXPECT_EQ(fit.last, 30u);
  EXPECT_NEAR(fit.alpha, 2.0, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
}

TEST(AlphaReq, TooFewPointsIsNaN) {
  PowerLawFit fit = alpha_req(power_law(1.0, 11));  // only k = 11 in range
  EXPECT_TRUE(std::isnan(fit.alpha));
  EXPECT_TRUE(std::isnan(fit.r_squared));
  EXPECT_EQ(fit.first, 11u);
  EXPECT_EQ(fit.last, 11u);
  fit = alpha_req(power_law(1.0, 10));  // nothing in range
  EXPECT_TRUE(std::isnan(fit.alpha));
  EXPECT_LT(fit.last, fit.first);
  fit = alpha_req(power_law(1.0, 12));  // k = 11, 12: two points are enough
  EXPECT_NEAR(fit.alpha, 1.0, 1e-12);
  fit = alpha_req(power_law(1.0, 100), 5, 5);  // a one-point range
  EXPECT_TRUE(std::isnan(fit.alpha));
}

TEST(AlphaReq, NoisyPowerLawFitsBelowOne) {
  std::mt19937_64 generator(12345);
  for (double alpha : {1.0, 2.0}) {
    auto s = power_law(alpha, 300);
    for (double& v : s) {
      const double u = static_cast<double>(generator() >> 11) * 0x1.0p-53;  // uniform [0, 1)
      v *= std::exp(0.1 * (u - 0.5));  // +-5 % multiplicative noise on s_k
    }
    const PowerLawFit fit = alpha_req(s);
    EXPECT_LT(fit.r_squared, 1.0 - 1e-4);
    EXPECT_GT(fit.r_squared, 0.9);
    EXPECT_NEAR(fit.alpha, alpha, 0.05);
  }
}

TEST(AlphaReq, FlatSpectrumIsAnExactFitWithExponentZero) {
  const PowerLawFit fit = alpha_req(equal_values(100, 0.3));
  EXPECT_EQ(fit.alpha, 0.0);
  EXPECT_EQ(fit.r_squared, 1.0);
}

TEST(AlphaReq, BadRangeIsACallerError) {
  EXPECT_THROW(alpha_req(power_law(1.0, 20), 0, 10), std::invalid_argument);
  EXPECT_THROW(alpha_req(power_law(1.0, 20), 10, 9), std::invalid_argument);
}

TEST(NumericalRank, DefaultTolerances) {
  EXPECT_DOUBLE_EQ(default_rank_rtol_gram(64), std::sqrt(gram_noise_floor(64)));
  EXPECT_NEAR(default_rank_rtol_gram(64), 5.96e-8, 0.01e-8);
  EXPECT_DOUBLE_EQ(default_rank_rtol_tsqr(4096, 256), 4096 * std::numeric_limits<double>::epsilon());
  EXPECT_DOUBLE_EQ(default_rank_rtol_tsqr(100, 300), 300 * std::numeric_limits<double>::epsilon());
  EXPECT_THROW(numerical_rank({1.0}, -1.0), std::invalid_argument);
  EXPECT_THROW(numerical_rank({1.0}, std::nan("")), std::invalid_argument);
}

TEST(NumericalRank, GramDefaultCountsWhatTheGramRouteResolved) {
  // Eigenvalues 1, 1e-6, 1e-12, 1e-15, 1e-20 at K = 64 (floor 3.6e-15): the last two are noise.
  const std::vector<double> eigenvalues = {1.0, 1e-6, 1e-12, 1e-15, 1e-20};
  const auto s = singular_values_from_gram_eigenvalues(eigenvalues, 1000, 64);
  EXPECT_EQ(numerical_rank(s, default_rank_rtol_gram(64)), 3.0);
  EXPECT_EQ(numerical_rank(s, 0.0), 3.0);
  EXPECT_EQ(numerical_rank(s, 1e-4), 2.0);  // s = 1, 1e-3, 1e-6, 0, 0
}

TEST(MetricList, NamesInTheirFixedOrder) {
  const std::vector<std::string> expected = {"rankme",           "effective_rank", "stable_rank",
                                             "participation_ratio", "nesum",       "alpha_req",
                                             "alpha_req_r2",     "condition_number", "numerical_rank",
                                             "top_eigenvalue_share"};
  EXPECT_EQ(metric_names(), expected);
}

TEST(MetricList, ParsesAllAndSubsets) {
  const auto all = parse_metric_list("all");
  EXPECT_EQ(all.metrics.size(), metric_names().size());
  for (const auto& name : metric_names()) EXPECT_TRUE(all.wants(name)) << name;

  const auto subset = parse_metric_list("stable_rank, alpha_req ,rankme,stable_rank");
  EXPECT_EQ(subset.metrics, (std::set<std::string>{"rankme", "stable_rank", "alpha_req"}));
  EXPECT_EQ(subset.eps, default_rankme_eps);
  EXPECT_EQ(subset.alpha_first, 11u);
  EXPECT_EQ(subset.alpha_last, 100u);
  EXPECT_FALSE(subset.rank_rtol.has_value());
  EXPECT_FALSE(subset.centered);

  EXPECT_EQ(parse_metric_list("nesum,all").metrics.size(), metric_names().size());
  EXPECT_EQ(MetricSelection{}.metrics, std::set<std::string>{"rankme"});  // today's output
}

TEST(MetricList, UnknownOrEmptyNameIsAnErrorListingTheKnownOnes) {
  for (const std::string list : {"rankme,stablerank", "stablerank", "RankMe"}) {
    try {
      parse_metric_list(list);
      ADD_FAILURE() << list;
    } catch (const std::invalid_argument& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("unknown metric '"), std::string::npos) << message;
      for (const auto& name : metric_names()) EXPECT_NE(message.find(name), std::string::npos) << message;
      EXPECT_NE(message.find("all"), std::string::npos) << message;
    }
  }
  try {
    parse_metric_list("rankme,stablerank");
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'stablerank'"), std::string::npos);
  }
  EXPECT_THROW(parse_metric_list(""), std::invalid_argument);
  EXPECT_THROW(parse_metric_list("rankme,,nesum"), std::invalid_argument);
  EXPECT_THROW(parse_metric_list("rankme,"), std::invalid_argument);
}

TEST(ComputeMetrics, AllMetricsMatchTheSingleFunctions) {
  const auto s = power_law(1.5, 128);
  MetricSelection selection = select_all(128);
  selection.centered = true;
  const SpectrumMetrics m = compute_metrics(s, selection);
  EXPECT_EQ(*m.rankme, rankme_from_singular_values(s));
  EXPECT_EQ(*m.effective_rank, effective_rank(s));
  EXPECT_EQ(*m.stable_rank, stable_rank(s));
  EXPECT_EQ(*m.participation_ratio, participation_ratio(s));
  EXPECT_EQ(*m.nesum, stable_rank(s));
  EXPECT_NEAR(*m.alpha_req, 1.5, 1e-12);
  EXPECT_NEAR(*m.alpha_req_r2, 1.0, 1e-12);
  EXPECT_EQ(*m.condition_number, condition_number(s));
  EXPECT_EQ(*m.numerical_rank, 128.0);
  EXPECT_EQ(*m.top_eigenvalue_share, top_eigenvalue_share(s));
  for (const auto& name : metric_names()) EXPECT_TRUE(metric_value(m, name).has_value()) << name;
  EXPECT_EQ(metric_value(m, "stable_rank"), m.stable_rank);
  EXPECT_THROW(metric_value(m, "stablerank"), std::invalid_argument);
}

TEST(ComputeMetrics, OnlyTheSelectedOnesAndNesumOnlyForCentredData) {
  MetricSelection selection = parse_metric_list("stable_rank,nesum,alpha_req_r2");
  const auto s = power_law(2.0, 50);
  SpectrumMetrics m = compute_metrics(s, selection);
  EXPECT_TRUE(m.stable_rank.has_value());
  EXPECT_FALSE(m.nesum.has_value());  // not centred
  EXPECT_TRUE(m.alpha_req_r2.has_value());
  EXPECT_FALSE(m.alpha_req.has_value());
  EXPECT_FALSE(m.rankme.has_value());
  EXPECT_FALSE(m.numerical_rank.has_value());
  selection.centered = true;
  m = compute_metrics(s, selection);
  EXPECT_EQ(m.nesum, m.stable_rank);
}

TEST(ComputeMetrics, PassesEpsAlphaRangeAndRtol) {
  auto s = power_law(1.0, 60);
  s.insert(s.end(), 4, 0.0);
  MetricSelection selection = parse_metric_list("rankme,alpha_req,numerical_rank");
  selection.eps = 0.0;
  selection.alpha_first = 2;
  selection.alpha_last = 1000;
  selection.rank_rtol = 0.2;  // s_k / s_1 = k^-1/2 > 0.2 for k < 25
  const SpectrumMetrics m = compute_metrics(s, selection);
  EXPECT_EQ(*m.rankme, rankme_from_singular_values(s, 0.0));
  EXPECT_EQ(*m.alpha_req, alpha_req(s, 2, 1000).alpha);
  EXPECT_EQ(*m.numerical_rank, 24.0);

  selection.rank_rtol.reset();
  EXPECT_THROW(compute_metrics(s, selection), std::invalid_argument);  // no cols for the default
  selection.cols = 64;
  EXPECT_EQ(*compute_metrics(s, selection).numerical_rank, 60.0);
  selection.alpha_first = 0;
  EXPECT_THROW(compute_metrics(s, selection), std::invalid_argument);
}

TEST(ComputeMetrics, NonFiniteInputMakesEverySelectedMetricNaN) {
  MetricSelection selection = select_all(3);
  selection.centered = true;
  for (double bad : {std::nan(""), inf}) {
    const SpectrumMetrics m = compute_metrics({2.0, bad, 0.0}, selection);
    for (const auto& name : metric_names()) {
      const auto value = metric_value(m, name);
      ASSERT_TRUE(value.has_value()) << name;
      EXPECT_TRUE(std::isnan(*value)) << name;
    }
  }
  selection.centered = false;
  EXPECT_FALSE(compute_metrics({std::nan("")}, selection).nesum.has_value());
}

TEST(ComputeMetrics, RankOneAndAllZeroThroughTheGramRoute) {
  // Z = one column of ones repeated: rank one; Gram eigenvalues K*N, then rounding noise.
  const std::vector<double> eigenvalues = {800.0, 1e-14, -2e-14, 0.0};
  const auto s = singular_values_from_gram_eigenvalues(eigenvalues, 200, 4);
  const SpectrumMetrics m = compute_metrics(s, select_all(4));
  EXPECT_EQ(*m.effective_rank, 1.0);
  EXPECT_EQ(*m.stable_rank, 1.0);
  EXPECT_EQ(*m.participation_ratio, 1.0);
  EXPECT_EQ(*m.numerical_rank, 1.0);
  EXPECT_EQ(*m.condition_number, inf);
  EXPECT_EQ(*m.top_eigenvalue_share, 1.0);

  const SpectrumMetrics zero = compute_metrics(std::vector<double>(4, 0.0), select_all(4));
  EXPECT_EQ(*zero.rankme, 0.0);
  EXPECT_EQ(*zero.effective_rank, 0.0);
  EXPECT_EQ(*zero.stable_rank, 0.0);
  EXPECT_EQ(*zero.numerical_rank, 0.0);
  EXPECT_TRUE(std::isnan(*zero.condition_number));
  EXPECT_TRUE(std::isnan(*zero.top_eigenvalue_share));
  EXPECT_TRUE(std::isnan(*zero.alpha_req));
}

}  // namespace
}  // namespace rankme
