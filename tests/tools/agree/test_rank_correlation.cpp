// rankme-agree's statistics against scipy.stats: Spearman's rho and Kendall's tau-b with their p-values on
// random, strongly correlated, perfectly ordered, tied and constant data, and the pieces under them
// (the incomplete beta function, the t tail, Kendall's exact distribution). The reference is computed at
// test time by scipy_reference.py with the installed scipy.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agree/incomplete_beta.hpp"
#include "agree/kendall_exact.hpp"
#include "agree/rank_correlation.hpp"
#include "agree/student_t.hpp"
#include "support/child_process.hpp"
#include "support/temporary_directory.hpp"

namespace rankme::agree {
namespace {

// Statistics to 1e-10 relative (they are sums of exact integers, or of ranks, divided once or twice);
// p-values to 1e-8 relative, as the brief asks: both are far above the rounding either side makes.
constexpr double statistic_tolerance = 1e-10;
constexpr double p_tolerance = 1e-8;

const nlohmann::json& reference() {
  static const nlohmann::json json = [] {
    testing::TemporaryDirectory directory("rankme-agree-scipy-");
    const std::string out = directory.file("scipy.json");
    const testing::RunResult run = testing::run_command({"/usr/bin/python3", RANKME_SCIPY_REFERENCE, out}, 300);
    if (run.exit_code != 0) throw std::runtime_error("scipy_reference.py failed: " + run.err);
    return nlohmann::json::parse(testing::read_whole_file(out));
  }();
  return json;
}

double value_or_nan(const nlohmann::json& value) { return value.is_null() ? std::nan("") : value.get<double>(); }

void expect_close(double actual, double expected, double tolerance, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << ": " << actual << ", scipy NaN";
    return;
  }
  // The floor only matters for values that underflow (p below 1e-300) or are exactly zero.
  EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected) + 1e-300)
      << what << ": " << actual << ", scipy " << expected << " (relative " << (actual - expected) / expected << ")";
}

TEST(RankCorrelation, MatchesScipyOnRandomTiedAndConstantData) {
  const nlohmann::json& cases = reference().at("correlations");
  ASSERT_GE(cases.size(), 90u);
  std::size_t exact = 0, asymptotic = 0, tied = 0;
  for (const nlohmann::json& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    const auto x = c.at("x").get<std::vector<double>>();
    const auto y = c.at("y").get<std::vector<double>>();
    const SpearmanTest spearman = spearman_test(x, y);
    const KendallTest kendall = kendall_tau_b_test(x, y);
    const double rho = value_or_nan(c.at("spearman_rho"));
    expect_close(spearman.rho, rho, statistic_tolerance, name + " rho");
    expect_close(kendall.tau, value_or_nan(c.at("kendall_tau")), statistic_tolerance, name + " tau");
    expect_close(kendall.p_value, value_or_nan(c.at("kendall_p")), p_tolerance, name + " Kendall p");
    if (!std::isnan(rho) && std::fabs(rho) > 1 - 1e-14 && x.size() > 2) {
      // A perfect order: scipy's rho is 1 or 1 - 1 ulp, as its rounding falls, and its p-value 0 or the
      // tail at t ~ 1e8 that this ulp makes (1e-24 at n = 5); both say "zero". rankme-agree gets exactly 1.
      EXPECT_LE(spearman.p_value, 1e-20) << name;
      EXPECT_LE(value_or_nan(c.at("spearman_p")), 1e-20) << name;
    } else {
      expect_close(spearman.p_value, value_or_nan(c.at("spearman_p")), p_tolerance, name + " Spearman p");
    }
    exact += kendall.method == KendallMethod::exact;
    asymptotic += kendall.method == KendallMethod::asymptotic;
    tied += name.rfind("ties", 0) == 0;
  }
  // Both of Kendall's p-value methods and the tied cases were exercised.
  EXPECT_GE(exact, 20u);
  EXPECT_GE(asymptotic, 30u);
  EXPECT_GE(tied, 30u);
}

TEST(RankCorrelation, KendallMethodFollowsScipysAutoRule) {
  // No ties and n <= 33: exact; n = 34 without ties: the normal approximation; n = 60 with a single
  // discordant pair: exact again; any tie: the approximation.
  std::vector<double> x(34), y(34);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<double>(i);
    y[i] = static_cast<double>((i * 7) % 34);
  }
  const std::vector<double> x33(x.begin(), x.begin() + 33), y33(y.begin(), y.begin() + 33);
  EXPECT_EQ(kendall_tau_b_test(x33, y33).method, KendallMethod::exact);
  EXPECT_EQ(kendall_tau_b_test(x, y).method, KendallMethod::asymptotic);
  std::vector<double> sorted(60), swapped(60);
  for (std::size_t i = 0; i < 60; ++i) sorted[i] = swapped[i] = static_cast<double>(i);
  std::swap(swapped[3], swapped[4]);
  EXPECT_EQ(kendall_tau_b_test(sorted, swapped).method, KendallMethod::exact);
  EXPECT_EQ(kendall_tau_b_test({1, 2, 2, 3}, {1, 2, 3, 4}).method, KendallMethod::asymptotic);
  EXPECT_EQ(kendall_tau_b_test({1, 1, 1}, {1, 2, 3}).method, KendallMethod::undefined);
}

TEST(RankCorrelation, AverageRanksOfTies) {
  EXPECT_EQ(average_ranks({10, 20, 20, 5, 20}), (std::vector<double>{2, 4, 4, 1, 4}));
  EXPECT_EQ(average_ranks({}), std::vector<double>{});
  EXPECT_EQ(average_ranks({3, 3}), (std::vector<double>{1.5, 1.5}));
}

TEST(RankCorrelation, RefusesNonFiniteAndUnequalInputs) {
  EXPECT_THROW(spearman_test({1, 2, std::nan("")}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(kendall_tau_b_test({1, 2, INFINITY}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(spearman_test({1, 2}, {1, 2, 3}), std::invalid_argument);
  // Fewer than two points: undefined, as in scipy.
  EXPECT_TRUE(std::isnan(spearman_test({1}, {2}).rho));
  EXPECT_TRUE(std::isnan(kendall_tau_b_test({}, {}).tau));
}

TEST(IncompleteBeta, MatchesScipySpecialBetainc) {
  for (const nlohmann::json& c : reference().at("betainc")) {
    const double a = c.at("a"), b = c.at("b"), x = c.at("x");
    const double expected = c.at("value");
    // The smaller of I and 1 - I is what the fraction computes: relative accuracy there; absolute near 1.
    const double tolerance = expected > 0.5 ? 1e-12 / expected : 1e-11;
    expect_close(regularized_incomplete_beta(a, b, x), expected, tolerance,
                 "I_" + std::to_string(x) + "(" + std::to_string(a) + ", " + std::to_string(b) + ")");
  }
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 0), 0);
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 1), 1);
  EXPECT_THROW(regularized_incomplete_beta(0, 3, 0.5), std::invalid_argument);
  EXPECT_THROW(regularized_incomplete_beta(2, 3, 1.5), std::invalid_argument);
  EXPECT_TRUE(std::isnan(regularized_incomplete_beta(2, 3, std::nan(""))));
}

TEST(StudentT, TwoSidedTailMatchesScipy) {
  for (const nlohmann::json& c : reference().at("t_tail")) {
    const double t = c.at("t"), dof = c.at("dof");
    expect_close(student_t_two_sided_p(t, dof), c.at("p").get<double>(), 1e-10,
                 "t = " + std::to_string(t) + ", dof = " + std::to_string(dof));
  }
  EXPECT_EQ(student_t_two_sided_p(INFINITY, 5), 0);
  EXPECT_EQ(student_t_two_sided_p(1e200, 5), 0);
  EXPECT_TRUE(std::isnan(student_t_two_sided_p(1, 0)));
}

TEST(KendallExact, MatchesScipysExactDistribution) {
  for (const nlohmann::json& c : reference().at("kendall_exact")) {
    const std::uint64_t n = c.at("n"), concordant = c.at("c");
    expect_close(kendall_exact_two_sided_p(n, concordant), c.at("p").get<double>(), 1e-12,
                 "n = " + std::to_string(n) + ", c = " + std::to_string(concordant));
  }
  EXPECT_THROW(kendall_exact_two_sided_p(4, 7), std::invalid_argument);
}

}  // namespace
}  // namespace rankme::agree
